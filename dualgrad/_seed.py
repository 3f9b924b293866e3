"""Seeding input directions in chunks, evaluating, and extracting partials.

A derivative of ``f`` at inputs ``xs`` is assembled from passes: each pass takes
a new tag, seeds a chunk of the input directions (the others are constants to
that pass), evaluates ``f`` once and copies the chunk's partials out.  One
chunk is just the degenerate case.  Results do not depend on the chunk size.
"""

import math

import numpy as np

from . import errors
from ._base import Dual, make, new_tag
from ._ufuncs import _from_object_array, _partials_array

__all__ = ["chunk_sizes", "seed", "extract", "jacobian_columns"]

MAX_CHUNK = 16
MEMORY_BUDGET = 1 << 28          # bytes of partials per intermediate, roughly


def chunk_sizes(ndirs, chunk=None, input_size=1):
    """Balanced chunk widths covering ``ndirs`` directions."""
    if ndirs == 0:
        return []
    cap = chunk if chunk is not None else \
        max(1, min(MAX_CHUNK, MEMORY_BUDGET // (8 * max(input_size, 1))))
    cap = min(cap, ndirs)
    count = math.ceil(ndirs / cap)
    base, extra = divmod(ndirs, count)
    return [base + (i < extra) for i in range(count)]


def seed(x, start, width, tag):
    """``x`` as a dual whose flat entries ``start:start+width`` are seeded.

    ``start`` may be negative or beyond ``x``: only the overlap is seeded, so the
    directions of several inputs can share one pass.
    """
    size = int(np.prod(np.shape(x)))
    lo, hi = max(start, 0), min(start + width, size)
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray) or np.shape(x) == ():
        partials = [0.0] * width
        if lo < hi:
            partials[lo - start] = 1.0
        value = x if isinstance(x, Dual) else float(x)
        return make(value, partials, tag)
    partials = np.zeros((size, width))
    if lo < hi:
        partials[np.arange(lo, hi), np.arange(lo - start, hi - start)] = 1.0
    return make(x, partials.reshape(np.shape(x) + (width,)), tag)


def extract(who, out, tag, width):
    """``(value, partials)`` of ``f``'s output for the pass with ``tag``.

    ``partials`` has shape ``value.shape + (width,)``; constants give zeros.
    """
    if isinstance(out, (list, tuple)):
        items = np.empty(len(out), dtype=object)
        items[:] = list(out)
        if any(isinstance(i, Dual) and i.ndim for i in out):
            out = np.stack(list(out))
        else:
            out = items
    if isinstance(out, np.ndarray) and out.dtype == object:
        out = _from_object_array(out)
    if isinstance(out, Dual) and out.tag == tag:
        return out.value, _partials_array(out)
    if isinstance(out, Dual):
        value = out
    else:
        try:
            value = np.asarray(out)
        except Exception as exc:  # noqa: BLE001
            raise errors.bad_type(who, "f to return numbers", type(out).__name__) from exc
        if value.dtype.kind == "c":
            raise errors.bad_type(who, "f to return real numbers",
                                  f"complex dtype {value.dtype}")
        if value.dtype.kind not in "biuf":
            raise errors.bad_type(who, "f to return numbers",
                                  f"{type(out).__name__} of dtype {value.dtype}")
        value = value.astype(float)
    return value, np.zeros(np.shape(value) + (width,))


def jacobian_columns(who, f, xs, args, chunk, build_args):
    """Value of ``f`` and its partials with respect to all of ``xs`` stacked.

    ``build_args(seeded)`` turns the seeded inputs into ``f``'s positional
    arguments.  Returns ``(value, partials)``, ``partials`` of shape
    ``value.shape + (N,)`` with ``N`` the total size of ``xs``.
    """
    sizes = [int(np.prod(np.shape(x))) for x in xs]
    total = sum(sizes)
    offsets = np.cumsum([0] + sizes[:-1]).tolist()
    columns, value = [], None
    start = 0
    widths = chunk_sizes(total, chunk, max(sizes) if sizes else 1) or [0]
    for width in widths:
        tag = new_tag()
        seeded = [seed(x, start - off, width, tag) if width else x
                  for x, off in zip(xs, offsets)]
        out = f(*build_args(seeded), *args)
        value, partials = extract(who, out, tag, width)
        columns.append(partials)
        start += width
    partials = columns[0] if len(columns) == 1 else np.concatenate(columns, axis=-1)
    return value, partials
