"""Joins of scalar duals (issue 13, small59): ``np.append(r, s)``, ``np.concatenate([r,
s], axis=None)``, ``np.hstack([s, r])``, ``np.stack([s, r0])``, ``np.vstack`` and
``np.column_stack`` of a scalar dual ``s`` go the lean join path (dual/_joins.py), which
took array duals of one dimension or more only; the general path (dispatch/_functions.py
``_joined``) flattens float parts for ``axis=None`` by the partials' writer instead of
``np.ravel`` of each part and a second join.  bench/corpus58.py's biquad row grows its
output by ``np.append(result, val)`` per sample: ~12x the float call before.

Oracles, independent of the path: NumPy's own join of the values (bits) and of each
direction of the partials (a join moves each element's partials with it, a constant's
are zeros); the complex step of whole functions (joins are linear, NumPy joins complex
numbers); NumPy's errors for the values.  The general path (``dispatch``) is compared
too, bit for bit, and spies tell which path ran.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _functions
from dualgrad.dispatch._functions import dispatch
from dualgrad.dual import _joins, make_array, make_scalar, new_tag
from dualgrad.testing import complex_step
from _probes import same_bits  # noqa: E402

N_DIR = 3
RNG = np.random.default_rng(59)


def _scalar(tag, value=None):
    return dg.Dual(float(RNG.uniform(0.5, 1.5) if value is None else value),
                   list(RNG.standard_normal(N_DIR)), tag=tag)


def _array(shape, tag):
    return make_array(RNG.uniform(0.5, 1.5, shape), RNG.standard_normal(shape + (N_DIR,)),
                      tag)


def _value(a):
    return np.asarray(a.value) if isinstance(a, dg.Dual) else a


def _direction(a, k):
    if isinstance(a, dg.Dual):
        return np.asarray(a.partials)[..., k]
    return np.zeros_like(np.asarray(a, dtype=float))


# name: (function, parts as (kind, shape) -- "s" a scalar dual, "d" an array dual, "0" a
# 0-d array dual, "c" a float constant array, "f" a Python float --, keyword arguments)
CASES = {
    "append_r_s": (np.append, [("d", (5,)), ("s", ())], {}),
    "append_s_r": (np.append, [("s", ()), ("d", (5,))], {}),
    "append_s_s": (np.append, [("s", ()), ("s", ())], {}),
    "append_matrix_s": (np.append, [("d", (2, 3)), ("s", ())], {}),
    "append_const_s": (np.append, [("c", (4,)), ("s", ())], {}),
    "append_empty_s": (np.append, [("c", (0,)), ("s", ())], {}),
    "append_s_const": (np.append, [("s", ()), ("c", (2,))], {}),
    "append_0_r": (np.append, [("0", ()), ("d", (3,))], {}),
    "concatenate_flat_r_s": (np.concatenate, [("d", (2, 3)), ("s", ()), ("d", (4,))],
                             {"axis": None}),
    "concatenate_flat_s_first": (np.concatenate, [("s", ()), ("c", (3,)), ("d", (2, 2))],
                                 {"axis": None}),
    "stack_s_s": (np.stack, [("s", ()), ("s", ()), ("s", ())], {}),
    "stack_s_0": (np.stack, [("s", ()), ("0", ())], {}),
    "stack_s_last": (np.stack, [("s", ()), ("s", ())], {"axis": -1}),
    "hstack_s_r": (np.hstack, [("s", ()), ("d", (4,))], {}),
    "hstack_r_s_c": (np.hstack, [("d", (4,)), ("s", ()), ("c", (2,))], {}),
    "vstack_s_s": (np.vstack, [("s", ()), ("s", ())], {}),
    "vstack_s_row": (np.vstack, [("s", ()), ("d", (1,)), ("d", (2, 1))], {}),
    "column_stack_s_s": (np.column_stack, [("s", ()), ("s", ())], {}),
    "column_stack_s_col": (np.column_stack, [("s", ()), ("d", (1, 2))], {}),
    "append_r_float": (np.append, [("d", (4,)), ("f", ())], {}),
    "append_float_s": (np.append, [("f", ()), ("s", ())], {}),
    "concatenate_flat_float": (np.concatenate, [("d", (2, 2)), ("f", ()), ("s", ())],
                               {"axis": None}),
    "stack_s_float": (np.stack, [("s", ()), ("f", ())], {}),
    "hstack_s_float": (np.hstack, [("s", ()), ("f", ()), ("d", (2,))], {}),
    "vstack_float_s": (np.vstack, [("f", ()), ("s", ())], {}),
    "column_stack_s_float": (np.column_stack, [("s", ()), ("f", ())], {}),
}
SEQUENCE = {np.concatenate, np.stack, np.hstack, np.vstack, np.column_stack}


def _parts(spec, tag):
    made = []
    for kind, shape in spec:
        if kind == "s":
            made.append(_scalar(tag))
        elif kind == "0":
            made.append(make_array(np.array(RNG.uniform()), RNG.standard_normal(N_DIR), tag))
        elif kind == "d":
            made.append(_array(shape, tag))
        elif kind == "f":
            made.append(float(RNG.uniform(0.5, 1.5)))
        else:
            made.append(RNG.uniform(0.5, 1.5, shape))
    return made


def _call(func, parts, kwargs):
    return func(parts, **kwargs) if func in SEQUENCE else func(*parts, **kwargs)


@pytest.fixture
def general_runs(monkeypatch):
    """The functions the general path (``_functions.dispatch``) was called for."""
    calls = []
    real = _functions.dispatch

    def spy(func, args, kwargs, like=None):
        calls.append(func.__name__)
        return real(func, args, kwargs, like)
    monkeypatch.setattr(_functions, "dispatch", spy)
    from dualgrad.dual import _array, _scalar
    monkeypatch.setattr(_array, "dispatch", spy)
    monkeypatch.setattr(_scalar, "dispatch", spy)
    return calls


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_partials_are_numpys_join_of_each(name):
    func, spec, kwargs = CASES[name]
    tag = new_tag()
    parts = _parts(spec, tag)
    got = _call(func, parts, kwargs)
    want_value = _call(func, [_value(a) for a in parts], kwargs)
    assert got.value.shape == want_value.shape and got.value.dtype == want_value.dtype
    assert got.value.tobytes() == want_value.tobytes()
    for k in range(N_DIR):
        want = _call(func, [_direction(a, k) for a in parts], kwargs)
        assert got.partials[..., k].tobytes() == np.asarray(want, float).tobytes()
    general = dispatch(func, (parts,) if func in SEQUENCE else tuple(parts), kwargs)
    same_bits(got, general)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_lean_join_takes_scalar_parts(name, general_runs):
    """No general dispatch (before small59 every case here went through it, the
    scalar's lift and, for ``axis=None``, ``np.ravel`` of each part)."""
    func, spec, kwargs = CASES[name]
    tag = new_tag()
    parts = _parts(spec, tag)
    general_runs.clear()
    _call(func, parts, kwargs)
    assert general_runs == []


def test_the_general_paths_flat_join_ravels_no_float_part(monkeypatch):
    """``np.concatenate([d, [1.0, 2.0]], axis=None)`` (a list part: the general path)
    flattens its float parts by the partials' writer, with no ``np.ravel`` of each part
    and no second join; the result is NumPy's join of values and partials."""
    from dualgrad.dual._array import VIEWS
    ravels = []
    real = VIEWS[np.ravel]

    def spy(*args, **kwargs):
        ravels.append(1)
        return real(*args, **kwargs)
    monkeypatch.setitem(VIEWS, np.ravel, spy)
    tag = new_tag()
    M = make_array(np.asfortranarray(RNG.uniform(size=(3, 2))),
                   np.asfortranarray(RNG.standard_normal((3, 2, N_DIR))), tag)
    s = _scalar(tag)
    assert _joins.concatenate([M, [1.0, 2.0]], axis=None) is None
    got = np.concatenate([M, [1.0, 2.0], s], axis=None)
    assert ravels == []
    want = np.concatenate([M.value, [1.0, 2.0], [s.value]], axis=None)
    assert got.value.tobytes() == want.tobytes()
    for k in range(N_DIR):
        want = np.concatenate([M.partials[..., k], [0.0, 0.0], [s.partials[k]]], axis=None)
        assert got.partials[..., k].tobytes() == want.tobytes()


def test_numpys_errors_for_zero_dimensional_parts():
    tag = new_tag()
    r, s, M = _array((3,), tag), _scalar(tag), _array((2, 2), tag)
    for func, parts, kwargs in ((np.concatenate, [r, s], {}),
                                (np.concatenate, [s, r], {"axis": 0}),
                                (np.append, [r, s], {"axis": 0}),
                                (np.stack, [s, r], {}),
                                (np.stack, [s, s], {"axis": 1}),
                                (np.hstack, [s, M], {}),
                                (np.vstack, [s, r], {})):
        with pytest.raises(Exception) as want:
            _call(func, [_value(a) for a in parts], kwargs)
        with pytest.raises(type(want.value), match=str(want.value).split("(")[0][:30]):
            _call(func, parts, kwargs)
    with pytest.raises(ValueError) as want:                   # a float along an axis
        np.concatenate([r.value, 1.0])
    with pytest.raises(ValueError, match=str(want.value)[:40]):
        np.concatenate([r, 1.0])
    assert _joins.concatenate([r, 1.0]) is None and _joins.append(r, 1, axis=None) is None


def test_what_the_lean_join_leaves_to_the_general_path():
    """Nested (a Hessian's), complex, another call's and many-direction scalar duals,
    and 0-d parts along an axis: ``None`` from the lean join; the general path's
    result, against NumPy's join of each direction."""
    tag = new_tag()
    r = _array((3,), tag)
    other = _scalar(new_tag())                       # a newer call's dual: r a constant
    c = dg.Dual(0.5 + 1j, [1.0, 2.0, 3.0], tag=tag)
    wide = dg.Dual(0.5, list(RNG.standard_normal(20)), tag=tag)   # the vector kind
    s = _scalar(tag)
    assert _joins.append(r, c) is None
    assert _joins.append(r, other) is None
    assert _joins.append(r, wide) is None
    inner = dg.Dual(0.3, [1.0, 2.0, 0.5], tag=new_tag())
    mixed = make_scalar(0.5, [inner, 1.0, 2.0], tag)  # a float value, a dual partial
    assert _joins.append(r, mixed) is None
    got = np.append(r, mixed)
    assert got.partials.value[-1].tolist() == [0.3, 1.0, 2.0]
    assert got.partials.partials[-1, 0].tolist() == [1.0, 2.0, 0.5]
    assert _joins.concatenate([r, s]) is None        # axis 0: NumPy's error, general path
    assert _joins.append(r, s, axis=0) is None
    got = np.append(r, c)
    assert got.value.dtype == complex
    np.testing.assert_array_equal(got.partials[-1], [1.0, 2.0, 3.0])
    got = np.append(r, other)
    np.testing.assert_array_equal(got.partials[:-1], np.zeros((3, N_DIR)))


def test_an_escaped_scalar_dual_raises_through_the_joins():
    kept = []
    dg.gradient(lambda x: kept.append(x[0] * 2.0) or np.sum(x), RNG.uniform(size=3))
    s = kept[0]
    for call in (lambda: np.append(np.ones(2), s), lambda: np.append(s, np.ones(2)),
                 lambda: np.concatenate([s, s], axis=None), lambda: np.hstack([s, 1.0]),
                 lambda: np.stack([s, 1.0]), lambda: np.vstack([s, s]),
                 lambda: np.column_stack([s, s])):
        with pytest.raises(Exception, match="escaped|finished"):
            call()


X0 = np.array([0.3, -1.2, 2.0])

FUNCTIONS = {
    "append_r_s": lambda x: np.append(np.sin(x) * x[0], x[1] * x[2]),
    "append_s_r": lambda x: np.append(x[1] * x[2], np.exp(x)),
    "append_s_s": lambda x: np.append(x[0] * 2.0, x[1] * x[2]),
    "append_loop": lambda x: _grown(x),
    "concatenate_flat": lambda x: np.concatenate([np.outer(x, x), x[1] * x[2], x], axis=None),
    "concatenate_flat_F": lambda x: np.concatenate(
        [np.asfortranarray(np.outer(x, x[:2])), x[0] * x[2], [1.0, 2.0]], axis=None),
    "stack": lambda x: np.stack([x[0] * x[1], x[2] ** 2, np.sum(x)]),
    "hstack": lambda x: np.hstack([x[0] * x[1], np.cos(x), 3.0]),
    "vstack": lambda x: np.vstack([x[0] * x[1], x[2] ** 2]).ravel(),
    "column_stack": lambda x: np.column_stack([x[0] * x[1], x[2] ** 2]).ravel(),
}


def _grown(x):
    out = np.empty(0)
    y = x[0]
    for k in range(6):
        y = y * x[1] + x[2] * k
        out = np.append(out, y)
    return out


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_jacobians_of_joins_of_scalars_against_the_complex_step(name):
    f = FUNCTIONS[name]
    J = dg.jacobian(f, X0)
    np.testing.assert_allclose(J, complex_step(f, X0), rtol=1e-14, atol=1e-15)


def test_hessian_of_appended_scalars():
    """Nested scalar duals (value a dual) go the general path: H of sum(append(x,
    x0 x1)**2) by the closed form."""
    def f(x):
        return np.sum(np.append(x, x[0] * x[1]) ** 2)
    x = X0[:2]
    a, b = x
    want = np.array([[2 + 2 * b * b, 4 * a * b], [4 * a * b, 2 + 2 * a * a]])
    np.testing.assert_allclose(dg.hessian(f, x), want, rtol=1e-14)


def test_biquad_row_against_the_complex_step():
    """bench/corpus58.py's biquad (np.append per sample of a scalar dual), both
    engines (the suite's engine run), against the complex step of the same code."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    try:
        from corpus58 import biquad_output
    finally:
        sys.path.pop(0)
    q = np.array([0.2, 0.4, 0.2, -0.5, 0.3])
    J = dg.jacobian(biquad_output, q)
    np.testing.assert_allclose(J, complex_step(biquad_output, q), rtol=1e-12, atol=1e-13)


def test_ravel_and_atleast_1d_of_a_scalar_dual(general_runs):
    """``np.ravel(s)`` / ``np.atleast_1d(s)``: a one-element array dual without the
    general dispatch (its lift and reshape before), NumPy's value and the partials'
    row, the general path's bits; several arguments, nested or complex scalars and an
    order NumPy refuses go the general path."""
    tag = new_tag()
    s = _scalar(tag)
    for got in (np.ravel(s), np.atleast_1d(s), np.ravel(s, order="F"), np.ravel(s, "K")):
        assert general_runs == []
        assert got.value.tobytes() == np.ravel(s.value).tobytes() and got.value.shape == (1,)
        assert got.partials.tobytes() == np.array([s.partials]).tobytes()
        same_bits(got, dispatch(np.ravel, (s,), {}))
        got.value[0] = 7.0                        # a new array: s is not written
        assert s.value != 7.0
    pair = np.atleast_1d(s, s)
    assert general_runs == ["atleast_1d"] and len(pair) == 2
    with pytest.raises(ValueError):
        np.ravel(s.value, order="Q")
    with pytest.raises(ValueError):
        np.ravel(s, order="Q")
    c = dg.Dual(0.5 + 1j, [1.0, 2.0, 3.0], tag=tag)
    assert np.ravel(c).value.dtype == complex

    def f(x):
        return np.concatenate([np.sin(x), np.ravel(x[0] * x[1]), np.atleast_1d(x[2] ** 2)])
    np.testing.assert_allclose(dg.jacobian(f, X0), complex_step(f, X0), rtol=1e-14, atol=1e-15)
    H = dg.hessian(lambda x: np.sum(np.ravel(x[0] * x[1]) ** 2), X0[:2])
    a, b = X0[:2]
    np.testing.assert_allclose(H, [[2 * b * b, 4 * a * b], [4 * a * b, 2 * a * a]], rtol=1e-14)
