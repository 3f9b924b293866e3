"""dualgrad.dispatch._lapack calls np.linalg's gufuncs directly for plain float64
matrices: the results must be NumPy's own, bit for bit, and every failure NumPy's
own error (oracle: np.linalg itself), with the other dtypes passed on to np.linalg."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _lapack
from dualgrad.testing import numerical_jacobian


def _spd(rng, shape):
    B = rng.standard_normal(shape)
    return B @ np.swapaxes(B, -1, -2) + shape[-1] * np.eye(shape[-1])


@pytest.mark.parametrize("shape", [(1, 1), (4, 4), (3, 5, 5), (2, 3, 4, 4), (0, 0)])
def test_results_are_numpys_bits(shape):
    rng = np.random.default_rng(sum(shape))
    A = _spd(rng, shape) if shape[-1] else np.zeros(shape)
    b = rng.standard_normal(shape[:-1])
    B = rng.standard_normal(shape[:-1] + (3,))
    pairs = [(_lapack.inv(A), np.linalg.inv(A)), (_lapack.det(A), np.linalg.det(A)),
             (_lapack.cholesky(A), np.linalg.cholesky(A)),
             (_lapack.solve(A, B), np.linalg.solve(A, B))]
    if len(shape) == 2:
        pairs.append((_lapack.solve(A, b), np.linalg.solve(A, b)))
    for uplo in "LU":
        got, want = _lapack.eigh(A, uplo), np.linalg.eigh(A, uplo)
        pairs += list(zip(got, want))
    for got, want in pairs:
        assert type(got) is type(want)
        assert np.shape(got) == np.shape(want)
        np.testing.assert_array_equal(np.asarray(got).view(np.uint64),
                                      np.asarray(want).view(np.uint64))


def test_failures_raise_numpys_errors():
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    for ours, theirs, args in [(_lapack.inv, np.linalg.inv, (singular,)),
                               (_lapack.solve, np.linalg.solve, (singular, np.ones(2))),
                               (_lapack.cholesky, np.linalg.cholesky, (-np.eye(2),))]:
        with pytest.raises(np.linalg.LinAlgError) as want:
            theirs(*args)
        with pytest.raises(np.linalg.LinAlgError) as got:
            ours(*args)
        assert str(got.value) == str(want.value)
    with np.errstate(all="raise"):              # the caller's state is not consulted
        assert _lapack.inv(np.eye(2))[0, 0] == 1.0


def _same(got, want):
    assert type(got) is type(want)
    assert np.shape(got) == np.shape(want)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_array_equal(np.asarray(got).reshape(-1).view(np.uint8),
                                  np.asarray(want).reshape(-1).view(np.uint8))


@pytest.mark.parametrize("shape", [(4, 4), (6, 3), (3, 6), (1, 1), (5, 1)])
def test_lstsq_and_thin_svd_are_numpys_bits(shape):
    """Every output of lstsq (x, residuals, rank, singular values) with 1-D and 2-D
    right-hand sides, full rank and rank-deficient, default and given rcond, and a
    transposed (non-contiguous) matrix; the thin SVD's three factors."""
    rng = np.random.default_rng(sum(shape) + 16)
    A = rng.standard_normal(shape)
    deficient = A.copy()
    deficient[:, -1] = deficient[:, 0]
    for M in (A, deficient, np.ascontiguousarray(A.T).T):
        for b in (rng.standard_normal(shape[0]), rng.standard_normal((shape[0], 2))):
            for rcond in (None, 1e-3):
                got = _lapack.lstsq(M, b, rcond=rcond)
                want = np.linalg.lstsq(M, b, rcond=rcond)
                for g, w in zip(got, want):
                    _same(g, w)
        for g, w in zip(_lapack.svd_thin(M), np.linalg.svd(M, full_matrices=False)):
            _same(g, w)
    with pytest.raises(np.linalg.LinAlgError) as want:
        np.linalg.lstsq(A, np.ones(shape[0] + 1))
    with pytest.raises(np.linalg.LinAlgError) as got:
        _lapack.lstsq(A, np.ones(shape[0] + 1))
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("A", [np.eye(3, dtype=np.float32), np.eye(3) * (1 + 1j),
                               np.arange(9).reshape(3, 3) % 4 + np.eye(3, dtype=int)])
def test_other_dtypes_go_to_numpy(A):
    np.testing.assert_array_equal(_lapack.inv(A), np.linalg.inv(A))
    assert _lapack.inv(A).dtype == np.linalg.inv(A).dtype
    assert np.asarray(_lapack.det(A)).dtype == np.asarray(np.linalg.det(A)).dtype


@pytest.mark.parametrize("shape", [(4, 4), (3, 5, 5)])
def test_det_partials_from_the_inverse_match_the_complex_step(shape):
    # d det = det tr(A^{-1} dA): oracle, the complex step of det along each direction
    rng = np.random.default_rng(len(shape))
    A = rng.standard_normal(shape)
    P = rng.standard_normal(shape + (3,))
    got = np.linalg.det(dg.Dual(A, P))
    h = 1e-30
    want = np.stack([np.imag(np.linalg.det(A + 1j * h * P[..., k])) / h for k in range(3)],
                    axis=-1)
    np.testing.assert_array_equal(got.value, np.linalg.det(A))
    np.testing.assert_allclose(got.partials, want, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("shape", [(4, 4), (3, 5, 5)])
def test_slogdet_partials_from_the_inverse_match_the_complex_step(shape):
    # d log|det A| = tr(A^{-1} dA): oracle, the complex step of log(det) (a real A
    # with det > 0 after squaring: A A^T + I)
    rng = np.random.default_rng(len(shape) + 7)
    B = rng.standard_normal(shape)
    A = B @ np.swapaxes(B, -1, -2) + np.eye(shape[-1])
    P = rng.standard_normal(shape + (3,))
    sign, logdet = np.linalg.slogdet(dg.Dual(A, P))
    h = 1e-30
    want = np.stack([np.imag(np.log(np.linalg.det(A + 1j * h * P[..., k]))) / h
                     for k in range(3)], axis=-1)
    np.testing.assert_array_equal(logdet.value, np.linalg.slogdet(A)[1])
    np.testing.assert_allclose(logdet.partials, want, rtol=1e-12, atol=1e-13)


def _cholesky_textbook(A):
    """Cholesky-Banachiewicz of the lower triangle, no conjugation: analytic in the
    entries, so a complex step through it gives the derivative."""
    m = A.shape[0]
    L = np.zeros_like(A)
    for i in range(m):
        for j in range(i + 1):
            s = A[i, j] - sum(L[i, k] * L[j, k] for k in range(j))
            L[i, j] = np.sqrt(s) if i == j else s / L[j, j]
    return L


def test_cholesky_partials_read_the_lower_triangle_as_the_complex_step():
    # the plain float64 path (one error state for the factor and its inverse): oracle,
    # the complex step of a textbook Cholesky of the lower triangle; the upper
    # triangle's partials must not matter
    rng = np.random.default_rng(5)
    B = rng.standard_normal((4, 4))
    A = B @ B.T + 4 * np.eye(4)
    P = rng.standard_normal((4, 4, 3))
    got = np.linalg.cholesky(dg.Dual(A, P))
    np.testing.assert_array_equal(got.value, np.linalg.cholesky(A))
    h = 1e-30
    want = np.stack([np.imag(_cholesky_textbook(A + 1j * h * P[..., k])) / h
                     for k in range(3)], axis=-1)
    np.testing.assert_allclose(got.partials, want, rtol=1e-12, atol=1e-13)
    upper = np.triu(np.ones((4, 4)), 1)[..., None] * rng.standard_normal((4, 4, 3))
    moved = np.linalg.cholesky(dg.Dual(A, P + upper))
    np.testing.assert_array_equal(moved.partials, got.partials)


def _affine_family(rng, shape, n):
    """``A(x) = A0 + sum_k x_k B_k + x_0 x_1 C``: its first and second derivatives
    in closed form (``B_k``; ``C`` for the pair (0, 1), 0 otherwise)."""
    B0 = rng.standard_normal(shape)
    A0 = B0 @ np.swapaxes(B0, -1, -2) + shape[-1] * np.eye(shape[-1])
    B = 0.3 * rng.standard_normal((n,) + shape)
    C = 0.3 * rng.standard_normal(shape)

    def A(x):
        return A0 + np.tensordot(x, B, axes=1) + x[0] * x[1] * C

    def second(x, j, k):
        return C if {j, k} == {0, 1} else np.zeros(shape)

    def first(x, j):
        return B[j] + (x[1] * C if j == 0 else x[0] * C if j == 1 else 0.0)
    return A, first, second


@pytest.mark.parametrize("shape", [(5, 5), (2, 4, 4)])
def test_hessians_of_slogdet_and_det_through_nested_inverses(shape):
    """Nested duals (a Hessian) take ``tr(A^{-1} dA)`` from the dual inverse: oracle the
    closed form ``d2 log|det A| = tr(A^{-1} A_jk) - tr(A^{-1} A_j A^{-1} A_k)`` and
    ``d2 det = det (d_j log|det| d_k log|det| + d2 log|det|)``, summed over a stack."""
    rng = np.random.default_rng(len(shape) + 40)
    n = 3
    A, first, second = _affine_family(rng, shape, n)
    x = np.array([0.4, -0.7, 0.2])
    Ax = A(x)
    inv = np.linalg.inv(Ax)
    g = np.stack([np.trace(inv @ first(x, j), axis1=-2, axis2=-1) for j in range(n)], -1)
    H = np.empty(shape[:-2] + (n, n))
    for j in range(n):
        for k in range(n):
            H[..., j, k] = np.trace(inv @ second(x, j, k) - inv @ first(x, j) @ inv @
                                    first(x, k), axis1=-2, axis2=-1)
    det = np.linalg.det(Ax)[..., None, None]
    want_logdet = H.reshape((-1, n, n)).sum(axis=0)
    want_det = (det * (g[..., :, None] * g[..., None, :] + H)).reshape((-1, n, n)).sum(axis=0)
    got_logdet = dg.hessian(lambda x: np.sum(np.linalg.slogdet(A(x))[1]), x)
    got_det = dg.hessian(lambda x: np.sum(np.linalg.det(A(x))), x)
    np.testing.assert_allclose(got_logdet, want_logdet, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(got_det, want_det, rtol=1e-12,
                               atol=1e-13 * np.max(np.abs(want_det)))
    # third derivatives (three levels of duals) along the same route: oracle, central
    # differences of the Hessian
    third = dg.jacobian(lambda x: dg.hessian(lambda y: np.sum(np.linalg.slogdet(A(y))[1]),
                                             x).ravel(), x)
    want = numerical_jacobian(lambda x: dg.hessian(
        lambda y: np.sum(np.linalg.slogdet(A(y))[1]), x).ravel(), x)
    np.testing.assert_allclose(third, want, atol=1e-7)


def test_gaussian_process_hessian_through_solve_and_slogdet():
    """user22's GP (issue 13): 80 points, ``np.linalg.solve`` and ``slogdet`` of a
    kernel matrix built by broadcasting.  Oracle: 4th-order central differences of the
    exact gradient; ``jacobian(grad)`` agrees to rounding."""
    rng = np.random.default_rng(0)
    X = np.sort(rng.uniform(0, 10, 80))
    y = np.sin(X) + 0.1 * rng.normal(size=80)

    def nll(theta):
        ls, sf, sn = np.exp(theta)
        K = sf**2 * np.exp(-0.5 * (X[:, None] - X[None, :])**2 / ls**2) + \
            (sn**2 + 1e-8) * np.eye(80)
        return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * np.linalg.slogdet(K)[1]
    th = np.array([0.2, 0.1, -1.5])
    H = dg.hessian(nll, th)
    h = 1e-4
    cols = []
    for j in range(3):
        e = np.zeros(3)
        e[j] = h
        cols.append((8 * (dg.gradient(nll, th + e) - dg.gradient(nll, th - e)) -
                     (dg.gradient(nll, th + 2 * e) - dg.gradient(nll, th - 2 * e))) / (12 * h))
    scale = np.max(np.abs(H))
    np.testing.assert_allclose(H, np.array(cols), atol=1e-8 * scale)
    np.testing.assert_allclose(H, dg.jacobian(dg.grad(nll), th), atol=1e-13 * scale)
    np.testing.assert_array_equal(H, H.T)
