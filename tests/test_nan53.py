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
        # (the integrand falls like phi: nodes 1/4 apart over the first 12)
        if t >= 0:
            return -mp.quad(g, mp.linspace(t, t + 12, 49) + [mp.inf])
        return mp.quad(g, [-mp.inf] + mp.linspace(t - 12, t, 49))


def _cdf(t, nu):
    with mp.workdps(50):
        t, nu = mp.mpf(t), mp.mpf(nu)
        f = lambda x: mp.exp(_log_density(x, nu))
        tail = mp.quad(f, mp.linspace(abs(t), abs(t) + 12, 49) + [mp.inf])
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


def test_t_in_df_past_1000_far_out_stays_nan_or_underflows():
    # t**4 >= 2 df past df = 1000: the expansion's terms stop falling; the exact form
    # cancels: NaN (not lost digits); |t| > 40 with t**4 < 2 df: the derivative is below
    # the smallest subnormal (phi(40) t**3 / df**2 ~ 1e-350): 0
    assert np.isnan(dg.derivative(lambda v: ds.t.cdf(20.0, v), 1e4))
    assert dg.derivative(lambda v: ds.t.cdf(45.0, v), 1e8) == 0.0
    assert np.isfinite(dg.derivative(lambda v: ds.t.cdf(1.5, v), 1e300))
