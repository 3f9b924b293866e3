"""np.linalg.slogdet's sign jumps where the determinant crosses 0: inside dg.quad and
dg.solve_ivp at a moving place it lost the jump's term (attack53 07: int_0^3
sign(x - p) dx = 3 - 2p, d/dp -2; dg.quad and dg.solve_ivp gave 0.0).  Refused by name
now, as np.sign is; where the determinant keeps its sign, exact."""

import warnings

import numpy as np
import pytest

import dualgrad as dg

E1 = np.array([[1.0, 0.0], [0.0, 0.0]])
E2 = np.array([[0.0, 0.0], [0.0, 1.0]])


def sign(x, p):
    return np.linalg.slogdet(E1 * (x - p) + E2)[0]


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize("p0", [0.3, 1.7])
def test_a_moving_sign_change_is_refused_in_quad(p0):
    with pytest.raises(TypeError, match="slogdet"):
        dg.derivative(lambda p: dg.quad(lambda x: sign(x, p), 0.0, 3.0)[0], p0)


def test_a_moving_sign_change_is_refused_in_solve_ivp():
    def y_end(p):
        return dg.solve_ivp(lambda t, y: sign(t, p) + 0.0 * y, (0.0, 3.0), np.array([0.0]),
                            rtol=1e-10, atol=1e-12).y[0, -1]
    with pytest.raises(TypeError, match="slogdet"):
        dg.derivative(y_end, 0.3)


def test_no_sign_change_stays_exact():
    # int_1^3 log|x + p| dx and int_1^3 sign(x + p) x dx (no crossing: d/dp 0)
    logabs = lambda p: dg.quad(                                     # noqa: E731
        lambda x: np.linalg.slogdet(E1 * (x + p) + E2)[1], 1.0, 3.0)[0]
    np.testing.assert_allclose(dg.derivative(logabs, 0.3), np.log(3.3) - np.log(1.3),
                               rtol=1e-12)
    signed = lambda p: dg.quad(                                     # noqa: E731
        lambda x: np.linalg.slogdet(E1 * (x + p) + E2)[0] * x * p, 1.0, 3.0)[0]
    np.testing.assert_allclose(dg.derivative(signed, 0.3), 4.0, rtol=1e-12)
