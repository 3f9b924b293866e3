"""What ``np.asarray`` handed out for a dual array, tracked weakly.

NumPy's ``__array__`` must return an ndarray, so ``np.asarray(y)`` (also
``asanyarray``, ``ascontiguousarray``, ``asfortranarray``, ``require``,
``np.array(y, copy=None)``, ``as_strided``) on an array dual gives an object
array of scalar duals: a snapshot, where for floats it is ``y`` itself.  Code
that relies on the identity would get silently wrong derivatives, in both
directions:

* a write into ``y`` (or a view of it, or its base) after the snapshot was
  taken: the snapshot keeps the old values and derivatives.  While a snapshot
  lives, such a write raises (:func:`check_write`, called by every in-place
  write of an array dual), naming the out-of-place spelling;
* a write into the snapshot: ``y`` never sees it.  An object ndarray has no
  write hook, so the snapshot is handed out read-only while ``y``'s memory
  lives (NumPy then raises its own "assignment destination is read-only"), and
  becomes writable once that memory is gone (``y = np.asarray(y)`` rebinding,
  then filling it in place, stays exact and allowed).

Reference counts (what tells a shared buffer inside ``hessian``) cannot see a
snapshot: it holds no reference to ``y``'s memory, and one that it held would
look like a view, which is legitimate (writes through views reach value and
partials alike).  So the snapshot is remembered by weak references, keyed by the
root ndarray of ``y``'s values with the byte range it copied; an entry goes when
its snapshot or that memory dies.  With no snapshot alive (the usual case) a
write pays one test of an empty dict.

A helper's one pass records the snapshots of its own seed in a lighter form
(:func:`remember_seed`, then :func:`settle` at the pass's end): the pass holds
the seed's value array until it ends, so while it runs that memory cannot die,
and plain weak references without callbacks tell whether a snapshot lives
(small55: ~1.1 us of ``dg.gradient(rosen, x)`` at n = 2 against ~1.8 for the
general record with its two callback references and the death callback).  At the pass's end the snapshots still
alive get the general record, so that each becomes writable when the seed's
memory dies, as any other.
"""

import operator
import sys
import weakref

import numpy as np

from .. import errors
from ._base import primal

__all__ = ["remember", "remember_seed", "settle", "check_write", "explain", "guard", "LIVE"]

# id(root ndarray) -> {id(snapshot's weak reference): that _SnapshotRef} (errors.SNAPSHOTS,
# the same dict: the reports read it there)
LIVE = errors.SNAPSHOTS
_roots = {}                   # id(root) -> its _RootRef (whose callback drops the entry)


# The byte range of an array that is its own root: all of the root's memory (any
# write into the root overlaps it).  ``byte_bounds`` would give the same verdicts
# and costs more than the rest of ``remember`` together.
_ALL = (0, sys.maxsize)


def _root(a):
    """The ndarray that owns ``a``'s memory, and ``a``'s byte range in it."""
    if not isinstance(a.base, np.ndarray):
        return (a,) + _ALL
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    low, high = np.lib.array_utils.byte_bounds(a)
    return root, low, high


class _RootRef(weakref.ref):
    """The weak reference to a root ndarray, with its key in ``LIVE``."""

    __slots__ = ("key",)


class _SnapshotRef(weakref.ref):
    """The weak reference to a snapshot, with its root's key and reference and the
    byte range of the root it copied."""

    __slots__ = ("key", "root_ref", "low", "high")


def _root_died(ref):
    """The callback of a root's weak reference: its memory is gone, so the snapshots
    of it still alive become writable and its entry goes (and their :func:`guard`,
    where nothing wrote past the flag before: from now on a write is the user's own)."""
    key = ref.key
    if _roots.get(key) is ref:          # not a newer array that took the same id
        del _roots[key]
        for snap_ref in (LIVE.pop(key, None) or {}).values():
            snapshot = snap_ref()
            if snapshot is not None:
                if _GUARDS:
                    errors.unguard(snapshot.base)
                snapshot.flags.writeable = True


_GUARDS = errors.GUARDS
_GUARDED = 64                   # a pass's snapshots kept so; an older one is looked at as it goes


def guard(tag, held, before, frame):
    """What ``np.asarray`` hands out for a dual array of the helper call ``tag`` in
    place of ``held`` (the object array just made): a view of it, ``held`` kept until
    the call's end (:data:`errors.GUARDS`), when :func:`errors.guard_check` compares
    its elements with ``before`` (the list they were made from, in C order).
    ``frame``: the code that asked NumPy for the array (``__array__``'s caller, which
    it has at hand); its code object and instruction offset are kept, the line found
    only for a report (``f_lineno`` walks the line table: ~0.4 us a conversion in
    SciPy's ``_asarray``, rosen72).

    NumPy's ``ufunc.at`` (``np.add.at(y, i, c)``, ``np.negative.at(y, i)``, every
    ufunc's) does not test the read-only flag :func:`remember` sets on the snapshot,
    for float arrays too, and with a plain ``c`` no dual reaches dualgrad: the write
    went into the snapshot and ``x`` kept its value, where on floats ``x`` changes
    (attack70 F2).  No hook sees that write; the kept memory shows it at the end.
    ``_root_died`` drops the guard where the snapshot becomes writable."""
    entries = _GUARDS.get(tag)
    if entries is None:
        entries = _GUARDS[tag] = []
    elif len(entries) % _GUARDED == 0:   # (those alive stay: their memory is the user's)
        errors.guard_evict(entries)
    entries.append([held, before, frame.f_code, frame.f_lasti])
    return held.view()


def _snapshot_died(ref):
    """The callback of a snapshot's weak reference: its entry goes (and the root's,
    with the last one)."""
    key = ref.key
    entries = LIVE.get(key)
    if entries is not None and _roots.get(key) is ref.root_ref:
        entries.pop(id(ref), None)
        if not entries:
            del LIVE[key]
            del _roots[key]


def remember(dual, snapshot, value=None):
    """``snapshot`` (an object array just built from the array dual ``dual``) is what
    ``np.asarray(dual)`` hands out: refuse writes into ``dual``'s memory while it
    lives, and writes into it while that memory lives.

    Two weak references (the snapshot's, and one per root while a snapshot of it
    lives), each a small subclass holding its keys and sharing one module-level
    callback (no closure made per call): the common case (a helper's seed, a fresh
    root every call) in a few steps.  ``value``: ``dual``'s float ndarray of values
    when the caller has it at hand."""
    if value is None:
        value = dual.value
        if type(value) is not np.ndarray:
            value = primal(dual)
            if not isinstance(value, np.ndarray):
                return
    if value.size == 0:
        return
    if value.base is None:
        root, low, high = value, 0, _ALL[1]
    else:
        root, low, high = _root(value)
    key = id(root)
    root_ref = _roots.get(key)
    entries = LIVE.get(key)
    if root_ref is None or entries is None or root_ref() is not root:
        root_ref = _roots[key] = _RootRef(root, _root_died)
        root_ref.key = key
        entries = LIVE[key] = {}
    snap_ref = _SnapshotRef(snapshot, _snapshot_died)
    snap_ref.key, snap_ref.root_ref, snap_ref.low, snap_ref.high = key, root_ref, low, high
    entries[id(snap_ref)] = snap_ref
    snapshot.setflags(False)            # (write=False; positional: ~0.1 us cheaper)


_ref = weakref.ref          # (plain, no callback: NumPy's basic reference, shared)


def remember_seed(snapshot, root):
    """:func:`remember` for ``snapshot`` made of a running one pass's seed whose value
    ``root`` owns its memory (no base) and which the pass holds until it calls
    :func:`settle` (``api.helpers._one_pass``): no callbacks, since neither the
    root can die before then nor must a dead snapshot's entry go at once (a write
    tests whether the snapshot lives).  The same refusals as :func:`remember`'s,
    of writes into the seed and into the snapshot."""
    key = id(root)
    entries = LIVE.get(key)
    root_ref = _roots.get(key)
    if entries is None or root_ref is None or root_ref() is not root:
        _roots[key] = _ref(root)      # (check_write compares it with the root)
        entries = LIVE[key] = {}
    snap_ref = _ref(snapshot)         # (object_array_made made it: NumPy's cached one)
    entries[id(snap_ref)] = snap_ref
    snapshot.setflags(False)          # (write=False)


def settle(root):
    """The one pass whose seed's value is ``root`` ends (:func:`remember_seed`): the
    entries of snapshots that died go; those still alive get :func:`remember`'s
    record (weak references with callbacks), so that they become writable when
    ``root``'s memory dies."""
    key = id(root)
    entries = LIVE.get(key)
    root_ref = _roots.get(key)
    if entries is None or root_ref is None or root_ref() is not root:
        return
    for ref in entries.values():
        if ref() is not None:
            break
    else:                             # the usual end: the snapshots died with f's frames
        del LIVE[key], _roots[key]
        return
    alive = [(ref, ref()) for ref in entries.values()]
    alive = [(ref, snapshot) for ref, snapshot in alive if snapshot is not None]
    if type(root_ref) is not _RootRef:
        root_ref = _roots[key] = _RootRef(root, _root_died)
        root_ref.key = key
    entries.clear()
    for ref, snapshot in alive:
        if type(ref) is _SnapshotRef:  # remember's own (a view's): its range, its callback
            ref.root_ref = root_ref
            entries[id(ref)] = ref
            continue
        full = _SnapshotRef(snapshot, _snapshot_died)
        full.key, full.root_ref, full.low, full.high = key, root_ref, 0, _ALL[1]
        entries[id(full)] = full


def check_write(dual, who="writing in place into a dual array", index=None):
    """Raise when a snapshot of ``dual``'s memory (of ``dual[index]``, the part written,
    when given) from ``np.asarray`` still lives.

    Callers test ``LIVE`` first (empty in the usual case), so this runs only when
    some snapshot exists.
    """
    value = primal(dual)
    if not isinstance(value, np.ndarray):
        return
    root = value                    # (the root a view of value has too)
    while isinstance(root.base, np.ndarray):
        root = root.base
    if id(root) not in LIVE:        # no snapshot of this memory (one of another array
        return                      # lives): no view nor byte range (2.5 of 3.8 us a store)
    if index is not None:
        items = index if isinstance(index, tuple) else (index,)
        if not any(i is Ellipsis for i in items):
            items = items + (Ellipsis,)          # an ndarray view even for y[i]
        try:
            part = value[items]
        except (IndexError, TypeError, ValueError):
            part = None                         # NumPy reports it at the write itself
        if isinstance(part, np.ndarray) and part.base is not None:
            value = part                        # basic indexing: the view written
    root, low, high = _root(value)
    entries = LIVE.get(id(root))
    root_ref = _roots.get(id(root))
    if not entries or root_ref is None or root_ref() is not root:
        return
    for snap_ref in list(entries.values()):      # (a seed's, remember_seed's: all of it)
        if snap_ref() is not None and (type(snap_ref) is not _SnapshotRef or
                                       snap_ref.low < high and low < snap_ref.high):
            raise errors.snapshot_write(who)


def _library(frame):
    """Whether ``frame`` runs dualgrad's, a generated function's or NumPy's code."""
    module = frame.f_globals.get("__name__") or ""
    return module.startswith(("dualgrad", "numpy")) or \
        frame.f_code.co_filename.startswith("<dualgrad")


def _of_snapshot(obj, live):
    """The snapshot (of ``live``: id -> snapshot) that the ndarray ``obj`` is or views
    (shares memory with: NumPy's ``base`` of a view of a view is the memory's owner,
    which a snapshot reshaped from a flat array is not), or ``None``."""
    if not isinstance(obj, np.ndarray):
        return None
    if id(obj) in live:
        return live[id(obj)]
    for snapshot in live.values():
        if np.may_share_memory(obj, snapshot):
            return snapshot
    return None


def _name_of(frame, obj):
    """The name (a local, else a global) that ``frame`` binds to ``obj`` itself, or
    ``None``."""
    for space in (frame.f_locals, frame.f_globals):
        for name, value in list(space.items()):
            if value is obj:
                return name
    return None


def _dual_named(frame, snapshot):
    """The name in ``frame`` (locals, then globals) of the array dual whose memory
    ``snapshot`` copied, or ``None``."""
    key = next((key for key, entries in LIVE.items()
                if any(ref() is snapshot for ref in entries.values())), None)
    if key is None:
        return None
    for space in (frame.f_locals, frame.f_globals):
        for name, value in list(space.items()):
            if getattr(type(value), "_kind", None) != "array":
                continue
            root = primal(value)
            while isinstance(root, np.ndarray) and isinstance(root.base, np.ndarray):
                root = root.base
            if id(root) == key:
                return name
    return None


def explain(who, exc):
    """NumPy's read-only refusal ("assignment destination is read-only", "output array
    is read-only"...), raised in ``f`` by a write into a snapshot that lives, as
    dualgrad's TypeError naming the fix; ``None`` for anything else.

    What the write went into is read from the source of the innermost frame that is
    not dualgrad's or NumPy's (:func:`errors.written_into`): ``y[0] = v`` and
    ``y *= 2`` raise there, ``y += x`` / ``np.add(y, x, out=y)`` of a dual ``x`` in
    dualgrad's ``out=`` store and ``np.sum(y, out=...)`` in NumPy's Python wrapper,
    one frame further (those kept NumPy's bare words: attack69 M2).  Where it names
    an array that is no snapshot's (a broadcast view, an array the user made
    read-only), NumPy's words stand; where it names none, a write raised in that
    frame itself gets the general advice."""
    if not LIVE or not isinstance(exc, ValueError) or "read-only" not in str(exc):
        return None
    tb, inner = exc.__traceback__, None
    while tb is not None:
        if not _library(tb.tb_frame):
            inner = tb
        last, tb = tb, tb.tb_next
    if inner is None:
        return None
    live = errors.live_snapshots()
    frame = inner.tb_frame
    written = errors.written_into(frame, inner.tb_lasti)
    for text, obj in written:
        snapshot = _of_snapshot(obj, live)
        if snapshot is not None:
            name = text if all(part.isidentifier() for part in text.split(".")) else None
            made = name if obj is snapshot else _name_of(frame, snapshot)
            return errors.snapshot_read_only(
                who, name or "that array", made, _dual_named(frame, snapshot),
                errors.user_line(frame, inner.tb_lineno))
    if any(isinstance(obj, np.ndarray) for _, obj in written):
        return None                     # another array refused: NumPy's words are right
    if inner is not last:
        return None                     # raised by library code, not by a write in f
    return errors.snapshot_read_only(who)


# (code, instruction offset) -> what that instruction's call spells: True (``.at`` or
# ``"at"`` in its callable's expression), False (another call, or no call), or the
# names its callable is (``add_at(y, i, c)``: read at each call, :func:`_is_at`)
_AT_CALLS: dict = {}


def _calls_at(frame):
    """Whether ``frame``'s current instruction calls a ufunc's ``.at``: the call's
    expression (read from the source once per code and offset) spells ``.at`` or
    ``"at"`` anywhere (``np.add.at(...)``, ``getattr(np.add, "at")(...)``,
    ``functools.partial(np.add.at, y)(...)``, ``operator.methodcaller("at", ...)``,
    ``list(map(np.add.at, ...))``), or its callable is a name, an attribute or a
    constant subscript bound now to a ufunc's ``at`` or a partial of one (``add_at =
    np.add.at``, ``Ops.add_at``, ``ops["acc"]``, ``fs[0]``; read again at each call
    unless it hangs from a module); without source (``exec``, ``eval``), its line loads
    ``at`` (an attribute or a constant) before the instruction."""
    key = (frame.f_code, frame.f_lasti)
    found = _AT_CALLS.get(key)
    if found is None:
        found = _AT_CALLS[key] = _spells_at(frame)
    if found is True or found is False:
        return found
    return _is_at(_followed(found, frame))


def _spells_at(frame):
    """:data:`_AT_CALLS`' entry for ``frame``'s current instruction: True, False, or the
    callable's spelling to follow at each call (:func:`_followed`)."""
    import ast
    node = errors._source_node(frame)
    if node is None:
        return _line_loads_at(frame)
    if not isinstance(node, ast.Call):
        return False
    if any(isinstance(sub, ast.Attribute) and sub.attr == "at" or
           isinstance(sub, ast.Constant) and sub.value == "at" for sub in ast.walk(node)):
        return True
    steps, root = [], node.func
    while isinstance(root, ast.Attribute) or \
            isinstance(root, ast.Subscript) and isinstance(root.slice, ast.Constant):
        steps.append((getattr, root.attr) if isinstance(root, ast.Attribute) else
                     (operator.getitem, root.slice.value))
        root = root.value
    if not isinstance(root, ast.Name):
        return False
    chain = (root.id, tuple(reversed(steps)))
    if isinstance(_bound(frame, root.id), type(sys)):      # (a module's: read once)
        return _is_at(_followed(chain, frame))
    return chain


def _followed(chain, frame):
    """The object a callable's spelling ``chain`` (a name, then attributes and constant
    subscripts: :func:`_spells_at`) reaches in ``frame``, or ``None`` where it fails."""
    name, steps = chain
    obj = _bound(frame, name)
    try:
        for step, key in steps:
            obj = step(obj, key)
    except Exception:
        return None
    return obj


def _line_loads_at(frame):
    """Whether ``frame``'s current instruction is a call and the instructions of its
    line, up to it, load an attribute or a constant ``at`` (code without source: its
    bytecode)."""
    import dis
    code, lasti = frame.f_code, frame.f_lasti
    spans = list(code.co_lines())
    line = next((n for start, end, n in spans if start <= lasti < end), None)
    ranges = [(start, end) for start, end, n in spans if n == line and start <= lasti]
    instructions = list(dis.get_instructions(code))
    if not any(ins.offset == lasti and ins.opname.startswith("CALL") for ins in instructions):
        return False                    # (y[0] + y[1]: Python's operator, no call)
    return any(ins.argval == "at" and ins.opname in ("LOAD_ATTR", "LOAD_METHOD", "LOAD_CONST")
               and any(start <= ins.offset < end for start, end in ranges)
               for ins in instructions)


def _bound(frame, name):
    """What ``name`` is bound to in ``frame`` (locals, globals, builtins), or ``None``."""
    for names in (frame.f_locals, frame.f_globals, frame.f_builtins):
        if name in names:
            return names[name]
    return None


def _is_at(fn):
    """Whether ``fn`` is a ufunc's bound ``at`` (through any ``functools.partial`` of it)."""
    import functools
    while isinstance(fn, functools.partial):
        fn = fn.func
    return getattr(fn, "__name__", None) == "at" and \
        isinstance(getattr(fn, "__self__", None), np.ufunc)


def at_write(element, frame):
    """An operator of ``element``, an element of the snapshot an array dual of no helper
    call handed out (``dg.Dual(...)``, tag 0: ``_scalar.watched_class``), called from
    ``frame``: where that is NumPy's ``ufunc.at`` writing into a snapshot of
    :data:`LIVE`, raise at the call.

    ``np.add.at(np.asarray(d), i, c)`` (every ufunc's ``.at``) writes past the snapshot's
    read-only flag, and with a plain ``c`` no dual reaches dualgrad: the write went into
    the snapshot and ``d`` kept its value, where on floats ``d`` changes (attack72 F2,
    silent; a helper's pass finds such a write at its end, :func:`guard`, but a dual
    made outside one has no end).  NumPy's object loop calls the element's operator
    (``__add__``, ``__neg__``, ``__ge__`` for maximum, ``sin`` ...) from C, so ``frame``
    is the one that called ``.at`` (a test of its instruction, cached per code and
    offset, where it is any other).  The array written is read from that call's source
    (:func:`errors.written_into`): a snapshot or a view of one is refused, a copy
    (``np.asarray(d).copy()``, ``np.array(d)``: the user's own array, as on floats) is
    not; an argument it cannot name (``np.asarray(d)`` inline, a partial's, a call
    without source) is refused where the element is one of a live snapshot's."""
    if _library(frame):                 # (NumPy's _methods calling umr_sum, dualgrad's
        _AT_CALLS[(frame.f_code, frame.f_lasti)] = False    # general path: never again)
        return
    if not _calls_at(frame):
        return
    live = errors.live_snapshots()
    written = errors.written_into(frame) or [("the array it writes into", None)]
    hit = None
    for text, obj in written:
        if isinstance(obj, (list, tuple, dict)):      # (bufs[0]: one of its arrays)
            arrays = obj.values() if isinstance(obj, dict) else obj
            if any(_of_snapshot(a, live) is not None for a in arrays):
                hit = text
            continue
        if isinstance(obj, np.ndarray):
            if _of_snapshot(obj, live) is not None:
                hit = text
            continue
        if any(element is item for snapshot in live.values()
               for item in snapshot.ravel().tolist()):
            hit = text
    if hit is not None:
        raise errors.snapshot_ufunc_at(frame, hit)
