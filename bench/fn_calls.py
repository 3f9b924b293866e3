"""Python calls per dual call of bench_functions.py's rows (issue 13, fn12): cProfile's
count of function calls over ``REPS`` calls, divided by ``REPS``, and the functions that
take the most own time.

    python bench/fn_calls.py --N 1000 --n 4 --only np.dot,np.sort [--top 8]

Counts are deterministic (unlike times on a loaded machine): they measure the fixed
Python cost of dispatch, the part that does not grow with N.
"""

import cProfile
import pstats
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import bench_functions as bf  # noqa: E402

REPS = 200


def _option(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def main():
    N, n = int(_option("--N", "1000")), int(_option("--n", "4"))
    only = _option("--only", "")
    top = int(_option("--top", "0"))
    rng = np.random.default_rng(0)
    _, duals = bf._inputs(N, n, rng)
    cases = bf._cases()
    names = [k for k in cases if any(o == k for o in only.split(","))] if only else list(cases)
    for name in names:
        fn = cases[name][1]
        try:
            fn(*duals)
        except Exception as exc:                                # noqa: BLE001
            print(f"{name:28s} error: {type(exc).__name__}")
            continue
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(REPS):
            fn(*duals)
        prof.disable()
        stats = pstats.Stats(prof)
        calls = stats.total_calls / REPS - 1      # less the lambda itself
        print(f"{name:28s} {calls:6.1f} calls per call")
        if top:
            rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][1])[:top]
            for (file, line, func), (cc, nc, tt, ct, _) in rows:
                print(f"      {nc / REPS:5.1f}x  {Path(file).name}:{line} {func}")


if __name__ == "__main__":
    main()
