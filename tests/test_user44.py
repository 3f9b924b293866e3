"""A macroeconomist's first day (user44, stop 44): the fixes and the workflow, each
against an independent oracle.

* ``dualgrad.scipy.linalg.solve_discrete_lyapunov``: a VAR's or a linearized model's
  unconditional covariance, ``X = A X A^H + Q`` (SciPy's own converts its input).
  Oracles: the closed form of a diagonal ``A`` (``X_ij = Q_ij / (1 - a_i a_j)``, its
  first and second derivatives), complex-step derivatives of the Kronecker form
  ``vec X = (I - A (x) A)^{-1} vec Q`` on floats, central differences of SciPy's own.
* A numba-jitted library function that fills a 2-D buffer (QuantEcon's Tauchen
  loop) names its Python original, ``kern.py_func``, and that route is exact
  (8th-order central differences).
* The workflow: Tauchen's transition matrix through ``dualgrad.scipy.stats.norm.cdf``
  and its stationary distribution (complex-step-free: central differences), and a
  Klein solution of the log-linear RBC model, whose policy with full depreciation has
  the closed form ``log c' = alpha log k + z``.
"""

import math

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.errors import DualTypeError
from dualgrad.scipy import stats
from dualgrad.scipy.linalg import solve_discrete_lyapunov as sdl
from dualgrad.testing import numerical_jacobian

sl = pytest.importorskip("scipy.linalg")

RNG = np.random.default_rng(44)
A3 = RNG.standard_normal((3, 3)) * 0.3
B3 = RNG.standard_normal((3, 2))
A10 = RNG.standard_normal((10, 10)) * 0.2


def _kron_form(a, q):
    """``X = A X A^T + Q`` through ``vec X = (I - A (x) A)^{-1} vec Q`` (row-major vec),
    on floats or complex numbers (the complex step)."""
    m = a.shape[-1]
    return np.linalg.solve(np.eye(m * m) - np.kron(a, a), q.reshape(-1)).reshape(m, m)


def _complex_step(f, x, h=1e-30):
    return np.stack([f(x + 1j * h * e).imag / h for e in np.eye(x.size)], axis=-1)


def test_lyapunov_ar1_variance_and_its_derivative_are_the_closed_forms():
    rho, s2 = 0.5, 0.7
    var = lambda r: sdl(np.reshape(r, (1, 1)), s2 * np.eye(1))[0, 0]
    assert dg.derivative(var, rho) == pytest.approx(2 * rho * s2 / (1 - rho ** 2) ** 2,
                                                    rel=1e-15)


def test_lyapunov_of_a_diagonal_var_gradient_and_hessian_are_the_closed_forms():
    """X_ij = Q_ij / (1 - a_i a_j): sum(X * W) of the two persistences."""
    Q = np.array([[1.0, 0.3], [0.3, 0.5]])
    W = np.array([[1.0, 2.0], [3.0, 0.5]])
    a = np.array([0.6, -0.4])

    def f(p):
        return np.sum(sdl(np.diag(p), Q) * W)

    i, j = np.meshgrid([0, 1], [0, 1], indexing="ij")
    den = 1 - a[i] * a[j]
    c = Q * W
    grad = np.zeros(2)
    hess = np.zeros((2, 2))
    for ii in range(2):
        for jj in range(2):
            # d/da_k of c / (1 - a_i a_j) = c (d(a_i a_j)/da_k) / den^2
            g = np.zeros(2)
            g[ii] += a[jj]
            g[jj] += a[ii]
            h = np.zeros((2, 2))
            h[ii, jj] += 1.0
            h[jj, ii] += 1.0
            d = den[ii, jj]
            grad += c[ii, jj] * g / d ** 2
            hess += c[ii, jj] * (h / d ** 2 + 2 * np.outer(g, g) / d ** 3)
    np.testing.assert_allclose(dg.gradient(f, a), grad, rtol=1e-14)
    np.testing.assert_allclose(dg.hessian(f, a), hess, rtol=1e-13)


@pytest.mark.parametrize("method", [None, "direct", "bilinear"])
def test_lyapunov_jacobian_in_a_and_b_against_the_complex_step(method):
    p0 = np.concatenate([A3.ravel(), B3.ravel()])

    def ours(p):
        A, B = p[:9].reshape(3, 3), p[9:].reshape(3, 2)
        return sdl(A, B @ B.T, method=method)

    def kron(p):
        A, B = p[:9].reshape(3, 3), p[9:].reshape(3, 2)
        return _kron_form(A, B @ B.T)

    J = dg.jacobian(ours, p0)
    np.testing.assert_allclose(J, _complex_step(kron, p0), rtol=1e-12, atol=1e-13)


def test_lyapunov_bilinear_size_against_the_complex_step():
    """M = 10: SciPy's default turns to the bilinear method, value and partials."""
    J = dg.jacobian(lambda a: sdl(a.reshape(10, 10), np.eye(10))[0], A10.ravel())
    want = _complex_step(lambda a: _kron_form(a.reshape(10, 10), np.eye(10))[0], A10.ravel())
    assert np.max(np.abs(J - want)) <= 1e-13 * np.max(np.abs(want))


@pytest.mark.engine_independent
def test_lyapunov_plain_input_is_scipys_to_the_bit():
    got = sdl(A3, B3 @ B3.T)
    assert type(got) is np.ndarray
    assert np.array_equal(got, sl.solve_discrete_lyapunov(A3, B3 @ B3.T))
    assert np.array_equal(sdl(A10, np.eye(10), method="direct"),
                          sl.solve_discrete_lyapunov(A10, np.eye(10), method="direct"))


def test_lyapunov_value_on_duals_is_scipys():
    assert dg.jacobian(lambda a: sdl(a.reshape(3, 3), np.eye(3)), A3.ravel()).shape == (3, 3, 9)
    seen = []
    dg.jacobian(lambda a: seen.append(dg.stop_gradient(sdl(a.reshape(3, 3), np.eye(3)))) or a,
                A3.ravel())
    assert np.array_equal(seen[0], sl.solve_discrete_lyapunov(A3, np.eye(3)))


def test_lyapunov_batches_broadcast_as_scipys():
    """A stack of transition matrices with one Q (a dual), one A (a dual) with a stack
    of Q: each matrix of the batch as its own call (checked above against the complex
    step)."""
    Ab = np.stack([A3, 0.5 * A3])
    J = dg.jacobian(lambda q: sdl(Ab, q.reshape(3, 3)), np.eye(3).ravel())
    for k in range(2):
        want = _complex_step(lambda q: _kron_form(Ab[k], q.reshape(3, 3)), np.eye(3).ravel())
        np.testing.assert_allclose(J[k], want, rtol=1e-12, atol=1e-13)
    Qb = np.stack([np.eye(3), B3 @ B3.T])
    J = dg.jacobian(lambda a: sdl(a.reshape(3, 3), Qb), A3.ravel())
    for k in range(2):
        want = _complex_step(lambda a: _kron_form(a.reshape(3, 3), Qb[k]), A3.ravel())
        np.testing.assert_allclose(J[k], want, rtol=1e-12, atol=1e-13)


def test_lyapunov_complex_a_along_real_parameters_against_central_differences():
    Ac = A3 + 0.1j * RNG.standard_normal((3, 3))

    def scipy_form(t):
        return sl.solve_discrete_lyapunov(Ac * t[0], np.eye(3) * t[1])

    J = dg.jacobian(lambda t: sdl(Ac * t[0], np.eye(3) * t[1]), np.array([1.0, 1.0]))
    h = 1e-3
    want = np.stack([sum(c * scipy_form(np.ones(2) + m * h * e) for m, c in
                         zip(range(-4, 5), [1 / 280, -4 / 105, 1 / 5, -4 / 5, 0, 4 / 5, -1 / 5,
                                             4 / 105, -1 / 280]) if c) / h
                     for e in np.eye(2)], axis=-1)
    np.testing.assert_allclose(J, want, rtol=1e-9, atol=1e-10)
    with pytest.raises(DualTypeError, match="solve_discrete_lyapunov"):
        dg.jacobian(lambda z: sdl(Ac * z[0], np.eye(3)), np.array([1.0 + 0j]), holomorphic=True)


def test_lyapunov_refusals_name_themselves():
    with pytest.raises(DualTypeError, match="cannot detect a sparsity pattern"):
        dg.sparsity(lambda a: sdl(a.reshape(3, 3), np.eye(3)), A3.ravel())
    with pytest.raises(DualTypeError,
                       match=r"use dualgrad\.scipy\.linalg\.solve_discrete_lyapunov"):
        dg.jacobian(lambda a: sl.solve_discrete_lyapunov(a.reshape(3, 3), np.eye(3)),
                    A3.ravel())


def test_kalman_initial_covariance_of_a_var_through_the_drop_in():
    """The log-likelihood of a VAR(1) observed in noise, its filter started at the
    unconditional covariance: gradient against central differences of the same
    function with SciPy's own solver (floats)."""
    y = RNG.standard_normal((30, 2))

    def nll(p, solve):
        A = np.stack([np.stack([p[0], p[1]]), np.stack([0.0 * p[0], p[2]])])
        Q = np.eye(2) * 0.3
        P = solve(A, Q)
        m = np.zeros(2)
        ll = 0.0
        for t in range(len(y)):
            F = P + 0.2 * np.eye(2)
            v = y[t] - m
            ll = ll + 0.5 * (np.log(np.linalg.det(F)) + v @ np.linalg.solve(F, v))
            K = P @ np.linalg.inv(F)
            m, P = A @ (m + K @ v), A @ (P - K @ P) @ A.T + Q
        return ll

    p0 = np.array([0.5, 0.2, -0.3])
    g = dg.gradient(lambda p: nll(p, sdl), p0)
    want = numerical_jacobian(lambda p: nll(p, sl.solve_discrete_lyapunov), p0)
    np.testing.assert_allclose(g, want, rtol=1e-8)


# --- a numba-jitted library loop that fills a matrix (QuantEcon's Tauchen) -----------

def _tauchen_parts():
    numba = pytest.importorskip("numba")

    @numba.njit
    def std_norm_cdf(x):
        return 0.5 * math.erfc(-x / math.sqrt(2))

    @numba.njit
    def fill(x, P, n, rho, sigma, half_step):     # QuantEcon's _fill_tauchen's loop
        for i in range(n):
            P[i, 0] = std_norm_cdf((x[0] - rho * x[i] + half_step) / sigma)
            P[i, n - 1] = 1 - std_norm_cdf((x[n - 1] - rho * x[i] - half_step) / sigma)
            for j in range(1, n - 1):
                z = x[j] - rho * x[i]
                P[i, j] = (std_norm_cdf((z + half_step) / sigma)
                           - std_norm_cdf((z - half_step) / sigma))

    def tauchen(theta, n=5, py_func=False):
        rho, sigma = theta[0], theta[1]
        x_max = 3 * np.sqrt(sigma ** 2 / (1 - rho ** 2))
        x = np.linspace(-x_max, x_max, n)
        P = np.empty_like(x, shape=(n, n))
        (fill.py_func if py_func else fill)(x, P, n, rho, sigma, x_max / (n - 1))
        return P

    return tauchen


def test_a_jitted_loop_filling_a_matrix_names_its_python_original():
    tauchen = _tauchen_parts()
    with pytest.raises(DualTypeError, match=r"kern\.py_func\(x, P, \.\.\.\)"):
        dg.jacobian(tauchen, np.array([0.9, 0.1]))
    th = np.array([0.9, 0.1])
    J = dg.jacobian(lambda t: tauchen(t, py_func=True), th)
    want = numerical_jacobian(lambda t: tauchen(t), th)
    np.testing.assert_allclose(J, want, rtol=1e-7, atol=1e-9)


# --- the workflow: Tauchen -> stationary distribution; a Klein solution ---------------

def _tauchen_vectorized(n, rho, sigma, norm_cdf):
    x_max = 3 * np.sqrt(sigma ** 2 / (1 - rho ** 2))
    x = np.linspace(-x_max, x_max, n)
    z = x[None, :] - rho * x[:, None]
    half = x_max / (n - 1)
    up, lo = norm_cdf((z + half) / sigma), norm_cdf((z - half) / sigma)
    P = up - lo
    P[:, 0] = up[:, 0]
    P[:, -1] = 1 - lo[:, -1]
    return x, P


def _moments(theta, norm_cdf, how):
    x, P = _tauchen_vectorized(7, theta[0], theta[1], norm_cdf)
    if how == "solve":
        A = P.T - np.eye(7)
        A[-1, :] = 1.0
        b = np.zeros(7)
        b[-1] = 1.0
        pi = np.linalg.solve(A, b)
    else:
        w, V = np.linalg.eig(P.T)
        v = np.real(V[:, np.argmin(np.abs(w - 1))])
        pi = v / np.sum(v)
    return np.stack([pi @ np.exp(x), pi @ x ** 2])


@pytest.mark.parametrize("how", ["solve", "eig"])
def test_tauchen_stationary_moments_against_central_differences(how):
    import scipy.stats as ss
    th = np.array([0.8, 0.2])
    J = dg.jacobian(lambda t: _moments(t, stats.norm.cdf, how), th)
    want = numerical_jacobian(lambda t: _moments(t, ss.norm.cdf, "solve"), th)
    np.testing.assert_allclose(J, want, rtol=1e-8)


def _rbc_policy(p):
    """Linearize the log RBC model's equilibrium conditions with dg.jacobian at the
    steady state and solve it by the stable eigenvectors of A^{-1} B (Klein's
    solution, as QZ gives it on the values)."""
    alpha, beta, delta, rho = p[0], p[1], p[2], p[3]

    def equations(xf, xc):
        kf, zf, cf = np.exp(xf[0]), np.exp(xf[1]), np.exp(xf[2])
        k, z, c = np.exp(xc[0]), np.exp(xc[1]), np.exp(xc[2])
        euler = beta * (alpha * zf * kf ** (alpha - 1) + 1 - delta) * c / cf - 1
        resource = (z * k ** alpha + (1 - delta) * k - c - kf) / k
        return np.stack([euler, resource, rho * xc[1] - xf[1]])

    k = (alpha / (1 / beta - 1 + delta)) ** (1 / (1 - alpha))
    ss = np.stack([np.log(k), 0.0 * k, np.log(k ** alpha - delta * k)])
    J = dg.jacobian(lambda v: equations(v[:3], v[3:]), np.concatenate([ss, ss]))
    M = np.linalg.solve(J[:, :3], -J[:, 3:])
    w, V = np.linalg.eig(M)
    W = np.linalg.inv(V[:, np.argsort(np.abs(dg.stop_gradient(w)))])
    F = -np.linalg.solve(W[2:, 2:], W[2:, :2])
    return np.concatenate([F.ravel(), (M[:2, :2] + M[:2, 2:] @ F).ravel()])


def test_klein_policy_derivatives_are_the_closed_form_at_full_depreciation():
    """delta = 1, log utility: log c' = alpha log k + z and log k' = alpha log k + z, so
    d(policy)/d(alpha, beta, delta = 1 fixed, rho) is 1 on alpha's and rho's entries."""
    p = np.array([0.36, 0.96, 1.0, 0.9])
    J = dg.jacobian(_rbc_policy, p)
    np.testing.assert_allclose(_rbc_policy(p), [0.36, 1.0, 0.36, 1.0, 0.0, 0.9], atol=1e-13)
    want_alpha = np.array([1.0, 0.0, 1.0, 0.0, 0.0, 0.0])
    want_rho = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(J[:, 0], want_alpha, atol=1e-13)
    np.testing.assert_allclose(J[:, 1], 0.0, atol=1e-13)
    np.testing.assert_allclose(J[:, 3], want_rho, atol=1e-13)


# --- np.interp at one point with moving knots (EGM's inner loop) ------------------------

XP = np.array([0.0, 0.7, 1.5, 2.0, 3.2])
FP = np.array([0.3, -0.4, 1.1, 0.9, 2.0])


@pytest.mark.parametrize("x0", [-0.5, 0.0, 0.7, 1.1, 3.2, 4.0])
def test_scalar_interp_with_moving_knots_is_the_segment_formula(x0):
    """d/d(x, xp, fp) of fp_i + (fp_j - fp_i) (x - xp_i) / (xp_j - xp_i), j = i + 1,
    written out (right-continuous at a knot, as NumPy picks the segment); beyond the
    ends fp's end value, which only that fp moves."""
    p = np.concatenate([[x0], XP, FP])
    g = dg.gradient(lambda q: np.interp(q[0], q[1:6], q[6:]), p)
    want = np.zeros(11)
    if x0 < XP[0]:
        want[6] = 1.0
    elif x0 > XP[-1]:
        want[10] = 1.0
    else:
        i = min(int(np.searchsorted(XP, x0, side="right")) - 1, 3)
        h, t = XP[i + 1] - XP[i], (x0 - XP[i]) / (XP[i + 1] - XP[i])
        s = (FP[i + 1] - FP[i]) / h
        want[0] = s
        want[1 + i] = -s * (1 - t)
        want[2 + i] = -s * t
        want[6 + i] = 1 - t
        want[7 + i] = t
    np.testing.assert_allclose(g, want, rtol=1e-14, atol=1e-15)


def test_scalar_interp_hessian_and_ends_against_differences():
    p = np.concatenate([[1.1], XP, FP])
    f = lambda q: np.interp(q[0], q[1:6], q[6:], left=2 * q[6], right=q[0] ** 2)
    H = dg.hessian(f, p)
    want = numerical_jacobian(lambda q: numerical_jacobian(f, q, 1e-3), p, 1e-3)
    np.testing.assert_allclose(H, want, atol=1e-7)
    for x0, k in [(-1.0, 6), (5.0, 0)]:                 # left=2 fp_0, right=x**2
        g = dg.gradient(f, np.concatenate([[x0], XP, FP]))
        want = np.zeros(11)
        want[k] = 2.0 if k == 6 else 2 * x0
        np.testing.assert_array_equal(g, want)


def _egm(theta, xnp, iters=8, size=12):
    r, beta, gamma = theta[0], theta[1], theta[2]
    s = xnp.linspace(0, 16, size)
    Pi = xnp.array(((0.6, 0.4), (0.05, 0.95)))
    z = xnp.array((-10.0, np.log(2.0)))
    c = s[:, None] * xnp.ones(2)
    ae = c
    for _ in range(iters):
        if xnp is np:
            new = np.zeros_like(beta, shape=c.shape)
            for i in range(1, size):
                for j in range(2):
                    e = 0.0
                    for k in range(2):
                        nc = np.interp((1 + r) * s[i] + np.exp(z[k]), ae[:, k], c[:, k])
                        e += nc ** (-gamma) * Pi[j, k]
                    new[i, j] = (beta * (1 + r) * e) ** (-1 / gamma)
        else:
            nxt = xnp.stack([xnp.interp((1 + r) * s[1:] + xnp.exp(z[k]), ae[:, k], c[:, k])
                             for k in range(2)], 1)
            new = xnp.concatenate([xnp.zeros((1, 2)),
                                   (beta * (1 + r) * nxt ** (-gamma) @ Pi.T) ** (-1 / gamma)])
        c, ae = new, new + s[:, None]
    return c[1:, 1]


def test_egm_time_iteration_against_central_differences():
    """QuantEcon's K_numpy (lectures/ifp_egm.md @ 09c8a0eb), scalar np.interp with
    moving knots in its loops: second-order central differences at h = 1e-6 (a larger
    step crosses a knot: 1e-4 is off by 1e-2 on the lecture's grid)."""
    th = np.array([0.01, 0.96, 1.5])
    J = dg.jacobian(lambda t: _egm(t, np), th)
    h = 1e-6
    want = np.stack([(_egm(th + h * e, np) - _egm(th - h * e, np)) / (2 * h)
                     for e in np.eye(3)], axis=-1)
    np.testing.assert_allclose(J, want, rtol=1e-6, atol=1e-7 * np.max(np.abs(want)))


def test_egm_time_iteration_against_jax():
    """The same against jax.jacfwd of the lecture's own jnp spelling (importing jax
    starts its threads: opt-in, as tests/test_nested_oracle.py's jax oracle)."""
    import os
    if not os.environ.get("DUALGRAD_JAX_ORACLE"):
        pytest.skip("set DUALGRAD_JAX_ORACLE=1 to compare with jax.jacfwd")
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    th = np.array([0.01, 0.96, 1.5])
    want = np.asarray(jax.jacfwd(lambda t: _egm(t, jnp))(jnp.asarray(th)))
    np.testing.assert_allclose(dg.jacobian(lambda t: _egm(t, np), th), want, rtol=1e-12,
                               atol=1e-12 * np.max(np.abs(want)))


# --- numpy.polynomial's fits (projection methods) -------------------------------------

@pytest.mark.parametrize("name", ["chebfit", "polyfit", "Chebyshev.fit"])
def test_numpy_polynomial_fits_name_lstsq_with_their_vandermonde(name):
    """numpy.polynomial is Python that converts y with np.asarray: the refusal named
    np.chebfit (np.polyfit for np.polynomial.polynomial.polyfit, which is another
    function and takes duals) and told the user to build the dual array they had
    passed. The spelling it names now is the least-squares map, pinv(V)."""
    P = np.polynomial
    x = np.linspace(0.2, 3.0, 11)
    fit, V, where = {
        "chebfit": (lambda y: P.chebyshev.chebfit(x, y, 3), P.chebyshev.chebvander(x, 3),
                    r"np\.polynomial\.chebyshev\.chebfit converts .*\.chebvander\(x, deg\)"),
        "polyfit": (lambda y: P.polynomial.polyfit(x, y, 3), P.polynomial.polyvander(x, 3),
                    r"np\.polynomial\.polynomial\.polyfit converts .*\.polyvander\(x, deg\)"),
        "Chebyshev.fit": (lambda y: P.Chebyshev.fit(x, y, 3).coef,
                          P.chebyshev.chebvander((2 * x - 3.2) / 2.8, 3),
                          r"Chebyshev\.fit, .* t = \(2 \* x - \(a \+ b\)\) / \(b - a\)"),
    }[name]
    y = np.log(x)
    with pytest.raises(DualTypeError, match=where):
        dg.jacobian(fit, y)
    J = dg.jacobian(lambda q: np.linalg.lstsq(V, q, rcond=None)[0], y)
    np.testing.assert_allclose(J, np.linalg.pinv(V), atol=1e-13)
    np.testing.assert_allclose(np.linalg.lstsq(V, y, rcond=None)[0], fit(y), atol=1e-12)


def test_float_of_a_dual_names_the_users_line():
    """QuantEcon's Rouwenhorst starts with ``from math import sqrt``: math.sqrt(d) calls
    float(d) from C, and the refusal named no line (the user's frame is float's
    caller)."""
    from math import sqrt

    def rouwenhorst_sd(theta):
        rho, sigma = theta[0], theta[1]
        return sqrt(sigma ** 2 / (1 - rho ** 2))        # the line the message names

    with pytest.raises(DualTypeError) as info:
        dg.gradient(rouwenhorst_sd, np.array([0.9, 0.1]))
    text = str(info.value)
    assert text.startswith("dualgrad: float(d) (also called by math.* and np.float64(d)) "
                           "would drop the derivatives of a dual number; expected code that "
                           "keeps values as duals. (at line ")
    assert "of test_user44.py: `return sqrt(sigma ** 2 / (1 - rho ** 2))" in text
    # the spelling the message gives (NumPy's function) is the closed form's derivative
    g = dg.gradient(lambda t: np.sqrt(t[1] ** 2 / (1 - t[0] ** 2)), np.array([0.9, 0.1]))
    np.testing.assert_allclose(g, [0.1 * 0.9 / (1 - 0.81) ** 1.5, 1 / np.sqrt(1 - 0.81)],
                               rtol=1e-14)
