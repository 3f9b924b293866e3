"""What tests/conftest.py's ``_global_state_kept`` costs a test (order72).

The guard reads the process-wide states of tests/_state.py before and after every test
and compares them; this times that work in a process that has loaded what a worker of
README's test command has (dualgrad with numba, SciPy, mpmath, the test helpers), beside
the fixture it replaced (mpmath's precision read and set back), interleaved, and
multiplies by the tests of a half (``--tests``, README's command collects ~40,000).

    python bench/state_guard.py [--rounds 7] [--calls 2000] [--tests 40000]

Prints only.
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--tests", type=int, default=40_000)
    args = ap.parse_args()

    import mpmath
    import numpy as np
    import scipy.special  # noqa: F401
    import scipy.stats  # noqa: F401

    import dualgrad as dg
    from dualgrad.backend import _loader
    _loader.load()
    dg.gradient(lambda x: np.sum(np.sin(x)), np.ones(3))
    import _state

    def guard():
        mp = sys.modules.get("mpmath")
        prec = mp.mp.prec
        mp.mp.prec = _state.DEFAULT_PREC
        before = _state.snapshot()
        diffs = _state.changed(before, _state.snapshot())
        mp.mp.prec = prec
        return diffs

    def old():
        mp = sys.modules.get("mpmath")
        prec = mp.mp.prec
        mp.mp.prec = prec

    assert guard() == []
    rows = {"guard (tests/_state.py)": guard, "old: mpmath precision kept": old}
    times = {k: [] for k in rows}
    for _ in range(args.rounds):
        for name, fn in rows.items():
            t0 = time.process_time()
            for _ in range(args.calls):
                fn()
            times[name].append((time.process_time() - t0) / args.calls)
    print(f"{len(sys.modules)} modules loaded; mpmath {mpmath.__version__}; "
          f"load {os.getloadavg()[0]:.2f}; medians of {args.rounds} rounds of "
          f"{args.calls} calls, CPU")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:30s} {med * 1e6:8.1f} us a test, {med * args.tests:6.2f} s CPU "
              f"for {args.tests} tests")
    for part, fn in (("snapshot alone", _state.snapshot),):
        t0 = time.process_time()
        for _ in range(args.calls):
            fn()
        print(f"  {part:30s} {(time.process_time() - t0) / args.calls * 1e6:8.1f} us")


if __name__ == "__main__":
    main()
