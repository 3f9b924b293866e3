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
from ._continuous import _beta_log_large, _gamma_log_large

__all__ = ["poisson", "binom", "nbinom", "geom", "bernoulli", "betabinom"]

_COUNT = "{} is a count: the probabilities have no derivative in it"


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
        sc = _sc()
        coeff = sc.gammaln(n + x) - sc.gammaln(x + 1) - sc.gammaln(n)
        return coeff + n * np.log(p) + sc.xlog1py(x, -p)

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
        return combiln + sc.betaln(k + a, n - k + b) - sc.betaln(a, b)


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
