"""The lean np.where / np.interp of one scalar dual (scalarfn63, dualgrad/dual/_picks.py):
the general path's bits and kind on a grid of edges, the derivatives against their
analytic values, and the cases that must still take the general path."""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual import _scalar

from _probes import same_duals, spy_on

XP = [np.array([0., 1., 2., 2., 3.]), np.array([0, 1, 3, 4]),
      np.array([-1., -0.0, 1e-300, 5.]), np.array([0., 0., 1., 1.])]
FP = [np.array([1., 3., -2., 5., 4.]), np.array([1., 2., np.inf, 8.]),
      np.array([-0.0, 0.0, 2., 1e308]), np.array([1., 2., 3., np.nan])]
XS = [-1., 0., -0.0, 0.5, 1., 2., 2.5, 3., 4., 1e-300, np.nan, np.inf, -np.inf]


def general(func, *args, **kwargs):
    """``func`` on the general path (dispatch, as before the lean path)."""
    from dualgrad.dispatch._functions import dispatch
    return dispatch(func, args, kwargs, like=next(a for a in args if isinstance(a, dg.Dual)))


def general_calls(monkeypatch):
    """The functions the scalar duals hand to the general path (dispatch) from now on."""
    dg.derivative(lambda x: np.sinc(x), 0.5)        # loads the functions (which connect
    return spy_on(monkeypatch, _scalar, "dispatch", lambda args, r: args[0])  # dispatch)


def test_same_bits_as_the_general_path(monkeypatch):
    """Knots, repeated knots, ends, NaN, infinities, -0.0, int knots, ends given, inf and
    NaN slopes beside zero partials; the where of each condition kind and constant."""
    calls = general_calls(monkeypatch)
    seen = []

    def f(x):
        C, t = type(x), x.tag
        for partials in ([1.0, -2.0], [0.0, -0.0], [np.nan, 1e308]):
            for xv in XS:
                d = C._from(xv, partials, t)
                for xp, fp in zip(XP, FP):
                    for ends in ((), (-7.0, 9), (-0.0,)):
                        seen.append((np.interp(d, xp, fp, *ends),
                                     general(np.interp, d, xp, fp, *ends)))
                for c in (True, np.False_, np.array(True)):
                    for other in (-0.0, 3, np.float64(np.nan), -x):
                        seen.append((np.where(c, d, other), general(np.where, c, d, other)))
                        seen.append((np.where(c, other, d), general(np.where, c, other, d)))
        for got, want in seen:                  # (inside the call: its duals are live)
            same_duals(got, want)
        return x

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        dg.jacobian(lambda v: f(v[0] + v[1]), np.array([1.0, 2.0]))
    assert len(seen) == 3 * len(XS) * (12 + 24)
    # the lean path took every where, and every interp of a finite point on the
    # finite tables 0 and 2 (3 x 10 x 2 x 3 = 180 of 468); the rest may be declined
    assert calls.count(np.where) == 0 and 0 < calls.count(np.interp) <= 468 - 180


def test_derivatives_against_the_segments_slope(monkeypatch):
    """d/dx interp(x^2) = slope * 2x on the segment; np.where of a comparison picks d/dx."""
    calls = general_calls(monkeypatch)
    xp, fp = np.array([0.0, 1.0, 2.0, 4.0]), np.array([0.0, 1.0, 4.0, 16.0])

    def f(x):
        return np.interp(x * x, xp, fp) * np.where(x > 1.0, x, 2.0) + np.where(x < 0, 0, x * x)

    # x = 1.5: x^2 = 2.25 on [2, 4] of slope 6: 6 * 2x * x + interp + 2x
    x = 1.5
    want = 6 * 2 * x * x + (4.0 + 6 * (x * x - 2)) + 2 * x
    assert dg.derivative(f, x) == pytest.approx(want, rel=1e-15)
    # x = 0.5: x^2 = 0.25 on [0, 1] of slope 1, times 2.0: 2 * 2x + 2x
    assert dg.derivative(f, 0.5) == pytest.approx(4 * 0.5 + 1.0, rel=1e-15)
    assert calls == []                   # the lean path ran, not dispatch


def test_other_cases_take_the_general_path(monkeypatch):
    """Nested duals, period=, list knots, a dual branch of another call, an escaped dual."""
    calls = general_calls(monkeypatch)
    xp, fp = np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 4.0])
    # d2/dx2 interp(x^2) x at 1.2 (segment [1, 2], slope 3): (3 x^3 - 2 x) '' = 18 x
    d2 = dg.derivative(lambda q: dg.derivative(lambda x: np.interp(x * x, xp, fp) * x, q), 1.2)
    assert d2 == pytest.approx(18 * 1.2, rel=1e-14)
    assert dg.derivative(lambda x: np.interp(x, xp[:2], fp[:2], period=2.0), 2.5) == 1.0
    assert dg.derivative(lambda x: np.interp(x, [0, 1], [1, 3]), 0.5) == 2.0
    outer = dg.derivative(lambda y: dg.derivative(lambda x: np.where(True, x * y, y), 1.0), 3.0)
    assert outer == 1.0
    assert calls.count(np.interp) == 3 and calls.count(np.where) >= 1
    kept = []
    dg.derivative(lambda x: kept.append(x) or x, 1.0)
    with pytest.raises(TypeError, match="escaped"):
        np.where(True, kept[0], 0.0)
