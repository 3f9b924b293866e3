"""small54: the lean unary functions' checks read each shape attribute once.

A unary lean function with a compiled entry point (``np.sin(a)``, ``np.exp(a)``,
``np.square(a)``... on a small array dual) tested ``not x.ndim`` and ``_p.size`` in its
head and then ``_p.size``, ``x.ndim`` and ``_p.ndim`` again before the entry call; the
head now decides the entry's case first (``_w``).  The derivatives are checked here
against NumPy's own values and the analytic partials (``f'(x) * p``, one IEEE product
per element: the same bits), on every branch of the new test: 1-D values below the
small size, 2-D values, 0-d values, partials past the small size, a forced
propagation mode, numba not loaded, and non-finite values (NumPy's one warning).
"""

import dis
import sys
import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual._array import _LEAN
from dualgrad.dual._base import new_tag
from dualgrad.backend import _kernels

# ufunc -> its analytic derivative on floats (an independent oracle: NumPy's own
# function of x, not the rule table's expression)
_DERIVATIVES = {
    np.sin: np.cos,
    np.exp: np.exp,
    np.square: lambda x: 2.0 * x,
    np.cos: lambda x: -np.sin(x),
    np.sqrt: lambda x: 0.5 / np.sqrt(x),
    np.log: lambda x: 1.0 / x,
    np.arctan: lambda x: 1.0 / (1.0 + x * x),
    np.expm1: np.exp,
    np.log1p: lambda x: 1.0 / (1.0 + x),
    np.tanh: lambda x: 1.0 / np.cosh(x) ** 2,
    np.reciprocal: lambda x: -1.0 / (x * x),
    np.sinh: np.cosh,
    np.cosh: np.sinh,
}
# the factor a kernel multiplies by is NumPy's own function of x here: equal bits
_BITWISE = (np.sin, np.exp, np.square, np.sinh, np.cosh, np.expm1)


def _dual(rng, shape, n):
    tag = new_tag()
    x = rng.uniform(0.5, 2.0, shape)
    p = rng.standard_normal(np.shape(x) + (n,))
    return dg.Dual(x, p, tag=tag), x, p


def _check(ufunc, d, x, p):
    out = ufunc(d)
    assert type(out) is type(d)
    np.testing.assert_array_equal(out.value, ufunc(x))
    assert out.value.tobytes() == ufunc(x).tobytes()
    expected = _DERIVATIVES[ufunc](x)[..., None] * p
    if ufunc in _BITWISE:
        assert out.partials.tobytes() == expected.tobytes()
    else:
        np.testing.assert_allclose(out.partials, expected, rtol=4e-15, atol=0)


@pytest.fixture(params=["entry", "no entry"])
def entry_state(request):
    """numba loaded, and each entry's cell either as it is or emptied for the test (the
    lean function's other branch: the backend's kernel or NumPy)."""
    pytest.importorskip("numba")
    from dualgrad import backend
    from dualgrad.backend import _loader
    from dualgrad.rules._table import RULES
    _loader.load()
    cells = [backend.entry_cell(u if backend.fusable(RULES[u]) else None)
             for u in _DERIVATIVES]
    saved = [list(c) for c in cells]
    if request.param == "no entry":
        for c in cells:
            c[0] = None
    try:
        yield request.param
    finally:
        for c, old in zip(cells, saved):
            c[:] = old


@pytest.mark.parametrize("ufunc", list(_DERIVATIVES), ids=lambda u: u.__name__)
@pytest.mark.parametrize("N, n", [(1, 1), (3, 4), (10, 10), (37, 17), (10, 99)])
def test_one_axis_below_the_small_size(ufunc, N, n, entry_state):
    rng = np.random.default_rng(N * 100 + n)
    d, x, p = _dual(rng, N, n)
    assert p.size < _kernels.SMALL_BELOW[0]
    _check(ufunc, d, x, p)


@pytest.mark.parametrize("ufunc", list(_DERIVATIVES), ids=lambda u: u.__name__)
@pytest.mark.parametrize("shape, n", [((3, 4), 2), ((2, 5), 10), ((1, 1, 3), 3)])
def test_values_of_more_axes(ufunc, shape, n, entry_state):
    rng = np.random.default_rng(len(shape) * 10 + n)
    d, x, p = _dual(rng, shape, n)
    _check(ufunc, d, x, p)


@pytest.mark.parametrize("ufunc", list(_DERIVATIVES), ids=lambda u: u.__name__)
@pytest.mark.parametrize("N, n", [(100, 10), (2000, 1), (300, 8), (50, 40)])
def test_partials_past_the_small_size(ufunc, N, n):
    rng = np.random.default_rng(N + n)
    d, x, p = _dual(rng, N, n)
    assert p.size >= _kernels.SMALL_BELOW[0]
    _check(ufunc, d, x, p)


@pytest.mark.parametrize("ufunc", list(_DERIVATIVES), ids=lambda u: u.__name__)
def test_zero_dimensional_values(ufunc):
    tag = new_tag()
    d = dg.Dual(np.array(1.3), np.array([0.5, -2.0]), tag=tag)
    assert _LEAN[ufunc](d) is None          # the general path's, as before
    out = ufunc(d)
    np.testing.assert_allclose(np.asarray(out.partials, dtype=float),
                               _DERIVATIVES[ufunc](1.3) * np.array([0.5, -2.0]), rtol=4e-15)


@pytest.mark.parametrize("mode", ["numpy", "numba"])
@pytest.mark.parametrize("ufunc", [np.sin, np.exp, np.square], ids=lambda u: u.__name__)
def test_a_forced_mode_takes_the_general_path(ufunc, mode):
    if mode == "numba":
        pytest.importorskip("numba")
    rng = np.random.default_rng(7)
    d, x, p = _dual(rng, 10, 4)
    with _kernels.use(mode):
        assert _LEAN[ufunc](d) is None
        _check(ufunc, d, x, p)


@pytest.mark.parametrize("ufunc", [np.sin, np.exp, np.sqrt, np.log], ids=lambda u: u.__name__)
def test_non_finite_values_warn_once_and_keep_zero_partials(ufunc):
    x = np.array([1.0, np.inf, 0.5, -np.inf, np.nan, 2.0])
    p = np.zeros((6, 3))
    p[0] = [1.0, 2.0, 3.0]
    d = dg.Dual(x, p, tag=new_tag())
    with np.errstate(all="warn"), warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        out = ufunc(d)
    with np.errstate(all="warn"), warnings.catch_warnings(record=True) as floats:
        warnings.simplefilter("always")
        expected = ufunc(x)
    assert [str(w.message) for w in got] == [str(w.message) for w in floats]
    assert out.value.tobytes() == expected.tobytes()
    with np.errstate(all="ignore"):
        factor = _DERIVATIVES[ufunc](x[0])
    np.testing.assert_allclose(out.partials[0], factor * p[0], rtol=4e-15)
    assert (out.partials[1:] == 0.0).all()        # zero partials stay 0 beside inf / NaN


def _attribute_reads(ufunc, d):
    """The attribute names the lean function of ``ufunc`` reads calling it on ``d``
    (opcode tracing of its generated code), with their counts."""
    fn = _LEAN[ufunc]
    code = fn.__code__
    names = {ins.offset: ins.argval for ins in dis.get_instructions(code)
             if ins.opname == "LOAD_ATTR"}
    reads = []

    def tracer(frame, event, arg):
        if frame.f_code is not code:
            return None
        frame.f_trace_opcodes = True
        if event == "opcode" and frame.f_lasti in names:
            reads.append(names[frame.f_lasti])
        return tracer

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn(d)
    finally:
        sys.settrace(old)
    return reads


@pytest.mark.parametrize("ufunc", [np.sin, np.exp, np.square, np.sqrt, np.cos, np.cosh],
                         ids=lambda u: u.__name__)
def test_the_common_call_reads_the_sizes_once(ufunc):
    pytest.importorskip("numba")
    from dualgrad.backend import _loader
    _loader.load()
    rng = np.random.default_rng(3)
    d, x, p = _dual(rng, 10, 10)
    ufunc(d)                                  # (the entry's cell filled)
    reads = _attribute_reads(ufunc, d)
    assert reads, "no attribute read traced"
    # x.ndim, _p.ndim once each, _p.size once; np.sin's factor np.cos(x) (a float64
    # ufunc of 1-D float64 values) is not tested again
    assert reads.count("size") == 1, reads
    assert reads.count("ndim") == 2, reads
    # x's and _p's: the value of float64 values by a float64 loop is not tested
    assert reads.count("dtype") == 2, reads


def test_the_value_test_goes_only_where_numpy_makes_float64():
    """Every one-argument ufunc of the table: ``_float64_loop`` says float64 exactly
    where NumPy's value of float64 arrays (1-D, 2-D) is a float64 ndarray, and the
    lean function tests its value exactly where it does not say so."""
    from dualgrad.dispatch._ufuncs import _float64_loop, _lean_source
    from dualgrad.rules._table import RULES
    checked = 0
    for ufunc, rule in list(RULES.items()):
        if ufunc.nin != 1:
            continue
        typed = _float64_loop(ufunc)
        for x in (np.array([0.5, 1.5, -2.0]), np.full((2, 3), 0.25)):
            with np.errstate(all="ignore"):
                try:
                    out = ufunc(x)
                except TypeError:
                    out = None
            made = type(out) is np.ndarray and out.dtype is np.dtype(np.float64)
            assert made is typed, ufunc
        if rule.kind == "smooth" and len(rule.derivs) == 1 and \
                not any(e is None for e in rule.exprs):
            source = _lean_source(rule, "op")
            assert ("if type(out) is not _nd or out.dtype is not _F64:" in source) is \
                (not typed), ufunc
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("source, plain", [
    ("np.cos(x)", True), ("-np.sin(x)", True), ("np.exp(x)", True), ("np.cosh(x)", True),
    ("x", False), ("out", False), ("1.0 / x", False), ("np.cos(x) * 2.0", False),
    ("np.cos(np.sin(x))", False), ("np.add(x)", False), ("np.isnan(x)", False),
    ("np.real(x)", False), ("np.cos(y)", False), ("np.no_such(x)", False),
    ("np.frexp(x)", False), ("np.modf(x)", False)])
def test_which_factors_need_no_guard(source, plain):
    """Read from the parsed expression, as the table holds it; a factor the table's one
    reader refuses (np.add of one argument, np.isnan, np.frexp, ...) cannot reach it."""
    from dualgrad.dispatch._ufuncs import _float_ufunc_of_x
    from dualgrad.errors import DualValueError
    from dualgrad.rules._expr import parse
    try:
        expr = parse(source, ("x", "y", "out"))
    except DualValueError:
        assert not plain
        return
    assert _float_ufunc_of_x(expr) is plain


def _reads_of(fn, *args):
    """The attribute names ``fn`` (a plain function) reads when called on ``args``."""
    code = fn.__code__
    names = {ins.offset: ins.argval for ins in dis.get_instructions(code)
             if ins.opname == "LOAD_ATTR"}
    reads = []

    def tracer(frame, event, arg):
        if frame.f_code is not code:
            return None
        frame.f_trace_opcodes = True
        if event == "opcode" and frame.f_lasti in names:
            reads.append(names[frame.f_lasti])
        return tracer

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        result = fn(*args)
    finally:
        sys.settrace(old)
    return reads, result


def test_the_cube_does_not_test_its_factor_again():
    pytest.importorskip("numba")
    from dualgrad.backend import _loader
    from dualgrad.dispatch import _lean_small
    _loader.load()
    if not _lean_small._SQUARE_IS_MUL:
        pytest.skip("NumPy < 2.1: the table's branch")
    rng = np.random.default_rng(5)
    d, x, p = _dual(rng, 10, 10)
    d ** 3                                     # (the entry's cell filled)
    reads, out = _reads_of(_lean_small.lean_power, d, 3)
    assert reads.count("shape") == 3, reads    # out's and x's (the value's test), p's
    assert reads.count("dtype") == 3, reads    # x's, p's, out's: not the factor's


@pytest.mark.parametrize("exponent", [3, 3.0, np.float64(3.0)], ids=repr)
@pytest.mark.parametrize("shape, n", [(1, 1), (10, 10), (37, 17), ((3, 4), 2), (200, 10)])
def test_the_cube_against_its_closed_form(exponent, shape, n):
    rng = np.random.default_rng(11)
    d, x, p = _dual(rng, shape, n)
    x = d.value = rng.uniform(-3.0, 3.0, np.shape(x))
    x.flat[0] = 0.0
    out = d ** exponent
    assert out.value.tobytes() == (x ** 3.0).tobytes()
    expected = (3.0 * (x * x))[..., None] * p         # 3 x^2 p: x * x is NumPy's x ** 2.0
    assert out.partials.tobytes() == expected.tobytes()
