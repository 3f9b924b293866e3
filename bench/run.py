"""Run every benchmark problem with dualgrad and every installed peer.

    python bench/run.py            # all problems, writes bench/RESULTS.md and bench/ratios.png
    python bench/run.py --quick    # fewer repeats
    python bench/run.py --only Rosenbrock
    python bench/run.py --stitch   # rebuild RESULTS.md from bench/results.json and RESULTS_*.md

Each (problem, peer) runs in a fresh process with one thread per library. The
first call (compilation, tracing, caches) is timed apart from the median of the
repeats that follow; the error is the largest relative error against an exact
reference (analytic, hand-written tangent, or complex step).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]      # this checkout's dualgrad, then bench/

THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "NUMBA_NUM_THREADS": "1", "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false "
           "intra_op_parallelism_threads=1", "JAX_PLATFORMS": "cpu"}

# problem: [(peer, bound)] means dualgrad's median <= bound * peer's median;
# ("abs", seconds) bounds dualgrad's median itself; (subject, peer, bound)
# compares another row than dualgrad's.
TARGETS = {
    "seed question (3 partials)": [("abs", 2e-6), ("jax", 0.25)],
    "Rosenbrock n=2": [("scipy", 1.0)],
    "Rosenbrock n=10": [("scipy", 1.0)],
    "Rosenbrock n=100": [("jax", 4.0), ("num-dual", 0.25), ("scipy", 0.1)],
    "grid field 101^3": [("f", 3.0), ("by hand", 1.0)],
    "Lotka-Volterra loop 2x4": [("f", 10.0), ("num-dual", 1.0),
                                ("dualgrad (numba)", "f (numba)", 3.0),
                                ("dualgrad (numba)", "jax", 1.0)],
    "heat equation 100000x4": [("f", 4.0), ("scipy", 1.0)],
    "heat equation np.roll + rebinding": [("f", 5.0), ("scipy", 1.0)],
    "heat equation np.diff + concatenate": [("f", 5.0), ("scipy", 1.0)],
    "elementwise N=1e6": [("f", 2.0)],
    "Broyden 50x50": [("num-dual", 0.5), ("scipy", 0.15)],
}


def one(problem, peer, quick):
    """Measure one (problem, peer) in this process; print a JSON line."""
    import statistics

    import numpy as np
    from problems import PROBLEMS, Unavailable, as_np
    if peer == "torch":
        try:
            import torch
            torch.set_num_threads(1)
        except ImportError:
            pass
    try:
        fn, ref = PROBLEMS[problem](peer)
    except Unavailable as exc:
        print(json.dumps({"status": str(exc)}))
        return
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    number = max(1, int((0.02 if quick else 0.1) / once))
    samples = []
    for _ in range(3 if quick else 7):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    err = None
    if ref is not None:
        got = as_np(out).ravel()
        scale = np.maximum(np.abs(ref), 1e-300)
        err = float(np.max(np.abs(got - ref) / np.maximum(scale, np.max(np.abs(ref)) * 1e-12)))
    print(json.dumps({"status": "ok", "first": first, "median": statistics.median(samples),
                      "error": err}))


def _environment():
    """The children's environment: one thread, and Python's bytecode cache on, as on a
    user's machine (a process that may not write .pyc files compiles every module it
    imports, every time: the import row and first calls would carry that)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return dict(env, **THREADS)


def measure(problem, peer, quick):
    env = _environment()
    proc = subprocess.run([sys.executable, __file__, "--one", problem, peer] +
                          (["--quick"] if quick else []), capture_output=True, text=True,
                          env=env, timeout=1800)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        return {"status": f"failed: {tail[:80]}"}
    return json.loads(lines[-1])


def import_time(repeat=7):
    env = _environment()
    code = ("import sys, time; t = time.perf_counter(); import dualgrad; "
            "print(time.perf_counter() - t, 'numba' in sys.modules)")
    times, numba = [], None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, check=True, cwd=HERE.parent).stdout.split()
        times.append(float(out[0]))
        numba = out[1]
    times.sort()
    return times[len(times) // 2], numba == "True"


def fmt_time(s):
    if s is None:
        return ""
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def main():
    from problems import PEERS, PROBLEMS
    args = sys.argv[1:]
    if args and args[0] == "--one":
        one(args[1], args[2], "--quick" in args)
        return
    quick = "--quick" in args
    saved = HERE / "results.json"
    if "--stitch" in args:
        data = json.loads(saved.read_text())
        write(data["results"], data["import"], data["numba"], data["quick"])
        return
    only = args[args.index("--only") + 1] if "--only" in args else ""
    # --only updates the saved run instead of replacing it
    results = json.loads(saved.read_text())["results"] if only and saved.exists() else {}
    for problem in PROBLEMS:
        if only and only not in problem:
            continue
        results[problem] = {}
        for peer in PEERS:
            results[problem][peer] = r = measure(problem, peer, quick)
            if r["status"] != "no such method":
                print(f"{problem:32s} {peer:10s} {r['status']:>12.40s} "
                      f"{fmt_time(r.get('median')):>10s}", flush=True)
    imp, numba = import_time()
    saved.write_text(json.dumps({"results": results, "import": imp, "numba": numba,
                                 "quick": quick}, indent=1))
    write(results, imp, numba, quick)


def write(results, imp, numba, quick):
    import platform
    lines = ["# Benchmark results", "",
             f"Written by `python bench/run.py{' --quick' if quick else ''}` on "
             f"{platform.machine()} with Python {platform.python_version()}, one thread per "
             "library, each (problem, peer) in a fresh process. Times are medians; *first* is "
             "the first call (compilation, tracing) alone. Ratios compare medians from this one "
             "run; on this noisy 2-core machine only ratios beyond ~1.3x mean anything.", "",
             "![dualgrad's time over each peer's](ratios.png)", "",
             "## Targets", "", "| problem | target | measured | met |", "|---|---|---|---|"]
    rows = []
    for problem, targets in TARGETS.items():
        res = results.get(problem, {})
        for target in targets:
            subject, peer, bound = target if len(target) == 3 else ("dualgrad",) + target
            ours = res.get(subject, {}).get("median")
            if ours is None:
                continue
            if peer == "abs":
                rows.append(f"| {problem} | ≤ {fmt_time(bound)} per call | {fmt_time(ours)} | "
                            f"{'yes' if ours <= bound else 'no'} |")
                continue
            theirs = res.get(peer, {}).get("median")
            if theirs is None:
                rows.append(f"| {problem} | ≤ {bound}x {peer} | {peer}: "
                            f"{res.get(peer, {}).get('status', 'not run')} | - |")
                continue
            ratio = ours / theirs
            who = "" if subject == "dualgrad" else f"{subject}: "
            rows.append(f"| {problem} | {who}≤ {bound}x {peer} | {ratio:.2f}x | "
                        f"{'yes' if ratio <= bound else 'no'} |")
    rows.append(f"| `python -c \"import dualgrad\"` | ≤ 0.12 s, numba not imported | "
                f"{imp:.3f} s, numba {'imported' if numba else 'not imported'} | "
                f"{'yes' if imp <= 0.12 and not numba else 'no'} |")
    lines += rows + [""]
    misses = HERE / "MISSES.md"
    if misses.exists():
        lines += [misses.read_text()]
    from problems import PEERS
    for problem, res in results.items():
        f_time = res.get("f", {}).get("median")
        peers = {p: r for p, r in res.items() if not p.startswith("f") and
                 not p.startswith("dualgrad") and r.get("status") == "ok"}
        best = min((r["median"] for r in peers.values()), default=None)
        lines += [f"## {problem}", "",
                  "| method | median | first call | / plain f | / best peer | max rel. error |",
                  "|---|---|---|---|---|---|"]
        for peer in PEERS:
            r = res.get(peer, {"status": "no such method"})
            if r["status"] == "no such method":
                continue
            if r["status"] != "ok":
                lines.append(f"| {peer} | {r['status']} | | | | |")
                continue
            name = "plain f" if peer == "f" else peer
            f_time = res.get("f (numba)" if "numba" in peer else "f", {}).get("median")
            to_f = f"{r['median'] / f_time:.1f}x" if f_time and not peer.startswith("f") \
                else ""
            to_best = f"{r['median'] / best:.2f}x" if best and peer.startswith("dualgrad") \
                else ""
            err = "" if r["error"] is None else f"{r['error']:.1e}"
            lines.append(f"| {name} | {fmt_time(r['median'])} | {fmt_time(r['first'])} | "
                         f"{to_f} | {to_best} | {err} |")
        lines.append("")
    for part in ("engine", "functions", "numba", "parallel"):  # the other scripts' tables
        path = HERE / f"RESULTS_{part}.md"
        if path.exists():
            lines += [path.read_text()]
    (HERE / "RESULTS.md").write_text("\n".join(lines))
    chart(results)
    print("\n".join(lines))


def chart(results):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no chart")
        return
    labels, values, colors = [], [], []
    for problem, res in results.items():
        for subject in ("dualgrad", "dualgrad (numba)"):
            ours = res.get(subject, {}).get("median")
            if ours is None:
                continue
            own_f = "f (numba)" if "numba" in subject else "f"
            for peer, r in res.items():
                if peer.startswith("dualgrad") or r.get("status") != "ok" or \
                        peer.startswith("f") and peer != own_f or \
                        "numba" in subject and peer not in (own_f, "jax", "num-dual"):
                    continue
                name = {"f": "plain f", "f (numba)": "jitted f"}.get(peer, peer)
                who = "" if subject == "dualgrad" else " [dualgrad on jitted f]"
                labels.append(f"{problem}{who} / {name}")
                values.append(ours / r["median"])
                colors.append("tab:green" if ours <= r["median"] else "tab:orange")
    fig, ax = plt.subplots(figsize=(9, 0.28 * len(labels) + 1))
    ax.barh(range(len(labels)), values, color=colors)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("dualgrad time / other time (log; < 1: dualgrad faster)")
    fig.tight_layout()
    fig.savefig(HERE / "ratios.png", dpi=110)


if __name__ == "__main__":
    main()
