"""np.cumprod's step kernels on far-range rows, the scaled steps' path (``_scaled_row`` /
``_scaled_row_complex``: every row's factors span 1e-300..1e300), for a kernel-level A/B of
how those steps are compiled (issue 13|14, stop 71, fastci71: the complex steps'
``_scaled_product`` and sums as calls, not inlined).  Run it with each checkout on PYTHONPATH,
alternating; prints the median microseconds of process time per call of each kernel.

    PYTHONPATH=/tmp/before python bench/running_product_scaled.py
    PYTHONPATH=. python bench/running_product_scaled.py
"""

import statistics
import time

import numpy as np

from dualgrad.backend import _kernels
from dualgrad.backend._loader import load


def _case(rng, length, rows, n, complex_):
    v = 10.0 ** rng.uniform(-300, 300, (length, rows)) * rng.choice([-1.0, 1.0], (length, rows))
    p = rng.standard_normal((length, rows, n))
    if complex_:
        v = v + 1j * 10.0 ** rng.uniform(-300, 300, (length, rows))
        p = p + 1j * rng.standard_normal((length, rows, n))
    with np.errstate(all="ignore"):
        c = np.cumprod(v, axis=0)
    vb = (v if not complex_ else v.view(np.float64)).view(np.int64).reshape(length, -1)
    return v, c, p, np.empty_like(p), vb


def _median_us(fn, k=15):
    fn()
    times = []
    for _ in range(k):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times) * 1e6


def main():
    load()
    k = _kernels._kernels()
    rng = np.random.default_rng(71)
    line = []
    for name, cplx in (("running_product", False), ("running_product_complex", True)):
        for n in (1, 4):
            args = _case(rng, 300, 40, n, cplx)
            line.append(f"{name} n={n} {_median_us(lambda: getattr(k, name)(*args)):.0f} us")
    print("; ".join(line))


if __name__ == "__main__":
    main()
