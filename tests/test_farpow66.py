"""x ** y's slopes at the float range's ends, one level down and beside it (farpow66).

Oracle: mpmath's closed forms at 60 digits; a true value past the float range must
come back as an infinity of its sign."""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

pytestmark = pytest.mark.mp_dps(60)   # (tests/conftest.py)


def _near(got, want):
    w = float(want)
    if not np.isfinite(w):
        return got == w
    return abs(got - w) <= 1e-13 * abs(w)


@pytest.mark.parametrize("spelling", [lambda z: z[1] ** z[0], lambda z: z[1:] ** z[0]],
                         ids=["scalar", "array"])
@pytest.mark.parametrize("k, u, P, Q", [
    (1e-310, 1e-310, 1e200, 1e-200),    # slope -1e310: was 1.0 (diff65 F4)
    (1e-310, 1e-100, 1e200, 1e-200),    # slope -1e-110: was -inf
    (1e-310, 1e-308, 1.0, 1.0),         # slope -1e306: was -inf
    (2.5, 1e-310, 1e-320, 1e300),       # slope 3.7e-175: was 0.0 (array)
])
def test_the_inner_tangent_and_its_slope_of_u_to_the_k(spelling, k, u, P, Q):
    def inner(z):
        return dg.jvp(spelling, z, np.array([0.0, Q]))[1]
    with np.errstate(all="ignore"):
        t0, t1 = dg.jvp(inner, np.array([k, u]), np.array([0.0, P]))
    K, U = mp.mpf(k), mp.mpf(u)
    tangent = K * U ** (K - 1) * mp.mpf(Q)
    slope = K * (K - 1) * U ** (K - 2) * mp.mpf(P) * mp.mpf(Q)
    assert _near(float(np.ravel(t0)[0]), tangent)
    assert _near(float(np.ravel(t1)[0]), slope)


def test_a_far_range_hessian_of_a_power():
    # attackb65 F1c: every entry was +inf (x**(y - 2) = 1e720 inside), H_xy at
    # (1e-310, 2) +inf for -1.43e-307
    c = 1e-300
    with np.errstate(all="ignore"):
        H = dg.hessian(lambda w: (w[0] * c) ** w[1], np.array([1e140, -2.5]))
        H2 = dg.hessian(lambda w: w[0] ** w[1], np.array([1e-310, 2.0]))
    X, Y, C = mp.mpf(1e140) * mp.mpf(c), mp.mpf(-2.5), mp.mpf(c)
    assert _near(H[0, 0], C * C * Y * (Y - 1) * X ** (Y - 2))
    assert _near(H[0, 1], C * X ** (Y - 1) * (1 + Y * mp.log(X)))
    assert _near(H[1, 1], X ** Y * mp.log(X) ** 2)      # (past the range: inf)
    X, Y = mp.mpf(1e-310), mp.mpf(2)
    assert _near(H2[0, 1], X ** (Y - 1) * (1 + Y * mp.log(X)))


@pytest.mark.parametrize("x, y, dx", [
    (-1e-310, -1.0, 5e-324),    # a negative base: -inf (attackb65 F1 (a))
    (1e-300, 2.05, 1e40),       # y x**(y - 1) subnormal beside out = 0: 7e-10 off (F2)
    (1e-200, 2.6, 1e120),       # 8.7e-5 off
])
def test_a_first_slope_whose_factor_leaves_the_range(x, y, dx):
    want = mp.mpf(y) * mp.mpf(x) ** (mp.mpf(y) - 1) * mp.mpf(dx)
    with np.errstate(all="ignore"):
        s = dg.jvp(lambda v: v[0] ** v[1], [x, y], [dx, 0.0])[1]
        a = dg.jvp(lambda v: v[:1] ** v[1], np.array([x, y]), np.array([dx, 0.0]))[1][0]
    assert _near(float(s), want) and _near(float(a), want)
