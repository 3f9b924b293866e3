"""The cyclic garbage collector's share of the scalar-loop rows' Jacobians, this checkout
against another (scalar73; prints only).

    python bench/gc_loops_ab.py [--compare /tmp/main_before] [--rounds 3] [--calls 20]

Each child imports every set of bench/bench_corpus.py (the heap a bench_corpus run
holds: the old generation a full collection walks), then for bench/corpus58.py's SIR
and Hodgkin-Huxley rows and bench/corpus60.py's Euler-Lotka root: ``--calls`` calls of
``dualgrad.jacobian`` after two warm ones, CPU time (``time.process_time``) per call,
the CPU spent inside collections (``gc.callbacks``, start to stop) and the collections
of each generation, per Jacobian (x 1000, to print as integers), and
``scipy.optimize.approx_fprime``'s CPU per call for the ratio.  ``--compare DIR``: fresh
processes alternate this checkout and ``DIR`` (``_common.alternate``), the table gives
the rounds' medians and the median of the rounds' quotients this / other (``-`` where
the other's figures are all zero).
"""

import gc
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import alternate  # noqa: E402  (the A/B loop; one BLAS thread)

ROWS = {"SIR": "SIR Euler", "HH": "Hodgkin-Huxley Euler", "Euler-Lotka": "Euler-Lotka"}


def child():
    """Print ``{"ROW: what": number}`` for this process's dualgrad."""
    calls = int(sys.argv[sys.argv.index("--calls") + 1]) if "--calls" in sys.argv else 20
    import dualgrad as dg       # (PYTHONPATH's: before bench_corpus puts its own first)
    from bench_corpus import SETS
    import numpy as np
    from scipy.optimize import approx_fprime
    out = {"dualgrad": dg.__file__}
    rows = {n: r for _, rs in SETS for n, r in rs.items()}
    spent = {"n": [0, 0, 0], "t": 0.0, "start": 0.0}

    def watch(phase, info):
        if phase == "start":
            spent["start"] = time.process_time()
        else:
            spent["n"][info["generation"]] += 1
            spent["t"] += time.process_time() - spent["start"]

    gc.callbacks.append(watch)
    for short, text in ROWS.items():
        f, x = next(r for n, r in rows.items() if text in n)
        dg.jacobian(f, x)
        dg.jacobian(f, x)
        spent["n"], spent["t"] = [0, 0, 0], 0.0
        t0 = time.process_time()
        for _ in range(calls):
            dg.jacobian(f, x)
        jac = (time.process_time() - t0) / calls
        out[f"{short}: jacobian us"] = jac * 1e6
        out[f"{short}: in collections us"] = spent["t"] / calls * 1e6
        for g in range(3):
            out[f"{short}: gen-{g} collections per 1000 Jacobians"] = \
                spent["n"][g] / calls * 1e3
        g = lambda v: np.atleast_1d(f(v)).ravel()      # noqa: E731
        approx_fprime(x, g, 1.49e-8)
        t0 = time.process_time()
        for _ in range(calls):
            approx_fprime(x, g, 1.49e-8)
        out[f"{short}: jacobian / approx_fprime x 100"] = \
            jac / ((time.process_time() - t0) / calls) * 100
    print(json.dumps(out))


def main():
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        return child()
    got = alternate("gc_loops_ab.py", ["--calls", str(args.calls)], args.compare, args.rounds)
    after, before = got["after"], got.get("before")
    for side, runs in got.items():          # (each child's own dualgrad, checked)
        print(side, "imported", sorted({r.pop("dualgrad") for r in runs}))
    print("| row: measure | this |" + (" other | this / other |" if before else ""))
    print("|---|---|" + ("---|---|" if before else ""))
    for name in after[0]:
        line = f"| {name} | {statistics.median(r[name] for r in after):.1f} |"
        if before:
            pairs = [a[name] / b[name] for a, b in zip(after, before) if b[name]]
            quot = f"{statistics.median(pairs):.2f}" if pairs else "-"
            line += f" {statistics.median(r[name] for r in before):.1f} | {quot} |"
        print(line)


if __name__ == "__main__":
    main()
