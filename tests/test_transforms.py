"""grad and elementwise_grad, with the examples of API.md verbatim."""

import numpy as np

import dualgrad as dg


def test_api_md_seed_question():
    def func(q, chi, delta):
        return q * chi * delta
    assert dg.grad(func, argnums=(0, 1, 2))(1.0, 2.0, 3.0) == (6.0, 3.0, 2.0)
    assert dg.grad(func)(1.0, 2.0, 3.0) == 6.0
    assert dg.grad(func, argnums=2)(1.0, 2.0, 3.0) == 2.0


def test_api_md_grid_field():
    x, y, z = np.mgrid[-100:101:25., -100:101:25., -100:101:25.]
    Ex, Ey, Ez = dg.elementwise_grad(lambda x, y, z: 2*x**2 + 3*y**2 - 4*z,
                                     argnums=(0, 1, 2))(x, y, z)
    np.testing.assert_array_equal(Ex, 4 * x)
    np.testing.assert_array_equal(Ey, 6 * y)
    np.testing.assert_array_equal(Ez, -4 * np.ones_like(z))


def test_elementwise_grad_calls_f_once_per_argument():
    calls = []

    def f(x, y):
        calls.append(1)
        return np.sin(x) * y
    x = np.linspace(0, 1, 1000)
    dx, dy = dg.elementwise_grad(f, argnums=(0, 1))(x, 2.0)
    assert len(calls) == 2
    np.testing.assert_allclose(dx, 2 * np.cos(x), rtol=1e-15)
    np.testing.assert_allclose(dy, np.sum(np.sin(x)), rtol=1e-13)  # summed over broadcast


def test_grad_of_mixed_array_and_scalar_arguments():
    f = lambda w, b, x: np.sum((x @ w + b) ** 2)
    x = np.arange(6.0).reshape(3, 2)
    w, b = np.array([0.5, -1.0]), 0.25
    gw, gb = dg.grad(f, argnums=(0, 1))(w, b, x)
    r = x @ w + b
    np.testing.assert_allclose(gw, 2 * x.T @ r, rtol=1e-15)
    assert isinstance(gb, float) and gb == 2 * r.sum()


def test_grad_keeps_keyword_arguments_and_negative_argnums():
    f = lambda a, b, scale=1.0: scale * a * b ** 2
    assert dg.grad(f, argnums=-1)(3.0, 2.0, scale=2.0) == 24.0


def test_elementwise_grad_passes_see_the_inputs_as_given_when_f_writes_into_them():
    def f(a, b):
        a *= 2.0
        b += 1.0
        return a * b                 # (2a)(b + 1)
    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.0, 1.5])
    da, db = dg.elementwise_grad(f, argnums=(0, 1))(a, b)
    np.testing.assert_array_equal(da, 2.0 * (b + 1.0))
    np.testing.assert_array_equal(db, 2.0 * a)
    np.testing.assert_array_equal(a, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(b, [0.5, 1.0, 1.5])


def test_repeated_argnums_give_the_gradient_each_time_as_jax():
    """issue 12: argnums=(0, 0) gave (0.0, 12.0); JAX gives (12.0, 12.0)."""
    assert dg.grad(lambda a: a ** 3, argnums=(0, 0))(2.0) == (12.0, 12.0)
    # d/da a^3 b = 3 a^2 b = 12, d/db = a^3 = 8
    assert dg.grad(lambda a, b: a ** 3 * b, argnums=(1, 0, 1))(2.0, 1.0) == (8.0, 12.0, 8.0)
    x = np.array([2.0, 1.0])
    gb, gx, gb2 = dg.grad(lambda a, b: np.sum(a ** 3 * b), argnums=(1, 0, -1))(x, 1.0)
    assert gb == gb2 == 9.0
    np.testing.assert_array_equal(gx, 3.0 * x ** 2)
    ex, ex2 = dg.elementwise_grad(lambda a: a ** 3, argnums=(0, 0))(x)
    np.testing.assert_array_equal(ex, 3.0 * x ** 2)
    np.testing.assert_array_equal(ex2, 3.0 * x ** 2)
