"""The continuous distributions: SciPy 1.17's private formulas (``_logpdf`` ...,
standardized: ``z = (x - loc) / scale``) written with the rule table's functions.

SciPy's distribution functions (``stdtr``, ``betaincc``, the inverses
``gammaincinv`` ..., Boost's ``_beta_ppf`` and ``_cauchy_ppf``) are rows of the rule
table: their derivative in ``x`` or ``q`` (the density, one over it for a quantile)
is written there.  A cdf's derivative in a shape parameter has no closed form:
``gammainc``'s in ``a`` (gamma, chi2: cdf, sf, ppf, isf and their logs) is the
table's ``gammainc_da`` (a series or a continued fraction, stats45), ``betainc``'s in
``a, b`` (beta) its ``betainc_da`` / ``betainc_db`` (a continued fraction); ``stdtr``'s
in ``df`` has no table row: a dual there raises a named TypeError.
"""

import numpy as np

from .._lift import scipy_special
from ._base import Continuous, values as _plain

__all__ = ["norm", "lognorm", "expon", "gamma", "beta", "t", "cauchy", "logistic",
           "laplace", "uniform", "chi2", "pareto", "weibull_min", "truncnorm"]

_C = np.sqrt(2 * np.pi)
_LOG_C = np.log(_C)
_LOG_PI = np.log(np.pi)
_CDF_SHAPE = ("its derivative in {0} needs {1}'s derivative in {0}, which has no closed "
              "form and no row in dualgrad's rule table")


def _sc():
    return scipy_special("dualgrad.scipy.stats")


def _scu():
    import scipy.special._ufuncs as scu
    return scu


class _Symmetric(Continuous):
    """A standard distribution symmetric about 0: ``sf(z) = cdf(-z)``, ``logsf(z) =
    logcdf(-z)``, ``isf(q) = -ppf(q)``, written once (SciPy's own formulas for these:
    norm's ``ndtr(-z)``, logistic's ``expit(-z)``, t's ``stdtr(df, -z)``, laplace's
    ``_cdf(-x)`` ...; where a subclass keeps rv_continuous's default ``_logcdf``, its
    ``logcdf(-z)`` is the default ``_logsf`` term for term: the median is 0)."""

    def _sf(self, z, *shapes):
        return self._cdf(-z, *shapes)

    def _logsf(self, z, *shapes):
        return self._logcdf(-z, *shapes)

    def _isf(self, q, *shapes):
        return -self._ppf(q, *shapes)


class _Norm(_Symmetric):
    def _pdf(self, z):
        return np.exp(-z ** 2 / 2.0) / _C

    def _logpdf(self, z):
        return -z ** 2 / 2.0 - _LOG_C

    def _cdf(self, z):
        return _sc().ndtr(z)

    def _logcdf(self, z):
        return _sc().log_ndtr(z)

    def _ppf(self, q):
        return _sc().ndtri(q)


class _Lognorm(Continuous):
    shapes = ("s",)
    support = (0.0, np.inf)
    open_support = True

    def _logpdf(self, z, s):
        return -np.log(z) ** 2 / (2 * s ** 2) - np.log(s * z * np.sqrt(2 * np.pi))

    def _pdf(self, z, s):
        return np.exp(self._logpdf(z, s))

    # SciPy's: the normal's functions of log(z) / s (its quantiles exp(s ...))
    def _cdf(self, z, s):
        return norm._cdf(np.log(z) / s)

    def _logcdf(self, z, s):
        return norm._logcdf(np.log(z) / s)

    def _sf(self, z, s):
        return norm._sf(np.log(z) / s)

    def _logsf(self, z, s):
        return norm._logsf(np.log(z) / s)

    def _ppf(self, q, s):
        return np.exp(s * norm._ppf(q))

    def _isf(self, q, s):
        return np.exp(s * norm._isf(q))


class _Expon(Continuous):
    support = (0.0, np.inf)

    def _pdf(self, z):
        return np.exp(-z)

    def _logpdf(self, z):
        return -z

    def _cdf(self, z):
        return -np.expm1(-z)

    def _sf(self, z):
        return np.exp(-z)

    def _logsf(self, z):
        return -z

    def _ppf(self, q):
        return -np.log1p(-q)

    def _isf(self, q):
        return -np.log(q)


class _Gamma(Continuous):
    shapes = ("a",)
    support = (0.0, np.inf)

    def _logpdf(self, z, a):
        sc = _sc()
        return sc.xlogy(a - 1.0, z) - z - sc.gammaln(a)

    def _pdf(self, z, a):
        return np.exp(self._logpdf(z, a))

    def _cdf(self, z, a):
        return _sc().gammainc(a, z)

    def _sf(self, z, a):
        return _sc().gammaincc(a, z)

    def _ppf(self, q, a):
        return _sc().gammaincinv(a, q)

    def _isf(self, q, a):
        return _sc().gammainccinv(a, q)


class _Beta(Continuous):
    shapes = ("a", "b")
    support = (0.0, 1.0)

    def _logpdf(self, z, a, b):
        sc = _sc()
        return sc.xlog1py(b - 1.0, -z) + sc.xlogy(a - 1.0, z) - sc.betaln(a, b)

    def _pdf(self, z, a, b):
        return np.exp(self._logpdf(z, a, b))

    def _cdf(self, z, a, b):
        return _sc().betainc(a, b, z)

    def _sf(self, z, a, b):
        return _sc().betaincc(a, b, z)

    def _ppf(self, q, a, b):
        return _scu()._beta_ppf(q, a, b)

    def _isf(self, q, a, b):
        return _sc().betainccinv(a, b, q)


def t_log_constant(df, dim):
    """``log(Gamma((df + dim) / 2) / Gamma(df / 2)) - dim / 2 log(df pi)``, the log of
    the (multivariate) t density's constant without the shape's determinant.

    Below df = 20 SciPy's ``gammaln`` / ``betaln`` form.  From 20 the differences of
    ``gammaln`` lose ~|lgamma(df / 2)| ulps (2e-10 at df = 1e6) and their df slope
    ``psi(a + h) - psi(a)`` cancels, so with ``a = df / 2``, ``h = dim / 2 = m (+ 1/2)``:
    ``-h log(2 pi) + sum_(j < m) log1p((j [+ 1/2]) / a)`` (the ratio of Gammas a product),
    plus for odd ``dim`` the rule table's Stirling series ``S(a) = log(Gamma(a + 1/2) /
    Gamma(a)) - log(a) / 2``: no term cancels."""
    from ...rules._table import t_stirling_coefficients
    sc = _sc()
    dv = _plain(df)
    big = np.real(dv) >= 20.0
    a = 0.5 * np.where(big, df, 20.0)
    half = 0.5 if dim % 2 else 0.0
    large = dim * -0.9189385332046728           # -dim / 2 log(2 pi)
    for j in range(dim // 2):
        large = large + np.log1p((j + half) / a)
    if dim % 2:
        coeffs = t_stirling_coefficients()
        series = coeffs[-1]
        for c in reversed(coeffs[:-1]):
            series = c + series / (a * a)
        large = large + series / a
    if dim == 1:                # SciPy's t: log(poch(df / 2, 1 / 2)) by betaln
        small = 0.5723649429247001 - sc.betaln(0.5 * df, 0.5)
    else:
        small = sc.gammaln(0.5 * (df + dim)) - sc.gammaln(0.5 * df)
    return np.where(big, large, small - dim / 2.0 * (np.log(df) + _LOG_PI))


def t_kernel(q, df, dim):
    """``-(df + dim) / 2 log1p(q / df)``, the t density's kernel at the squared
    (Mahalanobis) distance ``q``: below ``u = q / df = 0.05`` as ``-(q / 2) (1 + dim / df)
    log1p(u) / u`` with ``log1p(u) / u`` by its series, as the direct form's df slope
    ``-log1p(u) / 2 + (df + dim) u / (2 df (1 + u))`` cancels to O(1 / df**2) (1.7e-2
    relative off at df = 1e14); each of the series form's terms is O(1 / df**2)."""
    u = q / df
    small = np.real(_plain(u)) < 0.05
    us = np.where(small, u, 0.0)
    ratio = 1.0 / 15.0                       # log1p(u) / u = sum_k (-u)**k / (k + 1)
    for k in range(13, -1, -1):
        ratio = 1.0 / (k + 1) - us * ratio
    return np.where(small, -q * 0.5 * (1.0 + dim / df) * ratio,
                    -(df + dim) / 2 * np.log1p(u))


class _T(_Symmetric):
    shapes = ("df",)
    refused = {(m, 0): _CDF_SHAPE.format("df", "stdtr (betainc)")
               for m in ("cdf", "logcdf", "sf", "logsf", "ppf", "isf")}

    def _logpdf(self, z, df):
        dv = _plain(df)
        out = t_log_constant(df, 1) + t_kernel(z * z, df, 1)
        return np.where(np.isposinf(dv), -z ** 2 / 2.0 - _LOG_C, out)

    def _pdf(self, z, df):
        return np.exp(self._logpdf(z, df))

    def _cdf(self, z, df):
        return _sc().stdtr(df, z)

    def _ppf(self, q, df):
        return _sc().stdtrit(df, q)


class _Chi2(Continuous):
    shapes = ("df",)
    support = (0.0, np.inf)

    def _logpdf(self, z, df):
        sc = _sc()
        return sc.xlogy(df / 2. - 1, z) - z / 2. - sc.gammaln(df / 2.) - (np.log(2) * df) / 2.

    def _pdf(self, z, df):
        return np.exp(self._logpdf(z, df))

    def _cdf(self, z, df):
        return _sc().chdtr(df, z)

    def _sf(self, z, df):
        return _sc().chdtrc(df, z)

    def _ppf(self, q, df):
        return 2 * _sc().gammaincinv(df / 2, q)

    def _isf(self, q, df):
        return _sc().chdtri(df, q)


class _Pareto(Continuous):
    shapes = ("b",)
    support = (1.0, np.inf)

    def _pdf(self, z, b):
        return b * z ** (-b - 1)

    def _cdf(self, z, b):
        return 1 - z ** (-b)

    def _ppf(self, q, b):
        return (1 - q) ** (-1.0 / b)

    def _sf(self, z, b):
        return z ** (-b)

    def _isf(self, q, b):
        return np.power(q, -1.0 / b)


class _Cauchy(_Symmetric):
    def _pdf(self, z):
        return 1.0 / np.pi / (1.0 + z * z)

    def _logpdf(self, z):
        absz = np.abs(z)
        near = np.abs(_plain(z)) < 1
        with np.errstate(divide="ignore"):
            return np.where(near, -_LOG_PI - np.log1p(absz ** 2),
                            -_LOG_PI - (2 * np.log(absz) + np.log1p((1 / absz) ** 2)))

    def _cdf(self, z):
        return np.arctan2(1, -z) / np.pi

    def _ppf(self, q):
        return _scu()._cauchy_ppf(q, 0, 1)

    def _isf(self, q):          # Boost's own isf (not -ppf: SciPy's bits)
        return _scu()._cauchy_isf(q, 0, 1)


class _Logistic(_Symmetric):
    def _logpdf(self, z):
        y = -np.abs(z)
        return y - 2.0 * np.log1p(np.exp(y))

    def _pdf(self, z):
        return np.exp(self._logpdf(z))

    def _cdf(self, z):
        return _sc().expit(z)

    def _logcdf(self, z):
        return _sc().log_expit(z)

    def _ppf(self, q):
        return _sc().logit(q)


class _Laplace(_Symmetric):
    def _pdf(self, z):
        return 0.5 * np.exp(-np.abs(z))

    def _cdf(self, z):
        return np.where(_plain(z) > 0, 1.0 - 0.5 * np.exp(-z), 0.5 * np.exp(z))

    def _ppf(self, q):
        return np.where(_plain(q) > 0.5, -np.log(2 * (1 - q)), np.log(2 * q))


class _WeibullMin(Continuous):
    shapes = ("c",)
    support = (0.0, np.inf)

    def _pdf(self, z, c):
        return c * np.power(z, c - 1) * np.exp(-np.power(z, c))

    def _logpdf(self, z, c):
        return np.log(c) + _sc().xlogy(c - 1, z) - np.power(z, c)

    def _cdf(self, z, c):
        return -np.expm1(-np.power(z, c))

    def _ppf(self, q, c):
        return np.power(-np.log1p(-q), 1.0 / c)

    def _sf(self, z, c):
        return np.exp(self._logsf(z, c))

    def _logsf(self, z, c):
        return -np.power(z, c)

    def _isf(self, q, c):
        return (-np.log(q)) ** (1 / c)


def _log_diff(log_p, log_q):
    """``log(exp(log_p) - exp(log_q))`` for ``log_p >= log_q``: SciPy's ``_log_diff``
    (a complex logsumexp, whose real part this is)."""
    return log_p + np.log(-np.expm1(log_q - log_p))


def _log_gauss_mass(a, b):
    """SciPy's ``_log_gauss_mass``: the log of the normal mass in ``(a, b)``, by its
    three cases read from the values (the left tail, the right tail by symmetry, and
    ``log1p(-ndtr(a) - ndtr(-b))`` across 0)."""
    sc = _sc()
    av, bv = _plain(a), _plain(b)
    left = _log_diff(sc.log_ndtr(b), sc.log_ndtr(a))
    right = _log_diff(sc.log_ndtr(-a), sc.log_ndtr(-b))
    central = np.log1p(-sc.ndtr(a) - sc.ndtr(-b))
    return np.where(bv <= 0, left, np.where(av > 0, right, central))


class _Truncnorm(Continuous):
    shapes = ("a", "b")
    support_shapes = True

    def argcheck(self, a, b):
        return a < b

    def get_support(self, a, b):
        return a, b

    def _logpdf(self, z, a, b):
        return -z ** 2 / 2.0 - _LOG_C - _log_gauss_mass(a, b)

    def _pdf(self, z, a, b):
        return np.exp(self._logpdf(z, a, b))

    def _raw(self, z, a, b):
        mass = _log_gauss_mass(a, b)
        return _log_gauss_mass(a, z) - mass, _log_gauss_mass(z, b) - mass

    def _logcdf(self, z, a, b):
        # SciPy's: log1p(-exp(logsf)) where the log cdf is above -0.1 (its logsf is then
        # the direct difference: the two are never both above -0.1)
        lcdf, lsf = self._raw(z, a, b)
        return np.where(_plain(lcdf) > -0.1, np.log1p(-np.exp(lsf)), lcdf)

    def _logsf(self, z, a, b):
        lcdf, lsf = self._raw(z, a, b)
        return np.where(_plain(lsf) > -0.1, np.log1p(-np.exp(lcdf)), lsf)

    def _cdf(self, z, a, b):
        return np.exp(self._logcdf(z, a, b))

    def _sf(self, z, a, b):
        return np.exp(self._logsf(z, a, b))

    def _ppf(self, q, a, b):
        sc = _sc()
        mass = _log_gauss_mass(a, b)
        left = sc.ndtri_exp(np.logaddexp(sc.log_ndtr(a), np.log(q) + mass))
        right = -sc.ndtri_exp(np.logaddexp(sc.log_ndtr(-b), np.log1p(-q) + mass))
        return np.where(_plain(a) < 0, left, right)

    def _isf(self, q, a, b):
        sc = _sc()
        mass = _log_gauss_mass(a, b)
        left = sc.ndtri_exp(_log_diff(sc.log_ndtr(b), np.log(q) + mass))
        right = -sc.ndtri_exp(_log_diff(sc.log_ndtr(-a), np.log1p(-q) + mass))
        return np.where(_plain(b) < 0, left, right)


class _Uniform(Continuous):
    support = (0.0, 1.0)

    def _pdf(self, z):
        return 1.0 * (_plain(z) == (_plain(z)))

    def _cdf(self, z):
        return z

    def _ppf(self, q):
        return q


norm = _Norm("norm")
lognorm = _Lognorm("lognorm")
expon = _Expon("expon")
gamma = _Gamma("gamma")
beta = _Beta("beta")
t = _T("t")
cauchy = _Cauchy("cauchy")
chi2 = _Chi2("chi2")
pareto = _Pareto("pareto")
logistic = _Logistic("logistic")
laplace = _Laplace("laplace")
uniform = _Uniform("uniform")
weibull_min = _WeibullMin("weibull_min")
truncnorm = _Truncnorm("truncnorm")
