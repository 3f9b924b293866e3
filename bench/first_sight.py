"""A structure's first sight: a problem's pass with every fused graph interpreted.

    python bench/first_sight.py [--compare DIR] [--rounds R] [--repeat K] [--only NAME]

The fused engine compiles a graph's kernel the second time it meets it
(``_fused.COMPILE_TIMES``) unless the kernel is on disk: the first sight is
evaluated node by node with NumPy, at the cost a user's second call of
``dg.elementwise_grad`` on a large grid pays when numba has just loaded (call 1 ran
eager, before numba; bench/RESULTS_fused.md's "second" column).  Each child process
loads numba, sets ``COMPILE_TIMES`` out of reach, uses an empty kernel cache (a
temporary ``NUMBA_CACHE_DIR``), and times ``K`` passes (process time, median).
With ``--compare DIR``, rounds of fresh processes alternate between dualgrad from
``DIR`` (before) and this checkout (after) (:func:`_common.alternate`).
Nothing is written.
"""

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROBLEMS = ["grid field 101^3", "elementwise N=1e6", "elementwise 2 arguments N=1e6"]


def child(names, repeat):
    import os
    import time
    sys.path.insert(0, str(HERE))
    with tempfile.TemporaryDirectory() as cache:
        os.environ["NUMBA_CACHE_DIR"] = cache
        from problems import PROBLEMS, TWO_ARGUMENTS
        ALL = {**PROBLEMS, **TWO_ARGUMENTS}
        from dualgrad.backend import _fused, _loader
        _loader.load()
        _fused.COMPILE_TIMES = 10 ** 9
        out = {}
        for name in names:
            d, _ = ALL[name]("dualgrad")
            d()                                   # the eager kernels' compiles
            times = []
            for _ in range(repeat):
                t = time.process_time()
                d()
                times.append(time.process_time() - t)
            out[name] = statistics.median(times)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="")
    parser.add_argument("--child", action="store_true")
    opts, rest = parser.parse_known_args()
    names = [p for p in PROBLEMS if opts.only in p]
    if opts.child:
        print(json.dumps(child(names, opts.repeat)))
        return
    if opts.compare:
        import _common
        argv = ["--repeat", str(opts.repeat), "--only", opts.only]
        got = _common.alternate("first_sight.py", argv, opts.compare, opts.rounds)
    else:
        sys.path.insert(0, str(HERE.parent))
        got = {"this": [child(names, opts.repeat)]}
    print("first sight: one pass, every graph interpreted (process time, s, medians)")
    for name in names:
        cells = {side: statistics.median(r[name] for r in runs) for side, runs in got.items()}
        text = "  ".join(f"{side} {v:.3f}" for side, v in cells.items())
        if "before" in cells:
            text += f"  after / before {cells['after'] / cells['before']:.2f}"
        print(f"{name:32s} {text}")


if __name__ == "__main__":
    main()
