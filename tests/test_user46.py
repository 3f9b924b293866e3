"""A structural engineer's first day (user46, stop 46): finite-element code as written in
public Python, each derivative against an independent oracle.

* SIMP compliance of the classic topology optimization code (Aage and Johansen's
  ``topopt.py``, "A 165 line topology optimization code", as in
  github.com/Jiangce2017/TopOpt_example, commit 3187abc7, ``topopt.py``): ``lk()``, the
  element numbering and the MBB supports as there, the stiffness assembled densely
  (``np.add.at`` or ``np.bincount``: ``coo_matrix`` cannot hold duals). Oracles: the
  adjoint sensitivity ``-p x^(p-1) (Emax - Emin) u_e^T k0 u_e`` of that code, its
  density filter's chain rule (``H (dc / Hs)``), and the closed-form Hessian
  ``2 (K_i' u)^T K^-1 (K_j' u) - delta_ij u^T K_i'' u``.
* A geometrically nonlinear (Green strain) bar truss: the tangent stiffness as the
  Jacobian of the internal force (a Python loop over elements, and ``np.add.at``), its
  detected sparsity pattern and sparse Jacobian, and the Hessian of the strain energy,
  against the textbook tangent ``EA / L0^3 d d^T + N / L0 I`` per bar.
* Hyperelasticity: compressible neo-Hookean stress and tangent against their closed
  forms; Mooney-Rivlin's stress against the complex step.
* Linear buckling by ``dualgrad.scipy.linalg.eigh(K, KG)``: the load factor's
  sensitivity ``phi^T K_i phi`` (mass-normalized mode).
* scipy.sparse assembly and solvers on duals raise naming the dense spelling.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.errors import DualTypeError

sp = pytest.importorskip("scipy.sparse")
spla = pytest.importorskip("scipy.sparse.linalg")


# ---------------------------------------------------------------- topology optimization

def lk(nu=0.3):
    """The 4-node element stiffness of topopt.py (E = 1, plane stress)."""
    k = np.array([1 / 2 - nu / 6, 1 / 8 + nu / 8, -1 / 4 - nu / 12, -1 / 8 + 3 * nu / 8,
                  -1 / 4 + nu / 12, -1 / 8 - nu / 8, nu / 6, 1 / 8 - 3 * nu / 8])
    order = [[0, 1, 2, 3, 4, 5, 6, 7], [1, 0, 7, 6, 5, 4, 3, 2], [2, 7, 0, 5, 6, 3, 4, 1],
             [3, 6, 5, 0, 7, 2, 1, 4], [4, 5, 6, 7, 0, 1, 2, 3], [5, 4, 3, 2, 1, 0, 7, 6],
             [6, 3, 4, 1, 2, 7, 0, 5], [7, 2, 1, 4, 3, 6, 5, 0]]
    return k[np.array(order)] / (1 - nu ** 2)


NELX, NELY, PENAL, EMIN, EMAX = 6, 3, 3.0, 1e-9, 1.0
NDOF = 2 * (NELX + 1) * (NELY + 1)
KE = lk()
EDOF = np.array([[2 * n1 + 2, 2 * n1 + 3, 2 * n2 + 2, 2 * n2 + 3, 2 * n2, 2 * n2 + 1, 2 * n1,
                  2 * n1 + 1]
                 for elx in range(NELX) for ely in range(NELY)
                 for n1, n2 in [((NELY + 1) * elx + ely, (NELY + 1) * (elx + 1) + ely)]])
IK = np.kron(EDOF, np.ones((8, 1), int)).ravel()
JK = np.kron(EDOF, np.ones((1, 8), int)).ravel()
FIXED = np.union1d(np.arange(0, 2 * (NELY + 1), 2), [NDOF - 1])
FREE = np.setdiff1d(np.arange(NDOF), FIXED)
LOAD = np.zeros(NDOF)
LOAD[1] = -1.0
X0 = 0.4 + 0.3 * np.sin(np.arange(NELX * NELY))


def stiffness_values(x):
    return (KE.ravel()[:, None] * (EMIN + x ** PENAL * (EMAX - EMIN))).ravel(order="F")


def compliance_add_at(x):
    """topopt.py's compliance with coo_matrix(...).tocsc() and spsolve made dense."""
    sK = stiffness_values(x)
    K = np.zeros_like(sK, shape=(NDOF, NDOF))
    np.add.at(K, (IK, JK), sK)
    u = np.zeros_like(sK, shape=NDOF)
    u[FREE] = np.linalg.solve(K[FREE, :][:, FREE], LOAD[FREE])
    ue = u[EDOF]
    ce = np.sum((ue @ KE) * ue, axis=1)
    return np.sum((EMIN + x ** PENAL * (EMAX - EMIN)) * ce)


def compliance_bincount(x):
    sK = stiffness_values(x)
    K = np.bincount(IK * NDOF + JK, weights=sK, minlength=NDOF * NDOF).reshape(NDOF, NDOF)
    return LOAD[FREE] @ np.linalg.solve(K[np.ix_(FREE, FREE)], LOAD[FREE])


def plain_state(x):
    """Floats only: the displacement, K's free block and each element's dK/dx_e."""
    sK = stiffness_values(x)
    K = sp.coo_matrix((sK, (IK, JK)), shape=(NDOF, NDOF)).toarray()
    Kf = K[np.ix_(FREE, FREE)]
    u = np.zeros(NDOF)
    u[FREE] = np.linalg.solve(Kf, LOAD[FREE])
    return u, Kf


@pytest.mark.parametrize("compliance", [compliance_add_at, compliance_bincount])
def test_compliance_gradient_is_the_adjoint_sensitivity(compliance):
    u, _ = plain_state(X0)
    ce = np.sum((u[EDOF] @ KE) * u[EDOF], axis=1)
    dc = -PENAL * X0 ** (PENAL - 1) * (EMAX - EMIN) * ce     # topopt.py's dc
    g = dg.grad(compliance)(X0)
    np.testing.assert_allclose(g, dc, rtol=1e-11, atol=1e-11 * np.max(np.abs(dc)))


def test_compliance_hessian_closed_form():
    u, Kf = plain_state(X0)
    n = X0.size
    ue = u[EDOF]
    d1 = PENAL * X0 ** (PENAL - 1) * (EMAX - EMIN)
    d2 = PENAL * (PENAL - 1) * X0 ** (PENAL - 2) * (EMAX - EMIN)
    V = np.zeros((NDOF, n))                  # column i: dK/dx_i u
    for e in range(n):
        V[EDOF[e], e] = d1[e] * KE @ ue[e]
    Vf = V[FREE]
    oracle = 2 * Vf.T @ np.linalg.solve(Kf, Vf) - np.diag(d2 * np.sum((ue @ KE) * ue, 1))
    H = dg.hessian(compliance_add_at, X0)
    np.testing.assert_array_equal(H, H.T)
    np.testing.assert_allclose(H, oracle, rtol=1e-9, atol=1e-10 * np.max(np.abs(oracle)))


def density_filter(rmin=1.5):
    """topopt.py's filter matrix H (its loops, vectorized) and row sums Hs."""
    ij = np.array([(i, j) for i in range(NELX) for j in range(NELY)])
    dist = np.sqrt(np.sum((ij[:, None, :] - ij[None, :, :]) ** 2, axis=-1))
    H = sp.csc_matrix(np.maximum(0.0, rmin - dist))
    return H, np.asarray(H.sum(1))[:, 0]


def test_density_filtered_compliance_gradient_is_the_filtered_chain_rule():
    H, Hs = density_filter()
    g = dg.grad(lambda x: compliance_add_at((x @ H.T) / Hs))(X0)   # H @ x written x @ H.T
    xp = (H @ X0) / Hs
    u, _ = plain_state(xp)
    dc = -PENAL * xp ** (PENAL - 1) * (EMAX - EMIN) * np.sum((u[EDOF] @ KE) * u[EDOF], 1)
    oracle = H @ (dc / Hs)                      # topopt.py's ft == 1 branch (H symmetric)
    np.testing.assert_allclose(g, oracle, rtol=1e-11, atol=1e-11 * np.max(np.abs(oracle)))


def test_compliance_refuses_scipy_sparse_naming_np_add_at():
    def compliance_coo(x):                     # topopt.py as written
        K = sp.coo_matrix((stiffness_values(x), (IK, JK)), shape=(NDOF, NDOF)).tocsc()
        K = K[FREE, :][:, FREE]
        return LOAD[FREE] @ spla.spsolve(K, LOAD[FREE])
    with pytest.warns(dg.ObjectArrayWarning), \
            pytest.raises(DualTypeError, match="scipy.sparse.coo_matrix") as info:
        dg.grad(compliance_coo)(X0)
    assert "np.add.at(K, (row, col), data)" in str(info.value)
    assert "np.zeros_like(data, shape=(m, n))" in str(info.value)


# ---------------------------------------------------------------- nonlinear truss

RT = np.random.default_rng(46)
NODES = np.array([[i, j] for i in range(5) for j in range(2)], float)
BARS = np.array([b for i in range(4) for b in [(2 * i, 2 * i + 2), (2 * i + 1, 2 * i + 3),
                                                (2 * i, 2 * i + 3), (2 * i + 1, 2 * i + 2)]]
                + [(2 * i, 2 * i + 1) for i in range(5)])
EA = 100.0 + 10.0 * RT.random(len(BARS))
U0 = 0.05 * RT.standard_normal(NODES.size)


def internal_force_loop(u):
    """Green-strain bars, a Python loop over elements as textbooks write it."""
    U = u.reshape(-1, 2)
    f = np.zeros_like(u)
    for e, (i, j) in enumerate(BARS):
        L0v = NODES[j] - NODES[i]
        L0sq = L0v @ L0v
        d = L0v + U[j] - U[i]
        fe = EA[e] * (d @ d - L0sq) / (2 * L0sq) * d / np.sqrt(L0sq)
        f[2 * j:2 * j + 2] += fe
        f[2 * i:2 * i + 2] -= fe
    return f


def internal_force_add_at(u):
    U = u.reshape(-1, 2)
    L0v = NODES[BARS[:, 1]] - NODES[BARS[:, 0]]
    L0sq = np.sum(L0v ** 2, 1)
    d = L0v + U[BARS[:, 1]] - U[BARS[:, 0]]
    fe = (EA * (np.sum(d * d, 1) - L0sq) / (2 * L0sq) / np.sqrt(L0sq))[:, None] * d
    F = np.zeros_like(U)
    np.add.at(F, BARS[:, 1], fe)
    np.add.at(F, BARS[:, 0], -fe)
    return F.ravel()


def strain_energy(u):
    U = u.reshape(-1, 2)
    L0v = NODES[BARS[:, 1]] - NODES[BARS[:, 0]]
    L0sq = np.sum(L0v ** 2, 1)
    d = L0v + U[BARS[:, 1]] - U[BARS[:, 0]]
    return np.sum(0.5 * EA * np.sqrt(L0sq) * ((np.sum(d * d, 1) - L0sq) / (2 * L0sq)) ** 2)


def tangent_closed(u):
    U = u.reshape(-1, 2)
    K = np.zeros((u.size, u.size))
    for e, (i, j) in enumerate(BARS):
        L0v = NODES[j] - NODES[i]
        L0sq = L0v @ L0v
        L0 = np.sqrt(L0sq)
        d = L0v + U[j] - U[i]
        N = EA[e] * (d @ d - L0sq) / (2 * L0sq)
        k = EA[e] / (L0 * L0sq) * np.outer(d, d) + N / L0 * np.eye(2)
        idx = [2 * i, 2 * i + 1, 2 * j, 2 * j + 1]
        K[np.ix_(idx, idx)] += np.block([[k, -k], [-k, k]])
    return K


@pytest.mark.parametrize("fint", [internal_force_loop, internal_force_add_at])
def test_truss_tangent_stiffness_dense_and_sparse(fint):
    Kc = tangent_closed(U0)
    scale = np.max(np.abs(Kc))
    np.testing.assert_allclose(dg.jacobian(fint, U0), Kc, rtol=0, atol=1e-13 * scale)
    P = dg.sparsity(fint, U0)
    np.testing.assert_array_equal(P.toarray(), Kc != 0)      # exactly the bars' blocks
    Ks = dg.jacobian(fint, U0, sparsity=P, format="csc")
    assert sp.issparse(Ks)
    np.testing.assert_allclose(Ks.toarray(), Kc, rtol=0, atol=1e-13 * scale)


def test_truss_energy_gradient_and_sparse_hessian():
    Kc = tangent_closed(U0)
    scale = np.max(np.abs(Kc))
    np.testing.assert_allclose(dg.grad(strain_energy)(U0), internal_force_loop(U0),
                               rtol=0, atol=1e-13 * scale)
    H = dg.hessian(strain_energy, U0, sparsity="auto")
    np.testing.assert_allclose(H.toarray(), Kc, rtol=0, atol=1e-13 * scale)


def test_truss_newton_converges_quadratically():
    free = np.arange(4, NODES.size)                  # nodes 0 and 1 pinned
    load = np.zeros(NODES.size)
    load[-1] = -5.0

    def residual(uf):
        return internal_force_add_at(np.concatenate([np.zeros(4), uf]))[free] - load[free]
    uf, norms = np.zeros(free.size), []
    for _ in range(30):
        r = residual(uf)
        norms.append(np.linalg.norm(r))
        if norms[-1] < 1e-8:           # above the rounding floor (about 1e-13 here)
            break
        uf = uf - np.linalg.solve(dg.jacobian(residual, uf), r)
    assert norms[-1] < 1e-8
    # quadratic convergence at the end (0.039, 1.5e-4, 2.2e-9): e_{k+1} <= e_k^2, which a
    # Jacobian off by a percent (linear convergence) would not keep
    assert norms[-1] < norms[-2] ** 2 and norms[-2] < norms[-3] ** 2


# ---------------------------------------------------------------- hyperelasticity

MU, LAM = 1.3, 2.1
F0 = np.eye(3) + 0.2 * np.random.default_rng(1).standard_normal((3, 3))


def neo_hooke(F):
    J = np.linalg.det(F)
    return 0.5 * MU * (np.trace(F.T @ F) - 3) - MU * np.log(J) + 0.5 * LAM * np.log(J) ** 2


def mooney_rivlin(F, c10=0.5, c01=0.2, kappa=10.0):
    C = F.T @ F
    J = np.linalg.det(F)
    I1 = np.trace(C)
    I2 = 0.5 * (I1 ** 2 - np.trace(C @ C))
    return c10 * (J ** (-2 / 3) * I1 - 3) + c01 * (J ** (-4 / 3) * I2 - 3) + \
        0.5 * kappa * (J - 1) ** 2


@pytest.mark.parametrize("F", [F0, np.eye(3), np.diag([1.1, 1.0, 1.0])])
def test_neo_hooke_stress_and_tangent_closed_forms(F):
    J = np.linalg.det(F)
    Fi = np.linalg.inv(F)
    P = MU * (F - Fi.T) + LAM * np.log(J) * Fi.T
    I = np.eye(3)
    A = MU * np.einsum("ik,jl->ijkl", I, I) + (MU - LAM * np.log(J)) * \
        np.einsum("li,jk->ijkl", Fi, Fi) + LAM * np.einsum("ji,lk->ijkl", Fi, Fi)
    np.testing.assert_allclose(dg.gradient(neo_hooke, F), P, rtol=0, atol=1e-14)
    np.testing.assert_allclose(dg.hessian(neo_hooke, F), A, rtol=0, atol=1e-13)


def test_mooney_rivlin_stress_against_the_complex_step():
    h = 1e-30
    P = np.array([mooney_rivlin(F0 + 1j * h * E.reshape(3, 3)).imag / h for E in np.eye(9)])
    np.testing.assert_allclose(dg.gradient(mooney_rivlin, F0), P.reshape(3, 3), rtol=1e-14,
                               atol=1e-14)


# ---------------------------------------------------------------- buckling

def test_buckling_load_factor_sensitivity():
    from dualgrad.scipy.linalg import eigh
    sl = pytest.importorskip("scipy.linalg")
    r = np.random.default_rng(7)
    Ks = [(lambda A: A @ A.T + 5 * np.eye(5))(r.standard_normal((5, 5))) for _ in range(3)]
    KG = (lambda A: A @ A.T + np.eye(5))(r.standard_normal((5, 5)))
    x0 = np.array([1.0, 2.0, 0.5])

    def load_factor(x):
        return eigh(x[0] * Ks[0] + x[1] * Ks[1] + x[2] * Ks[2], KG)[0][0]
    phi = sl.eigh(sum(a * k for a, k in zip(x0, Ks)), KG)[1][:, 0]     # phi^T KG phi = 1
    np.testing.assert_allclose(dg.grad(load_factor)(x0), [phi @ k @ phi for k in Ks],
                               rtol=1e-12)


# ---------------------------------------------------------------- scipy.sparse refusals

A_PLAIN = sp.csc_matrix(np.diag([2.0, 3.0, 4.0, 5.0]) + 0.1)
XV = np.array([1.0, 2.0, 3.0, 4.0])


@pytest.mark.filterwarnings("ignore::dualgrad.ObjectArrayWarning")
@pytest.mark.parametrize("f, who, fix", [
    (lambda x: sp.coo_array((x, (np.arange(4), np.arange(4))), shape=(4, 4)).toarray(),
     "scipy.sparse.coo_array", "np.add.at(K, (row, col), data)"),
    (lambda x: sp.csr_matrix(np.diag(x)).toarray(), "scipy.sparse.csr_matrix",
     "of a dense dual K, K itself"),
    (lambda x: spla.spsolve(A_PLAIN, x), "scipy.sparse.linalg.spsolve",
     "np.linalg.solve(A.toarray(), b)"),
    (lambda x: spla.cg(A_PLAIN, x)[0], "scipy.sparse.linalg.cg",
     "np.linalg.solve(A.toarray(), b)"),
    (lambda x: spla.splu(A_PLAIN).solve(x), "a compiled function called at",
     "np.linalg.solve(A.toarray(), b)"),
    (lambda x: spla.factorized(A_PLAIN)(x), "spla.factorized(A_PLAIN)(x)",
     "np.linalg.solve(A.toarray(), b)"),
])
def test_scipy_sparse_on_duals_names_the_dense_spelling(f, who, fix):
    with pytest.raises(DualTypeError) as info:
        dg.jacobian(f, XV)
    text = str(info.value)
    assert who in text and fix in text and text.startswith("dualgrad.jacobian: ")
    # what the spelling says, done: the same derivative as the plain solve's matrix
    if "solve" in fix:
        J = dg.jacobian(lambda x: np.linalg.solve(A_PLAIN.toarray(), x), XV)
        np.testing.assert_allclose(J, np.linalg.inv(A_PLAIN.toarray()), rtol=1e-14)


@pytest.mark.parametrize("helper", [
    lambda f: dg.hessian(f, XV), lambda f: dg.grad(f)(XV), lambda f: dg.sparsity(f, XV),
    lambda f: dg.approx_fprime(XV, f), lambda f: dg.jvp(f, XV, XV)])
def test_compiled_refusal_is_named_by_every_helper(helper):
    lu = spla.splu(A_PLAIN)
    with pytest.raises(DualTypeError, match="a compiled function called at .*test_user46"):
        helper(lambda x: np.sum(lu.solve(x)))


def test_compiled_refusal_of_an_object_array_of_scalar_duals():
    lu = spla.splu(A_PLAIN)
    with pytest.raises(DualTypeError, match=r"object array of scalar duals.*np\.stack"):
        dg.jacobian(lambda x: lu.solve(np.array([x[0], 1.0, 1.0, 1.0])), XV)


def test_structures_example_is_exact(capsys):
    """examples/structures.py: the truss's Newton converges with the sparse tangent equal
    to the textbook's, the compliance gradient equals topopt.py's adjoint, the
    neo-Hookean stress and tangent their closed forms."""
    import runpy
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "examples" / "structures.py"
    if not path.exists():
        pytest.skip("examples/ not present")
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    norms = [float(line.split("|r| = ")[1]) for line in out.splitlines() if "Newton" in line]
    # quadratic before the rounding floor: 0.67, 3.7e-3, 7.2e-7, then 1.6e-12
    assert norms[-1] < 1e-9 and norms[-2] < norms[-3] ** 2 and norms[-3] < norms[-4] ** 2
    assert float(out.split("max |K - hand| / max |hand| = ")[1].split()[0]) < 1e-14
    assert "coo_matrix on duals raised TypeError naming np.add.at" in out
    assert float(out.split("max |dg.grad - adjoint| / max |adjoint| = ")[1].split()[0]) < 1e-11
    P, A = out.split("neo-Hookean: max |P - closed form| = ")[1].split(", max |A - closed form| = ")
    assert float(P) < 1e-14 and float(A.split()[0]) < 1e-14


_LIBRARY = '''import numpy as np


def umat(params):
    """SolidsPy's femutil.umat (plane stress), its buffer as there."""
    E, nu = params
    C = np.zeros((3, 3))
    enu = E / (1 - nu**2)
    C[0, 0] = enu
    C[0, 1] = nu * enu
    C[1, 0] = C[0, 1]
    C[1, 1] = enu
    C[2, 2] = enu * (1 - nu) / 2
    return C
'''


def test_buffer_message_names_the_library_file_that_made_the_buffer(tmp_path):
    """SolidsPy's element routines (femutil.umat, elast_diff_2d) fill np.zeros buffers;
    differentiating an element stiffness in E, nu or the coordinates from the user's own
    file, the message's "made at line 574" named no file: now the function and file."""
    import importlib.util
    path = tmp_path / "femlib46.py"
    path.write_text(_LIBRARY)
    spec = importlib.util.spec_from_file_location("femlib46", path)
    lib = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lib)
    with pytest.raises(DualTypeError) as info:
        dg.jacobian(lib.umat, np.array([8 / 3, 1 / 3]))
    text = str(info.value)
    assert "made at line 7: C = np.zeros((3, 3))" in text
    assert f"(Line 7 is in umat of {path}.)" in text
    # the fix it names, pasted, gives the closed form d C / d E = C / E
    fixed = _LIBRARY.replace("C = np.zeros((3, 3))", "C = np.zeros_like(params, shape=(3, 3))")
    path.write_text(fixed)
    spec.loader.exec_module(lib)
    J = dg.jacobian(lib.umat, np.array([8 / 3, 1 / 3]))
    np.testing.assert_allclose(J[..., 0], lib.umat(np.array([1.0, 1 / 3])), rtol=1e-15)


_ASSEMBLY = '''import numpy as np


def assemble(p):
    K = np.zeros((3, 3))
    k = np.array([[p[0], -p[0]], [-p[0], p[0]]])
    K[0:2, 0:2] += k
    return K
'''


def test_object_array_added_into_a_plain_buffer_names_the_library_line(tmp_path):
    """anastruct 1.7.0 (assembly.py: system.system_matrix[n1 : n1 + 3, n1 : n1 + 3] +=
    element_matrix[0:3, :3], its element matrices np.array([[EI / l ...]]) of scalar duals)
    raised dualgrad's message with no place in it: the user's f (a SystemElements model
    built and solved) is far from that line."""
    import importlib.util
    path = tmp_path / "assembly46.py"
    path.write_text(_ASSEMBLY)
    spec = importlib.util.spec_from_file_location("assembly46", path)
    lib = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lib)
    with pytest.raises(DualTypeError) as info:
        dg.jacobian(lib.assemble, np.array([2.0]))
    text = str(info.value)
    assert f"in place at line 7 of {path}, in assemble: K[0:2, 0:2] += k (np.add" in text
    assert "np.stack([d1, d2])" in text and "np.zeros_like(x" in text


def test_tangent_assembled_with_ix_in_a_loop_and_its_derivative():
    """docs/writing-code.md's other assembly spelling, K[np.ix_(idx, idx)] += ke in a loop
    over bars: its value is the textbook tangent, and its Jacobian in u (the energy's
    third derivative, linear in u) equals 4th-order differences of the closed form, which
    are exact to rounding for it; dg.jacfwd(dg.hessian) agrees."""
    def tangent(u):
        U = u.reshape(-1, 2)
        K = np.zeros_like(u, shape=(u.size, u.size))
        for e, (i, j) in enumerate(BARS):
            L0v = NODES[j] - NODES[i]
            L0sq = L0v @ L0v
            d = L0v + U[j] - U[i]
            N = EA[e] * (d @ d - L0sq) / (2 * L0sq)
            k = EA[e] / (np.sqrt(L0sq) * L0sq) * np.outer(d, d) + N / np.sqrt(L0sq) * np.eye(2)
            idx = [2 * i, 2 * i + 1, 2 * j, 2 * j + 1]
            K[np.ix_(idx, idx)] += np.block([[k, -k], [-k, k]])
        return K
    np.testing.assert_allclose(tangent(U0), tangent_closed(U0), rtol=0, atol=1e-12)
    h = 1e-2
    fd = np.stack([(-tangent_closed(U0 + 2 * h * e) + 8 * tangent_closed(U0 + h * e)
                    - 8 * tangent_closed(U0 - h * e) + tangent_closed(U0 - 2 * h * e)) / (12 * h)
                   for e in np.eye(U0.size)], axis=-1)
    scale = np.max(np.abs(fd))
    np.testing.assert_allclose(dg.jacobian(tangent, U0, chunk=7), fd, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(dg.jacfwd(lambda u: dg.hessian(strain_energy, u))(U0), fd,
                               rtol=0, atol=1e-12 * scale)


def test_j2_return_mapping_consistent_tangent():
    """Small-strain J2 plasticity with linear isotropic hardening, the radial return
    (Simo and Hughes, box 3.1): dg.jacobian of the stress update, symmetrized over the
    strain's indices, is the consistent tangent K 1x1 + 2 mu theta I_dev - 2 mu thetabar
    n x n; in the elastic range K 1x1 + 2 mu I_dev."""
    K, mu, sy, Hh = 160.0, 80.0, 0.25, 10.0
    eye = np.eye(3)

    def stress(eps):
        s_tr = 2 * mu * (eps - np.trace(eps) / 3 * eye)
        norm = np.sqrt(np.sum(s_tr * s_tr))
        f_tr = norm - np.sqrt(2 / 3) * sy
        if f_tr <= 0:
            return K * np.trace(eps) * eye + s_tr
        return K * np.trace(eps) * eye + s_tr - 2 * mu * f_tr / (2 * mu + 2 / 3 * Hh) * s_tr / norm

    II = np.einsum("ij,kl->ijkl", eye, eye)
    Idev = 0.5 * (np.einsum("ik,jl->ijkl", eye, eye) + np.einsum("il,jk->ijkl", eye, eye)) - II / 3
    r = np.random.default_rng(3)
    for scale, plastic in ((1e-4, False), (1e-2, True)):
        A = r.standard_normal((3, 3))
        eps = scale * (A + A.T) / 2
        s_tr = 2 * mu * (eps - np.trace(eps) / 3 * eye)
        norm = np.linalg.norm(s_tr)
        f_tr = norm - np.sqrt(2 / 3) * sy
        assert (f_tr > 0) == plastic
        C = K * II + 2 * mu * Idev
        if plastic:
            theta = 1 - 2 * mu * f_tr / (2 * mu + 2 / 3 * Hh) / norm
            thetabar = 1 / (1 + Hh / (3 * mu)) - (1 - theta)
            n = s_tr / norm
            C = K * II + 2 * mu * theta * Idev - 2 * mu * thetabar * np.einsum("ij,kl->ijkl", n, n)
        T = dg.jacobian(stress, eps)
        np.testing.assert_allclose(0.5 * (T + T.transpose(0, 1, 3, 2)), C, rtol=0,
                                   atol=1e-14 * np.max(np.abs(C)))


def test_hessian_pattern_of_a_stack_of_determinants_is_per_matrix():
    """A hyperelastic mesh's energy sums W(det F) over elements and Gauss points, F a
    stack (E, G, 3, 3) of deformation gradients: np.linalg.det of the stack made every
    output depend on every input in Hessian patterns, so a two-hex mesh's pattern was
    dense (1296 of 1296; the elements' own blocks: 1008) and a sparse Hessian paid more
    than the dense one.  Now each matrix of the stack on its own; the pattern holds every
    nonzero of the dense Hessian and the sparse Hessian equals it."""
    r = np.random.default_rng(46)
    conn = np.array([[0, 1, 2, 3, 4, 5, 6, 7], [1, 8, 9, 2, 5, 10, 11, 6]])
    G = r.standard_normal((4, 8, 3)) * 0.05               # per Gauss point: dF/dx maps
    X = r.standard_normal((12, 3))

    def F_of(u):
        x = X + u.reshape(-1, 3)
        return np.einsum("gai,eaj->egji", G, x[conn]) + np.eye(3)

    def energy(u):
        J = np.linalg.det(F_of(u))
        return np.sum(np.log(J) ** 2 + np.sum(F_of(u) ** 2, axis=(-2, -1)))
    u0 = 0.01 * r.standard_normal(36)
    assert np.all(np.linalg.det(F_of(u0)) > 0)
    P = dg.hessian_sparsity(energy, u0)
    shared = np.intersect1d(conn[0], conn[1])
    blocks = np.zeros((36, 36), bool)
    for c in conn:
        d = (3 * c[:, None] + np.arange(3)).ravel()
        blocks[np.ix_(d, d)] = True
    assert blocks.sum() == 2 * 24 ** 2 - (3 * len(shared)) ** 2 == 1008
    np.testing.assert_array_equal(P.toarray(), blocks)
    H = dg.hessian(energy, u0)
    assert np.all(np.isfinite(H)) and not np.any(H[~blocks])     # the elements' blocks only
    np.testing.assert_allclose(dg.hessian(energy, u0, sparsity=P).toarray(), H, rtol=1e-13,
                               atol=1e-13 * np.max(np.abs(H)))
    # the Jacobian's global pattern of the stack: each det on its element's 24 inputs
    Pj = dg.sparsity(lambda u: np.linalg.det(F_of(u)).ravel(), u0, mode="global")
    np.testing.assert_array_equal(Pj.toarray().sum(1), 24)
    # solve with a stack against a vector, inv and slogdet of stacks: the same rule
    A = lambda u: u[:24].reshape(6, 2, 2) + 3 * np.eye(2)          # noqa: E731
    for f in (lambda u: np.linalg.solve(A(u), u[24:26]).ravel(),
              lambda u: np.linalg.inv(A(u)).ravel(),
              lambda u: np.linalg.slogdet(A(u))[1]):
        Pg = dg.sparsity(f, u0, mode="global").toarray()
        J = dg.jacobian(f, u0)
        assert np.all(Pg[J != 0])
        assert not Pg[:, 26:].any() and Pg[:, :24].sum() == Pg.shape[0] * 4


def test_hessian_pattern_of_einsum_of_two_traced_operands_is_per_batch_index():
    """I1 = np.einsum("egij,egij->eg", F, F) of a mesh's stack of F: each (e, g) reads
    F[e, g] only; the pattern was all-to-all (dense).  Now the elements' blocks, holding
    the dense Hessian's nonzeros; a product with no batch index (ij,jk->ik) keeps the
    all-to-all superset."""
    r = np.random.default_rng(7)
    conn = np.array([[0, 1, 2, 3, 4, 5, 6, 7], [1, 8, 9, 2, 5, 10, 11, 6]])
    G = r.standard_normal((4, 8, 3)) * 0.05
    X = r.standard_normal((12, 3))

    def F_of(u):
        return np.einsum("gai,eaj->egji", G, (X + u.reshape(-1, 3))[conn]) + np.eye(3)

    def energy(u):
        F = F_of(u)
        return np.sum(np.einsum("egij,egij->eg", F, F) ** 2)
    u0 = 0.01 * r.standard_normal(36)
    blocks = np.zeros((36, 36), bool)
    for c in conn:
        d = (3 * c[:, None] + np.arange(3)).ravel()
        blocks[np.ix_(d, d)] = True
    P = dg.hessian_sparsity(energy, u0).toarray()
    np.testing.assert_array_equal(P, blocks)
    H = dg.hessian(energy, u0)
    assert np.all(P[H != 0]) and np.any(H != 0)
    np.testing.assert_allclose(dg.hessian(energy, u0, sparsity="auto").toarray(), H,
                               rtol=1e-13, atol=1e-13 * np.max(np.abs(H)))
    A = lambda u: u[:16].reshape(4, 4)                      # noqa: E731
    dense = dg.hessian_sparsity(lambda u: np.sum(np.einsum("ij,jk->ik", A(u), A(u)) ** 2),
                                u0).toarray()
    assert dense[:16, :16].all()
