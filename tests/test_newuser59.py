"""newuser59: real functions from public scientific code (bench/corpus59.py) against
independent oracles, and the refusals a new user meets on the way.

A Gaussian-process likelihood through ``cho_factor`` / ``cho_solve`` (the matrix
derivative formulas in mpmath at 40 digits), a log-softmax cross-entropy (the closed
form ``X^T (softmax - Y) / N``), a planar arm's inverse-kinematics objective (its
analytic gradient; SciPy's SLSQP with dualgrad's gradient), a pendulum by the source's
RK4 loop (a complex step through the same loop), an exponential decay's residuals (the
source's own hand-written Jacobian, and leastsq with dualgrad's), reflect-padded PDE
operators on a 2-D grid (a complex step), Churchill's friction factor (a complex
step), shallow water by Lax-Wendroff with in-place slice updates (a complex step), a
beam's limit state sampled by Monte Carlo (the closed form over the same draws).  The
sources' ``np.zeros`` / ``np.ones`` buffers, ``np.array(x, dtype=float)``,
``scipy.linalg.cho_factor`` and ``np.random.normal`` of a dual mean are refused, each
message naming the fix the corpus applies; the failure probability's indicator warns.
"""

import warnings

import mpmath
import numpy as np
import pytest
import scipy.linalg
import scipy.optimize

import dualgrad as dg
from dualgrad.testing import complex_step
from _probes import bench_module

c = bench_module("corpus59")


def test_gp_likelihood_matches_matrix_derivative_in_mpmath():
    s = 0.8
    g = dg.gradient(lambda q: c.gp_likelihood(q)[0], np.array([s]))
    # f = -(c.c + sum log diag U) / 2 with U the upper factor of Kr = K + r I and
    # c = Kr^-1 y: df/ds = -(-2 c^T Kr^-1 K' c + tr(Kr^-1 K') / 2) / 2, K' = K D^2 / s^3
    with mpmath.workdps(40):
        x, y, r = c.GP_X, c.GP_Y, mpmath.mpf("1e-10")
        n = len(x)
        D2 = mpmath.matrix(n, n)
        K = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                D2[i, j] = (mpmath.mpf(float(x[i])) - mpmath.mpf(float(x[j]))) ** 2
                K[i, j] = mpmath.exp(-D2[i, j] / (2 * mpmath.mpf(s) ** 2))
        dK = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                dK[i, j] = K[i, j] * D2[i, j] / mpmath.mpf(s) ** 3
        Kr = K + r * mpmath.eye(n)
        Kinv = Kr ** -1
        cc = Kinv * mpmath.matrix([mpmath.mpf(float(v)) for v in y])
        quad = (cc.T * (Kinv * (dK * cc)))[0]
        trace = sum((Kinv * dK)[i, i] for i in range(n))
        ref = float(-(-2 * quad + trace / 2) / 2)
    assert abs(g[0] - ref) <= 1e-7 * abs(ref)        # Kr's condition number ~1e9
    assert abs(ref) > 1.0


def test_gp_likelihood_second_derivative_matches_mpmath():
    # the likelihood itself at 40 digits, differentiated twice by mpmath (Kr's condition
    # number ~1e9 bounds what float64 can give)
    with mpmath.workdps(40):
        x = [mpmath.mpf(float(v)) for v in c.GP_X]
        y = mpmath.matrix([mpmath.mpf(float(v)) for v in c.GP_Y])
        n = len(x)

        def F(s):
            K = mpmath.matrix(n, n)
            for i in range(n):
                for j in range(n):
                    K[i, j] = mpmath.exp(-(x[i] - x[j]) ** 2 / (2 * s ** 2))
            Kr = K + mpmath.mpf("1e-10") * mpmath.eye(n)
            cc = mpmath.lu_solve(Kr, y)
            return -(sum(v ** 2 for v in cc) + mpmath.log(mpmath.det(Kr)) / 2) / 2

        ref = float(mpmath.diff(F, mpmath.mpf("0.8"), 2))
    H = dg.hessian(lambda q: c.gp_likelihood(q)[0], np.array([0.8]))
    assert abs(H[0, 0] - ref) <= 1e-7 * abs(ref)


def test_gp_source_scipy_cho_factor_refused_naming_dualgrad_scipy_linalg():
    def source_likelihood(q):
        K = c.covariance_matrix(c.GP_X, q[0])
        L, lower = scipy.linalg.cho_factor(K + 1e-10 * np.eye(K.shape[0]))
        return np.sum(np.log(np.diagonal(L)))
    with pytest.raises(TypeError, match=r"dualgrad\.scipy\.linalg\.cho_factor"):
        dg.gradient(source_likelihood, np.array([0.8]))


def test_cross_entropy_gradient_is_the_closed_form():
    w = c.PROBLEMS59["log-softmax cross-entropy (12)"][1]
    g = dg.gradient(lambda v: c.cross_entropy(v)[0], w)
    z = c.CE_X @ w.reshape(4, 3)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    ref = (c.CE_X.T @ (p - c.CE_Y) / len(c.CE_Y)).ravel()
    np.testing.assert_allclose(g, ref, rtol=1e-12, atol=1e-15)


def test_cross_entropy_hessian_is_the_closed_form():
    w = c.PROBLEMS59["log-softmax cross-entropy (12)"][1]
    H = dg.hessian(lambda v: c.cross_entropy(v)[0], w)
    z = c.CE_X @ w.reshape(4, 3)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    # w raveled row-major as (feature, class): sum_n kron(x x^T, diag(p) - p p^T) / N
    ref = sum(np.kron(np.outer(x, x), np.diag(q) - np.outer(q, q))
              for x, q in zip(c.CE_X, p)) / len(p)
    np.testing.assert_allclose(H, ref, rtol=1e-12, atol=1e-15)


def test_softmax_source_float_cast_refused_naming_the_fix():
    def works_source(x):                     # the source's first line kept
        x = np.array(x, dtype=float)
        x = x.T - np.max(x, axis=1)
        e = np.exp(x.T).T
        return x, e, np.sum(e, axis=0)
    with pytest.raises(TypeError, match=r"leave the cast out") as info:
        dg.gradient(lambda w: np.sum(works_source(c.CE_X @ w.reshape(4, 3))[0]),
                    np.ones(12))
    # the cast is in a helper, not at the top of f: the message names its line
    assert "of test_newuser59.py: `x = np.array(x, dtype=float)`)" in str(info.value)


def test_astype_float_refused_naming_its_line():
    def helper(x):
        return x.astype(float)
    with pytest.raises(TypeError, match=r"leave the cast out") as info:
        dg.gradient(lambda w: np.sum(helper(w)), np.ones(3))
    assert "of test_newuser59.py: `return x.astype(float)`)" in str(info.value)


def _ik_gradient(x):
    cum = np.cumsum(x)
    p = np.array([np.sum(c.link_lengths * np.cos(cum)), np.sum(c.link_lengths * np.sin(cum)),
                  0.0])
    # d p_x / d x_j = -sum_{i >= j} l_i sin(cum_i), d p_y / d x_j = sum_{i >= j} l_i cos(cum_i)
    dpx = -np.cumsum((c.link_lengths * np.sin(cum))[::-1])[::-1]
    dpy = np.cumsum((c.link_lengths * np.cos(cum))[::-1])[::-1]
    r = c.p_d - p
    return -(r[0] * dpx + r[1] * dpy)


def test_ik_objective_gradient_is_analytic():
    for x in (np.array([0.3, 0.4, 0.8]), c.q0.astype(float), np.array([-2.0, 1.1, 3.0])):
        g = dg.gradient(c.objective, x)
        np.testing.assert_allclose(g, _ik_gradient(x), rtol=1e-13, atol=1e-15)


def test_ik_objective_hessian_matches_complex_step_of_the_analytic_gradient():
    x = np.array([0.3, 0.4, 0.8])
    H = dg.hessian(c.objective, x)
    np.testing.assert_allclose(H, complex_step(_ik_gradient, x), rtol=1e-12, atol=1e-14)


def test_ik_slsqp_with_dualgrad_gradient_reaches_the_goal():
    sol = scipy.optimize.minimize(c.objective, c.q0, method="SLSQP", bounds=c.bounds,
                                  jac=dg.grad(c.objective), options={"ftol": 1e-14})
    assert sol.success
    p = c.fk(sol.x, c.link_lengths)
    np.testing.assert_allclose(p[:2], c.p_d[:2], atol=1e-6)
    np.testing.assert_allclose(_ik_gradient(sol.x), 0.0, atol=1e-6)


def fk_source(angles, link_lengths):
    """fk.py as written: the position buffer from np.zeros."""
    position = np.zeros(3, dtype=np.float64)
    for index in range(len(angles)):
        position[0] += link_lengths[index] * np.cos(sum(angles[:index + 1]))
        position[1] += link_lengths[index] * np.sin(sum(angles[:index + 1]))
    return position


def test_fk_source_buffer_refused_naming_zeros_like_of_angles():
    with pytest.raises(TypeError, match=r"np\.zeros_like\(angles, shape=3\)"):
        dg.jacobian(lambda q: fk_source(q, c.link_lengths), np.array([0.3, 0.4, 0.8]))


def test_pendulum_rk4_matches_complex_step_through_the_loop():
    p = np.array([0.25, 5.0])
    J = dg.jacobian(c.pendulum_row, p)

    def complex_run(q):
        return c.rungekutta4(c.pend, c.PEND_Y0, c.PEND_T, args=(q[0], q[1]),
                             zeros=lambda shape: np.zeros(shape, complex))[::10].ravel()

    ref = complex_step(complex_run, p)
    assert np.max(np.abs(J - ref)) <= 1e-12 * np.max(np.abs(ref))
    assert np.max(np.abs(ref)) > 0.1


def test_rk4_source_buffer_refused_naming_the_tuple_element_that_holds_the_dual():
    # rungekutta4 has no x: the duals come in odeint's args=(b, c); the fix names args[0]
    def rungekutta4_source(f, y0, t, args=()):      # rungekutta4a.py as written
        n = len(t)
        y = np.zeros((n, len(y0)))
        y[0] = y0
        for i in range(n - 1):
            h = t[i + 1] - t[i]
            k1 = f(y[i], t[i], *args)
            k2 = f(y[i] + k1 * h / 2., t[i] + h / 2., *args)
            k3 = f(y[i] + k2 * h / 2., t[i] + h / 2., *args)
            k4 = f(y[i] + k3 * h, t[i] + h, *args)
            y[i + 1] = y[i] + (h / 6.) * (k1 + 2 * k2 + 2 * k3 + k4)
        return y

    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda q: rungekutta4_source(c.pend, c.PEND_Y0, c.PEND_T[:5],
                                                 args=(q[0], q[1]))[-1],
                    np.array([0.25, 5.0]))
    message = str(info.value)
    assert "np.zeros_like(args[0], shape=(n, len(y0)))" in message
    assert "zeros_like(x," not in message
    # the spelling it names works, and gives the complex step's derivative
    J = dg.jacobian(lambda q: c.rungekutta4(
        c.pend, c.PEND_Y0, c.PEND_T[:5], args=(q[0], q[1]),
        zeros=lambda shape: np.zeros_like((q[0], q[1])[0], shape=shape))[-1],
        np.array([0.25, 5.0]))
    ref = complex_step(lambda q: c.rungekutta4(
        c.pend, c.PEND_Y0, c.PEND_T[:5], args=(q[0], q[1]),
        zeros=lambda shape: np.zeros(shape, complex))[-1], np.array([0.25, 5.0]))
    np.testing.assert_allclose(J, ref, rtol=1e-13, atol=1e-16)


def test_star_args_buffer_refused_naming_the_element():
    def euler(y0, n, *args):
        y = np.zeros(n)
        y[0] = y0
        for i in range(n - 1):
            y[i + 1] = y[i] - 0.1 * args[1] * y[i]
        return y
    with pytest.raises(TypeError, match=r"np\.zeros_like\(args\[1\], shape=n\)"):
        dg.jacobian(lambda q: euler(1.0, 4, 0.0, q[0]), np.array([0.5]))


def test_decay_residuals_jacobian_is_the_source_dfunc():
    for var in (np.array([2.0, 1.0, 0.3]), np.array([10.0, 10.0, 10.0])):
        J = dg.jacobian(c.decay_residuals, var)
        ref = np.array(c.dfunc(var, c.xs, c.yn)).T
        np.testing.assert_allclose(J, ref, rtol=1e-14, atol=1e-300)


def test_leastsq_with_dualgrad_dfun_matches_the_source_fit():
    fit_src = scipy.optimize.leastsq(c.func, [10, 10, 10], args=(c.xs, c.yn),
                                     Dfun=c.dfunc, col_deriv=1)[0]
    jac = dg.jacfwd(c.func)                  # the Jacobian in its first argument
    fit_dg = scipy.optimize.leastsq(c.func, [10, 10, 10], args=(c.xs, c.yn),
                                    Dfun=jac)[0]
    np.testing.assert_allclose(fit_dg, fit_src, rtol=1e-7)
    ls = scipy.optimize.least_squares(c.func, [10., 10., 10.], args=(c.xs, c.yn), jac=jac)
    ls_fd = scipy.optimize.least_squares(c.func, [10., 10., 10.], args=(c.xs, c.yn))
    np.testing.assert_allclose(ls.x, ls_fd.x, rtol=1e-7)   # TRF stops 1e-6 from LM's fit
    assert ls.cost <= ls_fd.cost * (1 + 1e-12)


def test_chemotaxis_operators_match_complex_step():
    p = np.array([1.0, 0.5])
    J = dg.jacobian(c.chemotaxis_row, p)
    ref = complex_step(c.chemotaxis_row, p)
    assert np.max(np.abs(J - ref)) <= 1e-12 * np.max(np.abs(ref))
    assert np.max(np.abs(ref[:, 1])) > 1e-4     # the cross term moved A


@pytest.mark.parametrize("q", [np.array([4.5e-5, 0.05]), np.array([1e-3, 0.02])])
def test_churchill_friction_matches_complex_step(q):
    J = dg.jacobian(c.friction_row, q)
    ref = complex_step(c.friction_row, q)
    np.testing.assert_allclose(J, ref, rtol=1e-12, atol=1e-300)
    assert np.all(ref[-3:, 0] > 0)              # rougher pipe, more turbulent friction


def test_churchill_friction_reynolds_slope_matches_complex_step():
    Re = c.FRICTION_RE
    J = dg.jacobian(lambda r: c.churchill(4.5e-5, 0.05, r), Re)
    ref = complex_step(lambda r: c.churchill(4.5e-5, 0.05, r), Re)
    np.testing.assert_allclose(np.diag(J), np.diag(ref), rtol=1e-12)
    assert np.all(J[~np.eye(len(Re), dtype=bool)] == 0.0)
    assert abs(np.diag(J)[0] + 64 / Re[0] ** 2) <= 1e-3 * 64 / Re[0] ** 2   # laminar 64/Re


def test_shallow_water_in_place_slices_match_complex_step():
    p = np.array([5.0])
    J = dg.jacobian(c.shallow_water_row, p)
    ref = complex_step(c.shallow_water_row, p)
    assert np.max(np.abs(J - ref)) <= 1e-12 * np.max(np.abs(ref))
    assert np.max(np.abs(ref)) > 1e-3           # the drop's wave reached the samples


def test_shallow_water_source_drop_into_np_ones_refused_naming_ones_like():
    def swater_start(p, n=8):                  # the source's swater: H = np.ones(...)
        droploc = n // 4
        H = np.ones((n + 2, n + 2))
        H[droploc, droploc] += p[0]
        return c.simulate(H, 2).ravel()
    with pytest.raises(TypeError, match=r"np\.ones_like\(p, shape=\(n \+ 2, n \+ 2\)\)"):
        dg.jacobian(swater_start, np.array([5.0]))


def test_beam_reliability_matches_closed_form_over_the_same_draws(np_random_kept):
    p = np.array([4.0, 1.0])
    J = dg.jacobian(c.reliability_row, p)
    # the same draws, plain: dg_i / d mu_b = 3 q l^2 / (b^2 h^2), dg_i / d mu_h = 6 q l^2 / (b h^3)
    np.random.seed(0)
    n = 1000
    q = np.random.normal(1.15, 0.03335, n)
    l = np.random.normal(60, 0.6, n)  # noqa: E741
    b = 4.0 + 0.12 * np.random.standard_normal(n)
    h = 1.0 + 0.03 * np.random.standard_normal(n)
    R = np.random.normal(3600, 298.8, n)
    m = R - 3 * q * l ** 2 / (b * h ** 2)
    dm = np.stack([3 * q * l ** 2 / (b ** 2 * h ** 2), 6 * q * l ** 2 / (b * h ** 3)], axis=1)
    mean, std = m.mean(), m.std()
    dmean = dm.mean(axis=0)
    dstd = ((m - mean)[:, None] * (dm - dmean)).mean(axis=0) / std
    ref = np.stack([dmean, dstd, (dmean * std - mean * dstd) / std ** 2])
    np.testing.assert_allclose(J, ref, rtol=1e-10)


def test_beam_draws_by_standard_normal_are_the_sources_numbers(np_random_kept):
    np.random.seed(0)
    src = [np.random.normal(loc, s, 1000) for loc, s in
           ((1.15, 0.03335), (60, 0.6), (4, 0.12), (1, 0.03), (3600, 298.8))]
    np.random.seed(0)
    q = np.random.normal(1.15, 0.03335, 1000)
    l = np.random.normal(60, 0.6, 1000)  # noqa: E741
    b = 4 + 0.12 * np.random.standard_normal(1000)
    h = 1 + 0.03 * np.random.standard_normal(1000)
    np.testing.assert_array_equal([q, l], src[:2])
    np.testing.assert_allclose([b, h], src[2:4], rtol=1e-15)
    np.testing.assert_array_equal(np.random.normal(3600, 298.8, 1000), src[4])


def test_beam_source_normal_of_a_dual_mean_refused_naming_standard_normal(np_random_kept):
    def viga(p, n=100):
        np.random.seed(0)
        b = np.random.normal(p[0], 0.12, n)
        return np.mean(b)
    with pytest.raises(TypeError, match=r"loc \+ scale \* np\.random\.standard_normal"):
        dg.gradient(viga, np.array([4.0, 1.0]))


def test_beam_failure_probability_indicator_warns_compared_only(np_random_kept):
    def pf(p):
        I = c.beam_margin(p) < 0  # noqa: E741 (the source's estimator)
        return np.mean(I)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = dg.gradient(pf, np.array([4.0, 1.0]))
    assert np.all(g == 0.0)
    assert any(issubclass(w.category, dg.ComparedOnlyWarning) for w in caught)
    assert 0.05 < pf(np.array([4.0, 1.0])) < 0.2     # ~0.10, the source's estimate
