"""The scalar duals' generated fast paths give the general path's bits.

Every ufunc the generated classes take on an inlined path (``_UNARY``: unary ufuncs,
``_BINARY``: binary ufuncs and the operators' ufuncs), every spelling (the ufunc, the
operator, the reflected operator), is compared with the general dispatch path
``dispatch._ufuncs.call`` on special values: +-0, ties, +-inf, NaN, huge and tiny
numbers, with partials holding +-0.0 (the sign of a zero partial is part of the
result), for a slot class and the vector class.  The oracle is the general path
itself, which tests/test_rules_oracles.py checks against mpmath and the kinks; this
file checks that the fast paths do not depart from it: value and partials to the bit,
the same warnings, the same errors.
"""

import operator
import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _ufuncs
from dualgrad.dual._base import new_tag, retire
from dualgrad.dual._scalar import scalar_class
from dualgrad.rules._table import RULES

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.5, 1e308, -1e308, 5e-324, -5e-324, 1e-300,
           1e154, np.inf, -np.inf, np.nan, 709.5, 710.2, -745.5]
UNARY = sorted(scalar_class(3)._UNARY, key=lambda u: u.__name__)
BINARY = sorted(scalar_class(3)._BINARY, key=lambda u: u.__name__)
# numbers the other operand may be: a Python float, a NumPy float64, an int
NUMBERS = (float, np.float64, int)


def _same(got, want):
    """Bit for bit (the sign of zero included); any NaN equals any NaN."""
    return got != got and want != want or \
        type(got) is type(want) and np.float64(got).tobytes() == np.float64(want).tobytes()


def _check(fast, general, what, warns=True, scalar_words=None):
    """``fast()`` and ``general()``: the same result (or the same exception) and, unless
    ``warns`` is false, the same warnings (``scalar_words``: those of this call instead,
    NumPy's float64 scalar operator on the values, "... in scalar power": a scalar
    dual's ``d ** k``, refusals70)."""
    results = []
    for fn in (fast, general):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            try:
                r = fn()
            except Exception as exc:        # noqa: BLE001 - compared below
                r = type(exc)
        results.append((r, sorted(str(w.message) for w in seen)))
    (got, got_w), (want, want_w) = results
    if scalar_words:                # NumPy's own float64 scalar operator's words
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            scalar_words()
        want_w = sorted(str(w.message) for w in seen)
    assert got_w == want_w or not warns, (what, got_w, want_w)
    if isinstance(want, type):
        assert got is want, (what, got, want)
        return
    if type(want) is tuple:                     # modf, divmod
        assert type(got) is tuple and len(got) == len(want), (what, got, want)
        pairs = zip(got, want)
    else:
        pairs = [(got, want)]
    for g, w in pairs:
        if not isinstance(w, dg.Dual):          # a predicate's NumPy bool
            assert type(g) is type(w) and g == w, (what, g, w)
            continue
        assert _same(g.value, w.value), (what, "value", g, w)
        gp, wp = g._plist(), w._plist()
        assert len(gp) == len(wp) and all(_same(x, y) for x, y in zip(gp, wp)), \
            (what, "partials", g, w)


def _dual(v, ps, tag):
    return dg.Dual(v, list(ps), tag=tag)


# partials with both signs of zero: f * 0.0 and f * -0.0 keep the sign rules
PA = [1.0, -0.0, 0.0, -2.5]
PB = [0.0, 1.0, -0.0, 0.5]


@pytest.mark.parametrize("n", [4, 17])          # a slot class, the vector class
@pytest.mark.parametrize("ufunc", UNARY, ids=[u.__name__ for u in UNARY])
@pytest.mark.engine_independent
def test_unary_fast_path_is_the_general_path(ufunc, n):
    rule = RULES[ufunc]
    tag = 0
    assert {np.absolute, np.sign, np.floor, np.isnan, np.modf, np.conjugate} <= set(UNARY)
    stem = rule.operator
    spell = {"neg": operator.neg, "pos": operator.pos, "abs": abs}.get(stem)
    # and points of the rule's domain: where NumPy's functions and libm's differ in the
    # last bit (np.cosh against math.cosh on an AVX-512 build: a fifth of them)
    lo, hi = rule.domain[0][:2] if rule.domain else (-3.0, 3.0)
    points = np.random.default_rng(7).uniform(lo, hi, 300).tolist()
    for v in SPECIAL + points:
        a = _dual(v, (PA * 5)[:n], tag)
        _check(lambda: ufunc(a), lambda: _ufuncs.call(rule, (a,)), (ufunc.__name__, v))
        if spell is not None and stem == "abs":
            _check(lambda: spell(a), lambda: _ufuncs.call(rule, (a,)), (stem, v))


def _binary_spellings(rule):
    yield "ufunc", rule.ufunc, False
    ops = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
           "truediv": operator.truediv, "pow": operator.pow, "mod": operator.mod,
           "floordiv": operator.floordiv, "divmod": divmod}
    if rule.operator in ops:
        yield rule.operator, ops[rule.operator], True


_PYTHON_OPERATORS = ("add", "sub", "mul", "truediv")


def _integral(v):
    return bool(np.isfinite(v)) and abs(v) < 1e18 and v == int(v)


@pytest.mark.parametrize("n", [4, 17])
@pytest.mark.parametrize("ufunc", BINARY, ids=[u.__name__ for u in BINARY])
@pytest.mark.engine_independent
def test_binary_fast_path_is_the_general_path(ufunc, n):
    rule = RULES[ufunc]
    tag = 0
    assert len(BINARY) >= 30 and np.maximum in BINARY and np.less in BINARY
    rng = np.random.default_rng(11)       # and numbers of every magnitude and sign
    spread = (rng.standard_normal((2, 120)) * 10.0 ** rng.integers(-300, 300, (2, 120))).tolist()
    pairs = [(v, w) for v in SPECIAL for w in SPECIAL] + list(zip(*spread))
    for name, spell, is_operator in _binary_spellings(rule):
        for v, w in pairs:
            a, b = _dual(v, (PA * 5)[:n], tag), _dual(w, (PB * 5)[:n], tag)
            cases = [(a, b), (a, w), (v, b), (a, np.float64(w)), (np.float64(v), b),
                     (a, np.array(w)), (np.array(v), b)]    # (NumPy's scalar comparisons)
            if _integral(w):
                cases.append((a, int(w)))
            if _integral(v):
                cases.append((int(v), b))
            for x, y in cases:
                if is_operator and type(x) in (np.float64, np.ndarray):
                    continue                # NumPy's scalar operator: its own path
                # + - * / on floats are Python's: 1e308 + 1e308 is inf, unwarned (and
                # np.add(d, c) with a number c takes the operator: its cheapest path)
                python = name in _PYTHON_OPERATORS or rule.operator in _PYTHON_OPERATORS \
                    and not (isinstance(x, dg.Dual) and isinstance(y, dg.Dual))
                _check(lambda: spell(x, y), lambda: _ufuncs.call(rule, (x, y)),
                       (name, v, w, type(x).__name__, type(y).__name__), warns=not python,
                       scalar_words=(lambda: (np.float64(v) if isinstance(x, dg.Dual) else x)
                                     ** (np.float64(w) if isinstance(y, dg.Dual) else y))
                       if name == "pow" and type(x) in (float, int, np.float64, type(a)) and
                       type(y) in (float, int, np.float64, type(b)) else None)


def test_ties_and_nan_of_the_selections():
    """The table's conventions on the fast path: a tie splits evenly (half of each
    argument's partials; half of the dual's beside a number), a NaN argument of
    maximum/minimum wins, fmax/fmin ignore it (values from NumPy, partials from the
    table, not from the general path's code)."""
    a, b = dg.Dual(1.0, [1.0, 0.0]), dg.Dual(1.0, [0.0, 1.0])
    for f in (np.maximum, np.minimum, np.fmax, np.fmin):
        assert f(a, b)._plist() == [0.5, 0.5] and f(b, a)._plist() == [0.5, 0.5]
        assert f(a, 1.0)._plist() == [0.5, 0.0] and f(1.0, b)._plist() == [0.0, 0.5]
    n = dg.Dual(np.nan, [0.0, 1.0])
    for f in (np.maximum, np.minimum):
        r = f(a, n)
        assert np.isnan(r.value) and r._plist() == [0.0, 1.0]
    for f in (np.fmax, np.fmin):
        r = f(a, n)
        assert r.value == 1.0 and r._plist() == [1.0, 0.0]
        r = f(n, a)
        assert r.value == 1.0 and r._plist() == [1.0, 0.0]


def test_sign_twin_is_numpys():
    """np.sign(-0.0) is 0.0, NaN stays NaN: the fast path's zero partials and value."""
    for v in (-0.0, 0.0, np.nan, -3.0, 2.0, np.inf, -np.inf):
        r = np.sign(dg.Dual(v, [1.0]))
        assert _same(r.value, float(np.sign(v))) and r._plist() == [0.0]
    r = abs(dg.Dual(-0.0, [1.0, -1.0]))
    assert _same(r.value, 0.0) and r._plist() == [0.0, -0.0]   # np.sign(-0.0) * p


def test_complex_partials_take_the_tangent():
    """abs/conj/sign of a real value with complex partials: the table's tangent (the
    general path), not the real-line derivative of the fast path."""
    d = dg.Dual(2.0, [1j, 1.0])
    for f in (np.absolute, np.conjugate, np.sign, abs):
        want = _ufuncs.call(RULES[np.absolute if f is abs else f], (d,))
        got = f(d)
        assert got._plist() == want._plist()
    assert abs(d)._plist() == [0.0, 1.0]


def test_escaped_duals_raise_on_the_fast_paths():
    tag = new_tag()
    a, b = dg.Dual(1.5, [1.0, 0.0], tag=tag), dg.Dual(0.5, [0.0, 1.0], tag=tag)
    retire(tag)
    for call in (lambda: np.maximum(a, b), lambda: np.hypot(a, 2.0), lambda: np.sign(a),
                 lambda: abs(a), lambda: a ** b, lambda: np.add(a, b), lambda: 2.0 ** a):
        with pytest.raises(Exception, match="escaped"):
            call()


def test_seterr_raise_in_user_code_is_respected():
    """Under np.seterr(all="raise") the value's own floating-point errors raise as
    NumPy's do; the local derivatives' singular points do not (the general path
    hushes them), on the fast path either."""
    a = dg.Dual(0.0, [1.0, 0.0])
    b = dg.Dual(0.0, [0.0, 1.0])
    with np.errstate(all="raise"):
        r = np.hypot(a, b)                  # derivative 0/0 guarded by the table's where
        assert r.value == 0.0 and r._plist() == [0.0, 0.0]
        with pytest.raises(FloatingPointError):
            np.log(a)
        r = np.power(dg.Dual(2.0, [1.0, 0.0]), b)
        assert r.value == 1.0
        assert r._plist() == _ufuncs.call(RULES[np.power], (dg.Dual(2.0, [1.0, 0.0]), b))._plist()


@pytest.mark.engine_independent
def test_scipy_rules_on_the_fast_paths_are_the_general_path():
    """scipy.special's rules join the table when scipy is loaded; a class generated then
    inlines those whose derivatives have exact twins (erf: np.exp; xlogy: np.log)."""
    import scipy.special as sc
    from dualgrad.dual import _scalar
    from dualgrad.rules import _table
    _table._load_scipy()
    cls = _scalar._generate(5)[0]             # a fresh class: the table as it is now
    assert {sc.erf, sc.ndtr, sc.logit} <= set(cls._UNARY) and sc.xlogy in cls._BINARY
    rng = np.random.default_rng(5)
    values = SPECIAL + rng.uniform(-3, 3, 40).tolist() + rng.uniform(0.01, 5, 40).tolist()
    pa, pb = [1.0, -0.0, 0.0, -2.5, 3.0], [0.0, 1.0, -0.0, 0.5, 2.0]
    for u in [u for u in cls._UNARY if getattr(sc, u.__name__, None) is u]:
        for v in values:
            a = cls._from(v, pa, 0)
            _check(lambda: cls._UNARY[u](a), lambda: _ufuncs.call(RULES[u], (a,)),
                   (u.__name__, v))
    for u in (sc.xlogy, sc.xlog1py):
        for v in values[::3]:
            for w in values[::5]:
                a, b = cls._from(v, pa, 0), cls._from(w, pb, 0)
                for x, y in ((a, b), (a, w), (v, b)):
                    _check(lambda: cls._BINARY[u](x, y), lambda: _ufuncs.call(RULES[u], (x, y)),
                           (u.__name__, v, w))


def test_numpy_scalar_compared_with_a_dual_is_the_general_path():
    """``T[t] < d`` (a float64 element of the data first): NumPy hands the ufunc a 0-d
    array, which the scalar duals take as its number; the same bool, the comparison
    noted (ComparedOnlyWarning), NaN compared as NumPy does."""
    tag = new_tag()
    try:
        for v, w in [(1.0, 2.0), (2.0, 2.0), (np.nan, 1.0), (1.0, np.nan), (-0.0, 0.0),
                     (np.inf, 1e308)]:
            b = _dual(w, PB, tag)
            for spell in (operator.lt, operator.le, operator.gt, operator.ge,
                          operator.eq, operator.ne):
                got = spell(np.float64(v), b)
                assert type(got) is np.bool_ and got == spell(v, w), (spell, v, w)
            c = np.float64(v)
            assert min(b, c) is (c if v < w else b)
    finally:
        retire(tag)
    with pytest.warns(dg.ComparedOnlyWarning):
        assert dg.derivative(lambda p: float(np.float64(1.5) < p), 2.0) == 0.0


@pytest.mark.parametrize("c", [0.0, -0.0, 0, np.float64(0.0), 2.0, np.inf])
@pytest.mark.parametrize("x", [1.0, -2.0])
def test_a_nested_dual_over_a_plain_number_has_its_second_derivative(x, c):
    """attack57 09: a nested scalar dual divided by a plain 0.0 raised a raw
    ZeroDivisionError from the generated class (the local derivative 1.0 / y was
    outside the fast path's try: x / y with a dual x does not raise).  Oracle: the
    second derivative of x / c and of x * c is 0 (c / 0 is inf, a constant slope),
    of c / x it is 2 c / x**3 (NaN where that is 0 * inf)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for f, exact in ((lambda u: u / c, 0.0), (lambda u: np.divide(u, c), 0.0),
                         (lambda u: u * c, 0.0), (lambda u: c / u, 2.0 * c / x ** 3)):
            d2 = dg.derivative(lambda u: dg.derivative(f, u), x)
            assert d2 == exact or np.isnan(d2) and np.isnan(exact)
            h = dg.hessian(lambda v: f(v[0]) + v[1], np.array([x, 1.0]))
            assert h[0, 0] == exact or np.isnan(h[0, 0]) and np.isnan(exact)
            assert h[0, 1] == h[1, 0] == h[1, 1] == 0.0
