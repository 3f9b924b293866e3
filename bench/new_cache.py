"""A user's first few calls on a new numba cache, and on the warm cache they leave.

    python bench/new_cache.py [--only NAME] [--calls K] [--rounds R] [--compare DIR]

For each problem of :data:`PROBLEMS` (those whose first call stays on the NumPy
path, or loads numba inside it), a new ``NUMBA_CACHE_DIR`` and ``R`` (default 2)
rounds of two fresh processes, each making ``K`` (default 4) calls as a user's
process does (no ``DUALGRAD_ENGINE``, numba loaded when dualgrad's loader says so):
the first on the new cache, the second on the cache the first left.  Per call it
prints the wall time, the fused kernels that call compiled (``c``) or loaded from
the cache (``l``), and whether numba was loaded after it (``*``).  A kernel compiled
for a structure that no later call meets is a compile the user waited for in vain
(bench/MISSES.md, stop 33, probe15's item 3).

``--compare DIR`` runs the same with dualgrad imported from ``DIR`` (another
worktree, e.g. main before a change), the two sides alternating within each
round, each on its own new cache.
"""

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _common  # noqa: E402  (a user's fresh process)
PROBLEMS = ["elementwise N=1e6", "grid field 101^3", "heat equation 100000x4"]

CHILD = """
import json, sys, time
sys.path[:0] = [CHECKOUT, HERE]
from problems import PROBLEMS
import dualgrad as dg
from dualgrad.backend import _fusedgen, _loader
made = []
real = _fusedgen.kernel
def kernel(key):
    if key not in _fusedgen._compiled:
        made.append("l" if _fusedgen.on_disk(key) else "c")
    return real(key)
_fusedgen.kernel = kernel
d, _ = PROBLEMS[NAME]("dualgrad")
calls = []
for _ in range(CALLS):
    del made[:]
    t = time.perf_counter(); d(); t = time.perf_counter() - t
    calls.append([t, "".join(made), _loader.READY])
print(json.dumps(calls))
"""


def fresh(name, cache, checkout, calls):
    code = CHILD.replace("CHECKOUT", repr(str(checkout))).replace("HERE", repr(str(HERE))) \
        .replace("NAME", repr(name)).replace("CALLS", str(calls))
    return _common.fresh_process(code, cache)


def show(calls):
    return "  ".join(f"{t:5.2f}{'*' if loaded else ' '}{made or '-':<3}"
                     for t, made, loaded in calls)


def main():
    args = sys.argv[1:]
    if "-h" in args or "--help" in args:
        print(__doc__)
        return
    only = args[args.index("--only") + 1] if "--only" in args else ""
    calls = int(args[args.index("--calls") + 1]) if "--calls" in args else 4
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 2
    sides = [("this", HERE.parent)]
    if "--compare" in args:
        sides.append(("other", Path(args[args.index("--compare") + 1]).resolve()))
    print(f"calls 1..{calls}: wall s, * numba loaded after it, kernels compiled (c) or "
          "loaded (l)")
    for name in [p for p in PROBLEMS if only in p]:
        for r in range(rounds):
            for side, checkout in sides:
                with tempfile.TemporaryDirectory() as cache:
                    new = fresh(name, cache, checkout, calls)
                    warm = fresh(name, cache, checkout, calls)
                print(f"{name} | round {r + 1} | {side} | new cache:  {show(new)}", flush=True)
                print(f"{name} | round {r + 1} | {side} | warm cache: {show(warm)}", flush=True)


if __name__ == "__main__":
    main()
