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


# ---- complex matrices: real x through complex intermediates (attack4 02) -------------
# A real f of a real x whose matrices are complex: the derivative of a real output
# (log|det|, Hermitian eigenvalues, singular values, norms) is real, and that of a
# complex one (slogdet's phase, eigenvectors, factors) is d Re + i d Im.  Each was
# wrong before (transposes where A^H is needed, the phase's partials dropped).
_RNG = np.random.default_rng(2)
_B, _C = (_RNG.standard_normal((2, 4, 4)) + 1j * _RNG.standard_normal((2, 4, 4))
          for _ in range(2))
_T1, _T2 = (_RNG.standard_normal((5, 3)) + 1j * _RNG.standard_normal((5, 3)) for _ in range(2))


def _cA(x):                                       # complex 4 x 4, nonlinear in x
    return _B[0] + np.outer(x, x) * _C[0] + np.diag(x) * 1j


def _cAb(x):                                      # a stack of two
    return _B + np.outer(x, x) * _C + np.diag(x) * 1j


def _herm(A):
    return A + np.conj(np.swapaxes(A, -1, -2))


def _tall(x):                                     # complex 5 x 3
    return _T1 + np.outer(np.r_[x, x[0]], x[1:]) * _T2


def _lower_only(x):                               # only the lower triangle is Hermitian-read
    return np.tril(_cA(x)) + np.diag([3.0, 6.0, 9.0, 12.0])


COMPLEX = {
    "slogdet log|det|": lambda x: np.linalg.slogdet(_cA(x))[1],
    "slogdet sign": lambda x: np.linalg.slogdet(_cA(x))[0],
    "slogdet batched": lambda x: np.linalg.slogdet(_cAb(x)),
    "eigvalsh": lambda x: np.linalg.eigvalsh(_herm(_cA(x))),
    "eigvalsh U batched": lambda x: np.linalg.eigvalsh(_herm(_cAb(x)), "U"),
    "eigvalsh one triangle": lambda x: np.linalg.eigvalsh(_lower_only(x)),
    "eigh": lambda x: np.linalg.eigh(_herm(_cA(x))),
    "eigh U batched": lambda x: np.linalg.eigh(_herm(_cAb(x)), "U"),
    "eigh one triangle": lambda x: np.linalg.eigh(_lower_only(x)),
    "svdvals": lambda x: np.linalg.svd(_cA(x), compute_uv=False),
    "svdvals tall batched": lambda x: np.linalg.svdvals(np.stack([_tall(x), 2 * _tall(x)])),
    "svd": lambda x: np.linalg.svd(_cAb(x)),
    "svd tall": lambda x: np.linalg.svd(_tall(x), full_matrices=False),
    "svd wide": lambda x: np.linalg.svd(_tall(x).T, full_matrices=False),
    "norm 2": lambda x: np.linalg.norm(_cA(x), 2),
    "norm -2": lambda x: np.linalg.norm(_cA(x), -2),
    "norm nuc": lambda x: np.linalg.norm(_cA(x), "nuc"),
    "matrix_norm nuc batched": lambda x: np.linalg.matrix_norm(_cAb(x), ord="nuc"),
    "cholesky": lambda x: np.linalg.cholesky(_cA(x) @ np.conj(_cA(x)).T + np.eye(4)),
    "cholesky one triangle": lambda x: np.linalg.cholesky(_lower_only(x) + 10 * np.eye(4)),
    "cholesky upper": lambda x: np.linalg.cholesky(np.conj(_lower_only(x)).T + 10 * np.eye(4),
                                                   upper=True),
    "cholesky batched": lambda x: np.linalg.cholesky(_cAb(x) @ np.conj(np.swapaxes(
        _cAb(x), -1, -2)) + np.eye(4)),
    "qr": lambda x: np.linalg.qr(_cAb(x)),
    "qr tall": lambda x: np.linalg.qr(_tall(x)),
    "pinv tall": lambda x: np.linalg.pinv(_tall(x)),
    "pinv wide": lambda x: np.linalg.pinv(_tall(x).T),
    "lstsq": lambda x: np.linalg.lstsq(_tall(x), _T1[:, 0] * x[1])[:2],
}


def _flat(out):
    """Every output of a result (tuples too) as one complex vector."""
    if isinstance(out, tuple):
        return np.concatenate([np.ravel(np.asarray(o, dtype=complex)) for o in out])
    return np.ravel(np.asarray(out, dtype=complex))


@pytest.mark.parametrize("chunk", [None, 1])
@pytest.mark.parametrize("name", list(COMPLEX))
def test_complex_matrices_of_a_real_x(name, chunk):
    """Against central differences of the real and imaginary parts (8th order)."""
    f = COMPLEX[name]
    g = lambda x: np.concatenate([_flat(f(x)).real, _flat(f(x)).imag])     # noqa: E731
    x = np.array([0.7, -0.4, 1.1, 0.3])
    got = np.concatenate([np.reshape(j, (-1, 4)) for j in _jacobians(f, x, chunk)])
    got = np.concatenate([got.real, got.imag])
    np.testing.assert_allclose(got, numerical_jacobian(g, x), rtol=1e-7, atol=1e-8)


def _jacobians(f, x, chunk):
    """dualgrad's Jacobian of each output of ``f`` (a tuple: one per entry)."""
    out = f(x)
    if not isinstance(out, tuple):
        return [dg.jacobian(f, x, chunk=chunk)]
    return [dg.jacobian(lambda x, i=i: f(x)[i], x, chunk=chunk) for i in range(len(out))]


def test_complex_slogdet_against_its_closed_form():
    """``slogdet(diag(x + i c))``: ``log|det| = sum log|z_k|`` has the real gradient
    ``x_k / |z_k|^2`` and Hessian ``diag((c^2 - x^2) / |z|^4)``; the phase
    ``prod z_k / |z_k|`` moves by ``i Im(1 / z_k)`` times itself."""
    c = np.array([0.5, -1.5, 2.0])
    x = np.array([0.8, 0.3, -1.2])
    z = x + 1j * c
    logdet = lambda x: np.linalg.slogdet(np.diag(x + 1j * c))[1]        # noqa: E731
    sign = lambda x: np.linalg.slogdet(np.diag(x + 1j * c))[0]          # noqa: E731
    g = dg.gradient(logdet, x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, x / np.abs(z) ** 2, rtol=1e-14)
    np.testing.assert_allclose(dg.hessian(logdet, x), np.diag((c * c - x * x) / np.abs(z) ** 4),
                               rtol=1e-13)
    s = np.prod(z / np.abs(z))
    np.testing.assert_allclose(dg.jacobian(sign, x), s * 1j * np.imag(1 / z), rtol=1e-14)


def test_complex_hermitian_eigenvalues_against_their_closed_form():
    """``[[a, b - i c], [b + i c, d]]`` has eigenvalues ``(a + d)/2 -+ r`` with
    ``r = sqrt(((a - d)/2)^2 + b^2 + c^2)``."""
    basis = np.array([[[1, 0], [0, 0]], [[0, 1], [1, 0]], [[0, -1j], [1j, 0]],
                      [[0, 0], [0, 1]]])

    def H(x):
        return np.tensordot(x, basis, axes=1)
    x = np.array([1.3, 0.4, -0.7, -0.2])
    a, b, c, d = x
    r = np.sqrt(((a - d) / 2) ** 2 + b * b + c * c)
    dr = np.array([(a - d) / 4, b, c, -(a - d) / 4]) / r
    want = np.array([[0.5, 0, 0, 0.5]] * 2) + np.array([-dr, dr])
    for f in (np.linalg.eigvalsh, lambda A: np.linalg.eigh(A)[0]):
        got = dg.jacobian(lambda x: f(H(x)), x)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)


def test_complex_singular_values_against_their_closed_form():
    """The singular values of ``diag(z)`` are ``|z_k|``, sorted: ``d|z| = x / |z|``."""
    c = np.array([0.5, -1.5, 2.0])
    x = np.array([0.8, 0.3, -1.2])
    got = dg.jacobian(lambda x: np.linalg.svd(np.diag(x + 1j * c), compute_uv=False), x)
    order = np.argsort(-np.abs(x + 1j * c))
    want = np.diag(x / np.abs(x + 1j * c))[order]
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)
    got = dg.gradient(lambda x: np.linalg.norm(np.diag(x + 1j * c), "nuc"), x)
    np.testing.assert_allclose(got, x / np.abs(x + 1j * c), rtol=1e-14)


@pytest.mark.parametrize("name", ["slogdet log|det|", "eigvalsh", "svdvals", "norm nuc",
                                  "cholesky", "eigh", "svd"])
def test_complex_matrices_second_derivatives(name):
    """Hessians (nested duals through the same formulas) against central differences
    of dualgrad's gradient, itself checked above against differences of f."""
    f = COMPLEX[name]
    w = np.sin(np.arange(1.0, 97.0))
    s = lambda x: np.real(np.sum(_flat_dual(f(x)) * w[:_size(f)])) + \
        np.imag(np.sum(_flat_dual(f(x)) * w[::-1][:_size(f)]))     # noqa: E731
    x = np.array([0.7, -0.4, 1.1, 0.3])
    got = dg.hessian(s, x)
    want = numerical_jacobian(lambda x: dg.gradient(s, x), x)
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-7)


def _flat_dual(out):
    if isinstance(out, tuple):
        return np.concatenate([np.ravel(o) for o in out])
    return np.ravel(out)


def _size(f):
    return _flat(f(np.array([0.7, -0.4, 1.1, 0.3]))).size


def test_complex_vectors_whose_phase_has_no_derivative_raise():
    """LAPACK makes the first entry of each eigenvector real (``UPLO='L'``); where that
    entry is 0 the phase is not fixed by it, and dualgrad raises instead of guessing."""
    E = np.zeros((2, 3, 3))
    E[0, 0, 0] = E[1, 2, 2] = 1.0
    H = lambda x: np.tensordot(x, E, axes=1) + np.array(                        # noqa: E731
        [[0, 1j, 0], [-1j, 2, 0], [0, 0, 0]])
    with pytest.raises(TypeError, match="np.linalg.eigh.*phases"):
        dg.jacobian(lambda x: np.linalg.eigh(H(x))[1], np.array([0.5, 3.0]))
    got = dg.jacobian(lambda x: np.linalg.eigvalsh(H(x)), np.array([0.5, 3.0]))  # values: fine
    np.testing.assert_allclose(got[:, 1], [0.0, 0.0, 1.0], atol=1e-15)


def test_slogdet_of_a_complex_matrix_under_holomorphic_raises():
    """``log|det|`` is real and ``det/|det|`` unimodular: neither has a complex
    derivative (they differ along Re z and Im z), so holomorphic=True raises as for
    abs, instead of returning tr(A^-1 dA) (and 0 for the phase)."""
    z = np.array([0.3 + 0.8j, -1.1 + 0.4j])
    f = lambda z: np.linalg.slogdet(np.outer(z, z) + np.eye(2))[1]     # noqa: E731
    h = 1e-6
    e = np.array([h, 0.0])
    along_re = (f(z + e) - f(z - e)) / (2 * h)
    along_im = (f(z + 1j * e) - f(z - 1j * e)) / (2j * h)
    assert abs(along_re - along_im) > 1e-2                 # the oracle: no complex derivative
    for out in (1, 0):
        with pytest.raises(TypeError, match="slogdet.*holomorphic.*Fix: drop holomorphic=True"):
            dg.jacobian(lambda z: np.linalg.slogdet(np.outer(z, z) + np.eye(2))[out], z,
                        holomorphic=True)
    np.testing.assert_allclose(dg.jacobian(lambda z: np.linalg.det(np.outer(z, z) + np.eye(2)),
                                           z, holomorphic=True), 2 * z, rtol=1e-14)


def test_lstsq_of_a_fixed_complex_matrix_is_holomorphic_in_b():
    """x = lstsq(A, b) = pinv(A) b is linear in b for a constant A: its complex
    derivative is pinv(A) (the oracle), for a vector and a matrix b (attack25's l3: it
    raised naming np.real, from the residual sums |b - A x|**2, which have none and
    raise only where f uses them)."""
    rng = np.random.default_rng(3)
    A = rng.standard_normal((6, 3)) + 1j * rng.standard_normal((6, 3))
    b0 = rng.standard_normal(6) + 1j * rng.standard_normal(6)
    P = np.linalg.pinv(A)
    J = dg.jacobian(lambda b: np.linalg.lstsq(A, b, rcond=None)[0], b0, holomorphic=True)
    np.testing.assert_allclose(J, P, rtol=1e-12, atol=1e-14)
    B0 = np.stack([b0, 2j * b0 + 1.0], axis=1)
    JB = dg.jacobian(lambda B: np.linalg.lstsq(A, B, rcond=None)[0][:, 1], B0,
                     holomorphic=True)
    np.testing.assert_allclose(JB[:, :, 1], P, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(JB[:, :, 0], 0.0)
    uses = (lambda b: np.linalg.lstsq(A, b, rcond=None)[1] * 2.0,
            lambda b: np.sum(np.linalg.lstsq(A, b, rcond=None)[1]),
            lambda b: np.linalg.lstsq(A, b, rcond=None)[0][0] +
            np.linalg.lstsq(A, b, rcond=None)[1][0])
    for f in uses:
        with pytest.raises(TypeError, match=r"lstsq's residual sums .*holomorphic=True"):
            dg.jacobian(f, b0, holomorphic=True)
    with pytest.raises(TypeError, match=r"lstsq's residual sums .*holomorphic=True"):
        dg.jacobian(lambda b: np.linalg.lstsq(A, b, rcond=None)[1].dtype and b, b0,
                    holomorphic=True)
    with pytest.raises(TypeError, match=r"lstsq.*holomorphic"):      # A's: conj(dA) r
        dg.jacobian(lambda A: np.linalg.lstsq(A, b0, rcond=None)[0], A, holomorphic=True)


# ---- det at a singular matrix (attack4 08), pinv's rcond and hermitian ----------------
def _others(x, skip):
    return np.prod(np.delete(x, skip))


def test_det_at_a_singular_matrix_has_the_adjugates_derivative():
    """``det(diag(x)) = prod x``: the gradient is the product of the other entries and
    the Hessian that of the other two, at x with a zero too, where ``solve`` fails and
    a bare LinAlgError came out before."""
    x = np.array([1.0, 1.5, -1.0, 0.0])
    f = lambda x: np.linalg.det(np.diag(x))                              # noqa: E731
    np.testing.assert_allclose(dg.gradient(f, x), [_others(x, [i]) for i in range(4)],
                               atol=1e-15)
    want = [[0.0 if i == j else _others(x, [i, j]) for j in range(4)] for i in range(4)]
    np.testing.assert_allclose(dg.hessian(f, x), want, atol=1e-15)
    x = np.array([2.0, 0.0, 0.0, 3.0, -1.0, 0.5])                       # rank 4 of 6
    np.testing.assert_allclose(dg.gradient(f, x), np.zeros(6), atol=1e-15)
    # rank 1, det identically 0; a stack with one singular matrix; a complex one
    g = lambda x: np.linalg.det(np.outer(x[:2], x[2:]))                  # noqa: E731
    np.testing.assert_allclose(dg.gradient(g, np.array([1.0, 1.0, -1.0, 0.0])), np.zeros(4),
                               atol=1e-15)
    B = np.stack([np.diag([1.0, 1.5, -1.0, 0.0]), 2.0 * np.eye(4)])
    got = dg.jacobian(lambda t: np.linalg.det(B + np.diag(t)), np.zeros(4))
    np.testing.assert_allclose(got, [[0, 0, 0, -1.5], [8, 8, 8, 8]], atol=1e-15)
    z = np.array([1 + 1j, 2 - 1j, 0j, 0.5j])
    got = dg.jacobian(lambda t: np.linalg.det(np.diag(z + t)), np.zeros(4))
    np.testing.assert_allclose(got, [_others(z, [i]) for i in range(4)], atol=1e-15)


def test_det_at_a_dense_singular_matrix_against_differences():
    rng = np.random.default_rng(3)
    M = rng.standard_normal((5, 2)) @ rng.standard_normal((2, 5))        # rank 2
    M[:, 0] = 0.0                                                          # exactly singular
    M[0, 0] = 0.0
    for f in (np.linalg.det, lambda A: np.linalg.det(A[1:, 1:])):
        got = dg.gradient(f, M)
        np.testing.assert_allclose(got, numerical_jacobian(f, M), atol=1e-9)
    A = np.array([[1.0, 2.0, 0.5, 3.0], [0.0, 1.0, -1.0, 1.0], [2.0, 0.0, 1.0, 2.0],
                  [0.0, 0.0, 0.0, 0.0]])                                  # rank 3
    got = dg.hessian(lambda a: np.linalg.det(np.reshape(a, (4, 4))), A.ravel())
    want = numerical_jacobian(lambda a: dg.gradient(
        lambda b: np.linalg.det(np.reshape(b, (4, 4))), a), A.ravel())
    np.testing.assert_allclose(got, want, atol=1e-8)


def test_det_hessian_of_a_large_singular_matrix():
    """linalg43: Gaussian elimination with complete pivoting on the duals gives det's
    Hessian at any singular matrix whose block of exact zeros left is at most 4 x 4
    (the Laplace expansion's limit; it raised for every singular 5 x 5 before):
    det(diag(x)) = prod(x), so H_ij = prod_{k != i, j} x_k (analytic).  A larger
    block of zeros still raises, naming it."""
    for x in (np.array([1.0, 2.0, 3.0, 4.0, 0.0]), np.array([1.0, 2.0, 0.0, 3.0, 0.0])):
        want = np.array([[0.0 if i == j else np.prod(np.delete(x, [i, j])) for j in range(5)]
                         for i in range(5)])
        np.testing.assert_allclose(dg.hessian(lambda x: np.linalg.det(np.diag(x)), x), want,
                                   rtol=1e-15, atol=1e-15)
    x = np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    with pytest.raises(TypeError, match=r"np.linalg.det inside a Hessian of a matrix whose "
                                        r"rank is 1 or less \(5 x 5 block of zeros.*Fix"):
        dg.hessian(lambda x: np.linalg.det(np.diag(x)), x)


def test_pinv_honours_rcond_and_hermitian():
    """The value is NumPy's own pinv with the same ``rcond``/``hermitian`` (they were
    dropped: a different matrix came back), the derivative that of what NumPy reads,
    and a cutoff that drops a singular value raises (the rank changes there)."""
    A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.1]])                   # s = 9.59, 0.49
    f = lambda A: np.linalg.pinv(A, rcond=0.01)                           # noqa: E731
    value, _ = dg.jvp(f, A, np.ones_like(A))
    np.testing.assert_allclose(value, np.linalg.pinv(A, rcond=0.01), rtol=1e-15)
    np.testing.assert_allclose(dg.jacobian(f, A), numerical_jacobian(f, A), rtol=1e-7, atol=1e-8)
    with pytest.raises(TypeError, match="pinv with rcond=0.1 drops singular values"):
        dg.jacobian(lambda A: np.linalg.pinv(A, rcond=0.1), A)
    S = np.array([[2.0, 1.0], [5.0, 3.0]])                               # not symmetric
    h = lambda A: np.linalg.pinv(A, hermitian=True)                       # noqa: E731
    value, _ = dg.jvp(h, S, np.ones_like(S))
    np.testing.assert_allclose(value, np.linalg.pinv(S, hermitian=True), rtol=1e-14)
    np.testing.assert_allclose(dg.jacobian(h, S), numerical_jacobian(h, S), rtol=1e-7, atol=1e-8)


def test_svd_hermitian_reads_the_lower_triangle():
    S = np.array([[2.0, 1.0, 0.5], [5.0, 3.0, -1.0], [0.2, 0.7, -4.0]])   # not symmetric
    for f in (lambda A: np.linalg.svd(A, hermitian=True, compute_uv=False),
              lambda A: np.linalg.svd(A, hermitian=True)[0] * np.sign(
                  np.linalg.svd(A, hermitian=True)[0][0])):
        np.testing.assert_allclose(dg.jacobian(f, S), numerical_jacobian(f, S),
                                   rtol=1e-7, atol=1e-8)


def test_lstsq_singular_values_move_with_a():
    # lstsq's 4th output is A's singular values: their derivative is A's, not 0 (it
    # was NumPy's array from A's value); b alone leaves them constant
    A = np.array([[4.0, 1.0], [0.2, 3.0], [0.3, 0.4], [1.0, -2.0]])
    b = np.array([1.0, 2.0, 0.5, -1.0])

    def sv(x):
        return np.linalg.lstsq(np.reshape(x, (4, 2)), b)[3]
    want = numerical_jacobian(lambda x: np.linalg.svd(np.reshape(x, (4, 2)),
                                                      compute_uv=False), A.ravel())
    np.testing.assert_allclose(dg.jacobian(sv, A.ravel()), want, atol=1e-8)
    assert dg.jacobian(sv, A.ravel()).any()
    const = dg.jacobian(lambda y: np.linalg.lstsq(A, y)[3], b)
    np.testing.assert_array_equal(const, np.zeros((2, 4)))
    H = dg.hessian(lambda x: np.sum(sv(x) ** 3), A.ravel())
    H_svd = dg.hessian(lambda x: np.sum(np.linalg.svd(np.reshape(x, (4, 2)),
                                                      compute_uv=False) ** 3), A.ravel())
    np.testing.assert_allclose(H, H_svd, rtol=1e-12, atol=1e-12)


def test_namedtuple_results_stack_like_tuples():
    # slogdet's and qr's results are namedtuples: np.stack / np.hstack of them took
    # NumPy's namedtuple constructor a generator (TypeError)
    A = M + 3.0 * np.eye(3)
    J = dg.jacobian(lambda x: np.stack(np.linalg.slogdet(np.reshape(x, (3, 3)))),
                    A.ravel())
    np.testing.assert_array_equal(J[0], np.zeros(9))                   # the sign
    np.testing.assert_allclose(J[1], np.linalg.inv(A).T.ravel(), rtol=1e-13)
    Jh = dg.jacobian(lambda x: np.hstack(np.linalg.slogdet(np.reshape(x, (3, 3)))),
                     A.ravel())
    np.testing.assert_array_equal(Jh, J)
    Q = dg.jacobian(lambda x: np.stack(np.linalg.qr(np.reshape(x, (3, 3)))), A.ravel())
    want = numerical_jacobian(lambda x: np.stack(np.linalg.qr(np.reshape(x, (3, 3)))),
                              A.ravel())
    np.testing.assert_allclose(Q, want, atol=1e-8)


@pytest.mark.parametrize("axis", [0, -2, 1, -1])
def test_vecdot_along_any_axis(axis):
    # np.vecdot's axis= (axes=[(axis,), (axis,), ()]) raised 'not supported'
    rng = np.random.default_rng(5)
    B = rng.standard_normal((3, 4))
    x0 = rng.standard_normal(15)

    def f(x):
        return np.vecdot(np.reshape(x[:12], (3, 4)), B, axis=axis) + \
            np.vecdot(B, np.reshape(x[:12], (3, 4)) * x[12], axis=axis)
    J = dg.jacobian(f, x0)
    assert J.shape == np.vecdot(B, B, axis=axis).shape + (15,)
    np.testing.assert_allclose(J, numerical_jacobian(f, x0), atol=1e-8)


def test_lstsq_of_a_square_system_returns_numpys_empty_residuals():
    # a square A forms no residual (NumPy returns an empty array): x's partials are
    # solve's; oracle: the complex step of np.linalg.solve along each direction
    rng = np.random.default_rng(11)
    A = rng.standard_normal((4, 4)) + 4 * np.eye(4)
    b = rng.standard_normal(4)
    PA, Pb = rng.standard_normal((4, 4, 3)), rng.standard_normal((4, 3))
    tag = dg.dual._base.new_tag()
    x, sums, rank, sv = np.linalg.lstsq(dg.Dual(A, PA, tag=tag), dg.Dual(b, Pb, tag=tag))
    want_x, want_sums, want_rank, _ = np.linalg.lstsq(A, b)
    assert type(sums) is np.ndarray and sums.shape == want_sums.shape == (0,)
    assert sums.dtype == want_sums.dtype and rank == want_rank
    h = 1e-30
    want = np.stack([np.imag(np.linalg.solve(A + 1j * h * PA[..., k], b + 1j * h * Pb[:, k]))
                     / h for k in range(3)], axis=-1)
    np.testing.assert_allclose(x.partials, want, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("m", [2, 4, 6])
def test_svd_of_a_real_square_matrix_takes_the_short_lines(m, monkeypatch):
    """One real square matrix with distinct singular values (prod14's short lines, no
    ``(dA V - U P) / s`` terms, which vanish for a square matrix): NumPy's factors bit
    for bit, each direction's partials central differences' of ``np.linalg.svd``; a
    tie or a rank deficiency still takes the general lines (their NaN or error)."""
    from dualgrad.dispatch import _linalg
    taken = []
    square = _linalg._svd_square
    monkeypatch.setattr(_linalg, "_svd_square",
                        lambda *args: taken.append(square(*args)) or taken[-1])
    rng = np.random.default_rng(m)
    A, p = rng.standard_normal((m, m)), rng.standard_normal((m, m, 3))
    U, s, Vt = np.linalg.svd(dg.Dual(A, p))
    assert taken[-1] is not None
    for got, want in zip((U, s, Vt), np.linalg.svd(A)):
        np.testing.assert_array_equal(got.value, want)
    h = 1e-6
    for k in range(3):
        plus, minus = np.linalg.svd(A + h * p[..., k]), np.linalg.svd(A - h * p[..., k])
        for got, hi, lo in zip((U, s, Vt), plus, minus):
            np.testing.assert_allclose(got.partials[..., k], (hi - lo) / (2 * h),
                                       rtol=0, atol=1e-7)
    U, s, Vt = np.linalg.svd(dg.Dual(np.eye(m), p))          # ties: general lines' NaN
    assert taken[-1] is None and np.isnan(U.partials).any()
    with pytest.raises(TypeError, match="rank-deficient"):
        np.linalg.svd(dg.Dual(np.ones((m, m)), p))
    assert taken[-1] is None


def test_lstsq_of_an_ill_conditioned_fit_keeps_its_accuracy():
    """attack24: lstsq's partials solved the normal equations, squaring A's condition
    number: a degree-11 polynomial fit (cond 1.2e8) was 3e-2 off in d coeffs / d data.
    x = A+ b, so that Jacobian is A+ itself (NumPy's pinv from the SVD, ~1e-10 here);
    and the direction along A against central differences of NumPy's own lstsq."""
    t = np.linspace(0.0, 1.0, 40)
    A = np.vander(t, 12)
    assert np.linalg.cond(A) > 1e7
    y = np.cos(3.0 * t)
    J = dg.jacobian(lambda v: np.linalg.lstsq(A, v, rcond=None)[0], y)
    np.testing.assert_allclose(J, np.linalg.pinv(A), rtol=0, atol=1e-7 * np.abs(J).max())
    B = np.vander(np.linspace(0.0, 1.0, 30), 6)
    E = np.random.default_rng(3).standard_normal(B.shape)
    g = dg.derivative(lambda h: np.linalg.lstsq(B + h * E, y[:30], rcond=None)[0], 0.0)
    def fit(h):
        return np.linalg.lstsq(B + h * E, y[:30], rcond=None)[0]
    h = 1e-6                                         # fourth-order central differences
    fd = (8.0 * (fit(h) - fit(-h)) - (fit(2 * h) - fit(-2 * h))) / (12.0 * h)
    np.testing.assert_allclose(g, fd, rtol=0, atol=1e-8 * np.abs(fd).max())


def test_a_cutoff_that_truncates_a_full_rank_matrix_is_named():
    """attack24: lstsq / pinv given an rcond (rtol) that drops singular values of a
    matrix of full rank said "rank-deficient"; the message now names the cutoff and
    its fix, and a cutoff below every singular value keeps the exact derivative."""
    A = np.vander(np.linspace(0.0, 1.0, 8), 4)
    b = np.arange(8.0)
    cases = [(lambda p: np.linalg.lstsq(A * p[0], b, rcond=0.5)[0], "lstsq with rcond=0.5"),
             (lambda p: np.linalg.pinv(A * p[0], rcond=0.5), "pinv with rcond=0.5"),
             (lambda p: np.linalg.pinv(A * p[0], rtol=0.5), "pinv with rtol=0.5")]
    for f, named in cases:
        with pytest.raises(TypeError, match=named + r".*full rank.*drop r"):
            dg.jacobian(f, np.array([1.3]))
    f = lambda p: np.linalg.lstsq(A * p[0], b, rcond=1e-3)[0]
    x0 = np.linalg.lstsq(A, b, rcond=1e-3)[0]              # x(p) = x0 / p: dx/dp = -x0 / p^2
    np.testing.assert_allclose(dg.jacobian(f, np.array([1.3]))[:, 0], -x0 / 1.3 ** 2,
                               rtol=1e-12, atol=1e-12)
    low = np.column_stack([A[:, 0], A[:, 0], A[:, 1]])        # rank 2 of 3 at any cutoff
    with pytest.raises(TypeError, match="rank-deficient"):
        dg.jacobian(lambda p: np.linalg.lstsq(low * p[0], b, rcond=1e-3)[0], np.array([1.3]))


def test_lstsq_of_a_fixed_complex_matrix_in_a_holomorphic_hessian():
    """attack27: the Hessian's inner level formed lstsq's residual sums |r|**2, whose
    np.real the outer (holomorphic) level refused, though f never used them.  The
    Hessian of sum(lstsq(A, z * z)) is 2 diag(pinv(A).sum(0))."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((5, 3)) + 1j * rng.standard_normal((5, 3))
    z = rng.standard_normal(5) + 1j * rng.standard_normal(5)
    H = dg.hessian(lambda v: np.sum(np.linalg.lstsq(A, v * v, rcond=None)[0]), z,
                   holomorphic=True)
    want = np.diag(2 * np.linalg.pinv(A).sum(0))
    np.testing.assert_allclose(H, want, rtol=1e-12, atol=1e-13 * np.abs(want).max())


def test_lstsq_residual_stand_in_tells_its_size():
    """attack27: ``if res.size:`` (NumPy's way to ask whether lstsq formed the sums) and
    len(res) raised the not-holomorphic error on the stand-in; they give NumPy's sizes
    ((1,) for a vector b, (K,) for K columns) and x is still pinv(A) b's."""
    rng = np.random.default_rng(1)
    A = rng.standard_normal((5, 3)) + 1j * rng.standard_normal((5, 3))
    seen = []

    def f(b):
        x, res, _, _ = np.linalg.lstsq(A, b, rcond=None)
        seen.append((res.shape, res.size, res.ndim, len(res)))
        return x
    J = dg.jacobian(f, np.ones(5) + 0j, holomorphic=True)
    np.testing.assert_allclose(J, np.linalg.pinv(A), rtol=1e-12, atol=1e-14)
    dg.jacobian(f, np.ones((5, 2)) + 0j, holomorphic=True)
    assert seen == [((1,), 1, 1, 1), ((2,), 2, 1, 2)]
    with pytest.raises(TypeError, match=r"lstsq's residual sums"):
        dg.jacobian(lambda b: np.linalg.lstsq(A, b, rcond=None)[1] + b[0], np.ones(5) + 0j,
                    holomorphic=True)


def test_a_rank_deficient_matrix_is_refused_with_its_rank_and_a_full_rank_spelling():
    """attack59 07: pinv / lstsq of np.outer(v, w) (rank 1 wherever v != 0, so smooth
    there) were refused as "its derivative does not exist there", which is false for
    this matrix; one point cannot tell a constant rank from a changing one
    (pinv(diag(1, t**2)) jumps at t = 0), so the refusal stays and names the rank and a
    full-rank spelling, whose derivative matches the closed form's."""
    w = np.array([1.0, 2.0])
    x = np.array([0.3, 1.2, 2.0])
    for f in (lambda v: np.linalg.pinv(np.outer(v, w)),
              lambda v: np.linalg.lstsq(np.outer(v, w), v, rcond=None)[0]):
        with pytest.raises(TypeError, match=r"rank-deficient matrix: expected full rank "
                                            r"2, got rank 1.*np\.outer\(w, v\) /"):
            dg.jacobian(f, x)
    with pytest.raises(TypeError, match=r"expected full rank 2, got rank 1"):
        dg.derivative(lambda t: np.linalg.pinv(np.diag(np.stack([1.0 + 0 * t, t ** 2]))), 0.0)
    J = dg.jacobian(lambda v: np.outer(w, v) / ((v @ v) * (w @ w)), x)
    s = x @ x                     # d/dv_k of w_i v_j / (s |w|^2), s = |v|^2
    want = (w[:, None, None] * (np.eye(3)[None] / s - 2 * np.outer(x, x)[None] / s ** 2)
            / (w @ w))
    np.testing.assert_allclose(J, want, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("s", [1e-4, 1e-6, 1e-8, 1e-9])
@pytest.mark.parametrize("wide", [False, True])
def test_pinv_of_an_ill_conditioned_full_rank_matrix(s, wide):
    """attack59 12: pinv's derivative formed I - A+ A (exactly 0 for full column rank)
    in floats, cond(A) * eps, then multiplied it by A+^H A+ ~ 1 / s_min**2: the rows of
    the large singular values were 1e-4 off at cond 1e6 and 100 % at 1e8.  Oracles:
    the thin SVD's closed form (A+ = V S^-1 U^H, A+ A+^H = V S^-2 V^H, I - A A+ = I -
    U U^H; the wide case transposed), each row relative to its largest entry, and
    fourth-order central differences of NumPy's own pinv."""
    x = np.array([0.3, 1.2, 2.0, -0.7, 0.5, 1.1])
    D = np.diag([1.0, s])

    def A_of(v):
        A = v.reshape(3, 2) @ D
        return A.T if wide else A

    def f(v):
        return np.linalg.pinv(A_of(v)).ravel()

    A = A_of(x)
    T = A.T if wide else A                   # tall: the transpose's pinv is pinv's transpose
    U, sv, Vh = np.linalg.svd(T, full_matrices=False)
    P = np.linalg.pinv(T)
    cols = []
    for c in range(6):
        dA = np.zeros(6)
        dA[c] = 1.0
        dT = dA.reshape(3, 2) @ D
        dP = -P @ dT @ P + (Vh.T / sv ** 2) @ Vh @ dT.T @ (np.eye(3) - U @ U.T)
        cols.append((dP.T if wide else dP).ravel())
    want = np.stack(cols, axis=1)
    got = dg.jacobian(f, x)
    scale = np.abs(want).max(axis=1, keepdims=True)
    assert np.max(np.abs(got - want) / scale) < 1e-12
    h = 1e-6
    fd = np.stack([(8 * (f(x + h * e) - f(x - h * e)) - (f(x + 2 * h * e) - f(x - 2 * h * e)))
                   / (12 * h) for e in np.eye(6)], axis=1)
    assert np.max(np.abs(got - fd) / scale) < 1e-7
