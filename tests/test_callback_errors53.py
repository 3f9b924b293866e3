"""A refusal raised in the user's own code that SciPy called back (dg.quad's func,
dg.solve_ivp's fun) names the user's step, not the SciPy function that called it
(attack53 06: "scipy.integrate.quad converts its input with np.asarray ... write that
step as dg.quad(...)" to a user calling dg.quad)."""

import warnings

import numpy as np
import pytest
import scipy.ndimage

import dualgrad as dg


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_quads_func_step_is_named():
    def f(p):
        return dg.quad(lambda x: np.interp(x, np.array([p, p + 0.5]), [0.0, 1.0]), 0.0, 3.0)[0]
    with pytest.raises(TypeError) as info:
        dg.derivative(f, 1.2345)
    assert "np.interp received a list or an object array" in str(info.value)
    assert "converts its input" not in str(info.value)


def test_solve_ivps_fun_step_is_named():
    def f(p):
        rhs = lambda t, y: -y + np.interp(t, [0.0, 1.0, 3.0], np.array([0.0, p, 0.0]))  # noqa
        return dg.solve_ivp(rhs, (0.0, 2.0), [1.0]).y[:, -1]
    with pytest.raises(TypeError) as info:
        dg.jacobian(f, 0.5)
    assert "np.interp received a list or an object array" in str(info.value)
    assert "converts its input" not in str(info.value)


def test_a_scipy_function_the_callback_calls_is_still_named():
    def f(p):
        return dg.quad(lambda x: scipy.ndimage.gaussian_filter(x * p * np.ones(4), 1.0)[0],
                       0.0, 1.0)[0]
    with pytest.raises(TypeError, match="scipy.ndimage.gaussian_filter"):
        dg.derivative(f, 1.5)
