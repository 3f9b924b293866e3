"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 62).

Written anew from the cited sources in their own style (a Theis well function whose
``t`` argument the body overwrites, ``scipy.special.expi`` / ``lambertw`` / ``wofz``,
a peak model taking ``*params`` five at a time into ``result = 0``, ``np.zeros`` filled
element by element in a Bateman coefficient loop, ``scipy.integrate.quad`` of a Hubble
function, a finite-volume loop writing rows of ``numpy.zeros((nt, len(rho)))``,
classmethods of an equivalent-circuit battery model stepped in a Python loop, EOS-80's
``map(np.asanyarray, (s, t, p))``, ``math.exp`` in an item response function, masked
arrays split at freezing), in domains corpus57 to corpus61 do not hold: hydrogeology,
photovoltaics, X-ray diffraction, radioactive decay, cosmology, traffic flow, battery
modelling, physical oceanography, psychometrics, atmospheric humidity.  The changes a
user makes are what dualgrad's refusals name (each is a test in
tests/test_newuser62.py): ``lambertw`` of a dual becomes the refusal's two Newton steps
from ``lambertw(dg.stop_gradient(z))``; ``scipy.integrate.quad`` becomes ``dg.quad``;
the ``np.zeros`` buffers become ``np.zeros_like`` of the dual they are filled from;
``math.exp`` becomes ``np.exp``; the masked arrays become ``np.where``.  The Theis
drawdown, the Voigt peaks, the battery and the seawater routines run unchanged.  A row
of :data:`PROBLEMS62` wraps a function into ``f(x0) -> 1-D array``, as a user hands it
to ``approx_fprime``.

=====================  =================================================  ==========
function               repository / path                                  commit
=====================  =================================================  ==========
well_function          ValeriaTodaro/genES-MDA  Supplementary_examples/   0f3bc18c
                       Test1_WellFunction/Model/Forward_model.py
PV_cell                Iouridup/Energie-solaire  Onduleurs.py             d86415bf
voigtFn                tangkong/monHiTp  peakShapes.py                    6041b4c4
bateman_c, bateman     GiovanniVolta/RadDetect                            cfdc5f8f
                       legacy/bateman_equation/bateman.py
H, dL                  jpmvferreira/gwcatalog  gwcatalog/cosmology.py     2a3ed55a
rho_red_light,         numerical-mooc/numerical-mooc                      370a2bf2
computeF, godunov      lessons/03_wave/traffic.py, 03_04_MUSCL.ipynb
Thevenin1RC            m0in92/ECM  ECM/model/ecm.py                       28a961a4
ptmp, adtg, svel       pyoceans/python-seawater  seawater/eos80.py        1b2bd7c6
irt                    tswsxk/EduSim  EduSim/utils/irt.py                 607ef948
esat                   mcuntz/jams_python  esat.py                        0ee13efa
=====================  =================================================  ==========
"""

import math

import numpy as np
from scipy.special import expi, lambertw, wofz

import dualgrad as dg


# --- hydrogeology: the Theis drawdown of a pumping test
def well_function(T, S, t):
    """The source's forward model: ``t`` is overwritten by its own time grid."""
    Q = 5e-4  # Pumping rate in (m3/s)
    r = 15    # Distance from well (m)
    t = np.arange(1, 2*60+1, 1)*60  # Time (s)

    u = (r**2 * S) / (4 * T * t)

    # Theis well function W(u) using the exponential integral
    W_u = -expi(-u)

    s = (Q / (4 * np.pi * T)) * W_u

    return s


def theis_row(q):
    """The 120 drawdowns of two hours of pumping for ``q = (T, S)``, the quantities an
    ensemble smoother (the source's ES-MDA) calibrates."""
    return well_function(q[0], q[1], None)


# --- photovoltaics: the power curve of a single-diode cell
def PV_cell(V, Gabs, Tamb, NOCT, Rs, Rsh, Id0, T0, Iphi0, G0, n, Eg):
    """The source's cell; its ``lambertw(z)`` of a dual z refused, written as the
    refusal spells it: SciPy's branch 0 on plain numbers, two Newton steps on duals."""
    q = 1.602e-19
    k = 1.38e-23
    Tcell = 273.15 + Tamb + Gabs*(NOCT - 20.)/800.
    Vt = k*Tcell/q
    Id = Id0*(T0/Tcell)**3 * np.exp(q*Eg/n/k*(1./T0 - 1./Tcell))
    Iphi = Iphi0*Gabs/G0
    z = Id*Rs/(n*Vt*(1.+Rs/Rsh))*np.exp(V/n/Vt*(1.-Rs/(Rs+Rsh))+(Iphi+Id)*Rs/(n*Vt*(1.+Rs/Rsh)))
    temp = lambertw(dg.stop_gradient(z), 0).real          # the source: lambertw(z)
    temp = temp - (temp * np.exp(temp) - z) / (np.exp(temp) * (temp + 1))
    temp = temp - (temp * np.exp(temp) - z) / (np.exp(temp) * (temp + 1))
    I = (Iphi + Id - V/Rsh)/(1.+Rs/Rsh) - n*Vt/Rs*temp.real
    return -I*V


PV_V = np.linspace(0.0, 0.62, 32)


def pv_row(q):
    """-P(V) on 32 voltages for ``q = (Rs, Rsh, Iphi0, n)`` (the source's 1 ohm, 1000
    ohm, 35 mA, n = 1; 1000 W/m2 at 25 C ambient, NOCT 48)."""
    return PV_cell(PV_V, 1000., 25., 48., q[0], q[1], 10e-13, 298.15, q[2], 1000., q[3],
                   1.12)


# --- X-ray diffraction: a pattern of pseudo-peaks fitted by Voigt shapes
def voigtFn(x, *params):
    """
    Return Voigt line shape centered at x0 with intensity I
    params = [x0, y0, I, alpha, gamma] * numCurves (the source's loop as written)
    """
    result = 0
    # grab one set of parameters for each curve
    for i in range(0, len(params), 5):
        x0 = params[i]
        y0 = params[i+1]
        I = params[i+2]
        alpha = params[i+3]
        gamma = params[i+4]

        sigma = alpha / np.sqrt(2 * np.log(2))

        result = result + (I * np.real(wofz(((x-x0) + 1j*gamma)/sigma/np.sqrt(2)))
                           / sigma / np.sqrt(2*np.pi) + y0)

    return result


XRD_Q = np.linspace(1.8, 3.4, 64)               # scattering vector, 1/angstrom
XRD_P0 = np.array([2.10, 0.01, 1.0, 0.030, 0.020,
                   2.45, 0.00, 0.6, 0.040, 0.015,
                   3.00, 0.02, 0.3, 0.025, 0.030])


def xrd_row(p):
    """The pattern for three peaks' (x0, y0, I, alpha, gamma): curve_fit's model with the
    parameters unpacked into ``*params``."""
    return voigtFn(XRD_Q, *p)


# --- radioactive decay: activities down the radon chain
def bateman_c(n, la):
    """The source's coefficients; its ``c=np.zeros((n))``, refused for the dual decay
    constants it is filled from, is the refusal's ``np.zeros_like(la, shape=n)``."""
    enum = 1
    c = np.zeros_like(la, shape=n)

    for j in range(n):
        enum = enum*la[j]

    for m in range(n):
        denom = 1
        for i in range(n):
            if i != m:
                denom = denom*(la[i]-la[m])
            else:
                pass
        c[m] = (enum/denom)
    return c


def bateman(t, n, N0, c, la):
    bateman_sum = np.sum(c*np.exp(-la[:n]*np.transpose(t)))
    activity = N0 * bateman_sum
    return activity


RN_HALF = np.array([3.8235*24*3600, 3.1*60, 26.8*60, 19.9*60])   # Rn-222 .. Bi-214, s
RN_T = np.array([60.0, 600.0, 1800.0, 3600.0, 7200.0])


def bateman_row(la):
    """The activities of the first four members at five times (the source's N0 = 1 /
    lambda_1 of radon, a per-becquerel start) against the decay constants ``la``."""
    rows = []
    for i in range(4):
        coefficients = bateman_c(i+1, la)
        for t in RN_T:
            rows.append(bateman(t, i+1, 1*RN_HALF[0]/math.log(2), coefficients, la))
    return np.stack(rows)


# --- cosmology: luminosity distances of gravitational-wave sources
def H(z, h=0.7, Om=0.284):
    """The source's Hubble function, its h and Omega_m made arguments (option 1)."""
    H0 = 299792458*h/(2.9979*3.085678*10**25)
    return H0*(Om*(1+z)**3 + 1-Om)**0.5


def dL(z, H):
    """The source's distance; its ``scipy.integrate.quad``, refused for a dual limit and
    integrand, is ``dg.quad`` (SciPy's signature)."""
    c = 9.715611890800001e-18  # speed of light [Gpc/s]
    return (1+z) * c * dg.quad(lambda Z: 1/H(Z), 0, z)[0]


GW_Z = (0.1, 0.5, 1.0, 2.0)


def cosmology_row(q):
    """d_L in Gpc at four redshifts for ``q = (h, Omega_m, z scale)``: the sources'
    redshifts ``s z`` and the cosmology a catalogue forecasts constrain."""
    return np.stack([dL(q[2] * z, lambda Z: H(Z, q[0], q[1])) for z in GW_Z])


# --- traffic flow: the red-light problem by Godunov's scheme
def rho_red_light(nx, rho_max, rho_in):
    rho = rho_max*np.ones(nx)
    rho[:int(nx*3/4)] = rho_in
    return rho


def computeF(V_max, rho_max, rho):
    return V_max*rho*(1-rho/rho_max)


def godunov(rho, nt, dt, dx, rho_max, V_max):
    """The lesson's scheme with Lax-Friedrichs fluxes; its ``numpy.zeros((nt,
    len(rho)))``, refused for the dual densities copied in, is the refusal's
    ``np.zeros_like(rho, shape=(nt, len(rho)))``."""
    rho_n = np.zeros_like(rho, shape=(nt, len(rho)))
    rho_n[:, :] = rho.copy()

    rho_plus = np.zeros_like(rho)
    rho_minus = np.zeros_like(rho)
    flux = np.zeros_like(rho)

    for t in range(1, nt):
        rho_plus[:-1] = rho[1:]  # Can't do i+1/2 indices, so cell boundary
        rho_minus = rho.copy()   # arrays at index i are at location i+1/2
        flux = 0.5 * (computeF(V_max, rho_max, rho_minus) +
                      computeF(V_max, rho_max, rho_plus) +
                      dx / dt * (rho_minus - rho_plus))
        rho_n[t, 1:-1] = rho[1:-1] + dt/dx*(flux[:-2]-flux[1:-1])
        rho_n[t, 0] = rho[0]
        rho_n[t, -1] = rho[-1]
        rho = rho_n[t].copy()

    return rho_n


def traffic_row(q):
    """The density after 30 steps (100 cells, CFL 1 at the lesson's speed 1) for ``q =
    (rho_in, rho_max, V_max)``."""
    nx, nt = 101, 30
    dx = 4.0/(nx-1)
    dt = 1.0*dx/1.0
    rho = rho_red_light(nx-1, q[1], q[0])
    return godunov(rho, nt, dt, dx, q[1], q[2])[-1]


# --- battery modelling: a first-order Thevenin cell through a pulse test
class PhysicsConstants:
    R = 8.314


class Thevenin1RC:
    """The source's model object (its docstring cut): parameters as attributes, R0 and
    R1 Arrhenius properties of the cell temperature."""

    def __init__(self, R0, R1, C1, OCV_func, eta_func, capacity, SOC_0, E_R0=None,
                 E_R1=None, T_amb=298.15):
        self.R0_ref = R0
        self.R1_ref = R1
        self.C1 = C1
        # Ensure OCV_func and eta_func are function objects.
        if callable(OCV_func):
            self.OCV_func = OCV_func
        else:
            raise TypeError("OCV must be a function object.")
        if callable(eta_func):
            self.eta_func = eta_func
        else:
            raise TypeError("eta must be a function object.")
        self.capacity = capacity
        self.SOC = SOC_0  # Initial condition for the SOC
        self.E_R0 = E_R0
        self.E_R1 = E_R1
        self.i_R1 = 0.0  # Initial condition for i_R1
        self.T_ref = T_amb  # Reference temperature
        self.T = T_amb  # Initial condition for the temperature

    @property
    def R0(self):
        if self.E_R0 is not None:
            return self.R0_ref * np.exp(self.E_R0 / PhysicsConstants.R * (1/self.T_ref - 1/self.T))
        else:
            return self.R0_ref

    @property
    def R1(self):
        if self.E_R1 is not None:
            return self.R1_ref * np.exp(self.E_R1 / PhysicsConstants.R * (1/self.T_ref - 1/self.T))
        else:
            return self.R1_ref

    @staticmethod
    def delta_t(t_next, t_current):
        return t_next - t_current

    def SOC_next(self, i_app, t_next, t_current):
        delta_t = self.delta_t(t_next, t_current)
        return self.SOC - delta_t * self.eta_func(i_app) * i_app / (3600 * self.capacity)

    def i_R1_next(self, i_app, t_next, t_current):
        delta_t = self.delta_t(t_next, t_current)
        return np.exp(-delta_t/(self.R1*self.C1)) * self.i_R1 + \
            (1-np.exp(-delta_t/(self.R1*self.C1))) * i_app

    def v(self, i_app):
        return self.OCV_func(self.SOC) - self.R1 * self.i_R1 - self.R0 * i_app


def ocv_lfp(soc):
    """An LFP-like open-circuit voltage (the row's, not the source's lookup table)."""
    return 3.2 + 0.12 * soc + 0.05 * np.tanh(12.0 * (soc - 0.9)) - 0.08 * np.exp(-30.0 * soc)


BAT_T = np.arange(0.0, 600.0, 5.0)                 # s
BAT_I = np.where((BAT_T % 200.0) < 100.0, 2.3, 0.0)   # 1C pulses, rests between


def battery_row(q):
    """The terminal voltage of a pulse test for ``q = (R0, R1, C1, capacity)`` at 35 C
    (Arrhenius factors E_R0, E_R1 as a characterisation gives them)."""
    cell = Thevenin1RC(q[0], q[1], q[2], ocv_lfp, lambda i: 1.0 if i > 0 else 0.98, q[3],
                       0.8, E_R0=-2.0e4, E_R1=-3.0e4)
    cell.T = 308.15
    v = []
    for k in range(len(BAT_T) - 1):
        v.append(cell.v(BAT_I[k]))
        cell.SOC, cell.i_R1 = (cell.SOC_next(BAT_I[k], BAT_T[k + 1], BAT_T[k]),
                               cell.i_R1_next(BAT_I[k], BAT_T[k + 1], BAT_T[k]))
    return np.stack(v)


# --- physical oceanography: EOS-80 potential temperature and sound speed
def T68conv(T90):
    T90 = np.asanyarray(T90)
    return T90 * 1.00024


def T90conv(t, t_type='T68'):
    t = np.asanyarray(t)
    if t_type == 'T68':
        return t / 1.00024
    return t


def adtg(s, t, p):
    s, t, p = map(np.asanyarray, (s, t, p))

    T68 = T68conv(t)

    a = [3.5803e-5, 8.5258e-6, -6.836e-8, 6.6228e-10]
    b = [1.8932e-6, -4.2393e-8]
    c = [1.8741e-8, -6.7795e-10, 8.733e-12, -5.4481e-14]
    d = [-1.1351e-10, 2.7759e-12]
    e = [-4.6206e-13, 1.8676e-14, -2.1687e-16]
    return (a[0] + (a[1] + (a[2] + a[3] * T68) * T68) * T68 +
            (b[0] + b[1] * T68) * (s - 35) +
            ((c[0] + (c[1] + (c[2] + c[3] * T68) * T68) * T68) +
             (d[0] + d[1] * T68) * (s - 35)) * p +
            (e[0] + (e[1] + e[2] * T68) * T68) * p * p)


def ptmp(s, t, p, pr=0):
    """UNESCO 1983 potential temperature: four Runge-Kutta stages of adtg."""
    s, t, p, pr = map(np.asanyarray, (s, t, p, pr))

    # Theta1.
    del_P = pr - p
    del_th = del_P * adtg(s, t, p)
    th = T68conv(t) + 0.5 * del_th
    q = del_th

    # Theta2.
    del_th = del_P * adtg(s, T90conv(th), p + 0.5 * del_P)
    th = th + (1 - 1 / 2 ** 0.5) * (del_th - q)
    q = (2 - 2 ** 0.5) * del_th + (-2 + 3 / 2 ** 0.5) * q

    # Theta3.
    del_th = del_P * adtg(s, T90conv(th), p + 0.5 * del_P)
    th = th + (1 + 1 / 2 ** 0.5) * (del_th - q)
    q = (2 + 2 ** 0.5) * del_th + (-2 - 3 / 2 ** 0.5) * q

    # Theta4.
    del_th = del_P * adtg(s, T90conv(th), p + del_P)
    return T90conv(th + (del_th - 2 * q) / 6)


def svel(s, t, p):
    """UNESCO 1983 sound velocity (Chen and Millero)."""
    s, t, p = map(np.asanyarray, (s, t, p))

    p = p / 10  # Convert db to bars as used in UNESCO routines.
    T68 = T68conv(t)

    c00, c01, c02, c03, c04, c05 = (1402.388, 5.03711, -5.80852e-2, 3.3420e-4,
                                    -1.47800e-6, 3.1464e-9)
    c10, c11, c12, c13, c14 = (0.153563, 6.8982e-4, -8.1788e-6, 1.3621e-7,
                               -6.1185e-10)
    c20, c21, c22, c23, c24 = (3.1260e-5, -1.7107e-6, 2.5974e-8, -2.5335e-10,
                               1.0405e-12)
    c30, c31, c32 = (-9.7729e-9, 3.8504e-10, -2.3643e-12)

    Cw = (((((c32 * T68 + c31) * T68 + c30) * p +
            ((((c24 * T68 + c23) * T68 + c22) * T68 + c21) * T68 + c20)) * p +
           ((((c14 * T68 + c13) * T68 + c12) * T68 + c11) * T68 + c10)) *
          p + ((((c05 * T68 + c04) * T68 + c03) * T68 + c02) * T68 + c01) *
          T68 + c00)

    a00, a01, a02, a03, a04 = (1.389, -1.262e-2, 7.164e-5, 2.006e-6, -3.21e-8)
    a10, a11, a12, a13, a14 = (9.4742e-5, -1.2580e-5, -6.4885e-8, 1.0507e-8,
                               -2.0122e-10)
    a20, a21, a22, a23 = (-3.9064e-7, 9.1041e-9, -1.6002e-10, 7.988e-12)
    a30, a31, a32 = (1.100e-10, 6.649e-12, -3.389e-13)

    A = (((((a32 * T68 + a31) * T68 + a30) * p +
           (((a23 * T68 + a22) * T68 + a21) * T68 + a20)) * p +
          ((((a14 * T68 + a13) * T68 + a12) * T68 + a11) * T68 + a10)) * p +
         (((a04 * T68 + a03) * T68 + a02) * T68 + a01) * T68 + a00)

    b00, b01, b10, b11 = -1.922e-2, -4.42e-5, 7.3637e-5, 1.7945e-7
    B = b00 + b01 * T68 + (b10 + b11 * T68) * p

    d00, d10 = 1.727e-3, -7.9836e-6
    D = d00 + d10 * p

    return Cw + A * s + B * s * s ** 0.5 + D * s ** 2


CTD_P = np.array([10.0, 250.0, 1000.0, 2500.0, 5000.0])      # dbar


def ocean_row(q):
    """Potential temperature and sound speed of a five-level cast for ``q = (s..., t...)``
    (salinities then in-situ temperatures)."""
    s, t = q[:5], q[5:]
    return np.concatenate([ptmp(s, t, CTD_P), svel(s, t, CTD_P)])


# --- psychometrics: an examinee's 3PL log-likelihood
def irt(ability, difficulty, discrimination=5, c=0.25):
    """The source's item response (its ``math.exp``, refused on a dual ability, is
    ``np.exp``)."""
    return c + (1 - c) / (1 + np.exp(-1.7 * discrimination * (ability - difficulty)))


IRT_B = np.linspace(-2.0, 2.0, 12)                            # item difficulties
IRT_A = np.array([0.8, 1.2, 1.0, 1.5, 0.7, 1.1, 0.9, 1.3, 1.0, 0.6, 1.4, 1.0])
IRT_X = np.array([[1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0],       # five examinees' answers
                  [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0],
                  [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                  [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1],
                  [0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0]])


def irt_row(theta):
    """Each examinee's log-likelihood at their ability ``theta[k]``, item by item in a
    loop as an EduSim user sums it (the guessing 0.2 of five options)."""
    out = []
    for k in range(len(theta)):
        ll = 0.0
        for j in range(len(IRT_B)):
            p = irt(theta[k], IRT_B[j], IRT_A[j], 0.2)
            ll = ll + (np.log(p) if IRT_X[k, j] else np.log(1 - p))
        out.append(ll)
    return np.stack(out)


# --- atmospheric humidity: saturation vapour pressure over water and ice
T0 = 273.15        # the source's const.T0


def esat(T, liquid=False, formula='GoffGratch'):
    """The source's GoffGratch branch (its other formulas' branches, warnings and
    masked input left out); its masked arrays, refused for a dual T, are the
    refusal's ``np.where`` of the two phases."""
    if np.any(T <= 0.):
        raise ValueError('T<0 - T probably given in Celsius instead of Kelvin.')
    Tlim = 1e-3 if liquid else T0
    liq = T >= Tlim                  # the source: T_liq = np.ma.array(T, mask=(T<Tlim))
    T_liq = np.where(liq, T, T0 + 20.)      # (a harmless value where masked)
    T_ice = np.where(liq, T0 - 20., T)
    # Liquid: Goff Gratch, Smithsonian Meteorological Tables, 5th edition, p. 350, 1984
    Ts = 373.16    # steam point temperature in K
    ews = 1013.246  # saturation pressure at steam point temperature, normal atmosphere
    esat_liq = (10.**(-7.90298*(Ts/T_liq-1.) + 5.02808 * np.log10(Ts/T_liq)
                      - 1.3816e-7 * (10.**(11.344*(1.-T_liq/Ts))-1.)
                      + 8.1328e-3 * (10.**(-3.49149*(Ts/T_liq-1))-1.) + np.log10(ews)))
    esat_liq *= 100.
    # Ice: Smithsonian Meteorological Tables, 5th edition, p. 350, 1984
    ei0 = 6.1071   # mbar
    Ts = 273.16    # freezing point in K
    esat_ice = (10.**(-9.09718 * (Ts/T_ice-1.) - 3.56654 * np.log10(Ts/T_ice)
                      + 0.876793 * (1.-T_ice/Ts) + np.log10(ei0)))
    esat_ice *= 100.
    # Merge liq and ice (the source: np.ma.filled(esat_liq, 0.) + np.ma.filled(esat_ice, 0.))
    return np.where(liq, esat_liq, 0.) + np.where(liq, 0., esat_ice)


SOUNDING = np.array([298.2, 291.4, 284.0, 276.9, 271.3, 263.8, 252.1, 240.5])   # K


def humidity_row(T):
    """Saturation vapour pressure (Pa) at a sounding's eight temperatures, four above
    and four below freezing."""
    return esat(T)


PROBLEMS62 = {
    "Theis drawdown, expi (2)": (theis_row, np.array([1e-3, 2e-4])),
    "PV cell power, lambertw Newton (4)": (pv_row, np.array([1.0, 1000.0, 35e-3, 1.0])),
    "Voigt XRD peaks, wofz *params (15)": (xrd_row, XRD_P0.copy()),
    "Bateman radon chain, coefficient loop (4)": (bateman_row, np.log(2) / RN_HALF),
    "luminosity distance, dg.quad (3)": (cosmology_row, np.array([0.7, 0.284, 1.0])),
    "LWR traffic Godunov, zeros_like rows (3)": (traffic_row, np.array([5.0, 10.0, 1.0])),
    "Thevenin battery pulses, object loop (4)": (battery_row,
                                                 np.array([0.012, 0.008, 2500.0, 2.3])),
    "EOS-80 ptmp and svel, asanyarray (10)": (ocean_row,
                                             np.array([35.1, 35.0, 34.6, 34.9, 34.7,
                                                       18.0, 12.0, 4.5, 2.6, 1.5])),
    "3PL IRT log-likelihoods, item loop (5)": (irt_row,
                                               np.array([0.3, 1.0, -1.2, 1.8, -0.4])),
    "Goff-Gratch esat, water and ice (8)": (humidity_row, SOUNDING.copy()),
}
