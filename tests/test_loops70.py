"""A store into a pass's kept buffer before the item assignment's read-only tests
(dualgrad/dual/_array.py, ``ArrayDual.__setitem__``, loops70).

``S[i] = d`` into a buffer whose elements a helper's pass keeps (euler59) writes the value
through NumPy and the float partials slot by slot into the rows' memory (loops62).  Since
loops70 that path comes first: the read-only test of the partials (a flags object a store)
and the snapshot test are not asked there, because the kept rows are writeable (the
memoryview over them is made only then) and reachable outside dualgrad only through the
partials property, whose read drops the kept elements.  These tests hold: the path asks
neither test (a line trace; fails on the tree before it), the bytes it writes and the
elements it keeps are the general lines' over special values and partials (signed zeros,
NaN, infinities, subnormals, the far range; negative keys), NumPy's errors (an index out
of range, a value made read-only) and dualgrad's refusal (partials made read-only through
the property) as before, with numba loaded and not; Jacobians and Hessians of buffer
loops against closed forms (mpmath) and complex steps, bit for bit with the buffers not
kept.
"""

import sys

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual import _array, _scalar
from dualgrad.testing import complex_step
from _loops import closed as _closed, recurrence as _recurrence
from _probes import bench_module, loaded_or_not  # noqa: F401 (the ``loaded`` fixture)

corpus58 = bench_module("corpus58")

SPECIAL = [0.0, -0.0, float("nan"), float("inf"), -float("inf"), 5e-324, -5e-324,
           2.2250738585072014e-308, -1e-310, 1e308, -1.7976931348623157e308, 1.5, -3.25e-160]


def _not_kept(monkeypatch):
    """No buffer is kept: every store takes the general lines."""
    monkeypatch.setattr(_array, "_keep_buffer", lambda d, v, p: None)


def _grid():
    rng = np.random.default_rng(70)
    rows = [(v, p0, p1) for v in SPECIAL for p0 in SPECIAL[::2] for p1 in SPECIAL[1::3]]
    rows += [tuple(rng.standard_normal(3) * 10.0 ** rng.integers(-300, 300, 3))
             for _ in range(200)]
    return rows


def _store_all(rows, record):
    """A helper's pass storing scalar duals of the given values and partials into a
    buffer, positive and negative keys; ``record`` gets the buffer's bytes and what
    its elements read back."""
    def f(x):
        S = np.zeros_like(x, shape=(2 * len(rows) + 1,))
        S[0] = x[0] * 1.0                       # (the buffer enters: kept from here)
        for k, (v, p0, p1) in enumerate(rows):
            d = _scalar.make_scalar(float(v), [float(p0), float(p1)], x.tag)
            S[k + 1] = d
            S[-(k + 1)] = d
        record.append((S.value.tobytes(), S._p.tobytes(),
                       [(S[k].value, *S[k]._plist()) for k in range(len(S))],
                       type(S._c).__name__))
        return S[0] * 2.0
    return f


def _bits(t):
    return np.array(t, dtype=np.float64).tobytes()


def test_a_kept_store_asks_neither_read_only_test(monkeypatch):
    # (no snapshot of np.asarray live in the process: one an earlier test of the worker
    # left alive sends every store to check_write, CI's eager half at stop 72)
    monkeypatch.setattr(_array, "_SNAPSHOTS", {})
    seen = []

    def tracer(frame, event, arg):
        if frame.f_code is _array.ArrayDual.__setitem__.__code__:
            def lines(fr, ev, a):
                if ev == "line":
                    seen.append(fr.f_lineno)
                return lines
            return lines
        return None

    def f(x):
        S = np.zeros_like(x, shape=(4,))
        S[0] = x[0] * 1.0
        d = x[0] * x[1]
        assert type(S._c) is _array._Stored
        seen.clear()
        held = sys.gettrace()                   # (a coverage tool's or debugger's, kept)
        sys.settrace(tracer)
        try:
            S[1] = d
        finally:
            sys.settrace(held)
        assert S[1] is d
        return S[1]

    dg.gradient(f, np.array([0.3, 0.9]))
    import linecache
    path = _array.ArrayDual.__setitem__.__code__.co_filename
    text = [linecache.getline(path, n) for n in seen]
    assert text, "the store ran no line of __setitem__"
    assert not any("flags.writeable" in t or "check_write" in t for t in text), text
    assert sum("c.put(" in t for t in text) == 1


def test_kept_stores_write_the_general_lines_bytes(loaded, monkeypatch):
    rows = _grid()
    put_calls = []
    cls = _scalar.scalar_class(2)
    real_put = cls._put

    def spy(item, mp, k):
        put_calls.append(k)
        return real_put(item, mp, k)
    monkeypatch.setattr(cls, "_put", staticmethod(spy))
    kept, general = [], []
    g1 = dg.gradient(_store_all(rows, kept), np.array([0.3, 0.9]))
    assert len(put_calls) == 2 * len(rows) and kept[0][3] == "_Stored"
    with monkeypatch.context() as m:
        _not_kept(m)
        g2 = dg.gradient(_store_all(rows, general), np.array([0.3, 0.9]))
    assert general[0][3] == "NoneType"
    assert kept[0][0] == general[0][0] and kept[0][1] == general[0][1]
    assert _bits(kept[0][2]) == _bits(general[0][2])
    np.testing.assert_array_equal(g1, [2.0, 0.0])
    np.testing.assert_array_equal(g2, [2.0, 0.0])


def test_numpys_errors_and_the_refusal_are_as_before(loaded):
    def out_of_range(x):
        S = np.zeros_like(x, shape=(3,))
        S[0] = x[0] * 1.0
        assert type(S._c) is _array._Stored
        with pytest.raises(IndexError) as got:
            S[3] = x[1] * 2.0
        with pytest.raises(IndexError) as want:
            np.zeros(3)[3] = 1.0
        assert str(got.value) == str(want.value)
        assert S[0].value == x[0].value * 1.0 and S._p[0].tolist() == [1.0, 0.0]
        return S[0]
    dg.gradient(out_of_range, np.array([0.3, 0.9]))

    def value_read_only(x):
        S = np.zeros_like(x, shape=(3,))
        S[0] = x[0] * 1.0
        S.value.flags.writeable = False          # the user's flag on the value
        with pytest.raises(ValueError, match="read-only"):
            S[1] = x[1] * 2.0
        assert S._p[1].tolist() == [0.0, 0.0]   # nothing written
        return S[0]
    dg.gradient(value_read_only, np.array([0.3, 0.9]))

    def partials_read_only(x):
        S = np.zeros_like(x, shape=(3,))
        S[0] = x[0] * 1.0
        S.partials.flags.writeable = False       # through the property: elements dropped
        assert S._c is None
        with pytest.raises(ValueError, match="partials are read-only"):
            S[1] = x[1] * 2.0
        assert S.value[1] == 0.0
        return S[0]
    with pytest.warns(dg.CaughtErrorWarning):   # (the refusal caught above, in f)
        dg.gradient(partials_read_only, np.array([0.3, 0.9]))


@pytest.mark.mp_dps(40)
def test_buffer_loops_against_closed_forms_and_complex_steps(loaded, monkeypatch):
    q = np.array([0.93, 0.4])
    a, b = mpmath.mpf(q[0]), mpmath.mpf(q[1])
    grad = [float(mpmath.diff(_closed, (a, b), (1, 0))), float(mpmath.diff(_closed, (a, b), (0, 1)))]
    hess = [[float(mpmath.diff(_closed, (a, b), (2, 0))), float(mpmath.diff(_closed, (a, b), (1, 1)))],
            [float(mpmath.diff(_closed, (a, b), (1, 1))), 0.0]]     # (x_n is linear in b)
    g = dg.gradient(_recurrence, q)
    H = dg.hessian(_recurrence, q)
    np.testing.assert_allclose(g, grad, rtol=1e-12)
    np.testing.assert_allclose(H, hess, rtol=1e-11)
    sir = dg.jacobian(corpus58.sir_infected, [0.3, 0.1])
    ref = complex_step(
        lambda p: corpus58.sir_infected(p, zeros_like=lambda t: np.zeros(t.shape, complex)),
        [0.3, 0.1])
    np.testing.assert_allclose(sir, ref, rtol=1e-12, atol=1e-12)
    with monkeypatch.context() as m:                 # the general lines: the same bits
        _not_kept(m)
        np.testing.assert_array_equal(dg.gradient(_recurrence, q), g)
        np.testing.assert_array_equal(dg.hessian(_recurrence, q), H)
        np.testing.assert_array_equal(dg.jacobian(corpus58.sir_infected, [0.3, 0.1]), sir)
