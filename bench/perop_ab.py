"""Per-operation cost inside a helper, against another checkout (issue 13; prints only).

    python bench/perop_ab.py [--numba] [--compare /work/main] [--rounds 3]
        [--cells 10:2,1000:4,30x30:2] [--ops "u*u,np.exp(u)"] [--reps 200]

One ufunc or operator on an array dual ``u`` built inside ``dg.gradient`` under the
default engine, as user19's ``c17_perop.py`` builds it (``u = x * p[0] + p[-1]``
from the seed ``p`` of ``n`` directions, ``x`` of the cell's shape: ``N`` or
``RxC``), against the same call on the float array ``x``.  An op may also name ``k``,
the scalar dual ``0.7 * p[0]`` (the float 0.7 on the float side: ``k*u``), and ``A``, a
float matrix of ``N`` or ``R`` rows and columns (``A@u``; small41).  Each cell times ``--reps``
calls of the dual operation, then of the float one, five times back to back in CPU time
(``time.process_time``), and keeps the medians; ``dual / float`` is their quotient.

Without ``--numba`` the loader's budget is raised so that numba stays unloaded (the
NumPy calls of a short-lived process); ``--numba`` loads it first (the steady state of
a long loop).  ``--compare DIR``: fresh processes alternate this checkout and ``DIR``
for ``--rounds`` rounds (same cells, same flags); the table shows each side's median
dual microseconds and ratio and ``after / before`` of the dual times (below 1 is
faster).  Stop 33 (lean15) added it for values of more than one axis past the small
size, which took the general path (25-48 us a call at 30 x 30).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import alternate  # noqa: E402  (the A/B loop)
CELLS = "10:2,10:4,100:4,1000:2,1000:4,1000:6,4096:2,4096:4,30x30:2,30x30:4,30x30:6,64x64:2"
OPS = "u*u,u+u,u*2.0,np.exp(u),np.sin(u)"


def _cells(text):
    out = []
    for cell in text.split(","):
        shape, n = cell.split(":")
        out.append((tuple(int(s) for s in shape.split("x")), int(n)))
    return out


def child(cells, ops, reps, numba):
    """Print ``{"shape:n op": [dual s, float s]}`` for this process's dualgrad."""
    import numpy as np

    import dualgrad as dg
    from dualgrad.backend import _loader
    if numba:
        _loader.load()
    else:
        _loader.LOAD_AFTER = float("inf")
    fns = {op: eval(f"lambda u, k, A: {op}", {"np": np})             # noqa: S307 (flags)
           for op in ops}

    def median_block(fn, u, k, A):
        times = []
        for _ in range(5):
            t0 = time.process_time()
            for _ in range(reps):
                fn(u, k, A)
            times.append((time.process_time() - t0) / reps)
        return statistics.median(times)

    out = {}
    for shape, n in cells:
        x = np.linspace(0.1, 1.0, int(np.prod(shape))).reshape(shape)
        A = np.linspace(-1.0, 1.0, shape[0] ** 2).reshape(shape[0], shape[0])
        for op, fn in fns.items():
            got = {}

            def f(p):
                u = x * p[0] + p[-1]
                got["dual"] = median_block(fn, u, p[0] * 0.7, A)
                return np.sum(u)
            dg.gradient(f, np.ones(n))
            dg.gradient(f, np.ones(n))                  # the second call is timed
            out[f"{'x'.join(map(str, shape))}:{n} {op}"] = [got["dual"],
                                                            median_block(fn, x, 0.7, A)]
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", help="another checkout's root (the 'before' side)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cells", default=CELLS)
    parser.add_argument("--ops", default=OPS)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--numba", action="store_true", help="load numba first")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(_cells(args.cells), args.ops.split(","), args.reps, args.numba)
        return
    argv = ["--cells", args.cells, "--ops", args.ops, "--reps", str(args.reps)] + \
        (["--numba"] if args.numba else [])
    runs = alternate("perop_ab.py", argv, args.compare, args.rounds)
    sides = [(name, None) for name in ("after", "before") if name in runs]
    keys = list(runs["after"][0])
    header = ["cell op", "after us", "after / float"]
    if args.compare:
        header += ["before us", "before / float", "after / before"]
    print(f"perop_ab.py{' --numba' if args.numba else ''}: median over "
          f"{len(runs['after'])} process(es) per side, CPU time\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for key in keys:
        row = [key]
        med = {}
        for name, _ in sides:
            d = statistics.median(r[key][0] for r in runs[name])
            ratio = statistics.median(r[key][0] / r[key][1] for r in runs[name])
            med[name] = d
            row += [f"{d * 1e6:.1f}", f"{ratio:.1f}"]
        if args.compare:
            row.append(f"{med['after'] / med['before']:.2f}")
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
