"""Order statistics at second order follow np.sort; chunked Hessians decide a tie once
per call (issue 13|14, stop 44, ties44).

At a tie whose first derivatives agree, np.sort orders a run by the second order
(tie43); np.quantile / percentile / median (and nan forms), np.partition's k-th places
kept the run's mean at second order: np.quantile([x**2, 0], 1) is max(x**2, 0) = x**2,
Hessian 2, and gave 1.  A chunked Hessian decided such a tie in each outer chunk by its
own block of D: np.maximum(x0**2, x3**2) (no second derivative at 0) gave x0**2's
column 0 and x3**2's column 3, no convention at all.

Oracles, none from dualgrad: closed forms of the smooth functions the spellings compute
near 0 (the sorted pieces' Hessians), NumPy's own quantile weights (np.quantile of
plain sorted vectors, linear in them), one-sided second differences of the plain float
functions on each side of the tie (mpmath arithmetic), and np.sort's path compared both
ways (np.quantile against the interpolation of np.sort's entries, np.partition's k-th
place against np.sort's).
"""

import concurrent.futures

import mpmath
import numpy as np
import pytest

import dualgrad as dg

ENGINES = ["eager", "fused"]
# every test parametrized by ENGINES runs its helpers in its own dg.engine(engine)
# block: engine_independent, run in one half of README's command (tests/conftest.py
# fails a test whose helper call escapes the block)
pytestmark = pytest.mark.engine_independent
METHODS = ["inverted_cdf", "averaged_inverted_cdf", "closest_observation",
           "interpolated_inverted_cdf", "hazen", "weibull", "linear", "median_unbiased",
           "normal_unbiased", "lower", "higher", "midpoint", "nearest"]
QS = [0.0, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9, 1.0]


def _r2(x):
    return x[0] ** 2 + x[1] ** 2


def _pieces(x):
    """Three pieces tied at 0; near 0 sorted as -r2 <= 0 <= r2 (out of order here)."""
    return np.stack([_r2(x), 0.0 * x[0], -_r2(x)])


SORTED_H = [-2 * np.eye(2), np.zeros((2, 2)), 2 * np.eye(2)]     # np.sort's entries'


def _weights(n, q, method):
    """NumPy's quantile as the linear map of a sorted vector of n values: its weights
    (np.quantile of plain floats, perturbing one sorted entry at a time)."""
    base = np.arange(n, dtype=float)
    q0 = np.quantile(base, q, method=method)
    w = np.empty(n)
    for j in range(n):
        e = base.copy()
        e[j] += 0.5                               # stays sorted
        w[j] = (np.quantile(e, q, method=method) - q0) / 0.5
    return w


def _hessians(f, x):
    return [dg.hessian(f, x), dg.jacfwd(dg.grad(f))(x)]


# ---- 1. closed forms --------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("method", METHODS)
def test_quantile_every_method_and_q_is_the_sorted_pieces(method, engine):
    x = np.zeros(2)
    with dg.engine(engine):
        for q in QS:
            want = sum(w * h for w, h in zip(_weights(3, q, method), SORTED_H))
            for H in _hessians(lambda a: np.quantile(_pieces(a), q, method=method), x):
                np.testing.assert_allclose(H, want, rtol=1e-12, atol=1e-12,
                                           err_msg=f"q={q}")


CLOSED = {      # (f, Hessian at 0): max(r2, 0, -r2) = r2, min = -r2, the middle 0
    "quantile 1": (lambda a: np.quantile(_pieces(a), 1.0), 2 * np.eye(2)),
    "quantile 0": (lambda a: np.quantile(_pieces(a), 0.0), -2 * np.eye(2)),
    "quantile 0.75": (lambda a: np.quantile(_pieces(a), 0.75), np.eye(2)),
    "percentile 100": (lambda a: np.percentile(_pieces(a), 100), 2 * np.eye(2)),
    "percentile 0": (lambda a: np.percentile(_pieces(a), 0), -2 * np.eye(2)),
    "median of 3": (lambda a: np.median(_pieces(a)), np.zeros((2, 2))),
    "median of [r2, 0, 0]": (lambda a: np.median(np.stack([_r2(a), 0 * a[0], 0 * a[1]])),
                             np.zeros((2, 2))),
    "median of 1": (lambda a: np.median(np.stack([_r2(a)])), 2 * np.eye(2)),
    "median of 2": (lambda a: np.median(np.stack([_r2(a), 0 * a[0]])), np.eye(2)),
    "nanquantile 1": (lambda a: np.nanquantile(np.append(_pieces(a), np.nan + 0 * a[0]), 1.0),
                      2 * np.eye(2)),
    "nanpercentile 0": (lambda a: np.nanpercentile(np.append(np.nan + a[1], _pieces(a)), 0),
                        -2 * np.eye(2)),
    "nanmedian": (lambda a: np.nanmedian(np.stack([np.nan * a[0], -_r2(a), 0 * a[0],
                                                   _r2(a), 3 + 0 * a[0]])),
                  np.eye(2)),             # sorted -r2, 0, r2, 3: (0 + r2) / 2
    "quantile, a q array": (lambda a: np.sum(np.quantile(_pieces(a), [0.0, 1.0]) *
                                             np.array([1.0, 3.0])), 4 * np.eye(2)),
    "partition k = 2": (lambda a: np.partition(_pieces(a), 2)[2], 2 * np.eye(2)),
    "partition k = 0": (lambda a: np.partition(_pieces(a), 0)[0], -2 * np.eye(2)),
    "partition k = 1": (lambda a: np.partition(_pieces(a), 1)[1], np.zeros((2, 2))),
    "partition k = (0, 2)": (lambda a: np.partition(_pieces(a), (0, 2))[2], 2 * np.eye(2)),
    # the places hold the pieces once each: sum(partition(p)) = sum(p) = 0
    "sum of partition": (lambda a: np.sum(np.partition(_pieces(a), 1) *
                                          np.array([1.0, 1.0, 1.0])), np.zeros((2, 2))),
    # (three values partitioned at 1 are sorted: -r2 + 0 + 5 r2)
    "weighted sum of partition": (lambda a: np.partition(_pieces(a), 1) @
                                  np.array([1.0, 2.0, 5.0]), 8 * np.eye(2)),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(CLOSED))
def test_closed_forms(name, engine):
    f, truth = CLOSED[name]
    x = np.zeros(2)
    with dg.engine(engine):
        for H in _hessians(f, x):
            np.testing.assert_allclose(H, truth, rtol=1e-14, atol=1e-14)
        H = dg.hessian(f, x, sparsity="auto")
        np.testing.assert_allclose(H.toarray(), truth, rtol=1e-14, atol=1e-14)
        np.testing.assert_array_equal(dg.grad(f)(x), np.zeros(2))


def _rows(a):
    """(2, 3): row 0 sorted -r2, 0, r2; row 1 (2 r2, -r2, 0) sorted -r2, 0, 2 r2."""
    r = _r2(a)
    return np.stack([np.stack([r, 0 * r, -r]), np.stack([2 * r, -r, 0 * r])])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_axes_and_keepdims(keepdims, engine):
    x = np.zeros(2)
    I = np.eye(2)   # noqa: E741
    with dg.engine(engine):
        # along axis 1, q = 1: row maxima r2 and 2 r2
        f = lambda a: np.sum(np.quantile(_rows(a), 1.0, axis=1, keepdims=keepdims)  # noqa
                             * np.array([1.0, 10.0]).reshape((2, 1) if keepdims else (2,)))
        np.testing.assert_allclose(dg.hessian(f, x), 2 * I + 40 * I, atol=1e-13)
        # along axis 0 (pairs (r2, 2 r2), (0, -r2), (-r2, 0)), q = 0: r2, -r2, -r2
        f = lambda a: np.sum(np.quantile(_rows(a), 0.0, axis=0, keepdims=keepdims)  # noqa
                             * np.array([1.0, 10.0, 100.0]))
        np.testing.assert_allclose(dg.hessian(f, x), 2 * I - 20 * I - 200 * I, atol=1e-12)
        # both axes at once: the largest of all, 2 r2
        f = lambda a: np.sum(np.nanquantile(_rows(a), 1.0, axis=(0, 1),  # noqa
                                            keepdims=keepdims))
        np.testing.assert_allclose(dg.hessian(f, x), 4 * I, atol=1e-13)
        # np.median along axis 1: the middle 0 of each row
        f = lambda a: np.sum(np.median(_rows(a), axis=1, keepdims=keepdims))  # noqa
        np.testing.assert_allclose(dg.hessian(f, x), 0 * I, atol=1e-13)
        # np.partition along axis 0 of the (3, 2) transpose, k = 1: the upper of each pair
        f = lambda a: np.sum(np.partition(_rows(a).T, 1, axis=1)[:, 1] *  # noqa
                             np.array([1.0, 10.0, 100.0]))
        np.testing.assert_allclose(dg.hessian(f, x), 4 * I + 0 * I + 0 * I, atol=1e-12)


# ---- 2. one-sided second differences of the plain functions -----------------------------
@mpmath.workdps(50)
def _one_sided(g, h=1e-3):
    """g''(0+) and g''(0-) of a plain function of t that is quadratic on each side of
    0: (g(2h) - 2 g(h) + g(0)) / h^2 and its mirror, in mpmath (50 digits)."""
    g0 = mpmath.mpf(g(0.0))
    plus = (mpmath.mpf(g(2 * h)) - 2 * mpmath.mpf(g(h)) + g0) / mpmath.mpf(h) ** 2
    minus = (mpmath.mpf(g(-2 * h)) - 2 * mpmath.mpf(g(-h)) + g0) / mpmath.mpf(h) ** 2
    return float(plus), float(minus)


SIDED = {
    "quantile 1": lambda a: np.quantile(_pieces(a), 1.0),
    "quantile 0.1 weibull": lambda a: np.quantile(_pieces(a), 0.1, method="weibull"),
    "quantile 0.9 hazen": lambda a: np.quantile(_pieces(a), 0.9, method="hazen"),
    "percentile 0": lambda a: np.percentile(_pieces(a), 0.0),
    "median of [r2, 0, 0]": lambda a: np.median(np.stack([_r2(a), 0 * a[0], 0 * a[1]])),
    "nanquantile 1": lambda a: np.nanquantile(np.append(_pieces(a), np.nan), 1.0),
    "partition k = 2": lambda a: np.partition(_pieces(a), 2)[2],
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(SIDED))
def test_one_sided_second_differences(name, engine):
    f = SIDED[name]
    with dg.engine(engine):
        H = dg.hessian(f, np.zeros(2))
    for u in (np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([1.0, -2.0])):
        plus, minus = _one_sided(lambda t: float(f(t * u)))
        assert abs(plus - minus) <= 1e-6 * max(1.0, abs(plus))    # twice differentiable
        assert abs(u @ H @ u - plus) <= 1e-6 * max(1.0, abs(plus)), (u, plus, H)


# ---- 3. np.sort's own path, both ways ---------------------------------------------------
def _stack(a, cs):
    """Pieces c_i r2 tied at 0 (equal c: equal pieces), and an incomparable one."""
    return np.stack([c * _r2(a) for c in cs] + [a[0] ** 2 - a[1] ** 2])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", range(4))
def test_quantile_is_the_interpolation_of_sort(seed, engine):
    rng = np.random.default_rng(seed)
    cs = list(rng.choice([-1.0, 0.0, 0.5, 2.0], size=4))
    n = len(cs) + 1
    x = np.zeros(2)
    with dg.engine(engine):
        entries = [dg.hessian(lambda a, j=j: np.sort(_stack(a, cs))[j], x) for j in range(n)]
        for method in METHODS:
            q = float(rng.choice(QS))
            want = sum(w * h for w, h in zip(_weights(n, q, method), entries))
            got = dg.hessian(lambda a: np.quantile(_stack(a, cs), q, method=method), x)
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12,
                                       err_msg=f"{method} q={q}")
        for k in range(n):
            part = dg.hessian(lambda a: np.partition(_stack(a, cs), k)[k], x)
            np.testing.assert_array_equal(part, entries[k])
            # and the other way: np.sort's entry is the partition's k-th place
            np.testing.assert_array_equal(
                entries[k], dg.jacfwd(dg.grad(lambda a: np.partition(_stack(a, cs), k)[k]))(x))


# ---- 4. chunked Hessians: one decision per call -----------------------------------------
def _c(a, i, j):
    return np.stack([a[i] ** 2, a[j] ** 2])


# no second derivative at 0 (max(x0**2, x3**2)): the unchunked midpoint in every chunk
KINKED = {
    "np.maximum": (lambda a: np.maximum(a[0] ** 2, a[3] ** 2), [1, 0, 0, 1]),
    "np.max": (lambda a: np.max(_c(a, 0, 3)), [1, 0, 0, 1]),
    "np.max of three": (lambda a: np.max(np.stack([a[0] ** 2, a[3] ** 2, -a[1] ** 2])),
                        [2 / 3, -2 / 3, 0, 2 / 3]),
    "np.sort[-1]": (lambda a: np.sort(_c(a, 0, 3))[-1], [1, 0, 0, 1]),
    "np.quantile 1": (lambda a: np.quantile(_c(a, 0, 3), 1.0), [1, 0, 0, 1]),
    "np.partition": (lambda a: np.partition(_c(a, 0, 3), 1)[1], [1, 0, 0, 1]),
    "maximum.accumulate": (lambda a: np.maximum.accumulate(_c(a, 0, 3))[-1], [1, 0, 0, 1]),
    "np.abs": (lambda a: np.abs(a[0] ** 2 - a[3] ** 2), [0, 0, 0, 0]),
    # first orders differ (0 and 1): the midpoint of the Hessians
    "np.maximum, first orders differ": (lambda a: np.maximum(a[0] ** 2, a[3]), [1, 0, 0, 0]),
}

# twice differentiable at 0: the dominant piece's Hessian, whatever the chunks
SMOOTH = {
    "np.maximum": (lambda a: np.maximum(a[0] ** 2 + a[3] ** 2, 0.0), [2, 0, 0, 2]),
    "np.max": (lambda a: np.max(np.stack([np.sum(a ** 2), 0 * a[0], -a[2] ** 2])),
               [2, 2, 2, 2]),
    "np.sort[-1]": (lambda a: np.sort(np.stack([-np.sum(a ** 2), 0 * a[1]]))[-1],
                    [0, 0, 0, 0]),
    "np.sort[0]": (lambda a: np.sort(np.stack([np.sum(a ** 2), a[0] ** 2]))[0],
                   [2, 0, 0, 0]),
    "np.quantile 0": (lambda a: np.quantile(np.stack([a[1] ** 2 + a[3] ** 2, 0 * a[0]]), 0.0),
                      [0, 0, 0, 0]),
    "maximum.accumulate": (lambda a: np.maximum.accumulate(
        np.stack([0 * a[0], a[0] ** 2 + a[2] ** 2 + a[3] ** 2]))[-1], [2, 0, 2, 2]),
    "np.abs": (lambda a: np.abs(a[1] ** 2 + a[2] ** 2), [0, 2, 2, 0]),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(KINKED))
def test_chunks_decide_once_where_f_has_no_hessian(name, engine):
    f, diag = KINKED[name]
    x = np.zeros(4)
    with dg.engine(engine):
        for chunk in (1, 2, 3, 4, None):
            np.testing.assert_allclose(dg.hessian(f, x, chunk=chunk), np.diag(diag),
                                       rtol=1e-14, atol=1e-15, err_msg=f"chunk={chunk}")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_chunks_keep_the_dominant_piece_where_f_is_smooth(name, engine):
    f, diag = SMOOTH[name]
    x = np.zeros(4)
    with dg.engine(engine):
        for chunk in (1, 2, 3, 4, None):
            np.testing.assert_allclose(dg.hessian(f, x, chunk=chunk), np.diag(diag),
                                       rtol=1e-14, atol=1e-15, err_msg=f"chunk={chunk}")


@pytest.mark.parametrize("engine", ENGINES)
def test_chunks_in_threads(engine):
    """The chunks as tasks of a thread pool: their decisions meet as in one thread."""
    x = np.zeros(4)
    with dg.engine(engine), concurrent.futures.ThreadPoolExecutor(2) as pool:
        for name in ("np.maximum", "np.sort[-1]", "np.max of three"):
            f, diag = KINKED[name]
            np.testing.assert_allclose(dg.hessian(f, x, chunk=1, executor=pool),
                                       np.diag(diag), rtol=1e-14, atol=1e-15)
        f, diag = SMOOTH["np.maximum"]
        np.testing.assert_array_equal(dg.hessian(f, x, chunk=1, executor=pool), np.diag(diag))


@pytest.mark.parametrize("engine", ENGINES)
def test_elementwise_ties_decided_per_element(engine):
    """An elementwise maximum: element 0 kinked (x0**2 vs x3**2, the midpoint), element
    1 smooth (x1**2 vs 0, x1**2): a clash forces only its own element."""
    def f(a):
        m = np.maximum(np.stack([a[0] ** 2, a[1] ** 2]), np.stack([a[3] ** 2, 0 * a[1]]))
        return np.sum(m * np.array([1.0, 10.0]))
    x = np.zeros(4)
    with dg.engine(engine):
        for chunk in (1, 2, None):
            np.testing.assert_allclose(dg.hessian(f, x, chunk=chunk), np.diag([1, 20, 0, 1]),
                                       rtol=1e-14, atol=1e-15, err_msg=f"chunk={chunk}")


# ---- 5. the weighted quantile (inverted_cdf) --------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("weight", [1.0, 2.5])
def test_weighted_quantile_follows_sort(weight, engine):
    """Equal positive weights: NumPy's index into the sorted values (np.quantile of the
    plain sorted -1, 0, 1 with those weights) picks the sorted piece, analytic Hessian."""
    x = np.zeros(2)
    w = np.full(3, weight)
    with dg.engine(engine):
        for q in QS + [0.34, 0.67]:
            rank = int(np.quantile(np.array([-1.0, 0.0, 1.0]), q, weights=w,
                                   method="inverted_cdf")) + 1
            f = lambda a: np.quantile(_pieces(a), q, weights=w, method="inverted_cdf")  # noqa
            for H in _hessians(f, x):
                np.testing.assert_allclose(H, SORTED_H[rank], atol=1e-14, err_msg=f"q={q}")
        # along an axis, keepdims, axis=None: the row / overall maxima (r2, 2 r2)
        f = lambda a: np.sum(np.quantile(_rows(a), 1.0, axis=1, weights=np.ones(3),  # noqa
                                         method="inverted_cdf", keepdims=True))
        np.testing.assert_allclose(dg.hessian(f, x), 6 * np.eye(2), atol=1e-13)
        f = lambda a: np.quantile(_rows(a), 1.0, weights=np.ones((2, 3)),  # noqa
                                  method="inverted_cdf")
        np.testing.assert_allclose(dg.hessian(f, x), 4 * np.eye(2), atol=1e-13)
