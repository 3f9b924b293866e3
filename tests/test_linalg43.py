"""linalg43: attack43's linear-algebra findings, each against an independent oracle.

- complex Hermitian paths (cholesky, cho_factor / cho_solve, solve and inv with
  assume_a 'her' / 'pos', eigh) read the diagonal's real part only, as LAPACK does:
  a direction moving only its imaginary part moves nothing (oracle: 8th-order
  central differences of SciPy's own function, exactly 0 there);
- inv(a, assume_a='diagonal') is SciPy 1.17's function (1 / a_ii on the diagonal,
  a's off-diagonal entries copied): its partials, not -X dA X (oracle: differences
  of SciPy's function; analytic);
- holomorphic=True through a function with no complex derivative raises the
  DualTypeError NumPy's equivalents raise (oracle: the differences along h and i h
  disagree, so no number is right);
- det's derivatives of every order at a numerically rank-deficient matrix (oracle:
  the cofactor polynomial through + and *);
- eigh / eigvalsh at exactly repeated eigenvalues: each value of a cluster takes the
  cluster's mean, trace(V_c^H dA V_c) / k (oracle: eigenvalues of diagonal matrices,
  np.sort's convention).
"""

import numpy as np
import pytest

sl = pytest.importorskip("scipy.linalg")

import dualgrad as dg  # noqa: E402
import dualgrad.scipy.linalg as dl  # noqa: E402
from dualgrad.errors import DualTypeError  # noqa: E402

_C = [4 / 5, -1 / 5, 4 / 105, -1 / 280]               # 8th-order central differences


def _cd(f, x, h=1e-3):
    """Jacobian of ``f`` at ``x`` (``f(x).shape + x.shape``), 8th order."""
    x = np.asarray(x)
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size, dtype=x.dtype)
        e[i] = h
        e = e.reshape(x.shape)
        cols.append(sum(c * (np.asarray(f(x + (k + 1) * e)) - np.asarray(f(x - (k + 1) * e)))
                        for k, c in enumerate(_C)) / h)
    return np.stack(cols, axis=-1).reshape(np.shape(f(x)) + x.shape)


def _close(got, want, tol=1e-9):
    scale = max(1.0, float(np.max(np.abs(want))))
    np.testing.assert_allclose(got, want, rtol=0, atol=tol * scale)


_RNG = np.random.default_rng(43)
N = 3
_G = _RNG.normal(size=(N, N)) + 1j * _RNG.normal(size=(N, N))
H0 = _G @ _G.conj().T + N * np.eye(N)                  # Hermitian positive definite
E = _RNG.normal(size=(N, N)) + 1j * _RNG.normal(size=(N, N))
EH = E + E.conj().T                                    # a Hermitian direction
B = _RNG.normal(size=N) + 1j * _RNG.normal(size=N)

# name: (dualgrad.scipy's function of a matrix, SciPy's)
HERMITIAN = {
    "cholesky": (dl.cholesky, sl.cholesky),
    "cholesky_lower": (lambda m: dl.cholesky(m, lower=True),
                       lambda m: sl.cholesky(m, lower=True)),
    "cho_factor": (lambda m: dl.cho_factor(m)[0], lambda m: sl.cho_factor(m)[0]),
    "cho_solve": (lambda m: dl.cho_solve(dl.cho_factor(m, lower=True), B),
                  lambda m: sl.cho_solve(sl.cho_factor(m, lower=True), B)),
    "solve_her": (lambda m: dl.solve(m, B, assume_a="her"),
                  lambda m: sl.solve(m, B, assume_a="her")),
    "solve_pos_lower": (lambda m: dl.solve(m, B, assume_a="pos", lower=True),
                        lambda m: sl.solve(m, B, assume_a="pos", lower=True)),
    "inv_her": (lambda m: dl.inv(m, assume_a="her"), lambda m: sl.inv(m, assume_a="her")),
    "inv_pos": (lambda m: dl.inv(m, assume_a="pos", lower=True),
                lambda m: sl.inv(m, assume_a="pos", lower=True)),
    "eigh": (lambda m: dl.eigh(m, eigvals_only=True), lambda m: sl.eigh(m, eigvals_only=True)),
}


@pytest.mark.parametrize("name", HERMITIAN)
def test_imaginary_diagonal_moves_nothing(name):
    """A(t) = H0 + t i I: SciPy reads the diagonal's real part only, so its function
    is constant in t (differences exactly 0) and so is the derivative."""
    ours, theirs = HERMITIAN[name]
    P = 1j * np.eye(N)
    want = _cd(lambda t: theirs(H0 + t[0] * P), np.zeros(1))[..., 0]
    assert np.max(np.abs(want)) == 0.0
    got = dg.derivative(lambda t: ours(H0 + t * P), 0.0)
    _close(got, want, 1e-15)


@pytest.mark.parametrize("name", HERMITIAN)
def test_hermitian_paths_two_real_parameters_and_hessian(name):
    """A(s, t) = H0 + s EH + t (i diag(1, 2, 3) + E's strict lower triangle): first
    and second derivatives of |f|^2 against differences of SciPy's function."""
    ours, theirs = HERMITIAN[name]
    D = 1j * np.diag([1.0, 2.0, 3.0]) + np.tril(E, -1)

    def f(p, fn):
        out = fn(H0 + p[0] * EH / 8 + p[1] * D / 8)
        return np.sum(np.real(out * np.conj(out)))

    p0 = np.array([0.1, -0.2])
    _close(dg.gradient(lambda p: f(p, ours), p0), _cd(lambda p: f(p, theirs), p0))
    want = _cd(lambda q: _cd(lambda p: f(p, theirs), q, 1e-2), p0, 1e-2)
    _close(dg.hessian(lambda p: f(p, ours), p0), want, 1e-7)


def test_inv_diagonal_is_scipys_function():
    """SciPy 1.17: inv(a, assume_a='diagonal') = 1 / a_ii on the diagonal and a_ij
    off it: d out_ii / d a_ii = -1 / a_ii^2, d out_ij / d a_ij = 1, 0 else (analytic
    and differences), at a non-diagonal and a diagonal a; Hessian -> 2 / a_ii^3."""
    for a in (np.array([[2.0, 1.0, -3.0], [0.5, 4.0, 1.0], [2.0, 7.0, 5.0]]),
              np.diag([2.0, 4.0, -5.0])):
        p = a.ravel()
        got = dg.jacobian(lambda q: dl.inv(q.reshape(N, N), assume_a="diagonal").ravel(), p)
        want = _cd(lambda q: sl.inv(q.reshape(N, N), assume_a="diagonal").ravel(), p)
        _close(got, want)
        analytic = np.eye(N * N)
        for i in range(N):
            analytic[i * N + i, i * N + i] = -1.0 / a[i, i] ** 2
        np.testing.assert_allclose(got, analytic, rtol=1e-15, atol=0)
        h = dg.hessian(lambda q: dl.inv(q.reshape(N, N), assume_a="diagonal")[1, 1], p)
        assert h[4, 4] == pytest.approx(2.0 / a[1, 1] ** 3, rel=1e-15)
        assert np.count_nonzero(h) == 1


def test_inv_diagonal_sparsity_auto():
    a = np.array([[2.0, 1.0], [0.5, 4.0]]).ravel()
    f = lambda q: dl.inv(q.reshape(2, 2), assume_a="diagonal").ravel()   # noqa: E731
    analytic = np.diag([-1 / 2.0 ** 2, 1.0, 1.0, -1 / 4.0 ** 2])   # -1 / a_ii^2; 1 off it
    pattern = dg.sparsity(f, a).toarray() != 0
    assert np.array_equal(pattern, np.eye(4, dtype=bool))
    _close(dg.jacobian(f, a, sparsity="auto").toarray(), analytic, 0)


@pytest.mark.parametrize("assume_a", ["symmetric", "hermitian", "positive definite"])
def test_inv_rejects_what_scipy_rejects(assume_a):
    """SciPy 1.17's inv knows 'sym', 'her', 'pos' (not solve's long names): on duals
    the same keys, the others refused."""
    with pytest.raises(KeyError):
        sl.inv(H0.real, assume_a=assume_a)
    short = {"symmetric": "sym", "hermitian": "her", "positive definite": "pos"}[assume_a]
    with pytest.raises(ValueError, match=rf"^dualgrad\.scipy\.linalg\.inv: expected "
                                         rf"assume_a as one of .*got '{assume_a}'\. "
                                         rf"Fix: assume_a='{short}'"):
        dg.derivative(lambda s: dl.inv(H0.real * s, assume_a=assume_a), 1.0)
    np.testing.assert_allclose(         # the key it names: the inverse's derivative -A^-2
        dg.derivative(lambda s: dl.inv(H0.real * s, assume_a=short), 1.0),
        -np.linalg.inv(H0.real), rtol=1e-12)
    with pytest.raises(ValueError, match=r"got 'banded'\. Fix: pass one of those keys"):
        dg.derivative(lambda s: dl.inv(H0.real * s, assume_a="banded"), 1.0)


def _holo(f):
    return lambda: dg.derivative(f, 0.01 + 0.02j, holomorphic=True)


NOT_HOLOMORPHIC = {
    "cholesky": lambda z: dl.cholesky(H0 + z * E),
    "cho_factor": lambda z: dl.cho_factor(H0 + z * E)[0],
    "cho_solve_c": lambda z: dl.cho_solve((H0 + z * E, True), B),
    "solve_her": lambda z: dl.solve(H0 + z * E, B, assume_a="her"),
    "solve_pos": lambda z: dl.solve(H0 + z * E, B, assume_a="positive definite"),
    "inv_her": lambda z: dl.inv(H0 + z * E, assume_a="her"),
    "inv_pos": lambda z: dl.inv(H0 + z * E, assume_a="pos"),
    "eigh": lambda z: dl.eigh(H0 + z * E, eigvals_only=True),
    "solve_triangular_2": lambda z: dl.solve_triangular(H0 + z * E, B, trans=2),
    "lu_solve_2": lambda z: dl.lu_solve(dl.lu_factor(H0 + z * E), B, trans="C"),
    "nested_cholesky": lambda z: dg.derivative(lambda s: dl.cholesky(H0 * s + z * E), 1.0),
}


@pytest.mark.parametrize("name", NOT_HOLOMORPHIC)
def test_holomorphic_true_refuses_non_holomorphic(name):
    """No complex derivative exists (np.linalg.cholesky / eigvalsh raise the same):
    the differences of the real part along h and i h disagree."""
    f = NOT_HOLOMORPHIC[name]
    with pytest.raises(DualTypeError, match="holomorphic"):
        _holo(f)()


HOLOMORPHIC_OK = {       # linear in b / holomorphic in a: still numbers, the right ones
    "cho_solve_b": (lambda z: dl.cho_solve(sl.cho_factor(H0), B * z),
                    lambda z: sl.cho_solve(sl.cho_factor(H0), B * z)),
    "solve_triangular_2_b": (lambda z: dl.solve_triangular(H0, B * z, trans=2),
                             lambda z: sl.solve_triangular(H0, B * z, trans=2)),
    "solve_sym": (lambda z: dl.solve(H0 + z * E, B, assume_a="sym"),
                  lambda z: sl.solve(H0 + z * E, B, assume_a="sym")),
    "inv_diagonal": (lambda z: dl.inv(H0 + z * E, assume_a="diagonal"),
                     lambda z: sl.inv(H0 + z * E, assume_a="diagonal")),
}


@pytest.mark.parametrize("name", HOLOMORPHIC_OK)
def test_holomorphic_true_still_works(name):
    ours, theirs = HOLOMORPHIC_OK[name]
    z0 = 0.01 + 0.02j
    got = dg.derivative(ours, z0, holomorphic=True)
    along_re = _cd(lambda t: theirs(z0 + t[0]), np.zeros(1), 1e-3)[..., 0]
    along_im = _cd(lambda t: theirs(z0 + 1j * t[0]), np.zeros(1), 1e-3)[..., 0] / 1j
    _close(along_re, along_im, 1e-8)                       # holomorphic indeed
    _close(got, along_re)


def _leibniz(M):
    """det by the permutation expansion, through dualgrad's + and * only (exact
    rules: a polynomial's partials of every order, an oracle that never inverts)."""
    import itertools
    m = np.shape(M)[-1]
    total = 0.0
    for perm in itertools.permutations(range(m)):
        sign = np.linalg.det(np.eye(m)[list(perm)])
        term = sign
        for r, c in enumerate(perm):
            term = term * M[..., r, c]
        total = total + term
    return total


def _gram(m, k, seed, cplx=False):
    X = np.random.default_rng(seed).normal(size=(m, k))
    if cplx:
        X = X + 1j * np.random.default_rng(seed + 100).normal(size=(m, k))
    return X @ X.conj().T


DETS = {"np.linalg.det": np.linalg.det, "dualgrad.scipy.linalg.det": dl.det}


@pytest.mark.parametrize("who", DETS)
@pytest.mark.parametrize("m,k,seed", [(3, 2, 0), (3, 2, 1), (3, 2, 2), (4, 3, 0), (5, 4, 3),
                                      (4, 2, 5), (3, 1, 7)])
def test_det_hessian_at_rank_deficient_gram(who, m, k, seed):
    """A = X X^T of rank k < m (LAPACK's det ~1e-16, not 0): the Hessian of det is the
    cofactor polynomial's to rounding (it was O(1) wrong through det tr(A^-1 dA))."""
    det = DETS[who]
    A = _gram(m, k, seed).ravel()
    want = dg.hessian(lambda p: _leibniz(p.reshape(m, m)), A)
    got = dg.hessian(lambda p: det(p.reshape(m, m)), A)
    _close(got, want, 1e-13)
    _close(dg.gradient(lambda p: det(p.reshape(m, m)), A),
           dg.gradient(lambda p: _leibniz(p.reshape(m, m)), A), 1e-13)


def test_det_oracle_is_the_polynomial():
    """The oracle itself against a second difference (exact for a cubic: h = 0.5)."""
    A = _gram(3, 2, 0).ravel()
    f = lambda p: float(np.linalg.det(p.reshape(3, 3)))      # noqa: E731
    h, I = 0.5, np.eye(9) * 0.5
    fd = np.array([[(f(A + I[i] + I[j]) - f(A + I[i] - I[j]) - f(A - I[i] + I[j])
                     + f(A - I[i] - I[j])) / (4 * h * h) for j in range(9)] for i in range(9)])
    _close(dg.hessian(lambda p: _leibniz(p.reshape(3, 3)), A), fd, 1e-12)


@pytest.mark.parametrize("who", DETS)
def test_det_third_derivative_at_rank_deficient(who):
    det = DETS[who]
    A = _gram(3, 2, 0).ravel()
    got = dg.jacfwd(lambda p: dg.hessian(lambda q: det(q.reshape(3, 3)), p))(A)
    want = dg.jacfwd(lambda p: dg.hessian(lambda q: _leibniz(q.reshape(3, 3)), p))(A)
    _close(np.asarray(got), np.asarray(want), 1e-13)


def test_det_hessian_batched_complex_and_exact_zero_blocks():
    """A stack mixing a regular matrix, a rank-2 Gram and an exactly rank-1 one (a
    2 x 2 block of exact zeros left: the Laplace expansion), complex Gram too."""
    stack = np.stack([_gram(3, 3, 1) + np.eye(3), _gram(3, 2, 2), np.outer([1.0, 2, 3], [2.0, -1, 1])])
    p = stack.ravel()
    want = dg.hessian(lambda q: np.sum(_leibniz(q.reshape(3, 3, 3))), p)
    _close(dg.hessian(lambda q: np.sum(np.linalg.det(q.reshape(3, 3, 3))), p), want, 1e-13)
    Z = _gram(3, 2, 4, cplx=True)
    D = np.random.default_rng(9).normal(size=(2, 3, 3))

    def f(t, det):
        d = det(Z + t[0] * D[0] + t[1] * D[1] * 1j)
        return np.real(d * np.conj(d)) + np.real(d) + np.imag(d)

    _close(dg.hessian(lambda t: f(t, np.linalg.det), np.zeros(2)),
           dg.hessian(lambda t: f(t, _leibniz), np.zeros(2)), 1e-13)


@pytest.mark.parametrize("who", DETS)
def test_det_hessian_regular_unchanged(who):
    """A well-conditioned matrix keeps the inverse's formula; against the polynomial."""
    A = (np.random.default_rng(3).normal(size=(4, 4)) + 4 * np.eye(4)).ravel()
    _close(dg.hessian(lambda p: DETS[who](p.reshape(4, 4)), A),
           dg.hessian(lambda p: _leibniz(p.reshape(4, 4)), A), 1e-12)


VALUES = {       # eigenvalues alone: the cluster's mean
    "np.linalg.eigvalsh": np.linalg.eigvalsh,
    "eigvalsh_upper": lambda A: np.linalg.eigvalsh(A, UPLO="U"),
    "dualgrad.scipy.linalg.eigh": lambda A: dl.eigh(A, eigvals_only=True),
}


@pytest.mark.parametrize("who", VALUES)
def test_repeated_eigenvalue_takes_the_cluster_mean(who):
    """attack43 repro_11: f(s) = w_0(diag(1 + s, 1 - s)) + max(1 + s, 1 - s) == 2, so
    f'(0) = 0 (it was 1: diag(V^T dA V) in LAPACK's basis beside np.max's mean);
    the values' derivative is the sorted diagonal's (analytic: eigenvalues of a
    diagonal matrix are its sorted entries; row k the mean of e_j over the entries
    equal to w_k, written out here, not read from dualgrad's np.sort)."""
    w = VALUES[who]
    A = lambda s: np.diag(np.stack([1.0 + s, 1.0 - s]))      # noqa: E731
    assert dg.derivative(lambda s: w(A(s))[0] + np.max(np.diag(A(s))), 0.0) == 0.0
    for v in (np.array([2.0, 1.0, 2.0, 2.0, -1.0]), np.array([3.0, 3.0, 1.0, 1.0])):
        got = dg.jacobian(lambda x: w(np.diag(x)), v)
        tied = np.sort(v)[:, None] == v[None, :]      # row k: the entries equal to w_k
        np.testing.assert_array_equal(got, tied / np.sum(tied, axis=1, keepdims=True))


@pytest.mark.parametrize("who", VALUES)
def test_repeated_eigenvalue_mean_is_basis_independent(who):
    """A = I + c u u^T (u unit, not a coordinate axis): eigenvalue 1 twice in a basis
    LAPACK picks, 1 + c once.  E random symmetric (it mixes the cluster):
    dw = trace(P_c E) / 2 twice (P_c = I - u u^T, the cluster's projector), u^T E u
    (analytic).  The first A whose eigenvalues this path gives exactly tied."""
    w = VALUES[who]
    E = np.random.default_rng(6).normal(size=(3, 3))
    E = E + E.T
    for u, c in ((np.array([1.0, 1.0, 0.0]), 1.0), (np.ones(3), 3.0)):
        A0 = np.eye(3) + c * np.outer(u, u) / (u @ u)
        if w(A0)[0] == w(A0)[1]:
            break
    else:
        pytest.fail("no exactly tied test matrix for this path")
    got = dg.derivative(lambda t: w(A0 + t * E), 0.0)
    m = np.trace((np.eye(3) - np.outer(u, u) / (u @ u)) @ E) / 2
    np.testing.assert_allclose(got, [m, m, u @ E @ u / (u @ u)], rtol=1e-13, atol=1e-13)


def test_repeated_eigenvalue_complex_hermitian_and_eigh_with_vectors():
    """Complex Hermitian A = diag(1, 1, 2) + 0j, E Hermitian: (E00 + E11) / 2 twice, E22
    (real).  eigh returning vectors: diag(V^H dA V) in every direction (eig53: the mean
    where E mixed the cluster made a Jacobian nonlinear in the direction), so V f(w)
    V^H is exact where E does not mix the cluster (its vectors' partials NaN where it
    does)."""
    A0 = np.diag([1.0, 1.0, 2.0]) + 0j
    got = dg.derivative(lambda t: np.linalg.eigvalsh(A0 + t * EH), 0.0)
    m = np.real(EH[0, 0] + EH[1, 1]) / 2
    np.testing.assert_allclose(got, [m, m, EH[2, 2].real], rtol=1e-14)
    R = np.array([[0.3, 0.5, 0.1], [0.5, -0.7, 0.2], [0.1, 0.2, 0.4]])
    w = dg.derivative(lambda t: np.linalg.eigh(np.diag([1.0, 1.0, 2.0]) + t * R)[0], 0.0)
    V = np.linalg.eigh(np.diag([1.0, 1.0, 2.0]))[1]          # LAPACK's Rayleigh quotients
    np.testing.assert_allclose(w, np.diag(V.T @ R @ V), rtol=1e-14)
    D = np.diag([0.3, -0.7, 0.4])                           # does not mix: LAPACK's branch
    w = dg.derivative(lambda t: np.linalg.eigh(np.diag([1.0, 1.0, 2.0]) + t * D)[0], 0.0)
    np.testing.assert_array_equal(w, [0.3, -0.7, 0.4])
    w = dg.derivative(lambda t: dl.eigh(np.diag([1.0, 1.0, 2.0]) + t * D)[0], 0.0)
    np.testing.assert_array_equal(w, [0.3, -0.7, 0.4])


@pytest.mark.parametrize("who", VALUES)
def test_repeated_eigenvalue_second_order_exact_or_nan(who):
    """A(p) = (1 + p0) I + p1 diag(1, -1): sum(w^2) = 2 (1 + p0)^2 + 2 p1^2.  Outer
    direction p0 keeps the cluster: H[0] = (4, 0) exactly; p1 splits it (a kink of
    the sorted values; the mean's square is not the squares' mean): NaN, never a
    number.  A cluster-keeping Hessian (A = (1 + p0) I + p1 I) is exact."""
    w = VALUES[who]
    F = lambda a, b: np.sum(w((1 + a) * np.eye(2) + b * np.diag([1.0, -1.0])) ** 2)  # noqa
    H = dg.hessian(lambda p: F(p[0], p[1]), np.zeros(2))
    assert H[0, 0] == 4.0 and np.isnan(H[1, 1])
    assert np.all(np.isnan(H[[0, 1], [1, 0]]) | (H[[0, 1], [1, 0]] == 0.0))
    assert dg.derivative(lambda s: dg.derivative(lambda t: F(t, s), 0.0), 0.0) == 0.0
    assert np.isnan(dg.derivative(lambda s: dg.derivative(lambda t: F(s, t), 0.0), 0.0))
    H = dg.hessian(lambda p: np.sum(w((1 + p[0] + 2 * p[1]) * np.eye(3)) ** 3), np.zeros(2))
    np.testing.assert_allclose(H, 18 * np.array([[1.0, 2.0], [2.0, 4.0]]), rtol=1e-14)


def test_repeated_eigenvalue_stack_keeps_others_bit_for_bit():
    M = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 3.0]])
    C = np.array([[0.5, 1.0, 0.2], [1.0, -0.3, 0.4], [0.2, 0.4, 0.1]])
    alone = dg.derivative(lambda t: np.linalg.eigvalsh(M + t * C), 0.0)
    both = dg.derivative(lambda t: np.linalg.eigvalsh(np.stack([np.eye(3), M]) + t * C), 0.0)
    np.testing.assert_array_equal(both[1], alone)
    np.testing.assert_allclose(both[0], np.full(3, np.trace(C) / 3), rtol=1e-15)


def test_lu_solve_singular_and_batched_shapes_as_scipy():
    """attack43 repro_09 (a), (b): an exactly singular lu_factor on duals gives SciPy's
    factors and lu_solve SciPy's inf / NaN value (it raised solve_triangular's
    LinAlgError), partials NaN; a batched lu with a (B, n) b raises SciPy's
    ValueError, its words (it raised NumPy's broadcast error)."""
    import warnings
    S = np.ones((2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = sl.lu_solve(sl.lu_factor(S), np.ones(2))
        value, d = dg.jvp(lambda t: dl.lu_solve(dl.lu_factor(S * t), np.ones(2)), 1.0, 1.0)
    np.testing.assert_array_equal(value, want)
    assert np.isnan(d).all()
    A = np.stack([np.eye(3) * 2, np.eye(3) * 3])
    b = np.ones((2, 3))
    with pytest.raises(ValueError) as theirs:
        sl.lu_solve(sl.lu_factor(A), b)
    with pytest.raises(ValueError) as ours:
        dg.derivative(lambda t: dl.lu_solve(dl.lu_factor(A * t), b), 1.0)
    assert str(ours.value) == str(theirs.value)
