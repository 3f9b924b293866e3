"""The warm first call if numba were loaded as soon as a structure on disk is met.

    python bench/load_policy_ab.py [--rounds R] [--only NAME]

For each heat form, a process with numba loaded fills a new ``NUMBA_CACHE_DIR``;
then ``R`` (default 7) pairs of fresh processes, alternating: ``now`` (the loader as
it is: numba loaded once ``_loader.LOAD_AFTER`` partials elements went the NumPy way)
and ``early`` (``_fusedgen.on_disk`` wrapped so that its first True loads numba: the
fused kernel an earlier process compiled runs from its first step).  Each makes three
calls; printed are the medians of each call's wall-clock and CPU time (s).  Nothing in
dualgrad changes: this measures a policy the lead has not taken (bench/MISSES.md,
stops 35 and 43: a one-shot script meeting such a structure would pay numba's import).
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
            "heat equation np.diff + concatenate"]

CHILD = """
import json, sys, time
sys.path[:0] = [CHECKOUT, HERE]
from problems import PROBLEMS
import dualgrad
from dualgrad.backend import _fusedgen, _loader
d, _ = PROBLEMS[NAME]("dualgrad")
if MODE == "fill":
    _loader.load(); d(); d(); print("[]"); sys.exit()
if MODE == "early":
    real = _fusedgen.on_disk
    def on_disk(key):
        found = real(key)
        if found and not _loader.READY:
            _loader.load()
        return found
    _fusedgen.on_disk = on_disk
out = []
for _ in range(3):
    t, c = time.perf_counter(), time.process_time(); d()
    out += [time.perf_counter() - t, time.process_time() - c]
print(json.dumps(out))
"""


def fresh(name, cache, mode):
    code = CHILD.replace("CHECKOUT", repr(str(HERE.parent))).replace("HERE", repr(str(HERE))) \
        .replace("NAME", repr(name)).replace("MODE", repr(mode))
    return _common.fresh_process(code, cache)


def main():
    args = sys.argv[1:]
    if "-h" in args or "--help" in args:
        print(__doc__)
        return
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 7
    only = args[args.index("--only") + 1] if "--only" in args else ""
    for name in [p for p in PROBLEMS if only in p]:
        with tempfile.TemporaryDirectory() as cache:
            fresh(name, cache, "fill")
            got = {"now": [], "early": []}
            for r in range(rounds):
                for side in ("now", "early") if r % 2 == 0 else ("early", "now"):
                    got[side].append(fresh(name, cache, side))
        for side, rows in got.items():
            med = [statistics.median(row[i] for row in rows) for i in range(6)]
            print(f"{name} | {side} | wall {med[0]:.3f} {med[2]:.3f} {med[4]:.3f} | "
                  f"CPU {med[1]:.3f} {med[3]:.3f} {med[5]:.3f}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}; calls 1, 2, 3; medians of {rounds} processes")


if __name__ == "__main__":
    main()
