"""nan54: what stop 53 left where a number exists or a message points the wrong way.

* attack53 22: a correct given pattern beside more than 1024 (Jacobian) or 256
  (Hessian) infinite derivatives was refused; the checks now probe the dark columns
  along sets that avoid each row's non-finite entries, so the exact result comes back
  (closed forms) and a missed entry there is still found.
* attack53 06: eig of an object array of scalar duals inside dg.quad's func or
  dg.solve_ivp's fun raised NumPy's bare "ufunc 'isfinite' not supported".
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import dualgrad as dg


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _half_zero(n):
    x = np.zeros(n)
    x[1::2] = np.linspace(0.5, 2.0, n // 2)
    return x


def _sqrt_slope(x):
    """d sqrt(x) / dx in closed form, inf at 0."""
    with np.errstate(divide="ignore"):
        return 0.5 / np.sqrt(x)


def test_elementwise_sqrt_beside_1000_zeros_with_its_diagonal_pattern():
    n = 2400
    x = _half_zero(n)
    J = dg.jacobian(np.sqrt, x, sparsity=sp.eye(n, format="csr"))
    assert J.nnz == n
    np.testing.assert_allclose(J.diagonal(), _sqrt_slope(x), rtol=1e-15)
    J = dg.jacobian(np.sqrt, x, sparsity=dg.sparsity(np.sqrt, x))      # its own
    np.testing.assert_allclose(J.diagonal(), _sqrt_slope(x), rtol=1e-15)


def test_bidiagonal_sqrt_beside_1000_zeros():
    n = 2401
    x = _half_zero(n + 1)[:n]
    P = sp.eye(n - 1, n, format="csr") + sp.eye(n - 1, n, k=1, format="csr")
    J = dg.jacobian(lambda x: np.sqrt(x[:-1]) + x[1:] ** 2, x, sparsity=P).toarray()
    exact = np.zeros((n - 1, n))
    exact[np.arange(n - 1), np.arange(n - 1)] = _sqrt_slope(x[:-1])
    exact[np.arange(n - 1), np.arange(1, n)] += 2 * x[1:]
    np.testing.assert_allclose(J, exact, rtol=1e-15)


def test_a_missed_entry_in_a_dark_column_is_still_found():
    # row 7 = sqrt(x7) + 3 x5 at x5 = x7 = 0: both columns dark (infinite entries),
    # the pattern (the diagonal) misses J[7, 5] = 3
    n = 2400
    x = _half_zero(n)
    x[5] = 0.0

    def f(x):
        return np.sqrt(x) + 3.0 * np.where(np.arange(n) == 7, x[5], 0.0)
    assert (f(x + 1e-3 * (np.arange(n) == 5)) - f(x))[7] == pytest.approx(3e-3)
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.jacobian(f, x, sparsity=sp.eye(n, format="csr"))


def test_rows_with_two_infinite_columns_each():
    # row i = sqrt(x[i ^ 1]) + sqrt(x[i ^ 2]) + 3 x_i at 0: the bits of the rank do not
    # separate i from both i ^ 1 and i ^ 2; the random sets do
    n = 1100
    idx = np.arange(n)
    P = (sp.eye(n, format="csr") + sp.csr_matrix((np.ones(n), (idx, idx ^ 1)), shape=(n, n))
         + sp.csr_matrix((np.ones(n), (idx, idx ^ 2)), shape=(n, n))).tocsr()
    J = dg.jacobian(lambda x: np.sqrt(x[idx ^ 1]) + np.sqrt(x[idx ^ 2]) + 3.0 * x,
                    np.zeros(n), sparsity=P)
    assert np.all(J.diagonal() == 3.0)
    assert np.all(J.toarray()[idx, idx ^ 1] == np.inf)
    assert J.nnz == 3 * n


def test_hessian_beside_500_zeros_with_hessian_sparsitys_pattern():
    n = 1000
    x = np.zeros(n)
    x[::2] = 1.0
    f = lambda x: np.sum(np.sqrt(x) + x[::-1] * x)     # noqa: E731
    H = dg.hessian(f, x, sparsity=dg.hessian_sparsity(f, x)).toarray()
    exact = 2.0 * np.eye(n)[::-1]
    with np.errstate(divide="ignore"):
        exact[np.arange(n), np.arange(n)] = -0.25 * x ** -1.5
    np.testing.assert_array_equal(H, exact)


def test_hessian_mixed_pairs_beside_410_dark_inputs():
    h = 150
    x = np.concatenate([np.zeros(h + 110), np.ones(h)])
    n = x.size
    P = sp.eye(n, format="lil") + sp.eye(n, k=n - h, format="csr") + \
        sp.eye(n, k=h - n, format="csr")
    H = dg.hessian(lambda x: np.sum(np.sqrt(x[:h]) * x[-h:]) + np.sum(np.sqrt(x[h:h + 110])),
                   x, sparsity=P).toarray()
    exact = np.zeros((n, n))
    exact[np.arange(h + 110), np.arange(h + 110)] = -np.inf       # -x^-1.5 / 4 at 0
    exact[np.arange(h), np.arange(h) + n - h] = np.inf            # 1 / (2 sqrt(x)) at 0
    exact[np.arange(h) + n - h, np.arange(h)] = np.inf
    np.testing.assert_array_equal(H, exact)


def test_hessian_missed_entry_in_the_dark_block_is_found():
    n = 600
    x = np.zeros(n)
    f = lambda x: np.sum(np.sqrt(x)) + 2.0 * x[0] * x[1]       # noqa: E731  H[0, 1] = 2
    with pytest.raises(ValueError, match="sparsity"):
        dg.hessian(f, x, sparsity=sp.eye(n, format="csr"))
    H = dg.hessian(f, x, sparsity=sp.eye(n, format="lil") + sp.csr_matrix(
        ([1.0, 1.0], ([0, 1], [1, 0])), shape=(n, n)))
    assert H[0, 1] == H[1, 0] == 2.0 and np.all(H.diagonal() == -np.inf)


@pytest.mark.parametrize("where", ["quad", "solve_ivp"])
def test_eig_of_an_object_array_inside_a_callback_is_named(where):
    def inside(p):
        return np.linalg.eig(np.diag([0, p]))[0].real.sum()

    def f(p):
        if where == "quad":
            return dg.quad(lambda x: inside(p) * x, 0.0, 1.0)[0]
        return dg.solve_ivp(lambda t, y: -y * inside(p), (0.0, 1.0), [1.0]).y[0, -1]
    with pytest.raises(TypeError) as info:
        dg.derivative(f, 0.7)
    assert "np.linalg.eig received an object array holding dual numbers" in str(info.value)
    assert "np.stack" in str(info.value)


# attack53 16's low half: a log cdf / sf whose SciPy value underflows to -inf inside the
# support had partials 0 (flat); mpmath shows the value and its slope are finite there.

mpmath = pytest.importorskip("mpmath")
import dualgrad.scipy.stats as ds  # noqa: E402


def _mp_chi2_logsf(x, k):
    return mpmath.log(mpmath.gammainc(mpmath.mpf(k) / 2, mpmath.mpf(x) / 2, mpmath.inf,
                                      regularized=True))


@pytest.mark.parametrize("call, x", [
    (lambda v: ds.chi2.logsf(v, 5), 3000.0),
    (lambda v: ds.gamma.logsf(v, 2), 800.0),
    (lambda v: ds.laplace.logcdf(v), -800.0),
    (lambda v: ds.t.logsf(v, 3), 1e200),
    (lambda v: ds.poisson.logsf(500, v), 10.0),
    (lambda v: ds.poisson.logcdf(5, v), 1000.0),
])
def test_an_underflowed_log_probability_is_refused_by_name(call, x):
    assert call(x) == -np.inf               # SciPy's value (the premise)
    with pytest.raises(TypeError, match=r"expected a finite log(sf|cdf) .* got -inf"):
        dg.derivative(call, x)


@pytest.mark.mp_dps(40)
def test_the_refused_values_are_finite_with_finite_slopes():
    # mpmath: chi2.logsf(3000, 5) = log Q(2.5, 1500), and its x-slope -pdf / sf
    v = _mp_chi2_logsf(3000, 5)
    slope = mpmath.diff(lambda t: _mp_chi2_logsf(t, 5), 3000)
    assert mpmath.isfinite(v) and -1600 < v < -1400
    assert -0.6 < slope < -0.4                  # -1/2 (1 - 1.5 / 1500 ...)
    # laplace.logcdf(-800) = log(1/2) - 800 exactly, slope 1
    assert float(mpmath.log(mpmath.mpf(1) / 2) - 800) == pytest.approx(-800.6931471805599)


@pytest.mark.mp_dps(50)
def test_a_finite_tail_keeps_its_slope():
    # norm.logsf(40) is computed in log space: d/dx = -phi(x) / Q(x) (mpmath)
    x = mpmath.mpf(40)
    exact = -mpmath.npdf(x) / mpmath.ncdf(-x)
    assert dg.derivative(lambda v: ds.norm.logsf(v), 40.0) == pytest.approx(float(exact),
                                                                            rel=1e-13)


def test_an_integrand_in_the_underflowed_tail_is_still_integrated():
    # int_0^inf sf(x; a) dx = a (the mean of gamma(a)): d/da = 1, through exp(logsf),
    # whose far-tail nodes are exp(-inf) = 0 with partials 0 (exact to rounding there)
    got = dg.derivative(lambda a: dg.quad(lambda x: np.exp(ds.gamma.logsf(x, a)), 0.0,
                                          np.inf)[0], 2.0)
    assert got == pytest.approx(1.0, abs=1e-10)


# The sweep of scipy.special's rows at extreme arguments (nan54): NaN where the slope
# underflows to 0 (mpmath's is below the smallest double).

import scipy.special as sc  # noqa: E402


@pytest.mark.mp_dps(30)
@pytest.mark.parametrize("f, a, x", [
    (sc.gammaincc, 3.0, 1e200), (sc.gammainc, 3.0, 1e200), (sc.gammaincc, 1e5, 1e200),
    (lambda k, x: sc.chdtrc(k, x), 5.0, 1e200), (lambda k, x: sc.chdtr(k, x), 5.0, 1e200),
])
def test_incomplete_gamma_shape_slope_where_the_tail_underflowed(f, a, x):
    half = f in (sc.gammaincc, sc.gammainc)
    A, X = (mpmath.mpf(a), mpmath.mpf(x)) if half else (mpmath.mpf(a) / 2, mpmath.mpf(x) / 2)
    # d/da Q(a, x) = int_x^inf (log t - psi(a)) t^(a-1) e^-t / Gamma(a) dt: bounded by
    # (log x + |psi(a)| + 1) Q(a, x), Q(a, x) <= e^-x x^a / Gamma(a) (x / (x - a))
    bound = (mpmath.log(X) + abs(mpmath.digamma(A)) + 1) * mpmath.exp(
        -X + A * mpmath.log(X) - mpmath.loggamma(A)) * 2
    assert bound < mpmath.mpf("1e-1000")
    assert dg.derivative(lambda v: f(v, x), a) == 0.0
    np.testing.assert_array_equal(dg.hessian(lambda v: f(v[0], v[1]), np.array([a, x])),
                                  np.zeros((2, 2)))


@pytest.mark.mp_dps(30)
def test_owens_t_slope_in_a_where_h_squared_a_squared_underflows():
    exact = lambda h, a: mpmath.exp(-h * h * (1 + a * a) / 2) / (2 * mpmath.pi * (1 + a * a))  # noqa
    assert exact(mpmath.mpf("1e-300"), mpmath.mpf("1e200")) < mpmath.mpf("1e-400")
    assert dg.derivative(lambda a: sc.owens_t(1e-300, a), 1e200) == 0.0
    # and an ordinary point: T's definition as an integral, differentiated by mpmath
    h, a = 0.7, 1.3
    T = lambda b: mpmath.quad(lambda t: mpmath.exp(-h * h * (1 + t * t) / 2) / (1 + t * t),  # noqa
                              [0, b]) / (2 * mpmath.pi)
    assert dg.derivative(lambda b: sc.owens_t(h, b), a) == pytest.approx(
        float(mpmath.diff(T, a)), rel=1e-14)
    H = dg.hessian(lambda v: sc.owens_t(v[0], v[1]), np.array([h, a]))
    # (T's d/da is its integrand at a: d2/da2 its slope, by mpmath's differences)
    d2 = mpmath.diff(lambda t: mpmath.exp(-h * h * (1 + t * t) / 2) / (1 + t * t), a) / (
        2 * mpmath.pi)
    assert H[1, 1] == pytest.approx(float(d2), rel=1e-13)


def test_a_nan_entry_beside_the_dark_block_is_still_settled():
    # attack54 10 (a regression of this lane's first landing): sparsity="auto" beside
    # sqrt's infinities; a NaN of the colored passes is checked entry by entry again
    H = dg.hessian(lambda x: np.sqrt(x[0]) / (2 + x[1]), np.array([0.0, 1.0, 0.0]),
                   sparsity="auto").toarray()
    assert H[2, 2] == 0.0 and H[1, 1] == 0.0 and H[0, 2] == H[2, 0] == 0.0  # x2 unread
    assert H[0, 1] == H[1, 0] == -np.inf          # -1 / (2 sqrt(x0) (2 + x1)^2) at 0
    H = dg.hessian(lambda x: np.sqrt(x[0]) / (1 + x[1]) + x[0] * x[2],
                   np.array([0.0, 0.0, 2.0]), sparsity="auto").toarray()
    assert H[0, 2] == 1.0 and H[2, 2] == 0.0 and H[1, 1] == 0.0  # (H[2, 0]: attack54 09)
    H = dg.hessian(lambda x: x[0] ** 0.5 / x[2] + x[1] ** 2, np.array([0.0, 0.0, 1.0]),
                   sparsity="auto").toarray()
    assert H[1, 1] == 2.0
