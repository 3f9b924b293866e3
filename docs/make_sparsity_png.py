"""Draw docs/img/sparsity.png: the pattern dg.sparsity detects for the Brusselator of
examples/sparse_brusselator.py (a 2 x 10 x 10 grid, so the stencil is visible).

Run:  python docs/make_sparsity_png.py     (needs matplotlib)
"""

import runpy
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import dualgrad as dg  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main(N=10):
    ex = runpy.run_path(str(ROOT / "examples" / "sparse_brusselator.py"))
    y = ex["initial_state"](N)
    P = dg.sparsity(ex["rhs_of_y"], y, 0.0, N)
    colors = int(dg.api._coloring.column_coloring(P).max()) + 1
    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    ax.spy(P, markersize=1.5)
    ax.set_title(f"dg.sparsity: Brusselator 2 x {N} x {N}\n{P.nnz} nonzeros, "
                 f"{colors} colors", fontsize=10)
    out = ROOT / "docs" / "img" / "sparsity.png"
    fig.savefig(out, bbox_inches="tight")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
