"""The lean path of NumPy's joins: ``np.concatenate``, ``np.stack``, ``np.hstack``,
``np.vstack``, ``np.column_stack`` and ``np.append`` of plain array duals.

The parts are array duals of one running call -- float64 values of one dimension or
more, float64 partials of one length -- and float64 ndarrays (constants, zero
partials).  The value is NumPy's own call on the values, which checks the shapes and
the axis and raises NumPy's errors; the partials are one array (pooled, see
:func:`dualgrad.backend.empty`) into which each part's partials are written once:

* a join along the first axis (or wherever the blocks before the axis number one)
  puts each part's partials in one contiguous block: one ``np.concatenate(..., out=)``
  of C-contiguous partials, or the rows of ``n`` partials as single items
  (:func:`dualgrad.backend.rows`) for other layouts; the fused engine's pending
  partials are computed by their kernel straight into their block
  (:func:`dualgrad.backend.write_into`) and stay pending, and a constant's block is
  filled with zeros;
* a join along an inner axis writes each row of the result once
  (:func:`dualgrad.backend.join`), or NumPy joins the rows of partials.

Each function takes its NumPy function's arguments and returns the joined dual, or
``None`` -- a part of another kind (nested, complex, scalar or 0-d duals, duals of
another call, lists, other dtypes), no dual at all, an escaped dual, a keyword NumPy
would apply to the dtype, ``out=`` -- and the general path of
:mod:`dualgrad.dispatch._functions` runs instead, with its checks and its errors.
``install`` puts them into ``VIEWS``, which ``ArrayDual.__array_function__`` tries
before dispatch.  :func:`join_partials` is the general path's partials writer too.
"""

import numpy as np

from .. import backend
from ._array import VIEWS, ArrayDual
from ._base import LIVE
from . import _array, _scalar
from ._scalar import ScalarDual
from ._views import _dual

__all__ = ["FUNCTIONS", "install", "join_partials"]

_f64 = np.dtype(np.float64)
_Deferred = backend.Deferred
_concrete = backend.concrete
_ndarray = np.ndarray


def _parts(arrays, scalars=False):
    """``(values, partials, tag, n)`` of the parts of a join, a constant's partials
    ``None`` (pending partials left pending), or ``None`` for anything this path
    does not take.  With ``scalars`` (the joins that take 0-d parts: a flattening
    concatenate or append, the stacks) a float-valued scalar dual of the slot kind
    and a 0-d array dual are parts too, their value a 0-d array and their partials
    a row of ``n``, and so is a Python float (a constant): ``np.append(r, s)`` of a scalar dual ``s`` was the general
    path's lift, two dispatches and ``np.ravel`` of each part (small59)."""
    if type(arrays) is not list and type(arrays) is not tuple:
        return None
    values, partials = [], []
    tag, n = None, 0
    for a in arrays:
        t = type(a)
        if t is ArrayDual:
            v, p = a.value, a._p
            tp = type(p)
            if tp is _ndarray:
                if p.dtype is not _f64:
                    return None
                m = p.shape[-1]
            elif tp is _Deferred:
                m = p.n
            else:
                return None
        elif t is _ndarray:
            v, p = a, None
        elif t is float and scalars:      # a constant (np.append(r, 0.0)): NumPy's float64
            v, p = np.array(a), None
        elif scalars and isinstance(a, ScalarDual) and t._kind == "slots":
            v = a.value
            if type(v) is not float:      # complex, or nested (a Hessian's) duals
                return None
            p = np.array(a._plist())
            if p.dtype is not _f64:       # inner duals beside a plain number (attack48 09)
                return None
            v = np.array(v)
            m = p.shape[-1]
        else:
            return None
        if p is not None:
            if tag is None:
                tag, n = a.tag, m
            elif a.tag != tag or m != n:
                return None                   # two calls' duals, or lengths: the checks
        if type(v) is not _ndarray or v.dtype is not _f64 or not (v.ndim or scalars):
            return None
        values.append(v)
        partials.append(p)
    if tag is None or tag not in LIVE:
        return None
    return values, partials, tag, n


def join_partials(partials, values, shapes, ax, shape, n):
    """The partials of a join along value axis ``ax`` with the result's value shape
    ``shape``: one array of ``shape + (n,)``, pooled where it is large.

    ``partials[i]`` (an array, a :class:`~dualgrad.backend.Deferred`, or ``None``
    for a constant's zeros) belongs to the value ``values[i]``, which takes the shape
    ``shapes[i]`` in the join (``values[i].shape`` with a 1 inserted for a stack, its
    size for a flattened join).
    """
    out = backend.empty(shape + (n,))
    outer = 1
    for s in shape[:ax]:
        outer *= s
    pieces = []
    plain = True                 # every part a C-contiguous array of its join shape
    for p, v, s in zip(partials, values, shapes):
        if type(p) is _ndarray:
            if p.shape[:-1] != s:
                p = p.reshape(s + (n,))
            plain = plain and p.flags.c_contiguous
        else:
            plain = False
            if outer != 1:       # an inner axis: every part an array
                p = np.zeros(s + (n,)) if p is None else _concrete(p).reshape(s + (n,))
        pieces.append(p)
    if plain:
        if outer == 1:                                   # one block per part
            return np.concatenate(pieces, axis=ax, out=out)
        if backend.join(pieces, outer, out):
            return out                                   # each row written once
    elif outer == 1:             # one contiguous block per part
        start = 0
        for p, v, s in zip(pieces, values, shapes):
            stop = start + s[ax]
            block = out[(slice(None),) * ax + (slice(start, stop),)]
            start = stop
            if p is None:
                block.fill(0.0)
            elif type(p) is _Deferred:
                backend.write_into(p, block.reshape(v.shape + (n,)))  # computed in place
            else:
                _copy_rows(block, p)
        return out
    rows = [backend.rows(p) for p in pieces]
    into = backend.rows(out)
    if into is not None and all(r is not None for r in rows):
        np.concatenate(rows, axis=ax, out=into)          # one item per element's row
        return out
    return np.concatenate(pieces, axis=ax, out=out)


def _copy_rows(block, p):
    """``block[...] = p``, each element's row of partials one item where the layouts
    let NumPy see them so (its inner loop of ``n`` numbers is slow)."""
    into, rows = backend.rows(block), backend.rows(p)
    if into is not None and rows is not None:
        np.copyto(into, rows)
    else:
        np.copyto(block, p)


def _axis(axis, ndim):
    """``axis`` (an int NumPy accepted for ``ndim`` dimensions) as a non-negative int."""
    return axis + ndim if axis < 0 else axis


def _join(arrays, value_of, axis_of, shapes_of, scalars=False):
    """The join of ``arrays``: ``value_of(values)`` its value, ``axis_of(values,
    value)`` its axis, ``shapes_of(values, ax)`` the parts' shapes in it (a 0-d
    part's too, where ``scalars`` lets :func:`_parts` take them)."""
    found = _parts(arrays, scalars)
    if found is None:
        return None
    values, partials, tag, n = found
    value = value_of(values)                      # NumPy checks shapes and axis
    ax = axis_of(values, value)
    return _dual(value, join_partials(partials, values, shapes_of(values, ax), ax,
                                      value.shape, n), tag)


def _own_shapes(values, ax):
    return [v.shape for v in values]


def _flat_shapes(values, ax):
    return [(v.size,) for v in values]


def _stacked_shapes(values, ax):
    return [v.shape[:ax] + (1,) + v.shape[ax:] for v in values]


def _first(values, value):
    return 0


def concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """``np.concatenate``."""
    if out is not None or dtype is not None or casting != "same_kind":
        return None
    if axis is None:
        return _join(arrays, lambda vs: np.concatenate(vs, axis=None), _first, _flat_shapes,
                     True)
    if type(axis) is not int:
        return None
    return _join(arrays, lambda vs: np.concatenate(vs, axis=axis),
                 lambda vs, value: _axis(axis, value.ndim), _own_shapes)


def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """``np.stack``."""
    if out is not None or dtype is not None or casting != "same_kind" or \
            type(axis) is not int:
        return None
    joined = _join(arrays, lambda vs: np.stack(vs, axis=axis),
                   lambda vs, value: _axis(axis, value.ndim), _stacked_shapes, True)
    if joined is None and (axis == 0 or axis == -1) and type(arrays) in (list, tuple):
        return _complex_scalars(arrays)
    return joined


_EXACT_INT = 2 ** 53            # (ints up to it: the same complex128 however NumPy converts)
_NUMBERS = (complex, float, int)


def _complex_scalars(items):
    """``np.stack(items)`` of complex scalar duals of the slot kind, one class and one
    running call, whose values are Python complex numbers and partials Python complex
    or float numbers, and Python numbers (constants: zero partials), the general path's
    numbers: complex128 values and partials (a float partial's imaginary part +0.0, as
    NumPy casts), in two ``np.array`` calls instead of a 0-d lift of each part (~17 ->
    ~5 us for two parts: a transfer matrix's rows, bench/tmm_ops.py; loops67).  ``None``
    for anything else (real, nested, vector-kind or another call's duals, NumPy scalars,
    lists, ints past 2**53), which the general path joins."""
    cls = None
    for d in items:
        t = type(d)
        if t in _NUMBERS:
            if t is int and not -_EXACT_INT <= d <= _EXACT_INT:
                return None
        elif cls is None and issubclass(t, ScalarDual) and t._kind == "slots" and \
                t.complex_kind:
            cls, tag = t, d.tag
        elif t is not cls or d.tag != tag:
            return None
    if cls is None or tag not in LIVE:
        return None
    values, rows, zeros = [], [], None
    for d in items:
        if type(d) is cls:
            v, ps = d.value, d._plist()
            if type(v) is not complex or not all(type(p) is complex or type(p) is float
                                                 for p in ps):
                return None
            zeros = [0j] * len(ps)
        else:
            v, ps = d, None
        values.append(v)
        rows.append(ps)
    return _dual(np.array(values, dtype=complex),
                 np.array([zeros if r is None else r for r in rows], dtype=complex), tag)


def block(arrays):
    """``np.block(arrays)`` of a rectangular nesting one or two lists deep whose leaves
    are scalar duals and Python numbers, all 0-d: the nesting's shape, its leaves in C
    order joined as :func:`_complex_scalars` joins complex scalar duals of the slot kind
    (or :func:`dualgrad.dual._array.stack_lean`'s reading, real ones), the general
    path's numbers (``_composed._block``: each leaf lifted, reshaped to ``(1, 1)``, one
    ``np.concatenate`` a row, then one of the rows; ~200 -> ~6 us for tmm's
    ``make_2x2_array``, a transfer matrix of four entries).  ``None`` for anything else
    (an array leaf, a ragged or empty nesting, tuples, deeper lists, ints past 2**53,
    NumPy scalars beside complex duals), which the general path joins with NumPy's
    checks and errors."""
    if type(arrays) is not list or not arrays:
        return None
    if type(arrays[0]) is list:
        width = len(arrays[0])
        if not width:
            return None
        items = []
        for row in arrays:
            if type(row) is not list or len(row) != width:
                return None
            items.extend(row)
        shape = (len(arrays), width)
    else:
        items, shape = arrays, (len(arrays),)
    for d in items:                   # leaves: 0-d numbers or scalar duals, no lists
        t = type(d)
        if t is int:
            if not -_EXACT_INT <= d <= _EXACT_INT:
                return None
        elif t is not float and t is not complex and \
                (not issubclass(t, ScalarDual) or d.tag not in LIVE):
            return None           # (an escaped dual: the general path refuses it)
    joined = _complex_scalars(items)
    if joined is None:
        joined = _array.stack_lean(items)
        if joined is None:
            return None
    if len(shape) == 1:
        return joined
    return _dual(joined.value.reshape(shape), joined._p.reshape(shape + (-1,)),
                 joined.tag)


def hstack(tup, *, dtype=None, casting="same_kind"):
    """``np.hstack``: ``atleast_1d`` makes a 0-d part one element."""
    if dtype is not None or casting != "same_kind":
        return None
    return _join(tup, np.hstack, lambda vs, value: 0 if vs[0].ndim <= 1 else 1,
                 lambda vs, ax: [v.shape or (1,) for v in vs], True)


def vstack(tup, *, dtype=None, casting="same_kind"):
    """``np.vstack``: a vector is a row, a 0-d part a 1 x 1 block."""
    if dtype is not None or casting != "same_kind":
        return None
    return _join(tup, np.vstack, _first,
                 lambda vs, ax: [v.shape if v.ndim > 1 else (1,) + (v.shape or (1,))
                                 for v in vs], True)


def column_stack(tup):
    """``np.column_stack``: a vector is a column, a 0-d part a 1 x 1 block."""
    return _join(tup, np.column_stack, lambda vs, value: 1,
                 lambda vs, ax: [v.shape if v.ndim > 1 else (v.shape or (1,)) + (1,)
                                 for v in vs], True)


def append(arr, values, axis=None):
    """``np.append``: both flattened, or joined along ``axis``."""
    if axis is None and type(values) is _ndarray and values.dtype is _f64 and \
            values.ndim == 1 and isinstance(arr, ScalarDual):
        joined = _scalar_then(arr, values)
        if joined is not None:
            return joined
    if axis is None:
        return _join((arr, values), lambda vs: np.append(vs[0], vs[1]), _first, _flat_shapes,
                     True)
    if type(axis) is not int:
        return None
    return _join((arr, values), lambda vs: np.append(vs[0], vs[1], axis=axis),
                 lambda vs, value: _axis(axis, value.ndim), _own_shapes)


def _scalar_then(s, x):
    """``np.append(s, x)`` of a live float-valued scalar dual of the slot kind and a
    1-D float64 ndarray: NumPy's append of the value, and the partials the join makes
    (:func:`_parts`' row of ``s``, then the constant's block of zeros) written at once
    (a point-kinetics matrix's first row each call of a rhs: rows64); ``None`` for
    anything else, which :func:`_join` takes (or declines, as :func:`_parts`)."""
    if getattr(type(s), "_kind", None) != "slots" or type(s.value) is not float or \
            s.tag not in LIVE:
        return None
    row = np.array(s._plist())
    if row.dtype is not _f64:           # (inner duals, complex partials: as _parts)
        return None
    value = np.append(s.value, x)
    partials = np.zeros((value.shape[0], row.shape[0]))
    partials[0] = row
    return _dual(value, partials, s.tag)


# NumPy function -> its lean form here (``install`` puts them into ``VIEWS``)
FUNCTIONS = {np.concatenate: concatenate, np.stack: stack, np.hstack: hstack,
             np.vstack: vstack, np.column_stack: column_stack, np.append: append,
             np.block: block}


def install():
    """Fill ``VIEWS`` with the lean joins, and hand them to the scalar duals (whose
    ``__array_function__`` NumPy calls where a scalar dual is the first dual part)."""
    VIEWS.update(FUNCTIONS)
    _scalar.LEAN.update(FUNCTIONS)


install()
