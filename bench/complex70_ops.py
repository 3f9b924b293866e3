"""The complex scalar duals' ``d.real``, ``d.imag``, ``d.conjugate()``, ``abs(d)`` and
``np.abs(d)``, one call each inside a Jacobian's pass (complex70: their tangents read
from the rule table, ``dual._scalar.complex_tangent``), with float, complex and mixed
partials, 4 and 16 directions (issue 13; prints only).

    python bench/complex70_ops.py [--compare DIR] [--rounds 3]

us a call, of process time: the median of 15 batches of 2,000 calls (``time.process_time``
over a batch: the machine is shared).  ``--compare DIR``: fresh processes alternate this
checkout and ``DIR`` (this script, dualgrad imported from each).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ab_main  # noqa: E402  (the A/B loop)


def child():
    """Print ``{row: us}`` for this process's dualgrad."""
    import numpy as np

    import dualgrad as dg
    from dualgrad.dual import make_scalar

    got = {}

    def batch(op):
        for _ in range(200):
            op()
        out = []
        for _ in range(15):
            t = time.process_time()
            for _ in range(2000):
                op()
            out.append((time.process_time() - t) / 2000)
        return statistics.median(out) * 1e6

    def inside(q):
        n = q.shape[0]
        r = (q[0] - q[-1] * (1 + 0.01j)) / (q[0] + q[-1])           # complex partials
        duals = {"complex p": r, "float p": make_scalar(0.3 - 1.2j, [0.5] * n, q.tag),
                 "mixed p": make_scalar(0.3 - 1.2j, [0.5, 1j] * (n // 2), q.tag)}
        for kind, d in duals.items():
            ops = {"d.real": lambda: d.real, "d.imag": lambda: d.imag,
                   "d.conjugate()": lambda: d.conjugate(), "abs(d)": lambda: abs(d),
                   "np.abs(d)": lambda: np.abs(d)}
            for name, op in ops.items():
                got[f"{name}, {kind}, n = {n}"] = batch(op)
        return q

    for n in (4, 16):
        dg.jacobian(inside, np.linspace(0.5, 2.0, n))
    print(json.dumps(got))


def main():
    ab_main("complex70_ops.py", child, "complex scalar dual, per call", 2)


if __name__ == "__main__":
    main()
