"""bench/corpus62.py's two worst rows in process CPU time: the luminosity distance (four
``dg.quad`` calls with a moving upper limit) and the LWR traffic Godunov row, each as
``dg.jacobian`` against ``scipy.optimize.approx_fprime`` (interleaved, the ratio the
median of the repeats' ratios, as bench_corpus.py takes it), plus one ``dg.quad`` of
the d_L row's integrand inside a derivative.

    python bench/quad_row62.py [--compare OTHER_CHECKOUT] [--rounds 3] [--numba] [--ops]

``--numba``: numba loaded before timing (the state a process reaches after
``backend._loader.LOAD_AFTER`` partials elements on the NumPy path; a
``bench_corpus.py --corpus62`` run ends the traffic row without it).  With
``--compare``, fresh processes of each checkout alternate (this checkout's
bench/corpus62.py either way) and the table gives this / other per case.  ``--ops``:
also the traffic step's operations one by one on the row's duals (100 cells, 3
directions; the minimum of the repeats' process time per call).
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np

from _common import alternate, median_time, us_table

ROWS = {"d_L": "luminosity distance, dg.quad (3)",
        "traffic": "LWR traffic Godunov, zeros_like rows (3)"}


def traffic_ops(out):
    """The Godunov step's operations on the row's duals (inside ``dg.jacobian``)."""
    import dualgrad as dg
    from corpus62 import computeF

    def best(fn):
        runs = []
        for _ in range(5):
            t0 = time.process_time()
            for _ in range(100):
                fn()
            runs.append((time.process_time() - t0) / 100)
        return 1e6 * min(runs)

    def ops(q):
        rho_max, V_max = q[1], q[2]
        rho = rho_max * np.ones(100)
        rho[:75] = q[0]
        rho_n = np.zeros_like(rho, shape=(30, 100))
        plus = np.zeros_like(rho)
        plus[:-1] = rho[1:]
        flux = computeF(V_max, rho_max, rho) + computeF(V_max, rho_max, plus)
        for name, fn in {
                "traffic op: V_max * rho (scalar x array dual)": lambda: V_max * rho,
                "traffic op: rho / rho_max": lambda: rho / rho_max,
                "traffic op: 1 - rho": lambda: 1 - rho,
                "traffic op: rho * plus": lambda: rho * plus,
                "traffic op: rho + plus": lambda: rho + plus,
                "traffic op: computeF": lambda: computeF(V_max, rho_max, rho),
                "traffic op: the flux line": lambda: 0.5 * (
                    computeF(V_max, rho_max, rho) + computeF(V_max, rho_max, plus) +
                    1.0 * (rho - plus)),
                "traffic op: rho_n[t, 1:-1] = rho[1:-1] + c * (flux[:-2] - flux[1:-1])":
                    lambda: rho_n.__setitem__((5, slice(1, -1)), rho[1:-1] + 1.0 * (
                        flux[:-2] - flux[1:-1])),
                "traffic op: plus[:-1] = rho[1:]": lambda: plus.__setitem__(
                    slice(None, -1), rho[1:])}.items():
            out[name] = best(fn)
        return q
    dg.jacobian(ops, np.array([5.0, 10.0, 1.0]))


def child(numba, ops):
    import dualgrad as dg
    from scipy.optimize import approx_fprime
    from corpus62 import PROBLEMS62, H
    if numba:
        from dualgrad.backend import _loader
        _loader.load()
    out = {}
    for short, name in ROWS.items():
        f, x0 = PROBLEMS62[name]
        pairs = [[median_time(fn, 1, 0.02, clock=time.process_time) for fn in
                  (lambda: dg.jacobian(f, x0), lambda: approx_fprime(x0, f))]
                 for _ in range(9)]
        out[f"{short} jacobian"] = 1e6 * statistics.median(p[0] for p in pairs)
        out[f"{short} approx_fprime"] = 1e6 * statistics.median(p[1] for p in pairs)
        out[f"{short} jacobian / approx_fprime (x, not us)"] = statistics.median(
            p[0] / p[1] for p in pairs)

    def one(q):
        out["d_L one dg.quad"] = 1e6 * median_time(
            lambda: dg.quad(lambda Z: 1 / H(Z, q[0], q[1]), 0, q[2])[0], 7, 0.02,
            clock=time.process_time)
        return q
    dg.jacobian(one, np.array([0.7, 0.284, 1.0]))
    if ops:
        traffic_ops(out)
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout of dualgrad (before)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--numba", action="store_true")
    parser.add_argument("--ops", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.numba, args.ops)
    flags = [flag for flag, on in (("--numba", args.numba), ("--ops", args.ops)) if on]
    got = alternate("quad_row62.py", flags, args.compare, args.rounds)
    us_table(got, args.compare)


if __name__ == "__main__":
    sys.exit(main())
