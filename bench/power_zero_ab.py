"""What ``x ** 0`` costs against another checkout (lead66: 9c54ce26's far-range test took
the exact 0 slope of ``y x**(y - 1)`` at y = 0 for an underflow, so a scalar dual's
``s ** 0`` went the careful path; the Erlang C row's factorial loop; prints only).

    python bench/power_zero_ab.py [--compare /tmp/main_before] [--rounds 3]

Each case is one power inside ``dg.gradient`` (first order) or ``dg.hessian`` (one level
down) of a function of ``q = (1.0, 3.2)``: a scalar dual ``s = 1.3 q0`` or an array dual
``a = 1.3 q`` to a constant 0 / 0.0 / 1 or to a dual exponent whose value is 0 (its
partials 0, or not: ``q1 - 3.2``, pow68); each figure the median us of a call over 500
calls (``time.perf_counter``), in fresh processes alternating this checkout ("after")
and ``--compare DIR``.
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

    out = {}

    def f(q, level):
        s, a = q[0] * 1.3, q * 1.3
        cases = {"s ** 0": lambda: s ** 0, "s ** 0.0": lambda: s ** 0.0,
                 "s ** (0 q1)": lambda: s ** (q[1] * 0.0), "s ** 1": lambda: s ** 1,
                 "a ** 0": lambda: a ** 0, "a ** 0.0": lambda: a ** 0.0,
                 # a dual exponent of value 0 with a nonzero partial: one level down
                 # the extended-range term runs (pow68)
                 "s ** (q1 - 3.2)": lambda: s ** (q[1] - 3.2),
                 "a ** (q1 - 3.2)": lambda: a ** (q[1] - 3.2)}
        for name, call in cases.items():
            call()
            times = []
            for _ in range(500):
                t = time.perf_counter()
                call()
                times.append(time.perf_counter() - t)
            out[f"{name}, {level}"] = statistics.median(times) * 1e6
        return s

    q = np.array([1.0, 3.2])
    dg.gradient(lambda z: f(z, "gradient"), q)
    dg.hessian(lambda z: f(z, "hessian"), q)
    print(json.dumps(out))


def main():
    ab_main("power_zero_ab.py", child, first="inside", digits=2)


if __name__ == "__main__":
    main()
