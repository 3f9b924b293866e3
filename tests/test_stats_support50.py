"""dg.quad over densities of dualgrad.scipy.stats whose support end moves (loc=p): how
the density meets the end decides what the watch is told (attack50 02, 04, 05).

Oracles: closed forms. A density shifted by loc = p has E[g(X)] = E[g(Y + p)], so
d/dp E[X] = 1 and d2/dp2 E[X^2] = 2 whatever the density; an integral of a cdf over a
window that moves with the distribution is constant.
"""
import warnings

import numpy as np
import pytest

import dualgrad as dg

S = pytest.importorskip("dualgrad.scipy.stats")


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn()


@pytest.mark.parametrize("name, shapes", [("gamma", (3.0,)), ("beta", (2.0, 3.0)),
                                          ("weibull_min", (2.0,)), ("lognorm", (0.5,)),
                                          ("chi2", (4.0,)), ("gamma", (2.0,))])
def test_mean_of_a_shifted_density_continuous_at_its_end(name, shapes):
    # attack50 04: refused as a moving jump since the support's ends were reported
    dist = getattr(S, name)
    hi = 5.0 if name == "beta" else np.inf      # (SciPy's mesh of [-10, inf) misses
    d = _quiet(lambda: dg.derivative(lambda p: dg.quad(    # beta's [0.5, 1.5]: 0)
        lambda x: x * dist.pdf(x, *shapes, loc=p), -10.0, hi)[0], 0.5))
    assert d == pytest.approx(1.0, abs=1e-8)


@pytest.mark.parametrize("name, shapes, lo, hi", [("gamma", (3.0,), -10.0, np.inf),
                                                  ("beta", (3.0, 3.0), -3.0, 3.0)])
def test_second_moment_hessian_through_a_smooth_end(name, shapes, lo, hi):
    dist = getattr(S, name)
    H = _quiet(lambda: dg.hessian(lambda p: dg.quad(
        lambda x: x * x * dist.pdf(x, *shapes, loc=p[0]), lo, hi)[0], np.array([0.5])))
    assert H[0, 0] == pytest.approx(2.0, abs=1e-8)


@pytest.mark.parametrize("shape", [2.0, 3.0])
def test_cdf_over_a_window_moving_with_the_distribution_is_constant(shape):
    for method, window in (("cdf", lambda p: (p, p + 3.0)), ("sf", lambda p: (p, p + 3.0))):
        H = _quiet(lambda: dg.hessian(lambda p: dg.quad(
            lambda x: getattr(S.gamma, method)(x, shape, loc=p[0]), *window(p[0]))[0],
            np.array([0.5])))
        assert abs(H[0, 0]) < 1e-12


def test_limit_one_rounding_off_the_support_end_keeps_its_term():
    # attack50 02: 1.1 * q lies one rounding above the end q + 0.1 * q: f(b) was 0
    for upper in (lambda q: 1.1 * q, lambda q: q + 0.1 * q):
        def mean(q):                    # E[X] for X ~ U(q, 1.1 q): 1.05 q
            return dg.quad(lambda x: x * S.uniform.pdf(x, loc=q, scale=0.1 * q), q,
                           upper(q))[0]
        for q in (0.3, 0.7, 1.9):
            assert dg.derivative(mean, q) == pytest.approx(1.05, rel=1e-12)


def test_density_at_exactly_its_smooth_end_has_zero_derivatives():
    # gamma(3)'s pdf ~ z^2 / 2 at z = 0: both one-sided derivatives 0 (they were NaN)
    for dist, shapes in ((S.gamma, (3.0,)), (S.beta, (3.0, 3.0))):
        H = dg.hessian(lambda p: dist.pdf(0.5, *shapes, loc=p[0]), np.array([0.5]))
        assert H[0, 0] == 0.0
        assert dg.derivative(lambda p: dist.pdf(0.5, *shapes, loc=p), 0.5) == 0.0


@pytest.mark.parametrize("integrand, order", [
    (lambda x, p: x * S.expon.pdf(x, loc=p), 1),               # a jump inside the range
    (lambda x, p: x * S.gamma.pdf(x, 0.5, loc=p), 1),          # an infinite density
    (lambda x, p: x * x * S.gamma.pdf(x, 2.0, loc=p), 2),      # a kink, second order
])
def test_ends_that_jump_or_kink_inside_the_range_are_still_refused(integrand, order):
    def f(p):
        return dg.quad(lambda x: integrand(x, p[0]), -10.0, np.inf)[0]
    with pytest.raises(TypeError, match="branches to stay put"):
        _quiet(lambda: (dg.gradient if order == 1 else dg.hessian)(f, np.array([0.5])))


@pytest.mark.parametrize("name, shapes, lower, upper", [
    ("uniform", (), 0, 0), ("expon", (), 0, None), ("gamma", (0.5,), 0, None),
    ("gamma", (1.0,), 0, None), ("gamma", (2.0,), 1, None), ("gamma", (3.0,), 2, None),
    ("beta", (2.0, 5.0), 1, 4), ("beta", (1.0, 1.5), 0, 1), ("lognorm", (0.5,), 20, None),
    ("weibull_min", (1.0,), 0, None), ("pareto", (2.0,), 0, None)])
def test_end_order_follows_the_densitys_power_law(name, shapes, lower, upper):
    dist = getattr(S, name)
    a, b = dist.get_support(*shapes)
    got = dist._end_order(0, a, list(shapes))
    assert got == lower or name == "lognorm" and got >= lower    # (faster than any power)
    if upper is not None:
        assert dist._end_order(1, b, list(shapes)) == upper


@pytest.mark.parametrize("name, shapes, k", [("gamma", (3.0,), 3), ("weibull_min", (3.0,), 2),
                                             ("chi2", (6.0,), 3)])
def test_third_derivative_through_an_end_the_density_meets_as_z_squared_is_refused(
        name, shapes, k):
    # attack50 12: pdf ~ z^2 at loc: its second derivative jumps, a term at third order
    dist = getattr(S, name)

    def moment(q):
        return dg.quad(lambda x: x ** k * dist.pdf(x, *shapes, loc=q[0]), -10.0, np.inf)[0]
    H = _quiet(lambda: dg.hessian(moment, np.array([0.5])))       # second order: exact
    assert np.isfinite(H[0, 0])
    with pytest.raises(TypeError, match="branches to stay put"):
        _quiet(lambda: dg.derivative(lambda q: dg.hessian(moment, np.array([q]))[0, 0], 0.5))


def test_first_order_integral_of_a_cdf_from_its_own_moving_end():
    # attack50 11: a kink's tie at a moving limit was refused at first order (f(b) is one
    # number there): the mean above loc, int_p^inf sf(x; loc=p) dx = 1, and
    # int_p^(p+1) of uniform's cdf = 1 / 2, are constants in p
    d = _quiet(lambda: dg.derivative(lambda p: dg.quad(
        lambda x: S.expon.sf(x, loc=p), p, np.inf)[0], 0.5))
    assert abs(d) < 1e-12
    d = _quiet(lambda: dg.derivative(lambda p: dg.quad(
        lambda x: S.uniform.cdf(x, loc=p), p, p + 1.0)[0], 0.5))
    assert abs(d) < 1e-12


def test_laplace_cusp_at_a_moving_loc_is_refused_at_second_order():
    # attack50 03: E[x^2 + 1] = p^2 + 3 under laplace(loc=p); the Hessian came back 4
    # (the cusp's term lost), now refused; the gradient 2p and the branches written
    # out over the split range (the refusal's advice) stay exact
    def moment(p):
        return dg.quad(lambda x: (x * x + 1) * S.laplace.pdf(x, loc=p[0]), -np.inf,
                       np.inf)[0]
    assert _quiet(lambda: dg.gradient(moment, np.array([1.0])))[0] == \
        pytest.approx(2.0, abs=1e-8)
    with pytest.raises(TypeError, match="branches to stay put"):
        _quiet(lambda: dg.hessian(moment, np.array([1.0])))

    def split(p):
        c = p[0]
        left = dg.quad(lambda x: (x * x + 1) * 0.5 * np.exp(x - c), -np.inf, c)[0]
        return left + dg.quad(lambda x: (x * x + 1) * 0.5 * np.exp(c - x), c, np.inf)[0]
    assert _quiet(lambda: dg.hessian(split, np.array([1.0])))[0, 0] == \
        pytest.approx(2.0, abs=1e-7)
