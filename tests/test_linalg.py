"""Products and linear algebra (dualgrad.dispatch._linalg): NaN-safety and the triangle
that NumPy reads.

NaN oracle: a product is multilinear, so each Jacobian entry either does not
depend on the NaN entry x_m (then it is the entry at any finite x_m) or does (then
the elementwise expression x[0] * x[1] * ... gives NaN).  Central differences at
two finite stand-ins for x_m tell which is which; no dualgrad path is involved.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import numerical_jacobian

M = np.array([[0.5, -1.5, 2.0], [1.0, 0.25, -0.75], [2.5, 1.0, 0.5]])


def _nan_oracle(f, x, m):
    x1, x2 = x.copy(), x.copy()
    x1.flat[m], x2.flat[m] = 0.3, 1.7
    j1, j2 = numerical_jacobian(f, x1), numerical_jacobian(f, x2)
    return np.where(np.abs(j1 - j2) > 1e-6, np.nan, j1)


PRODUCTS = {
    "prod": lambda x: np.prod(x),
    "prod axis": lambda x: np.prod(np.reshape(x, (3, 3)), axis=0),
    "cumprod": lambda x: np.cumprod(x),
    "dot": lambda x: np.dot(np.reshape(x, (3, 3)), x[:3]),
    "dot const": lambda x: np.dot(M, x[3:6]),
    "vdot": lambda x: np.vdot(x[:3], x[3:6]),
    "inner": lambda x: np.inner(np.reshape(x, (3, 3)), x[6:]),
    "outer": lambda x: np.outer(x[:3], x[3:6]),
    "matmul": lambda x: np.reshape(x, (3, 3)) @ M,
    "matmul both": lambda x: np.reshape(x, (3, 3)) @ np.reshape(x, (3, 3)).T,
    "matvec": lambda x: M @ x[:3],
    "tensordot": lambda x: np.tensordot(np.reshape(x, (3, 3)), M, axes=1),
    "einsum": lambda x: np.einsum("ij,jk->ik", np.reshape(x, (3, 3)), M),
    "einsum both": lambda x: np.einsum("ij,j->i", np.reshape(x, (3, 3)), x[:3]),
    "tensordot axes": lambda x: np.tensordot(np.reshape(x, (3, 3)), M, 1),
    "einsum three": lambda x: np.einsum("i,ij,j->", x[:3], M, x[6:]),
    "einsum three const": lambda x: np.einsum("i,ij,jk->k", x[3:6], np.reshape(x, (3, 3)), M),
    "kron": lambda x: np.kron(x[:3], x[3:6]),
    "det": lambda x: np.linalg.det(np.reshape(x, (3, 3))),
    "cross": lambda x: np.cross(x[:3], x[3:6]),
    "convolve": lambda x: np.convolve(x[:4], x[4:]),
}


@pytest.mark.parametrize("name", list(PRODUCTS))
@pytest.mark.parametrize("m", [0, 4])
def test_products_with_a_nan_entry_keep_it_local(name, m):
    f = PRODUCTS[name]
    x = np.array([0.9, -1.1, 1.3, 0.7, 2.1, -0.4, 1.6, 0.8, -1.2])
    want = _nan_oracle(f, x, m)
    x[m] = np.nan
    with np.errstate(invalid="ignore"):
        got = dg.jacobian(f, x)
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9, equal_nan=True)
    assert np.isfinite(want).any()


def test_issue_example_prod_with_nan():
    """issue 12: gradient(np.prod, [nan, 2, 3]) gave [nan, nan, nan]."""
    np.testing.assert_array_equal(dg.gradient(np.prod, [np.nan, 2.0, 3.0]),
                                  [6.0, np.nan, np.nan])


def test_infinite_factors_give_signed_infinities_where_they_reach():
    inf = np.inf
    np.testing.assert_array_equal(dg.gradient(np.prod, [inf, 2.0, -3.0]),
                                  [-6.0, -inf, inf])
    # d/dx of [inf, -inf] @ x: the constant's own entries, nothing else
    np.testing.assert_array_equal(dg.gradient(lambda x: np.dot([inf, -inf], x), [1.0, 2.0]),
                                  [inf, -inf])
    j = dg.jacobian(lambda x: np.array([[inf, 1.0], [2.0, 3.0]]) @ x, [1.0, 2.0])
    np.testing.assert_array_equal(j, [[inf, 1.0], [2.0, 3.0]])
    # det [[a, b], [c, d]] = a d - b c: d/da = d, d/db = -c, d/dc = -b, d/dd = a
    with np.errstate(invalid="ignore"):
        g = dg.gradient(np.linalg.det, np.array([[inf, 1.0], [2.0, 3.0]]))
    np.testing.assert_allclose(g, [[3.0, -2.0], [-1.0, inf]], rtol=1e-15)


def _signed(V):
    """Eigenvectors with the sign fixed by their first entries (none near 0 here)."""
    return V * np.sign(V[0])


A_NONSYM = np.array([[4.0, 1.0, 0.5], [0.3, 3.0, 0.2], [0.1, -0.4, 2.0]])
TRIANGLE = {
    "eigvalsh": lambda A: np.linalg.eigvalsh(A),
    "eigvalsh U": lambda A: np.linalg.eigvalsh(A, UPLO="U"),
    "eigh values": lambda A: np.linalg.eigh(A)[0],
    "eigh vectors": lambda A: _signed(np.linalg.eigh(A)[1]),
    "eigh U vectors": lambda A: _signed(np.linalg.eigh(A, UPLO="U")[1]),
    "cholesky": lambda A: np.linalg.cholesky(A),
    "cholesky upper": lambda A: np.linalg.cholesky(A, upper=True),
    "cholesky batched": lambda A: np.linalg.cholesky(np.stack([A, 2.0 * A])),
}


@pytest.mark.parametrize("name", list(TRIANGLE))
def test_one_triangle_functions_differentiate_what_numpy_computes(name):
    """issue 12: NumPy reads one triangle; a perturbation of the other one changes
    nothing, as central differences with non-symmetric steps show."""
    f = TRIANGLE[name]
    got = dg.jacobian(f, A_NONSYM)
    np.testing.assert_allclose(got, numerical_jacobian(f, A_NONSYM), rtol=1e-7, atol=1e-9)


def test_cholesky_upper_value_is_numpys_of_the_upper_triangle():
    got = dg.jacobian(lambda A: np.linalg.cholesky(A, upper=True), A_NONSYM)
    assert got.shape == (3, 3, 3, 3)
    out, _ = dg.jvp(lambda A: np.linalg.cholesky(A, upper=True), A_NONSYM, np.eye(3))
    np.testing.assert_allclose(out, np.linalg.cholesky(A_NONSYM, upper=True), rtol=1e-15)


def test_nested_products_with_nan_are_never_finite_and_wrong():
    """A Hessian through products with a NaN constant: exact where the NaN does not
    reach, NaN where it does, never another finite number (x @ M @ x has M + M.T)."""
    M = np.array([[np.nan, 1.0], [2.0, 3.0]])
    with np.errstate(invalid="ignore"):
        for f in (lambda x: x @ M @ x, lambda x: np.dot(x, np.dot(M, x)),
                  lambda x: np.sum(np.outer(x, x) * M)):
            H = dg.hessian(f, [1.0, 2.0])
            assert H[1, 1] == 6.0 and np.isnan(H[0, 0])
            for h in (H[0, 1], H[1, 0]):
                assert h == 3.0 or np.isnan(h)


_SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, -0.2], [0.5, -0.2, 2.5]])


def _stacked(x):                    # two 3 x 3 matrices, symmetric positive definite
    A = np.reshape(x[:18], (2, 3, 3))
    return A + np.swapaxes(A, -1, -2) + 4.0 * _SPD


STACKED = {
    "solve vector": lambda x: np.linalg.solve(_stacked(x), x[18:21]),
    "solve matrix": lambda x: np.linalg.solve(_stacked(x), x[:18].reshape(2, 3, 3) ** 2),
    "solve 2-D": lambda x: np.linalg.solve(_stacked(x)[0], x[18:24].reshape(3, 2)),
    "solve constant A": lambda x: np.linalg.solve(_SPD, x[18:21]),
    "solve constant b": lambda x: np.linalg.solve(_stacked(x)[1], np.arange(3.0)),
    "inv": lambda x: np.linalg.inv(_stacked(x)),
    "det": lambda x: np.linalg.det(_stacked(x)),
    "slogdet": lambda x: np.linalg.slogdet(_stacked(x))[1],
    "cholesky": lambda x: np.linalg.cholesky(_stacked(x) + np.triu(x[:18].reshape(2, 3, 3))),
    "cholesky upper": lambda x: np.linalg.cholesky(_stacked(x), upper=True),
    "eigh": lambda x: np.linalg.eigh(_stacked(x) + np.diag([0.0, 1.0, 2.0]))[1],
    "eigh U": lambda x: np.linalg.eigh(_stacked(x) + np.tril(x[:18].reshape(2, 3, 3)),
                                       "U")[0],
    "eigvalsh": lambda x: np.linalg.eigvalsh(_stacked(x)),
    "svd": lambda x: np.concatenate([np.ravel(m) for m in np.linalg.svd(
        _stacked(x) + x[:18].reshape(2, 3, 3))]),
    "svdvals": lambda x: np.linalg.svd(x[:18].reshape(2, 3, 3) + _SPD, compute_uv=False),
    "qr": lambda x: np.linalg.qr(x[:18].reshape(2, 3, 3) + _SPD)[0],
    "pinv": lambda x: np.linalg.pinv(x[:12].reshape(4, 3) + np.vstack([_SPD, np.ones(3)])),
    "lstsq vector": lambda x: np.linalg.lstsq(x[:12].reshape(4, 3) + np.vstack([_SPD, np.ones(3)]),
                                              x[20:24])[0],
    "lstsq matrix": lambda x: np.linalg.lstsq(x[:12].reshape(4, 3) + np.vstack([_SPD, np.ones(3)]),
                                              x[12:20].reshape(4, 2))[0],
}


@pytest.mark.parametrize("name", list(STACKED))
def test_matrix_functions_with_every_direction_stacked(name):
    # the partials go through each matrix function as one stack of directions (one
    # factorization, broadcast products): each column of the Jacobian against central
    # differences, for stacked matrices, vector and matrix right-hand sides
    f = STACKED[name]
    x = np.random.default_rng(5).uniform(-0.3, 0.3, 24)
    np.testing.assert_allclose(dg.jacobian(f, x), numerical_jacobian(f, x),
                               rtol=1e-6, atol=1e-8)


def test_inf_that_meets_no_partial_and_values_that_overflow():
    # a finite product value means no inf or NaN operand entry meets a partial (the scan
    # of the operands is skipped); an inf that takes part in no product stays out of the
    # partials, and a value that overflows with finite operands keeps exact partials
    A = np.array([[2.0, np.inf], [np.nan, -3.0]])           # only the diagonal is read
    x = np.array([0.5, 1.5])
    got = dg.jacobian(lambda x: np.einsum("ii,i->i", A, x), x)
    np.testing.assert_array_equal(got, np.diag([2.0, -3.0]))
    big = np.array([1e308, 1e308])
    with np.errstate(over="ignore"):
        jx = dg.jacobian(lambda v: np.dot(v, np.array([10.0, 10.0])), big)
        jm = dg.jacobian(lambda v: np.array([[10.0, 10.0]]) @ v, big)
    np.testing.assert_array_equal(jx, [10.0, 10.0])
    np.testing.assert_array_equal(jm, [[10.0, 10.0]])
    # and an inf that does meet a zero partial still gives what the elementwise
    # expression gives: 0 there, not NaN
    j = dg.jacobian(lambda v: np.dot(np.array([np.inf, 1.0]), v), np.array([1.0, 2.0]))
    np.testing.assert_array_equal(j, [np.inf, 1.0])
