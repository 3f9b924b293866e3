"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 71).

Chosen for kinds corpus57 to corpus70 do not hold: a GARCH(1,1) log-likelihood
(financial econometrics: two ``np.zeros`` buffers filled element by element in Python
loops, the variance recursion reading its own previous entry); geodetic coordinates to
Earth-centred Cartesian ones (geodesy: ``from math import cos, radians, sin, sqrt`` and
scalar arithmetic, a tuple returned); a solid-oxide fuel cell's Butler-Volmer currents
(electrochemistry: ``from math import exp``, a state vector read through an index object,
a parameter object's attributes, ``np.array`` of two scalars); ISO 9613-1 / Bass
atmospheric sound absorption (acoustics: ``10 ** (...)`` of the temperature,
``np.log10``, fractional powers, four results in a list); a Nelson-Siegel-Svensson
yield-curve fit's objective (finance: the sum of squared residuals an optimizer takes);
a Sellmeier dispersion formula (optics: a class whose method uses ``pow`` and
``import math as m``); a quaternion's rotation matrix applied to a point cloud (laser
scanning: ``np.array`` of nested lists of scalar duals, a guard ``if Nq < eps``).

Each function is written anew here from its source's formulas, in the source's style
(its imports, buffers, loops, names and control flow), not copied; a row of
:data:`PROBLEMS71` wraps it into ``f(x0) -> 1-D array`` as a user hands it to
``approx_fprime``.  The changes a user makes are those dualgrad's refusals name, each
marked ``dualgrad`` where it is made: the GARCH buffers ``np.zeros(len(data))`` become
``np.zeros_like(parameters, shape=len(data))``; ``from math import ...`` becomes ``from
numpy import ...`` (geodesy, fuel cell) and ``m.sqrt`` becomes ``np.sqrt`` (Sellmeier).
The quaternion code's ``np.finfo(np.float)`` is NumPy 2's own refusal (``np.float`` is
gone), mended to ``float`` as NumPy's message says; the fuel cell's ``np.array`` of two
scalar duals is left as written (dualgrad takes it).

=====================  =================================================  ==========
function               repository / path                                  commit
=====================  =================================================  ==========
garch_loglik           Andrea21R/Econometrics-Course                      cdd03544
                       maxlik/likelihood/likelihood.py
geodetic_to_geocentric Geospatial-Asset-Management/project                3b583c54
                       geo/coordConvert.py
Butler_Volmer          gfloerchinger/Projects                             27ae6396
                       Floerchinger/SOFC_charge_transport.py
air_absorption         DavidDiazGuerra/gpuRIR  scripts/air_absorption.py  20357497
NelsonSiegelSvansson,  open-source-modelling/insurance_python             39521abe
NSSGoodFit             NelsonSiegelSvansson/nelsonsiegelsvensson.py
sellmeier.getN         johnrego/pyspr  sellmeier.py                       526cb149
rotmat_from_quat       TingdeLiu/Laserscanning-Modelling-and-             7541416f
                       Interpretation  Lab_02/tools.py
=====================  =================================================  ==========

Full commits: cdd03544a69d0619c6aaa6f6def4967ef27b5f82,
3b583c545cca82cb9dffcc7ac37c175c22f33e46, 27ae6396a2d39470f3083cee66015e0ea071c0e1,
203574972cfa1b8a78e0b1f3fc8171808599e51b, 39521abe06dcc17e02ee57bfdc3b525ca72adf83,
526cb149b9b3fe99e51779ecf59fe8b56e39b47a, 7541416ff378d93735293b723622d4be724ef60b.
"""

import types

import numpy as np
from numpy import cos, exp, radians, sin, sqrt  # dualgrad: from math import ... (two rows)


# --- financial econometrics: GARCH(1,1) log-likelihood (Andrea21R/Econometrics-Course)
def garch_loglik(parameters, data):
    mu = parameters[0]
    omega = parameters[1]
    alpha = parameters[2]
    beta = parameters[3]

    sig2 = np.zeros_like(parameters, shape=len(data))  # dualgrad: np.zeros(len(data))
    sig2[0] = (data[0] - mu) ** 2
    epsilon = data - mu

    for i in range(1, len(data)):
        sig2[i] = omega + alpha * epsilon[i - 1] ** 2 + beta * sig2[i - 1]
    lik = np.zeros_like(parameters, shape=len(data))   # dualgrad: np.zeros(len(data))

    lik[0] = -0.5 * np.log(2 * np.pi) - 0.5 * epsilon[0] ** 2 / sig2[0]

    for i in range(1, len(data)):
        lik[i] = -0.5 * np.log(2 * np.pi) - 0.5 * (np.log(sig2[i]) + epsilon[i] ** 2 / sig2[i])

    return lik


def _garch_returns(n=120, seed=71):
    """A GARCH(1,1) path (percent returns) from fixed parameters and a fixed seed."""
    rng = np.random.default_rng(seed)
    mu, omega, alpha, beta = 0.05, 0.08, 0.12, 0.83
    r = np.empty(n)
    s2 = omega / (1 - alpha - beta)
    e = 0.0
    for t in range(n):
        s2 = omega + alpha * e ** 2 + beta * s2 if t else s2
        e = np.sqrt(s2) * rng.standard_normal()
        r[t] = mu + e
    return r


GARCH_DATA = _garch_returns()
GARCH_P0 = np.array([0.04, 0.1, 0.1, 0.8])


def garch_row(p):
    """The 120 observations' log-likelihood terms by (mu, omega, alpha, beta)."""
    return garch_loglik(p, GARCH_DATA)


# --- geodesy: geodetic to geocentric coordinates (Geospatial-Asset-Management/project)
# Ellipsoids: semi-major axis (m), reciprocal flattening
GRS80 = 6378137, 298.257222100882711
WGS84 = 6378137, 298.257223563


def geodetic_to_geocentric(ellipsoid, latitude, longitude, height):
    φ = radians(latitude)
    λ = radians(longitude)
    sin_φ = sin(φ)
    a, rf = ellipsoid
    e2 = 1 - (1 - 1 / rf) ** 2           # first eccentricity squared
    n = a / sqrt(1 - e2 * sin_φ ** 2)    # prime vertical radius of curvature
    r = (n + height) * cos(φ)            # distance from the polar axis
    x = r * cos(λ)
    y = r * sin(λ)
    z = (n * (1 - e2) + height) * sin_φ
    return x, y, z


GEO_X0 = np.array([52.52, 13.40, 34.0, -33.87, 151.21, 58.0, 64.15, -21.94, 12.0])


def geo_row(x):
    """Three stations' (latitude, longitude, height) to their 9 ECEF coordinates, one
    call per station as a user loops over a table of them."""
    out = []
    for k in range(0, len(x), 3):
        out.extend(geodetic_to_geocentric(WGS84, x[k], x[k + 1], x[k + 2]))
    return np.array(out)


# --- electrochemistry: an SOFC's Butler-Volmer currents (gfloerchinger/Projects)
R = 8.3145     # J/(mol K)
F = 96485      # C/mol


def Butler_Volmer(SV, param, ptr):
    # anode
    C_k_an_CL = SV[ptr.C_k_an_CL]
    P_H2 = C_k_an_CL[0] * R * param.T / 100000      # hydrogen's partial pressure (bar)
    eta_an = SV[ptr.phi_dl_an] - param.delta_phi_an_eq
    i_o_an = P_H2 ** 0.5 * param.K_a * (R * param.T) / (param.n * F) \
        * exp(-param.E_a_an / (R * param.T))
    i_far_an = i_o_an * (exp(param.alpha_an_a * param.n * F * eta_an / (R * param.T))
                         - exp(-param.alpha_an_c * param.n * F * eta_an / (R * param.T)))
    # cathode
    eta_ca = SV[ptr.phi_dl_ca] - param.delta_phi_ca_eq
    i_o_ca = param.K_c * (R * param.T) / (param.n * F) * exp(-param.E_a_ca / (R * param.T))
    i_far_ca = i_o_ca * (exp(param.alpha_ca_a * param.n * F * eta_ca / (R * param.T))
                         - exp(-param.alpha_ca_c * param.n * F * eta_ca / (R * param.T)))

    i_far = np.array([i_far_an, i_far_ca])
    return i_far


SOFC_PTR = types.SimpleNamespace(C_k_an_sub=slice(0, 2), C_k_an_CL=slice(2, 4),
                                 phi_dl_an=4, phi_dl_ca=5)
SOFC_PARAM = types.SimpleNamespace(
    T=1073.0, n=2, delta_phi_an_eq=-0.61, delta_phi_ca_eq=0.42, K_a=2.0e12, K_c=5.0e11,
    E_a_an=1.2e5, E_a_ca=1.3e5, alpha_an_a=0.5, alpha_an_c=0.5, alpha_ca_a=0.5,
    alpha_ca_c=0.5)
SOFC_SV0 = np.array([12.0, 2.0, 9.5, 1.6, -0.58, 0.45])


def sofc_row(sv):
    """The anode's and cathode's Faradaic currents by the state vector (6)."""
    return Butler_Volmer(sv, SOFC_PARAM, SOFC_PTR)


# --- acoustics: ISO 9613-1 / Bass atmospheric absorption (DavidDiazGuerra/gpuRIR)
def air_absorption(f=100, T=25, hr=50, ps=1):
    T = 273.15 + T            # Celsius to Kelvin
    T01 = 273.16              # triple point (K)
    T0 = 293.15               # reference temperature (K)
    ps0 = 1                   # reference pressure ratio

    # saturation pressure ratio: Bass's formula and ISO's
    psat_ps0 = 10 ** (10.79586 * (1 - T01 / T) - 5.02808 * np.log10(T / T01)
                      + 1.50474 * 10 ** (-4) * (1 - 10 ** (-8.29692 * (T / T01 - 1)))
                      - 4.2873 * 10 ** (-4) * (1 - 10 ** (-4.76955 * (T01 / T - 1)))
                      - 2.2195983)
    psat_ps0_iso = 10 ** (-6.8346 * (T01 / T) ** 1.261 + 4.6151)

    ps_ps0 = ps / ps0
    h = hr * psat_ps0 / ps_ps0              # molar concentration of water vapour (%)
    h_iso = hr * psat_ps0_iso / ps_ps0

    c0 = 331
    c = (1 + 0.16 * h / 100) * c0 * np.sqrt(T / T01)
    c_iso = (1 + 0.16 * h_iso / 100) * c0 * np.sqrt(T / T01)

    # Bass
    Fq = f / ps
    Fr0 = 1 / ps0 * (24 + 4.04 * 10 ** 4 * h * (0.02 + h) / (0.391 + h))
    FrN = 1 / ps0 * (T0 / T) ** (1 / 2) * (9 + 280 * h * np.exp(-4.17 * ((T0 / T) ** (1 / 3) - 1)))
    alpha = 20 * np.log10(np.exp(1)) * ps * Fq ** 2 * (
        1.84 * 10 ** (-11) * (T / T0) ** 0.5 * ps0 + (T / T0) ** (-5 / 2)
        * (0.01275 * np.exp(-2239.1 / T) / (Fr0 + Fq ** 2 / Fr0)
           + 0.1068 * np.exp(-3352 / T) / (FrN + Fq ** 2 / FrN)))

    # ISO
    taur = T / T0
    pr = ps / ps0
    fr0 = pr * (24 + 40400 * h_iso * (0.02 + h_iso) / (0.391 + h_iso))
    frN = pr * taur ** (-1 / 2) * (9 + 280 * h_iso * np.exp(-4.17 * (taur ** (-1 / 3) - 1)))
    b1 = 0.1068 * np.exp(-3352 / T) / (frN + f ** 2 / frN)
    b2 = 0.01275 * np.exp(-2239.1 / T) / (fr0 + f ** 2 / fr0)
    alpha_iso = 8.686 * f ** 2 * taur ** (1 / 2) * (1.84 * 10 ** (-11) / pr + taur ** (-3) * (b1 + b2))

    return [alpha, alpha_iso, c, c_iso]


AIR_BANDS = np.array([63.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0])
AIR_X0 = np.array([18.0, 62.0, 0.98])


def air_row(x):
    """Both formulas' absorption in the 8 octave bands and both sound speeds (18 values)
    by the temperature (Celsius), relative humidity (%) and pressure ratio."""
    alpha, alpha_iso, c, c_iso = air_absorption(AIR_BANDS, x[0], x[1], x[2])
    return np.concatenate([alpha, alpha_iso, np.atleast_1d(c), np.atleast_1d(c_iso)])


# --- finance: a Nelson-Siegel-Svensson fit (open-source-modelling/insurance_python)
def NelsonSiegelSvansson(T, beta0, beta1, beta2, beta3, lambda0, lambda1):
    alpha1 = (1 - np.exp(-T / lambda0)) / (T / lambda0)
    alpha2 = alpha1 - np.exp(-T / lambda0)
    alpha3 = (1 - np.exp(-T / lambda1)) / (T / lambda1) - np.exp(-T / lambda1)
    return beta0 + beta1 * alpha1 + beta2 * alpha2 + beta3 * alpha3


def NSSGoodFit(params, TimeVec, YieldVec):
    return np.sum((NelsonSiegelSvansson(TimeVec, params[0], params[1], params[2], params[3],
                                        params[4], params[5]) - YieldVec) ** 2)


NSS_T = np.array([1, 2, 5, 10, 25])                        # the README's market data
NSS_Y = np.array([0.0039, 0.0061, 0.0166, 0.0258, 0.0332])
NSS_P0 = np.array([0.03, -0.03, 0.02, 0.01, 2.0, 8.0])


def nss_row(p):
    """The fit's objective (a 1-element array; an optimizer takes its gradient)."""
    return np.atleast_1d(NSSGoodFit(p, NSS_T, NSS_Y))


# --- optics: Sellmeier's dispersion formula for BK7 (johnrego/pyspr)
class sellmeier:
    def getN(self, luz):
        # wavelength in micrometres; BK7's coefficients
        a1 = 1.03961212
        a2 = 0.231792344
        a3 = 1.01046945
        b1 = 6.00069867 * pow(10, -3)
        b2 = 2.00179144 * pow(10, -2)
        b3 = 1.03560653 * pow(10, 2)
        p1 = a1 * (pow(luz, 2) / (pow(luz, 2) - b1))
        p2 = a2 * (pow(luz, 2) / (pow(luz, 2) - b2))
        p3 = a3 * (pow(luz, 2) / (pow(luz, 2) - b3))
        return np.sqrt(1 + p1 + p2 + p3)   # dualgrad: m.sqrt (import math as m)


SELL_X0 = np.linspace(0.45, 1.55, 8)


def sell_row(lam):
    """BK7's index at 8 wavelengths, one getN call each (a list, as the source plots it)."""
    s = sellmeier()
    return np.array([s.getN(luz) for luz in lam])


# --- laser scanning: a quaternion's rotation of a point cloud (TingdeLiu/Laserscanning-...)
def rotmat_from_quat(q):
    w, x, y, z = q
    Nq = w * w + x * x + y * y + z * z
    if Nq < np.finfo(float).eps:          # NumPy 2: np.finfo(np.float) is gone
        return np.eye(3)
    s = 2.0 / Nq
    X = x * s
    Y = y * s
    Z = z * s
    wX = w * X; wY = w * Y; wZ = w * Z    # noqa: E702
    xX = x * X; xY = x * Y; xZ = x * Z    # noqa: E702
    yY = y * Y; yZ = y * Z; zZ = z * Z    # noqa: E702
    return np.array(
        [[1.0 - (yY + zZ), xY - wZ, xZ + wY],
         [xY + wZ, 1.0 - (xX + zZ), yZ - wX],
         [xZ - wY, yZ + wX, 1.0 - (xX + yY)]])


QUAT_CLOUD = np.random.default_rng(712).uniform(-5.0, 5.0, (3, 40))
QUAT_Q0 = np.array([0.9, 0.12, -0.25, 0.33])


def quat_row(q):
    """The 40 points rotated by R(q) (120 coordinates), R @ P as a registration
    step's residual starts."""
    return (rotmat_from_quat(q) @ QUAT_CLOUD).ravel()


PROBLEMS71 = {
    "GARCH(1,1) loglik, loop stores (4)": (garch_row, GARCH_P0.copy()),
    "geodetic to ECEF, scalar numpy (9)": (geo_row, GEO_X0.copy()),
    "SOFC Butler-Volmer, np.array of 2 (6)": (sofc_row, SOFC_SV0.copy()),
    "air absorption ISO 9613, log10 + powers (3)": (air_row, AIR_X0.copy()),
    "Nelson-Siegel-Svensson fit objective (6)": (nss_row, NSS_P0.copy()),
    "Sellmeier BK7, class + pow (8)": (sell_row, SELL_X0.copy()),
    "quaternion rotation, object np.array (4)": (quat_row, QUAT_Q0.copy()),
}
