"""Issue 13, stop 65 (rows65): three short cuts the worst array rows of the corpus meet.

* ``cx * u`` with ``cx`` a NumPy integer (a lattice Boltzmann step's loop over
  ``zip(cxs, cys, ...)`` of int arrays, bench/corpus64.py): ``_ufuncs._pair`` reads a
  NumPy integer, bool or small-float scalar as ``call``'s own float64 of it, to the bit
  of ``call``, which it took before.
* ``buf[t] = s`` of a scalar dual with more than 16 partials (an HBV model's 17
  parameters, bench/corpus64.py): ``ArrayDual.__setitem__``'s float64 store, as the
  general lines write it.
* ``np.roll(F[:, :, i], cx, axis=1)`` of an array dual of two or more axes by an
  integer (the lattice Boltzmann step's 18 rolls): ``dual._views.roll``'s
  ``_rolled_axis``, the general path's steps without dispatch.
* A quotient whose factor underflowed beside a nonzero numerator (the shallow water
  row's leading edge, bench/corpus59.py): ``_ufuncs._zeros_both_ways`` gives the lean
  product back where the two steps provably give it too, to the bit of the steps.

Spies tell the ways taken (each way test fails on add2d9b); the rows' own derivatives
are tests/test_newuser59.py's and tests/test_newuser64.py's.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _ufuncs
from dualgrad.dispatch._functions import dispatch as general_dispatch
from dualgrad.dual import _array
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import RULES
from _probes import same_duals, spy_on, without_numba

SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5, 3.0])
SCALARS = [np.int64(3), np.int64(2 ** 53 + 1), np.int32(-7), np.uint64(2 ** 64 - 1),
           np.bool_(True), np.float32(0.1), np.float16(-2.5)]


@pytest.mark.parametrize("ufunc", [np.multiply, np.subtract, np.divide, np.arctan2,
                                   np.maximum, np.power])
def test_numpy_scalar_constant_is_calls(monkeypatch, ufunc):
    """``op(c, u)`` / ``op(u, c)`` of a NumPy scalar ``c`` and an array dual: ``call``'s
    bits (special values, both orders), and no ``call`` where the factors are finite."""
    general = _ufuncs.call
    tag = new_tag()
    special = dg.Dual(SPECIAL, np.outer(SPECIAL[::-1], [1.0, -0.0]), tag=tag)
    ordinary = dg.Dual(np.array([0.5, 2.0, 3.0]), np.array([[1.0, -0.0]] * 3), tag=tag)
    seen = spy_on(monkeypatch, _ufuncs, "call", lambda args, r: args[1])
    for u in (special, ordinary):
        for c in SCALARS:
            for args in ((c, u), (u, c)):
                seen.clear()
                with np.errstate(all="ignore"):
                    got = ufunc(*args)
                    assert not seen or u is special or not 0 < c < 1e10, (c, args)
                    want = general(RULES[ufunc], args)
                same_duals(got, want)


def test_numpy_integer_constant_derivative():
    """The lattice Boltzmann row's spelling, against the analytic derivative."""
    cxs = np.array([0, 1, -1])

    def f(x):
        return sum(cx * x ** 2 + np.float32(0.5) / x for cx in cxs)
    x = np.array([0.5, 2.0, -3.0])
    np.testing.assert_allclose(dg.jacobian(f, x), np.diag(-1.5 / x ** 2), rtol=1e-14)
    assert np.array_equal(dg.jacobian(lambda x: np.int64(3) * x, x), 3.0 * np.eye(3))


def test_vector_store(monkeypatch):
    """``buf[t] = s`` with 17 partials: no ``_store_element``, the value and the row
    written as they are (special values, -0.0 and NaN partials, negative index);
    NumPy's IndexError past the end."""
    seen = spy_on(monkeypatch, _array, "_store_element", lambda args, r: args[1])
    tag = new_tag()
    buf = dg.Dual(np.zeros(5), np.zeros((5, 17)), tag=tag)
    for j, (index, v) in enumerate([(0, 1.5), (3, -0.0), (-1, np.nan), (2, 5e-324)]):
        row = np.full(17, SPECIAL[j % len(SPECIAL)])
        row[::3] = -0.0
        item = dg.Dual(v, row, tag=tag)
        assert type(item).__name__ == "ScalarDualVector"
        buf[index] = item
        assert buf.value[index].tobytes() == np.float64(v).tobytes()
        assert buf.partials[index].tobytes() == row.tobytes()
    with pytest.raises(IndexError):
        buf[5] = dg.Dual(1.0, np.ones(17), tag=tag)
    assert not seen


def test_vector_store_loop_derivative():
    """A day loop storing scalar duals of 17 parameters, against the analytic
    derivative."""
    def f(p):
        out = np.zeros_like(p, shape=len(p))
        state = 0.0
        for t in range(len(p)):
            state = 0.5 * state + p[t] * p[0]
            out[t] = state
        return out
    p = np.linspace(0.5, 2.0, 17)
    J = dg.jacobian(f, p)
    want = np.zeros((17, 17))
    for t in range(17):
        for s in range(t + 1):          # state_t = sum_s 0.5**(t-s) p_s p_0
            want[t, s] += 0.5 ** (t - s) * p[0]
            want[t, 0] += 0.5 ** (t - s) * p[s]
    np.testing.assert_allclose(J, want, rtol=1e-14)


def _quotient(x, y, p, q):
    tag = new_tag()
    return dg.Dual(np.array(x), np.array(p), tag=tag), dg.Dual(np.array(y), np.array(q), tag=tag)


@pytest.mark.parametrize("x, y, q, taken", [
    (5e-324, 1.0, 0.5, True),               # 5e-324 * 0.5 = 2**-1075: both round to 0
    (5e-324, 1.0, np.nextafter(0.5, 1.0), False),   # just past it: the steps
    (1e-300, 1e10, 1e-21, True),            # (the shallow water row's leading edge)
    (1e-300, -1e10, -1e-21, True),
    (1e-10, 2.0 ** 1001, 1e-21, False),     # a huge b: two_step lifts it down
    (1e-300, 1e10, np.nan, False),
    (1e-300, 1e10, np.inf, False),
])
def test_careful_quotient_short_cut(request, monkeypatch, x, y, q, taken):
    """``x / y`` with ``-out / y`` underflowed beside a nonzero numerator: the short
    cut where it holds (no ``two_step``), the careful steps' bits either way."""
    without_numba(request, monkeypatch)
    xs, ys = [2.0, x, -x], [1.5, y, y]
    p, qs = [[1.0], [1.0], [-2.0]], [[1.0], [q], [-q]]
    answers = spy_on(monkeypatch, _ufuncs, "_zeros_both_ways", lambda a, r: r, after=True)
    steps = spy_on(monkeypatch, _ufuncs, "two_step", lambda a, r: 1)
    with np.errstate(all="ignore"):
        got = np.divide(*_quotient(xs, ys, p, qs))
    assert (True in answers) == taken and (not steps or not taken), (answers, steps)
    monkeypatch.setattr(_ufuncs, "_zeros_both_ways", lambda *args: False)
    with np.errstate(all="ignore"):
        want = np.divide(*_quotient(xs, ys, p, qs))
    same_duals(got, want)


def test_careful_quotient_unary(request, monkeypatch):
    """``np.reciprocal`` (``-(out * out)``, its parts ``-out / x``) at 1e160 with small
    partials: the short cut, the steps' bits."""
    without_numba(request, monkeypatch)
    x = np.array([2.0, 1e160, -1e170, 3e200])
    p = np.array([[1.0, -0.0], [1e-200, 1.0e-180], [0.0, -1e-190], [1e-190, 1e-170]])
    answers = spy_on(monkeypatch, _ufuncs, "_zeros_both_ways", lambda a, r: r, after=True)
    got = np.reciprocal(dg.Dual(x, p, tag=new_tag()))
    assert answers == [True]
    monkeypatch.setattr(_ufuncs, "_zeros_both_ways", lambda *args: False)
    same_duals(got, np.reciprocal(dg.Dual(x, p, tag=new_tag())))


def test_roll_of_axis(monkeypatch):
    """``np.roll(d, shift, axis=k)`` of 2-D and 3-D array duals (strided views, NaN and
    -0.0 values and partials): no dispatch, the general path's bits and strides."""
    seen = spy_on(monkeypatch, _array, "dispatch", lambda args, r: args[0])
    tag = new_tag()
    v = np.resize(SPECIAL, 2 * 3 * 5).reshape(2, 3, 5)
    p = np.resize(SPECIAL[::-1], 2 * 3 * 5 * 2).reshape(2, 3, 5, 2)
    F = dg.Dual(v, p, tag=tag)
    for d in (F, F[:, :, 1], F[1].T, F[:, ::2, :]):
        for shift in (1, -1, 0, 7, np.int64(-4), np.int32(2)):
            for axis in range(-d.value.ndim, d.value.ndim):
                got = np.roll(d, shift, axis=axis)
                want = general_dispatch(np.roll, (d, shift), {"axis": axis})
                same_duals(got, want)
                assert got.value.strides == want.value.strides
    assert not seen
    np.roll(F, 1)                                   # (no axis: the general path)
    assert seen == [np.roll]
