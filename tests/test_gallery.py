"""Real user code, written the way people write it, against independent oracles."""

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der

import dualgrad as dg
from dualgrad.testing import complex_step, numerical_jacobian


def lotka_volterra(t, y, a, b, c, d):
    """An ODE right-hand side returning np.array([...]) of scalars."""
    prey, pred = y
    return np.array([a * prey - b * prey * pred, c * prey * pred - d * pred])


def test_ode_rhs_jacobian_matches_analytic():
    y = np.array([10.0, 5.0])
    p = (1.1, 0.4, 0.1, 0.4)
    J = dg.jacobian(lambda y: lotka_volterra(0.0, y, *p), y)
    a, b, c, d = p
    want = [[a - b * y[1], -b * y[0]], [c * y[1], c * y[0] - d]]
    np.testing.assert_allclose(J, want, rtol=1e-15)


def rk4_final_state(params, steps=200, h=0.01):
    """A plain-Python RK4 loop over scalars, parameters as an array."""
    a, b, c, d = params
    x, y = 10.0, 5.0
    for _ in range(steps):
        def rhs(x, y):
            return a * x - b * x * y, c * x * y - d * y
        k1 = rhs(x, y)
        k2 = rhs(x + h / 2 * k1[0], y + h / 2 * k1[1])
        k3 = rhs(x + h / 2 * k2[0], y + h / 2 * k2[1])
        k4 = rhs(x + h * k3[0], y + h * k3[1])
        x = x + h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        y = y + h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
    return np.array([x, y])


def test_rk4_loop_against_complex_step():
    p = np.array([1.1, 0.4, 0.1, 0.4])
    np.testing.assert_allclose(dg.jacobian(rk4_final_state, p),
                               complex_step(rk4_final_state, p), rtol=1e-12)


def heat_step(u, kappa, dt=0.1):
    """An explicit finite-volume step with slicing and in-place updates."""
    new = u.copy()
    new[1:-1] += kappa * dt * (u[2:] - 2 * u[1:-1] + u[:-2])
    new[0] = new[1]
    new[-1] = 0.0
    return new


def heat(params, n=30, steps=20):
    kappa, amp = params[0], params[1]
    x = np.linspace(0, 1, n)
    u = amp * np.sin(np.pi * x) + 0.0 * kappa
    for _ in range(steps):
        u = heat_step(u, kappa)
    return u


def test_heat_equation_with_in_place_updates():
    p = np.array([0.8, 1.5])
    np.testing.assert_allclose(dg.jacobian(heat, p), complex_step(heat, p), rtol=1e-12,
                               atol=1e-15)


def spring_forces(pos, k=2.0, rest=1.0):
    """A force loop over particle pairs with an np.zeros_like buffer."""
    n = len(pos)
    forces = np.zeros_like(pos)
    for i in range(n):
        for j in range(i + 1, n):
            d = pos[j] - pos[i]
            dist = np.sqrt(np.sum(d * d))
            f = k * (dist - rest) * d / dist
            forces[i] += f
            forces[j] -= f
    return forces


def test_spring_mass_force_loop():
    pos = np.array([[0.0, 0.0], [1.2, 0.1], [0.3, 1.4]])
    np.testing.assert_allclose(dg.jacobian(spring_forces, pos),
                               numerical_jacobian(spring_forces, pos), rtol=1e-8, atol=1e-9)


def test_hessian_through_a_zeros_like_buffer():
    """Nested duals arrive in a buffer made from the input: it holds them."""
    pos = np.array([[0.0, 0.0], [1.2, 0.1], [0.3, 1.4]])
    energy = lambda p: np.sum(spring_forces(p.reshape(3, 2)) ** 2)
    H = dg.hessian(energy, pos.ravel())
    np.testing.assert_allclose(H, numerical_jacobian(lambda p: dg.gradient(energy, p),
                                                     pos.ravel()), rtol=1e-7, atol=1e-7)
    np.testing.assert_array_equal(H, H.T)


def residual_norm(theta, t, data):
    """Least squares with np.linalg.norm."""
    model = theta[0] * np.exp(-theta[1] * t) + theta[2]
    return np.linalg.norm(model - data) ** 2


def test_least_squares_residual_gradient():
    t = np.linspace(0, 3, 20)
    data = 2.0 * np.exp(-0.7 * t) + 0.1 + 0.01 * np.cos(7 * t)
    theta = np.array([1.8, 0.6, 0.2])
    model = theta[0] * np.exp(-theta[1] * t) + theta[2]
    r = model - data
    J = np.stack([np.exp(-theta[1] * t), -theta[0] * t * np.exp(-theta[1] * t),
                  np.ones_like(t)], axis=1)
    np.testing.assert_allclose(dg.gradient(residual_norm, theta, t, data), 2 * J.T @ r,
                               rtol=1e-13)


def softmax_loss(W, X, y):
    """A logsumexp classifier loss."""
    logits = X @ W
    m = np.max(logits, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))
    return np.mean(lse - logits[np.arange(len(y)), y])


def test_softmax_classifier_gradient():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((8, 3)), rng.integers(0, 4, 8)
    W = rng.standard_normal((3, 4))
    logits = X @ W
    P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    Y = np.eye(4)[y]
    np.testing.assert_allclose(dg.gradient(softmax_loss, W, X, y), X.T @ (P - Y) / 8,
                               rtol=1e-12)


def piecewise(x):
    """np.where and a Python if on values."""
    if x[0] > 0:
        base = x[0] ** 2
    else:
        base = -x[0]
    return base + np.sum(np.where(x > 1.0, np.log(x), x ** 3))


@pytest.mark.parametrize("x0", [[0.5, 2.0, 0.3], [-1.0, 0.2, 3.0]])
def test_piecewise_with_where_and_if(x0):
    x0 = np.array(x0)
    np.testing.assert_allclose(dg.gradient(piecewise, x0), numerical_jacobian(piecewise, x0),
                               rtol=1e-8)


def test_rosenbrock_scipy_form():
    x = np.linspace(-1.2, 1.2, 7)
    np.testing.assert_allclose(dg.gradient(rosen, x), rosen_der(x), rtol=1e-13)


def test_accumulation_in_a_loop():
    def f(x, w):
        s = 0.0
        for i in range(len(x)):
            s += x[i] * w[i]
        return s
    w = np.array([1.0, -2.0, 0.5])
    np.testing.assert_array_equal(dg.gradient(f, np.ones(3), w), w)


def test_scipy_softmax_and_a_numpy_logsumexp():
    sc = pytest.importorskip("scipy.special")
    x = np.array([0.3, -1.2, 2.0])
    s = np.exp(x) / np.exp(x).sum()
    np.testing.assert_allclose(dg.jacobian(sc.softmax, x), np.diag(s) - np.outer(s, s),
                               rtol=1e-14, atol=1e-16)

    def logsumexp(x):                  # the spelling docs/writing-code.md recommends
        m = np.max(x)
        return m + np.log(np.sum(np.exp(x - m)))
    np.testing.assert_allclose(dg.gradient(logsumexp, x), s, rtol=1e-15)


def test_scipy_array_api_logsumexp_fails_loudly():
    """scipy.special.logsumexp goes through the array API, which turns duals into an
    object array: it raises (a TypeError from NumPy) rather than return a number."""
    sc = pytest.importorskip("scipy.special")
    with pytest.raises(TypeError):
        dg.gradient(sc.logsumexp, np.array([0.3, -1.2, 2.0]))
