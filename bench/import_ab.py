"""``import dualgrad`` in this checkout against another, fresh processes alternating.

    python bench/import_ab.py OTHER_CHECKOUT [--rounds 15]

Each process imports NumPy first (the same for both sides, and numba's and NumPy's
own bytecode is on disk), then times ``import dualgrad`` alone: wall seconds and the
process's CPU seconds (less disturbed by other load on a shared machine), and
whether numba was imported.  Two ways, each side in its own empty bytecode
directory (``PYTHONPYCACHEPREFIX``, so neither reuses ``.pyc`` files another
process left beside the sources):

* *bytecode*: as on a user's machine (pip writes ``.pyc`` files at install, an
  editable install at its first import); one process per side writes them first;
* *source*: ``PYTHONDONTWRITEBYTECODE=1`` with no ``.pyc`` to read, as in this
  project's sandbox: every module of the package is compiled from its source in
  every process.

Prints medians over ``--rounds`` processes per side and way.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]
from _common import table  # noqa: E402

CODE = ("import sys, time\nimport numpy\n"
        "t, c = time.perf_counter(), time.process_time()\nimport dualgrad\n"
        "print(time.perf_counter() - t, time.process_time() - c, 'numba' in sys.modules)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("other")
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    sides = {"this": str(HERE.parent), "other": str(Path(args.other).resolve())}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for way in ("bytecode", "source"):
            envs = {}
            for side, root in sides.items():
                env = dict(os.environ, PYTHONPATH=root, OMP_NUM_THREADS="1",
                           OPENBLAS_NUM_THREADS="1",
                           PYTHONPYCACHEPREFIX=os.path.join(tmp, way, side))
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                if way == "source":
                    env["PYTHONDONTWRITEBYTECODE"] = "1"
                envs[side] = env
            got = {side: [] for side in sides}

            def run(side):
                out = subprocess.run([sys.executable, "-c", CODE], env=envs[side], cwd=tmp,
                                     capture_output=True, text=True, check=True)
                wall, cpu, numba = out.stdout.split()
                return float(wall), float(cpu), numba == "True"
            for side in sides:
                run(side)                                   # writes the bytecode
            for r in range(args.rounds):
                for side in (list(sides) if r % 2 == 0 else list(sides)[::-1]):
                    got[side].append(run(side))
            for side, root in sides.items():
                g = got[side]
                rows.append([way, f"{side} ({root})",
                             f"{statistics.median(x[0] for x in g) * 1e3:.1f}",
                             f"{statistics.median(x[1] for x in g) * 1e3:.1f}",
                             "yes" if any(x[2] for x in g) else "no"])
    print(table(["way", "checkout", "wall (ms)", "CPU (ms)", "numba imported"], rows))


if __name__ == "__main__":
    main()
