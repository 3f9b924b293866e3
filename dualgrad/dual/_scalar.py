"""Scalar duals: small classes generated from the rule table.

A scalar dual with ``n <= 16`` partials is an instance of a class with one slot
for the value, one per partial (``p0`` ... ``p{n-1}``) and one for the tag; with
more, one slot holds all partials as a small array (the "vector" kind, flat
cost in ``n``).  The classes are generated on first use from the rule table:
the operators whose Python spelling on floats means the same as the ufunc
(``+``, ``-``, ``*``, ``/`` and ``**`` by a constant) and the unary ufuncs get
their derivative expressions inlined, so plain-Python simulation loops never
touch NumPy's array machinery or numba.  Everything else, and every unusual
case on the fast path (division by zero, an infinite local derivative, mixed
tags, nested duals), goes through the general dispatch
:func:`dualgrad.dispatch._ufuncs.call`, which gives NumPy's results.

This module imports nothing above the dual wing: the dispatch entry points the
classes call (``apply``, ``call_ufunc``, ``call_unary_with_out``, ``dispatch``)
and the array kind's ``stack_scalars`` are handed to :func:`connect` by the layers
that own them (:mod:`dualgrad.dispatch` and :mod:`dualgrad.dual._array`) when
they are imported, before any class is generated.

The classes have no ``__len__`` or ``__getitem__`` so that NumPy treats them as
opaque objects: ``np.array([d1, d2])`` gives an object array.
"""

import math

import numpy as np

from . import _base
from .. import errors
from ._base import Dual, numeric
from ..rules._table import RULES, rule_for

# Entry points of higher layers, handed over by connect() (see the module docstring).
apply = call_ufunc = call_unary_with_out = dispatch = small = stack_scalars = None

__all__ = ["ScalarDual", "scalar_class", "make_scalar", "scalars_from_rows", "connect"]


# The ufuncs whose operators the generated classes inline (see _FAST), and the
# numbers those operators take on their inlined path.
_OPERATORS = {np.add: ("__add__", "__radd__"), np.subtract: ("__sub__", "__rsub__"),
              np.multiply: ("__mul__", "__rmul__"), np.true_divide: ("__truediv__",
                                                                  "__rtruediv__")}
_NUMBERS = frozenset({float, int, np.float64})


class ScalarDual(Dual):
    """Behaviour shared by the generated scalar classes."""

    __slots__ = ()
    _UNARY = {}
    _kind = "slots"
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
            arr[:] = ps
            return arr
        return numeric(ps)

    def __repr__(self):
        ps = ", ".join(repr(p) for p in self._plist())
        dead = "" if self.tag in _base.LIVE else ", escaped its call"
        return f"Dual({self.value!r}, [{ps}]{dead})"

    def __bool__(self):
        return bool(self.value)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs and len(inputs) == 1:
            fast = self._UNARY.get(ufunc)
            if fast is not None:
                return fast(self)
        if method == "__call__" and not kwargs and len(inputs) == 2:
            names = _OPERATORS.get(ufunc)     # np.float64(2.0) * d: NumPy's scalar
            if names is not None:             # asks the ufunc; the operator's own path
                a, b = inputs
                if b is self and type(a) in _NUMBERS:
                    return getattr(self, names[1])(a)
                if a is self and type(b) in _NUMBERS:
                    return getattr(self, names[0])(b)
        if method == "__call__" and not kwargs:           # an array operand: arr * d
            rule = RULES.get(ufunc)
            if rule is None:
                rule = rule_for(ufunc)            # scipy.special's rules load on first use
            if rule is not None:
                result = small(rule, inputs)
                if result is not None:
                    return result
        return apply(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return dispatch(func, args, kwargs, like=self)


    def copy(self):
        return self + 0.0

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
        return np.real(self) if self._complex() else self

    def _complex(self):
        v = self.value
        while isinstance(v, Dual):
            v = v.value
        return type(v) is complex or any(type(p) is complex or isinstance(p, Dual)
                                         and p._complex() for p in self._plist())

    @property
    def T(self):
        return self


_CLASSES = {}

# Operators whose Python spelling on two floats means the same as the ufunc.
_FAST = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**"}
_REFLECTED_FAST = {"add", "sub", "mul", "truediv"}


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


def _build(lines, n, value, terms_of_k):
    """Lines building the result ``r`` with partial k from ``terms_of_k(k)``.

    ``n=None`` builds the vector kind: one array expression for all partials.
    """
    lines.append("        r = _new(C)")
    lines.append(f"        r.value = {value}")
    for k in (range(n) if n is not None else [None]):
        lines.append(f"        {_p('r', k)} = {terms_of_k(k)}")
    lines.append("        r.tag = a.tag")
    lines.append("        return r")


def _fast_binary(stem, symbol, rule, n):
    e0, e1 = rule.exprs
    lines = [f"def __{stem}__(a, b):", "    tb = type(b)"]
    if stem != "pow":                   # dual ** dual takes the general path
        lines += ["    if tb is C and b.tag == a.tag:", "        x = a.value",
                  "        y = b.value"]
        if symbol == "/":               # float + - * float cannot raise
            lines += ["        try:", f"            out = x {symbol} y",
                      "        except ZeroDivisionError:", "            return _call(U, a, b)"]
        else:
            lines.append(f"        out = x {symbol} y")
        (bind0, f0), (bind1, f1) = _factor("f0", e0), _factor("f1", e1)
        lines += bind0 + bind1
        check = _finite_check([(e0, f0), (e1, f1)])
        if check:
            lines.append(f"        if not ({check}): return _call(U, a, b)")
        _build(lines, n, "out",
               lambda k: _plus(_term(e0, f0, _p("a", k)), _term(e1, f1, _p("b", k))))
    lines += ["    if tb is float or tb is int or tb is _f64:", "        x = a.value",
              "        y = b if tb is not _f64 else float(b)",
              "        try:", f"            out = x {symbol} y",
              "        except (ZeroDivisionError, OverflowError):",
              "            return _call(U, a, b)"]
    if stem == "pow":
        lines.append("        if type(out) is complex: return _call(U, a, b)")
        # d ** 2 is np.square(d), as NumPy's ** does for arrays: the square's local
        # derivative (the power rule's own at y = 2, to the bit) without its where()
        square = RULES[np.square].exprs[0].source()
        lines += ["        try:", f"            f0 = ({square}) if y == 2.0 else {e0.source()}",
                  "        except (ZeroDivisionError, OverflowError):",
                  "            return _call(U, a, b)"]
        f0 = "f0"
    else:
        bind0, f0 = _factor("f0", e0)
        lines += bind0
    check = _finite_check([(e0, f0)])
    if check:
        lines.append(f"        if not ({check}): return _call(U, a, b)")
    _build(lines, n, "out", lambda k: _term(e0, f0, _p("a", k)))
    lines.append("    return _call(U, a, b)")
    return "\n".join(lines)


def _fast_reflected(stem, symbol, rule, n):
    e1 = rule.exprs[1]
    lines = [f"def __r{stem}__(a, b):", "    tb = type(b)",
             "    if tb is float or tb is int or tb is _f64:",
             "        x = b if tb is not _f64 else float(b)", "        y = a.value",
             "        try:", f"            out = x {symbol} y",
             "        except ZeroDivisionError:", "            return _call(U, b, a)"]
    bind1, f1 = _factor("f1", e1)
    lines += bind1
    check = _finite_check([(e1, f1)])
    if check:
        lines.append(f"        if not ({check}): return _call(U, b, a)")
    _build(lines, n, "out", lambda k: _term(e1, f1, _p("a", k)))
    lines.append("    return _call(U, b, a)")
    return "\n".join(lines)


def _fast_ufunc(u, rule, n):
    """A unary smooth ufunc on a float-valued dual, its derivative inlined.

    The derivative is evaluated with the ``math`` twins of its NumPy calls
    (:meth:`dualgrad.rules._expr.Expr.math_source`): on Python floats a singular
    point raises (caught: the general path then gives NumPy's inf/NaN) instead of
    warning, and ``np.seterr(all="raise")`` in user code is respected.  Anything
    unusual (a nested value, a singular point, a non-finite local derivative)
    takes the general path, which gives NumPy's results.
    """
    e0 = rule.exprs[0]
    lines = [f"def _fast_{rule.name}(a):", "    if a.tag not in _L: return _call(U, a)",
             "    x = a.value",
             "    if type(x) is not float: return _call(U, a)", "    out = float(U(x))",
             "    try:", f"        f0 = {e0.math_source()}",
             "    except (ZeroDivisionError, ValueError, OverflowError):",
             "        return _again(U, a, out)",
             "    if not (f0 - f0 == 0.0): return _again(U, a, out)", "    if True:"]
    _build(lines, n, "out", lambda k: _term(e0, "f0", _p("a", k)))
    return "\n".join(lines).replace("(U,", f"({u},").replace("U(x)", f"{u}(x)")


def _fast_unary(stem, rule, n):
    symbol = {"neg": "-", "pos": "+"}[stem]
    lines = [f"def __{stem}__(a):", "    if True:"]
    _build(lines, n, f"{symbol}a.value",
           lambda k: _term(rule.exprs[0], "f0", _p("a", k)))
    return "\n".join(lines)


def _generate(n):
    """The class with ``n`` partials (``None``: the vector kind), compiled from the
    table in its own namespace."""
    methods = []
    namespace = {"np": np, "_new": object.__new__, "_f64": np.float64,
                 "_call": call_ufunc, "_again": call_unary_with_out, "math": math,
                 "_L": _base.LIVE}                 # live tags: escaped duals raise
    from ..rules._table import _NAMESPACE
    namespace.update(_NAMESPACE)
    if n is None:
        slots = ("value", "tag", "partials")
        methods.append("def _plist(self):\n    p = self.partials\n"
                       "    return p.tolist() if type(p) is np.ndarray else list(p)")
        methods.append("def _from(value, partials, tag):\n    r = _new(C)\n"
                       "    r.value = value\n    r.tag = tag\n    r.partials = partials\n"
                       "    return r")
    else:
        slots = ("value", "tag") + tuple(f"p{k}" for k in range(n))
        plist = ", ".join(f"self.p{k}" for k in range(n))
        methods.append(f"def _plist(self):\n    return [{plist}]")
        targets = "".join(f"r.p{k}, " for k in range(n))
        methods.append(f"def _from(value, partials, tag):\n    r = _new(C)\n"
                       f"    r.value = value\n    r.tag = tag\n    {targets}= partials\n"
                       "    return r")
    unary = {}
    for rule in list(RULES.values()):
        stem = rule.operator
        u = f"_u_{rule.name}"
        namespace[u] = rule.ufunc
        if rule.kind == "smooth" and rule.ufunc.nin == 1 and \
                rule.exprs[0] is not None and not _unit(rule.exprs[0]) and \
                rule.exprs[0].math_source() is not None:
            methods.append(_fast_ufunc(u, rule, n))
            unary[rule.ufunc] = f"_fast_{rule.name}"
        if rule.kind in ("smooth", "zero") and rule.ufunc.nin <= 2:
            methods.append(f"def {rule.name}(a, *b):\n    return _call({u}, a, *b)")
        if not stem or rule.kind == "predicate" or stem == "matmul":
            continue
        if stem in _FAST:
            body = _fast_binary(stem, _FAST[stem], rule, n)
            methods.append(body.replace("(U,", f"({u},"))
        elif stem in ("neg", "pos"):
            methods.append(_fast_unary(stem, rule, n).replace("(U,", f"({u},"))
        elif rule.ufunc.nin == 1:
            methods.append(f"def __{stem}__(a):\n    return _call({u}, a)")
        else:
            methods.append(f"def __{stem}__(a, b):\n    return _call({u}, a, b)")
        if rule.ufunc.nin == 2:
            if stem in _REFLECTED_FAST:
                body = _fast_reflected(stem, _FAST[stem], rule, n)
                methods.append(body.replace("(U,", f"({u},"))
            else:
                methods.append(f"def __r{stem}__(a, b):\n    return _call({u}, b, a)")
    source = "\n\n".join(methods)
    exec(compile(source, f"<dualgrad scalar dual, n={n}>", "exec"), namespace)  # noqa: S102
    name = f"ScalarDual{n}" if n is not None else "ScalarDualVector"
    body = {"__slots__": slots, "__module__": __name__, "__qualname__": name,
            "_kind": "slots" if n is not None else "vector"}
    for key, obj in namespace.items():
        if callable(obj) and getattr(obj, "__code__", None) is not None and \
                obj.__code__.co_filename.startswith("<dualgrad scalar"):
            body[key] = obj
    body["_UNARY"] = {u: namespace[key] for u, key in unary.items()}
    body["_from"] = staticmethod(namespace["_from"])
    for key in unary.values():
        del body[key]
    cls = type(name, (ScalarDual,), body)
    namespace["C"] = cls
    return cls


# Up to this many partials a scalar dual has one slot each (cheapest per
# operation); beyond it, one small array (flat cost in n).  DESIGN.md measured
# the crossover at n = 16.
MAX_SLOTS = 16


def scalar_class(n):
    """The scalar dual class for ``n`` partials (generated on first use)."""
    key = n if n <= MAX_SLOTS else None
    cls = _CLASSES.get(key)
    if cls is None:
        cls = _CLASSES[key] = _generate(key)
    return cls


def make_scalar(value, partials, tag):
    """A scalar dual from a value and ``n`` partials (a sequence, an array of
    shape ``(n,)``, or an array dual of shape ``(n,)`` for nested duals)."""
    n = len(partials)
    if n <= MAX_SLOTS:
        if type(partials) is not list and type(partials) is not tuple:
            partials = partials.tolist() if type(partials) is np.ndarray else \
                [partials[k] for k in range(n)]
        return (_CLASSES.get(n) or scalar_class(n))._from(value, partials, tag)
    if type(partials) is np.ndarray:
        partials = partials.copy()      # a row of an array dual: keep a snapshot, not a view
    elif type(partials) is list or type(partials) is tuple:
        partials = stack_scalars(list(partials)) if any(isinstance(p, Dual) for p in partials) \
            else numeric(partials)
    return (_CLASSES.get(None) or scalar_class(n))._from(value, partials, tag)


def scalars_from_rows(values, partials, tag):
    """Scalar duals for float ``values`` of shape ``(m,)`` and ``partials`` rows of
    shape ``(m, n)``, converted once for all rows (the elements of an array dual)."""
    n = partials.shape[-1]
    build = scalar_class(n)._from
    rows = partials.tolist() if n <= MAX_SLOTS else partials.copy()   # snapshots
    return [build(v, r, tag) for v, r in zip(values.tolist(), rows)]


_ENTRY_POINTS = ("apply", "call_ufunc", "call_unary_with_out", "dispatch", "small",
                 "stack_scalars")


def connect(**entry_points):
    """Hand this module the entry points of the layers above it (names in
    ``_ENTRY_POINTS``); called once by each of them when it is imported."""
    unknown = set(entry_points) - set(_ENTRY_POINTS)
    if unknown:
        raise ValueError(f"dualgrad.dual._scalar.connect(): unknown entry points {unknown}")
    if _CLASSES and set(entry_points) & {"call_ufunc", "call_unary_with_out"}:
        raise RuntimeError("dualgrad.dual._scalar.connect(): the generated classes hold "
                           "call_ufunc and call_unary_with_out; they cannot change now")
    globals().update(entry_points)
