"""Reductions and scans of array duals along value axes.

Partials carry the direction axis last, so a reduction over value axes
``axes`` reduces the same axes of the partials.  Sums go through the numba
kernel where it pays; ``prod``, ``max`` and the scans are written with NumPy
calls so that they also run on nested duals.
"""

import numpy as np

from .. import errors
from ..dual import Dual, make
from ..backend import sum_partials, weighted_sum

__all__ = ["normalize_axes", "sum", "prod", "amax", "amin", "cumsum", "cumprod"]

_builtin_sum = sum


def _primal(x):
    while isinstance(x, Dual):
        x = x.value
    return x


def normalize_axes(axis, ndim, who="axis"):
    """``axis`` (None, int or tuple) as a sorted tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    out = []
    for ax in axes:
        ax = int(ax)
        if not -ndim <= ax < ndim:
            raise np.exceptions.AxisError(ax, ndim)
        out.append(ax % ndim)
    return tuple(sorted(out))


def check_kwargs(name, kwargs):
    """Keywords of ``np.<name>`` that would change its result fail loudly, never ignored."""
    for key, val in kwargs.items():
        if key == "dtype" and val is not None and np.dtype(val) != np.float64:
            raise errors.dropped_derivatives(f"np.{name}(..., dtype={val})")
        if key == "out" and val is not None:
            raise errors.unsupported_ufunc(name, "out= is not supported here; assign the "
                                           "result instead")
        if key == "where" and val is not True:
            raise errors.unsupported_ufunc(name, "where= is not supported; use np.where "
                                           "on the input")
        if key == "initial" and val is not None and val is not np._NoValue and val != 0:
            raise errors.unsupported_ufunc(name, "initial= is not supported")


# Whole-array sums watched by sparse Hessians (dualgrad._coloring): tag -> a list
# that receives ``(input, result)`` of every ``np.sum(a)`` (no axis) of that tag.
SUM_WATCH = {}


def sum(a, axis=None, keepdims=False, **kwargs):
    """``np.sum`` of a dual."""
    check_kwargs("sum", kwargs)
    if a.ndim == 0:
        out = a + 0.0
    else:
        axes = normalize_axes(axis, a.ndim)
        value = np.add.reduce(a.value, axis=axes, keepdims=keepdims)  # np.sum, less overhead
        out = make(value, sum_partials(a.partials, axes, keepdims), a.tag)
    if SUM_WATCH and axis is None and not keepdims:
        watch = SUM_WATCH.get(a.tag)
        if watch is not None:
            watch.append((a, out))
    return out


def prod(a, axis=None, keepdims=False, **kwargs):
    """``np.prod``: each partial is weighted by the product of the other factors.

    The products of the others come from exclusive cumulative products from
    both ends, so zeros among the factors are handled exactly.
    """
    check_kwargs("prod", kwargs)
    if a.ndim == 0:
        return a + 0.0
    axes = normalize_axes(axis, a.ndim)
    result = a
    for ax in reversed(axes):
        result = _prod_axis(result, ax)
    if keepdims:
        result = np.reshape(result, tuple(1 if i in axes else s
                                          for i, s in enumerate(a.shape)))
    return result


def _exclusive_cumprod(v, ax):
    if type(v) is np.ndarray and v.dtype.kind in "fc":    # in place: no take, no join
        out = np.empty_like(v)
        head = (slice(None),) * ax
        out[head + (slice(0, 1),)] = 1.0
        np.cumprod(v[head + (slice(None, -1),)], axis=ax, out=out[head + (slice(1, None),)])
        return out
    ones = np.ones_like(np.take(v, [0], axis=ax))
    head = np.take(np.cumprod(v, axis=ax), np.arange(v.shape[ax] - 1), axis=ax)
    return np.concatenate([ones, head], axis=ax)


def _prod_axis(a, ax):
    if not isinstance(a, Dual):
        return np.prod(a, axis=ax)
    v = a.value
    left = _exclusive_cumprod(v, ax)
    right = np.flip(_exclusive_cumprod(np.flip(v, ax), ax), ax)
    others = left * right
    partials = weighted_sum(others, a.partials, (ax,))     # one BLAS pass, no temporary
    if partials is not None:
        return make(np.prod(v, axis=ax), partials, a.tag)
    with np.errstate(invalid="ignore"):
        terms = others[..., None] * a.partials
    if type(a.partials) is np.ndarray and not bool(np.all(np.isfinite(_primal(others)))):
        # NaN-safe: a zero partial times an infinite or NaN product of the others is 0,
        # as in x[0] * x[1] * x[2] (prod([nan, 2, 3]) has gradient [6, nan, nan])
        terms = np.where(a.partials == 0.0, 0.0, terms)
    partials = np.sum(terms, axis=ax)
    return make(np.prod(v, axis=ax), partials, a.tag)


def _extreme(a, axis, keepdims, arg, name, kwargs):
    check_kwargs(name, kwargs)
    if a.ndim == 0:
        return a + 0.0
    if a.size == 0:                           # NumPy's own error for an empty reduction
        getattr(np, name)(_primal(a), axis=axis, keepdims=keepdims)
    if axis is None:
        a = np.reshape(a, (-1,))
        axis = 0
    axes = normalize_axes(axis, a.ndim)
    result = a
    for ax in reversed(axes):
        primal = result.value
        while isinstance(primal, Dual):
            primal = primal.value
        index = np.expand_dims(arg(primal, axis=ax), ax)
        value = np.take_along_axis(result.value, index, axis=ax)
        partials = np.take_along_axis(result.partials, index[..., None], axis=ax)
        result = make(np.squeeze(value, ax), np.squeeze(partials, ax), a.tag)
    if keepdims:
        result = np.reshape(result, tuple(1 if i in axes else s
                                          for i, s in enumerate(a.shape)))
    return result


def amax(a, axis=None, keepdims=False, **kwargs):
    """``np.max``: partials of the first maximal element (NaN wins, as in NumPy)."""
    return _extreme(a, axis, keepdims, np.argmax, "max", kwargs)


def amin(a, axis=None, keepdims=False, **kwargs):
    """``np.min``: partials of the first minimal element (NaN wins, as in NumPy)."""
    return _extreme(a, axis, keepdims, np.argmin, "min", kwargs)


def cumsum(a, axis=None, **kwargs):
    """``np.cumsum`` (``axis=None`` scans the flattened array, as NumPy does)."""
    check_kwargs("cumsum", kwargs)
    if axis is None:
        a = np.reshape(a, (-1,))
        axis = 0
    (ax,) = normalize_axes(axis, a.ndim)
    return make(np.cumsum(a.value, axis=ax), np.cumsum(a.partials, axis=ax), a.tag)


def cumprod(a, axis=None, **kwargs):
    """``np.cumprod``: ``d c_i = c_i * sum_{j <= i} d v_j / v_j`` without zeros,
    a running product along the axis where some factor is zero."""
    check_kwargs("cumprod", kwargs)
    if axis is None:
        a = np.reshape(a, (-1,))
        axis = 0
    (ax,) = normalize_axes(axis, a.ndim)
    v = a.value
    c = np.cumprod(v, axis=ax)
    if bool(np.all(v != 0.0)) and bool(np.all(np.isfinite(_primal(v)))):
        ratio = a.partials / v[..., None]
        return make(c, c[..., None] * np.cumsum(ratio, axis=ax), a.tag)
    steps = [np.take(a, [0], axis=ax)]
    for i in range(1, a.shape[ax]):
        steps.append(steps[-1] * np.take(a, [i], axis=ax))
    return np.concatenate(steps, axis=ax)
