"""The Hessian of a small loss of scipy.special.psi timed against another checkout.

    python bench/psi_hessian.py --compare /work/main [--n 10] [--at 0.2:4] [--rounds 3]
    python bench/psi_hessian.py --compare /work/main --at=-10000.9:-10000.1 --reps 3
    python bench/psi_hessian.py --compare /work/main --nested=-1e6-0.5,-1e9-0.5

``dg.hessian`` of ``sum(gammaln(t) + t * psi(t))`` at ``n`` points uniform in ``--at``
(``lo:hi``): its second derivative differentiates psi's local derivative, trigamma, on
a nested dual (before tetra17 by SciPy's ``zeta(3, x)`` through zeta's rule; after, by
the table's own tetragamma).  Each side runs in a fresh process (numba loaded first,
one call to warm up), ``--reps`` calls timed in CPU seconds (the machine is shared:
CPU time is steadier than wall time), the median per call printed; the sides
alternate for ``--rounds`` rounds and the table shows each round and the medians'
quotient (after / before: below 1 is faster).  Prints only.

``--nested X,Y``: psi's second derivative at each point by nested scalar duals,
``dg.derivative(lambda s: dg.derivative(sc.psi, s), x)``, one call a point in one
process a side (no warm-up: a point may take seconds before), its value and CPU
seconds; at negative half-integers the exact value is psi2(1 - x) (printed, from
mpmath at 40 digits: mpmath's psi at x itself takes seconds there).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _common  # noqa: E402  (one thread per library; the A/B loop)


def child(n, lo, hi, reps):
    """Print the median CPU seconds of one Hessian in this process's dualgrad."""
    import numpy as np
    import scipy.special as sc

    import dualgrad as dg
    from dualgrad.backend import _loader
    _loader.load()
    x = np.random.default_rng(0).uniform(lo, hi, n)

    def loss(t):
        return np.sum(sc.gammaln(t) + t * sc.psi(t))
    dg.hessian(loss, x)
    times = []
    for _ in range(reps):
        t0 = time.process_time()
        dg.hessian(loss, x)
        times.append(time.process_time() - t0)
    print(json.dumps(statistics.median(times)))


def nested(points):
    """Print ``[[value, CPU seconds], ...]``: psi's second derivative at each point."""
    import scipy.special as sc

    import dualgrad as dg
    out = []
    for x in points:
        t0 = time.process_time()
        got = dg.derivative(lambda s: dg.derivative(sc.psi, s), x)
        out.append([float(got), time.process_time() - t0])
    print(json.dumps(out))


def compare_nested(args):
    import mpmath as mp
    text = args.nested.split(",")
    points = [float(eval(v)) for v in text]                             # noqa: S307
    got = {side: runs[0] for side, runs in _common.alternate(
        "psi_hessian.py", ["--compare", "-", f"--nested={args.nested}"], args.compare,
        1).items()}
    print(f"| x | before ({args.compare}) | CPU s | after (this checkout) | CPU s | "
          f"psi2(1 - x), mpmath (x a half-integer) |")
    print("|---|---|---|---|---|---|")
    for k, (v, x) in enumerate(zip(text, points)):
        with mp.workdps(40):
            exact = f"{float(mp.psi(2, 1 - mp.mpf(x))):.15e}" if x % 1.0 == 0.5 else ""
        (b, tb), (a, ta) = got["before"][k], got["after"][k]
        print(f"| {v} | {b:.15e} | {tb:.3f} | {a:.15e} | {ta:.3f} | {exact} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", required=True, help="the other checkout (before)")
    ap.add_argument("--n", type=int, default=10, help="points (default 10)")
    ap.add_argument("--at", default="0.2:4", help="lo:hi of the points (default 0.2:4)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--nested", help="comma-separated points (Python expressions)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.nested and args.child:
        return nested([float(eval(v)) for v in args.nested.split(",")])   # noqa: S307
    if args.nested:
        return compare_nested(args)
    lo, hi = (float(v) for v in args.at.split(":"))
    if args.child:
        return child(args.n, lo, hi, args.reps)
    got = _common.alternate("psi_hessian.py", ["--compare", "-", "--n", str(args.n),
                                               f"--at={args.at}", "--reps", str(args.reps)],
                            args.compare, args.rounds)
    b, a = got["before"], got["after"]
    print(f"| hessian, n = {args.n}, x in ({lo:g}, {hi:g}) | before ({args.compare}) | "
          f"after (this checkout) | after / before |")
    print("|---|---|---|---|")
    print(f"| CPU ms a call | {' / '.join(f'{v * 1e3:.2f}' for v in b)} | "
          f"{' / '.join(f'{v * 1e3:.2f}' for v in a)} | "
          f"{statistics.median(a) / statistics.median(b):.3f} |")


if __name__ == "__main__":
    main()
