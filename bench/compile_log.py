"""numba's compiles during a pytest run, per process (issue 13|14, stop 60: where the
README's test command spends its cold numba cache).

As a pytest plugin (``bench`` on the path; each xdist worker loads it too)::

    PYTHONPATH=bench COMPILE_LOG=/tmp/clog DUALGRAD_ENGINE=fused \\
        python -m pytest -q -n 2 -p compile_log tests/...

every ``numba:compile`` event (a disk-cache miss: numba types, lowers and optimizes the
function; a load from the cache raises none) is written, as it ends, to
``$COMPILE_LOG.<worker>.<pid>.tsv`` (one line, flushed: a run stopped by a timeout keeps
what it logged): the wall and CPU seconds of the compile, its nesting depth (a kernel
that calls another compiles the callee first, inside its own event), the function's
module and name, the argument types and the test running.  Then::

    python bench/compile_log.py /tmp/clog

prints the outermost compiles per worker (count, CPU, wall), the kernels compiled in more
than one process of the run (the same module, name and argument types: the duplicate
work a shared cache did not spare), and the CPU by module and by function.  Prints only.
"""

import collections
import glob
import os
import sys
import time

_FILE = []
_CURRENT = ["<collect>"]


def _log(line):
    if not _FILE:
        prefix = os.environ.get("COMPILE_LOG", "/tmp/compile_log")
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        _FILE.append(open(f"{prefix}.{worker}.{os.getpid()}.tsv", "a", buffering=1))
    _FILE[0].write(line)


def pytest_configure(config):
    from numba.core import event

    class Listener(event.Listener):
        def __init__(self):
            self.started = []

        def on_start(self, ev):
            self.started.append((time.perf_counter(), time.process_time()))

        def on_end(self, ev):
            wall, cpu = self.started.pop()
            fn = ev.data["dispatcher"].py_func
            _log("%.3f\t%.4f\t%.4f\t%d\t%s\t%s\t%s\t%s\n" % (
                time.time(), time.perf_counter() - wall, time.process_time() - cpu,
                len(self.started), fn.__module__, fn.__qualname__,
                str(ev.data.get("args"))[:400].replace("\t", " "), _CURRENT[0]))
    event.register("numba:compile", Listener())


def pytest_runtest_logstart(nodeid, location):
    _CURRENT[0] = nodeid


def _rows(prefix):
    rows = []
    for path in glob.glob(prefix + ".*.tsv"):
        worker = path[len(prefix) + 1:].split(".")[0]
        with open(path) as fh:
            for line in fh:
                p = line.rstrip("\n").split("\t")
                if len(p) == 8:
                    rows.append(dict(worker=worker, pid=path, end=float(p[0]), wall=float(p[1]),
                                     cpu=float(p[2]), depth=int(p[3]), module=p[4], name=p[5],
                                     args=p[6], test=p[7]))
    return rows


def summary(prefix):
    """Print the compiles the plugin logged under ``prefix``."""
    rows = _rows(prefix)
    top = [r for r in rows if r["depth"] == 0]
    print(f"{len(rows)} compile events, {len(top)} outermost, "
          f"{sum(r['cpu'] for r in top):.1f} s CPU in the outermost")
    per = collections.defaultdict(lambda: [0, 0.0, 0.0])
    for r in top:
        b = per[r["worker"]]
        b[0] += 1
        b[1] += r["cpu"]
        b[2] += r["wall"]
    for worker, (n, cpu, wall) in sorted(per.items()):
        print(f"  {worker}: {n} compiles, {cpu:.1f} s CPU, {wall:.1f} s wall")
    # every event (nested ones too) by what it compiled: a nested compile is its own
    # cache entry, met again by the other process as a load or a compile
    seen = collections.defaultdict(list)
    for r in rows:
        seen[(r["module"], r["name"], r["args"])].append(r)
    again = {k: v for k, v in seen.items() if len({r["pid"] for r in v}) > 1}
    cpu_again = sum(sum(r["cpu"] for r in v) - max(r["cpu"] for r in v)
                    for k, v in again.items() if all(r["depth"] == 0 for r in v))
    print(f"{len(seen)} distinct functions x types; {len(again)} compiled in more than one "
          f"process ({cpu_again:.1f} s CPU of outermost repeats)")
    for (module, name, args), v in sorted(again.items(), key=lambda kv: -len(kv[1]))[:15]:
        print(f"  x{len(v)} {module}.{name} {args[:80]}")
    for key in ("module", "name"):
        count, cpu = collections.Counter(), collections.Counter()
        for r in top:
            k = r["module"] if key == "module" else (r["module"].split(".")[-1], r["name"])
            count[k] += 1
            cpu[k] += r["cpu"]
        print(f"--- by {key}: outermost compiles, CPU s")
        for k, c in cpu.most_common(25 if key == "name" else 15):
            print(f"  {str(k):64s} {count[k]:5d} {c:7.1f}")


if __name__ == "__main__":
    summary(sys.argv[1] if len(sys.argv) > 1 else "/tmp/compile_log")
