"""``np.unique``, ``np.histogram`` and ``np.bincount``: functions that count values (issue 13).

What they count is decided by the values alone (NumPy's own call on the values, so
ties, NaNs and data on a bin edge go exactly as NumPy sends them); what carries
derivatives is moved with supported dual operations:

* ``np.unique``'s values are elements of its input, gathered with their derivatives.
  Equal elements whose derivatives differ (``[x0, 1.0]`` at ``x0 = 1``) have no
  unique value with a derivative -- a perturbation splits them -- so that raises
  ``ValueError`` (returning the values with another output, the values stand in as
  an :class:`~._operands.Unusable`: counts and inverse are NumPy's, any use of the
  values raises).  Copies of one value (``x[[0, 0, 1]]``) are exact.
* ``np.histogram``'s counts are locally constant in the data: NumPy's integers (or
  its sums of constant weights); dual weights make them duals, summed per bin with
  ``np.add.at``.  Edges NumPy computes from ``range=`` or from the data's min and max
  (``bins`` an int or an estimator's name) move with them; given edges are returned
  as given.  ``density=True`` divides by the (dual) widths and total as NumPy does.
* ``np.bincount``'s indices are plain integers; dual ``weights`` are summed per index
  as the histogram's are.
"""

import numpy as np

from .. import backend, errors
from ..dual import Dual, make, primal
from ._operands import Unusable

__all__ = ["register"]

_range = range           # (histogram's own range= shadows it there)


def _compared(a):
    """Note a count or an equality test of dual values as a comparison (attack50 01:
    ``float(np.histogram(t * p, 3)[0][0])``'s derivative is 0, which the helpers warn of
    as they do after ``<``: errors.compared_since)."""
    if isinstance(a, Dual):
        errors.MADE.compared_at = next(errors.SEQUENCE)


# ---- np.unique ------------------------------------------------------------------------
def _unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
            **kwargs):
    v = primal(ar)
    _compared(ar)
    got = np.unique(v, True, True, return_counts, axis, **kwargs)
    index, inverse = got[1], got[2]
    if axis is None:
        whole = np.ravel(ar)
        values = whole[index]
        again = values[np.ravel(inverse)]
    else:
        values = np.take(ar, index, axis=axis)
        again = np.take(values, np.ravel(inverse), axis=axis)
        whole = ar
    differ = _differ(whole, again, np.ndim(v) if axis is not None else 1)
    if differ.any():
        at = np.unravel_index(int(np.flatnonzero(differ)[0]), differ.shape)
        value = np.ravel(v)[at[0]] if axis is None else \
            np.take(v, at[axis % np.ndim(v)], axis=axis)
        value = value.item() if np.ndim(value) == 0 else value

        def error(value=value):
            return errors.merged_ties(
                "np.unique", value,
                "choose whose derivative each unique value keeps, e.g. the first "
                "occurrence's: i = np.unique(x.value, return_index=True)[1]; "
                "u = np.ravel(x)[i]; or call np.unique on x.value where no derivative "
                "is wanted")
        if not (return_index or return_inverse or return_counts):
            raise error()
        values = Unusable("np.unique's values", np.shape(got[0]), error,
                          "equal values with different derivatives")
    out = [values]
    if return_index:
        out.append(index)
    if return_inverse:
        out.append(inverse)
    if return_counts:
        out.append(got[3])
    return out[0] if len(out) == 1 else tuple(out)


def _differ(a, b, ndim):
    """Where (over the first ``ndim`` axes) ``a`` and ``b`` differ at any dual level:
    value or any partial, NaN equal to NaN."""
    if isinstance(a, Dual) or isinstance(b, Dual):
        av, ap = (a.value, a.partials) if isinstance(a, Dual) else (a, 0.0)
        bv, bp = (b.value, b.partials) if isinstance(b, Dual) else (b, 0.0)
        return _differ(av, bv, ndim) | _differ(ap, bp, ndim)
    a, b = np.asarray(a), np.asarray(b)
    d = (a != b) & ~(np.isnan(a) & np.isnan(b))
    d = np.broadcast_to(d, np.broadcast_shapes(a.shape, b.shape))
    return d.reshape(d.shape[:ndim] + (-1,)).any(axis=-1)


def _array_api_unique(func):
    """``np.unique_values`` / ``_counts`` / ``_inverse`` / ``_all``: NumPy's own body,
    whose call of ``np.unique`` comes back to :func:`_unique`."""
    impl = func._implementation

    def unique_variant(x):
        return impl(x)
    unique_variant.__name__ = func.__name__
    return unique_variant


# ---- np.histogram ---------------------------------------------------------------------
def _plain_range(range_):
    return None if range_ is None else tuple(primal(r) for r in range_)


def _edges(a, bins, range_, edges_p):
    """The bin edges as duals where they move: given edges as given; edges NumPy
    spaces evenly from ``range=`` or from the data's min and max, with the endpoints'
    derivatives ((1 - t) d first + t d last at t = i / n), NumPy's values to the bit."""
    if np.ndim(bins) == 1:
        return bins if isinstance(bins, Dual) else edges_p
    av = primal(a)
    if range_ is not None:
        first, last = range_
    elif np.size(av) == 0:
        return edges_p
    else:
        flat = np.ravel(a)
        first, last = np.min(flat), np.max(flat)
    if not (isinstance(first, Dual) or isinstance(last, Dual)):
        return edges_p
    n = len(edges_p) - 1
    t = np.arange(n + 1) / n
    move_first = first - primal(first) if isinstance(first, Dual) else 0.0   # values 0
    move_last = last - primal(last) if isinstance(last, Dual) else 0.0
    return move_first * (1.0 - t) + move_last * t + edges_p


def _bin_of(av, edges_p):
    """Each value's bin as NumPy's histogram assigns it (``edges[i] <= a < edges[i+1]``,
    the last bin closed), and which values fall in the range at all."""
    n = len(edges_p) - 1
    idx = np.searchsorted(edges_p, av, side="right") - 1
    idx[av == edges_p[-1]] = n - 1
    keep = (av >= edges_p[0]) & (av <= edges_p[-1])
    return idx[keep], keep


def _histogram(a, bins=10, range=None, density=None, weights=None):
    av = np.asarray(primal(a))
    _compared(a)
    wv = None if weights is None else np.asarray(primal(weights))
    bins_p = primal(bins) if np.ndim(bins) == 1 else bins
    range_p = _plain_range(range)
    counts, edges_p = np.histogram(av, bins_p, range_p, weights=wv)
    edges = _edges(a, bins, range, edges_p)
    if isinstance(weights, Dual):
        idx, keep = _bin_of(av.ravel(), edges_p)
        if not np.array_equal(np.bincount(idx, minlength=len(counts)),
                              np.histogram(av, bins_p, range_p)[0]):
            raise errors.bad_argument(
                "np.histogram (dualgrad)", "its bins to agree with NumPy's",
                "a different assignment of the data to bins",
                "Fix: report this with the data; meanwhile np.add.at(out, i, w) with "
                "i = np.digitize(x.value, edges) - 1 sums dual weights per bin.")
        w = np.ravel(weights)
        p = w.partials
        if type(w.value) is np.ndarray and type(p) is np.ndarray and p.dtype.kind == "f":
            p = p[keep]                    # one bincount a direction (np.add.at: 5x dearer)
            counts = make(counts, np.stack([np.bincount(idx, p[:, k], len(counts))
                                            for k in _range(p.shape[1])], axis=-1), w.tag)
        else:                              # nested or complex: the dual np.add.at
            summed = np.zeros_like(w, shape=counts.shape)
            np.add.at(summed, idx, w[keep])
            counts = make(counts, summed.partials, summed.tag) \
                if type(summed.value) is np.ndarray else summed   # NumPy's values
    if density:
        widths = np.diff(edges)
        return counts / widths / np.sum(counts), edges
    return counts, edges


def _histogram_bin_edges(a, bins=10, range=None, weights=None):
    av = np.asarray(primal(a))
    wv = None if weights is None else np.asarray(primal(weights))
    bins_p = primal(bins) if np.ndim(bins) == 1 else bins
    edges_p = np.histogram_bin_edges(av, bins_p, _plain_range(range), wv)
    return _edges(a, bins, range, edges_p)


def _bincount(x, /, weights=None, minlength=0):
    """NumPy's counts, or its sums of ``weights`` per index of ``x`` (plain
    non-negative integers); a dual's partials summed the same way, one ``np.bincount``
    a direction (nested or complex weights: the dual ``np.add.at``)."""
    if isinstance(x, Dual) or isinstance(minlength, Dual):
        raise errors.bad_type(
            "np.bincount (dualgrad)", "x as plain non-negative integers (the indices)",
            "a dual number",
            "Fix: pass integer indices computed from values, such as "
            "np.digitize(x.value, edges) - 1 or np.floor(x.value).astype(int); dual "
            "numbers go in weights=")
    if not isinstance(weights, Dual):
        return np.bincount(x, weights, minlength)
    x = np.asarray(x)
    w = np.ravel(weights)
    counts = np.bincount(x, np.asarray(primal(w)), minlength)     # NumPy's values, checks
    p = w.partials
    if type(w.value) is np.ndarray and type(p) is np.ndarray and p.dtype.kind == "f":
        summed = backend.bincount(x, p, len(counts))      # one pass over the rows
        if summed is not None:
            return make(counts, summed, w.tag)
        return make(counts, np.stack([np.bincount(x, p[:, k], len(counts))
                                      for k in _range(p.shape[1])], axis=-1), w.tag)
    summed = np.zeros_like(w, shape=counts.shape)
    np.add.at(summed, x, w)
    return make(counts, summed.partials, summed.tag) \
        if type(summed.value) is np.ndarray else summed


def register(handled):
    handled.update({np.unique: _unique, np.histogram: _histogram, np.bincount: _bincount,
                    np.histogram_bin_edges: _histogram_bin_edges})
    for func in (np.unique_values, np.unique_counts, np.unique_inverse, np.unique_all):
        handled[func] = _array_api_unique(func)
