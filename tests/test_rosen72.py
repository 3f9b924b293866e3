"""rosen72: np.asarray's snapshot of a dual array records its converting call by the
frame ``__array__`` already holds, and the guard keeps that call's instruction offset
(its line read only for a report: ``f_lineno`` walks the line table at every
conversion).  The reports must name the same lines as before, and SciPy's
``rosen`` through the snapshot must keep its exact gradient.

Oracles: the frames' own ``f_lineno``, SciPy's analytic ``rosen_der`` and the
complex step.
"""
import sys

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der

import dualgrad as dg
from dualgrad import errors


def _frames():
    frame, out = sys._getframe(0), []
    while frame is not None:
        out.append(frame)
        frame = frame.f_back
    return out


def test_line_at_is_the_frames_own_line():
    """``errors._line_at(code, f_lasti)`` reads what ``f_lineno`` reads, at every frame
    of a real stack (pytest's, this module's, a multi-line call's)."""
    seen = []

    class Probe:
        def __array__(self, dtype=None, copy=None):
            seen.extend((f.f_code, f.f_lasti, f.f_lineno) for f in _frames())
            return np.zeros(2)

    np.asarray(
        Probe())
    assert len(seen) > 5
    for code, lasti, line in seen:
        assert errors._line_at(code, lasti) == line


def far_conversion(x):
    """A conversion deep in a function, spelled over two lines."""
    s = x[0] * 0.0
    for k in range(3):
        s = s + x[k] * k
    y = np.asarray(
        x)
    np.add.at(y, [0], 2.0)
    return s + (x * x).sum()


def test_guard_report_names_the_conversion_line():
    """The ufunc.at refusal names the line of ``y = np.asarray(`` (the CALL
    instruction's line, what ``f_lineno`` gave there) and the ``.at`` line."""
    code = far_conversion.__code__
    lines = [n for _, _, n in code.co_lines() if n is not None]
    with pytest.raises(TypeError) as info:
        dg.gradient(far_conversion, np.array([0.5, -1.5, 2.0]))
    text = str(info.value)
    first = code.co_firstlineno
    asarray_line = first + 5                  # "y = np.asarray(" in far_conversion
    assert asarray_line in lines
    assert f"line {asarray_line} of test_rosen72.py" in text
    assert "np.add.at(x, i, c)" in text


def test_guard_keeps_the_offset():
    """The guard's record holds the converting frame's instruction offset, not its
    line (read at the report)."""
    held = {}

    def f(x):
        y = np.asarray(x)
        tag = x.tag
        held["entry"] = list(errors.GUARDS[tag][-1])
        return y[0] * y[1]

    dg.gradient(f, np.array([2.0, 3.0]))
    entry = held["entry"]
    assert entry[2] is f.__code__
    assert errors._line_at(entry[2], entry[3]) == f.__code__.co_firstlineno + 1


def _rosen_complex_step(x, h=1e-30):
    out = []
    for i in range(x.size):
        z = x.astype(complex)
        z[i] += 1j * h
        out.append(np.sum(100.0 * (z[1:] - z[:-1] ** 2) ** 2 + (1 - z[:-1]) ** 2).imag / h)
    return np.array(out)


@pytest.mark.parametrize("n", [2, 3, 10, 16, 17])
def test_rosen_through_the_snapshot_exact(n):
    """SciPy's rosen converts the seed (np.asarray's snapshot, its guard and record):
    gradient, jacobian and approx_fprime against rosen_der and the complex step."""
    rng = np.random.default_rng(72 + n)
    for x in (rng.uniform(-2, 2, n), np.linspace(-1.2, 1.2, n), np.ones(n),
              np.where(np.arange(n) % 2, -0.0, 1e-160)):
        want = rosen_der(x)
        for got in (dg.gradient(rosen, x), dg.jacobian(rosen, x), dg.approx_fprime(x, rosen)):
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-300)
            np.testing.assert_allclose(got, _rosen_complex_step(x), rtol=1e-13, atol=1e-300)
