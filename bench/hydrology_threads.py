"""Calibrating many catchments at once on threads: examples/rainfall_runoff.py's GR4J,
the KGE gradient and Hessian of 6 catchments, serial and on a 4-thread pool, several
rounds, and one hydrograph Jacobian by ``executor=`` with ``chunk=1``.  Counts the rounds whose results differ from the serial ones and the errors
raised (userhydro50: under DUALGRAD_ENGINE=eager, ``RuntimeError: dictionary keys
changed during iteration`` from ``DualArray.__setitem__``'s loop over ``ELEMENTS``).

    DUALGRAD_ENGINE=eager python bench/hydrology_threads.py [--rounds 5]
"""
import argparse
import os
import runpy
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

import dualgrad as dg


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ex = runpy.run_path(str(Path(__file__).resolve().parents[1] / "examples"
                            / "rainfall_runoff.py"))
    rng = np.random.default_rng(5)
    cats = []
    for c in range(6):
        prec = np.maximum(rng.gamma(0.55, 9.0, 200) - 1.0, 0.0)
        etp = ex["ETP"][:200] * (0.8 + 0.1 * c)
        cats.append((ex["X0"] * (1 + 0.05 * c), prec, etp, ex["gr4j"](ex["X_TRUE"], prec, etp)))

    def kge(x, prec, etp, obs):
        q = ex["gr4j"](x, prec, etp)
        r = np.corrcoef(q, obs)[0, 1]
        return 1 - np.sqrt((r - 1) ** 2 + (np.std(q) / np.std(obs) - 1) ** 2
                           + (np.mean(q) / np.mean(obs) - 1) ** 2)
    serial = [dg.gradient(kge, *c) for c in cats]
    serial_h = [dg.hessian(kge, *c) for c in cats[:2]]
    differ, errors = 0, {}
    for _ in range(args.rounds):
        try:
            with ThreadPoolExecutor(4) as pool:
                got = list(pool.map(lambda c: dg.gradient(kge, *c), cats * 2))
                got_h = list(pool.map(lambda c: dg.hessian(kge, *c), cats[:2] * 2))
            same = all(np.array_equal(a, b) for a, b in zip(got, serial * 2)) and \
                all(np.array_equal(a, b) for a, b in zip(got_h, serial_h * 2))
            differ += not same
        except Exception as exc:       # noqa: BLE001 (counted, the first line kept)
            key = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
            errors[key] = errors.get(key, 0) + 1
    print(f"engine {os.environ.get('DUALGRAD_ENGINE', 'default')}: {args.rounds} rounds, "
          f"{differ} differing from serial, errors {errors or 'none'}")
    # one catchment's hydrograph Jacobian, its 4 directions as 4 chunks on the pool
    x, prec, etp, _ = cats[0]
    J = dg.jacobian(ex["gr4j"], x, prec, etp)
    differ, errors = 0, {}
    for _ in range(args.rounds):
        try:
            with ThreadPoolExecutor(4) as pool:
                got = [dg.jacobian(ex["gr4j"], x, prec, etp, chunk=1, executor=pool)
                       for _ in range(3)]
            differ += not all(np.array_equal(g, J) for g in got)
        except Exception as exc:       # noqa: BLE001
            key = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
            errors[key] = errors.get(key, 0) + 1
    print(f"executor=, chunk=1: {args.rounds} rounds, {differ} differing from serial, "
          f"errors {errors or 'none'}")


if __name__ == "__main__":
    main()
