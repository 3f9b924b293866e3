"""A quant's first day (userfin49): root finders inside f that read f's values with
np.asarray name the recipe that works (the root on plain values, then Newton steps on
duals), and that recipe gives the implicit-function theorem's derivatives; README's
limits on a hand-written bisection and on SABR's at-the-money guard, each against an
oracle that does not come from dualgrad (closed forms, mpmath)."""

import runpy
from pathlib import Path

import numpy as np
import pytest

import dualgrad as dg

optimize = pytest.importorskip("scipy.optimize")
special = pytest.importorskip("scipy.special")

S, T, r = 103.0, 0.5, 0.02
STRIKES = np.array([90.0, 100.0, 110.0])
VOLS = np.array([0.3, 0.25, 0.22])


def call(S, K, T, r, sigma):
    d1 = (np.log(S / K) + (r + sigma ** 2 / 2) * T) / (sigma * np.sqrt(T))
    return S * special.ndtr(d1) - K * np.exp(-r * T) * special.ndtr(d1 - sigma * np.sqrt(T))


def vega_volga(K, sigma):
    d1 = (np.log(S / K) + (r + sigma ** 2 / 2) * T) / (sigma * np.sqrt(T))
    vega = S * np.exp(-0.5 * d1 ** 2) / np.sqrt(2 * np.pi) * np.sqrt(T)
    return vega, vega * d1 * (d1 - sigma * np.sqrt(T)) / sigma


def test_newtons_array_form_names_the_recipe_and_the_recipe_is_exact():
    prices = call(S, STRIKES, T, r, VOLS)

    def iv(p):                      # one root per option: newton's array form
        return optimize.newton(lambda s: call(S, STRIKES, T, r, s) - p, np.full(3, 0.3),
                               tol=1e-14, maxiter=100)
    with pytest.raises(TypeError) as info:
        dg.jacobian(iv, prices)
    message = str(info.value)
    assert "s = newton(g, x0, args=(dg.stop_gradient(p),))" in message
    assert "s = s - g(s, p) / dg.elementwise_grad(g)(s, p)" in message
    assert "its array form (an array x0)" in message

    def g(s, p):
        return call(S, STRIKES, T, r, s) - p

    def recipe(p, steps=2):         # the message's recipe, as written there
        s = optimize.newton(g, np.full(3, 0.3), args=(dg.stop_gradient(p),), tol=1e-14,
                            maxiter=100)
        for _ in range(steps):
            s = s - g(s, p) / dg.elementwise_grad(g)(s, p)
        return s
    vega, volga = vega_volga(STRIKES, VOLS)
    J = dg.jacobian(recipe, prices)
    np.testing.assert_allclose(J, np.diag(1 / vega), rtol=1e-13, atol=1e-17)
    H = dg.hessian(lambda p: recipe(p)[1], prices)
    assert H[1, 1] == pytest.approx(-volga[1] / vega[1] ** 3, rel=1e-11)


def test_newtons_scalar_form_stays_exact_on_duals():
    price = call(S, 100.0, T, r, 0.25)
    d = dg.derivative(lambda p: optimize.newton(
        lambda s: call(S, 100.0, T, r, s) - p, 0.3, tol=1e-14), price)
    assert d == pytest.approx(1 / vega_volga(100.0, 0.25)[0], rel=1e-13)


def cube_root_of(p):                # s ** 3 = p: ds/dp = 1 / (3 s ** 2)
    return p ** (1 / 3), 1 / (3 * p ** (2 / 3))


@pytest.mark.parametrize("finder", ["toms748", "root_scalar"])
def test_toms748_names_the_recipe_and_the_recipe_is_exact(finder):
    def g(s, p):
        return s ** 3 - p

    def f(p):
        if finder == "toms748":
            return optimize.toms748(g, 0.0, 5.0, args=(p,))
        return optimize.root_scalar(g, args=(p,), bracket=(0.0, 5.0), method="toms748").root
    with pytest.raises(TypeError) as info:
        dg.derivative(f, 2.0)
    message = str(info.value)
    assert f"scipy.optimize.{finder}" in message
    assert "s = s - g(s, p) / dg.derivative(g, s, p)" in message
    assert "args=(dg.stop_gradient(p),)" in message

    def recipe(p):
        s = optimize.toms748(g, 0.0, 5.0, args=(dg.stop_gradient(p),), xtol=1e-15)
        for _ in range(2):
            s = s - g(s, p) / dg.derivative(g, s, p)
        return s
    root, slope = cube_root_of(2.0)
    assert dg.derivative(recipe, 2.0) == pytest.approx(slope, rel=1e-14)
    assert dg.derivative(lambda p: dg.derivative(recipe, p), 2.0) == \
        pytest.approx(-2 / 9 * 2.0 ** (-5 / 3), rel=1e-12)


def test_fixed_point_names_the_recipe_and_the_recipe_is_exact():
    def phi(x, p):                  # x = p cos x: dx/dp = cos x / (1 + p sin x)
        return p * np.cos(x)
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda p: optimize.fixed_point(phi, 0.5, args=(p,)), 1.0)
    message = str(info.value)
    assert "s = s - (phi(s, p) - s) / (dg.elementwise_grad(phi)(s, p) - 1)" in message
    assert "with phi(s, p) your function" in message

    def recipe(p):
        s = optimize.fixed_point(phi, 0.5, args=(dg.stop_gradient(p),), xtol=1e-15)
        for _ in range(2):
            s = s - (phi(s, p) - s) / (dg.elementwise_grad(phi)(s, p) - 1)
        return s
    x = optimize.fixed_point(phi, 0.5, args=(1.0,), xtol=1e-15)
    assert dg.derivative(recipe, 1.0) == pytest.approx(np.cos(x) / (1 + np.sin(x)),
                                                       rel=1e-13)


def test_elementwise_find_root_is_our_error_not_scipys_real_numbers():
    elementwise = pytest.importorskip("scipy.optimize.elementwise")

    def g(s, p):
        return s ** 3 - p
    with pytest.raises(TypeError) as info:  # SciPy's own: "must be real numbers" (ValueError)
        dg.derivative(lambda p: elementwise.find_root(g, (0.0, 5.0), args=(p,)).x, 2.0)
    message = str(info.value)
    assert "must be real numbers" in message        # what SciPy said, quoted
    assert "s = elementwise.find_root(g, init, args=(dg.stop_gradient(p),)).x" in message

    def recipe(p):
        s = elementwise.find_root(g, (0.0, 5.0), args=(dg.stop_gradient(p),)).x
        for _ in range(2):
            s = s - g(s, p) / dg.elementwise_grad(g)(s, p)
        return s
    p = np.array([2.0, 3.0])
    np.testing.assert_allclose(dg.jacobian(recipe, p), np.diag(cube_root_of(p)[1]),
                               rtol=1e-14)


def test_a_bisection_by_hand_gives_zero_and_newton_steps_restore_the_derivative():
    price = call(S, 100.0, T, r, 0.25)

    def bisection(p):
        lo, hi = 1e-4, 3.0
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if call(S, 100.0, T, r, mid) > p:
                hi = mid
            else:
                lo = mid
        return mid
    with pytest.warns(dg.ComparedOnlyWarning):               # README: no dual reaches mid
        assert dg.derivative(bisection, price) == 0.0

    def fixed(p):
        s = bisection(dg.stop_gradient(p))
        for _ in range(2):
            s = s - (call(S, 100.0, T, r, s) - p) / dg.derivative(
                lambda v: call(S, 100.0, T, r, v), s)
        return s
    assert dg.derivative(fixed, price) == pytest.approx(1 / vega_volga(100.0, 0.25)[0],
                                                        rel=1e-13)


def sabr_mp(mp, K, F, T, alpha, beta, rho, nu):
    logFK = mp.log(F / K)
    fkb = (F * K) ** ((1 - beta) / 2)
    z = nu / alpha * fkb * logFK
    zx = 1 if z == 0 else z / mp.log((mp.sqrt(1 - 2 * rho * z + z ** 2) + z - rho) / (1 - rho))
    den = fkb * (1 + (1 - beta) ** 2 / 24 * logFK ** 2 + (1 - beta) ** 4 / 1920 * logFK ** 4)
    corr = 1 + ((1 - beta) ** 2 / 24 * alpha ** 2 / (F * K) ** (1 - beta)
                + rho * beta * nu * alpha / (4 * fkb) + (2 - 3 * rho ** 2) / 24 * nu ** 2) * T
    return alpha / den * zx * corr


def load_example():
    path = Path(__file__).resolve().parents[1] / "examples" / "greeks.py"
    if not path.exists():
        pytest.skip("examples/ not present")
    return runpy.run_path(str(path))


@pytest.mark.parametrize("offset", [0.0, 1e-9, 1e-6, 3e-4])
def test_sabrs_guard_at_the_forward_and_the_series_that_fixes_it(offset):
    mpmath = pytest.importorskip("mpmath")
    sabr = load_example()["sabr"]
    F, Tm, alpha, beta, rho, nu = 0.03, 2.0, 0.04, 0.5, -0.3, 0.5
    with mpmath.workdps(80):
        exact = float(mpmath.diff(lambda k: sabr_mp(
            mpmath, k, *(mpmath.mpf(v) for v in (F, Tm, alpha, beta, rho, nu))),
            mpmath.mpf(F + offset), h=mpmath.mpf("1e-25")))
        ex_rho = float(mpmath.diff(lambda q: sabr_mp(
            mpmath, mpmath.mpf(F + offset), *(mpmath.mpf(v) for v in (F, Tm, alpha, beta)),
            q, mpmath.mpf(nu)), mpmath.mpf(rho), h=mpmath.mpf("1e-25")))
    skew = dg.derivative(lambda k: sabr(k, F, Tm, alpha, beta, rho, nu), F + offset)
    d_rho = dg.derivative(lambda q: sabr(F + offset, F, Tm, alpha, beta, q, nu), rho)
    assert skew == pytest.approx(exact, rel=1e-12)
    assert d_rho == pytest.approx(ex_rho, rel=1e-12)
    guard = dg.derivative(lambda k: sabr(k, F, Tm, alpha, beta, rho, nu, series=False),
                          F + offset)
    if offset == 0.0:               # README's limit: the guard's constant, 57 % off
        assert abs(guard / exact - 1) > 0.5
    elif offset == 1e-9:            # x(z)'s cancelled digits: 1 % off
        assert abs(guard / exact - 1) > 1e-3


def test_greeks_example_prints_exact_greeks(capsys):
    path = Path(__file__).resolve().parents[1] / "examples" / "greeks.py"
    if not path.exists():
        pytest.skip("examples/ not present")
    with pytest.warns(dg.ComparedOnlyWarning):               # the bisection by hand
        runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    errors = [float(line.rsplit("rel. error ", 1)[1]) for line in out.splitlines()
              if line.split()[0] in ("delta", "gamma", "vega", "vanna", "volga")]
    assert len(errors) == 5 and max(errors) < 1e-13
    assert float(out.split("* vega - 1| = ")[1].split(",")[0]) < 1e-13
    assert float(out.split("d2 sigma / d price2 = ")[1].split()[0]) < 1e-11
    assert "a bisection by hand: d sigma / d price = 0.0 " in out
    series, guard = out.split("SABR skew rel. error: series ")[1].split("\n")[0].split(
        ", the guard ")                       # quant54's lines follow
    assert float(series) < 1e-9 and float(guard) > 0.5


def _normal_cdf_by_math_erf(x):
    import math
    return 0.5 * (1 + math.erf(x / np.sqrt(2)))


def test_math_erf_names_scipy_special_erf_not_a_numpy_erf():
    with pytest.raises(TypeError) as info:
        dg.derivative(_normal_cdf_by_math_erf, 0.3)
    message = str(info.value)
    assert "write scipy.special.erf for math.erf (they take duals)" in message
    assert "math.erf(x / np.sqrt(2))" in message                 # the line itself

    def fixed(x):                                                # the spelling named
        return 0.5 * (1 + special.erf(x / np.sqrt(2)))
    assert dg.derivative(fixed, 0.3) == pytest.approx(
        np.exp(-0.5 * 0.3 ** 2) / np.sqrt(2 * np.pi), rel=1e-15)


def test_functions_imported_from_math_are_named_with_their_spellings():
    from math import log, sqrt, lgamma, atan2              # noqa: F401 (read by the line)

    def f(s):
        return log(s) + sqrt(s) + lgamma(s) + atan2(s, 1.0)
    with pytest.raises(TypeError) as info:
        dg.derivative(f, 2.0)
    message = str(info.value)
    for text in ("np.log (math.log(x, b): np.log(x) / np.log(b)) for math.log",
                 "np.sqrt for math.sqrt", "scipy.special.gammaln for math.lgamma",
                 "np.arctan2 for math.atan2"):
        assert text in message


def test_float_of_a_dual_on_a_line_without_math_keeps_the_general_fix():
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda s: float(s) * 2.0, 2.0)
    assert "on that line, write" not in str(info.value)
    assert "use NumPy functions such as np.sin instead of math.sin" in str(info.value)


def test_cmath_names_the_line_and_np_emath_for_complex_results():
    import cmath

    def f(x):
        return (cmath.sqrt(x) * cmath.exp(1j * x)).imag
    with pytest.raises(TypeError) as info:
        dg.derivative(f, -4.0)
    message = str(info.value)
    assert "cmath.sqrt(x) * cmath.exp(1j * x)" in message        # the line: named now
    assert "np.emath.sqrt for cmath.sqrt, np.exp for cmath.exp" in message

    def fixed(x):                   # sqrt(x) e^(ix) at x = -4: 2i e^(-4i)
        return (np.emath.sqrt(x) * np.exp(1j * x)).imag
    x = -4.0                        # d/dx: (1 / (2 sqrt x) + i sqrt x) e^(ix), imaginary part
    exact = ((1 / (2 * cmath.sqrt(x)) + 1j * cmath.sqrt(x)) * cmath.exp(1j * x)).imag
    assert dg.derivative(fixed, x) == pytest.approx(exact, rel=1e-14)


@pytest.mark.parametrize("name", ["skew", "kurtosis"])
def test_scipy_stats_moments_are_named_and_their_spelling_is_exact(name):
    import warnings
    stats = pytest.importorskip("scipy.stats")
    R = np.random.default_rng(3).standard_t(5, (400, 3)) * 0.01
    w = np.array([0.5, 0.3, 0.2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.ObjectArrayWarning)
        with pytest.raises(TypeError) as info:  # SciPy's raw AttributeError before
            dg.gradient(lambda v: getattr(stats, name)(R @ v), w)
    message = str(info.value)
    assert f"scipy.stats.{name} raised AttributeError" in message
    assert "d = a - np.mean(a, axis=0, keepdims=True)" in message

    def spelled(v, axis=0):         # the message's spelling
        a = R @ v
        d = a - np.mean(a, axis=axis, keepdims=True)
        if name == "skew":
            return np.mean(d ** 3, axis=axis) / np.mean(d ** 2, axis=axis) ** 1.5
        return np.mean(d ** 4, axis=axis) / np.mean(d ** 2, axis=axis) ** 2 - 3
    scipys = getattr(stats, name)
    assert spelled(w) == pytest.approx(scipys(R @ w), rel=1e-13)
    g = dg.gradient(spelled, w)
    for i in range(3):              # Richardson differences of SciPy's own function
        e = np.eye(3)[i]

        def central(h):
            return (scipys(R @ (w + h * e)) - scipys(R @ (w - h * e))) / (2 * h)
        assert g[i] == pytest.approx((4 * central(5e-4) - central(1e-3)) / 3, rel=1e-7)


def test_np_roots_names_the_companion_matrix_and_it_is_exact():
    # pysabr (ynouri/pysabr@2a8e171b) takes SABR's alpha from an ATM vol as a cubic's root
    A, B, C = 0.13, 0.021, 5.8

    def alpha(v):
        roots = np.roots([A, B, C, -v])
        return np.real(roots[np.argmin(np.abs(np.imag(dg.stop_gradient(roots))))])
    with pytest.raises(TypeError) as info:
        dg.derivative(alpha, 0.2)
    assert "np.linalg.eigvals(np.vstack([-p[1:] / p[0], np.eye(len(p) - 2, len(p) - 1)]))" \
        in str(info.value)

    def spelled(v):
        p = np.stack([A, B, C, -v])
        roots = np.linalg.eigvals(np.vstack([-p[1:] / p[0], np.eye(len(p) - 2, len(p) - 1)]))
        np.testing.assert_allclose(dg.stop_gradient(roots), np.roots([A, B, C, -0.2]),
                                   rtol=1e-14)
        return np.real(roots[np.argmin(np.abs(np.imag(dg.stop_gradient(roots))))])
    a = alpha(0.2)                  # P(a) = A a^3 + B a^2 + C a - v: da/dv = 1 / P'(a)
    assert dg.derivative(spelled, 0.2) == pytest.approx(1 / (3 * A * a ** 2 + 2 * B * a + C),
                                                        rel=1e-14)


def test_scipy_quads_refusal_carries_the_calls_options_into_dg_quad():
    integrate = pytest.importorskip("scipy.integrate")

    def f(p, quad):
        return quad(lambda u: np.exp(-p * u), 0.0, 1.0, epsrel=1e-12, limit=200)[0]
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda p: f(p, integrate.quad), 1.5)
    assert "dg.quad(func, a, b, args=args, epsrel=1e-12, limit=200)[0]" in str(info.value)
    p = 1.5                         # d/dp (1 - e^-p) / p
    exact = np.exp(-p) / p - (1 - np.exp(-p)) / p ** 2
    assert dg.derivative(lambda q: f(q, dg.quad), p) == pytest.approx(exact, rel=1e-12)


def test_naming_math_on_the_line_runs_no_property_of_the_users_objects():
    class Surface:
        reads = 0

        @property
        def curve(self):
            Surface.reads += 1
            return self

        def at(self, x):
            return x
    s = Surface()

    def f(t):
        import math
        return s.curve.at(math.sqrt(t))
    with pytest.raises(TypeError, match="np.sqrt for math.sqrt"):
        dg.derivative(f, 2.0)
    assert Surface.reads == 1               # f's own read; the message read none


@pytest.mark.parametrize("name, args, kwargs", [
    ("skew", (), {"bias": False}), ("skew", (1, False), {}), ("skew", (), {}),
    ("kurtosis", (), {"bias": False}), ("kurtosis", (0, False, False), {}),
    ("kurtosis", (), {"fisher": False}), ("kurtosis", (), {"axis": None, "bias": False}),
    ("skew", (), {"axis": (0, 1), "bias": False}),
    ("kurtosis", (), {"axis": 1, "keepdims": True}), ("skew", (), {"keepdims": True})])
def test_scipy_stats_moments_spelling_follows_the_call(name, args, kwargs):
    # attack49 16: skew(x, bias=False) was told the biased formula (another number)
    import re
    import warnings
    stats = pytest.importorskip("scipy.stats")
    X = np.random.default_rng(5).standard_t(4, (9, 3))
    scipys = getattr(stats, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.ObjectArrayWarning)
        with pytest.raises(TypeError) as info:
            dg.jacobian(lambda v: scipys(v, *args, **kwargs), X)
    spelling = re.search(r"write that step as (.*?) \((bias=[^)]*) as your call\)",
                         str(info.value))
    steps, _, value = spelling.group(1).partition(", then ")
    value, _, g = value.partition(" with g = ")
    code = re.split(r", (?=[a-z]+ = )", steps) + ([f"g = {g}"] if g else [])

    def spelled(a):                 # the message's own text, run
        space = {"np": np, "a": a}
        for line in code:
            exec(line, space)
        return eval(value, space)
    assert np.allclose(spelled(X), scipys(X, *args, **kwargs), rtol=1e-13, atol=0)
    J = dg.jacobian(spelled, X)
    h = 1e-5                        # central differences of SciPy's own function
    for k in [(0, 0), (4, 2), (8, 1)]:
        E = np.zeros_like(X)
        E[k] = h
        fd = (scipys(X + E, *args, **kwargs) - scipys(X - E, *args, **kwargs)) / (2 * h)
        assert np.allclose(J[(...,) + k], fd, rtol=1e-6, atol=1e-8)
