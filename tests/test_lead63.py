"""The lead's mends of stop 63: refusals that name the call the user wrote."""
import warnings

import numpy as np
import pytest

import dualgrad as dg
from _probes import without_numba
from dualgrad.dual._base import new_tag


def test_mstats_refusal_names_the_scipy_call_and_its_spelling_is_exact():
    # scipy.stats.mstats' functions open with np.ma.asarray: the refusal named only that
    # (diff62 4b); the trimmed mean it proposes is exact (analytic: 1/3 on the kept ones)
    mstats = pytest.importorskip("scipy.stats.mstats")
    x = np.array([3.0, 1.0, 2.0, 7.0, 5.0])
    with pytest.raises(TypeError, match=r"scipy\.stats\.mstats\.trimmed_mean \(through "
                                        r"np\.ma\.asarray\) .* np\.mean\(np\.sort\(x\)"):
        dg.gradient(lambda x: mstats.trimmed_mean(x, (0.2, 0.2)), x)
    g = dg.gradient(lambda x: np.mean(np.sort(x)[1:len(x) - 1]), x)
    assert np.array_equal(g, np.where((x > 1) & (x < 7), 1 / 3, 0.0))
    assert np.isclose(mstats.trimmed_mean(x, (0.2, 0.2)), np.mean(np.sort(x)[1:4]))


@pytest.mark.parametrize("f, said", [(lambda m, x: m + x, "m + x"),
                                     (lambda m, x: m ** x, "m ** x"),
                                     (lambda m, x: m - x, "m - x"),
                                     (lambda m, x: m.__iadd__(x), "m += x")])
def test_masked_operator_refusal_spells_the_operator_written(f, said):
    m = np.ma.array([1.0, 2.0, 3.0], mask=[0, 1, 0])
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda x: f(m, x), np.array([0.5, 1.5, 2.0]))
    assert f"({said} with m a masked array" in str(info.value)



def _norm_hessian(x):
    """(I - u u^T) / |x|, u = x / |x|: the 2-norm's Hessian, |x| scaled exactly."""
    big = np.max(np.abs(x))
    n = np.sqrt(np.sum((x / big) ** 2)) * big
    u = x / n
    return (np.eye(len(x)) - np.outer(u, u)) / n


@pytest.mark.parametrize("s1, s2", [(1e-170, 1.0), (1.0, 1e200), (1e-300, 3e-300)])
def test_norm_hessian_where_the_sum_of_squares_leaves_the_floats(s1, s2):
    # a nested dual's second level was NaN in every entry, the rows the norm does not
    # touch too (attack63 01); the batched rows scale apart (one tiny, one normal)
    v = np.array([1.0, 2.0, 2.0])
    x = np.r_[v * s1, v[::-1] * s2, 1.5]
    w = np.array([1.0, 2.0])

    def f(x):
        return np.sum(np.linalg.norm(x[:6].reshape(2, 3), axis=1) * w) + x[6] ** 2
    want = np.zeros((7, 7))
    want[:3, :3], want[3:6, 3:6], want[6, 6] = _norm_hessian(x[:3]), 2 * _norm_hessian(x[3:6]), 2
    with np.errstate(all="ignore"):
        H = dg.hessian(f, x)
    np.testing.assert_allclose(H, want, rtol=1e-15, atol=1e-15 * np.abs(want).max())


@pytest.mark.parametrize("c", [1e-170, 1e-200, 3e-155, 1e155, 1e200])
def test_norm_hessian_of_scaled_seeds(c):
    # x = c t: the first partials are of x's size, and one scale for value and partials
    # made their products underflow to a silent 0 at 1e-170 (diff63 F1; 950b744: NaN)
    t = np.array([1.0, 2.0, -0.5])
    with np.errstate(all="ignore"):
        H = dg.hessian(lambda t: np.linalg.norm(c * t), t)
    np.testing.assert_allclose(H, c * _norm_hessian(t), rtol=1e-15,
                               atol=1e-15 * c * np.abs(_norm_hessian(t)).max())


@pytest.mark.parametrize("s", [1e-170, 1e200])
def test_norm_of_a_complex_dual_where_the_sum_of_squares_leaves_the_floats(s):
    # the slope was 0 at 1e-170 and NaN at 1e200 (attack63 02); d|x c| / dx = x / |x|
    v, c = np.array([1.0, 2.0, 2.0]) * s, 0.6 + 0.8j
    with np.errstate(all="ignore"):
        g = dg.gradient(lambda x: np.linalg.norm(x * c), v)
        H = dg.hessian(lambda x: np.linalg.norm(x + 0j), v)
    np.testing.assert_allclose(g, [1 / 3, 2 / 3, 2 / 3], rtol=1e-15)
    np.testing.assert_allclose(H, _norm_hessian(v), rtol=1e-15, atol=1e-15 * np.abs(H).max())


def test_derivative_of_a_namedtuple_point_names_it():
    # it said "got shape (2,)" (attack63 07); dg.jacobian, which it names, takes the point
    from collections import namedtuple
    P = namedtuple("P", "mu sigma")
    with pytest.raises(ValueError, match=r"got a P \(a namedtuple\) of 2 numbers.*"
                                        r"dg\.jacobian for array and namedtuple inputs"):
        dg.derivative(lambda p: p.mu * p.sigma, P(2.0, 3.0))
    g = dg.jacobian(lambda p: p.mu * p.sigma ** 2, P(2.0, 3.0))
    assert (g.mu, g.sigma) == (9.0, 12.0)


@pytest.mark.parametrize("c", [1e154 + 1e154j, 1e160 + 0j, 3e155 - 2e155j, 1e200 + 1e200j])
def test_complex_arctanh_slope_far_out(c):
    # d/dt arctanh(t c) = c / (1 - (t c)**2), -1 / c to rounding at |c| >= 1e154: it was 0
    # or NaN (1 - x * x overflows; attack63 09); d2/dt2 = 2 c**3 / (1 - c**2)**2, 2 / c
    # (the table's quotient rows' census, tests/test_hess57.py, counts this walk)
    with np.errstate(all="ignore"):
        s = dg.derivative(lambda t: np.arctanh(c * t), 1.0)
        a = dg.jacobian(lambda t: np.arctanh(np.array([c]) * t[0]), np.array([1.0]))[0, 0]
        s2 = dg.derivative(lambda u: dg.derivative(lambda t: np.arctanh(c * t), u), 1.0)
    for got in (s, a):
        assert abs(got - (-1 / c)) <= 4e-16 * abs(1 / c)
    assert abs(s2 - 2 / c) <= 4e-16 * abs(2 / c)


def test_mstats_tmean_spelling_keeps_its_limits_as_values():
    # tmean's limits are values: the sort-slice spelling of a trimmed mean was another
    # statistic (diff63 F3); the one named is tmean's own, and exact
    mstats = pytest.importorskip("scipy.stats.mstats")
    x = np.array([0.05, 0.5, 0.95, 0.3, 0.7])
    with pytest.raises(TypeError, match=r"tmean .*np\.mean\(x\[\(x >= lo\) & \(x <= hi\)\]\)"):
        dg.gradient(lambda x: mstats.tmean(x, (0.1, 0.9)), x)
    keep = (x >= 0.1) & (x <= 0.9)
    assert np.isclose(mstats.tmean(x, (0.1, 0.9)), np.mean(x[keep]))
    g = dg.gradient(lambda x: np.mean(x[(x >= 0.1) & (x <= 0.9)]), x)
    assert np.array_equal(g, np.where(keep, 1 / 3, 0.0))


def test_power_of_two_array_duals_reports_as_the_float_power(request, monkeypatch):
    # numba not loaded: pair_small's finiteness sum of finite factors past 1.8e308 warned
    # "overflow encountered in reduce" outside the hush (diff63 F2); x ** y of floats is
    # silent.  d/dx = y x**(y - 1), d/dy = x**y log x
    without_numba(request, monkeypatch)
    tag = new_tag()
    x = dg.Dual(np.full(100, 1e-154), np.ones((100, 1)), tag=tag)
    y = dg.Dual(np.full(100, -1.0), np.ones((100, 1)), tag=tag)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = x ** y
        want = np.full(100, 1e-154) ** np.full(100, -1.0)
    assert np.array_equal(got.value, want)
    np.testing.assert_allclose(got.partials[:, 0], -1.0 * 1e308 + 1e154 * np.log(1e-154),
                               rtol=1e-15)
