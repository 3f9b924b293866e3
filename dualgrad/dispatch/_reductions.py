"""Reductions and scans of array duals along value axes.

Partials carry the direction axis last, so a reduction over value axes
``axes`` reduces the same axes of the partials.  Sums go through the numba
kernel where it pays; ``prod``, ``max`` and the scans are written with NumPy
calls so that they also run on nested duals.
"""

import math
import operator

import numpy as np

from .. import errors
from . import _far_products, _second_order
from ._far_products import frexp as _frexp, ldexp as _ldexp
from ._quiet import partials_hushed
from ..dual import LIVE, ArrayDual, Dual, make, make_scalar
from ..backend import finite as finite_array, running_product, small, sum_partials, \
    sum_small, weighted_sum

__all__ = ["axis_index", "axis_tuple", "normalize_axes", "check_kwargs", "ddof_of", "sum", "lean_sum",
           "prod", "amax", "amin", "cumsum", "cumprod", "masked", "reduceat", "with_value",
           "running_extreme", "segment_sums", "tie_means", "numpys_zeros", "log_add_reduce"]

_F64 = np.dtype(np.float64)
_add = np.add.reduce

_builtin_sum = sum


def _primal(x):
    while isinstance(x, Dual):
        x = x.value
    return x


def axis_tuple(axis, ndim, who="axis", bools=True):
    """``axis`` (None, int or sequence of ints) as a tuple of non-negative ints in the
    order given (``np.gradient`` returns one result per axis in that order).

    Raises NumPy's errors: ``TypeError`` for a float or other non-integer axis (and
    for a bool where ``bools`` is false: NumPy's ufunc reductions refuse ``axis=True``,
    its Python functions read it as 1), ``AxisError`` out of range, ``ValueError`` for
    a repeated axis."""
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int:                      # the common case: no np.ndim call
        if not -ndim <= axis < ndim:
            raise np.exceptions.AxisError(axis, ndim)
        return (axis % ndim,)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    out = []
    for ax in axes:
        flag = isinstance(ax, (bool, np.bool_))
        ax = operator.index(ax)                # a float: NumPy's own TypeError
        if not -ndim <= ax < ndim:
            raise np.exceptions.AxisError(ax, ndim)
        if flag and not bools:                 # (in range: NumPy's order of checks)
            raise TypeError(f"an integer is required for '{who}' (NumPy's reductions "
                            f"refuse a bool axis), got {bool(ax)!r}")
        out.append(ax % ndim)
    if len(set(out)) != len(out):              # NumPy's own error (max, prod: a raw one)
        raise ValueError(f"duplicate value in '{who}'")
    return tuple(out)


def axis_index(axis, ndim, bools=True):
    """One axis (an integer, as NumPy's ``normalize_axis_index`` takes it) as a
    non-negative int.  ``None``, a tuple or a float raise NumPy's ``TypeError``, an axis
    out of range its ``AxisError``; ``bools=False``: a bool raises too, as NumPy's
    ufunc methods (``cumsum``, ``add.accumulate``) refuse one."""
    if type(axis) is not int:
        if not bools and isinstance(axis, (bool, np.bool_)):
            raise TypeError(f"an integer is required for 'axis' (NumPy refuses a bool "
                            f"axis here), got {axis!r}")
        axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim)
    return axis % ndim


def normalize_axes(axis, ndim, who="axis", bools=False):
    """``axis`` (None, int or sequence of ints) as a sorted tuple of non-negative ints,
    checked as :func:`axis_tuple` checks it (a bool refused unless ``bools``); for
    reductions, where the order of the axes does not matter."""
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int:
        if not -ndim <= axis < ndim:
            raise np.exceptions.AxisError(axis, ndim)
        return (axis % ndim,)
    return tuple(sorted(axis_tuple(axis, ndim, who, bools)))


def _check_0d_axis(axis):
    """NumPy's check of ``axis`` for a ufunc reduction of a 0-d value: ``None``, ``()``,
    and (its one exception) the int ``0`` or ``-1`` pass; anything else raises its error."""
    if isinstance(axis, (bool, np.bool_)):
        raise TypeError(f"an integer is required for 'axis' (NumPy's reductions refuse a "
                        f"bool axis), got {axis!r}")
    if type(axis) is int and axis in (0, -1) or isinstance(axis, np.integer) and \
            int(axis) in (0, -1):
        return
    normalize_axes(axis, 0)


def check_kwargs(name, kwargs):
    """Keywords of ``np.<name>`` that would change its result fail loudly, never ignored:
    any keyword but ``dtype``, ``out``, ``where`` and ``initial`` (at their neutral
    values) is refused."""
    for key, val in kwargs.items():
        if key == "dtype" and val is not None and np.dtype(val) != np.float64:
            raise errors.cast_dtype(f"np.{name}(..., dtype={_dtype_name(val)})", val)
        if key == "out" and val is not None:      # (by position: np.sum(d, 0, None, b))
            raise errors.unsupported_out(f"np.{name}")
        if key == "where" and val is not True:
            raise errors.unsupported_ufunc(name, "where= is not supported; use np.where "
                                           "on the input")
        if key == "initial" and val is not None and val is not np._NoValue and val != 0:
            raise errors.unsupported_ufunc(name, "initial= is not supported")
        if key not in _CHECKED:
            raise errors.unsupported_ufunc(name, f"{key}= is not implemented for duals and "
                                           "would be ignored")


_CHECKED = ("dtype", "out", "where", "initial")


def _dtype_name(dtype):
    try:
        return np.dtype(dtype).name
    except TypeError:
        return repr(dtype)


def ddof_of(ddof, correction):
    """``ddof``, or NumPy 2's ``correction=`` (the Array API's name of it); both given
    is NumPy's own ValueError."""
    if correction is np._NoValue:
        return ddof
    if ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    return correction


# Whole-array sums watched by sparse Hessians (dualgrad._coloring): tag -> a list
# that receives ``(input, result)`` of every ``np.sum(a)`` (no axis) of that tag.
SUM_WATCH = {}


def sum(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    """``np.sum`` of a dual (NumPy's positional order: ``np.sum(d, 0, float)``)."""
    if "where" in kwargs or "initial" in kwargs:
        return masked("sum", a, axis, keepdims, dict(kwargs, dtype=dtype, out=out))
    check_kwargs("sum", dict(kwargs, dtype=dtype, out=out))
    if a.ndim == 0:
        _check_0d_axis(axis)
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


_ALL_AXES = [tuple(range(k)) for k in range(33)]     # ndim -> every axis (NumPy's limit: 64)


def lean_sum(a, *args, **kwargs):
    """``np.sum(a)`` / ``a.sum()`` of a whole small plain array dual (float64 ndarrays,
    a running call, not watched by :data:`SUM_WATCH`; no argument but ``axis=None``,
    or ``axis=0`` / ``-1`` of 1-D values), or a plain array dual of any size over one
    int axis of values of two or more axes (VFI's ``np.sum(.., axis=3)`` of (1, 5, 30,
    5) x 3, where the general path's steps cost as much as the sums): :func:`sum`'s
    result to the bit, without
    the general path's lifting, keyword checks and axis normalization; for 1-D values
    of 8 to 128 elements once numba is loaded, value and partials in one kernel call
    (``backend.sum_small``).  ``None``, having computed nothing, for anything else
    (the general path then runs, with its checks and errors)."""
    if SUM_WATCH or type(a) is not ArrayDual:
        return None
    axis = None
    if args or kwargs:                           # np.sum(a, 0), a.sum(axis=None)
        if len(args) + len(kwargs) > 1 or kwargs and "axis" not in kwargs:
            return None
        axis = args[0] if args else kwargs["axis"]
    v, p = a.value, a._p
    if type(v) is not np.ndarray or type(p) is not np.ndarray or v.dtype is not _F64 or \
            p.dtype is not _F64 or not v.ndim or a.tag not in LIVE or v.ndim > 32:
        return None
    if axis is not None and not (v.ndim == 1 and type(axis) is int and axis in (0, -1)):
        if type(axis) is int and v.ndim > 1 and -v.ndim <= axis < v.ndim:
            axis %= v.ndim                # np.sum(a, axis=3): sum's value and partials
            return make(_add(v, axis=axis), sum_partials(p, (axis,), False), a.tag)
        return None
    if not small(p.size):
        return None
    if v.ndim == 1:
        row = sum_small(v, p)
        if row is not None and row[0] - row[0] == 0.0:    # (inf / NaN: NumPy's sum reports)
            return make_scalar(row[0], row[1:], a.tag)
    axes = _ALL_AXES[v.ndim]
    return make_scalar(float(_add(v, axis=axes)), sum_partials(p, axes, False), a.tag)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    """``np.prod``: each partial is weighted by the product of the other factors.

    The products of the others come from exclusive cumulative products from
    both ends, so zeros among the factors are handled exactly.
    """
    if "where" in kwargs or "initial" in kwargs:
        return masked("prod", a, axis, keepdims, dict(kwargs, dtype=dtype, out=out))
    check_kwargs("prod", dict(kwargs, dtype=dtype, out=out))
    if a.ndim == 0:
        _check_0d_axis(axis)
        return a + 0.0
    axes = normalize_axes(axis, a.ndim)
    if len(axes) == 1:
        result = _prod_axis(a, axes[0])
    else:
        # the reduced axes as one: reduced one after another, a partial product over
        # the first out of range made the second's wrong (gradient of np.prod of
        # [[1e200, 1e200], [1e-300, 2]]: inf at [1, 1] for 1e100, cumprod70)
        kept = [i for i in range(a.ndim) if i not in axes]
        merged = np.reshape(np.transpose(a, kept + list(axes)),
                            tuple(a.shape[i] for i in kept) + (-1,))
        result = _prod_axis(merged, len(kept))
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


def _flip(x, ax):
    """``np.flip(x, ax)`` for a non-negative ``ax``: for a plain array the reversed view
    NumPy's flip makes, without its axis normalisation (a tenth of np.prod's time at
    N = 1000); NumPy's flip (a dual's) for anything else."""
    if type(x) is np.ndarray:
        return x[(slice(None),) * ax + (slice(None, None, -1),)]
    return np.flip(x, ax)


def _prod_axis(a, ax):
    if not isinstance(a, Dual):
        return np.prod(a, axis=ax)
    v = a.value
    value = np.prod(v, axis=ax)
    if _far_products.nested(a):
        # a Hessian's products of factors left out one level down may leave the range
        # where the dual products below form them (cumprod70): scaled coefficients
        coef = _far_products.coefficients(a)
        if coef is not None and not _far_products.in_range(coef, ax):
            return make(value, _far_products.prod_partials(coef, a.tag, ax), a.tag)
    plain = type(v) is np.ndarray and v.dtype.kind in "fc" and v.size
    if plain and not _normal(value) and _all_underflow(v, ax):
        others = np.zeros_like(v)   # every product of the others rounds to 0: no scans
        finite = True
    else:
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            left = _exclusive_cumprod(v, ax)        # (out of range: detected below)
            right = _flip(_exclusive_cumprod(_flip(v, ax), ax), ax)
            if plain and not (_normal(left) and _normal(right)):
                others = _others_scaled(v, ax)  # a partial product left the float range
            else:
                others = left * right
            # tested here: +inf and -inf products sum to NaN in the test, which reported
            # "invalid value" in weighted_sum's own (attack63 08)
            finite = plain and finite_array(others)
    # one BLAS pass, no temporary
    partials = weighted_sum(others, a.partials, (ax,), finite=True) if finite else None
    if partials is not None:
        return make(value, partials, a.tag)
    with np.errstate(invalid="ignore"):
        terms = others[..., None] * a.partials
    if not _finite_levels(others):
        # NaN-safe: a zero partial times an infinite or NaN product of the others is 0,
        # as in x[0] * x[1] * x[2] (prod([nan, 2, 3]) has gradient [6, nan, nan]); at
        # every level: a Hessian's [i, i] is 0 beside the overflowed x_j x_k of an
        # inner level (diff68 F3), a zero seed times it no NaN
        zero = _zero_levels(a.partials)
        if bool(np.any(zero)):
            terms = np.where(zero, 0.0, terms)
    partials = np.sum(terms, axis=ax)
    return make(value, partials, a.tag)


def _finite_levels(d):
    """Are the value and the partials of ``d`` finite at every level of nesting?"""
    while isinstance(d, Dual):
        if not _finite_levels(d.partials):
            return False
        d = d.value
    return bool(np.all(np.isfinite(d)))


def _zero_levels(d):
    """Where ``d`` is identically 0: its value and its partials at every level (a
    boolean array of ``d``'s shape)."""
    zero = np.ones(np.shape(d), dtype=bool)
    while isinstance(d, Dual):
        zero &= np.all(_zero_levels(d.partials), axis=-1)
        d = d.value
    return zero & (np.asarray(d) == 0.0)


_TINY = np.finfo(np.float64).tiny
_HUGE = np.finfo(np.float64).max
_BLOCK = 1000       # 1000 factors of magnitude in [0.5, 1): a product >= 2**-1000, normal


def _normal(w):
    """Are all of ``w``'s magnitudes normal floats (no 0, subnormal, inf or NaN)?"""
    m = np.abs(w)
    return bool(m.min() >= _TINY) and bool(m.max() <= _HUGE)


def _normal_or_zero(w):
    """Is every real and imaginary part of ``w`` 0 or a normal float (no subnormal, inf
    or NaN)?"""
    if w.dtype.kind == "c":
        return _normal_or_zero(w.real) and _normal_or_zero(w.imag)
    m = np.abs(w)
    return bool(m.max() <= _HUGE) and bool(np.min(m, where=m != 0.0, initial=_HUGE) >= _TINY)


def _all_underflow(v, ax):
    """Does every product of the other factors along ``ax`` round to 0 (real ``v``)?

    ``2**(e - 1022)``, ``e`` the biased exponent field, bounds ``|v|`` from above
    (subnormals and 0 included), so ``|prod_{j != i} v_j| < 2**(U - u_i)`` with
    ``u = e - 1022`` and ``U`` their sum; at most ``2**-1075`` (half the least
    subnormal) for every ``i``, each true product rounds to 0.  Integer passes over
    the bits: cheaper than the (mantissa, exponent) products they spare (N = 1e5
    factors in [0.2, 0.9], a product near 1e-28000).
    """
    if v.dtype != np.float64:
        return False
    u = (v.view(np.int64) >> 52 & 0x7FF)
    if int(u.max()) == 0x7FF:              # inf or NaN: the careful path
        return False
    u -= 1022
    return bool(np.all(np.sum(u, axis=ax) - np.min(u, axis=ax) <= -1075))


def _cumprod_scaled(m, e):
    """Inclusive products along the last axis of the numbers ``m * 2**e`` (``|m|``
    in [0.5, 1) or 0, inf, NaN), as ``(mantissa, exponent)``: never out of range.

    Products of at most ``_BLOCK`` mantissas stay normal, so each block is one
    ``cumprod``; the blocks' totals are combined the same way, one level up.  Scaling
    by powers of 2 is exact, so the result is the plain cumprod's to rounding.
    """
    exps = np.cumsum(e, axis=-1, dtype=np.int64)
    n = m.shape[-1]
    if n <= _BLOCK:
        pm, pe = _frexp(np.cumprod(m, axis=-1))
        return pm, pe + exps
    blocks = -(-n // _BLOCK)
    pad = np.ones(m.shape[:-1] + (blocks * _BLOCK - n,))
    inner = np.cumprod(np.concatenate([m, pad], axis=-1).reshape(
        m.shape[:-1] + (blocks, _BLOCK)), axis=-1)
    pm, pe = _frexp(inner)
    tm, te = _cumprod_scaled(pm[..., -1], pe[..., -1])      # through each block's end
    one = np.ones(tm.shape[:-1] + (1,))
    before_m = np.concatenate([one, tm[..., :-1]], axis=-1)[..., None]   # exclusive
    before_e = np.concatenate([one.astype(np.int64) - 1, te[..., :-1]], axis=-1)[..., None]
    fm, fe = _frexp(before_m * pm)
    shape = m.shape[:-1] + (blocks * _BLOCK,)
    mant = fm.reshape(shape)[..., :n]
    expo = (fe + pe + before_e).reshape(shape)[..., :n]
    return mant, expo + exps


def _others_scaled(v, ax):
    """The products of the other factors along ``ax``, from (mantissa, exponent) pairs:
    exact to rounding where exclusive products from the ends over- or underflow
    (``[1e-200, 1e-100, 1e200, 1e200]``: 1e300, not inf)."""
    m, e = _frexp(np.moveaxis(v, ax, -1))

    def exclusive(m, e):
        pm, pe = _cumprod_scaled(m, e)
        ones = np.ones(m.shape[:-1] + (1,))
        return (np.concatenate([ones, pm[..., :-1]], axis=-1),
                np.concatenate([np.zeros(ones.shape, np.int64), pe[..., :-1]], axis=-1))

    lm, le = exclusive(m, e)
    rm, re = exclusive(m[..., ::-1], e[..., ::-1])
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        others = _ldexp(lm * rm[..., ::-1], np.clip(le + re[..., ::-1], -1 << 20, 1 << 20))
    return np.moveaxis(others, -1, ax)


def _extreme(a, axis, keepdims, arg, name, kwargs):
    if "where" in kwargs or "initial" in kwargs:
        return masked(name, a, axis, keepdims, kwargs)
    check_kwargs(name, kwargs)
    if a.ndim == 0:
        _check_0d_axis(axis)
        return a + 0.0
    if a.size == 0:                           # NumPy's own error for an empty reduction
        getattr(np, name)(_primal(a), axis=axis, keepdims=keepdims)
    if axis is None and not keepdims:
        v, p = a.value, a.partials
        if type(v) is np.ndarray and type(p) is np.ndarray:
            # the whole array of plain floats: the element at NumPy's arg index, as the
            # general lines below pick it, without their axis and gather machinery
            # (two thirds of np.max's time at N = 1000; issue 13, fn12)
            v, p = v.reshape(-1), p.reshape(-1, p.shape[-1])
            i = int(arg(v))
            tied = v == v[i]                    # (none at a NaN: NaN != NaN)
            k = int(np.count_nonzero(tied))
            if k > 1:                           # ties: the mean of their partials, the
                # value NumPy's own (its bits: 0.0 or -0.0 at tied signed zeros)
                return make(getattr(np, name)(v), np.sum(p[tied], axis=0) / k, a.tag)
            if v[i] != v[i]:                    # NaN: NumPy's (its sign, attack46b 09)
                return make(getattr(np, name)(v), p[i], a.tag)
            return make(v[i], p[i], a.tag)
    shape = a.shape
    if axis is None:
        a = np.reshape(a, (-1,))
        axis = 0
    axes = normalize_axes(axis, a.ndim)
    if len(axes) == 1:
        result = _extreme_axis(a, axes[0], arg, name)
        if result is not None:
            if keepdims:
                result = np.reshape(result, tuple(1 if i in axes or len(shape) != a.ndim
                                                  else s for i, s in enumerate(shape)))
            return result
    result = a
    for ax in reversed(axes):
        primal = result.value
        while isinstance(primal, Dual):
            primal = primal.value
        index = np.expand_dims(arg(primal, axis=ax), ax)
        value = np.take_along_axis(result.value, index, axis=ax)
        partials = np.take_along_axis(result.partials, index[..., None], axis=ax)
        result = make(np.squeeze(value, ax), np.squeeze(partials, ax), a.tag)
    top = result.value
    while isinstance(top, Dual):
        top = top.value
    # the extreme values, keepdims: the elements the args picked, equal (==) to NumPy's
    # max / min over the axes, NaN where it is NaN (one reduction less, loops45)
    result = _tied_mean(a, axes, result, name, np.expand_dims(top, axes))
    if keepdims:                               # a full reduction keeps every axis as 1
        result = np.reshape(result, tuple(1 if i in axes or len(shape) != a.ndim else s
                                          for i, s in enumerate(shape)))
    return result


def _extreme_axis(a, ax, arg, name):
    """``np.max`` / ``np.min`` of a dual of float64 arrays over the one axis ``ax``: the
    elements ``arg`` picks, gathered by their flat positions (one ``np.take`` of the
    values and one of the partials' rows), where the general lines of :func:`_extreme`
    make two ``take_along_axis`` calls and their index arrays; the same elements, so
    the same bits.  Ties go to :func:`_tied_mean` as there, found by one count: every
    slice holds its own extreme element (a NaN slice none: NaN != NaN), so the count
    of elements equal to their slice's extreme plus the NaN slices equals the number
    of slices exactly when no slice holds two (VFI's ``np.max(.., axis=2)`` over
    (30, 5, 30) x 3: 50 -> 22 us, ``python bench/scalar_loops.py --parts``, vfi46).  ``None`` for anything else (nested or
    complex duals, other dtypes): the general lines."""
    v, p = a.value, a.partials
    if type(v) is not np.ndarray or type(p) is not np.ndarray or v.dtype is not _F64 or \
            p.dtype is not _F64:
        return None
    dims, n = v.shape, p.shape[-1]
    if not n:
        return None
    before, m, after = math.prod(dims[:ax]), dims[ax], math.prod(dims[ax + 1:])
    out = dims[:ax] + dims[ax + 1:]
    # (the ndarray methods, not np.argmax / np.take: NumPy's Python wrappers were
    # ~2 us of VFI's np.max(.., axis=2), ``python bench/vfi_parts.py``)
    if after == 1:                             # the last axis: rows of m
        v3 = v.reshape(before, m)
        index = v3.argmax(axis=1) if arg is np.argmax else v3.argmin(axis=1)
        flat = np.arange(0, before * m, m)
        flat += index
    else:
        v3 = v.reshape(before, m, after)
        index = v3.argmax(axis=1) if arg is np.argmax else v3.argmin(axis=1)
        flat = index * after
        flat += np.arange(0, before * m * after, m * after).reshape(-1, 1)
        flat += np.arange(after)
    flat = flat.reshape(-1)
    value = v3.take(flat)                      # (flat positions into the C-order values)
    # the picked rows of n partials: NumPy's take over the first axis copies each
    # row whole (backend.take's opaque rows cost 3-4x more at VFI's 150 rows of 3)
    partials = p.reshape(-1, n).take(flat, axis=0).reshape(out + (n,))
    top = value.reshape((before, 1) if after == 1 else (before, 1, after))
    value = value.reshape(out)
    result = make(value, partials, a.tag)
    nan = np.count_nonzero(top != top)
    if np.count_nonzero(v3 == top) + nan == before * after:     # no ties
        if nan:                                # NumPy's NaN (its sign bit, attack46b 09)
            return make(getattr(np, name)(v3, axis=1).reshape(out), partials, a.tag)
        return result
    return _tied_mean(a, (ax,), result, name, np.expand_dims(value, ax))


def _tied_mean(a, axes, result, name, top=None):
    """``result`` (the reduction over ``axes`` of ``a``, the partials of the first
    extreme element) with the mean of the partials of the tied extreme elements where
    there are several (rules/_table.py, TIES: JAX's rule; for two, the midpoint).  A
    NaN slice keeps its first NaN's partials (NaN != NaN: never a tie).  Nested duals:
    where the tied elements' first-order parts agree and some dominate at second order,
    the mean of those (:mod:`._second_order`)."""
    v = a.value
    while isinstance(v, Dual):
        v = v.value
    if top is None:
        top = getattr(np, name)(v, axis=axes, keepdims=True)
    tied = v == top
    count = np.sum(tied, axis=axes)
    if not bool(np.any(count > 1)):
        if bool(np.any(top != top)):       # NumPy's NaN (its sign bit, attack46b 09)
            return with_value(result, getattr(np, name)(v, axis=axes))
        return result
    several = count > 1
    if isinstance(a.value, Dual):          # nested: the second order may pick some
        top = _second_order.dominant(a.tag, a.partials, a.value, tied, axes, name == "max")
        if top is not None and bool(np.any(top)):
            picked = np.sum(top, axis=axes, keepdims=True) > 0
            tied = np.where(picked, top, tied)
            count = np.sum(tied, axis=axes)
    total = np.sum(np.where(tied[..., None], a.partials, 0.0), axis=axes)
    several = several[..., None]
    partials = np.where(several, total / np.where(several, count[..., None], 1),
                        result.partials)
    if isinstance(a.value, Dual):          # nested: the inner partials' mean as well
        value = _extreme(a.value, axes, False, np.argmax if name == "max" else np.argmin,
                         name, {})
    else:                                  # NumPy's own value at ties: tied 0.0 and -0.0
        value = getattr(np, name)(v, axis=axes)    # are equal, its bits pick (attack46b 09)
    return make(value, partials, a.tag)


def with_value(d, value):
    """The dual ``d`` (nested or not) with its plain value replaced by ``value``, of
    the same shape: NumPy's own extreme where its bits differ from the element an
    argmax picked (tied 0.0 and -0.0, the sign of a NaN)."""
    if isinstance(d.value, Dual):
        return make(with_value(d.value, value), d.partials, d.tag)
    return make(value, d.partials, d.tag)


def amax(a, axis=None, out=None, keepdims=False, **kwargs):
    """``np.max``: partials of the maximal element, the mean of theirs at a tie (NaN
    wins, as in NumPy: the first NaN's)."""
    if type(axis) is int and out is None and not keepdims and not kwargs:
        result = _one_axis(a, axis, np.argmax, "max")
        if result is not None:
            return result
    return _extreme(a, axis, keepdims, np.argmax, "max", dict(kwargs, out=out))


def amin(a, axis=None, out=None, keepdims=False, **kwargs):
    """``np.min``: partials of the minimal element, the mean of theirs at a tie (NaN
    wins, as in NumPy: the first NaN's)."""
    if type(axis) is int and out is None and not keepdims and not kwargs:
        result = _one_axis(a, axis, np.argmin, "min")
        if result is not None:
            return result
    return _extreme(a, axis, keepdims, np.argmin, "min", dict(kwargs, out=out))


def _one_axis(a, axis, arg, name):
    """``np.max(a, axis=k)`` / ``np.min`` of an array dual of float64 arrays over one
    int axis in range, no other argument: :func:`_extreme`'s own line for it
    (:func:`_extreme_axis`), without its keyword, size and axis checks (VFI's
    ``np.max(.., axis=2)``); ``None`` for anything else (:func:`_extreme` then runs)."""
    v = a.value
    if type(a) is not ArrayDual or type(v) is not np.ndarray or v.dtype is not _F64 or \
            not v.size or not -v.ndim <= axis < v.ndim:
        return None
    return _extreme_axis(a, axis % v.ndim, arg, name)


def cumsum(a, axis=None, dtype=None, out=None, **kwargs):
    """``np.cumsum`` (``axis=None`` scans the flattened array, as NumPy does; NumPy's
    positional order: ``np.cumsum(d, 0, float)``)."""
    check_kwargs("cumsum", dict(kwargs, dtype=dtype, out=out))
    if axis is None or a.ndim == 0:          # NumPy scans a 0-d value as 1-D
        a = np.reshape(a, (-1,))
        axis = 0 if axis is None else axis
    ax = axis_index(axis, a.ndim, bools=False)
    return make(np.cumsum(a.value, axis=ax), np.cumsum(a.partials, axis=ax), a.tag)


def cumprod(a, axis=None, dtype=None, out=None, **kwargs):
    """``np.cumprod``: the step-by-step product rule in one backend pass (exact with
    zero factors and running products out of the float range); small arrays of plain
    values take ``d c_i = c_i * sum_{j <= i} d v_j / v_j`` where that is safe (no zero
    factor, no product out of range), NumPy's engine and nested duals a running product
    along the axis otherwise (NumPy's positional order, as :func:`cumsum`)."""
    check_kwargs("cumprod", dict(kwargs, dtype=dtype, out=out))
    if axis is None or a.ndim == 0:
        a = np.reshape(a, (-1,))
        axis = 0 if axis is None else axis
    ax = axis_index(axis, a.ndim, bools=False)
    return _cumprod_dual(a, np.cumprod(a.value, axis=ax), ax)


@partials_hushed
def _cumprod_dual(a, c, ax):
    """The value ``c`` is NumPy's word: ``c[..., None] * ...`` raised of an underflow it
    did not make (attack63 05)."""
    return make(c, _cumprod_partials(a, c, ax), a.tag)


def _cumprod_partials(a, c, ax):
    """:func:`cumprod`'s partials, ``c`` its value."""
    v = a.value
    if _far_products.nested(a):
        # running products one level down may leave the range (cumprod70)
        coef = _far_products.coefficients(a)
        if coef is not None and not _far_products.in_range(coef, ax):
            return _far_products.cumprod_partials(coef, a.tag, ax)
    if not small(getattr(a.partials, "size", 0)):
        partials = running_product(v, c, a.partials, ax, steps=False)
        if partials is not None:
            return partials
    # the ratio form for plain values only: one level down its diagonal is c / v**2 -
    # c / v**2, whose rounding (eps c / v_i**2) gave H = -131072 for 0 (attack66 F2).
    # Every running product normal (so every factor nonzero and finite) and every ratio
    # 0 or normal: a subnormal ratio (1e-20 / 1e300) kept few digits, a complex c went
    # unchecked (cumprod([1e200, 1e200 + 0j]): inf for 1e200)
    if type(v) is np.ndarray and (not c.size or (
            _normal(c) if c.dtype.kind != "c" else
            _normal_or_zero(c) and bool(np.all(c != 0.0)))):
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            ratio = a.partials / v[..., None]
        if not c.size or _normal_or_zero(ratio):
            with np.errstate(over="ignore", invalid="ignore"):     # a true derivative's inf
                return c[..., None] * np.cumsum(ratio, axis=ax)
    # a zero or subnormal factor (1 / v overflows) or a running product out of range:
    # the kernel's pass, or under NumPy's engine its steps on (mantissa, exponent) pairs
    partials = running_product(v, c, a.partials, ax)
    if partials is not None:
        return partials
    # plain values of other dtypes: the kernel's step rule, as NumPy's own left-to-right
    # loop (the value is NumPy's cumprod: its complex products round otherwise than a
    # dual's)
    if type(v) is np.ndarray:
        steps = [np.take(a, [0], axis=ax)]
        for i in range(1, a.shape[ax]):
            steps.append(steps[-1] * np.take(a, [i], axis=ax))
        return np.concatenate(steps, axis=ax).partials
    # nested duals: the running products by doubling (after the pass with offset d
    # each element holds the product of the 2d before it and itself), products only,
    # so every level keeps the product rule's accuracy, in log2(L) array operations
    # rather than L (a partial product out of the float range where the value is not
    # overflows in either order: diff66 F2)
    length, d, x = a.shape[ax], 1, a
    lead = (slice(None),) * ax
    while d < length:
        x = np.concatenate([x[lead + (slice(None, d),)],
                            x[lead + (slice(d, None),)] * x[lead + (slice(None, -d),)]],
                           axis=ax)
        d *= 2
    return x.partials


# ---- where= and initial=, reduceat, running extremes, log-sum-exp ----------------------
_NEUTRAL = {"sum": 0.0, "prod": 1.0, "max": -np.inf, "min": np.inf}
_WITH_INITIAL = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}
_PLAIN = {"sum": sum, "prod": prod, "max": amax, "min": amin}


def masked(name, a, axis, keepdims, kwargs):
    """``np.<name>(a, axis, where=..., initial=...)`` (``name``: sum, prod, max, min;
    ``np.add.reduce(d, initial=3.0)`` too): the elements ``where=`` leaves out replaced
    by the reduction's neutral element (0, 1, -inf, inf: constants, so zero partials),
    the plain reduction of that, then ``initial`` combined as one more element (added,
    multiplied, or the larger / smaller of the two: its partials are zero).  NumPy's
    own call on the values comes first, so its checks and errors are NumPy's (``max``
    with ``where=`` and no ``initial``: its ValueError)."""
    kwargs = dict(kwargs)
    where = kwargs.pop("where", True)
    initial = kwargs.pop("initial", np._NoValue)
    check_kwargs(name, kwargs)
    if isinstance(where, Dual) or isinstance(initial, Dual) and initial.tag >= a.tag:
        raise errors.unsupported_ufunc(name, "a dual where= or initial= is not supported; "
                                       "pass plain values there (a dual initial: add or "
                                       "combine it after the reduction)")
    given = initial is not None and initial is not np._NoValue
    extra = {"where": where} if where is not True else {}
    if given:
        extra["initial"] = initial
    value = getattr(np, name)(_primal(a), axis=axis, keepdims=keepdims, **extra)
    if where is not True:
        mask = np.broadcast_to(np.asarray(where, dtype=bool), np.shape(_primal(a)))
        a = np.where(mask, a, _NEUTRAL[name])
    if np.size(_primal(a)) == 0:                   # (a max of nothing needs its initial)
        return np.zeros_like(a, shape=np.shape(value)) + value
    result = _PLAIN[name](a, axis=axis, keepdims=keepdims)
    if given:
        result = _WITH_INITIAL[name](result, initial)
    if name in ("max", "min") and isinstance(result, Dual):
        # NumPy's own bits (the sign of a NaN, of a tied zero), as amax gives them
        # without where= (attack48 05); the partials are the picked element's
        result = with_value(result, np.asarray(value, dtype=_primal(result).dtype)
                            if np.ndim(value) else value)
    return result


def reduceat(ufunc, a, indices, axis=0, **kwargs):
    """``ufunc.reduceat(a, indices, axis)`` for add, multiply, maximum and minimum.

    ``np.add.reduceat`` is linear: the partials take it along the same axis (one call).
    The others reduce, for each of the ``k`` output slices, the elements of its segment
    (``a[i:j]``, or ``a[i]`` where ``j <= i``, as NumPy defines it) with the others
    replaced by the neutral element: one ``(..., k, n)`` array and one reduction
    (memory ``k`` times ``a``'s)."""
    name = {np.add: "sum", np.multiply: "prod", np.maximum: "max", np.minimum: "min"}[ufunc]
    check_kwargs(name, kwargs)
    v = _primal(a)
    ufunc.reduceat(v, indices, axis=axis)           # NumPy's checks and errors
    ax = axis_index(axis, np.ndim(v), bools=False)
    if ufunc is np.add:
        return make(np.add.reduceat(a.value, indices, axis=ax),
                    np.add.reduceat(a.partials, indices, axis=ax), a.tag)
    start = np.asarray(indices, dtype=np.intp).reshape(-1)
    n = np.shape(v)[ax]
    stop = np.append(start[1:], n)
    stop = np.where(stop > start, stop, start + 1)
    pos = np.arange(n)
    segments = (pos >= start[:, None]) & (pos < stop[:, None])        # (k, n)
    spread = np.expand_dims(np.moveaxis(a, ax, -1), -2)                # (..., 1, n)
    result = _PLAIN[name](np.where(segments, spread, _NEUTRAL[name]), axis=-1)
    return np.moveaxis(result, -1, ax)


def running_extreme(ufunc, a, axis=0, **kwargs):
    """``np.maximum.accumulate`` / ``np.minimum.accumulate`` (``fmax`` / ``fmin``: NaN
    skipped): each running extreme's partials are those of the element it came from
    (the mean of equal ones so far, as ``np.max`` takes; a NaN wins from where it appears
    on, as in NumPy): the positions
    where the running value changes, carried forward by one integer accumulate, then
    one ``take_along_axis`` of the dual."""
    check_kwargs(ufunc.__name__ + ".accumulate", kwargs)
    v = _primal(a)
    running = ufunc.accumulate(v, axis=axis)
    ax = axis_index(axis, np.ndim(v), bools=False)
    head = (slice(None),) * ax
    before = np.concatenate([np.take(running, [0], axis=ax),
                             running[head + (slice(None, -1),)]], axis=ax)
    better = np.greater if ufunc in (np.maximum, np.fmax) else np.less
    with np.errstate(invalid="ignore"):
        if ufunc in (np.fmax, np.fmin):       # NaN skipped: a number after NaN ones wins
            new = better(v, before) | np.isnan(before) & ~np.isnan(v)
        else:
            new = better(v, before) | np.isnan(v) & ~np.isnan(before)
    new[head + (0,)] = True
    shape = [1] * np.ndim(v)
    shape[ax] = np.shape(v)[ax]
    pos = np.broadcast_to(np.arange(shape[ax]).reshape(shape), np.shape(v))
    index = np.maximum.accumulate(np.where(new, pos, 0), axis=ax)
    result = np.take_along_axis(a, index, axis=ax)
    with np.errstate(invalid="ignore"):
        member = v == running          # equal to the running extreme (NaN never)
    if not isinstance(a, Dual) or not np.any(member & ~new):
        return result if not isinstance(a, Dual) else with_value(result, running)
    # a tie (rules/_table.py, TIES): the mean of the tied elements' partials so far in
    # the run, as np.max takes (the first's alone made maximum.accumulate(x)[-1] +
    # minimum.accumulate(x)[-1], which is a + b for two elements, (2, 0) at a == b)
    count = np.cumsum(member, axis=ax)
    count = count - np.take_along_axis(count, index, axis=ax) + \
        np.take_along_axis(member, index, axis=ax)
    several = (count > 1)[..., None]
    total = segment_sums(np.where(member[..., None], a.partials, 0.0), index, ax)
    partials = np.where(several, total / np.where(several, count[..., None], 1), result.partials)
    value = result.value
    if isinstance(a.value, Dual):      # nested: the second order may pick a member
        pick = _second_order.running(
            a.tag, np.moveaxis(a.partials, ax, 0), np.moveaxis(a.value, ax, 0),
            np.moveaxis(member, ax, 0), np.moveaxis(index, ax, 0),
            ufunc in (np.maximum, np.fmax))
        if pick is not None and bool(np.any(pick >= 0)):
            pick = np.moveaxis(pick, 0, ax)
            chosen = np.take_along_axis(a.partials, np.maximum(pick, 0)[..., None], axis=ax)
            partials = np.where((pick >= 0)[..., None], chosen, partials)
        value = running_extreme(ufunc, a.value, axis)
    else:                              # NumPy's running values (tied 0.0 and -0.0: its bits)
        value = running
    return make(value, partials, a.tag)


def segment_sums(p, start, ax):
    """The sums of ``p`` (values' shape + a trailing axis of directions, an array or a
    dual) along axis ``ax`` within segments: position ``k`` gets the sum over
    ``start[k] .. k`` (``start``, of the values' shape, the index of each position's
    segment start along ``ax``).  Hillis and Steele's scan, ``log2`` of the length
    steps of whole-array operations; only where ties exist (the callers test first)."""
    length = np.shape(start)[ax]
    shape = [1] * np.ndim(start)
    shape[ax] = length
    pos = np.arange(length).reshape(shape)
    head = (slice(None),) * ax
    d = 1
    while d < length:
        valid = (pos[head + (slice(d, None),)] - d >= start[head + (slice(d, None),)])
        moved = np.where(valid[..., None], p[head + (slice(None, -d),)], 0.0)
        p = np.concatenate([p[head + (slice(None, d),)], p[head + (slice(d, None),)] + moved],
                           axis=ax)
        d *= 2
    return p


def numpys_zeros(result, want):
    """``result``, a dual whose values are its input's moved by a sort or a partition,
    with the zeros of ``want()`` (NumPy's float call of the same sort or partition,
    made only where the values hold a zero): NumPy's vectorized sort and partition
    may return 0.0 for a -0.0 and -0.0 for a 0.0 (their output is not their input's
    bits moved), and the dual's value keeps NumPy's signs, so that ``1 / x`` agrees
    with f's float call (lead55, diff55 S1).  Nested duals keep their inner levels'."""
    if not isinstance(result, Dual) or isinstance(result.value, Dual):
        return result
    out = result.value
    if type(out) is not np.ndarray or out.dtype.kind != "f" or out.all():   # (no zero)
        return result
    numpys = want()
    if np.array_equal(np.signbit(out), np.signbit(numpys)):
        return result
    return make(numpys, result.partials, result.tag)


def tie_means(a, picked, groups, ax):
    """``picked`` (elements of the dual ``a`` taken along axis ``ax``: order statistics)
    with ties split: for each ``(tied, at)`` of ``groups`` (``tied``, a bool array of
    ``a``'s shape, marks the elements equal to the picks at ``at``, a bool array
    broadcasting to ``picked``'s shape), where ``tied`` marks several elements, the
    picks at ``at`` get the mean of their partials (rules/_table.py, TIES: np.sort's
    run of equal values and np.max's tied maxima take the mean, the barycenter of the
    pieces' derivatives; one element's partials alone were one side's derivative, so
    np.median(x) and np.sort(x)[k] disagreed at the same tie).  Nested: the inner
    partials' mean as well.  Without ties ``picked`` comes back as it is."""
    counts = [(tied, at, np.sum(tied, axis=ax, keepdims=True)) for tied, at in groups]
    counts = [g for g in counts if np.any(g[2] > 1)]
    if not counts or not isinstance(picked, Dual):
        return picked
    return _tied_partials(a, picked, counts, ax)


def _tied_partials(a, picked, counts, ax):
    partials = picked.partials
    done = {}                          # one sum per distinct tie mask (median: lo, hi)
    for tied, at, count in counts:
        key = (tied.shape, tied.tobytes())
        if key not in done:
            done[key] = _tied_sum(a.partials, tied, ax)
        many = (count > 1) & at
        partials = np.where(many[..., None],
                            done[key] / np.where(count > 1, count, 1)[..., None], partials)
    value = picked.value
    if isinstance(value, Dual):        # nested: the inner partials' mean as well
        value = _tied_partials(a.value, value, counts, ax)
    return make(value, partials, a.tag)


def _tied_sum(p, tied, ax):
    """The sum along ``ax`` (kept as 1) of the partials ``p`` (directions last) of the
    elements ``tied`` marks.  Plain partials: the marked rows gathered and added slice
    by slice (one ``add.reduceat``, in order: no 0 * inf of a masked product, no pass
    over every row's partials); nested ones: ``np.where`` and a sum on the dual."""
    if isinstance(p, Dual) or type(p) is not np.ndarray:
        return np.sum(np.where(tied[..., None], p, 0.0), axis=ax, keepdims=True)
    pm = np.moveaxis(p, ax, -2)
    tm = np.moveaxis(tied, ax, -1)
    lead, width = tm.shape[:-1], p.shape[-1]
    count = np.sum(tm, axis=-1).ravel()
    sums = np.zeros((count.size, width), p.dtype)
    some = count > 0
    if np.any(some):
        rows = pm[tm]                                   # (marked elements, width)
        starts = np.concatenate([[0], np.cumsum(count)[:-1]])[some]
        sums[some] = np.add.reduceat(rows, starts, axis=0)
    return np.moveaxis(sums.reshape(lead + (1, width)), -2, ax)


def log_add_reduce(ufunc, a, axis=0, keepdims=False, **kwargs):
    """``np.logaddexp.reduce`` / ``np.logaddexp2.reduce``: ``m + log(sum(exp(a - m)))``
    with ``m`` the (constant) largest value, so the partials are the softmax weights;
    the value is NumPy's own (its pairwise ``logaddexp`` rounds otherwise)."""
    check_kwargs(ufunc.__name__ + ".reduce", kwargs)
    v = _primal(a)
    value = ufunc.reduce(v, axis=axis, keepdims=keepdims)  # NumPy's checks and errors
    axes = normalize_axes(axis, np.ndim(v))
    exp, log = (np.exp, np.log) if ufunc is np.logaddexp else (np.exp2, np.log2)
    top = np.max(v, axis=axes, keepdims=True) if np.size(v) else 0.0
    top = np.where(np.isfinite(top), top, 0.0)
    result = top + log(np.sum(exp(a - top), axis=axes, keepdims=True))
    if not keepdims:
        result = np.squeeze(result, axes)
    if isinstance(result.value, Dual):
        return result
    return make(value, result.partials, result.tag)
