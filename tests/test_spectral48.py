"""np.linalg.eigvals at a repeated complex pair of a real non-normal matrix: LAPACK's
two copies differ in their last bits, the members' second orders are ranked by real
parts, and a pick by the imaginary part or the modulus (np.max(w.imag), np.max(abs(w)))
took a copy by its rounding, often the other member's Hessian (eig47's limit).  The
copies now come back as one value (their mean; conjugate clusters conjugate), so
np.max's tie rule decides by the members' second orders.

Oracle: A(x) = S D S^-1 + (x0^2 + x1^2) C with D = blockdiag(R, R, 0.1), R a rotation
by 0.7 (eigenvalue lam = e^{0.7i} twice): near 0 the cluster's members are
lam + r^2 mu_i, mu_i the eigenvalues of Y C X on the cluster (X, Y from D's exact
eigenvectors), so each key's Hessian is 2 g'(mu) I, written out per key below."""
import numpy as np
import pytest

import dualgrad as dg

TH = 0.7
LAM = np.exp(1j * TH)


def _setup(seed):
    R = np.array([[np.cos(TH), -np.sin(TH)], [np.sin(TH), np.cos(TH)]])
    D = np.zeros((5, 5))
    D[:2, :2] = D[2:4, 2:4] = R
    D[4, 4] = 0.1
    X = np.zeros((5, 2), complex)          # R [1, -i] = e^{i th} [1, -i]
    X[[0, 2], [0, 1]] = 1.0
    X[[1, 3], [0, 1]] = -1j
    Y = np.conj(X).T                        # (R is normal: Y X = 2 I)
    rng = np.random.default_rng(seed)
    S, C = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    Si = np.linalg.inv(S)
    mu = np.linalg.eigvals((Y @ Si) @ C @ (S @ X) / 2.0)
    return S @ D @ Si, C, mu, (Si @ C @ S)[4, 4]


def _want(key, mu, other):
    m0 = np.array([LAM, LAM, np.conj(LAM), np.conj(LAM), 0.1])
    dm = np.concatenate([mu, np.conj(mu), [other]])
    d = {"max Im": np.max(mu.imag), "min Im": -np.max(mu.imag),
         "max |w|": np.max((np.conj(LAM) * mu).real) / abs(LAM),
         "max Re": np.max(mu.real),
         "sum w^2": np.sum(2 * m0 * dm).real,
         "prod w": sum(dm[i] * np.prod(np.delete(m0, i)) for i in range(5)).real}[key]
    return 2.0 * d


KEYS = {"max Im": lambda w: np.max(w.imag), "min Im": lambda w: np.min(w.imag),
        "max |w|": lambda w: np.max(np.abs(w)), "max Re": lambda w: np.max(w.real),
        "sum w^2": lambda w: np.sum(w ** 2).real, "prod w": lambda w: np.prod(w).real}


@pytest.mark.parametrize("key", list(KEYS))
@pytest.mark.parametrize("seed", [0, 6, 9, 16, 22, 25])
def test_selectors_of_a_repeated_complex_pair(key, seed):
    A0, C, mu, other = _setup(seed)
    g = KEYS[key]
    f = lambda x: g(np.linalg.eigvals(A0 + (x[0] ** 2 + x[1] ** 2) * C))  # noqa: E731
    want = _want(key, mu, other) * np.eye(2)
    for chunk in (None, 1):
        H = dg.hessian(f, np.zeros(2), chunk=chunk)
        np.testing.assert_allclose(H, want, rtol=1e-7, atol=1e-7 * abs(want[0, 0]))


def test_copies_are_one_value_under_a_second_order_and_numpys_under_a_first():
    A0, C, mu, other = _setup(3)
    w = np.linalg.eigvals(A0)
    got = dg.jvp(np.linalg.eigvals, A0, C)
    assert np.array_equal(got[0], w)                     # a first order: NumPy's bits
    up = np.flatnonzero(w.imag > 0)
    np.testing.assert_allclose(got[1][up], np.mean(mu), rtol=1e-9)   # the cluster's mean
    seen = []

    def f(x):
        v = np.linalg.eigvals(A0 + x[0] ** 2 * C)
        seen.append(dg.stop_gradient(v))
        return np.max(v.imag)
    dg.hessian(f, np.zeros(1))
    v = seen[-1]
    np.testing.assert_allclose(v, w, rtol=1e-12)
    assert v[up[0]] == v[up[1]]                          # one value
    assert np.conj(v[up[0]]) in v[w.imag < 0]            # conjugate clusters conjugate
    single = np.argmin(np.abs(w - 0.1))
    assert v[single] == w[single]                        # NumPy's bits elsewhere


def test_a_close_distinct_pair_keeps_numpys_values_at_first_order():
    # attack48b 04: eigenvalues 1 +- i and 1 +- (1 + 6e-11) i of a normal matrix with
    # eigenvalues up to 1e3 lie within the tie tolerance; a first order keeps NumPy's
    # values (the mean moved the top one by 3e-11, NumPy's error 2e-15)
    rng = np.random.default_rng(2)
    m, d = 40, 6e-11
    R = lambda a, b: np.array([[a, -b], [b, a]])  # noqa: E731
    Q, _ = np.linalg.qr(rng.standard_normal((m, m)))
    D = np.zeros((m, m))
    D[:2, :2], D[2:4, 2:4] = R(1.0, 1.0), R(1.0, 1.0 + d)
    D[4:, 4:] = np.diag(np.linspace(-1e3, 1e3, m - 4))
    A = Q @ D @ Q.T
    top = lambda t: np.max(np.linalg.eigvals(A + t * np.eye(m)).imag)  # noqa: E731
    assert dg.jvp(top, 0.0, 1.0)[0] == top(0.0)


@pytest.mark.parametrize("seed", range(12))
def test_jordan_block_under_similarity_is_nan_or_exact_never_wrong(seed):
    """A Jordan block S J S^-1 that rounding splits by ~sqrt(eps): its members move like
    sqrt(t), their first orders ~1e8 apart.  The cluster's mean at first order left out
    2 sum (w_i - mean)(w_i' - mean') of sum(w**2)'s derivative, an O(|C|) term, where the
    eigenvector matrix's condition stayed under the defective test's 1e8 (sum(w**2)'
    -9.24 for 2 tr(A C) = -1.63): NaN now; the symmetric functions written on the matrix
    (np.trace(A @ A), np.linalg.det) stay exact."""
    rng = np.random.default_rng(seed)
    S = rng.normal(size=(3, 3))
    A0 = S @ np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 3.0]]) @ np.linalg.inv(S)
    C = rng.normal(size=(3, 3))
    checks = [(lambda w: np.sum(w ** 2).real, 2 * np.trace(A0 @ C)),
              (lambda w: np.prod(w).real, np.linalg.det(A0) * np.trace(np.linalg.solve(A0, C))),
              (lambda w: np.sum(w).real, np.trace(C))]
    for g, want in checks:
        got = dg.derivative(lambda t: g(np.linalg.eigvals(A0 + t * C)), 0.0)
        assert np.isnan(got) or abs(got - want) <= 1e-6 * max(1.0, abs(want)), (got, want)
    got = dg.derivative(lambda t: np.trace((A0 + t * C) @ (A0 + t * C)), 0.0)
    np.testing.assert_allclose(got, 2 * np.trace(A0 @ C), rtol=1e-12)


@pytest.mark.parametrize("log_cond", [1, 2, 3, 4])
def test_diagonalizable_repeated_eigenvalue_keeps_its_numbers(log_cond):
    # S diag(1, 1, 3) S^-1 with cond(S) up to 1e4: the split test leaves these alone
    # (the mean's first order is exact for symmetric functions): no NaN
    for seed in range(6):
        rng = np.random.default_rng(seed)
        U, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        V, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        S = U @ np.diag([1.0, 10 ** (log_cond / 2), 10.0 ** log_cond]) @ V
        A0 = S @ np.diag([1.0, 1.0, 3.0]) @ np.linalg.inv(S)
        C = rng.normal(size=(3, 3))
        got = dg.derivative(lambda t: np.sum(np.linalg.eigvals(A0 + t * C) ** 2).real, 0.0)
        np.testing.assert_allclose(got, 2 * np.trace(A0 @ C), rtol=1e-8)
