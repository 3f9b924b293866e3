"""np.unique and np.histogram on duals (issue 13; attack26 b3: both said "would drop
derivatives").  Oracles: central differences of the plain NumPy function (at points
where the counting is locally constant), analytic Jacobians (indicator matrices of
the bins, the linear edges), NumPy's own integers for what is counted."""

import numpy as np
import pytest

import dualgrad as dg
from _oracles import central

rng = np.random.default_rng(38)
X = rng.standard_normal(9)
W = rng.uniform(1.0, 2.0, 9)
REPEAT = [0, 2, 0, 1, 2, 3, 3]            # copies of one value: exact


# ---- np.unique ------------------------------------------------------------------------
def test_unique_values_of_copies_against_central_differences():
    f = lambda x: np.unique(np.sin(x[REPEAT]))
    np.testing.assert_array_equal(dg.jacobian(f, X[:4]).shape, (4, 4))
    np.testing.assert_allclose(dg.jacobian(f, X[:4]), central(f, X[:4]), atol=1e-9)
    np.testing.assert_array_equal(f(X[:4]), np.unique(np.sin(X[:4])))


def test_unique_extras_are_numpys_and_the_values_carry_derivatives():
    def f(x):
        u, i, inv, c = np.unique(x[REPEAT], return_index=True, return_inverse=True,
                                 return_counts=True)
        want = np.unique(X[:4][REPEAT], return_index=True, return_inverse=True,
                         return_counts=True)
        for got, w in zip((i, inv, c), want[1:]):
            assert type(got) is np.ndarray and got.dtype == w.dtype
            np.testing.assert_array_equal(got, w)
        return u * c
    order = np.argsort(X[:4])
    counts = np.bincount(REPEAT)[order]
    np.testing.assert_array_equal(dg.jacobian(f, X[:4]), np.eye(4)[order] * counts[:, None])


def test_unique_hessian_against_central_differences_of_the_gradient():
    f = lambda x: np.sum(np.unique(x[REPEAT] ** 3) ** 2 * np.arange(1.0, 5.0))
    x0 = X[:4]
    np.testing.assert_allclose(dg.hessian(f, x0), central(lambda y: dg.gradient(f, y), x0),
                               rtol=1e-6, atol=1e-6)


def test_unique_along_an_axis():
    M0 = rng.standard_normal((3, 2))
    f = lambda m: np.unique(np.exp(m[[2, 0, 2, 1]]), axis=0)
    np.testing.assert_allclose(dg.jacobian(f, M0), central(f, M0), atol=1e-8)


def test_equal_values_with_different_derivatives_raise():
    """[x0, 1.7] at x0 = 1.7: unique would merge two values a perturbation splits."""
    tie = lambda x: np.concatenate([x, [1.7]])
    with pytest.raises(ValueError, match=r"np\.unique found equal values \(1\.7\) whose "
                                         r"derivatives differ.*Fix: .*return_index"):
        dg.jacobian(lambda x: np.unique(tie(x)), np.array([0.3, 1.7]))
    with pytest.raises(ValueError, match="np.unique found equal values"):   # nested
        dg.hessian(lambda x: np.sum(np.unique(tie(x)) ** 2), np.array([0.3, 1.7]))
    with pytest.raises(ValueError, match="np.unique found equal values"):
        dg.jacobian(lambda x: np.unique_values(x[[0, 1, 0]] * [1.0, 1.0, 2.0]),
                    np.array([0.0, 2.0]))          # 0 == 0 * 2, derivatives 1 and 2
    with pytest.raises(ValueError, match=r"equal values \(array\(\[3\., 4\.\]\)\)"):
        dg.jacobian(lambda m: np.unique(np.vstack([m, [3.0, 4.0]]), axis=0),
                    np.array([[1.0, 2.0], [3.0, 4.0]]))


def test_counts_and_inverse_of_ties_work_and_the_values_refuse():
    """Asked for counts or inverse too, NumPy's integers come back; the values stand
    in unusable (their len and shape are theirs), any use raises the same error."""
    def f(x):
        u, inv, c = np.unique(np.concatenate([x, [1.7]]), return_inverse=True,
                              return_counts=True)
        assert len(u) == 2 and u.shape == (2,)
        np.testing.assert_array_equal(c, [1, 2])
        np.testing.assert_array_equal(inv, [0, 1, 1])
        return np.sum(c[inv][:2] * x ** 2)          # 1 * x0**2 + 2 * x1**2
    np.testing.assert_allclose(dg.gradient(f, np.array([0.3, 1.7])), [0.6, 6.8])

    def uses_values(x):
        u, c = np.unique(np.concatenate([x, [1.7]]), return_counts=True)
        return u * 2.0
    with pytest.raises(ValueError, match="np.unique found equal values"):
        dg.jacobian(uses_values, np.array([0.3, 1.7]))
    with pytest.raises(ValueError, match="np.unique found equal values"):
        dg.jacobian(lambda x: np.unique_counts(np.concatenate([x, [1.7]])).values.sum(),
                    np.array([0.3, 1.7]))


@pytest.mark.parametrize("name", ["unique_values", "unique_counts", "unique_inverse",
                                  "unique_all"])
def test_array_api_unique_functions(name):
    func = getattr(np, name)

    def f(x):
        got = func(x[REPEAT])
        values = got if name == "unique_values" else got.values
        want = func(X[:4][REPEAT])
        if name != "unique_values":
            for field in got._fields[1:]:
                np.testing.assert_array_equal(getattr(got, field), getattr(want, field))
        return values
    x0 = X[:4]
    np.testing.assert_allclose(dg.jacobian(f, x0),
                               central(lambda y: np.unique(y[REPEAT]), x0), atol=1e-9)


# ---- np.histogram ---------------------------------------------------------------------
def _hist(x, **kw):
    return np.histogram(x, **kw)


def test_histogram_counts_are_numpys_integers_and_edges_follow_min_and_max():
    want_n, want_e = np.histogram(X, bins=4)

    def f(x):
        n, edges = np.histogram(x, bins=4)
        assert type(n) is np.ndarray and n.dtype == want_n.dtype
        np.testing.assert_array_equal(n, want_n)
        return edges
    lo, hi = np.argmin(X), np.argmax(X)
    t = np.linspace(0.0, 1.0, 5)
    J = np.zeros((5, X.size))
    J[:, lo], J[:, hi] = 1.0 - t, t                   # edges = min + t (max - min)
    np.testing.assert_allclose(dg.jacobian(f, X), J, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(J, central(lambda x: np.histogram(x, bins=4)[1], X), atol=1e-8)


def test_histogram_edges_values_are_numpys_to_the_bit():
    seen = []

    def f(x):
        edges = np.histogram(x, bins=7)[1]
        seen.append(edges.value.copy())
        return edges
    dg.jacobian(f, X)
    assert seen[0].tobytes() == np.histogram(X, bins=7)[1].tobytes()


def test_histogram_dual_weights_sum_per_bin():
    bins = np.histogram(X, bins=3)[1]
    idx = np.clip(np.searchsorted(bins, X, side="right") - 1, 0, 2)
    want = np.zeros((3, X.size))
    want[idx, np.arange(X.size)] = 2 * W                   # d/dw of sum w**2 in the bin
    J = dg.jacobian(lambda w: np.histogram(X, bins=3, weights=w ** 2)[0], W)
    np.testing.assert_allclose(J, want, rtol=1e-15)

    def values(w):
        n = np.histogram(X, bins=3, weights=w ** 2)[0]
        assert n.value.tobytes() == np.histogram(X, bins=3, weights=W ** 2)[0].tobytes()
        return n
    dg.jacobian(values, W)


def test_histogram_density_against_central_differences():
    XW = np.concatenate([X, W])

    def f(v, density=True):
        return np.histogram(v[:9], bins=3, weights=v[9:] ** 2, density=density)[0]
    np.testing.assert_allclose(dg.jacobian(f, XW), central(f, XW), rtol=1e-7, atol=1e-9)
    g = lambda v: np.sum(f(v) ** 2)
    np.testing.assert_allclose(dg.hessian(g, XW), central(lambda y: dg.gradient(g, y), XW),
                               rtol=1e-5, atol=1e-6)
    dens = lambda x: np.histogram(x, bins=5, density=True)[0]      # 1/width moves
    np.testing.assert_allclose(dg.jacobian(dens, X), central(dens, X), rtol=1e-6, atol=1e-8)


def test_histogram_range_bins_and_estimators():
    r0 = np.array([-3.0, 2.5])
    f = lambda r: np.histogram(X + 0.0 * r[0], bins=3, range=(r[0], r[1]))[1]
    t = np.linspace(0.0, 1.0, 4)
    np.testing.assert_allclose(dg.jacobian(f, r0), np.stack([1 - t, t], axis=1), rtol=1e-15)
    with pytest.raises(TypeError, match=r"np\.histogram .*data \+ 0\.0 \* lo"):
        dg.jacobian(lambda r: np.histogram(X, bins=3, range=(r[0], r[1]))[1], r0)
    b0 = np.array([-3.0, -0.5, 0.5, 3.0])                 # given edges: as given
    np.testing.assert_array_equal(dg.jacobian(lambda b: np.histogram(X, bins=b)[1], b0),
                                  np.eye(4))
    dens = lambda b: np.histogram(X, bins=b, density=True)[0]
    np.testing.assert_allclose(dg.jacobian(dens, b0), central(dens, b0), rtol=1e-6)
    auto = lambda x: np.histogram(x, bins="auto")[1]
    np.testing.assert_allclose(dg.jacobian(auto, X), central(auto, X), atol=1e-8)
    be = lambda x: np.histogram_bin_edges(x, bins=4)
    np.testing.assert_allclose(dg.jacobian(be, X), central(be, X), atol=1e-8)
    flat = lambda x: np.histogram(0.0 * x + 1.0, bins=2)[1]            # one value: +-0.5
    np.testing.assert_array_equal(dg.jacobian(flat, X[:3]), np.zeros((3, 3)))


def test_histogram_data_on_an_edge_follows_numpy():
    """Data exactly on an inner edge goes to the bin on its right (the last edge: the
    last bin), as NumPy counts it; the counts' derivative there is NumPy's side's."""
    x0 = np.array([0.0, 1.0, 2.0, 3.0, 4.0])                 # edges 0, 1, ..., 4
    w0 = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    J = dg.jacobian(lambda w: np.histogram(x0, bins=4, weights=w)[0], w0)
    np.testing.assert_array_equal(J, [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0],
                                      [0, 0, 0, 1, 1]])
    n = np.histogram(x0, bins=4, weights=w0)[0]
    np.testing.assert_array_equal(J @ w0, n)
