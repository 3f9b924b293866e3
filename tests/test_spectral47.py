"""np.linalg.eig / eigvals at an eigenvalue repeated in exact arithmetic that LAPACK's
rounding splits, in a NON-NORMAL matrix (eig47; attack46b 04, 05, 08).

Rounding splits a repeated eigenvalue by ~ eps times its condition number (1e-14 ..
1e-10 for ``S diag(1, 1, 3) S^-1``, ``cond(S)`` 1e1 .. 1e4), far past the tie tolerance
of a normal matrix; the derivative then took two simple eigenvalues of the rounded
matrix, whose derivatives hold only for steps below ~1e-15 (a gradient of
``max(eigvals(A).real)`` outside every one-sided derivative).  The tie tolerance now
scales with each eigenvalue's sensitivity (``_spectral.sensitivity``).

Oracles: the similarity ``S`` itself (exact eigenvectors of the repeated eigenvalue:
first-order perturbation theory, the members ``eig(Y_c C X_c)`` with ``X_c`` its
columns of ``S``, ``Y_c`` the rows of ``S^-1``; at a first-order split the cluster's
mean ``trace(Y_c C X_c) / k``, the convention), integer unimodular ``S`` (the repeated
eigenvalue exact in float64, checked with mpmath), and Richardson differences of
NumPy's own eigvals at usable steps.
"""

import numpy as np
import pytest

import dualgrad as dg

EPS = np.finfo(float).eps


def _unimodular(seed, m):
    """An integer matrix of determinant 1 and its integer inverse (products of
    elementary row operations), so that ``S D S^-1`` is exact in float64."""
    rng = np.random.default_rng(seed)
    S = np.eye(m, dtype=np.int64)
    for _ in range(6 + seed % 5):
        i, j = rng.choice(m, 2, replace=False)
        S[i] += int(rng.integers(-2, 3)) * S[j]
    Si = np.round(np.linalg.inv(S)).astype(np.int64)
    assert (S @ Si == np.eye(m, dtype=np.int64)).all()
    return S.astype(float), Si.astype(float)


# seeds of _unimodular whose double eigenvalue LAPACK splits by more than a normal
# matrix's tolerance (8 m eps max|w|): those main missed
EXACT = [9, 10, 14, 19, 22, 26, 28]


def _exact_case(seed):
    m = 3 + seed % 2
    S, Si = _unimodular(seed, m)
    A = S @ np.diag([1.0, 1.0] + list(range(3, m + 1))) @ Si     # exact integers
    C = np.random.default_rng(100 + seed).standard_normal((m, m))
    return A, C, S, Si


def _cluster(w, target):
    idx = np.flatnonzero(np.abs(w - target) < 1e-6)
    assert len(idx) == 2
    return idx


@pytest.mark.parametrize("seed", EXACT)
def test_exact_double_first_order_is_the_cluster_mean(seed):
    """d eigvals along C at an exact double eigenvalue 1: both rows the cluster mean
    trace(Y_c C X_c) / 2 (main: two simple eigenvalues' derivatives of the rounded
    matrix, neither the mean nor the members)."""
    A, C, S, Si = _exact_case(seed)
    w = np.linalg.eigvals(A)
    idx = _cluster(w, 1.0)
    m = A.shape[0]
    assert abs(w[idx[0]] - w[idx[1]]) > 8 * m * EPS * np.max(np.abs(w))   # LAPACK split it
    mean = np.trace(Si[:2] @ C @ S[:, :2]) / 2
    J = dg.jacobian(lambda x: np.linalg.eigvals(A + x[0] * C), np.zeros(1))[:, 0]
    np.testing.assert_allclose(J[idx], [mean, mean], rtol=1e-7, atol=1e-7 * np.abs(C).max())


def test_exact_double_is_exact():
    """The repeated eigenvalue is exact in the float64 matrix (mpmath at 40 digits): the
    split LAPACK returns is rounding's, not the matrix's."""
    mp = pytest.importorskip("mpmath")
    A, _, _, _ = _exact_case(22)
    with mp.workdps(40):
        ev = sorted((complex(z) for z in mp.eig(mp.matrix(A.tolist()))[0]), key=lambda z: z.real)
    assert abs(ev[0] - 1) < 1e-30 and abs(ev[1] - 1) < 1e-30


@pytest.mark.parametrize("seed", EXACT)
def test_exact_double_hessian_of_the_smaller_member(seed):
    """min(eigvals(A + x^2 C).real) at an exact double eigenvalue that the second order
    splits (C = S K S^-1, K's cluster block symmetric: real members 1 + s mu): the
    Hessian 2 min(mu) (main: the rounded simple eigenvalues' numbers)."""
    A, _, S, Si = _exact_case(seed)
    m = A.shape[0]
    K = np.random.default_rng(200 + seed).standard_normal((m, m))
    K[:2, :2] = (K[:2, :2] + K[:2, :2].T) / 2
    C = S @ K @ Si
    want = 2 * np.min(np.linalg.eigvalsh(K[:2, :2]))
    f = lambda x: np.min(np.linalg.eigvals(A + x[0] ** 2 * C).real)
    H = dg.hessian(f, np.zeros(1))[0, 0]
    np.testing.assert_allclose(H, want, rtol=1e-6)


def _float_case(seed):
    """attack46b s19 / s20: S = U diag(1, 1, 10^u) V, B0 = S diag(1, 1, 3) S^-1 in float64."""
    rng = np.random.default_rng(200 + seed)
    U, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    V, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    S = U @ np.diag([1.0, 1.0, 10.0 ** rng.uniform(1, 4)]) @ V
    Si = np.linalg.inv(S)
    B0 = S @ np.diag([1.0, 1.0, 3.0]) @ Si
    K = rng.standard_normal((3, 3))
    K[:2, :2] = (K[:2, :2] + K[:2, :2].T) / 2
    return B0, S @ K @ Si, K, S, Si


# (the seeds of attack46b s20 whose pair LAPACK splits past the old tolerance)
@pytest.mark.parametrize("seed", [0, 3, 15, 21, 24, 27])
def test_gradient_of_min_real_part_is_the_mean(seed):
    """attack46b 08 first order: the gradient of min(eigvals(A).real) at a double
    eigenvalue split at first order is the cluster mean (within [smaller, larger]
    one-sided derivative), not a rounded simple eigenvalue's (main: 1.68 where the
    one-sided derivatives were -1.54 and 1.21)."""
    B0, _, _, S, Si = _float_case(seed)
    C = np.random.default_rng(seed).standard_normal((3, 3))
    mu = np.linalg.eigvals(Si[:2] @ C @ S[:, :2])
    g = dg.grad(lambda x: np.min(np.linalg.eigvals(B0 + x[0] * C).real))(np.zeros(1))[0]
    np.testing.assert_allclose(g, np.mean(mu).real, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("seed", [4, 7, 13, 16, 22, 25, 28])
def test_hessian_of_min_real_part(seed):
    """attack46b 08 (s19): min(eigvals(B0 + x^2 C).real), the Hessian 2 min(eig(K_c))
    by perturbation theory; NumPy's own eigvals along s = x^2 agree (Richardson)."""
    B0, C, K, _, _ = _float_case(seed)
    want = 2 * np.min(np.linalg.eigvalsh(K[:2, :2]))
    f = lambda x: np.min(np.linalg.eigvals(B0 + x[0] ** 2 * C).real)
    H = dg.hessian(f, np.zeros(1))[0, 0]
    np.testing.assert_allclose(H, want, rtol=1e-6)
    if seed == 4:                    # the perturbation theory against NumPy itself
        q = lambda s: 2 * (f(np.array([np.sqrt(s)])) - f(np.zeros(1))) / s
        rich = 2 * q(1e-6) - q(2e-6)
        np.testing.assert_allclose(rich, want, rtol=1e-4)


def _rot(t):
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


@pytest.mark.parametrize("seed, extra", [(40, 0), (105, 1), (108, 0), (111, 1)])
def test_repeated_complex_pair_first_order_is_the_mean(seed, extra):
    """attack46b 05 (s12, s18): a repeated pair e^{+-0.7i} of S blockdiag(R, R[, 0.1])
    S^-1: each cluster's rows are its mean trace(Y_c C X_c) / 2 (main: two different
    wrong rows)."""
    rng = np.random.default_rng(seed)
    m = 4 + extra
    if seed == 40:                       # (s12's order of draws)
        C, S = rng.standard_normal((m, m)), rng.standard_normal((m, m))
    else:
        S, C = rng.standard_normal((m, m)), rng.standard_normal((m, m))
    Si = np.linalg.inv(S)
    D = np.zeros((m, m))
    D[:2, :2] = D[2:4, 2:4] = _rot(0.7)
    D[4:, 4:] = 0.1
    A0 = S @ D @ Si
    # eigenvectors of e^{0.7i}: S times (1, -i) in each block; left ones (1, i) / 2
    X = S @ np.array([[1, 0], [-1j, 0], [0, 1], [0, -1j]] + [[0, 0]] * extra)
    Y = np.array([[1, 1j, 0, 0] + [0] * extra, [0, 0, 1, 1j] + [0] * extra]) / 2 @ Si
    mean = np.trace(Y @ C @ X) / 2
    J = dg.jacobian(lambda x: np.linalg.eigvals(A0 + x[0] * C), np.zeros(1))[:, 0]
    w = np.linalg.eigvals(A0)
    up = _cluster(w, np.exp(0.7j))
    down = _cluster(w, np.exp(-0.7j))
    scale = np.abs(mean)
    np.testing.assert_allclose(J[up], [mean, mean], rtol=1e-6, atol=1e-8 * scale)
    np.testing.assert_allclose(J[down], np.conj([mean, mean]), rtol=1e-6, atol=1e-8 * scale)


@pytest.mark.parametrize("kind", ["scaled", "triangular"])
def test_close_distinct_eigenvalues_stay_apart(kind):
    """Two genuinely distinct eigenvalues 1e-7 apart of a badly scaled (D T D^-1) or a
    triangular matrix with a large coupling (cond(V) ~ 1e9): not a cluster (the
    sensitivity does not change under a diagonal similarity, nor count a triangular
    matrix's zeros); each row the simple eigenvalue's derivative, y_i^T C x_i
    in closed form for the triangular T."""
    T = np.array([[1.0, 50.0, 3.0], [0.0, 1.0 + 1e-7, 2.0], [0.0, 0.0, 2.0]])
    d = np.array([1.0, 1e4, 1e-3]) if kind == "scaled" else np.ones(3)
    A = T * d[:, None] / d[None, :]
    E = np.zeros((3, 3))
    E[1, 0] = 1e-9 * d[1] / d[0]             # couples the close pair: a square root
    E[0, 0] = 1.0                            # of the pair's own moves
    J = dg.jacobian(lambda x: np.linalg.eigvals(A + x[0] * E), np.zeros(1))[:, 0]
    w = np.linalg.eigvals(A)
    # T's eigenvectors of 1 and 1 + 1e-7: x = e0 and x = (50 / 1e-7, 1, 0); the left
    # ones y^T = (1, -50 / 1e-7, ...) and e1's; d lambda = y^T E' x / y^T x, E' = D^-1 E D
    Ep = E * d[None, :] / d[:, None]
    g = 1e-7
    x0, y0 = np.array([1.0, 0.0, 0.0]), np.array([1.0, -50.0 / g, 0.0])
    x1, y1 = np.array([50.0 / g, 1.0, 0.0]), np.array([0.0, 1.0, 2.0 / (1 + g - 2.0)])
    want = {1.0: y0 @ Ep @ x0 / (y0 @ x0), 1.0 + g: y1 @ Ep @ x1 / (y1 @ x1)}
    for lam, dlam in want.items():
        i = np.argmin(np.abs(w - lam))
        np.testing.assert_allclose(J[i], dlam, rtol=1e-5)


@pytest.mark.parametrize("seed", [0, 5, 6, 9, 16, 17, 21, 22, 23, 25])
def test_repeated_complex_pair_max_real_part_hessian(seed):
    """attack46b 04 (g): max(eigvals(A0 + x^2 C).real) at a repeated pair e^{+-0.7i} of
    S blockdiag(R, R[, 0.1]) S^-1, split at second order: the Hessian 2 max Re(mu),
    mu = eig(Y_c C X_c) from S.  LAPACK's two copies of e^{0.7i} differ in their last
    bits, and np.max takes the copy of the larger rounded real part: the member of the
    larger real second-order part must sit there (main put the members in LAPACK's
    order: 0.118 for -1.340 at attack46b's rng 40)."""
    rng = np.random.default_rng(seed)
    m = 4 + seed % 2
    S, C = rng.standard_normal((m, m)), rng.standard_normal((m, m))
    Si = np.linalg.inv(S)
    D = np.zeros((m, m))
    D[:2, :2] = D[2:4, 2:4] = _rot(0.7)
    D[4:, 4:] = 0.1
    A0 = S @ D @ Si
    X = S @ np.array([[1, 0], [-1j, 0], [0, 1], [0, -1j]] + [[0, 0]] * (m - 4))
    Y = np.array([[1, 1j, 0, 0] + [0] * (m - 4), [0, 0, 1, 1j] + [0] * (m - 4)]) / 2 @ Si
    want = 2 * np.max(np.linalg.eigvals(Y @ C @ X).real)
    f = lambda x: np.max(np.linalg.eigvals(A0 + x[0] ** 2 * C).real)
    H = dg.hessian(f, np.zeros(1))[0, 0]
    np.testing.assert_allclose(H, want, rtol=1e-6)
    if seed == 0:                    # the perturbation theory against NumPy itself
        q = lambda s: 2 * (f(np.array([np.sqrt(s)])) - f(np.zeros(1))) / s
        np.testing.assert_allclose(2 * q(1e-6) - q(2e-6), want, rtol=1e-4)


def test_attack46b_04_max_real_and_imaginary_parts():
    """attack46b 04's own matrix (rng 40): max Re'' -1.3395 and max Im'' 2.6019 (NumPy's
    eigvals along s = x^2 give -1.33948 and 2.60185; main: 0.118 and -44.04)."""
    rng = np.random.default_rng(40)
    C, S = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    Si = np.linalg.inv(S)
    D = np.zeros((4, 4))
    D[:2, :2] = D[2:, 2:] = _rot(0.7)
    A0 = S @ D @ Si
    X = S @ np.array([[1, 0], [-1j, 0], [0, 1], [0, -1j]])
    Y = np.array([[1, 1j, 0, 0], [0, 0, 1, 1j]]) / 2 @ Si
    mu = np.linalg.eigvals(Y @ C @ X)
    for part, g in ((np.real, np.max), (np.imag, np.max)):
        H = dg.hessian(lambda x: g(part(np.linalg.eigvals(A0 + x[0] ** 2 * C))), np.zeros(1))
        np.testing.assert_allclose(H[0, 0], 2 * np.max(part(mu)), rtol=1e-6)


_A07 = np.diag([1.0, 1.0, 3.0])
_C07 = np.array([[0.5, 1.3, 0.0], [-0.9, 0.2, 0.0], [0.0, 0.0, 1.0]])


def test_real_double_turning_complex_in_a_float64_result_refuses():
    """attack46b 07: a real double eigenvalue that the second order splits into a
    complex pair (1 + s (0.35 +- 1.0712i), s = x^2) where NumPy's eigvals is float64 at
    the point: its .imag is a constant 0 (max Im's Hessian was 0 for 2.1424); refused,
    naming the complex cast."""
    f = lambda x: np.max(np.linalg.eigvals(_A07 + x[0] ** 2 * _C07).imag)
    with pytest.raises(TypeError, match=r"astype\(complex\)"):
        dg.hessian(f, np.zeros(1))


@pytest.mark.parametrize("name", ["max Im", "min Re", "sum w^2"])
def test_real_double_turning_complex_as_complex(name):
    """The fix the refusal names: eigvals(A.astype(complex)): max Im'' 2 * 1.0712 (the
    eigenvalues of C's cluster block), min Re'' 2 * 0.35, (sum w^2)'' = 4 tr(A0 C)
    (these were NaN: a real value in a complex array had no side to rank by)."""
    mu = np.linalg.eigvals(_C07[:2, :2])
    g, want = {"max Im": (lambda w: np.max(w.imag), 2 * np.max(mu.imag)),
               "min Re": (lambda w: np.min(w.real), 2 * np.min(mu.real)),
               "sum w^2": (lambda w: np.real(np.sum(w ** 2)), 4 * np.trace(_A07 @ _C07))}[name]
    f = lambda x: g(np.linalg.eigvals((_A07 + x[0] ** 2 * _C07).astype(complex)))
    H = dg.hessian(f, np.zeros(1))[0, 0]
    np.testing.assert_allclose(H, want, rtol=1e-10)
    if name == "max Im":             # NumPy's own eigvals along s (Richardson)
        q = lambda s: 2 * (f(np.array([np.sqrt(s)])) - f(np.zeros(1))) / s
        np.testing.assert_allclose(2 * q(1e-6) - q(2e-6), want, rtol=1e-5)


@pytest.mark.parametrize("seed", [2, 6, 7, 12, 18, 21])
def test_rounded_real_double_turning_complex_max_im(seed):
    """A non-normal real double (S diag(1, 1, 3) S^-1, cond(S) 1e1 .. 1e3) that the
    second order turns complex (C = S K S^-1, K's cluster block with complex
    eigenvalues mu), cast to complex: max Im'' = 2 max Im(mu).  LAPACK's copies come
    back 1 +- i 3e-14 (or 1 + i eps twice): the member of the larger imaginary part goes
    to the copy of the larger rounded one; the members' real parts, equal, were told
    apart by rounding (3e-11 against a tolerance of 4e-12 from M's own entries: the
    rounding of V^-1 A'' V grows with cond(V)) and ranked by it (main: -3.15 for 3.15,
    or NaN)."""
    rng = np.random.default_rng(300 + seed)
    U, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    V, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    S = U @ np.diag([1.0, 1.0, 10.0 ** rng.uniform(1, 3)]) @ V
    Si = np.linalg.inv(S)
    B0 = S @ np.diag([1.0, 1.0, 3.0]) @ Si
    K = rng.standard_normal((3, 3))
    K[0, 1], K[1, 0] = abs(K[0, 1]) + 1, -abs(K[1, 0]) - 1     # complex mu
    C = S @ K @ Si
    want = 2 * np.max(np.linalg.eigvals(K[:2, :2]).imag)
    f = lambda x: np.max(np.linalg.eigvals((B0 + x[0] ** 2 * C).astype(complex)).imag)
    np.testing.assert_allclose(dg.hessian(f, np.zeros(1))[0, 0], want, rtol=1e-6)
    g = lambda x: np.max(np.linalg.eigvals(B0 + x[0] ** 2 * C).imag)
    if np.linalg.eigvals(B0).dtype == np.float64:       # NumPy's real result: refused
        with pytest.raises(TypeError, match=r"astype\(complex\)"):
            dg.hessian(g, np.zeros(1))
    else:                            # rounded into 1 +- i eps: complex already
        np.testing.assert_allclose(dg.hessian(g, np.zeros(1))[0, 0], want, rtol=1e-6)


def _float_case_k(seed, k):
    rng = np.random.default_rng(200 + seed)
    m = k + 1
    U, _ = np.linalg.qr(rng.standard_normal((m, m)))
    V, _ = np.linalg.qr(rng.standard_normal((m, m)))
    S = U @ np.diag([1.0] * k + [10.0 ** rng.uniform(1, 4)]) @ V
    Si = np.linalg.inv(S)
    return S @ np.diag([1.0] * k + [3.0]) @ Si, S, Si


def test_stack_and_triple_first_order_means():
    """A stack of two such matrices (each its own tolerance) and a triple eigenvalue
    (the ties closed transitively): every copy's row is its cluster's mean trace(Y_c
    C X_c) / k."""
    A1, S1, Si1 = _float_case_k(0, 2)
    A2, S2, Si2 = _float_case_k(3, 2)
    C = np.random.default_rng(0).standard_normal((2, 3, 3))
    J = dg.jacobian(lambda x: np.linalg.eigvals(np.stack([A1, A2]) + x[0] * C),
                    np.zeros(1))[..., 0]
    for A, S, Si, Ck, row in ((A1, S1, Si1, C[0], J[0]), (A2, S2, Si2, C[1], J[1])):
        idx = np.abs(np.linalg.eigvals(A) - 1) < 1e-6
        mean = np.trace(Si[:2] @ Ck @ S[:, :2]) / 2
        np.testing.assert_allclose(row[idx], [mean, mean], rtol=1e-7)
    A, S, Si = _float_case_k(0, 3)               # split 3.7e-12 by rounding
    Ck = np.random.default_rng(0).standard_normal((4, 4))
    w = np.linalg.eigvals(A)
    idx = np.abs(w - 1) < 1e-6
    assert np.ptp(w[idx]) > 1e-13
    J = dg.jacobian(lambda x: np.linalg.eigvals(A + x[0] * Ck), np.zeros(1))[:, 0]
    np.testing.assert_allclose(J[idx], [np.trace(Si[:3] @ Ck @ S[:, :3]) / 3] * 3, rtol=1e-7)


def test_eig_reconstruction_at_a_rounded_double_is_never_wrong():
    """V diag(w) V^-1 (= A) through np.linalg.eig at a rounded non-normal double: the
    vectors have no derivative at the cluster (NaN, as at an exact double), so the sum's
    gradient is NaN or sum(C), never another number (main: 0.2476 for 2.6433, the
    rounded pair's 1 / gap 1e13 times their couplings)."""
    rng = np.random.default_rng(203)
    U, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    V, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    S = U @ np.diag([1.0, 1.0, 10.0 ** 2.5]) @ V
    B0 = S @ np.diag([1.0, 1.0, 3.0]) @ np.linalg.inv(S)
    C = rng.standard_normal((3, 3))

    def f(x):
        e = np.linalg.eig(B0 + x[0] * C)
        return np.sum(e.eigenvectors @ np.diag(e.eigenvalues) @ np.linalg.inv(e.eigenvectors))
    g = dg.jacobian(f, np.zeros(1))[0]
    assert np.isnan(g) or np.isclose(g, np.sum(C), rtol=1e-8)


@pytest.mark.parametrize("matrix", ["2x2 Jordan", "3x3 with a Jordan block"])
def test_defective_cluster_is_nan_not_rounding(matrix):
    # a Jordan block's computed eigenvectors are parallel (V^-1 ~ 1/eps): V^-1 dA V is
    # rounding, and sum(eigvals)' came out 0.5 where trace's is 0.2 (attack47b 06); the
    # eigenvalues themselves move like sqrt(p) there, so NaN is the answer for the
    # cluster's members; a simple eigenvalue beside it keeps its exact slope y^H E x
    E = np.random.default_rng(3).standard_normal((3, 3))
    A = np.array([[1.0, 1.0], [0.0, 1.0]]) if matrix == "2x2 Jordan" else \
        np.array([[2.0, 1.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, -1.0]])
    E = E[:len(A), :len(A)]
    dw = dg.derivative(lambda p: np.linalg.eigvals(A + p * E), 0.0)
    w = np.linalg.eigvals(A)
    assert np.isnan(dw[w != -1.0]).all()
    if matrix != "2x2 Jordan":               # the simple eigenvalue -1: y = x = e_3
        np.testing.assert_allclose(dw[w == -1.0], E[2, 2], rtol=1e-14)
    assert np.isnan(dg.derivative(lambda p: np.linalg.eig(A + p * E)[0], 0.0)[w != -1.0]).all()
