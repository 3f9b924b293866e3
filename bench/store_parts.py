"""Element and slice reads and writes of small array duals in a day loop, against the
same on float arrays (issue 13, small51; prints only).

    python bench/store_parts.py [--compare OTHER_CHECKOUT] [--rounds 3] [--n 4]

A GR4J day (examples/rainfall_runoff.py, userhydro50) reads ``s[t]`` / ``r[t]`` ~17
times, writes ``s[t] = d`` ~7 times and shifts two unit hydrographs,
``uh[:-1] = uh[1:] + o[:-1] * w; uh[-1] = o[-1] * w``.  Each row times one of those on
array duals of N = 10 (``a``) or 5 (``uh``, ``o``) float64 elements and ``n`` directions
of one live tag, and the same spelling on float64 arrays and a float ``w``, interleaved
(``bench_engine.small_samples``' way: process time, medians of 11 repeats, the ratio the
median of per-repeat ratios).  Rows: ``a[3]``, ``a[2:5]``, ``a[3] = k`` (a scalar dual),
``a[3] = 0.5``, ``uh[:-1] = w`` (``w`` a fresh dual of 4 elements), ``uh[:-1] = uh[1:]``
(a view of itself: the onto-itself test first), the whole shift (two lines), and
``np.sin(a)``.  Each side is a fresh process whose ``dualgrad`` is that checkout's
(``--compare``: alternating, this checkout "after"); ``this / other`` is the median over
rounds of the dual times' quotient.  Numba is loaded first (a long loop's steady state).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import alternate, median_time  # noqa: E402


def child(n):
    import dualgrad as dg
    from dualgrad.backend import _loader
    from dualgrad.dual._base import new_tag
    _loader.load()
    rng = np.random.default_rng(51)
    tag = new_tag()
    x, xu, xo = rng.uniform(0.5, 2, 10), rng.uniform(0.5, 2, 5), rng.uniform(0.5, 2, 5)
    a = dg.Dual(x.copy(), rng.standard_normal((10, n)), tag=tag)
    uh = dg.Dual(xu.copy(), rng.standard_normal((5, n)), tag=tag)
    o = dg.Dual(xo.copy(), rng.standard_normal((5, n)), tag=tag)
    k = dg.Dual(0.7, rng.standard_normal(n), tag=tag)
    w = uh[1:] * 1.0
    xw = xu[1:] * 1.0

    def shift(uh, o, k):
        uh[:-1] = uh[1:] + o[:-1] * k
        uh[-1] = o[-1] * k

    rows = {
        "a[3]": (lambda: x[3], lambda: a[3]),
        "a[2:5]": (lambda: x[2:5], lambda: a[2:5]),
        "a[3] = k": (lambda: x.__setitem__(3, 0.7), lambda: a.__setitem__(3, k)),
        "a[3] = 0.5": (lambda: x.__setitem__(3, 0.5), lambda: a.__setitem__(3, 0.5)),
        "uh[:-1] = w": (lambda: xu.__setitem__(slice(None, -1), xw),
                        lambda: uh.__setitem__(slice(None, -1), w)),
        "uh[:-1] = uh[1:]": (lambda: xu.__setitem__(slice(None, -1), xu[1:]),
                             lambda: uh.__setitem__(slice(None, -1), uh[1:])),
        "shift (2 lines)": (lambda: shift(xu, xo, 0.7), lambda: shift(uh, o, k)),
        "np.sin(a)": (lambda: np.sin(x), lambda: np.sin(a)),
    }
    out = {}
    for name, (float_op, dual_op) in rows.items():
        samples = [(median_time(float_op, 1, 0.03, time.process_time),
                    median_time(dual_op, 1, 0.03, time.process_time)) for _ in range(11)]
        tf = statistics.median(s[0] for s in samples)
        td = statistics.median(s[1] for s in samples)
        out[name] = [tf * 1e6, td * 1e6, statistics.median(s[1] / s[0] for s in samples)]
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", help="another checkout's root (the 'before' side)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.n)
    print("load:", os.popen("uptime").read().strip())
    got = alternate("store_parts.py", ["--n", str(args.n)], args.compare, args.rounds)
    header = "| op (n = %d) | float us | dual us (this) | dual / float (this) |" % args.n
    if args.compare:
        header += " dual us (other) | dual / float (other) | this / other |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for name in got["after"][0]:
        def med(side, i, key=name):
            return statistics.median(r[key][i] for r in got[side])
        row = f"| {name} | {med('after', 0):.3f} | {med('after', 1):.3f} | " \
              f"{med('after', 2):.1f}x |"
        if args.compare:
            ratio = statistics.median(a[name][1] / b[name][1]
                                      for a, b in zip(got["after"], got["before"]))
            row += f" {med('before', 1):.3f} | {med('before', 2):.1f}x | {ratio:.2f} |"
        print(row)
    print("load:", os.popen("uptime").read().strip())


if __name__ == "__main__":
    sys.exit(main())
