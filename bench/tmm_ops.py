"""Where attackb66's transfer-matrix row (its case06, a reflectance spectrum of one layer
by 2 x 2 complex matrices over 801 wavelengths) spends its Jacobian, operation by
operation (issue 13, loops67; prints only).

    python bench/tmm_ops.py [--compare /tmp/main_before] [--rounds 3]

The row is tahmidhassan/transfermatrix's loop as attackb66 fixed it to run on duals
(``np.stack`` for its ``np.array([[...]])`` matrices, ``np.zeros_like`` for the buffer).
Rows: ``f`` on floats, ``dg.jacobian`` at (index, L1) = (1.45, 500), SciPy's
``approx_fprime`` (medians of 5 calls each), then, inside a Jacobian's pass, one call of
each kind of operation the loop body makes (its count per wavelength in brackets; medians
of 2,000).  us of process time (``time.process_time``: the machine is shared).
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


def spectrum(p):
    """attackb66's case06 after its five edits: the reflectance at 400..1200 nm."""
    import numpy as np
    index, L1 = p[0], p[1]
    n = np.stack([1, index, 3.5])
    refl = np.zeros_like(index, shape=1201 - 400)
    for i in range(400, 1201):
        beta1 = 2 * 3.1415 * index / i
        t01 = 2 * n[0] / (n[0] + n[1])
        r01 = (n[0] - n[1]) / (n[0] + n[1])
        t12 = 2 * n[1] / (n[1] + n[2])
        r12 = (n[1] - n[2]) / (n[1] + n[2])
        I01 = np.stack([np.stack([1 / t01, r01 / t01]), np.stack([r01 / t01, 1 / t01])])
        P1 = np.stack([np.stack([np.exp(-1j * beta1 * L1), 0]),
                       np.stack([0, np.exp(1j * beta1 * L1)])])
        I12 = np.stack([np.stack([1 / t12, r12 / t12]), np.stack([r12 / t12, 1 / t12])])
        T = np.dot(np.dot(I01, P1), I12)
        r = T[1][0] / T[0][0]
        refl[i - 400] = np.abs(r) * np.abs(r)
    return refl


def child():
    """Print ``{row: us}`` for this process's dualgrad."""
    import numpy as np
    from scipy.optimize import approx_fprime

    import dualgrad as dg

    clock = time.process_time
    p = np.array([1.45, 500.0])

    def whole(call):
        call()
        out = []
        for _ in range(5):
            t = clock()
            call()
            out.append(clock() - t)
        return statistics.median(out) * 1e6

    got = {"f": whole(lambda: spectrum(p)),
           "dg.jacobian": whole(lambda: dg.jacobian(spectrum, p)),
           "approx_fprime": whole(lambda: approx_fprime(p, spectrum, 1.49e-8))}

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
        index, L1 = q[0], q[1]
        beta1 = 2 * 3.1415 * index / 500
        z = np.exp(-1j * beta1 * L1)
        a = index * 1.3
        row, row2 = np.stack([1 / index, a / index]), np.stack([a, index])
        M = np.stack([row, row2])
        P = np.stack([np.stack([z, 0]), np.stack([0, z * 2])])
        T = np.dot(M, P)
        ops = {"d / d, real scalars [~12]": lambda: a / index,
               "-1j * d [2]": lambda: -1j * beta1,
               "np.exp(complex scalar) [2]": lambda: np.exp(z),
               "np.stack([d, d]), real [4]": lambda: np.stack([1 / index, a / index]),
               "np.stack([z, 0]), complex [2]": lambda: np.stack([z, 0]),
               "np.stack of two 1-D array duals [3]": lambda: np.stack([row, row2]),
               "np.dot(real 2x2, complex 2x2) [1]": lambda: np.dot(M, P),
               "np.dot(complex 2x2, real 2x2) [1]": lambda: np.dot(P, M),
               "T[1][0] [2]": lambda: T[1][0],
               "complex scalar / complex scalar [1]": lambda: T[1][0] / T[0][0],
               "np.abs(complex scalar) [2]": lambda: np.abs(z)}
        for name, op in ops.items():
            got[name] = timed(op)
        return q

    dg.jacobian(inside, p)
    print(json.dumps(got))


def main():
    ab_main("tmm_ops.py", child, "transfer-matrix row, per call", 1)


if __name__ == "__main__":
    main()
