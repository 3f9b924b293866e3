"""The fused engine: partials deferred as a small graph, computed in one pass.

Values stay eager (NumPy computes them, so control flow on values works and the
bits are NumPy's).  Inside a helper call, a float64 ufunc on array duals of at
least :data:`MIN_WORK` partials elements does not compute its partials: it
records them as a :class:`Deferred`, a node ``sum_j c_j * t_j`` whose kids ``t_j``
are its operands' partials (concrete arrays, views and scalar duals' rows, or the
operands' own deferred nodes) and whose coefficients ``c_j`` are the local
derivatives NumPy computed when the operation ran (numbers or value-sized
arrays: dualgrad's own kept by reference, a caller's plain array copied).  A chain
of elementwise operations thus builds a graph over the chain's concrete leaves at
no cost of partials size; when something needs the partials, one kernel generated
for the graph's structure (:mod:`dualgrad.backend._fusedgen`) evaluates it element
by element, reading the leaves and factors once and writing only the result (and
the partials of inner nodes a dual still holds, except those :func:`_left` leaves
pending: cheaper to compute again when read than to store).  A structure met for
less than :data:`COMPILE_AFTER` work, or too small to pay for a compile, is
evaluated node by node with the eager engine's own ``combine`` instead.  Kernels are compiled with
LLVM's SLP vectorizer and each is checked bit for bit against that evaluation on
test data before its first use (:func:`_check`).

Safety invariant
----------------
1. A deferred partials array is never visible: the ``partials`` attribute of an
   array dual is a property that materializes it; only the fusion-aware paths
   (the ufunc dispatch, the operators, basic indexing) read the private slot, and
   they materialize before handing anything out.
2. No leaf (and no factor array) of a pending expression is written before that
   expression is materialized.  Leaves are other duals' partials (or views of
   them) and factors are local derivatives (sometimes an operand's or the
   result's value), anywhere down the expression's graph, so every write into a
   dual's arrays first materializes every pending expression whose graph reads
   memory the written value or partials may share (:func:`before_write`, NumPy's
   bounds test), in the order they were made: item assignment
   (which ``out=``, ``np.copyto`` and in-place writes through views use), the
   in-place operators, ``ufunc.at``; calling users' numba code on duals
   materializes everything.  The one exception is :func:`add_into` (``a += d``),
   whose pass computes ``d`` and the pending expressions inside ``d``'s graph while
   it writes ``a``: each element reads every leaf before it writes its own row of
   ``a``, a leaf may read ``a``'s rows ahead (not written yet) and up to
   :data:`MAX_LAG` rows behind only from a ring of those rows saved before they were
   written, and anything else that reads ``a`` is materialized first; a ``d`` that
   nothing but the operator holds (see ``_temporary`` in
   :mod:`dualgrad.dual._array`) is not kept, and materializing it raises; nor is an
   inner node of ``d``'s graph whose dual one variable of the operator's frame holds
   and that frame's code rebinds before reading (:func:`_unread`): a read from
   outside the code afterwards raises a ``TypeError`` naming the variable.
   Nothing else in dualgrad writes into an existing dual's arrays (new results
   get new arrays); ``tests/test_fused.py`` checks each of these paths.  The
   buffer pool never hands out a leaf: a pending expression's graph holds a
   reference to each of its leaves, and the pool reuses only buffers nothing
   else refers to.  (Graphs are walked by loops, not by closures that call
   themselves: such a closure is a reference cycle and would keep a graph's
   arrays until the garbage collector runs.)
3. A ``partials`` array read by code outside dualgrad (a user's ``f``, numba
   unboxing a dual for a user's jitted function) may be written at any later
   time, where no hook sees it: such a read materializes everything and turns
   deferral off until the outermost helper call returns.  (Writing by hand into
   the ``value`` array of a dual changes a value without its derivative, which
   is outside what dualgrad can check: with the eager engine the partials
   computed before the write keep the old local derivatives, with the fused
   engine pending ones read the new values.)
4. Nothing is deferred outside a helper call, and everything pending is
   materialized when the outermost one returns, so no expression outlives it.

One lock guards the pending list and every materialization, so threads that
share duals see the same rule.

The engine is chosen by the environment variable ``DUALGRAD_ENGINE`` (``fused``:
deferring at every size; ``eager``; ``auto``, the default, which defers from
:data:`MIN_WORK` partials elements, where bench/bench_fused.py measures fusion
faster, and stops for the rest of a helper call at the first operation on a
strided 2-D slice's partials, where it measures fusion slower: :func:`_decline`)
and by :func:`engine` (a context manager).
"""

import contextlib
import math
import os
import sys
import threading
import warnings
import weakref

import numpy as np

from . import _buffers, _fusedgen, _loader
from ._propagate import DEFERRING, combine
from ..rules._expr import template_function
from ..rules._table import TINY, two_step

__all__ = ["Deferred", "Local", "engine", "current", "scope", "begin", "end", "flush", "concrete",
           "defer", "seed", "columns", "roll", "diff", "convolve", "gradient", "gradient_twice", "add_into", "write_into", "read", "before_write", "same_view", "ACTIVE", "PENDING", "MIN_WORK",
           "MAX_NODES", "MAX_LEFT", "COMPILE_AFTER", "COMPILE_TIMES", "kernels_compiled"]

# Partials elements (N * n) from which an operation is deferred; smaller ones stay
# eager (the bookkeeping costs a few microseconds).  From bench/bench_fused.py.
MIN_WORK = 1 << 14
# Nodes of one expression at most (an operation on a larger one materializes its
# operands first): bounds a kernel's size and its compile time.
MAX_NODES = 24
# Work (partials elements x nodes) a structure is evaluated node by node before its
# kernel is compiled, once it has been met COMPILE_TIMES times: about what a compile
# and its check cost (0.3-1 s), so code that meets a structure once or a few times
# never waits for numba, and a loop of identical steps compiles after a few (heat
# equation, 100,000 x 4, 12 nodes: the 11th step).  Below MIN_WORK partials
# elements an expression is always evaluated node by node.
COMPILE_AFTER = 5 * 10 ** 7
COMPILE_TIMES = 2

_ENGINES = ("auto", "fused", "eager")
_engine = _DEFAULT = os.environ.get("DUALGRAD_ENGINE", "auto")
_BLOCKS = []                # the engine(...) blocks open, in the order they opened
if _engine not in _ENGINES:
    raise ValueError(f"DUALGRAD_ENGINE: expected one of {', '.join(_ENGINES)}, "
                     f"got {_engine!r}; unset it for the default (auto)")

_lock = threading.RLock()
PENDING = []                # weak references to the deferred expressions not materialized
ACTIVE = DEFERRING          # deferring now (fused engine, inside a helper, nothing
ACTIVE[1] = MIN_WORK        # exposed), and from how many partials elements (the list
#                             _propagate.lean reads)
_depth = 0
_exposed = False
_declined = False           # auto met a strided 2-D slice's partials in this helper call
_seen = {}                  # structure -> (times met, work interpreted: elements x nodes)
_failed = set()             # structures whose kernel failed its check: interpreted
_f64 = np.dtype(np.float64)
_F64 = np.float64
_UNITS = {}                 # id -> (weak reference, c): the unit rows of seeds (never written)
_DENSE = {}                 # id -> weak reference: seeds written dense for lack of numba
_CODES = {}                 # id -> (weak reference, p): probe code arrays (never written)


def _interface_address(a):
    """The address of ``a``'s first element, as NumPy's array interface gives it."""
    return a.__array_interface__["data"][0]


def _field_address():
    """:func:`_interface_address` read from the array object itself, or ``None``.

    An ndarray is laid out as NumPy's public ``PyArrayObject_fields``: the object's
    header, then the data pointer.  On CPython ``id`` is the object's address, so
    the pointer is one ctypes read (0.6 us where the interface's dictionary costs
    2-5: it is asked for every leaf of every plan).  Checked here on arrays and views
    of several kinds; anywhere the read does not give the interface's address (or
    on another interpreter) the interface is used."""
    if sys.implementation.name != "cpython":
        return None
    try:
        import ctypes
        read = ctypes.c_void_p.from_address
        offset = object.__basicsize__
    except (ImportError, AttributeError):                 # pragma: no cover
        return None

    def address(a):
        return read(id(a) + offset).value or 0

    base = np.arange(24.0).reshape(6, 4)
    tests = [base, base[1:], base[2:-1], base[:, 1], base[::-1], base.T, np.zeros(3)[1:],
             np.empty((0, 4)), np.float64(2.0) * np.ones(5)]
    if all(type(a) is np.ndarray and address(a) == _interface_address(a) for a in tests):
        return address
    return None                                          # pragma: no cover


_address = _field_address() or _interface_address
def same_view(a, b):
    """Are the ndarrays ``a`` and ``b`` the same elements: one first address, shape,
    strides and dtype?  (Writing ``b`` into ``a`` then changes nothing: NumPy's own
    assignment returns at once for such a pair; ``x[1:-1] += d``'s store of ``x[1:-1]``
    into ``x``, which Python makes after the in-place operator.)"""
    return a.shape == b.shape and a.strides == b.strides and a.dtype == b.dtype and \
        _address(a) == _address(b)


# NumPy's bounds test without the __array_function__ dispatch (a third of its cost:
# the arguments here are always ndarrays); NEP 18's ``_implementation``
_may_share = getattr(np.may_share_memory, "_implementation", np.may_share_memory)


def _fresh_after_fork():
    """A forked child starts outside every helper call, with a free lock and
    nothing pending (the parent's threads, which held them, do not exist there)."""
    global _lock, _depth, _exposed, _declined
    _lock, _depth, _exposed, _declined = threading.RLock(), 0, False, False
    del PENDING[:]
    _update()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_after_fork)


class _Node:
    """One operation's partials, ``sum_j c_j * t_j``, of shape ``shape + (n,)``.

    ``kids``: tuples ``(s, a, t, o)``: the coefficient is the number ``s`` when the
    factor array ``a`` is ``None``, else ``a`` (of the value's shape; ``s`` is 1);
    ``t`` is a :class:`_Node` or a concrete partials array (a leaf), whose rows are
    read ``o`` further on, wrapping around (``np.roll``).  ``size`` bounds the number
    of nodes of the graph below; ``result`` is the computed array, once computed
    (``kids`` are dropped then); ``handle``, a weak reference to the
    :class:`Deferred` a dual holds (an intermediate whose dual is gone needs no
    array of its own: it is computed inside its parents' pass); ``dropped``, the
    name whose dual held it when :func:`add_into`'s pass left it uncomputed, its
    code rebinding the name before any read (:func:`_unread`).
    """

    __slots__ = ("kids", "shape", "n", "size", "result", "handle", "dropped")

    def __init__(self, kids, shape, n, size):
        self.kids, self.shape, self.n, self.size, self.result = kids, shape, n, size, None
        self.handle = self.dropped = None



class _Gradient:
    """``np.gradient`` of the concrete partials ``p`` along value axis ``ax`` with the
    uniform spacing ``h`` and ``edge_order``, pending (:func:`gradient`): a kind of its
    own, never a kid of a :class:`_Node` (:func:`defer` computes it first); computed by
    :func:`materialize`, or skipped by :func:`gradient_twice`.  ``kids`` is ``[(1.0, None,
    p, 0)]`` as a node's would be, so that the pending list's walks (:func:`_reads`,
    :func:`_pending`) see ``p`` read."""

    __slots__ = ("kids", "shape", "n", "size", "result", "handle", "dropped", "ax", "h",
                 "edge_order")

    def __init__(self, p, ax, h, edge_order):
        self.kids, self.shape, self.n, self.size = [(1.0, None, p, 0)], p.shape[:-1], \
            p.shape[-1], 1
        self.result = self.handle = self.dropped = None
        self.ax, self.h, self.edge_order = ax, h, edge_order

class Local:
    """A local derivative that the kernel computes per element: ``template``, an
    expression of ``+ - * /`` on numbers and ``str.format`` fields ``{j}``
    (:meth:`dualgrad.rules._expr.Expr.element_template`), over ``args``: per field
    a float64 C-contiguous array of the value's shape (a dual's value or the
    result, kept by reference like any factor array), a number, or ``None`` (not
    used).  A kernel evaluates it from the arrays' elements with the same
    operations in the same order as NumPy's passes (IEEE ``+ - * /`` round
    correctly, and numba without fastmath contracts nothing into FMA), so the bits
    are those of the factor array NumPy would have made, without its passes;
    interpreted node by node, :meth:`array` makes that array.  ``quotient``: the
    templates of ``a`` and ``b`` where the table writes the derivative ``a / b``
    (``Rule.quotient``), else ``None``: where it overflows beside a nonzero partial
    ``p`` with ``a`` and ``b`` finite, the kernel takes ``(p / b) * a`` (``|a| >= 1``) or
    ``(p * a) / b`` (:meth:`times` node by node), finite wherever the product is."""

    __slots__ = ("template", "args", "quotient")

    def __init__(self, template, args, quotient=None):
        self.template, self.args, self.quotient = template, tuple(args), quotient

    def arrays(self):
        """The arrays it reads."""
        return [a for a in self.args if type(a) is np.ndarray]

    def array(self):
        """The factor array (NumPy's passes, warnings off as for the table's other
        local derivatives; a number field as a NumPy float, so that ``1.0 / {1}`` at
        0 is inf as in the kernel, not Python's ZeroDivisionError)."""
        fn = _TEMPLATES.get(self.template)
        if fn is None:
            fn = _TEMPLATES[self.template] = template_function(self.template)
        return self._evaluate(self.template)

    def _evaluate(self, template):
        fn = _TEMPLATES.get(template)
        if fn is None:
            fn = _TEMPLATES[template] = template_function(template)
        args = [np.float64(a) if type(a) is float else a for a in self.args]
        with np.errstate(all="ignore"):
            return fn(*args, *(None,) * (4 - len(args)))

    def times(self, q, shape, n):
        """``f[..., None] * q`` (``combine``'s, NaN-safe) with :attr:`quotient`'s two
        steps where ``f`` overflowed, or underflowed beside a nonzero ``a``: what a
        kernel's element computes."""
        f = self.array()
        t = combine([f], [q], shape, n)
        if self.quotient is None:
            return t
        small = np.absolute(f) < TINY
        if np.isfinite(f).all() and not small.any():
            return t
        a, b = (np.broadcast_to(self._evaluate(e), shape)[..., None] for e in self.quotient)
        with np.errstate(all="ignore"):
            over = (np.isinf(f)[..., None] | small[..., None] & (a != 0.0)) & \
                np.isfinite(a) & np.isfinite(b) & (b != 0.0) & (q != 0.0)
            return np.where(over, two_step(a[..., 0], b[..., 0], q), t)


_TEMPLATES = {}             # template -> its NumPy evaluation


class Deferred:
    """Deferred partials of shape ``shape + (n,)``: what an array dual's private
    partials slot holds instead of an array; :func:`concrete` computes them."""

    __slots__ = ("node", "__weakref__")

    def __init__(self, node):
        self.node = node
        node.handle = weakref.ref(self)

    @property
    def shape(self):
        return self.node.shape

    @property
    def n(self):
        return self.node.n

    @property
    def result(self):
        """The computed array, or ``None`` while pending."""
        return self.node.result


def _update():
    ACTIVE[0] = _engine != "eager" and _depth > 0 and not _exposed and \
        not (_declined and _engine == "auto")
    ACTIVE[1] = 0 if _engine == "fused" else MIN_WORK


def current():
    """The engine in force: ``"auto"``, ``"fused"`` or ``"eager"``."""
    return _engine


@contextlib.contextmanager
def engine(name):
    """Choose how array duals propagate their partials inside a ``with`` block.

    Parameters
    ----------
    name : {"auto", "fused", "eager"}
        ``"fused"`` defers chains of elementwise operations on array duals at
        every size and moves their partials in one generated kernel when something
        needs them (the test suite runs once this way); ``"eager"`` propagates
        operation by operation (and once more); ``"auto"`` (the default) defers
        from :data:`MIN_WORK` partials elements, where ``bench/bench_fused.py``
        measures the fused engine faster, and is eager below.  Results agree to
        rounding.  The environment variable ``DUALGRAD_ENGINE`` sets the default.
        The choice is the process's, as NumPy's print options are: blocks in other
        threads see it too, the latest block still open wins, and once every block
        has closed the default is back, in whatever order threads closed them.

    Yields
    ------
    None

    Raises
    ------
    ValueError
        For any other name.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> with dg.engine("eager"):
    ...     dg.gradient(lambda x: np.sum(np.sin(x)), np.zeros(3))
    array([1., 1., 1.])
    """
    global _engine
    if name not in _ENGINES:
        raise ValueError(f"dualgrad.engine: expected 'auto', 'fused' or 'eager', "
                         f"got {name!r}")
    flush()
    block = [name]                  # this block's own entry (identity, not its name)
    with _lock:
        _BLOCKS.append(block)
        _engine = name
        _update()
    try:
        yield
    finally:
        flush()
        with _lock:                 # (restoring "the engine before me" leaked another
            _BLOCKS[:] = [b for b in _BLOCKS if b is not block]   # thread's choice)
            _engine = _BLOCKS[-1][0] if _BLOCKS else _DEFAULT
            _update()


def begin():
    """A helper call starts evaluating ``f`` (nesting allowed)."""
    global _depth
    _lock.acquire()          # (not ``with``: its __enter__/__exit__ lookups cost more than
    try:                     # the lock, and every helper call passes here twice)
        _depth += 1
        if _depth == 1:      # (ACTIVE moves only as the depth leaves or reaches 0: each of
            _update()        # _update's other inputs calls it where it changes)
    finally:
        _lock.release()


def end():
    """The matching end: the outermost one materializes everything still pending."""
    global _depth, _exposed, _declined
    _lock.acquire()
    try:
        _depth -= 1
        if _depth == 0:
            if PENDING:
                flush()
            _exposed = _declined = False
            _PRUNE_AT[0] = 256
            _update()
    finally:
        _lock.release()


def open_scope():
    """What ``with scope():`` does on entry, as one call: the one-pass helper calls
    it and :func:`close_scope` in ``try``/``finally`` (no context manager's object
    and method lookups: ~0.5 us of a ~8 us gradient at n = 2)."""
    _buffers.begin()
    begin()


def close_scope():
    """What ``with scope():`` does on exit, whatever the block raised."""
    try:
        end()
    finally:
        _buffers.end()


class scope:
    """``with scope():`` a helper evaluates ``f``: the buffer pool serves and the
    fused engine defers inside the block (the door's ``backend.scope``)."""

    __slots__ = ()

    def __enter__(self):
        open_scope()

    def __exit__(self, *exc):
        close_scope()


def flush():
    """Materialize every pending expression (before any write into a dual's arrays)."""
    if not PENDING:
        return
    with _lock:
        refs = PENDING[:]
        del PENDING[:]
        for ref in refs:
            d = ref()
            if d is not None and _pending(d.node):
                materialize(d.node)


def before_write(*arrays, spare=None):
    """Materialize every pending expression that reads memory ``arrays`` (a dual's
    value and partials about to be written) may share; with no arrays, all of them.

    Expressions over other memory stay pending, so threads evaluating separate
    chunks do not materialize each other's (their results stay bit for bit those
    of a serial run).  ``spare``: a :class:`Deferred` left pending whatever it reads,
    with the pending expressions inside its graph (:func:`add_into` computes them
    all in the pass that writes).
    """
    if not PENDING:
        return
    targets = [a for a in arrays if type(a) is np.ndarray]
    if not targets or len(targets) != len(arrays):
        flush()
        return
    with _lock:      # spare's node may have been computed by another thread's flush
        spared = () if spare is None or not _pending(spare.node) else \
            {id(node) for node in _order(spare.node)[0]}
        _readers(targets, spared)


def _readers(targets, spared):
    """:func:`before_write`'s work (under the lock): materialize every pending
    expression whose node is not in ``spared`` (ids) and whose graph reads memory the
    arrays ``targets`` may share; the pending list keeps the others.  Returns whether
    it materialized any."""
    keep, wrote = [], False
    for ref in PENDING:
        d = ref()
        if d is None or not _pending(d.node):
            continue
        if id(d.node) not in spared and \
                any(_may_share(x, t) for x in _reads(d.node) for t in targets):
            materialize(d.node)
            wrote = True
        else:
            keep.append(ref)
    PENDING[:] = keep
    return wrote


def _pending(node):
    """Is ``node`` still to be computed?  (Not when computed, nor when
    :func:`add_into` consumed it without keeping it: its dual, a temporary of
    another thread's ``a += d``, may not have been dropped yet.)"""
    return node.result is None and node.kids is not None


def _reads(node, seen=None):
    """Every array the pending ``node`` reads: its leaves and factor arrays, down
    its graph."""
    seen = set() if seen is None else seen
    seen.add(id(node))
    for s, a, t, o in node.kids:
        if type(a) is Local:
            yield from a.arrays()
        elif a is not None:
            yield a
        if type(t) is _Node:
            if t.result is not None:
                yield t.result
            elif id(t) not in seen and t.kids is not None:
                yield from _reads(t, seen)
        else:
            yield t




def read(dual, frame):
    """What the ``partials`` property returns, computed.  A read from outside
    dualgrad (the reader may write into the array at any later time) first
    materializes everything pending and turns deferral off until the outermost
    helper call returns; dualgrad's own readers write only through the paths that
    call :func:`before_write`."""
    global _exposed
    name = frame.f_globals.get("__name__", "")
    if not (name == "dualgrad" or name.startswith("dualgrad.")) and ACTIVE[0]:
        flush()
        with _lock:
            _exposed = True
            _update()
    p = dual._p
    if type(p) is Deferred:
        p = dual._p = concrete(p)
    return p


def concrete(p):
    """``p`` itself, or the array a deferred ``p`` stands for."""
    if type(p) is not Deferred:
        return p
    node = p.node
    return node.result if node.result is not None else materialize(node)


def kernels_compiled():
    """How many fused kernels (one per structure of expression) this process
    compiled or loaded so far."""
    return _fusedgen.compiled()


# ---- building --------------------------------------------------------------------
def _factor(c, shape):
    """The local derivative ``c`` as ``(number, array or None)``, or ``None`` when the
    fused engine cannot take it."""
    t = type(c)
    if t is float:
        return c, None
    if t is Local:
        return 1.0, c
    if t is int or t is np.float64:
        return float(c), None
    if t is not np.ndarray or c.dtype != _f64:
        return None
    if c.shape != shape:
        if c.ndim == 0:
            return float(c), None
        try:
            return 1.0, np.broadcast_to(c, shape).copy()
        except ValueError:
            return None
    return 1.0, c


def _source(q, shape, n):
    """Can the concrete partials ``q`` be a leaf for partials of ``shape + (n,)``?"""
    if type(q) is not np.ndarray or q.dtype != _f64:
        return False
    if q.ndim == 1:
        return q.shape[0] == n
    return q.shape[:-1] == shape and q.shape[-1] == n and (q.ndim == 2 or q.flags.c_contiguous)


def defer(factors, partials, shape, n):
    """A :class:`Deferred` for ``sum_k factors[k][..., None] * partials[k]``, or ``None``.

    ``partials[k]`` are concrete arrays or :class:`Deferred`.  Factor arrays are
    kept by reference, not copied: dualgrad writes into no array of a dual except
    through the paths that materialize first (see the module's invariant).  (Run
    once per deferred operation: the commonest kinds, a float or a :class:`Local`
    factor and a pending kid, are taken before the general checks.)
    """
    if not shape or math.prod(shape) * n < ACTIVE[1]:
        return None
    kids, size = [], 1
    for c, p in zip(factors, partials):
        t = type(c)
        if t is float:
            s, a = c, None
        elif t is _F64:                            # a scalar dual's value (k * u's for u)
            s, a = float(c), None
        elif t is Local:
            s, a = 1.0, c
        elif t is np.ndarray and c.shape == shape and c.dtype == _f64:
            s, a = 1.0, c                          # (what _factor gives it, without the call)
        else:
            c = _factor(c, shape)
            if c is None:
                return None
            s, a = c
        t = type(p)
        if t is Deferred:
            t = p.node
            if type(t) is _Gradient:               # (a kind no kernel reads: computed)
                t = materialize(t)
                if not _source(t, shape, n):
                    return None
            elif t.result is None:
                if t.kids is None:
                    _unkept(t)
                if t.shape != shape or t.n != n:
                    return None
                size += t.size
            elif _source(t.result, shape, n):
                t = t.result                       # computed meanwhile: a leaf
            else:
                return None
        elif _source(p, shape, n):
            t = p
        else:
            if _engine == "auto" and _strided(p, shape, n):
                _decline()
            return None
        kids.append((s, a, t, 0))
    if size > MAX_NODES:
        size = _shrink(kids, size)
    d = Deferred(_Node(kids, shape, n, size))
    lock = _lock                       # _pend's work inline (once per deferred operation)
    lock.acquire()
    try:
        PENDING.append(d.node.handle)
        if len(PENDING) > _PRUNE_AT[0]:
            _prune()
    finally:
        lock.release()
    return d


def _strided(p, shape, n):
    """Is ``p`` the partials of a strided slice of ``shape + (n,)`` (``U[1:-1, 1:-1]``
    of a 2-D ``U``), which a kernel cannot read as a leaf?"""
    return type(p) is np.ndarray and p.dtype == _f64 and p.ndim > 2 and \
        p.shape == shape + (n,) and not p.flags.c_contiguous


def _decline():
    """The default engine stops deferring until the outermost helper call returns:
    ``f`` works on strided slices of 2-D (or larger) arrays, the operations on
    which propagate eagerly, so the chains between them are short graphs that the
    next such operation materializes again at once: bookkeeping and node-by-node
    evaluation for no fused pass (a 2-D reaction-diffusion stencil,
    bench/problems.py's "reaction-diffusion 2-D", measured 1.2-1.8 times the eager
    engine's time on 96^2 to 200^2 grids before this rule).  What is pending now is
    computed; the ``"fused"`` engine keeps deferring."""
    global _declined
    flush()
    with _lock:
        _declined = True
        _update()


def _shrink(kids, size):
    """Materialize the largest pending kids until the graph has at most
    :data:`MAX_NODES` nodes; returns its new size."""
    order = sorted((k for k in range(len(kids)) if type(kids[k][2]) is _Node),
                   key=lambda k: -kids[k][2].size)
    for k in order:
        if size <= MAX_NODES:
            break
        s, a, t, o = kids[k]
        size -= t.size
        kids[k] = (s, a, materialize(t), o)
    return size


def _pend(d):
    """Put the new :class:`Deferred` ``d`` on the pending list (its node's handle: the
    one weak reference to ``d``), pruning it once it is long (:func:`_prune`)."""
    with _lock:
        PENDING.append(d.node.handle)
        if len(PENDING) > _PRUNE_AT[0]:
            _prune()


def _prune():
    """Drop the pending list's entries whose :class:`Deferred` is gone or whose node is
    no longer to be computed (computed, or consumed by :func:`add_into`: what
    :func:`flush` and :func:`_readers` skip), under the lock; the next prune waits until
    the list has doubled (at least 256 entries).  A loop that keeps its states
    (``ys.append(y)``, each ``y`` computed as a later step's graph is) held one live
    entry a step, so a prune at every append past 256 walked the whole list in every
    deferred operation: 3.6x a 6,000-cell Euler step after 2,000 steps
    (bench/pending_history.py).  Doubling makes the walks' cost a constant per entry."""
    PENDING[:] = [r for r in PENDING if (d := r()) is not None and _pending(d.node)]
    _PRUNE_AT[0] = max(256, 2 * len(PENDING))


_PRUNE_AT = [256]           # the pending list's length that makes the next prune


def seed(shape, n, columns):
    """Seed partials of shape ``shape + (n,)``, deferred, or ``None``: direction
    ``c`` of every element is ``1`` (``a`` ``None``) or ``a``'s element (a float64
    factor array of ``shape``) for each ``(c, a)`` in ``columns``, the others 0.

    The graph is one node whose leaves are unit rows (kind ``"r"``, read by every
    element, as a scalar dual's partials): nothing of partials size exists until an
    expression over the seed is materialized, and the kernel that does so writes
    the result once.  The rows are new arrays nothing else holds and ``a`` is
    kept by reference: the caller writes into no factor it passes (the module's
    invariant, point 2).
    """
    rows = math.prod(shape) if shape else 0
    if not rows or rows * n < ACTIVE[1]:
        return None
    kids = []
    for c, a in columns:
        if a is not None and (type(a) is not np.ndarray or a.dtype != _f64 or
                              a.shape != shape):
            return None
        e = np.zeros(n)
        e[c] = 1.0
        kids.append((1.0, a, e, 0))
        with _lock:
            if len(_UNITS) > 256:
                for key in [k for k, (ref, c) in _UNITS.items() if ref() is None]:
                    del _UNITS[key]
            _UNITS[id(e)] = (weakref.ref(e), c)
    d = Deferred(_Node(kids, shape, n, 1))
    _pend(d)
    return d


def dense_seed(p):
    """Note that the seed partials ``p`` were written dense because numba was not
    loaded (with numba, :func:`seed` defers them).  A graph over them is always
    interpreted (:func:`_kernel`); one that would be due for a compile when met
    again asks the loader to load numba as the next call begins, whose seeds are
    then deferred: their graph is another structure, so a kernel for this one would serve only the
    processes whose first call meets it, and a new cache's second call would
    compile it (elementwise N = 1e6: 1.1 s quiet, 5-7 s loaded; bench/new_cache.py)."""
    if type(p) is not np.ndarray or p.size < ACTIVE[1]:
        return
    with _lock:
        if len(_DENSE) > 256:
            for key in [k for k, ref in _DENSE.items() if ref() is None]:
                del _DENSE[key]
        _DENSE[id(p)] = weakref.ref(p)


def _dense(q):
    """Is the leaf array ``q`` (a view of) a seed :func:`dense_seed` noted?"""
    b = q.base if type(q.base) is np.ndarray else q
    ref = _DENSE.get(id(b))
    return ref is not None and ref() is b


def probe_codes(size, count):
    """:func:`dualgrad.backend._fusedgen.codes`, marked: a factor array that views one
    of them whole (any shape of ``size`` elements) is a ``("q", p)`` coefficient in a
    plan, computed by the kernel from the row index instead of read.  The caller
    writes into none of them (the module's invariant, point 2)."""
    got = _fusedgen.codes(size, count)
    with _lock:
        if len(_CODES) > 256:
            for key in [k for k, (ref, p) in _CODES.items() if ref() is None]:
                del _CODES[key]
        for p, q in enumerate(got):
            q.flags.writeable = False
            _CODES[id(q)] = (weakref.ref(q), p)
    return got


def _code(a):
    """``p`` when the factor array ``a`` is probe code ``p`` of :func:`probe_codes`
    (itself or a C-contiguous view of all of it), else ``None``."""
    b = a.base if type(a.base) is np.ndarray else a
    entry = _CODES.get(id(b))
    if entry is None or entry[0]() is not b or a.size != b.size or \
            not a.flags.c_contiguous or _address(a) != _address(b):
        return None
    return entry[1]


def roll(p, shape, n, shift):
    """``np.roll`` of the flattened value (and partials ``p``'s rows) by ``shift``,
    deferred, or ``None``.  ``p``: concrete, C-contiguous, of shape ``shape + (n,)``."""
    rows = math.prod(shape) if shape else 0
    if not rows or rows * n < ACTIVE[1] or not _source(p, shape, n) or p.ndim == 1 or \
            not p.flags.c_contiguous:
        return None
    d = Deferred(_Node([(1.0, None, p, -int(shift) % rows)], shape, n, 1))
    _pend(d)
    return d


def diff(p, order):
    """``np.diff(p, order, axis=0)`` of the concrete partials ``p`` (value axis 0),
    deferred, or ``None``.

    The graph is NumPy's own arithmetic, repeated differences of neighbours:
    the difference of order ``m`` at row offset ``j`` is the one of order ``m - 1``
    at ``j + 1`` minus the one at ``j``; the leaves are row slices of ``p``.
    """
    if type(p) is not np.ndarray or p.dtype != _f64 or p.ndim < 2 or \
            not p.flags.c_contiguous or not 0 < order <= 4:
        return None
    rows = p.shape[0] - order
    shape, n = (rows,) + p.shape[1:-1], p.shape[-1]
    if rows <= 0 or math.prod(shape) * n < ACTIVE[1]:
        return None
    level = [p[j:j + rows] for j in range(order + 1)]
    for m in range(1, order + 1):
        level = [_Node([(1.0, None, level[j + 1], 0), (-1.0, None, level[j], 0)], shape, n,
                       1 + sum(t.size for t in level[j:j + 2] if type(t) is _Node))
                 for j in range(order - m + 1)]
    d = Deferred(level[0])
    _pend(d)
    return d


def convolve(p, w, start, rows):
    """Rows ``start .. start + rows`` of the full convolution of the columns of the
    concrete partials ``p`` (``L x n``) with the taps ``w``, deferred, or ``None``:
    only rows that every tap reaches (``np.convolve``'s ``"valid"`` part), finite taps,
    at most :data:`MAX_TAPS` of them.

    The graph is one node over row slices of ``p``: ``out[i] = ((0.0 + w[0] p[i]) + w[1]
    p[i - 1]) + ...``, the eager engine's sum (``_numba_kernels.convolve_rows``, and
    ``_propagate.convolve``'s NumPy passes), whose start 0.0 is a leaf (a row of
    zeros, read by every element): a sum that began at its first term would keep
    ``-0.0`` where every term is ``-0.0``, and ``0.0 + -0.0`` is ``+0.0``.
    """
    if type(p) is not np.ndarray or p.dtype != _f64 or p.ndim != 2 or \
            not p.flags.c_contiguous or type(w) is not np.ndarray or w.dtype != _f64 or \
            w.ndim != 1:
        return None
    taps = w.shape[0]
    n = p.shape[1]
    if not 0 < taps <= MAX_TAPS or start < taps - 1 or start + rows > p.shape[0] or \
            rows <= 0 or rows * n < ACTIVE[1]:
        return None
    weights = w.tolist()
    if not math.isfinite(sum(weights)) or not all(map(math.isfinite, weights)):
        return None
    zero = _ZERO_ROWS.get(n)
    if zero is None:                  # (writeable: a read-only leaf is another signature,
        zero = _ZERO_ROWS.setdefault(n, np.zeros(n))   # compiled without the vectorizer)
    kids = [(1.0, None, zero, 0)]
    kids += [(c, None, p[start - j:start - j + rows], 0) for j, c in enumerate(weights)]
    d = Deferred(_Node(kids, (rows,), n, 1))
    _pend(d)
    return d


MAX_TAPS = 8                # np.convolve's taps a deferred node takes (its kids)
_ZERO_ROWS = {}             # n -> a row of n zeros, convolve's leaf (only graphs hold it:
#                             no path writes it)


def gradient(p, ax, h, edge_order):
    """``np.gradient(p, h, axis=ax, edge_order=edge_order)`` of the concrete partials
    ``p`` (value axis ``ax``, a float spacing ``h``), deferred, or ``None``.

    Nothing is computed until something reads it: then :func:`materialize` runs
    ``_kernels.gradient``'s pass (NumPy's own call where the kernels do not run), the
    bits of the eager path; or :func:`gradient_twice`, asked for the gradient of this
    one along the same axis (``np.gradient(np.gradient(u))``), computes that in one pass
    over ``p`` and leaves this one pending (its dual, a temporary, is dropped next:
    the inner gradient's partials are never written).  Only where the kernels run
    (``_kernels._wanted``), on C-contiguous ``p`` with at least 4 rows along ``ax``."""
    if type(p) is not np.ndarray or p.dtype != _f64 or p.ndim < 2 or \
            not p.flags.c_contiguous or not 0 <= ax < p.ndim - 1 or p.shape[ax] < 4 or \
            p.size < ACTIVE[1] or type(h) is not float or h == 0.0 or \
            not math.isfinite(h) or edge_order not in (1, 2):
        return None
    from . import _kernels
    if not _kernels._wanted(p.size, p.shape[-1]):
        return None
    d = Deferred(_Gradient(p, ax, h, edge_order))
    _pend(d)
    return d


def gradient_twice(d, ax, h, edge_order):
    """``np.gradient`` along ``ax`` of the pending gradient ``d`` (a :class:`Deferred` of
    :func:`gradient`'s along the same axis) in one pass over its partials
    (``_kernels.gradient_twice``: the bits of the two calls), ``d`` left pending; or
    ``None`` (another kind, another axis, computed already, or the pass declined: the
    caller computes ``d`` and takes the gradient of that)."""
    node = d.node
    if type(node) is not _Gradient or node.ax != ax or type(h) is not float:
        return None
    from . import _kernels
    with _lock:
        if node.result is not None or node.kids is None:
            return None
        return _kernels.gradient_twice(node.kids[0][2], ax, node.h, node.edge_order, h,
                                       edge_order)


def gradient_pending(d, ax):
    """Is ``d`` a :class:`Deferred` of :func:`gradient`'s along ``ax``, not yet
    computed (where :func:`gradient_twice` declined, its pass met a floating-point flag:
    the caller's two calls then run with their reports, fperr73)?"""
    node = d.node
    return type(node) is _Gradient and node.ax == ax and node.result is None and \
        node.kids is not None


def _gradient_result(node):
    """Compute the pending :class:`_Gradient` ``node`` (under the lock)."""
    from . import _kernels
    p = node.kids[0][2]
    out = _kernels.gradient(p, node.ax, node.h, node.edge_order)
    if out is None:                 # (the kernels' mode changed meanwhile: NumPy's call)
        out = np.gradient(p, node.h, axis=node.ax, edge_order=node.edge_order)
    node.result, node.kids = out, None
    return out


# ---- computing -------------------------------------------------------------------
def _plan(root, accumulate=0, kinds=None, keep=True, drop=(), order=None):
    """The structure of ``root``'s graph (:func:`dualgrad.backend._fusedgen.structure`,
    its kernel's key; ``accumulate``: the kernel also adds (+1) or subtracts (-1) the
    result into an array; ``kinds(leaves, starts)``: the leaves' kinds, for
    :func:`add_into` (``starts``: their first elements' addresses); ``keep``: the kernel
    writes the root's rows; ``drop``: ids of inner nodes not written though a dual
    holds them, :func:`_unread`'s; ``order``: :func:`_order`'s, if the caller has it)
    and what the kernel takes: the pending nodes in evaluation order, the leaves (with
    their shifts), the factor arrays and the numbers.

    The nodes come in :func:`_order`'s order (each after its kids, kids in order), then
    one loop over them writes each node's part of the key.  (Run once per pass of a
    time loop's step: each array's reference is made once and kept as the tuple the
    key holds.)"""
    plain = kinds is None
    nodes, position = _order(root) if order is None else order
    specs, leaves, starts, leaf_position, arrays, array_position, numbers = \
        [], [], [], {}, [], {}, []
    for node in nodes:
        spec = []
        for s, a, t, o in node.kids:
            if a is None:
                if s == 1.0:
                    coef = "1"
                elif s == -1.0:
                    coef = "-"
                else:
                    coef = ("c", len(numbers))
                    numbers.append(s)
            elif type(a) is Local:             # computed in the kernel from its arrays
                refs = []
                for v in a.args:
                    if v is None:
                        refs.append(None)
                    elif type(v) is np.ndarray:
                        ref = array_position.get(id(v))
                        if ref is None:
                            ref = array_position[id(v)] = ("a", len(arrays))
                            arrays.append(v)
                        refs.append(ref if ref[0] == "a" else ("a", ref))
                    else:
                        refs.append(("c", len(numbers)))
                        numbers.append(v)
                coef = ("e", a.template, tuple(refs)) if a.quotient is None else \
                    ("e", a.template, tuple(refs), a.quotient)
            else:
                coef = array_position.get(id(a))
                if coef is None:
                    code = _code(a) if _CODES else None
                    if code is not None:
                        coef = array_position[id(a)] = ("q", code)
                    else:
                        coef = array_position[id(a)] = ("a", len(arrays))
                        arrays.append(a)
            if type(t) is _Node:
                if t.result is None:
                    spec.append((coef, ("t", position[id(t)])))
                    continue
                t = t.result
            start = _address(t)
            where = (start, t.shape, t.strides, o)
            kid = leaf_position.get(where)     # views of the same elements: one leaf
            if kid is None:
                kid = leaf_position[where] = ("l", len(leaves))
                leaves.append((t, o))
                starts.append(start)
            spec.append((coef, kid))
        specs.append(tuple(spec))
    kinds = _views([_row_kind(q, root.n) if q.ndim == 1 else "s" if o else "m"
                    for q, o in leaves], leaves, starts, root.n) if kinds is None \
        else kinds(leaves, starts)
    if kinds is None:
        return None
    outputs = [j for j, node in enumerate(nodes[:-1])
               if node.handle is not None and node.handle() is not None and
               id(node) not in drop]
    if outputs and plain:
        outputs = [j for j in outputs if not _left(nodes[j])]
    key = _fusedgen.structure(root.n, kinds, specs, len(numbers), len(arrays), accumulate,
                              outputs, keep)
    return key, nodes, leaves, arrays, numbers


def _views(kinds, leaves, starts, n):
    """``kinds`` with each ``"m"`` leaf that reads the memory of another ``"m"`` leaf
    (the one of lowest address, its anchor ``a``) 1 to :data:`MAX_LAG` rows ahead,
    rows laid out alike, as ``"v<a>.<m>"``: ``np.diff``'s ``p[1:]`` and ``p[2:]`` beside
    ``p[:-2]``.  A kernel that writes no leaf (one of :func:`_plan` without ``kinds``)
    then loads each anchor's farthest row per element and carries the others from the
    elements before (``_fusedgen.source``): the same addresses, so the same values.
    ``starts``: the leaves' addresses."""
    plain = [j for j, kind in enumerate(kinds) if kind == "m"]
    if len(plain) < 2 or not 0 < n <= _fusedgen.UNROLL:
        return kinds
    layouts = {}
    for j in plain:
        q = leaves[j][0]
        rows = q.shape[0] if q.ndim == 2 else q.size // n
        layout = _rows2(q, rows, n)
        if layout[1] == 8 and layout[0] >= 8 * n:
            layouts.setdefault(layout[0], []).append(j)
    kinds = list(kinds)
    for step, group in layouts.items():
        group.sort(key=lambda j: starts[j])
        while len(group) > 1:
            a, rest = group[0], []
            for j in group[1:]:
                ahead, part = divmod(starts[j] - starts[a], step)
                if not part and 0 < ahead <= MAX_LAG:
                    kinds[j] = f"v{a}.{ahead}"
                else:
                    rest.append(j)
            group = rest
    return kinds


def _left(node):
    """Is the inner ``node``, which a dual holds, left pending by its parent's pass
    (under the lock)?  Taken when computing it again later costs about what
    writing it now does and keeping it pending holds at most twice the memory its
    own partials would: its pending graph has only numbers as coefficients (no
    factor array to keep alive) and reads one partials array besides rows, of at
    most twice its own size (the state
    ``u`` of ``lap = np.roll(u, -1) - 2.0 * u + np.roll(u, 1)``, whose partials the
    next step's ``np.roll(u_new)`` would otherwise write, 3.2 MB at 100,000 x 4, for
    a name rebound right after: bench/MISSES.md, stop 29).  A read computes it from
    that graph (whose leaves nothing writes before: the module's invariant), so the
    bits are the same.  At most :data:`MAX_LEFT` such nodes are pending at a time
    (every write walks the pending graphs: a list keeping one a step must not make
    that walk grow); beyond, the pass writes them as before."""
    live = [r for r in _LEFT if r() is not None and _pending(r().node)]
    _LEFT[:] = live
    if len(live) >= MAX_LEFT:
        return False
    size, base, stack, seen = math.prod(node.shape) * node.n, None, [node], set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        for s, a, q, o in t.kids:
            if a is not None:
                return False
            if type(q) is _Node:
                if q.result is None:
                    stack.append(q)
                    continue
                q = q.result
            if q.ndim == 1:                    # a scalar dual's row
                continue
            b = q.base if type(q.base) is np.ndarray else q
            if base is None:
                if b.size > 2 * size:
                    return False
                base = b
            elif b is not base:
                return False
    _LEFT.append(node.handle)
    return True


# Inner nodes a dual holds that :func:`_left` left pending, at most (weak references
# to their Deferred in ``_LEFT``).
MAX_LEFT = 8
_LEFT = []


def _row_kind(q, n):
    """``"u<c>"`` for a unit row :func:`seed` made (the kernel knows its entries: the
    other directions' terms drop out), ``"r"`` for any other row."""
    entry = _UNITS.get(id(q))
    if entry is not None and entry[0]() is q and 0 < n <= _fusedgen.UNROLL:
        return f"u{entry[1]}"
    return "r"


def _order(root):
    """The pending nodes of ``root``'s graph, each after its kids (in their order), and
    their positions.  (A module-level function that calls itself, not a recursive
    closure: such a closure is a reference cycle, which would keep the graph and its
    arrays until the garbage collector runs.  The depth is at most :data:`MAX_NODES`.)"""
    nodes, position = [], {}
    _after_kids(root, nodes, position)
    return nodes, position


def _after_kids(node, nodes, position):
    """:func:`_order`'s walk below ``node`` (not yet placed)."""
    for s, a, t, o in node.kids:
        if type(t) is _Node and t.result is None and id(t) not in position:
            _after_kids(t, nodes, position)
    position[id(node)] = len(nodes)
    nodes.append(node)


def materialize(node):
    """Compute the pending ``node`` (one kernel pass, or node by node); returns its array."""
    with _lock:
        if node.result is not None:
            return node.result
        if node.kids is None:                      # add_into(keep=False) consumed it
            _unkept(node)
        if type(node) is _Gradient:
            return _gradient_result(node)
        key, nodes, leaves, arrays, numbers = _plan(node)
        shape, n = node.shape, node.n
        fn = _kernel(key, math.prod(shape) * n, leaves)
        if fn is None:
            return _interpret(nodes, shape, n)
        out = _buffers.empty(shape + (n,))
        fn(*_arguments(out, [], _outputs(key, nodes), leaves, arrays, numbers))
        node.result, node.kids = out, None
        return out


def write_into(p, into):
    """Write the partials ``p`` (an array, or a :class:`Deferred` of ``into``'s shape)
    into ``into``, a C-contiguous part of a new array (``np.concatenate``'s result).

    A pending ``p`` is computed by its kernel straight into ``into`` and stays pending:
    the dual that holds it (a name rebound at the next step) needs its own array only
    if it reads its partials, which then computes them again from its graph (whose
    leaves and factors nothing writes before it is computed: the module's invariant).
    """
    if type(p) is not Deferred:
        np.copyto(into, p)
        return
    node = p.node
    with _lock:
        if node.result is None and node.kids is None:
            _unkept(node)
        if node.result is None and type(node) is not _Gradient and into.flags.c_contiguous and \
                into.shape == node.shape + (node.n,):
            key, nodes, leaves, arrays, numbers = _plan(node)
            fn = _kernel(key, math.prod(node.shape) * node.n, leaves)
            if fn is not None:
                fn(*_arguments(into, [], _outputs(key, nodes), leaves, arrays, numbers))
                return
            _interpret(nodes, node.shape, node.n)
        np.copyto(into, concrete(p))


def add_into(value, target, d, sign, keep=True):
    """``target += sign * d`` for the pending partials ``d`` of ``target``'s shape, in
    the one pass that computes ``d`` (kept as its result, unless ``keep`` is false:
    nothing but the caller holds ``d``, which it drops), or ``False`` having written
    nothing (then the caller computes ``d`` and adds it).

    ``target`` is the partials of the dual being written and ``value`` its value
    (written by the caller afterwards).  Every other pending expression that reads
    them is materialized first; the pending expressions inside ``d``'s graph are
    computed in the pass (those a dual holds are written too).  The pass is taken
    when every leaf of ``d``'s graph that reads ``target``'s memory reads it as
    ``target``'s own rows, rows ahead (not written yet when read) or up to
    :data:`MAX_LAG` rows behind (the kernel reads those from a ring of the rows as
    they were: a stencil ``x[1:-1] += f(x[2:], x[1:-1], x[:-2])``), and no factor array
    shares ``target``'s memory.
    """
    node = d.node
    if node.result is not None or type(node) is _Gradient or type(target) is not np.ndarray or \
            target.dtype != _f64 or target.shape != node.shape + (node.n,) or \
            not target.flags.writeable or not (target.ndim == 2 or target.flags.c_contiguous):
        return False
    with _lock:
        if type(value) is not np.ndarray:
            before_write(value, target, spare=d)
        rows, n = math.prod(node.shape), node.n
        while True:
            if not _pending(node):
                return False
            order = _order(node)
            drop = _unread(order[0])
            plan = _plan(node, 1 if sign > 0 else -1,
                         lambda leaves, starts: _kinds(leaves, starts, target, rows), keep,
                         drop, order)
            order = None
            if plan is None:
                return False
            for a in plan[3]:
                if _may_share(a, target):
                    return False
            # the other pending expressions that read what is written, computed first;
            # their passes may compute nodes of d's graph a dual holds: planned again
            if not PENDING or not _readers((value, target), {id(x) for x in plan[1]}):
                break
        key, nodes, leaves, arrays, numbers = plan
        fn = _kernel(key, rows * n, leaves)
        if fn is None:
            return False
        ring = _RINGS.get(key[1])
        if ring is None:
            if len(_RINGS) > 256:
                _RINGS.clear()
            lags = [_fusedgen.lag(kind) for kind in key[1]]
            top = max(lags, default=0)
            ring = _RINGS[key[1]] = (top, lags.index(top) if top else -1)
        ring, j = ring
        # rows K..1 before target's first, as the leaf of lag K reads them
        held = [] if not ring else [leaves[j][0].reshape(rows, n)[:ring].copy()]
        out = _buffers.empty(target.shape) if keep else target
        fn(*_arguments(out, [target] + held, _outputs(key, nodes), leaves, arrays, numbers))
        node.result, node.kids = (out if keep else None), None
        for t in nodes:             # duals nothing reads any more: not computed (_unread)
            if t.result is None and id(t) in drop:
                t.kids, t.dropped = None, drop[id(t)]
        if not keep:                # nothing to compute any more: off the pending list
            PENDING[:] = [r for r in PENDING if r() is not d]
        return True


def _unkept(node):
    """Raise for the partials of ``node``, which :func:`add_into` did not keep."""
    if node.dropped is None:
        raise RuntimeError("dualgrad internal error: the partials of an expression "
                           "added in place were not kept (please report it)")
    raise TypeError(
        f"dualgrad: the partials of the array dual that f's variable {node.dropped!r} "
        f"held were not kept: f rebinds {node.dropped!r} before reading it again, so "
        f"the in-place update that read it last did not store them, and something "
        f"outside f's code (a debugger, locals(), a frame's f_locals) read that dual "
        f"afterwards. Read it in f after the update (or hold it in a list) to keep "
        f"them, or use dualgrad.engine('eager')")


# Python versions whose frames' f_locals is a snapshot dict of the fast locals (held by
# the frame): what :func:`_unread`'s count of a dual's references assumes (checked
# on CPython 3.11 by tests/test_fused_unread.py; elsewhere the store is kept)
_SNAPSHOT_LOCALS = sys.implementation.name == "cpython" and sys.version_info[:2] == (3, 11)
# names in a code object by which it may read its own frame's variables other than by
# LOAD_FAST: such code is not looked into
_INTROSPECTING = frozenset({"locals", "vars", "eval", "exec", "breakpoint", "_getframe",
                            "currentframe", "f_locals", "settrace", "dir"})
_REBOUND = {}               # (id(code), offset, name) -> (code, does every path rebind it first?)


def _unread(nodes):
    """The inner pending nodes of an :func:`add_into` graph (``nodes``, :func:`_order`'s,
    the root last) whose dual nothing can read any more from f's code:
    ``{id(node): name}``.

    Such a node's dual is held by one variable ``name`` of the frame that runs the
    in-place operator (the first frame outside dualgrad), by nothing else (its
    references, its partials' and its node's counted: a list, a dict, a closure's
    cell, a global, another name, a view or another pending expression over it each
    add one), and every path of that frame's code from the operator on stores
    ``name`` again (or deletes it, or returns) before it loads it (:func:`_rebound`).
    The pass then need not store its partials (``lap`` in the slicing heat step:
    ``lap = u[2:] - 2.0 * u[1:-1] + u[:-2]; u[1:-1] += kappa * lap + ...``, whose
    pass overwrites the rows ``lap``'s graph reads); a read from outside the code
    (a debugger, ``locals()``) raises :func:`_unkept`'s TypeError.  Not taken under
    a trace or profile function, or where a snapshot of the frame's variables is not
    how this Python gives them."""
    if not _SNAPSHOT_LOCALS or sys.gettrace() is not None or sys.getprofile() is not None:
        return {}
    held = [t for t in nodes[:-1] if t.handle is not None and t.handle() is not None]
    if not held:
        return {}
    frame = sys._getframe(1)
    while frame is not None and (frame.f_globals.get("__name__") or "").partition(".")[0] \
            == "dualgrad":
        frame = frame.f_back
    if frame is None:
        return {}
    code = frame.f_code
    if code.co_flags & 3 != 3 or not _INTROSPECTING.isdisjoint(code.co_names):
        return {}                                   # (CO_OPTIMIZED | CO_NEWLOCALS)
    names = frame.f_locals                          # a snapshot the frame holds
    if sys.getrefcount(names) > 3:
        # (the frame's, this name's, the argument's): user code keeps the frame's dict
        # (`env = sys._getframe(1).f_locals`, a kept locals()), where a dual may be read
        # and which the emptying below would clear under it (attack47b 03)
        return {}
    try:
        return _held_by(names, held, nodes, code, frame.f_lasti)
    finally:
        # emptied: the frame's dict would hold every variable (the dual this pass
        # leaves unstored among them) until f_locals is read again; the next step's
        # arrays could not reuse their memory (the slicing heat step: ~10 % slower)
        names.clear()


def _held_by(names, held, nodes, code, offset):
    """:func:`_unread`'s count for the nodes ``held`` (a dual holds each) of the
    graph ``nodes``, ``names`` the snapshot of the variables of the frame running
    ``code`` at ``offset``."""
    found = {}
    closed = None                   # the code's cell and free names (3.11 builds them per read)
    for name, v in names.items():
        slot = _SLOTS.get(type(v), False)
        if slot is False:
            slot = _slot(type(v))
        if slot is not None:
            if closed is None:
                closed = frozenset(code.co_cellvars + code.co_freevars)
            if name in closed:
                continue
            try:
                p = slot.__get__(v)
            except AttributeError:
                continue
            if type(p) is Deferred:
                found[id(p)] = (name, v)
    v = p = None
    unread = {}
    readers = None
    for t in held:
        d = t.handle()
        entry = found.get(id(d))
        if entry is None:
            continue
        name, v = entry
        if readers is None:
            readers = _kid_readers(nodes)
        uses = len(readers.get(id(t), ()))
        # the dual: its variable, the snapshot, ``v``, ``entry``'s tuple, the argument;
        # its partials: the dual's slot, ``d``, the argument; the node: its partials'
        # slot, the kids that read it, ``nodes``, ``held``, ``t``, the argument
        if sys.getrefcount(v) == 5 and sys.getrefcount(d) == 3 and \
                sys.getrefcount(t) == 5 + uses and _private_readers(t, nodes, readers) and \
                _rebound(code, offset, name):
            unread[id(t)] = name
        del d, v, entry
    return unread


def _kid_readers(nodes):
    """For the graph ``nodes``: ``{id(x): [j, ...]}``, the positions in ``nodes`` of the
    nodes whose kids read ``x``, once per such kid.  (Positions and ids only: the map
    holds no reference to a node, whose reference counts :func:`_held_by` and
    :func:`_private_readers` read.)"""
    readers = {}
    for j, u in enumerate(nodes):
        if u.kids:
            for kid in u.kids:
                got = readers.get(id(kid[2]))
                if got is None:
                    readers[id(kid[2])] = [j]
                else:
                    got.append(j)
    return readers


def _private_readers(t, nodes, readers=None):
    """Whether every node of the graph ``nodes`` that reads ``t``, and every reader of
    those up to the root, is an intermediate that no dual holds and no node outside the
    graph reads (its references: the kids of this graph that read it, ``nodes``, the
    loop's name, the argument): the pass consumes them all, so none stays pending to
    read ``t``'s rows later.  (A reader another pending expression shares, ``flux``
    kept in a list as ``flux * flux`` before its name was rebound, would: attack47b
    01.)  ``readers``: :func:`_kid_readers` of ``nodes``, if the caller has it (the walk
    follows it: one step per kid, where a scan of every node per step was quadratic)."""
    if readers is None:
        readers = _kid_readers(nodes)
    root = nodes[-1]
    stack, seen = [t], set()
    while stack:
        x = stack.pop()
        for j in readers.get(id(x), ()):
            w = nodes[j]
            if w is root or id(w) in seen:
                continue
            seen.add(id(w))
            if w.handle is not None and w.handle() is not None or \
                    sys.getrefcount(w) != 3 + len(readers.get(id(w), ())):
                return False
            stack.append(w)
    return True


_MEMBER = type(Deferred.node)       # a slot's descriptor type
_SLOTS = {}                         # type -> its ``_p`` slot (a dualgrad class's) or None


def _slot(kind):
    """The ``_p`` slot descriptor of the class ``kind`` if it is one of dualgrad's
    (no user code runs: a user's class is not asked for the attribute), else ``None``;
    kept per class."""
    slot = None
    if str(kind.__dict__.get("__module__", "")).startswith("dualgrad.") or \
            any(str(b.__dict__.get("__module__", "")).startswith("dualgrad.")
                for b in kind.__mro__[1:] if b is not object):
        for b in kind.__mro__:
            got = b.__dict__.get("_p")
            if got is not None:
                slot = got if type(got) is _MEMBER else None
                break
    if len(_SLOTS) > 256:
        _SLOTS.clear()
    _SLOTS[kind] = slot
    return slot


def _rebound(code, offset, name):
    """Does every path of ``code`` after its instruction at ``offset`` store or delete
    the local ``name`` (or return) before any instruction reads it?  Exception
    edges (the code's exception table) are paths too; an instruction that may read
    a frame's variables some other way says no.  Kept per ``(code, offset, name)``
    (keyed by the code's id, the entry holding the code itself: a code object hashes
    its contents, ~0.5 us)."""
    key = (id(code), offset, name)
    got = _REBOUND.get(key)
    if got is None or got[0] is not code:
        try:
            got = _paths_rebind(code, offset, name)
        except Exception:                               # pragma: no cover
            got = False
        if len(_REBOUND) > 256:
            _REBOUND.clear()
        got = _REBOUND[key] = (code, got)
    return got[1]


_ENDS = frozenset({"RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS", "RERAISE",
                   "JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT",
                   "JUMP_ABSOLUTE", "JUMP", "JUMP_NO_INTERRUPT"})
_OPAQUE = frozenset({"LOAD_LOCALS", "LOAD_NAME", "IMPORT_STAR", "LOAD_CLASSDEREF",
                     "LOAD_FROM_DICT_OR_DEREF", "LOAD_FROM_DICT_OR_GLOBALS", "DELETE_NAME",
                     "STORE_NAME"})


def _paths_rebind(code, offset, name):
    """:func:`_rebound`'s search: every instruction reachable from the one after
    ``offset`` (fall-through, jump targets, exception handlers) up to a store or
    delete of ``name``."""
    import dis
    instructions = list(dis.get_instructions(code))
    at = {ins.offset: k for k, ins in enumerate(instructions)}
    if offset not in at:
        return False
    entries = dis.Bytecode(code).exception_entries
    jumps = set(dis.hasjrel) | set(dis.hasjabs)

    def after(k):
        ins = instructions[k]
        out = [e.target for e in entries if e.start <= ins.offset < e.end]
        if ins.opcode in jumps:
            out.append(ins.argval)
        if ins.opname not in _ENDS and k + 1 < len(instructions):
            out.append(instructions[k + 1].offset)
        return out
    stack, seen = after(at[offset]), set()
    while stack:
        where = stack.pop()
        if where in seen:
            continue
        seen.add(where)
        k = at.get(where)
        if k is None:
            return False
        ins = instructions[k]
        if ins.opname in _OPAQUE:
            return False
        if "FAST" in ins.opname or "DEREF" in ins.opname or "CLOSURE" in ins.opname:
            args = ins.argval if type(ins.argval) is tuple else (ins.argval,)
            if name in args:
                if ins.opname in ("STORE_FAST", "DELETE_FAST"):
                    continue                     # rebound here: this path ends
                return False                     # read (or anything else)
        if ins.opname in ("RETURN_VALUE", "RETURN_CONST"):
            continue
        stack.extend(after(k))
    return True


# Rows behind its own at most that a leaf of ``a += d`` may read ``a``'s memory (a
# stencil's reach) in :func:`add_into`'s pass.
MAX_LAG = 8
# leaves' kinds -> (the largest lag K, the first leaf of lag K or -1): add_into's ring,
# found once per structure, not per pass
_RINGS = {}


def _rows2(a, rows, n):
    """The strides of ``a`` (``rows x n`` elements, 2-D or C-contiguous) as ``rows x n``."""
    return a.strides if a.ndim == 2 else (n * a.itemsize, a.itemsize)


def _kinds(leaves, starts, target, rows):
    """The leaves' kinds for ``target += d`` in one pass (see :func:`add_into`), or
    ``None`` when a leaf reads ``target``'s memory otherwise than as its rows, rows
    ahead or up to :data:`MAX_LAG` rows behind.  ``starts``: the leaves' addresses.
    A leaf of ``target``'s own rows is ``"o"``, one up to :data:`MAX_LAG` rows ahead
    ``"f<m>"`` and behind ``"b<m>"`` (the kernel carries those rows from element to
    element: ``_fusedgen.source``); farther ahead ``"m"``, read from memory."""
    n = target.shape[-1]
    step, item = _rows2(target, rows, n)
    start = _address(target)
    kinds = []
    for (q, o), where in zip(leaves, starts):
        kind = "r" if q.ndim == 1 else "s" if o else "m"
        if _may_share(q, target):
            if kind != "m" or _rows2(q, rows, n) != (step, item) or item != 8 or \
                    step < n * item:
                return None
            ahead, rest = divmod(where - start, step)
            if rest or ahead < -min(MAX_LAG, rows):
                return None
            if ahead < 0:
                kind = f"b{-ahead}"
            elif ahead == 0:
                kind = "o"
            elif ahead <= MAX_LAG:
                kind = f"f{ahead}"
        kinds.append(kind)
    return kinds


def _kernel(key, work, leaves, check=None, nodes=None):
    """The compiled kernel for ``key``, or ``None`` while the structure should be
    interpreted: below :data:`MIN_WORK` partials elements, until it has been met
    for :data:`COMPILE_AFTER` work (which also loads numba), while the process has
    not loaded numba when an earlier process compiled it (the work of the graphs
    interpreted meanwhile counts towards the load: :mod:`dualgrad.backend._loader`),
    whenever a leaf is a seed made dense for lack of numba (:func:`dense_seed`: the
    next call's seed, deferred, makes another structure), and for good when its kernel
    failed :func:`_check` (``leaves``: the graph's, as :func:`_plan` gives them;
    ``check``: another test of the same signature; ``nodes``: the graph's node
    count, for keys of another form)."""
    fn = _fusedgen.compiled_kernel(key)
    if fn is None and work >= MIN_WORK and key not in _failed:
        nodes = len(key[2]) if nodes is None else nodes
        times, done = _seen.get(key, (0, 0))
        times, done = _seen[key] = times + 1, done + work * nodes
        due = times >= COMPILE_TIMES and done >= COMPILE_AFTER      # a compile's worth
        if _DENSE and any(_dense(q) for q, o in leaves):
            # met again alike, it would be due: the next call loads numba (deferred seeds)
            if times + 1 >= COMPILE_TIMES and done + work * nodes >= COMPILE_AFTER:
                _loader.soon()
            return None
        if due:
            _loader.load()
        if due or _fusedgen.on_disk(key) and (_loader.READY or
                                              _loader.ready(work * nodes)):
            del _seen[key]
            fn = _fusedgen.kernel(key)
            with _fusedgen.vectorizing():      # compiles (or loads) the usual signature
                good = (check or _check)(key, fn)
            if not good:
                _fusedgen.forget(key)
                _failed.add(key)
                warnings.warn(
                    "dualgrad: a generated fused kernel disagreed with the eager engine on "
                    "test data; this expression is propagated operation by operation "
                    "instead (please report it with your numba version)", RuntimeWarning,
                    stacklevel=4)
                fn = None
    return fn


def columns(d, picks, probes):
    """Chosen directions of the pending partials ``d``, each written into an array of
    ``d``'s value shape by one kernel pass that writes nothing of partials size, and
    the probe checks of :func:`dualgrad.elementwise_grad`; or ``None`` (nothing
    computed: the caller materializes ``d``).

    ``picks``: direction numbers ``s``; ``probes``: per pick ``None`` or a sequence
    of float64 arrays of the value's shape, the ``p``-th of which checks direction
    ``s + 1 + p``; a pick's count is of the (element, probe) pairs where that
    direction is not ``probe * `` direction ``s`` (``!=``: NaN counts too).  Returns
    ``(arrays, counts)``.  ``d`` itself stays pending (its graph is untouched: the
    invariant holds as for any other read), so a caller that finds a count can
    still materialize it and look closer.
    """
    node = d.node
    probes = [() if p is None else tuple(p) for p in probes]
    if node.result is not None or type(node) is _Gradient or any(
            type(q) is not np.ndarray or q.dtype != _f64 or q.shape != node.shape
            for p in probes for q in p):
        return None
    with _lock:
        if node.result is not None:
            return None
        if node.kids is None:
            _unkept(node)
        key, nodes, leaves, arrays, numbers = _plan(node)
        computed = [bool(p) and all(_code(q) == k for k, q in enumerate(p)) for p in probes]
        ckey = _fusedgen.columns_structure(key, [(s, len(p), c) for s, p, c in
                                                 zip(picks, probes, computed)])
        rows = math.prod(node.shape)
        fn = _kernel(ckey, rows * node.n, leaves, _check_columns, len(nodes))
        if fn is None:
            return None
        got = [np.empty(node.shape) for _ in picks]        # the caller's results
        counts = np.zeros(len(picks), dtype=np.int64)
        head = [np.empty(node.n), counts] + [g.reshape(rows) for g in got]
        fn(*_arguments(None, [], _outputs(key, nodes), leaves, arrays, numbers,
                       head=head, probes=[_rows_view(q, rows) for p, c in zip(probes, computed)
                                          if not c for q in p]))
        return got, counts


def _test_graph(rng, specs, leaves, arrays, numbers, shape, n):
    """The kernel checks' test graph for a structure's node ``specs`` over ``leaves``:
    ``arrays`` factor arrays with inf and NaN, ``numbers`` numbers; returns
    ``(factors, values, nodes)``."""
    factors = []
    block = _fusedgen.BLOCK
    for _ in range(arrays):
        a = rng.standard_normal(shape)
        a[::5], a[1::7] = np.inf, np.nan
        if shape[0] > 4 * block:         # blocks 1-3 finite: the loop without tests
            middle = a[block:4 * block]
            middle[~np.isfinite(middle)] = 0.5
        factors.append(a)
    values = [float(v) for v in rng.standard_normal(numbers)]
    nodes = []
    for spec in specs:
        kids = []
        for coef, (kind, j) in spec:
            s, a = (1.0, None) if coef == "1" else (-1.0, None) if coef == "-" else \
                (values[coef[1]], None) if coef[0] == "c" else \
                (1.0, factors[coef[1]]) if coef[0] == "a" else \
                (1.0, _fusedgen.codes(math.prod(shape), coef[1] + 1)[coef[1]]) \
                if coef[0] == "q" else \
                (1.0, Local(coef[1], [None if r is None else factors[r[1]] if r[0] == "a"
                                      else values[r[1]] for r in coef[2]], *coef[3:]))
            t, o = (nodes[j], 0) if kind == "t" else leaves[j]
            kids.append((s, a, t, o))
        nodes.append(_Node(kids, shape, n, 1))
    return factors, values, nodes


def _check_columns(ckey, fn):
    """:func:`_check` for a kernel of :func:`columns`: its picks and counts against
    the eager engine's evaluation of the same test data (its own leaves, factors
    with inf and NaN, unit rows where the structure has them)."""
    _, picks, key = ckey
    n_key, kinds, specs, numbers, arrays, outputs = key[0], key[1], key[2], key[3], \
        key[4], key[6]
    n = n_key or max(_fusedgen.UNROLL + 1, max(s + m for s, m, c in picks) + 1)
    rows = _check_rows(kinds)
    rng = np.random.default_rng(7)
    shape = (rows,)
    leaves = []
    for kind in kinds:
        q = rng.standard_normal(n if kind == "r" or kind[0] == "u" else (rows, n))
        q[rng.random(q.shape) < 0.3] = 0.0
        if kind[0] == "u":
            q[:] = 0.0
            q[int(kind[1:]) % n] = 1.0
        elif kind != "r":
            q[9:12] *= 1e300       # rows at ROOM and beyond, and overflowing (counted)
        leaves.append((q, _check_shift(rng, rows, kinds[:len(leaves)].count("s"))
                       if kind == "s" else 0))
    factors, values, nodes = _test_graph(rng, specs, leaves, arrays, numbers, shape, n)
    held = [Deferred(nodes[j]) for j in outputs]     # the eager engine keeps their arrays
    with np.errstate(all="ignore"):
        expected = _interpret(nodes, shape, n)
        probes, counts = [], []
        codes = _fusedgen.codes(rows, max((m for s, m, c in picks if c), default=0))
        for s, m, c in picks:
            count = 0
            for p in range(m):
                if c:                              # the kernel computes these
                    q = codes[p]
                else:
                    q = np.ldexp(1.0, rng.integers(-3, 4, rows))
                    q[::3] = expected[::3, s + 1 + p] / np.where(expected[::3, s] == 0, 1.0,
                                                                 expected[::3, s])
                    probes.append(q)
                count += int(np.sum(expected[:, s + 1 + p] != q * expected[:, s]))
            if m:
                t = np.abs(expected[:, s])
                count += int(np.sum((t >= _fusedgen.ROOM) & (t != np.inf)))
            counts.append(count)
    got = [np.empty(rows) for _ in picks]
    found = np.zeros(len(picks), dtype=np.int64)
    inner = [np.empty((rows, n)) for _ in outputs]
    fn(*_arguments(None, [], inner, leaves, factors, values,
                   head=[np.empty(n), found] + got, probes=probes))
    return all(np.array_equal(g, expected[:, s], equal_nan=True)
               for g, (s, m, c) in zip(got, picks)) and list(found) == counts and \
        all(np.array_equal(p, d.node.result, equal_nan=True) for p, d in zip(inner, held))


def _check_rows(kinds):
    """The rows of a kernel check's test data for leaves of ``kinds``: 64, or with a
    shifted leaf or a leaf of ``acc``'s memory 5 blocks and 9 rows, blocks 1-3 with
    finite factors (:func:`_test_graph`), where the shifted leaves wrap
    (:func:`_check_shift`): a block across a wrap tests its elements one by one, the
    others run the loop without tests, which reads a shifted leaf's rows at the
    block's offset and carries ``acc``'s rows behind and ahead from element to element
    (``_fusedgen.source``): blocks 1-3 check that loop, its hand-over to and from
    the loop that tests (blocks 0 and 4) and from one such block to the next."""
    return 5 * _fusedgen.BLOCK + 9 if any(
        kind == "s" or kind == "o" or kind[0] in "bfv" for kind in kinds) else 64


def _check_shift(rng, rows, m):
    """The shift of the ``m``-th shifted leaf in a kernel check's test data: its rows
    wrap inside block 1 (``m`` even) or 3 (odd), whose factors are finite, so that
    block 2 and one of those reads it at the block's offset, and the other tests the
    elements across the wrap one by one."""
    rng.integers(1, rows)                              # (the draws after, as before)
    block = _fusedgen.BLOCK
    return rows - (block + 20 + m if m % 2 == 0 else 3 * block + 30 + m)


def _check(key, fn):
    """Does the kernel ``fn`` give, bit for bit, what the eager engine gives for the
    structure ``key`` on test data (zero partials, inf and NaN factors, shifted
    rows: both of its loops; for a kernel that adds into ``acc``, leaves that read
    ``acc``'s own rows and rows behind, as :func:`add_into` passes them)?  Run once per
    structure and process, on 64 rows (:func:`_check_rows`), with the arguments' usual
    types, so it is also the call that compiles them."""
    n_key, kinds, specs, numbers, arrays, accumulate, outputs, keep = key
    n, rows = n_key or _fusedgen.UNROLL + 1, _check_rows(kinds)
    rng = np.random.default_rng(7)
    shape = (rows,)
    lags = [_fusedgen.lag(kind) for kind in kinds]
    leads = [_fusedgen.lead(kind) for kind in kinds]
    ring, reach = max(lags, default=0), max(leads, default=0)
    memory = rng.standard_normal((ring + rows + reach, n))   # acc: its rows around
    memory[rng.random(memory.shape) < 0.3] = 0.0
    target = memory[ring:ring + rows] if accumulate else None
    leaves, olds = [], []                  # what the kernel reads; the same, unwritten
    spans = {}                             # "v" leaves: their anchor's memory, rows ahead
    for kind in kinds:
        if _fusedgen.view(kind):
            a, m = _fusedgen.view(kind)
            spans[a] = max(spans.get(a, 0), m)
    anchors = {}
    for j, kind in enumerate(kinds):
        if lags[j] or leads[j] or kind == "o":
            start = ring - lags[j] + leads[j]    # acc, rows behind, its own or ahead
            q = memory[start:start + rows]
        elif j in spans or _fusedgen.view(kind):
            a, m = _fusedgen.view(kind) or (j, 0)
            if a not in anchors:
                anchors[a] = rng.standard_normal((rows + spans[a], n))
                anchors[a][rng.random(anchors[a].shape) < 0.3] = 0.0
            q = anchors[a][m:m + rows]
        else:
            q = rng.standard_normal(n if kind == "r" or kind[0] == "u" else (rows, n))
            q[rng.random(q.shape) < 0.3] = 0.0
            if kind[0] == "u":                     # what the kernel takes it to be
                q[:] = 0.0
                q[int(kind[1:]) % n] = 1.0
        o = _check_shift(rng, rows, kinds[:j].count("s")) if kind == "s" else 0
        leaves.append((q, o))
        olds.append((q.copy(), o))
    factors, values, nodes = _test_graph(rng, specs, olds, arrays, numbers, shape, n)
    held = [Deferred(nodes[j]) for j in outputs]     # the eager engine keeps their arrays
    with np.errstate(all="ignore"):
        expected = _interpret(nodes, shape, n)
        after = None if target is None else target + expected if accumulate > 0 else \
            target - expected
    out = np.empty((rows, n)) if keep else target
    inner = [np.empty((rows, n)) for _ in outputs]
    accumulated = [] if target is None else [target] + ([memory[:ring].copy()] if ring else [])
    fn(*_arguments(out, accumulated, inner, leaves, factors, values))
    return (not keep or np.array_equal(out, expected, equal_nan=True)) and \
        all(np.array_equal(p, d.node.result, equal_nan=True) for p, d in zip(inner, held)) and \
        (target is None or np.array_equal(target, after, equal_nan=True))


def _outputs(key, nodes):
    """Arrays for the inner nodes a dual still holds, which the kernel writes too:
    their partials are computed once, in this pass, not again when asked for (a
    state kept in a list at every step).  (The plan leaves out those that
    :func:`_left` keeps pending.)"""
    arrays = []
    for j in key[6]:
        node = nodes[j]
        node.result, node.kids = _buffers.empty(node.shape + (node.n,)), None
        arrays.append(node.result)
    return arrays


def _arguments(out, accumulated, outputs, leaves, arrays, numbers, head=None, probes=()):
    """A kernel's arguments (see :func:`dualgrad.backend._fusedgen.source`);
    ``accumulated``: ``acc`` and ``H`` where the kernel takes them; ``head`` and
    ``probes``: a picks kernel's (``out`` is ``None`` then)."""
    if out is None:
        rows, n = head[2].shape[0], head[0].shape[0]
    else:
        rows, n = math.prod(out.shape[:-1]), out.shape[-1]
        head = [out if out.ndim == 2 else out.reshape(rows, n)]
    # (an array already of the kernel's shape goes as it is: a partials array of 2 axes
    # is ``rows x n`` here, as :func:`_source` took it; no view made per argument)
    return head + [a if a.ndim == 2 else a.reshape(-1, n) for a in accumulated] + \
        [p if p.ndim == 2 else p.reshape(rows, n) for p in outputs] + \
        [q if q.ndim <= 2 else q.reshape(rows, n) for q, o in leaves] + \
        [o for q, o in leaves if o and q.ndim > 1] + \
        [a if a.ndim == 1 and a.strides[0] == a.itemsize else _rows_view(a, rows)
         for a in arrays] + list(probes) + numbers


def _rows_view(a, rows):
    """A factor array as ``rows`` contiguous elements.  (An array of one axis whose
    stride is its item's size is that already: :func:`_arguments` passes it without
    asking for its flags.)"""
    if a.flags.c_contiguous:
        return a if a.ndim == 1 else a.reshape(rows)
    return np.ascontiguousarray(a).reshape(rows)


def _interpret(nodes, shape, n):
    """The nodes' partials one by one with the eager engine's ``combine``.  A node a
    dual still holds keeps its array (it is a leaf for the expressions that share
    it); the others' arrays are temporaries of this pass."""
    with np.errstate(all="ignore"):       # quiet, as the eager engine's partials are
        rows = math.prod(shape)
        done, uses = {}, {}
        for node in nodes:
            for s, a, t, o in node.kids:
                uses[id(t)] = uses.get(id(t), 0) + 1
        for node in nodes:
            factors, partials = [], []
            for s, a, t, o in node.kids:
                if type(t) is not _Node:
                    q = t
                elif t.result is not None:
                    q = t.result
                else:
                    q = done[id(t)]
                    uses[id(t)] -= 1
                    if not uses[id(t)]:
                        del done[id(t)]            # its last reader: back to the pool
                if o:
                    q = np.roll(q.reshape(rows, n), -o, axis=0).reshape(shape + (n,))
                if type(a) is Local and a.quotient is not None:
                    s, a, q = 1.0, None, a.times(q, shape, n)   # (its two steps)
                factors.append(s if a is None else a.array() if type(a) is Local else a)
                partials.append(q)
            q = combine(factors, partials, shape, n)
            if node is nodes[-1] or node.handle is not None and node.handle() is not None:
                node.result, node.kids = q, None
            else:
                done[id(node)] = q
            del factors, partials, q
        return nodes[-1].result
