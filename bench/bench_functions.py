"""NumPy functions on array duals against the float operation (issue 4).

    python bench/bench_functions.py [--quick]

linalg.solve, matmul and einsum with n = 4 and 16 partials, each against the same
call on floats; a sum / mean reduction of (N, n) partials through the numba
kernel against NumPy's own reduction. Writes bench/RESULTS_functions.md.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, table  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad import _kernels  # noqa: E402
from dualgrad._base import new_tag  # noqa: E402


def products(quick):
    rng = np.random.default_rng(0)
    m = 100 if quick else 200
    A = rng.standard_normal((m, m)) + m * np.eye(m)
    B = rng.standard_normal((m, m))
    b = rng.standard_normal(m)
    cases = {
        "linalg.solve(A, b), A and b dual": (lambda A, b, B: np.linalg.solve(A, b), True),
        "A @ B, both dual": (lambda A, b, B: A @ B, True),
        "einsum('ij,jk->ik'), A dual": (lambda A, b, B: np.einsum("ij,jk->ik", A, B), False),
    }
    rows = []
    for name, (fn, both) in cases.items():
        t_float = median_time(lambda: fn(A, b, B))
        for n in (4, 16):
            tag = new_tag()
            Ad = dg.Dual(A, rng.standard_normal((m, m, n)), tag=tag)
            bd = dg.Dual(b, rng.standard_normal((m, n)), tag=tag)
            Bd = dg.Dual(B, rng.standard_normal((m, m, n)), tag=tag) if both else B
            t = median_time(lambda: fn(Ad, bd, Bd))
            rows.append([name, m, n, f"{t * 1e3:.2f}", f"{t / t_float:.1f}x",
                         f"{1 + n * (2 if both else 1)}x"])
    return table(["operation", "size", "n", "dual ms", "/ float op", "work ratio"], rows)


def reductions(quick):
    rng = np.random.default_rng(1)
    rows = []
    for N in ((100_000,) if quick else (100_000, 1_000_000)):
        for n in (4, 16):
            d = dg.Dual(rng.standard_normal(N), rng.standard_normal((N, n)))
            for name, fn in (("sum", np.sum), ("mean", np.mean)):
                times = {}
                for mode in ("numpy", "numba"):
                    with _kernels.use(mode):
                        times[mode] = median_time(lambda: fn(d))
                rows.append([name, f"{N:.0e}", n, f"{times['numpy'] * 1e3:.2f}",
                             f"{times['numba'] * 1e3:.2f}",
                             f"{times['numpy'] / times['numba']:.1f}x"])
    return table(["reduction", "N", "n", "NumPy ms", "numba ms", "numba speed-up"], rows)


def main():
    quick = "--quick" in sys.argv
    out = "\n".join(["## NumPy functions on duals (bench/bench_functions.py)", "",
                     products(quick), "", reductions(quick), ""])
    print(out)
    Path(__file__).with_name("RESULTS_functions.md").write_text(out + "\n")


if __name__ == "__main__":
    main()
