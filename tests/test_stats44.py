"""stats44: the distribution functions dualgrad.scipy.stats lifted are rows of the rule
table, so SciPy's own ``scipy.special.stdtr`` ... take duals; their shapes refuse by name.

Oracles: mpmath at 40 digits (tests/_oracles.py's twins, written from the functions'
definitions: the t cdf by its hypergeometric form, the quantiles as mpmath's roots, the
discrete cdfs as sums of pmfs), first and second derivatives by ``mpmath.diff``, at
points beyond the generic walk's domains (large df and shapes, tails).
"""

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sc
import scipy.special._ufuncs as scu

import _oracles
import dualgrad as dg

# (ufunc, its differentiable argument, points)
CASES = [
    (sc.ndtri_exp, 0, [(-1e-12,), (-1e-3,), (-0.7,), (-30.0,), (-800.0,)]),
    (sc.stdtr, 1, [(0.7, -3.0), (3.0, 0.4), (19.9, 1.5), (20.0, 1.5), (30.0, 2.5), (1e4, -1.2),
                  (1e7, 0.8), (2.5, 40.0)]),
    (sc.stdtrit, 1, [(0.7, 0.2), (3.0, 0.9), (30.0, 0.01), (1e4, 0.6), (1e7, 0.3)]),
    (sc.chdtr, 1, [(0.5, 0.3), (3.0, 2.0), (40.0, 55.0)]),
    (sc.chdtrc, 1, [(0.5, 0.3), (3.0, 2.0), (40.0, 25.0)]),
    (sc.chdtri, 1, [(0.5, 0.3), (3.0, 0.9), (40.0, 0.05)]),
    (sc.gammaincinv, 1, [(0.3, 0.4), (2.0, 0.9), (150.0, 0.1)]),
    (sc.gammainccinv, 1, [(0.3, 0.4), (2.0, 0.9), (150.0, 0.1)]),
    (sc.betaincc, 2, [(0.5, 2.0, 0.3), (3.0, 7.0, 0.6), (40.0, 20.0, 0.7)]),
    (sc.betaincinv, 2, [(0.5, 2.0, 0.3), (3.0, 7.0, 0.6), (40.0, 20.0, 0.7)]),
    (sc.betainccinv, 2, [(0.5, 2.0, 0.3), (3.0, 7.0, 0.6), (40.0, 20.0, 0.7)]),
    (scu._beta_ppf, 0, [(0.3, 0.5, 2.0), (0.6, 3.0, 7.0), (0.7, 40.0, 20.0)]),
    (sc.pdtr, 1, [(0, 0.7), (3, 2.5), (3.7, 2.5), (40, 35.0)]),
    (sc.pdtrc, 1, [(0, 0.7), (3, 2.5), (3.7, 2.5), (40, 35.0)]),
    (scu._cauchy_ppf, 0, [(0.01, 1.0, 2.0), (0.5, -3.0, 0.5), (0.97, 1e3, 3.0)]),
    (scu._cauchy_ppf, 2, [(0.01, 1.0, 2.0), (0.97, 1e3, 3.0)]),
    (scu._cauchy_isf, 0, [(0.01, 1.0, 2.0), (0.97, 1e3, 3.0)]),
    (scu._cauchy_isf, 2, [(0.01, 1.0, 2.0), (0.97, 1e3, 3.0)]),
    (scu._binom_pmf, 2, [(0, 7, 0.3), (3, 7, 0.45), (31, 100, 0.3)]),
    (scu._binom_cdf, 2, [(0, 7, 0.3), (3, 7, 0.45), (30, 100, 0.3), (6, 7, 0.9)]),
    (scu._binom_sf, 2, [(0, 7, 0.3), (3, 7, 0.45), (30, 100, 0.3)]),
    (scu._nbinom_pmf, 1, [(0, 2.5, 0.3), (4, 0.7, 0.45), (30, 12.0, 0.3)]),
    (scu._nbinom_pmf, 2, [(0, 2.5, 0.3), (4, 0.7, 0.45), (30, 12.0, 0.3)]),
    (scu._nbinom_cdf, 2, [(0, 2.5, 0.3), (4, 0.7, 0.45), (30, 12.0, 0.3)]),
    (scu._nbinom_sf, 2, [(0, 2.5, 0.3), (4, 0.7, 0.45), (30, 12.0, 0.3)]),
]
PARAMS = [pytest.param(f, k, p, id=f"{f.__name__}-{k}-{p}") for f, k, ps in CASES for p in ps]


def _mp(f, point, k, order):
    fn = _oracles.MPMATH[f.__name__]
    args = [mp.mpf(a) for a in point]

    def along(t):
        moved = list(args)
        moved[k] = t
        return fn(*moved)
    return float(mp.diff(along, args[k], order))


def _along(f, point, k):
    def g(t):
        args = list(point)
        args[k] = t
        return f(*args)
    return g


@pytest.mark.parametrize("f, k, point", PARAMS)
def test_first_and_second_derivatives_against_mpmath(f, k, point):
    g = _along(f, point, k)
    first = dg.derivative(g, float(point[k]))
    np.testing.assert_allclose(first, _mp(f, point, k, 1), rtol=2e-13, atol=0)
    second = dg.derivative(lambda t: dg.derivative(g, t), float(point[k]))
    # (an absolute floor at rounding of the first derivative: a second derivative 0 in
    # cauchy's scale, or at its centre, is mpmath's 1e-51, dualgrad's 0 or 6e-16)
    np.testing.assert_allclose(second, _mp(f, point, k, 2), rtol=1e-11,
                               atol=1e-15 * abs(first))


@pytest.mark.parametrize("f, k, point", PARAMS[::4])
def test_the_value_on_duals_is_scipys(f, k, point):
    d = dg.Dual(float(point[k]), [1.0])
    args = list(point)
    args[k] = d
    assert f(*args).value == f(*point)


def test_arrays_take_every_element_its_own_slope():
    p = np.array([0.01, 0.3, 0.5, 0.8, 0.999])
    J = dg.jacobian(lambda q: sc.stdtrit(4.0, q), p)
    want = [_mp(sc.stdtrit, (4.0, float(v)), 1, 1) for v in p]
    np.testing.assert_allclose(np.diag(J), want, rtol=2e-13)
    assert np.count_nonzero(J - np.diag(np.diag(J))) == 0


@pytest.mark.parametrize("f, point, k", [
    (sc.pdtr, (3.0, 2.0), 0), (scu._binom_cdf, (3, 7, 0.4), 1)])
def test_a_shape_refuses_by_name(f, point, k):
    """The counts (n, k) have no closed-form derivative: a dual there raises
    the table's TypeError naming the function and the argument, never a 0 (chdtr's,
    chdtri's and gammaincinv's have gammainc_da since stats45, betaincc's, betaincinv's,
    _beta_ppf's and _nbinom_cdf's betainc_da / _db: tests/test_stats45.py;
    stdtr's and stdtrit's df through betainc since misc47: tests/test_misc47.py)."""
    where = rf"scipy\.special\.(_ufuncs\.)?{f.__name__} .*not differentiable in argument {k + 1}"
    with pytest.raises(TypeError, match=where):
        dg.derivative(_along(f, point, k), float(point[k]))


def test_student_t_at_infinite_df_is_the_normal():
    """SciPy's stdtr / stdtrit at df = inf are ndtr / ndtri: the slopes the normal's."""
    got = dg.derivative(lambda t: sc.stdtr(np.inf, t), 0.7)
    np.testing.assert_allclose(got, float(mp.npdf(0.7)), rtol=1e-15)
    got = dg.derivative(lambda p: sc.stdtrit(np.inf, p), 0.3)
    np.testing.assert_allclose(got, float(1 / mp.npdf(mp.sqrt(2) * mp.erfinv(2 * mp.mpf(0.3) - 1))),
                               rtol=1e-14)


def test_binomial_cdf_beyond_n_and_poisson_below_zero():
    """binom's cdf is 1 and its sf 0 at k = n (slope 0, not NaN); SciPy's NaN value (pdtr
    below k = 0, Boost's binomial beyond n) gives a NaN slope, not 0."""
    assert dg.derivative(lambda p: scu._binom_cdf(7.0, 7.0, p), 0.3) == 0.0
    assert dg.derivative(lambda p: scu._binom_sf(7.0, 7.0, p), 0.3) == 0.0
    assert np.isnan(dg.derivative(lambda p: scu._binom_sf(9.0, 7.0, p), 0.3))
    assert np.isnan(dg.derivative(lambda m: sc.pdtr(-1.0, m), 0.3))


# ---- stats44's new distributions and methods -----------------------------------------
import scipy.stats as ss  # noqa: E402

from dualgrad.scipy import stats as ds  # noqa: E402


def _ncdf(z):
    return mp.ncdf(z)


def _weibull(method):
    def f(x, c, loc, scale):
        z = (x - loc) / scale
        if method == "logpdf":
            return mp.log(c / scale) + (c - 1) * mp.log(z) - z ** c
        if method == "cdf":
            return 1 - mp.exp(-z ** c)
        if method == "logsf":
            return -z ** c
        if method == "ppf":
            return loc + scale * (-mp.log1p(-x)) ** (1 / c)
        return loc + scale * (-mp.log(x)) ** (1 / c)          # isf
    return f


def _truncnorm(method):
    def f(x, a, b, loc, scale):
        mass = _ncdf(b) - _ncdf(a)
        if method in ("ppf", "isf"):
            q = x if method == "ppf" else 1 - x
            start = getattr(ss.truncnorm, method)(float(x), float(a), float(b))
            z = mp.findroot(lambda o: (_ncdf(o) - _ncdf(a)) / mass - q, mp.mpf(start))
            return loc + scale * z
        z = (x - loc) / scale
        if method == "logpdf":
            return -z * z / 2 - mp.log(mp.sqrt(2 * mp.pi)) - mp.log(mass) - mp.log(scale)
        if method == "logcdf":
            return mp.log((_ncdf(z) - _ncdf(a)) / mass)
        return mp.log((_ncdf(b) - _ncdf(z)) / mass)            # logsf
    return f


NEW = [
    *[(ds.weibull_min, ss.weibull_min, m, _weibull(m), p) for m in
      ("logpdf", "cdf", "logsf") for p in [(0.7, 1.7, 0.1, 1.3), (3.0, 0.6, -1.0, 2.0)]],
    *[(ds.weibull_min, ss.weibull_min, m, _weibull(m), p) for m in ("ppf", "isf")
      for p in [(0.2, 1.7, 0.1, 1.3), (0.95, 0.6, -1.0, 2.0)]],
    *[(ds.truncnorm, ss.truncnorm, m, _truncnorm(m), p) for m in ("logpdf", "logcdf", "logsf")
      for p in [(0.4, -2.0, 1.5, 0.3, 1.2), (1.9, 0.5, 3.0, -0.2, 0.8),
                (-3.5, -6.0, -1.0, 0.0, 1.0), (7.2, 6.0, 9.0, 0.5, 1.0)]],
    *[(ds.truncnorm, ss.truncnorm, m, _truncnorm(m), p) for m in ("ppf", "isf")
      for p in [(0.3, -2.0, 1.5, 0.3, 1.2), (0.9, 0.5, 3.0, -0.2, 0.8),
                (0.6, -6.0, -1.0, 0.0, 1.0)]],
]


@pytest.mark.parametrize("dist, scipy_dist, method, oracle, point",
                         [pytest.param(*c, id=f"{c[0].name}.{c[2]}{c[4]}") for c in NEW])
def test_new_distributions_values_and_gradients(dist, scipy_dist, method, oracle, point):
    """The value is SciPy's (to rounding: SciPy's complex logsumexp and ours differ in the
    last bits); the gradient in x (or q) and every parameter is mpmath's."""
    point = np.array(point)
    want = getattr(scipy_dist, method)(*point)
    f = getattr(dist, method)
    np.testing.assert_array_equal(f(*point), want)          # plain: SciPy itself
    g = dg.gradient(lambda p: f(*p), point)
    np.testing.assert_allclose(f(*[dg.Dual(v, [1.0]) for v in point]).value, want,
                               rtol=1e-13)
    args = [mp.mpf(float(v)) for v in point]
    for k in range(len(point)):
        def along(t, k=k):
            moved = list(args)
            moved[k] = t
            return oracle(*moved)
        np.testing.assert_allclose(g[k], float(mp.diff(along, args[k])), rtol=1e-11,
                                   atol=1e-13, err_msg=f"argument {k}")


def test_truncnorm_hessian_in_its_bounds():
    point = np.array([0.4, -2.0, 1.5])
    H = dg.hessian(lambda p: ds.truncnorm.logpdf(p[0], p[1], p[2]), point)
    args = [mp.mpf(float(v)) for v in point]
    f = _truncnorm("logpdf")
    for i in range(3):
        for j in range(3):
            orders = [0, 0, 0]
            orders[i] += 1
            orders[j] += 1
            want = mp.diff(lambda x, a, b: f(x, a, b, 0, 1), args, tuple(orders))
            np.testing.assert_allclose(H[i, j], float(want), rtol=1e-10, atol=1e-13)


def test_truncnorm_ppf_ends_are_the_bounds_with_their_derivatives():
    """ppf(0) = a scale + loc, ppf(1) = b scale + loc: d/da = scale there."""
    g = dg.gradient(lambda p: ds.truncnorm.ppf(0.0, p[0], p[1], 0.5, 2.0), np.array([-1.0, 2.0]))
    np.testing.assert_array_equal(g, [2.0, 0.0])
    g = dg.gradient(lambda p: ds.truncnorm.isf(0.0, p[0], p[1], 0.5, 2.0), np.array([-1.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 2.0])


DISCRETE = [
    (ds.poisson, ss.poisson, "logcdf", (3, 2.5),
     lambda k, mu: mp.log(mp.fsum(mp.exp(-mu) * mu ** j / mp.factorial(j) for j in range(4)))),
    (ds.poisson, ss.poisson, "logsf", (3, 2.5),
     lambda k, mu: mp.log(1 - mp.fsum(mp.exp(-mu) * mu ** j / mp.factorial(j)
                                      for j in range(4)))),
    (ds.binom, ss.binom, "logcdf", (3, 9, 0.35),
     lambda k, n, p: mp.log(mp.fsum(_oracles._binom(j, n, p) for j in range(4)))),
    (ds.binom, ss.binom, "logsf", (3, 9, 0.35),
     lambda k, n, p: mp.log(mp.fsum(_oracles._binom(j, n, p) for j in range(4, 10)))),
    (ds.nbinom, ss.nbinom, "logcdf", (2, 3.5, 0.3),
     lambda k, n, p: mp.log(mp.fsum(_oracles._nbinom(j, n, p) for j in range(3)))),
    (ds.nbinom, ss.nbinom, "logcdf", (25, 3.5, 0.3),      # cdf > 1/2: SciPy's log1p form
     lambda k, n, p: mp.log(mp.fsum(_oracles._nbinom(j, n, p) for j in range(26)))),
    (ds.geom, ss.geom, "logsf", (4, 0.3), lambda k, p: 4 * mp.log1p(-p)),
    (ds.geom, ss.geom, "logcdf", (4, 0.3), lambda k, p: mp.log(1 - (1 - p) ** 4)),
    (ds.bernoulli, ss.bernoulli, "logcdf", (0, 0.3), lambda k, p: mp.log(1 - p)),
]


@pytest.mark.parametrize("dist, scipy_dist, method, point, oracle",
                         [pytest.param(*c, id=f"{c[0].name}.{c[2]}{c[3]}") for c in DISCRETE])
def test_discrete_logcdf_logsf(dist, scipy_dist, method, point, oracle):
    k, *shape = point
    f = getattr(dist, method)
    want = getattr(scipy_dist, method)(*point)
    shape = np.array(shape, dtype=float)
    last = len(shape) - 1                       # the continuous parameter (mu, p)
    dual = [dg.Dual(v, [1.0 if i == last else 0.0]) for i, v in enumerate(shape)]
    dual = [shape[i] if i != last else d for i, d in enumerate(dual)]
    out = f(k, *dual)
    np.testing.assert_allclose(out.value, want, rtol=1e-14)
    args = [mp.mpf(float(v)) for v in shape]

    def along(t):
        moved = list(args)
        moved[last] = t
        return oracle(k, *moved)
    np.testing.assert_allclose(out.partials[0], float(mp.diff(along, args[last])), rtol=1e-12)


# ---- multivariate_t -------------------------------------------------------------------
_MVT_X = np.array([[0.4, 5.0, -1.0], [1.2, -0.3, 0.8]])
_MVT_LOC = np.array([0.0, 1.0, 0.5])
_MVT_SHAPE = np.array([[1.0, 0.1, 0.3], [0.1, 2.0, -0.2], [0.3, -0.2, 1.5]])


def _mvt_mp(x, loc, shape, df):
    """mpmath's multivariate t log density (a solve and a determinant at 40 digits)."""
    k = len(loc)
    dev = mp.matrix([x[i] - loc[i] for i in range(k)])
    S = mp.matrix([[shape[i][j] for j in range(k)] for i in range(k)])
    maha = (dev.T * mp.lu_solve(S, dev))[0]
    return (mp.loggamma((df + k) / 2) - mp.loggamma(df / 2) - k / mp.mpf(2) * mp.log(df * mp.pi)
            - mp.log(mp.det(S)) / 2 - (df + k) / 2 * mp.log(1 + maha / df))


@pytest.mark.parametrize("df", [0.7, 7.0, 250.0])
def test_multivariate_t_logpdf_gradient_in_everything(df):
    """The gradient in x, loc, the shape matrix's entries and df, against mpmath's
    derivatives of the density written with a 40-digit solve and determinant (the shape's
    lower triangle is read: the symmetric perturbation's derivative is the sum)."""
    x = _MVT_X[0]
    k = len(x)
    want = ss.multivariate_t.logpdf(x, _MVT_LOC, _MVT_SHAPE, df)
    p = np.concatenate([x, _MVT_LOC, _MVT_SHAPE.ravel(), [df]])

    def f(p):
        return ds.multivariate_t.logpdf(p[:k], p[k:2 * k], np.reshape(p[2 * k:-1], (k, k)), p[-1])
    got = dg.gradient(f, p)
    np.testing.assert_allclose(f(dg.Dual(p, np.zeros((p.size, 1)))).value, want, rtol=1e-13)
    args = [mp.mpf(float(v)) for v in p]

    def mpf(q):
        S = [[q[2 * k + 3 * i + j] for j in range(k)] for i in range(k)]
        S = [[S[max(i, j)][min(i, j)] for j in range(k)] for i in range(k)]   # lower read
        return _mvt_mp(q[:k], q[k:2 * k], S, q[-1])
    for i in range(p.size):
        def along(t, i=i):
            q = list(args)
            q[i] = t
            return mpf(q)
        np.testing.assert_allclose(got[i], float(mp.diff(along, args[i])), rtol=1e-11,
                                   atol=1e-14, err_msg=f"parameter {i}")


def test_multivariate_t_points_frozen_pdf_and_the_normal_limit():
    x = _MVT_X
    for df in (3.0, np.inf):
        want = ss.multivariate_t.logpdf(x, _MVT_LOC, _MVT_SHAPE, df)
        out = ds.multivariate_t(dg.Dual(_MVT_LOC, np.eye(3)), _MVT_SHAPE, df).logpdf(x)
        np.testing.assert_allclose(out.value, want, rtol=1e-13)
        # the loc score: (df + k) / (df + maha) shape^-1 (x - loc) (the normal's at inf)
        dev = x - _MVT_LOC
        sol = np.linalg.solve(_MVT_SHAPE, dev.T).T
        maha = np.sum(dev * sol, axis=1)
        w = np.ones(2) if np.isinf(df) else (df + 3) / (df + maha)
        np.testing.assert_allclose(out.partials, w[:, None] * sol, rtol=1e-12)
        pdf = ds.multivariate_t.pdf(x, dg.Dual(_MVT_LOC, np.eye(3)), _MVT_SHAPE, df)
        np.testing.assert_allclose(pdf.value, np.exp(want), rtol=1e-13)


def test_multivariate_t_refuses_a_singular_shape_and_keeps_scipys_errors():
    loc = dg.Dual(np.zeros(2), np.eye(2))
    with pytest.raises(TypeError, match=r"multivariate_t\.logpdf.*singular shape"):
        ds.multivariate_t.logpdf(np.ones(2), loc, np.ones((2, 2)), 3.0)
    with pytest.raises(ValueError, match="'df' must be greater than zero"):
        ds.multivariate_t.logpdf(np.ones(2), loc, np.eye(2), -1.0)


# ---- values and masks on arrays ---------------------------------------------------------
_X = np.array([-np.inf, -3.0, -2.0, -1.0, -1e-300, 0.0, 0.3, 1.0, 1.5, 2.0, 4.0, 40.0, np.inf,
               np.nan])
_Q = np.array([0.0, 1e-300, 1e-10, 0.2, 0.5, 0.9, 1 - 1e-12, 1.0, -0.1, 1.5, np.nan])


@pytest.mark.parametrize("method", ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf",
                                    "ppf", "isf"])
@pytest.mark.parametrize("dist, scipy_dist, shapes", [
    (ds.weibull_min, ss.weibull_min, (np.array([[0.6], [1.0], [2.5]]),)),
    (ds.truncnorm, ss.truncnorm, (np.array([[-2.0], [0.5], [-6.0], [1.0], [-np.inf], [2.0]]),
                                  np.array([[1.5], [3.0], [-1.0], [np.inf], [0.2], [1.0]]))),
])
def test_new_distributions_values_on_arrays_are_scipys(dist, scipy_dist, shapes, method):
    """Outside the support, at its ends, in the tails, invalid parameters (truncnorm's
    a >= b) and NaN: SciPy's value (rtol 1e-12: SciPy's complex logsumexp against ours,
    and its 1e-9-accurate far isf: SciPy's own error, reproduced); partials finite
    where the value is and 0 where SciPy's constant is."""
    x = _Q if method in ("ppf", "isf") else _X
    loc, scale = 0.25, 1.5
    with np.errstate(all="ignore"):
        want = getattr(scipy_dist, method)(x, *shapes, loc, scale)
        out = getattr(dist, method)(dg.Dual(x, np.ones((x.size, 1))), *shapes, loc, scale)
    assert out.value.shape == want.shape
    if dist is ds.truncnorm and method == "isf":
        # q = 1e-300 on [1, inf): log1p(-q) + mass rounds to the mass, a difference of
        # two equal logs: ours -inf (isf inf), SciPy's complex logsumexp 12.87 (mpmath:
        # 37.1; both wrong, SciPy's finitely), and near q = 1 both lose ~1e-10
        assert out.value[3, 1] == np.inf and abs(want[3, 1] - 12.87) < 0.01
        want[3, 1] = np.inf
    rtol = 1e-10 if method in ("ppf", "isf") else 1e-12
    np.testing.assert_allclose(out.value, want, rtol=rtol, atol=0)
    inside = np.isfinite(want) & ((want != 0) | (method not in ("pdf", "cdf", "sf")))
    assert np.all(np.isfinite(out.partials[..., 0][inside & np.isfinite(x)])) or \
        method in ("ppf", "isf", "logpdf", "pdf")


def test_truncnorm_takes_lists_and_broadcasts():
    a, b = [-1.0, 0.0], [1.0, 2.0]
    J = dg.jacobian(lambda p: ds.truncnorm.logpdf(0.5, [p[0], p[1]], (p[2], p[3])),
                    np.array(a + b))
    want = np.zeros((2, 4))
    for i in range(2):
        want[i, i] = _mp_truncnorm_d(0.5, a[i], b[i], 1)
        want[i, 2 + i] = _mp_truncnorm_d(0.5, a[i], b[i], 2)
    np.testing.assert_allclose(J, want, rtol=1e-11, atol=1e-14)


def _mp_truncnorm_d(x, a, b, k):
    args = [mp.mpf(x), mp.mpf(a), mp.mpf(b)]
    f = _truncnorm("logpdf")

    def along(t):
        moved = list(args)
        moved[k] = t
        return f(*moved, 0, 1)
    return float(mp.diff(along, args[k]))


# ---- tlog44 (attack44 16): t.logpdf at large df to SciPy's accuracy, value and slopes ----

def _t_logpdf_mp(x, nu):
    x, nu = mp.mpf(x), mp.mpf(nu)
    return (mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(nu * mp.pi) / 2
            - (nu + 1) / 2 * mp.log1p(x * x / nu))


def _t_grad_mp(x, nu):
    """The analytic (x, df) gradient of the t log density, at 60 digits."""
    x, nu = mp.mpf(x), mp.mpf(nu)
    u = x * x / nu
    dx = -(nu + 1) * x / (nu * (1 + u))
    dnu = (mp.digamma((nu + 1) / 2) / 2 - mp.digamma(nu / 2) / 2 - 1 / (2 * nu)
           - mp.log1p(u) / 2 + (nu + 1) / 2 * u / (nu * (1 + u)))
    return [dx, dnu]


@pytest.mark.parametrize("df", [1.0, 19.5, 20.0, 1e3, 1e5, 1e6, 1e10, 1e14])
@pytest.mark.parametrize("x", [0.0, 0.3, -2.5, 40.0])
def test_t_logpdf_large_df_value_and_slopes_against_mpmath(x, df):
    """attack44 16: betaln(df / 2, 1 / 2) lost 2e-10 of the value at df = 1e6, and the
    kernel's df slope cancelled to 1.7e-2 relative at 1e14."""
    with mp.workdps(60):
        want = float(_t_logpdf_mp(x, df))
        gx, gnu = (float(g) for g in _t_grad_mp(x, df))
    box = {}

    def f(p):
        r = ds.t.logpdf(p[0], p[1])
        box["v"] = float(dg.stop_gradient(r))
        return r

    g = dg.gradient(f, np.array([x, df]))
    # the value is SciPy's float call's bits (nan56, API.md's (f(x), J v)): SciPy's poch
    # is 4e-13 off mpmath at df = 1000; the accurate form gives the partials only
    assert box["v"] == ss.t.logpdf(x, df)
    np.testing.assert_allclose(box["v"], want, rtol=5e-13, atol=0)
    assert abs(g[0] - gx) <= 1e-14 * abs(gx) + 1e-300
    assert abs(g[1] - gnu) <= 1e-13 * abs(gnu), (g[1], gnu)


@pytest.mark.parametrize("df", [30.0, 100.0, 1e6])
def test_t_logpdf_hessian_in_x_and_df_against_mpmath(df):
    """Second derivatives of the series forms, on both sides of u = x**2 / df = 0.05."""
    for x in (0.3, np.sqrt(0.049 * df), np.sqrt(0.051 * df)):
        H = dg.hessian(lambda p: ds.t.logpdf(p[0], p[1]), np.array([x, df]))
        with mp.workdps(60):
            Hm = np.array([[float(mp.diff(lambda a: _t_grad_mp(a, df)[i], x)) for i in range(2)],
                           [float(mp.diff(lambda b: _t_grad_mp(x, b)[i], df)) for i in range(2)]])
        np.testing.assert_allclose(H, Hm.T, rtol=1e-11, atol=1e-300)


def test_t_logpdf_dual_x_plain_large_df_value_is_scipys():
    """attack44 16's plain-df case: a dual x at a fixed df = 1e6 gave -0.96393882597."""
    x = np.array([0.3, -1.2, 4.0])
    for df in (1e5, 1e6, 1e9):
        got, _ = dg.jvp(lambda s: ds.t.logpdf(s, df), x, np.ones(3))
        with mp.workdps(60):
            want = [float(_t_logpdf_mp(xi, df)) for xi in x]
        np.testing.assert_allclose(got, want, rtol=2e-15, atol=0)
        np.testing.assert_allclose(got, ss.t.logpdf(x, df), rtol=2e-15, atol=0)


@pytest.mark.parametrize("df", [3.0, 19.5, 20.0, 1e3, 1e6, 1e8, 1e10, 1e14])
@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_multivariate_t_large_df_value_and_df_slope_against_mpmath(k, df):
    """attack45 04: multivariate_t's gammaln((df + k) / 2) - gammaln(df / 2) and
    (df + k) / 2 log1p(maha / df) cancelled in the df slope (0.43 relative off at
    df = 1e8 for k = 3, wrong sign at 1e10), as t.logpdf's did (attack44 16).  Odd and
    even dimensions (the half-integer Gamma ratio takes the Stirling series)."""
    x = np.array([1.3, -0.4, 2.2, 0.7])[:k]
    loc = np.array([0.1, -0.2, 0.3, -0.5])[:k]
    shape = np.array([[1.0, 0.1, 0.3, 0.0], [0.1, 2.0, -0.2, 0.1],
                      [0.3, -0.2, 1.5, 0.2], [0.0, 0.1, 0.2, 1.1]])[:k, :k]
    maha = float((x - loc) @ np.linalg.solve(shape, x - loc))
    logdet = float(np.linalg.slogdet(shape)[1])
    with mp.workdps(60):
        nu, m = mp.mpf(df), mp.mpf(maha)
        want = (mp.loggamma((nu + k) / 2) - mp.loggamma(nu / 2) - k / mp.mpf(2) * mp.log(nu * mp.pi)
                - mp.mpf(logdet) / 2 - (nu + k) / 2 * mp.log1p(m / nu))
        slope = (mp.digamma((nu + k) / 2) / 2 - mp.digamma(nu / 2) / 2 - k / (2 * nu)
                 - mp.log1p(m / nu) / 2 + (nu + k) / 2 * m / (nu * nu * (1 + m / nu)))
        want, slope = float(want), float(slope)
    out = ds.multivariate_t.logpdf(x, loc, shape, dg.Dual(df, np.ones(1)))
    # the value is SciPy's float call's bits (nan56: API.md's (f(x), J v); SciPy's gammaln
    # difference is 7e-8 off at df = 1e9): the Stirling form gives the partials only
    assert out.value == ss.multivariate_t.logpdf(x, loc, shape, df)
    assert abs(out.partials[0] - slope) <= 1e-13 * abs(slope), (out.partials[0], slope)


# ---- tlog44 (attack44 11): multivariate families under the sparsity tracer ----

_MV_CASES = {
    "mvn point and mean": lambda x: ds.multivariate_normal.logpdf(x[:3], x[3:], np.diag([1.0, 2.0, 3.0])),
    "mvn point, full cov": lambda x: ds.multivariate_normal.logpdf(
        x[:3], np.zeros(3), np.array([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]])),
    "multivariate_t": lambda x: ds.multivariate_t.logpdf(x[:3], x[3:], np.eye(3), df=4.5),
    "multinomial p": lambda x: ds.multinomial.logpmf(
        np.array([1, 2, 3]), 6, np.concatenate([x[:2] ** 2, 1 - x[:1] ** 2 - x[1:2] ** 2])),
}


@pytest.mark.parametrize("name", list(_MV_CASES))
def test_multivariate_sparse_hessian_is_the_dense_one(name):
    """attack44 11: a traced point (or p) was converted by np.asarray and raised."""
    f = _MV_CASES[name]
    x = np.array([0.2, 0.3, 0.4, 0.1, -0.2, 0.5])
    dense = dg.hessian(f, x)
    sparse = dg.hessian(f, x, sparsity="auto")
    np.testing.assert_allclose(sparse.toarray(), dense, rtol=1e-14, atol=1e-15)
    pattern = dg.hessian_sparsity(f, x)
    pattern = pattern.toarray() if hasattr(pattern, "toarray") else np.asarray(pattern)
    assert np.all(pattern[np.abs(dense) > 0] != 0)
    # a full cov (or t's log(1 + maha / df)) couples every component of the point
    if name in ("mvn point, full cov", "multivariate_t"):
        assert np.all(pattern[:3, :3] != 0)
