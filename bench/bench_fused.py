"""The fused engine against the eager one, per problem, in one run (issue 14).

    python bench/bench_fused.py [--quick] [--only NAME] [--first]
    python bench/bench_fused.py --compare OTHER_CHECKOUT [--rounds R] [--only NAME]
    python bench/bench_fused.py --first --compare OTHER_CHECKOUT [--rounds R] [--only NAME]
                                [--bytecode]

For each problem of bench/problems.py that moves large partials (the heat
equation in six formulations, the elementwise problem, the grid field), two
small ones (which must not get slower) and an elementwise function of two
arguments by ``elementwise_grad`` at N = 10, 1e3 and 1e6 (one pass for both) and a 2-D
reaction-diffusion stencil with boundary copies (96 x 96, 40 steps), times f and dualgrad with each engine:
``auto`` (the default: fused from ``MIN_WORK`` partials elements), ``eager`` and
``fused`` (every size), repeats interleaved so that the machine's load hits all
alike; medians.  Then, in fresh processes, the first call with numba's cache
empty (cold: every kernel compiles) and with it filled (warm), and how many
fused kernels (one per structure of expression, see dualgrad/backend/_fusedgen.py)
the problem compiled or loaded.  The warm first call is the median of
``WARM_RUNS`` fresh processes (one process is at the mercy of the disk and of the
other programs on the machine).  ``--first`` runs only that part (and prints it).

``--compare OTHER`` times a change: fresh processes alternate between this
checkout's dualgrad and the one at ``OTHER`` (say a worktree of main), ``R`` rounds
(default 5), each timing f and the default engine on each problem (3 interleaved
repeats, medians); printed are the medians over the rounds of each side's times
and of its ratio to f measured in the same process, and the ratio of those ratios
(after / before).  Nothing is
written.  With ``--first``, the warm first call instead: per large problem and
side, one cold process fills a cache of its own, then ``R`` rounds of one fresh
process per side, alternating which goes first; medians of the first call, the
second and the first's extra over the second, per side, in wall-clock and in the
process's CPU time (which a loaded machine inflates less).

``--bytecode`` (with ``--first``): the fresh processes also keep Python's bytecode in a
directory beside numba's cache (``PYTHONPYCACHEPREFIX``; ``PYTHONDONTWRITEBYTECODE``
dropped from their environment), so that the cold process fills both and the warm ones
read the ``.pyc`` files as an installed package's process does.  Without it, in an
environment that sets ``PYTHONDONTWRITEBYTECODE`` and on a checkout without
``__pycache__``, every process compiles dualgrad's source, and a first call pays the
compile of each module it imports lazily (the kernel modules, dispatch's linear algebra).

Writes bench/RESULTS_fused.md (not with ``--only`` or ``--first``).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
from _common import table  # noqa: E402

import numpy as np  # noqa: E402

PROBLEMS = ["heat equation 100000x4", "heat equation np.roll + rebinding",
            "heat equation np.diff + concatenate", "heat equation scipy.sparse L @ u",
            "heat equation np.convolve + in-place", "heat equation np.gradient twice",
            "elementwise N=1e6", "grid field 101^3",
            "Rosenbrock n=100 without np.asarray", "Broyden 50x50",
            "elementwise 2 arguments N=10", "elementwise 2 arguments N=1e3",
            "elementwise 2 arguments N=1e6", "reaction-diffusion 2-D 96^2x40"]
ENGINES = ("auto", "eager", "fused")
WARM_RUNS = 5


def measure(name, repeat):
    import dualgrad as dg
    from problems import PROBLEMS, TWO_ARGUMENTS, as_np
    ALL = {**PROBLEMS, **TWO_ARGUMENTS}
    f, _ = ALL[name]("f")
    d, ref = ALL[name]("dualgrad")
    errors = {}
    for e in ENGINES:                       # warm-up, and the error against the reference
        with dg.engine(e):
            got = as_np(d()).ravel()
        errors[e] = float(np.max(np.abs(got - ref)) / max(np.max(np.abs(ref)), 1e-300))
    fns = {"f": f, **{e: d for e in ENGINES}}
    numbers = {}
    for k, fn in fns.items():                     # calls per sample: at least 50 ms
        with dg.engine("auto" if k == "f" else k):
            t0 = time.perf_counter()
            fn()
            numbers[k] = max(1, int(0.05 / max(time.perf_counter() - t0, 1e-7)))
    samples = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            with dg.engine("auto" if k == "f" else k):
                t0 = time.perf_counter()
                for _ in range(numbers[k]):
                    fn()
                samples[k].append((time.perf_counter() - t0) / numbers[k])
    return {k: statistics.median(v) for k, v in samples.items()}, errors


def steady(names, repeat):
    """``{name: (f, auto)}`` seconds per call, medians of ``repeat`` interleaved repeats
    (what ``--compare`` runs in each fresh process)."""
    from problems import PROBLEMS, TWO_ARGUMENTS
    ALL = {**PROBLEMS, **TWO_ARGUMENTS}       # as measure() reads them
    times = {}
    for name in names:
        f, _ = ALL[name]("f")
        d, _ = ALL[name]("dualgrad")
        fns = {"f": f, "auto": d}
        for fn in fns.values():                  # warm-up: kernels compiled or loaded
            fn()
            fn()
        numbers = {}
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            numbers[k] = max(1, int(0.05 / max(time.perf_counter() - t0, 1e-7)))
        samples = {k: [] for k in fns}
        for _ in range(repeat):
            for k, fn in fns.items():
                t0 = time.perf_counter()
                for _ in range(numbers[k]):
                    fn()
                samples[k].append((time.perf_counter() - t0) / numbers[k])
        times[name] = tuple(statistics.median(samples[k]) for k in fns)
    return times


def compare(other, names, rounds):
    """Alternate fresh processes of this checkout and ``other``; print medians."""
    sides = {"after": str(HERE.parent), "before": str(Path(other).resolve())}
    got = {side: {name: [] for name in names} for side in sides}
    for r in range(rounds):
        for side, root in (sides.items() if r % 2 == 0 else reversed(sides.items())):
            code = (f"import json, sys\nsys.path.insert(0, {str(HERE)!r})\n"
                    "import bench_fused\n"        # (puts this checkout first: then root)
                    f"sys.path.insert(0, {root!r})\nimport dualgrad\n"
                    f"assert dualgrad.__file__.startswith({root!r}), dualgrad.__file__\n"
                    f"print(json.dumps(bench_fused.steady({names!r}, 3)))")
            env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                       MKL_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 env=env, check=True, cwd=str(HERE))
            for name, t in json.loads(out.stdout.strip().splitlines()[-1]).items():
                got[side][name].append(t)
        print(f"round {r + 1} of {rounds} done", flush=True)
    rows = []
    for name in names:
        cells = [name]
        med = {}
        for side in ("before", "after"):
            ts = got[side][name]
            f = statistics.median(t[0] for t in ts)
            d = statistics.median(t[1] for t in ts)
            ratio = statistics.median(t[1] / t[0] for t in ts)
            med[side] = ratio
            cells += [f"{f * 1e3:.1f}", f"{d * 1e3:.1f} ({ratio:.2f}x f)"]
        cells.append(f"{med['after'] / med['before']:.2f}")
        rows.append(cells)
    print(table(["problem", "f before", "before", "f after", "after", "after / before"],
                rows))


def first_call(name, cache_dir, root=HERE.parent, bytecode=False):
    """First call and kernel count in a fresh process (numba's cache in ``cache_dir``;
    dualgrad from the checkout at ``root``; ``bytecode``: Python's bytecode kept in
    ``cache_dir`` too)."""
    code = f"""
import json, sys, time
sys.path[:0] = {[str(root), str(HERE)]!r}
from problems import PROBLEMS
import dualgrad as dg
assert dg.__file__.startswith({str(root)!r}), dg.__file__
from dualgrad.backend import _fused
d, _ = PROBLEMS[{name!r}]("dualgrad")
t0, c0 = time.perf_counter(), time.process_time(); d()
first, cpu_first = time.perf_counter() - t0, time.process_time() - c0
t0, c0 = time.perf_counter(), time.process_time(); d()
second, cpu_second = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps([first, second, _fused.kernels_compiled(), cpu_first, cpu_second]))
"""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(cache_dir, "pyc")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare_first(other, names, rounds, bytecode=False):
    """The warm first call, fresh processes alternating between this checkout and
    ``other`` (each with a numba cache of its own, filled by one cold process;
    ``bytecode``: and Python's bytecode, see :func:`first_call`)."""
    sides = {"before": Path(other).resolve(), "after": HERE.parent}
    rows = []
    for name in names:
        got = {side: [] for side in sides}
        with tempfile.TemporaryDirectory() as before, tempfile.TemporaryDirectory() as after:
            caches = {"before": before, "after": after}
            for side, root in sides.items():
                first_call(name, caches[side], root, bytecode)   # cold: fills the cache
            for r in range(rounds):
                for side in (("before", "after") if r % 2 == 0 else ("after", "before")):
                    got[side].append(first_call(name, caches[side], sides[side], bytecode))
        for clock, (a, b) in (("wall", (0, 1)), ("CPU", (3, 4))):
            cells = [name, clock]
            for side in sides:
                first = statistics.median(t[a] for t in got[side])
                second = statistics.median(t[b] for t in got[side])
                extra = statistics.median(t[a] - t[b] for t in got[side])
                cells += [f"{first:.2f}", f"{second:.2f}", f"{extra:.2f}"]
            rows.append(cells)
            print(" | ".join(cells), flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}; medians of {rounds} processes per side, s "
          "(CPU: the process's time.process_time)" + ("; bytecode kept" if bytecode else ""))
    print(table(["problem", "clock", "first before", "second before", "extra before",
                 "first after", "second after", "extra after"], rows))


def main():
    args = sys.argv[1:]
    unknown = [a for a in args if a.startswith("-") and
               a not in ("--quick", "--first", "--only", "--compare", "--rounds", "--bytecode")]
    if unknown:                      # --help among them: a full run takes minutes
        print(__doc__)
        return
    quick = "--quick" in args
    first = "--first" in args
    only = args[args.index("--only") + 1] if "--only" in args else ""
    names = [p for p in PROBLEMS if only in p]
    if "--compare" in args:
        rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 5
        if first:
            compare_first(args[args.index("--compare") + 1],
                          [p for p in names if p in PROBLEMS[:5]], rounds, "--bytecode" in args)
            return
        compare(args[args.index("--compare") + 1], names, rounds)
        return
    rows, firsts = [], []
    for name in [] if first else names:
        m, err = measure(name, 3 if quick else 7)
        rows.append([name, f"{m['f'] * 1e3:.2f}"] +
                    [f"{m[e] * 1e3:.1f} ({m[e] / m['f']:.2f}x f)" for e in ENGINES] +
                    [f"{m['auto'] / m['eager']:.2f}", f"{m['fused'] / m['eager']:.2f}",
                     f"{max(err.values()):.1e}"])
        print(" | ".join(rows[-1]), flush=True)
    for name in [p for p in names if p in PROBLEMS[:5]]:     # the large ones
        with tempfile.TemporaryDirectory() as cache:
            cold = first_call(name, cache)
            runs = [first_call(name, cache) for _ in range(WARM_RUNS)]
        warm = [statistics.median(r[i] for r in runs) for i in range(2)] + [runs[-1][2]]
        firsts.append([name, f"{cold[0]:.2f}", f"{warm[0]:.2f}", f"{warm[1]:.2f}",
                       f"{warm[0] - warm[1]:.2f}", str(warm[2])])
        print(" | ".join(firsts[-1]), flush=True)
    text = "\n".join([
        "# The fused engine against the eager one",
        "",
        f"Written by `python bench/bench_fused.py{' --quick' if quick else ''}`: medians of "
        f"{3 if quick else 7} interleaved repeats in one process; ms. `auto` is the default "
        "(fused from `MIN_WORK` partials elements), `fused` defers at every size.",
        "",
        table(["problem", "f", "auto", "eager", "fused", "auto / eager", "fused / eager",
               "largest error"], rows),
        "",
        "First call in a fresh process, s: numba's cache empty (cold: every kernel of the "
        "problem compiles) and filled (warm, the median of "
        f"{WARM_RUNS} processes); the second call (median); the warm first call's extra "
        "time over it (loading kernels); the number of fused kernels (one per structure of "
        "expression) the problem compiled or loaded, with the default engine.",
        "",
        table(["problem", "cold first", "warm first", "second", "warm extra",
               "fused kernels"], firsts),
        ""])
    if first:
        print(text[text.index("First call"):])
        return
    if not only:
        (HERE / "RESULTS_fused.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
