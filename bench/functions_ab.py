"""bench_functions.py's rows, this checkout against another, in CPU time (issue 13, fn12).

    python bench/functions_ab.py --compare DIR --cells 1000:4,100:4 --only np.dot,np.max [--rounds 3]

For each round, a fresh process per checkout (DIR first, then this one), each importing
its own dualgrad and bench_functions.py's cases and inputs (``--only``: exact row
names).  A row's ratio is the median over repeats of (CPU time of ``number`` dual
calls) / (CPU time of ``number`` float calls), the two timed back to back with
``time.process_time``: time the process spends descheduled on a loaded machine does
not count (bench_functions.py's wall-clock ratios swing 2-8x at load 12).  Prints, per
row and cell, the median over rounds of each side's ratio and their quotient (this
checkout's over DIR's: below 1 is faster).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPEAT = 7
MIN_CPU = 0.01          # seconds of CPU per timed batch


def _option(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def _cells(text):
    return [tuple(int(v) for v in c.split(":")) for c in text.split(",")]


def _cpu(fn, number):
    t0 = time.process_time()
    for _ in range(number):
        fn()
    return time.process_time() - t0


def child(checkout, cells, only):
    """Time the rows in this process (``checkout``'s dualgrad); print one JSON object."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    sys.path[:0] = [str(checkout), str(Path(checkout) / "bench")]
    import numpy as np
    import bench_functions as bf
    cases = bf._cases()
    unknown = [name for name in only if name not in cases]
    if unknown:                       # ufunc rows: bench/rule_ab.py times those
        sys.exit(f"functions_ab.py: no function row named {', '.join(unknown)}")
    out = {}
    for N, n in cells:
        rng = np.random.default_rng(0)
        floats, duals = bf._inputs(N, n, rng)
        for name in only:
            fn = cases[name][1]
            dual, plain = (lambda: fn(*duals)), (lambda: fn(*floats))
            dual(), plain()
            t0 = time.process_time()
            dual()
            number = max(1, int(MIN_CPU / max(time.process_time() - t0, 1e-6)))
            ratios = [_cpu(dual, number) / max(_cpu(plain, number), 1e-9)
                      for _ in range(REPEAT)]
            out[f"{name}|N={N} n={n}"] = statistics.median(ratios)
    print(json.dumps(out))


def main():
    cells, only = _option("--cells", "1000:4"), _option("--only", "np.dot").split(",")
    if "--child" in sys.argv:
        return child(_option("--child"), _cells(cells), only)
    other = Path(_option("--compare")).resolve()
    rounds = int(_option("--rounds", "3"))
    sides = {other: {}, HERE.parent: {}}
    for _ in range(rounds):
        for checkout, into in sides.items():
            cmd = [sys.executable, str(HERE / "functions_ab.py"), "--child", str(checkout),
                   "--cells", cells, "--only", ",".join(only)]
            env = {**os.environ, "PYTHONPATH": str(checkout)}
            got = json.loads(subprocess.run(cmd, cwd=checkout, env=env, check=True,
                                            capture_output=True, text=True).stdout)
            for key, r in got.items():
                into.setdefault(key, []).append(r)
    base, new = sides[other], sides[HERE.parent]
    print(f"| row | cell | {other.name} | this | this / other |")
    print("|---|---|---|---|---|")
    for key in sorted(new, key=lambda k: (k.split("|")[1], k)):
        b, t = statistics.median(base[key]), statistics.median(new[key])
        row, cell = key.split("|")
        print(f"| {row} | {cell} | {b:.1f}x | {t:.1f}x | {t / b:.2f} |")


if __name__ == "__main__":
    main()
