"""Local derivatives the fused kernels compute per element (``backend.Local``).

A rule whose local derivative is ``+ - * /`` on numbers and values (``2.0 * x``,
``1.0 / (1.0 + x)``, ``-out / y``) gets no NumPy pass for it under the fused
engine: the kernel evaluates the table's expression from the values, operation for
operation, so the partials are the eager engine's bits (IEEE ``+ - * /`` round
correctly).  Oracles: the eager engine (NumPy's passes) to the bit, the analytic
derivative, and the project's rule that a zero partial stays 0 beside an inf or
NaN local derivative.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused, _fusedgen
from dualgrad.rules._expr import parse, template_function
from dualgrad.rules._table import RULES, derivative_functions

N = 20_000


@pytest.fixture
def kernels(monkeypatch):
    """Defer at every size and compile each structure at its first meeting (the
    kernels, not the node-by-node interpretation, compute the partials)."""
    monkeypatch.setattr(_fused, "COMPILE_AFTER", 1)
    monkeypatch.setattr(_fused, "COMPILE_TIMES", 1)
    monkeypatch.setattr(_fused, "MIN_WORK", 0)
    seen = []
    real = _fusedgen.kernel

    def kernel(key):
        seen.append(key)
        return real(key)
    monkeypatch.setattr(_fusedgen, "kernel", kernel)
    monkeypatch.setattr(_fusedgen, "compiled_kernel", lambda key: None)
    return seen


def _locals_in(keys):
    """The templates of the local derivatives in the kernels' keys."""
    found = set()
    for key in keys:
        key = key[2] if key[0] == "columns" else key
        for kids in key[2]:
            found.update(coef[1] for coef, kid in kids if coef[0] == "e")
    return found


def _same_bits(got, expected):
    """Equal to the bit, NaN where NaN; a zero may differ in sign only (the fused
    kernels document -0.0 against 0.0 beside a finite factor)."""
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    nonzero = (expected != 0.0) & ~np.isnan(expected)
    np.testing.assert_array_equal(got[nonzero].view(np.int64),
                                  expected[nonzero].view(np.int64))
    np.testing.assert_array_equal(got[expected == 0.0], 0.0)


def test_templates_from_the_table():
    """The parser writes ``+ - * /`` expressions as per-element templates, and
    refuses calls, comparisons, powers, bare arguments and constants."""
    assert parse("1.0 / (1.0 + x)", ("x", "out")).element_template() == "1.0 / (1.0 + {0})"
    assert parse("-out / y", ("x", "y", "out")).element_template() == "-{2} / {1}"
    assert parse("-(out * out)", ("x", "out")).element_template() == "-({1} * {1})"
    for text in ("np.cos(x)", "where(x == 0.0, 0.0, x)", "x ** 2.0", "y", "1.0",
                 "np.sqrt(x) * 2.0"):
        assert parse(text, ("x", "y", "out")).element_template() is None
    assert RULES[np.square].exprs[0].element_template() == "2.0 * {0}"
    assert RULES[np.sin].exprs[0].element_template() is None
    with pytest.raises(ValueError, match="template_function"):
        template_function("np.cos({0})")


def test_a_template_read_back_is_the_tables_numpy_derivative():
    """``template_function`` of every template of the table gives, with NumPy, the
    bits of the table's own derivative function (the node-by-node evaluation and
    the kernels' checks use it)."""
    rng = np.random.default_rng(4)
    count = 0
    for rule in RULES.values():
        if rule.kind != "smooth":
            continue
        for k, expr in enumerate(rule.exprs):
            template = None if expr is None else expr.element_template()
            if template is None:
                continue
            args = [rng.uniform(-3.0, 3.0, 64) for _ in expr.params]
            with np.errstate(all="ignore"):
                expected = derivative_functions(rule)[k](*args)
                got = template_function(template)(*args, *(None,) * (4 - len(args)))
            np.testing.assert_array_equal(got, expected)
            count += 1
    # the loop reached the templates of NumPy's own rules (13 alone; scipy.special's rows
    # join RULES, with more, only once some earlier test has imported scipy.special)
    assert count >= 13


def _specials(rng):
    """Values with 0, -0.0, +-inf, NaN, and the points where a local derivative of
    the table is inf (log, sqrt at 0; log1p at -1; arctanh at +-1)."""
    x = rng.uniform(-3.0, 3.0, N)
    x[::11] = 0.0
    x[1::11] = -0.0
    x[2::13] = np.inf
    x[3::13] = -np.inf
    x[4::17] = np.nan
    x[5::19] = -1.0
    x[6::19] = 1.0
    return x


def _with_templates(nin):
    """NumPy's ufuncs of ``nin`` arguments whose every local derivative in the table
    is a template (square, log1p, divide, ...)."""
    return [r.ufunc for r in RULES.values()
            if r.kind == "smooth" and r.ufunc.nin == nin and getattr(np, r.name, None) is r.ufunc
            and all(e is not None and e.element_template() for e in r.exprs)]


UNARY = _with_templates(1)
BINARY = _with_templates(2)


def test_the_table_has_templates():
    assert {np.square, np.log1p, np.sqrt, np.reciprocal} <= set(UNARY) and len(UNARY) >= 10
    assert {np.divide} <= set(BINARY)     # arctan2 left: its overflow guard is a where


@pytest.mark.parametrize("ufunc", UNARY, ids=lambda u: u.__name__)
@pytest.mark.engine_independent
def test_unary_rules_give_the_eager_engines_bits(ufunc, kernels):
    """``ufunc`` of a dual with special values and tangents that are 0 beside them:
    the fused kernel (which computes the local derivative itself) gives the eager
    engine's partials, a zero tangent stays 0 where the local derivative is inf or
    NaN, and the kernel did take the derivative from the table's template."""
    rng = np.random.default_rng(1)
    x = _specials(rng)
    v = rng.standard_normal(N)
    v[::3] = 0.0

    def f(x):
        return ufunc(x) * 1.5        # a second node: the kernel, not a lone seed
    with _fused.engine("eager"), np.errstate(all="ignore"):
        value, eager = dg.jvp(f, x, v)
    with _fused.engine("fused"), np.errstate(all="ignore"):
        value_f, fused = dg.jvp(f, x, v)
    _same_bits(fused, eager)
    np.testing.assert_array_equal(value_f, value)
    assert np.all(fused[(v == 0.0) & ~np.isnan(value)] == 0.0)
    template = RULES[ufunc].exprs[0].element_template()
    assert template is not None and template in _locals_in(kernels)


@pytest.mark.parametrize("ufunc", BINARY, ids=lambda u: u.__name__)
@pytest.mark.engine_independent
def test_binary_rules_give_the_eager_engines_bits(ufunc, kernels):
    """Both arguments dual (two directions), then one a dual and one a number: the
    eager engine's bits, zero partials kept 0, the table's templates in the kernel."""
    rng = np.random.default_rng(2)
    a, b = _specials(rng), _specials(rng)[::-1].copy()

    def f(p):
        return ufunc(p[0] * a, p[1] * b) + p[0]

    def g(p):
        return ufunc(p[0] * a, 0.75) - ufunc(2.5, p[1] * b)
    for fn in (f, g):
        with _fused.engine("eager"), np.errstate(all="ignore"):
            eager = dg.jacobian(fn, np.array([1.0, 1.0]))
        with _fused.engine("fused"), np.errstate(all="ignore"):
            fused = dg.jacobian(fn, np.array([1.0, 1.0]))
        _same_bits(fused, eager)
    templates = {e.element_template() for e in RULES[ufunc].exprs}
    assert templates <= _locals_in(kernels)


@pytest.mark.engine_independent
def test_elementwise_grad_takes_the_derivatives_in_the_kernel(kernels):
    """The problem of bench/ (``sin(x) exp(-x^2) + log1p(x^2)``): against the
    analytic derivative and the eager engine to the bit; ``2 x`` and ``1 / (1 + t)``
    come from the kernel."""
    def wave(x):
        return np.sin(x) * np.exp(-x ** 2) + np.log1p(x ** 2)
    x = np.linspace(-3, 3, N)
    x[::7] = -0.0
    with _fused.engine("eager"):
        eager = dg.elementwise_grad(wave)(x)
    with _fused.engine("fused"):
        fused = dg.elementwise_grad(wave)(x)
    e = np.exp(-x ** 2)
    exact = np.cos(x) * e - 2 * x * np.sin(x) * e + 2 * x / (1 + x ** 2)
    np.testing.assert_allclose(fused, exact, rtol=1e-13, atol=1e-15)
    _same_bits(fused, eager)
    assert {"2.0 * {0}", "1.0 / (1.0 + {0})"} <= _locals_in(kernels)


def test_grid_field_by_the_kernel(kernels):
    """``2 x^2 + 3 y^2 - 4 z``: exactly ``4 x``, ``6 y``, ``-4``."""
    x, y, z = np.mgrid[-20:21:2., -20:21:2., -20:21:2.]
    with _fused.engine("fused"):      # (DUALGRAD_ENGINE=eager defers nothing)
        got = dg.elementwise_grad(lambda x, y, z: 2 * x**2 + 3 * y**2 - 4 * z,
                                  argnums=(0, 1, 2))(x, y, z)
    np.testing.assert_array_equal(got[0], 4 * x)
    np.testing.assert_array_equal(got[1], 6 * y)
    np.testing.assert_array_equal(got[2], np.full(x.shape, -4.0))
    assert "2.0 * {0}" in _locals_in(kernels)


def _write_value(x):
    x[...] = 5.0


def _write_some(x):
    x[::2] = -2.0


def _iadd(x):
    x += 1.0


def _out(x):
    np.multiply(x, 3.0, out=x)


@pytest.mark.parametrize("write", [_write_value, _write_some, _iadd, _out])
@pytest.mark.engine_independent
def test_a_write_into_a_value_the_kernel_reads(write, kernels):
    """``y = log1p(x)`` is pending with ``1 / (1 + x)`` to be computed from x's value;
    writing into x first materializes y (the module's invariant, point 2; x's
    partials, a leaf of y, call for it too): y's derivative is the one at x before
    the write."""
    B0, B1 = np.linspace(0.1, 1.0, N), np.linspace(1.0, -1.0, N)
    q = np.array([0.7, 0.2])

    def f(p):
        x = (p[0] * B0 + p[1] * B1).copy()
        y = np.log1p(x) * 2.0
        write(x)
        return y + 0.0 * x
    with _fused.engine("fused"):
        got = dg.jacobian(f, q)
    x = q[0] * B0 + q[1] * B1
    exact = (2.0 / (1.0 + x))[:, None] * np.stack([B0, B1], axis=1)
    np.testing.assert_allclose(got, exact, rtol=1e-14, atol=1e-15)


@pytest.mark.engine_independent
def test_a_callers_array_is_not_read_later(kernels):
    """``x / c`` with the caller's array ``c``: the local derivative in x, ``1 / c``,
    is computed at once (the caller may write ``c`` while the expression is
    pending), so writing ``c`` inside f changes nothing."""
    c = np.linspace(1.0, 2.0, N)
    c0 = c.copy()
    B0 = np.linspace(0.1, 1.0, N)

    def f(p):
        y = (p[0] * B0) / c
        c[...] = 100.0
        return y * 1.0
    with _fused.engine("fused"):
        got = dg.jacobian(f, np.array([1.0]))
    np.testing.assert_allclose(got[:, 0], B0 / c0, rtol=1e-15)
