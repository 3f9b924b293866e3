"""scipy.special at the ends of its domains, the functions outside attack 32 found
refused, and results of extended-precision operands (special41).

Oracles: closed forms of the densities behind ``gammainc`` / ``betainc``, one-sided
differences of SciPy's own values, and mpmath (its derivatives at 30 digits); none
is a value read back from dualgrad.  Both engines run these (no test is marked
``engine_independent``: the helpers choose the engine from ``DUALGRAD_ENGINE``).
"""

import math

import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg

mp = pytest.importorskip("mpmath")


@pytest.fixture(autouse=True)
def _thirty_digits():
    """mpmath at 30 digits inside these tests only (not the process's global state)."""
    with mp.workdps(30):
        yield


def _d(f, x):
    """d/dt f at x by mpmath (a float)."""
    return float(mp.diff(f, mp.mpf(x)))


def _d2(f, x):
    return float(mp.diff(f, mp.mpf(x), 2))


def _one_sided(f, x, side, h=1e-7):
    """A one-sided second-order difference of SciPy's own values at an endpoint."""
    return side * (-3.0 * f(x) + 4.0 * f(x + side * h) - f(x + 2 * side * h)) / (2 * h)


# ---- 1. the densities of gammainc / betainc at the ends of their domains --------------

def _gamma_density(a, x):
    return x ** (a - 1.0) * math.exp(-x) / math.gamma(a)


@pytest.mark.parametrize("a, first, second", [
    (1.0, 1.0, -1.0),           # 1 - exp(-x): exp(-x), -exp(-x)
    (2.0, 0.0, 1.0),            # x e**-x: 0, (1 - x) e**-x = 1
    (3.0, 0.0, 0.0),            # x**2 e**-x / 2: 0, 1 - ... = 0 at 0
    (0.5, math.inf, -math.inf),  # x**-1/2 ...: the one-sided limits (no derivative)
])
def test_gammainc_at_zero_is_the_limit_of_its_density(a, first, second):
    for fn, sign in ((sc.gammainc, 1.0), (sc.gammaincc, -1.0)):
        f = lambda x: fn(a, x)  # noqa: E731
        assert dg.derivative(f, 0.0) == sign * first
        assert dg.derivative(lambda t: dg.derivative(f, t), 0.0) == sign * second
        # the array path, a zero among other points (a log-likelihood's data)
        x = np.array([0.0, 0.7, 1.3])
        g = dg.gradient(lambda x: np.sum(fn(a, x)), x)
        want = sign * np.array([first] + [_gamma_density(a, v) for v in x[1:]])
        np.testing.assert_allclose(g, want, rtol=1e-14, atol=0)
        h = dg.hessian(lambda x: np.sum(fn(a, x)), x)
        assert h[0, 0] == sign * second
        if math.isfinite(first):
            side = _one_sided(f, 0.0, 1.0)
            assert abs(side - sign * first) < 1e-6


def test_chi_square_two_dof_and_the_attack_repro():
    f = lambda x: sc.gammainc(1.0, x / 2)  # noqa: E731  (chi2 with 2 dof)
    assert dg.derivative(f, 0.0) == 0.5
    x = np.array([0.0, 0.7, 1.3])
    np.testing.assert_allclose(dg.gradient(lambda x: np.sum(sc.gammainc(1.0, x)), x),
                               np.exp(-x), rtol=1e-15)


@pytest.mark.parametrize("a, b, z, first, second", [
    (1.0, 3.0, 0.0, 3.0, -6.0),     # 3 (1 - z)**2
    (2.0, 1.0, 1.0, 2.0, 2.0),      # 2 z
    (2.0, 3.0, 0.0, 0.0, 12.0),     # 12 z (1 - z)**2
    (2.0, 2.0, 1.0, 0.0, -6.0),     # 6 z (1 - z)
    (1.0, 1.0, 0.0, 1.0, 0.0),      # uniform
    (1.0, 1.0, 1.0, 1.0, 0.0),
    (0.5, 2.0, 0.0, math.inf, -math.inf),
    (2.0, 0.5, 1.0, math.inf, math.inf),
])
def test_betainc_at_zero_and_one_is_the_limit_of_its_density(a, b, z, first, second):
    f = lambda z: sc.betainc(a, b, z)  # noqa: E731
    d1 = dg.derivative(f, z)
    d2 = dg.derivative(lambda t: dg.derivative(f, t), z)
    for got, want in ((d1, first), (d2, second)):
        if math.isfinite(want):
            assert abs(got - want) <= 1e-14 * max(1.0, abs(want))
        else:
            assert got == want
    if math.isfinite(first):
        assert abs(_one_sided(f, z, 1.0 if z == 0.0 else -1.0) - first) < 1e-5
    g = dg.gradient(lambda v: np.sum(sc.betainc(a, b, v)), np.array([z, 0.3]))
    dens = 0.3 ** (a - 1) * 0.7 ** (b - 1) / sc.beta(a, b)
    np.testing.assert_allclose(g, [first, dens], rtol=1e-13)


def test_the_incomplete_functions_keep_their_digits_inside():
    """The xlogy form is the exponential form it replaced away from the endpoints:
    mpmath's derivative of the regularized functions."""
    for a, x in ((0.3, 1e-5), (1.0, 3.0), (2.5, 0.01), (7.0, 40.0), (150.0, 160.0)):
        want = _d(lambda t: mp.gammainc(a, 0, t, regularized=True), x)
        assert dg.derivative(lambda t: sc.gammainc(a, t), x) == pytest.approx(want, rel=1e-12)
    for a, b, z in ((1.0, 3.0, 1e-8), (2.0, 1.0, 1 - 1e-8), (0.7, 2.5, 0.4), (30.0, 40.0, 0.45)):
        want = _d(lambda t: mp.betainc(a, b, 0, t, regularized=True), z)
        assert dg.derivative(lambda t: sc.betainc(a, b, t), z) == pytest.approx(want, rel=1e-11)


# ---- 2. the functions attack 32 found refused ----------------------------------------

MP = {
    "loggamma": mp.loggamma, "exp1": mp.e1, "expi": mp.ei, "erfi": mp.erfi,
    "dawsn": lambda x: mp.sqrt(mp.pi) / 2 * mp.exp(-x * x) * mp.erfi(x),
    "ellipk": mp.ellipk, "ellipe": mp.ellipe,
}
POINTS = {
    "loggamma": [0.1, 1.0, 2.5, 30.0, 1e5],
    "exp1": [1e-3, 0.5, 2.0, 50.0],
    "expi": [-3.0, -0.5, 1e-3, 0.5, 2.0, 50.0],
    "erfi": [-2.0, -0.1, 0.0, 0.5, 3.0],
    # the continued fraction beyond |x| = 10 (1 - 2 x D cancels there)
    "dawsn": [-30.0, -0.7, 0.0, 0.4, 2.0, 9.9, 10.1, 15.0, 50.0, 1e3, 1e6],
    # the series below |m| = 1/4 (0 / 0 at m = 0), the closed form beyond
    "ellipk": [-50.0, -3.0, -0.26, -0.2, -1e-9, 0.0, 1e-12, 0.1, 0.24, 0.26, 0.5, 0.9,
               1 - 1e-6],
    "ellipe": [-50.0, -3.0, -0.26, -0.2, -1e-9, 0.0, 1e-12, 0.1, 0.24, 0.26, 0.5, 0.9,
               1 - 1e-6],
}


@pytest.mark.parametrize("name", sorted(MP))
def test_unary_functions_match_mpmath(name):
    fn = getattr(sc, name)
    pts = np.array(POINTS[name])
    want = np.array([_d(MP[name], p) for p in pts])
    got = dg.jacobian(fn, pts).diagonal()
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0, err_msg=name)
    for p, w in zip(pts, want):                        # the scalar path
        assert dg.derivative(fn, float(p)) == pytest.approx(w, rel=1e-13, abs=0)
    # second derivatives (a Hessian's nested duals through the rows' own formulas)
    for p in pts[::2]:
        if name in ("ellipk", "ellipe") and p > 0.99:
            continue                                   # mpmath's step crosses m = 1
        w2 = _d2(MP[name], p)
        got2 = dg.derivative(lambda t: dg.derivative(fn, t), float(p))
        assert got2 == pytest.approx(w2, rel=1e-13, abs=1e-300), (name, p)


def test_elliptic_integrals_at_zero_and_one():
    assert dg.derivative(sc.ellipk, 0.0) == pytest.approx(math.pi / 8, rel=1e-15)
    assert dg.derivative(sc.ellipe, 0.0) == pytest.approx(-math.pi / 8, rel=1e-15)
    assert dg.derivative(sc.ellipk, 1.0) == math.inf          # K(1) = inf
    assert dg.derivative(sc.ellipe, 1.0) == -math.inf         # E'(m) -> -inf as m -> 1
    assert math.isnan(dg.derivative(sc.ellipk, 1.5))          # no real value there
    assert math.isnan(dg.derivative(sc.ellipe, 1.5))


def test_loggamma_is_nan_where_its_real_value_is():
    assert math.isnan(sc.loggamma(-1.5)) and math.isnan(dg.derivative(sc.loggamma, -1.5))
    # complex z: holomorphic, psi(z) (the principal branch)
    z = 1.5 + 2.0j
    got = dg.derivative(sc.loggamma, z, holomorphic=True)
    want = complex(mp.diff(mp.loggamma, mp.mpc(z)))
    assert abs(got - want) <= 1e-13 * abs(want)


def test_exponential_integrals_of_complex_arguments():
    for fn, ref, z in ((sc.exp1, mp.e1, 0.7 - 0.4j), (sc.erfi, mp.erfi, 0.7 - 0.4j),
                       (sc.dawsn, MP["dawsn"], 0.7 - 0.4j),
                       # off the real line D has w's exponential part: not the fraction
                       (sc.dawsn, MP["dawsn"], 12j), (sc.dawsn, MP["dawsn"], 3.0 + 12j),
                       (sc.dawsn, MP["dawsn"], 15.0 + 0j)):
        want = complex(mp.diff(ref, mp.mpc(z)))
        got = dg.derivative(fn, z, holomorphic=True)
        assert abs(got - want) <= 1e-13 * abs(want), fn.__name__


def _partials(fn, x, y):
    """(d/dx, d/dy) of fn at (x, y) by dualgrad."""
    g = dg.gradient(lambda v: fn(v[0], v[1]), np.array([x, y]))
    return g[0], g[1]


def test_relative_entropies_at_zero_and_inside():
    for x, y in ((0.3, 0.7), (2.0, 0.5), (1e-3, 3.0)):
        rel = lambda a, b: a * mp.log(a / b)  # noqa: E731
        kl = lambda a, b: a * mp.log(a / b) - a + b  # noqa: E731
        for fn, ref in ((sc.rel_entr, rel), (sc.kl_div, kl)):
            got = _partials(fn, x, y)
            want = (_d(lambda t: ref(t, y), x), _d(lambda t: ref(x, t), y))
            np.testing.assert_allclose(got, want, rtol=1e-14)
    # SciPy's value is 0 (rel_entr) and y (kl_div) along x = 0, y >= 0
    with np.errstate(all="ignore"):
        for y in (0.0, 2.0):
            dx, dy = _partials(sc.rel_entr, 0.0, y)
            assert dy == 0.0 and (dx == -math.inf if y else math.isnan(dx))
            dx, dy = _partials(sc.kl_div, 0.0, y)
            assert dy == 1.0 and (dx == -math.inf if y else math.isnan(dx))
        # the mixed derivative d2/dxdy of x log(x / y) is -1 / y at x = 0 too
        h = dg.hessian(lambda v: sc.rel_entr(v[0], v[1]), np.array([0.0, 2.0]))
        assert h[0, 1] == -0.5 and h[1, 0] == -0.5


def _huber(d, r):
    return r * r / 2 if abs(r) <= d else d * (abs(r) - d / 2)


def _pseudo(d, r):
    """delta**2 (sqrt(1 + t**2) - 1), t = r / delta, without the subtraction (mpmath's
    30 digits are not enough for it at t = 1e-9)."""
    t = r / d
    return d * d * t * t / (mp.sqrt(1 + t * t) + 1)


def test_huber_in_both_regions_and_at_the_seam():
    for d, r in ((1.0, 0.4), (1.0, -2.5), (0.3, 0.3), (0.3, -0.3), (2.0, 0.0)):
        got = _partials(sc.huber, d, r)
        inside = abs(r) <= d
        want = (0.0 if inside else abs(r) - d, r if inside else d * math.copysign(1.0, r))
        assert got == want, (d, r)
        if abs(abs(r) - d) > 1e-3:                           # mpmath away from the seam
            np.testing.assert_allclose(
                got, (_d(lambda t: _huber(t, mp.mpf(r)), d), _d(lambda t: _huber(mp.mpf(d), t), r)),
                rtol=1e-14, atol=1e-300)
    with np.errstate(all="ignore"):
        for fn in (sc.huber, sc.pseudo_huber):             # SciPy's value is inf: no slope
            assert all(math.isnan(v) for v in _partials(fn, -1.0, 0.5))


def test_pseudo_huber_matches_mpmath_and_its_limits_at_delta_zero():
    for d, r in ((1.0, 0.4), (0.5, -3.0), (2.0, 1e-6), (1e-3, 2.0), (3.0, 0.0), (1.0, 1e-9)):
        got = _partials(sc.pseudo_huber, d, r)
        want = (_d(lambda t: _pseudo(t, mp.mpf(r)), d), _d(lambda t: _pseudo(mp.mpf(d), t), r))
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-300, err_msg=str((d, r)))
        H = dg.hessian(lambda v: sc.pseudo_huber(v[0], v[1]), np.array([d, r]))
        for (i, j) in ((0, 0), (0, 1), (1, 1)):
            order = ((i == 0) + (j == 0), (i == 1) + (j == 1))    # d2/dd2, d2/dddr, d2/dr2
            want2 = float(mp.diff(_pseudo, (mp.mpf(d), mp.mpf(r)), order))
            # abs: d2/dr2 = delta**3 / (delta**2 + r**2)**1.5 is 1.25e-10 at (1e-3, 2),
            # to 3e-20 (rounding of the O(1) entries)
            assert H[i, j] == pytest.approx(want2, rel=1e-12, abs=1e-18), (d, r, i, j)
    # delta = 0 (SciPy's value 0): the limits delta -> 0+ of
    # delta sqrt(delta**2 + r**2) - delta**2 = delta |r| - delta**2 + delta**3 / (2 |r|) + ...:
    # d/ddelta -> |r|, d/dr -> 0; d2/ddelta2 -> -2, d2/ddelta dr -> sign(r), d2/dr2 -> 0
    assert _partials(sc.pseudo_huber, 0.0, 2.0) == (2.0, 0.0)
    assert _partials(sc.pseudo_huber, 0.0, -3.0) == (3.0, 0.0)
    H = dg.hessian(lambda v: sc.pseudo_huber(v[0], v[1]), np.array([0.0, -3.0]))
    np.testing.assert_array_equal(H, [[-2.0, -1.0], [-1.0, 0.0]])


def test_attack_32_rows_are_no_longer_refused():
    x = np.array([0.3, 0.6])
    for fn in (sc.loggamma, sc.exp1, sc.expi, sc.erfi, sc.dawsn, sc.ellipk, sc.ellipe):
        assert np.all(np.isfinite(dg.jacobian(fn, x)))
    for fn in (sc.rel_entr, sc.kl_div, sc.huber, sc.pseudo_huber):
        assert np.all(np.isfinite(dg.jacobian(lambda v: fn(v, v[::-1] + 0.5), x)))


# ---- 3. operands of other precisions: a float64 (complex128) result --------------------

@pytest.mark.parametrize("c", [np.longdouble(0.1), np.float16(0.1), np.float32(0.1),
                               np.ones(2, dtype=np.longdouble) * 0.1,
                               np.ones(2, dtype=np.float32) * 0.1])
def test_extended_and_low_precision_operands_give_float64(c):
    x = np.array([0.3, 1.2])
    want = np.diag(np.broadcast_to(np.asarray(c, dtype=np.float64), (2,)))
    c40 = np.resize(c, 40) if np.ndim(c) else c
    for J in (dg.jacobian(lambda x: x * c, x), dg.jacobian(lambda x: x * c40, np.ones(40))[:2, :2],
              dg.jacobian(lambda x: x * c, x, chunk=1),
              dg.jacobian(lambda x: {"a": x * c}, x)["a"]):
        assert J.dtype == np.float64 and J.shape == (2, 2)
        np.testing.assert_array_equal(J, want)
    np.testing.assert_array_equal(dg.jacobian(lambda x: x * c, x), want)
    assert dg.hessian(lambda x: np.sum(x * x * c), x).dtype == np.float64
    assert dg.gradient(lambda x: np.sum(x * c), x).dtype == np.float64
    assert type(dg.derivative(lambda t: t * c[0] if np.ndim(c) else t * c, 0.5)) is float
    assert dg.jvp(lambda x: x * c, x, np.ones(2))[1].dtype == np.float64


def test_extended_complex_operands_give_complex128():
    x = np.array([0.3, 1.2])
    J = dg.jacobian(lambda x: x * np.clongdouble(1 + 2j), x)
    assert J.dtype == np.complex128
    np.testing.assert_array_equal(J, np.diag([1 + 2j, 1 + 2j]))


def test_the_far_branches_of_rel_entr_and_pseudo_huber():
    """log(x / y) where the quotient underflows or overflows (log x - log y), and
    pseudo_huber beyond |r / delta| = 1e100 (the expansion's leading terms), against
    closed forms at 50 digits: d/dx x log(x / y) = log(x / y) + 1, d/dy = -x / y;
    d/ddelta = delta (s - 1)**2 / s, d/dr = r / s, s = sqrt(1 + (r / delta)**2)."""
    with mp.workdps(50):
        for x, y in ((1e-200, 1e200), (3e-160, 1e150), (1e200, 1e-200), (0.3, 0.3)):
            X, Y = mp.mpf(x), mp.mpf(y)
            got = _partials(sc.rel_entr, x, y)
            assert got[0] == pytest.approx(float(mp.log(X / Y) + 1), rel=1e-15)
            assert got[1] == pytest.approx(float(-X / Y), rel=1e-15)
        for d, r in ((1e-101, 1.0), (1e-99, 1.0), (1e-99, -3.0), (1e-120, -2.0)):
            D, R = mp.mpf(d), mp.mpf(r)
            s = mp.sqrt(1 + (R / D) ** 2)
            got = _partials(sc.pseudo_huber, d, r)
            assert got[0] == pytest.approx(float(D * (s - 1) ** 2 / s), rel=1e-15)
            assert got[1] == pytest.approx(float(R / s), rel=1e-15)
