"""The default chunk (directions per pass) against the memory a pass really uses.

    python bench/chunk_peak.py [--hidden 28 93] [--chunks 64,96,128,160,206,0]

``dg.gradient``'s default chunk (api/_seed.py ``chunk_sizes``) takes as many directions
per pass as fit ``MEMORY_BUDGET`` (16 MB) of partials of an intermediate *as large as
the input*, at most ``MAX_CHUNK`` (256).  An f whose intermediates are larger than its
input (an MLP's hidden activations: 256 samples x 93 units = 23,808 numbers against
10,047 weights) then runs passes whose partials are several times the budget.  For
bench/ml_numpy.py's MLP (cryer's three-layer ReLU net, 256 x 10 inputs, 3 classes) at
each width: the peak of NumPy's allocations during the gradient (``tracemalloc``, a
separate untraced-for-time run: the passes run one after another, so this is one
pass's peak plus what the helper keeps), the largest single partials array, and the
gradient's process time (one warm-up, the median of ``--repeat`` runs), s and us per
direction.  ``0`` is the default.  The load (``os.getloadavg``) is printed.
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(__file__))
import _common                                          # noqa: E402,F401  one thread

import numpy as np                                      # noqa: E402

import dualgrad as dg                                   # noqa: E402
from dualgrad.api._seed import chunk_sizes              # noqa: E402
from ml_numpy import mlp_loss                           # noqa: E402


def problem(hidden):
    rng = np.random.default_rng(0)
    N, D, C, H = 256, 10, 3, hidden
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, N)
    shapes = [(D, H), (1, H), (H, H), (1, H), (H, C), (1, C)]
    theta = np.concatenate([0.3 * rng.standard_normal(int(np.prod(s))) for s in shapes])
    return (lambda th: mlp_loss(th, X, y, shapes)), theta, N * H


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", type=int, nargs="+", default=[28, 93])
    ap.add_argument("--chunks", default="64,96,128,160,206,0")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    print("load before:", os.getloadavg())
    print("| inputs | hidden numbers | chunk | passes | peak traced MB | hidden partials MB "
          "| CPU s | us per direction |")
    print("|---|---|---|---|---|---|---|---|")
    for hidden in args.hidden:
        f, theta, inner = problem(hidden)
        for c in [int(c) or None for c in args.chunks.split(",")]:
            widths = chunk_sizes(theta.size, c, theta.size)
            tracemalloc.start()
            dg.gradient(f, theta, chunk=c)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            times = []
            for _ in range(args.repeat):
                t0 = time.process_time()
                dg.gradient(f, theta, chunk=c)
                times.append(time.process_time() - t0)
            t = statistics.median(times)
            print(f"| {theta.size} | {inner} | {c or 'default'} ({max(widths)}) | {len(widths)} "
                  f"| {peak / 2**20:.0f} | {inner * max(widths) * 8 / 2**20:.1f} | {t:.2f} "
                  f"| {t / theta.size * 1e6:.0f} |", flush=True)
    print("load after:", os.getloadavg())
    return None


if __name__ == "__main__":
    main()
