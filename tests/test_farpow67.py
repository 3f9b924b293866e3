"""x ** y's slopes where its factor left the float range, in the forms farpow66 left
(farpow67): a small array dual to a number's power, d/dy after ``x ** y`` underflowed,
an array past the lean path's size.

Oracle: mpmath's closed forms at 60 digits."""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg
from _probes import loaded_or_not as loaded  # noqa: F401  (the fixture: numba on / off)

pytestmark = pytest.mark.mp_dps(60)   # (tests/conftest.py)


def _near(got, want):
    return abs(got - float(want)) <= 1e-13 * abs(float(want))


@pytest.mark.parametrize("x, y, dx", [
    (1e-310, 2.5, 1e300),       # y x**(y - 1) = 0: was 0.0 for 2.5e-165 (attack65 04)
    (1e-160, 3, 1e200),         # u ** 3's entry: 3e-320 kept 4 digits
    (1e-300, 2.05, 1e40),       # subnormal: 2.0499999986e-275 (attack66 F8)
])
def test_a_small_array_to_a_number_s_power(loaded, x, y, dx):
    Y = mp.mpf(y)
    want = Y * mp.mpf(x) ** (Y - 1) * dx
    with np.errstate(all="ignore"):
        for power in (lambda v: v ** y, lambda v: np.power(v, y)):
            got = dg.jvp(power, np.array([x, 0.5, 0.0]), np.array([dx, 1.0, 1.0]))[1]
            assert _near(got[0], want)
            assert got[1] == y * 0.5 ** (y - 1) and got[2] == 0.0


def test_an_array_past_the_lean_path_to_a_number_s_power(loaded):
    # the general path's underflow test read its factor after the product had been
    # written into it (numba loaded, the eager engine): 2.0499999986e-275
    x, dx = 1e-300, 1e40
    Y = mp.mpf(2.05)
    want = Y * mp.mpf(x) ** (Y - 1) * dx
    with np.errstate(all="ignore"):
        got = dg.jvp(lambda w: w ** 2.05, np.full(70000, x), np.full(70000, dx))[1]
    assert _near(got[0], want) and _near(got[-1], want)


@pytest.mark.parametrize("spelling", [
    lambda w: w[0] ** w[1], lambda w: w[:1] ** w[1:], lambda w: w[:1] ** w[1],
    lambda w: w[0] ** w[1:], lambda w: (w[0] * np.ones(3)) ** w[1]],
    ids=["scalar", "u ** v", "u ** k", "k ** u", "3 elements"])
def test_d_dy_where_the_power_underflowed(loaded, spelling):
    # out = 1e-450 is 0, and so the factor out log x: was 0.0 for -6.9e-248 in every
    # form (attackb65 F1 b); x = 1 keeps its exact 0
    x, y, dy = 1e-300, 1.5, 1e200
    want = mp.mpf(x) ** y * mp.log(x) * dy
    with np.errstate(all="ignore"):
        got = dg.jvp(spelling, np.array([x, y]), np.array([0.0, dy]))[1]
        one = dg.jvp(spelling, np.array([1.0, y]), np.array([0.0, dy]))[1]
    assert _near(float(np.ravel(got)[0]), want)
    assert float(np.ravel(one)[0]) == 0.0


def test_d2_dy2_of_an_array_power_where_it_underflowed():
    # the array forms gave 0.0 (attack66 F8's last row); the scalar's was right
    x, y = 1e-300, 1.5
    want = mp.mpf(x) ** y * mp.log(x) ** 2 * mp.mpf(1e200)
    with np.errstate(all="ignore"):
        got = dg.jvp(lambda z: dg.jvp(lambda w: np.power(w[:1], w[1:])[0], z,
                                      np.array([0.0, 1e200]))[1], np.array([x, y]),
                     np.array([0.0, 1.0]))[1]
    assert _near(float(got), want)


@pytest.mark.engine_independent
def test_a_jitted_power_far_out():
    # the jit wing kept the two steps' slopes (attack66 F6): -7.1e-298 for 1e-290,
    # -inf for -4.9e296 (a negative base too), inf for 2.5e150, 0.0 for -6.9e-248
    numba = pytest.importorskip("numba")
    power = numba.njit(lambda x, y: x ** y)
    for x, y, dx, dy in [(1e-310, 1e-300, 1e-300, 1e-300), (1e-310, -1.0, 5e-324, 0.0),
                         (-1e-310, -1.0, 5e-324, 0.0), (1e300, 2.5, 1e-300, 0.0),
                         (1e-300, 1.5, 0.0, 1e200)]:
        X, Y = mp.mpf(x), mp.mpf(y)
        want = Y * X ** (Y - 1) * dx + (X ** Y * mp.log(abs(X)) * dy if dy else 0)
        with np.errstate(all="ignore"):
            got = dg.jvp(lambda z: power(z[0], z[1]), np.array([x, y]), np.array([dx, dy]))[1]
        assert _near(float(got), want)
