"""scipy.optimize.least_squares with dualgrad's exact sparse Jacobian.

The Broyden tridiagonal system (Moré, Garbow and Hillstrom's test set),
(3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1 = 0 with x_0 = x_{n+1} = 0, solved as a
least-squares problem.  The residual is plain NumPy; ``jac=`` returns a sparse
matrix, so the trust-region solver uses sparse linear algebra, and no
``jac_sparsity`` is needed: dualgrad finds the pattern from the code.

Run:  python examples/sparse_least_squares.py [n]     (needs scipy)
"""

import sys
import time

import numpy as np
from scipy.optimize import least_squares

import dualgrad as dg


def broyden_tridiagonal(x):
    padded = np.concatenate([[0.0], x, [0.0]])
    return (3.0 - 2.0 * x) * x - padded[:-2] - 2.0 * padded[2:] + 1.0


def solve(n=5000, quiet=False):
    x0 = -np.ones(n)
    P = dg.sparsity(broyden_tridiagonal, x0)             # tridiagonal, found from the code

    def jac(x):
        return dg.jacobian(broyden_tridiagonal, x, sparsity=P)
    jac(x0)                  # first call: coloring and kernel compilation, once a process
    runs = {}
    for name, kw in (("dualgrad sparse jac", dict(jac=jac)),
                     ("differences, jac_sparsity", dict(jac_sparsity=P))):
        start = time.perf_counter()
        r = least_squares(broyden_tridiagonal, x0, method="trf", tr_solver="lsmr",
                          xtol=1e-12, ftol=1e-12, gtol=1e-12, **kw)
        runs[name] = (r, time.perf_counter() - start)
    if not quiet:
        print(f"Broyden tridiagonal, n = {n}: pattern {P.shape} with {P.nnz} nonzeros")
        for name, (r, seconds) in runs.items():
            print(f"  {name:28s} success={r.success}  {seconds:5.2f} s  f calls={r.nfev:3d}  "
                  f"Jacobians={r.njev:3d}  max|residual|={np.abs(r.fun).max():.1e}")
    return runs


if __name__ == "__main__":
    solve(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
