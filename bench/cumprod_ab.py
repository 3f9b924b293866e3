"""What np.cumprod's Hessians and Jacobians cost against another checkout (lead66: nested
values left the ratio form ``c * cumsum(p / v)``, whose rounding one level down gave
wrong Hessian entries, for the running products by doubling; prints only).

    python bench/cumprod_ab.py [--compare /tmp/main_before] [--rounds 3]

Each case is ``dg.hessian`` (or ``dg.jacobian``) of ``np.sum(np.cumprod(x))`` at
``x = linspace(0.5, 1.5, L)``; each figure the median us of a call over a second of
calls (process time), in fresh processes alternating this checkout ("after") and
``--compare DIR``.
"""

import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ab_main  # noqa: E402  (the A/B loop)


def child():
    """Print ``{"case": us}`` for this process's dualgrad."""
    import numpy as np

    import dualgrad as dg

    def f(z):
        return np.sum(np.cumprod(z))
    out = {}
    for helper in (dg.jacobian, dg.hessian):
        for length in (5, 50, 300):
            x = np.linspace(0.5, 1.5, length)
            helper(f, x)
            times, spent = [], 0.0
            while spent < 1.0 or len(times) < 3:
                t = time.process_time()
                helper(f, x)
                times.append(time.process_time() - t)
                spent += times[-1]
            out[f"{helper.__name__} L = {length}"] = statistics.median(times) * 1e6
    print(json.dumps(out))


def main():
    ab_main("cumprod_ab.py", child, first="np.sum(np.cumprod(x))", digits=0)


if __name__ == "__main__":
    main()
