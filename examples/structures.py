"""A structural engineer's derivatives, exact: a nonlinear truss's tangent stiffness,
a topology optimization's compliance sensitivity, a hyperelastic material's tangent.

* Newton's method on a geometrically nonlinear (Green strain) bar truss: the tangent
  stiffness is the Jacobian of the internal force, assembled with ``np.add.at`` as FE
  codes do; ``dg.sparsity`` finds its pattern (the bars' 4 x 4 blocks) once and
  ``dg.jacobian(..., sparsity=P)`` gives it as a ``scipy.sparse`` matrix for
  ``spsolve``.  Checked against the textbook tangent ``EA / L0^3 d d^T + N / L0 I``.
* The compliance of a SIMP design, as in Aage and Johansen's ``topopt.py`` ("A 165 line
  topology optimization code": ``lk()``, its element numbering, the MBB beam), with the
  stiffness assembled densely: ``scipy.sparse.coo_matrix`` cannot hold dual numbers
  and says so, naming this spelling.  ``dg.grad`` equals the code's adjoint sensitivity
  ``-p x^(p-1) u_e^T k0 u_e``.  (Forward mode costs one direction per element here,
  and a dense stiffness carries its partials: fine for a few hundred elements; at scale
  keep the adjoint, ``python bench/structures.py``.)
* A compressible neo-Hookean energy W(F): the first Piola-Kirchhoff stress is
  ``dg.gradient(W, F)`` and the material tangent ``dg.hessian(W, F)``, equal to their
  closed forms.

Run:  python examples/structures.py
"""

import warnings

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

import dualgrad as dg

# ------------------------------------------------------------------ nonlinear truss
BAYS = 8
NODES = np.array([[i, j] for i in range(BAYS + 1) for j in range(2)], float)
BARS = np.array([b for i in range(BAYS) for b in [(2 * i, 2 * i + 2), (2 * i + 1, 2 * i + 3),
                                                   (2 * i, 2 * i + 3), (2 * i + 1, 2 * i + 2)]]
                + [(2 * i, 2 * i + 1) for i in range(BAYS + 1)])
EA = np.full(len(BARS), 1000.0)
L0V = NODES[BARS[:, 1]] - NODES[BARS[:, 0]]
L0SQ = np.sum(L0V ** 2, axis=1)


def internal_force(u):
    U = u.reshape(-1, 2)
    d = L0V + U[BARS[:, 1]] - U[BARS[:, 0]]                   # deformed bar vectors
    N = EA * (np.sum(d * d, axis=1) - L0SQ) / (2 * L0SQ)      # Green strain times EA
    fe = (N / np.sqrt(L0SQ))[:, None] * d
    F = np.zeros_like(U)
    np.add.at(F, BARS[:, 1], fe)
    np.add.at(F, BARS[:, 0], -fe)
    return F.ravel()


def tangent_by_hand(u):
    U = u.reshape(-1, 2)
    K = np.zeros((u.size, u.size))
    for e, (i, j) in enumerate(BARS):
        L0 = np.sqrt(L0SQ[e])
        d = L0V[e] + U[j] - U[i]
        N = EA[e] * (d @ d - L0SQ[e]) / (2 * L0SQ[e])
        k = EA[e] / (L0 * L0SQ[e]) * np.outer(d, d) + N / L0 * np.eye(2)
        idx = [2 * i, 2 * i + 1, 2 * j, 2 * j + 1]
        K[np.ix_(idx, idx)] += np.block([[k, -k], [-k, k]])
    return K


free = np.arange(4, NODES.size)                      # the left end pinned
load = np.zeros(NODES.size)
load[-1] = -20.0                                     # a tip load, downwards
u = np.zeros(NODES.size)
P = dg.sparsity(internal_force, u)[free][:, free]    # once: the bars' blocks


def residual(uf):
    full = np.zeros_like(uf, shape=NODES.size)
    full[free] = uf
    return internal_force(full)[free] - load[free]


print(f"truss: {len(BARS)} bars, {free.size} unknowns, tangent pattern {P.nnz} of "
      f"{free.size ** 2} entries")
for it in range(20):
    r = residual(u[free])
    print(f"  Newton {it}: |r| = {np.linalg.norm(r):.2e}")
    if np.linalg.norm(r) < 1e-9:
        break
    K = dg.jacobian(residual, u[free], sparsity=P, format="csc")
    u[free] -= spsolve(K, r)
K = dg.jacobian(residual, u[free], sparsity=P).toarray()
hand = tangent_by_hand(u)[np.ix_(free, free)]
print(f"  tip deflection {u[-1]:.6f}; max |K - hand| / max |hand| = "
      f"{np.max(np.abs(K - hand)) / np.max(np.abs(hand)):.1e}")


# ------------------------------------------------------------------ topology optimization
def lk(nu=0.3):
    k = np.array([1 / 2 - nu / 6, 1 / 8 + nu / 8, -1 / 4 - nu / 12, -1 / 8 + 3 * nu / 8,
                  -1 / 4 + nu / 12, -1 / 8 - nu / 8, nu / 6, 1 / 8 - 3 * nu / 8])
    order = [[0, 1, 2, 3, 4, 5, 6, 7], [1, 0, 7, 6, 5, 4, 3, 2], [2, 7, 0, 5, 6, 3, 4, 1],
             [3, 6, 5, 0, 7, 2, 1, 4], [4, 5, 6, 7, 0, 1, 2, 3], [5, 4, 3, 2, 1, 0, 7, 6],
             [6, 3, 4, 1, 2, 7, 0, 5], [7, 2, 1, 4, 3, 6, 5, 0]]
    return k[np.array(order)] / (1 - nu ** 2)


NELX, NELY, PENAL, EMIN, EMAX = 12, 4, 3.0, 1e-9, 1.0
NDOF = 2 * (NELX + 1) * (NELY + 1)
KE = lk()
EDOF = np.array([[2 * n1 + 2, 2 * n1 + 3, 2 * n2 + 2, 2 * n2 + 3, 2 * n2, 2 * n2 + 1, 2 * n1,
                  2 * n1 + 1]
                 for elx in range(NELX) for ely in range(NELY)
                 for n1, n2 in [((NELY + 1) * elx + ely, (NELY + 1) * (elx + 1) + ely)]])
IK = np.kron(EDOF, np.ones((8, 1), int)).ravel()
JK = np.kron(EDOF, np.ones((1, 8), int)).ravel()
TFREE = np.setdiff1d(np.arange(NDOF), np.union1d(np.arange(0, 2 * (NELY + 1), 2), [NDOF - 1]))
F_MBB = np.zeros(NDOF)
F_MBB[1] = -1.0


def stiffness_values(x):
    return (KE.ravel()[:, None] * (EMIN + x ** PENAL * (EMAX - EMIN))).ravel(order="F")


def compliance_coo(x):                               # topopt.py's spelling
    K = sp.coo_matrix((stiffness_values(x), (IK, JK)), shape=(NDOF, NDOF)).tocsc()
    u = np.zeros(NDOF)
    u[TFREE] = spsolve(K[TFREE, :][:, TFREE], F_MBB[TFREE])
    return F_MBB @ u, u


def compliance(x):                                   # the same, assembled densely
    sK = stiffness_values(x)
    K = np.zeros_like(sK, shape=(NDOF, NDOF))
    np.add.at(K, (IK, JK), sK)                       # repeated entries add, as COO's
    return F_MBB[TFREE] @ np.linalg.solve(K[np.ix_(TFREE, TFREE)], F_MBB[TFREE])


x = 0.5 + 0.2 * np.cos(np.arange(NELX * NELY))
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.ObjectArrayWarning)
        dg.grad(lambda y: compliance_coo(y)[0])(x)
except TypeError as e:
    said = "np.add.at" in str(e)
    print(f"topopt: coo_matrix on duals raised TypeError{' naming np.add.at' if said else ''}")
c, u = compliance_coo(x)
ue = u[EDOF]
adjoint = -PENAL * x ** (PENAL - 1) * (EMAX - EMIN) * np.sum((ue @ KE) * ue, axis=1)
g = dg.grad(compliance)(x)
print(f"  compliance {c:.6f} (dense {compliance(x):.6f}); {x.size} densities: "
      f"max |dg.grad - adjoint| / max |adjoint| = "
      f"{np.max(np.abs(g - adjoint)) / np.max(np.abs(adjoint)):.1e}")


# ------------------------------------------------------------------ hyperelasticity
MU, LAM = 1.3, 2.1


def neo_hooke(F):
    J = np.linalg.det(F)
    return 0.5 * MU * (np.trace(F.T @ F) - 3) - MU * np.log(J) + 0.5 * LAM * np.log(J) ** 2


F = np.array([[1.1, 0.2, 0.0], [0.05, 0.95, 0.1], [0.0, -0.1, 1.02]])
J, Fi = np.linalg.det(F), np.linalg.inv(F)
P_hand = MU * (F - Fi.T) + LAM * np.log(J) * Fi.T
A_hand = MU * np.einsum("ik,jl->ijkl", np.eye(3), np.eye(3)) + \
    (MU - LAM * np.log(J)) * np.einsum("li,jk->ijkl", Fi, Fi) + \
    LAM * np.einsum("ji,lk->ijkl", Fi, Fi)
P = dg.gradient(neo_hooke, F)
A = dg.hessian(neo_hooke, F)
print(f"neo-Hookean: max |P - closed form| = {np.max(np.abs(P - P_hand)):.1e}, "
      f"max |A - closed form| = {np.max(np.abs(A - A_hand)):.1e} (A is {A.shape})")
