"""Leftovers that raised on correct code (stop 40): a Hessian (or a Jacobian) of f linear
in x through np.array of scalar duals nested in another helper; object arrays of scalar
duals under sparsity="auto" through np.round, np.var / np.std, np.linalg.solve / det and
np.interp; np.put, np.place and np.putmask on dual arrays; np.remainder by zero and
np.emath.sqrt at 0.  Oracles: closed forms (the mixed derivatives of polynomials in x
and c), 8th-order central differences (h = 1e-3, smooth cases or piecewise linear with
no kink within 4h of the point), and NumPy's own values on floats."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import numerical_jacobian

X = np.array([0.3, 0.7, 1.1, 0.45])
C = 0.7


# ---- 1. helpers nested in another helper, f linear in x through np.array ---------------
# f(x, c) and its Hessian in x as a closed form H(x, c); dH/dc is checked against the
# central difference of that closed form (H is a polynomial in c).
def _lin(x, c):
    return np.sum(np.array([x[0] * c, x[1], x[2] * c ** 2]))


def _mixed(x, c):
    return np.sum(np.array([x[0] * x[1] + c * x[0], x[2] * np.sin(c)]))


def _nonlin(x, c):
    return np.sum(np.array([x[0] * x[1] * c, x[2] ** 2 * c ** 2, x[3]]))


def _H_lin(x, c):
    return np.zeros((4, 4))


def _H_mixed(x, c):
    H = np.zeros((4, 4))
    H[0, 1] = H[1, 0] = 1.0
    return H


def _H_nonlin(x, c):
    H = np.zeros((4, 4))
    H[0, 1] = H[1, 0] = c
    H[2, 2] = 2 * c ** 2
    return H


NESTED = {"linear": (_lin, _H_lin), "mixed": (_mixed, _H_mixed),
          "nonlinear": (_nonlin, _H_nonlin)}


def _dc(F, c=C, h=1e-3):
    """8th-order central difference of F at c."""
    w = [(1, 4 / 5), (2, -1 / 5), (3, 4 / 105), (4, -1 / 280)]
    return sum(a * (F(c + k * h) - F(c - k * h)) for k, a in w) / h


@pytest.mark.parametrize("name", sorted(NESTED))
def test_hessian_nested_in_derivative(name):
    f, H = NESTED[name]
    np.testing.assert_allclose(dg.hessian(lambda x: f(x, C), X), H(X, C), atol=1e-14)
    want = _dc(lambda c: H(X, c))
    got = dg.derivative(lambda c: dg.hessian(lambda x: f(x, c), X), C)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)
    got = dg.jacobian(lambda c: dg.hessian(lambda x: f(x, c[0]), X), np.array([C]))
    np.testing.assert_allclose(got[..., 0], want, rtol=1e-9, atol=1e-10)
    got = dg.jacfwd(lambda c: dg.jacfwd(dg.grad(lambda x: f(x, c)))(X))(C)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("chunk", [None, 1])
def test_jacobian_and_gradient_nested_in_derivative(chunk):
    # J = [[1, 0], [0, 1]] does not move with c (dJ/dc = 0); the second has dJ/dc = e00
    def lin(c):
        return dg.jacobian(lambda x: np.array([x[0] + c, x[1]]), X[:2], chunk=chunk)

    def scaled(c):
        return dg.jacobian(lambda x: np.array([x[0] * c, x[1]]), X[:2], chunk=chunk)

    np.testing.assert_array_equal(dg.derivative(lin, C), np.zeros((2, 2)))
    np.testing.assert_allclose(dg.derivative(scaled, C), _dc(lambda c: np.diag([c, 1.0])),
                               rtol=1e-9)
    g = dg.derivative(lambda c: dg.gradient(lambda x: np.sum(np.array([x[0] + c, x[1]])),
                                            X[:2], chunk=chunk), C)
    np.testing.assert_array_equal(g, [0.0, 0.0])
    g = dg.derivative(lambda c: dg.gradient(lambda x: np.sum(np.array([x[0] * c ** 2,
                                                                      x[1]])),
                                            X[:2], chunk=chunk), C)
    np.testing.assert_allclose(g, [2 * C, 0.0], rtol=1e-12)


def test_guard_still_refuses_a_swallowed_refusal_nested():
    # the constant-gradient shortcut must not hide an object array nobody read
    def f(x, c):
        try:
            np.asarray(x * c).astype(float)     # refused: a dual array's object array
        except TypeError:
            pass
        return np.sum(x)

    with pytest.raises(TypeError, match="without derivatives after an error"), \
            pytest.warns(dg.CaughtErrorWarning):
        dg.derivative(lambda c: dg.hessian(lambda x: f(x, c), X), C)
