"""Sparsity detection: ``f`` runs once on *tracers*, arrays whose every element
carries the set of inputs it depends on.

A tracer holds the value ``f`` would see (so control flow on values works) and,
per element, a row of input indices padded with ``EMPTY`` (duplicates allowed,
compacted when rows grow).  Rows live in a *store* shared by an array and its
views, so writes through a view (``u = y.reshape(n, n); u[0] = 0``) reach the
base as they do in NumPy; ``pos`` maps each element to its row.

How each operation combines the sets:

* ufuncs: the union of the arguments with a derivative in the rule table
  (``dualgrad.rules._table``); locally constant ufuncs (``floor``) and predicates give
  no dependence.  ``maximum``/``minimum``/``fmax``/``fmin`` take the branch
  chosen at the point (both at ties); in ``mode="global"`` always both.
* functions that only move elements (``reshape``, ``roll``, slicing, fancy
  indexing, ``concatenate``, ``take``, ``tril``, ...): the same function applied
  to an array of row numbers, so the sets move exactly as the values do.
* ``where``/``select``/``clip``/``sort``/``max``: the branch taken at the point
  (``mode="global"``: the union of all branches); reductions and scans: the union
  along the axis.
* every other supported function (``linalg.solve``, ``einsum``, ``dot`` ...):
  the nonzeros of its own Jacobian with respect to the traced arguments, computed
  by dualgrad's dense Jacobian at the point: exact where the function is linear
  in them (a constant matrix times a traced vector), and where it is not, the
  union of everything in ``mode="global"`` and for Hessian patterns.

So the pattern is never smaller than the Jacobian's nonzeros at ``x``: every
nonzero of the chain-rule product is covered by a path of covered local
entries.  "At that point" means: with the branches (``if``, ``where``, ``max``)
taken as they are at ``x``.  ``mode="global"`` removes the value dependence of
``where``/``maximum``/``clip``/``sort``/``max`` and of the functions above, and
gives what an index computed from values selects everything it could select
(``_value_index``); Python ``if`` on values still picks one branch, which no tracer
can see.
"""

import math
import operator
import sys
import threading

import numpy as np

from .. import errors
from ..dispatch._composed import insert
from ..dispatch._functions import (check_join_out, fill_diagonal, out_moved, periodic_knots,
                                  place, put_along_axis, putmask, refuse_chained_copyto)
from ..dispatch._functions_extra import partition_index
from ..dispatch._operands import is_sparse, is_sparse_matrix, overlaps
from ..dual._base import Dual, sparse_stand_in
from ..dual._array import (REFUSED, FlatIter, _check_copy_order, as_function,
                           install_memory_attributes)
from ..rules._table import RULES, derivative_functions, rule_for
from ._value_index import (ValueIndex, key_of, derived, holds_value_index, mark, plain,
                           same_mask, writes)

__all__ = ["sparsity", "hessian_sparsity"]

EMPTY = np.iinfo(np.int32).max       # padding of a row of input indices
_COMPACT_WIDTH = 16                   # rows wider than this are deduplicated
_MAX_PAIR_WIDTH = 1 << 13             # a Hessian pattern row this wide is dense
_F64, _C128 = np.dtype(np.float64), np.dtype(np.complex128)   # the values' two dtypes

# The modules whose reductions of object arrays cast results by their dtype (NumPy 2, 1)
_NUMPY_METHODS = frozenset({"numpy._core._methods", "numpy.core._methods"})
_SELECT = {np.maximum, np.minimum, np.fmax, np.fmin}
# smooth ufuncs whose local derivative is locally constant (no second derivative)
_LOCALLY_LINEAR = {np.maximum, np.minimum, np.fmax, np.fmin, np.absolute, np.fabs,
                   np.copysign, np.fmod, np.remainder, np.conjugate, np.positive,
                   np.negative, np.add, np.subtract, np.nextafter}


class _Context:
    """One detection: the number of inputs, the mode, and the Hessian pairs."""

    def __init__(self, n, mode, hessian, sums=False):
        self.n, self.mode, self.hessian = n, mode, hessian
        self.marks = mode == "global"      # value-computed indices marked (_value_index)
        # mode="global": tracers read through a boolean mark, and elementwise results of
        # them: id -> (tracer, mask, mask's values, its full-shape shadow, store, store
        # version, writes into marks), so y[m] = g(x[m]) keeps each element on its own
        # (_shadowed)
        self.paired = {}
        self.pairs = []
        self.pair_count = 0
        # sparse Hessians of sums: the rows of every whole-array np.sum's input (in
        # call order), and, for results that are constant linear combinations of
        # those sums, id -> (tracer, {sum number: coefficient})
        self.sums = [] if sums else None
        self.lin = {} if sums else None

    @property
    def local(self):
        return self.mode == "local" and not self.hessian

    def nonlinear(self, cols, other=None):
        """Record that the inputs of ``cols`` meet those of ``other`` (default:
        each other) in a nonlinear operation, element by element (Hessian mode)."""
        if not self.hessian or cols.shape[-1] == 0 or \
                other is not None and other.shape[-1] == 0:
            return                                  # no inputs on one side: no pair
        a = _compact(cols.reshape(-1, cols.shape[-1]))
        b = a if other is None else _compact(
            np.broadcast_to(other, cols.shape[:-1] + other.shape[-1:]).reshape(
                -1, other.shape[-1]))
        if a.shape[1] == 0 or b.shape[1] == 0:
            return
        if a.shape[1] * b.shape[1] > _MAX_PAIR_WIDTH ** 2 // 64:
            raise errors.bad_argument(
                "dualgrad.hessian_sparsity", "a Hessian with a sparse pattern",
                f"an operation whose result depends on {max(a.shape[1], b.shape[1])} "
                "inputs at once", "Use dg.hessian without sparsity= for a dense Hessian.")
        oka, okb = a != EMPTY, b != EMPTY
        keep = oka.any(axis=1) & okb.any(axis=1)
        a, b, oka, okb = a[keep].astype(np.int64), b[keep].astype(np.int64), oka[keep], \
            okb[keep]
        codes = a[:, :, None] * self.n + b[:, None, :]
        codes = codes[oka[:, :, None] & okb[:, None, :]]
        self.pairs.append(_unique(codes))
        if len(self.pairs) > 64:
            self.pairs = [_unique(np.concatenate(self.pairs))]


class _Store:
    """Rows of input indices, shared by an array and its views.

    A store made by an elementwise, rolling or joining operation keeps its rows
    as *parts*: columns of indices side by side (the union is their
    concatenation), joined into one ``(size, width)`` table only when a caller
    reads ``cols``, so a chain of arithmetic on arrays of one shape copies no
    index rows.  Columns and tables may be shared with other stores (views of
    one another's rows), so a store copies its table before its first write
    (``writable``): a write never reaches a store it was not made on.
    """
    __slots__ = ("_cols", "parts", "owned", "version")

    def __init__(self, cols=None, parts=None, owned=False):
        self._cols, self.parts, self.owned = cols, parts, owned
        self.version = 0                    # writes so far (a pairing holds until one)

    @property
    def cols(self):
        if self._cols is None:
            columns = [c for _, c, _ in self.parts]
            self._cols = np.stack(columns, axis=1)
            self.owned = True
        return self._cols

    def writable(self):
        """The table, copied first unless this store alone holds it."""
        cols = self.cols
        if not self.owned:
            self._cols = cols = cols.copy()
            self.owned = True
        self.parts = None
        self.version += 1
        return cols

    def widen(self, width):
        if width > self.cols.shape[1]:
            pad = np.full((self.cols.shape[0], width - self.cols.shape[1]), EMPTY, np.int32)
            self._cols = np.concatenate([self.cols, pad], axis=1)
            self.owned = True
            self.parts = None
            self.version += 1


def _unique(a):
    """``np.unique`` of a 1-D integer array by sorting (NumPy's hash-based unique is
    several times slower on the pair codes of a Hessian pattern)."""
    a = np.sort(a)
    keep = np.empty(a.size, bool)
    keep[:1] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def _compact(cols):
    """Rows of ``cols`` (2-D) deduplicated and trimmed to the widest row."""
    if cols.shape[1] <= 1:
        return cols
    c = np.sort(cols, axis=1)
    dup = c[:, 1:] == c[:, :-1]
    c[:, 1:][dup] = EMPTY
    c.sort(axis=1)
    width = int((c != EMPTY).sum(axis=1).max()) if c.size else 0
    return np.ascontiguousarray(c[:, :width])


def _table_from_coo(rows, cols, nrows):
    """A padded table with ``cols[k]`` in row ``rows[k]`` (deduplicated)."""
    keep = cols != EMPTY
    rows, cols = rows[keep].astype(np.int64), cols[keep].astype(np.int64)
    codes = np.unique(rows * (EMPTY + 1) + cols)
    rows, cols = codes // (EMPTY + 1), codes % (EMPTY + 1)
    counts = np.bincount(rows, minlength=nrows)
    width = int(counts.max()) if counts.size else 0
    table = np.full((nrows, width), EMPTY, np.int32)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    table[rows, np.arange(rows.size) - start[rows]] = cols
    return table


# ---- the tracer types ----------------------------------------------------------------

class Tracer:
    """An array of values with the set of inputs each element depends on."""

    __slots__ = ("value", "store", "pos", "ctx", "start")
    __array_priority__ = 200.0
    sparsity_tracer = True          # how api._validate knows one without importing this
    __hash__ = None

    # -- construction and reading --
    @property
    def shape(self):
        return self.value.shape

    @property
    def ndim(self):
        return self.value.ndim

    @property
    def size(self):
        return self.value.size

    @property
    def dtype(self):
        """The value's dtype; none for NumPy's reductions of object arrays of 0-d
        tracers (``np.var(np.array([t0, t1]))``), which cast a result that has one
        with ``result.dtype.type(result / count)``, ``float(t)``: without it they
        divide as for Python numbers (the scalar duals' ``dtype`` does the same)."""
        if self.value.ndim == 0 and \
                sys._getframe(1).f_globals.get("__name__") in _NUMPY_METHODS:
            raise AttributeError("dtype")
        return self.value.dtype

    def cols(self):
        """The rows of this array's elements, shape ``shape + (width,)``."""
        store = self.store
        cols = store.cols
        if self.start is not None:           # consecutive rows: a view, no gather
            store.owned = False              # shared from now on: copy before writing
            return cols[self.start:self.start + self.pos.size].reshape(
                self.pos.shape + cols.shape[1:])
        return cols[self.pos]

    def parts(self):
        """This array's rows as columns ``(key, (size,) int32 array, root)`` whose
        side-by-side union is :meth:`cols`.  A column is
        ``root[offset:offset + size, j]`` (or ``root[offset:offset + size]`` for a
        1-D root) and its key ``(id(root), offset, size, j)``; the column holds its
        root alive, so equal keys are the same indices of one live table and a
        union drops repeats (``u * u * v``) without looking at them."""
        store, start, size = self.store, self.start, self.pos.size
        if start is None:
            cols = self.cols()
            cols = cols.reshape(size, cols.shape[-1])      # (size 0 too)
            return [((id(cols), 0, size, j), cols[:, j], cols) for j in range(cols.shape[1])]
        if store._cols is None:             # columns not yet joined
            if start == 0 and size == store.parts[0][1].shape[0]:
                return store.parts
            return [((k[0], k[1] + start, size, k[3]), c[start:start + size], r)
                    for k, c, r in store.parts]
        store.owned = False
        cols = store._cols
        return [((id(cols), start, size, j), cols[start:start + size, j], cols)
                for j in range(cols.shape[1])]

    def columns(self):
        """:meth:`parts` without keys: 1-D index arrays, one per column."""
        return [c for _, c, _ in self.parts()]

    def __repr__(self):
        return f"dualgrad sparsity tracer of shape {self.shape}"

    # -- conversions that would lose the dependence --
    def __array__(self, dtype=None, copy=None):
        stand_in = sparse_stand_in(sys._getframe(1)) if dtype is None else None
        if stand_in is not None:                                      # L @ u
            return stand_in
        if dtype is None or np.dtype(dtype) == object:
            errors.strided_layout(sys._getframe(1), self.value, "C")   # (as_strided's;
            #                                             the rows below: C order)
            if self.value.dtype == _C128:   # np.array([z0, z1]): an object array whose
                raise errors.complex_object_array(scalar=self.ndim == 0)  # .imag is 0
            if self.ndim == 0:
                out = np.empty((), dtype=object)
                out[()] = self
                return out
            out = np.empty(self.shape, dtype=object)
            flat = out.reshape(-1)
            for k, p in enumerate(self.pos.reshape(-1)):
                self.store.owned = False
                flat[k] = _make(self.value.reshape(-1)[k].copy(),
                                self.store.cols[p:p + 1], self.ctx, ())
            return out
        raise errors.dropped_derivatives(f"np.asarray(x, dtype={np.dtype(dtype)})")

    def __float__(self):
        raise errors.root_finder(sys._getframe(1)) or errors.dropped_derivatives("float(x)")

    def __int__(self):
        raise errors.dropped_derivatives("int(x)")

    def __complex__(self):
        raise errors.dropped_derivatives("complex(x)")

    def __index__(self):
        raise errors.dropped_derivatives("using a value as an index")

    def __bool__(self):
        return bool(self.value)

    def astype(self, dtype, *args, **kwargs):
        if np.dtype(dtype) == self.value.dtype and \
                kwargs.get("copy", args[3] if len(args) > 3 else True) is False:
            return self                         # (NumPy's: the array itself)
        if np.dtype(dtype) in (_F64, _C128):      # (complex to float: NumPy's real part)
            return _make(self.value.astype(dtype), self.cols(), self.ctx)
        raise errors.dropped_derivatives(f"x.astype({np.dtype(dtype)})")

    def tolist(self):
        """Nested lists of 0-d tracers, as a dual array's tolist gives scalar duals."""
        if self.ndim == 0:
            return self
        return [self[k].tolist() for k in range(len(self))]

    def item(self, *args):
        """One element, as a 0-d tracer: ``x.item()`` of one element, ``x.item(i)``
        (a flat index), ``x.item(i, j)`` / ``x.item((i, j))``, NumPy's arguments."""
        if not args:
            if self.size != 1:
                raise ValueError("can only convert an array of size 1 to a Python scalar")
            return np.ravel(self)[0]
        if len(args) == 1 and not isinstance(args[0], tuple):
            return np.ravel(self)[operator.index(args[0])]
        return self[tuple(args[0] if len(args) == 1 else args)]

    def compress(self, condition, axis=None, out=None):
        return np.compress(condition, self, axis, out)


    # -- NumPy protocols --
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        switches = getattr(_LOCAL, "switches", None)
        if switches is not None:              # inside dg.solve_ivp's / dg.quad's callback
            _note_switch(ufunc, inputs, switches)
        if self.ctx.paired and method == "__call__" and not kwargs:
            plan = _pair_plan(inputs, self.ctx)
            if plan is not None:
                return _shadowed(ufunc, inputs, plan, self.ctx)
        if method == "__call__" and not kwargs:
            res = _fast_ufunc(ufunc, inputs, self.ctx)
            if res is not None:
                return res
        return _ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return _function(func, args, kwargs)

    # -- methods that are NumPy functions --
    def copy(self, order="C"):
        return _make(self.value.copy(), self.cols(), self.ctx)

    def reshape(self, *shape, order="C"):
        shape = shape[0] if len(shape) == 1 else shape
        if order == "C" and self.value.flags.c_contiguous:     # a view, as NumPy's
            t = _view(self.value.reshape(shape), self.store, self.pos.reshape(shape),
                      self.ctx)
            t.start = self.start          # C order kept: consecutive rows stay so
            return t
        return np.reshape(self, shape, order=order)

    def ravel(self, order="C"):
        if order == "C" and self.value.flags.c_contiguous:
            return self.reshape(-1)
        return np.ravel(self, order=order)

    def flatten(self, order="C"):
        return np.ravel(self).copy()

    def transpose(self, *axes):
        return np.transpose(self, axes or None) if not axes or axes[0] is not None else \
            np.transpose(self)

    @property
    def T(self):
        return np.transpose(self)

    def swapaxes(self, a, b):
        return np.swapaxes(self, a, b)

    def squeeze(self, axis=None):
        return np.squeeze(self, axis)

    def dot(self, other):
        return np.dot(self, other)

    def argmax(self, *args, **kwargs):
        return self._index(np.argmax(self.value, *args, **kwargs))

    def argmin(self, *args, **kwargs):
        return self._index(np.argmin(self.value, *args, **kwargs))

    def argsort(self, *args, **kwargs):
        return self._index(np.argsort(self.value, *args, **kwargs))

    def nonzero(self):
        return self._index(np.nonzero(self.value))

    def _index(self, res):
        """An index computed from the values: marked in ``mode="global"``."""
        return mark(res) if self.ctx.marks else res

    def fill(self, v):
        self._assign(Ellipsis, v)

    # (a 0-d tracer stands for a scalar dual: these are its methods; TracerArray has
    # the array duals')
    def sort(self, *args, **kwargs):
        raise errors.scalar_method("sort")

    @property
    def flat(self):
        raise errors.scalar_method("flat")

    def view(self, *args, **kwargs):
        if args or kwargs:
            raise errors.dropped_derivatives("x.view(dtype) (reinterpreting the bytes)")
        return self

    @property
    def real(self):
        """The tracer itself for real values; a complex tracer's real part."""
        return _part(self, "real") if self.value.dtype == _C128 else self

    @property
    def imag(self):
        """Zeros that depend on nothing for real values; a complex tracer's imaginary
        part."""
        if self.value.dtype == _C128:
            return _part(self, "imag")
        return _constant_like(np.zeros_like(self.value), self.ctx)

    def _assign(self, key, v):
        """``self[key] = v`` for values and rows."""
        if self.ctx.lin is not None:
            self.ctx.lin.pop(id(self), None)        # no longer what it was
        v = _operand(v, self.ctx)           # (a list holding tracers: one; attack47 06c)
        if isinstance(v, Tracer):
            if v.value.dtype == _C128 and self.value.dtype != _C128:
                raise errors.complex_into_real()            # (as the dense helpers)
            # the rows below are a buffered copy: refuse a source NumPy chains through
            # (d[::2] = d[:4]: d[4] holds x[1]; the pattern said x[2]: attack52 10)
            _check_copy_order(self.value, key, v.value)
            self.value[key] = v.value
            src = v.cols()
        else:
            self.value[key] = v
            src = None
        target = self.pos[key]
        tshape = np.shape(target)
        target = np.ravel(target)
        if src is None or src.shape[-1] == 0:
            self.store.writable()[target] = EMPTY
            return
        width = src.shape[-1]
        src = np.broadcast_to(src, tshape + (width,)).reshape(-1, width)
        if np.unique(target).size != target.size:          # repeated targets: union
            rows = np.concatenate([np.repeat(target, width),
                                   np.repeat(target, self.store.cols.shape[1])])
            old = self.store.cols[target]
            table = _table_from_coo(rows, np.concatenate([src.ravel(), old.ravel()]),
                                    self.store.cols.shape[0])
            self.store.widen(table.shape[1])
            uniq = np.unique(target)
            cols = self.store.writable()
            cols[uniq] = EMPTY
            cols[uniq, :table.shape[1]] = table[uniq]
            return
        self.store.widen(width)
        cols = self.store.writable()
        cols[target, :width] = src
        cols[target, width:] = EMPTY

    # -- operators --
    def __add__(self, o): return _binary(np.add, self, o)           # noqa: E704
    def __radd__(self, o): return _binary(np.add, o, self)          # noqa: E704
    def __sub__(self, o): return _binary(np.subtract, self, o)      # noqa: E704
    def __rsub__(self, o): return _binary(np.subtract, o, self)     # noqa: E704
    def __mul__(self, o): return _binary(np.multiply, self, o)      # noqa: E704
    def __rmul__(self, o): return _binary(np.multiply, o, self)     # noqa: E704
    def __truediv__(self, o): return _binary(np.true_divide, self, o)  # noqa: E704
    def __rtruediv__(self, o): return _binary(np.true_divide, o, self)  # noqa: E704
    def __floordiv__(self, o): return np.floor_divide(self, o)      # noqa: E704
    def __rfloordiv__(self, o): return np.floor_divide(o, self)     # noqa: E704
    def __mod__(self, o): return np.remainder(self, o)     # noqa: E704
    def __rmod__(self, o): return np.remainder(o, self)    # noqa: E704
    def __pow__(self, o): return np.power(self, o)         # noqa: E704
    def __rpow__(self, o): return np.power(o, self)        # noqa: E704
    def __matmul__(self, o): return np.matmul(self, o)     # noqa: E704
    def __rmatmul__(self, o): return np.matmul(o, self)    # noqa: E704
    def __neg__(self): return np.negative(self)            # noqa: E704
    def __pos__(self): return np.positive(self)            # noqa: E704
    def __abs__(self): return np.absolute(self)            # noqa: E704
    def __lt__(self, o): return np.less(self, o)           # noqa: E704
    def __le__(self, o): return np.less_equal(self, o)     # noqa: E704
    def __gt__(self, o): return np.greater(self, o)        # noqa: E704
    def __ge__(self, o): return np.greater_equal(self, o)  # noqa: E704
    def __eq__(self, o): return np.equal(self, o)          # noqa: E704
    def __ne__(self, o): return np.not_equal(self, o)      # noqa: E704

    def __divmod__(self, o):
        return np.divmod(self, o)

    def _inplace(self, ufunc, o):
        res = ufunc(self, o)
        self._assign(Ellipsis, res)
        lin = self.ctx.lin
        if lin is not None and id(res) in lin:          # s += np.sum(v): still a sum
            lin[id(self)] = (self, lin[id(res)][1])
        return self

    def __iadd__(self, o): return self._inplace(np.add, o)             # noqa: E704
    def __isub__(self, o): return self._inplace(np.subtract, o)        # noqa: E704
    def __imul__(self, o): return self._inplace(np.multiply, o)        # noqa: E704
    def __itruediv__(self, o): return self._inplace(np.true_divide, o)  # noqa: E704
    def __ipow__(self, o): return self._inplace(np.power, o)           # noqa: E704
    def __imatmul__(self, o): return self._inplace(np.matmul, o)       # noqa: E704


def _element_method(ufunc):
    def method(self, *others):
        return ufunc(self, *others)
    method.__name__ = method.__qualname__ = ufunc.__name__
    method.__doc__ = f"``np.{ufunc.__name__}`` of this tracer (NumPy's object loops call it)."
    return method


# What NumPy's object loops call on an element, one method per ufunc of the rule table
# (the scalar duals have the same): np.round, np.var's conjugate, np.std's sqrt of an
# object array of 0-d tracers (np.array([t0, t1]) in f).
for _ufunc, _rule in tuple(RULES.items()):
    if _ufunc.signature is None and _rule.kind not in ("unsupported", "predicate") and \
            not hasattr(Tracer, _ufunc.__name__):
        setattr(Tracer, _ufunc.__name__, _element_method(_ufunc))


class TracerArray(Tracer):
    """A tracer of one or more dimensions: indexable like an ndarray."""
    __slots__ = ()

    def __len__(self):
        return len(self.value)

    def __iter__(self):
        for k in range(len(self)):
            yield self[k]

    def __getitem__(self, key):
        key = _strip_key(key)
        if self.ctx.marks and holds_value_index(key):
            res = _widened(self[plain(key)], [self])
            mask = _mask_of(key, self.shape)
            if mask is not None and isinstance(res, Tracer):
                _pair(res, mask, _make(self.value.copy(), self.cols(), self.ctx))
            return res
        value = self.value[key]
        pos = self.pos[key]
        if isinstance(value, np.ndarray) and value.ndim and \
                np.may_share_memory(value, self.value):
            return _view(value, self.store, pos, self.ctx, self)
        if not isinstance(value, np.ndarray):
            value = np.asarray(value)
        return _make(value.copy(), self.store.cols[np.ravel(pos)], self.ctx)

    def __setitem__(self, key, v):
        key = _strip_key(key)
        if self.ctx.marks and holds_value_index(key):
            old = self.cols().copy()
            mask = _mask_of(key, self.shape)
            full = _pairing(v, mask, self.shape) if mask is not None else None
            every = None if full is not None else _every([v], self.ctx)
            self._assign(plain(key), v)
            _written(self, old, every, full)
            return
        self._assign(key, v)

    # -- the ndarray methods array duals have (tests compare the two classes) --
    @property
    def flat(self):
        """A flat (C-order) iterator: ``t.flat[i]`` reads, ``t.flat[i] = v`` writes
        into ``t`` itself, as ``ndarray.flat``."""
        return _FlatTracer(self)

    @flat.setter
    def flat(self, value):
        _FlatTracer(self)._write(slice(None), value)   # (NumPy's copies an overlap first)

    def view(self, *args, **kwargs):
        """A tracer viewing the same values and rows (writes reach ``t``); a dtype or a
        type would reinterpret the bytes and drop the dependence."""
        if args or kwargs:
            raise errors.dropped_derivatives("x.view(dtype) (reinterpreting the bytes)")
        return self[...]

    def sort(self, axis=-1, kind=None, order=None):
        """Sort in place, as ``ndarray.sort``: the rows follow as for ``np.sort``
        (``mode="local"``: each element's own, moved; ``"global"``: the union along
        the axis)."""
        if order is not None:
            raise errors.unsupported_function("x.sort with order=")
        self._assign(Ellipsis, np.sort(self, axis=axis, kind=kind))

    def partition(self, kth, axis=-1, kind="introselect", order=None):
        """Partition in place, as ``ndarray.partition`` (rows as for ``np.partition``)."""
        if order is not None:
            raise errors.unsupported_function("x.partition with order=")
        self._assign(Ellipsis, np.partition(self, kth, axis=axis, kind=kind))

    def argpartition(self, *args, **kwargs):
        return self._index(np.argpartition(self.value, *args, **kwargs))

    def put(self, indices, values, mode="raise"):
        """``t.flat[indices] = values`` in place, as ``ndarray.put``."""
        if self.ctx.marks and holds_value_index(indices):
            old, every = self.cols().copy(), _every([values], self.ctx)
            self.put(plain(indices), values, mode)
            _written(self, old, every)
            return
        indices = np.asarray(indices, dtype=np.intp).reshape(-1)
        if mode == "wrap":
            indices = np.mod(indices, self.size)
        elif mode == "clip":
            indices = np.clip(indices, 0, self.size - 1)
        elif mode != "raise":
            raise errors.bad_argument("dualgrad: x.put", "mode 'raise', 'wrap' or 'clip'",
                                      repr(mode))
        if not indices.size:                       # NumPy: nothing written, whatever the
            return                                 # values (np.flatnonzero found none)
        if self.ndim == 0:
            raise errors.put_into_scalar("dualgrad: x.put")
        values = np.ravel(values)
        if overlaps(values, self):       # NumPy reads the values before it writes
            values = values.copy()
        if values.shape[0] == 0:         # NumPy writes nothing
            return
        if indices.size and values.shape[0] != indices.size:   # repeated cyclically
            values = np.resize(values, (indices.size,))
        _FlatTracer(self)[indices] = values

    @Tracer.real.setter
    def real(self, item):
        if self.value.dtype == _C128:
            _part(self, "real")[...] = item
        else:
            self[...] = item

    @Tracer.imag.setter
    def imag(self, item):
        if self.value.dtype != _C128:
            raise TypeError("array does not have imaginary part to set")
        _part(self, "imag")[...] = item

    @property
    def mT(self):
        if self.ndim < 2:
            raise ValueError("matrix transpose with ndim < 2 is undefined")
        return np.swapaxes(self, -1, -2)


class _PartTracer(TracerArray):
    """``z.real`` / ``z.imag`` of a complex tracer ``z``: NumPy's view of one part of
    the values, reading ``z``'s rows (a part depends on what its number depends on: a
    superset where it does not).  A write through it keeps the element's rows and adds
    the new ones: the other part still depends on them (a replacement would drop
    them from ``z``'s pattern)."""
    __slots__ = ()

    def _assign(self, key, v):
        v = _operand(v, self.ctx)
        if isinstance(v, Tracer) and v.value.dtype == _C128:
            raise errors.complex_into_real()
        key = _strip_key(key)
        old = self.cols()[(key if isinstance(key, tuple) else (key,)) + (slice(None),)]
        shape = old.shape[:-1]                      # (the rows' axis kept out of an ...)
        value = np.broadcast_to(_value(v), shape)
        TracerArray._assign(self, key, _make(np.array(value, dtype=float), _union(
            [_deps(v, shape), old], shape), self.ctx))



def _of_complex(value):
    """Is ``value`` a float64 view whose memory belongs to a complex array?"""
    if value.dtype != _F64:
        return False
    base = value.base
    while base is not None:
        if getattr(base, "dtype", None) is not None and base.dtype.kind == "c":
            return True
        base = getattr(base, "base", None)
    return False


def _part(t, name):
    """``t.real`` / ``t.imag`` of the complex tracer ``t``; where ``t`` is 0-d, a
    read-only copy (a write through it, which NumPy's view would pass on, raises)."""
    value = getattr(t.value, name)
    if not value.ndim:
        value = value.copy()
        value.flags.writeable = False
        return _make(value, t.cols(), t.ctx)
    v = _PartTracer.__new__(_PartTracer)
    v.value, v.store, v.pos, v.ctx, v.start = value, t.store, t.pos, t.ctx, t.start
    return v


def _real_if_close(ctx, a, tol=100):
    """NumPy's: the real part (a view) where every imaginary part is within ``tol``
    machine epsilons of 0, else ``a`` itself (attack50b 04: a copy lost writes)."""
    a = _normalize(a, ctx)
    if not isinstance(a, Tracer) or a.value.dtype != _C128:
        return a if isinstance(a, Tracer) else np.real_if_close(a, tol)
    if tol > 1:
        tol = tol * np.finfo(np.float64).eps
    return a.real if np.all(np.abs(a.value.imag) < tol) else a


class _FlatTracer(FlatIter):
    """``t.flat`` of a tracer: the array dual's flat iterator, refusing traced indices."""

    __slots__ = ()
    _check = staticmethod(lambda key: _strip_key(key))     # (defined below)
    # an item viewing the tracer's own elements is read in NumPy's element order, as
    # for array duals (a.flat[[1, 2]] = a[:2]: NumPy's element 2 holds the old a[0];
    # the tracer's buffered write put it on x1, and sparsity="auto" missed the nonzero)
    _kind = TracerArray

    def __getitem__(self, i):
        if self.base.ctx.marks and holds_value_index(i):
            return _widened(super().__getitem__(plain(i)), [self.base])
        return super().__getitem__(i)

    def __setitem__(self, i, item):
        if self.base.ctx.marks and holds_value_index(i):
            old, every = self.base.cols().copy(), _every([item], self.base.ctx)
            super().__setitem__(plain(i), item)
            _written(self.base, old, every)
            return
        super().__setitem__(i, item)


def _widened(t, sources):
    """``t`` with every element on every input that ``sources`` depend on: what a
    value-computed index (``_value_index``) selects at another point (``mode="global"``;
    writes: :func:`_written`).  Changed in place (a view's rows are its base's: a larger
    set there too) and returned; a read-only view (``np.broadcast_to``, a window) gets a
    read-only copy instead."""
    if not isinstance(t, Tracer):
        return t
    ctx = t.ctx
    every = np.concatenate([t.cols().ravel(), _every(sources, ctx)])
    every = _unique(every[every != EMPTY]).astype(np.int32)
    rows = [t.cols(), np.broadcast_to(every, t.shape + every.shape)]
    wide = _make(t.value.copy(), _union(rows, t.shape), ctx)
    if t.value.flags.writeable:
        t._assign(Ellipsis, wide)
        return t
    wide.value.flags.writeable = False
    return wide


def _every(sources, ctx):
    """Every input the tracers among ``sources`` depend on (before a write)."""
    found = [np.zeros(0, np.int32)]
    for src in sources:
        src = _operand(src, ctx)
        if isinstance(src, Tracer):
            found.append(src.cols().ravel())
    every = np.concatenate(found)
    return _unique(every[every != EMPTY]).astype(np.int32)


def _written(t, old, every, full=None):
    """``t`` after a write at places computed from values (``mode="global"``): at
    another point another element gets the values, so each element depends on its
    ``old`` rows and on ``every`` input the written values depend on (found before
    the write, which may overwrite them) -- or, where the values were read through the
    same mask the write uses (``y[m] = g(x[m])``, :func:`_shadowed`), on its own
    element's ``full`` rows: whatever the mask, element ``i`` gets ``g`` of ``x[i]``."""
    rows = [old, full]
    if every is not None and every.size:
        rows.append(np.broadcast_to(every, t.shape + every.shape))
    t._assign(Ellipsis, _make(t.value.copy(), _union(rows, t.shape), t.ctx))


def _mask_of(key, shape):
    """The boolean mark ``key`` is (alone, or alone in a tuple), when it indexes the
    leading axes of an array of ``shape`` (``x[m]``); else ``None``."""
    if type(key) is tuple and len(key) == 1:
        key = key[0]
    if isinstance(key, ValueIndex) and key.dtype == bool and key.ndim and \
            key.shape == shape[:key.ndim]:
        return key
    return None


def _pair(t, mask, shadow):
    """Remember that ``t``'s elements are those of the full-shape tracer ``shadow``
    where ``mask`` holds, in order (``t = x[mask]``, or an elementwise function of
    such: ``shadow`` is then that function of the arguments' shadows)."""
    t.ctx.paired[id(t)] = (t, mask, mask.view(np.ndarray).copy(), shadow, t.store,
                           t.store.version, writes())
    return t


def _pair_of(t):
    """``(mask, shadow)`` of a tracer :func:`_pair` remembered, while it still holds:
    neither ``t``'s rows nor any mark written since (then ``None``)."""
    entry = t.ctx.paired.get(id(t)) if isinstance(t, Tracer) else None
    if entry is None:
        return None
    t0, mask, snapshot, full, store, version, marks = entry
    if t0 is not t or t.store is not store or store.version != version or \
            writes() != marks or not np.array_equal(mask.view(np.ndarray), snapshot):
        return None
    return mask, full


def _pairing(v, mask, shape):
    """The full rows of ``v`` when it was read through ``mask`` itself from an array of
    ``shape`` (``y[mask] = g(x[mask])``); a constant or a single element written
    (``y[mask] = 0``) pairs each element with itself (rows of none, or of that
    element's); else ``None``."""
    if not isinstance(v, Tracer):
        if _find_ctx(v) is not None:
            return None
        return np.zeros(shape + (0,), np.int32)
    if v.size == 1:
        c = v.cols().reshape(-1)
        return np.broadcast_to(c, shape + c.shape)
    pair = _pair_of(v)
    if pair is None or not same_mask(pair[0], mask) or pair[1].shape != shape:
        return None
    return pair[1].cols()


def _pair_plan(inputs, ctx):
    """``(mask, shadows)`` where an elementwise ufunc's tracers were all read through
    one mask (``np.log(x[m]) * 2 + x[m] * x[0]``), but single elements, and the result
    has their shape: the arguments to give the ufunc at full shape (a constant array's
    values stand in as ones: in global mode the rows and the pairs of an elementwise
    ufunc depend on which arguments are traced, not on values); else ``None``."""
    mask, shape, full, shadows = None, None, None, []
    for a in inputs:
        if isinstance(a, Tracer):
            pair = _pair_of(a)
            if pair is None:
                if a.size != 1:
                    return None
                shadows.append(a)
                continue
            if mask is not None and (not same_mask(pair[0], mask) or a.shape != shape):
                return None
            mask, shape, full = pair[0], a.shape, pair[1].shape
            shadows.append(pair[1])
        elif _find_ctx(a) is not None:
            return None
        else:
            shadows.append(a if np.size(a) == 1 else None)
    if mask is None or np.broadcast_shapes(*map(np.shape, inputs)) != shape:
        return None
    return mask, full, [np.ones(full, np.asarray(a).dtype) if s is None else s
                        for a, s in zip(inputs, shadows)]


def _shadowed(ufunc, inputs, plan, ctx):
    """``ufunc`` of tracers read through one mask (:func:`_pair_plan`), remembered with
    the same ufunc of their full-shape shadows (:func:`_pair`): a write through the
    mask reads each element's own rows from it (:func:`_written`), and in Hessian mode
    the shadow's pairs (element with element) replace the compressed call's (every
    element it could read with every other: a dense Hessian pattern)."""
    mask, full, shadows = plan
    saved = ctx.pairs
    if ctx.hessian:
        ctx.pairs = []
    try:
        res = _fast_ufunc(ufunc, inputs, ctx)
        if res is None:
            res = _ufunc(ufunc, "__call__", inputs, {})
    finally:
        compressed, ctx.pairs = ctx.pairs, saved
    shadow = None
    if isinstance(res, Tracer):
        try:
            with np.errstate(all="ignore"):
                shadow = ufunc(*shadows)
        except Exception:               # (the compressed call's pairs are kept instead)
            shadow = None
    if not isinstance(shadow, Tracer) or shadow.shape != full:
        if compressed is not saved:
            ctx.pairs.extend(compressed)
        return res
    return _pair(res, mask, shadow)


def _refused(name, fix):
    def method(self, *args, **kwargs):
        raise errors.dropped_derivatives(f"x.{name}() ({fix})")
    method.__name__ = method.__qualname__ = name
    return method


for _name, _fix in REFUSED.items():
    setattr(TracerArray, _name, _refused(_name, _fix))
install_memory_attributes(Tracer, lambda t: t.value)
del _name, _fix


def _strip_key(key):
    """Indices computed from traced values are plain: refuse traced indices."""
    parts = key if isinstance(key, tuple) else (key,)
    for k in parts:
        if isinstance(k, Tracer):
            raise errors.dropped_derivatives("indexing with a traced value")
    return key


# ndarray methods that are the NumPy function of the array, installed as the dual
# types install theirs (``t.sum()`` is ``np.sum(t)``, which the tracer dispatches).
for _name in ("sum", "mean", "prod", "max", "min", "cumsum", "cumprod", "std", "var", "clip",
              "repeat", "take", "diagonal", "trace", "round", "all", "any", "searchsorted"):
    setattr(Tracer, _name, as_function(getattr(np, _name)))
del _name


def _conj(self):
    """``t.conj()``: ``t`` itself for real values (NumPy's method), else np.conj."""
    return np.conj(self) if self.value.dtype == _C128 else self


Tracer.conj = Tracer.conjugate = _conj


def _view(value, store, pos, ctx, parent=None):
    """A tracer reading rows ``pos`` of ``store``.  When ``pos`` is a C-contiguous
    view of a parent's consecutive rows, its rows are consecutive too.  A view of a
    complex tracer's part (its values a float view of complex memory: ``z.real.T``,
    ``np.real(z).reshape(..)``) is a part too: a write keeps the other part's rows."""
    cls = (_PartTracer if _of_complex(value) else TracerArray) if value.ndim else Tracer
    t = cls.__new__(cls)
    t.value, t.store, t.pos, t.ctx = value, store, pos, ctx
    t.start = None
    if parent is not None and parent.start is not None and pos.flags.c_contiguous and \
            pos.size and np.may_share_memory(pos, parent.pos):
        t.start = int(pos.reshape(-1)[0])
    return t


# How to get a pattern where f runs inside another derivative (the tracer takes plain
# numbers only: attack48b 15)
OUTSIDE_FIX = ("Fix: detect the pattern once outside the derivative, at a plain point, "
               "P = dg.sparsity(lambda x: f(x, p0), x0), and pass sparsity=P (dualgrad "
               "checks a given pattern with one extra pass).")


# How to get a pattern where f takes a derivative itself (dg.derivative of a closure
# over x: the tracer meets the inner call's duals, at a plain point too; newuser63)
INSIDE_FIX = ("Fix: give the pattern yourself, sparsity=P with P a boolean array of shape "
              "(f(x).size, x.size) (np.ones for all of it: a dense result's entries), or "
              "leave sparsity out.")


def _inner_derivative():
    """Did the dual that reached the tracer come from a derivative f takes itself (a
    helper's frame nearer than the detection's own), not from one around it?"""
    import sys
    frame = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back                     # the tracer's operation, then f's code
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module == __name__:
            return False                         # the detection's entry: f reads outer duals
        if module in ("dualgrad.api.helpers", "dualgrad.api._seed",
                      "dualgrad.api.transforms"):
            return True
        frame = frame.f_back
    return False


def _plain(value):
    """``value`` as a float64 or complex128 array (a complex element's rows are those
    of both its parts); an outer derivative's duals that f reads raise (a pattern
    inside another derivative), and so do those of a derivative f takes itself."""
    if isinstance(value, Dual):
        if _inner_derivative():
            raise errors.bad_type(
                "dualgrad.sparsity", "plain numbers while detecting a pattern "
                "(sparsity='auto' or dg.sparsity)", "a dual number of a derivative f "
                "takes itself (dg.derivative, dg.grad or dg.jacobian inside f, which "
                "the detection cannot follow)", INSIDE_FIX)
        raise errors.bad_type(
            "dualgrad.sparsity", "plain numbers while detecting a pattern "
            "(sparsity='auto' or dg.sparsity)", "a dual number of a derivative f runs "
            "inside (f reads an outer call's duals)", OUTSIDE_FIX)
    value = np.asarray(value)
    return _cast(value, copy=False)


def _cast(value, copy):
    """``value`` as float64, or complex128 where it is complex (never its real part)."""
    return value.astype(np.complex128 if value.dtype.kind == "c" else np.float64,
                        copy=copy)


def _make(value, cols, ctx, shape=None):
    """A tracer with its own store: ``cols`` rows (any leading shape) in C order."""
    if not isinstance(value, np.ndarray) or value.dtype != _F64 and value.dtype != _C128:
        value = _plain(value)
    shape = value.shape if shape is None else shape
    width = cols.shape[-1]
    cols = np.ascontiguousarray(cols.reshape(int(np.prod(cols.shape[:-1])), width),
                                dtype=np.int32)
    if width > _COMPACT_WIDTH:
        cols = _compact(cols)
    if cols.shape[0] != value.size:
        cols = np.broadcast_to(cols, (value.size, cols.shape[1])).copy()
    t = _view(value, _Store(cols), _arange(value.size).reshape(value.shape), ctx)
    t.start = 0
    return t


def _make_parts(value, parts, ctx):
    """A tracer whose rows are the columns ``parts`` side by side (see ``_Store``)."""
    if not parts:
        return _constant_like(value, ctx)
    if len(parts) > _COMPACT_WIDTH:
        return _make(value, np.stack([c for _, c, _ in parts], axis=1), ctx)
    cls = TracerArray if value.ndim else Tracer
    t = cls.__new__(cls)
    t.value, t.store, t.ctx, t.start = value, _Store(None, parts), ctx, 0
    t.pos = _arange(value.size).reshape(value.shape)
    return t


def _make_columns(value, columns, ctx):
    """A tracer whose rows are the new 1-D index arrays ``columns`` side by side."""
    return _make_parts(value, [((id(c), 0, c.size, None), c, c) for c in columns], ctx)


_ARANGE = {}


def _arange(size):
    """``np.arange(size)``, read-only and shared (positions are only ever read)."""
    a = _ARANGE.get(size)
    if a is None:
        if len(_ARANGE) > 256:
            _ARANGE.clear()
        a = _ARANGE[size] = np.arange(size)
        a.flags.writeable = False
    return a


def _constant_like(value, ctx):
    return _make(value, np.zeros((np.size(value), 0), np.int32), ctx)


def _from_object(arr, ctx):
    """An object array of tracers and numbers as one tracer."""
    items = arr.reshape(-1)
    values = np.empty(items.size, complex if any(
        np.iscomplexobj(i.value if isinstance(i, Tracer) else i) for i in items) else float)
    rows = []
    for k, item in enumerate(items):
        if isinstance(item, Tracer):
            values[k] = item.value.reshape(-1)[0] if item.size == 1 else np.nan
            if item.size != 1:
                raise errors.bad_type("dualgrad.sparsity", "an object array of scalars",
                                      f"an element of shape {item.shape}")
            c = item.cols().reshape(-1)
            rows.append(c)
        else:
            values[k] = item
            rows.append(np.zeros(0, np.int32))
    width = max((r.size for r in rows), default=0)
    cols = np.full((items.size, width), EMPTY, np.int32)
    for k, r in enumerate(rows):
        cols[k, :r.size] = r
    return _make(values.reshape(arr.shape), cols, ctx)


def _find_ctx(obj):
    if isinstance(obj, Tracer):
        return obj.ctx
    if isinstance(obj, (list, tuple)):
        for o in obj:
            c = _find_ctx(o)
            if c is not None:
                return c
    if isinstance(obj, dict):
        return _find_ctx(list(obj.values()))
    if isinstance(obj, np.ndarray) and obj.dtype == object:
        for o in obj.reshape(-1):
            if isinstance(o, Tracer):
                return o.ctx
    return None


def _normalize(obj, ctx):
    """Object arrays holding tracers become tracers (recursively in sequences)."""
    if isinstance(obj, np.ndarray) and obj.dtype == object and _find_ctx(obj) is not None:
        return _from_object(obj, ctx)
    if isinstance(obj, (list, tuple)) and _find_ctx(obj) is not None:
        return type(obj)(_normalize(o, ctx) for o in obj) if type(obj) in (list, tuple) \
            else obj
    return obj


def _operand(obj, ctx):
    """An operand NumPy reads as one array (a ufunc's, np.clip's, np.interp's): a list or
    tuple holding tracers becomes one tracer, as the dense side's ``operand`` lifts it;
    it was a constant, and the compressed Jacobian merged columns (attack47 06)."""
    obj = _normalize(obj, ctx)
    if type(obj) in (list, tuple) and _find_ctx(obj) is not None:
        return np.stack([_operand(o, ctx) for o in obj])
    return plain(obj)


def _value(obj):
    if isinstance(obj, Tracer):
        return obj.value
    if isinstance(obj, list):
        return [_value(o) for o in obj]
    if isinstance(obj, tuple):
        return tuple(_value(o) for o in obj)
    return obj


def _deps(a, shape):
    """The rows of ``a`` broadcast to ``shape``; ``None`` for a constant."""
    if not isinstance(a, Tracer):
        return None
    c = a.cols()
    return c if c.shape[:-1] == shape else np.broadcast_to(c, shape + c.shape[-1:])


def _union(parts, shape):
    """Rows of the union of ``parts`` (arrays ``shape + (w,)`` or ``None``)."""
    parts = [p for p in parts if p is not None and p.shape[-1]]
    if not parts:
        return np.zeros(shape + (0,), np.int32)
    if len(parts) == 1:
        return parts[0]
    return np.concatenate([p if p.shape[:-1] == shape else
                           np.broadcast_to(p, shape + p.shape[-1:]) for p in parts], axis=-1)


def _masked(cols, mask):
    return np.where(mask[..., None], cols, EMPTY)


# ---- ufuncs ---------------------------------------------------------------------------

_FAST = {}      # ufunc -> the derivatives of its smooth rule, or False


def _binary(ufunc, a, b):
    """An arithmetic operator: the fast path without NumPy's dispatch, else the ufunc."""
    ctx = (a if isinstance(a, Tracer) else b).ctx
    if ctx.paired:
        plan = _pair_plan((a, b), ctx)
        if plan is not None:
            return _shadowed(ufunc, (a, b), plan, ctx)
    res = _fast_ufunc(ufunc, (a, b), ctx)
    return ufunc(a, b) if res is None else res


def _fast_ufunc(ufunc, inputs, ctx):
    """A smooth ufunc on tracers of the result's shape and plain numbers: the union
    of the arguments' columns, repeats dropped (``None``: take the general path)."""
    derivs = _FAST.get(ufunc)
    if derivs is None:
        rule = rule_for(ufunc)
        derivs = _FAST[ufunc] = rule.derivs if rule is not None and \
            rule.kind == "smooth" and ufunc not in _SELECT and None not in rule.derivs \
            else False
    if derivs is False or ctx.hessian:
        return None
    values = []
    for a in inputs:
        if isinstance(a, Tracer):
            if a.ctx is not ctx:
                return None
            values.append(a.value)
        elif type(a) in (float, int, complex) or \
                isinstance(a, (np.floating, np.integer, np.complexfloating)) or \
                isinstance(a, np.ndarray) and a.dtype.kind in "fiubc":
            values.append(a)
        else:
            return None
    result = ufunc(*values)
    if type(result) is not np.ndarray or result.dtype != _F64 and result.dtype != _C128:
        return None
    shape = result.shape
    parts, seen = [], set()
    for a, expr in zip(inputs, derivs):
        if expr != "0" and isinstance(a, Tracer):
            if a.value.shape != shape:
                return None
            for part in a.parts():
                if part[0] not in seen:
                    seen.add(part[0])
                    parts.append(part)
    return _make_parts(result, parts, ctx)


def _sum_combination(ufunc, method, inputs, kwargs, lin):
    """The coefficients over the sums when ``ufunc`` combines sums and constant
    numbers linearly (``0.5 * s``, ``s1 + s2``, ``-s / 3``), else ``None``."""
    if method != "__call__" or kwargs.get("out") is not None or len(inputs) > 2:
        return None
    terms = []
    for a in inputs:
        if isinstance(a, Tracer):
            hit = lin.get(id(a))
            if hit is None or hit[0] is not a:
                return None
            terms.append(hit[1])
        elif isinstance(a, (int, float, np.integer, np.floating)) and \
                not isinstance(a, bool) or isinstance(a, np.ndarray) and a.ndim == 0 and \
                a.dtype.kind in "fiu":
            terms.append(float(a))
        else:
            return None

    def scaled(t, c):
        return {r: c * v for r, v in t.items()}
    if ufunc in (np.negative, np.positive) and len(terms) == 1:
        return scaled(terms[0], -1.0 if ufunc is np.negative else 1.0)
    if len(terms) != 2:
        return None
    a, b = terms
    if ufunc in (np.add, np.subtract):
        out = dict(a) if isinstance(a, dict) else {}
        if isinstance(b, dict):
            for r, v in b.items():
                out[r] = out.get(r, 0.0) + (v if ufunc is np.add else -v)
        return out
    if ufunc is np.multiply and isinstance(a, dict) != isinstance(b, dict):
        return scaled(a, b) if isinstance(a, dict) else scaled(b, a)
    if ufunc is np.true_divide and isinstance(a, dict) and not isinstance(b, dict):
        return scaled(a, 1.0 / b)
    return None


def _ufunc(ufunc, method, inputs, kwargs):
    ctx = _find_ctx(inputs) or _find_ctx(kwargs.get("out"))
    if ctx is not None and ctx.marks and ufunc.signature is not None and \
            holds_value_index(inputs):
        # mode="global": a matrix computed from values (a mask's 0 / 1, np.diag(mask))
        # has its zeros elsewhere at another point: every output on every input
        res = _ufunc_plain(ufunc, method, inputs, kwargs, ctx)
        return _widened(res, [a for a in inputs if isinstance(a, Tracer)])
    return _ufunc_plain(ufunc, method, inputs, kwargs, ctx)


def _ufunc_plain(ufunc, method, inputs, kwargs, ctx):
    if ctx is not None and ctx.lin and any(isinstance(a, Tracer) and id(a) in ctx.lin
                                           for a in inputs):
        coeffs = _sum_combination(ufunc, method, inputs, kwargs, ctx.lin)
        res = _ufunc_general(ufunc, method, inputs, kwargs, ctx)
        if coeffs is not None and isinstance(res, Tracer):
            ctx.lin[id(res)] = (res, coeffs)
        return res
    return _ufunc_general(ufunc, method, inputs, kwargs, ctx)


def _python_ufunc(ufunc):
    """Is ``ufunc`` made by ``np.frompyfunc`` (object loops calling a Python function)?"""
    return all(t.replace("O", "").replace("->", "") == "" for t in ufunc.types)


def _on_elements(ufunc, inputs, ctx):
    """A ``np.frompyfunc`` ufunc of tracers: its Python function called on each 0-d
    tracer (as the dense helpers call it on each scalar dual), the results stacked."""
    shape = np.broadcast_shapes(*(np.shape(a) for a in inputs))
    size = math.prod(shape)
    args = []
    for a in inputs:
        flat = np.ravel(np.broadcast_to(a, shape))
        items = np.empty(size, dtype=object)
        for k in range(size):
            items[k] = flat[k] if isinstance(a, Tracer) else flat[k].item()
        args.append(items)
    result = ufunc(*args)

    def gathered(r):
        return _from_object(np.asarray(r, dtype=object).reshape(shape), ctx)
    if isinstance(result, tuple):
        return tuple(gathered(r) for r in result)
    return gathered(result)


def _ufunc_general(ufunc, method, inputs, kwargs, ctx):
    if any(map(is_sparse, inputs)):
        if method == "__call__" and not kwargs and len(inputs) == 2 and (
                ufunc is np.matmul or ufunc is np.multiply and all(map(np.ndim, inputs)) and
                any(map(is_sparse_matrix, inputs))):
            return _sparse_product(ctx, *inputs)       # (an spmatrix's * is its product)
        raise errors.sparse_operand(f"dualgrad.sparsity: np.{ufunc.__name__}")
    inputs = tuple(_normalize(a, ctx) if method == "at" and i == 1 else _operand(a, ctx)
                   for i, a in enumerate(inputs))
    out = kwargs.pop("out", None)
    where = kwargs.pop("where", True) if method == "__call__" else True
    if where is not True:              # np.sin(x, out=y, where=m): y kept where m is false
        res = ufunc(*inputs, **kwargs)
        if out is None or isinstance(res, tuple):
            return res if out is None else _write_out(out, res)
        return _write_out(out, np.where(where, res, out[0] if isinstance(out, tuple) else out))
    if method == "reduce" and ufunc in (np.logaddexp, np.logaddexp2):
        return _write_out(out, _log_add_reduce(ufunc, inputs[0], kwargs))
    if method == "reduce":
        return _ufunc_reduce(ufunc, inputs, kwargs, out)
    if method == "accumulate" and ufunc in (np.maximum, np.minimum, np.fmax, np.fmin) and \
            not kwargs.keys() - {"axis", "dtype"}:
        return _write_out(out, _running_extreme(ufunc, inputs[0], kwargs.get("axis", 0), ctx))
    if method == "reduceat" and ufunc in (np.add, np.multiply, np.maximum, np.minimum) and \
            not kwargs.keys() - {"axis", "dtype"}:
        return _write_out(out, _reduceat(ufunc, *inputs, kwargs.get("axis", 0), ctx))
    if method == "accumulate" and ufunc in (np.add, np.multiply) and not kwargs.keys() - \
            {"axis"}:
        res = (np.cumsum if ufunc is np.add else np.cumprod)(inputs[0],
                                                             axis=kwargs.get("axis", 0))
        return _write_out(out, res)
    if method == "outer" and len(inputs) == 2:
        a, b = inputs
        a = np.reshape(a, np.shape(a) + (1,) * np.ndim(b))
        return _write_out(out, ufunc(a, b, **kwargs))
    if method == "at" and ufunc in (np.add, np.subtract, np.multiply):
        target, idx = inputs[0], inputs[1]
        vals = inputs[2] if len(inputs) > 2 else None
        if ctx.marks and holds_value_index(idx) and isinstance(target, Tracer):
            old, every = target.cols().copy(), _every([vals], ctx)
            _ufunc_at(ufunc, target, plain(idx), vals)
            _written(target, old, every)
            return None
        _ufunc_at(ufunc, target, idx, vals)
        return None
    if method != "__call__" or kwargs.keys() - {"dtype", "casting", "order", "subok"} or \
            kwargs.get("dtype") not in (None, float, np.float64):
        raise errors.unsupported_ufunc(ufunc.__name__, "not supported while detecting "
                                       "sparsity", method)
    rule = rule_for(ufunc)
    if rule is None and not kwargs and _python_ufunc(ufunc):
        return _write_out(out, _on_elements(ufunc, inputs, ctx))
    if rule is None or rule.kind == "unsupported":
        raise errors.unsupported_ufunc(ufunc.__name__,
                                       rule.note if rule else "no derivative rule")
    values = [_value(a) for a in inputs]
    result = ufunc(*values)
    if rule.kind == "predicate":
        if not ctx.marks:
            return result
        return derived(mark(result), ufunc, [
            ("tracer", a, a.store, a.store.version) if isinstance(a, Tracer) else
            key_of(a) for a in inputs])
    if rule.kind == "custom":
        if ufunc is np.modf:            # the fractional part moves with x (derivative 1)
            return (_write_out(out, _elementwise(np.positive, rule_for(np.positive),
                                                 inputs, result[0], ctx)),
                    _constant_like(result[1], ctx))
        if ufunc is np.divmod:          # (out=(q, r): each written; attack50b 07)
            outs = out if isinstance(out, tuple) else (None, None)
            return (_write_out(outs[0], _constant_like(result[0], ctx)),
                    _write_out(outs[1], _elementwise(np.remainder, rule_for(np.remainder),
                                                     inputs, result[1], ctx)))
        return _write_out(out, _through_jacobian(ufunc, inputs, {}, ctx))
    if rule.kind == "zero" and any(map(np.iscomplexobj, values)):
        # np.sign of a complex number is z / |z| (NumPy 2), not locally constant
        shape = np.shape(result)
        cols = _union([_deps(a, shape) for a in inputs], shape)
        ctx.nonlinear(cols)                 # (z / |z|: its parts meet in the Hessian)
        return _write_out(out, _make(_plain(result), cols, ctx))
    if rule.kind == "zero":
        return _write_out(out, _constant_like(result, ctx))
    return _write_out(out, _elementwise(ufunc, rule, inputs, result, ctx))


def _elementwise(ufunc, rule, inputs, result, ctx):
    shape = np.shape(result)
    if not ctx.hessian and not (ufunc in _SELECT and ctx.local):
        # the union as side-by-side blocks, repeats dropped: no index copied
        parts, seen = [], set()
        for _, a in _differentiated(ufunc, rule, inputs):
            if a.value.shape != shape:          # broadcast: rows copied to the result
                parts = None
                break
            for part in a.parts():
                if part[0] not in seen:
                    seen.add(part[0])
                    parts.append(part)
        if parts is not None:
            return _make_parts(_plain(result), parts, ctx)
    parts = []
    if ufunc in _SELECT and ctx.local and not any(map(np.iscomplexobj, map(_value, inputs))):
        fns = derivative_functions(rule)
        vals = [np.asarray(_value(a), dtype=float) for a in inputs]
        with np.errstate(all="ignore"):
            masks = [np.broadcast_to(fn(*vals, result) != 0.0, shape) for fn in fns]
    elif ufunc in _SELECT and ctx.local:
        # complex values (NumPy's order: real parts, then imaginary): the argument whose
        # number the result is, both at a tie or a NaN result (both before: a superset)
        with np.errstate(invalid="ignore"):
            nan = np.isnan(result)
            masks = [np.broadcast_to((np.asarray(_value(a)) == result) | nan, shape)
                     for a in inputs]
    else:
        masks = [None] * len(inputs)
    for k, a in _differentiated(ufunc, rule, inputs):
        dep = _deps(a, shape)
        parts.append(dep if masks[k] is None else _masked(dep, masks[k]))
        if ctx.hessian and ufunc is np.absolute and a.value.dtype == _C128:
            ctx.nonlinear(dep)              # |z| = hypot(z.real, z.imag): not piecewise
        elif ctx.hessian and ufunc not in _LOCALLY_LINEAR:  # linear as |x| of real x is
            # d/d(arg k) reads these arguments: second derivatives pair them with k
            # (every argument: "xyz" names the three of voigt_profile, betainc ...)
            names = rule.exprs[k].names
            for j, b in enumerate(inputs):
                name = "xyz"[j] if j < 3 else None
                if isinstance(b, Tracer) and (name is None or name in names or
                                              "out" in names):
                    ctx.nonlinear(dep, _deps(b, shape))
    if len(parts) == 2 and isinstance(inputs[0], Tracer) and isinstance(inputs[1], Tracer) \
            and inputs[0].store is inputs[1].store and masks[0] is None and \
            np.shape(inputs[0].pos) == np.shape(inputs[1].pos) and \
            np.array_equal(inputs[0].pos, inputs[1].pos):
        parts = parts[:1]                                   # x * x: one set
    return _make(_plain(result), _union(parts, shape), ctx)


def _differentiated(ufunc, rule, inputs):
    """``(k, a)`` for each tracer argument ``a`` whose derivative is not 0; an
    argument the rule does not differentiate raises."""
    for k, (a, expr) in enumerate(zip(inputs, rule.derivs)):
        if not isinstance(a, Tracer):
            continue
        if expr is None:
            raise errors.unsupported_ufunc(ufunc.__name__, f"argument {k + 1} is not "
                                           "differentiable")
        if expr != "0":
            yield k, a


def _write_out(out, res):
    if out is None:
        return res
    target = out[0] if isinstance(out, tuple) else out
    if isinstance(target, Tracer):
        target._assign(Ellipsis, res)
        return target
    if isinstance(res, Tracer) and res.cols().shape[-1] and \
            np.any(res.cols() != EMPTY):
        raise errors.store_into_plain()
    target[...] = _value(res)
    return target


def _log_add_reduce(ufunc, a, kwargs):
    """``np.logaddexp.reduce``: ``m + log(sum(exp(a - m)))`` (``m`` the largest value, a
    constant): a sum's rows, nonlinear."""
    if kwargs.keys() - {"axis", "keepdims", "dtype"}:
        raise errors.unsupported_ufunc(ufunc.__name__, "not supported while detecting "
                                       "sparsity", "reduce")
    v = _value(a)
    top = np.max(v) if np.size(v) and np.isfinite(np.max(v)) else 0.0
    exp, log = (np.exp, np.log) if ufunc is np.logaddexp else (np.exp2, np.log2)
    return top + log(np.sum(exp(a - top), axis=kwargs.get("axis", 0),
                            keepdims=kwargs.get("keepdims", False)))


def _running_extreme(ufunc, a, axis, ctx):
    """``np.maximum.accumulate``: element k depends on elements 0..k along the axis (a
    superset: everything along the axis, as ``np.cumsum``'s)."""
    value = ufunc.accumulate(_value(a), axis=axis)
    if not isinstance(a, Tracer):
        return value
    cols = _reduce_union(ctx, a, axis, keepdims=True)
    return _make(value, np.broadcast_to(cols, value.shape + cols.shape[-1:]), ctx)


def _reduceat(ufunc, a, indices, axis, ctx):
    """``ufunc.reduceat``: each output slice depends on its segment's elements (the
    others replaced by a constant, then the reduction's own rows)."""
    value = ufunc.reduceat(_value(a), indices, axis=axis)
    if not isinstance(a, Tracer):
        return value
    ax = axis % np.ndim(value)
    start = np.asarray(indices, dtype=np.intp).reshape(-1)
    n = a.shape[ax]
    stop = np.append(start[1:], n)
    stop = np.where(stop > start, stop, start + 1)
    pos = np.arange(n)
    segments = (pos >= start[:, None]) & (pos < stop[:, None])
    spread = np.expand_dims(np.moveaxis(a, ax, -1), -2)
    fill = 1.0 if ufunc is np.multiply else 0.0
    reduce = np.prod if ufunc is np.multiply else np.sum
    rows = np.moveaxis(reduce(np.where(segments, spread, fill), axis=-1), -1, ax)
    return _make(value, rows.cols(), ctx)


def _ufunc_reduce(ufunc, inputs, kwargs, out):
    fn = {np.add: np.sum, np.multiply: np.prod, np.maximum: np.max,
          np.minimum: np.min, np.fmax: np.nanmax, np.fmin: np.nanmin}.get(ufunc)
    if fn is None or kwargs.keys() - {"axis", "keepdims", "dtype", "where", "initial"}:
        raise errors.unsupported_ufunc(ufunc.__name__, "not supported while detecting "
                                       "sparsity", "reduce")
    extra = {k: kwargs[k] for k in ("where", "initial") if k in kwargs}
    return _write_out(out, fn(inputs[0], axis=kwargs.get("axis", 0),
                              keepdims=kwargs.get("keepdims", False), **extra))


def _ufunc_at(ufunc, target, idx, vals):
    if not isinstance(target, Tracer):
        if isinstance(vals, Tracer):
            raise errors.store_into_plain()
        ufunc.at(target, idx, _value(vals))
        return
    ufunc.at(target.value, idx, _value(vals) if vals is not None else None)
    pos = target.pos[idx]
    shape = np.shape(pos)
    rows = [np.ravel(pos)]
    width = target.store.cols.shape[1]
    old = target.store.cols[np.ravel(pos)]
    parts_r = [np.repeat(np.ravel(pos), width)]
    parts_c = [old.ravel()]
    if isinstance(vals, Tracer):
        src = vals.cols()
        src = np.broadcast_to(src, shape + src.shape[-1:]).reshape(-1, src.shape[-1])
        parts_r.append(np.repeat(rows[0], src.shape[1]))
        parts_c.append(src.ravel())
        if ufunc is np.multiply:
            target.ctx.nonlinear(np.concatenate([old, src], axis=1))
    table = _table_from_coo(np.concatenate(parts_r), np.concatenate(parts_c),
                            target.store.cols.shape[0])
    uniq = np.unique(rows[0])
    target.store.widen(table.shape[1])
    cols = target.store.writable()
    cols[uniq] = EMPTY
    cols[uniq, :table.shape[1]] = table[uniq]


# ---- functions ------------------------------------------------------------------------

def _function(func, args, kwargs):
    args, kwargs, _ = out_moved(func, args, kwargs)     # (np.median(z, 0, b) as out=b)
    ctx = _find_ctx(args) or _find_ctx(kwargs)
    if ctx is None or not ctx.marks:
        return _function_on(ctx, func, args, kwargs)
    if holds_value_index((args, kwargs)):
        return _function_of_value_index(ctx, func, args, kwargs)
    return mark(_function_on(ctx, func, args, kwargs))    # (np.unique's indices ...)


def _function_on(ctx, func, args, kwargs):
    if any(map(is_sparse, args)):
        if func in _SPARSE_PRODUCTS and len(args) == 2 and not kwargs:
            return _sparse_product(ctx, *args)
        raise errors.sparse_operand(f"dualgrad.sparsity: np.{func.__name__}")
    if kwargs.get("out") is not None and func not in _JOINS and func not in _ON_VALUES:
        # np.dot(a, b, out=c), np.trace(.., out=), np.fft.fft(z, out=z): the result
        # written into out, as NumPy's (dropped before: attack50b 08)
        kwargs = dict(kwargs)
        out = kwargs.pop("out")
        return _write_out(out, _function(func, args, kwargs))
    handler = _HANDLED.get(func)
    if handler is not None:
        args, kwargs = _named_past(func, handler, args, kwargs)
        return handler(ctx, *args, **kwargs)
    if func in _ON_VALUES:
        return func(*_value(args), **{k: _value(v) for k, v in kwargs.items()})
    if func in _STRUCTURAL:
        return _structural(func, ctx, args, kwargs)
    if func in _CONSTANT:
        res = func(*_value(args), **{k: _value(v) for k, v in kwargs.items()})
        return _constant_like(res, ctx) if isinstance(res, np.ndarray) else res
    return _through_jacobian(func, args, kwargs, ctx)


def _named_past(func, handler, args, kwargs):
    """``args`` and ``kwargs`` for ``handler`` of ``func``: the positional arguments past
    the handler's positional parameters (after ``ctx``) that NumPy's names agree with
    given by NumPy's names for those places, as keywords.  NumPy takes every parameter by position (``np.trace(A, 0, 0,
    1, None)``'s dtype, ``np.sum(A, 0, None, None, False, 0.0)``'s initial), while a
    handler spells only those it reads and takes the rest as ``**kw``: the call raised
    "<lambda>() takes from 2 to 5 positional arguments but 6 were given" where
    dg.jacobian took it (attack73 C2).  Unchanged where all fit, where NumPy's signature
    is not known or has fewer places (NumPy's own error), or a name is given twice."""
    got = _PLACES.get(func)
    if got is None:
        got = _PLACES[func] = _places(func, handler)
    room, names = got
    if len(args) <= room or names is None or len(args) > len(names):
        return args, kwargs
    extra = dict(zip(names[room:], args[room:]))
    if any(name in kwargs for name in extra):
        return args, kwargs
    return args[:room], {**kwargs, **extra}


def _places(func, handler):
    """``(the handler's positional places after ctx that NumPy's names agree with, NumPy's
    positional parameter names or None)`` of ``func`` (:func:`_named_past`): past the
    first place whose name differs the arguments go by name (``np.var(A, 1, None, None,
    1)``'s ddof was read as the handler's keepdims)."""
    import inspect
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    try:
        mine = list(inspect.signature(handler).parameters.values())[1:]
        theirs = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return math.inf, None
    if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in mine):
        return math.inf, None
    names = [p.name for p in theirs if p.kind in kinds]
    room = 1                        # (the array itself: np.empty_like's prototype, a)
    for p, name in zip(mine[1:], names[1:]):
        if p.kind not in kinds or p.name != name:
            break                   # (np.var's handler: keepdims where NumPy has ddof)
        room += 1
    return room, names


# func -> :func:`_places`' answer for its handler (made at its first call)
_PLACES = {}


def _function_of_value_index(ctx, func, args, kwargs):
    """``func`` given an index computed from values (``mode="global"``): what it
    returns, and the array it writes into (``np.put``, ``np.copyto(where=)``), depends
    on everything its traced arguments depend on."""
    condition = _CONDITIONS.get(func)
    if condition is not None and args and not holds_value_index(
            _without(args, kwargs, *condition)) and (
                func is np.where or func is np.select or isinstance(args[0], Tracer)):
        return _positional(ctx, func, args, kwargs)
    traced = _tracers_in((args, kwargs))
    target = (args[0] if args else next(iter(kwargs.values()), None)) \
        if func in _WRITERS else None
    if isinstance(target, Tracer):
        old = target.cols().copy()
        every = _every([t for t in traced if t is not target], ctx)
        _function_on(ctx, func, plain(args), plain(kwargs))
        _written(target, old, every)
        return None
    res = _function_on(ctx, func, plain(args), plain(kwargs))
    if type(res) in (tuple, list):                  # (np.split's pieces)
        return type(res)(_widened(r, traced) if isinstance(r, Tracer) else mark(r)
                         for r in res)
    return _widened(res, traced) if isinstance(res, Tracer) else mark(res)


# functions writing into their first argument
_WRITERS = {np.put, np.place, np.putmask, np.copyto, np.fill_diagonal, np.put_along_axis}
# functions whose condition picks, at each place, among the other arguments' elements
# at that place: (its position, its name)
_CONDITIONS = {np.where: (0, "condition"), np.select: (0, "condlist"),
               np.copyto: (3, "where"), np.putmask: (1, "mask")}


def _without(args, kwargs, k, name):
    """The arguments but the ``k``-th (named ``name``)."""
    return args[:k] + args[k + 1:], {a: v for a, v in kwargs.items() if a != name}


def _positional(ctx, func, args, kwargs):
    """``np.where`` / ``np.select`` / ``np.copyto(where=)`` / ``np.putmask`` with a
    condition computed from values (``mode="global"``): each place takes one of the
    elements of that place, so every element keeps the union of its own candidates
    (``np.where`` and ``np.select`` take all branches in global mode already; the two
    writes are joined with their write everywhere).  No other element enters."""
    args, kwargs = plain(args), plain(kwargs)
    if func is np.where or func is np.select:
        res = _function_on(ctx, func, args, kwargs)
        return res if isinstance(res, Tracer) else mark(res)
    k, name = _CONDITIONS[func]
    target = args[0]
    old = target.cols().copy()
    everywhere = _make(target.value.copy(), old, ctx)     # the write at every place
    if func is np.copyto:
        rest, kw = _without(args, kwargs, k, name)
        _function_on(ctx, func, (everywhere,) + rest[1:], kw)
    else:
        rest, kw = _without(args, kwargs, k, name)
        _function_on(ctx, func, (everywhere, np.ones(target.shape, bool)) + rest[1:], kw)
    full = everywhere.cols().copy()
    _function_on(ctx, func, args, kwargs)
    _written(target, old, None, full)
    return None


def _tracers_in(x, found=None):
    """The tracers in ``x`` (nested in lists, tuples and dicts), in order."""
    found = [] if found is None else found
    if isinstance(x, Tracer):
        found.append(x)
    elif isinstance(x, (list, tuple)):
        for i in x:
            _tracers_in(i, found)
    elif isinstance(x, dict):
        _tracers_in(list(x.values()), found)
    return found


def _is_data(x):
    return isinstance(x, (Tracer, np.ndarray, float, int, np.number)) or (
        isinstance(x, (list, tuple)) and any(_is_data(i) for i in x))


def _structural(func, ctx, args, kwargs):
    """Functions that only move elements: applied to an array of row numbers."""
    ndata = _STRUCTURAL[func]
    # object arrays of tracers (np.asarray of one, np.array([p[0], ...])) become tracers
    # before the rows' table is made: each must have its offset (diff59 S1: a KeyError)
    args = [_normalize(a, ctx) for a in args]
    ndata = len(args) if ndata == "all" else min(ndata, len(args))
    tracers = _tracers_in(args[:ndata])
    for key in ("values", "arrays"):
        if key in kwargs:
            kwargs = dict(kwargs, **{key: _normalize(kwargs[key], ctx)})
            _tracers_in(kwargs[key], tracers)
    traced_constants = func is np.pad and _find_ctx(kwargs.get("constant_values")) is not None
    if traced_constants:                # np.pad(a, w, constant_values=p[0]): p[0]'s rows
        kwargs = dict(kwargs, constant_values=_normalize(kwargs["constant_values"], ctx))
        _tracers_in(kwargs["constant_values"], tracers)
    if len(tracers) == 1 and ndata == 1 and isinstance(args[0], Tracer) and \
            func not in _FILLS_ZEROS:
        t = tracers[0]
        values = func(t.value, *args[1:], **kwargs)
        if isinstance(values, np.ndarray) and values.ndim and \
                np.may_share_memory(values, t.value):
            return _view(values, t.store, func(t.pos, *args[1:], **kwargs), ctx, t)
        if isinstance(values, np.ndarray):             # a copy: gather the rows
            pos = func(t.pos, *args[1:], **kwargs)
            return _make(_cast(values, copy=True), t.store.cols[pos], ctx)
    # the rows of every traced argument in one table; row 0 is the empty set
    width = max((t.store.cols.shape[1] for t in tracers), default=0)
    offsets, total = {}, 1
    for t in tracers:
        if id(t) not in offsets:
            offsets[id(t)] = total
            total += t.size

    def as_rows(x):
        if isinstance(x, Tracer):
            o = offsets[id(x)]
            return np.arange(o, o + x.size).reshape(x.shape)
        if isinstance(x, list):
            return [as_rows(i) for i in x]
        if isinstance(x, tuple):
            return tuple(as_rows(i) for i in x)
        return np.zeros(np.shape(x), np.int64)
    rows_args = [as_rows(a) if k < ndata else a for k, a in enumerate(args)]
    value_args = [_value(a) if k < ndata else a for k, a in enumerate(args)]
    rkw, vkw = dict(kwargs), dict(kwargs)
    for key in ("values", "arrays"):
        if key in kwargs:
            rkw[key], vkw[key] = as_rows(kwargs[key]), _value(kwargs[key])
    rkw.pop("dtype", None)                      # the row numbers stay integers
    if traced_constants:
        rkw["constant_values"] = as_rows(kwargs["constant_values"])
        vkw["constant_values"] = _value(kwargs["constant_values"])
    elif func is np.pad:
        rkw.pop("constant_values", None)
    if func is np.pad:
        if kwargs.get("reflect_type", "even") == "odd" and len(tracers) == 1 and \
                isinstance(args[0], Tracer) and \
                kwargs.get("mode", args[2] if len(args) > 2 else "constant") in \
                ("reflect", "symmetric"):
            kw = {k: v for k, v in kwargs.items() if k != "mode"}
            return _pad_odd(ctx, args[0], args[1], kwargs.get(
                "mode", args[2] if len(args) > 2 else None), kw)
        if rkw.get("mode", args[2] if len(args) > 2 else "constant") not in \
                ("constant", "edge", "reflect", "symmetric", "wrap", "empty"):
            return _through_jacobian(func, args, kwargs, ctx)
    values = func(*value_args, **vkw)
    rows = func(*rows_args, **rkw)

    def build(v, r):
        if isinstance(v, (list, tuple)):
            return type(v)(build(a, b) for a, b in zip(v, r)) if type(v) in (list, tuple) \
                else type(v)(*(build(a, b) for a, b in zip(v, r)))
        v = np.asarray(v)
        r = np.asarray(r)
        if len(tracers) == 1 and v.ndim and np.may_share_memory(v, tracers[0].value) \
                and r.size and r.min() > 0:
            t = tracers[0]
            return _view(v, t.store, t.pos.reshape(-1)[r - 1], ctx)
        return _make(_cast(v, copy=True), table[r], ctx)

    table = np.full((total, width), EMPTY, np.int32)
    for t in tracers:
        o = offsets[id(t)]
        c = t.cols().reshape(t.size, t.store.cols.shape[1])
        table[o:o + t.size, :c.shape[1]] = c
    return build(values, rows)


_PAD_EYE_MAX = 1 << 22     # an axis's padding matrix built from np.eye up to this size


def _pad_odd(ctx, t, pad_width, mode, kwargs):
    """``np.pad(t, pad_width, mode="reflect"/"symmetric", reflect_type="odd")``: a
    padded element is ``2 * edge - mirrored`` (not a move: row numbers cannot be
    padded as values, ``2 * edge - row`` names another input), so it depends on
    the edge element and the mirrored one.  NumPy pads axis by axis, each axis
    reading the axes padded before it; so do the sets here, through each axis's
    padding matrix (its nonzeros: the edge and the mirrored element where one
    reflection covers the padding, ``np.pad`` of the identity where the padding is
    wider than the array and reflects reflected elements; the whole axis where
    that identity would be large: a superset, never a miss)."""
    value = np.pad(t.value, pad_width, mode=mode, **kwargs)
    pw = np.asarray(pad_width)
    if pw.dtype.kind not in "iu" or pw.ndim > 2:
        return _through_jacobian(np.pad, (t, pad_width, mode), dict(kwargs), ctx)
    pw = np.broadcast_to(pw.reshape(-1) if pw.ndim < 2 and pw.size <= 2 else pw,
                         (t.ndim, 2)).astype(int)
    cols = t.cols()
    for ax in range(t.ndim):
        b, a = (int(v) for v in pw[ax])
        if b == 0 and a == 0:
            continue
        L = cols.shape[ax]
        if L == 0:
            return _through_jacobian(np.pad, (t, pad_width, mode), dict(kwargs), ctx)
        reach = L - 1 if mode == "reflect" else L
        idx = np.arange(L)
        if L == 1 or (b <= reach and a <= reach):
            sources = [np.pad(idx, (b, a), mode=mode), np.pad(idx, (b, a), mode="edge")]
        elif L * (L + a + b) <= _PAD_EYE_MAX:
            M = np.pad(np.eye(L), ((b, a), (0, 0)), mode=mode, reflect_type="odd")
            nz = M != 0.0
            width = max(int(nz.sum(axis=1).max()), 1)
            order = np.argsort(~nz, axis=1, kind="stable")[:, :width]
            sources = [np.where(np.take_along_axis(nz, order[:, k:k + 1], 1)[:, 0],
                                order[:, k], -1) for k in range(width)]
        else:
            inner = np.concatenate([np.full(b, -2), idx, np.full(a, -2)])
            sources = [np.where(inner == -2, -1, inner)] + \
                [np.where(inner == -2, k, -1) for k in range(L)]
        pieces = []
        for src in sources:
            piece = np.take(cols, np.maximum(src, 0), axis=ax)
            miss = np.reshape(src < 0, (1,) * ax + (-1,) + (1,) * (cols.ndim - ax - 1))
            pieces.append(np.where(miss, EMPTY, piece))
        cols = np.concatenate(pieces, axis=-1)
        cols = _compact(cols.reshape(-1, cols.shape[-1])).reshape(
            cols.shape[:-1] + (-1,))
    return _make(_plain(value), cols, ctx)


_SPARSE_PRODUCTS = (np.matmul, np.linalg.matmul, np.dot)




def _sparse_product(ctx, a, b):
    """``S @ u`` or ``u @ S`` with ``S`` a scipy.sparse matrix: element ``(i, k)`` of
    ``S @ u`` depends on what ``u[j, k]`` depends on for every stored ``S[i, j]`` (a
    stored zero included: the pattern is SciPy's structure); linear in ``u``."""
    left = is_sparse(a)
    S, u = (a, b) if left else (b, a)
    u = _normalize(u, ctx)
    if not isinstance(u, Tracer):
        return S @ u if left else u @ S
    if u.ndim not in (1, 2) or len(S.shape) != 2:
        raise errors.bad_type(
            "dualgrad.sparsity: a product of a scipy.sparse matrix and a traced array",
            "a 2-D sparse matrix and an array of one or two dimensions",
            f"shapes {S.shape} and {u.shape}",
            "Apply the sparse matrix to 1-D or 2-D arrays.")
    value = np.asarray(S @ u.value if left else u.value @ S)
    coo = (S if left else S.T).tocoo()           # (output index, summed index)
    out_i, sum_j = coo.row.astype(np.int64), coo.col.astype(np.int64)
    if u.ndim == 2 and left:                     # u (N, K): o = i K + k, e = j K + k
        K = u.shape[1]
        k = np.tile(np.arange(K), out_i.size)
        o, e = np.repeat(out_i, K) * K + k, np.repeat(sum_j, K) * K + k
    elif u.ndim == 2:                            # u (R, N): o = r C + c, e = r N + i
        R, N, C = u.shape[0], u.shape[1], value.shape[1]
        r = np.repeat(np.arange(R), out_i.size)
        o, e = r * C + np.tile(out_i, R), r * N + np.tile(sum_j, R)
    else:
        o, e = out_i, sum_j
    c = u.cols()
    c = c.reshape(u.size, c.shape[-1])
    table = _table_from_coo(np.repeat(o, c.shape[1]), c[e].ravel(), value.size)
    return _make(_plain(value), table, ctx)


def _through_jacobian(func, args, kwargs, ctx):
    """Any other function: its Jacobian's nonzeros with respect to the traced
    arguments, from dualgrad's dense Jacobian at the point (the union of all when
    that could miss entries elsewhere)."""
    from ._dense import dense_jacobian
    args = [_normalize(a, ctx) for a in args]
    tracers = list({id(t): t for t in _tracers_in((args, kwargs))}.values())   # (once each)
    sizes = [t.size for t in tracers]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)

    def rebuild(x, flat):
        if isinstance(x, Tracer):
            k = [id(t) for t in tracers].index(id(x))
            return flat[starts[k]:starts[k + 1]].reshape(x.shape)
        if isinstance(x, list):
            return [rebuild(i, flat) for i in x]
        if isinstance(x, tuple):
            return tuple(rebuild(i, flat) for i in x)
        return x

    values = func(*_value(args), **{k: _value(v) for k, v in kwargs.items()})
    if values is None:              # it wrote into an argument: no result to read sets off
        raise errors.bad_type(
            "dualgrad.sparsity", "a function that returns its result",
            f"np.{func.__name__}, which writes into its argument in place (the tracer "
            "cannot follow that write)", "Fix: pass sparsity=None (the dense Jacobian) or "
            "the pattern you know (sparsity=pattern).")
    viewed = _views_of(values, tracers, ctx)
    if viewed is not None and all(v is not None for v in viewed):
        return type(values)(viewed) if isinstance(values, (list, tuple)) else viewed[0]
    if not isinstance(values, tuple):
        viewed = None                   # one output (a list is read as one array)
    outs = values if isinstance(values, tuple) else (values,)
    out_sizes = [np.size(o) for o in outs]
    linear = _linear_in(func, args, kwargs, len(tracers))
    flat = np.concatenate([t.value.ravel() for t in tracers]) if tracers else np.zeros(0)
    width = max([1] + [t.store.cols.shape[1] for t in tracers])
    cols_in = np.full((flat.size, width), EMPTY, np.int32)
    for t, s0 in zip(tracers, starts):
        c = t.cols()
        c = c.reshape(t.size, c.shape[-1])
        cols_in[s0:s0 + t.size, :c.shape[1]] = c
    m = sum(out_sizes)
    if linear or ctx.local:
        # complex arguments: a derivative in each part's direction (np.imag(z) has
        # none along the real one), so the Jacobian of the real and imaginary parts
        split = np.iscomplexobj(flat)

        def g(v):
            v = v[:flat.size] + 1j * v[flat.size:] if split else v
            res = func(*rebuild(args, v), **{k: rebuild(w, v) for k, w in kwargs.items()})
            res = res if isinstance(res, tuple) else (res,)
            return np.concatenate([np.reshape(r, -1) * 1.0 for r in res])
        at = np.concatenate([flat.real, flat.imag]) if split else flat
        J = np.asarray(dense_jacobian("dualgrad.jacobian", g, at, (), None)[1]).reshape(
            m, at.size)
        o, e = np.nonzero(J != 0.0)
        e = e % flat.size if split else e
    else:
        pairs = _stacked_pairs(func, tracers, starts, outs) if func is not np.einsum else \
            _einsum_pairs(args, tracers, starts, outs)
        o, e = pairs if pairs is not None else \
            (np.repeat(np.arange(m), flat.size), np.tile(np.arange(flat.size), m))
    w = cols_in.shape[1]
    table = _table_from_coo(np.repeat(o, w), cols_in[e].ravel(), m)
    if not linear:
        ctx.nonlinear(table)
    pieces, k = [], 0
    for val, size in zip(outs, out_sizes):
        val = np.asarray(val)
        if val.dtype.kind in "biu":
            pieces.append(val)
        else:                       # (np.angle's view of z's memory: a copy, its rows)
            if any(np.may_share_memory(val, t.value) for t in tracers):
                val = val.copy()
            pieces.append(_make(_plain(val), table[k:k + size], ctx))
        k += size
    if viewed is not None:
        pieces = [p if v is None else v for p, v in zip(pieces, viewed)]
    if isinstance(values, tuple):
        return type(values)(*pieces) if hasattr(values, "_fields") else tuple(pieces)
    return pieces[0]


# np.linalg's functions of stacks of matrices: each matrix of the stack on its own
_STACKED = {np.linalg.det, np.linalg.slogdet, np.linalg.inv, np.linalg.solve,
            np.linalg.cholesky, np.linalg.eigh, np.linalg.eigvalsh, np.linalg.eig,
            np.linalg.eigvals, np.linalg.svd, np.linalg.pinv, np.linalg.qr,
            np.linalg.matrix_power}


def _stacked_pairs(func, tracers, starts, outs):
    """For a function of ``np.linalg`` on a stack of matrices, the dependence pairs
    ``(output element, input element)`` within each matrix of the stack (an output of
    matrix ``b`` reads the traced elements of matrix ``b`` only, a traced argument
    broadcast over the stack is read by all), in place of every output on every input:
    a hyperelastic mesh's ``np.linalg.det(F)`` over its elements and Gauss points made
    every Hessian pattern dense (user46).  ``None`` where that does not apply (a single
    matrix, or shapes this does not read)."""
    if func not in _STACKED:
        return None
    shapes = [t.shape[:-2] if t.ndim >= 2 else () for t in tracers]
    try:
        B = np.broadcast_shapes(*shapes)
    except ValueError:
        return None
    nb = math.prod(B)
    if not B or nb <= 1:
        return None
    ins = []
    for t, bt, s0 in zip(tracers, shapes, starts):
        size = math.prod(t.shape[len(bt):])
        which = np.broadcast_to(np.arange(math.prod(bt)).reshape(bt), B).reshape(nb)
        ins.append(s0 + which[:, None] * size + np.arange(size))        # (nb, size)
    outs_idx, k = [], 0
    for val in outs:
        shape = np.shape(val)
        if shape[:len(B)] != B:
            return None
        size = math.prod(shape[len(B):])
        outs_idx.append(k + np.arange(nb)[:, None] * size + np.arange(size))
        k += math.prod(shape)
    inp, out = np.concatenate(ins, axis=1), np.concatenate(outs_idx, axis=1)
    o = np.repeat(out, inp.shape[1], axis=1).ravel()
    e = np.tile(inp, (1, out.shape[1])).ravel()
    return o, e


def _einsum_pairs(args, tracers, starts, outs):
    """For ``np.einsum`` with explicit output subscripts, the dependence pairs within
    each value of its batch indices (those in the output and in every traced operand):
    ``np.einsum("egij,egij->eg", F, F)`` reads, for each ``(e, g)``, that ``F[e, g]``
    only.  ``None`` where that does not apply (no batch index, ``...``, an implicit
    output, a repeated index within an operand, one tracer under two spellings)."""
    if not args or not isinstance(args[0], str) or len(outs) != 1:
        return None
    spec = args[0].replace(" ", "")
    if "->" not in spec or "." in spec:
        return None
    ins, out = spec.split("->")
    ins = ins.split(",")
    operands = args[1:]
    if len(operands) != len(ins) or any(len(set(x)) != len(x) for x in ins + [out]):
        return None
    subs = {}
    for a, x in zip(operands, ins):
        if isinstance(a, Tracer):
            if subs.setdefault(id(a), x) != x:
                return None
    if any(id(t) not in subs for t in tracers):
        return None          # a tracer inside a list operand ([x[2], 1.0]; attack47 07)
    batch = [c for c in out if all(c in x for x in subs.values())]
    shape = np.shape(outs[0])
    if not batch or len(shape) != len(out):
        return None
    sizes = tuple(shape[out.index(c)] for c in batch)
    nb = math.prod(sizes)
    if nb <= 1:
        return None

    def grouped(shape, letters, first):
        """Flat indices (from ``first``) of an array's elements, one row per batch."""
        if any(shape[letters.index(c)] != n for c, n in zip(batch, sizes)):
            return None
        coords = np.indices(shape).reshape(len(shape), -1)
        bid = np.ravel_multi_index(tuple(coords[letters.index(c)] for c in batch), sizes)
        order = np.argsort(bid, kind="stable")
        return (first + order).reshape(nb, -1)
    rows = [grouped(t.shape, subs[id(t)], s0) for t, s0 in zip(tracers, starts)]
    outrow = grouped(shape, out, 0)
    if outrow is None or any(r is None for r in rows):
        return None
    inp = np.concatenate(rows, axis=1)
    o = np.repeat(outrow, inp.shape[1], axis=1).ravel()
    e = np.tile(inp, (1, outrow.shape[1])).ravel()
    return o, e


def _addresses(a):
    """The byte address of every element of ``a`` (shape ``a.shape``)."""
    addr = np.array(a.__array_interface__["data"][0], dtype=np.int64)
    for k, (n, st) in enumerate(zip(a.shape, a.strides)):
        addr = addr + (np.arange(n, dtype=np.int64) * st).reshape(
            (-1,) + (1,) * (a.ndim - k - 1))
    return np.broadcast_to(addr, a.shape)


def _view_pos(v, t):
    """The rows of ``t`` that the elements of view ``v`` of ``t.value`` read (by
    address), or ``None`` when some element of ``v`` is not one of ``t``'s."""
    if not isinstance(v, np.ndarray) or v.dtype != t.value.dtype or \
            not np.may_share_memory(v, t.value):
        return None
    at = _addresses(t.value).reshape(-1)
    order = np.argsort(at, kind="stable")
    sorted_at = at[order]
    av = _addresses(v).reshape(-1)
    k = np.minimum(np.searchsorted(sorted_at, av), max(at.size - 1, 0))
    if at.size == 0 or not np.array_equal(sorted_at[k], av):
        return None
    return t.pos.reshape(-1)[order[k]].reshape(v.shape)


def _views_of(values, tracers, ctx):
    """A function that returns views of a traced argument's values (``np.real`` of
    a real array, ``np.rollaxis``, ``np.dsplit``): views of its rows too, so a write
    through the view reaches the argument's pattern as it reaches its values.
    ``None`` when no output is such a view, else one tracer per output (``None``
    for an output that is not a view: its rows come from the Jacobian)."""
    seq = isinstance(values, (list, tuple)) and not hasattr(values, "_fields")
    outs = list(values) if seq else [values]
    if not any(isinstance(o, np.ndarray) and o.ndim and
               any(np.may_share_memory(o, t.value) for t in tracers) for o in outs):
        return None
    pieces = []
    for o in outs:
        for t in tracers:
            pos = _view_pos(o, t) if isinstance(o, np.ndarray) and o.ndim else None
            if pos is not None:
                pieces.append(_view(o, t.store, pos, ctx))
                break
        else:
            pieces.append(None)         # not a view: its rows from the Jacobian
    return pieces


_PRODUCTS = {np.dot, np.vdot, np.inner, np.outer, np.tensordot, np.einsum, np.kron,
             np.cross, np.matmul, np.vecdot, np.matvec, np.vecmat}


def _linear_in(func, args, kwargs, ntraced):
    """Is ``func`` linear in its traced arguments (then its Jacobian is constant)?"""
    count = sum(isinstance(a, Tracer) for a in args) + \
        sum(isinstance(v, Tracer) for v in kwargs.values())
    if func in _PRODUCTS:
        return count == 1 and ntraced == 1
    if getattr(func, "__module__", None) == "numpy.fft" and \
            not func.__name__.endswith("freq"):
        # the transforms and fftshift: linear over the reals in the array they take
        # (hfft's conj too), so the Jacobian at the point is the pattern everywhere
        # (before: every output on every input in mode="global"; attack50b m2); not
        # fftfreq's 1 / (n d)
        return count == 1 and ntraced == 1
    if func is np.linalg.solve:
        return not isinstance(args[0], Tracer)
    if func is np.trapezoid:        # y * dx and y * diff(x): bilinear when both traced
        return not isinstance(kwargs.get("x", args[1] if len(args) > 1 else None), Tracer) \
            and not isinstance(kwargs.get("dx", args[2] if len(args) > 2 else None), Tracer)
    return False


# -- handlers ---------------------------------------------------------------------------

def _reduce_union(ctx, a, axis=None, keepdims=False):
    """Each result element depends on everything along ``axis``."""
    value = np.asarray(_value(a))
    axes = tuple(range(value.ndim)) if axis is None else \
        tuple(ax % value.ndim for ax in np.atleast_1d(axis))
    if not isinstance(a, Tracer):
        return None
    c = a.cols()
    rest = [ax for ax in range(value.ndim) if ax not in axes]
    c = np.transpose(c, rest + list(axes) + [value.ndim])
    shape = tuple(value.shape[ax] for ax in rest)
    c = c.reshape(shape + (-1,))
    c = _compact(c.reshape(-1, c.shape[-1])).reshape(shape + (-1,)) if c.size else c
    if keepdims:
        c = c.reshape(tuple(1 if ax in axes else value.shape[ax]
                            for ax in range(value.ndim)) + (-1,))
    return c


def _reduction(func, nonlinear=False):
    def impl(ctx, a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        if not isinstance(a, Tracer):
            a = _normalize(a, ctx)
        value = func(_value(a), axis=axis, keepdims=keepdims,
                     **({"dtype": dtype} if dtype is not None else {}), **kwargs)
        cols = _reduce_union(ctx, a, axis, keepdims)
        if cols is None:
            return value
        if nonlinear:
            ctx.nonlinear(cols)
        res = _write_out(out, _make(_plain(value), cols, ctx))
        if ctx.sums is not None and func in (np.sum, np.mean) and axis is None and \
                not keepdims and out is None and isinstance(a, Tracer) and a.size:
            # np.mean(a) is np.sum(a) / a.size, as dualgrad's own np.mean computes it
            ctx.lin[id(res)] = (res, {len(ctx.sums): 1.0 if func is np.sum else 1.0 / a.size})
            ctx.sums.append((a.shape, a.cols().reshape(a.size, a.store.cols.shape[1])))
        return res
    return impl


def _extreme(func):
    """max/min: the elements equal to the result at the point; all in global mode."""
    def impl(ctx, a, axis=None, out=None, keepdims=False, **kwargs):
        if not isinstance(a, Tracer):
            a = _normalize(a, ctx)
            if not isinstance(a, Tracer):
                return func(a, axis=axis, out=out, keepdims=keepdims, **kwargs)
        value = func(a.value, axis=axis, keepdims=True, **kwargs)
        if ctx.local:
            hit = (a.value == value) | np.isnan(value)
            b = _make(a.value, _masked(a.cols(), hit), ctx)
        else:
            b = a
        cols = _reduce_union(ctx, b, axis, keepdims)
        value = value if keepdims else np.squeeze(value, axis=axis)
        return _write_out(out, _make(_plain(value), cols, ctx))
    return impl


def _ptp(ctx, a, axis=None, out=None, keepdims=False):
    """``np.ptp``: ``max - min`` along the axis (NumPy's own spelling), each the
    elements that attain it at the point (every element in ``mode="global"``)."""
    return np.subtract(np.max(a, axis=axis, keepdims=keepdims),
                       np.min(a, axis=axis, keepdims=keepdims), out=out)


def _scan(func, nonlinear=False):
    """cumsum/cumprod: element k depends on elements 0..k along the axis (a
    superset: everything along the axis)."""
    def impl(ctx, a, axis=None, dtype=None, out=None, **kwargs):
        a = _normalize(a, ctx)
        if axis is None:
            a, axis = np.ravel(a), 0
        value = func(a.value, axis=axis)
        cols = _reduce_union(ctx, a, axis, keepdims=True)
        cols = np.broadcast_to(cols, value.shape + cols.shape[-1:])
        if nonlinear:
            ctx.nonlinear(cols)
        return _write_out(out, _make(value, cols, ctx))
    return impl


def _where(ctx, condition, x=None, y=None):
    if x is None and y is None:
        return np.where(_value(condition))
    cond = np.asarray(_value(condition), dtype=bool)
    x, y = _operand(x, ctx), _operand(y, ctx)       # (attack47 06b)
    value = np.where(cond, _value(x), _value(y))
    shape = value.shape
    dx, dy = _deps(x, shape), _deps(y, shape)
    if ctx.local:
        cond = np.broadcast_to(cond, shape)
        dx = None if dx is None else _masked(dx, cond)
        dy = None if dy is None else _masked(dy, ~cond)
    return _make(_plain(value), _union([dx, dy], shape), ctx)


def _select(ctx, condlist, choicelist, default=0.0):
    choicelist = [_operand(c, ctx) for c in choicelist]
    default = _operand(default, ctx)
    conds = [np.asarray(_value(c), dtype=bool) for c in condlist]
    value = np.select(conds, [_value(c) for c in choicelist], _value(default))
    shape = value.shape
    parts, taken = [], np.zeros(shape, bool)
    for c, ch in zip(conds, choicelist):
        d = _deps(ch, shape)
        if d is not None and ctx.local:
            pick = np.broadcast_to(c, shape) & ~taken
            d = _masked(d, pick)
        taken = taken | np.broadcast_to(c, shape)
        parts.append(d)
    d = _deps(default, shape)
    parts.append(None if d is None else (_masked(d, ~taken) if ctx.local else d))
    return _make(_plain(value), _union(parts, shape), ctx)


def _clip(ctx, a, a_min=None, a_max=None, out=None, **kwargs):
    a_min = kwargs.pop("min", a_min)
    a_max = kwargs.pop("max", a_max)
    a, a_min, a_max = (_operand(v, ctx) for v in (a, a_min, a_max))
    v, lo, hi = _value(a), _value(a_min), _value(a_max)
    value = np.clip(v, lo, hi)
    shape = np.shape(value)
    da, dl, dh = _deps(a, shape), _deps(a_min, shape), _deps(a_max, shape)
    if ctx.local:
        # NumPy's clip is minimum(maximum(v, lo), hi), hi winning where lo > hi: the
        # branches of both steps as taken at the point, ties and NaN taking both
        # (complex values in NumPy's order, the real parts first, as the dense path's)
        v = np.asarray(v)
        t = v if lo is None else np.maximum(v, lo)
        with np.errstate(invalid="ignore"):
            nan = np.isnan(v) | (np.isnan(lo) if lo is not None else False) | \
                (np.isnan(hi) if hi is not None else False)
            keep = (t <= hi if hi is not None else True) | nan      # t passes the minimum
            from_v = ((v >= lo) if lo is not None else True) & keep
            from_lo = ((v <= lo) & keep) if lo is not None else False
            from_hi = ((t >= hi) | nan) if hi is not None else False
        da = None if da is None else _masked(da, np.broadcast_to(from_v | nan, shape))
        dl = None if dl is None else _masked(dl, np.broadcast_to(from_lo | nan, shape))
        dh = None if dh is None else _masked(dh, np.broadcast_to(from_hi, shape))
    return _write_out(out, _make(_plain(value),
                                 _union([da, dl, dh], shape), ctx))


def _sort(ctx, a, axis=-1, kind=None, order=None, **kwargs):
    a = _normalize(a, ctx)
    if axis is None:
        a, axis = np.ravel(a), -1
    if ctx.local:
        idx = np.argsort(a.value, axis=axis, kind="stable")
        return _run_union(ctx, np.take_along_axis(a, idx, axis=axis), axis)
    value = np.sort(a.value, axis=axis)
    cols = _reduce_union(ctx, a, axis, keepdims=True)
    return _make(value, np.broadcast_to(cols, value.shape + cols.shape[-1:]), ctx)


def _run_union(ctx, res, axis):
    """``res`` (sorted along ``axis``) with every run of equal values depending on all
    of its elements (dualgrad's np.sort gives a run the mean of their partials): each
    position gathers the rows of its run's positions, up to the longest run's length
    (the pattern of a run of ``L`` is an ``L`` by ``L`` block)."""
    if not isinstance(res, Tracer) or res.ndim == 0 or res.shape[axis] < 2:
        return res
    v = np.moveaxis(res.value, axis, -1)
    with np.errstate(invalid="ignore"):
        equal = v[..., 1:] == v[..., :-1]
    if not equal.any():
        return res
    n = v.shape[-1]
    pos = np.broadcast_to(np.arange(n), v.shape)
    ones = np.ones(v.shape[:-1] + (1,), bool)
    start = np.maximum.accumulate(np.where(np.concatenate([ones, ~equal], -1), pos, 0), -1)
    end = np.flip(np.minimum.accumulate(np.flip(np.where(np.concatenate(
        [~equal, ones], -1), pos, n), -1), -1), -1)
    longest = int(np.max(end - start)) + 1
    at = start[..., None] + np.arange(longest)                  # (..., n, longest)
    valid = at <= end[..., None]
    c = np.moveaxis(res.cols(), axis % res.ndim, -2)            # (..., n, w)
    w = c.shape[-1]
    got = np.take_along_axis(c, np.minimum(at, n - 1).reshape(v.shape[:-1] + (-1, 1)),
                             axis=-2).reshape(v.shape + (longest, w))
    got = np.where(valid[..., None], got, EMPTY).reshape(v.shape + (longest * w,))
    return _make(res.value, np.moveaxis(got, -2, axis % res.ndim), ctx)


def _partition(ctx, a, kth, axis=-1, kind="introselect", order=None):
    """As dualgrad's np.partition: the rows follow the values to NumPy's partition
    (:func:`partition_index`: not ``argpartition``'s order, which differs from ~80 on)
    (``mode="global"``: the union along the axis, as for sort)."""
    if order is not None:
        raise errors.unsupported_function("np.partition with order=")
    a = _normalize(a, ctx)
    if axis is None:
        a, axis = np.ravel(a), 0
    if ctx.local:
        idx = partition_index(a.value, kth, axis=axis, kind=kind)
        out = np.take_along_axis(a, idx, axis=axis)
        if not isinstance(out, Tracer) or out.ndim == 0:
            return out
        # a k-th value several elements share: every place holding it depends on all
        # of them (dualgrad's np.partition gives them the mean of their partials)
        ax = axis % out.ndim
        v, c = out.value, out.cols()
        parts = [c]
        with np.errstate(invalid="ignore"):
            for k in np.unique(np.asarray(kth).ravel() % v.shape[ax]).tolist():
                t = np.take(v, [k], axis=ax)
                tied, at = a.value == t, v == t
                if np.any(np.sum(tied, axis=ax) > 1):
                    run = _reduce_union(ctx, _make(a.value, _masked(a.cols(), tied), ctx),
                                        ax, keepdims=True)
                    parts.append(_masked(np.broadcast_to(run, v.shape + run.shape[-1:]), at))
        return out if len(parts) == 1 else _make(v, _union(parts, v.shape), ctx)
    value = np.partition(a.value, kth, axis=axis, kind=kind)
    cols = _reduce_union(ctx, a, axis, keepdims=True)
    return _make(value, np.broadcast_to(cols, value.shape + cols.shape[-1:]), ctx)


def _interp(ctx, x, xp, fp, left=None, right=None, period=None):
    """``np.interp``: element i depends on ``x[i]`` and on the two ``fp`` nodes of
    its segment at the point (all of ``fp`` in ``mode="global"``, for NaN ``x`` and
    a single node); ``x`` meets ``fp`` in the Hessian (the slope is ``fp``'s)."""
    x, xp, fp, left, right = (_operand(v, ctx) for v in (x, xp, fp, left, right))
    if period is not None:              # NumPy's checks, then its knots (the dense path's)
        np.interp(_value(x), _value(xp), _value(fp), period=_value(period))
        x, xp, fp = periodic_knots(x, xp, fp, _normalize(period, ctx), _value)
        left = right = None
    if isinstance(xp, Tracer):
        return _interp_moving_knots(ctx, x, xp, fp, left, right)
    xv, xp_ = np.asarray(_value(x), dtype=float), np.asarray(xp, dtype=float)
    value = np.interp(xv, xp_, _value(fp), _end(left), _end(right))
    shape = value.shape
    dx = _deps(x, shape)
    dfp = None
    if isinstance(fp, Tracer):
        c = fp.cols().reshape(fp.size, -1) if fp.size else fp.cols().reshape(0, 0)
        every = _compact(c.reshape(1, -1))[0] if c.size else None
        everything = None if every is None else np.broadcast_to(every, shape + every.shape)
        if ctx.local and xp_.size >= 2:
            j = np.clip(np.searchsorted(xp_, xv, side="right") - 1, 0, xp_.size - 2)
            dfp = np.concatenate([c[j], c[j + 1]], axis=-1)
            nan = np.isnan(xv)
            if np.any(nan):
                dfp = _union([np.where(nan[..., None], EMPTY, dfp),
                              _masked(everything, np.broadcast_to(nan, shape))], shape)
        else:
            dfp = everything
        if ctx.hessian and dx is not None and dfp is not None:
            ctx.nonlinear(dx, dfp)
    # a traced left=/right= is the result left/right of xp (at the point; everywhere
    # in mode="global"), where fp's nodes are not (mode="local")
    ends = []
    for e, outside in ((left, xv < xp_[0]), (right, xv > xp_[-1])):
        if e is None or not xp_.size:
            continue
        outside = np.broadcast_to(outside, shape)
        if ctx.local and dfp is not None:
            dfp = _masked(np.broadcast_to(dfp, shape + dfp.shape[-1:]), ~outside)
        if isinstance(e, Tracer):
            if e.size != 1:
                raise errors.bad_argument("np.interp", f"{'left' if e is left else 'right'}"
                                          " as a scalar", f"shape {e.shape}")
            rows = np.broadcast_to(e.cols().reshape(-1), shape + (e.cols().size,))
            ends.append(_masked(rows, outside) if ctx.local else rows)
    return _make(_plain(value), _union([dx, dfp] + ends, shape), ctx)


def _end(e):
    """An end value of np.interp as NumPy takes it: a 0-d array of a complex number
    raises NumPy's TypeError where the number itself does not (attack51b 03)."""
    v = _value(e)
    return v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v


def _interp_moving_knots(ctx, x, xp, fp, left, right):
    """``np.interp`` with traced knots: element i depends on ``x[i]``, every knot,
    every ``fp`` node and the ends (a superset of its segment's), all of them meeting
    in the Hessian (the segment's slope divides by the knots' gap)."""
    value = np.interp(np.asarray(_value(x), dtype=float), np.asarray(_value(xp), dtype=float),
                      _value(fp), _end(left), _end(right))
    shape = value.shape
    parts = [_deps(x, shape)]
    for t in (xp, fp, left, right):
        if isinstance(t, Tracer) and t.size:
            every = _compact(t.cols().reshape(1, -1))[0]
            parts.append(np.broadcast_to(every, shape + every.shape))
    cols = _union(parts, shape)
    ctx.nonlinear(cols)
    return _make(_plain(value), cols, ctx)


def _insert(ctx, arr, obj, values, axis=None):
    """``np.insert``: the elements of ``arr`` and ``values`` gathered where NumPy puts
    them (the dense path's composition: a join and a take of the rows)."""
    arr, values = (_normalize(v, ctx) for v in (arr, values))
    if isinstance(values, (list, tuple)) and _find_ctx(values) is not None:
        if any(isinstance(v, (list, tuple)) or np.ndim(v) for v in values):
            values = np.stack(values)           # rows of equal shapes, as np.asarray
        else:                                   # scalars: one tracer of them
            items = np.empty(len(values), dtype=object)
            items[:] = list(values)
            values = _from_object(items, ctx)
    return insert(arr, obj, values, axis, "dualgrad.sparsity: np.insert")


def _fill_diagonal(ctx, a, val, wrap=False):
    """``np.fill_diagonal``: the dense path's store into the diagonal's positions
    (``val``'s sets replace those of the diagonal elements)."""
    a, val = _normalize(a, ctx), _normalize(val, ctx)
    if not isinstance(a, Tracer):
        raise errors.store_into_plain(getattr(a, "dtype", None))
    fill_diagonal(a, val, wrap)


def _put(ctx, a, ind, v, mode="raise"):
    """``np.put``, ``np.place``, ``np.putmask``: the dense path's writes, through the
    tracer's ``put`` (the values' sets replace those of the positions written, in
    ``a`` itself: its views see them)."""
    a, v = _normalize(a, ctx), _normalize(v, ctx)
    if not isinstance(a, Tracer):
        raise errors.store_into_plain(getattr(a, "dtype", None))
    if not isinstance(a, TracerArray):           # a 0-d tracer: as the dense path's
        if mode not in ("raise", "wrap", "clip"):
            raise errors.bad_argument("dualgrad: x.put", "mode 'raise', 'wrap' or 'clip'",
                                      repr(mode))
        if np.size(ind):
            raise errors.put_into_scalar("dualgrad: x.put")
        return
    a.put(ind, v, mode=mode)


def _place(ctx, arr, mask, vals):
    arr, vals = _normalize(arr, ctx), _normalize(vals, ctx)
    if not isinstance(arr, Tracer):
        raise errors.store_into_plain(getattr(arr, "dtype", None))
    place(arr, mask, vals)


def _put_along_axis(ctx, arr, indices, values, axis):
    arr = _normalize(arr, ctx)
    if not isinstance(arr, Tracer):
        raise errors.store_into_plain(getattr(arr, "dtype", None))
    put_along_axis(arr, indices, _normalize(values, ctx), axis)


def _putmask(ctx, a, mask, values):
    a = _normalize(a, ctx)
    if not isinstance(a, Tracer):
        raise errors.store_into_plain(getattr(a, "dtype", None))
    if isinstance(values, (list, tuple)) and _find_ctx(values) is not None:
        values = np.asarray(values, dtype=object)     # 0-d tracers among numbers
    putmask(a, mask, _normalize(values, ctx))


def _diff(ctx, a, n=1, axis=-1, prepend=None, append=None):
    a = _normalize(a, ctx)
    parts = [p for p in (prepend, a, append) if p is not None]
    if len(parts) > 1:
        ax = axis % np.ndim(a)
        parts = [np.broadcast_to(p, np.shape(a)[:ax] + (1,) + np.shape(a)[ax + 1:])
                 if np.ndim(p) == 0 else p for p in parts]
        a = np.concatenate(parts, axis=axis)
    for _ in range(n):
        hi = [slice(None)] * np.ndim(a)
        lo = [slice(None)] * np.ndim(a)
        hi[axis], lo[axis] = slice(1, None), slice(None, -1)
        a = a[tuple(hi)] - a[tuple(lo)]
    return a


def _like(fill):
    def impl(ctx, a, dtype=None, order="K", subok=True, shape=None, **kwargs):
        if dtype is not None and np.dtype(dtype).kind != "f" and \
                np.dtype(dtype).kind != "c":
            return fill(_value(a), dtype=dtype, shape=shape)
        value = fill(_value(a), dtype=dtype, shape=shape)      # (complex like complex)
        return _constant_like(_cast(value, copy=False), ctx)
    return impl


def _full_like(ctx, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    out = _like(np.zeros_like)(ctx, a, dtype=dtype, shape=shape)
    if isinstance(out, Tracer):
        out._assign(Ellipsis, fill_value)
    else:
        out[...] = _value(fill_value)
    return out


def _copyto(ctx, dst, src, casting="same_kind", where=True):
    if where is not True:
        refuse_chained_copyto(dst, src, where)
        src = np.where(where, src, dst)
    if isinstance(dst, Tracer):
        dst._assign(Ellipsis, src)
    else:
        _write_out(dst, src)


def _creation(func):
    def impl(ctx, *args, like=None, **kwargs):
        value = func(*args, **kwargs)
        if value.dtype.kind != "f":
            return value
        return _constant_like(value.astype(float), ctx)
    return impl


def _metadata(func):
    def impl(ctx, a, *args, **kwargs):
        return func(_value(a), *args, **kwargs)
    return impl


def _average(ctx, a, axis=None, weights=None, returned=False, keepdims=False):
    if isinstance(weights, Tracer) or returned:
        return _through_jacobian(np.average, (a,), dict(axis=axis, weights=weights,
                                                        returned=returned,
                                                        keepdims=keepdims), ctx)
    return _reduction(np.average)(ctx, a, axis=axis, keepdims=keepdims,
                                  **({"weights": weights} if weights is not None else {}))


def _roll_copy(a, shift, axis):
    """``np.roll(a, shift, axis)`` for one int shift along one axis: two slice
    copies (NumPy's roll spends most of its time on argument handling)."""
    n = a.shape[axis]
    out = np.empty(a.shape, a.dtype)
    s = shift % n if n else 0
    lead = (slice(None),) * axis
    if s == 0:
        out[...] = a
    else:
        out[lead + (slice(s, None),)] = a[lead + (slice(None, n - s),)]
        out[lead + (slice(None, s),)] = a[lead + (slice(n - s, None),)]
    return out


def _roll_steps(shift, axis, ndim):
    """``np.roll``'s ``(shift, axis)`` as ``[(int shift, axis)]`` or ``None`` when
    the arguments are not plain ints (then the generic path decides)."""
    import operator
    if type(shift) is int and type(axis) is int and -ndim <= axis < ndim:
        return [(shift, axis % ndim)]
    try:
        if axis is None:
            return [(operator.index(shift), None)]
        shifts = [operator.index(v) for v in np.atleast_1d(shift).tolist()] \
            if not isinstance(shift, (int, np.integer)) else [int(shift)]
        axes = [operator.index(v) for v in np.atleast_1d(axis).tolist()] \
            if not isinstance(axis, (int, np.integer)) else [int(axis)]
        shifts, axes = np.broadcast_arrays(np.array(shifts), np.array(axes))
    except (TypeError, ValueError):
        return None
    total = {}
    for sh, ax in zip(shifts.tolist(), axes.tolist()):
        if not -ndim <= ax < ndim:
            return None
        total[ax % ndim] = total.get(ax % ndim, 0) + sh
    return [(sh, ax) for ax, sh in total.items()]


def _roll(ctx, a, shift, axis=None):
    steps = _roll_steps(shift, axis, np.ndim(a)) if isinstance(a, Tracer) and a.ndim \
        else None
    if steps is None:
        return _structural(np.roll, ctx, (a, shift), {"axis": axis})

    def apply(v):
        for sh, ax in steps:
            v = _roll_copy(v.reshape(-1), sh, 0).reshape(v.shape) if ax is None else \
                _roll_copy(v, sh, ax)
        return v
    shape = a.shape
    return _make_columns(apply(a.value), [apply(c.reshape(shape)).reshape(-1)
                                          for c in a.columns()], ctx)


def _join_dtype(name, dtype):
    """A join's ``dtype=``: a float one changes no set (the rows are joined as they
    are, the values float64 or complex128: ``None``), a complex one makes the values
    complex (returned); an integer or bool one has no derivatives and raises as the
    dense path does."""
    if dtype is None:
        return None
    dtype = np.dtype(dtype)
    if dtype.kind not in "fc":
        raise errors.dropped_derivatives(f"np.{name}(..., dtype={dtype})",
                                         integer=dtype.kind in "iu")
    return dtype if dtype.kind == "c" else None


def _into_out(name, result, out):
    """A join's ``out=``: the result stored into ``out`` (a tracer takes the sets, a
    plain array raises as storing any tracer into it does), ``out`` returned."""
    if out is None:
        return result
    if np.shape(out) != np.shape(result):
        raise ValueError(f"np.{name}: output array has wrong shape: expected "
                         f"{np.shape(result)}, got {np.shape(out)}")
    if not isinstance(out, Tracer):
        raise errors.store_into_plain(getattr(out, "dtype", None))
    out[...] = result
    return out


def _concatenate(ctx, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    """Joining arrays joins their index columns the same way, column by column."""
    dtype = _join_dtype("concatenate", dtype)
    if out is not None:
        check_join_out(np.concatenate, arrays, out)      # as the dense helpers refuse it
        return _into_out("concatenate", _concatenate(ctx, arrays, axis, None, None,
                                                     casting), out)
    if out is not None or dtype not in (None, float, np.float64) or \
            isinstance(arrays, Tracer) or not isinstance(arrays, (list, tuple)) or \
            any(isinstance(a, (list, tuple)) and _find_ctx(a) is not None for a in arrays):
        kwargs = {"axis": axis, "casting": casting}
        if out is not None:
            kwargs["out"] = out
        if dtype is not None:
            kwargs["dtype"] = dtype
        return _structural(np.concatenate, ctx, (arrays,), kwargs)
    items = [_normalize(a, ctx) for a in arrays]
    values = [a.value if isinstance(a, Tracer) else np.asarray(a) for a in items]
    if axis is None:
        values = [v.reshape(-1) for v in values]
    value = np.concatenate(values, axis=0 if axis is None else axis)
    if value.dtype.kind not in "fiub":
        value = _plain(value)
    ax = 0 if axis is None else axis
    columns = [a.columns() if isinstance(a, Tracer) else [] for a in items]
    width = max(len(c) for c in columns)
    joined = []
    for j in range(width):
        pieces = [c[j].reshape(v.shape) if j < len(c) else np.full(v.shape, EMPTY, np.int32)
                  for c, v in zip(columns, values)]
        joined.append(np.concatenate(pieces, axis=ax).reshape(-1))
    return _make_columns(_cast(value, copy=False), joined, ctx)


def _stack(ctx, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    dtype = _join_dtype("stack", dtype)
    if out is not None:
        check_join_out(np.stack, arrays, out)
        return _into_out("stack", _stack(ctx, arrays, axis, None, None, casting), out)
    if out is not None or dtype is not None or not isinstance(arrays, (list, tuple)) or \
            not arrays:
        kwargs = {"axis": axis, "casting": casting}
        if out is not None:
            kwargs["out"] = out
        if dtype is not None:
            kwargs["dtype"] = dtype
        return _structural(np.stack, ctx, (arrays,), kwargs)
    items = [_normalize(a, ctx) for a in arrays]
    shapes = {np.shape(a) for a in items}
    if len(shapes) != 1:
        raise ValueError("all input arrays must have the same shape")
    ndim = len(shapes.pop()) + 1
    if not -ndim <= axis < ndim:
        return _structural(np.stack, ctx, (arrays,), {"axis": axis})
    return _concatenate(ctx, [np.expand_dims(a, axis % ndim) for a in items],
                        axis=axis % ndim)


_HANDLED = {
    np.sum: _reduction(np.sum), np.mean: _reduction(np.mean),
    np.prod: _reduction(np.prod, nonlinear=True),
    np.var: _reduction(np.var, nonlinear=True), np.std: _reduction(np.std, nonlinear=True),
    np.max: _extreme(np.max), np.min: _extreme(np.min), np.amax: _extreme(np.amax),
    np.amin: _extreme(np.amin), np.nanmax: _extreme(np.nanmax),
    np.nanmin: _extreme(np.nanmin), np.ptp: _ptp,
    np.cumsum: _scan(np.cumsum), np.cumprod: _scan(np.cumprod, nonlinear=True),
    np.roll: _roll, np.concatenate: _concatenate, np.stack: _stack,
    np.where: _where, np.select: _select, np.clip: _clip, np.sort: _sort, np.diff: _diff,
    np.partition: _partition, np.interp: _interp, np.insert: _insert,
    np.fill_diagonal: _fill_diagonal,
    np.put: _put,
    np.place: _place,
    np.putmask: _putmask,
    np.put_along_axis: _put_along_axis,
    np.average: _average,
    np.zeros_like: _like(np.zeros_like), np.ones_like: _like(np.ones_like),
    np.empty_like: _like(np.zeros_like), np.full_like: _full_like, np.copyto: _copyto,
    np.zeros: _creation(np.zeros), np.ones: _creation(np.ones),
    np.empty: _creation(np.zeros), np.full: _creation(np.full),
    np.shape: _metadata(np.shape), np.ndim: _metadata(np.ndim), np.size: _metadata(np.size),
}

# functions that only move elements: how many leading arguments are data
_STRUCTURAL = {
    np.reshape: 1, np.ravel: 1, np.transpose: 1, np.swapaxes: 1, np.moveaxis: 1,
    np.squeeze: 1, np.expand_dims: 1, np.broadcast_to: 1, np.broadcast_arrays: "all",
    np.concatenate: 1, np.stack: 1, np.hstack: 1, np.vstack: 1, np.dstack: 1,
    np.column_stack: 1, np.split: 1, np.array_split: 1, np.hsplit: 1, np.vsplit: 1,
    np.tile: 1, np.repeat: 1, np.flip: 1, np.fliplr: 1, np.flipud: 1, np.rot90: 1,
    np.roll: 1, np.take: 1, np.take_along_axis: 1, np.diag: 1, np.diagonal: 1,
    np.tril: 1, np.triu: 1, np.copy: 1, np.atleast_1d: "all", np.atleast_2d: "all",
    np.atleast_3d: "all", np.append: 2, np.pad: 1, np.matrix_transpose: 1,
    np.permute_dims: 1, np.delete: 1, np.trace: None,
}
del _STRUCTURAL[np.trace]


def _angle(ctx, z, deg=False):
    """``np.angle``: elementwise, so each element depends on its own number's inputs
    (both modes: ``atan2(imag, real)`` has a nonzero partial along one of the parts
    wherever ``z != 0``), which meet in the Hessian.  Of a real ``x`` it is 0 or pi,
    locally constant: only an element at 0 (or NaN), where dualgrad's derivative is
    NaN, keeps its rows (before: every output on every input in ``mode="global"``,
    attack50b m2); in ``mode="global"`` every element keeps its own, as any may be 0
    at another point (attack51b 02)."""
    z = _operand(z, ctx)
    value = np.angle(_value(z), deg)
    if not isinstance(z, Tracer):
        return value
    cols = z.cols()
    if z.value.dtype != _C128 and ctx.mode == "local":
        with np.errstate(invalid="ignore"):
            cols = _masked(cols, (z.value == 0.0) | np.isnan(z.value))
    ctx.nonlinear(cols)
    return _make(_plain(value), cols, ctx)


def _compress(ctx, condition, a, axis=None, out=None):
    """``np.compress``: ``np.take`` of the indices where the (plain) condition holds."""
    if out is not None or isinstance(condition, Tracer):
        return _through_jacobian(np.compress, (condition, a), {"axis": axis, "out": out},
                                 ctx)
    where = np.flatnonzero(np.asarray(condition))
    return np.take(np.ravel(a), where) if axis is None else np.take(a, where, axis=axis)


_HANDLED[np.compress] = _compress
_JOINS = {np.concatenate, np.stack}     # (their out= checked as the dense helpers check it)
_HANDLED[np.real_if_close] = _real_if_close
_HANDLED[np.angle] = _angle
_HANDLED[np.real] = lambda ctx, val: _normalize(val, ctx).real
_HANDLED[np.imag] = lambda ctx, val: _normalize(val, ctx).imag
_HANDLED[np.trace] = lambda ctx, a, offset=0, axis1=0, axis2=1, **kw: np.sum(
    np.diagonal(a, offset, axis1, axis2), axis=-1)

_FILLS_ZEROS = {np.pad, np.tril, np.triu, np.diag}

_ON_VALUES = {np.argsort, np.argmax, np.argmin, np.nonzero, np.argwhere, np.flatnonzero,
              np.count_nonzero, np.searchsorted, np.isclose, np.allclose, np.array_equal,
              np.iscomplexobj, np.isrealobj, np.iscomplex, np.isreal, np.isneginf,
              np.isposinf, np.any, np.all, np.shares_memory, np.may_share_memory,
              np.array_equiv, np.result_type, np.min_scalar_type, np.can_cast, np.digitize,
              np.argpartition, np.nanargmax, np.nanargmin, np.lexsort, np.isin}
_CONSTANT = {np.round, np.around, np.floor_divide} if hasattr(np, "around") else {np.round}


# ---- dg.solve_ivp ------------------------------------------------------------------------

_LOCAL = threading.local()      # .ctxs: this thread's running detections (innermost last)


def _plain_and_rows(obj):
    """``obj`` (a tracer, or lists / object arrays holding some) as plain values and
    the input indices its elements depend on (all of them, one 1-D array)."""
    if isinstance(obj, Tracer):
        c = obj.cols()
        return obj.value.copy(), c[c != EMPTY]
    if isinstance(obj, np.ndarray) and obj.dtype == object:
        value, rows = _plain_and_rows(obj.ravel().tolist())
        return np.asarray(value).reshape(obj.shape), rows
    if isinstance(obj, (list, tuple)):
        parts = [_plain_and_rows(o) for o in obj]
        rows = [r for _, r in parts]
        return [v for v, _ in parts], np.concatenate(rows) if rows else \
            np.zeros(0, np.int32)
    return obj, np.zeros(0, np.int32)


def _flat_items(obj):
    if isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _flat_items(o)
    elif isinstance(obj, np.ndarray) and obj.dtype == object:
        yield from _flat_items(obj.ravel().tolist())
    else:
        yield obj


# ufuncs whose value jumps where an argument crosses a place (a comparison, sign,
# floor, heaviside, a wrap) while their derivative is zero: inside a solver's or
# quad's callback the place moves with the argument's inputs, and the solution or the
# integral with it (the jump term dualgrad's dual path adds), though the callback's
# result carries none of those inputs (``np.where(t >= p, D, 0)``: attack54 17)
_JUMP_KINDS = ("predicate", "zero")
_JUMP_UFUNCS = {np.heaviside, np.remainder, np.fmod, np.divmod}


def _note_switch(ufunc, inputs, seen):
    """The input indices of the tracers among ``inputs`` added to ``seen`` where
    ``ufunc`` jumps as they cross a place (:data:`_JUMP_KINDS`)."""
    rule = rule_for(ufunc)
    if ufunc in _JUMP_UFUNCS or rule is None or rule.kind in _JUMP_KINDS:
        _, rows = _plain_and_rows([a for a in inputs if isinstance(a, Tracer)])
        if rows.size:
            seen.append(np.unique(rows))


def _call_noting_switches(seen, fun, *args):
    """``fun(*args)`` as plain values and the input indices its result depends on,
    added to ``seen`` with those of the places its comparisons and steps crossed."""
    before = getattr(_LOCAL, "switches", None)
    _LOCAL.switches = seen
    try:
        value, rows = _plain_and_rows(fun(*args))
    finally:
        _LOCAL.switches = before
    if rows.size:
        seen.append(np.unique(rows))
    return value


class _OdeRows:
    """A function SciPy's solver calls (``fun``, ``jac``, an event) on plain floats:
    its result's values, the input indices of every call kept (and of every place
    its comparisons and steps crossed: :func:`_note_switch`)."""

    def __init__(self, fun, args, seen):
        self.fun, self.args, self.seen = fun, args, seen
        for name in ("terminal", "direction"):
            if hasattr(fun, name):
                setattr(self, name, getattr(fun, name))

    def __call__(self, t, y):
        return _call_noting_switches(self.seen, self.fun, t, y, *self.args)


class _TracedSolution:
    """``sol.sol`` of a traced solve: every element on the solution's input set."""

    def __init__(self, sol, rows, ctx):
        self.sol, self.rows, self.ctx = sol, rows, ctx

    def __call__(self, t):
        value = np.asarray(self.sol(t), dtype=float)
        return _make(value, np.broadcast_to(self.rows, value.shape + self.rows.shape), self.ctx)

    def __getattr__(self, name):
        return getattr(self.sol, name)


def traced_solve_ivp(solve, fun, t_span, y0, method, t_eval, dense_output, events,
                     vectorized, args, options, events_error):
    """``dg.solve_ivp`` during sparsity detection, or ``None`` when none runs.

    The solver runs on the values (``fun`` called on plain states; its result's
    values read off the tracers it holds), and every element of ``sol.y`` depends on
    every input that entered: ``y0``, ``t_span``'s ends, ``args``, and whatever
    ``fun`` (and ``jac``) returned at any of the solver's calls.  A superset of the
    solution's pattern (an ODE mixes its state's components over time), exact where
    the solution depends on all of them; the branches ``fun`` took are those of the
    solver's calls at this point, as for any Python ``if``."""
    running = getattr(_LOCAL, "ctxs", None)
    if not running:
        return None
    args = tuple(args) if args is not None else ()
    from ..dual import Dual
    if any(isinstance(v, Dual) for v in _flat_items([y0, *t_span, *args])):
        return None                     # a helper called inside the traced f: duals

    seen = []
    t0, tf = t_span
    starts = []
    for item in (y0, t0, tf, list(args)):
        value, rows = _plain_and_rows(item)
        starts.append(value)
        if rows.size:
            seen.append(np.unique(rows))
    y0v, t0v, tfv = starts[:3]
    if t_eval is not None:
        t_eval, rows = _plain_and_rows(t_eval)
        if rows.size:
            raise errors.bad_type("dualgrad.solve_ivp", "t_eval of plain times",
                                  "duals in t_eval",
                                  "Pass t_eval's values; only t_span's ends may be duals.")
    options = dict(options)
    if callable(options.get("jac")):
        options["jac"] = _OdeRows(options["jac"], args, seen)
    if events is not None:
        events = _OdeRows(events, args, []) if callable(events) else \
            [_OdeRows(e, args, []) for e in events]
    sol = solve(_OdeRows(fun, args, seen), (t0v, tfv), np.asarray(y0v), method=method,
                t_eval=t_eval, dense_output=dense_output, events=events,
                vectorized=vectorized, **options)
    if not seen:
        return sol                               # nothing traced entered: SciPy's own
    if events is not None:
        raise events_error()
    rows = np.unique(np.concatenate(seen)).astype(np.int32)
    ctx = _find_ctx([y0, t0, tf, list(args)]) or running[-1]
    ctx.nonlinear(rows.reshape(1, -1))
    sol.y = _make(np.asarray(sol.y, dtype=float), np.broadcast_to(
        rows, np.shape(sol.y) + rows.shape), ctx)
    if isinstance(t0, Tracer) or isinstance(tf, Tracer):
        sol.t = _make(np.asarray(sol.t, dtype=float), np.broadcast_to(
            rows, np.shape(sol.t) + rows.shape), ctx)
    if sol.sol is not None:
        sol.sol = _TracedSolution(sol.sol, rows, ctx)
    return sol


# ---- dg.quad -----------------------------------------------------------------------------

class _QuadRows:
    """``func(x, *args)`` for SciPy's quad on plain floats: its value, the input
    indices of every call kept."""

    def __init__(self, func, args, seen):
        self.func, self.args, self.seen = func, args, seen

    def __call__(self, x, *_):
        return _call_noting_switches(self.seen, self.func, x, *self.args)


def traced_quad(solve, func, a, b, args, options, compiled=False):
    """``dg.quad`` during sparsity detection, or ``None`` when none runs.

    SciPy's quad runs on the values (``func`` called on plain floats; its result's
    values read off the tracers it holds), and the integral depends on every input
    that entered: the limits, and whatever ``func`` returned at any of QUADPACK's
    nodes (``args`` enter through ``func``).  For a Hessian pattern those inputs all
    meet (an integral is nonlinear in its parameters in general).  A ``compiled``
    integrand (a ``LowLevelCallable``) goes to SciPy as it is: it returns floats."""
    running = getattr(_LOCAL, "ctxs", None)
    if not running:
        return None
    from ..dual import Dual
    if any(isinstance(v, Dual) for v in _flat_items([a, b, *args])):
        return None                     # a helper called inside the traced f: duals
    seen = []
    ends = []
    for item in (a, b):
        value, rows = _plain_and_rows(item)
        ends.append(value)
        if rows.size:
            seen.append(np.unique(rows))
    if compiled:                        # (args enter the compiled integrand: the
        plain, rows = _plain_and_rows(list(args))   # integral depends on them; attack48b 14)
        if rows.size:
            seen.append(np.unique(rows))
        out = solve(func, ends[0], ends[1], args=tuple(plain), **options)
    else:
        out = solve(_QuadRows(func, args, seen), ends[0], ends[1], **options)
    if not seen:
        return out                               # nothing traced entered: SciPy's own
    rows = np.unique(np.concatenate(seen)).astype(np.int32)
    ctx = _find_ctx([a, b, list(args)]) or running[-1]
    ctx.nonlinear(rows.reshape(1, -1))
    value = _make(np.asarray(out[0], dtype=float), rows.reshape(1, -1), ctx, shape=())
    return (value,) + tuple(out[1:])


# ---- the entry points ----------------------------------------------------------------

def _trace(who, f, x, args, mode, hessian, sums=False, holomorphic=False):
    from ._validate import as_input, check_callable
    check_callable(who, f)
    if mode not in ("local", "global"):
        raise errors.bad_argument(who, "mode 'local' or 'global'", repr(mode))
    if type(holomorphic) is not bool:
        raise errors.bad_argument(who, "holomorphic=True or False", repr(holomorphic))
    x = as_input(who, x, holomorphic)
    from ..dual import Dual
    if isinstance(x, Dual):
        raise errors.bad_type(who, "x as a plain array", "a dual number",
                              "Detect the pattern outside derivative calls.")
    x = np.array(x, dtype=complex if holomorphic else float, ndmin=0)
    ctx = _Context(x.size, mode, hessian, sums)
    seed = _make(x.copy(), np.arange(x.size, dtype=np.int32).reshape(-1, 1), ctx)
    py = getattr(f, "py_func", None)
    jitted = py is not None and type(f).__module__.startswith("numba")
    running = _LOCAL.__dict__.setdefault("ctxs", [])
    running.append(ctx)
    try:
        out = (py if jitted else f)(seed, *args)
    except TypeError as exc:
        if not jitted:
            _raise_translated(who, exc)
        raise errors.bad_type(
            who, "a numba-jitted f whose Python original (f.py_func, which the pattern is "
            "traced through) runs on arrays", f"{type(exc).__name__} from f.py_func "
            f"({str(exc).split(';')[0][:160]})", "Fix: pass the pattern you know (jacobian(f, x, "
            "sparsity=pattern)), or call NumPy functions in f (np.exp, not math.exp), which "
            "numba compiles as well.") from exc
    except Exception as exc:
        if not type(exc).__module__.startswith("numba"):
            if not jitted:
                _raise_translated(who, exc)
            raise
        raise errors.bad_type(
            who, "f whose every call runs in Python on arrays (sparsity detection runs f "
            "once on arrays of input sets, and numba-compiled code cannot take them)",
            f"{type(exc).__name__} from numba (f calls a numba-jitted function, or "
            f"f.py_func does: {str(exc).splitlines()[0][:120]})",
            "Fix: pass sparsity=None (dualgrad's dense Jacobian goes through numba "
            "code), or detect the pattern on a NumPy twin of f and pass it: pattern = "
            "dg.sparsity(f_numpy, x); dg.jacobian(f, x, sparsity=pattern).") from exc
    finally:
        running.pop()
    if isinstance(out, (list, tuple)):
        items = np.empty(len(out), dtype=object)
        items[:] = list(out)
        if any(isinstance(i, Tracer) and i.ndim for i in out):
            out = np.stack(list(out))
        else:
            out = items
    if isinstance(out, np.ndarray) and out.dtype == object:
        out = _from_object(out, ctx)
    if not isinstance(out, Tracer):
        try:
            value = _plain(out)
        except (TypeError, ValueError) as exc:
            raise errors.bad_type(who, "f to return numbers", type(out).__name__) from exc
        out = _constant_like(value, ctx)
    return out, ctx


def _raise_translated(who, exc):
    """Raise ``exc`` as the dense helpers do (:func:`dualgrad.errors.from_scipy`): a
    NumPy function NumPy ran itself on an object array of 0-d tracers
    (``np.linalg.solve(np.array([[t0, t1], [t2, t3]]), b)``, ``np.interp``) raises the
    named TypeError with the ``np.stack`` fix, not NumPy's cast error."""
    ours = errors.from_scipy(who, exc)
    if ours is not None and ours is not exc:
        raise ours from exc
    raise exc


def _csr_of(t, m, n):
    """The boolean CSR pattern of tracer ``t``'s rows (``m`` of them, ``n`` inputs)."""
    columns = t.columns()
    if m * len(columns) > 1 << 16 and len(columns) <= 32:
        import scipy.sparse as sp
        from ._coloring_kernels import columns_to_csr
        indptr, indices = columns_to_csr(np.stack(columns).astype(np.int32, copy=False),
                                         np.int32(EMPTY))
        if indptr[-1] < np.iinfo(np.int32).max:
            indptr = indptr.astype(np.int32)     # as indices: scipy copies mixed index types
        return sp.csr_matrix((np.ones(indices.size, dtype=bool), indices, indptr),
                             shape=(m, n))
    return _csr(t.cols(), m, n)


def _csr(cols, m, n):
    import scipy.sparse as sp
    cols = np.ascontiguousarray(cols.reshape(m, cols.shape[-1] if cols.ndim else 0),
                                dtype=np.int32)
    if cols.size > 1 << 16:                  # large: one jitted pass
        from ._coloring_kernels import rows_to_csr
        indptr, indices = rows_to_csr(cols, EMPTY)
    else:                                    # no numba import for small patterns
        cols = np.sort(_compact(cols), axis=1)
        keep = cols != EMPTY
        indptr = np.concatenate([[0], np.cumsum(keep.sum(axis=1))])
        indices = cols[keep]
    return sp.csr_matrix((np.ones(indices.size, dtype=bool), indices, indptr), shape=(m, n))


def sparsity(f, x=errors.NO_POINT, *args, mode="local", holomorphic=False):
    """The nonzero pattern of the Jacobian of ``f`` at ``x``.

    ``f`` runs once on tracers: arrays whose elements carry the set of inputs
    they depend on (see Notes), so the pattern is found in about the time of a
    few evaluations of ``f``, whatever the number of inputs.

    Parameters
    ----------
    f : callable
        ``f(x, *args)``, NumPy code as for :func:`jacobian`.
    x : array_like
        The point; any shape (the pattern's columns are ``x.ravel()``).
    *args
        Passed to ``f`` after ``x``.
    mode : {"local", "global"}, optional
        ``"local"`` (default): the pattern at ``x``, with the branches of
        ``where``, ``maximum``, ``clip``, ``sort`` and ``max`` taken as they are at
        ``x``.  ``"global"``: all branches of those (and the full dependence through
        nonlinear functions such as ``linalg.solve``), and everything an index
        computed from values (``x[x > 0]``, ``argmax``, ``argsort``,
        ``searchsorted``) may select: a pattern valid at every point where Python
        control flow takes the same path.  Passed to :func:`jacobian` at another
        point, a pattern that misses a nonzero there raises.
    holomorphic : bool, optional
        Accept complex ``x``: the pattern of the complex Jacobian that
        ``dg.jacobian(f, x, holomorphic=True)`` computes (an element depends on an
        input where it depends on either of its parts).

    Returns
    -------
    scipy.sparse.csr_matrix of bool
        Shape ``(f(x).size, x.size)``; never misses a nonzero of the Jacobian at
        ``x``.

    Raises
    ------
    TypeError
        ``f`` drops derivatives or uses a function without a derivative (the same
        errors as :func:`jacobian`).
    ImportError
        scipy is not installed.

    Notes
    -----
    Elementwise operations take the union of their arguments' sets; functions that
    move elements (``reshape``, ``roll``, slicing, fancy indexing, ``concatenate``,
    in-place updates) move the sets with the values; reductions take the union
    along the axis; structural zeros only: ``x * y`` depends on both even where
    ``y`` is 0.  Other functions (``linalg.solve``, ``einsum``, ``dot``) contribute
    the nonzeros of their own Jacobian at the point with ``mode="local"`` (so a
    product with a factor that is 0 at ``x`` drops entries another point has) and
    their full dependence with ``mode="global"``.  :func:`jacobian` checks a
    pattern it is given (one more pass along a random direction, also for a
    pattern from this function) and raises where it misses a nonzero; only
    ``sparsity="auto"``, detected in the same call, skips the check.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> def f(x):
    ...     return x[1:] * x[:-1] + np.roll(x, 1)[1:]
    >>> dg.sparsity(f, np.ones(4)).toarray().astype(int)
    array([[1, 1, 0, 0],
           [0, 1, 1, 0],
           [0, 0, 1, 1]])
    >>> g = lambda x: np.maximum(x, 0.0)
    >>> dg.sparsity(g, np.array([-1.0, 2.0])).toarray()
    array([[False, False],
           [False,  True]])
    >>> dg.sparsity(g, np.array([-1.0, 2.0]), mode="global").toarray()
    array([[ True, False],
           [False,  True]])
    """
    who = "dualgrad.sparsity"
    if x is errors.NO_POINT:
        raise errors.no_point(who)
    from ._validate import scipy_sparse
    scipy_sparse(who)
    of = getattr(f, "_dualgrad_hessian_of", None)
    if of is not None and not holomorphic:   # sparsity(grad(f), x): f's Hessian pattern
        return hessian_sparsity(of, x, *args, mode=mode)
    of = getattr(f, "_dualgrad_holomorphic_hessian_of", None)
    if of is not None and holomorphic:       # grad(f, holomorphic=True): f's, complex x
        return _hessian_trace(who, of, x, args, mode, sums=False, holomorphic=True)[0]
    mixed = getattr(f, "_dualgrad_mixed_of", None)
    if mixed is not None and not holomorphic:   # sparsity(grad(f, argnums=k), x, ...)
        P = _mixed_pattern(mixed, x, args, mode)
        if P is not None:
            return P
    from ._validate import refuse_traced_helper
    refuse_traced_helper(who, f, 1 + len(args), traced=True)
    out, ctx = _trace(who, f, x, args, mode, hessian=False, holomorphic=holomorphic)
    return _csr_of(out, out.size, ctx.n)


def _mixed_pattern(mixed, x, args, mode):
    """The pattern of the mixed block d2f / d(args[k]) dx of ``grad(f, argnums=k)``
    (``mixed``: ``(f, k)``), rows the gradient's entries, columns x's: the block of f's
    Hessian pattern over the concatenation of x and ``args[k]`` (the tracer cannot run
    inside grad's passes, which seed ``args[k]``: attack45 07).  ``None`` where x or
    ``args[k]`` is not one array (a pytree) or k names x itself."""
    from ._tree import is_node
    f, k = mixed
    full = (x,) + tuple(args)
    if not -len(full) <= k < len(full) or k % len(full) == 0:
        return None
    k %= len(full)
    y = full[k]
    if is_node(x) or is_node(y) or isinstance(x, dict) or isinstance(y, dict):
        return None
    try:
        xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        return None
    nx = xa.size

    def joint(z):
        parts = list(full)
        parts[0] = z[:nx].reshape(xa.shape) if xa.ndim else z[0]
        parts[k] = z[nx:].reshape(ya.shape) if ya.ndim else z[nx]
        return f(*parts)
    P = hessian_sparsity(joint, np.concatenate([xa.ravel(), ya.ravel()]), mode=mode)
    return P[nx:, :nx].tocsr()


def hessian_sparsity(f, x=errors.NO_POINT, *args, mode="local"):
    """The nonzero pattern of the Hessian of scalar ``f`` at ``x``.

    Found in one run of ``f`` on tracers: a pair of inputs ``(i, j)`` is in the
    pattern when both meet in a nonlinear operation (``x * y``, ``exp``, ``solve``
    of a traced matrix ...), which covers every nonzero second derivative.

    Parameters
    ----------
    f : callable
        ``f(x, *args)`` returning a scalar.
    x : array_like
        The point; any shape (flattened).
    *args
        Passed to ``f``.
    mode : {"local", "global"}, optional
        As for :func:`sparsity`; a Hessian pattern always treats nonlinear
        functions without their own rule (``linalg.solve``) as the full union.

    Returns
    -------
    scipy.sparse.csr_matrix of bool
        Symmetric, shape ``(x.size, x.size)``.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> f = lambda x: np.sum(x[1:] * x[:-1]) + np.sum(np.exp(x))
    >>> dg.hessian_sparsity(f, np.ones(4)).toarray().astype(int)
    array([[1, 1, 0, 0],
           [1, 1, 1, 0],
           [0, 1, 1, 1],
           [0, 0, 1, 1]])
    """
    if x is errors.NO_POINT:
        raise errors.no_point("dualgrad.hessian_sparsity")
    P, _ = _hessian_trace("dualgrad.hessian_sparsity", f, x, args, mode, sums=False)
    return P


def _hessian_trace(who, f, x, args, mode="local", sums=True, holomorphic=False):
    """The Hessian pattern of scalar ``f`` at ``x`` and, with ``sums``, its sum
    structure: ``[(coefficient, input shape, CSR rows of the input), ...]`` when
    ``f(x)`` is a constant linear combination of whole-array ``np.sum``s (then the
    Hessian is the sum of the summed elements' Hessians), else ``None``."""
    from ._validate import scipy_sparse
    sp = scipy_sparse(who)
    out, ctx = _trace(who, f, x, args, mode, hessian=True, sums=sums,
                      holomorphic=holomorphic)
    if out.size != 1:
        raise errors.array_output(who, out.shape)
    n = ctx.n
    codes = _unique(np.concatenate(ctx.pairs)) if ctx.pairs else np.zeros(0, np.int64)
    i, j = codes // n, codes % n
    P = sp.csr_matrix((np.ones(codes.size, bool), (i, j)), shape=(n, n))
    P = (P + P.T).tocsr()
    P.sort_indices()
    structure = None
    hit = ctx.lin.get(id(out)) if sums else None
    if hit is not None and hit[0] is out:
        structure = [(hit[1].get(r, 0.0), shape, _csr(cols, cols.shape[0], n))
                     for r, (shape, cols) in enumerate(ctx.sums)]
    return P, structure
