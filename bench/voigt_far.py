"""voigt_profile's three derivatives in the far region (|u| > 6), where the table's
continued fractions run: ``dg.elementwise_grad`` over N = 1e5 lines (x in [-50, 50],
sigma in [0.5, 2], gamma in [0.1, 3]) against SciPy's value alone, medians of 7.

    python bench/voigt_far.py [N]

Run it from two trees one after the other (``PYTHONPATH=<tree>``) to compare them.
"""

import sys
import time

import numpy as np
import scipy.special as sc

import dualgrad as dg


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = np.random.default_rng(0)
    x, s, g = rng.uniform(-50, 50, n), rng.uniform(0.5, 2, n), rng.uniform(0.1, 3, n)
    f = dg.elementwise_grad(lambda x, s, g: sc.voigt_profile(x, s, g), argnums=(0, 1, 2))
    f(x, s, g)

    def median(call):
        times = []
        for _ in range(7):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        return float(np.median(times))
    d = median(lambda: f(x, s, g))
    v = median(lambda: sc.voigt_profile(x, s, g))
    print(f"{dg.__file__}: N = {n}, elementwise_grad {d * 1e3:.1f} ms, voigt_profile "
          f"{v * 1e3:.1f} ms, {d / v:.0f}x f")


if __name__ == "__main__":
    main()
