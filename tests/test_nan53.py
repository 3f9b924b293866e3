"""Student's t in its degrees of freedom past df = 1000 (attack53 16): Fisher's
expansion in 1 / df where the exact form's two ~1/df terms cancel (it was NaN).

Oracle: mpmath at 50 digits, the cdf's df-derivative as the integral of the density's
df-derivative (``-int_t^inf f d(log f)/d(df)``), the density and its own derivatives in
closed form; quantiles by implicit differentiation at SciPy's quantile.
"""
import numpy as np
import pytest

import dualgrad as dg

mp = pytest.importorskip("mpmath")
ss = pytest.importorskip("scipy.stats")
sc = pytest.importorskip("scipy.special")
ds = pytest.importorskip("dualgrad.scipy.stats")


def _log_density(x, nu):
    return (mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(mp.pi * nu) / 2
            - (nu + 1) / 2 * mp.log1p(x * x / nu))


def _score(x, nu):
    """d/d(nu) log f(x; nu)."""
    return ((mp.digamma((nu + 1) / 2) - mp.digamma(nu / 2)) / 2 - 1 / (2 * nu)
            - mp.log1p(x * x / nu) / 2 + (nu + 1) * x * x / (2 * nu * (nu + x * x)))


def _cdf_df(t, nu):
    """d/d(nu) F(t; nu) (mpmath, 50 digits)."""
    with mp.workdps(50):
        t, nu = mp.mpf(t), mp.mpf(nu)
        g = lambda x: mp.exp(_log_density(x, nu)) * _score(x, nu)
        # (the integrand falls like phi: nodes 1 apart over the first 12; 1/4 apart and
        # at 60 digits, nodes 1/8 apart, moved no point here by 1e-17 relative, 3x slower)
        if t >= 0:
            return -mp.quad(g, mp.linspace(t, t + 12, 13) + [mp.inf])
        return mp.quad(g, [-mp.inf] + mp.linspace(t - 12, t, 13))


def _cdf(t, nu):
    with mp.workdps(50):
        t, nu = mp.mpf(t), mp.mpf(nu)
        f = lambda x: mp.exp(_log_density(x, nu))
        tail = mp.quad(f, mp.linspace(abs(t), abs(t) + 12, 13) + [mp.inf])
        return 1 - tail if t >= 0 else tail


def _density(t, nu):
    with mp.workdps(50):
        return mp.exp(_log_density(mp.mpf(t), mp.mpf(nu)))


_POINTS = [(1.5, 1e4), (1.5, 1e5), (1.5, 1e6), (-0.3, 1500.0), (3.0, 1e4), (-5.0, 1e4),
           (6.5, 1001.0), (1e-3, 3e3), (2.0, 1e9), (-12.0, 1e5), (8.0, 1e5)]


@pytest.mark.parametrize("t, nu", _POINTS)
def test_t_cdf_sf_in_df_past_1000_against_mpmath(t, nu):
    want = float(_cdf_df(t, nu))
    got = dg.derivative(lambda v: ds.t.cdf(t, v), nu)
    np.testing.assert_allclose(got, want, rtol=2e-10, atol=0)
    np.testing.assert_allclose(dg.derivative(lambda v: ds.t.sf(t, v), nu), -want, rtol=2e-10)
    np.testing.assert_allclose(dg.derivative(lambda v: sc.stdtr(v, t), nu), want, rtol=2e-10)


@pytest.mark.parametrize("t, nu", [(1.5, 1e5), (-2.0, 1e4), (4.0, 2e3)])
def test_t_logcdf_logsf_in_df_past_1000_against_mpmath(t, nu):
    d, F = _cdf_df(t, nu), _cdf(t, nu)
    np.testing.assert_allclose(dg.derivative(lambda v: ds.t.logcdf(t, v), nu), float(d / F),
                               rtol=2e-10)
    np.testing.assert_allclose(dg.derivative(lambda v: ds.t.logsf(t, v), nu),
                               float(-d / (1 - F)), rtol=2e-10)


@pytest.mark.parametrize("q, nu", [(0.3, 1e4), (0.975, 1e5), (1e-6, 5e3), (0.5 + 1e-4, 1e6)])
def test_t_ppf_isf_in_df_past_1000_against_mpmath(q, nu):
    # x(nu) with F(x, nu) = q: dx/dnu = -F_nu / f at x (SciPy's quantile, whose own error
    # moves the oracle by ~1e-16 relative)
    x = float(ss.t.ppf(q, nu))
    want = float(-_cdf_df(x, nu) / _density(x, nu))
    np.testing.assert_allclose(dg.derivative(lambda v: ds.t.ppf(q, v), nu), want, rtol=2e-10)
    x = float(ss.t.isf(q, nu))                # isf(q) = ppf(1 - q): the same slope at -x
    want = float(-_cdf_df(x, nu) / _density(x, nu))
    np.testing.assert_allclose(dg.derivative(lambda v: ds.t.isf(q, v), nu), want, rtol=2e-10)


def test_t_cdf_hessian_in_t_and_df_past_1000_against_mpmath():
    t, nu = 1.5, 1e4
    H = dg.hessian(lambda p: ds.t.cdf(p[0], p[1]), np.array([t, nu]))
    with mp.workdps(50):
        f = _density(t, nu)
        tt = -f * (nu + 1) * t / (nu + t * t)             # f'(t)
        tn = f * _score(mp.mpf(t), mp.mpf(nu))            # d/d(nu) f(t)
        h = mp.mpf(10)                                    # order 4: (h / nu)**4 = 1e-12
        g = [_cdf_df(t, nu + j * h) for j in (-2, -1, 1, 2)]
        nn = (g[0] - 8 * g[1] + 8 * g[2] - g[3]) / (12 * h)
    want = np.array([[float(tt), float(tn)], [float(tn), float(nn)]])
    np.testing.assert_allclose(H, want, rtol=1e-9)


def test_t_in_df_past_1000_far_out_is_a_number_or_underflows():
    # t**4 >= 2 df past df = 1000: the expansion's terms stop falling; the exact form
    # cancels: NaN until nan55, now a quadrature over the tail (tests/test_nan55.py;
    # mpmath's derivative of the incomplete beta, 50 digits: 5.273685005106085e-91);
    # |t| > 40 with t**4 < 2 df: the derivative is below the smallest subnormal
    # (phi(40) t**3 / df**2 ~ 1e-350): 0
    assert dg.derivative(lambda v: ds.t.cdf(20.0, v), 1e4) == \
        pytest.approx(5.273685005106085e-91, rel=1e-11)
    assert dg.derivative(lambda v: ds.t.cdf(45.0, v), 1e8) == 0.0
    assert np.isfinite(dg.derivative(lambda v: ds.t.cdf(1.5, v), 1e300))


# ---- attack53 14: a nested product's zero partial beside an infinite inner partial ----
# f = sqrt(x0) x1 + x1 x2 at (0, 0, 1): closed form H[0, 1] = 1 / (2 sqrt x0) = inf,
# H[0, 2] = 0 (no x0 x2 term), H[1, 2] = 1, H[1, 1] = H[2, 2] = 0; H[0, 0] = -x1 / (4
# x0**1.5) = 0 * inf is left free.  The operator's inlined product gave H[0, 2] NaN:
# sqrt(x0)'s inner slope inf times x1's zero partial along x2.

@pytest.mark.parametrize("spell", ["operator", "reflected", "ufunc"])
def test_nested_product_zero_partial_beside_infinite_slope(spell):
    prod = {"operator": lambda a, b: a * b, "reflected": lambda a, b: b * a,
            "ufunc": np.multiply}[spell]
    f = lambda x: prod(np.sqrt(x[0]), x[1]) + prod(x[1], x[2])
    H = dg.hessian(f, np.array([0.0, 0.0, 1.0]))
    np.testing.assert_array_equal(H[0, 1:], [np.inf, 0.0])
    np.testing.assert_array_equal(H[1:, 0], [np.inf, 0.0])
    np.testing.assert_array_equal(H[1:, 1:], [[0.0, 1.0], [1.0, 0.0]])


def test_nested_product_infinite_entries_symmetric_sparse():
    # x1 sqrt(x0) x4 + x2 x3 at (0, 0, 1, 2, 1/2): H[0, 1] = H[1, 0] = x4 / (2 sqrt x0) = inf
    # (the sparse Hessian gave NaN below the diagonal)
    f = lambda x: x[1] * np.sqrt(x[0]) * x[4] + x[2] * x[3]
    x = np.array([0.0, 0.0, 1.0, 2.0, 0.5])
    for H in (dg.hessian(f, x), dg.hessian(f, x, sparsity="auto").toarray()):
        assert H[0, 1] == np.inf and H[1, 0] == np.inf
        np.testing.assert_array_equal(H[2:4, 2:4], [[0.0, 1.0], [1.0, 0.0]])
        np.testing.assert_array_equal(H[0, 2:4], [0.0, 0.0])


# ---- attack53 16's gamma: the incomplete gamma function's shape slope at a ~ 1e7 ------
# near x = a the series' / continued fraction's terms fall only after ~8.6 sqrt(a) steps
# (the 20000-step limit gave NaN).  Oracle: mpmath at 50 digits, P_a = int_0^x (log t -
# psi(a)) t**(a - 1) e**-t / Gamma(a) dt (the mass within a +- 60 sqrt(a)).

def _gamma_shape_slope(a, x):
    with mp.workdps(50):
        a, x = mp.mpf(a), mp.mpf(x)
        g = lambda t: (mp.log(t) - mp.digamma(a)) * mp.exp((a - 1) * mp.log(t) - t - mp.loggamma(a))
        lo = a - 60 * mp.sqrt(a)
        return mp.quad(g, mp.linspace(lo, x, 41)), mp.exp((a - 1) * mp.log(x) - x - mp.loggamma(a))


@pytest.mark.parametrize("q, a", [(0.3, 1e7), (0.7, 1e7), (1e-5, 3e7)])
def test_gamma_ppf_and_cdf_in_a_near_1e7_against_mpmath(q, a):
    x = float(ss.gamma.ppf(q, a))
    slope, density = _gamma_shape_slope(a, x)
    np.testing.assert_allclose(dg.derivative(lambda v: ds.gamma.ppf(q, v), a),
                               float(-slope / density), rtol=1e-10)
    np.testing.assert_allclose(dg.derivative(lambda v: ds.gamma.cdf(x, v), a), float(slope),
                               rtol=1e-9)
