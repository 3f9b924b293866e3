"""Array duals: a value of shape ``S`` and partials of shape ``S + (n,)``.

Arithmetic goes through ``__array_ufunc__`` (one implementation for operators
and ufuncs, both from the rule table), NumPy functions through
``__array_function__`` (:mod:`dualgrad.dispatch._functions`).  ``__array__`` hands
NumPy an object array of scalar duals for dtype None/object and refuses any other
dtype, which is what makes every derivative-dropping conversion raise.

The top of the dual wing: it knows both kinds, so the constructors ``make``,
``Dual(value, partials)`` (attached to the base class here), ``stack_scalars`` and
``from_object_array`` live here.  It imports nothing above the wing: dispatch hands
its entry points (``apply``, ``call``, ``with_number``, ``write_out``,
``dispatch``, ``operand``) to :func:`connect` when it is imported, which also installs the
operators built from the rule table.
"""

import sys
import weakref
from math import copysign as _copysign
from struct import Struct, error as _StructError
from itertools import chain
from operator import attrgetter, is_ as _is

import numpy as np

from .. import backend, errors
from ..rules._table import RULES
from . import _base, _scalar, _snapshots
from ._base import BRANCHES as _BRANCHES, LIVE as _LIVE, WATCHING as _WATCHING, Dual, \
    _scalar_value, numeric, primal, sparse_stand_in
from ._snapshots import LIVE as _SNAPSHOTS
from ._scalar import (COMPLEX_SCALARS as _COMPLEX_SCALARS, MAX_SLOTS, make_scalar,
                      scalar_class, scalars_from_rows, unread_rows, unread_twins, untouched,
                      watched_twins)
from ..rules._table import derivative_functions, method_selection, rule_for

# Entry points of dispatch, handed over by connect() (see the module docstring).
apply = call = small = lean = with_number = write_out = dispatch = operand = lean_sum = None
lean_mixed = lean_power = lean_power_pair = lean_power_mixed = operator_power = None
complex_small = None

__all__ = ["ArrayDual", "make_array", "make_real", "make", "stack_scalars", "from_object_array",
           "partials_array", "connect", "ELEMENTS", "keep_elements", "kept_seed",
           "release_elements", "release_pass", "elements_written", "ARGUMENT_FACTORS",
           "argument_factors"]

_new = object.__new__
_RULE_OF = RULES.get
# NumPy function -> its lean form on plain array duals (:mod:`dualgrad.dual._views`
# fills it, and installs the view methods: ``T``, ``reshape``, ``swapaxes``...)
VIEWS = {}
_VIEW_OF = VIEWS.get
_ACTIVE = backend.FUSING
_PENDING = backend.PENDING
_Deferred = backend.Deferred
_f64 = np.dtype(np.float64)
_c128 = np.dtype(np.complex128)
_PLAIN = (_f64, _c128)                  # one level's dtypes: a complex element's (corpus65)
_OBJECT = np.dtype(object)
_fromiter = np.fromiter
_nd = np.ndarray              # (a module global: np.ndarray is two lookups, on every x[j])
_SLICE_OR_INT = (slice, int)    # a second index that keeps the slices' path (u[1:, 0])
_weak = weakref.ref
_array_of = np.array
_object_array_made = errors.object_array_made
_GUARD = _snapshots.guard


class _Builders(dict):
    """n -> ``make(n)``, a builder of scalar duals with n partials (``_from``: one dual
    from a value and a list of n floats; ``unread_rows``: one unread twin per row of
    lists), for the n that have a slot class (made on first use); ``None`` beyond (the
    vector kind)."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, n):
        if not 0 < n <= MAX_SLOTS:
            return None
        build = self[n] = self.make(n)
        return build


_FROM_ROW = _Builders(lambda n: scalar_class(n)._from)
# n -> (a row of n native float64 read as Python floats from a buffer at a byte offset,
# _FROM_ROW[n], the row's bytes): a[i] of C-contiguous partials without the row's view
# and its tolist (small67)
_ROW_READ = _Builders(lambda n: (Struct(f"{n}d").unpack_from, _FROM_ROW[n], 8 * n))
_COMPLEX_FROM_ROW = _Builders(lambda n: scalar_class(n, True)._from)
_UNREAD_ROWS = _Builders(unread_rows)
_REAL_CLASS = _Builders(scalar_class)       # n -> the real scalar class of n slots


class _UnitRows(dict):
    """n -> the rows of the n x n identity as a tuple of tuples of Python floats (made
    once): a kept seed's partials (:func:`keep_elements`) in the form the scalar
    classes' builders unpack, instead of ``partials.tolist()``'s n * n new floats on
    every ``np.asarray`` of the seed and every first read of an element (n = 10:
    ~2 us of ~15; the floats are shared, immutable, and nothing keeps the rows)."""

    def __missing__(self, n):
        rows = self[n] = tuple(tuple(row) for row in np.eye(n).tolist())
        return rows


_UNIT_ROWS = _UnitRows()


class _Lean(dict):
    """ufunc -> dispatch's lean path of its rule on array duals alone (``lean``), or
    ``None`` (a rule the lean path does not cover), built on first use.  A ufunc
    without a rule (``np.frompyfunc`` makes new ones) is not kept."""

    def __missing__(self, ufunc):
        rule = rule_for(ufunc)
        if rule is None:
            return None
        fast = self[ufunc] = lean(rule)
        return fast


_LEAN = _Lean()


# ---- the elements of a helper's seed, built once per pass ----------------------------
# Residual code of small problems reads its input element by element, x[j] in loops
# (bench/corpus.py: Bard reads 45 elements of 3 inputs per call, Watson 322 of 6), and
# each read builds a scalar dual: the largest fixed cost of those problems.  While the
# helpers' one pass runs (api.helpers._one_pass), its seed x (1-D float64, at most
# MAX_SLOTS directions) keeps each element it hands out (slot _c) and hands the same
# scalar dual out again: scalar duals are immutable.  A kept element is the one a new
# read would build while x's value entry and partials row are unchanged:
# - the value is compared on every read (a write by hand into x.value, or into an
#   array sharing its memory, gives a new element);
# - dualgrad writes into an existing dual's arrays only by item assignment (which out=,
#   np.copyto and writes through views use), the in-place operators, ufunc.at and
#   users' numba code (the paths that call backend.before_write): each first calls
#   elements_written, which drops the elements of every seed whose memory the written
#   arrays may share;
# - code outside dualgrad writes into partials only after reading them through the
#   partials property (its own dual's or a view's): such a read drops every seed's.
# A dropped seed builds its elements anew for the rest of its pass.
#
# The same machinery keeps the elements of a pass's *buffers* (euler59): a 1-D float64
# array dual of the pass's tag whose value and partials own their memory, written one
# element at a time (``S[i] = S[i - 1] + dS * dt`` into ``np.zeros_like(q, shape=...)``).
# Its first store of a scalar dual (buf[t] = d, the int key's path) enters it into
# ELEMENTS beside the seed, its slot _c a :class:`_Stored` list (the seed's is a plain
# list: its elements' rows are the identity's, a buffer's are its memory's): each later
# store writes the memory and keeps the scalar dual it wrote (immutable: exactly what a
# read of that memory would build, its value and partials floats), each read of an
# element keeps what it built, and a read hands a kept element out again while the value
# entry matches; only the last _WINDOW indices' (a store or read of element i drops
# element i - _WINDOW: each kept dual is an object the collector tracks, scalar73).
# Every other write into the buffer's memory (a slice, a view's element, an in-place
# operator, out=, a partials read by code outside dualgrad) drops them as it drops a
# seed's: elements_written compares the very arrays, which no other dual's entry
# holds (checked when the buffer enters).  At most _MAX_BUFFERS buffers per pass, each
# of at most _MAX_FLOATS floats; the pass's end (:func:`release_pass`) drops them.

# id(seed or buffer) -> (seed or buffer, the arrays owning its value's and its partials'
# memory), for the one-passes running now
ELEMENTS = {}
_KEPT = ELEMENTS.get
# tag of a one-pass running now (its seed kept) -> the buffers it entered into ELEMENTS
_PASSES = {}
_MAX_BUFFERS = 8
_MAX_FLOATS = 1 << 18           # a buffer's floats (value and partials); its kept list holds
# a pointer an element (~8 bytes), the kept elements ~120 bytes each (n = 2), _WINDOW of them
_PUT_SLOTS = 16                 # up to this many partials a store writes them slot by slot
# A buffer keeps the elements of its last _WINDOW stores and reads by index (a store or a
# read of element i drops element i - _WINDOW; a negative index drops none): a loop reads
# what it stored a few steps back (SIR's S[i - 1]).  Each kept element is a scalar dual,
# an object CPython's collector tracks: kept till the pass ends, a 1601-step SIR pass left
# ~4800 behind, counted by every gen-0 threshold and carried into the old generation,
# whose full collections over the whole process cost SIR ~15 % of its Jacobian (user72;
# scalar73).  An element dropped is built anew from the memory on its next read: the
# same floats, so the same bits.
_WINDOW = 32


class _Stored(list):
    """A buffer's kept elements (slot ``_c``; ``None`` where none is kept yet): told
    apart from a seed's plain list by its type; ``v`` and ``p`` the arrays it entered
    with (its ELEMENTS entry's), ``cls`` the real scalar class of its rows.

    ``mv``: a memoryview of ``v`` (1-D, owning its memory: contiguous), whose item is
    ``v.item(i)`` without the method call (a read compares the kept element's value with
    the memory); ``mp``: a flat memoryview of ``p``'s rows where ``p`` is C-contiguous
    and writeable, else ``None``; ``put``: ``cls._put``, which writes an element's float
    partials into ``mp`` slot by slot (``p[i] = d._plist()`` converted a list, ~0.25 us
    of a ~0.6 us store: loops60); ``n``: the row length."""

    __slots__ = ("v", "p", "cls", "mv", "mp", "put", "n")


def keep_elements(d):
    """Keep the elements of the seed ``d`` (a 1-D array dual of float64 arrays that
    own their memory, or views of such arrays, its partials the n x n identity: a
    helper's seed) from now on.  While they are kept its partials are unchanged (every
    write that could change them releases them first), so its elements and its object
    array take their partials rows from the identity's (``_UNIT_ROWS``)."""
    value, partials = d.value, d._p
    if value.base is not None:
        value = _root(value)
    if partials.base is not None:
        partials = _root(partials)
    if value.base is None and partials.base is None:
        d._c = [None] * len(d.value)
        ELEMENTS[id(d)] = (d, value, partials)


def kept_seed(value, partials, tag):
    """:func:`make_array` and then :func:`keep_elements` in one step, for the helpers'
    one pass: ``value`` a 1-D float64 array owning its memory (the pass's private copy
    of x), ``partials`` the n x n identity owning its memory (n <= ``MAX_SLOTS``): the
    complex test and the roots' search cannot apply (~0.4 us of a ~8 us pass)."""
    r = _new(ArrayDual)
    r.value = value
    r._p = partials
    r.tag = tag
    r._c = [None] * len(value)
    ELEMENTS[id(r)] = (r, value, partials)
    _PASSES[tag] = []
    return r


def release_elements(d):
    """The pass of ``d`` ends (or its elements may be stale): build them anew."""
    ELEMENTS.pop(id(d), None)
    d._c = None


def release_pass(seed):
    """The one-pass of the kept seed ``seed`` (:func:`kept_seed`) ends: drop the
    elements of the seed and of every buffer the pass kept."""
    release_elements(seed)
    for d in _PASSES.pop(seed.tag, ()):
        release_elements(d)


def _keep_buffer(d, v, p):
    """Enter the buffer ``d`` (its value ``v`` and partials ``p``: 1-D float64 and
    its rows, owning their memory, no other entry's arrays) into ELEMENTS while its
    tag's one-pass runs: its kept elements (a :class:`_Stored`), or ``None``."""
    buffers = _PASSES.get(d.tag)
    n = p.shape[1]
    cls = _REAL_CLASS[n]
    if buffers is None or len(buffers) >= _MAX_BUFFERS or cls is None or \
            len(v) * (n + 1) > _MAX_FLOATS:
        return None
    for _, sv, sp in tuple(ELEMENTS.values()):   # (the caller: none holds v or p)
        if sv.base is not None or sp.base is not None:
            return None                          # an entry over foreign memory: not here
    c = _Stored([None] * len(v))
    c.v, c.p, c.cls, c.n, c.put = v, p, cls, n, cls._put
    c.mv = memoryview(v)
    c.mp = memoryview(p).cast("B").cast("d") if p.flags.c_contiguous and \
        p.flags.writeable and n <= _PUT_SLOTS else None
    d._c = c
    ELEMENTS[id(d)] = (d, v, p)
    buffers.append(d)
    return c


def _elements_exposed():
    """Code outside dualgrad holds a partials array: drop every seed's elements."""
    for d, _, _ in list(ELEMENTS.values()):
        release_elements(d)


def elements_written(*arrays):
    """``arrays`` (a dual's value and partials) are about to be written: drop the
    elements of every seed whose value or partials may share their memory (with no
    arrays, or anything but plain arrays: of every seed).

    NumPy keeps a view's ``base`` at the array that owns the memory, so the owners
    are compared; an array over another kind of buffer gets NumPy's bounds test."""
    seeds = list(ELEMENTS.values())
    for a in arrays:
        if type(a) is not np.ndarray:   # deferred partials, nested duals: assume so
            return _elements_exposed()
        root = a if a.base is None else _root(a)
        for d, value, partials in seeds:
            if root is value or root is partials or root.base is not None and (
                    np.may_share_memory(a, d.value) or np.may_share_memory(a, d._p)):
                release_elements(d)
    if not arrays:
        _elements_exposed()


def _root(a):
    """The array owning ``a``'s memory (``a`` over a buffer that is no array)."""
    while type(a.base) is _nd:
        a = a.base
    return a


# id(the array owning a dual array's values) -> (a weak reference to that array, the
# address of its row last written from another of its rows, that source row's address)
_ROW_COPIES = {}


def _row_swap(dest, index, item):
    """Refuse ``dest[index] = item`` where ``item`` is a view of another row of ``dest``'s
    own memory and the write before it (by this path) copied that very row the other way:
    the swap ``x[i], x[j] = x[j], x[i]`` of a 2-D dual array, which NumPy's
    ``Generator.shuffle`` / ``np.random.shuffle`` and ``random.shuffle`` run on anything
    not an ndarray.  Both sides are views, so the second write copies the row the first
    one already overwrote: two equal rows (a float array's shuffle swaps its buffer
    instead), a silently wrong value and derivative (userml48).  Records one pair per
    array; a write of a row onto itself records nothing (small48)."""
    v, iv = dest.value, item.value
    if type(v) is not _nd or type(iv) is not _nd or v.ndim < 2:
        return
    root = _root(v)
    if _root(iv) is not root:
        return
    row = v[index]
    if type(row) is not _nd or row.shape != iv.shape:
        return
    to, source = row.__array_interface__["data"][0], iv.__array_interface__["data"][0]
    if to == source:
        return
    key = id(root)
    last = _ROW_COPIES.get(key)
    if last is not None and last[0]() is root and last[1] == source and last[2] == to:
        del _ROW_COPIES[key]
        raise errors.bad_type(
            "dualgrad: writing a row of a dual array from a view of another of its rows",
            "a row that still holds its own values (the write before this one copied this "
            "row's destination into it: a swap x[i], x[j] = x[j], x[i] through views, "
            "which random.shuffle, np.random.shuffle and Generator.shuffle run on "
            "anything that is not an ndarray)",
            "a view whose values were overwritten: the swap would leave two equal rows, "
            "a wrong value and derivative",
            "Fix: permute by indexing, h = h[rng.permutation(len(h))], or swap with a "
            "copy, h[[i, j]] = h[[j, i]].")
    if len(_ROW_COPIES) > 64:
        _ROW_COPIES.clear()
    _ROW_COPIES[key] = (weakref.ref(root), to, source)


def _partials_index(index):
    """The index into the partials that matches ``index`` into the value."""
    if not isinstance(index, tuple):
        index = (index,)
    if any(i is Ellipsis for i in index):
        return index + (slice(None),)
    return index


def _advanced(index):
    """Does ``index`` select with an integer or boolean array (NumPy's advanced
    indexing, always a copy)?"""
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, (list, np.ndarray)) for i in items)


def _check_index(index):
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if isinstance(i, Dual):
            raise errors.dropped_derivatives("using a dual as an index")


def _ours(frame):
    """Does ``frame`` run dualgrad's code (which writes only through the paths that
    drop a seed's elements: :func:`elements_written`)?"""
    name = frame.f_globals.get("__name__", "")
    return name == "dualgrad" or name.startswith("dualgrad.")


class ArrayDual(Dual):
    """An array of dual numbers (see :class:`dualgrad.Dual`)."""

    # _c: the elements handed out, while this dual is a helper's seed (keep_elements)
    __slots__ = ("value", "_p", "tag", "_c")

    @property
    def partials(self):
        """The partials, shape ``self.shape + (n,)``: always a computed array (the
        fused engine's deferred partials are materialized when read)."""
        if ELEMENTS and not _ours(sys._getframe(1)):
            _elements_exposed()          # the reader may write into them at any time
        p = self._p
        if type(p) is _nd and (not _ACTIVE[0] or p.size < _ACTIVE[1]):
            return p          # (partials this small are never a leaf of a deferred graph)
        return backend.read_partials(self, sys._getframe(1))

    @partials.setter
    def partials(self, p):
        if self._c is not None:
            release_elements(self)
        self._p = p

    # ---- shape ------------------------------------------------------------------
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
        """The values' dtype, as a scalar dual's: float64 (complex128) but where the
        values are narrower, as a join with ``dtype=np.float32`` makes them and every
        structural function (a join, a view, a copy) of those keeps them."""
        value = primal(self)
        dtype = getattr(value, "dtype", None)
        if dtype is not None and dtype.kind in "fc":
            return dtype
        return np.dtype(complex) if np.iscomplexobj(value) else np.dtype(float)

    def __len__(self):
        return len(self.value)

    def __iter__(self):
        # NumPy's iteration reads each element as it yields it (a write made while
        # iterating is seen): so does this, d[i] at each step, its float64 lines for one
        # level and two (_element's) written out while the arrays are those tested first,
        # held weakly (_shared counts their references); loops61.  The rows are read
        # from the arrays' memory by _ROW_READ's unpack where the arrays are C-contiguous
        # (the same floats as a row's view and its tolist, which cost ~2/3 of a
        # two-level element: sum(prod) of the Euler-Lotka row's Newton steps; scalar74)
        n = len(self)
        v, p = self.value, self._p
        if n < 2:
            builds = None
        elif type(p) is _nd and type(v) is _nd and v.dtype is _f64 and p.dtype is _f64 and \
                v.ndim == 1 and p.ndim == 2 and self._c is None and type(self) is ArrayDual:
            builds = _FROM_ROW[p.shape[1]]      # (_builders' first case, written out)
        else:
            builds = _builders(self)
            v, p = self.value, self._p
        if builds is None:
            v = p = None
            for i in range(n):
                yield self[i]
            return
        if type(v) is _nd:
            values, rows, build = _weak(v), _weak(p), builds
            one = p.shape[1] == 1               # (a float: the partials' item)
            unpack, _, size = _ROW_READ[p.shape[1]]
            for i in range(n):                  # (the first lines of __getitem__)
                v, p, e = self.value, self._p, None
                if v is values() and p is rows() and self._c is None:
                    if one:
                        row = (p.item(i),)
                    else:
                        try:
                            row = unpack(p, i * size)
                        except (_StructError, ValueError, OverflowError):
                            row = p[i].tolist()     # (not C-contiguous: the row's view)
                    e = build(v.item(i), row, self.tag)
                v = p = None
                yield self[i] if e is None else e
            return
        outer, inner, lower = builds
        w0, w1, w2, w3 = map(_weak, (v.value, v._p, p.value, p._p))
        n_out, n_low = p.value.shape[1], p._p.shape[2]
        one_in = v._p.shape[1] == 1
        read_in, _, size_in = _ROW_READ[v._p.shape[1]]
        read_out, _, size_out = _ROW_READ[n_out]
        read_low, _, size_low = _ROW_READ[n_low]
        for i in range(n):                      # _element's: the value's level, then each
            v, p, e = self.value, self._p, None     # partial's
            if type(v) is ArrayDual and type(p) is ArrayDual and self._c is None:
                vv, vp, pv, pp = v.value, v._p, p.value, p._p
                if vv is w0() and vp is w1() and pv is w2() and pp is w3():
                    tag = p.tag
                    if n_out == 1 and n_low == 1 and one_in:    # one direction each
                        e = outer(inner(vv.item(i), (vp.item(i),), v.tag),     # (a float
                                  [lower(pv.item(i), (pp.item(i),), tag)],    # each)
                                  self.tag)
                        vv = vp = pv = pp = None
                        v = p = None
                        yield e
                        continue
                    try:                        # (the block pp[i]: n_out rows of n_in)
                        e = outer(inner(vv.item(i), read_in(vp, i * size_in), v.tag),
                                  [lower(a, read_low(pp, (i * n_out + j) * size_low), tag)
                                   for j, a in enumerate(read_out(pv, i * size_out))],
                                  self.tag)
                    except (_StructError, ValueError, OverflowError):
                        e = outer(inner(vv.item(i), vp[i].tolist(), v.tag),
                                  [lower(a, b, tag) for a, b in zip(pv[i].tolist(),
                                                                     pp[i].tolist())],
                                  self.tag)
                vv = vp = pv = pp = None
            v = p = None
            yield self[i] if e is None else e

    def __repr__(self):
        return f"Dual({self.value!r}, {self.partials!r})"

    def __bool__(self):
        return bool(primal(self))

    # ---- the NumPy protocols ----------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if _WATCHING[0] and _BRANCHES.record is not None:    # dg.quad's watch
            forced = _BRANCHES.record(ufunc, inputs) if method == "__call__" else \
                _BRANCHES.record(method_selection(ufunc, method, kwargs) or ufunc, inputs)
            if forced is not None:      # (a branch set by dg.solve_ivp's coincident
                return forced           # switches' test, api/_ode_coincident)
        if method == "__call__" and not kwargs:         # np.sin(d): the common case
            h = type(inputs[0])
            if h is _float64 or h in _NUMPY_INTS:   # h * u, h a NumPy float64 (NumPy's
                op = _REFLECTED.get(ufunc)          # scalar asks the override, not
                if op is not None and len(inputs) == 2:     # u.__rmul__): the operator
                    return op(self, inputs[0] if h is _float64 else     # 2.0 * u takes
                              _float64(inputs[0]))  # (corpus65); cx * u of a NumPy int:
                    # its float64, the number small() reads (_ufuncs._operand; rows66)
            elif h is _nd and len(inputs) == 2 and inputs[1] is self:
                if type(self._p) is _Deferred and _ACTIVE[0]:   # c * u, c a plain array
                    rule = _RULE_OF(ufunc)                      # (inner * (...): roll
                    if rule is not None:                        # and sparse heat forms)
                        result = _pending_plain(rule, inputs[0], self)
                        if result is not None:
                            return result
                elif ufunc in _PLAIN_FIRST:     # t * u, t a plain float64 array: the
                    result = _plain_first(ufunc, inputs[0], self)   # operators' kernel
                    if result is not None:                          # (small70)
                        return result
            fast = _LEAN[ufunc]         # (no test of len(inputs): NumPy parses a call's
            if fast is not None:        # arguments before it asks the override, an out
                result = fast(*inputs)  # given in position comes in kwargs; small49)
                if result is not None:
                    return result
            rule = _RULE_OF(ufunc)                # the table itself: no call into it
            if rule is None:
                rule = rule_for(ufunc)            # scipy.special's rules load on first use
            if rule is not None:
                v = self.value                    # complex values (np.sqrt(z)): their
                if type(v) is _nd and v.dtype is _c128:     # lean line, where small()
                    result = complex_small(rule, inputs)    # sends them (complex68)
                    if result is not None:
                        return result
                result = small(rule, inputs)
                if result is not None:
                    return result
                if rule.kind != "unsupported" and _OBJECT in map(_dtype_of, inputs):
                    result = _on_read_objects(ufunc, rule, inputs)   # k + y[i], k of
                    if result is not None:                           # np.array([dx, dy])
                        return result
        return apply(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        view = _VIEW_OF(func)
        if view is not None:                  # np.reshape(d, ...): the lean views
            result = view(*args, **kwargs)
            if result is not None:
                return result
        return dispatch(func, args, kwargs, like=self)

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and np.dtype(dtype) != object:
            if errors.storing():                   # out[:] = d into a plain array
                raise errors.store_into_plain(dtype, np.iscomplexobj(self.value))
            # the line that cast, where np.array / np.asarray was called from the user's
            # code (newuser59: murphy's softmax helper opens with np.array(x, dtype=float),
            # not in f, and the message named no line)
            where = errors.user_line(sys._getframe(1))
            if np.dtype(dtype).kind == "c":      # an ndarray can hold no derivatives
                raise errors.complex_cast(
                    f"np.asarray(d, dtype={np.dtype(dtype).name}) (or np.array: converting "
                    "a dual array to a plain complex array)", where=where)
            raise errors.dropped_derivatives(f"converting a dual array to dtype {dtype} "
                                             "(np.asarray(d, dtype=...), .astype)",
                                             where=where)
        if dtype is not None and copy is None:
            copy = True             # np.asarray(x, dtype=object): a new array on floats
            # too (their dtype changes), the user's to write into (attack72 M4)
        if copy is False:
            raise errors.bad_argument(
                "dualgrad: np.asarray(y, copy=False) / np.array(y, copy=False)",
                "a conversion NumPy can do without a copy", "a dual array, whose NumPy "
                "form is always a new object array of scalar duals",
                "Use y itself (dual arrays take NumPy functions and indexing directly), "
                "or y.copy() for an explicit copy (a dual array still; np.array(y) "
                "is an object array of scalar duals, which NumPy's own functions such "
                "as np.nan_to_num pass through unchanged).")
        caller = sys._getframe(1)          # SciPy's Python code that converts, if any
        name = caller.f_code.co_name       # (one lookup on the common path)
        if name == "_matmul_dispatch" or name == "dot":
            stand_in = sparse_stand_in(caller)     # L @ u: u.__rmatmul__(L) does it
            if stand_in is not None:
                return stand_in
        elif name == "squareform" and \
                caller.f_globals.get("__name__") == "scipy.spatial.distance":
            raise errors.squareform_copy()
        elif name == "as_strided":             # strides laid over the object array
            errors.strided_layout(caller, self.value)
        elif errors._masked_module(caller.f_globals.get("__name__") or ""):
            raise errors.masked_dual(caller)   # np.ma.array(x), m * x: object loops
        value, partials = self.value, self._p
        if value.size >= errors.OBJECT_WARN_SIZE and \
                getattr(getattr(value, "dtype", None), "kind", "") != "c":
            errors.object_array_warning(value.size)    # (complex: refused below; no
            # warning that calls its derivatives exact first, newuser64's np.asarray(u))
        if type(value) is _nd and value.ndim == 1 and value.dtype is _f64 and \
                type(partials) is _nd and partials.dtype is _f64 and \
                (not _ACTIVE[0] or partials.size < _ACTIVE[1]):
            # the common case (scipy's np.asarray of a helper's seed): what the
            # general lines below do, without the partials property (this reader is
            # dualgrad: no seed's elements are exposed) and the reshapes of 1-D arrays
            rows = _UNREAD_ROWS[partials.shape[1]]   # (float64: no complex test)
            items = rows(value.tolist(), partials.tolist() if type(self._c) is not list
                         else _UNIT_ROWS[len(self._c)], self.tag) if rows else \
                unread_twins(scalars_from_rows(value, partials, self.tag))
            out = _fromiter(items, _OBJECT, len(items))   # (positional: keywords cost
            # ~0.3-0.7 us more, NumPy's argument parsing; small46)
            if self.tag:                      # (in a helper's pass: its guard reads this)
                if not copy:                  # NumPy's ufunc.at writes past the read-only
                    out = _GUARD(self.tag, out, items, caller)   # flag: a view of memory kept
                _object_array_made(items, untouched, self.tag, _LIVE, self, out,
                                   value, caller)  # refused?
            elif not copy:                    # no helper call (dg.Dual(...)): its ufunc.at
                watched_twins(items)          # seen at the call (attack72 F2)
            if not copy:
                kept = _KEPT(id(self))
                if kept is not None and kept[1] is value and type(self._c) is list:  # the
                    # running pass's seed (not a buffer's kept elements, _Stored): it
                    _snapshots.remember_seed(out, value)   # settles the record at its end
                else:
                    _snapshots.remember(self, out, value)
            return out
        inner = value                # (the float64 case above is real: no test there)
        while isinstance(inner, Dual):
            inner = inner.value
        if getattr(inner, "dtype", None) is not None and inner.dtype.kind == "c":
            raise errors.complex_object_array()
        partials = self.partials
        if value.ndim != 1:
            value, partials = value.reshape(-1), partials.reshape(-1, partials.shape[-1])
        if type(value) is _nd and type(partials) is _nd and \
                partials.dtype == np.float64:
            items = scalars_from_rows(value, partials, self.tag)
        else:                                         # nested duals (Hessians)
            items = [make(value[i], partials[i], self.tag) for i in range(len(value))]
        out = _fromiter(unread_twins(items), _OBJECT, len(items)).reshape(self.shape)
        if isinstance(inner, np.ndarray) and inner.ndim >= 2 and \
                not inner.flags.c_contiguous:
            out = _laid_out(out, inner, copy)
        if self.tag:
            if not copy:           # (ufunc.at's writes: _snapshots.guard)
                out = _GUARD(self.tag, out, items, caller)
            errors.object_array_made(items, untouched, self.tag, _LIVE, self, out,
                                     frame=caller)
        elif not copy:             # no helper call: ufunc.at seen at the call
            watched_twins(items)
            owner = out
            while isinstance(owner.base, np.ndarray):
                owner = owner.base
            if owner is not out:   # the flat array the snapshot views: a view of the
                _snapshots.remember(self, owner)   # snapshot keeps it alone alive
                # (np.asarray(d).ravel(), np.asarray(d)[1:]: diff73 F1, silent)
        if not copy:               # np.asarray(y): a snapshot where floats give y itself
            kept = _KEPT(id(self))
            if kept is not None and kept[1] is self.value and \
                    type(self._c) is list:                 # (the fused engine's seed)
                _snapshots.remember_seed(out, kept[1])
            else:
                _snapshots.remember(self, out)
        return out

    # ---- indexing ---------------------------------------------------------------
    def __getitem__(self, index):
        kind = type(index)
        c = self._c
        if kind is int:
            if c is None:                       # x[j] in a loop: the scalar path, its
                partials = self._p              # tests first (small47)
                value = self.value
                if type(partials) is _nd and type(value) is _nd and partials.dtype is _f64 \
                        and value.dtype is _f64:
                    if value.ndim == 1:
                        read = _ROW_READ[partials.shape[1]]
                        if read is not None:    # the row's n floats at byte index * 8 n
                            unpack, build, size = read      # of the partials' buffer, a
                            try:                # negative index from its end; NumPy's
                                row = unpack(partials, index * size)    # IndexError below
                            except (_StructError, ValueError, OverflowError):   # (out of
                                pass                            # range, not C-contiguous)
                            else:
                                return build(value.item(index), row, self.tag)
                        row = partials[index]       # (NumPy's IndexError for x[j] itself)
                        build = _FROM_ROW[len(row)]     # (n: len of the row, not partials.
                        if build is not None:           # shape's new tuple; small48)
                            return build(value.item(index), row.tolist(), self.tag)
                    elif value.ndim:            # y[i] of an RK4 loop's 2-D buffer: the
                        r = _new(ArrayDual)     # general lines' views (make's array dual),
                        r.value = value[index]  # written out (object60)
                        r._p = partials[index]
                        r.tag = self.tag
                        r._c = None
                        return r
                elif type(partials) is _nd and type(value) is _nd and value.ndim == 1 and \
                        (value.dtype is _c128 or partials.dtype is _c128) and \
                        value.dtype in _PLAIN and partials.dtype in _PLAIN:
                    row = partials[index]       # D[i] of a complex buffer (a Mie series'
                    build = _COMPLEX_FROM_ROW[len(row)]     # recurrence): make's complex
                    if build is not None:                   # scalar dual (corpus65)
                        return build(value.item(index), row.tolist(), self.tag)
            elif type(c) is _Stored:            # S[i - 1] of a pass's kept buffer: its
                try:                            # element, while the memory holds the value
                    e = c[index]                # it was built of (a seed's: below; loops62)
                except IndexError:
                    e = None
                if e is not None and c.v is self.value:
                    x = c.mv[index]
                    if e.value == x and (x != 0.0 or
                                         _copysign(1.0, x) == _copysign(1.0, e.value)):
                        return e
        elif kind is slice or kind is tuple and len(index) == 2 and (
                type(index[0]) is slice and type(index[1]) in _SLICE_OR_INT or
                type(index[0]) is int and type(index[1]) is slice):
            # x[1:], uh[1:] in a loop (small51), u[1:, 1:-1], u[:, 0] (a shallow water
            # step reads 83 of them: rows66): the slices' path below, first
            value = self.value[index]
            partials = self._p
            if type(value) is _nd and type(partials) is _nd and value.dtype is _f64:
                r = _new(ArrayDual)
                r.value = value
                r._p = partials[index]
                r.tag = self.tag
                r._c = None
                return r
            value = partials = None
        if c is not None and kind is int:       # a seed's element read before (a kept
            try:                                # buffer's: above, unless its value array
                e = c[index]                    # was replaced)
            except IndexError:
                e = None
            if e is not None:
                x = self.value.item(index)
                if e.value == x and (x != 0.0 or _copysign(1.0, x) == _copysign(1.0, e.value)):
                    return e                    # (a zero's sign written by hand: built anew)
        partials = self._p
        if type(partials) is _Deferred:             # only this one: reading writes nothing
            partials = self._p = backend.concrete(partials)
        if kind is int:                         # (a kept seed; deferred partials, a
            value = self.value                  # scalar class made on first use)
            if type(value) is _nd and value.ndim == 1 and value.dtype is _f64:
                if type(partials) is _nd and partials.dtype is _f64:
                    build = _FROM_ROW[partials.shape[1]]
                    if build is not None:
                        if c is None:
                            return build(value.item(index), partials[index].tolist(),
                                         self.tag)
                        if type(c) is _Stored:      # a buffer's element: its memory's row
                            e = c[index] = build(value.item(index),
                                                 partials[index].tolist(), self.tag)
                            if index >= _WINDOW:    # (as a store: a window of them)
                                c[index - _WINDOW] = None
                            return e
                        e = c[index] = build(value.item(index),     # a kept seed's row:
                                             _UNIT_ROWS[len(c)][index], self.tag)  # e_index
                        return e
                    return make_scalar(value.item(index), partials[index], self.tag)
        if kind is slice:                       # x[1:] (the slices' path below)
            pass
        elif kind is tuple or kind is int or kind in _INDEX_INTS:   # one element: x[i, j],
            items = index if kind is tuple else (index,)             # a Hessian's x[t]
            if len(items) == self.value.ndim and items and \
                    _INDEX_INTS.issuperset(map(type, items)):
                e = _element(self, items)
                if e is not None:
                    return e
        if kind is slice or index is None or kind is tuple and \
                _BASIC.issuperset(map(type, index)):  # x[1:], x[None], x[:, k] (an EGM
            value = self.value[index]                 # loop's column): the same of both
            if type(value) is _nd and value.dtype is _f64:   # make's array dual,
                r = _new(ArrayDual)                  # written out (a[1:] - a[:-1] on
                r.value = value                      # small arrays: small42)
                r._p = partials[index]
                r.tag = self.tag
                r._c = None
                return r
            return make(value, partials[index], self.tag)
        if kind is tuple and len(index) == 2 and index[0] is Ellipsis and index[1] is None:
            # f[..., None], backend.scaled's factor of a nested product (nested63): the
            # lines below without their tests (no dual, no advanced index)
            return make(self.value[index], partials[..., None, :], self.tag)
        _check_index(index)
        value = self.value[index]
        if _advanced(index):                    # a gather: one item per element's row
            if type(index) is _nd and index.dtype.kind in "iu" or \
                    type(index) is list:        # x[idx]: np.take of the rows, checked above
                p = backend.take(partials, index, 0)
                if p is not None:
                    return make(value, p, self.tag)
            r = backend.rows(partials)
            if r is not None:
                return make(value, backend.from_rows(r[index], partials),
                            self.tag)
        partials = partials[_partials_index(index)]
        return make(value, partials, self.tag)

    def __setitem__(self, index, item):
        c = self._c
        if type(c) is _Stored and type(index) is int and type(item) is c.cls and \
                not _SNAPSHOTS and c.mp is not None:
            # S[i] = d into a pass's kept buffer (the SIR row's stores; loops62): before
            # the read-only tests below, whose partials' flag cannot be off here (loops70):
            # mp is made only over writeable rows (_keep_buffer), and the rows are this
            # dual's own (c.p is _p) which code outside dualgrad reaches only through the
            # partials property, whose read drops the kept elements (c is None then).
            # The value's flag is NumPy's to test: its write comes first, as below.
            v = self.value
            t = self.tag
            if c.v is v and c.p is self._p and item.tag == t and t in _LIVE and \
                    type(item.value) is float and v.ndim == 1 and v.dtype is _f64:
                if _PENDING:
                    backend.before_write(v, c.p)
                v[index] = item.value          # (NumPy's IndexError / read-only error)
                if c.put(item, c.mp, c.n * index):   # float partials slot by slot
                    c[index] = item            # (immutable: what a read would build)
                    if index >= _WINDOW:       # the one _WINDOW stores back: dropped
                        c[index - _WINDOW] = None      # (read again: built anew)
                    return
            v = None                        # (_promote counts the references to the arrays)
        if _SNAPSHOTS:
            _snapshots.check_write(self, index=index)
        if type(self._p) is _nd and type(self.value) is _nd:
            if not self._p.flags.writeable and self.value.flags.writeable:
                # (no name for _p: _promote counts its references) every store writes
                # the value first: a read-only value refuses before any write (NumPy's
                # error), read-only partials only after it
                raise errors.store_read_only("item assignment", "partials")
        elif (level := _read_only_part(self)) is not None:   # a nested dual (a Hessian's):
            raise errors.store_read_only(                    # its levels are written one
                "item assignment", level)                    # after another (exact68's Left)
        c = self._c
        if type(c) is _Stored and type(index) is int and type(item) is c.cls:
            v, p = self.value, self._p      # S[i] = d into a pass's kept buffer: its tests
            if c.v is v and c.p is p and item.tag == self.tag and self.tag in _LIVE and \
                    type(item.value) is float and v.dtype is _f64 and p.dtype is _f64 and \
                    v.ndim == 1:                # first (the SIR row's stores; loops62)
                mp = c.mp                      # float partials slot by slot into the rows'
                if mp is not None:             # memory (NumPy's IndexError first, by v)
                    if _PENDING:
                        backend.before_write(v, p)
                    v[index] = item.value
                    if c.put(item, mp, c.n * index):
                        c[index] = item
                        if index >= _WINDOW:
                            c[index - _WINDOW] = None
                        return
                ps = item._plist()             # a pass's buffer (_keep_buffer): no other
                if type(sum(ps, 0.0)) is float:   # entry holds its arrays; n slots
                    if _PENDING:
                        backend.before_write(v, p)
                    v[index] = item.value
                    p[index] = ps
                    c[index] = item            # (immutable: what a read would build)
                    if index >= _WINDOW:
                        c[index - _WINDOW] = None
                    return
            v = p = None                    # (_promote counts the references to the arrays)
        if type(item) is _nd and item.dtype is _OBJECT:
            item = read_object(item)        # y[i + 1] = np.array([dx, dy]): read once,
        kind = type(index)                   # as the general lines below would read it
        if kind is int and self.tag in _LIVE:    # buf[t] = d in a loop: one element
            v, p = self.value, self._p
            if type(p) is _nd and p.dtype is _f64 and type(v) is _nd and \
                    v.dtype is _f64 and v.ndim == 1:
                ik = type(item)            # (_store_element's float64 case, written out)
                c = self._c
                if ik in _ELEMENT_NUMBERS:
                    value, ps = item, 0.0          # a constant: its partials zero
                elif getattr(ik, "_kind", None) == "slots" and item.tag == self.tag and \
                        type(item.value) is float:
                    ps = item._plist()
                    if len(ps) != p.shape[1] or type(sum(ps, 0.0)) is not float:
                        ps = None                  # (a row must never broadcast)
                    value = item.value
                elif c is None and getattr(ik, "_kind", None) == "vector" and \
                        item.tag == self.tag and type(item.value) is float:
                    q = item.partials          # more than MAX_SLOTS partials (an HBV
                    if type(q) is _nd and q.dtype is _f64 and q.shape == p.shape[1:]:
                        if ELEMENTS:           # model's 17 parameters: rows65): the
                            elements_written(v, p)    # general lines' float64 case
                        if _PENDING:
                            backend.before_write(v, p)
                        v[index] = item.value
                        p[index] = q
                        return
                    ps = None
                else:
                    ps = None
                if ps is not None:
                    if c is not None:        # this buffer's kept elements (no other entry
                        if type(c) is not _Stored or c.v is not v or c.p is not p:
                            elements_written(v, p)     # holds its arrays), else a seed's:
                            c = None                   # dropped
                    elif ELEMENTS:           # _elements_of(v, p), inline
                        if v.base is None and p.base is None:
                            for e in tuple(ELEMENTS.values()):
                                if v is e[1] or p is e[2] or v is e[2] or p is e[1]:
                                    elements_written(v, p)
                                    break
                            else:            # a pass's buffer: its elements kept from now
                                c = _keep_buffer(self, v, p)
                        else:
                            elements_written(v, p)
                    if _PENDING:
                        backend.before_write(v, p)
                    v[index] = value
                    p[index] = ps
                    if c is not None:        # what a read would build: a real class's
                        c[index] = item if ik is c.cls and type(ps) is list else None
                        if index >= _WINDOW:
                            c[index - _WINDOW] = None
                    return
            elif type(p) is _nd and p.dtype is _c128 and type(v) is _nd and \
                    v.dtype is _c128 and v.ndim == 1 and self._c is None and \
                    type(item) in _COMPLEX_SCALARS and _store_complex(v, p, index, item, self.tag):
                return
            v = p = value = ps = c = None   # (_promote counts the references to the arrays)
        if (kind is int or kind in _INDEX_INTS or kind is tuple and index and
                _INDEX_INTS.issuperset(map(type, index))) and self.tag in _LIVE and \
                _store_element(self, index, item):
            return          # buf[t] = d: one element, level by level (nested, x[i, j]; a
            # tuple of integers only, _store_element's own test: H[:, 0] = d skips the
            # call, 15 stores a shallow water step, shallow69)
        if (kind is slice or kind is tuple and _BASIC.issuperset(map(type, index))) and \
                type(item) is ArrayDual and item.tag == self.tag and self.tag in _LIVE:
            # (x[1:] = d, and M[0, :] = d / M[1:, 0] = d: a point-kinetics matrix's row
            # and column each call of a rhs, rows64)
            v, p, x, q = self.value, self._p, item.value, item._p
            if type(v) is _nd and type(x) is _nd and (v.base is not None or
                                                      x.base is not None or x is v):
                v = p = x = q = None     # (_onto_itself's write check counts references)
                if _onto_itself(self, index, item):
                    return  # x[i] += d stores x[i] back into x: every element onto itself
                v, p, x, q = self.value, self._p, item.value, item._p
                _check_copy_order(v, index, x)
            if type(p) is _nd and type(q) is _nd and type(v) is _nd and \
                    type(x) is _nd and v.dtype is _f64 and x.dtype is _f64 and \
                    p.dtype is _f64 and q.dtype is _f64 and p.ndim == v.ndim + 1 and \
                    q.ndim == x.ndim + 1 and p.shape[-1] == q.shape[-1]:
                # uh[:-1] = uh[1:] + o * w in a day loop: the general lines' float64
                # case (below: _plain, same_directions, the two writes), written out
                if ELEMENTS:
                    _elements_of(v, p)
                if _PENDING:                 # no pending expression may see this write
                    backend.before_write(v, p)
                v[index] = x                 # (NumPy's errors: read-only, shapes)
                if p.shape[-1] > 1 and p.size >= _ROWS_APART * p.shape[-1]:
                    put_rows(p[index], q)    # (a view: a basic index; under 32 rows
                else:                        # in all, NumPy's copy without a call)
                    p[index] = q
                return
            v = p = x = q = None
        if ELEMENTS:
            elements_written(self.value, self._p)
        if self.tag not in _LIVE:                 # a buffer that escaped its call
            raise errors.escaped()
        if _PENDING:                        # no pending expression may see this write
            backend.before_write(self.value, self._p)
        _check_index(index)
        pindex = _partials_index(index)
        if type(item) is ArrayDual and item.tag == self.tag and _plain(item):
            _base.same_directions("item assignment", [self, item])
            if (kind is int or kind in _INDEX_INTS) and item.value.base is not None:
                _row_swap(self, index, item)         # x[i], x[j] = x[j], x[i]: refused
            _check_copy_order(self.value, index, item.value)
            self.value[index] = item.value           # (no promotion: nothing nested)
            self.partials[pindex] = item.partials
            return
        if isinstance(item, (list, tuple)) or \
                isinstance(item, np.ndarray) and item.dtype == object:
            item = operand(item)                # read as np.asarray(item), duals kept
        if isinstance(item, Dual) and item.tag == self.tag:
            _base.same_directions("item assignment", [self, item])
            if type(item) is ArrayDual and (kind is int or kind in _INDEX_INTS):
                _row_swap(self, index, item)         # complex values: the swap refused too
            partials = item.partials if item._kind != "slots" else _scalar_partials(item)
            if np.iscomplexobj(primal(item)) and not np.iscomplexobj(primal(self)):
                raise errors.complex_into_real()
            if type(item) is ArrayDual:       # complex values, any key (attack52 03)
                _check_copy_order(self.value, index, item.value)
            self.value = _promote(self.value, item.value)
            self.partials = _promote(self.partials, partials)
            self.value[index] = item.value
            self.partials[pindex] = partials
        elif isinstance(item, Dual) and item.tag > self.tag:
            _base.check_live(item.tag)
            raise errors.mixed_tags()
        else:
            if isinstance(item, Dual):           # a constant here, if its call still runs
                _base.check_live(item.tag)
                _base.check_live(self.tag)
            self.value = _promote(self.value, item)
            self.value[index] = item
            self.partials[pindex] = 0.0

    # ---- ndarray-like methods ---------------------------------------------------
    # (the view methods, T, mT, reshape, ravel, transpose, swapaxes, squeeze and
    # diagonal, are installed by dualgrad.dual._views: a lean path first)
    @property
    def real(self):
        return np.real(self) if np.iscomplexobj(primal(self)) or \
            np.iscomplexobj(self.partials) else self

    @real.setter
    def real(self, item):
        """``z.real = w`` (and ``z.real += w``), as NumPy: ``z.real[...] = w``, a write
        through item assignment into the real parts of the value and partials."""
        self.real[...] = item

    @property
    def imag(self):
        return np.imag(self)

    @imag.setter
    def imag(self, item):
        """``z.imag = w``, as NumPy: ``z.imag[...] = w``; a real array has no imaginary
        part to set (NumPy's TypeError)."""
        if not (np.iscomplexobj(primal(self)) or np.iscomplexobj(self.partials)):
            raise TypeError("array does not have imaginary part to set (dualgrad: make "
                            "the dual complex first, z = d * (1 + 0j))")
        view = np.imag(self)
        view[...] = item

    def copy(self, order="C"):
        """A copy; ``order`` is the values' memory layout (NumPy's), the same numbers."""
        if order == "C":
            return make_array(self.value.copy(), backend.copy(self.partials), self.tag)
        return np.copy(self, order=order)

    def flatten(self, order="C"):
        return np.ravel(self, order=order).copy()

    def tolist(self):
        noted = errors.objects_noted()    # (dualgrad's own object array, read at once)
        items = np.asarray(self).tolist()
        errors.objects_restore(noted)
        return items

    def item(self, *args):
        """One element as a scalar dual (NumPy's ``item`` gives a Python float)."""
        if len(args) == 1 and isinstance(args[0], tuple):
            args = args[0]
        if not args:
            if self.size != 1:
                raise ValueError("can only convert an array of size 1 to a Python scalar")
            return self.reshape(-1)[0]
        if len(args) == 1:
            return self.reshape(-1)[args[0]]
        return self[tuple(args)]

    def sort(self, axis=-1, kind=None, order=None):
        """Sort in place, as ``ndarray.sort`` (ties: the table's first-element rule)."""
        if order is not None:
            raise errors.bad_type("dualgrad: d.sort(order=...)", "order=None",
                                  f"order={order!r}", "Fields exist only in structured "
                                  "arrays; call d.sort() or np.sort(d).")
        if axis is None:                 # np.sort flattens; the method refuses, as NumPy's
            raise TypeError("dualgrad: d.sort(axis=None): an integer axis is required "
                            "(ndarray.sort sorts in place, along one axis); use "
                            "np.sort(d, axis=None) for the flattened sorted copy.")
        self[...] = np.sort(self, axis=axis, kind=kind)

    def fill(self, value):
        """Set every element to ``value`` (a number or a scalar dual), in place."""
        self[...] = value

    @property
    def flat(self):
        """A flat iterator over the elements: ``d.flat[i]`` reads, ``d.flat[i] = v``
        writes into ``d`` itself (as ``ndarray.flat``), in C order."""
        return FlatIter(self)

    @flat.setter
    def flat(self, value):
        """``d.flat = v``: every element set from ``v`` in C order (a number, a scalar
        dual or ``d.size`` values), as ``ndarray.flat = v``."""
        FlatIter(self)._write(slice(None), value)    # (NumPy's copies an overlap first)

    def partition(self, kth, axis=-1, kind="introselect", order=None):
        """Partition in place, as ``ndarray.partition``."""
        if order is not None:
            raise errors.bad_type("dualgrad: d.partition(order=...)", "order=None",
                                  f"order={order!r}", "Fields exist only in structured "
                                  "arrays; call d.partition(kth) or np.partition(d, kth).")
        self[...] = np.partition(self, kth, axis=axis, kind=kind)

    def put(self, indices, values, mode="raise"):
        """``d.flat[indices] = values`` in place, as ``ndarray.put``."""
        indices = np.asarray(indices, dtype=np.intp)
        if mode == "wrap":
            indices = np.mod(indices, self.size)
        elif mode == "clip":
            indices = np.clip(indices, 0, self.size - 1)
        elif mode != "raise":
            raise errors.bad_argument("dualgrad: d.put", "mode 'raise', 'wrap' or 'clip'",
                                      repr(mode))
        if not indices.size:                       # NumPy: nothing written, whatever the
            return                                 # values (np.flatnonzero found none)
        if self.ndim == 0:
            raise errors.put_into_scalar("dualgrad: d.put")
        if isinstance(values, Dual):
            values = np.ravel(values)
        else:                                      # (a list of scalar duals: read here)
            noted = errors.objects_noted()
            values = np.ravel(np.asarray(values))
            errors.objects_restore(noted)
        # NumPy reads all of ``values`` before it writes (a.put([1, 2], a[:2]) sets a[2] to
        # the old a[1]); FlatIter writes element by element, as ``a.flat[...] =`` does, so
        # values that may share memory with ``d`` (a view of it, or of its .value) are
        # copied first, values and partials (an outside attack: the Jacobian took row 2 on
        # x0, where NumPy's function reads x1, and sparsity="auto" disagreed with it)
        if _shares_memory(values, self):
            values = values.copy()
        count = indices.size
        if values.shape[0] == 0:                     # NumPy writes nothing (np.resize
            return                                   # would repeat zeros)
        if count and values.shape[0] != count:       # NumPy repeats the values cyclically
            values = np.resize(values, (count,))
        FlatIter(self)[indices.reshape(-1)] = values

    def compress(self, condition, axis=None, out=None):
        """The elements (or slices along ``axis``) where ``condition`` holds, as
        ``ndarray.compress``: ``np.take`` of the true positions; an ``out`` buffer
        refused as ``np.compress``'s (``out=None`` by position taken: attack72 C2)."""
        if out is not None:
            return dispatch(np.compress, (condition, self, axis, out), {}, like=self)
        where = np.flatnonzero(np.asarray(condition, dtype=bool))
        if axis is None:
            return np.take(np.ravel(self), where)
        return np.take(self, where, axis=axis)

    def view(self, *args, **kwargs):
        """A new dual viewing the same memory (``d.view()``); a dtype or type would
        reinterpret the values' bytes and drop the derivatives."""
        if args or kwargs:
            raise errors.dropped_derivatives(
                "d.view(dtype) (reinterpreting the bytes of a dual's values)")
        return make_array(self.value.view(), self.partials.view(), self.tag)


# ---- one element: buf[t] read and stored in a scalar loop ------------------------
# A recursion written over buffers (a Kalman filter: each step reads prior_vars[t] and
# stores four elements, bench/kalman_loop.py) reads and stores one element at a time;
# the general paths cost ~5 us an element where NumPy's take ~0.1 us.  An index of
# integers only, one per axis, names one element: _element reads it and _store_element
# writes it level by level (nested duals: the value's level and each direction's), for
# float64 ndarrays at the bottom and scalar duals of the buffer's own tag (or numbers)
# going in; anything else (complex, a promotion, another tag, the vector kind) is the
# general path's.  The invariants are the general path's, in its order: a snapshot's
# check (the caller), the seeds' kept elements dropped (elements_written), an escaped
# buffer refused (the caller tests its tag), every pending expression that reads the
# memory written materialized first (before_write), then the buffer's own deferred
# partials; read-only views raise NumPy's own error at the first write.
_INDEX_INTS = frozenset({int, np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint32,
                         np.uint16, np.uint8, np.intp})
# basic indexes the value and the partials take alike: one view of each (no Ellipsis: it
# would reach the partials' last axis); NumPy's integer scalars index as Python ints do
# (``F[:, :, i]`` of ``i`` from ``np.arange``: a lattice Boltzmann step's 27: rows68)
_BASIC = frozenset({int, slice}) | _INDEX_INTS
_ELEMENT_NUMBERS = frozenset({float, int, np.float64})


def _element(d, index):
    """``d[index]`` for ``index`` a tuple of ``d.ndim`` integers, a scalar dual built level
    by level (the general path's: a real class of ``n`` slots at every level), or
    ``None`` where this path does not apply (then nothing was read that matters)."""
    v, p = d.value, d._p
    if type(p) is _Deferred:                     # reading writes nothing: only this one
        p = d._p = backend.concrete(p)
    tp = type(p)
    if type(v) is _nd:
        if v.dtype is not _f64 or tp is not np.ndarray or p.dtype is not _f64:
            return None
        build = _FROM_ROW[p.shape[-1]]
        return None if build is None else build(v.item(index), p[index].tolist(), d.tag)
    if type(v) is not ArrayDual:
        return None
    value = _element(v, index)
    if value is None:
        return None
    if tp is _nd:                  # a buffer's partials before any store of a dual
        if p.dtype is not _f64:
            return None
        build = _FROM_ROW[p.shape[-1]]
        return None if build is None else build(value, p[index].tolist(), d.tag)
    if tp is not ArrayDual:
        return None
    n = p.value.shape[-1]
    build = _FROM_ROW[n]
    if build is None:
        return None
    ps = []
    for k in range(n):
        e = _element(p, index + (k,))
        if e is None:
            return None
        ps.append(e)
    return build(value, ps, d.tag)


def _builders(d):
    """For ``d.__iter__``: the scalar class's builder of ``d[i]`` (``d`` 1-D, one level of
    float64 arrays), or of its three levels (two levels, ``dg.hessian``'s, a root
    finder's Newton steps on a helper's duals); ``None`` for anything else, read by
    ``d[i]``.  Deferred partials are made concrete, as the first ``d[i]`` makes them."""
    if type(d) is not ArrayDual or d._c is not None:
        return None                     # (a kept seed's elements: d[i] reads them)
    v, p = d.value, _concrete(d)
    if type(v) is not type(p):
        return None
    if type(v) is _nd:
        if v.dtype is _f64 and p.dtype is _f64 and v.ndim == 1 and p.ndim == 2:
            return _FROM_ROW[p.shape[1]]
        return None
    if type(v) is not ArrayDual:
        return None
    vv, vp, pv, pp = v.value, _concrete(v), p.value, _concrete(p)
    if not (type(vv) is type(vp) is type(pv) is type(pp) is _nd and
            vv.dtype is vp.dtype is pv.dtype is pp.dtype is _f64 and vv.ndim == 1 and
            vp.ndim == 2 and pv.ndim == 2 and pp.ndim == 3):
        return None
    builds = _FROM_ROW[pv.shape[1]], _FROM_ROW[vp.shape[1]], _FROM_ROW[pp.shape[2]]
    return None if None in builds else builds


def _concrete(d):
    """``d._p``, made concrete where it is deferred (reading writes nothing)."""
    p = d._p
    if type(p) is _Deferred:
        p = d._p = backend.concrete(p)
    return p


def _elements_of(v, p):
    """:func:`elements_written` of ``(v, p)``, a dual's value and partials about to be
    written, its test for arrays that own their memory inline (a seed's own arrays)."""
    if type(v) is _nd and type(p) is _nd and v.base is None and \
            p.base is None:
        for _, sv, sp in tuple(ELEMENTS.values()):
            if v is sv or v is sp or p is sv or p is sp:
                return elements_written(v, p)
        return None
    return elements_written(v, p)


def _store_element(d, index, item):
    """``d[index] = item`` where ``index`` names one element (integers, one per axis)
    and ``item`` is a number or a real scalar dual of ``d``'s tag whose levels match
    ``d``'s (the caller checked ``d``'s tag live); ``False`` (nothing written) for
    anything else, which the general path writes or refuses."""
    v, p = d.value, d._p
    if type(index) is not tuple:
        index = (index,)
    elif not index or not _INDEX_INTS.issuperset(map(type, index)):
        return False
    if len(index) != v.ndim:
        return False
    if ELEMENTS:                              # a seed's kept elements may read this memory
        _elements_of(v, p)
    if _PENDING:                        # no pending expression may see this write
        backend.before_write(v, p)
    if type(v) is _nd and type(p) is _nd and v.dtype is _f64 and \
            p.dtype is _f64:                  # one level: written here
        kind = type(item)
        if kind in _ELEMENT_NUMBERS:          # a constant: its partials zero
            v[index] = item
            p[index] = 0.0
            return True
        if getattr(kind, "_kind", None) != "slots" or item.tag != d.tag or \
                type(item.value) is not float:
            return False
        ps = item._plist()
        if len(ps) != p.shape[-1]:            # a row must never broadcast
            return False
        for q in ps:
            if type(q) is not float:
                return False
        v[index] = item.value
        p[index] = ps
        return True
    writes = []
    if not _plan_store(d, index, item, writes):
        return False
    for e, i, value, ps in writes:       # the value, then the partials, at each level
        e.value[i] = value
        e._p[i] = ps
    return True


def _store_complex(v, p, index, item, tag):
    """``d[index] = item`` for ``d`` (values ``v``, partials ``p``: 1-D complex128 and its
    rows, no kept elements) and ``item`` a complex scalar dual of ``d``'s live ``tag``
    whose value and ``n`` partials are numbers: the general lines' writes (the value,
    then the row), without their tests; ``False`` (nothing written) for anything else,
    which they write or refuse (a Mie series' recurrence into its complex buffer:
    ~18 -> ~1 us a store, corpus65)."""
    x = item.value
    if item.tag != tag or type(x) is not complex and type(x) is not float:
        return False
    ps = item._plist()
    if len(ps) != p.shape[1] or type(sum(ps, 0j)) is not complex:   # (nested: a dual)
        return False
    if ELEMENTS:
        _elements_of(v, p)
    if _PENDING:                        # no pending expression may see this write
        backend.before_write(v, p)
    v[index] = x
    p[index] = ps
    return True


def _plan_store(d, index, item, writes):
    """The writes of ``d[index] = item`` at the bottom level (dual, index, value, row of
    partials), appended to ``writes`` in the general path's order; ``False`` where this
    path does not apply.  Reads only (a deferred partials array is computed here: the
    caller has materialized what reads the memory first)."""
    v, p = d.value, d._p
    kind = type(item)
    if type(v) is _nd:
        if v.dtype is not _f64:
            return False
        if type(p) is _Deferred:
            p = d._p = backend.concrete(p)
        if type(p) is not np.ndarray or p.dtype is not _f64:
            return False
        if kind in _ELEMENT_NUMBERS:              # a constant: its partials zero
            writes.append((d, index, item, 0.0))
            return True
        if getattr(kind, "_kind", None) != "slots" or item.tag != d.tag or \
                type(item.value) is not float:
            return False
        ps = item._plist()
        if len(ps) != p.shape[-1]:                # a row must never broadcast
            return False
        for q in ps:
            if type(q) is not float:
                return False
        writes.append((d, index, item.value, ps))
        return True
    if type(v) is not ArrayDual or type(p) is not ArrayDual:
        return False                              # (partials of zeros: promoted first)
    n = p.value.shape[-1]
    if kind in _ELEMENT_NUMBERS:
        ps = (0.0,) * n
        value = item
    elif getattr(kind, "_kind", None) == "slots" and item.tag == d.tag:
        ps = item._plist()
        if len(ps) != n:
            return False
        value = item.value
    else:
        return False
    if not _plan_store(v, index, value, writes):
        return False
    for k in range(n):
        if not _plan_store(p, index + (k,), ps[k], writes):
            return False
    return True


def _shares_memory(values, target):
    """Whether the array or array dual ``values`` may share memory with the array dual
    ``target``'s values or partials (writing into ``target`` could change ``values``)."""
    parts = (values.value, values.partials) if isinstance(values, Dual) else (values,)
    return any(isinstance(p, np.ndarray) and isinstance(t, np.ndarray) and
               np.may_share_memory(p, t)
               for p in parts for t in (target.value, target.partials))


class FlatIter:
    """``d.flat`` of an array dual (and of a sparsity tracer, whose class sets
    ``_check``): flat (C-order) indexing that reads and writes ``d``."""

    __slots__ = ("base",)
    _check = staticmethod(_check_index)
    _kind = None           # the array class whose views NumPy's element order follows

    def __init__(self, base):
        self.base = base

    def __len__(self):
        return self.base.size

    def __iter__(self):
        return iter(np.ravel(self.base))

    def _index(self, i):
        self._check(i)
        flat = np.arange(self.base.size)[i]
        return np.unravel_index(flat, self.base.shape)

    def __getitem__(self, i):
        return self.base[self._index(i)]

    def __setitem__(self, i, item):
        self._check(i)
        kind = self._kind or ArrayDual
        sources = _sources_as_numpy_reads(self.base, i, item, kind)
        if sources is not None:          # the item reads the memory written: NumPy's
            done, failed = sources       # element order, gathered from before the write
            self.base[...] = np.reshape(np.take(np.ravel(self.base), done),
                                        self.base.shape)
            if failed is not None:
                raise failed
            return
        if type(item) is kind and type(self.base) is kind:   # (nested: the floats; the
            _check_flat_order(floats(self.base), i, floats(item))   # tracer's values)
        self._write(i, item)

    def _write(self, i, item):
        """``base.flat[i] = item`` with ``item`` read before any write: an ``item`` of
        another size than the positions is repeated (or cut) over them in C order, as
        NumPy's flat assignment takes it (``np.resize`` of its elements; attack52 07)."""
        try:
            index = self._index(i)
        except IndexError:
            self._write_before_the_bad_index(i, item)
            raise
        if isinstance(item, (list, tuple)):
            item = operand(item)
        if np.ndim(item):
            shape = np.shape(index[0])
            if np.shape(item) != shape:
                item = np.resize(np.ravel(item), shape) if np.size(item) else item
        self.base[index] = item

    def _write_before_the_bad_index(self, i, item):
        """NumPy's order of effects where an integer index array holds an index out of
        bounds (``d.flat[idx] = v``, ``d.put(idx, v)``): the positions before the first
        bad one are written (the values taken in turn, repeated as NumPy repeats them),
        then the IndexError is raised; a caller that catches it sees NumPy's array."""
        if isinstance(i, (tuple, slice, Dual)) or i is None or i is Ellipsis:
            return
        flat = np.ravel(np.asarray(i))
        if flat.dtype.kind not in "iu" or not flat.size:
            return
        size = self.base.size
        k = int(np.argmax((flat < -size) | (flat >= size)))
        if k:
            values = np.resize(np.ravel(item), (flat.size,))[:k]
            self.base[np.unravel_index(np.arange(size)[flat[:k]], self.base.shape)] = values

    def __array__(self, dtype=None, copy=None):
        return np.ravel(self.base).__array__(dtype, copy=True)



def _laid_out(out, like, copy):
    """The object array ``out`` (C-ordered) with ``like``'s memory layout, as NumPy
    lays out ``np.array(like)`` (order ``'K'``) or hands out ``np.asarray(like)`` (the
    view itself: neither C- nor F-contiguous where ``like`` is neither), so that
    ``ravel`` / ``reshape`` / ``flatten`` with order ``'K'`` or ``'A'`` take the
    elements in the order they take them on floats (attack33, repro_09)."""
    res = np.empty_like(like, dtype=object)          # NumPy's order='K' copy
    if not copy and res.flags.f_contiguous and not like.flags.f_contiguous:
        shape = like.shape
        k = next(i for i, n in enumerate(shape) if n > 1)
        wide = shape[:k] + (2 * shape[k],) + shape[k + 1:]
        res = np.empty(wide, dtype=object, order="F")[(slice(None),) * k +
                                                       (slice(None, None, 2),)]
    res[...] = out
    return res


_ID_TYPES = {4: np.int32, 8: np.int64, 16: np.complex128}   # element numbers by size
# NEP 18's implementation of np.may_share_memory: the bounds test without the
# __array_function__ dispatch (ndarrays here, as backend._fused's _may_share)
_may_share = getattr(np.may_share_memory, "_implementation", np.may_share_memory)


def _check_copy_order(v, index, x):
    """Refuse ``v[index] = x`` where ``x`` overlaps ``v`` and NumPy copies it element by
    element, reading elements it already wrote (``d[::2] = d[:4]``: d[4] gets the d[2]
    just written, x[1]), while the partials' rows, another array, are copied through a
    buffer: values and derivatives would follow different elements (attack51c 01).
    The write is replayed on element numbers laid out as ``v``'s memory (same itemsize
    and strides, so NumPy takes the same path) and compared with a copy-first write;
    same-stride shifts (``u[1:] = u[:-1]``) copy as if buffered and pass at once."""
    if type(v) is not _nd or type(x) is not _nd:
        return
    if type(index) is slice and index.step is None and v.ndim == 1 and \
            x.strides == v.strides:
        return                      # (a shift of a 1-D array: NumPy's order is buffered)
    if not _may_share(v, x):        # (NumPy's bounds test without its dispatch: ndarrays)
        return
    dst = v[index]                  # (a view: a basic index; a mask's is a copy)
    if type(dst) is _nd and dst.shape == x.shape and dst.strides == x.strides and \
            _may_share(dst, v):
        return
    if x.dtype.kind == "c" and v.dtype.kind != "c":
        return                      # (complex into real: refused by the write itself)
    chained = _chained(v, x, lambda a, b: a.__setitem__(index, b))
    if chained or chained is None:
        raise _chained_write("d[index] = e", "d[index] = e.copy()")


def _chained_write(who, fix):
    return errors.bad_type(
        f"dualgrad: {who}", "e not overlapping the elements it is written to, "
        "or NumPy's buffered order", "a source that NumPy copies element by element "
        "into its own memory, reading elements it already wrote (its values follow "
        "that order, the partials' rows a buffered one)",
        f"Fix: copy the source first, {fix} (the order NumPy uses for "
        "non-overlapping arrays), or write the elements in a loop if the chained "
        "order is meant.")


# (itemsize of the destination, of the source) -> (their dtypes' stand-ins, the
# numbers' dtype): a cast write between complex values and a view of their parts
_ID_CASTS = {(16, 8): (np.complex128, np.float64, np.float64),
             (8, 4): (np.complex64, np.float32, np.float32)}
_byte_bounds = np.lib.array_utils.byte_bounds


def _chained(v, x, write):
    """Whether ``write(v, x)``, ``x`` overlapping ``v`` (plain ndarrays), leaves ``v``'s
    memory other than a write of a copy of ``x`` would: ``True`` / ``False``, or
    ``None`` where the two cannot be laid out as numbers (the caller refuses).

    The write is replayed on element numbers laid out as ``v`` and ``x`` lie in memory
    (one number per ``unit`` bytes over the bytes both span, whatever array owns them:
    a view of a view, NumPy's ``as_strided`` / ``sliding_window_view``, ``z.real`` of
    complex values), with ``v``'s and ``x``'s itemsizes, strides and kind of copy
    (a plain copy, or complex from real parts), so that NumPy takes the same path."""
    a, b = v.itemsize, x.itemsize
    if v.dtype == x.dtype:
        kind = _ID_TYPES.get(a)
        if kind is None:
            return None
        kinds, numbers, unit = (kind, kind), kind, a
    else:
        got = _ID_CASTS.get((a, b))
        if got is None or v.dtype.kind != "c" or x.dtype.kind != "f":
            return None
        kinds, numbers, unit = got[:2], got[2], b
    (lv, hv), (lx, hx) = _byte_bounds(v), _byte_bounds(x)
    lo, hi = min(lv, lx), max(hv, hx)
    count = (hi - lo) // unit
    if (hi - lo) % unit or numbers is np.float32 and count >= 1 << 24:
        return None
    laid = []
    for arr, dtype in ((v, kinds[0]), (x, kinds[1])):
        at = arr.__array_interface__["data"][0] - lo
        if at % unit or any(st % unit for st in arr.strides):
            return None
        laid.append((at, arr.shape, arr.strides, dtype))

    def lay(ids, at, shape, strides, dtype):        # (NumPy checks the bounds)
        return np.ndarray(shape, dtype, buffer=ids, offset=at, strides=strides)
    chained = np.arange(count).astype(numbers)
    buffered = chained.copy()
    for ids, copy in ((chained, False), (buffered, True)):
        source = lay(ids, *laid[1])
        try:                    # (an index out of bounds: NumPy's flat write raises after
            write(lay(ids, *laid[0]), source.copy() if copy else source)   # the positions
        except IndexError:      # before it; the real write raises it again: attack52 14)
            pass
    return not np.array_equal(chained, buffered)


def floats(a):
    """The plain values under ``a``: a dual's innermost (a Hessian's duals hold their
    floats one ``value`` deeper per level), the sparsity tracer's, or ``a`` itself.
    The overlap checks read these (a nested dual's inner dual, or a tracer, looked like
    no overlap at all: attack52b 16, attack52 10b)."""
    while not isinstance(a, _nd) and hasattr(a, "value"):
        a = a.value
    return a


def _check_flat_order(v, i, x):
    """Refuse ``v.flat[i] = x`` (plain ndarrays of values) where ``x`` overlaps ``v`` and
    NumPy's flat assignment, which copies element after element with no copy of the
    source first, leaves other elements than the buffered write this class makes
    (``_write``: an index into ``v``, whose overlapping source NumPy copies first): a
    ``v`` that :func:`_sources_as_numpy_reads` does not follow (not C-contiguous: a
    reversed or strided view, ``z.real`` / ``z.imag``; a source of another dtype), so
    that values and derivatives would follow different elements (attack52 02)."""
    if type(v) is not _nd or type(x) is not _nd or not np.may_share_memory(v, x) or \
            x.dtype.kind == "c" and v.dtype.kind != "c":
        return
    chained = _chained(v, x, lambda a, b: a.flat.__setitem__(i, b))
    if chained or chained is None:
        raise _chained_write("d.flat[index] = e", "d.flat[index] = e.copy()")


def _sources_as_numpy_reads(base, i, item, kind):
    """Where ``base.flat[i] = item`` reads an ``item`` that views ``base``'s own memory:
    NumPy's flat assignment copies element after element with no copy of the source
    first, so a later element may read one already written.  The same assignment run
    on element numbers (a C-ordered ``base``, ``item`` a strided view inside it) tells,
    for each element of ``base``, which element it holds afterwards: returns that
    (flat C-order numbers) and the error NumPy raised midway (an index out of bounds:
    the positions before it written), or ``None`` where ``item`` shares no memory
    with ``base`` or the mapping is not that simple (then the write copies first).
    ``kind``: the class of ``base`` and ``item`` (array duals, or the sparsity tracer's
    arrays, whose views share their base's values as array duals' do)."""
    if type(item) is not kind or type(base) is not kind:
        return None
    v, s = base.value, item.value
    if type(v) is not np.ndarray or type(s) is not np.ndarray or \
            not v.flags.c_contiguous or s.dtype != v.dtype or not v.size or \
            not np.may_share_memory(v, s):       # (bounds: the run below is exact)
        return None
    size = v.itemsize
    start = s.__array_interface__["data"][0] - v.__array_interface__["data"][0]
    if start % size or any(st % size for st in s.strides):
        return None
    first, steps = start // size, [st // size for st in s.strides]   # in elements
    low = first + sum((n - 1) * st for n, st in zip(s.shape, steps) if st < 0)
    high = first + sum((n - 1) * st for n, st in zip(s.shape, steps) if st > 0)
    if not s.size or low < 0 or high >= v.size:      # (reads outside base's elements)
        return None
    ids = np.arange(v.size, dtype=np.intp)
    view = np.lib.stride_tricks.as_strided(ids[first:], s.shape,
                                           tuple(st * ids.itemsize for st in steps))
    marks = np.reshape(ids, v.shape)
    failed = None
    try:
        marks.flat[i] = view
    except IndexError as exc:
        failed = exc
    return marks.ravel(), failed


def _promote(current, incoming):
    """``current`` (a buffer's values or partials) able to hold ``incoming``.

    Inside nested calls (Hessians) the values and partials of a buffer's items are
    themselves duals of an outer call; a buffer made with plain values or zero
    partials becomes such a dual, with zero partials, when the first one arrives.
    """
    if not isinstance(incoming, Dual) or isinstance(current, Dual):
        return current
    if _shared(current):
        raise errors.shared_buffer()
    n = len(incoming._plist()) if incoming._kind == "slots" else incoming.partials.shape[-1]
    return make_array(current, backend.zeros(current.shape + (n,)), incoming.tag)


def _shared(current):
    """Whether another array sees ``current``'s memory, so that replacing it by a
    promoted copy would leave that array behind (a silently wrong derivative).

    Reference counts tell: a view keeps its base alive, so an array that something
    views, or that anything else holds, has more references than the dual's own; a
    view is alone only when its base has no referent but it (and the buffer pool).
    The counts that mean "alone" are measured at import through the same calls.
    """
    if type(current) is not np.ndarray:
        return False
    if _references(current) != _ALONE:
        return True
    base = current.base
    return base is not None and _view_references(base) - backend.pooled(base) != _ALONE_VIEW


def _references(a):
    return sys.getrefcount(a)


def _view_references(base):
    return _references(base)


class _Holder:
    __slots__ = ("a",)


def _counts(current):
    """What :func:`_shared` reads, through calls of the same depth."""
    base = current.base
    return _references(current), _view_references(base)


_probe = _Holder()
_probe.a = np.empty(2)[::-1]          # a view whose base nothing else holds
_ALONE, _ALONE_VIEW = (lambda current, incoming: _counts(current))(_probe.a, None)
del _probe


def _temporary(count, frame, b):
    """Is ``b`` (``count`` references, as ``sys.getrefcount`` counts them in the in-place
    operator) the right operand of ``a += <expression>`` or ``a -= <expression>``
    that nothing but the operator holds, nor the deferred partials it carries?  Then
    ``a += b`` need not keep ``b``'s partials (:func:`dualgrad.backend.add_into`).

    ``frame`` is the operator's caller: it must be executing the in-place operator
    itself (an explicit ``a.__iadd__(b)`` steals its argument's reference and counts
    one less).  What a temporary gives is measured at import through the same calls
    (:class:`_Probe`); where a named operand counts no more than a temporary (an
    interpreter that lends its stack references), this says no.
    """
    return _TEMPORARY is not None and _operand(count, frame, b) in _TEMPORARY


def _operand(count, frame, b):
    """What :func:`_temporary` compares: the operand's references, its partials',
    their node's, and the instruction the caller executes."""
    i = frame.f_lasti
    return count, sys.getrefcount(b._p), sys.getrefcount(b._p.node), \
        frame.f_code.co_code[i:i + 2]


class _Probe:
    """An operand as ``a op= <expression>`` hands it to :func:`_inplace`'s operator."""

    __slots__ = ("_p", "node")
    seen = []

    def __iadd__(self, b):
        _Probe.seen.append(_operand(sys.getrefcount(b), sys._getframe(1), b))
        return self

    __isub__ = __iadd__


def _probed():
    b = _Probe()
    b._p = _Probe()
    b._p.node = _Probe()
    return b


def _calibrate():
    """``(what a temporary gives with +=, with -=)``, or ``None`` where a named
    operand cannot be told from one."""
    a = _Probe()
    a += _probed()
    a -= _probed()
    named = _probed()
    a += named
    added, subtracted, held = _Probe.seen
    del _Probe.seen[:]
    if held[0] <= added[0] or added[:3] != subtracted[:3]:
        return None
    return added, subtracted


_TEMPORARY = _calibrate()


def _scalar_partials(d):
    if d._kind == "vector":
        return d.partials
    ps = d._plist()
    if any(isinstance(p, Dual) for p in ps):
        return stack_scalars(ps)
    return ps



def _dtype_of(x):
    """An ndarray's dtype, else ``None`` (scalars, duals)."""
    return x.dtype if type(x) is _nd else None


def read_object(x):
    """``x``, an object ndarray of scalar duals and numbers (``np.array([dx, dy])`` in
    f) read as one array dual (:func:`from_object_array`); anything else as it is.  The
    operators, ``__array_ufunc__`` and item assignment read an object operand here
    first, then take the array duals' own paths, and so do the scalar duals' general
    entry (``dispatch._lean_small.call_ufunc``) and ``dispatch._ufuncs.call``
    (tests/test_object60.py turns the first off to compare with the general path)."""
    return from_object_array(x) if type(x) is _nd and x.dtype is _OBJECT else x


def _on_read_objects(ufunc, rule, inputs):
    """``ufunc(*inputs)`` by the lean and small paths with each object ndarray among
    ``inputs`` read as one array dual first, as the general path reads it
    (``dispatch._ufuncs.call``: the same conversion, then the same numbers); ``None``
    where neither path takes the converted operands (the caller runs the general path
    on ``inputs`` as they were)."""
    inputs = tuple(map(read_object, inputs))
    if _OBJECT in map(_dtype_of, inputs):
        return None
    fast = _LEAN[ufunc]
    if fast is not None:
        result = fast(*inputs)
        if result is not None:
            return result
    return small(rule, inputs)


def _operator(rule, reflected):
    """``a op b`` straight to the rule (NumPy's operator -> ``__array_ufunc__`` round
    trip costs more than the operation on small arrays): the small-array path of
    :func:`dualgrad.dispatch._ufuncs.small`, else the general ``call``."""
    ufunc = rule.ufunc                     # array duals alone: the lean path, made
    if ufunc.nin == 1:                     # on first use (_LEAN; import stays fast)
        def unary(a):
            pair = _LEAN[ufunc]
            if pair is not None:
                result = pair(a)
                if result is not None:
                    return result
            result = small(rule, (a,))
            return call(rule, (a,)) if result is None else result
        return unary if ufunc not in _EXACT else _exact_unary(ufunc, unary)

    fast = with_number(rule, 1 if reflected else 0)
    # u / h keeps small()'s two-step quotient for a NumPy float64 h, and for a Python
    # float whose 1 / h overflows (|h| < 2**-1024): with_number's factor 1 / h is inf
    # there (d/dt (t 1e-300) / 5e-324 was inf for 2.0e23; the kernels of
    # backend.exact_number decline it too; corpus65)
    numbers = _NUMBERS if ufunc is not np.divide else _PYTHON_NUMBERS
    quotient = ufunc is np.divide and not reflected
    product = ufunc is np.matmul

    def op(a, b):
        if type(b) is _nd and b.dtype is _OBJECT:   # y[i] + k * h, k = np.array([dx, dy])
            read = read_object(b)                  # of scalar duals: read once, then the
            if read is not b:                       # array duals' own path
                return outer(a, read)
        if fast is not None and type(b) in numbers:
            v, p = a.value, a._p           # (_plain, inline: rows68)
            if type(v) is _nd and v.dtype == _f64 and v.ndim and \
                    (type(p) is _nd and p.dtype == _f64 or type(p) is _Deferred) and \
                    a.tag in _LIVE and \
                    not (quotient and type(b) is float and b and 1.0 / b in _INF):
                return fast(a, b)          # a * 2.0: one pass, less to check than small()
            v = p = None
        if type(a.value) is _nd and a.value.dtype is _c128:   # complex values (a spectral
            result = complex_small(rule, (b, a) if reflected else (a, b))  # solver's u * u):
            if result is not None:                                  # their own lean path
                return result
        if type(b) is ArrayDual and type(b._p) is not _Deferred and \
                type(a._p) is not _Deferred:          # (pending: small() defers them)
            pair = _LEAN[ufunc]
            if pair is not None:
                result = pair(b, a) if reflected else pair(a, b)
                if result is not None:
                    return result
        if product and type(b) is _nd:          # u @ A, A a float array: the lean product
            pair = _LEAN[ufunc]                 # (np.matmul's own first step; small42)
            if pair is not None:
                result = pair(b, a) if reflected else pair(a, b)
                if result is not None:
                    return result
        args = (b, a) if reflected else (a, b)
        if type(b) is not ArrayDual:                  # u * k, k a scalar dual: its lean path
            result = lean_mixed(rule, *args)
            if result is not None:
                return result
        return tail(args)

    def tail(args):                        # op's last steps (after its lean pair)
        result = small(rule, args)
        return call(rule, args) if result is None else result
    outer = op if ufunc not in _EXACT else _exact_binary(ufunc, op, reflected, rule, tail)
    return outer


_same_view = backend.same_view


def put_rows(dst, src):
    """``dst[...] = src`` for float64 partials of one number of directions ``n`` (the
    last axis of both; ``dst`` a view the caller writes through): where that axis is
    contiguous in both, ``n >= 2`` and either array's rows lie apart, each row is
    copied as one element of ``n * 8`` bytes (a void view of both), the same bytes.
    NumPy's float64 copy runs its inner loop along the last axis there, ``n`` elements
    a loop: 2.4x slower at (12, 40, 2) (a lattice Boltzmann step's 27 stores and 18
    rolls of ``F[:, :, i]``: rows68); from 32 rows (the views cost ~0.3 us, a loop
    ~20 ns).  A view keeps every axis (the rows' own of length 1), so NumPy's copy of
    an overlapping ``src`` first is as for the partials."""
    n = dst.shape[-1]
    if n > 1 and dst.size >= _ROWS_APART * n and dst.strides[-1] == 8 and src.strides[-1] == 8 \
            and src.shape[-1] == n and \
            not (dst.flags.c_contiguous and src.flags.c_contiguous):
        t = _ROW_BYTES.get(n) or _row_bytes(n)
        dst.view(t)[...] = src.view(t)
    else:
        dst[...] = src


_ROW_BYTES = {}                    # n -> the void dtype of n float64s (put_rows)
_ROWS_APART = 32                   # put_rows' least number of rows


def _row_bytes(n):
    t = _ROW_BYTES[n] = np.dtype((np.void, 8 * n))
    return t


def _onto_itself(d, index, item):
    """Is ``item`` ``d[index]``'s own memory, value and partials (plain writeable
    arrays: else NumPy's error)?  A function, so that its references to the arrays are
    gone when ``__setitem__`` goes on: the second-order write check counts the holders
    of a buffer (a Hessian's ``y[1:3] *= y[1:3]`` raised SharedBufferError while
    the locals held them)."""
    v, p, x, q = d.value, d._p, item.value, item._p
    return type(v) is _nd and type(p) is _nd and type(x) is _nd and type(q) is _nd and \
        v.ndim and _same_view(v[index], x) and _same_view(p[index], q) and \
        v.flags.writeable and p.flags.writeable
_EXACT = backend.EXACT
_exact1 = backend.exact1
_exact2 = backend.exact2
_exact_number = backend.exact_number
_exact_plain = backend.exact_plain
_float64 = np.float64
_empty = np.empty
_BELOW = backend.SMALL_BELOW
_loader = backend._loader


def _exact_binary(ufunc, general, reflected, rule, tail):
    """``a op b`` for a ufunc whose value a kernel rounds as NumPy does (``+ - * /``:
    ``backend.EXACT``): two array duals of one live tag holding 1-D float64 values and
    float64 partials (``backend.exact2`` compares their shapes), or such an array dual
    and a Python or NumPy float or a Python int (``backend.exact_number``; ``__radd__``
    and the other reflected operators: the number on the left; not where the fused
    engine defers ``with_number``'s partials), small, go to one
    kernel call for the value and the partials (the bits of the lean path, and of
    ``with_number`` for a number), and the result is made here; anything else, or
    where the kernel declines (numba not loaded, other shapes, a factor that is not
    finite, a value NumPy would report on), runs ``general``, the operator of
    :func:`_operator`, with its every check (``tail``: its steps after its lean pair,
    where that pair declined here already).  The checks here are the lean path's
    (``dispatch._ufuncs.lean``), written out: at N = 10 a dual operation costs a few
    float operations, and each Python call between the operator and the kernel is a
    fraction of one.  They are also what the kernel's entry point relies on (it is
    called without numba's type check): ndarrays of native float64, values of at
    least one axis and partials of one more (``backend.exact2`` reads values of more
    than one axis flat, stop 33), a number as a Python float.  For 1-D values the
    kernel is called here, from its cell (``backend.exact_cell``, filled by the first
    ``backend.exact2`` / ``exact_number`` call that makes it), while numba is loaded
    and the work is under ``backend.SMALL_BELOW`` (the automatic engine): those
    functions' own tests, without their Python call (lean45)."""
    k = 1 if reflected else 0
    flat = ufunc in backend.EXACT_FLAT            # values of more axes too
    pair = backend.exact_cell(ufunc)              # [the kernels, once exact2 / exact_number
    number = backend.exact_cell((ufunc, k))       # made them]: called here for 1-D values
    mixed = mixed_row(ufunc, reflected) if ufunc.nin == 2 else None   # (small46)
    at = 1 - k                                    # a plain array's position (small70)
    plain = backend.exact_cell((ufunc, at, "plain")) if ufunc.nin == 2 else None

    def op(a, b):
        tb = type(b)
        if tb is _nd and type(a) is ArrayDual and type(a._p) is _Deferred and _ACTIVE[0]:
            got = _pending_plain(rule, b, a) if reflected else _pending_plain(rule, a, b)
            if got is not None:             # u * c, c a plain array: its node at once
                return got
        if not _loader.READY:               # numba not loaded: no kernel below would run
            if tb is ArrayDual and type(a) is ArrayDual and not reflected:   # (rows67)
                if (type(a._p) is _Deferred or type(b._p) is _Deferred) and _ACTIVE[0]:
                    got = _pending_pair(rule, a, b)
                else:                       # general's first step for two array duals
                    lean = _LEAN[ufunc]     # (its tests before it compute nothing)
                    got = None if lean is None else lean(a, b)
                    if got is None and lean is not None and not (
                            type(a.value) is _nd and a.value.dtype is _c128):
                        return tail((a, b))    # general's steps after it (diff68 F9:
                if got is not None:            # the lean pair ran twice)
                    return got
            return general(a, b)
        if tb is ArrayDual:
            if type(a) is ArrayDual and not reflected:
                if (type(a._p) is _Deferred or type(b._p) is _Deferred) and _ACTIVE[0]:
                    got = _pending_pair(rule, a, b)
                    if got is not None:
                        return got
                x = a.value
                p = a._p
                y = b.value
                q = b._p
                if type(x) is _nd and type(y) is _nd and type(p) is _nd and \
                        type(q) is _nd and x.dtype is _f64 and y.dtype is _f64 and \
                        p.dtype is _f64 and q.dtype is _f64 and a.tag == b.tag and \
                        a.tag in _LIVE:
                    if x.ndim == 1 and y.ndim == 1 and p.ndim == 2 and q.ndim == 2:
                        kernel = pair[0]
                        if kernel and _loader.READY and p.size < _BELOW[0]:
                            t = _empty(p.shape)       # exact2's call, written out
                            out = _empty(len(x))
                            if kernel(x, y, out, p, q, t):
                                r = _new(ArrayDual)
                                r.value = out
                                r._p = t
                                r.tag = a.tag
                                r._c = None
                                return r
                            return general(a, b)
                    elif not (flat and x.ndim and x.ndim == y.ndim and
                              p.ndim == x.ndim + 1 == q.ndim):
                        return general(a, b)
                    if not _loader.READY:          # (exact2 answers None before numba)
                        return general(a, b)
                    got = _exact2(ufunc, x, y, p, q)
                    if got is not None:
                        r = _new(ArrayDual)
                        r.value, r._p = got
                        r.tag = a.tag
                        r._c = None
                        return r
        elif (tb is float or tb is int or tb is _float64) and type(a) is ArrayDual:
            x = a.value
            p = a._p
            if type(x) is _nd and type(p) is _nd and x.dtype is _f64 and p.dtype is _f64 and \
                    (x.ndim == 1 and p.ndim == 2 or flat and x.ndim and p.ndim == x.ndim + 1) \
                    and a.tag in _LIVE and \
                    not (_ACTIVE[0] and p.size >= _ACTIVE[1]):   # (with_number defers it)
                try:
                    c = float(b)          # (an int: NumPy promotes it to this float64)
                except OverflowError:     # (the general path raises NumPy's error)
                    return general(a, b)
                kernel = number[0]                            # exact_number's call
                if kernel and x.ndim == 1 and _loader.READY and p.size < _BELOW[0]:
                    t = _empty(p.shape)
                    out = _empty(len(x))
                    if kernel(c, x, out, p, t) if reflected else kernel(x, c, out, p, t):
                        r = _new(ArrayDual)
                        r.value = out
                        r._p = t
                        r.tag = a.tag
                        r._c = None
                        return r
                    return general(a, b)
                if not _loader.READY:              # (exact_number: None before numba)
                    return general(a, b)
                got = _exact_number(ufunc, k, x, c, p)
                if got is not None:
                    r = _new(ArrayDual)
                    r.value, r._p = got
                    r.tag = a.tag
                    r._c = None
                    return r
        elif tb is _nd and plain is not None and type(a) is ArrayDual and \
                b.dtype is _f64 and b.ndim == 1:
            x = a.value                   # u * t, t a plain float64 array: _pair's value
            p = a._p                      # and term in one kernel call (small70)
            if type(x) is _nd and type(p) is _nd and x.dtype is _f64 and p.dtype is _f64 \
                    and x.ndim == 1 and p.ndim == 2 and a.tag in _LIVE and \
                    p.size < _BELOW[0]:
                kernel = plain[0]
                if kernel:                # (exact_plain's call, written out)
                    t = _empty(p.shape)
                    out = _empty(len(x))
                    if kernel(b, x, out, p, t) if reflected else kernel(x, b, out, p, t):
                        r = _new(ArrayDual)
                        r.value = out
                        r._p = t
                        r.tag = a.tag
                        r._c = None
                        return r
                    return general(a, b)
                got = _exact_plain(ufunc, at, x, b, p)
                if got is not None:
                    return make_real(*got, a.tag)
        elif mixed is not None and getattr(tb, "_kind", None) == "slots":
            got = mixed(b, a)             # u * k, k a scalar dual: lean_mixed's kernel call
            if got is not None:
                return got
        return general(a, b)
    op.__doc__ = general.__doc__
    return op


# The last scalar dual of the slots kind whose partials were made a float64 row for a
# compiled call beside an array (``k * u``, ``k * t``, ``u ** k``: ``mixed_row``,
# ``dispatch._lean_small``), and that row, read-only: ``(scalar, row)``, replaced whole
# (one store: a reader never pairs a scalar with another's row).  A slot class's
# partials are fixed once it is made, and the scalar is kept alive here, so the same
# object has the same row: a parameter used with several arrays (``n1 * np.cos(A)``,
# ``x / n1``) makes it once (``np.array`` of ten floats: 0.54 us of ``k * t``'s ~3.5,
# small69's account; small70).
ROW_KEPT = [(None, None)]


def scalar_row(s):
    """The float64 row of the slots-kind scalar dual ``s``'s partials (its ``_plist``,
    as ``np.array`` makes it: float64 for floats, another dtype for nested or complex
    partials, which the callers refuse), kept in :data:`ROW_KEPT` where float64."""
    row = _array_of(s._plist())
    if row.dtype is _f64:
        row.flags.writeable = False
        ROW_KEPT[0] = (s, row)
    return row


def mixed_row(ufunc, first):
    """``op(s, a)``: ``ufunc`` (``+ - * /``, ``backend.EXACT``) of the scalar dual ``s``
    and the array dual ``a``, ``s`` the first argument where ``first`` (``k * u``, the
    scalar's operator) else the second (``u * k``, the array's), as one call of
    ``backend.exact_row``'s kernel from its cell; ``None``, nothing computed, where
    ``dispatch._lean_small.lean_mixed`` would not call that kernel or it declines (the
    caller's general path then runs, ``lean_mixed`` and its NumPy calls).  The checks
    are ``lean_mixed``'s for that call, written out (small46: ``k * u`` went the scalar's
    operator -> ``call_ufunc`` -> ``lean_mixed`` -> ``array_and_scalar``, six Python
    calls for one kernel call; now three): a scalar holding a Python float and float64
    partials (a 1-D row; the kernel's entry point tests its length against the array's
    number of directions), of the array's live tag; 1-D float64 values and 2-D float64
    partials (what the entry point reads: it tests the lengths), work under
    ``SMALL_BELOW`` with numba loaded (0 under ``use()``).  The CALLER passes a scalar of
    the slots kind: the slot classes' own operators, and the array's operator after its
    test of ``_kind`` (small62: the test here repeated theirs).  The cell is filled by ``exact_row``, which ``lean_mixed`` calls first
    (after its own test that the rule is one it takes), so the value is NumPy's bits
    and the partials ``lean_mixed``'s."""
    cell = backend.exact_cell((ufunc, 0 if first else 1, "row"))

    def op(s, a):
        kernel = cell[0]
        if not kernel or type(a) is not ArrayDual or not _loader.READY:
            return None
        x = a.value
        p = a._p
        if type(x) is not _nd or type(p) is not _nd or x.dtype is not _f64 or \
                p.dtype is not _f64 or x.ndim != 1 or p.ndim != 2 or p.size >= _BELOW[0]:
            return None
        c = s.value
        tag = a.tag
        if type(c) is not float or s.tag != tag or tag not in _LIVE:
            return None
        kept = ROW_KEPT[0]          # (the row made for this scalar already: small70)
        row = kept[1] if kept[0] is s else scalar_row(s)
        if row.dtype is not _f64 or row.ndim != 1:     # (its length: the kernel's test)
            return None
        t = _empty(p.shape)
        out = _empty(len(x))
        if not (kernel(c, x, out, row, p, t) if first else kernel(x, c, out, p, row, t)):
            return None
        r = _new(ArrayDual)
        r.value = out
        r._p = t
        r.tag = tag
        r._c = None
        return r
    return op


# rule -> the table's local derivative functions where :func:`_pending_pair` (and the
# dispatch's ``_pending_scalar``) takes it (each a constant or an argument as it is),
# else None; filled on first use
ARGUMENT_FACTORS = {}


def argument_factors(rule):
    """:data:`ARGUMENT_FACTORS`'s entry for ``rule``, made: its two local derivatives'
    functions when each is ``1.0``, ``-1.0``, ``x`` or ``y`` (``+ - *``: they compute
    nothing, so no error state is touched, and none is a factor the fused kernel
    computes per element), else ``None``."""
    take = rule.kind == "smooth" and not rule.select and len(rule.derivs) == 2 and \
        all(d in ("1.0", "-1.0", "x", "y") for d in rule.derivs) and \
        all(e is not None and e.element_template() is None for e in rule.exprs)
    fns = ARGUMENT_FACTORS[rule] = derivative_functions(rule) if take else None
    return fns


def array_and_scalar(a, b):
    """``(array, scalar, first)`` for the two operands of a binary rule when one is an
    array dual and the other a scalar dual of plain numbers (the slots kind) holding a
    Python float value (``k * u``, ``u - k``), ``first`` telling whether the scalar is
    the first argument; ``None`` for any other pair.  The shared head of
    dispatch's ``_pending_scalar`` and ``lean_mixed`` (their later checks differ:
    deferred partials there, small concrete ones here)."""
    if type(a) is ArrayDual:
        array, scalar, first = a, b, False
    elif type(b) is ArrayDual:
        array, scalar, first = b, a, True
    else:
        return None
    if getattr(type(scalar), "_kind", None) != "slots" or type(scalar.value) is not float:
        return None
    return array, scalar, first


def _directions(p):
    """The number of directions of the partials ``p`` (float64 or deferred), or ``None``."""
    if type(p) is _Deferred:
        return p.node.n
    return p.shape[-1] if type(p) is _nd and p.dtype is _f64 else None


def _pending_pair(rule, a, b):
    """``a op b`` for two array duals, one of them holding deferred partials, while the
    fused engine defers, for a rule whose local derivatives are constants or the
    arguments (``+ - *``): the value and the deferred node that
    ``dispatch._ufuncs._pair`` records for it (the same ufunc call, the table's same
    factor objects, ``backend.defer`` on the same kids), without its general scan.
    ``None`` where the case does not hold, where the directions differ, or where
    ``backend.defer`` declines: the general operator then decides (computing the
    same value again in the last case) and raises for directions that differ."""
    fns = ARGUMENT_FACTORS.get(rule, False)
    if fns is False:
        fns = argument_factors(rule)
    x, y, p, q = a.value, b.value, a._p, b._p
    if fns is None or type(x) is not _nd or type(y) is not _nd or x.dtype is not _f64 or \
            y.dtype is not _f64 or not x.ndim or x.shape != y.shape:
        return None
    tag = a.tag
    n = _directions(p)
    if b.tag != tag or tag not in _LIVE or n is None or _directions(q) != n or \
            x.size * n < _ACTIVE[1]:
        return None
    out = rule.ufunc(x, y)
    if type(out) is not _nd or out.dtype is not _f64 or out.shape != x.shape:
        return None
    fa, fb = fns
    partials = backend.defer((fa(x, y, out), fb(x, y, out)), (p, q), out.shape, n)
    return None if partials is None else make_array(out, partials, tag)


def _pending_plain(rule, a, b):
    """``a op b`` for an array dual with deferred partials and a plain float64 ndarray
    of its value's shape, on either side (``inner * (...)`` in the roll and sparse heat
    steps), while the fused engine defers, for a rule whose local derivatives are
    constants or the arguments (``+ - *``): the value and the deferred node that
    ``dispatch._ufuncs._pair`` records for it (its ``_defer_terms``: the same ufunc
    call, the table's same factor object, the plain array copied where it is the
    factor, since the caller may write into it before the pass; ``backend.defer`` on
    the same kid), without its general scan (24 Python calls, heat69).  ``None``,
    nothing computed, where the case does not hold; where ``backend.defer`` declines,
    the general path's ``call`` with the value."""
    fns = ARGUMENT_FACTORS.get(rule, False)
    if fns is False:
        fns = argument_factors(rule)
    if type(a) is ArrayDual:
        d, c, k = a, b, 0
    else:
        d, c, k = b, a, 1
    x, p = d.value, d._p
    if fns is None or type(p) is not _Deferred or type(c) is not _nd or type(x) is not _nd \
            or c.dtype is not _f64 or x.dtype is not _f64 or not x.ndim or c.shape != x.shape:
        return None
    tag = d.tag
    n = p.node.n
    if tag not in _LIVE or x.size * n < _ACTIVE[1]:
        return None
    values = (x, c) if k == 0 else (c, x)
    out = rule.ufunc(*values)
    if type(out) is not _nd or out.dtype is not _f64 or out.shape != x.shape:
        return call(rule, (a, b), out)
    f = fns[k](*values, out)
    if type(f) is _nd and _may_share(f, c):
        f = f.copy()            # (_ufuncs._caller_array: u * c, the user may write c later)
    partials = backend.defer((f,), (p,), out.shape, n)
    return call(rule, (a, b), out) if partials is None else make_array(out, partials, tag)


def _exact_unary(ufunc, general):
    """:func:`_exact_binary` for a unary operator (``-a``; ``a ** 2`` is
    :func:`_square_or_power`'s)."""
    flat = ufunc in backend.EXACT_FLAT
    cell = backend.exact_cell(ufunc)              # [the kernel, once exact1 made it]

    def op(a):
        if not _loader.READY:               # numba not loaded: general's lean path first
            lean = _LEAN[ufunc]             # (rows67; -a, a ** 2 of 2-D values)
            got = None if lean is None else lean(a)
            return general(a) if got is None else got
        if type(a) is ArrayDual:
            x = a.value
            p = a._p
            if type(x) is _nd and type(p) is _nd and x.dtype is _f64 and p.dtype is _f64 and \
                    (x.ndim == 1 and p.ndim == 2 or flat and x.ndim and p.ndim == x.ndim + 1) \
                    and a.tag in _LIVE:
                kernel = cell[0]                              # exact1's call
                if kernel and x.ndim == 1 and _loader.READY and p.size < _BELOW[0]:
                    t = _empty(p.shape)
                    out = _empty(len(x))
                    if kernel(x, out, p, t):
                        r = _new(ArrayDual)
                        r.value = out
                        r._p = t
                        r.tag = a.tag
                        r._c = None
                        return r
                    return general(a)
                got = _exact1(ufunc, x, p) if _loader.READY else None   # (None before numba)
                if got is not None:
                    r = _new(ArrayDual)
                    r.value, r._p = got
                    r.tag = a.tag
                    r._c = None
                    return r
        return general(a)
    op.__doc__ = general.__doc__
    return op


def _square_or_power(power, square):
    def square_general(a):
        lean_square = _LEAN[square.ufunc]
        result = lean_square(a) if lean_square is not None else None
        if result is not None:
            return result
        result = small(square, (a,))
        return call(square, (a,)) if result is None else result
    square_of = _exact_unary(square.ufunc, square_general)   # backend.exact1 first
    cell = backend.exact_cell(square.ufunc)       # [exact1's kernel of np.square, once made]

    def __pow__(a, b, m=None):
        """``a ** b``; ``a ** 2`` is ``np.square(a)``, as NumPy's ``**`` does for arrays
        (one pass for the local derivative ``2 x`` instead of two for ``2 x ** 1``):
        for the Python int 2 alone, as NumPy 2.4's (``x ** 2.0`` calls ``np.power`` and
        reports "overflow encountered in power", so the dual's does too).  The two
        rows' partials are the same bits since the general path's products keep the
        signed zeros of IEEE float code beside a non-finite factor (``backend.scaled``;
        refusals70 backed this out where they differed: power71), so the float 2.0
        takes the square's compiled kernel below first, where it reports nothing (every
        number finite; np.power's row alone cost about twice as much at N = 10:
        ``python bench/power71_ab.py``), and np.power's row where it declines.

        For 1-D float64 values and 2-D float64 partials of a live tag under
        ``SMALL_BELOW`` with numba loaded, the square's kernel is called here from its
        cell: ``square_of``'s first branch, written out (its checks, in its order; one
        Python call fewer at N = 10, small48); anything else goes to ``square_of``."""
        if m is not None:
            raise errors.pow_modulo()
        if (type(b) is int or type(b) is float) and b == 2:
            if type(a) is ArrayDual:
                x = a.value
                p = a._p
                if type(x) is _nd and type(p) is _nd and x.dtype is _f64 and \
                        p.dtype is _f64 and x.ndim == 1 and p.ndim == 2 and a.tag in _LIVE:
                    kernel = cell[0]
                    if kernel and _loader.READY and p.size < _BELOW[0]:
                        t = _empty(p.shape)
                        out = _empty(len(x))
                        if kernel(x, out, p, t):
                            r = _new(ArrayDual)
                            r.value = out
                            r._p = t
                            r.tag = a.tag
                            r._c = None
                            return r
                        if type(b) is int:
                            return square_general(a)
                    elif type(b) is float and _loader.READY:    # (the kernel not made yet:
                        got = _exact1(square.ufunc, x, p)      # exact1 makes it)
                        if got is not None:
                            r = _new(ArrayDual)
                            r.value, r._p = got
                            r.tag = a.tag
                            r._c = None
                            return r
            if type(b) is int:      # (the float 2.0 where the square's kernel declined or
                return square_of(a)     # is not at hand: np.power's row, its words)
        if _WATCHING[0] and _BRANCHES.record is not None:    # dg.quad's watch (a
            _BRANCHES.record(power.ufunc, (a, b))           # negative base: NaN)
        tb = type(b)                # u ** 3: the lean path; u ** v, u ** k: lean_power's
        number = tb is int or tb is float or tb is _float64
        result = lean_power(a, b, True) if number else \
            lean_power_pair(a, b) if tb is ArrayDual else lean_power_mixed(a, b)  # own calls
        if result is not None:
            return result
        if tb is int and b == -1 or tb is float and b == 0.5:    # NumPy's operator's
            out = operator_power(a, b)         # np.reciprocal / np.sqrt and their
            if out is not None:                # reports (small68's Left), the general
                return call(power, (a, b), out)     # path from there
        result = small(power, (a, b))
        return call(power, (a, b)) if result is None else result
    return __pow__


def _read_only_part(d, path=""):
    """The first read-only ndarray of the dual ``d``'s levels (a Hessian's array dual
    holds an array dual as its value and may hold one as its partials), as the path a
    user reads it by (``"value.partials"``: ``d.value.partials``), or ``None`` where
    every one is writeable.  A store writes the levels one after another, each value
    before its partials, so a read-only array met on the way refused after the others
    were written (a dual half-written inside ``dg.hessian``: exact68's Left); the
    store asks this first, before any write.  Deferred partials (the fused engine's)
    are dualgrad's own, not the user's to mark."""
    for name in ("value", "partials"):
        part = d.value if name == "value" else d._p
        if type(part) is _nd:
            if not part.flags.writeable:
                return path + name
        elif isinstance(part, ArrayDual):
            inner = _read_only_part(part, f"{path}{name}.")
            if inner is not None:
                return inner
    return None


def _plain(d):
    """Does ``d`` hold float64 ndarrays of values and partials (no nested duals)?
    (Deferred partials are float64 arrays to be.)"""
    p = d._p
    return type(d.value) is _nd and d.value.dtype == _f64 and \
        (type(p) is _nd and p.dtype == _f64 or type(p) is _Deferred)


def _constant(b):
    return isinstance(b, (float, int, np.floating, np.integer)) or \
        type(b) is _nd and b.dtype.kind in "fiu"


def _inplace(rule):
    """``a op= b``: the result written into ``a`` itself (views write through).

    A signed sum (derivatives 1 and +-1: ``+=``, ``-=``) needs no local
    derivatives: values and partials are updated by the ufunc itself, in place,
    one pass each (NumPy's ufuncs handle overlapping operands).
    """
    ufunc = rule.ufunc
    signed_sum = len(rule.exprs) == 2 and None not in rule.exprs and \
        rule.exprs[0].constant == 1.0 and rule.exprs[1].constant in (1.0, -1.0)
    sign = signed_sum and rule.exprs[1].constant
    power = ufunc is np.power

    def op(a, b):
        if _SNAPSHOTS:
            _snapshots.check_write(a)
        if type(a._p) is _nd and type(a.value) is _nd:
            if not (a.value.flags.writeable and a._p.flags.writeable):  # (add_into
                raise errors.store_read_only(               # writes the partials first)
                    f"the in-place {ufunc.__name__}",
                    "partials" if a.value.flags.writeable else "value")
        elif (level := _read_only_part(a)) is not None:     # a nested dual's levels
            raise errors.store_read_only(f"the in-place {ufunc.__name__}", level)
        if ELEMENTS:
            elements_written(a.value, a._p)
        if signed_sum and type(getattr(b, "_p", None)) is _Deferred and b.tag == a.tag and \
                a.tag in _LIVE and _plain(a) and type(a._p) is _nd and \
                b.value.shape == a.value.shape:
            keep = not _temporary(sys.getrefcount(b), sys._getframe(1), b)
            if backend.add_into(a.value, a._p, b._p, sign, keep):
                ufunc(a.value, b.value, out=a.value)   # the fused engine added the partials
                return a
        backend.before_write(a.value, a._p)  # a is written: nothing pending may read it
        if signed_sum and _plain(a) and a.tag in _LIVE:
            if _constant(b):
                ufunc(a.value, b, out=a.value)
                return a
            if isinstance(b, Dual) and b.tag == a.tag and b._kind != "slots" and \
                    not isinstance(b.value, Dual) and type(b.partials) is _nd and \
                    b.partials.dtype == _f64:
                ufunc(a.value, b.value, out=a.value)
                ufunc(a.partials, b.partials, out=a.partials)
                return a
        if power and (type(b) is int and (b == -1 or b == 2) or type(b) is float and b == 0.5):
            result = a ** b             # a **= -1, a **= 0.5, a **= 2: NumPy's in-place
        else:                           # operator takes its operator's np.reciprocal /
            #                             np.sqrt / np.square (and their words: power71)
            result = small(rule, (a, b))
            if result is None:
                result = call(rule, (a, b))
        try:
            return write_out(result, a)
        except errors.SharedBufferError as exc:
            if errors.stored_next():    # y[i] += d: Python stores the result into y next,
                errors.handled(exc)     # so a's own (shared) memory need not hold it
                return result
            raise
    return op


# ndarray methods that are the NumPy function of the array: ``d.take(i)`` is
# ``np.take(d, i)``, which the dispatch already differentiates.  One list, installed
# as plain methods (no ``__getattr__``: it would slow every attribute access).
AS_FUNCTIONS = ("all", "any", "argsort", "clip", "cumprod", "cumsum", "diagonal", "dot",
                "max", "mean", "min", "nonzero", "prod", "repeat", "round",
                "searchsorted", "squeeze", "std", "sum", "swapaxes", "take", "trace", "var")
# Methods that are NumPy functions of the values only (indices: no derivatives).
ON_VALUES = ("argmax", "argmin", "argpartition")
# Methods that cannot keep derivatives: each raises TypeError naming the fix.
REFUSED = {
    "resize": "it resizes in place; np.resize(d, shape) returns a new dual",
    "tobytes": "bytes hold no derivatives; keep the dual, or use d.value.tobytes()",
    "tofile": "a file holds no derivatives; save d.value and d.partials",
    "dump": "a pickle of the values holds no derivatives; pickle d itself",
    "dumps": "a pickle of the values holds no derivatives; pickle d itself",
    "byteswap": "swapping bytes reinterprets the values; use d.copy()",
    "getfield": "a field reinterprets the values' bytes; index d instead",
    "setfield": "a field reinterprets the values' bytes; assign d[i] = v instead",
    "choose": "a dual holds real values, not indices; np.choose(indices, [d1, d2])",
}


def as_function(func):
    def method(self, *args, **kwargs):
        if kwargs or type(self) is not ArrayDual:   # NumPy's dispatcher checks the
            return func(self, *args, **kwargs)      # keywords; subclasses have their own
        # what NumPy's __array_function__ protocol would do: self, leftmost, is asked
        # first, with the same arguments (without the dispatcher's call and the scan)
        return dispatch(func, (self,) + args, kwargs, like=self)
    method.__name__ = method.__qualname__ = func.__name__
    method.__doc__ = f"``np.{func.__name__}(d, ...)``, as ``ndarray.{func.__name__}``."
    return method


def _sum_method(self, *args, **kwargs):
    """``np.sum(d, ...)``, as ``ndarray.sum``; the whole sum of a small plain dual in
    dispatch's ``lean_sum``."""
    result = lean_sum(self, *args, **kwargs)          # d.sum(), d.sum(0), d.sum(axis=0)
    if result is not None:
        return result
    if kwargs or type(self) is not ArrayDual:
        return np.sum(self, *args, **kwargs)
    return dispatch(np.sum, (self,) + args, kwargs, like=self)


def _on_values(func):
    def method(self, *args, **kwargs):             # (through dispatch: the comparison
        return func(self, *args, **kwargs)         # noted, dg.quad's watch told; attack50 01)
    method.__name__ = method.__qualname__ = func.__name__
    method.__doc__ = f"``np.{func.__name__}`` of the values (indices carry no derivatives)."
    return method


def _refused(name, fix):
    def method(self, *args, **kwargs):
        raise errors.dropped_derivatives(f"d.{name}() ({fix})")
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Raises ``TypeError``: {fix}."
    return method


def _install_methods():
    for name in AS_FUNCTIONS:
        setattr(ArrayDual, name, as_function(getattr(np, name)))
    for name in ON_VALUES:
        setattr(ArrayDual, name, _on_values(getattr(np, name)))
    for name, fix in REFUSED.items():
        setattr(ArrayDual, name, _refused(name, fix))


_install_methods()


# ndarray attributes about memory.  The informational ones are the values' as an
# ndarray of the dual's dtype would have them (read-only: ``itemsize``, ``nbytes``,
# ``strides``, ``flags`` of a view, ``device``); the ones that hand out or change the
# memory itself raise TypeError (an AttributeError too) naming the fix.
MEMORY_REFUSED = {
    "base": "a dual is not a view of one ndarray; read d.value.base for the values'",
    "ctypes": "pass d.value's memory (d.value.ctypes) where no derivative is wanted",
    "data": "pass d.value's buffer (d.value.data) where no derivative is wanted",
    "setflags": "a dual's flags cannot be set; copy it (d.copy()) to keep it unchanged",
}
SHAPE_FIX = "reshape instead, d = d.reshape(shape) (a view where NumPy's would be one)"


def install_memory_attributes(cls, values, dtype=None):
    """Install the memory attributes on ``cls``; ``values(d)`` is ``d``'s values as a
    plain ndarray, ``dtype(d)`` its dtype (default: that array's)."""
    dtype = dtype or (lambda d: values(d).dtype)

    def shape_setter(self, shape):
        raise errors.shape_assignment(SHAPE_FIX)

    def to_device(self, device, /, *, stream=None):
        """``self``: a dual lives on the CPU, as an ndarray (the array API's method)."""
        if device != "cpu":
            raise errors.bad_argument("dualgrad: d.to_device", "device 'cpu'", repr(device),
                                      "Duals are NumPy arrays on the CPU.")
        return self

    attrs = {
        "itemsize": property(lambda self: dtype(self).itemsize,
                             doc="Bytes per value, as an ndarray of the dual's dtype."),
        "nbytes": property(lambda self: self.size * dtype(self).itemsize,
                           doc="Bytes of the values (the derivatives not counted)."),
        "strides": property(lambda self: values(self).strides,
                            doc="The values' strides (read-only information)."),
        "flags": property(lambda self: values(self).view().flags,
                          doc="The flags of a view of the values (read-only "
                              "information: setting one changes nothing)."),
        "device": property(lambda self: "cpu", doc="``'cpu'``, as an ndarray's."),
        "to_device": to_device,
        "shape": property(cls.shape.fget, shape_setter, doc=cls.shape.__doc__),
    }
    for name, fix in MEMORY_REFUSED.items():
        attrs[name] = property(_raiser(name, fix)) if name != "setflags" else \
            _raiser(name + "()", fix, method=True)
    for name, attr in attrs.items():
        setattr(cls, name, attr)


def _raiser(name, fix, method=False):
    def refuse(self, *args, **kwargs):
        raise errors.memory_attribute(name, fix)
    refuse.__name__ = refuse.__qualname__ = name.rstrip("()")
    refuse.__doc__ = f"Raises ``TypeError`` (an AttributeError too): {fix}."
    return refuse


install_memory_attributes(ArrayDual, lambda d: np.asarray(primal(d)),
                          lambda d: d.dtype)


def _install_operators():
    """``+``, ``*=``, ``-a``... on ArrayDual, one per operator of the rule table."""
    for rule in list(RULES.values()):
        stem = rule.operator
        if not stem or rule.kind == "predicate":
            continue
        setattr(ArrayDual, f"__{stem}__", _operator(rule, False))
        if rule.ufunc.nin == 2:
            setattr(ArrayDual, f"__r{stem}__", _operator(rule, True))
            if stem != "divmod":
                setattr(ArrayDual, f"__i{stem}__", _inplace(rule))
    ArrayDual.__pow__ = _square_or_power(RULES[np.power], RULES[np.square])
    _REFLECTED.update({np.add: ArrayDual.__radd__, np.subtract: ArrayDual.__rsub__,
                       np.multiply: ArrayDual.__rmul__})


# ufunc -> the reflected operator that ``__array_ufunc__`` gives a NumPy float64 on the
# left (the ones with_number serves in one pass; _install_operators fills it)
_REFLECTED = {}
# ufunc (``+ - * /``) -> the cell of ``backend.exact_plain``'s kernel of a plain array
# first (``t * u``: NumPy's operator asks ``__array_ufunc__``, not ``u.__rmul__``)
_PLAIN_FIRST = {u: backend.exact_cell((u, 0, "plain")) for u in backend.EXACT if u.nin == 2}


def _plain_first(ufunc, t, u):
    """``ufunc(t, u)`` of a plain array ``t`` and the array dual ``u`` by the operators'
    kernel of that pair (``_exact_binary``'s ``u * t`` branch, reflected: _pair's value
    and term in one call, small70), or ``None``, nothing computed: not 1-D float64
    values and 2-D float64 partials of a live tag under ``SMALL_BELOW``, numba not
    loaded, or the kernel declines (then ``__array_ufunc__``'s own path runs)."""
    if t.dtype is not _f64 or t.ndim != 1 or not _loader.READY:
        return None
    x = u.value
    p = u._p
    if type(x) is not _nd or type(p) is not _nd or x.dtype is not _f64 or \
            p.dtype is not _f64 or x.ndim != 1 or p.ndim != 2 or u.tag not in _LIVE or \
            p.size >= _BELOW[0]:
        return None
    kernel = _PLAIN_FIRST[ufunc][0]
    if not kernel:
        got = _exact_plain(ufunc, 0, x, t, p)
        return None if got is None else make_real(got[0], got[1], u.tag)
    out = _empty(len(x))
    r = _empty(p.shape)
    return make_real(out, r, u.tag) if kernel(t, x, out, p, r) else None
_NUMPY_INTS = frozenset({np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                         np.uint32, np.uint64})


def make_array(value, partials, tag):
    if type(value) is _nd and value.dtype.kind == "c" and \
            type(partials) is _nd and partials.dtype.kind != "c":
        # complex values keep complex partials, so an in-place complex update (y *= 1j)
        # has somewhere to put their imaginary part
        partials = partials.astype(value.dtype)
    r = _new(ArrayDual)
    r.value = value
    r._p = partials
    r.tag = tag
    r._c = None
    return r


def make_real(value, partials, tag):
    """:func:`make_array` for a value its caller has found not complex (dispatch's lean
    functions test it float64): without the complex test, which was ~4 % of
    ``np.exp(d)`` at N = 10 (``bench/rule_ab.py --cell 10:4``, stop 36)."""
    r = _new(ArrayDual)
    r.value = value
    r._p = partials
    r.tag = tag
    r._c = None
    return r


def make(value, partials, tag):
    """A dual of the kind that fits ``value``: scalar for shape (), else array.

    ``partials`` is a sequence of ``n`` scalars for a scalar value and an array
    of shape ``value.shape + (n,)`` otherwise.
    """
    if getattr(value, "ndim", 0) == 0:
        if isinstance(partials, np.ndarray):
            if partials.dtype == object:
                partials = partials.tolist()
            # a float row goes as it is: the scalar kind copies what it keeps
        elif getattr(partials, "_kind", None) == "array" and partials.ndim == 1 and \
                len(partials) > MAX_SLOTS:
            # a nested row (a Hessian's inner level, n > 16): make_scalar keeps an array
            # dual as it is; a copy, as for a float row.  Split into n scalar duals it
            # was joined back at once (stack_scalars), ~50 us a direction: an elementwise
            # f (scipy's rosen on an object array) spent 8 s of a 12 s Hessian at n = 200
            partials = partials.copy()
        elif not isinstance(partials, (list, tuple)):
            partials = [partials[..., k] for k in range(partials.shape[-1])]
        return make_scalar(_scalar_value(value), partials, tag)
    return make_array(value, partials, tag)


def cast_levels(x, dtype):
    """``x`` (a dual, nested or not) with its value and partials cast to ``dtype``
    level by level: a copy, as NumPy's ``astype`` (``d.astype(complex)``)."""
    if isinstance(x, Dual):
        return make(cast_levels(x.value, dtype), cast_levels(partials_array(x), dtype), x.tag)
    return np.asarray(x).astype(dtype)


_base.CAST_LEVELS.append(cast_levels)
_base.ARRAY_ROWS[:] = [ArrayDual, mixed_row]


def partials_array(d):
    """Partials of ``d`` as an array of shape ``d.shape + (n,)``."""
    if d._kind != "slots":                        # vector scalars and array duals
        return d.partials
    ps = d._plist()
    if any(isinstance(p, Dual) for p in ps):  # (a zero seed's term skipped leaves a plain
        return stack_scalars(ps)              # number beside inner duals: attack48 09)
    return numeric(ps)


def stack_scalars(items):
    """A 1-D dual (or float) array from a list of scalar duals and numbers."""
    arr = np.empty(len(items), dtype=object)
    noted = errors.objects_noted()
    arr[:] = items                    # (NumPy asks each scalar dual: not f's object array)
    errors.objects_restore(noted)
    return from_object_array(arr)


def stack_lean(items):
    """``np.stack(items)`` of a list or tuple of float-valued scalar duals of one class
    and one tag, and Python numbers, as :func:`_from_scalars` reads them (the general
    path's values and partials: the same numbers stacked); ``None`` for anything else,
    which the general path joins (0-d array duals, arrays, nested or complex duals,
    another call's duals)."""
    if type(items) is not list and type(items) is not tuple:
        return None
    return _from_scalars(list(items), (len(items),))


def stacked_numbers(items, tag, n):
    """``np.concatenate([value, partials.ravel()])`` of :func:`stack_lean`'s array dual
    of ``items``, in one step: a list or tuple of real scalar duals of one class with
    ``n`` partials and tag ``tag``, whose values and partials are all Python floats
    (dg.solve_ivp's augmented right-hand side of a ``fun`` returning ``[dA, dB]``);
    ``None`` for anything else.  The same Python floats in the same order (each item's
    value, then its partials item by item, as the (m, n) array's ravel reads them),
    converted by one ``np.array`` instead of two, a dual, the partials' read and a
    concatenation: the same bits."""
    if type(items) is not list and type(items) is not tuple or not items:
        return None
    kinds = set(map(type, items))
    if len(kinds) != 1 or not n or _SLOTS[kinds.pop()] != n or set(map(_TAG, items)) != {tag}:
        return None
    numbers = list(map(_VALUE, items))
    numbers.extend(chain.from_iterable(map(_PARTIALS[n], items)) if n > 1 else
                   map(_PARTIALS[1], items))
    if not _FLOATS.issuperset(map(type, numbers)):
        return None             # (nested or complex entries, NumPy scalars: the general
    return np.array(numbers)    # path, whose checks and dtypes they need)


def _from_scalars(items, shape):
    """The common case of :func:`from_object_array`, or ``None``: ``items`` (a
    list, not empty) are float-valued scalar duals of one class and one tag, and
    Python floats and ints and NumPy float64 scalars (constants: zero partials), as
    ``np.array([...])`` of a residual list gives them.  Where every item is a dual,
    C-level maps (``attrgetter``) read them into two lists converted once, so no
    Python code runs per element: the object array of ``np.array([u, v])`` of array
    duals is read back at tens of nanoseconds an element."""
    if not items:
        return None
    kinds = set(map(type, items))
    if len(kinds) == 1:               # duals alone (numbers alone: no class of slots)
        n = _SLOTS[kinds.pop()]
        if not n:
            return None
        duals = items
        values = map(_VALUE, items)
        rows = map(_PARTIALS[n], items)   # (n > 1: a tuple each, NumPy's rows; loops62)
        tupled = n > 1
    else:
        constants = kinds & _ELEMENT_NUMBERS
        kinds -= constants
        if len(kinds) != 1:
            return None
        cls = kinds.pop()
        n = _SLOTS[cls]
        if not n:
            return None
        duals = [d for d in items if type(d) is cls]
        values = [d if type(d) is not cls else d.value for d in items]
        zeros = [0.0] * n
        rows = chain.from_iterable(zeros if type(d) is not cls else d._plist()
                                   for d in items)
        tupled = False
    tags = set(map(_TAG, duals))
    if len(tags) != 1:
        return None
    tag = tags.pop()
    noted = errors.objects_noted()    # (nested items: NumPy asks each inner scalar dual,
    try:                              # and that is no object array of f's; restored
        values = np.array(list(values))   # should np.array raise: diff62 6)
        partials = np.array(list(rows))
    finally:
        errors.objects_restore(noted)
    if values.dtype is not _f64 or partials.dtype is not _f64 or \
            partials.ndim != 1 + tupled:
        return None               # nested or complex values or partials: the general path
    if len(shape) == 1:               # (values of float64 read: make_array's complex test
        return make_real(values, partials if tupled else partials.reshape(shape[0], n),
                         tag)         # is not needed)
    partials = partials.reshape(-1, n)
    if not shape:
        return make(values.reshape(()), partials[0], tag)
    return make_real(values.reshape(shape), partials.reshape(shape + (n,)), tag)


class _Slots(dict):
    """A scalar dual class -> its number of partial slots where :func:`_from_scalars`
    reads its instances (real, one slot a partial), else 0; built on first use."""

    def __missing__(self, cls):
        n = 0
        if getattr(cls, "_kind", None) == "slots" and len(cls.__slots__) >= 3 and \
                not cls.complex_kind:     # (complex: np.array of their values would refuse)
            n = len(cls.__slots__) - 2
        self[cls] = n
        return n


_SLOTS = _Slots()
# the numbers the operators' one-pass path takes (with_number): a NumPy float64 too,
# ``h * u`` with ``h = t[1] - t[0]`` (the same float64 the path makes of a float;
# small() cost ~2 us more at N = 3, corpus65)
_NUMBERS = {float, int, np.float64}
_PYTHON_NUMBERS = {float, int}
_INF = (np.inf, -np.inf)
_FLOATS = frozenset({float})
_TAG, _VALUE = attrgetter("tag"), attrgetter("value")
_PARTIALS = {n: attrgetter(*(f"p{k}" for k in range(n))) for n in range(1, MAX_SLOTS + 1)}


# the last object ndarray of more axes :func:`_read_objects` read by _from_scalars:
# (the array, its items, its shape, the tag, copies of the value and partials made).
# Read again holding the same items (each the same object: scalar duals and numbers
# are immutable), its numbers are the same: copies of these, without reading every
# item's slots again (Newmark's ``np.linalg.solve(M, .)``, ``M = np.diag([m, m, m])``
# an object array, 202 reads a Jacobian, ~6 us each of ~45: rows68).  Holding the
# array and its items keeps their ids from being reused.
_LAST_READ = [None]


def from_object_array(a):
    """An object ndarray of scalar duals and numbers as one array dual."""
    if not (isinstance(a, np.ndarray) and a.dtype == object):
        return a
    if a.ndim == 1:                      # np.array([d1, d2]) (loops62): its notes
        fast = _from_scalars(a.tolist(), a.shape)   # forgotten inside (one pair of calls:
        if fast is not None:             # the pendulum's y[i] + k * h; loops63)
            return fast
    noted = errors.objects_noted()       # (the arrays it builds of the elements' values
    try:                                 # and partials are dualgrad's, read at once)
        return _read_objects(a)
    finally:
        errors.objects_restore(noted)


def _read_objects(a):
    """:func:`from_object_array` of an object ndarray ``a`` (1-D: :func:`_from_scalars`
    declined it)."""
    flat = a.ravel()
    if a.ndim != 1:
        items = flat.tolist()
        last = _LAST_READ[0]
        if last is not None and last[0] is a and last[3] in _LIVE and \
                last[2] == a.shape and len(last[1]) == len(items) and \
                all(map(_is, last[1], items)):
            return make_real(last[4].copy(), last[5].copy(), last[3])
        fast = _from_scalars(items, a.shape)
        if fast is not None:
            if type(fast) is ArrayDual:
                _LAST_READ[0] = (a, items, a.shape, fast.tag, fast.value.copy(),
                                 fast._p.copy())
            return fast
    if any(isinstance(item, Dual) and item._kind == "array" and item.ndim == 0
           for item in flat):              # lists holding 0-d array duals (lifted scalars)
        flat = flat.copy()
        for i, item in enumerate(flat):
            if isinstance(item, Dual) and item._kind == "array" and item.ndim == 0:
                flat[i] = make(item.value, item.partials, item.tag)
    for item in flat:
        if item is None or isinstance(item, (str, bytes)):
            raise not_a_number(item)
    tag = -1
    for item in flat:
        if isinstance(item, Dual) and item.tag > tag:
            tag = item.tag
    if tag < 0:
        return numeric(a)
    n = None
    for item in flat:
        if isinstance(item, Dual) and item.tag == tag:
            if item.ndim:                   # (read below too: the first one's n here)
                raise _array_element()
            n = len(item._plist())
            break
    values = np.empty(flat.shape, dtype=object)
    partials = backend.zeros(flat.shape + (n,), dtype=object)
    nested = False
    for i, item in enumerate(flat):
        if isinstance(item, Dual) and item.tag == tag:
            if item.ndim:
                raise _array_element()
            values[i] = item.value
            partials[i] = item._plist()
            nested = nested or isinstance(item.value, Dual) or \
                any(isinstance(p, Dual) for p in partials[i])
        else:
            values[i] = item
            if isinstance(item, Dual):       # of an older call: it must still be running
                _base.check_live(item.tag)
                _base.check_live(tag)
                nested = True
    if nested:
        values = from_object_array(values)
        partials = from_object_array(partials)
    else:
        values = numeric(values)
        partials = numeric(partials)
    if a.ndim == 0:
        return make(values.reshape(()) if not nested else values[0], partials[0], tag)
    return make(values.reshape(a.shape), partials.reshape(a.shape + (n,)), tag)


def not_a_number(item):
    """An object array's element that NumPy's arithmetic would refuse (``None``, which
    ``np.empty(n, dtype=object)`` leaves where f wrote nothing; a string) and a float
    conversion would read as NaN or a parsed number with zero partials (attack60 02)."""
    return errors.bad_type(
        "dualgrad", "an object array of scalar duals and numbers",
        f"an element {item!r} of type {type(item).__name__}",
        "Fix: write every element before the array is used (np.empty(n, dtype=object) "
        "leaves None where nothing is written; np.zeros_like(x, shape=(n,)) makes a dual "
        "buffer of zeros instead).")


def _array_element():
    return errors.bad_type("dualgrad", "an object array of scalar duals",
                           "an element that is an array dual",
                           "Use np.stack or np.concatenate to join array duals.")


def _new_dual(cls, value, partials, *, tag=0):
    """``Dual(value, partials)``: a scalar dual for a scalar value, else an array dual.
    Arrays are copied: a later write into the caller's arrays does not reach the dual
    (nor a derivative computed from it later, as the fused engine does)."""
    value_array = np.array(value) if not isinstance(value, Dual) else value
    partials = np.array(numeric(partials)) if not isinstance(partials, Dual) else partials
    shape = value_array.shape
    if partials.ndim != len(shape) + 1 or partials.shape[:-1] != shape:
        raise errors.bad_argument(
            "dualgrad.Dual", f"partials of shape {shape} + (n,)",
            f"shape {partials.shape}")
    if not partials.shape[-1]:           # (the helpers never seed none: f gets x itself)
        raise errors.bad_argument(
            "dualgrad.Dual", "at least one direction (partials of shape "
            f"{shape} + (n,), n >= 1)", f"shape {partials.shape}, no direction",
            "Fix: a dual without directions carries no derivative; use the plain value.")
    if shape == ():
        return make_scalar(_scalar_value(value), partials, tag)
    return make_array(numeric(value_array) if isinstance(value_array, np.ndarray)
                      else value_array, partials, tag)


Dual.__new__ = staticmethod(_new_dual)
_scalar.connect(stack_scalars=stack_scalars, stack_lean=stack_lean)

_ENTRY_POINTS = ("apply", "call", "small", "lean", "with_number", "write_out", "dispatch",
                 "operand", "lean_sum", "complex_small", "lean_mixed", "lean_power",
                 "lean_power_pair", "lean_power_mixed", "operator_power")


def connect(**entry_points):
    """Hand this module dispatch's entry points (names in ``_ENTRY_POINTS``; the first
    call gives all of them and installs the operators, a later one may replace
    ``dispatch``); called by :mod:`dualgrad.dispatch`."""
    first = call is None
    if set(entry_points) - set(_ENTRY_POINTS) or (set(entry_points) != set(_ENTRY_POINTS)
                                                  if first else set(entry_points) != {"dispatch"}):
        raise ValueError("dualgrad.dual._array.connect(): expected the entry points "
                         f"{_ENTRY_POINTS} (later only dispatch), got {tuple(entry_points)}")
    globals().update(entry_points)
    if first:
        _install_operators()
        VIEWS[np.sum] = lean_sum                  # np.sum(d): the small sum first
        ArrayDual.sum = _sum_method
