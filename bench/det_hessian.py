"""dg.hessian of det at a regular and at a rank m - 1 matrix (linalg43: second
derivatives at an ill-conditioned matrix by elimination on the duals, not det tr(A^-1
dA)), with its error against the permutation expansion's (the exact polynomial).

    python bench/det_hessian.py [--compare OTHER_CHECKOUT] [--rounds 3]

Medians of process CPU time per call, ms; with --compare, fresh processes of each
checkout alternating, and this / other per case.
"""
import argparse
import itertools
import json
import sys
import time

import numpy as np

from _common import alternate, median_time, timed_error_table


def _matrices(m):
    rng = np.random.default_rng(m)
    regular = rng.standard_normal((m, m)) + m * np.eye(m)
    X = rng.standard_normal((m, m - 1))
    return {"regular": regular, "rank m-1": X @ X.T}


def _det_hessian_exact(A):
    """The Hessian of det at A from the permutation expansion: d2 det / dA_ij dA_kl is
    the signed sum over permutations through (i, j) and (k, l) of the other factors."""
    m = len(A)
    H = np.zeros((m * m, m * m))
    for perm in itertools.permutations(range(m)):
        sign = np.linalg.det(np.eye(m)[list(perm)])
        for i, k in itertools.combinations(range(m), 2):
            rest = np.prod([A[r, perm[r]] for r in range(m) if r not in (i, k)])
            a, b = i * m + perm[i], k * m + perm[k]
            H[a, b] += sign * rest
            H[b, a] += sign * rest
    return H


def child(sizes):
    import dualgrad as dg
    out = {}
    for m in sizes:
        for name, A in _matrices(m).items():
            f = lambda p: np.linalg.det(p.reshape(m, m))      # noqa: E731
            t = median_time(lambda: dg.hessian(f, A.ravel()), repeat=5,
                            clock=time.process_time)
            key = f"m = {m}, {name}"
            out[key] = [1e3 * t]
            if m <= 6:
                H = dg.hessian(f, A.ravel())
                out[key].append(float(np.max(np.abs(H - _det_hessian_exact(A)))))
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout of dualgrad (before)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="5,8,12")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        return child(sizes)
    got = alternate("det_hessian.py", ["--sizes", args.sizes], args.compare, args.rounds)
    timed_error_table(got, args.compare)

if __name__ == "__main__":
    sys.exit(main())
