"""Stop 58 (nan58): scipy.stats / scipy.special rows at extreme arguments.

attack57 02: cauchy's cdf / logcdf / sf / logsf slopes far in the tails (the arctan2
row's partial ``1 / (1 + z**2)`` underflows past |z| ~ 1e154 while ``dz / dscale``
grows).  Oracle: mpmath's ``atan2`` form of the cdf, differentiated in scaled
coordinates (x = x0 (1 + t)), 700 digits (the second level: as many as its smallest
entry needs); the values are SciPy's bits.
"""
import math
import warnings

import mpmath as mp
import numpy as np
import pytest
import scipy.stats as st

import dualgrad as dg
from dualgrad.scipy import stats as ds

LOC, SCALE = 0.3, 1.7
XS = [-1e300, -1e200, -1e170, -1e160, -1e155, -1e100, -1e10, -3e5, -40.0, -3.0, -1.2, -0.5,
      0.7, 2.5, 2e5, 1e8, 1e160, 1e200]


def _cauchy_oracle(method, x0, orders, digits=700):
    """d^orders of cauchy.<method>(x, LOC, SCALE) at x0 in (x, loc, scale), by mpmath."""
    def F(t0, t1, t2):
        x, loc, s = x0 * (1 + t0), LOC + t1, SCALE + t2
        cdf, sf = mp.atan2(s, loc - x) / mp.pi, mp.atan2(s, x - loc) / mp.pi
        return {"cdf": cdf, "sf": sf, "logcdf": mp.log(cdf), "logsf": mp.log(sf)}[method]
    with mp.workdps(digits):      # loc + 0.3 beside x = 1e300
        d = mp.diff(F, (0, 0, 0), orders)
        return float(d / mp.mpf(x0) ** orders[0])


@pytest.mark.parametrize("method", ["cdf", "logcdf", "sf", "logsf"])
@pytest.mark.parametrize("x", XS)
def test_cauchy_tail_gradient(method, x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        f = lambda v: getattr(ds.cauchy, method)(v[0], v[1], v[2])
        val, g = dg.value_and_grad(f)(np.array([x, LOC, SCALE]))
        want = getattr(st.cauchy, method)(x, LOC, SCALE)
    assert np.float64(val).tobytes() == np.float64(want).tobytes()      # SciPy's bits
    exact = [_cauchy_oracle(method, x, o) for o in ((1, 0, 0), (0, 1, 0), (0, 0, 1))]
    np.testing.assert_allclose(g, exact, rtol=1e-11, atol=1e-320)


@pytest.mark.parametrize("method, sign", [("logcdf", -1.0), ("logsf", 1.0), ("cdf", -1.0)])
@pytest.mark.parametrize("ax", [1e200, 1e170, 1e100, 1e10, 1e8, 1e7, 1e4, 2e3, 40.0, 3.0])
def test_cauchy_tail_second_level(method, sign, ax):
    """logcdf's far-tail d2 / dscale2 is -1 / scale**2, d2/dx2 ~ 1 / x**2, the mixed
    d2/dx dscale ~ -4 scale / (3 |x|**3): through z = (x - loc) / scale the chain rule
    cancelled two terms ~1 / (z scale**2) to it (36 % off at x = -1e8, the wrong sign
    at -1e10: attack58 08); logsf mirrored; the cdf's own."""
    x = sign * ax
    # the oracle's smallest entry (logcdf's d2 / dloc dscale ~ 1 / |x|**3) resolved beside
    # the function's value: 3 log10 |x| digits and 60 more (each of the 150 entries the
    # same float as at 700 digits, in a fifth of the time; at 2 log10 |x| + 60 three
    # differ: fastci62)
    digits = 3 * int(math.log10(ax)) + 60
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        H = dg.hessian(lambda v: getattr(ds.cauchy, method)(v[0], v[1], v[2]),
                       np.array([x, LOC, SCALE]))
    for i, j in [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2)]:
        o = [0, 0, 0]
        o[i] += 1
        o[j] += 1
        np.testing.assert_allclose(H[i, j], _cauchy_oracle(method, x, tuple(o), digits),
                                   rtol=1e-9, atol=1e-320)


# attack57 01: d2/da2 of gammainc(a, x) at small a (Legendre's fraction: (log x - psi(a) +
# f')**2 - trigamma(a) cancelled its two 1 / a**2; 1e-2 relative at a = 1e-14).
# Oracle: mpmath's regularized incomplete gamma differentiated twice, 80 digits.
@pytest.mark.parametrize("a", [1e-14, 1e-12, 1e-10, 1e-6, 1e-3, 0.3, 0.99, 1.5])
@pytest.mark.parametrize("x", [0.2, 1.0, 3.0, 30.0])
def test_gammainc_second_shape_derivative_small_a(a, x):
    import scipy.special as sc
    with mp.workdps(80):
        want = float(mp.diff(lambda A: mp.gammainc(A, 0, x, regularized=True), mp.mpf(a), 2))
    d2 = dg.derivative(lambda A: dg.derivative(lambda B: sc.gammainc(B, x), A), a)
    H = dg.hessian(lambda v: sc.gammaincc(v[0], v[1]), np.array([a, x]))[0, 0]
    np.testing.assert_allclose(d2, want, rtol=1e-11)
    np.testing.assert_allclose(H, -want, rtol=1e-11)


# nan56 / nan57 Left (d): nbinom.logpmf's n-slope near the mode, log p + psi(n + k) -
# psi(n), cancelled (3e-6 relative at n = k = 1e9, p = 1/2; 200x at 1e16).  Oracle:
# mpmath's loggamma form differentiated, 60 digits; values SciPy's bits.
def _nbinom_oracle(k, n, p, orders):
    def L(n_, p_):
        return (mp.loggamma(n_ + k) - mp.loggamma(k + 1) - mp.loggamma(n_) + n_ * mp.log(p_)
                + k * mp.log1p(-p_))
    with mp.workdps(60):
        return float(mp.diff(L, (mp.mpf(n), mp.mpf(p)), orders))


@pytest.mark.parametrize("n, k, p", [(1e9, 1e9, 0.5), (1e16, 1e16, 0.5), (1e12, 3e12, 0.25),
                                     (1e12, 1e12 + 7, 0.5), (2e6, 1e6, 0.6), (20.0, 30.0, 0.4),
                                     (12.5, 11.0, 0.5), (1e6, 10.0, 0.3), (5.0, 40.0, 0.1)])
def test_nbinom_logpmf_n_slope_near_mode(n, k, p):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        f = lambda q: ds.nbinom.logpmf(k, q[0], q[1])
        val, g = dg.value_and_grad(f)(np.array([n, p]))
        H = dg.hessian(f, np.array([n, p]))
    assert np.float64(val).tobytes() == np.float64(st.nbinom.logpmf(k, n, p)).tobytes()
    dn, dp = _nbinom_oracle(k, n, p, (1, 0)), _nbinom_oracle(k, n, p, (0, 1))
    assert abs(g[0] - dn) <= 1e-12 * abs(dn)
    # d/dp = n / p - k / (1 - p): 0 at some of these points; its terms are ~n / p
    assert abs(g[1] - dp) <= 1e-12 * abs(dp) + 1e-15 * (n / p)
    for (i, j), o in [((0, 0), (2, 0)), ((0, 1), (1, 1)), ((1, 1), (0, 2))]:
        want = _nbinom_oracle(k, n, p, o)
        assert abs(H[i, j] - want) <= 1e-10 * abs(want) + 1e-15 * n / p ** 2 * (i + j == 2)


# nan56 Left (a): betabinom.logpmf's shape slopes at large a, b (three betaln: psi(k + a)
# - psi(n + a + b) - psi(a) + psi(a + b), ~log a each, cancelled: 8.4e-9 relative at a =
# 1e12, all digits at a = b = 1e12, n = 30, k = 15).  Oracle: mpmath's beta function, 60
# digits; values SciPy's bits.
def _betabinom_oracle(k, n, a, b, orders):
    def L(a_, b_):
        return mp.log(mp.binomial(n, k)) + mp.log(mp.beta(k + a_, n - k + b_)) - \
            mp.log(mp.beta(a_, b_))
    with mp.workdps(60):
        return float(mp.diff(L, (mp.mpf(a), mp.mpf(b)), orders))


@pytest.mark.parametrize("n, k, a, b", [(30, 15, 1e12, 1e12), (10, 3, 1e8, 1e8),
                                        (10, 3, 1e12, 2.5), (20, 7, 5.0, 3.0),
                                        (10, 3, 1e6, 0.5), (1000, 500, 1e9, 1e9 + 3),
                                        (50, 1, 12.0, 300.0), (50, 49, 1e5, 20.0),
                                        (10, 0, 1e7, 1e7), (10, 10, 1e7, 1e7)])
def test_betabinom_logpmf_shape_slopes(n, k, a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        f = lambda q: ds.betabinom.logpmf(k, n, q[0], q[1])
        val, g = dg.value_and_grad(f)(np.array([a, b]))
        H = dg.hessian(f, np.array([a, b]))
    assert np.float64(val).tobytes() == np.float64(st.betabinom.logpmf(k, n, a, b)).tobytes()
    for i, o in enumerate([(1, 0), (0, 1)]):
        want = _betabinom_oracle(k, n, a, b, o)
        assert abs(g[i] - want) <= 1e-12 * abs(want)
    for (i, j), o in [((0, 0), (2, 0)), ((0, 1), (1, 1)), ((1, 1), (0, 2))]:
        want = _betabinom_oracle(k, n, a, b, o)
        assert abs(H[i, j] - want) <= 1e-9 * abs(want)


# attack58 01: a scalar dual's value of weibull_min / pareto ppf, isf was 1 ulp from
# SciPy's: the private formula ran on NumPy scalars (the scalar power), SciPy's public
# call runs it on 1-d arrays (argsreduce; np.power's array loop).  Oracle: SciPy itself.
@pytest.mark.parametrize("name, method, c", [("weibull_min", "ppf", 1.5),
                                             ("weibull_min", "isf", 1.5),
                                             ("pareto", "ppf", 2.5), ("pareto", "isf", 2.5)])
def test_scalar_dual_value_is_scipys_bits(name, method, c):
    D, S = getattr(ds, name), getattr(st, name)
    for q in np.random.default_rng(1).uniform(0.001, 0.999, 40):
        want = np.float64(getattr(S, method)(q, c)).tobytes()
        v = dg.value_and_grad(lambda z: getattr(D, method)(z, c))(q)[0]
        vc = dg.value_and_grad(lambda cc: getattr(D, method)(q, cc))(c)[0]
        assert np.float64(v).tobytes() == want
        assert np.float64(vc).tobytes() == want


# attack58 05: d/dq weibull_min.ppf at q = 1 (isf at 0) was NaN: SciPy's density at the
# infinite end is NaN (c x**(c - 1) exp(-x**c) = inf * 0 for c > 1).  Oracle: ppf'(q) = 1
# / pdf(ppf(q)) grows without bound as q -> 1 (the closed form at 1 - 1e-12, 1 - 1e-15).
@pytest.mark.parametrize("c", [1.5, 3.0, 0.5])
def test_weibull_quantile_end_slope_is_infinite(c):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        d1 = dg.derivative(lambda q: ds.weibull_min.ppf(q, c), 1.0)
        d0 = dg.derivative(lambda q: ds.weibull_min.isf(q, c), 0.0)
    closed = [1 / st.weibull_min.pdf(st.weibull_min.ppf(1 - h, c), c) for h in (1e-12, 1e-15)]
    assert closed[1] > 100 * closed[0] > 1e12       # growing without bound
    assert d1 == np.inf and d0 == -np.inf
