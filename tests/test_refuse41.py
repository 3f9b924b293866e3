"""NumPy spellings refused on correct code, and messages that misled (refuse41, issue
13|14: attack32's repro_05 / repro_03, user26's repro_interp_dual_xp, repro_cov_aweights,
repro_mc_emptylike_msg).  Oracles: 8th-order central differences (h = 1e-3) at points
with no kink within 4h (values spaced by more than 0.01), closed forms where short, and
NumPy's own values on floats.  Each case runs dense and, where the output is 1-D,
with sparsity="auto" (the tracer's pattern then holds the dense Jacobian's nonzeros)."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import numerical_jacobian

X = np.array([0.3, 1.2, -0.7, 2.1, 0.5, 1.7, -0.2, 0.9, 1.15])
M = (X > 0).reshape(3, 3)


def _fd_hessian(f, x):
    """The Hessian of ``f`` by central differences of central differences, on floats
    (no dualgrad path: 8th order, steps 1e-3 max(1, |x|), rounding about 1e-10)."""
    return numerical_jacobian(lambda z: numerical_jacobian(f, z), x)


def _check(f, x=X, sparse=True, atol=1e-10):
    """Dense Jacobian against the central difference (8th order: 6e-12 relative at
    worst on these cases, measured), the value against NumPy's own on floats, and (1-D
    outputs) the sparse Jacobian against the dense one."""
    J = np.asarray(dg.jacobian(f, x))
    np.testing.assert_allclose(J, numerical_jacobian(f, x), rtol=1e-9, atol=atol)
    value, _ = dg.jvp(f, x, np.ones_like(x))
    np.testing.assert_allclose(np.asarray(value), np.asarray(f(x)), rtol=1e-14, atol=1e-15)
    if sparse and np.ndim(f(x)) == 1:
        S = dg.jacobian(f, x, sparsity="auto")
        np.testing.assert_allclose(S.toarray(), J.reshape(S.shape), rtol=1e-13, atol=1e-15)
    return J


# ---- 1. reductions with where= and initial=, ufunc methods -----------------------------
@pytest.mark.parametrize("f", [
    lambda x: np.sum(x ** 2, where=X > 0),
    lambda x: np.sum(x.reshape(3, 3) ** 2, axis=1, where=M),
    lambda x: np.max(x, initial=0.1),
    lambda x: np.max(x.reshape(3, 3), axis=0, where=M, initial=-5.0),
    lambda x: np.min(x.reshape(3, 3), axis=1, where=M, initial=1.0, keepdims=True).ravel(),
    lambda x: np.prod(x.reshape(3, 3), axis=0, where=M, initial=2.0),
    lambda x: np.add.reduce(x, initial=3.0),
    lambda x: np.maximum.reduce(x.reshape(3, 3), axis=1, where=M, initial=-1.0),
    lambda x: np.mean(x.reshape(3, 3) ** 2, axis=1, where=M),
    lambda x: np.var(x.reshape(3, 3), axis=0, where=M),
    lambda x: np.std(x.reshape(3, 3), where=M, ddof=1),
], ids=["sum-where", "sum-where-axis", "max-initial", "max-where-initial",
        "min-where-keepdims", "prod-where-initial", "add.reduce-initial",
        "maximum.reduce-where", "mean-where", "var-where", "std-where-ddof"])
def test_reductions_with_where_and_initial(f):
    _check(f)


def test_where_and_initial_closed_forms():
    """The selected elements' own partials: sum of x**2 where x > 0 is 2x there, 0
    elsewhere; a max below its initial has none."""
    g = dg.gradient(lambda x: np.sum(x ** 2, where=X > 0), X)
    np.testing.assert_array_equal(g, np.where(X > 0, 2 * X, 0.0))
    assert not np.any(dg.gradient(lambda x: np.max(x, initial=10.0), X))
    g = dg.gradient(lambda x: np.add.reduce(x, initial=3.0), X)
    np.testing.assert_array_equal(g, np.ones_like(X))
    with pytest.raises(ValueError):          # NumPy's own: a max of where= needs initial=
        dg.gradient(lambda x: np.max(x, where=X > 0), X)


@pytest.mark.parametrize("f", [
    lambda x: np.add.reduceat(x, [0, 2, 3]),
    lambda x: np.add.reduceat(x, [0, 4, 2, 8]),
    lambda x: np.add.reduceat(x.reshape(3, 3), [0, 2], axis=0).ravel(),
    lambda x: np.multiply.reduceat(x.reshape(3, 3), [0, 2, 1], axis=1).ravel(),
    lambda x: np.maximum.reduceat(x, [0, 4, 2, 8]),
    lambda x: np.minimum.reduceat(x, [1, 5]),
    lambda x: np.maximum.accumulate(x),
    lambda x: np.minimum.accumulate(x.reshape(3, 3), axis=1).ravel(),
    lambda x: np.logaddexp.reduce(x),
    lambda x: np.logaddexp2.reduce(x.reshape(3, 3), axis=1),
    lambda x: np.logaddexp.reduce(x.reshape(3, 3), axis=0, keepdims=True).ravel(),
], ids=["add.reduceat", "add.reduceat-back", "add.reduceat-axis0", "multiply.reduceat",
        "maximum.reduceat", "minimum.reduceat", "maximum.accumulate",
        "minimum.accumulate-axis1", "logaddexp.reduce", "logaddexp2.reduce",
        "logaddexp.reduce-keepdims"])
def test_ufunc_methods(f):
    _check(f)


def test_logaddexp_reduce_is_the_softmax():
    g = dg.gradient(lambda x: np.logaddexp.reduce(x), X)
    np.testing.assert_allclose(g, np.exp(X) / np.sum(np.exp(X)), rtol=1e-14)


def test_running_max_follows_the_selected_element_and_nan_wins():
    """No ties: each running maximum has its source element's partials (the one-hot
    rows of the float result's source); a NaN wins from where it appears."""
    x = np.array([1.0, 3.0, 2.0, np.nan, 5.0])
    J = dg.jacobian(lambda x: np.maximum.accumulate(x), x)
    np.testing.assert_array_equal(J, np.eye(5)[[0, 1, 1, 3, 3]])


def test_fmax_accumulate_skips_nan():
    x = np.array([np.nan, 1.0, 3.0, np.nan, 2.0, 5.0, 4.0])
    J = dg.jacobian(lambda x: np.fmax.accumulate(x), x)
    np.testing.assert_array_equal(J, np.eye(7)[[0, 1, 2, 2, 2, 5, 5]])
    J = dg.jacobian(lambda x: np.fmin.accumulate(x), x)
    np.testing.assert_array_equal(J, np.eye(7)[[0, 1, 1, 1, 1, 1, 1]])
    _check(lambda x: np.fmin.accumulate(x.reshape(3, 3), axis=0).ravel())


def _max_plus_min(spelling):
    """max(a, b) + min(a, b) = a + b for x = (a, b), spelled with a ufunc method."""
    hi, lo = {"accumulate": (np.maximum, np.minimum),
              "fmax/fmin accumulate": (np.fmax, np.fmin),
              "reduceat": (np.maximum, np.minimum)}[spelling]
    if spelling == "reduceat":          # two segments: [a, b] and [0]
        # (np.concatenate: np.r_[x, 0.0 * x[0]] is an object array of scalar duals,
        # whose reduceat is NumPy's object loop: the first of ties, docs/writing-code.md)
        return lambda x: (hi.reduceat(np.concatenate([x, 0.0 * x[:1]]), [0, 2])[0]
                          + lo.reduceat(np.concatenate([x, 0.0 * x[:1]]), [0, 2])[0])
    return lambda x: hi.accumulate(x)[1] + lo.accumulate(x)[1]


@pytest.mark.parametrize("spelling", ["accumulate", "fmax/fmin accumulate", "reduceat"])
def test_ufunc_methods_split_ties_as_the_table(spelling):
    """A tie split evenly (rule table, TIES), as np.maximum and maximum.reduce do: the
    smooth a + b spelled as max + min has gradient (1, 1) at a == b (its central
    differences too); the first-wins running maximum gave (2, 0).  The running maximum
    of (1, 3, 3, 2) at the tie: the mean of the tied elements' partials, as central
    differences along each coordinate (which average the sides)."""
    f = _max_plus_min(spelling)
    x = np.array([1.0, 1.0])
    np.testing.assert_allclose(numerical_jacobian(f, x), [1.0, 1.0], rtol=1e-12)
    np.testing.assert_array_equal(dg.gradient(f, x), [1.0, 1.0])
    if spelling == "accumulate":
        y = np.array([1.0, 3.0, 3.0, 2.0])
        half = np.array([0.0, 0.5, 0.5, 0.0])
        J = dg.jacobian(lambda y: np.maximum.accumulate(y), y)
        np.testing.assert_array_equal(J, [[1.0, 0, 0, 0], [0, 1.0, 0, 0], half, half])


@pytest.mark.parametrize("f", [
    lambda x: np.sum(x ** 3, where=X > 0),
    lambda x: np.sum(np.prod(x.reshape(3, 3), axis=0, where=M, initial=2.0) ** 2),
    lambda x: np.max(x ** 2, initial=0.1),
    lambda x: np.var(x.reshape(3, 3), where=M),
    lambda x: np.sum(np.multiply.reduceat(x, [0, 4, 2, 8]) ** 2),
    lambda x: np.sum(np.maximum.accumulate(x) ** 3),
    lambda x: np.logaddexp.reduce(x ** 2),
    lambda x: np.quantile(x ** 2, 0.3, method="hazen") ** 2,
    lambda x: np.sum(_swv(x, 3).prod(axis=1)),
    lambda x: np.sum(np.geomspace(x[1], x[3], 5) ** 2),
    lambda x: np.sum(np.cov(x.reshape(3, 3), aweights=np.array([1.0, 2.0, 3.0])) ** 2),
], ids=["sum-where", "prod-where", "max-initial", "var-where", "multiply.reduceat",
        "maximum.accumulate", "logaddexp.reduce", "quantile-hazen", "sliding_window_view",
        "geomspace", "cov-aweights"])
def test_hessians(f):
    """Nested duals: the Hessian against central differences of the gradient and against
    second differences of ``f`` on floats (independent of dualgrad's first
    derivatives), and the sparse Hessian against the dense one."""
    H = dg.hessian(f, X)
    np.testing.assert_allclose(H, numerical_jacobian(lambda z: dg.gradient(f, z), X),
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(H, _fd_hessian(f, X), rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(dg.hessian(f, X, sparsity="auto").toarray(), H,
                               rtol=1e-12, atol=1e-12)


def test_ufunc_where_with_out():
    """np.sin(x, out=y, where=m): y's own elements (and partials) where m is false."""
    def f(x):
        y = x * 2
        np.sin(x, out=y, where=X > 0.4)
        return y
    J = _check(f)
    np.testing.assert_allclose(np.diag(J), np.where(X > 0.4, np.cos(X), 2.0), rtol=1e-15)
    with pytest.raises(TypeError, match="storing a dual number into a plain"):
        dg.jacobian(lambda x: np.sin(x, out=np.zeros(9), where=X > 0), X)


# ---- 2. quantile methods and a dual q --------------------------------------------------
METHODS = ["inverted_cdf", "averaged_inverted_cdf", "closest_observation",
           "interpolated_inverted_cdf", "hazen", "weibull", "linear", "median_unbiased",
           "normal_unbiased", "lower", "higher", "midpoint", "nearest"]
Y = np.array([0.52, -1.3, 2.2, 0.07, 1.45, -0.61, 0.98, 3.1, -2.04, 0.33, 1.77])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("q", [0.0, 0.07, 0.3, 0.5, 0.93, 1.0, [0.1, 0.45, 0.5]])
def test_quantile_methods(method, q):
    """Every method: NumPy's value to the bit, the Jacobian of the two order statistics
    it weighs; over an axis of a matrix too (percentile, keepdims).  The quantiles are
    piecewise linear in Y (no kink within the differences' 1.2e-2 of Y: its order
    statistics are 0.19 apart), so the central differences are exact to rounding."""
    f = lambda y: np.quantile(y, q, method=method)               # noqa: E731
    J = np.asarray(dg.jacobian(f, Y))
    np.testing.assert_allclose(J, numerical_jacobian(f, Y), rtol=1e-10, atol=1e-10)
    value, _ = dg.jvp(f, Y, np.ones_like(Y))
    np.testing.assert_array_equal(np.asarray(value), f(Y))
    g = lambda y: np.percentile(y[:10].reshape(2, 5), np.multiply(q, 100), axis=1,  # noqa
                                method=method, keepdims=True)
    np.testing.assert_allclose(np.asarray(dg.jacobian(g, Y)), numerical_jacobian(g, Y),
                               rtol=1e-10, atol=1e-10)


def test_quantile_lower_is_an_order_statistic():
    """user26: quantile(method="lower") picks one element: its partials, weight 1."""
    g = dg.gradient(lambda y: np.quantile(y, 0.3, method="lower"), Y)
    k = int(np.floor(0.3 * (Y.size - 1)))
    np.testing.assert_array_equal(g, np.eye(Y.size)[np.argsort(Y)[k]])


@pytest.mark.parametrize("method", METHODS)
def test_dual_q(method):
    """d quantile / dq: the gap of the two order statistics times d(virtual index)/dq
    (0 for the discrete methods), for quantile and percentile alike."""
    for q in (0.07, 0.33, 0.61):
        d = dg.derivative(lambda q: np.quantile(Y, q, method=method), q)
        dp = dg.derivative(lambda q: np.percentile(Y, 100 * q, method=method), q)
        ref = numerical_jacobian(lambda q: np.quantile(Y, q, method=method), q, h=1e-5)
        np.testing.assert_allclose([d, dp], [ref, ref], atol=1e-7)


def test_dual_q_closed_form():
    """repro_03 (c): d/dq percentile(X, 100 q) at 0.3 = (s[2] - s[1]) (n - 1) = 4."""
    X5 = np.array([0.5, 2.0, 1.0, 4.0, 3.5])
    assert dg.derivative(lambda q: np.percentile(X5, 100 * q), 0.3) == pytest.approx(4.0,
                                                                                    rel=1e-14)
    g = dg.gradient(lambda q: np.sum(np.quantile(Y, q, method="hazen")), np.array([.2, .7]))
    s, n = np.sort(Y), Y.size
    idx = n * np.array([.2, .7]) - 0.5
    np.testing.assert_allclose(g, (s[np.floor(idx).astype(int) + 1] -
                                   s[np.floor(idx).astype(int)]) * n, rtol=1e-13)


def test_quantile_bad_method_and_weights():
    with pytest.raises(ValueError, match="not a valid method"):
        dg.gradient(lambda y: np.quantile(y, 0.5, method="nope"), Y)
    with pytest.raises(ValueError, match="Only method 'inverted_cdf' supports weights"):
        dg.gradient(lambda y: np.quantile(y, 0.5, weights=np.ones(11)), Y)   # NumPy's


WQ = np.array([1.0, 2, 1, 3, 1, 1, 2, 1, 1, 4, 1, 2])
Y12 = np.append(Y, 0.2)


@pytest.mark.parametrize("f", [
    lambda y: np.quantile(y, 0.3, method="inverted_cdf", weights=WQ),
    lambda y: np.quantile(y, [0.1, 0.5, 0.9], method="inverted_cdf", weights=WQ),
    lambda y: np.quantile(y.reshape(3, 4), [0.2, 0.7], axis=1, method="inverted_cdf",
                          weights=WQ[:4]),
    lambda y: np.quantile(y.reshape(3, 4), 0.6, axis=0, method="inverted_cdf",
                          weights=WQ[:3], keepdims=True),
    lambda y: np.quantile(y.reshape(3, 4), [0.4], method="inverted_cdf",
                          weights=WQ.reshape(3, 4), keepdims=True),
    lambda y: np.percentile(y.reshape(3, 4), 50, axis=1, method="inverted_cdf",
                            weights=WQ.reshape(3, 4)),
], ids=["scalar-q", "q-array", "axis1", "axis0-keepdims", "all-keepdims", "percentile-2d"])
def test_weighted_quantile(f):
    """weights= (inverted_cdf): the element NumPy returns, its partials (weight 1)."""
    J = np.asarray(dg.jacobian(f, Y12))
    np.testing.assert_allclose(J, numerical_jacobian(f, Y12), atol=1e-9)
    assert set(np.unique(J)) <= {0.0, 1.0}
    value, _ = dg.jvp(f, Y12, np.ones(12))
    np.testing.assert_array_equal(np.asarray(value), f(Y12))


# ---- 3. dtypes ----------------------------------------------------------------------------
def test_same_dtype_astype_keeps_the_dual():
    J = dg.jacobian(lambda x: x.astype(x.dtype) * 2, X)
    np.testing.assert_array_equal(J, 2 * np.eye(X.size))
    assert dg.derivative(lambda t: (t * 3).astype(np.dtype(float)), 1.0) == 3.0
    J = dg.jacobian(lambda x: np.cumsum(x, dtype=np.float64), X)
    np.testing.assert_array_equal(J, np.tril(np.ones((9, 9))))


@pytest.mark.parametrize("f, who", [
    (lambda x: np.cumsum(x, dtype=np.float32), r"np\.cumsum\(\.\.\., dtype=float32\)"),
    (lambda x: x.astype(np.float32), r"d\.astype\(float32\)"),
    (lambda x: np.sin(x, dtype=np.float32), r"np\.sin\(\.\.\., dtype=float32\)"),
])
def test_narrowing_dtype_says_what_it_is(f, who):
    # astype's cast has no dtype= to leave out: its fix drops the cast (newuser60)
    with pytest.raises(TypeError, match=who + r".*narrowing cast.*float64.*Fix: leave "
                                        r"(dtype= out|the cast out)"):
        dg.jacobian(f, X)


def test_python_round_with_digits():
    """round(d, 1): Python's value (0.15 -> 0.1, not np.round's 0.2), zero partials;
    round(d) still raises (an integer)."""
    value, slope = dg.jvp(lambda t: round(t, 1), 0.15, 1.0)
    assert value == round(0.15, 1) and slope == 0.0
    assert dg.derivative(lambda t: round(t * 3, 1) + t, 0.05) == 1.0
    H = dg.hessian(lambda x: round(x[0] * x[1], 2) + x[0] ** 2, np.array([0.3, 0.4]))
    np.testing.assert_array_equal(H, [[2.0, 0.0], [0.0, 0.0]])
    with pytest.raises(TypeError, match=r"round\(d\) makes an integer"):
        dg.derivative(lambda t: round(t), 0.3)
    with pytest.raises(TypeError, match=r"round\(d\) of an array dual.*np\.round\(d, "):
        dg.jacobian(lambda x: round(x, 1), X)          # (an ndarray has no __round__)


# ---- 4. structural functions, spaced samples ---------------------------------------------
def _swv(x, *args, **kwargs):
    from numpy.lib.stride_tricks import sliding_window_view
    return sliding_window_view(x, *args, **kwargs)


@pytest.mark.parametrize("f", [
    lambda x: _swv(x, 3).sum(axis=1),
    lambda x: (_swv(x.reshape(3, 3), (2, 2)) * np.arange(4.0).reshape(2, 2)).sum(
        axis=(2, 3)).ravel(),
    lambda x: _swv(x.reshape(3, 3), 2, axis=-1).prod(axis=-1).ravel(),
    lambda x: np.choose([0, 1, 0, 1, 0, 1, 0, 2, 1], [x, x ** 2, np.ones(9)]),
    lambda x: np.choose(np.array([[0], [3]]), [x[:3], x[3:6] ** 2], mode="wrap").ravel(),
    lambda x: np.choose([0, 5, 1], [x[:3], np.sin(x[3:6])], mode="clip"),
    lambda x: np.extract(X > 0.6, x ** 2),
    lambda x: np.linalg.trace(np.outer(x, x)),
    lambda x: np.linalg.trace(x.reshape(1, 3, 3) ** 3, offset=1),
    lambda x: np.linalg.diagonal(np.outer(x, x[:4])),
    lambda x: np.linalg.matrix_transpose(np.outer(x, x[:2])).ravel(),
    lambda x: np.unstack(x.reshape(3, 3), axis=1)[1] * 2,
    lambda x: np.logspace(0.0, x[0], 4),
    lambda x: np.logspace(x[1], x[0], 5, base=x[3], endpoint=False),
    lambda x: np.geomspace(x[1], x[3], 5),
    lambda x: np.geomspace(-x[1], -x[3], 4, endpoint=False),
    lambda x: np.geomspace(x[:2], x[3:5] + 3, 3, axis=1).ravel(),
], ids=["sliding_window_view", "sliding_window_view-2d", "sliding_window_view-axis",
        "choose", "choose-wrap", "choose-clip", "extract", "linalg.trace",
        "linalg.trace-batch", "linalg.diagonal", "linalg.matrix_transpose", "unstack",
        "logspace", "logspace-dual-base", "geomspace", "geomspace-negative",
        "geomspace-arrays"])
def test_structural_and_spaced(f):
    _check(f)


def test_geomspace_and_logspace_closed_forms():
    a, b = 2.0, 50.0
    d = dg.jacobian(lambda p: np.geomspace(p[0], p[1], 4), np.array([a, b]))
    t = np.linspace(0, 1, 4)
    g = a ** (1 - t) * b ** t
    np.testing.assert_allclose(d, np.stack([(1 - t) * g / a, t * g / b], axis=1), rtol=1e-13)
    d = dg.derivative(lambda s: np.logspace(0.0, s, 3), 2.0)
    np.testing.assert_allclose(d, np.log(10) * 10 ** np.array([0, 1, 2.0]) * [0, .5, 1],
                               rtol=1e-13)


def test_sliding_window_view_is_read_only():
    def write(x):
        w = _swv(x, 3)
        w[0, 0] = 1.0
        return w.sum()
    with pytest.raises(ValueError, match="read-only"):        # NumPy's, as on floats
        dg.gradient(write, X)
    with pytest.raises(TypeError, match=r"sliding_window_view with writeable=True"):
        dg.gradient(lambda x: _swv(x, 3, writeable=True).sum(), X)


# ---- 5. user26: moving knots, weighted covariance, buffers -------------------------------
P = np.array([0.1, 0.5, 1.3, 2.0, 2.9, 0.3, 0.7, 0.2, 1.1, 0.4])
XS = np.array([-0.5, 0.2, 0.77, 1.4, 2.5, 2.8, 3.4])


@pytest.mark.parametrize("f", [
    lambda p: np.interp(XS, p[:5], np.sin(np.arange(5.0))),
    lambda p: np.interp(XS, p[:5], p[5:] ** 2),
    lambda p: np.interp(XS, p[:5], p[5:] ** 2, left=-1.0, right=p[0]),
    lambda p: np.interp(p[5:] * 3, p[:5], p[5:] ** 2),
    lambda p: np.interp(1.0, p[:5], p[5:]),
], ids=["xp", "xp-fp", "xp-fp-ends", "x-xp-fp", "scalar-x"])
def test_interp_with_dual_knots(f):
    _check(f, P)


def test_interp_dual_knots_closed_form_and_hessian():
    """repro_interp_dual_xp: d/da interp(1.5, [0, a, 2], [0, 1, 3]) at a = 1 is
    -(3 - 1) (2 - 1.5) / (2 - 1)**2 = -1; np.stack of the knots, as the message of the
    np.array spelling advises."""
    d = dg.derivative(lambda a: np.interp(1.5, np.stack([0.0, a, 2.0]),
                                          np.array([0.0, 1.0, 3.0])), 1.0)
    assert d == pytest.approx(-1.0, rel=1e-14)
    with pytest.raises(TypeError, match=r"np\.interp received .*np\.stack"):
        dg.derivative(lambda a: np.interp(1.5, np.array([0.0, a, 2.0]),
                                          np.array([0.0, 1.0, 3.0])), 1.0)
    g = lambda p: np.sum(np.interp(XS, p[:5], p[5:] ** 2) ** 2)      # noqa: E731
    H = dg.hessian(g, P)
    np.testing.assert_allclose(H, numerical_jacobian(lambda q: dg.gradient(g, q), P),
                               atol=1e-7)
    np.testing.assert_allclose(H, _fd_hessian(g, P), rtol=1e-7, atol=1e-8)   # floats only
    np.testing.assert_allclose(dg.hessian(g, P, sparsity="auto").toarray(), H, atol=1e-13)


R = 0.01 * np.random.default_rng(1).standard_normal((25, 3))
AW = 0.94 ** np.arange(25)[::-1]
FW = np.random.default_rng(2).integers(1, 4, 25)
W3 = np.array([0.2, 0.5, 0.3])


@pytest.mark.parametrize("f, x", [
    (lambda R: np.sqrt(W3 @ np.cov(R, rowvar=False, aweights=AW) @ W3), R),
    (lambda R: np.cov(R.T, fweights=FW).ravel(), R),
    (lambda R: np.cov(R.T, fweights=FW, aweights=AW, ddof=0).ravel(), R),
    (lambda R: np.cov(R.T, fweights=FW, aweights=AW).ravel(), R),
    (lambda a: np.cov(R.T, aweights=a).ravel(), AW),
    (lambda a: np.cov(R.T, aweights=a, fweights=FW, bias=True).ravel(), AW),
    (lambda r: np.cov(r, aweights=AW), R[:, 0]),
], ids=["aweights-ewma", "fweights", "both-ddof0", "both", "dual-aweights",
        "dual-aweights-bias", "1-d"])
def test_weighted_cov(f, x):
    """repro_cov_aweights: NumPy's weighted covariance, plain or dual weights."""
    J = np.asarray(dg.jacobian(f, x))
    np.testing.assert_allclose(J, numerical_jacobian(f, x), rtol=1e-8,     # 1e-10 measured
                               atol=1e-9 * np.max(np.abs(J)))
    np.testing.assert_array_equal(np.asarray(dg.jvp(f, x, np.ones_like(x))[0]), f(x))


def test_cov_weight_errors_are_numpys():
    with pytest.raises(TypeError, match="fweights must be integer"):
        dg.jacobian(lambda R: np.cov(R.T, fweights=FW + 0.5), R)
    with pytest.raises(ValueError, match="aweights cannot be negative"):
        dg.jacobian(lambda R: np.cov(R.T, aweights=-AW), R)


def test_messages_never_print_whole_arrays():
    # (np.nanquantile's weights=, refused here before stats46, is differentiated now)
    with pytest.raises(ValueError) as info:
        dg.gradient(lambda y: np.sum(np.nanquantile(y, np.linspace(0.0, 3.0, 300))), Y)
    assert "got ndarray of shape (300,)" in str(info.value)
    assert len(str(info.value)) < 600


def test_buffer_of_a_plain_arrays_like_names_it():
    """repro_mc_emptylike_msg: np.empty_like(Z) of plain draws Z, then S[:, t] = dual."""
    def f(sig, shaped=False):
        Z = np.random.default_rng(0).standard_normal((4, 3))
        S = np.zeros_like(sig, shape=Z.shape) if shaped else np.empty_like(Z)
        s = np.full(4, 100.0)
        for t in range(3):
            s = s * np.exp(sig * Z[:, t])
            S[:, t] = s
        return S.mean()
    with pytest.raises(TypeError, match=r"np\.empty_like\(Z\).*of a plain array Z.*"
                                        r"np\.zeros_like\(x, shape=Z\.shape\)"):
        dg.derivative(f, 0.2)
    Z = np.random.default_rng(0).standard_normal((4, 3))
    paths = 100.0 * np.exp(0.2 * np.cumsum(Z, axis=1))
    assert dg.derivative(lambda s: f(s, True), 0.2) == pytest.approx(
        np.mean(paths * np.cumsum(Z, axis=1)), rel=1e-13)


# ---- 6. attack32 repro_03 messages ------------------------------------------------------
def test_matrix_inverse_names_np_matrix():
    with pytest.warns(PendingDeprecationWarning), \
            pytest.raises(TypeError, match=r"np\.matrix's \.I raised .*np\.linalg\.inv\(d\)"):
        dg.jacobian(lambda x: np.asarray(np.matrix(x.reshape(2, 2)).I).ravel(),
                    np.array([0.3, 1.2, 0.7, 2.1]))


def test_own_conversion_is_named_not_an_except_clause():
    x = np.array([0.3, 1.2, 0.7, 2.1])
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda x: np.zeros_like(np.ascontiguousarray(x)) + 1.0, x)
    text = str(info.value)
    assert "np.ascontiguousarray(x) in <lambda>, line" in text
    assert "except clause in f most likely" not in text and "Fix: drop the conversion" in text
    with pytest.warns(dg.CaughtErrorWarning, match=r"np\.asfortranarray\(x\.reshape\(2, 2\)\)"
                                                   r" in <lambda>, line"):
        J = dg.jacobian(lambda x: (np.zeros_like(np.asfortranarray(x.reshape(2, 2))) +
                                   x.reshape(2, 2)).ravel(), x)
    np.testing.assert_array_equal(J, np.eye(4))
