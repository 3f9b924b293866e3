"""A chemical kineticist's first day (userchem49): a constrained minimization inside f.

Equilibrium by Gibbs minimization under element balances is ``minimize(G, n0,
constraints=...)``; on duals minimize refuses, and the refusal's recipe (Newton steps on
g's Hessian) holds for an unconstrained minimum only: at a constrained one the gradient
is not 0 and the steps leave the constraints.  The message names the KKT steps for
constraints, and those steps give the implicit-function theorem's derivative (oracle:
the equilibrium condition of the reduced one-variable problem, differentiated by hand).
"""

import numpy as np
import pytest
from scipy.optimize import brentq, minimize

import dualgrad as dg

# N2O4 <-> 2 NO2, ideal gas at 1 bar: G / RT = sum n (g0 + ln(n / n_tot)); N balance
A = np.array([[2.0, 1.0]])
B = np.array([2.0])


def gibbs(n, g0):
    return np.sum(n * (g0 + np.log(n / np.sum(n))))


def balance(n, g0):
    return A @ n - B


def plain_equilibrium(g0):
    cons = {"type": "eq", "fun": lambda n: A @ n - B}
    return minimize(gibbs, [0.3, 1.4], args=(g0,), constraints=[cons], method="SLSQP",
                    bounds=[(1e-10, None)] * 2, options={"ftol": 1e-14}).x


def test_minimize_with_constraints_names_the_kkt_steps():
    def equilibrium(g0):
        cons = {"type": "eq", "fun": lambda n: A @ n - B}
        return minimize(gibbs, [0.3, 1.4], args=(g0,), constraints=[cons], method="SLSQP").x

    with pytest.raises(TypeError) as info:
        dg.jacobian(equilibrium, np.array([0.0, 1.0]))
    message = str(info.value)
    assert "constraints=" in message and "unconstrained minimum" in message
    assert "np.linalg.solve(dg.jacobian(F, z, p), F(z, p))" in message


def test_the_kkt_steps_give_the_equilibrium_composition_derivative():
    g0 = np.array([0.0, 1.0])
    n_plain = plain_equilibrium(g0)

    def equilibrium(g):                    # the message's spelling, c = balance
        p0 = dg.stop_gradient(g)
        lam = np.linalg.lstsq(dg.jacobian(balance, n_plain, p0).T,
                              -dg.gradient(gibbs, n_plain, p0), rcond=None)[0]

        def F(z, p):
            b, lam = z[:2], z[2:]
            return np.concatenate([dg.gradient(gibbs, b, p) + dg.jacobian(balance, b, p).T @ lam,
                                   balance(b, p)])
        z = np.concatenate([n_plain, lam])
        for _ in range(2):
            z = z - np.linalg.solve(dg.jacobian(F, z, g), F(z, g))
        return z[:2]

    # oracle: x = n_N2O4, NO2 = 2 - 2x, n_tot = 2 - x; equilibrium
    # h = 2 ln(2 - 2x) - ln x - ln(2 - x) + 2 g0[1] - g0[0] = 0, dx/dg0 = -h_g / h_x
    def h(x):
        return 2 * np.log(2 - 2 * x) - np.log(x) - np.log(2 - x) + 2 * g0[1] - g0[0]
    x = brentq(h, 1e-9, 1 - 1e-9, xtol=1e-15)
    h_x = -2 / (1 - x) - 1 / x + 1 / (2 - x)
    dx = -np.array([-1.0, 2.0]) / h_x
    oracle = np.array([dx, -2 * dx])
    J = dg.jacobian(equilibrium, g0)
    np.testing.assert_allclose(J, oracle, rtol=1e-12)
    np.testing.assert_allclose(equilibrium(g0), [x, 2 - 2 * x], rtol=1e-13)


def test_the_unconstrained_steps_are_wrong_at_a_constrained_minimum():
    """Why the message says so: min (b0 - p)^2 + b1^2 on b0 + b1 = 1 has b = ((1 + p) / 2,
    (1 - p) / 2); Newton on g alone walks to (p, 0)."""
    def g(b, p):
        return (b[0] - p[0]) ** 2 + b[1] ** 2

    def naive(p):
        b = np.array([(1 + dg.stop_gradient(p)[0]) / 2, (1 - dg.stop_gradient(p)[0]) / 2])
        for _ in range(2):
            b = b - np.linalg.solve(dg.hessian(g, b, p), dg.gradient(g, b, p))
        return b
    J = dg.jacobian(naive, np.array([0.3]))
    assert not np.allclose(J[:, 0], [0.5, -0.5])
    np.testing.assert_allclose(J[:, 0], [1.0, 0.0])
