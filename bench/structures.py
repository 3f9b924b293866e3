"""A structural engineer's functions: dualgrad's derivatives against
scipy.optimize.approx_fprime, the hand-written (adjoint or closed-form) derivative and f
itself, in one run, with their errors.

    python bench/structures.py [--reps 5] [--only NAME ...]

* ``topopt_NxM``: SIMP compliance of Aage and Johansen's ``topopt.py`` ("A 165 line
  topology optimization code", as in github.com/Jiangce2017/TopOpt_example @ 3187abc7,
  ``topopt.py``: ``lk()``, its element numbering, the MBB beam's supports and load),
  its gradient in the N*M element densities.  f: topopt.py's own ``coo_matrix(...)``
  and ``spsolve`` on floats; dualgrad's f: the same with the stiffness assembled densely
  (``np.add.at`` into ``np.zeros_like``, then ``np.linalg.solve``: a sparse matrix cannot
  hold duals).  ``hand``: topopt.py's adjoint sensitivity ``-p x^(p-1) (Emax - Emin)
  u_e^T k0 u_e`` (one sparse solve), also the oracle.
* ``truss_B``: the tangent stiffness of a geometrically nonlinear (Green strain) bar
  truss of B bays (a Jacobian of the internal force assembled with ``np.add.at``), dense
  and with the detected sparsity pattern (``sparse``, pattern found once outside the
  timing; each call checks a given pattern with one more pass, docs/sparse.md), for the
  internal force written with ``np.add.at`` and as a Python loop over bars (``loop``).
  Oracle and ``hand``: the textbook tangent ``EA / L0^3 d d^T + N / L0 I`` per
  bar, assembled in a Python loop.
* ``hex_mesh_NxMxK``: the total strain energy of a neo-Hookean block of trilinear
  hexahedra (2x2x2 Gauss points; F by ``np.einsum``, ``np.linalg.det`` of the stack of
  F); its Hessian, the assembled tangent, sparse (``dg.hessian_sparsity`` once, outside
  the timing) and dense.  ``fprime``: approx_fprime of dualgrad's exact gradient.  Oracle:
  JAX's ``jax.hessian`` of the same function (dualgrad's dense Hessian without JAX).
* ``neo_hooke``: a compressible neo-Hookean strain energy W(F); the stress P = dW/dF
  (``dg.gradient``) and the tangent dP/dF (``dg.hessian``, 3x3x3x3).  Oracle and
  ``hand``: their closed forms; approx_fprime differences the closed-form stress for the
  tangent.

One process, one BLAS thread, CPU-time medians (``time.process_time``: the machine is
shared) of ``--reps`` repeats after a warm-up (``bench/_common.median_time``), in ms;
``x f``: the time over f's on floats; ``x fprime``: dualgrad's over approx_fprime's
(default step).  ``err``: the largest error of each derivative relative to the
oracle's largest entry.  The load (``os.getloadavg``) is printed before and after.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (one thread per library)

import numpy as np  # noqa: E402


# ------------------------------------------------------------------ topology optimization

def lk(nu=0.3):
    k = np.array([1 / 2 - nu / 6, 1 / 8 + nu / 8, -1 / 4 - nu / 12, -1 / 8 + 3 * nu / 8,
                  -1 / 4 + nu / 12, -1 / 8 - nu / 8, nu / 6, 1 / 8 - 3 * nu / 8])
    order = [[0, 1, 2, 3, 4, 5, 6, 7], [1, 0, 7, 6, 5, 4, 3, 2], [2, 7, 0, 5, 6, 3, 4, 1],
             [3, 6, 5, 0, 7, 2, 1, 4], [4, 5, 6, 7, 0, 1, 2, 3], [5, 4, 3, 2, 1, 0, 7, 6],
             [6, 3, 4, 1, 2, 7, 0, 5], [7, 2, 1, 4, 3, 6, 5, 0]]
    return k[np.array(order)] / (1 - nu ** 2)


def _topopt(nelx, nely):
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import spsolve
    penal, emin, emax = 3.0, 1e-9, 1.0
    ndof = 2 * (nelx + 1) * (nely + 1)
    KE = lk()
    edof = np.array([[2 * n1 + 2, 2 * n1 + 3, 2 * n2 + 2, 2 * n2 + 3, 2 * n2, 2 * n2 + 1,
                      2 * n1, 2 * n1 + 1]
                     for elx in range(nelx) for ely in range(nely)
                     for n1, n2 in [((nely + 1) * elx + ely, (nely + 1) * (elx + 1) + ely)]])
    iK = np.kron(edof, np.ones((8, 1), int)).ravel()
    jK = np.kron(edof, np.ones((1, 8), int)).ravel()
    fixed = np.union1d(np.arange(0, 2 * (nely + 1), 2), [ndof - 1])
    free = np.setdiff1d(np.arange(ndof), fixed)
    load = np.zeros(ndof)
    load[1] = -1.0

    def values(x):
        return (KE.ravel()[:, None] * (emin + x ** penal * (emax - emin))).ravel(order="F")

    def solve_plain(x):                    # topopt.py as written
        K = coo_matrix((values(x), (iK, jK)), shape=(ndof, ndof)).tocsc()[free, :][:, free]
        u = np.zeros(ndof)
        u[free] = spsolve(K, load[free])
        return u

    def plain(x):
        u = solve_plain(x)
        ce = np.sum((u[edof] @ KE) * u[edof], axis=1)
        return np.sum((emin + x ** penal * (emax - emin)) * ce)

    def dense(x):                          # the dualgrad spelling: dense assembly
        sK = values(x)
        K = np.zeros_like(sK, shape=(ndof, ndof))
        np.add.at(K, (iK, jK), sK)
        u = np.zeros_like(sK, shape=ndof)
        u[free] = np.linalg.solve(K[np.ix_(free, free)], load[free])
        ce = np.sum((u[edof] @ KE) * u[edof], axis=1)
        return np.sum((emin + x ** penal * (emax - emin)) * ce)

    def hand(x):                           # topopt.py's dc
        u = solve_plain(x)
        return -penal * x ** (penal - 1) * (emax - emin) * np.sum((u[edof] @ KE) * u[edof], 1)

    x = 0.4 + 0.3 * np.sin(np.arange(nelx * nely))
    return plain, dense, hand, x


# ------------------------------------------------------------------ nonlinear truss

def _truss(bays):
    nodes = np.array([[i, j] for i in range(bays + 1) for j in range(2)], float)
    bars = np.array([b for i in range(bays) for b in [(2 * i, 2 * i + 2), (2 * i + 1, 2 * i + 3),
                                                       (2 * i, 2 * i + 3), (2 * i + 1, 2 * i + 2)]]
                    + [(2 * i, 2 * i + 1) for i in range(bays + 1)])
    rng = np.random.default_rng(46)
    EA = 100.0 + 10.0 * rng.random(len(bars))
    L0v = nodes[bars[:, 1]] - nodes[bars[:, 0]]
    L0sq = np.sum(L0v ** 2, 1)

    def fint(u):
        U = u.reshape(-1, 2)
        d = L0v + U[bars[:, 1]] - U[bars[:, 0]]
        fe = (EA * (np.sum(d * d, 1) - L0sq) / (2 * L0sq) / np.sqrt(L0sq))[:, None] * d
        F = np.zeros_like(U)
        np.add.at(F, bars[:, 1], fe)
        np.add.at(F, bars[:, 0], -fe)
        return F.ravel()

    def loop(u):                       # the same, a Python loop over bars (textbooks)
        U = u.reshape(-1, 2)
        f = np.zeros_like(u)
        for e, (i, j) in enumerate(bars):
            d = L0v[e] + U[j] - U[i]
            fe = EA[e] * (d @ d - L0sq[e]) / (2 * L0sq[e]) * d / np.sqrt(L0sq[e])
            f[2 * j:2 * j + 2] += fe
            f[2 * i:2 * i + 2] -= fe
        return f

    def hand(u):
        U = u.reshape(-1, 2)
        K = np.zeros((u.size, u.size))
        for e, (i, j) in enumerate(bars):
            L0 = np.sqrt(L0sq[e])
            d = L0v[e] + U[j] - U[i]
            N = EA[e] * (d @ d - L0sq[e]) / (2 * L0sq[e])
            k = EA[e] / (L0 * L0sq[e]) * np.outer(d, d) + N / L0 * np.eye(2)
            idx = [2 * i, 2 * i + 1, 2 * j, 2 * j + 1]
            K[np.ix_(idx, idx)] += np.block([[k, -k], [-k, k]])
        return K

    return fint, loop, hand, 0.05 * rng.standard_normal(nodes.size)


# ------------------------------------------------------------------ hex8 mesh
def _hex_mesh(nx, ny, nz):
    """A neo-Hookean block of nx x ny x nz trilinear hexahedra, 2x2x2 Gauss points: its
    total strain energy in the nodal displacements (einsum for F, a stack of det)."""
    g = 1 / np.sqrt(3)
    gp = np.array([[a, b, c] for a in (-g, g) for b in (-g, g) for c in (-g, g)])
    xi = np.array([[-1, -1, -1], [1, -1, -1], [1, 1, -1], [-1, 1, -1], [-1, -1, 1],
                   [1, -1, 1], [1, 1, 1], [-1, 1, 1]], float)
    DN = np.stack([np.stack([xi[:, k] / 8 * np.prod(1 + xi * p, axis=1) / (1 + xi[:, k] * p[k])
                             for k in range(3)], 1) for p in gp])           # (8, 8, 3)
    nodes = np.array([[i, j, k] for k in range(nz + 1) for j in range(ny + 1)
                      for i in range(nx + 1)], float)

    def nid(i, j, k):
        return k * (ny + 1) * (nx + 1) + j * (nx + 1) + i
    conn = np.array([[nid(i, j, k), nid(i + 1, j, k), nid(i + 1, j + 1, k), nid(i, j + 1, k),
                      nid(i, j, k + 1), nid(i + 1, j, k + 1), nid(i + 1, j + 1, k + 1),
                      nid(i, j + 1, k + 1)]
                     for k in range(nz) for j in range(ny) for i in range(nx)])
    Xe = nodes[conn]
    J0 = np.einsum("gai,eaj->egji", DN, Xe)
    J0inv, dV = np.linalg.inv(J0), np.linalg.det(J0)

    def energy(u, xp=np):
        x = Xe + u.reshape(-1, 3)[conn]
        F = xp.einsum("gai,eaj,egik->egjk", DN, x, J0inv)
        J = xp.linalg.det(F)
        W = 0.5 * MU * (xp.sum(F * F, axis=(-2, -1)) - 3) - MU * xp.log(J) + \
            0.5 * LAM * xp.log(J) ** 2
        return xp.sum(W * dV)
    return energy, 0.01 * np.random.default_rng(0).standard_normal(nodes.size)


# ------------------------------------------------------------------ hyperelasticity

MU, LAM = 1.3, 2.1


def neo_hooke(F):
    J = np.linalg.det(F)
    return 0.5 * MU * (np.trace(F.T @ F) - 3) - MU * np.log(J) + 0.5 * LAM * np.log(J) ** 2


def neo_hooke_stress(F):
    J = np.linalg.det(F)
    Fit = np.linalg.inv(F).T
    return MU * (F - Fit) + LAM * np.log(J) * Fit


def neo_hooke_tangent(F):
    J = np.linalg.det(F)
    Fi = np.linalg.inv(F)
    eye = np.eye(3)
    return MU * np.einsum("ik,jl->ijkl", eye, eye) + (MU - LAM * np.log(J)) * \
        np.einsum("li,jk->ijkl", Fi, Fi) + LAM * np.einsum("ji,lk->ijkl", Fi, Fi)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    from scipy.optimize import approx_fprime
    import dualgrad as dg

    def row(name, n, tf, td, ta, err, erra):
        print(f"{name:22s} {n:5d} {tf * 1e3:9.3f} {td * 1e3:10.2f} {td / tf:8.1f} "
              f"{ta * 1e3:10.2f} {td / ta:9.2f} {err:9.1e} {erra:9.1e}", flush=True)

    def t(fn):
        return _common.median_time(fn, repeat=args.reps, clock=time.process_time)

    print(f"load before: {os.getloadavg()}")
    print(f"{'problem':22s} {'n':>5s} {'f ms':>9s} {'dg ms':>10s} {'x f':>8s} "
          f"{'fprime ms':>10s} {'x fprime':>9s} {'dg err':>9s} {'fpr err':>9s}")
    problems = [("topopt_6x3", (6, 3)), ("topopt_12x4", (12, 4)), ("topopt_18x6", (18, 6)),
                ("truss_10", 10), ("truss_40", 40), ("hex_mesh_4x4x1", (4, 4, 1)),
                ("neo_hooke", None)]
    for name, size in problems:
        if args.only and name not in args.only:
            continue
        if name.startswith("topopt"):
            plain, dense, hand, x = _topopt(*size)
            oracle = hand(x)
            scale = np.max(np.abs(oracle))
            g = dg.grad(dense)(x)
            ga = approx_fprime(x, plain)
            row(name, x.size, t(lambda: plain(x)), t(lambda: dg.grad(dense)(x)),
                t(lambda: approx_fprime(x, plain)), np.max(np.abs(g - oracle)) / scale,
                np.max(np.abs(ga - oracle)) / scale)
            th = t(lambda: hand(x))
            print(f"{'  hand (adjoint)':22s} {x.size:5d} {'':9s} {th * 1e3:10.2f} "
                  f"{th / t(lambda: plain(x)):8.1f}", flush=True)
        elif name.startswith("truss"):
            vectorized, loop, hand, u = _truss(size)
            oracle = hand(u)
            scale = np.max(np.abs(oracle))
            tv = t(lambda: vectorized(u))
            for kind, fint in (("", vectorized), (" loop", loop)):
                J = dg.jacobian(fint, u)
                P = dg.sparsity(fint, u)
                Js = dg.jacobian(fint, u, sparsity=P)
                Ja = approx_fprime(u, fint)
                tf, ta = t(lambda: fint(u)), t(lambda: approx_fprime(u, fint))
                row(name + kind + " dense", u.size, tf, t(lambda: dg.jacobian(fint, u)), ta,
                    np.max(np.abs(J - oracle)) / scale, np.max(np.abs(Ja - oracle)) / scale)
                row(name + kind + " sparse", u.size, tf,
                    t(lambda: dg.jacobian(fint, u, sparsity=P)), ta,
                    np.max(np.abs(Js.toarray() - oracle)) / scale, np.nan)
            th = t(lambda: hand(u))                 # x f: over the np.add.at f's time
            print(f"{'  hand (closed form)':22s} {u.size:5d} {'':9s} {th * 1e3:10.2f} "
                  f"{th / tv:8.1f}", flush=True)
        elif name.startswith("hex_mesh"):
            energy, u = _hex_mesh(*size)
            HP = dg.hessian_sparsity(energy, u)
            H = dg.hessian(energy, u, sparsity=HP)
            try:                                        # the oracle: JAX's Hessian
                import jax
                jax.config.update("jax_enable_x64", True)
                oracle = np.asarray(jax.hessian(lambda v: energy(v, jax.numpy))(u))
            except ImportError:
                oracle = dg.hessian(energy, u)
            scale = np.max(np.abs(oracle))
            grad = dg.grad(energy)
            Ha = approx_fprime(u, grad)
            tf, ta = t(lambda: energy(u)), t(lambda: approx_fprime(u, grad))
            print(f"  {name}: {u.size} unknowns, Hessian pattern {HP.nnz} of {u.size ** 2}, "
                  f"found in {t(lambda: dg.hessian_sparsity(energy, u)) * 1e3:.0f} ms",
                  flush=True)
            row(name + " sparse H", u.size, tf, t(lambda: dg.hessian(energy, u, sparsity=HP)),
                ta, np.max(np.abs(H.toarray() - oracle)) / scale,
                np.max(np.abs(Ha - oracle)) / scale)
            row(name + " dense H", u.size, tf, t(lambda: dg.hessian(energy, u)), ta,
                np.max(np.abs(dg.hessian(energy, u) - oracle)) / scale, np.nan)
        else:
            F = np.eye(3) + 0.2 * np.random.default_rng(1).standard_normal((3, 3))
            P, A = neo_hooke_stress(F), neo_hooke_tangent(F)
            tf = t(lambda: neo_hooke(F))
            W = lambda y: neo_hooke(y.reshape(3, 3))                 # noqa: E731
            Pa = approx_fprime(F.ravel(), W).reshape(3, 3)
            row("neo_hooke P", 9, tf, t(lambda: dg.gradient(neo_hooke, F)),
                t(lambda: approx_fprime(F.ravel(), W)),
                np.max(np.abs(dg.gradient(neo_hooke, F) - P)) / np.max(np.abs(P)),
                np.max(np.abs(Pa - P)) / np.max(np.abs(P)))
            S = lambda y: neo_hooke_stress(y.reshape(3, 3)).ravel()  # noqa: E731
            Aa = approx_fprime(F.ravel(), S).reshape(A.shape)
            row("neo_hooke dP/dF", 9, tf, t(lambda: dg.hessian(neo_hooke, F)),
                t(lambda: approx_fprime(F.ravel(), S)),
                np.max(np.abs(dg.hessian(neo_hooke, F) - A)) / np.max(np.abs(A)),
                np.max(np.abs(Aa - A)) / np.max(np.abs(A)))
            th = t(lambda: neo_hooke_tangent(F))
            print(f"{'  hand (closed form)':22s} {9:5d} {'':9s} {th * 1e3:10.2f} "
                  f"{th / tf:8.1f}", flush=True)
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
