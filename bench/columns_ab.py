"""NumPy's propagation forms at few directions: one broadcast call against a direction at a time.

    python bench/columns_ab.py [--rows 100000] [--n 1 2 4 8 16]

For each ``n``, the microseconds (best of 5 repeats of 20 calls, into a reused
output) of the three forms ``dualgrad.backend._propagate`` writes a direction at a
time for ``n`` = 2 to 4 (``_columns``, ``_columns2``, ``_broadcast``): ``f[:, None]
* p`` (a local derivative times partials), a row of ``n`` partials broadcast down
``rows`` rows, and ``f[:, None] * row`` (an array times a scalar dual's partials).
NumPy's loops run along the last axis, the directions, so at small ``n`` each inner
loop is ``n`` elements long.
"""

import argparse
import timeit

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--n", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    args = ap.parse_args()
    print("| n | f[:, None] * p | by columns | row broadcast down | by columns | "
          "f[:, None] * row | by columns |")
    print("|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for n in args.n:
        f, p = rng.random(args.rows), rng.random((args.rows, n))
        row, out = rng.random(n), np.empty((args.rows, n))
        forms = [lambda: np.multiply(f[:, None], p, out=out),
                 lambda: [np.multiply(f, p[:, k], out=out[:, k]) for k in range(n)],
                 lambda: out.__setitem__(Ellipsis, row),
                 lambda: [out[:, k].fill(row[k]) for k in range(n)],
                 lambda: np.multiply(f[:, None], row, out=out),
                 lambda: [np.multiply(f, row[k], out=out[:, k]) for k in range(n)]]
        us = [min(timeit.repeat(form, number=20, repeat=5)) / 20 * 1e6 for form in forms]
        print(f"| {n} | " + " | ".join(f"{t:.0f} us" for t in us) + " |")


if __name__ == "__main__":
    main()
