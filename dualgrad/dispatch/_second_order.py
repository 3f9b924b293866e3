"""Second-order tie-break of the selections (maximum, minimum, fmax, fmin, np.max / min).

At a tie the selections take the midpoint of the arguments' partials (rules/_table.py,
TIES): f's first derivative wherever f is differentiable.  Under nested duals (a
Hessian) the midpoint also splits the second-order parts, and where the arguments'
first-order parts agree too that is never right: with ``d = b - a`` of second order,
``0.5 h^T D h``, ``max(a, b) = a + max(0, d)`` is twice differentiable iff ``D`` is
semidefinite, and then its second derivative is the dominant argument's (``b``'s
where ``D >= 0``).  ``np.maximum(x**2, 0)`` at 0 gave 1 (truth 2), ``np.maximum(x**2,
-x**2)`` 0 (issue 13|14, attack42 repro_02).

The test here sees the diagonal of ``D`` over the directions one pass sees: the entries
(inner direction p, outer direction q) where both are one input entry, which only the
seeding knows (``dual.DIAGONAL``, recorded for dg.hessian's own levels).  Some diagonal
entry > 0 and none < 0: the larger argument dominates for max (the smaller for min);
none > 0 and some < 0: the other way; where ``D`` is semidefinite every diagonal entry
has one sign, so this never picks the wrong argument where f is twice differentiable.
Mixed signs (f is not twice differentiable), all zero, NaN, no diagonal entry in the
pass (a chunked Hessian's off-diagonal blocks: inner and outer chunks apart), first
parts that differ, or no record (a user's own nesting, ``sparsity=``): the midpoint.
"""

import numpy as np

from ..dual import DIAGONAL, Dual

__all__ = ["verdict", "dominant"]


def _split(p, outer, shape, m):
    """``(first, second)`` of the partials or value ``p`` (a dual of the ``outer`` tag
    over plain arrays, or plain): the plain part of ``shape`` and the outer partials of
    ``shape + (m,)`` (``None``: zero); ``None`` for anything else (deeper nesting)."""
    if isinstance(p, Dual):
        if p.tag != outer or isinstance(p.value, Dual):
            return None
        second = np.asarray(p.partials)
        if second.dtype == object or second.shape[-1] != m:
            return None
        return (np.broadcast_to(np.asarray(p.value), shape),
                np.broadcast_to(second, shape + (m,)))
    p = np.asarray(p)
    if p.dtype == object:
        return None
    return np.broadcast_to(p, shape), None


def _width(items, outer):
    for p in items:
        if isinstance(p, Dual) and p.tag == outer:
            return np.shape(p.partials)[-1]
    return None


def verdict(tag, chosen, other, cval, oval, larger, target):
    """Where the second order decides a tie of a two-argument selection of duals of
    ``tag``: an int array of shape ``target[:-1]``, 1 where ``chosen``'s partials
    (shape ``target``) are the answer, -1 where ``other``'s, 0 where the midpoint
    stays; ``None`` where nothing is decided (no linked diagonal: module docstring).
    ``cval`` / ``oval`` are the arguments' values (their outer partials are first
    order too); ``larger`` is True for maximum / fmax, False for minimum / fmin."""
    link = DIAGONAL.get(tag)
    if link is None:
        return None
    outer, qmap = link
    ps = np.flatnonzero(qmap[:target[-1]] >= 0)
    m = _width((chosen, other, cval, oval), outer)
    if not ps.size or m is None:
        return None
    qs = qmap[ps]
    if int(qs.max()) >= m:
        return None
    shape = tuple(target[:-1])
    parts = [_split(p, outer, tuple(target), m) for p in (chosen, other)]
    vals = [_split(v, outer, shape, m) for v in (cval, oval)]
    if any(x is None for x in parts + vals):
        return None
    (c1, c2), (o1, o2) = parts
    same = np.all(c1 == o1, axis=-1)
    cv, ov = vals[0][1], vals[1][1]
    if cv is not None or ov is not None:
        cv = np.zeros(shape + (m,)) if cv is None else cv
        ov = np.zeros(shape + (m,)) if ov is None else ov
        same = same & np.all(cv == ov, axis=-1)
    cd = c2[..., ps, qs] if c2 is not None else 0.0
    od = o2[..., ps, qs] if o2 is not None else 0.0
    d = np.broadcast_to(od - cd, shape + (ps.size,))
    return _signs(d, same, larger)


def _signs(d, same, larger):
    """1 / -1 / 0 from the diagonal differences ``d`` (other minus chosen, last axis)."""
    pos, neg = np.any(d > 0, axis=-1), np.any(d < 0, axis=-1)
    clean = same & ~np.any(np.isnan(d), axis=-1)
    up, down = clean & pos & ~neg, clean & neg & ~pos    # other larger / chosen larger
    if not larger:
        up, down = down, up
    return np.where(down, 1, np.where(up, -1, 0))


def dominant(tag, partials, values, tied, axes, larger):
    """Where the second order decides a tie of ``np.max`` / ``np.min`` over ``axes``:
    a bool array of ``tied``'s shape marking the dominant tied elements (an element
    whose diagonal second-order parts are the largest (smallest for min) of its slice's
    tied elements in every seen direction, their first-order parts all equal), or
    ``None`` (nothing decided).  A slice with no dominant element keeps the mean."""
    link = DIAGONAL.get(tag)
    if link is None:
        return None
    outer, qmap = link
    shape = np.shape(tied)
    n = np.shape(partials)[-1]
    ps = np.flatnonzero(qmap[:n] >= 0)
    m = _width((partials, values), outer)
    if not ps.size or m is None:
        return None
    qs = qmap[ps]
    if int(qs.max()) >= m:
        return None
    p = _split(partials, outer, shape + (n,), m)
    v = _split(values, outer, shape, m)
    if p is None or v is None or p[1] is None:
        return None
    first = p[0] if v[1] is None else np.concatenate([p[0], v[1]], axis=-1)
    mask = tied[..., None]
    hi = np.max(np.where(mask, first, -np.inf), axis=axes, keepdims=True)
    lo = np.min(np.where(mask, first, np.inf), axis=axes, keepdims=True)
    same = np.all(hi == lo, axis=-1)                    # per slice
    diag = p[1][..., ps, qs]
    mask = np.broadcast_to(mask, diag.shape)
    if larger:
        best = np.max(np.where(mask, diag, -np.inf), axis=axes, keepdims=True)
    else:
        best = np.min(np.where(mask, diag, np.inf), axis=axes, keepdims=True)
    top = tied & np.all(diag == best, axis=-1) & same & ~np.any(np.isnan(diag), axis=-1)
    count = np.sum(top, axis=axes, keepdims=True)
    ties = np.sum(tied, axis=axes, keepdims=True)
    return top & (count < ties)           # all tied elements dominant: the mean stays
