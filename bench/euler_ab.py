"""A 3-state explicit Euler loop (attack32's repro_02, issue 13): its derivative and
Jacobian against the loop on floats and ``scipy.optimize.approx_fprime``, against another
checkout (prints only).

    python bench/euler_ab.py [--compare /tmp/main_before] [--rounds 3] [--numba]

``u = u + 0.01 * (k * (A @ u) - u ** 3)`` for 300 steps, ``u`` three floats, ``A`` a
3 x 3 float matrix: per step a float matrix times an array dual, a scalar dual times an
array dual, an array dual cubed, a number times one and two sums of array duals, each
on three elements (``dg.derivative`` in ``k``, one direction); ``cubic_vec`` takes ``k``
and the cube's coefficient from ``p`` (``dg.jacobian``, two directions).  Each row is
the median of 9 calls in CPU time; ``dg / f`` and ``dg / afp`` are quotients of medians
taken in the same process.  Without ``--numba`` the loader's budget is raised so that
numba stays unloaded (a short script's state: the loop never spends the budget); with
it, it is loaded first.  ``--compare DIR``: fresh processes alternate this checkout and
``DIR`` for ``--rounds`` rounds; the table shows each side's medians (small41).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import alternate  # noqa: E402  (the A/B loop)
A = [[-1, 0.5, 0], [0.3, -1, 0.2], [0, 0.1, -0.5]]


def child(numba):
    """Print ``{"row": seconds}`` for this process's dualgrad."""
    import numpy as np
    from scipy.optimize import approx_fprime

    import dualgrad as dg
    from dualgrad.backend import _loader
    if numba:
        _loader.load()
    else:
        _loader.LOAD_AFTER = float("inf")
    M = np.array(A)

    def cubic(k, steps=300):
        u = np.array([1.0, 0.5, 0.2])
        for _ in range(steps):
            u = u + 0.01 * (k * (M @ u) - u ** 3)
        return u

    def cubic_vec(p, steps=300):
        u = np.array([1.0, 0.5, 0.2])
        for _ in range(steps):
            u = u + 0.01 * (p[0] * (M @ u) - p[1] * u ** 3)
        return u

    def median(fn, repeat=9):
        fn()
        times = []
        for _ in range(repeat):
            t0 = time.process_time()
            fn()
            times.append(time.process_time() - t0)
        return statistics.median(times)

    x0, p0 = np.array([0.7]), np.array([0.7, 1.1])
    out = {"f": median(lambda: cubic(0.7)),
           "approx_fprime n=1": median(lambda: approx_fprime(x0, lambda x: cubic(x[0]))),
           "dg.derivative": median(lambda: dg.derivative(cubic, 0.7)),
           "approx_fprime n=2": median(lambda: approx_fprime(p0, cubic_vec)),
           "dg.jacobian n=2": median(lambda: dg.jacobian(cubic_vec, p0))}
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", help="another checkout's root (the 'before' side)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--numba", action="store_true", help="load numba first")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.numba)
        return
    runs = alternate("euler_ab.py", ["--numba"] if args.numba else [], args.compare,
                     args.rounds)
    sides = [(name, None) for name in ("after", "before") if name in runs]
    header = ["row"] + [f"{name} ms" for name, _ in sides] + \
        (["after / before"] if args.compare else [])
    print(f"euler_ab.py{' --numba' if args.numba else ''}: medians over "
          f"{len(runs['after'])} process(es) per side, CPU time\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    med = {name: {key: statistics.median(r[key] for r in runs[name]) for key in runs[name][0]}
           for name, _ in sides}
    for key in runs["after"][0]:
        row = [key] + [f"{med[name][key] * 1e3:.2f}" for name, _ in sides]
        if args.compare:
            row.append(f"{med['after'][key] / med['before'][key]:.2f}")
        print("| " + " | ".join(row) + " |")
    for name, _ in sides:
        m = med[name]
        print(f"\n{name}: dg.derivative / f {m['dg.derivative'] / m['f']:.1f}, "
              f"/ approx_fprime {m['dg.derivative'] / m['approx_fprime n=1']:.1f}; "
              "dg.jacobian n=2 / approx_fprime "
              f"{m['dg.jacobian n=2'] / m['approx_fprime n=2']:.1f}")


if __name__ == "__main__":
    main()
