"""NaN where a number exists in matrix functions, and no number where SciPy's value is
NaN (spectral46).

expm of a matrix with ``-inf`` on its diagonal that is not diagonal: SciPy's value is
NaN, so are the partials (they were the limit's, finite, beside a NaN value: attack45
L4).  Oracles: SciPy's own ``expm`` / ``expm_frechet`` and the complex step on the
block matrix ``[[A, E], [0, A]]``.
"""

import numpy as np
import pytest

import dualgrad as dg

sl = pytest.importorskip("scipy.linalg")
dl = pytest.importorskip("dualgrad.scipy.linalg")

NINF = -np.inf


# -- expm: partials NaN exactly where SciPy's value is ----------------------------------

def _D(p):
    return np.array([[NINF, p[0]], [p[1], p[0] * p[1]]])


def test_expm_nan_value_has_nan_partials():
    """attack45 L4: [[-inf, a], [b, ab]]: SciPy's value NaN in every entry; the
    Jacobian and the Hessian of the sum were finite (the limit's)."""
    p = np.array([0.4, -0.9])
    assert np.isnan(sl.expm(_D(p))).all()
    J = dg.jacobian(lambda q: dl.expm(_D(q)), p)
    assert np.isnan(J).all()
    H = dg.hessian(lambda q: np.sum(dl.expm(_D(q))), p)
    assert np.isnan(H).all()


def _frechet_by_complex_step(A, E, h=1e-20):
    """L(A, E): the upper right block of expm([[A, i h E], [0, A]]) / (i h)... the
    complex step on the block matrix: expm(B + i h [[0, E], [0, 0]]) has imaginary
    part h L(A, E) in its upper right block to O(h^3)."""
    m = A.shape[0]
    B = np.zeros((2 * m, 2 * m), complex)
    B[:m, :m] = B[m:, m:] = A
    B[:m, m:] = 1j * h * E
    return np.imag(sl.expm(B)[:m, m:]) / h


@pytest.mark.parametrize("seed", [0, 1])
def test_expm_batch_nan_slice_leaves_others_exact(seed):
    """A batch of a -inf slice (SciPy's NaN) and finite slices: the finite slices'
    partials are SciPy's expm_frechet and the complex step's; the NaN slice's NaN."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((3, 3, 3))
    A[1, 0, 0] = NINF
    E = rng.standard_normal((3, 3, 3))
    got = dg.derivative(lambda t: dl.expm(A + t * E), 0.0)
    value = sl.expm(A)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(value))
    for k in (0, 2):
        want = sl.expm_frechet(A[k], E[k], compute_expm=False)
        np.testing.assert_allclose(got[k], want, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(got[k], _frechet_by_complex_step(A[k], E[k]),
                                   rtol=1e-11, atol=1e-13)


def test_expm_diagonal_minus_inf_keeps_the_limit():
    """diag(-inf, c) + t E: SciPy's value is the limit diag(0, e^c) at t = 0; the
    partials stay the limit's (0 in the -inf row and column, e^c E_11)."""
    E = np.array([[0.0, 0.0], [0.0, 2.0]])
    got = dg.derivative(lambda t: dl.expm(np.diag([NINF, 0.5]) + t * E), 0.0)
    np.testing.assert_allclose(got, [[0, 0], [0, 2 * np.exp(0.5)]], rtol=1e-14, atol=0)


# -- eigh / svd: a cluster that one direction splits without mixing ---------------------

def _cubic_hessian(g, n, h=1.0):
    """The Hessian of a polynomial ``g`` of degree <= 3 by central second differences:
    exact for such polynomials (their error term is a fourth derivative)."""
    I = np.eye(n)
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            H[i, j] = (g(h * I[i] + h * I[j]) - g(h * I[i] - h * I[j])
                       - g(-h * I[i] + h * I[j]) + g(-h * I[i] - h * I[j])) / (4 * h * h)
    return H


_W3 = np.arange(9.0).reshape(3, 3)


def _unit(i, j, m=3):
    E = np.zeros((m, m))
    E[i, j] = 1.0
    return E


def _svd_cubed(A):
    U, s, Vt = np.linalg.svd(A)
    return np.sum((U * s ** 3) @ Vt * _W3)          # = sum(A A^T A * W)


def _eigh_cubed(A):
    w, V = np.linalg.eigh(A)
    return np.sum((V * w ** 3) @ V.T * _W3)         # = sum(A^3 * W)


@pytest.mark.parametrize("chunk", [None, 1, 2])
def test_svd_split_cluster_second_order_not_averaged(chunk):
    """diag(1, 1, 2) + u0 E_11 + u1 E_12: u0 splits the cluster {1, 1} at first order
    (LAPACK's basis is its eigenbasis), u1 couples one member to 2 at second order.
    U diag(s^3) V^T took the cluster's mean of the members' second-order parts along
    u1 (H[1, 1] = 42; the truth 40); now each member's own (or NaN, never a number
    that is no member's)."""
    B0 = np.diag([1.0, 1.0, 2.0])

    def A(u):
        return B0 + u[0] * _unit(1, 1) + u[1] * _unit(1, 2)

    want = _cubic_hessian(lambda u: np.sum((lambda M: M @ M.T @ M)(A(u)) * _W3), 2)
    H = dg.hessian(lambda u: _svd_cubed(A(u)), np.zeros(2), chunk=chunk)
    ok = ~np.isnan(H)
    np.testing.assert_allclose(H[ok], want[ok], rtol=1e-13, atol=1e-13)
    if chunk is None:
        np.testing.assert_allclose(H, want, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("chunk", [None, 1, 2])
def test_eigh_split_cluster_second_order_not_averaged(chunk):
    """The symmetric sibling: diag(1, 1, 2) + u0 E_11 + u1 (E_12 + E_21), V w^3 V^T
    = A^3; the mean gave a number no member has."""
    B0 = np.diag([1.0, 1.0, 2.0])

    def A(u):
        return B0 + u[0] * _unit(1, 1) + u[1] * (_unit(1, 2) + _unit(2, 1))

    want = _cubic_hessian(lambda u: np.sum(np.linalg.matrix_power(A(u), 3) * _W3), 2)
    H = dg.hessian(lambda u: _eigh_cubed(A(u)), np.zeros(2), chunk=chunk)
    ok = ~np.isnan(H)
    np.testing.assert_allclose(H[ok], want[ok], rtol=1e-13, atol=1e-13)
    if chunk is None:
        np.testing.assert_allclose(H, want, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("diag", [[1.0, 1.0, 2.0], [2.0, 1.0, 1.0], [1.0, 1.0, 1.0, 3.0],
                                  [1.0, 1.0, 2.0, 2.0]])
@pytest.mark.parametrize("chunk", [None, 1, 2, 4])
def test_basis_free_functions_at_clusters_exact_or_nan(diag, chunk):
    """Every coordinate direction of six, at a diagonal matrix with clusters: the
    Hessians of U diag(s^3) V^T and V diag(w^3) V^T (polynomials of A) are NaN or
    exact in every entry, at every chunk (on main: 0.33 / 3.97 off at chunk=2)."""
    m = len(diag)
    B0 = np.diag(diag)
    rng = np.random.default_rng(m)
    W = rng.standard_normal((m, m))
    idx = rng.choice(m * m, size=6, replace=False)
    E = np.zeros((6, m * m))
    E[np.arange(6), idx] = 1.0

    def A(u):
        return B0 + (u @ E).reshape(m, m)

    def S(u):
        M = A(u)
        return M + M.T

    u0 = np.zeros(6)
    pairs = [
        (lambda u: (lambda U, s, Vt: np.sum((U * s ** 3) @ Vt * W))(*np.linalg.svd(A(u))),
         lambda u: np.sum((lambda M: M @ M.T @ M)(A(u)) * W)),
        (lambda u: (lambda w, V: np.sum((V * w ** 3) @ V.T * W))(*np.linalg.eigh(S(u))),
         lambda u: np.sum(np.linalg.matrix_power(S(u), 3) * W)),
    ]
    for f, poly in pairs:
        want = _cubic_hessian(poly, 6)
        H = dg.hessian(f, u0, chunk=chunk)
        ok = ~np.isnan(H)
        np.testing.assert_allclose(H[ok], want[ok], rtol=1e-12, atol=1e-12)


# -- eig: a repeated complex pair that the second order splits --------------------------

sympy = pytest.importorskip("sympy")

_S4 = np.random.default_rng(1).standard_normal((4, 4))


def _rot(a, b):
    return np.stack([np.stack([a, -b]), np.stack([b, a])])


def _pair_matrix(x):
    """S diag(R(a1, b1), R(a2, b2)) S^-1: eigenvalues a_k +- i b_k with a1 = 1/2 + x0 +
    x1^2, b1 = 2, a2 = 1/2 + x0 - x1^2, b2 = 2 + x0 x1: at 0 the pair 1/2 +- 2i twice,
    whole at first order (x0 moves both alike), split at second."""
    z = 0.0 * x[0]
    blocks = [_rot(0.5 + x[0] + x[1] ** 2, 2.0 + z), _rot(0.5 + x[0] - x[1] ** 2, 2.0 + x[0] * x[1])]
    zero = np.zeros((2, 2))
    B = np.concatenate([np.concatenate([blocks[0], zero], axis=1),
                        np.concatenate([zero, blocks[1]], axis=1)], axis=0)
    return _S4 @ B @ np.linalg.inv(_S4)


def _pair_oracle(expr_of):
    """The Hessian at 0 of ``expr_of(eigenvalues)`` (sympy, the closed-form eigenvalues)."""
    x0, x1 = sympy.symbols("x0 x1", real=True)
    a1, b1 = sympy.Rational(1, 2) + x0 + x1 ** 2, 2
    a2, b2 = sympy.Rational(1, 2) + x0 - x1 ** 2, 2 + x0 * x1
    w = [a1 + sympy.I * b1, a1 - sympy.I * b1, a2 + sympy.I * b2, a2 - sympy.I * b2]
    e = expr_of(w)
    H = sympy.hessian(e, (x0, x1)).subs({x0: 0, x1: 0})
    return np.array(H.evalf(), dtype=complex)


@pytest.mark.parametrize("name", ["sum w^2", "prod", "sum |w|^2", "max Re", "min Re"])
def test_eigvals_complex_pair_split_at_second_order(name):
    """Functions of the cluster's members as a whole (sum of squares = trace(A @ A),
    the product = det(A), sum |w|^2, the largest / smallest real part): were NaN (no
    order of complex values); now the members' second-order parts, exact."""
    fs = {
        "sum w^2": (lambda w: np.real(np.sum(w ** 2)),
                    lambda w: sympy.re(sum(v ** 2 for v in w))),
        "prod": (lambda w: np.real(np.prod(w)), lambda w: sympy.re(sympy.prod(w))),
        "sum |w|^2": (lambda w: np.sum(np.abs(w) ** 2),
                      lambda w: sum(sympy.re(v) ** 2 + sympy.im(v) ** 2 for v in w)),
        "max Re": (lambda w: np.max(np.real(w)), None),
        "min Re": (lambda w: np.min(np.real(w)), None),
    }
    f, expr = fs[name]
    H = dg.hessian(lambda x: f(np.linalg.eigvals(_pair_matrix(x))), np.zeros(2))
    if expr is not None:
        want = np.real(_pair_oracle(expr))
    else:                       # the member of the larger (smaller) real part's Hessian
        want = np.diag([0.0, 2.0 if name == "max Re" else -2.0])
    np.testing.assert_allclose(H, want, rtol=1e-12, atol=1e-12)
    if name == "sum w^2":       # the polynomial of the entries
        np.testing.assert_allclose(H, dg.hessian(lambda x: np.trace(_pair_matrix(x) @
                                                                     _pair_matrix(x)),
                                                 np.zeros(2)), rtol=1e-12, atol=1e-12)


def test_eigvals_complex_pair_conjugates_stay_paired():
    """A real matrix's eigenvalues come in conjugate pairs (LAPACK's neighbours): the
    members given to a cluster and to its conjugate are conjugates, so w[0] + w[1]
    stays real at second order (an order of the members chosen apart for the two
    clusters gave it an imaginary part)."""
    for chunk in (None, 1):
        H = dg.hessian(lambda x: np.imag((lambda w: w[0] + w[1])(
            np.linalg.eigvals(_pair_matrix(x)))), np.zeros(2), chunk=chunk)
        ok = ~np.isnan(H)
        np.testing.assert_allclose(H[ok], 0.0, atol=1e-12)


def test_eigvals_complex_nan_in_both_parts():
    """Where a complex value's second derivative is NaN, its imaginary part is NaN too
    (np.where(..., np.nan, complex) and a float NaN array gave NaN + 0j: .imag read 0,
    silently).  A first-order split of the pair (a generic direction): NaN."""
    rng = np.random.default_rng(5)
    E0, E1 = rng.standard_normal((2, 4, 4))
    A0 = np.kron(np.eye(2), np.array([[0.5, -2.0], [2.0, 0.5]]))
    H = dg.hessian(lambda x: np.imag(np.linalg.eigvals(A0 + x[0] * E0 + x[1] * E1)[0]),
                   np.zeros(2))
    assert np.isnan(H).all()
    w = dg.derivative(lambda t: dg.derivative(
        lambda s: np.linalg.eigvals(A0 + s * E0 + t * E1)[0], 0.0), 0.0)
    assert np.isnan(w.real) and np.isnan(w.imag)


def _turning_matrix(x):
    """Q [[1 + x0, x1^2], [-x1^2, 1 + x0]] (+) [[0.3, -1], [1, 0.3 + x1]] Q^T: the real
    pair {1, 1} turns into 1 + x0 +- i x1^2 (complex at second order) beside a complex
    pair, so eig's values are complex128."""
    Q = np.linalg.qr(np.random.default_rng(3).standard_normal((4, 4)))[0]
    z = 0.0 * x[0]
    rows = [np.stack([1 + x[0], x[1] ** 2 + z, z, z]), np.stack([-x[1] ** 2 + z, 1 + x[0], z, z]),
            np.stack([z, z, 0.3 + z, -1 + z]), np.stack([z, z, 1 + z, 0.3 + x[1]])]
    return Q @ np.stack(rows) @ Q.T


@pytest.mark.parametrize("chunk", [None, 1])
def test_eigvals_real_pair_turning_complex(chunk):
    """sum(w^2) = trace(A @ A) and prod(w) = det(A) (Hessians of the polynomials of the
    entries, by dualgrad's arithmetic: another path) where a real cluster turns into a
    complex pair at second order; NaN on main (and a chunk-dependent NaN pattern)."""
    x = np.zeros(2)
    H = dg.hessian(lambda x: np.real(np.sum(np.linalg.eigvals(_turning_matrix(x)) ** 2)), x,
                   chunk=chunk)
    # trace(A @ A) with Q orthogonal: 2 (1 + x0)^2 - 2 x1^4 + 2 (0.09 - 1) + (0.3 + x1)^2
    # + ... : its Hessian at 0 is diag(4, 2)
    np.testing.assert_allclose(H, np.diag([4.0, 2.0]), rtol=1e-12, atol=1e-12)
    H = dg.hessian(lambda x: np.real(np.prod(np.linalg.eigvals(_turning_matrix(x)))), x,
                   chunk=chunk)
    # det = ((1 + x0)^2 + x1^4) ((0.3)(0.3 + x1) + 1): Hessian [[2 * 1.09, 2 * 0.3], [0.6, 0]]
    np.testing.assert_allclose(H, [[2.18, 0.6], [0.6, 0.0]], rtol=1e-12, atol=1e-12)


# -- norm(A, 'nuc') at equal singular values ---------------------------------------------

def _nuclear_hessian(s, m, n, Q=None):
    """The Hessian of nuc(Q (diag(s) + E)) in E's m x n entries at E = 0 (closed form:
    sum_{i<j<=r} (E_ij - E_ji)^2 / (s_i + s_j) + sum_{i>r or j>r, one of them <= r}
    E_ij^2 / s_(that one), r = min(m, n), all s > 0), as a bilinear form on the entries;
    Q orthogonal on the left (nuc(Q A) = nuc(A), so E's entries turn by Q^T)."""
    r = min(m, n)
    N = m * n
    H = np.zeros((N, N))

    def form(E1, E2):
        total = 0.0
        for i in range(r):
            for j in range(i + 1, r):
                total += (E1[i, j] - E1[j, i]) * (E2[i, j] - E2[j, i]) / (s[i] + s[j])
        for i in range(r, m):               # tall: rows below
            for j in range(r):
                total += E1[i, j] * E2[i, j] / s[j]
        for j in range(r, n):               # wide: columns to the right
            for i in range(r):
                total += E1[i, j] * E2[i, j] / s[i]
        return total

    basis = np.eye(N).reshape(N, m, n)
    if Q is not None:
        basis = np.einsum("ki,pkj->pij", Q, basis)          # Q^T E
    for p in range(N):
        for q in range(N):
            H[p, q] = form(basis[p], basis[q])
    return H


@pytest.mark.parametrize("s, shape", [([1.0, 1.0, 2.0], (3, 3)), ([2.0, 1.0, 1.0], (3, 3)),
                                      ([1.0, 1.0, 1.0], (3, 3)), ([1.0, 1.0], (3, 2)),
                                      ([1.0, 1.0], (2, 3))])
@pytest.mark.parametrize("rotated", [False, True])
@pytest.mark.parametrize("chunk", [None, 2])
def test_nuclear_norm_hessian_at_equal_singular_values(s, shape, rotated, chunk):
    """norm(A, 'nuc') = sum of the singular values is smooth where none is 0, clusters
    or not; its Hessian was NaN in most entries at a cluster (the members' kinks), in a
    pattern that depended on chunk.  Now exact and the same at every chunk."""
    m, n = shape
    B = np.zeros(shape)
    r = len(s)
    B[:r, :r] = np.diag(s)
    Q = None
    if rotated:
        Q = np.linalg.qr(np.random.default_rng(7).standard_normal((m, m)))[0]
        B = Q @ B
    H = dg.hessian(lambda v: np.linalg.norm(B + v.reshape(shape), "nuc"), np.zeros(m * n),
                   chunk=chunk)
    np.testing.assert_allclose(H, _nuclear_hessian(s, m, n, Q), rtol=1e-12, atol=1e-12)
    # the value stays NumPy's
    assert dg.value_and_grad(lambda v: np.linalg.norm(B + v.reshape(shape), "nuc"))(
        np.zeros(m * n))[0] == np.linalg.norm(B, "nuc")


def test_eigh_split_cluster_batch_and_third_order():
    """The split cluster of test_eigh_split_cluster_second_order_not_averaged in a batch
    beside a matrix without ties: exact (the mean gave H[1, 1] = 124 for 112); a third
    derivative along u1 (dg.derivative of the Hessian): NaN, never a number (the mean
    gave [[24, 62], [62, 48]], the members' second-order parts [[24, 56], [56, 0]]; the
    truth [[24, 32], [32, 72]]: the third order at a cluster is not followed)."""
    B0 = np.diag([1.0, 1.0, 2.0])
    E4, E5 = _unit(1, 1), _unit(1, 2) + _unit(2, 1)
    R = np.random.default_rng(0).standard_normal((3, 3))
    R = R + R.T

    def A(u):
        return np.stack([B0 + u[0] * E4 + u[1] * E5, R + u[0] * E5])

    def f(u):
        w, V = np.linalg.eigh(A(u))
        return np.sum((V * w[..., None, :] ** 3) @ np.swapaxes(V, -1, -2) * _W3)

    want = _cubic_hessian(lambda u: np.sum(np.stack([np.linalg.matrix_power(M, 3)
                                                      for M in A(u)]) * _W3), 2)
    np.testing.assert_allclose(dg.hessian(f, np.zeros(2)), want, rtol=1e-13, atol=1e-12)

    def g(u):
        w, V = np.linalg.eigh(B0 + u[0] * E4 + u[1] * E5)
        return np.sum((V * w ** 3) @ V.T * _W3)

    third = dg.derivative(lambda t: dg.hessian(g, t * np.array([0.0, 1.0])), 0.0)
    # the oracle: A^3 is a cubic, so its Hessian is linear in u: a central difference
    # of the (exact) cubic Hessians at +-e1 is its derivative along e1
    def poly(u):
        return np.sum(np.linalg.matrix_power(B0 + u[0] * E4 + u[1] * E5, 3) * _W3)

    e1 = np.array([0.0, 1.0])
    truth = (_cubic_hessian(lambda u: poly(u + e1), 2) -
             _cubic_hessian(lambda u: poly(u - e1), 2)) / 2.0
    np.testing.assert_allclose(truth, [[24.0, 32.0], [32.0, 72.0]], rtol=1e-12)
    ok = ~np.isnan(third)
    np.testing.assert_allclose(third[ok], truth[ok], rtol=1e-12)
    assert not ok.all()


def _sweep_case(seed, trial):
    """A clustered matrix (a permuted diagonal of 1, 2, 3's) and five sparse integer
    directions, drawn as in the sweep that found the cases (trial ``trial`` of ``seed``)."""
    rng = np.random.default_rng(seed)
    for t in range(trial + 1):
        m = rng.choice([3, 4])
        D = np.sort(rng.choice([1.0, 2.0, 3.0], size=m))
        P = np.eye(m)[rng.permutation(m)]
        B0 = P @ np.diag(D) @ P.T
        W = rng.standard_normal((m, m))
        E = np.zeros((5, m * m))
        for i in range(5):
            nz = rng.choice(m * m, size=rng.choice([1, 2]), replace=False)
            E[i, nz] = rng.choice([-1.0, 1.0, 2.0], size=len(nz))
    return m, B0, W, E


@pytest.mark.parametrize("seed, trial", [(2, 0), (2, 1), (3, 3)])
def test_basis_free_functions_sweep_exact_or_nan(seed, trial):
    """The cases of a sweep (permuted clustered diagonals, sparse directions, chunk None
    / 2 / 3) where stop 46's start gave numbers no member has (0.70 and 0.40 relative
    off): U s^3 V^T, V w^3 V^T, V w^2 V^T and eig's V w^2 V^-1, against the cubic
    polynomials of the entries (central second differences with h = 1, exact)."""
    m, B0, W, E = _sweep_case(seed, trial)

    def A(u):
        return B0 + (u @ E).reshape(m, m)

    def S(u):
        M = A(u)
        return M + M.T

    pairs = [
        (lambda u: (lambda U, s, Vt: np.sum((U * s ** 3) @ Vt * W))(*np.linalg.svd(A(u))),
         lambda u: np.sum((lambda M: M @ M.T @ M)(A(u)) * W)),
        (lambda u: (lambda w, V: np.sum((V * w ** 3) @ V.T * W))(*np.linalg.eigh(S(u))),
         lambda u: np.sum(np.linalg.matrix_power(S(u), 3) * W)),
        (lambda u: (lambda w, V: np.sum((V * w ** 2) @ V.T * W))(*np.linalg.eigh(S(u))),
         lambda u: np.sum(np.linalg.matrix_power(S(u), 2) * W)),
        (lambda u: (lambda w, V: np.sum(np.real((V * w ** 2) @ np.linalg.inv(V)) * W))(
            *np.linalg.eig(A(u))), lambda u: np.sum(A(u) @ A(u) * W)),
    ]
    for f, poly in pairs:
        want = _cubic_hessian(poly, 5)
        scale = max(1.0, np.max(np.abs(want)))
        for chunk in (None, 2, 3):
            H = dg.hessian(f, np.zeros(5), chunk=chunk)
            ok = ~np.isnan(H)
            np.testing.assert_allclose(H[ok] / scale, want[ok] / scale, rtol=0, atol=1e-12)


def test_max_over_an_axis_of_real_parts_of_complex_duals():
    """np.max over one axis of np.real of complex duals (partials whose rows are not
    contiguous): ff60226's flat gather took None from the backend and raised
    AttributeError in Hessians and gradients (the max Re tests above met it).
    Oracles: closed forms."""
    c = np.array([1 + 1j, 1 - 1j])
    g = dg.gradient(lambda x: np.sum(np.max(np.real(x[:, None] * c), axis=0)),
                    np.array([1.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 2.0])     # 2 max(x0, x1)
    H = dg.hessian(lambda x: np.max(np.real(np.exp(1j * x))), np.array([0.0, 0.3]))
    np.testing.assert_allclose(H, [[-1.0, 0.0], [0.0, 0.0]], rtol=1e-15)   # cos x0
