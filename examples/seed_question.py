"""The question dualgrad answers: exact derivatives of plain NumPy code.

Run:  python examples/seed_question.py
"""

import numpy as np

import dualgrad as dg


def func(q, chi, delta):
    return q * chi * delta


def potential(x, y, z):
    return 2 * x**2 + 3 * y**2 - 4 * z


def main():
    dq, dchi, ddelta = dg.grad(func, argnums=(0, 1, 2))(1.0, 2.0, 3.0)
    print("f(q, chi, delta) = q * chi * delta at (1, 2, 3)")
    print(f"  df/dq = {dq}, df/dchi = {dchi}, df/ddelta = {ddelta}   (exact: 6, 3, 2)")

    x, y, z = np.mgrid[-100:101:25., -100:101:25., -100:101:25.]
    Ex, Ey, Ez = dg.elementwise_grad(potential, argnums=(0, 1, 2))(x, y, z)
    V = potential(x, y, z)
    Gx, Gy, Gz = np.gradient(V, 25.0, 25.0, 25.0)
    print(f"\nV = 2x^2 + 3y^2 - 4z on a {x.shape} grid, spacing 25")
    print("  largest error against the exact field (4x, 6y, -4):")
    print(f"    dualgrad.elementwise_grad: {np.abs(Ex - 4*x).max():.1e}, "
          f"{np.abs(Ey - 6*y).max():.1e}, {np.abs(Ez + 4).max():.1e}")
    print(f"    numpy.gradient:            {np.abs(Gx - 4*x).max():.1e}, "
          f"{np.abs(Gy - 6*y).max():.1e}, {np.abs(Gz + 4).max():.1e}")
    print(f"  dV/dx at the corner (-100, -100, -100): dualgrad {Ex[0, 0, 0]}, "
          f"numpy.gradient {Gx[0, 0, 0]}, exact {4 * x[0, 0, 0]}")


if __name__ == "__main__":
    main()
