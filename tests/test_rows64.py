"""Issue 13, stop 64 (rows64): the point-kinetics row's matrix (bench/corpus63.py), built
each call of its rhs by ``np.zeros_like`` of a scalar dual, ``np.fill_diagonal`` of plain
numbers and a row and a column stored by ``M[0, :] = r`` / ``M[1:, 0] = c``.

* ``np.zeros_like(s, shape=...)`` / ``np.ones_like`` of a scalar dual:
  ``dual._views._scalar_like``, to the bit of dispatch's general path (the lift to a
  0-d array dual and ``_like``); other keywords decline to it.
* ``M[i, :] = d`` / ``M[i:j, k] = d``: ``ArrayDual.__setitem__``'s float64 store for a
  tuple of ints and slices, as for one slice; against NumPy's own writes on the value
  and the partials (broadcasting, overlap and shape errors as NumPy's / the general
  path's).
* ``np.fill_diagonal(M, plain)``: dispatch hands it to ``fill_diagonal`` before the
  lift (its index arrays kept per shape); against NumPy's ``fill_diagonal`` of the
  value, zero partials there.
* ``np.append(s, x)`` of a scalar dual and a 1-D float64 array: ``dual._joins.
  _scalar_then``, to the bit of the lean join it short-cuts.

Spies tell the ways taken (each way test fails on 94e0ada); the row itself is
tests/test_newuser63.py's (a complex step of the matrix exponential).
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _functions
from dualgrad.dispatch._functions import dispatch as general_dispatch
from dualgrad.dual import _array, _scalar
from dualgrad.dual._base import new_tag
from _probes import same_duals, spy_on


@pytest.fixture
def general_runs(monkeypatch):
    """The functions the scalar duals' ``__array_function__`` handed to ``dispatch``."""
    return spy_on(monkeypatch, _scalar, "dispatch", lambda args, result: args[0].__name__)


@pytest.mark.parametrize("c, row", [(6e-5, [0.0, 1.0]), (-0.0, [np.nan, -0.0, np.inf]),
                                    (np.inf, [5e-324])])
@pytest.mark.parametrize("shape", [(7, 7), 3, (2, 0), (1, 2, 3)])
@pytest.mark.parametrize("fill", [np.zeros_like, np.ones_like])
def test_scalar_like_bits_and_way(fill, shape, c, row, general_runs):
    k = dg.Dual(c, row, tag=new_tag())
    got = fill(k, shape=shape)
    assert general_runs == []
    same_duals(got, general_dispatch(fill, (k,), {"shape": shape}, like=k))
    np.testing.assert_array_equal(got.value, fill(np.empty(shape)))
    assert not np.asarray(got.partials).any() and got.partials.shape[-1] == len(row)


@pytest.mark.parametrize("kwargs", [{}, {"shape": ()}, {"shape": (2,), "dtype": float},
                                    {"shape": (2,), "order": "F"},
                                    {"shape": (2,), "device": "cpu"}])
def test_scalar_like_declines_to_the_general_path(kwargs, general_runs):
    k = dg.Dual(0.5, [1.0, 2.0], tag=new_tag())
    got = np.zeros_like(k, **kwargs)
    assert general_runs == ["zeros_like"]
    same_duals(got, general_dispatch(np.zeros_like, (k,), kwargs, like=k))


@pytest.mark.parametrize("c, row", [(0.5, [1.0, -2.0]), (-0.0, [np.nan, 5e-324]),
                                    (np.nan, [np.inf, -0.0])])
@pytest.mark.parametrize("x", [np.array([0.0124, -0.0, np.nan]), np.array([]),
                               np.arange(4.0)[::-2]])
def test_append_scalar_then_array_bits_and_way(x, c, row, monkeypatch):
    from dualgrad.dual import _joins
    k = dg.Dual(c, row, tag=new_tag())
    joined = spy_on(monkeypatch, _joins, "_join", lambda args, result: 1)
    got = np.append(k, x)
    assert joined == []
    monkeypatch.setattr(_joins, "_scalar_then", lambda s, x: None)
    same_duals(got, np.append(k, x))             # the join's own partials
    assert len(joined) == 1
    assert got.value.tobytes() == np.append(c, x).tobytes()
    want = np.zeros((1 + x.size, len(row)))
    want[0] = row
    assert got.partials.tobytes() == want.tobytes()


def _matrix(n=4, k=2, tag=None):
    value = np.arange(1.0, n * n + 1).reshape(n, n)
    partials = np.arange(n * n * k, dtype=float).reshape(n, n, k) - 7.5
    return dg.Dual(value, partials, tag=tag or new_tag()), value, partials


def _written(v, p, index, x, q):
    v, p = v.copy(), p.copy()
    v[index] = x
    p[index] = q
    return v, p


@pytest.mark.parametrize("index", [(0, slice(None)), (slice(1, None), 0), (2, slice(1, 3)),
                                   (slice(None, None, -2), 1), (-1,), ()])
def test_tuple_store_against_numpy(index, monkeypatch):
    M, v, p = _matrix()
    shape = v[index].shape
    x = np.linspace(-1.0, 2.0, int(np.prod(shape))).reshape(shape)
    q = np.stack([x * 0.5, -x], axis=-1)
    q[..., 0].flat[0] = np.nan
    d = dg.Dual(x, q, tag=M.tag)
    seen = spy_on(monkeypatch, _array, "_check_index", lambda args, result: 1)
    M[index] = d
    want_v, want_p = _written(v, p, index, x, q)
    assert M.value.tobytes() == want_v.tobytes() and M.partials.tobytes() == want_p.tobytes()
    assert seen == []


def test_tuple_store_broadcasts_and_refuses_as_numpy():
    M, v, p = _matrix()
    r = dg.Dual(np.array([3.0]), np.array([[1.0, -0.0]]), tag=M.tag)
    M[1, :] = r                                   # (1,) onto a row of 4: broadcast
    want_v, want_p = _written(v, p, (1, slice(None)), r.value, r.partials)
    assert M.value.tobytes() == want_v.tobytes() and M.partials.tobytes() == want_p.tobytes()
    with pytest.raises(ValueError, match="broadcast"):
        M[0, :] = dg.Dual(np.ones(3), np.ones((3, 2)), tag=M.tag)
    M.value.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        M[0, :] = r


def test_tuple_store_of_its_own_column():
    """``M[0, :] = M[:, 0]``: one memory, the row written from the column's copy-free
    view; NumPy reads the shared corner first, as the general path's check requires."""
    M, v, p = _matrix()
    M[0, :] = M[:, 0]
    want_v, want_p = _written(v, p, (0, slice(None)), v[:, 0].copy(), p[:, 0].copy())
    assert M.value.tobytes() == want_v.tobytes() and M.partials.tobytes() == want_p.tobytes()


@pytest.mark.parametrize("shape", [(4, 4), (6, 3), (3, 5)])
@pytest.mark.parametrize("val", [np.array([0.0, -0.0124, np.nan]), 2.5, 3,
                                 np.array([1, 2], dtype=np.int32)])
@pytest.mark.parametrize("wrap", [False, True])
def test_fill_diagonal_against_numpy(shape, val, wrap, monkeypatch):
    n = 2
    v = np.arange(1.0, np.prod(shape) + 1).reshape(shape)
    p = np.ones(shape + (n,))
    M = dg.Dual(v, p, tag=new_tag())
    seen = spy_on(monkeypatch, _functions, "_lift", lambda args, result: 1)
    if wrap:
        np.fill_diagonal(M, val, wrap=True)
    else:
        np.fill_diagonal(M, val)
    assert (seen == []) is (not wrap)             # (wrap=: bound by the general path)
    want_v = v.copy()
    np.fill_diagonal(want_v, val, wrap=wrap)
    mask = np.zeros(shape)
    np.fill_diagonal(mask, 1.0, wrap=wrap)
    assert M.value.tobytes() == want_v.tobytes()
    np.testing.assert_array_equal(M.partials, np.where(mask[..., None] == 1.0, 0.0, p))


def test_point_kinetics_matrix_way_and_bits(monkeypatch):
    """The row's matrix (its rhs's lines, a Jacobian in the reactivity and the prompt
    time) made by the short cuts, the same bits with them switched off; its
    derivatives against the closed form."""
    beta = 0.0075 * np.array([0.033, 0.219, 0.196, 0.395, 0.115, 0.042])
    lamda = np.array([0.0124, 0.0305, 0.1110, 0.3011, 1.1400, 3.0100])

    def matrix(q):
        rho, L = q[0], q[1]
        A = np.zeros_like(L, shape=(7, 7))
        np.fill_diagonal(A, np.append(0, -lamda))
        A[0, :] = np.append((rho - beta.sum()) / L, lamda)
        A[1:7, 0] = beta / L
        return A.ravel()
    from dualgrad.dual import _joins
    made = []
    lean = _scalar.LEAN[np.zeros_like]
    monkeypatch.setitem(_scalar.LEAN, np.zeros_like,
                        lambda *a, **k: made.append(lean(*a, **k)) or made[-1])
    then = spy_on(monkeypatch, _joins, "_scalar_then", lambda args, result: result,
                  after=True)
    stored = spy_on(monkeypatch, _array, "_check_index", lambda args, result: 1)
    q = np.array([0.001, 6e-5])
    fast = dg.jacobian(matrix, q)
    assert len(made) == 1 and made[0] is not None and len(then) == 1
    assert stored == [1]                          # (the diagonal's fancy store alone)
    monkeypatch.setitem(_scalar.LEAN, np.zeros_like, None)
    monkeypatch.setattr(_functions, "_NP_FILL_DIAGONAL", None)
    monkeypatch.setattr(_joins, "_scalar_then", lambda s, x: None)
    slow = dg.jacobian(matrix, q)
    assert fast.tobytes() == slow.tobytes()
    want = np.zeros((7, 7, 2))
    want[0, 0] = [1.0 / q[1], -(q[0] - beta.sum()) / q[1] ** 2]
    want[1:, 0, 1] = -beta / q[1] ** 2
    np.testing.assert_allclose(fast, want.reshape(49, 2), rtol=1e-15)
