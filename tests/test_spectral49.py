"""eig / eigvals ties resolved by each pair's own residuals (eig49, attack48b 04b / 04c):
a close distinct pair that LAPACK resolves has its own derivatives; a repeated
eigenvalue (rounding's split) stays a tie."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _spectral

_R = lambda a, b: np.array([[a, -b], [b, a]])  # noqa: E731


def _normal(m, d, top, seed):
    """``Q blockdiag(R(1, 1), R(1, 1 + d), reals up to top) Q^T`` and the directions
    that move only the upper pair's (``E``) and only the lower pair's (``B``) imaginary
    parts: the exact gradient of ``max(w.imag)`` along ``(E, B)`` is ``[1, 0]``."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((m, m)))
    D = np.zeros((m, m))
    D[:2, :2], D[2:4, 2:4] = _R(1.0, 1.0), _R(1.0, 1.0 + d)
    D[4:, 4:] = np.diag(np.linspace(-top, top, m - 4)) if m > 5 else top
    E = Q @ np.pad(_R(0.0, 1.0), ((2, m - 4), (2, m - 4))) @ Q.T
    B = Q @ np.pad(_R(0.0, 1.0), ((0, m - 2), (0, m - 2))) @ Q.T
    return Q @ D @ Q.T, E, B


@pytest.mark.parametrize("d", [2e-11, 4e-11, 6e-11])
def test_close_pair_of_a_normal_matrix_has_its_own_gradient(d):
    # attack48b 04c: m = 40, |w| up to 1e3, the pair within NEAR m eps max|w| = 7e-11:
    # the gradient was the tie's mean [0.5, 0.5]; LAPACK resolves the pair (its
    # eigenvectors to ~eps ||A|| / d, so the derivative to ~1e-6)
    A, E, B = _normal(40, d, 1e3, 2)
    w, V = np.linalg.eig(A)
    assert _spectral.tied(None, w, kappa=_spectral.sensitivity(A, V, np.linalg.inv(V))) \
        is not None                                  # a tie a priori (the old rule)
    g = lambda x: np.max(np.linalg.eigvals(A + x[0] * E + x[1] * B).imag)  # noqa: E731
    np.testing.assert_allclose(dg.gradient(g, np.zeros(2)), [1.0, 0.0], atol=1e-5)
    top = lambda t: np.max(np.linalg.eigvals(A + t * np.eye(40)).imag)  # noqa: E731
    assert dg.jvp(top, 0.0, 1.0)[0] == top(0.0)


def test_close_pair_against_mpmath_at_50_digits():
    # the report's small case: m = 5, an eigenvalue 1e6, the pair 5e-9 apart (the old
    # tolerance 8 * 5 * eps * 1e6 = 8.9e-9); oracle: mpmath's eig at 50 digits of the
    # float64 matrix as given, differentiated by mpmath.diff
    mp = pytest.importorskip("mpmath")
    A, E, B = _normal(5, 5e-9, 1e6, 0)
    g = lambda x: np.max(np.linalg.eigvals(A + x[0] * E + x[1] * B).imag)  # noqa: E731
    got = dg.gradient(g, np.zeros(2))
    with mp.workdps(50):
        Am, Em, Bm = (mp.matrix(M.tolist()) for M in (A, E, B))

        def top(s, t):
            return max(mp.im(z) for z in mp.eig(Am + s * Em + t * Bm, left=False,
                                                 right=False))
        want = [float(mp.diff(lambda s: top(s, 0), 0)), float(mp.diff(lambda t: top(0, t), 0))]
    # LAPACK's vectors of a pair 5e-9 apart beside 1e6: ~eps 1e6 / 5e-9 = 4e-2 a priori
    np.testing.assert_allclose(got, want, atol=1e-4)


def test_close_pair_against_jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    A, E, _ = _normal(12, 1e-12, 1e2, 5)
    got = dg.jvp(np.linalg.eigvals, A, E)[1]
    want = np.asarray(jax.jvp(jnp.linalg.eigvals, (A,), (E,))[1])
    w = np.linalg.eigvals(A)
    up = np.argmax(w.imag)
    np.testing.assert_allclose(got[up], want[up], atol=1e-6)
    np.testing.assert_allclose(got[up], 1j, atol=1e-4)    # (the pair 1e-12 apart beside 1e2)


@pytest.mark.parametrize("m, top", [(5, 1e6), (40, 1e3), (12, 1.0)])
def test_repeated_pair_stays_a_tie(m, top):
    # d = 0: a repeated complex pair that rounding splits; its members stay tied (the
    # max's derivative is the mean of the one-sided ones, 1 and 0: 0.5 each)
    A, E, B = _normal(m, 0.0, top, 3)
    w, V = np.linalg.eig(A)
    Vi = np.linalg.inv(V)
    ties = _spectral.tied(None, w, kappa=_spectral.sensitivity(A, V, Vi))
    up = np.flatnonzero(np.abs(w - (1 + 1j)) < 1e-6)
    assert len(up) == 2
    if ties is None or not ties[up[0], up[1]]:
        pytest.skip("LAPACK returned the pair bit-for-bit apart by more than the old rule")
    left = _spectral.resolved(ties, A, w, V, Vi)
    assert left is not None and left[up[0], up[1]]
    g = lambda x: np.max(np.linalg.eigvals(A + x[0] * E + x[1] * B).imag)  # noqa: E731
    h = 1e-6
    one_sided = [(g(np.array([h, 0.0])) - g(np.zeros(2))) / h,
                 (g(np.zeros(2)) - g(np.array([-h, 0.0]))) / h]
    np.testing.assert_allclose(dg.gradient(g, np.zeros(2))[0], np.mean(one_sided), atol=1e-4)


def test_jordan_block_of_a_close_looking_pair_stays_a_tie():
    # S J S^-1: rounding splits the double eigenvalue by ~sqrt(eps) ||A||; its cluster's
    # projector is ~1/sqrt(eps), so the residuals resolve nothing
    rng = np.random.default_rng(11)
    S = rng.standard_normal((4, 4))
    J = np.diag([2.0, 2.0, 5.0, -1.0])
    J[0, 1] = 1.0
    A = S @ J @ np.linalg.inv(S)
    w, V = np.linalg.eig(A)
    Vi = np.linalg.inv(V)
    ties = _spectral.tied(None, w, kappa=_spectral.sensitivity(A, V, Vi))
    assert ties is not None
    left = _spectral.resolved(ties, A, w, V, Vi)
    assert left is not None and np.array_equal(left, ties)


def _symmetric(m, d, top, seed):
    """``Q diag(1, 1 + d, reals up to top) Q^T`` and the rank-one directions that move
    only ``1 + d`` (``E``) and only ``1`` (``B``)."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((m, m)))
    rest = np.linspace(-top, top, m - 2) if m > 3 else [top]
    A = (Q * np.r_[1.0, 1.0 + d, rest]) @ Q.T
    return (A + A.T) / 2, np.outer(Q[:, 1], Q[:, 1]), np.outer(Q[:, 0], Q[:, 0])


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_close_pair_of_a_symmetric_matrix_has_its_own_gradient(uplo):
    # the same class in eigh / eigvalsh: m = 40, |w| up to 1e3, the pair 6e-11 apart
    A, E, B = _symmetric(40, 6e-11, 1e3, 2)
    k = np.argmin(np.abs(np.linalg.eigvalsh(A) - (1 + 6e-11)))
    for f in (lambda M: np.linalg.eigvalsh(M, UPLO=uplo),
              lambda M: np.linalg.eigh(M, UPLO=uplo)[0]):
        g = lambda x: f(A + x[0] * E + x[1] * B)[k]  # noqa: E731
        np.testing.assert_allclose(dg.gradient(g, np.zeros(2)), [1.0, 0.0], atol=1e-5)
    # the pair's vectors keep the a priori tie: their term C_ij / gap is rounding's
    # turn over the gap twice (NaN, as before, never a confident number)
    v = lambda x: np.sum(np.linalg.eigh(A + x[0] * E + x[1] * B, UPLO=uplo)[1][:, k] ** 3)  # noqa: E731
    assert np.all(np.isnan(dg.gradient(v, np.zeros(2))))


def test_close_symmetric_pair_against_mpmath_at_50_digits():
    mp = pytest.importorskip("mpmath")
    A, E, B = _symmetric(5, 5e-9, 1e6, 0)
    k = np.argmin(np.abs(np.linalg.eigvalsh(A) - (1 + 5e-9)))
    got = dg.gradient(lambda x: np.linalg.eigvalsh(A + x[0] * E + x[1] * B)[k], np.zeros(2))
    with mp.workdps(50):
        Am, Em, Bm = (mp.matrix(M.tolist()) for M in (A, E, B))

        def value(s, t):
            return sorted(mp.eigsy(Am + s * Em + t * Bm, eigvals_only=True))[k]
        want = [float(mp.diff(lambda s: value(s, 0), 0)), float(mp.diff(lambda t: value(0, t), 0))]
    np.testing.assert_allclose(got, want, atol=1e-4)


def test_repeated_symmetric_eigenvalue_stays_a_tie():
    # d = 0 under a dense Q: the pair stays the cluster's mean (eigvalsh)
    A, E, B = _symmetric(40, 0.0, 1e3, 4)
    k = np.argmin(np.abs(np.linalg.eigvalsh(A) - 1.0))
    got = dg.gradient(lambda x: np.linalg.eigvalsh(A + x[0] * E + x[1] * B)[k], np.zeros(2))
    np.testing.assert_allclose(got, [0.5, 0.5], atol=1e-12)


def _singular(shape, d, top, seed):
    """``U diag(top, 1 + d, 1, ..) V^T`` and the directions ``u_1 v_1^T`` (moves only
    ``1 + d``) and ``u_2 v_2^T`` (only ``1``)."""
    m, n = shape
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((m, m)))
    V, _ = np.linalg.qr(rng.standard_normal((n, n)))
    k = min(m, n)
    s = np.r_[top, 1.0 + d, 1.0, np.linspace(0.5, 0.1, k - 3)]
    A = (U[:, :k] * s) @ V[:, :k].T
    return A, np.outer(U[:, 1], V[:, 1]), np.outer(U[:, 2], V[:, 2])


@pytest.mark.parametrize("shape", [(10, 10), (12, 7), (6, 9)])
def test_close_singular_values_have_their_own_gradient(shape):
    # the squared values' tolerance 8 m eps max(s^2) tied s = 1 + 1e-9 and 1 beside 1e3
    # (its slopes [0.5, 0.5]); LAPACK resolves them to ~1e-15
    A, E, B = _singular(shape, 1e-9, 1e3, 0)
    for f in (lambda M: np.linalg.svd(M, compute_uv=False),
              lambda M: np.linalg.svd(M, full_matrices=False)[1]):
        g = lambda x: f(A + x[0] * E + x[1] * B)[1]  # noqa: E731
        np.testing.assert_allclose(dg.gradient(g, np.zeros(2)), [1.0, 0.0], atol=1e-6)
    # a repeated singular value stays a tie (the mean of the one-sided slopes 1 and 0)
    A, E, B = _singular(shape, 0.0, 1e3, 0)
    g = lambda x: np.linalg.svd(A + x[0] * E + x[1] * B, compute_uv=False)[1]  # noqa: E731
    np.testing.assert_allclose(dg.gradient(g, np.zeros(2)), [0.5, 0.5], atol=1e-12)


def test_close_singular_values_against_mpmath_at_50_digits():
    mp = pytest.importorskip("mpmath")
    A, E, B = _singular((5, 4), 3e-9, 1e6, 1)
    g = lambda x: np.linalg.svd(A + x[0] * E + x[1] * B, compute_uv=False)[1]  # noqa: E731
    got = dg.gradient(g, np.zeros(2))
    with mp.workdps(50):
        Am, Em, Bm = (mp.matrix(M.tolist()) for M in (A, E, B))

        def second(s, t):
            return sorted(mp.svd_r(Am + s * Em + t * Bm, compute_uv=False), reverse=True)[1]
        want = [float(mp.diff(lambda s: second(s, 0), 0)),
                float(mp.diff(lambda t: second(0, t), 0))]
    np.testing.assert_allclose(got, want, atol=1e-5)
