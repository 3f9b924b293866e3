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

import numpy as np

from . import _reductions, errors
from ._base import Dual, make, newest, numeric, primal
from ._composed import COMPOSED
from ._linalg import LINALG, bilinear

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


def _lift(x):
    """Scalar duals become 0-d array duals; lists and tuples are lifted inside."""
    if isinstance(x, Dual) and x._kind != "array":              # a scalar dual
        from ._ufuncs import _partials_array
        from ._array import make_array
        value = x.value if isinstance(x.value, Dual) else numeric(x.value)
        return make_array(value, _partials_array(x), x.tag)
    if isinstance(x, (list, tuple)):
        return type(x)(_lift(i) for i in x)
    if isinstance(x, np.ndarray) and x.dtype == object:
        from ._ufuncs import _from_object_array
        return _lift(_from_object_array(x))
    return x


def _finish(result):
    """0-d array duals (from lifted scalars) back to scalar duals, inside containers too."""
    if isinstance(result, Dual) and result._kind == "array" and result.ndim == 0:
        return make(result.value.reshape(()) if isinstance(result.value, np.ndarray)
                    else result.value, result.partials, result.tag)
    if isinstance(result, tuple):
        return type(result)(_finish(r) for r in result) if not hasattr(result, "_fields") \
            else type(result)(*(_finish(r) for r in result))
    if isinstance(result, list):
        return [_finish(r) for r in result]
    return result


def dispatch(func, args, kwargs, like=None):
    """``__array_function__`` of ``like``, the dual NumPy called it on."""
    if func in _CREATION and like is not None:    # np.zeros(n, like=x) reaches us so
        return _create(func, args, kwargs, like)
    impl = HANDLED.get(func)
    if impl is None:
        impl = LINALG.get(func)
    if impl is None:
        raise errors.unsupported_function(function_name(func))
    if kwargs.get("out") is not None and impl is not _clip:    # never ignored
        raise errors.unsupported_function(f"{function_name(func)} with out=")
    args = [_lift(a) for a in args]
    if kwargs:
        kwargs = {k: _lift(v) for k, v in kwargs.items()}
    return _finish(impl(*args, **kwargs))


# ---- helpers ------------------------------------------------------------------------
def _as_dual(x, tag, n):
    """``x`` as a dual of ``tag``: constants (older duals too) get zero partials."""
    if isinstance(x, Dual) and x.tag == tag:
        return x
    if isinstance(x, (list, tuple)) and any(isinstance(i, (Dual, list, tuple)) for i in x):
        return np.stack([_as_dual(i, tag, n) for i in x])
    value = x if isinstance(x, Dual) else numeric(x)
    from ._array import make_array
    return make_array(value, np.zeros(np.shape(value) + (n,)), tag)


def _value_axis(axis, ndim):
    """A value axis as a non-negative int, valid for the partials too."""
    return _reductions.normalize_axes(axis, ndim)[0] if ndim else 0


def _per_direction(func, p, *args, **kwargs):
    """``func`` applied to each direction of partials ``p``, stacked last."""
    n = p.shape[-1]
    return np.stack([func(p[..., k], *args, **kwargs) for k in range(n)], axis=-1)


def _linear(func):
    """An implementation for a function linear in its first argument."""
    def impl(a, *args, **kwargs):
        if not isinstance(a, Dual):
            return func(a, *args, **kwargs)
        return make(func(a.value, *args, **kwargs),
                    _per_direction(func, a.partials, *args, **kwargs), a.tag)
    return impl


for _f in (np.tile, np.repeat, np.flip, np.roll, np.diag, np.diagonal, np.trace, np.tril,
           np.triu, np.diff, np.rot90, np.fliplr, np.flipud, np.trapezoid, np.real,
           np.imag, np.resize, np.delete):
    HANDLED[_f] = _linear(_f)


def _each(func):
    """``atleast_*d(*arrays)``: each argument on its own, a tuple for several."""
    single = _linear(func)

    def impl(*arrays):
        out = tuple(single(a) for a in arrays)
        return out[0] if len(out) == 1 else out
    return impl


for _f in (np.atleast_1d, np.atleast_2d, np.atleast_3d):
    HANDLED[_f] = _each(_f)


@implements(np.gradient)
def _gradient(f, *varargs, **kwargs):
    if not isinstance(f, Dual):
        return np.gradient(f, *varargs, **kwargs)
    values = np.gradient(f.value, *varargs, **kwargs)
    per = [np.gradient(f.partials[..., k], *varargs, **kwargs) for k in range(f.partials.shape[-1])]
    if isinstance(values, (list, tuple)):
        return tuple(make(v, np.stack([p[i] for p in per], axis=-1), f.tag)
                     for i, v in enumerate(values))
    return make(values, np.stack(per, axis=-1), f.tag)


# np.pad modes that only copy elements (or write constants): the partials pad alike
_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


@implements(np.pad)
def _pad(a, pad_width, mode="constant", **kwargs):
    if mode not in _PAD_MODES:
        raise errors.unsupported_function(f"np.pad with mode={mode!r} (use one of "
                                          f"{', '.join(map(repr, _PAD_MODES))})")
    value = np.pad(a.value, pad_width, mode=mode, **kwargs)
    width = np.broadcast_to(np.asarray(pad_width), (a.ndim, 2)).tolist() + [[0, 0]]
    extra = {"reflect_type": kwargs["reflect_type"]} if "reflect_type" in kwargs else {}
    return make(value, np.pad(a.partials, width, mode=mode, **extra), a.tag)


# ---- creation -------------------------------------------------------------------------
_CREATION = (np.zeros, np.ones, np.empty, np.full)


def _create(func, args, kwargs, like):
    """``np.zeros(shape, like=x)`` and friends: a buffer of duals of ``x``'s kind
    (tag, number of partials, nesting) with zero partials, of any shape."""
    dtype = kwargs.get("dtype")
    if dtype is not None and np.dtype(dtype) != np.float64:
        return func(*args, **kwargs)
    kwargs = {k: v for k, v in kwargs.items() if k not in ("like", "device")}
    if func is np.empty:                    # defined contents: zeros
        func = np.zeros
    inner = like.value if isinstance(like.value, Dual) else None
    value = func(*args, **kwargs, like=inner) if inner is not None else func(*args, **kwargs)
    n = len(like._plist()) if like._kind == "slots" else like.partials.shape[-1]
    shape = np.shape(primal(value)) + (n,)
    inner_p = like.partials if isinstance(like.partials, Dual) else None
    partials = np.zeros(shape, like=inner_p) if inner_p is not None else np.zeros(shape)
    return make(value, partials, like.tag)



def _like(fill):
    def impl(a, dtype=None, order="K", subok=True, shape=None, **kwargs):
        if dtype is not None and np.dtype(dtype) != np.float64:
            return fill(primal(a), dtype=dtype, shape=shape, **kwargs)
        value = fill(a.value, shape=shape, **kwargs)
        partials = np.zeros_like(a.partials, shape=None if shape is None else
                                 np.shape(value) + a.partials.shape[-1:])
        return make(value, partials, a.tag)
    return impl


HANDLED[np.zeros_like] = _like(np.zeros_like)
HANDLED[np.ones_like] = _like(np.ones_like)
HANDLED[np.empty_like] = _like(np.zeros_like)


@implements(np.full_like)
def _full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    out = np.zeros_like(a, dtype=dtype, shape=shape)
    out[...] = fill_value
    return out


@implements(np.copy)
def _copy(a, order="K", subok=True):
    return a.copy() if isinstance(a, Dual) else np.copy(a)


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
        raise errors.store_into_plain()
    if where is True:
        dst[...] = src
    else:
        dst[...] = np.where(where, src, dst)


# ---- structure: the same move on value and partials --------------------------------
def _reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    shape = newshape if shape is None else shape
    if not isinstance(a, Dual):
        return np.reshape(a, shape, order=order)
    value = np.reshape(a.value, shape, order=order)           # resolves a -1 for us
    return make(value, np.reshape(a.partials, np.shape(value) + a.partials.shape[-1:],
                                  order=order), a.tag)


HANDLED[np.reshape] = _reshape


@implements(np.ravel)
def _ravel(a, order="C"):
    return _reshape(a, (-1,), order=order)


@implements(np.transpose, np.permute_dims)
def _transpose(a, axes=None):
    if not isinstance(a, Dual):
        return np.transpose(a, axes)
    axes = tuple(range(a.ndim))[::-1] if axes is None else \
        tuple(ax % a.ndim for ax in axes)
    return make(np.transpose(a.value, axes), np.transpose(a.partials, axes + (a.ndim,)),
                a.tag)


@implements(np.matrix_transpose)
def _matrix_transpose(a):
    return np.swapaxes(a, -1, -2)


@implements(np.swapaxes)
def _swapaxes(a, axis1, axis2):
    i, j = (_value_axis(ax, a.ndim) for ax in (axis1, axis2))
    return make(np.swapaxes(a.value, i, j), np.swapaxes(a.partials, i, j), a.tag)


@implements(np.moveaxis)
def _moveaxis(a, source, destination):
    src = [_value_axis(s, a.ndim) for s in np.atleast_1d(source)]
    dst = [_value_axis(d, a.ndim) for d in np.atleast_1d(destination)]
    return make(np.moveaxis(a.value, src, dst), np.moveaxis(a.partials, src, dst), a.tag)


@implements(np.squeeze)
def _squeeze(a, axis=None):
    axes = tuple(i for i, s in enumerate(a.shape) if s == 1) if axis is None else \
        _reductions.normalize_axes(axis, a.ndim)
    return make(np.squeeze(a.value, axes), np.squeeze(a.partials, axes), a.tag)


@implements(np.expand_dims)
def _expand_dims(a, axis):
    value = np.expand_dims(a.value, axis)
    axes = _reductions.normalize_axes(axis, value.ndim)
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
    shape = np.broadcast_shapes(*(np.shape(primal(a)) for a in args))
    return tuple(np.broadcast_to(a, shape) for a in args)


def _joined(func):
    """``concatenate``/``stack``: constants join with zero partials."""
    def impl(arrays, axis=0, out=None, **kwargs):
        arrays = list(arrays)
        tag, n = newest(arrays)
        if tag < 0:
            return func(arrays, axis=axis, **kwargs)
        _reductions.check_kwargs(func.__name__, {"dtype": kwargs.get("dtype")})
        duals = [_as_dual(x, tag, n) for x in arrays]
        if axis is None:                                 # concatenate flattens first
            return impl([np.ravel(d) for d in duals], axis=0, **kwargs)
        value = func([d.value for d in duals], axis=axis, **kwargs)
        ax = _value_axis(axis, np.ndim(primal(value)))
        return make(value, func([d.partials for d in duals], axis=ax), tag)
    return impl


HANDLED[np.concatenate] = _joined(np.concatenate)
HANDLED[np.stack] = _joined(np.stack)


@implements(np.hstack)
def _hstack(tup, **kwargs):
    arrs = [np.atleast_1d(a) for a in tup]
    return np.concatenate(arrs, axis=0 if np.ndim(arrs[0]) == 1 else 1, **kwargs)


@implements(np.vstack)
def _vstack(tup, **kwargs):
    return np.concatenate([np.atleast_2d(a) for a in tup], axis=0, **kwargs)


@implements(np.column_stack)
def _column_stack(tup):
    cols = [np.reshape(a, (-1, 1)) if np.ndim(a) < 2 else a for a in tup]
    return np.concatenate(cols, axis=1)


@implements(np.append)
def _append(arr, values, axis=None):
    if axis is None:
        return np.concatenate([np.ravel(arr), np.ravel(values)])
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
    if axis is None:
        a = np.ravel(a)
        axis = 0
    ax = _value_axis(axis, a.ndim)
    return make(np.take(a.value, indices, axis=ax, mode=mode),
                np.take(a.partials, indices, axis=ax, mode=mode), a.tag)


@implements(np.take_along_axis)
def _take_along_axis(arr, indices, axis=-1):
    if axis is None:
        return _take_along_axis(np.ravel(arr), indices, 0)
    ax = _value_axis(axis, arr.ndim)
    return make(np.take_along_axis(arr.value, indices, axis=ax),
                np.take_along_axis(arr.partials, np.asarray(indices)[..., None], axis=ax),
                arr.tag)


@implements(np.where)
def _where(condition, x=None, y=None):
    if x is None and y is None:
        return np.where(primal(condition))
    tag, n = newest([x, y])
    cond = np.asarray(primal(condition), dtype=bool)
    dx, dy = _as_dual(x, tag, n), _as_dual(y, tag, n)
    value = np.where(cond, dx.value, dy.value)
    shape = np.shape(value)
    px = np.broadcast_to(np.reshape(dx.partials, (1,) * (len(shape) - dx.ndim) +
                                    dx.partials.shape), shape + (n,))
    partials = np.where(np.reshape(cond, (1,) * (len(shape) - cond.ndim) + cond.shape
                                   )[..., None], px, dy.partials)
    return make(value, partials, tag)


@implements(np.select)
def _select(condlist, choicelist, default=0.0):
    result = default
    for cond, choice in zip(reversed(list(condlist)), reversed(list(choicelist))):
        result = np.where(cond, choice, result)
    return result


@implements(np.clip)
def _clip(a, a_min=None, a_max=None, out=None, **kwargs):
    a_min = kwargs.pop("min", a_min)
    a_max = kwargs.pop("max", a_max)
    kwargs.pop("casting", None)
    _reductions.check_kwargs("clip", kwargs)            # where=, dtype= fail loudly
    if a_min is not None:
        a = np.where(primal(a) < primal(a_min), a_min, a)
    if a_max is not None:
        a = np.where(primal(a) > primal(a_max), a_max, a)
    if out is None:
        return a
    from ._ufuncs import write_out
    return write_out(a, out)                            # np.clip(u, 0, 1, out=u)


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
    _reductions.check_kwargs("mean", dict(kwargs, dtype=dtype))
    return np.sum(a, axis=axis, keepdims=keepdims) / _count(a, axis)


@implements(np.average)
def _average(a, axis=None, weights=None, returned=False, keepdims=False):
    shape = np.shape(primal(a))
    if weights is None:
        avg = np.mean(a, axis=axis, keepdims=keepdims)
        total = np.full(np.shape(primal(avg)), float(_count(a, axis)))
    else:
        w = weights if isinstance(weights, Dual) else numeric(weights)
        if np.ndim(primal(w)) != len(shape):             # 1-D weights along ``axis``
            ax = _value_axis(axis, len(shape))
            w = np.reshape(w, [-1 if i == ax else 1 for i in range(len(shape))])
        total = np.sum(np.broadcast_to(w, shape), axis=axis, keepdims=keepdims)
        avg = np.sum(a * w, axis=axis, keepdims=keepdims) / total
    return (avg, total) if returned else avg


@implements(np.var)
def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    _reductions.check_kwargs("var", dict(kwargs, dtype=dtype))
    dev = a - np.mean(a, axis=axis, keepdims=True)
    return np.sum(abs2(dev), axis=axis, keepdims=keepdims) / (_count(a, axis) - ddof)


def abs2(x):
    """``|x|**2``: ``x * x`` for real values, ``real**2 + imag**2`` for complex ones."""
    if np.iscomplexobj(primal(x)):
        re, im = np.real(x), np.imag(x)
        return re * re + im * im
    return x * x


@implements(np.std)
def _std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kwargs):
    _reductions.check_kwargs("std", dict(kwargs, dtype=dtype))
    return np.sqrt(np.var(a, axis=axis, ddof=ddof, keepdims=keepdims))


@implements(np.ptp)
def _ptp(a, axis=None, out=None, keepdims=False):
    return np.max(a, axis=axis, keepdims=keepdims) - np.min(a, axis=axis, keepdims=keepdims)


@implements(np.sort)
def _sort(a, axis=-1, kind=None, order=None, **kwargs):
    if axis is None:
        a, axis = np.ravel(a), 0
    order_ = np.argsort(primal(a), axis=axis, kind="stable")
    return np.take_along_axis(a, order_, axis=axis)


def _on_values(func):
    """Functions of the values alone (indices, predicates): every argument stripped."""
    @functools.wraps(func)
    def impl(*args, **kwargs):
        return func(*(primal(a) for a in args), **{k: primal(v) for k, v in kwargs.items()})
    return impl


for _f in (np.argsort, np.argmax, np.argmin, np.nonzero, np.argwhere, np.flatnonzero,
           np.count_nonzero, np.searchsorted, np.isclose, np.allclose, np.array_equal,
           np.iscomplexobj, np.isrealobj, np.iscomplex, np.isreal, np.isneginf,
           np.isposinf, np.any, np.all, np.shares_memory, np.may_share_memory):
    HANDLED[_f] = _on_values(_f)


@implements(np.interp)
def _interp(x, xp, fp, left=None, right=None, period=None):
    """Linear interpolation: slope of the segment in ``x``, linear in ``fp``."""
    if period is not None or isinstance(xp, Dual):
        raise errors.unsupported_function("np.interp with dual xp or period=")
    xv, fpv = primal(x), primal(fp)
    value = np.interp(xv, xp, fpv, left, right)
    result = value
    if isinstance(fp, Dual):
        per = _per_direction(lambda q: np.interp(xv, xp, q, None if left is None else 0.0,
                                                 None if right is None else 0.0), fp.partials)
        result = make(np.interp(xv, xp, fp.value, left, right), per, fp.tag)
    if isinstance(x, Dual):
        xp_ = np.asarray(xp, dtype=float)
        i = np.clip(np.searchsorted(xp_, xv, side="right") - 1, 0, len(xp_) - 2)
        slope = (np.asarray(fpv)[i + 1] - np.asarray(fpv)[i]) / (xp_[i + 1] - xp_[i])
        inside = (xv >= xp_[0]) & (xv <= xp_[-1])
        slope = np.where(inside, slope, 0.0)
        result = result + slope * (x - xv)
    return result


@implements(np.round, np.around)
def _round(a, decimals=0, out=None):
    """Locally constant: NumPy's rounded value, zero partials."""
    value = np.round(primal(a), decimals)
    if not isinstance(a, Dual):
        return value
    return make(value, np.zeros(np.shape(value) + (a.partials.shape[-1],)), a.tag)


@implements(np.polyval)
def _polyval(p, x):
    """Horner's scheme, as NumPy evaluates it; coefficients and ``x`` may be duals."""
    if isinstance(p, np.poly1d) or isinstance(x, np.poly1d):
        raise errors.unsupported_function("np.polyval with np.poly1d")
    x = x if isinstance(x, Dual) else np.asarray(x, dtype=float)
    y = 0.0 * x
    for c in p:
        y = y * x + c
    return y


# ---- products ---------------------------------------------------------------------------
for _f in (np.convolve, np.correlate,
           np.dot, np.vdot, np.inner, np.outer, np.tensordot, np.einsum, np.kron,
           np.cross, np.matmul, np.vecdot, np.linalg.matmul, np.linalg.vecdot,
           np.linalg.tensordot, np.linalg.outer, np.linalg.cross):
    HANDLED[_f] = functools.partial(bilinear, _f)


HANDLED.update(COMPOSED)


@implements(np.angle)
def _angle(z, deg=False):
    """``arctan2(imag, real)``: the real-pair convention, from the table's arctan2."""
    out = np.arctan2(np.imag(z), np.real(z))
    return out * (180.0 / np.pi) if deg else out
