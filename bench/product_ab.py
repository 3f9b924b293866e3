"""Small products of array duals against another checkout (issue 13, small62; prints only).

    python bench/product_ab.py --compare /tmp/main_before [--rounds 5] [--n 1 10]

``A @ u``, ``np.dot(A, u)``, ``u @ v`` and ``u @ A`` on array duals of N = 10 float64
values and ``n`` directions (numba loaded, as ``bench_engine.py --small --numba``), ``A`` a
10 x 10 float matrix, each against the same call on the floats, in CPU time
(``time.process_time``: the machine is shared), the dual and float calls interleaved,
medians of 9.  Each side is a fresh process whose ``dualgrad`` is that checkout's; the
sides alternate for ``--rounds`` rounds (this checkout "after", ``--compare`` "before";
one BLAS thread each, ``_common.alternate``).  The table: each side's median dual
microseconds and dual / float ratio over the rounds, and ``after / before``, the median
of the rounds' quotients of the two dual times.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

OPS = {"A @ u": (lambda A, u, v: A @ u), "np.dot(A, u)": (lambda A, u, v: np.dot(A, u)),
       "u @ v": (lambda A, u, v: u @ v), "u @ A": (lambda A, u, v: u @ A)}


def child(ns):
    import dualgrad as dg
    from dualgrad.backend import _loader
    from dualgrad.dual._base import new_tag
    sys.path.insert(0, str(HERE))
    from _common import median_time
    _loader.load()
    rng = np.random.default_rng(62)
    A = np.linspace(-1.0, 1.0, 100).reshape(10, 10)
    x, y = rng.uniform(0.5, 2.0, 10), rng.uniform(0.5, 2.0, 10)
    rows = {}
    for n in ns:
        tag = new_tag()
        u = dg.Dual(x, rng.standard_normal((10, n)), tag=tag)
        v = dg.Dual(y, rng.standard_normal((10, n)), tag=tag)
        for name, op in OPS.items():
            samples = [[median_time(lambda: op(A, x, y), 1, 0.02, time.process_time),
                        median_time(lambda: op(A, u, v), 1, 0.02, time.process_time)]
                       for _ in range(9)]
            rows[f"{name} | {n}"] = [statistics.median(s[1] for s in samples),
                                     statistics.median(s[1] / s[0] for s in samples)]
    print(json.dumps(rows))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", help="another checkout's root (the 'before' side)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.n)
        return
    sys.path.insert(0, str(HERE))
    from _common import alternate
    runs = alternate("product_ab.py", ["--n", *map(str, args.n)], args.compare, args.rounds)
    header = ["op (N = 10) | n", "after us", "after / float"]
    if args.compare:
        header += ["before us", "before / float", "after / before"]
    print(f"product_ab.py: {len(runs['after'])} round(s) of fresh processes per side, "
          "CPU time, medians\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * (len(header) + 1))      # (the key holds two cells)
    for key in runs["after"][0]:
        row = [key]
        for side in ("after", "before") if args.compare else ("after",):
            row += [f"{statistics.median(r[key][0] for r in runs[side]) * 1e6:.2f}",
                    f"{statistics.median(r[key][1] for r in runs[side]):.1f}"]
        if args.compare:
            row.append(f"{statistics.median(a[key][0] / b[key][0] for a, b in zip(runs['after'], runs['before'])):.2f}")
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
