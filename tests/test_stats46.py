"""stats46: the gamma, chi2 and beta log densities' slopes in their shapes at large
shapes (attack45 L2).

SciPy's ``xlogy(a - 1, x) - x - gammaln(a)`` has the slope ``log x - psi(a)`` in ``a``,
two numbers near ``log a`` whose difference near the mode is ~``1 / (2 a)``: it lost
~``a`` ulps (1.3e-9 relative at a = 1e6, 1.8e-5 at 1e10).  From a shape of 10 the
densities are written with Stirling's series (dualgrad/scipy/stats/_continuous.py).

Oracles: mpmath at 50 digits, the analytic log densities (loggamma) and their
derivatives (digamma, trigamma: written from the definitions, not from dualgrad).
"""

import mpmath as mp
import numpy as np
import pytest
import scipy.stats as ss

import dualgrad as dg
from dualgrad.scipy import stats as ds
from _oracles import second_differences

pytestmark = pytest.mark.mp_dps(50)   # (tests/conftest.py)
EPS = 2.0 ** -52


def _gamma_ref(x, a):
    x, a = mp.mpf(x), mp.mpf(a)
    value = (a - 1) * mp.log(x) - x - mp.loggamma(a)
    grad = [(a - 1) / x - 1, mp.log(x) - mp.psi(0, a)]
    hess = [[-(a - 1) / x ** 2, 1 / x], [1 / x, -mp.psi(1, a)]]
    return value, grad, hess


def _beta_ref(x, a, b):
    x, a, b = mp.mpf(x), mp.mpf(a), mp.mpf(b)
    value = ((a - 1) * mp.log(x) + (b - 1) * mp.log1p(-x)
             - mp.loggamma(a) - mp.loggamma(b) + mp.loggamma(a + b))
    grad = [(a - 1) / x - (b - 1) / (1 - x), mp.log(x) - mp.psi(0, a) + mp.psi(0, a + b),
            mp.log1p(-x) - mp.psi(0, b) + mp.psi(0, a + b)]
    t = mp.psi(1, a + b)
    hess = [[-(a - 1) / x ** 2 - (b - 1) / (1 - x) ** 2, 1 / x, -1 / (1 - x)],
            [1 / x, t - mp.psi(1, a), t], [-1 / (1 - x), t, t - mp.psi(1, b)]]
    return value, grad, hess


def _close(got, want, rtol, atol=0.0):
    want = float(want)
    assert abs(got - want) <= rtol * abs(want) + atol, (got, want, abs(got - want) / abs(want))


GAMMA_SHAPES = [0.5, 3.0, 9.99, 10.0, 30.0, 1e3, 1e6, 1e10, 1e14]


def _gamma_points(a):
    return [a, a * (1 + 1e-3), a * (1 - 0.02), 2 * a, 0.5 * a, a + np.sqrt(a), a * (1 + 1e-7)]


GAMMA_CASES = [pytest.param(x, a, id=f"a={a:g}-x={x:.17g}") for a in GAMMA_SHAPES
               for x in _gamma_points(a)]


@pytest.mark.parametrize("x, a", GAMMA_CASES)
def test_gamma_logpdf_value_and_gradient_in_x_and_a_against_mpmath(x, a):
    want, grad, _ = _gamma_ref(x, a)
    f = lambda p: ds.gamma.logpdf(p[0], p[1])      # noqa: E731
    value, g = dg.value_and_grad(f)(np.array([x, a]))
    # the value is SciPy's float call's bits (nan56: API.md's (f(x), J v)); the series
    # form gives the partials only
    assert float(value) == ss.gamma.logpdf(x, a)
    _close(g[0], grad[0], 8 * EPS, atol=4 * EPS / x)
    # the slope in a passes through 0 near x = a - 1/2: an absolute floor of ~ulps of
    # 1 / a (the terms' size) there, relative elsewhere
    # SciPy's form below the switch: log x - psi(a) loses ~log(a) / (log a - psi(a)) ulps
    # near the mode (~40 at a = 10), the series form none
    rtol = 8 * EPS if a >= 10 else 200 * EPS
    _close(g[1], grad[1], rtol, atol=4 * EPS * abs(float(mp.log(x) - mp.log(a))) + EPS / a)


@pytest.mark.parametrize("a", [1e6, 1e10, 1e14])
def test_gamma_logpdf_slope_in_a_at_the_mode_attack45(a):
    """attack45 L2's repro: gamma.logpdf(x = a, a) d/da, 1/(2a) + 1/(12 a**2) - ...,
    was 1.3e-9 / 1.8e-5 relative off at a = 1e6 / 1e10."""
    got = dg.derivative(lambda t: ds.gamma.logpdf(a, t), a)
    _close(got, mp.log(a) - mp.psi(0, mp.mpf(a)), 4 * EPS)


@pytest.mark.parametrize("x, a", [(30.0, 30.0), (29.5, 30.0), (1e6, 1e6), (1.001e10, 1e10),
                                  (2e14, 1e14), (5.0, 9.99), (12.0, 10.0)])
def test_gamma_logpdf_hessian_in_x_and_a_against_mpmath(x, a):
    _, _, hess = _gamma_ref(x, a)
    h = dg.hessian(lambda p: ds.gamma.logpdf(p[0], p[1]), np.array([x, a]))
    for i in range(2):
        for j in range(2):
            _close(h[i, j], hess[i][j], 1e-14)


@pytest.mark.parametrize("a", [1e6, 1e12])
def test_gamma_pdf_and_scale_slopes_at_large_shape(a):
    """pdf = exp(logpdf) takes the same slopes; with a scale, x / scale is the point."""
    x, scale = 2.0 * a, 2.0
    want, grad, _ = _gamma_ref(x / scale, a)
    g = dg.gradient(lambda p: ds.gamma.logpdf(x, p[0], scale=p[1]), np.array([a, scale]))
    _close(g[0], grad[1], 4 * EPS, atol=EPS / a)
    _close(g[1], -grad[0] * x / scale ** 2 - 1 / scale, 1e-14, atol=4 * EPS)
    a_small = 200.0
    want, grad, _ = _gamma_ref(a_small, a_small)
    got = dg.derivative(lambda t: ds.gamma.pdf(a_small, t), a_small)
    _close(got, mp.exp(want) * grad[1], 1e-14)


@pytest.mark.parametrize("df", [20.0, 21.0, 1e3, 1e8, 1e12])
@pytest.mark.parametrize("ratio", [1.0, 1 + 1e-4, 0.98, 2.0])
def test_chi2_logpdf_slope_in_df_against_mpmath(df, ratio):
    x = df * ratio
    want, grad, _ = _gamma_ref(x / 2, df / 2)
    value, g = dg.value_and_grad(lambda p: ds.chi2.logpdf(p[0], p[1]))(np.array([x, df]))
    # the value is SciPy's float call's bits (nan56: API.md's (f(x), J v)); the series
    # form gives the partials only
    assert float(value) == ss.chi2.logpdf(x, df)
    _close(g[0], grad[0] / 2, 8 * EPS, atol=EPS / x)
    _close(g[1], grad[1] / 2, 8 * EPS, atol=EPS / df)


def test_chi2_logpdf_hessian_in_df_against_mpmath():
    x, df = 1e8 + 5e4, 1e8
    _, _, hess = _gamma_ref(x / 2, df / 2)
    h = dg.hessian(lambda p: ds.chi2.logpdf(p[0], p[1]), np.array([x, df]))
    _close(h[0, 0], hess[0][0] / 4, 1e-14)
    _close(h[0, 1], hess[0][1] / 4, 1e-14)
    _close(h[1, 1], hess[1][1] / 4, 1e-14)


BETA_SHAPES = [(5.0, 7.0), (10.0, 10.0), (100.0, 300.0), (1e6, 3e6), (1e8, 1e8), (1e10, 3e9),
               (1e14, 2e14), (1e8, 20.0)]


def _beta_points(a, b):
    m = a / (a + b)
    return [m, m * (1 + 1e-3) if m < 0.9 else 1 - (1 - m) * (1 + 1e-3), 0.5 * m]


BETA_CASES = [pytest.param(x, a, b, id=f"a={a:g}-b={b:g}-x={x:.17g}") for a, b in BETA_SHAPES
              for x in _beta_points(a, b)]


@pytest.mark.parametrize("x, a, b", BETA_CASES)
def test_beta_logpdf_value_and_gradient_against_mpmath(x, a, b):
    want, grad, _ = _beta_ref(x, a, b)
    value, g = dg.value_and_grad(lambda p: ds.beta.logpdf(p[0], p[1], p[2]))(
        np.array([x, a, b]))
    # the value is SciPy's float call's bits (nan56: API.md's (f(x), J v)); the series
    # form gives the partials only
    assert float(value) == ss.beta.logpdf(x, a, b)
    scale = float(abs(grad[0]) + abs((a - 1) / x) + abs((b - 1) / (1 - x)))
    _close(g[0], grad[0], 8 * EPS, atol=8 * EPS * scale)
    # absolute floors: ulps of the terms' size 1 / a (resp. 1 / b)
    rtol = 8 * EPS if min(a, b) >= 10 else 200 * EPS     # SciPy's form below the switch
    _close(g[1], grad[1], rtol, atol=4 * EPS / a)
    _close(g[2], grad[2], rtol, atol=4 * EPS / b)


@pytest.mark.parametrize("x, a, b", [(0.25, 1e6, 3e6), (0.5 + 1e-5, 1e8, 1e8), (0.3, 30.0, 70.0)])
def test_beta_logpdf_hessian_against_mpmath(x, a, b):
    _, _, hess = _beta_ref(x, a, b)
    h = dg.hessian(lambda p: ds.beta.logpdf(p[0], p[1], p[2]), np.array([x, a, b]))
    for i in range(3):
        for j in range(3):
            # psi'(a + b) - psi'(a): each ~1 / a, the difference ~b / (a (a + b))
            _close(h[i, j], hess[i][j], 1e-13, atol=1e-15 / a)


def test_values_stay_scipys_where_scipy_is_right_and_outside_the_support():
    """Below the switch (shape 10) SciPy's formula itself; above it within a few ulps of
    SciPy's where SciPy is right (shape <= 100); x = 0, outside, inf: SciPy's values."""
    a = np.array([0.5, 3.0, 9.99, 10.0, 20.0, 50.0])
    x = np.array([0.7, 2.5, 9.0, 10.0, 23.0, 48.0])
    got, _ = dg.jvp(lambda s: ds.gamma.logpdf(x, s), a, np.ones(6))
    np.testing.assert_array_equal(got[:3], ss.gamma.logpdf(x, a)[:3])
    # above: within 4 ulps of mpmath, never further than SciPy's (off by 1.5e-14 at a = 10)
    want = np.array([float(_gamma_ref(xi, ai)[0]) for xi, ai in zip(x, a)])
    assert np.all(np.abs(got - want) <= np.maximum(
        4 * EPS * np.abs(want), np.abs(ss.gamma.logpdf(x, a) - want)))
    got, _ = dg.jvp(lambda s: ds.chi2.logpdf(2 * x, s), 2 * a, np.ones(6))
    np.testing.assert_array_equal(got[:3], ss.chi2.logpdf(2 * x, 2 * a)[:3])
    assert np.all(np.abs(got - (want - np.log(2))) <= np.maximum(
        8 * EPS * np.abs(want), np.abs(ss.chi2.logpdf(2 * x, 2 * a) - (want - np.log(2)))))
    got, _ = dg.jvp(lambda s: ds.beta.logpdf(0.4, s, 2 * s), a, np.ones(6))
    np.testing.assert_array_equal(got[:2], ss.beta.logpdf(0.4, a, 2 * a)[:2])
    want = np.array([float(_beta_ref(0.4, ai, 2 * ai)[0]) for ai in a])
    assert np.all(np.abs(got - want) <= np.maximum(
        8 * EPS * np.abs(want), np.abs(ss.beta.logpdf(0.4, a, 2 * a) - want)))
    for xe in (0.0, -1.0, np.inf, np.nan):
        for shape in (1.0, 30.0, 1e8):
            v, d = dg.value_and_grad(lambda s: ds.gamma.logpdf(xe, s))(shape)
            want = ss.gamma.logpdf(xe, shape)
            assert v == want or (np.isnan(v) and np.isnan(want)), (xe, shape, v, want)
    for xe in (0.0, 1.0, 1.5):
        v = dg.value_and_grad(lambda s: ds.beta.logpdf(xe, s, 40.0))(30.0)[0]
        assert v == ss.beta.logpdf(xe, 30.0, 40.0)


def test_arrays_across_the_switch_match_elementwise_calls():
    """Broadcast shapes on both sides of the switch: each element's slope the one of its
    own scalar call, and mpmath's."""
    a = np.array([5.0, 9.99, 10.0, 1e4, 1e9])
    x = a * 1.001
    g = dg.elementwise_grad(lambda s: ds.gamma.logpdf(x, s))(a)
    for k in range(len(a)):
        _, grad, _ = _gamma_ref(x[k], a[k])
        _close(g[k], grad[1], 1e-14, atol=EPS / a[k])
    b = np.array([[20.0], [3e9]])
    gb = dg.jacobian(lambda s: ds.beta.logpdf(0.4, s, b).ravel(), np.array([30.0, 2e9]))
    for i in range(2):
        for j in range(2):
            _, grad, _ = _beta_ref(0.4, [30.0, 2e9][j], b[i, 0])
            _close(gb[2 * i + j, j], grad[1], 1e-14, atol=EPS / 30.0)


# ---- np.nanquantile / nanpercentile with weights= (attack45 L3) --------------------------
# NumPy's: each slice's NaN elements and their weights removed, then the weighted quantile
# (inverted_cdf): an element of the slice.  Oracles: central (second) differences of
# NumPy's own np.nanquantile on the values.

def _fd(f, x, h=1e-6):
    x = np.asarray(x, float)
    g = np.zeros(x.shape + np.shape(f(x)))
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return np.moveaxis(g, 0, -1)


def _with_nan(x):
    return np.stack([x[0], np.nan * x[0], 2 * x[1], x[0] + x[1], np.nan + x[2], x[2] ** 2])


NAN_WEIGHTS = np.array([1.0, 5.0, 2.0, 1.0, 3.0, 2.0])


@pytest.mark.parametrize("q", [0.0, 0.1, 0.5, 0.9, 1.0, [0.2, 0.6]])
@pytest.mark.parametrize("name", ["nanquantile", "nanpercentile"])
def test_nanquantile_with_weights_against_numpys_differences(q, name):
    fn = getattr(np, name)
    q = np.asarray(q) * (100.0 if name == "nanpercentile" else 1.0)
    x = np.array([0.3, 0.7, 1.1])

    def f(x):
        return fn(_with_nan(x), q, weights=NAN_WEIGHTS, method="inverted_cdf")
    np.testing.assert_array_equal(dg.jvp(f, x, np.ones(3))[0], fn(
        _with_nan(x), q, weights=NAN_WEIGHTS, method="inverted_cdf"))
    np.testing.assert_allclose(dg.jacobian(f, x), _fd(f, x), rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("axis", [1, -1, None])
def test_nanquantile_with_weights_along_an_axis(axis):
    """Full-shape weights (NumPy's nanquantile takes no 1-D weights along an axis of a
    2-D array: its own IndexError, passed through)."""
    def rows(x):
        return np.stack([np.stack([x[0], np.nan * x[0], 2 * x[1]]),
                         np.stack([x[2], 3 * x[1], np.nan * x[1]])])
    w = np.array([[1.0, 2.0, 3.0], [3.0, 1.0, 1.0]])
    x = np.array([0.3, 0.7, 1.1])

    def f(x):
        return np.nanquantile(rows(x), [0.3, 0.7], axis=axis, weights=w,
                              method="inverted_cdf", keepdims=True)
    np.testing.assert_array_equal(dg.jvp(f, x, np.ones(3))[0], f(x))
    np.testing.assert_allclose(dg.jacobian(f, x), _fd(f, x), rtol=1e-8, atol=1e-9)
    with pytest.raises(IndexError):
        dg.jacobian(lambda x: np.nanquantile(rows(x), 0.5, axis=1, weights=w[0],
                                             method="inverted_cdf"), x)


@pytest.mark.parametrize("weights", [[1.0, 7.0, 1.0, 1.0, 1.0, 3.0],
                                     [1.0, 7.0, 0.0, 1.0, 1.0, 3.0]])
@pytest.mark.parametrize("q", [0.0, 0.3, 0.5, 0.8, 1.0])
def test_nanquantile_with_weights_hessian_at_a_tie_the_second_order_orders(weights, q):
    """The run [x0**2, 0, -x1**2, x0**2 + x1**2] tied at x = 0 beside NaN elements of
    positive weight: np.sort's order by the second order, as np.quantile(weights=)'s
    (NaN elements weigh nothing); NumPy's own second differences."""
    w = np.array(weights)

    def f(x):
        a = np.stack([x[0] ** 2, np.nan * x[0], 0 * x[0], -(x[1] ** 2), x[0] ** 2 + x[1] ** 2,
                      np.nan * x[1]])
        return np.nanquantile(a, q, weights=w, method="inverted_cdf")
    x = np.zeros(2)
    np.testing.assert_allclose(dg.hessian(f, x), second_differences(f, x), atol=1e-9)


def test_nanquantile_with_weights_ties_all_nan_and_errors():
    # equal weights at a tie: the mean of the tied partials; NaN never ties
    g = dg.gradient(lambda x: np.nanquantile(np.stack([x[0], np.nan * x[0], 1.0 * x[0], x[1]]),
                                             0.5, weights=np.ones(4), method="inverted_cdf"),
                    np.array([1.0, 3.0]))
    np.testing.assert_array_equal(g, [1.0, 0.0])
    # unequal positive weights at a tie where the pick depends on the order (target 0.75
    # of 3: the first of the pair, whichever): the named refusal, naming nanquantile
    # (at 0.5 the weight-2 element holds the target 1.5 in either order: wq46)
    with pytest.raises(TypeError, match=r"np.nanquantile with weights=.*unequal"):
        dg.gradient(lambda x: np.nanquantile(np.stack([x[0], np.nan * x[0], 1.0 * x[0]]),
                                             0.25, weights=np.array([1.0, 1.0, 2.0]),
                                             method="inverted_cdf"), np.array([1.0]))
    # an all-NaN slice: NumPy's NaN and warning, zero partials
    with pytest.warns(RuntimeWarning, match="All-NaN"):
        v, g = dg.value_and_grad(lambda t: np.nanquantile(
            np.stack([np.nan * t, np.nan * t]), 0.5, weights=np.ones(2),
            method="inverted_cdf"))(1.0)
    assert np.isnan(v) and g == 0.0
    # NumPy's own rule: weights need inverted_cdf
    with pytest.raises(ValueError):
        dg.gradient(lambda x: np.nanquantile(x, 0.5, weights=np.ones(2)), np.array([1.0, 2.0]))


# ---- scoreatpercentile / trim_mean (attack45 L1) -----------------------------------------
# SciPy's own sort an object array of scalar duals by value only: at a run tied at first
# order a Hessian followed the input order.  dualgrad.scipy.stats' versions sort the array
# dual.  Oracles: central (second) differences of SciPy's own functions on floats.

def _run(x):
    return np.stack([x[0] ** 2, x[0] ** 2 + x[1] ** 2, 0 * x[0], -(x[1] ** 2),
                     x[0] ** 2 + 2 * x[1] ** 2])


@pytest.mark.parametrize("per", [0, 20, 60, 75, 90, 100, [30, 60]])
@pytest.mark.parametrize("method", ["fraction", "lower", "higher"])
def test_scoreatpercentile_hessian_at_a_tied_run_attack45(per, method):
    x = np.zeros(2)

    def mine(x):
        return np.sum(ds.scoreatpercentile(_run(x), per, interpolation_method=method))

    def theirs(x):
        return np.sum(ss.scoreatpercentile(_run(x), per, interpolation_method=method))
    np.testing.assert_allclose(dg.hessian(mine, x), second_differences(theirs, x), atol=1e-9)


@pytest.mark.parametrize("cut", [0.0, 0.2, 0.4])
def test_trim_mean_hessian_at_a_tied_run_attack45(cut):
    x = np.zeros(2)
    np.testing.assert_allclose(dg.hessian(lambda x: ds.trim_mean(_run(x), cut), x),
                               second_differences(lambda x: ss.trim_mean(_run(x), cut), x), atol=1e-9)


def test_scoreatpercentile_and_trim_mean_values_gradients_axes_limit():
    rng = np.random.default_rng(3)
    m = rng.standard_normal((4, 5))
    x = m.ravel()

    def rows(x):
        return np.reshape(x, (4, 5)) * np.exp(0.3 * np.reshape(x, (4, 5)))
    for axis in (0, 1, None):
        for per in (37.5, [10, 55, 100]):
            f_mine = lambda x: ds.scoreatpercentile(rows(x), per, axis=axis)  # noqa: E731
            f_ss = lambda x: ss.scoreatpercentile(rows(x), per, axis=axis)    # noqa: E731
            np.testing.assert_allclose(dg.jvp(f_mine, x, np.ones(20))[0], f_ss(x), rtol=1e-15)
            np.testing.assert_allclose(dg.jacobian(f_mine, x), _fd(f_ss, x), rtol=1e-7,
                                       atol=1e-8)
        f_mine = lambda x: ds.trim_mean(rows(x), 0.25, axis=axis)            # noqa: E731
        f_ss = lambda x: ss.trim_mean(rows(x), 0.25, axis=axis)              # noqa: E731
        np.testing.assert_allclose(dg.jvp(f_mine, x, np.ones(20))[0], f_ss(x), rtol=1e-14)
        np.testing.assert_allclose(dg.jacobian(f_mine, x), _fd(f_ss, x), rtol=1e-7, atol=1e-8)
    f_mine = lambda x: ds.scoreatpercentile(rows(x), 40, limit=(-0.5, 1.0))  # noqa: E731
    f_ss = lambda x: ss.scoreatpercentile(rows(x), 40, limit=(-0.5, 1.0))    # noqa: E731
    np.testing.assert_allclose(dg.gradient(f_mine, x), _fd(f_ss, x), rtol=1e-7, atol=1e-8)
    # a dual percentile moves the fraction's weight: d/dper of the interpolation
    data = np.sort(rows(x).ravel())
    got = dg.derivative(lambda p: ds.scoreatpercentile(rows(x), p), 37.5)
    _close(got, (data[8] - data[7]) * 19 / 100.0, 1e-12)
    # plain inputs: SciPy's own call; SciPy's errors
    assert ds.scoreatpercentile(m, 40) == ss.scoreatpercentile(m, 40)
    assert ds.trim_mean(m, 0.1).tolist() == ss.trim_mean(m, 0.1).tolist()
    with pytest.raises(ValueError, match="percentile must be in the range"):
        dg.gradient(lambda x: ds.scoreatpercentile(x, 120), x)
    with pytest.raises(ValueError, match="Proportion too big"):
        dg.gradient(lambda x: ds.trim_mean(x, 0.7), x)
    with pytest.raises(TypeError, match="plain proportiontocut"):
        dg.derivative(lambda c: ds.trim_mean(x, c), 0.1)


@pytest.mark.parametrize("x, a", [(1e-300, 30.0), (1e-30, 30.0), (1.0, 30.0), (14.0, 30.0),
                                  (1e-300, 1e6), (1e3, 1e6), (4.9e5, 1e6), (1.6e6, 1e6),
                                  (1e300, 1e6), (1.0, 1e14)])
def test_gamma_logpdf_far_below_and_above_the_mode(x, a):
    """x << a: u = (x - a) / a rounds to -1 (log1p(-1) = -inf for -20103.7 at x = 1e-300,
    a = 30, found before landing ended); the far form takes log(x / a)."""
    want, grad, _ = _gamma_ref(x, a)
    value, g = dg.value_and_grad(lambda p: ds.gamma.logpdf(x, p[0], scale=p[1]))(
        np.array([a, 1.0]))
    # the value is SciPy's float call's bits (nan56: API.md's (f(x), J v)); the series
    # form gives the partials only
    assert float(value) == ss.gamma.logpdf(x, a, scale=1.0)
    _close(g[0], grad[1], 16 * EPS)
    _close(g[1], -grad[0] * x - 1, 16 * EPS, atol=4 * EPS)


@pytest.mark.parametrize("x", [1e-300, 1e-30, 0.01, 0.9, 1 - 1e-12, 0.9999999999999999])
@pytest.mark.parametrize("a, b", [(30.0, 50.0), (1e6, 2e6)])
def test_beta_logpdf_far_from_the_mode(x, a, b):
    want, grad, _ = _beta_ref(x, a, b)
    value, g = dg.value_and_grad(lambda p: ds.beta.logpdf(x, p[0], p[1]))(np.array([a, b]))
    # the value is SciPy's float call's bits (nan56: API.md's (f(x), J v)); the series
    # form gives the partials only
    assert float(value) == ss.beta.logpdf(x, a, b)
    _close(g[0], grad[1], 16 * EPS)
    _close(g[1], grad[2], 16 * EPS)


@pytest.mark.parametrize("x, a", [(1.0, 1e250), (1e-195, 1e100), (1e30, 1e250)])
def test_gamma_logpdf_slope_at_huge_shapes_no_underflow(x, a):
    """d(x / a)/da = -x / a**2 underflowed (1.7e-3 relative off at a = 1e250, x = 1):
    there log x - log a."""
    with mp.workdps(300):
        want = mp.log(x) - mp.psi(0, mp.mpf(a))
    _close(dg.derivative(lambda t: ds.gamma.logpdf(x, t), a), want, 4 * EPS)


@pytest.mark.parametrize("x", [1e-300, 1e-250])
def test_beta_logpdf_slopes_at_huge_shapes_no_underflow(x):
    a = b = 1e100
    with mp.workdps(300):
        ga = mp.log(x) - mp.psi(0, mp.mpf(a)) + mp.psi(0, mp.mpf(a + b))
        gb = mp.log1p(-mp.mpf(x)) - mp.psi(0, mp.mpf(b)) + mp.psi(0, mp.mpf(a + b))
    g = dg.gradient(lambda p: ds.beta.logpdf(x, p[0], p[1]), np.array([a, b]))
    _close(g[0], ga, 8 * EPS)
    _close(g[1], gb, 8 * EPS)


@pytest.mark.parametrize("z", [1e-20, 0.01, 0.5, 1 - 1e-12])
@pytest.mark.parametrize("a, b", [(1e12, 20.0), (20.0, 1e12), (30.0, 50.0)])
def test_beta_logpdf_shape_hessian_far_from_the_mode(z, a, b):
    """psi'(a + b) - psi'(a) ~ -b / a**2 at a >> b: the series form's far branch lost it
    to ~a / b ulps (2.5e-6 relative at (1e12, 20)); SciPy's form's rows do not."""
    A, B = mp.mpf(a), mp.mpf(b)
    t = mp.psi(1, A + B)
    want = [[t - mp.psi(1, A), t], [t, t - mp.psi(1, B)]]
    h = dg.hessian(lambda p: ds.beta.logpdf(z, p[0], p[1]), np.array([a, b]))
    for i in range(2):
        for j in range(2):
            _close(h[i, j], want[i][j], 1e-13)
