"""The fused engine: partials deferred as a sum of factors times source partials.

Values stay eager (NumPy computes them, so control flow on values works and the
bits are NumPy's).  Inside a helper call, a float64 ufunc on array duals of at
least :data:`MIN_WORK` partials elements does not compute its partials: it
records them as a :class:`Deferred`, ``sum_j f_j[..., None] * q_j`` over concrete
source partials arrays ``q_j`` (array duals' partials, views included, and scalar
duals' rows) with factors ``f_j`` of the value's shape (or numbers), computed by
NumPy when the operation runs.  An operation on a deferred operand composes its
local derivative into the operand's factors (value-sized work, ``n`` times
smaller than the partials), so a chain of elementwise operations ends as one
expression over the chain's sources, and one generated kernel
(:mod:`dualgrad.backend._fused_kernels`) moves the partials once when something needs
them.

Safety invariant
----------------
1. A deferred partials array is never visible: the ``partials`` attribute of an
   array dual is a property that materializes it; only the fusion-aware paths
   (the ufunc dispatch, the operators, basic indexing) read the private slot, and
   they materialize before handing anything out.
2. No source array (and no factor array) of a pending expression is written
   before that expression is materialized.  Sources are other duals' partials
   and factors are local derivatives (sometimes an operand's or the result's
   value), so every write into a dual's arrays first materializes every pending
   expression with a source or factor that may share memory with the written
   value or partials (:func:`before_write`, NumPy's bounds test): item assignment
   (which ``out=``, ``np.copyto`` and in-place writes through views use), the
   in-place operators, ``ufunc.at``; calling users' numba code on duals
   materializes everything.
   Nothing else in dualgrad writes into an existing dual's arrays (new results
   get new arrays); ``tests/test_fused.py`` checks each of these paths.  The
   buffer pool never hands out a source: a pending expression holds a reference
   to each of its sources, and the pool reuses only buffers nothing else refers
   to.
3. A ``partials`` array read by code outside dualgrad (a user's ``f``, numba
   unboxing a dual for a user's jitted function) may be written at any later
   time, where no hook sees it: such a read materializes everything and turns
   deferral off until the outermost helper call returns.  (Writing by hand into
   the ``value`` array of a dual changes a value without its derivative, with
   either engine; it is outside what dualgrad can check.)
4. Nothing is deferred outside a helper call, and everything pending is
   materialized when the outermost one returns, so no expression outlives it.

One lock guards the pending list and every materialization, so threads that
share duals see the same rule.

The engine is chosen by the environment variable ``DUALGRAD_ENGINE``
(``fused``: deferring at every size;
``eager``; ``auto``, the default, which fuses from :data:`MIN_WORK` only if
:data:`AUTO_FUSES`: off, as bench/bench_fused.py measured fusion slower on a quiet
machine) and by :func:`engine` (a context manager).
"""

import contextlib
import math
import os
import threading
import weakref

import numpy as np

from . import _buffers

__all__ = ["Deferred", "engine", "current", "scope", "begin", "end", "flush", "concrete",
           "defer", "roll", "read", "before_write", "ACTIVE", "PENDING", "MIN_WORK",
           "MAX_SOURCES", "kernels_compiled"]

# Partials elements (N * n) from which an operation is deferred; smaller ones stay
# eager (the bookkeeping costs a few microseconds).  From bench/bench_fused.py.
MIN_WORK = 1 << 14
MAX_SOURCES = 8                     # as many as dualgrad._fused_kernels has kernels for

_ENGINES = ("auto", "fused", "eager")
_engine = os.environ.get("DUALGRAD_ENGINE", "auto")
if _engine not in _ENGINES:
    raise ValueError(f"DUALGRAD_ENGINE: expected one of {', '.join(_ENGINES)}, "
                     f"got {_engine!r}; unset it for the default (auto)")

_lock = threading.RLock()
PENDING = []                # weak references to the deferred expressions not materialized
ACTIVE = [False, MIN_WORK]  # deferring now (fused engine, inside a helper, nothing
#                             exposed), and from how many partials elements
_depth = 0
_exposed = False
_kernels = None
_f64 = np.dtype(np.float64)


class Deferred:
    """Partials ``sum_j f_j[..., None] * q_j`` of shape ``shape + (n,)``, not yet computed.

    ``terms`` maps a source's identity to ``[number, factor array or None, source,
    offset]`` (the term ``number * factor[..., None] * source``, the source's rows
    read ``offset`` further on, wrapping around: ``np.roll``); ``result`` is the
    materialized array once something asked for it.
    """

    __slots__ = ("terms", "shape", "n", "result", "__weakref__")

    def __init__(self, terms, shape, n):
        self.terms, self.shape, self.n, self.result = terms, shape, n, None


# Whether ``auto`` (the default) defers.  bench/bench_fused.py on a quiet machine
# measured the fused engine 1.05-1.19x the eager one's time on the three heat
# formulations (0.67-0.81x only while the machine was loaded), so auto is eager
# until a measured case favours fusion.
AUTO_FUSES = False


def _update():
    fuses = _engine == "fused" or _engine == "auto" and AUTO_FUSES
    ACTIVE[0] = fuses and _depth > 0 and not _exposed
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
        ``"fused"`` defers chains of elementwise operations on array duals and
        moves their partials in one generated kernel when something needs them (the
        test suite runs once this way); ``"eager"`` propagates operation by
        operation; ``"auto"`` (the default) is eager for now, because the fused
        engine measured slower on a quiet machine (``bench/bench_fused.py``).  Results agree to rounding.  The environment
        variable ``DUALGRAD_ENGINE`` sets the default.

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
    old, _engine = _engine, name
    _update()
    try:
        yield
    finally:
        flush()
        _engine = old
        _update()


def begin():
    """A helper call starts evaluating ``f`` (nesting allowed)."""
    global _depth
    with _lock:
        _depth += 1
        _update()


def end():
    """The matching end: the outermost one materializes everything still pending."""
    global _depth, _exposed
    with _lock:
        _depth -= 1
        if _depth == 0:
            flush()
            _exposed = False
        _update()


class scope:
    """``with scope():`` a helper evaluates ``f``: the buffer pool serves and the
    fused engine defers inside the block (the door's ``backend.scope``)."""

    __slots__ = ()

    def __enter__(self):
        _buffers.begin()
        begin()

    def __exit__(self, *exc):
        try:
            end()
        finally:
            _buffers.end()


def flush():
    """Materialize every pending expression (before any write into a dual's arrays)."""
    if not PENDING:
        return
    with _lock:
        refs = PENDING[:]
        del PENDING[:]
        for ref in refs:
            d = ref()
            if d is not None and d.result is None:
                materialize(d)


def before_write(*arrays):
    """Materialize every pending expression that reads memory ``arrays`` (a dual's
    value and partials about to be written) may share; with no arrays, all of them.

    Expressions over other memory stay pending, so threads evaluating separate
    chunks do not materialize each other's (their results stay bit for bit those
    of a serial run).
    """
    if not PENDING:
        return
    targets = [a for a in arrays if type(a) is np.ndarray]
    if not targets or len(targets) != len(arrays):
        flush()
        return
    with _lock:
        keep = []
        for ref in PENDING:
            d = ref()
            if d is None or d.result is not None:
                continue
            if any(x is not None and np.may_share_memory(x, t)
                   for term in d.terms.values() for x in (term[1], term[2])
                   for t in targets):
                materialize(d)
            else:
                keep.append(ref)
        PENDING[:] = keep


def read(dual, frame):
    """What the ``partials`` property returns, computed.  A read from outside
    dualgrad (the reader may write into the array at any later time) first
    materializes everything pending and turns deferral off until the outermost
    helper call returns; dualgrad's own readers write only through the paths that
    call :func:`before_write`."""
    global _exposed
    if ACTIVE[0] and not frame.f_globals.get("__name__", "").startswith("dualgrad"):
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
    return p.result if p.result is not None else materialize(p)


def kernels_compiled():
    """How many materializing kernels (one per number of sources and memory layouts)
    this process compiled or loaded so far."""
    if _kernels is None:
        return 0
    return sum(len(k.signatures) for k in _kernels.values())


def _kernel(m, n, shifted):
    global _kernels
    if _kernels is None:
        from ._fused_kernels import KERNELS
        _kernels = KERNELS
    return _kernels[m, n if n in _UNROLLED else 0, shifted]


_UNROLLED = (1, 2, 3, 4)                 # as dualgrad.backend._fusedgen.UNROLLED


def _rows_view(a, rows):
    """A float64 array of ``rows`` elements for a factor array (``None`` stays: ones)."""
    if a is None:
        return None
    if a.flags.c_contiguous:
        return a.reshape(rows)
    return np.ascontiguousarray(a).reshape(rows)


def materialize(d):
    """Compute the deferred partials ``d`` in one kernel pass; returns the array."""
    with _lock:
        if d.result is not None:
            return d.result
        shape, n = d.shape, d.n
        rows = math.prod(shape)
        out = _buffers.empty(shape + (n,))
        args, shifted = [], False
        for s, a, q, o in d.terms.values():
            args += [s, _rows_view(a, rows),
                     np.broadcast_to(q, (rows, n)) if q.ndim == 1 else q.reshape(rows, n)]
            shifted = shifted or o != 0
        if shifted:
            args = [x for k, t in enumerate(d.terms.values()) for x in args[3 * k:3 * k + 3] +
                    [t[3]]]
        _kernel(len(d.terms), n, shifted)(*args, out.reshape(rows, n))
        d.result, d.terms = out, None
        return out


def _add(terms, s, a, q, o, qkey):
    """Add the term ``s * a[..., None] * q`` (``a`` an array or ``None`` for 1; ``q``'s
    rows shifted by ``o``): terms of the same source, shift and factor array merge
    by adding their numbers."""
    key = (qkey, o, 0 if a is None else id(a))
    term = terms.get(key)
    if term is None:
        terms[key] = [s, a, q, o]
    else:
        term[0] += s


def _key(q):
    """The identity of a source: its memory and layout (views of one array taken
    twice are one source); a scalar dual's row: the array itself."""
    if q.ndim == 1:
        return id(q)
    return (q.__array_interface__["data"][0], q.strides)


def _factor(c, shape):
    """The local derivative ``c`` as ``(number, array or None)``, or ``None`` when the
    fused engine cannot take it."""
    t = type(c)
    if t is float:
        return c, None
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


def _finite(s, a):
    """Are the number ``s`` and every entry of the array ``a`` (or ``None``) finite?
    (One pass, no temporary: a sum of finite numbers is finite unless it overflows,
    which only sends the caller down the careful path.)"""
    return s - s == 0.0 and (a is None or math.isfinite(_sum(a, axis=None)))


_sum = np.add.reduce


def _source(q, shape, n):
    """Can the concrete partials ``q`` be a source for partials of ``shape + (n,)``?"""
    if type(q) is not np.ndarray or q.dtype != _f64:
        return False
    if q.ndim == 1:
        return q.shape[0] == n
    return q.shape[:-1] == shape and q.shape[-1] == n and (q.ndim == 2 or q.flags.c_contiguous)


def defer(factors, partials, shape, n):
    """A :class:`Deferred` for ``sum_k factors[k][..., None] * partials[k]``, or ``None``.

    ``partials[k]`` are concrete arrays or :class:`Deferred`.  Factor arrays are
    kept by reference, not copied: dualgrad writes into no array of a dual except
    through the paths that materialize first (see the module's invariant).
    """
    if not shape or math.prod(shape) * n < ACTIVE[1]:
        return None
    terms = {}
    for c, p in zip(factors, partials):
        c = _factor(c, shape)
        if c is None:
            return None
        cs, ca = c
        inner = p.terms if type(p) is Deferred else None
        if inner is not None and not _finite(cs, ca):
            # eager keeps a zero intermediate partial 0 under an infinite factor; a
            # composed factor (inf * 0) cannot: the operand's partials are computed
            inner = None
            materialize(p)
        if inner is None and type(p) is Deferred:
            p = p.result                      # materialized meanwhile
        if inner is not None:
            if p.shape != shape or p.n != n:
                return None
            for key, (s, a, q, o) in inner.items():
                a = a if ca is None else ca if a is None else np.multiply(ca, a)
                _add(terms, cs * s, a, q, o, key[0])
        elif _source(p, shape, n):
            _add(terms, cs, ca, p, 0, _key(p))
        else:
            return None
    if len(terms) > MAX_SOURCES:
        if not any(type(p) is Deferred for p in partials):
            return None
        return defer(factors, [concrete(p) for p in partials], shape, n)
    d = Deferred(terms, shape, n)
    _pend(d)
    return d


def _pend(d):
    with _lock:
        PENDING.append(weakref.ref(d))
        if len(PENDING) > 256:
            PENDING[:] = [r for r in PENDING if r() is not None]


def roll(p, shape, n, shift):
    """``np.roll`` of the flattened value (and partials ``p``'s rows) by ``shift``,
    deferred, or ``None``.  ``p``: concrete, C-contiguous, of shape ``shape + (n,)``."""
    rows = math.prod(shape) if shape else 0
    if not rows or rows * n < ACTIVE[1] or not _source(p, shape, n) or p.ndim == 1 or \
            not p.flags.c_contiguous:
        return None
    terms = {}
    _add(terms, 1.0, None, p, -int(shift) % rows, _key(p))
    d = Deferred(terms, shape, n)
    _pend(d)
    return d
