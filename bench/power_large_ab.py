"""Powers of array duals at N = 1e5 against another checkout (farpow67: the general path's
underflow test before the products, d/dy watched; prints only).

    python bench/power_large_ab.py [--compare /tmp/main_before] [--rounds 3]

Each fresh process (numba loaded, the engine ``DUALGRAD_ENGINE`` names) times ``u ** 2.5``,
``u ** 3``, ``u ** v``, ``2.0 ** u`` and the untouched ``u / v`` on array duals of N = 1e5
values in [0.5, 2] and n = 1 or 4 directions: the median CPU us of a call over 15 calls
after one warm-up, alternating this checkout ("after") and ``--compare DIR``.
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
    from dualgrad.backend import _loader
    from dualgrad.dual import new_tag
    _loader.load()
    rng = np.random.default_rng(67)
    out = {}
    for n in (1, 4):
        tag = new_tag()
        u = dg.Dual(rng.uniform(0.5, 2.0, 100_000), rng.standard_normal((100_000, n)), tag=tag)
        v = dg.Dual(rng.uniform(0.5, 2.0, 100_000), rng.standard_normal((100_000, n)), tag=tag)
        for name, op in (("u ** 2.5", lambda: u ** 2.5), ("u ** 3", lambda: u ** 3),
                         ("u ** v", lambda: u ** v), ("2.0 ** u", lambda: 2.0 ** u),
                         ("u / v", lambda: u / v)):
            op()
            times = []
            for _ in range(15):
                t = time.process_time()
                op()
                times.append(time.process_time() - t)
            out[f"{name}, n = {n}"] = statistics.median(times) * 1e6
    print(json.dumps(out))


def main():
    ab_main("power_large_ab.py", child, digits=0)


if __name__ == "__main__":
    main()
