"""What one operation of two 17-partial scalar duals (HBV's kind, ``ScalarDualVector``)
costs against another checkout (complex67: the partials' hush written out in the
generated classes; prints only).

    python bench/vector_ops_ab.py [--compare /tmp/main_before] [--rounds 3]

Inside ``dg.jacobian`` of a function of a 17-vector ``p``, ``a = p[0] * 1.5`` and
``b = p[1] + 2.0`` (scalar duals of 17 partials) meet by ``+ - * /`` and ``a * 3.0``,
``a - 1.0``; each figure the median process-time us of a call over 9 batches of 10,000
calls (``time.process_time``: the other lanes' load falls out), in fresh processes alternating this checkout ("after") and
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

    out = {}

    def f(p):
        a, b = p[0] * 1.5, p[1] + 2.0
        cases = {"a + b": lambda: a + b, "a - b": lambda: a - b, "a * b": lambda: a * b,
                 "a / b": lambda: a / b, "a * 3.0": lambda: a * 3.0,
                 "a - 1.0": lambda: a - 1.0}
        for name, call in cases.items():
            call()
            times = []
            for _ in range(9):
                t = time.process_time()
                for _ in range(10000):
                    call()
                times.append((time.process_time() - t) / 10000)
            out[name] = statistics.median(times) * 1e6
        return p

    dg.jacobian(f, np.arange(1.0, 18.0))
    print(json.dumps(out))


def main():
    ab_main("vector_ops_ab.py", child, first="inside", digits=3)


if __name__ == "__main__":
    main()
