"""nan50: NaN or inf where a number exists (attack49 04, 29, 34; stop 49's "Left").

1. A local derivative ``a / b`` that overflows where its product with the partial
   does not (``d(1/u) = -du / u**2`` at |u| < 1e-154): the table's ``quotient`` parts
   take ``(p / b) * a`` there, in every path (scalar duals, NumPy's general path, the
   generated rule kernels, the fused engine's kernels and its node-by-node
   evaluation).  Oracles: closed forms in mpmath at 30 digits; a Gaussian
   likelihood's Hessian ``-n`` (``log prod pdf`` with a product of ~1e-170).
2. A Hessian through ``x @ M @ x`` / a three-operand einsum with an inf or NaN entry
   of M (attack49 04): the closed form ``M + M.T`` (the elementwise spelling's), not
   NaN off the diagonal.
"""

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused

pytestmark = pytest.mark.mp_dps(30)   # (tests/conftest.py)

ENGINES = ("eager", "fused")


def _mp(x):
    return float(mpmath.mpf(x))


# ---- 1. quotients that overflow as one number ----------------------------------------

# (f of t, d/dt f as an mpmath closed form of t), every argument u = t * c tiny
_T = 1e-79
_FIRST = [
    ("1 / u", lambda t: 1.0 / (t * 1e-80),
     lambda t: -mpmath.mpf(1e-80) / (t * mpmath.mpf(1e-80)) ** 2),
    ("reciprocal", lambda t: np.reciprocal(t * 1e-80),
     lambda t: -mpmath.mpf(1e-80) / (t * mpmath.mpf(1e-80)) ** 2),
    # (power / float_power's quotient form was withdrawn at the stop's end: it made the
    # Hessian of x ** 0.5 at 1e-300 NaN for -inf and jitted power differ from the
    # table's, test_power_at_zero / test_numba_dual; u ** -1.5 of tiny u stays inf)
    ("2 / u", lambda t: 2.0 / (t * 1e-80),
     lambda t: -2 * mpmath.mpf(1e-80) / (t * mpmath.mpf(1e-80)) ** 2),
]
# the point of each: the local derivative overflows, the derivative is finite
_AT = {}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("size", [None, 5, 300, 5000])
@pytest.mark.parametrize("name, f, exact", _FIRST, ids=[c[0] for c in _FIRST])
@pytest.mark.engine_independent
def test_overflowing_factor_first_order(engine, size, name, f, exact):
    t0 = _AT.get(name, _T)
    want = _mp(exact(mpmath.mpf(t0)))
    assert np.isfinite(want)
    with _fused.engine(engine):
        if size is None:                        # scalar duals
            got = dg.derivative(f, t0)
            np.testing.assert_allclose(got, want, rtol=1e-14)
        else:
            got = dg.elementwise_grad(f)(np.full(size, t0))
            np.testing.assert_allclose(got, np.full(size, want), rtol=1e-14)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 8])
@pytest.mark.engine_independent
def test_overflowing_factor_rule_kernels(n):
    """The generated rule kernels (``backend.use("numba")``: every size) take the two
    steps in their non-finite branch, every layout of directions."""
    from dualgrad import backend
    N = 300
    want = _mp(-mpmath.mpf(1e-80) / (mpmath.mpf(_T) * mpmath.mpf(1e-80)) ** 2)
    with backend.use("numba"), _fused.engine("eager"):
        for f in (lambda t: 1.0 / (np.repeat(t, N) * 1e-80),
                  lambda t: np.reciprocal(np.repeat(t, N) * 1e-80),
                  lambda t: np.repeat(t, N) * 0.0 + 1.0 / (np.repeat(t, N) * 1e-80)):
            J = dg.jacobian(f, np.full(n, _T))
            np.testing.assert_allclose(J[np.arange(n) * N, np.arange(n)], want, rtol=1e-14)
            assert np.all(J[:N, 1:] == 0.0)      # the other directions: zero partials


@pytest.mark.engine_independent
def test_overflowing_factor_fused_kernel(kernel_counts):
    """The fused engine's compiled kernel (compiled at first use here) takes the two
    steps in its loop for non-finite factors: a chain of 1 / u, log and a product."""
    N = 4000
    t = np.full(N, _T)
    t[::3] = 2 * _T
    with _fused.engine("fused"):
        got = dg.elementwise_grad(lambda s: 3.0 * (1.0 / (s * 1e-80)) + 1.0)(t)
        got2 = dg.elementwise_grad(lambda s: np.log(s * 1e-320) * 2.0)(np.full(N, 0.75))
    want = np.array([_mp(-3 * mpmath.mpf(1e-80) / (mpmath.mpf(v) * mpmath.mpf(1e-80)) ** 2)
                     for v in t])
    np.testing.assert_allclose(got, want, rtol=1e-14)
    # u = 0.75 * 1e-320 is a subnormal: the derivative of the computed log(u) is
    # 2 * 1e-320 / u, u's own rounding included (1 / u alone overflows)
    u = 0.75 * 1e-320
    np.testing.assert_allclose(got2, 2 * 1e-320 / u, rtol=1e-14)


def test_log_subnormal_argument():
    """d/dt log(t 2**-1070) = 1 / t: the factor 1 / u overflows at the subnormal u (the
    scaling is a power of two, so u is exact)."""
    s = 2.0 ** -1070
    for engine in ENGINES:
        with _fused.engine(engine):
            assert dg.derivative(lambda t: np.log(t * s), 0.75) == pytest.approx(1 / 0.75,
                                                                                rel=1e-15)
            got = dg.elementwise_grad(lambda t: np.log2(t * s))(np.full(7, 0.75))
            np.testing.assert_allclose(got, 1 / (0.75 * np.log(2)), rtol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
def test_log_of_tiny_product_hessian(engine):
    """Stop 49's Left: log(x0 x1) with x0 x1 = 1e-159 had a -inf Hessian; the closed
    form is diag(-1 / x**2), 0 off the diagonal."""
    x0 = np.array([1e-80, 1e-79])
    want = np.diag(-1.0 / x0 ** 2)
    with _fused.engine(engine):
        for f in (lambda x: np.log(x[0] * x[1]), lambda x: np.log(np.prod(x)),
                  lambda x: np.sum(np.log(x * x[::-1])) / 2.0):
            np.testing.assert_allclose(dg.hessian(f, x0), want, rtol=1e-14)


@pytest.mark.parametrize("engine", ENGINES)
def test_gaussian_likelihood_hessian(engine):
    """A likelihood written np.log(np.prod(pdf)), the product ~1e-170: the Hessian in
    (mu, sigma) is the closed form (-n / s**2, -2 sum(d) / s**3; -3 sum(d**2) / s**4 + n
    / s**2), d = x - mu (it was -inf everywhere)."""
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 2.0, size=200)

    def loglik(p):
        mu, s = p[0], p[1]
        pdf = np.exp(-0.5 * ((x - mu) / s) ** 2) / (s * np.sqrt(2 * np.pi))
        return np.log(np.prod(pdf))
    p0 = np.array([0.9, 2.1])
    mu, s = p0
    d = x - mu
    n = len(x)
    want = np.array([[-n / s ** 2, -2 * d.sum() / s ** 3],
                     [-2 * d.sum() / s ** 3, -3 * (d ** 2).sum() / s ** 4 + n / s ** 2]])
    with _fused.engine(engine):
        assert 0 < np.prod(np.exp(-0.5 * (d / s) ** 2) / (s * np.sqrt(2 * np.pi))) < 1e-154
        np.testing.assert_allclose(dg.hessian(loglik, p0), want, rtol=1e-10)
        np.testing.assert_allclose(dg.grad(loglik)(p0),
                                   [d.sum() / s ** 2, (d ** 2).sum() / s ** 3 - n / s],
                                   rtol=1e-10)


def test_quotient_leaves_other_numbers_alone():
    """Where the factor overflows because a part does (1 / 0, u ** -1 at u = 0), or is
    NaN, the products are IEEE's as before: the two steps only where a and b are
    finite and b is nonzero."""
    assert dg.derivative(lambda t: 1.0 / t, 0.0) == -np.inf
    assert np.isnan(dg.derivative(lambda t: 1.0 / (t * np.nan), 1.0))
    got = dg.elementwise_grad(lambda t: 1.0 / t)(np.array([0.0, 1.0, np.inf]))
    assert got[0] == -np.inf and got[1] == -1.0 and got[2] == 0.0


# ---- 2. x @ M @ x and three-operand einsum with inf / NaN entries ---------------------

_M = np.array([[1.0, np.inf, 2.0], [np.nan, 3.0, -np.inf], [0.5, 0.25, 4.0]])
_X0 = np.array([0.7, -1.3, 2.1])


def _hess_rows(f):
    return dg.jacobian(lambda y: dg.jacobian(f, y), _X0)


@pytest.mark.parametrize("engine", ENGINES)
def test_einsum_three_operands_inf_entry(engine):
    """attack49 04: f_i = sum_j M_ij x_j**2 has Hessian diag(2 M_i.) for each i (the
    other entries are products of M's inf with zero partials: 0, as the elementwise
    spelling and M @ (x * x) give)."""
    with _fused.engine(engine):
        for f, c in ((lambda x: np.einsum("ij,j,j->i", _M, x, x), 2.0 * np.ones(3)),
                     (lambda x: np.einsum("ij,j,j->i", _M, x ** 2, x), 6.0 * _X0)):
            H = _hess_rows(f)
            for i in range(3):
                np.testing.assert_array_equal(H[i], np.diag(c * _M[i]))


@pytest.mark.parametrize("engine", ENGINES)
def test_quadratic_form_inf_entry(engine):
    """x @ M @ x (two products of nested duals) and einsum("i,ij,j->"): the Hessian is
    M + M.T, entry by entry (inf + nan = nan, -inf + 0.25 = -inf), as the elementwise
    sum(x[:, None] * M * x) gives; it was NaN but for one entry."""
    want = _M + _M.T
    with _fused.engine(engine):
        for f in (lambda x: x @ _M @ x, lambda x: np.einsum("i,ij,j->", x, _M, x),
                  lambda x: np.dot(x, np.dot(_M, x))):
            np.testing.assert_array_equal(dg.hessian(f, _X0), want)
        np.testing.assert_array_equal(dg.hessian(lambda x: np.sum(x[:, None] * _M * x), _X0),
                                      want)


# ---- 3. Cholesky with a NaN entry ------------------------------------------------------

@pytest.mark.parametrize("m", [8, 16, 20, 70])
@pytest.mark.parametrize("row", ["last", "middle"])
def test_cholesky_nan_entry_confined(m, row):
    """attack49 29: one NaN entry of A made Cholesky's whole tangent NaN; where the
    factor is finite its derivative is finite, equal to the central difference of
    NumPy's factor (both directions: a diagonal shift and a rank-one term)."""
    rng = np.random.default_rng(m)
    B = rng.normal(size=(m, m))
    A1 = B @ B.T + m * np.eye(m)
    r = m - 1 if row == "last" else m // 2
    A1[r, 1] = A1[1, r] = np.nan
    E = (np.eye(m), np.outer(np.arange(m), np.arange(m)) / m)
    J = dg.jacobian(lambda x: np.linalg.cholesky(A1 + x[0] * E[0] + x[1] * E[1]), np.zeros(2))
    for k in range(2):
        h = 1e-5
        fd = (np.linalg.cholesky(A1 + h * E[k]) - np.linalg.cholesky(A1 - h * E[k])) / (2 * h)
        finite = np.isfinite(np.linalg.cholesky(A1))
        np.testing.assert_array_equal(np.isfinite(fd), finite)
        assert np.all(np.isfinite(J[..., k][finite]))
        np.testing.assert_allclose(J[..., k][finite], fd[finite], rtol=1e-6, atol=1e-8)
        assert np.all(np.isnan(J[..., k][~finite]))
    # the leading block's tangent is that of the block alone, to rounding
    Jr = dg.jacobian(lambda x: np.linalg.cholesky(A1[:r, :r] + x[0] * np.eye(r)), np.zeros(1))
    np.testing.assert_allclose(J[:r, :r, 0], Jr[..., 0], rtol=1e-13, atol=1e-15)


# ---- 4. sech-type integrands over infinite ranges: a message that names the node ------

def test_quad_nan_partials_names_node_and_fix():
    """attack49 34: 1 / np.cosh(p x) over [0, inf) overflows far out (inf / inf in the
    partials where the value is 0): refused at the moving overflow edge, naming the
    spellings that avoid the overflow (quadb52's watch of overflow edges; before, a NaN
    with a warning naming the node); the suggested sech spelling gives the exact
    -pi / (2 p**2)."""
    p0 = 1.7
    with pytest.raises(TypeError, match=r"overflow.*np\.exp\(-np\.abs\(z\)\)"):
        with np.errstate(over="ignore"):
            dg.derivative(lambda p: dg.quad(lambda x: 1 / np.cosh(p * x), 0.0, np.inf)[0], p0)

    def sech(z):
        return 2 * np.exp(-np.abs(z)) / (1 + np.exp(-2 * np.abs(z)))
    for a, c in ((0.0, 0.5), (-np.inf, 1.0)):
        got = dg.derivative(lambda p: dg.quad(lambda x: sech(p * x), a, np.inf)[0], p0)
        assert got == pytest.approx(-c * np.pi / p0 ** 2, rel=1e-12)


def test_cholesky_nan_entry_in_a_stack():
    """A stack of matrices: the one with a NaN entry is confined as alone, the others
    are untouched (their tangents equal the single matrices')."""
    rng = np.random.default_rng(5)
    m = 9
    As = np.stack([(lambda B: B @ B.T + m * np.eye(m))(rng.normal(size=(m, m)))
                   for _ in range(3)])
    As[1, m - 2, 0] = As[1, 0, m - 2] = np.nan
    J = dg.jacobian(lambda x: np.linalg.cholesky(As + x[0] * np.eye(m)), np.zeros(1))[..., 0]
    for k in range(3):
        Jk = dg.jacobian(lambda x: np.linalg.cholesky(As[k] + x[0] * np.eye(m)),
                         np.zeros(1))[..., 0]
        np.testing.assert_allclose(J[k], Jk, rtol=1e-13, atol=1e-15)
    finite = np.isfinite(np.linalg.cholesky(As[1]))
    h = 1e-5
    fd = (np.linalg.cholesky(As[1] + h * np.eye(m)) -
          np.linalg.cholesky(As[1] - h * np.eye(m))) / (2 * h)
    np.testing.assert_allclose(J[1][finite], fd[finite], rtol=1e-6, atol=1e-8)
    assert np.all(np.isnan(J[1][~finite]))


@pytest.mark.parametrize("m", [6, 20])
@pytest.mark.parametrize("engine", ENGINES)
def test_cholesky_nan_entry_confined_at_second_order(m, engine):
    """attack50 16: the Hessian of the factor of a matrix with one NaN entry was NaN
    everywhere; where NumPy's factor is finite it equals the central second difference
    of NumPy's factor (directions: a symmetric E and E @ E, and their mixed term), NaN
    where the factor is NaN.  A stack holding that matrix is confined the same way."""
    rng = np.random.default_rng(3 + m)
    B = rng.normal(size=(m, m))
    A1 = B @ B.T + m * np.eye(m)
    A1[m - 1, 1] = A1[1, m - 1] = np.nan
    E = rng.normal(size=(m, m))
    E = E + E.T
    D = (E, E @ E / m)

    def chol(x):
        return np.linalg.cholesky(A1 + x[0] * D[0] + x[1] * D[1])
    with _fused.engine(engine):
        H = dg.jacobian(lambda y: dg.jacobian(chol, y), np.zeros(2))     # (m, m, 2, 2)
        Hs = dg.jacobian(lambda y: dg.jacobian(lambda x: np.linalg.cholesky(
            np.stack([B @ B.T + m * np.eye(m), A1]) + x[0] * D[0] + x[1] * D[1]), y),
            np.zeros(2))
    finite = np.isfinite(np.linalg.cholesky(A1))
    assert not finite.all() and finite[:, 0].all()
    h = 1e-3
    for j in range(2):
        for k in range(2):
            ej, ek = np.eye(2)[j] * h, np.eye(2)[k] * h
            fd = (chol(ej + ek) - chol(ej - ek) - chol(ek - ej) + chol(-ej - ek)) / (4 * h * h)
            np.testing.assert_allclose(H[..., j, k][finite], fd[finite], rtol=1e-5,
                                       atol=1e-7 * np.abs(fd[finite]).max())
            assert np.all(np.isnan(H[..., j, k][~finite]))
    np.testing.assert_array_equal(Hs[1], H)


@pytest.mark.parametrize("engine", ENGINES)
def test_cholesky_upper_nan_entry_confined(engine):
    """attack51 08: upper=True (NumPy factors the upper triangle) with one NaN entry
    gave an all-NaN tangent; first and second order equal NumPy's factor's central
    differences where it is finite, NaN where it is NaN (a direction only the upper
    triangle carries: the lower is never read)."""
    rng = np.random.default_rng(11)
    m = 7
    B = rng.normal(size=(m, m))
    A1 = B @ B.T + m * np.eye(m)
    A1[2, m - 1] = A1[m - 1, 2] = np.nan
    E = rng.normal(size=(m, m))
    E = E + E.T
    D = (E, np.triu(E @ E) / m)

    def chol(x):
        return np.linalg.cholesky(A1 + x[0] * D[0] + x[1] * D[1], upper=True)
    with _fused.engine(engine):
        J = dg.jacobian(chol, np.zeros(2))
        H = dg.jacobian(lambda y: dg.jacobian(chol, y), np.zeros(2))
    finite = np.isfinite(chol(np.zeros(2)))
    assert not finite.all()
    h = 1e-3
    for j in range(2):
        ej = np.eye(2)[j] * h
        fd = (chol(ej / 100) - chol(-ej / 100)) / (2 * h / 100)
        np.testing.assert_allclose(J[..., j][finite], fd[finite], rtol=1e-6, atol=1e-8)
        assert np.all(np.isnan(J[..., j][~finite]))
        for k in range(2):
            ek = np.eye(2)[k] * h
            fd = (chol(ej + ek) - chol(ej - ek) - chol(ek - ej) + chol(-ej - ek)) / (4 * h * h)
            np.testing.assert_allclose(H[..., j, k][finite], fd[finite], rtol=1e-5,
                                       atol=1e-7 * np.abs(fd[finite]).max())
            assert np.all(np.isnan(H[..., j, k][~finite]))
