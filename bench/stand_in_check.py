"""What misc49's test of a sparse product's caller costs: `L @ u` of a dual asks
dual._base.sparse_stand_in, which now checks that an operator (not a bound
``L.__matmul__`` called as a function) asked for the product before it hands SciPy the
stand-in whose ``NotImplemented`` makes Python call the dual's reflected product.

    python bench/stand_in_check.py [--cells 64] [--steps 200] [--rounds 15]

bench/problems.py's ``heat_sparse`` (``L @ u`` every step) under ``dg.jacobian``, two
ways alternating in one process (their order swapped each round): dualgrad as it is, and
with the check skipped for the round (``dual._base._reflected_or_refuse`` answering
nothing, as before misc49).  The Jacobians are compared bit for bit first.  Prints the
load, the medians of process time per call and the median of the per-round ratios
checked / skipped.  Nothing is written.
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import problems  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad.dual import _base  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=64)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    p = problems.HEAT_P

    def f(q):
        return problems.heat_sparse(q, n=args.cells, steps=args.steps)

    checked = _base._reflected_or_refuse

    def skipped(frame):
        return None

    def run(check):
        _base._reflected_or_refuse = check
        try:
            t = time.process_time()
            jac = dg.jacobian(f, p)
            return time.process_time() - t, jac
        finally:
            _base._reflected_or_refuse = checked

    _, a = run(checked)
    _, b = run(skipped)
    assert np.array_equal(a, b), "the Jacobians differ"
    times = {"checked": [], "skipped": []}
    ratios = []
    for k in range(args.rounds):
        order = [("checked", checked), ("skipped", skipped)]
        if k % 2:
            order.reverse()
        got = {name: run(check)[0] for name, check in order}
        for name in got:
            times[name].append(got[name])
        ratios.append(got["checked"] / got["skipped"])
    print(f"load: {os.getloadavg()}")
    print(f"heat_sparse, {args.cells} cells, {args.steps} steps (`L @ u` each), "
          f"{args.rounds} rounds")
    for name, ts in times.items():
        print(f"  {name:8s} median {statistics.median(ts) * 1e3:8.2f} ms per jacobian")
    print(f"  median per-round ratio checked / skipped: {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
