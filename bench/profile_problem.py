"""Where the time of one benchmark problem goes: cProfile of its dualgrad row.

    python bench/profile_problem.py "Broyden 50x50"
    python bench/profile_problem.py "elementwise N=1e6" --peer dualgrad --top 15

Prints the median time per call (as ``run.py`` measures it), then the functions
with the most time of their own, per call of the problem.  The analysis of the
missed targets in MISSES.md cites these profiles.

``--keep-freed-memory`` (Linux, glibc) first tells the C allocator to keep freed
memory and serve large arrays from it (``mallopt``), so that no array gets fresh
pages from the system: the difference to a plain run bounds what reusing buffers
could save.  ``--no-buffer-pool`` turns off dualgrad's own reuse of large partials
arrays (``dualgrad.backend._buffers``), to measure what it saves.
"""

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent),   # this checkout's dualgrad
                str(Path(__file__).resolve().parent)]

from _common import keep_freed_memory, median_time  # noqa: E402  (one thread a library first)
from problems import PROBLEMS  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problem", choices=sorted(PROBLEMS))
    parser.add_argument("--peer", default="dualgrad")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--keep-freed-memory", action="store_true")
    parser.add_argument("--no-buffer-pool", action="store_true")
    opts = parser.parse_args()
    if opts.keep_freed_memory:
        keep_freed_memory()
    if opts.no_buffer_pool:
        from dualgrad.backend import _buffers
        _buffers.use(False).__enter__()
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
