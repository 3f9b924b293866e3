"""The lean path of the view functions and methods (dualgrad/dual/_views.py).

Oracles: NumPy's own call on the floats -- the value's bits, which memory the view
shares, its read-only flag -- and the same call on each direction of the partials
(a view moves each element's partials with it), and central differences of
functions that write through the views.  Every case is also compared with the
general path (``dispatch._functions.dispatch``, which the lean path skips) on odd
operands: negative axes, tuples, ``order="F"``, 0-d results, non-contiguous and
read-only operands, the fused engine's pending partials; nested and complex duals
are left to the general path.
"""

import sys

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.dispatch._functions import dispatch
from dualgrad.dual import _views, make_array
from dualgrad.testing import numerical_jacobian

rng = np.random.default_rng(9)
N_DIR = 3


def _dual(shape, layout="C"):
    """A dual of ``shape`` (float64 arrays of its own); ``layout``: "C", "T" (the
    transpose of a C-contiguous dual: an F-contiguous value), "F" (value and partials
    in Fortran order), "strided" (every other element, reversed), "readonly"."""
    if layout == "T":
        d = _dual(shape[::-1])
        return d.T
    if layout == "strided":
        big = _dual(tuple(2 * s for s in shape))
        index = tuple(slice(None, None, -2) for _ in shape)
        return big[index]
    d = dg.Dual(rng.uniform(0.5, 1.5, shape), rng.standard_normal(shape + (N_DIR,)))
    if layout == "F":                     # both arrays in Fortran order (Dual keeps it)
        return dg.Dual(np.asfortranarray(d.value), np.asfortranarray(d.partials))
    if layout == "readonly":
        d.value.flags.writeable = False
        d.partials.flags.writeable = False
    return d


# name: (function, operand shape, further arguments, keyword arguments)
CASES = {
    "reshape": (np.reshape, (3, 4), ((4, 3),), {}),
    "reshape_int": (np.reshape, (3, 4), (12,), {}),
    "reshape_minus_one": (np.reshape, (3, 4), ((2, -1),), {}),
    "reshape_F": (np.reshape, (3, 4), ((2, 6),), {"order": "F"}),
    "reshape_A": (np.reshape, (3, 4), ((6, 2),), {"order": "A"}),
    "reshape_to_0d": (np.reshape, (1, 1), ((),), {}),
    "ravel": (np.ravel, (3, 4), (), {}),
    "ravel_F": (np.ravel, (3, 4), ("F",), {}),
    "ravel_A": (np.ravel, (3, 4), ("A",), {}),
    "transpose": (np.transpose, (2, 3, 4), (), {}),
    "transpose_axes": (np.transpose, (2, 3, 4), ((2, 0, 1),), {}),
    "transpose_negative": (np.transpose, (2, 3, 4), ((-1, 0, -2),), {}),
    "permute_dims": (np.permute_dims, (2, 3, 4), ((1, 2, 0),), {}),
    "matrix_transpose": (np.matrix_transpose, (2, 3, 4), (), {}),
    "swapaxes": (np.swapaxes, (2, 3, 4), (0, 2), {}),
    "swapaxes_negative": (np.swapaxes, (2, 3, 4), (-1, 0), {}),
    "moveaxis": (np.moveaxis, (2, 3, 4), (0, -1), {}),
    "moveaxis_back": (np.moveaxis, (2, 3, 4), (-1, 1), {}),
    "moveaxis_tuples": (np.moveaxis, (2, 3, 4), ((0, 1), (2, 0)), {}),
    "squeeze": (np.squeeze, (1, 3, 1, 4), (), {}),
    "squeeze_axis": (np.squeeze, (1, 3, 1, 4), (-2,), {}),
    "squeeze_tuple": (np.squeeze, (1, 3, 1, 4), ((0, 2),), {}),
    "squeeze_to_0d": (np.squeeze, (1, 1), (), {}),
    "expand_dims": (np.expand_dims, (3, 4), (1,), {}),
    "expand_dims_negative": (np.expand_dims, (3, 4), (-1,), {}),
    "expand_dims_tuple": (np.expand_dims, (3, 4), ((0, 3),), {}),
    "broadcast_to": (np.broadcast_to, (3, 4), ((2, 3, 4),), {}),
    "broadcast_to_stretched": (np.broadcast_to, (3, 1), ((2, 3, 5),), {}),
    "flip": (np.flip, (3, 4), (), {}),
    "flip_axis": (np.flip, (3, 4), (-1,), {}),
    "flip_tuple": (np.flip, (2, 3, 4), ((0, 2),), {}),
    "fliplr": (np.fliplr, (3, 4), (), {}),
    "flipud": (np.flipud, (3, 4), (), {}),
    "real": (np.real, (3, 4), (), {}),
    "diagonal": (np.diagonal, (3, 4), (), {}),
    "diagonal_offset_axes": (np.diagonal, (2, 3, 4), (-1, 2, 0), {}),
    "atleast_1d": (np.atleast_1d, (4,), (), {}),
    "atleast_2d": (np.atleast_2d, (4,), (), {}),
    "atleast_2d_of_2d": (np.atleast_2d, (3, 4), (), {}),
    "atleast_3d_of_1d": (np.atleast_3d, (4,), (), {}),
    "atleast_3d_of_2d": (np.atleast_3d, (3, 4), (), {}),
    "split": (np.split, (6, 4), (3,), {}),
    "split_indices": (np.split, (6, 4), ([1, -2, 9],), {}),
    "split_axis": (np.split, (3, 4), (2,), {"axis": -1}),
    "array_split": (np.array_split, (7, 2), (3,), {}),
    "array_split_axis": (np.array_split, (2, 7), (4, 1), {}),
}
for _k in range(-1, 5):
    CASES[f"rot90_k{_k}"] = (np.rot90, (3, 4), (_k,), {})
    CASES[f"rot90_k{_k}_axes"] = (np.rot90, (2, 3, 4), (_k, (2, -3)), {})

# cases the lean path leaves to the general path on a C-contiguous operand
GENERAL = {"reshape_A", "reshape_F", "reshape_to_0d", "ravel_F", "ravel_A", "moveaxis_tuples",
           "squeeze_to_0d", "expand_dims_tuple", "flip_tuple"}
LAYOUTS = ["C", "F", "T", "strided", "readonly"]


def _pieces(r):
    return list(r) if isinstance(r, (list, tuple)) else [r]


def _direction(func, d, k, args, kwargs):
    """``func`` of the ``k``-th direction, laid out as the value (an ``order="A"``
    reshape reads the layout)."""
    pk = np.empty_like(d.value)
    pk[...] = d.partials[..., k]
    return _pieces(func(pk, *args, **kwargs))


def _check_against_floats(func, d, out, args, kwargs):
    want = _pieces(func(d.value, *args, **kwargs))
    got = _pieces(out)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert np.array_equal(np.shape(g.value), w.shape)
        assert np.array_equal(g.value, w)
        if not w.ndim:                    # a scalar dual: numbers of its own, as always
            assert isinstance(g, dg.Dual) and not isinstance(g.value, np.ndarray)
            continue
        assert np.shares_memory(g.value, d.value) == np.shares_memory(w, d.value)
        assert np.shares_memory(g.partials, d.partials) == np.shares_memory(w, d.value)
        if np.ndim(w) and func is not np.real:
            assert g.value.flags.writeable == w.flags.writeable
            assert g.partials.flags.writeable == w.flags.writeable
    for k in range(N_DIR):
        for g, w in zip(got, _direction(func, d, k, args, kwargs)):
            assert np.array_equal(np.asarray(g.partials)[..., k], w)


def _same(a, b):
    pa, pb = _pieces(a), _pieces(b)
    assert len(pa) == len(pb) and type(a) is type(b)
    for x, y in zip(pa, pb):
        assert type(x) is type(y)
        assert np.array_equal(x.value, y.value) and np.array_equal(x.partials, y.partials)
        if isinstance(x.value, np.ndarray):
            assert x.value.flags.writeable == y.value.flags.writeable


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.engine_independent
def test_lean_views_match_numpy_and_the_general_path(name, layout):
    func, shape, args, kwargs = CASES[name]
    d = _dual(shape, layout)
    out = func(d, *args, **kwargs)
    _check_against_floats(func, d, out, args, kwargs)
    general = dispatch(func, (d,) + args, kwargs, like=d)
    _same(out, general)
    if layout == "C":
        lean = _views.FUNCTIONS[func](d, *args, **kwargs)
        assert (lean is None) == (name in GENERAL)
    if layout == "F" and name == "reshape_F" or layout == "C" and name == "reshape":
        assert _views.reshape(d, *args, **kwargs) is not None    # the lean orders ran


# ---- writes through the views --------------------------------------------------------
X = rng.uniform(0.5, 1.5, (3, 4))

# name: (view of y, write into the view)
WRITES = {
    "reshape_method": (lambda y: y.reshape(2, 6), lambda v: v.__setitem__(1, v[0] * v[1])),
    "reshape_F": (lambda y: np.reshape(y.T, (2, 6), order="F"), lambda v: v.__imul__(v)),
    "ravel_method": (lambda y: y.ravel(), lambda v: v.__setitem__(slice(0, 4), v[4:8] ** 2)),
    "transpose_method": (lambda y: y.transpose(1, 0), lambda v: v.__setitem__(0, v[1] * v[2])),
    "permute_dims": (lambda y: np.permute_dims(y, (1, 0)), lambda v: v.__imul__(2.0)),
    "matrix_transpose": (lambda y: np.matrix_transpose(y), lambda v: v.__isub__(v ** 3)),
    "mT": (lambda y: y.mT, lambda v: v.__setitem__((1, 2), v[0, 0] * v[3, 1])),
    "swapaxes_method": (lambda y: y.swapaxes(-1, 0), lambda v: v.__imul__(v)),
    "squeeze_method": (lambda y: y[:, None].squeeze(1), lambda v: v.__setitem__(2, np.sin(v[0]))),
    "squeeze_all": (lambda y: np.squeeze(y[None, :1]), lambda v: v.__imul__(v)),
    "moveaxis_negative": (lambda y: np.moveaxis(y, -1, 0), lambda v: v.__setitem__(3, v[0] ** 2)),
    "expand_dims_negative": (lambda y: np.expand_dims(y, -1), lambda v: v.__imul__(v)),
    "flip_negative": (lambda y: np.flip(y, -1), lambda v: v.__setitem__(0, v[1] * v[0])),
    "rot90_k2": (lambda y: np.rot90(y, 2), lambda v: v.__setitem__(1, v[0] * v[2])),
    "rot90_k-1": (lambda y: np.rot90(y, -1, axes=(1, 0)), lambda v: v.__imul__(v)),
    "atleast_3d": (lambda y: np.atleast_3d(y), lambda v: v.__imul__(v)),
    "split": (lambda y: np.split(y, 2, axis=1)[1], lambda v: v.__imul__(v)),
    "array_split": (lambda y: np.array_split(y, [1, 5])[1], lambda v: v.__setitem__(0, v[1] ** 2)),
    "broadcast_arrays": (lambda y: np.broadcast_arrays(y, y * 2.0)[0], lambda v: v.__imul__(v)),
    "none_index": (lambda y: y[None], lambda v: v.__setitem__((0, 1), v[0, 2] * v[0, 0])),
}


def _through(view, write):
    def f(x):
        y = x * 1.0
        write(view(y))
        return y
    return f


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name", sorted(WRITES))
@pytest.mark.engine_independent
def test_writes_through_lean_views_reach_value_and_partials(name, engine):
    f = _through(*WRITES[name])
    want = f(X.copy())
    assert not np.array_equal(want, X)                    # the write reached the base
    with backend.engine(engine):
        J = dg.jacobian(f, X)
        out = dg.jvp(f, X, np.ones_like(X))[0]
    np.testing.assert_allclose(J, numerical_jacobian(f, X, h=1e-6), rtol=1e-7, atol=1e-8)
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("name", sorted(WRITES))
def test_an_item_written_through_a_view_shows_in_the_bases_partials(name):
    """Write a dual of known partials through the view, read ``.partials`` of the base:
    each direction is the same view and write on floats."""
    view = WRITES[name][0]
    d = _dual((3, 4))
    v = view(d)
    index = (0,) * v.ndim
    item = dg.Dual(7.0, np.arange(1.0, N_DIR + 1.0))
    expect_value = d.value.copy()
    view(expect_value)[index] = 7.0
    expect = []
    for k in range(N_DIR):
        pk = d.partials[..., k].copy()
        view(pk)[index] = item.partials[k]
        expect.append(pk)
    v[index] = item
    np.testing.assert_array_equal(d.value, expect_value)
    np.testing.assert_array_equal(d.partials, np.stack(expect, axis=-1))


# ---- pending partials (the fused engine) ---------------------------------------------
@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.engine_independent
def test_pending_partials_are_computed_first(name):
    func, shape, args, kwargs = CASES[name]
    x0 = rng.uniform(0.5, 1.5, shape)
    seen = []

    def f(x):
        y = 2.0 * x + 1.0                  # pending with the fused engine at any size
        seen.append(type(getattr(y, "_p", None)))
        return np.sin(np.concatenate([np.ravel(p) for p in _pieces(func(y, *args, **kwargs))]))

    with backend.engine("fused"):
        J = dg.jacobian(f, x0)
    assert seen[0] is backend.Deferred                   # the view met pending partials
    with backend.engine("eager"):
        np.testing.assert_allclose(J, dg.jacobian(f, x0), rtol=1e-15, atol=0)
    np.testing.assert_allclose(J, numerical_jacobian(f, x0, h=1e-6), rtol=1e-7, atol=1e-8)


# ---- what the lean path leaves to the general path -----------------------------------
def test_nested_and_complex_duals_take_the_general_path():
    def f(x):
        y = x * x
        assert _views.reshape(y, (4, 3)) is None         # nested (a Hessian's dual)
        return np.sum(np.reshape(y, (4, 3)).T ** 2)
    H = dg.hessian(f, X)
    np.testing.assert_allclose(H, np.diag(12.0 * X.ravel() ** 2).reshape(3, 4, 3, 4),
                               rtol=1e-13, atol=1e-13)
    z = dg.Dual(X + 1j * X, np.ones((3, 4, 1)) + 0j)
    assert _views.transpose(z) is None
    np.testing.assert_array_equal(np.transpose(z).value, (X + 1j * X).T)


def test_a_lifted_scalar_takes_the_general_path():
    """Dispatch lifts scalar duals to 0-d array duals (``np.hstack`` of a slogdet's
    pair): views of those are the general path's, which gives 0-d results back as
    scalar duals."""
    d0 = make_array(np.array(2.0), np.arange(3.0), 0)
    for func in (_views.atleast_1d, _views.atleast_2d, _views.atleast_3d, _views.ravel,
                 _views.transpose, _views.real, _views.flip, _views.squeeze):
        assert func(d0) is None
    assert np.atleast_1d(d0).shape == (1,) and np.atleast_3d(d0).shape == (1, 1, 1)
    y = dg.jacobian(lambda x: np.hstack([x[:1], np.sum(x * x)]), np.array([1.0, 2.0]))
    np.testing.assert_array_equal(y, [[1.0, 0.0], [2.0, 4.0]])


def test_an_escaped_dual_raises_through_the_views():
    kept = []
    dg.gradient(lambda x: kept.append(x) or np.sum(x), X)
    for func in (np.reshape, np.transpose, np.flip):
        args = ((4, 3),) if func is np.reshape else ()
        with pytest.raises(Exception, match="escaped|finished"):
            func(kept[0], *args)
    with pytest.raises(Exception, match="escaped|finished"):
        kept[0].T


def test_the_lean_views_enter_no_dispatch_module():
    d = _dual((3, 4))
    entered = set()

    def profile(frame, event, arg):
        if event == "call":
            entered.add(frame.f_globals.get("__name__", ""))
    calls = [lambda: np.reshape(d, (4, 3)), lambda: d.reshape(2, 6), lambda: d.T,
             lambda: np.flip(d), lambda: np.split(d, 3), lambda: np.moveaxis(d, 0, 1),
             lambda: np.broadcast_to(d, (2, 3, 4)), lambda: np.squeeze(d[None])]
    old = sys.getprofile()
    sys.setprofile(profile)
    try:
        for call in calls:
            call()
    finally:
        sys.setprofile(old)
    assert not {m for m in entered if m.startswith("dualgrad.dispatch")}


# ---- the general path's own fixes -----------------------------------------------------
@pytest.mark.parametrize("func, args", [(np.reshape, ((12,),)), (np.ravel, ())])
def test_order_A_and_K_follow_the_values_layout(func, args):
    """An F-ordered value with C-ordered partials: ``order="A"`` reads F order for the
    value; the partials must follow their elements (they once took C order)."""
    v = np.asfortranarray(X)
    d = dg.Dual(v, rng.standard_normal((3, 4, 2)))
    assert d.value.flags.f_contiguous and d.partials.flags.c_contiguous
    for order in ("A", "K") if func is np.ravel else ("A",):
        out = func(d, *args, order=order)
        want = func(v, *args, order=order)
        np.testing.assert_array_equal(out.value, want)
        for k in range(2):
            pk = np.asfortranarray(d.partials[..., k])
            np.testing.assert_array_equal(out.partials[..., k], func(pk, *args, order=order))


def test_ravel_K_of_a_strided_value_raises_naming_the_fix():
    d = _dual((3, 4), "strided")
    with pytest.raises(ValueError, match=r"np\.ravel\(d, order='K'\).*order='C'"):
        np.ravel(d, order="K")


@pytest.mark.parametrize("call", [lambda d: np.reshape(d, (12,)), lambda d: np.ravel(d),
                                  lambda d: d.reshape(2, 6)])
def test_reshape_is_a_view_of_both_arrays_or_of_neither(call):
    """Partials in Fortran order beside a C-ordered value (``Dual`` keeps the layout
    it is given): NumPy views the value and must copy the partials.  A write into
    the result once reached the value of the base and not its partials."""
    d = dg.Dual(X.copy(), np.asfortranarray(rng.standard_normal((3, 4, 2))))
    assert d.value.flags.c_contiguous and not d.partials.flags.c_contiguous
    r = call(d)
    r[(0,) * r.ndim] = dg.Dual(9.0, np.array([5.0, 6.0]))
    wrote_value = d.value[0, 0] == 9.0
    wrote_partials = np.array_equal(d.partials[0, 0], [5.0, 6.0])
    assert wrote_value == wrote_partials


def test_transpose_checks_the_axes_as_numpy():
    d = _dual((3, 4))
    for axes in ((2, 1), (0, 0), (0,)):
        with pytest.raises((ValueError, np.exceptions.AxisError)) as numpy_error:
            np.transpose(X, axes)
        with pytest.raises(type(numpy_error.value)):
            np.transpose(d, axes)
        with pytest.raises(type(numpy_error.value)):
            dispatch(np.transpose, (d, axes), {}, like=d)


def test_broadcast_arrays_returns_arrays_of_the_shape_themselves():
    """As NumPy: an argument already of the broadcast shape comes back as it is (so a
    write into it is a write into it), the others as read-only broadcasts."""
    a, b, c = _dual((3, 4)), _dual((3, 4)), _dual((1, 4))
    ra, rb = np.broadcast_arrays(a, b)
    assert ra is a and rb is b
    ra2, rc = np.broadcast_arrays(a, c)
    assert ra2 is a and rc.shape == (3, 4) and not rc.value.flags.writeable
    assert not rc.partials.flags.writeable
    x, y = dispatch(np.broadcast_arrays, (a, c), {}, like=a)
    assert x is a and np.array_equal(y.partials, rc.partials)
