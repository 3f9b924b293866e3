"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 70).

Kept in their sources' spelling, chosen for kinds corpus57 to corpus69 do not hold:
pyorb's Keplerian elements to a Cartesian state (orbital mechanics: a rotation matrix
filled entry by entry into ``np.empty``, ``kep.shape = (6, 1)`` to make a column, a
boolean-mask update ``a[e > 1] *= -1`` through a view of the input, three ``np.zeros``
/ ``np.empty`` buffers of ``dtype=kep.dtype``); Philip Mocz's pseudo-spectral
Navier-Stokes solver (``np.fft.fftn`` / ``ifftn``, ``np.real``, the 2/3 dealiasing mask,
a Poisson solve for the pressure and an implicit diffusion step in Fourier space, 10
steps of a 32 x 32 vortex); Chambolle's total-variation denoising as bLUe ships it
(``np.roll``, ``np.maximum(1, ...)``, a ``while`` loop with a ``break`` on the
iterates' ``np.linalg.norm``, 200 iterations on an 8 x 8 image); probabilistic-tf-idf's
beta-binomial log-likelihood (``scipy.special.gammaln`` of a broadcast sum,
``scipy.sparse`` count weights, ``np.where`` of the dense weights); a UR10 arm's
Denavit-Hartenberg chain (``np.array`` of nested lists of scalar duals and ``0`` / ``1``,
five ``np.dot``); a Huber-loss regression objective (``np.where`` of ``np.abs`` against
delta, delta an input); a non-isothermal CSTR with Arrhenius kinetics (``solve_ivp``'s
BDF, the rate constants module globals that the user's wrapper rebinds with ``global
A, Ea``).  A row of :data:`PROBLEMS70` wraps a function into ``f(x0) ->
1-D array``, as a user hands it to ``approx_fprime``; the inputs a user varies (the
vortex's two amplitudes and the viscosity, the image and the denoising weight, the
joint angles, the fit's parameters) are the parameters the source hard-codes or takes.
The Navier-Stokes, denoising, DH and Huber code runs as written (the solver's main loop
without its plotting and prints; the DH script's six ``DH(...)`` calls with the joint
angles taken from q).  The changes a user makes are what dualgrad's refusals name, each
marked ``dualgrad`` where it is made: kep_to_cart's ``isinstance(kep, np.ndarray)``
check is pyorb's own refusal (a dual array is no ndarray; removed); its ``kep.shape =
(6, 1)``, ``R.shape = R.shape + (1, )``, ``x.shape = (6,)`` and ``kep.shape = (6,)``
become ``.reshape`` (dualgrad's refusal: a dual's values and partials are separate
arrays); euler_rotation_matrix's ``R = np.empty((3, 3), dtype=np.float64)`` (the branch
a dual angle takes: its ``isinstance`` tests see no ndarray) and kep_to_cart's three
buffers become ``np.zeros_like(..., shape=...)`` (the refusals' spellings);
probabilistic-tf-idf's ``res.multiply(weights).sum(axis=1).A.ravel()`` over a COO
matrix whose ``data`` holds duals becomes ``np.bincount`` of its rows (scipy.sparse
converts with np.asarray: refused); the CSTR's ``solve_ivp`` becomes ``dg.solve_ivp``
(the refusal's drop-in).  dense_gammaln_ratio's debugging ``print`` is
dropped (it prints every call).

=====================  =================================================  ==========
function               repository / path                                  commit
=====================  =================================================  ==========
kep_to_cart, euler_..  danielk333/pyorb  pyorb/kepler.py, pyorb/const.py  c98f2071
poisson_solve, .., main pmocz/navier-stokes-spectral-python               1c7a1abb
                       navier-stokes-spectral.py
denoise                bvirxx/bLUe_PYSIDE  bLUeCore/tvDenoising.py        1f16abbd
                       (credit: Michael Beyeler, CC-BY 4.0)
sparse_gammaln_ratio,  mossadnik/probabilistic-tf-idf                     013f4e16
dense_.., beta_bino..  src/ptfidf/likelihood.py
DH (the script)        soksan00000/UR10-FK  UR10FK.py                     aee055db
huber                  KumarArindam/ML-CheatSheet  losses_scratch.py      5ff7fcf2
cstr_ode (the script)  Ignero/industrial-simulation-lab                   d6f3f429
                       scripts/cstr_dynamic_arrhenius.py
=====================  =================================================  ==========

Full commits: c98f2071ddb3bbb5a3a2c8a290eed281eea59fed,
1c7a1abb1ecf2a246f04d9a8ab11424db7a14e9d, 1f16abbd276831d8225a0d9956cc82e81c32c76c,
013f4e1653f1cf23abdebf0f62a75b5fc3eb6ece, aee055dbdf2c8cd66f19cf7bd18ecc2be42fcbb4,
5ff7fcf22b3a69e4f35d55943c13ca3ebc39ddff, d6f3f429aca5c9478d082c959a55fd5294fa24db.
"""

import numpy as np
import scipy.sparse as sp
from scipy.special import gammaln, digamma

import dualgrad as dg


# --- orbital mechanics: Keplerian elements to a Cartesian state (danielk333/pyorb, c98f2071)
GM_sol = 1.32712440018e20         # m^3/s^2 (pyorb/const.py)


def orbit_total_angular_momentum(a, e, mu):
    return np.sqrt(mu*a*(1 - e**2))


def parabolic_total_angular_momentum(q, mu):
    return np.sqrt(mu*2*q)


def orbital_distance(h, mu, e, nu, degrees=False):
    if degrees:
        _nu = np.radians(nu)
    else:
        _nu = nu

    return h**2/(mu*(1 + e*np.cos(_nu)))


def euler_rotation_matrix(inc, omega, Omega, degrees=False):
    if isinstance(inc, np.ndarray):
        R = np.empty((3, 3, inc.size), dtype=np.float64)
    elif isinstance(omega, np.ndarray):
        R = np.empty((3, 3, omega.size), dtype=np.float64)
    elif isinstance(Omega, np.ndarray):
        R = np.empty((3, 3, Omega.size), dtype=np.float64)
    else:
        R = np.zeros_like(inc, shape=(3, 3))  # dualgrad: the refusal's (a dual is no ndarray)

    if degrees:
        _omega = np.radians(omega)
        _inc = np.radians(inc)
        _Omega = np.radians(Omega)
    else:
        _omega = omega
        _inc = inc
        _Omega = Omega

    c1 = np.cos(_Omega)
    s1 = np.sin(_Omega)

    c2 = np.cos(_inc)
    s2 = np.sin(_inc)

    c3 = np.cos(_omega)
    s3 = np.sin(_omega)

    # col 0
    R[0, 0, ...] = c1*c3 - c2*s1*s3
    R[1, 0, ...] = c3*s1 + c1*c2*s3
    R[2, 0, ...] = s2*s3

    # col 1
    R[0, 1, ...] = -c1*s3 - c2*c3*s1
    R[1, 1, ...] = c1*c2*c3 - s1*s3
    R[2, 1, ...] = c3*s2

    # col 2
    R[0, 2, ...] = s1*s2
    R[1, 2, ...] = -c1*s2
    R[2, 2, ...] = c2

    return R


def kep_to_cart(kep, mu=GM_sol, degrees=False):
    # dualgrad: pyorb's `if not isinstance(kep, np.ndarray): raise TypeError(...)` removed
    if kep.shape[0] != 6:
        raise ValueError(f'Input data must have at least 6 variables \
            along axis 0: input shape is {kep.shape}')

    if len(kep.shape) < 2:
        input_is_vector = True
        try:
            kep = kep.reshape(6, 1)  # dualgrad: kep.shape = (6, 1)
        except ValueError as e:
            print(f'Error {e} while trying to cast vector into single column.')
            print(f'Input array shape: {kep.shape}')
            raise
    else:
        input_is_vector = False

    if not isinstance(mu, np.ndarray):
        mu = np.full((kep.shape[1],), mu, dtype=np.float64)

    x = np.zeros_like(kep, shape=kep.shape)  # dualgrad: np.empty(kep.shape, dtype=kep.dtype)

    if degrees:
        kep[2:, :] = np.radians(kep[2:, :])

    nu = kep[5, :]
    omega = kep[3, :]
    asc_node = kep[4, :]
    inc = kep[2, :]
    e = kep[1, :]
    a = kep[0, :]

    per = e == 1
    nper = np.logical_not(per)

    # In the consistent equations hyperbolas have negative semi-major axis
    a[e > 1] *= -1

    h = np.empty_like(a)
    h[nper] = orbit_total_angular_momentum(a[nper], e[nper], mu[nper])
    h[per] = parabolic_total_angular_momentum(a[per], mu[per])

    rn = orbital_distance(h, mu, e, nu, degrees=False)

    R = euler_rotation_matrix(inc, omega, asc_node, degrees=False)
    if len(R.shape) < 3:
        R = R.reshape(R.shape + (1, ))  # dualgrad: R.shape = R.shape + (1, )

    rx = rn*np.cos(nu)
    ry = rn*np.sin(nu)
    r = np.zeros_like(kep, shape=(3, kep.shape[1]))  # dualgrad: np.zeros(..., dtype=kep.dtype)
    r[0, :] = R[0, 0, ...]*rx + R[0, 1, ...]*ry
    r[1, :] = R[1, 0, ...]*rx + R[1, 1, ...]*ry
    r[2, :] = R[2, 0, ...]*rx + R[2, 1, ...]*ry

    vn = mu/h
    vx = -vn*np.sin(nu)
    vy = vn*(e + np.cos(nu))

    v = np.zeros_like(kep, shape=(3, kep.shape[1]))  # dualgrad: np.zeros(..., dtype=kep.dtype)
    v[0, :] = R[0, 0, ...]*vx + R[0, 1, ...]*vy
    v[1, :] = R[1, 0, ...]*vx + R[1, 1, ...]*vy
    v[2, :] = R[2, 0, ...]*vx + R[2, 1, ...]*vy

    x[:3, :] = r
    x[3:, :] = v

    if input_is_vector:
        x = x.reshape(6)  # dualgrad: x.shape = (6,)
        kep = kep.reshape(6)  # dualgrad: kep.shape = (6,)

    if degrees:
        kep[2:, ...] = np.degrees(kep[2:, ...])

    return x


# a, e, i, omega, Omega, nu of an elliptic heliocentric orbit (SI, radians)
KEP0 = np.array([2.2e11, 0.25, 0.3, 1.0, 2.0, 0.7])


def kep_row(kep):
    """The state (x, y, z, vx, vy, vz) of one object, pyorb's (6,) input."""
    return kep_to_cart(kep)


# --- fluid dynamics: a pseudo-spectral Navier-Stokes step (pmocz/navier-stokes-spectral-python)
def poisson_solve(rho, kSq_inv):
    """solve the Poisson equation, given source field rho"""
    V_hat = -(np.fft.fftn(rho)) * kSq_inv
    V = np.real(np.fft.ifftn(V_hat))
    return V


def diffusion_solve(v, dt, nu, kSq):
    """solve the diffusion equation over a timestep dt, given viscosity nu"""
    v_hat = (np.fft.fftn(v)) / (1.0 + dt * nu * kSq)
    v = np.real(np.fft.ifftn(v_hat))
    return v


def grad(v, kx, ky):
    """return gradient of v"""
    v_hat = np.fft.fftn(v)
    dvx = np.real(np.fft.ifftn(1j * kx * v_hat))
    dvy = np.real(np.fft.ifftn(1j * ky * v_hat))
    return dvx, dvy


def div(vx, vy, kx, ky):
    """return divergence of (vx,vy)"""
    dvx_x = np.real(np.fft.ifftn(1j * kx * np.fft.fftn(vx)))
    dvy_y = np.real(np.fft.ifftn(1j * ky * np.fft.fftn(vy)))
    return dvx_x + dvy_y


def curl(vx, vy, kx, ky):
    """return curl of (vx,vy)"""
    dvx_y = np.real(np.fft.ifftn(1j * ky * np.fft.fftn(vx)))
    dvy_x = np.real(np.fft.ifftn(1j * kx * np.fft.fftn(vy)))
    return dvy_x - dvx_y


def apply_dealias(f, dealias):
    """apply 2/3 rule dealias to field f"""
    f_hat = dealias * np.fft.fftn(f)
    return np.real(np.fft.ifftn(f_hat))


def main(p, N=32, tEnd=0.01):
    """Navier-Stokes Simulation: the source's main() with the vortex's amplitudes and
    the viscosity from p (the source: 1, 1, 0.001), N = 32 (400) and tEnd = 0.01 (1),
    without its plotting and prints; returns the last step's vorticity."""

    # Simulation parameters
    t = 0  # current time of the simulation
    dt = 0.001  # timestep
    nu = p[2]  # viscosity

    # Domain [0,1] x [0,1]
    L = 1
    xlin = np.linspace(0, L, num=N + 1)  # Note: x=0 & x=1 are the same point!
    xlin = xlin[0:N]  # chop off periodic point
    xx, yy = np.meshgrid(xlin, xlin)

    # Initial Condition (vortex)
    vx = -p[0] * np.sin(2 * np.pi * yy)
    vy = p[1] * np.sin(2 * np.pi * xx * 2)

    # Fourier Space Variables
    klin = 2.0 * np.pi / L * np.arange(-N / 2, N / 2)
    kmax = np.max(klin)
    kx, ky = np.meshgrid(klin, klin)
    kx = np.fft.ifftshift(kx)
    ky = np.fft.ifftshift(ky)
    kSq = kx**2 + ky**2
    with np.errstate(divide="ignore"):      # (the source warns here at every run)
        kSq_inv = 1.0 / kSq
    kSq_inv[kSq == 0] = 1

    # dealias with the 2/3 rule
    dealias = (np.abs(kx) < (2.0 / 3.0) * kmax) & (np.abs(ky) < (2.0 / 3.0) * kmax)

    # number of timesteps
    Nt = int(np.ceil(tEnd / dt))

    # Main Loop
    for i in range(Nt):
        # Advection: rhs = -(v.grad)v
        dvx_x, dvx_y = grad(vx, kx, ky)
        dvy_x, dvy_y = grad(vy, kx, ky)

        rhs_x = -(vx * dvx_x + vy * dvx_y)
        rhs_y = -(vx * dvy_x + vy * dvy_y)

        rhs_x = apply_dealias(rhs_x, dealias)
        rhs_y = apply_dealias(rhs_y, dealias)

        vx += dt * rhs_x
        vy += dt * rhs_y

        # Poisson solve for pressure
        div_rhs = div(rhs_x, rhs_y, kx, ky)
        P = poisson_solve(div_rhs, kSq_inv)
        dPx, dPy = grad(P, kx, ky)

        # Correction (to eliminate divergence component of velocity)
        vx += -dt * dPx
        vy += -dt * dPy

        # Diffusion solve (implicit)
        vx = diffusion_solve(vx, dt, nu, kSq)
        vy = diffusion_solve(vy, dt, nu, kSq)

        # vorticity (for plotting)
        wz = curl(vx, vy, kx, ky)

        # update time
        t += dt

    return wz


NS_P0 = np.array([1.0, 1.0, 0.001])


def ns_row(p):
    """The vorticity after 10 steps, 1024 values, by (amplitude x, amplitude y, nu)."""
    return main(p).ravel()


# --- image processing: total-variation denoising (bvirxx/bLUe_PYSIDE, 1f16abbd)
def denoise(img, weight=0.1, eps=1e-3, num_iter_max=200):
    """Perform total-variation denoising on a grayscale image (Rudin, Osher and Fatemi
    algorithm; the source's docstring shortened)."""


    u = np.zeros_like(img)
    px = np.zeros_like(img)
    py = np.zeros_like(img)

    nm = np.prod(img.shape[:2])
    tau = 0.125

    i = 0
    while i < num_iter_max:
        u_old = u

        # x and y components of u's gradient
        ux = np.roll(u, -1, axis=1) - u
        uy = np.roll(u, -1, axis=0) - u

        # update the dual variable
        px_new = px + (tau / weight) * ux
        py_new = py + (tau / weight) * uy

        norm_new = np.maximum(1, np.sqrt(px_new ** 2 + py_new ** 2))
        px = px_new / norm_new
        py = py_new / norm_new

        # calculate divergence
        rx = np.roll(px, 1, axis=1)
        ry = np.roll(py, 1, axis=0)
        div_p = (px - rx) + (py - ry)

        # update image
        u = img + weight * div_p

        # calculate error
        error = np.linalg.norm(u - u_old) / np.sqrt(nm)

        if i == 0:
            err_init = error
            err_prev = error
        else:
            # break if error small enough
            if np.abs(err_prev - error) < eps * err_init:
                break
            else:
                e_prev = error
        i += 1

    return u


_TV_Y, _TV_X = np.mgrid[0:8, 0:8]
# a bright disk on a dark ground plus seeded noise
TV_IMG = ((_TV_X - 3.5) ** 2 + (_TV_Y - 3.5) ** 2 < 7.0).astype(float) + \
    0.2 * np.random.default_rng(70).standard_normal((8, 8))


def tv_row(q):
    """The denoised 8 x 8 image (64 values) by the noisy image and the weight (65)."""
    return denoise(q[:64].reshape(8, 8), weight=q[64]).ravel()


# --- statistics: beta-binomial log-likelihood (mossadnik/probabilistic-tf-idf, 013f4e16)
def sparse_gammaln_ratio(x, weights, deriv=0):
    """Compute gammaln(x + n) - gammaln(x) parametrized with sparse weights."""
    if deriv == 0:
        func = gammaln
    elif deriv == 1:
        func = digamma
    else:
        raise NotImplementedError('Only derivatives up to first order supported')
    res = weights.tocoo(copy=True)
    x_row = x[res.row]
    res.data = func(x_row + res.col) - func(x_row)
    # dualgrad: res.multiply(weights).sum(axis=1).A.ravel() (scipy.sparse's asarray)
    return np.bincount(res.row, weights=res.data * weights.tocoo().data,
                       minlength=res.shape[0])


def dense_gammaln_ratio(x, weights, deriv=0):
    """Compute gammaln(x + n) - gammaln(x) parametrized with dense weights."""
    if deriv == 0:
        func = gammaln
    elif deriv == 1:
        func = digamma
    else:
        raise NotImplementedError('Only derivatives up to first order supported')
    counts = np.where(weights)[0]
    weights = weights[counts]
    return func(x[:, None] + counts[None, :]).dot(weights) - func(x) * weights.sum()


def beta_binomial_log_likelihood(
        alpha, beta,
        positive_weights, negative_weights, total_weights
):
    """Beta-binomial likelihood"""
    res = sparse_gammaln_ratio(alpha, positive_weights)
    res += sparse_gammaln_ratio(beta, negative_weights)
    res -= dense_gammaln_ratio(alpha + beta, total_weights)
    return res


def beta_binomial_log_likelihood_grad(
        alpha, beta,
        positive_weights, negative_weights, total_weights
):
    """Gradient of Beta-Binomial likelihood"""
    res = np.empty((2, alpha.size))
    res[0] = sparse_gammaln_ratio(alpha, positive_weights, deriv=1)
    res[1] = sparse_gammaln_ratio(beta, negative_weights, deriv=1)
    res -= dense_gammaln_ratio(alpha + beta, total_weights, deriv=1)
    return res


# 8 tokens: weights[i, n] = how many documents saw token i in n of their entries (n a
# column; CSR as the source's callers pass it), the totals shared by every token
_BB_RNG = np.random.default_rng(7)
BB_POS = sp.csr_matrix(_BB_RNG.poisson(1.5, size=(8, 6)) * (_BB_RNG.random((8, 6)) < 0.7))
BB_NEG = sp.csr_matrix(_BB_RNG.poisson(1.5, size=(8, 6)) * (_BB_RNG.random((8, 6)) < 0.7))
BB_TOT = np.array([0.0, 3.0, 0.0, 5.0, 2.0, 0.0, 4.0, 1.0])
BB_P0 = np.concatenate([np.linspace(0.6, 2.4, 8), np.linspace(3.0, 1.2, 8)])


def bb_row(p):
    """The 8 tokens' log-likelihoods by their alpha (8) and beta (8)."""
    return beta_binomial_log_likelihood(p[:8], p[8:], BB_POS, BB_NEG, BB_TOT)


# --- robotics: a UR10 arm's Denavit-Hartenberg chain (soksan00000/UR10-FK, aee055db)
def DH(a_n, d_n, theta_n, alpha_n):
  H=np.array([[np.cos(theta_n), -np.sin(theta_n)*np.cos(alpha_n), np.sin(theta_n)*np.sin(alpha_n), a_n*np.cos(theta_n)], [np.sin(theta_n), np.cos(theta_n)*np.cos(alpha_n), -np.cos(theta_n)*np.sin(alpha_n), a_n*np.sin(theta_n)], [0, np.sin(alpha_n), np.cos(alpha_n), d_n], [0, 0, 0, 1]])  # noqa: E501
  return H


def ur10_fk(q):
    """The script's chain with the joint angles (its third DH argument) from q."""
    H1 = DH(0,0.089,q[0],np.pi/2)
    H2 = DH(-0.425,0,q[1],0)
    H3 = DH(-0.392,0,q[2],0)
    H4 = DH(0,0.109,q[3],np.pi/2)
    H5 = DH(0,0.094,q[4],-np.pi/2)
    H6 = DH(0,0.082,q[5],0)
    V = np.dot(np.dot(H1,H2),H3)
    N = np.dot(np.dot(V,H4),H5)
    H = np.dot(N,H6)
    return H


UR10_Q0 = np.array([np.pi / 2 + 0.1, -0.3, 0.4, np.pi / 2 - 0.2, -np.pi / 2 + 0.25, 0.15])


def ur10_row(q):
    """The end effector's rotation and position (the top 3 x 4 of H, 12 values)."""
    return ur10_fk(q)[:3].ravel()


# --- optimization: a Huber-loss regression objective (KumarArindam/ML-CheatSheet, 5ff7fcf2)
# huber loss
def huber(true, pred, delta):
    loss = np.where(np.abs(true-pred) < delta , 0.5*((true-pred)**2), delta*np.abs(true - pred) - 0.5*(delta**2))  # noqa: E501
    return np.sum(loss)


_HU_RNG = np.random.default_rng(11)
HU_X = np.column_stack([np.ones(40), _HU_RNG.uniform(-2.0, 2.0, 40)])
HU_Y = HU_X @ np.array([0.5, 2.0]) + 0.3 * _HU_RNG.standard_normal(40)
HU_Y[::7] += 4.0                          # outliers, which the Huber loss weighs linearly


def huber_row(w):
    """The loss of the line w[0] + w[1] x with delta = w[2] (a scalar, as an optimizer
    wants it; a 1-element array for bench_corpus's rows)."""
    return np.atleast_1d(huber(HU_Y, HU_X @ w[:2], w[2]))


HU_W0 = np.array([0.4, 1.8, 1.0])


# --- chemical kinetics: a non-isothermal CSTR (Ignero/industrial-simulation-lab, d6f3f429)
# ========================================================
# Parameters
# ========================================================

V = 10.0            # m3
F = 1.0             # m3/s

C_in = 2.0          # kg/m3
T_in = 350.0        # K

A = 1.0e7           # 1/s
Ea = 80000.0        # J/mol
R = 8.314           # J/(mol*K)

delta_H = -50000.0  # J/mol (exothermic)
rhoCp = 4.0e6       # J/(m3*K)

C0 = 0.5            # kg/m3
T0 = 350.0          # K


# ========================================================
# Model
# ========================================================

def cstr_ode(t, y):
    C, T = y

    # Arrhenius rate constant
    k = A * np.exp(-Ea / (R * T))

    # Mass balance
    dCdt = (F / V) * (C_in - C) - k * C

    # Energy balance
    dTdt = (F / V) * (T_in - T) + (-delta_H / rhoCp) * k * C

    return [dCdt, dTdt]


t_span = (0, 50)
t_eval = np.linspace(*t_span, 200)


def cstr_row(p):
    """The script's simulation as a function of the Arrhenius pair (A, Ea), which the
    model reads as module globals: C(t) and T(t) at every 20th output time (20 values)."""
    global A, Ea
    A, Ea = p
    y0 = [C0, T0]
    sol = dg.solve_ivp(cstr_ode, t_span, y0, t_eval=t_eval, method="BDF")  # dualgrad
    return sol.y[:, ::20].ravel()


CSTR_P0 = np.array([1.0e7, 80000.0])


PROBLEMS70 = {
    "pyorb kep_to_cart, buffers + shape (6)": (kep_row, KEP0.copy()),
    "Navier-Stokes spectral, fft 32x32 (3)": (ns_row, NS_P0.copy()),
    "TV denoising, maximum + while (65)": (tv_row, np.concatenate([TV_IMG.ravel(), [0.1]])),
    "beta-binomial loglik, gammaln (16)": (bb_row, BB_P0.copy()),
    "UR10 DH chain, object np.dot (6)": (ur10_row, UR10_Q0.copy()),
    "Huber regression, where + abs (3)": (huber_row, HU_W0.copy()),
    "CSTR Arrhenius, BDF + globals (2)": (cstr_row, CSTR_P0.copy()),
}
