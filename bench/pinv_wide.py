"""np.linalg.pinv of a wide dual row: its Jacobian's time, this checkout against another.

    python bench/pinv_wide.py [--compare DIR] [--rounds 1] [--sizes 256,1024]

The fibre row of bench/corpus64.py takes ``pinv([re])`` of a (1, N) row; the
partials' projector I - A+ A was an N x N matrix before newuser64 (f0b6f721).  Fresh
processes of each checkout, alternating ``--rounds`` times, time ``dg.jacobian`` of
``np.linalg.pinv(x[None, :]).ravel()`` at a fixed random x for each N (the median of 3
calls after one warm-up, wall clock) and give its largest difference from the closed
form d(x / |x|^2) = (I - 2 u u^T) / |x|^2, u = x / |x|, over the largest entry.  (Before
f0b6f721 the N x N x N products take ~8 s at N = 1024 and more memory than a small
machine has past 2048.)
"""

import argparse
import json
import statistics
import time

from _common import alternate, timed_error_table


def child(sizes):
    import numpy as np
    import dualgrad as dg

    def f(v):
        return np.linalg.pinv(v[None, :]).ravel()
    out = {}
    for n in map(int, sizes.split(",")):
        x = np.random.default_rng(0).normal(size=n)
        J = dg.jacobian(f, x)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            dg.jacobian(f, x)
            times.append(time.perf_counter() - t)
        s = x @ x
        u = x / np.sqrt(s)
        want = (np.eye(n) - 2.0 * np.outer(u, u)) / s
        out[f"N = {n}"] = [statistics.median(times) * 1e3,
                           float(np.abs(J - want).max() / np.abs(want).max())]
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", metavar="DIR", help="another checkout's root")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--sizes", default="256,1024")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.sizes)
    got = alternate("pinv_wide.py", ["--sizes", args.sizes], args.compare, args.rounds)
    timed_error_table(got, args.compare)


if __name__ == "__main__":
    main()
