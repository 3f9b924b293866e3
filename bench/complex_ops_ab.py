"""What one operation on complex small array duals costs against another checkout
(complex68: the generated complex lines of ``dispatch._lean_complex``; prints only).

    python bench/complex_ops_ab.py [--compare /tmp/main_before] [--rounds 3]

Inside ``dg.jacobian`` of a function of an 8-vector ``p`` (the magnetotelluric row's
size: 26 frequencies, 8 directions), ``u`` and ``v`` complex array duals of 26 elements
(complex values and partials), ``r`` a real one, ``s = p[3]`` a real scalar dual and
``c`` a complex128 ndarray of 26 (a frequency grid's ``1j * w * mu_0``): the row's
operations ``u * v``, ``u / v``, ``u + v``, ``u - v``, ``np.sqrt(u)``, ``np.exp(u)``,
``2 * u``, ``u * np.float64(1.5)``, ``1 - u``, ``c * s``, ``c / s``; Mie's ``u + r`` and
``1j * r``; and, for scale, ``r * r`` and ``r / r`` (the float lean path, unchanged).
Each figure the median process-time us of a call over 9 batches of 2,000 calls
(``time.process_time``: the other lanes' load falls out), in fresh processes
alternating this checkout and ``--compare DIR``.
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
    N = 26
    grid = np.linspace(0.1, 1.0, N)

    def f(p):
        u = p[0] * (1 + 1j * grid) + np.arange(N) * p[1]
        v = np.sqrt(u) + 0.5j
        r = np.cos(p[2] + grid) * p[1]
        s = p[3]
        c = 1j * np.logspace(-1, 4, N) * 4e-7 * np.pi
        w = u * 0.01
        cases = {"u * v": lambda: u * v, "u / v": lambda: u / v, "u + v": lambda: u + v,
                 "u - v": lambda: u - v, "np.sqrt(u)": lambda: np.sqrt(u),
                 "np.exp(u)": lambda: np.exp(w), "2 * u": lambda: 2 * u,
                 "u * np.float64(1.5)": lambda: u * np.float64(1.5), "1 - u": lambda: 1 - u,
                 "c * s": lambda: c * s, "c / s": lambda: c / s, "u + r": lambda: u + r,
                 "1j * r": lambda: 1j * r, "r * r (real)": lambda: r * r,
                 "r / r (real)": lambda: r / r}
        for name, call in cases.items():
            call()
            times = []
            for _ in range(9):
                t = time.process_time()
                for _ in range(2000):
                    call()
                times.append((time.process_time() - t) / 2000)
            out[name] = statistics.median(times) * 1e6
        return p

    dg.jacobian(f, np.arange(1.0, 9.0))
    print(json.dumps(out))


def main():
    ab_main("complex_ops_ab.py", child, first="inside a pass, N = 26, n = 8", digits=2)


if __name__ == "__main__":
    main()
