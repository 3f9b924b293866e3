"""A chemical kineticist's derivatives against approx_fprime and JAX, in one run.

A mass-action network of 20 species and 30 reactions (seeded; unimolecular and
bimolecular, rate constants spread over four decades), written as a kineticist
writes it: modified Arrhenius ``k = exp(lnA) T**b exp(-Ea / (R T))``, rates
``k * prod(c[:, None] ** order, axis=0)`` with the reactant order matrix, and
``np.einsum('sr,r->s', nu, r)`` over the stoichiometric matrix.

Rows (medians of ``--repeat`` calls, wall time, one BLAS thread):

* ``rhs_jac``: the right-hand side's 20 x 20 Jacobian in the concentrations (what
  ``solve_ivp(method="BDF", jac=...)`` calls) by ``dg.jacobian``, by a jitted
  ``jax.jacfwd`` of a port and by ``scipy.optimize.approx_fprime``; errors against
  the jax Jacobian (exact to rounding).
* ``sens``: the 20 x 30 sensitivities ``d y(t_f) / d lnA`` of a stiff integration:
  ``dg.jacobian`` of ``dg.solve_ivp(BDF)``, ``approx_fprime`` of SciPy's
  ``solve_ivp(BDF)`` (31 solves) and the forward sensitivity equations written by
  hand (jax's jitted Jacobians of the port, the augmented 20 + 600 system integrated
  by SciPy's BDF), all at ``rtol=1e-8, atol=1e-12``; errors (largest, relative to
  the largest entry) against the sensitivity equations at ``rtol=1e-12`` (Radau).

* ``sparse`` (with ``--sparse``): a 400-species chain network's sparse rhs Jacobian by
  ``dg.jacobian(..., sparsity=P)`` with ``P`` detected from the textbook
  ``c[:, None] ** order`` (dense: ``c ** 0`` is traced as depending on ``c``) and from
  ``np.where(order > 0, c[:, None] ** order, 1.0)`` (the true pattern), beside the dense
  ``dg.jacobian``; colors and times.

* ``daem`` (with ``--daem K``): an isothermal distributed-activation-energy pyrolysis
  model, 300 first-order components, ``d mass(t) / d lnA`` in the first K pre-exponential
  factors through ``dg.solve_ivp(BDF)``, against its closed form
  ``-w_i k_i t exp(-k_i t)``.  The augmented state holds 300 (K + 1) numbers; SciPy's
  error norm on it is a BLAS dot, so run it with ``OPENBLAS_NUM_THREADS=1`` and
  ``=2`` on a loaded machine to see BLAS's threads wait for a core (the script keeps
  a value given in the environment).

    python bench/kinetics.py [--repeat 3] [--sparse] [--daem 40]
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402
from scipy.optimize import approx_fprime  # noqa: E402

import dualgrad as dg  # noqa: E402

R = 8.314462618
NS, NR, T = 20, 30, 1000.0
rng = np.random.default_rng(49)
nu = np.zeros((NS, NR))
order = np.zeros((NS, NR))
for j in range(NR):
    reac = rng.choice(NS, size=1 + (j % 2), replace=False)
    prod = rng.choice(np.setdiff1d(np.arange(NS), reac), size=1 + (j % 3 == 0), replace=False)
    order[reac, j] = 1.0
    nu[reac, j] -= 1.0
    nu[prod, j] += 1.0
lnA0 = np.log(10.0 ** rng.uniform(8, 12, NR))
b = rng.uniform(-0.5, 0.5, NR)
Ea = rng.uniform(1.0e5, 1.5e5, NR)
c0 = rng.uniform(0.1, 1.0, NS)
TF = 1.0
TOL = dict(rtol=1e-8, atol=1e-12)


def rhs(t, c, lnA):
    k = np.exp(lnA) * T ** b * np.exp(-Ea / (R * T))
    r = k * np.prod(c[:, None] ** order, axis=0)
    return np.einsum('sr,r->s', nu, r)


def y_end_dg(lnA):
    return dg.solve_ivp(rhs, (0.0, TF), c0, method="BDF", args=(lnA,), **TOL).y[:, -1]


def y_end_scipy(lnA):
    return solve_ivp(rhs, (0.0, TF), c0, method="BDF", args=(lnA,), **TOL).y[:, -1]


def median_wall(fn, repeat):
    fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sparse", action="store_true", help="only the sparse-pattern row")
    ap.add_argument("--daem", type=int, default=0, help="only the DAEM row, with K parameters")
    a = ap.parse_args()
    print(f"load: {os.getloadavg()}")
    if a.daem:
        daem_row(a.daem, a.repeat)
        return
    if a.sparse:
        sparse_row(a.repeat)
        print(f"load after: {os.getloadavg()}")
        return
    rows = []
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
    except ImportError:
        jax = None
    # --- rhs Jacobian ---
    Jdg = dg.jacobian(lambda c: rhs(0.0, c, lnA0), c0)
    Jfd = approx_fprime(c0, lambda c: rhs(0.0, c, lnA0))
    t_dg = median_wall(lambda: dg.jacobian(lambda c: rhs(0.0, c, lnA0), c0), a.repeat * 5)
    t_fd = median_wall(lambda: approx_fprime(c0, lambda c: rhs(0.0, c, lnA0)), a.repeat * 5)
    if jax is not None:
        def rhs_j(c, lnA):
            k = jnp.exp(lnA) * T ** b * jnp.exp(-Ea / (R * T))
            # order is 0 or 1: c ** 0 written as 1 (jax's derivative of c ** 0 is nan at c = 0)
            r = k * jnp.prod(jnp.where(order > 0, c[:, None], 1.0), axis=0)
            return nu @ r
        jy = jax.jit(jax.jacfwd(rhs_j, 0))
        jp = jax.jit(jax.jacfwd(rhs_j, 1))
        fj = jax.jit(rhs_j)
        Jj = np.asarray(jy(c0, lnA0))
        t_j = median_wall(lambda: np.asarray(jy(c0, lnA0)), a.repeat * 5)
        scale = np.abs(Jj).max()
        rows.append(("rhs_jac 20x20", f"dg {t_dg*1e3:.2f} ms (err {np.abs(Jdg-Jj).max()/scale:.1e})",
                     f"approx_fprime {t_fd*1e3:.2f} ms (err {np.abs(Jfd-Jj).max()/scale:.1e})",
                     f"jax jit {t_j*1e3:.3f} ms"))
    else:
        rows.append(("rhs_jac 20x20", f"dg {t_dg*1e3:.2f} ms", f"approx_fprime {t_fd*1e3:.2f} ms", "jax: not installed"))

    # --- sensitivities of y(tf) in all 30 lnA ---
    def aug(t, z, method_jac):
        c = z[:NS]
        S = z[NS:].reshape(NS, NR)
        return np.concatenate([np.asarray(fj(c, lnA0)),
                               (np.asarray(jy(c, lnA0)) @ S + np.asarray(jp(c, lnA0))).ravel()])

    def sens_eqs(method, **tol):
        z0 = np.concatenate([c0, np.zeros(NS * NR)])
        return solve_ivp(aug, (0.0, TF), z0, method=method, args=(None,), **tol).y[NS:, -1].reshape(NS, NR)

    S_ref = sens_eqs("Radau", rtol=1e-12, atol=1e-14) if jax is not None else None
    S_dg = dg.jacobian(y_end_dg, lnA0)
    S_fd = approx_fprime(lnA0, y_end_scipy)
    t_dg = median_wall(lambda: dg.jacobian(y_end_dg, lnA0), a.repeat)
    t_fd = median_wall(lambda: approx_fprime(lnA0, y_end_scipy), a.repeat)
    if jax is not None:
        S_se = sens_eqs("BDF", **TOL)
        t_se = median_wall(lambda: sens_eqs("BDF", **TOL), a.repeat)
        sc = np.abs(S_ref).max()
        rows.append(("sens 20x30 BDF", f"dg.solve_ivp {t_dg:.2f} s (err {np.abs(S_dg-S_ref).max()/sc:.1e})",
                     f"approx_fprime {t_fd:.2f} s (err {np.abs(S_fd-S_ref).max()/sc:.1e})",
                     f"sens eqs (jax jac) {t_se:.2f} s (err {np.abs(S_se-S_ref).max()/sc:.1e})"))
    else:
        rows.append(("sens 20x30 BDF", f"dg.solve_ivp {t_dg:.2f} s", f"approx_fprime {t_fd:.2f} s", "jax: not installed"))
    for r in rows:
        print(" | ".join(r))
    print(f"load after: {os.getloadavg()}")


def daem_row(K, repeat, n=300, temperature=700.0):
    w = np.random.default_rng(1).dirichlet(np.ones(n))
    ea = np.linspace(1.5e5, 2.5e5, n)
    lnA_all = np.full(n, np.log(1e13))
    ts = np.array([1.0, 10.0, 100.0])

    def daem_rhs(t, x, lnA):
        return -np.exp(lnA - ea / (R * temperature)) * x

    def mass(lnA_K):
        lnA = np.concatenate([lnA_K, lnA_all[K:]])
        sol = dg.solve_ivp(daem_rhs, (0.0, 100.0), np.ones(n), t_eval=ts, args=(lnA,),
                           method="BDF", rtol=1e-10, atol=1e-14)
        return w @ sol.y

    k = np.exp(lnA_all - ea / (R * temperature))[:K]
    exact = -(w[:K] * k)[None, :] * ts[:, None] * np.exp(-k[None, :] * ts[:, None])
    J = dg.jacobian(mass, lnA_all[:K])
    t = median_wall(lambda: dg.jacobian(mass, lnA_all[:K]), repeat)
    print(f"daem 300 components, K={K}, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS')}: {t:.2f} s "
          f"(err {np.abs(J - exact).max() / np.abs(exact).max():.1e}), load {os.getloadavg()}")


def sparse_row(repeat, n=400):
    nu_c = np.zeros((n, n - 1))
    i = np.arange(n - 1)
    nu_c[i, i], nu_c[i + 1, i] = -1.0, 1.0
    order_c = (nu_c < 0).astype(float)
    k = np.linspace(1.0, 2.0, n - 1)
    c = np.linspace(0.1, 1.0, n)

    def textbook(c):
        return nu_c @ (k * np.prod(c[:, None] ** order_c, axis=0))

    def where(c):
        return nu_c @ (k * np.prod(np.where(order_c > 0, c[:, None] ** order_c, 1.0), axis=0))

    J_true = nu_c @ np.hstack([np.diag(k), np.zeros((n - 1, 1))])
    cells = []
    for name, f in (("c ** order", textbook), ("np.where(order > 0, ...)", where)):
        P = dg.sparsity(f, c)
        J = dg.jacobian(f, c, sparsity=P)
        t = median_wall(lambda: dg.jacobian(f, c, sparsity=P), repeat)
        cells.append(f"{name}: pattern {P.nnz} (true {np.count_nonzero(J_true)}), "
                     f"{t * 1e3:.1f} ms (err {np.abs(J.toarray() - J_true).max():.1e})")
    t = median_wall(lambda: dg.jacobian(textbook, c), repeat)
    cells.append(f"dense dg.jacobian {t * 1e3:.1f} ms")
    print(f"sparse {n}x{n} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
