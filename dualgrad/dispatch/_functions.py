"""``__array_function__``: one registry of NumPy functions implemented for duals.

A function in the registry gives the exact derivative; every other NumPy
function raises ``TypeError`` naming itself (never a pass-through, which would
drop derivatives).  Implementations are written with NumPy calls on ``value``
and ``partials`` so that they also run on nested duals (Hessians).

Three shapes of implementation cover most of NumPy:

* *structural* functions move elements: applied to the value and, with the
  direction axis kept last, to the partials;
* *linear* functions (``diff``, ``trace``, ``pad``...): applied to the value and
  to each direction of the partials;
* everything else is composed from supported functions and ufuncs.
"""

import functools
import math
import operator
import sys

import numpy as np

from . import _quiet, _reductions, _second_order
from .. import backend, errors
from ..dual import (HOLOMORPHIC, LIVE, MAX_SLOTS, ArrayDual, Dual, from_object_array,
                    join_partials, make, make_array, make_scalar, newest, numeric,
                    partials_array, primal, scalar_class)
from ..dual._base import _scalar_value
from ..dual._views import rolled as _rolled
from ..dual._array import _chained, _chained_write, floats, not_a_number
from ._ufuncs import _SELECT_ROWS, _full_rows
from ._composed import COMPOSED, refuse_complex_into_real, unweighted
from ._linalg import LINALG, bilinear
from ._operands import (abs2, check_holomorphic, moved, operand, overlaps, plain_array,
                        write_out)
from ..rules._table import NOT_HOLOMORPHIC, PARTS, tangent_function

__all__ = ["dispatch", "HANDLED", "function_name"]

HANDLED = {}


def implements(*funcs):
    def register(impl):
        for func in funcs:
            HANDLED[func] = impl
        return impl
    return register


def function_name(func):
    module = getattr(func, "__module__", "numpy") or "numpy"
    module = "np" + module[5:] if module.startswith("numpy") else module
    return f"{module}.{func.__name__}"


# operands _lift returns as they are, told by their exact type: an array dual, a
# number, a string, None (a plain array needs its dtype read: object arrays are lifted)
_AS_IS = frozenset({ArrayDual, float, int, bool, complex, str, type(None)})


def _lift(x):
    """Scalar duals become 0-d array duals; lists and tuples are lifted inside."""
    if type(x) in _AS_IS:                   # the common operands: no isinstance scan
        return x
    if isinstance(x, Dual) and x._kind != "array":              # a scalar dual
        value = x.value if isinstance(x.value, Dual) else numeric(x.value)
        return make_array(value, partials_array(x), x.tag)
    if isinstance(x, list):
        return [_lift(i) for i in x]
    if isinstance(x, tuple):                  # a namedtuple (slogdet's, qr's) too
        return tuple(_lift(i) for i in x)
    if isinstance(x, np.ndarray):
        if type(x) is not np.ndarray:                        # np.matrix, masked arrays
            return _lift(plain_array("dualgrad", x))
        if x.dtype == object:
            return _lift(from_object_array(x))
    return x


def _finish(result):
    """0-d array duals (from lifted scalars) back to scalar duals, inside containers too."""
    if type(result) is ArrayDual and type(result.value) is np.ndarray and result.value.ndim:
        return result                               # the common result: no scans
    if isinstance(result, Dual) and result._kind == "array" and result.ndim == 0:
        return make(result.value.reshape(()) if isinstance(result.value, np.ndarray)
                    else result.value, result.partials, result.tag)
    if isinstance(result, tuple):
        return type(result)(_finish(r) for r in result) if not hasattr(result, "_fields") \
            else type(result)(*(_finish(r) for r in result))
    if isinstance(result, list):
        return [_finish(r) for r in result]
    return result


_NP_FILL_DIAGONAL = np.fill_diagonal


# NumPy's functions that write into their first argument, an ndarray
_WRITES_FIRST = frozenset((np.copyto, np.put, np.place, np.putmask))


def _into_objects(func, args, kwargs, like):
    """``np.copyto(A, d)`` (``np.put``, ``np.place``, ``np.putmask``) into a NumPy object
    array ``A`` (of scalar duals, or numbers: ``np.array(list(x))``), with a dual among
    the operands: the write on ``A`` lifted to an array dual, then ``A[...] = `` that
    dual, so that the store reaches ``A`` as NumPy's would.  ``_lift`` made a new
    array dual of ``A``, into which the write went and was lost: the Jacobian of
    ``sum(A)`` after ``np.copyto(A, 2 * x)`` read 1 for 2, silently (found beside
    attack69 M2).  A read-only ``A`` (what ``np.asarray`` hands out for a dual array
    while it lives) raises NumPy's own error here, which the helpers' refusal names
    (``_snapshots.explain``)."""
    dst = args[0]
    if not dst.flags.writeable:
        dst[...] = dst                  # NumPy's "assignment destination is read-only"
    lifted = _lift(dst)
    result = dispatch(func, (lifted,) + tuple(args[1:]), kwargs, like)
    dst[...] = np.asarray(lifted)       # (object array of scalar duals: stored as items)
    return result


def dispatch(func, args, kwargs, like=None):
    """``__array_function__`` of ``like``, the dual NumPy called it on."""
    if like is not None and like.tag not in LIVE:       # an escaped dual
        raise errors.escaped()
    if func in _CREATION and like is not None:    # np.zeros(n, like=x) reaches us so
        return _create(func, args, kwargs, like)
    if errors.WATCHING[0] and func in _SELECTIONS:      # (dg.quad's watch)
        _report_selection(func, args, kwargs)
    if func is _NP_FILL_DIAGONAL and len(args) == 2 and not kwargs and \
            type(args[0]) is ArrayDual and (type(args[1]) is np.ndarray and
                                            args[1].dtype.kind in "biufc" or
                                            type(args[1]) in (float, int)):
        return fill_diagonal(*args)     # (a plain diagonal into an array dual: its
        #  operands as _lift leaves them, no binding; a point-kinetics rhs's, rows64)
    if func is _NP_INTERP and len(args) == 3 and not kwargs:
        result = _interp_point(*args)          # an EGM loop's one point: before _lift
        if result is not None:
            return result
    if func in _WRITES_FIRST and args and type(args[0]) is np.ndarray and \
            args[0].dtype == object:
        return _into_objects(func, args, kwargs, like)
    impl = HANDLED.get(func)
    if impl is None:
        impl = LINALG.get(func) or _LOADED.get(func) or _lazy(func)
    if impl is None:
        if like is not None and not any(_holds_dual(a) for a in (*args, *kwargs.values())):
            raise errors.unsupported_like(function_name(func))   # np.eye(3, like=x): NumPy
            # hands the call to x with like= dropped, and no argument holds a dual
        raise errors.unsupported_function(function_name(func))
    args, kwargs, at = out_moved(func, args, kwargs)
    if kwargs.get("out") is not None and impl is not _clip:    # never ignored
        if func not in _OUT_AFTER:
            raise errors.unsupported_out(function_name(func), at,
                                         _positional_parameters(func))
        kwargs = dict(kwargs)
        out = kwargs.pop("out")
        check_join_out(func, args[0] if args else kwargs.get("arrays"), out)
        return _store_out(func, dispatch(func, args, kwargs, like), out)
    if kwargs:
        named = _NAMED.get(func)
        if named is None:
            named = _NAMED[func] = _positional_names(func, impl)
        if named and not named.isdisjoint(kwargs):
            args, kwargs = _bind(func, args, kwargs, named)
    args = [a if type(a) in _AS_IS else _lift(a) for a in args]
    if kwargs:
        kwargs = {k: _lift(v) for k, v in kwargs.items()}
    if HOLOMORPHIC and func in NOT_HOLOMORPHIC:
        check_holomorphic(function_name(func), args, NOT_HOLOMORPHIC[func])
        check_holomorphic(function_name(func), list(kwargs.values()))
    return _finish(impl(*args, **kwargs))


# The functions that pick elements by their order: where dg.quad watches, each reports
# the indices it picks as a branch (rules/_table.py's Selection): a maximum, a sorted
# element or a table lookup whose order changes between the integrand's nodes has a
# kink or a jump there (attack49 13, 33).  func -> (arg, the axis' position and
# default, kink); searchsorted / digitize: (arg, the option's name, position, default)
_SELECTIONS = {
    **{f: ("argmax", 1, None, True) for f in (np.max, np.amax, np.nanmax)},
    **{f: ("argmin", 1, None, True) for f in (np.min, np.amin, np.nanmin)},
    np.argmax: ("argmax", 1, None, False), np.argmin: ("argmin", 1, None, False),
    np.nanargmax: ("nanargmax", 1, None, False), np.nanargmin: ("nanargmin", 1, None, False),
    # np.lexsort(keys, axis=-1): the order of the keys together (attack50 13)
    np.lexsort: ("lexsort", 1, -1, False),
    **{f: ("argsort", 1, -1, True) for f in (np.sort,)},
    np.argsort: ("argsort", 1, -1, False),
    np.partition: ("argsort", 2, -1, True), np.argpartition: ("argsort", 2, -1, False),
    **{f: ("argsort", 1, None, True) for f in (np.median, np.nanmedian, np.ptp)},
    **{f: ("argsort", 2, None, True) for f in (np.quantile, np.percentile,
                                               np.nanquantile, np.nanpercentile)},
    np.searchsorted: ("searchsorted", "side", 2, "left"),
    np.digitize: ("digitize", "right", 2, False),
    # np.interp(x, xp, fp): a kink at each knot, the segment searchsorted(xp, x, "right")
    np.interp: ("interp", None, None, None),
    # values NumPy returns sorted (attack51 05): unique's (flattened: its axis= rows too,
    # a tie there is one of the flattened order), eigh's and svd's, whose order is
    # their vectors' (rules/_table.py _vector_signs)
    **{f: ("argsort", 99, None, True) for f in (np.unique, np.unique_values,
                                                np.unique_counts, np.unique_inverse,
                                                np.unique_all)},
    **{f: ("eigh", "UPLO", 1, "L") for f in (np.linalg.eigh, np.linalg.eigvalsh)},
    **{f: ("svd", None, None, None) for f in (np.linalg.svd, np.linalg.svdvals)},
    # eig's vectors: LAPACK makes each one's largest component real, so a vector jumps
    # where that component changes (eig53; rules/_table.py _eig_pivots)
    np.linalg.eig: ("eig", None, None, None),
    # qr's Householder signs: R[j, j] = -sign(Re alpha) |alpha, x|, its row and Q's column
    # flip where alpha crosses 0 (attack53 08; rules/_table.py _qr_signs)
    np.linalg.qr: ("qr", None, None, None),
    # slogdet's sign: a jump where the determinant crosses 0 (attack53 07)
    np.linalg.slogdet: ("slogdet", None, None, None),
}


def _report_selection(func, args, kwargs):
    """dg.quad's watch: the indices ``func`` picks from ``args``' plain values, a
    branch (:class:`dualgrad.rules._table.Selection`)."""
    from ..rules._table import Selection
    arg, where, at, default = _SELECTIONS[func]
    if arg == "interp":                 # the knots (moving or not) and x
        x = args[0] if args else kwargs.get("x")
        xp = args[1] if len(args) > 1 else kwargs.get("xp")
        errors.report_branch(Selection("np.interp", "searchsorted", None, "right", True),
                             (xp, x), None)
        return
    if arg in ("eigh", "svd", "eig", "qr", "slogdet"):
        if not args:
            return
        option = kwargs.get(where, args[at] if len(args) > at else default) \
            if where else None
        errors.report_branch(Selection(function_name(func), arg, None, option,
                                       arg not in ("eig", "qr", "slogdet")), (args[0],),
                             None)
        if func is np.linalg.eigh or func is np.linalg.svd and kwargs.get(
                "compute_uv", args[2] if len(args) > 2 else True):
            # the vectors' signs (LAPACK's, no function of the matrix): a jump of the
            # vectors where one flips (attack53 08 (b)), beside the values' kink
            errors.report_branch(Selection(function_name(func), arg + " signs", None,
                                           option, False), (args[0],), None)
        return
    if arg in ("searchsorted", "digitize"):
        option = kwargs.get(where, args[at] if len(args) > at else default)
        inputs = tuple(args[:2]) if len(args) >= 2 else tuple(args) + (kwargs.get(
            "v", kwargs.get("bins")),)
        errors.report_branch(Selection(function_name(func), arg, None, option, False),
                             inputs, None)
        return
    axis = kwargs.get("axis", args[where] if len(args) > where else at)
    if not args:
        return
    if arg == "lexsort" and type(args[0]) in (list, tuple):     # each key an input
        errors.report_branch(Selection(function_name(func), arg, axis, "keys", default),
                             tuple(args[0]), None)
        return
    errors.report_branch(Selection(function_name(func), arg, axis, None, default),
                         (args[0],), None)


# NumPy's own keyword names (np.dot(a=x, b=y), np.tile(A=x, reps=2)): the
# implementations name their parameters otherwise, or take ``*args`` and call NumPy
# again (np.dot(a=...) then came back here: a RecursionError).  Per function, the
# names of NumPy's positional-or-keyword parameters an implementation does not take
# by that name; a call that names one has the arguments NumPy's signature puts next
# passed by position (attack28 item 4).
_NAMED = {}


# joins whose out= is filled after the join (attack28 item 6: np.concatenate(out=)
# was refused): a dual out takes the values and partials, a plain one only a result
# without derivatives (else dualgrad's named error: it would drop them)
_OUT_AFTER = frozenset({np.concatenate, np.stack})


def check_join_out(func, arrays, out):
    """Refuse an ``out=`` of ``np.concatenate`` / ``np.stack`` that shares memory with
    an array joined (:func:`dualgrad.errors.join_out_overlap`: NumPy's result is its
    unbuffered copy order's; dualgrad's buffered join gave another function's values and
    Jacobian).  The sparsity tracer calls it too."""
    if isinstance(arrays, (list, tuple)):
        for k, a in enumerate(arrays):
            if overlaps(a, out):
                raise errors.join_out_overlap(func.__name__, k)


def _store_out(func, result, out):
    if np.shape(out) != np.shape(result):
        raise ValueError(f"{function_name(func)}: output array has wrong shape: expected "
                         f"{np.shape(result)}, got {np.shape(out)}")
    return write_out(result, out)


def _positional_names(func, impl):
    import inspect
    try:
        numpy_params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):          # no signature NumPy tells: keywords as given
        return frozenset()
    try:
        own = inspect.signature(impl, follow_wrapped=False).parameters
    except (TypeError, ValueError):
        own = {}
    taken = {name for name, p in own.items()
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return frozenset(p.name for p in numpy_params
                     if p.kind is p.POSITIONAL_OR_KEYWORD and p.name not in taken)


# NumPy functions' positional parameter names, read once per function
# (:func:`_positional_parameters`), and where ``out`` is among them (:func:`_out_index`)
_POSITIONAL: dict = {}
_OUT_INDEX: dict = {}


def _positional_parameters(func):
    """The names of NumPy's ``func``'s parameters that may be given by position, in
    order (none where NumPy tells no signature)."""
    params = _POSITIONAL.get(func)
    if params is None:                   # (inspect.signature on every call: userepi48)
        import inspect
        try:
            given = inspect.signature(func).parameters.values()
        except (TypeError, ValueError):
            given = ()
        params = _POSITIONAL[func] = [p.name for p in given if p.kind in (
            p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return params


def _out_index(func):
    """Where ``func`` takes ``out`` by position (``np.mean(a, axis, dtype, out)``: 3),
    else a number past any call's arguments."""
    params = _positional_parameters(func)
    return params.index("out") if "out" in params else sys.maxsize


def out_moved(func, args, kwargs):
    """``args``, ``kwargs`` with an out buffer given by position moved to ``out=``
    (:func:`_out_named`), and where it stood (``None`` where it was not given by
    position): ``np.mean(a, 0, None, buf)`` as ``np.mean(a, 0, None, out=buf)``, for
    the dispatch here and dg.sparsity's tracer alike (attack72 F1: the tracer passed
    it on by position and the buffer's pattern stayed empty)."""
    at = _OUT_INDEX.get(func)
    if at is None:
        at = _OUT_INDEX[func] = _out_index(func)
    if len(args) > at:
        args, kwargs = _out_named(func, at, args, kwargs)
        if _out_none(kwargs):       # np.sum(z, 0, None, None, False, 5.0): out=None
            return args, kwargs, None   # by position, the arguments after it keywords
        return args, kwargs, at         # (attack72 C2: the implementations' signatures
    return args, kwargs, None           # refused a sixth positional argument)


def _out_none(kwargs):
    """Whether ``kwargs`` (a call's, out moved to its keyword) names ``out=None``: then
    drop it (the implementations take no ``out`` where none is given)."""
    if "out" in kwargs and kwargs["out"] is None:
        del kwargs["out"]
        return True
    return False


def _out_named(func, at, args, kwargs):
    """``args``, ``kwargs`` with ``out`` given by position (at ``at``) and the arguments
    after it moved to their keywords, so that the ``out=`` checks see it: it was
    passed on as a positional argument the implementations took for another, and the
    buffer was never written (attack71 F1: ``np.mean(a, 0, None, buf)``)."""
    names = _positional_parameters(func)
    moved = dict(zip(names[at:], args[at:]))
    for name in moved:
        if name in kwargs:                # given twice: NumPy's own TypeError
            raise TypeError(f"{function_name(func)}() got multiple values for argument "
                            f"'{name}'")
    return args[:at], {**kwargs, **moved}


def _bind(func, args, kwargs, named):
    """``args``, ``kwargs`` with NumPy's parameters that follow ``args`` and that
    ``kwargs`` names, one after another, moved to positions (the first one not given
    ends the run: NumPy's defaults, ``np._NoValue`` among them, are never filled in)."""
    params = _positional_parameters(func)
    for name in params[:len(args)]:
        if name in kwargs:                # given twice: NumPy's own TypeError
            raise TypeError(f"{function_name(func)}() got multiple values for argument "
                            f"'{name}'")
    kwargs = dict(kwargs)
    args = list(args)
    for name in params[len(args):]:
        if name not in kwargs:
            break
        args.append(kwargs.pop(name))
    return args, kwargs


def _lazy(func):
    """Implementations in modules imported on first use (``np.fft``: NumPy loads it
    lazily, so ``import dualgrad`` does not either); once loaded, :func:`dispatch`
    finds them in ``_LOADED`` without this test (a spectral solver's step calls
    ``np.fft`` two or three times)."""
    if getattr(func, "__module__", "").startswith("numpy.fft"):
        from ._fft import FFT
        _LOADED.update(FFT)
        return FFT.get(func)
    return None


_LOADED = {}          # _lazy's implementations, once their module is imported


# ---- helpers ------------------------------------------------------------------------
def _as_dual(x, tag, n):
    """``x`` as a dual of ``tag``: constants (older duals too) get zero partials."""
    if isinstance(x, Dual) and x.tag == tag:
        return x
    if isinstance(x, (list, tuple)) and any(isinstance(i, (Dual, list, tuple)) for i in x):
        return np.stack([_as_dual(i, tag, n) for i in x])
    if x is None or isinstance(x, (str, bytes)):     # np.stack([d, None]): an element an
        raise not_a_number(x)                        # np.empty object buffer left unwritten
    value = x if isinstance(x, Dual) else numeric(x)
    return make_array(value, backend.zeros(np.shape(value) + (n,)), tag)


def _value_axis(axis, ndim, bools=True):
    """One value axis (an integer: ``None`` or a tuple raise NumPy's ``TypeError``, an
    axis out of range its ``AxisError``; a bool too where ``bools`` is false, as in
    ``np.take``) as a non-negative int, valid for the partials too."""
    if ndim == 0:                  # NumPy's own error follows (None, a tuple: a TypeError)
        operator.index(axis)
        return 0
    return _reductions.axis_index(axis, ndim, bools)


def _per_direction(func, p, *args, **kwargs):
    """``func`` applied to each direction of partials ``p``, stacked last (kept for
    the few functions with no whole-array form: ``interp`` on nested duals)."""
    n = p.shape[-1]
    return np.stack([func(p[..., k], *args, **kwargs) for k in range(n)], axis=-1)


# ---- structural functions on the whole partials array ------------------------------
# Each moves elements along value axes; the partials (directions last) take the same
# move with the axes given as non-negative numbers, so the direction axis is never
# touched: one NumPy call instead of one per direction, and a view wherever NumPy
# returns a view of the value (writes through it reach value and partials alike).
def _structural(impl):
    """``impl(a, *args)`` for a dual ``a``; plain NumPy for anything else."""
    func = impl.__name__

    @functools.wraps(impl)
    def wrapper(a, *args, **kwargs):
        if not isinstance(a, Dual):
            return getattr(np, func[1:])(a, *args, **kwargs)
        return impl(a, *args, **kwargs)
    return wrapper


@implements(np.flip)
@_structural
def _flip(m, axis=None):
    value = np.flip(m.value, axis)
    if axis is None:
        return make(value, np.flip(m.partials, tuple(range(m.ndim))), m.tag)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return make(value, np.flip(m.partials, tuple(int(ax) % m.ndim for ax in axes)), m.tag)


@implements(np.fliplr)
@_structural
def _fliplr(m):
    return make(np.fliplr(m.value), np.flip(m.partials, 1), m.tag)


@implements(np.flipud)
@_structural
def _flipud(m):
    return make(np.flipud(m.value), np.flip(m.partials, 0), m.tag)


@implements(np.rot90)
@_structural
def _rot90(m, k=1, axes=(0, 1)):
    value = np.rot90(m.value, k, axes)            # NumPy checks the axes
    axes = tuple(int(ax) % m.ndim for ax in axes)
    return make(value, np.rot90(m.partials, k, axes), m.tag)


@implements(np.real)
def _real(val):
    """The real part: a real dual is its own real part (a view, as NumPy gives); a
    complex one's partials are the table's tangent (``rules._table.PARTS``)."""
    if not isinstance(val, Dual):
        return np.real(val)
    if np.iscomplexobj(primal(val.value)) or np.iscomplexobj(primal(val.partials)):
        value = np.real(val.value)
        return make(value, tangent_function(PARTS[np.real])(val.value, value, val.partials),
                    val.tag)
    return make(val.value.real if isinstance(val.value, np.ndarray) else val.value,
                val.partials, val.tag)


@implements(np.imag)
def _imag(val):
    """The imaginary part, of value and partials alike (zeros for a real dual): the
    table's tangent (``rules._table.PARTS``)."""
    if not isinstance(val, Dual):
        return np.imag(val)
    v, p = val.value, val.partials
    if type(v) is np.ndarray and type(p) is np.ndarray and v.dtype.kind == "f" and \
            p.dtype == np.float64:           # NumPy's zeros are read-only: so are these
        return make(np.imag(v), backend.zeros_readonly(p.shape), val.tag)
    value = np.imag(v)
    return make(value, tangent_function(PARTS[np.imag])(v, value, p), val.tag)


def _atleast(func, a):
    if not isinstance(a, Dual):
        return func(a)
    value = func(a.value)
    if value is a.value:
        return a
    return make(value, np.reshape(a.partials, np.shape(primal(value)) +
                                  a.partials.shape[-1:]), a.tag)


def _each(func):
    """``atleast_*d(*arrays)``: each argument on its own (a view), a tuple for several."""
    def impl(*arrays):
        out = tuple(_atleast(func, a) for a in arrays)
        return out[0] if len(out) == 1 else out
    return impl


for _f in (np.atleast_1d, np.atleast_2d, np.atleast_3d):
    HANDLED[_f] = _each(_f)


@implements(np.roll)
@_structural
def _roll(a, shift, axis=None):
    v, p = a.value, a.partials          # (partials read once: each read asks who reads)
    if type(shift) is int and type(v) is np.ndarray and v.ndim == 1 and \
            v.dtype is _F64 and v.shape[0] and type(p) is np.ndarray and p.ndim == 2 and \
            (axis is None or type(axis) is int and -1 <= axis <= 0) and \
            (not backend.FUSING[0] or p.size < backend.FUSING[1]):
        # a 1-D float64 dual (Lorenz-96's tendency), below the fused engine's size:
        # the value's and the partials' rows by the same two slice copies
        return make(_rolled1(v, shift), _rolled(p, shift, 0), a.tag)
    value = np.roll(v, shift, axis)
    if backend.FUSING[0] and isinstance(shift, (int, np.integer)) and \
            (axis is None or a.ndim == 1 and np.ndim(axis) == 0) and \
            type(value) is np.ndarray and value.dtype == np.float64:
        d = backend.defer_roll(p, value.shape, p.shape[-1], shift)
        if d is not None:                 # the fused engine reads the rows shifted
            return make(value, d, a.tag)
    n = p.shape[-1]
    if axis is None:                                  # the flattened array rolls
        return make(value, np.reshape(_rolled(np.reshape(p, (-1, n)), shift, 0), p.shape),
                    a.tag)
    if np.ndim(axis) == 0:
        return make(value, _rolled(p, shift, int(axis) % a.ndim), a.tag)
    axes = tuple(int(ax) % a.ndim for ax in axis)
    return make(value, np.roll(p, shift, axes), a.tag)


def _rolled1(v, shift):
    """``np.roll(v, shift)`` of a 1-D float64 array of some elements and a Python int
    shift: the same two slice copies into a new array (the same numbers), without
    ``np.roll``'s axis normalisation and its second call for ``axis=None``, about
    half of a Lorenz-96 tendency's three rolls at N = 40 (``python bench/l96_perop.py
    --parts``)."""
    length = v.shape[0]
    s = shift % length
    out = np.empty(length)
    out[s:] = v[:length - s]
    out[:s] = v[length - s:]
    return out


def _pooled(p, shape):
    """An empty float64 array of ``shape`` for results built from plain partials ``p``
    (from the helpers' buffer pool when it serves one), or ``None`` for anything else."""
    if type(p) is np.ndarray and p.dtype == np.float64:
        return backend.empty(shape)
    return None


@implements(np.tile)
@_structural
def _tile(A, reps):
    value = np.tile(A.value, reps)
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    d = max(A.ndim, len(reps))
    reps = (1,) * (d - len(reps)) + reps
    p = np.reshape(A.partials, (1,) * (d - A.ndim) + A.partials.shape)
    return make(value, np.tile(p, reps + (1,)), A.tag)


@implements(np.repeat)
@_structural
def _repeat(a, repeats, axis=None):
    value = np.repeat(a.value, repeats, axis)          # NumPy checks the axis
    if axis is None or a.ndim == 0:          # (a 0-d value's axis 0: its one element)
        p = np.repeat(np.reshape(a.partials, (-1, a.partials.shape[-1])), repeats, 0)
    else:
        p = np.repeat(a.partials, repeats, _value_axis(axis, a.ndim))
    return make(value, p, a.tag)


@implements(np.resize)
@_structural
def _resize(a, new_shape):
    """Cyclic repetition of the flattened elements; each element's partials are
    one row of ``n``, so the flattened partials repeat alike."""
    value = np.resize(a.value, new_shape)
    return make(value, np.resize(a.partials, np.shape(primal(value)) +
                                 a.partials.shape[-1:]), a.tag)


@implements(np.delete)
@_structural
def _delete(arr, obj, axis=None):
    value = np.delete(arr.value, obj, axis)
    r = backend.rows(arr.partials)
    if r is not None:
        return make(value, backend.from_rows(np.delete(r, obj, axis), arr.partials),
                    arr.tag)
    if axis is None:
        p = np.delete(np.reshape(arr.partials, (-1, arr.partials.shape[-1])), obj, 0)
    else:
        p = np.delete(arr.partials, obj, _value_axis(axis, arr.ndim))
    return make(value, p, arr.tag)


@implements(np.diagonal)
@_structural
def _diagonal(a, offset=0, axis1=0, axis2=1):
    """A read-only view, as NumPy's; the diagonal axis goes before the directions."""
    value = np.diagonal(a.value, offset, axis1, axis2)
    i, j = _value_axis(axis1, a.ndim), _value_axis(axis2, a.ndim)
    return make(value, np.moveaxis(np.diagonal(a.partials, offset, i, j), -1, -2), a.tag)


@implements(np.trace)
@_structural
def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    _reductions.check_kwargs("trace", {"dtype": dtype, "out": out})
    value = np.trace(a.value, offset, axis1, axis2)
    i, j = _value_axis(axis1, a.ndim), _value_axis(axis2, a.ndim)
    return make(value, np.trace(a.partials, offset, i, j), a.tag)


@implements(np.diag)
@_structural
def _diag(v, k=0):
    value = np.diag(v.value, k)
    if v.ndim == 2:
        return make(value, np.moveaxis(np.diagonal(v.partials, k, 0, 1), -1, -2), v.tag)
    if v.ndim != 1:
        raise ValueError("Input must be 1- or 2-d.")
    m = len(v)
    rows = np.arange(m) + max(-k, 0)
    cols = np.arange(m) + max(k, 0)
    p = v.partials
    partials = backend.zeros_like(p, shape=np.shape(primal(value)) + p.shape[-1:])
    partials[rows, cols] = p
    return make(value, partials, v.tag)


def _triangle(func):
    def impl(m, k=0):
        if not isinstance(m, Dual):
            return func(m, k)
        if isinstance(k, (int, np.integer)) and -2**62 < k < 2**62:    # one pass
            done = backend.triangle(m.value, m.partials, k, func is np.triu)
            if done is not None:
                return make(done[0], done[1], m.tag)
        value = func(m.value, k)
        shape = np.shape(primal(value))
        keep = func(np.ones(shape[-2:], dtype=bool), k)
        p = m.partials
        if np.shape(primal(p))[:-1] != shape:               # 1-D m: rows of a matrix
            p = np.broadcast_to(p, shape + p.shape[-1:])
        if type(value) is np.ndarray:
            return make(value, backend.where(np.ascontiguousarray(np.broadcast_to(keep, shape)),
                                             p, 0.0, shape + p.shape[-1:]), m.tag)
        return make(value, np.where(keep[..., None], p, 0.0), m.tag)
    return impl


HANDLED[np.tril] = _triangle(np.tril)
HANDLED[np.triu] = _triangle(np.triu)


@implements(np.diff)
def _diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    if not isinstance(a, Dual) and not any(isinstance(e, Dual) for e in (prepend, append)):
        return np.diff(a, n, axis, prepend, append)
    if np.ndim(primal(a)) == 0:              # NumPy's ValueError (a 0-d input), whatever
        np.diff(primal(a), n, axis)          # the axis
    if prepend is not np._NoValue or append is not np._NoValue:
        a = _as_dual(a, *newest([a, prepend, append]))
        ax = _value_axis(axis, a.ndim)
        parts = []
        for extra in (prepend, append):
            if extra is np._NoValue:
                parts.append(None)
                continue
            if np.ndim(primal(extra)) == 0:                 # a scalar: one slice of a
                shape = list(a.shape)
                shape[ax] = 1
                extra = np.broadcast_to(extra, tuple(shape))
            parts.append(extra)
        pieces = [p for p in (parts[0], a, parts[1]) if p is not None]
        a = np.concatenate(pieces, axis=ax)
    if n == 0:
        return a
    ax = _value_axis(axis, a.ndim)
    p = a.partials
    if backend.FUSING[0] and ax == 0:
        q = backend.defer_diff(p, n)
        if q is not None:                # the fused engine reads neighbouring rows
            return make(np.diff(a.value, n, ax), q, a.tag)
    for _ in range(n):                   # as NumPy does, into pooled buffers
        shape = p.shape[:ax] + (max(p.shape[ax] - 1, 0),) + p.shape[ax + 1:]
        out = _pooled(p, shape)
        if out is None:
            p = np.diff(p, 1, ax)
            continue
        head = (slice(None),) * ax
        p = np.subtract(p[head + (slice(1, None),)], p[head + (slice(None, -1),)], out=out)
    return make(np.diff(a.value, n, ax), p, a.tag)


def _inexact(a):
    """A plain operand as an array of NumPy's result type with float64 (ints become
    float64, complex stays complex: a cast to float dropped a complex operand's imaginary
    part from the partials, attack42)."""
    a = np.asarray(a)
    return a.astype(np.result_type(a.dtype, np.float64), copy=False)


@implements(np.trapezoid)
def _trapezoid(y, x=None, dx=1.0, axis=-1):
    """Linear in ``y``; a dual ``x`` or ``dx`` goes through the formula itself (``x`` a
    list or tuple holding duals too: one dual array, attack46 09)."""
    x = operand(x) if isinstance(x, (list, tuple)) else x
    dx = operand(dx) if isinstance(dx, (list, tuple)) else dx
    if isinstance(x, Dual) or isinstance(dx, Dual) or not isinstance(y, Dual):
        y = y if isinstance(y, Dual) else _inexact(y)       # a complex y stays complex
        ndim = np.ndim(primal(y))
        ax = _value_axis(axis, ndim, bools=False)
        length = np.shape(primal(y))[ax]
        if x is None:
            d = dx
        elif np.ndim(primal(x)) == 1:
            d = np.reshape(np.diff(x), [-1 if i == ax else 1 for i in range(ndim)])
        else:                      # the axis as given: NumPy's, for an x of lower rank
            d = np.diff(x, axis=axis)
        hi = np.take(y, np.arange(1, length), axis=ax)
        lo = np.take(y, np.arange(length - 1), axis=ax)
        # NumPy sums the broadcast product over ``axis`` as given: an x or dx of higher
        # rank than y's makes it another axis than y's (attack47 01)
        return np.sum(d * (hi + lo) / 2.0, axis=axis)
    ax = _value_axis(axis, y.ndim, bools=False)
    value = np.trapezoid(y.value, x, dx, axis)
    fast = _trapezoid_weights(y, x, dx, ax)
    if fast is not None:
        return make(value, fast, y.tag)
    # NumPy's spacings: x's own axis ``axis`` (x may have another rank than y and
    # broadcasts against y's pairs from the right), or an array dx broadcast as it is;
    # one more axis for the directions, and the sum over the broadcast product's axis
    # ``axis``, as NumPy's (attack47 01, 02: dx met the directions' axis)
    d = np.diff(np.asarray(x), axis=axis) if x is not None and np.ndim(x) > 1 else \
        np.reshape(np.diff(np.asarray(x)), [-1 if i == ax else 1 for i in range(y.ndim)]) \
        if x is not None else np.asarray(dx)
    p = y.partials
    head = (slice(None),) * ax
    pairs = p[head + (slice(1, None),)] + p[head + (slice(None, -1),)]
    rank = max(d.ndim, y.ndim)                       # the product's, without directions
    return make(value, np.sum(d[..., None] * pairs / 2.0, axis=axis % rank), y.tag)


def _trapezoid_weights(y, x, dx, ax):
    """The partials of ``trapezoid`` (linear in ``y``) as one weighted sum over the
    partials: ``w = dx * [1/2, 1, ..., 1, 1/2]`` (``(x[i+1] - x[i-1]) / 2`` for 1-D
    ``x``), or ``None`` for the general path."""
    v = y.value
    length = v.shape[ax] if type(v) is np.ndarray else 0
    if length < 2 or x is not None and np.ndim(x) != 1 or \
            not isinstance(dx, (int, float, np.integer, np.floating)):
        return None
    if x is None:
        w = np.full(length, float(dx))
        w[0] = w[-1] = 0.5 * dx
    else:
        x = _inexact(x)
        if x.shape[0] != length or x.dtype.kind == "c":    # complex spacings: the formula
            return None
        d = np.diff(x)
        w = np.empty(length)
        w[0], w[-1] = 0.5 * d[0], 0.5 * d[-1]
        w[1:-1] = 0.5 * (d[:-1] + d[1:])
    w = np.broadcast_to(np.reshape(w, [-1 if i == ax else 1 for i in range(v.ndim)]),
                        v.shape)
    return backend.weighted_sum(w, y.partials, (ax,))


@implements(np.gradient)
def _gradient(f, *varargs, axis=None, edge_order=1):
    if any(isinstance(v, Dual) for v in varargs):    # (a plain f too)
        return _gradient_dual_spacing(f, varargs, axis, edge_order)
    if not isinstance(f, Dual):
        return np.gradient(f, *varargs, axis=axis, edge_order=edge_order)
    values = np.gradient(f.value, *varargs, axis=axis, edge_order=edge_order)
    # the axes in the order asked (NumPy pairs spacings and results with them), made
    # non-negative so that they name the same axes of the partials
    axes = _reductions.axis_tuple(axis, f.ndim)
    partials = _gradient_pending(f, varargs, axes, edge_order)
    if partials is not None:
        return make(values, partials, f.tag)
    return _gradient_dual(f, values, varargs, axes, edge_order)


@_quiet.partials_hushed
def _gradient_dual(f, values, varargs, axes, edge_order):
    """:func:`_gradient`'s dual(s) of the values ``values`` (NumPy's word, reported
    outside): the partials are the same differences of ``f``'s partials, whose
    floating-point reports are the derivative's, not f's (``np.gradient(v * 1e-310,
    3.0)`` raised "underflow encountered in divide" under ``np.errstate(all="raise")``
    where f's float code raises nothing): hushed, and made again under the caller's
    state where a partial was lost, as every ``partials_hushed`` function's; in NumPy's
    default state an inf or NaN partial warns as NumPy's own lines warn.  The compiled
    pass reports nothing, so where its result is not finite (its own test, in the same
    loops) NumPy's lines run in its stead and make the reports (diff72 F2: 8e2a1cc9's
    pass had dropped them)."""
    p = f.partials
    partials = _gradient_uniform(p, varargs, axes, edge_order)
    if partials is None:
        partials = np.gradient(p, *varargs, axis=axes, edge_order=edge_order)
    if isinstance(values, (list, tuple)):
        return tuple(make(v, p, f.tag) for v, p in zip(values, partials))
    if isinstance(partials, (list, tuple)):
        partials = partials[0]
    return make(values, partials, f.tag)


_SPACINGS = (float, int, np.float64)      # spacings NumPy takes as they are (uniform)
_EXACT_INT = 2 ** 53                      # int spacings a float holds exactly


def _gradient_pending(f, varargs, axes, edge_order):
    """The partials of ``np.gradient`` of the array dual ``f`` along one axis with a
    uniform spacing, pending or from pending ones: where ``f``'s partials are a pending
    gradient along the same axis (``np.gradient(np.gradient(u))``), both calls' in one
    pass over ``u``'s partials, the inner one never written
    (``backend.gradient_twice``); else, while the engine defers, deferred
    (``backend.defer_gradient``: computed by the same pass as
    :func:`_gradient_uniform`'s when read); or ``None`` (the caller's lines).  The
    bits of the eager lines either way (heat73)."""
    if len(axes) != 1 or type(f) is not ArrayDual or len(varargs) > 1:
        return None
    h = varargs[0] if varargs else 1.0
    if type(h) is not float:
        if type(h) is np.float64 or type(h) is int and -_EXACT_INT <= h <= _EXACT_INT:
            h = float(h)
        else:
            return None
    q = f._p
    if type(q) is backend.Deferred:
        got = backend.gradient_twice(q, axes[0], h, edge_order)
        if got is not None or not backend.FUSING[0]:
            return got
        if backend.gradient_pending(q, axes[0]):
            return None     # the pass met a flag: the two calls' lines, hushed and made
            #                 again where a partial was lost, as the eager engine's (fperr73)
    elif not backend.FUSING[0]:
        return None
    return backend.defer_gradient(f.partials, axes[0], h, edge_order)


def _gradient_uniform(p, varargs, axes, edge_order):
    """``np.gradient(p, *varargs, axis=axes, edge_order=edge_order)`` of float64
    partials ``p`` (the value's call has checked the arguments), each result in one
    pooled array (:func:`dualgrad.backend.empty`), written by NumPy's own operations
    in NumPy's order (the interior's difference, then its division by ``2. * dx``, in
    place; the ends as NumPy writes them), so the same bits; or ``None`` (nested or
    complex partials, a spacing that is an array or of another type: NumPy's call).
    NumPy's call allocates each result and two temporaries the partials' size: at
    100,000 x 4 a fresh mapping each, whose page faults made ``np.gradient`` of the
    partials ~5 times its value's cost per direction (heat71).  Where the kernels run,
    one pass of ``backend.gradient`` writes each result with the same operations per
    element (NumPy's lines read and wrote the interior twice: heat72); an int spacing
    past 2**53, which a float would round, keeps NumPy's lines."""
    if type(p) is not np.ndarray or p.dtype != np.float64 or edge_order not in (1, 2):
        return None
    if not varargs:
        dx = [1.0] * len(axes)
    elif len(varargs) == 1 and type(varargs[0]) in _SPACINGS:
        dx = list(varargs) * len(axes)
    elif len(varargs) == len(axes) and all(type(h) in _SPACINGS for h in varargs):
        dx = list(varargs)
    else:
        return None
    found = []
    for ax, h in zip(axes, dx):
        out = backend.gradient(p, ax, h, edge_order, True) if type(h) is not int \
            or -_EXACT_INT <= h <= _EXACT_INT else None
        if out is not None:                # one kernel pass, the same operations;
            found.append(out)              # NumPy's lines, which report, where a
            continue                       # partial is not finite (diff72 F2)
        out = backend.empty(p.shape)
        head = (slice(None),) * ax
        inside = out[head + (slice(1, -1),)]
        np.subtract(p[head + (slice(2, None),)], p[head + (slice(None, -2),)], out=inside)
        np.divide(inside, 2. * h, out=inside)
        if edge_order == 1:
            out[head + (0,)] = (p[head + (1,)] - p[head + (0,)]) / h
            out[head + (-1,)] = (p[head + (-1,)] - p[head + (-2,)]) / h
        else:
            a, b, c = -1.5 / h, 2. / h, -0.5 / h
            out[head + (0,)] = a * p[head + (0,)] + b * p[head + (1,)] + c * p[head + (2,)]
            a, b, c = 0.5 / h, -2. / h, 1.5 / h
            out[head + (-1,)] = a * p[head + (-3,)] + b * p[head + (-2,)] + \
                c * p[head + (-1,)]
        found.append(out)
    return found[0] if len(found) == 1 else tuple(found)


def _gradient_dual_spacing(f, varargs, axis, edge_order):
    """``np.gradient`` with a spacing that is a dual: a uniform one a scalar dual (``L /
    (n - 1)``, a derivative with respect to the domain's length: the differences at unit
    spacing divided by it), coordinates a 1-D dual array (a mesh whose nodes move:
    NumPy's non-uniform formula, :func:`_gradient_coordinates`), each axis by its own.
    NumPy's plain call first: its checks, and its values where the result's are plain."""
    axes = _reductions.axis_tuple(axis, np.ndim(primal(f)))
    spacings = list(varargs) * len(axes) if len(varargs) == 1 else list(varargs)
    plain = np.gradient(primal(f), *map(primal, varargs), axis=axis, edge_order=edge_order)
    many = isinstance(plain, (list, tuple))
    found = []
    for ax, h, value in zip(axes, spacings, plain if many else [plain]):
        if isinstance(h, Dual) and np.ndim(primal(h)):
            d = _gradient_coordinates(f, h, ax, edge_order)
            if type(d.value) is np.ndarray:        # NumPy's bits (its uniform branch too)
                d = make(value, d.partials, d.tag)
        elif isinstance(h, Dual):
            d = np.gradient(f, 1.0, axis=ax, edge_order=edge_order) / h
        else:
            d = np.gradient(f, h, axis=ax, edge_order=edge_order)
        found.append(d)
    return tuple(found) if many else found[0]


def _gradient_coordinates(f, x, ax, edge_order):
    """``np.gradient(f, x, axis=ax)`` for 1-D coordinates ``x`` (a dual): NumPy's
    second-order non-uniform differences inside and its one-sided ones of
    ``edge_order`` at the ends, written as dual operations in NumPy's order (its
    formula is a smooth function of the nodes; where they are evenly spaced NumPy
    takes the uniform branch, the same function)."""
    f = operand(f)                 # a list as NumPy reads it (a list's f[index] failed)
    if type(f) is np.ndarray and f.dtype.kind in "iu":
        f = f.astype(np.float64)   # as NumPy's own np.gradient: integers differenced in
        # their dtype wrapped (uint8 data 256 off: diff67 F2)
    ndim = np.ndim(primal(f))

    def part(start, stop):
        index = [slice(None)] * ndim
        index[ax] = slice(start, stop)
        return f[tuple(index)]

    def along(c):
        return np.reshape(c, [-1 if i == ax else 1 for i in range(ndim)])
    dx = np.diff(x)
    dx1, dx2 = dx[:-1], dx[1:]
    a = along(-dx2 / (dx1 * (dx1 + dx2)))
    b = along((dx2 - dx1) / (dx1 * dx2))
    c = along(dx1 / (dx2 * (dx1 + dx2)))
    inside = a * part(None, -2) + b * part(1, -1) + c * part(2, None)
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / along(dx[:1])
        last = (part(-1, None) - part(-2, -1)) / along(dx[-1:])
    else:
        dx1, dx2 = dx[:1], dx[1:2]
        first = (along(-(2.0 * dx1 + dx2) / (dx1 * (dx1 + dx2))) * part(0, 1) +
                 along((dx1 + dx2) / (dx1 * dx2)) * part(1, 2) +
                 along(-dx1 / (dx2 * (dx1 + dx2))) * part(2, 3))
        dx1, dx2 = dx[-2:-1], dx[-1:]
        last = (along(dx2 / (dx1 * (dx1 + dx2))) * part(-3, -2) +
                along(-(dx2 + dx1) / (dx1 * dx2)) * part(-2, -1) +
                along((2.0 * dx2 + dx1) / (dx2 * (dx1 + dx2))) * part(-1, None))
    return np.concatenate([first, inside, last], axis=ax)


# np.pad modes that only copy elements (or write constants): the partials pad alike
_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


@implements(np.pad)
def _pad(a, pad_width, mode="constant", **kwargs):
    if mode not in _PAD_MODES:
        raise errors.unsupported_function(f"np.pad with mode={mode!r} (use one of "
                                          f"{', '.join(map(repr, _PAD_MODES))})")
    constants = kwargs.get("constant_values", 0)
    if mode == "constant" and _holds_dual(constants):
        return _pad_with_dual_constants(a, pad_width, constants)
    value = np.pad(a.value, pad_width, mode=mode, **kwargs)
    width = np.broadcast_to(np.asarray(pad_width), (a.ndim, 2)).tolist() + [[0, 0]]
    if mode == "constant" and type(value) is np.ndarray:
        p = _padded_zeros(a.partials, width, value.shape)
        if p is not None:
            return make(value, p, a.tag)
    extra = {"reflect_type": kwargs["reflect_type"]} if "reflect_type" in kwargs else {}
    return make(value, np.pad(a.partials, width, mode=mode, **extra), a.tag)


def _padded_zeros(p, width, shape):
    """``np.pad(p, width)`` (zeros around) for plain float64 partials ``p``, into a
    pooled buffer: each axis's two pad slabs set to zero, the interior one
    ``np.copyto`` (NumPy's pad makes a fresh array and walks the same slabs), or
    ``None``.  ``width``: NumPy has checked it (non-negative) on the value."""
    out = _pooled(p, shape + p.shape[-1:])
    if out is None:
        return None
    inner = []
    for ax, (before, after) in enumerate(width[:-1]):
        head = (slice(None),) * ax
        out[head + (slice(0, before),)] = 0.0
        out[head + (slice(shape[ax] - after, shape[ax]),)] = 0.0
        inner.append(slice(before, shape[ax] - after))
    np.copyto(out[tuple(inner)], p)
    return out


def _holds_dual(v):
    if isinstance(v, Dual):
        return True
    return isinstance(v, (list, tuple)) and any(_holds_dual(e) for e in v)


def _pad_with_dual_constants(a, pad_width, constants):
    """``np.pad(a, pad_width, constant_values=c)`` where ``c`` holds duals: ``a``
    padded with zeros, then each axis's two pad areas (over the whole extent of the
    other axes, later axes over earlier ones, as NumPy fills them) set to their
    constant by ``np.where``."""
    ndim = np.ndim(a)
    width = np.broadcast_to(np.asarray(pad_width), (ndim, 2)).tolist()
    pairs = _as_pairs(constants, ndim)
    refuse_complex_into_real(a, [c for pair in pairs for c in pair], "np.pad")
    out = np.pad(a, width, mode="constant", constant_values=0.0)
    shape = np.shape(out)
    for axis, ((before, after), (c_before, c_after)) in enumerate(zip(width, pairs)):
        index = np.arange(shape[axis]).reshape((-1,) + (1,) * (len(shape) - axis - 1))
        out = np.where(index < before, c_before, out)
        out = np.where(index >= shape[axis] - after, c_after, out)
    return out


def _as_pairs(v, ndim):
    """NumPy's reading of ``constant_values``: a scalar, ``(c,)``, ``(before, after)``
    or one such pair per axis, as an ``ndim x 2`` nested list (duals kept)."""
    if isinstance(v, Dual) and np.ndim(v) > 0:
        v = list(v)
    if not isinstance(v, (list, tuple)):
        return [[v, v]] * ndim
    items = [list(e) if isinstance(e, (list, tuple)) or (isinstance(e, Dual) and np.ndim(e))
             else e for e in v]
    if len(items) == 1 and not isinstance(items[0], list):
        return [[items[0], items[0]]] * ndim
    if len(items) == 2 and not any(isinstance(e, list) for e in items):
        return [items] * ndim
    if len(items) == 1:
        items = items * ndim
    if len(items) != ndim or not all(isinstance(e, list) and len(e) in (1, 2) for e in items):
        raise errors.bad_argument("np.pad", f"constant_values as a scalar, a pair or {ndim} "
                                  "pairs (one per axis)", repr(v))
    return [e * 2 if len(e) == 1 else e for e in items]


# ---- creation -------------------------------------------------------------------------
_CREATION = (np.zeros, np.ones, np.empty, np.full)


def _create(func, args, kwargs, like):
    """``np.zeros(shape, like=x)`` and friends: a buffer of duals of ``x``'s kind
    (tag, number of partials, nesting) with zero partials, of any shape."""
    kwargs = {k: v for k, v in kwargs.items() if k not in ("like", "device")}
    at = 2 if func is np.full else 1
    for name, given in zip(("dtype", "order"), args[at:]):   # np.zeros(n, complex, like=x)
        kwargs[name] = given
    args = args[:at]
    dtype = kwargs.get("dtype")
    if dtype is not None and np.dtype(dtype) not in _DUAL_DTYPES and \
            np.dtype(dtype) != like.dtype:                          # (x.dtype: float32)
        return func(*args, **kwargs)
    if func is np.empty:                    # defined contents: zeros
        func = np.zeros
    inner = like.value if isinstance(like.value, Dual) else None
    value = func(*args, **kwargs, like=inner) if inner is not None else func(*args, **kwargs)
    n = len(like._plist()) if like._kind == "slots" else like.partials.shape[-1]
    shape = np.shape(primal(value)) + (n,)
    inner_p = like.partials if isinstance(like.partials, Dual) else None
    partials = backend.zeros(shape, float if dtype is None else np.dtype(dtype), like=inner_p)
    return make(value, partials, like.tag)



_DUAL_DTYPES = (np.dtype(np.float64), np.dtype(np.complex128))


def _like(fill):
    def impl(a, dtype=None, order="K", subok=True, shape=None, **kwargs):
        if dtype is not None and np.dtype(dtype) not in _DUAL_DTYPES and \
                np.dtype(dtype) != getattr(a, "dtype", None):      # (x.dtype: float32)
            return fill(primal(a), dtype=dtype, shape=shape, **kwargs)
        if dtype is not None:       # complex128 too: a buffer of complex duals, as floats
            kwargs["dtype"] = dtype
        value = fill(a.value, order=order, shape=shape, **kwargs)
        if type(a.partials) is np.ndarray:       # zeroed pages from the system: no pass
            partials = backend.zeros(np.shape(value) + a.partials.shape[-1:],
                                     kwargs.get("dtype") or a.partials.dtype)
        else:
            partials = backend.zeros_like(a.partials, shape=None if shape is None else
                                          np.shape(value) + a.partials.shape[-1:],
                                          dtype=kwargs.get("dtype"))
        return make(value, partials, a.tag)
    return impl


HANDLED[np.zeros_like] = _like(np.zeros_like)
HANDLED[np.ones_like] = _like(np.ones_like)
HANDLED[np.empty_like] = _like(np.zeros_like)


@implements(np.full_like)
def _full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, **device):
    """A constant: NumPy's ``full_like`` of the value (``order`` and NumPy 2's ``device``
    as NumPy takes them), zero partials.  A 0-d result of a nested dual is its element
    of a 1-element one: ``zeros_like`` gives a scalar dual there, which takes no store
    (attack65 01: a Hessian through ``np.full_like(s, 2.5)`` raised that TypeError)."""
    if isinstance(a, Dual) and type(a.value) is np.ndarray and a.value.dtype == float and \
            type(a.partials) is np.ndarray and (dtype is None or np.dtype(dtype) == float) \
            and isinstance(fill_value, (int, float, complex, np.number)):  # (NumPy casts)
        value = np.full_like(a.value, fill_value, order=order, shape=shape, **device)
        return make(value, backend.zeros(value.shape + a.partials.shape[-1:],
                                         a.partials.dtype), a.tag)
    out = np.zeros_like(a, dtype=dtype, order=order, shape=shape, **device)
    if not isinstance(out, Dual):        # a plain dtype (int, bool): NumPy's own, its casts
        return np.full_like(primal(a), fill_value, dtype=dtype, order=order, subok=subok,
                            shape=shape, **device)
    if isinstance(fill_value, (complex, np.complexfloating)) and \
            not np.iscomplexobj(primal(out)):     # NumPy's cast: the real part, a warning
        fill_value = np.full((), fill_value, dtype=np.asarray(primal(out)).dtype)[()]
    if isinstance(out, ArrayDual):
        out[...] = fill_value
        return out
    one = np.zeros_like(a, dtype=dtype, shape=(1,), **device)
    one[...] = fill_value
    return one[0]


@implements(np.copy)
def _copy(a, order="K", subok=True):
    """A copy whose values take NumPy's memory layout for ``order`` (what a later
    ``ravel(order='K')`` reads); the partials copied as they are."""
    if not isinstance(a, Dual):
        return np.copy(a, order=order, subok=subok)
    if type(a) is not ArrayDual or order == "C":
        return a.copy()
    return make_array(np.copy(a.value, order=order), backend.copy(a.partials), a.tag)


@implements(np.shape)
def _shape(a):
    return np.shape(primal(a))


@implements(np.ndim)
def _ndim(a):
    return np.ndim(primal(a))


@implements(np.size)
def _size(a, axis=None):
    return np.size(primal(a), axis)


@implements(np.copyto)
def _copyto(dst, src, casting="same_kind", where=True):
    if not isinstance(dst, Dual):
        raise errors.store_into_plain(getattr(dst, "dtype", None))
    if where is True:
        dst[...] = src
    else:
        refuse_chained_copyto(dst, src, where)
        dst[...] = np.where(where, src, dst)


def refuse_chained(who, fix, a, val, write):
    """Refuse ``write(a, val)`` where ``val`` overlaps ``a`` and NumPy's own write (on the
    floats) copies element by element through elements it already wrote, which the
    rewrite as a buffered store (values and derivatives) would not follow: a masked
    ``np.copyto`` (attack52 06)."""
    av, vv = floats(a), floats(val)
    if not (isinstance(av, np.ndarray) and isinstance(vv, np.ndarray)) or \
            not np.may_share_memory(av, vv):
        return
    chained = _chained(av, vv, write)
    if chained or chained is None:
        raise _chained_write(who, fix)


def refuse_chained_copyto(dst, src, where):
    refuse_chained("np.copyto(dst, src, where=m)", "np.copyto(dst, src.copy(), where=m)",
                   dst, src, lambda d, s: np.copyto(d, s, where=where))


@implements(np.fill_diagonal)
def _fill_diagonal(a, val, wrap=False):
    """NumPy's diagonal writes (``a.flat[:end:step] = val``, ``val`` repeated along the
    diagonal) as one fancy-index store, which every dual store path takes."""
    if not isinstance(a, Dual):
        raise errors.store_into_plain(getattr(a, "dtype", None))
    fill_diagonal(a, val, wrap)


def fill_diagonal(a, val, wrap=False):
    """``np.fill_diagonal`` of an array that takes item stores (a dual, the sparsity
    tracer's array): the flat positions NumPy writes, ``val`` repeated over them as
    ``np.resize`` would, stored by one fancy index."""
    shape = a.shape if type(a) is ArrayDual else np.shape(a)
    if len(shape) < 2:
        raise ValueError("array must be at least 2-d")
    if len(shape) == 2:
        step, end = shape[1] + 1, None if wrap else shape[1] * shape[1]
    else:
        if any(s != shape[0] for s in shape):
            raise ValueError("All dimensions of input must be of equal length")
        step, end = 1 + int(np.sum(np.cumprod(shape[:-1]))), None
    # val (a dual, the sparsity tracer's array) overlapping a: NumPy's own
    # a.flat[:end:step] = val reads val as it writes, the flat store's order (followed,
    # or refused where it cannot be; the tracer's pattern was a buffered copy's too)
    if not isinstance(val, np.ndarray) and overlaps(a, val):
        a.flat[:end:step] = val
        return
    index = _DIAGONALS.get((shape, end))
    if index is None:                   # (kept per shape: a rhs fills one each call)
        if len(_DIAGONALS) > 64:
            _DIAGONALS.clear()
        index = _DIAGONALS[shape, end] = np.unravel_index(
            np.arange(math.prod(shape))[:end:step], shape)
        for i in index:
            i.flags.writeable = False
    if np.ndim(val):
        val = val.ravel() if type(val) is np.ndarray else np.ravel(val)
        size = index[0].size
        if np.shape(val)[0] != size:        # repeated, as flat assignment does
            if not np.shape(val)[0]:
                return                      # (no values: NumPy's flat store writes none)
            val = val[np.arange(size) % np.shape(val)[0]]
    a[index] = val


# (shape, end) -> the index arrays np.fill_diagonal writes (read only by the stores)
_DIAGONALS = {}


@implements(np.put)
def _put(a, ind, v, mode="raise"):
    """``np.put``: ``a.put`` of the array dual, a write into ``a`` that its views see."""
    if not isinstance(a, Dual):
        raise errors.store_into_plain(getattr(a, "dtype", None))
    a.put(ind, v, mode=mode)


@implements(np.put_along_axis)
def _put_along_axis(arr, indices, values, axis):
    if not isinstance(arr, Dual):
        raise errors.store_into_plain(getattr(arr, "dtype", None))
    put_along_axis(arr, indices, values, axis)


def put_along_axis(arr, indices, values, axis):
    """``np.put_along_axis`` into an array with NumPy's item store (a dual, the sparsity
    tracer's array) as NumPy reads it: one fancy-index store ``arr[index] = values``
    (``values`` broadcast to ``indices``' shape, the last of repeated positions kept),
    so that views of ``arr`` see it; ``axis=None`` stores into the flat (C-order)
    positions a 1-D ``indices`` names.  NumPy's errors for the indices."""
    indices = np.asarray(indices)
    if not np.issubdtype(indices.dtype, np.integer):
        raise IndexError("`indices` must be an integer array")
    if axis is None:
        if indices.ndim != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        layout = arr.value
        while isinstance(layout, Dual):     # (a Hessian's nested value)
            layout = layout.value
        if isinstance(layout, np.ndarray) and not layout.flags.c_contiguous:
            # NumPy stores into np.array(arr.flat), a read-only copy for an array that is
            # not C-contiguous (a transposed view: attack72 M3), and raises; the float
            # code stops here, so no Jacobian may come back
            raise ValueError("assignment destination is read-only")
        if arr.ndim == 0:
            arr = arr[np.newaxis]           # a view: the store reaches ``arr``
        size = math.prod(arr.shape)
        outside = (indices < -size) | (indices >= size)
        if outside.any():
            raise IndexError(f"index {indices[outside][0]} is out of bounds for axis 0 "
                             f"with size {size}")
        index = np.unravel_index(indices % max(size, 1), arr.shape)
    else:
        if indices.ndim != arr.ndim:
            raise ValueError("`indices` and `arr` must have the same number of dimensions")
        ax = _value_axis(axis, arr.ndim)
        index = tuple(indices if k == ax else np.arange(n).reshape(
            (1,) * k + (n,) + (1,) * (arr.ndim - k - 1)) for k, n in enumerate(arr.shape))
    arr[index] = values


@implements(np.place)
def _place(arr, mask, vals):
    if not isinstance(arr, Dual):
        raise errors.store_into_plain(getattr(arr, "dtype", None))
    place(arr, mask, vals)


@implements(np.putmask)
def _putmask(a, mask, values):
    if not isinstance(a, Dual):
        raise errors.store_into_plain(getattr(a, "dtype", None))
    if isinstance(values, (list, tuple)):     # scalar duals among numbers: one array dual
        noted = errors.objects_noted()
        values = from_object_array(np.asarray(values, dtype=object))
        errors.objects_restore(noted)
    putmask(a, mask, values)


def _true_positions(a, mask, who):
    """The flat (C-order) positions where ``mask`` holds; ``mask`` has ``a``'s size."""
    mask = np.asarray(mask)
    if mask.size != math.prod(np.shape(a)):
        raise ValueError(f"{who}: mask and data must be the same size")
    return np.flatnonzero(mask)


def _size_of(values):
    """``np.size(values)``, a list of scalar duals read here (not left as an unread
    object array for the guard)."""
    if isinstance(values, (list, tuple)):
        noted = errors.objects_noted()
        size = np.size(np.asarray(values, dtype=object))
        errors.objects_restore(noted)
        return size
    return np.size(values)


def place(arr, mask, vals):
    """``np.place`` of an array with NumPy's ``put`` (a dual, the sparsity tracer's
    array): the true positions of ``mask`` take ``vals`` in turn, repeated cyclically
    (``put`` repeats them so), written into ``arr`` itself.

    NumPy reads ``vals`` as it writes when ``vals`` is a contiguous view of ``arr``
    (``np.place(a, m, a[1:3])`` copies along the array) and before it writes
    otherwise: such values raise rather than follow one reading silently."""
    where = _true_positions(arr, mask, "place")
    if where.size == 0:
        return
    if _size_of(vals) == 0:
        raise ValueError("Cannot insert from an empty array!")
    if overlaps(vals, arr):      # NumPy's own place replayed on element numbers: where it
        flat = np.zeros(math.prod(np.shape(arr)), bool)   # reads values it wrote, refused
        flat[where] = True           # (attack52b 12: a view NumPy reads before it writes
        mask = flat.reshape(np.shape(arr))     # over them, d[1:3] into 0, 2, 3..., is exact)
        refuse_chained("np.place(arr, mask, vals)", "np.place(arr, mask, vals.copy())", arr,
                       vals, lambda a, v: np.place(a, mask, v))
        vals = np.copy(vals)           # NumPy's reading: the values before any write
    arr.put(where, vals)


def putmask(a, mask, values):
    """``np.putmask`` of an array with NumPy's ``put``: position ``n`` where ``mask``
    holds takes ``values.flat[n % values.size]`` (``values`` repeated over all of
    ``a``'s positions, not only the true ones: ``np.place``'s difference), read before
    any write, as NumPy copies values that overlap ``a``; empty values write nothing."""
    where = _true_positions(a, mask, "putmask")
    size = _size_of(values)
    if where.size == 0 or size == 0:
        return
    if np.ndim(values) == 0:
        a.put(where, values)
        return
    a.put(where, np.ravel(values)[where % size])


# ---- structure: the same move on value and partials --------------------------------
def _reshape(a, shape=None, order="C", *, newshape=None, copy=None, who="np.reshape"):
    """The same reshape of value and partials (directions kept last).

    ``order="A"`` (and ravel's ``"K"``) is decided by the value's layout and used for
    both: the partials' own layout would pick C order where the value picks F, and
    each element would get another's partials.  Where NumPy could view one of the
    two and had to copy the other (partials whose layout does not mirror the
    value's: a ``Dual`` built from directions-first tangents), both are copies, so
    that a write into the result reaches neither array of ``a`` rather than one."""
    shape = newshape if shape is None else shape
    if not isinstance(a, Dual):
        return np.reshape(a, shape, order=order)
    order = _element_order(a.value, order, who)
    extra = {} if copy is None else {"copy": copy}      # copy=True: a copy, as NumPy's
    value = np.reshape(a.value, shape, order=order, **extra)   # resolves a -1 for us
    p = a.partials
    partials = np.reshape(p, np.shape(value) + p.shape[-1:], order=order, **extra)
    v = a.value
    if copy is None and type(v) is np.ndarray and type(p) is np.ndarray and v.size:
        viewed = np.may_share_memory(value, v)    # a reshape copy is a new allocation
        if viewed != np.may_share_memory(partials, p):
            value = value.copy() if viewed else value
            partials = partials if viewed else backend.copy(partials)
    return make(value, partials, a.tag)


def _element_order(value, order, who):
    """``order`` as C or F for value and partials alike: ``"A"`` is F for an
    F-contiguous (not C-contiguous) value, as NumPy reads it; ``"K"`` (ravel's
    memory order) likewise for a contiguous value."""
    if order not in ("A", "K", "a", "k"):
        return order
    v = primal(value)
    if not isinstance(v, np.ndarray):
        return "C"
    if v.flags.f_contiguous and not v.flags.c_contiguous:
        return "F"
    if order in ("A", "a") or v.flags.c_contiguous:
        return "C"
    raise errors.bad_argument(f"dualgrad: {who}(d, order='K')", "a dual whose value is C- or "
                              "F-contiguous (its memory order is then C or F)",
                              "a value with other strides", "Use order='C' or order='F'.")


HANDLED[np.reshape] = _reshape


def _compress(condition, a, axis=None):
    """``np.compress``: ``np.take`` of the positions where the condition holds (its
    values, for a dual condition), as ``d.compress``."""
    where = np.flatnonzero(np.asarray(primal(condition), dtype=bool))
    if axis is None:
        return np.take(np.ravel(a), where)
    return np.take(a, where, axis=axis)


HANDLED[np.compress] = _compress


@implements(np.ravel)
def _ravel(a, order="C"):
    """As ``_reshape(a, -1)``, but a copy wherever NumPy's ``ravel`` of the value copies:
    a reshape may view data of one uniform stride (``x[::2]``, ``x[::-1]``) where
    ``ravel`` copies, and a write to the result must then not reach ``a``."""
    out = _reshape(a, (-1,), order=order, who="np.ravel")
    if isinstance(a, Dual) and isinstance(out, Dual):
        value = primal(a)
        if np.may_share_memory(primal(out), value) and \
                not np.may_share_memory(np.ravel(value, order), value):
            out = out.copy()
    return out


@implements(np.transpose, np.permute_dims)
def _transpose(a, axes=None):
    if not isinstance(a, Dual):
        return np.transpose(a, axes)
    value, p = a.value, a.partials
    ndim = value.ndim
    out = np.transpose(value, axes)                   # NumPy checks the axes
    axes = tuple(range(ndim))[::-1] if axes is None else tuple(ax % ndim for ax in axes)
    return make(out, np.transpose(p, axes + (ndim,)), a.tag)


@implements(np.matrix_transpose)
def _matrix_transpose(a):
    return np.swapaxes(a, -1, -2)


@implements(np.swapaxes)
def _swapaxes(a, axis1, axis2):
    i, j = (_value_axis(ax, a.ndim) for ax in (axis1, axis2))
    return make(np.swapaxes(a.value, i, j), np.swapaxes(a.partials, i, j), a.tag)


@implements(np.moveaxis)
def _moveaxis(a, source, destination):
    src = [_value_axis(s, a.ndim) for s in _axis_list(source)]
    dst = [_value_axis(d, a.ndim) for d in _axis_list(destination)]
    return make(np.moveaxis(a.value, src, dst), np.moveaxis(a.partials, src, dst), a.tag)


def _axis_list(axes):
    """An axis or a sequence of them as a list, each element as given (a bool stays a
    Python bool, as NumPy's ``normalize_axis_tuple`` reads it)."""
    return [axes] if np.ndim(axes) == 0 else list(axes)


@implements(np.squeeze)
def _squeeze(a, axis=None):
    if a.ndim == 0:                          # NumPy lets axis 0 / -1 through there
        return make(np.squeeze(a.value, axis), a.partials, a.tag)
    axes = tuple(i for i, s in enumerate(a.shape) if s == 1) if axis is None else \
        _reductions.normalize_axes(axis, a.ndim)
    return make(np.squeeze(a.value, axes), np.squeeze(a.partials, axes), a.tag)


@implements(np.expand_dims)
def _expand_dims(a, axis):
    value = np.expand_dims(a.value, axis)
    axes = _reductions.normalize_axes(axis, value.ndim, bools=True)
    return make(value, np.expand_dims(a.partials, axes), a.tag)


@implements(np.broadcast_to)
def _broadcast_to(a, shape, subok=False):
    shape = (shape,) if np.ndim(shape) == 0 else tuple(shape)
    if not isinstance(a, Dual):
        return np.broadcast_to(a, shape)
    n = a.partials.shape[-1]
    partials = np.reshape(a.partials, (1,) * (len(shape) - a.ndim) + a.partials.shape)
    return make(np.broadcast_to(a.value, shape), np.broadcast_to(partials, shape + (n,)),
                a.tag)


@implements(np.broadcast_arrays)
def _broadcast_arrays(*args, subok=False):
    """A dual already of the broadcast shape is returned as it is (NumPy returns such
    arrays themselves); the others are broadcast, read-only."""
    shape = np.broadcast_shapes(*(np.shape(primal(a)) for a in args))
    return tuple(a if isinstance(a, Dual) and np.shape(primal(a)) == shape else
                 np.broadcast_to(a, shape) for a in args)


def _joined(func):
    """``concatenate``/``stack``: constants join with zero partials (the general path
    of :mod:`dualgrad.dual._joins`' lean one, which takes plain array duals)."""
    def impl(arrays, axis=0, out=None, **kwargs):
        arrays = list(arrays)
        tag, n = newest(arrays, f"np.{func.__name__}")
        if tag < 0:
            return func(arrays, axis=axis, **kwargs)
        dtype = kwargs.pop("dtype", None)
        if dtype is not None:
            return _cast_joined(impl(arrays, axis, **kwargs), np.dtype(dtype),
                                kwargs.get("casting", "same_kind"), func.__name__)
        narrow = _narrow_join(arrays)
        if narrow is not None:           # float32 duals: NumPy's dtype of the join
            joined = impl([_widened(x) for x in arrays], axis, **kwargs)
            return joined if joined.dtype == narrow else _cast(joined, narrow)
        duals = [_as_dual(x, tag, n) for x in arrays]
        # axis=None: concatenate flattens first (stack: NumPy's TypeError below); float
        # parts are flattened by the partials' writer (C order, each element's row with
        # it), others by np.ravel (nested duals: each level's own)
        flat = axis is None and func is np.concatenate
        floats = _float_parts(duals)
        if flat and not floats:
            return impl([np.ravel(d) for d in duals], axis=0, **kwargs)
        value = func([d.value for d in duals], axis=axis, **kwargs)
        ax = 0 if flat else _value_axis(axis, np.ndim(primal(value)))
        if floats:                             # one pooled array, each part written once
            values = [d.value for d in duals]
            shapes = [(v.size,) for v in values] if flat else \
                [v.shape for v in values] if func is np.concatenate else \
                [v.shape[:ax] + (1,) + v.shape[ax:] for v in values]
            return make(value, join_partials([d._p for d in duals], values, shapes, ax,
                                             value.shape, n), tag)
        return make(value, func([d.partials for d in duals], axis=ax), tag)
    return impl


_WIDE = (np.dtype(np.float64), np.dtype(np.complex128))


def _narrow_join(arrays):
    """NumPy's dtype for a join of ``arrays`` where a dual among them holds narrower
    values than float64 (complex128): ``float32`` for a join of float32 duals and
    float32 or weak constants (a Python float), as NumPy's join of the values; else
    ``None`` (the join is float64 or complex128, as every dual computation is)."""
    if not any(isinstance(x, Dual) and _narrow(x.dtype) for x in arrays):
        return None                 # (before any np.asarray of a list holding duals: an
    dtype = np.result_type(*(_join_dtype(x) for x in arrays))    # object array nothing
    return dtype if dtype.kind in "fc" and _narrow(dtype) else None    # reads, misc47)


def _join_dtype(x):
    """The dtype ``x`` brings into a join, a list or tuple holding duals read element
    by element (``np.asarray`` of it is an object array of scalar duals)."""
    if isinstance(x, Dual):
        return x.dtype
    if isinstance(x, (list, tuple)) and any(isinstance(i, (Dual, list, tuple)) for i in x):
        return np.result_type(*(_join_dtype(i) for i in x))
    return np.asarray(x).dtype


def _narrow(dtype):
    """Is ``dtype`` narrower than float64 / complex128 (float16, float32, complex64)?
    A long double is not: its join is made as it is (widening it to float64 would
    widen it to itself again, attack33 repro_07)."""
    return dtype not in _WIDE and np.can_cast(dtype, np.complex128)


def _widened(x):
    """A join's part with its narrow dual values read as float64 (complex128): the
    join is made wide, then cast to NumPy's narrow dtype once."""
    if isinstance(x, Dual) and x.dtype not in _WIDE:
        return _cast(x, np.result_type(x.dtype, np.float64))
    return x


def _cast_joined(joined, dtype, casting, name):
    """``np.stack(..., dtype=dtype)`` (or concatenate's) of duals: the join made without
    ``dtype`` and then cast as ``np.asarray(...).astype(dtype)`` would be, value and
    partials alike (a cast to a wider or complex type is exact, its derivative 1);
    NumPy's TypeError where ``casting`` forbids it (complex to float), and an integer or
    bool dtype, which has no derivatives, raises naming the call."""
    if dtype.kind not in "fc":
        raise errors.dropped_derivatives(f"np.{name}(..., dtype={dtype})",
                                         integer=dtype.kind in "iu")
    have = np.asarray(primal(joined.value)).dtype
    if not np.can_cast(have, dtype, casting):
        raise TypeError(f"Cannot cast array data from {have!r} to {dtype!r} "
                        f"according to the rule {casting!r}")
    return joined if have == dtype else _cast(joined, dtype)


def _cast(x, dtype):
    """``x`` (an array, or a dual whose value and partials may be duals themselves: a
    Hessian's nested ones, attack27) cast to ``dtype``, level by level."""
    if isinstance(x, Dual):
        return make(_cast(x.value, dtype), _cast(x.partials, dtype), x.tag)
    return np.asarray(x).astype(dtype)


def _float_parts(duals):
    """Are ``duals`` array duals of float64 array values and float64 partials, or
    pending partials (the fused engine's, which :func:`join_partials` computes
    straight into their rows of the result)?"""
    for d in duals:
        if type(d) is not ArrayDual or type(d.value) is not np.ndarray or \
                d.value.dtype != np.float64:
            return False
        p = d._p
        if type(p) is not backend.Deferred and \
                (type(p) is not np.ndarray or p.dtype != np.float64):
            return False
    return True


HANDLED[np.concatenate] = _joined(np.concatenate)
HANDLED[np.stack] = _joined(np.stack)


@implements(np.hstack)
def _hstack(tup, **kwargs):
    arrs = [_at_least(np.atleast_1d, a, 1) for a in _lifted(tup)]
    return np.concatenate(arrs, axis=0 if _ndim(arrs[0]) == 1 else 1, **kwargs)


@implements(np.vstack)
def _vstack(tup, **kwargs):
    return np.concatenate([_at_least(np.atleast_2d, a, 2) for a in _lifted(tup)], axis=0,
                          **kwargs)


@implements(np.column_stack)
def _column_stack(tup):
    cols = [np.reshape(a, (-1, 1)) if _ndim(a) < 2 else a for a in _lifted(tup)]
    return np.concatenate(cols, axis=1)


def _lifted(tup):
    """The parts of a join with a list or tuple part read as NumPy reads it, one array
    (``np.hstack([[p[1]], p])``: ``np.atleast_1d`` of the list made an object array
    that nothing read, a false CaughtErrorWarning; attack47b 13)."""
    return [operand(a) if isinstance(a, (list, tuple)) else a for a in tup]


def _at_least(func, a, ndim):
    """``func(a)`` (``np.atleast_1d``, ``np.atleast_2d``): an array dual of ``ndim``
    dimensions or more is its own answer, as there, without a dispatch of its own."""
    return a if type(a) is ArrayDual and a.value.ndim >= ndim else func(a)


def _ndim(a):
    """``np.ndim(a)``, an array dual's without a dispatch."""
    return a.value.ndim if type(a) is ArrayDual else np.ndim(a)


@implements(np.append)
def _append(arr, values, axis=None):
    """``np.append``: NumPy's concatenation (``axis=None`` flattens both, as there),
    with a list holding duals taken as concatenate takes it: ``np.ravel`` of the list
    made an object array that nothing read, a false CaughtErrorWarning (attack46 09)."""
    return np.concatenate([arr, values], axis=axis)


def _split_like(func):
    def impl(a, indices_or_sections, axis=0):
        ax = _value_axis(axis, a.ndim)
        values = func(a.value, indices_or_sections, axis=ax)
        partials = func(a.partials, indices_or_sections, axis=ax)
        return [make(v, p, a.tag) for v, p in zip(values, partials)]
    return impl


HANDLED[np.split] = _split_like(np.split)
HANDLED[np.array_split] = _split_like(np.array_split)


@implements(np.take)
def _take(a, indices, axis=None, out=None, mode="raise"):
    if axis is None or a.ndim == 0:          # NumPy takes from a 0-d value as from 1-D
        a = np.ravel(a)
        axis = 0 if axis is None else axis
    ax = _value_axis(axis, a.ndim, bools=False)
    value = np.take(a.value, indices, axis=ax, mode=mode)      # NumPy checks the indices
    p = backend.take(a.partials, indices, ax, mode)
    if p is not None:
        return make(value, p, a.tag)
    r = backend.rows(a.partials)
    if r is not None:
        return make(value, backend.from_rows(np.take(r, indices, axis=ax, mode=mode),
                                                a.partials), a.tag)
    return make(value, np.take(a.partials, indices, axis=ax, mode=mode), a.tag)


@implements(np.take_along_axis)
def _take_along_axis(arr, indices, axis=-1):
    if axis is None:
        return _take_along_axis(np.ravel(arr), indices, 0)
    ax = _value_axis(axis, arr.ndim)
    value = np.take_along_axis(arr.value, indices, axis=ax)    # NumPy checks the indices
    p = backend.take_along(arr.partials, indices, ax)
    if p is not None:
        return make(value, p, arr.tag)
    r = backend.rows(arr.partials)
    if r is not None:
        return make(value, backend.from_rows(np.take_along_axis(r, indices, axis=ax),
                                                arr.partials), arr.tag)
    return make(value,
                np.take_along_axis(arr.partials, np.asarray(indices)[..., None], axis=ax),
                arr.tag)


@implements(np.where)
def _where(condition, x=None, y=None):
    if x is None and y is None:
        return np.where(primal(condition))
    tag, n = newest([x, y])
    cond = np.asarray(primal(condition), dtype=bool)
    # a branch that is a constant (a number or plain array: VFI's -inf) has partials
    # +0.0: passed as the number, so the kernel reads the other branch alone and
    # NumPy's fallback broadcasts no zeros (loops45); its value is what _as_dual
    # would hold (numeric), without the zero partials it would make and nobody reads
    vx, px = _branch(x, tag, n)
    vy, py = _branch(y, tag, n)
    value = np.where(cond, vx, vy)
    shape = np.shape(value)
    if type(value) is np.ndarray and shape and \
            (cond.shape != shape or not cond.flags.c_contiguous):
        full = np.empty(shape, dtype=bool)   # (np.broadcast_to and a copy: ~6 us more)
        full[...] = cond
        cond = full
    if type(px) is float or type(py) is float:
        rows = _zero_rows(cond, px, py, shape, n)
        if rows is not None:
            return make(value, rows, tag)
    target = shape + (n,)
    if 1 < n <= _SELECT_ROWS and cond.shape == shape:
        # a branch of fewer value elements (np.where(c, d, e) with e of (1, 5, 30) beside
        # d of (30, 5, 30)): its partials assigned into target's shape first, so that
        # backend.where takes its per-column mask path, not NumPy's where broadcasting
        # them with an inner loop of n (the same selection, the same bits; as
        # np.maximum's _selected: ``python bench/vfi_parts.py``).  Once numba is loaded
        # the kernel reads partials that lack only leading axes (a row of n, (5, 30, n)
        # beside (30, 5, 30, n)) as stride-0 views, one pass with no copy: left as they are
        kernel = backend._loader.READY
        if not (kernel and np.ndim(px) < len(target)):
            px = _full_rows(px, target)
        if not (kernel and np.ndim(py) < len(target)):
            py = _full_rows(py, target)
    return make(value, backend.where(cond, px, py, target), tag)


def _branch(x, tag, n):
    """``(value, partials)`` of a branch of :func:`_where`: a plain constant's partials
    the number 0.0, anything else's those of ``_as_dual(x, tag, n)``."""
    if not isinstance(x, Dual) and _plain_constant(x):
        return numeric(x), 0.0
    d = _as_dual(x, tag, n)
    return d.value, d.partials


_ROW_TYPES = {}           # n -> the opaque dtype of a row of n float64 partials


def _zero_rows(cond, px, py, shape, n):
    """``backend.where(cond, px, py, shape + (n,))`` where one branch is a constant
    (partials +0.0) and the other float64 partials of the value's shape, with 2 to 8
    directions, before numba is loaded: a new array of zeros into which the kept
    branch's rows are copied where they are picked, each row of ``n`` partials one
    opaque item (``np.copyto(..., where=)``), so that no NumPy loop runs ``n`` elements
    at a time.  The same selection, so the same bits; VFI's ``np.where(c > 0, ..,
    -np.inf)`` over (30, 5, 30) x 3.  ``None`` for anything else, and once numba is
    loaded or this work loads it (the kernel's one pass then: ``backend.where``, whose
    own count of the work toward the load this makes)."""
    if not 1 < n <= 8 or type(cond) is not np.ndarray or cond.shape != shape or \
            not shape:
        return None
    kept, pick = (py, ~cond) if type(px) is float else (px, cond)
    if type(kept) is not np.ndarray or kept.dtype is not _F64 or \
            kept.shape != shape + (n,) or not kept.flags.c_contiguous or \
            (px if kept is py else py) != 0.0:
        return None
    loader = backend._loader
    if loader.READY or kept.size >= backend._kernels.MIN_WORK and loader.ready(kept.size):
        return None
    row = _ROW_TYPES.get(n)
    if row is None:
        row = _ROW_TYPES[n] = np.dtype((np.void, 8 * n))
    out = np.zeros(kept.shape)
    np.copyto(out.view(row)[..., 0], kept.view(row)[..., 0], where=pick)
    return out


def _plain_constant(a):
    """Is ``a`` a number or a plain numeric array (no dual anywhere inside)?"""
    return type(a) in (float, int, bool) or isinstance(a, (np.ndarray, np.number)) and \
        a.dtype != object


@implements(np.select)
def _select(condlist, choicelist, default=0.0):
    result = default
    for cond, choice in zip(reversed(list(condlist)), reversed(list(choicelist))):
        result = np.where(cond, choice, result)
    return result


@implements(np.clip)
def _clip(a, a_min=None, a_max=None, out=None, **kwargs):
    """Where the value is clipped it is a bound: the bound's partials; elsewhere ``a``'s;
    at a tie (``a`` equal to a bound) half of each, the midpoint of the one-sided
    derivatives (rules/_table.py, TIES).  A NaN wins, as in ``minimum(maximum(a, lo),
    hi)`` (NumPy's clip, and the table's maximum/minimum, which this is for dual
    bounds): a NaN bound's partials where ``a`` is not NaN.  Constant bounds take one
    copy of the partials."""
    a_min = kwargs.pop("min", a_min)
    a_max = kwargs.pop("max", a_max)
    # a list or tuple bound holding duals (np.clip(u, [x[1], 0.0], 1.0)): one dual array,
    # as np.maximum reads it (the constant path's float conversion refused it)
    a_min = operand(a_min) if isinstance(a_min, (list, tuple)) else a_min
    a_max = operand(a_max) if isinstance(a_max, (list, tuple)) else a_max
    kwargs.pop("casting", None)
    _reductions.check_kwargs("clip", kwargs)            # where=, dtype= fail loudly
    if isinstance(a, Dual) and not isinstance(a_min, Dual) and \
            not isinstance(a_max, Dual) and _plain_arrays(a) and not (
                errors.WATCHING[0] and getattr(errors.BRANCHES.record, "kinks", False)):
        result = _clip_constant(a, a_min, a_max)    # (a watch of first-order kinks,
        #                             dg.solve_ivp's, sees np.maximum / np.minimum below)
        if result is not None and errors.WATCHING[0] and \
                errors.BRANCHES.record is not None:
            _report_clip(a, a_min, a_max)
    else:
        result = None
    if result is None:
        result = a
        if a_min is not None:
            result = np.maximum(result, a_min)
        if a_max is not None:
            result = np.minimum(result, a_max)
        if a_min is not None and a_max is not None:
            result = _equal_bounds(a, a_min, a_max, result)
    if out is None:
        return result
    return write_out(result, out)                       # np.clip(u, 0, 1, out=u)


def _equal_bounds(a, a_min, a_max, result):
    """``result`` with ``a_max``'s partials where the bounds are equal (and ``a`` is
    not NaN) and the composition's first order is not already the bound's.  There
    clip's value is the bound whatever ``a`` is, and wherever f is differentiable its
    derivative is the bound's: f <= hi near the point, so a linear derivative of f is
    hi's.  The composition's two midpoints would give a quarter of ``a``'s partials at
    ``a == lo == hi`` (a constant ``c``: f = c, truth 0).  Where the composition's first
    order is the bound's, it holds the second order the tie-breaks of maximum and
    minimum decided, which f <= hi leaves free: clip(-1, 0, t**2) = min(0, t**2) = 0
    has f'' = 0, not hi'' = 2.  But where the bounds agree to the second order too, f is
    hi to that order whatever ``a`` is, and the composition's ties may not see it
    (clip(x0**2, x1**2, x1**2) = x1**2: its indefinite ties gave diag(0.5, 1.5)).  Where
    ``a`` ties with both, :func:`_three_way` decides among the three."""
    lo, hi, v = primal(a_min), primal(a_max), primal(a)
    with np.errstate(invalid="ignore"):
        equal = np.equal(lo, hi)
        if np.ndim(equal) == 0:          # two numbers: decided alone (NumPy 2.4's 0-d
            if not equal:                # bool & bool array is ~150x the two-array loop)
                return result
            equal = np.equal(v, v)
        else:
            equal = equal & np.equal(v, v)
    if not np.any(equal):
        return result
    if isinstance(result, Dual) and isinstance(result.value, Dual):    # nested
        keep = _same_first_order(result, a_max)
        # lo >= hi to the second order: maximum(a, lo) >= hi, so f is hi there (every
        # pass asks)
        below = _lower_dominates(result, a_min, a_max, equal) & \
            _same_first_order(a_max - a_min, 0.0)
        if np.any(keep):                # bounds equal to every order: f is hi there
            keep = keep & ~_zero_parts(a_max - a_min) & ~below
        three = equal & np.equal(v, hi)
        result = np.where(equal & ~keep, a_max, result)
        return _three_way(a, a_min, a_max, result, three)
    return np.where(equal, a_max, result)


def _three_way(a, a_min, a_max, result, three):
    """``result`` where ``a``, ``a_min`` and ``a_max`` all tie (``three``) in a nested
    pass: the partials of the one of them that f is to the second order, as
    :func:`._second_order.clip_candidates` leaves them (its decisions recorded and
    replayed across dg.hessian's chunks), where every candidate left has the same
    partials in view; else NaN partials (f has no second derivative there, or no view
    tells which).  The composition's ties decided each of maximum and minimum by its own
    pair and the bounds' tests looked at one view of one difference at a time: a chunk=1
    block of ``a_max - a`` that was 0 made ``clip(-2 x0**2 - x0 x1 - x1**2, 0, 2 x0**2
    - x0 x1 + 2 x1**2)`` = 0 take hi's -1 (attack46b 06), and an indefinite ``a_min -
    a_max`` kept the composition's midpoints (03)."""
    if not np.any(three):
        return result
    tag = result.tag
    parts, values = [], []
    for x in (a, a_min, a_max):
        own = isinstance(x, Dual) and x.tag == tag
        parts.append(partials_array(x) if own else 0.0)
        values.append(x.value if own else primal(x))
    target = np.shape(result.value) + np.shape(partials_array(result))[-1:]
    mask = _second_order.clip_candidates(tag, parts, values, target, three)
    shape = np.shape(result.value)
    if mask is None:
        mask = np.full(shape, 7, np.int64)
    has_a, has_lo, has_hi = ((mask & bit) != 0 for bit in (1, 2, 4))
    with np.errstate(invalid="ignore"):
        same = {k: np.broadcast_to(_zero_parts(x - y), shape)
                for k, (x, y) in {"hl": (a_max, a_min), "ha": (a_max, a),
                                  "la": (a_min, a)}.items()}
    hi = has_hi & (~has_lo | same["hl"]) & (~has_a | same["ha"])
    lo = ~has_hi & has_lo & (~has_a | same["la"])
    at = mask == 1
    out = np.where(three & hi, a_max, np.where(three & lo, a_min,
                                                 np.where(three & at, a, result)))
    none = three & ~(hi | lo | at)
    if np.any(none):
        out = np.where(none, make(out.value, _nan_outer(out.partials), tag), out)
    return out


def _nan_outer(p):
    """The partials ``p`` of a nested dual with their outer partials (the second
    order) NaN, their values (the first order) kept; plain partials (no outer level)
    NaN.  (A scalar dual times NaN keeps its zero partials: no NaN reaches them.)"""
    if isinstance(p, np.ndarray) and p.dtype == object:
        out = np.empty(p.shape, dtype=object)
        for i, q in np.ndenumerate(p):
            out[i] = _nan_outer(q)
        return out
    if isinstance(p, Dual):
        return make(p.value, np.full(np.shape(partials_array(p)), np.nan), p.tag)
    return np.full(np.shape(p), np.nan)


def _lower_dominates(result, a_min, a_max, equal):
    """(Also asked with ``a`` as ``a_min``: ``a >= a_max`` makes clip ``a_max`` too.)
    Where the bounds, equal at the point, have ``a_min >= a_max`` to the second
    order in the Hessian pass's view (``a_min - a_max``'s second-order part
    semidefinite, not zero): there clip is ``a_max`` near the point whatever ``a`` is
    (``minimum(maximum(a, lo), hi)`` with ``maximum(a, lo) >= lo >= hi``), so f's
    second order is hi's; the composition's indefinite ties would split it
    (``clip(x0**2 + 2 x0 x1 - 2 x1**2, 0, -x0**2)`` = -x0**2 had the Hessian [[-0.5,
    0.5], [0.5, -1]]; attack46 01).  ``maximum(0, D)``'s second-order tie-break decides
    it (:func:`._second_order.verdict`, whose notes dg.hessian compares across chunks),
    ``D`` the second-order part of ``a_max - a_min`` alone: where the composition keeps
    hi's first order the bounds' first orders in view agree, and a view where they
    differ must not count as f having no second derivative.  Called wherever bounds
    are equal, so that every pass meets the same ties."""
    d = a_max - a_min
    if not isinstance(d, Dual) or d.tag != result.tag:
        return False                    # (bounds of another pass: no view of D)
    P = partials_array(d)
    if not isinstance(P, Dual) or isinstance(P.value, Dual):
        return False                    # (deeper nesting: the composition's ties)
    shape = np.shape(result.value)
    target = shape + P.shape[-1:]
    second = make(np.zeros(target), np.broadcast_to(P.partials, target + P.partials.shape[-1:]),
                  P.tag)
    pick = _second_order.verdict(d.tag, np.zeros(target), second, 0.0, 0.0, True, target)
    if pick is None:
        return False
    return np.broadcast_to(equal, shape) & (pick > 0)


def _zero_parts(d):
    """Where every part of ``d`` (its value and partials at every level) is 0: a bool
    array of ``d``'s shape."""
    if not isinstance(d, Dual):
        return np.asarray(d) == 0.0
    p = d.partials
    if isinstance(p, np.ndarray) and p.dtype == object:     # a scalar's nested partials
        p = np.array([_zero_parts(q) for q in p])
        return _zero_parts(d.value) & np.all(p, axis=-1)
    return _zero_parts(d.value) & np.all(_zero_parts(p), axis=-1)


def _same_first_order(x, y):
    """Where the nested duals ``x`` and ``y`` (or a constant) have the same first-order
    partials at every level (the primal of each level's partials, by tag)."""
    levels = {}
    while isinstance(y, Dual):
        levels[y.tag] = primal(y.partials)
        y = y.value
    same = True
    while isinstance(x, Dual):
        px = primal(x.partials)
        py = levels.get(x.tag, 0.0)
        with np.errstate(invalid="ignore"):
            same = same & np.all(np.equal(px, py), axis=-1)
        x = x.value
    return same


def _plain_arrays(a):
    return type(a.value) is np.ndarray and type(a.partials) is np.ndarray and \
        a.partials.dtype == np.float64


def _report_clip(a, a_min, a_max):
    """np.clip between constant bounds to dg.quad's watch: its kinks at both bounds as
    one record, ``np.maximum`` of ``a`` stacked against the bounds (a steep ramp's two
    kinks met between the same nodes are one place's two crossings; attack52 08)."""
    bounds = [np.broadcast_to(np.asarray(b, dtype=float), np.shape(a.value))
              for b in (a_min, a_max) if b is not None]
    if bounds:
        errors.report_branch(np.maximum, (np.stack([a] * len(bounds)), np.stack(bounds)),
                             None)


def _clip_constant(a, a_min, a_max):
    """``np.clip`` of a dual between constants, or ``None`` when the bounds broadcast
    the result beyond ``a``'s shape."""
    v = a.value
    lo = None if a_min is None else np.asarray(a_min, dtype=float)
    hi = None if a_max is None else np.asarray(a_max, dtype=float)
    if (lo is None or lo.ndim == 0 and lo == lo) and (hi is None or hi.ndim == 0 and hi == hi):
        # two numbers (not NaN): the partials in one kernel pass where no element ties
        partials = backend.clip_between(v, lo, hi, a.partials)
        if partials is not None:
            return make(np.clip(v, lo, hi), partials, a.tag)
    outside = None
    for bound, beyond in ((lo, np.less), (hi, np.greater)):
        if bound is None:
            continue
        if bound.ndim == 0 and bound == bound:     # a number: one comparison, no NaN test
            out = beyond(v, bound)
        elif bound.ndim == 0:                      # NaN: every number of v is beyond it
            out = v == v
        else:                          # beyond it, or a NaN bound beside a number
            out = beyond(v, bound) | ((bound != bound) & (v == v))
        if outside is None:
            outside = out
        elif type(outside) is np.ndarray and outside.shape == out.shape:
            np.logical_or(outside, out, out=outside)
        else:
            outside = outside | out
    if outside is None:
        return make(v.copy(), backend.copy(a.partials), a.tag)
    if outside.shape != v.shape:
        return None
    if lo is not None and hi is not None:
        # clip is the constant bound there: derivative 0.  Two numbers are compared
        # alone: NumPy 2.4's ``bool & bool array`` with one side 0-d takes ~3 ns an
        # element, 150x the two-array loop (600 us of a 1e5-element clip's 1.9 ms)
        if lo.ndim == 0 and hi.ndim == 0:
            flat = v == v if lo == hi else None
        else:
            flat = (lo == hi) & (v == v)
        if flat is not None and flat.any():
            outside = outside | flat
    value = np.clip(v, lo, hi)
    partials = backend.where(outside, 0.0, a.partials, a.partials.shape)
    tied = None
    for bound in (lo, hi):
        if bound is not None:
            tied = v == bound if tied is None else tied | (v == bound)
    tied = tied & ~outside
    if tied.any():          # at a bound: half of a's partials (the bound's are zero)
        partials = np.where(np.broadcast_to(tied, v.shape)[..., None],
                            backend.halved(a.partials), partials)
    return make(value, partials, a.tag)


# ---- reductions and scans --------------------------------------------------------------
HANDLED[np.sum] = _reductions.sum
HANDLED[np.prod] = _reductions.prod
HANDLED[np.cumsum] = _reductions.cumsum
HANDLED[np.cumprod] = _reductions.cumprod
for _f in (np.max, np.amax):
    HANDLED[_f] = _reductions.amax
for _f in (np.min, np.amin):
    HANDLED[_f] = _reductions.amin


def _count(a, axis):
    """How many elements a reduction over ``axis`` combines."""
    shape = np.shape(primal(a))
    return int(np.prod([shape[ax] for ax in _reductions.normalize_axes(axis, len(shape))]))


@implements(np.mean)
def _mean(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    where = kwargs.pop("where", True)
    _reductions.check_kwargs("mean", dict(kwargs, dtype=dtype))
    if where is not True:
        return _masked_mean(a, axis, keepdims, where)
    count = _count(a, axis)                  # (first: NumPy's order of axis checks)
    return np.sum(a, axis=axis, keepdims=keepdims) / count


def _masked_mean(a, axis, keepdims, where):
    """``np.mean(a, where=m)``: the sum of the elements ``m`` keeps over their count
    (NumPy's value first: its checks, errors and empty-slice warning)."""
    np.mean(primal(a), axis=axis, keepdims=keepdims, where=where)
    mask = np.broadcast_to(np.asarray(where, dtype=bool), np.shape(primal(a)))
    count = np.sum(mask, axis=axis, keepdims=keepdims)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum(a, axis=axis, keepdims=keepdims, where=mask) / count


@implements(np.average)
def _average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    shape = np.shape(primal(a))
    if isinstance(axis, (bool, np.bool_)):      # NumPy's average reads True as axis 1
        axis = int(axis)
    if weights is None:
        avg = np.mean(a, axis=axis, keepdims=keepdims)
        total = np.full(np.shape(primal(avg)), float(_count(a, axis)))
    else:
        w = operand(weights)                         # a list holding duals: one dual
        w = w if isinstance(w, Dual) else numeric(w)
        if np.shape(primal(w)) != shape:
            w = _weights_along(w, shape, axis)
        total = np.sum(np.broadcast_to(w, shape), axis=axis, keepdims=keepdims)
        if np.any(primal(total) == 0.0):
            raise ZeroDivisionError("np.average: weights sum to zero along the axis, "
                                    "can't be normalized (NumPy's error; "
                                    "numpy.ma.average skips such slices)")
        if not isinstance(w, Dual):             # elements of weight 0 are not in it
            a = unweighted(a, w == 0)
        avg = _weighted_mean(a, w, axis, keepdims, total)
        if avg is None:
            avg = np.sum(a * w, axis=axis, keepdims=keepdims) / total
    return (avg, total) if returned else avg


def _weights_along(w, shape, axis):
    """``np.average``'s weights of another shape than ``a``'s (``shape``): those of
    ``a``'s shape along ``axis`` (one axis or several, in the order given), reshaped to
    broadcast against ``a``, as NumPy does; NumPy's errors for any other."""
    if axis is None:
        raise TypeError("np.average: axis must be specified when shapes of a "
                        f"{shape} and weights {np.shape(primal(w))} differ")
    axes = _reductions.axis_tuple(axis, len(shape))
    if np.shape(primal(w)) != tuple(shape[ax] for ax in axes):
        raise ValueError(f"np.average: shape of weights {np.shape(primal(w))} must be "
                         f"consistent with shape of a {shape} along axis {axis}: "
                         f"expected {tuple(shape[ax] for ax in axes)}")
    w = np.transpose(w, np.argsort(axes))
    return np.reshape(w, [s if ax in axes else 1 for ax, s in enumerate(shape)])


def _weighted_mean(a, w, axis, keepdims, total):
    """``np.sum(a * w, axis=axis) / total`` for a dual ``a`` of plain float64 arrays and
    constant float64 weights ``w`` (broadcasting to ``a``'s shape): the value as the
    general path computes it, the partials as one weighted sum over ``a``'s partials
    (no product array of their size to write and read back), or ``None`` (the general
    path: dual or non-finite weights, nested duals)."""
    if not isinstance(a, Dual) or not _plain_arrays(a) or a.ndim == 0 or \
            type(w) is not np.ndarray or w.dtype != np.float64 or \
            a.value.dtype != np.float64:
        return None
    v = a.value
    axes = _reductions.normalize_axes(axis, a.ndim)
    s = backend.weighted_sum(np.broadcast_to(w, v.shape), a.partials, axes)
    if s is None:
        return None
    if keepdims:
        s = np.expand_dims(s, axes)
    value = np.sum(v * w, axis=axis, keepdims=keepdims) / total
    return make(value, s / np.asarray(total)[..., None], a.tag)


@implements(np.var)
def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
         mean=np._NoValue, correction=np._NoValue):
    """``np.var``, NumPy 2's ``mean=`` (used as given: a dual or a plain array,
    broadcast against ``a``) and ``correction=`` (``ddof``) included; ``N - ddof`` is
    clipped at 0, as NumPy does."""
    _reductions.check_kwargs("var", {"dtype": dtype})
    ddof = _reductions.ddof_of(ddof, correction)
    if where is not True:                      # the kept elements' deviations only
        np.var(primal(a), axis=axis, ddof=ddof, keepdims=keepdims, where=where)
        mask = np.broadcast_to(np.asarray(where, dtype=bool), np.shape(primal(a)))
        if mean is np._NoValue:
            mean = _masked_mean(a, axis, True, mask)
        count = np.sum(mask, axis=axis, keepdims=keepdims) - ddof
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.sum(abs2(a - mean), axis=axis, keepdims=keepdims, where=mask) / \
                np.maximum(count, 0)
    if mean is np._NoValue:
        fast = _var_real(a, axis, ddof, keepdims)
        if fast is not None:
            return fast
        mean = np.mean(a, axis=axis, keepdims=True)
    dev = a - mean
    return np.sum(abs2(dev), axis=axis, keepdims=keepdims) / max(_count(a, axis) - ddof, 0)


def _var_real(a, axis, ddof, keepdims):
    """``var`` of a real dual with plain arrays: NumPy's value, and the partials
    ``2 / (N - ddof) * sum(dev * dp)`` (``sum(dev) = 0``, so the mean's partials drop
    out) as one weighted sum over the partials; ``None`` for the general path."""
    if not isinstance(a, Dual) or not _plain_arrays(a) or a.ndim == 0:
        return None
    v = a.value
    count = _count(a, axis) - ddof
    if v.dtype != np.float64 or count <= 0:
        return None
    axes = _reductions.normalize_axes(axis, a.ndim)
    dev = v - np.mean(v, axis=axes, keepdims=True)
    s = backend.weighted_sum(dev, a.partials, axes, times=2.0 / count)
    if s is None:
        return None
    if keepdims:
        s = np.expand_dims(s, axes)
    return make(np.var(v, axis=axes, ddof=ddof, keepdims=keepdims), s, a.tag)


@implements(np.std)
def _std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
         mean=np._NoValue, correction=np._NoValue):
    """``np.sqrt(np.var(...))``, the same keywords."""
    _reductions.check_kwargs("std", {"dtype": dtype})
    return np.sqrt(_var(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean,
                        correction=correction))


@implements(np.ptp)
def _ptp(a, axis=None, out=None, keepdims=False):
    return np.max(a, axis=axis, keepdims=keepdims) - np.min(a, axis=axis, keepdims=keepdims)


@implements(np.sort)
def _sort(a, axis=-1, kind=None, order=None, *, stable=None):
    if order is not None:       # a dual's values have no fields: NumPy's own error
        np.sort(primal(a), axis=axis, order=order)
    if axis is None:
        a, axis = np.ravel(a), 0
    v = primal(a)
    axis = _reductions.axis_index(axis, np.ndim(v))
    return _reductions.numpys_zeros(_sorted(a, v, axis),
                                    lambda: np.sort(v, axis, kind=kind, stable=stable))


def _sorted(a, v, axis):
    """``a`` (values ``v``) sorted along ``axis``, equal values' partials their mean."""
    keyed = _keyed_order(v, axis)
    if keyed is None:
        return _sorted_ties(a, np.take_along_axis(a, _stable_order(v, axis), axis=axis), axis)
    order, value = keyed
    if isinstance(a, Dual) and a._kind != "slots" and a.value is v:     # not nested
        p = backend.take_along(a.partials, order, axis % v.ndim)
        if p is not None:               # the sorted values came with the order
            return _sorted_ties(a, make(value, p, a.tag), axis)
    return _sorted_ties(a, np.take_along_axis(a, order, axis=axis), axis)


def _sorted_ties(a, result, axis):
    """``result`` (``a`` sorted, equal values in their original order) with the mean of
    their partials at every run of equal values (rules/_table.py, TIES: the midpoint of
    the one-sided derivatives, as np.max takes; the stable order alone is one side's,
    so np.sort(x)[0] + np.maximum(a, b) of x = (a, b), which is a + b, gave (1.5, 0.5) at
    a == b)."""
    if not isinstance(result, Dual) or not isinstance(a, Dual):
        return result
    v = primal(result)
    if np.ndim(v) == 0 or np.shape(v)[axis] < 2:
        return result
    head = (slice(None),) * axis
    equal = v[head + (slice(1, None),)] == v[head + (slice(None, -1),)]
    if not equal.any():
        return result
    first = np.ones_like(np.take(v, [0], axis=axis), dtype=bool)
    new = np.concatenate([first, ~equal], axis=axis)       # a run of equal values starts
    last = np.concatenate([~equal, first], axis=axis)      # ... and ends
    shape = [1] * v.ndim
    shape[axis] = v.shape[axis]
    pos = np.broadcast_to(np.arange(v.shape[axis]).reshape(shape), v.shape)
    start = np.maximum.accumulate(np.where(new, pos, 0), axis=axis)
    end = np.flip(np.minimum.accumulate(np.flip(np.where(last, pos, v.shape[axis]), axis),
                                        axis=axis), axis)
    count = (end - start + 1)[..., None]
    sums = _reductions.segment_sums(result.partials, start, axis)
    partials = np.where(count > 1, np.take_along_axis(sums, end[..., None], axis=axis) /
                        count, result.partials)
    if isinstance(result.value, Dual):  # nested: the second order may order a run
        rank = _second_order.ranked(result.tag, result.partials, result.value, start, end,
                                    axis)
        if rank is not None and bool(np.any(rank >= 0)):
            # element i of a decided run goes to position start + rank_i
            target = np.where(rank >= 0, start + rank, pos)
            source = np.argsort(target, axis=axis, kind="stable")
            ordered = np.take_along_axis(result.partials, source[..., None], axis=axis)
            partials = np.where((rank >= 0)[..., None], ordered, partials)
    value = result.value
    if isinstance(value, Dual):        # nested: the inner partials' mean as well
        value = _sorted_ties(a.value, value, axis)
    return make(value, partials, a.tag)


_KEY_BITS = 24          # up to 2**24 elements along the axis: the keys keep 40 bits


def _keyed_order(v, axis):
    """``(np.argsort(v, axis=axis, kind="stable"), np.sort(v, axis=axis))`` from one
    sort of 64-bit integer keys (NumPy's vectorized sort: N = 1e5, 2 ms against
    ``argsort``'s 3-5 ms), or ``None`` (then :func:`_stable_order`).

    A key is the float's bits mapped to an unsigned integer of the same order (the
    sign bit flipped for positive numbers, every bit for negative ones; -0.0 read as
    0.0), its lowest ``b`` bits replaced by the element's index along the axis (``b``
    bits hold the axis' length).  Sorting the keys orders the values by their highest
    bits and, among equal keys, by index: equal values keep their original order, as
    the stable sort does.  Two different values that share their highest bits are
    ordered by index too, which may be the wrong order: the sorted values are checked
    to be non-decreasing, and where they are not (or a NaN, whose bits do not order
    as NumPy puts NaNs last, is present), ``None``.  A permutation that passes is the
    stable ``argsort``: non-decreasing values, equal ones in index order.
    """
    if type(v) is not np.ndarray or v.dtype != np.float64 or v.ndim == 0:
        return None
    ax = axis % v.ndim
    length = v.shape[ax]
    if length < 2 or length > 1 << _KEY_BITS:
        return None
    b = (length - 1).bit_length()
    w = moved(v, ax, -1) + 0.0                              # -0.0 -> 0.0, a new array
    k = w.view(np.int64)
    k ^= (k >> 63) & np.int64(0x7FFFFFFFFFFFFFFF)            # negatives: ascending
    keys = k.view(np.uint64)
    keys ^= np.uint64(1 << 63)                               # signed order -> unsigned
    keys >>= np.uint64(b)
    keys <<= np.uint64(b)
    keys |= np.arange(length, dtype=np.uint64)
    keys.sort(axis=-1)
    keys &= np.uint64((1 << b) - 1)
    order = keys.view(np.int64)
    w = moved(v, ax, -1)
    s = w[order] if w.ndim == 1 else np.take_along_axis(w, order, axis=-1)    # (the same gather)
    if np.isnan(s[..., 0]).any() or np.isnan(s[..., -1]).any() or \
            (s[..., 1:] < s[..., :-1]).any():
        return None
    return moved(order, -1, ax), moved(s, -1, ax)


def _stable_order(v, axis):
    """``np.argsort(v, axis=axis, kind="stable")``: equal values in their original order
    (which element's partials a tie passes on).  Without ties every order is the
    stable one, so NumPy's default sort runs (N = 1e5: 5 ms against the stable
    sort's 22 ms) and a pass over the sorted values checks; ties, NaN or -0.0 == 0.0
    found, the stable sort runs."""
    if not (type(v) is np.ndarray and v.dtype.kind == "f") or v.ndim == 0 or \
            v.shape[axis] < 2:
        return np.argsort(v, axis=axis, kind="stable")
    order = np.argsort(v, axis=axis)
    s = np.moveaxis(np.take_along_axis(v, order, axis=axis), axis, -1)
    if np.any(s[..., 1:] == s[..., :-1]) or np.isnan(s[..., -1]).any():   # NaN: last
        return np.argsort(v, axis=axis, kind="stable")
    return order


def _on_values(func, compares=False):
    """Functions of the values alone (indices, predicates): every argument stripped,
    the duals inside a list or tuple too (``np.lexsort((a, b))``'s keys).  Those that
    compare values (``compares``: an argmax, a sort order, a bin) are noted as the
    comparison operators are (errors.compared_since: a result reached only through
    them is a derivative of 0, which the helpers warn of)."""
    @functools.wraps(func)
    def impl(*args, **kwargs):
        if compares:
            errors.MADE.compared_at = next(errors.SEQUENCE)
        return func(*(_values_of(a) for a in args),
                    **{k: _values_of(v) for k, v in kwargs.items()})
    return impl


def _values_of(a):
    if type(a) in (list, tuple):
        return type(a)(_values_of(i) for i in a)
    return primal(a)


def _window(func):
    """``np.isclose`` / ``np.allclose`` on the values, their window ``|a - b| <= atol +
    rtol |b|`` reported to dg.quad's / dg.solve_ivp's watch where duals meet it: its two
    ends are a switch whose places move with a dual ``a`` or ``b`` (attack52 12:
    ``np.where(np.isclose(x, p, atol=0.1), x, 0)`` under dg.quad gave 0.0 for 0.2)."""
    on_values = _on_values(func, True)

    @functools.wraps(func)
    def impl(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
        if errors.WATCHING[0] and errors.BRANCHES.record is not None:
            u, v = (operand(e) if isinstance(e, (list, tuple)) else e for e in (a, b))
            if isinstance(u, Dual) or isinstance(v, Dual):      # (a list holding duals:
                _report_window(func.__name__, u, v, rtol, atol)  # one dual array)
        return on_values(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return impl


def _report_window(name, a, b, rtol, atol):
    rtol, atol = primal(rtol), primal(atol)
    if np.ndim(rtol) or np.ndim(atol):
        return                          # (array tolerances: no one place; not reported)
    from ..rules._table import Branches
    place = f"np.absolute(x - y) - {float(atol)!r} - {float(rtol)!r} * np.absolute(y)"
    errors.report_branch(Branches(f"np.{name}'s window |a - b| <= atol + rtol |b|",
                                  (("jump", "sign", place),), 2), (a, b), None)


for _f in (np.argsort, np.argmax, np.argmin, np.nonzero, np.argwhere, np.flatnonzero,
           np.count_nonzero, np.searchsorted, np.isclose, np.allclose, np.array_equal,
           np.iscomplexobj, np.isrealobj, np.iscomplex, np.isreal, np.isneginf,
           np.isposinf, np.any, np.all, np.shares_memory, np.may_share_memory,
           np.digitize, np.result_type, np.min_scalar_type, np.can_cast,
           np.argpartition, np.nanargmax, np.nanargmin, np.lexsort, np.isin):
    HANDLED[_f] = _on_values(_f, _f not in (  # (the dtype and memory queries compare
        np.iscomplexobj, np.isrealobj, np.iscomplex, np.isreal, np.shares_memory,  # none)
        np.may_share_memory, np.result_type, np.min_scalar_type, np.can_cast))
for _f in (np.isclose, np.allclose):
    HANDLED[_f] = _window(_f)


@implements(np.interp)
def _interp(x, xp, fp, left=None, right=None, period=None):
    """Linear interpolation: slope of the segment in ``x``, linear in ``fp``; a dual
    ``left``/``right`` is the result (value and partials) left/right of ``xp``."""
    x, xp, fp = operand(x), operand(xp), operand(fp)  # lists holding duals: one dual each
    if period is not None:
        np.interp(primal(x), primal(xp), primal(fp), period=primal(period))   # its checks
        return _interp(*periodic_knots(x, xp, fp, period, primal))
    if isinstance(xp, Dual):
        return _interp_moving_knots(x, xp, fp, left, right)
    ends = [(e, primal(e), side) for e, side in ((left, "left"), (right, "right"))
            if isinstance(e, Dual)]
    if ends:                           # (NumPy takes a complex end as a scalar, not 0-d)
        result = _interp(x, xp, fp, *(e[()] if isinstance(e, np.ndarray) else e
                                       for e in (primal(left), primal(right))))
        xv, xp_ = primal(x), np.asarray(xp, dtype=float)
        for e, ev, side in ends:       # NumPy's value is e's own there: where keeps its bits
            outside = xv < xp_[0] if side == "left" else xv > xp_[-1]
            if np.ndim(outside) == 0:
                result = e if outside else result
            else:
                result = np.where(outside, e, result)
        return result
    xv, fpv = primal(x), primal(fp)
    value = np.interp(xv, xp, fpv, left, right)
    result = value
    if isinstance(fp, Dual):
        per = _per_direction(lambda q: np.interp(xv, xp, q, None if left is None else 0.0,
                                                 None if right is None else 0.0), fp.partials)
        nan = np.isnan(xv)
        if np.any(nan) and type(per) is np.ndarray and per.dtype.kind == "f":
            # NumPy gives NaN at a NaN x in every direction; a direction in which fp
            # does not move stays 0 (a zero partial stays 0 beside a NaN factor)
            moves = np.any(np.reshape(fp.partials, (-1, per.shape[-1])) != 0, axis=0)
            per[nan] = np.where(moves, np.nan, 0.0)
        result = make(np.interp(xv, xp, fp.value, left, right), per, fp.tag)
    if isinstance(x, Dual):
        # exact on the segment of xv: interp(xv, xp, fp) + slope(fp) * (x - xv), the
        # slope of a dual fp a dual itself, so that nested duals (Hessians) get the
        # cross terms d2/dx dfp (a constant slope gave them as zeros)
        xp_ = np.asarray(xp, dtype=float)
        i = np.clip(np.searchsorted(xp_, xv, side="right") - 1, 0, len(xp_) - 2)
        f = fp if isinstance(fp, Dual) else np.asarray(fpv)
        slope = (f[i + 1] - f[i]) / (xp_[i + 1] - xp_[i])
        inside = (xv >= xp_[0]) & (xv <= xp_[-1])
        slope = np.where(inside, slope, 0.0)
        result = result + slope * (x - xv)
    return result


def periodic_knots(x, xp, fp, period, value):
    """``np.interp``'s ``period=`` as NumPy's own Python does it, on duals (or the
    sparsity tracer's arrays, ``value`` reading their values): ``x`` and ``xp`` taken
    modulo ``|period|``, ``xp`` sorted with ``fp``, the last knot one period down and
    the first one period up added at the ends; ``(x, xp, fp)`` for the interpolation
    without ``period`` (``left`` / ``right`` are ignored, as NumPy ignores them)."""
    plain = (np.ndarray, list, tuple, int, float, complex, np.number)
    x, xp = (np.asarray(a, dtype=np.float64) if isinstance(a, plain) else a for a in (x, xp))
    fp = _inexact(fp) if isinstance(fp, plain) else fp
    period = abs(period)
    x, xp = x % period, xp % period
    order = np.argsort(value(xp))
    xp, fp = xp[order], fp[order]
    return (x, np.concatenate((xp[-1:] - period, xp, xp[0:1] + period)),
            np.concatenate((fp[-1:], fp, fp[0:1])))


_NP_INTERP = np.interp
_F64 = np.dtype(np.float64)


def _knots(d, tag):
    """``(values, partials)`` of ``d``, a 1-D array dual of tag ``tag`` holding float64
    arrays, or ``None`` (anything else: the general path)."""
    if type(d) is not ArrayDual or d.tag != tag:
        return None
    v, p = d.value, d._p
    if type(v) is not np.ndarray or type(p) is not np.ndarray or v.ndim != 1 or \
            v.dtype is not _F64 or p.dtype is not _F64:
        return None
    return v, p


def _interp_point(x, xp, fp):
    """``np.interp(x, xp, fp)`` of one point inside the knots, where ``x`` is a real
    scalar dual of ``n <= 16`` partials (or a float) and ``xp``, ``fp`` 1-D array duals of
    float64 arrays of its tag (an endogenous-grid loop: QuantEcon's ``K_numpy``), taken
    before ``dispatch`` lifts ``x`` into a 0-d array dual: the general path's own
    piece (:func:`_interp_moving_knots`: the same scalar-dual operations on the same
    knots' elements, so the same bits) with NumPy's value, at about half its cost
    (no lift, no operand scans, the elements built from their rows).  ``None``
    elsewhere (ends, NaN, other kinds, tags, dtypes, shapes): the general path."""
    tx = type(x)
    if tx is float:
        xv = x
        if type(xp) is not ArrayDual:
            return None
        tag = xp.tag
    else:
        tag = getattr(x, "tag", None)
        if tag is None or getattr(tx, "_kind", None) != "slots":
            return None
        xv = x.value
        if type(xv) is not float:
            return None
    knots, values = _knots(xp, tag), _knots(fp, tag)
    if knots is None or values is None:
        return None
    (pv, pp), (fv, fpp) = knots, values
    m, n = pp.shape[-1], pv.shape[0]
    if n < 2 or fv.shape[0] != n or fpp.shape[-1] != m or m > MAX_SLOTS or \
            tx is not float and tx is not scalar_class(m):
        return None
    if not pv[0] <= xv <= pv[n - 1] or (pv[1:] < pv[:-1]).any():
        return None                     # (NaN too) the ends' pieces, unsorted knots: the
                                        # general path (which refuses the latter)
    value = np.interp(xv, pv, fv)           # NumPy's value and its checks
    i = min(max(int(pv.searchsorted(xv, "right")) - 1, 0), n - 2)
    build = scalar_class(m)._from           # the knots' elements, as x[i] reads them
    (a0v, a1v), (f0v, f1v) = pv[i:i + 2].tolist(), fv[i:i + 2].tolist()
    (a0p, a1p), (f0p, f1p) = pp[i:i + 2].tolist(), fpp[i:i + 2].tolist()
    a0, a1 = build(a0v, a0p, tag), build(a1v, a1p, tag)
    f0, f1 = build(f0v, f0p, tag), build(f1v, f1p, tag)
    piece = f0 + (f1 - f0) * ((x - a0) / (a1 - a0))
    if type(piece) is not type(f0) or type(piece.value) is not float:
        return None
    piece.value = float(value)              # a new dual, ours alone: NumPy's value
    return piece


def _interp_moving_knots(x, xp, fp, left, right):
    """``np.interp`` with dual knots ``xp`` (user26: a curve's moving knots): on the
    segment ``[xp[i], xp[i+1]]`` that holds ``x`` (told from the values, as NumPy picks
    it), ``fp[i] + (fp[i+1] - fp[i]) (x - xp[i]) / (xp[i+1] - xp[i])``, exact in ``x``,
    ``xp`` and ``fp`` (one-sided at a knot, where it has a kink); left and right of
    the knots ``left`` / ``right`` (``fp``'s ends by default), which no knot moves.
    The value is NumPy's own (its checks and errors first)."""
    # a scalar dual x (made a 0-d array dual by dispatch's _lift) back to its own kind:
    # the one point's piece below is then scalar-dual arithmetic on the knots' elements,
    # not 0-d array operations (an EGM step's interp of 20 knots: 33 -> 13 us, loops45)
    x = _finish(x)
    xv, pv = primal(x), np.asarray(primal(xp), dtype=float)
    value = np.interp(xv, pv, primal(fp), primal(left), primal(right))
    if pv.ndim == 1 and (pv[1:] < pv[:-1]).any():
        raise errors.interp_knots_unsorted()
    f = fp if isinstance(fp, Dual) else _inexact(fp)    # a complex fp stays complex
    if (type(xv) is float or np.ndim(xv) == 0) and pv.size > 1:
        # one point (an EGM or VFI loop's scalar interp): the segment's or the end's
        # piece chosen in Python, no np.where of two 0-d duals (2x cheaper, user44)
        if xv < pv[0]:
            piece = f[0] if left is None else left
        elif xv > pv[-1]:
            piece = f[-1] if right is None else right
        else:
            i = min(max(int(pv.searchsorted(xv, "right")) - 1, 0), pv.size - 2)
            piece = f[i] + (f[i + 1] - f[i]) * ((x - xp[i]) / (xp[i + 1] - xp[i]))
        if isinstance(piece, Dual):
            if piece._kind == "slots" and type(piece.value) is float:
                # NumPy's value, the piece's partials (a real scalar's own list)
                return make_scalar(_scalar_value(value), piece._plist(), piece.tag)
            if not isinstance(piece.value, Dual) and np.shape(piece.value) == np.shape(value):
                return make(value, piece.partials, piece.tag)
            return piece
    if pv.size == 1:
        inner = f[0] + 0.0 * (xp[0] - pv[0])          # no segment: fp's one value
    else:
        i = np.clip(np.searchsorted(pv, xv, side="right") - 1, 0, pv.size - 2)
        inner = f[i] + (f[i + 1] - f[i]) * ((x - xp[i]) / (xp[i + 1] - xp[i]))
    lo = f[0] if left is None else left
    hi = f[-1] if right is None else right
    result = np.where(xv < pv[0], lo, np.where(xv > pv[-1], hi, inner))
    if isinstance(result, Dual) and not isinstance(result.value, Dual) and \
            np.shape(result.value) == np.shape(value):
        return make(value, result.partials, result.tag)
    return result


@implements(np.round, np.around)
def _round(a, decimals=0, out=None):
    """Locally constant: NumPy's rounded value, zero partials.  A step function: where
    dg.quad watches, reported as np.rint of ``a * 10**decimals`` (its branch)."""
    value = np.round(primal(a), decimals)
    if not isinstance(a, Dual):
        return value
    if errors.WATCHING[0]:              # (its value set where an end check sets the
        scale = 10.0 ** decimals        # branch: np.round(t - p + 0.5) at p = T;
        forced = errors.report_branch(np.rint, (a * scale,), 0)    # attack59 01)
        if forced is not None:
            value = np.asarray(forced, dtype=float).reshape(np.shape(value)) / scale
    return make(value, backend.zeros(np.shape(value) + (a.partials.shape[-1],)), a.tag)


@implements(np.polyval)
def _polyval(p, x):
    """Horner's scheme, as NumPy evaluates it; coefficients and ``x`` may be duals."""
    if isinstance(p, np.poly1d) or isinstance(x, np.poly1d):
        raise errors.unsupported_function("np.polyval with np.poly1d")
    if not isinstance(x, Dual):      # a complex point too (NumPy's own zeros_like(x))
        x = np.asarray(x)
        x = x if x.dtype.kind in "fc" else x.astype(float)
    fast = _polyval_constant(p, x)
    if fast is not None:
        return fast
    y = 0.0 * x
    for c in p:
        y = y * x + c
    return y


def _polyval_constant(p, x):
    """Constant coefficients, a dual ``x`` of plain arrays: NumPy's value and one
    scaling of the partials by the derivative polynomial (Horner on the values),
    instead of a partials pass per coefficient; ``None`` for the general path."""
    if not isinstance(x, Dual) or isinstance(p, Dual) or type(x.value) is not np.ndarray \
            or type(x.partials) is not np.ndarray:
        return None
    if isinstance(p, (list, tuple)) and any(isinstance(c, Dual) for c in p):
        return None
    c = np.asarray(p)
    if c.ndim != 1 or c.size < 2 or c.dtype.kind not in "biuf" or \
            not backend.finite(x.value) or x.value.dtype != np.float64:
        return None
    value = np.polyval(c, x.value)
    slope = np.polyval(np.polyder(c.astype(float)), x.value)
    n = x.partials.shape[-1]
    return make(value, backend.combine([slope], [x.partials], value.shape, n), x.tag)


# ---- products ---------------------------------------------------------------------------
for _f in (np.convolve, np.correlate,
           np.dot, np.vdot, np.inner, np.outer, np.tensordot, np.einsum, np.kron,
           np.cross, np.matmul, np.vecdot, np.linalg.matmul, np.linalg.vecdot,
           np.linalg.tensordot, np.linalg.outer, np.linalg.cross):
    HANDLED[_f] = functools.partial(bilinear, _f)


HANDLED.update(COMPOSED)


@implements(np.sinc)
def _sinc(x):
    """A dual of plain float64 arrays: NumPy's value and one scaling of the partials by
    ``sinc'(x) = (cos(pi x) - sinc(x)) / x``, instead of the composition's eight
    partials passes.  Where ``|pi x| < 1`` that difference cancels (at x = 1e-8 the
    composition gave -1.49e-8 for -3.29e-8), so there the slope is the Taylor series
    ``pi s sum_k (-1)^k 2k s^(2k-2) / (2k+1)!`` of ``s = pi x`` (12 terms: below
    1e-23 relative at ``|s| = 1``).  Nested duals (Hessians), 0-d values and the rest:
    the composition."""
    if not isinstance(x, Dual) or type(x.value) is not np.ndarray or \
            type(x.partials) is not np.ndarray or x.value.dtype != np.float64 or \
            x.partials.dtype != np.float64 or x.value.ndim == 0:
        return COMPOSED[np.sinc](x)
    return _sinc_dual(x, np.sinc(x.value))       # (the value's reports NumPy's own)


@_quiet.partials_hushed
def _sinc_dual(x, value):
    """:func:`_sinc`'s dual of the value ``value``: the slope and its products are the
    derivative's own (``(pi x)**2`` underflowed at x = 1e-300, a partial at 1e-310
    tangents, under ``np.errstate(all="raise")``: attack72 C1), hushed."""
    v = x.value
    s = np.pi * v
    with np.errstate(divide="ignore", invalid="ignore"):   # (at 0: the series' below)
        slope = np.cos(s)
        slope -= value
        slope /= v
    near = np.abs(s) < 1.0
    if near.any():
        t = s[near]
        u = t * t
        series = np.full_like(u, _SINC_SLOPE[-1])
        for c in _SINC_SLOPE[-2::-1]:
            series *= u
            series += c
        slope[near] = np.pi * t * series
    return make(value, backend.combine([slope], [x.partials], value.shape,
                                       x.partials.shape[-1], scratch=slope), x.tag)


# (-1)^k 2k / (2k + 1)!, k = 1..12: d/ds (sin s / s) = s * sum_k c_k (s^2)^(k - 1)
_SINC_SLOPE = (-0.3333333333333333, 0.03333333333333333, -0.0011904761904761906, 2.2045855379188714e-05, -2.505210838544172e-07, 1.9270852604185937e-09, -1.0706029224547743e-11, 4.498331606952833e-14, -1.4797143443923793e-16, 3.9145882126782523e-19, -8.509974375387505e-22, 1.5472680682522736e-24)


@implements(np.angle)
def _angle(z, deg=False):
    """``arctan2(imag, real)``: the real-pair convention, from the table's arctan2."""
    out = np.arctan2(np.imag(z), np.real(z))
    return out * (180.0 / np.pi) if deg else out


from ._functions_extra import register as _register_extra  # noqa: E402  (fills HANDLED)
_register_extra(HANDLED, LINALG)
from ._counting import register as _register_counting  # noqa: E402  (fills HANDLED)
_register_counting(HANDLED)
