"""The lean path of ``np.where`` and ``np.interp`` on one real scalar dual (scalarfn63).

A scalar dual reaching NumPy's ``np.where(c, d, 0.0)`` or ``np.interp(d, xp, fp)``
took the general path of :mod:`dualgrad.dispatch._functions`: the dual lifted into a
0-d array dual, array operations on it, the 0-d result made a scalar dual again
(~30 us and ~100 us a call; a rotor's blade-element loop makes thousands).  Here the
same numbers are computed on Python floats, in the general path's own order, so the
value and every partial keep their bits and the result is the scalar dual it gave:

* ``np.where(cond, x, y)`` with a scalar boolean ``cond`` (``bool``, ``np.bool_``, a
  0-d boolean array) and branches that are real scalar duals of one class and one
  call, or Python / NumPy float and int constants: the picked branch, a constant's
  partials +0.0;
* ``np.interp(x, xp, fp, left=, right=)`` of a real scalar dual ``x`` against float64
  ``fp`` and float64 / int64 ``xp`` (1-D ndarrays, two knots or more) and number ends:
  NumPy's value ``v`` of the float, the general path's slope ``s`` of the segment
  ``searchsorted(xp, x, "right") - 1`` (clipped to the knots; 0 outside them and at
  NaN), the result ``v + s (x - x)``: value ``v + s * 0`` and partials ``s * p``;
  a NaN value (NaN ``x`` or ``fp``, an infinite ``x``) or an infinite or NaN slope
  (repeated knots at the end, infinite ``fp``) is left to the general path.

Anything else returns ``None`` and the general path runs, with its checks and errors:
nested or complex duals, duals of two calls or of another thread's call, escaped duals,
dual or list knots, ``period=``, dg.quad's watch (np.interp reports its segment), a
``holomorphic=True`` call.  :func:`install` hands both to the scalar duals'
``__array_function__`` (``_scalar.LEAN``).
"""

import threading

import numpy as np

from . import _scalar
from ._array import _SLOTS
from ._base import HOLOMORPHIC, LIVE, WATCHING

try:   # the compiled interpolation that np.interp calls for float64 ``fp`` once its
    # argument checks are done (its Python wrapper skipped: bench/scalar_picks_ab.py)
    from numpy._core.multiarray import interp as _interp
except ImportError:                                     # pragma: no cover
    _interp = np.interp

_ident = threading.get_ident
_F64, _I64 = np.dtype(np.float64), np.dtype(np.int64)
_BOOLS = (bool, np.bool_)
_CONSTANTS = frozenset({float, int, np.float64})
_ENDS = frozenset({type(None), float, int, np.float64})


def _real_dual(d):
    """``(class, n)`` of ``d``, a float-valued real scalar dual of this thread's running
    call, or ``None``."""
    cls = type(d)
    n = _SLOTS[cls] if getattr(cls, "_kind", None) == "slots" else 0
    if not n or _scalar._CLASSES.get(n) is not cls or type(d.value) is not float or \
            LIVE.get(d.tag, 0) != _ident():
        return None
    return cls, n


def where(condition, x=None, y=None):
    """``np.where`` of a scalar condition between scalar duals and number constants,
    or ``None``."""
    tc = type(condition)
    if tc not in _BOOLS and not (tc is np.ndarray and condition.shape == () and
                                 condition.dtype == np.bool_) or HOLOMORPHIC:
        return None
    kinds = []
    for b in (x, y):
        if type(b) in _CONSTANTS:
            if type(b) is int and not -2 ** 53 <= b <= 2 ** 53:    # (exact as a float)
                return None
            continue
        kind = _real_dual(b)
        if kind is None:
            return None
        kinds.append((kind, b.tag))
    if not kinds or len(kinds) == 2 and kinds[0] != kinds[1]:
        return None
    (cls, n), tag = kinds[0]
    picked = x if condition else y
    if type(picked) is cls:
        return cls._from(picked.value, picked._plist(), tag)
    return cls._from(float(picked), [0.0] * n, tag)


def interp(x, xp, fp, left=None, right=None, period=None):
    """``np.interp`` of one real scalar dual against plain knots, or ``None``."""
    if period is not None or WATCHING[0] or HOLOMORPHIC or type(xp) is not np.ndarray or \
            type(fp) is not np.ndarray or type(left) not in _ENDS or \
            type(right) not in _ENDS:
        return None
    kind = _real_dual(x)
    m = xp.shape[0] if xp.ndim == 1 else 0
    if kind is None or m < 2 or fp.shape != (m,) or fp.dtype is not _F64 or \
            xp.dtype is not _F64 and xp.dtype is not _I64:
        return None
    cls, n = kind
    xv = x.value
    value = _interp(xv, xp, fp, left, right)    # NumPy's value and its checks (np.interp's
                                                # own call: fp a float64 array, no period)
    knots = xp if xp.dtype is _F64 else xp.astype(_F64)
    s = 0.0
    if knots[0] <= xv <= knots[m - 1]:                         # (not NaN)
        i = min(max(int(knots.searchsorted(xv, "right")) - 1, 0), m - 2)
        k0, k1 = float(knots[i]), float(knots[i + 1])
        if k1 == k0:
            return None                                        # (a repeated knot)
        # Python floats: NumPy's float64 arithmetic, without its reports, which the
        # general path makes where the slope declines (diff63: they came twice)
        s = (float(fp[i + 1]) - float(fp[i])) / (k1 - k0)
    value = float(value) + s * (float(xv) - xv)
    if value != value or s - s != 0:
        return None     # a NaN value (whose sign bit NumPy's array loops set), an infinite
                        # or NaN slope (the general product keeps zero partials): the general path
    return cls._from(value, [s * p for p in x._plist()], x.tag)


def install():
    """Hand the lean functions to the scalar duals' ``__array_function__``."""
    _scalar.LEAN.update({np.where: where, np.interp: interp})


install()
