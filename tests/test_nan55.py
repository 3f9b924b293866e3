"""nan55: the incomplete gamma and beta densities at large shapes (attack54 13).

The x-slope of ``gammainc(a, x)`` (and chi2's, the Poisson cdf's in its mean, the
inverses' one over the density) was ``exp((a - 1) log x - x - gammaln(a))``, whose
terms are ~``a log a`` and cancel to O(1): 1e-6 relative at a = 1e9, all digits at
1e16 (1.6e-28 for 2.4e-9), 1.0 for 2.4e-10 at 1e18; betainc's and the binomial's the
same way (1e-2 at a = b = 1e12).  Now Stirling's form with ``log1pmx``.

Oracle: mpmath at 40-50 digits, the densities from ``loggamma`` / ``beta`` at the same
float arguments; second derivatives from the closed forms of the density's own
derivatives.
"""
import warnings

import numpy as np
import pytest

import dualgrad as dg

mp = pytest.importorskip("mpmath")
sc = pytest.importorskip("scipy.special")
ds = pytest.importorskip("dualgrad.scipy.stats")


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _gamma_density(a, x):
    with mp.workdps(50):
        a, x = mp.mpf(a), mp.mpf(x)
        return mp.exp((a - 1) * mp.log(x) - x - mp.loggamma(a))


def _beta_density(a, b, x):
    with mp.workdps(50):
        a, b, x = mp.mpf(a), mp.mpf(b), mp.mpf(x)
        return mp.exp((a - 1) * mp.log(x) + (b - 1) * mp.log1p(-x) - mp.log(mp.beta(a, b)))


_SHAPES = (10.0, 37.5, 1e3, 1e6, 1e9, 1e12, 1e14, 1e16, 1e18)
_SIGMAS = (-6.0, -1.0, 0.0, 0.7, 1.0, 6.0)


def _gamma_points():
    for a in _SHAPES:
        for k in _SIGMAS:
            if a + k * np.sqrt(a) > 0:
                yield a, a + k * np.sqrt(a)
    # beside the Stirling form's edges (x = a / 2) and far above the mode
    yield 10.0, 4.9
    yield 10.0, 5.0
    yield 10.0, 31.0
    yield 40.0, 19.0
    yield 40.0, 200.0
    yield 1000.0, 499.0
    yield 1000.0, 2500.0


_GAMMA = list(_gamma_points())


def test_gammainc_x_slope_at_large_shapes_against_mpmath():
    a = np.array([p[0] for p in _GAMMA])
    x = np.array([p[1] for p in _GAMMA])
    exact = np.array([float(_gamma_density(*p)) for p in _GAMMA])
    # below x = a / 2 the plain form (~a log a ulps of a density under e**(-a / 5) of
    # its peak; 8e-13 at a = 1000, x = 499)
    rtol = np.where(x >= a / 2, 2e-13, 1e-11)
    got = dg.jvp(lambda x: sc.gammainc(a, x), x, np.ones_like(x))[1]
    assert np.all(np.abs(got - exact) <= rtol * exact), (got - exact) / exact
    got = dg.jvp(lambda x: sc.gammaincc(a, x), x, np.ones_like(x))[1]
    assert np.all(np.abs(got + exact) <= rtol * exact), (got + exact) / exact


@pytest.mark.parametrize("a", [1e9, 1e12, 1e16, 1e18])
def test_gammainc_x_slope_on_scalars(a):
    """attack54 13's own points (x one deviation above the mean), scalar duals."""
    x = a * (1 + 1 / np.sqrt(a))
    exact = float(_gamma_density(a, x))
    assert dg.derivative(lambda x: sc.gammainc(a, x), x) == pytest.approx(exact, rel=1e-13)
    assert dg.derivative(lambda x: ds.gamma.cdf(x, a), x) == pytest.approx(exact, rel=1e-13)
    assert dg.derivative(lambda x: ds.chi2.cdf(x, 2 * a), 2 * x) == pytest.approx(exact / 2, rel=1e-13)
    assert dg.derivative(lambda x: sc.chdtrc(2 * a, x), 2 * x) == pytest.approx(-exact / 2, rel=1e-13)


@pytest.mark.parametrize("k", [1e6, 1e12, 1e14, 1e16])
def test_poisson_cdf_mean_slope_is_minus_the_pmf(k):
    mu = k + 0.5 * np.sqrt(k)
    exact = -float(_gamma_density(k + 1, mu))       # -pmf(k; mu) = -mu**k e**-mu / k!
    assert dg.derivative(lambda m: ds.poisson.cdf(k, m), mu) == pytest.approx(exact, rel=1e-13)
    assert dg.derivative(lambda m: sc.pdtr(k, m), mu) == pytest.approx(exact, rel=1e-13)
    assert dg.derivative(lambda m: sc.pdtrc(k, m), mu) == pytest.approx(-exact, rel=1e-13)


@pytest.mark.parametrize("a", [50.0, 1e7, 1e12, 1e16])
def test_gamma_quantile_slope_is_one_over_the_density(a):
    q = np.array([0.02, 0.3, 0.5, 0.9])
    x = sc.gammaincinv(a, q)
    exact = np.array([1 / float(_gamma_density(a, v)) for v in x])
    got = dg.jvp(lambda q: sc.gammaincinv(a, q), q, np.ones_like(q))[1]
    np.testing.assert_allclose(got, exact, rtol=1e-12)
    xc = sc.gammainccinv(a, q)
    exact = np.array([-1 / float(_gamma_density(a, v)) for v in xc])
    got = dg.jvp(lambda q: sc.gammainccinv(a, q), q, np.ones_like(q))[1]
    np.testing.assert_allclose(got, exact, rtol=1e-12)
    xs = sc.chdtri(2 * a, q)                 # chi2's isf: chdtrc(v, x) = q
    exact = np.array([-2 / float(_gamma_density(a, v / 2)) for v in xs])
    got = dg.jvp(lambda q: sc.chdtri(2 * a, q), q, np.ones_like(q))[1]
    np.testing.assert_allclose(got, exact, rtol=1e-12)


@pytest.mark.parametrize("a", [30.0, 1e6, 1e12])
def test_gammainc_second_derivatives_at_large_shapes(a):
    """d2/dx2 = f ((a - 1) / x - 1); d2/da dx = f (log x - psi(a)) (closed forms)."""
    x = a + 0.8 * np.sqrt(a)
    f = _gamma_density(a, x)
    with mp.workdps(50):
        A, X = mp.mpf(a), mp.mpf(x)
        dxx = float(f * ((A - 1) / X - 1))
        dax = float(f * (mp.log(X) - mp.digamma(A)))
    assert dg.derivative(lambda x: dg.derivative(lambda x: sc.gammainc(a, x), x), x) == \
        pytest.approx(dxx, rel=1e-11)
    H = dg.hessian(lambda v: sc.gammainc(v[0], v[1]), np.array([a, x]))
    # d log x - psi(a) cancels ~1/sqrt(a) of log a: eps log(a) sqrt(a) relative
    assert H[0, 1] == pytest.approx(dax, rel=1e-14 * np.sqrt(a) * np.log(a) + 1e-12)
    assert H[1, 0] == pytest.approx(dax, rel=1e-14 * np.sqrt(a) * np.log(a) + 1e-12)
    assert H[1, 1] == pytest.approx(dxx, rel=1e-11)


_BETA = [(12.0, 30.0), (1e3, 2e3), (1e6, 1e6), (1e9, 3e9), (1e12, 1e12), (1e14, 1e14),
         (20.0, 1e12), (1e12, 15.0), (3.0, 1e12)]


def _beta_rtol(a, b, x):
    """~|c x - a| ulps (c = a + b), the density's own change over x's last bit (the
    old form: ~a log a ulps, 1e-2 at a = b = 1e12)."""
    return 1e-13 + 8e-16 * np.abs((a + b) * x - a)


def test_betainc_x_slope_at_large_shapes_against_mpmath():
    """Within the density's condition in x: 5e-10 relative one deviation out at
    a = b = 1e14."""
    pts = []
    for a, b in _BETA:
        m, sd = a / (a + b), np.sqrt(a * b / (a + b) ** 3)
        pts += [(a, b, m + k * sd) for k in (-6.0, -1.0, 0.0, 0.4, 1.0, 6.0) if 0 < m + k * sd < 1]
    pts += [(12.0, 30.0, 0.1), (12.0, 30.0, 0.9), (40.0, 40.0, 0.2), (40.0, 40.0, 0.8)]
    a, b, x = (np.array(v) for v in zip(*pts))
    exact = np.array([float(_beta_density(*p)) for p in pts])
    rtol = _beta_rtol(a, b, x)
    got = dg.jvp(lambda x: sc.betainc(a, b, x), x, np.ones_like(x))[1]
    assert np.all(np.abs(got - exact) <= rtol * exact), (got - exact) / exact
    got = dg.jvp(lambda x: sc.betaincc(a, b, x), x, np.ones_like(x))[1]
    assert np.all(np.abs(got + exact) <= rtol * exact), (got + exact) / exact


@pytest.mark.parametrize("n", [1e9, 1e12, 1e14])
def test_binomial_and_negative_binomial_cdf_slopes_in_p(n):
    k = np.floor(0.3 * n)
    p = np.array([0.3, 0.3 + 1 / np.sqrt(n), 0.3 - 1 / np.sqrt(n)])
    # d/dp P(N <= k) = -n pmf(k; n - 1, p) = -(beta(k + 1, n - k) density at p)
    exact = np.array([-float(_beta_density(k + 1, n - k, v)) for v in p])
    rtol = _beta_rtol(k + 1, n - k, p)
    got = dg.jvp(lambda p: ds.binom.cdf(k, n, p), p, np.ones_like(p))[1]
    assert np.all(np.abs(got - exact) <= rtol * -exact), (got - exact) / exact
    got = dg.jvp(lambda p: ds.binom.sf(k, n, p), p, np.ones_like(p))[1]
    assert np.all(np.abs(got + exact) <= rtol * -exact), (got + exact) / exact
    # nbinom's cdf is betainc(n, k + 1, p): its p-slope the beta(n, k + 1) density
    kk = np.floor(n)
    q = np.array([0.5, 0.5 + 1 / np.sqrt(n)])
    exact = np.array([float(_beta_density(n, kk + 1, v)) for v in q])
    got = dg.jvp(lambda p: ds.nbinom.cdf(kk, n, p), q, np.ones_like(q))[1]
    np.testing.assert_allclose(got, exact, rtol=_beta_rtol(n, kk + 1, q).max())


@pytest.mark.parametrize("a", [1e6, 1e12])
def test_beta_quantile_slope_is_one_over_the_density(a):
    b = 2 * a
    q = np.array([0.1, 0.5, 0.8])
    x = sc.betaincinv(a, b, q)
    exact = np.array([1 / float(_beta_density(a, b, v)) for v in x])
    got = dg.jvp(lambda q: sc.betaincinv(a, b, q), q, np.ones_like(q))[1]
    np.testing.assert_allclose(got, exact, rtol=_beta_rtol(a, b, x).max())


# ---- Student's t in df past 1000 where t**4 >= 2 df (NaN on 5b74835; 0 at |t| > 40) ----

def _t_cdf_df_exact(nu, t):
    """d/d(nu) of the t cdf by mpmath's derivative of the regularized incomplete beta
    function at 50 digits (F = I_z(nu / 2, 1 / 2) / 2 below 0, z = nu / (nu + t**2))."""
    with mp.workdps(50):
        T = mp.mpf(t)

        def tail(n):            # F(-|t|); F(t) = 1 - F(-t) above 0
            return mp.betainc(n / 2, mp.mpf(1) / 2, 0, n / (n + T * T), regularized=True) / 2
        return float(-mp.sign(T) * mp.diff(tail, mp.mpf(nu)))


_T_TAIL = [(1001.0, 6.7), (1001.0, -7.0), (1001.0, -30.0), (1001.0, -50.0), (1001.0, 45.0),
           (1e4, -10.0), (1e4, 20.0), (1e4, -30.0), (1e5, 18.0), (1e6, -35.0)]


def test_t_cdf_df_slope_in_the_tail_against_mpmath():
    nu = np.array([p[0] for p in _T_TAIL])
    t = np.array([p[1] for p in _T_TAIL])
    exact = np.array([_t_cdf_df_exact(*p) for p in _T_TAIL])
    assert np.all(exact != 0)
    got = dg.jvp(lambda d: sc.stdtr(d, t), nu, np.ones_like(nu))[1]
    # (the quadrature's ratio multiplies SciPy's stdtr, 9e-12 off at df = 1e6, t = -35)
    np.testing.assert_allclose(got, exact, rtol=2e-11, atol=0)
    for (n, tv), e in zip(_T_TAIL[:6], exact):
        assert dg.derivative(lambda d: sc.stdtr(d, tv), n) == pytest.approx(e, rel=1e-12)
        assert dg.derivative(lambda d: ds.t.cdf(tv, d), n) == pytest.approx(e, rel=1e-12)
        assert dg.derivative(lambda d: ds.t.sf(tv, d), n) == pytest.approx(-e, rel=1e-12)


def test_t_quantile_df_slope_in_the_tail():
    """stdtrit(df, p) by implicit differentiation: -F_df / f at SciPy's quantile."""
    nu, p = 1e4, 1e-50
    q = sc.stdtrit(nu, p)
    assert q ** 4 >= 2 * nu
    with mp.workdps(50):
        Q, N = mp.mpf(q), mp.mpf(nu)
        f = mp.exp(mp.loggamma((N + 1) / 2) - mp.loggamma(N / 2) - mp.log(mp.pi * N) / 2
                   - (N + 1) / 2 * mp.log1p(Q * Q / N))
    exact = -_t_cdf_df_exact(nu, q) / float(f)
    assert dg.derivative(lambda d: sc.stdtrit(d, p), nu) == pytest.approx(exact, rel=1e-11)


def test_t_cdf_mixed_second_derivative_in_the_tail_and_the_df_one_refused():
    nu, t = 1e4, -30.0
    with mp.workdps(50):
        T, N = mp.mpf(t), mp.mpf(nu)
        f = mp.exp(mp.loggamma((N + 1) / 2) - mp.loggamma(N / 2) - mp.log(mp.pi * N) / 2
                   - (N + 1) / 2 * mp.log1p(T * T / N))
        score = ((mp.digamma((N + 1) / 2) - mp.digamma(N / 2)) / 2 - 1 / (2 * N)
                 - mp.log1p(T * T / N) / 2 + (N + 1) * T * T / (2 * N * (N + T * T)))
        exact = float(f * score)                    # d2F / d(df) dt = d f / d(df)
    got = dg.derivative(lambda s: dg.derivative(lambda d: sc.stdtr(d, s), nu), t)
    assert got == pytest.approx(exact, rel=1e-12)
    with pytest.raises(TypeError, match="second derivative in df"):
        dg.hessian(lambda v: sc.stdtr(v[0], v[1]), np.array([nu, t]))


def test_gammainc_shape_slope_past_its_step_limit_is_refused_by_name():
    """NaN after ~16 s on 5b74835 (a ~ 1e9 just below x = a)."""
    with pytest.raises(TypeError, match="gammainc.*shape a.*got a = 1000000000.0"):
        dg.derivative(lambda a: sc.gammainc(a, 1e9 - 3e4), 1e9)


@pytest.mark.parametrize("k", [30.0, 1e6, 1e12, 1e16])
def test_poisson_pmf_mean_slope_at_large_counts(k):
    """pmf (k / mu - 1): the pmf of duals was exp(xlogy(k, mu) - gammaln(k + 1) - mu),
    3e-3 off at k = 1e12 and 1.6e-28 for 3.1e-9 at 1e16 (SciPy's own float value is that
    too); the rest is k / mu - 1's own rounding (~eps mu / |mu - k|)."""
    mu = np.array([k + 0.7 * np.sqrt(k), k - 2.0 * np.sqrt(k)])
    with mp.workdps(50):
        K = mp.mpf(k)
        exact = np.array([float(mp.exp(K * mp.log(M) - M - mp.loggamma(K + 1)) * (K / M - 1))
                          for M in (mp.mpf(m) for m in mu)])
    got = dg.jvp(lambda m: ds.poisson.pmf(k, m), mu, np.ones_like(mu))[1]
    rtol = 1e-13 + 4e-16 * mu / np.abs(mu - k)
    assert np.all(np.abs(got - exact) <= rtol * np.abs(exact)), (got - exact) / exact


# the Stirling form's switch (shape 10, rules/_table.py's _gamma_log / _beta_log) in the
# rows it added value tests to (test_value_conditions' list): both sides against mpmath
@pytest.mark.parametrize("k", [7.0, 8.0, 9.0, 10.0, 11.0])
def test_poisson_and_nbinom_slopes_on_both_sides_of_the_switch(k):
    mu = k + 0.7
    exact = -float(_gamma_density(k + 1, mu))               # shape k + 1: 8 .. 12
    assert dg.derivative(lambda m: sc.pdtr(k, m), mu) == pytest.approx(exact, rel=1e-13)
    assert dg.derivative(lambda m: sc.pdtrc(k, m), mu) == pytest.approx(-exact, rel=1e-13)
    for n in (k + 0.5, k + 1.5):                            # beta(n, k + 1) across 10
        p = 0.55
        exact = float(_beta_density(n, k + 1, p))
        assert dg.derivative(lambda q: ds.nbinom.cdf(k, n, q), p) == \
            pytest.approx(exact, rel=1e-12)
        assert dg.derivative(lambda q: ds.nbinom.sf(k, n, q), p) == \
            pytest.approx(-exact, rel=1e-12)
