"""First-call latency in fresh processes: what a new program pays before its first result.

    python bench/bench_latency.py [--repeat 5]

Each case runs as a new Python process that times, from its first line, the
imports and the first result: once with dualgrad (the derivative) and once
without (the plain call of the same function, which is what the user's program
costs anyway).  Interpreter start-up, the same for both, is left out.

* cold: numba's on-disk cache is empty (a fresh ``NUMBA_CACHE_DIR``), as on the
  first run after installing;
* warm: the same cache directory, filled by an earlier process, as on every
  later run.

Cases: a gradient on a small array (NumPy only, no numba), a gradient on a large
array (kernel-sized partials, which take the NumPy path until numba pays for its
load: dualgrad/backend/_loader.py), and the Jacobian of an
``@numba.njit(cache=True)`` function (numba compiles it for duals).  Writes
bench/RESULTS_latency.md; medians of ``--repeat`` processes per cell.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Each snippet starts the clock on its first line and prints its seconds.
PRELUDE = "import time\nt0, c0 = time.perf_counter(), time.process_time()\n"
EPILOGUE = "\nprint(time.perf_counter() - t0, time.process_time() - c0)\n"

CASES = {
    "small": (
        "gradient of Rosenbrock, n = 10",
        """
        import numpy as np
        def f(x):
            return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
        x = np.linspace(-1.0, 1.0, 10)
        """,
        "r = f(x)",
        "import dualgrad as dg\nr = dg.gradient(f, x)",
    ),
    "large": (
        "gradient of sum(sin(x) exp(-x^2) + log1p(x^2)), n = 300 (kernel-sized partials)",
        """
        import numpy as np
        def f(x):
            return np.sum(np.sin(x) * np.exp(-x ** 2) + np.log1p(x ** 2))
        x = np.linspace(-2.0, 2.0, 300)
        """,
        "r = f(x)",
        "import dualgrad as dg\nr = dg.gradient(f, x)",
    ),
    "njit": (
        "jacobian of an @njit(cache=True) Lotka-Volterra RK4 loop, 4 parameters",
        """
        import numpy as np, numba
        from dualgrad.testing import lotka_volterra
        simulate = numba.njit(cache=True)(lotka_volterra)
        p = np.array([1.1, 0.4, 0.1, 0.4])
        """,
        "r = simulate(p)",
        "import dualgrad as dg\nr = dg.jacobian(simulate, p)",
    ),
}


# What loading numba would cost the kernel case (numba imported and a kernel loaded
# by hand, as the process did before dualgrad/backend/_loader.py), in one process.
BREAKDOWN = textwrap.dedent("""
    import time
    t = [time.perf_counter()]
    import numpy as np
    t.append(time.perf_counter())
    import dualgrad as dg
    t.append(time.perf_counter())
    import numba
    t.append(time.perf_counter())
    from dualgrad.backend import _numba_kernels
    p = np.ones((4, 2)); _numba_kernels.scale(np.ones(4), p, np.empty_like(p))
    t.append(time.perf_counter())
    def f(x):
        return np.sum(np.sin(x) * np.exp(-x ** 2) + np.log1p(x ** 2))
    x = np.linspace(-2.0, 2.0, 300)
    dg.gradient(f, x)
    t.append(time.perf_counter())
    dg.gradient(f, x)
    t.append(time.perf_counter())
    print(*[b - a for a, b in zip(t, t[1:])])
""")
PARTS = ["import numpy", "import dualgrad (issue 13: at most 0.12 s, numba not imported)",
         "import numba",
         "numba's start-up and the first kernel from the cache (scale)",
         "the first gradient: the other kernels from the cache, and the gradient itself",
         "the same gradient again, for comparison"]


def script(setup, call):
    return PRELUDE + textwrap.dedent(setup) + call + EPILOGUE


def environment(**extra):
    """This process's environment for a case, with Python's bytecode cache on (as on a
    user's machine: a run that may not write ``.pyc`` files compiles every module it
    imports, every time)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return dict(env, PYTHONPATH=str(ROOT), **extra)


def run(code, cache_dir):
    env = environment(NUMBA_CACHE_DIR=cache_dir, OMP_NUM_THREADS="1",
                      OPENBLAS_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=tempfile.gettempdir())
    if out.returncode:
        raise SystemExit(f"bench_latency: a case failed:\n{out.stderr[-2000:]}")
    wall, cpu = out.stdout.split()[-2:]
    return float(wall), float(cpu)


def measure(repeat):
    rows = {}
    for name, (_, setup, plain, dual) in CASES.items():
        cells = {"plain cold": [], "dual cold": [], "plain warm": [], "dual warm": []}
        for _ in range(repeat):
            for kind, call in (("plain", plain), ("dual", dual)):
                with tempfile.TemporaryDirectory() as cache:
                    cells[f"{kind} cold"].append(run(script(setup, call), cache))
        with tempfile.TemporaryDirectory() as cache:
            run(script(setup, plain), cache)             # fill the cache once
            run(script(setup, dual), cache)
            for _ in range(repeat):
                for kind, call in (("plain", plain), ("dual", dual)):
                    cells[f"{kind} warm"].append(run(script(setup, call), cache))
        rows[name] = {k: tuple(map(statistics.median, zip(*v))) for k, v in cells.items()}
        print(name, rows[name], flush=True)
    with tempfile.TemporaryDirectory() as cache:
        run(script(CASES["large"][1], CASES["large"][3]), cache)       # fill the cache
        samples = []
        for _ in range(repeat):
            env = environment(NUMBA_CACHE_DIR=cache)
            out = subprocess.run([sys.executable, "-c", BREAKDOWN], capture_output=True,
                                 text=True, env=env, cwd=tempfile.gettempdir(), check=True)
            samples.append([float(v) for v in out.stdout.split()])
    rows["breakdown"] = [statistics.median(col) for col in zip(*samples)]
    print("breakdown", [round(v, 3) for v in rows["breakdown"]], flush=True)
    return rows


def report(rows, repeat):
    lines = [
        "# First-call latency in fresh processes",
        "",
        "`python bench/bench_latency.py` (this run: `--repeat "
        f"{repeat}`, medians of {repeat} processes per cell, on this project's 2-core",
        "machine while other work ran on it). Seconds from a new process's first line to its",
        "first result: the imports plus the first call. *plain* calls the function itself;",
        "*dualgrad* returns its derivative. *cold*: numba's disk cache is empty (the first",
        "run after installing); *warm*: filled by an earlier process (every later run).",
        "Target (issue 17): a warm first derivative costs at most 0.3 s more than the plain",
        "call. Each cell: wall seconds (CPU seconds of the process in brackets, less",
        "disturbed by other load on a shared machine).",
        "",
        "| case | plain cold | dualgrad cold | plain warm | dualgrad warm | extra, warm | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        if name == "breakdown":
            continue
        extra = r["dual warm"][0] - r["plain warm"][0]
        cells = " | ".join(f"{r[k][0]:.2f} s ({r[k][1]:.2f})" for k in
                           ("plain cold", "dual cold", "plain warm", "dual warm"))
        lines.append(f"| {CASES[name][0]} | {cells} | {extra:+.2f} s "
                     f"({r['dual warm'][1] - r['plain warm'][1]:+.2f}) | "
                     f"{'met' if extra <= 0.3 else 'missed'} |")
    lines += ["", "What loading numba would cost the kernel-sized case (numba imported and "
              "a kernel loaded by hand, as every such process did before "
              "dualgrad/backend/_loader.py; one process, median seconds):", "",
              "| step | seconds |", "|---|---|"]
    lines += [f"| {part} | {sec:.3f} |" for part, sec in zip(PARTS, rows["breakdown"])]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS_latency.md"))
    args = parser.parse_args()
    rows = measure(args.repeat)
    text = report(rows, args.repeat)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
