"""Sums of partials over value axes, each direction rounded as NumPy rounds one sum.

NumPy sums a contiguous 1-D float array pairwise (blocks of up to 128 numbers in 8
accumulators, longer runs halved), but sums an ``(N, n)`` array over its first axis
row after row: the partials of ``np.sum(x)`` would round one way with one direction
(``chunk=1``) and another with several, and a Jacobian's entries would depend on
``chunk`` by an error growing with ``N`` (34 units in the last place were measured
at ``N = 5000``).  Here every direction of every output element is rounded as
``np.add.reduce`` rounds the contiguous 1-D array of that direction's numbers over
the summed axes, in C order: the result of one direction never depends on the
others, so neither on ``chunk`` nor on the engine.

Two routes give those bits: a numba kernel that walks NumPy's pairwise order over
every direction at once in one pass (``_numba_kernels.pairwise_sum``), and NumPy
itself on a copy with the summed axis last and contiguous, for small arrays, before
numba is loaded (:mod:`._loader`) and for complex partials.  ``tests/test_sums.py``
holds both to NumPy's sum of each direction, bit for bit.

Weighted sums (``backend.weighted_sum``: ``var``, ``std``, ``linalg.norm``,
``average`` with weights, ``trapezoid``, ``prod``) and products with a constant
vector or matrix (``dot``, ``@``, ``einsum``) stay one BLAS call, whose rounding
depends on the number of directions: a pairwise weighted kernel cost 2-3.5x the BLAS
call on those rows (see CHANGELOG), more than the 15 % this trade allowed.
"""

import math

import numpy as np

from . import _buffers, _kernels, _loader

__all__ = ["sum_partials", "sum_small"]

_sum = np.add.reduce


def _arranged(p, axes):
    """Partials ``p`` (value shape + ``(n,)``) as a C-contiguous ``(before, length,
    after)`` array whose middle axis runs over the summed elements in C order of
    ``axes``, and how to shape the ``(before, after)`` sums back.

    A view when ``p`` is C-contiguous (or a permutation of a C-contiguous array,
    such as a transpose) with the summed axes adjacent and in their order; else a
    copy with the kept value axes first and the summed ones last (``after = n``).
    """
    ndim = p.ndim - 1
    kept_axes = [i for i in range(ndim) if i not in axes]
    order = list(range(ndim))
    if not p.flags.c_contiguous:
        order = sorted(order, key=lambda i: -p.strides[i])
        if not p.transpose(order + [ndim]).flags.c_contiguous:
            order = None
    if order is not None:
        at = [order.index(ax) for ax in axes]
        if at != list(range(at[0], at[0] + len(at))):
            order = None              # not adjacent in memory, or not in their order
    if order is None:
        order = kept_axes + list(axes)
        q = np.ascontiguousarray(p.transpose(order + [ndim]))
        at = list(range(len(kept_axes), ndim))
    else:
        q = p.transpose(order + [ndim])
    before = math.prod(q.shape[:at[0]])
    length = math.prod(q.shape[at[0]:at[-1] + 1])
    q3 = q.reshape(before, length, math.prod(q.shape[at[-1] + 1:]))
    kept = [order[i] for i in range(ndim) if i not in at]     # p's kept axes, q's order
    return q3, kept


def _shaped(out, p, kept):
    """The ``(before, after)`` sums of :func:`_arranged` shaped as the kept value axes
    (in ``p``'s order) + ``(n,)``."""
    out = out.reshape(tuple(p.shape[i] for i in kept) + (p.shape[-1],))
    if kept != sorted(kept):
        perm = sorted(range(len(kept)), key=kept.__getitem__)
        out = out.transpose(perm + [len(kept)])
    return out


def _sum_numpy(q3):
    """``out[a, c] = np.add.reduce(q3[a, :, c].copy())`` with NumPy calls."""
    length, after = q3.shape[1], q3.shape[2]
    if 1 < length < 8 and after > 1:
        # added in order, as NumPy adds fewer than 8 numbers, one whole slice at a
        # time: NumPy's reduction over the middle axis runs an inner loop of ``after``
        # per element (VFI's np.sum(.., axis=3) over 5 of (1, 5, 30, 5) x 3: 31 -> 24 us,
        # ``python bench/scalar_loops.py --parts``, vfi46)
        out = np.add(q3[:, 0], q3[:, 1])
        for k in range(2, length):
            np.add(out, q3[:, k], out=out)
        return out
    if length < 8 or after == 1:                  # added in order, or rows already 1-D
        return _sum(q3, axis=1)
    return _sum(np.ascontiguousarray(q3.transpose(0, 2, 1)), axis=2)


# What one small sum saves with its kernel (two NumPy reductions and a transposed
# copy), in the loader's currency, as ``_propagate.SMALL_PAIR_WORK`` for a product.
SMALL_SUM_WORK = 800


def sum_small(v, p):
    """``[value, partial_1, ..., partial_n]`` of the whole sum of a dual of 1-D float64
    values ``v`` (``8 <= len(v) <= 128``) and partials ``p`` of shape ``(len(v), n)``,
    in one kernel call (``_numba_kernels.sum_small``: NumPy's pairwise order, so the
    bits of ``np.add.reduce(v)`` and of :func:`sum_partials`), or ``None`` where no
    kernel runs (numba not loaded, another length): the caller then makes those
    NumPy calls.  Until numba is loaded each call counts what the kernel would save
    (:mod:`._loader`)."""
    if 8 <= v.shape[0] <= 128 and (_loader.READY or _loader.ready(SMALL_SUM_WORK)):
        out = np.empty(p.shape[1] + 1)
        (_kernels._compiled or _kernels._kernels()).sum_small(v, p, out)
        return out.tolist()
    return None


def _transposed(rows):
    """``rows.T`` as a C-contiguous array (each direction one run, so that
    ``np.add.reduce`` adds it pairwise), in a pooled buffer when one serves."""
    if rows.dtype != np.float64:
        return np.ascontiguousarray(rows.T)
    out = _buffers.empty(rows.shape[::-1])
    np.copyto(out, rows.T)
    return out


def sum_partials(p, axes, keepdims):
    """``p.sum(axis=axes, keepdims=keepdims)`` over value axes ``axes`` (sorted) of
    partials ``p``, each direction of each output element rounded as ``np.add.reduce``
    rounds that direction's numbers in one contiguous array (pairwise): bit for bit
    the same whatever the other directions, their number and the engine.  Nested
    duals and other dtypes: ``np.sum``."""
    if type(p) is not np.ndarray or p.dtype.kind not in "fc" or not axes:
        return np.sum(p, axis=axes, keepdims=keepdims)
    n = p.shape[-1]
    if len(axes) == p.ndim - 1 and p.flags.c_contiguous:         # the usual np.sum(x)
        rows = p.reshape(math.prod(p.shape[:-1]), n)      # (not -1: n may be 0)
        if n == 1 or rows.shape[0] < 8:       # one 1-D run, or added in order: NumPy's
            out = _sum(rows, axis=0)
        else:
            out = None
            if p.dtype == np.float64 and not (rows.size < _kernels.MIN_WORK and
                                              _kernels._mode == "auto"):
                out = _kernels.pairwise(rows.reshape(1, -1, n))
            out = _sum(_transposed(rows), axis=1) if out is None else out[0]
        return out.reshape((1,) * len(axes) + (n,)) if keepdims else out
    q3, kept = _arranged(p, axes)
    out = _kernels.pairwise(q3) if q3.dtype == np.float64 else None
    if out is None:
        out = _sum_numpy(q3)
    out = _shaped(out, p, kept)
    if keepdims:
        out = np.expand_dims(out, axes)
    return out
