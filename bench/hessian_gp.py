"""A Gaussian process's 3 x 3 Hessian (nested duals through solve and slogdet) against f.

    python bench/hessian_gp.py                       # this checkout, ratios to f
    python bench/hessian_gp.py --compare /work/main [--rounds 3] [--threads 0]
    python bench/hessian_gp.py --parts [--keep-freed-memory] [--compare /work/main]

The negative log-likelihood of a GP with a squared-exponential kernel, 80 points and
3 log-hyperparameters (length scale, signal and noise amplitudes): ``K`` built by
broadcasting, then ``np.linalg.solve(K, y)`` and ``np.linalg.slogdet(K)``.  The model
is alexis-roche/scripts ``stats/gaussian_process.py`` @ c4f16d0815ecea3ff5902d428c6c5b8da08828a0
(its marginal likelihood by cho_factor / cho_solve), as user22 rewrote it with
``np.linalg`` (issue 13: ``dg.hessian`` of it took 350-450x f).

One process a side (without ``--compare``, two of this checkout): f, ``dg.gradient``,
``dg.hessian``, ``dg.jacobian(dg.grad(nll))`` and 4th-order central differences of
``dg.gradient`` (12 gradients) timed interleaved,
``--reps`` wall-clock calls each after one to warm up; the medians' ratios to f in
the same process are printed, with the Hessian's largest difference to the other two
relative to its largest entry.  ``--compare``: the same in fresh processes of the
other checkout (before) and this one (after), alternating ``--rounds`` times.
``--threads``: BLAS threads (default 1, as every bench script; 0 leaves OpenBLAS its
default, one per core, where a shared machine's load makes the threaded products of
the nested solve swing).  ``--parts``: the Hessian's wall-clock ms and those of its
``np.linalg.solve`` and ``slogdet`` calls (each round of each side), the rest being
the kernel matrix's elementwise operations on nested duals.  ``--keep-freed-memory``:
the children's C allocator keeps freed memory (``_common.keep_freed_memory``), so no
large array gets fresh pages from the system.
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

COLUMNS = ("gradient", "hessian", "jacobian(grad)", "cd of gradient")


def _clock_linalg(spent):
    """Wrap dispatch's ``np.linalg.solve`` and ``slogdet`` so that an outermost call of
    either adds its wall-clock seconds to ``spent[name]`` (the inner level's calls that
    it makes counted in it, once)."""
    import numpy as np

    from dualgrad.dispatch import _linalg
    depth = [0]

    def clocked(name, fn):
        def call(*args, **kwargs):
            depth[0] += 1
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                if not depth[0]:
                    spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0
        return call
    for func in (np.linalg.solve, np.linalg.slogdet):
        _linalg.LINALG[func] = clocked(func.__name__, _linalg.LINALG[func])


def child(reps, parts, keep):
    """Print ``{"f_ms": ..., name: ratio to f, ..., "jog": ..., "cd": ...}`` as JSON;
    with ``parts``, ``{"hessian_ms": ..., "solve_ms": ..., "slogdet_ms": ...}``."""
    if keep:
        _common.keep_freed_memory()
    import numpy as np

    import dualgrad as dg
    rng = np.random.default_rng(0)
    X = np.sort(rng.uniform(0, 10, 80))
    y = np.sin(X) + 0.1 * rng.normal(size=80)
    th = np.array([0.2, 0.1, -1.5])

    def nll(theta):
        ls, sf, sn = np.exp(theta)
        K = sf**2 * np.exp(-0.5 * (X[:, None] - X[None, :])**2 / ls**2) + \
            (sn**2 + 1e-8) * np.eye(80)
        return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * np.linalg.slogdet(K)[1]

    def cd_of_gradient(h=1e-4):
        cols = []
        for j in range(3):
            e = np.zeros(3)
            e[j] = h
            cols.append((8 * (dg.gradient(nll, th + e) - dg.gradient(nll, th - e)) -
                         (dg.gradient(nll, th + 2 * e) - dg.gradient(nll, th - 2 * e))) /
                        (12 * h))
        return np.array(cols)

    if parts:
        dg.hessian(nll, th)
        spent = {}
        _clock_linalg(spent)
        times = []
        for _ in range(reps):
            spent.clear()
            t0 = time.perf_counter()
            dg.hessian(nll, th)
            times.append([time.perf_counter() - t0, spent["solve"], spent["slogdet"]])
        med = [statistics.median(t[k] for t in times) * 1e3 for k in range(3)]
        print(json.dumps(dict(zip(("hessian_ms", "solve_ms", "slogdet_ms"), med))))
        return
    fns = {"f": lambda: nll(th), "gradient": lambda: dg.gradient(nll, th),
           "hessian": lambda: dg.hessian(nll, th),
           "jacobian(grad)": lambda: dg.jacobian(dg.grad(nll), th),
           "cd of gradient": cd_of_gradient}
    times = {k: [] for k in fns}
    for fn in fns.values():
        fn()
    for _ in range(reps):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    f = statistics.median(times["f"])
    out = {"f_ms": f * 1e3}
    out.update({k: statistics.median(times[k]) / f for k in COLUMNS})
    H = dg.hessian(nll, th)
    scale = np.max(np.abs(H))
    out["jog"] = float(np.max(np.abs(H - dg.jacobian(dg.grad(nll), th))) / scale)
    out["cd"] = float(np.max(np.abs(H - cd_of_gradient())) / scale)
    print(json.dumps(out))


def row(label, runs):
    med = {k: statistics.median(r[k] for r in runs) for k in ("f_ms",) + COLUMNS}
    return [label, f"{med['f_ms']:.2f}"] + [
        " / ".join(f"{r[k]:.0f}" for r in runs) + f" (median {med[k]:.0f})" for k in COLUMNS] + [
        f"{max(r['jog'] for r in runs):.1e}", f"{max(r['cd'] for r in runs):.1e}"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", help="the other checkout (before)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS threads (default 1; 0: the library's default)")
    ap.add_argument("--parts", action="store_true",
                    help="ms of the Hessian and of its solve and slogdet calls")
    ap.add_argument("--keep-freed-memory", action="store_true",
                    help="the children's allocator keeps freed memory (glibc)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.reps, args.parts, args.keep_freed_memory)
    compare = args.compare or str(HERE.parent)
    got = _common.alternate("hessian_gp.py", ["--reps", str(args.reps)] +
                            ["--parts"] * args.parts +
                            ["--keep-freed-memory"] * args.keep_freed_memory, compare,
                            args.rounds if args.compare else 1, threads=args.threads)
    print(f"BLAS threads: {args.threads or 'default'}")
    if args.parts:
        sides = {f"before ({compare})": got["before"], "after (this checkout)": got["after"]} \
            if args.compare else {"this checkout": got["before"] + got["after"]}
        print(_common.table(
            ["dg.hessian of the GP, ms a call", "hessian", "np.linalg.solve", "slogdet"],
            [[label] + [" / ".join(f"{r[k]:.1f}" for r in runs) for k in
                        ("hessian_ms", "solve_ms", "slogdet_ms")]
             for label, runs in sides.items()]))
        return
    header = ["GP nll, 80 points, 3 parameters", "f ms"] + \
        [f"{k} / f" for k in COLUMNS] + ["hessian vs jacobian(grad)", "hessian vs cd"]
    if args.compare:
        rows = [row(f"before ({args.compare})", got["before"]),
                row("after (this checkout)", got["after"])]
    else:                                 # two fresh processes of this checkout
        rows = [row("this checkout", got["before"] + got["after"])]
    print(_common.table(header, rows))
    if args.compare:
        after, before = (statistics.median(r["hessian"] for r in got[side])
                         for side in ("after", "before"))
        print(f"hessian after / before (ratios to f): {after / before:.3f}")


if __name__ == "__main__":
    main()
