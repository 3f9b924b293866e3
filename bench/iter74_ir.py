"""Iterating an array dual in instructions per element: valgrind's count, steady under
any load (issue 13, scalar74; prints only).

    python bench/iter74_ir.py [--compare DIR]

One process per tree under ``valgrind --tool=callgrind`` (``PYTHONHASHSEED=0``), its
counters dumped at each ``time.sleep(0)`` between the subjects (imports and warm-up in
the first part, as bench/rosen_ir.py): ``list(d)`` and ``sum(d)`` of a 50-element
one-level dual with 1, 2 and 5 partials inside ``dg.gradient``, and of the Euler-Lotka
row's 50 two-level terms (a jvp over ``dg.jacobian``'s dual, one direction each), 200
calls a subject, printed per element.  Needs valgrind; about a minute of CPU a tree.
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
CALLS = 200


def _child(root):
    """The process valgrind runs: each subject's calls between two ``time.sleep(0)``."""
    sys.path.insert(0, root)
    import numpy as np
    import dualgrad as dg
    from dualgrad.api.helpers import jvp
    names = []

    def run(name, d):
        for _ in range(3):
            list(d)
            sum(d)
        for what, fn in (("list", list), ("sum", sum)):
            names.append(f"{what}(d), {name}")
            time.sleep(0)
            for _ in range(CALLS):
                fn(d)
        time.sleep(0)
    grid = np.linspace(0.5, 1.5, 50)
    for n in (1, 2, 5):
        def f(q, n=n):
            run(f"one level, n = {n}", np.exp(q[0] * grid) * q[-1])
            return q[0]
        dg.gradient(f, np.linspace(0.3, 0.6, n))
    age = np.arange(1.0, 51.0)

    def row(q):
        def g(r):
            terms = np.exp(-r * age) * np.exp(-(1 + 0.5 * q[0]) * age) * 16 * q[0]
            run("two levels (Euler-Lotka terms)", terms)
            return 1 - sum(terms)
        return np.atleast_1d(jvp(g, 0.1, 1.0)[1])
    dg.jacobian(row, np.array([1.5]))
    print("|".join(names), flush=True)


def _count(root):
    """``{subject: instructions per element}`` for the dualgrad at ``root``."""
    with tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, PYTHONHASHSEED="0")
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--dump-before=time_sleep",
             f"--callgrind-out-file={out}/cg.%p", sys.executable, __file__, "--child",
             root], capture_output=True, text=True, env=env, check=True)
        names = run.stdout.strip().splitlines()[-1].split("|")
        parts = {}
        for path in glob.glob(f"{out}/cg.*"):
            text = Path(path).read_text()
            part = re.search(r"^part: (\d+)", text, re.M)
            total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
            parts[int(part.group(1)) if part else 0] = int(total.group(1))
    keys = sorted(parts)[1:]
    # parts after the warm-up: each subject's list, its sum, then the gap to the next
    counts = [parts[k] for k in keys]
    per = {}
    for i, name in enumerate(names):
        per[name] = counts[i + i // 2] / CALLS / 50
    return per


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout, counted the same way")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        return _child(opts.child)
    this = _count(str(HERE.parent))
    other = _count(opts.compare) if opts.compare else None
    print("instructions per element (50 elements, 200 calls a subject)")
    for name, ir in this.items():
        extra = f"   other {other[name]:8.0f}   this / other {ir / other[name]:.3f}" \
            if other else ""
        print(f"  {name:42s} {ir:8.0f}{extra}")


if __name__ == "__main__":
    main()
