"""Per-operation clock of two real rows of bench/corpus57.py inside ``dualgrad.jacobian``.

    python bench/corpus_ops.py [--compare CHECKOUT] [--rounds 5] [--numba]

The Fresnel reflectances (Snell's law, then the amplitude ratios: a scalar dual times
a fixed angle grid, ``np.arcsin`` and ``np.cos`` of array duals, quotients, squares,
a concatenation) with each operation of one call timed by ``time.perf_counter``
around it (the median over the calls of a round, microseconds), and the whole calls
of the Fresnel and Kepler rows (``dualgrad.jacobian``, median per call).  Numba is
not loaded (the state bench_corpus.py's rows run in: a short script never loads it,
bench/MISSES.md stop 58) unless ``--numba``.  With ``--compare`` each round runs this
checkout and the other in fresh processes, alternately (the machine is shared), and
the medians over rounds are printed side by side with their ratio (this / other).
Prints a table; nothing is written.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

NAMES = ["q[0]", "n1 / n2", "r * np.sin(A)", "np.arcsin(u)", "n1 * np.cos(A)",
         "np.cos(a2)", "n2 * c2", "a - b", "a + b", "amb / apb", "rs ** 2",
         "np.concatenate", "Fresnel call", "Kepler call"]


def one_round(calls, numba):
    """This process's medians (us) of each operation and of the two rows' calls."""
    import numpy as np
    sys.path[:0] = [str(HERE.parent), str(HERE)]
    import dualgrad as dg
    from dualgrad.backend import _loader
    from corpus57 import FRESNEL_ANGLES as A, PROBLEMS57
    if numba:
        _loader.load()
    pc = time.perf_counter
    T = np.zeros((calls, 12))
    k = [0]

    def f(q):
        row = T[k[0]]
        t = pc(); n1 = q[0]; row[0] = pc() - t; n2 = q[1]
        t = pc(); r = n1 / n2; row[1] = pc() - t
        t = pc(); u = r * np.sin(A); row[2] = pc() - t
        t = pc(); a2 = np.arcsin(u); row[3] = pc() - t
        t = pc(); a = n1 * np.cos(A); row[4] = pc() - t
        t = pc(); c2 = np.cos(a2); row[5] = pc() - t
        t = pc(); b = n2 * c2; row[6] = pc() - t
        t = pc(); amb = a - b; row[7] = pc() - t
        t = pc(); apb = a + b; row[8] = pc() - t
        t = pc(); rs = amb / apb; row[9] = pc() - t
        t = pc(); s2 = rs ** 2; row[10] = pc() - t
        t = pc(); out = np.concatenate([s2, s2]); row[11] = pc() - t
        return out
    x0 = np.array([1.0, 1.5])
    for _ in range(20):
        dg.jacobian(f, x0)
    for j in range(calls):
        k[0] = j
        dg.jacobian(f, x0)
    result = [float(v) for v in np.median(T, axis=0) * 1e6]
    for name in ("Fresnel reflectance (2)", "Kepler Newton loop (2)"):
        g, x = PROBLEMS57[name]
        dg.jacobian(g, x)
        times = []
        for _ in range(max(calls // 4, 5)):
            t = pc()
            dg.jacobian(g, x)
            times.append(pc() - t)
        result.append(statistics.median(times) * 1e6)
    assert _loader.READY == numba, "numba loaded during the round"
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--numba", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_round(args.calls, args.numba)))
        return
    sides = [str(HERE.parent)] + ([str(Path(args.compare).resolve())] if args.compare else [])
    got = {s: [] for s in sides}
    for _ in range(args.rounds):
        for side in sides:
            env = dict(os.environ, PYTHONPATH=side)
            cmd = [sys.executable, str(Path(side) / "bench" / "corpus_ops.py"), "--child",
                   "--calls", str(args.calls)] + (["--numba"] if args.numba else [])
            if not (Path(side) / "bench" / "corpus_ops.py").exists():
                cmd[1] = str(HERE / "corpus_ops.py")     # an older checkout: this script
                env["CORPUS_OPS_TREE"] = side
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True,
                                 cwd=side)
            got[side].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"numba {'loaded' if args.numba else 'not loaded'}; {args.rounds} rounds; "
          f"medians over rounds, us")
    head = f"{'operation':18s}" + "".join(f"{Path(s).name[:16]:>18s}" for s in sides) + \
        ("   ratio" if len(sides) == 2 else "")
    print(head)
    for i, name in enumerate(NAMES):
        meds = [statistics.median(r[i] for r in got[s]) for s in sides]
        line = f"{name:18s}" + "".join(f"{m:18.2f}" for m in meds)
        if len(sides) == 2:
            line += f"   {meds[0] / meds[1]:.2f}"
        print(line)


if __name__ == "__main__":
    if os.environ.get("CORPUS_OPS_TREE"):
        HERE = Path(os.environ["CORPUS_OPS_TREE"]) / "bench"
    main()
