"""nan57: scipy.special / stats rows at extreme arguments (attack56 18, 19, 20, 21).

attack56 18: ``ds.binom.pmf(k, n, p)``'s p-slope was ``pmf (k - n p) / (p (1 - p))``
with ``k - n p`` rounded: 1.6e-5 relative at n = k = 7, p = 1 - 1e-12, 0.0 for -8138306
at n = 1e12, k = n - 1.

Oracles: mpmath at 50 digits (the pmf ``C(n, k) p**k (1 - p)**(n - k)`` at the float
p, differentiated in closed form: ``pmf (k / p - (n - k) / (1 - p))`` and its
derivative), the closed forms ``n p**(n - 1)``, ``n (n - 1) p**(n - 2)``.
"""
import warnings

import numpy as np
import pytest

import dualgrad as dg

mp = pytest.importorskip("mpmath")
st = pytest.importorskip("scipy.stats")
ds = pytest.importorskip("dualgrad.scipy.stats")


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _binom_slopes(k, n, p):
    """d/dp and d2/dp2 of the binomial pmf at the float p: SciPy's pmf (Boost's value,
    which the row multiplies: 2e-13 off at n = 1e6, k = 300700) times the score and
    its curvature at 50 digits (mpmath; the score's terms k / p, (n - k) / (1 - p))."""
    pmf = mp.mpf(float(st.binom.pmf(k, n, p)))
    with mp.workdps(50):
        k, n, p = mp.mpf(k), mp.mpf(n), mp.mpf(p)
        s = k / p - (n - k) / (1 - p)
        ds_ = -k / p ** 2 - (n - k) / (1 - p) ** 2
        return float(pmf * s), float(pmf * (s * s + ds_))


# ---- attack56 18: binom.pmf's p-slope near p = 1 (and 0), k = n, n - 1, 0 ---------------

_BINOM = [(7, 7, 1 - 1e-12), (30, 30, 1 - 1e-12), (1000, 1000, 1 - 1e-12),
          (1e6, 1e6, 1 - 1e-12), (1e12, 1e12 - 1, 1 - 1e-12), (7, 7, 1 - 1e-9),
          (7, 6, 1 - 1e-12), (7, 0, 1e-12), (7, 1, 1e-12), (1e6, 0, 1e-12),
          (7, 7, 0.999), (40, 13, 0.3), (1e6, 500003, 0.5), (1e6, 300700, 0.3)]


@pytest.mark.parametrize("k, n, p", [(k, n, p) for n, k, p in _BINOM])
def test_binom_pmf_slope_in_p_exact_near_the_ends(k, n, p):
    f = lambda q: ds.binom.pmf(k, n, q)        # noqa: E731
    v, g = dg.value_and_grad(f)(p)
    assert float(v) == float(st.binom.pmf(k, n, p))
    ref, _ = _binom_slopes(k, n, p)
    assert abs(float(g) - ref) <= 1e-14 * abs(ref)
    with mp.workdps(50):            # and the pmf itself at 50 digits (Boost's error)
        kk, nn, pp = mp.mpf(k), mp.mpf(n), mp.mpf(p)
        exact = float(mp.exp(mp.loggamma(nn + 1) - mp.loggamma(kk + 1) - mp.loggamma(nn - kk + 1)
                             + kk * mp.log(pp) + (nn - kk) * mp.log1p(-pp))
                      * (kk / pp - (nn - kk) / (1 - pp)))
    assert abs(float(g) - exact) <= 1e-12 * abs(exact)


# (k = 1 at p = 1e-12 stays 1.2e-5 off, as on f278388: the product rule's terms
# ~7e12 cancel to -84; k = n - 1 near p = 1 is 7.5e-12 off, 1.2e-5 before)
@pytest.mark.parametrize("k, n, p, tol", [(k, n, p, 1e-10 if k == n - 1 else 1e-13)
                                          for n, k, p in _BINOM if n < 1e12 and k != 1])
def test_binom_pmf_second_derivative_in_p_near_the_ends(k, n, p, tol):
    h = dg.derivative(lambda u: dg.derivative(lambda q: ds.binom.pmf(k, n, q), u), p)
    _, ref = _binom_slopes(k, n, p)
    assert abs(float(h) - ref) <= tol * abs(ref)


def test_binom_pmf_slope_k_equals_n_is_the_power_rule():
    # d/dp p**7 = 7 p**6, d2 = 42 p**5 (closed forms), at p = 1 - 1e-12
    p = 1 - 1e-12
    g = dg.derivative(lambda q: ds.binom.pmf(7, 7, q), p)
    h = dg.derivative(lambda u: dg.derivative(lambda q: ds.binom.pmf(7, 7, q), u), p)
    assert abs(g - 7 * p ** 6) <= 4e-16 * 7 and abs(h - 42 * p ** 5) <= 4e-16 * 42


def test_binom_pmf_slope_array_of_points_with_the_ends():
    # one array call: k = n, n - 1, 0 and interior points, p = 0 and 1 among them
    k = np.array([7.0, 6.0, 0.0, 3.0, 7.0, 0.0, 1.0])
    p = np.array([1 - 1e-12, 1 - 1e-12, 1e-12, 0.4, 1.0, 0.0, 0.0])
    g = np.diag(dg.jacobian(lambda q: ds.binom.pmf(k, 7, q), p))
    ref = [_binom_slopes(kk, 7, pp)[0] for kk, pp in zip(k[:4], p[:4])] + [7.0, -7.0, 7.0]
    np.testing.assert_allclose(g, ref, rtol=1e-14)


# ---- attack56 21: the partials of SciPy's NaN and of the quantiles' infinite ends ------

_SYM = ["norm", "cauchy", "logistic", "laplace"]
_METHODS = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]


@pytest.mark.parametrize("name", _SYM)
@pytest.mark.parametrize("method", _METHODS)
def test_nan_input_has_nan_partials_others_untouched(name, method):
    # np.sin at NaN: value NaN, d/dx NaN; the finite element's slope as a call of its own
    f = getattr(getattr(ds, name), method)
    x = np.array([np.nan, 0.7])
    v, g = dg.jvp(f, x, np.ones(2))
    assert np.isnan(v[0]) and np.isnan(g[0])
    assert g[1] == dg.derivative(f, 0.7)
    assert v[1] == getattr(getattr(st, name), method)(0.7)


@pytest.mark.parametrize("where", ["loc", "scale"])
def test_nan_loc_or_scale_gives_nan_partials(where):
    def f(p):
        kw = {"loc": p[0], "scale": p[1]}
        return ds.norm.logpdf(0.3, **kw)
    p = np.array([np.nan, 1.5]) if where == "loc" else np.array([0.2, np.nan])
    g = dg.gradient(f, p)
    assert np.isnan(g).all()
    assert np.isnan(dg.hessian(f, p)).all()


def test_invalid_scale_nan_value_nan_partials():
    # SciPy's NaN for scale < 0: no derivative to read as 0
    g = dg.gradient(lambda p: ds.norm.cdf(0.3, p[0], p[1]), np.array([0.0, -1.0]))
    assert np.isnan(g).all()
    assert np.isnan(float(st.norm.cdf(0.3, 0.0, -1.0)))


def test_discrete_nan_count_gives_nan_partials():
    k = np.array([np.nan, 3.0])
    g = np.diag(dg.jacobian(lambda p: ds.binom.pmf(k, 10, p), np.array([0.4, 0.4])))
    assert np.isnan(g[0]) and g[1] == dg.derivative(lambda p: ds.binom.pmf(3.0, 10, p), 0.4)
    g = dg.derivative(lambda m: ds.poisson.logpmf(np.nan, m), 2.0)
    assert np.isnan(g)


def test_ppf_at_the_ends_agrees_with_ndtri():
    dss = pytest.importorskip("dualgrad.scipy.special")
    for q in (0.0, 1.0):
        a = dg.derivative(ds.norm.ppf, q)
        b = dg.derivative(dss.ndtri, q)
        assert a == b == np.inf
        assert dg.derivative(ds.norm.isf, q) == -np.inf


_ENDS = [("norm", ()), ("cauchy", ()), ("logistic", ()), ("laplace", ()), ("expon", ()),
         ("uniform", ()), ("gamma", (0.5,)), ("gamma", (1.0,)), ("beta", (2.0, 3.0)),
         ("beta", (0.5, 1.0)), ("t", (3.0,)), ("lognorm", (0.7,)), ("chi2", (2.0,)),
         ("pareto", (2.0,)), ("weibull_min", (1.0,)), ("truncnorm", (-1.0, 2.0))]


@pytest.mark.parametrize("name, shapes", _ENDS)
@pytest.mark.parametrize("method", ["ppf", "isf"])
def test_quantile_slope_at_q_0_and_1_is_one_over_the_density(name, shapes, method):
    # d/dq F^-1(q) = 1 / f(F^-1(q)): at q = 0, 1 the density at SciPy's end (inf where
    # it is 0; expon's 1 / 1.7 at 0; 0 where it is infinite); was 0.0 everywhere
    q = np.array([0.0, 1.0])
    f = lambda u: getattr(getattr(ds, name), method)(u, *shapes, loc=0.3, scale=1.7)  # noqa: E731
    v, g = dg.jvp(f, q, np.ones(2))
    ref_v = getattr(getattr(st, name), method)(q, *shapes, loc=0.3, scale=1.7)
    assert np.array_equal(v, ref_v)
    pdf = getattr(st, name).pdf(ref_v, *shapes, loc=0.3, scale=1.7)
    with np.errstate(divide="ignore"):
        ref = (1.0 if method == "ppf" else -1.0) / pdf
    np.testing.assert_allclose(g, ref, rtol=1e-13)


def test_quantile_end_slopes_closed_forms():
    # expon ppf = -s log(1 - q): s at 0; logistic log(q / (1 - q)): inf; uniform s
    assert dg.derivative(lambda q: ds.expon.ppf(q, scale=1.7), 0.0) == 1.7
    assert dg.derivative(lambda q: ds.uniform.ppf(q, 0.3, 1.7), 1.0) == 1.7
    assert dg.derivative(ds.logistic.ppf, 0.0) == np.inf
    # the second derivative: expon's s / (1 - q)**2 = s at 0, logistic's -1/q**2 + ...
    d2 = lambda f, q: dg.derivative(lambda a: dg.derivative(f, a), q)    # noqa: E731
    assert d2(lambda q: ds.expon.ppf(q, scale=1.7), 0.0) == 1.7
    assert d2(ds.logistic.ppf, 0.0) == -np.inf and d2(ds.norm.ppf, 1.0) == np.inf
    assert np.isnan(d2(ds.cauchy.ppf, 0.0))     # no form there: NaN, never 0


@pytest.mark.parametrize("name", _SYM + ["t"])
def test_pdf_at_infinity_has_zero_partials(name):
    # the density is 0 at x = +-inf for every parameter: partials 0 (the limits)
    sh = (3.0,) if name == "t" else ()
    f = lambda p: getattr(ds, name).pdf(p[0], *sh, loc=p[1], scale=p[2])   # noqa: E731
    for x in (np.inf, -np.inf):
        v, g = dg.value_and_grad(f)(np.array([x, 0.3, 1.7]))
        assert v == 0.0 and np.array_equal(g, np.zeros(3))


# ---- attack56 19: Student t's df slopes deep in the tail ---------------------------------

def _t_cdf_mp(x, nu):
    z = nu / (nu + mp.mpf(x) ** 2)
    v = mp.betainc(nu / 2, mp.mpf(1) / 2, 0, z, regularized=True) / 2
    return v if x < 0 else 1 - v


def _t_pdf_mp(x, nu):
    x, nu = mp.mpf(x), mp.mpf(nu)
    return (mp.gamma((nu + 1) / 2) / (mp.sqrt(nu * mp.pi) * mp.gamma(nu / 2))
            * (1 + x ** 2 / nu) ** (-(nu + 1) / 2))


_TAIL = [(0.7, 1e-100), (0.7, 1e-300), (1.0, 1e-100), (1.0, 1e-200), (1.0, 1e-300),
         (2.5, 1e-200), (5.0, 1e-100), (5.0, 1e-200), (30.0, 1e-200), (30.0, 1e-300),
         (200.0, 1e-300)]


@pytest.mark.parametrize("df, q", _TAIL)
def test_t_ppf_and_cdf_df_slopes_in_the_far_tail(df, q):
    # was +inf (df = 30, q = 1e-300: 1 / pdf overflowed) and NaN (df <= 1, |x| > 1e154:
    # x * x overflowed); mpmath's derivative of I_z(df / 2, 1 / 2) / 2 at 80 digits
    x = float(st.t.ppf(q, df))
    with mp.workdps(80):
        d = mp.diff(lambda nu: _t_cdf_mp(x, nu), mp.mpf(df))
        ref_ppf, ref_cdf = float(-d / _t_pdf_mp(x, df)), float(d)
    g = dg.derivative(lambda nu: ds.t.ppf(q, nu), df)
    assert abs(g - ref_ppf) <= 2e-13 * abs(ref_ppf)
    for sign in (1.0, -1.0):     # the upper tail: the slope's sign flips
        gc = dg.derivative(lambda nu: ds.t.cdf(sign * x, nu), df)
        assert abs(gc - sign * ref_cdf) <= 5e-14 * abs(ref_cdf)     # (1.8e-14 at df = 200: betainc)


def test_t_tail_second_derivatives_closed_form():
    # far out the tail mass is K(df) |t|**-df (relative error df**2 / t**2 < 1e-300
    # here), K = Gamma((df + 1) / 2) df**((df - 2) / 2) / (sqrt(pi) Gamma(df / 2)): the
    # quantile -(K / q)**(1 / df) and the cdf, differentiated twice by mpmath
    K = lambda n: (mp.gamma((n + 1) / 2) * n ** ((n - 2) / 2)        # noqa: E731
                   / (mp.sqrt(mp.pi) * mp.gamma(n / 2)))
    with mp.workdps(60):
        q = mp.mpf(1e-200)
        ppf2 = float(mp.diff(lambda n: -(K(n) / q) ** (1 / n), 1, 2))
        cdf2 = float(mp.diff(lambda n: K(n) * mp.mpf(3.2e199) ** (-n), 1, 2))
    d2 = lambda f: dg.derivative(lambda a: dg.derivative(f, a), 1.0)     # noqa: E731
    assert abs(d2(lambda n: ds.t.ppf(1e-200, n)) - ppf2) <= 1e-13 * abs(ppf2)
    assert abs(d2(lambda n: ds.t.cdf(-3.2e199, n)) - cdf2) <= 1e-13 * abs(cdf2)


def test_stdtr_stdtrit_rows_in_the_far_tail():
    dss = pytest.importorskip("dualgrad.scipy.special")
    with mp.workdps(80):
        d = mp.diff(lambda nu: _t_cdf_mp(-3.2e199, nu), mp.mpf(1))
        ref_cdf = float(d)
        x = float(st.t.ppf(1e-200, 1.0))
        ref_ppf = float(-mp.diff(lambda nu: _t_cdf_mp(x, nu), mp.mpf(1)) / _t_pdf_mp(x, 1))
    assert abs(dg.derivative(lambda n: dss.stdtr(n, -3.2e199), 1.0) - ref_cdf) <= 5e-15 * abs(ref_cdf)
    assert abs(dg.derivative(lambda n: dss.stdtr(n, 3.2e199), 1.0) + ref_cdf) <= 5e-15 * abs(ref_cdf)
    assert abs(dg.derivative(lambda n: dss.stdtrit(n, 1e-200), 1.0) - ref_ppf) <= 1e-14 * abs(ref_ppf)


# ---- attack56 20: the dual median / quantile / percentile keep NumPy's zeros -------------

_ZEROS = [[0.0, -0.0, 1.0], [-0.0, -0.0, -0.0], [-0.0, 0.0, -1.0, 2.0, -0.0], [-0.0, 1.0],
          [0.0, -0.0], [-1.0, -0.0, 0.0, 3.0]]


@pytest.mark.parametrize("x", _ZEROS)
@pytest.mark.parametrize("how", ["median", "quantile", "percentile", "nanmedian", "qarray",
                                 "midpoint", "nearest"])
def test_order_statistics_keep_numpys_zero_signs(x, how):
    # f's float call is the oracle: 1 / f(x) tells its zero's sign (+inf for 0.0)
    f = {"median": np.median, "quantile": lambda v: np.quantile(v, 0.5),
         "percentile": lambda v: np.percentile(v, 40), "nanmedian": np.nanmedian,
         "qarray": lambda v: np.quantile(v, [0.0, 0.3, 0.5, 1.0]),
         "midpoint": lambda v: np.quantile(v, 0.5, method="midpoint"),
         "nearest": lambda v: np.quantile(v, 0.5, method="nearest")}[how]
    x = np.array(x)
    with np.errstate(divide="ignore"):
        want = 1.0 / np.asarray(f(x))
        val, tangent = dg.jvp(f, x, np.ones(x.size))
        got = 1.0 / np.asarray(val)
    assert np.array_equal(got, want)
    # the partials stay the order statistics' (a sum of unit rows: 1 for a ones tangent)
    assert np.allclose(tangent, 1.0)


def test_median_of_signed_zeros_2d_axes():
    x = np.array([[0.0, -0.0, 1.0], [-0.0, -0.0, 2.0]])
    for ax in (0, 1, None):
        val = dg.jvp(lambda v: np.median(v, axis=ax), x, np.ones_like(x))[0]
        assert np.array_equal(np.signbit(np.asarray(val)), np.signbit(np.median(x, axis=ax)))


# ---- attack57 08: a Python float x past 1.3e154 with a dual shape -------------------------

@pytest.mark.parametrize("call", [lambda d: ds.t.logpdf(1e200, d), lambda d: ds.t.pdf(1e200, d),
                                  lambda d: ds.t.logpdf(1.0, d, 0.0, 1e-300),
                                  lambda d: ds.truncnorm.logpdf(1e200, -d, 2.0)])
def test_python_float_far_out_gives_scipys_value_not_overflowerror(call):
    # was a raw OverflowError from z ** 2 on a Python float; SciPy's value now
    v, _ = dg.value_and_grad(call)(3.0)
    assert v == call(3.0) and v in (-np.inf, 0.0)


@pytest.mark.parametrize("df", [1.0, 2.5])
@pytest.mark.parametrize("x", [1e103, 1e110, 1e120])
def test_t_logsf_logcdf_df_slope_far_out(df, x):
    # attack57 03: exactly 0.5 too low past x ~ 10**102.75 (the betainc form's end)
    with mp.workdps(60):
        ref = float(mp.diff(lambda n: mp.log(mp.betainc(n / 2, mp.mpf(1) / 2, 0, n / (n + mp.mpf(x) ** 2),
                                                        regularized=True) / 2), df))
    for g in (dg.derivative(lambda n: ds.t.logsf(x, n), df),
              dg.derivative(lambda n: ds.t.logcdf(-x, n), df)):
        assert abs(g - ref) <= 1e-14 * abs(ref)


# ---- attack57 04: weibull_min's density near 0 for c < 1 ---------------------------------

@pytest.mark.parametrize("x", [1e-100, 1e-200, 1e-250, 1e-300])
@pytest.mark.parametrize("c", [0.5, 0.8])
def test_weibull_min_pdf_scale_slope_near_zero(x, c):
    # d/ds pdf(x; c, 0, s) at s = 1: pdf (-c + c x**c) (closed form; was inf past the
    # power's overflow, (c - 1) x**(c - 2))
    with mp.workdps(40):
        X = mp.mpf(x)
        pdf = c * X ** (c - 1) * mp.exp(-X ** c)
        ref = float(pdf * (-c + c * X ** c))
    v, g = dg.value_and_grad(lambda s: ds.weibull_min.pdf(x, c, 0.0, s))(1.0)
    assert v == st.weibull_min.pdf(x, c, 0.0, 1.0)
    assert abs(g - ref) <= 2e-13 * abs(ref)


@pytest.mark.parametrize("c", [1e4, 1e6, 1e15])
def test_weibull_min_pdf_past_one_keeps_scipys_value(c):
    # diff57 31: the near-0 form above also took z = 1.3 with a large c ((2 - c) (-log z)
    # is positive there too): the dual's value was 0.0 where SciPy's is inf * 0 = NaN
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = st.weibull_min.pdf(1.3, c)
        for v in (dg.value_and_grad(lambda x: ds.weibull_min.pdf(x, c))(1.3)[0],
                  dg.value_and_grad(lambda a: ds.weibull_min.pdf(1.3, a))(c)[0]):
            assert np.array_equal(v, want, equal_nan=True)


@pytest.mark.parametrize("df", [250.0, 300.0, 500.0, 999.0])
def test_t_tail_slope_underflows_to_zero_not_nan(df):
    # attack57 20: df**((df - 2) / 2) overflowed (inf * 0 = NaN) where the slope is below
    # the smallest double (the tail mass ~ t**-df < 1e-2800 here)
    sc = pytest.importorskip("scipy.special")
    x = 1.01e10 * (df + 1)
    for t in (x, -x):
        assert dg.derivative(lambda n: sc.stdtr(n, t), df) == 0.0
        assert dg.derivative(lambda n: ds.t.sf(t, n), df) == 0.0
