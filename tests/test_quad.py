"""dg.quad: SciPy's quad with the partials integrated beside the value, against closed
forms (Gaussian integrals, Gamma and its digamma derivatives, moving limits), mpmath's
quad with mpmath's diff, and Richardson differences of SciPy's own quad at a tight
tolerance; the error estimates of the partials checked against their true errors."""

import threading
import warnings

import numpy as np
import pytest

import dualgrad as dg

scipy = pytest.importorskip("scipy")
mp = pytest.importorskip("mpmath")
from scipy import integrate, special  # noqa: E402

SQPI = np.sqrt(np.pi)


def _richardson(F, x, h=1e-3):
    """The gradient of F at x by Richardson's extrapolation of central differences
    (error O(h^4)), F SciPy's quad at a tight tolerance."""
    x = np.asarray(x, dtype=float)
    g = np.zeros(x.size)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = 1.0

        def d(s):
            return (F(x + s * e) - F(x - s * e)) / (2 * s)
        g[i] = (4 * d(h / 2) - d(h)) / 3
    return g


# ---- closed forms ------------------------------------------------------------------------

def test_exponential_derivative_closed_form():
    def area(p):
        return dg.quad(lambda x: np.exp(-p * x), 0.0, 1.0)[0]
    for p in (0.3, 0.7, 2.5):
        want = ((1 + p) * np.exp(-p) - 1) / p ** 2
        assert dg.derivative(area, p) == pytest.approx(want, rel=1e-12)


def test_gaussian_integral_gradient_and_hessian():
    # int exp(-a x^2) dx over R = sqrt(pi / a)
    def g(q):
        return dg.quad(lambda x, a: np.exp(-a * x * x), -np.inf, np.inf, args=(q[0],))[0]
    a = 1.7
    grad = dg.gradient(g, np.array([a]))
    np.testing.assert_allclose(grad, [-0.5 * SQPI * a ** -1.5], rtol=1e-10)
    H = dg.hessian(g, np.array([a]))
    np.testing.assert_allclose(H, [[0.75 * SQPI * a ** -2.5]], rtol=1e-9)


def test_normal_density_mean_and_width():
    # int exp(-(x - m)^2 / (2 s^2)) dx = s sqrt(2 pi): gradient (0, sqrt(2 pi)) in (m, s)
    def g(q):
        m, s = q
        return dg.quad(lambda x: np.exp(-(x - m) ** 2 / (2 * s * s)), -np.inf, np.inf)[0]
    grad = dg.gradient(g, np.array([0.4, 1.3]))
    np.testing.assert_allclose(grad, [0.0, np.sqrt(2 * np.pi)], rtol=1e-10, atol=1e-10)
    # a half line: int_m^inf = s sqrt(pi / 2); d/dm through the limit and the integrand
    def half(q):
        m, s = q
        return dg.quad(lambda x: np.exp(-(x - m) ** 2 / (2 * s * s)), m, np.inf)[0]
    np.testing.assert_allclose(dg.gradient(half, np.array([0.4, 1.3])),
                               [0.0, np.sqrt(np.pi / 2)], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("a", [2.5, 0.7])
def test_gamma_digamma(a):
    # Gamma(a) = int_0^inf x^(a-1) e^-x: Gamma' = Gamma psi, Gamma'' = Gamma (psi^2 + psi_1)
    # (a = 0.7: the integrand and its partials are singular at 0; more subdivisions)
    def gam(q):
        return dg.quad(lambda x: x ** (q[0] - 1) * np.exp(-x), 0.0, np.inf, limit=200,
                       epsabs=1e-11, epsrel=1e-11)[0]
    G, psi, psi1 = special.gamma(a), special.digamma(a), special.polygamma(1, a)
    np.testing.assert_allclose(dg.gradient(gam, np.array([a])), [G * psi], rtol=1e-9)
    np.testing.assert_allclose(dg.hessian(gam, np.array([a])), [[G * (psi ** 2 + psi1)]],
                               rtol=1e-8)


def test_moving_limits_hessian_closed_form():
    # F(a, c) = int_0^c exp(-a x^2) dx: F_c = e^{-a c^2}, F_cc = -2 a c e^{-a c^2},
    # F_ac = -c^2 e^{-a c^2}; F_a, F_aa by mpmath
    def F(q):
        return dg.quad(lambda x: np.exp(-q[0] * x * x), 0.0, q[1])[0]
    a, c = 1.3, 0.9
    e = np.exp(-a * c * c)
    Fa = float(mp.quad(lambda x: -x ** 2 * mp.exp(-a * x * x), [0, c]))
    Faa = float(mp.quad(lambda x: x ** 4 * mp.exp(-a * x * x), [0, c]))
    np.testing.assert_allclose(dg.gradient(F, np.array([a, c])), [Fa, e], rtol=1e-11)
    H = dg.hessian(F, np.array([a, c]))
    np.testing.assert_allclose(H, [[Faa, -c * c * e], [-c * c * e, -2 * a * c * e]],
                               rtol=1e-10)


def test_reversed_limits():
    def F(q):
        return dg.quad(lambda x: np.sin(q[0] * x), q[1], 0.0)[0]      # -int_0^c sin(p x)
    p, c = 1.4, 2.0
    want = [-(c * np.sin(p * c) / p + (np.cos(p * c) - 1) / p ** 2), -np.sin(p * c)]
    np.testing.assert_allclose(dg.gradient(F, np.array([p, c])), want, rtol=1e-11)
    # reversed infinite range: int_inf^0 exp(-p x) = -1 / p
    d = dg.derivative(lambda p: dg.quad(lambda x: np.exp(-p * x), np.inf, 0.0)[0], 2.0)
    assert d == pytest.approx(0.25, rel=1e-10)


# ---- mpmath's quad and diff --------------------------------------------------------------

def test_mpmath_gradient_and_hessian_every_argument():
    # parameters in args, in a closure, and both limits at once
    def F(q):
        p, s, c, d = q
        return dg.quad(lambda x, p: np.sin(p * x) / (1 + s * x * x), c, d, args=(p,),
                       epsabs=1e-13, epsrel=1e-13)[0]
    q = (1.2, 0.8, -0.3, 1.7)

    def M(p, s, c, d):
        return mp.quad(lambda x: mp.sin(p * x) / (1 + s * x * x), [c, d])
    with mp.workdps(25):
        grad = [float(mp.diff(M, q, tuple(int(i == j) for j in range(4))))
                for i in range(4)]
        want = np.zeros((4, 4))
        for i in range(4):
            for j in range(i, 4):
                want[i, j] = want[j, i] = float(mp.diff(M, q, tuple(
                    int(i == k) + int(j == k) for k in range(4))))
    np.testing.assert_allclose(dg.gradient(F, np.array(q)), grad, rtol=1e-11, atol=1e-13)
    H = dg.hessian(F, np.array(q))
    np.testing.assert_allclose(H, want, rtol=1e-9, atol=1e-11)


# ---- Richardson differences of SciPy's quad -------------------------------------------

def _efunc(x, Om, Ol):
    return np.sqrt(Om * (1 + x) ** 3 + (1 - Om - Ol) * (1 + x) ** 2 + Ol)


def test_comoving_distance_against_richardson_of_scipy_quad():
    def D(q, quad):
        Om, Ol, z = q
        return quad(lambda x: 1.0 / _efunc(x, Om, Ol), 0.0, z, epsabs=1e-13,
                    epsrel=1e-13)[0]
    q = np.array([0.3, 0.7, 1.5])
    want = _richardson(lambda v: D(v, integrate.quad), q)
    got = dg.gradient(lambda v: D(v, dg.quad), q)
    np.testing.assert_allclose(got, want, rtol=1e-8)
    # the value is SciPy's to its tolerance
    assert float(D(q, dg.quad)) == pytest.approx(D(q, integrate.quad), rel=1e-12)


# ---- honest error estimates; tolerances apply to the partials -----------------------------

@pytest.mark.parametrize("epsrel", [1e-3, 1e-6, 1e-9])
def test_partials_error_within_estimate_and_tolerance(epsrel):
    # int_0^1 x^(a-1) dx = 1/a, d/da = -1/a^2, d2/da2 = 2/a^3 (the partials' integrands
    # carry ln x and ln^2 x: harder than the value's)
    a = 1.5
    seen = {}

    def F(q):
        y, err, info = dg.quad(lambda x: x ** (q[0] - 1), 0.0, 1.0, full_output=1,
                               epsabs=0.0, epsrel=epsrel, limit=500)[:3]
        seen["info"] = info
        return y
    got = dg.gradient(F, np.array([a]))[0]
    est = seen["info"]["abserr_all"]
    assert abs(got + 1 / a ** 2) <= est[1]
    assert est[1] <= epsrel * abs(1 / a ** 2)
    H = dg.hessian(F, np.array([a]))[0, 0]
    est = seen["info"]["abserr_all"]
    assert est.shape == (2, 2)
    assert abs(H - 2 / a ** 3) <= est[1, 1] <= epsrel * 2 / a ** 3
    assert np.all(est <= epsrel * np.array([[1 / a, 1 / a ** 2], [1 / a ** 2, 2 / a ** 3]]))


def test_tolerance_of_a_partial_drives_subdivision():
    # the value's integrand is smooth, the partial's (x^(a-1) ln x) is not: one interval
    # meets the value's tolerance, the partial's needs more
    def F(p, out):
        r = dg.quad(lambda x: x ** (p - 1), 0.0, 1.0, full_output=1, epsabs=0.0,
                    epsrel=1e-10, limit=500)
        out.append(r[2])
        return r[0]
    plain = integrate.quad(lambda x: x ** 2.0, 0.0, 1.0, full_output=1, epsabs=0.0,
                           epsrel=1e-10)
    infos = []
    d = dg.derivative(lambda p: F(p, infos), 3.0)
    assert d == pytest.approx(-1 / 9, rel=1e-10)
    assert plain[2]["last"] == 1 and infos[0]["last"] > 1


def test_limit_reached_warns_and_full_output_reports():
    def F(p, **kw):
        return dg.quad(lambda x: x ** (p - 1), 0.0, 1.0, epsabs=0.0, epsrel=1e-12, limit=3,
                       **kw)
    with pytest.warns(integrate.IntegrationWarning, match="limit"):
        dg.derivative(lambda p: F(p)[0], 0.6)
    out = []
    dg.derivative(lambda p: out.append(F(p, full_output=1)) or out[-1][0], 0.6)
    assert len(out[0]) == 4 and "limit" in out[0][3]
    assert out[0][2]["last"] == 3


# ---- SciPy's own call where no dual enters ------------------------------------------------

def test_no_duals_is_scipys_call():
    f = lambda x, c: np.exp(-c * x) * np.cos(x)   # noqa: E731
    for kw in ({}, {"full_output": 1}, {"points": [0.5]}, {"weight": "cos", "wvar": 2.0},
               {"limit": 5, "epsabs": 0.0, "epsrel": 1e-13}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            got = dg.quad(f, 0.0, 3.0, args=(0.5,), **kw)
            want = integrate.quad(f, 0.0, 3.0, args=(0.5,), **kw)
        assert got[:2] == want[:2]
    assert dg.quad(lambda x, c: c * x, 0.0, 1.0, args=2.0) == integrate.quad(
        lambda x, c: c * x, 0.0, 1.0, args=2.0)             # a lone arg, as SciPy takes it


def test_compiled_integrands_go_to_scipy_unwrapped():
    numba = pytest.importorskip("numba")
    import scipy as sp

    @numba.cfunc("float64(float64)")
    def square(x):
        return x * x
    for func in (square.ctypes, sp.LowLevelCallable(square.ctypes)):
        assert dg.quad(func, 0.0, 2.0) == integrate.quad(func, 0.0, 2.0)
    with pytest.raises(TypeError, match="py_func"):
        dg.derivative(lambda b: dg.quad(square.ctypes, 0.0, b)[0], 1.0)
    # during sparsity detection: the limit's input only
    P = dg.sparsity(lambda q: np.stack([dg.quad(square.ctypes, 0.0, q[1])[0], q[0]]),
                    np.array([1.0, 2.0])).toarray()
    np.testing.assert_array_equal(P, [[0, 1], [1, 0]])
    # args enter the compiled integrand: the integral depends on them (attack48b 14: the
    # pattern dropped them, and a finite-difference solver handed it got a wrong Jacobian)
    from numba.types import CPointer, float64, intc

    @numba.cfunc(float64(intc, CPointer(float64)))
    def decay(n, xx):
        return np.exp(-xx[1] * xx[0])
    llc = sp.LowLevelCallable(decay.ctypes)
    P = dg.sparsity(lambda q: np.stack([dg.quad(llc, 0.0, 1.0, args=(q[0],))[0], q[1] ** 2]),
                    np.array([2.0, 1.0])).toarray()
    np.testing.assert_array_equal(P, [[1, 0], [0, 1]])
    lo, hi = (integrate.quad(llc, 0.0, 1.0, args=(c,))[0] for c in (2.0 - 1e-6, 2.0 + 1e-6))
    assert abs((hi - lo) / 2e-6) > 0.1                  # the entry is a real dependence


def test_closure_duals_restart_from_scipys_path():
    # no dual in args or the limits: func's first dual result switches paths
    d = dg.derivative(lambda p: dg.quad(lambda x: np.cos(p * x), 0.0, 1.0)[0], 0.9)
    assert d == pytest.approx((0.9 * np.cos(0.9) - np.sin(0.9)) / 0.81, rel=1e-12)


def test_nested_calls_read_late():
    # the inner call's dual is the limit, the outer's only in func: a restart carries both
    # d/ds d/dt int_0^t exp(-s x) dx = d/ds exp(-s t) = -t exp(-s t)
    def outer(s):
        return dg.derivative(lambda t: dg.quad(lambda x: np.exp(-s * x), 0.0, t)[0], 1.2)
    assert dg.derivative(outer, 0.5) == pytest.approx(-1.2 * np.exp(-0.6), rel=1e-12)
    # jacfwd of grad, as a Hessian
    def F(q):
        return dg.quad(lambda x: np.exp(-q[0] * x) * np.sin(q[1] * x), 0.0, np.inf)[0]
    a, w = 1.1, 0.7      # int = w / (a^2 + w^2)
    H = dg.jacfwd(dg.grad(F))(np.array([a, w]))
    Hm = [[float(mp.diff(lambda a, w: w / (a * a + w * w), (a, w),
                         tuple(int(k == i) + int(k == j) for k in range(2))))
           for j in range(2)] for i in range(2)]
    np.testing.assert_allclose(H, Hm, rtol=1e-9, atol=1e-11)


# ---- vectorized, complex, points -----------------------------------------------------------

def test_vectorized_matches_per_node():
    def F(q, vec):
        return dg.quad(lambda x: np.exp(-q[0] * x * x) * np.cos(q[1] * x), -np.inf, q[2],
                       vectorized=vec)[0]
    q = np.array([0.8, 1.3, 0.4])
    g1 = dg.gradient(lambda v: F(v, False), q)
    g2 = dg.gradient(lambda v: F(v, True), q)
    np.testing.assert_allclose(g1, g2, rtol=1e-13, atol=1e-15)
    want = _richardson(lambda v: integrate.quad(
        lambda x: np.exp(-v[0] * x * x) * np.cos(v[1] * x), -np.inf, v[2],
        epsabs=1e-13, epsrel=1e-13)[0], q)
    np.testing.assert_allclose(g2, want, rtol=1e-8)


def test_complex_func():
    # int_0^1 exp(i p x) dx = (e^{ip} - 1) / (i p); d/dp = -i (e^{ip} (i p - 1) + 1) / p^2
    p = 1.3
    out = []

    def F(p):
        r = dg.quad(lambda x: np.exp(1j * p * x), 0.0, 1.0, complex_func=True)
        out.append(r)
        return r[0]
    d = dg.derivative(F, p)
    want = -1j * (np.exp(1j * p) * (1j * p - 1) + 1) / p ** 2
    assert d == pytest.approx(want, rel=1e-12)
    assert isinstance(out[0][1], complex)
    with pytest.raises(TypeError, match="complex_func=True"):
        dg.derivative(lambda p: dg.quad(lambda x: np.exp(1j * p * x), 0.0, 1.0)[0], p)


def test_points_guide_a_kink():
    # int_0^2 |x - c| p dx = p (c^2 + (2 - c)^2) / 2; the kink at c given as a point
    c = 0.7
    def F(q):
        return dg.quad(lambda x: q[0] * np.abs(x - c), 0.0, 2.0, points=[c])[0]
    np.testing.assert_allclose(dg.gradient(F, np.array([1.5])),
                               [(c * c + (2 - c) ** 2) / 2], rtol=1e-13)


# ---- refusals -------------------------------------------------------------------------------

def test_refusals():
    with pytest.raises(TypeError, match="weight"):
        dg.derivative(lambda p: dg.quad(lambda x: p * x, 0.0, 1.0, weight="cos",
                                        wvar=2.0)[0], 1.0)
    with pytest.raises(TypeError, match="one number"):
        dg.derivative(lambda p: dg.quad(lambda x: p * np.array([x, x]), 0.0, 1.0)[0], 1.0)
    with pytest.raises(TypeError, match="infinite limit"):
        dg.derivative(lambda p: dg.quad(lambda x: np.exp(-x), 0.0, np.inf * p)[0], 1.0)
    with pytest.raises(TypeError, match="points"):
        dg.derivative(lambda p: dg.quad(lambda x: p * x, 0.0, 1.0, points=[p / 2])[0], 1.0)
    import math
    with pytest.raises(TypeError, match="a limit that moves"):
        dg.derivative(lambda b: dg.quad(lambda x: math.exp(x), 0.0, b)[0], 1.0)
    with pytest.raises(ValueError, match="epsrel"):
        dg.derivative(lambda p: dg.quad(lambda x: p * x, 0.0, 1.0, epsabs=0.0,
                                        epsrel=1e-15)[0], 1.0)
    with pytest.raises(ValueError, match="points"):
        dg.derivative(lambda p: dg.quad(lambda x: p * np.exp(-x), 0.0, np.inf,
                                        points=[1.0])[0], 1.0)


def test_infinite_limit_that_stays_put_is_fine():
    # np.inf + 0 * p: a dual whose partials are zero
    d = dg.derivative(lambda p: dg.quad(lambda x: np.exp(-p * x), 0.0, np.inf + 0 * p)[0],
                      2.0)
    assert d == pytest.approx(-0.25, rel=1e-10)


# ---- sparsity, threads -------------------------------------------------------------------

def test_sparsity_patterns():
    def f(q):
        I = dg.quad(lambda x, a: np.exp(-a * x), 0.0, q[1], args=(q[0],))[0]
        return np.stack([I, q[2] ** 2, q[3] * 2.0])
    P = dg.sparsity(f, np.array([0.5, 1.0, 2.0, 3.0])).toarray()
    np.testing.assert_array_equal(P, [[1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])

    def g(q):
        return dg.quad(lambda x: np.exp(-q[0] * x), 0.0, 1.0)[0] + q[1] * q[2] + q[3]
    H = dg.hessian_sparsity(g, np.array([0.5, 1.0, 2.0, 3.0])).toarray()
    np.testing.assert_array_equal(H, [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0],
                                      [0, 0, 0, 0]])
    # and the sparse Jacobian through it agrees with the dense one
    x = np.array([0.5, 1.0, 2.0, 3.0])
    Js = dg.jacobian(f, x, sparsity="auto").toarray()
    np.testing.assert_allclose(Js, dg.jacobian(f, x), rtol=1e-15)


def test_threads():
    out = {}

    def run(p):
        out[p] = dg.derivative(lambda p: dg.quad(lambda x: np.exp(-p * x), 0.0, 1.0)[0], p)
    threads = [threading.Thread(target=run, args=(p,)) for p in (0.3, 0.7, 1.1, 2.5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p, d in out.items():
        assert d == pytest.approx(((1 + p) * np.exp(-p) - 1) / p ** 2, rel=1e-12)


def test_a_complex_limit_is_refused_and_the_parametrized_path_is_exact():
    # attack48b 02: a dual limit of complex value became a 2-node Gauss-Legendre sum
    # (0.68 - 1.38j for e^(1+5i) - 1); SciPy's quad refuses complex limits too
    with pytest.raises(ValueError, match="real limits"):
        dg.jvp(lambda p: dg.quad(lambda x: np.exp(x), 0.0, 1.0 + 5j * p)[0], 1.0, 1.0)

    def F(p):                                   # the fix the message names
        b = 1.0 + 5j * p
        return dg.quad(lambda t: np.exp(t * b) * b, 0.0, 1.0, complex_func=True)[0]
    value, slope = dg.jvp(F, 1.0, 1.0)
    np.testing.assert_allclose(value, np.exp(1 + 5j) - 1, rtol=1e-13)
    np.testing.assert_allclose(slope, 5j * np.exp(1 + 5j), rtol=1e-13)


# ---- stop 49: branches that move, narrow peaks to infinity, moving singular ends --------

_MOVING = {
    "where": lambda p: (lambda x: np.where(x < p, 1.0, 2.0) * p, False),
    "mask": lambda p: (lambda x: (x > p) * p + 0.0 * x, True),
    "heaviside": lambda p: (lambda x: np.heaviside(x - p, 0.5) * p, False),
    "floor": lambda p: (lambda x: np.floor(x + p), False),
    "comparison of a product": lambda p: (lambda x: np.where(p * x < 0.2, x, 0.0), True),
}


@pytest.mark.parametrize("name", sorted(_MOVING))
def test_a_jump_that_moves_is_refused(name):
    # d/dp int_0^1 where(x < p, p, 2p) = 2 - 2p, not the 1.7 the partials alone give
    def area(p):
        func, vectorized = _MOVING[name](p)
        return dg.quad(func, 0.0, 1.0, vectorized=vectorized)[0]
    with pytest.raises(TypeError, match=r"Split the range at the moving place"):
        dg.derivative(area, 0.3)


def test_the_split_spelling_of_a_moving_jump_is_exact():
    def area(p):
        return dg.quad(lambda x: p + 0.0 * x, 0.0, p)[0] + \
            dg.quad(lambda x: 2 * p + 0.0 * x, p, 1.0)[0]
    for p in (0.3, 0.8):
        assert dg.derivative(area, p) == pytest.approx(2 - 2 * p, rel=1e-13)


@pytest.mark.parametrize("vectorized", [False, True])
def test_a_jump_that_stays_put_is_not_refused(vectorized):
    # int_0^1 where(x < 0.5, p x, p^2) = p / 8 + p^2 / 2: derivative 1/8 + p; the place
    # compared with is a float (p only in the branches), and `p > 0` takes one branch
    def area(p):
        sign = 1.0 if p > 0 else -1.0
        return dg.quad(lambda x: sign * np.where(x < 0.5, p * x, p * p), 0.0, 1.0,
                       points=[0.5], vectorized=vectorized)[0]
    assert dg.derivative(area, 0.3) == pytest.approx(0.125 + 0.3, rel=1e-12)
    H = dg.hessian(lambda q: area(q[0]), np.array([0.3]))
    np.testing.assert_allclose(H, [[1.0]], rtol=1e-12)


def test_a_kink_that_moves_gradient_exact_hessian_refused():
    # int_0^1 max(x - p, 0) = (1 - p)^2 / 2: gradient -(1 - p) (a kink keeps the first
    # derivative), second derivative 1, of which the partials under the sign give 0
    def area(q):
        return dg.quad(lambda x: np.maximum(x - q[0], 0.0), 0.0, 1.0)[0]
    np.testing.assert_allclose(dg.gradient(area, np.array([0.3])), [-0.7], rtol=1e-8)
    with pytest.raises(TypeError, match="a kink"):
        dg.hessian(area, np.array([0.3]))
    with pytest.raises(TypeError, match="a kink"):        # np.clip: maximum inside
        dg.hessian(lambda q: dg.quad(lambda x: np.clip(x - q[0], 0.0, None), 0.0, 1.0)[0],
                   np.array([0.3]))
    # a Laplace density's normalizer is 2 whatever m: Hessian 0, the partials give 2
    with pytest.raises(TypeError, match="np.absolute"):
        dg.hessian(lambda q: dg.quad(lambda x: np.exp(-np.abs(x - q[0])), -np.inf,
                                     np.inf)[0], np.array([0.3]))


@pytest.mark.parametrize("vectorized", [False, True])
def test_branches_inside_dualgrads_rules_are_not_refused(vectorized):
    # erfc's rule switches branches on nested duals; int_0^10 erfc(q x) dx = 1 / (q
    # sqrt(pi)) up to erfc(17)'s tail (1e-127): second derivative 2 / (q^3 sqrt(pi))
    def area(q):
        return dg.quad(lambda x: special.erfc(q[0] * x), 0.0, 10.0, vectorized=vectorized,
                       epsabs=0, epsrel=1e-12)[0]
    q = 1.7
    np.testing.assert_allclose(dg.hessian(area, np.array([q])), [[2 / (q ** 3 * SQPI)]],
                               rtol=1e-9)


def test_a_moving_limit_on_a_branch_point_is_refused():
    # the upper limit p sits where x < p switches: f(p) b' would take the tie's side
    def area(p):
        return dg.quad(lambda x: np.where(x < p, 1.0, 2.0) * p, 0.0, p)[0]
    with pytest.raises(TypeError, match="Integrate each branch as its own func"):
        dg.derivative(area, 0.3)
    # the branch itself over its own range: int_0^p p = p^2
    assert dg.derivative(lambda p: dg.quad(lambda x: p + 0.0 * x, 0.0, p)[0], 0.3) == \
        pytest.approx(0.6, rel=1e-13)


def _abel(x):
    # A(x) = int_0^x cos(t) / sqrt(x - t) dt, and dA/dx, by mpmath at 30 digits
    with mp.workdps(30):
        A = lambda y: mp.quad(lambda t: mp.cos(t) / mp.sqrt(y - t), [0, y])  # noqa: E731
        return float(A(x)), float(mp.diff(A, x))


def test_a_singular_integrand_at_a_moving_limit_is_refused_and_the_substitution_exact():
    with pytest.raises(TypeError, match=r"x = b - u\*\*2"):
        dg.derivative(lambda x: dg.quad(lambda t: np.cos(t) / np.sqrt(x - t), 0.0, x)[0],
                      1.3)
    value, slope = _abel(1.3)

    def substituted(x):                       # t = x - u^2: int_0^sqrt(x) 2 cos(x - u^2) du
        return dg.quad(lambda u: 2 * np.cos(x - u * u), 0.0, np.sqrt(x))[0]
    got = dg.value_and_grad(substituted)(1.3)
    assert got[0] == pytest.approx(value, rel=1e-12)
    assert got[1] == pytest.approx(slope, rel=1e-12)

    def scaled(x):                            # t = x s: sqrt(x) int_0^1 cos(x s) / sqrt(1 - s)
        return np.sqrt(x) * dg.quad(lambda s: np.cos(x * s) / np.sqrt(1 - s), 0.0, 1.0)[0]
    # (the fixed end's singularity: bisections until a node would round onto s = 1, a
    # warning, no inf: NaN before)
    with pytest.warns(integrate.IntegrationWarning, match="maximum number of subdivisions"):
        got = dg.value_and_grad(scaled)(1.3)
    assert got[0] == pytest.approx(value, rel=1e-8)
    assert got[1] == pytest.approx(slope, rel=1e-7)


def test_a_narrow_peak_to_infinity_scipy_finds_is_found():
    # int_0^inf exp(-(x - c)^2 / (2 (p w)^2)) + exp(-x) = p w sqrt(2 pi) + 1 (the peak
    # 300 widths from 0); SciPy's qagi meets the peak at c = 1.5, a 21-point rule alone not
    c, w, p = 1.5, 0.005, 1.0

    def f(x, p):
        return np.exp(-(x - c) ** 2 / (2 * (p * w) ** 2)) + np.exp(-x)
    plain = integrate.quad(f, 0.0, np.inf, args=(p,))[0]
    assert plain == pytest.approx(p * w * np.sqrt(2 * np.pi) + 1, rel=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = dg.value_and_grad(lambda p: dg.quad(f, 0.0, np.inf, args=(p,))[0])(p)
    assert value == pytest.approx(plain, rel=1e-9)
    assert grad == pytest.approx(w * np.sqrt(2 * np.pi), rel=1e-8)


def test_a_narrow_peak_scipy_misses_warns():
    # at c = 0.7 SciPy's quad misses the peak (value 1.0), the rule with derivatives meets
    # it: the two disagree, and a warning says so
    c, w = 0.7, 0.005

    def f(x, p):
        return np.exp(-(x - c) ** 2 / (2 * (p * w) ** 2)) + np.exp(-x)
    plain = integrate.quad(f, 0.0, np.inf, args=(1.0,))[0]
    assert plain == pytest.approx(1.0, rel=1e-9)       # (the premise: SciPy misses it)
    with pytest.warns(integrate.IntegrationWarning, match="differ by more than"):
        value = dg.value_and_grad(lambda p: dg.quad(f, 0.0, np.inf, args=(p,))[0])(1.0)[0]
    assert value == pytest.approx(w * np.sqrt(2 * np.pi) + 1, rel=1e-9)


def test_vectorized_funcs_on_scipys_path_and_at_a_moving_limit():
    def func(x, p=1.0):
        return np.exp(-p * x[:, None]).sum(axis=1)     # arrays only (x[:, None])
    y, _ = dg.quad(func, 0.0, 1.0, vectorized=True)
    assert y == pytest.approx(1 - np.exp(-1), rel=1e-13)
    # d/dp int_0^p exp(-p x) dx = exp(-p^2) - int_0^p x exp(-p x) dx; at p = 1: 3/e - 1
    d = dg.derivative(lambda p: dg.quad(func, 0.0, p, args=(p,), vectorized=True)[0], 1.0)
    assert d == pytest.approx(3 / np.e - 1, rel=1e-12)
    # closing over the parameter: SciPy's path first, then the dual path
    d = dg.derivative(lambda p: dg.quad(lambda x: func(x, p), 0.0, 1.0, vectorized=True)[0],
                      1.0)
    assert d == pytest.approx(2 / np.e - 1, rel=1e-12)


def test_vectorized_branches_that_stay_put_across_node_counts():
    # (-inf, inf) calls func on 42 nodes, the first step on 21: a comparison of the
    # parameters broadcast against the nodes, (k, n), takes one branch everywhere;
    # int exp(-q x^2) = sqrt(pi / q), its derivative -sqrt(pi) / (2 q^1.5)
    def total(q):
        def func(x):
            on = x[None, :] * 0.0 + q[:, None] > 0.0
            return np.where(on, np.exp(-q[:, None] * x[None, :] ** 2), 0.0).sum(axis=0)
        return dg.quad(func, -np.inf, np.inf, vectorized=True)[0]
    q = np.array([0.7, 2.0])
    np.testing.assert_allclose(dg.gradient(total, q), -SQPI / (2 * q ** 1.5), rtol=1e-9)


def test_a_continuous_piecewise_func_in_either_spelling():
    # int_0^1 where(x < p, x - p, 0) = -p^2 / 2 (continuous at p): the gradient -p is
    # exact in either spelling (stop 49 refused the comparison: the watch could not tell
    # a jump from a kink; stop 50 compares the value across the located crossing), and
    # the Hessian (a kink: -1 of the delta term) is refused in both
    def spelled(where):
        def area(q):
            p = q[0]
            func = (lambda x: np.where(x < p, x - p, 0.0)) if where else \
                (lambda x: np.minimum(x - p, 0.0))
            return dg.quad(func, 0.0, 1.0)[0]
        return area
    for where in (True, False):
        np.testing.assert_allclose(dg.gradient(spelled(where), np.array([0.3])), [-0.3],
                                   rtol=1e-8)
        with pytest.raises(TypeError, match="a kink"):
            dg.hessian(spelled(where), np.array([0.3]))


def test_dualgrads_refusals_inside_func_on_scipys_path_are_themselves():
    # func's own refusal (math.exp of a dual; a nested dg.quad's moving jump) left
    # QUADPACK's callback as a TypeError that read as scipy.integrate.quad's own
    # ("write that step as dg.quad(...)", to a user of dg.quad)
    import math
    with pytest.raises(TypeError, match=r"math\.\*") as info:
        dg.derivative(lambda p: dg.quad(lambda x: math.exp(p * x), 0.0, 1.0)[0], 0.5)
    assert "scipy.integrate.quad converts" not in str(info.value)

    def nested(p):                  # int_0^1 int_0^1 [x < y p] dx dy: the place y p moves
        return dg.quad(lambda y: dg.quad(lambda x: np.where(x < y * p, 1.0, 0.0) + 0 * p,
                                         0.0, 1.0)[0], 0.0, 1.0)[0]
    with pytest.raises(TypeError, match="Split the range at the moving place"):
        dg.derivative(nested, 0.5)
    # its split spelling, int_0^1 int_0^{y p} dx dy = p / 2
    assert dg.derivative(lambda p: dg.quad(lambda y: dg.quad(
        lambda x: 1.0 + 0 * p, 0.0, y * p)[0], 0.0, 1.0)[0], 0.5) == pytest.approx(0.5)


def test_the_watch_is_per_thread():
    # threads integrating a moving jump (refused) beside a fixed one (1/8 + p) at once:
    # each thread's watch sees its own func's branches only
    from concurrent.futures import ThreadPoolExecutor

    def moving(p):
        return dg.quad(lambda x: np.where(x < p, 1.0, 2.0) * p, 0.0, 1.0)[0]

    def fixed(p):
        return dg.quad(lambda x: np.where(x < 0.5, p * x, p * p), 0.0, 1.0, points=[0.5])[0]

    def job(i):
        try:
            return i % 2, dg.derivative(moving if i % 2 else fixed, 0.3)
        except TypeError as exc:
            return i % 2, "refused" if "moving place" in str(exc) else str(exc)
    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(job, range(16)))
    for odd, got in results:
        if odd:
            assert got == "refused"
        else:
            assert got == pytest.approx(0.125 + 0.3, rel=1e-12)
    from dualgrad import errors
    assert errors.WATCHING == [0]


# ---- the branch watch: generated integrands, and nodes that run other places (attack49) --

def _sympy_or_eval_integrands():
    made = [eval("lambda x, p: np.where(x < p, 1.0, 0.0)", {"np": np})]  # int_0^1 = p
    try:
        import sympy
    except ImportError:
        return made
    x, p = sympy.symbols("x p")
    made.append(sympy.lambdify((x, p), sympy.Heaviside(x - p) * x, "numpy"))
    return made


@pytest.mark.parametrize("k", range(2))
def test_generated_integrands_with_a_moving_jump_are_refused(k):
    # eval / exec / sympy.lambdify make functions whose globals have no __name__: the
    # watch skipped them as dualgrad's own and gave the derivative under the integral
    # sign (0; exact: 1 and -p), silently (attack49 07)
    funcs = _sympy_or_eval_integrands()
    if k >= len(funcs):
        pytest.skip("sympy is not installed")
    with pytest.raises(TypeError, match="branches to stay put"):
        dg.derivative(lambda q: dg.quad(funcs[k], 0.0, 1.0, args=(q,))[0], 0.3)


def test_a_moving_jump_behind_an_if_on_plain_x_is_refused():
    # QUADPACK's first node (the centre) runs one comparison on a dual, the others two:
    # comparing the nodes' records by position hid the jump at x = p - 0.1 (attack49
    # 02; exact derivative -1)
    def F(x, p):
        if x >= 0.5:
            return 1.0 * (x + p > -1.0)
        ok = x + 1e-9 * p < 10.0
        return 1.0 * ok * (x > p - 0.1)
    with pytest.raises(TypeError, match="branches to stay put"):
        dg.derivative(lambda p: dg.quad(F, 0.0, 1.0, args=(p,))[0], 0.3)


def test_the_same_places_on_both_sides_of_a_plain_if_are_not_refused():
    # a fixed branch (x < 0.5 on plain x) whose sides compare moving duals that do not
    # change their outcome: exact, d/dp int_0^1 g = int_0^1 dg/dp = 0.5 * 1 + 0.5 * 2
    def g(x, p):
        if x < 0.5:
            return p * (p > -5.0)
        return 2.0 * p * (p < 5.0) * (x + p > -1.0)
    d = dg.derivative(lambda p: dg.quad(g, 0.0, 1.0, args=(p,), points=[0.5])[0], 0.3)
    assert abs(d - 1.5) < 1e-12


# ---- densities whose support moves (attack49 11) -----------------------------------------

@pytest.mark.parametrize("name, pdf", [
    ("uniform", lambda x, p: x * dg.scipy.stats.uniform.pdf(x, loc=p, scale=1.0)),
    ("expon", lambda x, p: x * dg.scipy.stats.expon.pdf(x, loc=p)),
    ("uniform scale", lambda x, p: x * dg.scipy.stats.uniform.pdf(x, loc=0.0, scale=p + 1.0)),
])
def test_an_expectation_under_a_density_whose_support_moves_is_refused(name, pdf):
    # E[x] under uniform(loc=p) is p + 1/2 (derivative 1): the density's jump at its
    # support's ends moves with p, and the derivative under the integral sign gave 0
    # (the support test runs inside dualgrad.scipy.stats, which the watch skipped)
    with pytest.raises(TypeError, match="branches to stay put"):
        dg.derivative(lambda p: dg.quad(pdf, -5.0, 30.0, args=(p,))[0], 0.3)


def test_a_density_with_a_fixed_support_or_none_is_not_refused():
    # d/dp int_{-20}^{20} x N(x; p, 1) dx = 1; d/dp int_0^p x U(x; 0, 1) dx = p
    n = dg.derivative(lambda p: dg.quad(lambda x: x * dg.scipy.stats.norm.pdf(x, loc=p),
                                        -20.0, 20.0)[0], 0.3)
    u = dg.derivative(lambda p: dg.quad(lambda x: x * dg.scipy.stats.uniform.pdf(x),
                                        0.0, p)[0], 0.3)
    assert abs(n - 1.0) < 1e-10 and abs(u - 0.3) < 1e-12


@pytest.mark.parametrize("lo, hi, slope", [
    (lambda p: p, lambda p: np.inf, 1.0),         # int_p^inf x expon(loc=p) = p + 1
    (lambda p: p, lambda p: p + 1.0, None),       # uniform over its own support: p + 1/2
    (lambda p: p + 1.0, lambda p: p, None),       # reversed: -(p + 1/2)
])
def test_a_range_that_moves_with_the_support_is_exact(lo, hi, slope):
    # the refusal's own fix: limits on the support's moving ends, each tie taking the
    # side inside the range (the support's report names its x: a side is known)
    dist = dg.scipy.stats.expon if slope else dg.scipy.stats.uniform
    d = dg.derivative(lambda p: dg.quad(lambda x: x * dist.pdf(x, loc=p),
                                        lo(p), hi(p))[0], 0.3)
    expected = slope or (1.0 if lo(0.0) < hi(0.0) else -1.0)
    assert abs(d - expected) < 1e-10


def test_a_limit_on_the_support_end_from_outside_is_refused():
    # int_{-inf}^p x expon.pdf(x, loc=p) dx is 0 for every p: the limit's term must take
    # the outside side (0), not the closed support's density at p
    with pytest.raises(TypeError, match="one side at a limit"):
        dg.derivative(lambda p: dg.quad(lambda x: x * dg.scipy.stats.expon.pdf(x, loc=p),
                                        -np.inf, p)[0], 0.3)


# ---- stop 50: the watch confirms a branch before it refuses (attack49 05, 09, 20, 22, 23, 30)

def _series_exp(z):
    # exp by its series, summed until the term is negligible (a loop's test on a dual)
    s, term, k = 1.0, 1.0, 1
    while abs(term) > 1e-17:
        term = term * z / k
        s = s + term
        k += 1
    return s


def _newton_sqrt(a):
    # sqrt by Newton's iteration, stopped on the residual (a loop's test on a dual)
    y = 1.0 + 0 * a
    while abs(y * y - a) > 1e-14:
        y = 0.5 * (y + a / y)
    return y


def _mp_slope(F, p):
    with mp.workdps(30):
        return float(mp.diff(F, mp.mpf(p)))


def test_a_loops_stopping_test_inside_the_integrand_is_not_a_jump():
    # the k-th run of the loop's test takes another side at nodes that need another
    # number of iterations: a stopping rule, not a branch of the value (attack49 23;
    # stop 49 refused both as moving jumps)
    p = 0.3
    d = dg.derivative(lambda q: dg.quad(lambda x: _series_exp(-q * x), 0.0, 1.0)[0], p)
    assert abs(d - ((1 + p) * np.exp(-p) - 1) / p ** 2) < 1e-12    # int_0^1 e^{-px}
    d = dg.derivative(lambda q: dg.quad(lambda x: _newton_sqrt(1.0 + q * x), 0.0, 1.0)[0], p)
    exact = _mp_slope(lambda q: 2 * ((1 + q) ** 1.5 - 1) / (3 * q), p)  # int_0^1 sqrt(1 + px)
    assert abs(d - exact) < 1e-12
    H = dg.hessian(lambda q: dg.quad(lambda x: _series_exp(-q[0] * x), 0.0, 1.0)[0],
                   np.array([p]))
    exact = _mp_slope(lambda q: mp.diff(lambda s: (1 - mp.exp(-s)) / s, q), p)
    assert abs(H[0, 0] - exact) < 1e-11


def test_a_branch_point_scaled_by_a_parameter_does_not_move():
    # (attack49 05) the kink of |p cos x| stays at pi / 2: int_0^pi = 2p, Hessian 0; the
    # jump of where(p (x - 1) > 0, p, 0) stays at 1: int_0^2 = p, derivative 1; a
    # notional's call payoff max(N (x - 1), 0): int_0^2 = N / 2, Hessian 0
    H = dg.hessian(lambda q: dg.quad(lambda x: np.abs(q[0] * np.cos(x)), 0.0, np.pi)[0],
                   np.array([0.7]))
    assert abs(H[0, 0]) < 1e-9
    d = dg.derivative(lambda p: dg.quad(lambda x: np.where(p * (x - 1.0) > 0, p, 0.0),
                                        0.0, 2.0)[0], 0.7)
    assert abs(d - 1.0) < 1e-12
    H = dg.hessian(lambda q: dg.quad(lambda x: np.maximum(q[0] * (x - 1.0), 0.0), 0.0,
                                     2.0)[0], np.array([0.7]))
    assert abs(H[0, 0]) < 1e-9
    # Python's max(x - K, 0.0) (a comparison, as np.less): continuous, so its gradient
    # -(1 - K) is exact (stop 49 refused it at first order)
    d = dg.derivative(lambda K: dg.quad(lambda x: max(x - K, 0.0), 0.0, 1.0)[0], 0.3)
    assert abs(d + 0.7) < 1e-8


@pytest.mark.parametrize("k", [20, 21, 42])
def test_a_parameter_array_with_as_many_entries_as_nodes_is_no_branch(k):
    # vectorized=True: `p > 0` on a parameter array of 21 entries (the rule's nodes per
    # call) read as one branch per node (attack49 22). sum over p_j > 0 of int_0^1
    # exp(-(|p_j| + 1) x) = (1 - e^{-a}) / a, a = |p_j| + 1: at p = 1 (a = 2) the slope
    # is ((1 + a) e^{-a} - 1) / a^2
    p0 = np.linspace(-1, 1, k)

    def F(x, p):
        return np.sum(np.where(p > 0.0, np.exp(-np.multiply.outer(x, np.abs(p) + 1.0)),
                               0.0), axis=-1)
    g = dg.gradient(lambda p: dg.quad(lambda x: F(x, p), 0.0, 1.0, vectorized=True)[0], p0)
    assert abs(g[-1] - (3 * np.exp(-2.0) - 1) / 4) < 1e-12


def test_max_of_a_list_of_scalar_duals():
    # (attack49 09) np.max of a list compares the scalar duals with >= inside NumPy:
    # continuous, gradient -(1 - p) (stop 49 refused it, naming fromnumeric.py); its
    # Hessian (int_0^1 max(x - p, 0) = (1 - p)^2 / 2: 1) loses the kink's term: refused
    # at the user's line
    for spelled in (lambda x, p: np.max([x - p, 0.0 * p]),
                    lambda x, p: np.maximum.reduce([x - p, 0.0 * p])):
        d = dg.derivative(lambda p: dg.quad(lambda x: spelled(x, p), 0.0, 1.0)[0], 0.3)
        assert abs(d + 0.7) < 1e-8
    with pytest.raises(TypeError, match=r"test_quad\.py, line"):
        dg.hessian(lambda q: dg.quad(lambda x: np.max([x - q[0], 0.0 * q[0]]), 0.0,
                                     1.0)[0], np.array([0.3]))


def test_a_kink_moving_with_one_of_two_levels():
    # (attack49 30) d/dq d/dp [p int_0^1 max(x - q, 0)] = -(1 - q): the kink moves with
    # q alone, to first order: no delta term lost
    d = dg.derivative(lambda q: dg.derivative(
        lambda p: dg.quad(lambda x: np.maximum(x - q, 0.0) * p, 0.0, 1.0)[0], 1.0), 0.3)
    assert abs(d + 0.7) < 1e-8
    # where it moves with both (max(x - q - p, 0)), the mixed derivative loses one
    with pytest.raises(TypeError, match="a kink"):
        dg.derivative(lambda q: dg.derivative(
            lambda p: dg.quad(lambda x: np.maximum(x - q - p, 0.0), 0.0, 1.0)[0], 0.1), 0.3)


_BLIND = {      # (attack49 01) each int_0^1, p = 0.3: what the boundary term would add
    "round": lambda x, p: np.round(x + p),                   # 0.5 + p
    "around": lambda x, p: np.around(x + p, 1) * 1.0,
    "builtin round": lambda x, p: round(x + p, 0),
    "copysign": lambda x, p: np.copysign(1.0, x - p),         # 1 - 2p
    "signbit": lambda x, p: 1.0 * np.signbit(x - p),          # p
    "modf": lambda x, p: np.modf(x + p)[1],                   # p
    "arctan2's cut": lambda x, p: np.arctan2(x - p, -1.0),    # a 2 pi jump at x = p
    "derivative of a kink": lambda x, p: dg.derivative(lambda t: np.maximum(t - p, 0.0), x),
    "derivative of abs": lambda x, p: dg.derivative(lambda t: np.abs(t - p), x),
    "sign as x / |x|": lambda x, p: (x - p) / np.abs(x - p),  # (attack49 20, 20b)
    "indicator max(u, 0) / u": lambda x, p: np.maximum(x - p, 0.0) / (x - p),
    # the scalar dual's operators (their fast paths call no ufunc): floor(x + p) and
    # its remainder, x / abs(x)
    "//": lambda x, p: (x + p) // 1.0,
    "%": lambda x, p: (x + p) % 1.0,
    "divmod()": lambda x, p: divmod(x + p, 1.0)[0],
    "reflected //": lambda x, p: 1.0 // (x + p + 0.5),
    "abs()": lambda x, p: (x - p) / abs(x - p),
}


@pytest.mark.parametrize("name", sorted(_BLIND))
def test_moving_jumps_the_watch_did_not_see_are_refused(name):
    # each gave the derivative under the integral sign (0.0, or 0.902 for arctan2's
    # -5.38), silently, on 7eb4f95
    with pytest.raises(TypeError, match="branches to stay put"):
        dg.derivative(lambda p: dg.quad(lambda x: _BLIND[name](x, p), 0.0, 1.0)[0], 0.3)


def test_the_same_functions_on_a_place_that_stays_put_are_exact():
    # the places do not move (p only scales the pieces): the derivatives under the
    # integral sign are exact. int_0^1 p round(x) = p / 2, p copysign(1, x - 0.5) = 0,
    # p arctan2(x - 0.5, -1) = p (int of the two pieces)
    d = dg.derivative(lambda p: dg.quad(lambda x: p * np.round(x + 0.0 * p), 0.0, 1.0,
                                        points=[0.5])[0], 0.3)
    assert abs(d - 0.5) < 1e-12
    d = dg.derivative(lambda p: dg.quad(lambda x: np.copysign(p, x - 0.5), 0.0, 1.0,
                                        points=[0.5])[0], 0.3)
    assert abs(d) < 1e-12
    exact = integrate.quad(lambda x: np.arctan2(x - 0.5, -1.0), 0.0, 1.0, points=[0.5],
                           epsabs=1e-13)[0]
    d = dg.derivative(lambda p: dg.quad(lambda x: p * np.arctan2(x - 0.5 + 0 * p, -1.0),
                                        0.0, 1.0, points=[0.5])[0], 0.3)
    assert abs(d - exact) < 1e-10


# ---- stop 50: selections by order and table lookups are branches too (attack49 13, 33) --

_SELECTED = {   # each max(x - K, 0) or |x - K| spelled by picking elements
    "max": (lambda x, K: np.max(np.stack([x - K, 0.0 * K])), False),
    "amax(axis=0)": (lambda x, K: np.amax(np.stack([x - K, 0.0 * K]), axis=0), False),
    "sort": (lambda x, K: np.sort(np.stack([x - K, 0.0 * K]))[1], False),
    "median": (lambda x, K: np.median(np.stack([x - K, 0.0 * K, 5.0 + 0 * K])), False),
    "quantile": (lambda x, K: np.quantile(np.stack([x - K, 0.0 * K]), 1.0), False),
    "partition": (lambda x, K: np.partition(np.stack([x - K, 0.0 * K]), 1)[1], False),
    "ptp": (lambda x, K: np.ptp(np.stack([x - K, 0.0 * K])), True),
}


@pytest.mark.parametrize("name", sorted(_SELECTED))
def test_a_kink_through_a_selection_of_stacked_duals(name):
    # int_0^1 max(x - K, 0) = (1 - K)^2 / 2: slope -(1 - K), second derivative 1;
    # int_0^1 |x - K| = K^2 / 2 + (1 - K)^2 / 2: slope 2K - 1, second derivative 2.
    # The Hessians came back 0 (the selections pick by argmax / argsort and call no
    # watched ufunc; attack49 13): refused; the gradients stay exact
    F, absolute = _SELECTED[name]
    K = 0.3

    def area(q):
        return dg.quad(lambda x: F(x, q[0]), 0.0, 1.0)[0]
    g = dg.gradient(area, np.array([K]))[0]
    assert abs(g - ((2 * K - 1) if absolute else -(1 - K))) < 1e-8
    with pytest.raises(TypeError, match="a kink"):
        dg.hessian(area, np.array([K]))


_LOOKUPS = {    # each 1[x + p > 0.5]: int_0^1 = 0.5 + p, slope 1 (the partials gave 0)
    "searchsorted": lambda x, p: _TABLE[np.searchsorted(_KNOTS, x + p)],
    "digitize": lambda x, p: _TABLE[np.digitize(x + p, _KNOTS)],
    "argmax": lambda x, p: _TABLE[np.argmax(np.stack([0.5 + 0 * p, x + p]))],
    "argsort": lambda x, p: _TABLE[np.argsort(np.stack([0.5 + 0 * p, x + p]))[-1]],
}
_TABLE, _KNOTS = np.array([0.0, 1.0]), np.array([0.5])


@pytest.mark.parametrize("name", sorted(_LOOKUPS))
def test_a_table_lookup_whose_edges_move_is_refused(name):
    # attack49 33: 0.0 silently on 7eb4f95
    with pytest.raises(TypeError, match="branches to stay put"):
        dg.derivative(lambda p: dg.quad(lambda x: _LOOKUPS[name](x, p) + 0.0 * p, 0.0,
                                        1.0)[0], 0.3)


def test_a_lookup_on_fixed_edges_and_a_vectorized_maximum_are_exact():
    # the edge does not move (p only scales): int_0^1 p 1[x > 0.5] = p / 2
    d = dg.derivative(lambda p: dg.quad(lambda x: p * _TABLE[np.searchsorted(
        _KNOTS, x + 0.0 * p)], 0.0, 1.0, points=[0.5])[0], 0.3)
    assert abs(d - 0.5) < 1e-12
    # vectorized: np.max over the stacked axis, the nodes on the other; -(1 - K), and
    # its Hessian refused
    def area(q):
        return dg.quad(lambda x: np.max(np.stack([x - q[0], 0.0 * x + 0 * q[0]]), axis=0),
                       0.0, 1.0, vectorized=True)[0]
    assert abs(dg.gradient(area, np.array([0.3]))[0] + 0.7) < 1e-8
    with pytest.raises(TypeError, match="np.max"):
        dg.hessian(area, np.array([0.3]))


def test_a_second_crossing_of_the_same_place_is_confirmed_too():
    # where((x - p)(x - p - 0.6) > 0, x - p - 0.6, 0): continuous at x = p + 0.6 (the
    # crossing the rule's first nodes meet), a jump of -0.6 at x = p. d/dp int_0^1 = -1
    # (closed form: -p - 0.6 - (0.4 - p)); the partials alone give -0.4. A watch that
    # cleared the place once per pair of branches let the second crossing through
    def area(p):
        return dg.quad(lambda x: np.where((x - p) * (x - p - 0.6) > 0, x - p - 0.6, 0.0),
                       0.0, 1.0)[0]
    with pytest.raises(TypeError, match="a jump"):
        dg.derivative(area, 0.3)
    # split at both places: exact
    def split(p):
        g = lambda x: x - p - 0.6   # noqa: E731
        return dg.quad(g, 0.0, p)[0] + dg.quad(lambda x: 0.0 * x + 0.0 * p, p, p + 0.6)[0] + \
            dg.quad(g, p + 0.6, 1.0)[0]
    assert abs(dg.derivative(split, 0.3) + 1.0) < 1e-12


def test_np_interp_kinks_that_move_are_watched():
    # (attack49 12) a shifted tabulated profile, the hat max(1 - |x - p|, 0): int_0^1 =
    # 1 - p^2 / 2 - (1 - p)^2 / 2, slope 1 - 2p, second derivative -2 (the kink at x =
    # p), of which the partials under the sign give 0: the Hessian is refused, the
    # gradient exact; a moving knot the same; fixed knots (q^2 times the tent, its
    # integral 1/2: second derivative 1) are not refused
    def hat(q):
        return dg.quad(lambda x: np.interp(x - q[0], [-1.0, 0.0, 1.0], [0.0, 1.0, 0.0]),
                       0.0, 1.0)[0]

    def knot(q):
        return dg.quad(lambda x: np.interp(x, np.stack([0.0 + 0 * q[0], q[0], 1.0 + 0 * q[0]]),
                                           [0.0, 1.0, 0.0]), 0.0, 1.0)[0]
    assert abs(dg.gradient(hat, np.array([0.3]))[0] - 0.4) < 1e-8
    assert abs(dg.gradient(knot, np.array([0.3]))[0]) < 1e-8       # int = 1/2 for all p
    for area in (hat, knot):
        with pytest.raises(TypeError, match="np.interp"):
            dg.hessian(area, np.array([0.3]))
    H = dg.hessian(lambda q: dg.quad(lambda x: q[0] ** 2 * np.interp(
        x, [0.0, 0.5, 1.0], [0.0, 1.0, 0.0]), 0.0, 1.0, points=[0.5])[0], np.array([0.3]))
    assert abs(H[0, 0] - 1.0) < 1e-12
