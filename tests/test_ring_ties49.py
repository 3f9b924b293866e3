"""Exactly degenerate eigenvalues of symmetric / Hermitian rings stay tied (attack49 18).

e8ddc05 resolved ties by each pair's own residuals, keeping pairs within NEAR ulps of
themselves tied with no residual taken; but once another cluster of the matrix took the
residual path, such a near pair met a tolerance of 0 and was split: each copy of a
doubly degenerate ring eigenvalue got a diagonal entry of V_g^H E V_g in LAPACK's
arbitrary basis.  The oracle is the table's tie convention, the cluster's mean
trace(V_g^H E V_g) / k (closed form from the exact eigenspace)."""
import numpy as np
import pytest

import dualgrad as dg


def _ring(m, scale):
    C = np.zeros((m, m))
    for i in range(m):
        C[i, (i + 1) % m] = C[(i + 1) % m, i] = scale
    return C


def _tie_means(A, E):
    w, V = np.linalg.eigh(A)
    ref, i, m = np.empty(len(w)), 0, len(w)
    while i < m:
        j = i
        while j + 1 < m and abs(w[j + 1] - w[i]) < 1e-8 * max(1.0, np.abs(w).max()):
            j += 1
        g = V[:, i:j + 1]
        ref[i:j + 1] = np.real(np.trace(g.conj().T @ E @ g)) / (j - i + 1)
        i = j + 1
    return ref


@pytest.mark.parametrize("m", [6, 8, 12, 30])
@pytest.mark.parametrize("hermitian", [False, True])
@pytest.mark.parametrize("fn", [np.linalg.eigvalsh, np.linalg.eigvals],
                         ids=["eigvalsh", "eigvals"])
def test_a_rings_degenerate_eigenvalues_keep_the_tie_mean(m, hermitian, fn):
    rng = np.random.default_rng(m + 100 * hermitian)
    A = _ring(m, 10 ** rng.uniform(-3, 3))
    E = rng.normal(size=(m, m))
    E = E + E.T
    if hermitian:
        P = np.diag(np.exp(1j * rng.uniform(0, 6, m)))
        A, E = P @ A @ P.conj().T, P @ E @ P.conj().T
    d = np.asarray(dg.derivative(lambda p: fn(A + p * E), 0.0))
    d = np.real(d[np.argsort(np.real(fn(A)))])
    ref = _tie_means(A, E)
    np.testing.assert_allclose(d, ref, rtol=1e-7, atol=1e-7 * np.abs(ref).max())
