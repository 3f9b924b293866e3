"""eigen43: eigenvalues LAPACK returns a few ulps apart are ties (user43's benzene).

LAPACK returns benzene's degenerate Hückel pairs 2.2e-16 apart; ``F = 1 / gap`` times an
O(1) coupling gave finite, wrong derivatives.  A gap within ``NEAR * m * eps * max|w|``
is now a tie (:mod:`dualgrad.dispatch._spectral`): exact or NaN, never a wrong number.

Oracles: closed forms (trace(H^2)'s Hessian 4 I, Hellmann-Feynman 4/3 for benzene's
tr(P H), the density matrix's invariance under uniform scaling, the reconstruction
U diag(s) V^T = A), 8th-order central differences of smooth functions of whole
degenerate shells, planted degeneracies (which pairs are tied is known by
construction), random matrices' genuine gaps.  "Exact or NaN" alone passes an all-NaN
result, so each such test also takes a direction that keeps the degeneracy (uniform
scaling, the Kekule alternation, ``U diag(e) V^T`` constant on the shell, ``H @ H``),
where numbers are promised, against a closed form.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _spectral

_C = [4 / 5, -1 / 5, 4 / 105, -1 / 280]               # 8th-order central differences


def _cd(f, x, h=1e-3):
    """Jacobian of ``f`` at ``x`` (``f(x).shape + x.shape``), 8th order."""
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        cols.append(sum(c * (np.asarray(f(x + (k + 1) * e)) - np.asarray(f(x - (k + 1) * e)))
                        for k, c in enumerate(_C)) / h)
    return np.stack(cols, axis=-1)


def _ring(b):
    """The cyclic Hückel matrix of the bond betas ``b`` (one per bond)."""
    n = np.shape(b)[0]
    i = np.arange(n)
    P = np.zeros((n, n, n))
    P[i, i, (i + 1) % n] = 1.0
    P[i, (i + 1) % n, i] = 1.0
    return np.tensordot(b, P, axes=1)


def _rotation(n, seed=0):
    return np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))[0]


def _exact_or_nan(got, truth, tol):
    """Every entry of ``got`` is NaN or within ``tol`` of ``truth``."""
    got = np.asarray(got)
    finite = np.isfinite(got)
    assert np.all(np.abs(got[finite] - np.broadcast_to(truth, got.shape)[finite]) <= tol), \
        np.max(np.abs(got[finite] - np.broadcast_to(truth, got.shape)[finite]))


B6 = np.full(6, -1.0)
KEKULE = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])


def _kept(p):
    """Bond betas along the two directions that keep benzene's pairs degenerate: a
    uniform scaling ``p[0]`` and the Kekule alternation ``p[1]`` (D3h keeps the 2-dim
    irreps): the eigenvalues stay tied, so exact numbers are promised there, not NaN
    (the tests' other directions split the pairs, where NaN is allowed)."""
    return B6 * (1 + p[0]) + p[1] * KEKULE


# ---- the tolerance: planted ties are tied, genuine gaps are not -------------------
def _planted(m, rng):
    sizes = []
    while sum(sizes) < m:
        sizes.append(min(int(rng.integers(1, 5)), m - sum(sizes)))
    d = np.repeat(np.sort(rng.uniform(-1, 1, len(sizes))), sizes)
    Q = _rotation(m, int(rng.integers(1 << 30)))
    A = Q @ np.diag(d) @ Q.T
    return (A + A.T) / 2, d


@pytest.mark.parametrize("m", [4, 16, 64, 200])
def test_planted_degeneracies_are_exactly_the_ties(m):
    rng = np.random.default_rng(m)
    for _ in range(3 if m < 200 else 1):
        A, d = _planted(m, rng)
        w = np.linalg.eigvalsh(A)
        truth = d[:, None] == d[None, :]
        np.fill_diagonal(truth, False)
        ties = _spectral.tied(w[None, :] - w[:, None], w)
        assert ties is not None and np.array_equal(ties, truth)
        assert np.any(np.diff(w)[np.diff(d) == 0] != 0)     # ulps apart, not equal


@pytest.mark.parametrize("m", [4, 16, 64, 200])
def test_random_matrices_have_no_ties(m):
    rng = np.random.default_rng(m)
    for _ in range(5):
        A = rng.standard_normal((m, m))
        w = np.linalg.eigvalsh(A + A.T)
        assert _spectral.tied(w[None, :] - w[:, None], w) is None


def test_benzene_pairs_are_ulps_apart_and_tied():
    w = np.linalg.eigvalsh(_ring(B6))
    ties = _spectral.tied(w[None, :] - w[:, None], w)
    assert ties is not None and ties[1, 2] and ties[3, 4] and np.count_nonzero(ties) == 4


# ---- benzene: exact or NaN ------------------------------------------------------------
@pytest.mark.parametrize("rotated", [False, True])
def test_hessian_of_trace_h_squared_is_4i_or_nan(rotated):
    Q = _rotation(6) if rotated else np.eye(6)
    H = dg.hessian(lambda b: np.sum(np.linalg.eigvalsh(Q @ _ring(b) @ Q.T) ** 2), B6)
    _exact_or_nan(H, 4 * np.eye(6), 1e-9)
    # along the symmetry-keeping directions: trace(H^2) = 12 ((1 + p0)^2 + p1^2), numbers
    H = dg.hessian(lambda p: np.sum(np.linalg.eigvalsh(Q @ _ring(_kept(p)) @ Q.T) ** 2),
                   np.zeros(2))
    np.testing.assert_allclose(H, 24 * np.eye(2), rtol=0, atol=1e-12)


@pytest.mark.parametrize("rotated", [False, True])
def test_huckel_energy_gradient_and_hessian(rotated):
    Q = _rotation(6, 3) if rotated else np.eye(6)

    def energy(b):
        return 2 * np.sum(np.linalg.eigvalsh(Q @ _ring(b) @ Q.T)[:3])

    g = dg.gradient(energy, B6)
    np.testing.assert_allclose(g, np.full(6, 4 / 3), atol=1e-12)   # Hellmann-Feynman
    _exact_or_nan(dg.hessian(energy, B6), _cd(lambda b: dg.gradient(energy, b), B6), 1e-8)
    # the alternating ring's levels are -2c and -sqrt(c^2 + 3 p1^2) twice (c = 1 + p0,
    # the Bloch sums at k = 0, +-2 pi / 3): E = -4 c - 4 sqrt(c^2 + 3 p1^2), its Hessian
    # at 0 is diag(0, -12), exactly and as numbers
    np.testing.assert_allclose(dg.hessian(lambda p: energy(_kept(p)), np.zeros(2)),
                               np.diag([0.0, -12.0]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("eigh", ["numpy", "scipy"])
def test_benzene_trace_ph_gradient_is_hellmann_feynman_or_nan(eigh):
    from dualgrad.scipy import linalg as dl
    solve = np.linalg.eigh if eigh == "numpy" else dl.eigh

    def energy(b):
        H = _ring(b)
        C = solve(H)[1][:, :3]
        return np.trace(2 * C @ C.T @ H)

    g = dg.gradient(energy, B6)
    _exact_or_nan(g, 4 / 3, 1e-12)


def test_density_matrix_jacobian_is_perturbation_theory_or_nan():
    H = _ring(B6)
    w, V = np.linalg.eigh(H)
    occ, vir = slice(0, 3), slice(3, 6)

    def density(b):
        C = np.linalg.eigh(_ring(b))[1][:, :3]
        return 2 * C @ C.T

    J = dg.jacobian(density, B6)
    # first-order perturbation theory: dP = 2 sum_{o,v} (V_v V_v^T dH V_o V_o^T + h.c.)
    # / (w_o - w_v); occupied and virtual shells are 2 apart or more (no tie across)
    for k in range(6):
        dH = _ring(np.eye(6)[k])
        X = V[:, vir].T @ dH @ V[:, occ] / (w[occ][None, :] - w[vir][:, None])
        T = V[:, vir] @ X @ V[:, occ].T
        _exact_or_nan(J[..., k], 2 * (T + T.T), 1e-12)


def test_uniform_scaling_keeps_numbers():
    """Scaling benzene keeps its symmetry: the eigenvectors do not move (C_ij is rounding
    only), so the density matrix's derivative is exactly 0 and a number, not NaN."""
    H = _ring(B6)

    def density(s):
        C = np.linalg.eigh(s[0] * H)[1][:, :3]
        return 2 * C @ C.T

    J = dg.jacobian(density, np.ones(1))
    assert np.all(np.isfinite(J))
    np.testing.assert_allclose(J, 0.0, atol=1e-12)
    Q = _rotation(6)
    vec = dg.jacobian(lambda s: np.linalg.eigh(s[0] * Q @ H @ Q.T)[1], np.ones(1))
    assert np.all(np.isfinite(vec))
    np.testing.assert_allclose(vec, 0.0, atol=1e-12)
    w = np.linalg.eigvalsh(H)
    Hs = dg.hessian(lambda s: np.sum(np.linalg.eigvalsh(s[0] * Q @ H @ Q.T) * w), np.ones(1))
    np.testing.assert_allclose(Hs, 0.0, atol=1e-12)              # linear in s


# ---- svd and eig share the rule -------------------------------------------------------
def test_svd_near_repeated_singular_values_exact_or_nan():
    d = np.array([3.0, 2.0, 2.0, 2.0, 1.0])
    U, V = _rotation(5, 1), _rotation(5, 2)
    A = U @ np.diag(d) @ V.T
    s = np.linalg.svd(A, compute_uv=False)
    assert np.any(np.diff(s[1:4]) != 0)                          # ulps apart

    def rebuilt(x):
        u, s, vt = np.linalg.svd(x.reshape(5, 5))
        return (u * s) @ vt

    J = dg.jacobian(rebuilt, A.ravel())
    _exact_or_nan(J.reshape(25, 25), np.eye(25), 1e-10)
    # scaling keeps the symmetry: P = U^T A V is diagonal to rounding, a number
    Js = dg.jacobian(lambda t: rebuilt(t[0] * A.ravel()), np.ones(1))
    np.testing.assert_allclose(Js[..., 0], A, atol=1e-12)

    def smooth(x):                                               # the whole shell
        u, s, vt = np.linalg.svd(x.reshape(5, 5))
        return u[:, 1:4] @ u[:, 1:4].T
    _exact_or_nan(dg.jacobian(smooth, A.ravel()), _cd(smooth, A.ravel()), 1e-8)
    # a direction U diag(e) V^T constant on the shell does not mix it (U^T dA V is
    # diagonal in any basis of the shell): numbers, rebuilt's derivative dA itself and
    # the shell's projector's 0 (every direction above mixes it: NaN allowed there)
    dA = U @ np.diag([1.0, -2.0, -2.0, -2.0, 0.5]) @ V.T
    _, jv = dg.jvp(rebuilt, A.ravel(), dA.ravel())
    np.testing.assert_allclose(jv, dA, rtol=0, atol=1e-12)
    _, jv = dg.jvp(smooth, A.ravel(), dA.ravel())
    np.testing.assert_allclose(jv, 0.0, rtol=0, atol=1e-12)


def test_eig_of_a_symmetric_matrix_with_near_ties_exact_or_nan():
    Q = _rotation(6, 5)
    H = Q @ _ring(B6) @ Q.T
    H = (H + H.T) / 2

    def projector(x):
        w, V = np.linalg.eig(x.reshape(6, 6))
        P = V[:, np.argsort(w)[:3]]
        return P @ np.linalg.solve(P.T @ P, P.T)

    _exact_or_nan(dg.jacobian(projector, H.ravel()), _cd(projector, H.ravel(), 1e-4), 1e-6)
    # dH = H @ H commutes with H and keeps the pairs tied (w^2 is equal on each pair):
    # the eigenvectors do not move, the projector's derivative is 0, a number
    _, jv = dg.jvp(projector, H.ravel(), (H @ H).ravel())
    np.testing.assert_allclose(jv, 0.0, rtol=0, atol=1e-12)


# ---- genuinely split pairs: today's formula ----------------------------------------
@pytest.mark.parametrize("split", [1e-9, 1e-6])
def test_split_pairs_keep_the_gap_formula(split):
    """Gaps far above the tolerance (1e-9 vs ~1e-14) are not ties: the eigenvectors'
    partials are the finite ``V (F o V^T dA V)`` (oracle: trace(H^2)'s Hessian 4 I, and
    the planted split's Hellmann-Feynman slope)."""
    Q = _rotation(4, 7)
    d = np.array([-1.0, 0.5, 0.5 + split, 2.0])
    A = Q @ np.diag(d) @ Q.T
    A = (A + A.T) / 2
    w = np.linalg.eigvalsh(A)
    assert _spectral.tied(w[None, :] - w[:, None], w) is None
    H = dg.hessian(lambda x: np.sum(np.linalg.eigvalsh(x.reshape(4, 4)) ** 2), A.ravel())
    assert np.all(np.isfinite(H))
    lower = np.tril(np.ones((4, 4)), -1).ravel()                # eigvalsh reads this
    truth = np.diag(2 * np.eye(4).ravel() + 4 * lower)           # trace(A^2)'s Hessian
    np.testing.assert_allclose(H, truth, atol=1e-5 * 1e-9 / split + 1e-7)
    g = dg.jacobian(lambda x: np.linalg.eigh(x.reshape(4, 4))[0], A.ravel())
    weight = (np.eye(4) + 2 * np.tril(np.ones((4, 4)), -1)).ravel()   # lower triangle
    np.testing.assert_allclose(g, np.stack([np.outer(q, q).ravel() * weight for q in
                                            np.linalg.eigh(A)[1].T]), atol=1e-12)


@pytest.mark.parametrize("rotated", [False, True])
def test_eigvalsh_near_tied_cluster_takes_the_shell_mean(rotated):
    """eigvalsh at benzene's ulps-apart pairs gives each member the pair's mean, the
    derivative of the shell's average (oracle: CD8 of the smooth (w_1 + w_2) / 2)."""
    Q = _rotation(6, 11) if rotated else np.eye(6)

    def values(b):
        return np.linalg.eigvalsh(Q @ _ring(b) @ Q.T)

    J = dg.jacobian(values, B6)
    def shells_of(b):
        w = values(b)
        return np.repeat([w[1:3].mean(), w[3:5].mean()], 2)

    shells = _cd(shells_of, B6)
    np.testing.assert_allclose(J[1:5], shells, atol=1e-9)
