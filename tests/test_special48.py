"""special48: scipy.special rows users hit (orthogonal polynomials, 2F1 in z, the
incomplete elliptic integrals, Owen's T, Struve's functions), their refusals, and
betainc's shape slopes at x ~ 1e-16 (NaN before).

Every derivative against mpmath at 40 digits (``mp.diff`` of mpmath's own function,
first and second order) and every value against SciPy's bits; both engines where the
suite's ``DUALGRAD_ENGINE`` chooses.
"""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

sc = pytest.importorskip("scipy.special")

pytestmark = pytest.mark.mp_dps(40)   # (tests/conftest.py)


def _d(f, x, k=1):
    return float(mp.diff(f, mp.mpf(float(x)), k))


def _check(f, mf, xs, rtol=1e-13, rtol2=1e-12, atol=0.0):
    """f's value (SciPy's bits), its derivative on the array path and the scalar path,
    and its second derivative, against mpmath's ``mf`` at the points ``xs``."""
    xs = np.asarray(xs, dtype=np.float64)
    value, slope = dg.jvp(f, xs, np.ones_like(xs))
    np.testing.assert_array_equal(value, f(xs))
    want = np.array([_d(mf, x) for x in xs])
    np.testing.assert_allclose(slope, want, rtol=rtol, atol=atol)
    for x, w in zip(xs, want):
        assert dg.derivative(f, float(x)) == pytest.approx(w, rel=rtol, abs=atol)
        assert dg.hessian(f, float(x)) == pytest.approx(_d(mf, x, 2), rel=rtol2, abs=max(atol, 1e-30))


# ---- orthogonal polynomials in x ---------------------------------------------------
_X = [-2.5, -0.7, 0.0, 0.3, 1.9]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7])
def test_hermite_rows_match_mpmath(n):
    _check(lambda s: sc.eval_hermite(n, s), lambda t: mp.hermite(n, t), _X)
    _check(lambda s: sc.eval_hermitenorm(n, s),
           lambda t: mp.hermite(n, t / mp.sqrt(2)) * mp.mpf(2) ** (-mp.mpf(n) / 2), _X)


@pytest.mark.engine_independent
@pytest.mark.parametrize("n", [0, 1, 2, 5, 2.5])
def test_laguerre_rows_match_mpmath(n):
    xs = [0.0, 0.4, 1.7, 6.0]
    _check(lambda s: sc.eval_laguerre(n, s), lambda t: mp.laguerre(n, 0, t), xs)
    for a in (0.0, 0.3, 2.5, -0.5):
        _check(lambda s: sc.eval_genlaguerre(n, a, s), lambda t: mp.laguerre(n, a, t), xs,
               atol=1e-14)


@pytest.mark.engine_independent
@pytest.mark.parametrize("n", [0, 1, 2, 5, 2.5])
def test_jacobi_row_matches_mpmath(n):
    xs = [-0.97, -0.3, 0.11, 0.55, 0.999]           # (no zero of P_n: mpmath's hypsum)
    for a, b in ((0.0, 0.0), (0.3, 1.2), (-0.5, 2.0)):
        _check(lambda s: sc.eval_jacobi(n, a, b, s), lambda t: mp.jacobi(n, a, b, t), xs,
               rtol=1e-12, rtol2=1e-11, atol=1e-13)


def test_negative_and_zero_degrees_are_scipys_constants():
    # SciPy: H_n, He_n NaN below 0 (its only loop is integer); L_n, P_n^(a, b) of a
    # negative integer degree 0 (its integer loop), and of a whole real degree <= 0 a
    # constant (1, 0) or NaN: the derivatives are 0 where the value is a constant, NaN
    # where it is NaN, to second order
    x = 0.4
    for f in (lambda s: sc.eval_hermite(0, s), lambda s: sc.eval_hermitenorm(0, s),
              lambda s: sc.eval_laguerre(0, s), lambda s: sc.eval_laguerre(-1, s),
              lambda s: sc.eval_laguerre(-3, s), lambda s: sc.eval_laguerre(0.0, s),
              lambda s: sc.eval_genlaguerre(0, 0.5, s), lambda s: sc.eval_genlaguerre(-2, 0.5, s),
              lambda s: sc.eval_jacobi(0, 0.3, 0.2, s), lambda s: sc.eval_jacobi(-1, 0.3, 0.2, s),
              lambda s: sc.eval_jacobi(-2, 0.3, 0.2, s), lambda s: sc.eval_jacobi(-1.0, 0.3, 0.2, s),
              lambda s: sc.eval_jacobi(-3.0, 0.3, 0.2, s)):
        assert np.isfinite(f(x))
        assert dg.derivative(f, x) == 0.0
        assert dg.hessian(f, x) == 0.0
    for f in (lambda s: sc.eval_hermite(-1, s), lambda s: sc.eval_hermitenorm(-3, s),
              lambda s: sc.eval_laguerre(-1.0, s), lambda s: sc.eval_genlaguerre(2, -1.5, s)):
        assert np.isnan(f(x))
        assert np.isnan(dg.derivative(f, x))


def test_negative_real_jacobi_degree_matches_mpmath():
    # a non-whole negative degree is SciPy's hypergeometric polynomial: the same formula
    _check(lambda s: sc.eval_jacobi(-0.5, 0.3, 1.2, s), lambda t: mp.jacobi(-0.5, 0.3, 1.2, t),
           [-0.3, 0.2, 0.7])


# ---- hyp2f1 in z --------------------------------------------------------------------
@pytest.mark.engine_independent
@pytest.mark.parametrize("abc", [(0.5, 1.5, 3.7), (1.0 / 3.0, 0.5, 4.0 / 3.0), (-2.0, 1.5, 0.7),
                                 (2.5, -0.3, 1.1)])
def test_hyp2f1_in_z_matches_mpmath(abc):
    a, b, c = abc
    m = [mp.mpf(v) for v in abc]
    _check(lambda s: sc.hyp2f1(a, b, c, s), lambda t: mp.hyp2f1(*m, t),
           [-5.0, -0.9, 0.0, 0.3, 0.99], rtol=1e-12, rtol2=1e-11)


def test_hyp2f1_towards_z_1():
    # c - a - b = 1.7: the first derivative stays finite at z = 1 (Gauss's sum), the
    # second grows as (1 - z)**-0.3; flat LCDM's 2F1(1/3, 1/2; 4/3; -z)
    for z in (0.999, 0.9999999, 1.0):
        want = _d(lambda t: mp.hyp2f1(0.5, 1.5, 3.7, t), z) if z < 1 else float(
            mp.mpf(0.75) / 3.7 * mp.hyp2f1(1.5, 2.5, 4.7, 1))
        assert dg.derivative(lambda s: sc.hyp2f1(0.5, 1.5, 3.7, s), z) == pytest.approx(want, rel=1e-12)
    for z in (0.999, 0.9999999):
        assert dg.hessian(lambda s: sc.hyp2f1(0.5, 1.5, 3.7, s), z) == pytest.approx(
            _d(lambda t: mp.hyp2f1(0.5, 1.5, 3.7, t), z, 2), rel=1e-10)
    assert dg.derivative(lambda s: sc.hyp2f1(0.5, 0.5, 1.5, s), 1.0) == np.inf


def test_hyp2f1_constant_where_a_or_b_is_zero():
    for a, b in ((0.0, 1.5), (2.0, 0.0)):
        assert dg.derivative(lambda s: sc.hyp2f1(a, b, 3.0, s), 0.4) == 0.0


@pytest.mark.parametrize("k", [0, 1, 2])
def test_hyp2f1_refuses_its_parameters(k):
    def f(p):
        args = [0.5, 1.5, 3.7, 0.3]
        args[k] = p
        return sc.hyp2f1(*args)
    with pytest.raises(TypeError, match=r"scipy\.special\.hyp2f1.*argument "
                       f"{k + 1}.*no closed form.*pass a, b and c as plain numbers"):
        dg.derivative(f, 0.5)


def test_polynomial_parameters_are_refused_with_the_fix():
    with pytest.raises(TypeError, match=r"eval_genlaguerre.*argument 2.*pass alpha"):
        dg.derivative(lambda a: sc.eval_genlaguerre(3, a, 0.5), 0.4)
    with pytest.raises(TypeError, match=r"eval_jacobi.*argument 3.*pass alpha and beta"):
        dg.derivative(lambda b: sc.eval_jacobi(3, 0.2, b, 0.5), 0.4)


# ---- incomplete elliptic integrals ----------------------------------------------------
_PHI_M = [(0.7, 0.3), (0.7, 0.0), (0.7, 1e-12), (1e-5, 0.5), (1e-5, 1e-9),
          (np.pi / 2, 0.5), (np.pi, 0.5), (3 * np.pi / 2, 0.7), (4.0, 0.5), (-4.0, 0.5),
          (10.0, -3.0), (1.0, 1.0), (1.0, 1 - 1e-7), (-1.2, -50.0)]


# (not engine_independent since stop 70: a plain float64 array beside an array dual asks
# whether the dual's partials are deferred, heat70's _pending_plain / small70's one call)
@pytest.mark.parametrize("name, mf", [("ellipkinc", mp.ellipf), ("ellipeinc", mp.ellipe)])
def test_incomplete_elliptic_gradients_match_mpmath(name, mf):
    # d/dm by Carlson's R_D: no cancellation as m -> 0 or phi -> 0, where (E - F) / (2 m)
    # loses every digit; phi beyond pi / 2 by the integrand's period
    f = getattr(sc, name)
    phi = np.array([p for p, _ in _PHI_M])
    m = np.array([q for _, q in _PHI_M])
    value, dphi = dg.jvp(lambda s: f(s, m), phi, np.ones_like(phi))
    np.testing.assert_array_equal(value, f(phi, m))
    value, dm = dg.jvp(lambda s: f(phi, s), m, np.ones_like(m))
    np.testing.assert_array_equal(value, f(phi, m))
    for k, (p, q) in enumerate(_PHI_M):
        P, Q = mp.mpf(float(p)), mp.mpf(float(q))
        assert dphi[k] == pytest.approx(float(mp.diff(lambda t: mf(t, Q), P)), rel=1e-14)
        assert dm[k] == pytest.approx(float(mp.diff(lambda t: mf(P, t), Q)), rel=1e-14)
        g = dg.gradient(lambda v: f(v[0], v[1]), np.array([p, q]))
        np.testing.assert_array_equal(g, [dphi[k], dm[k]])
        assert dg.hessian(lambda s: f(s, q), float(p)) == pytest.approx(
            float(mp.diff(lambda t: mf(t, Q), P, 2)), rel=1e-13, abs=1e-15)


def test_incomplete_elliptic_edges():
    # F(pi/2, 1) = inf, and so is its d/dm; SciPy's values are NaN for m > 1, the slopes too
    assert dg.derivative(lambda m: sc.ellipkinc(np.pi / 2, m), 1.0) == np.inf
    for f in (sc.ellipkinc, sc.ellipeinc):
        g = dg.gradient(lambda v: f(v[0], v[1]), np.array([0.5, 1.5]))
        assert np.isnan(g).all()


def test_elliprd_on_duals_is_refused():
    # (ellipkinc's and ellipeinc's second derivatives in m, refused here at special48,
    # are exact since misc49: tests/test_misc49.py)
    with pytest.raises(TypeError, match=r"scipy\.special\.elliprd"):
        dg.derivative(lambda z: sc.elliprd(0.5, 1.0, z), 0.3)


# ---- Owen's T, Struve --------------------------------------------------------------------
def _owens_t(h, a):
    return mp.quad(lambda t: mp.exp(-h * h * (1 + t * t) / 2) / (1 + t * t), [0, a]) / (2 * mp.pi)


@pytest.mark.parametrize("h, a", [(0.5, 0.3), (2.0, 5.0), (-1.0, 0.7), (0.0, 1.3), (3.0, -0.4),
                                  (0.7, 1e6)])
def test_owens_t_matches_mpmath(h, a):
    H, A = mp.mpf(h), mp.mpf(a)
    g = dg.gradient(lambda v: sc.owens_t(v[0], v[1]), np.array([h, a]))
    assert g[0] == pytest.approx(float(mp.diff(lambda t: _owens_t(t, A), H)), rel=1e-13, abs=1e-30)
    assert g[1] == pytest.approx(float(mp.diff(lambda t: _owens_t(H, t), A)), rel=1e-13, abs=1e-30)
    hess = dg.hessian(lambda v: sc.owens_t(v[0], v[1]), np.array([h, a]))
    want = [[mp.diff(lambda s, t: _owens_t(s, t), (H, A), (2 - i - j, i + j)) for j in (0, 1)]
            for i in (0, 1)]
    np.testing.assert_allclose(hess, np.array(want, dtype=float), rtol=1e-12, atol=1e-30)


@pytest.mark.engine_independent
@pytest.mark.parametrize("name, mf", [("struve", mp.struveh), ("modstruve", mp.struvel)])
@pytest.mark.parametrize("v", [0.0, 1.0, 2.5, -0.5, -1.0, -1.3])
def test_struve_rows_match_mpmath(name, mf, v):
    # large x: H_v' = H_(v-1) - (v / x) H_v, whose terms do not cancel (the half sum's
    # 2 / pi terms do); below |x| = 1 the series (the recurrence cancels there for v near
    # -1: H_(-1)'(1e-300) was -1.6e286 for ~0), at x = 0 its limits (whole v: mpmath's
    # difference reads x < 0 there)
    f = getattr(sc, name)
    xs = [1e-6, 0.3, 0.999, 1.0, 5.0, 40.0] + ([0.0] if v == int(v) else [])
    _check(lambda s: f(v, s), lambda t: mf(v, t), xs, rtol=1e-12, rtol2=1e-11, atol=1e-15)


# ---- betainc's shape slopes at tiny x --------------------------------------------------
@pytest.mark.engine_independent
def test_betainc_shape_slopes_at_tiny_x_are_numbers():
    # its continued fraction is 1 + O(x) there and flipped by an ulp every step: no stop
    # in 20000 steps, NaN (attack47b 05), and so stdtr's d/ddf at t ~ 1e-8, df < 1
    worst = 0.0
    for x in np.logspace(-18, -12, 7):
        X = mp.mpf(float(x))
        for a in (0.05, 0.5, 1.0, 2.0):
            for b in (0.05, 0.15, 0.5, 2.0):
                g = dg.gradient(lambda q: sc.betainc(q[0], q[1], x), np.array([a, b]))
                da = mp.diff(lambda t: mp.betainc(t, b, 0, X, regularized=True), a)
                db = mp.diff(lambda t: mp.betainc(a, t, 0, X, regularized=True), b)
                for got, want in zip(g, (da, db)):
                    worst = max(worst, abs(got - float(want)) / abs(float(want)))
    assert worst < 1e-13
    t = mp.mpf(1e-8)
    t_cdf = lambda v: mp.mpf(1) / 2 + t * mp.gamma((v + 1) / 2) / (  # noqa: E731
        mp.sqrt(mp.pi * v) * mp.gamma(v / 2)) * mp.hyp2f1(0.5, (v + 1) / 2, 1.5, -t * t / v)
    for df in (0.05, 0.3, 0.9):
        assert dg.derivative(lambda v: sc.stdtr(v, 1e-8), df) == pytest.approx(
            float(mp.diff(t_cdf, mp.mpf(df))), rel=1e-12)


def test_betainc_hessian_at_tiny_x_matches_mpmath():
    x = 3.16e-16
    X = mp.mpf(x)
    hess = dg.hessian(lambda q: sc.betainc(q[0], q[1], x), np.array([1.0, 0.5]))
    f = lambda s, t: mp.betainc(s, t, 0, X, regularized=True)  # noqa: E731
    want = [[mp.diff(f, (mp.mpf(1), mp.mpf(0.5)), (2 - i - j, i + j)) for j in (0, 1)]
            for i in (0, 1)]
    # (d2/db2 ~ -x**2 is I (s2 + s1**2) of log-slopes ~ 1, which cancel: exact only to
    # ~eps |I| s1**2 ~ 1e-31 absolute, 1e-18 of the Hessian's scale; see MISSES)
    np.testing.assert_allclose(hess, np.array(want, dtype=float), rtol=1e-12, atol=1e-30)


# ---- airy: four outputs -------------------------------------------------------------------
def test_airy_takes_duals_through_dualgrad_scipy_special():
    from dualgrad.scipy.special import airy
    xs = np.array([-12.0, -3.0, 0.0, 0.5, 5.0, 12.0])
    mfs = [lambda t, k: mp.airyai(t, k), lambda t, k: mp.airyai(t, k + 1),
           lambda t, k: mp.airybi(t, k), lambda t, k: mp.airybi(t, k + 1)]
    for j, mf in enumerate(mfs):
        value, slope = dg.jvp(lambda s: airy(s)[j], xs, np.ones_like(xs))
        np.testing.assert_array_equal(value, sc.airy(xs)[j])
        np.testing.assert_allclose(slope, [float(mf(mp.mpf(x), 1)) for x in xs], rtol=1e-13)
        for x in xs:
            assert dg.hessian(lambda s: airy(s)[j], float(x)) == pytest.approx(
                float(mf(mp.mpf(x), 2)), rel=1e-12, abs=1e-300)
    z = 1.0 + 0.5j
    got = dg.derivative(lambda s: airy(s)[0], z, holomorphic=True)
    assert got == pytest.approx(complex(mp.airyai(z, 1)), rel=1e-13)
    for x in (0.5, np.array([0.5, 2.0])):
        for a, b in zip(airy(x), sc.airy(x)):          # plain input: SciPy's call
            np.testing.assert_array_equal(a, b)


def test_scipys_airy_names_the_function_that_takes_duals():
    with pytest.raises(TypeError, match=r"scipy\.special\.airy.*four outputs.*"
                       r"dualgrad\.scipy\.special\.airy"):
        dg.derivative(lambda s: sc.airy(s)[0], 0.5)
