"""Rows whose ``where`` tests values only (``value(x)``: dualgrad/rules/_expr.py).

arcsin, arccos and arctanh take ``1 - x * x`` inside ``|x| < 1/2`` (the factored form's
own derivative cancels near 0); tanh holds cosh's argument at 709 where ``|Re x| > 374``
(cosh overflows beyond ~710 and the derivative of 1 / inf times sinh was NaN).  Such a
test must not compare duals or complex numbers: it raised on the nested complex duals of
a holomorphic second derivative (attack13 04).

Oracles: closed forms of the derivatives in mpmath at 60 digits (independent of the
table), and, for "both branches are the derivative", the table's text read by Python's
``ast`` (not the table's parser) with one branch substituted for the ``where``.
"""

import ast
import math

import mpmath as mp
import numpy as np
import pytest

import _oracles
import dualgrad as dg
from dualgrad.rules import _table

F = {"arcsin": np.arcsin, "arccos": np.arccos, "arctanh": np.arctanh, "tanh": np.tanh,
     "arcsinh": np.arcsinh}


def _closed(name, order, z):
    """The ``order``-th derivative (1, 2, 3) of ``name`` at the mpmath number ``z``."""
    s = 1 - z * z
    if name in ("arcsin", "arccos"):
        sign = 1 if name == "arcsin" else -1
        return sign * [1 / mp.sqrt(s), z / s ** 1.5, (1 + 2 * z * z) / s ** 2.5][order - 1]
    if name == "arctanh":
        return [1 / s, 2 * z / s ** 2, (2 + 6 * z * z) / s ** 3][order - 1]
    if name == "arcsinh":
        q = 1 + z * z
        return [1 / mp.sqrt(q), -z / q ** 1.5, (2 * z * z - 1) / q ** 2.5][order - 1]
    t, c = mp.tanh(z), 1 / mp.cosh(z) ** 2
    return [c, -2 * t * c, 4 * t * t * c - 2 * c * c][order - 1]


def _want(name, order, x):
    with mp.workdps(60):
        value = _closed(name, order, mp.mpc(x) if isinstance(x, complex) else mp.mpf(x))
        return complex(value) if isinstance(x, complex) else float(value)


def _close(got, want, what, rtol=1e-13):
    """Within ``rtol`` relative; an exact value below the smallest normal number (it
    underflows) must be below it too, not NaN."""
    if abs(want) < 2.3e-308:
        assert abs(got) < 2.3e-308, (what, got, want)
    else:
        assert abs(got - want) <= rtol * abs(want), (what, got, want, abs(got - want) / abs(want))


def _nested(f, order, holomorphic):
    g = f
    for _ in range(order):
        g = (lambda g: lambda t: dg.derivative(g, t, holomorphic=holomorphic))(g)
    return g


_NEAR_ZERO = [1e-300, 1e-12, -3e-8, 1e-4, 0.3, -0.4999, 0.5, 0.51, -0.9,
              1e-9 + 2e-9j, 0.3 - 0.1j, -0.2 + 0.45j, 0.6 + 0.1j, 1.5 + 0.5j, -3.0 - 0.5j]
_TANH = [0.3, -20.0, 400.0, 706.0, 708.0, 720.0, -1000.0, 1e300,
         0.3 + 0.2j, 800j, 3.0 - 800j, 707.5 + 2.0j, -720.0 + 1e5j, 20.0 + 1.0j]
_ARCSINH = [0.3, -2.0, 1e150, -2e150, 1e200, 1e308, 0.3 + 0.1j, 2.0 - 3.0j, 0.5j,
            1e200 + 1e199j, -1e200 + 1e199j, 3e155 - 2e155j, 1e160j]
CASES = [(n, x) for n in ("arcsin", "arccos", "arctanh") for x in _NEAR_ZERO] + \
    [("tanh", x) for x in _TANH] + [("arcsinh", x) for x in _ARCSINH]


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name, x", CASES, ids=[f"{n}({x})" for n, x in CASES])
@pytest.mark.engine_independent
def test_first_second_and_third_derivatives_on_scalar_and_array_duals(name, x, engine):
    """Scalar duals (dg.derivative nested 1, 2, 3 times), array duals (jacobian, hessian,
    jacobian of the hessian's diagonal), real and complex (holomorphic) values, on both
    engines.  Fails on main's rows: arcsin''(1e-12) 9e-5 off, arcsin'''(1e-300) NaN,
    tanh''(720) NaN; arcsinh's x * x > 1e300 raised on nested complex scalar duals and
    compared Re(x * x) on complex arrays (arcsinh'(1e200 + 1e199j) NaN, (1e160j) 0)."""
    f, c = F[name], isinstance(x, complex)
    if name != "tanh" and not c and abs(x) > 1.0:
        pytest.skip("outside the domain")
    point = np.array([x, 0.25])
    with dg.engine(engine):
        array = {1: dg.jacobian(f, point, holomorphic=c)[0, 0],
                 2: dg.hessian(lambda v: np.sum(f(v)), point, holomorphic=c)[0, 0],
                 3: dg.jacobian(lambda v: dg.hessian(lambda u: np.sum(f(u)), v,
                                                     holomorphic=c).diagonal(),
                                point, holomorphic=c)[0, 0]}
        for order in (1, 2, 3):
            want = _want(name, order, x)
            _close(_nested(f, order, c)(x), want, f"{name}^({order})({x}), scalar, {engine}")
            _close(array[order], want, f"{name}^({order})({x}), array, {engine}")


# the switch a row's _SWITCH points straddle, where it has other value tests (arcsinh's
# off-axis form: test_prec62.py)
_SWITCH_TEST = {"arcsinh": "1e+150"}


def _branches(rule):
    """The derivative's text with the value-tested ``where`` replaced by its first and
    by its second branch (Python's ast, not the table's parser)."""
    tree = ast.parse(rule.derivs[0], mode="eval")
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and
             ast.unparse(n.func) == "where" and
             _SWITCH_TEST.get(rule.name, "value(") in ast.unparse(n.args[0])]
    assert len(found) == 1, rule.derivs[0]
    texts = []
    for k in (1, 2):
        node, text = found[0], ast.unparse(tree)
        texts.append(text.replace(ast.unparse(node), f"({ast.unparse(node.args[k])})"))
    return texts


VALUE_ROWS = [r for r in _table.RULES.values() if r.kind == "smooth" and
              any(e is not None and "value" in e.calls for e in r.exprs)]


def test_the_rows_with_value_tests_are_these():
    # (scipy's rows are loaded by _oracles; wofz's and voigt_profile's switches, four
    # value tests each, are checked against mpmath on both sides in test_faddeeva.py)
    # (remainder's test is NaN-ness: d/dy NaN beside NumPy's NaN value, test_rules_oracles)
    # (special41's rows, each checked against mpmath on both sides of its switch in
    # test_special41.py: the incomplete gamma / beta at their endpoints, dawsn's fraction
    # beyond 10, ellipk / ellipe's series below 1/4, rel_entr / kl_div's log ratio,
    # huber's regions and pseudo_huber's delta -> 0 limits)
    # (stats44's distribution rows, in test_stats44.py against mpmath: stdtr / stdtrit's
    # Stirling constant from df = 20 (19.9 and 20) and df = inf; cauchy's p - 1 beyond
    # 1/2; chdtr / chdtrc / betaincc at their endpoints and binom's pmf at p = 0, 1 in
    # test_rules_oracles' kinks; binom's cdf / sf at k >= n)
    # (stats45's inverses in their shapes, test_stats45.py: gammaincinv / gammainccinv /
    # chdtri inside (0, 1) against mpmath and at y = 0, 1 (d/da 0, d/dy the limit);
    # betaincinv / betainccinv / _beta_ppf inside against mpmath, the first two at y = 0, 1)
    # (the orthogonal polynomials' degree tests, 0 and negative degrees, against mpmath in
    # test_climate47.py and test_special47.py)
    # (special48's rows, against mpmath on both sides in test_special48.py: the Hermite,
    # Laguerre and Jacobi degrees (0, negative, real), genlaguerre's alpha <= -1 (NaN),
    # hyp2f1's a b = 0, F / E's m > 1 (NaN) and |phi| = pi / 2, Struve's |x| = 1)
    # (entr / rel_entr / kl_div off their domain, x < 0 or y < 0: 0 at every order, in
    # test_special.py)
    # (erfcx's Re z > 3 test, dawsn's off-axis regions: both sides against mpmath in
    # test_silent61.py)
    # (expit's tanh form below |x| = 1, the power rows' tiny-base forms: both sides
    # against mpmath in test_expit_near_zero.py and test_power_at_zero.py)
    # (nan55's Stirling form from shape 10 in pdtr / pdtrc / nbinom's cdf and sf: both
    # sides against mpmath in test_nan55.py)
    # (tan's off-axis form, log_ndtr's test on the value's real part: both sides
    # against mpmath in test_lead62.py)
    # (arcsinh's and arctan's factored forms off the real axis: near +-i and both sides
    # of each cut against mpmath in test_prec62.py)
    # (arccosh's complex form inside |z| < 1/2: both sides against mpmath in
    # test_silent64.py)
    assert sorted(r.name for r in VALUE_ROWS) == ["_beta_ppf",
                                                  "_binom_cdf", "_binom_pmf", "_binom_sf",
                                                  "_cauchy_isf", "_cauchy_ppf",
                                                  "_nbinom_cdf", "_nbinom_sf",
                                                  "arccos", "arccosh", "arcsin", "arcsinh", "arctan",
                                                  "arctanh",
                                                  "betainc", "betaincc", "betainccinv",
                                                  "betaincinv", "chdtr", "chdtrc", "chdtri",
                                                  "dawsn", "ellipe", "ellipeinc", "ellipk",
                                                  "ellipkinc", "entr", "erfcx", "eval_chebyt",
                                                  "eval_chebyu",
                                                  "eval_gegenbauer", "eval_genlaguerre",
                                                  "eval_hermite", "eval_hermitenorm",
                                                  "eval_jacobi", "eval_laguerre",
                                                  "eval_legendre", "expit",
                                                  "float_power", "gammainc", "gammaincc",
                                                  "gammainccinv", "gammaincinv",
                                                  "huber", "hyp2f1", "hypot", "kl_div",
                                                  "log_ndtr", "modstruve", "pdtr", "pdtrc", "power",
                                                  "pseudo_huber", "rel_entr",
                                                  "remainder", "stdtr", "stdtrit", "struve",
                                                  "tan", "tanh", "voigt_profile", "wofz"]


_SWITCH = {"arcsin": [0.45, 0.499, 0.5, 0.501, 0.55, -0.5, -0.49, 0.5j, 0.35 + 0.35j,
                      -0.36 - 0.36j, 0.1 - 0.49j],
           "tanh": [373.6, 373.9, 374.0, 374.1, 376.0, -374.0, 374.0 + 3.0j, -374.2 - 1.0j,
                    706.9, 707.1, 709.5]}
_SWITCH["arccos"] = _SWITCH["arctanh"] = _SWITCH["arcsin"]
_SWITCH["arcsinh"] = [9e149, 1e150, 1.1e150, -1e150, 7e149 + 7e149j, -1e150j, 2e150 - 1e149j]


@pytest.mark.parametrize("rule", [r for r in VALUE_ROWS if r.ufunc.nin == 1 and
                                  r.name in _SWITCH], ids=lambda r: r.name)
def test_both_branches_are_the_derivative_across_the_switch(rule):
    """Either branch, on either side of the switch, is the first derivative, and its own
    derivative (the branch on a scalar dual) the second: the test only picks the
    better-conditioned formula, so a Hessian that differentiates the branch taken is
    right on both sides."""
    namespace = {"np": np, "where": np.where, "value": lambda v: v}
    for text in _branches(rule):
        fn = eval(f"lambda x, out: {text}", namespace)   # noqa: S307 - the table's text
        for x in _SWITCH[rule.name]:
            c = isinstance(x, complex)
            with np.errstate(all="ignore"):
                got = complex(fn(x, rule.ufunc(x))) if c else float(fn(x, rule.ufunc(x)))
            _close(got, _want(rule.name, 1, x), f"{rule.name}: {text} at {x}", rtol=4e-15)
            dual = dg.Dual(x, [1.0])
            with np.errstate(all="ignore"):
                d = fn(dual, rule.ufunc(dual))
            slope = d.partials[0] if isinstance(d, dg.Dual) else 0.0    # tanh's held branch
            _close(complex(slope) if c else float(slope),
                   _want(rule.name, 2, x), f"{rule.name}: ({text})' at {x}", rtol=1e-12)


def test_a_large_imaginary_part_is_not_held():
    """The tanh row's test is |Re x| > 374, not |x|: sech(800j)**2 = sec(800)**2 = 1.45,
    where a test on |x| would have given 0."""
    got = dg.derivative(np.tanh, 800j, holomorphic=True)
    assert abs(got - 1 / math.cos(800.0) ** 2) <= 1e-13 * abs(got)


@pytest.mark.parametrize("x", [1e-12, 0.3, 0.49, 0.5, 0.51, -0.9, 706.0, 708.0, 720.0, -1e4])
@pytest.mark.engine_independent
def test_first_derivatives_inside_jitted_code(x):
    """Users' @njit code (dualgrad/jit): the rows' value tests run on floats there, in
    every spelling (ufunc and math function); against the closed forms (hypot's and
    arcsinh's too: (a, y) / r with y = 1e-8 a, and 1 / sqrt(1 + t**2) at t = 1e151 x)."""
    numba = pytest.importorskip("numba")

    @numba.njit
    def h(v):
        a, t, y, big = v[0], v[1], v[2], v[3]
        return np.array([np.arcsin(a), np.arccos(a), np.arctanh(a), np.tanh(t),
                         math.asin(a), math.acos(a), math.atanh(a), math.tanh(t),
                         np.hypot(a, y), math.hypot(y, a), np.arcsinh(big), math.asinh(big)])
    a = x if abs(x) < 1.0 else 0.25
    y, big = 1e-8 * a, 1e151 * x
    J = dg.jacobian(h, np.array([a, x, y, big]))
    for row, (name, arg) in enumerate(2 * [("arcsin", 0), ("arccos", 0), ("arctanh", 0),
                                             ("tanh", 1)]):
        _close(J[row, arg], _want(name, 1, a if arg == 0 else x), f"{name}'({x}), jit",
               rtol=1.6e-15)
    with mp.workdps(60):
        r = mp.hypot(a, y)
        da, dy = float(a / r), float(y / r)
        dbig = float(1 / mp.sqrt(1 + mp.mpf(big) ** 2))
    for row, want in ((8, [da, 0.0, dy, 0.0]), (9, [da, 0.0, dy, 0.0]),
                      (10, [0.0, 0.0, 0.0, dbig]), (11, [0.0, 0.0, 0.0, dbig])):
        for k in range(4):
            _close(J[row, k], want[k], f"row {row}, d/dv[{k}] at {x}, jit", rtol=1.6e-15)


def test_derivatives_near_zero_against_the_generic_oracle():
    """The generic mpmath oracle (tests/_oracles.py: differentiates mpmath's function,
    not a closed form) agrees with the rows at and below the switch."""
    for name in ("arcsin", "arccos", "arctanh", "tanh"):
        for x in (1e-3, 0.2, 0.4999, 0.5001, 0.7):
            got = dg.derivative(F[name], x)
            _oracles.assert_close(got, _oracles.derivative(name, (x,), 0), f"{name}'({x})",
                                  rtol=1e-14)


# ---- hypot: sign(x) / sqrt(1 + (y / x)**2) where |y| <= |x| ---------------------------

_PAIRS = [(1.0, 1e-8), (1e-8, 1.0), (3.0, 4.0), (-2.0, 1e-300), (1e200, 1e-200),
          (1e-300, 3e-300), (1.0, 1.0), (-1.0, 1.0), (-5.0, -1e-5), (0.3, -0.2), (1e-8, -1.0),
          (2.0, -1e-12), (1e150, 1e150), (7.0, 0.0), (0.0, -3.0)]


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("x, y", _PAIRS)
def test_hypot_gradient_and_hessian_at_unequal_arguments(x, y, engine):
    """x / out's own derivative, 1 / out - (x / out)**2 / out, cancels where |y| << |x|:
    d2/dx2 at (2, -1e-12) was 0 for 1.25e-25, at (-5, -1e-5) 3.6e-5 off (fails on main's
    row).  Closed forms: grad (x, y) / r, Hessian (y**2, -xy; -xy, x**2) / r**3; array
    duals and scalar duals (dg.derivative nested)."""
    with mp.workdps(60):
        X, Y = mp.mpf(x), mp.mpf(y)
        r = mp.hypot(X, Y)
        grad = [float(X / r), float(Y / r)]
        hess = [[float(Y * Y / r ** 3), float(-X * Y / r ** 3)],
                [float(-X * Y / r ** 3), float(X * X / r ** 3)]]
    f = lambda v: np.hypot(v[0], v[1])    # noqa: E731
    with dg.engine(engine):
        g = dg.gradient(f, np.array([x, y]))
        H = dg.hessian(f, np.array([x, y]))
        sxx = dg.derivative(lambda s: dg.derivative(lambda t: np.hypot(t, y), s), x)
        syy = dg.derivative(lambda s: dg.derivative(lambda t: np.hypot(x, t), s), y)
    for i in range(2):
        _close(g[i], grad[i], f"d/d{'xy'[i]} hypot({x}, {y}), {engine}", rtol=4e-16)
        for j in range(2):
            _close(H[i, j], hess[i][j], f"hessian[{i}, {j}] hypot({x}, {y}), {engine}",
                   rtol=1e-15)
    _close(sxx, hess[0][0], f"scalar d2/dx2 hypot({x}, {y})", rtol=1e-15)
    _close(syy, hess[1][1], f"scalar d2/dy2 hypot({x}, {y})", rtol=1e-15)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_hypot_gradient_at_an_infinite_argument(engine):
    """x / out was inf / inf = NaN at x = +-inf; the limit is sign(x) (and 0 in the
    finite argument), as arctan2's row gives 0 there."""
    with dg.engine(engine), np.errstate(all="ignore"):
        for point, want in (((np.inf, 1.0), [1.0, 0.0]), ((1.0, -np.inf), [0.0, -1.0]),
                            ((-np.inf, 0.0), [-1.0, 0.0])):
            g = dg.gradient(lambda v: np.hypot(v[0], v[1]), np.array(point))
            np.testing.assert_array_equal(g, want, err_msg=f"{point}, {engine}")
            assert dg.derivative(lambda t: np.hypot(t, point[1]), point[0]) == want[0]


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("im", [1e150, -1e150, 2e153, -1e200, 1e300, -1.7e308])
@pytest.mark.parametrize("re", [0.0, -0.0])
def test_arcsinh_on_its_cut_beyond_the_switch_keeps_the_side_of_the_signed_zero(re, im, engine):
    """On the cut (Re x = +-0, |Im x| > 1) arcsinh'(x) = 1 / sqrt(x * x + 1) takes the side
    of Im(x * x)'s signed zero, sign(Re x) sign(Im x): -s i / |Im x| with s that sign.
    The scaled square past |x| = 1e150 must keep it (X * X lost it where Re x = -0;
    main's row gave 0 from |x| ~ 1e154)."""
    x = complex(re, im)
    s = math.copysign(1.0, re) * math.copysign(1.0, im)
    with dg.engine(engine):
        for got in (dg.derivative(np.arcsinh, x, holomorphic=True),
                    dg.jacobian(np.arcsinh, np.array([x]), holomorphic=True)[0, 0]):
            assert got.real == 0.0 and abs(got.imag - (-s / abs(im))) <= 1e-15 * abs(got.imag), \
                (x, got, -s / abs(im))


def test_scalar_complex_local_derivatives_divide_as_numpy():
    """A complex scalar dual's local derivative is evaluated on NumPy's complex128, as the
    array path's is (and a real one's on float64): np.sqrt at 0j raised ZeroDivisionError
    (0.5 / out with out a Python complex 0j) where the array path gives NumPy's nan."""
    with np.errstate(all="ignore"):
        want = dg.jacobian(np.sqrt, np.array([0j]), holomorphic=True)[0, 0]
        got = dg.derivative(np.sqrt, 0j, holomorphic=True)
        oracle = np.complex128(0.5) / np.sqrt(np.complex128(0j))    # NumPy's own division
    np.testing.assert_array_equal(np.array([got, want]), np.array([oracle, oracle]))
