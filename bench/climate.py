"""A climate / ocean modeller's first day with dualgrad (climate47): derivatives of plain
NumPy / SciPy climate code, each checked against an independent oracle and timed against
``scipy.optimize.approx_fprime`` and the function itself in one process.

    python bench/climate.py [--repeat R]

Problems (sources cited; the code is written for this script after them):

* l96_tlm: the tangent-linear model of 50 hand-written RK4 steps (dt 0.01) of Lorenz-96,
  N = 40, the right-hand side with np.roll (the Wikipedia form; the loop form of
  eviatarbach/acm270_projects lorenz96/numerical_model.py @ bf23a4ee is refused with the
  np.zeros -> np.zeros_like fix). dg.jacobian (dense) and dg.jvp (one direction).
  Oracle: the complex step (everything is analytic).
* 4dvar: a strong-constraint 4D-Var cost of the L96 state, background term
  0.5 d^T B^-1 d by np.linalg.solve, 5 observation windows of 10 RK4 steps observing every
  other variable; gradient by dg.grad and dg.approx_fprime (SciPy's signature). Oracle:
  the complex step.
* ebm: a 60-cell diffusive EBM (North et al. 1981; parameters of nholschuh/CLASSIC_EBM
  src/parameters.py @ b4a3e035, smoothed co-albedo of src/numerics.py @ caf2d065 with
  scipy.special.erf and legendre(2)); tendency Jacobian dense and sparsity=P (P from
  dg.sparsity once). Oracle: the complex step.
* limiter: 20 steps of flux-limited (superbee) Lax-Wendroff advection with np.roll and
  np.maximum/np.minimum on 64 cells (1995hnagamin/emvsc vlasov.py @ 80a8f53e). Oracle:
  jax.jacfwd of the same code in jax.numpy (x64) when jax imports, else skipped.

Each row: the worst error of dualgrad and of approx_fprime against the oracle (over the
largest entry), and median wall times of f, dualgrad and approx_fprime (one thread each,
a shared machine: report ``uptime`` beside them).
"""

import argparse
import os

import numpy as np
import scipy.special as sc
from scipy.optimize import approx_fprime

from _common import median_time

import dualgrad as dg


# ---- Lorenz-96, RK4, 4D-Var --------------------------------------------------------------
def l96(x, F=8.0):
    return (np.roll(x, -1) - np.roll(x, 2)) * np.roll(x, 1) - x + F


def rk4(x, F=8.0, dt=0.01, nsteps=50):
    for _ in range(nsteps):
        k1 = l96(x, F)
        k2 = l96(x + dt / 2 * k1, F)
        k3 = l96(x + dt / 2 * k2, F)
        k4 = l96(x + dt * k3, F)
        x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x


N = 40
RNG = np.random.default_rng(0)
X0 = 8 + RNG.standard_normal(N)
H = np.eye(N)[::2]
BCOV = 0.5 * np.eye(N) + 0.1 * np.exp(-np.abs(np.subtract.outer(np.arange(N), np.arange(N))))
OBS = []
_x = rk4(X0 + 0.5)
for _ in range(5):
    _x = rk4(_x, nsteps=10)
    OBS.append(H @ _x + 0.1 * RNG.standard_normal(N // 2))


def cost(x):
    d = x - X0
    J = 0.5 * d @ np.linalg.solve(BCOV, d)
    for k in range(5):
        x = rk4(x, nsteps=10)
        r = H @ x - OBS[k]
        J = J + 0.5 * r @ r / 0.01
    return J


def complex_step(f, x, h=1e-30):
    return np.stack([np.imag(f(x + 1j * h * e)) / h for e in np.eye(x.size)], axis=-1)


# ---- EBM -----------------------------------------------------------------------------------
A, B, S2, D, C = 203.3, 2.09, -0.482, 0.649, 0.16 * 2.09
NE = 60
XE = np.linspace(0.5 / NE, 1 - 0.5 / NE, NE)


def tendency(T, Q=335.0, xi=0.9, X=XE):
    coalbedo = 0.54 - 0.16 * sc.erf((X - xi) / 0.3)
    flux = (1 - X**2) * D * np.gradient(T, X)
    return (Q * (1 + S2 * sc.legendre(2)(X)) * coalbedo - (A + B * T)
            + np.gradient(flux, X)) / C


# ---- flux-limited advection ------------------------------------------------------------------
def superbee(r, xp=np):
    return xp.maximum(0, xp.maximum(xp.minimum(2 * r, 1), xp.minimum(r, 2)))


def advect(u, courant=0.4, nsteps=20, xp=np):
    for _ in range(nsteps):
        diff = xp.roll(u, -1) - u
        p = superbee(xp.divide(xp.roll(diff, 1), diff + 1e-100), xp)
        F = u + p * (1 - courant) / 2 * diff
        u = u + courant * (xp.roll(F, 1) - F)
    return u


NA = 64
_g = np.linspace(0, 1, NA, endpoint=False)
U0 = np.exp(-((_g - 0.3) / 0.08) ** 2) + 0.3 * np.sin(2 * np.pi * _g)


def fd_jacobian(f, x):
    """approx_fprime of a vector function (SciPy returns the Jacobian)."""
    return approx_fprime(x, f)


def err(J, ref):
    return np.max(np.abs(np.asarray(J) - ref)) / np.max(np.abs(ref))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    r = ap.parse_args().repeat
    print(f"load: {os.getloadavg()}")
    rows = []

    ref = complex_step(rk4, X0)
    t_f = median_time(lambda: rk4(X0), r)
    t_dg = median_time(lambda: dg.jacobian(rk4, X0), r)
    t_fd = median_time(lambda: fd_jacobian(rk4, X0), r)
    rows.append(("l96_tlm jacobian", err(dg.jacobian(rk4, X0), ref),
                 err(fd_jacobian(rk4, X0), ref), t_f, t_dg, t_fd))
    v = RNG.standard_normal(N)
    t_jvp = median_time(lambda: dg.jvp(rk4, X0, v), r)
    rows.append(("l96_tlm jvp (1 dir)", err(dg.jvp(rk4, X0, v)[1], ref @ v),
                 float("nan"), t_f, t_jvp, float("nan")))

    ref = complex_step(cost, X0)
    t_f = median_time(lambda: cost(X0), r)
    t_dg = median_time(lambda: dg.grad(cost)(X0), r)
    t_dga = median_time(lambda: dg.approx_fprime(X0, cost), r)
    t_fd = median_time(lambda: approx_fprime(X0, cost), r)
    rows.append(("4dvar grad", err(dg.grad(cost)(X0), ref), err(approx_fprime(X0, cost), ref),
                 t_f, t_dg, t_fd))
    rows.append(("4dvar dg.approx_fprime", err(dg.approx_fprime(X0, cost), ref),
                 float("nan"), t_f, t_dga, t_fd))

    T0 = 20.0 - 40.0 * XE**2
    ref = complex_step(tendency, T0)
    P = dg.sparsity(tendency, T0)
    t_f = median_time(lambda: tendency(T0), r)
    t_dg = median_time(lambda: dg.jacobian(tendency, T0), r)
    t_sp = median_time(lambda: dg.jacobian(tendency, T0, sparsity=P), r)
    t_fd = median_time(lambda: fd_jacobian(tendency, T0), r)
    rows.append(("ebm jacobian dense", err(dg.jacobian(tendency, T0), ref),
                 err(fd_jacobian(tendency, T0), ref), t_f, t_dg, t_fd))
    rows.append((f"ebm jacobian sparsity=P ({P.nnz} nnz)",
                 err(dg.jacobian(tendency, T0, sparsity=P).toarray(), ref),
                 float("nan"), t_f, t_sp, t_fd))

    # the same EBM on 1,000 cells: where colored seeding pays (5 colors for 1,000 columns)
    Xb = np.linspace(0.5e-3, 1 - 0.5e-3, 1000)
    Tb = 20.0 - 40.0 * Xb**2
    fb = lambda T: tendency(T, X=Xb)                                    # noqa: E731
    Pb = dg.sparsity(fb, Tb)
    ref = complex_step(fb, Tb)
    t_f = median_time(lambda: fb(Tb), r)
    t_dg = median_time(lambda: dg.jacobian(fb, Tb), r)
    t_sp = median_time(lambda: dg.jacobian(fb, Tb, sparsity=Pb), r)
    rows.append(("ebm N=1000 jacobian dense", err(dg.jacobian(fb, Tb), ref), float("nan"),
                 t_f, t_dg, float("nan")))
    rows.append((f"ebm N=1000 sparsity=P ({Pb.nnz} nnz)",
                 err(dg.jacobian(fb, Tb, sparsity=Pb).toarray(), ref), float("nan"), t_f, t_sp,
                 float("nan")))

    try:
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        ref = np.asarray(jax.jacfwd(lambda u: advect(u, xp=jnp))(jnp.asarray(U0)))
    except ImportError:
        ref = None
    if ref is not None:
        t_f = median_time(lambda: advect(U0), r)
        t_dg = median_time(lambda: dg.jacobian(advect, U0), r)
        t_fd = median_time(lambda: fd_jacobian(advect, U0), r)
        rows.append(("limiter jacobian (vs jax)", err(dg.jacobian(advect, U0), ref),
                     err(fd_jacobian(advect, U0), ref), t_f, t_dg, t_fd))

    print(f"{'problem':38s} {'err dg':>9s} {'err fd':>9s} {'f ms':>8s} {'dg ms':>8s} "
          f"{'fd ms':>8s} {'fd/dg':>6s} {'dg/f':>6s}")
    for name, e1, e2, tf, td, tfd in rows:
        print(f"{name:38s} {e1:9.1e} {e2:9.1e} {tf*1e3:8.3f} {td*1e3:8.2f} {tfd*1e3:8.2f} "
              f"{tfd/td:6.2f} {td/tf:6.1f}")
    print(f"load: {os.getloadavg()}")


if __name__ == "__main__":
    main()
