"""dg.solve_ivp's infinite-slope test (ode54's ``_cusp``) is not run beside a smooth
step: the partials of ``step(s (t - p)) t`` rise over many decades toward the step's
place and stay bounded (~s), which the test's three distances read as a singularity, so
a steep but resolved step's first derivative was refused where 51793cd returned it.
Oracle: y(3) = int_0^3 step(s (t - p)) t dt, dy/dp = -(2 or 1) p up to e^-(s p)."""

import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg


def _end(p, step, s):
    return dg.solve_ivp(lambda t, y: np.array([step(s * (t - p)) * t]), (0.0, 3.0),
                        np.array([0.0]), rtol=1e-10, atol=1e-12).y[0, -1]


@pytest.mark.parametrize("engine", ["fused", "eager"])
@pytest.mark.parametrize("s", [1e4, 1e5, 1e6, 1e7])
@pytest.mark.parametrize("step, k", [(np.tanh, 2.0), (sc.expit, 1.0), (sc.erf, 2.0)])
def test_first_derivative_through_a_steep_resolved_step_is_exact(step, k, s, engine):
    with dg.engine(engine):
        d = dg.derivative(lambda p: _end(p, step, s), 1.2345)
    assert d == pytest.approx(-k * 1.2345, rel=1e-6)


def test_a_kink_with_an_infinite_slope_is_still_refused():
    """The control: sqrt(max(t - p, 0)) (ode54's cusp through np.maximum's kink)."""
    def end(p):
        return dg.solve_ivp(lambda t, y: -y + np.sqrt(np.maximum(t - p, 0.0)), (0.0, 2.0),
                            np.array([1.0]), rtol=1e-3, atol=1e-6).y[0, -1]
    with pytest.raises(TypeError, match="grow without bound"):
        dg.derivative(end, 0.5)
