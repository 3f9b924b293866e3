"""The discrete distributions: SciPy 1.17's private ``_logpmf`` formulas with the
rule table's functions; ``cdf`` / ``sf`` (and binom's, nbinom's pmf) SciPy's own
functions (``pdtr``, Boost's ``_binom_cdf`` ...), rows of the rule table with their
derivative in the continuous parameter (``mu``, ``p``) in closed form (a density).  Counts (``k``, binom's ``n``) are plain; nbinom's real ``n`` has a
derivative in ``pmf`` / ``logpmf`` (gammaln) and, since stats45, in ``cdf`` / ``sf``
and their logs (betainc's in its first argument, the table's ``betainc_da``).
"""

import numpy as np

from ...dispatch._lift import scipy_special
from ._base import Discrete, values
from ._continuous import (_STIRLING_FROM, _beta_log_large, _gamma_log_large, _log1p_minus,
                          _split, _stirling_rest)

__all__ = ["poisson", "binom", "nbinom", "geom", "bernoulli", "betabinom"]

_COUNT = "{} is a count: the probabilities have no derivative in it"
# nbinom's n, betabinom's larger shape from which the slopes' forms replace SciPy's
# (nan58): below it SciPy's psi differences lose ~eps n log n relative (1e-12 at 1000)
# and the forms' ~20 more dual operations (4x a call) buy nothing
_SLOPE_FORM_FROM = 1000.0


def _sc():
    return scipy_special("dualgrad.scipy.stats")


def _scu():
    import scipy.special._ufuncs as scu
    return scu


class _Poisson(Discrete):
    shapes = ("mu",)
    scipys_bits = ("cdf", "sf")                     # pdtr, pdtrc themselves

    def _rewritten(self, method, k, shapes):        # Stirling's form from k = 1000
        return method not in ("logpmf", "pmf") or bool(np.any(k >= 1000.0))

    def argcheck(self, mu):
        return mu >= 0

    def _logpmf(self, k, mu):
        # the gamma log density of shape k + 1 at mu: from k = 1000 by Stirling's form
        # (stats46's _gamma_log_large), where xlogy(k, mu) - gammaln(k + 1) - mu cancels
        # its ~k log k terms (SciPy's value and slope 3e-3 off at k = 1e12, all digits
        # at 1e16: 1.6e-28 for 3.1e-9; nan55); below it SciPy's own formula (its value's
        # bits, ~k log k ulps: under 1e-12)
        sc = _sc()
        small = sc.xlogy(k, mu) - sc.gammaln(k + 1) - mu
        kv = np.asarray(values(k), dtype=float)
        if not np.any(kv >= 1000.0):
            return small
        # as the shape-k density plus log(mu / k): k + 1 is no float past 2**53 (the
        # slope (fl(k + 1) - 1) / mu - 1 was 1 / mu off k / mu - 1: 3e-9 relative at
        # k = 1e16 near the mode; nan56)
        big, large = _gamma_log_large(mu, np.where(kv >= 1000.0, k, 10.0))
        if large is None:
            return small
        large = large + (np.log(mu) - np.log(np.where(kv >= 1000.0, kv, 10.0)))
        return np.where(big & (kv >= 1000.0), large, small)

    def _cdf(self, k, mu):
        k = np.floor(k)
        return _sc().pdtr(k, mu)

    def _sf(self, k, mu):
        k = np.floor(k)
        return _sc().pdtrc(k, mu)


class _Binom(Discrete):
    shapes = ("n", "p")
    scipys_bits = ("pmf", "cdf", "sf")                 # Boost's rows themselves
    refused = {("*", 0): _COUNT.format("binom's n")}

    def argcheck(self, n, p):
        return (n >= 0) & (n == np.floor(n)) & (p >= 0) & (p <= 1)

    def get_support(self, n, p):
        return 0.0, n

    def _logpmf(self, x, n, p):
        # near the mode, from k, n - k = 10, as the beta(k, n - k) log density at p
        # (stats46's Stirling form) plus log p + log1p(-p) and a constant: SciPy's slope
        # k / p - (n - k) / (1 - p) cancels there (1.2e-9 relative at n = 1e16; nan56)
        sc = _sc()
        k = np.floor(x)
        combiln = sc.gammaln(n + 1) - (sc.gammaln(k + 1) + sc.gammaln(n - k + 1))
        small = combiln + sc.xlogy(k, p) + sc.xlog1py(n - k, -p)
        kv, nv = values(k), values(n)
        with np.errstate(all="ignore"):
            use = (kv >= 10.0) & (nv - kv >= 10.0)
        if not np.any(use):
            return small
        a, b = np.where(use, kv, 10.0), np.where(use, nv - kv, 10.0)
        big, large = _beta_log_large(p, a, b)
        if large is None or not np.any(big & use):
            return small
        big = big & use
        sp = p if np.all(big) else np.where(big, p, 0.5)
        with np.errstate(all="ignore"):
            const = values(combiln) + sc.betaln(a, b)
        large = large + (np.log(sp) + np.log1p(-sp)) + const
        return large if np.all(big) else np.where(big, large, small)

    def _pmf(self, x, n, p):
        return _scu()._binom_pmf(x, n, p)

    def _cdf(self, x, n, p):
        k = np.floor(x)
        return _scu()._binom_cdf(k, n, p)

    def _sf(self, x, n, p):
        k = np.floor(x)
        return _scu()._binom_sf(k, n, p)


class _Bernoulli(_Binom):
    shapes = ("p",)
    refused = {}

    def argcheck(self, p):
        return (p >= 0) & (p <= 1)

    def get_support(self, p):
        return 0.0, 1.0

    def _logpmf(self, x, p):
        return _Binom._logpmf(self, x, 1.0, p)

    def _pmf(self, x, p):
        return _Binom._pmf(self, x, 1.0, p)

    def _cdf(self, x, p):
        return _Binom._cdf(self, x, 1.0, p)

    def _sf(self, x, p):
        return _Binom._sf(self, x, 1.0, p)


class _Nbinom(Discrete):
    shapes = ("n", "p")
    scipys_bits = ("pmf", "cdf", "sf")                 # Boost's rows themselves

    def argcheck(self, n, p):
        return (n > 0) & (p > 0) & (p <= 1)

    def _logpmf(self, x, n, p):
        # near the mode, from n = 1000 and k = 10, as the beta(n, k) log density at p (stats46's
        # Stirling form) plus log p + log1p(-p) - log k (Gamma(n + k) / (Gamma(n) k!) is
        # 1 / (k B(n, k))): SciPy's n-slope log p + psi(n + k) - psi(n) cancels there
        # (3e-6 relative at n = k = 1e9, p = 1/2, 200x at 1e16; nan56 / nan57 Left), the
        # beta form's a-slope log p - psi(a) + psi(a + b) has no term cancelling (binom's
        # p-slope likewise)
        sc = _sc()
        coeff = sc.gammaln(n + x) - sc.gammaln(x + 1) - sc.gammaln(n)
        small = coeff + n * np.log(p) + sc.xlog1py(x, -p)
        kv, nv = values(x), values(n)
        if not np.max(nv) >= _SLOPE_FORM_FROM:           # (one test on ordinary calls)
            return small
        with np.errstate(all="ignore"):
            use = (kv >= 10.0) & (nv >= _SLOPE_FORM_FROM) & (kv == np.floor(kv))
            few = (kv >= 1.0) & (nv >= _SLOPE_FORM_FROM) & ((kv < 10.0) | use)
        if np.any(few):           # gammaln(n + k) - gammaln(n) as gammaln(k) - betaln(n, k),
            # whose n-slope psi(n + k) - psi(n) is betaln's psi_difference (SciPy's two psi
            # values cancel: the slope's sign was wrong at n = 1e9, k = 2, p = 1 - 2e-9,
            # attack59 04; from k = 10 away from the mode, where the Stirling form below
            # does not reach, 5e-8 relative at n = 1e9, k = 10, p = 1 - 1e-7, attack60 10)
            kf = np.where(few, kv, 1.0)
            form = -sc.betaln(n, kf) - np.log(kf) + n * np.log(p) + sc.xlog1py(x, -p)
            small = form if np.all(few) else np.where(few, form, small)
        if not np.any(use):
            return small
        a, b = np.where(use, n, 10.0), np.where(use, kv, 10.0)
        big, large = _beta_log_large(p, a, b)
        if large is None or not np.any(big & use):
            return small
        big = big & use
        sp = p if np.all(big) else np.where(big, p, 0.5)
        large = large + (np.log(sp) + np.log1p(-sp)) - np.log(b)
        return large if np.all(big) else np.where(big, large, small)

    def _pmf(self, x, n, p):
        return _scu()._nbinom_pmf(x, n, p)

    def _cdf(self, x, n, p):
        k = np.floor(x)
        return _scu()._nbinom_cdf(k, n, p)

    def _sf(self, x, n, p):
        k = np.floor(x)
        return _scu()._nbinom_sf(k, n, p)

    def _logcdf(self, x, n, p):
        # SciPy's: log1p(-betainc(k + 1, n, 1 - p)) where the cdf is above 1/2
        k = np.floor(x)
        cdf = self._cdf(k, n, p)
        high = values(cdf) > 0.5
        with np.errstate(divide="ignore"):
            return np.where(high, np.log1p(-_sc().betainc(k + 1, n, 1 - p)), np.log(cdf))


class _Betabinom(Discrete):
    shapes = ("n", "a", "b")
    methods = ("pmf", "logpmf")
    refused = {("*", 0): _COUNT.format("betabinom's n")}

    def argcheck(self, n, a, b):
        return (n >= 0) & (n == np.floor(n)) & (a > 0) & (b > 0)

    def get_support(self, n, a, b):
        return 0.0, n

    def _logpmf(self, x, n, a, b):
        sc = _sc()
        k = np.floor(x)
        combiln = -np.log(n + 1) - sc.betaln(n - k + 1, k + 1)
        small = combiln + sc.betaln(k + a, n - k + b) - sc.betaln(a, b)
        av, bv = values(a), values(b)
        if not (np.max(av) >= _SLOPE_FORM_FROM or np.max(bv) >= _SLOPE_FORM_FROM):
            return small                                # (ordinary calls: two tests)
        kv, nv = values(k), values(n)
        with np.errstate(all="ignore"):
            use = ((np.maximum(av, bv) >= _SLOPE_FORM_FROM) & (av > 0) & (bv > 0) &
                   np.isfinite(av) & np.isfinite(bv) & (kv >= 0.0) & (nv - kv >= 0.0) &
                   (nv >= 1.0) & (nv < 2.0 ** 53))
            if np.any(use):
                kk, mm = np.where(use, kv, 1.0), np.where(use, nv - kv, 1.0)
                r = _two_diff_products(mm, np.where(use, av, 10.0), kk,
                                       np.where(use, bv, 10.0))
        if not np.any(use):
            return small
        large = _betabinom_rests(kk, mm, a if np.all(use) else np.where(use, a, 10.0),
                                 b if np.all(use) else np.where(use, b, 10.0), r)
        with np.errstate(all="ignore"):
            large = large + values(combiln) + (sc.xlogy(kk, kk / (kk + mm)) +
                                               sc.xlogy(mm, mm / (kk + mm)))
        return large if np.all(use) else np.where(use, large, small)


def _two_diff_products(m, a, k, b):
    """``m a - k b`` of float arrays to ~1 ulp of the result (Dekker's two-products)."""
    def two_product(x, y):
        p = x * y
        xh, xl = _split(x)
        yh, yl = _split(y)
        return p, ((xh * yh - p) + xh * yl + xl * yh) + xl * yl
    p, pe = two_product(m, a)
    q, qe = two_product(k, b)
    return (p - q) + (pe - qe)


def _log_rising(x, m):
    """``gammaln(x + m) - gammaln(x) - m log x`` (``x > 0``, ``m`` a plain count); from
    ``x = 10`` by Stirling's series, ``x (log1pmx(v) + v log1p(v)) - log1p(v) / 2 + S(x +
    m) - S(x)``, ``v = m / x``, whose slope in ``x`` is a sum of ``O(m**2 / x**2)`` terms
    (SciPy's psi(x + m) - psi(x) - m / x, ~log x each, lost them)."""
    xv = values(x)
    big = xv >= _STIRLING_FROM
    sc = _sc()
    if not np.all(big):
        xs = np.where(big, _STIRLING_FROM, x)
        small = sc.gammaln(xs + m) - sc.gammaln(xs) - m * np.log(xs)
        if not np.any(big):
            return small
    xb = x if np.all(big) else np.where(big, x, _STIRLING_FROM)
    v = m / xb
    ones = np.ones(np.shape(values(v)), dtype=bool)
    large = (xb * (_log1p_minus(v, ones) + v * np.log1p(v)) - 0.5 * np.log1p(v)
             + (_stirling_rest(xb + m) - _stirling_rest(xb)))
    return large if np.all(big) else np.where(big, large, small)


def _betabinom_rests(k, m, a, b, r):
    """``betaln(k + a, m + b) - betaln(a, b)`` less the constant ``k log(k / n) + m log(m
    / n)`` (``n = k + m``, plain counts): ``k log1pmx(R / (k s)) + m log1pmx(-R / (m s))``
    (the log of ``(a / s)**k (b / s)**m``, whose linear terms sum to 0; both arguments
    above -1; where either leaves (-1/2, 1/2), the plain ``k log a + m log b - n log s``,
    ``n log1p(-a / s)`` at k = 0, ``n log1p(-b / s)`` at m = 0) plus the three
    rising factorials' rests (:func:`_log_rising`), ``s = a + b``, ``R = n a - k s = m a
    - k b`` with its value to an ulp (``r``): the a-slope ``psi(k + a) - psi(n + s) -
    psi(a) + psi(s)`` cancelled (8.4e-9 relative at a = 1e12; all digits at a = b =
    1e12, n = 30, k = 15: nan56 Left) where this one's terms are proportional to R or
    ``O(n**2 / a**2)``."""
    s = a + b
    naive = m * a - k * b
    d = naive + (r - values(naive))
    k1, m1 = np.where(k > 0, k, 1.0), np.where(m > 0, m, 1.0)
    u1, u2 = d / (k1 * s), -d / (m1 * s)
    with np.errstate(all="ignore"):
        near = (np.abs(values(u1)) < 0.5) & (np.abs(values(u2)) < 0.5) & (k > 0) & (m > 0)
    lead = None
    if np.any(near):
        lead = k * _log1p_minus(u1, near) + m * _log1p_minus(u2, near)
    if not np.all(near):        # farther out 1 + u rounds (near -1): the plain logs,
        sc = _sc()              # their slopes k / a - n / s then not cancelling
        av, bv = values(a), values(b)
        # log(b / s) at k = 0 as log1p(-a / s) where a < b, else log b - log s (each
        # slope then free of 1 - a / s's rounding); log(a / s) at m = 0 likewise
        far = np.where(k == 0, (k + m) * np.where(av < bv, np.log1p(-a / s),
                                                  np.log(b) - np.log(s)),
                       np.where(m == 0, (k + m) * np.where(bv < av, np.log1p(-b / s),
                                                           np.log(a) - np.log(s)),
                                k * np.log(a) + m * np.log(b) - (k + m) * np.log(s)))
        with np.errstate(all="ignore"):
            far = far - (sc.xlogy(k, k / (k + m)) + sc.xlogy(m, m / (k + m)))
        lead = far if lead is None else np.where(near, lead, far)
    return lead + _log_rising(a, k) + _log_rising(b, m) - _log_rising(s, k + m)


class _Geom(Discrete):
    shapes = ("p",)
    support = (1.0, np.inf)

    def argcheck(self, p):
        return (p <= 1) & (p > 0)

    def _pmf(self, k, p):
        return np.power(1 - p, k - 1) * p

    def _logpmf(self, k, p):
        return _sc().xlog1py(k - 1, -p) + np.log(p)

    def _cdf(self, x, p):
        return -np.expm1(np.log1p(-p) * np.floor(x))

    def _sf(self, x, p):
        return np.exp(np.floor(x) * np.log1p(-p))

    def _logsf(self, x, p):
        return np.floor(x) * np.log1p(-p)


poisson = _Poisson("poisson")
binom = _Binom("binom")
nbinom = _Nbinom("nbinom")
geom = _Geom("geom")
bernoulli = _Bernoulli("bernoulli")
betabinom = _Betabinom("betabinom")
