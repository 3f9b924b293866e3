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
# deterministic f may differ within the tolerance it was asked for: each such integration
# declares that tolerance (:func:`adaptive_run`) to the watches open in its thread, one
# per pass (:class:`_Watched`, wherever the pass runs: here or on an executor's thread or
# process, which sends it back with the pass's result), and the comparison allows it.
_ADAPTIVE = threading.local()

#: how many times its declared tolerance an integration's value may move between passes
#: (dg.quad declares its tolerance or its error estimate, dg.solve_ivp its rtol / atol
#: times sqrt(nfev): local errors add up over the steps).  ``python
#: bench/pass_tolerance.py``: deterministic passes moved at most 3.7 times what they
#: declared (Lorenz to t = 30, chaotic), 0.8 (Lotka-Volterra to t = 300), dg.quad 5e-5;
#: an unseeded draw moves f's value by O(1): caught wherever the tolerances asked are
#: well below it (at dg.solve_ivp's default rtol 1e-3 only moves past ~20-70 % of f)
SLACK = 10.0


def adaptive_run(rtol, atol, values=(), error=()):
    """Declare an adaptive integration of duals in this thread: its value may move
    between passes by ``rtol`` of its size and ``atol`` (the solver's tolerances),
    and by its own ``error`` estimate where that is larger; ``values``: the values it
    computed (their largest finite magnitude is the size)."""
    cells = getattr(_ADAPTIVE, "cells", None)
    if not cells:                    # no pass of a helper that compares is watching
        return
    r = float(np.max(rtol))
    amount = max(float(np.max(atol)), r * _largest(values), _largest(error))
    for cell in cells:
        cell[0] = max(cell[0], r)
        cell[1] += amount


def _largest(a):
    a = np.abs(np.asarray(a))
    return float(np.max(a, where=np.isfinite(a), initial=0.0))


class _Watched:
    """``fn(*task)`` as one pass: ``(result, (rtol, amount))``, the loosest relative
    tolerance and the summed absolute amounts that the pass's adaptive integrations
    declared (:func:`adaptive_run`).  Module level: a process pool pickles it."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *task):
        cell = [0.0, 0.0]
        saved = getattr(_ADAPTIVE, "cells", None)
        _ADAPTIVE.cells = [cell]         # this pass's own (the caller merges it upwards)
        try:
            result = self.fn(*task)
        finally:
            _ADAPTIVE.cells = saved
        return result, (cell[0], cell[1])


def watched_tasks(who, fn, tasks, labels, executor=None, progress=False):
    """``(results, tolerances)``: :func:`run_tasks`'s results and, for each pass, what
    its adaptive integrations declared (``(rtol, amount)``; ``(0.0, 0.0)``: none).
    The loosest of them is declared again here, so that the watches open around this
    call (an outer helper's pass) allow for it too."""
    pairs = run_tasks(who, _Watched(fn), tasks, labels, executor, progress)
    tolerances = [t for _, t in pairs]
    if tolerances and getattr(_ADAPTIVE, "cells", None):
        adaptive_run(max(t[0] for t in tolerances), max(t[1] for t in tolerances))
    return [r for r, _ in pairs], tolerances

__all__ = ["run_tasks", "watched_tasks", "adaptive_run", "worker_count"]


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
