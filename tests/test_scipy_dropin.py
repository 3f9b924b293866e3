"""dualgrad.approx_fprime is a drop-in for scipy.optimize.approx_fprime, exact."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import approx_fprime as scipy_fprime
from scipy.optimize import minimize, rosen, rosen_der

import dualgrad as dg
from dualgrad import approx_fprime
from dualgrad.testing import robertson

FUNCTIONS = [
    (rosen, rosen_der),
    (lambda x: np.sum(np.sin(x) * x), lambda x: np.cos(x) * x + np.sin(x)),
    (lambda x, a: a * np.sum(x ** 3), lambda x, a: 3 * a * x ** 2),
]


@pytest.mark.parametrize("f, exact", FUNCTIONS)
def test_same_shapes_as_scipy_and_exact(f, exact):
    x = np.array([0.3, -1.2, 0.8, 1.5])
    args = (2.0,) if f.__code__.co_argcount == 2 else ()
    ours = approx_fprime(x, f, 1e-8, *args)
    theirs = scipy_fprime(x, f, 1.4901161193847656e-08, *args)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours, exact(x, *args), rtol=1e-14)


def test_vector_function_gives_m_by_n_like_scipy():
    f = lambda x: np.array([x[0] * x[1], np.exp(x[2]), x[0] - x[2]])
    x = np.array([1.0, 2.0, 0.5])
    ours, theirs = approx_fprime(x, f), scipy_fprime(x, f)
    assert ours.shape == theirs.shape == (3, 3)
    np.testing.assert_allclose(ours, [[2, 1, 0], [0, 0, np.exp(0.5)], [1, 0, -1]], rtol=1e-15)


def test_epsilon_positional_and_keyword_are_accepted():
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(approx_fprime(x, rosen, epsilon=1e-3), rosen_der(x))


def test_minimize_bfgs_with_exact_jacobian_reaches_the_minimum():
    x0 = np.array([-1.2, 1.0, 0.8, -0.5])
    ours = minimize(rosen, x0, method="BFGS", jac=lambda x: dg.gradient(rosen, x))
    fd = minimize(rosen, x0, method="BFGS")
    np.testing.assert_allclose(ours.x, np.ones(4), atol=1e-5)
    assert ours.success
    assert ours.nfev <= fd.nfev


def test_solve_ivp_bdf_with_exact_jacobian_on_robertson():
    jac = lambda t, y: dg.jacobian(lambda y: robertson(t, y), y)
    y = np.array([0.9, 1e-5, 0.1])
    k1, k2, k3 = 0.04, 3e7, 1e4
    analytic = [[-k1, k3 * y[2], k3 * y[1]],
                [k1, -2 * k2 * y[1] - k3 * y[2], -k3 * y[1]],
                [0, 2 * k2 * y[1], 0]]
    np.testing.assert_allclose(jac(0.0, y), analytic, rtol=1e-15)
    sol = solve_ivp(robertson, (0, 40), [1.0, 0.0, 0.0], method="BDF", jac=jac,
                    rtol=1e-6, atol=1e-10)
    assert sol.success
    np.testing.assert_allclose(sol.y[:, -1].sum(), 1.0, rtol=1e-6)
    ref = solve_ivp(robertson, (0, 40), [1.0, 0.0, 0.0], method="BDF", rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(sol.y[:, -1], ref.y[:, -1], rtol=1e-3)


APPROX_CASES = [
    (1.0, lambda x: x ** 2), (2, lambda x: x ** 3), (np.float32(1.5), lambda x: x ** 2),
    ([1.0], lambda x: x ** 2), ([1.0], lambda x: np.array([x[0] ** 2])),
    (np.array([1.0, 2.0]), lambda x: np.array([np.sum(x ** 2)])),
    ([1.0, 2.0], lambda x: [x[0] * x[1], x[0]]), ([1, 2], lambda x: np.sum(x ** 2)),
    ([1.0, 2.0], lambda x: np.array(3.0) * x[0]), ((0.5, 1.5, 2.5), lambda x: np.sin(x)),
]


@pytest.mark.parametrize("xk, f", APPROX_CASES)
def test_approx_fprime_returns_scipys_shapes_and_types(xk, f):
    """issue 12: a scalar xk, a (1,)-shaped output, list outputs and ints get exactly
    scipy's type, shape and dtype (compared with scipy.optimize.approx_fprime itself)."""
    from scipy.optimize import approx_fprime as scipy_fprime
    want = scipy_fprime(xk, f, 1e-7)
    got = dg.approx_fprime(xk, f)
    assert type(got) is type(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_forward_sensitivities_written_by_hand_through_solve_ivp():
    """A user's own route through an adaptive solver (user20's SIR fit, the README's
    before dg.solve_ivp): S' = J_y S + J_p with both Jacobians from
    dg.jacfwd(rhs, argnums=(1, 2)), integrated beside the state, against central
    differences of solve_ivp itself at tight tolerances."""
    def rhs(t, y, p):
        return np.stack([p[0] * y[0] - p[1] * y[0] * y[1], p[2] * y[0] * y[1] - p[3] * y[1]])

    m, k = 2, 4

    def with_sensitivities(t, z, p):
        y, S = z[:m], z[m:].reshape(m, k)
        Jy, Jp = dg.jacfwd(rhs, argnums=(1, 2))(t, y, p)
        return np.concatenate([rhs(t, y, p), (Jy @ S + Jp).ravel()])

    p, y0 = np.array([1.1, 0.4, 0.1, 0.4]), np.array([10.0, 5.0])
    sol = solve_ivp(with_sensitivities, (0, 2), np.concatenate([y0, np.zeros(m * k)]),
                    args=(p,), rtol=1e-10, atol=1e-10)
    dy_dp = sol.y[m:, -1].reshape(m, k)

    def end(q):
        return solve_ivp(lambda t, y: rhs(t, y, q), (0, 2), y0, rtol=1e-12, atol=1e-12).y[:, -1]
    h = 1e-5
    central = np.stack([(end(p + h * e) - end(p - h * e)) / (2 * h) for e in np.eye(k)], axis=1)
    np.testing.assert_allclose(dy_dp, central, rtol=0, atol=1e-6 * np.max(np.abs(central)))
