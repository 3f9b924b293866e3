"""``dg.hessian`` through ``dg.solve_ivp``'s implicit methods on a stiff nonlinear system
(Robertson's kinetics, ``dualgrad.testing.robertson``, its 3 rate constants; rtol 1e-8,
atol 1e-12): wall time of one Hessian (Radau, BDF), and its largest difference from
4th-order central differences of ``dg.gradient`` through the solver (step 1e-4
relative) over their largest entry.  ode43: the Newton matrix's coupling of the nested
coefficients took Radau from 123 s to 17-29 s and BDF from 275 s to 3-4 s.

    python bench/ode_stiff_hessian.py
"""

import os
import pathlib
import sys
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import dualgrad as dg  # noqa: E402
from dualgrad.testing import robertson  # noqa: E402


def y_end(p, method):
    sol = dg.solve_ivp(lambda t, y: robertson(t, y, p[0], p[1], p[2]), (0.0, 40.0),
                       [1.0, 0.0, 0.0], method=method, rtol=1e-8, atol=1e-12)
    return sol.y[0, -1]


def main():
    p = np.array([0.04, 3e7, 1e4])
    for method in ("Radau", "BDF"):
        start = time.perf_counter()
        H = dg.hessian(lambda q: y_end(q, method), p)
        took = time.perf_counter() - start
        cols = []
        for j in range(3):
            e = np.zeros(3)
            e[j] = 1e-4 * p[j]
            g = [dg.gradient(lambda q: y_end(q, method), p + s * e) for s in (-2, -1, 1, 2)]
            cols.append((g[0] - 8 * g[1] + 8 * g[2] - g[3]) / (12 * e[j]))
        C = np.array(cols).T
        print(f"{method:6s} dg.hessian {took:6.1f} s  vs central differences of "
              f"dg.gradient {np.abs(H - C).max() / np.abs(C).max():.1e}", flush=True)


if __name__ == "__main__":
    main()
