"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 73).

Chosen for kinds corpus57 to corpus72 do not hold: a JONSWAP wave spectrum as USGS's
stglib writes it (ocean waves: ``from numpy import pi, exp, cos``, ``np.where`` of the
spectral width, the peak shape gamma from an ``if / elif`` on the steepness
``tp / hs**0.5``, a scalar dual raised to an array, ``y ** exp(...)``); Merton's
jump-diffusion call as a Poisson sum of 100 Black-Scholes prices (finance beyond
GARCH: ``from math import factorial``, ``scipy.stats.norm.cdf(d, 0., 1.)``, ``(lam *
T) ** n / factorial(n)`` with ``factorial(99)`` a Python int of 156 digits); a
glucose-insulin model with three meals integrated by ``odeint`` (physiology: its
right-hand side returns a list, ``np.heaviside`` of the meal times, ``(kappa * y[1])
** (-beta)``); a fishery's harvest ramp (fisheries: ``import numpy`` with no ``np``, a
``numpy.zeros`` buffer filled in a Python loop, ``if time > ramp_end`` on the ramp's
dual ends, an extinction test ``fish_next_step <= 0.``); PyTOPKAPI's Green-Ampt
cumulative infiltration through a storm (soil hydrology: ``scipy.optimize.fsolve`` of
the implicit infiltration equation per interval, ponding tests ``f_t0 <= rain``,
``np.allclose(np.array([F_t0, dtheta]), np.zeros(2))`` on duals); Paulson's
Monin-Obukhov functions in the log wind and temperature profiles (boundary-layer
meteorology: ``np.arctan``, ``np.log`` of products, ``(1 - 16 z / L) ** 0.25``); a
Planck spectrum by wavenumber for eight stars (astrophysics: constants in CGS,
``np.exp(...) - 1`` of 480 broadcast points, the temperatures a dual array).

Each function is written anew here from its source's formulas, in the source's style
(its imports, buffers, loops, names and control flow), not copied; a row of
:data:`PROBLEMS73` wraps it into ``f(x0) -> 1-D array`` as a user hands it to
``approx_fprime``.  The changes a user makes are those dualgrad's refusals name, each
marked ``dualgrad`` where it is made: Merton's ``import scipy.stats as sp`` becomes
dualgrad's stats (the refusal names ``dualgrad.scipy.stats.norm.cdf``); ``odeint(func,
y0, t)`` becomes the refusal's ``dg.solve_ivp(..., method="LSODA", rtol=1.49012e-08,
atol=1.49012e-08).y.T``; the fishery's ``numpy.zeros(num_steps + 1)`` becomes
``numpy.zeros_like(maximum_growth_rate, shape=num_steps + 1)`` (the refusal spelled it
``np.zeros_like`` in a module that binds no ``np`` before user73); PyTOPKAPI's two
``fsolve`` calls of one unknown become ``dualgrad.scipy.optimize.newton`` (the refusal
said only "NumPy functions" or ``dg.stop_gradient`` before user73, neither of which
gives the root's derivatives).  Not dualgrad's: the source of the fishery sweeps a grid
of ramps and keeps the totals; one ramp is a row here.

======================  ==================================================  ==========
function                repository / path                                   commit
======================  ==================================================  ==========
jonswap, jonswap_gamma  USGS-CMG/stglib  stglib/lib/jonswap/jonswap.py      087b66e1
pierson_moskowitz
MertonJumpDiffusion..,  oliverweber1/Neural-Network-Option-Pricing-         a011fccb
blackScholesPrice       Master-Thesis  Code/AnalyticFormulas.py
glucose_insulin_model   lu-group/sbinn  sbinn/data_generation.py            99623cd7
total_harvest           snugpenguin968/Simulations                          9d761e13
                        ResponsibleFishing/RampOptimization.py
green_ampt_cum_infil..  sahg/PyTOPKAPI  pytopkapi/infiltration.py           4e9b7367
and its helpers
Paulson_m, Paulson_h    a2e-mmc/mmctools  similarity.py                     046ce281
planck_wave,            abelles520/thick_rt  thick_rt/planck.py,            1cd43adb
planck_wavenum          thick_rt/constants.py                               ed423c15
======================  ==================================================  ==========

Full commits: 087b66e148c1f2b61664c64360896d547926ddea,
a011fccbf1cccddfe247dbfd09f2245a7c06b7ff, 99623cd76a171002de8c73d410ef76fe53765469,
9d761e13dc79ef9a946d3a3c550660e38d70e0ed, 4e9b7367fa40eb680e2be53d6b031b17cc9f8f67,
046ce281a89cf49c690bca96152179f438bf9d8f, 1cd43adb9361bab7fe20517f32c9e38265bef4b9,
ed423c150e0bf4ef63ab3369b75e49fa78bfab6f.
"""

import numpy
import numpy as np
from math import factorial
from numpy import pi, exp

import dualgrad as dg
from dualgrad.scipy import stats as sp          # dualgrad: import scipy.stats as sp
from dualgrad.scipy.optimize import newton      # dualgrad: from scipy.optimize import fsolve


# --- ocean waves: a JONSWAP spectrum (USGS-CMG/stglib, stglib/lib/jonswap/jonswap.py)
def pierson_moskowitz(hs, tp, w):
    """Return a Pierson-Moskowitz wave spectrum."""
    # Peak frequency
    wp = 2 * pi / tp

    return 5/16 * hs**2 * wp**4 * w**-5 * exp(
        -5/4 * (w/wp)**-4
    )


def jonswap(hs, tp, w):
    """Return a JONSWAP wave spectrum (hs in m, tp in s, w in rad/s)."""
    # Peak frequency
    wp = 2 * pi / tp

    # sigma - spectral width parameter
    s = np.where(w <= wp, 0.07, 0.09)

    # gamma - Non-dimensional peak shape parameter
    y = jonswap_gamma(hs, tp)

    # normalising factor
    Ay = 0.2 / (0.065 * y**0.803 + 0.135)

    # Pierson-Moskowitz spectrum
    S_pm = pierson_moskowitz(hs, tp, w)

    return Ay * S_pm * y ** exp(-0.5 * ((w - wp) / s / wp)**2)


def jonswap_gamma(hs, tp):
    """Return JONSWAP gamma parameters after DNV."""
    ratio = tp / hs**0.5
    if ratio <= 3.6:
        return 5.0
    elif ratio < 5:
        return exp(5.75 - 1.15 * ratio)
    else:
        return 1


JONSWAP_W = 2 * pi / np.linspace(1, 20, 200)     # the source's test: Ts from 1 to 20 s
JONSWAP_X0 = np.array([5.5, 10.0])               # its hs, tp: tp / hs**0.5 = 4.26


def jonswap_row(x):
    """The spectrum at 200 frequencies by the significant height and the peak period
    (the steepness between 3.6 and 5: gamma = exp(5.75 - 1.15 ratio), a dual)."""
    return jonswap(x[0], x[1], JONSWAP_W)


# --- finance: Merton's jump diffusion (oliverweber1/..., Code/AnalyticFormulas.py)
def blackScholesPrice(s, r, sigma, T, K, put=False):
    d1 = (np.log(s / K) + (r + sigma ** 2) * T) / (sigma * np.sqrt(T)) * (1 - 2 * put)
    d2 = d1 - sigma * np.sqrt(T) * (1 - 2 * put)
    return ((s * sp.norm.cdf(d1, 0., 1.) - K * np.exp(-r * T) * sp.norm.cdf(d2, 0., 1.))) \
        * (1 - 2 * put)


def MertonJumpDiffusionPrice(s, r, sigma, T, K, mu_j, sig_j, lam, nSum=100, put=False):
    """Merton's price as an infinite sum of Black-Scholes prices (Tankov 10.1)."""
    price = 0.
    for n in range(nSum):
        sig_n = np.sqrt(sigma ** 2 + n * sig_j ** 2 / T)
        s_n = s * np.exp(lam * T + n * mu_j - lam * T * np.exp(mu_j + sig_j ** 2 / 2)
                         + n * sig_j ** 2 / 2)
        price += np.exp(-lam * T) * (lam * T) ** n / factorial(n) * \
            blackScholesPrice(s_n, r, sig_n, T, K, put)
    return price


MERTON_K = np.linspace(70.0, 130.0, 25)
MERTON_X0 = np.array([0.2, -0.1, 0.15, 0.8])     # sigma, mu_j, sig_j, lam


def merton_row(x):
    """Calls on 25 strikes (spot 100, r 2 %, half a year) by the diffusion's
    volatility, the jumps' mean and spread and their intensity."""
    sigma, mu_j, sig_j, lam = x
    return MertonJumpDiffusionPrice(100.0, 0.02, sigma, 0.5, MERTON_K, mu_j, sig_j, lam)


# --- physiology: a glucose-insulin model (lu-group/sbinn, sbinn/data_generation.py)
def glucose_insulin_model(
    t,
    meal_t,
    meal_q,
    Vp=3,
    Vi=11,
    Vg=10,
    E=0.2,
    tp=6,
    ti=100,
    td=12,
    k=1 / 120,
    Rm=209,
    a1=6.6,
    C1=300,
    C2=144,
    C3=100,
    C4=80,
    C5=26,
    Ub=72,
    U0=4,
    Um=90,
    Rg=180,
    alpha=7.5,
    beta=1.772,
):
    def func(y, t):
        f1 = Rm / (1 + np.exp(-y[2] / Vg / C1 + a1))
        f2 = Ub * (1 - np.exp(-y[2] / Vg / C2))
        kappa = (1 / Vi + 1 / E / ti) / C4
        f3 = (U0 + Um / (1 + (kappa * y[1]) ** (-beta))) / Vg / C3
        f4 = Rg / (1 + np.exp(alpha * (y[5] / Vp / C5 - 1)))
        IG = np.sum(
            meal_q * k * np.exp(k * (meal_t - t)) * np.heaviside(t - meal_t, 0.5)
        )
        tmp = E * (y[0] / Vp - y[1] / Vi)
        return [
            f1 - tmp - y[0] / tp,
            tmp - y[1] / ti,
            f4 + IG - f2 - f3 * y[2],
            (y[0] - y[3]) / td,
            (y[3] - y[4]) / td,
            (y[4] - y[5]) / td,
        ]

    Vp0, Vi0, Vg0 = 3, 11, 10
    y0 = [12 * Vp0, 4 * Vi0, 110 * Vg0 ** 2, 0, 0, 0]
    # dualgrad: odeint(func, y0, t)
    return dg.solve_ivp(lambda t, y: func(y, t), (t[0], t[-1]), y0, t_eval=t,
                        method="LSODA", rtol=1.49012e-08, atol=1.49012e-08).y.T


GI_T = np.arange(0, 1440, 10)                    # a day every 10 minutes
GI_MEAL_T = np.array([300, 650, 1100])           # the source's first three meals
GI_MEAL_Q = np.array([60e3, 40e3, 50e3])
GI_X0 = np.array([0.2, 6.0, 100.0, 12.0])        # E, tp, ti, td: the source's defaults


def glucose_row(x):
    """Plasma glucose (the third state) every 10 minutes through a day of three
    meals by the insulin exchange rate and the three time constants."""
    E, tp, ti, td = x
    return glucose_insulin_model(GI_T, GI_MEAL_T, GI_MEAL_Q, E=E, tp=tp, ti=ti,
                                 td=td)[:, 2]


# --- fisheries: a harvest ramp (snugpenguin968/Simulations, RampOptimization.py)
def total_harvest(maximum_growth_rate, carrying_capacity, maximum_harvest_rate,
                  ramp_start, ramp_end):
    """The source's loop body for one ramp (it sweeps ramp_start and ramp_end over a
    grid, its rates fixed); the stock and the total harvest returned."""
    end_time = 10.  # years
    h = 0.1  # years
    num_steps = int(end_time / h)

    # dualgrad: fish = numpy.zeros(num_steps + 1)
    fish = numpy.zeros_like(maximum_growth_rate, shape=num_steps + 1)  # tons
    fish[0] = 2e5

    total_harvest = 0
    is_extinct = False
    for step in range(num_steps):
        time = h * step  # years
        harvest_factor = 0.0
        if time > ramp_end:
            harvest_factor = 1.0
        elif time > ramp_start:
            harvest_factor = (time - ramp_start) / (ramp_end - ramp_start)
        harvest_rate = harvest_factor * maximum_harvest_rate
        if is_extinct:
            current_harvest = 0
            fish_next_step = 0.
        else:
            current_harvest = h * harvest_rate
            fish_next_step = fish[step] + h * (maximum_growth_rate * (
                1. - fish[step] / carrying_capacity) * fish[step] - harvest_rate)
            if fish_next_step <= 0.:
                is_extinct = True
                current_harvest = fish[step]
                fish_next_step = 0.
        fish[step + 1] = fish_next_step
        total_harvest += current_harvest
    return fish, total_harvest


FISH_X0 = np.array([0.5, 2e6, 0.8 * 2.5e5, 1.0, 3.0])   # the source's rates; a ramp


def fishery_row(x):
    """The stock over 10 years (101) and the total harvest by the growth rate, the
    carrying capacity, the full harvest rate and the ramp's start and end (years);
    the stock dies out in year 8.4, its last harvest the stock itself."""
    fish, total = total_harvest(*x)
    return numpy.append(fish, total)


# --- soil hydrology: Green-Ampt infiltration (sahg/PyTOPKAPI, pytopkapi/infiltration.py)
def _green_ampt_cum_eq(F_t1, F_t0, psi, dtheta, K, dt):
    """The Green-Ampt cumulative infiltration equation."""
    tmp = psi*dtheta

    # np.log(x) computes ln(x)
    return F_t1 - F_t0 - tmp*np.log((F_t1 + tmp)/(F_t0 + tmp)) - K*dt


def _green_ampt_infiltration_rate(F, psi, eff_theta, eff_sat, K):
    """The Green-Ampt infiltration rate for the cumulative infiltration F."""
    if F <= 0:
        raise ValueError('F must be greater than zero.')

    dtheta = (1 - eff_sat)*eff_theta

    return K*((psi*dtheta)/F + 1)


def green_ampt_cum_infiltration(rain, psi, eff_theta, eff_sat, K, dt, F_t0=0.0):
    """The cumulative infiltration at the end of an interval of length dt."""
    if rain == 0:
        # shortcut: cum infiltration during interval must be zero
        F_t1 = F_t0
    else:
        # compute potential infiltration rate at the start of the interval
        if F_t0 == 0:
            # infinite rate - just make f_t0 > rainfall rate
            f_t0 = rain + 100.0
        else:
            f_t0 = _green_ampt_infiltration_rate(F_t0, psi, eff_theta, eff_sat, K)

        if f_t0 <= rain:
            # ponding occurs throughout interval
            dtheta = (1 - eff_sat)*eff_theta

            F = K*dt  # initial guess
            # dualgrad: soln, infodict, ierr, mesg = fsolve(..., full_output=True)
            F_t1 = newton(_green_ampt_cum_eq, F, args=(F_t0, psi, dtheta, K, dt))
        else:
            # check whether ponding occurs during interval
            Fprime = F_t0 + rain*dt
            fprime = _green_ampt_infiltration_rate(Fprime, psi, eff_theta, eff_sat, K)

            if fprime > rain:
                # no ponding infiltrate at rain rate
                F_t1 = Fprime
            else:
                # ponding has occurred
                dtheta = (1 - eff_sat)*eff_theta

                tst = np.array([F_t0, dtheta])
                if np.allclose(tst, np.zeros(2)):
                    # the root is trivial in this case
                    F_t1 = K*dt
                else:
                    Fp = (K*psi*dtheta)/(rain - K)

                    dtprime = (Fp - F_t0)/rain

                    F = K*dt  # initial guess
                    dtp = dt - dtprime
                    # dualgrad: fsolve(_green_ampt_cum_eq, F, args=..., full_output=True)
                    F_t1 = newton(_green_ampt_cum_eq, F, args=(Fp, psi, dtheta, K, dtp))

    return F_t1


GA_RAIN = np.array([0.5, 1.0, 3.0, 4.0, 6.0, 3.0, 1.5, 0.0, 0.0, 2.5, 5.0, 1.0])  # cm/h
GA_X0 = np.array([16.7, 0.486, 0.3, 0.65])      # psi, eff_theta, eff_sat, K: its test's


def green_ampt_row(x):
    """The cumulative infiltration (cm) after each half hour of a 6-hour storm by the
    suction head, the effective porosity and saturation and the conductivity: the
    storm meets all four branches (no ponding, ponding within, throughout, no rain)."""
    psi, eff_theta, eff_sat, K = x
    F = 0.0
    out = []
    for rain in GA_RAIN:
        F = green_ampt_cum_infiltration(rain, psi, eff_theta, eff_sat, K, 0.5, F)
        out.append(F)
    return np.array(out)


# --- boundary-layer meteorology: Paulson's functions (a2e-mmc/mmctools, similarity.py)
def Paulson_m(z_L):
    """Momentum similarity function for unstable conditions (Paulson 1970); its
    argument is x = (1 - 16 z / L) ** 0.25, as its callers pass it."""
    return np.pi/2 - 2*np.arctan(z_L) + np.log((1+z_L)**2 * (1 + z_L**2) / 8)


def Paulson_h(z_L):
    """Heat similarity function for unstable conditions (Paulson 1970)."""
    return 2 * np.log((1 + z_L**2) / 2)


MO_Z = np.array([2.0, 5.0, 10.0, 20.0, 40.0, 60.0, 80.0, 100.0])   # a mast's heights
MO_X0 = np.array([0.4, -0.2, 0.05, -50.0])     # ustar, thetastar, z0, L (unstable)


def monin_obukhov_row(x):
    """The log profiles of the module's docstring, U(z) and theta(z) - theta(0), at
    eight heights by the friction velocity and temperature scale, the roughness
    length and the Obukhov length."""
    ustar, thetastar, z0, L = x
    kappa = 0.4
    xz = (1 - 16 * MO_Z / L) ** 0.25
    x0 = (1 - 16 * z0 / L) ** 0.25
    U = ustar / kappa * (np.log(MO_Z / z0) - Paulson_m(xz) + Paulson_m(x0))
    theta = thetastar / kappa * (np.log(MO_Z / z0) - Paulson_h(xz) + Paulson_h(x0))
    return np.concatenate([U, theta])


# --- astrophysics: Planck's law (abelles520/thick_rt, thick_rt/planck.py, constants.py)
SPEEDOFLIGHT = 2.99792458e10           # cm/s
PLANCK_ERG = 6.6260755e-27             # erg s
BOLTZMANN_ERG = 1.380658e-16           # erg/K


def planck_wave(wave, T):
    """Planck law in terms of wavelength (angstroms), erg/s/cm^2/A."""
    return (1e8)**4*(2*PLANCK_ERG*SPEEDOFLIGHT**2/wave**5)/(np.exp(
        (1e8*PLANCK_ERG*SPEEDOFLIGHT)/(wave*BOLTZMANN_ERG*T))-1)


def planck_wavenum(wavenum, T):
    """Planck law in terms of wavenumber (1/um), ergs/s/cm^2/Hz."""
    wave = 1/wavenum*1e4    # convert to wavelength in angstroms

    tmp = planck_wave(wave, T)

    # convert to frequency units so multiply by wave^2/c
    return tmp*wave**2/(1e8*SPEEDOFLIGHT)


PLANCK_WN = np.linspace(0.2, 3.0, 60)          # 1/um: 3.3 um to 5000 A
PLANCK_X0 = np.array([3500.0, 4500.0, 5800.0, 7500.0, 9000.0, 12000.0, 20000.0, 30000.0])


def planck_row(x):
    """Eight stars' spectra at 60 wavenumbers (480) by their temperatures (K)."""
    return planck_wavenum(PLANCK_WN[None, :], x[:, None]).ravel()


PROBLEMS73 = {
    "JONSWAP spectrum, y ** exp(array) (2)": (jonswap_row, JONSWAP_X0.copy()),
    "Merton jump diffusion, 100 BS terms (4)": (merton_row, MERTON_X0.copy()),
    "glucose-insulin, odeint's LSODA (4)": (glucose_row, GI_X0.copy()),
    "fishery harvest ramp, numpy.zeros loop (5)": (fishery_row, FISH_X0.copy()),
    "Green-Ampt storm, fsolve per interval (4)": (green_ampt_row, GA_X0.copy()),
    "Monin-Obukhov profiles, Paulson (4)": (monin_obukhov_row, MO_X0.copy()),
    "Planck spectra of 8 stars, broadcast (8)": (planck_row, PLANCK_X0.copy()),
}
