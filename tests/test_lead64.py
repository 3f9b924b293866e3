"""The lead's stop-64 mends, each against a closed form."""
import numpy as np
import pytest

import dualgrad as dg

V = np.array([1.0, 2.0, 2.0])                       # |V| = 3, u = V / 3


@pytest.mark.parametrize("c", [1.0, 1j])
@pytest.mark.parametrize("helper, want", [("gradient", [3.0, 0.0]),
                                          ("hessian", [[2.0, 0.0], [0.0, 0.0]])])
def test_norm_over_an_empty_axis_is_a_constant_zero(c, helper, want):
    # the rescue took the empty sum 0.0 for an underflow and raised NumPy's "zero-size
    # array to reduction operation maximum" (attack64 01; right through stop 61)
    def f(x):
        return np.real(np.linalg.norm(x[:0] * c) + np.sum(
            np.linalg.norm(np.zeros((3, 0)) + x[0] * c, axis=1))) + x[0] ** 2
    np.testing.assert_array_equal(getattr(dg, helper)(f, np.array([1.5, 2.0])), want)


@pytest.mark.parametrize("s", [1e-310, 1e-320, 8e307])
@pytest.mark.parametrize("c", [1.0, 1j])          # (x c exact at subnormal x)
def test_norm_where_max_abs_x_leaves_the_normal_floats(s, c):
    # subnormal entries, or max |x| past 2**1023: the rescue's power of two was 0 or inf
    # and its 0 * inf NaN reached every entry of a Hessian, x[3]'s row too (attack64 03)
    def f(x):
        return np.real(np.linalg.norm(x[:3] * c)) + x[3] ** 2
    x = np.r_[V * s, 1.0]
    with np.errstate(all="ignore"):
        g, H = dg.gradient(f, x), dg.hessian(f, x)
    np.testing.assert_allclose(g, [1 / 3, 2 / 3, 2 / 3, 2.0], rtol=1e-15)
    np.testing.assert_array_equal(H[3], [0.0, 0.0, 0.0, 2.0])
    if s > 1.0:                 # (I - u u^T) / (3 s), ~1e-308: in range, not past it
        want = (np.eye(3) - np.outer(V, V) / 9.0) / 3.0 / s
        np.testing.assert_allclose(H[:3, :3], want, rtol=1e-12, atol=1e-320)


@pytest.mark.parametrize("f", [lambda z: z[1:] ** z[0], lambda z: z[1] ** z[0],
                               lambda z: np.power(z[1:], z[0])])
@pytest.mark.parametrize("dk", [1e300, 0.0])
def test_power_quotient_at_a_subnormal_base_keeps_a_huge_tangent(f, dk):
    # u ** k at u = k = 1e-310: u ** (k - 1) overflows, so the row takes (k out) / u in
    # two steps; the subnormal u's lift multiplied du = 1e300 by 2**104 and gave inf
    # (attackb64 01, a regression of 201e6794); exact k u**(k-1) du + u**k log(u) dk
    mpmath = pytest.importorskip("mpmath")
    u = k = 1e-310
    with mpmath.workdps(40):
        U, K = mpmath.mpf(u), mpmath.mpf(k)
        want = float(K * U ** (K - 1) * 1e300 + U ** K * mpmath.log(U) * dk)
    with np.errstate(all="ignore"):
        _, t = dg.jvp(f, np.array([k, u]), np.array([dk, 1e300]))
    assert float(np.ravel(t)[0]) == pytest.approx(want, rel=1e-14)
