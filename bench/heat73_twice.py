"""np.gradient(np.gradient(p)) of partials: two ``backend.gradient`` passes against one
``_kernels.gradient_twice`` pass (issue 14, stop 73, heat73).

    python bench/heat73_twice.py [--rows N] [--n K] [--repeat R]

On ``N x K`` float64 partials (default 100,000 x 4: the heat rows'), numba forced,
interleaved repeats in one process, medians of the process's CPU time (the machine is
shared) and of wall time, in microseconds: the two single passes (the inner gradient
written and read back) and the one pass, for a power-of-two spacing (``h = 1``: the
products by ``1 / (2h)``) and another (``h = 0.3``: the divisions).  The two results are
checked equal to the bit first.  Prints only.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=30)
    opts = parser.parse_args()
    from dualgrad.backend import _kernels
    p = np.random.default_rng(0).standard_normal((opts.rows, opts.n))
    with _kernels.use("numba"):
        for h in (1.0, 0.3):
            def two():
                return _kernels.gradient(_kernels.gradient(p, 0, h, 1), 0, h, 1)

            def one():
                return _kernels.gradient_twice(p, 0, h, 1, h, 1)
            assert two().tobytes() == one().tobytes()
            times = {"two passes": ([], []), "one pass": ([], [])}
            for _ in range(opts.repeat):
                for name, fn in (("two passes", two), ("one pass", one)):
                    c, w = time.process_time(), time.perf_counter()
                    fn()
                    times[name][0].append(time.process_time() - c)
                    times[name][1].append(time.perf_counter() - w)
            row = [f"h = {h}:"]
            for name, (cpu, wall) in times.items():
                row.append(f"{name} {statistics.median(cpu) * 1e6:.0f} us CPU "
                           f"({statistics.median(wall) * 1e6:.0f} wall)")
            ratio = statistics.median(times["one pass"][0]) / \
                statistics.median(times["two passes"][0])
            print("  ".join(row) + f"  one / two {ratio:.2f}")


if __name__ == "__main__":
    main()
