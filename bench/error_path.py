"""The cost of raising dualgrad's conversion error, with and without the NumPy-sampler
reading (``errors.random_sampler``), in one process, the two alternating per round.

    python bench/error_path.py [--rounds R] [--raises N]

Rows: ``float(d)`` in code that names no sampler (the reading skips at the co_names
test) and ``rng.normal(d)`` (it reads the call's source to name the sampler); each the
median over rounds of microseconds per raise and catch.  Prints only.
"""
import argparse
import time

import numpy as np

import dualgrad as dg
from dualgrad import errors


def _float(d):
    try:
        float(d)
    except TypeError:
        pass


def _sampler(d, rng=np.random.default_rng(0)):
    try:
        rng.normal(d)
    except TypeError:
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--raises", type=int, default=2000)
    args = ap.parse_args()
    d = dg.Dual(0.5, np.array([1.0]))
    reading, times = errors.random_sampler, {}
    try:
        for _ in range(args.rounds):
            for side, patch in (("reads", reading), ("skips", lambda depth=2: None)):
                errors.random_sampler = patch
                for case, fn in (("float(d)", _float), ("rng.normal(d)", _sampler)):
                    t = time.perf_counter()
                    for _ in range(args.raises):
                        fn(d)
                    times.setdefault((case, side), []).append(
                        (time.perf_counter() - t) / args.raises * 1e6)
    finally:
        errors.random_sampler = reading
    print(f"{'case':<16}{'with reading':>14}{'without':>10}{'ratio':>8}   (us a raise)")
    for case in ("float(d)", "rng.normal(d)"):
        a, b = np.median(times[(case, "reads")]), np.median(times[(case, "skips")])
        print(f"{case:<16}{a:>14.1f}{b:>10.1f}{a / b:>8.2f}")


if __name__ == "__main__":
    main()
