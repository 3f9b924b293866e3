"""The point-kinetics row's rhs (bench/corpus63.py), operation by operation (rows64;
prints only).

    python bench/kinetics_ops.py [--compare CHECKOUT] [--rounds 3]

Inside one ``dg.jacobian`` call (two directions, as the row's), each line of the rhs's
matrix -- ``np.zeros_like`` of the prompt time's scalar dual, ``np.fill_diagonal`` of
the decay constants, ``np.append`` of the reactivity term to them, the row and column
stores, ``beta / L``, ``np.dot(M, y)`` -- timed by ``time.perf_counter`` over 3000
calls, the middle of five repeats, in microseconds.  With ``--compare`` each round
runs this checkout and the other in fresh processes, alternately; the medians over the
rounds are printed side by side.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child():
    sys.path[:0] = [str(HERE)]
    import _common  # noqa: F401  (one BLAS thread, before NumPy)
    import numpy as np
    import dualgrad as dg
    beta = 0.0075 * np.array([0.033, 0.219, 0.196, 0.395, 0.115, 0.042])
    lamda = np.array([0.0124, 0.0305, 0.1110, 0.3011, 1.1400, 3.0100])
    got = {}

    def clock(fn, n=3000):
        reps = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(n):
                fn()
            reps.append((time.perf_counter() - t) / n * 1e6)
        return sorted(reps)[2]

    def body(q):
        rho, L = q[0], q[1]
        M = np.zeros_like(L, shape=(7, 7))
        row = np.append((rho - beta.sum()) / L, lamda)
        col = beta / L
        y = M[:, 0] * 2.0 + 1.0
        ops = {
            "np.zeros_like(L, shape=(7, 7))": lambda: np.zeros_like(L, shape=(7, 7)),
            "np.fill_diagonal(M, np.append(0, -lamda))":
                lambda: np.fill_diagonal(M, np.append(0, -lamda)),
            "np.append((rho - bt) / L, lamda)":
                lambda: np.append((rho - beta.sum()) / L, lamda),
            "M[0, :] = row": lambda: M.__setitem__((0, slice(None)), row),
            "beta / L": lambda: beta / L,
            "M[1:7, 0] = col": lambda: M.__setitem__((slice(1, 7), 0), col),
            "np.dot(M, y)": lambda: np.dot(M, y),
        }
        for k, fn in ops.items():
            got[k] = clock(fn)
        return q
    dg.jacobian(body, np.array([0.001, 6e-5]))
    print(json.dumps(got))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--compare")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", action="store_true")
    a = ap.parse_args()
    if a.child:
        return child()
    sides = [HERE.parent] + ([Path(a.compare).resolve()] if a.compare else [])
    got = {str(s): [] for s in sides}
    for _ in range(a.rounds):
        for side in sides:
            env = dict(os.environ, PYTHONPATH=str(side))
            r = subprocess.run([sys.executable, str(HERE / "kinetics_ops.py"), "--child"],
                               env=env, capture_output=True, text=True, check=True,
                               cwd=str(side))
            got[str(side)].append(json.loads(r.stdout.strip().splitlines()[-1]))
    names = list(got[str(sides[0])][0])
    print("| operation | " + " | ".join(f"{s} us" for s in sides) + " |")
    print("|---|" + "---|" * len(sides))
    for name in names:
        print(f"| {name} | " + " | ".join(
            f"{statistics.median(r[name] for r in got[str(s)]):.2f}" for s in sides) + " |")


if __name__ == "__main__":
    main()
