"""The AC power-flow Jacobian of complex-voltage NumPy code (userpower50): dualgrad's
sparse Jacobian against the hand-derived formulas, finite differences and JAX.

    python bench/power_flow.py [--buses 300 2000] [--repeat 7]

The mismatch is examples/power_flow.py's (``S = V conj(Y V)`` with a scipy.sparse ``Y``,
unknowns ``[Va(pv, pq), Vm(pq)]``), on a synthetic meshed network of ``nb`` buses (a ring
with chords to buses up to 20 places away, 1.4 branches per bus as in IEEE's 300-bus
case; a generator on every 8th bus; loads drawn with a fixed seed), solved first by
Newton's method so that every timing is taken at the operating point.  Median seconds
(bench/_common.py: one BLAS thread, CPU time) of

* ``hand``: technical note 2's matrix formulas (PYPOWER's dSbus_dV) in scipy.sparse,
* ``dg sparse``: ``dg.jacobian(mismatch, x, S, sparsity=P)``, ``P`` from ``Y``'s
  structure (``dg.sparsity`` refused complex intermediates before stop 50), with its checking pass,
  and ``check_sparsity=False``; ``dg sparse, np.r_ f`` with the mismatch's result
  built by PYPOWER's ``np.r_[...]`` (an object array of scalar duals) instead of
  ``np.concatenate``,
* ``dg.sparsity (detect)``: detecting the pattern from the code, through the complex
  voltages (its rows compare the detected pattern with the hand Jacobian's nonzeros),
* ``dg dense``, ``approx_fprime`` (SciPy's forward differences) and ``jax.jacfwd``
  (jitted, x64, dense ``Y``; compile time excluded) where ``nb <= 300``,
* ``jax sparse``: ``jax.jacfwd`` of the same code with ``Y`` a BCOO matrix, jitted,

and one whole Newton solve (from a flat start) with the hand and the dualgrad Jacobian.
Every Jacobian is compared with the hand one first.  A peer that is not installed is
skipped.
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.optimize import approx_fprime

from _common import median_time

import dualgrad as dg


def network(nb, seed=0):
    """A meshed synthetic grid: (Y, S, pv, pq) in p.u."""
    rng = np.random.default_rng(seed)
    f = np.arange(nb)
    t = (f + 1) % nb
    extra = int(0.4 * nb)
    cf = rng.integers(0, nb, extra)
    ct = (cf + rng.integers(2, 21, extra)) % nb
    f, t = np.concatenate([f, cf]), np.concatenate([t, ct])
    r = rng.uniform(0.002, 0.01, len(f))
    ys = 1 / (r + 1j * r * rng.uniform(5, 10, len(f)))
    ysh = 0.5j * rng.uniform(0, 0.04, len(f))
    Y = sp.csr_matrix((np.concatenate([ys + ysh, ys + ysh, -ys, -ys]),
                       (np.concatenate([f, t, f, t]), np.concatenate([f, t, t, f]))),
                      shape=(nb, nb))
    kind = np.ones(nb, int)
    kind[::8] = 2
    kind[0] = 3
    load = rng.uniform(0.05, 0.3, nb)
    S = -(load + 0.3j * load)
    S[kind == 2] += 1.05 * load.sum() / np.sum(kind == 2)
    return Y, S, np.flatnonzero(kind == 2), np.flatnonzero(kind == 1)


class Case:
    """The mismatch of one network, in the example's spelling, and its hand Jacobian."""

    def __init__(self, nb):
        self.Y, self.S, self.pv, self.pq = network(nb)
        self.nb = nb
        self.pvpq = np.concatenate([self.pv, self.pq])
        self.Vm = np.ones(self.nb)
        self.Vm[self.pv] = 1.02
        self.Vm[0] = 1.02
        rows = np.concatenate([self.pvpq, self.pq])
        self.P = (self.Y != 0)[rows][:, rows]

    def x0(self):
        return np.concatenate([np.zeros(len(self.pvpq)), self.Vm[self.pq]])

    def voltages(self, x):
        Va = np.zeros_like(x, shape=self.nb)
        Vm = self.Vm + np.zeros_like(x, shape=self.nb)
        Va[self.pvpq] = x[:len(self.pvpq)]
        Vm[self.pq] = x[len(self.pvpq):]
        return Vm * np.exp(1j * Va)

    def mismatch(self, x, S):
        V = self.voltages(x)
        mis = V * np.conj(self.Y @ V) - S
        return np.concatenate([mis[self.pvpq].real, mis[self.pq].imag])

    def mismatch_r_(self, x, S):
        """PYPOWER's spelling of the same result: np.r_, an object array of scalar duals."""
        V = self.voltages(x)
        mis = V * np.conj(self.Y @ V) - S
        return np.r_[mis[self.pvpq].real, mis[self.pq].imag]

    def hand(self, x, S=None):
        V = self.voltages(x)
        Y = self.Y
        I = Y @ V
        dV, dI, dVn = sp.diags(V), sp.diags(I), sp.diags(V / np.abs(V))
        dS_dVm = (dV @ (Y @ dVn).conj() + dI.conj() @ dVn).tocsr()
        dS_dVa = (1j * dV @ (dI - Y @ dV).conj()).tocsr()
        a, q = self.pvpq, self.pq
        return sp.bmat([[dS_dVa[a][:, a].real, dS_dVm[a][:, q].real],
                        [dS_dVa[q][:, a].imag, dS_dVm[q][:, q].imag]], format="csr")

    def newton(self, jac, tol=1e-10):
        x = self.x0()
        for it in range(30):
            F = self.mismatch(x, self.S)
            if np.max(np.abs(F)) < tol:
                return x, it
            x = x - spla.spsolve(jac(x).tocsc(), F)
        raise RuntimeError("no convergence")


def jax_jacobians(case, dense):
    try:
        import jax
        import jax.numpy as jnp
        from jax.experimental import sparse as jsparse
    except ImportError:
        return {}
    jax.config.update("jax_enable_x64", True)
    pvpq, pq, S = jnp.asarray(case.pvpq), jnp.asarray(case.pq), jnp.asarray(case.S)
    Vm0 = jnp.asarray(case.Vm)
    n1 = len(case.pvpq)

    def make(Y):
        def mismatch(x):
            Va = jnp.zeros(case.nb).at[pvpq].set(x[:n1])
            Vm = Vm0.at[pq].set(x[n1:])
            V = Vm * jnp.exp(1j * Va)
            mis = V * jnp.conj(Y @ V) - S
            return jnp.concatenate([mis[pvpq].real, mis[pq].imag])
        return jax.jit(jax.jacfwd(mismatch))
    out = {"jax sparse": make(jsparse.BCOO.from_scipy_sparse(case.Y))}
    if dense:
        out["jax dense"] = make(jnp.asarray(case.Y.toarray()))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--buses", type=int, nargs="+", default=[300, 2000])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), python {sys.version.split()[0]}")
    for nb in args.buses:
        case = Case(nb)
        x, _ = case.newton(case.hand)
        S = case.S
        n = x.size
        Jh = case.hand(x)
        small = nb <= 300
        calls = {
            "hand": lambda: case.hand(x),
            "dg sparse": lambda: dg.jacobian(case.mismatch, x, S, sparsity=case.P),
            "dg sparse unchecked": lambda: dg.jacobian(case.mismatch, x, S, sparsity=case.P,
                                                       check_sparsity=False),
        }
        calls["dg.sparsity (detect)"] = lambda: dg.sparsity(case.mismatch, x, S)
        calls["dg sparse, np.r_ f"] = lambda: dg.jacobian(case.mismatch_r_, x, S,
                                                          sparsity=case.P)
        if small:
            calls["dg dense"] = lambda: dg.jacobian(case.mismatch, x, S)
            calls["approx_fprime"] = lambda: approx_fprime(x, case.mismatch, 1.5e-8, S)
        for name, jit in jax_jacobians(case, small).items():
            calls[name] = (lambda j: lambda: np.asarray(j(x)))(jit)
        print(f"\n{nb} buses, {n} unknowns, {case.P.nnz} nonzeros "
              f"({len(np.unique(case.P.indices))} columns)")
        times = {}
        for name, call in calls.items():
            J = call()
            J = J.toarray() if sp.issparse(J) else np.asarray(J)
            if name.startswith("dg.sparsity"):
                nz = Jh.toarray() != 0
                check = (f"pattern {np.count_nonzero(J)} entries, missing "
                         f"{np.count_nonzero(nz & (J == 0))} of the hand Jacobian's {nz.sum()}")
            else:
                err = np.max(np.abs(J - Jh.toarray())) / np.max(np.abs(Jh.data))
                check = f"rel. error {err:.1e}"
            times[name] = median_time(call, repeat=args.repeat, clock=time.process_time)
            print(f"  {name:22s} {times[name] * 1e3:9.3f} ms  {times[name] / times['hand']:7.2f}x "
                  f"hand   {check}")
        for name, jac in [("hand", case.hand),
                          ("dg sparse", lambda z: dg.jacobian(case.mismatch, z, S,
                                                              sparsity=case.P))]:
            samples = []
            for _ in range(3):
                t0 = time.process_time()
                _, its = case.newton(jac)
                samples.append(time.process_time() - t0)
            print(f"  Newton solve, {name:10s} {statistics.median(samples) * 1e3:9.2f} ms "
                  f"({its} steps)")
    print(f"\nload: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
