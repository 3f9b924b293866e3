"""dg.hessian through eigvalsh at repeated eigenvalues (spectral44: a cluster that the
second order splits is ordered by it, not given the mean), with its error against the
closed form, and the same sizes without a tie (the path spectral44 leaves alone).

    python bench/eig_tie_hessian.py [--compare OTHER_CHECKOUT] [--rounds 3]

Cases (m x m, n = m inputs x): "split": ``Q diag(1 + x0 + |x|^2, 1 + x0, 3, 4, ..) Q^T``,
f = the second eigenvalue (eigvalsh; ", eigvals": the sorted real parts of
np.linalg.eigvals, the general path, spectral45), Hessian 2 I; "distinct":
``Q diag(1 + x0 + |x|^2, 2 + x0, 3, ..) Q^T``, the same f, Hessian 0 (the second value
is 2 + x0).  Medians of process CPU
time per call, ms; with --compare, fresh processes of each checkout alternating.
"""
import argparse
import json
import sys
import time

import numpy as np

from _common import alternate, median_time, timed_error_table


def _case(m, gap, values="eigvalsh"):
    Q, _ = np.linalg.qr(np.random.default_rng(m).standard_normal((m, m)))
    rest = np.arange(3.0, m + 1.0)

    def f(x):
        d = np.concatenate([np.stack([1 + x[0] + x @ x, 1 + gap + x[0]]), rest + 0 * x[0]])
        A = Q @ np.diag(d) @ Q.T
        if values == "eigvals":          # the general path (spectral45)
            return np.sort(np.linalg.eigvals(A).real)[1]
        return np.linalg.eigvalsh(A)[1]
    want = 2 * np.eye(m) if gap == 0 else np.zeros((m, m))
    return f, want


def child(sizes):
    import dualgrad as dg
    out = {}
    for m in sizes:
        for name, gap, values in (("split", 0.0, "eigvalsh"), ("distinct", 1.0, "eigvalsh"),
                                  ("split, eigvals", 0.0, "eigvals"),
                                  ("distinct, eigvals", 1.0, "eigvals")):
            f, want = _case(m, gap, values)
            x = np.zeros(m)
            t = median_time(lambda: dg.hessian(f, x), repeat=5, clock=time.process_time)
            H = dg.hessian(f, x)
            out[f"m = {m}, {name}"] = [1e3 * t, float(np.max(np.abs(H - want)))]
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout of dualgrad (before)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="4,8,16")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        return child(sizes)
    got = alternate("eig_tie_hessian.py", ["--sizes", args.sizes], args.compare, args.rounds)
    timed_error_table(got, args.compare)

if __name__ == "__main__":
    sys.exit(main())
