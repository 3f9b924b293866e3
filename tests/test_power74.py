"""user74: the power row's careful terms by element.

A power row on plain float64 arrays takes its careful steps (two steps, the spread,
extended range: dispatch/_ufuncs.py's ``_careful_term``) only on the elements whose
local derivative is not finite or near the bottom of the normal range, or whose product
is not normal (``_masked_partials``); before, every element of the array took them once
one did (JONSWAP's ``y ** exp(-z**2)``: a Gaussian's tail below 1e-300 sent the whole
array, 0.35-0.4 of the time at N = 2e4 .. 2e5 after, bench/power74_mask.py).  The
numbers are checked against mpmath; bench/power74_bits.py checks them bit for bit
against the tree before.
"""

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _farpower
from _probes import spy_on

Z = np.linspace(-27.4, 27.4, 2000)
E = np.exp(-Z ** 2)                 # 4 % below 1e-300, 0.0 past |z| = 27.3


@pytest.fixture(params=["**", "np.power", "np.float_power"])
def power(request):
    return {"**": lambda a, b: a ** b, "np.power": np.power,
            "np.float_power": np.float_power}[request.param]


def test_extended_range_sees_only_the_flagged_elements(monkeypatch, power):
    sizes = spy_on(monkeypatch, _farpower, "power_terms",
                   lambda args, _: np.size(args[2][1]))
    dg.jacobian(lambda x: power(x[0], x[1] * E), np.array([3.3, 1.0]))
    flagged = int(np.count_nonzero((E > 0.0) & (E < 1e-290)))
    assert sizes and 0 < max(sizes) <= flagged < E.size // 10, (sizes, flagged)


def test_the_masked_terms_match_mpmath(power):
    """d/dx0 and d/dx1 of ``x0 ** (x1 E)`` at x1 = 1 (the exponent E's own floats: 0.0,
    subnormal, tiny and ordinary), 50 digits, to 1e-12 or two steps of the least
    subnormal number."""
    x0, x1 = 3.3, 1.0
    J = dg.jacobian(lambda x: power(x[0], x[1] * E), np.array([x0, x1]))
    with mpmath.workdps(50):
        X = mpmath.mpf(x0)
        for i in range(0, E.size, 7):
            e = mpmath.mpf(float(E[i]))
            want = [float(e * X ** (e - 1)), float(e * X ** e * mpmath.log(X))]
            for j in range(2):
                assert abs(J[i, j] - want[j]) <= 1e-12 * abs(want[j]) + 1e-323, \
                    (i, j, J[i, j], want[j])


def test_an_element_whose_power_underflowed_beside_a_large_exponent(power):
    """``y x**(y - 1)`` is normal where ``x**(y - 1)`` underflowed and lost its bits (x =
    1 - 7.3e-8, y = 1e10): such an element is among the masked ones, so a neighbour's
    careful steps treat it as before (its number is the tree before's, whichever path)."""
    x = np.full(32, 1.0 - 7.3e-8)
    y = np.full(32, 1e10)
    y[5] = 1e-310                                   # one flagged neighbour
    J = dg.jacobian(lambda v: power(v[:32], v[32:]), np.concatenate([x, y]))
    with mpmath.workdps(60):
        X, Y = mpmath.mpf(float(x[0])), mpmath.mpf(1e10)
        want = float(Y * X ** (Y - 1))
    assert 2.2e-308 < want < 1e-300
    assert J[0, 0] == pytest.approx(want, rel=1e-12)
