"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 57).

Each function here is written anew from the cited source (this project keeps other
projects' code out of its files), in the source's own style: its names, its argument
order, its Python scalars, tuples, lists and loops, its ``scipy.stats`` call.  Nothing
is rewritten for dualgrad; the one change a user makes is the import (``dg.solve_ivp``
for ``scipy.integrate.solve_ivp``; ``dualgrad.scipy.stats`` for ``scipy.stats``, whose
``norm.cdf`` converts its input with ``np.asarray`` and is refused by name).  A row of :data:`PROBLEMS57` wraps a function into
``f(x0) -> 1-D array`` for the timing, as a user hands it to ``approx_fprime``.

=====================  ====================================================  ==========
function               repository / path                                     commit
=====================  ====================================================  ==========
dydt_compartment_model matthiaskoenig/course-pharmacokinetic-modelling       1ef69d47
                       src/mb19/spyder/compartment_model.py
angle, rho             sestei/CoatingGUI  fresnel.py                         ca582e2d
spherical_model        Reik0z/spatialize  Sandbox/variogram.py               b8610cda
kepler_f, kepler_fp,   ramonefoster/astronautica  cap6/utils.py              10c8e578
newton_raphson,
calc_elements
call, N                AnikaShenoy/Intrade  using_B_S_model.py               5700da6f
update_one_generation, lijiang-long/TA_modeling  family_based_model.py       818cbcd7
calculate_allele_freq,
allele_to_genotype_freq
deriv                  hany606/NM_Fall21IU                                   e14becb8
                       Assignments/assignment6/python/original.py
laplace, the main()    wigging/gray-scott  python-examples/ex2_roll.py        7a389c02
loop
=====================  ====================================================  ==========

Full commits: 1ef69d47997f4f26b88097e69e8f1b234b2bc503, ca582e2d61845fe6191f128c322188a71f18ad6c,
b8610cda5fe07df12bb567a1467a7c7bd1bac773, 10c8e578d90574232264451f7384f031c993effd,
5700da6f44690b59f46071c1cb48d8723fb1e791, 818cbcd7cda53d99c020f8ad742460518468c563,
e14becb827ba8d2a4a32f60ea125dd30b84468c0, 7a389c020b9d65d1af8c713f70d92b54bf1924e0.
"""

import numpy as np

import dualgrad as dg
from dualgrad.scipy import stats as si   # the source: import scipy.stats as si


# --- pharmacokinetics: a tablet, a parent drug A and its metabolite B, urine (odeint style)
def dydt_compartment_model(x, t, ka, km, ke):
    """The compartment model's right-hand side, odeint's ``(x, t, *args)`` order,
    returned as a Python list."""
    A_tablet = x[0]
    A_central = x[1]
    B_central = x[2]

    va = ka * A_tablet             # absorption
    vm = km * A_central            # metabolism A -> B
    vuA = ke * A_central           # urinary excretion
    vuB = ke * B_central
    return [-va, va - vm - vuA, vm - vuB, vuA, vuB]


PK_TIMES = np.arange(0.5, 10.0, 0.5)


def pk_central_curve(p):
    """Central A over the sampling times for rates ``p = (ka, km, ke)``: the solve a
    PK fit repeats (odeint's call written as solve_ivp's, with odeint's tolerances)."""
    x0 = [10.0, 0.0, 0.0, 0.0, 0.0]
    sol = dg.solve_ivp(lambda t, x, ka, km, ke: dydt_compartment_model(x, t, ka, km, ke),
                       (0.0, 10.0), x0, t_eval=PK_TIMES, args=(p[0], p[1], p[2]),
                       rtol=1e-10, atol=1e-12)
    return sol.y[1]


# --- optics: Snell's law and the Fresnel amplitude reflectivities
def angle(alpha1, n1, n2):
    """The refracted angle for incidence ``alpha1`` from index ``n1`` into ``n2``."""
    return np.arcsin(n1 / n2 * np.sin(alpha1))


def rho(alpha1, n1, alpha2, n2):
    """The pair ``(rho_s, rho_p)`` of amplitude reflectivities."""
    a = n1 * np.cos(alpha1)
    b = n2 * np.cos(alpha2)
    c = n2 * np.cos(alpha1)
    d = n1 * np.cos(alpha2)
    rho_s = (a - b) / (a + b)
    rho_p = (c - d) / (c + d)
    return (rho_s, rho_p)


FRESNEL_ANGLES = np.radians(np.arange(5.0, 80.0, 5.0))


def fresnel_reflectance(q):
    """s and p power reflectances over incidence angles, for indices ``q = (n1, n2)``."""
    n1, n2 = q[0], q[1]
    rs, rp = rho(FRESNEL_ANGLES, n1, angle(FRESNEL_ANGLES, n1, n2), n2)
    return np.concatenate([rs ** 2, rp ** 2])


# --- geostatistics: the spherical variogram (np.piecewise over the lags)
def spherical_model(h, nugget, sill, range_):
    """Spherical variogram: nugget + sill (1.5 h/a - 0.5 (h/a)^3) inside the range,
    nugget + sill beyond."""
    return np.piecewise(h, [h <= range_, h > range_],
                        [lambda h: nugget + sill * (1.5 * h / range_ - 0.5 * (h / range_) ** 3),
                         lambda h: nugget + sill])


VARIO_LAGS = np.linspace(5.0, 300.0, 24)


def nested_variogram(h):
    """The source's nested model (two spherical structures) at lags ``h``."""
    return spherical_model(h, 0, 0.17, 95) + spherical_model(h, 0, 0.14, 220)


# --- orbital mechanics: Kepler's equation by Newton-Raphson, elements from (r, v)
def kepler_f(E, M, e):
    return M - E + e * np.sin(E)


def kepler_fp(E, e):
    return -1 + e * np.cos(E)


def newton_raphson(E0, M, e, tol=1e-15, max_iter=100):
    """Eccentric anomaly E of mean anomaly M: Newton's steps until one moves less
    than ``tol`` (a Python ``abs`` and ``<`` on the iterate)."""
    E = E0
    for i in range(max_iter):
        f = kepler_f(E, M, e)
        fp = kepler_fp(E, e)
        dE = -f / fp
        En = E + dE
        if abs(En - E) < tol:
            break
        E = En
    return E


KEPLER_M = np.linspace(0.2, 6.0, 12)


def kepler_anomalies(q):
    """Eccentric anomalies at twelve mean anomalies, ``q = (M shift, e)``: the loop
    of scalar Newton solves an ephemeris code runs."""
    return np.stack([newton_raphson(M + q[0], M + q[0], q[1]) for M in KEPLER_M])


def calc_elements(r_vec, v_vec, grav_parameter=398600):
    """Orbital elements from position and velocity (km, km/s), as a dict; angles in
    degrees, quadrants fixed by ``if np.dot(...) < 0``."""
    mu = grav_parameter
    r = np.linalg.norm(r_vec)
    v = np.linalg.norm(v_vec)
    h_vec = np.cross(r_vec, v_vec)
    h = np.linalg.norm(h_vec)
    B_vec = np.cross(v_vec, h_vec) - mu * r_vec / r          # Laplace-Runge-Lenz
    B = np.linalg.norm(B_vec)
    k = np.array([0, 0, 1])
    N_vec = np.cross(k, h_vec)
    N = np.linalg.norm(N_vec)
    Q = (r * v ** 2) / mu
    a = r / (2 - Q)
    e = B / mu
    I = np.degrees(np.arccos(np.dot(k, h_vec) / h))
    i = np.array([1, 0, 0])
    Omegao = np.degrees(np.arccos(np.dot(i, N_vec) / N))
    j = np.array([0, 1, 0])
    if np.dot(j, N_vec) < 0:
        Omegao = 360 - Omegao
    w = np.degrees(np.arccos(np.dot(B_vec, N_vec) / (B * N)))
    if np.dot(k, B_vec) < 0:
        w = 360 - w
    f = np.degrees(np.arccos(np.dot(B_vec, r_vec) / (B * r)))
    if np.dot(r_vec, v_vec) < 0:
        f = 360 - f
    return {'a': a, 'e': e, 'I': I, 'Omega': Omegao, 'w': w, 'f': f, 'h': h_vec}


ORBIT_STATE = np.array([-6045.0, -3490.0, 2500.0, -3.457, 6.618, 2.533])


def orbital_elements(s):
    """The six scalar elements of the state ``s = (r, v)``."""
    el = calc_elements(s[:3], s[3:])
    return np.stack([el['a'], el['e'], el['I'], el['Omega'], el['w'], el['f']])


# --- option pricing: Black-Scholes with scipy.stats.norm.cdf(d, 0.0, 1.0)
def N(d):
    return si.norm.cdf(d, 0.0, 1.0)


def call(S, X, T, r, sig):
    d1 = (np.log(S / X) + (r + ((sig ** 2) / 2)) * T) / (sig * (T ** (1 / 2)))
    d2 = (np.log(S / X) + (r - ((sig ** 2) / 2)) * T) / (sig * (T ** (1 / 2)))
    call = S * N(d1) - X * np.exp(-r * T) * N(d2)
    return call


BS_STRIKES = np.linspace(80.0, 120.0, 9)


def call_smile(q):
    """Call prices over nine strikes for ``q = (S, T, r, sig)``."""
    return call(q[0], BS_STRIKES, q[1], q[2], q[3])


# --- population genetics: a toxin-antidote element's genotype recursion (tuples)
def update_one_generation(pp, pw, ww, k, h, s):
    """One generation of genotype frequencies (pp, pw, ww), outcrossing rate k,
    dominance h, selection s; returns the normalised tuple."""
    new_pp = (pp * pp * k * 1 * (1 - s)
              + pw * pp * k * 0.5 * (1 - s)
              + pp * pw * k * 0.5 * (1 - h * s)
              + pw * pw * k * 0.25 * (1 - h * s)
              + pp * (1 - k) * 1 * (1 - s)
              + pw * (1 - k) * 0.25 * (1 - h * s))
    new_pw = (pw * pp * k * 0.5 * (1 - s)
              + ww * pp * k * 1 * (1 - s)
              + pp * pw * k * 0.5 * (1 - h * s)
              + pw * pw * k * 0.5 * (1 - h * s)
              + ww * pw * k * 0.5 * (1 - h * s)
              + pp * ww * k * 1 * 1
              + pw * ww * k * 0.5 * 1
              + pw * (1 - k) * 0.5 * (1 - h * s))
    new_ww = (ww * pw * k * 0.5 * (1 - h * s)
              + ww * ww * k * 1 * 1
              + ww * (1 - k) * 1 * 1)
    new_total = new_pp + new_pw + new_ww
    return new_pp / new_total, new_pw / new_total, new_ww / new_total


def calculate_allele_freq(pp, pw, ww):
    return pp + pw / 2, ww + pw / 2


def allele_to_genotype_freq(p):
    return p * p, 2 * p * (1 - p), (1 - p) * (1 - p)


def allele_trajectory(q):
    """The allele frequency over 30 generations from p0 for ``q = (p0, k, h, s)``:
    the source's ``trajectory()`` loop, appending to a Python list."""
    pp, pw, ww = allele_to_genotype_freq(q[0])
    allele_freqs = []
    for i in range(30):
        pp, pw, ww = update_one_generation(pp, pw, ww, k=q[1], s=q[3], h=q[2])
        p, _ = calculate_allele_freq(pp, pw, ww)
        allele_freqs.append(p)
    return np.stack(allele_freqs)


# --- stiff chemical kinetics: six species, rate constants as module globals (Radau)
k1, k2, k3, k4, k5 = 1.28, 2400000, 33.6, 2400, 1


def deriv(t, y):
    """The right-hand side, unpacking ``y`` into six names, returning a tuple."""
    X, Y, Z, A, B, P = y
    xdot = k1 * A * Y - k2 * X * Y + k3 * A * X - 2 * k4 * X * X
    ydot = -k1 * A * Y - k2 * X * Y + k5 * B * Z
    zdot = 2 * k3 * A * X - k5 * B * Z
    pdot = k1 * A * Y + 2 * k2 * X * Y + k4 * X * X
    adot = -k1 * A * Y - k3 * A * X + k4 * X * X
    bdot = -k5 * B * Z
    return xdot, ydot, zdot, adot, bdot, pdot


KINETICS_END = 0.01


def kinetics_end_state(y0):
    """The state at ``KINETICS_END`` from ``y0`` by Radau (the source's solve over
    [0, 500] shortened: one float solve to t = 5 takes 3.4 s, to 0.01 about 0.1 s)."""
    sol = dg.solve_ivp(deriv, (0.0, KINETICS_END), y0, method='Radau', rtol=1e-8,
                       atol=1e-12)
    return sol.y[:, -1]


# --- reaction-diffusion: Gray-Scott by np.roll's five-point stencil, in-place updates
def laplace(f, h2):
    """Periodic five-point Laplacian by four np.roll shifts."""
    left = np.roll(f, -1, axis=1)
    right = np.roll(f, 1, axis=1)
    down = np.roll(f, 1, axis=0)
    up = np.roll(f, -1, axis=0)
    lap = (left + right + down + up - 4 * f) / h2
    return lap


GS_N = 10


def gray_scott_state(s, Du=0.2, Dv=0.1, F=0.025, k=0.056, nt=20, h=1, dt=1):
    """V after ``nt`` explicit steps from the state ``s = (U, V)`` (flattened): the
    source's time loop, ``U += ...`` and ``V += ...`` in place on copies of the input
    (in place on views of ``s`` would write into the caller's array)."""
    n = GS_N
    U = s[:n * n].reshape(n, n).copy()
    V = s[n * n:].reshape(n, n).copy()
    for i in range(nt):
        UVV = U * V * V
        h2 = h * h
        U += (Du * laplace(U, h2) - UVV + F * (1 - U)) * dt
        V += (Dv * laplace(V, h2) + UVV - V * (F + k)) * dt
    return V.ravel()


def gray_scott_start():
    """The source's start: U = 1, V = 0, a centre patch perturbed (a fixed seed)."""
    n = GS_N
    rng = np.random.default_rng(57)
    U = np.ones((n, n))
    V = np.zeros((n, n))
    low, high = n // 2 - 2, n // 2 + 2
    U[low:high, low:high] = 0.5 + rng.uniform(0, 0.1, (4, 4))
    V[low:high, low:high] = 0.25 + rng.uniform(0, 0.1, (4, 4))
    return np.concatenate([U.ravel(), V.ravel()])


PROBLEMS57 = {
    "PK compartments, dg.solve_ivp (3)": (pk_central_curve, np.array([1.2, 0.7, 0.3])),
    "Fresnel reflectance (2)": (fresnel_reflectance, np.array([1.0, 1.5])),
    "spherical variogram, np.piecewise (24)": (nested_variogram, VARIO_LAGS.copy()),
    "Kepler Newton loop (2)": (kepler_anomalies, np.array([0.0, 0.3])),
    "orbital elements, dict (6)": (orbital_elements, ORBIT_STATE.copy()),
    "Black-Scholes, norm.cdf (4)": (call_smile, np.array([100.0, 0.5, 0.01, 0.2])),
    "allele recursion, tuples (4)": (allele_trajectory, np.array([0.3, 0.8, 0.5, 0.3])),
    "stiff kinetics, Radau (6)": (kinetics_end_state,
                                  np.array([0.004, 0.0001, 0.08, 10.0, 10.0, 0.0])),
    "Gray-Scott, np.roll + in-place (200)": (gray_scott_state, gray_scott_start()),
}
