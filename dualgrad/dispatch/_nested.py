"""A ufunc on scalar duals of scalar duals (a Hessian's two levels) in few steps
(issue 13, hess43).

The scalar classes inline a ufunc on float values only; on a nested dual (an outer
scalar dual whose value is an inner scalar dual: ``d ** 2``, ``np.log(d)``,
``np.sin(d)`` inside ``dg.hessian``) they hand it to ``call_ufunc``, which tried
``small`` (an object array of the nested partials, then a refusal) and ran
:func:`._ufuncs.call`'s scan of every argument before its scalar case.
:func:`nested` is that scalar case alone, for the arguments it is sure of: real
scalar duals of one slot class and one live tag whose values are real scalar duals,
and Python or NumPy floats and ints.  The steps are ``call``'s own, in its order:
the values (the inner duals; the numbers as ``call`` converts them), NumPy's ufunc
on them (the inner level's own operators), the table's local derivatives
(``derivative_functions``), ``_scalar_partials`` / ``_select_scalar`` (ties decided
by the second order, as there), ``_kink_scalar`` for ``np.abs`` / ``copysign`` at 0 (tie43),
``make_scalar``; so the result is ``call``'s to the
bit.  Anything else (a predicate or custom rule, another class or tag, an escaped
dual, a complex or float value, an argument not differentiable there) returns
``None`` having computed nothing, and the general path runs with its checks and
errors.
"""

import numpy as np

from ..dual import LIVE, make_scalar
from ..dual._scalar import _REAL
from ..rules._table import _COMPILED, derivative_functions
from ._ufuncs import (_KINKS, _as_scalar, _hush, _kink_scalar, _kink_sign, _promoted,
                      _scaled, _scalar_partials, _select_scalar, _unhush)

__all__ = ["nested"]

_f64 = np.float64


def nested(rule, args):
    """``call(rule, args)`` for nested real scalar duals (see the module's docstring),
    or ``None`` having computed nothing."""
    kind = rule.kind
    if kind != "smooth" and kind != "zero":
        return None
    cls = tag = None
    values, duals = [], []
    for k, a in enumerate(args):
        t = type(a)
        if t is float:
            values.append(_f64(a))
        elif t is int or t is _f64:
            values.append(_promoted(a, rule, k))
        elif t in _REAL and t is not float and t._kind == "slots":
            v = a.value
            if type(v) is float or type(v) not in _REAL:
                return None                 # not nested: the classes' own paths
            if cls is None:
                cls, tag = t, a.tag
            elif t is not cls or a.tag != tag:
                return None
            values.append(v)
            duals.append(k)
        else:
            return None
    if cls is None or tag not in LIVE:
        return None
    ufunc = rule.ufunc
    if ufunc is _POWER and duals == [0] and values[1] == 2.0:
        x = values[0]
        v = x.value
        if type(v) is float and v != 0.0:   # two levels, the regular branch
            return _square(args[0], x, tag)
    fns = _COMPILED.get(ufunc) or derivative_functions(rule)
    for k in duals:
        if fns[k] is None:
            return None                     # call raises, naming the argument
    if len(values) == 1:                    # what NumPy's override protocol calls:
        fast = type(values[0])._UNARY.get(ufunc)    # the inner class's inlined ufunc
        out = fast(values[0]) if fast is not None else ufunc(values[0])
    else:
        out = ufunc(*values)
    token = _hush()
    try:
        out = _as_scalar(out)
        partials = _select_scalar(fns, args, duals, values, out, rule) if rule.select else \
            _scalar_partials(fns, args, duals, values, out, rule)
        if ufunc in _KINKS and duals[0] == 0:   # |x| at 0: max(x, -x)'s second-order break
            partials = _kink_scalar(args[0], values[0], partials, _kink_sign(rule, values))
    finally:
        _unhush(token)
    return make_scalar(out, partials, tag)


_POWER = np.power


def _square(a, x, tag):
    """``a ** 2`` of a two-level dual ``a`` whose innermost value is a nonzero float
    (or NaN): ``call``'s numbers without the table's ``np.power`` row.  There ``call``
    computes ``np.power(x, 2.0)``, the inner class's ``_fast2_power``, whose value
    ``float(np.power(v, 2.0))`` is ``v * v`` and whose partials are ``2.0 * v`` times
    x's (the inner ``x ** 2`` makes the same numbers, and goes to ``_fast2_power``
    itself where they are not finite); and the local derivative
    ``y * x ** (y - 1.0)`` (the row's branch at ``value(x) != 0``), which is
    ``2.0 * x`` to the bit: ``x ** 1.0`` is ``x`` (``np.power(v, 1.0)``, partials
    ``1.0 * p``) and NumPy's float64 ``2.0 * d`` is the inner ``__rmul__``.  The
    partials are ``_scaled``'s, as ``_scalar_partials`` takes them."""
    token = _hush()
    try:
        partials = _scaled(2.0 * x, a._plist())
    finally:
        _unhush(token)
    return make_scalar(x ** 2, partials, tag)
