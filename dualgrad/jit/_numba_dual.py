"""Dual numbers inside users' numba-jitted code: a numba extension type.

Importing this module teaches numba two types.  It is imported only when numba
actually meets a dual: the helpers import it when ``f`` is a numba dispatcher,
and :attr:`dualgrad.Dual._numba_type_` (numba's hook for types it does not know)
imports it the first time any jitted function receives a dual.  There is no
``numba_extensions`` entry point, so numba programs that never see a dual
import nothing of dualgrad's.  The two types:

``DualType(n)``
    a scalar dual: a float64 value, a ``UniTuple(float64, n)`` of partials and
    the helper call's tag, boxed to and from :class:`dualgrad.Dual` scalars;
``DualArrayType(n)``
    a 1-D array of duals (values ``float64[:]``, partials ``float64[:, :]``),
    boxed to and from 1-D array duals, for code that indexes arrays element by
    element: ``len``, ``x[i]``, ``x[i] = d``, slices, ``.shape``, ``.size``,
    ``.copy()``, ``np.empty_like``/``np.zeros_like``, ``np.array([d1, d2])``.

Operators, comparisons (on values), ``abs``, ``min``/``max`` (of two or more),
``round``, ``divmod``, ``for v in x``, and both the ``np.*`` and ``math.*`` spellings of the
elementary functions (every float function of ``math`` numba compiles but ``frexp``:
``erf``, ``gamma``, ``lgamma`` by SciPy's rows) are overloaded from the rule table: the
local derivatives are the table's own expressions, as numba functions with
``cache=True`` in the generated :mod:`dualgrad.jit._derivatives`; nothing here writes a
derivative.  Floats widen to duals
(zero partials) where numba unifies types, so ``s = 0.0; s += x[i]`` works.
Propagation is NaN-safe as everywhere else.

Not supported inside jitted code (each fails at compile time with a
``TypeError`` from the helpers naming the fix): float buffers receiving duals
(``np.empty(n)`` then ``out[i] = d``: use ``np.empty_like(x)``), whole-array
arithmetic on dual arrays (index loops only), arrays of more than one
dimension, nesting derivative calls inside jitted code.  A dual numba cannot take as an
argument (nested duals under a Hessian, complex values, more than one dimension) raises
:func:`dualgrad.errors.jit_argument`'s ``TypeError`` from numba's typeof itself, so the
call of a jitted function from a plain-Python ``f`` names the limit as the helper's own
call does.
"""

import math
import operator
import os

import numpy as np
from llvmlite import ir
import numba
from numba import types
from numba.core import cgutils
from numba.core.imputils import RefType, impl_ret_new_ref, iternext_impl, lower_builtin
from numba.extending import (NativeValue, box, intrinsic, lower_cast, make_attribute_wrapper,
                             models, overload_attribute, overload_method, register_model,
                             typeof_impl, unbox)
from numba.extending import overload as _overload

from .. import dual, errors
from . import _derivatives, _derivgen
from ..dual._array import ArrayDual
from ..rules._table import RULES, TINY as _TINY, rule_for
from ..dual._scalar import ScalarDual

__all__ = ["DualType", "DualArrayType"]

# Everything here runs inside a user's jitted code, whose fastmath flag numba hands to a
# callee that does not set its own (numba's ``inherit_if_not_set``): under a user's
# ``fastmath=True`` LLVM would assume no NaN or inf in the derivatives' arithmetic, and
# numba's disk cache does not key on flags, so a later process would load those folds
# into plain code (attack74: d/dx asin(x) + sqrt(x) at [1, 0, 0.25] gave NaN off the
# diagonal).  The derivatives' functions and overloads say fastmath=False themselves.
_IEEE = dict(fastmath=False)


def njit(*args, **options):
    """``numba.njit`` with IEEE arithmetic whatever the calling code's flags."""
    return numba.njit(*args, **_IEEE, **options)

_F64 = types.float64


def _sources_digest():
    """A digest of what the overloads' compiled code is made of: the text of ``rules/``
    (the table, its parser, SciPy's rows), ``jit/`` (these overloads and the generated
    derivatives) and ``dual/`` (the boxed classes), and NumPy's version.

    It is part of both types' numba ``key``, so it enters numba's cache index through
    the signature of every user function compiled with ``cache=True`` on duals: a user's
    cached kernel compiled under another table (an upgrade, an edited row) misses the
    cache and compiles again instead of keeping the old derivative linked in (numba's
    index sees only the user's file).  Computed once, when numba first meets a dual
    (this module's import): about 1 ms; a file that cannot be read gives a digest of
    this process alone (no cached kernel is reused, none is wrong), as does one changed
    since this process imported dualgrad (``backend.loaded_bytes``: not the code it runs)."""
    import hashlib
    from pathlib import Path

    from ..backend import loaded_bytes
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha1(np.__version__.encode())
    files = [f for sub in ("rules", "jit", "dual") for f in sorted((root / sub).glob("*.py"))]
    texts = loaded_bytes(files)
    if texts is None:
        h.update(os.urandom(16))
    else:
        for f, text in zip(files, texts):
            h.update(f.name.encode() + b"\0" + text + b"\0")
    return h.hexdigest()[:16]


_DIGEST = _sources_digest()


class DualType(types.Type):
    """A scalar dual with ``n`` partials inside numba (its ``key`` carries the sources'
    digest: :func:`_sources_digest`)."""

    def __init__(self, n):
        self.n = n
        self.digest = _DIGEST
        super().__init__(name=f"dualgrad.Dual[{n}]")

    @property
    def key(self):
        return self.name, self.digest

    def unify(self, typingctx, other):
        if isinstance(other, (types.Float, types.Integer, types.Boolean)):
            return self
        return None


class DualArrayType(types.IterableType):
    """A 1-D array of duals with ``n`` partials inside numba (``for v in x`` yields its
    elements)."""

    def __init__(self, n):
        self.n = n
        self.digest = _DIGEST
        super().__init__(name=f"dualgrad.DualArray[{n}]")

    @property
    def key(self):
        return self.name, self.digest

    @property
    def iterator_type(self):
        return _DualIterType(self)

    def unify(self, typingctx, other):
        if isinstance(other, types.Array) and other.ndim == 1 and \
                isinstance(other.dtype, (types.Float, types.Integer)):
            return self
        return None


# ---- typeof, models, boxing -------------------------------------------------------------
_SCALAR_TYPES, _ARRAY_TYPES = {}, {}        # typeof runs on every call: one type per width


# A dual numba cannot take raises dualgrad's named TypeError here, in typeof, rather than
# returning None (numba's pyobject, then its raw TypingError "non-precise type pyobject"):
# typeof runs on every call of a dispatcher, so a jitted function called on nested duals
# from a plain-Python f (``lambda p: 2 * kern(p)`` under dg.hessian) gets the same named
# error as the helper's own call of a jitted f.
_WHO = "dualgrad (the argument of a numba-jitted function)"


@typeof_impl.register(ScalarDual)
def _typeof_scalar(val, c):
    v = val.value
    if isinstance(v, dual.Dual):
        raise errors.jit_argument(_WHO, "nested", f"a scalar dual of {type(v).__name__}")
    if isinstance(v, (complex, np.complexfloating)):
        raise errors.jit_argument(_WHO, "dtype", f"a scalar dual of {type(v).__name__}")
    n = len(val._plist())
    t = _SCALAR_TYPES.get(n)
    if t is None:
        t = _SCALAR_TYPES[n] = DualType(n)
    return t


@typeof_impl.register(ArrayDual)
def _typeof_array(val, c):
    v = val.value
    if type(v) is np.ndarray and v.ndim == 1 and v.dtype == _FLOAT64:
        p = val.partials
        if type(p) is np.ndarray and p.dtype == _FLOAT64:
            n = p.shape[-1]
            t = _ARRAY_TYPES.get(n)
            if t is None:
                t = _ARRAY_TYPES[n] = DualArrayType(n)
            return t
    if isinstance(v, dual.Dual) or getattr(v, "dtype", None) == object:
        raise errors.jit_argument(_WHO, "nested", "an array dual of duals")
    if getattr(v, "ndim", 1) != 1:
        raise errors.jit_argument(_WHO, "ndim", f"an array dual of shape {v.shape}")
    raise errors.jit_argument(_WHO, "dtype", "an array dual of values of dtype "
                              f"{getattr(v, 'dtype', type(v).__name__)}")


_FLOAT64 = np.dtype(np.float64)


@register_model(DualType)
class _DualModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("value", _F64),
                                        ("partials", types.UniTuple(_F64, fe_type.n)),
                                        ("tag", types.int64)])


_VALUES = types.Array(_F64, 1, "A")
_PARTIALS = types.Array(_F64, 2, "A")


@register_model(DualArrayType)
class _DualArrayModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("values", _VALUES), ("partials", _PARTIALS),
                                        ("tag", types.int64)])


for _typ, _fields in ((DualType, ("value", "partials", "tag")),
                      (DualArrayType, ("values", "partials", "tag"))):
    for _field in _fields:
        make_attribute_wrapper(_typ, _field, _field)


@unbox(DualType)
def _unbox_scalar(typ, obj, c):
    d = cgutils.create_struct_proxy(typ)(c.context, c.builder)
    value = c.pyapi.object_getattr_string(obj, "value")
    d.value = c.pyapi.float_as_double(value)
    c.pyapi.decref(value)
    plist = c.pyapi.call_method(obj, "_plist", ())
    tup = c.pyapi.sequence_tuple(plist)
    c.pyapi.decref(plist)
    d.partials = c.unbox(types.UniTuple(_F64, typ.n), tup).value
    c.pyapi.decref(tup)
    tag = c.pyapi.object_getattr_string(obj, "tag")
    d.tag = c.pyapi.long_as_longlong(tag)
    c.pyapi.decref(tag)
    return NativeValue(d._getvalue(), is_error=cgutils.is_not_null(c.builder,
                                                                   c.pyapi.err_occurred()))


@box(DualType)
def _box_scalar(typ, val, c):
    d = cgutils.create_struct_proxy(typ)(c.context, c.builder, value=val)
    args = (c.pyapi.float_from_double(d.value),
            c.box(types.UniTuple(_F64, typ.n), d.partials),
            c.pyapi.long_from_longlong(d.tag))
    make = c.pyapi.unserialize(c.pyapi.serialize_object(dual.make_scalar))
    res = c.pyapi.call_function_objargs(make, args)
    for o in args:
        c.pyapi.decref(o)
    return res


@unbox(DualArrayType)
def _unbox_array(typ, obj, c):
    d = cgutils.create_struct_proxy(typ)(c.context, c.builder)
    for field, name, ty in (("values", "value", _VALUES), ("partials", "partials", _PARTIALS)):
        attr = c.pyapi.object_getattr_string(obj, name)
        setattr(d, field, c.unbox(ty, attr).value)
        c.pyapi.decref(attr)
    tag = c.pyapi.object_getattr_string(obj, "tag")
    d.tag = c.pyapi.long_as_longlong(tag)
    c.pyapi.decref(tag)
    return NativeValue(d._getvalue(), is_error=cgutils.is_not_null(c.builder,
                                                                   c.pyapi.err_occurred()))


@box(DualArrayType)
def _box_array(typ, val, c):
    d = cgutils.create_struct_proxy(typ)(c.context, c.builder, value=val)
    args = (c.box(_VALUES, d.values), c.box(_PARTIALS, d.partials),
            c.pyapi.long_from_longlong(d.tag))
    make = c.pyapi.unserialize(c.pyapi.serialize_object(dual.make_array))
    res = c.pyapi.call_function_objargs(make, args)
    for o in args:
        c.pyapi.decref(o)
    return res


# ---- intrinsics: building duals and NaN-safe tuple arithmetic ---------------------------
@intrinsic
def _new(typingctx, value, partials, tag):
    sig = DualType(partials.count)(_F64, partials, types.int64)

    def codegen(context, builder, signature, args):
        d = cgutils.create_struct_proxy(signature.return_type)(context, builder)
        value, partials, tag = args
        d.value = context.cast(builder, value, signature.args[0], _F64)
        d.partials, d.tag = partials, tag
        return d._getvalue()
    return sig, codegen


# Multiply-adds may fuse (FMA): no assumption about NaN or inf, unlike fastmath.
_CONTRACT = ("contract",)


def _lanes(builder, values):
    """An LLVM vector of doubles holding ``values``."""
    vec = ir.Constant(ir.VectorType(ir.DoubleType(), len(values)), ir.Undefined)
    for k, v in enumerate(values):
        vec = builder.insert_element(vec, v, ir.Constant(ir.IntType(32), k))
    return vec


def _products(builder, pairs, n, safe):
    """``sum_j f_j * p_j`` on vectors of ``n`` lanes (the partials, one SIMD
    operation for all of them); ``safe``: a zero ``p_j[k]`` contributes 0."""
    zero = ir.Constant(ir.VectorType(ir.DoubleType(), n), [0.0] * n)
    total = None
    for f, p in pairs:
        vp = _lanes(builder, [builder.extract_value(p, k) for k in range(n)])
        term = builder.fmul(_lanes(builder, [f] * n), vp, flags=_CONTRACT)
        if safe:
            term = builder.select(builder.fcmp_ordered("==", vp, zero), zero, term)
        total = term if total is None else builder.fadd(total, term, flags=_CONTRACT)
    return total


def _propagated(context, builder, tuple_type, pairs):
    """NaN-safe ``sum_j f_j * p_j`` as a tuple: plain products when every factor is
    finite (the common case, one test per operation), the careful form otherwise."""
    n = tuple_type.count
    finite = None
    for f, _ in pairs:
        diff = builder.fsub(f, f)                  # 0 for finite f, NaN for inf or NaN
        ok = builder.fcmp_ordered("==", diff, context.get_constant(_F64, 0.0))
        finite = ok if finite is None else builder.and_(finite, ok)
    with builder.if_else(finite, likely=True) as (then, otherwise):
        with then:
            fast = _products(builder, pairs, n, False)
            fast_block = builder.block
        with otherwise:
            careful = _products(builder, pairs, n, True)
            careful_block = builder.block
    total = builder.phi(fast.type)
    total.add_incoming(fast, fast_block)
    total.add_incoming(careful, careful_block)
    return context.make_tuple(builder, tuple_type, [
        builder.extract_element(total, ir.Constant(ir.IntType(32), k)) for k in range(n)])


@intrinsic
def _scale(typingctx, f, p):
    sig = p(_F64, p)

    def codegen(context, builder, signature, args):
        f = context.cast(builder, args[0], signature.args[0], _F64)
        return _propagated(context, builder, signature.return_type, [(f, args[1])])
    return sig, codegen


@intrinsic
def _lincomb(typingctx, f, p, g, q):
    sig = p(_F64, p, _F64, q)

    def codegen(context, builder, signature, args):
        f, p, g, q = args
        return _propagated(context, builder, signature.return_type, [(f, p), (g, q)])
    return sig, codegen


@intrinsic
def _zeros(typingctx, like):
    tup = types.UniTuple(_F64, like.n)
    sig = tup(like)

    def codegen(context, builder, signature, args):
        zero = context.get_constant(_F64, 0.0)
        return context.make_tuple(builder, tup, [zero] * like.n)
    return sig, codegen


@intrinsic
def _row(typingctx, arr, i, like):
    """Row ``i`` of the partials array as a tuple of ``like.n`` floats."""
    tup = types.UniTuple(_F64, like.n)
    sig = tup(arr, i, like)

    def codegen(context, builder, signature, args):
        arr, i, _ = args
        ary = context.make_array(signature.args[0])(context, builder, arr)
        items = []
        for k in range(like.n):
            idx = [i, context.get_constant(types.intp, k)]
            ptr = cgutils.get_item_pointer(context, builder, signature.args[0], ary, idx,
                                           wraparound=False)
            items.append(builder.load(ptr))
        return context.make_tuple(builder, tup, items)
    return sig, codegen


@lower_cast(types.Float, DualType)
@lower_cast(types.Integer, DualType)
@lower_cast(types.Boolean, DualType)
def _number_to_dual(context, builder, fromty, toty, val):
    d = cgutils.create_struct_proxy(toty)(context, builder)
    d.value = context.cast(builder, val, fromty, _F64)
    zero = context.get_constant(_F64, 0.0)
    d.partials = context.make_tuple(builder, types.UniTuple(_F64, toty.n), [zero] * toty.n)
    d.tag = context.get_constant(types.int64, 0)
    return d._getvalue()


@lower_cast(types.Array, DualArrayType)
def _array_to_dual_array(context, builder, fromty, toty, val):
    n = toty.n

    def widen(values):
        return np.asarray(values, dtype=np.float64), np.zeros((len(values), n))

    pair = types.Tuple((types.Array(_F64, 1, "C"), types.Array(_F64, 2, "C")))
    tup = context.compile_internal(builder, widen, pair(fromty), [val])
    d = cgutils.create_struct_proxy(toty)(context, builder)
    d.values = context.cast(builder, builder.extract_value(tup, 0), pair.types[0], _VALUES)
    d.partials = context.cast(builder, builder.extract_value(tup, 1), pair.types[1], _PARTIALS)
    d.tag = context.get_constant(types.int64, 0)
    return d._getvalue()


def overload(func):
    """numba's ``overload`` for the CPU target: numba tries target-specific
    templates before its own generic ones (some of which, like ``np.zeros_like``,
    accept any type), whatever the import order."""
    return _overload(func, target="cpu", jit_options=_IEEE)


# ---- overloads generated from the rule table --------------------------------------------
_NUMERIC = (types.Float, types.Integer, types.Boolean)


# NumPy's values and the table's helpers on floats, and every derivative the overloads
# call: numba functions with cache=True in the generated module (its disk cache spares a
# new process their compiles: user26's first call, bench/jit_first_call.py)
_where, _value, _sign = _derivatives.where, _derivatives.value, _derivatives.sign
_floor_divide, _remainder = _derivatives.floor_divide, _derivatives.remainder
_spacing, _as_f64, _as_is = _derivatives.spacing, _derivatives.as_f64, _derivatives.as_is


# the rows whose value numba computes differently from NumPy: NumPy's, here (numba's
# np.sign is -0.0 at -0.0; every row against NumPy's float call on a grid:
# tests/test_numba_dual.py)
_NUMPY_VALUE = {np.floor_divide: _floor_divide, np.remainder: _remainder, np.sign: _sign,
                np.spacing: _spacing}
# the derivatives' calls spelled as numba code must spell them (remainder's d/dy is
# -floor_divide(x, y): numba's np.floor_divide made it -10 at (1.0, 0.1), truth -9)
_NAMES = _derivgen.NAMES


def _compile(expr):
    """The table's parsed derivative (or ``None``) as a numba function of floats: the
    generated module's function of the same source (cached on disk), else one compiled
    from the source here (a row that module was not generated with)."""
    if expr is None:
        return None
    found = _derivatives.BY_SOURCE.get((expr.params, expr.source(_NAMES)))
    if found is not None:
        return found
    return njit(error_model="numpy")(expr.function({"np": np, "where": _where,
                                                    "value": _value, "sign": _sign,
                                                    "floor_divide": _floor_divide,
                                                    "digamma": _derivatives.digamma},
                                                   _NAMES))


@intrinsic
def _divided(typingctx, p, b):
    sig = p(p, _F64)

    def codegen(context, builder, signature, args):
        b = context.cast(builder, args[1], signature.args[1], _F64)
        return context.make_tuple(builder, signature.return_type, [
            builder.fdiv(builder.extract_value(args[0], k), b)
            for k in range(signature.return_type.count)])
    return sig, codegen


@njit
def _two_steps(f, a, b, p):
    """``f * p`` for a local derivative ``f = a / b`` that is not finite or fell below
    the smallest normal number: ``(p / b) * a`` where ``|a| >= 1``, else ``(p * a) /
    b`` (``rules._table.two_step``'s, as NumPy's path takes it) where ``a`` and ``b``
    are finite, ``b`` nonzero and (for a finite ``f``) ``a`` nonzero; the product
    elsewhere.  ``x ** 1e-300`` at x = 5e-324: ``y x**(y - 1)`` is inf, the two steps
    2.0e23."""
    if f != f or not (a - a == 0.0 and b - b == 0.0 and b != 0.0) or \
            (f - f == 0.0 and a == 0.0):
        return _scale(f, p)
    lift = -_TINY < b < _TINY       # (two_step's LIFT: a subnormal b times 2**104, and p
    if abs(a) >= 1.0:               # where |a| >= 1, else a: p's lift overflowed past 2**920)
        if lift:
            p, b = _scale(2.028240960365167e+31, p), b * 2.028240960365167e+31
        return _scale(a, _divided(p, b))
    if lift:
        a, b = a * 2.028240960365167e+31, b * 2.028240960365167e+31
    return _divided(_scale(a, p), b)


def _quotient_term(d, pair, nin):
    """``term(*args, out, p)``: ``d``'s ``f * p`` (``_scale``), in two steps
    (:func:`_two_steps`) where ``f`` over- or underflowed and the row writes it as a
    quotient ``pair = (a, b)``; ``None`` without ``pair``."""
    if pair is None:
        return None
    qa, qb = pair
    if nin == 1:
        @njit
        def term1(x, out, p):
            f = d(x, out)
            if f - f == 0.0 and not (-_TINY < f < _TINY):
                return _scale(f, p)
            return _two_steps(f, qa(x, out), qb(x, out), p)
        return term1

    @njit
    def term2(x, y, out, p):
        f = d(x, y, out)
        if f - f == 0.0 and not (-_TINY < f < _TINY):
            return _scale(f, p)
        return _two_steps(f, qa(x, y, out), qb(x, y, out), p)
    return term2


@njit(cache=True)
def _pow2(p, e):
    """``p * 2**e`` lane by lane, in exact steps of at most ``2**+-1000`` (the last one
    rounds where the result leaves the normal range)."""
    while e > 1000:
        p = _scale(2.0 ** 1000, p)
        e -= 1000
    while e < -1000:
        p = _scale(2.0 ** -1000, p)
        e += 1000
    return _scale(math.ldexp(1.0, e), p)


@njit(cache=True)
def _spread(c, h, p):
    """``c * h**4 * p`` lane by lane in extended range (``rules._table.spread_product``'s
    mantissas and exponents: ``c h**4 = m 2**e`` by ``frexp``, then ``p`` times ``2**(e -
    1)`` in exact steps and ``2 m`` last where ``e > 0``, ``m p`` first and ``2**e`` last
    elsewhere, so no step over- or underflows where the lane's result does not)."""
    mc, ec = math.frexp(c)
    mh, eh = math.frexp(h)
    m, e = math.frexp(mc * mh * mh * mh * mh)
    e += ec + 4 * eh
    if e > 0:
        return _scale(2.0 * m, _pow2(p, e - 1))
    return _pow2(_scale(m, p), e)


@intrinsic
def _nearer(typingctx, t, s, p):
    """Lane by lane ``t`` where it is ``s`` to 2**-40 relative (or one step of the least
    subnormal number), ``s`` is NaN or ``p`` is not finite, else ``s``
    (``dispatch._farpower``'s choice between a term and its extended-range product)."""
    sig = t(t, s, p)

    def codegen(context, builder, signature, args):
        zero, close, steps = (context.get_constant(_F64, v) for v in (0.0, 2.0 ** -40,
                                                                      2.0 ** -1074))

        def absolute(v):
            return builder.select(builder.fcmp_ordered("<", v, zero), builder.fsub(zero, v), v)
        lanes = []
        for k in range(signature.return_type.count):
            a, b, q = (builder.extract_value(v, k) for v in args)
            finite = builder.fcmp_ordered("==", builder.fsub(b, b), zero)
            near = builder.fcmp_ordered("<=", absolute(builder.fsub(a, b)), builder.fadd(
                builder.fmul(absolute(b), close), steps))
            keep = builder.or_(builder.fcmp_unordered("!=", builder.fsub(q, q), zero),
                               builder.or_(builder.fcmp_unordered("uno", b, b),
                                           builder.or_(builder.fcmp_ordered("==", a, b),
                                                       builder.and_(finite, near))))
            lanes.append(builder.select(keep, a, b))
        return context.make_tuple(builder, signature.return_type, lanes)
    return sig, codegen


@njit(cache=True)
def _far(t, x, y, c, h, p, k):
    """``t`` (argument ``k``'s term of the power row, its local derivative not finite or
    below the smallest normal number) with each lane that is not the extended-range
    product ``c * h**4 * p`` to a few ulps taken as it (:func:`_spread`, :func:`_nearer`;
    ``c``, ``h`` the row's spread, ``h`` at ``|x|``), where the inputs are finite, ``x`` and (for
    ``k`` 0) ``y`` nonzero, ``x`` positive or (``k`` 0) negative beside an integer ``y``
    below 2**53 (``dispatch._farpower``'s cases; ``h`` of the base's magnitude, the
    sign of ``x**(y - 1)`` the row's ``c``'s); ``t`` elsewhere."""
    if not (x - x == 0.0 and y - y == 0.0) or x == 0.0 or k == 0 and y == 0.0:
        return t
    if x < 0.0 and (k == 1 or y != math.floor(y) or abs(y) >= 9007199254740992.0):
        return t
    return _nearer(t, _spread(c, h, p), p)


def _spread_term(d, pair, k, quotient):
    """``term(x, y, out, p)`` of the power row's argument ``k``: ``d``'s ``f * p``
    (``_scale``), where ``f`` is not finite or fell below the smallest normal number
    taken in two steps (:func:`_two_steps`, ``quotient``: the row's ``(a, b)``, or
    ``None``) and then :func:`_far` (``pair``: the row's compiled ``(c, h)``).  ``x **
    2.5`` at x = 1e300, dx = 1e-300: 2.5e150, not inf; ``u ** k`` at u = 1e-310, k =
    1e-300: 1e-290, not -7.1e-298 (attack66 F6; one function a term: each numba function
    is a compile of its own, ~0.2 s)."""
    sc, sh = pair
    if quotient is None:
        @njit
        def plain(x, y, out, p):
            f = d(x, y, out)
            lim = _TINY * max(1.0, abs(y)) if k == 0 else _TINY     # (see term)
            if f - f == 0.0 and not (-lim < f < lim):
                return _scale(f, p)
            return _far(_scale(f, p), x, y, sc(x, y, out), sh(abs(x), y, out), p, k)
        return plain
    qa, qb = quotient

    @njit
    def term(x, y, out, p):
        f = d(x, y, out)
        # (d/dx's y lifts an x**(y - 1) that underflowed and lost its bits to a normal
        # y x**(y - 1): x = 1 - 7.3e-8, y = 1e10 was 1.06e-7 off, power74)
        lim = _TINY * max(1.0, abs(y)) if k == 0 else _TINY
        if f - f == 0.0 and not (-lim < f < lim):
            return _scale(f, p)
        return _far(_two_steps(f, qa(x, y, out), qb(x, y, out), p), x, y,
                    sc(x, y, out), sh(abs(x), y, out), p, k)
    return term


def _quotients(rule, which="quotient_exprs"):
    """The compiled parts ``(a, b)`` of each argument's quotient (:attr:`Rule.quotient`),
    or (``which`` ``"spread_exprs"``) ``(c, h)`` of its spread, ``None`` where it has
    none."""
    return tuple(None if pair is None else tuple(_compile(e) for e in pair)
                 for pair in getattr(rule, which) or (None,) * rule.ufunc.nin)


def _unary(ufunc, d0, q0=None):
    term = _quotient_term(d0, q0, 1)

    def typer(a):
        if isinstance(a, DualType) and term is not None:
            def impl(a):
                x = a.value
                out = ufunc(x)
                return _new(out, term(x, out, a.partials), a.tag)
            return impl
        if isinstance(a, DualType):
            def impl(a):
                x = a.value
                out = ufunc(x)
                return _new(out, _scale(d0(x, out), a.partials), a.tag)
            return impl
    return typer


def _promotion(c, integer_only):
    """The cast of the constant of numba type ``c`` before local derivatives use it:
    float64, as NumPy's value promotes it (a float32 ``y`` would make ``y * y`` a
    float32 product, an integer one could wrap), except an integer-only argument."""
    if integer_only or isinstance(c, types.Float) and c.bitwidth == 64:
        return _as_is
    return _as_f64


def _binary(ufunc, d0, d1, zero0, zero1, integer_only=(False, False),
            quotients=(None, None), spreads=(None, None)):
    """The overloads of a smooth binary row: :func:`_products_binary`'s, or where the row
    writes a local derivative as a quotient, each term through :func:`_quotient_term`
    (and :func:`_spread_term` where it spreads one)."""
    if all(q is None for q in quotients) or zero0 or zero1 or d0 is None or d1 is None:
        return _products_binary(ufunc, d0, d1, zero0, zero1, integer_only)
    t0, t1 = (_spread_term(d, s, k, q) if s is not None else
              _quotient_term(d, q, 2) or _plain_term(d)
              for k, (d, q, s) in enumerate(zip((d0, d1), quotients, spreads)))
    plain = _products_binary(ufunc, d0, d1, zero0, zero1, integer_only)

    def typer(a, b):
        """A row writing a local derivative as a quotient: each term through
        :func:`_quotient_term` (the two steps where its one number over- or underflowed)."""
        if isinstance(a, DualType) and isinstance(b, DualType):
            def impl(a, b):
                x, y = a.value, b.value
                out = ufunc(x, y)
                return _new(out, _lincomb(1.0, t0(x, y, out, a.partials), 1.0,
                                          t1(x, y, out, b.partials)), max(a.tag, b.tag))
            return impl
        if isinstance(a, DualType) and isinstance(b, _NUMERIC):
            cast = _promotion(b, integer_only[1])

            def impl(a, b):
                x, y = a.value, cast(b)
                out = ufunc(x, y)
                return _new(out, t0(x, y, out, a.partials), a.tag)
            return impl
        if isinstance(a, _NUMERIC) and isinstance(b, DualType):
            cast = _promotion(a, integer_only[0])

            def impl(a, b):
                x, y = cast(a), b.value
                out = ufunc(x, y)
                return _new(out, t1(x, y, out, b.partials), b.tag)
            return impl
        return plain(a, b)
    return typer


def _plain_term(d):
    """``term(x, y, out, p)``: ``d``'s one number times the partials (``_scale``)."""
    @njit
    def term(x, y, out, p):
        return _scale(d(x, y, out), p)
    return term


def _products_binary(ufunc, d0, d1, zero0, zero1, integer_only=(False, False)):
    def typer(a, b):
        if isinstance(a, DualType) and isinstance(b, DualType):
            if d0 is None and not zero0 or d1 is None and not zero1:
                return None
            if zero0 and zero1:
                return lambda a, b: _new(ufunc(a.value, b.value), _zeros(a), max(a.tag, b.tag))
            if zero0:
                return lambda a, b: _new(ufunc(a.value, b.value), _scale(
                    d1(a.value, b.value, ufunc(a.value, b.value)), b.partials),
                    max(a.tag, b.tag))
            if zero1:
                return lambda a, b: _new(ufunc(a.value, b.value), _scale(
                    d0(a.value, b.value, ufunc(a.value, b.value)), a.partials),
                    max(a.tag, b.tag))

            def impl(a, b):
                x, y = a.value, b.value
                out = ufunc(x, y)
                return _new(out, _lincomb(d0(x, y, out), a.partials, d1(x, y, out),
                                          b.partials), max(a.tag, b.tag))
            return impl
        if isinstance(a, DualType) and isinstance(b, _NUMERIC):
            if d0 is None and not zero0:
                return None
            if zero0:
                return lambda a, b: _new(ufunc(a.value, b), _zeros(a), a.tag)

            cast = _promotion(b, integer_only[1])

            def impl(a, b):
                x, y = a.value, cast(b)
                out = ufunc(x, y)
                return _new(out, _scale(d0(x, y, out), a.partials), a.tag)
            return impl
        if isinstance(a, _NUMERIC) and isinstance(b, DualType):
            if d1 is None and not zero1:
                return None
            if zero1:
                return lambda a, b: _new(ufunc(a, b.value), _zeros(b), b.tag)

            cast = _promotion(a, integer_only[0])

            def impl(a, b):
                x, y = cast(a), b.value
                out = ufunc(x, y)
                return _new(out, _scale(d1(x, y, out), b.partials), b.tag)
            return impl
    return typer


@njit
def _chosen(t, d):
    """``t`` times ``d``'s partials for a selection row: ``d``'s own where ``d`` is
    selected (``t == 1``), zeros where the other is (``t == 0``: never ``0 *`` an inf
    partial), ``t * `` them at a tie."""
    if t == 1.0:
        return d.partials
    if t == 0.0:
        return _zeros(d)
    return _scale(t, d.partials)


def _selection(ufunc, d0, d1):
    """A selection row of the table (``rule.select``: maximum, minimum, fmax, fmin):
    the partials of the argument whose indicator is 1 (``b``'s where ``d1`` is, ``a``'s
    where it is 0; zeros for a constant), never a product of an indicator and partials
    (0 * inf is NaN), as the general path and the kernels select them; at a tie (the
    indicator ``t`` neither 0 nor 1: 1/2) ``t * b's + (1 - t) * a's`` (rules/_table.py,
    TIES)."""
    def typer(a, b):
        if isinstance(a, DualType) and isinstance(b, DualType):
            def impl(a, b):
                x, y = a.value, b.value
                out = ufunc(x, y)
                t = d1(x, y, out)
                if t == 1.0:
                    p = b.partials
                elif t == 0.0:
                    p = a.partials
                else:
                    p = _lincomb(t, b.partials, 1.0 - t, a.partials)
                return _new(out, p, max(a.tag, b.tag))
            return impl
        if isinstance(a, DualType) and isinstance(b, _NUMERIC):
            cast = _promotion(b, False)

            def impl(a, b):
                x, y = a.value, cast(b)
                out = ufunc(x, y)
                return _new(out, _chosen(d0(x, y, out), a), a.tag)
            return impl
        if isinstance(a, _NUMERIC) and isinstance(b, DualType):
            cast = _promotion(a, False)

            def impl(a, b):
                x, y = cast(a), b.value
                out = ufunc(x, y)
                return _new(out, _chosen(d1(x, y, out), b), b.tag)
            return impl
    return typer


def _zero_kind(ufunc, nin):
    """Locally constant ``ufunc`` of ``nin`` arguments: NumPy's value, zero partials.  (numba matches an
    overload's parameters by name and kind, so each arity gets its own typer.)"""
    def unary(a):
        if isinstance(a, DualType):
            return lambda a: _new(ufunc(a.value), _zeros(a), a.tag)

    def binary(a, b):
        if isinstance(a, DualType) and isinstance(b, DualType):
            return lambda a, b: _new(ufunc(a.value, b.value), _zeros(a), max(a.tag, b.tag))
        if isinstance(a, DualType) and isinstance(b, _NUMERIC):
            return lambda a, b: _new(ufunc(a.value, b), _zeros(a), a.tag)
        if isinstance(a, _NUMERIC) and isinstance(b, DualType):
            return lambda a, b: _new(ufunc(a, b.value), _zeros(b), b.tag)
    return unary if nin == 1 else binary


_OPERATORS = {"add": (operator.add, operator.iadd), "sub": (operator.sub, operator.isub),
              "mul": (operator.mul, operator.imul),
              "truediv": (operator.truediv, operator.itruediv),
              "pow": (operator.pow, operator.ipow), "mod": (operator.mod, operator.imod),
              "floordiv": (operator.floordiv, operator.ifloordiv),
              "neg": (operator.neg,), "pos": (operator.pos,), "abs": (abs,)}
_COMPARISONS = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
                "eq": operator.eq, "ne": operator.ne}
_MATH = {"sin": math.sin, "cos": math.cos, "tan": math.tan, "arcsin": math.asin,
         "arccos": math.acos, "arctan": math.atan, "arctan2": math.atan2,
         "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh, "arcsinh": math.asinh,
         "arccosh": math.acosh, "arctanh": math.atanh, "exp": math.exp, "expm1": math.expm1,
         "log": math.log, "log1p": math.log1p, "log10": math.log10, "log2": math.log2,
         "sqrt": math.sqrt, "hypot": math.hypot, "fabs": math.fabs, "copysign": math.copysign,
         "floor": math.floor, "ceil": math.ceil, "trunc": math.trunc, "fmod": math.fmod,
         "power": math.pow, "degrees": math.degrees, "radians": math.radians,
         "ldexp": math.ldexp, "nextafter": math.nextafter}
if hasattr(math, "exp2"):                               # Python 3.11 and later
    _MATH["exp2"] = math.exp2
# SciPy's rows whose function numba computes as math's: the value is math's (what the
# float call of the same jitted code gives), the derivative the row's expression
_MATH_SPECIAL = {"erf": math.erf, "erfc": math.erfc, "gamma": math.gamma,
                 "gammaln": math.lgamma}


def _register():
    for rule in tuple(RULES.values()):
        name, ufunc = rule.name, rule.ufunc
        if not isinstance(ufunc, np.ufunc) or ufunc not in vars(np).values():
            continue                                    # numba knows NumPy's ufuncs only
        spellings = [ufunc]
        spellings += list(_OPERATORS.get(rule.operator, ()))
        if name in _MATH:
            spellings.append(_MATH[name])
        value = _NUMPY_VALUE.get(ufunc, ufunc)     # computes the value, NumPy's
        if rule.kind == "smooth" and ufunc.nin == 1:
            typer = _unary(value, _compile(rule.exprs[0]), _quotients(rule)[0])
        elif rule.kind == "smooth" and ufunc.nin == 2 and rule.select:
            typer = _selection(value, *(_compile(e) for e in rule.exprs))
        elif rule.kind == "smooth" and ufunc.nin == 2:
            d0, d1 = (_compile(e) for e in rule.exprs)
            typer = _binary(value, d0, d1, rule.derivs[0] == "0", rule.derivs[1] == "0",
                            tuple(dom[2:] == ("int",) for dom in rule.domain), _quotients(rule),
                            _quotients(rule, "spread_exprs"))
        elif rule.kind == "zero":
            typer = _zero_kind(value, ufunc.nin)
        elif rule.kind == "predicate" and not rule.operator:
            typer = _predicate_kind(ufunc)      # comparisons: _comparison below
            spellings += [_PREDICATES[name]] if name in _PREDICATES else []
        else:
            continue
        for spelling in spellings:
            overload(spelling)(typer)
    for op in _COMPARISONS.values():
        overload(op)(_comparison(op))
    for name, spelling in _MATH_SPECIAL.items():
        overload(spelling)(_special(name, spelling))
    overload(round)(_round(RULES[np.rint]))


def _special(name, spelling):
    """``math.erf(d)`` and the like: the value by ``spelling`` (math's function, as numba
    compiles it for floats), the derivative by the table's row of ``scipy.special.name``,
    read when numba first types the call on a dual (SciPy imported then; without SciPy
    numba's own typing error names the call)."""
    compiled = []

    def typer(a):
        if not isinstance(a, DualType):
            return None
        if not compiled:
            try:
                import scipy.special as sc
            except ImportError:
                return None
            rule = rule_for(getattr(sc, name))
            compiled.append(_compile(rule.exprs[0]) if rule is not None and
                            rule.kind == "smooth" else None)
        if compiled[0] is not None:
            return _unary(spelling, compiled[0])(a)
    return typer


def _round(rule):
    """``round(d)`` and ``round(d, ndigits)``: locally constant, as the table's row of
    ``np.rint`` (Python's rounding, half to even) says: zero partials.  The value is a
    dual holding numba's rounded float (``round(d)`` of a float is an int, which carries
    no derivatives; use ``int(round(d.value))`` for an index)."""
    assert rule.kind == "zero"

    def typer(number, ndigits=None):
        if not isinstance(number, DualType):
            return None
        if ndigits is None or isinstance(ndigits, (types.NoneType, types.Omitted)):
            return lambda number, ndigits=None: _new(round(number.value), _zeros(number),
                                                     number.tag)
        if isinstance(ndigits, types.Integer):
            return lambda number, ndigits=None: _new(round(number.value, ndigits),
                                                     _zeros(number), number.tag)
    return typer


_PREDICATES = {"isnan": math.isnan, "isinf": math.isinf, "isfinite": math.isfinite}


def _predicate_kind(ufunc):
    """A predicate of the table (``np.isnan``, ``math.isfinite``, ``np.logical_and``,
    ...): NumPy's answer on the values."""
    def unary(a):
        if isinstance(a, DualType):
            return lambda a: ufunc(a.value)
    return unary if ufunc.nin == 1 else _comparison(ufunc)     # a binary one reads values alike


def _comparison(op):
    def typer(a, b):
        if isinstance(a, DualType) and isinstance(b, DualType):
            return lambda a, b: op(a.value, b.value)
        if isinstance(a, DualType) and isinstance(b, _NUMERIC):
            return lambda a, b: op(a.value, b)
        if isinstance(a, _NUMERIC) and isinstance(b, DualType):
            return lambda a, b: op(a, b.value)
    return typer


def _pick(pick_first, a, b):
    """``max``/``min`` as Python defines them: the first of equal arguments wins."""
    if isinstance(a, DualType) and isinstance(b, DualType):
        if pick_first:
            return lambda a, b: b if b.value > a.value else a
        return lambda a, b: b if b.value < a.value else a
    if isinstance(a, DualType):
        if pick_first:
            return lambda a, b: _new(b, _zeros(a), a.tag) if b > a.value else a
        return lambda a, b: _new(b, _zeros(a), a.tag) if b < a.value else a
    if pick_first:
        return lambda a, b: b if b.value > a else _new(a, _zeros(b), b.tag)
    return lambda a, b: b if b.value < a else _new(a, _zeros(b), b.tag)


# ---- dual arrays -------------------------------------------------------------------------
@intrinsic
def _new_array(typingctx, values, partials, tag, like):
    sig = DualArrayType(like.n)(values, partials, types.int64, like)

    def codegen(context, builder, signature, args):
        d = cgutils.create_struct_proxy(signature.return_type)(context, builder)
        for field, arg, ty, target in (("values", args[0], signature.args[0], _VALUES),
                                       ("partials", args[1], signature.args[1], _PARTIALS)):
            value = context.cast(builder, arg, ty, target)
            context.nrt.incref(builder, target, value)
            setattr(d, field, value)
        d.tag = args[2]
        return d._getvalue()
    return sig, codegen


@overload(len)
def _len(a):
    if isinstance(a, DualArrayType):
        return lambda a: len(a.values)


@overload_attribute(DualArrayType, "shape")
def _shape(a):
    return lambda a: a.values.shape


@overload_attribute(DualArrayType, "size")
def _size(a):
    return lambda a: a.values.size


@overload_attribute(DualArrayType, "ndim")
def _ndim(a):
    return lambda a: 1


@overload(operator.getitem)
def _getitem(a, i):
    if isinstance(a, DualArrayType):
        if isinstance(i, types.Integer):
            def impl(a, i):
                j = i + len(a.values) if i < 0 else i
                if j < 0 or j >= len(a.values):
                    raise IndexError("index out of range for a dual array")
                return _new(a.values[j], _row(a.partials, j, _probe(a)), a.tag)
            return impl
        if isinstance(i, types.SliceType):
            return lambda a, i: _new_array(a.values[i], a.partials[i], a.tag, a)


@overload(operator.setitem)
def _setitem(a, i, v):
    if isinstance(a, DualArrayType) and isinstance(i, types.Integer):
        if isinstance(v, DualType):
            def impl(a, i, v):
                a.values[i] = v.value
                for k in range(len(v.partials)):
                    a.partials[i, k] = v.partials[k]
            return impl
        if isinstance(v, _NUMERIC):
            def impl(a, i, v):
                a.values[i] = v
                a.partials[i, :] = 0.0
            return impl


@intrinsic
def _probe(typingctx, a):
    """A zero dual of ``a``'s width: carries ``n`` into intrinsics as a type."""
    dual = DualType(a.n)
    sig = dual(a)

    def codegen(context, builder, signature, args):
        d = cgutils.create_struct_proxy(dual)(context, builder)
        d.value = context.get_constant(_F64, 0.0)
        zero = context.get_constant(_F64, 0.0)
        d.partials = context.make_tuple(builder, types.UniTuple(_F64, a.n), [zero] * a.n)
        d.tag = context.get_constant(types.int64, 0)
        return d._getvalue()
    return sig, codegen


def _like_array(fill_zero):
    """``np.zeros_like(x)`` / ``np.empty_like(x)`` of a dual array, and with
    ``shape=n`` (the one buffer advice, which NumPy takes on floats) a buffer of
    another length, for dual and plain arrays alike."""
    def typer(a, dtype=None, shape=None):
        sized = isinstance(shape, types.Integer) or isinstance(shape, types.UniTuple) and \
            shape.count == 1 and isinstance(shape.dtype, types.Integer)
        if isinstance(a, DualArrayType):
            if sized:
                return lambda a, dtype=None, shape=None: _new_array(
                    np.zeros(_length(shape)), np.zeros((_length(shape), _width(a))),
                    a.tag, a)
            if fill_zero:
                return lambda a, dtype=None, shape=None: _new_array(
                    np.zeros_like(a.values), np.zeros_like(a.partials), a.tag, a)
            return lambda a, dtype=None, shape=None: _new_array(
                np.empty_like(a.values), np.zeros_like(a.partials), a.tag, a)
        if isinstance(a, DualType) and sized:
            return lambda a, dtype=None, shape=None: _new_array(
                np.zeros(_length(shape)), np.zeros((_length(shape), _width(a))), a.tag,
                _array_template(a))
        if isinstance(a, types.Array) and sized and dtype in (None, types.none):
            return lambda a, dtype=None, shape=None: np.zeros(_length(shape), a.dtype)
        if isinstance(a, (types.Float, types.Integer)) and sized and \
                dtype in (None, types.none):
            return lambda a, dtype=None, shape=None: np.zeros(_length(shape), np.float64)
    return typer


def _length(shape):  # pragma: no cover - numba compiles the overload below
    """``n`` for a shape given as ``n`` or ``(n,)``."""


@overload(_length)
def _length_impl(shape):
    if isinstance(shape, types.Integer):
        return lambda shape: shape
    return lambda shape: shape[0]


overload(np.zeros_like)(_like_array(True))
overload(np.empty_like)(_like_array(False))


def _creation(fill):
    """``np.zeros(n, like=x)`` inside jitted code: a dual buffer of ``x``'s width; for
    a float ``x`` (numba has no ``like=``) the float array NumPy gives, so the same
    jitted function runs on floats."""
    def typer(shape, dtype=None, like=None):
        if not isinstance(shape, types.Integer):
            return None
        if isinstance(like, (DualType, DualArrayType)):
            def impl(shape, dtype=None, like=None):
                return _new_array(np.full(shape, fill), np.zeros((shape, _width(like))),
                                  like.tag, _array_template(like))
            return impl
        if isinstance(like, _LIKE_PLAIN) and dtype in (None, types.none):
            return lambda shape, dtype=None, like=None: np.full(shape, fill)
    return typer


# the plain ``like=`` arguments of the float run: float arrays and numbers
_LIKE_PLAIN = (types.Array, types.Float, types.Integer)


for _func, _fill in ((np.zeros, 0.0), (np.empty, 0.0), (np.ones, 1.0)):
    overload(_func)(_creation(_fill))


@overload(np.full)
def _full(shape, fill_value, dtype=None, like=None):
    if not (isinstance(shape, types.Integer) and isinstance(fill_value, _NUMERIC)):
        return None
    if isinstance(like, (DualType, DualArrayType)):
        def impl(shape, fill_value, dtype=None, like=None):
            return _new_array(np.full(shape, float(fill_value)),
                              np.zeros((shape, _width(like))), like.tag,
                              _array_template(like))
        return impl
    if isinstance(like, _LIKE_PLAIN) and dtype in (None, types.none):
        return lambda shape, fill_value, dtype=None, like=None: np.full(shape, fill_value)


@intrinsic
def _width(typingctx, like):
    """The number of partials of a dual type, as a compile-time constant."""
    sig = types.intp(like)

    def codegen(context, builder, signature, args):
        return context.get_constant(types.intp, like.n)
    return sig, codegen


@intrinsic
def _array_template(typingctx, like):
    """A dual array type of ``like``'s width (``like`` a scalar or array dual)."""
    arr = DualArrayType(like.n)
    sig = arr(like)

    def codegen(context, builder, signature, args):
        return cgutils.create_struct_proxy(arr)(context, builder)._getvalue()
    return sig, codegen


@overload(np.copy)
def _copy(a):
    if isinstance(a, DualArrayType):
        return lambda a: _new_array(a.values.copy(), a.partials.copy(), a.tag, a)


@overload_method(DualArrayType, "copy")
def _copy_method(a):
    return lambda a: _new_array(a.values.copy(), a.partials.copy(), a.tag, a)


@overload(np.array)
def _array(seq, dtype=None):
    if isinstance(seq, (types.UniTuple, types.List)) and isinstance(seq.dtype, DualType) \
            and dtype in (None, types.none):
        n = seq.dtype.n

        def impl(seq, dtype=None):
            m = len(seq)
            values = np.empty(m)
            partials = np.zeros((m, n))
            tag = 0
            for i in range(m):
                values[i] = seq[i].value
                tag = max(tag, seq[i].tag)
                for k in range(n):
                    partials[i, k] = seq[i].partials[k]
            return _new_array(values, partials, tag, _template(seq[0]))
        return impl


@intrinsic
def _template(typingctx, d):
    """A dual array type to build from a scalar dual type (for its width)."""
    arr = DualArrayType(d.n)
    sig = arr(d)

    def codegen(context, builder, signature, args):
        return cgutils.create_struct_proxy(arr)(context, builder)._getvalue()
    return sig, codegen


@overload(max)
def _max(a, b):
    if isinstance(a, DualType) or isinstance(b, DualType):
        if all(isinstance(t, (DualType,) + _NUMERIC) for t in (a, b)):
            return _pick(True, a, b)


@overload(min)
def _min(a, b):
    if isinstance(a, DualType) or isinstance(b, DualType):
        if all(isinstance(t, (DualType,) + _NUMERIC) for t in (a, b)):
            return _pick(False, a, b)


@overload(divmod)
def _divmod_builtin(a, b):
    """``divmod(d, y)``: ``(d // y, d % y)``, each by its overload (NumPy's values, as
    Python's divmod of floats; the quotient's partials zero, the remainder's the table's
    row of np.remainder)."""
    if isinstance(a, DualType) or isinstance(b, DualType):
        if all(isinstance(t, (DualType,) + _NUMERIC) for t in (a, b)):
            return lambda a, b: (a // b, a % b)


def _fold_max(m, rest):
    """``max(m, *rest)`` from the left (a stub numba compiles through its overload)."""


def _fold_min(m, rest):
    """``min(m, *rest)`` from the left (a stub numba compiles through its overload)."""


def _folder(builtin, fold):
    """The overload of ``fold``: the two-argument ``builtin`` applied from the left over
    the tuple ``rest``, one compiled step per element, so the first of equal values
    wins, as in Python."""
    def typer(m, rest):
        if len(rest) == 0:
            return lambda m, rest: m
        return lambda m, rest: fold(builtin(m, rest[0]), rest[1:])
    return typer


def _pick_many(builtin, fold):
    """``max(a, b, c, ...)`` / ``min`` of three or more values, a dual among them."""
    def typer(a, b, c, *rest):
        args = (a, b, c) + tuple(rest)
        if any(isinstance(t, DualType) for t in args) and \
                all(isinstance(t, (DualType,) + _NUMERIC) for t in args):
            return lambda a, b, c, *rest: fold(builtin(builtin(a, b), c), rest)
    return typer


overload(_fold_max)(_folder(max, _fold_max))
overload(_fold_min)(_folder(min, _fold_min))
overload(max)(_pick_many(max, _fold_max))
overload(min)(_pick_many(min, _fold_min))


class _DualIterType(types.SimpleIteratorType):
    """The iterator of ``for v in x`` over a dual array: its elements, scalar duals."""

    def __init__(self, array_type):
        self.array_type = array_type
        super().__init__(f"iter({array_type})", DualType(array_type.n))


@register_model(_DualIterType)
class _DualIterModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("index", types.EphemeralPointer(types.intp)),
                                        ("array", fe_type.array_type)])


@lower_builtin("getiter", DualArrayType)
def _getiter(context, builder, sig, args):
    it = context.make_helper(builder, sig.return_type)
    it.index = cgutils.alloca_once_value(builder, context.get_constant(types.intp, 0))
    it.array = args[0]
    context.nrt.incref(builder, sig.args[0], args[0])
    return impl_ret_new_ref(context, builder, sig.return_type, it._getvalue())


@lower_builtin("iternext", _DualIterType)
@iternext_impl(RefType.BORROWED)
def _iternext(context, builder, sig, args, result):
    it = context.make_helper(builder, sig.args[0], value=args[0])
    array_type = sig.args[0].array_type
    n = context.compile_internal(builder, lambda a: len(a.values),
                                 types.intp(array_type), [it.array])
    index = builder.load(it.index)
    valid = builder.icmp_signed("<", index, n)
    result.set_valid(valid)
    with builder.if_then(valid):
        element = context.compile_internal(builder, lambda a, i: a[i],
                                           DualType(array_type.n)(array_type, types.intp),
                                           [it.array, index])
        result.yield_(element)
        builder.store(builder.add(index, context.get_constant(types.intp, 1)), it.index)


@overload(float)
def _float(a):
    if isinstance(a, DualType):
        def impl(a):
            raise TypeError("dualgrad: float(d) in jitted code would drop the derivatives "
                            "of a dual number. Fix: keep the value a dual.")
        return impl


_register()


def is_dispatcher(f):
    """Is ``f`` a numba-jitted function (a CPU dispatcher)?"""
    return type(f).__module__.startswith("numba") and hasattr(f, "py_func")


def typeof_dual(val):
    """numba's type for the dual ``val``; a dual numba cannot take (nested, complex, of
    other than one dimension) raises :func:`dualgrad.errors.jit_argument`'s TypeError."""
    if isinstance(val, ScalarDual):
        return _typeof_scalar(val, None)
    return _typeof_array(val, None)


def init():
    """Former ``numba_extensions`` entry point, kept for installs whose metadata
    still names it: importing this module is all."""
