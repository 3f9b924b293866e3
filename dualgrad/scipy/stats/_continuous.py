"""The continuous distributions: SciPy 1.17's private formulas (``_logpdf`` ...,
standardized: ``z = (x - loc) / scale``) written with the rule table's functions.

SciPy's distribution functions (``stdtr``, ``betaincc``, the inverses
``gammaincinv`` ..., Boost's ``_beta_ppf`` and ``_cauchy_ppf``) are rows of the rule
table: their derivative in ``x`` or ``q`` (the density, one over it for a quantile)
is written there.  A cdf's derivative in a shape parameter has no closed form:
``gammainc``'s in ``a`` (gamma, chi2: cdf, sf, ppf, isf and their logs) is the
table's ``gammainc_da`` (a series or a continued fraction, stats45), ``betainc``'s in
``a, b`` (beta) its ``betainc_da`` / ``betainc_db`` (a continued fraction); ``stdtr``'s
in ``df`` (t) is written through those (misc47; past df = 1000 Fisher's expansion in
1 / df where ``t**4 < 2 df``, NaN beyond: nan53).
"""

import numpy as np

from ...dispatch._lift import Dual, scipy_special, traced
from ._base import Continuous, scipys_value, values as _plain

__all__ = ["norm", "lognorm", "expon", "gamma", "beta", "t", "cauchy", "logistic",
           "laplace", "uniform", "chi2", "pareto", "weibull_min", "truncnorm"]

_C = np.sqrt(2 * np.pi)
_LOG_C = np.log(_C)
_LOG_PI = np.log(np.pi)


def _sc():
    return scipy_special("dualgrad.scipy.stats")


def _scu():
    import scipy.special._ufuncs as scu
    return scu


# ---- the gamma and beta log densities at large shapes (stats46) -----------------------
# SciPy's xlogy(a - 1, z) - z - gammaln(a) has the slope log z - psi(a) in a, two numbers
# near log a whose difference near the mode is ~1 / (2 a): it lost ~a ulps (1.3e-9
# relative at a = 1e6, 1.8e-5 at 1e10; attack45 L2), and the value ~|a log a| ulps.
# From a = 10 the density is written with Stirling's series for gammaln instead,
# log Gamma(a) = (a - 1/2) log a - a + log(2 pi) / 2 + S(a), S(a) = sum_k B_2k / (2k (2k - 1)
# a**(2k - 1)), and the two O(a) terms a log(z / a) - (z - a) as a (log1p(u) - u), u = (z -
# a) / a (z - a exact near the mode): each term's slope is then O(u) or O(1 / a).

_LN2 = 0.6931471805599453
_HALF_LOG_2PI = 0.9189385332046728
_STIRLING_FROM = 10.0


def _binet_coefficients(terms=10):
    """``B_2k / (2k (2k - 1))``, k = 1 .. terms: Stirling's series for ``gammaln``
    (through ``a**-19``: below 1e-18 of the value from ``a = 10``)."""
    from fractions import Fraction
    bernoulli = [Fraction(1, 6), Fraction(-1, 30), Fraction(1, 42), Fraction(-1, 30),
                 Fraction(5, 66), Fraction(-691, 2730), Fraction(7, 6), Fraction(-3617, 510),
                 Fraction(43867, 798), Fraction(-174611, 330)]
    return [float(b / (2 * k * (2 * k - 1))) for k, b in enumerate(bernoulli[:terms], 1)]


def _stirling_rest(a):
    """``S(a) = gammaln(a) - (a - 1/2) log a + a - log(2 pi) / 2`` for ``a >= 10``."""
    coeffs = _binet_coefficients()
    series = coeffs[-1]
    for c in reversed(coeffs[:-1]):
        series = c + series / (a * a)
    return series / a


def _log1p_minus(u, near):
    """``log1p(u) - u`` where ``near`` (``|u| < 1``), by Cephes' ``log1pmx``, whose
    row's slope ``-u / (1 + u)`` does not cancel as log1p's ``1 / (1 + u) - 1`` does
    for small ``u``; ``None`` where no element is near."""
    if not np.any(near):
        return None
    return _scu()._log1pmx(u if np.all(near) else np.where(near, u, 0.0))


def _choose(near, a, b):
    """``np.where(near, a(), b())``, each branch computed only where some element takes it."""
    if np.all(near):
        return a()
    if not np.any(near):
        return b()
    return np.where(near, a(), b())


def _gamma_log_large(z, a):
    """``(big, large)``: where ``big`` (``a >= 10``, ``0 < z < inf``), ``large`` is the
    gamma log density ``(a - 1) log z - z - gammaln(a)`` written as ``a (log1p(u) - u) -
    log z + log(a) / 2 - log(2 pi) / 2 - S(a)``, ``u = (z - a) / a``; its slope in ``a`` is
    ``log1p(u) + 1 / (2 a) - S'(a) = log z - psi(a)`` with no term cancelling.
    ``large`` is ``None`` where no element is big."""
    av, zv = _plain(a), _plain(z)
    if np.iscomplexobj(av) or np.iscomplexobj(zv):
        return None, None
    big = (av >= _STIRLING_FROM) & np.isfinite(av) & (zv > 0) & np.isfinite(zv)
    if not np.any(big):
        return big, None
    sa, sz = (a, z) if np.all(big) else (np.where(big, a, _STIRLING_FROM),
                                         np.where(big, z, _STIRLING_FROM))
    u = (sz - sa) / sa
    uv = _plain(u)
    near = np.abs(uv) < 0.5                 # (z - a exact: z >= a / 2)
    # far from the mode a log(z / a) - (z - a): the slope's -1 + 1 is then small beside
    # |log(z / a)| >= log 1.5 (a (log1p(u) - u)'s slope had -u + u there); log(z / a)
    # as log1p(u) above the mode, log(z / a) below it (u rounds to -1 for z << a: -inf)
    def far():
        ratio = np.where(uv > 0.0, 1.0, sz / sa)
        rv = _plain(ratio)
        # the ratio's d/da -ratio / a must not underflow (a >~ 1e100, tiny z), nor the
        # ratio itself: there log z - log a, whose partials cannot
        safe = (rv > 1e-290) & (rv / _plain(sa) > 1e-290)
        below = np.where(safe, np.log(np.where(safe, ratio, 1.0)), np.log(sz) - np.log(sa))
        return sa * np.where(uv > 0.0, np.log1p(np.where(uv > 0.0, u, 0.0)), below) - (sz - sa)
    kernel = _choose(near, lambda: sa * _log1p_minus(u, near), far)
    large = kernel - np.log(sz) + 0.5 * np.log(sa) - _HALF_LOG_2PI - _stirling_rest(sa)
    return big, large


def _split(x):
    c = 134217729.0 * x
    hi = c - (c - x)
    return hi, x - hi


def _offset(z, a, b):
    """``z (a + b) - a`` of float arrays to ~1 ulp of the result (Knuth's two-sum for
    ``a + b``, Dekker's two-product for ``z (a + b)``): near the beta mode ``z ~ a / (a +
    b)`` the naive difference has an error of ~1 ulp of ``a``."""
    s = a + b
    bb = s - a
    s_err = (a - (s - bb)) + (b - bb)
    p = z * s
    zh, zl = _split(z)
    sh, sl = _split(s)
    p_err = ((zh * sh - p) + zh * sl + zl * sh) + zl * sl
    return (p - a) + (p_err + z * s_err)


def _beta_log_large(z, a, b):
    """``(big, large)``: where ``big`` (``a, b >= 10``, ``0 < z < 1`` and ``z`` near the
    mode: ``|D| < a / 2`` and ``< b / 2`` with ``D = z (a + b) - a`` to an ulp,
    :func:`_offset`) the beta log density by Stirling's series for the three gammaln
    of betaln: ``a log(z (a + b) / a) + b log((1 - z) (a + b) / b)`` is ``a log1pmx(D /
    a) + b log1pmx(-D / b)`` (the linear terms sum to 0), plus ``-log z - log1p(-z) +
    log(a b / (a + b)) / 2 - log(2 pi) / 2 - S(a) - S(b) + S(a + b)``: the slope in
    ``a``, ``log z - psi(a) + psi(a + b)``, has no term cancelling (SciPy's form lost ~a
    ulps near the mode).  Farther out SciPy's form, whose slopes are then large beside
    its errors (the series form's far branch lost the Hessian's psi'(a + b) - psi'(a)
    to ~a / b ulps at a >> b)."""
    av, bv, zv = _plain(a), _plain(b), _plain(z)
    if np.iscomplexobj(av) or np.iscomplexobj(bv) or np.iscomplexobj(zv):
        return None, None
    with np.errstate(all="ignore"):
        big = ((av >= _STIRLING_FROM) & (bv >= _STIRLING_FROM) & np.isfinite(av)
               & np.isfinite(bv) & (zv > 0) & (zv < 1))
        if not np.any(big):
            return big, None
        dv = _offset(np.where(big, zv, 0.5), np.where(big, av, 1.0), np.where(big, bv, 1.0))
        big = big & (np.abs(dv) < 0.5 * av) & (np.abs(dv) < 0.5 * bv)
    if not np.any(big):
        return big, None
    return big, _beta_near(z, a, b, big)


def _beta_near(z, a, b, big):
    if np.all(big):
        sa, sb, sz = a, b, z
    else:
        sa, sb, sz = (np.where(big, a, _STIRLING_FROM), np.where(big, b, _STIRLING_FROM),
                      np.where(big, z, 0.5))
    s = sa + sb
    naive = sz * s - sa
    d = naive + (_offset(_plain(sz), _plain(sa), _plain(sb)) - _plain(naive))
    ones = np.ones(np.shape(_plain(d)), dtype=bool)
    kernel = sa * _log1p_minus(d / sa, ones) + sb * _log1p_minus(-d / sb, ones)
    large = (kernel - np.log(sz) - np.log1p(-sz) + 0.5 * (np.log(sa) + np.log(sb) - np.log(s))
             - _HALF_LOG_2PI - _stirling_rest(sa) - _stirling_rest(sb) + _stirling_rest(s))
    return large


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
    scipys_bits = ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")

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
    scipys_bits = ("cdf", "sf", "ppf", "isf")      # gammainc ... themselves

    def _rewritten(self, method, shapes):           # Stirling's form from a = 10
        return method not in ("logpdf", "pdf") or bool(np.any(_plain(shapes[0]) >= _STIRLING_FROM))

    def _logpdf(self, z, a):
        sc = _sc()
        big, large = _gamma_log_large(z, a)
        if large is not None and np.all(big):
            return large
        small = sc.xlogy(a - 1.0, z) - z - sc.gammaln(a)
        return small if large is None else np.where(big, large, small)

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
    scipys_bits = ("cdf", "sf", "ppf")      # betainc, betaincc, Boost's ppf themselves

    def _rewritten(self, method, shapes):   # Stirling's form from a, b = 10 (the pdf is
        if method != "logpdf":              # Boost's in SciPy, exp(logpdf) here)
            return True
        return bool(np.any(np.minimum(_plain(shapes[0]), _plain(shapes[1])) >= _STIRLING_FROM))

    def _logpdf(self, z, a, b):
        sc = _sc()
        big, large = _beta_log_large(z, a, b)
        if large is not None and np.all(big):
            return large
        small = sc.xlog1py(b - 1.0, -z) + sc.xlogy(a - 1.0, z) - sc.betaln(a, b)
        return small if large is None else np.where(big, large, small)

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
    shapes = ("df",)           # (a dual df: stdtr's / stdtrit's rows since misc47)

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
    scipys_bits = ("cdf", "sf", "ppf", "isf")      # chdtr ... themselves

    def _rewritten(self, method, shapes):           # Stirling's form from df = 20
        return method not in ("logpdf", "pdf") or \
            bool(np.any(0.5 * _plain(shapes[0]) >= _STIRLING_FROM))

    def _logpdf(self, z, df):
        sc = _sc()
        big, large = _gamma_log_large(0.5 * z, 0.5 * df)
        if large is not None and np.all(big):
            return large - _LN2
        small = sc.xlogy(df / 2. - 1, z) - z / 2. - sc.gammaln(df / 2.) - (np.log(2) * df) / 2.
        return small if large is None else np.where(big, large - _LN2, small)

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


_CAUCHY_TAIL = 1e3      # cauchy's tail forms from |z| = 1e3 (~2-4x a call's cost); below it
# the mixed second level's rounding, ~eps z**2 relative, stays under ~1e-10


class _Cauchy(_Symmetric):
    scipys_bits = ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")

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

    def _formula(self, method, x, shapes, loc, scale):
        """Continuous's; past |z| = 1e3 the cdf / sf / logcdf / logsf partials are the
        tails' forms in ``w = scale / |x - loc|``: ``arctan(w) / pi`` and ``1 -
        arctan(w) / pi``, the logs' small side ``-log(pi) + log(scale) - log|x - loc| +
        log(arctan(w) / w)`` (the last by its series to w**8: w < 1e-3), values SciPy's
        bits.
        Through ``z = (x - loc) / scale``, the arctan2 row's ``1 / (1 + z**2)``
        underflows past |z| ~ 1e154 beside ``dz / dscale = -z / scale`` (the cdf's scale
        slope 0.0 for 3.18e-171, logcdf's gradient [0, -0, 0] for [1e-170, -1e-170, 1]
        at x = -1e170: attack57 02), and the second level's mixed partials cancel two
        terms ~1 / (z scale**2) to ~scale / z**3 (d2 logcdf / dx dscale 36 % off at x =
        -1e8, the wrong sign at -1e10: attack58 08); ``log|x - loc|`` and ``log(scale)``
        have none."""
        f = super()._formula(method, x, shapes, loc, scale)
        if method not in ("cdf", "sf", "logcdf", "logsf") or not (
                isinstance(x, Dual) or isinstance(loc, Dual) or isinstance(scale, Dual) or
                traced(x) or traced(loc) or traced(scale)):
            return f
        with np.errstate(all="ignore"):
            dv, tv = _plain(x) - _plain(loc), _CAUCHY_TAIL * _plain(scale)
            if not (np.abs(dv) > tv).any():            # (one test on ordinary calls)
                return f
            left, right = dv < -tv, dv > tv
            far = left | right
            dist = np.where(left, loc - x, np.where(right, x - loc, 1.0))   # |x - loc|
            w = scale / dist
            small_side = left if method in ("cdf", "logcdf") else right
            if method in ("cdf", "sf"):
                tail = np.where(small_side, np.arctan(w) / np.pi, 1.0 - np.arctan(w) / np.pi)
            else:
                w2 = w * w
                log_small = (np.log(scale) - np.log(dist) - _LOG_PI
                             + np.log1p(w2 * (-1 / 3 + w2 * (1 / 5 + w2 * (-1 / 7 + w2 / 9)))))
                tail = np.where(small_side, log_small, np.log1p(-np.arctan(w) / np.pi))
            return scipys_value(np.where(far, tail, f), _plain(f))

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
    scipys_bits = ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")

    kinks = (0.0,)                  # its cusp at loc

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
        direct = c * np.power(z, c - 1) * np.exp(-np.power(z, c))
        # near z = 0 as exp(logpdf) where z**(c - 1)'s partial (c - 1) z**(c - 2)
        # overflows (inf for -2.5e149 in d/ds at z = 1e-300, c = 1/2; attack57 04): the
        # log's (c - 1) / z times z's partial does not; the value SciPy's (scipys_value)
        zv, cv = _plain(z), _plain(c)
        with np.errstate(all="ignore"):
            near = (zv > 0) & (zv < 1) & ((2.0 - cv) * -np.log(zv) > 700.0)   # (c < 2:
        #                         not z > 1 with a large c, where SciPy's value is inf * 0)
        if not np.any(near):
            return direct
        return np.where(near, np.exp(self._logpdf(z, c)), direct)

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
    scipys_bits = ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")

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
