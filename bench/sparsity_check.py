"""What the pattern check of ``dg.jacobian(f, x, sparsity=P)`` costs (misc47, item 6).

A pattern given by hand (``P`` from ``dg.sparsity`` at another point, or written out)
is checked on every call: one more pass of ``f`` along a random direction
(``dualgrad.api._coloring._check_pattern``), unless no coloring compresses it.  This
times, back to back in each repeat, the whole sparse Jacobian with a given ``P`` and
the check alone on the same ``J``, and reports the check's share of the call (the
median of the per-repeat ratios), the call with ``check_sparsity=False``, and SciPy's
``approx_derivative(..., sparsity=P)`` as the peer in the same run.

Problems: the Brusselator of examples/sparse_brusselator.py (2 x N x N, vectorized),
a 1-D heat residual (tridiagonal, vectorized, n = 100,000), and a chain written as a
Python loop over elements (n = 200: f costs its loop in both passes).

Run:  python bench/sparsity_check.py
"""

import runpy
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize._numdiff import approx_derivative

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]   # this checkout's dualgrad
import dualgrad as dg  # noqa: E402
from dualgrad.api import _coloring  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EX = runpy.run_path(str(ROOT / "examples" / "sparse_brusselator.py"))


def heat(u):
    r = np.empty_like(u)
    r[1:-1] = u[:-2] - 2.0 * u[1:-1] + u[2:] + np.sin(u[1:-1])
    r[0], r[-1] = u[0] - 1.0, u[-1]
    return r


def chain_loop(u):
    out = []
    for i in range(len(u) - 1):
        out.append(u[i] * u[i + 1] - np.sin(u[i]))
    out.append(u[-1] ** 2)
    return np.stack(out)


def problems():
    N = 64
    y = EX["initial_state"](N)
    yield "brusselator 2 x 64 x 64", lambda v: EX["rhs_of_y"](v, 0.0, N), y, 20
    x = np.linspace(0.0, 1.0, 100_000)
    yield "heat, n = 100,000", heat, x, 20
    x = np.linspace(0.1, 1.0, 200)
    yield "chain loop, n = 200", chain_loop, x, 20


def main():
    rows = []
    for name, f, x, repeat in problems():
        P = dg.sparsity(f, x + 0.01)                 # at another point: checked each call
        J = dg.jacobian(f, x, sparsity=P)

        def whole():
            dg.jacobian(f, x, sparsity=P)

        def check():
            _coloring._check_pattern("bench", f, (), x, J)

        def unchecked():
            dg.jacobian(f, x, sparsity=P, check_sparsity=False)

        def scipy():
            approx_derivative(f, x, sparsity=P)
        for fn in (whole, check, unchecked, scipy):
            fn()
        tw, tc, tu, ts = [], [], [], []
        for _ in range(repeat):
            for fn, ts_ in ((whole, tw), (check, tc), (unchecked, tu), (scipy, ts)):
                t0 = time.perf_counter()
                fn()
                ts_.append(time.perf_counter() - t0)
        colors = int(_coloring.column_coloring(P).max()) + 1
        rows.append((name, colors, statistics.median(tw) * 1e3, statistics.median(tc) * 1e3,
                     statistics.median(c / w for c, w in zip(tc, tw)),
                     statistics.median(tu) * 1e3, statistics.median(ts) * 1e3))
    print("| problem | colors | jacobian(sparsity=P) ms | its check ms | check's share | "
          "check_sparsity=False ms | SciPy approx_derivative ms |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]:.2f} | {r[3]:.2f} | {r[4]:.0%} | {r[5]:.2f} | "
              f"{r[6]:.2f} |")


if __name__ == "__main__":
    main()
