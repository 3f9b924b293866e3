"""Does this NumPy's float64 power loop take its stride-0 fast path at exponent 2.0 (issue 13,
small49; prints only)?

    python bench/power_fast_path.py [--size 2000000]

NumPy's ``np.power`` float64 loop (numpy PR 26055, NumPy 2.1 on) computes a scalar exponent of
-1.0, 0.0, 0.5, 1.0, 2.0 as ``1 / x``, ``1``, ``sqrt(x)``, ``x``, ``x * x`` before its
SIMD / libm ``pow``; on a NumPy without it ``x ** 2.0`` is ``pow``'s rounding.  The table's
regular branch of ``u ** 3`` (``y * x ** (y - 1.0)``) is then ``3.0 * (x * x)`` to the bit,
which a compiled entry could compute (bench/MISSES.md, small49).  This times ``np.power(x,
np.float64(e))`` for e = 2.0, 2.0000001, 3.0 and ``np.square(x)`` on ``--size`` values of every
magnitude and sign (the fast path runs at ``np.square``'s speed, ``pow`` far slower), and counts
the elements whose bits differ from ``x * x``.
"""

import argparse
import statistics
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2_000_000)
    opts = parser.parse_args()
    rng = np.random.default_rng(49)
    x = np.exp(rng.uniform(-700.0, 700.0, opts.size)) * rng.choice([-1.0, 1.0], opts.size)
    print(f"numpy {np.__version__}, {opts.size} values, process-time medians of 5")
    with np.errstate(all="ignore"):
        for label, fn in [("np.power(x, 2.0)", lambda: np.power(x, np.float64(2.0))),
                          ("np.power(x, 2.0000001)", lambda: np.power(x, np.float64(2.0000001))),
                          ("np.power(x, 3.0)", lambda: np.power(x, np.float64(3.0))),
                          ("np.square(x)", lambda: np.square(x))]:
            times = []
            for _ in range(5):
                t0 = time.process_time()
                fn()
                times.append(time.process_time() - t0)
            print(f"| {label} | {statistics.median(times) * 1e3:.1f} ms |")
        power, square = np.power(x, np.float64(2.0)), x * x
    differ = int(np.count_nonzero(power.view(np.int64) != square.view(np.int64)))
    print(f"elements whose np.power(x, 2.0) bits differ from x * x: {differ}")


if __name__ == "__main__":
    main()
