"""Sparse Jacobians: the 2 x 100 x 100 Brusselator of examples/sparse_brusselator.py.

Measures (medians, all in this one run, one thread):
  * pattern detection (dg.sparsity) against one evaluation of f       target <= 5x f
  * dg.jacobian(..., sparsity=P) against SciPy's
    approx_derivative(..., sparsity=P) (column-grouped differences)   target <= 0.5x
  * colors (dualgrad) against SciPy's group_columns groups            target <=
  * solve_ivp(method="BDF") with dualgrad's sparse jac against SciPy's
    jac_sparsity finite differences: seconds and Jacobian evaluations target <=, <=
  * a sparse Hessian at n = 40,000 (a chained sum) against f, and the general
    (full-gradient) inner level at n = 4,000 for scale
  * for scale: dualgrad's dense Jacobian on a 2 x 32 x 32 grid against the sparse one.

Run:  python bench/bench_sparse.py [--quick]     writes bench/RESULTS_sparse.md
"""

import runpy
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize._numdiff import approx_derivative, group_columns

sys.path[:0] = [str(Path(__file__).resolve().parent.parent),   # this checkout's dualgrad
                str(Path(__file__).resolve().parent)]
from _common import median_time, table  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad.api import _coloring  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EX = runpy.run_path(str(ROOT / "examples" / "sparse_brusselator.py"))
rhs_of_y, initial_state, brusselator = EX["rhs_of_y"], EX["initial_state"], EX["brusselator"]


def paired(fn_a, fn_b, repeat, number_a=1, number_b=1):
    """Medians of ``fn_a`` and ``fn_b`` timed back to back in each repeat, and the
    median of the per-repeat ratios a / b (both see the same machine load)."""
    def once(fn, number):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - t0) / number
    fn_a(), fn_b()                               # warm-up
    ta, tb = [], []
    for _ in range(repeat):
        ta.append(once(fn_a, number_a))
        tb.append(once(fn_b, number_b))
    return (statistics.median(ta), statistics.median(tb),
            statistics.median(a / b for a, b in zip(ta, tb)))


def jacobians(N, repeat):
    y = initial_state(N)
    t_detect, t_f, detect_ratio = paired(lambda: dg.sparsity(rhs_of_y, y, 0.0, N),
                                         lambda: rhs_of_y(y, 0.0, N), 3 * repeat, 10, 100)
    P = dg.sparsity(rhs_of_y, y, 0.0, N)
    t_dg = median_time(lambda: dg.jacobian(rhs_of_y, y, 0.0, N, sparsity=P), repeat)
    t_fd = median_time(lambda: approx_derivative(rhs_of_y, y, args=(0.0, N), sparsity=P),
                       repeat)
    J = dg.jacobian(rhs_of_y, y, 0.0, N, sparsity=P)
    Jfd = approx_derivative(rhs_of_y, y, args=(0.0, N), sparsity=P)
    colors = int(_coloring.column_coloring(_coloring.as_pattern("bench", P)).max()) + 1
    groups = int(group_columns(P).max()) + 1
    return dict(N=N, n=y.size, nnz=P.nnz, t_f=t_f, t_detect=t_detect, t_dg=t_dg, t_fd=t_fd,
                colors=colors, groups=groups, err=abs(J - Jfd).max(), detect_ratio=detect_ratio)


def bdf(N, t_end, repeat):
    """BDF with dualgrad's jac (CSC, the format BDF factorizes) and with SciPy's
    jac_sparsity differences, run in alternation: medians and the median of the
    per-pair ratios."""
    y0 = initial_state(N)
    P = dg.sparsity(rhs_of_y, y0, 0.0, N)

    def jac(t, y, N):
        return dg.jacobian(rhs_of_y, y, t, N, sparsity=P, format="csc")
    jac(0.0, y0, N)                        # coloring and compilation, once a process
    runs = {"dualgrad": dict(jac=jac), "scipy": dict(jac_sparsity=P)}
    times, sols = {k: [] for k in runs}, {}
    for _ in range(repeat):
        for name, kw in runs.items():
            t0 = time.perf_counter()
            sols[name] = solve_ivp(brusselator, (0.0, t_end), y0, method="BDF", args=(N,),
                                   rtol=1e-6, atol=1e-8, **kw)
            times[name].append(time.perf_counter() - t0)
    ratio = statistics.median(a / b for a, b in zip(times["dualgrad"], times["scipy"]))
    return {k: (statistics.median(times[k]), sols[k]) for k in runs}, ratio, times


def chained(x):
    """A banded objective (a chained Rosenbrock with a cosine term and a second
    neighbour coupling): a sum of terms of 1 to 3 neighbouring inputs."""
    return 0.5 * np.sum((x[1:] - x[:-1] ** 2) ** 2) + np.sum(np.cos(x)) / 3.0 \
        - np.sum(x[2:] * x[:-2])


def sparse_hessians(n, n_general, repeat):
    """dg.hessian(sparsity=P) of ``chained`` at n inputs against f, and the general
    path (the full gradient as the inner level) at n_general inputs for scale."""
    x = np.linspace(-1.0, 1.0, n)
    P = dg.hessian_sparsity(chained, x)
    t_h, t_f, ratio = paired(lambda: dg.hessian(chained, x, sparsity=P),
                             lambda: chained(x), repeat, 1, 100)
    t_pat = median_time(lambda: dg.hessian_sparsity(chained, x), repeat)
    Ps = _coloring.as_pattern("bench", P + P.T)
    color = _coloring.star_coloring(Ps)
    ncolors = int(color.max()) + 1
    xs = np.linspace(-1.0, 1.0, n_general)
    Pg = _coloring.as_pattern("bench", dg.hessian_sparsity(chained, xs))
    cg = _coloring.star_coloring(Pg)
    general = lambda: _coloring._gradient_hessian_columns(  # noqa: E731
        "bench", chained, (), xs, cg, int(cg.max()) + 1, None, None, False)
    t_gen, t_fg, ratio_gen = paired(general, lambda: chained(xs), max(3, repeat // 2), 1, 100)
    fast = lambda: dg.hessian(chained, xs, sparsity=Pg)  # noqa: E731
    t_fast_small = median_time(fast, repeat)
    return dict(n=n, nnz=P.nnz, colors=ncolors, t_h=t_h, t_f=t_f, ratio=ratio, t_pat=t_pat,
                n_general=n_general, t_gen=t_gen, t_fg=t_fg, ratio_gen=ratio_gen,
                t_fast_small=t_fast_small)


def dense_vs_sparse(N, repeat):
    y = initial_state(N)
    P = dg.sparsity(rhs_of_y, y, 0.0, N)
    t_dense = median_time(lambda: dg.jacobian(rhs_of_y, y, 0.0, N), max(3, repeat // 2))
    t_sparse = median_time(lambda: dg.jacobian(rhs_of_y, y, 0.0, N, sparsity=P), repeat)
    return dict(N=N, n=y.size, t_dense=t_dense, t_sparse=t_sparse)


def main():
    quick = "--quick" in sys.argv
    repeat = 3 if quick else 7
    N = 32 if quick else 100
    r = jacobians(N, repeat)
    runs, bdf_ratio, bdf_times = bdf(N, 0.5, 1 if quick else 5)
    d = dense_vs_sparse(32, repeat)
    h = sparse_hessians(4000 if quick else 40000, 400 if quick else 4000, repeat)
    (t_dgi, s_dg), (t_sci, s_sc) = runs["dualgrad"], runs["scipy"]
    ms = lambda s: f"{s * 1e3:.2f} ms"  # noqa: E731
    lines = [
        "## Sparse Jacobians (bench/bench_sparse.py)",
        "",
        f"The Brusselator of `examples/sparse_brusselator.py` on a {N} x {N} periodic grid: "
        f"{r['n']} states, {r['nnz']} nonzeros.  Medians of {repeat} (Jacobians) in one "
        "process, one thread; ratios within this run.",
        "",
        table(["measure", "dualgrad", "against", "ratio", "target"], [
            ["pattern detection `dg.sparsity`", ms(r["t_detect"]), f"f itself {ms(r['t_f'])}",
             f"{r['detect_ratio']:.1f}x f", "<= 5x f"],
            ["sparse Jacobian `dg.jacobian(sparsity=P)`", ms(r["t_dg"]),
             f"`approx_derivative(sparsity=P)` {ms(r['t_fd'])}",
             f"{r['t_dg'] / r['t_fd']:.2f}x", "<= 0.5x"],
            ["colors / SciPy's `group_columns` groups", str(r["colors"]), str(r["groups"]),
             f"{r['colors'] / r['groups']:.2f}x", "<= 1x"],
            [f"BDF to t = 0.5, seconds (median of {1 if quick else 5}, alternating)",
             f"{t_dgi:.2f} s", f"`jac_sparsity` differences {t_sci:.2f} s",
             f"{bdf_ratio:.2f}x", "<= 1x"],
            ["BDF Jacobian evaluations", str(s_dg.njev), str(s_sc.njev),
             f"{s_dg.njev} vs {s_sc.njev}", "<="],
            [f"sparse Hessian `dg.hessian(sparsity=P)`, chained sum, n = {h['n']:,}",
             ms(h["t_h"]), f"f itself {ms(h['t_f'])}", f"{h['ratio']:.0f}x f",
             "(star colors x inner colors) f"],
            [f"same, the general inner level (full gradient), n = {h['n_general']:,}",
             ms(h["t_gen"]), f"f itself {ms(h['t_fg'])}; by sums {ms(h['t_fast_small'])}",
             f"{h['ratio_gen']:.0f}x f", "-"],
            [f"dense vs sparse `dg.jacobian`, 2 x {d['N']} x {d['N']} ({d['n']} states)",
             ms(d["t_sparse"]), f"dense {ms(d['t_dense'])}",
             f"{d['t_sparse'] / d['t_dense']:.3f}x", "-"],
        ]),
        "",
        f"Largest difference between the exact sparse Jacobian and SciPy's differences: "
        f"{r['err']:.1e}.  Detection: median of {3 * repeat} per-repeat ratios, each "
        "detection timed right after f.  BDF: the ratio is the median of per-pair ratios "
        "(each dualgrad run next to a SciPy run); "
        f"{s_dg.t.size} steps, {s_dg.nfev} rhs calls, {s_dg.njev} Jacobians and "
        f"{s_dg.nlu} LU factorizations with dualgrad's jac; {s_sc.t.size} steps, "
        f"{s_sc.nfev} rhs calls, {s_sc.njev} Jacobians and {s_sc.nlu} LU with SciPy's.  "
        "Seconds per run, dualgrad: "
        + ", ".join(f"{t:.2f}" for t in bdf_times["dualgrad"]) + "; SciPy: "
        + ", ".join(f"{t:.2f}" for t in bdf_times["scipy"]) + ".",
        "",
        f"Sparse Hessian: `chained` at n = {h['n']:,} has {h['nnz']:,} Hessian nonzeros and "
        f"{h['colors']} star colors; its Hessian pattern (`dg.hessian_sparsity`) takes "
        f"{ms(h['t_pat'])}.  f is a linear combination of `np.sum`s, so both levels of the "
        "nested duals are seeded with colors (star colors outside, colors separating each "
        "summed element's inputs inside) and the cost does not grow with n beyond f's own; "
        "the general path (the full gradient inside, x.size / chunk passes per outer "
        "chunk) grows as n^2 (at n = 40,000 it took 134 s before this change).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not quick:
        (ROOT / "bench" / "RESULTS_sparse.md").write_text(text)


if __name__ == "__main__":
    main()
