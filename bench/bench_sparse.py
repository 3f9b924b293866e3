"""Sparse Jacobians: the 2 x 100 x 100 Brusselator of examples/sparse_brusselator.py.

Measures (medians, all in this one run, one thread):
  * pattern detection (dg.sparsity) against one evaluation of f       target <= 5x f
  * dg.jacobian(..., sparsity=P) against SciPy's
    approx_derivative(..., sparsity=P) (column-grouped differences)   target <= 0.5x
  * colors (dualgrad) against SciPy's group_columns groups            target <=
  * solve_ivp(method="BDF") with dualgrad's sparse jac against SciPy's
    jac_sparsity finite differences: seconds and Jacobian evaluations target <=, <=
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, table  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad.api import _coloring  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EX = runpy.run_path(str(ROOT / "examples" / "sparse_brusselator.py"))
rhs_of_y, initial_state, brusselator = EX["rhs_of_y"], EX["initial_state"], EX["brusselator"]


def jacobians(N, repeat):
    y = initial_state(N)
    t_f = median_time(lambda: rhs_of_y(y, 0.0, N), repeat)
    t_detect = median_time(lambda: dg.sparsity(rhs_of_y, y, 0.0, N), repeat)
    P = dg.sparsity(rhs_of_y, y, 0.0, N)
    t_dg = median_time(lambda: dg.jacobian(rhs_of_y, y, 0.0, N, sparsity=P), repeat)
    t_fd = median_time(lambda: approx_derivative(rhs_of_y, y, args=(0.0, N), sparsity=P),
                       repeat)
    J = dg.jacobian(rhs_of_y, y, 0.0, N, sparsity=P)
    Jfd = approx_derivative(rhs_of_y, y, args=(0.0, N), sparsity=P)
    colors = int(_coloring.column_coloring(_coloring.as_pattern("bench", P)).max()) + 1
    groups = int(group_columns(P).max()) + 1
    return dict(N=N, n=y.size, nnz=P.nnz, t_f=t_f, t_detect=t_detect, t_dg=t_dg, t_fd=t_fd,
                colors=colors, groups=groups, err=abs(J - Jfd).max())


def bdf(N, t_end, repeat):
    y0 = initial_state(N)
    P = dg.sparsity(rhs_of_y, y0, 0.0, N)

    def jac(t, y, N):
        return dg.jacobian(rhs_of_y, y, t, N, sparsity=P)
    out = {}
    for name, kw in (("dualgrad", dict(jac=jac)), ("scipy", dict(jac_sparsity=P))):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            s = solve_ivp(brusselator, (0.0, t_end), y0, method="BDF", args=(N,), rtol=1e-6,
                          atol=1e-8, **kw)
            times.append(time.perf_counter() - t0)
        out[name] = (statistics.median(times), s)
    return out


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
    runs = bdf(N, 0.5, 1 if quick else 3)
    d = dense_vs_sparse(32, repeat)
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
             f"{r['t_detect'] / r['t_f']:.0f}x f", "<= 5x f"],
            ["sparse Jacobian `dg.jacobian(sparsity=P)`", ms(r["t_dg"]),
             f"`approx_derivative(sparsity=P)` {ms(r['t_fd'])}",
             f"{r['t_dg'] / r['t_fd']:.2f}x", "<= 0.5x"],
            ["colors / SciPy's `group_columns` groups", str(r["colors"]), str(r["groups"]),
             f"{r['colors'] / r['groups']:.2f}x", "<= 1x"],
            [f"BDF to t = 0.5, seconds (median of {1 if quick else 3})", f"{t_dgi:.2f} s",
             f"`jac_sparsity` differences {t_sci:.2f} s", f"{t_dgi / t_sci:.2f}x", "<= 1x"],
            ["BDF Jacobian evaluations", str(s_dg.njev), str(s_sc.njev),
             f"{s_dg.njev} vs {s_sc.njev}", "<="],
            [f"dense vs sparse `dg.jacobian`, 2 x {d['N']} x {d['N']} ({d['n']} states)",
             ms(d["t_sparse"]), f"dense {ms(d['t_dense'])}",
             f"{d['t_sparse'] / d['t_dense']:.3f}x", "-"],
        ]),
        "",
        f"Largest difference between the exact sparse Jacobian and SciPy's differences: "
        f"{r['err']:.1e}.  BDF: {s_dg.t.size} steps, {s_dg.nlu} LU factorizations with "
        f"dualgrad's jac, {s_sc.t.size} steps and {s_sc.nlu} with SciPy's; the integration "
        "time is dominated by those sparse LU factorizations, not by the Jacobian.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not quick:
        (ROOT / "bench" / "RESULTS_sparse.md").write_text(text)


if __name__ == "__main__":
    main()
