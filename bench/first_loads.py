"""What a heat form's first calls load: two pieces, in fresh processes, this checkout against another.

    python bench/first_loads.py --compare OTHER_CHECKOUT [--rounds 5]

Each round runs, per side (alternating which goes first), fresh processes with
numba's disk cache already filled (a first process per side fills it; its own
directory per side) and, as this environment does, without dualgrad's bytecode
(the libraries' read from a directory per side that the first process fills,
``PYTHONPYCACHEPREFIX``; ``--bytecode``: dualgrad's too; never a checkout's own
``__pycache__``, which one side may have and the other not):

* ``sparse``: ``import dualgrad, scipy.sparse``, numba loaded, then the CPU time of
  the first ``dg.jacobian`` of ``p -> L @ (p[0] * s + p[1])`` (400 cells, the
  heat Laplacian in CSR; the small path's rule kernels imported before): what the first sparse product loads besides its kernel
  (stop 52: ``np.ndim(d)`` loaded dispatch's NumPy-functions wing);
* ``combine``: numba loaded, then the CPU time of the first
  ``backend._kernels.combine`` of 4-direction partials (the ``scale`` kernel's load
  from the cache, with ``_numba_kernels``' import: the node-by-node evaluation's
  kernel, met in the second call of every heat form), and whether
  ``numba.np.arrayobj`` was imported by it.

Prints the median CPU ms per side and piece.  Nothing is written but the two
cache directories (under the system's temporary directory, removed at the end).
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

SPARSE = """
import json, sys, time
sys.path.insert(0, {root!r})
import numpy as np
import scipy.sparse as sp
import dualgrad as dg
assert dg.__file__.startswith({root!r})
from dualgrad.backend import _loader, _kernels, _rule_kernels  # (the small path's, apart)
_loader.load()
_kernels._kernels()
n = 400
inner = np.ones(n)
inner[[0, -1]] = 0.0
L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1], format="csr")
s = np.linspace(0.0, 1.0, n)
t = time.process_time()
dg.jacobian(lambda p: L @ (p[0] * s + p[1]), np.array([0.5, 0.25]))
print(json.dumps([time.process_time() - t, "dualgrad.dispatch._functions" in sys.modules]))
"""

COMBINE = """
import json, sys, time
sys.path.insert(0, {root!r})
import numpy as np
import dualgrad as dg
assert dg.__file__.startswith({root!r})
from dualgrad.backend import _kernels, _loader
_loader.load()
f, p = np.linspace(1.0, 2.0, 1000), np.ones((1000, 4))
t = time.process_time()
_kernels.combine([f], [p], (1000, 4))
print(json.dumps([time.process_time() - t, "numba.np.arrayobj" in sys.modules]))
"""


def run(code, root, cache, bytecode=False):
    """``code`` in a fresh process: numba's cache in ``cache``, Python's bytecode read
    from (and with ``bytecode`` written into) ``cache``/pyc only."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONDONTWRITEBYTECODE="1",
               PYTHONPYCACHEPREFIX=os.path.join(cache, "pyc"),
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    if bytecode:
        del env["PYTHONDONTWRITEBYTECODE"]
    env.pop("DUALGRAD_ENGINE", None)
    out = subprocess.run([sys.executable, "-c", code.format(root=root)], capture_output=True,
                         text=True, env=env, check=True, cwd=tempfile.gettempdir())
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", metavar="OTHER_CHECKOUT", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--bytecode", action="store_true",
                        help="keep Python's bytecode (per side, written by the first process)")
    opts = parser.parse_args()
    sides = {"after": str(HERE.parent), "before": str(Path(opts.compare).resolve())}
    pieces = {"sparse": SPARSE, "combine": COMBINE}
    caches = {side: tempfile.mkdtemp(prefix=f"first_loads_{side}_") for side in sides}
    got = {(side, piece): [] for side in sides for piece in pieces}
    flags = {}
    try:
        for side, root in sides.items():          # fill each side's caches
            for code in pieces.values():
                run(code, root, caches[side], True)
            if not opts.bytecode:                 # the libraries' bytecode kept, dualgrad's not
                shutil.rmtree(os.path.join(caches[side], "pyc", root.lstrip(os.sep)))
        for r in range(opts.rounds):
            order = list(sides.items()) if r % 2 == 0 else list(reversed(sides.items()))
            for side, root in order:
                for piece, code in pieces.items():
                    t, flag = run(code, root, caches[side], opts.bytecode)
                    got[side, piece].append(t * 1e3)
                    flags[side, piece] = flag
    finally:
        for c in caches.values():
            shutil.rmtree(c, ignore_errors=True)
    print(f"median CPU ms of {opts.rounds} fresh processes per side (cache filled)")
    for piece in pieces:
        what = "functions wing loaded" if piece == "sparse" else "numba.np.arrayobj imported"
        print(f"  {piece:8s} before {statistics.median(got['before', piece]):6.1f} "
              f"({what}: {flags['before', piece]})  after "
              f"{statistics.median(got['after', piece]):6.1f} ({flags['after', piece]})")


if __name__ == "__main__":
    main()
