"""Where bench/corpus68.py's thin-film TMM row (tmm's ``coh_tmm``, 4 wavelengths x 2
polarizations) spends its Jacobian, by the operations tmm69 changed (issue 13; prints
only).

    python bench/tmm69_ops.py [--compare DIR] [--rounds 3]

Rows: ``f`` on floats, ``dg.jacobian`` of the row and SciPy's ``approx_fprime``
(medians of 5 calls each), then, inside a Jacobian's pass over 4 inputs, one call of
each operation (medians of 2,000): ``make_2x2_array`` (``np.block`` of four entries
times ``np.ones((), complex)``), ``np.block`` of complex scalar duals and numbers, the
parts, conjugate and ``abs`` of a complex scalar dual (``abs``: complex70), ``np.dot`` of
complex 2 x 2 array duals and of a 2 x 2 and a 2 x 1.  us of process time (``time.process_time``: the machine is shared).
``--compare DIR``: fresh processes alternate this checkout and ``DIR`` (this script,
dualgrad imported from each).
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
    from scipy.optimize import approx_fprime

    import dualgrad as dg
    from corpus68 import make_2x2_array, tmm_row

    clock = time.process_time
    x = np.array([1.38, 100.0, 2.1, 60.0])

    def whole(call):
        call()
        out = []
        for _ in range(5):
            t = clock()
            call()
            out.append(clock() - t)
        return statistics.median(out) * 1e6

    got = {"f": whole(lambda: tmm_row(x)),
           "dg.jacobian": whole(lambda: dg.jacobian(tmm_row, x)),
           "approx_fprime": whole(lambda: approx_fprime(x, tmm_row, 1.49e-8))}

    def timed(call):
        for _ in range(50):
            call()
        out = []
        for _ in range(2000):
            t = clock()
            call()
            out.append(clock() - t)
        return statistics.median(out) * 1e6

    def inside(q):
        delta = q[1] * q[0] * (1 + 0.01j) / 500
        r = (q[0] - q[2] * (1 + 0.01j)) / (q[0] + q[2])
        a, b = np.exp(-1j * delta), np.exp(1j * delta)
        A = make_2x2_array(a, 0, 0, b, dtype=complex)
        B = make_2x2_array(1, r, r, 1, dtype=complex)
        v = np.block([[r], [0]])
        ops = {"make_2x2_array(a, 0, 0, b, complex)": lambda: make_2x2_array(
                   a, 0, 0, b, dtype=complex),
               "np.block([[1, r], [r, 1]])": lambda: np.block([[1, r], [r, 1]]),
               "np.block([[r], [0]])": lambda: np.block([[r], [0]]),
               "d.real (complex scalar)": lambda: r.real,
               "d.imag (complex scalar)": lambda: r.imag,
               "d.conjugate() (complex scalar)": lambda: r.conjugate(),
               "abs(d) (complex scalar)": lambda: abs(r),
               "np.dot(complex 2x2, complex 2x2)": lambda: np.dot(A, B),
               "np.dot(complex 2x2, complex 2x1)": lambda: np.dot(A, v),
               "A @ B (complex 2x2)": lambda: A @ B}
        for name, op in ops.items():
            got[name] = timed(op)
        return q

    dg.jacobian(inside, x)
    print(json.dumps(got))


def main():
    ab_main("tmm69_ops.py", child, "TMM row, per call", 1)


if __name__ == "__main__":
    main()
