"""The sparsity pattern of a Jacobian: a 2-D reaction-diffusion residual.

``F(u) = laplacian(u) + lam * exp(u)`` on an ``m x m`` grid (the Bratu problem,
five-point stencil, zero boundary values): each residual depends on its cell
and four neighbours, so the ``m^2 x m^2`` Jacobian has at most five nonzeros per
row.  With ``dg.sparsity`` (dualgrad with sparse support) the pattern is detected
and the Jacobian computed compressed, as a ``scipy.sparse`` matrix; without it,
the pattern shown is the nonzeros of the dense ``dg.jacobian``.

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


def main():
    m = 12
    u = np.linspace(0.0, 0.5, m * m)
    dense = dg.jacobian(residual, u)
    if hasattr(dg, "sparsity"):
        pattern = dg.sparsity(residual, u)
        J = dg.jacobian(residual, u, sparsity=pattern)
        how = "detected by dg.sparsity, Jacobian compressed"
        print(f"sparse Jacobian equals the dense one: {np.allclose(J.toarray(), dense)}")
        shown = J
    else:
        how = "nonzeros of the dense dg.jacobian"
        shown = dense != 0
    nnz = np.count_nonzero(dense)
    print(f"Jacobian {dense.shape}: {nnz} nonzeros ({how}), "
          f"{nnz / dense.shape[0]:.2f} per row")

    fig, ax = plt.subplots(figsize=(5.5, 5.5), constrained_layout=True)
    ax.spy(shown, markersize=2)
    ax.set_title(f"Bratu residual on a {m} x {m} grid: d F / d u\n({how})", fontsize="medium")
    return fig


if __name__ == "__main__":
    main()
    plt.show()
