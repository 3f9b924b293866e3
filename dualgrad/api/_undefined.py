"""An inner pass's partials that carry an outer level: where one is NaN, its finite
outer partials are NaN.

A derivative nested in another (``dg.jacobian(lambda y: dg.gradient(f, y), x)``, any
helper or transform inside any other) hands the outer level partials that are duals
of it: ``g_r``, a number of the outer pass, with ``d_c g_r`` as its partials.  Where
``g_r`` is NaN it is no number (``0 * inf`` in the chain rule: ``np.hypot(np.sqrt(x0),
1 + x1)`` at ``x0 = 0`` has ``g_0 = (s / r) * ds/dx0 = 0 * inf``), and neither is its
derivative: the outer level's product rule there took ``inf * 0`` as 0 (the zero rule:
``d/dx1 (s / r) = -s w / r**3`` is 0 at ``s = 0`` and not beside it), so ``d_1 g_0`` came
back 0.0 for the exact ``-w / (2 r**3)`` (attack56 07, diff57 S2).  Every level's
arithmetic (scalar, array, lean, chunk=1's one direction) makes that 0, and a NaN
constant's (``M[1, 0] x0**2`` with ``M[1, 0]`` NaN) cannot be told from it, so the rule
is applied once, where a pass's output is taken apart (:func:`dualgrad.api._seed.extract`
and the scalar transforms' direct reads), for every nesting alike.

A finite partial there is NaN; an infinite one stays (the terms the zero rule took as
0 cannot make an infinity, as :mod:`._orders` reads an order through an infinite
entry: ``d3/dx1**2 dx3`` of ``sqrt(x1) / (1 + x1 x3)`` at 0 is -inf through the
Hessian's NaN ``H[1, 1]``, test_hess55).  ``dg.hessian`` and ``dg.jacobian(dg.grad(f),
x)`` still take such an entry in its other order, through a finite gradient entry,
where there is one (:mod:`._orders`); dg.hessian's own outer level is left to that
choice (:data:`ORDERED`).  A dual whose value is not NaN, an outer level's value of any
other kind, or a third level's partials (duals themselves) pass as they are.
"""

import contextlib
import math

import numpy as np

from ..dual import Dual, make, make_scalar, primal

__all__ = ["ORDERED", "nan_outer", "ordered"]

#: Tags of outer levels that choose a NaN gradient entry's order themselves
#: (:func:`dualgrad.api.helpers.hessian`'s outer passes, while their inner gradient
#: runs: ``_orders.finite_order`` reads ``d_r g_c`` through a finite ``g_c``, and a NaN
#: constant's structural zeros stay theirs: test_nan50's ``x @ M @ x``, ``H[0, 0] = 2``
#: beside ``M[1, 0]`` NaN).  Their partials pass here as they are.
ORDERED: set = set()


@contextlib.contextmanager
def ordered(*outer):
    """Within: the tags of ``outer`` (duals or tags) in :data:`ORDERED` (dg.hessian's
    inner gradient, dense or colored, run on its outer level's duals)."""
    tags = {getattr(d, "tag", d) for d in outer if isinstance(d, (Dual, int))} - ORDERED
    ORDERED.update(tags)
    try:
        yield
    finally:
        ORDERED.difference_update(tags)


def nan_outer(p, value=None):
    """``p`` (partials of an inner pass: a dual of an outer level, a list of them, or
    plain numbers) with NaN for the finite outer partials of every entry whose value is
    NaN (``q - q == 0``: finite); ``p`` itself where there is none.  ``value``: the
    pass's output (its value of shape ``p``'s but the last axis): where it is NaN itself
    the output depends on a NaN (a NaN input: ``d2/dt2 t**2`` at ``t = NaN`` is 2.0, as
    JAX gives; a NaN constant's row) and its partials' outer partials are kept."""
    if value is not None:
        v = primal(value)
        while isinstance(v, Dual):
            v = primal(v)
        if isinstance(v, (float, complex)):
            if v != v:
                return p                 # the whole output depends on a NaN
        elif type(v) is np.ndarray and v.dtype.kind in "fc" and np.isnan(v).any():
            if not isinstance(p, Dual) or p._kind != "array" or \
                    np.shape(p.value)[:-1] != v.shape:
                return p
            kept = nan_outer(p)
            if kept is p:
                return p
            q = kept.partials
            q[np.isnan(v)] = p.partials[np.isnan(v)]
            return kept
    if type(p) is list:
        if not any(isinstance(q, Dual) and _has_nan(q) for q in p):
            return p
        return [nan_outer(q) for q in p]
    if not isinstance(p, Dual) or p.tag in ORDERED:
        return p
    if p._kind == "slots":
        v = p.value
        if not isinstance(v, (float, complex)) or v == v:
            return p
        partials = p._plist()
        if not all(isinstance(q, (float, complex)) for q in partials):
            return p                      # a third level: not read here
        return make_scalar(v, [math.nan if q - q == 0 else q for q in partials], p.tag)
    v, q = p.value, p.partials
    if type(v) is not np.ndarray or type(q) is not np.ndarray or v.dtype.kind not in "fc":
        return p
    bad = np.isnan(v)
    if not bad.any():
        return p
    q = q.copy()
    q[bad[..., None] & np.isfinite(q)] = np.nan
    return make(v, q, p.tag)


def _has_nan(d):
    """Is some value of the dual ``d`` NaN (its own value, not its partials')?"""
    v = d.value
    if isinstance(v, (float, complex)):
        return v != v
    return type(v) is np.ndarray and v.dtype.kind in "fc" and bool(np.isnan(v).any())
