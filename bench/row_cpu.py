"""CPU time of corpus rows, this checkout against another, in alternating fresh processes.

    python bench/row_cpu.py [--only TEXT] [--compare CHECKOUT] [--rounds 4] [--calls 25]
                            [--engine auto|fused|eager] [--numba]

For each row of bench/bench_corpus.py's sets (corpus.py, corpus57.py to corpus72.py) whose
name holds ``--only`` (default: the shallow water and Gaussian process rows of
bench/corpus59.py), the median over
``--calls`` calls of the process's CPU time (``time.process_time``) of
``dualgrad.jacobian`` and of ``f`` itself, after three calls of each.  CPU time, not
the wall clock: on a machine shared by many processes (loads of 8-16 on two cores)
the wall clock of a 20 ms call counts other processes' slices; this counts this
process's own, and the ratio dualgrad / f of one process is the figure to compare.
Numba is not loaded (bench_corpus.py's short rows never load it; ``--numba``: the
children load it before the first call, as a process that met enough work would);
``--engine``: the children's ``DUALGRAD_ENGINE`` (default: as this process has it).  With ``--compare``
each round runs this checkout and the other (its own dualgrad, this script's rows)
in fresh processes, alternately; the medians over rounds are printed side by side.
Nothing is written.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = ["shallow water", "GP likelihood"]


def one_round(only, calls, numba=False):
    """This process's ``{row: [jacobian ms, f ms]}`` (medians of CPU time)."""
    sys.path[:0] = [str(HERE)]
    import _common  # noqa: F401  (one BLAS thread, before NumPy)
    import time
    import numpy as np
    import dualgrad as dg
    if numba:
        from dualgrad.backend import _loader
        _loader.load()
    from bench_corpus import SETS       # every set bench_corpus runs (69 to 72 too)
    rows = {name: row for _, problems in SETS for name, row in problems.items()}
    clock = time.process_time
    out = {}
    for name, (f, x) in rows.items():
        if not any(o in name for o in only):
            continue
        x = np.asarray(x, dtype=float)
        times = {}
        for key, fn in (("jacobian", lambda: dg.jacobian(f, x)), ("f", lambda: f(x))):
            for _ in range(3):
                fn()
            samples = []
            for _ in range(calls):
                t = clock()
                fn()
                samples.append(clock() - t)
            times[key] = statistics.median(samples) * 1e3
        out[name] = [times["jacobian"], times["f"]]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", action="append")
    ap.add_argument("--compare")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--calls", type=int, default=25)
    ap.add_argument("--engine", choices=["auto", "fused", "eager"])
    ap.add_argument("--numba", action="store_true")
    ap.add_argument("--child", action="store_true")
    a = ap.parse_args()
    only = a.only or DEFAULT
    if a.child:
        print(json.dumps(one_round(only, a.calls, a.numba)))
        return
    sides = [HERE.parent] + ([Path(a.compare).resolve()] if a.compare else [])
    got = {str(s): [] for s in sides}
    args = sum((["--only", o] for o in only), []) + ["--calls", str(a.calls), "--child"] + \
        (["--numba"] if a.numba else [])
    for _ in range(a.rounds):
        for side in sides:
            env = dict(os.environ, PYTHONPATH=str(side))
            if a.engine:
                env["DUALGRAD_ENGINE"] = a.engine
            r = subprocess.run([sys.executable, str(HERE / "row_cpu.py"), *args], env=env,
                               capture_output=True, text=True, check=True, cwd=str(side))
            got[str(side)].append(json.loads(r.stdout.strip().splitlines()[-1]))
    names = list(got[str(sides[0])][0])
    print("| row | side | jacobian CPU ms | f CPU ms | jacobian / f | rounds' ratios |")
    print("|---|---|---|---|---|---|")
    for name in names:
        for side in sides:
            rs = got[str(side)]
            jac = statistics.median(r[name][0] for r in rs)
            f = statistics.median(r[name][1] for r in rs)
            ratios = " ".join(f"{r[name][0] / r[name][1]:.1f}" for r in rs)
            print(f"| {name} | {side} | {jac:.2f} | {f:.3f} | {jac / f:.2f}x | {ratios} |")


if __name__ == "__main__":
    main()
