"""A quant's first day (quant54): implied volatilities by SciPy's root finders inside
the differentiated function, and the message a SciPy function called from inside
newton's f gets.

Oracles: Black-Scholes closed forms (d sigma / d price = 1 / vega, d2 sigma / d price2 =
-volga / vega**3, with the price made from a known sigma), the analytic derivatives of
(x0 x1)**(1/3), SciPy's own root on plain values (the same bits), the pattern of the
dense Jacobian / Hessian.
"""

import warnings

import numpy as np
import pytest
import scipy.optimize as so
from scipy.special import ndtr

import dualgrad as dg

S, T, R = 100.0, 0.75, 0.02
KS = np.array([80.0, 90.0, 100.0, 110.0, 120.0])
SIGMAS = np.array([0.31, 0.26, 0.22, 0.2, 0.21])


def call(sigma, K):
    d1 = (np.log(S / K) + (R + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    return S * ndtr(d1) - K * np.exp(-R * T) * ndtr(d1 - sigma * np.sqrt(T))


def closed(sigma, K):
    """vega and volga, closed forms."""
    d1 = (np.log(S / K) + (R + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    vega = S * np.sqrt(T) * np.exp(-0.5 * d1 ** 2) / np.sqrt(2 * np.pi)
    return vega, vega * d1 * d2 / sigma


def _optimize():
    from dualgrad.scipy import optimize
    return optimize


@pytest.mark.parametrize("name", ["brentq", "brenth", "ridder", "bisect", "toms748"])
def test_bracketing_implied_vol_first_and_second(name):
    finder = getattr(_optimize(), name)
    K, sigma = 95.0, 0.23
    price = call(sigma, K)

    def iv(p):                                     # the price closed over, as users write
        return finder(lambda s: call(s, K) - p, 1e-4, 5.0, xtol=1e-15)

    vega, volga = closed(sigma, K)
    assert abs(dg.derivative(iv, price) * vega - 1) < 1e-12
    h = dg.hessian(iv, price)
    assert abs(h / (-volga / vega ** 3) - 1) < 1e-9


def test_brentq_args_and_plain_call_are_scipys():
    opt = _optimize()
    K, sigma = 105.0, 0.27
    price = call(sigma, K)

    def g(s, p):
        return call(s, K) - p

    plain = opt.brentq(g, 1e-4, 5.0, args=(price,))
    assert plain == so.brentq(g, 1e-4, 5.0, args=(price,))           # same bits
    root, info = opt.brentq(g, 1e-4, 5.0, args=(price,), full_output=True)
    assert root == plain and info.converged
    vega, _ = closed(sigma, K)
    d = dg.derivative(lambda p: opt.brentq(g, 1e-4, 5.0, args=(p,)), price)
    assert abs(d * vega - 1) < 1e-10
    d, info = dg.derivative(lambda p: opt.brentq(g, 1e-4, 5.0, args=(p,), full_output=True)[0],
                            price), None
    assert abs(d * vega - 1) < 1e-10
    with pytest.raises(ValueError):                 # SciPy's own error, as SciPy raises it
        opt.brentq(g, 1.0, 5.0, args=(price,))


def test_cube_root_hessian_and_third_order():
    opt = _optimize()

    def root(x):                                   # s with s**3 = x0 * x1
        return opt.brentq(lambda s: s ** 3 - x[0] * x[1], 0.0, 10.0)

    x = np.array([2.0, 3.0])
    c = (x[0] * x[1]) ** (1 / 3)
    grad = c / (3 * x)
    hess = np.array([[-2 * c / (9 * x[0] ** 2), c / (9 * x[0] * x[1])],
                     [c / (9 * x[0] * x[1]), -2 * c / (9 * x[1] ** 2)]])
    assert np.allclose(dg.gradient(root, x), grad, rtol=1e-13, atol=0)
    assert np.allclose(dg.hessian(root, x), hess, rtol=1e-12, atol=0)
    # d3/dp3 of p**(1/3) at p = 8: (1/3)(-2/3)(-5/3) p**(-8/3)
    third = dg.derivative(lambda p: dg.derivative(lambda q: dg.derivative(
        lambda u: opt.brentq(lambda s: s ** 3 - u, 0.0, 10.0), q), p), 8.0)
    assert abs(third / (10 / 27 * 8.0 ** (-8 / 3)) - 1) < 1e-10


def test_newton_array_form_strip():
    opt = _optimize()
    prices = call(SIGMAS, KS)

    def ivs(p):
        return opt.newton(lambda s, q: call(s, KS) - q, np.full(5, 0.2), args=(p,), tol=1e-14)

    vega, volga = closed(SIGMAS, KS)
    J = dg.jacobian(ivs, prices)
    assert np.allclose(np.diag(J) * vega, 1.0, rtol=1e-11, atol=0)
    assert np.all(J[~np.eye(5, dtype=bool)] == 0)
    H = dg.hessian(lambda p: ivs(p)[2], prices)
    assert abs(H[2, 2] / (-volga[2] / vega[2] ** 3) - 1) < 1e-8
    assert np.count_nonzero(H) == 1
    plain = ivs(prices)
    assert np.array_equal(plain, so.newton(lambda s, q: call(s, KS) - q, np.full(5, 0.2),
                                           args=(prices,), tol=1e-14))
    assert np.array_equal(dg.sparsity(ivs, prices).toarray(), np.eye(5, dtype=bool))


def test_newton_scalar_and_sparsity_patterns():
    opt = _optimize()
    K, sigma = 100.0, 0.2
    vega, _ = closed(sigma, K)
    d = dg.derivative(lambda p: opt.newton(lambda s: call(s, K) - p, 0.3), call(sigma, K))
    assert abs(d * vega - 1) < 1e-12

    def g(p):
        return opt.brentq(lambda s: s ** 3 - p[0] * p[1], 0.0, 10.0) * p[2]

    p = np.array([1.0, 2.0, 3.0])
    dense = dg.hessian(g, p)
    pattern = dg.hessian_sparsity(g, p).toarray()
    assert np.all(pattern[dense != 0])
    assert np.allclose(dg.hessian(g, p, sparsity="auto").toarray(), dense, rtol=1e-13, atol=0)
    assert np.array_equal(dg.sparsity(g, p).toarray(), np.ones((1, 3), dtype=bool))


def test_scipy_brentq_names_the_drop_in():
    def iv(p):
        return so.brentq(lambda s: call(s, 100.0) - p, 1e-4, 5.0)
    with pytest.raises(TypeError, match=r"dualgrad\.scipy\.optimize\.brentq"):
        dg.derivative(iv, 9.0)


def test_scipy_newton_array_names_the_drop_in():
    def ivs(p):
        return so.newton(lambda s: call(s, KS) - p, np.full(5, 0.2))
    with pytest.raises(TypeError, match=r"use dualgrad\.scipy\.optimize\.newton"):
        dg.jacobian(ivs, call(SIGMAS, KS))


def test_stats_cdf_inside_newtons_f_is_named_not_newton():
    """newton with a scalar x0 works on duals; the refusal is scipy.stats.norm.cdf's,
    called from the user's f inside newton: the message named newton and told the
    user that newton with a scalar x0 works, which theirs was."""
    from scipy.stats import norm

    def iv(price, K=100.0):
        def bs(s):
            d1 = (np.log(S / K) + (R + 0.5 * s ** 2) * T) / (s * np.sqrt(T))
            return S * norm.cdf(d1) - K * np.exp(-R * T) * norm.cdf(d1 - s * np.sqrt(T))
        return so.newton(lambda s: bs(s) - price, 0.2)

    with pytest.raises(TypeError) as info:
        dg.derivative(iv, 9.0)
    message = str(info.value)
    assert "scipy.stats.norm.cdf converts its input" in message
    assert "dualgrad.scipy.stats" in message
    assert "scipy.optimize.newton" not in message


def _example():
    import runpy
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "examples" / "greeks.py"
    if not path.exists():
        pytest.skip("examples/ not present")
    return runpy.run_path(str(path))


def test_example_implied_vol_in_price_and_spot():
    ex = _example()
    S, K, T, r, sigma = 100.0, 105.0, 0.75, 0.02, 0.23
    price = ex["call"](S, K, T, r, sigma)
    c = ex["closed_greeks"](S, K, T, r, sigma, 0.0)
    d_price, d_spot = dg.grad(ex["implied_vol"], argnums=(0, 1))(price, S, K, T, r)
    assert abs(d_price * c["vega"] - 1) < 1e-12
    assert abs(d_spot / (-c["delta"] / c["vega"]) - 1) < 1e-12


def test_example_barrier_indicator_misses_the_jump_and_the_bridge_does_not():
    """The oracle: central differences of the continuous barrier's closed form; and
    common-random-number differences of the indicator estimator with steps wide enough
    to see its jumps."""
    ex = _example()
    closed = ex["up_and_out_closed"]
    delta = (closed(100.0 + 1e-4, 0.2) - closed(100.0 - 1e-4, 0.2)) / 2e-4
    vega = (closed(100.0, 0.2 + 1e-5) - closed(100.0, 0.2 - 1e-5)) / 2e-5
    assert abs(delta - 0.0563) < 1e-3 and abs(vega + 22.60) < 0.01   # the closed form's own
    p = np.array([100.0, 0.2])
    small = dict(n=40_000)
    bridge = dg.gradient(lambda q: ex["up_and_out_bridge"](q, **small), p)
    assert abs(bridge[0] - delta) < 0.015 and abs(bridge[1] / vega - 1) < 0.05
    h = 1e-6                 # the bridge estimator is continuous: its differences agree
    crn = [(ex["up_and_out_bridge"](p + h * e, **small)
            - ex["up_and_out_bridge"](p - h * e, **small)) / (2 * h) for e in np.eye(2)]
    assert np.allclose(bridge, crn, rtol=1e-5, atol=0)
    pathwise = dg.gradient(lambda q: ex["up_and_out_indicator"](q, **small), p)
    wide = (ex["up_and_out_indicator"](p + [0, 0.005], **small)
            - ex["up_and_out_indicator"](p - [0, 0.005], **small)) / 0.01
    assert pathwise[1] > 0 > wide                    # the knock-out term: a sign apart


def test_example_curve_and_bond():
    ex = _example()
    par = np.array([0.02, 0.022, 0.025, 0.027, 0.028, 0.03])
    J = dg.jacobian(ex["bootstrap"], par)
    Jc = np.array([ex["bootstrap"](par + 1e-30j * e).imag / 1e-30 for e in np.eye(6)]).T
    assert np.allclose(J, Jc, rtol=1e-14, atol=1e-16)
    y = 0.04
    P = ex["bond_price"](y)
    t = np.arange(1, 21) / 2
    cash = np.full(20, 2.5)
    cash[-1] += 100
    disc = (1 + y / 2) ** (-2 * t)
    assert abs(-dg.derivative(ex["bond_price"], y) / P
               / (np.sum(t * cash * disc) / (1 + y / 2) / P) - 1) < 1e-14
    assert abs(dg.hessian(ex["bond_price"], y) / P
               / (np.sum(cash * t * (t + 0.5) * disc) / (1 + y / 2) ** 2 / P) - 1) < 1e-13


_NOT_SIMPLE = {"triple": lambda s, p: (s - p) ** 3, "quintuple": lambda s, p: (s - p) ** 5,
               "cbrt": lambda s, p: np.cbrt(s - p),
               "signed sqrt": lambda s, p: np.sign(s - p) * np.sqrt(np.abs(s - p))}


@pytest.mark.parametrize("name, g", [(n, _NOT_SIMPLE[k]) for n, k in [
    ("bisect", "triple"), ("bisect", "quintuple"), ("bisect", "cbrt"),
    ("bisect", "signed sqrt"), ("brentq", "cbrt"), ("brentq", "signed sqrt"),
    ("ridder", "cbrt")]])      # (SciPy's brentq itself fails to converge on the triple root)
def test_a_root_that_is_not_simple_is_refused(name, g):
    """attack54 08: ds/dp = 1 (the root is s = p) came back 5/9, 0.36, -3, 0 silently."""
    finder = getattr(_optimize(), name)
    with pytest.raises(TypeError, match="is not a simple root of f"):
        dg.derivative(lambda p: finder(lambda s: g(s, p), 0.0, 5.0), 1.3)
    with pytest.raises(TypeError, match="is not a simple root of f"):
        dg.hessian(lambda p: finder(lambda s: g(s, p[0]), 0.0, 5.0) * p[1],
                   np.array([1.3, 2.0]))


def test_an_unconverged_root_is_refused_and_a_step_warns():
    opt = _optimize()
    with pytest.raises(TypeError, match="far from converged"):
        dg.derivative(lambda p: opt.brentq(lambda s: np.cbrt(s - p), 0.0, 5.0, maxiter=3,
                                           disp=False), 1.3)
    with pytest.warns(dg.ComparedOnlyWarning) as record:      # the finder's and the helper's
        dg.derivative(lambda p: opt.brentq(lambda s: np.where(s > p, 1.0, -1.0), 0.0, 5.0), 1.3)
    assert any("dualgrad.scipy.optimize.brentq" in str(w.message) for w in record)


def test_a_simple_root_scipy_did_not_converge_to_is_refused_and_plain_calls_are_scipys():
    """attack57 13: with disp=False SciPy returns its last iterate (brentq after 3
    steps: 0.380, newton after 2: 1.243, for the root 2**(1/3) = 1.260); the Newton
    polish on the duals went on to the true root, so dg.jvp's value was not f(x) and
    the derivative was the root's, not the float call's.  A converged call is kept."""
    opt = _optimize()
    calls = {"brentq": lambda q, m, opt: opt.brentq(lambda s: s ** 3 - q, 0.0, 5.0,
                                                     maxiter=m, disp=False),
             "newton": lambda q, m, opt: opt.newton(lambda s: s ** 3 - q, 1.0, maxiter=m,
                                                     disp=False),
             "newton array": lambda q, m, opt: opt.newton(
                 lambda s: s ** 3 - q, np.array([1.0, 2.0 ** (1 / 3)]), maxiter=m, disp=False)}
    for name, call in calls.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            plain, scipys = call(2.0, 2, opt), call(2.0, 2, so)
        assert np.array_equal(plain, scipys)               # no dual: SciPy's iterate
        with pytest.raises(TypeError, match="stopped before its root converged.*maxiter=2"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                dg.jvp(lambda q: call(q, 2, opt), 2.0, 1.0)
        value, slope = dg.jvp(lambda q: call(q, 50, opt), 2.0, 1.0)
        assert np.allclose(value, 2.0 ** (1 / 3), rtol=1e-12, atol=0)
        assert np.allclose(slope, 1 / (3 * 2.0 ** (2 / 3)), rtol=1e-12, atol=0)
    r = opt.brentq(lambda s: s ** 3 - 2.0, 0.0, 5.0, maxiter=3, disp=False, full_output=True)
    assert r[0] == so.brentq(lambda s: s ** 3 - 2.0, 0.0, 5.0, maxiter=3, disp=False)
    assert r[1].converged is False


@pytest.mark.parametrize("K", [40.0, 70.0, 100.0, 140.0, 200.0])
def test_simple_roots_far_from_the_money_are_not_refused(K):
    """Deep in and out of the money (vega small, volga / vega large), with SciPy's
    default tolerances (newton's tol=1.48e-8): the check must not fire."""
    opt = _optimize()
    sigma = 0.35
    price = call(sigma, K)
    vega, volga = closed(sigma, K)
    d = dg.derivative(lambda p: opt.brentq(lambda s: call(s, K) - p, 1e-3, 3.0), price)
    assert abs(d * vega - 1) < 1e-8
    h = dg.hessian(lambda p: opt.newton(lambda s: call(s, K) - p, 0.3), price)
    assert abs(h / (-volga / vega ** 3) - 1) < 1e-6
    J = dg.jacobian(lambda p: opt.newton(lambda s, q: call(s, K) - q, np.full(2, 0.3),
                                         args=(p,)), np.array([price, price]))
    assert np.allclose(np.diag(J) * vega, 1.0, rtol=1e-8, atol=0)


def test_numpy_polynomial_fits_of_dual_abscissae_are_named():
    """attack54 11: a Longstaff-Schwartz regression by numpy.polynomial's polyfit /
    Polynomial.fit on dual prices raised NumPy's bare ValueError ("data type
    numpy.object_ not inexact"); now dualgrad's TypeError naming the function and the
    spelling that works, np.polyfit, whose Jacobian agrees with central differences of
    numpy.polynomial's own fit."""
    xs = np.linspace(0.5, 1.5, 30)
    ys = np.sin(3 * xs)
    with pytest.raises(TypeError, match=r"np\.polynomial\.polynomial\.polyfit converts"):
        dg.jacobian(lambda p: np.polynomial.polynomial.polyfit(xs * p, ys, 2), 1.1)
    with pytest.raises(TypeError, match=r"Polynomial\.fit"):
        dg.jacobian(lambda p: np.polynomial.Polynomial.fit(xs * p, ys, 2).convert().coef, 1.1)
    J = dg.jacobian(lambda p: np.polyfit(xs * p, ys, 2)[::-1], 1.1)
    h = 1e-5
    fit = np.polynomial.polynomial.polyfit
    fd = (fit(xs * (1.1 + h), ys, 2) - fit(xs * (1.1 - h), ys, 2)) / (2 * h)
    assert np.allclose(J, fd, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("xtol", [0.1, 0.03, 1e-4])
@pytest.mark.parametrize("name", ["bisect", "brentq"])
def test_a_loose_xtol_takes_more_newton_steps(name, xtol):
    """attack54 08's leftover: xtol=0.1 was refused as "not a simple root", 0.03 gave
    0.50000022 for 0.5.  s**2 = p at p = 1: ds/dp = 1 / (2 s) = 0.5, d2s/dp2 = -0.25."""
    finder = getattr(_optimize(), name)

    def root(p):
        return finder(lambda s: s ** 2 - p, 0.0, 3.0, xtol=xtol)

    assert abs(dg.derivative(root, 1.0) - 0.5) < 1e-15
    assert abs(dg.hessian(root, 1.0) + 0.25) < 1e-14
    # (an unconverged root, maxiter=3 with disp=False, is refused since attack57 13: the
    # float call returns the iterate, not the root whose derivatives the steps give)
