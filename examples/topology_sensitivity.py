"""Topology optimization's sensitivities, exact: the compliance gradient of a SIMP design
with a density filter, and the eigenfrequencies' gradient.

The model is the 88-line code's (Andreassen, Clausen, Schevenels, Lazarov and Sigmund,
"Efficient topology optimization in MATLAB using 88 lines of code", 2011) as its Python
ports write it (github.com/1iyiwei/topopt @ 1c41cfd9, ``src/topopt.py``'s ``lk()``, the
half MBB beam; the 165-line ``topopt.py``'s density filter ``H``): plane-stress
bilinear elements, the modified SIMP stiffness ``Emin + xPhys^p (E0 - Emin)``, the
filtered densities ``xPhys = H @ x / Hs``.

1. A small mesh, the whole analysis under ``dg.gradient``: ``K`` assembled with
   ``np.add.at`` into ``np.zeros_like`` (a ``scipy.sparse`` matrix cannot hold duals),
   ``np.linalg.solve`` on the free degrees of freedom, ``c = f @ u``.  Against the
   88-line code's adjoint ``dc/dxPhys_e = -p xPhys_e^(p-1) (E0 - Emin) u_e^T k0 u_e``
   and its filter's chain rule ``dc/dx = H^T (dc/dxPhys / Hs)``.  Forward mode costs
   one direction per element and a dense dual ``K``: fine for a few hundred elements.
2. A larger mesh, the scalable way: the displacements from the code's own
   ``coo_matrix`` and ``spsolve`` on floats, then dualgrad on the element level inside
   the adjoint.  The residual ``r(x) = K(x) u - f`` at that fixed ``u``, written element
   by element with ``np.add.at`` (no global matrix), has a sparse Jacobian in ``x``;
   ``dg.sparsity`` finds its pattern once and ``dg.jacobian(r, x, sparsity=P)`` costs
   one pass per color, whatever the number of elements.  Compliance is self-adjoint,
   so ``dc/dx = -u^T dr/dx``: no hand-derived element derivative.
3. The first eigenfrequencies of a cantilever plate, ``dualgrad.scipy.linalg.eigh(K,
   M)`` (SciPy's ``eigh`` with a mass matrix; SciPy's own converts duals and says so),
   against the textbook ``dlambda = phi^T (dK - lambda dM) phi``.  At a repeated
   eigenvalue (a symmetric structure) the single eigenvalues have no derivative:
   differentiate a function of the whole cluster (its sum, ``eigvals_only=True``).

Run:  python examples/topology_sensitivity.py
"""

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

import dualgrad as dg
from dualgrad.scipy.linalg import eigh

E0, EMIN, NU, PENAL, RMIN = 1.0, 1e-9, 0.3, 3.0, 1.5


def lk(nu=NU):
    """The bilinear plane-stress element stiffness of the 88/99-line codes (E = 1)."""
    k = np.array([1 / 2 - nu / 6, 1 / 8 + nu / 8, -1 / 4 - nu / 12, -1 / 8 + 3 * nu / 8,
                  -1 / 4 + nu / 12, -1 / 8 - nu / 8, nu / 6, 1 / 8 - 3 * nu / 8])
    pick = np.array([[0, 1, 2, 3, 4, 5, 6, 7], [1, 0, 7, 6, 5, 4, 3, 2],
                     [2, 7, 0, 5, 6, 3, 4, 1], [3, 6, 5, 0, 7, 2, 1, 4],
                     [4, 5, 6, 7, 0, 1, 2, 3], [5, 4, 3, 2, 1, 0, 7, 6],
                     [6, 3, 4, 1, 2, 7, 0, 5], [7, 2, 1, 4, 3, 6, 5, 0]])
    return k[pick] / (1 - nu ** 2)


KE = lk()


class Mesh:
    """nelx x nely unit elements, the 88-line code's numbering (column by column) and
    its half MBB beam: rollers on the left edge, one support at the bottom right corner,
    a unit load down at the top left."""

    def __init__(self, nelx, nely, rmin=RMIN):
        self.nelx, self.nely = nelx, nely
        self.nel = nelx * nely
        self.ndof = 2 * (nelx + 1) * (nely + 1)
        elx, ely = np.divmod(np.arange(self.nel), nely)        # element e = elx * nely + ely
        n1 = (nely + 1) * elx + ely
        n2 = (nely + 1) * (elx + 1) + ely
        self.edof = np.stack([2 * n1 + 2, 2 * n1 + 3, 2 * n2 + 2, 2 * n2 + 3,
                              2 * n2, 2 * n2 + 1, 2 * n1, 2 * n1 + 1], axis=1)
        self.iK = np.repeat(self.edof, 8, axis=1).ravel()       # K[iK, jK] += sK
        self.jK = np.tile(self.edof, (1, 8)).ravel()
        fixed = np.union1d(np.arange(0, 2 * (nely + 1), 2), [self.ndof - 1])
        self.free = np.setdiff1d(np.arange(self.ndof), fixed)
        self.f = np.zeros(self.ndof)
        self.f[1] = -1.0
        # the density filter: weights max(0, rmin - distance) between element centres
        d = np.hypot(elx[:, None] - elx[None, :], ely[:, None] - ely[None, :])
        self.H = sp.csr_matrix(np.maximum(0.0, rmin - d))
        self.Hs = np.asarray(self.H.sum(axis=1)).ravel()    # H.sum(1) is an np.matrix

    def physical(self, x):
        return self.H @ x / self.Hs          # exact on duals; x @ self.H.T too

    def stiffness_values(self, xphys):
        return (EMIN + xphys ** PENAL * (E0 - EMIN))[:, None] * KE.ravel()

    def solve_plain(self, x):
        """The 88-line code's solve on floats: coo_matrix, then spsolve."""
        sK = self.stiffness_values(self.physical(x)).ravel()
        K = sp.coo_matrix((sK, (self.iK, self.jK)), shape=(self.ndof,) * 2).tocsc()
        u = np.zeros(self.ndof)
        u[self.free] = spsolve(K[self.free][:, self.free], self.f[self.free])
        return u

    def compliance(self, x):
        """The whole analysis on whatever x is (floats or duals): a dense K."""
        sK = self.stiffness_values(self.physical(x)).ravel()
        K = np.zeros_like(sK, shape=(self.ndof, self.ndof))
        np.add.at(K, (self.iK, self.jK), sK)
        u_free = np.linalg.solve(K[np.ix_(self.free, self.free)], self.f[self.free])
        return self.f[self.free] @ u_free

    def adjoint_by_hand(self, x, u):
        """The 88-line code's sensitivity, through its filter's chain rule."""
        xphys = self.physical(x)
        ue = u[self.edof]
        ce = np.einsum("ei,ij,ej->e", ue, KE, ue)
        dc_phys = -PENAL * xphys ** (PENAL - 1) * (E0 - EMIN) * ce
        return self.H.T @ (dc_phys / self.Hs)

    def residual(self, x, u):
        """K(x) u - f at a fixed plain u, element by element (no global matrix)."""
        xphys = self.physical(x)
        fe = (EMIN + xphys ** PENAL * (E0 - EMIN))[:, None] * (u[self.edof] @ KE)
        r = np.zeros_like(fe, shape=self.ndof)
        np.add.at(r, self.edof, fe)
        return r[self.free] - self.f[self.free]


def relative_error(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


def whole_analysis(nelx=12, nely=4):
    mesh = Mesh(nelx, nely)
    x = np.random.default_rng(0).uniform(0.2, 1.0, mesh.nel)
    grad = dg.gradient(mesh.compliance, x)
    hand = mesh.adjoint_by_hand(x, mesh.solve_plain(x))
    print(f"1. {mesh.nel} elements, dg.gradient of the whole analysis: "
          f"rel. error against the adjoint {relative_error(grad, hand):.1e}")
    return relative_error(grad, hand)


def element_level_adjoint(nelx=60, nely=20):
    mesh = Mesh(nelx, nely)
    x = np.random.default_rng(1).uniform(0.2, 1.0, mesh.nel)
    u = mesh.solve_plain(x)
    P = dg.sparsity(mesh.residual, x, u)                      # once per mesh
    dr_dx = dg.jacobian(mesh.residual, x, u, sparsity=P)      # scipy.sparse, exact
    grad = -(dr_dx.T @ u[mesh.free])
    hand = mesh.adjoint_by_hand(x, u)
    print(f"2. {mesh.nel} elements, adjoint with dr/dx by dg.jacobian(sparsity=P) "
          f"({P.nnz} of {P.shape[0] * P.shape[1]} entries): rel. error against the "
          f"adjoint {relative_error(grad, hand):.1e}")
    return relative_error(grad, hand)


def cantilever_matrices(mesh, x):
    """K and a lumped M of a cantilever plate (left edge clamped), free dofs only."""
    xphys = mesh.physical(x)
    K = np.zeros_like(xphys, shape=(mesh.ndof, mesh.ndof))
    np.add.at(K, (mesh.iK, mesh.jK), mesh.stiffness_values(xphys).ravel())
    m = np.zeros_like(xphys, shape=mesh.ndof)
    np.add.at(m, mesh.edof, np.repeat(xphys[:, None] / 4, 8, axis=1))
    free = np.arange(2 * (mesh.nely + 1), mesh.ndof)
    return K[np.ix_(free, free)], np.diag(m[free])


def frequencies(nelx=6, nely=3, modes=3):
    mesh = Mesh(nelx, nely)
    x = np.random.default_rng(2).uniform(0.4, 1.0, mesh.nel)

    def lowest(x):
        w, _ = eigh(*cantilever_matrices(mesh, x))
        return w[:modes]

    J = dg.jacobian(lowest, x)
    # the textbook sensitivity, dK and dM from their closed forms per element
    K, M = cantilever_matrices(mesh, x)
    w, V = eigh(K, M)
    xphys = mesh.physical(x)
    A = mesh.H.toarray() / mesh.Hs[:, None]                    # dxphys / dx
    free = np.arange(2 * (mesh.nely + 1), mesh.ndof)
    phi = np.zeros((mesh.ndof, modes))
    phi[free] = V[:, :modes]
    pe = phi[mesh.edof]                                        # (element, 8, mode)
    dk = np.einsum("eim,ij,ejm->em", pe, KE, pe) * PENAL * xphys[:, None] ** (PENAL - 1) * (E0 - EMIN)
    dm = np.einsum("eim,eim->em", pe, pe) / 4
    hand = A.T @ (dk - w[:modes] * dm)
    print(f"3. the {modes} lowest eigenvalues of a {mesh.nel}-element cantilever: "
          f"rel. error against phi^T (dK - lambda dM) phi {relative_error(J, hand.T):.1e}")
    return relative_error(J, hand.T)


if __name__ == "__main__":
    whole_analysis()
    element_level_adjoint()
    frequencies()
