"""Reused output buffers for large partials arrays while a helper runs.

A fresh multi-megabyte array costs page faults and the kernel's zeroing of each
page, on this project's machines more than the arithmetic that fills it: in a time
loop every step makes and drops partials arrays of the same few sizes (the heat
equation of ``bench/``, see ``profile_problem.py --no-buffer-pool``).  So an array
whose dual has died is taken again instead of asking the system for fresh pages.

A buffer is free when nothing but the pool refers to it.  Every dual, view or
variable that holds it, or a view of it (a view keeps its base alive), adds a
reference; a free buffer can only be reached through the pool, and with the lock
held the test and the taking cannot race.  The count that means "only the pool" is
measured at import, the same way the test makes it.  CPython running without its
GIL (free-threaded), whose reference counts are not read this simply, gets no pool.

Inside :func:`begin`/:func:`end` (the helpers' evaluations of ``f``; neither takes the
lock: the depth is a list's length, whose ``append`` and ``pop`` are atomic, and only
the outermost ``end`` of a scope that pooled something locks, to drop the pool) the pool
serves every large request and is dropped when the outermost one ends, so memory
goes back once the work is done.  Outside them a small pool serves too (at most
:data:`LOOSE_PER_SIZE` buffers of a size, :data:`LOOSE_BYTES` in all; free ones of
other sizes make room): code that calls NumPy on duals directly, a loop of
``u = u * c + v`` outside any helper, would otherwise fault in fresh pages for every
result (on this project's machines two fresh 3.2 MB arrays cost 5-40x their
reuse; ``bench/bench_functions.py``'s N = 1e5 column is timed there).  Small arrays (below :data:`MIN_BYTES`) come from NumPy as usual, and
so do one-direction partials: the local derivative's own temporary usually receives
those, and pooling the rest only kept dead arrays alive longer (measured slower
on the elementwise problem of ``bench/``).
"""

import os
import sys
import threading

import numpy as np

__all__ = ["begin", "end", "scope", "empty", "like", "copy", "zeros", "zeros_like",
           "zeros_readonly", "use",
           "pooled", "MIN_BYTES"]

MIN_BYTES = 1 << 18
MAX_PER_SIZE = 64
LOOSE_PER_SIZE = 4
LOOSE_BYTES = 64 << 20

_lock = threading.Lock()
_pool = {}                   # element count -> list of 1-D float64 buffers
_loose = {}                  # the same, outside any scope (bounded)
_OPEN = []                   # one entry per begin() not yet ended: its length is the depth
_enabled = getattr(sys, "_is_gil_enabled", lambda: True)()   # off when free-threaded


def _fresh_after_fork():
    """A forked child starts with no pool and an unlocked lock, whatever a thread of
    its parent was doing at the fork."""
    global _lock, _pool, _loose
    _lock, _pool, _loose = threading.Lock(), {}, {}
    del _OPEN[:]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_after_fork)


def _references(buffers, k):
    return sys.getrefcount(buffers[k])


_ONLY_THE_POOL = _references([np.empty(1)], 0)


def pooled(base):
    """1 when the pool holds ``base`` (one reference of its own), else 0."""
    with _lock:
        return int(any(b is base for b in _pool.get(base.size, ())) or
                   any(b is base for b in _loose.get(base.size, ())))


def depth():
    """How many :func:`begin` calls are not yet ended (all threads')."""
    return len(_OPEN)


def begin():
    """The pool serves :func:`empty` until the matching :func:`end` (nesting allowed)."""
    _OPEN.append(None)       # (atomic: no lock; every helper call passes here)


def end():
    _OPEN.pop()
    if _pool and not _OPEN:              # (small problems pool nothing: no lock)
        with _lock:
            if not _OPEN:                # (a scope opened since keeps the pool: its end drops it)
                _keep_loose()
                _pool.clear()


def _keep_loose():
    """The scope's free buffers go to the loose pool as far as its bounds allow
    (lock held): the next helper call (an optimizer's next gradient) takes them
    back instead of faulting in fresh pages (``y - mu`` over 1e5 data points at
    n = 2: ~1 ms a call of fresh pages before the kernels load)."""
    for size, buffers in _pool.items():
        kept = _loose.get(size, [])
        for k in range(len(buffers)):
            if len(kept) >= LOOSE_PER_SIZE:
                break
            if _references(buffers, k) == _ONLY_THE_POOL and _room(size * 8):
                kept = _loose.setdefault(size, kept)   # _room may drop this size
                kept.append(buffers[k])


class scope:
    """``with scope():`` the pool serves :func:`empty` inside the block: :func:`begin`
    on entry, :func:`end` on exit, whatever the block raises."""

    __slots__ = ()

    def __enter__(self):
        begin()

    def __exit__(self, *exc):
        end()


class use:
    """``with use(False):`` turns the pool off inside the block (tests compare both)."""

    def __init__(self, enabled):
        self.enabled = enabled

    def __enter__(self):
        global _enabled
        self.old, _enabled = _enabled, self.enabled

    def __exit__(self, *exc):
        global _enabled
        _enabled = self.old


def like(p):
    """A pooled float64 array shaped like ``p`` when :func:`empty` would pool one,
    else ``None`` (the caller lets NumPy allocate as usual)."""
    if type(p) is np.ndarray and p.nbytes >= MIN_BYTES and _enabled and \
            p.dtype == np.float64 and p.shape[-1] > 1:
        return empty(p.shape)
    return None


def empty(shape):
    """An uninitialised float64 array of ``shape`` (its last axis: the directions),
    a free pooled buffer when one fits."""
    size = 1
    for s in shape:
        size *= s
    if size < MIN_BYTES // 8 or not _enabled or shape[-1] == 1:
        return np.empty(shape)
    with _lock:
        scoped = bool(_OPEN)                 # (read once: begin() takes no lock)
        pool = _pool if scoped else _loose
        buffers = pool.setdefault(size, [])
        for k in range(len(buffers)):
            if _references(buffers, k) == _ONLY_THE_POOL:
                return buffers[k].reshape(shape)
        buffer = _loose_free(size) if scoped else None
        if buffer is None:
            buffer = np.empty(size)
        if scoped:
            if len(buffers) < MAX_PER_SIZE:
                buffers.append(buffer)
        elif len(buffers) < LOOSE_PER_SIZE and _room(size * 8):
            buffers = pool.setdefault(size, buffers)   # _room drops empty sizes, this one too
            buffers.append(buffer)
        if not buffers:
            pool.pop(size, None)
        return buffer.reshape(shape)


def _loose_free(size):
    """A free buffer of ``size`` elements taken out of the loose pool, or ``None``
    (lock held; inside a scope, whose own pool then holds it)."""
    buffers = _loose.get(size)
    if buffers:
        for k in range(len(buffers)):
            if _references(buffers, k) == _ONLY_THE_POOL:
                return buffers.pop(k)
    return None


def _room(nbytes):
    """Is there room for ``nbytes`` more in the loose pool, once free buffers of the
    loose pool are dropped if needed (lock held)?"""
    held = sum(k * len(b) for k, b in _loose.items()) * 8
    if held + nbytes <= LOOSE_BYTES:
        return True
    for size in list(_loose):
        buffers = _loose[size]
        for k in reversed(range(len(buffers))):
            if _references(buffers, k) == _ONLY_THE_POOL:
                del buffers[k]
                held -= size * 8
                if held + nbytes <= LOOSE_BYTES:
                    break
        if not buffers:
            del _loose[size]
        if held + nbytes <= LOOSE_BYTES:
            return True
    return False


def copy(p):
    """A C-contiguous copy of partials ``p``, in a pooled buffer when :func:`like`
    serves one.  A broadcast view (``np.broadcast_to``, ``np.meshgrid``'s grids) is
    copied by :func:`_spread`, not element row by element row."""
    if type(p) is np.ndarray and p.ndim > 1 and 0 in p.strides[:-1]:
        spread = _spread(p)
        if spread is not None:
            return spread
    out = like(p)
    if out is None:
        return p.copy()
    np.copyto(out, p)
    return out


_BLOCK = 64        # elements: a contiguous run NumPy's copy moves at full speed


def _spread(p):
    """A contiguous copy of the broadcast view ``p``, or ``None``.

    NumPy's copy of a view whose last value axes have stride 0 moves one run of
    ``n`` partials at a time (``meshgrid``'s row grid: 4x a plain copy at n = 4).
    Here each stride-0 axis that would leave such short runs is filled by
    ``np.repeat`` of the source with that axis of size 1 (one ``memcpy`` per run),
    innermost first, and the rest by one ``np.copyto`` whose runs are long."""
    shape = p.shape
    zero = [k for k in range(p.ndim - 1) if p.strides[k] == 0 and shape[k] > 1]
    if not zero or p.strides[-1] != p.itemsize:
        return None
    src = p[tuple(slice(0, 1) if k in zero else slice(None) for k in range(p.ndim))]
    for k in reversed(zero):                  # innermost first, while the runs are short
        run = 1
        for d in src.shape[k + 1:]:
            run *= d
        if run >= _BLOCK:
            break
        src = np.repeat(src, shape[k], axis=k)
    if src.shape == shape:                    # np.repeat made the whole copy already
        return src
    out = like(p)
    if out is None:
        out = np.empty(shape, dtype=p.dtype)
    np.copyto(out, src)
    return out


def zeros_readonly(shape):
    """Read-only float64 zero partials of ``shape`` that take no memory (one zero,
    broadcast): for results that NumPy makes read-only too, such as ``np.imag`` of a
    real array (a fresh 3.2 MB of zeros cost 7x NumPy's call on the values)."""
    return np.broadcast_to(_ZERO, shape)


_ZERO = np.zeros(())


def zeros(shape, dtype=float, like=None):
    """Zero partials of ``shape``: ``np.zeros(shape, dtype, like=like)`` (``like``, a
    nested dual's partials, makes duals of its kind)."""
    if like is None:
        return np.zeros(shape, dtype)
    return np.zeros(shape, dtype, like=like)


def zeros_like(p, shape=None, dtype=None):
    """``np.zeros_like(p, shape=shape)``: zero partials of ``p``'s kind (``dtype``:
    complex for a complex buffer)."""
    return np.zeros_like(p, shape=shape, dtype=dtype)
