"""stats45: the incomplete gamma (and beta) functions' derivatives in their shapes, the
distributions' cdf / sf / ppf / isf in them, and the ends stop 44 left NaN.

Oracles: mpmath at 50 digits, ``mpmath.diff`` of its regularized ``gammainc`` (the
lower function where ``P < 1/2``, the upper one elsewhere, so that the digits
differentiated are the small side's) and ``betainc``; the inverses' derivatives by
implicit differentiation of mpmath's functions at SciPy's result (``-F_a / F_x``);
closed forms at the ends.  No expected value comes from dualgrad.
"""

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sc
import scipy.stats as ss

import dualgrad as dg
from dualgrad.scipy import stats as ds

pytestmark = pytest.mark.mp_dps(50)   # (tests/conftest.py)


def _lower(a, x):
    return mp.gammainc(a, 0, x, regularized=True)


def _upper(a, x):
    return mp.gammainc(a, x, mp.inf, regularized=True)


def _gamma_da(a, x, order=1):
    """d^order/da^order of P(a, x) by mpmath, from the smaller of P and Q."""
    a, x = mp.mpf(a), mp.mpf(x)
    if _lower(a, x) < 0.5:
        return mp.diff(lambda s: _lower(s, x), a, order)
    return -mp.diff(lambda s: _upper(s, x), a, order)


def _rel(got, want):
    want = float(want)
    return abs(got - want) / abs(want) if want != 0 else abs(got)


# ---- gammainc / gammaincc in a: a grid over a in 0.1 .. 1000, x in 1e-3 .. 100 ---------
_A = [0.1, 0.5, 1.0, 2.5, 10.0, 50.0, 200.0, 1000.0]
_X = [1e-3, 0.5, 3.0, 30.0, 100.0]
GRID = [(a, x) for a in _A for x in _X] + \
    [(a, f * a) for a in _A for f in (0.5, 0.99, 1.0, 1.01, 2.0)]


@pytest.mark.engine_independent
def test_gammainc_da_over_the_grid():
    """One vectorized call over the grid (both methods, both sides of x = a): within
    5e-13 relative of mpmath where the value is a normal float (SciPy's own P and Q
    are that close: the derivative is SciPy's value times the log-derivative)."""
    a = np.array([p[0] for p in GRID])
    x = np.array([p[1] for p in GRID])
    _, d = dg.jvp(lambda s: sc.gammainc(s, x), a, np.ones_like(a))
    _, dc = dg.jvp(lambda s: sc.gammaincc(s, x), a, np.ones_like(a))
    np.testing.assert_array_equal(dc, -d)
    checked = 0
    for k, (ak, xk) in enumerate(GRID):
        want = _gamma_da(ak, xk)
        if abs(want) < 1e-300:              # below float64's normal range: 0 or subnormal
            assert abs(d[k]) < 1e-290
            continue
        checked += 1
        assert _rel(d[k], want) < 5e-13, (ak, xk, d[k], float(want))
    assert checked > 50


@pytest.mark.parametrize("a, x", [(0.1, 0.3), (2.5, 2.0), (10.0, 12.0), (200.0, 190.0),
                                  (1000.0, 1000.0), (0.5, 30.0)])
def test_gammainc_second_derivatives_through_nesting(a, x):
    """The Hessian in (a, x) of gammainc: d2/da2 by the same jets (within 1e-7: the
    series' second moments cancel where x ~ a), the mixed one by the density's d/da."""
    h = dg.hessian(lambda v: sc.gammainc(v[0], v[1]), np.array([a, x]))
    f = (lambda s, t: _lower(s, t)) if _lower(a, x) < 0.5 else \
        (lambda s, t: 1 - _upper(s, t))
    want = [[mp.diff(f, (a, x), (2, 0)), mp.diff(f, (a, x), (1, 1))],
            [mp.diff(f, (a, x), (1, 1)), mp.diff(f, (a, x), (0, 2))]]
    for i in range(2):
        for j in range(2):
            assert _rel(h[i, j], want[i][j]) < 1e-7, (i, j, h[i, j], float(want[i][j]))


def test_a_third_derivative_in_a_refuses_by_name():
    f = lambda a: sc.gammainc(a, 2.0)       # noqa: E731
    with pytest.raises(TypeError, match=r"gammainc_daa .*third derivative in a is not computed"):
        dg.derivative(lambda a: dg.derivative(lambda b: dg.derivative(f, b), a), 1.5)


def test_gammainc_da_at_the_ends_of_x():
    """x = 0 and x = inf: P is 0 and 1 for every a > 0, its d/da 0; NaN outside a > 0."""
    _, d = dg.jvp(lambda s: sc.gammainc(s, np.array([0.0, np.inf, 1.0])),
                  np.array([2.0, 2.0, -1.0]), np.ones(3))
    assert d[0] == 0.0 and d[1] == 0.0 and np.isnan(d[2])


# ---- chdtr / chdtrc / chdtri / gammaincinv / gammainccinv in the shape ----------------
def _inverse_da(fn, a, y, result):
    """d/da of the inverse of ``fn(a, .)`` at ``y`` (``result`` SciPy's), implicitly:
    ``-fn_a / fn_x`` at the result."""
    a, o = mp.mpf(a), mp.mpf(result)
    return -mp.diff(lambda s: fn(s, o), a) / mp.diff(lambda t: fn(a, t), o)


SHAPE_CASES = [
    (lambda a, x: sc.chdtr(a, x), lambda a, x: _lower(a / 2, x / 2), [(0.5, 0.3), (3.0, 2.0),
                                                                       (40.0, 55.0)]),
    (lambda a, x: sc.chdtrc(a, x), lambda a, x: _upper(a / 2, x / 2), [(0.5, 0.3), (3.0, 2.0),
                                                                        (40.0, 25.0)]),
]


@pytest.mark.parametrize("i", range(len(SHAPE_CASES)))
def test_chi_squared_distribution_functions_in_df(i):
    f, oracle, points = SHAPE_CASES[i]
    for a, x in points:
        got = dg.derivative(lambda s: f(s, x), a)
        want = mp.diff(lambda s: oracle(s, mp.mpf(x)), mp.mpf(a))
        assert _rel(got, want) < 1e-12, (a, x)


@pytest.mark.parametrize("fn, lower, points", [
    (sc.gammaincinv, True, [(0.3, 0.4), (2.0, 0.9), (150.0, 0.1), (1000.0, 0.5)]),
    (sc.gammainccinv, False, [(0.3, 0.4), (2.0, 0.9), (150.0, 0.1), (1000.0, 0.5)])])
def test_inverse_incomplete_gamma_in_a(fn, lower, points):
    for a, y in points:
        got = dg.derivative(lambda s: fn(s, y), a)
        want = _inverse_da(_lower if lower else _upper, a, y, fn(a, y))
        assert _rel(got, want) < 1e-11, (a, y, got, float(want))


def test_chdtri_in_df():
    for v, p in [(0.5, 0.3), (3.0, 0.9), (40.0, 0.05)]:
        got = dg.derivative(lambda s: sc.chdtri(s, p), v)
        want = _inverse_da(lambda s, t: _upper(s / 2, t / 2), v, p, sc.chdtri(v, p))
        assert _rel(got, want) < 1e-11, (v, p)


def test_inverse_incomplete_gamma_at_the_ends_of_y():
    """At y = 0 and 1 SciPy's result is 0 or inf for every a: d/da 0; d/dy one over the
    density there, its limit (inf where a > 1 at 0 and always at inf, 1 at a = 1, 0 for
    a < 1 at 0): stop 44 gave NaN at the infinite results."""
    for a in (0.5, 1.0, 2.0):
        for y in (0.0, 1.0):
            assert dg.derivative(lambda s: sc.gammaincinv(s, y), a) == 0.0
            assert dg.derivative(lambda s: sc.gammainccinv(s, y), a) == 0.0
        assert dg.derivative(lambda y: sc.gammaincinv(a, y), 1.0) == np.inf
        assert dg.derivative(lambda y: sc.gammainccinv(a, y), 0.0) == -np.inf
        at_zero = {0.5: 0.0, 1.0: 1.0, 2.0: np.inf}[a]
        assert dg.derivative(lambda y: sc.gammaincinv(a, y), 0.0) == at_zero
        assert dg.derivative(lambda y: sc.gammainccinv(a, y), 1.0) == -at_zero
    assert dg.derivative(lambda p: sc.chdtri(3.0, p), 0.0) == -np.inf


# ---- scipy.stats' gamma and chi2 in their shape ---------------------------------------
@pytest.mark.parametrize("name", ["gamma", "chi2"])
@pytest.mark.parametrize("method", ["cdf", "sf", "logcdf", "logsf", "ppf", "isf"])
def test_gamma_and_chi2_methods_in_their_shape(name, method):
    """Against mpmath: the distributions' functions from their definitions (chi2(df) is
    gamma(df / 2) with scale 2), loc 0.1, scale 1.7; d/da of P from the smaller of P
    and Q (:func:`_gamma_da`), the chain rule by hand; the quantiles implicitly."""
    loc, scale, c = mp.mpf("0.1"), mp.mpf("1.7"), (2 if name == "chi2" else 1)
    lower = method in ("cdf", "logcdf", "ppf")

    for s in (0.7, 2.5, 30.0):
        a = mp.mpf(s) / c
        for u in ((0.2, 0.6, 0.97) if method in ("ppf", "isf") else (0.4, 2.0, 9.0)):
            got = dg.derivative(lambda t: getattr(getattr(ds, name), method)(u, t, 0.1, 1.7), s)
            if method in ("ppf", "isf"):
                r = mp.mpf(getattr(getattr(ss, name), method)(u, s, 0.1, 1.7))
                z = (r - loc) / scale / c
                density = mp.exp(-z) * z ** (a - 1) / mp.gamma(a) / scale / c
                want = -(_gamma_da(a, z) / c) / density    # the same for Q: -(-P_a) / -p
            else:
                z = (mp.mpf(u) - loc) / scale / c
                dp = _gamma_da(a, z) / c * (1 if lower else -1)
                p = _lower(a, z) if lower else _upper(a, z)
                want = dp / p if method.startswith("log") else dp
            assert _rel(got, want) < 1e-10, (s, u, got, float(want))


# ---- binom / bernoulli at p = 0 and 1: the one-sided derivatives ------------------------
def _binom_poly(k, n, method):
    """The pmf / cdf / sf of binom(n, p) at k as a polynomial in p (the oracle: its
    derivatives are exact at the ends, one-sided as the polynomial's)."""
    from math import comb
    from numpy.polynomial import Polynomial as P
    pmf = [comb(n, j) * P([0, 1]) ** j * P([1, -1]) ** (n - j) for j in range(n + 1)]
    if method == "pmf":
        return pmf[k]
    if method == "cdf":
        return sum(pmf[:k + 1], P([0]))
    return sum(pmf[k + 1:], P([0]))


@pytest.mark.parametrize("method", ["pmf", "cdf", "sf"])
def test_binom_at_p_0_and_1_is_the_polynomials_one_sided_slope(method):
    """stop 44: binom.pmf's slope at p = 0, 1 was NaN where the pmf is 0 there (pmf 0 *
    inf) and half the truth where it is 1 (np.clip's tie with the bound 1): d/dp pmf(0,
    5, 0) was -2.5 for -5; cdf and sf the same halving.  First and second derivatives
    against the polynomial's."""
    n = 5
    for k in range(n + 1):
        poly = _binom_poly(k, n, method)
        for p0 in (0.0, 1.0):
            f = lambda p: getattr(ds.binom, method)(k, n, p)     # noqa: E731
            assert dg.derivative(f, p0) == pytest.approx(poly.deriv()(p0), abs=1e-13), (k, p0)
            second = dg.derivative(lambda q: dg.derivative(f, q), p0)
            assert second == pytest.approx(poly.deriv(2)(p0), abs=1e-12), (k, p0)


def test_bernoulli_pmf_at_the_ends():
    """bernoulli.pmf(0, p) = 1 - p, pmf(1, p) = p: slopes -1 and 1 at p = 0 and 1 (stop
    44: -0.5 and NaN)."""
    for p0 in (0.0, 1.0):
        assert dg.derivative(lambda p: ds.bernoulli.pmf(0, p), p0) == -1.0
        assert dg.derivative(lambda p: ds.bernoulli.pmf(1, p), p0) == 1.0


def test_binom_logpmf_at_the_ends_is_the_limit():
    """log pmf = log C + k log p + (n - k) log(1 - p): -n at p = 0 for k = 0, +inf for
    k > 0 (the one-sided limit k / p), and at p = 1 the mirror."""
    n = 5
    assert dg.derivative(lambda p: ds.binom.logpmf(0, n, p), 0.0) == -5.0
    assert dg.derivative(lambda p: ds.binom.logpmf(2, n, p), 0.0) == np.inf
    assert dg.derivative(lambda p: ds.binom.logpmf(n, n, p), 1.0) == 5.0
    assert dg.derivative(lambda p: ds.binom.logpmf(2, n, p), 1.0) == -np.inf


# ---- betainc / betaincc in a and b ------------------------------------------------------
def _beta_lower(a, b, x):
    return mp.betainc(a, b, 0, x, regularized=True)


def _beta_upper(a, b, x):
    return mp.betainc(a, b, x, 1, regularized=True)


def _beta_d(a, b, x, orders):
    """d^orders of I(a, b, x) in (a, b) by mpmath at 100 digits, from the smaller of I
    and 1 - I (mpmath.diff's noise floor is far below the values compared)."""
    with mp.workdps(100):
        a, b, x = mp.mpf(a), mp.mpf(b), mp.mpf(x)
        if _beta_lower(a, b, x) < 0.5:
            return mp.diff(lambda s, t: _beta_lower(s, t, x), (a, b), orders)
        return -mp.diff(lambda s, t: _beta_upper(s, t, x), (a, b), orders)


_V = [0.1, 0.5, 1.0, 2.5, 10.0, 100.0, 1000.0]
BETA_GRID = [(a, b, x) for a in _V for b in _V for x in (0.01, 0.3, 0.7, 0.99)] + \
    [(a, b, a / (a + b)) for a in _V for b in _V]


@pytest.mark.engine_independent
def test_betainc_da_db_over_the_grid():
    """One vectorized call over a, b in 0.1 .. 1000, x on both sides of the mean (the
    fraction and its complement's): within 2e-13 relative of mpmath wherever the
    derivative is above 1e-70 (below, mpmath.diff's own noise at 100 digits)."""
    a, b, x = (np.array([p[k] for p in BETA_GRID]) for k in range(3))
    _, da = dg.jvp(lambda s: sc.betainc(s, b, x), a, np.ones_like(a))
    _, db = dg.jvp(lambda s: sc.betainc(a, s, x), b, np.ones_like(b))
    _, dc = dg.jvp(lambda s: sc.betaincc(s, b, x), a, np.ones_like(a))
    np.testing.assert_array_equal(dc, -da)
    checked = 0
    for k, point in enumerate(BETA_GRID):
        for got, orders in ((da[k], (1, 0)), (db[k], (0, 1))):
            want = _beta_d(*point, orders)
            if abs(want) < 1e-70:
                assert abs(got) < 1e-60, (point, orders, got)
                continue
            checked += 1
            assert _rel(got, want) < 2e-13, (point, orders, got, float(want))
    assert checked > 300


@pytest.mark.parametrize("point", [(1.5, 2.0, 0.3), (0.4, 3.0, 0.2), (20.0, 5.0, 0.85),
                                   (300.0, 200.0, 0.6)])
def test_betainc_hessian_in_a_b_x(point):
    """The full 3 x 3 Hessian: the shapes' second derivatives by the jets, the mixed
    ones with x by the density's shape derivatives; mpmath.diff at 100 digits."""
    h = dg.hessian(lambda v: sc.betainc(v[0], v[1], v[2]), np.array(point))
    with mp.workdps(100):
        p = [mp.mpf(v) for v in point]
        f = (lambda s, t, u: _beta_lower(s, t, u)) if _beta_lower(*p) < 0.5 else \
            (lambda s, t, u: 1 - _beta_upper(s, t, u))
        for i in range(3):
            for j in range(3):
                orders = [0, 0, 0]
                orders[i] += 1
                orders[j] += 1
                want = mp.diff(f, p, tuple(orders))
                assert _rel(h[i, j], want) < 1e-9, (i, j, h[i, j], float(want))


def test_betainc_third_derivative_refuses_by_name():
    f = lambda a: sc.betainc(a, 2.0, 0.3)     # noqa: E731
    with pytest.raises(TypeError, match=r"betainc_daa .*third derivatives in its shapes"):
        dg.derivative(lambda a: dg.derivative(lambda b: dg.derivative(f, b), a), 1.5)


@pytest.mark.parametrize("fn, lower", [(sc.betaincinv, True), (sc.betainccinv, False)])
def test_inverse_incomplete_beta_in_a_and_b(fn, lower):
    import scipy.special._ufuncs as scu
    for a, b, y in [(0.5, 2.0, 0.3), (3.0, 7.0, 0.6), (40.0, 20.0, 0.7)]:
        r = mp.mpf(fn(a, b, y))
        g = _beta_lower if lower else _beta_upper
        slope = mp.diff(lambda t: g(mp.mpf(a), mp.mpf(b), t), r)
        for k in (0, 1):
            got = dg.derivative(lambda s: fn(*(s if i == k else v for i, v in
                                                enumerate((a, b))), y), (a, b)[k])
            orders = (1, 0) if k == 0 else (0, 1)
            want = -mp.diff(lambda s, t: g(s, t, r), (mp.mpf(a), mp.mpf(b)), orders) / slope
            assert _rel(got, want) < 1e-11, (a, b, y, k)
            if lower:       # scipy.stats.beta's ppf, Boost's, the same inverse
                got = dg.derivative(lambda s: scu._beta_ppf(y, *(s if i == k else v for i, v in
                                                               enumerate((a, b)))), (a, b)[k])
                assert _rel(got, want) < 1e-11, (a, b, y, k)
    assert dg.derivative(lambda s: fn(s, 2.0, 0.0), 1.5) == 0.0
    assert dg.derivative(lambda s: fn(s, 2.0, 1.0), 1.5) == 0.0


@pytest.mark.parametrize("method", ["cdf", "sf", "logcdf", "logsf", "ppf", "isf"])
def test_beta_methods_in_a_and_b(method):
    """scipy.stats.beta's cdf-like methods in both shapes (stop 44: refused), loc 0.1,
    scale 2: the chain rule by hand on mpmath's derivatives."""
    loc, scale = 0.1, 2.0
    for a, b in [(0.7, 2.5), (4.0, 1.5), (60.0, 30.0)]:
        for u in ((0.2, 0.6, 0.97) if method in ("ppf", "isf") else (0.3, 1.0, 1.9)):
            for k in (0, 1):
                def f(s):
                    shapes = [a, b]
                    shapes[k] = s
                    return getattr(ds.beta, method)(u, *shapes, loc, scale)
                got = dg.derivative(f, (a, b)[k])
                orders = (1, 0) if k == 0 else (0, 1)
                if method in ("ppf", "isf"):
                    z = (getattr(ss.beta, method)(u, a, b, loc, scale) - loc) / scale
                    with mp.workdps(60):
                        density = mp.mpf(z) ** (a - 1) * (1 - mp.mpf(z)) ** (b - 1) / \
                            mp.beta(a, b)
                    want = -_beta_d(a, b, z, orders) / density * scale
                else:
                    z = (u - loc) / scale
                    sign = 1 if method in ("cdf", "logcdf") else -1
                    want = sign * _beta_d(a, b, z, orders)
                    if method.startswith("log"):
                        with mp.workdps(100):       # (not the global precision left)
                            want = want / (_beta_lower(a, b, z) if sign > 0 else
                                           _beta_upper(a, b, z))
                assert _rel(got, want) < 1e-10, (a, b, u, k, got, float(want))


@pytest.mark.parametrize("method", ["cdf", "sf", "logcdf", "logsf"])
def test_nbinom_methods_in_n(method):
    """nbinom(n, p)'s cdf at k is betainc(n, k + 1, p): its d/dn by mpmath (stop 44:
    refused)."""
    for n, p in [(2.5, 0.4), (0.7, 0.8), (30.0, 0.6)]:
        for k in (0, 3, 40):
            got = dg.derivative(lambda s: getattr(ds.nbinom, method)(k, s, p), n)
            with mp.workdps(100):   # (1 - I is ~1e-29 at k = 40: at the precision
                # another test module left global, the oracle was 1.7e-6 off in CI)
                want = _beta_d(n, k + 1, p, (1, 0)) * (1 if method in ("cdf", "logcdf")
                                                        else -1)
                if method.startswith("log"):
                    want = want / (_beta_lower(n, k + 1, p) if method == "logcdf" else
                                   _beta_upper(n, k + 1, p))
            assert _rel(got, want) < 1e-10, (n, p, k, got, float(want))


# ---- duplicates D23: the symmetric distributions' sf / logsf / isf, written once ---------
def test_symmetric_distributions_take_sf_logsf_isf_from_one_place():
    """norm, logistic, laplace, t and cauchy get sf(z) = cdf(-z), logsf(z) = logcdf(-z)
    and isf(q) = -ppf(q) from one class (cauchy keeps Boost's own isf); lognorm reads
    the normal's functions of log(z) / s.  The values stay SciPy's (bit for bit where
    SciPy's formula is the same operations) and the partials its differences'."""
    from dualgrad.scipy.stats import _continuous as cont
    for name in ("norm", "logistic", "laplace", "t", "cauchy"):
        cls = type(getattr(ds, name))
        assert issubclass(cls, cont._Symmetric), name
        own = set(vars(cls)) & {"_sf", "_logsf", "_isf"}
        assert own == ({"_isf"} if name == "cauchy" else set()), (name, own)
    assert not {"_sf", "_logsf", "_isf"} & set(vars(cont._Lognorm)) - {"_sf", "_logsf", "_isf"}
    shapes = {"t": (3.5,), "lognorm": (0.6,)}
    x = np.array([0.2, 0.7, 1.3, 2.9])
    q = np.array([0.01, 0.3, 0.5, 0.9])
    for name in ("norm", "logistic", "laplace", "t", "cauchy", "lognorm"):
        for method, u in (("sf", x), ("logsf", x), ("isf", q)):
            args = shapes.get(name, ())
            value, d = dg.jvp(lambda s: getattr(getattr(ds, name), method)(u, *args, s, 1.7),
                              np.full(4, 0.1), np.ones(4))
            want = getattr(getattr(ss, name), method)(u, *args, 0.1, 1.7)
            np.testing.assert_allclose(value, want, rtol=2e-15, err_msg=f"{name}.{method}")
            h = 1e-5
            fd = (getattr(getattr(ss, name), method)(u, *args, 0.1 + h, 1.7) -
                  getattr(getattr(ss, name), method)(u, *args, 0.1 - h, 1.7)) / (2 * h)
            np.testing.assert_allclose(d, fd, rtol=1e-6, atol=1e-9, err_msg=f"{name}.{method}")


def test_betainc_slopes_kept_for_one_point_only():
    """The latest point's betainc slopes serve the other shape's derivative (a gradient
    in (a, b) computes the fraction once): an array changed in place, or another x,
    is a new point (against the first call's own answers)."""
    a = np.array([1.5, 3.0, 40.0])
    b = np.array([2.0, 0.7, 30.0])
    x = np.array([0.3, 0.8, 0.55])
    _, first = dg.jvp(lambda s: sc.betainc(s, b, x), a.copy(), np.ones(3))
    j = dg.jacobian(lambda v: sc.betainc(v[:3], v[3:], x), np.concatenate([a, b]))
    np.testing.assert_array_equal(np.diag(j[:, :3]), first)
    moved = a.copy()
    _, d0 = dg.jvp(lambda s: sc.betainc(s, b, x), moved, np.ones(3))
    moved *= 1.5                                    # the same array object, new values
    _, d1 = dg.jvp(lambda s: sc.betainc(s, b, x), moved, np.ones(3))
    _, fresh = dg.jvp(lambda s: sc.betainc(s, b, x), a * 1.5, np.ones(3))
    np.testing.assert_array_equal(d1, fresh)
    assert not np.array_equal(d0, d1)
    x2 = x.copy()
    x2[0] = 0.31
    _, d2 = dg.jvp(lambda s: sc.betainc(s, b, x2), a.copy(), np.ones(3))
    assert d2[0] != first[0] and d2[1] == first[1]
    for k in range(3):
        assert _rel(d1[k], _beta_d(1.5 * a[k], b[k], x[k], (1, 0))) < 2e-13
