"""Derivatives through ``eigh``, ``svd`` and ``eig`` at exactly repeated eigenvalues
(singular values), and ``slogdet`` at an exactly singular matrix (attack12, scripts 02,
03, 05).

At ``A = I`` or ``diag(1, 1, 2)`` the vectors' coupling ``F_ij = 1 / (w_j - w_i)`` of the
equal pair is ``1 / 0``.  It was set to 0, which made ``V diag(f(w)) V^T`` (expm, sqrtm,
the inverse written with ``eigh``/``svd``/``eig``) and second derivatives of spectral
functions (``sum(eigvalsh(A)**2) = tr(A^2)``) silently wrong.  Now: exact where the
perturbation does not mix the pair (``C_ij`` exactly 0), NaN (never a number) where it
does.  The oracles are analytic: at a diagonal ``A0 = diag(a)`` the derivative of the
matrix function ``f(A0 + tC)`` is ``C_ij f[a_i, a_j]`` (the divided difference, ``f'(a_i)``
where ``a_i == a_j``); central differences across a tiny gap are no oracle at the
degenerate point.
"""

import numpy as np
import pytest

import dualgrad as dg


def _divided(f, df, a):
    """``f[a_i, a_j]``: ``(f(a_i) - f(a_j)) / (a_i - a_j)``, ``f'(a_i)`` on equal pairs."""
    ai, aj = a[:, None], a[None, :]
    same = ai == aj
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = (f(ai) - f(aj)) / np.where(same, 1.0, ai - aj)
    return np.where(same, df(ai + 0 * aj), dd)


def _expm_eigh(A):
    w, V = np.linalg.eigh(A)                            # (a stack too)
    return (V * np.exp(w)[..., None, :]) @ np.swapaxes(V, -1, -2)


def _sqrtm_eigh(A):
    w, V = np.linalg.eigh(A)
    return (V * np.sqrt(w)) @ V.T


def _inv_svd(A):
    U, s, Vt = np.linalg.svd(A)
    return (Vt.T / s) @ U.T


def _recon_svd(A):
    U, s, Vt = np.linalg.svd(A)
    return (U * s) @ Vt


def _expm_eig(A):
    w, V = np.linalg.eig(A)
    return (V * np.exp(w)) @ np.linalg.inv(V)


# the matrix function, f and f' on the eigenvalues, whether it needs C symmetric
_FUNCS = {
    "expm via eigh": (_expm_eigh, np.exp, np.exp, True),
    "sqrtm via eigh": (_sqrtm_eigh, np.sqrt, lambda x: 0.5 / np.sqrt(x), True),
    "inverse via svd": (_inv_svd, lambda x: 1 / x, lambda x: -1 / x ** 2, False),
    "reconstruction via svd": (_recon_svd, lambda x: x, np.ones_like, False),
    "expm via eig": (_expm_eig, np.exp, np.exp, False),
}
_POINTS = [np.ones(3), np.array([1.0, 1.0, 2.0]), np.array([2.0, 1.0, 2.0])]


def _direction(a, mixing, symmetric, seed=0):
    """A direction ``C``: nonzero everywhere except, unless ``mixing``, the pairs of
    equal diagonal entries of ``A0 = diag(a)``."""
    C = np.random.default_rng(seed).uniform(0.5, 1.5, (3, 3))
    if symmetric:
        C = C + C.T
    if not mixing:
        C[(a[:, None] == a[None, :]) & ~np.eye(3, dtype=bool)] = 0.0
    return C


@pytest.mark.parametrize("name", sorted(_FUNCS))
@pytest.mark.parametrize("k", range(len(_POINTS)))
def test_matrix_functions_exact_where_the_repeated_pair_does_not_mix(name, k):
    func, f, df, symmetric = _FUNCS[name]
    a = _POINTS[k]
    C = _direction(a, False, symmetric)
    got = dg.derivative(lambda t: func(np.diag(a) + t * C), 0.0)
    want = C * _divided(f, df, a)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(_FUNCS))
@pytest.mark.parametrize("k", range(len(_POINTS)))
def test_matrix_functions_give_nan_not_a_number_where_the_pair_mixes(name, k):
    """The old code gave 0 for the mixed pair's entries (e.g. ``d/dt expm(I + tB)[0, 1]``
    was 0, not ``e``); the vectors have no derivative there: NaN, never a wrong
    number.  Every finite entry is the exact one."""
    func, f, df, symmetric = _FUNCS[name]
    a = _POINTS[k]
    C = _direction(a, True, symmetric)
    got = dg.derivative(lambda t: func(np.diag(a) + t * C), 0.0)
    want = C * _divided(f, df, a)
    assert np.isnan(got).any()
    ok = np.isfinite(got)
    np.testing.assert_allclose(got[ok], want[ok], rtol=1e-12, atol=1e-12)


def test_attackers_reconstruction_is_nan_not_zero():
    B = np.array([[0.0, 1, 0], [1, 0, 0], [0, 0, 0]])
    recon = lambda t: (lambda w, V: (V * w) @ V.T)(*np.linalg.eigh(np.eye(3) + t * B))  # noqa: E731
    got = dg.derivative(recon, 0.0)                      # the exact value is B
    assert np.isnan(got[0, 1]) and np.isnan(got[1, 0])
    J = dg.jacobian(lambda x: _sqrtm_eigh(x.reshape(2, 2)).ravel(), np.eye(2).ravel())
    # d sqrt(I + E) = E / 2; eigh reads the lower triangle, so A[0, 1] moves nothing
    want = np.zeros((4, 4))
    want[0, 0] = want[3, 3] = 0.5
    want[1, 2] = want[2, 2] = 0.5                       # A[1, 0] mirrored: out[0, 1], [1, 0]
    assert np.isnan(J[:, 2]).all()                      # A[1, 0] mixes the pair: NaN
    np.testing.assert_array_equal(np.delete(J, 2, axis=1), np.delete(want, 2, axis=1))


@pytest.mark.parametrize("a", [np.ones(3), np.array([1.0, 1.0, 2.0])])
def test_second_derivatives_of_spectral_functions_nan_or_exact(a):
    """``sum(eigvalsh(A)**2) = tr(A^2)``, ``sum(svd(A)**2) = ||A||_F^2`` and
    ``sum(eigh(A)[0]**3) = tr(A^3)``: second derivatives along ``C`` are ``2 tr(C^2)``,
    ``2 ||C||_F^2``, ``6 tr(A C^2)``.  Along a direction that mixes the equal pair the
    old code gave 0 instead of 4 (a gap of 1e-15 gave 4): now NaN.  Along one that does
    not mix it (diagonal), the exact value through ``eigh`` (whose values keep
    ``diag(V^H dA V)``, the branch that pairs with the vectors); through ``eigvalsh``
    (linalg43: each value of a cluster takes the cluster's mean at first order, as
    ``np.sort``) and ``svd(compute_uv=False)`` (spectral44: the same, its values alone
    pair with no vectors; LAPACK's member gave 1.0 at ``I + t [[1, 1], [1, 0]]``, whose
    one-sided derivatives are 1.618 and -0.618) a direction that splits the cluster
    gives NaN at second order: the sum of squares of means is not the sum of squares
    (1 1; 1 1 instead of 2 I), and the sorted values have a kink there."""
    A = np.diag(a)
    fs = [(lambda X: np.sum(np.linalg.eigvalsh(X) ** 2), lambda C: 2 * np.trace(C @ C)),
          (lambda X: np.sum(np.linalg.svd(X, compute_uv=False) ** 2),
           lambda C: 2 * np.sum(C * C)),
          (lambda X: np.sum(np.linalg.eigh(X)[0] ** 3), lambda C: 6 * np.trace(A @ C @ C))]
    mixing = np.array([[0.0, 1, 0], [1, 0, 0], [0, 0, 0]])
    still = np.diag([0.3, -0.7, 1.1])
    for k, (f, exact) in enumerate(fs):
        d2 = dg.derivative(lambda s: dg.derivative(lambda t: f(A + t * mixing), s), 0.0)
        assert np.isnan(d2)
        d2 = dg.derivative(lambda s: dg.derivative(lambda t: f(A + t * still), s), 0.0)
        if k in (0, 1):             # eigvalsh, svd's values alone: the cluster's mean
            assert np.isnan(d2)
            continue
        np.testing.assert_allclose(d2, exact(still), rtol=1e-13)


def test_full_hessian_of_eigvalsh_squares_at_identity_nan_or_exact():
    """``f = a00^2 + 2 a10^2 + a11^2`` (eigvalsh reads the lower triangle): every entry
    of the Hessian is NaN or the exact one; through eigh's values (which pair with its
    vectors: diag(V^H dA V) where the direction does not mix the pair) the diagonal's
    pairs are exact.  Through eigvalsh (linalg43: the cluster's mean at first order)
    a00 and a11 split the cluster: NaN there too, a01 (never read) exact 0."""
    want = np.diag([2.0, 0.0, 4.0, 2.0])
    for values in (np.linalg.eigvalsh, lambda A: np.linalg.eigh(A)[0]):
        H = dg.hessian(lambda A: np.sum(values(A) ** 2), np.eye(2)).reshape(4, 4)
        ok = np.isfinite(H)
        assert not ok.all()
        np.testing.assert_array_equal(H[ok], want[ok])
    assert H[0, 0] == 2.0 and H[3, 3] == 2.0 and H[0, 3] == 0.0
    H = dg.hessian(lambda A: np.sum(np.linalg.eigvalsh(A) ** 2), np.eye(2)).reshape(4, 4)
    assert H[1, 1] == 0.0 and np.isnan(H[0, 0]) and np.isnan(H[3, 3])


def test_degenerate_rule_keeps_stacked_and_nondegenerate_matrices_apart():
    """A stack of an identity and a matrix with distinct eigenvalues: the second's
    derivatives are those of it alone (to an ulp or two: on some CPUs the stacked
    matmul and eigh take other BLAS / LAPACK kernels than the 2-D ones, 1.8e-15
    apart here; the degenerate identity leaking in would be NaN or O(1))."""
    M = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 3.0]])
    C = np.array([[0.5, 1.0, 0.2], [1.0, -0.3, 0.4], [0.2, 0.4, 0.1]])
    alone = dg.derivative(lambda t: _expm_eigh(M + t * C), 0.0)
    both = dg.derivative(lambda t: _expm_eigh(np.stack([np.eye(3), M]) + t * C), 0.0)
    np.testing.assert_allclose(both[1], alone, rtol=4e-16 * 8, atol=0)
    assert np.isnan(both[0]).any()


def _cofactors(M):
    return np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(M, i, 0), j, 1))
                      for j in range(M.shape[1])] for i in range(M.shape[0])])


def test_slogdet_of_a_singular_matrix_gives_numpys_values_and_adjugate_over_zero():
    """NumPy gives ``(0, -inf)``; the old code raised LinAlgError.  ``d log|det| =
    tr(adj(A) dA) / det``: the cofactor over 0, so +-inf by the cofactor's sign (NaN
    where it is 0); the sign's partials 0."""
    M = np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert np.linalg.slogdet(M) == (0.0, -np.inf)
    got = dg.gradient(lambda m: np.linalg.slogdet(m)[1], M)
    cof = np.round(_cofactors(M), 9)                           # -3, 6, -3; 6, -12, 6; ...
    with np.errstate(divide="ignore", invalid="ignore"):
        np.testing.assert_array_equal(got, cof / 0.0)
    sign = dg.jacobian(lambda m: np.linalg.slogdet(m)[0], M)
    np.testing.assert_array_equal(sign, np.zeros((3, 3)))
    # rank 1 of 3: every cofactor 0, so 0 / 0
    assert np.isnan(dg.gradient(lambda m: np.linalg.slogdet(m)[1], np.diag([1.0, 0, 0]))).all()
    # a stack: the regular matrix keeps tr(A^-1 dA) = (A^-1)^T, the singular one's
    # log|det| does not depend on the other's entries (0)
    S = np.stack([M, 2.0 * np.eye(3)])
    J = dg.jacobian(lambda m: np.linalg.slogdet(m)[1], S).reshape(2, 2, 9)
    np.testing.assert_array_equal(J[0, 1], np.zeros(9))
    np.testing.assert_array_equal(J[1, 0], np.zeros(9))
    np.testing.assert_allclose(J[1, 1], (0.5 * np.eye(3)).ravel(), rtol=1e-15)
    assert np.isinf(J[0, 0]).all()
    # complex: log|det| as the real case, the sign's partials 0
    got = dg.gradient(lambda m: np.linalg.slogdet(m * (1 + 1j))[1], M)
    with np.errstate(divide="ignore", invalid="ignore"):
        assert np.array_equal(np.isinf(got), np.isinf(cof / 0.0))
    for part in (np.real, np.imag):
        sign = dg.jacobian(lambda m: part(np.linalg.slogdet(m * (1 + 1j))[0]), M)
        np.testing.assert_array_equal(sign, np.zeros((3, 3)))
