"""A diffusive energy-balance model: its Jacobian, its steady state, and that state's
sensitivity to the solar constant, exact.

The classic one-dimensional EBM (North et al. 1981; the parameters of the CLASSIC_EBM
code, github.com/nholschuh/CLASSIC_EBM, src/parameters.py): on x = sin(latitude),

    C dT/dt = Q S(x) a(x) - (A + B T) + d/dx[(1 - x**2) D dT/dx],

with insolation S = 1 + S2 P2(x) (scipy.special.legendre(2)), a co-albedo smoothed by
scipy.special.erf across the ice edge, and the diffusion written as a modeller writes it,
with np.gradient twice.  dualgrad gives the tangent-linear operator dg.jacobian (sparse,
its pattern found from the code), a Newton solve for the steady state, the steady
state's derivative in Q by differentiating through the Newton steps, and the insolation's
meridional gradient from scipy.special.legendre; each is checked against the complex
step or a closed form.

Run:  python examples/energy_balance.py
"""

import numpy as np
import scipy.special as sc

import dualgrad as dg

A, B, S2, D = 203.3, 2.09, -0.482, 0.649      # W m-2, W m-2 K-1, -, W m-2 K-1
C = 0.16 * B                                   # W yr m-2 K-1
A_FREE, A_ICE, WIDTH = 0.70, 0.38, 0.3         # co-albedo of open and ice-covered surface
N = 60
X = np.linspace(0.5 / N, 1 - 0.5 / N, N)       # sin(latitude), cell centres


def insolation(x, Q=335.0):
    return Q * (1 + S2 * sc.legendre(2)(x))


def tendency(T, Q=335.0, xi=0.9):
    coalbedo = 0.5 * (A_FREE + A_ICE) + 0.5 * (A_ICE - A_FREE) * sc.erf((X - xi) / WIDTH)
    flux = (1 - X**2) * D * np.gradient(T, X)
    return (insolation(X, Q) * coalbedo - (A + B * T) + np.gradient(flux, X)) / C


def steady(Q, T=None, steps=8):
    """Newton's method; each step's Jacobian from dualgrad, at plain values."""
    T = 20.0 - 40.0 * X**2 if T is None else T
    for _ in range(steps):
        Jac = dg.jacobian(tendency, dg.stop_gradient(T), dg.stop_gradient(Q))
        T = T - np.linalg.solve(Jac, tendency(T, Q))
    return T


def complex_step(f, x, h=1e-30):
    x = np.asarray(x, dtype=float)
    cols = [np.imag(f(x + 1j * h * e)) / h for e in np.eye(x.size).reshape((x.size,) + x.shape)]
    return np.stack(cols, axis=-1)


def main():
    T0 = 20.0 - 40.0 * X**2
    J = dg.jacobian(tendency, T0, sparsity="auto", format="csr")
    Jc = complex_step(tendency, T0)
    print(f"tangent-linear operator: {J.nnz} nonzeros of {N * N}, "
          f"max |jacobian - complex step| = {np.max(np.abs(J.toarray() - Jc)):.1e} "
          f"(entries up to {np.max(np.abs(Jc)):.0f})")

    T = steady(335.0)
    print(f"steady state: max |tendency| = {np.max(np.abs(tendency(T))):.1e} K/yr, "
          f"equator {T[0]:.2f} C, pole {T[-1]:.2f} C")

    dT = dg.derivative(steady, 335.0, T)
    # oracle: the implicit function theorem, dT*/dQ = -J^-1 df/dQ, both by complex step
    Jq = complex_step(tendency, T)
    fq = np.imag(tendency(T, 335.0 + 1e-30j)) / 1e-30
    ift = -np.linalg.solve(Jq, fq)
    print(f"dT*/dQ: equator {dT[0]:.5f}, pole {dT[-1]:.5f} K per W m-2; "
          f"max |through Newton - implicit function theorem| = {np.max(np.abs(dT - ift)):.1e}")

    dS = dg.elementwise_grad(insolation)(X)
    exact = 335.0 * S2 * 3 * X                  # d/dx Q (1 + S2 (3 x**2 - 1) / 2)
    print(f"insolation gradient dS/dx: max |dualgrad - exact| = {np.max(np.abs(dS - exact)):.1e}")


if __name__ == "__main__":
    main()
