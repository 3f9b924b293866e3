"""Independent tasks (the chunks of a Jacobian) run serially or on any Executor.

dualgrad grows no scheduler of its own: a ``concurrent.futures.Executor`` —
a thread pool, a process pool, or a Dask client's ``get_executor()`` — runs one
task per chunk, and results come back in order.  A failing task raises its
original exception in the caller, with a note naming the task's directions.
"""

import os
import sys
import threading

from .. import errors

# How many adaptive integrations of duals (dg.solve_ivp, dg.quad) have run in this
# thread: their steps follow every coefficient a pass carries, so two passes (chunks of
# directions) of one f may differ within the tolerance asked; a helper that compares
# its passes' values (api/_seed.py) skips the comparison where this moved meanwhile
# (per thread: another thread's integrations say nothing of this one's passes).
_ADAPTIVE = threading.local()


def adaptive_runs():
    """This thread's count of adaptive integrations of duals."""
    return getattr(_ADAPTIVE, "count", 0)


def adaptive_run():
    """Note an adaptive integration of duals in this thread."""
    _ADAPTIVE.count = adaptive_runs() + 1

__all__ = ["run_tasks", "worker_count"]


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
