"""Sparsity detection, stop 53: mode="global" keeps guarded masked writes elementwise
(attack52b 15 / 18), keeps NumPy's integer dtypes on its marks (attack52b 20), and
refuses what would make a plain integer of a mark (int(i), operator.index(i),
table[i], i.item(), i.tolist()).

Oracle: fourth-order central differences of the plain function at random points whose
masks differ from the detection point's (no element near a mask's edge, so the
stencil stays on one side), compared entry by entry with the pattern: no nonzero may
be missing, and where the function is elementwise the pattern is exactly the union of
the nonzeros the differences find.
"""

import math
import operator
import warnings

import numpy as np
import pytest

import dualgrad as dg
from _oracles import central4

N = 8
X0 = np.array([0.7, -1.3, 2.1, -0.4, 1.6, -2.2, 0.9, -0.8])


def _points(count=24, seed=53):
    """Random points, every element at least 0.2 from the masks' edges (0 and 1), whose
    sign patterns differ from X0's."""
    rng = np.random.default_rng(seed)
    pts = []
    while len(pts) < count:
        x = rng.uniform(-3.0, 3.0, N)
        if np.all(np.abs(x) > 0.2) and np.all(np.abs(x - 1.0) > 0.2) and \
                np.any((x > 0) != (X0 > 0)):
            pts.append(x)
    return pts


def _found(f):
    """The union of the nonzeros central differences find at the points."""
    seen = np.zeros((np.size(f(X0)), N), bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for x in [X0] + _points():
            seen |= np.abs(central4(f, x)) > 1e-6
    return seen


def _pattern(f):
    return dg.sparsity(f, X0, mode="global").toarray()


def _log_guarded(x):
    m = x > 0
    y = np.zeros_like(x)
    y[m] = np.log(x[m])
    return y


def _two_reads(x):
    m = x > 0
    y = x * 2.0
    y[m] = np.exp(-x[m]) * 3.0 + x[m] ** 2 - 1.0 / x[m]
    return y


def _where_guarded(x):
    m = x > 0
    return np.where(m, np.log(np.where(m, x, 1.0)), 0.0)


def _copyto(x):
    y = x * 1.0
    np.copyto(y, np.log(np.abs(x)), where=x > 0)
    return y


def _putmask(x):
    y = x * 1.0
    np.putmask(y, x > 0, np.sqrt(np.abs(x)))
    return y


def _scalar_written(x):
    y = x * 3.0
    y[x < 0] = 0.0
    return y


def _ufunc_where(x):
    y = x * 1.0
    np.sqrt(np.abs(x), out=y, where=x > 0)
    return y


def _two_masks(x):
    m = x > 0
    y = np.zeros_like(x)
    y[m] = np.log(x[m])
    y[~m] = np.sin(x[~m])
    return y


def _rows_of_a_matrix(x):
    X = x.reshape(4, 2)
    m = X.sum(axis=1) > 0
    Y = X * 1.0
    Y[m] = np.tanh(X[m]) * 2.0 + 1.0
    return Y.ravel()


ELEMENTWISE = {"y[m] = np.log(x[m])": _log_guarded,
               "y[m] = g(x[m], x[m], x[m])": _two_reads,
               "np.where(m, np.log(np.where(m, x, 1)), 0)": _where_guarded,
               "np.copyto(y, np.log(|x|), where=x > 0)": _copyto,
               "np.putmask(y, x > 0, np.sqrt(|x|))": _putmask,
               "y[x < 0] = 0.0": _scalar_written,
               "np.sqrt(|x|, out=y, where=x > 0)": _ufunc_where,
               "y[m] = log(x[m]); y[~m] = sin(x[~m])": _two_masks,
               "Y[m] = tanh(X[m]) * 2 + 1, m over rows": _rows_of_a_matrix,
               "y[x > 0] = np.log(x[x > 0])": lambda x: _different_mask_objects(x)}


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_guarded_masked_writes_stay_elementwise(name):
    """Element i of y depends on element i of x only, whatever the mask (attack52b 15 /
    18: every one was dense before, exact but costing the sparse Jacobian)."""
    f = ELEMENTWISE[name]
    np.testing.assert_array_equal(_pattern(f), _found(f))


def _one_element_beside(x):
    m = x > 0
    y = np.zeros_like(x)
    y[m] = x[m] * x[3] + x[m] ** 2
    return y


def _reversed_source(x):
    y = x * 1.0
    np.copyto(y, x[::-1] ** 2, where=x > 0)
    return y


def test_a_shared_element_joins_each_row():
    """x[m] * x[3]: each element on its own input and x3; copyto's source element at
    the same place (here reversed: the anti-diagonal)."""
    f = _one_element_beside
    P, seen = _pattern(f), _found(f)
    np.testing.assert_array_equal(P, seen)
    want = np.eye(N, dtype=bool)
    want[:, 3] = True
    np.testing.assert_array_equal(P, want)
    np.testing.assert_array_equal(_pattern(_reversed_source), _found(_reversed_source))


def _mean_of_the_masked(x):
    m = x > 0
    y = np.zeros_like(x)
    y[m] = x[m] - x[m].mean()
    return y


def _different_mask_objects(x):
    y = np.zeros_like(x)
    y[x > 0] = np.log(x[x > 0])
    return y


def _mask_changed_in_between(x):
    m = x > 0
    v = np.log(np.abs(x[m]))
    m[...] = m[::-1].copy()         # the same count, other places (X0 is symmetric)
    y = np.zeros_like(x)
    y[m] = v
    return y


def _source_reordered(x):
    m = x > 0
    y = np.zeros_like(x)
    y[m] = np.log(x[m])[::-1]
    return y


def _source_written(x):
    m = x > 0
    v = np.log(x[m])
    v[:] = v[::-1].copy()
    y = np.zeros_like(x)
    y[m] = v
    return y


def _source_sorted(x):
    m = x > 0
    y = np.zeros_like(x)
    y[m] = np.sort(x[m] ** 2)
    return y


NOT_PAIRED = {              "y[m] = x[m] - x[m].mean()": _mean_of_the_masked,
              "the mask written between read and write": _mask_changed_in_between,
              "y[m] = np.log(x[m])[::-1]": _source_reordered,
              "v = np.log(x[m]); v[:] = v[::-1]": _source_written,
              "y[m] = np.sort(x[m] ** 2)": _source_sorted}


@pytest.mark.parametrize("name", list(NOT_PAIRED))
def test_what_is_not_the_same_mask_misses_nothing(name):
    """Where the values written are not those of the target's own places (another
    order, another mask, a mask changed in between), each element may get any of
    them: no nonzero of the Jacobian at any point is missing."""
    f = NOT_PAIRED[name]
    x0 = X0.copy()
    if f is _mask_changed_in_between:
        x0 = np.array([0.7, -1.3, 2.1, -0.4, -0.4, 2.1, -1.3, 0.7])   # m == m[::-1]
    P = dg.sparsity(f, x0, mode="global").toarray()
    rng = np.random.default_rng(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(24):
            x = rng.uniform(-3.0, 3.0, N)
            x[np.abs(x) < 0.2] = 0.5
            if f is _mask_changed_in_between:
                x[4:] = x[:4][::-1] * np.sign(x[4:]) * np.sign(x[:4][::-1])
            J = central4(f, x)
            missed = (np.abs(J) > 1e-6) & ~P
            assert not missed.any(), (name, x, np.argwhere(missed))


DTYPES = [np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint64]


@pytest.mark.parametrize("dtype", DTYPES)
def test_marks_keep_numpys_integer_dtypes(dtype):
    """An index or a count computed from values has the dtype and kind the float
    program gives it (attack52b 20: every mark was int64)."""
    def spelled(x, seen):
        i = np.argsort(x).astype(dtype)
        k = i[0] + dtype(1)
        c = (x > 0).astype(dtype).sum()
        s = np.sum(x > 0, dtype=dtype)
        seen.extend((v.dtype, isinstance(v, np.generic), np.ndim(v))
                    for v in (i[0], k, c, s, i[:2], -i[1] if dtype(0) - 1 < 0 else i[1]))
        return x * x[k % dtype(N)]
    plain, traced = [], []
    spelled(X0, plain)
    P = dg.sparsity(lambda x: spelled(x, traced), X0, mode="global")
    assert traced == plain
    assert P.toarray().all()          # x[k]: k at another point is any element


def test_a_narrow_index_wraps_as_numpy_does():
    """uint8 arithmetic on a mark wraps at 256 as NumPy's does (int64 did not)."""
    seen = []

    def f(x):
        i = np.argsort(x).astype(np.uint8)[0]
        seen.append(i + np.uint8(255))
        return x * 1.0
    dg.sparsity(f, X0, mode="global")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = np.argsort(X0).astype(np.uint8)[0] + np.uint8(255)
    assert seen[0] == want and np.dtype(type(seen[0])) == np.uint8


TABLE = np.array([3, 1, 4, 1, 5, 2, 6, 0])
ESCAPES = {"x[int(i)]": lambda x: x[int(np.argmax(x))] * x[0],
           "x[operator.index(i)]": lambda x: x[operator.index(np.argmax(x))] * x[0],
           "x[TABLE[i]], a plain table": lambda x: x[TABLE[np.argmax(x)]] * x[0],
           "x[[...][i]], a list": lambda x: x[list(range(N))[np.argmax(x)]] * x[0],
           "x[i.item()]": lambda x: x[np.argmax(x).item()] * x[0],
           "x[idx.item(0)]": lambda x: x[np.argsort(x).item(0)] * x[0],
           "x[idx.tolist()]": lambda x: x[np.argsort(x).tolist()[:2]] * x[0],
           "x[i.tolist()]": lambda x: x[np.argmax(x).tolist()] * x[0],
           "x[np.asarray(i)]": lambda x: x[np.asarray(np.argmax(x))] * x[0],
           "x[range(i)]": lambda x: x[list(range(np.argmax(x)))].sum() * x[0],
           "x[int(m.sum())]": lambda x: x[int((x > 0).sum())] * x[0],
           "x[np.full(2, i)]": lambda x: x[np.full(2, np.argmax(x))].sum() * x[0],
           "x[np.array([i, 0])]": lambda x: x[np.array([np.argmax(x), 0])] * x[0],
           "np.eye(N, k=i - 2) @ x": lambda x: np.eye(N, k=np.argmax(x) - 2) @ x,
           "x[round(i)]": lambda x: x[round(np.argmax(x))] * x[0],
           "x[math.floor(i / 2)]": lambda x: x[math.floor(np.argmax(x) / 2)] * x[0]}


@pytest.mark.parametrize("name", list(ESCAPES))
def test_a_plain_integer_of_a_mark_is_refused(name):
    """What makes a plain integer of a mark would select other elements at another
    point unseen (the pattern missed them: central differences at such a point found
    a nonzero off it); global mode refuses it, naming the fix.  The dense helpers and
    mode="local" run it as NumPy does."""
    f = ESCAPES[name]
    with pytest.raises(TypeError, match=r"x\[int\(i\)\].*mode='local'"):
        dg.sparsity(f, X0, mode="global")
    J = dg.jacobian(f, X0)
    np.testing.assert_allclose(np.ravel(J), np.ravel(central4(f, X0)), rtol=1e-7, atol=1e-9)
    P = dg.sparsity(f, X0).toarray()
    assert not ((np.abs(central4(f, X0)) > 1e-6) & ~P).any()


def test_plain_numbers_of_marks_that_index_nothing_still_work():
    """float(i), comparisons, Python if, printing: as on plain numbers."""
    seen = []

    def f(x):
        i = np.argmax(x)
        seen.append((float(i), bool(i > 1), f"{i}", repr(i), i == 2, 1 if i > 1 else 0))
        return x * float(i)
    dg.sparsity(f, X0, mode="global")
    assert seen == [(2.0, True, "2", "np.int64(2)", True, 1)]


KEPT = {"divmod": lambda x: x[divmod(np.argmax(x), 2)[0]] * x +
        x[divmod(7, np.argmin(x) + 1)[1]],
        "i ** 2 % N": lambda x: x[np.argmax(x) ** 2 % N] * x,
        "i << 1, i & 3, ~i": lambda x: x[(np.argmax(x) << 1) % N] * x + x[np.argmin(x) & 3]
        + x[~np.argmax(x)],
        "i.astype(np.int8)": lambda x: x[np.argmax(x).astype(np.int8)] * x,
        "idx.searchsorted(3)": lambda x: x[np.argsort(x).searchsorted(3) % N] * x,
        "idx.flat[0]": lambda x: x[np.argsort(x).flat[0]] * x,
        "idx.dot(w)": lambda x: x[np.argsort(x)[:2].dot([1, 1]) % N] * x,
        "idx.mean().astype(int)": lambda x: x[np.argsort(x)[:3].mean().astype(int)] * x,
        "(i / 2).astype(int)": lambda x: x[(np.argmax(x) / 2).astype(np.int64)] * x,
        "np.interp(i / 2, ...)": lambda x: np.interp(np.argmax(x) / 2.0, np.arange(N * 1.0),
                                                     x ** 2) * x}


@pytest.mark.parametrize("name", list(KEPT))
def test_integer_arithmetic_and_methods_keep_the_mark(name):
    """divmod, **, <<, &, ~, astype, searchsorted, flat, dot of a mark, and the floats
    made of one (i / 2, idx.mean()) stay marked (attack53 01: they gave the local
    pattern, and the pattern missed what x[...] reads at another point)."""
    f = KEPT[name]
    P = _pattern(f)
    missed = _found(f) & ~P
    assert not missed.any(), np.argwhere(missed)
    assert P.all()


def _hessian_central(g, x, h=1e-4):
    """Second central differences of the plain scalar g."""
    n = x.size
    H = np.zeros((n, n))
    E = np.eye(n) * h
    for i in range(n):
        for j in range(i, n):
            H[i, j] = H[j, i] = (g(x + E[i] + E[j]) - g(x + E[i] - E[j]) -
                                 g(x - E[i] + E[j]) + g(x - E[i] - E[j])) / (4 * h * h)
    return H


def _hessian_found(g):
    seen = np.zeros((N, N), bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for x in [X0] + _points(12):
            seen |= np.abs(_hessian_central(g, x)) > 1e-4
    return seen


def _h_log(x):
    m = x > 0
    y = np.zeros_like(x)
    y[m] = np.log(x[m])
    return np.sum(y ** 2)


def _h_beside(x):
    m = x > 0
    y = np.zeros_like(x)
    y[m] = x[m] * x[3] + np.exp(x[m]) * 2.0
    return np.sum(y ** 2)


def _h_sum_of_masked(x):
    m = x > 0
    return np.sum(np.log(x[m]) ** 2 * np.array(3.0))


def _h_rows(x):
    return np.sum(_rows_of_a_matrix(x) ** 3)


HESSIAN_ELEMENTWISE = {"sum(y ** 2), y[m] = log(x[m])": _h_log,
                       "sum(y ** 2), y[m] = x[m] x3 + 2 exp(x[m])": _h_beside,
                       "sum(log(x[m]) ** 2 * 3)": _h_sum_of_masked,
                       "sum(Y ** 3), Y[m] = tanh(X[m]) * 2 + 1": _h_rows}


@pytest.mark.parametrize("name", list(HESSIAN_ELEMENTWISE))
def test_hessian_patterns_of_guarded_writes_stay_elementwise(name):
    """The compressed values meet element with element (their full-shape shadow's
    pairs), not every input with every other: the global Hessian pattern is the union
    of the second differences' nonzeros at points with other masks."""
    g = HESSIAN_ELEMENTWISE[name]
    P = dg.hessian_sparsity(g, X0, mode="global").toarray()
    np.testing.assert_array_equal(P, _hessian_found(g))


HESSIAN_NOT_PAIRED = {
    "prod(log(x[m]) + 1)": lambda x: np.prod(np.log(np.abs(x[x > 0])) + 1.0),
    "reversed": lambda x: np.sum(np.log(x[x > 0])[::-1] * x[x > 0]),
    "sorted": lambda x: np.sum(np.sort(x[x > 0]) * x[x > 0] ** 2),
    "mean": lambda x: np.sum((x[x > 0] - x[x > 0].mean()) ** 2)}


@pytest.mark.parametrize("name", list(HESSIAN_NOT_PAIRED))
def test_hessian_patterns_not_paired_miss_nothing(name):
    g = HESSIAN_NOT_PAIRED[name]
    P = dg.hessian_sparsity(g, X0, mode="global").toarray()
    missed = _hessian_found(g) & ~P
    assert not missed.any(), np.argwhere(missed)
