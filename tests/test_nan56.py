"""nan56: a dual's value from dualgrad.scipy.stats is SciPy's float call's bits.

attack55 10: ``dg.value_and_grad(lambda m: ds.poisson.logpmf(k, m))(mu)``'s value came
from the Stirling form that nan55 wrote for the partials (8.7e-11 .. 5.0e-6 relative
off f(mu) at k = mu = 1e6 .. 1e12); gamma / beta / chi2 / t densities (their Stirling
and log1p forms), pdfs written as ``exp(logpdf)`` beside SciPy's own ``_pdf`` (beta's
Boost density), truncnorm's, expon's and weibull's quantiles with a dual loc / scale
differed by ulps to 1e-8 the same way.  API.md's pair is ``(f(x), J v)``.

Oracles: SciPy's float call itself for the values (bit for bit); the partials, which
must stay the accurate form's, against closed forms (``k / mu - 1``, ``(a - 1) / x -
1``) and mpmath (``log x - psi(a)``) at 40 digits.
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


def _same(v, ref):
    v, ref = float(v), float(ref)
    return v == ref or (np.isnan(v) and np.isnan(ref))


# ---- attack55 10's rows: the value is f(x)'s, the slope the accurate one ----------------

@pytest.mark.parametrize("k", [9.0, 300.0, 1e6, 1e9, 1e12, 1e16])
@pytest.mark.parametrize("method", ["logpmf", "pmf"])
def test_poisson_value_is_scipys_and_slope_exact(k, method):
    mu = k + 3.0 * np.sqrt(k)
    f = lambda m: getattr(ds.poisson, method)(k, m)         # noqa: E731
    v, g = dg.value_and_grad(f)(mu)
    assert _same(v, f(mu)) and _same(v, getattr(st.poisson, method)(k, mu))
    with mp.workdps(40):
        slope = mp.mpf(k) / mp.mpf(mu) - 1          # d/dmu log pmf
        if method == "pmf":
            m = mp.mpf(mu)
            slope *= mp.exp(k * mp.log(m) - m - mp.loggamma(mp.mpf(k) + 1))
    assert abs(float(g) - float(slope)) <= 1e-12 * abs(float(slope)) + 1e-300


@pytest.mark.parametrize("a", [30.0, 1e6, 1e12])
def test_gamma_logpdf_value_is_scipys_slopes_exact(a):
    x = a + 0.7 * np.sqrt(a)
    v, g = dg.value_and_grad(lambda p: ds.gamma.logpdf(p[0], p[1]))(np.array([x, a]))
    assert _same(v, st.gamma.logpdf(x, a))
    with mp.workdps(40):
        dx = (mp.mpf(a) - 1) / mp.mpf(x) - 1
        da = mp.log(mp.mpf(x)) - mp.digamma(mp.mpf(a))
    assert abs(g[0] - float(dx)) <= 1e-13 * abs(float(dx))
    assert abs(g[1] - float(da)) <= 1e-12 * abs(float(da))


def test_value_and_grad_value_equals_f_over_an_array():
    """An array of means across the Stirling switch (k = 1000) and a jvp: each
    element SciPy's bits."""
    k = np.array([5.0, 999.0, 1000.0, 1e6, 1e12])
    mu = k * 1.001 + 1.0
    out, tangent = dg.jvp(lambda m: ds.poisson.logpmf(k, m), mu, np.ones(5))
    assert np.array_equal(out, st.poisson.logpmf(k, mu))
    assert np.allclose(tangent, k / mu - 1.0, rtol=1e-12, atol=0)


def test_hessian_level_values_are_scipys():
    """Nested duals (a Hessian's): the innermost value is SciPy's float call."""
    a = 1e6
    x = a + 300.0
    seen = []

    def f(p):
        seen.append(ds.gamma.logpdf(p, a))
        return seen[-1]
    h = dg.hessian(f, x)
    out = seen[-1]
    assert isinstance(out, dg.Dual) and isinstance(out.value, dg.Dual)
    while isinstance(out, dg.Dual):
        out = out.value
    assert _same(out, st.gamma.logpdf(x, a))
    assert abs(float(np.squeeze(h)) + (a - 1) / x ** 2) <= 1e-13 * (a - 1) / x ** 2


# ---- a sweep: every univariate distribution and method, a dual in each argument ---------

_CONT = {
    "norm": [()], "lognorm": [(0.5,)], "expon": [()], "gamma": [(2.5,), (30.0,), (1e6,)],
    "beta": [(2.0, 3.0), (30.0, 50.0), (1e6, 2e6), (1e6, 20.0)], "t": [(3.0,), (25.0,), (1e4,)],
    "cauchy": [()], "logistic": [()], "laplace": [()], "uniform": [()],
    "chi2": [(3.0,), (60.0,), (2e6,)], "pareto": [(2.5,)], "weibull_min": [(1.7,)],
    "truncnorm": [(-1.0, 2.0), (3.0, 8.0)],
}


def _points(name, sh):
    if name in ("gamma", "chi2"):
        a = sh[0] if name == "gamma" else sh[0] / 2
        c = 1.0 if name == "gamma" else 2.0
        return [c * (a - 1.5 * np.sqrt(a)), c * (a + 0.7 * np.sqrt(a))]
    if name == "beta":
        a, b = sh
        m = a / (a + b)
        s = np.sqrt(a * b / (a + b) ** 2 / (a + b + 1))
        return [m - 1.5 * s, m + 0.7 * s, m * 0.3]
    if name == "t":
        return [-3.0, 0.3]
    if name == "pareto":
        return [1.3, 4.0]
    if name == "truncnorm":
        return [sh[0] + 0.3, (sh[0] + sh[1]) / 2]
    if name in ("lognorm", "expon", "weibull_min", "uniform"):
        return [0.3, 0.8]
    return [-2.0, 0.3]


def _cases():
    for name, shapes in _CONT.items():
        for sh in shapes:
            yield name, sh


@pytest.mark.parametrize("name, sh", list(_cases()))
def test_every_continuous_method_value_is_scipys_bits(name, sh):
    D, S = getattr(ds, name), getattr(st, name)
    wrong = []
    calls = [(m, x) for x in _points(name, sh)
             for m in ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf")]
    calls += [(m, q) for m in ("ppf", "isf") for q in (1e-10, 0.3, 0.9)]
    for method, x in calls:
        args = (x,) + sh + (0.25, 1.5)
        ref = getattr(S, method)(*args)
        for i in range(len(args)):
            def f(v, i=i):
                a = list(args)
                a[i] = v
                return getattr(D, method)(*a)
            try:
                v = dg.value_and_grad(f)(float(args[i]))[0]
            except TypeError:           # a named refusal (an underflowed log cdf)
                continue
            if not _same(v, ref):
                wrong.append((method, x, i, float(v), float(ref)))
    assert not wrong, wrong


_DISC = {"poisson": [(7.5,), (1e6,), (1e12,)], "binom": [(20, 0.3), (1e6, 0.3)],
         "nbinom": [(5.5, 0.3), (1e6, 0.5)], "geom": [(0.2,), (1e-6,)],
         "bernoulli": [(0.3,)], "betabinom": [(20, 2.5, 3.5), (1e6, 1e3, 2e3)]}


def _counts(name, sh):
    if name == "poisson":
        return [np.floor(sh[0]), np.floor(sh[0] + 2 * np.sqrt(sh[0]))]
    if name in ("binom", "betabinom"):
        m = sh[0] * (0.3 if name == "binom" else sh[1] / (sh[1] + sh[2]))
        return [np.floor(m), np.floor(m + 2 * np.sqrt(m))]
    if name == "nbinom":
        m = sh[0] * (1 - sh[1]) / sh[1]
        return [np.floor(m), np.floor(m + 2 * np.sqrt(m)) + 1]
    if name == "geom":
        return [1.0, np.floor(2.0 / sh[0])]
    return [0.0, 1.0]


@pytest.mark.parametrize("name, sh", [(n, s) for n, ss in _DISC.items() for s in ss])
def test_every_discrete_method_value_is_scipys_bits(name, sh):
    D, S = getattr(ds, name), getattr(st, name)
    wrong = []
    for k in _counts(name, sh):
        for method in D.methods:
            ref = getattr(S, method)(k, *sh)
            for i in range(len(sh)):
                if D.refused.get(("*", i)):
                    continue

                def f(v, i=i):
                    a = list(sh)
                    a[i] = v
                    return getattr(D, method)(k, *a)
                try:
                    v = dg.value_and_grad(f)(float(sh[i]))[0]
                except TypeError:
                    continue
                if not _same(v, ref):
                    wrong.append((method, k, i, float(v), float(ref)))
    assert not wrong, wrong


# ---- gammainc's shape slope: refused at once where its fraction cannot converge ---------

sc = pytest.importorskip("scipy.special")


@pytest.mark.parametrize("f, a, x", [(sc.gammaincc, 1e300, 1e300), (sc.gammainc, 1e300, 1e300),
                                     (sc.gammaincc, 1e15, 1e15 + 10.0),
                                     (sc.gammaincc, 1e16, 1e16 + 1e6)])
def test_unconvergeable_fraction_refused_at_once(f, a, x):
    """fastci55 2: gammaincc(1e300, 1e300) of a dual was refused by name after ~17 s of
    the fraction's 200000 steps (75 s at a = 1e15, x = a + 10); now before any step."""
    import time
    t0 = time.process_time()
    with pytest.raises(TypeError, match="did not converge"):
        dg.derivative(lambda p: f(p, x), a)
    assert time.process_time() - t0 < 3.0


@pytest.mark.parametrize("a, x", [(1e14, 1e14 + 1e7), (1e15, 1e15 + 5e7), (1e15, 1e15 + 1e8)])
def test_convergent_fraction_beside_the_precheck_still_answers(a, x):
    """Three and more deviations above the mean at a = 1e14 .. 1e15 the fraction
    converges in tens to thousands of steps: answered, against SciPy's five-point
    differences (SciPy's own value noise ~1e-8 there)."""
    g = dg.derivative(lambda p: sc.gammaincc(p, x), a)
    h = 3e5
    fd = (-sc.gammaincc(a + 2 * h, x) + 8 * sc.gammaincc(a + h, x)
          - 8 * sc.gammaincc(a - h, x) + sc.gammaincc(a - 2 * h, x)) / (12 * h)
    assert abs(g / fd - 1) < 1e-6


# ---- the multivariate densities: SciPy's eigh route's value, the Cholesky route's partials

_X = np.array([[0.3, -1.2, 2.0], [1.0, 0.5, -0.2]])
_MU = np.array([0.1, 0.2, -0.3])
_S = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]])


@pytest.mark.parametrize("method", ["logpdf", "pdf"])
@pytest.mark.parametrize("df", [None, 3.0, 25.0, 1e4, 1e9])
def test_multivariate_values_are_scipys_bits(method, df):
    """multivariate_normal's value differed from SciPy's by ulps (Cholesky beside
    SciPy's eigh), multivariate_t's by 7e-8 at df = 1e9 (SciPy's gammaln difference
    beside the Stirling form); the partials against the closed form of the normal's
    gradient in the mean, ``S^-1 (x - mu)`` summed over the points."""
    if df is None:
        f = lambda m: getattr(ds.multivariate_normal, method)(_X, m, _S)   # noqa: E731
        ref = getattr(st.multivariate_normal, method)(_X, _MU, _S)
    else:
        f = lambda m: getattr(ds.multivariate_t, method)(_X, m, _S, df)    # noqa: E731
        ref = getattr(st.multivariate_t, method)(_X, _MU, _S, df)
    out, _ = dg.jvp(f, _MU, np.array([1.0, 0.0, 0.0]))
    assert np.array_equal(out, ref)
    if df is None and method == "logpdf":
        g = dg.gradient(lambda m: np.sum(f(m)), _MU)
        want = np.linalg.solve(_S, (_X - _MU).T).sum(axis=1)
        np.testing.assert_allclose(g, want, rtol=1e-13)
    if df is not None:
        v, _ = dg.value_and_grad(lambda d: getattr(ds.multivariate_t, method)(_X[0], _MU, _S, d))(df)
        assert float(v) == float(getattr(st.multivariate_t, method)(_X[0], _MU, _S, df))


# ---- binom.logpmf's slope in p: k / p - (n - k) / (1 - p) cancelled ----------------------

@pytest.mark.parametrize("n, p", [(1e6, 0.3), (1e12, 0.3), (1e16, 0.3), (1e16, 0.1), (1e6, 0.999)])
@pytest.mark.parametrize("sd", [0.0, 2.0, -30.0])
def test_binom_logpmf_slopes_in_p_against_the_closed_form(n, p, sd):
    """The two terms ~n cancel to ~sqrt(n): 1.2e-9 relative off at n = 1e16, p = 0.3
    (2 deviations out); now the beta(k, n - k) Stirling form near the mode.  Value:
    SciPy's bits; slope and curvature: ``k / p - (n - k) / (1 - p)``, ``-k / p**2 - (n -
    k) / (1 - p)**2`` at 40 digits, to ulps of the terms' size."""
    k = np.floor(n * p + sd * np.sqrt(n * p * (1 - p)))
    f = lambda q: ds.binom.logpmf(k, n, q)      # noqa: E731
    v, g = dg.value_and_grad(f)(p)
    assert _same(v, st.binom.logpmf(k, n, p))
    h = float(np.squeeze(dg.hessian(f, p)))
    with mp.workdps(40):
        K, N, P = mp.mpf(k), mp.mpf(n), mp.mpf(p)
        slope, size = K / P - (N - K) / (1 - P), K / P + (N - K) / (1 - P)
        curve = -K / P ** 2 - (N - K) / (1 - P) ** 2
    assert abs(g - float(slope)) <= 4e-16 * abs(float(slope)) + 1e-18 * float(size)
    assert abs(h - float(curve)) <= 1e-14 * abs(float(curve))


# ---- attack56 02: np.tanh's second level where cosh(x)**2 overflows ---------------------

@pytest.mark.parametrize("chunk", [None, 1])
def test_tanh_second_level_past_cosh_squared_overflow_is_zero_not_nan(chunk):
    """sech(x)**2's second level differentiated 1 / cosh(x) with cosh**2 = inf and, once
    x's own partial was large, sinh(x) * dx = inf: NaN for every exact entry ~1e-600
    (0.0 in floats) of tanh(q0 q1)'s Hessian at (100, 7.06) (chunk 1: [0, 0, 0, nan]).
    Oracle: -2 tanh sech**2 and its products at 60 digits underflow to 0."""
    kw = {} if chunk is None else {"chunk": chunk}
    for f, q in [(lambda q: np.tanh(q[0] * q[1]), [100.0, 7.06]),
                 (lambda q: np.tanh(q[0] / q[1]), [706.0, 1.0]),
                 (lambda q: np.tanh(q[0] * q[1]), [1.0, 380.0])]:
        h = dg.hessian(f, np.array(q), **kw)
        assert np.array_equal(h, np.zeros((2, 2))), h
    assert dg.derivative(lambda u: dg.derivative(lambda v: np.tanh(u * v), 706.0), 1.0) == 0.0


@pytest.mark.parametrize("x", [20.0, 300.0, 354.0, 360.0, -370.0])
def test_tanh_second_derivative_below_the_hold_against_mpmath(x):
    """Below the hold (|x| <= 374) the row is sech(x)**2 itself: its derivative
    ``-2 tanh sech**2`` against mpmath (relative where normal; subnormal: below it)."""
    got = dg.derivative(lambda v: dg.derivative(np.tanh, v), x)
    with mp.workdps(60):
        want = float(-2 * mp.tanh(x) * mp.sech(x) ** 2)
    if abs(want) < 2.3e-308:
        assert abs(got) < 2.3e-308
    else:
        assert abs(got - want) <= 1e-13 * abs(want), (got, want)
