"""Each pytest process's own CPU at its end: the controller of ``-n`` apart from its
workers (issue 13|14, stop 69, fastci69: what xdist's controller costs a test).

As a pytest plugin (``bench`` on the path; xdist's workers load it too)::

    PYTHONPATH=bench PROCESS_CPU=/tmp/pcpu.txt DUALGRAD_ENGINE=eager \\
        python -m pytest -q -n 2 -p process_cpu tests/...

appends one line per process to ``$PROCESS_CPU``: ``controller`` or the worker's id, its
user and sys seconds (``resource.getrusage(RUSAGE_SELF)``: children not counted) and
the wall seconds since the plugin was imported.  Two runs with different numbers of
tests give the controller's CPU per test (the difference over the difference).
"""

import os
import resource
import time

_STARTED = time.perf_counter()


def pytest_unconfigure(config):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    who = getattr(config, "workerinput", {}).get("workerid", "controller")
    with open(os.environ.get("PROCESS_CPU", "/tmp/process_cpu.txt"), "a") as f:
        f.write(f"{who}\tuser {usage.ru_utime:.2f}\tsys {usage.ru_stime:.2f}\t"
                f"wall {time.perf_counter() - _STARTED:.1f}\n")
