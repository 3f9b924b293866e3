"""Stop 49's linear algebra: Cholesky's tangent by triangular products (eig49)."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _linalg


def _cholesky_vectorized(A):
    """Cholesky-Crout of the lower triangle, no conjugation (analytic in the entries:
    a complex step through it gives the derivative), one column a step."""
    m = A.shape[0]
    L = np.zeros_like(A)
    for j in range(m):
        L[j, j] = np.sqrt(A[j, j] - L[j, :j] @ L[j, :j])
        L[j + 1:, j] = (A[j + 1:, j] - L[j + 1:, :j] @ L[j, :j]) / L[j, j]
    return L


def _spd(m, seed, cond=None):
    rng = np.random.default_rng(seed)
    if cond is None:
        B = rng.standard_normal((m, m))
        return B @ B.T + m * np.eye(m)
    Q, _ = np.linalg.qr(rng.standard_normal((m, m)))
    return (Q * np.logspace(0, np.log10(cond), m)) @ Q.T


@pytest.mark.parametrize("m", [_linalg._TRIANGULAR, 33, 80])
@pytest.mark.parametrize("n", [1, 5])
def test_cholesky_tangent_by_triangular_products_is_the_complex_step(m, n):
    # oracle: the complex step of a textbook factorization of the lower triangle; the
    # upper triangle's partials must not matter (NumPy never reads them)
    A = _spd(m, m + n)
    rng = np.random.default_rng(n)
    P = rng.standard_normal((m, m, n))
    got = np.linalg.cholesky(dg.Dual(A, P))
    np.testing.assert_array_equal(got.value, np.linalg.cholesky(A))
    h = 1e-30
    want = np.stack([np.imag(_cholesky_vectorized(A + 1j * h * np.tril(P[..., k]))) / h
                     for k in range(n)], axis=-1)
    scale = np.max(np.abs(want))
    np.testing.assert_allclose(got.partials, want, rtol=0, atol=64 * m * 2.2e-16 * scale)
    upper = np.triu(rng.standard_normal((m, m, n)).transpose(2, 0, 1), 1).transpose(1, 2, 0)
    moved = np.linalg.cholesky(dg.Dual(A, P + upper))
    np.testing.assert_array_equal(moved.partials, got.partials)
    assert got.partials.flags.c_contiguous


def test_cholesky_tangent_matches_jax_and_leaves_its_operands_alone():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    m = 40
    A = _spd(m, 3, cond=1e6)
    rng = np.random.default_rng(4)
    C = rng.standard_normal((m, m))
    C = C + C.T                                      # JAX symmetrizes its input
    keep_A, keep_C = A.copy(), C.copy()
    _, got = dg.jvp(np.linalg.cholesky, A, C)
    want = np.asarray(jax.jvp(jnp.linalg.cholesky, (A,), (C,))[1])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9 * np.max(np.abs(want)))
    np.testing.assert_array_equal(A, keep_A)
    np.testing.assert_array_equal(C, keep_C)


def test_cholesky_gradient_of_a_log_likelihood_is_the_closed_form():
    # -log N(y; 0, K(theta)) by Cholesky: d/dtheta = (tr(K^-1 dK) - y^T K^-1 dK K^-1 y) / 2,
    # dK = K's own derivative (closed form), the plain inverse as the oracle
    m = 30
    rng = np.random.default_rng(7)
    X = rng.standard_normal((m, 2))
    y = rng.standard_normal(m)
    D2 = np.sum((X[:, None] - X[None]) ** 2, axis=-1)

    def nll(t):
        K = np.exp(-D2 / (2 * t[0] ** 2)) + t[1] * np.eye(m)
        L = np.linalg.cholesky(K)
        a = np.linalg.solve(L, y)
        return 0.5 * a @ a + np.sum(np.log(np.diagonal(L)))
    t = np.array([0.9, 0.3])
    K = np.exp(-D2 / (2 * t[0] ** 2)) + t[1] * np.eye(m)
    Ki = np.linalg.inv(K)
    alpha = Ki @ y
    dKs = [np.exp(-D2 / (2 * t[0] ** 2)) * D2 / t[0] ** 3, np.eye(m)]
    want = [0.5 * (np.trace(Ki @ dK) - alpha @ dK @ alpha) for dK in dKs]
    np.testing.assert_allclose(dg.gradient(nll, t), want, rtol=1e-10)


def test_cholesky_tangent_nan_partials_stay_in_their_columns():
    # a NaN direction is NaN (BLAS's products spread it over the factor, as the dense
    # products did); the other directions are untouched
    m = 20
    A = _spd(m, 9)
    P = np.zeros((m, m, 2))
    P[..., 0] = np.eye(m)
    P[12, 5, 1] = np.nan
    got = np.linalg.cholesky(dg.Dual(A, P)).partials
    h = 1e-30
    want = np.imag(_cholesky_vectorized(A + 1j * h * np.eye(m))) / h
    np.testing.assert_allclose(got[..., 0], want, rtol=1e-12, atol=1e-14)
    assert np.isnan(got[12, 5, 1])


def _ngm(x):
    """A next-generation matrix written as every tutorial writes it: np.array of a
    nested list of scalar duals and floats (an object array)."""
    return np.array([[0.5, x[0]], [x[1], 0.25]])


def _solve_closed(x, b):
    """``[[0.5, x0], [x1, 0.25]]^-1 b`` by Cramer's rule."""
    det = 0.125 - x[0] * x[1]
    return np.array([0.25 * b[0] - x[0] * b[1], 0.5 * b[1] - x[1] * b[0]]) / det


def test_object_array_beside_a_dual_argument_is_lifted_at_the_linalg_entry():
    # NumPy hands np.linalg.solve to dualgrad when one direct argument is a dual: the
    # object array beside it is read as one dual array (value, gradient, Hessian);
    # oracle: Cramer's rule differentiated by the complex step
    x0 = np.array([0.3, 0.7])
    f = lambda x: np.sum(np.linalg.solve(_ngm(x), x) ** 2)  # noqa: E731
    ref = lambda x: np.sum(_solve_closed(x, x) ** 2)  # noqa: E731
    h = 1e-30
    want = [np.imag(ref(x0 + 1j * h * e)) / h for e in np.eye(2)]
    np.testing.assert_allclose(dg.gradient(f, x0), want, rtol=1e-13)
    g = lambda x: dg.gradient(f, x)  # noqa: E731
    want_h = np.array([(g(x0 + 1e-5 * e) - g(x0 - 1e-5 * e)) / 2e-5 for e in np.eye(2)])
    np.testing.assert_allclose(dg.hessian(f, x0), want_h, rtol=1e-7)


def test_object_array_of_an_outer_tag_beside_an_inner_dual():
    # mixed tags: the object array holds the outer derivative's duals, the right-hand
    # side the inner one's; oracle: the closed form's mixed partials by the complex step
    x0, y0 = np.array([0.3, 0.7]), np.array([1.0, -2.0])

    def inner(x):
        return dg.gradient(lambda y: np.sum(np.linalg.solve(_ngm(x), y * y)), y0)
    got = dg.jacobian(inner, x0)
    # d/dy sum(M^-1 y^2) = 2 y * (M^-T 1); its x-derivative by the complex step
    col = lambda x: 2 * y0 * _solve_closed(np.array([x[1], x[0]]), np.ones(2))  # noqa: E731
    h = 1e-30
    want = np.stack([np.imag(col(x0 + 1j * h * e)) / h for e in np.eye(2)], axis=-1)
    np.testing.assert_allclose(got, want, rtol=1e-12)
