"""A pass's kept buffer keeps the elements of its last stores and reads only
(dualgrad/dual/_array.py, ``_WINDOW``, scalar73).

Since euler59 / loops62 a buffer written one element at a time inside a helper's pass
(``S[i] = S[i - 1] + dS * dt``) keeps the scalar dual of each store and read, so that the
next read of that element hands it out again.  Every one of them is an object CPython's
collector tracks; kept till the pass ended, a 1601-step SIR pass left ~4800 behind, each
counted towards the young generation's threshold and carried into the old one, whose
full collections cost SIR ~15 % of its Jacobian in a bench_corpus process (user72).  A
store or read of element ``i`` now drops element ``i - _WINDOW``.  These tests hold: a
long loop leaves at most a window of kept duals and its net allocations of tracked
objects stay bounded (both fail on the tree before: every element kept); a dropped
element read again is built anew with the same bits (loops reading back past the window,
backwards after the fill, by negative keys: Jacobians and Hessians bit for bit with every
element kept and with none kept), and against independent oracles (mpmath's derivatives
of a closed form, complex steps of SIR, Hodgkin-Huxley and a lagged recurrence), with
numba loaded and not.
"""

import gc

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual import _array
from dualgrad.testing import complex_step
from _loops import closed, recurrence
from _probes import bench_module, loaded_or_not  # noqa: F401 (the ``loaded`` fixture)

corpus58 = bench_module("corpus58")

STEPS = 2000


def _kept(S):
    """The elements ``S``'s pass keeps now (its ``_Stored`` list's entries)."""
    assert type(S._c) is _array._Stored
    return sum(e is not None for e in S._c)


def test_a_long_loop_keeps_a_window_of_its_elements():
    """2000 stores and 4000 reads of a kept buffer leave a few dozen kept elements, not
    2000, and the loop's net allocations of tracked objects stay bounded (the young
    generation's count, the collector paused so that nothing resets it)."""
    seen = {}

    def f(q):
        S = np.zeros_like(q, shape=(STEPS + 1,))
        S[0] = q[0] * 1.0
        S[1] = S[0] * q[1]                  # (the buffer is kept from its first store)
        was = gc.isenabled()
        gc.disable()
        try:
            before = gc.get_count()[0]
            for i in range(2, STEPS + 1):
                S[i] = S[i - 1] * q[1] + S[i - 2] * 0.01
            seen["growth"] = gc.get_count()[0] - before
        finally:
            if was:
                gc.enable()
        seen["kept"] = _kept(S)
        return S[::100]
    J = dg.jacobian(f, np.array([0.5, 0.9]))
    assert np.all(np.isfinite(J))
    assert seen["kept"] <= 40, seen
    assert seen["growth"] < 300, seen


def _lagged(q, zeros_like=None, n=150, lag=50):
    """x_i = a x_{i-1} + b x_{i-lag} (x_i = 1 for i < lag): reads past the window."""
    zeros_like = zeros_like or (lambda m: np.zeros_like(q, shape=(m,)))
    a, b = q[0], q[1]
    x = zeros_like(n + 1)
    for i in range(lag):
        x[i] = 1.0 + 0.0 * a
    for i in range(lag, n + 1):
        x[i] = a * x[i - 1] + b * x[i - lag]
    return x[::10]


def _backwards(q, zeros_like=None, n=120):
    """A forward fill, then a sweep reading it back from the end by negative keys (a
    Thomas algorithm's shape): every element read long after its store."""
    zeros_like = zeros_like or (lambda m: np.zeros_like(q, shape=(m,)))
    c = zeros_like(n)
    y = zeros_like(n)
    c[0] = q[0] * 0.5
    for i in range(1, n):
        c[i] = q[1] / (2.0 - c[i - 1] * q[0])
    y[n - 1] = c[-1]
    for k in range(2, n + 1):
        y[-k] = c[-k] - c[-k] * y[-k + 1] * 0.3
    return y[::7]


def _recurrence(q, zeros_like=None):
    return recurrence(q, zeros_like, n=100)


def _closed(a, b):
    return closed(a, b, n=100)


def _complex_buffers(f):
    return lambda p: f(p, zeros_like=lambda m: np.zeros(m, complex))


def _three_ways(run, monkeypatch):
    """``run()`` with the window, with every element kept, with no buffer kept."""
    got = [run()]
    with monkeypatch.context() as m:
        m.setattr(_array, "_WINDOW", 1 << 40)
        got.append(run())
    with monkeypatch.context() as m:
        m.setattr(_array, "_keep_buffer", lambda d, v, p: None)
        got.append(run())
    for other in got[1:]:
        np.testing.assert_array_equal(other, got[0])
        assert np.signbit(other).tolist() == np.signbit(got[0]).tolist()
    return got[0]


@pytest.mark.mp_dps(40)
def test_dropped_elements_give_the_same_bits_and_the_oracles(loaded, monkeypatch):
    q = np.array([0.93, 0.4])
    a, b = mpmath.mpf(q[0]), mpmath.mpf(q[1])
    grad = [float(mpmath.diff(_closed, (a, b), (1, 0))),
            float(mpmath.diff(_closed, (a, b), (0, 1)))]
    hess = [[float(mpmath.diff(_closed, (a, b), (2, 0))),
             float(mpmath.diff(_closed, (a, b), (1, 1)))],
            [float(mpmath.diff(_closed, (a, b), (1, 1))), 0.0]]     # (linear in b)
    g = _three_ways(lambda: dg.gradient(_recurrence, q), monkeypatch)
    H = _three_ways(lambda: dg.hessian(_recurrence, q), monkeypatch)
    np.testing.assert_allclose(g, grad, rtol=1e-12)
    np.testing.assert_allclose(H, hess, rtol=1e-11)
    assert H[1, 1] == 0.0
    for f, x in ((_lagged, [0.6, 0.35]), (_backwards, [0.7, 0.45])):
        J = _three_ways(lambda: dg.jacobian(f, x), monkeypatch)
        np.testing.assert_allclose(J, complex_step(_complex_buffers(f), x),
                                   rtol=1e-13, atol=1e-300)
        Hs = _three_ways(lambda: dg.hessian(lambda v: f(v)[-1], x), monkeypatch)
        assert np.all(np.isfinite(Hs)) and Hs.shape == (2, 2)
    sir = _three_ways(lambda: dg.jacobian(corpus58.sir_infected, [0.3, 0.1]), monkeypatch)
    ref = complex_step(lambda p: corpus58.sir_infected(
        p, zeros_like=lambda t: np.zeros(t.shape, complex)), [0.3, 0.1])
    np.testing.assert_allclose(sir, ref, rtol=1e-12, atol=1e-12)


def _hh_complex(q):
    v = corpus58.cn_HHmodel(2, 0.001, [0.2, 1.5], q[0], -65, g_Na=q[1],
                            zeros=lambda length: np.zeros(length, complex))[0]
    return v[::100]


def test_hodgkin_huxley_bits_and_complex_step(monkeypatch):
    x = np.array([10.0, 120.0])
    J = _three_ways(lambda: dg.jacobian(corpus58.hh_voltage, x), monkeypatch)
    np.testing.assert_allclose(J, complex_step(_hh_complex, x), rtol=1e-10, atol=1e-9)
