"""What NumPy's conversion of a scalar operand costs a small ufunc call (issue 13, small69).

    python bench/scalar_operand.py [--n 10] [--rounds 7]

Times, on float64 arrays of ``--n`` elements, each ufunc call that a number's power with
small array duals makes (``np.power(x, y)``, ``x ** (y - 1.0)``, ``np.power(c, x)``,
``c ** (x - 1.0)``, ``np.log(c)``) with the scalar spelled as a Python float, a NumPy
float64 and a 0-d float64 array (made once, and made in the call: ``np.array(y)``), in
interleaved rounds of CPU time (``time.process_time``: the machine is shared), medians in
microseconds; and whether each spelling gives the Python float's bits on 2e5 values of
every magnitude (the same float64 loop with the scalar broadcast).  Prints only.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent)]
from _common import median_time  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=7)
    opts = parser.parse_args()
    rng = np.random.default_rng(69)
    x = rng.uniform(0.5, 2.0, opts.n)
    xm = x - np.array(1.0)
    y, c = 2.5, 0.7
    spellings = {"Python float": (y, y - 1.0, c), "NumPy float64": (
        np.float64(y), np.float64(y - 1.0), np.float64(c)), "0-d array": (
        np.array(y), np.array(y - 1.0), np.array(c))}
    ops = []
    for name, (Y, W, C) in spellings.items():
        ops += [(f"np.power(x, y)   {name}", lambda Y=Y: np.power(x, Y)),
                (f"x ** (y - 1.0)   {name}", lambda W=W: x ** W),
                (f"np.power(c, x)   {name}", lambda C=C: np.power(C, x)),
                (f"c ** (x - 1.0)   {name}", lambda C=C: C ** xm),
                (f"np.log(c)        {name}", lambda C=C: np.log(C))]
    ops += [("np.power(x, np.array(y))  (made in the call)", lambda: np.power(x, np.array(y))),
            ("np.array(y)", lambda: np.array(y)), ("np.float64(y)", lambda: np.float64(y))]
    times = {name: [] for name, _ in ops}
    for _ in range(opts.rounds):
        for name, op in ops:
            times[name].append(median_time(op, 1, 0.02, time.process_time))
    print(f"scalar_operand.py: N = {opts.n}, {opts.rounds} interleaved rounds, CPU time, "
          "medians\n")
    print("| call | us |\n|---|---|")
    for name, _ in ops:
        print(f"| {name} | {statistics.median(times[name]) * 1e6:.3f} |")
    big = np.exp(rng.uniform(-700.0, 700.0, 200_000))
    print()
    for e in (2.5, -1.0, 0.5, 1.5, 2.0, 3.0, -0.5, 1e-3):
        want = np.power(big, e).view(np.int64)
        same = all(np.array_equal(np.power(big, s).view(np.int64), want)
                   for s in (np.float64(e), np.array(e)))
        base = np.power(e if e > 0 else -e, big[:1000]).view(np.int64)
        same_base = np.array_equal(np.power(np.array(abs(e)), big[:1000]).view(np.int64), base)
        print(f"exponent {e!r}: the three spellings' bits equal: {same}; as a base: {same_base}")


if __name__ == "__main__":
    with np.errstate(all="ignore"):
        main()
