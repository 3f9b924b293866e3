"""Rosenbrock's gradient in instructions: valgrind's count, steady under any load.

    python bench/rosen_ir.py [--calls 200] [--compare DIR]

On the project's shared 2-core machines a few per cent of ``dg.gradient(rosen, x)``
drown in the load (``rosen_parts.py --compare`` read untouched code 0.59-1.06 at
load 17-19, rosen72).  This runs one process under ``valgrind --tool=callgrind``
(each tree in its own process, one after the other) and reads the instructions
executed per call of each subject, from counters dumped at each ``time.sleep(0)``
between the subjects (imports and warm-up fall in the first part): deterministic to
~0.1 % run to run (``PYTHONHASHSEED=0``).  Subjects, n = 2 and 10: ``rosen``
(``dg.gradient(scipy.optimize.rosen, x)``: SciPy's ``np.asarray`` of the seed, the
object array's arithmetic), ``loop`` (Rosenbrock as a loop over ``x[i]``),
``asarray`` (``np.asarray(v)[0]``: the seed's snapshot), ``v0`` (``v[0]``: the
helper's fixed cost).  Instructions are not time (a cache miss, a branch costs
more), but a cut in them is a cut in work.  Needs valgrind; about a minute of CPU a
tree.  Nothing is written outside a temporary folder.
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUBJECTS = ("rosen", "loop", "asarray", "v0")


def _child(root, calls):
    """The process valgrind runs: warm every subject, then each one's calls between
    two ``time.sleep(0)`` (the dump points)."""
    sys.path.insert(0, root)
    import numpy as np
    import dualgrad as dg
    from scipy.optimize import rosen

    def rosen_loop(x):
        s = 0.0
        for i in range(len(x) - 1):
            s = s + 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
        return s
    fs = {"rosen": rosen, "loop": rosen_loop, "asarray": lambda v: np.asarray(v)[0],
          "v0": lambda v: v[0]}
    subjects = [(f"{name} n = {n}", fs[name], np.linspace(-1.2, 1.2, n))
                for n in (2, 10) for name in SUBJECTS]
    for _, f, x in subjects:
        for _ in range(100):
            dg.gradient(f, x)
    print("|".join(s[0] for s in subjects), flush=True)
    for _, f, x in subjects:
        time.sleep(0)
        for _ in range(calls):
            dg.gradient(f, x)
    time.sleep(0)


def _count(root, calls):
    """``{subject: instructions per call}`` for the dualgrad at ``root``."""
    with tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, PYTHONHASHSEED="0")
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--dump-before=time_sleep",
             f"--callgrind-out-file={out}/cg.%p", sys.executable, __file__, "--child",
             root, "--calls", str(calls)], capture_output=True, text=True, env=env,
            check=True)
        names = run.stdout.strip().splitlines()[-1].split("|")
        parts = {}
        for path in glob.glob(f"{out}/cg.*"):
            text = Path(path).read_text()
            part = re.search(r"^part: (\d+)", text, re.M)
            total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
            parts[int(part.group(1)) if part else 0] = int(total.group(1))
    keys = sorted(parts)[1:]                 # the first part: imports and warm-up
    return {name: parts[k] / calls for name, k in zip(names, keys)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--compare", help="another checkout, counted the same way")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        return _child(opts.child, opts.calls)
    this = _count(str(HERE.parent), opts.calls)
    other = _count(opts.compare, opts.calls) if opts.compare else None
    print(f"instructions per dg.gradient call ({opts.calls} calls a subject)")
    for name, ir in this.items():
        extra = f"   other {other[name]:9.0f}   this / other {ir / other[name]:.4f}" \
            if other else ""
        print(f"  {name:14s} {ir:9.0f}{extra}")


if __name__ == "__main__":
    main()
