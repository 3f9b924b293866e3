"""The cost of a first derivative of eigenvalues at a repeated eigenvalue (the tie
path: ``_spectral.tied``, eig49's ``_spectral.resolved``, ``clustered``), one direction.

    PYTHONPATH=. python bench/eig_tie_cost.py [--repeat 7]
    PYTHONPATH=<another checkout> python bench/eig_tie_cost.py   # the same, before

``A = Q diag(1, 1, 3, 4, .., m) Q^T`` (``Q`` Gaussian's orthogonal factor, seed 0): LAPACK
returns the double eigenvalue a few ulps apart at small ``m`` (no residual taken) and
``15`` ulps apart at ``m = 32`` (residuals taken, the pair kept tied).  Medians of process
CPU time of ``dg.jvp(np.linalg.eigvalsh / eigvals, A, C)``, microseconds, with the load.
"""
import argparse
import os
import statistics
import time

import _common  # noqa: F401  (one BLAS thread, before NumPy)
import numpy as np

import dualgrad as dg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    print("dualgrad:", os.path.dirname(dg.__file__), "load:", os.getloadavg())
    for m in (4, 8, 32):
        rng = np.random.default_rng(0)
        Q, _ = np.linalg.qr(rng.standard_normal((m, m)))
        A = (Q * np.r_[1.0, 1.0, np.arange(3, m + 1)]) @ Q.T
        A = (A + A.T) / 2
        C = rng.standard_normal((m, m))
        C = C + C.T
        cells = []
        for f in (np.linalg.eigvalsh, np.linalg.eigvals):
            dg.jvp(f, A, C)
            ts = []
            for _ in range(args.repeat):
                t0 = time.process_time()
                for _ in range(100):
                    dg.jvp(f, A, C)
                ts.append((time.process_time() - t0) / 100)
            cells.append(f"{f.__name__} {statistics.median(ts) * 1e6:.0f} us")
        print(f"m = {m}: " + ", ".join(cells))
    print("load:", os.getloadavg())


if __name__ == "__main__":
    main()
