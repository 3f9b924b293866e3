"""The compliance gradient of a SIMP design with a density filter, four ways, in one run:
the 88-line code's hand-written adjoint, dualgrad inside the adjoint (``dr/dx`` by
``dg.jacobian(residual, x, u, sparsity=P)``, examples/topology_sensitivity.py), dualgrad
on the whole analysis (``dg.gradient``, a dense dual ``K``) and
``scipy.optimize.approx_fprime``; JAX's ``jax.grad`` of a port (dense ``K``,
``jnp.linalg.solve``) where JAX is installed.

    python bench/fem.py [--reps 3] [--sizes 12x4 30x10 60x20 120x40]
                        [--dense-max 108] [--fprime-max 1200] [--jax-max 1200]

The model is examples/topology_sensitivity.py's (the half MBB beam, ``rmin = 1.5``).
One process, one BLAS thread, CPU-time medians (``time.process_time``: the machine is
shared) of ``--reps`` repeats after a warm-up (``bench/_common.median_time``), in ms.
``x f``: the time over one compliance evaluation on floats (``coo_matrix``, ``spsolve``);
``x adj``: over the hand-written adjoint's (the same solve and the element sums).
``pattern``: ``dg.sparsity`` of the residual, once per mesh (outside the timing of
``dg adjoint``; a given pattern is checked with one more pass on every call,
docs/sparse.md). ``err``: the largest deviation from the hand adjoint over its largest
entry. Rows over ``--dense-max`` / ``--fprime-max`` / ``--jax-max`` elements are
skipped (``-``): the dense dual ``K`` holds ``ndof^2`` partials a direction. The load
(``os.getloadavg``) is printed before and after.
"""

import argparse
import os
import runpy
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (one thread per library)

import numpy as np  # noqa: E402
from scipy.optimize import approx_fprime  # noqa: E402

import dualgrad as dg  # noqa: E402

EXAMPLE = runpy.run_path(str(Path(__file__).resolve().parents[1] / "examples"
                             / "topology_sensitivity.py"))
Mesh = EXAMPLE["Mesh"]


def jax_port(mesh):
    """jax.grad of the same analysis: dense K by .at[].add, jnp.linalg.solve."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    H = jnp.asarray(mesh.H.toarray())
    Hs, KE = jnp.asarray(mesh.Hs), jnp.asarray(EXAMPLE["KE"])
    iK, jK, free = jnp.asarray(mesh.iK), jnp.asarray(mesh.jK), jnp.asarray(mesh.free)
    f = jnp.asarray(mesh.f)[free]
    E0, EMIN, PENAL = EXAMPLE["E0"], EXAMPLE["EMIN"], EXAMPLE["PENAL"]

    def compliance(x, H, Hs, KE, iK, jK, free, f):     # arrays as arguments: no folding
        xphys = H @ x / Hs
        sK = ((EMIN + xphys ** PENAL * (E0 - EMIN))[:, None] * KE.ravel()).ravel()
        K = jnp.zeros((mesh.ndof, mesh.ndof)).at[iK, jK].add(sK)
        return f @ jnp.linalg.solve(K[jnp.ix_(free, free)], f)
    grad = jax.jit(jax.grad(compliance))
    data = (H, Hs, KE, iK, jK, free, f)
    return lambda x: np.asarray(grad(jnp.asarray(x), *data))


def row(nelx, nely, reps, dense_max, fprime_max, jax_max):
    mesh = Mesh(nelx, nely)
    x = np.random.default_rng(51).uniform(0.2, 1.0, mesh.nel)

    def tm(fn):
        return _common.median_time(fn, repeat=reps, min_time=0.0, clock=time.process_time)

    def plain(x):
        return mesh.f @ mesh.solve_plain(x)

    def adjoint(x):
        return mesh.adjoint_by_hand(x, mesh.solve_plain(x))
    hand = adjoint(x)
    t_pattern = time.process_time()
    u = mesh.solve_plain(x)
    P = dg.sparsity(mesh.residual, x, u)
    t_pattern = time.process_time() - t_pattern

    def dg_adjoint(x):
        u = mesh.solve_plain(x)
        return -(dg.jacobian(mesh.residual, x, u, sparsity=P).T @ u[mesh.free])

    ways = {"adjoint (hand)": adjoint, "dg adjoint": dg_adjoint}
    if mesh.nel <= dense_max:
        ways["dg.gradient (dense)"] = lambda x: dg.gradient(mesh.compliance, x)
    if mesh.nel <= fprime_max:
        ways["approx_fprime"] = lambda x: approx_fprime(x, plain)
    if mesh.nel <= jax_max:
        port = jax_port(mesh)
        if port is not None:
            ways["jax.grad (dense)"] = port
    t_f = tm(lambda: plain(x))
    cells = {}
    for name, fn in ways.items():
        err = np.max(np.abs(fn(x) - hand)) / np.max(np.abs(hand))
        cells[name] = (tm(lambda: fn(x)), err)
    t_adj = cells["adjoint (hand)"][0]
    rows = []
    for name, (t, err) in cells.items():
        rows.append([f"{nelx}x{nely} ({mesh.nel})", name, f"{t * 1e3:.2f}",
                     f"{t / t_f:.1f}", f"{t / t_adj:.2f}", f"{err:.1e}"])
    rows.append([f"{nelx}x{nely} ({mesh.nel})", "f (floats)", f"{t_f * 1e3:.2f}", "1.0",
                 f"{t_f / t_adj:.2f}", "-"])
    rows.append([f"{nelx}x{nely} ({mesh.nel})", f"pattern ({P.nnz} nonzeros)",
                 f"{t_pattern * 1e3:.1f}", f"{t_pattern / t_f:.1f}", "-", "-"])
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--sizes", nargs="*", default=["12x4", "30x10", "60x20", "120x40"])
    ap.add_argument("--dense-max", type=int, default=108)
    ap.add_argument("--fprime-max", type=int, default=1200)
    ap.add_argument("--jax-max", type=int, default=1200)
    args = ap.parse_args()
    print(f"load before: {os.getloadavg()}")
    rows = []
    for size in args.sizes:
        nelx, nely = map(int, size.split("x"))
        rows += row(nelx, nely, args.reps, args.dense_max, args.fprime_max, args.jax_max)
        print(f"{size} done, load {os.getloadavg()}", flush=True)
    print(_common.table(["mesh (elements)", "way", "ms", "x f", "x adj", "err"], rows))
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
