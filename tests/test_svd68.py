"""Singular values and vectors whose pairs only looked tied (attack68 F1, F1b, F1c): the tie
test on ``s`` itself (``NEAR k eps s_1``, not on ``s^2``), the gaps ``1 / ((s_j - s_i)(s_j +
s_i))`` on ``s / s_1``, and a stack's a priori ties resolved matrix by matrix.

The oracle is first-order perturbation theory evaluated in mpmath on mpmath's own SVD /
eigendecomposition of the (rounded) float64 matrix at 40 digits: ``ds_i = u_i^T dA v_i``,
``du_k = sum_i u_i (P_ik s_k + s_i P_ki) / (s_k^2 - s_i^2)`` (``P = U^T dA V``, square),
``dw_i = q_i^T dA q_i``; the vectors compared through the sign-free ``u_k u_k^T``."""

import numpy as np
import pytest

import dualgrad as dg

mpmath = pytest.importorskip("mpmath")
mp = mpmath.mp
pytestmark = pytest.mark.mp_dps(40)   # (tests/conftest.py)


def _orthogonal(seed, m):
    rng = np.random.default_rng(seed)
    return (np.linalg.qr(rng.standard_normal((m, m)))[0],
            np.linalg.qr(rng.standard_normal((m, m)))[0])


def _mp_svd(A):
    """mpmath's SVD of the float64 matrix ``A`` (exact entries), at 40 digits."""
    U, S, V = mp.svd_r(mp.matrix(A.tolist()))
    return U, S, V.T                            # (mpmath gives V^T)


def _oracle_values(A):
    """``d s_i / d A_ab = u_ai v_bi`` (``(k, m * n)`` floats)."""
    U, S, V = _mp_svd(A)
    m, n = A.shape
    return np.array([[float(U[a, i] * V[b, i]) for a in range(m) for b in range(n)]
                     for i in range(len(S))])


def _oracle_projector(A, k):
    """``d (u_k u_k^T)_{cd} / d A_ab`` (``(m * m, m * m)`` floats) of a square ``A``."""
    U, S, V = _mp_svd(A)
    m = A.shape[0]
    out = np.zeros((m * m, m * m))
    for a in range(m):
        for b in range(m):
            du = [mp.mpf(0)] * m                # du_k = sum_i u_i X_ik
            for i in range(m):
                if i == k:
                    continue
                Pik, Pki = U[a, i] * V[b, k], U[a, k] * V[b, i]
                x = (Pik * S[k] + S[i] * Pki) / (S[k] ** 2 - S[i] ** 2)
                du = [du[r] + U[r, i] * x for r in range(m)]
            for c in range(m):
                for d in range(m):
                    out[c * m + d, a * m + b] = float(du[c] * U[d, k] + U[c, k] * du[d])
    return out


def test_stack_singular_values_are_not_averaged_at_a_close_distinct_pair():
    # singular values (1e8, 1.01, 1) stacked with 2 I: the pair (1.01, 1) was tied by the
    # test on s^2 (within 8 m eps 1e16) and a stack kept the tie, its slopes the pair's
    # mean (d s_3 / d A_00 0.22 for 0.64); one matrix alone was right
    Q1, Q2 = _orthogonal(0, 3)
    M = Q1 @ np.diag([1e8, 1.01, 1.0]) @ Q2.T
    want = _oracle_values(M)
    stack = np.array([M, 2 * np.eye(3)])
    J = dg.jacobian(lambda x: np.linalg.svd(x.reshape(2, 3, 3), compute_uv=False),
                    stack.ravel())[0, :, :9]
    # LAPACK's s_2, s_3 are within ~eps 1e8 of the exact ones, their vectors ~2e-6 / gap
    np.testing.assert_allclose(J, want, rtol=0, atol=1e-5)
    Jv = dg.jacobian(lambda x: np.linalg.svdvals(x.reshape(2, 3, 3)), stack.ravel())[0, :, :9]
    np.testing.assert_allclose(Jv, want, rtol=0, atol=1e-5)


@pytest.mark.parametrize("scale", [1e-170, 1e-200, 1e150])
def test_stack_singular_values_at_extreme_scales(scale):
    # the squares underflowed (1e-170: every pair tied, 0.58 off) -- d s / d A does not
    # depend on the scale, so the oracle is that of the unscaled stack's members
    B = np.random.default_rng(5).standard_normal((2, 3, 3))
    want = np.array([_oracle_values(b) for b in B])               # (2, 3, 9)
    J = dg.jacobian(lambda x: np.linalg.svd(x.reshape(2, 3, 3), compute_uv=False),
                    (B * scale).ravel()).reshape(2, 3, 2, 9)
    got = np.array([J[0, :, 0], J[1, :, 1]])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(J[0, :, 1], 0.0)                # no cross terms
    N = dg.jacobian(lambda x: np.linalg.norm(x.reshape(2, 3, 3), 2, axis=(-2, -1)),
                    (B * scale).ravel()).reshape(2, 2, 9)
    np.testing.assert_allclose([N[0, 0], N[1, 1]], want[:, 0], rtol=0, atol=1e-12)


def test_singular_vectors_at_a_close_pair_beside_a_large_value():
    # s = (1e8, 1.01, 1): every one of the 81 entries of d(u_2 u_2^T) / dA was NaN (the
    # pair tied on s^2), with no warning; exact: finite, up to ~32
    Q1, Q2 = _orthogonal(0, 3)
    M = Q1 @ np.diag([1e8, 1.01, 1.0]) @ Q2.T
    want = _oracle_projector(M, 1)

    def f(x):
        U = np.linalg.svd(x.reshape(3, 3))[0]
        return (U[:, 1:2] * U[:, 1]).ravel()
    J = dg.jacobian(f, M.ravel())
    assert np.isfinite(J).all()
    # LAPACK's vectors of the pair are ~eps 1e8 / 0.01 ~ 2e-6 off, their partials ~1e2 x
    np.testing.assert_allclose(J, want, rtol=0, atol=1e-3 * np.abs(want).max())


@pytest.mark.parametrize("scale", [1e-170, 1e-250, 1e200])
def test_singular_vectors_at_extreme_scales(scale):
    # a well-conditioned 3 x 3 at 1e-170: 27 of 27 NaN (s_j^2 - s_i^2 = 0 - 0), exact
    # ~3e170; d(u u^T) / dA at scale c is the unscaled one over c
    B = np.random.default_rng(7).standard_normal((3, 3))
    want = _oracle_projector(B, 0)

    def f(x):
        U = np.linalg.svd(x.reshape(3, 3))[0]
        return (U[:, 0:1] * U[:, 0]).ravel()
    J = dg.jacobian(f, (B * scale).ravel())
    np.testing.assert_allclose(J * scale, want, rtol=0, atol=1e-12 * np.abs(want).max())
    # the general lines (complex) take the same gaps
    Jc = dg.jacobian(lambda x: np.abs(np.linalg.svd(x.reshape(3, 3) + 0j)[0][:, 0]) ** 2,
                     (B * scale).ravel())
    diag = want.reshape(3, 3, 9)[np.arange(3), np.arange(3)]
    np.testing.assert_allclose(Jc * scale, diag, rtol=0, atol=1e-12 * np.abs(want).max())


def test_stack_eigvalsh_resolves_each_matrix():
    # eigenvalues (1e14, 1.5, 1): the pair is within 8 m eps 1e14 = 0.53 (tied a priori),
    # resolved by its residuals in one matrix; a stack kept the tie (0.63 off)
    Q = _orthogonal(0, 3)[0]
    S = Q @ np.diag([1e14, 1.5, 1.0]) @ Q.T
    S = 0.5 * (S + S.T)
    L = np.tril(np.ones((3, 3)), -1) * 2 + np.eye(3)     # NumPy reads the lower triangle
    w, E = mp.eigsy(mp.matrix(np.tril(S).tolist()) + mp.matrix(np.tril(S, -1).T.tolist()))
    order = np.argsort([float(x) for x in w])
    want = np.array([[float(E[j, i] * E[k, i]) * L[j, k] for j in range(3) for k in range(3)]
                     for i in order])
    other = 2 * np.eye(3) + np.diag([0.0, 1.0, 2.0])
    J = dg.jacobian(lambda x: np.linalg.eigvalsh(x.reshape(2, 3, 3)),
                    np.array([S, other]).ravel())[0, :, :9]
    # LAPACK's vectors of the pair: ~eps 1e14 / 0.5 ~ 4e-2 turned, the slopes ~2e-3 off
    np.testing.assert_allclose(J, want, rtol=0, atol=1e-2)


def test_stack_singular_values_resolve_a_tolerance_tie_by_each_matrix():
    # s = (1e3, 9 .. 3, 1 + 5e-12, 1) at m = 10: the pair is within NEAR m eps 1e3 = 1.8e-11
    # (tied a priori on s too), resolved by its dilation's residuals in one matrix; the
    # stack with 2 I kept the tie, its slopes the pair's mean (0.22 off).  The oracle is
    # u_i v_i^T of the planted factors (LAPACK's vectors of the pair ~1e-13 / 5e-12 off)
    m = 10
    Q1, Q2 = _orthogonal(2, m)
    M = Q1 @ np.diag([1e3, 9, 8, 7, 6, 5, 4, 3, 1 + 5e-12, 1.0]) @ Q2.T
    want = np.einsum("ji,ki->ijk", Q1, Q2).reshape(m, m * m)
    J = dg.jacobian(lambda x: np.linalg.svd(x.reshape(2, m, m), compute_uv=False),
                    np.array([M, 2 * np.eye(m)]).ravel())[0, :, :m * m]
    np.testing.assert_allclose(J, want, rtol=0, atol=1e-2)
