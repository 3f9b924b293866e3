"""The lead's stop-65 mends, each against a closed form."""
import numpy as np
import pytest

import dualgrad as dg


@pytest.mark.parametrize("f", [lambda z: z[1] ** z[0], lambda z: z[1:] ** z[0]])
def test_power_quotient_one_level_down_keeps_a_huge_inner_partial(f):
    # u ** k at u = k = 1e-310 with du = 1e300, then that tangent's slope along u: the
    # quotient's lift of the subnormal u took p * 2**104 on the nested level and gave
    # -inf (diff65 F1, a regression of 0a5b71b8); exact k (k - 1) u**(k - 2) du dv
    mpmath = pytest.importorskip("mpmath")
    u = k = 1e-310
    du, dv = 1e300, 1e-320
    with mpmath.workdps(40):
        U, K = mpmath.mpf(u), mpmath.mpf(k)
        want = float(K * (K - 1) * U ** (K - 2) * mpmath.mpf(du) * mpmath.mpf(dv))

    def tangent(x):
        return dg.jvp(f, x, np.array([0.0, du]))[1]
    with np.errstate(all="ignore"):
        _, t = dg.jvp(tangent, np.array([k, u]), np.array([0.0, dv]))
    assert float(np.ravel(t)[0]) == pytest.approx(want, rel=1e-13)
