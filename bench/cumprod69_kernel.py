"""np.cumprod's partials kernel alone (``backend._kernels.running_product``), for a kernel-level
A/B: run it once with each checkout on PYTHONPATH, alternating (cumprod69's trials of the
partials' window test; prints one line of median us of process time).

    PYTHONPATH=/tmp/main_before python bench/cumprod69_kernel.py
    PYTHONPATH=. python bench/cumprod69_kernel.py

Cases: a 200 x 500 matrix in [0.5, 1.5) along axis 0 with n = 1, 4, 16 random partials;
the Jacobian seeds (identity partials) of linspace(0.5, 1.5, L) at L = 50 and 300.
"""

import statistics
import time

import numpy as np

from dualgrad.backend import _kernels
from dualgrad.backend._loader import load


def _median_us(fn, k=30):
    fn()
    fn()
    times = []
    for _ in range(k):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times) * 1e6


def main():
    load()
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 1.5, (200, 500))
    c = np.cumprod(x, axis=0)
    res = {}
    for n in (1, 4, 16):
        p = rng.normal(size=(200, 500, n))
        res[f"200x500 n={n}"] = _median_us(lambda: _kernels.running_product(x, c, p, 0))
    for length in (50, 300):
        v = np.linspace(0.5, 1.5, length)
        cv = np.cumprod(v)
        pv = np.eye(length)
        res[f"jac L={length}"] = _median_us(lambda: _kernels.running_product(v, cv, pv, 0), 200)
    print(" ".join(f"{k}:{v:.0f}" for k, v in res.items()))


if __name__ == "__main__":
    main()
