"""np.heaviside(x, h0): the value is h0 where x == 0, so d/dh0 is 1 there and 0
elsewhere (at NaN x too); d/dx is 0 (attack12 09: d/dh0 was dropped).

Oracle: central differences of NumPy's own heaviside in h0 (linear in h0: exact).
"""

import numpy as np
import pytest

import dualgrad as dg

X = np.array([0.3, 0.0, -0.0, -2.0, np.nan, 0.0])
H0 = np.array([0.5, 0.25, 0.75, 0.1, 0.2, 1.5])


def _central_h0(x, h0, h=0.5):
    """Central differences in h0; at NaN x (NaN whatever h0) the row is 0."""
    cols = []
    for i in range(h0.size):
        e = np.zeros(h0.size)
        e[i] = h
        cols.append((np.heaviside(x, h0 + e) - np.heaviside(x, h0 - e)) / (2 * h))
    return np.where(np.isnan(x)[:, None], 0.0, np.array(cols).T)


def test_array_h0_partials():
    J = dg.jacobian(lambda h: np.heaviside(X, h), H0)
    np.testing.assert_array_equal(J, _central_h0(X, H0))
    np.testing.assert_array_equal(np.diag(J), [0, 1, 1, 0, 0, 1])


def test_both_arguments_dual():
    both = np.concatenate([X, H0])
    J = dg.jacobian(lambda t: np.heaviside(t[:6], t[6:]), both)
    np.testing.assert_array_equal(J[:, :6], 0.0)            # a step: d/dx 0 away from the jump
    np.testing.assert_array_equal(J[:, 6:], _central_h0(X, H0))
    np.testing.assert_array_equal(np.heaviside(dg.Dual(X, np.zeros((6, 1))), H0).value,
                                  np.heaviside(X, H0))


@pytest.mark.parametrize("x, want", [(0.0, 1.0), (-0.0, 1.0), (1.0, 0.0), (-3.0, 0.0),
                                     (np.nan, 0.0)])
def test_scalar_h0(x, want):
    assert dg.derivative(lambda h: np.heaviside(x, h), 0.5) == want
    assert dg.derivative(lambda h: np.heaviside(np.array([x]), h)[0], 0.5) == want
