"""What bounds the products ``a @ b`` of a 1-D or 2-D and a 1-D dual (issue 13, prod13).

    python bench/product_floors.py                      # N = 1e5 and 1e3, n = 4, 9 rounds
    python bench/product_floors.py --rounds 15 --N 100000

Rows (bench_functions.py's shapes: ``np.dot(x, y)`` of two dual vectors of N, and
``M @ M[0]`` of a dual matrix of about N elements), each a median over rounds of its
time over the float call's, the calls of a round timed back to back (a loaded machine
slows them alike):

* ``dual``: the call on duals (value, partials, dispatch);
* ``kernel``: ``backend.matvec`` alone, the partials in one pass (four directions);
* ``blas``: the partials as two BLAS products (``np.matmul(b, pa) + np.matmul(a, pb)``),
  what the products did before;
* ``bytes``: the float call on operands (n + 1) times as long, that is the dual
  operands' bytes (values and partials) read once by NumPy's own product: a
  memory-bound floor for any propagation that reads each partial once, before
  the value's own call (``+ 1``);
* ``flops``: ``2 n + 1`` (one multiply-add per partial of each operand and the
  value's), the arithmetic floor against a float call running at the same speed.
"""

import os
import statistics
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):    # before NumPy loads its BLAS
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

import dualgrad as dg  # noqa: E402
from dualgrad import backend  # noqa: E402
from dualgrad.backend import _loader  # noqa: E402
from dualgrad.dual._base import new_tag  # noqa: E402

_loader.load()


def _best(fn, min_time=0.02):
    """Seconds per call: the fastest of three batches of about ``min_time``."""
    fn()
    t0 = time.perf_counter()
    fn()
    number = max(1, int(min_time / max(time.perf_counter() - t0, 1e-7)))
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def _cases(N, n, rng):
    tag = new_tag()
    x, y = rng.uniform(0.2, 0.9, N), rng.uniform(0.2, 0.9, N)
    px, py = rng.standard_normal((N, n)), rng.standard_normal((N, n))
    X, Y = dg.Dual(x, px, tag=tag), dg.Dual(y, py, tag=tag)
    xx, yy = rng.uniform(0.2, 0.9, (n + 1) * N), rng.uniform(0.2, 0.9, (n + 1) * N)
    m = max(2, int(round(np.sqrt(N))))
    M, pM = rng.uniform(0.2, 0.9, (m, m)), rng.standard_normal((m, m, n))
    D = dg.Dual(M, pM, tag=tag)
    b, pb = M[0], pM[0]
    MM, bb = rng.uniform(0.2, 0.9, (m, (n + 1) * m)), rng.uniform(0.2, 0.9, (n + 1) * m)
    x1, px1 = x[None], px[None]
    return {
        "np.dot(x, y)": {
            "float": lambda: np.dot(x, y),
            "dual": lambda: np.dot(X, Y),
            "kernel": lambda: backend.matvec(x1, px1, y, py),
            "blas": lambda: np.matmul(y, px) + np.matmul(x, py),
            "bytes": lambda: np.dot(xx, yy),
        },
        "M @ M[0]": {
            "float": lambda: M @ M[0],
            "dual": lambda: D @ D[0],
            "kernel": lambda: backend.matvec(M, pM, b, pb),
            "blas": lambda: np.matmul(b, pM) + M @ pb,
            "bytes": lambda: MM @ bb,
        },
    }


def main():
    args = sys.argv[1:]
    if any(a in ("-h", "--help") for a in args):
        print(__doc__)
        return
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 9
    Ns = [int(float(args[args.index("--N") + 1]))] if "--N" in args else [100_000, 1000]
    n = 4
    rng = np.random.default_rng(0)
    print(f"load average {os.getloadavg()[0]:.1f}; n = {n}; median over {rounds} rounds of "
          "time / float call")
    print("| row | N | dual | kernel | blas | bytes + 1 | flops |")
    print("|---|---|---|---|---|---|---|")
    for N in Ns:
        for name, calls in _cases(N, n, rng).items():
            ratios = {k: [] for k in calls if k != "float"}
            for _ in range(rounds):
                t = {k: _best(fn) for k, fn in calls.items()}
                for k in ratios:
                    ratios[k].append(t[k] / t["float"])
            med = {k: statistics.median(v) for k, v in ratios.items()}
            print(f"| {name} | {N:g} | {med['dual']:.1f}x | {med['kernel']:.1f}x | "
                  f"{med['blas']:.1f}x | {med['bytes'] + 1:.1f}x | {2 * n + 1}x |")


if __name__ == "__main__":
    main()
