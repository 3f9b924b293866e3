"""Element writes and reads of a dual buffer inside a helper's pass (issue 13, euler59):
``S[i] = S[i - 1] + ...`` into ``np.zeros_like(q, shape=...)``, against the same on
floats, ``scipy.optimize.approx_fprime`` and another checkout (prints only).

    python bench/buffer_ab.py [--compare /tmp/main_before] [--rounds 3]

Rows: bench/corpus58.py's two Euler loops as ``dg.jacobian`` runs them (SIR: 1601 steps,
9 element reads and 3 writes a step; Hodgkin-Huxley: 2000 steps, 4 buffers), and a bare
copy chain ``S[i] = S[i - 1]`` over 2000 steps at n = 2 and 10 directions (one read and
one write a step: ``us / step`` is the pair's cost).  Each time is the median of 9 calls
in CPU time (process time); ``dg / f`` and ``dg / afp`` are quotients of medians from the
same process.  ``--compare DIR``: fresh processes alternate this checkout ("after") and
``DIR`` for ``--rounds`` rounds; ``this / other`` is the median over rounds of the dg
times' quotient.
"""

import argparse
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
from _common import alternate  # noqa: E402  (the A/B loop)

STEPS = 2000


def chain(q):
    """One element read and one element write a step."""
    import numpy as np
    S = np.zeros_like(q, shape=(STEPS + 1,))
    S[0] = q[0] * 1.0
    for i in range(1, STEPS + 1):
        S[i] = S[i - 1]
    return S[::500]


def child():
    """Print ``{"row": [dg s, f s, afp s]}`` for this process's dualgrad."""
    import numpy as np
    from scipy.optimize import approx_fprime

    import dualgrad as dg
    from corpus58 import PROBLEMS58

    def median(fn, reps=9):
        times = []
        for _ in range(reps):
            t = time.process_time()
            fn()
            times.append(time.process_time() - t)
        return statistics.median(times)

    rows = {name: PROBLEMS58[name] for name in ("SIR Euler, buffers (2)",
                                               "Hodgkin-Huxley Euler, buffers (2)")}
    rows["S[i] = S[i - 1], n = 2"] = (chain, np.array([0.5, 1.5]))
    rows["S[i] = S[i - 1], n = 10"] = (chain, np.linspace(0.5, 1.5, 10))
    out = {}
    for name, (f, x0) in rows.items():
        dg.jacobian(f, x0)                             # (the classes made once)
        out[name] = [median(lambda: dg.jacobian(f, x0)), median(lambda: f(x0)),
                     median(lambda: approx_fprime(x0, f))
                     if not name.startswith("S[i]") else None]
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        return child()
    got = alternate("buffer_ab.py", [], args.compare, args.rounds)
    after = got["after"]
    head = "| row | dg ms | f ms | dg / f | dg / afp | us / step |"
    if args.compare:
        head += " dg ms (other) | this / other |"
    print(head)
    print("|" + " --- |" * (head.count("|") - 1))
    for name in after[0]:
        dg_ms = statistics.median(r[name][0] for r in after) * 1e3
        f_ms = statistics.median(r[name][1] for r in after) * 1e3
        afp = [r[name][2] for r in after if r[name][2] is not None]
        ratio = f"{dg_ms / (statistics.median(afp) * 1e3):.2f}" if afp else "-"
        step = f"{dg_ms * 1e3 / STEPS:.2f}" if name.startswith("S[i]") else "-"
        line = f"| {name} | {dg_ms:.2f} | {f_ms:.3f} | {dg_ms / f_ms:.1f} | {ratio} | {step} |"
        if args.compare:
            before = got["before"]
            other = statistics.median(r[name][0] for r in before) * 1e3
            quot = statistics.median(a[name][0] / b[name][0] for a, b in zip(after, before))
            line += f" {other:.2f} | {quot:.2f} |"
        print(line)


if __name__ == "__main__":
    main()
