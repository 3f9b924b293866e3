"""CPU time of the perovskite row's small operations (bench/corpus61.py), this checkout
against another, in alternating fresh processes.

    python bench/perovskite_ops.py [--compare CHECKOUT] [--rounds 4]

Inside one ``dualgrad.jacobian`` call of five directions (the row's ``q``), the median
over 15 batches of 200 calls of the process's CPU time per call of: a real scalar dual
and a Python complex constant (``* + -``, both orders), a real constant (the inlined
operator, for scale), ``np.exp`` / ``np.abs`` of a complex scalar dual, the row's
``np.dot(recbase, hkl)`` of a transposed 3 x 3 dual and a plain 3-vector (and ``@``),
and ``np.linalg.norm`` of the 3-vector dual.  Medians over rounds, side by side (mixed61).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def one_round():
    sys.path[:0] = [str(HERE)]
    import _common  # noqa: F401  (one BLAS thread, before NumPy)
    import time
    import numpy as np
    import dualgrad as dg
    from corpus61 import perovskite
    out = {}

    def run(q):
        s = perovskite(q)
        B, hkl = s[1].B, np.array([1.0, 1.0, 0.0])
        rb = s.lattice.recbase
        v = np.dot(rb, hkl)
        z = 2 * np.pi * 1j * np.dot(hkl, s[1].xyz) - B / 4 / v[0]
        c = 2 * np.pi * 1j
        ops = {"real dual * complex": lambda: B * c, "complex * real dual": lambda: c * B,
               "complex - real dual": lambda: c - B, "real dual + complex": lambda: B + c,
               "real dual * float": lambda: B * 6.28, "exp(complex dual)": lambda: np.exp(z),
               "abs(complex dual)": lambda: np.abs(z),
               "np.dot(3x3 dual .T, 3)": lambda: np.dot(rb, hkl),
               "3x3 dual .T @ 3": lambda: rb @ hkl, "norm(3 dual)": lambda: np.linalg.norm(v)}
        for name, fn in ops.items():
            for _ in range(50):
                fn()
            ts = []
            for _ in range(15):
                t = time.process_time()
                for _ in range(200):
                    fn()
                ts.append((time.process_time() - t) / 200 * 1e6)
            out[name] = statistics.median(ts)
        return q[0]
    dg.jacobian(run, np.array([3.905, 0.6, 0.4, 0.8, 0.02]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--compare")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--child", action="store_true")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(one_round()))
        return
    sides = [HERE.parent] + ([Path(a.compare).resolve()] if a.compare else [])
    got = {str(s): [] for s in sides}
    for _ in range(a.rounds):
        for side in sides:
            env = dict(os.environ, PYTHONPATH=str(side))
            r = subprocess.run([sys.executable, str(HERE / "perovskite_ops.py"), "--child"],
                               env=env, capture_output=True, text=True, check=True,
                               cwd=str(side))
            got[str(side)].append(json.loads(r.stdout.strip().splitlines()[-1]))
    print("| operation | " + " | ".join(f"{s} us" for s in sides) + " |")
    print("|---|" + "---|" * len(sides))
    for name in got[str(sides[0])][0]:
        cells = [statistics.median(r[name] for r in got[str(s)]) for s in sides]
        print(f"| {name} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")


if __name__ == "__main__":
    main()
