"""The sparsity pattern of a Jacobian: a 2-D reaction-diffusion residual.

``F(u) = laplacian(u) + lam * exp(u)`` on an ``m x m`` grid (the Bratu problem,
five-point stencil, zero boundary values): each residual depends on its cell
and four neighbours, so the ``m^2 x m^2`` Jacobian has at most five nonzeros per
row.  The pattern is detected by ``dg.sparsity`` where that exists, and is
otherwise written down from the stencil; ``dg.jacobian(..., sparsity=pattern)`` then
computes the Jacobian compressed (one pass per color of columns, not per
column) and returns a ``scipy.sparse`` matrix, equal to the dense one.

Run:  python examples/sparse_pattern.py
"""

import matplotlib.pyplot as plt
import numpy as np

import dualgrad as dg


def residual(u, lam=1.0, m=12):
    grid = u.reshape(m, m)
    padded = np.pad(grid, 1)                    # zero boundary values
    lap = (padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]
           - 4 * grid) * (m + 1) ** 2
    return (lap + lam * np.exp(grid)).ravel()


def stencil_pattern(m):
    """Which unknowns each residual reads: the cell and its four neighbours."""
    idx = np.arange(m * m).reshape(m, m)
    pattern = np.zeros((m * m, m * m), dtype=bool)
    pattern[idx, idx] = True
    pattern[idx[1:], idx[:-1]] = pattern[idx[:-1], idx[1:]] = True
    pattern[idx[:, 1:], idx[:, :-1]] = pattern[idx[:, :-1], idx[:, 1:]] = True
    return pattern


def main():
    m = 12
    u = np.linspace(0.0, 0.5, m * m)
    dense = dg.jacobian(residual, u)
    if hasattr(dg, "sparsity"):
        pattern, how = dg.sparsity(residual, u), "detected by dg.sparsity"
    else:
        pattern, how = stencil_pattern(m), "the stencil's pattern, given"
    J = dg.jacobian(residual, u, sparsity=pattern)      # scipy.sparse, compressed seeding
    print(f"Jacobian {J.shape}: {J.nnz} stored entries ({how}), "
          f"{J.nnz / J.shape[0]:.2f} per row")
    print(f"equal to the dense dg.jacobian: {np.array_equal(J.toarray(), dense)}")

    fig, ax = plt.subplots(figsize=(5.5, 5.5), constrained_layout=True)
    ax.spy(J, markersize=2)
    ax.set_title(f"Bratu residual on a {m} x {m} grid: d F / d u\n({how})", fontsize="medium")
    return fig


if __name__ == "__main__":
    main()
    plt.show()
