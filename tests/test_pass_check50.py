"""The helpers' pass check in the right units where dg.quad / dg.solve_ivp run inside f
(pass50; attack49 03, 03b, 03c, 31, 32).

Stop 49 allowed f's value to move between passes by the integrations' declared
tolerance, in the integrals' own units, on every element of f's value: a scaled-down
integral (``reg / 1e9``) or dg.solve_ivp at its default rtol let an unseeded dropout
splice the gradient from several draws, while a scaled-up one (``1e6 * (I - c)``) was
refused.  Now every later pass continues with the first pass's integrals (compared in
their own units) and f's values are compared at 1e-9.  Oracles: the dropout must raise;
closed forms of the integrals' derivatives, and SciPy's quad at 1e-13 for the Hessian."""

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
import scipy.integrate as si

import dualgrad as dg

DIFFER = "same value on every pass"
X0 = np.linspace(1.0, 2.0, 16)


def _dropout(x):
    """An unseeded dropout mask: another one on every call."""
    return np.random.default_rng().random(x.size) < 0.5


def scaled_quad(x, scale=1e9):
    """attack49 03: a regulariser integral whose integrand is scaled up and its value
    down (units): f's value moves by O(1) with the mask, the integral's tolerance is
    ~1e-8 of 1e9."""
    reg = dg.quad(lambda t: scale * np.exp(-x[0] * t), 0.0, 1.0)[0] / scale
    return np.sum(_dropout(x) * x ** 2) + reg


def ode_dropout(x):
    """attack49 03b: dg.solve_ivp at its default tolerances beside a dropout that moves
    f by ~1 %."""
    sol = dg.solve_ivp(lambda t, y: -x[0] * y, (0.0, 1.0), np.array([1.0]))
    return np.sum(_dropout(x) * x ** 2) * 0.01 + sol.y[0, -1] + np.sum(x)


def ode_end(k):
    """y(2) of y' = -k y at the default tolerances (no dropout)."""
    return dg.solve_ivp(lambda t, y: -k * y, (0.0, 2.0), np.ones(k.size) + 0.0 * k).y[:, -1]


K = np.array([0.5, 1.0, 1.5])


def test_a_scaled_down_integral_no_longer_hides_a_dropout():
    with pytest.raises(ValueError, match=DIFFER) as info:
        dg.gradient(scaled_quad, X0, chunk=4)
    assert any("the difference is f's own" in n for n in info.value.__notes__)
    with pytest.raises(ValueError, match=DIFFER):                  # small lam outside
        dg.gradient(lambda x: 1e-9 * scaled_quad(x, 1.0), X0, chunk=4)
    with ThreadPoolExecutor(2) as ex:
        with pytest.raises(ValueError, match=DIFFER):
            dg.gradient(scaled_quad, X0, chunk=4, executor=ex)


def test_solve_ivp_at_default_tolerances_no_longer_hides_a_dropout():
    with pytest.raises(ValueError, match=DIFFER):
        dg.gradient(ode_dropout, X0, chunk=4)
    with ThreadPoolExecutor(2) as ex:
        with pytest.raises(ValueError, match=DIFFER):
            dg.gradient(ode_dropout, X0, chunk=4, executor=ex)


def test_a_dropout_on_a_process_pool_raises_and_a_deterministic_ode_passes():
    with ProcessPoolExecutor(2) as ex:
        with pytest.raises(ValueError, match=DIFFER):
            dg.gradient(ode_dropout, X0, chunk=4, executor=ex)
        J = dg.jacobian(ode_end, K, chunk=1, executor=ex)
    # closed form: d y(2) / dk = -2 exp(-2 k); the default rtol 1e-3
    np.testing.assert_allclose(J, np.diag(-2 * np.exp(-2 * K)), rtol=5e-3, atol=1e-6)


def test_deterministic_ode_at_default_tolerances_in_passes():
    for executor in (None, ThreadPoolExecutor(2)):
        J = dg.jacobian(ode_end, K, chunk=1, executor=executor)
        np.testing.assert_allclose(J, np.diag(-2 * np.exp(-2 * K)), rtol=5e-3, atol=1e-6)
        # a parameter that the first pass's directions leave alone: its passes' steps
        # differ from the first's (the tangents there are 0), same answer
        g = dg.gradient(lambda x: ode_end(x[:1])[0] + np.sum(x ** 2), X0, chunk=4,
                        executor=executor)
        ref = 2 * X0
        ref[0] += -2 * np.exp(-2 * X0[0])
        np.testing.assert_allclose(g, ref, rtol=5e-3)
        if executor is not None:
            executor.shutdown()


I0 = si.quad(lambda x: np.sqrt(x) * np.cos(3 * x), 0, 1, epsabs=0, epsrel=1e-13)[0]


def _residual(p):
    """attack48b 17b: an integral less (almost) its own value at p = (0, .)."""
    return dg.quad(lambda x: np.sqrt(x) * np.cos(3 * x) - I0 + p[0] * np.log(x) / np.sqrt(x)
                   + p[1] * (x - 0.5), 0.0, 1.0, limit=200)[0]


def test_a_scaled_up_integral_is_not_refused():
    # attack49 03c: d/dp0 int_0^1 log(x) / sqrt(x) dx = -4, d/dp1 int_0^1 (x - 1/2) = 0
    p = np.array([0.0, 2.0])
    for weight in (1e3, 1e6, 1e9):
        g = dg.gradient(lambda q: weight * _residual(q), p, chunk=1)
        np.testing.assert_allclose(g, [-4 * weight, 0.0], rtol=1e-8, atol=1e-6 * weight)


def _singular(p):
    return dg.quad(lambda x: np.sqrt(x) * np.cos(3 * x) + p[0] * np.log(x) / np.sqrt(x)
                   + p[1] * x * x, 0.0, 1.0, epsrel=1e-4)[0]


def test_integrals_on_fs_own_thread_pool():
    # attack49 31: the integrations report to the pass by its tag, in any thread
    p = np.array([0.0, 2.0])
    with ThreadPoolExecutor(2) as ex:
        g = dg.gradient(lambda q: ex.submit(_singular, q).result(), p, chunk=1)
        np.testing.assert_allclose(g, [-4.0, 1.0 / 3.0], rtol=1e-4)
        terms = lambda q: sum(ex.map(lambda s: _singular(s * q), (1.0, 2.0, 3.0)))  # noqa
        np.testing.assert_allclose(dg.gradient(terms, p, chunk=1), [-24.0, 2.0], rtol=1e-4)
        with pytest.raises(ValueError, match=DIFFER):
            dg.gradient(lambda x: ex.submit(scaled_quad, x).result(), X0, chunk=4)


def test_a_random_integrand_is_named():
    def f(p):
        c = 1.0 + np.random.default_rng().random()
        return dg.quad(lambda x: c * np.exp(-p[0] * x) + p[1] * x, 0.0, 1.0)[0]
    with pytest.raises(ValueError, match=DIFFER) as info:
        dg.gradient(f, np.array([0.7, 2.0]), chunk=1)
    assert any("integration number 1" in n and "dualgrad.quad" in n
               for n in info.value.__notes__)


def test_a_sparse_patterns_check_names_a_draw_not_the_pattern():
    # attack49 32: the pattern holds every nonzero; the check's pass drew another mask
    n = 40
    f = lambda x: _dropout(x) * x ** 2 + np.roll(x, 1)                 # noqa: E731
    P = np.eye(n, dtype=bool) | np.roll(np.eye(n, dtype=bool), 1, axis=0)   # J[i, i - 1]
    with pytest.raises(ValueError, match="not a function of x alone") as info:
        dg.jacobian(f, np.linspace(1, 2, n), sparsity=P)
    assert "misses nonzeros" not in str(info.value)
    mask = np.random.default_rng(0).random(n) < 0.5                    # seeded: exact
    g = lambda x: mask * x ** 2 + np.roll(x, 1)                        # noqa: E731
    x = np.linspace(1, 2, n)
    ref = np.diag(2 * mask * x) + np.roll(np.eye(n), 1, axis=0)
    np.testing.assert_array_equal(dg.jacobian(g, x, sparsity=P).toarray(), ref)


def _gauss(s):
    """int_0^1 t^j exp(-s t) dt for j = 0, 1, 2, by SciPy at 1e-13 (the oracle)."""
    return [si.quad(lambda t: t ** j * np.exp(-s * t), 0, 1, epsabs=0, epsrel=1e-13)[0]
            for j in range(3)]


def test_a_hessians_outer_chunks_and_nested_helpers_with_quad(np_random_kept):
    n = 60                               # past 48 inputs: the outer level in chunks
    w = np.linspace(0.2, 1.2, n)

    def f(v):
        s = np.sum(v ** 2) / n
        return dg.quad(lambda t: np.exp(-s * t), 0.0, 1.0)[0]
    s = np.sum(w ** 2) / n
    _, m1, m2 = _gauss(s)               # I'(s) = -m1, I''(s) = m2
    ref = m2 * np.outer(2 * w / n, 2 * w / n) - m1 * 2 / n * np.eye(n)
    np.testing.assert_allclose(dg.hessian(f, w), ref, rtol=1e-7, atol=1e-12)
    # a Jacobian of a one-pass gradient, in passes of one (the outer passes replay the
    # integrals' inner partials too)
    H = dg.jacobian(lambda v: dg.gradient(f, v), w[:6] * 0 + w[:6], chunk=1)
    s6 = np.sum(w[:6] ** 2) / n
    _, m1, m2 = _gauss(s6)
    ref6 = m2 * np.outer(2 * w[:6] / n, 2 * w[:6] / n) - m1 * 2 / n * np.eye(6)
    np.testing.assert_allclose(H, ref6, rtol=1e-7, atol=1e-12)

    def unseeded(v):
        return (1 + np.random.random()) * f(v)
    with pytest.raises(ValueError, match=DIFFER):
        dg.hessian(unseeded, w)


def test_a_terminal_event_in_passes():
    # the time of y = 1/2 for y' = -k y, y(0) = 1: ln 2 / k, d/dk = -ln 2 / k^2 (the
    # event's time is not replayed where the passes' grids differ: compared within
    # the tolerance, as before)
    def t_half(k):
        def half(t, y):
            return y[0] - 0.5
        half.terminal = True
        sol = dg.solve_ivp(lambda t, y: -k * y, (0.0, 10.0), np.ones(k.size) + 0.0 * k,
                           events=half, rtol=1e-8, atol=1e-10)
        return sol.t_events[0][0] + 0.0 * np.sum(k)
    k = np.array([0.5, 0.7])
    g = dg.gradient(lambda q: t_half(q[:1]) * q[1], k, chunk=1)
    np.testing.assert_allclose(g, [-np.log(2) / 0.25 * 0.7, np.log(2) / 0.5], rtol=1e-6)


def test_a_batchs_points_replay_their_own_first_pass():
    # each point of batch_axis= is its own function of x: its passes replay its own
    # first pass's integrals (one reference for all points refused the second point)
    def f(p):
        return dg.quad(lambda x: np.exp(-p[0] * x) + p[1] * x + p[2] * x * x, 0.0, 1.0)[0]

    def grad(p):                       # closed form
        a = p[0]
        return np.array([(np.exp(-a) * (a + 1) - 1) / a ** 2, 0.5, 1.0 / 3.0])
    p = np.array([0.7, 2.0, -1.0])
    X = np.stack([p, p + 1.0, p + 3.0])
    ref = np.stack([grad(x) for x in X])
    with ThreadPoolExecutor(2) as ex:
        for executor in (None, ex):
            J = dg.jacobian(f, X, batch_axis=0, chunk=1, executor=executor)
            np.testing.assert_allclose(J, ref, rtol=1e-9)


def test_integrals_inside_integrands_are_not_compared():
    # an inner dg.quad per outer node: the second pass (the sharp direction) refines the
    # outer mesh where the first did not, so its inner integrals have no counterpart in
    # the first pass (refused as "not a function of x alone" before they were left out);
    # d/dp0 int int p0 x y = 1/4, d/dp1 int_0^1 int_0^1 exp(-((x - p1 y) / 0.05)^2) by
    # SciPy's dblquad of the p1-derivative at 1e-11
    def f(p):
        def inner(x):
            return dg.quad(lambda y: np.exp(-((x - p[1] * y) / 0.05) ** 2) + p[0] * x * y,
                           0.0, 1.0, epsrel=1e-8)[0]
        return dg.quad(inner, 0.0, 1.0, epsrel=1e-8)[0]
    p1 = 0.5

    def d1(y, x):
        u = (x - p1 * y) / 0.05
        return np.exp(-u * u) * 2 * u * y / 0.05
    ref = si.dblquad(d1, 0, 1, 0, 1, epsabs=1e-13, epsrel=1e-11)[0]
    g = dg.gradient(f, np.array([2.0, p1]), chunk=1)
    np.testing.assert_allclose(g, [0.25, ref], rtol=1e-6, atol=1e-9)
