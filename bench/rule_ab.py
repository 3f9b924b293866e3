"""A change of rule-table rows timed against another checkout (prints only).

    python bench/rule_ab.py --compare /work/main --only np.hypot,sc.y1 [--rounds 3]
    python bench/rule_ab.py --float-calls "sc.psi(x);sc.zeta(2.0, x)"   # floats only
    python bench/rule_ab.py --compare /work/main --only np.divide --cell 100000:1
    python bench/rule_ab.py --compare /work/main --only np.divide --cols 100  # 2-D values

Each row is one ufunc on array duals (N = 1e5, n = 4, or ``--cell N:n``; arguments
uniform in (0.2, 0.9), inside every row's domain; ``--cols C``: shaped (N / C, C), 2-D
values, which dispatch's general path takes where the lean path takes 1-D ones) over
the same call on floats, the two timed back to back ``--pairs`` times in one process
(median of the per-pair ratios, so a busy machine slows both alike).  Fresh processes
alternate this checkout and ``--compare`` for ``--rounds`` rounds; the table shows each
round's ratio per side and the medians' quotient (after / before: below 1 is faster).
The numba kernels are loaded first, as in ``bench_functions.py``.

``--float-calls``: plain float expressions in ``x`` (N = 1e5, uniform in (0.2, 4)),
``np`` and ``sc``, timed interleaved in this process, median milliseconds per call and
the ratio to the first: what a rule's local derivative costs before any partials move.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _common  # noqa: E402  (one thread per library; the A/B loop)


def child(names, pairs, N=100_000, n=4, cols=0):
    """Print ``{name: median ratio}`` for this process's dualgrad (run by the parent)."""
    import numpy as np
    import scipy.special as sc

    import dualgrad as dg
    from dualgrad.backend import _loader
    from dualgrad.dual._base import new_tag
    _loader.load()
    rng = np.random.default_rng(0)
    shape = (N // cols, cols) if cols else (N,)
    values = [rng.uniform(0.2, 0.9, shape) for _ in range(2)]
    tag = new_tag()
    duals = [dg.Dual(v, rng.standard_normal(shape + (n,)), tag=tag) for v in values]
    out = {}
    for name in names:
        module, attr = name.split(".")
        u = getattr({"np": np, "sc": sc}[module], attr)
        def dual():
            return u(*duals[:u.nin])

        def plain():
            return u(*values[:u.nin])
        dual(), plain()
        ratios = []
        for _ in range(pairs):
            t0 = time.perf_counter()
            dual()
            t1 = time.perf_counter()
            plain()
            t2 = time.perf_counter()
            ratios.append((t1 - t0) / (t2 - t1))
        out[name] = statistics.median(ratios)
    print(json.dumps(out))


def float_calls(exprs, repeat=15):
    """Print each float expression's median time per call and its ratio to the first."""
    import numpy as np
    import scipy.special as sc
    x = np.random.default_rng(0).uniform(0.2, 4.0, 100_000)
    fns = [eval(f"lambda x: {e}", {"np": np, "sc": sc}) for e in exprs]  # noqa: S307
    times = [[] for _ in fns]
    for fn in fns:
        fn(x)
    for _ in range(repeat):
        for t, fn in zip(times, fns):
            t0 = time.perf_counter()
            fn(x)
            t.append(time.perf_counter() - t0)
    first = statistics.median(times[0])
    print("| float call | ms (median) | over the first |\n|---|---|---|")
    for e, t in zip(exprs, times):
        print(f"| `{e}` | {statistics.median(t) * 1e3:.3f} | {statistics.median(t) / first:.1f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", required=False, help="the other checkout (before)")
    ap.add_argument("--only", help="comma-separated rows: np.hypot,sc.y1")
    ap.add_argument("--float-calls", help="semicolon-separated float expressions in x")
    ap.add_argument("--cell", default="100000:4", help="N:n (default 100000:4)")
    ap.add_argument("--cols", type=int, default=0, help="2-D values of C columns")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pairs", type=int, default=15)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.float_calls:
        return float_calls(args.float_calls.split(";"))
    names = args.only.split(",")
    if args.child:
        N, n = (int(float(v)) for v in args.cell.split(":"))
        return child(names, args.pairs, N, n, args.cols)
    got = _common.alternate("rule_ab.py", ["--only", args.only, "--pairs", str(args.pairs),
                                           "--cell", args.cell, "--cols", str(args.cols)],
                            args.compare, args.rounds)
    print(f"| row | before ({args.compare}) | after (this checkout) | after / before |")
    print("|---|---|---|---|")
    for name in names:
        b = [r[name] for r in got["before"]]
        a = [r[name] for r in got["after"]]
        print(f"| {name} | {' / '.join(f'{x:.2f}' for x in b)} | "
              f"{' / '.join(f'{x:.2f}' for x in a)} | "
              f"{statistics.median(a) / statistics.median(b):.2f} |")


if __name__ == "__main__":
    main()
