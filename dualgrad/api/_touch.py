"""A square root whose argument touches 0 without crossing it, for dg.quad's and
dg.solve_ivp's watches (api/_quad.py ``_Watch``).

``np.sqrt((x - p) ** 2)`` is ``|x - p|``: a kink at ``x = p`` whose second derivative in
``p`` holds a delta term, yet ``sqrt``'s argument never leaves its domain, so no NaN
edge is crossed and no branch recorded (attack53 03: 1e-15 for 2).  Where the argument
``u >= 0`` carries partials, the signed root ``psi = sign(du/dp_j) sqrt(u)`` (``p_j``
the first direction that moves ``u``) crosses 0 at such a touch as ``p - x`` does,
continuously, while ``sqrt(u)`` itself only touches: recorded as a kink whose place is
``psi``, it is confirmed and judged by the watch as ``np.abs``'s kink is (located,
``func``'s coefficients compared across it, the place's motion read from ``psi``'s
partials).  Where ``du/dp_j`` changes sign away from ``u = 0`` (``sqrt(1 + (x -
p) ** 2)``) ``psi`` jumps instead: the confirmation finds ``func`` smooth there and
refuses nothing.  Recorded from second derivatives on (first derivatives lose nothing
at a kink).
"""

from __future__ import annotations

import numpy as np

from .. import errors
from ..dual import Dual, partials_array, primal
from ..rules._table import ROOT_TOUCH as TOUCH

__all__ = ["TOUCH", "TOUCHED", "Root", "branch_of", "root_sign", "signed_root", "touching"]


def touching(ufunc, inputs):
    """The argument ``u`` among ``ufunc(*inputs)`` whose touch of 0 makes a kink or
    worse: a square root (``np.sqrt(u)``), a fractional power (``np.power(u, a)`` /
    ``np.float_power(u, a)``, ``u ** a``, a plain exponent that is no integer:
    ``((x - p) ** 4) ** 0.25``, ``np.cbrt((x - p) ** 2) ** 1.5``), a logarithm
    (``np.exp(0.5 * np.log((x - p) ** 2))``; attack55 04), or ``None``.  The watch's
    confirmation compares func's coefficients across the touch: a smooth result
    (``((x - p) ** 2) ** 1.5``, ``log(1 + (x - p) ** 2)``) is refused nothing."""
    if len(inputs) == 1:
        return inputs[0] if ufunc in _ROOTS else None
    if ufunc in _POWERS and len(inputs) == 2 and not isinstance(inputs[1], Dual):
        e = inputs[1]
        if type(e) is float or type(e) is int:      # (u ** 2: the usual case, ~0.2 us)
            return inputs[0] if e - e // 1.0 > 0.0 else None    # (inf, NaN: not)
        if np.ndim(e) == 0:
            return inputs[0] if _fractional(e) else None
        e = np.asarray(e)
        return inputs[0] if e.dtype.kind == "f" and e.size and _fractional(e) else None
    return None


def _fractional(e):
    """Whether the plain exponent(s) ``e`` hold no integer (every element)."""
    with np.errstate(all="ignore"):
        return bool(np.all(np.isfinite(e) & (e != np.round(e))))


_ROOTS = frozenset((np.sqrt, np.log, np.log2, np.log10))
_POWERS = frozenset((np.power, np.float_power))
TOUCHED = _ROOTS | _POWERS      # (the ufuncs :func:`touching` reads: the watch's test)


def root_sign(u):
    """``(sign, values)``: the sign of ``du/dp_j`` (``p_j`` the first direction of
    ``u``'s outer level in which some element moves; 0 where it does not) and ``u``'s
    plain values, or ``None`` where ``u`` is no real dual, carries no partial, or is
    negative somewhere (a NaN edge: the watch's NaN sources)."""
    if not isinstance(u, Dual):
        return None
    plain = primal(u)
    plist = getattr(u, "_plist", None)
    if plist is not None and type(plain) is float:  # (a scalar dual: no arrays, ~2 us)
        if not plain >= 0.0:
            return None
        for e in plist():
            d = primal(e)
            if d != 0.0:
                return (1.0 if d > 0.0 else -1.0 if d < 0.0 else 0.0), plain
        return None
    with np.errstate(all="ignore"):
        values = np.asarray(plain)
        if values.dtype.kind != "f" or not bool(np.all(values >= 0.0)):
            return None
        slopes = np.asarray(primal(partials_array(u)))
        if slopes.dtype.kind != "f" or not slopes.size:
            return None
        moving = np.flatnonzero(np.any(slopes.reshape(-1, slopes.shape[-1]) != 0, axis=0))
        if not moving.size:
            return None
        sign = np.sign(slopes[..., int(moving[0])])
        sign = np.where(sign == sign, sign, 0.0)
    return (float(sign) if type(plain) is float else sign), values


class Root:
    """A square root's argument ``u`` and :func:`root_sign`'s sign, whose signed root
    (a dual) :meth:`dual` makes where a record is examined (dg.quad's watch keeps
    this, not the root, at every node: the root's dual ``np.sqrt`` cost a Hessian
    ~28 % of its time)."""

    __slots__ = ("u", "sign")

    def __init__(self, u, sign):
        self.u, self.sign = u, sign

    def dual(self):
        """``sign * sqrt(u)``, computed with the watch off."""
        saved = errors.BRANCHES.record
        errors.BRANCHES.record = None       # (the root itself: no record of its own)
        try:
            with np.errstate(all="ignore"):
                return np.sqrt(self.u) * self.sign
        finally:
            errors.BRANCHES.record = saved


def branch_of(sign, values):
    """The record's branch, ``sign(sign * sqrt(values))``, from plain values alone."""
    if type(values) is not np.ndarray or values.ndim == 0:
        return np.asarray(float(sign) if float(values) > 0.0 else 0.0)
    return np.where(values > 0.0, sign, 0.0)


def signed_root(u):
    """``sign(du/dp_j) * sqrt(u)`` as a dual (:func:`root_sign`), or ``None``."""
    found = root_sign(u)
    return None if found is None else Root(u, found[0]).dual()
