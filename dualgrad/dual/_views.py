"""The lean path of the NumPy functions and methods that return views of an array dual.

``np.reshape(d, ...)``, ``np.transpose(d)``, ``np.flip(d)``... and the dual's own view
methods (``d.reshape``, ``d.T``, ``d.swapaxes``...) on a *plain* array dual -- float64
ndarrays of values and partials, of a call still running -- make the view with the
ndarray methods on the value and on the partials directly, the value's axes mapped
onto the partials (the directions axis, last, never moves), and build the result
without the general path's machinery (lifting every argument, NumPy's Python
wrapper twice, the search for the result's kind).  Each function returns ``None``
for anything else -- nested duals (Hessians), complex values, an escaped dual, an
argument form not written here, a layout where NumPy might copy one array and not
the other, a 0-d result -- and the general path of
:mod:`dualgrad.dispatch._functions` runs instead, with its checks and its errors.

What the general path keeps, this path keeps:

* views stay views of both arrays, so a write through the view reaches the value
  and the partials of the base alike (``reshape`` and ``ravel`` run here only on
  layouts where NumPy gives a view of both: C- or F-contiguous, as the order asks);
* read-only stays read-only (``diagonal``, ``broadcast_to``: NumPy's views are);
* the fused engine's pending partials are computed first, as the ``partials``
  property computes them for dualgrad's own readers (nothing is exposed);
* a dual of a finished call is left to the general path, which raises;
* the result has the operand's tag; NumPy checks the arguments on the value first,
  so bad axes raise NumPy's own errors.

:data:`VIEWS` (in :mod:`dualgrad.dual._array`) maps each NumPy function to its lean
form; ``ArrayDual.__array_function__`` tries it before dispatch.
"""

import numpy as np

from .. import backend
from ._array import VIEWS, ArrayDual, make_real as _dual, _ROW_BYTES, _row_bytes
from ._base import LIVE
from . import _scalar
from ._scalar import ScalarDual

__all__ = ["FUNCTIONS", "install"]

_f64 = np.dtype(np.float64)
_Deferred = backend.Deferred
_concrete = backend.concrete
_ALL = slice(None)
_NO_VALUE = np._NoValue
_BACK = slice(None, None, -1)


def _arrays(a):
    """``(value, partials)`` of a plain array dual of a running call, or ``None``
    (also for a 0-d array dual: dispatch lifts scalar duals to those, and its general
    path turns 0-d results back into scalar duals).  Pending partials (the fused
    engine's) are computed and kept, as the ``partials`` property does for dualgrad's
    own readers."""
    if type(a) is not ArrayDual or a.tag not in LIVE:
        return None
    v, p = a.value, a._p
    if type(p) is _Deferred:
        p = a._p = _concrete(p)
    if type(v) is not np.ndarray or type(p) is not np.ndarray or v.dtype is not _f64 or \
            p.dtype is not _f64 or not v.ndim:
        return None
    return v, p


class _Indices(dict):
    """Index tuples made once per key: ``_Indices(build)[key]`` is ``build(key)``."""

    def __init__(self, build):
        super().__init__()
        self.build = build

    def __missing__(self, key):
        value = self[key] = self.build(key)
        return value


# the partials' axes for a value's reversed axes: ndim -> (ndim - 1, ..., 0, ndim)
_REVERSED = _Indices(lambda nd: tuple(range(nd))[::-1] + (nd,))
# every value axis reversed: ndim -> (::-1,) * ndim (the partials' last axis kept)
_FLIP_ALL = _Indices(lambda nd: (_BACK,) * nd)
# one axis reversed: axis -> (:, ..., :, ::-1)
_FLIP_AT = _Indices(lambda ax: (_ALL,) * ax + (_BACK,))
# two axes reversed: (axis, axis) -> the index of both
_FLIP_TWO = _Indices(lambda axes: tuple(_BACK if i in axes else _ALL
                                        for i in range(max(axes) + 1)))


def _moved(key):
    """``np.moveaxis``'s order of axes for (ndim, source, destination), with the
    partials' last axis after them."""
    nd, s, d = key
    order = [i for i in range(nd) if i != s]
    order.insert(d, s)
    return tuple(order), tuple(order) + (nd,)


_MOVES = _Indices(_moved)


# ---- the functions (NumPy's signatures) ----------------------------------------------
# Each takes the NumPy function's arguments and returns the view, or ``None`` (the
# general path), having changed nothing but a pending ``_p`` computed.
def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    """``np.reshape``: C order of C-contiguous arrays, F order of F-contiguous ones."""
    vp = _arrays(a)
    if vp is None or shape is None or copy is not None:
        return None
    v, p = vp
    if order == "C":
        if not (v.flags.c_contiguous and p.flags.c_contiguous):
            return None
    elif order == "F":
        if not (v.flags.f_contiguous and p.flags.f_contiguous):
            return None
    else:
        return None
    value = v.reshape(shape, order=order)
    if not value.ndim:
        return None
    return _dual(value, p.reshape(value.shape + p.shape[-1:], order=order), a.tag)


def ravel(a, order="C"):
    """``np.ravel`` in C order of C-contiguous arrays."""
    vp = _arrays(a)
    if vp is None or order != "C":
        return None
    v, p = vp
    if not (v.flags.c_contiguous and p.flags.c_contiguous):
        return None
    value = v.ravel()
    return _dual(value, p.reshape(value.shape + p.shape[-1:]), a.tag)


def transpose(a, axes=None):
    """``np.transpose`` and ``np.permute_dims``."""
    vp = _arrays(a)
    if vp is None:
        return None
    v, p = vp
    nd = v.ndim
    if axes is None:
        return _dual(v.transpose(), p.transpose(_REVERSED[nd]), a.tag)
    value = v.transpose(axes)                     # NumPy checks the axes
    return _dual(value, p.transpose(tuple([ax % nd for ax in axes]) + (nd,)), a.tag)


def matrix_transpose(x):
    """``np.matrix_transpose``: the last two value axes swapped."""
    vp = _arrays(x)
    if vp is None or vp[0].ndim < 2:
        return None
    v, p = vp
    return _dual(v.swapaxes(-1, -2), p.swapaxes(-2, -3), x.tag)


def swapaxes(a, axis1, axis2):
    """``np.swapaxes``."""
    vp = _arrays(a)
    if vp is None:
        return None
    v, p = vp
    value = v.swapaxes(axis1, axis2)              # NumPy checks the axes
    nd = v.ndim
    return _dual(value, p.swapaxes(axis1 % nd, axis2 % nd), a.tag)


def moveaxis(a, source, destination):
    """``np.moveaxis`` of one int axis (tuples: the general path)."""
    vp = _arrays(a)
    if vp is None or type(source) is not int or type(destination) is not int:
        return None
    v, p = vp
    nd = v.ndim
    if not (-nd <= source < nd and -nd <= destination < nd):
        return None                               # the general path raises NumPy's error
    order, porder = _MOVES[nd, source % nd, destination % nd]
    return _dual(v.transpose(order), p.transpose(porder), a.tag)


def squeeze(a, axis=None):
    """``np.squeeze``: the value's axes of length 1 (explicit for the partials, whose
    directions axis may have length 1 too)."""
    vp = _arrays(a)
    if vp is None:
        return None
    v, p = vp
    if axis is None:
        value = v.squeeze()
        axes = tuple([i for i, size in enumerate(v.shape) if size == 1])
    elif type(axis) is int:
        value = v.squeeze(axis)                   # NumPy checks the axis
        axes = axis % v.ndim
    elif type(axis) is tuple:
        value = v.squeeze(axis)
        axes = tuple([ax % v.ndim for ax in axis])
    else:
        return None
    if not value.ndim:
        return None
    return _dual(value, p.squeeze(axes), a.tag)


def expand_dims(a, axis):
    """``np.expand_dims`` of one int axis."""
    vp = _arrays(a)
    if vp is None or type(axis) is not int:
        return None
    v, p = vp
    nd = v.ndim + 1
    if not -nd <= axis < nd:
        return None
    ax = axis % nd
    shape = v.shape[:ax] + (1,) + v.shape[ax:]    # as NumPy: a reshape, always a view
    return _dual(v.reshape(shape), p.reshape(shape + p.shape[-1:]), a.tag)


def _broadcast(v, p, shape, tag):
    """``broadcast_to`` of C-contiguous ``v`` and ``p`` (read-only views, NumPy's
    strides: 0 along new and stretched axes), or ``None``."""
    extra = len(shape) - v.ndim
    if extra < 0 or not v.size:
        return None
    for want in shape:
        if type(want) is not int or want < 0:
            return None                           # NumPy's error: the general path
    vs = [0] * extra
    ps = [0] * extra
    for size, want, vstride, pstride in zip(v.shape, shape[extra:], v.strides, p.strides):
        if size == want:
            vs.append(vstride)
            ps.append(pstride)
        elif size == 1:
            vs.append(0)
            ps.append(0)
        else:
            return None                           # NumPy's error: the general path
    n = p.shape[-1]
    ps.append(p.strides[-1])
    value = np.ndarray(shape, _f64, v, 0, tuple(vs))
    partials = np.ndarray(shape + (n,), _f64, p, 0, tuple(ps))
    value.flags.writeable = False
    partials.flags.writeable = False
    return _dual(value, partials, tag)


def broadcast_to(array, shape, subok=False):
    """``np.broadcast_to`` of C-contiguous arrays."""
    vp = _arrays(array)
    if vp is None:
        return None
    v, p = vp
    if not (v.flags.c_contiguous and p.flags.c_contiguous):
        return None
    shape = (shape,) if type(shape) is int else tuple(shape) if type(shape) in (tuple, list) \
        else None
    if shape is None:
        return None
    return _broadcast(v, p, shape, array.tag)


def broadcast_arrays(*args, subok=False):
    """NumPy's: an argument already of the broadcast shape is returned as it is,
    the others broadcast (read-only, as the general path's)."""
    shapes = []
    for a in args:
        if _arrays(a) is None:
            return None
        shapes.append(a.value.shape)
    first = shapes[0] if shapes else None
    if first is None:
        return None
    for s in shapes:
        if s != first:
            break
    else:
        return tuple(args)
    shape = _broadcast_shape(shapes)
    if shape is None:
        return None
    out = []
    for a, s in zip(args, shapes):
        if s == shape:
            out.append(a)
            continue
        v, p = a.value, a._p
        if not (v.flags.c_contiguous and p.flags.c_contiguous):
            return None
        b = _broadcast(v, p, shape, a.tag)
        if b is None:
            return None
        out.append(b)
    return tuple(out)


def _broadcast_shape(shapes):
    """NumPy's broadcast shape of ``shapes``, or ``None`` where they do not broadcast."""
    nd = max(len(s) for s in shapes)
    out = [1] * nd
    for s in shapes:
        for i, size in enumerate(s, nd - len(s)):
            if size != 1:
                if out[i] == 1:
                    out[i] = size
                elif out[i] != size:
                    return None
    return tuple(out)


def flip(m, axis=None):
    """``np.flip`` of every axis or of one int axis."""
    vp = _arrays(m)
    if vp is None:
        return None
    v, p = vp
    nd = v.ndim
    if axis is None:
        index = _FLIP_ALL[nd]
    elif type(axis) is int and -nd <= axis < nd:
        index = _FLIP_AT[axis % nd]
    else:
        return None
    return _dual(v[index], p[index], m.tag)


def fliplr(m):
    """``np.fliplr``."""
    vp = _arrays(m)
    if vp is None or vp[0].ndim < 2:
        return None
    v, p = vp
    index = _FLIP_AT[1]
    return _dual(v[index], p[index], m.tag)


def flipud(m):
    """``np.flipud``."""
    vp = _arrays(m)
    if vp is None or not vp[0].ndim:
        return None
    v, p = vp
    return _dual(v[::-1], p[::-1], m.tag)


def roll(a, shift, axis=None):
    """``np.roll`` of a 1-D dual by a Python int, while the fused engine defers it (work
    from ``backend.FUSING[1]``): the value is NumPy's two slice copies into a new
    array (the numbers ``np.roll`` copies), the partials the deferred rows
    ``backend.defer_roll`` reads shifted (what the general path,
    ``dispatch._functions._roll``, makes for the same call), without the dispatch's
    lifting, its lookup and ``np.roll``'s axis normalisation: ~13 us of Python per
    roll of the ``np.roll`` heat step at 100,000 cells (bench/heat_ops.py, stop 53).
    Not a view: a new array, as ``np.roll``'s.  Anything else, and where
    ``defer_roll`` declines, goes to the general path (``None``, nothing pending)."""
    if type(axis) in _ROLL_INTS and type(shift) in _ROLL_INTS and -_HUGE < shift < _HUGE \
            and type(a) is ArrayDual and type(a._p) is np.ndarray:
        vp = _arrays(a)             # (an int axis of two or more: the NumPy roll below)
        if vp is not None and vp[0].ndim >= 2 and -vp[0].ndim <= axis < vp[0].ndim and \
                (not _ACTIVE[0] or vp[1].size < _ACTIVE[1]):
            return _rolled_axis(a, vp[0], vp[1], shift, int(axis))
    if not _ACTIVE[0] or type(shift) is not int or not -_HUGE < shift < _HUGE or \
            not (axis is None or type(axis) is int and -1 <= axis <= 0):
        return None
    vp = _arrays(a)
    if vp is None:
        return None
    v, p = vp
    if v.ndim != 1 or p.ndim != 2 or p.size < _ACTIVE[1]:
        return None
    length = v.shape[0]
    d = backend.defer_roll(p, v.shape, p.shape[1], shift)
    if d is None:
        return None
    s = shift % length
    out = np.empty(length)
    out[s:] = v[:length - s]
    out[:s] = v[length - s:]
    return _dual(out, d, a.tag)


def _rolled_axis(a, v, p, shift, axis):
    """``np.roll(a, shift, axis)`` of an array dual of two or more axes by an integer
    along one (a lattice Boltzmann step's ``np.roll(F[:, :, i], cx, axis=1)`` with
    ``cx`` from an int array, 18 a step: rows65), below the fused engine's size: the
    general path's steps (``dispatch._functions._roll``: NumPy's roll of the value, the
    partials' two slice copies) without dispatch's lift, its binding of ``axis=`` and
    its lookups.  The value by ``np.roll``'s own two slice copies into
    ``np.empty_like`` (its layout), without its axis normalisation and index tuples:
    ~6 us of a ~15 us roll at (12, 40) (rows68)."""
    ax = axis % v.ndim
    length = v.shape[ax]
    if not length:
        return _dual(np.roll(v, shift, axis), rolled(p, shift, ax), a.tag)
    s = int(shift) % length
    head = _HEADS[ax]
    value = np.empty_like(v)
    value[head + (slice(s, None),)] = v[head + (slice(None, length - s),)]
    value[head + (slice(None, s),)] = v[head + (slice(length - s, None),)]
    return _dual(value, _shifted(p, s, length, head), a.tag)


def rolled(p, shift, ax):
    """``np.roll(p, shift, ax)`` of partials along one axis, written into a pooled buffer
    (``backend.empty``) where ``p`` is a float64 ndarray, the shift one number and the
    axis not empty (the general ``dispatch._functions._roll``'s too)."""
    length = p.shape[ax]
    if np.ndim(shift) or not length or type(p) is not np.ndarray or p.dtype != np.float64:
        return np.roll(p, shift, ax)
    return _shifted(p, int(shift) % length, length, _HEADS[ax])


def _shifted(p, s, length, head):
    """:func:`rolled`'s two slice copies (``s`` the shift in ``[0, length)``, ``head``
    the slices before the axis) into a pooled buffer; rows of ``n >= 2`` partials that
    lie apart in ``p`` (``F[:, :, i]``'s) copied as one element each, as
    :func:`put_rows` copies them (the same bytes)."""
    out = backend.empty(p.shape)
    o = out
    n = p.shape[-1]
    if n > 1 and p.size >= 32 * n and p.strides[-1] == 8 and not p.flags.c_contiguous:
        t = _ROW_BYTES.get(n) or _row_bytes(n)
        o, p = out.view(t), p.view(t)
    o[head + (slice(s, None),)] = p[head + (slice(None, length - s),)]
    o[head + (slice(None, s),)] = p[head + (slice(length - s, None),)]
    return out


_HEADS = _Indices(lambda ax: (slice(None),) * ax)     # the slices before an axis


# the integer types of a shift or axis the roll above takes (a bool, a float, a tuple:
# the general path, which accepts or refuses them as NumPy does)
_ROLL_INTS = frozenset({int, np.int64, np.int32, np.intp})


def diff(a, n=1, axis=-1, prepend=_NO_VALUE, append=_NO_VALUE):
    """``np.diff`` of a 1-D dual of order 1 to 4, while the fused engine defers it (work
    from ``backend.FUSING[1]``): NumPy's own ``np.diff`` of the value, the partials the
    deferred differences of neighbouring rows ``backend.defer_diff`` makes (what the
    general path, ``dispatch._functions._diff``, makes for the same call), without
    the dispatch's lifting and lookup.  Anything else (``prepend`` / ``append``, more
    axes, another order), and where ``defer_diff`` declines, goes to the general path
    (``None``, nothing pending)."""
    if not _ACTIVE[0] or type(n) is not int or not 0 < n <= 4 or \
            prepend is not _NO_VALUE or append is not _NO_VALUE or \
            not (type(axis) is int and -1 <= axis <= 0):
        return None
    vp = _arrays(a)
    if vp is None:
        return None
    v, p = vp
    if v.ndim != 1 or p.ndim != 2 or p.size < _ACTIVE[1]:
        return None
    d = backend.defer_diff(p, n)
    if d is None:
        return None
    return _dual(np.diff(v, n), d, a.tag)


_ACTIVE = backend.FUSING          # [deferring now, from how many partials elements]
_HUGE = 1 << 62                   # a shift past it: NumPy's own error (the general path)


def rot90(m, k=1, axes=(0, 1)):
    """NumPy's rot90 for an int ``k`` and two distinct int axes: a flip and a swap of
    the two axes, in NumPy's order."""
    vp = _arrays(m)
    if vp is None or type(k) is not int or type(axes) not in (tuple, list) or len(axes) != 2:
        return None
    v, p = vp
    nd = v.ndim
    a0, a1 = axes
    if type(a0) is not int or type(a1) is not int or not (-nd <= a0 < nd and -nd <= a1 < nd):
        return None
    a0, a1 = a0 % nd, a1 % nd
    if a0 == a1:
        return None                               # NumPy's error: the general path
    k %= 4
    if k == 0:
        return _dual(v[:], p[:], m.tag)
    if k == 2:
        index = _FLIP_TWO[a0, a1]
        return _dual(v[index], p[index], m.tag)
    index = _FLIP_AT[a1]
    if k == 1:                                    # transpose(flip(m, a1), swapped)
        return _dual(v[index].swapaxes(a0, a1), p[index].swapaxes(a0, a1), m.tag)
    return _dual(v.swapaxes(a0, a1)[index], p.swapaxes(a0, a1)[index], m.tag)


def real(val):
    """The real part of a real dual: its own value and partials (NumPy's ``v.real``
    of a real array is ``v``)."""
    vp = _arrays(val)
    if vp is None:
        return None
    return _dual(vp[0].real, vp[1], val.tag)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """``np.diagonal``: read-only, as NumPy's."""
    vp = _arrays(a)
    if vp is None:
        return None
    v, p = vp
    value = v.diagonal(offset, axis1, axis2)     # NumPy checks the axes
    nd = v.ndim
    # the partials' diagonal axis comes last: swapped before the directions
    return _dual(value, p.diagonal(offset, axis1 % nd, axis2 % nd).swapaxes(-1, -2), a.tag)


def atleast_1d(*arys):
    """``np.atleast_1d`` of one dual."""
    if len(arys) != 1 or _arrays(arys[0]) is None:
        return None
    return arys[0]                                # 1-d or more: itself, as NumPy


def atleast_2d(*arys):
    """``np.atleast_2d`` of one dual."""
    if len(arys) != 1:
        return None
    a = arys[0]
    vp = _arrays(a)
    if vp is None:
        return None
    v, p = vp
    if v.ndim >= 2:
        return a
    return _dual(v[None], p[None], a.tag)         # NumPy's ary[np.newaxis, :]


def atleast_3d(*arys):
    """``np.atleast_3d`` of one dual."""
    if len(arys) != 1:
        return None
    a = arys[0]
    vp = _arrays(a)
    if vp is None:
        return None
    v, p = vp
    nd = v.ndim
    if nd >= 3:
        return a
    if nd == 1:                                   # NumPy's ary[np.newaxis, :, np.newaxis]
        return _dual(v[None, :, None], p[None, :, None], a.tag)
    return _dual(v[:, :, None], p[:, :, None], a.tag)


def _pieces(a, indices_or_sections, axis, equal):
    """``np.split`` (``equal``) and ``np.array_split`` of a dual along an int axis, by
    an int number of sections or a list or tuple of int indices: each piece the same
    slice of value and partials (NumPy slices the axis swapped to the front and
    swaps it back, which is that slice)."""
    vp = _arrays(a)
    if vp is None or type(axis) is not int:
        return None
    v, p = vp
    nd = v.ndim
    if not -nd <= axis < nd:
        return None
    ax = axis % nd
    total = v.shape[ax]
    sections = indices_or_sections
    if type(sections) is int:
        if sections <= 0:
            return None
        each, extras = divmod(total, sections)
        if equal and extras:
            return None                           # NumPy's error: the general path
        bounds = [0]
        for i in range(sections):
            bounds.append(bounds[-1] + each + (i < extras))
    elif type(sections) in (list, tuple) and all(type(i) is int for i in sections):
        bounds = [0, *sections, total]
    else:
        return None
    head = (_ALL,) * ax
    tag = a.tag
    out = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        index = head + (slice(start, stop),)
        out.append(_dual(v[index], p[index], tag))
    return out


def split(ary, indices_or_sections, axis=0):
    """``np.split``."""
    return _pieces(ary, indices_or_sections, axis, True)


def array_split(ary, indices_or_sections, axis=0):
    """``np.array_split``."""
    return _pieces(ary, indices_or_sections, axis, False)


# NumPy function -> its lean form here (``install`` puts them into ``VIEWS``)
FUNCTIONS = {np.reshape: reshape, np.ravel: ravel, np.transpose: transpose,
             np.permute_dims: transpose, np.matrix_transpose: matrix_transpose,
             np.swapaxes: swapaxes, np.moveaxis: moveaxis, np.squeeze: squeeze,
             np.expand_dims: expand_dims, np.broadcast_to: broadcast_to,
             np.broadcast_arrays: broadcast_arrays, np.flip: flip, np.fliplr: fliplr,
             np.flipud: flipud, np.rot90: rot90, np.real: real, np.diagonal: diagonal,
             np.atleast_1d: atleast_1d, np.atleast_2d: atleast_2d, np.atleast_3d: atleast_3d,
             np.split: split, np.array_split: array_split, np.roll: roll,
             np.diff: diff}


# ---- the dual's view methods ---------------------------------------------------------
def _T(self):
    """``d.T``."""
    r = transpose(self)
    return np.transpose(self) if r is None else r


def _mT(self):
    """``d.mT``."""
    r = matrix_transpose(self)
    return np.matrix_transpose(self) if r is None else r


def _reshape(self, *shape, order="C"):
    """``np.reshape(d, shape, order=order)``, as ``ndarray.reshape``."""
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    r = reshape(self, shape, order)
    return np.reshape(self, shape, order=order) if r is None else r


def _ravel(self, order="C"):
    """``np.ravel(d, order)``, as ``ndarray.ravel``."""
    r = ravel(self, order)
    return np.ravel(self, order) if r is None else r


def _transpose(self, *axes):
    """``np.transpose(d, axes)``, as ``ndarray.transpose``."""
    if len(axes) == 1 and not isinstance(axes[0], int):
        axes = axes[0]
    axes = axes or None
    r = transpose(self, axes)
    return np.transpose(self, axes) if r is None else r


def _swapaxes(self, axis1, axis2):
    """``np.swapaxes(d, axis1, axis2)``, as ``ndarray.swapaxes``."""
    r = swapaxes(self, axis1, axis2)
    return np.swapaxes(self, axis1, axis2) if r is None else r


def _squeeze(self, axis=None):
    """``np.squeeze(d, axis)``, as ``ndarray.squeeze``."""
    r = squeeze(self, axis)
    return np.squeeze(self, axis) if r is None else r


def _diagonal(self, offset=0, axis1=0, axis2=1):
    """``np.diagonal(d, offset, axis1, axis2)``, as ``ndarray.diagonal``."""
    r = diagonal(self, offset, axis1, axis2)
    return np.diagonal(self, offset, axis1, axis2) if r is None else r


def scalar_row(a, order="C"):
    """``np.ravel(s)`` or ``np.atleast_1d(s)`` of a live float-valued scalar dual of the
    slot kind: a one-element array dual, its value ``[s.value]`` and its partials the
    row as ``(1, n)`` (the general path's lift and reshape skipped; to the bit);
    ``None`` for anything else, which the general path takes."""
    t = type(a)
    if not isinstance(a, ScalarDual) or t._kind != "slots" or type(order) is not str or \
            order not in _ORDERS:
        return None
    v = a.value
    if type(v) is not float or a.tag not in LIVE:
        return None
    p = np.array([a._plist()])
    if p.dtype is not _F64:               # inner duals (a Hessian's) beside numbers
        return None
    return _dual(np.array([v]), p, a.tag)


def scalar_repeat(a, repeats, axis=None):
    """``np.repeat(s, k)`` of a live float-valued scalar dual of the slot kind and a
    Python int ``k``: ``k`` copies of its value and of its partials' row (the general
    path's lift to a 0-d array dual and ``_repeat`` skipped: ~14 us of an Euler-Lotka
    sum's ``np.repeat(16 x, 50)``, loops61; the same elements, so to the bit);
    ``None`` for anything else (an axis, an array of repeats: the general path)."""
    if axis is not None or type(repeats) is not int:
        return None
    row = scalar_row(a)                   # [s.value] and its (1, n) row, or None
    if row is None:
        return None
    return _dual(np.repeat(row.value, repeats), np.repeat(row._p, repeats, 0), row.tag)


def scalar_atleast_1d(*arys):
    """``np.atleast_1d(s)`` of one scalar dual: :func:`scalar_row`."""
    return scalar_row(arys[0]) if len(arys) == 1 else None


def _scalar_like(fill):
    """``np.zeros_like(s, shape=...)`` (``fill``: ``np.zeros_like`` or ``np.ones_like``)
    of a live float-valued scalar dual of the slot kind, ``shape`` given (at least one
    axis) and the other keywords NumPy's defaults: ``fill`` of the value at ``shape``
    and zero partials of the scalar's ``n`` directions, what the general path's lift to
    a 0-d array dual and ``dispatch._functions._like`` make (the same NumPy call on
    the value, ``np.zeros`` of the partials), without them (a point-kinetics matrix
    made each call of a rhs: rows64); ``None`` for anything else (a dtype, an order,
    no shape, a 0-d result, nested or complex partials, a ``device``), which the
    general path takes."""
    def lean(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
        if shape is None or dtype is not None or order != "K" or subok is not True or \
                device is not None or \
                getattr(type(a), "_kind", None) != "slots" or type(a.value) is not float or \
                a.tag not in LIVE:
            return None
        row = np.array(a._plist())
        if row.dtype is not _F64:         # (inner duals, complex partials: as scalar_row)
            return None
        value = fill(a.value, shape=shape)
        if not value.ndim:
            return None
        return _dual(value, np.zeros(value.shape + row.shape), a.tag)
    return lean


def scalar_shape(a):
    """``np.shape(s)`` of a live scalar dual: ``()``, the general path's answer (its lift
    to a 0-d array dual, ~4 us, skipped: a jvp of a scalar asks four times, loops65);
    ``None`` for an escaped one (the general path raises)."""
    return () if a.tag in LIVE else None


def scalar_ndim(a):
    """``np.ndim(s)`` of a live scalar dual: ``0``, as :func:`scalar_shape`."""
    return 0 if a.tag in LIVE else None


_ORDERS = frozenset({"C", "F", "A", "K"})
_F64 = np.dtype(np.float64)


def install():
    """Fill ``VIEWS`` and put the view methods on ``ArrayDual`` (after
    ``_array``'s generated methods: ``swapaxes``, ``squeeze`` and ``diagonal``
    replace theirs)."""
    VIEWS.update(FUNCTIONS)
    _scalar.LEAN.update({np.ravel: scalar_row, np.atleast_1d: scalar_atleast_1d,
                         np.repeat: scalar_repeat, np.shape: scalar_shape,
                         np.ndim: scalar_ndim,
                         np.zeros_like: _scalar_like(np.zeros_like),
                         np.ones_like: _scalar_like(np.ones_like)})
    ArrayDual.T = property(_T, doc="The transposed dual, as ``np.transpose(d)``.")
    ArrayDual.mT = property(_mT, doc="The transpose of the last two axes, as "
                                     "``np.matrix_transpose``.")
    for name, method in (("reshape", _reshape), ("ravel", _ravel), ("transpose", _transpose),
                         ("swapaxes", _swapaxes), ("squeeze", _squeeze),
                         ("diagonal", _diagonal)):
        method.__name__ = method.__qualname__ = name
        setattr(ArrayDual, name, method)


install()
