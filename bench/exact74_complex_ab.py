"""What exact74's complex mends cost on finite, normal inputs against another checkout
(prints only): the rule table's tangents of ``np.abs`` and ``np.sign`` on complex array
duals (both now scale a modulus below 2**-960 by 2**600 first: attack73 F4) and a
complex local derivative's product with real partials (``np.exp(x + 1j)``: the zero
rule part by part only where a factor is not finite, attack73 F2).

    python bench/exact74_complex_ab.py [--compare /tmp/main_before] [--rounds 3]

Inside ``dg.jacobian`` of a function of an 8-vector ``p``: ``u`` a complex array dual of
N = 26 or 1000 elements (complex partials), ``x`` a real one; the cases ``np.abs(u)``,
``np.sign(u)``, ``np.exp(x + 1j)``, ``np.real(np.exp(x + 1j))`` and, for scale,
``np.sqrt(u)`` (unchanged).  Each figure the median process-time us of a call over 9
batches (``time.process_time``: the other lanes' load falls out), in fresh processes
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

    def run(N, calls):
        grid = np.linspace(0.1, 1.0, N)

        def f(p):
            u = p[0] * (1 + 1j * grid) + np.arange(N) * p[1] - 0.5j * p[2]
            x = p[3] * grid + p[4]
            cases = {"np.abs(u)": lambda: np.abs(u), "np.sign(u)": lambda: np.sign(u),
                     "np.exp(x + 1j)": lambda: np.exp(x + 1j),
                     "np.real(np.exp(x + 1j))": lambda: np.real(np.exp(x + 1j)),
                     "np.sqrt(u) (unchanged)": lambda: np.sqrt(u)}
            for name, call in cases.items():
                call()
                times = []
                for _ in range(9):
                    t = time.process_time()
                    for _ in range(calls):
                        call()
                    times.append((time.process_time() - t) / calls)
                out[f"{name}, N = {N}"] = statistics.median(times) * 1e6
            return p

        dg.jacobian(f, np.arange(1.0, 9.0))

    run(26, 1000)
    run(1000, 100)
    print(json.dumps(out))


def main():
    ab_main("exact74_complex_ab.py", child, first="inside a pass, n = 8", digits=1)


if __name__ == "__main__":
    main()
