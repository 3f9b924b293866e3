"""Where the first call on a warm cache goes, phase by phase, in fresh processes.

    python bench/first_call.py [--runs R] [--only NAME]

For each large problem of bench_fused.py, a cold process with numba loaded fills
numba's cache (``NUMBA_CACHE_DIR``, a temporary directory) with every kernel the
problem's first two calls run, then ``R`` (default 3) fresh
processes of each kind run on the warm cache:

* ``phases``: numba loaded by hand before the problem, each phase timed apart:
  ``import numba``; importing dualgrad's kernel modules (``_loader.load()``); then
  the problem's first call, in which each eager kernel's and each fused kernel's
  load from the cache (numba's runtime initialized at the first) and each fused
  kernel's check (``_fused._check``) are timed; then the second call; and whether
  numba's CPU target was readied (``target_context.refresh()``: its lowering and
  typing registries, which numba's own cache load readies and dualgrad's readies
  only to compile, dualgrad/backend/_jit.py);
* ``default``: the first and second call as a user's process makes them (numba
  loaded when ``dualgrad.backend._loader`` says so), and whether numba was loaded;
* ``numpy``: three calls with numba never loaded (``_loader.LOAD_AFTER`` and
  ``_fused.COMPILE_AFTER`` out of reach), the faster of the last two, and the
  partials elements per call that
  went the NumPy way where a loaded numba would have run a kernel: with the
  ``phases`` second call, the time a kernel saves per element.

Prints medians over the ``R`` processes, s (ms where marked), and writes them to
bench/RESULTS_first_call.md (not with ``--only``).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
from _common import table  # noqa: E402

PROBLEMS = ["heat equation 100000x4", "heat equation np.roll + rebinding",
            "heat equation np.diff + concatenate", "elementwise N=1e6", "grid field 101^3"]

PRELUDE = f"""
import json, sys, time
sys.path[:0] = {[str(HERE.parent), str(HERE)]!r}
T = time.perf_counter
from problems import PROBLEMS
import dualgrad as dg
from dualgrad.backend import _fused, _fusedgen, _kernels
try:
    from dualgrad.backend import _loader
except ImportError:                 # before dualgrad/backend/_loader.py: no NumPy kind
    _loader = None
"""

PHASES = PRELUDE + """
r = {}
t = T(); import numba; r["import numba"] = T() - t
had_scipy = "scipy.linalg" in sys.modules
t = T()
from dualgrad.backend import _numba_kernels, _rule_kernels
if _loader is not None:
    _loader.load()
r["kernel modules"] = T() - t
import numba.core.dispatcher as D
loads, checks = [], []
compile_ = D.Dispatcher.compile
def timed_compile(self, sig):
    t = T(); out = compile_(self, sig); loads.append(T() - t); return out
D.Dispatcher.compile = timed_compile
check = _fused._check
def timed_check(key, fn):
    n = len(loads); t = T(); ok = check(key, fn)
    checks.append(T() - t - sum(loads[n:])); return ok
_fused._check = timed_check
d, _ = PROBLEMS[NAME]("dualgrad")
t = T(); d(); r["first"] = T() - t
t = T(); d(); r["second"] = T() - t
r["loads"], r["load time"] = len(loads), sum(loads)
r["checks"], r["check time"] = len(checks), sum(checks)
r["scipy before"] = had_scipy
r["target readied"] = "numba.np.arraymath" in sys.modules
print(json.dumps(r))
"""

DEFAULT = PRELUDE + """
d, _ = PROBLEMS[NAME]("dualgrad")
t = T(); d(); first = T() - t
loaded = "numba" in sys.modules
t = T(); d(); second = T() - t
print(json.dumps({"first": first, "second": second, "numba after first": loaded}))
"""

NUMPY = PRELUDE + """
if _loader is None:
    print(json.dumps({"numpy call": float("nan"), "elements": 0}))
    sys.exit()
_loader.LOAD_AFTER = _fused.COMPILE_AFTER = float("inf")
spent = []
ready = _loader.ready
def counting(work):
    spent.append(work); return ready(work)
_loader.ready = counting
d, _ = PROBLEMS[NAME]("dualgrad")
times = []
for _ in range(3):
    t = T(); d(); times.append(T() - t)
assert "numba" not in sys.modules
print(json.dumps({"numpy call": min(times[1:]), "elements": sum(spent) / 3}))
"""


def fresh(code, name, cache):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
    env.pop("DUALGRAD_ENGINE", None)
    out = subprocess.run([sys.executable, "-c", code.replace("NAME", repr(name))],
                         capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    args = sys.argv[1:]
    if "-h" in args or "--help" in args:       # (ran the whole table and rewrote RESULTS)
        print(__doc__)
        return
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 3
    only = args[args.index("--only") + 1] if "--only" in args else ""
    rows = []
    for name in [p for p in PROBLEMS if only in p]:
        with tempfile.TemporaryDirectory() as cache:
            fresh(PHASES, name, cache)          # cold, numba loaded: fills the cache
            kinds = {"phases": [], "default": [], "numpy": []}
            for _ in range(runs):                            # interleaved kinds
                for kind, code in (("phases", PHASES), ("default", DEFAULT),
                                   ("numpy", NUMPY)):
                    kinds[kind].append(fresh(code, name, cache))

        def med(kind, key):
            return statistics.median(r[key] for r in kinds[kind])
        saved = (med("numpy", "numpy call") - med("phases", "second")) / \
            max(med("numpy", "elements"), 1)
        rows.append([
            name, f"{med('phases', 'import numba'):.2f}",
            str(sum(r["target readied"] for r in kinds["phases"])) + f"/{runs}",
            f"{med('phases', 'kernel modules') * 1e3:.0f}",
            f"{kinds['phases'][0]['loads']}: {med('phases', 'load time') * 1e3:.0f}",
            f"{kinds['phases'][0]['checks']}: {med('phases', 'check time') * 1e3:.1f}",
            f"{med('phases', 'first'):.2f}", f"{med('phases', 'second'):.2f}",
            f"{med('default', 'first'):.2f}", f"{med('default', 'second'):.2f}",
            str(sum(r["numba after first"] for r in kinds["default"])) + f"/{runs}",
            f"{med('numpy', 'numpy call'):.2f}", f"{med('numpy', 'elements'):.2g}",
            f"{saved * 1e9:.1f}"])
        print(" | ".join(rows[-1]), flush=True)
    text = "\n".join([
        "# The first call on a warm cache, phase by phase",
        "",
        f"Written by `python bench/first_call.py --runs {runs}`: medians of {runs} fresh "
        "processes of each kind, s (ms where marked); see the script's docstring.",
        "",
        table(["problem", "import numba", "target readied", "kernel modules (ms)",
               "kernel loads: ms", "fused checks: ms", "first (numba loaded)", "second",
               "first (default)", "second (default)", "numba after first",
               "NumPy path call", "elements", "ns saved / element"], rows), ""])
    if not only:
        (HERE / "RESULTS_first_call.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
