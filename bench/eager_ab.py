"""The default and the eager engine alternating in one process, per problem (prints only).

    python bench/eager_ab.py [--checkout DIR] [--rounds R] [--only NAME]

Times ``dg.jacobian`` of the heat problems of bench/problems.py (and any problem whose
name contains NAME) with ``engine("auto")`` and ``engine("eager")`` in turn, ``R``
rounds (default 6) after a warm-up round, and prints the medians (seconds, wall
clock).  ``--checkout DIR`` imports dualgrad from ``DIR`` (another worktree, e.g. an
older commit) instead of this checkout: run it once per side, one after the other, to
compare the eager engine across commits under the same load.  Added in stop 33,
when bench_fused.py's eager column read 1.4-3x stop 31's and this alternation of two
engines did not.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", default=str(HERE.parent))
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--only", default="heat equation")
    opts = parser.parse_args()
    sys.path.insert(0, opts.checkout)
    sys.path.insert(0, str(HERE))
    import _common  # noqa: F401  (one thread per library)
    import dualgrad as dg
    import problems
    for name in [p for p in problems.PROBLEMS if opts.only in p]:
        run, _ = problems.PROBLEMS[name]("dualgrad")
        times = {"auto": [], "eager": []}
        for r in range(opts.rounds + 1):
            for engine in times:
                with dg.engine(engine):
                    t0 = time.perf_counter()
                    run()
                    if r:                                      # round 0 warms up
                        times[engine].append(time.perf_counter() - t0)
        print(f"{name}: auto {statistics.median(times['auto']):.3f} s, eager "
              f"{statistics.median(times['eager']):.3f} s ({Path(dg.__file__).parent.parent})")


if __name__ == "__main__":
    main()
