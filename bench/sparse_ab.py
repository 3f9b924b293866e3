"""The sparse heat step's `L @ u`: one kernel pass (backend.sparse_dual) against SciPy's two products.

    python bench/sparse_ab.py [--cells 100000] [--steps 200] [--rounds 9] [--dia]

bench/problems.py's ``heat_sparse`` under ``dg.jacobian`` in one process, three ways
alternating (their order rotating each round): ``f`` itself; dualgrad as it is, where a
CSR ``L @ u`` of a 1-D dual computes the value and the partials in one pass over ``L``
(``backend.sparse_dual``); and dualgrad with that kernel declined (``backend.sparse_dual``
answering ``None`` for the round: dispatch then takes SciPy's ``L @ u.value`` and
``L @ partials``, the path before it).  The two Jacobians are compared bit for bit
first.  Prints the load, the medians of process time per call and their ratios to f, and
the median of the per-round ratios kernel / SciPy.  ``--dia``: the same step with the
Laplacian in ``sp.diags``'s default format (DIA) instead of CSR.  Nothing is written.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402


def heat_dia(p, n, steps, dt=0.01):
    """problems.heat_sparse with ``sp.diags``'s default format (DIA) for the Laplacian."""
    import scipy.sparse as sp
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1])
    for _ in range(steps):
        u = u + kappa * (L @ u) + inner * (dt * rate * u * (1.0 - u))
    return u


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--dia", action="store_true")
    opts = parser.parse_args()
    import dualgrad as dg
    import problems
    from dualgrad import backend
    real = backend.sparse_dual
    form = heat_dia if opts.dia else problems.heat_sparse

    def f():
        return form(problems.HEAT_P, n=opts.cells, steps=opts.steps)

    def jac():
        return dg.jacobian(lambda p: form(p, n=opts.cells, steps=opts.steps), problems.HEAT_P)

    def kernel():
        backend.sparse_dual = real
        return jac()

    def scipy():
        backend.sparse_dual = lambda S, x, p: None
        try:
            return jac()
        finally:
            backend.sparse_dual = real

    a, b = np.asarray(kernel()), np.asarray(scipy())
    assert np.array_equal(a.view(np.int64), b.view(np.int64)), "the Jacobians differ"
    ways = {"f": f, "kernel": kernel, "scipy": scipy}
    times = {name: [] for name in ways}
    print(f"load before: {os.getloadavg()}", flush=True)
    names = list(ways)
    for r in range(opts.rounds):
        for name in names[r % 3:] + names[:r % 3]:
            t0 = time.process_time()
            ways[name]()
            times[name].append(time.process_time() - t0)
    print(f"load after: {os.getloadavg()}")
    fm = statistics.median(times["f"])
    for name in names:
        m = statistics.median(times[name])
        print(f"{name}: {1e3 * m:.1f} ms ({m / fm:.2f}x f)")
    ratio = statistics.median(k / s for k, s in zip(times["kernel"], times["scipy"]))
    print(f"kernel / scipy (median of rounds): {ratio:.3f}")


if __name__ == "__main__":
    main()
