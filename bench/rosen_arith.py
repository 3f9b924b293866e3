"""Rosenbrock's arithmetic alone: scipy.optimize.rosen's expression on an object array of
scalar duals, dualgrad's against num-dual's, and the scalar operators it runs (issue 13;
prints only).

    python bench/rosen_arith.py [--n 2 10] [--rounds 9] [--calls 2000]

``rosen`` is ``sum(100.0*(x[1:] - x[:-1]**2.0)**2.0 + (1 - x[:-1])**2.0)`` on
``xp_promote(x)``, which for a dual array is ``np.asarray(x)``: an object array of scalar
duals, and NumPy's object loops call their operators (8 per element: three ``** 2.0``,
``-``, ``100.0 *``, ``1 - ``, ``+``, and the sum's ``+``).  Here the expression is timed
on such an array, dualgrad's (``np.asarray`` of the seed inside a ``dg.gradient`` pass,
elements read once before: the pass's own) and num-dual's (``np.array(v, dtype=object)``
inside ``num_dual.gradient``), and on the floats; then one operator at a time on one
element (``e ** 2.0``, ``e * e``, ``1 - e``, ``100.0 * e``, ``e - e``, ``e + e``).
Process time (a shared machine), medians of ``--rounds`` rounds of ``--calls`` calls,
microseconds.  What it separates: ``bench/rosen_parts.py``'s whole gradient minus this
is the helper's pass, the seed's ``np.asarray`` and SciPy's wrapping.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402

OPS = {"expr": None, "e ** 2.0": lambda e: e ** 2.0, "e * e": lambda e: e * e,
       "1 - e": lambda e: 1 - e, "100.0 * e": lambda e: 100.0 * e,
       "e - e": lambda e: e - e, "e + e": lambda e: e + e}


def expr(x):
    """rosen's line, on ``x`` as rosen has it after ``xp_promote``."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0, axis=0,
                  dtype=x.dtype)


def _times(obj, rounds, calls, clock=time.process_time):
    """{op: [us per call per round]} of :data:`OPS` on the object array ``obj``."""
    e = obj[0]
    fns = {k: ((lambda: expr(obj)) if f is None else (lambda f=f: f(e)))
           for k, f in OPS.items()}
    for f in fns.values():
        for _ in range(50):
            f()
    out = {k: [] for k in fns}
    for _ in range(rounds):
        for k, f in fns.items():
            t = clock()
            for _ in range(calls):
                f()
            out[k].append((clock() - t) / calls * 1e6)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[2, 10])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=2000)
    opts = parser.parse_args()
    import num_dual as nd
    import dualgrad as dg
    for n in opts.n:
        x = np.linspace(-1.2, 1.2, n)
        got = {}

        def ours(v):
            obj = np.asarray(v)
            for e in obj:                      # each element read, as the expression does
                e.value
            got["dualgrad"] = _times(obj, opts.rounds, opts.calls)
            return expr(obj)

        def theirs(v):
            obj = np.array(v, dtype=object)
            got["num-dual"] = _times(obj, opts.rounds, opts.calls)
            return expr(obj)
        dg.gradient(ours, x)
        nd.gradient(theirs, list(x))
        floats = _times(x.copy(), opts.rounds, opts.calls)
        print(f"n = {n} (N = {n}: {n - 1} elements per operation of the expression; medians "
              f"of {opts.rounds} rounds of {opts.calls} calls, us)")
        print(f"  {'op':12s} {'float':>8s} {'dualgrad':>9s} {'num-dual':>9s} {'dg / nd':>8s}")
        for k in OPS:
            f, a, b = (statistics.median(t[k]) for t in (floats, got["dualgrad"],
                                                          got["num-dual"]))
            print(f"  {k:12s} {f:8.3f} {a:9.3f} {b:9.3f} {a / b:8.2f}")


if __name__ == "__main__":
    main()
