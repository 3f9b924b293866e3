"""What ``dg.jacobian`` of ``np.sum(np.cumprod(x))`` costs at L = 5 / 50 / 300 against another
checkout, with more rounds than cumprod_ab.py's Hessians leave time for (cumprod69: the small
ratio form reads its running products and ratios for the range; the kernel bounds each row's
products; prints only).

    python bench/cumprod69_small_ab.py [--compare /tmp/main_before] [--rounds 5]

``x = linspace(0.5, 1.5, L)``; each figure the median us of a call over a second of calls
(process time), in fresh processes alternating this checkout ("after") and ``--compare DIR``.
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
    for length in (5, 50, 300):
        x = np.linspace(0.5, 1.5, length)
        dg.jacobian(f, x)
        times, spent = [], 0.0
        while spent < 1.0 or len(times) < 3:
            t = time.process_time()
            dg.jacobian(f, x)
            times.append(time.process_time() - t)
            spent += times[-1]
        out[f"jacobian L = {length}"] = statistics.median(times) * 1e6
    print(json.dumps(out))


def main():
    ab_main("cumprod69_small_ab.py", child, first="np.sum(np.cumprod(x))", digits=0)


if __name__ == "__main__":
    main()
