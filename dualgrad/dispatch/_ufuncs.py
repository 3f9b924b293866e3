"""Ufunc dispatch: one rule of the table applied to dual numbers.

``call(rule, args)`` is the general path for every ufunc on every mix of
scalar duals, array duals, nested duals and constants.  Arguments carrying the
newest tag are the duals; everything else, duals of older tags included, is a
constant to them.  Constants contribute no partials, so a constant's local
derivative is never computed (that keeps the NaN of ``log(x)`` in ``x**c`` out
of the result).

Propagation is NaN-safe: a zero partial times an infinite local derivative
stays 0, so a NaN or inf only reaches the directions that depend on it.  A
selection row of the table (``rule.select``: maximum, minimum, fmax, fmin) takes
the partials of the argument it selects instead of multiplying by its 0/1
indicators (:func:`_selected`), so the other argument's inf or NaN partials do
not leak either.
"""

import cmath
import math
import sys

import numpy as np

from .. import backend, dual, errors
from ..dual import HOLOMORPHIC, LIVE as _LIVE, Dual, make, partials_array as _partials_array
from ..dual._scalar import _REAL as _REAL_SCALARS   # (the real classes made so far; float)
from ..dual._scalar import complex_tangent
from ..dual._array import ARGUMENT_FACTORS as _argument_factors, \
    argument_factors as _make_argument_factors, array_and_scalar as _array_and_scalar
from . import _farpower, _reductions, _second_order
from ._lean_products import LEAN_PRODUCTS
from ._quiet import _LAST, _errstate, _hush, _unhush  # (imported from here too)
from ._operands import check_holomorphic, is_complex as _is_complex, is_sparse, \
    is_sparse_matrix, operand, write_out
from ..rules._expr import LAZY
from ..rules._table import (NOT_HOLOMORPHIC, _COMPILED, _DUAL_CALL, _NAMESPACE,
                             derivative_functions, entry_form, quotient_functions, rule_for,
                             spread_functions, spread_product, tangent_function, two_step,
                             underflowed, tiny_below, TINY, value as _primal, nonzero_somewhere,
                             _HUGE as _LIFT_DOWN)

__all__ = ["apply", "call", "call_ufunc", "call_unary_with_out", "call_with_out", "lean",
           "operand", "small", "with_number"]

# operand types that are certainly not a scipy.sparse matrix (checked first: cheap)
_NUMBERS = frozenset({float, int, bool, complex, np.float64, np.float32, np.int64})

_f64 = np.float64
_c128 = np.complex128             # (ordered, as NumPy orders complex arrays; Python's is not)
_i64 = np.int64
# NumPy scalars :func:`_promoted` makes float64 (float64 itself is read as a float)
_SMALL_SCALARS = frozenset(np.dtype(c).type for c in "?bBhHiIlLqQef")


def _tag_of(args):
    tag = -1
    for a in args:
        if isinstance(a, Dual) and a.tag > tag:
            tag = a.tag
    return tag


def _as_scalar(f):
    """Python float for NumPy scalars and 0-d arrays; anything else unchanged."""
    t = type(f)
    if t is float or t is int:
        return f
    if t is _c128:                      # (NumPy's two scalars: iscomplexobj's answers
        return complex(f)               # known, ~1 us of a complex constant's product)
    if t is _f64:
        return float(f)
    if isinstance(f, np.ndarray) and f.ndim == 0 or isinstance(f, np.generic):
        return complex(f) if np.iscomplexobj(f) else float(f)
    return f


def _is_zero(q):
    """True when the scalar ``q`` is exactly zero, a nested dual's partials included."""
    if isinstance(q, Dual):
        return _is_zero(q.value) and all(_is_zero(p) for p in q._plist())
    return q == 0.0


_EXACT = frozenset({np.dtype(_f64), np.dtype(_c128)})


def _promoted(a, rule, k):
    """The constant ``a`` (argument ``k``) in the precision of the result.

    NumPy computes ``x / np.float32(0.7)`` or ``np.arctan2(x, np.int8(100))`` in
    float64, the constant promoted exactly; the local derivatives (``1 / y``,
    ``y * y``) must be too, not in the constant's float16/float32 or wrapping
    integer arithmetic.  Integers, booleans and floats below float64 become
    float64, complex64 complex128; an integer-only argument (``ldexp``'s
    exponent) stays an integer.
    """
    if type(a) is int or type(a) is bool:     # bool: u / False is inf, as NumPy's
        return _i64(a) if _integer_only(rule, k) else _f64(a)
    dtype = getattr(a, "dtype", None)
    if dtype is None or dtype in _EXACT or dtype.kind not in "biufc" or \
            dtype.itemsize > 8 and dtype.kind != "c" or _integer_only(rule, k):
        return a                            # float64/complex128 already, long double
    target = _c128 if dtype.kind == "c" else _f64
    if dtype == target or dtype.kind == "c" and dtype.itemsize > 16:
        return a
    return a.astype(target) if type(a) is np.ndarray else target(a)


def _integer_only(rule, k):
    """Is argument ``k`` of ``rule`` integer-only (its domain says ``"int"``)?"""
    return k < len(rule.domain) and rule.domain[k][2:] == ("int",)


def _scaled(f, ps):
    """``[f * p for p in ps]``, NaN-safe: a zero ``p`` gives 0 even for infinite ``f``
    (or, nested, for an ``f`` whose own partials are infinite: ``y x**(y-1)`` at 0)."""
    if _is_finite(f):
        return [f * p for p in ps]
    if isinstance(f, Dual):
        return [p if _is_zero(p) else _zero_rule_product(f, p) for p in ps]
    return [p if _is_zero(p) else _complex_product(f, p) for p in ps]


def _complex_product(f, p):
    """``f * p`` of numbers, a complex product's parts under the zero rule part by part
    where one is NaN (``backend.complex_parts``: an infinite part of ``f`` times the zero
    imaginary part of a real partial read as complex, attack73 F2)."""
    t = f * p
    if t == t or not isinstance(t, (complex, np.complexfloating)):
        return t
    return backend.complex_parts(f, p, t)


def _zero_rule_product(f, p):
    """``f * p`` for a nested local derivative ``f`` and partial ``p``, the zero rule at
    every level: ``(f p)' = f' p + f p'`` takes each term whose ``p`` side is zero as 0,
    whatever ``f``'s side (an infinite slope of ``f``).  So partial ``j`` of the product
    depends on direction ``j``'s numbers alone, as it does when ``j`` is seeded alone
    (``_is_zero(p)`` there): a Hessian's entries do not depend on ``chunk=`` (attack54 12:
    ``sqrt(x3) / (1 + x0 x4)`` at x4 = 0, H[0, 3] 0 alone but NaN beside direction 4,
    whose ``x4`` made ``p`` nonzero)."""
    if not (isinstance(p, Dual) and type(f) is type(p) and f.tag == p.tag):
        return f * p
    fv, pv = f.value, p.value
    fs, ps = f._plist(), p._plist()
    if type(fv) is float and type(pv) is float and \
            all(type(q) is float for q in fs) and all(type(q) is float for q in ps):
        token = _hush()             # the inlined product's numbers and order (p.v f.p_j +
        try:                        # f.v p.p_j), 0 for the terms a zero of p's makes, and
            fa, pa = np.array(fs), np.array(ps)     # the flat product's own zero rule
            a = pv * fa             # (a zero f.p_j beside an infinite p.v)
            if not pv - pv == 0.0:
                a[fa == 0.0] = 0.0
            elif pv == 0.0:
                a[~np.isfinite(a)] = 0.0
            b = fv * pa
            if not fv - fv == 0.0:
                b[pa == 0.0] = 0.0
            parts = (a + b).tolist()
        finally:
            _unhush(token)
        return dual.make_scalar(fv * pv if pv != 0.0 or fv - fv == 0.0 else pv, parts,
                                f.tag)
    if not all(isinstance(q, Dual) or type(q) is float for q in fs + ps):
        return f * p                # complex or other partials: the plain product
    parts = [_zero_term(fj, pv) + _zero_term(fv, pj) for fj, pj in zip(fs, ps)]
    return dual.make_scalar(_zero_term(fv, pv), parts, f.tag)


def _zero_term(f, p):
    """One term of :func:`_zero_rule_product`: ``p`` where it is zero, else the product."""
    return p if _is_zero(p) else _zero_rule_product(f, p) if isinstance(f, Dual) else f * p


def _is_finite(f):
    """True when the scalar ``f`` is finite, a nested dual's partials included."""
    if isinstance(f, Dual):
        v, ps = f.value, f._plist()
        if type(v) is float:        # one C sum: an inf or NaN anywhere makes it one
            s = sum(ps, v)          # (a finite sum: all finite; else the walk decides)
            if type(s) is float and s - s == 0.0:
                return True
        return _is_finite(v) and all(_is_finite(p) for p in ps)
    return f - f == 0.0


def ufunc_name(ufunc):
    """``np.<name>``, ``scipy.special.<name>`` for a ufunc of SciPy's (its private
    ``scipy.special._ufuncs.<name>``: ``_beta_ppf`` ...), else the ufunc's own name (a
    ``np.frompyfunc`` ufunc: ``<lambda> (vectorized)``)."""
    name = ufunc.__name__
    if getattr(np, name, None) is ufunc:
        return f"np.{name}"
    special = sys.modules.get("scipy.special")
    if special is not None and getattr(special, name, None) is ufunc:
        return f"scipy.special.{name}"
    private = sys.modules.get("scipy.special._ufuncs")     # Boost's behind scipy.stats
    if private is not None and getattr(private, name, None) is ufunc:
        return f"scipy.special._ufuncs.{name}"
    return f"the ufunc {name}"


def _python_ufunc(ufunc):
    """Is ``ufunc`` made by ``np.frompyfunc`` (object loops calling a Python function)?"""
    return all(t.replace("O", "").replace("->", "") == "" for t in ufunc.types)


def _on_objects(ufunc, inputs):
    """A ``np.frompyfunc`` ufunc on duals: its Python function called on each scalar
    dual, as it is on floats (and as ``np.vectorize`` does), results read back as duals."""
    args = []
    for a in inputs:
        if isinstance(a, Dual):
            if a._kind == "array":
                # dualgrad's own object array, whose results it reads back itself: no
                # record for the guards (the function's complex numbers are scalar
                # code's, not an object loop's over the user's array: attack44 06)
                noted = errors.objects_noted()
                a = np.array(a, dtype=object)
                errors.objects_restore(noted)
            else:                           # a 0-d object array: no second dispatch
                held, a = a, np.empty((), dtype=object)
                a[()] = held
        args.append(a)
    result = ufunc(*args)
    if isinstance(result, tuple):
        return tuple(operand(r) for r in result)
    return operand(result)


_ORDINALS = ("first", "second", "third", "fourth", "fifth")


def _not_differentiable(rule, k):
    # the argument counted from 1 and named in words ("argument 1" beside a note that
    # names SciPy's own x, z: attackb66 R4)
    why = f"; {rule.note}" if rule.note else ""
    nin = getattr(rule.ufunc, "nin", 0)
    place = f" (the {_ORDINALS[k]} of {nin})" if nin and k < len(_ORDINALS) else ""
    return errors.unsupported_ufunc(
        ufunc_name(rule.ufunc), f"it is not differentiable in argument {k + 1}{place}"
        f"{why}; pass a plain number or array there")


def call(rule, args, out=None):
    """Apply ``rule`` to ``args`` (any mix of duals and constants).

    ``out``, when given, is the primal result already computed by a caller.
    """
    kind = rule.kind
    if kind == "custom":
        product = LEAN_PRODUCTS.get(rule.ufunc)       # d @ M with M a plain array
        if product is not None and len(args) == 2:
            result = product(*args)
            if result is not None:
                return result
        for a in args:
            if isinstance(a, Dual) and a.tag not in _LIVE:     # an escaped dual
                raise errors.escaped()
        if HOLOMORPHIC and rule.ufunc in NOT_HOLOMORPHIC:       # vecdot, vecmat: conj
            check_holomorphic(f"np.{rule.name}", args, NOT_HOLOMORPHIC[rule.ufunc])
        return _CUSTOM[rule.ufunc](*(operand(a) for a in args))
    if kind == "unsupported":
        raise errors.unsupported_ufunc(ufunc_name(rule.ufunc), rule.note)
    tag = -1
    for a in args:
        if isinstance(a, Dual):
            if a.tag > tag:
                tag = a.tag
        elif type(a) is np.ndarray:
            if a.dtype == object:                # np.array([dx, dy]) of scalar duals: read
                args = tuple(operand(x) for x in args)      # once, then the small path
                result = small(rule, args) if out is None else None   # (its numbers are
                return call(rule, args, out) if result is None else result   # call's)
        elif isinstance(a, (list, tuple, np.ndarray)):      # np.matrix, masked arrays too
            return call(rule, tuple(operand(x) for x in args), out)
        elif type(a) not in _NUMBERS and is_sparse(a):
            if rule.ufunc is np.multiply and out is None and is_sparse_matrix(a) and \
                    all(np.ndim(b) for b in args):      # an spmatrix's L * u: its product
                return np.matmul(*args)
            raise errors.sparse_operand(ufunc_name(rule.ufunc))    # u + L
    ufunc = rule.ufunc
    if tag < 0:
        return ufunc(*args)
    if tag not in _LIVE:                    # an escaped dual (its call has returned)
        raise errors.escaped()
    values, duals, scalar = [], [], True
    for k, a in enumerate(args):
        if isinstance(a, Dual) and a.tag == tag:
            v = a.value
            values.append(_f64(v) if type(v) is float else _c128(v) if type(v) is complex else v)
            duals.append(k)
            scalar = scalar and a._kind == "slots"
        else:
            if isinstance(a, Dual):          # a dual of an older call: a constant here
                dual.check_live(a.tag)
                dual.check_live(tag)
            t = type(a)
            # NumPy float semantics for the local derivatives: inf, never ZeroDivisionError
            values.append(_f64(a) if t is float else _c128(a) if t is complex else
                          _promoted(a, rule, k))
            scalar = scalar and (t is float or t is int or getattr(a, "ndim", 0) == 0)
    if kind == "predicate":
        errors.MADE.compared_at = next(errors.SEQUENCE)     # (errors.compared_since)
        return ufunc(*values)
    if len(duals) > 1:
        dual.same_directions(f"np.{rule.name}", [args[k] for k in duals])
    if rule.tangent and _is_complex(args[duals[0]]):
        if tag in HOLOMORPHIC:
            raise errors.not_holomorphic(f"np.{rule.name}")
        return _complex_tangent(rule, args[duals[0]], values[duals[0]], tag)
    fns = _COMPILED.get(rule.ufunc) or derivative_functions(rule)
    for k in duals:
        if fns[k] is None:
            raise _not_differentiable(rule, k)
    if out is None:
        out = ufunc(*values)
    token = _hush()
    try:
        if scalar:
            out = _as_scalar(out)
            partials = _select_scalar(fns, args, duals, values, out, rule) if rule.select else \
                _scalar_partials(fns, args, duals, values, out, rule)
            if rule.ufunc in _KINKS and duals[0] == 0 and isinstance(values[0], Dual):
                partials = _kink_scalar(args[0], values[0], partials, _kink_sign(rule, values))
            # (dispatch/_nested.py's nested() repeats these steps for nested scalar
            # duals, the path they take: a step added here goes there too)
            return dual.make_scalar(out, partials, tag)
        shape = out.shape if type(out) is np.ndarray or type(out) is _ArrayDual else \
            np.shape(out)       # (a nested result's: np.shape's dispatch took ~3 us)
        total = _array_partials(rule, fns, args, duals, values, out, shape)
        if rule.ufunc in _KINKS and duals[0] == 0 and isinstance(values[0], Dual):
            total = _kink_array(args[0], values[0], total, shape, _kink_sign(rule, values))
    finally:
        _unhush(token)
    if shape and type(out) is np.ndarray:
        return dual.make_array(out, total, tag)
    return make(out, total, tag)


_DUAL_CALL.append(call)     # the table's own trigamma on a dual (a Hessian of psi)


# ---- the small-array path --------------------------------------------------------
_F64 = np.dtype(np.float64)
_ndarray = np.ndarray
_ArrayDual = dual.ArrayDual
_Deferred = backend.Deferred


def small(rule, args):
    """``call(rule, args)`` for the common case on small and medium arrays, in a few
    NumPy calls and at most one kernel call.

    The case: a smooth rule, or a zero rule (``np.floor``: zero partials, no
    factor); the dual arguments of one tag, array duals of the result's shape holding
    float64 ndarrays or scalar duals holding floats (no nesting, no complex numbers);
    the other arguments Python or NumPy floats, ints or float64 ndarrays; a float64
    array result whose work ``backend.lean_work`` admits (below ``backend.small``'s
    size, and values of any number of axes, read flat, up to ``backend.LEAN_WORK``, of
    any size with 2 or 4 directions, where the fused engine does not defer the work),
    where the backend's operations are the general path's, so the
    result is the general path's to the bit.  The local derivatives come from the
    table as in :func:`call`; ``backend.combine_small`` propagates them (its
    ``scaled_small``/``pair_small`` for factors of the value's shape: one kernel call
    once numba is loaded), and when one is not finite somewhere the general path
    computes the partials instead (it keeps a zero partial 0 next to an infinite
    factor).  Returns ``None``, having computed nothing, when the case does not hold.
    """
    if rule.kind != "smooth" and rule.kind != "zero":
        return None
    if len(args) == 2:
        result = _pair(rule, args[0], args[1])
        if result is not _MISS:
            return result
    tag = shape = None
    array = False
    values, fns, partials, positions = [], [], [], []
    for a, d in zip(args, _COMPILED.get(rule.ufunc) or derivative_functions(rule)):
        t = type(a)
        if t is float:
            values.append(_f64(a))
        elif t is int:                    # float64, as in call (y * y must not wrap)
            values.append(_promoted(a, rule, len(values)))
        elif t is _f64:
            values.append(a)
        elif t is np.ndarray:
            if a.dtype is not _F64:     # (an int grid: a two-level dual may follow it,
                return complex_small(rule, args) if a.dtype is _C128 else \
                    nested_array(rule, args) if tag is None else None  # not a plain one)
            values.append(a)
            array = True
        elif t is complex or t is _c128:
            return complex_small(rule, args)
        else:
            kind = getattr(t, "_kind", None)
            if kind == "array":
                v, p = a.value, a._p          # deferred partials: not this path's
                if type(v) is not np.ndarray or type(p) is not np.ndarray or \
                        v.dtype is not _F64 or p.dtype is not _F64 or \
                        shape is not None and v.shape != shape:
                    return complex_small(rule, args) if type(v) is np.ndarray and \
                        type(p) is np.ndarray and (v.dtype is _C128 or p.dtype is _C128) \
                        else nested_array(rule, args) if type(v) is _ArrayDual else None
                shape = v.shape
                array = True
            elif kind == "slots":
                v = a.value
                if type(v) is not float:
                    return complex_small(rule, args) if type(v) is complex else \
                        nested_array(rule, args) if len(args) == 2 else None
                p = np.array(a._plist())
                if p.dtype is not _F64:               # nested or complex partials
                    return None
                v = _f64(v)
            else:
                return None
            if tag is None:
                tag = a.tag
                n = p.shape[-1]
            elif a.tag != tag:
                return None
            elif p.shape[-1] != n:
                raise errors.mismatched_directions(f"np.{rule.name}", n, p.shape[-1])
            if d is None:
                raise _not_differentiable(rule, len(values))
            if d != "0":
                fns.append(d)
                partials.append(p)
                positions.append(len(values))
            values.append(v)
    if tag is None or not array or tag not in _LIVE:  # scalars only: their own paths;
        return None                                   # an escaped dual: call raises
    n = p.shape[-1]
    out = rule.ufunc(*values)
    if type(out) is not np.ndarray or out.dtype is not _F64 or not out.ndim or \
            shape is not None and out.shape != shape or \
            not backend.lean_work(out.size * n, out.shape):
        return call(rule, args, out)      # broadcast by a constant, a scalar, or large
    target = out.shape + (n,)
    if not fns:                                       # locally constant: zero partials
        return dual.make_array(out, backend.zeros(target), tag)
    token = _hush()
    try:
        if rule.select:
            total = _selected(fns[-1](*values, out), positions, partials, target)
        else:
            factors = [d(*values, out) for d in fns]
            total = None if rule.quotient and any(
                _tiny(f, rule, k, (*values, out)) for f, k in zip(factors, positions)
                if k in _variable(rule)) else \
                _combined(factors, partials, target)    # (an underflowed quotient too)
    finally:
        _unhush(token)
    if total is None:                                 # an inf or NaN met: the careful path
        return call(rule, args, out)
    return dual.make_array(out, total, tag)


_C128 = np.dtype(np.complex128)
_PLAIN_DTYPES = (_F64, _C128)


_CONSTANTS = frozenset({float, int, _f64})


def nested_array(rule, args):
    """:func:`call` where one argument is a dual of two levels (an array dual or a real
    scalar dual whose value is itself a dual) and the result an array: the Newton
    steps' ``-r * age``, ``np.exp(a)``, ``e * l`` of the Euler-Lotka row (a root
    finder's ``jvp`` on a helper's duals; nested63), without :func:`small`'s and
    :func:`apply`'s ways to it.  The other arguments are constants to that dual: Python
    or NumPy floats, ints, numeric ndarrays, and live array or real scalar duals of
    older tags.  The steps are ``call``'s own in its order (its live checks, the
    values, NumPy's ufunc on them, ``_array_partials``, ``make``), so the result and
    its errors are ``call``'s.  ``None``, having computed nothing, for anything else: a
    predicate, custom, tangent or kink rule, one level, two duals of the newest tag,
    any other argument (lists, object or complex arrays, subclasses), a scalar result
    (:func:`._nested.nested`'s)."""
    kind = rule.kind
    if kind != "smooth" and kind != "zero" or rule.tangent or rule.ufunc in _KINKS:
        return None
    tag, k = -1, None
    for j, a in enumerate(args):
        t = type(a)
        if t in _CONSTANTS:
            continue
        if t is _ArrayDual or t in _REAL_SCALARS:
            if a.tag > tag:
                tag, k = a.tag, j
        elif t is not np.ndarray or a.dtype.kind not in "biuf":
            return None
    if k is None or tag not in _LIVE or not isinstance(args[k].value, Dual):
        return None
    d = args[k]
    values, scalar = [], d._kind == "slots"
    for j, a in enumerate(args):
        if j == k:
            values.append(d.value)
            continue
        t = type(a)
        if t is _ArrayDual or t is not float and t in _REAL_SCALARS:
            if a.tag == tag:
                return None                 # two duals of the newest tag: call's
            dual.check_live(a.tag)          # (call's checks of an older dual)
            dual.check_live(tag)
        values.append(_f64(a) if t is float else _promoted(a, rule, j))
        scalar = scalar and (t is float or t is int or getattr(a, "ndim", 0) == 0)
    if scalar:
        return None
    fns = _COMPILED.get(rule.ufunc) or derivative_functions(rule)
    if fns[k] is None:
        raise _not_differentiable(rule, k)
    out = rule.ufunc(*values)
    token = _hush()
    try:
        shape = out.shape if type(out) is np.ndarray or type(out) is _ArrayDual else \
            np.shape(out)
        total = _array_partials(rule, fns, args, [k], values, out, shape)
    finally:
        _unhush(token)
    if shape and type(out) is np.ndarray:
        return dual.make_array(out, total, tag)
    return make(out, total, tag)


def complex_small(rule, args, out=None):
    """:func:`call` of a smooth rule on one or two arguments where a value or
    partials array is complex128 (a spectral solver's ``G * fft(u)``, ``u * u``,
    ``dt * Nn``), without the general scan: ``None``, having computed nothing, for
    anything else.

    The case: array duals of one live tag and one shape holding complex128 or
    float64 ndarrays of values and partials (no nesting; a real dual's partials
    the fused engine deferred are read first, as :func:`call` reads them), or
    scalar duals of that tag holding Python floats or complex numbers (their
    partials a row, as :func:`call` makes it: ``(1j * p[1]) * abs(A)**2``), the
    other argument a Python or NumPy float, int or complex number or a complex128 or
    float64 ndarray; a complex128 array result of the duals' shape, or of the
    ndarray's beside a scalar dual (the general path's kernels and the fused engine
    take float64 only: it runs NumPy's calls at every size).  A rule with a tangent
    (``np.abs``) goes to :func:`_tangent_small`.  The local derivatives are the
    table's, computed as :func:`call` (``_array_partials``) computes them;
    :func:`_complex_partials` makes the general path's products and sums of them,
    so the result is its own to the bit, its NaN/inf handling (a zero partial stays
    0 beside an infinite factor) included.  ``u * u`` on 64 cells, n = 1: ~30 ->
    ~18 us (``python bench/small_calls.py --only spectral`` times the whole
    solver; ``python bench/ssfm.py --ops`` a split-step loop's operations).

    First the rule's generated function (:func:`._lean_complex.lean_complex`: these
    steps written out for the rule, complex68), which answers ``None``
    having computed nothing where its case does not hold, or calls this function back
    with the value it made as ``out`` where a factor is not finite or a quotient's
    underflowed: from ``out`` on, the steps below (NumPy reports on the value once)."""
    if out is None:
        fast = _COMPLEX_LEAN.get(rule.ufunc, _MISS)
        if fast is _MISS:
            fast = None if _complex_lean[0] is None else _complex_lean[0](rule)
        if fast is not None and len(args) == rule.ufunc.nin:
            result = fast(*args)
            if result is not None:
                return result
    if rule.tangent:
        return _tangent_small(rule, args)
    if rule.kind != "smooth" or rule.select or len(args) > 2:
        return None
    tag = shape = None
    array = False                             # an ndarray of one or more axes met
    values, positions, partials = [], [], []
    for k, a in enumerate(args):
        t = type(a)
        p = None
        if t is _ArrayDual:
            v, p = a.value, a._p
            if type(p) is _Deferred and type(v) is _ndarray and v.dtype is _F64:
                token = _hush()               # the fused engine's real |A|^2 * p[1]:
                try:                          # read as call reads it
                    p = _partials_array(a)
                finally:
                    _unhush(token)
            if type(v) is not _ndarray or type(p) is not _ndarray or \
                    v.dtype not in _PLAIN_DTYPES or p.dtype not in _PLAIN_DTYPES:
                return None
            if shape is None:
                shape = v.shape
            elif v.shape != shape:
                return None
        elif t is _ndarray:
            if a.dtype not in _PLAIN_DTYPES:
                return None
            v = a
            array = array or a.ndim > 0
        elif getattr(t, "_kind", None) == "slots":    # a scalar dual: its partials a row
            v = a.value
            tv = type(v)
            if tv is not float and tv is not complex:
                return None                   # (nested)
            v = _f64(v) if tv is float else _c128(v)
            p = _partials_array(a)
            if type(p) is not _ndarray or p.dtype not in _PLAIN_DTYPES:
                return None
        elif t is float:
            v = _f64(a)
        elif t is complex:
            v = _c128(a)
        elif t is int:
            v = _promoted(a, rule, k)
        elif t is _f64 or t is _c128:
            v = a
        else:
            return None
        if p is not None:                     # a dual of either kind
            if tag is None:
                tag = a.tag
            elif a.tag != tag or p.shape[-1] != partials[0].shape[-1]:
                return None                   # (the general path names the mismatch)
            positions.append(k)
            partials.append(p)
        values.append(v)
    if tag is None or not (shape or array) or tag not in _LIVE:
        return None                           # scalars only: the general path's
    fns = _COMPILED.get(rule.ufunc) or derivative_functions(rule)
    if any(fns[k] is None for k in positions):
        return None                           # the general path names the argument
    n = partials[0].shape[-1]
    if out is None:
        out = rule.ufunc(*values)
    if type(out) is not _ndarray or out.dtype is not _C128 or not out.ndim or \
            shape is not None and out.shape != shape:
        return call(rule, args, out)
    factors, used, ks = [], [], []
    token = _hush()
    try:
        for k, p in zip(positions, partials):
            d = fns[k]
            if d != "0":
                factors.append(d(*values, out))
                used.append(p)
                ks.append(k)
        target = out.shape + (n,)
        total = _complex_partials(factors, used, values, out, n) if factors else \
            backend.zeros(target)
        if total.shape != target:             # a scalar's row by a constant factor
            total = backend.combine(factors, used, out.shape, n)
        if rule.quotient and any(_complex_lost(rule, f, k, (*values, out))
                                 for f, k in zip(factors, ks)
                                 if rule.quotient_exprs[k] is not None):
            total = _quotient_partials(rule, fns, positions, values, out, partials,
                                       out.shape, total)
    finally:
        _unhush(token)
    return dual.make_array(out, total, tag)


# ufunc -> the rule's function of :mod:`._lean_complex` (made there on first use), or None;
# [its maker, lean_complex], set by dispatch's import (that module imports this one)
_COMPLEX_LEAN = {}
_complex_lean = [None]


def _complex_lost(rule, f, k, args):
    """Did the local derivative ``f`` (complex values) of argument ``k`` of the quotient
    row ``rule`` lose its number: not finite, or below the smallest normal number in
    modulus beside a nonzero numerator (:func:`_tiny`: ``-out / x`` of ``1 / x`` at x =
    1e200 (1 + i) is 0j, at 1e-200 (1 + i) nan + inf j; attack62 11)?  Then
    :func:`_quotient_partials` takes its terms in two steps.  ``args``: the values and the result.  A constant numerator
    too (unlike the real paths' :func:`_variable`): NumPy's complex ``1 / x`` is 0 past
    |x| ~ 9e307 (d/dt log(t c) at c = 1e308 (1 + i) was 0 for 1: silent63's Left (b))."""
    if type(f) is not np.ndarray or f.size > 64:
        return not backend.finite(f) or _tiny(f, rule, k, args)
    items = f.ravel().tolist()                      # small: Python's sum and abs of its
    if not cmath.isfinite(sum(items, 0j)):          # numbers, C loops (NumPy's calls cost
        return True                                 # more here: bench/silent63.py --check)
    try:
        low = min(map(abs, items), default=np.inf) < TINY
    except OverflowError:       # Python's abs of a modulus past the float range (parts of
        low = True              # 1.3e308: x / y's -out / y), which np.absolute makes inf:
    return low and _tiny(f, rule, k, args)      # _tiny's test (OverflowError, complex68)


def _tangent_small(rule, args):
    """:func:`call` of a rule with a tangent (``np.abs``, ``np.conjugate``) on one
    complex128 array dual of plain partials (a split-step solver's ``np.abs(A)``):
    :func:`_complex_tangent`, as the general path calls it, without its scan;
    ``None`` for anything else (holomorphic derivatives raise there)."""
    if len(args) != 1 or type(args[0]) is not _ArrayDual:
        return None
    a = args[0]
    v, p, tag = a.value, a._p, a.tag
    if type(v) is not _ndarray or v.dtype is not _C128 or type(p) is not _ndarray or \
            p.dtype not in _PLAIN_DTYPES or tag not in _LIVE or tag in HOLOMORPHIC:
        return None
    return _complex_tangent(rule, a, v, tag)


def _complex_partials(factors, partials, values, out, n):
    """The partials of :func:`complex_small`'s result: ``backend.combine_complex``
    where a factor or partials array is complex128 (none of the backend's kernels
    would take the work), else, or where it declines, ``backend.combine`` as
    :func:`_array_partials` calls it (a fresh factor its scratch for one direction)."""
    for x in (*factors, *partials):       # (no generator's frame per element)
        if type(x) is _c128 or type(x) is _ndarray and x.dtype is _C128:
            total = backend.combine_complex(factors, partials)
            if total is not None:
                return total
            break
    scratch = None
    if n == 1:
        for f in factors:
            if _fresh(f, values, out):
                scratch = f
    return backend.combine(factors, partials, out.shape, n, scratch)


_MISS = object()

_PACK_BELOW = 1024      # elements: past this size a ufunc's pass, not its set-up, costs


def _packed(v):
    """``v``, or a C-ordered copy of it where ``v`` is a small float64 view of two
    axes whose rows lie apart in memory, each row contiguous (a stencil's ``H[1:,
    1:-1]`` of an (18, 18) field).  NumPy's ufuncs take such a view through their
    general iterator, whose set-up costs ~1 us at 272 elements against ~0.35 us on a
    contiguous array; the copy costs ~0.3 us, so it pays where the lean path reads the
    view twice or more (a product's operands, the value's and the other's factor; a
    quotient's divisor in ``x / y``, ``1.0 / y``, ``-out / y``: rows67).  The copy
    holds the same numbers in C order, the layout NumPy gives a ufunc's result of such
    a view (its first axis's stride stays the largest: at least two rows of at least
    two elements), and IEEE's arithmetic rounds each element alike in either layout:
    the same bits in the same layout."""
    if v.ndim == 2:
        m, n = v.shape
        s = v.strides
        if s[1] == 8 and s[0] > 8 * n and n > 1 and m > 1 and m * n <= _PACK_BELOW:
            return v.copy()
    return v


# What lean()'s generated functions see besides the table's names (_NAMESPACE).
_LEAN_NAMESPACE = {
    "_AD": dual.ArrayDual, "_nd": np.ndarray, "_F64": _F64, "_LIVE": _LIVE,
    "_small": backend.lean_work, "_hush": _hush, "_unhush": _unhush, "_call": call,
    "_make": dual.make_real, "_new": object.__new__, "_scaled": backend.scaled_small,
    "_pair": backend.pair_small,
    "_combine": backend.combine_small, "_add": np.add, "_sub": np.subtract,
    "_neg": np.negative, "_lsum": backend.lean_sum,
    "_scaled_k": backend.scaled_kernel, "_pair_k": backend.pair_kernel, "_where": backend.where,
    "_local_k": backend.local_kernel, "_local_k2": backend.local_kernel2,
    "_exact1": backend.exact1, "_exact2": backend.exact2, "_zeros": backend.zeros,
    "_HL": _LAST, "_LB": backend.SMALL_BELOW, "_emp": backend.small_empty,
    "_made": backend.entry_made, "_ld": backend._loader, "_pk": _packed,
    "_gmade": backend.loop_made, "_smade": backend.split_loops_made,
    "_vmade": backend.value_loops_made}
if _errstate is not None:
    _LEAN_NAMESPACE.update(_eget=_errstate.get, _eset=_errstate.set, _ereset=_errstate.reset)


def _operand(a, rule, k):
    """``(value, partials, shape)`` of argument ``k`` of ``rule`` as :func:`small` reads
    it (partials ``None`` for a constant, shape ``None`` for anything but an array dual;
    an array dual's partials may be deferred), or ``None`` for an argument :func:`_pair`
    leaves to the general loop.  A NumPy integer, bool or small-float scalar (``cx * u``
    in a loop over ``zip(cxs, ...)`` of an int array: rows65), or an ndarray of those
    dtypes (``F * cxs``: rows68), is :func:`call`'s own float64 of it (:func:`_promoted`:
    the cast NumPy's float64 loop makes of it), the number a Python float would give."""
    t = type(a)
    if t in _SMALL_SCALARS:
        return None if _integer_only(rule, k) else (_promoted(a, rule, k), None, None)
    if t is _ArrayDual:
        v, p = a.value, a._p
        if type(v) is not _ndarray or v.dtype is not _F64 or \
                (p.dtype is not _F64 if type(p) is _ndarray else type(p) is not _Deferred):
            return None
        return v, p, v.shape
    if t is _ndarray:
        if a.dtype is _F64:
            return a, None, None
        if a.dtype.type in _SMALL_SCALARS and not _integer_only(rule, k):
            return a.astype(_f64), None, None   # call's own float64 (its _promoted):
        return None                 # an int array of lattice speeds, F * cxs (rows68)
    if t is float:
        return _f64(a), None, None
    if t is _f64:
        return a, None, None
    if getattr(t, "_kind", None) == "slots":
        v = a.value
        if type(v) is not float:
            return None
        p = np.array(a._plist())
        return (_f64(v), p, None) if p.dtype is _F64 else None
    return None


def _pair(rule, a, b, out=None):
    """:func:`small` of a smooth rule on two arguments, its loop unrolled: the same
    checks, the same NumPy operations in the same order, so the same result to the
    bit.  The arguments: array duals and scalar duals of plain floats, float64
    ndarrays, Python and NumPy floats (an array among them); ``_MISS`` (nothing
    computed) for anything else, which the general loop then reads.  ``out``: the
    value, computed already by a lean path that declined (``u ** v``: NumPy reports
    on it once).  A large result, or one of an operand with deferred partials, has its
    partials deferred here while the fused engine defers (:func:`_defer_pair`: what :func:`call` defers, without its
    general scan of the arguments), else goes to :func:`call` with its value."""
    ra, rb = _operand(a, rule, 0), _operand(b, rule, 1)
    if ra is None or rb is None:
        return _MISS
    va, pa, sa = ra
    vb, pb, sb = rb
    if pa is None and pb is None or sa is None and sb is None and \
            type(va) is not _ndarray and type(vb) is not _ndarray:
        return _MISS                              # no dual, or no array
    if pa is not None:
        tag = a.tag
        if pb is not None and b.tag != tag:
            return _MISS
    else:
        tag = b.tag
    if tag not in _LIVE:
        return _MISS
    fa, fb = _COMPILED.get(rule.ufunc) or derivative_functions(rule)
    if pa is not None and fa is None or pb is not None and fb is None:
        return _MISS                              # the general loop names the argument
    p = pb if pb is not None else pa
    deferred = type(pa) is _Deferred or type(pb) is _Deferred
    n = p.n if type(p) is _Deferred else p.shape[-1]
    if pa is not None and pb is not None:          # partials must never broadcast
        m = pa.n if type(pa) is _Deferred else pa.shape[-1]
        if m != n:
            raise errors.mismatched_directions(f"np.{rule.name}", m, n)
    if out is None:
        out = rule.ufunc(va, vb)
    if type(out) is not _ndarray or out.dtype is not _F64 or not out.ndim:
        return call(rule, (a, b), out)
    if deferred or not backend.lean_work(out.size * n, out.shape):
        if backend.FUSING[0] and out.size * n >= backend.FUSING[1]:
            total = _defer_pair(rule, fa, a, va, pa, fb, b, vb, pb, out)
            if total is not None:
                return dual.make_array(out, total, tag)
        return call(rule, (a, b), out)
    target = out.shape + (n,)
    fns, partials = [], []
    if pa is not None and fa != "0":
        fns.append(fa)
        partials.append(pa)
    if pb is not None and fb != "0":
        fns.append(fb)
        partials.append(pb)
    if not fns:
        return dual.make_array(out, backend.zeros(target), tag)
    token = _hush()
    try:
        if rule.select:
            total = _selected(fns[-1](va, vb, out), [0, 1] if len(fns) == 2 else
                              [0 if pa is not None else 1], partials, target)
        else:
            factors = [d(va, vb, out) for d in fns]
            total = None if rule.quotient and any(
                _tiny(f, rule, k, (va, vb, out)) for f, k in zip(factors, [k for k, (p, d) in
                                                   enumerate(((pa, fa), (pb, fb)))
                                                   if p is not None and d != "0"])
                if k in _variable(rule)) else \
                _combined(factors, partials, target)    # (an underflowed quotient too)
    finally:
        _unhush(token)
    if total is None:
        return call(rule, (a, b), out)
    return dual.make_array(out, total, tag)


def _combined(factors, partials, target):
    """``backend.combine_small(factors, partials, target)``, by ``backend.scaled_small``
    or ``pair_small`` (one kernel call once numba is loaded) where each
    factor is a float64 array of the value's shape and each partials array of
    ``target``'s shape: the same products and sums, so the same bits.  ``None`` (the
    caller then runs :func:`call`) where the work is past ``backend.LEAN_WORK`` (taken
    only for ``backend.LEAN_ROWS``' kernels) and NumPy's broadcasting calls would serve
    it: a scalar dual times an array dual at N = 1e5 took 1.7 ms there against the
    general path's one kernel pass (the eager heat step 1.9x slower, stop 33)."""
    shape = target[:-1]
    for f, p in zip(factors, partials):
        if type(f) is not _ndarray or f.shape != shape or f.dtype is not _F64 or \
                p.shape != target:
            return _broadcast_small(factors, partials, target)
    if len(factors) == 1:
        return backend.scaled_small(factors[0], partials[0])
    if len(factors) == 2:
        return backend.pair_small(factors[0], partials[0], factors[1], partials[1])
    return _broadcast_small(factors, partials, target)


def _broadcast_small(factors, partials, target):
    """``backend.combine_small`` below ``backend.LEAN_WORK``, else ``None``: operands
    of two shapes, a factor that broadcasts over the value (VFI's ``v * Q`` of
    (1, 1, 30, 5) by (1, 5, 1, 5)), which ``combine_small`` spreads along the
    directions first."""
    if math.prod(target) >= backend.LEAN_WORK:
        return None
    return backend.combine_small(factors, partials, target)




def _defer_pair(rule, fa, a, va, pa, fb, b, vb, pb, out):
    """:func:`_deferred` for :func:`_pair`'s two arguments (partials ``None`` for a
    constant; a scalar dual's, the float64 row :func:`_operand` made of them), without
    its scan of the arguments; ``None`` (the caller then runs :func:`call`, which
    reaches the same conclusion) where the fused engine does not take it."""
    token = _hush()
    try:
        return _defer_terms(rule, (fa, fb), (a, b), (va, vb), out, out.shape,
                            [(k, p) for k, p in ((0, pa), (1, pb)) if p is not None])
    finally:
        _unhush(token)


def lean(rule):
    """``rule`` on array duals alone, :func:`small`'s commonest case in fewer steps:
    a function ``op(a)`` (or ``op(a, b)`` for a binary rule), or ``None`` for a rule
    it does not cover (neither smooth nor zero, or a locally constant or
    non-differentiable argument: :func:`small` takes those).  The custom rules of
    ``np.matmul`` and ``np.vecdot`` (``a @ b``) get the lean products'
    (:mod:`dualgrad.dispatch._lean_products`), which :func:`call` tries too.  A zero rule's ``op``
    (``np.floor``) makes the value and zero partials (:func:`_lean_zero_source`).

    The case: every argument an array dual (``ArrayDual``) of one live tag, holding
    float64 ndarrays, values of one shape (not 0-d) and partials of one shape, work
    that ``backend.lean_work`` admits (small, or past it: stop 30, 32, 33).  ``op`` returns
    ``None``, having computed nothing, when the case does not hold (the caller then
    runs :func:`small`).  Past that the
    result is :func:`small`'s, and so :func:`call`'s, to the bit: the same value, the
    same local derivatives from the table, the same NumPy operations in the same
    order (``backend.scaled_small``/``pair_small``, or ``combine_small`` for anything
    else); a factor that is not finite somewhere sends the operation to :func:`call`,
    which keeps a zero partial 0 beside it.

    ``op`` is generated from the table (:func:`_lean_source`): the rule's local
    derivatives are its expressions inlined as NumPy source on the value arrays
    (``y`` for ``a * b``, ``np.cos(x)`` for ``np.sin(a)``), so one Python call does
    the checks, the value, the factors and the error state, and the backend
    propagates in one more: the scan of the arguments and the calls of the general
    path are what dominate a dual operation on arrays of ten elements.  Once numba is
    loaded (values of more axes read flat), a rule whose factors need no NumPy call (``a * b``,
    ``np.exp``) or are arithmetic (``backend.fusable``: ``a / b``, ``a ** 2``) is one
    kernel call that also tests and, for the latter, evaluates them, with no error
    state to switch (``_lean_lines``' ``bare``); a rule whose value a kernel rounds as
    NumPy does (``backend.EXACT``: ``np.multiply``, ``np.square``...) first tries
    ``backend.exact2``/``exact1``, one kernel call for the value too, as the operators
    do (``dual._array._exact_binary``).
    """
    product = LEAN_PRODUCTS.get(rule.ufunc)      # np.matmul, np.vecdot, a @ b
    if product is not None:
        return product
    if not 0 < rule.ufunc.nin <= 2 or len(rule.derivs) != rule.ufunc.nin:
        return None
    name = f"_lean_{rule.name}"
    if rule.kind == "zero" and all(d == "0" for d in rule.derivs):
        source = _lean_zero_source(rule, name)       # np.floor: no factor at all
    elif rule.kind == "smooth" and not any(e is None for e in rule.exprs):
        source = _lean_source(rule, name)
    else:
        return None
    namespace = dict(_LEAN_NAMESPACE)
    namespace.update(_NAMESPACE)                 # the names the table's sources use
    namespace["_U"], namespace["_R"], namespace["_split"] = rule.ufunc, rule, split_ties
    namespace["_tiny"], namespace["_careful"] = _tiny, _careful
    namespace["_tiny_out"] = _tiny_out
    if rule.ufunc.nin == 1 and rule.kind == "smooth":         # (_lean_lines' entry)
        namespace["_E"] = backend.entry_cell(
            rule.ufunc if backend.fusable(rule) or entry_form(rule) else None)
        namespace["_G"] = backend.loop_cell(rule.ufunc)
    exec(compile(source, f"<dualgrad lean path, np.{rule.name}>", "exec"),  # noqa: S102
         namespace)
    return namespace[name]


# The table's ``where`` spelled as derivative_functions spells it: a condition on values
# only computes a branch where some element takes it (np.power's x = 0 branch costs
# twenty NumPy calls, which on ten elements were 97 % of the call).
_LAZY_SPELLING = {"where": LAZY}


def _lean_source(rule, name):
    """The source of :func:`lean`'s ``op`` for ``rule`` (the checks, then the table's
    expressions as statements on ``x``, ``y`` and ``out``, in :data:`_NAMESPACE`)."""
    consts = [None if e.constant is None else float(e.constant) for e in rule.exprs]
    bare = first = entry = split = loop = None
    value_loop = False
    if rule.ufunc.nin == 1:
        c = consts[0]
        if c is not None:                 # a constant of the table: finite
            body = ["_t = _p.copy()" if c == 1.0 else "_t = _lsum(_neg, _p)" if c == -1.0 else
                    f"_t = {c!r} * _p"]
        else:
            factor = f"_f = {rule.exprs[0].source(_LAZY_SPELLING)}"
            body = [factor, "_t = _scaled(_f, _p, True) if type(_f) is _nd and "   # (hushed)
                    "_f.shape == out.shape else _combine([_f], [_p], _p.shape)"]
            if 0 in _variable(rule):        # an underflowed quotient: the careful path's
                body.append("if _t is not None and _tiny(_f, _R, 0, (x, out)): "  # two steps
                            "_t = _careful(_R, (_a,), (x,), out, (_p,), _t)")
            if rule.exprs[0].source() in ("x", "out"):        # exp: out, as it is
                bare = _kernel_or_not(f"_scaled_k({rule.exprs[0].source()}, _p)")
                entry = None, f"{rule.exprs[0].source()}, _p", ""
                if rule.exprs[0].source() == "out":
                    loop = "None, False"
            elif backend.fusable(rule):                     # square: 2.0 * x, in a kernel
                bare = _kernel_or_not("_local_k(_U, x, out, _p)")
                entry = rule.ufunc, "x, out, _p", ""
                value_loop = backend.value_loops_entry(rule)   # log: NumPy's loop too
            else:                          # sin: np.cos(x) hushed, then the kernel alone
                first = [factor]
                body = body[1:]
                bare = _kernel_or_not("_scaled_k(_f, _p) if type(_f) is _nd and "
                                      "_f.shape == out.shape else NotImplemented")
                entry = None, "_f, _p", "" if _float_ufunc_of_x(rule.exprs[0]) \
                    else " and type(_f) is _nd and _f.ndim == 1 and _f.dtype is _F64"
                if 0 in _variable(rule):    # the underflow test before the kernel too,
                    first.append("_z = _tiny(_f, _R, 0, (x, out))")   # hushed (erfcx,
                    bare = f"None if _z else ({bare})"      # dawsn at 1e200: attack59 03)
                    entry = None, entry[1], entry[2] + " and not _z"
                split = _split_lines(rule)
                if split is not None:       # tanh: np.cosh(x) hushed, then its own entry
                    entry = None
                if _float_ufunc_of_x(rule.exprs[0]) and 0 not in _variable(rule):
                    node = rule.exprs[0].tree       # sin: np.cos(x) by NumPy's loop in
                    negate = node[0] == "unary"     # the entry (loop_scale_entry); cos:
                    loop = f"{(node[2] if negate else node)[1]}, {negate}"  # -np.sin(x)
        head = _lean_head(1, name, entry is not None or split is not None)
        if rule.ufunc in backend.EXACT:                     # np.square, np.negative
            test = "_p.ndim == x.ndim + 1" if rule.ufunc in backend.EXACT_FLAT else \
                "x.ndim == 1 and _p.ndim == 2"
            if entry is not None:          # (the head's _w: 1-D values, 2-D partials)
                test = "_w or " + test
            head += [f"    if _ld.READY and ({test}):",       # (None before numba)
                     "        _g = _exact1(_U, x, _p)",
                     "        if _g is not None:",
                     "            return _make(_g[0], _g[1], _a.tag)"]
            head += _packing(rule, ("x",))
        careful = "_careful(_R, (_a,), (x,), out, (_p,), None)" \
            if 0 in _variable(rule) and c is None else None
        if rule.ufunc in backend.EXACT or c is not None:
            loop, value_loop = None, False
        split_loop = None
        if split is not None and loop is None and careful is None:
            split_loop = backend.loops_entry(rule)      # (np.tanh, sc.erf: small72)
        return _lean_lines(head, "x", "(_a,)", body, bare, first, entry,
                           _float64_loop(rule.ufunc), careful, split, loop, split_loop,
                           value_loop)
    if consts[0] == 1.0 and consts[1] in (1.0, -1.0):          # a + b, a - b: one pass
        body = [f"_t = _lsum({'_add' if consts[1] == 1.0 else '_sub'}, _p, _q)"]
    else:
        f = repr(consts[0]) if consts[0] is not None else rule.exprs[0].source(_LAZY_SPELLING)
        g = repr(consts[1]) if consts[1] is not None else rule.exprs[1].source(_LAZY_SPELLING)
        if rule.select:                 # a selection: the partials of the selected
            body = [f"_g = {g}",             # argument (y's where its indicator is 1)
                    "_t = _split(_g, _q, _p, _where(_g != 0.0, _q, _p, _p.shape), "
                    "_p.shape)"]
            bare = _kernel_or_not("_local_k2(_U, x, y, out, _p, _q)")
        elif None in consts:
            body = [f"_f = {f}", f"_g = {g}",
                    "_t = _pair(_f, _p, _g, _q, True) if type(_f) is _nd and type(_g) is _nd "
                    "and _f.shape == _g.shape == out.shape else "
                    "_combine([_f, _g], [_p, _q], _p.shape)"]
            tests = [(_tiny_out_test(rule, k, v) or f"_tiny({v}, _R, {k}, (x, y, out))")
                     for k, v in enumerate(("_f", "_g")) if k in _variable(rule)]
            if tests:                       # an underflowed quotient: the careful path's
                body.append(f"if _t is not None and ({' or '.join(tests)}): "   # two steps
                            "_t = _careful(_R, (_a, _b), (x, y), out, (_p, _q), _t)")
            if f in ("x", "y", "out") and g in ("x", "y", "out"):   # a * b: y and x
                bare = _kernel_or_not(f"_pair_k({f}, _p, {g}, _q)")
            elif backend.fusable(rule):                     # a / b: 1.0 / y, -out / y
                bare = _kernel_or_not("_local_k2(_U, x, y, out, _p, _q)")
        else:
            body = [f"_t = _combine([{f}, {g}], [_p, _q], _p.shape)"]
    head = _lean_head(2, name)
    if rule.ufunc in backend.EXACT:                        # np.multiply(a, b)...
        head += ["    if _ld.READY and _p.ndim == x.ndim + 1:" if rule.ufunc in
                 backend.EXACT_FLAT else "    if _ld.READY and x.ndim == 1 and _p.ndim == 2:",
                 "        _g = _exact2(_U, x, y, _p, _q)",
                 "        if _g is not None:",
                 "            return _make(_g[0], _g[1], _a.tag)"]
        head += _packing(rule, ("x", "y"))
    careful = "_careful(_R, (_a, _b), (x, y), out, (_p, _q), None)" if None in consts and \
        not rule.select and any(k in _variable(rule) for k in (0, 1)) else None
    return _lean_lines(head, "x, y", "(_a, _b)", body, bare, careful=careful)


def _packing(rule, values):
    """Lines of a lean ``op`` of ``backend.EXACT``'s arithmetic that take each of the
    ``values`` (``x``, ``y``) its factors read too (``a * b``, ``a / b``'s divisor,
    ``a ** 2``: read twice or more) as :func:`_packed` gives it, a view only (a
    result is contiguous), while numba is not loaded (its kernels read views at no
    set-up cost)."""
    read = [v for v in values if any(v in e.names for e in rule.exprs)]
    return ["    if not _ld.READY:", *(f"        if {v}.base is not None: {v} = _pk({v})"
                                       for v in read)] if read else []


def _split_lines(rule):
    """``(guard, parts, arguments)`` of a unary ``rule``'s compiled entry that makes its
    factor from NumPy's parts (``rules._table.entry_form``: ``np.tanh``'s from ``a0 =
    np.cosh(x)``, ``np.cos``'s from ``a0 = np.sin(x)``), for :func:`_lean_lines`, or
    ``None`` for a row without one.  ``parts``: the statements computing them as
    ``_a0``, ...; ``arguments``: the entry's arrays (the form's ``reads``, then the
    partials); ``guard``: more conditions of the call.  Where the table's part holds a ``where``
    (tanh's ``|x| > 374``) its ``lazy_where`` hands NumPy a contiguous copy of ``x``
    (NumPy's loops may round a strided operand apart, small61): the entry then takes
    contiguous ``x`` only (``x.strides[0] == 8``), and declines where a test holds."""
    form = entry_form(rule)
    if form is None:
        return None
    tests, _, parts, reads = form
    names = [a if a in ("x", "out") else f"_{a}" for a in reads]
    lines = [f"_a{j} = {part.source()}" for j, part in enumerate(parts)]
    return " and x.strides[0] == 8" if tests else "", lines, ", ".join(names + ["_p"])


def _kernel_or_not(call):
    """The source of :func:`_lean_lines`' ``bare``: the kernel ``call``, or
    ``NotImplemented`` without it while numba is not loaded (each backend kernel call
    answers that itself then; the test here spares a Python call per small operation
    before the load: rows66)."""
    return f"({call}) if _ld.READY else NotImplemented"


def _float64_loop(ufunc):
    """Does the one-argument ``ufunc`` map float64 to float64 (NumPy's own type
    resolution, ``ufunc.resolve_dtypes``)?  Then its value of a float64 ndarray of at
    least one axis is a float64 ndarray (small54)."""
    try:
        return ufunc.nin == 1 and ufunc.nout == 1 and \
            ufunc.resolve_dtypes((_F64, None)) == (_F64, _F64)
    except (TypeError, AttributeError):     # no float64 loop; NumPy < 1.24
        return False


def _float_ufunc_of_x(expr):
    """Is the parsed factor ``expr`` (a unary rule's, :class:`rules._expr.Expr`)
    ``np.<f>(x)`` or ``-np.<f>(x)`` for a one-argument NumPy ufunc with a float64 loop
    (``np.sin``'s ``np.cos(x)``)?  Then on 1-D float64 values (the entry's case, ``_w``)
    the factor is a 1-D float64 ndarray, and the entry's guard on it has nothing to
    test (small54).  Read from the expression's tree, not its source text."""
    node = expr.tree
    if node[0] == "unary" and node[1] == "-":
        node = node[2]
    if node[0] != "call" or node[2] != (("name", "x"),) or not node[1].startswith("np."):
        return False
    ufunc = getattr(np, node[1][3:], None)
    return type(ufunc) is np.ufunc and ufunc.nin == 1 and ufunc.nout == 1 and \
        "d->d" in ufunc.types


def _lean_head(nin, name, entry=False):
    """The signature and checks of :func:`lean`'s ``op`` of ``nin`` arguments: array
    duals (``_a``, ``_b``) of one live tag holding float64 ndarrays (values ``x``, ``y``
    of one shape, not 0-d; partials ``_p``, ``_q`` of one shape) and work that
    ``backend.lean_work`` admits (asked only from ``backend.SMALL_BELOW``'s size on:
    below it the automatic engine admits any work); else ``None``.

    ``entry``: a unary ``op`` with a compiled entry point (:func:`_lean_lines`): the
    same checks, and ``_w``, whether the entry's case holds (1-D values, 2-D partials
    below ``SMALL_BELOW``), tested first, so that the common call reads ``x.ndim`` and
    ``_p.size`` once each (small54)."""
    if nin == 1 and entry:
        return [
            f"def {name}(_a):",
            "    if type(_a) is not _AD:",
            "        return None",
            "    x = _a.value",
            "    _p = _a._p",
            "    if type(x) is not _nd or type(_p) is not _nd or x.dtype is not _F64 or "
            "_p.dtype is not _F64 or _a.tag not in _LIVE:",
            "        return None",
            "    if x.ndim == 1 and _p.ndim == 2 and _p.size < _LB[0]:",
            "        _w = True",
            "    elif not x.ndim or _p.size >= _LB[0] and not _small(_p.size, x.shape):",
            "        return None",
            "    else:",
            "        _w = False"]
    if nin == 1:
        return [
            f"def {name}(_a):",
            "    if type(_a) is not _AD:",
            "        return None",
            "    x = _a.value",
            "    _p = _a._p",
            "    if type(x) is not _nd or type(_p) is not _nd or x.dtype is not _F64 or "
            "_p.dtype is not _F64 or not x.ndim or _a.tag not in _LIVE or "
            "_p.size >= _LB[0] and not _small(_p.size, x.shape):",
            "        return None"]
    return [
        f"def {name}(_a, _b):",
        "    if type(_a) is not _AD or type(_b) is not _AD:",
        "        return None",
        "    x = _a.value",
        "    _p = _a._p",
        "    y = _b.value",
        "    _q = _b._p",
        "    if type(x) is not _nd or type(_p) is not _nd or type(y) is not _nd or "
        "type(_q) is not _nd or x.dtype is not _F64 or _p.dtype is not _F64 or "
        "y.dtype is not _F64 or _q.dtype is not _F64 or not x.ndim or "
        "x.shape != y.shape or _p.shape != _q.shape or _a.tag != _b.tag or "
        "_a.tag not in _LIVE or _p.size >= _LB[0] and not _small(_p.size, x.shape):",
        "        return None"]


def _lean_zero_source(rule, name):
    """The source of :func:`lean`'s ``op`` for a rule whose local derivatives are all
    0 (``np.floor``, ``np.sign``...): the value, and zero partials, as :func:`call`
    makes them (``backend.zeros``: no factor, no product, so a NaN partial gives 0)."""
    values, duals = ("x", "(_a,)") if rule.ufunc.nin == 1 else ("x, y", "(_a, _b)")
    return "\n".join([
        *_lean_head(rule.ufunc.nin, name),
        f"    out = _U({values})",
        "    if type(out) is not _nd or out.dtype is not _F64:",
        f"        return _call(_R, {duals}, out)",
        "    return _make(out, _zeros(_p.shape), _a.tag)"]) + "\n"


def _hushed(lines, indent):
    """``lines`` (statements at ``indent``) with NumPy's reports hushed, as
    :func:`_hush`/:func:`_unhush` would around them, written out where the error
    state is a context variable (two Python calls fewer in every lean operation that
    hushes: ``np.sin(d)``, or any operation before numba is loaded)."""
    pad = " " * indent
    if _errstate is None:                               # pragma: no cover
        enter, leave = [pad + "_tok = _hush()"], pad + "    _unhush(_tok)"
    else:
        enter = [pad + "_e = _eget()",
                 pad + "_s = _HL[0]",
                 pad + "_tok = _eset(_s[1]) if _e is _s[0] or _e is _s[1] else _hush()"]
        leave = pad + "    _ereset(_tok)"
    return [*enter, pad + "try:", *(pad + "    " + line for line in lines),
            pad + "finally:", leave]


def _lean_lines(head, values, duals, body, bare=None, first=None, entry=None, typed=False,
                careful=None, split=None, loop=None, split_loop=None, value_loop=False):
    """``head`` (the signature and checks) and what every lean ``op`` does after them:
    the value, then ``body`` (the partials ``_t``) with NumPy's reports hushed, the
    general path where the value is not float64 or a factor is not finite.

    ``bare``: for a rule whose factors are arguments or the result as they are (no
    NumPy call computes them: ``a * b``, ``np.exp(a)``), the backend's kernel call
    alone (``backend.pair_kernel``/``scaled_kernel``), run first without the hush:
    a compiled loop reports nothing to NumPy's error state, and the hush costs as
    much as the float operation at N = 10; where no kernel runs it answers
    ``NotImplemented`` and ``body`` runs, hushed.  ``first``: statements run hushed
    before ``bare`` (``np.sin``'s factor ``np.cos(x)``, which NumPy computes), so
    that only they are, not the kernel call.

    ``entry``: ``(ufunc, arguments, guard)`` of a unary rule's compiled entry point
    (``backend.entry_cell(ufunc)``, in the namespace as ``_E``), called in place of
    ``bare`` with ``arguments`` and a fresh result while its cell holds one, for small
    1-D values (below ``backend.SMALL_BELOW``: the automatic engine) where ``guard``
    (more conditions, on the factor ``_f``) holds: no Python call of the backend and
    no numba dispatcher, whose type check cost as much as the float operation at
    N = 10 (small39).  The arguments are what the signature takes (native float64
    ndarrays, 1-D values, 2-D partials: the head tested the dtypes and, as ``_w``,
    the dimensions); the kernel tests the lengths.

    ``typed``: the value of float64 values is a float64 ndarray by the ufunc's own loop
    (:func:`_float64_loop`; the head admits ndarrays of at least one axis): no test of
    it (small54).

    ``split``: :func:`_split_lines`' ``(guard, parts, arguments)`` of a unary rule's
    entry that makes the factor from NumPy's parts: where it holds one (made here on
    first use, numba loaded) and ``_w`` and ``guard`` hold, the parts hushed and the
    entry's one call; elsewhere ``first``, ``bare`` and ``body`` (``entry`` ``None``).

    ``loop``: ``"part, negate"`` (source: ``np.cos, False`` for ``np.sin``; ``None,
    False`` for ``np.exp``, whose factor is its value) of a unary rule whose value and
    factor NumPy's own loops compute in one compiled entry with the partials
    (``backend.loop_cell``, in the namespace as ``_G``; small71): tried first where
    ``_w`` holds, the general lines below from the value on where it declines (an
    operand not contiguous, a report the value's call would make, a factor not finite).

    ``split_loop``: ``"value"`` or ``"given"`` for a ``split`` row whose one part NumPy's
    loop computes in a generated entry (``_kernelgen.loops_entry``: ``np.tanh``'s value
    and ``np.cosh(x)``, ``sc.erf``'s ``np.exp(-x * x)``; small72), in the cell ``_G``
    as ``loop``'s and called the same way: before the value (``"value"``: the entry
    computes it, a NumPy ufunc's), or after NumPy's call of it (``"given"``:
    scipy.special's), the lines below from there on where it declines.

    ``value_loop``: a fusable row (``entry``'s factor kernel arithmetic) whose value
    NumPy's loop computes in a generated entry before that entry's own loop
    (``backend.value_loops_entry``: ``np.log``, ``np.sqrt``; small74), in the cell ``_G``
    and called as ``loop``'s, before NumPy's call of the value: ~0.3 us of NumPy's
    machinery for a loop of ~0.03 on ten elements.

    ``careful``: a quotient rule's call of :func:`_careful` (no ``total``), run where
    ``_t`` is ``None`` (a kernel that declined an underflowed or non-finite factor,
    or NumPy's factors not finite): the general path's partials without
    :func:`call`'s way to them, :func:`call` itself where it answers ``None``
    (small60)."""
    quiet = _hushed(body, 4)
    if bare is not None:
        quiet = [f"    _t = {bare}",
                 "    if _t is NotImplemented:",
                 *("    " + line for line in quiet)]
        if entry is not None:
            quiet = [
                "    _k = _E[0]",
                f"    if _k and _w{entry[2]}:",
                "        _t = _emp(_p.shape)",
                f"        if not _k({entry[1]}, _t):",
                "            _t = None",
                "    else:",
                *("    " + line for line in quiet)]
        quiet = [*(_hushed(first, 4) if first else []), *quiet]
    if split is not None:
        guard, parts, arguments = split
        quiet = [
            "    _k = _E[0]",
            "    if _k is None and _w and _ld.READY:",
            "        _k = _made(_E, _U)",
            f"    if _k and _w{guard}:",
            *_hushed(parts, 8),
            "        _t = _emp(_p.shape)",
            f"        if not _k({arguments}, _t):",
            "            _t = None",
            "    else:",
            *("    " + line for line in quiet)]
    maker = f"_gmade(_G, _U, {loop})" if loop is not None else \
        "_vmade(_G, _U)" if value_loop else "_smade(_G, _U)"
    fused = [] if loop is None and split_loop is None and not value_loop else [
        "    _g = _G[0]",
        "    if _g is None and _w and _ld.READY:",
        f"        _g = {maker}",
        "    if _g and _w:",
        *(["        out = _emp(len(x))"] if split_loop != "given" else []),
        "        _t = _emp(_p.shape)",
        "        if _g(_G[1], x, out, _p, _t):",
        "            _r = _new(_AD)",
        "            _r.value = out",
        "            _r._p = _t",
        "            _r.tag = _a.tag",
        "            _r._c = None",
        "            return _r"]
    given = fused if split_loop == "given" else []
    if given:
        fused = []
    return "\n".join([
        *head,
        *fused,
        f"    out = _U({values})",
        *([] if typed else [
            "    if type(out) is not _nd or out.dtype is not _F64:",
            f"        return _call(_R, {duals}, out)"]),
        *given,
        *quiet,
        *(["    if _t is None:                 # an inf or NaN met: the careful path",
           f"        return _call(_R, {duals}, out)"] if careful is None else
          ["    if _t is None:                 # an inf or NaN met, or an underflow: the",
           f"        _t = {careful}         # general path's kernel, or its call",
           "        if _t is None:",
           f"            return _call(_R, {duals}, out)"]),
        "    _r = _new(_AD)                 # make_real, written out (small51)",
        "    _r.value = out",
        "    _r._p = _t",
        "    _r.tag = _a.tag",
        "    _r._c = None",
        "    return _r"]) + "\n"


def _complex_tangent(rule, d, x, tag):
    """A unary rule that is not holomorphic (``abs``, ``conj``, ``sign``) on a complex
    dual: the table's tangent expression, applied to the partials as a whole."""
    out = rule.ufunc(x)
    p = _partials_array(d)
    token = _hush()
    try:
        if np.ndim(x):
            total = tangent_function(rule)(x[..., None], out[..., None], p)
        else:
            total = tangent_function(rule)(x, out, p)
    finally:
        _unhush(token)
    if np.ndim(out) == 0:
        if np.ndim(total) == 0:       # a where's constant branch taken (abs, sign at 0):
            # that constant in every direction, as arrays get it; out's kind (a dual of
            # the inner tag for nested duals, complex for sign), out being 0 there
            total = [out * 0.0 + total] * p.shape[-1]
        return dual.make_scalar(_as_scalar(out), [_as_scalar(t) for t in total], tag)
    return dual.make_array(out, total, tag)


def _scalar_partials(fns, args, duals, values, out, rule=None):
    """The partials of a scalar result, a list."""
    total = None
    for k in duals:
        d = fns[k]
        if d != "0":
            o = _f64(out) if type(out) is float else _c128(out) if type(out) is complex else out
            f = _as_scalar(d(*values, o))
            term = _scalar_quotient(rule, k, f, values, o, args[k]._plist()) \
                if rule is not None and rule.quotient else _scaled(f, args[k]._plist())
            total = term if total is None else [s + t for s, t in zip(total, term)]
    return total if total is not None else [0.0] * len(args[duals[0]]._plist())


def _scalar_quotient(rule, k, f, values, out, ps):
    """:func:`_scaled`'s ``[f * p for p in ps]`` for a local derivative ``f`` that is not
    finite, where ``rule`` writes it ``a / b`` (:attr:`Rule.quotient`): a nonzero ``p``
    taken in two steps (``two_step``) where ``f``'s value overflowed and ``a``'s and
    ``b``'s are finite, ``b``'s nonzero (``1 / u`` at u = 1e-159 with du = 1e-80:
    -1e238, not -inf), or where ``f``'s value underflowed (``underflowed``: ``-out / y``
    at y = 1e170 is 0.0, times du = 1e170 lost -1e-170); elsewhere ``_scaled``'s
    product.

    For a nested ``f`` the terms' plain values are then those the same call on the
    plain values gives (:func:`_with_primal`): which form a nested term takes reads its
    inner partials too (an infinite one keeps the product), and those are the
    directions a pass carries, so a Hessian's passes computed different gradients
    (``float_power(x0 x1, -1.5)`` at (1e-160, 1), chunk=1: -inf and -1.5e240, refused
    as "not a function of x alone"; ``arctan(exp(x0 x1))``'s H00 inf at chunk=1, NaN
    at others: diff57 R1 / attack57 d28); the plain call is the gradient's own."""
    pair = quotient_functions(rule)[k]
    small = tiny_below(f)
    if rule.spread and k == 0:          # (y lifts an underflowed x**(y - 1): power74)
        small = small * _power_lift(_primal(values[1]))
    if _is_finite(f) and not (_modulus(_primal(f)) < small and
                              (pair is not None or rule.spread) and
                              not (rule.spread and k == 0 and
                                   not nonzero_somewhere(values[1]))):
        return [f * p for p in ps]      # (x ** 0's slope an exact 0, not an underflow:
        # s ** 0 1.4 -> 61 us, bench/power_zero_ab.py: lead66; an exponent 0 whose
        # partials are not, one level down, is none: attack67 F1)
    terms = _quotient_terms(pair, f, values, out, ps)
    if isinstance(f, Dual):
        plain = [_primal(v) for v in values]
        flat = _quotient_terms(pair, _primal(f), plain, _primal(out), [_primal(p) for p in ps])
        if rule.spread:
            flat = _far_terms(rule, k, plain, _primal(out), [_primal(p) for p in ps], flat)
            if plain[1] != 0.0 or (_lost(f, 1.0) if k else
                                   _zero_exponent_lost(pair, f, values, out)):
                terms = _farpower.power_terms(rule, k, values, ps, terms)
        terms = [_with_primal(t, v) for t, v in zip(terms, flat)]
    elif rule.spread:
        terms = _far_terms(rule, k, values, out, ps, terms)
    return terms


def _zero_exponent_lost(pair, f, values, out):
    """Did ``y x**(y - 1)`` (``f``, nested) at an exponent whose value is 0 lose a
    component that ``y * out`` holds (:func:`_lost`: where :func:`_nested_terms` takes the
    two steps)?  Only there does its extended-range term run (and d/dy's ``log(x)
    x**y``, no quotient, only where a component is not finite and normal: ``_lost(f,
    1.0)``: its partial -dx**2 / x**2 is -inf where 1 / x**2 leaves the range, and
    d3/dx2dy of ``(1e-300 w0) ** (1e-100 w1)`` at (1e-5, 0) was -inf for -1e-90): one
    level down
    the partial ``dy / x`` underflows beside ``dx ~ x`` (d3/dx2dy of ``(1e150 x) **
    (1e-200 y)`` at (1, 0) was 0 for -1e-200: attack68 F2), while an ordinary base keeps
    every component (run there too, the pairs took ``s ** (q1 - 3.2)`` in a Hessian
    from 146 to 523 us: pow68)."""
    a = _part(pair[0], values, out)
    return a is not None and _lost(f, a)


def _modulus(v):
    """``abs(v)`` of a number, ``inf`` where Python's ``abs`` of a complex number raises
    ``OverflowError`` (finite parts, a modulus past the float range: ``-out / y`` of
    ``x / y`` at parts of 1.3e308, complex68), as NumPy's ``np.absolute`` gives it."""
    try:
        return abs(v)
    except OverflowError:
        return math.inf


def _far_terms(rule, k, values, out, ps, terms):
    """:func:`_scalar_spread`'s terms, then each number that is not the extended-range
    product's to a few ulps taken as it (:func:`_farpower.power_terms`: a negative base,
    a factor that lost bits below the normal range or fell to 0 with ``out``)."""
    return _farpower.power_terms(rule, k, values, ps,
                                 _scalar_spread(rule, k, values, out, ps, terms))


def _scalar_spread(rule, k, values, out, ps, terms):
    """``terms``, argument ``k``'s ``f * p`` (or two steps) for plain float ``values``
    and partials ``ps``, with each that is not finite and normal beside a finite
    nonzero ``p`` taken as ``rule``'s spread product (:func:`spread_product`) where
    that is finite and normal (``x ** -1`` at x = 1e-310 times dx = 5e-324: -5e296,
    not -inf; diff64)."""
    pair = spread_functions(rule)[k]
    if pair is None or not all(type(v) is float or type(v) is np.float64 for v in values):
        return terms
    parts = None
    fixed = []
    for p, t in zip(ps, terms):
        if not TINY <= abs(t) < math.inf and type(p) is float and p != 0.0 and \
                p - p == 0.0:
            with np.errstate(all="ignore"):
                if parts is None:       # (on arrays of one: NumPy's array loops, the
                    parts = [g(*(np.array([v], _f64) for v in (*values, out)))[0]
                             for g in pair]             # array path's bits)
                s = float(spread_product(*parts, p))
            if TINY <= abs(s) < math.inf:
                t = s
        fixed.append(t)
    return fixed


def _with_primal(t, v):
    """The nested scalar ``t`` with its plain value ``v`` (``v`` where ``t`` is plain)."""
    if isinstance(t, Dual):
        return dual.make_scalar(_with_primal(t.value, v), t._plist(), t.tag)
    return v


def _part(g, values, out):
    """A quotient row's part ``g`` (``a`` or ``b`` of ``f = a / b``) at plain or nested
    scalar values, or ``None`` where a Python float divides by zero in it (digamma's
    ``1 / x + x trigamma(x + 1)`` at its pole x = 0: the product's own -inf stays)."""
    try:
        return _as_scalar(g(*values, out))
    except ZeroDivisionError:
        return None


def _quotient_terms(pair, f, values, out, ps):
    """:func:`_scalar_quotient`'s terms past its common case."""
    if isinstance(f, Dual):
        return _nested_terms(pair, f, values, out, ps)
    if _is_finite(f):
        if pair is None or not _modulus(_primal(f)) < tiny_below(f):
            return [f * p for p in ps]
        a = _part(pair[0], values, out)
        if a is None or not underflowed(f, a):
            return [f * p for p in ps]
        b = _part(pair[1], values, out)
        if b is None or not (_is_finite(a) and _is_finite(b) and _primal(b) != 0.0):
            return [f * p for p in ps]
        return [p if _is_zero(p) else two_step(a, b, p) for p in ps]
    fv = _primal(f)
    if pair is None or not (fv == fv or isinstance(fv, complex)):   # a real NaN: no
        return _scaled(f, ps)   # overflow to undo; a complex one may be an overflow's
    a, b = (_part(g, values, out) for g in pair)    # (1 / x**2 at x = 1e-200 (1 + i): nan
    # + inf j, 1e155**-2 + 0j: nan + nan j; attack62 11): a / b decides where it is finite
    if a is None or b is None or not (_is_finite(a) and _is_finite(b) and _primal(b) != 0.0):
        return _scaled(f, ps)
    return [p if _is_zero(p) else two_step(a, b, p) for p in ps]


def _nested_terms(pair, f, values, out, ps):
    """:func:`_quotient_terms` for a nested ``f``: decided by plain values alone (``f``'s
    overflowed or fell below ``NESTED_TINY``, ``a``'s and ``b``'s finite, ``b``'s nonzero),
    then component by component the two steps' where finite, else the product's (the
    zero rule's: ``a = -out`` of sqrt(x0) / y at 0, its inner partial infinite,
    attack54 09; an overflow's -inf, d2/dx2 x**0.5 at 1e-300, where the two steps' own
    quotient rule met inf - inf).  A component is a mixed partial in the directions it
    is of: what it takes reads those directions only, so a Hessian's entries do not
    depend on ``chunk=`` (``float_power(x0 x1, -1.5)``'s H11 at (1e-160, 1) was
    3.75e240 at chunk=1, inf at others: an inner partial in x0 kept x1's product)."""
    fv = _primal(f)
    if pair is None or not (fv == fv or isinstance(fv, complex)):  # (as _quotient_terms)
        return _scaled(f, ps)
    a, b = (_part(g, values, out) for g in pair)
    if a is None or b is None:
        return _scaled(f, ps)
    av, bv = _primal(a), _primal(b)
    if not (av - av == 0.0 and bv - bv == 0.0 and bv != 0.0) or \
            (fv - fv == 0.0 and abs(av) < TINY and not (av == 0.0 and _lost(f, a))):
        return _scaled(f, ps)       # (a finite f beside a subnormal a: the two steps would
        # carry a's few bits, x0**y's out = 1e-320 at x0 = 1e-160, y = 2: diff58 d2; an a
        # that is 0 but whose partials f lost takes them: (p - 1) / (c p), attack59 15)
    return [p if _is_zero(p) else _kept(two_step(a, b, p), q)
            for p, q in zip(ps, _scaled(f, ps))]


def _lost(f, a):
    """Did the nested local derivative ``f = a / b`` lose a component that ``a`` holds:
    one not finite beside ``a``'s finite one, or below the smallest normal number beside
    ``a``'s nonzero one?  (``-out / h`` of ``(p - 1) / (c p)`` at p = 1: its value and
    ``a``'s are 0, its partial ``-1 / c**2`` is 0.0 at c = 1e200 and -inf at c = 1e-160
    beside ``a``'s -1 / c, which the two steps ``(p a) / b`` keep: attack59 15.)"""
    if isinstance(f, Dual):
        fp = f._plist()
        ap = a._plist() if isinstance(a, Dual) and a.tag == f.tag else None
        if ap is None or len(ap) != len(fp):
            ap = [1.0] * len(fp)        # (a's structure unknown: any loss counts)
        av = a.value if isinstance(a, Dual) and a.tag == f.tag else a
        return _lost(f.value, av) or any(_lost(u, v) for u, v in zip(fp, ap))
    v = _primal(a)
    if not (f - f == 0.0):
        return v - v == 0.0
    return _modulus(f) < TINY and v != 0.0


def _kept(t, q):
    """The two steps' term ``t`` (:func:`_finite_first`), or the product's ``q`` where
    ``t``'s plain value fell below the smallest normal number and ``q``'s did not: the
    two steps' ``p a`` underflowed (d2/dt2 (1e-100 t)**3 gave 0.0 for 6e-300, its ``(p
    a) / b`` = (1e-100 3e-300) / 1e-100; attack58 02, on a preview of this change)."""
    tv, qv = _modulus(_primal(t)), _modulus(_primal(q))
    if tv < TINY and TINY <= qv < math.inf:
        return q
    return _finite_first(t, q)


def _finite_first(t, q):
    """The nested scalar ``t``, each component that is not finite ``q``'s instead."""
    if isinstance(t, Dual) and isinstance(q, Dual) and t.tag == q.tag:
        tp, qp = t._plist(), q._plist()
        if len(tp) == len(qp):
            return dual.make_scalar(_finite_first(t.value, q.value),
                                    [_finite_first(u, v) for u, v in zip(tp, qp)], t.tag)
    if isinstance(t, Dual) or isinstance(q, Dual):
        return t if _is_finite(t) else q
    return t if t - t == 0.0 else q


def _select_scalar(fns, args, duals, values, out, rule=None):
    """A selection row's partials of a scalar result (a list): those of the argument
    whose indicator is 1 (the last dual argument's where its indicator is 1, the
    other's where it is 0, or zeros for a constant), never a product: the other
    argument's inf or NaN partials times 0 would be NaN (as :func:`_selected` on
    arrays).  At a tie (an indicator ``t`` strictly between 0 and 1: 1/2) ``t * q +
    (1 - t) * p``, the midpoint of the one-sided derivatives (rules/_table.py, TIES),
    or for nested duals the argument the second order picks (:mod:`._second_order`)."""
    o = _f64(out) if type(out) is float else _c128(out) if type(out) is complex else out
    k = duals[-1]
    t = _primal(fns[k](*values, o))
    if t == 1.0:
        return list(args[k]._plist())
    if t == 0.0:
        if len(duals) > 1:
            return list(args[duals[0]]._plist())
        return [0.0] * len(args[k]._plist())
    t = float(t)
    chosen = args[k]._plist()
    other = args[duals[0]]._plist() if len(duals) > 1 else [0.0] * len(chosen)
    j = duals[0] if len(duals) > 1 else 1 - k
    if isinstance(values[k], Dual) or isinstance(values[j], Dual):   # nested duals
        pick = _second_order.verdict(
            args[k].tag, dual.stack_scalars(chosen), dual.stack_scalars(other), values[k],
            values[j], rule.ufunc is np.maximum or rule.ufunc is np.fmax, (len(chosen),))
        if pick is not None and pick != 0:
            return list(chosen) if pick > 0 else list(other)
    if len(duals) > 1:
        return [t * q + (1.0 - t) * p for q, p in zip(chosen, other)]
    return [t * q for q in chosen]


# |x| = max(x, -x): the kink at x == 0 is a tie of the selection, whose second order
# decides it as maximum's (a "variance guard" np.abs(var), var reaching 0 with zero
# gradient, has var's Hessian there; the table's sign(0) = 0 split it: 0; attack43 12)
_KINKS = (np.absolute, np.fabs, np.copysign)


def _kink_sign(rule, values):
    """``copysign(x, y) = sign(y) |x|``: y's sign (a plain array or float; 0 where y is
    0, whose sign bit f's value jumps with: no decision there); 1.0 for abs."""
    if rule.ufunc is not np.copysign:
        return 1.0
    y = values[1]
    while isinstance(y, Dual):
        y = y.value
    y = np.asarray(y)
    return np.where(y == 0.0, 0.0, np.copysign(1.0, y))


def _kink_zero(value):
    """Where the nested real ``value`` (a dual) is 0 (its innermost primal), or
    ``None`` (none, or complex: |z| is no selection)."""
    v = value
    while isinstance(v, Dual):
        v = v.value
    if np.iscomplexobj(v):
        return None
    zero = np.asarray(v) == 0.0
    return zero if zero.any() else None


def _kink_array(a, value, total, shape, sign=1.0):
    """``total`` (the partials of ``np.abs(a)``, nested duals, values' shape
    ``shape``) where ``a``'s value is 0: ``max(a, -a)``'s second-order tie-break
    (:mod:`._second_order`): ``a``'s partials where ``a`` dominates, ``-a``'s where
    ``-a`` does, the midpoint (the table's 0) elsewhere."""
    zero = _kink_zero(value)
    if zero is None:
        return total
    p = _partials_array(a)
    target = tuple(shape) + (np.shape(p)[-1],)
    pick = _second_order.verdict(a.tag, p, -p, value, -value, True, target)
    if pick is None:
        return total
    pick = np.where(np.broadcast_to(zero, pick.shape) & (np.asarray(sign) != 0.0), pick, 0)
    if not pick.any():
        return total
    pick = pick[..., None]
    sign = np.asarray(sign, float)[..., None] if np.ndim(sign) else sign
    return np.where(pick > 0, p * sign, np.where(pick < 0, -p * sign, total))


def _kink_scalar(a, value, partials, sign=1.0):
    """:func:`_kink_array` for a scalar dual's ``partials`` (a list)."""
    sign = float(sign)
    if _kink_zero(value) is None or sign == 0.0:
        return partials
    chosen = list(a._plist())
    other = [-c for c in chosen]
    pick = _second_order.verdict(a.tag, dual.stack_scalars(chosen), dual.stack_scalars(other),
                                 value, -value, True, (len(chosen),))
    if pick is None or pick == 0:
        return partials
    return [sign * c for c in (chosen if pick > 0 else other)]


def _second(rule, args, duals, values):
    """What :func:`split_ties` needs for the second-order tie-break of nested duals
    (:mod:`._second_order`): ``(larger, tag, chosen's value, the other's value)``, or
    ``None`` (plain values: no second order to choose by)."""
    k = duals[-1]
    j = duals[0] if len(duals) > 1 else 1 - k
    if not isinstance(values[k], Dual) and not isinstance(values[j], Dual):
        return None
    return (rule.ufunc is np.maximum or rule.ufunc is np.fmax, args[k].tag, values[k],
            values[j])


def _selected(indicator, duals, partials, target, second=None):
    """A selection row's partials, shape ``target``: ``partials[-1]`` (those of the last
    dual argument, at position ``duals[-1]``) where its ``indicator`` (the table's
    derivative in that argument, of the value's shape or broadcasting to it) is 1,
    elsewhere ``partials[0]`` (the other dual argument's) or +0.0 (the other argument is
    a constant): ``np.where``'s select (``backend.where``), the bits the generated
    kernels' select gives, never a product of an indicator and partials; at a tie
    (:func:`split_ties`) the midpoint, or, for nested duals (``second``: see
    :func:`_second`), the argument the second order picks."""
    t = np.asarray(_primal(indicator))
    cond = np.asarray(t != 0.0)
    shape = target[:-1]
    if (cond.ndim or shape) and (cond.shape != shape or not cond.flags.c_contiguous):
        full = np.empty(shape, dtype=bool)      # cond broadcast, C-contiguous (by
        full[...] = cond                        # np.broadcast_to and a copy: ~6 us more)
        cond = full
    other = partials[0] if len(duals) > 1 else 0.0
    chosen = partials[-1]
    if 1 < target[-1] <= _SELECT_ROWS and cond.shape == shape:
        # partials of a smaller operand (np.maximum(d, e) with e of (1, 5, 30)) first
        # assigned into an array of target's shape: backend.where then copies the
        # condition per direction and selects in one flat pass, where NumPy's where
        # broadcasting them ran an inner loop of n (the same selection, the same bits:
        # 113 -> 65 us at (30, 5, 30) x 3, ``python bench/combine_check.py --time``)
        total = backend.where(cond, _full_rows(chosen, target), _full_rows(other, target),
                              target)
    else:
        total = backend.where(cond, chosen, other, target)
    return split_ties(t, chosen, other, total, target, second)


_SELECT_ROWS = 8        # directions up to which _selected fills out broadcast partials


def _full_rows(p, target):
    """Partials ``p`` (or a number) as an array of shape ``target``: ``p`` itself when
    it has that shape, else broadcast (aligned from the right) into a new float64
    array by one assignment."""
    if type(p) is not _ndarray or p.shape == target or p.dtype is not _F64:
        return p
    full = np.empty(target)
    full[...] = p
    return full


def split_ties(t, chosen, other, total, target, second=None):
    """``total`` (a selection's partials, shape ``target``) with ``t * chosen + (1 - t)
    * other`` where the indicator ``t`` (broadcasting to the value's shape) is neither
    0 nor 1: a tie, where each argument gets 1/2 (rules/_table.py, TIES).  ``other`` is
    the other argument's partials or 0.0 (a constant).  ``total`` itself where there is
    no tie (one test of the indicators; the products only where one is).  With
    ``second`` (nested duals: :func:`_second`), where the first-order parts tie too,
    the argument whose second-order part dominates (:mod:`._second_order`)."""
    t = np.asarray(t, dtype=float)
    tie = (t != 0.0) & (t != 1.0)
    if not tie.any():
        return total
    ndim = len(target)
    shaped = (1,) * (ndim - 1 - t.ndim) + t.shape + (1,)
    tie, t = np.reshape(tie, shaped), np.reshape(t, shaped)
    # only the tied elements' products are kept: an inf partial elsewhere makes a NaN
    # in the product that np.where drops
    with np.errstate(invalid="ignore", over="ignore"):
        blend = t * chosen if isinstance(other, float) else t * chosen + (1.0 - t) * other
    if second is not None:
        larger, tag, cval, oval = second
        pick = _second_order.verdict(tag, chosen, other, cval, oval, larger, target)
        if pick is not None and pick.any():
            pick = pick[..., None]
            blend = np.where(pick > 0, chosen, np.where(pick < 0, other, blend))
    return np.where(tie, blend, total)


def _array_partials(rule, fns, args, duals, values, out, shape):
    """The partials of an array result, shape ``shape + (n,)``."""
    if rule.select:                       # the selected argument's partials: a select
        arrays = [_partials_array(args[k]) for k in duals]
        fused = backend.local(rule, values, out, duals, arrays)
        if fused is not None:
            return fused
        target = shape + (arrays[0].shape[-1],)
        return _selected(fns[duals[-1]](*values, _f64(out) if type(out) is float else out),
                         duals, arrays, target, _second(rule, args, duals, values))
    if type(out) is np.ndarray and out.dtype == _f64 and backend.FUSING[0]:
        deferred = _deferred(rule, fns, args, duals, values, out, shape)   # (the flag
        # read last: a result that is not float64 runs the same statements whatever the
        # engine, tests/_halves.py's record)
        if deferred is not None:
            return deferred
    arrays = [_partials_array(args[k]) for k in duals]
    fused = backend.local(rule, values, out, duals, arrays)
    if fused is not None:                 # local derivatives evaluated in the loop
        return fused
    factors, partials, scratch = [], [], None
    for k, p in zip(duals, arrays):
        d = fns[k]
        if d != "0":
            # a Python float result (a scalar dual with > 16 partials): NumPy float
            # semantics for the local derivative, inf rather than ZeroDivisionError
            f = d(*values, _f64(out) if type(out) is float else out)
            if p.shape[-1] == 1 and _fresh(f, values, out):   # only one direction uses it
                scratch = f
            factors.append(f)
            partials.append(p)
    if not factors:                                 # locally constant in every dual argument
        return backend.zeros(shape + (arrays[0].shape[-1],))
    # the underflow test before the products: combine may write them into ``scratch``,
    # a factor (x ** 2.05 at x = 1e-300 times dx = 1e40 read the product 2e-275, not
    # the factor's 2e-315, and kept 2.0499999986e-275 with numba loaded: farpow67)
    lost = rule.quotient and any(
        _tiny(f, rule, k, (*values, _f64(out) if type(out) is float else out))
        for f, k in zip(factors, [k for k in duals if fns[k] != "0"])
        if k in _watched(rule))
    total = backend.combine(factors, partials, shape, partials[0].shape[-1], scratch)
    if lost or rule.quotient and not backend.finite(total):
        return _quotient_partials(rule, fns, duals, values, out, arrays, shape, total)
    return total


def _variable(rule):
    """The arguments of ``rule`` whose quotient's numerator ``a`` is not a number, and
    those with a spread (the NumPy paths' :func:`_tiny` test, on small arrays: ``-out /
    y`` underflows beside ordinary values, ``1 / y`` only past |y| = 4.5e307, where the
    kernels and the general path still take the two steps; power's d/dy ``out log x``
    is 0 where ``out`` underflowed, beside a partial that makes the slope normal:
    -6.9e-248 at x = 1e-300, y = 1.5, dy = 1e200, farpow67)."""
    found = _VARIABLE.get(rule.ufunc)
    if found is None:
        found = _VARIABLE[rule.ufunc] = frozenset(
            k for k, pair in enumerate(rule.quotient_exprs or ())
            if pair is not None and pair[0].constant is None) | frozenset(
            k for k, pair in enumerate(rule.spread_exprs or ()) if pair is not None)
    return found


_VARIABLE = {}


def _watched(rule):
    """The arguments of the quotient row ``rule`` whose local derivative the general
    paths test for an underflow (:func:`_tiny`): those it writes as a quotient, and
    :func:`_variable`'s (a spread's d/dy)."""
    found = _WATCHED.get(rule.ufunc)
    if found is None:
        found = _WATCHED[rule.ufunc] = _variable(rule) | frozenset(
            k for k, pair in enumerate(rule.quotient_exprs) if pair is not None)
    return found


_WATCHED = {}
_minimum, _fmin = np.minimum.reduce, np.fmin.reduce
# (NEP 18's implementation: no __array_function__ dispatch, ~0.1 us of a count; the
# arguments here are ndarrays: shallow69)
_count = getattr(np.count_nonzero, "_implementation", np.count_nonzero)
_maximum = np.maximum.reduce


def _tiny(f, rule=None, k=0, args=()):
    """Does the local derivative ``f`` (an array or number, nested duals read by value;
    complex values by modulus) hold an element below the smallest normal number in
    magnitude (0 among them)?  There a quotient row's ``f * p`` may have lost the bits :func:`two_step`
    keeps (:func:`_array_quotient`).  Given ``rule``, ``k`` and the values ``args``
    (``x, out`` or ``x, y, out``), an element of a float64 ``f`` counts only where the
    numerator ``a`` of argument ``k``'s ``f = a / b`` is nonzero, as in
    :func:`_array_quotient`: ``-out / y`` is an exact 0 where ``out`` is (``u / h``
    of a field that starts at zeros took the careful path at every step)."""
    if type(f) is np.ndarray and f.dtype is _F64:     # the common case, three NumPy calls
        if not f.size:
            return False
        if k == 1 and rule is not None and rule.spread and type(args[-1]) is np.ndarray \
                and _minimum(args[-1], axis=None) >= _OUT_ROOM:
            return False        # d/dy's out log x: |log x| >= 2**-53 but at x = 1 (its
            # exact 0), so normal where out >= 2**53 TINY; one pass where the test's
            # three (2.0 ** u at N = 1e5, n = 1: 615 -> 1431 us without it, farpow67)
        af = np.absolute(f)
        if k == 0 and rule is not None and rule.spread:
            low = af < TINY * _power_lift(args[1])    # (NaN: False)
        else:
            low = af < TINY                           # (NaN: False)
        if not _count(low):
            return False
        if rule is not None:
            a = _numerator(rule, k, args)
            if type(a) is np.ndarray and a.shape == f.shape:    # (a field from zeros: 0
                low &= a != 0.0             # at each step; counted, not reduced: rows67)
            else:
                low = low & (np.asarray(a) != 0.0)
            if not _count(low):
                return False
        return True     # (not min(af) < TINY: a NaN element made it False for the others,
        # whose product a zero partial beside the NaN kept finite: 2.0499999986e-275
        # for 2.05e-275 silently, attack67 F6)
    fv, small = _primal(f), tiny_below(f)
    if k == 0 and rule is not None and rule.spread and not np.iscomplexobj(fv):
        small = small * _power_lift(_primal(args[1]))   # (see _power_lift)
    if type(fv) is np.ndarray and fv.dtype is _C128 and fv.size > 4096 and \
            fv.flags.c_contiguous:
        # a large complex array: both parts below it (beside a nonzero numerator),
        # first the least part in blocks (:func:`_least_part`)
        parts = fv.reshape(-1).view(np.float64)
        if not _least_part(parts) < small:
            return False
        lost = np.absolute(parts) < small
        lost = (lost[0::2] & lost[1::2]).reshape(fv.shape)
    else:                                           # (complex: by modulus)
        m = np.absolute(fv)
        if np.ndim(small):                              # (a lift by element)
            lost = m < small
            if not lost.any():
                return False
        elif not _fmin(m, axis=None, initial=np.inf) < small:   # (NaN passed over)
            return False
        else:
            lost = m < small
    if rule is not None and np.iscomplexobj(fv) and lost.any():
        lost = lost & (np.asarray(_numerator(rule, k, args)) != 0.0)
    elif rule is not None and rule.spread and k == 0 and not isinstance(args[1], Dual) \
            and lost.any():             # a constant y = 0: y x**(y - 1) is 0 at every
        lost = lost & (np.asarray(args[1]) != 0.0)      # level (a ** 0 in a Hessian)
    return bool(lost.any())


def _power_lift(y):
    """``max(1, |y|)``: the room a power's d/dx ``y x**(y - 1)`` has above the smallest
    normal number while its part ``x**(y - 1)`` underflowed (a number; an array where
    ``y`` is a float64 array past 1 in magnitude somewhere).  ``y`` lifts an ``x**(y -
    1)`` that underflowed and lost its bits to a normal product: 9.226063294684436e-308
    for 9.226064273541042e-308 at x = 1 - 7.3e-8, y = 1e10 on every path, unless a
    neighbour's careful steps ran (power74).  1.0 for anything else (NaN included)."""
    if type(y) is np.ndarray:
        if y.dtype is not _F64:
            y = np.asarray(_primal(y))
            if y.dtype.kind not in "fiu":
                return 1.0
        if not y.size:
            return 1.0
        ay = np.absolute(y)
        if not _maximum(ay, axis=None) > 1.0:   # (NaN: 1)
            return 1.0
        return np.maximum(ay, 1.0)
    v = _primal(y)
    if type(v) is not float and (isinstance(v, (complex, np.complexfloating)) or
                                 isinstance(v, Dual)):
        return 1.0                      # (complex: the tests as they were)
    try:
        ay = abs(float(v))
    except (TypeError, ValueError, OverflowError):
        return 1.0
    return ay if ay > 1.0 else 1.0


def _tiny_out_test(rule, k, name):
    """The lean line's test of argument ``k``'s factor ``name`` by :func:`_tiny_out`
    where the table writes that factor as ``-out / y`` (or ``out / x``...) and its
    quotient's numerator is ``out`` itself (``np.divide``'s d/dy); ``None`` otherwise."""
    pairs = rule.quotient_exprs or ()
    if k >= len(pairs) or pairs[k] is None:
        return None                                 # (np.power's d/dy: a spread)
    num, den = (e.source() for e in pairs[k])
    if num in ("out", "-out") and den in ("x", "y") and \
            rule.exprs[k].source(_LAZY_SPELLING) == f"{num} / {den}":
        return f"_tiny_out({name}, out, _R, {k}, (x, y, out))"
    return None


def _tiny_out(f, out, rule, k, args):
    """:func:`_tiny` of ``f``, computed as ``-out / y`` (or ``out / y``) from the float64
    ``out`` and ``y`` the caller holds: two counts, four NumPy calls for :func:`_tiny`'s
    six (the shallow water row: each of a step's 16 quotients reads a field with zeros,
    so each test went on to the numerator's mask; user71).  Where ``out`` is +-0, ``y``
    is neither 0 nor NaN (``x / 0`` is inf or NaN), so ``f`` is +-0: every element
    outside ``out``'s nonzeros is among ``|f| < TINY``'s.  So some element of ``|f| <
    TINY`` has a nonzero ``out`` exactly when the two counts exceed the size (NaN counts
    as nonzero in ``out`` and never below TINY in ``f``, as in :func:`_tiny`)."""
    if type(f) is np.ndarray and f.dtype is _F64:
        low = _count(np.absolute(f) < TINY)             # (NaN: not below)
        if not low:
            return False
        if type(out) is np.ndarray and out.dtype is _F64 and out.shape == f.shape:
            return low + _count(out) > f.size
    return _tiny(f, rule, k, args)


_OUT_ROOM = 2.0 ** 53 * TINY      # (see _tiny: d/dy's factor normal where out is past it)
_BARE = {}          # (ufunc, k) -> where _numerator finds its array in args, or None


def _numerator(rule, k, args):
    """The numbers whose zeros make argument ``k``'s local derivative an exact 0 for
    :func:`_tiny`: the quotient's numerator ``a``, or for a row with a spread the base
    ``x`` (``y * out`` is 0 where ``out`` underflowed, while ``y x**(y - 1)`` kept a few
    bits: 2.0499999986e-275 for 2.05e-275 at x = 1e-300, y = 2.05, dx = 1e40; attackb65
    F2).  A numerator that is one of ``args`` (``x, out`` or ``x, y, out``) as it is or
    negated (``np.divide``'s ``-out``) is that one, zero where its negation is (the
    shallow water row's 16 quotients a step each computed ``-out`` for it: rows66)."""
    if rule.spread and spread_functions(rule)[k] is not None:
        # (an exact 0 also at y = 0, d/dx x**0, and for d/dy's log x at x = 1: not an
        # underflow; u ** np.arange(10.) took the careful path, 282 us for 62: farpow67)
        x = _primal(args[0])
        return (x != 0.0) & ((_primal(args[1]) != 0.0) if k == 0 else (x != 1.0))
    at = _BARE.get((rule.ufunc, k), _MISS)
    if at is _MISS:
        text = rule.quotient_exprs[k][0].source()
        names = ("x", "out") if len(args) == 2 else ("x", "y", "out")
        text = text[1:] if text[:1] == "-" else text
        at = _BARE[rule.ufunc, k] = names.index(text) if text in names else None
    if at is not None:
        return _primal(args[at])
    return _primal(quotient_functions(rule)[k][0](*args))


def _least_part(v, block=16384):
    """The least magnitude in the 1-D float64 array ``v`` (NaN passed over), in blocks
    through one small buffer: np.absolute(v) whole makes a temporary whose pages are
    new at each call, several times this pass in the complex fast path's test at N =
    1e5 (np.absolute of the complex array, a hypot per element, as slow)."""
    buf = np.empty(min(v.size, block))
    least = np.inf
    for i in range(0, v.size, block):
        part = v[i:i + block]
        got = np.absolute(part, out=buf[:part.size])
        least = min(least, _fmin(got, axis=None, initial=np.inf))
    return least


def _careful(rule, args, values, out, arrays, total):
    """The general path's partials of ``rule`` on array duals of one live tag (``args``,
    every argument a dual: ``values`` their float64 values of one shape, ``arrays``
    their partials of one shape, ``out`` the float64 result), where :func:`lean` could
    not finish: what :func:`call` computes past its scan of the arguments, which the
    lean path's checks stand for, so the same bits; ``None`` (the caller then runs
    :func:`call`) where the fused engine would defer the work.

    ``total``: the lean path's product of finite factors, one of which underflowed
    beside a nonzero numerator (:func:`_tiny`): :func:`_array_partials`' own steps
    from its product on (the compiled loop where ``backend.local`` runs one, else the
    two steps of :func:`_quotient_partials`).  ``None``: a lean kernel declined (an
    underflowed or non-finite factor): :func:`_array_partials` itself.  A shallow
    water field that fills from zeros met this at one quotient in seven, each through
    :func:`call`'s whole way (small60)."""
    duals = [0, 1] if len(values) == 2 else [0]
    if backend.FUSING[0] and out.size * arrays[0].shape[-1] >= backend.FUSING[1]:
        return None
    fns = _COMPILED.get(rule.ufunc) or derivative_functions(rule)
    if total is not None and _zeros_both_ways(rule, fns, duals, values, out, arrays):
        return total
    if total is None:
        token = _hush()
        try:
            return _array_partials(rule, fns, args, duals, list(values), out, out.shape)
        finally:
            _unhush(token)
    fused = backend.local(rule, values, out, duals, arrays)
    if fused is not None:
        return fused
    return _quotient_partials(rule, fns, duals, values, out, arrays, out.shape, total)


def _zeros_both_ways(rule, fns, duals, values, out, arrays):
    """Would :func:`_careful`'s two steps give the lean product ``total`` back, bit for
    bit?  A cheaper exact test than the steps (rows65: a shallow water wave's leading
    edge, ``-out / y`` underflowed beside partials <= 1e-21, 24 times a Jacobian at
    ~70 us each).  For each argument ``k`` whose float64 factor ``f = a / b`` holds an
    element below the smallest normal number beside a nonzero ``a`` (the set ``S``
    :func:`_array_quotient` takes in two steps), it asks, on ``S``: ``a``, ``b`` and
    the partials ``p`` finite, ``|a| < 1`` and ``2**-1022 <= |b| < 2**1000`` (there
    :func:`two_step` is ``(p * a) / b`` with no lift), ``max|a| * max|p|`` and
    ``max|f| * max|p|`` rounding to 0 (each true product at most 2**-1075, so every
    ``p * a`` and ``f * p`` rounds to a signed 0, and ``(p * a) / b`` stays one), and
    ``f`` of the sign of ``a / b``.  Then both ways give the zero of sign ``sign(f)
    sign(p)`` there, and ``f * p`` everywhere else; ``False`` sends the caller on to
    the steps.  Called under the lean path's hush."""
    for k, p in zip(duals, arrays):
        d = fns[k]
        if d == "0":
            continue
        f = d(*values, out)
        if type(f) is not np.ndarray or f.dtype is not _F64 or f.shape != out.shape:
            return False
        af = np.absolute(f)
        if not _maximum(af, axis=None, initial=0.0) < np.inf:
            return False                                # (NaN or inf: the steps)
        if not _minimum(af, axis=None, initial=np.inf) < TINY:
            continue                                    # nothing underflowed: no step
        pair = quotient_functions(rule)[k]
        if pair is None:
            continue                                    # (no two steps for it either)
        a, b = (g(*values, out) for g in pair)
        if type(a) is not np.ndarray or type(b) is not np.ndarray or \
                a.shape != f.shape or b.shape != f.shape:
            return False
        s = (af < TINY) & (a != 0.0)
        if not s.any():
            continue
        pm = _maximum(np.absolute(p), axis=None, where=s[..., None], initial=0.0)
        am = _maximum(np.absolute(a), axis=None, where=s, initial=0.0)
        fm = _maximum(af, axis=None, where=s, initial=0.0)
        ab = np.absolute(b)
        if not (am < 1.0 and am * pm == 0.0 and fm * pm == 0.0 and
                _minimum(ab, axis=None, where=s, initial=np.inf) >= TINY and
                _maximum(ab, axis=None, where=s, initial=0.0) < _LIFT_DOWN) or \
                np.any(np.signbit(f * a * b), where=s):
            return False                # (a NaN makes the maxima NaN: False above)
    return True


def _quotient_partials(rule, fns, duals, values, out, arrays, shape, total):
    """:func:`_array_partials`' ``total`` again where it is not finite, each term whose
    local derivative overflowed taken in two steps where ``rule`` writes it as a
    quotient (:func:`_array_quotient`); ``total`` itself where none did.  A power row
    on plain float64 arrays takes those steps on the elements :func:`_masked_partials`
    picks only."""
    if rule.spread and type(out) is np.ndarray and out.size >= _MASKED_FROM:
        masked = _masked_partials(rule, fns, duals, values, out, arrays, shape, total)
        if masked is not None:
            return masked
    factors, partials, fixed = [], [], False
    for k, p in zip(duals, arrays):
        d = fns[k]
        if d != "0":
            f = d(*values, _f64(out) if type(out) is float else out)
            fine = backend.finite(f) and not _tiny(f) and not (
                k == 0 and rule.spread and _tiny(f, rule, 0, (*values, out)))
            t = None if fine else _careful_term(rule, k, f, values, out, p, shape)
            fixed = fixed or t is not None
            factors.append(f if t is None else 1.0)
            partials.append(p if t is None else t)
    if not fixed:
        return total
    return backend.combine(factors, partials, shape, partials[0].shape[-1])


def _careful_term(rule, k, f, values, out, p, shape):
    """Argument ``k``'s partials ``f * p`` (``f`` its local derivative, not finite or
    below the smallest normal number somewhere) with the elements that lost bits taken
    in two steps (:func:`_array_quotient`), by the row's spread (:func:`_array_spread`)
    and, for a power row, in extended range (:func:`_farpower.power_terms`); ``None``
    where no element changed (``f * p`` stands)."""
    t = _array_quotient(rule, k, f, values, out, p, shape)
    if rule.spread:
        t = _array_spread(rule, k, f, values, out, p, shape, t)
        if getattr(p, "dtype", None) == _f64 and p.ndim and (
                t is not None or np.any(_primal(values[1]) != 0.0) or
                isinstance(values[1], Dual) and (_lost_deep(f, 1.0) if k else
                _zero_exponent_lost_elements(rule, f, values, out))):
            # every level, in extended range (at an exponent of value 0 only
            # where a component under- or overflowed: pow68)
            tt = backend.combine([f], [p], shape, p.shape[-1]) if t is None else t
            found = _farpower.power_terms(rule, k, values, [p], [tt], lift=True)[0]
            if type(found) is not type(tt) or np.shape(found) != np.shape(tt):
                found = _as_array_term(found, tt)   # a third level's term
            t = t if found is tt else found         # extended range
    return t


_MASKED_FROM = 16       # elements from which a power row's careful terms are masked
_MASK_ROOM = 2.0 ** 12 * TINY   # (see _masked_partials: f below it times |c| is suspect)


def _masked_partials(rule, fns, duals, values, out, arrays, shape, total):
    """:func:`_quotient_partials` for a power row (``rule.spread``) on plain float64
    values, result and partials, its careful steps (:func:`_careful_term`) taken on the
    elements where they may change ``f * p`` only, ``f * p`` as the product gave it
    elsewhere; ``None`` (the caller takes every element) for other operands, or where
    more than half the elements are such.

    An element of argument ``k`` is taken where ``f`` is not finite, where ``|f| <
    2**12 TINY max(1, |c|)`` (``c`` the spread's first factor, ``y`` for d/dx, ``log x``
    for d/dy: ``y x**(y - 1)`` is normal beside an ``x**(y - 1)`` that underflowed and
    lost its bits, x = 1 - 7.3e-8, y = 1e10), or where a direction's ``f * p`` is not a
    normal number beside a finite nonzero ``p``.  Elsewhere none of the steps changes a
    bit: :func:`_array_quotient` takes only an ``f`` that overflowed or underflowed,
    :func:`_array_spread` only a product that is not normal, and
    :func:`_farpower.power_terms` keeps a number within 2**-40 of its extended-range
    product, which a normal ``f * p`` of a normal ``x**(y - 1)`` (or ``out``) is: the
    rounding of ``y - 1.0`` moves ``x**(y - 1)`` by at most ``|(y - 1) log x|`` eps <= 709
    eps.  JONSWAP's ``y ** exp(-z**2)`` (bench/corpus73.py) has 7 such elements of 200;
    every element's steps took ~0.55 ms a Jacobian (user73)."""
    if out.dtype is not _F64 or out.shape != tuple(shape) or \
            not all(_plain_float(v) for v in values):
        return None
    size = out.size
    work = []
    for k, p in zip(duals, arrays):
        d = fns[k]
        if d == "0":
            continue
        if type(p) is not np.ndarray or p.dtype is not _F64 or p.shape[-1:] != \
                arrays[0].shape[-1:]:
            return None
        f = d(*values, out)
        if not _plain_float(f):
            return None
        work.append((k, f, p))
    if not work:
        return None
    n = arrays[0].shape[-1]
    target = tuple(shape) + (n,)
    factors, partials, fixed = [], [], False
    for k, f, p in work:
        if backend.finite(f) and not _tiny(f) and not (
                k == 0 and _tiny(f, rule, 0, (*values, out))):
            factors.append(f)                           # (k = 0: y lifts it, power74)
            partials.append(p)
            continue
        tt = backend.combine([f], [p], shape, n)
        pairs = spread_functions(rule)[k]
        with np.errstate(all="ignore"):
            af = np.absolute(np.broadcast_to(f, shape))
            room = _MASK_ROOM if pairs is None else \
                _MASK_ROOM * np.maximum(np.absolute(pairs[0](*values, out)), 1.0)
            mask = ~((af >= room) & (af < np.inf))
            m = np.absolute(tt)
            pb = np.broadcast_to(p, target)
            mask |= np.any(~((m >= TINY) & (m < np.inf)) & (pb != 0.0) & np.isfinite(pb),
                           axis=-1)
            # (not an exact 0 beside a zero numerator, d/dx x**0 or d/dy 1**y, as
            # :func:`_tiny` reads it: no step changes it)
            mask &= (af != 0.0) | _numerator(rule, k, (*values, out))
        count = _count(mask)
        if 2 * count > size:
            return None                                 # (most of them: every element)
        if not count:
            factors.append(f)                           # (f * p, as the steps keep it)
            partials.append(p)
            continue
        sub = [v if type(v) is not np.ndarray or not v.ndim else
               np.broadcast_to(v, shape)[mask] for v in values]
        t = _careful_term(rule, k, np.broadcast_to(f, shape)[mask], sub, out[mask],
                          pb[mask], (count,))
        if t is None:
            factors.append(f)
            partials.append(p)
            continue
        if type(t) is not np.ndarray or t.shape != (count, n):
            return None                                 # (not a plain term: every element)
        whole = np.array(tt, dtype=_F64) if tt.shape == target else \
            np.array(np.broadcast_to(tt, target), dtype=_F64)
        whole[mask] = t
        fixed = True
        factors.append(1.0)
        partials.append(whole)
    if not fixed:
        return total
    return backend.combine(factors, partials, shape, n)


def _as_array_term(found, tt):
    """``found``, the extended-range term :func:`_farpower.power_terms` gave for the
    array dual ``tt`` as a scalar dual whose value is an array (a third level's term:
    its value ``tt``'s, its partials one array a direction), as an array dual of
    ``tt``'s structure.  Keeping the product there instead gave -inf for -5.9e117
    (diff68 F1), and reading it as it came raised IndexError (attack67 F3)."""
    value = getattr(found, "value", None)
    if not isinstance(found, Dual) or found.tag != tt.tag or \
            np.shape(value) != np.shape(tt.value):
        raise errors.DualTypeError(
            "dualgrad: x ** y's extended-range term came back as "
            f"{type(found).__name__} of shape {np.shape(value)}; expected a term shaped "
            f"as the array dual's value {np.shape(tt.value)}. This is dualgrad's own "
            "error: please report it; meanwhile scale the base or the exponent into the "
            "float range.")
    ps = [q if isinstance(q, Dual) or np.shape(q) == np.shape(value) else
          np.broadcast_to(q, np.shape(value)) for q in found.partials]
    return make(value, np.stack(ps, axis=-1), found.tag)


def _array_quotient(rule, k, f, values, out, p, shape):
    """The partials ``f * p`` (shape ``shape + (n,)``, NaN-safe) of argument ``k``
    whose local derivative ``f`` is not finite somewhere, or underflowed, with the
    elements where ``f``'s value overflowed (or underflowed below the smallest normal
    number, ``a`` nonzero) but ``rule``'s parts ``a`` and ``b`` of ``f = a / b`` are
    finite (``b`` nonzero) taken in two steps (``two_step``: ``1 / u`` at u = 1e-159
    times du = 1e-80 is -1e238, not -inf); ``None`` where no element is such."""
    pair = quotient_functions(rule)[k]
    if pair is None:
        return None
    o = _f64(out) if type(out) is float else out
    a, b = (g(*values, o) for g in pair)
    fv, av, bv = (np.asarray(_primal(v)) for v in (f, a, b))
    with np.errstate(invalid="ignore"):
        # (complex: an overflow may leave a NaN, 1 / x**2 at 1e-200 (1 + i) is nan + inf j,
        # and an underflow is by modulus, 0j at 1e200 (1 + i): attack62 11)
        over = ~np.isfinite(fv) if np.iscomplexobj(fv) else np.isinf(fv)
        nested = tiny_below(f) != TINY  # an underflow beside a nonzero a (underflowed's;
        near = (np.absolute(av) >= TINY) if nested else (av != 0.0)   # nested, beside a
        if nested:                      # normal a: diff58 d2; or beside an a of 0 whose
            near = near | (av == 0.0) & (fv == 0.0) & _lost_elements(f, a)  # partials f lost)
        over = over | (np.absolute(fv) < tiny_below(f)) & near
        over = over & np.isfinite(av) & np.isfinite(bv) & (bv != 0.0)
    if not over.any():
        return None
    n = p.shape[-1]
    t = backend.combine([f], [p], shape, n)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        safe = two_step(a, b, p)
    over = np.broadcast_to(over, shape)[..., None]
    if type(p) is np.ndarray:             # a zero partial: combine's +0.0, as the kernels
        over = over & (p != 0.0)
    if type(safe) is not np.ndarray:        # nested: not where the two steps' value fell
        sv, tv = np.absolute(_primal(safe)), np.absolute(_primal(t))   # below the smallest
        with np.errstate(invalid="ignore"):    # normal and the product's did not: (p a) / b
            over = over & ~((sv < TINY) & (tv >= TINY) & (tv < np.inf))  # lost d2/dt2
    return np.where(over, safe, t)                                # (1e-100 t)**3's 6e-300


def _array_spread(rule, k, f, values, out, p, shape, t):
    """``t`` (argument ``k``'s partials from :func:`_array_quotient`, or ``None``: ``f *
    p``), for plain float64 values and partials, with the elements that are not finite
    and normal beside a finite nonzero partial taken as ``rule``'s spread product
    (:func:`spread_product`) where that is finite and normal (:func:`_scalar_spread`'s,
    element by element); ``t`` itself where no element is such."""
    pair = spread_functions(rule)[k]
    if pair is None or type(p) is not np.ndarray or p.dtype != _f64 or \
            isinstance(f, Dual) or not all(_plain_float(v) for v in values):
        return t
    o = _f64(out) if type(out) is float else out
    tt = backend.combine([f], [p], shape, p.shape[-1]) if t is None else t
    with np.errstate(all="ignore"):
        m = np.absolute(tt)
        bad = ~((m >= TINY) & (m < np.inf)) & (p != 0.0) & np.isfinite(p)
        if not bad.any():
            return t
        c, h = (np.broadcast_to(g(*values, o), shape) for g in pair)
        s = spread_product(c, h, p)
        m = np.absolute(s)
        bad &= (m >= TINY) & (m < np.inf)
    return np.where(bad, s, tt) if bad.any() else t


def _plain_float(v):
    """Is ``v`` a float64 array or a float, tested without converting it (``np.asarray``
    of another call's dual built an object array, which the object-array watch reported
    as the user's: attack65 06)?"""
    return type(v) is float or (type(v) in (np.ndarray, _f64) and v.dtype == _f64)


def _lost_elements(f, a):
    """:func:`_lost` element by element for a nested array ``f = a / b`` (its first
    partials read by value): where did ``f`` lose a partial that ``a`` holds?"""
    fp = np.asarray(_primal(_partials_array(f)))
    ap = np.asarray(_primal(_partials_array(a))) \
        if isinstance(a, Dual) and a.tag == f.tag else np.ones(1)
    with np.errstate(invalid="ignore"):
        lost = ~np.isfinite(fp) & np.isfinite(ap) | (np.absolute(fp) < TINY) & (ap != 0.0)
    return lost.any(axis=-1)


def _zero_exponent_lost_elements(rule, f, values, out):
    """:func:`_zero_exponent_lost` for nested array duals, every level read (an element
    anywhere): did ``y x**(y - 1)`` at an exponent of value 0 lose a component that ``y *
    out`` holds?  (``_lost_elements`` reads the first partials only; the loss of attack68
    F2's ``((1e140 w0) ** (1e-100 w1)).sum()`` is one level deeper: its d3/dxdy2 was
    half the exact; run everywhere, the pairs took ``a ** (q1 - 3.2)`` in a Hessian
    from 502 to 795 us: pow68.)"""
    a = quotient_functions(rule)[0][0](*values, out)
    return _lost_deep(f, a)


def _levels(d):
    """The nested dual ``d``'s value and its partials, one a direction."""
    if d._kind == "slots":
        return d.value, list(d._plist())
    full = _partials_array(d)
    return d.value, [full[..., j] for j in range(full.shape[-1])]


def _lost_deep(f, a):
    """:func:`_lost` at every level of the nested (scalar or array) ``f``, element by
    element, ``a`` read where its tags agree with ``f``'s (else any loss counts)."""
    if isinstance(f, Dual):
        fv, fp = _levels(f)
        if isinstance(a, Dual) and a.tag == f.tag:
            av, ap = _levels(a)
            if len(ap) != len(fp):
                ap = [1.0] * len(fp)
        else:
            av, ap = a, [1.0] * len(fp)
        return _lost_deep(fv, av) or any(_lost_deep(u, v) for u, v in zip(fp, ap))
    fv, av = np.asarray(f), np.asarray(_primal(a))
    with np.errstate(invalid="ignore"):
        lost = ~np.isfinite(fv) & np.isfinite(av) | (np.absolute(fv) < TINY) & (av != 0.0)
    return bool(lost.any())


def _deferred(rule, fns, args, duals, values, out, shape):
    """The fused engine's deferred partials of an array result, or ``None``.

    A local derivative of ``+ - * /`` alone (``2.0 * x``, ``1.0 / (1.0 + x)``: see
    :func:`_local`) is left to the kernel, which computes it per element from the
    values; the others are NumPy's passes now."""
    a = args[duals[0]]
    p = a._p if a._kind == "array" else _partials_array(a)
    if out.size * (p.n if type(p) is backend.Deferred else p.shape[-1]) < backend.FUSING[1]:
        return None                   # small: the eager engine, without computing twice
    return _defer_terms(rule, fns, args, values, out, shape,
                        [(k, args[k]._p if args[k]._kind == "array" else
                          _partials_array(args[k])) for k in duals])


def _defer_terms(rule, fns, args, values, out, shape, sources):
    """The deferred node ``sum_k f_k p_k`` over ``sources`` (``(argument, its
    partials)`` for each dual argument), or ``None`` when every ``f_k`` is "0" or the
    rule is a selection (its partials are selected, not a sum of products: the caller
    propagates now).  (Once per deferred operation: the caller's plain arrays are
    looked for only when a local derivative is an array NumPy computed.)"""
    if rule.select:
        return None
    factors, partials = [], []
    for k, p in sources:
        d = fns[k]
        if d != "0":
            f = _local(rule, k, args, values, out)
            if f is None:
                f = d(*values, out)
                if rule.quotient and (not backend.finite(f) or (
                        k in _watched(rule) and _tiny(f, rule, k, (*values, out)))):
                    return None     # the eager engine's two steps (_array_quotient), also
                    # where f underflowed (arctan2 / erfcx at 1e200: attack59 03)
                if type(f) is np.ndarray and _caller_array(f, values, sources):
                    f = f.copy()    # the caller's array (x * c): it may write into c later
            factors.append(f)
            partials.append(p)
    if not factors:
        return None
    p = partials[0]
    n = p.n if type(p) is backend.Deferred else p.shape[-1]
    return backend.defer(factors, partials, shape, n)


def _caller_array(f, values, sources):
    """May the factor array ``f`` share memory with a plain array among ``values``
    (an argument that is not one of the dual ``sources``)?"""
    duals = [k for k, p in sources]
    return any(type(v) is np.ndarray and k not in duals and _may_share(f, v)
               for k, v in enumerate(values))


# NumPy's bounds test without the __array_function__ dispatch (its arguments here are
# ndarrays); NEP 18's ``_implementation``
_may_share = getattr(np.may_share_memory, "_implementation", np.may_share_memory)
_TEMPLATES = {}       # (ufunc, argument) -> (the table's element template, the
#                       positions of the parameters it reads), or (None, None)


def _local(rule, k, args, values, out):
    """The local derivative of ``rule`` in argument ``k`` as a ``backend.Local`` that
    the fused kernel computes per element, or ``None`` (the caller evaluates it).

    Taken when the table's expression is ``+ - * /`` on numbers and arguments
    (:meth:`dualgrad.rules._expr.Expr.element_template`) and each array it reads is
    the float64, C-contiguous value of a dual argument or the result, of the
    result's shape (kept by reference, as the multiply's factors are; a caller's
    plain array could be written later, and any other array would need a pass of
    its own anyway)."""
    template, reads, quotient = _TEMPLATES.get((rule.ufunc, k)) or _template(rule, k)
    if template is None:
        return None
    last = len(values)
    fields = [None] * (last + 1)
    for j in reads:
        v = out if j == last else values[j]
        if type(v) is np.ndarray:
            if v.dtype != _F64 or v.shape != out.shape or not v.flags.c_contiguous or \
                    not (j == last or isinstance(args[j], Dual)):
                return None
            fields[j] = v
        elif type(v) is float or type(v) is np.float64:
            fields[j] = float(v)
        else:
            return None
    return backend.Local(template, fields, quotient)


def _template(rule, k):
    """:func:`_local`'s entry of ``_TEMPLATES`` for argument ``k`` of ``rule``, made:
    the element template, the positions of the parameters it reads, and the templates
    of the table's parts ``a``, ``b`` of the derivative ``a / b`` (``Rule.quotient``:
    the kernel's two steps where the product overflows) or ``None``."""
    expr = rule.exprs[k].real_line()          # (float64 values only: see _local)
    template = expr.element_template()
    pair = rule.quotient_exprs[k] if rule.quotient else None
    quotient = None if template is None or pair is None else \
        tuple(_part_template(e) for e in pair)
    if quotient is not None and None in quotient:
        template = None                 # (no such row: the kernel could not take them)
    names = expr.names.union(*(e.names for e in pair)) if quotient else expr.names
    reads = None if template is None else \
        tuple(j for j, name in enumerate(expr.params) if name in names)
    entry = _TEMPLATES[(rule.ufunc, k)] = (template, reads, quotient)
    return entry


def _part_template(expr):
    """An element template of one part of a quotient (:func:`_template`): a number
    and a bare argument too, which ``element_template`` leaves out."""
    if expr.constant is not None:
        return repr(float(expr.constant))
    if expr.variable is not None:
        return f"{{{expr.params.index(expr.variable)}}}"
    return expr.element_template()


def with_number(rule, k):
    """``rule`` on an array dual at argument ``k`` and a number at the other, or ``None``.

    When the table's local derivative in argument ``k`` does not involve that
    argument or the result (``a * 2``, ``a / 2``, ``2 - a``, ``a + 2``), it is a
    number, and the partials take one NumPy pass: the same result as :func:`call`,
    without the generality that dominates its cost on small arrays.  The caller
    checks that the dual holds plain float64 arrays and that the number is a Python
    float or int, or a NumPy float64 beside ``+ - *`` (corpus65).
    """
    expr = rule.exprs[k] if rule.kind == "smooth" and len(rule.derivs) == 2 else None
    if expr is None or {"x" if k == 0 else "y", "out"} & expr.names:
        return None
    ufunc, d = rule.ufunc, derivative_functions(rule)[k]
    whole = _integer_only(rule, 1 - k)      # (ldexp's exponent: _promoted's int64)

    def apply(a, number):
        c = _promoted(number, rule, 1 - k) if whole and type(number) is int else \
            _f64(number)                    # (_promoted's float64 of an int too)
        values = (a.value, c) if k == 0 else (c, a.value)
        out = ufunc(*values)
        current = _eget()                   # _hush, inline (rows68: ~4000 calls in the
        seen, quiet = _LAST[0]              # lattice Boltzmann row's Jacobian)
        token = _eset(quiet) if current is seen or current is quiet else _hush()
        try:
            f = d(*values, out)
            p = a._p
            partials = backend.defer((f,), (p,), out.shape, p.n if type(p) is backend.Deferred
                                     else p.shape[-1]) \
                if backend.FUSING[0] and (type(p) is backend.Deferred or
                                          p.size >= backend.FUSING[1]) else None
            if partials is None:
                if type(f) is _f64 and f - f == 0.0 and type(p) is np.ndarray and \
                        p.dtype is _F64 and p.nbytes < _POOL_FROM:
                    partials = f * p        # backend.scaled's own product for a finite
                else:                       # NumPy float, below the pool (rows66)
                    partials = backend.scaled(f, backend.concrete(p))
        finally:
            _ereset(token)
        if type(out) is _ndarray and out.dtype is _F64:
            r = _new(_ArrayDual)            # make_array of a float64 value, written
            r.value = out                   # out (as the lean paths make theirs)
            r._p = partials
            r.tag = a.tag
            r._c = None
            return r
        return dual.make_array(out, partials, a.tag)
    return apply


_new = object.__new__
if _errstate is not None:
    _eget, _eset, _ereset = _errstate.get, _errstate.set, _errstate.reset
else:                                                   # pragma: no cover
    _eget = object          # (a new object: never the last pair's state, so _hush())
    _eset, _ereset = None, _unhush


_POOL_FROM = backend._buffers.MIN_BYTES     # (scaled's pooled buffers from this size)


def _fresh(f, values, out):
    """Is the local derivative ``f`` a new array (not an argument or the result)?"""
    return type(f) is np.ndarray and f.base is None and f is not out and \
        all(f is not v for v in values)


# ---- custom rules: composed from table entries -------------------------------------
def _modf(x):
    whole = np.trunc(x)
    return x - whole, whole


def _divmod(x, y):
    return np.floor_divide(x, y), np.remainder(x, y)


def _bilinear(name):
    def product(a, b):
        from ._linalg import bilinear           # (loaded on first use: import time)
        return bilinear(getattr(np, name), a, b)
    return product


_CUSTOM = {np.modf: _modf, np.divmod: _divmod,
           np.matmul: _bilinear("matmul"), np.vecdot: _bilinear("vecdot"),
           np.matvec: _bilinear("matvec"), np.vecmat: _bilinear("vecmat")}


# ---- the __array_ufunc__ entry point ---------------------------------------------
_REDUCE = {np.add: _reductions.sum, np.multiply: _reductions.prod,
           np.maximum: _reductions.amax, np.minimum: _reductions.amin}
_ACCUMULATE = {np.add: _reductions.cumsum, np.multiply: _reductions.cumprod}
_RUNNING = (np.maximum, np.minimum, np.fmax, np.fmin)


def _signature_types(signature):
    """The dtypes a ufunc's ``signature=`` names (``"ff->f"``, ``(None, "f8")``, a dtype)."""
    if isinstance(signature, str):
        return [np.dtype(c) for c in signature.replace("->", "").replace(",", "")]
    items = signature if isinstance(signature, (tuple, list)) else (signature,)
    return [np.dtype(t) for t in items if t is not None]


_MATMUL_AXES = [(-2, -1), (-2, -1), (-2, -1)]


def _refuse_overlapping_out(inputs, out):
    """Raise :func:`dualgrad.errors.product_out_overlap` where ``np.vecdot``'s ``out=``
    shares memory with an operand (NumPy's result there is not the product)."""
    targets = [_primal(o) for o in (out if isinstance(out, tuple) else (out,))]
    for k, x in enumerate(inputs):
        v = _primal(x)
        if isinstance(v, np.ndarray) and any(
                isinstance(t, np.ndarray) and np.shares_memory(t, v) for t in targets):
            raise errors.product_out_overlap("vecdot", k)


def apply(ufunc, method, inputs, kwargs):
    """``__array_ufunc__`` for both dual types."""
    rule = rule_for(ufunc)
    if rule is None and method == "__call__" and not kwargs and _python_ufunc(ufunc):
        return _on_objects(ufunc, inputs)
    name = ufunc_name(ufunc)
    if rule is None:
        raise errors.unsupported_ufunc(name, "it is not in dualgrad's rule table", method)
    if rule.kind == "unsupported":
        raise errors.unsupported_ufunc(name, rule.note, method)
    if not kwargs and method == "__call__":                 # np.sin(d): the common case
        return call(rule, inputs)
    out = kwargs.pop("out", None)
    where = True
    if method == "__call__":
        where = kwargs.pop("where", True)
    dtype = kwargs.pop("dtype", None)
    if dtype is not None and np.dtype(dtype) != np.float64 and rule.kind != "predicate":
        raise errors.cast_dtype(f"{name}(..., dtype={np.dtype(dtype).name})", dtype)
    signature = kwargs.pop("signature", None)
    if signature is not None and rule.kind != "predicate" and \
            any(t != np.float64 for t in _signature_types(signature)):
        action = f"{name}(..., signature={signature!r})"
        raise errors.complex_cast(action) if any(
            t.kind == "c" for t in _signature_types(signature)) \
            else errors.dropped_derivatives(action)
    for key in ("casting", "order", "subok"):
        kwargs.pop(key, None)
    if method == "__call__":
        axis = kwargs.pop("axis", None) if ufunc is np.vecdot else None
        if axis is not None:          # vecdot's axis= is axes=[(axis,), (axis,), ()]
            inputs = tuple(np.moveaxis(x, axis, -1) for x in inputs)
        if ufunc is np.matmul and kwargs.get("axes") == _MATMUL_AXES and \
                all(np.ndim(x) >= 2 for x in inputs):
            del kwargs["axes"]        # M @= Mi: NumPy passes matmul's default axes
        if kwargs:
            raise errors.unsupported_ufunc(name, f"argument {sorted(kwargs)[0]}= is not "
                                           "supported", method)
        if ufunc is np.vecdot and out is not None:
            _refuse_overlapping_out(inputs, out)
        result = call(rule, inputs)
        if where is not True:
            return _where_out(result, out, where, inputs, ufunc.__name__)
    elif method == "reduce" and ufunc in _REDUCE:    # (axis=0 by default, as NumPy's)
        result = _REDUCE[ufunc](inputs[0], **dict({"axis": 0}, **kwargs))
    elif method == "reduce" and ufunc in (np.fmax, np.fmin):
        # NaN-skipping max / min: np.nanmax / nanmin (ties as np.max's); NumPy's
        # reduce on the values first for its checks and errors (0-d, empty, axis)
        kwargs.setdefault("axis", 0)
        ufunc.reduce(_primal(inputs[0]), **kwargs)
        result = (np.nanmax if ufunc is np.fmax else np.nanmin)(inputs[0], **kwargs)
    elif method == "reduce" and ufunc in (np.logaddexp, np.logaddexp2):
        result = _reductions.log_add_reduce(ufunc, inputs[0], **kwargs)
    elif method == "reduceat" and ufunc in _REDUCE:
        result = _reductions.reduceat(ufunc, *inputs, **kwargs)
    elif method == "accumulate" and (ufunc in _ACCUMULATE or ufunc in _RUNNING):
        axis = kwargs.pop("axis", 0)            # accumulate's default: the first axis,
        if axis is None or isinstance(axis, tuple) or np.ndim(_primal(inputs[0])) == 0:
            ufunc.accumulate(_primal(inputs[0]), axis=axis)   # NumPy's own error, or
            axis = axis[0]                    # a 1-tuple it took (never the flat array)
        if ufunc in _RUNNING:
            result = _reductions.running_extreme(ufunc, inputs[0], axis=axis, **kwargs)
        else:
            result = _ACCUMULATE[ufunc](inputs[0], axis=axis, **kwargs)
    elif method == "at":
        from ._functions_extra import ufunc_at  # (loaded on first use: import time)
        return ufunc_at(ufunc, *inputs)
    elif method == "outer" and ufunc.nin == 2:
        a, b = inputs
        a = np.reshape(a, np.shape(a) + (1,) * np.ndim(b))
        result = call(rule, (a, b))
    else:
        raise errors.unsupported_ufunc(name, f"its {method} method is not supported",
                                       method)
    if out is None:
        return result
    return write_out(result, out, inputs, ufunc.__name__)


def _where_out(result, out, where, inputs, name):
    """``ufunc(..., out=o, where=m)``: ``o`` keeps its elements where ``m`` is false,
    takes the result's elsewhere (``np.where`` of the two: partials alike).  Without
    ``out`` NumPy leaves those elements undefined: the result is returned whole."""
    if out is None:
        return result
    results = result if isinstance(result, tuple) else (result,)
    outs = out if isinstance(out, tuple) else (out,)
    merged = tuple(np.where(where, r, o) for r, o in zip(results, outs))
    return write_out(merged if isinstance(result, tuple) else merged[0], out, inputs, name)


def call_ufunc(ufunc, *args):
    """``ufunc(*args)`` through the rule table: the scalar duals' operators when
    their inlined path does not apply (an array operand, a singular point)."""
    rule = rule_for(ufunc)
    if len(args) == 2:
        a, b = args
        ta, tb = type(a), type(b)
        if ta is complex or tb is complex or ta is _c128 or tb is _c128:
            result = _with_complex(rule, args, 1 if tb is complex or tb is _c128 else 0)
            if result is not None:
                return result
        elif ta is _ArrayDual or tb is _ArrayDual:
            result = _pending_scalar(rule, a, b)    # (it reads the engine's flag last)
            if result is not None:
                return result
    result = small(rule, args)
    if result is None and len(args) == 1:
        result = _complex_unary(rule, args[0])
    return call(rule, args) if result is None else result


def _complex_unary(rule, d):
    """:func:`call`'s steps for a smooth one-output rule of a complex scalar dual of
    plain numbers (``np.exp(2j * np.pi * h @ x)``: the perovskite row's phase), without
    its scans of the arguments (~5 us); ``None``, having computed nothing, for anything
    else (a real or nested dual, a tangent or selecting rule, an escaped dual)."""
    if rule.ufunc is np.absolute:
        return _complex_abs(rule, d)
    if rule.ufunc is np.conjugate:
        return _complex_conjugate(rule, d)
    fns = _plain_slots(rule, d, 0)
    if fns is None or rule.ufunc.nout != 1 or type(d.value) is not complex:
        return None
    values = [_c128(d.value)]
    return _slots_result(fns, (d,), (0,), values, rule.ufunc(values[0]), rule, d.tag)


def _complex_abs(rule, d):
    """``np.abs`` of a complex scalar dual of plain numbers: NumPy's value and the table's
    tangent on Python's numbers (:func:`dualgrad.dual._scalar.complex_tangent`: the
    general path's bits, finite numbers only, ~15 -> ~4 us: a transfer matrix's
    reflectance ``np.abs(r) ** 2``, loops67); ``None`` for anything else."""
    return complex_tangent(rule, d, _absolute)


def _absolute(v):
    return float(np.absolute(_c128(v)))        # (NumPy's value and its warnings)


def _complex_conjugate(rule, d):
    """``np.conjugate`` of a complex-valued scalar dual of plain numbers: ``v.conjugate()``
    (NumPy's bits) and the table's tangent ``np.conjugate(dx)`` on Python's numbers
    (float partials kept where all are, ``complex(p).conjugate()`` where one is complex,
    as the lift's float64 or complex128 partials; ~20 -> ~2 us: tmm's
    ``is_forward_angle`` reads ``theta.conjugate()``); ``None`` for anything else."""
    return complex_tangent(rule, d, _conjugate)


def _conjugate(v):
    return v.conjugate()


def _plain_slots(rule, d, i):
    """The table's local derivatives of the smooth ``rule`` (no selection, no tangent)
    where ``d``, its argument ``i``, is a scalar dual of a live tag whose partials are
    plain floats or complex numbers; ``None`` for anything else (the general path
    decides, and raises where it must)."""
    if rule.kind != "smooth" or rule.select or rule.tangent or \
            getattr(type(d), "_kind", None) != "slots":
        return None
    for q in d._plist():
        tq = type(q)
        if tq is not float and tq is not complex:
            return None
    fns = _COMPILED.get(rule.ufunc) or derivative_functions(rule)
    return None if d.tag not in _LIVE or fns[i] is None else fns


def _slots_result(fns, args, ks, values, out, rule, tag):
    """The scalar dual of ``out`` (NumPy's value) and the partials
    :func:`_scalar_partials` makes of arguments ``ks``, quiet as :func:`call` is."""
    token = _hush()
    try:
        out = _as_scalar(out)
        partials = _scalar_partials(fns, args, ks, values, out, rule)
    finally:
        _unhush(token)
    return dual.make_scalar(out, partials, tag)


def _with_complex(rule, args, k):
    """:func:`call` of a smooth rule on a scalar dual of plain numbers and, argument
    ``k``, a Python or NumPy complex number (``1j * p[1]``: a split-step solver's
    phase), without the general scan: the same values (NumPy's), local derivatives
    (the table's) and partials (:func:`_scalar_partials`), so the general path's
    result to the bit; ``None``, having computed nothing, for anything else
    (another kind of dual, nesting, an escaped dual)."""
    d = args[1 - k]
    fns = _plain_slots(rule, d, 1 - k)
    if fns is None:
        return None
    v = d.value
    tv = type(v)
    if tv is float:
        v = _f64(v)
    elif tv is complex:
        v = _c128(v)
    else:
        return None
    c = args[k]
    values = [v, _c128(c) if type(c) is complex else c] if k else \
        [_c128(c) if type(c) is complex else c, v]
    out = None
    if rule.ufunc is np.add or rule.ufunc is np.subtract:
        # one IEEE sum per part, nothing a compiler could fuse: Python's complex sum of
        # (v, +0.0) and c is NumPy's DD->D loop's, in the same order, where it is
        # finite (elsewhere the ufunc, warning as the general path's does); a product
        # or quotient stays NumPy's (its loop may fuse a multiply-add: other bits)
        x, y = complex(values[0]), complex(values[1])
        out = x + y if rule.ufunc is np.add else x - y
        if not (out.real - out.real == 0.0 and out.imag - out.imag == 0.0):
            out = None
    if out is None:
        out = rule.ufunc(*values)
    return _slots_result(fns, args, (1 - k,), values, out, rule, d.tag)


def _pending_scalar(rule, a, b):
    """A scalar dual's operator on an array dual with deferred partials (``k * u``,
    ``u - k``), or concrete ones large enough that :func:`_pair` defers them, while
    the fused engine defers, for a rule whose local derivatives are
    constants or the arguments (``+ - *``): what :func:`_pair` records (the scalar's
    value as a NumPy float and its partials as a row, the same ufunc call, the
    table's same factor objects, ``backend.defer`` on the same kids), without its
    general scan; ``None`` (nothing computed, or a value the general path computes
    again) anywhere else.  The engine's flag is read after the tests that compute
    nothing (the operands' kinds, small concrete partials): a pair they decline runs
    the same statements under every engine (tests/_halves.py's record, stop 74)."""
    got = _array_and_scalar(a, b)
    if got is None:
        return None
    array, scalar, first = got
    v, p = array.value, array._p
    if type(v) is not _ndarray or v.dtype is not _F64 or not v.ndim:
        return None
    if type(p) is _Deferred:
        n = p.node.n
    elif type(p) is _ndarray and p.dtype is _F64:
        n = p.shape[-1]
        if backend.small(v.size * n):   # (concrete and small: _pair propagates now)
            return None
    else:
        return None
    if not backend.FUSING[0]:
        return None
    fns = _argument_factors.get(rule, False)
    if fns is False:
        fns = _make_argument_factors(rule)
    if fns is None:
        return None
    tag = array.tag
    if v.size * n < backend.FUSING[1] or scalar.tag != tag or tag not in _LIVE:
        return None
    row = np.array(scalar._plist())
    if row.dtype is not _F64 or row.shape != (n,):
        return None                     # (other directions: the general path raises)
    c = _f64(scalar.value)
    values = (c, v) if first else (v, c)
    out = rule.ufunc(*values)
    if type(out) is not _ndarray or out.dtype is not _F64 or out.shape != v.shape:
        return None
    fa, fb = fns
    partials = backend.defer((fa(*values, out), fb(*values, out)),
                             (row, p) if first else (p, row), out.shape, n)
    return None if partials is None else dual.make_array(out, partials, tag)


def call_unary_with_out(ufunc, a, out):
    """The general path for ``ufunc(a)`` whose value ``out`` is already known."""
    return call(rule_for(ufunc), (a,), out)


def call_with_out(ufunc, args, out):
    """The general path for ``ufunc(*args)`` whose value ``out`` is already known (a
    scalar dual's inlined path met a singular point after computing it)."""
    return call(rule_for(ufunc), args, out)
