"""The lean lines of function dispatch at medium sizes (issue 13, fn12): each gives
the general path's bits, and the derivatives an independent oracle's.

* ``bilinear``'s two-operand entry (``_linalg._pair``) against the general entry
  (``_pair`` patched to decline), bit for bit, with inf/NaN, non-contiguous, list
  and mixed operands, and the mismatched-directions error;
* ``_linalg._tensordot`` against ``np.tensordot``, ``_linalg._nonfinite`` of
  scalars against ``np.isfinite``;
* ``np.max``/``np.min`` of a whole array against the general per-axis path
  (``axis=0`` of the flattened array) and against the element NumPy picks;
* ``_reductions._flip`` against ``np.flip``, ``np.prod``'s partials against the
  products of the other factors;
* the dispatch entry (``_lift``/``_finish``): scalar duals, lists, tuples and the
  TypeErrors of unsupported keywords.
"""

import math

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import errors
from dualgrad.dispatch import _linalg, _reductions
from dualgrad.dual._base import new_tag

SIZES = (1, 7, 100, 1000)


def _dual(v, n, rng, tag):
    return dg.Dual(v, rng.standard_normal(np.shape(v) + (n,)), tag=tag)


def _val(d):
    return d.value


def _par(d):
    return np.asarray(d.partials)


def _bits(a, b):
    """Equal bits (NaN included) of two duals' values and partials, or arrays."""
    for x, y in ((_val(a), _val(b)), (_par(a), _par(b))) \
            if isinstance(a, dg.Dual) else ((a, b),):
        x, y = np.asarray(x), np.asarray(y)
        assert x.shape == y.shape and x.dtype == y.dtype
        assert x.tobytes() == y.tobytes(), (x, y)


def _general(monkeypatch):
    """``bilinear``'s general entry only: its lean pair declines everything."""
    monkeypatch.setattr(_linalg, "_pair", lambda args: None)


PRODUCTS = {
    "dot": lambda a, b: np.dot(a, b),
    "inner": lambda a, b: np.inner(a, b),
    "vdot": lambda a, b: np.vdot(a, b),
    "vecdot": lambda a, b: np.vecdot(a, b),
    "linalg.vecdot": lambda a, b: np.linalg.vecdot(a, b),
    "matmul": lambda a, b: np.matmul(a, b),
    "outer": lambda a, b: np.outer(a, b),
    "tensordot": lambda a, b: np.tensordot(a, b, 1),
}


def _vectors(N, rng, special):
    x, y = rng.uniform(-1.0, 1.0, N), rng.uniform(-1.0, 1.0, N)
    if special and N > 2:
        x[1], y[2] = np.inf, np.nan
    return x, y


@pytest.mark.parametrize("name", PRODUCTS)
@pytest.mark.parametrize("N", SIZES)
@pytest.mark.parametrize("special", [False, True])
def test_pair_entry_bits(name, N, special, monkeypatch):
    """Two duals, a dual and a plain array, either order: the lean entry's bits."""
    rng = np.random.default_rng(N)
    x, y = _vectors(N, rng, special)
    tag = new_tag()
    dx, dy = _dual(x, 3, rng, tag), _dual(y, 3, rng, tag)
    f = PRODUCTS[name]
    cases = [(dx, dy), (dx, y), (x, dy), (dx[::-1], dy[::-1])]
    with np.errstate(invalid="ignore", over="ignore"):
        lean = [f(a, b) for a, b in cases]
        _general(monkeypatch)
        general = [f(a, b) for a, b in cases]
    for got, want in zip(lean, general):
        _bits(got, want)


@pytest.mark.parametrize("shapes", [((4, 5), (5,)), ((4, 5), (5, 3)), ((2, 3, 4), (4, 2)),
                                    ((5,), (5, 3))])
def test_pair_entry_matrices_bits(shapes, monkeypatch):
    """Matrix operands, C and Fortran order: the lean entry's bits."""
    rng = np.random.default_rng(len(shapes[0]))
    A, B = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    tag = new_tag()
    dA, dB = _dual(A, 2, rng, tag), _dual(B, 2, rng, tag)
    dAf = dg.Dual(np.asfortranarray(A), np.asfortranarray(_par(dA)), tag=tag)
    cases = [(np.dot, dA, dB), (np.dot, dAf, dB), (np.matmul, dA, B), (np.matmul, A, dB),
             (np.tensordot, dA, dB)]
    lean = [f(a, b) if f is not np.tensordot else f(a, b, 1) for f, a, b in cases]
    _general(monkeypatch)
    general = [f(a, b) if f is not np.tensordot else f(a, b, 1) for f, a, b in cases]
    for got, want in zip(lean, general):
        _bits(got, want)


def test_pair_entry_oracle():
    """np.dot of two dual vectors: d(x.y) = px^T y + x^T py, summed term by term."""
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(50), rng.standard_normal(50)
    tag = new_tag()
    dx, dy = _dual(x, 4, rng, tag), _dual(y, 4, rng, tag)
    got = np.dot(dx, dy)
    px, py = _par(dx), _par(dy)
    want = [math.fsum([*(px[i, k] * y[i] for i in range(50)), *(x[i] * py[i, k] for i in range(50))])
            for k in range(4)]
    np.testing.assert_allclose(_par(got), want, rtol=1e-12)
    assert _val(got) == pytest.approx(math.fsum(x * y), rel=1e-13)


def test_pair_entry_other_operands():
    """Lists, scalars, object arrays and duals of two tags take the general entry, with
    the derivative of the product all the same."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal(3)
    w = [0.5, -1.0, 2.0]
    J = dg.jacobian(lambda v: np.dot(v, w), x)
    np.testing.assert_allclose(J, w, rtol=0, atol=0)
    J = dg.jacobian(lambda v: np.dot(tuple(w), v), x)
    np.testing.assert_allclose(J, w, rtol=0, atol=0)
    J = dg.jacobian(lambda v: np.dot(np.array(list(v), dtype=object), np.asarray(w)), x)
    np.testing.assert_allclose(J, w, rtol=0, atol=0)
    # a product inside a product of another call: the Hessian of (x . x)^2 / 2 ... nested
    H = dg.hessian(lambda v: np.dot(v, v) * np.dot(v, np.asarray(w)), x)
    s, t = x @ x, x @ np.asarray(w)
    want = 2 * t * np.eye(3) + 2 * np.outer(x, w) + 2 * np.outer(w, x)
    np.testing.assert_allclose(H, want, rtol=1e-13, atol=1e-14)
    assert s > 0


def test_pair_entry_mismatched_directions():
    """Duals of one tag with 2 and 3 directions: the general entry's error, word for word."""
    tag = new_tag()
    a = dg.Dual(np.ones(4), np.ones((4, 2)), tag=tag)
    b = dg.Dual(np.ones(4), np.ones((4, 3)), tag=tag)
    with pytest.raises(ValueError) as lean:
        np.dot(a, b)
    with pytest.raises(ValueError) as general:
        _linalg.newest([a, b])
    assert str(lean.value) == str(general.value)


@pytest.mark.parametrize("sa, sb, ax_a, ax_b", [
    ((5,), (5, 3), [0], [0]), ((4, 5), (5,), [1], [0]), ((2, 3, 4), (4, 3, 2), [1, 2], [1, 0]),
    ((3, 4, 2), (2, 4), [0 + 2], [0]), ((6, 2), (2, 6), [0, 1], [1, 0])])
def test_tensordot_bits(sa, sb, ax_a, ax_b):
    """_tensordot: np.tensordot's bits, C and non-contiguous operands."""
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    for a_, b_ in ((a, b), (np.asfortranarray(a), b), (a, np.asfortranarray(b))):
        got = _linalg._tensordot(a_, b_, list(ax_a), list(ax_b))
        want = np.tensordot(a_, b_, (ax_a, ax_b))
        _bits(got, want)


@pytest.mark.parametrize("v", [0.0, -2.5, 1e308, np.inf, -np.inf, np.nan, np.float64(3.0),
                               np.float64(np.nan), np.float64(-np.inf), 1 + 2j,
                               complex(np.inf, 0.0), complex(0.0, np.nan),
                               np.complex128(1 - 1j), np.complex128(complex(np.nan, 1.0))])
def test_nonfinite_scalars(v):
    assert _linalg._nonfinite(v) == (not bool(np.all(np.isfinite(v))))


EXTREMES = [(np.max, np.argmax), (np.min, np.argmin), (np.amax, np.argmax),
            (np.amin, np.argmin)]


def _extreme_inputs(rng):
    x = rng.standard_normal(1000)
    ties = np.array([1.0, 3.0, -2.0, 3.0, 3.0])
    nans = np.array([1.0, np.nan, 5.0, np.nan])
    infs = np.array([-np.inf, 2.0, np.inf, np.inf, -np.inf])
    M = rng.standard_normal((30, 40))
    return [x, x[::3], ties, nans, infs, M, M.T, M[:, ::2], np.array([4.0])]


@pytest.mark.parametrize("f, arg", EXTREMES)
def test_whole_extreme_bits(f, arg):
    """np.max(d) (the lean line) gives the general path's bits (np.max of the flattened
    dual along axis 0) and the partials of the element NumPy's arg function picks, the
    mean of the tied elements' where several are extreme (rules/_table.py, TIES)."""
    rng = np.random.default_rng(4)
    for v in _extreme_inputs(rng):
        tag = new_tag()
        d = _dual(v, 3, rng, tag)
        got = f(d)
        _bits(got, f(np.reshape(d, (-1,)), axis=0))
        i = arg(v.reshape(-1))
        assert np.asarray(_val(got)).tobytes() == v.reshape(-1)[i].tobytes()
        P = _par(d).reshape(-1, 3)
        tied = v.reshape(-1) == v.reshape(-1)[i]
        want = P[i] if tied.sum() < 2 else np.sum(P[tied], axis=0) / tied.sum()
        if v.size == 5 and v[1] == 3.0:
            assert tied.sum() == 3 or f in (np.min, np.amin)   # the ties are tested
        np.testing.assert_array_equal(_par(got), want)
        assert type(_val(got)) is float


def test_whole_extreme_nested_and_keepdims():
    """Nested duals and keepdims= take the general lines: the Hessian of max(x * x)
    and max's keepdims shape."""
    x = np.array([0.5, -3.0, 2.0])
    H = dg.hessian(lambda v: np.max(v * v), x)
    np.testing.assert_array_equal(H, np.diag([0.0, 2.0, 0.0]))
    tag = new_tag()
    d = dg.Dual(x, np.eye(3), tag=tag)
    k = np.max(d, keepdims=True)
    assert np.shape(_val(k)) == (1,)
    np.testing.assert_array_equal(_par(k), [[0.0, 0.0, 1.0]])


def test_whole_extreme_errors():
    """Unsupported keywords and empty arrays raise as before."""
    tag = new_tag()
    d = dg.Dual(np.ones(3), np.ones((3, 2)), tag=tag)
    with pytest.raises(TypeError, match="out="):
        np.max(d, out=np.empty(()))
    r = np.max(d, where=np.array([True, False, True]), initial=0.0)  # works (refuse41)
    assert r.value == 1.0 and list(r.partials) == [1.0, 1.0]
    e = dg.Dual(np.ones(0), np.ones((0, 2)), tag=tag)
    with pytest.raises(ValueError):
        np.max(e)


@pytest.mark.parametrize("shape, ax", [((7,), 0), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 2)])
def test_flip_view(shape, ax):
    """_flip: the view np.flip makes (same data, same strides)."""
    x = np.arange(math.prod(shape), dtype=float).reshape(shape)
    for y in (x, np.asfortranarray(x)):
        got, want = _reductions._flip(y, ax), np.flip(y, ax)
        assert got.strides == want.strides and np.shares_memory(got, y)
        _bits(got, want)


@pytest.mark.parametrize("v", [[0.5, 2.0, -1.5, 3.0], [0.5, 0.0, 2.0, 0.0], [2.0, np.inf, 3.0],
                               [1.0, np.nan, 2.0, 4.0]])
def test_prod_oracle(v):
    """np.prod's partials: the product of the other factors (a zero partial times an
    infinite or NaN product of the others gives 0: the elementwise spelling's rule)."""
    v = np.array(v)
    N = v.size
    tag = new_tag()
    d = dg.Dual(v, np.eye(N), tag=tag)
    got = np.prod(d)
    want = [math.prod(v[j] for j in range(N) if j != i) for i in range(N)]
    np.testing.assert_array_equal(_par(got), want)
    rng = np.random.default_rng(5)
    x = rng.uniform(0.5, 1.5, 1000)
    d = dg.Dual(x, np.eye(1000)[:, :4], tag=new_tag())
    want = [math.prod(x[j] for j in range(1000) if j != i) for i in range(4)]
    np.testing.assert_allclose(_par(np.prod(d)), want, rtol=1e-12)


def test_entry_lift_and_finish():
    """The dispatch entry: scalar duals become 0-d arrays and come back scalars; lists
    and tuples of duals are read as arrays; unsupported keywords raise TypeError."""
    tag = new_tag()
    s = dg.Dual(2.0, [1.0, 0.0], tag=tag)
    t = dg.Dual(3.0, [0.0, 1.0], tag=tag)
    r = np.dot(s, t)
    assert type(r) is not np.ndarray and np.ndim(_val(r)) == 0
    np.testing.assert_array_equal(_par(r), [3.0, 2.0])
    head = dg.Dual(np.array([1.0]), np.array([[0.5, 0.5]]), tag=tag)
    c = np.concatenate([head, [s, t], (t,)])
    np.testing.assert_array_equal(_val(c), [1.0, 2.0, 3.0, 3.0])
    np.testing.assert_array_equal(_par(c), [[0.5, 0.5], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    d = dg.Dual(np.ones(3), np.ones((3, 2)), tag=tag)
    with pytest.raises(TypeError, match="out="):
        np.dot(d, d, out=np.empty(()))
    with pytest.raises(TypeError, match="storing a dual number into a plain"):
        np.concatenate([d, d], out=np.empty(6))          # a dual out= is filled
    with pytest.raises(TypeError, match="dtype"):
        np.prod(d, dtype=np.float32)
    assert isinstance(errors.unsupported_function("np.x"), TypeError)


@pytest.mark.parametrize("shape, source, destination", [
    ((5,), 0, -1), ((5,), -1, 0), ((3, 4), 0, -1), ((3, 4), 1, -1), ((2, 3, 4), 1, 0),
    ((2, 3, 4), -1, 2)])
def test_moved(shape, source, destination):
    """moved: np.moveaxis's shape, strides and data; the array itself where nothing moves."""
    from dualgrad.dispatch._operands import moved
    x = np.arange(math.prod(shape), dtype=float).reshape(shape)
    got, want = moved(x, source, destination), np.moveaxis(x, source, destination)
    assert got.shape == want.shape and got.strides == want.strides
    _bits(got, want)
    assert (got is x) == (source % x.ndim == destination % x.ndim)


def _sort_inputs(rng):
    x = rng.standard_normal(1000)
    ties = np.array([2.0, -1.0, 2.0, 0.0, -0.0, 2.0, -1.0])
    M = rng.standard_normal((20, 30))
    return [(x, -1), (x[::-2], 0), (ties, 0), (M, 0), (M, 1), (M.T, -1),
            (np.array([1.0, np.nan, -3.0, np.inf]), 0)]


def _run_means(sorted_v, p, axis):
    """``p`` (partials of the sorted values, directions last) with each run of equal
    sorted values along ``axis`` (-0.0 == 0.0; NaN never) given the run's mean."""
    p = p.copy()
    sv, sp = np.moveaxis(sorted_v, axis, -1), np.moveaxis(p, axis, -2)
    for idx in np.ndindex(sv.shape[:-1]):
        row, rp = sv[idx], sp[idx]
        start = 0
        for k in range(1, len(row) + 1):
            if k == len(row) or not row[k] == row[k - 1]:
                rp[start:k] = rp[start:k].mean(axis=0)
                start = k
    return p


def test_sort_bits_and_oracle():
    """np.sort of a dual: NumPy's sorted values, and the partials of the element the
    stable argsort puts at each place; at ties the mean of the tied elements' partials
    (left42: as np.max splits them, rules/_table.py TIES)."""
    rng = np.random.default_rng(6)
    for v, axis in _sort_inputs(rng):
        d = _dual(v, 3, rng, new_tag())
        got = np.sort(d, axis=axis)
        order = np.argsort(v, axis=axis, kind="stable")
        sorted_v = np.take_along_axis(v, order, axis=axis)
        # NumPy's values, bit for bit: f's float call (its vectorized sort may turn a -0.0
        # into 0.0 and back, so not the stable order's zeros: diff55 S1)
        _bits(_val(got), np.sort(v, axis=axis))
        want = np.take_along_axis(_par(d), order[..., None], axis=axis % v.ndim)
        np.testing.assert_allclose(_par(got), _run_means(sorted_v, want, axis % v.ndim),
                                   rtol=1e-14, atol=1e-15)


def test_vector_norm_bits_and_oracle():
    """np.linalg.vector_norm of a vector (its lean line) gives np.linalg.norm's bits and
    the derivative x . dx / |x|; rows of a matrix the general lines' too."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(1000)
    for v in (x, x[::3]):
        d = _dual(v, 4, rng, new_tag())
        got = np.linalg.vector_norm(d)
        _bits(got, np.linalg.norm(d))
        want = [math.fsum(v * _par(d)[:, k]) / math.sqrt(math.fsum(v * v)) for k in range(4)]
        np.testing.assert_allclose(_par(got), want, rtol=1e-12)
    M = rng.standard_normal((6, 50))
    d = _dual(M, 2, rng, new_tag())
    _bits(np.linalg.vector_norm(d, axis=1), np.linalg.norm(d, axis=1))
    _bits(np.linalg.vector_norm(d, axis=-1, keepdims=True),
          np.linalg.norm(d, axis=-1, keepdims=True))
    np.testing.assert_allclose(_val(np.linalg.vector_norm(d, axis=0)),
                               np.linalg.vector_norm(M, axis=0), rtol=1e-15)


def test_stacking_bits():
    """hstack, vstack and column_stack of duals, lists and plain arrays: the same bits
    as np.concatenate of what NumPy's own definitions build."""
    rng = np.random.default_rng(8)
    tag = new_tag()
    x, y = _dual(rng.standard_normal(5), 2, rng, tag), _dual(rng.standard_normal(5), 2, rng, tag)
    M = _dual(rng.standard_normal((2, 5)), 2, rng, tag)
    c = np.arange(5.0)
    _bits(np.hstack([x, y, c]), np.concatenate([x, y, c]))
    _bits(np.hstack([M, M]), np.concatenate([M, M], axis=1))
    _bits(np.vstack([x, M, c]), np.concatenate([x[None], M, c[None]], axis=0))
    _bits(np.column_stack([x, y, c]), np.concatenate([np.reshape(x, (-1, 1)),
                                                      np.reshape(y, (-1, 1)),
                                                      c[:, None]], axis=1))
    _bits(np.hstack([x, [1.0, 2.0]]), np.concatenate([x, np.array([1.0, 2.0])]))
