"""Exception classes and the one place where user-facing messages are written.

Every message says who complained, what was expected, what was received, and
the fix, so that tests can match the same text users read.
"""

import itertools
import sys
import threading
import types
import weakref
from operator import is_not as _is_not

__all__ = ["DualTypeError", "DualValueError", "CaughtErrorWarning"]

# One order for the helper calls' tags (dual._base.TAGS draws from it) and the errors
# dualgrad makes, so that a helper can tell whether one was made during its call: an
# error that f (or a library f calls) catches, going on to return a plain number, would
# otherwise come back as a derivative of 0 (``try: ... except Exception: return 1e10``).
SEQUENCE = itertools.count(1)


class _Record(threading.local):
    """This thread's record: ``at``, ``text``: its latest dualgrad error (its number and
    text: the error itself would keep its frames' arrays alive; each error keeps its
    own number, ``_dualgrad_at``); ``scalar_at``: its latest array NumPy made of a
    scalar dual (:func:`_scalar_note`); ``compared_at``: its latest comparison of a
    dual (:func:`compared_since`); ``equal_at``: its latest equality of a scalar dual
    that held (:func:`equal_since`).  (Class defaults: a missing attribute of a
    ``threading.local`` raises and catches an AttributeError on every read.)"""

    at = scalar_at = finder = compared_at = equal_at = 0
    text = None


_made = MADE = _Record()


class _Branches(threading.local):
    """dg.quad's watch (api/_quad.py) of the comparisons and piecewise ufuncs (jumps,
    kinks) that run on duals while it evaluates an integrand in this thread:
    ``record(ufunc, inputs)``, called by the dual types' comparisons and
    ``__array_ufunc__``; ``None`` where no dg.quad evaluates."""

    record = None


BRANCHES = _Branches()
# How many threads' dg.quad watch now: the dual types read this count first (a list
# item: cheaper than the thread-local read on their hot paths)
WATCHING = [0]
_watching = threading.Lock()


def watch_branches(record):
    """Let ``record`` watch this thread's branches; returns the watch it replaces (hand it
    to :func:`unwatch_branches`)."""
    with _watching:
        WATCHING[0] += 1
    saved, BRANCHES.record = BRANCHES.record, record
    return saved


def unwatch_branches(saved):
    BRANCHES.record = saved
    with _watching:
        WATCHING[0] -= 1


def report_branch(ufunc, inputs, x):
    """A branch that dualgrad's own code takes on duals and that is f's (a density's
    support whose ends move with loc / scale: attack49 11), reported to dg.quad's
    watch, if one runs, at the user's line (the watch skips dualgrad's own frames);
    ``inputs[x]`` is the point f is evaluated at (its side of a moving limit).
    Returns the watch's answer (a branch an end check sets: api/_ode_coincident), or
    ``None``."""
    if WATCHING[0] and BRANCHES.record is not None:
        frame = _user_frame(sys._getframe(1))
        if frame is not None:
            return BRANCHES.record(ufunc, inputs, frame, x)
    return None


class _Stray:
    """The latest dualgrad error made in a thread that runs no helper call of its own
    (a worker of f's own thread pool: ``ex.map(term, p)`` with ``term``'s
    ``try: math.exp(x) except TypeError: return 0.0``), which every call running then
    may have lost a derivative to: this thread's record alone would never see it.
    (A plain object: its attributes are every thread's.)"""

    at = 0
    text = None


STRAY = _Stray()
# The helper calls running, by tag, each with its thread (dual._base.LIVE, the same
# dict: shared as SEQUENCE is, so that an error can tell whether its thread runs one).
LIVE = {0: None}
_ident = threading.get_ident
# The object arrays made of each running helper call's duals, by its tag, whatever
# thread made them (f's own thread pool), as (number, items, untouched)
# (object_array_made), and the size of one dropped from them unread.
ARRAYS: dict[int, list] = {}
_UNREAD: dict[int, int] = {}


class _Recorded:
    """Records each instance as this thread's latest dualgrad error (see SEQUENCE);
    not an AttributeError, which ``hasattr`` and ``getattr(d, name, default)`` catch
    to probe."""

    def __init__(self, *args):
        super().__init__(*args)
        if not isinstance(self, AttributeError):
            _made.at = self._dualgrad_at = next(SEQUENCE)
            _made.text = f"{type(self).__name__}: {str(self)[:800]}"
            if _ident() not in list(LIVE.values()) and _foreign_dual():
                STRAY.at = _made.at                 # a worker of f's own threads
                STRAY.text = f"{_made.text} (made in a thread running no dualgrad call)"


def _foreign_dual(depth=8):
    """Does a frame among the ``depth`` callers of the error being made hold a dual of a
    call running in another thread (the pool worker's ``term(p)``)?  An error about a
    dual of no running call (``Dual(...)`` in an unrelated thread, a call that ended)
    is nobody's swallowed derivative (attack26).  Twins' slots are read through the
    class's own slot descriptor: reading them as attributes would mark them read."""
    me = _ident()
    if all(owner is None or owner == me for owner in list(LIVE.values())):
        # No call runs in another thread: nothing to find, and reading the frames'
        # f_locals would keep (Python < 3.13) a snapshot of the callers' locals alive
        # as long as those frames (a test's ``del v; gc.collect()``).
        return False
    frame = sys._getframe(2)
    for _ in range(depth):
        if frame is None:
            return False
        for value in list(frame.f_locals.values()):
            slot = _TAG_SLOTS.get(type(value), False)
            if slot is False:
                slot = _TAG_SLOTS[type(value)] = _tag_slot(type(value))
            if slot is not None:
                owner = LIVE.get(slot.__get__(value))
                if owner is not None and owner != me:
                    return True
        frame = frame.f_back
    return False


_TAG_SLOTS: dict = {}


def _tag_slot(cls):
    """The slot descriptor of a dual class's ``tag`` (the first in its MRO: a twin's own
    ``tag`` is a property), ``None`` for other classes."""
    if getattr(cls, "_kind", None) is None:            # not a dual (errors imports none)
        return None
    for klass in cls.__mro__:
        slot = klass.__dict__.get("tag")
        if type(slot) is types.MemberDescriptorType:
            return slot
    return None


class DualTypeError(_Recorded, TypeError):
    """A dual number was used where it would lose its derivatives."""


class DualValueError(_Recorded, ValueError):
    """An argument to a dualgrad helper has the wrong shape or value."""


def made_since(tag, who="dualgrad"):
    """What makes a result of the helper call of ``tag`` suspect: the text of the latest
    dualgrad error this thread (or a thread running no call: :class:`_Stray`) made
    after the call began, or else the note of an object
    array of the call's duals that no one read (:func:`object_array_made`); ``None``
    if neither.  Raises (``who`` complaining) where a write went into an
    ``np.asarray`` snapshot of the call's duals past its read-only flag
    (:func:`guard_check`)."""
    if GUARDS and tag in GUARDS:
        guard_check(tag, who)
    if _made.at > tag:
        return _made.text
    if STRAY.at > tag:
        return STRAY.text
    size = _UNREAD.get(tag)
    if size is not None:
        return f"{_OBJECT_EVENT}{size}"
    for _, items, untouched, where in ARRAYS.get(tag, ()):
        if untouched(items):
            call = _conversion_call(*where[3])
            return f"{_OBJECT_EVENT}{len(items)}{_CALL_MARK}{call}" if call else \
                f"{_OBJECT_EVENT}{len(items)}"
    return None


def arrays_since(tag):
    """The note of any object array made of the helper call's duals (read or not: a
    library may compute with one, as scipy.stats' ``(x - loc) / scale`` does, and then
    refuse the array it computed), for a result without any derivatives; ``None`` if
    none was made (attack26: stop 36's read test let such a guarded fit give 0)."""
    kept = ARRAYS.get(tag)
    if kept:
        call = _conversion_call(*kept[-1][3][3])
        return f"{_READ_EVENT}{len(kept[-1][1])}" + (f"{_CALL_MARK}{call}" if call else "")
    size = _UNREAD.get(tag)
    return None if size is None else f"{_OBJECT_EVENT}{size}"


def scalar_since(tag):
    """The note of an array NumPy made of a scalar dual (:func:`_scalar_note`) since the
    helper call of ``tag`` began (``None`` if none).  Unlike a dual array's object
    array, whose elements tell whether anyone read them, a scalar dual is read
    everywhere: only a result without any derivatives is suspect after it."""
    return _SCALAR_EVENT if _made.scalar_at > tag else None


def object_arrays_made(tag):
    """Was a NumPy object array of the helper call's scalar duals made in this thread
    since the call of ``tag`` began (``np.array([x[0], x[1]])``, a list stored into an
    array: :func:`_scalar_note`; ``np.asarray(d)`` of a dual array: :data:`ARRAYS`)?
    dualgrad's own conversions, which it reads back at once, are forgotten
    (:func:`objects_restore`).  Asked where a real scalar dual turns complex
    (:func:`complex_after_object_array`).  Never for tag 0 (``dg.Dual`` made by hand,
    outside a helper): there is no call whose start to compare with, and any object
    array made earlier in the thread would refuse its complex arithmetic for good."""
    return bool(tag) and (_made.scalar_at > tag or bool(ARRAYS.get(tag)) or tag in _UNREAD)


def _outer_frame(frame):
    """The first frame from ``frame`` outwards that is neither dualgrad's, a generated
    function's nor NumPy's (``None`` without one)."""
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if not (module.startswith(("dualgrad", "numpy")) or
                frame.f_code.co_filename.startswith("<dualgrad")):
            break
        frame = frame.f_back
    return frame


def _statement_text(node):
    """The statement ``node`` as a message quotes it: its first line (a loop's head), cut
    to 60 characters."""
    import ast
    text = ast.unparse(node).split("\n")[0]
    return text if len(text) <= 60 else text[:57] + "..."


def _object_locals(frame):
    """``"I01, made at line 29: I01 = np.array([[1 / t01, r01 / t01], ..."``: the local
    names of ``frame`` (the user's function) bound to NumPy object arrays of duals, each
    with the one statement that binds it where there is one, ``"; "``-joined; ``""``
    for none.  The scalar duals' note (:func:`_scalar_note`) keeps no place, so the
    complex refusal read "after f made a NumPy object array" and left the user to guess
    which of the function's arrays (a transfer-matrix code's fourth one: attackb66 R3).
    Error path only."""
    import numpy as np
    named = []
    for name, value in list(frame.f_locals.items()) if frame is not None else ():
        if not (isinstance(value, np.ndarray) and value.dtype == object and any(
                hasattr(e, "partials") for e in itertools.islice(value.flat, 1000))):
            continue
        made = _assignments(frame, name)
        if len(made) == 1:
            name += f", made at line {made[0][0]}: {_statement_text(made[0][1])}"
        named.append(name)
    return "; ".join(named)


def _outer_line(frame):
    """``"f, line 3: np.array([x[0], x[1]]) * (1 + 2j)"`` for the first frame from
    ``frame`` outwards that is neither dualgrad's, a generated function's nor NumPy's
    (the line whose operation NumPy's object loop runs), ``""`` without one (error
    path only)."""
    frame = _outer_frame(frame)
    if frame is None:
        return ""
    code, text = frame.f_code, ""
    try:
        import linecache
        line, end, col, end_col = list(code.co_positions())[frame.f_lasti // 2]
        if line is not None and line == end and col is not None:
            text = linecache.getline(code.co_filename, line).encode()[col:end_col].decode()
    except Exception:                   # noqa: BLE001 (no source: the line alone)
        line = frame.f_lineno
    where = f"{code.co_name}, line {line}"
    return f"{where}: {text}" if text and len(text) <= 80 else where


def complex_after_object_array(ufunc, args):
    """A real scalar dual turned complex (an operand of ``args`` a complex number or a
    complex dual) after the call made an object array of its scalar duals
    (:func:`object_arrays_made`): if NumPy's object loop over that array ran the
    operation, its result is an object array of complex scalar duals, on which NumPy's
    ``.real`` is the array itself and ``.imag`` zeros (attack44 06); dualgrad cannot
    tell that loop from plain scalar code, so both are refused, with the spellings
    that keep either exact."""
    if _in_vectorize(sys._getframe(2)):
        return vectorize_complex()      # the function np.vectorize calls: its own fix
    who = _helper_name(2)
    at = _outer_line(sys._getframe(2))
    kept = ARRAYS.get(_made_tag(args))
    made = _conversion_call(*kept[-1][3][3]) if kept else ""
    if not made:
        made = _object_locals(_outer_frame(sys._getframe(2)))
    dual_operand = any(getattr(type(a), "complex_kind", False) for a in args)
    what = f"np.{getattr(ufunc, '__name__', ufunc)} with a complex " + (
        "dual" if dual_operand else "number")
    return DualTypeError(
        f"{who}: a real scalar dual became complex ({what})"
        + (f" at {at}" if at else "")
        + " after f made a NumPy object array of scalar duals"
        + (f" ({made})" if made else " (such as np.array([x[0], x[1]]), a list of scalar duals "
           "stored into an array or handed to a NumPy function, np.matmul(A, [d1, d2]), "
           "or np.asarray(d) of a dual array)")      # (matmul: newuser64's load flow)
        + ": NumPy runs an operation on an object array element by element with these same "
        "operators, so dualgrad cannot tell it from scalar code, and its result would be an "
        "object array of complex scalar duals, whose .real NumPy returns as the array itself "
        "(imaginary parts kept) and whose .imag, np.imag and np.angle treat as real numbers: "
        "silently wrong derivatives; expected a dual array where complex numbers meet "
        "duals. Fix: build the array as a dual array: np.stack([x[0], x[1]]) for scalar "
        "duals (x[:2] or x[[0, 1]] for elements of one dual array x; a matrix of them row "
        "by row, np.stack([np.stack([a, b]), np.stack([c, d])]), as np.stack([[a, b], "
        "[c, d]]) stacks object rows), and use a dual array d "
        "itself instead of np.asarray(d); .real, .imag, np.imag and np.angle are exact on "
        "it. For a single number, keep it a scalar dual and build no object array of "
        "scalar duals in f.")


def _in_vectorize(frame):
    """Is the first frame from ``frame`` outwards that is not dualgrad's a function
    ``np.vectorize`` calls (its caller NumPy's ``_vectorize_call`` or
    ``_get_ufunc_and_otypes``)?  (Error path only.)"""
    while frame is not None and ((frame.f_globals.get("__name__") or "").startswith(
            "dualgrad") or frame.f_code.co_filename.startswith("<dualgrad")):
        frame = frame.f_back
    caller = frame.f_back if frame is not None else None
    return caller is not None and (caller.f_globals.get("__name__") or "").startswith(
        "numpy") and caller.f_code.co_name in ("_vectorize_call", "_get_ufunc_and_otypes",
                                               "_vectorize_call_with_signature")


def _made_tag(args):
    """The tag of the first dual among ``args`` (``0`` without one)."""
    for a in args:
        tag = getattr(a, "tag", None)
        if type(tag) is int:
            return tag
    return 0


def handled(exc):
    """dualgrad itself caught ``exc`` and went on: not an error f swallowed.  Told by
    the number ``exc`` carries, not by ``id``: a freed error's address is soon another
    exception's (attack24: the TypeError ``numeric`` caught took the address of the
    error f had swallowed, and the record was wiped)."""
    at = getattr(exc, "_dualgrad_at", None)
    if at is not None and _made.at == at:
        _made.at = 0
    if at is not None and STRAY.at == at:
        STRAY.at = 0


_OBJECT_EVENT = "object array: "
_READ_EVENT = "object array, read: "
_SCALAR_EVENT = "object array of a scalar dual"


# Object arrays of duals kept for made_since (an older one is looked at as it goes).
_KEPT = 16


def object_array_made(items, untouched, tag, live, source, out=None, value=None, frame=None):
    """Note that a dual array became a NumPy object array of the scalar duals
    ``items``, which turn into plain scalar duals when first read (``untouched(items)``:
    none was; the items are kept, not the array, whose life np.asarray's snapshot
    follows).
    ``value``: the plain ndarray of ``source``'s values where the caller has it at hand
    (what :func:`_values_ref` would find: one call less, small50); ``frame``: the
    Python code that asked NumPy to convert, where the caller has it (``__array__``'s
    own caller: no frame looked up again, rosen72).
    ``tag``: the dual array's helper call (its record, :data:`ARRAYS`, whatever thread
    converts it); ``live``: the calls running (:func:`forget`, which retiring a call
    does, drops a call's record; those that ended otherwise go when many are kept).
    A library that refuses object arrays raises its own error (SciPy's "object arrays
    are not supported") without reading an element, which dualgrad never sees, so a
    fit's ``try: ... except Exception: return 1e10`` around it would give a derivative
    of 0 (attack24), and a residual or a term guarded so beside others a zero row or a
    missing term (attack25).  An array nobody read makes the result suspect as a
    caught dualgrad error does (:func:`made_since`); one a library computed with
    (SciPy's rosen, trapezoid: every element read) does not, whatever the result.

    One operation that converts the same dual twice (``ndarray.dot``'s type probe,
    whose first array ``out`` NumPy has already dropped) leaves one record: the
    latest record holds its ``source`` and converting frame themselves (released when
    the next one comes), since their ids are soon another dual's and another call's
    at the same line (msgs42's flake: ``lib(p * 1.0)`` refused and caught, then
    ``lib(p * 2.0)`` read, took the first one's ids, and the unread record went)."""
    if len(ARRAYS) > 8:         # calls that ended without retiring (retire forgets them)
        for done in [t for t in list(ARRAYS) if t not in live]:
            forget(done)
    if frame is None:
        frame = _getframe(2)            # the Python code that asked NumPy to convert
    module = frame.f_globals.get("__name__") or ""
    if module.startswith("scipy.sparse._"):
        refusal = sparse_keeps_duals(frame)
        if refusal is not None:
            refusal.sparse_step = True      # (from_scipy passes it on as it is)
            raise refusal
    code = frame.f_code
    lasti = frame.f_lasti
    key = (code, lasti, module)
    if code.co_name == "__getitem__" and frame.f_back is not None and \
            module.startswith("numpy.lib") and "index_tricks" in module:
        asker = frame.f_back            # np.r_[p, 0.0] / np.c_[...]: the line that wrote it
        key = (asker.f_code, asker.f_lasti, asker.f_globals.get("__name__") or "")
    where = ([_values_ref(source) if value is None else _weakref(value), frame], lasti,
             None if out is None else _weakref(out), key)
    kept = ARRAYS.setdefault(tag, [])
    if kept:
        record = kept[-1]
        held, at, array, _ = record[3]
        mine = where[0][0]
        if held and mine is not None and held[0] is not None and held[0]() is mine() and \
                held[1] is frame and at == where[1] and \
                array is not None and array() is None and record[3][3] == key and \
                record[2](record[1]):
            kept.pop()  # one operation converting twice (ndarray.dot's type probe first)
        else:           # never compared again: let its dual and frame go (in place:
            held.clear()            # another thread may be appending to this call's list)
    kept.append((next(SEQUENCE), items, untouched, where))
    if len(kept) > _KEPT:
        _, old, test, _ = kept.pop(0)
        if test(old):
            _UNREAD[tag] = len(old)


_getframe = sys._getframe
_weakref = weakref.ref


def _values_ref(source):
    """A weak reference to the plain value array under the dual array ``source`` (at
    every level), which names ``source`` while it lives: the record must not hold
    ``source`` itself, since ``y = np.asarray(y)`` drops the only dual ``y`` was and
    its snapshot then becomes writable (tests/test_snapshots); duals take no weak
    references.  None where the value is not an ndarray (no de-duplication then)."""
    value = source.value
    while hasattr(value, "tag"):
        value = value.value
    try:
        return weakref.ref(value)
    except TypeError:
        return None


# made_since's text: the event, the size, then (where f's own line converted the dual
# array with one of NumPy's constructors) this mark and that call's text
_CALL_MARK = " by "
_CONVERTERS = ("asarray", "ascontiguousarray", "asfortranarray", "asanyarray", "array",
               "asarray_chkfinite", "require")
# np.r_ / np.c_ build their result with np.array of each piece: an object array of a
# dual array's elements (user42's theta = np.r_[beta, 0.0])
_CONCATENATORS = ("np.r_[", "np.c_[", "numpy.r_[", "numpy.c_[")


# NumPy functions whose dispatcher hands dualgrad some arguments only: a dual in
# another one meets NumPy's own code, which makes an object array of it (attack43
# repro_10: np.select's default=); the conversion's text and the spelling that works.
_UNDISPATCHED = {
    "select": ("np.select(condlist, choicelist, default=d) with plain choices",
               "NumPy hands np.select to dualgrad only when condlist or choicelist holds a "
               "dual, never for default= alone; write np.where(cond, choice, d) for one "
               "condition, or put the dual among the choices: np.select([c1, c2, ~(c1 | "
               "c2)], [a, b, d])"),
}


_UNDISPATCHED_CALLS = dict(_UNDISPATCHED.values())


def _conversion_fix(call):
    """The fix for f's own conversion ``call`` that made an object array nothing read."""
    if call in _UNDISPATCHED_CALLS:
        return _UNDISPATCHED_CALLS[call]
    if call.startswith(_CONCATENATORS):
        return ("write np.concatenate([p, [0.0]]) for np.r_[p, 0.0] (np.hstack; "
                "np.column_stack for np.c_), which keeps a dual array")
    return "drop the conversion (a dual array needs none: np.zeros_like(x) of the dual itself)"


def _conversion_call(code, lasti, module):
    """The text of the call at instruction ``lasti`` of ``code`` (``np.ascontiguousarray(x)
    in f, line 12``) where it is one of NumPy's array constructors written out in user
    code (``module`` not NumPy, SciPy or dualgrad), else ``""``: a constructor of f's own
    that made an object array is named in the messages, which otherwise suspect a
    library (read on the message path only: the conversion keeps the code and offset)."""
    if module.startswith("numpy") and code.co_name in _UNDISPATCHED:
        return _UNDISPATCHED[code.co_name][0]
    if module.split(".")[0] in ("numpy", "scipy", "dualgrad"):
        return ""
    try:
        import linecache
        line, end, col, end_col = list(code.co_positions())[lasti // 2]
        if line is None or line != end or col is None:
            return ""
        text = linecache.getline(code.co_filename, line).encode()[col:end_col].decode()
    except Exception:                   # no source, no positions: the general message
        return ""
    head = text.split("(", 1)[0]
    if len(text) > 60 or not text.startswith(_CONCATENATORS) and (
            head.rsplit(".", 1)[-1] not in _CONVERTERS or
            not head.startswith(("np.", "numpy."))):
        return ""
    return f"{text} in {code.co_name}, line {line}"


def _split_call(caught, event):
    """``(size, call)`` from made_since's text after ``event``."""
    size, _, call = caught[len(event):].partition(_CALL_MARK)
    return size, call


def _own_conversion(who, size, call):
    """f's own ``np.ascontiguousarray(d)`` (``call``) made an object array nothing read,
    and f's result has no derivatives (attack32 repro_03 (b): np.zeros_like of it + 1)."""
    return DualTypeError(
        f"{who}: f returned a result without derivatives after {call} made a NumPy "
        f"object array of a dual array of {size} elements that nothing read"
        + (": NumPy's own code met the dual. " if call in _UNDISPATCHED_CALLS else
           ": NumPy's array constructors (np.asarray, np.ascontiguousarray, "
           "np.asfortranarray) take no dual; they make an object array of scalar duals. ")
        + "If f's result is a constant "
        "at these inputs (np.zeros_like or np.ones_like of that array: they copy its "
        "shape, not its elements), its derivative is 0, but dualgrad cannot tell that "
        "from a library that refused the array and an except clause that caught its "
        f"error; expected a result with derivatives. Fix: {_conversion_fix(call)}, or "
        "return a constant "
        "with derivatives of zero: c + 0.0 * p[0] (p[0]: any scalar of f's input). "
        f"{_LOOK_FIX}")


def arrays_returned(tag, leaves):
    """Does ``f``'s result hold, among ``leaves``, every element of an object array of
    the helper call's duals?  ``scipy.linalg.block_diag`` and ``np.concatenate`` of
    ``np.asarray(d)`` copy the elements into their result without reading one, beside
    plain zeros, which the guard cannot tell from a guarded term's fallback beside the
    array (attack29: ``np.concatenate([a, fallback])`` gave zero rows when such a result
    cleared the record): the guard still raises, and its message names the dual-array
    spelling (user24's Kalman ``Q = block_diag(q1, q1)``)."""
    kept = ARRAYS.get(tag)
    if not kept:
        return False
    ids = {id(leaf) for leaf in leaves}
    return any(k[1] and all(id(i) in ids for i in k[1]) for k in kept)


_RETURNED_FIX = (
    " If f built its result from the elements of np.asarray(d) with plain zeros beside "
    "them (scipy.linalg.block_diag(q1, q2), np.concatenate with a zero object array), "
    "use dualgrad.scipy.linalg.block_diag(q1, q2) (SciPy's signature) or "
    "build it as a dual array instead: Q = np.zeros_like(q1, shape=(4, 4)); Q[:2, :2] = "
    "q1; Q[2:, 2:] = q2 (a guarded term's fallback beside such elements looks the same "
    "to dualgrad).")


def forget(tag):
    """The helper call of ``tag`` is over: its object arrays' record goes."""
    ARRAYS.pop(tag, None)
    _UNREAD.pop(tag, None)
    GUARDS.pop(tag, None)


# tag -> [[held, elements, code, offset], ...]: the memory of np.asarray's snapshots of the
# helper call's duals (dualgrad.dual._snapshots.guard), looked at by guard_check; offset:
# the converting call's instruction (its frame's f_lasti), its line read by _line_at
GUARDS: dict = {}

# id(root ndarray) -> {id(weak reference): that snapshot's weak reference}: the live
# snapshots np.asarray handed out (dualgrad.dual._snapshots.LIVE, the same dict, held
# here so that the reports read it without importing the dual wing)
SNAPSHOTS: dict = {}


def _written(entry):
    """Whether the snapshot memory of a :data:`GUARDS` entry holds other elements than
    it was made with (its elements in C order, as the list they were made from)."""
    held = entry[0]
    return any(map(_is_not, held.tolist() if held.ndim == 1 else held.ravel().tolist(),
                   entry[1]))


def guard_evict(entries):
    """Drop a call's :data:`GUARDS` entries whose memory nothing else holds (many
    snapshots in one pass: no view of them lives, so none can be written from now on),
    keeping those written past the flag already (:func:`guard_check` reports them)."""
    entries[:] = [entry for entry in entries if sys.getrefcount(
        entry[0] if entry[0].base is None else entry[0].base) > 2 or _written(entry)]
    # (the memory's owner, which NumPy makes the base of every view of it: the entry's
    # list or the kept array's base, and the argument, 2 where no view of it lives)


def unguard(base):
    """The snapshot viewing ``base`` became writable (its dual's memory died): drop its
    :data:`GUARDS` entry unless something wrote past the flag before."""
    for entries in list(GUARDS.values()):
        for i, entry in enumerate(entries):
            if entry[0] is base or entry[0].base is base:
                if not _written(entry):
                    del entries[i]
                return


def guard_check(tag, who):
    """Raise where a write went into a snapshot of the call's duals past its read-only
    flag (NumPy's ``ufunc.at``: :func:`dualgrad.dual._snapshots.guard`)."""
    for entry in GUARDS.get(tag, ()):
        if _written(entry):
            GUARDS.pop(tag, None)
            raise snapshot_written_past_flag(who, entry[2], _line_at(entry[2], entry[3]),
                                             _made_writable(entry[0]))


def _made_writable(held):
    """Whether a live snapshot viewing ``held`` (a :data:`GUARDS` entry's memory) is
    writable now: f set its flag (``y.flags.writeable = True``, ``y.setflags(write=
    True)``) and wrote past it with any store (attack72 M4), not NumPy's ufunc.at."""
    return any(snapshot.base is held and snapshot.flags.writeable
               for snapshot in live_snapshots().values())


def live_snapshots():
    """``{id: snapshot}`` of the arrays np.asarray handed out that live now
    (:data:`SNAPSHOTS`' weak references followed).  Error path only."""
    live = {}
    for entries in list(SNAPSHOTS.values()):
        for ref in list(entries.values()):
            snapshot = ref()
            if snapshot is not None:
                live[id(snapshot)] = snapshot
    return live


def _line_at(code, offset):
    """The line of ``code`` whose instructions hold the byte ``offset`` (a frame's
    ``f_lasti``): what that frame's ``f_lineno`` read, looked up only for a report."""
    for start, end, line in code.co_lines():
        if start <= offset < end and line is not None:
            return line
    return code.co_firstlineno


def _scalar_note():
    """The real scalar duals' ``__array_struct__``: NumPy asks an object it does not
    know for it first, for each element, whenever it makes an array of one
    (``np.asarray(p[0])`` in ``scipy.stats``, ``np.array([d1, d2])``, a list stored
    into an array), so a library's own error on the object array it made (``xlogy``
    refuses the object dtype without reading an element) is noted as a dual array's is
    (:func:`object_array_made`; ``_made.scalar_at``).  Each read raises the
    ``AttributeError`` NumPy takes as "no such interface" and goes on to store the
    dual itself.

    Built of C calls only, so that no Python frame and no new exception is made per
    element (a Python property raising AttributeError cost ~2x as much per element:
    ``python bench/scalar_hook.py``): reading it draws the next number from
    ``SEQUENCE`` into ``_made.scalar_at`` and throws one kept ``AttributeError``
    (its traceback cleared each time) through a finished generator, whose
    ``throw`` raises what it is given."""
    import functools
    refused = AttributeError("__array_struct__")
    finished = (_ for _ in ())
    for _ in finished:
        pass
    reads = map(finished.throw, map(refused.with_traceback, itertools.repeat(None)),
                map(functools.partial(setattr, _made, "scalar_at"), SEQUENCE))
    return property(functools.partial(next, reads), doc="NumPy's first question to an "
                    "element it makes an array of: noted (errors._scalar_note), then none")


SCALAR_ARRAY_NOTE = _scalar_note()


def objects_noted():
    """This thread's latest note of a scalar dual's array and a mark in SEQUENCE, for
    :func:`objects_restore`."""
    return _made.scalar_at, next(SEQUENCE)


def objects_restore(noted):
    """Forget the notes made since :func:`objects_noted` gave ``noted``, of scalar duals
    and of dual arrays (``np.asarray([x0, d])`` asks a 0-d dual for its object array):
    dualgrad's own conversions of lists holding duals (``x * [d1, d2]``, f's returned
    list), which it reads back at once, are no library's object array."""
    _made.scalar_at, mark = noted
    if ARRAYS:
        for kept in list(ARRAYS.values()):
            while kept and kept[-1][0] > mark:
                kept.pop()


def swallowed(who, caught, returned=False):
    """f returned a result without derivatives after dualgrad raised inside it, or
    after a dual array became an object array (``caught``: the text
    :func:`made_since` gives); ``returned``: the result holds every element of such an
    array (:func:`arrays_returned`: the message adds the dual-array spelling)."""
    error = _swallowed(who, caught)
    if returned:
        error.args = (error.args[0] + _RETURNED_FIX,)
    return error


def _swallowed(who, caught):
    lost = _finder_lost(who)               # no except clause of f's: brentq's loop
    if lost is not None:
        return lost
    if caught == _SCALAR_EVENT:
        return DualTypeError(
            f"{who}: f returned a result without derivatives after a scalar dual became "
            "an element of a NumPy object array inside it (np.asarray(p[0]) in a library f "
            "calls, such as scipy.stats' distributions or scipy.special.polygamma, or "
            "np.array([d1, d2]) in f): a library that refuses object arrays raises its own "
            "error (\"ufunc 'xlogy' not supported for the input types\"), and an except "
            "clause in f may have caught it; or f took np.imag / .imag of such an array, "
            "which NumPy gives as zeros (object elements count as real numbers); either way "
            "that result may not be f's value at the float inputs, and its derivative, 0, "
            "would be wrong. Fix: let the error through (narrow the except clause to the "
            "errors you expect): dualgrad then names the call that refuses duals and the "
            "NumPy spelling that works; build an array of scalar duals as a dual array, "
            "np.stack([x[0], x[1]]) (x[:2] for elements of one dual array x), on which "
            "np.imag, np.real and NumPy's functions are exact. If no error was "
            "caught, f took a branch that returns a constant at these inputs: where it is "
            "a guard at a removable singularity (if np.linalg.norm(w) < eps: return "
            "np.eye(3), as Modern Robotics' MatrixExp3 / MatrixExp6 at a zero angle; "
            "np.sin(t) / t at 0), its derivative 0 is not the function's (a rotation's "
            "derivative at zero angle is the axis' skew matrix): return the branch's Taylor "
            "series in the input instead (np.eye(3) + W + W @ W / 2 + W @ W @ W / 6, W the "
            "skew matrix of w; docs/writing-code.md, \"What to expect\"); where f is "
            "constant there, return it with derivatives of zero: c + 0.0 * p[0] (p[0]: "
            "any scalar of f's input).")
    if caught.startswith(_READ_EVENT) or caught.startswith(_OBJECT_EVENT):
        read = caught.startswith(_READ_EVENT)
        size, call = _split_call(caught, _READ_EVENT if read else _OBJECT_EVENT)
        if call and not read:
            return _own_conversion(who, size, call)
        caught = (_READ_EVENT if read else _OBJECT_EVENT) + size
    if caught.startswith(_READ_EVENT):
        return DualTypeError(
            f"{who}: f returned a result without derivatives after a dual array of "
            f"{caught[len(_READ_EVENT):]} elements became a NumPy object array inside it "
            "(np.asarray(d) in f or in a library f calls): a library may compute with its "
            "elements and then refuse the arrays it made (scipy.stats checks every element, "
            "then its scipy.special ufunc refuses the object dtype), and an except clause in "
            "f most likely caught that error; the result is then not f's value at the float "
            "inputs, and its derivative, 0, would be wrong. Fix: let the error through "
            "(narrow the except clause to the errors you expect): dualgrad then names the "
            "call that refuses duals and the NumPy spelling that works. If no error was "
            "caught and the result is a constant at these inputs, return it with "
            "derivatives of zero: c + 0.0 * p[0] (p[0]: any scalar of f's input).")
    if caught.startswith(_OBJECT_EVENT):
        return DualTypeError(
            f"{who}: f returned a result without derivatives after a dual array of "
            f"{caught[len(_OBJECT_EVENT):]} elements became a NumPy object array inside it "
            "(np.asarray(d) in f or in a library f calls, such as scipy.linalg or "
            "scipy.stats): a library that refuses object arrays raises its own error (\"object "
            "arrays are not supported\"), and an except clause in f most likely caught it; "
            "that result is not f's value at the float inputs, and its derivative, 0, would "
            "be wrong. Fix: let the error through (narrow the except clause to the errors "
            "you expect): dualgrad then names the call that refuses duals and the NumPy "
            f"spelling that works. {_LOOK_FIX}")
    return DualTypeError(
        f"{who}: f returned a result without derivatives after an error dualgrad raised "
        "inside it was caught (by f or by a library f calls): that result is not f's value "
        "at the float inputs, and its derivative, 0, would be wrong. Fix: let the error "
        "through (narrow the except clause to the errors you expect) and apply its own fix. "
        f"The error caught was {caught}")


class UncheckedWarning(UserWarning):
    """``dg.elementwise_grad`` could not check some elements to be elementwise (their
    derivatives subnormal, or large enough that a probe overflows): those elements of
    the result are ``J @ 1``, right for an elementwise ``f``.  ``check=False`` or
    ``warnings.simplefilter('ignore', dualgrad.UncheckedWarning)`` silences it."""


def warn_at_caller(message, category):
    """``warnings.warn`` attributed to the first frame outside dualgrad (the user's
    line), however deep in dualgrad the warning is raised."""
    import sys
    import warnings
    level, frame = 2, sys._getframe(1)     # stacklevel 2: the frame that called us
    while frame is not None and frame.f_globals.get("__name__", "").startswith("dualgrad"):
        level += 1
        frame = frame.f_back
    warnings.warn(message, category, stacklevel=level)


class CaughtErrorWarning(UserWarning):
    """f caught an error dualgrad raised, or a library's refusal of an object array of
    duals, and returned a result with derivatives: a term computed in the except
    branch (a penalty, a fallback constant) has none, and the derivative misses it."""


_LOOK_FIX = ("If f converts a dual array only to look at it (x = np.asarray(p); x.ndim, "
             "x.dtype, len(x), np.asarray_chkfinite(p)), ask the dual itself (np.ndim(p), "
             "p.dtype, len(p)): an array of it that nothing reads looks like one a library "
             "refused.")


def caught_warning(who, caught):
    """Warn that f returned derivatives after ``caught`` (:func:`made_since`'s text)."""
    if caught.startswith(_OBJECT_EVENT):
        size, call = _split_call(caught, _OBJECT_EVENT)
        if call:
            warn_at_caller(
                f"{who}: {call} made a NumPy object array of a dual array of {size} "
                "elements that nothing read (NumPy's array constructors and np.r_ / "
                "np.c_ take no dual); f's result has derivatives, and if that array was "
                "never used or only gave a shape (np.zeros_like of it) nothing is "
                "missing, but dualgrad cannot tell it from a library that refused the "
                "array and an except clause whose fallback term has no derivatives. "
                f"Fix: {_conversion_fix(call)}; warnings.simplefilter('ignore', "
                f"dualgrad.CaughtErrorWarning) silences this. {_LOOK_FIX}",
                CaughtErrorWarning)
            return
    what = "a dual array became a NumPy object array that nothing read (a library most " \
        "likely refused it and f caught its error)" if caught.startswith(_OBJECT_EVENT) \
        else f"dualgrad raised inside f and the error was caught ({caught})"
    warn_at_caller(
        f"{who}: {what}; f's result has derivatives, but a term computed in the except "
        "branch (a penalty, a fallback constant: p[0]**2 + guarded(p)) has none, and the "
        "derivative would miss it. Fix: let the error through (narrow the except clause "
        "to the errors you expect) and apply its fix; if the fallback is meant, "
        "warnings.simplefilter('ignore', dualgrad.CaughtErrorWarning) silences this."
        + (f" {_LOOK_FIX}" if caught.startswith(_OBJECT_EVENT) else ""),
        CaughtErrorWarning)


class ComparedOnlyWarning(UserWarning):
    """f compared dual numbers and returned plain numbers: its result depends on x only
    through branches (a bisection, a table lookup, an indicator), so its derivative
    is 0, exact for the code as written but rarely what the comparisons were for."""


def compared_since(tag):
    """Did this thread compare a dual number (``<``, ``>``, ``<=``, ``>=``: a value's
    bool) since the helper call of ``tag`` began?"""
    return _made.compared_at > tag


def equal_since(tag):
    """Did an equality of a scalar dual hold in this thread (``x == c`` True, ``x != c``
    False: a guard's branch at a point, ``if x == 0: return 1.0``) since the helper call
    of ``tag`` began?"""
    return _made.equal_at > tag


def compared_only_warning(who):
    """Warn that f's plain result came after comparisons of duals (userfin49: an implied
    volatility by a hand-written bisection, whose derivative came back 0 silently)."""
    warn_at_caller(
        f"{who}: f compared dual numbers and returned plain numbers, so its result "
        "depends on x only through those comparisons (a bisection's bracket, a lookup, "
        "an indicator np.where(x > k, 1.0, 0.0)) and its derivative is 0. Expected "
        "arithmetic on x's duals to reach the result. Fix: for a root, take Newton "
        "steps on the duals after the bisection, s = s - g(s, x) / g'(s, x) (README's "
        "root finders); for an indicator, a smooth approximation; if 0 is meant, "
        "warnings.simplefilter('ignore', dualgrad.ComparedOnlyWarning) silences this.",
        ComparedOnlyWarning)


def guard_constant_warning(who):
    """Warn that f's plain result came after an equality of a dual held: a guard's
    constant at a removable singularity (user69: ``if x == 0: return 1.0`` before
    ``np.sin(x) / x`` gave the second derivative 0 for -1/3, silently)."""
    warn_at_caller(
        f"{who}: f returned plain numbers after an equality of a dual held at these "
        "inputs (x == c True, or x != c False: a guard such as `if x == 0: return 1.0` "
        "before np.sin(x) / x), so the derivative here is 0, which is the function's "
        "only where f is constant near this point (the guarded sin(x) / x has the "
        "second derivative -1/3 at 0, not 0). Expected arithmetic on x's duals to reach "
        "the result. Fix: write the function without the branch (np.sinc(x / np.pi) for "
        "sin(x) / x), or return the branch's Taylor series in x (1 - x**2 / 6 there); "
        "only where f itself is constant near the point (no guard standing in for a "
        "formula: c + 0.0 * x there silences this and keeps the 0), return c + 0.0 * x; "
        "warnings.simplefilter('ignore', dualgrad.ComparedOnlyWarning) silences this.",
        ComparedOnlyWarning)


class ObjectArrayWarning(UserWarning):
    """A large dual array became a NumPy object array of scalar duals: exact, but
    every later operation on it makes a Python call per element."""


# Elements from which an object array of scalar duals costs more than the warning
# (an operation on it: ~1 us an element, against ~10 ns on the dual array itself).
OBJECT_WARN_SIZE = 1000


def _library_caller(depth):
    """The package of the installed library whose code called NumPy's conversion
    ``depth`` frames up (``"scipy"``: cho_factor's argument wrapper), or ``None``
    where the user's own code did.  (The function itself may not have started: SciPy
    converts in a decorator.)"""
    import sys
    frame, outermost = sys._getframe(depth + 1), None
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if module.split(".")[0] not in ("numpy", "dualgrad"):
            path = frame.f_code.co_filename
            if "site-packages" not in path and "dist-packages" not in path:
                break                                  # the user's code: who called it
            outermost = frame
        frame = frame.f_back
    return None if outermost is None else outermost.f_globals["__name__"].split(".")[0]


# Libraries' modules that refuse an object array after converting the dual (their error
# follows, and from_scipy names the spelling): a warning that "the derivatives are exact"
# before the refusal read as if the call might succeed (user27)
_REFUSE_OBJECTS = ("scipy.linalg.", "scipy.special._logsumexp")


def _refusing_caller(depth):
    """Did a module of :data:`_REFUSE_OBJECTS` call NumPy's conversion ``depth`` frames
    up, itself or through a decorator (scipy._lib's batch wrapper holds it as ``f``)?"""
    import sys
    frame = sys._getframe(depth + 1)
    while frame is not None and (frame.f_globals.get("__name__") or "").startswith(
            ("numpy", "dualgrad", "scipy")):
        module = frame.f_globals.get("__name__") or ""
        wrapped = frame.f_locals.get("f") if module.startswith("scipy._lib") else None
        if module.startswith(_REFUSE_OBJECTS) or \
                str(getattr(wrapped, "__module__", "")).startswith(_REFUSE_OBJECTS):
            return True
        frame = frame.f_back
    return False


def _concatenator(depth):
    """``"np.r_"`` or ``"np.c_"`` where NumPy's index trick (``AxisConcatenator.
    __getitem__``, which converts each piece with ``np.array``) called the conversion
    ``depth`` frames up, else ``None`` (userpower50: PYPOWER's ``r_[mis[pv].real, ...]``
    warned from NumPy's own file, naming ``np.asarray``)."""
    import sys
    frame = sys._getframe(depth + 1)
    if frame.f_code.co_name != "__getitem__" or \
            "index_tricks" not in (frame.f_globals.get("__name__") or ""):
        return None
    return "np.c_" if type(frame.f_locals.get("self")).__name__ == "CClass" else "np.r_"


def object_array_warning(size):
    """Warn, at the user's line, that ``np.asarray`` made ``size`` scalar duals."""
    import warnings
    trick = _concatenator(2)
    if trick is not None:            # the user's line is one frame above NumPy's
        warnings.warn(
            f"dualgrad: {trick}[...] made a NumPy object array of {size} scalar duals "
            f"from a dual array ({trick} converts each piece with np.array); its "
            "derivatives are exact, but every operation on it, and a helper's result "
            "built from it, makes a Python call per element, far slower. Write "
            "np.concatenate([a, b]) (or np.hstack) for np.r_[a, b], np.column_stack([a, "
            "b]) for np.c_[a, b], which keep a dual array. (warnings.simplefilter("
            "'ignore', dualgrad.ObjectArrayWarning) silences this.)",
            ObjectArrayWarning, stacklevel=4)
        return
    if _refusing_caller(2):
        return                       # its refusal follows: a warning is noise there
    library = _library_caller(2)
    if library is not None:          # the advice on A.dot(d) is not the user's to take
        warnings.warn(
            f"dualgrad: a {library} function f calls made a NumPy object array of {size} "
            "scalar duals from a dual array (np.asarray): if it computes with it, the "
            "derivatives are exact but every operation makes a Python call per element, "
            "far slower; if it refuses object arrays, its error follows and dualgrad "
            "names a NumPy spelling. (warnings.simplefilter('ignore', "
            "dualgrad.ObjectArrayWarning) silences this.)", ObjectArrayWarning, stacklevel=3)
        return
    warnings.warn(
        f"dualgrad: a dual array of {size} elements became a NumPy object array of "
        "scalar duals (np.asarray(d), np.array(d), or a plain ndarray's method such as "
        "A.dot(d), which NumPy computes on np.asarray(d)); its derivatives are exact, but "
        "every operation on it makes a Python call per element, far slower. Write "
        "np.dot(A, d) or A @ d for A.dot(d), and give the dual itself to NumPy functions. "
        "(warnings.simplefilter('ignore', dualgrad.ObjectArrayWarning) silences this.)",
        ObjectArrayWarning, stacklevel=3)


# The one advice for buffers: np.zeros_like(x, shape=...) works whether x is a dual, an
# array, a plain float or a Python scalar (np.zeros(n, like=x) fails for a Python float).
BUFFER_FIX = ("create the buffer from the input: out = np.zeros_like(x), or "
              "np.zeros_like(x, shape=(n,)) for another shape (this works on plain floats "
              "too; np.zeros_like(x, shape=Z.shape) for the shape of a plain array Z), "
              "instead of np.zeros(n) or np.empty(n); x: f's input (the argument "
              "dualgrad differentiates, whatever f calls it: p, theta) or a dual computed "
              "from it (an array computed without it holds no derivative to pass on)")

_KEEP_DUAL = (
    "use NumPy functions such as np.sin instead of math.sin, create buffers with "
    "np.zeros_like(x) (np.zeros_like(x, shape=(n,)) for another shape) instead of "
    "np.zeros(n), and read the plain value, dg.stop_gradient(d) (every nesting level "
    "stripped), only where no derivative is wanted"
)

# scipy.optimize's bracketing root finders: their compiled loop reads f's value with
# PyFloat_AsDouble and never checks for an error, so the TypeError of float(d) stays
# set while it calls f again, and Python then raises a SystemError (from_scipy turns
# that back into the TypeError)
_ROOT_FINDERS = frozenset({"brentq", "brenth", "ridder", "bisect"})


def root_finder(frame):
    """``scipy.optimize.NAME``'s TypeError if ``frame`` (the caller of ``float(d)``) is
    one of SciPy's bracketing root finders, whose compiled loop converted f's value;
    else ``None``.  The loop ignores the error and calls f again with it still set,
    and what comes out then depends on f's code, not on dualgrad (quant43): CPython's
    SystemError at the first unspecialized C call, or, where code in f raised and
    caught an exception of its own first (which drops the pending one), the finder's
    own ValueError ("f(a) and f(b) must have different signs") or a plain number.
    So the error is recorded (``MADE.finder``) and :func:`from_scipy` and
    :func:`swallowed` name it whatever came out (:func:`_finder_lost`)."""
    if frame.f_code.co_name not in _ROOT_FINDERS or \
            frame.f_globals.get("__name__") != "scipy.optimize._zeros_py":
        return None
    error = _finder_error("dualgrad", frame.f_code.co_name)
    _made.finder = error._dualgrad_at
    return error


def _finder_error(who, name):
    return DualTypeError(
        f"{who}: scipy.optimize.{name} reads f's value as a float in compiled code, "
        "which would drop the derivatives of a dual number; expected a root found on "
        f"plain values. Fix: use dualgrad.scipy.optimize.{name} (same signature; the "
        "root on plain values, then Newton steps on duals: the implicit-function "
        f"theorem's derivatives): from dualgrad.scipy.optimize import {name}; or find "
        f"the root of the values yourself, s = {name}(lambda s: g(s, dg.stop_gradient(p)),"
        " a, b), then take one Newton step on duals per derivative order wanted, s = s - "
        "g(s, p) / dg_ds(s, p) (README: root finders), or call scipy.optimize.newton, "
        "which works on duals.")


def _finder_lost(who, exc=None):
    """The root finder's TypeError under ``who``'s name where one of SciPy's bracketing
    root finders converted a dual during the helper calls this thread runs (its
    record newer than the outermost call's tag) and ``exc`` (whatever the finder's
    loop ended with) came out of that finder's frame (``exc`` ``None``: f returned
    after it, :func:`swallowed`); else ``None``."""
    if not _made.finder:
        return None
    me = _ident()
    running = [t for t, owner in list(LIVE.items()) if t and owner == me]
    if running and _made.finder < min(running):
        return None                         # a record of an earlier call
    name = None
    if exc is None:
        name = _made.text.split("scipy.optimize.", 1)[-1].split(" ", 1)[0] \
            if _made.at == _made.finder and _made.text else None
    else:
        import traceback
        for frame, _ in traceback.walk_tb(exc.__traceback__):
            if frame.f_code.co_name in _ROOT_FINDERS and \
                    frame.f_globals.get("__name__") == "scipy.optimize._zeros_py":
                name = frame.f_code.co_name
                break
    if name not in _ROOT_FINDERS:
        return None
    _made.finder = 0
    return _finder_error(who, name)


def storing(depth=2):
    """Is the Python code ``depth`` frames up storing an item (``a[i] = d``)?  NumPy
    converts a dual stored into a plain array with ``float(d)`` or ``__array__``;
    this tells that apart from an explicit ``float(d)`` (error path only)."""
    import sys
    try:
        frame = sys._getframe(depth)
    except ValueError:                                  # pragma: no cover
        return False
    return storing_at(frame)


# the last store refusal raised from float(d) (its error, and the code and line of the
# user's frame that stored), for NumPy's flat iterator, which replaces it by a bare
# ValueError (:func:`swallowed_store`)
_REMEMBERED = [None]
_SWALLOWING = "Error setting single item of array."


def remembered(error):
    """``error``, a store refusal about to be raised, kept with the user's line."""
    import sys
    frame = _user_frame(sys._getframe(1))
    _REMEMBERED[0] = None if frame is None else (error, frame.f_code, frame.f_lineno)
    return error


def swallowed_store(exc):
    """The store refusal NumPy's ``D.flat[i] = d`` replaced by its bare ``ValueError``
    ("Error setting single item of array.": API.md's TypeError lost, attack68 F4), where
    it was raised on the line ``exc`` comes from; else ``None``."""
    import traceback
    kept, _REMEMBERED[0] = _REMEMBERED[0], None
    if kept is None or type(exc) is not ValueError or str(exc) != _SWALLOWING:
        return None
    last = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        last = frame.f_code, line
    return kept[0] if last == kept[1:] else None


def storing_at(frame):
    """Is ``frame``'s current instruction an item or slice store?"""
    import dis
    try:
        op = frame.f_code.co_code[frame.f_lasti]
    except IndexError:                                  # pragma: no cover
        return False
    return dis.opname[op] in ("STORE_SUBSCR", "STORE_SLICE")


def stored_next(depth=2):
    """Will the Python code ``depth`` frames up store the value being computed into an
    item or slice next (``y[i] += d`` computes ``y[i] + d`` in place, then stores it
    with ``y[i] = ...``)?  Read from its bytecode: error path only."""
    import dis
    import sys
    try:
        frame = sys._getframe(depth)
    except ValueError:                                  # pragma: no cover
        return False
    for ins in dis.get_instructions(frame.f_code):
        if ins.offset <= frame.f_lasti or ins.opname in ("SWAP", "COPY", "NOP"):
            continue
        return ins.opname in ("STORE_SUBSCR", "STORE_SLICE")
    return False


# NumPy functions that build a plain result array themselves and then store the
# caller's duals into it: the general advice names code the user never wrote.
_NUMPY_BUILDERS = {
    "_vectorize_call": "vectorize", "_vectorize_call_with_signature": "vectorize",
    "piecewise": "piecewise",
    "histogram": "histogram", "histogram_bin_edges": "histogram_bin_edges",
    "gradient": "gradient", "unwrap": "unwrap", "interp": "interp", "pad": "pad",
}
# Builders that are one only when a keyword NumPy's dispatcher does not hand over
# holds the dual (np.interp of an object array is numpy_on_objects' case).
_KEYWORD_DUALS = {"interp": ("period", "left", "right")}
_BUILDER_FIX = {
    "vectorize": (
        "np.vectorize fixed its output dtype from the first element's result, a plain "
        "number, then stored later results (duals) into a float array. Fix: pass "
        "otypes=[object] to np.vectorize (real results; complex ones: np.frompyfunc(f, "
        "nin, 1)(x)), or make every branch return a dual (0.0 * k "
        "rather than 0.0); better, write the branches with np.where(cond, a, b), which "
        "runs at array speed"),
    "piecewise": (
        "np.piecewise builds its result as a plain array shaped like its first argument "
        "(np.zeros_like(x) of plain x), and cannot hold the duals your functions return. "
        "Fix: np.where(cond, f1(x), f2(x)) (or np.select([c1, c2], [f1(x), f2(x)]) for "
        "more pieces), which keeps the derivatives"),
    "histogram": (
        "NumPy hands np.histogram to dualgrad when its data, bins or weights hold "
        "duals, not for range= alone: with plain data and a dual range, NumPy's own code "
        "met the duals. Fix: make the data a dual too, np.histogram(data + 0.0 * lo, "
        "bins, range=(lo, hi)) (zero derivatives for the data; the edges move with lo "
        "and hi)"),
}
_BUILDER_FIX["gradient"] = (
    "np.gradient received an object array of scalar duals (np.array([a, b, c]) of "
    "scalar duals makes one), which NumPy never hands to dualgrad: its own code took "
    "the differences and wrote them into a float64 array. Fix: build the array with "
    "np.stack([a, b, c]) (a dual array; np.block([[a, b], [c, d]]) for a matrix of "
    "scalar duals), which np.gradient takes")
_BUILDER_FIX["pad"] = (
    "NumPy hands np.pad to dualgrad when the array padded is a dual, not for "
    "constant_values= / end_values= alone: with a plain array and a dual pad value, "
    "NumPy's own code wrote the dual into the plain array it made. Fix: make the array "
    "a dual too, np.pad(a + 0.0 * c, pad_width, constant_values=c) (zero derivatives "
    "inside; the border moves with c); a dual end_values of mode='linear_ramp' has no "
    "dual np.pad: join np.linspace ramps with np.concatenate")
_BUILDER_FIX["unwrap"] = (
    "NumPy hands np.unwrap to dualgrad when p holds duals, not for period= alone: with "
    "a plain p and a dual period, NumPy's own code met the dual period. Fix: make p a "
    "dual too, np.unwrap(p + 0.0 * period, period=period) (zero derivatives for p; the "
    "whole periods added move with the period)")
_BUILDER_FIX["interp"] = (
    "NumPy hands np.interp to dualgrad when x, xp or fp holds duals, not for period=, "
    "left= or right= alone: with plain x, xp and fp and a dual among those, NumPy's own "
    "code met the dual. Fix: make x a dual too, np.interp(x + 0.0 * period, xp, fp, "
    "period=period) (zero derivatives for x; the point moves with the period, or the "
    "end values with left= / right=)")
_BUILDER_FIX["histogram_bin_edges"] = _BUILDER_FIX["histogram"].replace(
    "np.histogram(", "np.histogram_bin_edges(").replace("np.histogram ", "np.histogram_bin_edges ")


def numpy_builder():
    """The NumPy function (``"vectorize"``, ``"piecewise"``) that is storing a dual
    into a result array it built itself, read from the Python stack (error path only),
    or None."""
    import sys
    frame = sys._getframe(1)
    for _ in range(32):                  # past dualgrad's frames, through NumPy's
        if frame is None:
            return None
        module = frame.f_globals.get("__name__", "")
        if module.startswith("numpy"):
            name = _NUMPY_BUILDERS.get(frame.f_code.co_name)
            if name in _KEYWORD_DUALS and not any(
                    type(frame.f_locals.get(k)).__module__.startswith("dualgrad")
                    for k in _KEYWORD_DUALS[name]):
                return None      # no keyword holds the dual: numpy_on_objects' case
            if name:
                return name
        elif not (module.startswith("dualgrad")
                  or frame.f_code.co_filename.startswith("<dualgrad")):
            return None                  # the user's code (a vectorized function's own body)
        frame = frame.f_back
    return None


def numpy_on_objects():
    """The public NumPy function (``"percentile"``, ``"nanmean"``) the user's code
    called, directly, on an object array of scalar duals, whose own code met a dual
    (read from the Python stack, error path only: dualgrad's frames, then NumPy's,
    then the user's), or None (NumPy called by dualgrad's own dispatch)."""
    import sys
    import numpy as np
    frame, name = sys._getframe(1), None
    for _ in range(64):
        if frame is None:
            return None
        module = frame.f_globals.get("__name__", "")
        if module.startswith("numpy"):
            name = frame.f_code.co_name
        elif module.startswith("dualgrad") or frame.f_code.co_filename.startswith(
                "<dualgrad"):
            if name is not None:         # NumPy inside dualgrad's own dispatch
                return None
        else:
            break
        frame = frame.f_back
    if name is None or name.startswith("_") or not callable(getattr(np, name, None)):
        return None
    return name


# NumPy's samplers whose draw is a NumPy expression of a standard variate: the same
# numbers from the same seed (for Generator and RandomState alike), so a dual parameter
# gets its pathwise derivative.  {r}: the generator as the user wrote it.
_SAMPLER_FIX = {
    "normal": "loc + scale * {r}.standard_normal(size)",
    "lognormal": "np.exp(mean + sigma * {r}.standard_normal(size))",
    "exponential": "scale * {r}.standard_exponential(size)",
    "uniform": "low + (high - low) * {r}.random(size)",
    "gamma": "scale * {r}.standard_gamma(shape, size) (a dual scale; a dual shape has no "
             "such spelling)",
    "laplace": "loc + scale * {r}.laplace(0.0, 1.0, size)",
    "logistic": "loc + scale * {r}.logistic(0.0, 1.0, size)",
    "gumbel": "loc + scale * {r}.gumbel(0.0, 1.0, size)",
    "rayleigh": "scale * np.sqrt(2.0 * {r}.standard_exponential(size))",
    "weibull": "{r}.standard_exponential(size) ** (1.0 / a)",
    "pareto": "np.expm1({r}.standard_exponential(size) / a)",
}
# discrete draws: piecewise constant in their parameters, no pathwise derivative
_DISCRETE_SAMPLERS = ("binomial", "choice", "geometric", "hypergeometric", "integers",
                      "logseries", "multinomial", "negative_binomial", "poisson", "zipf",
                      "randint", "random_integers", "multivariate_hypergeometric")


def _user_frame(frame):
    """The first frame from ``frame`` outwards that is neither dualgrad's nor a
    generated function's; ``None`` where NumPy's Python code comes first."""
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if module.startswith("numpy"):
            return None
        if not (module.startswith("dualgrad")
                or frame.f_code.co_filename.startswith("<dualgrad")):
            return frame
        frame = frame.f_back
    return None


def _resolve(node, frame):
    """The object a name or a chain of attributes (``self.rng``, ``np.random``) names in
    ``frame``, or ``None``: anything else is not evaluated, and no property or
    ``__getattr__`` runs (attributes of objects other than modules are read
    statically; a module's ``__getattr__`` only imports, as ``np.random``)."""
    import ast
    import builtins
    import inspect
    import types
    if isinstance(node, ast.Name):
        for space in (frame.f_locals, frame.f_globals, vars(builtins)):
            if node.id in space:
                return space[node.id]
        return None
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, frame)
        if isinstance(owner, types.ModuleType):
            return getattr(owner, node.attr, None)
        return None if owner is None else inspect.getattr_static(owner, node.attr, None)
    return None


_SAMPLER_NAMES: "list[frozenset[str]]" = []


def _sampler_names():
    """The public method names of NumPy's ``Generator`` and ``RandomState`` (made once)."""
    if not _SAMPLER_NAMES:
        import numpy as np
        _SAMPLER_NAMES.append(frozenset(
            name for kind in (np.random.Generator, np.random.RandomState)
            for name in dir(kind) if not name.startswith("_")))
    return _SAMPLER_NAMES[0]


def random_sampler(depth=2):
    """``(receiver, method)`` where the user's code ``depth`` frames up is calling a NumPy
    sampler (a ``Generator`` or ``RandomState`` method, or a ``np.random`` function:
    ``("rng", "normal")``, receiver ``None`` where the generator has no name) which
    converts its dual parameter to a float; ``None`` otherwise.  Read from the call's
    source text (error path only); without source (code compiled from a string) it is
    ``None``."""
    import sys
    frame = _user_frame(sys._getframe(depth))
    if frame is None or _sampler_names().isdisjoint(frame.f_code.co_names):
        return None                       # no sampler named in that code: skip the source
    import ast
    import numpy as np
    call = _source_node(frame)
    if not isinstance(call, ast.Call):
        return None
    kinds = (np.random.Generator, np.random.RandomState)
    if isinstance(call.func, ast.Name):                # from numpy.random import normal
        owner = getattr(_resolve(call.func, frame), "__self__", None)
        if isinstance(owner, kinds):
            return ("np.random" if owner is np.random.mtrand._rand else None), call.func.id
        return None
    if not isinstance(call.func, ast.Attribute):
        return None
    value, method = call.func.value, call.func.attr
    if isinstance(value, ast.Call):                    # np.random.default_rng(0).normal(m)
        maker = _resolve(value.func, frame)
        kind = np.random.Generator if maker is np.random.default_rng else maker
        known = any(kind is k for k in kinds)           # (not ==: maker may be anything)
        return (None, method) if known and hasattr(kind, method) else None
    owner = _resolve(value, frame)
    if owner is np.random:
        owner = np.random.mtrand._rand
    if isinstance(owner, kinds) and hasattr(type(owner), method):
        return ast.unparse(value), method
    return None


def _sampler_error(receiver, method, action):
    """The message for a dual parameter of the NumPy sampler ``receiver.method``."""
    if receiver is not None and (len(receiver) > 24 or "(" in receiver):
        receiver = None                           # the fix names it rng
    where = f"{receiver}.{method}" if receiver else f"the generator's .{method}"
    receiver = receiver or "rng"
    if method in _DISCRETE_SAMPLERS:
        fix = ("a discrete draw is piecewise constant in its parameters and has no "
               "pathwise derivative: draw it with d.value where none is wanted (a "
               "derivative of its expectation needs a score-function estimator or the "
               "probabilities themselves)")
    elif method in _SAMPLER_FIX:
        fix = ("draw the standard variate with the fixed seed and apply the parameters "
               "with NumPy arithmetic, which gives the same numbers and their pathwise "
               f"derivative: {_SAMPLER_FIX[method].format(r=receiver)}")
    else:
        fix = ("draw a variate that does not depend on the dual parameter (a standard "
               "one: standard_normal, standard_exponential, random) and apply the "
               "parameter with NumPy arithmetic (x = loc + scale * z), or pass d.value "
               "where no derivative is wanted")
    return DualTypeError(
        f"dualgrad: {where}(...) (a NumPy random sampler) converts its parameters to "
        f"plain numbers (here {action.split(' (')[0]}), which would drop the derivatives "
        "of a dual parameter; expected plain parameters for the draw. Fix: "
        f"{fix}. (docs/writing-code.md: \"Random numbers\".)")


def user_line(frame, line=None):
    """``frame``'s line as the user reads it, ``"(at line 12 of model.py: `y = sqrt(v)`)"``,
    where the frame is the user's code (not NumPy's, SciPy's or dualgrad's, whose line
    the user did not write); ``""`` otherwise.  ``float(d)`` reached from C (``math.sqrt``,
    ``float``, ``np.float64``) has the caller's frame as its own: the line that did it
    (user44: ``from math import sqrt`` in QuantEcon's Rouwenhorst was named nowhere)."""
    import linecache
    import os
    module = frame.f_globals.get("__name__") or ""
    if module.split(".")[0] in ("numpy", "scipy", "dualgrad"):
        return ""
    path = frame.f_code.co_filename
    line = frame.f_lineno if line is None else line     # (a traceback's tb_lineno)
    source = linecache.getline(path, line).strip()
    text = f": `{source}`" if source else ""
    return f"(at line {line} of {os.path.basename(path)}{text})"


# math's (and cmath's) functions convert a dual with float(d) / complex(d): their spellings
# that take duals, where NumPy's name differs or NumPy has none (userfin49: a normal cdf
# written 0.5 * (1 + math.erf(x / sqrt(2))), the generic "np.sin instead of math.sin" sent
# the user to np.erf, which does not exist)
_MATH_SPELLINGS = {
    "acos": "np.arccos", "asin": "np.arcsin", "atan": "np.arctan", "atan2": "np.arctan2",
    "acosh": "np.arccosh", "asinh": "np.arcsinh", "atanh": "np.arctanh",
    "pow": "np.power (or **)", "fabs": "np.abs", "fsum": "np.sum", "prod": "np.prod",
    "erf": "scipy.special.erf", "erfc": "scipy.special.erfc",
    "gamma": "scipy.special.gamma", "lgamma": "scipy.special.gammaln",
    "log": "np.log (math.log(x, b): np.log(x) / np.log(b))", "dist": "np.linalg.norm(p - q)",
    "phase": "np.angle", "rect": "r * np.exp(1j * phi)", "polar": "(np.abs(z), np.angle(z))",
    # where np.<name> is another function or none (attack49 27)
    "remainder": "x - y * np.round(x / y) (math.remainder rounds half to even, as "
                 "np.round does; np.remainder is Python's %)",
    "hypot": "np.hypot (two arguments; np.sqrt(x**2 + y**2 + z**2) for more)",
    "ulp": "np.spacing(np.abs(x)) (a constant: its derivative is 0)",
    "frexp": "x / 2.0**e with e = np.frexp(dg.stop_gradient(x))[1] (the mantissa's "
             "derivative is 2**-e)",
    "ldexp": "x * 2.0**i", "copysign": "np.copysign",
    "isclose": "abs(a - b) <= 1e-09 * max(abs(a), abs(b)) (math.isclose's defaults; "
               "np.isclose's rtol=1e-05, atol=1e-08 take another branch)",
    "cbrt": "np.cbrt", "exp2": "np.exp2", "expm1": "np.expm1", "log1p": "np.log1p",
    "log2": "np.log2", "log10": "np.log10", "trunc": "np.trunc", "floor": "np.floor",
    "ceil": "np.ceil", "fmod": "np.fmod", "modf": "np.modf", "degrees": "np.degrees",
    "radians": "np.radians"}
# cmath's that give complex results of real input: np.emath's (np.sqrt(-1.0) is nan)
_CMATH_SPELLINGS = {
    "sqrt": "np.emath.sqrt", "log": "np.emath.log (cmath.log(x, b): np.emath.logn(b, x))",
    "log10": "np.emath.log10", "acos": "np.emath.arccos", "asin": "np.emath.arcsin",
    "atanh": "np.emath.arctanh"}


# the builtin complex(a, b) converts each dual with complex(d): the spelling that keeps them
_COMPLEX_SPELLING = "a + 1j * b for complex(a, b) (d * (1 + 0j) for complex(d))"


def _line_callables(frame):
    """The objects ``frame``'s current line calls (``np.arange``, ``math.sqrt``), looked up
    by their names in its locals, globals and builtins; error path only."""
    for _, obj in _line_calls(frame):
        yield obj


def _line_calls(frame):
    """``(text, object)`` of each call on ``frame``'s current line that may meet a dual:
    ``("sqrt", math.sqrt)`` where the module imported it bare; error path only."""
    import builtins
    import inspect
    import linecache
    import re
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    plain = _plain_calls(line, frame)
    for dotted in re.findall(r"([A-Za-z_][\w.]*)\s*\(", line):
        if dotted in plain:             # math.cos(2.0): no dual reaches it (attackb67 R3)
            continue
        head, *rest = dotted.split(".")
        obj = frame.f_locals.get(head, frame.f_globals.get(head, getattr(builtins, head, None)))
        for part in rest:               # no property or __getattr__ runs on the error path
            obj = inspect.getattr_static(obj, part, None)
        yield dotted, obj


def _plain_calls(line, frame):
    """The callees (dotted text) that ``line`` calls only on plain numbers: every
    argument made of literals and of names bound in ``frame`` to Python or NumPy
    numbers, with arithmetic between them (``math.cos(2.0)``, ``math.sqrt(c)``);
    an empty set where the line does not parse alone.  Error path only."""
    import ast
    import numbers
    try:
        tree = ast.parse(line.strip())
    except SyntaxError:
        return set()

    def plain(node):
        if isinstance(node, ast.Constant):
            return isinstance(node.value, numbers.Number)
        if isinstance(node, ast.Name):
            value = frame.f_locals.get(node.id, frame.f_globals.get(node.id))
            return isinstance(value, numbers.Number)
        if isinstance(node, ast.UnaryOp):
            return plain(node.operand)
        if isinstance(node, ast.BinOp):
            return plain(node.left) and plain(node.right)
        return False

    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    texts = {ast.unparse(n.func) for n in calls}
    taking = {ast.unparse(n.func) for n in calls
              if not all(map(plain, [*n.args, *(k.value for k in n.keywords)]))}
    return texts - taking


def math_spellings(frame):
    """The spellings that take duals of the math / cmath functions that ``frame``'s
    current line calls, ``"scipy.special.erf for erf, np.sqrt for sqrt"`` (``""`` where
    it calls none, or its source cannot be read): ``float(d)`` reached from one of them
    names no function."""
    import cmath
    import math
    found = []
    for dotted, obj in _line_calls(frame):
        if obj is complex:              # V = complex(e, f) of duals (userpower50)
            if _COMPLEX_SPELLING not in found:
                found.append(_COMPLEX_SPELLING)
            continue
        module = getattr(obj, "__self__", None) if type(obj) is type(math.sqrt) else None
        if module is not math and module is not cmath:
            continue
        name = obj.__name__
        spelling = (module is cmath and _CMATH_SPELLINGS.get(name)) or \
            _MATH_SPELLINGS.get(name, f"np.{name}")
        text = f"{spelling} for {module.__name__}.{name}"
        if "." in dotted and dotted != f"{module.__name__}.{name}":
            text = f"{spelling} for {dotted} ({module.__name__}.{name})"   # import math as m
        if text not in found:
            found.append(text)
    alias = _numpy_alias(frame) if found else None
    if alias is not None and alias != "np":   # import numpy alone: numpy.sqrt (user73)
        import re
        return re.sub(r"\bnp\.", f"{alias}.", ", ".join(found))
    return ", ".join(found)


def _numpy_alias(frame):
    """The name ``frame``'s code gives NumPy: ``np`` where it binds it so, else the first
    other name bound to NumPy (``import numpy``, ``import numpy as xp``), else ``None``.
    Error path only."""
    import numpy as np
    space = {**frame.f_globals, **frame.f_locals}
    if space.get("np") is np:
        return "np"
    return next((k for k, v in space.items() if v is np and k.isidentifier()), None)


# math's names whose NumPy namesake (the same name) does what math's does on a float and
# takes duals: an import line ``from math import ...`` of these may import them from NumPy
# instead (not log: np.log(x, b) writes into b; not hypot: a third argument is out; not
# floor / ceil / trunc: NumPy's return floats where range() wants an int)
_NUMPY_NAMESAKES = frozenset(
    "sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh exp exp2 expm1 "
    "log10 log2 log1p sqrt cbrt radians degrees fabs copysign fmod pow isfinite isinf "
    "isnan pi e inf nan".split())


def math_import_fix(frame):
    """Where ``frame``'s current line calls math's functions by the bare names a ``from
    math import ...`` line bound (user71: a geodesy module's ``from math import cos,
    radians, sin, sqrt``, refused one line, one function at a time), that import line
    and its NumPy spelling: ``" (or, at line 1, `from math import cos, sin` becomes
    `from numpy import cos, sin`: every line that calls them takes duals)"``; ``""``
    where none is found, a name has no NumPy namesake, or the source cannot be read."""
    import ast
    import linecache
    import math
    import numpy as np
    bare = {text for text, obj in _line_calls(frame)
            if "." not in text and getattr(obj, "__self__", None) is math
            and getattr(obj, "__name__", None) == text}
    if not bare:
        return ""
    lines = linecache.getlines(frame.f_code.co_filename)
    try:
        tree = ast.parse("".join(lines))
    except (SyntaxError, ValueError):
        return ""
    fixes = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and node.module == "math" and node.level == 0):
            continue
        names = [a.name for a in node.names if a.asname is None]
        if not bare & set(names) or len(names) != len(node.names):
            continue
        moved = [n for n in names if n in _NUMPY_NAMESAKES and hasattr(np, n)]
        kept = [n for n in names if n not in moved]
        if not bare <= set(moved):
            return ""
        text = ast.unparse(node)
        fix = f"`from numpy import {', '.join(moved)}`"
        if kept:
            fix += f" beside `from math import {', '.join(kept)}`"
        fixes.append(f"at line {node.lineno}, `{text}` becomes {fix}")
    if len(fixes) != 1:
        return ""
    return f" (or, {fixes[0]}: every line that calls them then takes duals)"


def dropped_derivatives(action, integer=False, where=""):
    """``action`` (e.g. ``"float(d)"``) would silently drop derivatives; ``integer``:
    it makes an integer (an index, a count), whose fix is to take it from the value;
    ``where``: :func:`user_line`'s text for the line that did it."""
    sampler = random_sampler(2)
    if sampler:
        return _sampler_error(*sampler, action)
    builder = numpy_builder()
    if builder == "vectorize" and action.startswith("complex("):
        return vectorize_complex()
    if builder:
        return DualTypeError(
            f"dualgrad: np.{builder} would drop the derivatives of a dual number (NumPy "
            f"called {action.split(' (')[0]} on it); expected code that keeps values as "
            f"duals. {_BUILDER_FIX[builder]}.")
    caller = numpy_on_objects()
    if caller:
        return DualTypeError(
            f"dualgrad: np.{caller} would drop the derivatives of a dual number (NumPy "
            f"called {action.split(' (')[0]} on it); expected a dual array. np.{caller} "
            "received an object array of scalar duals (np.array([a, b, c]) of scalar "
            "duals makes one), which NumPy computes with itself and never hands to "
            "dualgrad. Fix: build the array with np.stack([a, b, c]) (a dual array; "
            f"np.block([[a, b], [c, d]]) for a matrix of scalar duals), which np.{caller} "
            "takes.")
    if action == "using a dual as an index" and not integer:     # an array of duals
        return DualTypeError(
            "dualgrad: an array of dual numbers used as an index (x[i], x[rows, labels]): "
            "NumPy indexes with integers, and a dual array holds float64 values with "
            "derivatives; expected an integer array. Fix: where the index is data that "
            "came in through the argument being differentiated (integer labels in a "
            "params dict or tuple are promoted to float64 and seeded), pass it as another "
            "argument of f, dg.grad(loss)(params, y) with loss(params, y), or leave it "
            "out of argnums; where f computes it, take it from the plain value, "
            "np.argmax(dg.stop_gradient(s), axis=1) (piecewise constant: no derivative is "
            "lost).")
    if integer:
        return DualTypeError(     # the line: newuser64's int(nmx) among a Mie code's five
            f"dualgrad: {action} makes an integer of a dual number, which has no "
            "derivatives; expected the integer taken from its value."
            f"{' ' + where if where else ''} Fix: compute an index "
            "or a count from the plain value, e.g. int(np.ceil(dg.stop_gradient(T) / dt)) "
            "or np.floor(dg.stop_gradient(s) * grid).astype(int) (dg.stop_gradient strips "
            "every nesting level and passes plain floats through); it is piecewise "
            "constant, so no derivative is lost.")
    spellings, frame, converting = "", None, False
    if action.startswith(("float(d)", "complex(d)")):
        import sys
        try:                # __float__'s / __complex__'s caller: the line that did it
            frame = sys._getframe(2)
            converting = sys._getframe(1).f_code.co_name in ("__float__", "__complex__")
        except ValueError:                       # pragma: no cover
            frame, converting = None, False
        if converting and not where:             # complex(d) names no line itself
            where = user_line(frame)
        if converting and where and user_line(frame) == where:
            if _calls_arange(frame):
                return _arange_of_dual(where)
            spellings = math_spellings(frame)
            if spellings:
                spellings += " (they take duals)" + math_import_fix(frame)
    if spellings:
        spellings = f"on that line, write {spellings}; elsewhere, "
    if action.endswith(("(np.asarray(d, dtype=...), .astype)", "(d.copy() keeps a dual)")):
        # SciPy-style objectives open with x = np.asarray(x, dtype=float) or
        # x.astype(float): the float64 asked for is what a dual carries already
        # (newuser55: the fix named math.sin and buffers, not the line's own spelling)
        # (not np.asarray(x) / np.array(x): of a dual array those are NumPy object
        # arrays of scalar duals, which NumPy's own np.nan_to_num passes through with
        # a NaN written into them left in place: attack57 07)
        spellings = ("leave the cast out: x is a dual array of float64 values already, "
                     "so x = np.asarray(x, dtype=float) at the top of f goes, or becomes "
                     "x = x.copy() where f writes into x (a dual array still; np.asarray(x) "
                     "and np.array(x) of a dual array are NumPy object arrays of scalar "
                     "duals, which NumPy's own functions such as np.nan_to_num pass "
                     "through unchanged); elsewhere, ")
    fix = f"{spellings}{_KEEP_DUAL}"
    if converting and where and user_line(frame) == where:
        fix = _in_module_names(fix, {**frame.f_globals, **frame.f_locals})
    return DualTypeError(
        f"dualgrad: {action} would drop the derivatives of a dual number; "
        f"expected code that keeps values as duals.{' ' + where if where else ''} "
        f"Fix: {fix}."
    )


# NumPy's names that the advice shows as the spelling to replace (np.zeros(n)), not one
# to write: no import is asked for them
_NUMPY_REPLACED = frozenset({"zeros", "empty", "ones", "float64"})


def _in_module_names(text, space):
    """``text``'s ``np.<name>`` spelled in the names ``space`` (the user's module and
    function) gives NumPy: as they are where ``np`` is NumPy, ``xp.sin`` under ``import
    numpy as xp`` / ``numpy.sin`` under ``import numpy``; in a module that binds NumPy's
    functions bare (``from numpy import zeros_like``) the bare names, with the import line
    for those it lacks; in one that names NumPy nowhere, ``np.`` with ``import numpy as
    np`` asked for (attack73 M2, diff73 F7: np.sqrt and np.zeros_like were NameErrors
    there).  Error path only."""
    import re
    import numpy as np
    if space.get("np") is np:
        return text
    alias = next((k for k, v in space.items() if v is np and k.isidentifier()), None)
    if alias is not None:
        return re.sub(r"\bnp\.", f"{alias}.", text)
    names = list(dict.fromkeys(re.findall(r"\bnp\.(\w+)", text)))
    if not any(_numpy_function(space, k) for k in space if k.isidentifier()):
        return text + " (with `import numpy as np` in f's module, which names NumPy " \
            "nowhere)" if names else text
    missing = [n for n in names if n not in _NUMPY_REPLACED and
               not _numpy_function(space, n) and hasattr(np, n)]
    text = re.sub(r"\bnp\.(\w+)", r"\1", text)
    return text + _imports_asked(missing, "f's module")


def _calls_arange(frame):
    """Does ``frame``'s current line call ``np.arange`` (however imported)?  Error path
    only: NumPy's C code reads a dual bound with float(d), whose caller is that line."""
    import numpy as np
    return any(obj is np.arange for obj in _line_callables(frame))


def _arange_of_dual(where):
    """``np.arange`` given a dual start, stop or step (newuser64: a Mie code's ``n =
    np.arange(1, nmax + 1)`` with ``nmax`` rounded from the size parameter was told to
    use np.sin and buffers)."""
    return DualTypeError(
        "dualgrad: np.arange(...) of a dual number (its start, stop or step) would drop "
        "its derivatives: NumPy reads the bounds as plain floats; expected plain bounds. "
        f"{where} Fix: where the dual sets how many elements there are (np.arange(1, nmax "
        "+ 1) with nmax computed from the input), take the count from the plain value, "
        "np.arange(1, dg.stop_gradient(nmax) + 1) (piecewise constant: no derivative is "
        "lost); where the points should move with a dual start or step, write start + "
        "step * np.arange(n) with n from the plain values.")


def cast_dtype(action, dtype):
    """``action`` (``"np.cumsum(..., dtype=float32)"``, ``"d.astype(float32)"``) asks a
    dual for another dtype than the float64 (complex128) it carries: a narrower float
    rounds the value and the derivatives (no derivative is dropped, but neither is
    float64 any more), an integer or bool rounds them away."""
    import numpy as np
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is not None and dt.kind == "c" and ".astype(" in action and dt.itemsize < 16:
        # complex64 rounds the value and the derivatives as float32 does (it carried the
        # partials at complex64, 3e-8 off: attack73 F3): refused alike
        return DualTypeError(
            f"{_helper_name()}: {action} asks a dual number for a narrowing cast: dualgrad "
            f"carries complex values and derivatives in complex128, and {dt.name} would "
            "round both (as float32 would real ones); expected complex128. Fix: z = "
            "x.astype(complex) (x: the dual; a complex dual with the same derivatives, "
            "exact), and cast the plain result the helper returns if you need "
            f"{dt.name}: J.astype(np.{dt.name}).")
    if dt is not None and dt.kind == "c":          # (complex64 too: no narrowing advice
        return complex_cast(action)               # for a cast that drops them)
    if dt is None or dt.kind != "f" or dt.itemsize >= 8:    # the general advice
        return dropped_derivatives(action, integer=dt is not None and dt.kind in "biu")
    name = dt.name
    if ".astype(" in action:
        # astype(np.float64) is refused as well (dropped_derivatives): "expected float64"
        # sent a user from the source's img.astype(np.float32) to a second refusal
        # (newuser60, Perona-Malik diffusion)
        return DualTypeError(
            f"dualgrad: {action} asks a dual number for a narrowing cast: dualgrad "
            f"carries values and derivatives in float64, and {name} would round both; "
            f"expected no cast (a dual array holds float64 already; complex128 for complex "
            f"values). Fix: leave the cast out (img = img.astype(np.{name}) goes, or "
            f"becomes img = img.copy() where f writes into img), and cast the plain "
            f"result the helper returns if you need {name}: J.astype(np.{name}).")
    return DualTypeError(
        f"dualgrad: {action} asks a dual number for a narrowing cast: dualgrad carries "
        f"values and derivatives in float64, and {name} would round both; expected "
        f"dtype=None or float64 "
        f"(complex128 for complex values). Fix: leave dtype= out (the dual stays float64), "
        f"and cast the plain result the helper returns if you need {name}: "
        f"J.astype(np.{name}).")


def complex_cast(action, where=""):
    """``action`` (``"np.sum(..., dtype=complex128)"``, ``"np.asarray(d, dtype=complex128)"``)
    asks NumPy for complex values of a dual: NumPy would cast plain numbers (a dual has
    none to give), so the derivatives would go; the dual's own cast keeps them.  The
    general advice named ``math.sin`` and buffers, nothing the call wrote (attack71 M1);
    ``x.astype(complex)`` and ``x * (1 + 0j)`` work (a complex dual, derivatives kept).
    ``where``: :func:`user_line`'s text for the line."""
    call = action.split("(", 1)[0]
    # complex64 asked (diff72 F5): the dual's complex128 cast, the result cast after (a
    # dual's own complex64 cast is refused: it would round the derivatives, attack73 F3)
    narrow = "complex64" in action
    kind = "complex"
    if call.startswith("np.") and call not in ("np.asarray", "np.array", "np.asanyarray"):
        then = (f"and call {call} on z without dtype= ({call}(z, ...) for "
                f"{call}(x, ..., dtype={'np.complex64' if narrow else kind}): its "
                "derivatives follow)")
    else:
        then = "and use z where the complex array was wanted"
    same = "x * (1 + 0j) does the same, for a scalar dual too"
    if narrow:
        then += ("; complex64 would round the derivatives: cast the plain result the "
                 "helper returns if you need it, J.astype(np.complex64)")
    return DualTypeError(
        f"{_helper_name()}: {action} asks NumPy for a complex cast of a dual number, "
        "which NumPy can make of plain numbers only and which would drop the derivatives; "
        f"expected a dual made complex by its own cast.{' ' + where if where else ''} "
        f"Fix: make the dual complex first, z = x.astype({kind}) (x: the dual; a complex "
        f"dual with the same derivatives; {same}), {then}.")


def format_spec(spec):
    """``format(d, spec)`` / ``f"{d:spec}"`` on a dual: format specs are for numbers."""
    return DualTypeError(
        f"dualgrad: format(d, {spec!r}) (f\"{{d:{spec}}}\") expected a plain number, got a "
        f"dual number, which has a value and derivatives. Fix: format its value, "
        f"f\"{{d.value:{spec}}}\" (for an element, f\"{{x[0].value:{spec}}}\"), or its "
        f"derivatives, d.partials."
    )


def vectorize_complex():
    """``np.vectorize`` of a function returning complex duals (user25): NumPy would
    take the output dtype from ``np.asarray`` of the first result (refused: an object
    array of complex duals) or store the results into a complex array (``otypes=``),
    dropping the derivatives.  ``np.frompyfunc`` reaches dualgrad as a ufunc, whose
    results become one complex dual array."""
    return DualTypeError(
        "dualgrad: np.vectorize of a function that returns complex dual numbers: NumPy "
        "would collect them in a plain complex array (dropping the derivatives) or, with "
        "otypes=[object], in an object array whose .real, .imag and np.real NumPy take as "
        "the elements themselves and zeros (silently wrong derivatives); expected a dual "
        "array. Fix: np.frompyfunc(f, nin, 1)(x) (nin: f's number of arguments), which "
        "dualgrad turns into one complex dual array, or compute f on the whole array "
        "(np.exp(1j * x) * x works elementwise).")


def strided_layout(caller, values, orders="CF"):
    """Raise where ``np.lib.stride_tricks.as_strided`` (the ``caller`` frame) is about to
    lay strides taken from a dual's values over the object array of its elements: that
    array holds 8-byte pointers, contiguous, so strides of another layout (a view
    ``x[::2]``, ``z.real`` of complex values, float32) read other elements or past its
    end, a wrong Jacobian or a crash (attack51 07).  Contiguous float64 values have the
    object array's strides (``orders``: the layouts the caller's object array keeps),
    and a window inside its elements is exact and passes; one reaching past them (a
    view's window into its parent's memory) is refused too."""
    if caller.f_code.co_name != "as_strided" or not str(
            caller.f_globals.get("__name__", "")).startswith("numpy"):
        return
    import numpy as np
    inner = values
    while not isinstance(inner, np.ndarray) and hasattr(inner, "value"):
        inner = inner.value
    flags = getattr(inner, "flags", None)
    if flags is None:
        return
    if inner.itemsize == 8 and (flags.c_contiguous and "C" in orders or
                                flags.f_contiguous and "F" in orders):
        shape, strides = caller.f_locals.get("shape"), caller.f_locals.get("strides")
        shape = inner.shape if shape is None else tuple(shape)
        strides = inner.strides if strides is None else tuple(strides)
        reach = [(n - 1) * st for n, st in zip(shape, strides)]
        if 0 in shape or len(shape) == len(strides) and \
                all(st % 8 == 0 for st in strides) and \
                sum(r for r in reach if r < 0) >= 0 and \
                sum(r for r in reach if r > 0) < 8 * inner.size:
            return
        raise DualTypeError(
            "numpy.lib.stride_tricks.as_strided (dualgrad): expected a window inside the "
            f"dual array's {inner.size} elements, got shape {shape} and strides "
            f"{strides}, which reach past them (into a parent's memory, which a dual "
            "view cannot hand out). Fix: slice the parent instead, or use "
            "np.lib.stride_tricks.sliding_window_view(d, window, axis=...).")
    raise DualTypeError(
        "numpy.lib.stride_tricks.as_strided (dualgrad): expected a dual array whose "
        "values are contiguous 8-byte floats (its NumPy form, an object array of "
        f"elements, has their strides), got values with strides {inner.strides} and "
        f"itemsize {inner.itemsize}: windows laid with them would read other elements "
        "or past the end. Fix: np.lib.stride_tricks.sliding_window_view(d, window, "
        "axis=...) gives the same windows with derivatives, or take the strides from "
        "a contiguous copy, c = np.ascontiguousarray(d); as_strided(c, shape, "
        "(c.strides[0], c.strides[0])).")


def complex_object_array(scalar=False):
    """``np.asarray(w)`` (``np.array(w)``, ``ascontiguousarray``...) of a complex dual
    array, or (``scalar``) ``np.array([z1, z2])`` / ``np.asarray(z)`` of complex scalar
    duals: their NumPy form would be an object array, whose ``.real`` NumPy returns as
    the array itself and whose ``.imag`` as zeros (object elements count as real),
    silently wrong derivatives (outside attack 17)."""
    frame = _user_frame(sys._getframe(1))       # the user's line (useroptics52: tmm's
    where = f" {user_line(frame)}" if frame is not None else ""   # vw = array([[t], [0]]))
    w = "w" if scalar or frame is None else _converted_name(frame)
    what, fix = (f"np.asarray({w}) of a complex dual array (or np.asarray / np.array of a "
                 "list holding complex dual arrays)", f"use {w} directly ({w}.real, "
                 f"np.imag({w}), np.abs({w}), indexing and NumPy functions all work on dual "
                 "arrays); a list of dual arrays (results collected in a loop) becomes one "
                 f"dual array by np.stack(the_list), and np.stack of {w}'s elements makes a "
                 "new one")
    if scalar and numpy_builder() == "vectorize":
        return vectorize_complex()
    entry = None if scalar else _scipy_entry(sys._getframe(1))
    if entry is not None:                # SciPy's own asarray (scipy.linalg.eig, eig53)
        return _scipy_converted(_helper_name(), entry)
    if scalar:
        what, fix = ("np.array([z1, z2]) (or np.asarray(z)) of complex scalar duals",
                     "build the array with np.stack([z1, z2]) (a complex dual array, on "
                     "which .real, .imag, np.isreal and np.linalg.norm are exact), a "
                     "matrix such as a Hamiltonian H(k) with np.block([[0, z], "
                     "[np.conj(z), 0]]) (scalar duals and plain numbers alike) or "
                     "np.stack([np.stack(row) for row in rows]), or use z itself for one "
                     "number")
    return DualTypeError(
        f"{_helper_name()}: {what} would give an object array of complex scalar duals, on "
        "which NumPy's .real, .imag, np.real, np.imag, np.isreal and np.linalg.norm treat "
        "the elements as real numbers (.real returns the complex numbers themselves, .imag "
        f"zeros): silently wrong derivatives; expected a dual array.{where.rstrip()} Fix: "
        f"{fix}.")


def _converted_name(frame):
    """The array ``frame``'s line converts, ``u`` for ``u = np.asarray(u)``, where the line
    is one such call of a name or attribute; ``"w"`` otherwise (newuser64: a fibre
    model's ``np.asarray(u)`` was told to "use w directly", and the model has a ``w``
    of its own).  Error path only."""
    import ast
    node = _source_node(frame)
    if isinstance(node, ast.Call) and node.args and isinstance(
            node.args[0], (ast.Name, ast.Attribute)) and ast.unparse(node.func).split(
            ".")[-1] in ("asarray", "array", "asanyarray", "ascontiguousarray",
                         "asfortranarray"):
        return ast.unparse(node.args[0])
    return "w"


def _scipy_entry(frame):
    """The outermost SciPy frame between ``frame`` and the user's code (the SciPy
    function the user called), or ``None`` where none is."""
    entry = None
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if module.startswith("scipy.") and (not module.startswith("scipy._lib") or
                                            frame.f_code.co_name == "wrapper"):
            entry = frame                # (a decorator's wrapper: scipy.linalg's batching)
        elif module.split(".")[0] not in ("numpy", "scipy", "dualgrad"):
            break
        frame = frame.f_back
    return _unwrapped(entry) if entry is not None else None


def _unwrapped(entry):
    """``entry``, or for a SciPy decorator's ``wrapper`` frame (scipy.linalg's batching
    ``_apply_over_batch``: it converts before the function runs) a stand-in frame of the
    function it wraps, its arguments bound by name."""
    if entry.f_code.co_name != "wrapper":
        return entry
    import inspect
    import types
    inner = next((v for k in ("f", "fun", "func") if callable(v := entry.f_locals.get(k))
                  and (getattr(v, "__module__", None) or "").startswith("scipy.")), None)
    if inner is None or not hasattr(inner, "__code__"):
        return None
    given = entry.f_locals
    # (_apply_over_batch moves the array arguments, keywords too, into `arrays` and
    # calls f(*arrays, *other_args, **kwargs))
    args = list(given["arrays"]) + list(given.get("other_args", ())) \
        if "arrays" in given else list(given.get("args", ()))
    try:
        bound = inspect.signature(inner).bind(*args, **given.get("kwargs", {}))
    except TypeError:
        return None
    bound.apply_defaults()
    return types.SimpleNamespace(f_locals=dict(bound.arguments), f_code=inner.__code__,
                                 f_globals=inner.__globals__)


def _scipy_public(entry):
    """The public module of the SciPy function running at ``entry``: ``scipy.linalg``
    for ``scipy.linalg._basic``, ``scipy.stats.mstats`` for ``scipy.stats._mstats_basic``
    (whose functions share names with scipy.stats' own)."""
    module = entry.f_globals["__name__"].split(".")
    cut = next((i for i, p in enumerate(module) if p.startswith("_")), len(module))
    mstats = cut < len(module) and module[cut].startswith("_mstats")
    return ".".join(module[:cut] + ["mstats"] * mstats)


def _scipy_converted(who, entry):
    """The refusal of a SciPy function (``entry``, its frame) that converts a complex
    dual array with ``np.asarray``: :func:`from_scipy`'s sentence and spelling (it said
    only "use w directly", which the user's SciPy call does not allow)."""
    public = _scipy_public(entry)
    name = entry.f_code.co_name
    func = f"{public}.{name}"
    spelling = _fit_to_call(public, name, entry, _SCIPY_SPELLINGS.get(name))
    fix = f"write that step as {spelling}" if spelling else \
        "write that step with NumPy functions and the scipy.special ufuncs of " \
        "docs/supported.md"
    drop = _drop_in(public, name, entry) if public != "scipy.stats" else None
    if public == "scipy.linalg" and name in ("eigh", "eigvalsh"):
        drop = _eigh_fix(name, entry.f_locals)[0]
    if drop:
        fix = f"{drop}; or {fix}"
    return DualTypeError(
        f"{who}: {func} converts its input with np.asarray, which would make an object "
        "array of a complex dual array (its .real and .imag wrong) and drop the "
        "derivatives; expected NumPy functions or ufuncs, which dualgrad follows. "
        f"Fix: {fix}, or apply {func} to dg.stop_gradient(d) (the plain value) where no "
        "derivative is wanted.")


_OPERATORS = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/",
              "true_divide": "/", "floor_divide": "//", "power": "**", "matmul": "@",
              "remainder": "%"}


def _helper_name(depth=2):
    """The running helper's name (``"dualgrad.gradient"``): the ``who`` of the first
    dualgrad.api frame outwards from ``depth`` frames up that holds one (error path
    only); ``"dualgrad"`` outside any helper."""
    frame = sys._getframe(depth)
    while frame is not None:
        if (frame.f_globals.get("__name__") or "").startswith("dualgrad.api"):
            who = frame.f_locals.get("who")
            if isinstance(who, str) and who.startswith("dualgrad."):
                return who
        frame = frame.f_back
    return "dualgrad"


def _source_text(frame, lasti=None):
    """The source text of ``frame``'s current instruction (``lasti``: a traceback's
    ``tb_lasti``, the instruction that raised; error path only), or ``None`` without
    source."""
    import linecache
    try:
        code = frame.f_code
        lasti = frame.f_lasti if lasti is None else lasti
        line, end, col, end_col = list(code.co_positions())[lasti // 2]
        lines = linecache.getlines(code.co_filename, frame.f_globals)
        if None in (line, end, col, end_col) or not lines or end > len(lines):
            return None
        text = lines[line - 1:end]
        text[-1] = text[-1][:end_col]
        text[0] = text[0][col:]
        return "".join(text)
    except (ValueError, IndexError, TypeError):                  # pragma: no cover
        return None


def _source_node(frame):
    """The expression of ``frame``'s current instruction, parsed from its source (error
    path only), or ``None`` without source."""
    import ast
    text = _source_text(frame)
    try:
        return None if text is None else ast.parse("(" + text + ")", mode="eval").body
    except SyntaxError:                                          # pragma: no cover
        return None


def _function_tree(frame):
    """The parsed source of ``frame``'s function and its first line's number, or ``None``
    where the source cannot be read.  Error path only."""
    import ast
    import inspect
    import textwrap
    try:
        lines, start = inspect.getsourcelines(frame.f_code)
        return ast.parse(textwrap.dedent("".join(lines))), start
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None


def _assignments(frame, target):
    """The statements of ``frame``'s function (not its nested functions) that bind
    ``target`` (source text, e.g. ``P`` or ``self.P``), as (line, statement)."""
    import ast
    parsed = _function_tree(frame)
    if parsed is None:
        return []
    tree, start = parsed
    found, scopes = [], (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

    def targets(node):
        if isinstance(node, (ast.Tuple, ast.List)):
            return [t for elt in node.elts for t in targets(elt)]
        return [node.value if isinstance(node, ast.Starred) else node]

    def visit(node, top):
        if isinstance(node, scopes) and not top:
            return
        binds = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AnnAssign, ast.For)) else \
            [i.optional_vars for i in node.items if i.optional_vars is not None] \
            if isinstance(node, ast.With) else []
        if any(ast.unparse(t) == target for b in binds for t in targets(b)):
            found.append((max(start, 1) + node.lineno - 1, node))
        for child in ast.iter_child_nodes(node):
            visit(child, False)
    top = tree.body[0] if len(tree.body) == 1 and isinstance(tree.body[0], scopes) \
        else tree
    visit(top, True)
    return found


# NumPy's buffer makers and the *_like spelling that takes the input's kind
_MAKERS = {"zeros": "zeros_like", "empty": "zeros_like", "ndarray": "zeros_like",
           "ones": "ones_like", "full": "full_like"}


def _like_spelling(node, x, space=None):
    """``np.zeros_like(x, shape=...)`` for the call ``node`` that made a plain buffer
    (``np.zeros(n)``, ``np.empty((n, k))``, ``np.ndarray(n)``, ``np.full(n, v)``,
    ``np.zeros_like(Z)``), or
    ``None`` for anything else.  With ``space`` (the names the user's function sees), a
    bare call that names NumPy's own function there (``zeros(n)`` after ``from numpy
    import *``) is read as ``np.zeros(n)``; :func:`_numpy_spelled` then writes the
    spelling in those names."""
    import ast
    if isinstance(node, ast.BinOp):     # np.ones((M, L)) * c (newuser64's voltammogram)
        for side in ("left", "right"):
            spelled = _like_spelling(getattr(node, side), x, space)
            if spelled is not None:
                node = ast.BinOp(**{**vars(node), side: ast.parse(spelled, mode="eval").body})
                return ast.unparse(node)
        return None
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Attribute) and \
            (ast.unparse(node.func.value) in ("np", "numpy") or space is not None and
             _is_numpy(space.get(ast.unparse(node.func.value)))):
        name = node.func.attr           # (xp.zeros(n) after import numpy as xp: user73)
    elif isinstance(node.func, ast.Name) and space is not None and \
            _numpy_function(space, node.func.id):
        name = node.func.id             # zeros(npts) of from numpy import * (user72)
    else:
        return None
    args = [ast.unparse(a) for a in node.args]
    if name in ("eye", "identity") and args and len(args) <= (3 if name == "eye" else 2) \
            and all(k.arg in ("dtype", "k", "M") for k in node.keywords):
        # np.eye(3): its ones kept, held as duals (attack70 M1 / diff70 F8: no spelling
        # named the line that ran where it was one of several)
        dtype = next((ast.unparse(k.value) for k in node.keywords if k.arg == "dtype"),
                     args[1] if name == "identity" and len(args) > 1 else None)
        columns = next((ast.unparse(k.value) for k in node.keywords if k.arg == "M"),
                       args[1] if name == "eye" and len(args) > 1 else "None")
        columns = args[0] if columns == "None" else columns
        keep = f", dtype={dtype}" if dtype and "complex" in dtype else ""
        return f"{ast.unparse(node)} + np.zeros_like({x}, shape=({args[0]}, {columns}){keep})"
    # np.zeros_like(k, shape=n) of a plain k: the spelling this message gave for a dual
    # k, met again once another argument is the one differentiated (newuser61: Muskingum
    # routing against its inflow after against k)
    shape = next((ast.unparse(k.value) for k in node.keywords if k.arg == "shape"), None)
    if any(k.arg not in ("dtype", "fill_value") and not (
            k.arg == "shape" and name in ("zeros_like", "empty_like", "ones_like"))
           for k in node.keywords):
        return None
    dtype = next((ast.unparse(k.value) for k in node.keywords if k.arg == "dtype"), None)
    keep = f", dtype={dtype}" if dtype and "complex" in dtype else ""
    fill = next((ast.unparse(k.value) for k in node.keywords if k.arg == "fill_value"),
                None)
    if name in ("zeros_like", "empty_like", "ones_like") and len(args) == 1 and \
            args[0] != x:
        like = "ones_like" if name == "ones_like" else "zeros_like"
        return f"np.{like}({x}, shape={shape or args[0] + '.shape'}{keep})"
    if name == "full" and len(args) + (fill is not None) == 2 and args:
        return f"np.full_like({x}, {args[1] if len(args) > 1 else fill}, " \
            f"shape={args[0]}{keep})"
    if name in ("zeros", "empty", "ndarray", "ones") and len(args) == 1 and fill is None:
        return f"np.{_MAKERS[name]}({x}, shape={args[0]}{keep})"
    return None


def _is_numpy(value):
    import numpy as np
    return value is np


def _numpy_function(space, name):
    """Does ``name`` name NumPy's own function of that name in ``space`` (a function's
    names: ``from numpy import *`` or ``from numpy import zeros`` bound it)?"""
    import numpy as np
    value = space.get(name)
    return value is not None and callable(value) and getattr(np, name, None) is value


def _numpy_space(frame):
    """The names ``frame``'s code sees (its locals over its module's globals), where a
    bare name binds one of NumPy's buffer makers (``from numpy import *`` code:
    drug_concentration.py's ``c = zeros(npts)``, user72) or where ``np`` names no NumPy
    but another name does (``import numpy`` alone: RampOptimization.py's ``fish =
    numpy.zeros(num_steps + 1)`` was told ``np.zeros_like(...)``, a NameError there,
    user73), else ``None``.  Error path only."""
    import numpy as np
    space = {**frame.f_globals, **frame.f_locals}
    if any(_numpy_function(space, n) for n in
           ("zeros", "empty", "ones", "full", "eye", "identity")):
        return space
    if space.get("np") is not np and \
            any(v is np and k.isidentifier() for k, v in space.items()):
        return space
    return None


def _numpy_spelled(text, space):
    """``text`` (a spelling of ``np.<name>(...)`` calls) written in the names ``space``
    binds: ``zeros_like(`` where the user's module bound NumPy's ``zeros_like`` bare, else
    ``<alias>.zeros_like(`` under the name it gave NumPy; ``None`` where a function has
    no name there (the spelling would not run).  Error path only."""
    import re
    import numpy as np
    if space.get("np") is np:           # (import numpy as np beside the bare names)
        return text
    alias = next((k for k, v in space.items() if v is np and k.isidentifier()), None)

    def one(m):
        name = m.group(1)
        if _numpy_function(space, name):
            return f"{name}("
        if alias is None:
            raise LookupError(name)
        return f"{alias}.{name}("
    try:
        return re.sub(r"\bnp\.(\w+)\(", one, text)
    except LookupError:
        return None


def _numpy_imported(text, space):
    """``text`` (a spelling of ``np.<name>(...)`` calls) for a module that binds some of
    NumPy's functions bare and no name for NumPy itself (``from numpy import zeros``),
    where :func:`_numpy_spelled` finds no spelling: every call bare, and the names the
    module lacks added to its imports (the np. names ran nowhere there: diff72 F4).
    Error path only."""
    import re
    names = list(dict.fromkeys(re.findall(r"\bnp\.(\w+)\(", text)))
    missing = [name for name in names if not _numpy_function(space, name)]
    text = re.sub(r"\bnp\.(\w+)\(", r"\1(", text)
    return text + _imports_asked(missing, "the module")


def _imports_asked(missing, whose):
    """The advice's tail asking a module that binds NumPy's functions bare for the
    ``missing`` ones (nothing where none is missing).  Error path only."""
    if not missing:
        return ""
    return (f" ({whose} binds NumPy's functions by their bare names and has no "
            f"{_and_list(missing)}: add `from numpy import {', '.join(missing)}` to its "
            "imports)")


def _dual_argument(frame):
    """The name of ``frame``'s first parameter that holds a dual (f's input), or ``None``;
    where no parameter is a dual itself, the first dual element of a tuple or list
    parameter (``*args`` included) as ``args[0]``: odeint's ``args=(b, c)`` handed through
    a hand-written RK4 loop carries the duals there, and ``np.zeros_like`` of that
    element makes the buffer (a bare ``x`` would name nothing in that function)."""
    code = frame.f_code
    count = code.co_argcount + code.co_kwonlyargcount
    names = code.co_varnames[:count + bool(code.co_flags & 0x04)]   # CO_VARARGS
    values = [(name, frame.f_locals.get(name)) for name in names]
    for name, value in values:
        if getattr(type(value), "_kind", None) is not None:
            return name
    for name, value in values:
        if type(value) in (tuple, list):
            for k, item in enumerate(value):
                if getattr(type(item), "_kind", None) is not None:
                    return f"{name}[{k}]"
    return None


def _object_argument(frame):
    """The name of ``frame``'s first parameter that is an object array holding a dual
    number (``np.diff`` of a list of scalar duals makes one without a word), or ``None``:
    where no parameter is a dual, ``np.zeros_like`` of that one would be an object array
    too (PythonRobotics' spline: ``s = [0]; s.extend(np.cumsum(ds))``, then ``h =
    np.diff(s)`` into ``__calc_A(self, h)``: user69).  Error path only."""
    import numpy as np
    code = frame.f_code
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    for name in names:
        value = frame.f_locals.get(name)
        if isinstance(value, np.ndarray) and value.dtype == object and any(
                getattr(type(v), "_kind", None) is not None for v in value.flat[:4096]):
            return name
    return None


# NumPy's functions that write into their first argument, with its keyword's name
# (np.fill_diagonal with a plain a runs NumPy's own code, whose store is NumPy's line)
_WRITERS = {"copyto": "dst", "put": "a", "place": "arr", "putmask": "a", "at": "a"}


def _call_target(node, out_at=None, method=False, bare=False):
    """For the call ``node`` that stores into an array: ``np.copyto(dst, src)``'s
    ``dst`` (``np.put``'s, ``np.place``'s... ``a``), an ``out=`` (a one-element tuple's
    element; or the argument at position ``out_at``, the caller's reading of NumPy's
    signature, or ``(position, NumPy's positional parameter names)`` that names those
    after it: ``np.mean(a, 0, None, buf)``, ``np.take(z, i, None, buf, 'clip')``;
    ``method``: ``node`` is the array's method, whose receiver is NumPy's first
    argument),
    as ``(target node, the statement's text, the rebinding spelling or None)``: the
    spelling is the call without ``out=`` bound to the target's name (a name or an
    attribute chain; a slice such as ``out=P[1:]`` has none), which makes a new array
    that holds duals.  ``None`` for any other call.  ``bare``: the call without
    ``out=`` too, a fourth item (``None`` for np.copyto's kind)."""
    import ast
    if not isinstance(node, ast.Call):
        return None
    func = ast.unparse(node.func)
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    first = _WRITERS.get(func.split(".")[-1])
    if first is not None:                     # np.copyto(dst, src), np.put(a, ind, v)...
        dst = node.args[0] if node.args else keywords.get(first)
        return None if dst is None else \
            (dst, f"{func}({ast.unparse(dst)}, ...)", None) + ((None,) if bare else ())
    out, call = keywords.get("out"), None
    if out is not None:
        call = ast.Call(node.func, node.args, [k for k in node.keywords if k.arg != "out"])
    elif out_at is not None:
        at, names = out_at if isinstance(out_at, tuple) else (out_at, None)
        if method:                  # z.mean(0, None, buf): np.mean(z, 0, None, buf)'s
            at -= 1                 # out, the receiver being NumPy's first argument
            names = names[1:] if names else names
        if len(node.args) == at + 1:
            out, call = node.args[-1], ast.Call(node.func, node.args[:-1], node.keywords)
        elif len(node.args) > at + 1 and names and len(names) >= len(node.args) and \
                not any(isinstance(a, ast.Starred) for a in node.args):
            # out not the last (np.take(z, i, None, buf, 'clip'), attack72 M1): those
            # after it by their names, a call that runs as written
            out = node.args[at]
            call = ast.Call(node.func, node.args[:at], [
                ast.keyword(arg=names[k], value=node.args[k])
                for k in range(at + 1, len(node.args))] + list(node.keywords))
    if isinstance(out, ast.Tuple) and len(out.elts) == 1:
        out = out.elts[0]
    if out is None or isinstance(out, ast.Tuple):
        return None
    target = ast.unparse(out)
    rebind = f"{target} = {ast.unparse(call)}" \
        if isinstance(out, (ast.Name, ast.Attribute)) else None
    return (out, f"{func}(..., out={target})", rebind) + \
        ((ast.unparse(call),) if bare else ())


def _stored_buffer(depth):
    """What the item or slice assignment, ``np.copyto`` or ``out=`` ``depth`` frames up
    stores into: the statement's text (``P[k] = ...``, ``np.copyto(P, ...)``), the
    buffer's name, the buffer, and the statement that made it (``(line, ast node)``,
    the one binding in that function, else ``None``), the name of the function's dual
    argument, and the call without ``out=`` rebound (:func:`_call_target`; else
    ``None``); ``None`` where it cannot be read."""
    import ast
    frame = _user_frame(sys._getframe(depth + 1))
    if frame is None:
        return None
    node = _source_node(frame)
    update = _subscript_update(frame) if node is None else None
    if update is not None:              # F[:, :, i] *= rho0 / rho (newuser64's lattice)
        target, text, rebind = update
    elif storing_at(frame):
        if not isinstance(node, ast.Subscript):
            return None
        target, text, rebind = node.value, f"{ast.unparse(node)} = ...", None
        while isinstance(target, ast.Subscript):      # D[0][1] = ...: a view of D
            target = target.value
        if isinstance(target, ast.Attribute) and target.attr == "flat":
            target = target.value                     # D.flat[0] = ...
    else:
        found = _call_target(node)
        if found is None:
            return None
        target, text, rebind = found
        while isinstance(target, ast.Subscript):      # out=P[1:]: a view of P
            target = target.value
    name = ast.unparse(target)
    buffer = _resolve(target, frame)
    dtype = getattr(buffer, "dtype", None)
    if getattr(buffer, "shape", None) is None or dtype is None or dtype == object:
        return None                   # an object array's element D[0] is no view of D
    bindings = _assignments(frame, name)
    made = (*bindings[0], f"{frame.f_code.co_name} of {frame.f_code.co_filename}",
            _numpy_space(frame)) \
        if len(bindings) == 1 else None     # where that line is: a library's own file
    x = _dual_argument(frame)
    try:                          # (a reading of the user's source: no error of its own
        filled = _filled_from(frame, name, buffer.shape) if made is not None else None
    except Exception:             # noqa: BLE001 - may take the refusal's place)
        filled = None
    return text, name, buffer, made, x, rebind, \
        None if x is not None else _object_argument(frame), filled, \
        (bindings, f"{frame.f_code.co_name} of {frame.f_code.co_filename}",
         _tests_ndarray(frame)) if len(bindings) > 1 else None


def _tests_ndarray(frame):
    """Does ``frame``'s function call ``isinstance(..., np.ndarray)`` (a test a dual
    array fails)?  Error path only."""
    import ast
    parsed = _function_tree(frame)
    return parsed is not None and any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and
        n.func.id == "isinstance" and len(n.args) == 2 and
        "ndarray" in ast.unparse(n.args[1]) for n in ast.walk(parsed[0]))


def _filled_from(frame, name, shape):
    """For a buffer ``name`` that ``frame``'s function fills from two or more of its
    parameters (tmm's ``make_2x2_array(a, b, c, d)``: ``my_array[0, 0] = a``, ...
    ``my_array[1, 1] = d``, called with the dual in ``a`` and ``d``, then in ``b`` and
    ``c``: user68): ``(the stores' lines, those parameters in the signature's order,
    the np.block spelling or None)``; ``None`` where the stores read one parameter or
    none, or the source cannot be read.  The spelling is given where the stores are one
    a constant index each, element by element, covering a 1-D or 2-D buffer once
    (``np.block([[a, b], [c, d]])``); the last, whether the parameters' shapes here
    broadcast (their sum picks the buffer's kind).  Parameters holding anything other
    than numbers, arrays and duals (a dtype, a callable) are not counted.  Error path
    only."""
    import ast
    import numpy as np
    parsed = _function_tree(frame)
    if parsed is None:
        return None
    tree, start = parsed
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    top = tree.body[0] if len(tree.body) == 1 and isinstance(tree.body[0], scopes) \
        else tree
    code = frame.f_code
    count = code.co_argcount + code.co_kwonlyargcount
    params = [p for p in code.co_varnames[:count + bool(code.co_flags & 0x04)]
              if p not in ("self", "cls")]
    stores = []

    def visit(node, first):
        if isinstance(node, scopes) and not first:
            return
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Subscript) and \
                ast.unparse(node.targets[0].value) == name:
            stores.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child, False)
    visit(top, True)
    read = {n.id for s in stores for n in ast.walk(s.value) if isinstance(n, ast.Name)}
    # a local the stores read brings in the names its assignments read (s = a * k;
    # my_array[0, 0] = s: the dual comes in through a; refusals69's Left), to a fixed point
    binds = {}
    for node in ast.walk(top):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and \
                node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            reads = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
            for t in names - {name}:
                binds.setdefault(t, set()).update(reads)
    todo = [n for n in read if n in binds and n not in params]
    while todo:
        local = todo.pop()
        for n in binds[local] - read:
            read.add(n)
            if n in binds and n not in params:
                todo.append(n)
    here = frame.f_locals
    used = [p for p in params if p in read and (
        isinstance(here.get(p), (int, float, complex, np.number, np.ndarray)) or
        getattr(type(here.get(p)), "_kind", None) is not None)]
    if len(used) < 2:
        return None
    try:                              # the sum's spelling: their shapes broadcast here
        np.broadcast_shapes(*(getattr(here[p], "shape", ()) for p in used))
        summable = True
    except ValueError:                # (Newmark's M + f of shapes (3, 3) and (3, 4))
        summable = False
    lines = [max(start, 1) + s.lineno - 1 for s in stores]
    block = None
    cells = {}
    for s in stores:
        try:
            index = ast.literal_eval(s.targets[0].slice)
        except (ValueError, SyntaxError, TypeError):
            break
        index = index if type(index) is tuple else (index,)
        if len(index) != len(shape) or not all(type(i) is int and -n <= i < n
                                               for i, n in zip(index, shape)):
            break
        index = tuple(i % n for i, n in zip(index, shape))
        if index in cells:
            break
        cells[index] = ast.unparse(s.value)
    else:
        size = 1
        for n in shape:
            size *= n
        if 1 <= len(shape) <= 2 and len(cells) == size:
            if len(shape) == 1:
                block = f"np.block([{', '.join(cells[(i,)] for i in range(shape[0]))}])"
            else:
                rows = ("[" + ", ".join(cells[(i, j)] for j in range(shape[1])) + "]"
                        for i in range(shape[0]))
                block = f"np.block([{', '.join(rows)}])"
    return lines, used, block, summable


def _lines_text(lines):
    """``"4-7"`` for consecutive line numbers, ``"4, 6 and 9"`` otherwise."""
    if len(lines) > 2 and lines == list(range(lines[0], lines[-1] + 1)):
        return f"{lines[0]}-{lines[-1]}"
    return _and_list([str(n) for n in lines])


def _and_list(words):
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# an augmented assignment's operator (ast's class name) as the user writes it
_AUG_OPS = {"Add": "+", "Sub": "-", "Mult": "*", "Div": "/", "FloorDiv": "//", "Pow": "**",
            "MatMult": "@", "Mod": "%"}


def _subscript_update(frame):
    """For ``frame``'s current statement an augmented assignment into an item or a slice
    (``F[:, :, i] *= rho0 / rho``): ``(the array's node, the statement's text, None)``
    as :func:`_stored_buffer` takes them (the view it updates is the array's); ``None``
    for anything else.  Error path only."""
    import ast
    text = _source_text(frame)
    try:
        node = ast.parse(text.strip()).body[0] if text else None
    except (SyntaxError, IndexError):
        return None
    if not isinstance(node, ast.AugAssign) or not isinstance(node.target, ast.Subscript):
        return None
    op = _AUG_OPS.get(type(node.op).__name__, "?")
    target = node.target
    while isinstance(target, ast.Subscript):
        target = target.value
    return target, f"{ast.unparse(node.target)} {op}= ...", None


def _bound_value(node, name):
    """The expression the assignment ``node`` binds to ``name``: its value, or in a
    tuple assignment the value's item at the name's place (``enum, c = 1, np.zeros(n)``
    of a Bateman coefficient loop fell back to the general text, newuser62)."""
    import ast
    value = getattr(node, "value", None)
    targets = getattr(node, "targets", ())
    if len(targets) == 1 and isinstance(targets[0], ast.Tuple) and \
            isinstance(value, ast.Tuple) and len(value.elts) == len(targets[0].elts):
        names = [ast.unparse(t) for t in targets[0].elts]
        return value.elts[names.index(name)] if name in names else None
    return value


def _copies_data(value):
    """Does the expression ``value`` copy an array of data (``.copy()``, ``.astype(...)``,
    ``np.array(v)`` of a name or a call, ``map(np.array, (a, b))``) rather than write
    numbers out (``np.array([0.0, 0.0])``)?  Not ``np.ndarray(n)`` (uninitialised
    memory) nor ``np.asarray(v)`` (``v`` itself, no copy: diff68 F8)."""
    import ast
    text = ast.unparse(value)
    if "copy(" in text or ".astype(" in text:
        return True
    if not isinstance(value, ast.Call) or not value.args:
        return False
    func, first = ast.unparse(value.func), value.args[0]
    if func == "map":
        return ast.unparse(first).endswith("array")
    return func.endswith("array") and not func.endswith(("ndarray", "asarray")) and \
        (not isinstance(first, (ast.List, ast.Tuple, ast.ListComp, ast.Constant)) or
         _numbers_only(first))


def _numbers_only(node):
    """Is ``node`` a list or tuple of number literals, nested or signed (``[1., 1.]``,
    ``[[0, -2.5], (1, 3)]``)?  ``np.array`` of one writes numbers out; a buffer made so
    and then stored into keeps them, held as duals (NRTL's ``term2 = np.array([1.,1.])``
    then ``term2[0] = np.sum(matr[:, 0])``: user69)."""
    import ast
    if isinstance(node, (ast.List, ast.Tuple)):
        return bool(node.elts) and all(_numbers_only(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _buffer_message(who, found, own):
    """The refusal of a store into a plain buffer that :func:`_stored_buffer` found:
    short where the statement that made it has a ``*_like`` spelling; else the buffer
    named before the general message (``None``: the caller writes that)."""
    import ast
    text, name, buffer, made, x, rebind, held, filled, branches = found
    x = x or held                 # h's *_like once h is made a dual array
    where = f"{buffer.dtype}, shape {tuple(buffer.shape)}"
    spelling = None
    if made is not None:
        line, node, place, space = made
        if own.startswith(COMPLEX_NOTE) and filled is not None:
            own = own[len(COMPLEX_NOTE):]   # (both spellings below take the values' dtype)
        own += f" (Line {line} is in {place}.)"
        where += f", made at line {line}: {_statement_text(node)}"
        spelling = _like_spelling(_bound_value(node, name), x or "x", space)
        if spelling is not None and space is not None:   # (bare names with the imports
            spelling = _numpy_spelled(spelling, space) or \
                _numpy_imported(spelling, space)          # it lacks: attack73 M2)
    head = f"{who}: {text} stores a dual number into {name}, a plain NumPy array " \
        f"({where})"
    several = _several_fix(found, spelling) if filled is not None and made is not None \
        and x in filled[1] else None    # (x from a local the stores read: one call's)
    if several is not None and made[3] is not None:
        several = _numpy_spelled(several, made[3]) or _numpy_imported(several, made[3])
    if several is not None and filled[2] is not None:
        return DualTypeError(f"{head}, which would drop its derivatives; expected a "
                             f"buffer that holds duals. Fix: {several}.{own}")
    if spelling is None and made is not None and str(buffer.dtype) == "float64" and \
            isinstance(made[1], ast.Assign) and name.isidentifier() and \
            _copies_data(made[1].value):
        # a copy of numbers (Modern Robotics' Js = np.array(Slist).copy().astype(float),
        # then Js[:, i] = ...; a Thomas solver's ac, bc, cc, dc = map(np.array, (a, b,
        # c, d)) differentiated in one diagonal: attackb66 R2): keep them, held as duals
        fix = f"keep its numbers, held as duals: add {name} = {name} + " \
            f"np.zeros_like({x or 'x'}, shape={name}.shape) after line {made[0]} " \
            f"({x or 'x'}'s kind: a dual array under dualgrad, plain otherwise" + \
            (")" if x else "; x: f's input or a dual computed from it)")
    elif spelling is None and branches is not None and x:
        fix = _branches_fix(name, buffer, x, *branches)
        if fix is None:
            return head
        own += fix[1]
        fix = fix[0]
    elif spelling is None:
        return head
    else:
        fix = f"make it {name} = {spelling} at line {made[0]} ({x or 'x'}'s kind: a dual " \
            "array under dualgrad, plain otherwise" + \
            (")" if x else "; x: f's input or a dual computed from it)")
        if several is not None:
            fix += several
    if rebind:
        fix += f", or write {rebind} (the call without out=, a new array)"
    if held:        # no dual parameter; held: an object array of duals (*_like: one too)
        fix = f"{held} here is an object array holding dual numbers, not a dual array " \
            "(np.diff, np.array or np.asarray of a list of scalar duals makes one without " \
            f"a word, and np.zeros_like({held}) would be one too, which np.linalg " \
            f"refuses): make {held} a dual array where it is made (np.stack(s) of a list " \
            "s of scalar duals; s = np.concatenate([[0.0], np.cumsum(d)]) for s = [0]; " \
            f"s.extend(np.cumsum(d))), then {fix}"
    return DualTypeError(
        f"{head}, which would drop its derivatives; expected a buffer that holds duals. "
        f"Fix: {fix}; for an update of a plain array by a dual (state += dt * v), rebind "
        f"the name instead (state = state + dt * v).{own}")


def _branches_fix(name, buffer, x, bindings, place, tests):
    """The fix for a plain buffer ``name`` that its function makes at several lines (one
    per branch: pyorb's euler_rotation_matrix makes ``R = np.empty((3, 3, inc.size))``
    when ``isinstance(inc, np.ndarray)``, ..., else ``np.empty((3, 3))``, and a dual
    array is no ndarray; the message had named no line and said ``np.zeros_like(x,
    ...)`` with ``x`` f's input: user70): ``(fix, note)``, each binding's ``*_like``
    spelling from the dual parameter ``x``, or ``None`` where none of them has one;
    ``tests``: the function tests ``isinstance(..., np.ndarray)``."""
    import ast
    values = [(line, _bound_value(node, name)) for line, node in bindings]
    spelled = [(line, _like_spelling(value, x)) for line, value in values
               if not (isinstance(value, ast.Call) and ast.unparse(value.func).endswith(
                   "_like") and value.args and ast.unparse(value.args[0]) == x)]
    # (a line that makes it like x already holds duals: not named)
    if all(like is None for _, like in spelled):
        return None
    lines = _lines_text([line for line, _ in bindings])
    # a line with no *_like spelling (np.diag(v), np.array of numbers) keeps its
    # numbers, held as duals, by a line after it: every line that can run is named
    fix = f"{name} is made at lines {lines}, and the one that ran here made a plain " \
        f"array of shape {tuple(buffer.shape)}; make " + "; ".join(
            f"{name} = {like} at line {line}" if like is not None else
            f"add {name} = {name} + np.zeros_like({x}, shape={name}.shape) after line {line}"
            for line, like in spelled) + \
        f" ({x}'s kind: a dual array under dualgrad, plain otherwise" + (
            "; isinstance(d, np.ndarray) is False for a dual array d, so a branch that "
            "tests it may run another line than it does for plain numbers)" if tests
            else ")")
    return fix, f" (Lines {lines} are in {place}.)"


def _several_fix(found, spelling):
    """The fix for a buffer that its function fills from several of its parameters
    (:func:`_filled_from`), one of them the dual here: a buffer made like that one
    (``np.zeros_like(a, ...)``, ``spelling``) holds duals only at the calls whose dual
    comes in through it, so the advice changed from call to call (``a``, then ``b``:
    user68); a buffer built from all of them holds duals whichever holds the dual, and
    is plain at a plain call.  Where the stores are one element each (``np.block``
    spells them) the whole fix; else the sentence added to ``spelling``'s fix where
    the parameters' sum broadcasts (``None`` where it does not)."""
    import ast
    import numpy as np
    text, name, buffer, made, x, rebind, held, (lines, used, block, summable), _ = found
    x = x or held
    line, node = made[0], made[1]
    value = _bound_value(node, name)
    dtype = next((ast.unparse(k.value) for k in getattr(value, "keywords", ())
                  if k.arg == "dtype"), None)
    if dtype is None and buffer.dtype != np.float64:     # np.zeros_like(Z) of an int Z
        dtype = f"np.{buffer.dtype.name}"
    shape = str(tuple(buffer.shape))      # the source's own where the maker spells it
    if isinstance(value, ast.Call) and value.args and isinstance(value.func, ast.Attribute) \
            and value.func.attr in ("zeros", "empty", "ones", "ndarray", "full"):
        shape = ast.unparse(value.args[0])
    fn = made[2].split(" of ")[0]
    names = _and_list(used)
    # both spellings keep the buffer's dtype for plain calls (np.block of ints is an
    # int array, np.zeros_like of an int sum too)
    summed = f"np.zeros_like({' + '.join(used)}, shape={shape}, dtype={dtype or 'float'})"
    kind = f" (the sum of {names} only picks the kind: a dual array under dualgrad if " \
        "any of them is a dual, plain otherwise)"
    if block is None:
        if not summable or spelling is None:
            return None
        return f"; where {fn} is also called with the dual in another of {names} (it " \
            f"fills {name} from each: line{'s' if len(lines) > 1 else ''} " \
            f"{_lines_text(lines)}), a buffer made like {x} is plain at that call: make " \
            f"it {name} = {summed} instead, which holds duals at every call{kind}"
    fix = f"{fn} fills {name} from {names} (line{'s' if len(lines) > 1 else ''} " \
        f"{_lines_text(lines)}), and the dual may come in through any of them (here " \
        f"{x}; at another call another), so a buffer made like one of them " \
        f"(np.zeros_like({x}, shape={shape})) is plain at a call whose dual is in " \
        "another; build it from all of them: "
    every = sorted(set(lines) | {line})
    block += f" + np.zeros({shape}" + (f", dtype={dtype})" if dtype else ")")
    fix += f"{name} = {block} in place of line{'s' if len(every) > 1 else ''} " \
        f"{_lines_text(every)} (np.block takes the values' own kind: a dual array " \
        "under dualgrad whichever argument holds the dual, plain numbers otherwise; " \
        "the zeros keep the buffer's dtype in plain calls)"
    if summable:
        fix += f", or keep the stores and make it {name} = {summed} at line {line}{kind}"
    return fix


def _updated_statement(depth):
    """For an in-place update ``depth`` frames up written as an augmented assignment
    (``W -= lr * g``, ``self.W @= M``): ``(statement, name, rebind, where)`` with the
    rebinding spelling (``W = W - lr * g``) and where the statement is and the plain
    array was made (``" (line 12 in step of model.py; W made at line 9: W = W0.copy())"``);
    ``None`` where the source cannot be read or the update is no such statement
    (``np.subtract(a, d, out=a)``).  Error path only."""
    import ast
    frame = _user_frame(sys._getframe(depth + 1))
    text = None if frame is None else _source_text(frame)
    if text is None:
        return None
    try:
        node = ast.parse(text.strip()).body[0]
    except (SyntaxError, IndexError):
        return None
    code, line = frame.f_code, frame.f_lineno
    op = _AUG_OPS.get(type(getattr(node, "op", None)).__name__)
    if not isinstance(node, ast.AugAssign) or op is None or \
            not isinstance(node.target, (ast.Name, ast.Attribute)):
        return None
    name, value = ast.unparse(node.target), ast.unparse(node.value)
    if isinstance(node.value, (ast.BinOp, ast.BoolOp, ast.IfExp, ast.Compare)) and \
            op in ("*", "/", "//", "@", "**", "%"):
        value = f"({value})"                   # W *= a + b is W = W * (a + b)
    where = f" (line {line} in {code.co_name} of {code.co_filename}"
    made = _assignments(frame, name)
    if len(made) == 1:
        where += f"; {name} made at line {made[0][0]}: {_statement_text(made[0][1])}"
    return f"{name} {op}= {ast.unparse(node.value)}", name, \
        f"{name} = {name} {op} {value}", where + ")"


# store_into_plain's note where the buffer or the value stored is complex
COMPLEX_NOTE = (
    " The values are complex: create the buffer with dtype=complex, "
    "np.zeros_like(x, dtype=complex) or np.zeros_like(x, shape=(n, 2, 2), "
    "dtype=complex) (without dtype=complex the buffer takes x's float64 and "
    "the plain float run drops the imaginary parts with a ComplexWarning).")


def store_into_plain(dtype=None, complex_value=False, update=None):
    """The one message for storing a dual into a plain array, however it happens (item
    or slice assignment, np.copyto, out=) and whatever the array's dtype; ``dtype``,
    the array's where the caller knows it: one that no dual array has (float32, an
    integer) is named, since ``np.zeros_like(x, dtype=np.float32)`` is a plain array
    too and the general advice alone would send the user round in a circle.  A complex
    buffer (``dtype``) or a complex value stored (``complex_value``) adds
    ``dtype=complex`` to the advice: followed without it, the plain float run drops
    the imaginary parts (user25: a ComplexWarning, then a wrong value).  ``update``:
    the ufunc's name where the plain array was one of its own inputs (``a += d``,
    ``M @= Mi``, ``np.add(a, d, out=a)``): the user made the buffer, so the message
    leads with the rebind (user25's ``phase = np.zeros_like(rho); phase += c * Z``,
    rho a fixed grid, had followed the buffer advice)."""
    import numpy as np
    builder = numpy_builder()
    if builder:
        return DualTypeError(
            f"dualgrad: np.{builder} stored a dual number into a plain NumPy array it "
            f"made itself, which would drop its derivatives; expected a result that "
            f"holds duals. {_BUILDER_FIX[builder]}.")
    found = _stored_buffer(1) if update is None else None
    if dtype is None and found is not None:
        dtype = found[2].dtype                   # float(d) into out[i]: out's own dtype
    own = ""
    if dtype is not None and np.dtype(dtype) not in (np.dtype(np.float64),
                                                     np.dtype(np.complex128)):
        name = np.dtype(dtype).name
        own = (f" This buffer is {name}: dual arrays hold float64 or complex128 only, so "
               f"np.zeros_like(x, dtype=np.{name}) is a plain array as well; leave dtype= "
               "out (the buffer takes x's float64: under dualgrad f computes in float64) "
               "or pass dtype=complex for a complex buffer.")
    complex_ = complex_value or dtype is not None and np.dtype(dtype).kind == "c"
    if complex_ and not own:
        own = COMPLEX_NOTE
    who, head = _helper_name(), None
    if found is not None:
        head = _buffer_message(who, found, own)
        if isinstance(head, DualTypeError):
            return head
    if update is not None:
        like = "np.zeros_like(x, dtype=complex)" if complex_ else "np.zeros_like(x)"
        op = _OPERATORS.get(update)
        spelled = f"a {op}= d" if op else f"np.{update}(a, d, out=a)"
        rebind = f"a = a {op} d" if op else f"a = np.{update}(a, d)"
        named = _updated_statement(1) if op else None
        if named is not None:       # the user's own statement, names and line
            spelled, name, rebind, where = named
            return DualTypeError(
                f"{who}: {spelled}{where} updates {name}, a plain NumPy array, in place "
                f"with a dual number, which would drop its derivatives; expected a dual "
                f"array on the left. Fix: rebind the name instead, {rebind} (a new array "
                f"that holds duals); or, where {name} must stay one array updated in "
                f"place, make it from f's input: {like} with x the argument dualgrad "
                "differentiates or a dual computed from it (np.zeros_like of a fixed "
                "array such as a grid, or a .copy() of plain numbers, is plain too)." +
                ("" if complex_ else own))
        return DualTypeError(
            f"{who}: {spelled} updates a plain NumPy array a (one made with np.zeros, "
            "np.eye, np.zeros_like of a fixed array such as a grid, or np.array of "
            "numbers) in place with a dual number, which would drop its derivatives; "
            f"expected a dual array on the left. Fix: rebind the name instead ({rebind}: "
            "state = state + dt * v for state += dt * v, M = M @ Mi for M @= Mi); a buffer updated in place must "
            f"come from the differentiated argument: {like} with x f's input (the "
            "argument dualgrad differentiates) or a dual computed from it, not "
            "np.zeros_like(grid)." + ("" if complex_ else own))
    return DualTypeError(
        (f"{head}: storing" if head else f"{who}: storing") +
        " a dual number into a plain NumPy array (one made with "
        "np.zeros(n), np.empty(n) or np.array of numbers, of any dtype, or with "
        "np.empty_like(Z) / np.zeros_like(Z) of a plain array Z such as random draws or "
        "a grid: a *_like copies Z's plain kind) would drop its derivatives; expected a "
        "buffer that holds duals. Fix: " +
        (f"write {found[5]} (the call without out=, a new array that holds duals), or "
         if found is not None and found[5] else "") +
        f"{BUFFER_FIX}; for an "
        f"update of a plain array by a dual (state += dt * v), rebind the name instead "
        f"(state = state + dt * v).{own}"
    )


def join_out_overlap(name, k):
    """``np.concatenate`` / ``np.stack`` with an ``out=`` that shares memory with the
    array number ``k`` being joined.  NumPy copies the arrays into ``out`` one after
    another without buffering, so a later one reads what an earlier one wrote
    (``np.concatenate([a[2:], a[:2]], out=a)`` gives ``[a2, a3, a2, a3]``, not the
    rotation): a result of its copy order, which no NumPy document promises.  dualgrad
    refuses it, in the dense helpers and the sparsity tracer alike, rather than compute
    the buffered join NumPy's float run does not (an outside attack found the values and
    the Jacobian of another function)."""
    return DualTypeError(
        f"dualgrad: np.{name}(..., out=out): expected an out= that shares no memory with "
        f"the arrays joined, got one that overlaps array {k}. NumPy copies the arrays "
        "into out one after another without buffering, so a later array reads what an "
        "earlier one wrote (np.concatenate([a[2:], a[:2]], out=a) gives [a2, a3, a2, a3], "
        f"not the rotation). Fix: join into a new array and assign it, a[...] = "
        f"np.{name}([...]) (or pass copies, a[:2].copy()).")


def product_out_overlap(name, k):
    """``np.vecdot(a, b, out=o)`` with an ``o`` that shares memory with operand ``k``.
    NumPy's gufunc machinery does not always copy such an operand first: for
    ``np.vecdot(M, v, out=v)`` it writes ``v[0]`` and then reads the new ``v[0]`` for
    ``v[1]`` (a result of its loop order, which no NumPy document promises), while
    matmul, matvec and vecmat buffer.  dualgrad refuses it rather than compute the
    buffered product NumPy's float run does not (attack33, repro_03)."""
    return DualTypeError(
        f"dualgrad: np.{name}(..., out=out): expected an out= that shares no memory with "
        f"the operands, got one that overlaps operand {k}. NumPy does not buffer that "
        f"operand: later outputs read elements already written (np.vecdot(M, v, out=v) "
        f"is not M @ v). Fix: compute into a new array and assign it, "
        f"v[...] = np.{name}(M, v) (or pass a copy, v.copy()).")


class DualAttributeError(DualTypeError, AttributeError):
    """An ndarray method called on a scalar dual (an AttributeError too, so hasattr
    keeps working)."""


def scalar_method(name):
    """``d.sort()``/``fill``/``flat``/``diagonal`` on a scalar dual."""
    what = {"sort": "sorts an array in place", "fill": "fills an array in place",
            "flat": "iterates over an array's elements",
            "diagonal": "takes a diagonal of a 2-D array"}[name]
    return DualAttributeError(
        f"dualgrad: d.{name} on a scalar dual (an element such as x[0]): .{name} {what}, "
        "and a scalar dual is one immutable number, like a Python float; expected an array "
        f"dual. Fix: call it on the array (y.{name}{'' if name == 'flat' else '(...)'}), "
        f"or use np.{'ravel' if name == 'flat' else name} on an array; write y[i] = v to "
        "change one element.")


def memory_attribute(name, fix):
    """``d.base`` / ``d.ctypes`` / ``d.data`` / ``d.setflags`` / ``d.shape = s`` on an
    array dual or a sparsity tracer: ndarray memory a dual does not have as one buffer
    (an AttributeError too, so ``hasattr`` and ``getattr(d, name, default)`` keep working)."""
    return DualAttributeError(
        f"dualgrad: d.{name} on a dual array (or a sparsity tracer): expected an ndarray's "
        "own memory, got a dual, whose values and derivatives are separate arrays. "
        f"Fix: {fix}.")


def shape_assignment(fix):
    """``d.shape = s`` on an array dual or a sparsity tracer: :func:`memory_attribute`'s
    refusal, with the user's own statement and its rebinding where the line reads as
    one (user70: pyorb's kep_to_cart sets ``kep.shape = (6, 1)``, ``R.shape = R.shape +
    (1, )``, ``x.shape = (6,)`` and ``kep.shape = (6,)``, and the message said ``d.shape
    = ...`` four times without naming a line).  Error path only."""
    import ast
    import linecache
    import os
    frame = _user_frame(sys._getframe(2))
    found = None
    if frame is not None and user_line(frame):
        text = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
        try:
            node = ast.parse(text).body[0]
        except (SyntaxError, IndexError):
            node = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Attribute) and \
                node.targets[0].attr == "shape":
            found = node
    if found is None:
        return DualAttributeError(memory_attribute("shape = ...", fix).args[0].replace(
            "dualgrad:", f"{_helper_name()}:", 1))
    name = ast.unparse(found.targets[0].value)
    value = found.value
    shape = ", ".join(ast.unparse(e) for e in value.elts) \
        if isinstance(value, ast.Tuple) and value.elts and \
        not any(isinstance(e, ast.Starred) for e in value.elts) else ast.unparse(value)
    code = frame.f_code
    return DualAttributeError(
        f"{_helper_name()}: d.shape = ... on a dual array (or a sparsity tracer): here "
        f"{name}.shape = {ast.unparse(value)} (line {frame.f_lineno} in {code.co_name} of "
        f"{os.path.basename(code.co_filename)}); expected an ndarray's own memory, got a "
        "dual, whose values and derivatives are separate arrays. Fix: reshape instead, "
        f"rebinding the name: {name} = {name}.reshape({shape}) (a view where NumPy's "
        "would be one)." + (
            f" {name} is a parameter of {code.co_name}: the rebinding leaves its caller's "
            f"array the shape it had, so a later line that sets {name}'s shape back is "
            "rebound alike (or dropped)." if name in code.co_varnames[
                :code.co_argcount + code.co_kwonlyargcount] else ""))


def store_read_only(what, which):
    """A write into a dual array whose ``which`` ("partials" or "value") array is
    read-only (the user's ``d.partials.flags.writeable = False``): refused before any
    write, as NumPy refuses a read-only array, so the value and the partials never part
    (the value was written and then the partials refused: attackb65 F4).  ``which`` may
    name a level of a nested dual (``"value.partials"``, a Hessian's ``d.value.partials``:
    exact68's Left); the user's line that stored is named where it is found."""
    frame = _user_frame(sys._getframe(1))
    line = "" if frame is None else user_line(frame)
    nested = "." in which
    spoken = which.replace("partials.", "partials' ").replace("value.", "value's ")
    return DualValueError(
        f"dualgrad: {what} into a dual array whose {spoken} "
        f"{'is' if which.endswith('value') else 'are'} read-only "
        f"(d.{which}.flags.writeable is False)" + (f" {line}" if line else "") +
        "; expected a dual whose value and partials are both writeable" +
        (" at every level (inside dg.hessian or a derivative of a derivative a dual's "
         "value and partials hold duals themselves)" if nested else "") +
        ", as a store changes both (nothing was written). Fix: store "
        "into a copy, d = d.copy() (a view NumPy made read-only, np.broadcast_to's, shares "
        "another array's memory: copy it); only where you marked that memory read-only "
        f"yourself, set d.{which}.flags.writeable = True again.")


def complex_into_real(who=None):
    """A complex dual stored into a real dual array (NumPy's own error would name
    ``float()``); ``who``: a NumPy function whose result keeps its real array's dtype
    (``np.insert``, ``np.pad``), where NumPy casts instead and drops the imaginary part."""
    if who is not None:
        return DualTypeError(
            f"dualgrad: {who} of a real array with a complex value; expected values of the "
            "array's kind (NumPy casts them to the real dtype, dropping the imaginary part "
            f"with a ComplexWarning, and the derivatives would keep it). Fix: make the array "
            f"complex first ({who}(a.astype(complex), ...)), or pass the real part, "
            "np.real(v), if that is what you want.")
    return DualTypeError(
        "dualgrad: storing a complex dual number into a real (float) dual array; expected "
        "a complex value there, as a float array refuses a complex number too. Fix: create "
        "the buffer complex, out = np.zeros_like(x, dtype=complex) (works on plain floats "
        "too), or store the real part, np.real(d), if that is what you want.")


def unsupported_ufunc(name, reason, method="__call__"):
    qualified = name if "." in name or " " in name else f"np.{name}"   # scipy.special.<name>
    call = qualified if method == "__call__" else f"{qualified}.{method}"
    spelling = _UFUNC_SPELLINGS.get(qualified) if method == "__call__" else None
    fix = f"write {spelling}" if spelling else "rewrite that step with supported NumPy " \
        "functions"
    err = DualTypeError(
        f"dualgrad: {call} does not support dual numbers ({reason}). "
        f"Fix: {fix}, or apply it to "
        "dg.stop_gradient(d) (the plain value; d.value is itself a dual under dg.hessian) "
        "where no derivative is wanted."
    )
    err.ufunc_refusal = reason      # from_scipy keeps it where a SciPy wrapper called it
    return err


# ufuncs outside the rule table spelled with rows of it (useroptics52: Fresnel diffraction,
# Mie scattering's Hankel functions)
_UFUNC_SPELLINGS = {
    "scipy.special.fresnel": (
        "F = (1 + 1j) / 2 * scipy.special.erf((1 - 1j) / 2 * np.sqrt(np.pi) * x); S, C = "
        "F.imag, F.real (fresnel's (S, C); the complex erf is a row of dualgrad's table: "
        "exact derivatives sin(pi x**2 / 2) and cos(pi x**2 / 2), Hessians too; SciPy's "
        "values to 1e-14 for |x| up to 1e3, 2e-12 at 1e4)"),
    **{f"scipy.special.{name}": (
        f"{'(' if scale else ''}scipy.special.jv(v, z) {sign} 1j * scipy.special.yv(v, z)"
        f"{')' + scale if scale else ''} (rows of dualgrad's table, complex z too)")
       for name, sign, scale in (("hankel1", "+", ""), ("hankel2", "-", ""),
                                 ("hankel1e", "+", " * np.exp(-1j * z)"),
                                 ("hankel2e", "-", " * np.exp(1j * z)"))},
}


# the spelling with supported functions of a function dualgrad does not follow
_UNSUPPORTED_SPELLINGS = {
    "np.piecewise": "np.piecewise(x, [c1, c2], [f1, f2]) as np.select([c1, c2], [f1(x), "
                    "f2(x)]), or np.where(c1, f1(x), f2(x)) for two pieces (each piece "
                    "computed everywhere; its derivative taken where its condition holds)",
    "np.i0": "scipy.special.i0(x) (the same function, a row of dualgrad's table); "
             "np.kaiser(M, beta) with a dual beta calls np.i0: write "
             "scipy.special.i0(beta * np.sqrt(1 - (2 * np.arange(M) / (M - 1) - 1) ** 2)) / "
             "scipy.special.i0(beta)",
    # userfin49: pysabr's alpha from an ATM vol is a root of a cubic by np.roots
    "np.roots": "np.roots(p) as np.linalg.eigvals(np.vstack([-p[1:] / p[0], np.eye(len(p) "
                "- 2, len(p) - 1)])) with p = np.stack([c0, c1, ...]) (one dual array; the "
                "companion matrix np.roots builds, so the same roots in the same order, "
                "complex ones too, after stripping zero coefficients as np.roots does: "
                "leading ones dropped, trailing ones removed and their zero roots "
                "appended last, np.concatenate([roots, np.zeros_like(p[:k])]) for k "
                "trailing zeros)",
}


def eig_not_holomorphic():
    """``np.linalg.eig`` of a complex dual under ``holomorphic=True``: its values are
    holomorphic, its complex vectors (unit norm, a component made real) are not."""
    return DualTypeError(
        "np.linalg.eig: expected a function with a complex derivative under "
        "holomorphic=True, got np.linalg.eig of a complex dual, whose eigenvectors have "
        "none (LAPACK makes each unit-norm with its largest component real, through |v| "
        "and a conjugate phase: not holomorphic). Fix: np.linalg.eigvals for the "
        "eigenvalues (holomorphic, exact under holomorphic=True), or drop "
        "holomorphic=True and differentiate the real and imaginary parts of f(re + 1j * "
        "im) with respect to np.concatenate([re, im]).")


def eig_phase_tie(at, value, rows, sizes, not_real=False):
    """``np.linalg.eig``'s complex eigenvector at ``at`` (``(..., column)``) whose two
    largest-modulus components (``rows``, moduli ``sizes``) tie: LAPACK makes the
    largest one real, so the vector's phase jumps there; or (``not_real``) whose largest
    component is not real, another LAPACK's convention."""
    where = f"column {at[-1]}" + (f" of matrix {at[:-1]}" if len(at) > 1 else "")
    if not_real:
        why = (f"its largest-modulus component (row {rows[0]}) is not real, so this "
               "LAPACK's phase convention is not ZGEEV's / DGEEV's (the largest "
               "component made real)")
    else:
        why = (f"rows {rows[0]} and {rows[1]} tie for the largest modulus ({sizes[0]:.17g}"
               f" and {sizes[1]:.17g}): LAPACK makes the largest component real, and "
               "where two tie which one it takes, and so the vector's phase, jumps")
    return DualTypeError(
        f"dualgrad: np.linalg.eig's eigenvector ({where}, eigenvalue {value:.6g}) has no "
        f"derivative here: {why}; expected an eigenvector whose largest-modulus component "
        "is unique (unit norm and that component real is a differentiable convention "
        "there). Fix: use np.linalg.eigvals for the eigenvalues (exact, complex ones "
        "too), dualgrad.scipy.linalg.expm for a propagator V @ np.diag(np.exp(c * q)) @ "
        "np.linalg.inv(V) (exp(c A)), np.linalg.eigh for a Hermitian matrix, or "
        "np.linalg.eig(A.value) where no derivative of the vectors is wanted.")


class _NoPoint:
    """The default of the eager helpers' ``x``: none was given."""

    def __repr__(self):
        return "<no point>"


NO_POINT = _NoPoint()

# the transform that does what each eager helper called without x was meant to give
_TRANSFORM_OF = {"dualgrad.gradient": ("the gradient", "dg.grad(f)",
                                       "lambda x, *a: dg.gradient(f, x, *a)"),
                 "dualgrad.jacobian": ("the Jacobian", "dg.jacfwd(f)",
                                       "lambda x, *a: dg.jacobian(f, x, *a)"),
                 "dualgrad.hessian": ("the Hessian", "dg.jacfwd(dg.grad(f))",
                                      "lambda x, *a: dg.hessian(f, x, *a)")}


# the helpers with no transform of their own: what they compute, the call at a point
_AT_POINT = {"dualgrad.derivative": ("the derivative of f at the point x", "x",
                                     "dg.derivative(f, x, *args)",
                                     "lambda x, *a: dg.derivative(f, x, *a)"),
             "dualgrad.jvp": ("f(x) and the directional derivative J(x) @ v", "x and v",
                              "dg.jvp(f, x, v, *args)",
                              "lambda x, v, *a: dg.jvp(f, x, v, *a)"),
             "dualgrad.sparsity": ("the Jacobian's nonzero pattern at the point x", "x",
                                   "dg.sparsity(f, x, *args)",
                                   "lambda x, *a: dg.sparsity(f, x, *a)"),
             "dualgrad.hessian_sparsity": ("the Hessian's nonzero pattern at the point x",
                                           "x", "dg.hessian_sparsity(f, x, *args)",
                                           "lambda x, *a: dg.hessian_sparsity(f, x, *a)")}


def no_point(who, missing=None):
    """An eager helper called with ``f`` alone, as if it were a transform
    (``minimize(..., hess=dg.hessian(nll))``): what it takes and the forms that work
    (``missing``: what was not given, where it is not the point alone: ``"v"``)."""
    if who in _AT_POINT:
        what, every, call, eager = _AT_POINT[who]
        missing = missing or every
        return DualTypeError(
            f"{who}: {call} computes {what} and was called without {missing} (it is an "
            f"eager helper, not a transform that returns a function); expected {call}. "
            f"Fix: call it at a point, or for a function of the point write {eager}.")
    what, transform, eager = _TRANSFORM_OF[who]
    return DualTypeError(
        f"{who}(f, x, *args) computes {what} of f at the point x and was called without "
        "x; expected the point to differentiate at (it is an eager helper, not a "
        f"transform that returns a function). Fix: for a function of x (such as "
        f"scipy.optimize.minimize's jac= or hess=, which pass args= after x), write "
        f"{transform} or {eager}; or call {who.replace('dualgrad.', 'dg.')}(f, x) at a "
        "point.")


def unsupported_like(name):
    """``name`` (``np.eye``) called with ``like=`` a dual array: NumPy hands the call to
    the dual, and dualgrad makes a new array of its kind only for np.zeros / np.ones /
    np.empty / np.full (exact72's Left: the general text gave no fix that runs)."""
    short = name.split(".")[-1]
    example = f" (np.zeros((3, 3), like=x) + np.{short}(3) for np.{short}(3, like=x))" \
        if short in ("eye", "identity") else f", shape that of the array {name} makes"
    return DualTypeError(
        f"{_helper_name()}: {name}(..., like=x) with a dual array x asks for a new array of x's "
        f"kind, which dualgrad makes only for np.zeros, np.ones, np.empty and np.full (a "
        f"buffer of duals with zero partials); expected like= on one of those, or none. "
        f"Fix: drop like= ({name}(...) without it makes the plain array the float code "
        "makes, and it mixes with dual arrays in every operation, keeping their "
        "derivatives); where f stores duals into the array, start from a buffer of x's "
        f"kind and add the plain one, np.zeros(shape, like=x) + {name}(...){example}.")


def unsupported_function(name):
    spelling = _UNSUPPORTED_SPELLINGS.get(name)
    fix = f"write {spelling}" if spelling else \
        "rewrite that step with supported NumPy functions (see docs/supported.md)"
    return DualTypeError(
        f"dualgrad: {name} is not supported on dual numbers and would drop derivatives. "
        f"Fix: {fix}, or apply it to dg.stop_gradient(d) (the plain value) where no "
        "derivative is wanted.")


def series_unconverged(who, expected, got):
    """A shape derivative of the rule table (``gammainc``'s d/da) whose series or
    continued fraction did not converge in its step limit: refused, not NaN."""
    return DualTypeError(
        f"dualgrad: {who} expected {expected}, got {got}, where it did not converge "
        "(no asymptotic form is written there: bench/MISSES.md, nan55). Fix: pass that "
        "argument as a plain number, dg.stop_gradient(a), where its derivative is not "
        "wanted.")


def unsupported_out(name, out_at=None, params=None):
    """``name`` (``np.sum``) called with ``out=``, which dualgrad never takes on duals
    (the result is computed, then stored: only ``np.concatenate`` / ``np.stack`` and
    the ufuncs store it).  The fix is the caller's own call without ``out=``, read from
    its source (error path only) where it can be; ``out_at``: where NumPy's signature
    takes ``out`` by position (the caller's reading), for ``np.mean(a, 0, None, buf)``;
    ``params``: NumPy's positional parameter names, which spell the arguments after a
    positional out by keyword (``np.take(z, i, None, buf, 'clip')``: attack72 M1)."""
    import ast
    import types
    found = None
    frame = _user_frame(sys._getframe(1))
    if frame is not None:
        node = _source_node(frame)
        method = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            not isinstance(_resolve(node.func.value, frame), types.ModuleType)
        found = _call_target(node, out_at if params is None or out_at is None
                             else (out_at, list(params)), method, bare=True)
    if found is not None and found[2] is None and found[3] is not None and \
            not isinstance(found[0], ast.Subscript):
        # out= a new array made in the call (np.take(z, i, None, np.empty(2), 'clip')):
        # no name to store into or rebind (diff73 F8 was told "np.empty(2) = np.take(...)")
        target = ast.unparse(found[0])
        fix = (f"drop out= and use the call's value, {found[3]} (the call without out=: "
               "it returns a new array that holds duals, where the call with out= "
               f"returned {target} filled)")
    elif found is None or found[2] is None:
        target = ast.unparse(found[0]) if found is not None else "out"
        store = target if found is not None and isinstance(found[0], ast.Subscript) \
            else f"{target}[...]"
        fix = (f"drop out= and store the result: {store} = {name}(...) into an array "
               "that holds duals (np.zeros_like(x) of f's input x)" +
               ("" if store == target else f", or {target} = {name}(...) (a new array)"))
    else:
        target = ast.unparse(found[0])
        fix = (f"write {found[2]} (the call without out=, a new array), or "
               f"{target}[...] = {found[2].split(' = ', 1)[1]} to fill an array that holds "
               f"duals (np.zeros_like(x) of f's input x)")
    return DualTypeError(
        f"{_helper_name()}: {name} with out= is not supported on dual numbers "
        f"({name}(..., out={target}) would store into a buffer that may not hold "
        f"derivatives); expected the call without out=. Fix: {fix}.")


def squareform_copy():
    """``scipy.spatial.distance.squareform`` of a dual array: it converts it with
    ``np.ascontiguousarray`` (an object array of scalar duals) and copies the elements
    in C by their bytes, without taking references (the items then freed twice), beside
    plain integer zeros: no derivative flows on, so the conversion is refused before
    that copy (a helper's :func:`from_scipy` names it then).  squareform only
    rearranges the distances, which NumPy's indexing does on duals."""
    return DualTypeError(
        f"{_helper_name()}: scipy.spatial.distance.squareform converts a dual array to "
        "a NumPy object array and copies its elements in C, which drops the derivatives; "
        "expected NumPy indexing, which dualgrad follows. Fix: write that step as "
        f"{_SCIPY_SPELLINGS['squareform']}, or apply squareform to dg.stop_gradient(d) "
        "(the plain value) where no derivative is wanted.")


def rank_deficient_fit(deg, points, rcond):
    """``np.polyfit`` whose Vandermonde matrix has fewer than ``deg + 1`` singular values
    above ``rcond`` times the largest (fewer distinct x values than coefficients)."""
    return DualTypeError(
        f"dualgrad: np.polyfit of degree {deg} through {points} points: fewer than "
        f"deg + 1 = {int(deg) + 1} of them are distinct (or they are too close at "
        f"rcond={rcond:g}), so the least-squares fit is rank-deficient (NumPy warns "
        "'Polyfit may be poorly conditioned') and has no derivative; expected at least "
        f"{int(deg) + 1} distinct x values. Fix: lower deg or fit through distinct x "
        "values, or apply np.polyfit to the values (x.value, y.value) where no "
        "derivative is wanted.")


def merged_ties(who, value, fix):
    """``np.unique`` (``who``) meeting equal values whose derivatives differ: it would
    merge them into one value, which a perturbation splits, so the merged value has no
    derivative there; keeping either element's would be a silent choice."""
    return DualValueError(
        f"dualgrad: {who} found equal values ({value!r}) whose derivatives differ: it "
        "merges them into one, but a perturbation would split them, so that unique value "
        "has no derivative here; expected equal elements that are copies of one value "
        f"(x[[0, 0, 1]]), whose derivatives agree. Fix: {fix}.")


def weighted_tie(who, value):
    """``np.quantile(..., weights=)`` (``who``) whose result is a value that several
    elements of unequal positive weights share, none of which is NumPy's pick in every
    order of them: which of them the quantile follows depends on the direction they move
    in (their weights decide where the cumulative weight crosses ``q``), and no mean of
    their partials is right in general."""
    return DualTypeError(
        f"{who}: the weighted quantile is a value ({value!r}) that several elements "
        "of unequal positive weights share, so which of them it follows depends on the "
        "direction they move in (the target weight falls in different ones as their "
        "order changes); expected tied elements of equal weights (then the mean of "
        "their partials, as np.sort's ties), a single element of positive weight at the "
        "result, or one tied element whose weight holds the target whichever of the "
        "others come first, got unequal weights that do not. Fix: merge the tied "
        "elements into one of their summed weight (np.unique(x, return_inverse=True) "
        "and np.bincount(inverse, w)), or apply the quantile to d.value where no "
        "derivative is wanted.")


def rank_deficient(who, rank, full):
    """``who`` (pinv, lstsq, qr) of a matrix of rank ``rank`` below ``full``: its
    derivative exists only where the rank stays the same nearby, which the matrix at
    one point cannot tell (``pinv(diag(1, t**2))`` jumps at t = 0 though its first
    partials there keep the rank): refused, not followed."""
    return DualTypeError(
        f"dualgrad: {who} of a rank-deficient matrix: expected full rank {full}, got "
        f"rank {rank}. Its derivative exists only where the rank stays the same nearby, "
        "which one point cannot tell (pinv(diag(1, t**2)) jumps at t = 0). Fix: "
        "where the rank is constant by construction, write the pseudo-inverse of its "
        "full-rank factors (A = B @ C with B of full column rank and C of full row rank: "
        "pinv(A) = pinv(C) @ pinv(B); for np.outer(v, w) that is np.outer(w, v) / ((v @ v) "
        f"* (w @ w))), or apply {who} to d.value where no derivative is wanted.")


def truncated(who, cutoff):
    """``who`` (lstsq, pinv) given ``cutoff`` (``"rcond=0.5"``) that drops singular values
    of a matrix of full rank: a truncated pseudo-inverse, whose derivative is another
    function's than the one dualgrad follows."""
    name = cutoff.split("=")[0]
    return DualTypeError(
        f"dualgrad: {who} with {cutoff} drops singular values of a matrix of full rank (a "
        "truncated pseudo-inverse); expected a cutoff below every singular value, as "
        f"dualgrad follows the untruncated solution. Fix: drop {name}= (NumPy's default "
        "keeps every singular value of this matrix), or regularize the fit instead "
        "(np.linalg.solve(A.T @ A + lam * np.eye(A.shape[1]), A.T @ b)), or apply "
        f"{who} to d.value where no derivative is wanted.")


def put_into_scalar(who):
    """``np.put`` (``.put``) into a 0-d dual: NumPy writes into a 0-d ndarray and drops
    the write into a NumPy scalar (``np.put(x[0], 0, v)`` with x[0] an np.float64 leaves
    it as it was); a scalar dual (``x[0]``, a reduction's result) stands for either, so
    neither answer is safe (left42: it raised NumPy's bare "multiple indices are not
    supported for 0d arrays")."""
    return DualTypeError(
        f"{who}: np.put into a 0-d dual; expected an array dual of one or more "
        "dimensions to write into, got a scalar dual (such as x[0] or a sum), which holds "
        "no memory of its own (NumPy writes into a 0-d ndarray but silently drops the "
        "write into a NumPy scalar such as x[0]). Fix: rebind the name to the value "
        "written (s = v, or s = np.ravel(v)[-1]), or put into the array it came from "
        "(np.put(x, i, v), x[i] = v).")


def bad_argument(who, expected, got, fix=""):
    fix = f" {fix}" if fix else ""
    return DualValueError(f"{who}: expected {expected}, got {got}.{fix}")


def passes_differ(who, k, count):
    """Two passes of ``f`` over the same ``x`` (the chunks of directions) computed
    different values: their partials are of different functions."""
    return DualValueError(
        f"{who}: expected f to compute the same value on every pass over x (the {count} "
        f"chunks of directions), got a different value on pass {k} (beyond 1e-9 of the "
        "largest): f is not a function of x alone (random numbers drawn inside f from a "
        "generator it does not seed, a counter, a cache, the clock), and the passes' "
        "partials would be spliced from "
        "different functions. Fix: seed the generator inside f (rng = "
        "np.random.default_rng(0) at its top) or draw outside f and pass the draws in "
        "args; or pass chunk=x.size for one pass (its derivative is then that of one "
        "draw).")


def bad_has_aux(who, has_aux):
    """``has_aux`` not a bool (a truthy string would silently mean True)."""
    return bad_argument(who, "has_aux as True or False", repr(has_aux),
                        "Fix: has_aux=True when f returns (out, aux), else leave it out.")


def bad_type(who, expected, got, fix=""):
    fix = f" {fix}" if fix else ""
    return DualTypeError(f"{who}: expected {expected}, got {got}.{fix}")


# helpers without a holomorphic= option (their results are real by definition)
_REAL_ONLY = ("dualgrad.approx_fprime", "dualgrad.elementwise_grad",
              "dualgrad.hessian_sparsity")


def sparse_operand(who):
    """A scipy.sparse matrix where dualgrad takes it only as a matrix product."""
    return DualTypeError(
        f"{who}: expected a scipy.sparse matrix only in a matrix product with a dual of "
        "one or two dimensions (L @ u, L.dot(u), u @ L, np.matmul(L, u), np.dot(L, u); "
        "L * u of a sparse matrix, not array), got another use of it. Fix: use "
        "L.toarray() where a dense array is meant (L.toarray() * u elementwise), or "
        "write the product as L @ u.")


def sparse_bound_product(method, text):
    """A scipy.sparse matrix's product method called as a function on a dual (``text``,
    the caller's source, calls ``method``): SciPy answers ``NotImplemented`` for the
    dual, which only Python's operator protocol follows with the dual's reflected
    product (attack48 06)."""
    return DualTypeError(
        f"dualgrad: a scipy.sparse matrix's {method} applied to a dual: expected the "
        f"product as an operator (L @ u, L.dot(u), an spmatrix's L * u), got the method "
        f"called as a function in `{text.strip()}`, where SciPy returns NotImplemented "
        "for a dual and nothing calls the dual's reflected product. Fix: write L @ u "
        "(for map or functools.partial: lambda u: L @ u).")


def complex_input(who, dtype, name="x", sparse=False):
    """Complex ``x`` where a real one is expected; the fix offered is one ``who`` takes
    (``sparse``: a jacobian or hessian called with ``sparsity=``; a sparse Jacobian
    takes holomorphic=True, a sparse Hessian does not)."""
    sparse = sparse and who == "dualgrad.hessian"
    if sparse or who in _REAL_ONLY:
        dense = "drop sparsity= and pass holomorphic=True" if sparse else \
            "use dg.jacobian(f, x, holomorphic=True) (or dg.derivative, dg.grad with " \
            "holomorphic=True)"
        return DualTypeError(
            f"{who}: expected real x, got complex dtype {dtype}; it takes real x only. Fix: "
            f"for the complex derivative of a holomorphic f, {dense}; otherwise split x into "
            "real and imaginary parts and differentiate f(re + 1j * im) with respect to "
            "the real array np.concatenate([re, im]).")
    if name == "v":                     # jvp's tangent: f is real-linear in it
        return DualTypeError(
            f"{who}: expected a real tangent v for a real x, got complex dtype {dtype}. "
            "Fix: pass holomorphic=True (x and v complex) for the complex derivative of a "
            "holomorphic f, or, for a real x along a complex direction, combine two real "
            "tangents: jvp(f, x, v.real)[1] + 1j * jvp(f, x, v.imag)[1].")
    return DualTypeError(
        f"{who}: expected real x, got complex dtype {dtype}. Fix: pass holomorphic=True "
        "for the complex derivative of a holomorphic f (as JAX's holomorphic=True), or "
        "split x into real and imaginary parts and differentiate f(re + 1j * im) with "
        "respect to the real array np.concatenate([re, im]).")


def not_holomorphic(name):
    return DualTypeError(
        f"{name}: expected a function with a complex derivative under holomorphic=True, "
        f"got {name} of a complex dual, which has none (it is not holomorphic: its "
        "derivatives along the real and the imaginary axis differ). Fix: drop "
        "holomorphic=True and differentiate the real and imaginary parts: split z into "
        "re + 1j * im and differentiate f(re + 1j * im) (np.real and np.imag of it) "
        "with respect to the real array np.concatenate([re, im]). Where it only picks a "
        "branch or an element (np.where(z.real > 0, ...), z[np.argmax(np.abs(z))]), "
        "compare the values instead: z.value.real > 0, np.argmax(np.abs(z.value)).")


def not_callable(who, f):
    name = who.rsplit(".", 1)[-1]
    if name in ("grad", "value_and_grad", "elementwise_grad", "jacfwd") or \
            not name.isidentifier():
        call = f"dg.{name}(f)(x)" if name.isidentifier() else "dg.grad(f)(x)"
        return bad_type(who, "a callable f", f"{type(f).__name__} {f!r:.60}",
                        f"Pass the function itself, e.g. {call}.")
    if name not in ("jacobian", "gradient"):
        call = "dg.approx_fprime(x, f)" if name == "approx_fprime" else f"dg.{name}(f, x)"
        return bad_type(who, "a callable f", f"{type(f).__name__} {f!r:.60}",
                        f"Pass the function itself, e.g. {call}.")
    return bad_type(who, "a callable f", f"{type(f).__name__} {f!r:.60}",
                    f"Pass the function itself, e.g. dg.{name}(f, x). A solver that calls "
                    f"jac(t, y) or jac(x, *args) wants a function of its own: "
                    f"jac=lambda t, y: dg.{name}(rhs, t, y, argnums=1) (solve_ivp), "
                    f"jac=lambda x, *a: dg.{name}(f, x, *a) (least_squares, root).")


def array_output(who, shape):
    """f of a scalar helper returned an array (or a pytree: ``shape`` a phrase)."""
    got = shape if isinstance(shape, str) else f"shape {shape}"
    fix = "Use dg.jacobian for array-valued f."
    if who.endswith("hessian") or who.endswith("hessian_sparsity"):
        fix += (" For the second derivatives of each output (JAX's hessian of a vector f, "
                "the f_xx of iLQR / DDP), use dg.jacfwd(dg.jacfwd(f))(x): its [i, j, k] "
                "is d2 f_i / dx_j dx_k.")
    return bad_argument(who, "f to return a scalar", f"an output of {got}", fix)


def numba_typing_on_duals(who, exc):
    """:func:`numba_unsupported` for ``exc`` when it is numba's typing error on duals
    (a jitted function that a plain-Python ``f`` calls, ``lambda p: kern(p)``: the
    construct named as for a jitted ``f`` itself; attack42), else ``None``."""
    import re
    if type(exc).__name__ == "TypingError" and re.search(
            r"array\(pyobject|dualgrad\.Dual(Array)?\[", str(exc)):
        return numba_unsupported(who, str(exc), jitted=_jitted_call(exc))
    return None


def _jitted_callees(py):
    """The names ``py`` (a jitted function's Python original) reads that bind jitted
    functions in its module."""
    scope = getattr(py, "__globals__", {})
    return [n for n in dict.fromkeys(py.__code__.co_names)
            if hasattr(scope.get(n), "py_func") and
            hasattr(scope.get(n), "_compile_for_args")]


def _jitted_chain(py):
    """Every jitted function ``py`` reaches by name, at any depth (accel calls norm,
    which calls inner: attack73 M1), where all of them are plain functions of ``py``'s
    module (one globals dict, no closure): their names in call order; ``None`` where one
    lives in another module or closes over names (a copy reading ``py``'s globals would
    not run there).  Error path only."""
    scope = py.__globals__
    chain, todo = [], list(_jitted_callees(py))
    while todo:
        name = todo.pop(0)
        if name in chain:
            continue
        callee = getattr(scope.get(name), "py_func", None)
        if getattr(callee, "__globals__", None) is not scope or \
                getattr(callee, "__closure__", None) or not hasattr(callee, "__code__"):
            return None
        chain.append(name)
        todo.extend(_jitted_callees(callee))
    return chain


def _jitted_call(exc):
    """``(name, callees, chain)`` for the outermost numba dispatcher in ``exc``'s
    traceback (the jitted function f called: poliastro's ``J2_perturbation``), the
    jitted functions its Python original reads by name (``norm``) and those reached at
    any depth (:func:`_jitted_chain`), or ``None``.  Error path only."""
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        dispatcher = frame.f_locals.get("self") if \
            frame.f_code.co_name == "_compile_for_args" else None
        py = getattr(dispatcher, "py_func", None)
        if py is not None and hasattr(py, "__code__"):
            return py.__name__, _jitted_callees(py), _jitted_chain(py)
        tb = tb.tb_next
    return None


# The fix for an array dual of other than one dimension handed to jitted code (both
# places that refuse it: numba's typeof and the translation of its TypingError).
JIT_NDIM_FIX = ("pass a 1-D x (x.ravel()) and reshape inside f, or use a plain-Python f; "
                "a jitted loop over a grid (a stencil: d2p[i, j] = (p[i + 1, j] - "
                "2 * p[i, j] + p[i - 1, j]) / dx**2) is one NumPy expression on slices "
                "(d2p[1:-1, :] = (p[2:, :] - 2 * p[1:-1, :] + p[:-2, :]) / dx**2), exact on "
                "duals at NumPy's speed; where a jitted function you did not write takes the "
                "matrix (a library's kern(x, P, ...) filling P in a loop), call its Python "
                "original, kern.py_func(x, P, ...): a Python loop on duals, microseconds per "
                "element (seconds per call on a 200 x 200 grid), in which the jitted "
                "functions it calls still take scalar and 1-D duals")


def numba_unsupported(who, message, nested=False, jitted=None):
    """A numba typing error on duals, with the construct and the fix named
    (``nested``: the arguments were duals of duals, as a Hessian passes; ``jitted``:
    :func:`_jitted_call`'s ``(name, callees)``, which the whole-array fix names)."""
    import re
    if re.search(r"(cast|unify|convert).*dualgrad\.Dual\[\d+\].*(float|int)|"
                 r"setitem\(array\(float64.*dualgrad\.Dual", message, re.S):
        construct = "storing a dual into a plain float array (a buffer from np.empty(n) " \
                    "or np.zeros(n))"
        fix = BUFFER_FIX[0].lower() + BUFFER_FIX[1:] + \
            " (inside @njit code dualgrad teaches numba that spelling once a helper has " \
            "received the jitted function: a float call before that, in a fresh process, " \
            "raises numba's TypingError; np.zeros_like(x) of x's own length compiles " \
            "everywhere)"
    elif "array(pyobject" in message:
        construct = "an object array (numba's array(pyobject)), such as np.array([d1, d2]) " \
                    "of duals built outside jitted code"
        fix = ("build the array with np.stack([d1, d2]) (a dual array numba can take), or "
               "build it inside the jitted function")
    elif re.search(r"Cannot determine Numba type of <class 'dualgrad", message) and nested:
        construct = "nested duals (the duals of duals a Hessian or a derivative of a " \
                    "derivative passes), which jitted code cannot take"
        fix = "for second derivatives use a plain-Python f (f.py_func, numba's Python " \
              "original, runs when it calls NumPy functions rather than math's)"
    elif re.search(r"Cannot determine Numba type of <class 'dualgrad", message):
        construct = "a dual of more than one dimension as an argument"
        fix = JIT_NDIM_FIX
    elif _complex_signature(message):
        construct = ("complex arithmetic on duals (1j * d, complex(a, b), cmath.exp(1j * "
                     "d)), which jitted code cannot take: its duals are real")
        fix = ("write the real and imaginary parts as real duals (V = Vm e^(j Va): "
               "Vm * math.cos(Va) and Vm * math.sin(Va); (a + jb)(c + jd) = (ac - bd) + "
               "j(ad + bc)), or use a plain-Python f, where complex values work "
               "(np.exp(1j * Va), a scipy.sparse Y @ V)")
    elif re.search(r">>> int\([^\n]*dualgrad\.Dual\[", message):
        construct = ("int() of a dual (int(np.ceil(x4)) for a unit hydrograph's length), "
                     "an integer, which has no derivatives")
        fix = ("compute the integer in Python from the plain value and pass it to the "
               "jitted function as an argument: n = int(np.ceil(dg.stop_gradient(p[3]))) "
               "(dg.stop_gradient strips the duals; the count is piecewise constant, so no "
               "derivative is lost), or use a plain-Python f, where int(np.ceil("
               "dg.stop_gradient(x4))) works inside f")
    elif "dualgrad.DualArray" in message:
        construct = "an operation on a whole dual array"
        # a library's jitted function (newuser61: finsim's Sharpe ratio, np.sum(weights
        # * r)) is not the user's to rewrite: its Python original runs that NumPy on duals
        fix = ("call the jitted function's Python original inside a plain-Python f, "
               "kern.py_func(...) for kern, where NumPy's whole-array operations take "
               "dual arrays; or, in jitted code of your own, loop over its elements "
               "(x[i])")
        if jitted is not None and not jitted[0].isidentifier():
            jitted = None                   # (a jitted lambda: no name to spell)
        if jitted is not None and not jitted[1]:
            name = jitted[0]
            fix = (f"call {name}'s Python original inside a plain-Python f, "
                   f"{name}.py_func(...) for {name}(...), where NumPy's whole-array "
                   "operations take dual arrays; or, in jitted code of your own, loop "
                   "over its elements (x[i])")
        elif jitted is not None and jitted[2] and set(jitted[2]) != set(jitted[1]):
            # a callee calls jitted functions too (accel -> norm -> inner: a copy whose
            # names read norm's original was refused again in norm, attack73 M1): every
            # function of the chain a Python copy reading one shared dict of names
            name, chain = jitted[0], jitted[2]
            listed = ", ".join(f"'{c}'" for c in chain)
            fix = (f"call a Python copy of {name} inside a plain-Python f: its original "
                   f"{name}.py_func calls the jitted {', '.join(jitted[1])}, which "
                   f"{'calls' if len(jitted[1]) == 1 else 'call'} "
                   f"jitted functions in turn ({', '.join(chain)} in all), and each takes "
                   "dual arrays only as its Python original, so with import types and g = "
                   f"dict({name}.py_func.__globals__) make g.update({{n: types."
                   "FunctionType(g[n].py_func.__code__, g, None, g[n].py_func.__defaults__) "
                   f"for n in ({listed})}}) and {name}_py = types.FunctionType("
                   f"{name}.py_func.__code__, g, None, {name}.py_func.__defaults__), and "
                   f"call {name}_py(...) for {name}(...) (the copies read their names from "
                   "g, so every call down the chain runs in Python; the module's own names "
                   "stay jitted); or, in jitted code of your own, loop over its elements "
                   "(x[i])")
        elif jitted is not None:
            # its original calls jitted functions by name (poliastro's J2_perturbation
            # calls norm: J2_perturbation.py_func was refused again there, user72): a
            # copy of it whose names read their originals
            name, callees = jitted[:2]
            reads = ", ".join(f"'{c}': g['{c}'].py_func" for c in callees)
            fix = (f"call a Python copy of {name} inside a plain-Python f: its original "
                   f"{name}.py_func calls the jitted {', '.join(callees)}, which "
                   f"{'takes' if len(callees) == 1 else 'take'} dual arrays only as "
                   f"{'its Python original' if len(callees) == 1 else 'their Python originals'}"
                   " too, so with import types "
                   f"and g = {name}.py_func.__globals__ make {name}_py = types."
                   f"FunctionType({name}.py_func.__code__, {{**g, {reads}}}, None, "
                   f"{name}.py_func.__defaults__) and call {name}_py(...) for "
                   f"{name}(...) (the module's own names stay jitted); or, in jitted "
                   "code of your own, loop over its elements (x[i])")
    else:
        construct = "an operation numba cannot compile for dual numbers"
        fix = "see docs/numba.md for what jitted code may do, or use a plain-Python f"
    first = next((ln.strip() for ln in message.splitlines() if ln.strip()), "")
    return DualTypeError(f"{who}: numba-jitted code uses {construct}{_numba_where(message)}. "
                         f"Fix: {fix}. (numba said: {first[:200]})")


def _numba_where(message):
    """`` (at line N of FILE: `code`)`` from numba's typing error, the line its caret
    marks (``File "gr4j_model.py", line 59:`` then the source, ``^`` under it), or ``""``
    (userhydro50: RRMPG's jitted GR4J was refused without its line)."""
    import re
    m = re.search(r'File "([^"\n]+)", line (\d+):\n((?:[^\n]*\n)*?)\s*\^', message)
    if m is None:
        return ""
    code = [ln.strip() for ln in m.group(3).splitlines()
            if ln.strip() and ln.strip() != "<source elided>"]
    shown = f": `{code[-1][:120]}`" if code else ""
    return f" (at line {m.group(2)} of {m.group(1).rsplit('/', 1)[-1]}{shown})"


def _complex_signature(message):
    """Did numba fail to type a call mixing a dual with a complex number (``>>>
    mul(complex128, dualgrad.Dual[2])``, ``>>> complex(dualgrad.Dual[2], ...)``)?  Only
    the signature line counts: the candidates numba lists name complex types whatever
    failed (userpower50: a pandapower-style injection loop, ``np.exp(1j * Va[i])``)."""
    import re
    m = re.search(r">>> (\w+)\(([^\n]*)\)", message)
    return m is not None and "dualgrad.Dual" in m.group(2) and \
        (m.group(1) == "complex" or "complex" in m.group(2))


def jit_argument(who, kind, received):
    """A dual that numba cannot take as an argument of jitted code (raised by the numba
    extension's typeof, whatever called the jitted function: the helper itself, or a
    plain-Python ``f`` wrapping it, ``lambda p: 2 * kern(p)``).  ``kind``: ``"nested"``
    (duals of duals, as a Hessian passes), ``"ndim"`` (an array dual of other than one
    dimension), ``"dtype"`` (values other than float64); ``received`` says what came.
    The error keeps ``jit_refusal = (kind, received)`` so that a helper can name itself
    as ``who`` (``dualgrad.api._seed.translated``)."""
    if kind == "nested":
        construct = ("nested duals (the duals of duals a Hessian or a derivative of a "
                     "derivative passes), which jitted code cannot take")
        fix = ("for second derivatives use a plain-Python f: call the jitted function's "
               "Python original (kern.py_func for kern, which runs when it calls NumPy "
               "functions rather than math's) inside f")
    elif kind == "ndim":
        construct = "a dual of more than one dimension (or of none) as an argument"
        fix = JIT_NDIM_FIX
    else:
        construct = "a dual whose values are not float64"
        fix = "pass float64 inputs, or use a plain-Python f (complex duals run there)"
    exc = DualTypeError(f"{who}: numba-jitted code uses {construct}; expected duals of "
                        f"float64 scalars or 1-D arrays, received {received}. Fix: {fix}.")
    exc.jit_refusal = (kind, received)
    return exc


def statistics_of_duals():
    """``statistics.mean`` / ``stdev`` / ``fmean`` ... of dual numbers: the module
    converts each value to an exact fraction or a float, which drops derivatives."""
    return DualTypeError(
        "dualgrad: the statistics module (statistics.mean, fmean, stdev, variance, "
        "geometric_mean, harmonic_mean) converts each value to an exact fraction or a "
        "float, which would drop the derivatives of a dual number; expected arithmetic "
        "that keeps values as duals. Fix: np.mean(np.stack(xs)) or sum(xs) / len(xs) "
        "for the mean, np.std(np.stack(xs), ddof=1) for stdev, np.var(..., ddof=1) for "
        "variance (ddof=0 for pstdev, pvariance).")


def pow_modulo():
    """``pow(d, y, mod)`` of a dual number: Python's three-argument pow."""
    return DualTypeError(
        "dualgrad: pow(d, y, mod) with a dual number d: Python's three-argument pow is "
        "modular exponentiation of integers (floats raise TypeError for it too); expected "
        "pow(d, y) or d ** y. Fix: (d ** y) % mod for the remainder of a power of real "
        "numbers.")


def numba_parallel(who, message):
    """numba's parfor lowering met a dual: a jitted function that ``f`` calls was
    compiled with ``parallel=True`` (``f`` itself runs on duals without it)."""
    first = next((ln.strip() for ln in message.splitlines() if ln.strip()), "")
    return DualTypeError(
        f"{who}: a jitted function that f calls was compiled with @njit(parallel=True), "
        "and numba's parallel (prange) lowering cannot take dual numbers; expected "
        "parallel=True on f itself at most (dualgrad runs f's dual specialization "
        "without it, prange as range). Fix: drop parallel=True from the functions f "
        "calls, or call their .py_func versions inside f, or mark only f parallel. "
        f"(numba said: {first[:200]})")


def mismatched_directions(who, n0, n1):
    """Duals of one computation with different numbers of directions met."""
    return DualValueError(
        f"{who}: a dual with {n0} direction(s) (partials of length {n0}) met one with {n1} "
        f"direction(s); the partials of duals combined must be derivatives along the same "
        "directions, so their lengths must be equal. Fix: build every dg.Dual of one "
        "computation with the same n, padding with zeros (dg.Dual(x, [1.0, 0.0]) beside "
        "dg.Dual(y, [0.0, 1.0])), or let dg.jacobian / dg.jvp seed the directions.")


def mixed_tags():
    return DualTypeError(
        "dualgrad: a dual number of an inner derivative call was stored into an array of "
        "an outer call. Fix: create the buffer inside the inner function, from its own "
        "argument (np.zeros_like(y)).")


class SharedBufferError(DualTypeError):
    """A nested dual written in place into memory that another array sees."""


def shared_buffer():
    """A nested dual written into a buffer that shares memory with another array."""
    return SharedBufferError(
        "dualgrad: inside a nested call (hessian, or a derivative of a derivative) a "
        "second-order dual was written in place into an array that shares its memory with "
        "another one (a view such as y[::-1], np.flip(y) or y.reshape(...), or the base of "
        "such a view); expected a buffer that nothing else views, because the write would "
        "not reach the other array and its derivatives would be wrong. Fix: write "
        "out of place (v = v * v instead of v *= v), or make the buffer from the input "
        "with np.zeros_like(x) and write into it before taking views of it.")


def snapshot_write(action):
    """An in-place write into a dual array of which ``np.asarray`` handed out a snapshot."""
    loop = _enumerated_loop(sys._getframe(1))
    if loop is not None:            # NumPy's asarray, not the user's (user68)
        text, name, where = loop
        return DualTypeError(
            f"{_helper_name()}: a write into {name} inside `{text}` {where}: "
            f"np.ndenumerate reads np.asarray({name}), which for a dual array is a "
            "separate object array of scalar duals, so the loop would go on reading the "
            f"old values and derivatives; expected no write into the array being "
            f"enumerated. Fix: loop over the indexes alone, for index in "
            f"np.ndindex({name}.shape): (read {name}[index] in the body where the "
            "loop's value was used).")
    return DualTypeError(
        f"dualgrad: {action} (y *= ..., y[i] = ..., out=y, np.copyto, y.sort(), y.fill()) "
        "while an array that np.asarray(y) returned still lives (also np.asanyarray, "
        "np.ascontiguousarray, np.asfortranarray, np.require, np.array(y, copy=None), "
        "as_strided): for a dual array that array is a separate object array of scalar "
        "duals, not y itself as for floats, so it would keep the old values and "
        "derivatives; expected no in-place write into y, its views or its base while that "
        "array lives. Fix: write out of place (y = y * x instead of y *= x), or drop the "
        "np.asarray call (dual arrays take NumPy functions and indexing directly), or "
        "take an explicit copy with np.array(y) or y.copy() if a copy is what you want.")


def _enumerated_loop(frame):
    """For the user's frame outwards from ``frame``, the ``for ... in
    np.ndenumerate(NAME)`` loop its current line lies in: ``(the loop's header, NAME,
    "(at line N of FILE)")``; ``None`` for none.  Error path only."""
    import ast
    import os
    frame = _user_frame(frame)
    if frame is None:
        return None
    parsed = _function_tree(frame)
    if parsed is None:
        return None
    tree, start = parsed
    line = frame.f_lineno - max(start, 1) + 1
    for node in ast.walk(tree):
        call = getattr(node, "iter", None)
        if isinstance(node, ast.For) and isinstance(call, ast.Call) and call.args and \
                ast.unparse(call.func).split(".")[-1] == "ndenumerate" and \
                node.body[0].lineno <= line <= node.body[-1].end_lineno:
            target = node.target
            names = ", ".join(map(ast.unparse, target.elts)) \
                if isinstance(target, ast.Tuple) else ast.unparse(target)
            header = f"for {names} in {ast.unparse(call)}:"
            where = f"(at line {frame.f_lineno} of {os.path.basename(frame.f_code.co_filename)})"
            return header, ast.unparse(call.args[0]), where
    return None


# the methods of an ndarray that write into it, and the NumPy functions that write into
# their first argument: where a read-only refusal's destination is read from
_WRITING_METHODS = frozenset(("fill", "sort", "partition", "put", "itemset", "setfield",
                              "resize", "byteswap", "__setitem__", "__iadd__", "__isub__",
                              "__imul__", "__itruediv__", "__ipow__"))
_WRITING_FIRST = frozenset(("copyto", "put", "place", "putmask", "fill_diagonal",
                            "put_along_axis", "at"))
# what a view is taken by: the array under ``y[0:1].reshape(())`` is ``y``'s
_VIEW_ATTRIBUTES = frozenset(("flat", "real", "imag", "T", "mT"))
_VIEW_METHODS = frozenset(("reshape", "view", "ravel", "transpose", "swapaxes", "squeeze",
                           "diagonal", "__getitem__"))


def written_into(frame, lasti=None):
    """``[(text, object)]``: what the instruction of ``frame`` that raised (``lasti``, a
    traceback's) writes into, read from its source: an augmented assignment's target
    (``y += x``), a store's array (``y[0] = 1``, ``y.flat[i] = v``), a call's ``out=``
    (keyword, or a ufunc's or a NumPy function's positional ``out``), the receiver of an
    ndarray method that writes (``y.fill(0)``, ``y.sort()``), the first argument of
    ``np.copyto`` / ``np.put`` / ``np.place`` / ``np.putmask`` / ``np.fill_diagonal`` /
    ``np.put_along_axis`` / ``ufunc.at``.  Each is reduced to the array its views are
    taken of (``y[0:1].reshape(())``: ``y``) and read by :func:`_resolve` (a name or a
    chain of attributes, nothing evaluated); the object is ``None`` where that does not
    name one.  ``[]`` without source.  Error path only (the read-only refusals of
    ``np.asarray``'s snapshots: attack69 M2)."""
    import ast
    import inspect
    import numpy as np
    text = _source_text(frame, lasti)
    if text is None:
        return []
    node = None
    for wrap, mode in (("{}", "exec"), ("({})", "eval")):
        try:
            node = ast.parse(wrap.format(text.strip()), mode=mode)
        except SyntaxError:
            continue
        break
    if node is None:
        return []
    if isinstance(node, ast.Module):
        if len(node.body) != 1:
            return []
        stmt = node.body[0]
        found = [stmt.target] if isinstance(stmt, ast.AugAssign) else \
            [t for t in stmt.targets if not isinstance(t, ast.Name)] \
            if isinstance(stmt, ast.Assign) else None
        if found is None:
            if not isinstance(stmt, ast.Expr):
                return []
            node = stmt.value
    else:
        found = None
        node = node.body
    if found is None:
        found = []
        if isinstance(node, (ast.Subscript, ast.Attribute)):
            found.append(node)              # a store's target: y[0], y.flat[0]
        elif isinstance(node, ast.Call):
            func = node.func
            for kw in node.keywords:
                if kw.arg == "out":
                    found += kw.value.elts if isinstance(kw.value, ast.Tuple) else \
                        [kw.value]
            called = _resolve(func, frame) if isinstance(func, (ast.Name, ast.Attribute)) \
                else None
            name = func.attr if isinstance(func, ast.Attribute) else \
                func.id if isinstance(func, ast.Name) else ""
            args = [a for a in node.args if not isinstance(a, ast.Starred)]
            if isinstance(func, ast.Attribute) and name in _WRITING_METHODS and \
                    not isinstance(called, type(np)):
                receiver = _resolve(func.value, frame)
                if receiver is None or isinstance(receiver, np.ndarray):
                    found.append(func.value)        # y.fill(0), y.sort()
            if name in _WRITING_FIRST and args:
                found.append(args[0])               # np.copyto(y, x), np.add.at(y, i, x)
            if isinstance(called, np.ufunc) and len(node.args) == len(args):
                found += args[called.nin:]          # np.add(y, x, y)
            elif callable(called) and len(node.args) == len(args) and \
                    (getattr(called, "__module__", None) or "").startswith("numpy"):
                try:
                    bound = inspect.signature(called).bind_partial(*args)
                except (TypeError, ValueError):
                    bound = None
                if bound is not None and "out" in bound.arguments:
                    found.append(bound.arguments["out"])    # np.cumsum(y, 0, None, y)
    written = []
    for target in found:
        root = target
        while True:
            if isinstance(root, (ast.Subscript, ast.Starred)):
                root = root.value
            elif isinstance(root, ast.Attribute) and root.attr in _VIEW_ATTRIBUTES:
                root = root.value
            elif isinstance(root, ast.Call) and isinstance(root.func, ast.Attribute) and \
                    root.func.attr in _VIEW_METHODS:
                root = root.func.value
            else:
                break
        value = _resolve(root, frame) if isinstance(root, (ast.Name, ast.Attribute)) \
            else None
        written.append((ast.unparse(root), value))
    return written


def snapshot_read_only(who, written=None, made=None, source=None, where=""):
    """A write into the array np.asarray handed out for a dual array that still lives:
    ``written`` what the user wrote into (``y`` of ``y = np.asarray(x); y += x``, ``z``
    of ``z = y[1:]; z += ...``), ``made`` the name bound to np.asarray's array itself
    (``y``), ``source`` the dual array's name (``x``), where the user's frame names
    them, ``where`` the user's line (:func:`user_line`); the general words without
    them."""
    if written is None:
        return DualTypeError(
            f"{who}: f wrote into an array that np.asarray(y) returned for a dual array y "
            "(also np.asanyarray, np.ascontiguousarray, np.require, np.array(y, "
            "copy=None)), and NumPy refused because dualgrad hands that array out "
            "read-only while y lives: for a dual array it is a separate object array of "
            "scalar duals, not y itself as for floats, so the write would not reach y; "
            "expected writes into y itself. Fix: write into y (y[i] = ...), or take a "
            "writable copy with v = y.copy() if a separate array is what you want, a dual "
            "array still (for an input x, x = x.copy() also keeps f from changing its "
            "caller's array on floats; np.array(y) would be a NumPy object array of "
            "scalar duals, which NumPy's own functions such as np.nan_to_num pass "
            "through unchanged).")
    x = source or "x"
    of = f"the dual array {source}" if source else "a dual array"
    where = f" {where}" if where else ""
    y = made or written
    view = f", a view of {made}" if made and made != written else ""
    return DualTypeError(
        f"{who}: f wrote into {written}{where}{view}, an array that np.asarray returned "
        f"for {of} (or np.asanyarray, np.ascontiguousarray, np.require, np.array(..., "
        "copy=None)), and NumPy refused because dualgrad hands that array out read-only "
        f"while {x} lives: for a dual array it is a separate object array of scalar "
        f"duals, not {x} itself as for floats, so the write would not reach {x}; "
        f"expected writes into a dual array ({y} += ..., {y}[i] = ..., out={y} and "
        f"np.copyto({y}, ...) all take one). Fix: make {y} a dual array, {y} = "
        f"{x}.copy() in place of {y} = np.asarray({x}) (on floats the copy also keeps f "
        f"from changing its caller's array), or write out of place ({y} = {y} + ...); "
        f"np.array({x}) would be a NumPy object array of scalar duals again, which "
        "NumPy's own functions such as np.nan_to_num pass through unchanged.")


_AT_CALL = None                 # re: np.<ufunc>.at( in a source line
_UNARY_AT = ("negative", "positive", "absolute", "abs", "sqrt", "square", "exp", "log",
             "sin", "cos", "tan", "tanh", "reciprocal", "conjugate", "sign")


def snapshot_written_past_flag(who, code, line, writable=False):
    """A write into the array np.asarray handed out for a dual array, at ``line`` of
    ``code``, that NumPy made past the read-only flag (``ufunc.at``: found at the
    helper's end, :func:`guard_check`); the ``.at`` lines of the same function named.
    ``writable``: f made the array writable itself (:func:`_made_writable`; or its
    code sets a flag, ``y.flags.writeable = True`` / ``y.setflags(write=True)``, and
    calls no ``.at``), and then any write went in: said so (attack72 M4), with the
    same fix."""
    import linecache
    import os
    import re
    global _AT_CALL
    if _AT_CALL is None:
        _AT_CALL = re.compile(r"\b(?:np|numpy)\.\w+\.at\(")
    path = code.co_filename
    source = linecache.getline(path, line).strip()
    made = re.match(r"([A-Za-z_]\w*)\s*=\s*(?:np|numpy)\.(?:asarray|asanyarray|"
                    r"ascontiguousarray|asfortranarray|require|array)\(\s*([A-Za-z_][\w.]*)",
                    source)
    if made is None:                    # np.add.at(np.asarray(x), ...): no name bound
        made = re.search(r"()(?:np|numpy)\.(?:asarray|asanyarray|ascontiguousarray|"
                         r"asfortranarray|require|array)\(\s*([A-Za-z_][\w.]*)", source)
    y, x = (made.group(1), made.group(2)) if made else ("", "x")
    written = f"{y}, the array" if y else "the array"
    y = y or "y"
    ats = sorted({n for _, _, n in code.co_lines() if n is not None and
                  _AT_CALL.search(linecache.getline(path, n))})
    ufuncs = sorted({m.group(1) for n in ats for m in
                     re.finditer(r"\b(?:np|numpy)\.(\w+)\.at\(", linecache.getline(path, n))})
    kept = [u for u in ufuncs if u in ("add", "subtract")]
    other = [u for u in ufuncs if u not in ("add", "subtract")]
    if other:                           # dualgrad's ufunc.at keeps derivatives for these two
        into = (f"{x}[i] = np.{other[0]}({x}[i]" + (")" if other[0] in _UNARY_AT else ", c)") +
                f" for indices i without repeats, np.{other[0]}.at of a dual array being "
                "refused (np.add.at and np.subtract.at keep derivatives)")
    else:
        into = f"np.{(kept or ['add'])[0]}.at({x}, i, c): a dual array takes it"
    if ats == [line]:
        at = " on that line"
    elif ats:
        listed = "; ".join(f"line {n}: `{linecache.getline(path, n).strip()}`" for n in ats[:3])
        at = f" ({listed})"
    else:
        at = ""
    where = f"line {line} of {os.path.basename(path)}" + (f": `{source}`" if source else "")
    flags = sorted({n for _, _, n in code.co_lines() if n is not None and re.search(
        r"\.flags\.writeable\s*=|\.setflags\(", linecache.getline(path, n))})
    if writable or flags and not ats:   # (the view f made writable may be gone by now)
        by = "; ".join(f"line {n}: `{linecache.getline(path, n).strip()}`" for n in flags[:2])
        return DualTypeError(
            f"{who}: f made {written} np.asarray returned for the dual array {x} ({where}) "
            f"writable{' (' + by + ')' if by else ''} and wrote into it: dualgrad hands "
            "that array out read-only because for a dual array it is a separate object "
            f"array of scalar duals, not {x} itself as for floats, so the write did not "
            f"reach {x} and what f computed from {x} after it would be wrong; expected "
            f"writes into a dual array. Fix: make {y} a dual array, {y} = {x}.copy() in "
            f"place of {y} = np.asarray({x}) (writable, and {y}[i] = ... keeps "
            f"derivatives; on floats the copy also keeps f from changing its caller's "
            f"array), or write into {x} itself ({x}[i] = ..., and {x} changes as on "
            f"floats), without setting the flag, reading {x} where f read {y} ({y} = "
            f"np.asarray({x}) dropped: a write into {x} is refused while an array "
            f"np.asarray({x}) returned lives).")
    return DualTypeError(
        f"{who}: f wrote into {written} np.asarray returned for the dual array {x} "
        f"({where}), by a ufunc's .at{at}: NumPy's ufunc.at (np.add.at, np.subtract.at, "
        "np.negative.at, ...) writes without testing the read-only flag dualgrad sets on "
        f"that array, and for a dual array it is a separate object array of scalar duals, "
        f"not {x} itself as for floats, so the write did not reach {x} and what f computed "
        f"from {x} after it would be wrong; expected writes into a dual array. Fix: write "
        f"into {x} itself ({into}, and {x} changes as on floats), reading {x} where f "
        f"read {y} ({y} = np.asarray({x}) dropped: a write into {x} is refused while an "
        f"array np.asarray({x}) returned lives), or make {y} a dual "
        f"array, {y} = {x}.copy() in place of {y} = np.asarray({x}), and write into {y} so, "
        f"if a separate array is what you want (on floats the copy also keeps f from "
        f"changing its caller's array).")


def snapshot_ufunc_at(frame, written):
    """NumPy's ``ufunc.at`` in ``frame`` writing into ``written`` (the text of its first
    argument), an array np.asarray handed out for an array dual of no helper call,
    refused at the call (:func:`dualgrad.dual._snapshots.at_write`; attack72 F2): the
    words of :func:`snapshot_written_past_flag`, with the line that made the array
    where ``written`` is a name bound by ``name = np.asarray(...)`` in that code."""
    import linecache
    import re
    code, line = frame.f_code, frame.f_lineno
    made = line
    if written.isidentifier():
        bound = re.compile(rf"\b{re.escape(written)}\s*=\s*(?:np|numpy)\.(?:asarray|"
                           r"asanyarray|ascontiguousarray|asfortranarray|require|array)\(")
        lines = [n for n in sorted({n for _, _, n in code.co_lines() if n is not None})
                 if bound.search(linecache.getline(code.co_filename, n))]
        before = [n for n in lines if n <= line]
        made = before[-1] if before else lines[0] if lines else line
    who = _helper_name()
    exc = snapshot_written_past_flag(who, code, made)
    # outside a helper there is no f (attack73 M3, diff73 F6): the function, or the code
    subject = "f" if who != "dualgrad" else code.co_name \
        if code.co_name.isidentifier() else "this code"
    text = exc.args[0].replace(": f wrote into", f": {subject} is writing into", 1).replace(
        "so the write did not reach", "so the write would not reach", 1)
    if subject != "f":
        text = text.replace("what f computed from", f"what {subject} computes from", 1) \
            .replace("keeps f from changing", f"keeps {subject} from changing", 1) \
            .replace("where f read", f"where {subject} read", 1)
    exc.args = (text,)
    return exc


def needs_scipy(who):
    """An ImportError for the features that need scipy (sparse results)."""
    return ImportError(
        f"{who}: sparse Jacobians and Hessians need scipy (scipy.sparse), which is not "
        "installed. Fix: pip install scipy, or call without sparsity= for a dense result.")


def interp_knots_unsorted():
    """``np.interp`` with moving knots ``xp`` (duals) whose values are not increasing:
    NumPy does not check them ("the results are nonsense"), and its binary search picks a
    segment that dualgrad's would not, so the derivative would not be its value's."""
    return DualTypeError(
        "np.interp: the knots xp are duals whose values are not increasing; expected "
        "xp non-decreasing, as NumPy requires (it does not check, and its value is then "
        "meaningless, so no derivative of it is exact). Fix: sort the knots with their "
        "values, order = np.argsort(xp_values); np.interp(x, xp[order], fp[order]); a "
        "grid built from the top is xp[::-1], fp[::-1].")


def scipy_missing(who):
    """An ImportError for ``dualgrad.scipy``'s functions where SciPy is not installed."""
    return ImportError(
        f"{who}: needs scipy (it calls SciPy's function on the values), which is not "
        "installed; expected an environment with scipy. Fix: pip install scipy, or write "
        "that step with NumPy functions (np.linalg.solve, np.linalg.cholesky ...), which "
        "dualgrad follows without scipy.")


def scipy_traced(who):
    """``dualgrad.scipy``'s functions met sparsity tracers (``dg.sparsity``,
    ``sparsity="auto"``), whose index sets SciPy cannot read."""
    return DualTypeError(
        f"{who} cannot detect a sparsity pattern: it hands the values to SciPy, which "
        "cannot read the index sets of dg.sparsity / sparsity=\"auto\"; expected dual "
        "numbers or plain arrays. Fix: pass the pattern yourself (sparsity=<a boolean "
        "array or scipy.sparse matrix>; a dense block for the inputs this step mixes), or "
        "call without sparsity= for a dense result.")


def scipy_unsupported(who, got, expected, fix):
    """An argument of a ``dualgrad.scipy`` function that it cannot differentiate."""
    return DualTypeError(f"{who} on dual numbers: expected {expected}, got {got}. Fix: {fix}.")


def escaped(who="dualgrad"):
    """A dual outlived the helper call that made it (JAX: an escaped tracer)."""
    return DualTypeError(
        f"{who}: a dual number was used after the dualgrad call that created it returned "
        "(it escaped that call: stored in a cache, a global, an attribute or a closure "
        "and read later); expected duals to be used only inside the call that made them, "
        "where its derivatives are defined. Fix: return the value from the inner function "
        "instead of storing it, or store d.value (a plain number) where no derivative is "
        "wanted; a parameter f sets as a global (global k1; k1 = q[0]) is passed as an "
        "argument instead (args=(k1,) to dg.solve_ivp), or set back to a plain number "
        "after the call.")


def unpicklable(who="pickle"):
    """A dual of a running helper call was pickled (sent to another process, saved)."""
    return DualTypeError(
        f"{who}: a dual number of a running dualgrad call cannot be pickled: its "
        "derivatives belong to that call, which the process that loads it does not run "
        "(an executor's worker, a saved file); expected plain numbers or arrays. Fix: "
        "pickle d.value and d.partials (plain arrays), or pass the float inputs to the "
        "worker and call the dualgrad helper there (dg.jacobian(f, x, executor=...) "
        "spreads directions over workers for you).")


def other_thread(who="dualgrad"):
    """A dual of a dualgrad call running in another thread met this thread's duals."""
    return DualTypeError(
        f"{who}: a dual number of a dualgrad call running in another thread was used here "
        "(shared through a global, a queue or a closure); expected each thread's calls to "
        "use their own duals, since derivative calls in different threads are "
        "independent (the other call's directions are not this one's). Fix: pass plain "
        "values (d.value) between threads, or compute everything inside one call "
        "(executor= runs the chunks of one call on a pool).")


def _class_name(cls):
    """``np.matrix``, ``np.ma.MaskedArray``: an ndarray subclass as users spell it."""
    return f"{cls.__module__}.{cls.__qualname__}".replace("numpy.ma.core.", "np.ma.") \
        .replace("numpy.matrixlib.defmatrix.", "np.").replace("numpy.", "np.")


def array_subclass(who, cls):
    """An ndarray subclass whose operators or reductions mean something else."""
    name = _class_name(cls)
    why = {"np.matrix": " (its * is a matrix product and its reductions keep 2-D shapes)",
           "np.ma.MaskedArray": " (its operations skip the masked entries)"}.get(name, "")
    # where FE and filter codes get an np.matrix without asking for one
    where = {"np.matrix": (" (np.bmat builds one: np.block takes the same blocks and makes "
                           "an array; a scipy.sparse matrix's H.sum(axis), H.mean(axis) and "
                           "H.todense() return one: np.asarray(H.sum(1)).ravel(), H.toarray())"),
             "np.ma.MaskedArray": (" (for a masked array, x.filled(value) or x.compressed() "
                                   "to say what the masked entries mean)")}.get(name, "")
    return DualTypeError(
        f"{who}: expected plain NumPy arrays next to dual numbers, got {name}{why}; dual "
        "numbers follow plain ndarray semantics, so the result would silently differ. "
        f"Fix: pass np.asarray(x){where} and write matrix products with @ (A.T @ k @ A, "
        "not A.T * k * A).")


# scipy.stats.mstats' functions that met a dual through numpy.ma, spelled in NumPy on
# the dual (diff63 F3: one trimmed-mean spelling for every function was another statistic
# for tmean, whose limits are values, not counts)
_MSTATS_SPELLINGS = {
    "trimmed_mean": " (a trimmed mean: np.mean(np.sort(x)[k:len(x) - k]), k the count "
                    "cut from each end)",
    "trim_mean": " (np.mean(np.sort(x)[k:len(x) - k]), k the count cut from each end)",
    "tmean": " (np.mean(x[(x >= lo) & (x <= hi)]) for limits=(lo, hi))",
}


def masked_dual(frame):
    """numpy.ma (its code at ``frame``) converted a dual array: ``np.ma.array(x,
    mask=...)``, ``np.ma.sqrt(x)``, a masked array's operator ``m * x`` (its ``__mul__``
    runs first and reads ``x`` as an object array).  numpy.ma's object loops and fills
    are no derivative dualgrad follows (attack61 09: ``m * x`` ran, the masked entries'
    derivatives 0; newuser62: jams_python's ``esat`` opens with ``np.ma.array(T)``, and
    the message blamed an except clause).  Named as :func:`_numpy_on_objects` names a
    numpy.ma function that raised on duals: the outermost numpy.ma frame's."""
    outer = frame
    while frame is not None and _masked_module(frame.f_globals.get("__name__") or ""):
        outer, frame = frame, frame.f_back
    entry = _scipy_entry(frame)         # scipy.stats.mstats' functions open with np.ma
    while frame is not None and (frame.f_globals.get("__name__") or "").split(".")[0] in (
            "numpy", "scipy", "dualgrad"):
        frame = frame.f_back
    where = user_line(frame) if frame is not None else ""
    name = outer.f_code.co_name
    func = "np.ma.array (np.ma.masked_array)" if name == "__new__" else \
        _masked_operator(name) if name.startswith("__") and name != "__call__" else \
        _masked_name(outer)
    if entry is not None:
        func = f"{_scipy_public(entry)}.{entry.f_code.co_name} (through {func})"
    error = DualTypeError(
        f"dualgrad: {func} received a dual array" + (f" {where}" if where else "") +
        ": numpy.ma computes a masked array of duals as an object array with NumPy's own "
        "loops and fills the masked entries with plain numbers, which dualgrad does not "
        "follow (their derivatives would come out 0); expected plain NumPy functions on "
        "dual arrays. Fix: " + (f"write that SciPy step as NumPy functions on the dual "
                                f"itself{_MSTATS_SPELLINGS.get(entry.f_code.co_name, '')}, "
                                "or " if entry is not None else "") +
        "call the NumPy function on the dual itself (np.sqrt(x), "
        "np.max(x), np.std(x)) and say what the masked entries mean with it: x[~mask] for "
        "np.ma's compressed(), np.where(mask, fill, g(x)) for np.ma.filled(g(x), fill) "
        "(g of np.where(mask, t, x) where g is undefined on the masked values t), or "
        "np.nanmax / np.nanstd where NaN marks them; for a masked array m beside a dual x, "
        "m.filled(value) * x or np.where(m.mask, fill, m.data * x).")
    error.masked_step = True            # (from_scipy passes it on as it is)
    return error


_DUNDER_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//",
                     "mod": "%", "pow": "**", "matmul": "@"}


def _masked_operator(name):
    """A masked array's dunder ``name`` as the user wrote it: ``__radd__`` is ``x + m``
    (the masked array m on the right), ``__mul__`` ``m * x``, ``__iadd__`` ``m += x``."""
    bare = name.strip("_")
    kind = bare[:1] if bare[:1] in "ri" and bare[1:] in _DUNDER_OPERATORS else ""
    op = _DUNDER_OPERATORS.get(bare[len(kind):])
    if op is None:
        return f"a masked array's .{name}()"
    spelled = {"r": f"x {op} m", "i": f"m {op}= x"}.get(kind, f"m {op} x")
    return (f"a masked array's .{name}() ({spelled} with m a masked array runs m's own "
            "operator)")


def subclass_result(who, cls):
    """``f`` returned an ``np.matrix`` or a masked array (``cls``) holding duals: NumPy's
    own method of that class met a dual and built it with object loops
    (``np.matrix(A).dot(x)``: ``ndarray.dot`` takes no ``__array_function__``; attack61
    08: the message said ``complex(d)``, which the user never wrote)."""
    import numpy as np
    name = _class_name(cls)
    how = ("an np.matrix's method met a dual (M.dot(x) of an np.matrix M goes past "
           "dualgrad to NumPy's object loops)", "make the matrix a plain array first, M = "
           "np.asarray(M), then M @ x or M.dot(x) (np.bmat builds np.matrix: np.block "
           "takes the same blocks and makes an array)") if issubclass(cls, np.matrix) else \
        ("a masked array's method or operator met a dual", "say what the masked entries "
         "mean on plain arrays: m.filled(value) * x, or np.where(m.mask, fill, m.data * x)")
    return DualTypeError(
        f"{who}: f returned a {name} holding dual numbers ({how[0]}); expected a dual "
        "array or plain ndarray: dual numbers follow plain ndarray semantics, and this "
        f"class's operators and reductions mean something else. Fix: {how[1]}.")


# The NumPy spelling of SciPy functions that convert their input with np.asarray
# (which cannot carry derivatives); keys: the function's name, or (distribution,
# method) for scipy.stats distributions.
# scipy.fft's functions that np.fft spells alike
_NUMPY_FFT = ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2",
              "irfft2", "fftn", "ifftn", "rfftn", "irfftn", "fftshift", "ifftshift",
              "fftfreq", "rfftfreq")
# an ODE solver: duals cannot enter its compiled stepping; dg.solve_ivp steps the
# sensitivities beside the state (README, "Through an ODE solver")
_ODE_LOOP = ("a fixed-step Runge-Kutta loop in NumPy arithmetic for derivatives exact to "
             "rounding for its discretization (dualgrad.testing.lotka_volterra is one)")
_ODE_SPELLING = ("dg.solve_ivp(fun, t_span, y0, ...) (dualgrad's drop-in: SciPy's solver, "
                 "the derivatives stepped beside the state, as accurate as the solution; "
                 "Hessians and events= too), "
                 "or " + _ODE_LOOP)
# odeint's own tolerances (rtol=None, atol=None mean 1.49012e-8): solve_ivp's defaults
# (1e-3, 1e-6) would change the solution (user42: SEIR 3e-4 off, not odeint's 7e-8)
_ODEINT_TOL = 1.49012e-8
_ODEINT_SPELLING = ("dg.solve_ivp(lambda t, y: func(y, t, *args), (t[0], t[-1]), y0, "
                    "t_eval=t, method=\"LSODA\", rtol=1.49012e-08, atol=1.49012e-08).y.T "
                    "(dualgrad's drop-in for SciPy's solvers, odeint's LSODA among them, "
                    "with odeint's default tolerances, which solve_ivp's own defaults would "
                    "loosen: the derivatives stepped beside the state, as accurate as the "
                    "solution), or " + _ODE_LOOP)
# scalar root finders that read f's values with np.asarray (userfin49: vectorized implied
# vols by newton with an array x0, whose _array_newton hands f an object array of scalar
# duals back; toms748; root_scalar's bracketing methods; fixed_point; SciPy 1.15's
# elementwise.find_root): the root on plain values, then Newton steps on duals, as for
# brentq (_finder_error), each root moving with its own equation
_ROOT_SPELLING = (
    "the root on plain values, s = {call}, then one Newton step on duals per derivative "
    "order wanted, s = s - {g} / {slope}, with {fn} your function and p the duals it "
    "reads (the implicit-function theorem's derivative, exact once s is the root; README: "
    "root finders){note}")
_ROOT_ELEMENTWISE = " (each element's root moves with its own equation only)"
_ROOT_CALLS_SCALAR = {
    "newton": ("newton(g, x0, args=(dg.stop_gradient(p),))", "g(s, p)",
               "dg.elementwise_grad(g)(s, p)",
               _ROOT_ELEMENTWISE + "; newton with a scalar x0 works on duals as it is: its "
               "array form (an array x0) reads f's values with np.asarray, an object array "
               "of scalar duals, which it hands back to f"),
    "toms748": ("toms748(g, a, b, args=(dg.stop_gradient(p),))", "g(s, p)",
                "dg.derivative(g, s, p)", ""),
    "root_scalar": ("root_scalar(g, args=(dg.stop_gradient(p),), ...).root with your "
                    "bracket and method", "g(s, p)", "dg.derivative(g, s, p)",
                    "; root_scalar's newton, secant and halley work on duals as they are"),
    "fixed_point": ("fixed_point(phi, x0, args=(dg.stop_gradient(p),))",
                    "(phi(s, p) - s)", "(dg.elementwise_grad(phi)(s, p) - 1)",
                    _ROOT_ELEMENTWISE + " (the iteration on duals would leave the "
                    "derivatives trailing: they converge more slowly than the value)"),
    "find_root": ("elementwise.find_root(g, init, args=(dg.stop_gradient(p),)).x",
                  "g(s, p)", "dg.elementwise_grad(g)(s, p)", _ROOT_ELEMENTWISE),
    "bracket_root": ("elementwise.find_root(g, elementwise.bracket_root(g, xl0, args="
                     "(dg.stop_gradient(p),)).bracket, args=(dg.stop_gradient(p),)).x",
                     "g(s, p)", "dg.elementwise_grad(g)(s, p)", _ROOT_ELEMENTWISE),
}
# an optimizer inside f whose result moves with the parameters (a Laplace approximation's
# mode, a profile likelihood's inner fit): stop_gradient alone would drop that motion
# (user42: a Laplace gradient 175% off); Newton steps on duals restore it
_ARGMIN_SPELLING = (
    "the minimization on plain values, b = {call}, then two Newton steps on duals, "
    "b = b - np.linalg.solve(dg.hessian(g, b, p), dg.gradient(g, b, p)), with g the "
    "objective{objective}: the minimizer b moves with p, and these steps give it the "
    "implicit-function theorem's derivative, exact once b is the minimum (README: root "
    "finders; {name} on dg.stop_gradient(p) alone leaves b with no derivative at all; "
    "where only the minimum's value g(b, p) is used, g at the plain b already has the "
    "right first derivative)")
_ARGMIN_CALLS = {
    "minimize": ("minimize(g, b0, args=(dg.stop_gradient(p),)).x",
                 # userchem49: with constraints (a Gibbs minimization under element
                 # balances) the gradient at b is not 0 and the steps above leave the
                 # constraints (b0 + b1 = 1: d b / d p came back [1, 0] for [0.5, -0.5])
                 " (b an unconstrained minimum; with constraints= c(b, p) = 0, or bounds "
                 "active at b, step instead on z = np.concatenate([b, lam]) with F(z, p) "
                 "= np.concatenate([dg.gradient(g, b, p) + dg.jacobian(c, b, p).T @ lam, "
                 "c(b, p)]), z = z - np.linalg.solve(dg.jacobian(F, z, p), F(z, p)), the "
                 "multipliers lam of the plain b from np.linalg.lstsq(dg.jacobian(c, b, "
                 "p0).T, -dg.gradient(g, b, p0))[0], p0 = dg.stop_gradient(p))"),
    "minimize_scalar": ("minimize_scalar(g, args=(dg.stop_gradient(p),)).x",
                        " (a scalar b: b = b - dg.derivative(g, b, p) / "
                        "dg.derivative(lambda s: dg.derivative(g, s, p), b))"),
    "least_squares": ("least_squares(r, b0, args=(dg.stop_gradient(p),)).x",
                      " g(b, p) = 0.5 * np.sum(r(b, p) ** 2) (its full Hessian, not "
                      "Gauss-Newton's)"),
    "curve_fit": ("curve_fit(model, x, y, p0)[0] on plain data",
                  " g(b, p) = 0.5 * np.sum(((model(x, *b) - y) / sigma) ** 2) with the "
                  "duals in x, y or sigma (its full Hessian)"),
    "fmin": ("fmin(g, b0, args=(dg.stop_gradient(p),))", ""),
    "fmin_bfgs": ("fmin_bfgs(g, b0, args=(dg.stop_gradient(p),))", ""),
    "fmin_l_bfgs_b": ("fmin_l_bfgs_b(g, b0, args=(dg.stop_gradient(p),), "
                      "approx_grad=True)[0]", ""),
    "basinhopping": ("basinhopping(g, b0, minimizer_kwargs={'args': "
                     "(dg.stop_gradient(p),)}).x", ""),
    "differential_evolution": ("differential_evolution(g, bounds, "
                               "args=(dg.stop_gradient(p),)).x", ""),
}
# scipy.signal's FFT convolutions convert their input; np.convolve (1-D) and np.fft give
# the same numbers to rounding (user47: a spectrum broadened by an instrumental profile)
_FFTCONVOLVE_SPELLING = (
    "np.convolve(in1, in2, mode=mode) for 1-D signals with mode='full' or 'valid' (the same "
    "sum), and np.convolve(in1, in2)[(len(in2) - 1) // 2:][:len(in1)] for mode='same' "
    "(SciPy's 'same' has len(in1) samples, NumPy's max(len(in1), len(in2))); "
    "scipy.signal.convolve(in1, in2, mode=mode, method='direct') takes duals in N-D, as does "
    "np.fft.irfftn(np.fft.rfftn(in1, s) * np.fft.rfftn(in2, s), s) with s the full shape "
    "(in1.shape + in2.shape - 1 along each axis) sliced as mode says (dualgrad follows np.fft)")
# an adaptive quadrature (quad's QUADPACK, quad_vec, tanhsinh) reads the integrand's values
# as floats: dg.quad (dualgrad/api/_quad.py, stop 48) is the drop-in; a fixed rule in
# NumPy arithmetic carries duals in the parameters and the limits alike, its derivatives the rule's (user47: a comoving distance's gradient in
# (H0, Om, Ol, z) by fixed_quad with n=50 agreed with quad of the analytic partials to 2e-15)
_QUAD_SPELLING = (
    "{dg} (dualgrad's drop-in for scipy.integrate.quad: SciPy's signature and result, the "
    "partials integrated beside the value under the same error control, epsabs and epsrel "
    "applying to each; duals in args, in what {f} closes over and in the limits, infinite "
    "limits and Hessians too), or "
    "scipy.integrate.fixed_quad({f}, a, b, args=args, n=50)[0] (Gauss-Legendre on n "
    "nodes: it calls {f} on a NumPy array of nodes, so {f} must take an array x; duals "
    "in args, in what {f} closes over and in the limits a, b pass through, and the "
    "derivatives are the rule's, exact to rounding, Hessians too; it has no error control: "
    "raise n until its value agrees with quad's), or np.trapezoid({f}(xs), xs) or "
    "scipy.integrate.simpson({f}(xs), x=xs) on xs = np.linspace(a, b, n); an infinite "
    "limit b: integrate {f}(a + s / (1 - s)) / (1 - s) ** 2 over s from 0 to 1 (the "
    "rule's nodes lie inside)")
_MVN_LOGPDF = ("-0.5 * (d @ np.linalg.solve(cov, d) + np.linalg.slogdet(cov)[1] + "
               "k * np.log(2 * np.pi)) with d = x - mean (x itself for mean=None) and "
               "k = len(d); for points in the rows of x, np.sum(d * np.linalg.solve(cov, "
               "d.T).T, axis=-1) in place of d @ np.linalg.solve(cov, d)")
_SCIPY_SPELLINGS: dict[object, str] = {
    "pdist": "i, j = np.triu_indices(len(X), 1); d = X[i] - X[j]; then np.sum(d * d, "
             "axis=1) for metric='sqeuclidean', np.sqrt(np.sum(d * d, axis=1)) for the "
             "default 'euclidean' (pdist's order: pairs (0, 1), (0, 2), ..., row by row)",
    "cdist": "d = XA[:, None, :] - XB[None, :, :]; then np.sum(d * d, axis=-1) for "
             "metric='sqeuclidean', np.sqrt(np.sum(d * d, axis=-1)) for the default "
             "'euclidean'",
    "squareform": "D = np.zeros_like(v, shape=(n, n)); i, j = np.triu_indices(n, 1); "
                  "D[i, j] = v; D[j, i] = v for the square matrix of the condensed "
                  "distances v (n = round((1 + np.sqrt(1 + 8 * len(v))) / 2) points), "
                  "and v = D[np.triu_indices(len(D), 1)] for the other direction (the "
                  "upper triangle row by row, squareform's order)",
    "diags_array": "u * v for the product of the diagonal matrix with v, or "
                   "np.diag(u) for the matrix itself",
    "diags": "u * v for the product of the diagonal matrix with v, or np.diag(u) for the "
             "matrix itself",
    "logsumexp": "m = np.max(x); m + np.log(np.sum(np.exp(x - m)))",
    "polygamma": "(-1.0) ** (n + 1) * scipy.special.gamma(n + 1.0) * "
                 "scipy.special.zeta(n + 1.0, x) for n >= 1, scipy.special.digamma(x) "
                 "for n = 0",
    "multigammaln": "d * (d - 1) / 4 * np.log(np.pi) + "
                    "sum(scipy.special.gammaln(a - j / 2) for j in range(d))",
    "interp1d": "np.interp(x_new, x, y) (piecewise linear, interp1d's default kind; it "
                "follows duals in x_new and y)",
    "odeint": _ODEINT_SPELLING,
    # a finite-difference Hamiltonian's levels (newuser64: a square well by
    # eigh_tridiagonal(vec + V, -0.5 * vec[:-1]) was told only "NumPy functions")
    "eigh_tridiagonal": (
        "np.linalg.eigh(np.diag(d) + np.diag(e, 1) + np.diag(e, -1)) for "
        "eigh_tridiagonal(d, e) (ascending values and the eigenvectors as columns, as "
        "SciPy returns them; eigvals_only=True: np.linalg.eigvalsh of that matrix; "
        "select='i', select_range=(lo, hi): the values [lo:hi + 1]), exact derivatives "
        "and Hessians of the values"),
    "eigvalsh_tridiagonal": (
        "np.linalg.eigvalsh(np.diag(d) + np.diag(e, 1) + np.diag(e, -1)) for "
        "eigvalsh_tridiagonal(d, e) (ascending, as SciPy returns them; select='i', "
        "select_range=(lo, hi): the values [lo:hi + 1]), exact derivatives and Hessians"),
    **{f"spherical_{b}": (
        f"np.sqrt(np.pi / (2 * z)) * scipy.special.{v}(n + 0.5, z) for z > 0 ({v} is a row "
        "of dualgrad's table: exact derivatives in z, Hessians too; your derivative=True is "
        "the derivative of that expression, which dualgrad gives as well)")
       for b, v in (("jn", "jv"), ("yn", "yv"), ("in", "iv"), ("kn", "kv"))},
    "lambertw": (
        "w = scipy.special.lambertw(dg.stop_gradient(z), k).real (the real branches k = 0 "
        "and k = -1, for real z >= -1/e), then two Newton steps on duals, w = w - (w * "
        "np.exp(w) - z) / (np.exp(w) * (w + 1)): SciPy's value to rounding, exact first and "
        "second derivatives (W' = W / (z (1 + W)); README's root-finder recipe)"),
    "gaussian_filter1d": (
        "r = int(truncate * sigma + 0.5) with SciPy's truncate=4.0 (dg.stop_gradient(sigma) "
        "where sigma is a dual); k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2); "
        "k = k / np.sum(k); np.convolve(np.pad(x, r, mode='symmetric'), k, mode='valid') for "
        "a 1-D x (SciPy's values to rounding; its default mode='reflect' is np.pad's "
        "'symmetric', its 'mirror' np.pad's 'reflect', 'nearest' 'edge', 'wrap' 'wrap'; "
        "order=0 only), which follows duals in x and in sigma (an instrumental width "
        "fitted)"),
    "fftconvolve": _FFTCONVOLVE_SPELLING,
    "oaconvolve": _FFTCONVOLVE_SPELLING,
    **{name: (
        "a product Gauss-Legendre rule in NumPy arithmetic: t, w = "
        "np.polynomial.legendre.leggauss(50); per axis the nodes lo + (hi - lo) * (t + 1) / 2 "
        "and weights w * (hi - lo) / 2; X, Y = np.meshgrid(x, y, indexing='ij'); "
        "np.sum(wx[:, None] * wy[None, :] * func(Y, X)) for dblquad's func(y, x) over "
        "constant limits (for limits that depend on x, map each row's nodes into "
        "[gfun(x), hfun(x)] and scale its weights); duals in the parameters and the limits "
        "pass through, the derivatives the rule's; raise 50 until the value agrees with "
        f"{name}'s") for name in ("dblquad", "tplquad", "nquad")},
    "quad": _QUAD_SPELLING.format(f="func", dg="dg.quad(func, a, b, args=args)[0]"),
    "quad_vec": _QUAD_SPELLING.format(
        f="f", dg="dg.quad(lambda x: f(x)[i], a, b)[0] for each component i of f's "
                  "vector"),
    "tanhsinh": _QUAD_SPELLING.format(
        f="f", dg="dg.quad(f, a, b, args=args, vectorized=True)[0] (tanhsinh's f takes "
                  "arrays of nodes: vectorized=True hands it 21 nodes a call)"),
    "solve_ivp": _ODE_SPELLING,
    "log_softmax": "x - m - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) with "
                   "m = np.max(x, axis=axis, keepdims=True)",
    "solve": "np.linalg.solve(a, b)",
    "cho_solve": "np.linalg.solve(a, b) with the matrix a itself (np.linalg.cholesky takes "
                 "duals too)",
    "lu_solve": "np.linalg.solve(a, b) with the matrix a itself",
    "cho_factor": "np.linalg.cholesky(a.T).T for SciPy's default upper factor (lower=False "
                  "reads a's upper triangle, NumPy's cholesky the lower: a.T hands it the "
                  "same numbers; a.conj().T and .conj().T for complex a), "
                  "np.linalg.cholesky(a) for lower=True, and np.linalg.solve(s, b) for "
                  "cho_solve, s the whole symmetric matrix (np.triu(a) + np.triu(a, 1).T "
                  "where only the upper triangle is filled)",
    "cholesky": "np.linalg.cholesky(a.T).T for SciPy's default upper factor (SciPy reads "
                "a's upper triangle, NumPy's cholesky the lower: a.T hands it the same "
                "numbers; np.linalg.cholesky(a.conj().T).conj().T for complex a), and "
                "np.linalg.cholesky(a) for lower=True",
    "lfilter": "np.convolve(x, h)[:len(x)] where only x is a dual (plain b and a: a filter "
               "applied to a modelled trace), h = scipy.signal.lfilter(b, a, np.eye(len(x))"
               "[0]) the filter's impulse response on plain numbers (one NumPy call: the "
               "filter is linear in x); with dual coefficients, np.convolve(x, b)[:len(x)] / "
               "a[0] for an FIR filter (a of length 1); an IIR "
               "filter as its recursion y[n] = (b[0] x[n] + ... - a[1] y[n-1] - ...) / a[0] "
               "in a loop over n (each y[n] into a list, then np.stack(y))",
    **{name: (f"M @ x + c where only the signal x is a dual, M = scipy.signal.{call} - "
              "c[:, None] and c = the same call on np.zeros((len(x), 1)), its column [:, 0] "
              "(every other argument as you give it: zi=, cval=, padlen=, padtype=, mode=), "
              "both on plain numbers, "
              "once: the function is affine in x, so M's columns are its responses to unit "
              "impulses less its response to zero, c (0 for a filter from rest with zero "
              "padding; exact to rounding; n x n numbers: a few thousand samples; a gather x "
              "of traces along its last axis, SciPy's default axis=-1: x @ M.T + c)")
       for name, call in (
           ("filtfilt", "filtfilt(b, a, np.eye(len(x)), axis=0)"),
           ("sosfilt", "sosfilt(sos, np.eye(len(x)), axis=0)"),
           ("sosfiltfilt", "sosfiltfilt(sos, np.eye(len(x)), axis=0)"),
           ("detrend", "detrend(np.eye(len(x)), axis=0) (your type= and bp= as given)"),
           ("hilbert", "hilbert(np.eye(len(x)), axis=0) (complex; np.abs(M @ x) is the "
                       "envelope)"),
           ("resample", "resample(np.eye(len(x)), num, axis=0) (shape (num, len(x)))"),
           ("decimate", "decimate(np.eye(len(x)), q, axis=0) (your n=, ftype= as given)"),
           ("savgol_filter", "savgol_filter(np.eye(len(x)), window_length, polyorder, "
                             "axis=0) (your deriv=, delta=, mode= as given)"))},
    ("lfilter", "zi"): (
        "its state-space recursion, which carries zi (the filter's initial state; the "
        "plain recursion y[n] = (b[0] x[n] + ... - a[1] y[n-1] - ...) / a[0] starts from "
        "rest and leaves it out): with b and a divided by a[0], padded with zeros to one "
        "length, and z = list(zi), for each n: y_n = b[0] x[n] + z[0], then z[k] = "
        "b[k+1] x[n] + z[k+1] - a[k+1] y_n for k in order (z[k+1] = 0 past the end); "
        "each y_n into a list, then np.stack(y), and the final z is lfilter's zf"),
    # scipy.signal's waveforms and windows with dual parameters (useroptics52)
    "chirp": "np.cos(2 * np.pi * (f0 * t + 0.5 * (f1 - f0) / t1 * t ** 2) + "
             "np.deg2rad(phi)) (method='linear', the default), which takes duals in t, f0, "
             "t1, f1 and phi",
    "sawtooth": "np.mod(t, 2 * np.pi) / np.pi - 1 (width=1, the default: derivative "
                "1 / pi in t between the jumps)",
    "kaiser": "scipy.special.i0(beta * np.sqrt(1 - (2 * np.arange(M) / (M - 1) - 1) ** 2)) "
              "/ scipy.special.i0(beta) (sym=True, the default), which takes a dual beta",
    # scipy.fftpack's pseudo-differential operators (newuser57: a pseudo-spectral
    # Burgers / KdV right-hand side, PubCyBerry/pytorch-jax src/problems/pde.py)
    ("fftpack", "diff"): (
        "k = np.fft.fftfreq(n, d=period / (2 * np.pi * n)), then k[n // 2] = 0 where n "
        "is even (fftpack drops the Nyquist mode), and np.fft.ifft((1j * k) ** order * "
        "np.fft.fft(x)).real for order >= 1 (x real of length n; period=2 * np.pi where "
        "your call gave none): fftpack.diff's numbers, with exact derivatives"),
    # scipy.ndimage on duals (useroptics52: image registration, Fourier optics)
    ("ndimage", "fourier_shift"): (
        "F * np.exp(-2j * np.pi * (np.fft.fftfreq(F.shape[0])[:, None] * s[0] + "
        "np.fft.fftfreq(F.shape[1])[None, :] * s[1])) for a 2-D spectrum F and shift s "
        "(n=-1, the default; one fftfreq per axis in N-D), which takes duals in F and s"),
    ("ndimage", "fourier_gaussian"): (
        "F * np.exp(-2 * np.pi ** 2 * sigma ** 2 * (np.fft.fftfreq(F.shape[0])[:, None] "
        "** 2 + np.fft.fftfreq(F.shape[1])[None, :] ** 2)) for a 2-D spectrum F (n=-1, "
        "the default), which takes duals in F and in sigma"),
    **{("ndimage", name): (
        "(M @ x.ravel()).reshape(y.shape) where only the image x is a dual, y = "
        f"scipy.ndimage.{name}(dg.stop_gradient(x), ...) and M = "
        f"np.stack([scipy.ndimage.{name}(e.reshape(x.shape), ...).ravel() for e in "
        "np.eye(x.size)], axis=-1), your other arguments as given, on plain numbers "
        f"once: {name} is linear in its input, so M's columns are its responses to unit "
        "images (exact; x.size ** 2 numbers: images of a few thousand pixels)" + (
            " (for dual coordinates, interpolate by hand: order=1 is the bilinear weights "
            "of the fractions c - np.floor(dg.stop_gradient(c)) at those integer indices)"
            if name == "map_coordinates" else ""))
       for name in ("convolve", "correlate", "convolve1d", "correlate1d", "gaussian_filter",
                    "uniform_filter", "uniform_filter1d", "shift", "zoom", "rotate",
                    "affine_transform", "map_coordinates", "spline_filter",
                    "spline_filter1d", "prewitt", "sobel", "laplace", "gaussian_laplace")},
    # an optics / signal-processing user's day (useroptics52): responses, spectra, DCTs
    "freqz": "w = np.linspace(0, np.pi, worN, endpoint=False) (2 * np.pi with whole=True, "
             "endpoint=True with include_nyquist=True; an array worN is w itself, "
             "2 * np.pi * worN / fs where you give fs, whose units SciPy's returned w "
             "has: w * fs / (2 * np.pi)), zm1 = np.exp(-1j * w), h = np.polyval(b[::-1], "
             "zm1) / np.polyval(a[::-1], zm1) (a = np.ones(1) for an FIR filter): SciPy's "
             "h, exact derivatives in b and a",
    **{name: ("w and zm1 as for freqz (w = np.linspace(0, np.pi, worN, endpoint=False), zm1 "
              "= np.exp(-1j * w)), h = np.prod(np.stack([np.polyval(s[2::-1], zm1) / "
              "np.polyval(s[:2:-1], zm1) for s in sos]), axis=0) (each section's b over its "
              "a; np.stack, not a list, so that np.prod receives the duals)")
       for name in ("sosfreqz", "freqz_sos")},
    "periodogram": "win = scipy.signal.get_window(window, len(x)) (np.ones(len(x)) for the "
                   "default 'boxcar'); P = np.abs(np.fft.rfft((x - np.mean(x)) * win)) ** 2 "
                   "/ (fs * np.sum(win ** 2)) (scaling='spectrum': / np.sum(win) ** 2), then "
                   "P[1:-1] *= 2 for an even len(x), P[1:] *= 2 for an odd one (SciPy's "
                   "defaults: detrend='constant', one-sided, nfft=len(x)); the frequencies "
                   "np.fft.rfftfreq(len(x), 1 / fs)",
    "welch": "s = np.lib.stride_tricks.sliding_window_view(x, nperseg)[::nperseg - "
             "noverlap] (SciPy's defaults: nperseg=256, at most len(x), noverlap=nperseg "
             "// 2), win = scipy.signal.get_window('hann', nperseg), P = "
             "np.mean(np.abs(np.fft.rfft((s - np.mean(s, axis=-1, keepdims=True)) * win, "
             "axis=-1)) ** 2, axis=0) / (fs * np.sum(win ** 2)), then P[1:-1] *= 2 (P[1:] "
             "*= 2 for an odd nperseg); the frequencies np.fft.rfftfreq(nperseg, 1 / fs)",
    **{name: (f"x @ C.T with C = {name}(np.eye(n), type, axis=0, norm=norm), the same SciPy "
              "function on plain numbers, once (n = x.shape[-1]; your type= and norm= as "
              "given): the transform is linear, so its matrix's product is the transform, "
              "exact; along another axis, np.moveaxis(np.moveaxis(x, axis, -1) @ C.T, -1, "
              "axis)")
       for name in ("dct", "idct", "dst", "idst")},
    "cont2discrete": "the zero-order hold (method='zoh', the default) with the drop-in expm: n, m = "
                     "B.shape; M = dualgrad.scipy.linalg.expm(dt * np.block([[A, B], "
                     "[np.zeros((m, n + m))]])); Ad, Bd = M[:n, :n], M[:n, n:] (C and D "
                     "unchanged); method='euler': Ad = np.eye(n) + dt * A, Bd = dt * B",
    "solve_triangular": "np.linalg.solve(np.tril(a), b) (np.triu(a) for lower=False)",
    "inv": "np.linalg.inv(a)",
    "det": "np.linalg.det(a)",
    "eigh": "np.linalg.eigh(a) (eigenvalues ascending, as SciPy's; eigvals_only=True: "
            "np.linalg.eigvalsh(a); SciPy's lower=False reads the upper triangle: "
            "UPLO='U')",
    "eigvalsh": "np.linalg.eigvalsh(a) (UPLO='U' for SciPy's lower=False)",
    "eig": "np.linalg.eig(a)",
    "eigvals": "np.linalg.eigvals(a)",
    "qr": "np.linalg.qr(a) for SciPy's mode='economic' (NumPy's default, reduced), "
          "np.linalg.qr(a, mode='complete') for SciPy's default full Q of a square a, "
          "np.linalg.qr(a, mode='r') for mode='r'",
    "pinv": "np.linalg.pinv(a)",
    "pinvh": "np.linalg.pinv(a, hermitian=True)",
    "svd": "np.linalg.svd(a) (the same full_matrices=True default; SciPy's compute_uv=False "
           "is NumPy's too)",
    "svdvals": "np.linalg.svd(a, compute_uv=False)",
    "lstsq": "np.linalg.lstsq(a, b)",
    "lu": "np.linalg.solve(a, b) for a solve with the factors and np.linalg.slogdet(a) "
          "or np.linalg.det(a) for the determinant (NumPy has no LU factorisation)",
    "lu_factor": "np.linalg.solve(a, b) with the matrix a itself (lu_solve's job) and "
                 "np.linalg.slogdet(a) for the determinant (NumPy has no LU "
                 "factorisation)",
    "expm": "a scaling-and-squaring Taylor or Pade series written with NumPy matmuls (no "
            "NumPy function); for the derivative alone, scipy.linalg.expm_frechet(A, E) on "
            "values gives it along the direction E",
    ("expon", "cdf"): "-np.expm1(-(x - loc) / scale)",
    ("expon", "logpdf"): "-(x - loc) / scale - np.log(scale)",
    ("logistic", "cdf"): "scipy.special.expit((x - loc) / scale)",
    ("gamma", "cdf"): "scipy.special.gammainc(a, (x - loc) / scale)",
    ("gamma", "logpdf"): "(a - 1) * np.log(z) - z - scipy.special.gammaln(a) - np.log(scale) "
                         "with z = (x - loc) / scale",
    ("beta", "cdf"): "scipy.special.betainc(a, b, (x - loc) / scale)",
    ("norm", "cdf"): "scipy.special.ndtr((x - loc) / scale)",
    ("norm", "sf"): "scipy.special.ndtr((loc - x) / scale)",
    ("norm", "logcdf"): "scipy.special.log_ndtr((x - loc) / scale)",
    ("norm", "ppf"): "loc + scale * scipy.special.ndtri(q)",
    ("norm", "pdf"): "np.exp(-0.5 * ((x - loc) / scale) ** 2) / (np.sqrt(2 * np.pi) * scale)",
    ("norm", "logpdf"): "-0.5 * ((x - loc) / scale) ** 2 - np.log(np.sqrt(2 * np.pi) * scale)",
    ("multivariate_normal", "logpdf"): _MVN_LOGPDF,
    ("multivariate_normal", "pdf"): f"np.exp(l), l = {_MVN_LOGPDF}",
    ("uniform", "pdf"): "np.where((x >= loc) & (x <= loc + scale), 1.0 / scale, 0.0)",
    ("uniform", "logpdf"): "np.where((x >= loc) & (x <= loc + scale), -np.log(scale), "
                           "-np.inf)",
}
# scipy.stats' common distributions, one line each with scipy.special's ufuncs (msgs42);
# the names are SciPy's (x or k, loc, scale and the shapes), "with" defines the helpers
_Z = " with z = (x - loc) / scale"
_T_LOG = ("scipy.special.gammaln((df + 1) / 2) - scipy.special.gammaln(df / 2) - "
          "0.5 * np.log(df * np.pi) - (df + 1) / 2 * np.log1p(z ** 2 / df)")
_T_I = " with i = scipy.special.betainc(df / 2, 0.5, df / (df + z ** 2)) and z = " \
    "(x - loc) / scale"
_GAMMA_LOG = "(a - 1) * np.log(z) - z - scipy.special.gammaln(a)"
_BETA_LOG = ("scipy.special.xlogy(a - 1, z) + scipy.special.xlog1py(b - 1, -z) - "
             "scipy.special.betaln(a, b)")
_LOGNORM = "-0.5 * (np.log(z) / s) ** 2"
_POISSON_LOG = "scipy.special.xlogy(k, mu) - mu - scipy.special.gammaln(k + 1)"
_NBINOM_LOG = ("scipy.special.gammaln(k + n) - scipy.special.gammaln(n) - "
               "scipy.special.gammaln(k + 1) + n * np.log(p) + scipy.special.xlog1py(k, -p)")
_BINOM_LOG = ("scipy.special.gammaln(n + 1) - scipy.special.gammaln(k + 1) - "
              "scipy.special.gammaln(n - k + 1) + scipy.special.xlogy(k, p) + "
              "scipy.special.xlog1py(n - k, -p)")
_STATS_SPELLINGS = {
    ("norm", "logsf"): "scipy.special.log_ndtr((loc - x) / scale)",
    ("t", "logpdf"): f"{_T_LOG} - np.log(scale){_Z}",
    ("t", "pdf"): f"np.exp({_T_LOG}) / scale{_Z}",
    ("t", "cdf"): f"np.where(z > 0, 1 - 0.5 * i, 0.5 * i){_T_I}",
    ("t", "sf"): f"np.where(z > 0, 0.5 * i, 1 - 0.5 * i){_T_I}",
    ("gamma", "logpdf"): f"{_GAMMA_LOG} - np.log(scale){_Z}",
    ("gamma", "pdf"): f"np.exp({_GAMMA_LOG}) / scale{_Z}",
    ("gamma", "sf"): f"scipy.special.gammaincc(a, z){_Z}",
    ("gamma", "logcdf"): f"np.log(scipy.special.gammainc(a, z)){_Z}",
    ("beta", "logpdf"): f"{_BETA_LOG} - np.log(scale){_Z}",
    ("beta", "pdf"): f"np.exp({_BETA_LOG}) / scale{_Z}",
    ("beta", "sf"): f"scipy.special.betainc(b, a, 1 - z){_Z}",
    ("expon", "pdf"): f"np.exp(-z) / scale{_Z}",
    ("expon", "sf"): "np.exp(-(x - loc) / scale)",
    ("expon", "logsf"): "-(x - loc) / scale",
    ("expon", "logcdf"): "np.log(-np.expm1(-(x - loc) / scale))",
    ("lognorm", "logpdf"): f"{_LOGNORM} - np.log(s * z * scale * np.sqrt(2 * np.pi)){_Z}",
    ("lognorm", "pdf"): f"np.exp({_LOGNORM}) / (s * z * scale * np.sqrt(2 * np.pi)){_Z}",
    ("lognorm", "cdf"): f"scipy.special.ndtr(np.log(z) / s){_Z}",
    ("lognorm", "sf"): f"scipy.special.ndtr(-np.log(z) / s){_Z}",
    ("lognorm", "logcdf"): f"scipy.special.log_ndtr(np.log(z) / s){_Z}",
    ("poisson", "logpmf"): _POISSON_LOG,
    ("poisson", "pmf"): f"np.exp({_POISSON_LOG})",
    ("poisson", "cdf"): "scipy.special.gammaincc(np.floor(k) + 1, mu)",
    ("poisson", "sf"): "scipy.special.gammainc(np.floor(k) + 1, mu)",
    ("nbinom", "logpmf"): _NBINOM_LOG,
    ("nbinom", "pmf"): f"np.exp({_NBINOM_LOG})",
    ("nbinom", "cdf"): "scipy.special.betainc(n, np.floor(k) + 1, p)",
    ("nbinom", "sf"): "scipy.special.betainc(np.floor(k) + 1, n, 1 - p)",
    ("binom", "logpmf"): _BINOM_LOG,
    ("binom", "pmf"): f"np.exp({_BINOM_LOG})",
    ("binom", "cdf"): "scipy.special.betainc(n - np.floor(k), np.floor(k) + 1, 1 - p)",
    ("binom", "sf"): "scipy.special.betainc(np.floor(k) + 1, n - np.floor(k), p)",
}
# a Bayesian's priors on scales and variances (userbayes51: halfnorm, halfcauchy and
# invgamma were refused with no spelling), each within its support x > loc
_HALFNORM_LOG = "0.5 * np.log(2 / np.pi) - 0.5 * z ** 2"
_HALFCAUCHY = "2 / (np.pi * (1 + z ** 2))"
_INVGAMMA_LOG = "-(a + 1) * np.log(z) - 1 / z - scipy.special.gammaln(a)"
_STATS_SPELLINGS.update({
    ("halfnorm", "logpdf"): f"{_HALFNORM_LOG} - np.log(scale){_Z}",
    ("halfnorm", "pdf"): f"np.exp({_HALFNORM_LOG}) / scale{_Z}",
    ("halfnorm", "cdf"): f"scipy.special.erf(z / np.sqrt(2)){_Z}",
    ("halfnorm", "sf"): f"scipy.special.erfc(z / np.sqrt(2)){_Z}",
    ("halfcauchy", "logpdf"): f"np.log({_HALFCAUCHY} / scale){_Z}",
    ("halfcauchy", "pdf"): f"{_HALFCAUCHY} / scale{_Z}",
    ("halfcauchy", "cdf"): f"2 / np.pi * np.arctan(z){_Z}",
    ("halfcauchy", "sf"): f"2 / np.pi * np.arctan(1 / z){_Z}",
    ("invgamma", "logpdf"): f"{_INVGAMMA_LOG} - np.log(scale){_Z}",
    ("invgamma", "pdf"): f"np.exp({_INVGAMMA_LOG}) / scale{_Z}",
    ("invgamma", "cdf"): f"scipy.special.gammaincc(a, 1 / z){_Z}",
    ("invgamma", "sf"): f"scipy.special.gammainc(a, 1 / z){_Z}",
})
_SCIPY_SPELLINGS.update(_STATS_SPELLINGS)
# scipy.stats' sample moments (userfin49: a Cornish-Fisher VaR's skewness and kurtosis of a
# portfolio's P&L), SciPy's defaults (bias=True, fisher=True) in NumPy
_MOMENTS = ("d = a - np.mean(a, axis=axis, keepdims=True), then {0} (SciPy's default "
            "axis=0; bias=True as SciPy's default{1})")
_SCIPY_SPELLINGS.update({
    "skew": _MOMENTS.format("np.mean(d ** 3, axis=axis) / np.mean(d ** 2, axis=axis) ** 1.5",
                            ""),
    "kurtosis": _MOMENTS.format("np.mean(d ** 4, axis=axis) / np.mean(d ** 2, axis=axis) ** 2 "
                                "- 3", "; fisher=False: without the - 3"),
    "moment": _MOMENTS.format("np.mean(d ** order, axis=axis)", "; center=c: a - c for d"),
})
for _name, (_call, _objective) in _ARGMIN_CALLS.items():
    _SCIPY_SPELLINGS[_name] = _ARGMIN_SPELLING.format(call=_call, objective=_objective,
                                                      name=_name)
del _name, _call, _objective
for _name, (_call, _g, _slope, _note) in _ROOT_CALLS_SCALAR.items():
    _SCIPY_SPELLINGS[_name] = _ROOT_SPELLING.format(
        call=_call, g=_g, slope=_slope, note=_note,
        fn="phi(s, p)" if _name == "fixed_point" else "g(s, p)")
del _name, _call, _g, _slope, _note
_ON_DUALS = ("not supported for the input types", "dtype('O')", "does not support argument",
             "has no callable", "Dual", "could not be coerced",
             "object arrays are not supported", "unsupported data types in input",
             "does not support dtype object")
# a scipy.sparse matrix's own product methods: they convert the dual before dualgrad is asked
_SPARSE_PRODUCT_METHODS = ("__matmul__", "__mul__", "dot", "_matmul_dispatch",
                           "__rmatmul__", "__rmul__")


# scipy.sparse on duals (user46: a finite-element stiffness assembled with coo_matrix and
# solved with spsolve): no sparse type holds duals, so assemble densely with np.add.at
_SPARSE_COST = (" (a dual matrix is dense: each input direction carries an (m, n) array of "
                "partials, so this fits matrices up to a few thousand rows; for many inputs, "
                "a density per element, differentiate the element quantities with dualgrad "
                "and assemble their plain values, or write the adjoint)")
_SPARSE_ASSEMBLY = ("a dense dual array: from triplets (data, (row, col)), K = "
                    "np.zeros_like(data, shape=(m, n)); np.add.at(K, (row, col), data) "
                    "with row and col as integer arrays (repeated entries add, as COO's "
                    "do); of a dense dual K, K itself; then K @ u, K[np.ix_(free, free)] "
                    "and np.linalg.solve(K, b) on it" + _SPARSE_COST)
_SPARSE_SOLVE = ("np.linalg.solve(A.toarray(), b) where A is a plain sparse matrix and b a "
                 "dual; where A's entries are duals, keep A a dense dual array (assembled "
                 "with np.add.at(K, (row, col), data) into K = np.zeros_like(data, "
                 "shape=(m, n))) and np.linalg.solve(A, b)" + _SPARSE_COST)
_SPARSE_SPELLINGS = {
    **{f"{kind}_{box}": _SPARSE_ASSEMBLY for kind in ("coo", "csr", "csc", "bsr", "dia",
                                                      "dok", "lil")
       for box in ("matrix", "array")},
    "__setitem__": "item assignment into a dense dual buffer: K = np.zeros_like(data, "
                   "shape=(m, n)), then K[i, j] = ... or np.add.at(K, (row, col), data) for "
                   "entries that add up" + _SPARSE_COST,
    **{name: _SPARSE_SOLVE for name in ("spsolve", "spsolve_triangular", "splu", "spilu",
                                        "factorized", "cg", "cgs", "gmres", "lgmres",
                                        "bicg", "bicgstab", "minres", "qmr", "gcrotmk",
                                        "tfqmr", "lsqr", "lsmr")},
    # ARPACK's iterations run on floats; a next-generation matrix's spectral radius (R0)
    # or a few modes of a small matrix are NumPy's dense eigensolvers' job (userepi48)
    "eigs": "w = np.linalg.eigvals(a) of the dense matrix (a.toarray() for a scipy.sparse a; "
            "NumPy's eigenvalues come unsorted: SciPy's default which='LM' with k=1 is "
            "w[np.argmax(np.abs(w))] or its conjugate (ARPACK's pick among a pair), a "
            "spectral radius such as R0 np.max(np.abs(w)) either way; "
            "np.linalg.eig(a) where the eigenvectors are wanted)",
    "eigsh": "w = np.linalg.eigvalsh(a) of the dense matrix (a.toarray() for a scipy.sparse "
             "a; SciPy's default which='LM' keeps the k largest in magnitude, in ascending "
             "magnitude: w[np.argsort(np.abs(w))[-k:]]; np.linalg.eigh(a) where the "
             "eigenvectors are wanted)",
    "svds": "np.linalg.svd(a, compute_uv=False) of the dense matrix (a.toarray() for a "
            "scipy.sparse a; NumPy's come descending, SciPy's k largest ascending: "
            "s[:k][::-1]; np.linalg.svd(a) where the singular vectors are wanted)",
}


# CSR's / CSC's (data, indices, indptr) as the triplets np.add.at takes
_COMPRESSED_TRIPLETS = {
    "csr": "(np.repeat(np.arange(m), np.diff(indptr)), indices)",
    "csc": "(indices, np.repeat(np.arange(n), np.diff(indptr)))",
}


def _dual_data_method(frame):
    """:func:`_sparse_dual_data`'s refusal for the outermost scipy.sparse method running
    at ``frame`` or outwards whose matrix has a dual array as its ``.data`` (the user
    set it: ``r.data = f(x)``), where SciPy's code builds another matrix of that data
    (``r.T`` builds a csc matrix of r's arrays, ``np.ones(3) @ r`` too, by ``r.T @ v``):
    the refusal named ``scipy.sparse.csc_matrix``, a matrix the user did not make
    (attack70 M3); ``None`` where no such method runs."""
    found = None
    while frame is not None and \
            (frame.f_globals.get("__name__") or "").startswith("scipy.sparse"):
        owner = frame.f_locals.get("self")
        if getattr(type(getattr(owner, "data", None)), "_kind", None) is not None:
            found = frame
        frame = frame.f_back
    if found is None:
        return None
    name = found.f_code.co_name
    name = {"__rmatmul__": "v @ m (its __rmatmul__)", "_rmatmul_dispatch":
            "v @ m (its __rmatmul__)", "T": "m.T (its transpose)",
            "transpose": "m.T (its transpose)"}.get(name, name)
    line = user_line(found.f_back) if found.f_back is not None else ""
    return _sparse_dual_data(_helper_name(3), name, found.f_locals["self"],
                             f" {line}" if line else "")


def sparse_keeps_duals(frame):
    """dualgrad's TypeError where scipy.sparse's own Python code (``frame``) turns a dual
    array into an object array of scalar duals that it keeps in a sparse matrix: a
    constructor's data (``csr_matrix((data, indices, indptr))``, ``dia_matrix``), the
    products of ``A.multiply(u)`` (a sparse array's ``A * u``) and ``A.maximum(u)``.
    Nothing SciPy does with such a matrix differentiates it (its products, sums and
    ``toarray`` are compiled for numbers), and its later error named that later step,
    or offered a fix for ``u`` (attack46b 10); so the step that took the dual is
    refused, naming the dense spelling.  ``None`` for other conversions."""
    name = frame.f_code.co_name
    owner = frame.f_locals.get("self")
    after = (", or apply it to dg.stop_gradient(d) (the plain value) where no "
             "derivative is wanted.")
    kept = ("would keep the duals as a NumPy object array of scalar duals inside a sparse "
            "matrix, which no scipy.sparse operation differentiates (its products, sums "
            "and toarray are compiled for plain numbers)")
    if name == "__init__" and owner is not None:
        method = _dual_data_method(frame.f_back)
        if method is not None:          # r.T, v @ r of the user's r with dual .data: that
            return method               # method's refusal, not the csc matrix SciPy builds
        cls = type(owner).__name__
        arg = frame.f_locals.get("arg1")
        form = getattr(owner, "format", None)
        if isinstance(arg, tuple) and len(arg) == 3 and form in _COMPRESSED_TRIPLETS:
            fix = ("the matrix as a dense dual array from the same triplets: K = "
                   "np.zeros_like(data, shape=(m, n)); np.add.at(K, "
                   f"{_COMPRESSED_TRIPLETS[form]}, data); then K @ u, "
                   "np.linalg.solve(K, b) on it" + _SPARSE_COST)
        else:
            fix = _SPARSE_ASSEMBLY
        return DualTypeError(
            f"{_helper_name(3)}: scipy.sparse.{cls} got dual numbers in its data and {kept}; "
            f"expected plain numbers in a scipy.sparse matrix. Fix: write {fix}" + after)
    if name == "_multiply_2d_with_broadcasting":
        return DualTypeError(
            f"{_helper_name(3)}: A.multiply(u) of a scipy.sparse matrix A and a dual u (a "
            f"sparse array's A * u too) multiplies elementwise and {kept}; expected a dense "
            "operand for a dual. Fix: write that step as A.toarray() * u (the same "
            "elementwise products and broadcasting, a dual array; A.toarray() * "
            "u[:, None] for a column of u)" + after)
    if name == "_maximum_minimum":
        op = getattr(frame.f_locals.get("np_op"), "__name__", "maximum")
        return DualTypeError(
            f"{_helper_name(3)}: A.{op}(u) of a scipy.sparse matrix A and a dual u takes "
            f"the elementwise {op} and {kept}; expected a dense operand for a dual. Fix: "
            f"write that step as np.{op}(A.toarray(), u) (a dual array)" + after)
    return None


# compiled SciPy code (scipy.signal.lfilter, scipy.ndimage) refusing an object array
_OBJECT_DTYPE = ("dtype('O')", "type 'object'")
# what a SciPy function that met duals may raise (the helpers pass these to from_scipy)
FOREIGN = (TypeError, ValueError, NotImplementedError, RuntimeError, AttributeError,
           SystemError)


def _unchecked_conversion(who, exc):
    """Our TypeError, under ``who``'s name, for the ``SystemError`` ("returned a result
    with an exception set") that compiled code raises when it ignored the TypeError of
    ``float(d)`` and called Python again (scipy.optimize.brentq's loop: see
    :func:`root_finder`); ``None`` for any other SystemError."""
    cause = exc.__cause__
    if not isinstance(cause, DualTypeError):
        return None
    return DualTypeError(f"{who}: {str(cause).removeprefix('dualgrad: ')}")


# scipy.optimize's MINPACK wrappers (fsolve, root's hybr and lm, leastsq) convert f's
# values to a float array in C: our TypeError is printed (PyErr_Print, which also sets
# sys.last_value) and replaced by MINPACK's own error, a plain Exception subclass
_MINPACK_TEXT = "Result from function call is not a proper array of floats"
_ROOT_CALLS = {
    "fsolve": "fsolve(g, x0, args=(dg.stop_gradient(p),))",
    "root": "root(g, x0, args=(dg.stop_gradient(p),){method}).x",
}


def foreign():
    """The exception classes the helpers hand to :func:`from_scipy`: :data:`FOREIGN`,
    and MINPACK's error class once scipy.optimize is loaded (no SciPy import here)."""
    import sys
    minpack = sys.modules.get("scipy.optimize._minpack")
    error = getattr(minpack, "error", None)
    return FOREIGN + (error,) if isinstance(error, type) else FOREIGN


def _printed_by(frames):
    """The DualTypeError compiled code printed and dropped while one of ``frames`` (an
    exception's traceback, alive) called it: ``sys.last_value`` when its first frame was
    called from one of them; else ``None`` (a stale error from an earlier call)."""
    import sys
    last = getattr(sys, "last_value", None)
    if not isinstance(last, DualTypeError) or last.__traceback__ is None:
        return None
    caller = last.__traceback__.tb_frame.f_back
    while caller is not None:
        if any(caller is frame for frame in frames):
            return last
        caller = caller.f_back
    return None


def _object_cast_printed(frames):
    """Did MINPACK's callback print NumPy's "Cannot cast array data from dtype('O')"
    (f returned ``np.array([expr1, expr2])`` of scalar duals: an object array, which
    NumPy casts in C, with no traceback), while a frame of ``frames`` outside SciPy and
    NumPy held a dual?  (climate47: fsolve on a two-box model's rhs.)"""
    import sys
    last = getattr(sys, "last_value", None)
    if type(last) is not TypeError or last.__traceback__ is not None or \
            not str(last).startswith("Cannot cast array data from dtype('O')"):
        return False

    def dual(v):
        return type(v).__module__.startswith("dualgrad.dual")
    return any(dual(v) for frame in frames
               if not (frame.f_globals.get("__name__") or "").startswith(("scipy", "numpy"))
               for v in frame.f_locals.values())


def _minpack(who, exc):
    """Our TypeError, under ``who``'s name, for MINPACK's "not a proper array of floats"
    when f's values were duals (fsolve, root's hybr / lm, leastsq, curve_fit's lm);
    ``None`` for that error on anything else."""
    if _MINPACK_TEXT not in str(exc) or type(exc).__module__ not in (
            "_minpack", "scipy.optimize._minpack"):
        return None
    frames = [frame for frame, _ in _frames(exc)]
    objects = False
    if _printed_by(frames) is None:
        objects = _object_cast_printed(frames)
        if not objects:
            return None
    entry = next((frame for frame in frames if (frame.f_globals.get("__name__") or "")
                  .startswith("scipy.optimize")), None)
    name = "fsolve" if entry is None else entry.f_code.co_name
    if name in _ARGMIN_CALLS or name == "leastsq":  # curve_fit, leastsq: a least-squares fit
        call = ("leastsq(r, b0, args=(dg.stop_gradient(p),))[0]",
                " g(b, p) = 0.5 * np.sum(r(b, p) ** 2) (its full Hessian, not "
                "Gauss-Newton's)") if name == "leastsq" else _ARGMIN_CALLS[name]
        fix = _ARGMIN_SPELLING.format(call=call[0], objective=call[1], name=name)
    else:
        method = entry.f_locals.get("method", "hybr") if name == "root" else "hybr"
        call = _ROOT_CALLS.get(name, _ROOT_CALLS["fsolve"]).format(
            method="" if method == "hybr" else f", method={method!r}")
        fix = (f"solve on the plain values, x = {call}, then take one Newton step on "
               "duals per derivative order wanted, x = x - np.linalg.solve("
               "dg.jacobian(g, x, p), g(x, p)), with g(x, p) the system and p the duals "
               "it reads (the implicit-function theorem's derivative; README: root "
               "finders)")
        single = _one_unknown(name, entry.f_locals) if entry is not None and \
            name in ("fsolve", "root") else None
        if single is not None:
            fix = f"{single}, or {fix}"
    return DualTypeError(
        f"{who}: scipy.optimize.{name} reads f's values into a float array in compiled "
        "code (MINPACK), which drops the derivatives of dual numbers (it printed "
        + ("NumPy's \"Cannot cast array data from dtype('O')\" above: f returned an "
           "object array of scalar duals, as np.array([expr1, expr2]) makes" if objects
           else "dualgrad's error above") +
        ", then raised its own \"not a proper array of floats\"); "
        f"expected a root or fit found on plain values. Fix: {fix}.")


def _involves_duals(exc):
    while exc is not None:
        if isinstance(exc, DualTypeError) or \
                isinstance(exc, (TypeError, ValueError)) and \
                any(text in str(exc) for text in _ON_DUALS) or \
                isinstance(exc, (NotImplementedError, RuntimeError)) and \
                any(text in str(exc) for text in _OBJECT_DTYPE):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def damaged_numba_cache(who, exc):
    """``exc`` raised inside numba's on-disk cache (a truncated or zeroed index file,
    ``*.nbi``, from a full disk or a killed process) as an error saying so, naming
    the file; ``None`` for any other error.  (It reached the user as numba's raw
    EOFError under a note that blamed f.)"""
    import traceback
    found, path = False, None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename.replace("\\", "/").endswith("numba/core/caching.py"):
            found = True
            path = getattr(frame.f_locals.get("self"), "_index_path", None) or path
    if not found:
        return None
    return DualValueError(
        f"{who}: numba's on-disk cache of compiled kernels is damaged: reading "
        f"{path or 'its index'} raised {type(exc).__name__}({str(exc)!r}); expected a "
        "readable cache (this is not an error in f). Fix: delete that file, or the whole "
        "cache directory (NUMBA_CACHE_DIR, else the __pycache__ folders beside dualgrad's "
        "sources); numba writes it again on the next call.")


def _raised_at(exc):
    """`` at line N of FILE, in FUNC: `source` `` for the innermost frame of ``exc``'s
    traceback, where that is code outside dualgrad and NumPy (a library's own in-place
    update: anastruct's ``system.system_matrix[...] += element_matrix[...]``, far from
    the user's f); ``""`` otherwise."""
    import linecache
    tb = exc.__traceback__
    if tb is None:
        return ""
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    if (frame.f_globals.get("__name__") or "").startswith(("dualgrad", "numpy")):
        return ""
    source = linecache.getline(frame.f_code.co_filename, tb.tb_lineno).strip()
    return (f" at line {tb.tb_lineno} of {frame.f_code.co_filename}, in "
            f"{frame.f_code.co_name}" + (f": {source[:100]}" if source else ""))


def object_cast(who, exc):
    """NumPy's own ``Cannot cast ufunc 'subtract' output from dtype('O') to
    dtype('float64')``, raised in ``f`` while a helper ran: an object array (almost
    always ``np.array([d1, d2])`` of dual numbers, which NumPy computes with itself and
    never hands to dualgrad) written into a plain float array in place
    (``force[i] -= fvec``); dualgrad's TypeError naming both fixes, or ``None``."""
    import re
    m = re.search(r"Cannot cast ufunc '(\w+)' output from dtype\('O'\) to "
                  r"dtype\('(\w+)'\)", str(exc))
    if not isinstance(exc, TypeError) or m is None:
        return None
    return DualTypeError(
        f"{who}: NumPy could not write an object array into a plain {m.group(2)} array "
        f"in place{_raised_at(exc)} (np.{m.group(1)}: {exc}); expected dual arrays on both "
        "sides. The "
        "object array most likely holds dual numbers built with np.array([d1, d2]), which "
        "NumPy computes with itself and never hands to dualgrad. Fix: build it with "
        f"np.stack([d1, d2]) (a dual array), and {BUFFER_FIX[0].lower() + BUFFER_FIX[1:]}.")


def _held_dual(exc):
    """Did a SciPy frame of ``exc``'s traceback hold a dual number in a local variable
    when it raised (``scipy.sparse.diags_array(u)``'s "Different number of diagonals",
    which names nothing of the dual), or a list of object arrays made from duals
    (``scipy.optimize.elementwise.find_root``'s ``fs``: "Abscissae and function output
    must be real numbers", userfin49)?  Told by the type's module: this module knows no
    dual types."""
    import traceback
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        module = frame.f_globals.get("__name__") or ""
        if module.startswith("scipy.") and any(
                type(v).__module__.startswith("dualgrad.dual") or _of_duals(v) or
                type(v) in (list, tuple) and any(_of_duals(w) for w in v[:4])
                for v in frame.f_locals.values()):
            return True
    return False


def _numpy_held_objects(exc):
    """Did a NumPy frame of ``exc``'s traceback hold an object array made of duals?"""
    import traceback
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        module = frame.f_globals.get("__name__") or ""
        if module.startswith("numpy.") and any(_of_duals(v) for v in frame.f_locals.values()):
            return True
    return False


def _raised_in_scipy(exc):
    """Is the innermost frame of ``exc``'s traceback SciPy's own code?"""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and (tb.tb_frame.f_globals.get("__name__") or "").startswith(
        "scipy.")


def _held_objects(exc):
    """Did a SciPy frame of ``exc``'s traceback hold an object array made from a dual
    (:func:`_of_duals`) when it raised?"""
    import traceback
    return any((frame.f_globals.get("__name__") or "").startswith("scipy.") and
               any(_of_duals(v) for v in frame.f_locals.values())
               for frame, _ in traceback.walk_tb(exc.__traceback__))


def _of_duals(v):
    """Is ``v`` an object array made from a dual (its first element a scalar dual)?
    scipy.special.logsumexp of an all -inf dual raised NumPy's bare "unorderable types
    for comparison" from np.sign of such an array (left42)."""
    if getattr(getattr(v, "dtype", None), "kind", None) != "O" or not getattr(v, "size", 0):
        return False
    try:
        first = v.flat[0]
    except (AttributeError, TypeError, IndexError):
        return False
    return type(first).__module__.startswith("dualgrad.dual")


def _unhashable(who, exc):
    """Python's ``unhashable type: 'ScalarDual2'``, raised in ``f`` by a cache keyed on a
    dual number (``functools.lru_cache``, ``functools.cache``, a dict or set of
    inputs): dualgrad's TypeError saying why and the fix, or ``None``.  Duals stay
    unhashable (``__hash__ = None``, so ``isinstance(d, Hashable)`` is false for code
    that asks before it caches): two duals with one value and different derivatives
    compare equal, so a cache would hand one call's derivatives to another."""
    import re
    m = re.search(r"unhashable type: '((?:Complex)?ScalarDual\d+|ArrayDual)'", str(exc))
    if type(exc) is not TypeError or m is None:     # (not ours again, nested helpers)
        return None
    return DualTypeError(
        f"{who}: f hashed a dual number ({exc}), most likely as the key of a cache "
        "(functools.lru_cache or functools.cache on a function f calls, a dict or set of "
        "inputs); expected plain numbers as keys. A dual is not hashable: duals with the "
        "same value and different derivatives compare equal, so a cache would return "
        "another call's derivatives. Fix: call the uncached function inside f (e.g. "
        "cached.__wrapped__(x) for an lru_cache), or cache only what does not depend on "
        "the differentiated inputs, keyed on plain numbers.")


def _whole_axis(f_locals):
    """Whether the running ``scipy.special.logsumexp`` call's ``axis`` (a tuple, as SciPy
    rewrites ``axis=None``) names every axis of its ``a``: the same sum as no axis."""
    a, axis = f_locals.get("a"), f_locals.get("axis")
    ndim = getattr(a, "ndim", None)
    return isinstance(axis, tuple) and ndim is not None and \
        sorted(i % ndim for i in axis) == list(range(ndim))


def _logsumexp_spelling(f_locals):
    """``scipy.special.logsumexp``'s NumPy spelling for the call whose frame's locals
    are ``f_locals`` (its axis=, b=, keepdims=, return_sign= carried over: the
    whole-array form pasted into an ``axis=1`` call silently sums over every row).
    Max-shifted, and exact: the shift's partials cancel."""
    axis = f_locals.get("axis")
    if _whole_axis(f_locals):
        axis = None                 # logsumexp's own axis = tuple(range(a.ndim)) for None
    b = f_locals.get("b") is not None
    keepdims, sign = bool(f_locals.get("keepdims")), bool(f_locals.get("return_sign"))
    # SciPy's values at the edges: an all -inf slice gives -inf (x - m was -inf + inf,
    # NaN), an infinite m shifts by 0, and an element with b == 0 is left out (0 * inf
    # was NaN at x = inf): xb is x there with those elements -inf
    finite = "m = np.where(np.isfinite(m), m, 0.0)"
    if axis is None and not (b or keepdims or sign):
        return f"m = np.max(x); {finite}; m + np.log(np.sum(np.exp(x - m)))"
    ax = f"axis={axis!r}, " if axis is not None else ""
    terms = "b * np.exp(xb - m)" if b else "np.exp(x - m)"
    done = "{}" if keepdims else "np.squeeze({})" if axis is None else \
        f"np.squeeze({{}}, axis={axis!r})"
    out = done.format("m + np.log(np.abs(s))" if sign else "m + np.log(s)")
    if sign:
        out = f"({out}, {done.format('np.sign(s)')})"
    spelling = (f"m = np.max({'xb' if b else 'x'}, {ax}keepdims=True); {finite}; "
                f"s = np.sum({terms}, {ax}keepdims=True); {out}")
    if b:
        spelling = "xb = np.where(b != 0, x, -np.inf); " + spelling
    named = " (x: the array given to logsumexp" + (", b: its b=" if b else "")
    if isinstance(axis, int) and not (b or sign):
        named += f"; or np.logaddexp.reduce(x, axis={axis!r}" + \
            (", keepdims=True)" if keepdims else ")") + ", exact too"
    return spelling + named + ")"


def _polygamma_spelling(n, spelling):
    """``scipy.special.polygamma(n, x)``'s spelling for the caller's integer ``n``:
    ``digamma(x)`` for 0, ``(-1)**(n + 1) n! zeta(n + 1, x)`` written out beyond (the
    table differentiates zeta in x: ``polygamma(n + 1, x)``, at every order); the
    general text for anything else (an array of orders)."""
    import operator
    try:
        n = operator.index(n)           # an int, NumPy's, or a 0-d integer array
    except TypeError:
        return spelling
    if n < 0:
        return spelling
    if n == 0:
        return "scipy.special.digamma(x) (polygamma(0, x), your call)"
    import math
    factor = float((-1) ** (n + 1) * math.factorial(n))
    scale = "" if factor == 1.0 else f"{factor!r} * "
    return (f"{scale}scipy.special.zeta({float(n + 1)!r}, x) (polygamma({n}, x), "
            "your call)")


def _given_keywords(entry):
    """The keyword arguments ``entry``'s SciPy function was called with that differ
    from their defaults, as ``name=value`` texts (plain numbers, strings, bools and
    tuples of them only: an array argument is the user's own name)."""
    import inspect
    func = entry.f_globals.get(entry.f_code.co_name)
    func = inspect.unwrap(func) if callable(func) else None
    if getattr(func, "__code__", None) is not entry.f_code:
        return []
    given = []
    for p in inspect.signature(func).parameters.values():
        if p.default is inspect.Parameter.empty or p.name not in entry.f_locals:
            continue
        v = entry.f_locals[p.name]
        plain = isinstance(v, (bool, int, float, str, type(None))) or \
            isinstance(v, tuple) and all(isinstance(i, (int, str)) for i in v)
        if plain and (type(v) is not type(p.default) or v != p.default):
            given.append(f"{p.name}={v!r}")
    return given


def _moments_spelling(name, f_locals):
    """NumPy's spelling of the running ``scipy.stats.skew`` / ``kurtosis`` call, its
    axis=, bias= and fisher= written in (attack49 16: a call with bias=False was told
    the biased formula, another number)."""
    kwds = f_locals.get("kwds", {})          # (SciPy's wrapper: positionals merged in)
    given = f_locals.get("reduced_axes", kwds.get("axis", 0))     # axis=, as called
    bias, fisher = kwds.get("bias", True), kwds.get("fisher", True)
    flat = "a = np.ravel(a), " if given is None else ""
    axis = 0 if given is None else given
    keep = ", keepdims=True" if f_locals.get("keepdims", kwds.get("keepdims")) else ""
    m = f"np.mean(d ** {{}}, axis={axis}{keep})"
    if name == "skew":
        g = f"{m.format(3)} / {m.format(2)} ** 1.5"
        value = g if bias else f"g * np.sqrt(n * (n - 1)) / (n - 2) with g = {g}"
    else:
        g = f"{m.format(4)} / {m.format(2)} ** 2"
        value = (g + " - 3" if fisher else g) if bias else \
            "((n + 1) * g + 6) * (n - 1) / ((n - 2) * (n - 3))" + \
            ("" if fisher else " + 3") + f" with g = {g} - 3"
    size = "" if bias else f", n = a.shape[{axis}]" if isinstance(axis, int) else \
        f", n = np.prod([a.shape[i] for i in {axis!r}])"
    if f_locals.get("nan_policy", kwds.get("nan_policy")) == "omit":   # (the values kept)
        flat = "a = a[~np.isnan(a)] (1-D a; nan_policy='omit'), " + flat
    return (f"{flat}d = a - np.mean(a, axis={axis}, keepdims=True){size}, then {value} "
            f"(bias={bias!r}" +
            ("" if name == "skew" else f", fisher={fisher!r}") + " as your call)")


def _odeint_spelling(f_locals):
    """dg.solve_ivp's spelling of the running ``odeint`` call: its argument order
    (tfirst), its tolerances (odeint's own defaults where it passed none: solve_ivp's
    would loosen the solution) and its hmax."""
    import numpy as np

    def tol(key):
        value = f_locals.get(key)
        if value is None:
            return repr(_ODEINT_TOL)
        return repr(float(value)) if np.ndim(value) == 0 else key + " (your array)"

    args = f_locals.get("args") or ()
    star = ", *args" if args != () else ""
    call = f"func(t, y{star})" if f_locals.get("tfirst") else f"func(y, t{star})"
    extra = f", max_step={float(f_locals['hmax'])!r}" if f_locals.get("hmax") else ""
    return (f"dg.solve_ivp(lambda t, y: {call}, (t[0], t[-1]), y0, t_eval=t, "
            f"method=\"LSODA\", rtol={tol('rtol')}, atol={tol('atol')}{extra}).y.T "
            "(dualgrad's drop-in for SciPy's solvers, odeint's LSODA among them, with "
            "your call's tolerances, odeint's defaults where it gave none: solve_ivp's "
            "own defaults would loosen the solution; the derivatives stepped beside the "
            "state, as accurate as the solution), or " + _ODE_LOOP)


# scipy.interpolate's splines (user47: a template spectrum Doppler-shifted by a dual
# velocity, CubicSpline(wave, flux)(wave_obs * (1 - v / c))): their values are piecewise
# polynomials in the evaluation points, whose pieces NumPy can evaluate on duals, and the
# interpolating ones are linear in the data, a plain basis matrix times y
_PPOLY_CLASSES = ("CubicSpline", "PchipInterpolator", "Akima1DInterpolator",
                  "CubicHermiteSpline", "PPoly")
_PP_OF = {"BSpline": "scipy.interpolate.PPoly.from_spline(s)",
          "InterpolatedUnivariateSpline": "scipy.interpolate.PPoly.from_spline(s._eval_args)",
          "UnivariateSpline": "scipy.interpolate.PPoly.from_spline(s._eval_args)",
          "LSQUnivariateSpline": "scipy.interpolate.PPoly.from_spline(s._eval_args)"}
_LINEAR_IN_DATA = ("CubicSpline", "make_interp_spline", "interp1d")


def _spline_spelling(name, entry):
    """The NumPy spelling of a scipy.interpolate spline met by duals: in the evaluation
    points (its ``__call__``), its pieces evaluated on them; in the data (building it),
    the plain basis matrix times the data where the spline is linear in them; ``None``
    for other functions (interp1d's linear kind keeps np.interp)."""
    owner = entry.f_locals.get("self")
    if name == "interp1d":
        kind = getattr(owner, "_kind", None)
        spline = getattr(owner, "_spline", None)
        if kind == "spline" and getattr(spline, "k", None) is not None:
            kind = int(spline.k)                        # interp1d's own B-spline
        elif kind in (None, "spline"):                  # building it: the call's kind
            kind = entry.f_locals.get("kind", "linear")
            kind = {"zero": 0, "slinear": 1, "quadratic": 2, "cubic": 3}.get(kind, kind)
            if kind == "spline":                        # interp1d has mapped it already
                kind = entry.f_locals.get("order")
        if kind in ("linear", 1):
            return None
        if not isinstance(kind, int) or kind == 0:
            return ("interp1d(...)(dg.stop_gradient(x_new)) for duals in the points x_new "
                    "(a step function: its derivative in x_new is 0); for duals in the "
                    "data y: B @ y, B = interp1d(x, np.eye(len(x)), axis=0, your kind=)"
                    "(x_new) once on plain numbers")
        build, pp = f"scipy.interpolate.make_interp_spline(x, y, k={kind})", \
            "scipy.interpolate.PPoly.from_spline(s)"
    elif name in _PPOLY_CLASSES:
        build, pp = f"scipy.interpolate.{name}(x, y, ...)", "s"
    elif name in _PP_OF:
        build = "scipy.interpolate.BSpline(t, c, k)" if name == "BSpline" else \
            f"scipy.interpolate.{name}(x, y, ...)"
        pp = _PP_OF[name]
    elif name == "make_interp_spline":
        build, pp = "scipy.interpolate.make_interp_spline(x, y, k=...)", \
            "scipy.interpolate.PPoly.from_spline(s)"
    else:
        return None
    points = (
        f"the spline's pieces evaluated in NumPy, for duals in the points x_new: s = "
        f"{build} on the plain data as now, pp = {pp}, then kk = pp.c.shape[0] - 1; i = "
        "np.clip(np.searchsorted(pp.x, dg.stop_gradient(x_new), side='right') - 1, 0, "
        "len(pp.x) - 2); dx = x_new - "
        "pp.x[i]; sum(pp.c[j, i] * dx ** (kk - j) for j in range(kk + 1)) (SciPy's value to "
        "rounding, past the ends its end pieces as SciPy's extrapolate=True; exact "
        "derivatives in x_new, Hessians too)")
    if name == "BSpline":
        data = ("a plain basis matrix times the coefficients, for duals in c: "
                "BSpline(t, np.eye(len(c)), k)(x_new) @ c")
    elif name == "InterpolatedUnivariateSpline":
        data = ("a plain basis matrix times the data, for duals in the data y (the spline "
                "is linear in y): B = np.column_stack([scipy.interpolate."
                "InterpolatedUnivariateSpline(x, e, your options)(x_new) for e in "
                "np.eye(len(x))]) once on plain numbers, then B @ y")
    elif name in _LINEAR_IN_DATA:
        data = ("a plain basis matrix times the data, for duals in the data y (the spline "
                "is linear in y): B = "
                f"{build.replace('(x, y', '(x, np.eye(len(x))')} evaluated at x_new once on "
                "plain numbers (your options as they are, axis=0), then B @ y")
    else:
        data = (f"the spline built on plain data (for duals in the data y no NumPy spelling "
                f"here: {name} is not linear in y)")
    import operator
    nu = entry.f_locals.get("nu") if entry.f_code.co_name == "__call__" else None
    try:
        nu = 0 if nu is None else operator.index(nu)
    except TypeError:
        nu = 0
    if nu != 0:                                         # s(x_new, nu): its nu-th derivative
        points = points.replace(", then kk = ", f", pp = pp.derivative({nu}) (your nu={nu}), "
                                "then kk = ")
    extrapolate = entry.f_locals.get("extrapolate")
    extrapolate = getattr(owner, "extrapolate", None) if extrapolate is None else extrapolate
    if extrapolate is False:
        points += (" (your extrapolate=False: SciPy's NaN past the ends, which these end "
                   "pieces do not give: mask those points)")
    elif extrapolate == "periodic":
        points += (" (your extrapolate='periodic': wrap the points first, x_new = pp.x[0] + "
                   "np.mod(x_new - pp.x[0], pp.x[-1] - pp.x[0]))")
    first, second = (points, data) if entry.f_code.co_name == "__call__" else (data, points)
    return f"{first}; {second}"


def _number(v):
    """``v`` written as Python would read it back (NumPy scalars as plain numbers)."""
    return repr(v.item() if hasattr(v, "item") else v)


def _eigen_selection(f_locals):
    """The ``(w, v)`` selection SciPy's ``subset_by_index`` / ``subset_by_value`` make, as
    NumPy indexing of the full ascending result, or ``None`` where the call gave neither."""
    index, value = f_locals.get("subset_by_index"), f_locals.get("subset_by_value")
    if index is not None:
        try:
            lo, hi = (int(i) for i in index)
            return f"w[{lo}:{hi + 1}], v[:, {lo}:{hi + 1}]"
        except (TypeError, ValueError):
            return "w[i:j + 1], v[:, i:j + 1] for your subset_by_index=[i, j]"
    if value is not None:
        try:
            lo, hi = (_number(i) for i in value)
            return (f"keep = (w > {lo}) & (w <= {hi}); w[keep], v[:, keep] (SciPy's "
                    "half-open (lo, hi])")
        except (TypeError, ValueError):
            return ("keep = (w > lo) & (w <= hi); w[keep], v[:, keep] for your "
                    "subset_by_value=(lo, hi)")
    return None


def _eigh_fix(name, f_locals):
    """``scipy.linalg.eigh`` / ``eigvalsh`` on duals: dualgrad's drop-in and NumPy's
    spelling of the running call, its ``b`` (a generalized problem: a stiffness and a
    mass matrix) and its subset kept (userfem51: the NumPy spelling dropped ``b``, the
    eigenvalues of the stiffness alone, and the drop-in was handed ``subset_by_index``,
    which it refuses on duals)."""
    b = f_locals.get("b")
    values_only = name == "eigvalsh" or bool(f_locals.get("eigvals_only"))
    select = _eigen_selection(f_locals)
    if select and values_only:
        select = select.split(", v[")[0] + (select[select.index(" (SciPy"):]
                                            if " (SciPy" in select else "")
        select = select.replace("w[keep], v[:, keep]", "w[keep]")
    pick = f", then {select}" if select else ""
    lower = "" if f_locals.get("lower", True) else ", lower=False"
    bb = ", b" if b is not None else ""
    out = "w = " if values_only else "w, v = "
    only = ", eigvals_only=True" if values_only else ""
    drop = (f"use dualgrad.scipy.linalg.eigh (SciPy's signature, every eigenpair on "
            f"duals; SciPy's value with exact derivatives): from dualgrad.scipy.linalg "
            f"import eigh, then {out}eigh(a{bb}{lower}{only}){pick}")
    uplo = ", UPLO='U'" if lower else ""      # SciPy's lower=False reads the upper triangle
    func = "np.linalg.eigvalsh" if values_only else "np.linalg.eigh"
    if b is None:
        numpy = f"{out}{func}(a{uplo}){pick}"
    else:
        vecs = "" if values_only else ", v = Li.T @ v"
        numpy = (f"L = np.linalg.cholesky(b); Li = np.linalg.inv(L); {out}{func}(Li @ a "
                 f"@ Li.T){vecs} (the problem a v = w b v reduced by b's Cholesky factor; "
                 f"SciPy's normalization v^T b v = I){pick}")
    if f_locals.get("type", 1) not in (1, None):
        drop += (f" (your type={f_locals.get('type')!r}: dualgrad.scipy.linalg.eigh's "
                 "refusal on duals writes its reduction out)")
    return drop, numpy


_EIGSH_KEYS = {"LM": "np.argsort(np.abs({t}))[-{k}:]", "SM": "np.argsort(np.abs({t}))[:{k}]",
               "LA": "np.argsort({t})[-{k}:]", "SA": "np.argsort({t})[:{k}]",
               "BE": "np.r_[np.argsort({t})[:{k} // 2], np.argsort({t})[len(w) - ({k} - "
                     "{k} // 2):]]"}


# Where each geometric scipy.ndimage function reads its input, for duals in the
# geometry (newuser61: a rigid registration's dual angle and offsets were told the
# image-linear spelling "where only the image x is a dual", which fits no part of it).
_NDIMAGE_READS = {
    "shift": ("shift", "output pixel (i, j) reads the input at (i - shift[0], j - "
                       "shift[1])"),
    "rotate": ("angle", "with reshape=False (SciPy's default reshape=True enlarges the "
                        "output) and axes=(1, 0), a = np.deg2rad(angle) and the centre "
                        "ctr = (np.array(x.shape) - 1) / 2, output pixel (i, j) reads "
                        "(ctr[0] + np.cos(a) * (i - ctr[0]) + np.sin(a) * (j - ctr[1]), "
                        "ctr[1] - np.sin(a) * (i - ctr[0]) + np.cos(a) * (j - ctr[1]))"),
    "affine_transform": ("matrix or offset", "output pixel o = (i, j) reads matrix @ o + "
                                             "offset (a 1-D matrix: matrix * o + offset)"),
    "map_coordinates": ("coordinates", "output k reads (coordinates[0][k], "
                                       "coordinates[1][k])"),
}


def _ndimage_geometry_spelling(name, f_locals):
    """The NumPy spelling of a geometric ``scipy.ndimage`` function whose duals are in
    where it samples (a shift, an angle, a matrix or offset, coordinates) and not in
    its image: bilinear weights of the fractional coordinates, SciPy's ``order=1``; a
    dual zoom factor: ``dg.stop_gradient(zoom)`` (SciPy reads it only through the
    output shape); ``None`` where the image holds the duals (its linear spelling
    stands) or ``name`` is no geometric function."""
    if _dual_valued(f_locals.get("input")):
        return None
    if name == "zoom" and _dual_valued(f_locals.get("zoom")):
        # (diff61 5: the recipe promised derivatives in the zoom and began with
        # np.arange of a dual shape; SciPy reads zoom only through the output shape)
        return ("scipy.ndimage.zoom(x, dg.stop_gradient(zoom), ...), which is exact: "
                "SciPy's zoom reads the factor only through the integer output shape "
                "np.round(np.array(x.shape) * zoom) (output pixel i samples the input at "
                "i * (n - 1) / (m - 1) for n input and m output pixels; grid_mode=True "
                "also fixes it by n and m alone), so ndimage.zoom(x, 1.3) and "
                "ndimage.zoom(x, 1.30001) "
                "agree bit for bit and the derivative in zoom is 0 wherever that shape "
                "does not jump")
    if name not in _NDIMAGE_READS:
        return None
    what, reads = _NDIMAGE_READS[name]
    if not any(_dual_valued(f_locals.get(arg)) for arg in what.split(" or ")):
        return None
    return (f"the sampling by hand, the duals being in {name}'s {what}, not in the image "
            f"x (the image-linear spelling does not apply): {reads}; with those "
            "coordinates (r, c) as arrays, r0 = np.floor(dg.stop_gradient(r)) and c0 "
            "likewise (the integer cell, no derivative lost: the weights carry it), fr = "
            "r - r0, fc = c - c0, i0 = np.clip(r0.astype(int), 0, x.shape[0] - 1), i1 = "
            "np.minimum(i0 + 1, x.shape[0] - 1) (j0, j1 from c0 alike), v = (1 - fr) * "
            "((1 - fc) * x[i0, j0] + fc * x[i0, j1]) + fr * ((1 - fc) * x[i1, j0] + fc * "
            "x[i1, j1]), and np.where(inside, v, cval) where inside is (r, c) within [0, "
            "x.shape - 1]: SciPy's order=1, mode='constant' to rounding of the coordinates "
            "(a sample on the image's border may fall either side of it), with exact "
            f"derivatives in the {what}; SciPy's default order=3 spline has no NumPy "
            "spelling (pass order=1 to compare)")


def _dual_valued(v):
    """Is ``v`` a dual, or an object array, list or tuple holding one?"""
    import numpy as np
    if type(v).__module__.startswith("dualgrad.dual"):
        return True
    if isinstance(v, np.ndarray) and v.dtype == object:
        return any(_dual_valued(e) for e in v.flat)
    return isinstance(v, (list, tuple)) and any(_dual_valued(e) for e in v)


def _eigsh_spelling(f_locals):
    """``scipy.sparse.linalg.eigsh``'s pick written on the dense ascending eigenpairs:
    its ``k``, ``which``, ``sigma`` (shift-invert: ``which`` applies to ``1 / (w -
    sigma)``, so the default keeps the ``k`` nearest ``sigma``) and ``M`` (the
    generalized problem) kept, in SciPy's ascending order (userfem51: the fix kept the
    ``k`` largest whatever ``sigma`` and ``M`` were, a structure's highest modes for its
    lowest, and in another order)."""
    k, M, sigma = f_locals.get("k", 6), f_locals.get("M"), f_locals.get("sigma")
    which, mode = f_locals.get("which", "LM"), f_locals.get("mode", "normal")
    try:
        k = int(k.__index__())
    except (AttributeError, TypeError):
        k = "k"
    if M is None:
        solve = ("w, v = np.linalg.eigh(A) of the dense matrix (A.toarray() for a "
                 "scipy.sparse A)")
    else:
        solve = ("w, v = dualgrad.scipy.linalg.eigh(A, M) of the dense matrices "
                 "(A.toarray(), M.toarray() for scipy.sparse ones; your M= makes it the "
                 "generalized problem A v = w M v)")
    t = "w" if sigma is None else f"1 / (w - {_number(sigma)})"
    key = _EIGSH_KEYS.get(which)
    if key is None or (sigma is not None and mode not in ("normal", 3)):   # eigsh sets 3
        return (f"{solve}, then the k eigenpairs your which={which!r}" +
                (f", sigma and mode={ {4: 'buckling', 5: 'cayley'}.get(mode, mode)!r}"
                 if sigma is not None else "") +
                " pick, in ascending order (w[idx], v[:, idx] with idx sorted)")
    keep = key.format(t=t, k=k)
    why = {"LM": "largest in magnitude", "SM": "smallest in magnitude",
           "LA": "largest", "SA": "smallest", "BE": "half from each end"}[which]
    what = f"{which!r}: the k={k} {why}" + (f" of 1 / (w - sigma), the nearest sigma={_number(sigma)}"
                                            if sigma is not None and which == "LM" else
                                            " of 1 / (w - sigma)" if sigma is not None else "")
    return (f"{solve}, then idx = np.sort({keep}) (your which={what}); w[idx], v[:, idx] "
            "(SciPy's ascending order)")


def _lobpcg_spelling(f_locals):
    """``scipy.sparse.linalg.lobpcg``'s result written on the dense eigenpairs: its
    block's width ``k``, ``B`` (the generalized problem) and ``largest`` (``True``: the
    ``k`` largest, descending, as lobpcg returns them; ``False``: the smallest)."""
    k, B = f_locals.get("sizeX"), f_locals.get("B")
    if not isinstance(k, int):
        k = getattr(f_locals.get("X"), "shape", (None, "k"))[-1]
    if B is None:
        solve = ("w, v = np.linalg.eigh(A) of the dense matrix (A.toarray() for a "
                 "scipy.sparse A)")
    else:
        solve = ("w, v = dualgrad.scipy.linalg.eigh(A, B) of the dense matrices "
                 "(A.toarray(), B.toarray() for scipy.sparse ones; your B= makes it the "
                 "generalized problem A v = w B v)")
    if f_locals.get("largest", True):
        return (f"{solve}, then w[::-1][:{k}], v[:, ::-1][:, :{k}] (your largest=True: the "
                f"k={k} largest, descending, as lobpcg returns them)")
    return (f"{solve}, then w[:{k}], v[:, :{k}] (your largest=False: the k={k} smallest, "
            "ascending)")


def _root_spelling(name, f_locals):
    """The implicit-function route for ``scipy.optimize.fsolve`` / ``root`` refused where
    they read duals with np.asarray (a dual ``x0``: PyTOPKAPI's Green-Ampt ``fsolve`` of
    its one unknown, user73, was told only "NumPy functions" or ``dg.stop_gradient``,
    neither of which gives the root's derivatives): dualgrad's ``newton`` for one
    unknown; for any number, the root of the plain values and a Newton step on duals, as
    :func:`_minpack` spells it where f's values were the duals.  Error path only."""
    f = "func" if name == "fsolve" else "fun"
    one = _one_unknown(name, f_locals) is not None
    method = f_locals.get("method", "hybr") if name == "root" else "hybr"
    call = f"fsolve({f}, dg.stop_gradient(x0), args=dg.stop_gradient(args))" \
        if name == "fsolve" else (f"root({f}, dg.stop_gradient(x0), args=dg.stop_gradient("
                                  "args)" + ("" if method == "hybr" else
                                             f", method={method!r}") + ").x")
    system = (f"x = {call} on the plain values ({f} reading the duals through args, "
              "not closed over), then one Newton step on duals per "
              f"derivative order wanted, x = x - np.linalg.solve(dg.jacobian({f}, x, "
              f"*args), {f}(x, *args)) (the implicit-function theorem's derivatives; "
              "README: root finders)")
    return system if not one else \
        f"{_one_unknown(name, f_locals)}, or, for any number of unknowns, {system}"


def _one_unknown(name, f_locals):
    """dualgrad's ``newton`` in place of ``fsolve`` / ``root`` of one unknown (user73),
    or ``None`` where ``x0`` (in ``f_locals``, SciPy's frame) holds more than one."""
    import numpy as np
    try:
        if int(np.size(f_locals.get("x0"))) != 1:
            return None
    except Exception:                   # (an x0 NumPy cannot size: the general route)
        return None
    f = "func" if name == "fsolve" else "fun"
    full = f_locals.get("full_output") if name == "fsolve" else None
    return (f"x = dualgrad.scipy.optimize.newton({f}, x0, args=args) for its one unknown "
            "(from dualgrad.scipy.optimize import newton: it takes duals in x0 and args, "
            "SciPy's root of the plain values, then Newton steps on duals, the "
            "implicit-function theorem's derivatives; a number where " +
            ("fsolve returns" if name == "fsolve" else "root(...).x is") +
            " an array of one" + ("; your full_output=True: newton(..., full_output=True) "
                                 "returns (x, r), r.converged for fsolve's ier == 1"
                                 if full else "") + ")")


def _fit_to_call(public, name, entry, spelling):
    """``spelling`` (a NumPy spelling of ``public.name``) fitted to the call ``entry``
    is running: the caller's axis= and keywords written in, or named where the
    spelling cannot carry them, so that pasting the fix never changes the result."""
    if public == "scipy.integrate" and name == "odeint":
        return _odeint_spelling(entry.f_locals)
    if public == "scipy.optimize" and name in ("fsolve", "root"):
        return _root_spelling(name, entry.f_locals)
    if public == "scipy.integrate" and name == "quad" and spelling:
        # the call's own options carried over (userfin49: a Heston integrand's limit=400
        # and tolerances were dropped from the spelling)
        given = [g for g in _given_keywords(entry) if not g.startswith("full_output=")]
        if given:
            spelling = spelling.replace(
                "dg.quad(func, a, b, args=args)[0]",
                f"dg.quad(func, a, b, args=args, {', '.join(given)})[0]", 1)
        return spelling
    if public == "scipy.interpolate":
        return _spline_spelling(name, entry) or spelling
    if public == "scipy.stats" and name in ("skew", "kurtosis"):
        return _moments_spelling(name, entry.f_locals)
    if spelling is None or public not in ("scipy.special", "scipy.linalg"):
        return spelling
    f_locals = entry.f_locals
    if name == "logsumexp":
        return _logsumexp_spelling(f_locals)
    if name == "polygamma":
        return _polygamma_spelling(f_locals.get("n"), spelling)
    if name == "log_softmax":
        return spelling.replace("axis=axis", f"axis={f_locals.get('axis')!r}")
    if name == "cholesky":
        if f_locals.get("lower"):
            return "np.linalg.cholesky(a) (lower=True as your call)"
        return ("np.linalg.cholesky(a.T).T for SciPy's default upper factor (lower=False "
                "as your call; SciPy reads a's upper triangle, NumPy's cholesky the lower: a.T "
                "hands it the same numbers; np.linalg.cholesky(a.conj().T).conj().T for "
                "complex a)")
    if name in ("eigh", "eigvalsh"):
        return _eigh_fix(name, f_locals)[1]
    if name in ("eig", "eigvals") and f_locals.get("b") is not None:
        # a generalized problem a v = w b v (eig53: the spelling dropped b)
        if name == "eigvals":
            return ("np.linalg.eigvals(np.linalg.solve(b, a)) (a v = w b v with b "
                    "invertible: the eigenvalues of b^-1 a; SciPy's order may differ)")
        return ("np.linalg.eig(np.linalg.solve(b, a)) (a v = w b v with b invertible: "
                "the eigenpairs of b^-1 a; SciPy's order may differ, and SciPy scales each "
                "vector to unit norm in ggev's phase, NumPy's makes its largest component "
                "real: compare |v|, or results that do not depend on the phase)")
    if name == "solve_triangular":
        lower, trans = bool(f_locals.get("lower")), f_locals.get("trans", 0)
        t = "np.tril(a)" if lower else "np.triu(a)"
        if f_locals.get("unit_diagonal"):
            t = f"({t} - np.diag(np.diag(a)) + np.eye(len(a)))"
        t += {1: ".T", "T": ".T", 2: ".conj().T", "C": ".conj().T"}.get(trans, "")
        return f"np.linalg.solve({t}, b) (lower={lower}, trans={trans!r}" + \
            (", unit_diagonal=True" if f_locals.get("unit_diagonal") else "") + \
            " as your call: solve_triangular reads only that triangle of a)"
    given = [g for g in _given_keywords(entry) if not g.startswith(
        ("check_finite=", "overwrite_", "lapack_driver=", "driver="))]
    if given:
        spelling += (f" (your call passed {', '.join(given)}: keep their meaning in "
                     "the NumPy spelling)")
    return spelling


# SciPy functions that dualgrad.scipy replaces, by SciPy's public module
_DROP_INS = {"scipy.special": ("logsumexp", "softmax", "log_softmax", "polygamma"),
             "scipy.linalg": ("cholesky", "cho_factor", "cho_solve", "solve_triangular", "solve",
                              "inv", "det", "lu_factor", "lu_solve", "eigh", "expm",
                              "solve_discrete_lyapunov", "solve_continuous_lyapunov",
                              "solve_continuous_are", "solve_discrete_are",
                              "solve_sylvester", "sqrtm", "block_diag"),
             "scipy.optimize": ("newton", "toms748")}     # brentq & co: _finder_error


# scipy.stats' distributions and methods that dualgrad.scipy.stats takes on duals
# (tests/test_stats43.py checks this against the package)
_CONTINUOUS = ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")
_DISCRETE = ("pmf", "logpmf", "cdf", "logcdf", "sf", "logsf")
STATS_DROP_INS = {
    **{d: _CONTINUOUS for d in ("norm", "lognorm", "expon", "gamma", "beta", "t", "cauchy",
                                "logistic", "laplace", "uniform", "chi2", "pareto",
                                "weibull_min", "truncnorm")},
    **{d: _DISCRETE for d in ("poisson", "binom", "nbinom", "geom", "bernoulli")},
    "betabinom": ("pmf", "logpmf"), "multivariate_normal": ("logpdf", "pdf"),
    "multivariate_t": ("logpdf", "pdf"),
    "dirichlet": ("logpdf", "pdf"), "multinomial": ("logpmf", "pmf")}


def _stats_drop_in(dist, name, frozen):
    """``dualgrad.scipy.stats``' drop-in for ``scipy.stats.dist.name`` (or the frozen
    ``dist(...).name``), or ``None`` where there is none."""
    if name not in STATS_DROP_INS.get(dist, ()):
        return None
    call = f"stats.{dist}(...).{name}(x)" if frozen else f"stats.{dist}.{name}(...)"
    return (f"use dualgrad.scipy.stats.{dist}.{name} (SciPy's signature; SciPy's value "
            "with exact derivatives): from dualgrad.scipy import stats, then "
            f"{call} with your call's arguments")


def _drop_in(public, name, entry):
    """``dualgrad.scipy``'s drop-in for ``public.name`` with the caller's own call
    written out (its positional arguments by SciPy's names, the keywords it passed),
    or ``None`` where there is none."""
    if name not in _DROP_INS.get(public, ()):
        return None
    import inspect
    drop = f"dualgrad.{public}.{name}"
    args = []
    func = entry.f_globals.get(entry.f_code.co_name)
    func = inspect.unwrap(func) if callable(func) else None
    if getattr(func, "__code__", None) is entry.f_code:
        for p in inspect.signature(func).parameters.values():
            if p.default is inspect.Parameter.empty:
                args.append(p.name)
            elif p.default is None and entry.f_locals.get(p.name) is not None and \
                    not isinstance(entry.f_locals[p.name], (str, bool, int, float, tuple)):
                args.append(f"{p.name}={p.name}")           # an array: logsumexp's b=
    args += [g for g in _given_keywords(entry) if not g.startswith(
        ("check_finite=", "overwrite_"))]
    if name == "logsumexp" and _whole_axis(entry.f_locals):
        # SciPy 1.17 rewrites axis=None as tuple(range(a.ndim)) before it converts a:
        # the user's logsumexp(v) was told "logsumexp(a, axis=(0,))" (userbayes51)
        args = [g for g in args if not g.startswith("axis=")]
    return (f"use {drop} (same signature; SciPy's value with exact derivatives): "
            f"from dualgrad.{public} import {name}, then {name}({', '.join(args)}) as your "
            "call")


_CONVERSIONS = frozenset(("__float__", "__int__", "__complex__", "__index__", "__array__",
                          "__bool__"))


def from_scipy(who, exc):
    """``exc``, raised inside a SciPy function that turned duals into plain arrays,
    as dualgrad's TypeError naming that function and the NumPy spelling that works;
    ``None`` when ``exc`` is something else (it is then raised as it is)."""
    if getattr(exc, "sparse_step", False) or getattr(exc, "masked_step", False) or \
            getattr(exc, "named_step", False):
        return exc          # sparse_keeps_duals's, masked_dual's, a finder's: it names the step
    lost = _finder_lost(who, exc)          # brentq's loop, whatever it ended with
    if lost is not None:
        return lost
    if type(exc) is SystemError:
        return _unchecked_conversion(who, exc)
    # a RuntimeWarning raised (python -W error) by NumPy's object loop in a SciPy frame
    # that made an object array of scalar duals (scipy.stats' `_b * scale` with _b = inf:
    # the dual's partials meet inf), before the step dualgrad refuses (userepi48)
    warned = isinstance(exc, RuntimeWarning) and _held_objects(exc)
    # a bare Exception a SciPy function raised over the error duals caused in it
    # (lobpcg's "Dense eigensolver failed with error / object arrays are not supported",
    # userfem51): named as that function's
    rewrapped = type(exc) is Exception and isinstance(exc.__context__, FOREIGN) and \
        _involves_duals(exc.__context__)
    if not warned and not rewrapped and not isinstance(exc, FOREIGN):
        return _minpack(who, exc) if isinstance(exc, foreign()) else None
    ours = _unhashable(who, exc) or _numpy_on_objects(who, exc) or \
        _compiled_refusal(who, exc)
    if ours is not None:
        return ours
    import traceback
    if "numpy.object_'> not inexact" in str(exc) and _numpy_held_objects(exc):
        return _from_numpy(who, exc)     # np.finfo(object): numpy.polynomial's polyfit and
    told = warned or _involves_duals(exc)    # Polynomial.fit on dual x (attack54 11)
    # AttributeError: scipy.stats.skew / kurtosis on an object array of scalar duals
    # (their array-API finfo of the object dtype, userfin49's Cornish-Fisher VaR)
    # RuntimeError: scipy.ndimage's C code on an object array of duals ("array type not
    # supported", "coordinate array data type not supported": useroptics52), raised in
    # SciPy's own frame (a RuntimeError of the user's code called back by SciPy stays)
    if not told and not (isinstance(exc, (TypeError, ValueError, AttributeError)) or
                         isinstance(exc, RuntimeError) and _raised_in_scipy(exc)) or \
            not told and not _held_dual(exc):
        return None
    entry, called_back = None, False
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        module = frame.f_globals.get("__name__") or ""
        if module.startswith("scipy.") and not module.startswith("scipy._lib"):
            if entry is None or called_back:    # the outermost SciPy frame of the raise's
                entry, called_back = frame, False   # call, or the one user code called
            #     from a callback (scipy.stats.norm.cdf in the f newton calls: quant54)
        elif entry is not None and module.split(".")[0] not in ("scipy", "numpy",
                                                                "dualgrad"):
            # SciPy called user code back (newton's f); unless SciPy handed it an
            # object array it made of the duals (a LinearOperator's matvec=): then
            # the outer frame's conversion is the step to name (attack49 28)
            called_back = called_back or not any(
                type(v).__name__ == "ndarray" and getattr(v, "dtype", None) == object
                for v in frame.f_locals.values())
        elif entry is not None and module.startswith("dualgrad.api.") and \
                frame.f_code.co_name not in _CONVERSIONS:
            # SciPy called a helper's wrapper back (dg.quad's func, dg.solve_ivp's fun):
            # the raise below is the user's code's, on the user's values (attack53 06);
            # not the sparsity tracer's own float(t), SciPy's conversion (attack57 06)
            entry = None
    if entry is None:
        return _from_numpy(who, exc) if told else None
    public = _scipy_public(entry)
    name = entry.f_code.co_name
    if name == "wrapper":                # a decorator's frame (spherical_jn's): what it wraps
        inner = next((v for k in ("fun", "func", "f") if callable(v := entry.f_locals.get(k))
                      and (getattr(v, "__module__", None) or "").startswith("scipy.")), None)
        name = getattr(inner, "__name__", name)
    if name == "axis_nan_policy_wrapper":   # scipy.stats' decorator (skew, kurtosis, ...)
        inner = next((v for k in ("hypotest_fun_in", "hypotest_fun_out")
                      if callable(v := entry.f_locals.get(k))), None)
        name = getattr(inner, "__name__", name)
    if name == "__ua_function__":        # scipy.fft's dispatch: the function it serves
        name = getattr(entry.f_locals.get("method"), "__name__", name)
    owner = entry.f_locals.get("self")
    dist = getattr(owner, "name", None) if owner is not None else None
    frozen = dist is None and isinstance(getattr(getattr(owner, "dist", None), "name", None),
                                         str)      # stats.norm(0, 1).cdf: rv_frozen's method
    if frozen:
        dist = owner.dist.name
    multivariate = public == "scipy.stats" and dist is None and owner is not None and \
        type(owner).__name__.endswith(("_gen", "_frozen"))     # multi_rv_generic's kinds
    if multivariate:                     # multivariate_normal_gen: no .name; its class's
        dist, _, kind = type(owner).__name__.rpartition("_")
        frozen = kind == "frozen"
        if entry.f_code.co_name in ("__init__", "__call__"):    # freezing it: mvn(m, c)
            frozen, name = True, "logpdf"
    if name in ("__init__", "__call__") and owner is not None:
        name = type(owner).__name__      # interp1d(x, y) or its call: the class, by name
    elif public == "scipy.spatial.transform":    # Rotation.from_rotvec (static), r.apply
        qualname = getattr(entry.f_code, "co_qualname", name)
        if qualname.count(".") == 1 and "<" not in qualname:
            name = qualname
        elif owner is not None:
            name = f"{type(owner).__name__}.{name}"
    if public.startswith("scipy.sparse") and \
            getattr(type(getattr(owner, "data", None)), "_kind", None) is not None:
        return _sparse_dual_data(who, name, owner, _caller_line(exc, entry))
    if public == "scipy.sparse" and name in _SPARSE_PRODUCT_METHODS and \
            getattr(owner, "dtype", None) == object:      # the duals are in L's data
        return DualTypeError(
            f"{who}: a scipy.sparse matrix of dual numbers (an object array of scalar "
            "duals as its data) met a product, which SciPy computes in compiled code for "
            "plain numbers; expected plain numbers in a scipy.sparse matrix. Fix: write "
            f"the matrix as {_SPARSE_ASSEMBLY}, or build it from dg.stop_gradient of its "
            "data where no derivative is wanted.")
    if public == "scipy.sparse" and name in _SPARSE_PRODUCT_METHODS and \
            "ScalarDual" in type(entry.f_locals.get("other")).__name__:
        return DualTypeError(                   # L.dot(s): SciPy scales L by a scalar s
            f"{who}: a scipy.sparse matrix's L.dot(s) met a scalar dual s, a scaling of the "
            "matrix, which SciPy computes in compiled code for plain numbers; expected a "
            "plain number or a vector there. Fix: scale what the matrix gives, s * (L @ u) "
            "for its product with u, or s * L.toarray() for the scaled matrix itself.")
    if public == "scipy.sparse" and name in _SPARSE_PRODUCT_METHODS and \
            "Dual" in type(entry.f_locals.get("other")).__name__:
        # a dual array there: SciPy hands the product to the dual's reflected operator,
        # whose own error (a dimension mismatch, a dual of three dimensions) is the one
        # to see (attack48 02)
        return exc if isinstance(exc, (DualTypeError, DualValueError)) else None
    if public.startswith("scipy.sparse") and getattr(owner, "dtype", None) == object:
        return DualTypeError(                 # J.toarray() / J.tocoo() of a nested one
            f"{who}: scipy.sparse's {name} met a sparse matrix of dual numbers (a sparse "
            "Jacobian computed inside another derivative keeps the outer call's duals in "
            "its data), which SciPy's conversions take as plain numbers only; expected "
            "J.data, J.indices and J.indptr read as they are (CSR's or CSC's arrays hold "
            "the duals). Fix: call the inner dg.jacobian without sparsity= for a dense "
            "dual Jacobian, or read J.data with J.indices and J.indptr.")
    if public == "scipy.sparse" and name in _SPARSE_PRODUCT_METHODS:
        return DualTypeError(
            f"{who}: a scipy.sparse matrix's product (L @ u, L.dot(u)) met a NumPy object "
            "array of scalar duals, which its compiled product cannot take; expected one "
            "dual array (L @ u works on those). Fix: build u as one dual array, "
            "np.stack([...]) or array operations rather than np.array([...], "
            "dtype=object).")
    if public == "scipy.sparse.linalg" and type(owner).__name__.endswith("LinearOperator"):
        # op @ u, op.matvec(u), op.dot(u): LinearOperator converts u first (attack49 28)
        inner = getattr(owner, "A", None)
        what = "the matrix itself (A @ u, A.T @ u: sparse and dense matrices take dual " \
            "arrays)" if inner is not None else "the function the operator was built " \
            "from, called on u (its matvec=)"
        return DualTypeError(
            f"{who}: a scipy.sparse.linalg.LinearOperator ({type(owner).__name__}) met "
            f"dual numbers in {name.strip('_')}; it converts its operand with np.asarray, "
            "which drops their derivatives; expected the product written without the "
            f"operator. Fix: apply {what} in place of op @ u / op.matvec(u).")
    if isinstance(dist, str) and public == "scipy.stats":
        func = f"{public}.{dist}(...).{name}" if frozen else f"{public}.{dist}.{name}"
        spelling = _SCIPY_SPELLINGS.get((dist, name))
        if frozen and spelling:
            given = "mean and cov" if multivariate else "loc, scale and the shapes"
            spelling += f" ({given}: those given to {public}.{dist}(...))"
        elif spelling and "scale" in spelling:
            spelling += " (loc=0 and scale=1 where your call gave none)"
    elif public.startswith("scipy.sparse"):
        func, spelling = f"{public}.{name}", _SPARSE_SPELLINGS.get(name) or \
            _SCIPY_SPELLINGS.get(name)
        if name == "eigsh":
            spelling = _eigsh_spelling(entry.f_locals)
        elif name == "lobpcg":
            spelling = _lobpcg_spelling(entry.f_locals)
    else:
        func, spelling = f"{public}.{name}", _SCIPY_SPELLINGS.get(name)
        if public in ("scipy.ndimage", "scipy.fftpack"):   # names other modules share
            spelling = _SCIPY_SPELLINGS.get((public[6:], name), spelling)
        if public == "scipy.ndimage":
            spelling = _ndimage_geometry_spelling(name, entry.f_locals) or spelling
        if name == "lfilter" and entry.f_locals.get("zi") is not None:
            spelling = _SCIPY_SPELLINGS[("lfilter", "zi")]
        spelling = _fit_to_call(public, name, entry, spelling)
        if public == "scipy.spatial.transform" and spelling is None:
            spelling = _ROTATION_SPELLING
    if name in _NUMPY_FFT and (public == "scipy.fft" or public == "scipy.fftpack"
                               and name not in ("rfft", "irfft")):   # fftpack's pack reals
        spelling = f"np.fft.{name} (the same transform; dualgrad follows np.fft)"
    fix = f"write that step as {spelling}" if spelling else \
        "write that step with NumPy functions and the scipy.special ufuncs of " \
        "docs/supported.md"
    drop = _drop_in(public, name, entry) if public != "scipy.stats" else \
        _stats_drop_in(dist, name, frozen)
    if public == "scipy.linalg" and name in ("eigh", "eigvalsh"):
        drop = _eigh_fix(name, entry.f_locals)[0]
    if public == "scipy.spatial.transform" and name.split(".")[0] in ("Rotation", "Slerp"):
        cls = name.split(".")[0]
        drop = (f"use dualgrad.scipy.spatial.transform.{cls} (SciPy's class written on "
                "NumPy: the same methods and conventions, exact derivatives): from "
                f"dualgrad.scipy.spatial.transform import {cls}")
    if drop:
        fix = f"{drop}; or {fix}"
    line = _caller_line(exc, entry)
    if not told:                # its own error on an argument it cannot read as floats
        return DualTypeError(
            f"{who}: {func} raised {type(exc).__name__}({str(exc)!r}) on a dual number "
            "argument; expected NumPy functions or ufuncs there, which dualgrad follows "
            f"(SciPy's other functions do not take dual numbers).{line} Fix: {fix}, or apply "
            f"{func} to dg.stop_gradient(d) (the plain value) where no derivative is "
            "wanted.")
    reason = getattr(exc, "ufunc_refusal", None) or ""
    if "not differentiable in argument" in reason and not drop and not spelling:
        reason = reason.removesuffix("; pass a plain number or array there")
        # a thin SciPy wrapper (scipy.special.zeta over _zeta) handed the dual to a ufunc
        # that refused it for an argument it has no derivative in: that reason is the
        # step to name, not a conversion (newuser55: zeta(s, q) with a dual s was told
        # "converts its input with np.asarray")
        return DualTypeError(
            f"{who}: {func} passed a dual number to a ufunc that does not take it there "
            f"({reason}); expected plain numbers in that argument.{line} Fix: pass a plain "
            f"number or array there, or apply {func} to dg.stop_gradient(d) (the plain "
            "value) where no derivative is wanted.")
    return DualTypeError(
        f"{who}: {func} converts its input with np.asarray, which drops the derivatives "
        f"of dual numbers; expected NumPy functions or ufuncs, which dualgrad follows.{line} "
        f"Fix: {fix}, or apply {func} to dg.stop_gradient(d) (the plain value) where no "
        "derivative is wanted." + _in_library(exc, entry))


def _sparse_dual_data(who, name, owner, line):
    """A scipy.sparse method of a matrix whose ``.data`` is a dual array (the user set
    it: probabilistic-tf-idf's ``res = weights.tocoo(copy=True); res.data =
    gammaln(x[res.row] + res.col) - gammaln(x[res.row])``, then
    ``res.multiply(weights).sum(axis=1)``: told to "write that step with NumPy
    functions", user70): the pattern's arrays and the NumPy spellings of the common
    reductions on them."""
    kind = type(owner).__name__.split("_")[0]
    m = "m" if kind.startswith("coo") else (
        f"m (from the {kind} matrix A: m = A.tocoo() while A's data are still plain, then "
        "m.data = what you set A.data to, in the same order; a tocoo() after the "
        "assignment is refused as this method was; m's row, col and data line up)")
    return DualTypeError(
        f"{who}: scipy.sparse's {name.strip('_')} met a {kind} matrix whose .data is a "
        "dual array (set by an assignment such as m.data = f(...)); SciPy's methods "
        "convert that data with np.asarray, which drops the derivatives; expected plain "
        f"numbers in a scipy.sparse matrix.{line} Fix: keep the pattern's indices and "
        f"compute on the data with NumPy, for a COO matrix {m}: the row sums "
        "m.sum(axis=1) are np.bincount(m.row, weights=m.data, minlength=m.shape[0]) "
        "(column sums: m.col, m.shape[1]); m @ v is np.bincount(m.row, weights=m.data * "
        "v[m.col], minlength=m.shape[0]) and v @ m np.bincount(m.col, weights=m.data * "
        "v[m.row], minlength=m.shape[1]); m.T has m's data with row and col swapped; "
        "m.multiply(B) for B of m's pattern (m made by "
        "B.tocoo(copy=True)) has the data m.data * B.tocoo().data; m.toarray() is d = "
        "np.zeros_like(m.data, shape=m.shape) then np.add.at(d, (m.row, m.col), m.data).")


def _caller(exc, entry):
    """The frame that called the SciPy function ``entry`` in ``exc``'s traceback (the
    traceback's last frame where ``entry`` is not in it; ``None`` for none)."""
    import traceback
    caller = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        if frame is entry:
            break
        caller = frame
    return caller


def _caller_line(exc, entry):
    """`` (at line N of FILE: `code`)`` for the user's line that called the SciPy
    function ``entry`` (attackb67 R2: its refusals named no line); ``""`` where a
    library called it or no frame is found."""
    caller = _caller(exc, entry)
    line = "" if caller is None else user_line(caller)
    return f" {line}" if line else ""


def _in_library(exc, entry):
    """Where an installed library's code (not the user's) called the SciPy function
    ``entry`` (PYPOWER's newtonpf calling spsolve: userpower50, differentiating a power
    flow through the package's own solver), the fix above is not the user's to apply:
    the sentence that says so and names the implicit-function steps; ``""`` otherwise."""
    caller = _caller(exc, entry)
    if caller is None:
        return ""
    module = caller.f_globals.get("__name__") or ""
    path = caller.f_code.co_filename
    if module.split(".")[0] in ("numpy", "scipy", "dualgrad", "__main__") or not \
            ("site-packages" in path or "dist-packages" in path):
        return ""
    return (f" That call is inside {module}.{caller.f_code.co_name}, an installed "
            f"library's code: where it solves F(x, p) = 0 (a power flow, a Newton or "
            "fixed-point iteration), run it on plain values, x = solve(dg.stop_gradient(p)), "
            "and take Newton steps on duals from its solution in your own code, x = x - "
            "np.linalg.solve(dg.jacobian(F, x, p), F(x, p)), one per derivative order "
            "(README, \"Root finders\").")


# scipy.spatial.transform (Rotation, RigidTransform, Slerp) on duals: the rotation in NumPy
_ROTATION_SPELLING = (
    "the rotation written with NumPy: a rotation vector w by Rodrigues' formula (th = "
    "np.linalg.norm(w); K = S(w / th), S(v) = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], "
    "[-v[1], v[0], 0]]); R = np.eye(3) + np.sin(th) * K + (1 - np.cos(th)) * K @ K, with "
    "the Taylor branch np.eye(3) + W + W @ W / 2 + W @ W @ W / 6, W = S(w), where th is "
    "near 0: docs/writing-code.md) or dualgrad.scipy.linalg.expm(S(w)); a quaternion's "
    "matrix from products of its components, Euler angles as a product of elementary "
    "rotations, R @ v for apply")


# NumPy's own errors where it computes with an object array of dual numbers itself:
# a ufunc without an object loop, an object loop calling a method on a Python number
# (np.angle's arctan2(0, z)), and a NumPy scalar's spelling on a scalar dual
# (or an object loop that calls the ufunc's method on each element, and a plain number
# beside the duals has none: np.exp(np.r_[p, 0.0]), user42)
_NO_OBJECT_LOOP = (r"ufunc '(\w+)' not supported for the input types|"
                   r"^loop of ufunc does not support argument \d+ of type "
                   r"(?:int|float|bool|complex) which has no callable (\w+) method")
_NUMBER_METHOD = r"^'(?:int|float|bool)' object has no attribute '(\w+)'"
_SCALAR_INDEX = r"^'\w*ScalarDual\w*' object is not subscriptable"
_SCALAR_ASSIGN = r"^'\w*ScalarDual\w*' object does not support item assignment"
# code written for arrays that meets a number: a mask picks, np.where chooses on both
_SCALAR_MASK = ("for a mask written for arrays that gets one number (a[c >= k] = "
                "g(c[c >= k]), F[np.isnan(F)] = 0), choose with np.where instead: "
                "a = np.where(c >= k, g(c), a), F = np.where(np.isnan(F), 0.0, F)")
# the spellings that turn a dual array into an object array NumPy computes with itself
_OBJECT_SOURCES = ("(np.asarray, np.asanyarray, np.ascontiguousarray, np.asfortranarray "
                   "or np.array of a dual array give one too: pass the dual array itself, "
                   "whose memory layout means nothing to NumPy's functions; np.r_[...] and "
                   "np.c_[...] with a dual in them too: write np.concatenate([p, [0.0]]), "
                   "np.hstack or np.column_stack)")


def _frames(exc):
    """The frames of ``exc``'s traceback (outermost first), with their modules' names."""
    import traceback
    return [(frame, frame.f_globals.get("__name__") or "")
            for frame, _ in traceback.walk_tb(exc.__traceback__)]


def _entered(frames, inside):
    """The first frame for which ``inside(module)`` holds, or ``None``, also where
    dualgrad's own code called it (an error of dualgrad's, not of ``f``'s)."""
    for i, (frame, module) in enumerate(frames):
        if inside(module):
            return None if i and frames[i - 1][1].startswith("dualgrad") else frame
    return None


def _holds_objects(frame):
    """Does ``frame`` hold a dual or an object array in a local variable?"""
    import numpy as np
    return any(type(v).__module__.startswith("dualgrad.dual") or
               isinstance(v, np.ndarray) and v.dtype == object
               for v in frame.f_locals.values())


def _masked_module(name):
    """Is ``name`` numpy.ma or one of its modules (not ``numpy.matrixlib``, whose
    name also begins with "numpy.ma": np.matrix(d).I was said to be np.ma.I)?"""
    return name == "numpy.ma" or name.startswith("numpy.ma.")


def _masked_name(frame):
    """The numpy.ma function or method whose code runs at ``frame``, as the user
    called it: ``np.ma.sqrt`` (a ``__call__`` of its ufunc wrapper), ``np.ma.sum`` (a
    method made a function: its ``wrapper``), ``a masked array's .std()``."""
    owner, name = frame.f_locals.get("self"), frame.f_code.co_name
    if name == "__call__":
        return f"np.ma.{getattr(owner, '__name__', name)}"
    if name == "wrapper" and "methodname" in frame.f_locals:
        return f"np.ma.{frame.f_locals['methodname']}"
    return f"a masked array's .{name}()" if _masked_module(type(owner).__module__) \
        else f"np.ma.{name}"


def _near_duals(frames):
    """Does the innermost frame of ``frames`` hold a dual number, or an object array
    holding one, in a local variable?  (An object loop's "no callable exp method" names
    only the plain number beside the duals.)"""
    import numpy as np
    if not frames:
        return False

    def dual(v):
        return type(v).__module__.startswith("dualgrad.dual")
    return any(dual(v) or isinstance(v, np.ndarray) and v.dtype == object and
               any(dual(e) for e in v.flat) for v in frames[-1][0].f_locals.values())


def _zero_d_objects(frames):
    """Does the innermost frame of ``frames`` hold a 0-d object array of a dual, what
    ``np.array(d)`` of a scalar dual gives (newuser63: a Prandtl factor made an array
    to have its NaN replaced by a mask)?"""
    import numpy as np
    return bool(frames) and any(
        isinstance(v, np.ndarray) and v.dtype == object and v.ndim == 0 and
        type(v[()]).__module__.startswith("dualgrad.dual")
        for v in frames[-1][0].f_locals.values())


def _permuted_dual(who, exc, frames):
    """``rng.permutation(x)`` (``np.random.permutation(x)``) of a 1-D dual array: NumPy
    shuffles the plain array ``np.asarray(x)`` gives, the read-only object array of a
    dual, and raises its bare "array is read-only" (userml48); dualgrad's TypeError
    naming the index spelling instead, ``None`` for anything else."""
    calls = [(f, m) for f, m in frames if m.startswith("numpy.random")]
    if not isinstance(exc, ValueError) or str(exc) != "array is read-only" or \
            not calls or not calls[0][0].f_code.co_name.endswith(".permutation"):
        return None
    at = frames.index(calls[0])
    if at == 0 or not _near_duals(frames[:at]):
        return None
    legacy = calls[0][1] == "numpy.random.mtrand"
    func = "np.random.permutation(x)" if legacy else "rng.permutation(x)"
    index = "np.random.permutation(len(x))" if legacy else "rng.permutation(len(x))"
    return DualTypeError(
        f"{who}: {func} of a dual array raised NumPy's ValueError('array is read-only'): "
        "NumPy permutes a plain copy of x, which cannot hold its derivatives; expected an "
        f"integer or a plain array there. Fix: permute by an index, x[{index}] (the same "
        "order from the same seed, exact derivatives); shuffle rows the same way, "
        f"x = x[{index}], not with shuffle(x) in place, which duplicates rows of a dual "
        "array of two or more dimensions.")


def _numpy_on_objects(who, exc):
    """NumPy's raw error where it met dual numbers it cannot hand to dualgrad (those
    inside an object array, a masked array, or a scalar dual taken for NumPy's
    scalar), raised while ``f`` ran under a helper: dualgrad's TypeError naming the
    function and the spelling that works; ``None`` otherwise (and where a SciPy
    function is involved: :func:`from_scipy` names it)."""
    import re
    frames = _frames(exc)
    # SciPy that called a helper's wrapper back (dg.quad's func, dg.solve_ivp's fun)
    # ran the user's code there: the frames from that wrapper on are the user's step
    # (attack53 06: eig of np.diag([0, p]) inside dg.quad's func gave NumPy's bare
    # "ufunc 'isfinite' not supported"; outside dg.quad this message)
    back = max((i for i, (_, m) in enumerate(frames) if m.startswith("dualgrad.api.")),
               default=-1)
    if 0 <= back < len(frames) - 1 and any(m.startswith("scipy.") for _, m in frames[:back]):
        frames = frames[back + 1:]
    if any(m.startswith("scipy.") for _, m in frames):
        return None
    text = str(exc)
    frame = _entered(frames, _masked_module)
    if frame is not None and any(_holds_objects(f) for f, m in frames
                                 if _masked_module(m)):
        func = _masked_name(frame)
        return DualTypeError(
            f"{who}: {func} raised {type(exc).__name__}({text[:160]!r}) on dual numbers: "
            "numpy.ma computes a masked array of duals as an object array with NumPy's "
            "own loops, which dualgrad does not follow; expected plain NumPy functions on "
            "dual arrays. Fix: call the NumPy function on the dual itself (np.sqrt(x), "
            "np.max(x), np.std(x)) and say what the masked entries mean with it: "
            "x[~mask], np.where(mask, fill, x), or np.nanmax / np.nanstd where NaN marks "
            "them.")
    if frames and frames[-1][1].startswith("dualgrad"):
        return None                                 # raised in dualgrad's own code
    permuted = _permuted_dual(who, exc, frames)
    if permuted is not None:
        return permuted
    m = re.search(_SCALAR_INDEX, text)
    if isinstance(exc, TypeError) and m:
        return DualTypeError(
            f"{who}: indexing a scalar dual (d[()], d[0], d[d > k]; np.sum(x * x) and "
            "x[i] are scalar duals): NumPy's float64 takes d[()] and a mask, a scalar "
            "dual is one number and takes no index; expected an array dual there. Fix: "
            "use d itself where NumPy's code would write d[()] or d.item(), keep an "
            "array with keepdims=True (np.sum(x * x, keepdims=True)[0]); "
            f"{_SCALAR_MASK}.")
    if isinstance(exc, TypeError) and re.search(_SCALAR_ASSIGN, text):
        return DualTypeError(
            f"{who}: assigning into a scalar dual (d[mask] = v, d[()] = v): a scalar dual "
            "is one number and takes no item assignment, as NumPy's float64 takes none "
            "(its code wraps one in np.array(x) first, which of a scalar dual is a 0-d "
            "object array NumPy computes with itself); expected an array dual there. "
            f"Fix: {_SCALAR_MASK}.")
    m = re.search(_NO_OBJECT_LOOP, text) if isinstance(exc, TypeError) else \
        re.search(_NUMBER_METHOD, text) if isinstance(exc, AttributeError) else None
    if m is None or m.re.groups > 1 and m.group(2) and not _near_duals(frames):
        return None
    numpy = [f for f, n in frames if n == "numpy" or n.startswith("numpy.")]
    frame = _entered(frames, lambda n: n == "numpy" or n.startswith("numpy."))
    if frame is not None:
        module = frame.f_globals["__name__"]
        func = ("np.linalg." if module.startswith("numpy.linalg") else "np.fft."
                if module.startswith("numpy.fft") else "np.") + frame.f_code.co_name
    elif not numpy and (isinstance(exc, TypeError) or _near_duals(frames) and
                        _is_ufunc_name(m.group(1))):
        func = f"np.{m.group(1) or m.group(2)}"      # the ufunc, called from f itself
        # (a binary one's object loop calls the element's method: np.fmod([d, 1.3], c)
        # asks 1.3 for .fmod, an AttributeError; attack47 04)
    else:
        return None
    return DualTypeError(
        f"{who}: {func} received an object array holding dual numbers and NumPy raised "
        f"{type(exc).__name__}({text[:120]!r}): NumPy computes an object array with its "
        "own loops and never hands it to dualgrad; expected a dual array there. Fix: "
        f"call {func} on the dual array itself {_OBJECT_SOURCES}, or build one from "
        "scalar duals with np.stack([a, b]) instead of np.array([a, b])" + (
            "; np.array(d) of a scalar dual is a 0-d object array (NumPy's scalar code "
            "writes it to assign into a number): keep d a scalar dual, and " + _SCALAR_MASK
            if _zero_d_objects(frames) else "") + ".")


def _is_ufunc_name(name):
    """Whether ``np.<name>`` is a ufunc (an object loop asks its elements for a method of
    that name: ``np.fmod([d, 1.3], c)`` asks 1.3 for ``.fmod``)."""
    import numpy as np
    return isinstance(getattr(np, name, None), np.ufunc)


def _matrix_of_duals(who, name, exc):
    """An ``np.matrix`` method (``.I``, ``.H``...) raised on a matrix of duals:
    ``np.matrix(d)`` holds the duals as an object matrix, which NumPy computes with its
    own loops (attack32: the message named np.ma.I, then np.I)."""
    return DualTypeError(
        f"{who}: np.matrix's .{name} raised {type(exc).__name__}({str(exc)[:120]!r}) on "
        "a matrix of dual numbers: np.matrix(d) keeps the duals as an object matrix, "
        "whose methods NumPy computes with its own loops and never hands to dualgrad; "
        "expected a dual array. Fix: keep d a dual array and use the functions: "
        "np.linalg.inv(d) for .I (np.linalg.pinv(d) for a non-square one), d.T for .T, "
        "d @ e for the matrix product, np.conj(d).T for .H.")


# numpy.polynomial's modules and their pseudo-Vandermonde matrices
_VANDER = {"polynomial": "polyvander", "chebyshev": "chebvander", "legendre": "legvander",
           "hermite": "hermvander", "hermite_e": "hermevander", "laguerre": "lagvander"}


def _polynomial_of_duals(who, module, name):
    """A ``numpy.polynomial`` function (pure Python: no dualgrad hook) converted a dual
    array with ``np.asarray`` into an object array and failed in its least-squares or
    companion-matrix step (user44: a projection method's ``chebfit`` was told to build
    the dual array it had passed, as ``np.chebfit``; ``np.polynomial.polynomial.polyfit``
    was named ``np.polyfit``, which takes duals)."""
    kind = module.rsplit(".", 1)[-1]
    if kind in _VANDER:
        func = f"np.polynomial.{kind}.{name}"
        V = f"np.polynomial.{kind}.{_VANDER[kind]}(x, deg)"
    else:                                   # _polybase: Polynomial.fit, Chebyshev.fit ...
        func = f"numpy.polynomial's {name} method (Polynomial.{name}, Chebyshev.{name}, ...)"
        V = ("np.polynomial.chebyshev.chebvander(t, deg) (the class's own basis: polyvander, "
             "legvander, hermvander, lagvander) with t = (2 * x - (a + b)) / (b - a), "
             "a, b = x.min(), x.max(), the domain the class maps onto [-1, 1] before "
             "fitting (its .coef are in t)")
    if name.endswith("fit"):
        fix = (f"fit by least squares with NumPy's own lstsq, which takes duals: coef = "
               f"np.linalg.lstsq(V, y, rcond=None)[0] with V = {V} (x plain, V plain; "
               "deg an int; weights w: V * w[:, None] and y * w), or np.polyfit(x, y, deg) "
               "for the power basis (highest power first; it takes duals)")
    else:
        fix = ("evaluate with the basis's val function (np.polynomial.chebyshev.chebval(x, "
               "c), polyval, legval ...) or the class's call, which take duals, and write "
               f"what {name} computes with NumPy functions on the dual arrays")
    return DualTypeError(
        f"{who}: {func} converts its arguments with np.asarray, which makes an object "
        "array of the dual numbers (numpy.polynomial is Python that NumPy never hands to "
        "dualgrad), and its linear algebra cannot take one; expected NumPy functions on "
        f"dual arrays. Fix: {fix}.")


def _compiled_refusal(who, exc):
    """A compiled method's own TypeError on a dual argument (``argument 1 must be
    numpy.ndarray, not ArrayDual``: SciPy's ``splu(A).solve(b)``, ``factorized(A)(b)``,
    whose C code leaves no Python frame to name), raised on a line of the user's code:
    dualgrad's TypeError quoting that line; ``None`` otherwise."""
    import linecache
    import re
    text = str(exc)
    objects = text.startswith("Cannot cast array data from dtype('O')")
    if not isinstance(exc, TypeError) or not objects and \
            not re.search(r"must be [\w. ]+, not \w*(?:Dual|Tracer)\w*$", text):
        return None
    frames = _frames(exc)
    if not frames or frames[-1][1].startswith(("dualgrad", "numpy", "scipy")) or \
            objects and not _near_duals(frames):
        return None
    frame = frames[-1][0]
    line = exc.__traceback__
    while line.tb_next is not None:
        line = line.tb_next
    source = linecache.getline(frame.f_code.co_filename, line.tb_lineno).strip()
    return DualTypeError(
        f"{who}: a compiled function called at {frame.f_code.co_filename}:{line.tb_lineno} "
        f"({source[:120]!r}) raised TypeError({text!r}): compiled code reads plain "
        "numbers, which would drop the derivatives" + (
            " (an object array of scalar duals, as np.array([x[0], 1.0]) makes, is one "
            "too: build it with np.stack or np.concatenate)" if objects else "") +
        "; expected NumPy functions or ufuncs there, which dualgrad follows. Fix: write "
        "that step with NumPy functions on the dual (docs/supported.md): a sparse "
        "factorization's solve (scipy.sparse.linalg."
        "splu(A).solve(b), factorized(A)(b)) as np.linalg.solve(A.toarray(), b); or apply "
        "it to dg.stop_gradient(d) (the plain value) where no derivative is wanted.")


def _from_numpy(who, exc):
    """``exc`` raised inside a NumPy function called from user code on a list or an
    object array holding duals (NumPy hands a call to dualgrad only when a dual is one
    of its direct arguments, never when duals sit inside a list): dualgrad's TypeError
    naming the function and the ``np.stack`` spelling; ``None`` otherwise."""
    import traceback
    text = str(exc)
    if "dtype('O')" not in text and "object arrays are not supported" not in text and \
            "numpy.object_'> not inexact" not in text:       # np.finfo(object): polyfit's
        return None                                          # rcond (attack54 11)
    caller = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        module = frame.f_globals.get("__name__") or ""
        if module == "numpy" or module.startswith("numpy."):
            if caller is None or caller.startswith("dualgrad"):
                return None                     # reached from dualgrad itself: not this
            name = frame.f_code.co_name
            if module.startswith("numpy.matrixlib"):
                return _matrix_of_duals(who, name, exc)
            if module.startswith("numpy.polynomial"):
                return _polynomial_of_duals(who, module, name)
            public = "np.linalg" if module.startswith("numpy.linalg") else \
                "np.fft" if module.startswith("numpy.fft") else "np"
            func = f"{public}.{name}"
            break
        caller = module
    else:
        return None
    return DualTypeError(
        f"{who}: {func} received a list or an object array holding dual numbers: "
        "np.array of a (nested) list of scalar duals, such as np.array([[a / d, 0., "
        "b / d]]), makes an object array without a word (products with it still work, "
        "in NumPy's own loops), and NumPy hands a call to dualgrad only when a dual is "
        f"one of its direct arguments, so {func} tried plain floats; expected a dual "
        "array there. Fix: build that argument as a dual array where it is made, with "
        "np.stack([a, b]) instead of [a, b] or np.array([a, b]) (a matrix: "
        "np.stack([np.stack(row) for row in rows])) or np.block([[a / d, 0., b / d]]) "
        f"(scalar duals and plain numbers alike), then call {func} on it "
        f"{_OBJECT_SOURCES}.")
