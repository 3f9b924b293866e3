"""Cholesky's tangent: dualgrad's triangular products (stop 49) against the inverse's
dense products it replaced and JAX's ``jvp`` of ``jnp.linalg.cholesky`` (skipped if JAX
is not installed), one thread, medians.

    PYTHONPATH=. python bench/cholesky_tangent.py [--sizes 50 200 500] [--directions 1 8]

``dualgrad``: ``dg.jvp`` (one direction) / ``dg.jacobian``'s path, a dual ``A`` with ``n``
directions through ``np.linalg.cholesky`` (the value's factorization included).
``inverse``: the old path's steps written out here (``L^-1`` by LAPACK's ``inv``, ``S = L^-1 dA
L^-T`` and ``dL = L Phi`` by dense products, every direction one stacked ``matmul``).
``jax``: ``jax.jit(jax.vmap(jvp))`` over the directions (float64), compiled before timing.
Each cell: the median process CPU seconds of a call (``time.process_time``: a shared
machine's descheduling stays out; JAX's own threads count in full), and the ratio to
dualgrad's in the same run.
"""
import argparse
import os
import time

from _common import keep_freed_memory, median_time, table  # (one BLAS thread first)

import numpy as np

import dualgrad as dg
from dualgrad.dual import make


def old_path(A, P):
    """The stop 48 fast path: L^-1 and two dense products a direction, then L Phi."""
    L = np.linalg.cholesky(A)
    Linv = np.linalg.inv(L)
    m = A.shape[-1]
    lower = np.tri(m, dtype=bool)
    weights = np.tri(m) - 0.5 * np.eye(m)
    dA = np.moveaxis(P, -1, 0)
    dA = np.where(lower, dA, np.swapaxes(dA, -1, -2))
    S = Linv @ dA @ Linv.T
    return L, np.moveaxis(L @ np.where(lower, S * weights, 0.0), 0, -1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500])
    ap.add_argument("--directions", type=int, nargs="+", default=[1, 8])
    args = ap.parse_args()
    keep_freed_memory()                  # fresh arrays' page faults off both sides
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
    except ImportError:
        jax = None
    print("load:", os.getloadavg())
    rows = []
    for m in args.sizes:
        rng = np.random.default_rng(m)
        G = rng.standard_normal((m, m))
        A = G @ G.T + m * np.eye(m)
        for n in args.directions:
            P = rng.standard_normal((m, m, n))
            P = P + P.transpose(1, 0, 2)
            dual = make(A, P, 0)
            t_new = median_time(lambda: np.linalg.cholesky(dual), repeat=5, min_time=0.2,
                                clock=time.process_time)
            t_old = median_time(lambda: old_path(A, P), repeat=5, min_time=0.2,
                                clock=time.process_time)
            got = np.linalg.cholesky(dual).partials
            ref = old_path(A, P)[1]
            diff = np.max(np.abs(got - ref)) / np.max(np.abs(ref))
            row = [m, n, f"{t_new * 1e3:.3f}", f"{t_old * 1e3:.3f}", f"{t_old / t_new:.2f}"]
            if jax is not None:
                f = jax.jit(jax.vmap(lambda t: jax.jvp(jnp.linalg.cholesky, (A,), (t,))[1]))
                dirs = jnp.asarray(np.moveaxis(P, -1, 0))
                jax.block_until_ready(f(dirs))
                t_jax = median_time(lambda: jax.block_until_ready(f(dirs)), repeat=5,
                                    min_time=0.2, clock=time.process_time)
                row += [f"{t_jax * 1e3:.3f}", f"{t_jax / t_new:.2f}"]
            else:
                row += ["-", "-"]
            rows.append(row + [f"{diff:.1e}"])
            print(rows[-1], flush=True)
    print(table(["m", "directions", "dualgrad ms", "inverse ms", "inverse / dualgrad",
                 "jax ms", "jax / dualgrad", "max |dL - old| / max |old|"], rows))
    print("load:", os.getloadavg())


if __name__ == "__main__":
    main()
