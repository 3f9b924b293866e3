"""bench_fused's ``--compare`` over several checkouts at once (heat70's bisection).

    python bench/heat70_sides.py DIR [DIR ...] [--only NAME] [--rounds R] [--repeat K]

Each round runs one fresh process per checkout ``DIR`` (its ``dualgrad`` first on the
path; the problems and the timing loop are this checkout's bench/problems.py and
bench_fused.steady: f and the default engine's ``dg.jacobian``, ``K`` interleaved
repeats, medians), the order rotated by one each round so that no checkout always runs
first or last.  Printed: per checkout, the median over rounds of f's time, dualgrad's
and their ratio in the same process, and that ratio over the first checkout's (the
baseline: name the checkout before the change first).  With the machine shared, quote
the load printed beside it.  Nothing is written.
"""

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    args = sys.argv[1:]
    only = args[args.index("--only") + 1] if "--only" in args else "scipy.sparse"
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 5
    repeat = int(args[args.index("--repeat") + 1]) if "--repeat" in args else 3
    skip = {i + 1 for i, a in enumerate(args) if a in ("--only", "--rounds", "--repeat")}
    dirs = [str(Path(a).resolve()) for i, a in enumerate(args)
            if i not in skip and not a.startswith("--")]
    if not dirs:
        print(__doc__)
        return
    sys.path.insert(0, str(HERE))
    from problems import PROBLEMS
    names = [p for p in PROBLEMS if only in p]
    got = {d: {n: [] for n in names} for d in dirs}
    loads = []
    for r in range(rounds):
        order = dirs[r % len(dirs):] + dirs[:r % len(dirs)]
        for root in order:
            code = (f"import json, sys\nsys.path.insert(0, {str(HERE)!r})\n"
                    "import bench_fused\n"
                    f"sys.path.insert(0, {root!r})\nimport dualgrad\n"
                    f"assert dualgrad.__file__.startswith({root!r}), dualgrad.__file__\n"
                    f"print(json.dumps(bench_fused.steady({names!r}, {repeat})))")
            env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                       MKL_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
            out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                 text=True, env=env, check=True, cwd=str(HERE))
            for name, t in json.loads(out.stdout.strip().splitlines()[-1]).items():
                got[root][name].append(t)
        loads.append(os.getloadavg()[0])
        print(f"round {r + 1} of {rounds} done (load {loads[-1]:.1f})", flush=True)
    for name in names:
        print(f"\n{name}: load {min(loads):.1f}-{max(loads):.1f}")
        base = None
        for root in dirs:
            ts = got[root][name]
            f = statistics.median(t[0] for t in ts)
            d = statistics.median(t[1] for t in ts)
            ratio = statistics.median(t[1] / t[0] for t in ts)
            base = base or ratio
            each = " ".join(f"{t[1] / t[0]:.2f}" for t in ts)
            print(f"  {root}: f {f * 1e3:.1f} ms, dualgrad {d * 1e3:.1f} ms, {ratio:.2f}x f "
                  f"(/ first {ratio / base:.2f}; rounds {each})")


if __name__ == "__main__":
    main()
