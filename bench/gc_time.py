"""The cyclic garbage collector's CPU during a pytest run, per process (issue 13|14, stop 68:
what README's test command pays the collector, fastci68).

As a pytest plugin (``bench`` on the path; each xdist worker loads it too)::

    PYTHONPATH=bench GC_TIME=/tmp/gct DUALGRAD_ENGINE=fused \\
        python -m pytest -q -n 2 -p gc_time tests/...

each process writes, when it ends, one line to ``$GC_TIME.<worker>.<pid>.tsv``: the CPU
seconds inside collections (``gc.callbacks``, process time from a collection's start to
its end), their count per generation, the process's CPU and the thresholds in force.
``GC_THRESHOLD=a,b,c`` sets ``gc.set_threshold(a, b, c)`` after the conftest's own
(tests/conftest.py) for an A/B; unset, the run keeps what the conftest set.  Then::

    python bench/gc_time.py /tmp/gct

prints each process's line and the sums.  Prints only.
"""

import gc
import glob
import os
import sys
import time

import pytest

_STATE = {"cpu": 0.0, "count": [0, 0, 0], "start": None}


def _callback(phase, info):
    if phase == "start":
        _STATE["start"] = time.process_time()
    elif _STATE["start"] is not None:
        _STATE["cpu"] += time.process_time() - _STATE["start"]
        _STATE["count"][info["generation"]] += 1
        _STATE["start"] = None


@pytest.hookimpl(trylast=True)     # after the conftest's thresholds
def pytest_configure(config):
    given = os.environ.get("GC_THRESHOLD")
    if given:
        gc.set_threshold(*(int(v) for v in given.split(",")))
    gc.callbacks.append(_callback)


def pytest_unconfigure(config):
    prefix = os.environ.get("GC_TIME", "/tmp/gc_time")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(f"{prefix}.{worker}.{os.getpid()}.tsv", "a") as f:
        f.write("%s\t%.3f\t%s\t%.3f\t%s\n" % (
            worker, _STATE["cpu"], ",".join(map(str, _STATE["count"])), time.process_time(),
            ",".join(map(str, gc.get_threshold()))))


def main(prefix):
    total = [0.0, 0.0]
    print("process   gc CPU s   collections (gen 0,1,2)   process CPU s   thresholds")
    for path in sorted(glob.glob(prefix + ".*.tsv")):
        for line in open(path):
            worker, cpu, counts, process, thresholds = line.rstrip("\n").split("\t")
            total[0] += float(cpu)
            total[1] += float(process)
            print(f"{worker:8s} {float(cpu):9.2f}   {counts:25s} {float(process):13.1f}   "
                  f"{thresholds}")
    if total[1]:
        print(f"all      {total[0]:9.2f}   {'':25s} {total[1]:13.1f}   "
              f"({100 * total[0] / total[1]:.1f} % of the processes' CPU)")


if __name__ == "__main__":
    main(sys.argv[1])
