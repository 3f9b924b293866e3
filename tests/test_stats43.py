"""dualgrad.scipy.stats: scipy.stats' distributions on duals.

Plain input: SciPy's own result (bit for bit).  Duals: SciPy's value (rtol 1e-14,
out-of-support and invalid points included), the partials in every argument against
8th-order central differences of SciPy's own function, analytic forms (the normal's
score, gamma's and Dirichlet's digamma, Poisson's k / mu - 1, nbinom's), mpmath (the
t density's derivative in df), nested (Hessians against differences of differences,
through the lifted cdfs and quantiles too), broadcasting, freezing, sparsity="auto",
and the named TypeErrors where a derivative is not available.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest

ss = pytest.importorskip("scipy.stats")
sc = pytest.importorskip("scipy.special")

import dualgrad as dg  # noqa: E402
from dualgrad import errors  # noqa: E402
from dualgrad.scipy import stats as ds  # noqa: E402

_C = [4 / 5, -1 / 5, 4 / 105, -1 / 280]               # 8th-order central differences
LOC, SCALE = 0.3, 1.7
CONT = {"norm": (), "lognorm": (0.7,), "expon": (), "gamma": (2.3,), "beta": (2.5, 1.7),
        "t": (3.5,), "cauchy": (), "logistic": (), "laplace": (), "uniform": (), "chi2": (3.3,),
        "pareto": (2.2,)}
CONT_METHODS = ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")
DISC = {"poisson": (3.2,), "binom": (12, 0.35), "nbinom": (2.5, 0.4), "geom": (0.3,),
        "bernoulli": (0.3,)}
DISC_METHODS = ("pmf", "logpmf", "cdf", "sf")
# (name, method, shape index): no closed-form derivative, a named TypeError
# (t's cdf-like methods in df were refused until misc47: stdtr's row has d/d(df) now)
REFUSED = set()


def _cd(f, u, h):
    """Elementwise derivative of ``f`` at ``u`` (``f`` maps arrays elementwise)."""
    return sum(c * (f(u + (k + 1) * h) - f(u - (k + 1) * h)) for k, c in enumerate(_C)) / h


def _close(got, want, rtol):
    scale = np.maximum(1.0, np.abs(want))
    np.testing.assert_array_less(np.abs(got - want), rtol * scale + 1e-300)


def _cont(mod, name, method, args):
    """``mod.name.method(x, *shapes, loc=, scale=)`` with ``args = (x, loc, scale,
    *shapes)``."""
    x, loc, scale, *shapes = args
    return getattr(getattr(mod, name), method)(x, *shapes, loc=loc, scale=scale)


def _points(name, method):
    """Inside the support, away from its ends (derivatives), as x or as q."""
    if method in ("ppf", "isf"):
        return np.array([0.01, 0.2, 0.45, 0.77, 0.95])   # (laplace's kink at 1/2)
    z = {"lognorm": [0.3, 0.9, 1.6, 3.0], "expon": [0.1, 0.7, 2.0, 5.0],
         "gamma": [0.3, 1.1, 2.5, 6.0], "beta": [0.05, 0.3, 0.6, 0.93],
         "chi2": [0.3, 1.1, 2.5, 6.0], "pareto": [1.1, 1.7, 3.0, 9.0],
         "uniform": [0.05, 0.3, 0.6, 0.93]}.get(name, [-4.0, -0.6, 0.2, 1.3, 6.0])
    return LOC + SCALE * np.array(z)


def _edges(method):
    """Points SciPy treats apart: outside the support, its ends, the tails, NaN."""
    if method in ("ppf", "isf"):
        return np.array([0.0, 1e-300, 1e-10, 0.3, 0.5, 0.999, 1.0, -0.1, 1.1, np.nan])
    return LOC + SCALE * np.array([-40, -3, -1, -1e-3, 0, 1e-3, 0.05, 0.4, 0.5, 0.96, 1,
                                   1.5, 3, 12, 40, np.nan])


# ---- plain input: SciPy's own call ---------------------------------------------------

@pytest.mark.parametrize("name", CONT)
def test_plain_is_scipy(name):
    x = _edges("pdf")
    for m in CONT_METHODS:
        a = (_edges(m), LOC, SCALE, *CONT[name])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.testing.assert_array_equal(_cont(ds, name, m, a), _cont(ss, name, m, a))
    assert type(ds.norm.logpdf(1.0)) is type(ss.norm.logpdf(1.0))
    del x


# ---- values on duals ------------------------------------------------------------------

@pytest.mark.parametrize("method", CONT_METHODS)
@pytest.mark.parametrize("name", CONT)
def test_dual_value_is_scipys(name, method):
    """Every point SciPy treats apart (outside the support, its ends, NaN, the tails)
    gives SciPy's value; its NaN (an invalid point) has partials NaN (nan57, attack56
    21: 0.0 read as flat; np.sin's at NaN are NaN)."""
    x = _edges(method)
    args = (x, LOC, SCALE, *CONT[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = _cont(ss, name, method, args)
    got, d = dg.jvp(lambda u: _cont(ds, name, method, (u,) + args[1:]), x, np.ones_like(x))
    same = (got == want) | np.isclose(got, want, rtol=1e-14, atol=0, equal_nan=True)
    assert same.all(), (x[~same], got[~same], want[~same])
    assert np.all(np.isnan(d[np.isnan(got)]))           # the partials of NaN: NaN


@pytest.mark.parametrize("name", DISC)
def test_discrete_values_and_slopes(name):
    """pmf / logpmf / cdf / sf at counts inside, outside, non-integer, +-inf, NaN:
    SciPy's value; the derivative in the last parameter (mu or p) against central
    differences of SciPy's own function (finite counts inside)."""
    shapes = DISC[name]
    k = np.array([-1, 0, 1, 2, 3, 5, 7.5, 12, 13, 40, np.inf, -np.inf, np.nan])
    last = len(shapes) - 1
    for m in DISC_METHODS:
        def f(mod, u):
            a = list(shapes)
            a[last] = u
            return getattr(getattr(mod, name), m)(k, *a)
        p0 = np.full(k.shape, float(shapes[last]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = f(ss, p0)
            got, d = dg.jvp(lambda u: f(ds, u), p0, np.ones_like(p0))
            oracle = _cd(lambda u: f(ss, u), p0, 1e-4 * p0)
        same = (got == want) | np.isclose(got, want, rtol=1e-14, atol=0, equal_nan=True)
        assert same.all(), (m, k[~same], got[~same], want[~same])
        inside = np.isfinite(k) & (k >= 0) & np.isfinite(oracle)
        _close(d[inside], oracle[inside], 1e-7)
        assert np.all(d[np.isinf(k)] == 0)              # SciPy's constant there
        assert np.all(np.isnan(d[np.isnan(k)]))         # NaN's partials: NaN (nan57)


# ---- partials: central differences of SciPy's own function ----------------------------

def _cases():
    for name in CONT:
        for method in CONT_METHODS:
            for arg in range(3 + len(CONT[name])):
                yield name, method, arg


@pytest.mark.parametrize("name,method,arg", list(_cases()))
def test_partials_against_scipy(name, method, arg):
    """d/dx (or q), d/dloc, d/dscale, d/dshape of every method, elementwise, against
    8th-order central differences of SciPy's own method; the refused ones raise."""
    x = _points(name, method)
    args = [x, LOC, SCALE, *CONT[name]]
    args = [np.full(x.shape, float(a)) if np.ndim(a) == 0 else a for a in args]
    u0 = args[arg]

    def f(mod, u):
        a = list(args)
        a[arg] = u
        return _cont(mod, name, method, a)

    if (name, method, arg - 3) in REFUSED:
        with pytest.raises(TypeError, match=r"stop_gradient.*|.*no closed form"):
            dg.jvp(lambda u: f(ds, u), u0, np.ones_like(u0))
        return
    h = 1e-4 * np.maximum(1.0, np.abs(u0)) if method not in ("ppf", "isf") or arg else \
        np.minimum(1e-4, u0 / 20)
    h = np.minimum(h, 0.002) if name in ("beta", "uniform") else h
    _, d = dg.jvp(lambda u: f(ds, u), u0, np.ones_like(u0))
    oracle = _cd(lambda u: f(ss, u), u0, h)
    _close(d, oracle, 1e-7)


@pytest.mark.parametrize("name", DISC)
def test_discrete_partials_in_every_parameter(name):
    """logpmf in each real parameter (nbinom's n too) against central differences of
    SciPy's; counts and binom's n refused by name."""
    shapes = DISC[name]
    k = np.array([0.0, 1, 2, 4, 9])
    for i, s in enumerate(shapes):
        if name == "binom" and i == 0:
            with pytest.raises(TypeError, match="binom's n is a count"):
                dg.gradient(lambda n: np.sum(ds.binom.logpmf(k, n, 0.3)), 12.0)
            continue
        for m in ("pmf", "logpmf"):
            def f(mod, u):
                a = list(shapes)
                a[i] = u
                return getattr(getattr(mod, name), m)(k, *a)
            u0 = np.full(k.shape, float(s))
            _, d = dg.jvp(lambda u: f(ds, u), u0, np.ones_like(u0))
            _close(d, _cd(lambda u: f(ss, u), u0, 1e-4 * u0), 1e-7)
    with pytest.raises(TypeError, match="a dual k"):
        dg.gradient(lambda k: getattr(ds, name).logpmf(k, *shapes), 2.0)


# ---- analytic and mpmath oracles ------------------------------------------------------

def test_norm_score_analytic():
    x = np.array([-1.0, 0.4, 2.5, 7.0])
    mu, sigma = 0.7, 1.3
    g = dg.gradient(lambda p: np.sum(ds.norm.logpdf(x, p[0], p[1])), np.array([mu, sigma]))
    want = [np.sum(x - mu) / sigma ** 2, np.sum(-1 / sigma + (x - mu) ** 2 / sigma ** 3)]
    np.testing.assert_allclose(g, want, rtol=1e-14)
    h = dg.hessian(lambda p: np.sum(ds.norm.logpdf(x, p[0], p[1])), np.array([mu, sigma]))
    n = len(x)
    want = [[-n / sigma ** 2, -2 * np.sum(x - mu) / sigma ** 3],
            [-2 * np.sum(x - mu) / sigma ** 3, n / sigma ** 2 - 3 * np.sum((x - mu) ** 2) /
             sigma ** 4]]
    np.testing.assert_allclose(h, want, rtol=1e-13)
    # cdf, logcdf far in the tail: the density and the inverse Mills ratio
    z = np.array([-30.0, -8.0, 0.5, 9.0])
    np.testing.assert_allclose(dg.derivative(lambda t: ds.norm.cdf(z, t), 0.0),
                               -ss.norm.pdf(z), rtol=1e-14)
    np.testing.assert_allclose(dg.derivative(lambda t: ds.norm.logsf(t + z), 0.0),
                               -np.exp(ss.norm.logpdf(z) - ss.norm.logsf(z)), rtol=1e-13)


def test_gamma_poisson_nbinom_dirichlet_analytic():
    x, a, scale = np.array([0.4, 1.7, 5.0]), 2.3, 1.9
    g = dg.gradient(lambda p: np.sum(ds.gamma.logpdf(x, p[0], scale=p[1])),
                    np.array([a, scale]))
    np.testing.assert_allclose(g, [np.sum(np.log(x / scale) - sc.digamma(a)),
                                   np.sum(-a / scale + x / scale ** 2)], rtol=1e-14)
    k, mu = np.array([0.0, 1, 3, 8]), 2.6
    np.testing.assert_allclose(dg.derivative(lambda m: ds.poisson.logpmf(k, m), mu),
                               k / mu - 1, rtol=1e-14)
    n, p = 2.5, 0.35
    gn = dg.derivative(lambda n: ds.nbinom.logpmf(k, n, p), n)
    gp = dg.derivative(lambda p: ds.nbinom.logpmf(k, n, p), p)
    np.testing.assert_allclose(gn, sc.digamma(k + n) - sc.digamma(n) + np.log(p), rtol=1e-13)
    np.testing.assert_allclose(gp, n / p - k / (1 - p), rtol=1e-14)
    alpha, xs = np.array([1.5, 2.0, 3.0]), np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(dg.gradient(lambda al: ds.dirichlet.logpdf(xs, al), alpha),
                               np.log(xs) - sc.digamma(alpha) + sc.digamma(alpha.sum()),
                               rtol=1e-14)
    assert ds.dirichlet.logpdf(xs, dg.stop_gradient(alpha)) == ss.dirichlet.logpdf(xs, alpha)


@pytest.mark.mp_dps(40)
def test_t_logpdf_df_against_mpmath():
    mpmath = pytest.importorskip("mpmath")

    def logpdf(z, nu):
        return (mpmath.loggamma((nu + 1) / 2) - mpmath.loggamma(nu / 2) -
                mpmath.log(nu * mpmath.pi) / 2 - (nu + 1) / 2 * mpmath.log1p(z * z / nu))
    for z, nu in [(0.3, 0.7), (-2.0, 3.5), (15.0, 1.0), (0.1, 250.0), (4.0, 3e4)]:
        got = dg.derivative(lambda v: ds.t.logpdf(z, v), nu)
        want = float(mpmath.diff(lambda v: logpdf(mpmath.mpf(z), v), mpmath.mpf(nu)))
        assert abs(got - want) <= 1e-13 * max(1.0, abs(want)), (z, nu, got, want)
        got2 = dg.derivative(lambda v: dg.derivative(lambda w: ds.t.logpdf(z, w), v), nu)
        want2 = float(mpmath.diff(lambda v: logpdf(mpmath.mpf(z), v), mpmath.mpf(nu), 2))
        assert abs(got2 - want2) <= 1e-12 * max(1.0, abs(want2)), (z, nu, got2, want2)


# ---- Hessians: nested duals through formulas and lifts -------------------------------

HESS = {
    "norm.logcdf": lambda p: np.sum(ds.norm.logcdf([-3.0, 0.5, 2.0], p[0], p[1])),
    "t.logpdf": lambda p: np.sum(ds.t.logpdf([-3.0, 0.5, 2.0], p[2], p[0], p[1])),
    "t.cdf": lambda p: np.sum(ds.t.cdf([-3.0, 0.5, 2.0], 3.5, p[0], p[1])),
    "t.ppf": lambda p: np.sum(ds.t.ppf(np.array([0.1, 0.6]), 3.5, p[0], p[1] * p[2])),
    "gamma.ppf": lambda p: np.sum(ds.gamma.ppf(np.array([0.1, 0.6]) * p[2], 2.3, p[0], p[1])),
    "gamma.logpdf": lambda p: np.sum(ds.gamma.logpdf([0.8, 2.0], p[2], p[0] - 0.5, p[1])),
    "beta.sf": lambda p: np.sum(ds.beta.sf([0.3, 0.9], 2.5, 1.7, p[0] - 0.3, p[1])),
    "beta.ppf": lambda p: np.sum(ds.beta.ppf(np.array([0.3, 0.9]) * p[2] / 1.5, 2.5, 1.7,
                                             p[0], p[1])),
    "cauchy.isf": lambda p: np.sum(ds.cauchy.isf(np.array([0.2, 0.7]) * p[2] / 1.5, p[0], p[1])),
    "lognorm.logsf": lambda p: np.sum(ds.lognorm.logsf([0.8, 2.0], p[2] / 2, p[0] - 0.5, p[1])),
    "poisson.cdf": lambda p: np.sum(ds.poisson.cdf([0.0, 2, 5], p[0] * p[1])),
    "nbinom.pmf": lambda p: np.sum(ds.nbinom.pmf([0.0, 2, 5], p[2], p[0] / 2)),
    "binom.sf": lambda p: np.sum(ds.binom.sf([0.0, 2, 5], 9, p[0] / 2)),
    "logistic.logpdf": lambda p: np.sum(ds.logistic.logpdf([-3.0, 0.5], p[0], p[1])),
}


def _scipy_version(f):
    """The same function with scipy.stats in place of dualgrad.scipy.stats."""
    g = f.__globals__.copy()
    g["ds"] = ss
    return type(f)(f.__code__, g)


@pytest.mark.parametrize("key", HESS)
def test_hessians_against_differences(key):
    f, p0 = HESS[key], np.array([0.4, 1.3, 1.5])
    ref = _scipy_version(f)
    h = 1e-3

    def grad(p):
        return np.array([_cd(lambda u: ref(np.where(np.arange(3) == i, u, p)), p[i], h)
                         for i in range(3)])
    want = np.array([_cd(lambda u: grad(np.where(np.arange(3) == j, u, p0)), p0[j], h)
                     for j in range(3)])
    got = dg.hessian(f, p0)
    np.testing.assert_allclose(got, got.T, rtol=1e-12, atol=1e-14)
    _close(got, want, 1e-6)
    _close(dg.gradient(f, p0), grad(p0), 1e-9)


# ---- multivariate normal --------------------------------------------------------------

RNG = np.random.default_rng(43)
_A = RNG.standard_normal((3, 3))
COV = _A @ _A.T + 3 * np.eye(3)
MEAN = RNG.standard_normal(3)
X = RNG.standard_normal((5, 3))


@pytest.mark.parametrize("form", ["matrix", "diagonal", "scalar"])
def test_mvn_value_and_partials(form):
    cov = {"matrix": COV, "diagonal": np.diag(COV), "scalar": 2.5}[form]
    cov = np.asarray(cov, dtype=float)
    for x in (X, X[0]):
        want = ss.multivariate_normal.logpdf(x, MEAN, cov)
        got = ds.multivariate_normal.logpdf(x, dg.Dual(MEAN, np.eye(3)), cov)
        np.testing.assert_allclose(got.value, want, rtol=1e-13)
        for arg in ("x", "mean", "cov"):
            base = {"x": x, "mean": MEAN, "cov": cov}

            def f(mod, u, arg=arg):
                kw = dict(base, **{arg: u})
                return np.sum(mod.multivariate_normal.logpdf(kw["x"], kw["mean"], kw["cov"]))
            u0 = base[arg]
            got = dg.gradient(lambda u: f(ds, u), u0)
            want = np.zeros(np.shape(u0)) if np.ndim(u0) else 0.0
            flat = np.atleast_1d(want).reshape(-1)
            for i in range(flat.size):
                e = np.zeros(flat.size)
                e[i] = 1.0
                e = e.reshape(np.shape(u0))
                flat[i] = _cd(lambda t: f(ss, u0 + t * e), 0.0, 1e-3)
            _close(np.atleast_1d(got).reshape(-1), flat, 1e-8)
    # pdf, frozen, the analytic score in the mean
    g = dg.gradient(lambda m: np.sum(ds.multivariate_normal(m, COV).logpdf(X)), MEAN)
    np.testing.assert_allclose(g, np.linalg.solve(COV, (X - MEAN).sum(0)), rtol=1e-12)
    v = ds.multivariate_normal.pdf(X[1], dg.Dual(MEAN, np.eye(3)), COV)
    np.testing.assert_allclose(v.value, ss.multivariate_normal.pdf(X[1], MEAN, COV), rtol=1e-13)


def test_mvn_hessian_and_refusals():
    def f(mod, p):
        return mod.multivariate_normal.logpdf(X[2], p[:3], COV * p[3])
    p0 = np.append(MEAN, 1.2)
    got = dg.hessian(lambda p: f(ds, p), p0)
    want = np.array([[_cd(lambda t: _cd(lambda s: f(ss, p0 + s * np.eye(4)[i] + t * np.eye(4)[j]),
                                        0.0, 1e-3), 0.0, 1e-3) for i in range(4)]
                     for j in range(4)])
    _close(got, want, 1e-6)
    with pytest.raises(TypeError, match="singular cov"):
        dg.gradient(lambda m: ds.multivariate_normal.logpdf(X[0], m, np.diag([1.0, 1.0, 0.0]),
                                                            allow_singular=True), MEAN)
    with pytest.raises(ValueError):                     # SciPy's own check, on the values
        dg.gradient(lambda m: ds.multivariate_normal.logpdf(X[0], m, -COV), MEAN)


def test_dirichlet_value_partials_and_checks():
    alpha = np.array([1.5, 2.0, 3.0])
    pts = np.array([[0.2, 0.1], [0.3, 0.6]])       # components along the first axis
    for x in (pts, np.array([0.2, 0.3, 0.5]), np.array([0.25, 0.3])):
        want = ss.dirichlet.logpdf(x, alpha)
        got, d = dg.jvp(lambda a: ds.dirichlet.logpdf(x, a), alpha, np.ones(3))
        np.testing.assert_allclose(got, want, rtol=1e-14)
        np.testing.assert_allclose(d, _cd(lambda t: ss.dirichlet.logpdf(x, alpha + t), 0.0,
                                          1e-3), rtol=1e-8)
        v = np.full(x.shape, 0.01) if len(x) < 3 else np.array([0.01, -0.01, 0.0])
        got, d = dg.jvp(lambda u: ds.dirichlet.pdf(u, alpha), x, v)
        np.testing.assert_allclose(got, ss.dirichlet.pdf(x, alpha), rtol=1e-14)
        np.testing.assert_allclose(
            d, _cd(lambda t: ss.dirichlet.pdf(x + v * t, alpha), 0.0, 1e-3), rtol=1e-8)
    with pytest.raises(ValueError, match="simplex"):
        dg.gradient(lambda a: ds.dirichlet.logpdf([0.5, 0.6, 0.2], a), alpha)


# ---- signatures, broadcasting, freezing -----------------------------------------------

def test_signatures_broadcasting_and_frozen():
    x = np.linspace(0.5, 3.0, 4)[:, None]                   # (4, 1)
    loc = np.array([0.0, 0.1, -0.2])                        # (3,)
    f_ds = lambda p: ds.gamma.logpdf(x, p[0], loc, scale=p[1])     # noqa: E731
    f_ss = lambda p: ss.gamma.logpdf(x, p[0], loc, scale=p[1])     # noqa: E731
    p0 = np.array([2.3, 1.4])
    jac = dg.jacobian(f_ds, p0)
    assert jac.shape == (4, 3, 2)
    want = np.stack([_cd(lambda t: f_ss(p0 + t * e), 0.0, 1e-3) for e in np.eye(2)], -1)
    _close(jac, want, 1e-8)
    # positional loc / scale, keywords for shapes, SciPy's TypeError for too many
    g1 = dg.gradient(lambda p: ds.t.logpdf(1.2, 3.0, p[0], p[1]), np.array([0.1, 2.0]))
    g2 = dg.gradient(lambda p: ds.t.logpdf(1.2, df=3.0, loc=p[0], scale=p[1]),
                     np.array([0.1, 2.0]))
    g3 = dg.gradient(lambda p: ds.t(3.0, p[0], p[1]).logpdf(1.2), np.array([0.1, 2.0]))
    g4 = dg.gradient(lambda p: ds.t(df=3.0, scale=p[1], loc=p[0]).logpdf(1.2),
                     np.array([0.1, 2.0]))
    np.testing.assert_array_equal(g1, g2)
    np.testing.assert_array_equal(g1, g3)
    np.testing.assert_array_equal(g1, g4)
    with pytest.raises(TypeError, match="dualgrad.scipy.stats.norm.logpdf"):
        dg.gradient(lambda p: ds.norm.logpdf(1.0, p, 1.0, 3.0), 0.5)
    with pytest.raises(AttributeError, match="not provided"):
        ds.norm.entropy   # noqa: B018
    # a scalar result is a scalar; the frozen distribution's plain call is SciPy's
    assert np.ndim(dg.derivative(lambda m: ds.norm.logpdf(0.3, m), 0.0)) == 0
    assert ds.norm(1.0, 2.0).cdf(0.4) == ss.norm(1.0, 2.0).cdf(0.4)


def test_invalid_parameters_give_scipys_nan():
    """scale <= 0, shapes outside their range, p > 1: SciPy's NaN, partials NaN (nan57:
    were 0, read as flat)."""
    v, d = dg.jvp(lambda s: ds.norm.logpdf([0.0, 1.0], 0.0, s), np.array([-1.0, 1.0]),
                  np.ones(2))
    assert np.isnan(v[0]) and np.isnan(d[0]) and np.isfinite(d[1])
    v, d = dg.jvp(lambda a: ds.gamma.pdf(1.0, a), np.array([-0.5, 2.0]), np.ones(2))
    np.testing.assert_array_equal(np.isnan(v), ss.gamma.pdf(1.0, np.array([-0.5, 2.0])) != \
        ss.gamma.pdf(1.0, np.array([-0.5, 2.0])))
    v, d = dg.jvp(lambda p: ds.binom.pmf(2, 5, p), np.array([1.5, 0.5]), np.ones(2))
    assert np.isnan(v[0]) and np.isnan(d[0])


def test_refusals_name_the_fix():
    # (t.sf's dual df was refused until misc47: stdtr's row has d/d(df) now,
    # tests/test_misc47.py); in x, loc and scale the same methods are exact
    d = dg.derivative(lambda s: ds.gamma.cdf(1.0, 2.0, scale=s), 1.5)
    np.testing.assert_allclose(d, -ss.gamma.pdf(1.0 / 1.5, 2.0) / 1.5 ** 2, rtol=1e-14)


def test_scipys_refusal_names_the_drop_in():
    x = np.array([0.5, 1.5])
    for f, name in [(lambda p: np.sum(ss.norm.logpdf(x, p[0], p[1])), "norm.logpdf"),
                    (lambda p: ss.gamma(p[0]).logcdf(1.0), "gamma.logcdf"),
                    (lambda p: ss.poisson.logpmf(2, p[0]), "poisson.logpmf"),
                    (lambda p: ss.multivariate_normal.logpdf(x, p, np.eye(2)),
                     "multivariate_normal.logpdf")]:
        with pytest.raises(TypeError, match=f"use dualgrad.scipy.stats.{name}"):
            dg.gradient(f, np.array([1.0, 2.0]))
    # (the distributions; stats46's scoreatpercentile / trim_mean are functions, which
    # SciPy's own do not refuse: they run on an object array)
    assert set(errors.STATS_DROP_INS) == set(ds.__all__) - {"scoreatpercentile", "trim_mean"}
    for dist, methods in errors.STATS_DROP_INS.items():
        for m in methods:
            assert callable(getattr(getattr(ds, dist), m))


# ---- sparsity="auto", lazy import -----------------------------------------------------

def test_sparsity_auto():
    x = np.linspace(0.2, 2.0, 6)
    for f in (lambda u: ds.norm.logpdf(u, 0.3, 1.2), lambda u: ds.gamma.logpdf(u, 2.0),
              lambda u: ds.t.logpdf(u, 3.0, scale=u[0]),
              lambda u: ds.poisson.logpmf(np.arange(6.0), u), lambda u: ds.t.cdf(u, 3.0),
              lambda u: ds.gamma.ppf(u / 3, 2.0), lambda u: ds.norm.logsf(u, u[1]),
              lambda u: ds.nbinom.pmf(np.arange(6.0), 2.5, u / 3)):
        sp = dg.jacobian(f, x, sparsity="auto")
        np.testing.assert_allclose(sp.toarray(), dg.jacobian(f, x), rtol=1e-15)
    f = lambda m: ds.multivariate_normal.logpdf(X[:2, :2] , m, COV[:2, :2])   # noqa: E731
    np.testing.assert_allclose(dg.jacobian(f, MEAN[:2], sparsity="auto").toarray(),
                               dg.jacobian(f, MEAN[:2]), rtol=1e-14)


@pytest.mark.engine_independent
def test_import_is_lazy():
    code = ("import sys, dualgrad, dualgrad.scipy.stats as s; "
            "assert 'scipy' not in sys.modules, 'scipy imported'; "
            "s.norm.logpdf(0.0); assert 'scipy.stats' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_readme_negative_binomial_regression():
    """README's example: the exact gradient against the analytic one (digamma)."""
    rng = np.random.default_rng(1)
    X = np.column_stack([np.ones(40), rng.normal(size=(40, 2))])
    y = rng.negative_binomial(2.0, 0.4, size=40).astype(float)

    def nll(theta):
        b, r = theta[:-1], np.exp(theta[-1])
        mu = np.exp(X @ b)
        return -np.sum(ds.nbinom.logpmf(y, r, r / (r + mu)))
    theta = np.array([0.3, -0.1, 0.2, np.log(1.7)])
    b, r = theta[:-1], np.exp(theta[-1])
    m = np.exp(X @ b)
    want = -np.append(X.T @ ((y - m) * r / (r + m)),
                      r * np.sum(sc.digamma(y + r) - sc.digamma(r) + np.log(r / (r + m)) +
                                 (m - y) / (r + m)))
    np.testing.assert_allclose(dg.gradient(nll, theta), want, rtol=1e-12)
    assert nll(theta) == -np.sum(ss.nbinom.logpmf(y, r, r / (r + m)))


def test_betabinom_and_multinomial():
    """betabinom's pmf / logpmf in a and b, multinomial's in p: SciPy's values, partials
    against differences of SciPy's own; counts refused; SciPy's masks."""
    k = np.array([-1.0, 0, 2, 5, 9, 10, 2.5])
    for m in ("pmf", "logpmf"):
        for i in (1, 2):
            def f(mod, u):
                a = [9, 2.3, 1.4]
                a[i] = u
                return getattr(mod.betabinom, m)(k, *a)
            u0 = np.full(k.shape, [9, 2.3, 1.4][i])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got, d = dg.jvp(lambda u: f(ds, u), u0, np.ones_like(u0))
                want = f(ss, u0)
            np.testing.assert_allclose(got, want, rtol=1e-14)
            inside = (k >= 0) & (k <= 9) & (k == np.floor(k))
            _close(d[inside], _cd(lambda u: f(ss, u), u0, 1e-4)[inside], 1e-8)
            assert np.all(d[~inside] == 0)
    with pytest.raises(TypeError, match="betabinom's n is a count"):
        dg.gradient(lambda n: ds.betabinom.logpmf(2, n, 2.0, 3.0), 9.0)
    with pytest.raises(AttributeError, match="not provided"):
        ds.betabinom.cdf   # noqa: B018
    x = np.array([[2, 3, 5], [0, 10, 0], [1, 1, 1]])      # the last: off the domain (sum 3)
    p0 = np.array([0.2, 0.3, 0.5])
    for m in ("logpmf", "pmf"):
        got = getattr(ds.multinomial, m)(x, 10, dg.Dual(p0, np.eye(3)))
        want = getattr(ss.multinomial, m)(x, 10, p0)
        np.testing.assert_allclose(got.value, want, rtol=1e-14)
        for j in range(2):          # along the simplex (SciPy re-normalizes off it)
            e = np.eye(3)[j] - np.eye(3)[2]
            oracle = _cd(lambda t: getattr(ss.multinomial, m)(x, 10, p0 + t * e), 0.0, 1e-4)
            _close((got.partials @ e)[:2], oracle[:2], 1e-8)
        assert np.all(got.partials[2] == 0)
    g = dg.gradient(lambda p: ds.multinomial(10, p).logpmf(x[0]), p0)
    np.testing.assert_allclose(g, x[0] / p0, rtol=1e-14)           # d/dp_j = x_j / p_j
    with pytest.raises(TypeError, match="a dual x"):
        dg.gradient(lambda u: ds.multinomial.logpmf(u, 10, p0), x[0].astype(float))
    with pytest.warns(FutureWarning):                  # SciPy's adjustment of the last p
        v = ds.multinomial.logpmf(x[0], 10, dg.Dual(np.array([0.2, 0.3, 0.6]), np.eye(3)))
    assert v.value == ss.multinomial.logpmf(x[0], 10, [0.2, 0.3, 0.5])
    np.testing.assert_allclose(v.partials, [2 / 0.2 - 5 / 0.5, 3 / 0.3 - 5 / 0.5, 0.0],
                               rtol=1e-14)


def test_lists_of_scalar_duals_are_read_as_numpy_reads_them():
    """``norm.logpdf(1.0, [p[0], p[1]])``: the list of scalar duals is one array dual
    (it went to SciPy, whose refusal named the drop-in already in use)."""
    p0 = np.array([0.3, 0.5])
    g = dg.gradient(lambda p: np.sum(ds.norm.logpdf(1.0, [p[0], p[1]], 2.0)), p0)
    np.testing.assert_allclose(g, (1.0 - p0) / 4.0, rtol=1e-14)
    g = dg.gradient(lambda p: np.sum(ds.multivariate_normal.logpdf([1.0, 2.0], [p[0], p[1]])),
                    p0)
    np.testing.assert_allclose(g, np.array([1.0, 2.0]) - p0, rtol=1e-14)
    g = dg.gradient(lambda p: ds.multinomial.logpmf([2, 3], 5, (p[0], 1 - p[0])), p0)
    np.testing.assert_allclose(g, [2 / 0.3 - 3 / 0.7, 0.0], rtol=1e-14)


@pytest.mark.mp_dps(40)
def test_lifted_slopes_at_hard_points_against_mpmath():
    """The slopes the lifts take (a density; one over it at a quantile) in the far
    tails, where differences of SciPy's function round to 0: against mpmath."""
    mpmath = pytest.importorskip("mpmath")

    def t_pdf(z, nu):
        z, nu = mpmath.mpf(z), mpmath.mpf(nu)
        c = mpmath.gamma((nu + 1) / 2) / (mpmath.sqrt(nu * mpmath.pi) * mpmath.gamma(nu / 2))
        return c * (1 + z * z / nu) ** (-(nu + 1) / 2)
    for z in (-1e4, -300.0, -3.0, 0.0, 35.0, 1e4):
        got = dg.derivative(lambda u: ds.t.cdf(u, 2.5), z)
        want = float(t_pdf(z, 2.5))
        assert abs(got - want) <= 1e-13 * want, (z, got, want)
        got = dg.derivative(lambda u: ds.t.logsf(u, 2.5), z)     # -pdf / sf
        sf = 1 - mpmath.quad(lambda s: t_pdf(s, 2.5), [-mpmath.inf, 0, z])
        want = float(-t_pdf(z, 2.5) / sf)
        assert abs(got - want) <= 1e-12 * abs(want), (z, got, want)

    def gamma_pdf(x, a):
        x, a = mpmath.mpf(x), mpmath.mpf(a)
        return x ** (a - 1) * mpmath.exp(-x) / mpmath.gamma(a)
    for q in (1e-12, 0.3, 1 - 1e-12):
        x = ss.gamma.ppf(q, 2.3)
        got = dg.derivative(lambda u: ds.gamma.ppf(u, 2.3), q)
        want = float(1 / gamma_pdf(x, 2.3))
        assert abs(got - want) <= 1e-12 * want, (q, got, want)
