"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 60).

Written anew from the cited sources in their own style (names, argument order, Python
scalars, ``math.*`` calls, classes holding parameters, loops over tree nodes, in-place
writes into ``np.zeros`` buffers and into the input itself, a function reading module
globals, ``np.append`` / ``np.insert`` / ``np.diag`` assembling a matrix, ``np.roots``,
``scipy.linalg.eig``, ``scipy.optimize.brentq`` with ``args=(x)``, a class holding a
complex beam parameter), in domains corpus57 / corpus58 / corpus59 do not hold: geodesy,
American options on a binomial tree, robot manipulator dynamics, acoustics, chemical
kinetics, image processing, cubic equations of state, life-history demography, Gaussian
laser beams.  The changes a user makes are what dualgrad's refusal names (each is a test
in tests/test_newuser60.py, and each message named its fix): ``math.radians`` / ``sin`` /
``atan`` / ``atan2`` / ``sqrt`` / ``isnan`` become NumPy's; the buffers
``np.zeros(numNodes)`` / ``np.zeros((2, 2))`` that the code writes duals into become
``np.zeros_like(<a dual input>, shape=...)``; odeint becomes the ``dg.solve_ivp`` call its
refusal spells out; the ``img.astype(np.float32)`` cast goes (dual arrays carry float64);
``np.roots`` becomes the companion matrix's ``np.linalg.eigvals`` its refusal writes out;
``scipy.linalg.eig`` becomes ``np.linalg.eig``; ``scipy.optimize.brentq`` becomes
``dualgrad.scipy.optimize.brentq``; the ABCD matrices a user hands the beam class,
``np.array([[1, 0], [-1 / f, 1]])`` (an object array of scalar duals, refused where its
product meets the complex beam parameter), become ``np.stack`` of ``np.stack`` rows (the
refusal names ``np.stack([x[0], x[1]])``; ``np.stack([[a, b], [c, d]])`` is refused too).
A row of :data:`PROBLEMS60` wraps a function into ``f(x0) -> 1-D array``, as a user hands
it to ``approx_fprime``.

=====================  =================================================  ==========
function               repository / path                                  commit
=====================  =================================================  ==========
vincenty               PacktPublishing/Learning-Geospatial-Analysis-      36ff6f4c
                       with-Python-Third-Edition
                       Chapter05/B13346_05_05-vincenty.py (a script)
VanillaPutPayoff,      jrdhansen/Fin5350Homework                          107c8100
AmericanBinomial       HW3_JaredAMERICANbiomialPricer.py
D_robot, C_robot,      leokim0711092/Theconstruct_Robot_control_basic     1b9a6360
g_robot                control_exercises/exercise_2-3-1.py
a_weighting            bhasevambit/pyaudio_audio_signal_processing_       09914f33
                       practice  modules/audio_signal_processing_basic.py
X (odeint's rhs)       zshivji/HW  Kinetics/Kinetics_HW1/Kinetics_HW1_4.py 03725e40
anisodiff              GiovaniGitHub/course-dip                           05a2757e
                       src/filters/anisotropic_filter.py
PengRobinsonEOS        monshap/depyrt  peng.py                            9852bd18
RCALC (Leslie),        clementviolet/ICE_project  scenario1.py            45c0c869
SUMMATION, RCALC
(brentq)
GaussianBeam           SQRLab/GaussianBeamCalculation  gaussian_beam.py   19168727
=====================  =================================================  ==========

Full commits: 36ff6f4c2119b3ce5bb8240d7db333da02a6ba97, 107c810031beb7d555a5404d08796561d19a6e22,
1b9a63600c67551b58cef00312e69ffc10fbf36d, 09914f332d9cc8b009c2dcffc5d124b4972af9c0,
03725e40fe0a4eed62d9eb61b346ea0e4e8a9192, 05a2757ea4c314d2f172bb4d13e16475fbfef890,
9852bd18f50708997be45b2e8add590812ebe519, 45c0c869e0af3efb124b42908b369214120d3ec0,
19168727b443129faffc7e351fc12fd9841c4be2.
"""

import numpy as np

import dualgrad as dg
from dualgrad.scipy.optimize import brentq   # the source: scipy.optimize.brentq


# --- geodesy: Vincenty's inverse formula on the NAD83 ellipsoid (the source is a script
# over four module constants; a function of them here)
def vincenty(x1, y1, x2, y2):
    """The ellipsoidal distance in metres between (lon x1, lat y1) and (lon x2, lat y2)
    in degrees: the source's loop to 1e-12 in lambda, then its series in u^2."""
    a = 6378137  # semi-major axis
    f = 1 / 298.257222101  # inverse flattening
    b = abs((f * a) - a)  # semi-minor axis
    L = np.radians(x2 - x1)                         # the source: math.radians, ...
    U1 = np.arctan((1 - f) * np.tan(np.radians(y1)))
    U2 = np.arctan((1 - f) * np.tan(np.radians(y2)))
    sinU1 = np.sin(U1)
    cosU1 = np.cos(U1)
    sinU2 = np.sin(U2)
    cosU2 = np.cos(U2)
    lam = L
    for i in range(100):
        sinLam = np.sin(lam)
        cosLam = np.cos(lam)
        sinSigma = np.sqrt((cosU2 * sinLam) ** 2
                           + (cosU1 * sinU2 - sinU1 * cosU2 * cosLam) ** 2)
        if (sinSigma == 0):
            return 0  # coincident points
        cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLam
        sigma = np.arctan2(sinSigma, cosSigma)
        sinAlpha = cosU1 * cosU2 * sinLam / sinSigma
        cosSqAlpha = 1 - sinAlpha ** 2
        cos2SigmaM = cosSigma - 2 * sinU1 * sinU2 / cosSqAlpha
        if np.isnan(cos2SigmaM):
            cos2SigmaM = 0  # equatorial line
        C = f / 16 * cosSqAlpha * (4 + f * (4 - 3 * cosSqAlpha))
        LP = lam
        lam = L + (1 - C) * f * sinAlpha * (
            sigma + C * sinSigma * (cos2SigmaM + C * cosSigma
                                    * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
        if not abs(lam - LP) > 1e-12:
            break
    uSq = cosSqAlpha * (a ** 2 - b ** 2) / b ** 2
    A = 1 + uSq / 16384 * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)))
    B = uSq / 1024 * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)))
    deltaSigma = B * sinSigma * (cos2SigmaM + B / 4 * (
        cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
        - B / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma)
        * (-3 + 4 * cos2SigmaM * cos2SigmaM)))
    return b * A * (sigma - deltaSigma)


GEO_X0 = np.array([-90.212452861859035, 32.316272202663704,     # the source's two points
                   -88.952170968942525, 30.438559624660321])


def vincenty_row(q):
    """The distance as a function of both points' coordinates."""
    return np.atleast_1d(vincenty(q[0], q[1], q[2], q[3]))


# --- finance: an American put on a Cox-Ross-Rubinstein tree, node by node
class VanillaPayoff(object):
    def __init__(self, strike, expiry):
        self.strike = strike
        self.expiry = expiry


class VanillaPutPayoff(VanillaPayoff):
    def value(self, spot):
        return np.maximum(self.strike - spot, 0.0)


def AmericanBinomial(option, S, r, beta, sigma, N):
    """The source's pricer: spot and value buffers filled at expiry, then rolled back
    with early exercise (``np.maximum`` per node)."""
    T = option.expiry
    H = T / N
    numSteps = N
    numNodes = numSteps + 1
    u = np.exp((r - beta) * H + sigma * (np.sqrt(H)))
    d = np.exp((r - beta) * H - sigma * (np.sqrt(H)))
    pu = (np.exp((r - beta) * H) - d) / (u - d)
    pd = 1 - pu
    discount = np.exp(-r * H)
    discountedPriceUp = pu * discount
    discountedpriceDown = pd * discount
    spotPriceArray = np.zeros_like(S, shape=numNodes)     # the source: np.zeros(numNodes)
    callValueArray = np.zeros_like(S, shape=numNodes)

    for i in range(numNodes):
        spotPriceArray[i] = S * (u ** (numSteps - i)) * (d ** (i))
        callValueArray[i] = option.value(spotPriceArray[i])

    for i in range((numSteps - 1), -1, -1):
        for j in range(i + 1):
            callValueArray[j] = (discountedPriceUp * callValueArray[j]
                                 + discountedpriceDown * callValueArray[j + 1])
            spotPriceArray[j] = spotPriceArray[j] / u
            callValueArray[j] = np.maximum(callValueArray[j], option.value(spotPriceArray[j]))
    return callValueArray[0]


AMERICAN_PUT = VanillaPutPayoff(41.0, 1.0)     # the source's X = 41, T = 1; a put here
AMERICAN_STEPS = 40                            # the source prices N = 3


def american_row(q):
    """The price as a function of (S, r, sigma): delta, rho, vega."""
    return np.atleast_1d(AmericanBinomial(AMERICAN_PUT, q[0], q[1], 0.0, q[2],
                                          AMERICAN_STEPS))


# --- robotics: a planar two-link arm's inertia and Coriolis matrices, then its forward
# dynamics (the source's column vectors th[0, 0], th[1, 0])
def D_robot(m1, m2, l1, l2, lc1, lc2, Izz1, Izz2, th):
    D = np.zeros_like(th, shape=(2, 2))                 # the source: np.zeros((2, 2))
    t1 = th[0, 0]  # noqa: F841  (the source reads it)
    t2 = th[1, 0]
    D[0, 0] = Izz1 + Izz2 + lc1**2 * m1 + l1**2 * m2 + 2 * np.cos(t2) * l1 * lc2 * m2 + lc2**2 * m2
    D[0, 1] = Izz2 + np.cos(t2) * l1 * lc2 * m2 + lc2**2 * m2
    D[1, 0] = Izz2 + np.cos(t2) * l1 * lc2 * m2 + lc2**2 * m2
    D[1, 1] = Izz2 + lc2**2 * m2
    return D


def C_robot(m1, m2, l1, l2, lc1, lc2, Izz1, Izz2, th, dth):
    C = np.zeros_like(th, shape=(2, 2))                 # the source: np.zeros((2, 2))
    t1 = th[0, 0]  # noqa: F841
    t2 = th[1, 0]
    dt1 = dth[0, 0]
    dt2 = dth[1, 0]
    C[0, 0] = -2 * np.sin(t2) * l1 * lc2 * m2 * dt2
    C[0, 1] = -np.sin(t2) * l1 * lc2 * m2 * dt2
    C[1, 0] = np.sin(t2) * l1 * lc2 * m2 * dt1
    C[1, 1] = 0.0
    return C


def g_robot(m1, m2, l1, l2, lc1, lc2, Izz1, Izz2, th, grav):
    gravity = np.zeros((2, 1))                           # plain zeros: kept as written
    gravity[0, 0] = 0.0
    gravity[1, 0] = 0.0
    return gravity


ARM = (1.0, 0.8, 1.0, 0.7, 0.5, 0.35, 1.0 / 12, 0.8 * 0.7 ** 2 / 12)   # m, l, lc, Izz
ARM_TAU = np.array([[1.5], [0.4]])


def arm_row(q):
    """Joint accelerations D^-1 (tau - C dth - g) at state ``q = (th1, th2, dth1, dth2)``."""
    th = q[0:2].reshape(2, 1)
    dth = q[2:4].reshape(2, 1)
    D = D_robot(*ARM, th)
    C = C_robot(*ARM, th, dth)
    g = g_robot(*ARM, th, 9.81)
    return np.linalg.solve(D, ARM_TAU - C @ dth - g).ravel()


# --- acoustics: the A-weighting curve (IEC 61672) over a frequency axis
def a_weighting(f):
    """The source's curve in dB; it writes 1e-6 over a zero first frequency in place."""
    if f[0] == 0:
        f[0] = 1e-6
    else:
        pass

    ra = (np.power(12194, 2) * np.power(f, 4)) / \
         ((np.power(f, 2) + np.power(20.6, 2)) *
          np.sqrt((np.power(f, 2) + np.power(107.7, 2)) *
                  (np.power(f, 2) + np.power(737.9, 2))) *
          (np.power(f, 2) + np.power(12194, 2)))

    a = 20 * np.log10(ra) + 2.00
    return a


THIRD_OCTAVES = 1000.0 * 2.0 ** (np.arange(-17, 14) / 3.0)   # 20 Hz .. 20 kHz, 31 bands


# --- chemical kinetics: A + B <=> C, the rate constants module globals (odeint style)
k1 = 6
k2 = 3


def X(y, t):
    """The source's right-hand side, reading the globals ``k1`` and ``k2``."""
    A, B, C = y
    dAdt = - k1 * A * B + k2 * C
    dBdt = - k1 * A * B + k2 * C
    dCdt = k1 * A * B - k2 * C
    dXdt = [dAdt, dBdt, dCdt]
    return dXdt


KIN_T = np.linspace(0, 5, 101)
KIN_X0 = [1, 2, 0]


def kinetics_row(q):
    """[A], [B], [C] at t = 0.1, 0.2, 0.5, 5 for ``q = (k1, k2)``, set as the source sets
    them (globals); odeint's call written as its refusal spells the drop-in."""
    global k1, k2
    k1, k2 = q[0], q[1]
    y = dg.solve_ivp(lambda t, y: X(y, t), (KIN_T[0], KIN_T[-1]), KIN_X0, t_eval=KIN_T,
                     method="LSODA", rtol=1.49012e-08, atol=1.49012e-08).y.T
    return y[[2, 4, 10, 100]].ravel()


# --- image processing: Perona-Malik anisotropic diffusion
def anisodiff(img, niter=1, kappa=50, gamma=0.1, step=(1., 1.), sigma=0, option=1):
    """The source's diffusion (``sigma = 0``: no Gaussian pre-filter)."""
    # initialize output array (the source: img = img.astype(np.float32), refused)
    imgout = img.copy()

    # initialize some internal variables
    deltaS = np.zeros_like(imgout)
    deltaE = deltaS.copy()
    NS = deltaS.copy()
    EW = deltaS.copy()
    gS = np.ones_like(imgout)
    gE = gS.copy()

    for ii in range(niter):
        deltaS[:-1, :] = np.diff(imgout, axis=0)
        deltaE[:, :-1] = np.diff(imgout, axis=1)
        deltaSf = deltaS
        deltaEf = deltaE
        if option == 1:
            gS = np.exp(-(deltaSf / kappa) ** 2.) / step[0]
            gE = np.exp(-(deltaEf / kappa) ** 2.) / step[1]
        elif option == 2:
            gS = 1. / (1. + (deltaSf / kappa) ** 2.) / step[0]
            gE = 1. / (1. + (deltaEf / kappa) ** 2.) / step[1]
        E = gE * deltaE
        S = gS * deltaS
        NS[:] = S
        EW[:] = E
        NS[1:, :] -= S[:-1, :]
        EW[:, 1:] -= E[:, :-1]
        imgout += gamma * (NS + EW)
    return imgout


IMAGE = np.round(np.random.default_rng(60).uniform(0.0, 255.0, (8, 8)))   # 8-bit-like


def anisodiff_row(q):
    """The diffused 8 x 8 image (5 iterations, kappa 30, gamma 0.2) of the pixels ``q``."""
    return anisodiff(q.reshape(8, 8), niter=5, kappa=30.0, gamma=0.2).ravel()


# --- thermodynamics: molar volumes from the Peng-Robinson equation of state
class PengRobinsonEOS():
    """
        p = [RT / (v - b)] - [a * alpha / (v^2 + 2bv - b^2)]
    """
    name = 'Peng Robinson EOS'
    R = 8.314E-2

    def __init__(self, pc, Tc, omega, R=None):
        if R:
            self.R = float(R)
        self.pc = pc
        self.Tc = Tc
        self.kappa = 0.37464 + 1.54226 * omega - 0.26992 * omega**2

    def calc_v(self, p, T, root='liquid'):
        """ c1 * v^3 + c2 * v^2 + c3 * v + c4 = 0 """
        a = 0.45724 * (self.R * self.Tc)**2 / self.pc
        b = 0.07780 * self.R * self.Tc / self.pc
        Tr = T / self.Tc
        alpha = (1 + self.kappa * (1 - np.sqrt(Tr)))**2

        c1 = p
        c2 = p * b - self.R * T
        c3 = a * alpha - 3 * p * b**2 - 2 * self.R * T * b
        c4 = p * b**3 - a * alpha * b + self.R * T * b**2
        # the source: roots = np.roots([c1, c2, c3, c4]); its refusal's rewrite
        cs = np.stack([c1, c2, c3, c4])
        roots = np.linalg.eigvals(np.vstack([-cs[1:] / cs[0], np.eye(len(cs) - 2, len(cs) - 1)]))

        # filter negative and complex numbers
        vs = []
        for val in roots:
            if val <= 0:
                continue
            elif isinstance(val, complex):
                if val.imag:
                    continue
                else:
                    val = val.real
            vs.append(val)

        # return appropriate root depending on phase
        return min(vs) if root.lower() in 'liquid' else max(vs)


AMMONIA = PengRobinsonEOS(113.53, 405.4, 0.257)      # the source's ammonia


def peng_row(q):
    """Vapour and liquid molar volumes (L/mol) at ``q = (p bar, T K)``."""
    return np.stack([AMMONIA.calc_v(q[0], q[1], 'vapor'), AMMONIA.calc_v(q[0], q[1], 'liquid')])


# --- demography: the growth rate r of an age-structured population against body size
def RCALC(x):
    """r from the Leslie matrix's eigenvalue (the source returns -r for a minimizer)."""
    Maxage = 50
    M = Maxage - 1
    age = np.arange(1, Maxage + 1)
    # Parameter values
    Af = 0
    Bf = 16
    As = 1
    Bs = 0.5
    m = np.repeat(Af + Bf * x, repeats=Maxage)
    l = np.exp(-(As + Bs * x) * age)
    S = np.array([l[0]])
    for i in range(1, M):
        S = np.append(S, l[i] / l[i - 1])
    S = np.append(S, 0)  # Last value is a zero for the last age class
    Fertility = m * S  # Top row of Leslie matrix
    Survival = np.diag(S[0:M])  # Assign survivals to diagonal
    Survival = np.insert(Survival, 49, 0, axis=1)
    Leslie_matrix = np.insert(Survival, 0, Fertility, axis=0)
    Eigen_data = np.linalg.eig(Leslie_matrix)   # the source: scipy's linalg.eig, refused
    Lambda = Eigen_data[0][1]  # Get lambda
    r = np.abs(np.log(Lambda))
    return (-r)


def SUMMATION(r, x):
    """The Euler-Lotka sum's residual 1 - sum exp(-r a) l_a m_a."""
    Maxage = 50  # Maximum age
    age = np.arange(1, Maxage + 1)
    # Parameter value
    Af = 0
    Bf = 16
    As = 1
    Bs = 0.5
    m = np.repeat(Af + Bf * x, repeats=Maxage)  # Number of female offspring
    l = np.exp(-(As + Bs * x) * age)  # Surival to age
    Sum = sum(np.exp(-r * age) * l * m)  # Characteristic equation sum
    return (1 - Sum)


def RCALC_brentq(x):
    """r as the Euler-Lotka root (the source's second RCALC; ``args=(x)`` not a tuple)."""
    return (-1 * brentq(SUMMATION, -1, 2, args=(x)))


def leslie_row(q):
    return np.atleast_1d(RCALC(q[0]))


def euler_lotka_row(q):
    return np.atleast_1d(RCALC_brentq(q[0]))


# --- laser optics: a Gaussian beam's complex parameter through a two-lens telescope
class GaussianBeam:
    """The source's beam: waist, its location and M^2 with their uncertainties, the
    complex q = waist_loc + i z_R carried through lenses and free space."""

    def __init__(self, waist, waist_loc, m2, waist_err, waist_loc_err, m2_err, laser_wavelength):
        self.waist_loc = waist_loc
        self.m2 = m2
        self.wavelength = laser_wavelength

        self.waist_loc_err = waist_loc_err
        self.m2_err = m2_err

        self.rayleigh_range = np.pi * (waist ** 2) / (self.m2) / (self.wavelength)
        self.rayleigh_range_err = np.pi / (self.wavelength) * np.sqrt(
            (2 * waist * waist_err / m2) ** 2 + (waist ** 2 * m2_err / m2 ** (3 / 2)) ** 2)

    def get_waist(self):
        # calculates the waist size
        return np.sqrt(self.rayleigh_range * self.wavelength * self.m2 / np.pi)

    def free_space(self, d, d_err):
        self.waist_loc += d
        self.waist_loc_err = np.sqrt((self.waist_loc_err) ** 2 + (d_err) ** 2)

    def lens(self, f):
        q = self.waist_loc + 1j * self.rayleigh_range
        q_err = self.waist_loc_err + 1j * self.rayleigh_range_err
        q_update = q / (-1 / f * q + 1)
        q_update_err = q_err / (-1 / f * q + 1) ** 2

        self.waist_loc = np.real(q_update)
        self.waist_loc_err = np.real(q_update_err)
        self.rayleigh_range = np.imag(q_update)
        self.rayleigh_range_err = np.imag(q_update_err)

    def ABCD_matrix_list(self, list):
        # given a list of ABCD matrices, updates the beam parameters
        q = self.waist_loc + 1j * self.rayleigh_range
        q_err = self.waist_loc_err + 1j * self.rayleigh_range_err

        ABCD = np.identity(2)
        for mat in list:
            ABCD = np.matmul(mat, ABCD)

        q_update = (ABCD[0][0] * q + ABCD[0][1]) / (ABCD[1][0] * q + ABCD[1][1])
        q_update_err = ((ABCD[0][0] * ABCD[1][1] - ABCD[0][1] * ABCD[1][0]) * q_err
                        / (ABCD[1][0] * q + ABCD[1][1]) ** 2)

        self.waist_loc = np.real(q_update)
        self.waist_loc_err = np.real(q_update_err)
        self.rayleigh_range = np.imag(q_update)
        self.rayleigh_range_err = np.imag(q_update_err)


def abcd(a, b, c, d):
    """A user's 2 x 2 ABCD matrix: ``np.array([[a, b], [c, d]])`` is an object array of
    scalar duals, refused where ``ABCD[0][0] * q`` turns complex; rows by ``np.stack``."""
    return np.stack([np.stack([a, b]), np.stack([c, d])])


def new_beam():
    """A 780 nm beam, 0.5 mm waist at z = 0 (the constructor's argument order)."""
    return GaussianBeam(0.5e-3, 0.0, 1.0, 1e-5, 1e-3, 0.05, 780e-9)


def telescope_row(q):
    """Waist, its location and z_R's uncertainty after 0.1 m, a lens f1, a gap d and a lens
    f2 (``q = (f1, f2, d)``), by the source's ``ABCD_matrix_list``."""
    b = new_beam()
    b.free_space(0.1, 1e-3)
    b.ABCD_matrix_list([abcd(1, 0, -1 / q[0], 1), abcd(1, q[2], 0, 1), abcd(1, 0, -1 / q[1], 1)])
    return np.stack([b.get_waist(), b.waist_loc, b.rayleigh_range_err])


def telescope_methods_row(q):
    """The same telescope by the source's own ``lens`` / ``free_space`` methods."""
    b = new_beam()
    b.free_space(0.1, 1e-3)
    b.lens(q[0])
    b.free_space(q[2], 1e-3)
    b.lens(q[1])
    return np.stack([b.get_waist(), b.waist_loc, b.rayleigh_range_err])


PROBLEMS60 = {
    "Vincenty geodesic, math->np (4)": (vincenty_row, GEO_X0),
    "American put CRR tree, buffers (3)": (american_row, np.array([40.0, 0.08, 0.3])),
    "two-link arm dynamics, buffers (4)": (arm_row, np.array([0.3, 0.7, 0.2, -0.4])),
    "A-weighting curve, 1/3 octaves (31)": (a_weighting, THIRD_OCTAVES.copy()),
    "A+B<=>C kinetics, odeint globals (2)": (kinetics_row, np.array([6.0, 3.0])),
    "Perona-Malik diffusion, 8x8 (64)": (anisodiff_row, IMAGE.ravel().copy()),
    "Peng-Robinson volumes, np.roots (2)": (peng_row, np.array([10.0, 300.0])),
    "Leslie growth rate, eig (1)": (leslie_row, np.array([1.5])),
    "Euler-Lotka root, brentq (1)": (euler_lotka_row, np.array([1.5])),
    "Gaussian beam telescope, ABCD (3)": (telescope_row, np.array([0.05, 0.2, 0.26])),
}
