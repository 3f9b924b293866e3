"""BLAS's own threads on a busy machine: the small products of partials, threaded or not.

    python bench/blas_threads.py [--rounds 5] [--calls 20]

A gradient through ``np.vdot`` multiplies the partials (N x n, n small) by a vector: one
small BLAS product.  With OpenBLAS's threads on and the cores busy (other processes,
an ``executor=``), the product waits for its threads to get a core.  Each line is a
fresh process with ``OPENBLAS_NUM_THREADS`` (and ``OMP_NUM_THREADS``) unset (BLAS's
default: a thread per core) or set to 1, alternating; medians over rounds of the
median of ``--calls`` calls, in milliseconds:

* ``product``: ``np.matmul(b, np.conj(c))``, b complex (4096,), c complex (4096, 6);
* ``f``: the float call of a 64 x 64 complex field's overlap ``np.real(np.vdot(E, ref))``
  (the shape of a new user's optics code, user25 of stop 39);
* ``gradient``: ``dg.gradient`` of it in 6 parameters.

The machine's load is printed beside them: the gap is the load's, and it is zero on
idle cores.  Nothing is written.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
import dualgrad as dg
calls = int(sys.argv[2])
n = 64
x = np.linspace(-1, 1, n)
X, Y = np.meshgrid(x, x)
ref = np.exp(1j * 0.7 * X)

def f(p):
    E = p[0] * np.exp(1j * (p[1] * X + p[2] * Y + p[3] * X * Y + p[4] * X**2 + p[5] * Y**2))
    return np.real(np.vdot(E, ref))

p = np.array([1.2, 9.0, -4.0, 3.5, 0.6, 1.1])
rng = np.random.default_rng(0)
c = rng.standard_normal((4096, 6)) + 1j * rng.standard_normal((4096, 6))
b = ref.reshape(-1)

def med(fn):
    fn()
    ts = []
    for _ in range(calls):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return 1e3 * sorted(ts)[len(ts) // 2]

print(json.dumps({"product": med(lambda: np.matmul(b, np.conj(c))), "f": med(lambda: f(p)),
                  "gradient": med(lambda: dg.gradient(f, p))}))
"""


def run(threads, calls):
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        env.pop(var, None)
        if threads:
            env[var] = str(threads)
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(calls)], env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    rows = {"default": [], "1 thread": []}
    for _ in range(args.rounds):
        rows["default"].append(run(None, args.calls))
        rows["1 thread"].append(run(1, args.calls))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; medians of "
          f"{args.rounds} rounds, ms")
    print(f"{'':10s} {'product':>9s} {'f':>9s} {'gradient':>9s}")
    for name, runs in rows.items():
        cells = [statistics.median(r[k] for r in runs) for k in ("product", "f", "gradient")]
        print(f"{name:10s} " + " ".join(f"{v:9.3f}" for v in cells))


if __name__ == "__main__":
    main()
