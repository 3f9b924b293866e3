"""Where the time of one benchmark problem goes: cProfile of its dualgrad row.

    python bench/profile_problem.py "Broyden 50x50"
    python bench/profile_problem.py "elementwise N=1e6" --peer dualgrad --top 15

Prints the median time per call (as ``run.py`` measures it), then the functions
with the most time of their own, per call of the problem.  The analysis of the
missed targets in MISSES.md cites these profiles.
"""

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median_time  # noqa: E402  (sets one thread per library first)
from problems import PROBLEMS  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problem", choices=sorted(PROBLEMS))
    parser.add_argument("--peer", default="dualgrad")
    parser.add_argument("--top", type=int, default=12)
    opts = parser.parse_args()
    fn, _ = PROBLEMS[opts.problem](opts.peer)
    seconds = median_time(fn)
    calls = max(1, int(0.5 / seconds))
    profile = cProfile.Profile()
    profile.runcall(lambda: [fn() for _ in range(calls)])
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("tottime")
    stats.print_stats(opts.top)
    print(f"{opts.problem}, {opts.peer}: {seconds * 1e6:.1f} us per call (median); "
          f"profile of {calls} calls (times include the profiler's own overhead):")
    print(out.getvalue().split("\n", 4)[-1].strip("\n"))


if __name__ == "__main__":
    main()
