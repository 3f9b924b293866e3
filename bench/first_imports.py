"""What a heat form's warm first call spends besides a steady call: its imports, in fresh processes.

    python bench/first_imports.py [--rounds 5] [--only sparse]

Per heat form of bench/problems.py and round, fresh processes with numba's disk cache
filled and every module's bytecode kept (a directory of its own under the system's
temporary directory, filled by a first process per form; never a checkout's own
``__pycache__``), in three variants (alternating their order from round to round):

* ``plain``: the first ``dg.jacobian`` as a user's script meets it, then the second;
* ``scipy``: ``import scipy.sparse`` first (f's own import in the sparse form, which f
  alone pays in its own first call too), timed apart, then the two calls;
* ``all``: ``import scipy.sparse``, ``import numba``, dualgrad's loader and
  ``backend._numba_kernels`` first, each timed apart, then the two calls.

Prints the median CPU seconds (``time.process_time``) per form and variant: if the
``all`` variant's first call is its second's, what the plain first call spends over
a steady call is those imports.  Nothing is written but the cache directory
(removed at the end).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

NAMES = {"slicing": "heat equation 100000x4",
         "roll": "heat equation np.roll + rebinding",
         "diff": "heat equation np.diff + concatenate",
         "sparse": "heat equation scipy.sparse L @ u"}

CODE = """
import json, sys, time
sys.path[:0] = [{root!r}, {bench!r}]
from problems import PROBLEMS
import dualgrad as dg
assert dg.__file__.startswith({root!r}), dg.__file__
d, _ = PROBLEMS[{name!r}]("dualgrad")
out = {{}}
for m in {pre!r}:
    c0 = time.process_time()
    if m == "loader":
        from dualgrad.backend import _loader
        _loader.load()
    elif m == "kernels":
        from dualgrad.backend import _numba_kernels  # noqa: F401
    else:
        __import__(m)
    out[m] = time.process_time() - c0
c0 = time.process_time()
d()
out["first"] = time.process_time() - c0
c0 = time.process_time()
d()
out["second"] = time.process_time() - c0
print(json.dumps(out))
"""

VARIANTS = {"plain": [], "scipy": ["scipy.sparse"],
            "all": ["scipy.sparse", "numba", "loader", "kernels"]}


def run(name, variant, cache):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", NUMBA_NUM_THREADS="1",
               PYTHONPYCACHEPREFIX=os.path.join(cache, "pyc"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    code = CODE.format(root=str(HERE.parent), bench=str(HERE), name=name,
                       pre=VARIANTS[variant])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True, cwd=str(HERE))
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="")
    opts = parser.parse_args()
    top = tempfile.mkdtemp(prefix="first_imports_")
    try:
        print("| form | variant | scipy.sparse | numba | loader | _numba_kernels | first | "
              "second | first - second |")
        print("|---|---|---|---|---|---|---|---|---|")
        for short, name in NAMES.items():
            if opts.only not in short:
                continue
            cache = os.path.join(top, short)
            os.makedirs(cache)
            run(name, "plain", cache)                # cold: fills both caches
            got = {v: [] for v in VARIANTS}
            for r in range(opts.rounds):
                order = list(VARIANTS) if r % 2 == 0 else list(reversed(VARIANTS))
                for v in order:
                    got[v].append(run(name, v, cache))
            for v in VARIANTS:
                med = {k: statistics.median(g[k] for g in got[v]) for k in got[v][0]}
                extra = statistics.median(g["first"] - g["second"] for g in got[v])
                cells = [f"{med[k]:.3f}" if k in med else "" for k in
                         ("scipy.sparse", "numba", "loader", "kernels", "first", "second")]
                print(f"| {short} | {v} | " + " | ".join(cells) + f" | {extra:.3f} |",
                      flush=True)
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
