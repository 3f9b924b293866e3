"""CPU seconds per test of a pytest run, per process (issue 13|14, stop 61: where
README's test command spends its CPU on a machine whose load makes wall times 5-10x
the CPU).

As a pytest plugin (``bench`` on the path; each xdist worker loads it too)::

    PYTHONPATH=bench CPU_PER_TEST=/tmp/cpt DUALGRAD_ENGINE=fused \\
        python -m pytest -q -n 2 -p cpu_per_test tests/...

each test's process CPU and wall seconds (its setup, call and teardown; a subprocess's
CPU is not counted, only its wall) are written, as it ends, to
``$CPU_PER_TEST.<pid>.tsv`` (one flushed line: a run stopped early keeps what it
logged).  Then::

    python bench/cpu_per_test.py /tmp/cpt [N]

prints the total, the N test files and test functions with the most CPU, and the test
functions by ``median x count`` (a cold numba cache charges a kernel's compile to the
first test that calls it; the median leaves that one out).  Prints only.
"""

import collections
import glob
import os
import statistics
import sys
import time

import pytest

_FILE = []


def _log(line):
    if not _FILE:
        prefix = os.environ.get("CPU_PER_TEST", "/tmp/cpu_per_test")
        _FILE.append(open(f"{prefix}.{os.getpid()}.tsv", "a", buffering=1))
    _FILE[0].write(line)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall = time.process_time(), time.perf_counter()
    yield
    _log(f"{time.process_time() - cpu:.4f}\t{time.perf_counter() - wall:.4f}\t{item.nodeid}\n")


def main(prefix, n=25):
    files = collections.defaultdict(lambda: [0.0, 0.0, 0])
    cases = collections.defaultdict(list)
    for path in glob.glob(prefix + ".*.tsv"):
        with open(path) as f:
            for line in f:
                cpu, wall, nodeid = line.rstrip("\n").split("\t")
                row = files[nodeid.split("::")[0]]
                row[0] += float(cpu)
                row[1] += float(wall)
                row[2] += 1
                cases[nodeid.split("[")[0]].append(float(cpu))
    print("tests %d, CPU %.1f s, wall %.1f s (summed over processes)" % (
        sum(r[2] for r in files.values()), sum(r[0] for r in files.values()),
        sum(r[1] for r in files.values())))
    print("\n   CPU s   wall s  tests  file")
    for name, (cpu, wall, count) in sorted(files.items(), key=lambda kv: -kv[1][0])[:n]:
        print(f"{cpu:8.1f} {wall:8.1f} {count:6d}  {name}")
    for title, key in (("CPU s", sum), ("median x n", lambda v: statistics.median(v) * len(v))):
        print(f"\n{title:>10}  cases  test function")
        for name, v in sorted(cases.items(), key=lambda kv: -key(kv[1]))[:n]:
            print(f"{key(v):10.1f} {len(v):6d}  {name}")


if __name__ == "__main__":
    main(sys.argv[1], *[int(a) for a in sys.argv[2:3]])
