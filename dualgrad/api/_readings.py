"""Readings of dual numbers that dg.quad's watch and dg.solve_ivp's checks share:
plain values, the first partials of one level, whether any level moves.

Below every module that reads them (api/_quad, _quad_ends, _ode, _ode_pieces,
_ode_coincident), so that the checks dg.quad calls need not import dg.quad's module back.
"""

from __future__ import annotations

import numpy as np

from ..dual import ArrayDual, Dual, partials_array, primal


def _moves(v):
    """Does ``v`` (a dual, or a list of them) carry a nonzero partial at any level?"""
    if type(v) is ArrayDual:            # (the common case, first order: ~3 us of ~20)
        p = v.partials
        if type(p) is np.ndarray and p.dtype.kind == "f" and type(v.value) is np.ndarray:
            return bool(p.any())        # (NaN counts, as != 0 does)
    if isinstance(v, (list, tuple)):
        for e in v:
            if _moves(e):
                return True
        return False
    if not isinstance(v, Dual):
        return False
    plist = getattr(v, "_plist", None)
    if plist is not None:                   # a scalar dual: its partials' list
        return any(_moves(e) or primal(e) != 0 if isinstance(e, Dual) else e != 0
                   for e in plist()) or _moves(v.value)
    p = partials_array(v)
    return bool(np.any(np.asarray(primal(p)) != 0)) or _moves(v.value) or _moves(p)


def _plain(v):
    """``v``'s plain values: an array (a Python float as itself)."""
    if isinstance(v, (list, tuple)):
        return np.array([_plain(e) for e in v])
    v = primal(v)
    return v if type(v) is float else np.asarray(v)


def _slopes(v, tag):
    """``v``'s first partials in the level ``tag`` (plain: ``v``'s shape plus one axis of
    directions), or ``None`` where ``v`` carries no such level."""
    while isinstance(v, Dual):
        if v.tag == tag:
            return np.asarray(primal(partials_array(v)))
        v = v.value
    return None
