"""Derivatives of every ufunc in the rule table from sources that do not read the table.

Each smooth rule gets an mpmath twin of its function, written from the function's
definition (not from its derivative), and the derivative is taken numerically by
``mpmath.diff`` at 50 significant digits (:data:`DPS`: those it ran at in README's
fused half before stop 72, where a later file's ``mp.mp.dps = 50`` outlived this
module's 40), whatever the calling test's: far more accurate than float64, so a rule
that is right to rounding agrees to ~1e-15 relative and a rule off by 1e-7 cannot
pass.  A few functions whose derivative is defined rather than computed
(``nextafter`` moves by one ulp, ``ldexp`` in its integer exponent) have closed forms.

``POINTS[name]`` are fixed points per rule, inside the rule's test domain, away
from its kinks; ``derivative(name, point, k)`` is the oracle for argument ``k``.
"""

import functools

import mpmath as mp
import numpy as np
import scipy.special as sc

from dualgrad.rules import _table as _rules

_rules._load_scipy()
DPS = 50

with mp.workdps(DPS):
    _LN2 = mp.log(2)


def _trunc(t):
    return mp.floor(t) if t >= 0 else mp.ceil(t)


def _i_e(v, t):
    return mp.exp(-abs(t)) * mp.besseli(v, t)


def _t_cdf(df, t):
    """Student's t cdf: 1/2 + t Gamma((df + 1) / 2) / (sqrt(pi df) Gamma(df / 2))
    2F1(1/2, (df + 1) / 2; 3/2; -t**2 / df)."""
    return mp.mpf(1) / 2 + t * mp.gamma((df + 1) / 2) / (mp.sqrt(mp.pi * df) * mp.gamma(df / 2)) \
        * mp.hyp2f1(mp.mpf(1) / 2, (df + 1) / 2, mp.mpf(3) / 2, -t * t / df)


def _root(F, p, start):
    """The o with F(o) = p, by mpmath's secant from ``start`` (a float)."""
    return mp.findroot(lambda o: F(o) - p, mp.mpf(float(start)))


def _binom(k, n, p):
    return mp.binomial(n, k) * p ** k * (1 - p) ** (n - k)


def _nbinom(k, n, p):
    return mp.gamma(n + k) / (mp.gamma(k + 1) * mp.gamma(n)) * p ** n * (1 - p) ** k


# name -> mpmath function of the ufunc's arguments (same order as NumPy's)
MPMATH = {
    "add": lambda x, y: x + y,
    "subtract": lambda x, y: x - y,
    "multiply": lambda x, y: x * y,
    "divide": lambda x, y: x / y,
    "negative": lambda x: -x,
    "positive": lambda x: x,
    "power": lambda x, y: mp.power(x, y),
    "float_power": lambda x, y: mp.power(x, y),
    "square": lambda x: x * x,
    "reciprocal": lambda x: 1 / x,
    "sqrt": mp.sqrt,
    "cbrt": mp.cbrt,
    "absolute": lambda x: abs(x),
    "fabs": lambda x: abs(x),
    "conjugate": lambda x: x,
    "fmod": lambda x, y: x - _trunc(x / y) * y,
    "remainder": lambda x, y: x - mp.floor(x / y) * y,
    "copysign": lambda x, y: abs(x) * mp.sign(y),
    "exp": mp.exp,
    "exp2": lambda x: mp.power(2, x),
    "expm1": mp.expm1,
    "log": mp.log,
    "log2": lambda x: mp.log(x, 2),
    "log10": lambda x: mp.log10(x),
    "log1p": mp.log1p,
    "logaddexp": lambda x, y: mp.log(mp.exp(x) + mp.exp(y)),
    "logaddexp2": lambda x, y: mp.log(mp.power(2, x) + mp.power(2, y), 2),
    "sin": mp.sin, "cos": mp.cos, "tan": mp.tan,
    "arcsin": mp.asin, "arccos": mp.acos, "arctan": mp.atan,
    "arctan2": lambda x, y: mp.atan2(x, y),
    "hypot": lambda x, y: mp.hypot(x, y),
    "deg2rad": lambda x: x * mp.pi / 180, "radians": lambda x: x * mp.pi / 180,
    "rad2deg": lambda x: x * 180 / mp.pi, "degrees": lambda x: x * 180 / mp.pi,
    "sinh": mp.sinh, "cosh": mp.cosh, "tanh": mp.tanh,
    "arcsinh": mp.asinh, "arccosh": mp.acosh, "arctanh": mp.atanh,
    "maximum": lambda x, y: max(x, y), "minimum": lambda x, y: min(x, y),
    "fmax": lambda x, y: max(x, y), "fmin": lambda x, y: min(x, y),
    # scipy.special
    "erf": mp.erf, "erfc": mp.erfc,
    "erfcx": lambda x: mp.exp(x * x) * mp.erfc(x),
    "erfinv": mp.erfinv,
    # Faddeeva's w (complex valued on the real line too) and the Voigt profile from it
    "wofz": lambda z: mp.exp(-z * z) * mp.erfc(-1j * z),
    "voigt_profile": lambda x, s, g: mp.re(mp.exp(-((x + 1j * g) / (s * mp.sqrt(2))) ** 2)
                                           * mp.erfc(-1j * (x + 1j * g) / (s * mp.sqrt(2))))
                                     / (s * mp.sqrt(2 * mp.pi)),
    "erfcinv": lambda x: mp.erfinv(1 - x),
    "expit": lambda x: 1 / (1 + mp.exp(-x)),
    "logit": lambda x: mp.log(x / (1 - x)),
    "log_expit": lambda x: -mp.log1p(mp.exp(-x)),
    "ndtr": mp.ncdf,
    "log_ndtr": lambda x: mp.log(mp.ncdf(x)),
    "ndtri": lambda x: mp.sqrt(2) * mp.erfinv(2 * x - 1),
    "gamma": mp.gamma,
    "gammaln": mp.loggamma,
    "digamma": mp.digamma, "psi": mp.digamma,
    "_zeta": lambda s, q: mp.zeta(s, q),
    "xlogy": lambda x, y: x * mp.log(y),
    "xlog1py": lambda x, y: x * mp.log1p(y),
    "entr": lambda x: -x * mp.log(x),
    "j0": lambda x: mp.besselj(0, x), "j1": lambda x: mp.besselj(1, x),
    "jv": lambda v, x: mp.besselj(v, x),
    "y0": lambda x: mp.bessely(0, x), "y1": lambda x: mp.bessely(1, x),
    "yv": lambda v, x: mp.bessely(v, x),
    "i0": lambda x: mp.besseli(0, x), "i1": lambda x: mp.besseli(1, x),
    "iv": lambda v, x: mp.besseli(v, x),
    "i0e": lambda x: _i_e(0, x), "i1e": lambda x: _i_e(1, x),
    "ive": lambda v, x: _i_e(v, x),
    "gammainc": lambda a, x: mp.gammainc(a, 0, x, regularized=True),
    "gammaincc": lambda a, x: mp.gammainc(a, x, mp.inf, regularized=True),
    "betainc": lambda a, b, x: mp.betainc(a, b, 0, x, regularized=True),
    "beta": mp.beta,
    "betaln": lambda x, y: mp.log(mp.beta(x, y)),
    "rgamma": mp.rgamma,
    "yn": lambda n, x: mp.bessely(n, x),
    "k0": lambda x: mp.besselk(0, x), "k1": lambda x: mp.besselk(1, x),
    "kv": lambda v, x: mp.besselk(v, x),
    "kn": lambda n, x: mp.besselk(n, x),
    "expn": lambda n, x: mp.expint(n, x),
    # climate47: orthogonal polynomials from mpmath's own (hypergeometric) definitions
    "eval_legendre": lambda n, x: mp.legendre(n, x),
    "eval_gegenbauer": lambda n, a, x: mp.gegenbauer(n, a, x),
    "eval_chebyt": lambda n, x: mp.chebyt(n, x),
    "eval_chebyu": lambda n, x: mp.chebyu(n, x),
    # special48: mpmath's own definitions (hypergeometric; Struve's by its series, Owen's T
    # by quadrature of its integral)
    "eval_hermite": lambda n, x: mp.hermite(n, x),
    "eval_hermitenorm": lambda n, x: mp.hermite(n, x / mp.sqrt(2)) * mp.mpf(2) ** (-mp.mpf(n) / 2),
    "eval_laguerre": lambda n, x: mp.laguerre(n, 0, x),
    "eval_genlaguerre": lambda n, a, x: mp.laguerre(n, a, x),
    "eval_jacobi": lambda n, a, b, x: mp.jacobi(n, a, b, x),
    "hyp2f1": mp.hyp2f1,
    "owens_t": lambda h, a: mp.quad(lambda t: mp.exp(-h * h * (1 + t * t) / 2) / (1 + t * t),
                                    [0, a]) / (2 * mp.pi),
    "struve": mp.struveh, "modstruve": mp.struvel,
    "ellipkinc": mp.ellipf, "ellipeinc": mp.ellipe,
    # attack32 05's rows (special41)
    "loggamma": mp.loggamma,
    "exp1": mp.e1, "expi": mp.ei, "erfi": mp.erfi,
    "dawsn": lambda x: mp.sqrt(mp.pi) / 2 * mp.exp(-x * x) * mp.erfi(x),
    "ellipk": mp.ellipk, "ellipe": mp.ellipe,
    "rel_entr": lambda x, y: x * mp.log(x / y),
    "kl_div": lambda x, y: x * mp.log(x / y) - x + y,
    "huber": lambda d, r: r * r / 2 if abs(r) <= d else d * (abs(r) - d / 2),
    "pseudo_huber": lambda d, r: d * d * (mp.sqrt(1 + (r / d) ** 2) - 1),
    # stats44: the distribution functions, from their definitions (Student's t cdf by its
    # hypergeometric form, the discrete cdfs as sums of their pmfs), the quantiles as
    # mpmath's roots of those (SciPy's float value only as the root finder's start)
    "ndtri_exp": lambda y: _root(lambda o: mp.log(mp.ncdf(o)), y, sc.ndtri_exp(float(y))),
    "stdtr": lambda df, t: _t_cdf(df, t),
    "stdtrit": lambda df, p: _root(lambda o: _t_cdf(df, o), p, sc.stdtrit(float(df), float(p))),
    "chdtr": lambda v, x: mp.gammainc(v / 2, 0, x / 2, regularized=True),
    "chdtrc": lambda v, x: mp.gammainc(v / 2, x / 2, mp.inf, regularized=True),
    "chdtri": lambda v, p: _root(lambda o: mp.gammainc(v / 2, o / 2, mp.inf, regularized=True),
                                 p, sc.chdtri(float(v), float(p))),
    "gammaincinv": lambda a, y: _root(lambda o: mp.gammainc(a, 0, o, regularized=True), y,
                                      sc.gammaincinv(float(a), float(y))),
    "gammainccinv": lambda a, y: _root(lambda o: mp.gammainc(a, o, mp.inf, regularized=True),
                                       y, sc.gammainccinv(float(a), float(y))),
    "betaincc": lambda a, b, x: mp.betainc(a, b, x, 1, regularized=True),
    "betaincinv": lambda a, b, y: _root(lambda o: mp.betainc(a, b, 0, o, regularized=True),
                                        y, sc.betaincinv(float(a), float(b), float(y))),
    "betainccinv": lambda a, b, y: _root(lambda o: mp.betainc(a, b, o, 1, regularized=True),
                                         y, sc.betainccinv(float(a), float(b), float(y))),
    "_beta_ppf": lambda q, a, b: _root(lambda o: mp.betainc(a, b, 0, o, regularized=True), q,
                                       sc.betaincinv(float(a), float(b), float(q))),
    "pdtr": lambda k, m: mp.fsum(mp.exp(-m) * m ** j / mp.factorial(j)
                                 for j in range(int(mp.floor(k)) + 1)),
    "pdtrc": lambda k, m: 1 - mp.fsum(mp.exp(-m) * m ** j / mp.factorial(j)
                                      for j in range(int(mp.floor(k)) + 1)),
    "_log1pmx": lambda x: mp.log1p(x) - x,
    "_cauchy_ppf": lambda p, loc, scale: loc + scale * mp.tan(mp.pi * (p - mp.mpf(1) / 2)),
    "_cauchy_isf": lambda p, loc, scale: loc + scale * mp.tan(mp.pi * (mp.mpf(1) / 2 - p)),
    "_binom_pmf": lambda k, n, p: _binom(k, n, p),
    "_binom_cdf": lambda k, n, p: mp.fsum(_binom(j, n, p) for j in range(int(k) + 1)),
    "_binom_sf": lambda k, n, p: mp.fsum(_binom(j, n, p) for j in range(int(k) + 1, int(n) + 1)),
    "_nbinom_pmf": lambda k, n, p: _nbinom(k, n, p),
    "_nbinom_cdf": lambda k, n, p: mp.fsum(_nbinom(j, n, p) for j in range(int(k) + 1)),
    "_nbinom_sf": lambda k, n, p: 1 - mp.fsum(_nbinom(j, n, p) for j in range(int(k) + 1)),
}

# derivatives that are conventions of a discrete operation, per argument
CLOSED = {
    "nextafter": (lambda x, y: 1.0, lambda x, y: 0.0),     # x moved by one ulp
    "ldexp": (lambda x, i: 2.0 ** i, None),                  # x * 2**i, integer i
    "heaviside": (lambda x, h0: 0.0,                         # h0 where x == 0: a step
                  lambda x, h0: 1.0 if x == 0.0 else 0.0),
}

_FRACTIONS = ((0.13, 0.52, 0.89), (0.71, 0.29, 0.46))

# points outside the table's test domain that reach a rule's interesting branches
EXTRA = {
    "fmod": [(5.3, 1.7), (-5.3, 1.7), (5.3, -1.7)],
    "remainder": [(5.3, 1.7), (-5.3, 1.7), (5.3, -1.7)],
    "copysign": [(1.3, -2.0), (-0.7, 3.0)],
    "power": [(2.5, 3.0), (0.7, -1.5)],
    "absolute": [(-1.5,)], "fabs": [(-1.5,)],
    "heaviside": [(0.0, 0.5), (-0.0, 2.0)],
}


def points(rule):
    """Fixed points (tuples of floats, ints for integer arguments) for ``rule``."""
    pts = []
    for j in range(3):
        point = []
        for k, domain in enumerate(rule.domain):
            lo, hi = domain[:2]
            t = _FRACTIONS[k % 2][j]
            if domain[-1] == "int":
                point.append(int(round(lo + t * (hi - lo))))
            else:
                point.append(float(lo + t * (hi - lo)))
        pts.append(tuple(point))
    return pts + EXTRA.get(rule.name, [])


def has_oracle(rule):
    return rule.name in MPMATH or rule.name in CLOSED


@functools.lru_cache(maxsize=None)
@mp.workdps(DPS)
def derivative(name, point, k):
    """d ufunc / d argument ``k`` at ``point``, as a float."""
    if name in CLOSED:
        return float(CLOSED[name][k](*point))
    fn = MPMATH[name]
    args = [mp.mpf(a) for a in point]

    def along(t):
        moved = list(args)
        moved[k] = t
        return fn(*moved)
    return _number(mp.diff(along, args[k]))


def _number(v):
    """An mpmath number as a float, or a complex (``wofz`` of a real argument)."""
    return complex(v) if isinstance(v, mp.mpc) else float(v)


@mp.workdps(DPS)
def value(name, point):
    """The function's value at ``point`` by mpmath (to check the oracle is the function)."""
    if name in CLOSED:
        return None
    return _number(MPMATH[name](*[mp.mpf(a) for a in point]))


def assert_close(got, want, what, rtol=1e-12):
    """``got`` within ``rtol`` of ``want`` relative (exactly 0 where ``want`` is 0)."""
    kind = complex if np.iscomplexobj(got) or np.iscomplexobj(want) else float
    got, want = np.asarray(got, dtype=kind), np.asarray(want, dtype=kind)
    err = np.abs(got - want)
    bad = ~(err <= rtol * np.abs(want))
    if np.any(bad):
        raise AssertionError(f"{what}: got {got[bad]}, oracle {want[bad]}, "
                             f"relative error {err[bad] / np.maximum(np.abs(want[bad]), 1e-300)}")


SC = sc  # keep scipy.special imported: its rows are only in the table once it is


def jitted(fn, mixes, nin):
    """A numba-jitted ``f(x, c)`` returning a tuple with one call of ``fn`` per mix
    (the positions of the arguments that are duals): argument ``k`` is ``x[k]``
    (seeded by the helpers) where ``k`` is in the mix, the plain ``c[k]`` otherwise.
    One compilation serves every point."""
    import numba
    terms = [f"fn({', '.join(f'x[{k}]' if k in mix else f'c[{k}]' for k in range(nin))})"
             for mix in mixes]
    namespace = {"fn": fn}
    exec(f"def f(x, c):\n    return ({', '.join(terms)},)", namespace)  # noqa: S102
    return numba.njit(namespace["f"])


def jitted_inputs(rule, point):
    """``(x, c)`` for :func:`jitted` at ``point``: floats in ``x``, and in ``c`` the
    same as the rule's argument types (integers for an integer-only argument)."""
    integer = any(d[-1] == "int" for d in rule.domain)
    return np.array(point, dtype=float), np.array(point, dtype=int if integer else float)


def jitted_expected(point, mixes, entry):
    """The Jacobian of :func:`jitted`'s output: ``entry(point, k)`` where call ``j``
    has argument ``k`` dual, exactly 0 elsewhere."""
    want = np.zeros((len(mixes), len(point)))
    for j, mix in enumerate(mixes):
        for k in mix:
            want[j, k] = entry(point, k)
    return want


def central(f, x, h=1e-6):
    """Central differences of ``f`` at array ``x``: shape ``f(x).shape + x.shape``
    (an oracle for exact first derivatives, and for second ones when ``f`` is an
    exact gradient)."""
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        e = e.reshape(x.shape)
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1).reshape(np.shape(cols[0]) + x.shape)


def central4(f, x, h=1e-5):
    """Fourth-order central differences of the plain ``f`` at the 1-D ``x``, one column
    an input, ``f``'s value raveled (shape ``(f(x).size, x.size)``)."""
    cols = []
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = h
        cols.append((-f(x + 2 * e) + 8 * f(x + e) - 8 * f(x - e) + f(x - 2 * e)) / (12 * h))
    return np.stack([np.ravel(c) for c in cols], axis=-1)


def central8(f, p, h=1e-3):
    """Eighth-order central differences of ``f`` at the 1-D ``p``, one column a
    parameter (shape ``f(p).shape + (p.size,)``; f may be complex)."""
    c = (4 / 5, -1 / 5, 4 / 105, -1 / 280)
    cols = []
    for j in range(p.size):
        e = np.zeros_like(p)
        e[j] = h
        cols.append(sum(ck * (f(p + (k + 1) * e) - f(p - (k + 1) * e))
                        for k, ck in enumerate(c)) / h)
    return np.stack(cols, axis=-1)


def selected(ufunc, x, y, px, py):
    """The partials of ``ufunc(x, y)`` (a selection: maximum, minimum, fmax, fmin) for
    the arguments' partials ``px``, ``py`` (``(size, n)``; ``None`` for a constant):
    those of the argument NumPy's value is (:data:`SELECT`), at a tie (``x == y``, never
    a NaN) ``0.5 * py + 0.5 * px``, the midpoint of the one-sided derivatives (half of
    the dual's beside a constant)."""
    zero = np.zeros_like(px if px is not None else py)
    p = zero if px is None else px
    q = zero if py is None else py
    pick = SELECT[ufunc](x, y)[:, None]
    tie = (x == y)[:, None]
    with np.errstate(invalid="ignore", over="ignore"):
        if px is None:
            half = 0.5 * q
        elif py is None:
            half = 0.5 * p
        else:
            half = 0.5 * q + 0.5 * p
    return np.where(tie, half, np.where(pick, p, q))


# The selections' convention written out apart from the rule table: whether x is
# the result's value (ties: x, the same number; maximum/minimum: a NaN wins; fmax/fmin:
# a NaN is ignored); the partials at a tie are split (:func:`selected`)
SELECT = {                       # ufunc -> is x the result? (ties: x; the NaN rule)
    np.maximum: lambda x, y: (x >= y) | np.isnan(x),
    np.minimum: lambda x, y: (x <= y) | np.isnan(x),
    np.fmax: lambda x, y: (x >= y) | np.isnan(y),
    np.fmin: lambda x, y: (x <= y) | np.isnan(y),
}


def second_differences(f, x, h=1e-2):
    """Central second differences of the scalar ``f`` at the 1-D ``x``, step ``h``: exact
    for quadratics (test_left42's clip cases, test_stats46's order statistics)."""
    n = len(x)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.zeros(n), np.zeros(n)
            ei[i], ej[j] = h, h
            out[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej)
                         + f(x - ei - ej)) / (4 * h * h)
    return out


# Rules whose second derivative in one argument is refused by name (the argument, the
# name the TypeError carries).  None now: ellipkinc's and ellipeinc's d/dm (Carlson's
# R_D, special48) differentiate R_D's duplication on duals (misc49)
SECOND_REFUSED = {}
