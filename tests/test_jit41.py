"""Users' @numba.njit code (stop 41): the named error for nested duals that reach a
jitted function through a plain-Python f, and more of Python's math on duals inside
jitted code (``round``, ``min``/``max`` of three or more, ``math.erf``/``erfc``,
``gamma``/``lgamma``, ``degrees``/``radians``/``exp2``/``ldexp``/``nextafter``,
``for v in x``), and the cached derivative functions they call.

Oracles: 8th-order central differences (:func:`dualgrad.testing.numerical_jacobian`)
of the same jitted function on floats, closed forms, and mpmath (digamma).  numba compiles slowly on the
test machines: a few functions, each covering several constructs; the tests that hand
duals straight to jitted code (no Python f: the engine never decides) are
``engine_independent``, so README's two halves compile each once (tests/conftest.py).
"""

import math

import numpy as np
import pytest

numba = pytest.importorskip("numba")

import dualgrad as dg  # noqa: E402
from dualgrad.testing import numerical_jacobian  # noqa: E402

mpmath = pytest.importorskip("mpmath")


@numba.njit
def kern(p):
    s = 0.0
    for i in range(p.shape[0]):
        s += math.sin(p[i]) * p[i - 1] ** 2
    return s


X = np.array([0.3, 1.2, 0.7])


def test_nested_duals_through_a_python_wrapper_raise_the_named_error():
    """attack32 repro_07: dg.hessian(kern, x) named the limit, the same kernel behind a
    lambda reached the user as numba's raw TypingError ("non-precise type pyobject")."""
    wrap = lambda p: 2.0 * kern(p)                       # noqa: E731
    np.testing.assert_allclose(dg.gradient(wrap, X), numerical_jacobian(wrap, X),
                               rtol=1e-9)                # first order: it works
    for f in (kern, wrap):
        with pytest.raises(TypeError, match=r"^dualgrad\.hessian: numba-jitted code uses "
                                            r"nested duals.*Fix: .*plain-Python f.*"
                                            r"py_func") as info:
            dg.hessian(f, X)
        assert "pyobject" not in str(info.value)
    # a scalar jitted helper under a derivative of a derivative, through a lambda
    sq = numba.njit(lambda t: t * t * t)
    with pytest.raises(TypeError, match=r"dualgrad\.derivative: .*nested duals"):
        dg.derivative(lambda s: dg.derivative(lambda t: sq(t), s), 1.5)
    # an array dual of two dimensions handed to jitted code by a Python f
    with pytest.raises(TypeError, match=r"dualgrad\.jacobian: .*more than one dimension.*"
                                        r"shape \(3, 1\).*Fix: .*ravel"):
        dg.jacobian(lambda p: kern(p.reshape(3, 1)), X)


def test_the_refusal_outside_a_helper_is_named_too():
    """numba's typeof itself raises dualgrad's error, whoever calls the dispatcher."""
    from dualgrad.errors import DualTypeError

    def outer(p):
        inner = dg.gradient(lambda q: kern(q), p)       # p: duals; q: duals of duals
        return inner.sum()
    with pytest.raises(DualTypeError, match=r"nested duals"):
        dg.gradient(outer, X)


@numba.njit
def python_math(p):
    """Python's builtins and math on duals: each term at a point away from any jump."""
    a, b, c = p[0], p[1], p[2]
    s = round(a) * b + round(b, 1) * a                    # locally constant roundings
    s += min(a, b, c) + 2.0 * max(a, 0.5, c, b)            # three and four arguments
    s += math.erf(a) * math.erfc(b)
    s += math.degrees(a) * math.radians(c) + math.exp2(c)
    s += math.ldexp(b, 3) + math.nextafter(c, 9.0)
    s += math.gamma(b) + math.lgamma(a + 2.0) + math.lgamma(c)     # c < 0: log|Gamma|
    for v in p:                                           # iteration over a dual array
        s += v * v
    for i, v in enumerate(p):
        s += (i + 1.0) * v
    return s


P = np.array([0.3, 1.26, -0.7])


@pytest.mark.engine_independent
def test_python_math_in_jitted_code_matches_central_differences_and_closed_forms():
    g = dg.gradient(python_math, P)
    np.testing.assert_allclose(g, numerical_jacobian(python_math.py_func, P, h=1e-3),
                               rtol=1e-8, atol=1e-10)
    a, b, c = P
    sq = 2.0 / math.sqrt(math.pi)
    psi = lambda t: float(mpmath.digamma(mpmath.mpf(t)))  # noqa: E731
    closed = np.array([
        round(b, 1) + sq * math.exp(-a * a) * math.erfc(b)
        + 180.0 / math.pi * math.radians(c) + 2 * a + 1.0 + psi(a + 2.0),
        round(a) + 2.0 - math.erf(a) * sq * math.exp(-b * b) + 8.0 + 2 * b + 2.0
        + float(mpmath.gamma(b)) * psi(b),
        1.0 + math.degrees(a) * math.pi / 180.0 + math.exp2(c) * math.log(2.0) + 1.0
        + 2 * c + 3.0 + psi(c)])                          # min(a, b, c) is c
    np.testing.assert_allclose(g, closed, rtol=1e-14)


@pytest.mark.engine_independent
def test_digamma_for_numba_matches_mpmath():
    """rules/_special.py's digamma (the table's sc.digamma in jitted code: math.gamma's
    and math.lgamma's derivatives) against mpmath, as its docstring bounds it."""
    from dualgrad.jit._derivatives import digamma as jitted
    from dualgrad.rules._special import digamma
    rng = np.random.default_rng(41)
    xs = np.concatenate([rng.uniform(-50, 50, 400), rng.uniform(0, 3, 400),
                         10.0 ** rng.uniform(-300, 300, 100),
                         [1.4616321449683622, 1.0, 2.0, -0.5, -1.5, -10.5, 1e-8, -1e-8]])
    for x in xs:
        x = float(x)
        with mpmath.workdps(40):
            ref = mpmath.digamma(x)
            ref1 = mpmath.digamma(1 - mpmath.mpf(x)) if x < 0 else ref
        got = digamma(x)
        assert jitted(x) == got
        if x > 0:
            assert abs(got - ref) <= 3e-15 * abs(ref), x
        else:
            scale = max(abs(ref), abs(ref1))
            assert abs(got - ref) <= 4 * 2.0 ** -52 * scale, x
    for x, ref in ((0.0, -math.inf), (-0.0, math.inf), (math.inf, math.inf)):
        assert digamma(x) == ref and jitted(x) == ref
    for x in (-3.0, -math.inf, math.nan):
        assert math.isnan(digamma(x)) and math.isnan(jitted(x))


@pytest.mark.engine_independent
def test_min_max_of_three_keep_pythons_first_of_equals():
    @numba.njit
    def f(p):
        return max(p[0], p[1], p[2]) + 10.0 * min(p[2], p[0], p[1])
    # p[0] == p[1] is the max: Python picks p[0]; p[2] == p[0] is the min: picks p[2]
    g = dg.gradient(f, np.array([1.0, 1.0, 0.5]))
    np.testing.assert_array_equal(g, [1.0, 0.0, 10.0])
    g = dg.gradient(f, np.array([2.0, 2.0, 2.0]))
    np.testing.assert_array_equal(g, [1.0, 0.0, 10.0])


@pytest.mark.engine_independent
def test_the_generated_derivatives_match_the_table():
    """dualgrad/jit/_derivatives.py (cached numba functions of the table's derivatives,
    which the extension finds by their source) is the generator's output: regenerate with
    ``python -m dualgrad.jit._derivgen`` after changing the table."""
    from dualgrad.jit import _derivgen, _numba_dual
    assert _derivgen.PATH.read_text() == _derivgen.source()
    assert set(_numba_dual._MATH_SPECIAL) == set(_derivgen.SCIPY_ROWS)
    # every derivative the extension compiles is one of the cached functions
    from dualgrad.jit import _derivatives
    for rule in _derivgen.rows():
        for expr in rule.exprs:
            if expr is not None:
                assert _numba_dual._compile(expr) in _derivatives.BY_SOURCE.values()


@numba.njit
def every_math_function(p):
    """Each float function of math that numba compiles (numba 0.68: all but frexp, whose
    integer exponent the table refuses, and gcd, of integers), on duals."""
    a, b = p[0], p[1]          # a in (0, 1), b > 1
    s = math.acos(a) + math.acosh(b) + math.asin(a) + math.asinh(b) + math.atan(a)
    s += math.atan2(a, b) + math.atanh(a) + math.ceil(b) + math.copysign(a, -1.0)
    s += math.cos(a) + math.cosh(a) + math.degrees(a) + math.erf(a) + math.erfc(b)
    s += math.exp(a) + math.exp2(a) + math.expm1(a) + math.fabs(-a) + math.floor(b)
    s += math.fmod(b, 0.7) + math.gamma(b) + math.hypot(a, b) + math.ldexp(a, 2)
    s += math.lgamma(b) + math.log(b) + math.log10(b) + math.log1p(a) + math.log2(b)
    s += math.nextafter(a, 2.0) + math.pow(b, a) + math.radians(b) + math.sin(a)
    s += math.sinh(a) + math.sqrt(b) + math.tan(a) + math.tanh(a) + math.trunc(b)
    if math.isfinite(a) and not math.isinf(a) and not math.isnan(b):
        s += a
    return s


@pytest.mark.engine_independent
def test_every_math_function_numba_compiles_takes_duals():
    x = np.array([0.3, 1.7])
    np.testing.assert_allclose(dg.gradient(every_math_function, x),
                               numerical_jacobian(every_math_function.py_func, x),
                               rtol=1e-10)
