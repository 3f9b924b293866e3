"""The discrete distributions: SciPy 1.17's private ``_logpmf`` formulas with the
rule table's functions; ``cdf`` / ``sf`` SciPy's value with the derivative in the
continuous parameter (``mu``, ``p``) in closed form (a pmf of the neighbouring
distribution).  Counts (``k``, binom's ``n``) are plain; nbinom's real ``n`` has a
derivative in ``pmf`` / ``logpmf`` (gammaln), not in ``cdf`` / ``sf`` (betainc's
derivative in its first argument has no closed form: a named TypeError).
"""

import numpy as np

from .._lift import scipy_special
from ._base import Discrete, lift

__all__ = ["poisson", "binom", "nbinom", "geom", "bernoulli", "betabinom"]

_COUNT = "{} is a count: the probabilities have no derivative in it"
_CDF_N = ("nbinom's cdf / sf is betainc(n, k + 1, p), whose derivative in n has no closed "
          "form and no row in dualgrad's rule table")


def _sc():
    return scipy_special("dualgrad.scipy.stats")


def _scu():
    import scipy.special._ufuncs as scu
    return scu


def _ratio(k, p):
    """``k / p``, 0 where the plain count ``k`` is 0 (also at ``p = 0``: xlogy's
    convention, the limit of the pmf's slope there)."""
    return np.where(k == 0, 0.0, k / np.where(k == 0, 1.0, p))


class _Poisson(Discrete):
    shapes = ("mu",)

    def argcheck(self, mu):
        return mu >= 0

    def _logpmf(self, k, mu):
        sc = _sc()
        return sc.xlogy(k, mu) - sc.gammaln(k + 1) - mu

    def _cdf(self, k, mu):
        k = np.floor(k)
        return lift("dualgrad.scipy.stats.poisson.cdf", lambda mu: _sc().pdtr(k, mu),
                    lambda out, mu: (-np.exp(self._logpmf(k, mu)),), mu)

    def _sf(self, k, mu):
        k = np.floor(k)
        return lift("dualgrad.scipy.stats.poisson.sf", lambda mu: _sc().pdtrc(k, mu),
                    lambda out, mu: (np.exp(self._logpmf(k, mu)),), mu)


class _Binom(Discrete):
    shapes = ("n", "p")
    refused = {("*", 0): _COUNT.format("binom's n")}

    def argcheck(self, n, p):
        return (n >= 0) & (n == np.floor(n)) & (p >= 0) & (p <= 1)

    def get_support(self, n, p):
        return 0.0, n

    def _logpmf(self, x, n, p):
        sc = _sc()
        k = np.floor(x)
        combiln = sc.gammaln(n + 1) - (sc.gammaln(k + 1) + sc.gammaln(n - k + 1))
        return combiln + sc.xlogy(k, p) + sc.xlog1py(n - k, -p)

    def _pmf(self, x, n, p):
        # SciPy's value (Boost's binomial pmf); d/dp = pmf (k / p - (n - k) / (1 - p))
        def slopes(out, p):
            return (out * (_ratio(k, p) - _ratio(n - k, 1.0 - p)),)
        k = np.floor(x)
        return lift("dualgrad.scipy.stats.binom.pmf", lambda p: _scu()._binom_pmf(x, n, p),
                    slopes, p)

    def _cdf(self, x, n, p):
        k = np.floor(x)
        return lift("dualgrad.scipy.stats.binom.cdf", lambda p: _scu()._binom_cdf(k, n, p),
                    lambda out, p: (-n * np.exp(_Binom._logpmf(self, k, n - 1.0, p)),), p)

    def _sf(self, x, n, p):
        k = np.floor(x)
        return lift("dualgrad.scipy.stats.binom.sf", lambda p: _scu()._binom_sf(k, n, p),
                    lambda out, p: (n * np.exp(_Binom._logpmf(self, k, n - 1.0, p)),), p)


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
    refused = {("cdf", 0): _CDF_N, ("sf", 0): _CDF_N}

    def argcheck(self, n, p):
        return (n > 0) & (p > 0) & (p <= 1)

    def _logpmf(self, x, n, p):
        sc = _sc()
        coeff = sc.gammaln(n + x) - sc.gammaln(x + 1) - sc.gammaln(n)
        return coeff + n * np.log(p) + sc.xlog1py(x, -p)

    def _pmf(self, x, n, p):
        # SciPy's value (Boost's); d/dn = pmf (psi(n + k) - psi(n) + log p),
        # d/dp = pmf (n / p - k / (1 - p))
        def slopes(out, n, p):
            sc = _sc()
            return (out * (sc.digamma(n + x) - sc.digamma(n) + np.log(p)),
                    out * (n / p - _ratio(x, 1.0 - p)))
        return lift("dualgrad.scipy.stats.nbinom.pmf", lambda n, p: _scu()._nbinom_pmf(x, n, p),
                    slopes, n, p)

    def _slope(self, k, n, p):
        """d/dp betainc(n, k + 1, p): its integrand."""
        sc = _sc()
        return np.exp(sc.xlogy(n - 1.0, p) + sc.xlog1py(k, -p) - sc.betaln(n, k + 1.0))

    def _cdf(self, x, n, p):
        k = np.floor(x)
        return lift("dualgrad.scipy.stats.nbinom.cdf", lambda p: _scu()._nbinom_cdf(k, n, p),
                    lambda out, p: (self._slope(k, n, p),), p)

    def _sf(self, x, n, p):
        k = np.floor(x)
        return lift("dualgrad.scipy.stats.nbinom.sf", lambda p: _scu()._nbinom_sf(k, n, p),
                    lambda out, p: (-self._slope(k, n, p),), p)


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


poisson = _Poisson("poisson")
binom = _Binom("binom")
nbinom = _Nbinom("nbinom")
geom = _Geom("geom")
bernoulli = _Bernoulli("bernoulli")
betabinom = _Betabinom("betabinom")
