"""np.linalg.pinv of a wide dual row: its Jacobian's time, this checkout against another.

    python bench/pinv_wide.py [--compare DIR] [--sizes 256,1024]

The fibre row of bench/corpus64.py takes ``pinv([re])`` of a (1, N) row; the
partials' projector I - A+ A was an N x N matrix before newuser64 (f0b6f721).  For
each N, a fresh process per checkout (alternating) times ``dg.jacobian`` of
``np.linalg.pinv(x[None, :]).ravel()`` at a fixed random x (the median of 3 calls
after one warm-up, wall clock) and prints its largest difference from the closed
form d(x / |x|^2) = (I - 2 u u^T) / |x|^2, u = x / |x|.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import sys, time, statistics
import numpy as np, dualgrad as dg
n = int(sys.argv[1])
x = np.random.default_rng(0).normal(size=n)
f = lambda v: np.linalg.pinv(v[None, :]).ravel()
J = dg.jacobian(f, x)
times = []
for _ in range(3):
    t = time.perf_counter(); dg.jacobian(f, x); times.append(time.perf_counter() - t)
s = x @ x
u = x / np.sqrt(s)
want = (np.eye(n) - 2.0 * np.outer(u, u)) / s
print(statistics.median(times), np.abs(J - want).max() / np.abs(want).max())
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare")
    parser.add_argument("--sizes", default="256,1024")
    args = parser.parse_args()
    sides = {"this": HERE.parent}
    if args.compare:
        sides["other"] = Path(args.compare).resolve()
    for n in args.sizes.split(","):
        cells = []
        for side, checkout in sides.items():
            env = dict(os.environ, PYTHONPATH=str(checkout), OPENBLAS_NUM_THREADS="1")
            res = subprocess.run([sys.executable, "-c", CHILD, n], env=env, cwd="/",
                                 capture_output=True, text=True)
            if res.returncode:          # (the N x N x N projector's memory, before f0b6f721)
                cells.append(f"{side} failed (exit {res.returncode})")
                continue
            t, err = map(float, res.stdout.split())
            cells.append(f"{side} {t * 1e3:9.2f} ms (error {err:.0e})")
        print(f"N = {n:>5}: " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
