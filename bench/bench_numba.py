"""Compile cost of differentiating a numba-jitted function (issue 6).

    python bench/bench_numba.py

Runs the same script in fresh processes against a fresh cache directory: the
first run compiles the dual specialization (cold), the second loads it from
numba's on-disk cache (warm, cache=True). Also times the float function's own
compile for comparison. Writes bench/RESULTS_numba.md.
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    import numba, numpy as np
    sys.path.insert(0, {bench!r})
    from problems import LV_P
    from dualgrad.testing import lotka_volterra
    import dualgrad as dg
    t_import = time.perf_counter() - t0
    f = numba.njit(cache=True)(lotka_volterra)
    t0 = time.perf_counter(); f(LV_P); t_float = time.perf_counter() - t0
    t0 = time.perf_counter(); J = dg.jacobian(f, LV_P); t_dual = time.perf_counter() - t0
    t0 = time.perf_counter(); dg.jacobian(f, LV_P); t_again = time.perf_counter() - t0
    import timeit
    from dualgrad.api._seed import seed
    from dualgrad.dual._base import new_tag
    seeded = seed(LV_P, 0, 4, new_tag())
    best = lambda fn: min(timeit.repeat(fn, number=100, repeat=7)) / 100
    print(json.dumps(dict(imports=t_import, float_first=t_float, dual_first=t_dual,
                          dual_second=t_again, run_float=best(lambda: f(LV_P)),
                          run_dual=best(lambda: f(seeded)),
                          run_jacobian=best(lambda: dg.jacobian(f, LV_P)))))
""")


def main():
    here = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache,
                   PYTHONPATH=os.pathsep.join([str(here.parent), os.environ.get("PYTHONPATH", "")]))
        script = Path(cache) / "run.py"
        script.write_text(SCRIPT.format(bench=str(here)))
        runs = []
        for _ in range(2):
            out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                                 env=env, check=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
    rows = ["| run | float f first call | dg.jacobian first call | dg.jacobian again |",
            "|---|---|---|---|"]
    for name, r in zip(("cold cache", "warm cache"), runs):
        rows.append(f"| {name} | {r['float_first']:.2f} s | {r['dual_first']:.2f} s | "
                    f"{r['dual_second'] * 1e6:.0f} µs |")
    r = runs[1]
    rows += ["", "| warm, best of 7 | µs | / jitted f on floats |", "|---|---|---|",
             f"| jitted f on floats | {r['run_float'] * 1e6:.1f} | 1.0 |",
             f"| jitted f on seeded duals (n = 4) | {r['run_dual'] * 1e6:.1f} | "
             f"{r['run_dual'] / r['run_float']:.1f} |",
             f"| dg.jacobian(f, p), seeding and extraction included | "
             f"{r['run_jacobian'] * 1e6:.1f} | {r['run_jacobian'] / r['run_float']:.1f} |"]
    text = "\n".join(["## Compiling jitted f for duals (bench/bench_numba.py)", "",
                      "Lotka-Volterra RK4, 1000 steps, `@numba.njit(cache=True)`, fresh "
                      "processes sharing one cache directory.", ""] + rows + [""])
    print(text)
    (here / "RESULTS_numba.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
