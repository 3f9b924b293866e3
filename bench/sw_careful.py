"""The shallow water row's underflowed quotients (bench/corpus59.py; rows64; prints only).

    python bench/sw_careful.py [--rounds 7]

One Jacobian with ``dispatch._ufuncs._careful`` spied: how many of the row's array
quotients take the careful path (a factor ``-out / y`` below the smallest normal number
beside a nonzero numerator), how many elements underflowed (|-out / y| < tiny, out != 0),
the least nonzero |out| met, and in how many elements the careful partials differ from
the lean product they replace.  Then the Jacobian with the careful step skipped (the
lean product kept) compared bit for bit with the real one, and the process's CPU time
of five Jacobians each way, alternating, ``--rounds`` times (medians): what the careful
path costs this row.  Skipping it is a measurement only, never a path: elsewhere the
two steps keep bits the product loses.
"""
import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import _common  # noqa: E402,F401  (one BLAS thread, before NumPy)
import numpy as np  # noqa: E402
import dualgrad as dg  # noqa: E402
from dualgrad.dispatch import _ufuncs  # noqa: E402
from corpus59 import PROBLEMS59  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    a = ap.parse_args()
    f, x = PROBLEMS59["shallow water, in-place slices (1)"]
    real = _ufuncs._careful
    dg.jacobian(f, x)            # (the lean functions are made at first use, each
    spaces = [d for d in gc.get_objects()     # holding _careful by name: found after)
              if isinstance(d, dict) and d.get("_careful") is real]

    def use(fn):                 # (the lean functions' namespaces hold it by name)
        _ufuncs._careful = fn
        for d in spaces:
            d["_careful"] = fn
    seen = {"careful calls": 0, "underflowed elements": 0, "elements differing": 0,
            "least |out|": np.inf}

    def spy(rule, args, values, out, arrays, total):
        r = real(rule, args, values, out, arrays, total)
        seen["careful calls"] += 1
        if total is not None and r is not None:
            seen["elements differing"] += int((np.asarray(total).view(np.int64) !=
                                               np.asarray(r).view(np.int64)).sum())
        with np.errstate(all="ignore"):
            lost = (np.abs(-out / values[-1]) < np.finfo(float).tiny) & (out != 0)
        seen["underflowed elements"] += int(lost.sum())
        if (out != 0).any():
            seen["least |out|"] = min(seen["least |out|"], float(np.abs(out[out != 0]).min()))
        return r

    def skip(rule, args, values, out, arrays, total):
        return total if total is not None else real(rule, args, values, out, arrays, total)
    use(spy)
    J = dg.jacobian(f, x)
    use(skip)
    J_skip = dg.jacobian(f, x)
    use(real)
    print(seen)
    print("Jacobian bit-equal with the careful step skipped:", J.tobytes() == J_skip.tobytes())
    times = {"careful": [], "skipped": []}
    for _ in range(a.rounds):
        for name, fn in (("careful", real), ("skipped", skip)):
            use(fn)
            t = time.process_time()
            for _ in range(5):
                dg.jacobian(f, x)
            times[name].append((time.process_time() - t) / 5 * 1e3)
    use(real)
    for name, v in times.items():
        print(f"{name}: median {statistics.median(v):.2f} ms CPU a Jacobian "
              f"({' '.join(f'{t:.1f}' for t in v)})")


if __name__ == "__main__":
    main()
