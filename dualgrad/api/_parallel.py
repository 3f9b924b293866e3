"""Independent tasks (the chunks of a Jacobian) run serially or on any Executor.

dualgrad grows no scheduler of its own: a ``concurrent.futures.Executor`` —
a thread pool, a process pool, or a Dask client's ``get_executor()`` — runs one
task per chunk, and results come back in order.  A failing task raises its
original exception in the caller, with a note naming the task's directions.
"""

import os
import sys
import threading

import numpy as np

from .. import errors

# The passes of a helper call compare their values (api/_seed.py: an unseeded random draw
# inside f moves the value at its first digits, and the partials of the passes would be
# spliced from different functions).  An adaptive integration of duals (dg.quad,
# dg.solve_ivp) steps on every coefficient a pass carries, so two passes of one
# deterministic f integrate on different meshes and their values differ within the
# tolerance asked, in the integral's own units; f's value may scale or cancel them
# (``1e-9 * I``, ``1e6 * (I - c)``), so no allowance on f's value is in the right units
# (attack49 03).  Instead each integration of a pass's duals reports its result
# (:func:`adaptive_run`) to that pass (:class:`_Pass`, found by the pass's tag, in
# whatever thread the integration runs: f's own thread pool too, attack49 31): the first
# pass records them, and every later pass compares each of its integrations with the
# first pass's in the integration's own units and then continues with the first pass's
# value (its own partials kept: both are within the tolerance asked), so that a
# deterministic f computes the first pass's value to the last bits and the passes'
# values are compared at 1e-9 again.  Passes on an executor run at once: those whose
# integrations did not come out identical run again with the first pass's record.
_ADAPTIVE = threading.local()
_LOCK = threading.Lock()
_BY_TAG: dict = {}                 # a comparing helper's pass tag -> its _Pass (any thread)
#: how many passes are expecting their tag (api/_seed.evaluate_chunk reads it: one list
#: read a pass where no helper compares passes)
EXPECT = [0]

#: how many times its declared tolerance an integration's value may move between passes
#: (dg.quad declares its tolerance or its error estimate, dg.solve_ivp its rtol / atol
#: times sqrt(nfev): local errors add up over the steps).  ``python
#: bench/pass_tolerance.py``: deterministic integrations moved at most 5.0 times what
#: they declared (Lorenz to t = 30, chaotic, over the whole trajectory), 1.2
#: (Lotka-Volterra to t = 300), dg.quad 5e-5.  Compared in the integration's own units;
#: where a pass cannot continue with the first pass's value (no counterpart within this,
#: another time grid, a dense output), f's value gets this allowance.
SLACK = 10.0


class Tolerance(tuple):
    """A pass's ``(rtol, amount)``: how far its value may move from the first pass's
    (the integrations it could not continue with the first pass's values, and the
    passes of helpers nested in it), with ``moved`` (None, or ``(who, i)``: its
    ``i``-th integration matched none of the first pass's within :data:`SLACK` times
    its tolerance: named where f's value then differs), ``up`` (what every integration it ran declared: the allowance of
    a pass around it) and ``record`` (its integrations' results, for the passes after
    it)."""

    def __new__(cls, rtol=0.0, amount=0.0, moved=None, up=(0.0, 0.0), record=()):
        self = super().__new__(cls, (rtol, amount))
        self.moved, self.up, self.record = moved, up, record
        return self

    def __reduce__(self):
        return (Tolerance, (self[0], self[1], self.moved, self.up, self.record))


class _Pass:
    """One pass of a helper that compares its passes: the integrations of its duals
    (``record``), the first pass's (``reference``) and what it could not replay."""

    def __init__(self, reference=None):
        self.tags = ()
        self.reference, self.used = reference, set()
        self.record = []
        self.rtol = self.amount = self.up_rtol = self.up_amount = 0.0
        self.moved = None
        self.lock = threading.Lock()

    def open(self, tags):
        self.tags = tags
        with _LOCK:
            for tag in tags:
                _BY_TAG[tag] = self

    def close(self):
        with _LOCK:
            for tag in self.tags:
                if _BY_TAG.get(tag) is self:
                    del _BY_TAG[tag]

    def declare(self, rtol, amount):
        """An allowance on f's value (an integration not replayed, a nested helper's)."""
        with self.lock:
            self.rtol, self.amount = max(self.rtol, rtol), self.amount + amount
            self.up_rtol, self.up_amount = max(self.up_rtol, rtol), self.up_amount + amount

    def summary(self):
        return Tolerance(self.rtol, self.amount, self.moved, (self.up_rtol, self.up_amount),
                         self.record)

    def select(self, tags):
        """The coefficients of an integration of ``tags`` that do not carry this pass's
        directions (the same in every pass of a function of x alone)."""
        return (Ellipsis,) + tuple(0 if t in self.tags else slice(None) for t in tags)

    def settle(self, who, parts, rtol, amount):
        """``parts``: ``(C, tags, mode)``; the arrays to continue with (see
        :func:`adaptive_run`)."""
        own = [np.array(C[self.select(tags)]) for C, tags, _ in parts]
        modes = tuple(mode for _, _, mode in parts)
        with self.lock:
            self.up_rtol, self.up_amount = max(self.up_rtol, rtol), self.up_amount + amount
            i = len(self.record)
            self.record.append((who, modes, own, rtol, amount))
            if self.reference is None:
                return None
            j, why = self._match(i, who, modes, own, rtol, amount)
            if j is None:                   # nothing to replay: f's value gets the
                if why == "moved":          # allowance (a chaotic solve f reads early
                    self.moved = self.moved or (who, i + 1)  # on moves past it late)
                self.rtol, self.amount = max(self.rtol, rtol), self.amount + amount
                return None
            self.used.add(j)
            ref = self.reference[j][2]
        out = []
        for (C, tags, mode), r, mine in zip(parts, ref, own):
            if r.shape != mine.shape:       # (a carried part of another shape: as it is,
                self.declare(rtol, amount)  # f's value gets the allowance)
                out.append(C)
                continue
            C = np.array(C, dtype=np.result_type(C, r))
            C[self.select(tags)] = r
            out.append(C)
        return out

    def _match(self, i, who, modes, own, rtol, amount):
        """The first pass's integration this one replays: the one at its place in the
        call order first, then any other (f's own threads may reorder them)."""
        order = [i] + [j for j in range(len(self.reference)) if j != i]
        why = "none"
        for j in order:
            if j >= len(self.reference) or j in self.used:
                continue
            rwho, rmodes, ref, rr, ra = self.reference[j]
            if rwho != who or rmodes != modes:
                continue
            if any(r.shape != m.shape for r, m, mode in zip(ref, own, modes)
                   if mode != "carry"):
                continue
            if not all(np.array_equal(r, m, equal_nan=True)
                       for r, m, mode in zip(ref, own, modes) if mode == "exact"):
                continue                     # (another time grid: nothing to replay)
            if all(_close(r, m, SLACK * max(rtol, rr), SLACK * (amount + ra))
                   for r, m, mode in zip(ref, own, modes) if mode == "match"):
                return j, None
            why = "moved"
        return None, why


def _close(a, b, rtol, amount):
    size = np.abs(a)
    scale = float(np.max(size, where=np.isfinite(size), initial=0.0))
    return bool(np.allclose(b, a, rtol=max(rtol, 1e-9), atol=1e-9 * scale + amount,
                            equal_nan=True))


def passing(*tags):
    """The pass function of a comparing helper (api/_seed.evaluate_chunk, _coloring's
    evaluate_colors) names its tags: the integrations that carry them report to it.
    Only the first call in a pass counts (later ones: helpers nested in f)."""
    cell = getattr(_ADAPTIVE, "expect", None)
    if cell is not None:
        _ADAPTIVE.expect = None
        cell.open(tags)


def owner(tags):
    """The comparing pass that an integration of duals of ``tags`` reports to: the
    newest of them that a running pass registered, else None."""
    if not _BY_TAG:
        return None
    with _LOCK:
        for tag in sorted(tags, reverse=True):
            cell = _BY_TAG.get(tag)
            if cell is not None:
                return cell
    return None


def adaptive_run(rtol, atol, values=(), error=(), who=None, tags=(), parts=None,
                 dense=False):
    """An adaptive integration of duals of the calls ``tags`` ran in this pass: its
    value may move between passes by ``rtol`` of its size and ``atol`` (the solver's
    tolerances), and by its own ``error`` estimate where that is larger; ``values``:
    the values it computed (their largest finite magnitude is the size).

    ``parts`` (a function, called only where a comparing pass owns the integration):
    its results as ``(C, tags, mode)``, ``C`` an array whose last ``len(tags)`` axes are
    the levels of ``tags`` (coefficient 0: no partial of that level); ``mode``
    ``"match"`` (compared within the tolerance), ``"exact"`` (the same on every pass:
    a time grid) or ``"carry"`` (replayed where it has the first pass's shape).
    Returns the arrays to continue with (the first pass's coefficients where they do
    not carry the pass's directions), or None: continue as computed.  ``dense``: the
    integration also returns what no pass replays (a dense output): f's value gets
    the allowance."""
    cell = owner(tags) if parts is not None else None
    if cell is not None and _inside_another():
        return None          # (an integrand's own integration: the outer one replays it)
    settle = cell is not None
    if not settle:
        cell = getattr(_ADAPTIVE, "cell", None)
        if cell is None or not (not cell.tags or parts is None or
                                any(t in cell.tags for t in tags)):
            return None     # (no pass compares: no allowance to compute)
    r = float(np.max(rtol))
    amount = max(float(np.max(atol)), r * _largest(values), _largest(error))
    if settle:
        if dense:
            cell.declare(r, amount)
        return cell.settle(who, parts(), r, amount)
    cell.declare(r, amount)              # (a pass that named no tags: as before)
    return None


_SOLVERS = {"quad": "_quad.py", "solve_ivp": "_ode.py"}


def _inside_another():
    """Whether the integration reporting now runs inside another one's integrand (two
    frames of dg.quad / dg.solve_ivp on this thread's stack: a double integral, an ODE
    in an integrand).  Its results follow the outer mesh, which differs between passes
    (the first pass's has no counterpart for it); the outer integration's own result
    is the one replayed."""
    frame, seen = sys._getframe(2), 0
    while frame is not None:
        code = frame.f_code
        end = _SOLVERS.get(code.co_name)
        if end is not None and code.co_filename.endswith(end):
            seen += 1
            if seen == 2:
                return True
        frame = frame.f_back
    return False


def replayed(who, tags):
    """The first pass's result of the integration of ``tags`` that this one will
    replay (its place in the call order, of the same kind), or None."""
    cell = owner(tags)
    if cell is None or cell.reference is None or _inside_another():
        return None
    with cell.lock:
        i = len(cell.record)
        for j in [i] + list(range(len(cell.reference))):
            if j < len(cell.reference) and j not in cell.used and \
                    cell.reference[j][0] == who:
                return cell.reference[j][2]
    return None


def _largest(a):
    a = np.abs(np.asarray(a))
    return float(np.max(a, where=np.isfinite(a), initial=0.0))


class _Watched:
    """``fn(*task)`` as one pass: ``(result, Tolerance)`` (see :class:`Tolerance`).
    ``reference``: the first pass's record, to replay; ``learn``: the first call's
    record becomes the reference of the calls after it (serial passes).  Module
    level: a process pool pickles it."""

    __slots__ = ("fn", "reference", "learn")

    def __init__(self, fn, reference=None, learn=False):
        self.fn, self.reference, self.learn = fn, reference, learn

    def __call__(self, *task):
        cell = _Pass(self.reference)
        saved = getattr(_ADAPTIVE, "cell", None), getattr(_ADAPTIVE, "expect", None)
        _ADAPTIVE.cell = _ADAPTIVE.expect = cell     # this pass's own (merged upwards)
        EXPECT[0] += 1
        try:
            result = self.fn(*task)
        finally:
            EXPECT[0] -= 1
            _ADAPTIVE.cell, _ADAPTIVE.expect = saved
            cell.close()
        if self.learn and self.reference is None:
            self.reference = cell.record
        return result, cell.summary()


def watched(fn, *args):
    """``fn(*args)`` as one pass of its own: ``(result, Tolerance)``."""
    return _Watched(fn)(*args)


def _same_record(a, b):
    return len(a) == len(b) and all(
        x[0] == y[0] and x[1] == y[1] and
        all(np.array_equal(u, v, equal_nan=True) for u, v in zip(x[2], y[2]))
        for x, y in zip(a, b))


class _Serial:
    """The passes of :func:`watched_tasks` run here, in order: each group's first pass
    records, the group's later passes replay its record."""

    def __init__(self, fn, firsts):
        self.fn, self.firsts, self.reference = fn, firsts, None

    def __call__(self, k, *task):
        if k in self.firsts:
            self.reference = None
        watched = _Watched(self.fn, self.reference, learn=True)
        out = watched(*task)
        self.reference = watched.reference
        return out


def watched_tasks(who, fn, tasks, labels, executor=None, progress=False, groups=None):
    """``(results, tolerances)``: :func:`run_tasks`'s results and, for each pass, its
    :class:`Tolerance`.  Serial passes replay the first pass's integrations as they
    run; on an executor the passes run at once, and those whose integrations came out
    other than the first's run again, replaying them.  ``groups``: the numbers of
    passes that evaluate f at one point each (a batch's points: each group's first
    pass is the reference of its group's).  What the passes' integrations declared is
    declared again here, so that the pass around this call (an outer helper's) allows
    for it: it compares this call's partials, which no pass replays."""
    counts = list(groups) if groups is not None else [len(tasks)]
    starts = [sum(counts[:g]) for g in range(len(counts))]
    if executor is None:
        pairs = run_tasks(who, _Serial(fn, set(starts)),
                          [(k,) + tuple(task) for k, task in enumerate(tasks)], labels,
                          None, progress)
    else:
        pairs = run_tasks(who, _Watched(fn), tasks, labels, executor, progress)
        again, references = [], []
        for start, count in zip(starts, counts):
            first = pairs[start][1].record if count else ()
            for k in range(start + 1, start + count):
                if first and not _same_record(first, pairs[k][1].record):
                    again.append(k)
                    references.append(first)
        if again:
            redo = run_tasks(who, _Replaying(fn), [(references[i],) + tuple(tasks[k])
                                                    for i, k in enumerate(again)],
                             [labels[k] for k in again], executor, progress)
            for k, pair in zip(again, redo):
                pairs[k] = pair
    tolerances = [t for _, t in pairs]
    cell = getattr(_ADAPTIVE, "cell", None)
    if tolerances and cell is not None:
        cell.declare(max(t.up[0] for t in tolerances), max(t.up[1] for t in tolerances))
    return [r for r, _ in pairs], tolerances


class _Replaying:
    """``fn(*task)`` as a pass that replays ``reference`` (its first argument): an
    executor's second round.  Module level: a process pool pickles it."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, reference, *task):
        return _Watched(self.fn, reference)(*task)

__all__ = ["run_tasks", "watched_tasks", "adaptive_run", "worker_count", "passing", "owner",
           "replayed", "Tolerance", "SLACK", "EXPECT", "watched"]


def worker_count(executor):
    """How many tasks ``executor`` runs at once: a pool's ``_max_workers``, the
    threads of a Dask client's workers, else the machine's CPU count."""
    for name in ("_max_workers", "max_workers"):
        n = getattr(executor, name, None)
        if isinstance(n, int) and n > 0:
            return n
    client = getattr(executor, "_client", None)          # distributed.ClientExecutor
    if client is not None:
        try:
            n = sum(client.nthreads().values())
        except Exception:  # noqa: BLE001 - a client that cannot say: fall back
            n = 0
        if n > 0:
            return n
    return os.cpu_count() or 1


def _check_picklable(who, executor, payload):
    """Process pools pickle with ``pickle``: say what to do when that fails."""
    import pickle                                     # only when an executor is given
    from concurrent.futures import ProcessPoolExecutor
    if not isinstance(executor, ProcessPoolExecutor):
        return
    try:
        pickle.dumps(payload)
    except Exception as exc:  # noqa: BLE001 - any pickling failure means the same
        raise errors.bad_type(
            who, "f and *args that can be pickled for a process pool",
            f"{type(exc).__name__}: {exc}",
            "Define f at module level (not a lambda or a closure), or use a "
            "ThreadPoolExecutor or a Dask client's executor (which uses cloudpickle)."
        ) from exc


class _Progress:
    """A tqdm bar when tqdm is installed, else a plain line on stderr."""

    def __init__(self, total, enabled, who):
        self.bar = None
        self.enabled = bool(enabled) and total > 0
        self.total, self.done, self.who = total, 0, who
        if self.enabled:
            try:
                from tqdm.auto import tqdm
                self.bar = tqdm(total=total, desc=who, unit="chunk")
            except ImportError:
                pass

    def update(self):
        if not self.enabled:
            return
        self.done += 1
        if self.bar is not None:
            self.bar.update()
        else:
            print(f"\r{self.who}: {self.done}/{self.total} chunks", end="",
                  file=sys.stderr, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            print(file=sys.stderr)


def run_tasks(who, fn, tasks, labels, executor=None, progress=False):
    """``[fn(*task) for task in tasks]``, on ``executor`` when one is given."""
    if executor is None and not progress:      # the common case: nothing to set up
        results = []
        for k, task in enumerate(tasks):
            try:
                results.append(fn(*task))
            except Exception as exc:
                exc.add_note(f"dualgrad: raised while evaluating f on {labels[k]}")
                raise
        return results
    bar = _Progress(len(tasks), progress, who)
    results = []
    try:
        if executor is None:
            for k, task in enumerate(tasks):
                try:
                    results.append(fn(*task))
                except Exception as exc:
                    exc.add_note(f"dualgrad: raised while evaluating f on {labels[k]}")
                    raise
                bar.update()
            return results
        _check_picklable(who, executor, (fn, tasks[0]) if tasks else fn)
        from ..dual import adopting, running     # workers may mix this thread's duals
        fn = adopting(fn, tuple(running()))
        futures = [executor.submit(fn, *task) for task in tasks]
        try:
            if progress:                 # the bar moves as chunks finish, in any order
                from concurrent.futures import as_completed
                for future in as_completed(futures):
                    if future.exception() is not None:
                        break
                    bar.update()
            for k, future in enumerate(futures):     # the first failure in chunk order
                try:
                    results.append(future.result())
                except Exception as exc:
                    exc.add_note(f"dualgrad: raised while evaluating f on {labels[k]}")
                    raise
        finally:
            for future in futures:
                future.cancel()
        return results
    finally:
        bar.close()
