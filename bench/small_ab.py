"""The small-array table of ``bench_engine.py --small`` against another checkout (issue 13;
prints only).

    python bench/small_ab.py --compare DIR [--rounds 3] [--numba] [--n 4 10] [--quick]
        [--ops "a + b,k * a"]

Each side is a fresh process whose ``dualgrad`` is that checkout's (``PYTHONPATH``),
imported before this checkout's ``bench_engine`` (so that its ``import dualgrad`` finds
it); the process times ``bench_engine.small_samples``: each operation on array duals
of N = 10 elements against the same operation on floats, interleaved, in CPU time
(``time.process_time``: the machine is shared), medians.  The sides alternate for
``--rounds`` rounds (this checkout "after", ``DIR`` "before").  The table: each side's
median dual microseconds and median dual / float ratio over the rounds, and
``after / before``, the median over rounds of the two dual times' quotient (each round's
two processes a moment apart: steadier under a changing load).  ``--numba`` loads numba
first in each process (a long loop's steady state), as ``bench_engine.py --small
--numba``.  Without ``--compare``: one process of this checkout.
"""

import argparse
import re
import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(numba, ns, quick, ops):
    import dualgrad  # noqa: F401  (the side's checkout, before bench_engine's path)
    from dualgrad.backend import _loader
    sys.path.insert(0, str(HERE))
    import bench_engine
    if numba:
        _loader.load()
    else:
        _loader.LOAD_AFTER = float("inf")
    if ops:
        bench_engine.SMALL_OPS = tuple(o for o in bench_engine.SMALL_OPS if o[0] in ops)
    rows = bench_engine.small_samples(quick, ns, general=False)
    print(json.dumps({f"{name} | {n}": [td, rd] for name, n, tf, td, rd, tg, rg in rows}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", help="another checkout's root (the 'before' side)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--numba", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--n", type=int, nargs="+", default=[4, 10])
    parser.add_argument("--ops", default="", help="comma-separated names of SMALL_OPS rows")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    ops = [o.strip() for o in re.split(r",(?! )", args.ops) if o.strip()]   # (", " inside a name)
    if args.child:
        child(args.numba, args.n, args.quick, ops)
        return
    sys.path.insert(0, str(HERE))
    from _common import alternate
    argv = ["--n", *map(str, args.n)] + (["--numba"] if args.numba else []) + \
        (["--quick"] if args.quick else []) + (["--ops", args.ops] if ops else [])
    runs = alternate("small_ab.py", argv, args.compare, args.rounds)
    header = ["op (N = 10) | n", "after us", "after / float"]
    if args.compare:
        header += ["before us", "before / float", "after / before"]
    print(f"small_ab.py{' --numba' if args.numba else ''}: {len(runs['after'])} round(s) "
          f"of fresh processes per side, CPU time, medians\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * (len(header) + 1))
    for key in runs["after"][0]:
        row = [key]
        for side in ("after", "before") if args.compare else ("after",):
            row += [f"{statistics.median(r[key][0] for r in runs[side]) * 1e6:.2f}",
                    f"{statistics.median(r[key][1] for r in runs[side]):.1f}"]
        if args.compare:
            row.append(f"{statistics.median(a[key][0] / b[key][0] for a, b in zip(runs['after'], runs['before'])):.2f}")
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
