"""The one reader of the rule table's expressions (dualgrad/rules/_expr.py).

Oracles: Python's own parser (an emitted source must parse to the same syntax
tree as the text it came from), Python's ``eval`` of the table's text (what
each emitted function must compute, bit for bit), the table's strings
themselves (the canonical source reproduces them), and NumPy's own functions on
float64 scalars for the source on Python floats (bit for bit).
"""

import ast
import math
import zlib

import numpy as np
import pytest
import scipy.special

from dualgrad.rules import _table
from dualgrad.rules._expr import FUNCTIONS, parse

_table._load_scipy()
RULES = list(_table.RULES.values())
# (and the parts of a complex value, np.real / np.imag: rows of a tangent alone)
WITH_EXPRS = [r for r in RULES + list(_table.PARTS.values())
              if any(e not in (None, "0") for e in r.derivs) or r.tangent]
PACKAGE = __import__("pathlib").Path(_table.__file__).parents[1]


def _ids(rules):
    return [r.name for r in rules]


def _sample(rng, domain, shape):
    if domain[-1] == "int":
        return rng.integers(domain[0], domain[1], size=shape)
    return rng.uniform(domain[0], domain[1], size=shape)


def _same(a, b):
    """Equal bit for bit where finite, the same non-finite class elsewhere."""
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    assert a.dtype == b.dtype
    np.testing.assert_array_equal(a, b, strict=True)


# ---- every expression of the table ------------------------------------------------------

@pytest.mark.parametrize("rule", WITH_EXPRS, ids=_ids(WITH_EXPRS))
@pytest.mark.engine_independent
def test_every_expression_parses_and_its_source_is_the_tables_text(rule):
    for text, expr in zip(rule.derivs, rule.exprs):
        assert (expr is None) == (text in (None, "0"))
        if expr is not None:
            assert expr.source() == text
            assert ast.dump(ast.parse(expr.source(), mode="eval")) == \
                ast.dump(ast.parse(text, mode="eval"))
    if rule.tangent:
        assert rule.tangent_expr.source() == rule.tangent


@pytest.mark.parametrize("rule", WITH_EXPRS, ids=_ids(WITH_EXPRS))
@pytest.mark.engine_independent
def test_every_emitted_function_computes_what_the_tables_text_computes(rule):
    """``derivative_functions`` (compiled from the parsed tree) against a plain
    ``eval`` of the table's string, on arrays and on scalars, bit for bit."""
    rng = np.random.default_rng(zlib.crc32(rule.name.encode()))
    # value(x) of a plain array or NumPy float is the thing itself
    namespace = {"np": np, "where": _table.where, "sc": scipy.special, "value": lambda v: v,
                 "trigamma": _table.trigamma, "wofz_slope": _table.wofz_slope,
                 "wofz_moment_slope": _table.wofz_moment_slope,
                 "psi_difference": _table.psi_difference, "gammainc_da": _table.gammainc_da,
                 "carlson_rd": scipy.special.elliprd,    # (the table's, on numbers)
                 "log1pmx": scipy.special._ufuncs._log1pmx,
                 "t_cdf_df_tail": _table.t_cdf_df_tail, "t_score_constant": _table.t_score_constant,
                 **{f"betainc_d{w}": getattr(_table, f"betainc_d{w}") for w in ("a", "b")}}
    for shape in ((7,), ()) if rule.derivs else ():
        args = [_sample(rng, dom, shape) for dom in rule.domain]
        if shape == ():       # as dispatch hands them over: NumPy floats (inf, not
            args = [np.float64(v) if type(v) is float else v    # ZeroDivisionError)
                    for v in (a.item() for a in args)]
        with np.errstate(all="ignore"):
            out = rule.ufunc(*args)
            params = dict(zip("xyzw", args), out=out)
            for text, fn in zip(rule.derivs, _table.derivative_functions(rule)):
                if text in (None, "0"):
                    assert fn == text
                    continue
                expected = eval(text, namespace, params)   # noqa: S307 - the oracle
                _same(fn(*args, out), expected)
    if rule.tangent:
        x = rng.uniform(-2, 2, 6) + 1j * rng.uniform(-2, 2, 6)
        x[0] = 0.0
        dx = rng.uniform(-1, 1, 6) + 1j * rng.uniform(-1, 1, 6)
        with np.errstate(all="ignore"):
            out = rule.ufunc(x)
            expected = eval(rule.tangent, namespace, {"x": x, "out": out, "dx": dx})  # noqa: S307
            _same(_table.tangent_function(rule)(x, out, dx), expected)


SCALAR_RULES = [r for r in RULES if r.kind == "smooth" and
                any(e is not None and e.scalar_source() is not None for e in r.exprs)]


def test_scalar_twins_exist_for_the_scalar_fast_path():
    names = {r.name for r in SCALAR_RULES}
    assert {"sin", "cos", "exp", "log", "sqrt", "tanh", "log1p", "arcsin", "erf", "absolute",
            "sinh", "maximum", "fmin", "arctan2", "hypot", "copysign", "power",
            "logaddexp", "logaddexp2", "fmod", "remainder", "ldexp"} <= names
    assert "i0e" not in names                       # scipy's functions have no twin
    assert parse("np.sign(x)", ("x",)).scalar_source() == "_sign(x)"
    assert parse("where(x > 0.0, 1.0 / x, 0.0)", ("x",)).scalar_source() == \
        "(1.0 / x if x > 0.0 else 0.0)"           # only the branch taken is evaluated
    assert parse("sc.j1(x)", ("x",)).scalar_source() is None


# arguments where NumPy's own functions differ from libm's on an AVX-512 build (the
# reason the twins call NumPy), and special values: zeros, infinities, NaN, huge, tiny
_SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e308, -1e308, 5e-324, -5e-324, 1e-300,
            np.inf, -np.inf, np.nan, 709.5, -709.5, 1023.5, 700.0]


def _same_bits(got, want):
    return got != got and want != want or \
        np.float64(got).tobytes() == np.float64(want).tobytes()


@pytest.mark.parametrize("rule", SCALAR_RULES, ids=_ids(SCALAR_RULES))
@pytest.mark.engine_independent
def test_scalar_source_gives_numpys_bits_on_floats(rule):
    """The source on Python floats gives, bit for bit, what the NumPy source gives on
    float64 scalars, or raises where NumPy would warn (ValueError, ArithmeticError) or
    gives a complex number (Python's ``**`` of a negative base): the callers then take
    the general path.  Fails with the former ``math`` twins (np.sinh's derivative
    math.cosh differs from np.cosh in the last bit on AVX-512 NumPy)."""
    from dualgrad.rules._expr import SCALAR_NAMESPACE
    rng = np.random.default_rng(zlib.crc32(rule.name.encode()))
    nin = rule.ufunc.nin
    names = ("x", "y", "z")[:nin]
    integer = [rule.domain[k][-1] == "int" for k in range(nin)]
    special = [[int(v) for v in (-3, 0, 2, 1100, -1100)] if integer[k] else _SPECIAL
               for k in range(nin)]          # ldexp's exponent: Python ints
    points = [tuple(int(v) if integer[k] else float(v) for k, v in enumerate(p))
              for p in zip(*[np.concatenate([_sample(rng, rule.domain[k], (200,)),
                                             rng.integers(-30, 30, 50) if integer[k] else
                                             rng.uniform(-30, 30, 50)]) for k in range(nin)])]
    points += [tuple(special[k][i % len(special[k])] for k in range(nin))
               for i in range(len(_SPECIAL))]
    if nin == 2:
        points += [(v, w) for v in special[0] for w in special[1]]
    for k, expr in enumerate(rule.exprs):
        if expr is None or expr.scalar_source() is None:
            continue
        fast = eval(f"lambda {', '.join(names)}, out: {expr.scalar_source()}",  # noqa: S307
                    dict(SCALAR_NAMESPACE))
        numpy_fn = _table.derivative_functions(rule)[k]
        for p in points:
            with np.errstate(all="ignore"):
                try:
                    out = rule.ufunc(*p)
                except OverflowError:       # Boost's cauchy quantile at p = 0, 1 (SciPy's
                    continue                # error, on floats too: no derivative to give)
                want = numpy_fn(*(v if type(v) is int else np.float64(v) for v in p), out)
            try:
                with np.errstate(all="raise"):
                    got = fast(*p, float(out))
            except (ArithmeticError, ValueError):
                continue
            if type(got) is complex:
                continue
            assert type(got) is float, (rule.name, k, p, got)
            assert _same_bits(got, want), (rule.name, k, p, got, want)


def test_kernel_source_is_arithmetic_only():
    assert parse("1.0 / (1.0 + x)", ("x", "out")).kernel_source() == "1.0 / (1.0 + x)"
    assert parse("where(x >= y, 1.0, 0.0)", ("x", "y", "out")).kernel_source() is not None
    assert parse("0.5 / np.sqrt(x)", ("x", "out")).kernel_source() is not None
    assert parse("np.cos(x)", ("x", "out")).kernel_source() is None
    assert parse("x ** 2.0", ("x", "out")).kernel_source() is None
    assert parse("sc.digamma(x)", ("x", "out")).kernel_source() is None


def test_kernel_split_leaves_numpy_the_parts_a_kernel_would_round_otherwise():
    """:meth:`Expr.kernel_split` (the power rows' compiled entries, power65): the
    largest pieces without kernel source become names ``a0``, ``a1``, ...; the kernel
    arithmetic on NumPy's values of those pieces is the whole expression's NumPy value
    to the bit (the same operations in the same order)."""
    params = ("x", "y", "out")
    whole = parse("-(y * x ** (y - 1.0)) / np.sqrt(x) + out * np.log(x)", params)
    kernel, parts = whole.kernel_split()
    assert kernel.kernel_source() == "-(y * a0) / np.sqrt(x) + out * a1"
    assert [p.source() for p in parts] == ["x ** (y - 1.0)", "np.log(x)"]
    assert kernel.params == params + ("a0", "a1")
    rng = np.random.default_rng(65)
    x, y = np.exp(rng.uniform(-300.0, 300.0, 200)), rng.uniform(-3.0, 3.0, 200)
    with np.errstate(all="ignore"):
        out = x ** y
        want = whole.function(_table._NAMESPACE)(x, y, out)
        got = kernel.function(_table._NAMESPACE)(
            x, y, out, *(p.function(_table._NAMESPACE)(x, y, out) for p in parts))
    assert np.array_equal(got.view(np.int64), want.view(np.int64))
    assert parse("x * y", params).kernel_split()[1] == ()


def test_the_unary_entries_forms_are_the_rows_own_arithmetic():
    """``rules._table.entry_form`` (small66): a row's factor as kernel arithmetic on NumPy
    parts, each ``where`` in a part written as its taken branch with its condition kept
    as a test; where no test holds, the kernel's arithmetic on NumPy's parts is the
    row's own NumPy value to the bit (``b ** 2.0`` as ``b * b``: NumPy's square); where
    one holds, the entry declines (tanh's other branch is for nested duals' sake)."""
    forms = {r.name: _table.entry_form(r) for r in _table._TABLE}
    assert sorted(name for name, form in forms.items() if form) == ["cos", "tanh"]
    tests, kernel, parts, reads = forms["tanh"]
    assert reads == ("x", "a0")
    assert [t.kernel_source() for t in tests] == ["np.absolute(x) > 374.0"]
    assert kernel.kernel_source() == "1.0 / a0 * (1.0 / a0)"
    assert [p.source() for p in parts] == ["np.cosh(x)"]
    rng = np.random.default_rng(66)
    x = np.concatenate([rng.uniform(-30.0, 30.0, 4000), np.exp(rng.uniform(-700, 5.9, 4000))])
    with np.errstate(all="ignore"):
        want = _table.derivative_functions(_table.RULES[np.tanh])[0](x, np.tanh(x))
        got = kernel.function(_table._NAMESPACE)(x, np.tanh(x), np.cosh(x))
    assert np.array_equal(got.view(np.int64), want.view(np.int64))
    assert forms["cos"][1].kernel_source() == "-a0" and forms["cos"][0] == ()
    assert forms["sin"] is None and forms["log"] is None    # (scale_entry; its own kernel)


# ---- conditions on values only ----------------------------------------------------------

def test_value_conditions_are_emitted_for_each_kind_of_operand():
    """``value()`` and ``np.real`` are the identity on floats: the scalar twins and the
    kernels read the argument itself; the NumPy/dual source keeps ``value()``."""
    e = parse("where(np.absolute(np.real(value(x))) > 707.0, 709.0, x * y)", ("x", "y", "out"))
    assert e.source() == "where(np.absolute(np.real(value(x))) > 707.0, 709.0, x * y)"
    assert e.scalar_source() == "(709.0 if abs(x) > 707.0 else x * y)"
    assert e.kernel_source() == "where(np.absolute(x) > 707.0, 709.0, x * y)"
    assert e.names == {"x", "y"} and e.calls == {"where", "np.absolute", "np.real", "value"}
    assert _table.value(3.5) == 3.5


def test_value_strips_every_dual_layer():
    """What a Hessian's rules see (nested duals, array and scalar, real and complex):
    value() gives the point itself."""
    import dualgrad as dg
    for point, holomorphic in ((np.array([0.25, -3.0]), False),
                               (np.array([0.25 + 1j, 2.0]), True)):
        seen = []
        dg.hessian(lambda v: seen.append(v) or np.sum(v * v), point, holomorphic=holomorphic)
        assert isinstance(seen[0], dg.Dual) and isinstance(seen[0].value, dg.Dual)
        got = _table.value(seen[0])
        assert type(got) is np.ndarray and np.array_equal(got, point)
    seen = []
    dg.derivative(lambda s: dg.derivative(lambda t: seen.append(t) or t * t, s), 0.75)
    assert isinstance(seen[0].value, dg.Dual)
    assert type(_table.value(seen[0])) is float and _table.value(seen[0]) == 0.75


VALUE_REJECTED = [
    ("value(x * 2.0) * 2.0", "pass value() an argument name"),
    ("where(x > 0.0, value(2.0), 1.0)", "pass value() an argument name"),
    ("where(np.absolute(value(x + y)) < 0.5, x, y)", "pass value() an argument name"),
    ("where(value(x) < 0.5, x, y)", "possibly complex"),
    ("where(value(x) * value(x) > 5e5, x, y)", "possibly complex"),
    ("where(np.absolute(value(x)) < y, x, y)", "the argument `y` outside value()"),
    ("where(np.sqrt(np.absolute(value(x))) < 0.5, x, y)", "possibly complex"),
    ("where(np.absolute(value(x)), x, y)", "write it as one comparison"),
]


@pytest.mark.parametrize("text, got", VALUE_REJECTED)
def test_value_conditions_that_could_compare_duals_or_complex_raise(text, got):
    """A condition with value() reads values only (every argument inside value()) and
    compares real operands only; value() of an argument name only."""
    with pytest.raises(ValueError, match=r"dualgrad rule table, np\.demo, d/dx: expected ") \
            as info:
        parse(text, ("x", "y", "out"), "np.demo, d/dx")
    assert got in str(info.value)
    assert "Fix: " in str(info.value)


def test_what_an_expression_uses():
    e = parse("where(y == 0.0, 0.0, y * x ** (y - 1.0))", ("x", "y", "out"))
    assert e.names == {"x", "y"}
    assert e.calls == {"where"}
    assert e.operators == {"==", "*", "**", "-"}
    assert e.constant is None and e.variable is None
    e = parse("-out / y", ("x", "y", "out"))
    assert e.names == {"out", "y"} and e.operators == {"u-", "/"}
    assert parse("-1.0", ("x", "out")).constant == -1.0
    assert parse("1.0", ("x", "out")).constant == 1.0
    assert parse("57.29577951308232", ("x", "out")).constant == 57.29577951308232
    assert parse("y", ("x", "y", "out")).variable == "y"
    assert parse("y", ("x", "y", "out")).constant is None
    assert parse("sc.expit(-x)", ("x", "out")).calls == {"sc.expit"}


# ---- the emitter keeps Python's grouping ------------------------------------------------

GROUPINGS = [
    "a - (b - c)", "a - b - c", "(a - b) - c", "a / (b / c)", "a * (b * c)", "(a * b) * c",
    "a + (b + c)", "-(a * b)", "(-a) * b", "-a * b", "-(a ** b)", "(-a) ** b", "-a ** b",
    "a ** -b", "a ** (b ** c)", "(a ** b) ** c", "a ** b ** c", "(a + b) * c",
    "a * (b + c)", "-(-a)", "+a - -b", "(a < b) == (b < c)", "where(a < b, a - c, -c) * 2.0",
    "a * 1e-300", "1.5 / (a * 3)", "-(a + b) / (c - a)",
]


@pytest.mark.parametrize("text", GROUPINGS)
def test_source_parses_back_to_the_same_tree(text):
    params = ("a", "b", "c")
    src = parse(text, params).source()
    assert ast.dump(ast.parse(src, mode="eval")) == ast.dump(ast.parse(text, mode="eval"))
    assert parse(src, params).source() == src


# ---- anything outside the vocabulary is refused -----------------------------------------

REJECTED = [
    ("x + foo", "the name `foo`"),
    ("np.pi * x", "`np.pi` outside a call"),
    ("np.fft.fft(x)", "a call of `np.fft.fft`"),
    ("math.sin(x)", "a call of `math.sin`"),
    ("__import__('os')", "a call of `__import__`"),
    ("x.__class__", "`x.__class__` outside a call"),
    ("np.sin(x, y)", "2 arguments to `np.sin`"),
    ("np.sin(x=x)", "keyword or starred arguments"),
    ("np.sin(*x)", "keyword or starred arguments"),
    ("x[0]", "Subscript"),
    ("x if x > 0 else -x", "IfExp"),
    ("x > 0 and y", "BoolOp"),
    ("0.0 < x < 1.0", "the comparison"),
    ("x is y", "the comparison"),
    ("x // y", "the operator"),
    ("x @ y", "the operator"),
    ("~x", "the operator"),
    ("lambda: x", "Lambda"),
    ("(x, y)", "Tuple"),
    ("'x'", "the constant 'x'"),
    ("True", "the constant True"),
    ("x = 1", "a syntax error"),
    ("import os", "a syntax error"),
    ("x; y", "a syntax error"),
    ("x\ny", "a syntax error"),
    ("", "a syntax error"),
    ("1e999 * x", "the constant inf"),
]


@pytest.mark.parametrize("text, got", REJECTED)
def test_names_statements_and_constructs_outside_the_vocabulary_raise(text, got):
    with pytest.raises(ValueError, match=r"dualgrad rule table, np\.demo, d/dx: expected "
                       r"an expression of x, y, out .*, got ") as info:
        parse(text, ("x", "y", "out"), "np.demo, d/dx")
    assert got in str(info.value)
    assert "Fix: " in str(info.value)


def test_a_table_row_with_an_unknown_name_raises_when_read():
    rule = _table.Rule(np.sin, "smooth", ("np.cos(q)",), ((-1.0, 1.0),))
    with pytest.raises(ValueError, match=r"sin, d/dx: .* got the name `q` in 'np.cos\(q\)'"):
        rule.exprs
    rule = _table.Rule(np.absolute, "smooth", ("np.sign(x)",), tangent="np.real(y * dx)")
    with pytest.raises(ValueError, match=r"absolute, tangent: .*x, out, dx.* the name `y`"):
        rule.tangent_expr


def test_every_function_of_the_vocabulary_exists():
    for name, fn in FUNCTIONS.items():
        if name in ("where", "value", "trigamma", "tetragamma", "wofz_slope",
                    "wofz_moment_slope", "psi_difference",
                    "trigamma_difference", "gammainc_da",
                    "gammainc_daa", "betainc_da", "betainc_db", "betainc_daa",
                    "betainc_dab", "betainc_dbb", "carlson_rd", "log1pmx",
                    "t_cdf_df_tail", "t_score_constant"):     # the table's own
            assert callable(_table._NAMESPACE[name]), name
            if name.endswith("gamma"):                  # its twin: rules/_special.py's
                from dualgrad.rules._expr import SCALAR_NAMESPACE
                assert callable(SCALAR_NAMESPACE[fn.scalar]), name
            continue
        module, attr = name.split(".")
        assert callable(getattr({"np": np, "sc": scipy.special}[module], attr)), name
        from dualgrad.rules._expr import _BARE, SCALAR_NAMESPACE
        if fn.scalar == _BARE:                          # the identity on floats
            assert getattr(np, attr)(2.5) == 2.5, name
        elif fn.scalar.startswith("math."):
            assert callable(getattr(math, fn.scalar.split(".")[1])), name
        elif fn.scalar:
            assert callable(SCALAR_NAMESPACE[fn.scalar]), name


# ---- rules/ is the one reader of the strings --------------------------------------------

def _calls(tree, name):
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and
            isinstance(n.func, ast.Name) and n.func.id == name]


@pytest.mark.engine_independent
def test_no_module_outside_rules_evaluates_or_pattern_matches_source():
    """The table's strings are read in rules/ only: no ``eval`` outside it, no regular
    expressions but the error classifier's, and four ``exec``: the scalar classes
    and the lean functions on small array duals, real and complex
    (``dispatch._ufuncs.lean``, ``dispatch._lean_complex``), all written from parsed
    expressions (``Expr.source``), and the fused engine's
    kernels when no directory is writable (their text comes from a graph's
    structure, not from the table)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("rules/"):
            continue
        tree = ast.parse(path.read_text(), rel)
        imports_re = any(isinstance(n, ast.Import) and any(a.name == "re" for a in n.names)
                         for n in ast.walk(tree))
        hits = [f"eval:{ln}" for ln in _calls(tree, "eval")] + \
            [f"exec:{ln}" for ln in _calls(tree, "exec")
             if rel not in ("dual/_scalar.py", "dispatch/_ufuncs.py", "dispatch/_lean_complex.py",
                            "backend/_fusedgen.py")] + \
            (["import re"] if imports_re and rel != "errors.py" else [])
        if hits:
            found[rel] = hits
    assert not found, found


def test_lazy_where_calls_a_branch_only_where_an_element_takes_it():
    from dualgrad.rules._table import lazy_where

    def never():
        raise AssertionError("a branch no element takes was computed")
    cond = np.array([False, False, False])
    np.testing.assert_array_equal(lazy_where(cond, never, lambda: np.arange(3.0)),
                                  np.arange(3.0))
    got = lazy_where(~cond, lambda: 2.0, never)          # a scalar branch spreads
    np.testing.assert_array_equal(got, [2.0, 2.0, 2.0])
    mixed = np.array([True, False, True])
    np.testing.assert_array_equal(lazy_where(mixed, lambda: 1.0, lambda: np.arange(3.0)),
                                  np.where(mixed, 1.0, np.arange(3.0)))
    assert lazy_where(np.False_, never, lambda: 5.0) == 5.0


def test_value_conditioned_rows_give_np_where_bits():
    # the NumPy path evaluates value conditions lazily: the same bits as the eager
    # np.where of both branches, with the condition true nowhere, everywhere, or mixed
    from dualgrad.rules._table import RULES, _NAMESPACE, derivative_functions
    rng = np.random.default_rng(7)
    for ufunc in (np.power, np.float_power, np.arcsin, np.arctanh, np.hypot):
        rule = RULES[ufunc]
        for x in (rng.uniform(0.1, 0.9, 50), np.zeros(50),
                  np.where(rng.random(50) < 0.5, 0.0, rng.uniform(0.1, 0.9, 50))):
            args = [x, rng.uniform(-2.0, 2.0, 50)][:ufunc.nin]
            out = ufunc(*args)
            for k, expr in enumerate(rule.exprs):
                eager = expr.function(_NAMESPACE)
                with np.errstate(all="ignore"):
                    np.testing.assert_array_equal(derivative_functions(rule)[k](*args, out),
                                                  eager(*args, out))
