"""scipy.special's orthogonal-polynomial rows at degree 0 (rules/_table.py): the slope
rule reads the degree below, and SciPy's C_{-1} is NaN at some points (x = -1 among
them), so a constant polynomial's derivative was NaN (attack47b 10).  Oracles: the
closed forms of P_0, P_1, P_2 and C_0, C_1 (mpmath agrees)."""

import numpy as np
import pytest

import dualgrad as dg

sc = pytest.importorskip("scipy.special")


@pytest.mark.parametrize("t", [-1.0, -2.0, 0.4])
def test_degree_zero_and_one_polynomials_at_every_point(t):
    assert dg.derivative(lambda s: sc.legendre(0)(s), t) == 0.0
    assert dg.derivative(lambda s: sc.eval_gegenbauer(0, -0.3, s), t) == 0.0
    assert dg.derivative(lambda u: dg.derivative(lambda s: sc.legendre(1)(s), u), t) == 0.0
    assert dg.derivative(lambda u: dg.derivative(
        lambda s: sc.eval_gegenbauer(1, 3.0, s), u), t) == 0.0      # C_1^3 = 6 s
    # P_0, P_1, P_2 = 1, s, (3 s^2 - 1) / 2 at once: slopes 0, 1, 3 s
    np.testing.assert_allclose(dg.derivative(lambda s: sc.eval_legendre(np.arange(3), s), t),
                               [0.0, 1.0, 3.0 * t], rtol=1e-15)
