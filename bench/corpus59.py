"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 59).

Written anew from the cited sources in their own style (names, argument order, lists of
link lengths, Python's ``sum`` over slices, ``+=`` into a preallocated position, an
``args=()`` tuple handed through an RK4 loop, SciPy's ``cho_factor`` / ``cho_solve``
pair, ``np.pad(..., 'reflect')`` with ``np.roll``, a 16th-power correlation, in-place
slice updates, ``np.random.seed``), in domains corpus57 / corpus58 do not hold:
Gaussian-process regression, classification losses, robot kinematics, a mechanical
oscillator by fixed-step RK4, curve fitting by ``scipy.optimize.leastsq``,
chemotaxis-like PDE operators on a 2-D grid, pipe-flow friction, shallow water by
Lax-Wendroff, structural reliability by Monte Carlo.  The changes a user makes are the
import (``dualgrad.scipy.linalg`` for ``scipy.linalg``), Python 2's ``xrange``, and what
dualgrad's refusal names: the buffers ``np.zeros(3)`` / ``np.zeros((n, len(y0)))`` /
``np.ones((n + 2, n + 2))`` that the code writes duals into become
``np.zeros_like(<a dual input>, shape=...)``, the float cast ``np.array(x, dtype=float)``
goes, ``np.random.normal(p, s, n)`` of a dual mean becomes
``p + s * np.random.standard_normal(n)`` (the same draws).  Each refusal is a test in
tests/test_newuser59.py.  A row of :data:`PROBLEMS59` wraps a function into
``f(x0) -> 1-D array``, as a user hands it to ``approx_fprime``.

=====================  =================================================  ==========
function               repository / path                                  commit
=====================  =================================================  ==========
covariance_matrix,     alexis-roche/scripts  stats/gaussian_process.py    c4f16d08
marginal_log_likelihood
works, log_softmax     gregclinton/murphy  softmax.py                     07ca53e9
fk, objective          rahul-krupani/csci545  hw3-fk-ik/code/fk.py,       df3d384e
                       hw3-fk-ik/code/ik-a.py
pend, rungekutta4      AdrianGuel/Progra-Algo  rungekutta4a.py            1a4fcb5b
f, func, dfunc         Bhumbra/Pyclamp  ex/dsp/lsex.py                    d8f05c77
lap, grad_grad         LouisLesueur/empires  grid/mathutils.py            58361de5
churchill              jcstonehill/aardvark                               4be77d4a
                       aardvark/functions/friction_factor_correlations.py
step, simulate         bh107/bohrium  cphvbnumpy/cphvbnumpy/examples/     1309c9c8
                       shallow_water.py
the sampling block     jclugor/ak-mcs  codes/viga_mc.py                   ba68e414
=====================  =================================================  ==========

Full commits: c4f16d0815ecea3ff5902d428c6c5b8da08828a0, 07ca53e9933ee96e048caf6b5119602a78a5c16a,
df3d384ea9b78238e9fc531d4f1e5fb1de553e75, 1a4fcb5bba274dc9a1a30c0f0c1d014adfe6291e,
d8f05c770bdb14a8a922dcb454d59fa72870f92a, 58361de500c174054fe45029e51717b9d8eb27ba,
4be77d4a6c3db795bbec9d5154096a32a4aadc80, 1309c9c8b2b17482686e8f36e60c15dc56d42355,
ba68e414d8db581184cdeb7c5b437fbfe1c71c55.
"""

import numpy as np

from dualgrad.scipy.linalg import cho_factor, cho_solve   # the source: from scipy.linalg


# --- Gaussian-process regression: the marginal likelihood of a squared-exponential kernel
def covariance_matrix(x, sigma):
    """The source's kernel: the distances written into a plain ``np.zeros`` buffer (x is
    data, plain), the dual only in ``sigma``."""
    D = np.zeros((len(x), len(x)))
    D[:] = x
    D.T[:] -= x.T
    K = np.exp(-.5 * D ** 2 / sigma ** 2)
    return K


def marginal_log_likelihood(K, regul=1e-10, y=None):
    """The source's likelihood (``y`` a module global there, an argument here)."""
    L, lower = cho_factor(K + regul * np.eye(K.shape[0]))  # K = L L.T
    d = np.maximum(np.diagonal(L), 1e-200)
    complexity = np.sum(np.log(d))
    c = cho_solve((L, lower), y)
    data_fit = np.dot(c, c)
    return -.5 * (data_fit + complexity)


GP_X = np.linspace(0.0, 10.0, 25)           # the source draws 10 * rand(100); a grid here
GP_Y = GP_X ** 2                             # the source's y = x**2


def gp_likelihood(q):
    """The likelihood at the length scale ``q[0]`` (the source scans exp(-10) .. 1)."""
    return np.atleast_1d(marginal_log_likelihood(covariance_matrix(GP_X, q[0]), y=GP_Y))


# --- classification: log-softmax of logits, a cross-entropy by the harness
def works(x):
    """The source's helper less its first line ``x = np.array(x, dtype = float)``, which
    dualgrad refuses, naming this fix (x is an array already)."""
    x = x.T - np.max(x, axis=1)  # prevent overflow
    e = np.exp(x.T).T
    return x, e, np.sum(e, axis=0)


def log_softmax(x):
    x, _, s = works(x)
    return (x - np.log(s)).T


_RNG = np.random.default_rng(59)
CE_X = _RNG.standard_normal((40, 4))         # 40 samples, 4 features, 3 classes
CE_Y = np.eye(3)[_RNG.integers(0, 3, 40)]


def cross_entropy(w):
    """Mean cross-entropy of a linear classifier with weights ``w`` (4 x 3, raveled)."""
    return np.atleast_1d(-np.sum(CE_Y * log_softmax(CE_X @ w.reshape(4, 3))) / len(CE_Y))


# --- robotics: planar n-joint forward kinematics and the inverse-kinematics objective
def fk(angles, link_lengths, zeros=None):
    """The source's forward kinematics; ``zeros(3)`` makes its position buffer (the
    source's ``np.zeros(3, dtype=np.float64)``, which dualgrad refuses to store duals
    into, naming ``np.zeros_like(angles, shape=3)``)."""
    if zeros is None:
        zeros = lambda n: np.zeros_like(angles, shape=n)  # noqa: E731 (the fix)
    position = zeros(3)
    for index in range(len(angles)):
        position[0] += link_lengths[index] * np.cos(sum(angles[:index + 1]))
        position[1] += link_lengths[index] * np.sin(sum(angles[:index + 1]))
    return position


link_lengths = np.array([0.7, 1.0, 1.0])
bounds = [(-np.pi, np.pi)] * 3
q0 = np.array([0, 0, 1.86])
p_d = np.array([0.1, 1.33, 0])


def objective(x):
    """ik-a.py's objective (its own copy of fk's loop, the buffer as dualgrad names)."""
    position = np.zeros_like(x, shape=3)
    for index in range(len(x)):
        position[0] += link_lengths[index] * np.cos(sum(x[:index + 1]))
        position[1] += link_lengths[index] * np.sin(sum(x[:index + 1]))

    return np.dot((p_d - position).T, (p_d - position)) / 2


def ik_row(x):
    return np.atleast_1d(objective(x))


# --- mechanics: a damped pendulum by the source's fixed-step RK4 (odeint's signature)
def pend(y, t, b, c):
    return np.array([y[1], -b * y[1] - c * np.sin(y[0])])


def rungekutta4(f, y0, t, args=(), zeros=None):
    """The source's RK4; ``zeros(shape)`` makes its buffer (the source's ``np.zeros``,
    refused naming ``np.zeros_like(args[0], shape=(n, len(y0)))``)."""
    n = len(t)
    if zeros is None:
        zeros = lambda shape: np.zeros_like(args[0], shape=shape)  # noqa: E731 (the fix)
    y = zeros((n, len(y0)))
    y[0] = y0
    for i in range(n - 1):
        h = t[i + 1] - t[i]
        k1 = f(y[i], t[i], *args)
        k2 = f(y[i] + k1 * h / 2., t[i] + h / 2., *args)
        k3 = f(y[i] + k2 * h / 2., t[i] + h / 2., *args)
        k4 = f(y[i] + k3 * h, t[i] + h, *args)
        y[i + 1] = y[i] + (h / 6.) * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


PEND_Y0 = np.array([np.pi - 0.1, 0.0])
PEND_T = np.linspace(0, 10, 101)


def pendulum_row(p):
    """theta and omega every second for the damping ``b`` and gravity ``c`` (the
    source's 0.25 and 5.0)."""
    return rungekutta4(pend, PEND_Y0, PEND_T, args=(p[0], p[1]))[::10].ravel()


# --- curve fitting: an exponential decay's residuals, SciPy's leastsq with a Dfun
def f(var, xs):
    return var[0] * np.exp(-var[1] * xs) + var[2]


def func(var, xs, ys):
    return f(var, xs) - ys


def dfunc(var, xs, ys):
    """The source's hand-written Jacobian, by columns (``col_deriv=1``): the oracle."""
    v = np.exp(-var[1] * xs)
    return [v, -var[0] * xs * v, np.ones(len(xs))]


xs = np.linspace(0, 4, 50)
ys = f([2.5, 1.3, 0.5], xs)
yn = ys + 0.2 * np.random.default_rng(1).normal(size=len(xs))   # the source: unseeded


def decay_residuals(var):
    return func(var, xs, yn)


# --- PDE operators on a 2-D grid: reflect-padded Laplacian and cross-gradient by np.roll
def grad_grad(D, A, dx):
    A_pad = np.pad(A, (1, 1), 'reflect')
    D_pad = np.pad(D, (1, 1), 'reflect')

    D_x = (np.roll(D_pad, 1, axis=0) - D_pad)[1:-1, 1:-1]
    A_x = (np.roll(A_pad, 1, axis=0) - A_pad)[1:-1, 1:-1]

    D_y = (np.roll(D_pad, 1, axis=1) - D_pad)[1:-1, 1:-1]
    A_y = (np.roll(A_pad, 1, axis=1) - A_pad)[1:-1, 1:-1]

    return (D_x * A_x + D_y * A_y) / (dx * dx)


def lap(A, dx):
    A_pad = np.pad(A, (1, 1), 'reflect')
    D_2_x = np.roll(A_pad, -1, axis=1) - 2 * A_pad + np.roll(A_pad, 1, axis=1)
    D_2_y = np.roll(A_pad, -1, axis=0) - 2 * A_pad + np.roll(A_pad, 1, axis=0)
    return (D_2_x + D_2_y)[1:-1, 1:-1] / (dx * dx)


_G = np.linspace(0.0, 1.0, 24)
CHEMO_D = np.exp(-8 * ((_G[:, None] - 0.6) ** 2 + (_G[None, :] - 0.4) ** 2))  # an attractant
CHEMO_A0 = 1.0 + 0.5 * np.cos(3 * _G[:, None]) * np.sin(2 * _G[None, :])


def chemotaxis_row(p):
    """Population A on a 24 x 24 grid after 30 explicit steps of
    ``dA/dt = p0 lap(A) - p1 grad_grad(D, A)`` (the harness; the operators the source's)."""
    A = CHEMO_A0
    for _ in range(30):
        A = A + 0.02 * (p[0] * lap(A, 1.0) - p[1] * grad_grad(CHEMO_D, A, 1.0))
    return A[::3, ::3].ravel()


# --- pipe flow: Churchill's friction factor across laminar, transitional, turbulent
def churchill(eps, Dh, Re):
    a = (2.457 * np.log(1 / ((7 / Re) ** 0.9 + (0.27 * eps / Dh)))) ** 16
    b = (37530 / Re) ** 16

    f = 8 * ((8 / Re) ** 12 + (1 / ((a + b) ** 1.5))) ** (1 / 12)

    return f


FRICTION_RE = np.logspace(2.5, 6, 12)


def friction_row(q):
    """Friction factors at 12 Reynolds numbers for roughness ``q[0]`` and hydraulic
    diameter ``q[1]`` (commercial steel, a 5 cm pipe).  bench_corpus's Richardson column
    reads ~4e-5 here: its step for ``q[0]`` is 1e-5 (1e-3 times its floor 1e-2), a fifth
    of the roughness itself; central differences at relative steps 1e-5 / 1e-7 / 1e-9
    agree with dualgrad to 1e-10 / 8e-9 / 1e-6, and tests/test_newuser59.py holds it to a
    complex step at 1e-12."""
    return churchill(q[0], q[1], FRICTION_RE)


# --- hydrodynamics: 2-D shallow water by Lax-Wendroff, in-place slice updates
g = 9.80665  # gravitational acceleration


def step(H, U, V, dt=0.02, dx=1.0, dy=1.0):
    # Reflecting boundary conditions
    H[:, 0] = H[:, 1]; U[:, 0] = U[:, 1]; V[:, 0] = -V[:, 1]  # noqa: E702
    H[:, -1] = H[:, -2]; U[:, -1] = U[:, -2]; V[:, -1] = -V[:, -2]  # noqa: E702
    H[0, :] = H[1, :]; U[0, :] = -U[1, :]; V[0, :] = V[1, :]  # noqa: E702
    H[-1, :] = H[-2, :]; U[-1, :] = -U[-2, :]; V[-1, :] = V[-2, :]  # noqa: E702

    # First half step

    # height
    Hx = (H[1:, 1:-1] + H[:-1, 1:-1]) / 2 - dt / (2 * dx) * (U[1:, 1:-1] - U[:-1, 1:-1])

    # x momentum
    Ux = (U[1:, 1:-1] + U[:-1, 1:-1]) / 2 - \
        dt / (2 * dx) * ((U[1:, 1:-1] ** 2 / H[1:, 1:-1] + g / 2 * H[1:, 1:-1] ** 2)
                         - (U[:-1, 1:-1] ** 2 / H[:-1, 1:-1] + g / 2 * H[:-1, 1:-1] ** 2))

    # y momentum
    Vx = (V[1:, 1:-1] + V[:-1, 1:-1]) / 2 - \
        dt / (2 * dx) * ((U[1:, 1:-1] * V[1:, 1:-1] / H[1:, 1:-1])
                         - (U[:-1, 1:-1] * V[:-1, 1:-1] / H[:-1, 1:-1]))

    # height
    Hy = (H[1:-1, 1:] + H[1:-1, :-1]) / 2 - dt / (2 * dy) * (V[1:-1, 1:] - V[1:-1, :-1])

    # x momentum
    Uy = (U[1:-1, 1:] + U[1:-1, :-1]) / 2 - \
        dt / (2 * dy) * ((V[1:-1, 1:] * U[1:-1, 1:] / H[1:-1, 1:])
                         - (V[1:-1, :-1] * U[1:-1, :-1] / H[1:-1, :-1]))
    # y momentum
    Vy = (V[1:-1, 1:] + V[1:-1, :-1]) / 2 - \
        dt / (2 * dy) * ((V[1:-1, 1:] ** 2 / H[1:-1, 1:] + g / 2 * H[1:-1, 1:] ** 2)
                         - (V[1:-1, :-1] ** 2 / H[1:-1, :-1] + g / 2 * H[1:-1, :-1] ** 2))

    # Second half step (the source's signs kept)

    # height
    H[1:-1, 1:-1] -= (dt / dx) * (Ux[1:, :] - Ux[:-1, :]) - (dt / dy) * (Vy[:, 1:] - Vy[:, :-1])

    # x momentum
    U[1:-1, 1:-1] -= (dt / dx) * ((Ux[1:, :] ** 2 / Hx[1:, :] + g / 2 * Hx[1:, :] ** 2)
                                  - (Ux[:-1, :] ** 2 / Hx[:-1, :] + g / 2 * Hx[:-1, :] ** 2)) - \
        (dt / dy) * ((Vy[:, 1:] * Uy[:, 1:] / Hy[:, 1:])
                     - (Vy[:, :-1] * Uy[:, :-1] / Hy[:, :-1]))
    # y momentum
    V[1:-1, 1:-1] -= (dt / dx) * ((Ux[1:, :] * Vx[1:, :] / Hx[1:, :])
                                  - (Ux[:-1, :] * Vx[:-1, :] / Hx[:-1, :])) - \
        (dt / dy) * ((Vy[:, 1:] ** 2 / Hy[:, 1:] + g / 2 * Hy[:, 1:] ** 2)
                     - (Vy[:, :-1] ** 2 / Hy[:, :-1] + g / 2 * Hy[:, :-1] ** 2))

    return (H, U, V)


def simulate(H, timesteps):
    U = np.zeros_like(H)
    V = np.zeros_like(H)
    for i in range(timesteps):      # the source's xrange (Python 2)
        (H, U, V) = step(H, U, V)
    return H


def shallow_water_row(p, n=16, timesteps=20):
    """The height every third cell after ``timesteps`` steps from a drop of height
    ``p[0]`` at (n/4, n/4) (the source's swater: 5.0 added to one cell of ``np.ones``;
    the field made as dualgrad's refusal of ``H[droploc, droploc] += p[0]`` names)."""
    droploc = n // 4
    H = np.ones_like(p, shape=(n + 2, n + 2))
    H[droploc, droploc] += p[0]
    return simulate(H, timesteps)[::3, ::3].ravel()


# --- structural reliability: a beam's limit state sampled by Monte Carlo, a fixed seed
def beam_margin(p, n=int(1e3), seed=0):
    """The source's draws of load q, span l, width b, height h and resistance R
    (``np.random.normal`` at module level there; the seed fixed here), the means of b and
    h the design parameters ``p``: drawn as ``loc + scale * np.random.standard_normal(n)``,
    which dualgrad's refusal of ``np.random.normal(p[0], 0.12, n)`` names (the same
    numbers under the same seed).  Returns the limit state's samples
    ``g = R - 3 q l**2 / (b h**2)`` (the source's ``I = g < 0``)."""
    np.random.seed(seed)
    q = np.random.normal(1.15, 0.03335, n)
    l = np.random.normal(60, 0.6, n)  # noqa: E741 (the source's name)
    b = p[0] + 0.12 * np.random.standard_normal(n)
    h = p[1] + 0.03 * np.random.standard_normal(n)
    R = np.random.normal(3600, 298.8, n)
    return R - (3 * q * l ** 2) / (b * h ** 2)


def reliability_row(p):
    """The Monte Carlo estimates of the margin's mean and standard deviation and the
    mean-value reliability index ``beta = mean / std`` (the source estimates
    ``P(g < 0) = mean(I)``, whose sample derivative is 0: tests/test_newuser59.py)."""
    m = beam_margin(p)
    mean, std = np.mean(m), np.std(m)
    return np.array([mean, std, mean / std])


PROBLEMS59 = {
    "GP likelihood, cho_factor (1)": (gp_likelihood, np.array([0.8])),
    "log-softmax cross-entropy (12)": (cross_entropy, _RNG.standard_normal(12) * 0.5),
    "arm IK objective, += buffer (3)": (ik_row, np.array([0.3, 0.4, 0.8])),
    "pendulum RK4, buffers (2)": (pendulum_row, np.array([0.25, 5.0])),
    "exp decay residuals, leastsq (3)": (decay_residuals, np.array([2.0, 1.0, 0.3])),
    "chemotaxis operators, np.pad (2)": (chemotaxis_row, np.array([1.0, 0.5])),
    "Churchill friction, Re sweep (2)": (friction_row, np.array([4.5e-5, 0.05])),
    "shallow water, in-place slices (1)": (shallow_water_row, np.array([5.0])),
    "beam reliability, Monte Carlo (2)": (reliability_row, np.array([4.0, 1.0])),
}
