"""What the given-pattern checks cost beside infinite derivatives (nan54, attack53 22).

A row whose directional derivative is infinite (``sqrt`` at 0) hides its other
entries from the check's random direction; the check then probes the columns of those
infinite entries (the *dark* ones): entry by entry up to 1024 columns (Jacobian) / 256
inputs (Hessian) before nan54, refused beyond; since nan54 along random directions on
sets that avoid each row's non-finite entries (a few dozen directions), entry by entry
only for columns those sets leave out.

Cases: ``dg.jacobian(np.sqrt, x, sparsity=I)`` with ``d`` of ``2 d`` entries at 0, and
``dg.hessian(sum(sqrt(x) + x[::-1] x), x, sparsity=dg.hessian_sparsity(...))`` at ``d``
zeros.  Per case: ms of the call with the given pattern (checked), ms with
``check_sparsity=False`` in the same process (the peer: no check), and the error
against the closed form (``1 / (2 sqrt x)``; ``-x**-1.5 / 4`` and the reversal's 2).

    python bench/dark_check.py [--compare OTHER_CHECKOUT] [--rounds 3]

Medians of process CPU time per call; with --compare, fresh processes of each checkout
alternating.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np

from _common import alternate, median_time


def _jacobian_case(dg, sp, d):
    n = 2 * d
    x = np.zeros(n)
    x[1::2] = np.linspace(0.5, 2.0, d)
    P = sp.eye(n, format="csr")
    with np.errstate(divide="ignore"):
        exact = 0.5 / np.sqrt(x)

    def err(J):
        return float(np.max(np.abs(J.diagonal() - exact)[np.isfinite(exact)]))
    return (lambda: dg.jacobian(np.sqrt, x, sparsity=P),
            lambda: dg.jacobian(np.sqrt, x, sparsity=P, check_sparsity=False), err)


def _hessian_case(dg, sp, d):
    n = 2 * d
    x = np.zeros(n)
    x[::2] = 1.0
    f = lambda v: np.sum(np.sqrt(v) + v[::-1] * v)      # noqa: E731
    P = dg.hessian_sparsity(f, x)
    exact = 2.0 * np.eye(n)[::-1]
    with np.errstate(divide="ignore"):
        exact[np.arange(n), np.arange(n)] = -0.25 * x ** -1.5

    def err(H):
        H = H.toarray()
        same = (H == exact) | (np.isfinite(exact) & (np.abs(H - exact) <= 0))
        return 0.0 if same.all() else float(np.nanmax(np.abs(H - exact)))
    return (lambda: dg.hessian(f, x, sparsity=P),
            lambda: dg.hessian(f, x, sparsity=P, check_sparsity=False), err)


def child():
    import warnings

    import scipy.sparse as sp

    import dualgrad as dg
    warnings.simplefilter("ignore")
    out = {}
    cases = [(f"jacobian sqrt, {d} zeros", _jacobian_case, d) for d in (500, 1000, 2000)] + \
        [(f"hessian sqrt + reversal, {d} zeros", _hessian_case, d) for d in (200, 500)]
    for key, make, d in cases:
        checked, unchecked, err = make(dg, sp, d)
        try:
            e = err(checked())
        except ValueError:
            out[key] = None                 # refused
            continue
        t = median_time(checked, repeat=5, clock=time.process_time)
        t0 = median_time(unchecked, repeat=5, clock=time.process_time)
        out[key] = [1e3 * t, 1e3 * t0, e]
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout of dualgrad (before)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child()
    got = alternate("dark_check.py", [], args.compare, args.rounds)
    sides = ["after"] + (["before"] if args.compare else [])
    print("| case | " + " | ".join(f"{s}: checked ms / unchecked ms / error" for s in sides)
          + (" | checked after / before |" if args.compare else " |"))
    print("|---|" + "---|" * (len(sides) + bool(args.compare)))

    def cell(side, case):
        runs = [r[case] for r in got[side]]
        if runs[0] is None:
            return "refused", None
        ms = statistics.median(r[0] for r in runs)
        ms0 = statistics.median(r[1] for r in runs)
        return f"{ms:.1f} / {ms0:.1f} / {runs[0][2]:.1e}", ms

    for case in got["after"][0]:
        cells = [cell(s, case) for s in sides]
        row = f"| {case} | " + " | ".join(c[0] for c in cells) + " |"
        if args.compare:
            a, b = cells[0][1], cells[1][1]
            row += f" {a / b:.2f} |" if a is not None and b is not None else " - |"
        print(row)


if __name__ == "__main__":
    sys.exit(main())
