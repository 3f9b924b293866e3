"""What a recorded heat step could save at most: the pass's parts and a deferred
operation's dispatch, measured (issue 14's 2.5x f).

    python bench/heat_record.py [--cells N] [--steps S] [--repeat R] [--only roll|diff|slicing]

A recorded step would build a loop's repeated deferred graph once and, on each
repeat, reuse its plan (skip ``_fused._plan`` and what follows from it) or replay the
operations without dispatch.  Both must still compute NumPy's values and the fused
kernel, and re-prove per step what the plan reads off the arrays (their addresses,
shapes, strides, overlaps, which duals are alive).  This bench measures the ceilings:

* per form (bench/heat_ops.py's steps, Jacobians checked bit for bit against
  problems.py's forms first; every structure compiled first), medians over all steps
  of all repeats, microseconds a step: f, dualgrad, the fused kernel's own call (each
  compiled kernel wrapped by a clock), and the Python between them (dualgrad - f -
  kernel, which includes the cold memory NumPy's values meet beside held factor arrays);
* in another run (the clocks cost a little each; every fused kernel replaced by a
  function that does nothing, as bench/heat_ops.py's stubbed runs), the pass's parts
  a step: the pass itself (``add_into``: ``v += z``; ``materialize``: a read;
  ``write_into``: a concatenate), the write check before it (``before_write``),
  ``_plan`` (the key: the graph's walk with ``_order``, then ``_views`` / ``_kinds``,
  ``_left``, ``structure``), ``_unread``, ``_outputs``, ``_arguments``, the key's
  lookup (``compiled_kernel``), the write check's ``_readers``; the clock's own cost
  per wrapped call is printed, not subtracted (the clocks run as dualgrad's own
  frames: ``_unread`` looks for f's frame, and a clock seen as f would change the
  plan: the run asserts it met no structure the timed runs did not);
* a deferred operation's dispatch at 5,000 cells x 4 (deferred under the fused engine,
  the values in cache: Python, not memory): the operator on array duals against its
  floor, NumPy's value plus ``_fused.defer`` plus a new dual (what a replay must still
  do, its checks not counted).

A memoized plan can skip what does not depend on this step's arrays: ``structure`` and
the key's lookup (and ``_views``, only where the signature proves the addresses'
relations again); ``_order``'s walk, the leaves' addresses, ``_kinds``' overlap tests,
``_left``, ``_unread``'s reference counts and ``_outputs`` / ``_arguments`` stay.  A
replay can save at most the dispatch above per operation plus the plan.  Nothing is
written.
"""

import argparse
import statistics
import sys
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402

CLOCK = time.perf_counter_ns
PARTS = [("backend", "add_into"), ("backend", "write_into"), ("_fused", "materialize"),
         ("_fused", "before_write"), ("_fused", "_plan"), ("_fused", "_order"),
         ("_fused", "_kinds"), ("_fused", "_views"), ("_fused", "_left"),
         ("_fusedgen", "structure"), ("_fused", "_unread"),
         ("_fused", "_outputs"), ("_fused", "_arguments"), ("_fusedgen", "compiled_kernel"),
         ("_fused", "_readers")]


_CLOCKED = """
def clocked(fn, into):
    def wrapper(*args, **kwargs):
        t0 = CLOCK()
        try:
            return fn(*args, **kwargs)
        finally:
            into.append((CLOCK() - t0) / 1e3)
    return wrapper
"""
# The wrapper's frame must count as dualgrad's own: ``_fused._unread`` and the
# in-place operator look for the first frame outside dualgrad (f's) by its module's
# name, and a wrapper seen as f would change the graph's plan (the pass would store
# ``lap``: another kernel).
_namespace = {"__name__": "dualgrad._bench_clock", "CLOCK": CLOCK}
exec(compile(_CLOCKED, "<heat_record clock>", "exec"), _namespace)
clocked = _namespace["clocked"]
clocked.__doc__ = "``fn`` with each call's wall time appended to ``into`` (us)."


def wrapper_cost():
    """The clock wrapper's own cost per call (us): a wrapped no-op against the no-op."""
    into = []
    def nothing():
        return None
    wrapped = clocked(nothing, into)
    bare = min(timeit.repeat(nothing, number=20000, repeat=5)) / 20000
    full = min(timeit.repeat(wrapped, number=20000, repeat=5)) / 20000
    return (full - bare) * 1e6


def step_sum(log):
    """Per step, the time from its first clock to its last (us)."""
    return [(row[-1] - row[0]) / 1e3 for row in log]


def op_floor(cells=5000):
    """Operator on deferred array duals against NumPy's value + ``defer`` + a new dual."""
    import dualgrad as dg
    from dualgrad.backend import _fused
    from dualgrad.dual._array import ArrayDual
    out = {}

    def f(p):
        s = np.linspace(0.0, 1.0, cells)
        u = p[0] * np.sin(s) + p[1] * s + p[2] + p[3] * s * s
        v = u * 1.0
        w = u + 0.5
        assert type(v._p) is _fused.Deferred and type(w._p) is _fused.Deferred
        shape, n = v.value.shape, v._p.n

        def floor_number():
            value = 2.0 * v.value
            d = _fused.defer([2.0], [v._p], shape, n)
            r = object.__new__(ArrayDual)
            r.value, r._p, r.tag, r._c = value, d, v.tag, None
            return r

        def floor_pair():
            value = v.value * w.value
            d = _fused.defer([w.value, v.value], [v._p, w._p], shape, n)
            r = object.__new__(ArrayDual)
            r.value, r._p, r.tag, r._c = value, d, v.tag, None
            return r

        k = p[0] * p[1]

        def floor_scalar():
            c = np.float64(k.value)
            value = c * v.value
            d = _fused.defer([v.value, c], [np.array(k._plist()), v._p], shape, n)
            r = object.__new__(ArrayDual)
            r.value, r._p, r.tag, r._c = value, d, v.tag, None
            return r
        rows = [("2.0 * v", lambda: 2.0 * v, floor_number, lambda: 2.0 * v.value),
                ("k * v (k a scalar dual)", lambda: k * v, floor_scalar, lambda: k.value * v.value),
                ("v * w", lambda: v * w, floor_pair, lambda: v.value * w.value),
                ("v - w", lambda: v - w, None, lambda: v.value - w.value),
                ("1.0 - v", lambda: 1.0 - v, None, lambda: 1.0 - v.value)]
        for name, op, floor, value in rows:
            assert type(op()._p) is _fused.Deferred
            times = [min(timeit.repeat(g, number=200, repeat=25)) / 200 * 1e6
                     if g is not None else float("nan") for g in (op, floor, value)]
            out[name] = times
        return (v * w).sum()
    with dg.engine("fused"):
        dg.gradient(f, np.array([1.0, 2.0, 3.0, 4.0]))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="")
    opts = parser.parse_args()
    import heat_ops
    import problems
    from dualgrad.backend import _fused, _fusedgen
    from dualgrad import backend
    modules = {"_fused": _fused, "_fusedgen": _fusedgen, "backend": backend}
    for label, (name, timed, ops) in heat_ops.FORMS.items():
        if opts.only not in label:
            continue
        d = heat_ops.checked(label, name, timed, opts.cells, opts.steps)
        real = dict(_fusedgen._compiled)
        kernel_times = []
        clocked_kernels = {k: clocked(fn, kernel_times) for k, fn in real.items()}
        f_steps, dg_steps, kernel_steps, parts = [], [], [], {p: [] for p in PARTS}
        calls = opts.steps * opts.repeat
        for _ in range(opts.repeat):
            log = []
            timed(problems.HEAT_P.copy(), opts.cells, opts.steps, log=log)
            f_steps += step_sum(log[1:])
            log, kernel_times[:] = [], []
            _fusedgen._compiled.update(clocked_kernels)
            try:
                d(log)
            finally:
                _fusedgen._compiled.update(real)
            dg_steps += step_sum(log[1:])
            kernel_steps += kernel_times[1:]       # (the first: the step before the log's)
            saved = {p: getattr(modules[p[0]], p[1]) for p in PARTS}
            try:
                for p in PARTS:
                    setattr(modules[p[0]], p[1], clocked(saved[p], parts[p]))
                stubs = {k: (lambda *args: None) for k in _fusedgen._compiled}
                _fusedgen._compiled.update(stubs)
                d([])
                assert set(_fusedgen._compiled) == set(stubs), \
                    f"{label}: the clocked run met a structure the timed runs did not"
            finally:
                _fusedgen._compiled.update(real)
                for p in PARTS:
                    setattr(modules[p[0]], p[1], saved[p])
        f, g, k = (statistics.median(x) for x in (f_steps, dg_steps, kernel_steps))
        k *= len(kernel_steps) / len(dg_steps)
        print(f"\n{label} ({opts.cells} cells x 4, {opts.steps} steps x {opts.repeat}; us a step)")
        print(f"f {f:.1f}, dualgrad {g:.1f} ({g / f:.2f}x f), kernel {k:.1f}, "
              f"Python and cold memory (dualgrad - f - kernel) {g - f - k:.1f}; "
              f"2.5x f is {2.5 * f:.1f}: {g - 2.5 * f:.1f} to cut")
        print("| part | calls a step | median us a call | us a step |")
        print("|---|---|---|---|")
        for (mod, part), times in parts.items():
            if times:
                m = statistics.median(times)
                print(f"| {mod}.{part} | {len(times) / calls:.2f} | {m:.1f} | "
                      f"{m * len(times) / calls:.1f} |")
    print(f"\n(the clock wrapper's own cost: {wrapper_cost():.2f} us a wrapped call, "
          f"not subtracted)")
    if not opts.only or opts.only == "ops":
        print("\nA deferred operation at 5000 cells x 4, fused engine, values in cache "
              "(us; best of 25 x 200):")
        print("| operation | operator | floor (value + defer + dual) | NumPy's value |"
              " dispatch over the floor |")
        print("|---|---|---|---|---|")
        for name, (op, floor, value) in op_floor().items():
            print(f"| {name} | {op:.2f} | {floor:.2f} | {value:.2f} | {op - floor:.2f} |")


if __name__ == "__main__":
    main()
