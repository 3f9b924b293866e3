"""The lean path of the joins (dualgrad/dual/_joins.py): np.concatenate, np.stack,
np.hstack, np.vstack, np.column_stack, np.append of plain array duals.

Oracles: NumPy's own call on the values (the value's bits, its errors) and on each
direction of the partials, a constant's partials being zeros (a join moves each
element's partials with it); central differences of functions built on joins.  Each
case is also compared with the general path (``dispatch._functions.dispatch``, which
the lean path skips), and the lean function is called directly to show it took the
case (a result, not ``None``) -- or left it to the general path.
"""

import contextlib
import re

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.dispatch._functions import dispatch
from dualgrad.dual import _joins, make_array, new_tag
from dualgrad.testing import numerical_jacobian

rng = np.random.default_rng(13)
N_DIR = 3


def _dual(shape, tag, layout="C"):
    """A dual of ``shape`` and ``tag``; ``layout``: "C", "T" (the transpose of a
    C-contiguous dual), "strided" (every other element, reversed), "F" (value and
    partials in Fortran order)."""
    if layout == "T":
        return _dual(shape[::-1], tag).T
    if layout == "strided":
        big = _dual(tuple(2 * s for s in shape), tag)
        return big[tuple(slice(None, None, -2) for _ in shape)]
    value, partials = rng.uniform(0.5, 1.5, shape), rng.standard_normal(shape + (N_DIR,))
    if layout == "F":
        value, partials = np.asfortranarray(value), np.asfortranarray(partials)
    return make_array(value, partials, tag)


def _value(a):
    return a.value if isinstance(a, dg.Dual) else a


def _direction(a, k):
    return a.partials[..., k] if isinstance(a, dg.Dual) else np.zeros_like(a)


# name: (function, [(shape, layout or "const"), ...], keyword arguments)
CASES = {
    "concatenate_vectors": (np.concatenate, [((5,), "C"), ((3,), "C")], {}),
    "concatenate_three": (np.concatenate, [((5,), "C"), ((3,), "strided"), ((4,), "C")], {}),
    "concatenate_rows": (np.concatenate, [((2, 4), "C"), ((3, 4), "F")], {}),
    "concatenate_columns": (np.concatenate, [((3, 2), "C"), ((3, 5), "T")], {"axis": 1}),
    "concatenate_negative": (np.concatenate, [((2, 3, 2), "C"), ((2, 3, 4), "C")], {"axis": -1}),
    "concatenate_flat": (np.concatenate, [((2, 3), "T"), ((4,), "C")], {"axis": None}),
    "concatenate_const": (np.concatenate, [((4,), "const"), ((3,), "C"), ((2,), "const")], {}),
    "concatenate_const_inner": (np.concatenate, [((3, 2), "C"), ((3, 1), "const")], {"axis": 1}),
    "concatenate_one_block": (np.concatenate, [((1, 3), "C"), ((1, 2), "strided")], {"axis": 1}),
    "concatenate_empty_part": (np.concatenate, [((0,), "C"), ((3,), "C")], {}),
    "concatenate_five": (np.concatenate, [((2, 2), "C")] * 5, {"axis": 1}),
    "stack": (np.stack, [((4,), "C"), ((4,), "C")], {}),
    "stack_inner": (np.stack, [((3, 4), "C"), ((3, 4), "F"), ((3, 4), "C")], {"axis": 1}),
    "stack_last": (np.stack, [((3, 4), "C"), ((3, 4), "const")], {"axis": -1}),
    "hstack_vectors": (np.hstack, [((4,), "C"), ((2,), "strided")], {}),
    "hstack_matrices": (np.hstack, [((3, 2), "C"), ((3, 1), "C")], {}),
    "vstack_vectors": (np.vstack, [((4,), "C"), ((4,), "C")], {}),
    "vstack_mixed": (np.vstack, [((4,), "C"), ((2, 4), "T"), ((4,), "const")], {}),
    "column_stack_vectors": (np.column_stack, [((4,), "C"), ((4,), "strided")], {}),
    "column_stack_mixed": (np.column_stack, [((4,), "C"), ((4, 2), "C"), ((4,), "const")], {}),
    "append_flat": (np.append, [((2, 3), "C"), ((4,), "C")], {}),
    "append_axis": (np.append, [((2, 3), "C"), ((2, 2), "F")], {"axis": 1}),
    "append_const": (np.append, [((3,), "C"), ((2,), "const")], {}),
}
SEQUENCE = {np.concatenate, np.stack, np.hstack, np.vstack, np.column_stack}


def _parts(spec):
    tag = new_tag()
    return [rng.uniform(0.5, 1.5, shape) if layout == "const" else _dual(shape, tag, layout)
            for shape, layout in spec]


def _call(func, parts, kwargs, sequence=None):
    """``func`` of ``parts`` (``sequence``: the one argument is a sequence of arrays,
    as for every join but ``np.append``; by default told from ``func``)."""
    sequence = func in SEQUENCE if sequence is None else sequence
    return func(parts, **kwargs) if sequence else func(*parts, **kwargs)


def _same_bits(got, want):
    assert got.shape == want.shape and got.dtype == want.dtype
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_partials_are_numpys_join_of_each(name):
    func, spec, kwargs = CASES[name]
    parts = _parts(spec)
    lean = _call(_joins.FUNCTIONS[func], parts, kwargs, func in SEQUENCE)
    assert lean is not None                                 # the lean path took it
    got = _call(func, parts, kwargs)
    _same_bits(got.value, _call(func, [_value(a) for a in parts], kwargs))
    want = np.stack([_call(func, [_direction(a, k) for a in parts], kwargs)
                     for k in range(N_DIR)], axis=-1)
    _same_bits(got.partials, want)
    _same_bits(lean.partials, want)
    args = (parts,) if func in SEQUENCE else tuple(parts)
    general = dispatch(func, args, kwargs)                  # the path the lean one skips
    _same_bits(general.value, got.value)
    _same_bits(general.partials, want)
    for a in parts:
        if isinstance(a, dg.Dual):
            assert not np.shares_memory(got.partials, a.partials)
            assert not np.shares_memory(got.value, a.value)


@pytest.mark.parametrize("N", [50, 40_000])
@pytest.mark.engine_independent
def test_results_outlive_the_next_join(N):
    """Large partials come from the buffer pool: a live result's buffer is never
    handed to the next join, inside a helper's scope or outside."""
    tag = new_tag()
    x, y = _dual((N,), tag), _dual((N,), tag)
    for scope in (contextlib.nullcontext(), backend.scope()):
        with backend.engine("eager"), scope:
            a = np.concatenate([x, y])
            keep = a.partials.copy()
            b = np.concatenate([y, x])
            c = np.stack([x, y])
            _same_bits(a.partials, keep)
            _same_bits(b.partials, np.concatenate([y.partials, x.partials]))
            _same_bits(c.partials, np.stack([x.partials, y.partials]))
            assert not np.shares_memory(a.partials, b.partials)


FUSED_CASES = {
    "concatenate": lambda u, m: np.concatenate([u[:1], m, u[-1:]]),
    "concatenate_pending_first": lambda u, m: np.concatenate([m, u[:2]]),
    "stack": lambda u, m: np.stack([m, u[1:-1]]),
    "vstack": lambda u, m: np.vstack([u[1:-1], m]),
    "hstack": lambda u, m: np.hstack([m, u, m]),
    "column_stack": lambda u, m: np.column_stack([m, u[1:-1]]),
    "append": lambda u, m: np.append(u, m),
    "const": lambda u, m: np.concatenate([np.ones(2), m, np.zeros(3)]),
}


@pytest.mark.parametrize("name", sorted(FUSED_CASES))
@pytest.mark.engine_independent
def test_pending_parts_give_the_eager_jacobian(name):
    """The fused engine's pending parts (``m``) are computed into their block of the
    result (or first, along an inner axis): the same Jacobian as the eager engine's
    and central differences'."""
    join = FUSED_CASES[name]
    x0 = rng.uniform(0.5, 1.5, 6)
    seen = []

    def f(x):
        u = np.sin(x)
        m = 2.0 * u[1:-1] + u[:-2] * u[2:]        # pending with the fused engine
        seen.append(type(getattr(m, "_p", None)))
        y = join(u, m)
        seen.append(type(getattr(m, "_p", None)))
        return np.cos(y) * 3.0

    with backend.engine("fused"):
        J = dg.jacobian(f, x0)
    assert seen[0] is backend.Deferred
    if name in ("concatenate", "stack", "vstack", "hstack", "append", "const"):
        assert seen[1] is backend.Deferred                # computed into the result only
    with backend.engine("eager"):
        np.testing.assert_allclose(J, dg.jacobian(f, x0), rtol=1e-15, atol=0)
    np.testing.assert_allclose(J, numerical_jacobian(f, x0, h=1e-6), rtol=1e-7, atol=1e-8)


# ---- what the lean path leaves to the general path, and NumPy's errors ---------------
def test_other_operands_take_the_general_path():
    old = new_tag()
    tag = new_tag()
    x, y = _dual((3,), tag), _dual((3,), tag)
    older = _dual((3,), old)                         # another call's dual: a constant
    assert _joins.concatenate([x, older]) is None
    assert _joins.concatenate([x, [1.0, 2.0]]) is None       # a list part
    assert _joins.concatenate([x, np.arange(3)]) is None     # an int array
    assert _joins.concatenate(iter([x, y])) is None           # not a list or tuple
    assert _joins.concatenate([x, y], dtype=float) is None
    assert _joins.concatenate([x, y], axis=np.int64(0)) is None
    assert _joins.stack([x, y], out=np.empty((2, 3))) is None
    z = make_array(x.value + 0j, x.partials + 0j, tag)
    assert _joins.concatenate([x, z]) is None                # complex
    s = make_array(np.array(2.0), np.arange(3.0), tag)
    assert _joins.concatenate([x, s]) is None                # a 0-d part along an axis
    assert _joins.stack([s, s]) is not None           # 0-d parts of a stack (small59)
    got = np.concatenate([x, [1.0, 2.0]])
    _same_bits(got.partials[3:], np.zeros((2, N_DIR)))
    _same_bits(np.stack([s, s]).partials, np.stack([s.partials, s.partials]))


def test_a_hessians_nested_duals_take_the_general_path():
    X = rng.uniform(0.5, 1.5, 4)

    def f(x):
        y = x * x
        assert _joins.concatenate([y, x]) is None
        return np.sum(np.concatenate([y, x]) ** 2)
    H = dg.hessian(f, X)
    np.testing.assert_allclose(H, np.diag(12.0 * X ** 2 + 2.0), rtol=1e-13, atol=1e-13)


def test_numpys_errors_and_dualgrads_checks():
    tag = new_tag()
    x, M = _dual((3,), tag), _dual((2, 2), tag)
    for func, parts, kwargs in ((np.concatenate, [x, M], {}), (np.stack, [x, M], {}),
                                (np.concatenate, [x, x], {"axis": 1}),
                                (np.stack, [x, x], {"axis": 3}),
                                (np.column_stack, [x, M], {})):
        with pytest.raises(Exception) as want:
            func([_value(a) for a in parts], **kwargs)
        with pytest.raises(type(want.value), match=str(want.value).split("(")[0][:30]):
            func(parts, **kwargs)
    short = make_array(x.value, x.partials[:, :2], tag)
    with pytest.raises(ValueError, match="np.concatenate"):     # different n: never zipped
        np.concatenate([x, short])


def test_an_escaped_dual_raises_through_the_joins():
    kept = []
    dg.gradient(lambda x: kept.append(x) or np.sum(x), rng.uniform(size=3))
    for func in (np.concatenate, np.stack, np.hstack, np.vstack, np.column_stack):
        with pytest.raises(Exception, match="escaped|finished"):
            func([kept[0], kept[0]])


def test_jacobian_of_a_function_built_on_joins():
    def f(x):
        a = np.concatenate([x[2:], np.sin(x[:2])])
        b = np.column_stack([a, np.cos(x)])
        return np.append(np.vstack([b.T, np.hstack([x, x ** 2])[::2]]), x[0])
    x0 = rng.uniform(0.5, 1.5, 4)
    np.testing.assert_allclose(dg.jacobian(f, x0), numerical_jacobian(f, x0, h=1e-6),
                               rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("mode", ["numba", "numpy"])
def test_joins_of_read_only_and_empty_parts_on_the_kernels(mode):
    # a part broadcast to its own shape is a read-only view, an empty one adds no width:
    # the join kernel took a tuple numba could not type (outside attack 18)
    M, K = 20, 10
    X = np.random.default_rng(1).uniform(0.5, 1.5, (M, K))
    E = np.zeros((M, 0))

    def f(p):
        x = X * p[0]
        z = np.broadcast_to(X * p[1], (M, K))
        return np.concatenate([x, z, E * p[0], x * p[2]], axis=1)

    p = np.array([0.5, 1.0, 2.0])
    with backend.use(mode):
        J = dg.jacobian(f, p)
    want = np.zeros((M, 3 * K, 3))
    want[:, :K, 0] = X
    want[:, K:2 * K, 1] = X
    want[:, 2 * K:, 0] = X * p[2]
    want[:, 2 * K:, 2] = X * p[0]
    np.testing.assert_allclose(J, want, rtol=1e-15, atol=0)


def test_np_stack_of_scalar_duals():
    """``np.stack([r0, r1])`` of a residual's scalar duals (and numbers) is read in
    one pass (``_array.stack_lean``): the general path's numbers, as the joined 0-d
    parts give them; what it does not take (0-d array duals, nested, complex or
    another call's duals, ``axis=``, an escaped dual) goes the general path."""
    tag = new_tag()
    a, b = dg.Dual(0.7, [1.0, 2.0, 3.0], tag=tag), dg.Dual(-1.3, [0.5, 0.0, -4.0], tag=tag)
    for items in ([a, b], (a, 2.5, b), [b]):
        got = np.stack(items)
        assert type(got).__name__ == "ArrayDual"
        want = dispatch(np.stack, (list(items),), {})
        _same_bits(got.value, want.value)
        _same_bits(got.partials, want.partials)
        _same_bits(got.value, np.array([float(getattr(i, "value", i)) for i in items]))
    from dualgrad.dual._array import stack_lean
    s0 = make_array(np.array(2.0), np.arange(3.0), tag)
    other = dg.Dual(0.7, [1.0, 2.0, 3.0], tag=new_tag())
    c = dg.Dual(0.7 + 1j, [1.0, 2.0, 3.0], tag=tag)
    assert stack_lean([a, b]) is not None and stack_lean((a, 2.5)) is not None
    for items in ([a, s0], [a, other], [a, c], [a, np.ones(2)], iter([a, b])):
        assert stack_lean(items) is None
    np.testing.assert_array_equal(np.stack([a, s0]).partials, [a.partials, s0.partials])
    _same_bits(np.stack([a, b], axis=0).partials, np.stack([a, b]).partials)
    with pytest.raises(ValueError):                 # NumPy's: shapes differ
        np.stack([a, np.ones(2)])

    def f(x):
        return np.stack([x[0] * x[1], np.sin(x[0]), 3.0])
    x0 = np.array([0.7, 1.3])
    np.testing.assert_array_equal(dg.jacobian(f, x0),
                                  [[1.3, 0.7], [np.cos(0.7), 0.0], [0.0, 0.0]])
    H = dg.hessian(lambda x: np.sum(np.stack([x[0] * x[1], x[1] ** 2]) ** 2), x0)
    np.testing.assert_allclose(H, numerical_jacobian(
        lambda x: np.array([2 * x[0] * x[1] ** 2, 2 * x[0] ** 2 * x[1] + 4 * x[1] ** 3]),
        x0, h=1e-6), rtol=1e-7)
    kept = []
    dg.gradient(lambda x: kept.append(x[0]) or np.sum(x), x0)
    with pytest.raises(Exception, match="escaped|finished"):
        np.stack([kept[0], kept[0]])


@pytest.mark.parametrize("dtype", [complex, np.complex64, np.float64, np.float32])
def test_a_join_with_dtype_is_the_join_cast(dtype):
    """``np.stack(..., dtype=)`` and ``np.concatenate(..., dtype=)`` of scalar and
    array duals (attack25: ``dtype=complex`` said it "would drop the derivatives"):
    the join without dtype, then cast as ``np.asarray(...).astype(dtype)``; the
    Jacobian against the analytic one, cast."""
    p0 = np.array([0.7, -1.3])
    want = np.array([[-1.3, 0.7], [0.0, 1.0], [0.0, 0.0]])
    for join in (lambda p: np.stack([p[0] * p[1], p[1], np.float32(2.0)], dtype=dtype),
                 lambda p: np.concatenate([np.atleast_1d(p[0] * p[1]), p[1:], [2.0]],
                                          dtype=dtype)):
        got = join(dg.Dual(p0, np.eye(2)))
        assert got.value.dtype == np.dtype(dtype) and got.partials.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got.value, np.array([p0[0] * p0[1], p0[1], 2.0],
                                                          dtype=dtype))
        np.testing.assert_array_equal(got.partials, want.astype(dtype))
        J = dg.jacobian(join, p0)
        np.testing.assert_array_equal(J, want.astype(dtype))
    Jh = dg.jacobian(lambda p: np.hstack([p * p[0], p], dtype=dtype), p0)
    np.testing.assert_array_equal(Jh, np.array([[1.4, 0.0], [-1.3, 0.7], [1, 0], [0, 1]],
                                               dtype=dtype))


def test_a_join_to_an_integer_or_a_narrower_kind_raises():
    p0 = np.array([0.7, -1.3])
    for dtype, says in ((int, "makes an integer"), (np.int8, "makes an integer"),
                        (bool, "would drop the derivatives")):
        with pytest.raises(TypeError, match=r"np\.stack\(\.\.\., dtype=.*" + says):
            dg.jacobian(lambda p: np.stack([p[0], p[1]], dtype=dtype), p0)
    with pytest.raises(TypeError) as want:                  # NumPy's own, as on numbers
        np.stack([np.ones(2) * 1j], dtype=float)
    with pytest.raises(TypeError, match=re.escape(str(want.value))):
        dg.jacobian(lambda p: np.stack([p * 1j], dtype=float), p0)


def test_joins_with_dtype_in_a_hessian():
    """attack27: dtype= of a join inside dg.hessian (nested duals: the value is a dual)
    raised NumPy's "Cannot cast array data from dtype('O')", dtype=float too.  Against
    the analytic Hessians of sum(p**2) + sum(p**4) and (p0 p1)**2 + p1**2."""
    p = np.array([0.3, -0.2])
    want = np.diag(2.0 + 12.0 * p ** 2)
    for dtype in (float, np.float64, complex):
        H = dg.hessian(lambda q: np.sum(np.real(np.stack([q, q ** 2], dtype=dtype)) ** 2), p)
        np.testing.assert_allclose(H, want, rtol=1e-14)
    H = dg.hessian(lambda q: np.sum(np.concatenate([q, q ** 2], dtype=np.float64) ** 2), p)
    np.testing.assert_allclose(H, want, rtol=1e-14)
    H = dg.hessian(lambda q: np.sum(np.hstack([q[0] * q[1], q[1]], dtype=np.float32) ** 2), p)
    a, b = p
    np.testing.assert_allclose(H, [[2 * b * b, 4 * a * b], [4 * a * b, 2 * a * a + 2]], rtol=1e-6)


def test_joins_of_float32_duals_report_numpys_dtype():
    """attack27: np.concatenate of float32 duals (made by a join's dtype=np.float32)
    reported .dtype float64; the dtype of every join is NumPy's join of the values
    (float32 with float32 constants, float64 with a float64 part), the values
    and partials held in it; the Jacobian against the analytic one."""
    p0 = np.array([0.7, -1.3])
    seen = {}

    def f(p):
        a = np.stack([p[0] * p[1], p[1]], dtype=np.float32)
        plain = a.value if not isinstance(a.value, dg.Dual) else None
        joins = {"concatenate": np.concatenate([a, a]), "stack": np.stack([a, a]),
                 "hstack": np.hstack([a, a]), "vstack": np.vstack([a, a]),
                 "column_stack": np.column_stack([a, a]), "append": np.append(a, a),
                 "float32 constant": np.concatenate([a, np.ones(2, np.float32)]),
                 "float64 dual": np.concatenate([a, p]),
                 "float64 constant": np.concatenate([a, np.ones(2)])}
        for name, j in joins.items():
            seen[name] = (j.dtype, np.asarray(dg.dual.primal(j)).dtype)
        if plain is not None:
            seen["numpy"] = {
                "concatenate": np.concatenate([plain, plain]).dtype,
                "float32 constant": np.concatenate([plain, np.ones(2, np.float32)]).dtype,
                "float64 constant": np.concatenate([plain, np.ones(2)]).dtype}
        out = np.zeros_like(a, dtype=a.dtype)          # a buffer of a's dtype: a dual
        out[:] = a * a
        return np.concatenate([joins["float32 constant"], out])
    J = dg.jacobian(f, p0)
    a = np.array([p0[0] * p0[1], p0[1]], dtype=np.float32).astype(float)
    da = np.array([[p0[1], p0[0]], [0.0, 1.0]])
    want = np.vstack([da, np.zeros((2, 2)), 2 * a[:, None] * da])
    np.testing.assert_allclose(J, want, rtol=1e-6)
    numpy = seen.pop("numpy")
    for name, (reported, held) in seen.items():
        want_dtype = np.float64 if "float64" in name else np.float32
        assert reported == held == want_dtype, (name, reported, held)
        if name in numpy:
            assert reported == numpy[name], name
    H = dg.hessian(lambda p: np.sum(np.concatenate([np.stack([p[0] * p[1]], dtype=np.float32),
                                                    np.float32([1.5])]) ** 2), p0)
    np.testing.assert_allclose(H, 2 * np.array([[p0[1] ** 2, 2 * p0[0] * p0[1]],
                                                [2 * p0[0] * p0[1], p0[0] ** 2]]), rtol=1e-6)
