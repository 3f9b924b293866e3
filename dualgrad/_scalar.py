"""Scalar duals: small slot classes generated per number of partials.

A scalar dual with ``n`` partials is an instance of a class with one slot for
the value, one per partial (``p0`` ... ``p{n-1}``) and one for the tag.  The
classes are generated on first use of each ``n`` from the rule table: the
operators whose Python spelling on floats means the same as the ufunc (``+``,
``-``, ``*``, ``/`` and ``**`` by a constant) get their derivative expressions
inlined, so plain-Python simulation loops never touch NumPy's array machinery
or numba.  Everything else, and every unusual case on the fast path (division
by zero, an infinite local derivative, mixed tags), goes through the general
dispatch :func:`dualgrad._ufuncs.call`, which gives NumPy's results.

The classes have no ``__len__`` or ``__getitem__`` so that NumPy treats them as
opaque objects: ``np.array([d1, d2])`` gives an object array.
"""

import numpy as np

from . import _base
from ._base import Dual, primal
from ._rules import RULES
from ._ufuncs import apply, call_ufunc

__all__ = ["ScalarDual", "scalar_class", "make_scalar"]


class ScalarDual(Dual):
    """Behaviour shared by the generated scalar classes."""

    __slots__ = ()
    ndim = 0
    shape = ()
    size = 1

    @property
    def partials(self):
        """The partials as a new float (or object) ndarray of shape ``(n,)``."""
        ps = self._plist()
        if any(isinstance(p, Dual) for p in ps):
            arr = np.empty(len(ps), dtype=object)
            arr[:] = ps
            return arr
        return np.array(ps, dtype=float)

    def __repr__(self):
        ps = ", ".join(repr(p) for p in self._plist())
        return f"Dual({self.value!r}, [{ps}])"

    def __bool__(self):
        return bool(self.value)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return apply(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from ._functions import dispatch
        return dispatch(func, args, kwargs)

    def __lt__(self, other):
        return primal(self) < primal(other)

    def __le__(self, other):
        return primal(self) <= primal(other)

    def __gt__(self, other):
        return primal(self) > primal(other)

    def __ge__(self, other):
        return primal(self) >= primal(other)

    def __eq__(self, other):
        return primal(self) == primal(other)

    def __ne__(self, other):
        return primal(self) != primal(other)

    def copy(self):
        return self + 0.0

    @property
    def real(self):
        return self

    @property
    def T(self):
        return self


_CLASSES = {}

# Operators whose Python spelling on two floats means the same as the ufunc.
_FAST = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**"}
_REFLECTED_FAST = {"add", "sub", "mul", "truediv"}
_CONSTANTS = {"1.0": "{p}", "-1.0": "-{p}"}


def _term(expr, factor, p):
    """Source of one partial term: ``factor * p``, simplified for +-1."""
    if expr in _CONSTANTS:
        return _CONSTANTS[expr].format(p=p)
    return f"{factor} * {p}"


def _finite_check(exprs_factors):
    tests = [f"{f} - {f} == 0.0" for e, f in exprs_factors if e not in _CONSTANTS]
    return " and ".join(tests)


def _build(lines, n, value, terms_of_k):
    """Lines building the result ``r`` with partial k from ``terms_of_k(k)``."""
    lines.append("        r = _new(C)")
    lines.append(f"        r.value = {value}")
    for k in range(n):
        lines.append(f"        r.p{k} = {terms_of_k(k)}")
    lines.append("        r.tag = a.tag")
    lines.append("        return r")


def _fast_binary(stem, symbol, rule, n):
    e0, e1 = rule.derivs
    lines = [f"def __{stem}__(a, b):", "    tb = type(b)"]
    if stem != "pow":                   # dual ** dual takes the general path
        lines += ["    if tb is C and b.tag == a.tag:", "        x = a.value", "        y = b.value",
                  "        try:", f"            out = x {symbol} y",
                  "        except ZeroDivisionError:", "            return _call(U, a, b)",
                  f"        f0 = {e0}", f"        f1 = {e1}"]
        check = _finite_check([(e0, "f0"), (e1, "f1")])
        if check:
            lines.append(f"        if not ({check}): return _call(U, a, b)")
        _build(lines, n, "out",
               lambda k: f"{_term(e0, 'f0', f'a.p{k}')} + {_term(e1, 'f1', f'b.p{k}')}")
    lines += ["    if tb is float or tb is int or tb is _f64:", "        x = a.value",
              "        y = b if tb is not _f64 else float(b)",
              "        try:", f"            out = x {symbol} y",
              "        except (ZeroDivisionError, OverflowError):",
              "            return _call(U, a, b)"]
    if stem == "pow":
        lines.append("        if type(out) is complex: return _call(U, a, b)")
        lines += ["        try:", f"            f0 = {e0}",
                  "        except (ZeroDivisionError, OverflowError):",
                  "            return _call(U, a, b)"]
    else:
        lines.append(f"        f0 = {e0}")
    check = _finite_check([(e0, "f0")])
    if check:
        lines.append(f"        if not ({check}): return _call(U, a, b)")
    _build(lines, n, "out", lambda k: _term(e0, "f0", f"a.p{k}"))
    lines.append("    return _call(U, a, b)")
    return "\n".join(lines)


def _fast_reflected(stem, symbol, rule, n):
    e1 = rule.derivs[1]
    lines = [f"def __r{stem}__(a, b):", "    tb = type(b)",
             "    if tb is float or tb is int or tb is _f64:",
             "        x = b if tb is not _f64 else float(b)", "        y = a.value",
             "        try:", f"            out = x {symbol} y",
             "        except ZeroDivisionError:", "            return _call(U, b, a)",
             f"        f1 = {e1}"]
    check = _finite_check([(e1, "f1")])
    if check:
        lines.append(f"        if not ({check}): return _call(U, b, a)")
    _build(lines, n, "out", lambda k: _term(e1, "f1", f"a.p{k}"))
    lines.append("    return _call(U, b, a)")
    return "\n".join(lines)


def _fast_unary(stem, rule, n):
    symbol = {"neg": "-", "pos": "+"}[stem]
    lines = [f"def __{stem}__(a):", "    if True:"]
    _build(lines, n, f"{symbol}a.value",
           lambda k: _term(rule.derivs[0], "f0", f"a.p{k}"))
    return "\n".join(lines)


def _generate(n):
    """Source for the class with ``n`` partials, compiled in its own namespace."""
    methods = []
    namespace = {"np": np, "_new": object.__new__, "_f64": np.float64,
                 "_call": call_ufunc}
    from ._rules import _NAMESPACE
    namespace.update(_NAMESPACE)
    slots = ("value", "tag") + tuple(f"p{k}" for k in range(n))
    plist = ", ".join(f"self.p{k}" for k in range(n))
    methods.append(f"def _plist(self):\n    return [{plist}]")
    for rule in list(RULES.values()):
        stem = rule.operator
        u = f"_u_{rule.name}"
        namespace[u] = rule.ufunc
        if rule.kind in ("smooth", "zero") and rule.ufunc.nin <= 2:
            methods.append(f"def {rule.name}(a, *b):\n    return _call({u}, a, *b)")
        if not stem or rule.kind == "predicate" or stem == "matmul":
            continue
        if stem in _FAST:
            body = _fast_binary(stem, _FAST[stem], rule, n)
            methods.append(body.replace("(U,", f"({u},"))
        elif stem in ("neg", "pos"):
            methods.append(_fast_unary(stem, rule, n))
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
    body = {"__slots__": slots, "__module__": __name__,
            "__qualname__": f"ScalarDual{n}"}
    for name, obj in namespace.items():
        if callable(obj) and getattr(obj, "__code__", None) is not None and \
                obj.__code__.co_filename.startswith("<dualgrad scalar"):
            body[name] = obj
    cls = type(f"ScalarDual{n}", (ScalarDual,), body)
    namespace["C"] = cls
    return cls


def scalar_class(n):
    """The scalar dual class with ``n`` partials (generated on first use)."""
    cls = _CLASSES.get(n)
    if cls is None:
        cls = _CLASSES[n] = _generate(n)
    return cls


_new = object.__new__


def make_scalar(value, partials, tag):
    cls = _CLASSES.get(len(partials)) or scalar_class(len(partials))
    r = _new(cls)
    r.value = value
    r.tag = tag
    for k, p in enumerate(partials):
        setattr(r, f"p{k}", p)
    return r


_base.register(scalar=make_scalar)
