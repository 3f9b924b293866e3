"""Scalar duals: small classes generated from the rule table.

A scalar dual with ``n <= 16`` partials is an instance of a class with one slot
for the value, one per partial (``p0`` ... ``p{n-1}``) and one for the tag; with
more, one slot holds all partials as a small array (the "vector" kind, flat
cost in ``n``).  The classes are generated on first use from the rule table,
every derivative inlined from the table's expressions, so plain-Python simulation
loops never touch NumPy's array machinery or numba:

* the operators whose Python spelling on floats means the same as the ufunc
  (``+``, ``-``, ``*``, ``/``, and ``** 2``);
* every unary and binary ufunc of the table on floats (``_UNARY``, ``_BINARY``:
  smooth, locally constant and predicate rules, ``modf`` and ``divmod``), and the
  operators spelling them (``abs``, ``**``, ``%``, ``//``, ``divmod``): the value is
  NumPy's own ufunc on the floats, the local derivatives the table's expressions on
  Python floats with exact twins of NumPy's functions
  (:meth:`dualgrad.rules._expr.Expr.scalar_source`), so the result is the general
  path's to the bit.

Everything else, and every unusual case on the fast path (a singular point, a
non-finite local derivative, mixed or dead tags, nested duals, complex partials where
the rule has a tangent), goes through the general dispatch
:func:`dualgrad.dispatch._ufuncs.call`, which gives NumPy's results.

This module imports nothing above the dual wing: the dispatch entry points the
classes call (``apply``, ``call_ufunc``, ``call_unary_with_out``, ``call_with_out``,
``dispatch``, ``hush``/``unhush``) and the array kind's ``stack_scalars`` are handed
to :func:`connect` by the layers that own them (:mod:`dualgrad.dispatch` and
:mod:`dualgrad.dual._array`) when they are imported, before any class is generated.

The classes have no ``__len__`` or ``__getitem__`` so that NumPy treats them as
opaque objects: ``np.array([d1, d2])`` gives an object array.
"""

import cmath
import math
import sys
import types

import numpy as np

from . import _base
from .. import backend, errors
from ._base import BRANCHES as _BRANCHES, WATCHING as _WATCHING, Dual, numeric
from ..rules._expr import SCALAR_NAMESPACE
from ..rules._table import PARTS, RULES, TINY, rule_for, underflowed

# The modules whose reductions of object arrays cast results by their dtype (NumPy 2, 1)
_NUMPY_METHODS = frozenset({"numpy._core._methods", "numpy.core._methods"})

# Entry points of higher layers, handed over by connect() (see the module docstring).
apply = call_ufunc = call_unary_with_out = call_with_out = dispatch = hush = small = \
    stack_lean = stack_scalars = unhush = lean_power_mixed = lean_constant = quiet = None
_POWER_UFUNC = np.power          # (a scalar's power with an array: lean_power_mixed first)
# NumPy function -> its lean form for scalar duals, filled by the wing's lean modules
# (dual/_joins.py: the joins; dual/_views.py: np.ravel, np.atleast_1d); None: the general path
LEAN = {}

__all__ = ["ScalarDual", "scalar_class", "make_scalar", "scalars_from_rows", "connect",
           "unread_twins", "unread_class", "unread_rows", "untouched", "watched_twins"]


# The ufuncs whose operators the generated classes inline (see _FAST), and the
# numbers those operators take on their inlined path.
_OPERATORS = {np.add: ("__add__", "__radd__"), np.subtract: ("__sub__", "__rsub__"),
              np.multiply: ("__mul__", "__rmul__"), np.true_divide: ("__truediv__",
                                                                  "__rtruediv__")}
_NUMBERS = frozenset({float, int, np.float64})
_NP64 = np.float64
_ND, _F64 = np.ndarray, np.dtype(np.float64)
_STACK = np.stack


class ScalarDual(Dual):
    """Behaviour shared by the generated scalar classes."""

    __slots__ = ()
    _UNARY = {}
    _BINARY = {}
    _OPS = {}
    _kind = "slots"
    complex_kind = False        # True for the classes of complex values (_COMPLEX)
    ndim = 0
    shape = ()
    size = 1

    @property
    def partials(self):
        """The partials as a new float (or object) ndarray of shape ``(n,)``."""
        if self.tag not in _base.LIVE:      # (operators skip this test: their speed)
            raise errors.escaped()
        ps = self._plist()
        if any(isinstance(p, Dual) for p in ps):
            arr = np.empty(len(ps), dtype=object)
            noted = errors.objects_noted()  # (NumPy asks each inner dual while storing
            arr[:] = ps                     # it: this array is dualgrad's own answer, not
            errors.objects_restore(noted)   # an object array f made; usergeo48)
            return arr
        return numeric(ps)

    def __repr__(self):
        ps = ", ".join(repr(p) for p in self._plist())
        dead = "" if self.tag in _base.LIVE else ", escaped its call"
        return f"Dual({self.value!r}, [{ps}]{dead})"

    def __bool__(self):
        return bool(self.value)

    def __round__(self, ndigits=None):
        """``round(d, 1)``: Python's own rounding of the value (its correctly rounded
        decimal, not ``np.round``'s scaled one), locally constant, so zero partials;
        ``round(d)`` makes an integer and raises (its value: ``round(d.value)``)."""
        if ndigits is None:
            raise errors.dropped_derivatives("round(d)", integer=True)
        r = np.round(self, ndigits)        # zero partials of self's kind (nested too)
        v = self.value
        if type(v) is not float:           # nested (the inner dual's own round) or complex
            return make_scalar(round(v, ndigits) if isinstance(v, Dual) else r.value,
                               r._plist(), self.tag)
        return make_scalar(round(v, ndigits), r._plist(), self.tag)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # np.exp(d) outside dg.quad's watch: the class's fast function first (the tests
        # below in another order: ~0.04 us of np.sin(d)'s ~0.8; loops63)
        if len(inputs) == 1 and not kwargs and not _WATCHING[0]:
            fast = self._UNARY.get(ufunc)
            if fast is not None and method == "__call__":
                return fast(self)
        if _WATCHING[0] and _BRANCHES.record is not None:    # dg.quad's watch
            forced = _BRANCHES.record(ufunc, inputs)
            if forced is not None:      # (a branch the watch sets: Dual.__lt__)
                return forced
        if method == "__call__" and not kwargs:
            if len(inputs) == 1:                  # (the watch running: after its record)
                fast = self._UNARY.get(ufunc)
                if fast is not None:
                    return fast(self)
            elif len(inputs) == 2:
                a, b = inputs                     # T[t] < d, min(d, T[t]): NumPy's scalar
                if type(a) is _ND and a.dtype is _F64 and not a.shape:   # comparisons
                    inputs = a, b = a[()], b      # hand over a 0-d array (the general
                elif type(b) is _ND and b.dtype is _F64 and not b.shape:  # path: ~20x)
                    inputs = a, b = a, b[()]
                ops = self._OPS.get(ufunc)        # np.float64(2.0) * d, y[t] - d: NumPy's
                if ops is not None:               # scalar asks the ufunc; the operator's
                    if b is self and type(a) in _NUMBERS:    # own function (the cheapest:
                        # Bard's, Powell's residuals, a Kalman filter's y[t] - d; a Python
                        # number on the left is np.multiply(1e300, d), its ufunc's words)
                        return ops[1](self, a) if type(a) is _NP64 else ops[2](self, a)
                    if a is self and type(b) in _NUMBERS:
                        return ops[0](self, b)
                fast = self._BINARY.get(ufunc)    # generated: any other operands, the
                if fast is not None:              # general path by itself where unusual
                    if (type(a) is _ND and a.dtype is _F64 or type(b) is _ND and
                            b.dtype is _F64) and ufunc is not _POWER_UFUNC:
                        # t / k, t a plain float64 array: the first step of fast's way
                        # (-> call_ufunc -> lean_mixed's decline -> lean_constant) taken
                        # here, without the four Python calls before it (small70)
                        result = lean_constant(RULES[ufunc], a, b)
                        if result is not None:
                            return result
                    return fast(*inputs)
            rule = RULES.get(ufunc)               # an array operand: arr * d
            if rule is None:
                rule = rule_for(ufunc)            # scipy.special's rules load on first use
            if rule is not None:
                result = small(rule, inputs)
                if result is not None:
                    return result
        return apply(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        if func is _STACK and len(args) == 1 and not kwargs and self.tag in _base.LIVE:
            result = stack_lean(args[0])    # np.stack([r0, r1]) of a residual's scalars
            if result is not None:
                return result
        lean = LEAN.get(func)               # np.append(s, r), np.hstack([s, r]): the
        if lean is not None:                # lean joins, as an array dual's first part
            result = lean(*args, **kwargs)
            if result is not None:
                return result
        return dispatch(func, args, kwargs, like=self)


    def copy(self):
        return self + 0.0

    def compress(self, condition, axis=None):
        """``np.float64.compress``: the scalar as a 1-element array, its elements where
        ``condition`` holds (axis ``None``, ``0`` or ``-1``, as NumPy's)."""
        return np.ravel(self).compress(condition, axis)

    def item(self, *args):
        """The scalar dual itself (NumPy's ``item`` gives a Python number)."""
        if args not in ((), (0,), ((),), ((0,),), (-1,)):
            raise IndexError("index out of bounds for a scalar dual: item() takes no "
                             "index, 0 or -1")
        return self

    # ndarray methods an element cannot have: each raises naming the array spelling
    # (not a __getattr__ hook: that would turn off CPython's fast attribute access for
    # every .value and .p0 of the class, measured 2x slower on d * e)
    def sort(self, *args, **kwargs):
        raise errors.scalar_method("sort")

    def fill(self, *args, **kwargs):
        raise errors.scalar_method("fill")

    def diagonal(self, *args, **kwargs):
        raise errors.scalar_method("diagonal")

    @property
    def flat(self):
        raise errors.scalar_method("flat")

    def view(self, *args, **kwargs):
        """The scalar dual itself: it is immutable (a dtype would drop derivatives)."""
        if args or kwargs:
            raise errors.dropped_derivatives("d.view(dtype)")
        return self

    @property
    def real(self):
        if type(self.value) is complex:
            part = complex_tangent(_REAL_PART, self, _real_of)
            if part is not None:
                return part
        return np.real(self) if self._complex() else self

    @property
    def imag(self):
        """The imaginary part, as ``np.imag``."""
        if type(self.value) is complex:
            part = complex_tangent(_IMAG_PART, self, _imag_of)
            if part is not None:
                return part
        return np.imag(self)

    def _complex(self):
        v = self.value
        while isinstance(v, Dual):
            v = v.value
        return type(v) is complex or any(type(p) is complex or isinstance(p, Dual)
                                         and p._complex() for p in self._plist())

    @property
    def T(self):
        return self

    @property
    def dtype(self):
        """The dtype of the innermost value (float64, or complex128).

        Not for NumPy's reductions of object arrays (``np.mean``, ``np.var``,
        ``np.std`` of a list or tuple of scalar duals): they cast a result that has a
        dtype with ``result.dtype.type(result / count)``, which is ``float(d)``; told
        that a scalar dual has none, they divide as they do for Python numbers."""
        if sys._getframe(1).f_globals.get("__name__") in _NUMPY_METHODS:
            raise AttributeError("dtype")
        v = self.value
        while isinstance(v, Dual):
            v = v.value
        return np.asarray(v).dtype

    def reshape(self, *shape, order="C"):
        """``np.reshape(d, shape)``: a reduction's result reshaped, as ``np.float64``'s
        method does (``np.sum(r ** 2).reshape(1)``)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return np.reshape(self, shape, order=order)

    def flatten(self, order="C"):
        return np.ravel(self, order=order)

    def tolist(self):
        """The scalar dual itself (NumPy's ``tolist`` of a scalar gives a Python number)."""
        return self


def _as_function(func):
    def method(self, *args, **kwargs):
        return func(self, *args, **kwargs)
    method.__name__ = method.__qualname__ = func.__name__
    method.__doc__ = f"``np.{func.__name__}(d, ...)``, as ``np.float64.{func.__name__}``."
    return method


# ndarray methods that np.float64 (what a reduction of floats gives) has and users
# chain on a reduction's result (``loss.sum()``, ``np.max(x).clip(0, 1)``): NumPy's
# function of the scalar dual, through the dispatch
for _name in ("all", "any", "argmax", "argmin", "argsort", "clip", "cumprod", "cumsum", "max",
              "mean", "min", "nonzero", "prod", "ravel", "repeat", "round", "squeeze", "std",
              "sum", "swapaxes", "take", "transpose", "var"):
    setattr(ScalarDual, _name, _as_function(getattr(np, _name)))
del _name

_CLASSES = {}

# Operators whose Python spelling on two floats means the same as the ufunc.
_FAST = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**"}   # (** by 2 only)
_REFLECTED_FAST = {"add", "sub", "mul", "truediv"}
# Ufuncs whose Python operator on two floats gives NumPy's bits wherever NumPy neither
# warns nor divides by zero (finite y != 0, |x / y| < 1e300): CPython's float % and //
# are NumPy's npy_divmod algorithm (NumPy took it from CPython; checked on 800,000
# pairs of every magnitude, 0 differences).  Elsewhere NumPy's own ufunc gives the value.
_SAME_ON_FLOATS = {np.remainder: "%", np.floor_divide: "//"}
# NumPy's comparisons and tests of two / one float as Python's (IEEE's, the same truth
# for NaN, inf and signed zeros; NumPy sets no flag for them), made NumPy's bool: the
# ufunc on Python floats builds and unboxes 0-d arrays, ~1.9 us of a ~3 us compare
# (np.float64 < d: PythonRobotics' spline bisecting dual knots; bench/compare_floats.py)
_COMPARED_ON_FLOATS = {np.less: "_bool(x < y)", np.less_equal: "_bool(x <= y)",
                       np.greater: "_bool(x > y)", np.greater_equal: "_bool(x >= y)",
                       np.equal: "_bool(x == y)", np.not_equal: "_bool(x != y)",
                       np.isnan: "_bool(x != x)", np.isinf: "_bool(_isinf(x))",
                       np.isfinite: "_bool(x - x == 0.0)"}


def _unit(expr):
    """Is the local derivative ``expr`` (parsed) the number 1 or -1?"""
    return expr.constant == 1.0 or expr.constant == -1.0


def _term(expr, factor, p):
    """Source of one partial term: ``factor * p``, simplified for +-1."""
    if expr.constant == 1.0:
        return p
    if expr.constant == -1.0:
        return f"-{p}"
    return f"{factor} * {p}"


def _plus(t0, t1):
    """Source of ``t0 + t1``, a subtraction where ``t1`` is a negation."""
    return f"{t0} - {t1[1:]}" if t1.startswith("-") else f"{t0} + {t1}"


def _finite_check(exprs_factors):
    """Source of the test that every non-constant local derivative is finite.

    When the factors are the operands themselves (the product rule: ``y`` and
    ``x``), one test of the result covers both: ``x * y`` is finite only if
    ``x`` and ``y`` are.
    """
    if [e.variable for e, _ in exprs_factors] == ["y", "x"]:
        return "out - out == 0.0"
    tests = [f"{f} - {f} == 0.0" for e, f in exprs_factors if not _unit(e)]
    return " and ".join(tests)


def _underflow_tests(rule, refs):
    """``(floats, nested)``: sources of the tests that a local derivative the table
    writes as a quotient ``a / b`` (:attr:`Rule.quotient`) underflowed below the smallest
    normal number with ``a`` nonzero (``refs``: ``{argument: name bound}``), on floats
    (complex numbers by modulus: the complex class runs the same source) and through
    nested duals (``_uf``: values only, never compared as duals); the general path then
    takes it in two steps (``-out / y`` at y = 1e170 is 0.0, beside a partial ~y).
    Empty strings where the rule writes no quotient."""
    floats, nested = [], []
    for k, f in refs.items():
        pair = rule.quotient_exprs[k] if rule.quotient else None
        spread = rule.quotient and rule.spread and rule.spread_exprs[k] is not None
        if pair is None and not spread or f in ("x", "y"):
            continue
        src = pair[0].scalar_source().lstrip("-") \
            if pair is not None and pair[0].constant is None else None
        also = ""
        if spread:
            # power's y * out is 0 where out underflowed: _tiny's x; y == 0 makes the
            # factor an exact 0 (x ** 0's slope), not an underflow (the careful path
            # took s ** 0 from 1.4 to 61 us: bench/power_zero_ab.py, lead66); d/dy's
            # out log x likewise, an exact 0 at x = 1 (farpow67)
            src, also = "x", "y" if k == 0 else "x - 1.0"
        # (a complex modulus tested after its parts: Python's abs raised OverflowError
        # past the float range, x / y's -out / y of parts 1.3e308; complex68)
        # (d/dx's y lifts an x**(y - 1) that underflowed and lost its bits to a normal
        # y x**(y - 1): x = 1 - 7.3e-8, y = 1e10 was 1.06e-7 off, power74)
        lift = f" or type({f}) is float and abs({f}) < _T * abs(y)" \
            if spread and k == 0 else ""
        floats.append(f"((-_T < {f} < _T if type({f}) is float else type({f}) is complex "
                      f"and -_T < {f}.real < _T and -_T < {f}.imag < _T and abs({f}) < _T)"
                      f"{lift})" +
                      (f" and {src} != 0.0" if src else "") +
                      (f" and {also} != 0.0" if also else ""))
        nested.append(f"_uf({f}, {src or '1.0'}" + (f", {also})" if also else ")"))
    return " or ".join(f"({t})" for t in floats), " or ".join(nested)


def _factor(name, expr):
    """``(lines, ref)``: source binding a local derivative and the name to use.

    A constant (inlined by :func:`_term`) or an operand itself (``x``, ``y``,
    already bound) needs no line.
    """
    if _unit(expr) or expr.variable in ("x", "y"):
        return [], expr.variable
    return [f"        {name} = {expr.source()}"], name


def _p(var, k):
    """Source for partial ``k`` of ``var`` (all of them, as one array, for ``k=None``)."""
    return f"{var}.partials" if k is None else f"{var}.p{k}"


def _build(lines, n, value, terms_of_k, tag="a.tag", cls="C"):
    """Lines building the result ``r`` (of class ``cls``) with partial k from
    ``terms_of_k(k)``.

    ``n=None`` builds the vector kind: one array expression for all partials.
    """
    lines.append(f"        r = _new({cls})")
    lines.append(f"        r.value = {value}")
    if n is None:
        # NumPy arithmetic on the partials array: quiet, as the general path's on
        # floats is (1e308 * -2.5 is -inf there, inf + -inf NaN, with no warning)
        terms = terms_of_k(None)
        if any(f" {op} " in terms for op in "+-*/"):
            # hush() / unhush() written out (as dispatch's lean lines): two Python
            # calls fewer in each of HBV's ~20,000 vector operations a Jacobian
            lines += ["        e = _eget()", "        s = _HL[0]",
                      "        token = _eset(s[1]) if e is s[0] or e is s[1] else _hush()",
                      "        try:", f"            r.partials = {terms}", "        finally:",
                      "            _ereset(token)"]
        else:
            lines.append(f"        r.partials = {terms}")
    for k in (range(n) if n is not None else []):
        lines.append(f"        {_p('r', k)} = {terms_of_k(k)}")
    lines.append(f"        r.tag = {tag}")
    lines.append("        return r")


def _zero(var, k):
    """Source of partial ``k`` of a locally constant result (all of them for ``None``),
    as the general path gives it: ``0.0``."""
    return "0.0" if k is not None else f"_zeros(len({var}.partials))"


def _real_partials(var, n):
    """Source of the test that ``var``'s partials are plain floats (a complex one
    makes ``abs``, ``conj`` and ``sign`` take the table's tangent: the general path)."""
    if n is None:
        return f"type({var}.partials) is _nd and {var}.partials.dtype is _F64D"
    return " and ".join(f"type({var}.p{k}) is float" for k in range(n))


def _derivative(name, expr):
    """``(line, ref)``: the source line binding the local derivative ``expr`` on
    Python floats (none for +-1 or a bare argument) and the name to use."""
    if _unit(expr) or expr.variable in ("x", "y"):
        return None, expr.variable
    src = expr.scalar_source()
    if "**" in expr.operators:              # a negative base: Python's ** is complex
        src = f"float({src})"
    return f"{name} = {src}", name


# the exceptions of a derivative's source on floats where NumPy would warn (the
# twins' ValueError, ZeroDivisionError, OverflowError; float() of a complex: TypeError)
_RAISED = "(ArithmeticError, ValueError, TypeError)"


def _straight_power(test):
    """The lines of a generated power function that call ``lean_power_mixed`` (``_lpm``)
    where ``test`` holds (``k ** u``, ``t ** k``): the lean way straight away, not
    through ``_fast2_power``'s tests, ``call_ufunc`` and ``lean_mixed``; its ``None``
    (nothing computed) runs those as before (small65)."""
    return [f"    if {test}:", "        r = _lpm(a, b)", "        if r is not None:",
            "            return r"]


_NP_POWER = np.power
_NORMAL = 2.2250738585072014e-308


def _operator_power(x, y):
    """``np.power(x, y)`` of the floats ``x`` and ``y`` (the bits the scalar dual's value
    had: NumPy's power loop, whose SIMD power may differ from the C library's in the
    last place), reported as NumPy's float64 scalar operator reports ``x ** y``:
    "divide by zero encountered in scalar power" (or its FloatingPointError) where
    ``np.power`` says "... in power" (refusals69's Left).  Where Python's own ``x **
    y`` (the C library's, as NumPy's scalar operator) is a normal float, or 0 at a zero
    base, nothing is reported and the loop runs as before; else NumPy's scalar operator
    runs for its reports (its value dropped) and the loop hushed.  Called by the
    generated ``__pow__`` for a value outside ``1e-40 < x < 1e40``, ``|y| <= 7``."""
    try:
        q = x ** y
    except ArithmeticError:             # ZeroDivisionError, OverflowError
        q = None
    if type(q) is float and (_NORMAL <= abs(q) < np.inf or q == 0.0 and x == 0.0 and
                             y > 0.0) and x - x == 0.0 and y - y == 0.0:
        return float(_NP_POWER(x, y))
    np.float64(x) ** y                  # NumPy's scalar operator: its reports
    token = hush()
    try:
        return float(_NP_POWER(x, y))
    finally:
        unhush(token)


_NP_MULTIPLY = np.multiply
_REAL_NUMBERS = frozenset({float, int, np.float64})
_NP_INTS = frozenset({np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint32, np.uint16,
                      np.uint8})


def _innermost(d):
    """The value of ``d`` with every dual level stripped (``d`` itself for a number;
    type tests first: ``isinstance`` of the abstract Dual cost ~0.3 us a call)."""
    while True:
        t = type(d)
        if t is float or t is int or t is np.float64 or not isinstance(d, Dual):
            return d
        d = d.value


def _float_code(a, b, op):
    """``(A, B)``: the operands of the float code's ``a op b`` (NumPy's float64 scalar
    for a dual's innermost value, a number as it is), or ``None`` where a dual's
    innermost value is not a real number or the other operand is no number (an array:
    the float code's array operator, whose words are the general path's)."""
    x, y = _innermost(a), _innermost(b)
    if type(x) not in _REAL_NUMBERS and type(x) not in _NP_INTS or \
            type(y) not in _REAL_NUMBERS and type(y) not in _NP_INTS:
        return None
    return (np.float64(x) if isinstance(a, Dual) else a,
            np.float64(y) if isinstance(b, Dual) else b)


def _operator_call(u, a, b):
    """``a ** b`` or ``a / b`` (``u``: np.power, np.true_divide) of scalar duals, or a
    number operand's ``a * b`` (np.multiply: ``u * 1e300`` overflowing, exact71) by the
    general path, reported as NumPy's float64 scalar operator reports the float code's
    ``a ** b`` / ``a / b`` ("divide by zero encountered in scalar divide", "overflow
    encountered in scalar power", or their FloatingPointError), where the general
    path's np.power / np.true_divide said "... in divide" / "... in power" (attack70
    M2, refusals70's Left): that operator runs on the innermost values for its reports
    (value dropped) and the general path hushed.  Only the operators' own ways out of
    their fast lines call it: ``np.power(u, k)`` keeps the ufunc's words, as NumPy's
    does.  Anything but real numbers inside: the general path as it was."""
    ops = _float_code(a, b, u)
    if ops is None:
        return call_ufunc(u, a, b)
    if u is _NP_POWER:
        ops[0] ** ops[1]
    elif u is _NP_MULTIPLY:             # (a number operand's u * c: exact71)
        ops[0] * ops[1]
    else:
        ops[0] / ops[1]
    token = hush()
    try:
        return call_ufunc(u, a, b)
    finally:
        unhush(token)


def _operator_power2(fast2, a, b):
    """``fast2(a, b)`` (the class's ``_fast2_power``: ``u ** v`` of two scalar duals, ``2.0
    ** u``, a nested or NumPy-int case) reported as NumPy's float64 scalar operator:
    where Python's ``x ** y`` of the innermost values is a normal float (or 0 at a zero
    base) nothing can be reported and ``fast2`` runs as it is; else that operator runs
    for its reports (:func:`_operator_call`) and ``fast2`` hushed."""
    x, y = _innermost(a), _innermost(b)
    if type(x) is float and type(y) is float and x - x == 0.0 and y - y == 0.0:
        try:
            q = x ** y
        except ArithmeticError:
            q = None
        if type(q) is float and (_NORMAL <= abs(q) < np.inf or q == 0.0 and x == 0.0 and
                                 y > 0.0):
            return fast2(a, b)
    ops = _float_code(a, b, _NP_POWER)
    if ops is None:
        return fast2(a, b)
    ops[0] ** ops[1]
    token = hush()
    try:
        return fast2(a, b)
    finally:
        unhush(token)


def _fast_power(rule, n):
    """``d ** y``: NumPy's power (:func:`_fast_binary_ufunc`, ``_fast2_power``), with
    ``d ** 2`` inlined as ``x * x`` (what ``np.power(x, 2.0)`` gives) and the
    square's local derivative (the power rule's own at y = 2, to the bit, without
    its where()); an infinite result goes to NumPy's power, which warns.  An int 2
    is compared as an int (``2 == 2.0`` is a mixed comparison: ~0.07 us of ``d ** 2``)."""
    square = RULES[np.square].exprs[0].source()
    lines = ["def __pow__(a, b, m=None):", "    if m is not None:",
             "        raise _pow_mod()", "    tb = type(b)",
             "    if tb is float and b == 2.0 or tb is int and b == 2:", "        x = a.value",
             "        if type(x) is float:", "            out = x * x",
             f"            f0 = {square}",
             "            if out - out == 0.0 and f0 - f0 == 0.0:",
             # an underflowed square: NumPy's float64 scalar operator for its report
             # where the error state asks for one (its value dropped; refusals70)
             "                if out < 2.2250738585072014e-308 and x != 0.0:",
             "                    _f64(x) ** b"]
    body = []
    _build(body, n, "out", lambda k: _term(rule.exprs[0], "f0", _p("a", k)))
    lines += ["        " + line for line in body]
    # dg.quad's watch: a negative base to a non-integer power is NaN (one list read)
    lines += ["    if _W[0] and _B.record is not None:", "        _B.record(U, (a, b))"]
    lines += _straight_power("tb is _AD")       # k ** u of an array dual
    number = _binary_cases(rule, n).get((0,)) if _binary_fast(rule) else None
    if number:                      # d ** 3: _fast2_U's own case of a number exponent,
        # here (a call and a test less; loops63), reported as NumPy's float64 scalar
        # operator (_operator_power) outside the values where nothing can be reported
        plain = "        out = float(U(x, y))"
        assert number.count(plain) == 1
        number = [line if line != plain else
                  "        out = float(U(x, y)) if 1e-40 < x < 1e40 and -7.0 <= y <= 7.0 "
                  "else _opw(x, y)" for line in number]
        # (a dead tag, a nested value: the general path, in the scalar operator's words)
        number = [line.replace("return _call(U, a, b)", "return _opc(U, a, b)")
                  for line in number]
        lines += ["    ta = type(a)", *number]
    # a NumPy int exponent as NumPy's float64 scalar takes it, its float64 (the same
    # loop: np.float64(x) ** np.int64(3) is "... in scalar power", attack70 M2); the rest
    # (u ** v, a nested value) in the scalar operator's words
    # (two duals' values where nothing can be reported, refusals70's range test: the
    # fast function at once, without _opp's tests)
    lines += ["    if tb is C:", "        x = a.value", "        y = b.value",
              "        if type(x) is float and type(y) is float and 1e-40 < x < 1e40 and "
              "-7.0 <= y <= 7.0:", "            return _fast2_U(a, b)",
              "    if tb in _NPI:", "        return __pow__(a, float(b))",
              "    return _opp(_fast2_U, a, b)"]
    return "\n".join(lines)


def _unread_tail(name, operands):
    """The lines before a binary fast function's general path: an operand of the class's
    unread twin ``_UC`` (an element of ``np.asarray(d)`` not read yet) is read now,
    becoming a ``C`` as its first read would, and the function runs again, so a fresh
    element takes the fast path (``np.sum(np.asarray(p))`` adds each one to the running
    total: the general path cost ~22 us an operation at n = 10).  Last, at no cost to
    the branches above; the complex class's ``_UC`` is ``None``."""
    test = " or ".join(f"t{o} is _UC" for o in operands)
    lines = [f"    if {test}:"]
    lines += [line for o in operands for line in
              (f"        if t{o} is _UC:", f"            {o}.__class__ = C")] \
        if len(operands) > 1 else [f"        {operands}.__class__ = C"]
    return lines + [f"        return {name}(a, b)"]


def _number_check(stem, check):
    """The test that a number operand's ``out = x op y`` on floats keeps the fast path:
    for * and / ``check`` (the local derivative's finiteness: the number's for *) with
    the result's own, so that an overflow (``u * 1e300``, ``u / 1e-300``: Python floats
    report nothing) takes the general path in NumPy's float64 scalar operator's words
    (:func:`_operator_call`: "overflow encountered in scalar multiply", refusals70's
    Left).  For * the result's test stands for the number's (``x * y`` finite needs a
    finite ``y``).  A nested value (``out`` a dual: a Hessian's outer level) keeps
    ``check`` alone: no dual compared more (a dual's == is noted, and dg.quad's watch
    reads it).  + and - keep no test (~11 ns each on the common path: their overflow,
    at values near 1.8e308, stays unreported); ``c / u``'s check already fails there."""
    if stem not in ("mul", "truediv") or not check:
        return check
    ours = "out - out == 0.0" if stem == "mul" else f"out - out == 0.0 and {check}"
    return f"({ours} if type(out) is float else {check})"


def _fast_binary(stem, symbol, rule, n):
    if stem == "pow":
        return _fast_power(rule, n)
    e0, e1 = rule.exprs
    lines = [f"def __{stem}__(a, b):", "    tb = type(b)"]

    def both_duals(other, cls):
        """The branch for a dual ``b`` of class ``other``, the result of ``cls``."""
        same = f"tb is {other} and b.tag == a.tag"
        if n is None:               # one class for every n > 16: the lengths must agree
            same += " and len(a.partials) == len(b.partials)"
        lines.extend([f"    if {same}:", "        x = a.value", "        y = b.value"])
        if symbol == "/":           # float + - * float cannot raise
            lines.extend(["        try:", f"            out = x {symbol} y",
                          "        except ZeroDivisionError:",
                          "            return _call(U, a, b)"])
        else:
            lines.append(f"        out = x {symbol} y")
        (bind0, f0), (bind1, f1) = _factor("f0", e0), _factor("f1", e1)
        lines.extend(bind0 + bind1)
        check = _finite_check([(e0, f0), (e1, f1)])
        if check:
            lines.append(f"        if not ({check}): return _call(U, a, b)")
        tiny, deep = _underflow_tests(rule, {0: f0, 1: f1})
        if tiny:                    # an underflowed quotient: the general path's two steps
            lines.append(f"        if {tiny}: return _call(U, a, b)")
        if stem in ("mul", "truediv"):  # nested: an infinite inner partial of a local
            lines.append(               # derivative times a zero partial is 0 on the
                "        if type(out) is not float and isinstance(out, _Dual) and (not "
                f"(_fa({f0}) and _fa({f1})){' or ' + deep if deep else ''}): "
                "return _call(U, a, b)")    # general path
            # (attack53 14: 0 * inf for *; attack54 09 / 12 for /, whose f1 = -out / y
            # holds sqrt(x0)'s infinite slope beside (1 + x1)'s zero partial in x2)
        _build(lines, n, "out",
               lambda k: _plus(_term(e0, f0, _p("a", k)), _term(e1, f1, _p("b", k))),
               cls=cls)
    both_duals("C", "C")
    # (the local derivative inside the try too: a nested dual x over a plain 0.0 divides
    # without raising, 1.0 / y then raises: attack57 09)
    bind0, f0 = _factor("f0", e0)
    # (x * y's general path in NumPy's float64 scalar operator's words: _operator_call)
    general = "_opc(U, a, b)" if stem == "mul" else "_call(U, a, b)"   # (/: _divide_words)
    lines += ["    if tb is float or tb is int or tb is _f64:", "        x = a.value",
              "        y = b if tb is not _f64 else float(b)",
              # d * 1 is d: x * 1 and each p * 1 are x and p, bit for bit, for real floats
              # (a complex x * 1 is a complex product: inf * 0 in it) in the slot classes
              # (immutable: no partials array to share); a source's literal factors,
              # `k * 1 * (1 - s)` (the allele row: ~14 % of its products)
              *(["        if y == 1 and type(x) is float and type(a) is C: return a"]
                if stem == "mul" and n is not None else []),
              "        try:", f"            out = x {symbol} y",
              *("    " + line for line in bind0),
              "        except (ZeroDivisionError, OverflowError):",
              f"            return {general}"]
    check = _number_check(stem, _finite_check([(e0, f0)]))
    if check:
        lines.append(f"        if not ({check}): return {general}")
    tiny, _ = _underflow_tests(rule, {0: f0})
    if tiny:                        # (y a number: f0 a float)
        lines.append(f"        if {tiny}: return {general}")
    _build(lines, n, "out", lambda k: _term(e0, f0, _p("a", k)))
    # last, at no cost to the branches above: a dual of the twin class (K: complex
    # for a real dual, real for a complex one), the result complex (W)
    both_duals("K", "W")
    if n is not None and stem != "pow" and rule.ufunc in backend.EXACT:
        # an array dual (k * u): _array.mixed_row's one kernel call, else the general
        # path (call_ufunc -> lean_mixed), as before (small46)
        lines += ["    if tb is _AD:", f"        r = _row_{rule.name}(a, b)",
                  "        if r is not None:", "            return r"]
    lines += _unread_tail(f"__{stem}__", "b")
    lines.append("    return _call(U, a, b)")
    source = "\n".join(lines)
    if stem == "mul":               # np.multiply(d, k): the ufunc's words, as _divide_words
        source += "\n\n" + source.replace("def __mul__(", "def _ufunc__mul__(", 1).replace(
            "_opc(U, a, b)", "_call(U, a, b)")
    return _divide_words(stem, source)


def _divide_words(stem, source):
    """``source`` of the operator ``/`` (``__truediv__``, ``__rtruediv__``) with its ways
    to the general path in NumPy's float64 scalar operator's words (:func:`_operator_call`:
    ``u / 0`` said "divide by zero encountered in divide", the float code "... in scalar
    divide"); other operators' as they are."""
    if stem != "truediv":
        return source
    words = source.replace("return _call(U, a, b)", "return _opc(U, a, b)").replace(
        "return _call(U, b, a)", "return _opc(U, b, a)")
    if not source.startswith("def __truediv__("):
        return words
    # np.divide(d, k) reaches __array_ufunc__ with the dual first only when spelled so
    # (d / k is the operator's own): the ufunc's words, "... in divide", as NumPy's
    return source.replace("def __truediv__(", "def _ufunc__truediv__(", 1) + "\n\n" + words


def _fast_reflected(stem, symbol, rule, n):
    e1 = rule.exprs[1]
    general = "_opc(U, b, a)" if stem == "mul" else "_call(U, b, a)"
    lines = [f"def __r{stem}__(a, b):", "    tb = type(b)",
             "    if tb is float or tb is int or tb is _f64:",
             "        x = b if tb is not _f64 else float(b)", "        y = a.value",
             "        try:", f"            out = x {symbol} y",
             "        except ZeroDivisionError:", f"            return {general}"]
    bind1, f1 = _factor("f1", e1)
    lines += bind1
    check = _number_check(stem, _finite_check([(e1, f1)])) if stem == "mul" else \
        _finite_check([(e1, f1)])
    if check:
        lines.append(f"        if not ({check}): return {general}")
    tiny, deep = _underflow_tests(rule, {1: f1})
    if tiny:
        lines.append(f"        if {tiny}: return {general}")
    if stem == "truediv":           # nested: ``1 / d``'s -out / y with an infinite inner
        lines.append(               # partial times a zero partial (as __truediv__'s)
            "        if type(out) is not float and isinstance(out, _Dual) and (not "
            f"_fa({f1}){' or ' + deep if deep else ''}): return _call(U, b, a)")
    _build(lines, n, "out", lambda k: _term(e1, f1, _p("a", k)))
    lines.append("    return _call(U, b, a)")
    source = "\n".join(lines)
    if stem == "mul":               # np.multiply(1e300, d): the ufunc's words, "... in
        source += "\n\n" + source.replace(     # multiply" (attack72 M2), as __mul__'s twin
            "def __rmul__(", "def _ufunc__rmul__(", 1).replace("_opc(U, b, a)", "_call(U, b, a)")
    return _divide_words(stem, source)


# Unary ufuncs whose value on a finite Python float is the table's exact twin's
# (rules/_expr.py, FUNCTIONS: the exact abs, and sin
# and cos, whose NumPy float64 loops call the C library as ``math`` does;
# tests/test_expr.py compares each twin with NumPy bit for bit): the value without a
# NumPy call (~90 ns of np.sin(E)'s ~940 on a scalar dual, small58).  Not finite:
# NumPy's own call (its NaN, its warning).
_VALUE_TWINS = {"sin": "math.sin", "cos": "math.cos", "absolute": "abs"}


def _fast_ufunc(u, rule, n):
    """A unary ufunc on a float-valued dual, its derivative inlined.

    The derivative is evaluated on Python floats with the exact twins of its NumPy
    calls (:meth:`dualgrad.rules._expr.Expr.scalar_source`: NumPy's bits; a singular
    point raises, caught, instead of warning, and ``np.seterr(all="raise")`` in user
    code is respected).  Anything unusual (a nested value, complex partials where the
    rule has a tangent, a singular point, a non-finite local derivative) takes the
    general path, which gives NumPy's results.  A locally constant rule (``floor``,
    ``sign``) gives zero partials, as the general path does.
    """
    e0 = rule.exprs[0] if rule.kind == "smooth" else None
    lines = [f"def _fast_{rule.name}(a):", "    if a.tag not in _L: return _call(U, a)",
             "    x = a.value", "    if type(x) is not float: return _call(U, a)"]
    if rule.kind == "predicate":                # a plain NumPy bool, as the general path's
        lines += ["    _M.compared_at = next(_S)",                        # (noted: errors)
                  f"    return {_COMPARED_ON_FLOATS.get(rule.ufunc, 'U(x)')}"]
        return _named("\n".join(lines), u)
    if rule.tangent:
        lines.append(f"    if not ({_real_partials('a', n)}): return _call(U, a)")
    twin = _VALUE_TWINS.get(rule.name)
    if twin is None:
        lines.append("    out = float(U(x))")
    else:                       # NumPy's bits for a finite float (its exact twin), the
        lines.append(f"    out = {twin}(x) if x - x == 0.0 else float(U(x))")   # ufunc else
    if e0 is None:
        lines.append("    if True:")
        _build(lines, n, "out", lambda k: _zero("a", k))
    else:
        line, f0 = _derivative("f0", e0)
        if line is not None:
            lines += ["    try:", f"        {line}", f"    except {_RAISED}:",
                      "        return _again(U, a, out)",
                      f"    if not ({f0} - {f0} == 0.0): return _again(U, a, out)"]
            tiny, _ = _underflow_tests(rule, {0: f0})
            if tiny:
                lines.append(f"    if {tiny}: return _again(U, a, out)")
        lines.append("    if True:")
        term = (lambda k: f"{_p('a', k)}.copy()") if n is None and e0.constant == 1.0 \
            else (lambda k: _term(e0, f0, _p("a", k)))      # (a new array, not a's)
        _build(lines, n, "out", term)
    return _named("\n".join(lines), u)


def _fast_binary_ufunc(u, rule, n):
    """A binary ufunc on two duals of one tag, or a dual and a Python/NumPy float or
    int, its derivatives inlined as :func:`_fast_ufunc` does: the value is the ufunc's
    own on the floats, the local derivatives the table's expressions on floats (exact
    twins), the partials ``f0 * a.p + f1 * b.p`` in the general path's order.  A
    nested or complex value, mixed or dead tags, any other operand, a singular point
    or a non-finite local derivative take the general path."""
    lines = [f"def _fast2_{rule.name}(a, b):", "    ta = type(a)", "    tb = type(b)"]
    for case in _binary_cases(rule, n).values():
        lines += case
    if rule.ufunc is np.power:      # t ** k, np.power(t, k) of a float array t
        lines += _straight_power("ta is _nd")
    lines += _unread_tail(f"_fast2_{rule.name}", "ab")
    lines.append("    return _call(U, a, b)")
    return _named("\n".join(lines), u)


def _named(source, u):
    """``source`` with the placeholder ``U`` of its ufunc's calls named ``u``."""
    return source.replace("(U,", f"({u},").replace("U(x, y)", f"{u}(x, y)").replace(
        "U(x)", f"{u}(x)")


def _binary_cases(rule, n):
    """The cases of :func:`_fast_binary_ufunc`, each a list of lines (``ta``, ``tb``
    bound, the ufunc named ``U``) by its dual arguments: ``(0, 1)`` two duals of the
    class ``C``, ``(0,)`` ``C`` and a number, ``(1,)`` a number and ``C``; a case where
    the rule has no derivative is left out."""
    exprs = [e if rule.kind == "smooth" else None for e in rule.exprs]
    integer = [k < len(rule.domain) and rule.domain[k][2:] == ("int",) for k in range(2)]

    def number(t, k):               # an integer-only argument (ldexp's) takes ints only
        return f"{t} is int" if integer[k] else f"({t} is float or {t} is _f64 or {t} is int)"
    both = "ta is C and tb is C and a.tag == b.tag"
    if n is None:                   # one class for every n > 16: the lengths must agree
        both += " and len(a.partials) == len(b.partials)"
    cases = ((both, (0, 1), "a"),
             (f"ta is C and {number('tb', 1)}", (0,), "a"),
             (f"tb is C and {number('ta', 0)}", (1,), "b"))
    out = {}
    for test, duals, owner in cases:
        if any(rule.derivs[k] is None for k in duals if rule.derivs):
            continue                        # not differentiable there: the general path raises
        lines = [f"    if {test}:", f"        t = {owner}.tag",
                 "        if t not in _L: return _call(U, a, b)"]
        out[duals] = lines
        for k, var in enumerate("xy"):
            src = "ab"[k]
            if k in duals:
                lines += [f"        {var} = {src}.value",
                          f"        if type({var}) is not float: return _call(U, a, b)"]
            elif integer[k]:
                lines.append(f"        {var} = {src}")
            else:                           # NumPy's float64 of the number, exactly
                other = "tb" if k else "ta"
                lines += [f"        if {other} is float:", f"            {var} = {src}",
                          "        else:", "            try:",
                          f"                {var} = float({src})",
                          "            except OverflowError:",
                          "                return _call(U, a, b)"]
        if rule.kind == "predicate":            # a plain NumPy bool, as the general path's
            lines += ["        _M.compared_at = next(_S)",
                      f"        return {_COMPARED_ON_FLOATS.get(rule.ufunc, 'U(x, y)')}"]
            continue
        symbol = _SAME_ON_FLOATS.get(rule.ufunc)
        if symbol:                              # Python's own operator, the same bits
            lines += ["        if y != 0.0 and y - y == 0.0 and abs(x / y) < 1e300:",
                      f"            out = x {symbol} y", "        else:",
                      "            out = float(U(x, y))"]
        else:
            lines.append("        out = float(U(x, y))")
        refs, binds = {}, []
        for k in duals:
            if exprs[k] is not None:
                line, refs[k] = _derivative(f"f{k}", exprs[k])
                if line is not None:
                    binds.append(line)
        if binds:
            lines += ["        try:"] + [f"            {b}" for b in binds] + \
                     [f"        except {_RAISED}:", "            return _again2(U, (a, b), out)"]
        check = " and ".join(f"{f} - {f} == 0.0" for k, f in refs.items()
                             if not _unit(exprs[k]))
        if check:
            lines.append(f"        if not ({check}): return _again2(U, (a, b), out)")
        tiny, _ = _underflow_tests(rule, {k: f for k, f in refs.items() if not _unit(exprs[k])})
        if tiny:
            lines.append(f"        if {tiny}: return _again2(U, (a, b), out)")

        def terms(k, refs=refs, duals=duals):
            if rule.select:                 # the selected argument's partials (the
                return _chosen(k, refs, duals)     # general path's _select_scalar)
            parts = [_term(exprs[j], refs[j], _p("ab"[j], k)) for j in duals if j in refs]
            if not parts:
                return _zero("ab"[duals[0]], k)
            if len(parts) == 1 and n is None and parts[0] == _p("ab"[duals[0]], k):
                return parts[0] + ".copy()"             # a new array, not the argument's
            return parts[0] if len(parts) == 1 else _plus(*parts)
        _build(lines, n, "out", terms, tag="t")
    return out


def _chosen(k, refs, duals):
    """Source of partial ``k`` (all of them for ``None``) of a selection row
    (``rule.select``): the last dual argument's where its indicator is 1, the other
    dual argument's where it is 0, or 0.0 beside a constant; never a product of an
    indicator and partials (0 * inf is NaN), as the general path selects them.  At a
    tie (the indicator ``t`` neither: 1/2) ``t * last + (1 - t) * other``
    (rules/_table.py, TIES)."""
    last = duals[-1]
    t = refs[last]
    chosen = _p("ab"[last], k)
    other = _p("ab"[duals[0]], k) if len(duals) > 1 else None
    blend = f"{t} * {chosen}" + (f" + (1.0 - {t}) * {other}" if other else "")
    if k is None:                           # new arrays, not the arguments'
        chosen += ".copy()"
        other = f"{other}.copy()" if other else f"_zeros(len({_p('ab'[last], None)}))"
    return f"({chosen} if {t} == 1.0 else {other or '0.0'} if {t} == 0.0 else {blend})"


def _binary_fast(rule):
    """Does :func:`_fast_binary_ufunc` cover ``rule``?"""
    if rule.ufunc.nin != 2 or rule.ufunc.nout != 1:
        return False
    if rule.kind == "predicate":
        return True
    return rule.kind in ("smooth", "zero") and len(rule.derivs) == 2 and \
        any(d is not None for d in rule.derivs) and \
        (rule.kind == "zero" or all(e is None or e.scalar_source() is not None
                                     for e in rule.exprs))


def _unary_fast(rule):
    """Does :func:`_fast_ufunc` cover ``rule``?"""
    if rule.ufunc.nin != 1 or rule.ufunc.nout != 1:
        return False
    return rule.kind == "predicate" or len(rule.derivs) == 1 and (
        rule.kind == "zero" or rule.kind == "smooth" and rule.exprs[0] is not None and
        rule.exprs[0].scalar_source() is not None)


# custom rules of scalars composed of fast paths, as dispatch's _modf and _divmod
# compose them (np.trunc then -, floor_divide and remainder): the same calls, fewer steps
_COMPOSED = {np.modf: ("def _fast_modf(a):\n    w = _fast_trunc(a)\n    return (a - w, w)",
                       ("trunc",)),
             np.divmod: ("def _fast2_divmod(a, b):\n    return (_fast2_floor_divide(a, b), "
                         "_fast2_remainder(a, b))", ("floor_divide", "remainder"))}


def _fast_unary(stem, rule, n):
    symbol = {"neg": "-", "pos": "+"}[stem]
    lines = [f"def __{stem}__(a):", "    if True:"]
    _build(lines, n, f"{symbol}a.value",
           lambda k: _term(rule.exprs[0], "f0", _p("a", k)))
    return "\n".join(lines)


def _all_finite(v):
    """Are ``v``'s value and partials, at every level of nesting, finite?  (A sum of
    finite numbers that overflows reads as not finite: the caller's general path.)"""
    if type(v) is float:
        return v - v == 0.0
    if isinstance(v, Dual):
        ps = v._plist()
        total = sum(ps, v.value)                # one C loop over floats (the common case)
        if type(total) is float or type(total) is complex:
            return total - total == 0.0
        return _all_finite(v.value) and all(_all_finite(p) for p in ps)
    return bool(np.all(np.isfinite(v)))


def _no_state():
    """NumPy's error state where it keeps none in a context variable: ``None``, never
    the pair's first or second (``_HL`` below), so ``hush()`` runs every time."""
    return None


def _generate(n):
    """The class with ``n`` partials (``None``: the vector kind), compiled from the
    table in its own namespace (its source kept on disk: :func:`_kept_source`)."""
    namespace = {"np": np, "_new": object.__new__, "_f64": np.float64, "_bool": np.bool_,
                 "_isinf": math.isinf,
                 "_call": call_ufunc, "_again": call_unary_with_out, "_lpm": lean_power_mixed,
                 "_again2": call_with_out, "_nd": np.ndarray, "_F64D": np.dtype(np.float64),
                 "_zeros": np.zeros, "_hush": hush, "_unhush": unhush,
                 "_opw": _operator_power, "_opc": _operator_call, "_opp": _operator_power2,
                 "_NPI": _NP_INTS,
                 # the error state's (get, set, reset, last quiet pair); without a
                 # context variable no pair matches: hush() / unhush() every time
                 **dict(zip(("_eget", "_eset", "_ereset", "_HL"),
                            quiet or (_no_state, None, unhush, [(object(), object())]))),
                 "_L": _base.LIVE,                 # live tags: escaped duals raise
                 "_pow_mod": errors.pow_modulo,
                 "_M": errors.MADE, "_S": errors.SEQUENCE,   # comparisons noted
                 "_W": _base.WATCHING, "_B": _base.BRANCHES,  # dg.quad's watch
                 "_UC": None,     # the real class's unread twin (set below); none for complex
                 "_Dual": Dual, "_fa": _all_finite, "_uf": underflowed, "_T": TINY}
    from ..rules._table import _NAMESPACE
    namespace.update(_NAMESPACE)
    ArrayDual, mixed_row = _base.ARRAY_ROWS      # (_array's, installed at its import)
    namespace["_AD"] = ArrayDual
    for ufunc in backend.EXACT:
        if ufunc.nin == 2:
            namespace[f"_row_{RULES[ufunc].name}"] = mixed_row(ufunc, True)
    namespace.update(SCALAR_NAMESPACE)
    for rule in tuple(RULES.values()):
        namespace[f"_u_{rule.name}"] = rule.ufunc
    slots = ("value", "tag", "partials") if n is None else \
        ("value", "tag") + tuple(f"p{k}" for k in range(n))
    source, unary, binary = _kept_source(n)
    code = backend.compiled_code(source, f"<dualgrad scalar dual, n={n}>")
    name = f"ScalarDual{n}" if n is not None else "ScalarDualVector"
    ours = dict(namespace)
    # the real class notes NumPy's arrays of its duals (the complex class refuses them)
    real = _class_from(code, ours, name, n, slots, unary, binary,
                       {"__array_struct__": errors.SCALAR_ARRAY_NOTE})
    # the same code again under another identity for complex values and partials:
    # its methods test for and build their own class (C), so a fast operation keeps a
    # complex dual complex; the operators take the twin class too (K, the result W:
    # complex), other operations between the two kinds take the general path
    other = _class_from(code, namespace, "Complex" + name, n, slots, unary, binary,
                        {"__array__": _refuse_array, "complex_kind": True})
    ours["K"] = ours["W"] = other
    _REAL.add(real)                     # (before its twin: the twin is real too)
    ours["_UC"] = unread_class(real)    # its operators take an unread element as a C
    namespace["K"], namespace["W"] = real, other
    return real, other


def _source_key(n):
    """What the class's source depends on, as a str: ``n``, NumPy's version, the
    table's rules as they stand (scipy's rows join when scipy.special is
    imported), and the text of the files that write the source (rules/ and this
    one); ``None`` where a file cannot be read or was changed since this process
    imported it (``backend.loaded_bytes``: not the text it runs)."""
    from pathlib import Path

    from ..rules import _table
    files = sorted(Path(_table.__file__).parent.glob("*.py")) + [Path(__file__)]
    texts = backend.loaded_bytes(files)
    if texts is None:
        return None
    import hashlib
    digest = hashlib.sha1(b"\0".join(texts)).hexdigest()
    names = [r.name for r in tuple(RULES.values())]
    return repr(("scalar class", n, np.__version__, names, digest))


def _kept_source(n):
    """:func:`_source` of ``n``, kept on disk under :func:`_source_key` between
    processes (``backend.read_blob``, its digest checked): generating it parses every
    rule's expressions (the heat form's warm first call: 0.023 -> 0.013 s for the
    class at load 2-4, ``python bench/first_split.py --compare OTHER``; its compile
    is kept already, by the source's hash).  A change to the table, to a file
    writing the source or to NumPy makes another key, so another source."""
    import marshal
    key = _source_key(n)
    payload = None if key is None else backend.read_blob(key)
    if payload is not None:
        try:
            source, unary, binary = marshal.loads(payload)
            by_name = {rule.name: rule.ufunc for rule in tuple(RULES.values())}
            return (source, {by_name[r]: f for r, f in unary},
                    {by_name[r]: f for r, f in binary})
        except Exception:   # noqa: BLE001 (verified but not ours: generated again)
            pass
    source, unary, binary = _source(n)
    if key is not None:
        names = {rule.ufunc: rule.name for rule in tuple(RULES.values())}
        backend.write_blob(key, marshal.dumps((source, [(names[u], f) for u, f in unary.items()],
                                             [(names[u], f) for u, f in binary.items()])))
    return source, unary, binary


def _source(n):
    """The source of the class with ``n`` partials, generated from the table, and
    its fast functions by ufunc, unary and binary (``{ufunc: name}`` each)."""
    methods = []
    if n is None:
        methods.append("def _plist(self):\n    p = self.partials\n"
                       "    return p.tolist() if type(p) is np.ndarray else list(p)")
        methods.append("def _from(value, partials, tag):\n    r = _new(C)\n"
                       "    r.value = value\n    r.tag = tag\n    r.partials = partials\n"
                       "    return r")
    else:
        plist = ", ".join(f"self.p{k}" for k in range(n))
        methods.append(f"def _plist(self):\n    return [{plist}]")
        targets = "".join(f"r.p{k}, " for k in range(n))
        methods.append(f"def _from(value, partials, tag):\n    r = _new(C)\n"
                       f"    r.value = value\n    r.tag = tag\n    {targets}= partials\n"
                       "    return r")
        names = "".join(f"p{k}, " for k in range(n))
        stores = "".join(f"        r.p{k} = p{k}\n" for k in range(n))
        methods.append(f"def _rows(values, rows, tag):\n    out = []\n    append = out.append\n"
                       f"    for value, ({names}) in zip(values, rows):\n        r = _new(C)\n"
                       f"        r.value = value\n        r.tag = tag\n{stores}"
                       "        append(r)\n    return out")
        # the same loop making unread twins (U: bound by unread_rows): one pass over the
        # elements instead of _rows and then unread_twins' second loop
        methods.append(f"def _unread_rows(values, rows, tag, U):\n    out = []\n"
                       f"    append = out.append\n"
                       f"    for value, ({names}) in zip(values, rows):\n        r = _new(C)\n"
                       f"        r.value = value\n        r.tag = tag\n{stores}"
                       "        r.__class__ = U\n        append(r)\n    return out")
        # a kept buffer's store (dual/_array.py, ``S[i] = d``): the partials written
        # slot by slot into the flat memoryview of its rows at ``k = n * i``, where
        # every one is a float (else nothing is written: the caller's general lines)
        reads = "".join(f"    p{k} = item.p{k}\n" for k in range(n))
        floats = " and ".join(f"type(p{k}) is float" for k in range(n))
        writes = "".join(f"        mp[k + {k}] = p{k}\n" if k else "        mp[k] = p0\n"
                         for k in range(n))
        methods.append(f"def _put(item, mp, k):\n{reads}    if {floats}:\n{writes}"
                       "        return True\n    return False")
    unary, binary = {}, {}
    for rule in list(RULES.values()):
        stem = rule.operator
        u = f"_u_{rule.name}"
        fast1 = None
        if _unary_fast(rule):
            fast1 = _fast_ufunc(u, rule, n)
            methods.append(fast1)
            unary[rule.ufunc] = f"_fast_{rule.name}"
        fast2 = None
        if _binary_fast(rule):
            methods.append(_fast_binary_ufunc(u, rule, n))
            fast2 = binary[rule.ufunc] = f"_fast2_{rule.name}"
        composed = _COMPOSED.get(rule.ufunc)
        if composed and all(RULES.get(getattr(np, f)) is not None and
                            (_unary_fast if rule.ufunc.nin == 1 else _binary_fast)(
                                RULES[getattr(np, f)]) for f in composed[1]):
            methods.append(composed[0])
            name = composed[0].split("(")[0][4:]
            if rule.ufunc.nin == 1:
                unary[rule.ufunc] = name
            else:
                fast2 = binary[rule.ufunc] = name
        if rule.kind in ("smooth", "zero") and rule.ufunc.nin <= 2:
            # d.sin(): what NumPy's object loop calls (np.sin of an object array of
            # scalar duals); the class's fast function first, as np.sin(d) (object60)
            target = (unary if rule.ufunc.nin == 1 else binary).get(rule.ufunc)
            test = "not b" if rule.ufunc.nin == 1 else "len(b) == 1"
            methods.append(f"def {rule.name}(a, *b):\n    return _call({u}, a, *b)"
                           if target is None else
                           f"def {rule.name}(a, *b):\n    return {target}(a, *b) if {test} "
                           f"else _call({u}, a, *b)")
        if not stem or rule.kind == "predicate" or stem == "matmul":
            continue
        if stem in _FAST:
            body = _fast_binary(stem, _FAST[stem], rule, n)
            methods.append(_named(body, u).replace("_fast2_U", fast2 or ""))
        elif stem in ("neg", "pos"):
            methods.append(_named(_fast_unary(stem, rule, n), u))
        elif rule.ufunc.nin == 1:
            target = unary.get(rule.ufunc)
            if not (fast1 and stem in _WATCHED):    # (abs: written whole by _watched)
                methods.append(f"__{stem}__ = {target}" if target else
                               f"def __{stem}__(a):\n    return _call({u}, a)")
        elif fast2:
            methods.append(f"__{stem}__ = {fast2}")       # the same function: one call less
        else:
            methods.append(f"def __{stem}__(a, b):\n    return _call({u}, a, b)")
        if stem in _WATCHED:                # dg.quad's watch: the operator's jump / kink
            methods.append(_watched(stem, u, f"__{stem}__", False, source=fast1))
        if rule.ufunc.nin == 2:
            if stem in _WATCHED:
                methods.append(_watched(stem, u, f"__r{stem}__", True, fast2))
                continue
            if stem in _REFLECTED_FAST:
                body = _fast_reflected(stem, _FAST[stem], rule, n)
                methods.append(_named(body, u))
            elif fast2 and stem == "pow":     # 2.0 ** u: the scalar operator's words
                methods.append(         # (at once where nothing can be reported)
                    f"def __r{stem}__(a, b):\n    y = a.value\n"
                    "    if type(b) is float and type(y) is float and 1e-40 < b < 1e40 and "
                    f"-7.0 <= y <= 7.0:\n        return {fast2}(b, a)\n"
                    f"    return _opp({fast2}, b, a)")
            elif fast2:
                methods.append(f"def __r{stem}__(a, b):\n    return {fast2}(b, a)")
            else:
                methods.append(f"def __r{stem}__(a, b):\n    return _call({u}, b, a)")
    return "\n\n".join(methods), unary, binary


# The operators whose fast paths call no ufunc on the dual but jump (//, %, divmod)
# or kink (abs): where dg.quad watches (one list read, _W, where none does), each
# reports its ufunc to the watch, as ScalarDual.__array_ufunc__ does (attack49 01)
_WATCHED = ("floordiv", "mod", "divmod", "abs")


def _watched(stem, u, name, reflected, fast2=None, source=None):
    """``name`` (``__floordiv__``, ``__rmod__``, ...) reporting ``u`` to dg.quad's
    watch, then as generated above (the forward one: the method already defined, kept
    as ``_plain__floordiv__``; ``abs`` with its fast function's ``source``: that
    function's lines after the watch's, one call less)."""
    # (a result the watch sets, dg.solve_ivp's end-tie check of a wrap: returned, as
    # __array_ufunc__ returns it; odeq58)
    if stem == "abs":
        watch = (f"def {name}(a):\n    if _W[0] and _B.record is not None:\n"
                 f"        forced = _B.record({u}, (a,))\n"
                 f"        if forced is not None:\n            return forced\n")
        if source is not None:          # abs(d) < tol, a Newton loop's test (loops63)
            return watch + source.split("\n", 1)[1]
        return f"_plain{name} = {name}\n\n{watch}    return _plain{name}(a)"
    if not reflected:
        return (f"_plain{name} = {name}\n\n"
                f"def {name}(a, b):\n    if _W[0] and _B.record is not None:\n"
                f"        forced = _B.record({u}, (a, b))\n"
                f"        if forced is not None:\n            return forced\n"
                f"    return _plain{name}(a, b)")
    call = f"{fast2}(b, a)" if fast2 else f"_call({u}, b, a)"
    return (f"def {name}(a, b):\n    if _W[0] and _B.record is not None:\n"
            f"        forced = _B.record({u}, (b, a))\n"
            f"        if forced is not None:\n            return forced\n"
            f"    return {call}")


def _class_from(code, namespace, name, n, slots, unary, binary, extra=None):
    """The class whose methods are ``code``'s functions run in ``namespace``."""
    exec(code, namespace)  # noqa: S102
    body = {"__slots__": slots, "__module__": __name__, "__qualname__": name,
            "_kind": "slots" if n is not None else "vector", **(extra or {})}
    for key, obj in namespace.items():
        if callable(obj) and getattr(obj, "__code__", None) is not None and \
                obj.__code__.co_filename.startswith("<dualgrad scalar"):
            body[key] = obj
    body["_UNARY"] = {u: namespace[key] for u, key in unary.items()}
    body["_BINARY"] = {u: namespace[key] for u, key in binary.items()}
    # the operators' own functions by ufunc, (forward, reflected), for __array_ufunc__
    # (np.divide(d, k): the ufunc's words, _divide_words)
    # (and np.multiply(1e300, d)'s reflected twin, for a Python number on the left: an
    # np.float64 there is np.float64(1e300) * d too, NumPy's scalar operator, whose
    # words the operator keeps; the two spellings reach here alike)
    body["_OPS"] = {u: (body.get("_ufunc" + f, body[f]), body[r],
                        body.get("_ufunc" + r, body[r]))
                    for u, (f, r) in _OPERATORS.items()}
    body["_from"] = staticmethod(namespace["_from"])
    if n is not None:
        body["_rows"] = staticmethod(namespace["_rows"])
        body["_unread_rows"] = staticmethod(namespace["_unread_rows"])
        body["_put"] = staticmethod(namespace["_put"])
    for key in (*unary.values(), *binary.values()):
        del body[key]
    cls = type(name, (ScalarDual,), body)
    namespace["C"] = cls
    return cls


def _refuse_array(self, dtype=None, copy=None):
    """``np.array([z1, z2])`` / ``np.asarray(z)`` of complex scalar duals: NumPy would
    build an object array whose ``.real`` is the array itself and ``.imag`` zeros
    (object elements count as real), silently wrong.  NumPy asks each element's
    ``__array__`` while it discovers a list, so the complex class alone has one (the
    real kind's speed is untouched).  dualgrad's own code, which builds object arrays
    of scalar duals with an object dtype and reads them back itself, gets the 0-d
    object array of ``self`` (told by the calling frame's module: complex only)."""
    if dtype is not None and np.dtype(dtype) != object:
        if errors.storing():                        # out[:] = z into a plain array
            raise errors.store_into_plain(dtype, complex_value=True)   # (complex class)
        raise errors.dropped_derivatives(f"converting a complex dual number to dtype "
                                         f"{dtype} (np.asarray(z, dtype=...))")
    if dtype is None or not sys._getframe(1).f_globals.get("__name__", "").startswith(
            "dualgrad."):
        raise errors.complex_object_array(scalar=True)
    out = np.empty((), dtype=object)
    out[()] = self
    return out


# Up to this many partials a scalar dual has one slot each (cheapest per
# operation); beyond it, one small array (flat cost in n).  DESIGN.md measured
# the crossover at n = 16.
MAX_SLOTS = 16


def scalar_class(n, complex_=False):
    """The scalar dual class for ``n`` partials (generated on first use); with
    ``complex_``, its twin for complex values or partials."""
    key = n if n <= MAX_SLOTS else None
    cls = (_COMPLEX if complex_ else _CLASSES).get(key)
    if cls is None:
        _CLASSES[key], _COMPLEX[key] = _generate(key)
        COMPLEX_SCALARS.add(_COMPLEX[key])
        cls = (_COMPLEX if complex_ else _CLASSES)[key]
    return cls


# The classes of complex scalar duals, by n as _CLASSES (generated with them).  A
# scalar dual whose value or a partial is complex is always of this kind: the general
# path builds it (make_scalar), and the real kind's fast paths, which take real
# numbers and duals of their own class only, cannot make a complex value.
_COMPLEX = {}
# The same classes as a set: the scalar duals' general entry tests its result's type
# against it (one lookup) to catch a real scalar dual turning complex
# (dispatch._lean_small.call_ufunc: NumPy's object loops, attack44 06).
COMPLEX_SCALARS = set()


# The types that hold no complex number at any nesting depth: float and the real
# scalar classes (and their unread twins).  The invariant: a real class's instance is
# built only by make_scalar (which gives the complex class wherever _holds_complex
# finds a complex number), by scalars_from_rows / the elements' builders from float64
# arrays, or by a real class's inlined operators, which take floats, ints, np.float64
# and duals of their own real class only (anything else goes to the general path, so
# to make_scalar): by induction over the levels, every value and partial of a real
# instance is a float or a real instance.  So a nested dual whose value and partials
# are all of these types is real without a walk down its levels (the walk cost ~17 %
# of a Hessian of rosen at n = 2, ~45 % at n = 10: every level's partials, each time).
_REAL = {float}
_REAL_PART, _IMAG_PART = PARTS[np.real], PARTS[np.imag]


def _real_of(v):
    return v.real


def _imag_of(v):
    return v.imag


def _holds_complex(value, partials):
    """Is ``value`` or one of ``partials`` (a list, tuple or array) complex, at any
    nesting depth?  (Called where a scalar dual is built on the general path.)"""
    tp = type(partials)
    if tp is np.ndarray and partials.dtype != object:
        if partials.dtype.kind == "c":
            return True
        partials = ()
    elif tp is list or tp is tuple:
        if type(value) in _REAL and _REAL.issuperset(map(type, partials)):
            return False    # floats and real instances only (see _REAL): real all down
    elif getattr(tp, "_kind", None) == "array" and type(value) in _REAL and \
            _real_levels(partials):
        return False        # a nested row's array dual of float64 arrays (n > 16)
    if type(value) is float and type(sum(partials, 0.0)) is float:
        return False        # (the common case: Python's sum of floats is a C loop)
    return any(isinstance(v, (complex, np.complexfloating)) or
               isinstance(v, ScalarDual) and v._complex() or
               isinstance(v, Dual) and np.iscomplexobj(v.value)
               for v in (value, *partials))


def _real_levels(d):
    """Is the array dual ``d`` float64 ndarrays at every level (its values' and its
    partials', nested), known without reading an element?  False where not known
    (an object array, a deferred partial, another kind): the caller walks instead."""
    while type(d) is not np.ndarray:
        if getattr(type(d), "_kind", None) != "array" or not _real_levels(d._p):
            return False
        d = d.value
    return d.dtype.kind == "f"


def complex_tangent(rule, d, value):
    """The scalar dual of ``value(v)`` whose partials are the table's tangent of ``rule``
    (``np.real`` / ``np.imag``: :data:`dualgrad.rules._table.PARTS`; ``np.absolute``,
    ``np.conjugate``: their rows) at the complex value ``v`` of ``d``, a scalar dual of
    the slot kind, a live tag that is not holomorphic and partials that are Python
    floats or complex numbers: the general path's numbers (the tangent on the 0-d
    lift's complex128 or float64 partials, a float partial read as ``complex(p)``
    where one is complex), computed on Python's numbers
    (:func:`dualgrad.rules._table.number_tangent_function`) without the lift and the
    dispatch (``d.real`` ~10 -> ~2 us, ``abs(d)`` ~15 -> ~4: a transfer matrix's
    ``is_forward_angle`` and reflectance).  ``value(v)``, NumPy's value (of the kind
    :attr:`~dualgrad.rules._table.Rule.number_tangents` expects), is called only once
    ``d`` passed.
    ``None``, having computed nothing, for anything else (nested or vector
    kind duals, an escaped dual, a holomorphic tag, where the general path refuses;
    infinite or NaN numbers where the tangent computes; a division by zero, a square
    root of a negative float, where NumPy's answer is inf or NaN)."""
    tag = d.tag
    if getattr(type(d), "_kind", None) != "slots" or tag not in _base.LIVE or \
            tag in _base.HOLOMORPHIC:
        return None
    ps = d._plist()
    tangents = rule.number_tangents
    if tangents[3]:                 # one source for floats, complex numbers and both
        if not _FLOAT_COMPLEX.issuperset(map(type, ps)):
            return None
        fn, arithmetic = tangents[2]
    else:
        floats = complexes = False
        for p in ps:
            tp = type(p)
            if tp is complex:
                complexes = True
            elif tp is float:
                floats = True
            else:
                return None         # (both: the source reads a float p as complex(p))
        fn, arithmetic = tangents[2 if floats and complexes else complexes]
    v = d.value
    if fn is None or type(v) is not complex or arithmetic and not (
            cmath.isfinite(v) and all(map(cmath.isfinite, ps))):
        return None
    out = value(v)
    try:
        partials = fn(v, out, ps)
    except (ArithmeticError, ValueError):   # (a division by 0, math.sqrt of a negative)
        return None
    return make_scalar(out, partials, tag)


_FLOAT_COMPLEX = frozenset((float, complex))


def make_scalar(value, partials, tag):
    """A scalar dual from a value and ``n`` partials (a sequence, an array of
    shape ``(n,)``, or an array dual of shape ``(n,)`` for nested duals)."""
    n = len(partials)
    if n <= MAX_SLOTS:
        if type(partials) is not list and type(partials) is not tuple:
            partials = partials.tolist() if type(partials) is np.ndarray else \
                [partials[k] for k in range(n)]
        tv = type(value)                # (a complex value is the test's answer at once)
        if tv is complex or (tv is not float or type(sum(partials, 0.0)) is not float) and \
                _holds_complex(value, partials):       # (the test's cheap half inline)
            return scalar_class(n, True)._from(value, partials, tag)
        return (_CLASSES.get(n) or scalar_class(n))._from(value, partials, tag)
    if type(partials) is np.ndarray:
        partials = partials.copy()      # a row of an array dual: keep a snapshot, not a view
    elif type(partials) is list or type(partials) is tuple:
        partials = stack_scalars(list(partials)) if any(isinstance(p, Dual) for p in partials) \
            else numeric(partials)
    return scalar_class(n, _holds_complex(value, partials))._from(value, partials, tag)


def scalars_from_rows(values, partials, tag):
    """Scalar duals for float ``values`` of shape ``(m,)`` and ``partials`` rows of
    shape ``(m, n)``, converted once for all rows (the elements of an array dual)."""
    if values.dtype.kind == "c" or partials.dtype.kind == "c":
        return [make_scalar(v, p, tag) for v, p in zip(values.tolist(), partials)]
    n = partials.shape[-1]
    if n <= MAX_SLOTS:              # the class's own loop: no call per element
        return (_CLASSES.get(n) or scalar_class(n))._rows(values.tolist(), partials.tolist(),
                                                          tag)
    build = scalar_class(n)._from
    rows = partials.copy()          # a snapshot: each element keeps a view of its row
    return [build(v, r, tag) for v, r in zip(values.tolist(), rows)]


_UNREAD = {}                        # a scalar class -> its twin that notes the first read


def unread_class(cls):
    """``cls``'s twin for the elements of an object array made of a dual array
    (``ArrayDual.__array__``): the first read of an element's value, tag or partials,
    by its own methods or another dual's, turns it into a plain ``cls`` (the same
    layout: ``__class__`` is assigned), so that an object array a library computed
    with can be told from one it refused without reading an element
    (:func:`dualgrad.errors.object_array_made`).  Nothing else changes: the twin has
    ``cls``'s name and methods, and no element stays one once used."""
    twin = _UNREAD.get(cls)
    if twin is None:
        body = {"__slots__": (), "__module__": cls.__module__,
                "__qualname__": cls.__qualname__}
        for klass in cls.__mro__:
            for name in getattr(klass, "__slots__", ()):
                if name not in body and name not in ("__weakref__", "__dict__"):
                    body[name] = _first_read(cls, klass.__dict__[name])
        twin = _UNREAD[cls] = type(cls.__name__, (cls,), body)
        _TWINS.add(twin)
        if cls in _REAL:            # (the same slots, read as cls's: real too)
            _REAL.add(twin)
    return twin


_TWINS = set()


def untouched(items):
    """Is every element of ``items`` (an object array) still an unread twin?  (C loops
    only, stopping at the first element read: ~0.2 us against ~0.5 for ``all`` of a
    generator at n = 2, run at every helper's end after an ``np.asarray`` of its seed.)"""
    return _TWINS.issuperset(map(type, items))


def _first_read(cls, slot):
    """A property over ``slot`` that makes the element a ``cls`` before it reads or
    writes."""
    get, put = slot.__get__, slot.__set__       # (bound once: no lookup per read)

    def read(self):
        self.__class__ = cls
        return get(self, cls)

    def write(self, value):
        self.__class__ = cls
        put(self, value)
    return property(read, write)


# the watched twins by class (one _WATCHED above is dg.quad's operators, another watch)
_TWINS_WATCHED: dict = {}
_TWINS_WATCHED_SET: set = set()
# what NumPy's object loops call on an element: operators (reflected ones too), and the
# ufunc-named methods (np.sin.at(y, i) calls y[i].sin())
_WATCH_CHECKED = ("__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__",
                  "__divmod__", "__pow__", "__lt__", "__le__", "__gt__", "__ge__", "__eq__",
                  "__ne__", "__neg__", "__pos__", "__abs__", "__bool__", "__round__",
                  "__trunc__", "__floor__", "__ceil__")
_WATCH_PLAIN = ("__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__rfloordiv__",
                "__rmod__", "__rdivmod__", "__rpow__")


def watched_class(cls):
    """``cls``'s twin for the elements of ``np.asarray``'s snapshot of an array dual of
    no helper call (``dg.Dual(...)``, tag 0): NumPy's ``ufunc.at`` writes past the
    snapshot's read-only flag, calling the element's operator (``__add__``, ``__neg__``,
    ``__ge__`` for maximum, ``sin`` for np.sin ...) from C, so that the operator's
    caller is the frame that called ``.at``: each of the twin's operators asks
    :func:`dualgrad.dual._snapshots.at_write` first (refused at the call: attack72
    F2, silent; a helper's snapshots are guarded at its pass's end instead,
    ``_snapshots.guard``, at no cost to their elements).  The element stays a twin
    (an unread twin turns into a plain ``cls`` at its first read; a later ``.at``
    would not be seen), and runs each operator as a ``cls`` (its class set for the
    call, so that the operators' fast branches, which test for ``cls``, take it)."""
    twin = _TWINS_WATCHED.get(cls)
    if twin is None:
        body = {"__slots__": (), "__module__": cls.__module__,
                "__qualname__": cls.__qualname__, "__hash__": cls.__hash__}
        names = [n for n in dir(cls) if n in _WATCH_CHECKED or n in _WATCH_PLAIN or
                 isinstance(getattr(np, n, None), np.ufunc)]
        for name in names:
            fn = getattr(cls, name, None)
            if callable(fn):
                body[name] = _watched_op(cls, fn, "__" + name[3:]
                                         if name in _WATCH_PLAIN else None)
        twin = _TWINS_WATCHED[cls] = type(cls.__name__, (cls,), body)
        twin.__slots__ = cls.__slots__  # (read as cls's: directions() counts them; no
        # new slots, the class attribute alone)
        _TWINS_WATCHED_SET.add(twin)
        if cls in _REAL:
            _REAL.add(twin)
    return twin


def _watched_op(cls, fn, forward=None):
    """``fn`` (``cls``'s operator) for :func:`watched_class`'s twin: where a snapshot
    lives, :func:`_at_write` with the caller's frame (a reflected one too: NumPy's
    reciprocal loop computes ``1 / y[i]``, Python's ``__rtruediv__``); then ``fn`` on the
    element (and a watched other operand) as a ``cls``, the twin's class put back.
    ``forward``: ``fn`` is reflected (``__radd__``), which Python calls first on a
    subclass on the right (``total + y[i]`` in a sum): a dual on the left runs its
    own ``forward`` operator (its fast branch; the reflected one's is for numbers)."""
    watched = _TWINS_WATCHED_SET
    getframe = sys._getframe
    calls = _AT_TABLE[0]

    def op(self, *args):
        if _SNAPSHOTS_LIVE[0]:
            frame = getframe(1)         # (a caller already read and no .at: one lookup)
            if calls.get((frame.f_code, frame.f_lasti)) is not False:
                _at_write(self, frame)
        kind = type(self)
        self.__class__ = cls
        other = args[0] if args and type(args[0]) in watched else None
        if other is not None:
            other_kind = type(other)
            other.__class__ = other_kind.__bases__[0]
        try:
            if forward is not None and args and isinstance(args[0], Dual):
                result = getattr(type(args[0]), forward)(args[0], self)
                if result is not NotImplemented:
                    return result
            return fn(self, *args)
        finally:
            self.__class__ = kind
            if other is not None:
                other.__class__ = other_kind
    op.__name__ = op.__qualname__ = fn.__name__
    return op


_SNAPSHOTS_LIVE = [None]      # [_snapshots.LIVE], set at the first twin's snapshot


def watched_twins(items):
    """``items`` (scalar duals just made, or their unread twins) as their
    :func:`watched_class` twins, in place."""
    if _SNAPSHOTS_LIVE[0] is None:
        from ._snapshots import _AT_CALLS, LIVE, at_write
        _SNAPSHOTS_LIVE[0], _AT_TABLE[0], _AT_WRITE[0] = LIVE, _AT_CALLS, at_write
    last = twin = None
    for item in items:
        kind = type(item)
        if kind is not last:
            last = kind
            twin = watched_class(kind.__bases__[0] if kind in _TWINS else kind)
        item.__class__ = twin
    return items


def _at_write(element, frame):
    """:func:`dualgrad.dual._snapshots.at_write` (imported at the first watched
    snapshot, :func:`watched_twins`)."""
    _AT_WRITE[0](element, frame)


_AT_WRITE = [None]       # [_snapshots.at_write]
_AT_TABLE = [None]       # [_snapshots._AT_CALLS]: (code, offset) -> calls a ufunc's .at


def unread_rows(n):
    """``rows(values, rows, tag)``: what ``unread_twins(scalar_class(n)._rows(values,
    rows, tag))`` returns (the :func:`unread_class` twins of the real class with ``n``
    slots, one per row of lists of floats), made in one loop: the class's generated
    ``_unread_rows`` with the twin bound as its last argument's default."""
    cls = scalar_class(n)
    build = cls._unread_rows
    return types.FunctionType(build.__code__, build.__globals__, build.__name__,
                              (unread_class(cls),))


def unread_twins(items):
    """``items`` (scalar duals just made) as their :func:`unread_class` twins, in place."""
    last = twin = None
    for item in items:
        kind = type(item)
        if kind is not last:
            last, twin = kind, unread_class(kind)
        item.__class__ = twin
    return items


_ENTRY_POINTS = ("apply", "call_ufunc", "call_unary_with_out", "call_with_out", "dispatch",
                 "hush", "small", "stack_lean", "stack_scalars", "unhush", "lean_power_mixed",
                 "lean_constant", "quiet")


def connect(**entry_points):
    """Hand this module the entry points of the layers above it (names in
    ``_ENTRY_POINTS``); called once by each of them when it is imported."""
    unknown = set(entry_points) - set(_ENTRY_POINTS)
    if unknown:
        raise ValueError(f"dualgrad.dual._scalar.connect(): unknown entry points {unknown}")
    held = {"call_ufunc", "call_unary_with_out", "call_with_out", "hush", "unhush",
            "lean_power_mixed", "quiet"}
    if _CLASSES and set(entry_points) & held:
        raise RuntimeError("dualgrad.dual._scalar.connect(): the generated classes hold "
                           f"{', '.join(sorted(held))}; they cannot change now")
    globals().update(entry_points)
