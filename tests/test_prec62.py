"""prec62: complex arcsinh' and arctan' near +-i (attack62 05).  1 + z * z cancels
there (rel 2.5e-9 / 4.9e-9 at 1e-9 + (1 + 1e-8)i); off the real axis the rows use the
factored 1 / (sqrt(1 + i z) sqrt(1 - i z)) and 1 / ((1 + i z)(1 - i z)), whose i z
keeps the sign of a zero real part, so on the cuts (Re z = +-0, |Im z| > 1) each side
is its own.  Oracle: mpmath at 40 digits, the side of a cut by a real part of +-1e-60."""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

pytestmark = pytest.mark.mp_dps(40)   # (tests/conftest.py)

_POINTS = [complex(1e-9, 1 + 1e-8), complex(-1e-9, 1 - 1e-8), complex(1e-9, -1 - 1e-8),
           complex(0.0, 1 + 1e-8), complex(-0.0, -1 - 1e-8), complex(0.0, 2.0),
           complex(-0.0, 2.0), complex(0.0, -2.0), complex(-0.0, -2.0), complex(3.0, 25.0),
           complex(0.3, 0.2)]
_SLOPE = {np.arcsinh: lambda w: 1 / mp.sqrt(1 + w * w), np.arctan: lambda w: 1 / (1 + w * w)}


def _mp(z):
    return mp.mpc(np.copysign(1e-60, z.real) if z.real == 0 else z.real, z.imag)


@pytest.mark.parametrize("f", [np.arcsinh, np.arctan], ids=lambda f: f.__name__)
def test_slope_near_i_and_on_both_sides_of_the_cut(f):
    for z in _POINTS:
        want = complex(_SLOPE[f](_mp(z)))
        for got in (f(dg.Dual(z, [1.0 + 0j])).partials[0],                     # scalar
                    f(dg.Dual(np.array([z, z]), np.ones((2, 1), complex))).partials[1, 0]):
            assert abs(got - want) <= 4e-16 * abs(want), (f.__name__, z, got, want)
    # the second derivative near +-i, through the factored form's own derivative
    for z in _POINTS[:3]:
        want = complex(mp.diff(_SLOPE[f], _mp(z)))
        got = complex(dg.derivative(lambda t: dg.derivative(lambda s: f(z + s), t), 0.0))
        assert abs(got - want) <= 1e-14 * abs(want), (f.__name__, z, got, want)


def test_real_arguments_keep_their_bits():
    x = np.array([-3.0, -0.7, 0.0, 0.4, 1.0, 2.5, 1e160])
    with np.errstate(over="ignore"):
        got = np.arctan(dg.Dual(x, np.ones((x.size, 1)))).partials[:, 0]
        want = 1.0 / (1.0 + x * x)
    np.testing.assert_array_equal(got[:-1], want[:-1])
    got = np.arcsinh(dg.Dual(x[:-1], np.ones((x.size - 1, 1)))).partials[:, 0]
    np.testing.assert_array_equal(got, 1.0 / np.sqrt(x[:-1] * x[:-1] + 1.0))
