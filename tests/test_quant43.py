"""quant43: the order statistics split ties as np.sort does (left42): np.quantile /
percentile / median, their nan forms (every method of NumPy's 13, q at 0 and 1, axis,
keepdims), np.partition's k-th values and the weighted quantile give a value several
elements share the mean of those elements' partials, on both engines, in nested
Hessians and in ``sparsity="auto"`` (the stable order's one element, before, was one
side's derivative, so np.median(x) and np.sort(x)[k] disagreed at one point).

Oracles, none read from dualgrad: NumPy's stable argsort with each run of equal sorted
values averaged (the sort's Jacobian) and NumPy's own index arithmetic per method,
recomputed here from the methods' definitions (Hyndman and Fan); one-sided differences
on each side at a tie of two (a genuine kink: their mean); central differences where
the tied elements' partials agree (no kink); analytic Hessians of the pieces.
"""

import numpy as np
import pytest

import dualgrad as dg

METHODS = ("inverted_cdf", "averaged_inverted_cdf", "closest_observation",
           "interpolated_inverted_cdf", "hazen", "weibull", "linear", "median_unbiased",
           "normal_unbiased", "lower", "higher", "midpoint", "nearest")
_AB = {"interpolated_inverted_cdf": (0.0, 1.0), "hazen": (0.5, 0.5), "weibull": (0.0, 0.0),
       "linear": (1.0, 1.0), "median_unbiased": (1 / 3, 1 / 3),
       "normal_unbiased": (3 / 8, 3 / 8)}


def _sort_jacobian(x):
    """d np.sort(x) / dx of a 1-D ``x``: the stable order's rows, each run of equal
    values given its mean row."""
    n = x.size
    P = np.eye(n)[np.argsort(x, kind="stable")]
    J = P.copy()
    s = np.sort(x)
    for k in range(n):
        if not np.isnan(s[k]):
            J[k] = P[s == s[k]].mean(axis=0)
    return J


def _weights(method, n, q):
    """``{rank: weight}`` of the order statistics that method ``method`` combines for
    quantile ``q`` of ``n`` values (NumPy's documented definitions)."""
    if method in ("lower", "higher", "nearest", "midpoint"):
        v = (n - 1) * q
        lo, hi = int(np.floor(v)), int(np.ceil(v))
        if method == "lower":
            return {lo: 1.0}
        if method == "higher":
            return {hi: 1.0}
        if method == "nearest":
            return {int(np.around(v)): 1.0}
        return {lo: 0.5, hi: 0.5} if lo != hi else {lo: 1.0}
    if method in ("inverted_cdf", "averaged_inverted_cdf", "closest_observation"):
        if method == "closest_observation":
            j = int(np.floor(n * q - 0.5))    # Hyndman and Fan 3 (1-based): x_j when
            g = n * q - 0.5 - j               # g == 0 and j is even, else x_(j + 1)
            k = j if g == 0 and j % 2 == 0 else j + 1
            return {min(max(k, 1), n) - 1: 1.0}
        g = n * q
        k = int(np.ceil(g))
        if method == "inverted_cdf" or g != np.floor(g) or k in (0, n):
            return {min(max(k, 1), n) - 1: 1.0}
        return {k - 1: 0.5, k: 0.5}
    alpha, beta = _AB[method]
    h = n * q + alpha + q * (1 - alpha - beta) - 1            # 0-based virtual index
    if h <= 0:
        return {0: 1.0}
    if h >= n - 1:
        return {n - 1: 1.0}
    lo = int(np.floor(h))
    return {lo: 1.0 - (h - lo), lo + 1: h - lo}


def _quantile_gradient(x, q, method):
    S = _sort_jacobian(x)
    return sum(w * S[k] for k, w in _weights(method, x.size, q).items())


TIED = [np.array([3.0, 1.0, 2.0, 2.0, 5.0, 2.0, 0.0, 5.0]),
        np.array([4.0, 4.0, 4.0, 4.0, 4.0]),
        np.array([1.0, -0.0, 0.0, 2.0, 1.0, 1.0, 7.0])]


# ---- 1. every method against np.sort's Jacobian ------------------------------------------
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("q", [0.0, 0.13, 0.25, 0.4, 0.5, 0.6, 0.875, 1.0])
@pytest.mark.parametrize("case", range(len(TIED)))
def test_every_method_takes_the_sorts_tied_means(method, q, case):
    x = TIED[case]
    got = dg.gradient(lambda a: np.quantile(a, q, method=method), x)
    np.testing.assert_allclose(got, _quantile_gradient(x, q, method), rtol=1e-14, atol=1e-15)
    # percentile is the same function of q / 100
    got = dg.gradient(lambda a: np.percentile(a, 100 * q, method=method), x)
    np.testing.assert_allclose(got, _quantile_gradient(x, q, method), rtol=1e-14, atol=1e-15)


def test_the_oracles_index_arithmetic_is_numpys():
    # the oracle's ranks and weights reproduce NumPy's values on distinct data
    x = np.random.default_rng(0).standard_normal(9)
    s = np.sort(x)
    for method in METHODS:
        for q in (0.0, 0.05, 0.13, 0.25, 0.4, 0.5, 0.6, 0.875, 0.95, 1.0):
            want = sum(w * s[k] for k, w in _weights(method, x.size, q).items())
            assert np.quantile(x, q, method=method) == pytest.approx(want, rel=1e-14), \
                (method, q)


def test_median_equals_the_sorts_middle_at_a_tie():
    x = np.array([2.0, 1.0, 2.0, 5.0, 2.0])
    mid = dg.gradient(lambda a: np.sort(a)[2], x)
    np.testing.assert_allclose(dg.gradient(np.median, x), mid, rtol=1e-15)
    np.testing.assert_allclose(mid, [1 / 3, 0, 1 / 3, 0, 1 / 3], rtol=1e-15)
    # even count, the two middle order statistics in one run
    x = np.array([2.0, 1.0, 2.0, 5.0])
    np.testing.assert_array_equal(dg.gradient(np.median, x), [0.5, 0.0, 0.5, 0.0])
    # an interpolation between two tied order statistics: no weight moves to q
    np.testing.assert_array_equal(dg.gradient(lambda a: np.quantile(a, 0.4), x),
                                  [0.5, 0.0, 0.5, 0.0])


def test_q_at_0_and_1_agree_with_min_and_max():
    x = np.array([1.0, 3.0, 1.0, 3.0, 2.0, 3.0])
    for q, extreme in ((0.0, np.min), (1.0, np.max)):
        for method in METHODS:
            np.testing.assert_allclose(
                dg.gradient(lambda a: np.quantile(a, q, method=method), x),
                dg.gradient(extreme, x), rtol=1e-15)


# ---- 2. against differences ----------------------------------------------------------
def test_a_tie_of_two_is_the_mean_of_the_one_sided_derivatives():
    rng = np.random.default_rng(1)
    x = np.array([0.3, 1.5, -2.0, 1.5, 4.0, 0.9])           # median: the tied 1.5s' ...
    for f in (np.median, lambda a: np.quantile(a, 0.7), lambda a: np.quantile(a, 0.8),
              lambda a: np.percentile(a, 75, method="hazen"),
              lambda a: np.quantile(a, 0.7, method="nearest")):
        g = dg.gradient(f, x)
        for _ in range(5):
            h = rng.standard_normal(x.size)
            e = 1e-6                  # f is piecewise linear: differences are exact
            right = (f(x + e * h) - f(x)) / e
            left = (f(x) - f(x - e * h)) / e
            assert np.dot(g, h) == pytest.approx((right + left) / 2, rel=1e-7, abs=1e-9)


def test_no_kink_where_the_tied_partials_agree():
    # [s, s, 5] and [s**2, s**2, -1]: the tied elements move together
    f = lambda s: np.median(np.stack([s, s, 5.0 + 0 * s]))                 # noqa: E731
    g = lambda s: np.quantile(np.stack([s ** 2, s ** 2, -1 + 0 * s, 9 + 0 * s]), 0.5)  # noqa
    for fn, s in ((f, 1.0), (g, 1.5)):
        e = 1e-5
        assert dg.derivative(fn, s) == pytest.approx((fn(s + e) - fn(s - e)) / (2 * e),
                                                    rel=1e-8)


# ---- 3. nan forms, axis, keepdims, out= -----------------------------------------------------
def test_nan_forms_skip_the_nans_and_split_the_rest():
    x = np.array([[2.0, np.nan, 2.0, 1.0, 7.0],
                  [np.nan, 3.0, np.nan, 3.0, 3.0],
                  [0.0, 0.0, 4.0, 1.0, 0.0]])
    for f, q in ((np.nanmedian, 0.5), (lambda a, axis: np.nanquantile(a, 0.3, axis=axis), 0.3),
                 (lambda a, axis: np.nanpercentile(a, 90, axis=axis), 0.9)):
        J = dg.jacobian(lambda a: f(a, axis=1), x)
        for r in range(3):
            keep = ~np.isnan(x[r])
            want = np.zeros(5)
            want[keep] = _quantile_gradient(x[r][keep], q, "linear")
            np.testing.assert_allclose(J[r, r], want, rtol=1e-14, atol=1e-15)
            assert not J[r, [i for i in range(3) if i != r]].any()


@pytest.mark.parametrize("axis", [0, 1, None, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_axes_and_keepdims(axis, keepdims):
    x = np.array([[1.0, 1.0, 3.0, 1.0], [2.0, 0.0, 2.0, 2.0], [5.0, 1.0, 0.0, 5.0]])
    f = lambda a: np.quantile(a, [0.25, 0.5], axis=axis, keepdims=keepdims)  # noqa: E731
    J = dg.jacobian(f, x)
    assert J.shape == np.shape(f(x)) + x.shape
    want = np.zeros_like(J)
    moved = np.moveaxis(x, 1, 0) if axis == 0 else x
    slices = [x.ravel()] if axis in (None, (0, 1)) else list(moved)
    for i, s in enumerate(slices):
        for j, q in enumerate((0.25, 0.5)):
            row = _quantile_gradient(s, q, "linear")
            if axis in (None, (0, 1)):
                want.reshape(2, -1)[j] = row
            else:
                block = np.zeros_like(x)
                if axis == 0:
                    block[:, i] = row
                else:
                    block[i] = row
                want.reshape(2, -1, x.size)[j, i] = block.ravel()
    np.testing.assert_allclose(J, want, rtol=1e-14, atol=1e-15)


def test_out_is_refused_by_name():
    d = dg.Dual(np.array([1.0, 1.0, 2.0]), np.eye(3))
    buf = dg.Dual(np.zeros(()), np.zeros(3))
    with pytest.raises(TypeError, match="np.median with out="):
        np.median(d, out=buf)


# ---- 4. weights -------------------------------------------------------------------------
def _wq(w, q=0.5):
    return lambda a: np.quantile(a, q, weights=np.asarray(w, float), method="inverted_cdf")


def test_weighted_ties_of_equal_weights_take_the_mean():
    x = np.array([1.0, 2.0, 2.0, 3.0])
    np.testing.assert_array_equal(dg.gradient(_wq([1, 2, 2, 1]), x), [0, 0.5, 0.5, 0])
    # a tied element of weight 0 never moves the result: one-sided differences agree
    f = _wq([1, 2, 0, 1])
    g = dg.gradient(f, x)
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0, 0.0])
    e = 1e-6
    for i in range(4):
        h = np.eye(4)[i]
        assert (f(x + e * h) - f(x)) / e == pytest.approx(g[i], abs=1e-9)
        assert (f(x) - f(x - e * h)) / e == pytest.approx(g[i], abs=1e-9)
    # over an axis
    X = np.array([[1.0, 2.0, 2.0, 3.0], [4.0, 4.0, 0.0, 1.0]])
    J = dg.jacobian(lambda a: np.quantile(a, 0.6, axis=1, weights=np.ones(4),
                                          method="inverted_cdf"), X)
    np.testing.assert_array_equal(J[0, 0], [0, 0.5, 0.5, 0])
    np.testing.assert_array_equal(J[1, 1], [0.5, 0.5, 0, 0])


def test_weighted_ties_of_unequal_weights_raise_a_named_error():
    # total 5, target 1.5 past the 1 before the pair: the first of the pair, whichever
    # that is (wq46: [1, 1, 3, 1] at 0.5 raised here too, though its weight-3 element
    # holds the target in either order: tests/test_wq46.py)
    x = np.array([1.0, 2.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"weights=.*unequal positive weights.*Fix: merge"):
        dg.gradient(_wq([1, 1, 2, 1], 0.3), x)
    # away from the tie, the same weights work
    np.testing.assert_array_equal(dg.gradient(_wq([1, 1, 2, 1], 0.1), x), [1, 0, 0, 0])


# ---- 5. partition --------------------------------------------------------------------------
def test_partitions_kth_values_split_as_sort():
    x = np.array([2.0, 1.0, 2.0, 0.0, 2.0, 5.0])
    S = _sort_jacobian(x)
    for kth in (2, 3, 4, (1, 3)):
        J = dg.jacobian(lambda a: np.partition(a, kth), x)
        out = np.partition(x, kth)
        for k in np.atleast_1d(kth):
            np.testing.assert_allclose(J[k], S[k], rtol=1e-15)
            # every place holding that value too
            for j in np.flatnonzero(out == out[k]):
                np.testing.assert_allclose(J[j], S[k], rtol=1e-15)


# ---- 6. Hessians and sparsity="auto" ---------------------------------------------------------
def test_hessian_takes_the_mean_of_the_tied_pieces():
    # median(x**2) at x = (-1, 1, 0): the tied pieces x0**2 and x1**2, first derivatives
    # -2 and 2 (a genuine kink): the mean of their Hessians, as np.sort(x**2)[1]'s
    x = np.array([-1.0, 1.0, 0.0])
    want = np.diag([1.0, 1.0, 0.0])
    np.testing.assert_array_equal(dg.hessian(lambda a: np.median(a ** 2), x), want)
    np.testing.assert_array_equal(dg.hessian(lambda a: np.sort(a ** 2)[1], x), want)
    np.testing.assert_array_equal(
        dg.hessian(lambda a: np.median(a ** 2), x, sparsity="auto").toarray(), want)
    # a tie whose first derivatives agree: np.sort orders the run by the second order
    # (tie43), and the quantiles follow np.sort (ties44; quant43 kept the mean, 0):
    # the middle of x**2, -x**2, 5 is max(x**2, -x**2) = x**2, second derivative 2
    f = lambda a: np.quantile(np.stack([a[0] ** 2, -a[0] ** 2, 5 + 0 * a[0]]), 0.5)  # noqa
    assert dg.hessian(f, np.zeros(1))[0, 0] == 2.0


@pytest.mark.parametrize("f", [np.sort, lambda a: np.partition(a, 3),
                               lambda a: np.quantile(a, [0.3, 0.5, 0.9]),
                               lambda a: np.atleast_1d(np.median(a)),
                               lambda a: np.sort(a.reshape(2, 4), axis=0).ravel(),
                               lambda a: np.median(a.reshape(2, 4), axis=1)],
                         ids=["sort", "partition", "quantile", "median", "sort-axis0",
                              "median-axis1"])
def test_sparse_jacobians_at_ties_cover_the_run(f):
    x = np.array([2.0, 1.0, 2.0, 0.0, 2.0, 1.0, 7.0, 2.0])
    dense = dg.jacobian(f, x)
    pattern = dg.sparsity(f, x).toarray()
    assert not np.any(dense[~pattern]), "the detected pattern misses a nonzero"
    np.testing.assert_array_equal(dg.jacobian(f, x, sparsity="auto").toarray(), dense)
