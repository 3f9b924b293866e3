"""A chemist's first day (user43, stop 43): the fixes, each against an independent oracle.

* ``dg.stop_gradient`` of a sparsity tracer is its plain value, so a neighbour list taken
  inside ``f`` gives the Hessian pattern of the kept pairs alone (the pattern from the
  pair list; values against the analytic Lennard-Jones forces' central differences).
* The refusal messages a physicist meets name the spelling that works: complex
  ``np.array`` matrices (``np.block``), generalized ``eigh(a, b)`` (the eigenvectors'
  back-transform), ``scipy.spatial.distance.pdist``; each spelling is run against a
  closed form.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.errors import DualTypeError

C8 = np.array([1 / 280, -4 / 105, 1 / 5, -4 / 5, 0.0, 4 / 5, -1 / 5, 4 / 105, -1 / 280])


def _cd8_jacobian(f, x, h=1e-4):
    """8th-order central differences, column by column (no dualgrad)."""
    cols = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = h
        cols.append(sum(c * f(x + m * e) for m, c in zip(range(-4, 5), C8) if c) / h)
    return np.stack(cols, axis=-1)


def _chain(n=12, seed=0):
    x = np.zeros((n, 3))
    x[:, 0] = 1.12 * np.arange(n)
    x[:, 1] = 0.3 * np.sin(np.arange(n))
    return (x + 0.01 * np.random.default_rng(seed).standard_normal((n, 3))).ravel()


def _pairs(x, rc):
    c = x.reshape(-1, 3)
    i, j = np.triu_indices(len(c), 1)
    near = np.sum((c[i] - c[j]) ** 2, axis=1) < rc ** 2
    return i[near], j[near]


def _energy(x, rc=2.5):
    c = x.reshape(-1, 3)
    c0 = dg.stop_gradient(c)
    i, j = np.triu_indices(len(c), 1)
    near = np.sum((c0[i] - c0[j]) ** 2, axis=1) < rc ** 2
    d = c[i[near]] - c[j[near]]
    r2 = np.sum(d * d, axis=1)
    return np.sum(4 * (r2 ** -6 - r2 ** -3))


def _forces_gradient(x, pairs):
    """The analytic gradient of the LJ energy over fixed pairs (no dualgrad)."""
    c = x.reshape(-1, 3)
    i, j = pairs
    d = c[i] - c[j]
    r2 = np.sum(d * d, axis=1)
    dv = 4 * (-6 * r2 ** -7 + 3 * r2 ** -4)          # dV / d r2
    g = np.zeros_like(c)
    np.add.at(g, i, 2 * dv[:, None] * d)
    np.add.at(g, j, -2 * dv[:, None] * d)
    return g.ravel()


def test_stop_gradient_of_a_tracer_is_its_plain_value():
    x = np.array([1.0, 2.0, 3.0])
    seen = []

    def f(y):
        v = dg.stop_gradient(y)
        seen.append((type(v), type(dg.stop_gradient(y[0]))))
        return y * v + dg.stop_gradient(y[0]) * y[::-1]

    P = dg.sparsity(f, x).toarray()
    assert seen[0] == (np.ndarray, float)
    # row k depends on x_k (y * v) and on x_{2-k} (y[::-1]); v and y[0] are constants
    expected = np.eye(3, dtype=bool) | np.eye(3, dtype=bool)[::-1]
    np.testing.assert_array_equal(P != 0, expected)


def test_neighbour_list_hessian_pattern_is_the_pairs_blocks():
    x = _chain()
    i, j = _pairs(x, 2.5)
    expected = np.zeros((x.size, x.size), bool)
    for a, b in zip(i, j):
        for p in (a, b):
            for q in (a, b):
                expected[3 * p:3 * p + 3, 3 * q:3 * q + 3] = True
    HP = dg.hessian_sparsity(_energy, x)
    np.testing.assert_array_equal(HP.toarray() != 0, expected)
    assert HP.nnz < x.size ** 2 // 2              # 12 atoms, neighbours within 2 bonds
    H = dg.hessian(_energy, x, sparsity=HP).toarray()
    oracle = _cd8_jacobian(lambda z: _forces_gradient(z, (i, j)), x)
    np.testing.assert_allclose(H, oracle, rtol=1e-8, atol=1e-7 * np.abs(oracle).max())
    np.testing.assert_allclose(dg.gradient(_energy, x), _forces_gradient(x, (i, j)),
                               rtol=1e-13, atol=1e-13)


def test_complex_matrix_message_names_block_and_block_is_exact():
    a2 = np.array([-0.5, np.sqrt(3) / 2])
    a3 = np.array([-0.5, -np.sqrt(3) / 2])
    k = np.array([0.7, -0.4])
    phase = np.exp(1j * k @ a2) + np.exp(1j * k @ a3)

    def bands(t, build):
        f = t[1] + t[0] * phase
        return np.linalg.eigvalsh(build(f))

    with pytest.raises(DualTypeError, match=r"np\.block\(\[\[0, z\], \[np\.conj\(z\), 0\]\]\)"):
        dg.jacobian(lambda t: bands(t, lambda f: np.array([[0, f], [np.conj(f), 0]])),
                    np.array([1.0, 0.8]))
    t = np.array([1.0, 0.8])
    J = dg.jacobian(lambda t: bands(t, lambda f: np.block([[0, f], [np.conj(f), 0]])), t)
    # closed form: the bands are -+|f|, d|f|/dt = Re(conj(f) df/dt) / |f|
    f = t[1] + t[0] * phase
    up = np.array([np.real(np.conj(f) * phase), np.real(f)]) / abs(f)
    np.testing.assert_allclose(J, np.stack([-up, up]), rtol=1e-13, atol=1e-14)


def _overlap_chain(p, n=4):
    """Hückel chain with overlap: H (alpha, beta = p[0]) and S (s = p[1])."""
    H = np.zeros_like(p, shape=(n, n))
    S = np.zeros_like(p, shape=(n, n))
    for m in range(n):
        H[m, m] = -11.4 + 0.0 * p[0]
        S[m, m] = 1.0 + 0.0 * p[1]
    for m in range(n - 1):
        H[m, m + 1] = H[m + 1, m] = p[0]
        S[m, m + 1] = S[m + 1, m] = p[1]
    return H, S


def test_generalized_eigh_message_recipe_values_and_vectors():
    from dualgrad.scipy.linalg import cholesky, eigh, solve_triangular
    p = np.array([-2.7, 0.25])

    def recipe(q):
        H, S = _overlap_chain(q)
        L = cholesky(S, lower=True)
        w, u = eigh(solve_triangular(L, solve_triangular(L, H, lower=True).T, lower=True))
        return w, solve_triangular(L, u, lower=True, trans="T")

    # closed form of the chain: e_k = (alpha + 2 beta c_k) / (1 + 2 s c_k), c_k = cos(k pi / 5)
    c = np.cos(np.arange(1, 5) * np.pi / 5)
    e = (-11.4 + 2 * p[0] * c) / (1 + 2 * p[1] * c)
    order = np.argsort(e)
    de = np.stack([2 * c / (1 + 2 * p[1] * c),
                   -(-11.4 + 2 * p[0] * c) * 2 * c / (1 + 2 * p[1] * c) ** 2], axis=-1)
    w, v = recipe(p)
    H, S = _overlap_chain(p)
    np.testing.assert_allclose(w, e[order], rtol=1e-14)
    np.testing.assert_allclose(v.T @ S @ v, np.eye(4), atol=1e-14)
    np.testing.assert_allclose(H @ v, S @ v * w, atol=1e-13)
    np.testing.assert_allclose(dg.jacobian(lambda q: recipe(q)[0], p), de[order],
                               rtol=1e-12, atol=1e-12)
    # the lowest orbital's density (sign-free) against central differences
    rho = lambda q: np.outer(recipe(q)[1][:, 0], recipe(q)[1][:, 0]).ravel()
    np.testing.assert_allclose(dg.jacobian(rho, p), _cd8_jacobian(rho, p, 1e-3),
                               rtol=1e-8, atol=1e-10)
    # eigh(H, S) itself on duals (misc44; it raised, naming this recipe): the same
    # closed form, and the density against the same differences
    np.testing.assert_allclose(
        dg.jacobian(lambda q: eigh(*_overlap_chain(q), eigvals_only=True), p), de[order],
        rtol=1e-12, atol=1e-12)
    built = lambda q: np.outer(eigh(*_overlap_chain(q))[1][:, 0],
                               eigh(*_overlap_chain(q))[1][:, 0]).ravel()
    np.testing.assert_allclose(dg.jacobian(built, p), _cd8_jacobian(rho, p, 1e-3),
                               rtol=1e-8, atol=1e-10)


def test_pdist_message_names_the_numpy_spelling_and_it_is_exact():
    pytest.importorskip("scipy.spatial")
    from scipy.spatial.distance import pdist
    x = _chain(5)

    def with_pdist(z):
        return np.sum(4 * (pdist(z.reshape(-1, 3), "sqeuclidean") ** -6 -
                           pdist(z.reshape(-1, 3), "sqeuclidean") ** -3))

    with pytest.raises(DualTypeError, match=r"np\.triu_indices\(len\(X\), 1\)"):
        dg.gradient(with_pdist, x)

    def spelled(z):
        X = z.reshape(-1, 3)
        i, j = np.triu_indices(len(X), 1)
        d = X[i] - X[j]
        R2 = np.sum(d * d, axis=1)
        return np.sum(4 * (R2 ** -6 - R2 ** -3))

    assert spelled(x) == pytest.approx(with_pdist(x), rel=1e-14)
    pairs = np.triu_indices(5, 1)
    np.testing.assert_allclose(dg.gradient(spelled, x), _forces_gradient(x, pairs),
                               rtol=1e-13, atol=1e-13)


# ---- degenerate eigenvalues that LAPACK returns a few ulps apart ----------------------

def _ring(b):
    n = b.shape[0]
    H = np.zeros_like(b, shape=(n, n))
    for m in range(n):
        H[m, (m + 1) % n] = b[m]
        H[(m + 1) % n, m] = b[m]
    return H


def _density_derivative(b, nocc=3):
    """First-order perturbation theory for P = 2 C_occ C_occ^T in the bond betas,
    occupied-virtual pairs only (no dualgrad): exact where the HOMO-LUMO gap is open."""
    n = b.size
    e, C = np.linalg.eigh(_ring(b))
    dP = np.zeros((n, n, n))
    for j in range(n):
        dH = np.zeros((n, n))
        dH[j, (j + 1) % n] = dH[(j + 1) % n, j] = 1.0
        for i in range(nocc):
            for a in range(nocc, n):
                c = (C[:, a] @ dH @ C[:, i]) / (e[i] - e[a])
                dP[:, :, j] += 2 * c * (np.outer(C[:, a], C[:, i]) + np.outer(C[:, i], C[:, a]))
    return dP


def _exact_or_nan(got, want, atol):
    got = np.asarray(got)
    finite = np.isfinite(got)
    np.testing.assert_allclose(got[finite], np.broadcast_to(want, got.shape)[finite],
                               atol=atol, rtol=0)


@pytest.mark.parametrize("which", ["numpy", "scipy"])
def test_benzene_density_is_exact_or_nan_at_ulp_separated_pairs(which):
    from dualgrad.scipy.linalg import eigh as scipy_eigh
    eigh = np.linalg.eigh if which == "numpy" else scipy_eigh
    b = np.full(6, -1.0)
    w = np.linalg.eigvalsh(_ring(b))
    assert 0 < w[2] - w[1] < 1e-14                 # LAPACK's split of the degenerate pair

    def density(bb):
        _, C = eigh(_ring(bb))
        return 2 * C[:, :3] @ C[:, :3].T

    J = dg.jacobian(density, b)
    _exact_or_nan(J, _density_derivative(b), 1e-12)
    assert np.isnan(J).any()                       # 72ece6b: finite and 117 % / 19 % off


def test_benzene_density_exact_where_the_pairs_are_resolved():
    # a 1e-6 distortion splits the pairs by ~1e-6: far above rounding, so no tie
    b = np.full(6, -1.0) + 1e-6 * np.array([1.0, 0.0, -2.0, 0.0, 3.0, 0.0])
    w = np.linalg.eigvalsh(_ring(b))
    assert np.min(np.diff(w)) > 1e-8

    def density(bb):
        _, C = np.linalg.eigh(_ring(bb))
        return 2 * C[:, :3] @ C[:, :3].T

    np.testing.assert_allclose(dg.jacobian(density, b), _density_derivative(b),
                               atol=1e-9, rtol=0)


def test_hessian_of_sum_of_squares_is_exact_or_nan_for_a_rotated_ring():
    # sum(eigvalsh(Q H Q^T) ** 2) = trace(H^2) = 2 sum(b ** 2): the Hessian is 4 I
    Q = np.linalg.qr(np.random.default_rng(0).standard_normal((6, 6)))[0]
    f = lambda b: np.sum(np.linalg.eigvalsh(Q @ _ring(b) @ Q.T) ** 2)
    b = np.full(6, -1.0)
    H = dg.hessian(f, b)
    _exact_or_nan(H, 4 * np.eye(6), 1e-12)         # 72ece6b: finite, 0.36 off
    b2 = b + 1e-3 * np.arange(6)                   # no degeneracy: exact everywhere
    np.testing.assert_allclose(dg.hessian(f, b2), 4 * np.eye(6), atol=1e-12)
