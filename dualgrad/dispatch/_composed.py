"""NumPy functions on duals written as compositions of supported operations.

Each implementation here calls NumPy functions and ufuncs that dualgrad already
differentiates, so it writes no derivative of its own: the partials follow from
the pieces (and nested duals work too).  Keywords that would change the result
and are not implemented raise ``TypeError``; none is ignored.
"""

import math
import warnings

import numpy as np

from .. import backend, errors
from ..backend import finite
from ..dual import Dual, make, newest, primal
from ._linalg import gram
from ._operands import abs2, operand
from ._reductions import axis_index, axis_tuple, check_kwargs, ddof_of, tie_means, with_value

__all__ = ["COMPOSED", "insert", "unweighted"]


def _refuse(name, **given):
    """Keywords given with a value other than their harmless default."""
    for key, (value, default) in given.items():
        if (value is not None) if default is None else (value != default):
            raise errors.unsupported_function(f"np.{name} with {key}={_brief(value)}")


# ---- creation ---------------------------------------------------------------------------
def _linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
              device=None):
    """``start * (1 - t) + stop * t``: exact at both ends, linear in both."""
    check_kwargs("linspace", {"dtype": dtype})
    t = np.linspace(0.0, 1.0, num, endpoint=endpoint)
    shape = np.broadcast_shapes(np.shape(primal(start)), np.shape(primal(stop)))
    if not shape and not retstep and axis in (0, -1):
        fast = _linspace_scalar(start, stop, t)
        if fast is not None:
            return fast
    t = np.reshape(t, (-1,) + (1,) * len(shape))
    samples = np.moveaxis(start * (1.0 - t) + stop * t, 0, axis)
    if not retstep:
        return samples
    div = num - 1 if endpoint else num
    if div <= 0:               # no step (0 samples, or 1 with its endpoint): NumPy's NaN
        return samples, np.nan
    return samples, (stop - start) / div


def _linspace_scalar(start, stop, t):
    """Scalar ends: the values as the general path computes them, and the partials
    ``(1 - t) d start + t d stop`` in one pass over the output instead of three
    (``None`` when an end is nested, complex or a dual of another tag)."""
    tag, n = newest([start, stop])
    ends = []
    for e in (start, stop):
        if isinstance(e, Dual) and e.tag == tag:
            v, p = e.value, e.partials
            if isinstance(v, Dual) or isinstance(p, Dual):
                return None
            p = np.asarray(p)
            ends.append((float(np.asarray(v)) if np.isrealobj(v) else None,
                         np.reshape(p, (n,))))
        elif isinstance(e, Dual):          # a dual of another tag: its partials count
            return None
        else:
            ends.append((float(e) if np.isrealobj(e) else None, backend.zeros((n,))))
    if any(v is None for v, _ in ends) or any(p.dtype != np.float64 for _, p in ends):
        return None
    (a, pa), (b, pb) = ends
    value = a * (1.0 - t) + b * t
    return make(value, backend.rank2(1.0 - t, pa, t, pb), tag)


def _meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """As NumPy builds it: each input reshaped along its own axis, then broadcast."""
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    ndim = len(xi)
    grids = [np.reshape(x, (1,) * i + (-1,) + (1,) * (ndim - i - 1)) for i, x in enumerate(xi)]
    if indexing == "xy" and ndim > 1:
        grids[0] = np.reshape(grids[0], (1, -1) + (1,) * (ndim - 2))
        grids[1] = np.reshape(grids[1], (-1, 1) + (1,) * (ndim - 2))
    if not sparse:
        grids = list(np.broadcast_arrays(*grids))
    return tuple(np.copy(g) if copy else g for g in grids)


# ---- NaN-aware reductions and cleanup -----------------------------------------------------
def _without_nan(a, fill, nan=None):
    """``a`` with its NaN entries replaced by ``fill``; ``a`` itself (no copy of the
    partials) when it holds no NaN.  ``nan``: ``np.isnan`` of ``a``'s values, if known."""
    nan = np.isnan(primal(a)) if nan is None else nan
    if not nan.any():
        return a
    return np.where(nan, fill, a)


def _nansum(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    check_kwargs("nansum", dict(kwargs, dtype=dtype))
    return np.sum(_without_nan(a, 0.0), axis=axis, keepdims=keepdims)


def _nanmean(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
    check_kwargs("nanmean", dict(kwargs, dtype=dtype))
    count = np.sum(~np.isnan(primal(a)), axis=axis, keepdims=keepdims)
    with np.errstate(invalid="ignore", divide="ignore"):     # all-NaN: NaN, as NumPy
        return np.nansum(a, axis=axis, keepdims=keepdims) / count


def _nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
            mean=np._NoValue, correction=np._NoValue):
    """``np.nanvar`` as NumPy computes it: no NaN, ``np.var``; otherwise the NaN entries
    out of the mean, the deviations and the count; NaN where ``count - ddof <= 0``
    (zero partials there, as ``nanmax`` of an all-NaN slice).
    ``mean=`` is used as given."""
    check_kwargs("nanvar", {"dtype": dtype, "where": where})
    ddof = ddof_of(ddof, correction)
    nan = np.isnan(primal(a))
    if not nan.any():
        return np.var(a, axis=axis, ddof=ddof, keepdims=keepdims, mean=mean)
    count = np.sum(~nan, axis=axis, keepdims=True)
    a = _without_nan(a, 0.0, nan)
    if mean is np._NoValue:
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.sum(a, axis=axis, keepdims=True) / count
    dev = np.where(nan, 0.0, a - mean)
    dof = count - ddof
    if not keepdims:
        dof = np.squeeze(dof, axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.sum(abs2(dev), axis=axis, keepdims=keepdims) / dof
    bad = dof <= 0
    return np.where(bad, np.nan, var) if np.any(bad) else var


def _nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
            mean=np._NoValue, correction=np._NoValue):
    """``np.sqrt(np.nanvar(...))``, the same keywords."""
    return np.sqrt(_nanvar(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean,
                           correction=correction))


def _nan_extreme(reduce, fill, name):
    plain = getattr(np, name)

    def impl(a, axis=None, out=None, keepdims=False, **kwargs):
        check_kwargs(name, kwargs)
        if primal(a).size == 0:               # NumPy's own error for an empty reduction
            plain(primal(a), axis=axis, keepdims=keepdims)
        v = primal(a)
        if getattr(v, "dtype", None) is not None and v.dtype.kind == "f" and \
                not np.isnan(np.min(v)):            # min meets every NaN: one reduce pass
            return reduce(a, axis=axis, keepdims=keepdims)
        nan = np.isnan(v)
        if not nan.any():                           # nothing to skip: the plain reduction
            return reduce(a, axis=axis, keepdims=keepdims)
        result = reduce(_without_nan(a, fill, nan), axis=axis, keepdims=keepdims)
        with warnings.catch_warnings():       # NumPy's own NaN of an all-NaN slice (its
            warnings.simplefilter("ignore", RuntimeWarning)     # sign: attack47b 08)
            nans = plain(v, axis=axis, keepdims=keepdims)
        return np.where(np.all(nan, axis=axis, keepdims=keepdims), nans, result)

    def numpy_zeros(a, axis=None, out=None, keepdims=False, **kwargs):
        return _numpy_zeros(impl(a, axis, out, keepdims, **kwargs), primal(a), plain, axis,
                            keepdims)
    return numpy_zeros


def _numpy_zeros(result, v, plain, axis, keepdims):
    """``result`` (``np.nanmax`` / ``nanmin`` of a dual whose plain values are ``v``)
    with NumPy's own value where it is zero: tied 0.0 and -0.0 are equal, and
    ``nanmax``'s fmax keeps another of them than ``np.max`` (attack46b 09); one more
    reduction, only where an extreme is zero."""
    if not isinstance(result, Dual) or not np.any(primal(result) == 0):
        return result
    return with_value(result, plain(v, axis=axis, keepdims=keepdims))



_nanmax = _nan_extreme(np.max, -np.inf, "nanmax")
_nanmin = _nan_extreme(np.min, np.inf, "nanmin")


def _nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    v = primal(x)
    if isinstance(x, Dual) and type(v) is np.ndarray and v.dtype.kind in "fc" and \
            finite(v):                              # nothing to replace: one copy at most
        return np.copy(x) if copy else x
    if np.iscomplexobj(v):          # NumPy's: the real and imaginary parts each replaced
        parts = [_nan_to_num(part, True, nan, posinf, neginf)
                 for part in (np.real(x), np.imag(x))]
        result = np.where(np.isfinite(v), x, parts[0] + 1j * parts[1])
    else:
        big = np.finfo(np.float64).max
        result = np.where(np.isnan(v), nan, x)
        result = np.where(np.isposinf(v), big if posinf is None else posinf, result)
        result = np.where(np.isneginf(v), -big if neginf is None else neginf, result)
    if copy or not isinstance(x, Dual) or x.ndim == 0:
        return result
    x[...] = result                         # copy=False: in place, as NumPy does
    return x


# ---- order statistics -------------------------------------------------------------------
def _quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
              keepdims=False, *, weights=None, interpolation=None):
    """Every method of NumPy's without weights: each a pair of order statistics and a
    weight (:func:`_positions`); a dual ``q`` moves the weight of the continuous ones.
    With ``weights=`` (NumPy: ``inverted_cdf`` only), :func:`_weighted_quantile`."""
    _refuse("quantile", interpolation=(interpolation, None))
    if weights is not None:
        return _weighted_quantile(a, q, axis, keepdims, method, weights)
    return _order_quantile(a, q, axis, keepdims, median=False, method=method)


def _weighted_quantile(a, q, axis, keepdims, method, weights, skip_nan=False):
    """``np.quantile(a, q, weights=w, method="inverted_cdf")``: an element of ``a``
    (NumPy's value, its checks and errors first), so its partials.  Several elements
    equal to the value (a tie): those of positive weight are the candidates, at every
    ``q`` (NumPy never returns an element of zero weight: ``q == 0`` too gives the
    smallest of positive weight, so ``np.quantile([x, 0], 0, weights=[0, 1])`` is 0;
    the mean of x's and 0's partials gave 1/2, ties45); equal weights: the mean of
    their partials (the cumulative weight crosses ``q`` at a fixed place in their
    order, so each is taken as often, as ``np.sort``'s ties); unequal: the one NumPy
    picks in every order of them where there is one (:func:`_weighted_sole`: the
    quantile is that element near the point, to every order; wq46), else
    :func:`errors.weighted_tie`.  Piecewise constant in ``q`` and the weights: their
    partials do not enter (read by value).

    ``skip_nan``: ``np.nanquantile`` / ``nanpercentile`` (NumPy's: each slice's NaN
    elements and their weights removed, then the same quantile): NumPy's value, and
    the NaN elements weigh 0 here (never tied with the value, never counted in a run
    the second order orders: zero-weight elements never count)."""
    name = "np.nanquantile" if skip_nan else "np.quantile"
    quantile = np.nanquantile if skip_nan else np.quantile
    v = primal(a)
    qv = np.asarray(primal(q), dtype=float)
    if axis is not None and np.ndim(axis) > 0:
        raise errors.unsupported_function(f"{name} with weights= over several axes")
    value = quantile(v, qv, axis=axis, method=method, keepdims=True,
                     weights=primal(weights))
    if not isinstance(a, Dual):
        return value if keepdims else quantile(v, qv, axis=axis, method=method,
                                               weights=primal(weights))
    ndim = np.ndim(v)
    w = np.asarray(primal(weights), dtype=float)
    if skip_nan and np.isnan(v).any():          # full-shape weights, 0 at the NaN
        if w.shape != np.shape(v):
            w = np.reshape(w, (-1,) + (1,) * (ndim - 1 - axis_index(axis, ndim)))
        w = np.where(np.isnan(v), 0.0, w)
        weights = w
    if axis is None:
        a, ax = np.ravel(a), 0
        v, w = np.ravel(v), np.ravel(w)
        value = np.reshape(value, qv.shape + (1,))
    else:
        ax = axis_index(axis, np.ndim(v))
        if w.shape != np.shape(v):                  # 1-D along the axis (NumPy's check)
            w = np.reshape(w, (-1,) + (1,) * (ndim - 1 - ax))
    lead = qv.ndim
    with np.errstate(invalid="ignore"):
        ties = v == value                                   # (q dims in front)
    index = np.argmax(ties & (w > 0), axis=lead + ax, keepdims=True)   # (one counted)
    spread = np.broadcast_to(a, qv.shape + np.shape(v))
    picked = np.take_along_axis(spread, index, axis=lead + ax)
    if np.any(np.sum(ties, axis=lead + ax) > 1):
        group = ties & (w > 0)
        heavy = np.where(group, w, -np.inf).max(axis=lead + ax, keepdims=True)
        light = np.where(group, w, np.inf).min(axis=lead + ax, keepdims=True)
        mixed = (heavy != light) & np.any(group, axis=lead + ax, keepdims=True)
        sole = _weighted_sole(v, w, value, group, qv, ax, lead) if np.any(mixed) else None
        if sole is not None:                # unequal: one taken in every order, or refused
            found = np.any(sole, axis=lead + ax, keepdims=True)
            mixed = mixed & ~found
        if np.any(mixed):
            raise errors.weighted_tie(f"{name} with weights=",
                                      float(np.ravel(value[mixed])[0]))
        if sole is None or np.any(~found & (np.sum(group, axis=lead + ax,
                                                   keepdims=True) > 1)):
            picked = tie_means(spread, picked, [(group, True)], lead + ax)
            if isinstance(a.value, Dual):
                picked = _weighted_sorted(a, v, ties, w, picked, qv, axis, ax, method,
                                          weights)
        if sole is not None:                # f is that element near the point, to all orders
            at = np.argmax(sole, axis=lead + ax, keepdims=True)
            picked = np.where(found, np.take_along_axis(spread, at, axis=lead + ax), picked)
    picked = np.where(np.isnan(value), np.nan, picked)
    if not keepdims:
        return np.squeeze(picked, lead + ax)
    if axis is None:                          # every axis kept as 1, as NumPy's
        return np.reshape(picked, qv.shape + (1,) * ndim)
    return picked


def _weighted_sole(v, w, value, group, qv, ax, lead):
    """The tied elements (``group``: equal to the weighted quantile's ``value``, of
    positive weight) that NumPy picks in every order of the tied ones, one at most per
    slice (shape of ``group``).  NumPy's pick at position ``i`` of its sorted order:
    ``cdf[i-1] < q <= cdf[i]`` with ``cdf`` the cumulative weights over their total
    (``searchsorted(cdf, q, side="left")``; a cumulative weight of 0 counts as below
    every ``q``: NumPy sets those to -1, so it never picks a zero weight).  The tied
    members sit together, past the weight ``C`` of the smaller elements; a member ``e``
    is picked in every order of them iff it is when it comes first (``C``,
    ``C + w_e``) and when it comes last (``C + W - w_e``, ``C + W``, ``W`` the tied
    weight): any other order puts its cumulative weights between those.  Then the
    quantile equals that element near the point, whichever way the tied ones move.
    Integral weights (total below 2**53) sum exactly in every order, so the
    comparisons are NumPy's own (the same correctly rounded quotients); other weights
    sum with rounding that depends on the order, and the comparisons keep a margin of
    their rounding error (a pick within it of a boundary is not claimed)."""
    axis = lead + ax
    q = np.reshape(qv, qv.shape + (1,) * np.ndim(v))
    w = np.broadcast_to(w, np.shape(v))
    total = np.sum(w, axis=ax, keepdims=True)
    with np.errstate(invalid="ignore"):
        below = np.sum(np.where(v < value, w, 0.0), axis=axis, keepdims=True)
        above = np.sum(np.where(v > value, w, 0.0), axis=axis, keepdims=True)
    mine = np.where(group, w, 0.0)
    run = np.sum(mine, axis=axis, keepdims=True)
    others = run - mine
    exact = bool(np.all(w == np.floor(w)) and np.max(total) < 2.0 ** 53)
    margin = 0.0 if exact else 4.0 * (np.shape(v)[ax] + 2) * np.finfo(float).eps

    def picks(before, through, after):
        with np.errstate(divide="ignore", invalid="ignore"):
            low = (before == 0) | (before / total < q - margin)
            return low & ((after == 0) | (through / total >= q + margin))

    first = picks(below, below + mine, others + above)
    last = picks(below + others, below + run, above)
    return group & first & last


def _weighted_sorted(a, v, ties, w, picked, qv, axis, ax, method, weights):
    """Nested duals (a Hessian) at a tie of the weighted quantile: np.sort's entry at
    NumPy's own index (the run's j-th member, j fixed by the cumulative weight, as the
    run np.sort orders by the second order: ``np.quantile([x**2, 0], 1, weights=[1, 1],
    method="inverted_cdf")`` is ``x**2``, 2; the mean gave 1).  NumPy's index is its
    quantile of the elements' ranks in its own order (``np.argsort`` of the same values:
    the same permutation, the same cumulative weights).  Elements of zero weight never
    count (NumPy never returns one): they are set to +inf here, past every element of
    positive weight, so the run np.sort orders holds the counted members only
    (``[x**2, 0, -x**2]``, weights ``[1, 0, 1]``, q = 1: ``x**2``, 2; the mean gave 0,
    ties45)."""
    lead = qv.ndim
    counted = w > 0
    whole = np.sum(ties & counted, axis=lead + ax, keepdims=True) > 1
    if not whole.any():
        return picked
    if not np.all(counted):
        v = np.where(counted, v, np.inf)
        a = np.where(counted, a, np.inf)
    order = np.argsort(np.moveaxis(v, ax, 0), axis=0)
    ranks = np.empty(order.shape)
    np.put_along_axis(ranks, order, np.arange(order.shape[0], dtype=float).reshape(
        (-1,) + (1,) * (order.ndim - 1)), axis=0)
    ranks = np.moveaxis(ranks, 0, ax)
    at = np.quantile(ranks, qv, axis=ax, method=method, keepdims=True,
                     weights=w if axis is None else primal(weights))
    at = np.where(whole, at, 0).astype(np.intp)
    ordered = np.broadcast_to(np.sort(a, axis=ax), qv.shape + np.shape(v))
    return np.where(whole, np.take_along_axis(ordered, at, axis=lead + ax), picked)


def _order_quantile(a, q, axis, keepdims, median, method="linear"):
    """Quantile ``q`` of ``a`` along ``axis``, valued as NumPy's: its ``_lerp`` for
    ``np.quantile`` (from the upper neighbour when the weight is >= 1/2), the mean of
    the middle two for ``np.median`` of an even count.  A dual ``q`` (of a real dual
    ``a``'s call or an outer one) enters through the interpolation weight."""
    if method not in _METHODS:
        raise ValueError(f"{method!r} is not a valid method. Use one of: "
                         f"{tuple(_METHODS)} (NumPy's rule)")
    dual_q = q if isinstance(q, Dual) else None
    q = np.asarray(primal(q) if dual_q is not None else q, dtype=float)
    if not np.all((q >= 0) & (q <= 1)):             # (a NaN q too)
        raise ValueError(f"Quantiles must be in the range [0, 1] (NumPy's rule), got "
                         f"{_brief(q)}")
    ndim = np.ndim(primal(a))
    if axis is not None and np.ndim(axis) == 1:      # NumPy's checks first, a 1-tuple
        axis = axis_tuple(axis, ndim)                # the same as its one axis
        if not axis:
            raise errors.unsupported_function("np.quantile over no axis (axis=())")
        if len(axis) > 1:
            return _over_axes(a, q if dual_q is None else dual_q, axis, keepdims, median,
                              method)
        axis = axis[0]
    if axis is None:
        a, ax = np.ravel(a), 0
    else:
        ax = axis_index(axis, ndim)
    v = primal(a)
    n = np.shape(v)[ax]
    if n == 0 and median:           # NumPy's median of nothing: the empty mean, NaN
        warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=4)
        with np.errstate(invalid="ignore"):
            result = np.mean(a, axis=ax, keepdims=keepdims and axis is not None)
        return np.reshape(result, (1,) * ndim) if keepdims and axis is None else result
    lo, hi, frac = _positions(method, n, q, dual_q)
    frac = np.reshape(frac, q.shape + (1,) * (np.ndim(v) - 1))
    below = np.moveaxis(_ranked(a, lo, ax), list(range(ax, ax + q.ndim)),
                        list(range(q.ndim)))
    above = np.moveaxis(_ranked(a, hi, ax), list(range(ax, ax + q.ndim)),
                        list(range(q.ndim)))
    if median:
        result = below if n % 2 else (below + above) / 2.0
    else:
        diff = above - below
        result = np.where(frac >= 0.5, above - diff * (1.0 - frac), below + diff * frac)
    # a NaN anywhere along the axis makes the quantile NaN, as in NumPy
    result = np.where(np.any(np.isnan(v), axis=ax), np.nan, result)
    result = _numpys_zero_signs(result, v, q, ax, median, method)
    if keepdims:                    # the reduced axes come back with length 1
        result = np.reshape(result, q.shape + (1,) * ndim) if axis is None else \
            np.expand_dims(result, q.ndim + ax)
    return result


def _numpys_zero_signs(result, v, q, ax, median, method):
    """``result`` with NumPy's own zeros where its value is a zero: NumPy's median
    (a mean of the middle ones) and quantile (its ``_lerp``) give 0.0 where the dual's
    order statistic kept an input's -0.0 (``1 / np.median([0, -0, 1])`` is +inf, the
    dual's value gave -inf: attack56 20; the sort / partition twin is
    ``_reductions.numpys_zeros``).  NumPy's float call only where a zero is."""
    if not isinstance(result, Dual):
        return result
    got = result.value
    while isinstance(got, Dual):
        got = got.value
    if not np.any(got == 0):
        return result
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        numpys = np.median(v, axis=ax) if median else np.quantile(v, q, axis=ax, method=method)
    numpys = np.broadcast_to(numpys, np.shape(got))
    zero = got == 0
    if np.array_equal(np.signbit(got)[zero], np.signbit(numpys)[zero]):
        return result
    return with_value(result, np.where(zero, numpys, got))


def _over_axes(a, q, axes, keepdims, median, method="linear"):
    """The quantile over several axes, as NumPy takes it: the other axes first, the
    reduced ones merged into one last axis (their order does not change the value)."""
    shape = np.shape(primal(a))
    axes = sorted(axes)
    kept = [i for i in range(len(shape)) if i not in axes]
    merged = np.reshape(np.transpose(a, kept + axes), [shape[i] for i in kept] + [-1])
    result = _order_quantile(merged, q, -1, False, median, method)
    if keepdims:
        result = np.reshape(result, np.shape(q) + tuple(1 if i in axes else n
                                                       for i, n in enumerate(shape)))
    return result


# NumPy's quantile methods: (alpha, beta) of Hyndman and Fan's continuous ones, whose
# virtual index is n q + alpha + q (1 - alpha - beta) - 1; the others by name
_ALPHA_BETA = {"interpolated_inverted_cdf": (0.0, 1.0), "hazen": (0.5, 0.5),
               "weibull": (0.0, 0.0), "median_unbiased": (1 / 3.0, 1 / 3.0),
               "normal_unbiased": (3 / 8.0, 3 / 8.0)}
_DISCRETE = ("inverted_cdf", "closest_observation", "lower", "higher", "nearest")
_METHODS = ("inverted_cdf", "averaged_inverted_cdf", "closest_observation",
            *_ALPHA_BETA, "linear", "lower", "higher", "midpoint", "nearest")


def _positions(method, n, q, dual_q=None):
    """The ranks ``lo``, ``hi`` (ints shaped like ``q``) and the weight of ``hi``
    NumPy's quantile ``method`` takes for ``n`` values: its own index arithmetic
    (``numpy.lib._function_base_impl._QuantileMethods``), so the same two order
    statistics and the same weight.  The discrete methods pick one rank (weight 0);
    ``averaged_inverted_cdf`` and ``midpoint`` fix the weight (1/2, 0 or 1); the
    others interpolate, and with a dual ``q`` (``dual_q``) their weight is a dual:
    ``d virtual index / dq`` is ``n - 1`` (linear) or ``n + 1 - alpha - beta``."""
    if method in _DISCRETE:
        if method == "lower":
            rank = np.floor((n - 1) * q).astype(np.intp)
        elif method == "higher":
            rank = np.ceil((n - 1) * q).astype(np.intp)
        elif method == "nearest":
            rank = np.around((n - 1) * q).astype(np.intp)
        elif method == "inverted_cdf":
            rank = _boundary(n * q - 1, lambda gamma, index: gamma == 0)
        else:                                                   # closest_observation
            rank = _boundary(n * q - 1 - 0.5,
                             lambda gamma, index: (gamma == 0) & (np.floor(index) % 2 == 1))
        return rank, rank, np.zeros(np.shape(q))
    z = q if dual_q is None else dual_q
    if method == "linear":
        virtual = (n - 1) * z
    elif method in _ALPHA_BETA:
        alpha, beta = _ALPHA_BETA[method]
        virtual = n * z + (alpha + z * (1 - alpha - beta)) - 1
    elif method == "averaged_inverted_cdf":
        virtual = n * z - 1
    else:                                                       # midpoint
        virtual = 0.5 * (np.floor((n - 1) * q) + np.ceil((n - 1) * q))
    v = np.asarray(primal(virtual), dtype=float)
    below = np.floor(v)
    gamma = virtual - below
    if method == "averaged_inverted_cdf":
        gamma = np.where(primal(gamma) == 0, 0.5, 1.0)
    elif method == "midpoint":
        gamma = np.where(v % 1 == 0, 0.0, 0.5)
    lo = below.astype(np.intp)
    hi = lo + 1
    top = v >= n - 1                     # beyond the ends: the end value (weight moot)
    lo = np.where(top, n - 1, np.where(v < 0, 0, lo))
    hi = np.where(top, n - 1, np.where(v < 0, 0, hi))
    return lo, hi, gamma


def _boundary(index, take_lower):
    """NumPy's ``_discrete_interpolation_to_boundaries``: ``floor(index)`` where
    ``take_lower(gamma, index)``, else the next rank, at least 0."""
    lower = np.floor(index)
    rank = np.where(take_lower(index - lower, index), lower, lower + 1).astype(np.intp)
    return np.maximum(rank, 0)


def _brief(value):
    """``value`` for a message: its repr when short, else its type and shape (a
    message never prints a whole array)."""
    text = repr(value.tolist() if isinstance(value, np.ndarray) and value.size <= 8
                else value)
    if len(text) <= 80:
        return text
    return f"{type(value).__name__} of shape {np.shape(primal(value))}"


def _ranked(a, ranks, ax):
    """``np.take(np.sort(a, axis=ax), ranks, axis=ax)`` without sorting: the element
    of each rank in ``ranks`` (ints) found by one ``argpartition``; where several
    elements share its value (a tie) the mean of their partials (``tie_means``,
    as ``np.sort`` gives a run of equal values), and under nested duals np.sort's
    entries themselves (its run may be ordered by the second order).  NaN sorts last; a rank among the
    NaN picks one of them (the caller's result is NaN there)."""
    v = primal(a)
    flat = np.ravel(ranks)
    part = np.argpartition(v, np.unique(flat), axis=ax)
    index = np.concatenate([np.take(part, [k], axis=ax) for k in flat.tolist()], axis=ax)
    picked = np.take_along_axis(a, index, axis=ax)
    if isinstance(a, Dual):
        at = np.arange(flat.size).reshape((-1,) + (1,) * (np.ndim(v) - 1 - ax))
        with np.errstate(invalid="ignore"):
            groups = [(v == np.take(primal(picked), [j], axis=ax), at == j)
                      for j in range(flat.size)]
        if isinstance(a.value, Dual) and any(np.any(np.sum(t, axis=ax) > 1)
                                             for t, _ in groups):
            # nested (a Hessian) at a tie: np.sort's own entries, so that a run the
            # second order orders (sort([x**2, 0])[-1] is x**2) is ordered here too
            # (the mean of the run at every order gave np.quantile([x**2, 0], 1) the
            # Hessian 1, truth 2)
            picked = np.take(np.sort(a, axis=ax), flat, axis=ax)
        else:
            picked = tie_means(a, picked, groups, ax)
    shape = np.shape(v)
    return np.reshape(picked, shape[:ax] + np.shape(ranks) + shape[ax + 1:])


def _percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None, interpolation=None):
    return _quantile(a, _hundredths(q), axis, out, overwrite_input,
                     method, keepdims, weights=weights, interpolation=interpolation)


def _hundredths(q):
    """``q / 100`` of a percentile (a dual ``q`` stays one)."""
    return q / 100.0 if isinstance(q, Dual) else np.asarray(q, dtype=float) / 100.0


def _median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return _order_quantile(a, 0.5, axis, keepdims, median=True)


def _nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                 keepdims=False, *, weights=None, interpolation=None):
    """``np.quantile`` of each slice's non-NaN elements (NaN, with NumPy's warning and
    zero partials, where a slice has none): the NaN elements and their partials left out."""
    _refuse("nanquantile", interpolation=(interpolation, None))
    if weights is not None:         # NumPy: inverted_cdf only, each slice's NaN removed
        return _weighted_quantile(a, q, axis, keepdims, method, weights, skip_nan=True)
    return _nan_order(a, q, axis, keepdims, median=False, method=method)


def _nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                   keepdims=False, *, weights=None, interpolation=None):
    _refuse("nanpercentile", interpolation=(interpolation, None))
    if weights is not None:
        return _weighted_quantile(a, _hundredths(q), axis, keepdims, method, weights,
                                  skip_nan=True)
    return _nan_order(a, _hundredths(q), axis, keepdims, median=False, method=method)


def _nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=np._NoValue):
    return _nan_order(a, 0.5, axis, keepdims is not np._NoValue and keepdims, median=True)


def _nan_order(a, q, axis, keepdims, median, method="linear"):
    """The quantile over ``axis`` of each slice with its NaN elements removed, as
    NumPy's ``nanquantile`` / ``nanmedian`` take it (each slice's compressed values
    through the plain quantile: NumPy's values).  Slices with equally many NaN go
    through :func:`_order_quantile` together, one call per distinct count."""
    v = primal(a)
    nan = np.isnan(v)
    if not nan.any():
        return _order_quantile(a, q, axis, keepdims, median, method)
    dual_q = q if isinstance(q, Dual) else None        # enters each slice's weight
    q = np.asarray(primal(q) if dual_q is not None else q, dtype=float)
    if not np.all((q >= 0) & (q <= 1)):
        raise ValueError(f"Quantiles must be in the range [0, 1] (NumPy's rule), got "
                         f"{_brief(q)}")
    shape, ndim = np.shape(v), np.ndim(v)
    if axis is None:
        axes = tuple(range(ndim))
    elif np.ndim(axis) == 1:
        axes = tuple(sorted(axis_tuple(axis, ndim)))
    else:
        axes = (axis_index(axis, ndim),)
    kept = [i for i in range(ndim) if i not in axes]
    length = math.prod(shape[i] for i in axes)
    rows = np.reshape(np.transpose(a, kept + list(axes)), (-1, length))
    holes = np.reshape(np.transpose(nan, kept + list(axes)), (-1, length))
    count = length - np.sum(holes, axis=1)
    pieces, which = [], []
    for c in np.unique(count).tolist():
        these = np.flatnonzero(count == c)
        group = rows[these]
        if c == 0:                      # NumPy's NaN and warning; no partials move
            warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=4)
            piece = np.where(np.ones(q.shape + these.shape, dtype=bool), np.nan, group[:, 0])
        else:
            compact = np.reshape(group[~holes[these]], (len(these), c))
            piece = _order_quantile(compact, q if dual_q is None else dual_q, 1, False,
                                    median, method)
        pieces.append(piece)
        which.append(these)
    result = np.concatenate(pieces, axis=-1) if len(pieces) > 1 else pieces[0]
    if len(pieces) > 1:
        result = np.take(result, np.argsort(np.concatenate(which)), axis=-1)
    out = [1 if i in axes else shape[i] for i in range(ndim)] if keepdims else \
        [shape[i] for i in kept]
    return np.reshape(result, q.shape + tuple(out))


def _nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=np._NoValue,
             where=np._NoValue):
    """``np.prod`` with the NaN elements (and their partials) taken as one."""
    check_kwargs("nanprod", {"dtype": dtype})
    for key, value in (("initial", initial), ("where", where)):
        if value is not np._NoValue and not (key == "where" and value is True):
            raise errors.unsupported_function(f"np.nanprod with {key}=")
    return np.prod(_without_nan(a, 1.0), axis=axis, keepdims=keepdims)


def _nancumsum(a, axis=None, dtype=None, out=None):
    """``np.cumsum`` with the NaN elements (and their partials) taken as zero."""
    check_kwargs("nancumsum", {"dtype": dtype})
    return np.cumsum(_without_nan(a, 0.0), axis=axis)


def _nancumprod(a, axis=None, dtype=None, out=None):
    """``np.cumprod`` with the NaN elements (and their partials) taken as one."""
    check_kwargs("nancumprod", {"dtype": dtype})
    return np.cumprod(_without_nan(a, 1.0), axis=axis)


# ---- differences, special functions, matrices -------------------------------------------
def _sinc(x):
    """``sin(pi x) / (pi x)``; where ``|pi x| < 1`` its Taylor polynomial of degree 26
    in ``pi x``, whose derivatives are sinc's own to below 1e-18 relative up to the
    fifth.  The quotient's derivatives cancel near 0 (its second derivative's terms
    grow like ``1 / x**2``: at x = 1e-8 the quotient gave -6 for -3.29), and a
    constant guard at 0, as NumPy uses, would give 0 for the second."""
    y = np.pi * x
    near = np.abs(primal(y)) < 1.0
    t = np.where(near, y, 0.0)
    u = t * t
    poly = _SINC_TAYLOR[-1]
    for c in _SINC_TAYLOR[-2::-1]:
        poly = poly * u + c
    safe = np.where(near, 1.0, y)
    return np.where(near, poly, np.sin(safe) / safe)


# (-1)^k / (2k + 1)!, k = 0..13: sin(y) / y = sum_k c_k (y^2)^k
_SINC_TAYLOR = tuple((-1.0) ** k / math.factorial(2 * k + 1) for k in range(14))


def _ediff1d(ary, to_end=None, to_begin=None):
    parts = [np.ravel(operand(p)) for p in (to_begin,) if p is not None]
    parts.append(np.diff(np.ravel(ary)))
    parts += [np.ravel(operand(p)) for p in (to_end,) if p is not None]
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def _cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
         dtype=None):
    """Unweighted covariance as NumPy (2) defines it: centred rows,
    ``X @ X.T / (N - ddof)``; ``rowvar=False`` transposes any ``m`` of two dimensions
    (a (1, k) one too: k variables, one observation each; ``y`` keeps NumPy's older
    rule, transposed unless it has one row), and ``N - ddof`` is clipped at 0 with
    NumPy's warning (inf or NaN, never a negative covariance)."""
    check_kwargs("cov", {"dtype": dtype})
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")            # NumPy's own check and words
    one_d = np.ndim(primal(m) if isinstance(m, Dual) else m) == 1
    x = np.atleast_2d(m)
    if not rowvar and not one_d:
        x = np.transpose(x)
    if y is not None:
        y = np.atleast_2d(y)
        if not rowvar and np.shape(primal(y))[0] != 1:
            y = np.transpose(y)
        x = np.concatenate([x, y], axis=0)
    count = np.shape(primal(x))[1]
    ddof = (0 if bias else 1) if ddof is None else ddof
    if fweights is not None or aweights is not None:
        return _weighted_cov(x, ddof, fweights, aweights)
    fact = count - ddof
    if fact <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=3)
        fact = 0.0
    lean = _covariance(x, fact)
    if lean is not None:
        return np.squeeze(lean)
    centred = x - np.mean(x, axis=1, keepdims=True)
    if np.iscomplexobj(primal(centred)):        # NumPy's X @ X^H
        c = centred @ np.conj(np.transpose(centred))
    else:
        c = gram(centred) if isinstance(centred, Dual) else centred @ np.transpose(centred)
    return np.squeeze(c * np.true_divide(1, fact))   # fact 0: inf, NaN where c = 0


def unweighted(a, zero):
    """``a`` with zero partials, at every dual level, where the plain boolean ``zero``
    (broadcasting to ``a``'s shape) is set: the elements a plain zero weight removes
    from a weighted mean or covariance.  They do not enter the result, so their
    partials must not either: ``0 * inf`` made NaN of a removed ``sqrt(x)`` at 0
    (attack42).  The value is ``a``'s own (NumPy's value keeps its NaN where a removed
    element is infinite); ``a`` itself when nothing is removed or it is no array dual."""
    if not isinstance(a, Dual) or not np.any(zero) or np.ndim(primal(a)) == 0:
        return a
    zero = np.broadcast_to(zero, np.shape(primal(a)))
    p = a.partials
    return make(unweighted(a.value, zero), np.where(zero[..., None], 0.0, p), a.tag)


def _weighted_cov(x, ddof, fweights, aweights):
    """``np.cov`` with ``fweights=`` / ``aweights=`` (plain or dual), NumPy's formula:
    the weighted mean, ``fact`` from the weights' sums, ``X (w X)^T / fact``; NumPy's
    checks of the weights (integers, 1-D, one per observation, not negative) on their
    values first, with its errors."""
    fv = None if fweights is None else primal(fweights)
    av = None if aweights is None else primal(aweights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # (NumPy's own, said below)
        np.cov(primal(x), ddof=ddof, fweights=fv, aweights=av)
    w = None if fweights is None else operand(fweights) * 1.0
    if aweights is not None:
        a = operand(aweights) * 1.0
        w = a if w is None else w * a
    if not isinstance(w, Dual):                 # observations of weight 0 are not in it
        x = unweighted(x, primal(w) == 0)
    avg, w_sum = np.average(x, axis=1, weights=w, returned=True)
    w_sum = w_sum[0]
    if ddof == 0:
        fact = w_sum
    elif aweights is None:
        fact = w_sum - ddof
    else:
        fact = w_sum - ddof * np.sum(w * a) / w_sum
    if primal(fact) <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=4)
        fact = 0.0
    centred = x - avg[:, None]
    if np.iscomplexobj(primal(centred)):
        c = centred @ np.conj(np.transpose(centred * w))
    else:
        c = centred @ np.transpose(centred * w)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.squeeze(c * np.true_divide(1, fact))


def _covariance(x, fact):
    """The covariance of the rows of a real dual ``x`` of plain float64 arrays whose
    value has finite variances, ``fact`` (``count - ddof``) positive: NumPy's value
    by NumPy's operations (centred rows ``X``, ``dot(X, X.T)`` times ``1 / fact``), and
    the partials ``(X dV^T + dV X^T) / fact`` as one GEMM ``G = X' D^T`` and
    ``(G + G^T) / fact``.  ``X'`` is ``X`` centred once more, its rows summing to zero
    to rounding (``r``), and ``D`` is ``dV`` less its first observation's partials
    (``a``), so ``X' D^T`` is the centred partials' product to within ``r`` times
    ``mean(dV) - a``: both small.  Without ``D`` (``X' dV^T``, stop 32) a part
    common to every observation (a shift, timestamps of 1.7e9 s) entered times ``r``:
    relative errors to 2e-7 (attack20); with it a pure shift gives exactly 0.  ``D``
    costs no pass of its own: it is the transposed copy BLAS needs anyway, written
    by one kernel.  ``None`` for anything else (complex, nested, a non-finite
    variance, ``fact <= 0``), which the general lines serve."""
    if not isinstance(x, Dual) or not fact > 0:
        return None
    v = x.value
    if type(v) is not np.ndarray or v.dtype != np.float64 or v.ndim != 2:
        return None
    p = x.partials
    if type(p) is not np.ndarray or p.dtype != np.float64:
        return None
    centred = v - v.mean(axis=1)[:, None]
    c = np.dot(centred, centred.T)
    c *= np.true_divide(1, fact)
    if not finite(np.diagonal(c)):
        return None
    centred -= centred.mean(axis=1, keepdims=True)
    rows, count, n = p.shape
    swapped = backend.swap_shifted(p)
    if swapped is None:
        swapped = np.subtract(np.swapaxes(p, 0, 1), p[:, 0],
                              out=backend.empty((count, rows, n)))
    g = backend.empty((rows, rows, n))
    np.dot(centred, swapped.reshape(count, rows * n), out=g.reshape(rows, rows * n))
    if not backend.symmetric_sum(g, 1.0 / fact):
        g = g + np.swapaxes(g, 0, 1)
        g *= 1.0 / fact
    return make(c, g, x.tag)


def _corrcoef(x, y=None, rowvar=True, *, dtype=None):
    c = np.cov(x, y, rowvar, dtype=dtype)
    if np.ndim(primal(c)) == 0:
        return c / c
    lean = _correlation(c)
    if lean is not None:
        return lean
    d = np.diagonal(c)
    if np.iscomplexobj(primal(c)):              # as NumPy: real variances, parts clipped
        d = np.sqrt(np.real(d))
        r = c / d[:, None] / d[None, :]
        return np.clip(np.real(r), -1.0, 1.0) + 1j * np.clip(np.imag(r), -1.0, 1.0)
    d = np.sqrt(d)
    return np.clip(c / d[:, None] / d[None, :], -1.0, 1.0)


def _correlation(c):
    """``np.corrcoef``'s normalisation of a real covariance dual ``c`` (plain float64
    arrays, finite, positive variances): NumPy's value (``c / d[:, None] / d[None, :]``,
    ``d`` the standard deviations, clipped to [-1, 1]) and the partials in closed
    form, ``dr_ij = dc_ij / (d_i d_j) - r_ij (s_i + s_j)`` with ``s_i = dc_ii / (2 c_ii)``
    (``d d_i / d_i``), zero where the clip holds ``r`` (as ``np.clip`` of a dual
    gives): one kernel pass over the partials (four NumPy passes where no kernel
    runs) in place of the general lines' two broadcast divisions and clip.  ``None``
    for anything else (complex,
    nested, an inf or NaN, a zero variance), which those lines serve."""
    v = c.value
    if type(v) is not np.ndarray or v.dtype != np.float64 or v.ndim != 2:
        return None
    p = c.partials
    variances = np.diagonal(v)
    if type(p) is not np.ndarray or p.dtype != np.float64 or not finite(v) or \
            not np.all(variances > 0.0):
        return None
    d = np.sqrt(variances)
    r = v / d[:, None] / d[None, :]
    s = np.diagonal(p).T / (2.0 * variances)[:, None]         # (rows, n)
    w = 1.0 / (d[:, None] * d[None, :])
    out = backend.correlation(p, w, r, s)
    if out is None:
        out = p * w[..., None]
        pair = s[:, None, :] + s[None, :, :]
        pair *= r[..., None]
        out -= pair
    clipped = (r < -1.0) | (r > 1.0)
    if clipped.any():
        out[clipped] = 0.0
    return make(np.clip(r, -1.0, 1.0), out, c.tag)


# Partials elements up to which a matrix power takes :func:`_power_chain`: its
# ``B.T @ dA`` is one small GEMM per row, which larger matrices do in one GEMM
# through the dual products (``_linalg._matmul_partials``).
_POWER_CHAIN = 4096


def _power_chain(a, n):
    """``a`` to the power ``n >= 2`` for a square dual of plain float64 arrays with a
    finite value: NumPy's products in NumPy's order (its short cuts for 2 and 3, then
    its binary decomposition), each on the value and, by the product rule, on the
    partials (``dA @ B`` as ``B.T @ dA`` over ``dA``'s rows, ``A @ dB`` as one product),
    without a dual operation per step (their dispatch was most of a 4 x 4 power's
    time), up to :data:`_POWER_CHAIN` partials.  ``None`` for anything else, or
    where the power is not finite (an overflow: the dual operations' NaN-safe
    products then run, and NumPy reports the overflow once more)."""
    if not isinstance(a, Dual):
        return None
    v, p = a.value, a.partials
    if type(v) is not np.ndarray or type(p) is not np.ndarray or v.dtype != np.float64 or \
            p.dtype != np.float64 or v.ndim != 2 or v.shape[0] != v.shape[1] or \
            not v.shape[0] or p.size > _POWER_CHAIN or not finite(v):
        return None
    values, steps = [v], []              # the value's products first: value j + 1 is
                                         # values[i] @ values[l] for steps[j] = (i, l)

    def times(i, j):
        values.append(values[i] @ values[j])
        steps.append((i, j))
        return len(values) - 1

    if n <= 3:
        result = times(0, 0) if n == 2 else times(times(0, 0), 0)
    else:
        result = z = None
        while n > 0:
            z = 0 if z is None else times(z, z)
            n, bit = divmod(n, 2)
            if bit:
                result = z if result is None else times(result, z)
    if not finite(values[result]):
        return None
    m, k = v.shape[0], p.shape[-1]
    partials = [p]
    for i, j in steps:                   # d(A B) = dA B + A dB, dA B as B.T @ dA's rows
        partials.append(np.matmul(values[j].T, partials[i]) +
                        (values[i] @ partials[j].reshape(m, m * k)).reshape(m, m, k))
    return make(values[result], partials[result], a.tag)


def _matrix_power(a, n):
    """Repeated squaring with ``@`` (``inv`` first for negative ``n``), in NumPy's
    order, so NumPy's value: its short cut ``(a @ a) @ a`` for a cube, where the
    squaring would multiply ``a @ (a @ a)``."""
    n = int(n)
    if n < 0:
        a, n = np.linalg.inv(a), -n
    lean = _power_chain(a, n) if n >= 2 else None
    if lean is not None:
        return lean
    if n == 3:
        return (a @ a) @ a
    result = None
    while n:
        if n & 1:
            result = a if result is None else result @ a
        n >>= 1
        if n:
            a = a @ a
    if result is None:                                   # n == 0: the identity
        eye = np.broadcast_to(np.eye(np.shape(primal(a))[-1]), np.shape(primal(a)))
        return np.zeros_like(a) + eye
    return result


def _unwrap(p, discont=None, axis=-1, *, period=2 * np.pi):
    """NumPy's correction (whole periods, piecewise constant in ``p``) computed on the
    values as NumPy computes it, added to ``p`` itself: the partials are ``p``'s.  A
    dual ``period``: the correction is ``k * period`` with ``k`` the whole number of
    periods NumPy added, so its derivative is ``k`` times the period's."""
    dual_period = period
    period = primal(period)
    v = np.asarray(primal(p))
    dd = np.diff(v, axis=axis)
    discont = period / 2 if discont is None else primal(discont)
    if np.issubdtype(np.result_type(dd, period), np.integer):     # (dual values: floats)
        high, rem = divmod(period, 2)
        ambiguous = rem == 0
    else:
        high, ambiguous = period / 2, True
    ddmod = np.mod(dd - -high, period) + -high
    if ambiguous:
        np.copyto(ddmod, high, where=(ddmod == -high) & (dd > 0))
    correct = ddmod - dd
    np.copyto(correct, 0, where=np.abs(dd) < discont)
    if errors.WATCHING[0]:      # dg.quad's watch: the whole periods jump where a moving
        _report_unwrap(p, axis, high, period, discont)      # difference crosses one
    if isinstance(dual_period, Dual):      # NumPy's value kept: k * (period - its value)
        correct = correct + np.round(correct / period) * (dual_period - period)
    ax = axis_index(axis, v.ndim)
    first = np.take(p, [0], axis=ax)
    rest = np.take(p, np.arange(1, v.shape[ax]), axis=ax)
    return np.concatenate([first, rest + np.cumsum(correct, axis=ax)], axis=ax)


def _report_unwrap(p, axis, high, period, discont):
    """np.unwrap's branches on the differences ``dd`` of ``p`` (duals), reported to
    dg.quad's watch (attack51 04: a moving jump of 2 pi was lost): NumPy's ``mod(dd +
    high, period)`` steps where ``(dd + high) / period`` crosses an integer, and
    ``|dd| < discont`` zeroes the correction (a place of its own where discont >
    high)."""
    if not isinstance(p, Dual):
        return
    dd = np.diff(p, axis=axis)
    errors.report_branch(np.floor, ((dd + high) / period,), None)
    if discont > high:          # (no np.abs here: its own kink would be reported)
        errors.report_branch(np.less, (dd, discont), None)
        errors.report_branch(np.greater, (dd, -discont), None)


def insert_index(arr_shape, obj, values_shape, axis):
    """Where each element of ``np.insert(arr, obj, values, axis)`` comes from, as an
    index into ``concatenate([ravel(arr), ravel(values)])``: NumPy's own insert of the
    element numbers of ``arr`` (0, 1, ...) and of ``values`` (-1, -2, ...), so that
    every reading of ``obj`` (int, slice, sequence, negative, scalar ``obj`` with a
    block of values), of ``axis`` and of the broadcast of ``values`` is NumPy's."""
    size = math.prod(arr_shape)
    own = np.arange(size, dtype=np.int64).reshape(arr_shape)
    new = (-1 - np.arange(math.prod(values_shape), dtype=np.int64)).reshape(values_shape)
    rows = np.insert(own, obj, new, axis=axis)
    return np.where(rows >= 0, rows, size - 1 - rows)


def _is_complex(v):
    """Is ``v`` (a dual, an array or a number; the sparsity tracer's arrays are not
    asked) complex-valued?"""
    if isinstance(v, Dual):
        return np.iscomplexobj(primal(v))
    return isinstance(v, (np.ndarray, np.generic, complex)) and np.iscomplexobj(v)


def refuse_complex_into_real(target, parts, who):
    """A complex value joined into a real result that keeps ``target``'s dtype
    (``np.insert``, ``np.pad``'s constants): NumPy casts it to float and drops the
    imaginary part with a ComplexWarning, a joined dual would be complex (its partials
    too), so it is refused as a store into a real dual array is."""
    if isinstance(target, (Dual, np.ndarray)) and not _is_complex(target) and \
            any(_is_complex(v) for v in parts):
        raise errors.complex_into_real(who)


def insert(arr, obj, values, axis=None, who="np.insert"):
    """``np.insert`` on duals (and on the sparsity tracer's arrays): the elements of
    ``arr`` and ``values`` gathered where NumPy puts them (:func:`insert_index`).
    The result has ``arr``'s dtype in NumPy; values only move, so the partials of
    ``arr``'s and ``values``' elements go with them."""
    if isinstance(obj, Dual) or (isinstance(obj, (list, tuple)) and
                                 any(isinstance(o, Dual) for o in obj)):
        raise errors.bad_type(who, "obj as integer positions (an int, a slice or "
                                  "integers)", "a dual number",
                                  "Pass the positions as plain integers.")
    if not isinstance(arr, Dual) and np.asarray(arr).dtype.kind not in "fc" and \
            isinstance(values, Dual):
        raise errors.bad_type(who, "arr of a float or complex dtype (NumPy casts the "
                              "inserted values to arr's dtype)",
                              f"arr of dtype {np.asarray(arr).dtype} with dual values",
                              "Fix: insert into arr.astype(float), which keeps the "
                              "values' derivatives.")
    refuse_complex_into_real(arr, [values], who)
    index = insert_index(np.shape(primal(arr)), obj, np.shape(primal(values)), axis)
    flat = np.concatenate([np.ravel(arr), np.ravel(values)])
    return flat[index]


def _insert(arr, obj, values, axis=None):
    return insert(operand(arr), obj, operand(values), axis)


def _multi_dot(arrays, *, out=None):
    """NumPy's ``multi_dot``: the same order of products (its cost rule for three, its
    dynamic programme beyond), each a dual ``np.dot``."""
    arrays = [operand(a) if isinstance(a, (Dual, list, tuple)) else np.asanyarray(a)
              for a in arrays]
    n = len(arrays)
    if n < 2:
        raise ValueError("Expecting at least two arrays.")
    if n == 2:
        return np.dot(arrays[0], arrays[1])
    first, last = np.ndim(primal(arrays[0])), np.ndim(primal(arrays[-1]))
    if first == 1:
        arrays[0] = np.atleast_2d(arrays[0])
    if last == 1:
        arrays[-1] = np.transpose(np.atleast_2d(arrays[-1]))
    for a in arrays:
        if np.ndim(primal(a)) != 2:
            raise np.linalg.LinAlgError(f"{np.ndim(primal(a))}-dimensional array given. "
                                        "Array must be two-dimensional")
    shapes = [np.shape(primal(a)) for a in arrays]
    if n == 3:
        (a0, a1b0), (b1c0, c1) = shapes[0], shapes[2]
        if a0 * b1c0 * (a1b0 + c1) < a1b0 * c1 * (a0 + b1c0):
            result = np.dot(np.dot(arrays[0], arrays[1]), arrays[2])
        else:
            result = np.dot(arrays[0], np.dot(arrays[1], arrays[2]))
    else:
        result = _chain(arrays, _chain_order(shapes), 0, n - 1)
    if first == 1 and last == 1:
        return result[0, 0]
    return np.ravel(result) if first == 1 or last == 1 else result


def _chain_order(shapes):
    """NumPy's ``_multi_dot_matrix_chain_order``: where each sub-chain splits."""
    n = len(shapes)
    dims = [s[0] for s in shapes] + [shapes[-1][1]]
    cost = np.zeros((n, n))
    split = np.empty((n, n), dtype=np.intp)
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i, j] = np.inf
            for k in range(i, j):
                q = cost[i, k] + cost[k + 1, j] + dims[i] * dims[k + 1] * dims[j + 1]
                if q < cost[i, j]:
                    cost[i, j] = q
                    split[i, j] = k
    return split


def _chain(arrays, split, i, j):
    if i == j:
        return arrays[i]
    return np.dot(_chain(arrays, split, i, split[i, j]),
                  _chain(arrays, split, split[i, j] + 1, j))


def _block(arrays):
    """NumPy's ``np.block``: every leaf lifted to the result's dimensions by leading
    ones, each level of lists joined along its axis from the right.  NumPy's own
    call on the values first checks the nesting and shapes (its errors)."""
    np.block(_values(arrays))
    depth, ndim = _block_depth(arrays)

    def build(x, level):
        if type(x) is list:
            return np.concatenate([build(i, level + 1) for i in x], axis=level - depth)
        shape = np.shape(primal(x))
        return np.reshape(x, (1,) * (ndim - len(shape)) + shape)
    return np.copy(build(arrays, 0)) if depth == 0 else build(arrays, 0)


def _values(x):
    return [_values(i) for i in x] if type(x) is list else primal(x)


def _block_depth(x):
    """The depth of the (checked) nesting and the largest of it and the leaves' ndim."""
    depth, probe = 0, x
    while type(probe) is list:
        probe, depth = probe[0], depth + 1
    return depth, max([depth] + [np.ndim(primal(leaf)) for leaf in _leaves(x)])


def _leaves(x):
    if type(x) is list:
        for i in x:
            yield from _leaves(i)
    else:
        yield x


# ---- fitting --------------------------------------------------------------------------
def _polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """NumPy's least-squares fit, its steps on duals: the Vandermonde matrix by running
    products (as ``np.vander``), columns scaled to unit norm, ``np.linalg.lstsq``, the
    scale undone; ``cov=`` from ``inv(lhs.T @ lhs)`` as NumPy."""
    order = int(deg) + 1
    x = operand(x) + 0.0 if isinstance(x, (Dual, list, tuple)) else np.asarray(x) + 0.0
    y = operand(y) + 0.0 if isinstance(y, (Dual, list, tuple)) else np.asarray(y) + 0.0
    xs, ys = np.shape(primal(x)), np.shape(primal(y))
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if len(xs) != 1:
        raise TypeError("expected 1D vector for x")
    if xs[0] == 0:
        raise TypeError("expected non-empty vector for x")
    if len(ys) < 1 or len(ys) > 2:
        raise TypeError("expected 1D or 2D array for y")
    if xs[0] != ys[0]:
        raise TypeError("expected x and y to have same length")
    if rcond is None:
        rcond = xs[0] * np.finfo(np.float64).eps
    rcond = primal(rcond)
    if order > 1:                       # np.vander: 1, x, x*x, ... by multiply.accumulate
        powers = np.cumprod(np.broadcast_to(x[:, None], (xs[0], order - 1)), axis=1)
        lhs = np.concatenate([np.ones((xs[0], 1)), powers], axis=1)[:, ::-1]
    else:
        lhs = np.ones((xs[0], 1))
    rhs = y
    if w is not None:
        w = operand(w) + 0.0 if isinstance(w, (Dual, list, tuple)) else np.asarray(w) + 0.0
        if np.ndim(primal(w)) != 1:
            raise TypeError("expected a 1-d array for weights")
        if np.shape(primal(w))[0] != ys[0]:
            raise TypeError("expected w and y to have the same length")
        lhs = lhs * w[:, None]
        rhs = rhs * (w[:, None] if len(ys) == 2 else w)
    scale = np.sqrt(np.sum(lhs * lhs, axis=0))
    lhs = lhs / scale
    sv = np.linalg.svd(primal(lhs), compute_uv=False)
    if np.sum(sv > rcond * sv[0]) < order:       # lstsq's rank, which has no derivative
        raise errors.rank_deficient_fit(deg, xs[0], rcond)
    c, resids, rank, s = np.linalg.lstsq(lhs, rhs, rcond)
    c = np.transpose(np.transpose(c) / scale)
    if rank != order and not full:
        warnings.warn("Polyfit may be poorly conditioned", np.exceptions.RankWarning,
                      stacklevel=4)
    if full:
        return c, resids, rank, s, rcond
    if not cov:
        return c
    base = np.linalg.inv(np.dot(np.transpose(lhs), lhs)) / np.outer(scale, scale)
    if cov == "unscaled":
        fac = 1
    else:
        if xs[0] <= order:
            raise ValueError("the number of data points must exceed order "
                             "to scale the covariance matrix")
        fac = resids / (xs[0] - order)
    return c, (base * fac if len(ys) == 1 else base[:, :, None] * fac)


# the registry, merged into dualgrad.dispatch._functions.HANDLED
COMPOSED = {
    np.linspace: _linspace, np.meshgrid: _meshgrid, np.nansum: _nansum,
    np.nanmean: _nanmean, np.nanvar: _nanvar, np.nanstd: _nanstd, np.nanmax: _nanmax, np.nanmin: _nanmin,
    np.nan_to_num: _nan_to_num, np.quantile: _quantile, np.percentile: _percentile,
    np.median: _median, np.sinc: _sinc, np.ediff1d: _ediff1d, np.cov: _cov,
    np.corrcoef: _corrcoef, np.linalg.matrix_power: _matrix_power,
    np.nanquantile: _nanquantile, np.nanpercentile: _nanpercentile,
    np.nanmedian: _nanmedian, np.nancumsum: _nancumsum, np.nancumprod: _nancumprod,
    np.nanprod: _nanprod,
    np.unwrap: _unwrap, np.linalg.multi_dot: _multi_dot, np.block: _block,
    np.polyfit: _polyfit, np.insert: _insert,
}

if hasattr(np, "cumulative_sum"):                        # NumPy >= 2.1
    def _cumulative(scan, name):
        def impl(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
            check_kwargs(name, {"dtype": dtype})
            x = np.atleast_1d(x)                 # as NumPy: a 0-d x scans as 1-D
            ndim = np.ndim(primal(x))
            if axis is None:
                if ndim > 1:
                    raise ValueError(f"{name}: axis must be given for arrays of more "
                                     "than one dimension")
                axis = 0
            elif np.ndim(axis) == 1:             # a tuple goes to NumPy's accumulate:
                if len(axis) != 1:               # its error for several axes
                    (np.add if scan is np.cumsum else np.multiply).accumulate(
                        primal(x), axis=axis)
                (one,) = axis_tuple(axis, ndim)  # one taken (with include_initial,
                axis = axis if include_initial else one  # NumPy fails on the tuple)
            result = scan(x, axis=axis)
            if not include_initial:
                return result
            shape = list(np.shape(primal(result)))
            shape[axis] = 1
            first = np.zeros(shape) if scan is np.cumsum else np.ones(shape)
            return np.concatenate([first, result], axis=axis)
        return impl

    COMPOSED[np.cumulative_sum] = _cumulative(np.cumsum, "cumulative_sum")
    COMPOSED[np.cumulative_prod] = _cumulative(np.cumprod, "cumulative_prod")
