"""A heat row in fresh processes per checkout, with CPU time and page faults (heat71).

    python bench/heat71_ab.py DIR [DIR ...] [--only NAME] [--rounds R] [--notrim]

Each round runs one fresh process per checkout ``DIR`` (its ``dualgrad`` first on the path;
the problem from this checkout's bench/problems.py, the first whose name holds ``NAME``,
default ``np.gradient``), the order reversed every other round.  In each: f and
``dg.jacobian`` twice each (warm-up, as bench_fused.steady), then five calls of each
alternating; per call the wall time, the process's CPU time and its minor page faults
(``getrusage``).  Printed per checkout: medians over rounds of the per-process medians,
and the median ratios dualgrad / f (wall, CPU).  ``--notrim``: the processes run with
glibc's heap trim and mmap thresholds at 1 GiB (``GLIBC_TUNABLES``), so that no
temporary is mapped fresh.  Nothing is written.
"""
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
NO_TRIM = "glibc.malloc.trim_threshold=1073741824:glibc.malloc.mmap_threshold=1073741824"
CODE = r"""
import json, resource, statistics, sys, time
sys.path[:0] = [ROOT, HERE]
import problems
import dualgrad as dg
assert dg.__file__.startswith(ROOT)
name = [p for p in problems.PROBLEMS if ONLY in p][0]
f, _ = problems.PROBLEMS[name]("f")
d, _ = problems.PROBLEMS[name]("dualgrad")
for fn in (f, d):
    fn()
    fn()
S = {"f": [], "d": []}
for _ in range(5):
    for k, fn in (("f", f), ("d", d)):
        r0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        S[k].append((time.perf_counter() - t0, time.process_time() - c0,
                     resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r0))
print(json.dumps({k: [statistics.median(x[i] for x in v) for i in range(3)]
                  for k, v in S.items()}))
"""


def main():
    args = sys.argv[1:]
    skip = {i + 1 for i, a in enumerate(args) if a in ("--only", "--rounds")}
    roots = [str(Path(a).resolve()) for i, a in enumerate(args)
             if i not in skip and not a.startswith("--")]
    only = args[args.index("--only") + 1] if "--only" in args else "np.gradient"
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 3
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    if "--notrim" in args:
        env["GLIBC_TUNABLES"] = NO_TRIM
    got = {r: [] for r in roots}
    for r in range(rounds):
        for root in (roots if r % 2 == 0 else roots[::-1]):
            src = CODE.replace("ROOT", repr(root)).replace("ONLY", repr(only)) \
                .replace("HERE", repr(HERE))
            out = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True,
                                 check=True, env=env)
            got[root].append(json.loads(out.stdout.strip().splitlines()[-1]))
    for root in roots:
        rs = got[root]

        def med(k, i):
            return statistics.median(x[k][i] for x in rs)
        wall = statistics.median(x["d"][0] / x["f"][0] for x in rs)
        cpu = statistics.median(x["d"][1] / x["f"][1] for x in rs)
        print(f"{root}: f {med('f', 0) * 1e3:.1f} ms (cpu {med('f', 1) * 1e3:.1f}, faults "
              f"{med('f', 2):.0f}), dg {med('d', 0) * 1e3:.1f} ms (cpu {med('d', 1) * 1e3:.1f}, "
              f"faults {med('d', 2):.0f}), wall ratio {wall:.2f}, cpu ratio {cpu:.2f}")


if __name__ == "__main__":
    main()
