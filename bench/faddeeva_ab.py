"""What erfcx's, dawsn's and wofz's derivatives cost against another checkout (silent62:
their rows' tests past |x| = 1e100 and the complex branches; prints only).

    python bench/faddeeva_ab.py [--compare /tmp/main_before] [--rounds 3]

Each case is ``dg.derivative`` of the function at a point: a scalar dual and an array
dual of N = 10, real (the rows' common case) and complex; the first and the second
level.  Each figure is the median us of a call over 300 calls (after 30),
``time.perf_counter``; ``--compare DIR``: fresh processes alternate this checkout
("after") and ``DIR``.
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
    import scipy.special as sp

    import dualgrad as dg

    ones = np.linspace(1.0, 2.0, 10)
    out = {}
    for name in ("erfcx", "dawsn", "wofz"):
        f = getattr(sp, name)
        for z in (4.0, 3 + 2j):
            for shape, u in (("scalar", lambda t, z=z: t + z), ("N = 10", lambda t, z=z: (t + z) * ones)):
                calls = {"d1": lambda: dg.derivative(lambda t: f(u(t)), 0.0),
                         "d2": lambda: dg.derivative(lambda q: dg.derivative(lambda t: f(u(t)), q), 0.0)}
                for level, call in calls.items():
                    times = []
                    with np.errstate(all="ignore"):
                        for k in range(330):
                            t = time.perf_counter()
                            call()
                            times.append(time.perf_counter() - t)
                    out[f"{name} {z} {shape} {level}"] = statistics.median(times[30:]) * 1e6
    print(json.dumps(out))


def main():
    ab_main("faddeeva_ab.py", child, "case", 1)


if __name__ == "__main__":
    main()
