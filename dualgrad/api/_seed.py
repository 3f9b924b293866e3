"""Seeding input directions in chunks, evaluating, and extracting partials.

A derivative of ``f`` at inputs ``xs`` is assembled from passes: each pass takes
a new tag, seeds a chunk of the input directions (the others are constants to
that pass), evaluates ``f`` once and copies the chunk's partials out.  One
chunk is just the degenerate case.  Results do not depend on the chunk size.
"""

import itertools
import math
import weakref

import numpy as np

from .. import backend, errors
from .. import dual
from ..dual import (ELEMENTS, Dual, _snapshots, check_live, elements_written, holomorphic_tag,
                   make, new_tag, numeric, retire)
from ..dispatch._second_order import seeded_by
from ._parallel import EXPECT, SLACK, passing, watched_tasks, worker_count
from ._tree import ResultList, Results, flatten, is_node
from ._undefined import nan_outer
from ..dual import from_object_array as _from_object_array, stack_scalars

__all__ = ["chunk_sizes", "private", "seed", "extract", "jacobian_columns", "chunk_tasks",
           "evaluate_chunk", "assemble", "same_values", "as_array", "OutTree", "split_aux",
           "strip_tag", "shape", "translated", "pass_note", "MAX_CHUNK", "linked"]

# chunk=None: as many directions per pass as fit, up to MAX_CHUNK, while the
# partials of an intermediate as large as the input stay within MEMORY_BUDGET.
# Fewer passes win (bench/RESULTS.md: one pass of n directions costs far less
# than n passes of one); scalars beyond 16 partials switch to the vector kind.
MAX_CHUNK = 256
MEMORY_BUDGET = 1 << 24          # bytes of partials per intermediate


def chunk_sizes(ndirs, chunk=None, input_size=1):
    """Balanced chunk widths covering ``ndirs`` directions."""
    if ndirs == 0:
        return []
    cap = chunk if chunk is not None else \
        max(1, min(MAX_CHUNK, MEMORY_BUDGET // (8 * max(input_size, 1))))
    cap = min(cap, ndirs)
    count = math.ceil(ndirs / cap)
    base, extra = divmod(ndirs, count)
    return [base + (i < extra) for i in range(count)]


def private(x):
    """A copy of an input that ``f`` may write into: every pass of a helper, and the
    caller's own array, sees the input as it was given, whatever ``f`` does in place."""
    return x.copy() if isinstance(x, (np.ndarray, Dual)) and x.ndim else x


def seed(x, start, width, tag, columns=None):
    """``x`` (a private copy) as a dual whose flat entries ``start:start+width`` are
    seeded.

    ``start`` may be negative or beyond ``x``: only the overlap is seeded, so the
    directions of several inputs can share one pass.  ``columns`` (at least
    ``width``) pads the partials with zero directions.
    """
    columns = columns or width
    if type(x) is float or type(x) is complex or getattr(x, "ndim", 1) == 0:  # a scalar
        partials = [0.0] * columns
        if 0 <= -start < width:
            partials[-start] = 1.0
        return dual.make_scalar(x, partials, tag)
    shape = x.shape                      # an ndarray or an array dual of an outer call
    size = math.prod(shape)
    lo, hi = max(start, 0), min(start + width, size)
    partials = np.zeros((size, columns))
    if lo < hi:                          # entry i gets direction i - start: a strided diagonal
        first = lo * columns + (lo - start)
        partials.reshape(-1)[first:first + (hi - lo) * (columns + 1):columns + 1] = 1.0
    return make(private(x), partials.reshape(shape + (columns,)), tag)


def _leaves(out):
    """The items of nested lists, tuples and object arrays ``out``."""
    for item in (out.flat if isinstance(out, np.ndarray) else out):
        if isinstance(item, (list, tuple)) or \
                isinstance(item, np.ndarray) and item.dtype == object:
            yield from _leaves(item)
        else:
            yield item


def warn_if_caught(who, tag):
    """f's result of the pass with ``tag`` has derivatives: warn if f caught a dualgrad
    error or made an object array nobody read (``p0**2 + guarded(p)``: the guarded
    term, computed in an except branch, may have lost its derivative)."""
    caught = errors.made_since(tag, who)
    if caught is not None:
        errors.caught_warning(who, caught)


_DOUBLE = (np.dtype(np.float64), np.dtype(np.complex128))


def _double(a):
    """``a`` (a value or partials of ``f``'s output) in float64, or complex128 for complex
    numbers, as API.md promises whatever the dtypes ``f`` computed in: a constant of
    extended precision (``x * np.longdouble(0.1)``) made longdouble partials and a
    float128 Jacobian (outside attack 32).  float64 arrays, Python numbers and duals (a
    Hessian's outer level) pass as they are."""
    t = type(a)
    if t is np.ndarray:
        if a.dtype in _DOUBLE or a.dtype.kind not in "fc":
            return a
        return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    if isinstance(a, np.complexfloating) and t is not np.complex128:
        return np.complex128(a)
    if isinstance(a, np.floating) and t is not np.float64:
        return np.float64(a)
    return a


def extract(who, out, tag, width, scalars=True):
    """``(value, partials)`` of ``f``'s output for the pass with ``tag``.

    ``partials`` has shape ``value.shape + (width,)``; constants give zeros.
    An output pytree (a dict, or a list/tuple that is not one array: see
    :func:`is_output_tree`) gives an :class:`OutTree` value and partials of
    shape ``(M, width)``, the rows of its leaves one after the other.

    After f caught one of dualgrad's errors, or made an object array of duals that
    nobody read (a library refused it: :func:`dualgrad.errors.made_since`), a result
    with any element or leaf without derivatives raises, and one with derivatives
    everywhere warns (a term computed in the except branch would have none).
    After NumPy made an array of a scalar dual (``np.asarray(p[0])`` in scipy.stats),
    or any object array of the call's duals, read or not, a result with no derivatives
    at all raises (``scalars``: no other leaf of f's pytree has any).
    """
    if is_output_tree(out):
        return _extract_tree(who, out, tag, width)
    if isinstance(out, (list, tuple)) or isinstance(out, np.ndarray) and out.dtype == object:
        caught = errors.made_since(tag, who)
        if caught is not None and not all(isinstance(i, Dual) and i.tag == tag
                                          for i in _leaves(out)):   # [r0, 1e10]: a guarded
            raise errors.swallowed(who, caught,                     # residual's rows
                                   errors.arrays_returned(tag, _leaves(out)))
    noted = errors.objects_noted()      # (the object arrays made below are extract's own)
    if isinstance(out, (list, tuple)):
        items = np.empty(len(out), dtype=object)
        items[:] = list(out)
        if any(isinstance(i, Dual) and i.ndim for i in out):
            shapes = {np.shape(i) for i in out}
            if len(shapes) > 1:
                raise errors.bad_type(who, f"f to return one array, or a {type(out).__name__} "
                                      "of equal shapes", f"shapes {sorted(shapes)}",
                                      "Concatenate the pieces, e.g. np.concatenate([a, "
                                      "b.ravel()]), or return a dict {'a': a, 'b': b} for "
                                      "one result per piece.")
            out = np.stack(list(out))
        elif any(isinstance(i, (list, tuple, np.ndarray)) for i in out):
            try:                        # nested: one array, as np.array reads it
                out = np.array(out, dtype=object)
                if any(isinstance(i, (list, tuple, np.ndarray)) for i in out.flat):
                    raise ValueError("ragged")
            except ValueError as exc:
                raise errors.bad_type(
                    who, f"f to return one array, or a nested {type(out).__name__} NumPy "
                    "reads as one (items of equal lengths)", "a ragged nesting",
                    "Build one array with np.stack / np.concatenate (or np.array of "
                    "equal-length rows), or return a dict {'a': a, 'b': b} for one result "
                    "per piece.") from exc
        else:
            out = items
    errors.objects_restore(noted)
    if isinstance(out, np.ndarray) and out.dtype == object:
        if type(out) is not np.ndarray and (isinstance(out, np.matrix) or errors._masked_module(
                type(out).__module__)):           # np.matrix(A).dot(x), m * x[0]:
            raise errors.subclass_result(who, type(out))  # that class's object loops
        out = _from_object_array(out)
    if isinstance(out, Dual) and out.tag == tag:
        warn_if_caught(who, tag)
        if isinstance(out.value, Dual):            # partials of an outer level: a NaN
            return out.value, nan_outer(          # one's are NaN (_undefined)
                out._plist() if out._kind == "slots" else out.partials, out.value)
        if out._kind == "slots":                   # a scalar dual: no array on the way
            return _double(out.value), out._plist()
        if out._kind == "array" and type(out._p) is np.ndarray:
            return _double(out.value), _double(out._p)  # (what the property returns us)
        return _double(out.value), _double(out.partials)
    if isinstance(out, Dual):
        check_live(out.tag, who)                  # an escaped dual of a finished call
    caught = errors.made_since(tag, who) or \
        (scalars and (errors.scalar_since(tag) or errors.arrays_since(tag)) or None)
    if caught is not None:
        raise errors.swallowed(who, caught)
    if not isinstance(out, Dual):
        if errors.equal_since(tag):
            errors.MADE.equal_at = 0             # (once a call: a Hessian's levels
            errors.guard_constant_warning(who)   # both see the equality)
        elif errors.compared_since(tag):
            errors.compared_only_warning(who)
    if isinstance(out, Dual):
        value = out
    else:
        try:
            value = np.asarray(out)
        except Exception as exc:  # noqa: BLE001
            raise errors.bad_type(who, "f to return numbers", type(out).__name__) from exc
        if value.dtype.kind not in "biufc":
            raise errors.bad_type(who, "f to return numbers",
                                  f"{type(out).__name__} of dtype {value.dtype}")
        value = value.astype(complex if value.dtype.kind == "c" else float)
    return value, np.zeros(np.shape(value) + (width,), dtype=value.dtype if
                           isinstance(value, np.ndarray) and value.dtype.kind == "c" else float)


class OutTree:
    """The value of an output pytree: its treedef and its leaves' values."""

    __slots__ = ("treedef", "values")

    def __init__(self, treedef, values):
        self.treedef, self.values = treedef, values


def is_output_tree(out):
    """Is ``f``'s output a pytree?  A dict is, and so is a list or tuple holding a
    dict or a nested list/tuple of arrays; a flat list or tuple of numbers or
    arrays is stacked into one array, as it always was.  A helper's own tuple
    (:class:`Results`: ``grad(f, argnums=(0, 1))``'s; :class:`ResultList`; a helper's
    namedtuple, :func:`_tree.helper_made`) is one, whatever it holds."""
    t = type(out)
    if t is dict or t is Results or t is ResultList or getattr(t, "_helper_made", False):
        return True
    return is_node(out) and any(is_node(item) for item in out)


def _extract_tree(who, out, tag, width):
    leaves, treedef = flatten(out)
    # after an array of a scalar dual (no error), only a tree without derivatives is suspect
    scalars = not any(isinstance(i, Dual) and i.tag == tag for i in _leaves(leaves))
    values, rows = [], []
    for leaf in leaves:
        value, partials = extract(who, leaf, tag, width, scalars)
        values.append(value)
        rows.append(as_array(partials).reshape((math.prod(np.shape(value)), width)))
    if not rows:
        return OutTree(treedef, values), np.zeros((0, width))
    return OutTree(treedef, values), rows[0] if len(rows) == 1 else np.concatenate(rows)


def split_aux(who, out):
    """``(out, aux)`` from the output of ``f`` with ``has_aux=True``."""
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        got = f"a {type(out).__name__} of length {len(out)}" \
            if isinstance(out, (tuple, list)) else "a dual number (out alone)" \
            if isinstance(out, Dual) else type(out).__name__
        raise errors.bad_type(who, "f to return a pair (out, aux) with has_aux=True", got,
                              "Return (out, aux), or drop has_aux=True.")
    return out[0], out[1]


def strip_tag(aux, tag):
    """``aux`` with the duals of this pass replaced by their values (recursively
    through dicts, lists, tuples and object arrays), so that no dual of a
    finished pass escapes; duals of outer calls stay duals."""
    if isinstance(aux, Dual):
        if aux.tag != tag:
            check_live(aux.tag)          # an escaped dual of a finished call: an error
        return aux.value if aux.tag == tag else aux
    if type(aux) is dict:
        return {k: strip_tag(v, tag) for k, v in aux.items()}
    if isinstance(aux, (list, tuple)):
        items = [strip_tag(v, tag) for v in aux]
        if type(aux) is list:
            return items
        return type(aux)(*items) if hasattr(type(aux), "_fields") else type(aux)(items)
    if isinstance(aux, np.ndarray) and aux.dtype == object:
        flat = [strip_tag(v, tag) for v in aux.ravel()]
        if any(isinstance(v, Dual) for v in flat):
            return _from_object_array(np.array(flat, dtype=object).reshape(aux.shape))
        return np.array(flat, dtype=np.result_type(np.float64, *{type(v) for v in flat})
                        ).reshape(aux.shape) if flat and all(
            isinstance(v, (int, float, np.number)) for v in flat) else \
            np.array(flat, dtype=object).reshape(aux.shape)
    return aux


def evaluate_chunk(who, f, template, nums, xs, kwargs, start, width, columns=None,
                   has_aux=False):
    """One pass: seed directions ``start:start+width`` of ``xs``, call ``f``.

    ``template`` holds ``f``'s positional arguments; the inputs ``xs`` go at
    positions ``nums``.  Module-level and closure-free, so executors can pickle it.
    ``columns`` pads the seeds (numba-jitted ``f`` compiles once per width of a
    fixed ladder).  While ``f`` runs, the pool of :mod:`dualgrad.backend` serves
    large partials.  Returns ``(value, partials)`` with ``partials`` an array (or a
    list for a scalar output); with ``has_aux``, ``(value, partials, aux)``.
    """
    tag = new_tag()
    if EXPECT[0]:                    # a pass of a helper that compares its passes
        passing(tag)
    if any(type(x) is complex or type(x) is np.ndarray and x.dtype.kind == "c" for x in xs):
        holomorphic_tag(tag)          # complex inputs pass validation only with holomorphic=True
    link = dual.linking(None)        # (the passes f itself starts are not linked)
    seeds = []
    try:
        full = list(template)
        offset = 0
        for i, x in zip(nums, xs):
            full[i] = seed(x, start - offset, width, tag, columns) if width else private(x)
            size = 1 if type(x) is float or type(x) is complex else math.prod(x.shape)
            if width and link is not None and (link.unmapped or
                                               any(x is y for y in link.xs)):
                seeds.append((x, start - offset, width, size))
            offset += size
        if seeds:                # read only at a tie the second order decides
            dual.DIAGONAL[tag] = [None, None, link, 0, seeds, columns or width]
        if columns is None:
            try:                # (around the scope: its exit materializes, numba compiles)
                with backend.scope():
                    out = f(*full, **kwargs)
                    if not has_aux:
                        return extract(who, out, tag, width)
                    out, aux = split_aux(who, out)
                    return extract(who, out, tag, width) + (strip_tag(aux, tag),)
            except Exception as exc:
                ours = translated(who, exc)
                if ours is exc:
                    raise
                raise ours from exc
        out = call_jitted(who, f, full, kwargs)
        if has_aux:
            out, aux = split_aux(who, out)
        value, partials = extract(who, out, tag, columns)
        partials = partials[:width] if isinstance(partials, list) else partials[..., :width]
        return (value, partials, strip_tag(aux, tag)) if has_aux else (value, partials)
    finally:
        if link is not None:
            dual.DIAGONAL.pop(tag, None)
            dual.linking(link)
        retire(tag)           # its duals are dead from here on (escaped: an error)


class linked:
    """``with linked(xs):`` the passes this thread starts (not those their ``f`` starts)
    seed ``xs``, the input duals of an enclosing pass that reach ``f`` only through
    this seeding (dg.hessian's inner gradient, ``jacfwd(grad(f))``): each of their
    directions is the outer direction of its input entry (``dual.DIAGONAL``: the
    seeds, read by :mod:`dualgrad.dispatch._second_order` at a tie it decides).
    ``unmapped``: the passes seed duals of a colored outer pass (sparsity=): no
    diagonal, but their ties are noted and decisions replayed.

    ``mode``: ``"plain"`` (each pass decides a second-order tie by the diagonal it
    sees; ``missed`` is set where a pass saw none to decide by: a chunked Hessian's
    block between two input chunks), ``"record"`` (a pass seeded with the outer
    pass's own entries decides every tie and appends the decisions to ``tape``) or
    ``"replay"`` (every pass takes the tape's decisions in order; ``broken`` where the
    ties differ from the recorded ones: the midpoint then)."""

    def __init__(self, xs, unmapped=False):
        self.xs, self.unmapped = xs, unmapped
        self.mode, self.tape, self.missed, self.broken = "plain", [], False, False
        self.firsts = []
        self.forced, self.summary = {}, {}      # dg.hessian's chunks (_second_order.clashes)

    def register(self, tag, outer, qmap):
        """Link the pass of ``tag`` (nested in the pass of ``outer``) to this link by
        hand, its direction p being the outer ``qmap[p]`` (-1: none); undone by
        :meth:`forget`."""
        dual.DIAGONAL[tag] = [outer, np.asarray(qmap, np.int64), self, 0, None, None]

    @staticmethod
    def forget(tag):
        dual.DIAGONAL.pop(tag, None)

    def active(self):
        """``with link.active():`` only sets this thread's link (no seeds of its own:
        a worker thread of ``sparsity=``'s passes)."""
        return _Active(self)

    def __enter__(self):
        self.before = dual.linking(self)
        return self

    def __exit__(self, *exc):
        dual.linking(self.before)

    def outer_span(self):
        """``(start, width)``: the outer pass's seeded entries as one run of the flat
        concatenation of ``xs``, or ``None`` (leaves seeded unlike one pass)."""
        starts, lo, hi, offset = set(), [], [], 0
        for x in self.xs:
            found = seeded_by(x, deep=True)   # (deep: passes wrapped around)
            if found is not None:
                _, s, qlo, qhi = found        # direction q: flat entry offset + s + q
                starts.add(offset + s)
                lo.append(qlo)
                hi.append(qhi)
            offset += 1 if type(x) is float or type(x) is complex else \
                math.prod(np.shape(x))
        if len(starts) != 1:
            return None
        return starts.pop() + min(lo), max(hi) - min(lo)


def translated(who, exc):
    """The error to raise for ``exc``, raised while ``f`` ran on duals: ours where we
    can say more (a numba-jitted helper that cannot type duals, SciPy's
    ``np.asarray``, a write into a read-only snapshot), else ``exc`` itself."""
    refusal = getattr(exc, "jit_refusal", None)
    if refusal is not None:                 # a jitted function that f calls refused a dual
        return errors.jit_argument(who, *refusal)
    return errors.swallowed_store(exc) or \
        errors.numba_typing_on_duals(who, exc) or errors.from_scipy(who, exc) or \
        _snapshots.explain(who, exc) or errors.object_cast(who, exc) or \
        errors.damaged_numba_cache(who, exc) or exc


def pass_note(width, first=0):
    """The note on an exception raised while ``f`` ran in the one pass over all
    ``width`` input directions (from ``first`` on)."""
    return f"dualgrad: raised while evaluating f on {_Labels([first], [width])[0]}"


def is_jitted(f):
    """Is ``f`` a numba dispatcher (``@numba.njit`` function)?"""
    return type(f).__module__.startswith("numba") and hasattr(f, "py_func")


_numba_taught = False


def call_jitted(who, f, args, kwargs):
    """Call a numba-jitted ``f`` on duals; its typing errors become ours."""
    global _numba_taught
    if not _numba_taught:
        from ..jit import _numba_dual  # noqa: F401  (teaches numba the dual types)
        _numba_taught = True
    backend.before_write()          # numba code may write into the duals it is given
    if ELEMENTS:
        elements_written()
    try:
        return serial_twin(f)(*args, **kwargs)
    except Exception as exc:
        refusal = getattr(exc, "jit_refusal", None)
        if refusal is not None:             # typeof refused an argument (nested duals)
            raise errors.jit_argument(who, *refusal) from exc
        if type(exc).__name__ == "TypingError":
            nested = any(isinstance(a, Dual) and (isinstance(a.value, Dual) or
                                                  getattr(a.value, "dtype", None) == object)
                         for a in args)
            raise errors.numba_unsupported(who, str(exc), nested) from exc
        if type(exc).__module__.startswith("numba") and "parfor" in str(exc):
            raise errors.numba_parallel(who, str(exc)) from exc
        raise


_TWINS: "weakref.WeakKeyDictionary[object, object]" = weakref.WeakKeyDictionary()
_DROPPED = ("parallel", "fastmath")


def serial_twin(f):
    """The dispatcher that runs a jitted ``f`` on duals: ``f`` itself, or, where ``f``
    or a jitted function it calls by name (a global or a closure variable, to any
    depth) was compiled with ``parallel=True`` or ``fastmath=True``, a twin compiled
    from ``f.py_func`` without them, calling the callees' twins.  numba's parfor
    lowering has no rule for the dual types (a ``prange`` reduction raised
    NumbaNotImplementedError), and fastmath's no-inf, no-NaN flags let LLVM fold away
    the NaN-safe propagation (a zero partial times an infinite local derivative is 0:
    ``sqrt((p0 - p0)**2)`` gave NaN in every direction).  ``prange`` is ``range``
    outside parallel code, so the twin computes what ``f`` computes, on one thread."""
    try:
        twin = _TWINS.get(f)
    except TypeError:                   # not weak-referenceable: leave it be
        return f
    if twin is None:
        _TWINS[f] = f                   # a recursive f meets itself: as it is
        twin = _TWINS[f] = _make_twin(f)
    return twin


def _make_twin(f):
    import types
    py = getattr(f, "py_func", None)
    opts = getattr(f, "targetoptions", None) or {}
    if py is None or not isinstance(opts, dict):
        return f
    code, gl = py.__code__, py.__globals__
    names = set(code.co_names)
    swaps = {}
    for name in names:
        g = gl.get(name)
        if is_jitted(g) and g is not f:
            t = serial_twin(g)
            if t is not g:
                swaps[name] = t
    cells = py.__closure__ or ()
    new_cells = []
    for name, cell in zip(code.co_freevars, cells):
        try:
            g = cell.cell_contents
        except ValueError:
            new_cells.append(cell)
            continue
        t = serial_twin(g) if is_jitted(g) and g is not f else g
        new_cells.append(types.CellType(t) if t is not g else cell)
    changed = swaps or any(a is not b for a, b in zip(new_cells, cells))
    if not changed and not any(opts.get(k) for k in _DROPPED):
        return f
    import numba
    kept = {k: v for k, v in opts.items() if k not in _DROPPED + ("nopython",)}
    # no cache=True: numba's cache index ignores the flags, so the twin would share
    # (and could load) entries of f's own fastmath specializations
    if changed:
        py = types.FunctionType(code, {**gl, **swaps}, py.__name__, py.__defaults__,
                                tuple(new_cells) or None)
        py.__kwdefaults__ = f.py_func.__kwdefaults__
        py.__qualname__ = f.py_func.__qualname__
        py.__module__ = f.py_func.__module__
    return numba.njit(**kept)(py)


def ladder_width(width):
    """The smallest width of the jitted ladder (1, 2, 4, 8, 16) holding ``width``."""
    return 1 << (width - 1).bit_length()


def _widths(f, xs, chunk, executor=None, first=0):
    """The passes' widths, and whether ``f`` is jitted (then widths pad to the ladder).

    ``first``: the passes cover directions ``first`` onwards only (a Hessian's
    outer chunk needs the inner gradient's entries from its own first direction on).

    With an ``executor`` and ``chunk=None``, at least as many chunks as the
    executor has workers (when there are that many directions), and a multiple
    of that count, so that every worker gets work and none gets more than its share.
    """
    sizes = [1 if type(x) is float or type(x) is complex else math.prod(x.shape)
             for x in xs]
    # an input that is already a dual (nested call) multiplies every partial
    weight = max((x.partials.size if isinstance(x, Dual) and x._kind != "slots" else s)
                 for x, s in zip(xs, sizes)) if xs else 1
    jitted, auto = is_jitted(f), chunk is None
    if jitted:                           # the ladder tops out at 16 directions
        chunk = min(chunk or 16, 16)
    ndirs = sum(sizes) - first
    widths = chunk_sizes(ndirs, chunk, weight) or [0]
    if executor is not None and auto and ndirs:
        workers = worker_count(executor)
        count = min(ndirs, workers * math.ceil(len(widths) / workers))
        if count != len(widths):
            widths = chunk_sizes(ndirs, math.ceil(ndirs / count))
    return widths, jitted


def chunk_tasks(who, f, template, nums, xs, kwargs, chunk, executor=None, has_aux=False,
                first=0):
    """The passes that cover every input direction (from ``first`` on), and a label
    for each."""
    widths, jitted = _widths(f, xs, chunk, executor, first)
    starts = list(itertools.accumulate(widths, initial=first))[:-1]
    tail = lambda w: ((ladder_width(w) if jitted and w else None, True) if has_aux else  # noqa
                      (ladder_width(w),) if jitted and w else ())
    tasks = [(who, f, template, nums, xs, kwargs, s, w) + tail(w)
             for s, w in zip(starts, widths)]
    return tasks, _Labels(starts, widths)


class _Labels:
    """What each pass covers, for error notes; built only when one is needed."""

    def __init__(self, starts, widths):
        self.starts, self.widths = starts, widths

    def __len__(self):
        return len(self.starts)

    def __getitem__(self, k):
        s, w = self.starts[k], self.widths[k]
        return f"input directions {s} to {s + w - 1} (chunk {k + 1} of {len(self)})"


def assemble(results, who="dualgrad", tolerances=None):
    """``(value, partials)`` from the passes' results, directions stacked last (and
    the first pass's ``aux`` when the passes return one).  Every pass must have
    computed the same value (values are NumPy's, whatever the directions): where one
    differs, ``f`` is not a function of ``x`` alone (random numbers drawn without a
    seed inside ``f``, a counter, a cache) and the stacked partials would be of
    different functions (userml48: a dropout mask per pass, a gradient spliced from
    two masks).  ``tolerances``: per pass, ``(rtol, amount)`` its adaptive
    integrations of duals declared (:func:`dualgrad.api._parallel.watched_tasks`):
    their values follow the partials a pass carries, so two passes may differ within
    them (:data:`~dualgrad.api._parallel.SLACK` times, on top of 1e-9)."""
    value, first = results[0][:2]
    if len(results) > 1:
        same_values(who, [r[0] for r in results], tolerances)
        first = np.concatenate([as_array(r[1]) for r in results], axis=-1)
    return (value, first) + tuple(results[0][2:])


def same_values(who, values, tolerances=None, starts=None):
    """Raise where a pass's value differs from the first pass's (see :func:`assemble`).
    ``starts``: pass ``k`` computed the first pass's value from entry ``starts[k]`` on
    (a Hessian's outer chunks: the inner gradient from the chunk's first direction,
    NaN where a chunk met a tie the second order decides without the directions to
    decide it: such entries are not compared).  ``tolerances``: per pass, its
    :class:`~dualgrad.api._parallel.Tolerance`: the passes continued with the first
    pass's integrations (api/_parallel), so their values are compared at 1e-9, plus
    what the integrations they could not replay allow (an integration that moved
    beyond its own tolerance is named where the values then differ)."""
    integrated = tolerances is not None and any(t.record for t in tolerances)
    for k in range(1, len(values)):
        rtol = amount = 0.0
        if tolerances is not None:
            (r1, a1), (rk, ak) = tolerances[0], tolerances[k]
            rtol, amount = max(r1, rk), a1 + ak
        ref, value = values[0], values[k]
        if starts:
            ref, value = np.asarray(dual.primal(ref))[starts[k] - starts[0]:], \
                np.asarray(dual.primal(value))
            try:
                if ref.shape == value.shape:
                    both = ~(np.isnan(ref) | np.isnan(value))
                    ref, value = ref[both], value[both]
            except TypeError:            # (values NumPy cannot test for NaN: as they are)
                pass
        if not _same_value(ref, value, SLACK * rtol, SLACK * amount):
            exc = errors.passes_differ(who, k + 1, len(values))
            moved = tolerances[k].moved if tolerances is not None else None
            if moved is not None:
                exc.add_note(
                    f"dualgrad: f's integration number {moved[1]} on that pass "
                    f"({moved[0]}) differs from the first pass's beyond {SLACK:g} times its "
                    "tolerance, in its own units: its integrand is not a function of x "
                    "alone either (or the integration is that ill-conditioned: tighten "
                    "its tolerances, or pass chunk=x.size for one pass).")
            elif rtol or amount:
                exc.add_note(
                    f"dualgrad: f integrated with dg.quad / dg.solve_ivp, whose values "
                    f"may move between passes within their tolerance, and this pass could "
                    f"not continue with the first pass's (another time grid, a dense "
                    f"output, a nested helper's partials); these passes differ beyond "
                    f"{SLACK:g} times it (rtol {rtol:.3g}, absolute {amount:.3g}). If f "
                    "draws no random numbers, tighten epsrel / rtol, or pass chunk=x.size "
                    "for one pass.")
            elif integrated:
                exc.add_note(
                    "dualgrad: f integrated with dg.quad / dg.solve_ivp: every pass "
                    "continued with the first pass's integrals (each within its own "
                    "tolerance of them), so the difference is f's own.")
            raise exc


def compared(who, fn, tasks, labels, executor, progress):
    """``assemble(run_tasks(...), who)``: the passes' values compared, within what
    the adaptive integrations of duals (dg.solve_ivp, dg.quad) each pass ran
    declared, wherever the passes ran (an executor's threads and processes send
    their declarations back with their results)."""
    results, tolerances = watched_tasks(who, fn, tasks, labels, executor, progress)
    return assemble(results, who, tolerances)


def _same_value(a, b, rtol=0.0, amount=0.0):
    """Whether two passes' values agree: to 1e-9 of the largest (a nested helper's
    value, a gradient computed through the partials, may take another path at
    another width and differ in its last bits; another draw of random numbers differs
    at the first digits), and ``rtol`` of each element and ``amount`` more where
    adaptive integrations ran; NaN equals NaN; a pair this cannot compare counts as
    equal."""
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and \
            all(_same_value(u, v, rtol, amount) for u, v in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and \
            all(_same_value(a[k], b[k], rtol, amount) for k in a)
    a, b = dual.primal(a), dual.primal(b)
    try:
        if np.shape(a) != np.shape(b):
            return False
        size = np.abs(a)
        scale = float(np.max(size, where=np.isfinite(size), initial=0.0))
        return bool(np.allclose(a, b, rtol=max(1e-9, rtol), atol=1e-9 * scale + amount,
                                equal_nan=True))
    except TypeError:                    # (an output NumPy cannot compare for NaN)
        return True


def jacobian_columns(who, f, template, nums, xs, kwargs=None, chunk=None, executor=None,
                     progress=False, has_aux=False, first=0):
    """Value of ``f`` and its partials with respect to all of ``xs`` stacked.

    Returns ``(value, partials)``, ``partials`` of shape ``value.shape + (N,)``
    with ``N`` the total size of ``xs`` (a list for a scalar output of one pass);
    ``(value, partials, aux)`` with ``has_aux``.  With ``first``, the partials of
    directions ``first`` to ``N - 1`` only: shape ``value.shape + (N - first,)``.
    """
    kwargs = kwargs or {}
    if executor is None and not progress:
        widths, jitted = _widths(f, xs, chunk, None, first)
        if len(widths) == 1:             # one pass, here and now: no tasks to set up
            w = widths[0]
            try:
                return evaluate_chunk(who, f, template, nums, xs, kwargs, first, w,
                                      ladder_width(w) if jitted and w else None, has_aux)
            except Exception as exc:
                exc.add_note(pass_note(w, first))
                raise
    tasks, labels = chunk_tasks(who, f, template, nums, xs, kwargs, chunk, executor, has_aux,
                                first)
    return compared(who, evaluate_chunk, tasks, labels, executor, progress)


def as_array(partials):
    """Partials as an array: a list from a scalar output becomes shape ``(n,)``."""
    if not isinstance(partials, list):
        return partials
    if any(isinstance(p, Dual) for p in partials):
        return stack_scalars(partials)
    return numeric(partials)


def shape(a):
    """``a.shape``, without a call for an ndarray (``np.shape`` for anything else)."""
    return a.shape if type(a) is np.ndarray else np.shape(a)


class _Active:
    def __init__(self, link):
        self.link = link

    def __enter__(self):
        self.before = dual.linking(self.link)

    def __exit__(self, *exc):
        dual.linking(self.before)
