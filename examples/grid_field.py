"""An exact gradient field on a grid, beside numpy.gradient's error.

The field ``E = -grad V`` of a potential sampled on a grid: ``dg.elementwise_grad``
returns it exactly at every grid point, where ``numpy.gradient`` differences
neighbouring samples and is off by an amount that depends on the spacing and on
the curvature (worst at the edges, where it falls back to one-sided
differences).

Run:  python examples/grid_field.py
"""

import matplotlib.pyplot as plt
import numpy as np

import dualgrad as dg


def potential(x, y):
    return np.exp(-(x**2 + y**2) / 2) * np.sin(2 * x) + 0.3 * np.cos(y)


def exact_gradient(x, y):
    """By hand, only to check against."""
    g = np.exp(-(x**2 + y**2) / 2)
    return (g * (2 * np.cos(2 * x) - x * np.sin(2 * x)),
            -y * g * np.sin(2 * x) - 0.3 * np.sin(y))


def main():
    h = 0.1
    x, y = np.meshgrid(np.arange(-3, 3 + h / 2, h), np.arange(-3, 3 + h / 2, h),
                       indexing="ij")
    dx, dy = dg.elementwise_grad(potential, argnums=(0, 1))(x, y)
    ax_, ay_ = exact_gradient(x, y)
    gx, gy = np.gradient(potential(x, y), h, h)
    err_dg = np.hypot(dx - ax_, dy - ay_)
    err_np = np.hypot(gx - ax_, gy - ay_)
    print(f"grid {x.shape}, spacing {h}")
    print(f"largest error of the gradient: dualgrad {err_dg.max():.1e}, "
          f"numpy.gradient {err_np.max():.1e}")

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.4), constrained_layout=True)
    c = left.contourf(x, y, potential(x, y), levels=30, cmap="RdBu_r")
    s = 4
    left.quiver(x[::s, ::s], y[::s, ::s], -dx[::s, ::s], -dy[::s, ::s], color="k")
    left.set_title("V and the exact field -grad V (dualgrad)")
    fig.colorbar(c, ax=left, label="V")
    e = right.pcolormesh(x, y, np.log10(err_np + 1e-17), cmap="viridis", shading="auto")
    right.set_title(f"numpy.gradient's error, h = {h}\n(dualgrad's: {err_dg.max():.0e} "
                    "everywhere)")
    fig.colorbar(e, ax=right, label="log10 |error|")
    for ax in (left, right):
        ax.set_aspect("equal")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    return fig


if __name__ == "__main__":
    main()
    plt.show()
