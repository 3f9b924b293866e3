"""Nested scalar products (nan53, attack53 14): ``dg.hessian`` of plain-Python Rosenbrock
(every ``*`` a nested scalar dual's inlined product, which now sums each inner dual's
partials once to test them finite), medians and an md5 of the Hessian's bytes; and a
plain-Python sum of quotients (hess54, attack54 09: every ``/`` of nested scalar duals
now tests its two local derivatives finite the same way).

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


def quotients(x):
    s = 0.0
    for i in range(len(x) - 1):
        s = s + x[i] / (1.0 + x[i + 1] * x[i + 1]) + 1.0 / (2.0 + x[i])
    return s


def main():
    print("dualgrad from", dg.__file__)
    for f in (rosen, quotients):
        for n in (3, 8, 20):
            x = np.linspace(0.3, 1.2, n)
            H = dg.hessian(f, x)
            times = [t / 20 for t in timeit.repeat(lambda: dg.hessian(f, x), number=20,
                                                   repeat=15)]
            print(f"{f.__name__:9s} n = {n:2d}: median {statistics.median(times) * 1e6:8.1f} us"
                  f"  md5 {hashlib.md5(H.tobytes()).hexdigest()[:12]}")


if __name__ == "__main__":
    main()
