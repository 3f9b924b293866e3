"""Quotient rows whose numerator is an exact zero (dispatch/_ufuncs.py's ``_tiny``).

``u / h``'s local derivative in ``h`` is ``-out / h``: an exact 0 wherever ``u`` is 0,
which the underflow test (an element below the smallest normal number may have lost
the bits two steps keep) counted as an underflow, so a field that starts at zeros
(bohrium's shallow water, bench/corpus59.py: ``U / H`` with ``U = zeros_like(H)``)
took the careful path at every step, ~6x the call.  An element counts now only where
the numerator is nonzero, as the careful path itself decides; an underflow beside
zeros still takes two steps.  Oracle: the closed form ``d/dp U / (H p) = -U / H`` at
p = 1 and ``d/dp (U p) / H = U / H`` (the rule's ``-out / h * h`` rounds twice: 2 ulps;
the subnormal element, 1e-310, to its own spacing; an underflow to 0 would be 100 %).
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _lean_small, _ufuncs


def _fields(size):
    U = np.zeros(size)
    U[1::3] = np.linspace(1.0, 2.0, len(U[1::3]))
    U[2] = 1e-300                    # -out / h = -1e-310: subnormal, two steps
    H = np.linspace(1.0, 3.0, size)
    H[2] = 1e10
    return U, H


def _close(got, want):
    np.testing.assert_allclose(got, want, rtol=5e-16, atol=0)
    assert got[2] != 0.0


@pytest.mark.parametrize("size", [10, 5000])
def test_zero_numerators_keep_the_exact_partials_and_an_underflow_its_two_steps(size):
    U, H = _fields(size)
    _close(dg.derivative(lambda p: U / (H * p), 1.0), -U / H)
    _close(dg.derivative(lambda p: (U * p) / H, 1.0), U / H)
    got = dg.derivative(lambda p: np.divide(U * p, H * p), 1.0)     # both move: 0
    np.testing.assert_allclose(got, 0.0, rtol=0, atol=3e-16)
    assert (got[U == 0.0] == 0.0).all()


@pytest.mark.parametrize("size", [10, 5000])
def test_zero_numerators_alone_do_not_take_the_careful_path(size, monkeypatch):
    U, H = _fields(size)
    U[2] = 0.0
    calls = []
    real, general = _ufuncs._array_quotient, _lean_small.call
    monkeypatch.setattr(_ufuncs, "_array_quotient",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(_lean_small, "call",     # a scalar dual's lean path's way out
                        lambda *a, **k: calls.append(2) or general(*a, **k))
    got = dg.derivative(lambda p: U / (H * p), 1.0)
    np.testing.assert_allclose(got, -U / H, rtol=5e-16, atol=0)
    got = dg.derivative(lambda p: U / (2.0 * p), 1.0)        # a scalar dual divisor
    np.testing.assert_allclose(got, -U / 2.0, rtol=5e-16, atol=0)
    assert not calls
