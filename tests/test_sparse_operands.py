"""A scipy.sparse matrix applied to duals (dispatch/_linalg.py) and to the sparsity
tracer (api/_sparsity.py): `np.matmul(L, u)`, `np.dot(L, u)`, `u @ L`, and SciPy's own
`L @ u`, `L.dot(u)` and an spmatrix's `L * u` (the dual answers SciPy's conversion with
"not an array", so that Python asks its reflected operator).

Oracles: the dense matrix (the products are linear, so their Jacobians are the matrix or
its transpose) and closed forms of the nonlinear compositions."""

import numpy as np
import pytest

import dualgrad as dg

sp = pytest.importorskip("scipy.sparse")


def laplacian(n, fmt="csr"):
    return sp.diags([1.0, -2.0, 1.0], [-1, 0, 1], shape=(n, n), format=fmt)


RECT = sp.random(7, 4, density=0.4, random_state=3, format="csr")
X7 = np.linspace(0.3, 1.7, 7)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "dia", "bsr", "lil", "dok"])
@pytest.mark.parametrize("kind", ["matrix", "array"])
def test_matmul_and_dot_from_the_left(fmt, kind):
    L = laplacian(7, fmt)
    L = sp.csr_array(L).asformat(fmt) if kind == "array" else L
    dense = L.toarray()
    for product in (np.matmul, np.dot):
        J = np.asarray(dg.jacobian(lambda u: product(L, u), X7))
        np.testing.assert_array_equal(J, dense)


def test_dual_on_the_left_is_the_transpose():
    J = np.asarray(dg.jacobian(lambda u: u @ RECT, X7))
    np.testing.assert_array_equal(J, RECT.toarray().T)


def test_values_are_scipys():
    L = laplacian(7)
    value, tangent = dg.jvp(lambda u: np.matmul(L, u), X7, np.ones(7))
    np.testing.assert_array_equal(value, L @ X7)
    np.testing.assert_array_equal(tangent, L @ np.ones(7))


def test_nonlinear_composition_against_closed_form():
    L = laplacian(7)
    dense = L.toarray()
    J = np.asarray(dg.jacobian(lambda u: np.sin(np.matmul(L, u ** 2)), X7))
    expected = np.cos(dense @ X7 ** 2)[:, None] * dense * (2 * X7)[None, :]
    np.testing.assert_allclose(J, expected, rtol=1e-14, atol=1e-15)


def test_two_dimensional_operands():
    L = laplacian(6)
    U = np.arange(18.0).reshape(6, 3) / 7 + 0.2
    J = np.asarray(dg.jacobian(lambda v: np.matmul(L, v), U))
    np.testing.assert_array_equal(J, np.einsum("ij,kl->ikjl", L.toarray(), np.eye(3)))
    V = np.arange(14.0).reshape(2, 7) / 5
    J = np.asarray(dg.jacobian(lambda v: v @ RECT, V))
    np.testing.assert_array_equal(J, np.einsum("ij,lk->ikjl", np.eye(2), RECT.toarray()))


def test_hessian_nested_duals_dense_and_sparse():
    L = laplacian(7)
    dense = L.toarray()

    def energy(u):
        return np.sum(np.matmul(L, u) ** 3)
    x = np.cos(np.arange(7.0)) + 2.0            # L @ x far from 0: no cancellation
    expected = 6.0 * (dense.T * (dense @ x)) @ dense
    np.testing.assert_allclose(np.asarray(dg.hessian(energy, x)), expected, rtol=1e-13,
                               atol=1e-14)
    np.testing.assert_allclose(dg.hessian(energy, x, sparsity="auto").toarray(), expected,
                               rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("side", ["left", "right"])
def test_infinite_entries_keep_zero_partials_finite(side):
    # an inf or NaN stored in L times a direction that does not reach that column: the
    # dense rules' 0 * inf = 0 (API.md), not NaN, and no dense copy of L
    D = np.array([[np.inf, 0.0, 1.0], [1.0, 2.0, -np.inf], [np.nan, 0.0, 3.0]])
    L = sp.csr_matrix(D)
    x = np.array([1.0, 2.0, 3.0])
    f = (lambda u: np.matmul(L, u)) if side == "left" else (lambda u: u @ L)
    J = np.asarray(dg.jacobian(f, x))
    np.testing.assert_array_equal(J, D if side == "left" else D.T)
    dense = (lambda u: np.matmul(D, u)) if side == "left" else (lambda u: u @ D)
    v = np.array([0.0, 1.0, 0.5])
    np.testing.assert_array_equal(dg.jvp(f, x, v)[1], dg.jvp(dense, x, v)[1])


def test_transposed_spelling_is_the_same_product():
    L = laplacian(7)
    f = lambda u: np.sin(u @ L.T)                     # L @ u, on floats and on duals
    np.testing.assert_array_equal(f(X7), np.sin(L @ X7))
    J = np.asarray(dg.jacobian(f, X7))
    np.testing.assert_allclose(J, np.cos(L @ X7)[:, None] * L.toarray(), rtol=1e-15)


@pytest.mark.parametrize("spelling", ["np.inner", "np.tensordot", "u + L", "np.outer",
                                      "np.kron", "L * u of a sparse array", "L * u[0]"])
def test_other_uses_of_a_sparse_matrix_raise_naming_the_fix(spelling):
    L = laplacian(7)
    f = {"np.inner": lambda u: np.inner(L, u), "np.tensordot": lambda u: np.tensordot(L, u, 1),
         "u + L": lambda u: u + L, "np.outer": lambda u: np.outer(u, L),
         "np.kron": lambda u: np.kron(L, u),
         "L * u of a sparse array": lambda u: u * sp.csr_array(L),   # elementwise there
         "L * u[0]": lambda u: u[0] * L}[spelling]                     # a sparse result
    with pytest.raises(TypeError, match=r"scipy\.sparse.*Fix: .*L\.toarray\(\)"):
        dg.jacobian(f, X7)
    with pytest.raises(TypeError, match=r"scipy\.sparse.*Fix: .*L\.toarray\(\)"):
        dg.sparsity(f, X7)


def test_sparse_operand_of_other_dimensions_is_a_type_error():
    L = laplacian(7)
    with pytest.raises(TypeError, match="one or two dimensions"):
        dg.jacobian(lambda u: np.dot(L, u[0]), X7)
    U = np.ones((7, 2, 2))
    with pytest.raises(TypeError, match="one or two dimensions"):
        dg.jacobian(lambda u: np.matmul(L, u), U)


SCIPY_SPELLINGS = {"L @ u": lambda L, u: L @ u, "L.dot(u)": lambda L, u: L.dot(u),
                   "L * u": lambda L, u: L * u, "u * L": lambda L, u: u * L,
                   "L @ column": lambda L, u: (L @ u.reshape(-1, 1)).ravel(),
                   "L.T @ u": lambda L, u: L.T @ u}


@pytest.mark.parametrize("kind", ["matrix", "array"])
@pytest.mark.parametrize("spelling", list(SCIPY_SPELLINGS))
def test_scipys_own_products_apply_the_matrix(spelling, kind):
    # SciPy's operators on a dual: L applied to the value and to the partials, as
    # np.matmul; on plain arrays the same spelling gives SciPy's own value
    if kind == "array" and "*" in spelling:
        pytest.skip("a sparse array's * is elementwise (refused above)")
    L = laplacian(7) if kind == "matrix" else sp.csr_array(laplacian(7))
    product = SCIPY_SPELLINGS[spelling]
    dense = L.toarray()
    dense = dense.T if spelling in ("u * L", "L.T @ u") else dense

    def f(u):
        return np.sin(product(L, u ** 2))
    x = X7 + 0.5
    np.testing.assert_array_equal(dg.jvp(f, x, np.ones(7))[0], f(x))
    expected = np.cos(dense @ x ** 2)[:, None] * dense * (2 * x)[None, :]
    for J in (np.asarray(dg.jacobian(f, x)), dg.jacobian(f, x, sparsity="auto").toarray(),
              np.asarray(dg.jacobian(f, x, chunk=1))):
        np.testing.assert_allclose(J, expected, rtol=1e-14, atol=1e-15)
    P = dg.sparsity(lambda u: product(L, u), x).toarray()
    np.testing.assert_array_equal(P, dense != 0)


def test_scipys_product_in_a_hessian():
    L = laplacian(7)
    dense = L.toarray()
    x = np.cos(np.arange(7.0)) + 2.0
    expected = 6.0 * (dense.T * (dense @ x)) @ dense
    energy = lambda u: np.sum((L @ u) ** 3)                              # noqa: E731
    np.testing.assert_allclose(np.asarray(dg.hessian(energy, x)), expected, rtol=1e-13,
                               atol=1e-14)
    np.testing.assert_allclose(dg.hessian(energy, x, sparsity="auto").toarray(), expected,
                               rtol=1e-13, atol=1e-14)


def test_object_array_in_scipys_product_names_the_fix():
    L = laplacian(3)

    def f(u):
        return L @ np.array([u[0] ** 2, u[1], u[2]], dtype=object)
    with pytest.raises(TypeError, match=r"object array.*Fix: .*np\.stack\(\[\.\.\.\]\)"):
        dg.jacobian(f, np.ones(3))
    # the fix it names works
    J = np.asarray(dg.jacobian(lambda u: L @ np.stack([u[0] ** 2, u[1], u[2]]),
                               np.array([3.0, 1.0, 1.0])))
    np.testing.assert_array_equal(J, L.toarray() * [6.0, 1.0, 1.0])


@pytest.mark.parametrize("fmt", ["csr", "coo"])
@pytest.mark.parametrize("kind", ["matrix", "array"])
def test_dot_with_a_scalar_dual_names_the_scaling(fmt, kind):
    # L.dot(s) of a scalar s is SciPy's scaling of L: the message says so (it named an
    # object array and np.stack before), and both fixes it offers run and are exact
    L = laplacian(3, fmt)
    L = sp.csr_matrix(L).asformat(fmt) if kind == "matrix" else sp.csr_array(L).asformat(fmt)
    u = np.array([0.3, -0.2, 0.5])
    with pytest.raises(TypeError, match=r"L\.dot\(s\) met a scalar dual.*Fix: .*s \* \(L @ u\)"
                                        r".*s \* L\.toarray\(\)"):
        dg.grad(lambda p: L.dot(p[0]).sum())(np.array([0.7, 1.3]))
    g = dg.grad(lambda p: np.sum(p[0] * (L @ u)))(np.array([0.7, 1.3]))
    np.testing.assert_allclose(g, [np.sum(L.toarray() @ u), 0.0], rtol=1e-15)
    g = dg.grad(lambda p: np.sum(p[0] * L.toarray()))(np.array([0.7, 1.3]))
    assert g.tolist() == [np.sum(L.toarray()), 0.0]


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparsity_pattern_of_sparse_products(fmt):
    L = laplacian(7, fmt)
    for f, ref in ((lambda u: np.matmul(L, u) ** 2, L), (lambda u: np.dot(L, u), L),
                   (lambda u: (u @ RECT) ** 2, RECT.T)):
        P = dg.sparsity(f, X7).toarray()
        np.testing.assert_array_equal(P, ref.toarray() != 0)
        np.testing.assert_array_equal(dg.jacobian(f, X7, sparsity="auto").toarray(),
                                      np.asarray(dg.jacobian(f, X7)))


def test_sparsity_of_two_dimensional_products():
    L = laplacian(6)
    X = np.arange(18.0) / 7 + 0.3

    def f(u):
        U = u.reshape(6, 3)
        return (np.matmul(L, U) * U).ravel()
    J = np.asarray(dg.jacobian(f, X))
    np.testing.assert_array_equal(dg.sparsity(f, X).toarray(), J != 0)
    Y = np.arange(14.0) / 7 + 0.1

    def g(u):
        return ((u.reshape(2, 7) @ RECT) ** 2).ravel()
    J = np.asarray(dg.jacobian(g, Y))
    assert (dg.sparsity(g, Y).toarray() >= (J != 0)).all()
    np.testing.assert_array_equal(dg.jacobian(g, Y, sparsity="auto").toarray(), J)


def test_stored_zero_counts_as_structure():
    # SciPy's structure: a stored zero is an entry (a pattern that always holds)
    L = sp.csr_matrix((np.array([0.0, 1.0]), np.array([1, 1]), np.array([0, 1, 2])),
                      shape=(2, 2))
    P = dg.sparsity(lambda u: np.matmul(L, u), np.ones(2)).toarray()
    np.testing.assert_array_equal(P, [[False, True], [False, True]])


@pytest.mark.parametrize("fmt", ["coo", "csr", "csc", "dia", "bsr"])
@pytest.mark.parametrize("kind", ["matrix", "array"])
def test_dot_of_every_format_without_warnings(fmt, kind):
    # a COO matrix's dot converts its operand itself before its `@`: the dual built an
    # object array of scalar duals that nothing read, with two false warnings
    # (attack47b 02)
    import warnings
    L = laplacian(7, fmt)
    L = sp.csr_array(L).asformat(fmt) if kind == "array" else L
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        J = np.asarray(dg.jacobian(lambda u: L.dot(u ** 2), X7))
    np.testing.assert_allclose(J, L.toarray() * (2 * X7)[None, :], rtol=1e-15)


@pytest.mark.parametrize("kind", ["csr_array", "csr_matrix", "csc_array"])
def test_hessian_of_a_two_dimensional_left_product_with_a_complex_matrix(kind):
    # attack48 01: u @ L with u 2-D and a complex L under nested duals raised (the
    # outer level's complex partials were asked for a plain contiguous array);
    # closed form: f = sum_c (sum_i x_i^2 Re D_ic)^2
    D = np.array([[1.0, 2j], [0.5, -1.0 + 1j], [0.0, 3.0]])
    L = getattr(sp, kind)(D)
    x = np.array([0.3, -0.7, 1.1])
    H = dg.hessian(lambda x: np.sum(np.real(x.reshape(1, 3) ** 2 @ L) ** 2), x)
    R, s = D.real, (x ** 2) @ D.real
    want = sum(2 * np.outer(2 * x * R[:, c], 2 * x * R[:, c]) + 4 * s[c] * np.diag(R[:, c])
               for c in range(2))
    np.testing.assert_allclose(H, want, rtol=1e-13, atol=1e-13)


def test_errors_of_the_reflected_product_inside_dot_are_its_own():
    # attack48 02: any error inside L.dot(u) read as "met a NumPy object array"
    L = laplacian(3)
    x = np.array([0.3, -0.7, 1.1, 2.0])
    for product in (lambda u: L @ u, lambda u: L.dot(u)):
        with pytest.raises(ValueError, match="dimension mismatch"):
            dg.jacobian(lambda x: product(x[:2]), x)
        with pytest.raises(TypeError, match=r"dual of one or two dimensions.*\(3, 1, 1\)"):
            dg.jacobian(lambda x: product(x[:3].reshape(3, 1, 1)), x)
        # a list of scalar duals keeps the message naming np.stack (attack48 13)
        with pytest.raises(TypeError, match=r"object array of scalar duals.*np\.stack"):
            dg.jacobian(lambda x: product([x[0], x[1], x[2]]), x)
