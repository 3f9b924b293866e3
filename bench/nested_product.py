"""Nested scalar products (nan53, attack53 14): ``dg.hessian`` of plain-Python Rosenbrock
(every ``*`` a nested scalar dual's inlined product, which now sums each inner dual's
partials once to test them finite), medians and an md5 of the Hessian's bytes.

    python bench/nested_product.py               # this checkout
    PYTHONPATH=/tmp/main_before python bench/nested_product.py   # a peer, alternately
"""
import hashlib
import statistics
import timeit

import numpy as np

import dualgrad as dg


def rosen(x):
    s = 0.0
    for i in range(len(x) - 1):
        d = x[i + 1] - x[i] * x[i]
        s = s + 100.0 * d * d + (1.0 - x[i]) * (1.0 - x[i])
    return s


def main():
    print("dualgrad from", dg.__file__)
    for n in (3, 8, 20):
        x = np.linspace(0.3, 1.2, n)
        H = dg.hessian(rosen, x)
        times = [t / 20 for t in timeit.repeat(lambda: dg.hessian(rosen, x), number=20, repeat=15)]
        print(f"n = {n:2d}: median {statistics.median(times) * 1e6:8.1f} us  "
              f"md5 {hashlib.md5(H.tobytes()).hexdigest()[:12]}")


if __name__ == "__main__":
    main()
