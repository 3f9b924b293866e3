"""The helpers' point conversion (api/_validate.py): a list or tuple of an outer call's
scalar duals given as the point of an inner helper is one array point, as a list of
floats is (attack47 03: it raised "expected x as a real number or array, got dtype
object").  Oracles: the closed-form derivatives of f(a, b) = sin(a) b^2 + a^3 cos(b)."""

import numpy as np
import pytest

import dualgrad as dg


def f(a, b):
    return np.sin(a) * b ** 2 + a ** 3 * np.cos(b)


def grad(a, b):
    return np.array([np.cos(a) * b ** 2 + 3 * a ** 2 * np.cos(b),
                     2 * b * np.sin(a) - a ** 3 * np.sin(b)])


def hess(a, b):
    ab = 2 * b * np.cos(a) - 3 * a ** 2 * np.sin(b)
    return np.array([[-np.sin(a) * b ** 2 + 6 * a * np.cos(b), ab],
                     [ab, 2 * np.sin(a) - a ** 3 * np.cos(b)]])


P = np.array([0.4, 1.3])
INNER = {
    "grad at a list": lambda p: dg.grad(lambda z: f(z[0], z[1]))([p[0], p[1]]),
    "grad at a tuple": lambda p: dg.grad(lambda z: f(z[0], z[1]))((p[0], p[1])),
    "gradient at a list": lambda p: dg.gradient(lambda z: f(z[0], z[1]), [p[0], p[1]]),
    "jacobian at a list": lambda p: dg.jacobian(lambda z: f(z[0], z[1]), [p[0], p[1]]),
}


@pytest.mark.parametrize("inner", list(INNER))
def test_point_of_scalar_duals_in_a_list(inner):
    g = INNER[inner]
    np.testing.assert_allclose(np.ravel(g(P)), grad(*P), rtol=1e-14)     # plain floats
    np.testing.assert_allclose(np.asarray(dg.jacobian(lambda p: np.ravel(g(p)), P)),
                               hess(*P), rtol=1e-13)


def test_list_mixing_a_dual_and_a_constant():
    # [p[0], 1.3]: the second entry is a constant of the outer call
    J = np.asarray(dg.jacobian(lambda p: dg.grad(lambda z: f(z[0], z[1]))([p[0], 1.3]), P))
    np.testing.assert_allclose(J, np.column_stack([hess(*P)[:, 0], [0.0, 0.0]]), rtol=1e-13)


def test_third_order_through_a_list_point():
    # d2/dp2 of f_ab = 2 b cos a - 3 a^2 sin b
    def fab(p):
        return dg.hessian(lambda z: f(z[0], z[1]), [p[0], p[1]])[0, 1]
    a, b = P
    want = [[-2 * b * np.cos(a) - 6 * np.sin(b), -2 * np.sin(a) - 6 * a * np.cos(b)],
            [-2 * np.sin(a) - 6 * a * np.cos(b), 3 * a ** 2 * np.sin(b)]]
    np.testing.assert_allclose(np.asarray(dg.hessian(fab, P)), want, rtol=1e-13)


def test_list_of_other_objects_is_still_refused():
    with pytest.raises(TypeError, match="real number or array"):
        dg.grad(lambda z: np.sum(z))(["a", "b"])
