"""Where a user's warm first call goes beyond the second, by the pieces that run once.

    python bench/first_split.py [--only NAME] [--runs R] [--compare DIR]

For each problem (default: the four heat forms), a cold process with numba loaded
fills a new ``NUMBA_CACHE_DIR``; then ``R`` (default 3) fresh processes make the
first and second call as a user's does (numba loaded when dualgrad's loader says
so), timing inside the first call what only a first call runs: numba's import with
dualgrad's numba layer (``_loader.load``; before stop 50 the kernel modules too, which
are imported at their first use since, inside ``rest``), the scalar dual classes' generation
(``dual._scalar._generate``), the fused kernels' objects (``_fusedgen.kernel``) and
their checks, in which numba links the cached machine code (``_fused._check``).
``rest`` is the first call less the second and those pieces: the NumPy work before
the loader's budget is spent, first touches of memory, caches filled.  Prints each
process's row, s.  bench/first_call.py times the phases with numba loaded by hand.

``--compare DIR`` makes the same rows with dualgrad imported from ``DIR`` (another
worktree, e.g. main before a change), on a cache of its own, the two sides
alternating run by run, then prints each side's medians.
"""

import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _common  # noqa: E402  (a user's fresh process)
PROBLEMS = ["heat equation 100000x4", "heat equation np.roll + rebinding",
            "heat equation np.diff + concatenate", "heat equation scipy.sparse L @ u"]
PIECES = {"numba": ("_loader", "load"), "scalar class": ("_scalar", "_generate"),
          "fused kernel": ("_fusedgen", "kernel"), "fused check": ("_fused", "_check")}

CHILD = """
import json, sys, time
T = time.perf_counter
sys.path[:0] = [CHECKOUT, HERE]
from problems import PROBLEMS
import dualgrad as dg
from dualgrad.backend import _loader, _fused, _fusedgen
from dualgrad.dual import _scalar
modules = {"_loader": _loader, "_fused": _fused, "_fusedgen": _fusedgen, "_scalar": _scalar}
spent = {}
def timed(label, module, name):
    real = getattr(module, name)
    def wrapper(*args, **kwargs):
        t = T()
        try:
            return real(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + T() - t
    setattr(module, name, wrapper)
if FILL:
    _loader.load()
else:
    for label, (module, name) in PIECES.items():
        timed(label, modules[module], name)
d, _ = PROBLEMS[NAME]("dualgrad")
t = T(); d(); first = T() - t
pieces = dict(spent)
t = T(); d(); second = T() - t
print(json.dumps(dict(pieces, first=first, second=second)))
"""


def fresh(name, cache, fill, checkout=HERE.parent):
    code = CHILD.replace("CHECKOUT", repr(str(checkout))).replace("HERE", repr(str(HERE))) \
        .replace("NAME", repr(name)).replace("FILL", str(fill)) \
        .replace("PIECES", repr(PIECES))
    return _common.fresh_process(code, cache)


def main():
    args = sys.argv[1:]
    if "-h" in args or "--help" in args:
        print(__doc__)
        return
    only = args[args.index("--only") + 1] if "--only" in args else ""
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 3
    sides = {"this": HERE.parent}
    if "--compare" in args:
        sides["other"] = Path(args[args.index("--compare") + 1]).resolve()
    labels = list(PIECES)
    columns = ["first", "second", *labels, "rest"]
    print(" | ".join(["problem", *(["side"] if len(sides) > 1 else []), *columns]))
    for name in [p for p in PROBLEMS if only in p]:
        with tempfile.TemporaryDirectory() as top:
            caches = {side: os.path.join(top, side) for side in sides}
            for side, checkout in sides.items():
                fresh(name, caches[side], True, checkout)
            rows = {side: [] for side in sides}
            for _ in range(runs):
                for side, checkout in sides.items():
                    r = fresh(name, caches[side], False, checkout)
                    r["rest"] = r["first"] - r["second"] - sum(r.get(k, 0.0) for k in labels)
                    rows[side].append(r)
                    print(" | ".join([name, *([side] if len(sides) > 1 else []),
                                      *(f"{r.get(k, 0.0):.3f}" for k in columns)]), flush=True)
            if len(sides) > 1:
                for side in sides:
                    print(" | ".join([name, f"{side} median", *(
                        f"{statistics.median(r.get(k, 0.0) for r in rows[side]):.3f}"
                        for k in columns)]), flush=True)


if __name__ == "__main__":
    main()
