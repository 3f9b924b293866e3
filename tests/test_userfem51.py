"""A structural engineer's first day (userfem51): topology optimization's sensitivities,
truss shape and sizing derivatives, eigenfrequencies and a Newton solve, each against an
independent oracle (the codes' own adjoints, closed forms, the complex step, JAX, the
implicit function theorem); and the messages those codes met.

Public code the tests follow (its structure, rewritten): github.com/1iyiwei/topopt @
1c41cfd9 (``src/topopt.py``'s ``comp`` and ``lk``; ``src/fesolvers.py`` @ 2ee4130f:
``coo_matrix`` then ``spsolve`` into ``u = np.zeros(ndof)``) and
github.com/jamesalexwhiteley/2D-Truss-Finite-Element @ 4847309d (``main.py``: a loop
over bars, ``T = np.bmat([[R, Zero], [Zero, R]])``, ``ke = np.transpose(T) * k_local * T``).
"""

import runpy
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse import coo_matrix
from scipy.sparse.linalg import spsolve

import dualgrad as dg
from dualgrad.errors import DualTypeError
from dualgrad.scipy.linalg import eigh
from dualgrad.testing import complex_step

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "topology_sensitivity.py"


def rel(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.max(np.abs(b))


# ---------------------------------------------------------------- the 99-line port
NELX, NELY, PENAL = 6, 3, 3.0


def lk(nu=0.3):
    k = np.array([1 / 2 - nu / 6, 1 / 8 + nu / 8, -1 / 4 - nu / 12, -1 / 8 + 3 * nu / 8,
                  -1 / 4 + nu / 12, -1 / 8 - nu / 8, nu / 6, 1 / 8 - 3 * nu / 8])
    pick = [[0, 1, 2, 3, 4, 5, 6, 7], [1, 0, 7, 6, 5, 4, 3, 2], [2, 7, 0, 5, 6, 3, 4, 1],
            [3, 6, 5, 0, 7, 2, 1, 4], [4, 5, 6, 7, 0, 1, 2, 3], [5, 4, 3, 2, 1, 0, 7, 6],
            [6, 3, 4, 1, 2, 7, 0, 5], [7, 2, 1, 4, 3, 6, 5, 0]]
    return k[np.array(pick)] / (1 - nu ** 2)


KE = lk()
_ELX = np.repeat(np.arange(NELX), NELY)[:, None]
_ELY = np.tile(np.arange(NELY), NELX)[:, None]
_N1, _N2 = (NELY + 1) * _ELX + _ELY, (NELY + 1) * (_ELX + 1) + _ELY
_N3, _N4 = _N2 + 1, _N1 + 1
EDOF = np.array([2 * _N1, 2 * _N1 + 1, 2 * _N2, 2 * _N2 + 1,
                 2 * _N3, 2 * _N3 + 1, 2 * _N4, 2 * _N4 + 1]).T[0]
XL, YL = np.repeat(EDOF, 8), np.tile(EDOF, 8).ravel()
NDOF = 2 * (NELX + 1) * (NELY + 1)
FREE = np.setdiff1d(np.arange(NDOF), list(range(0, 2 * (NELY + 1), 2)) + [NDOF - 1])
FORCE = np.zeros(NDOF)
FORCE[1] = -1.0
X99 = 0.3 + 0.6 * np.random.default_rng(0).random((NELY, NELX))


def comp(x, u):
    """src/topopt.py's comp: np.dot of the 8 x 8 ke with a stack of (8, 1) columns."""
    xe = x.T.flatten()
    ue = u[EDOF]
    dot = np.dot(KE, ue.reshape((NELX * NELY, 8, 1)))
    ce = np.sum(ue.T * dot[:, :, 0], axis=0)
    c = np.sum(ce * xe.T ** PENAL)
    dc = -PENAL * (xe ** (PENAL - 1)) * ce
    return c, dc.reshape((NELX, NELY)).T


def displace_as_written(x):
    kd = x.T.reshape(NELX * NELY, 1, 1) ** PENAL
    values = (np.tile(KE, (NELX * NELY, 1, 1)) * kd).flatten()
    k = coo_matrix((values, (YL, XL)), shape=(NDOF, NDOF)).tocsc()
    u = np.zeros(NDOF)
    u[FREE] = spsolve(k[FREE, :][:, FREE], FORCE[FREE])
    return u


def dense_stiffness(x):
    kd = x.T.reshape(NELX * NELY, 1, 1) ** PENAL
    values = (np.tile(KE, (NELX * NELY, 1, 1)) * kd).flatten()
    K = np.zeros_like(values, shape=(NDOF, NDOF))
    np.add.at(K, (YL, XL), values)
    return K


def displace_dense(x):
    K = dense_stiffness(x)
    u = np.zeros_like(x, shape=NDOF)
    u[FREE] = np.linalg.solve(K[np.ix_(FREE, FREE)], FORCE[FREE])
    return u


def displace_into_a_plain_buffer(x):
    K = dense_stiffness(x)
    u = np.zeros(NDOF)
    u[FREE] = np.linalg.solve(K[np.ix_(FREE, FREE)], FORCE[FREE])
    return u


def test_99_line_compliance_gradient_equals_its_own_sensitivity():
    """The whole analysis (dense K) under dg.gradient, through comp's np.dot of a 2-D
    and a 3-D array, against the code's own dc; and against the complex step."""
    grad = dg.gradient(lambda x: comp(x, displace_dense(x))[0], X99)
    assert rel(grad, comp(X99, displace_as_written(X99))[1]) < 1e-11
    assert rel(grad, complex_step(lambda x: comp(x, displace_dense(x))[0], X99)) < 1e-12


def test_99_line_as_written_refuses_naming_the_dense_spellings():
    with pytest.warns(dg.ObjectArrayWarning), \
            pytest.raises(DualTypeError, match=r"coo_matrix.*np\.add\.at\(K, \(row, col\)"):
        dg.gradient(lambda x: comp(x, displace_as_written(x))[0], X99)
    with pytest.raises(DualTypeError, match=r"u\[FREE\] = .*np\.zeros_like\(x, shape=NDOF\)"):
        dg.gradient(lambda x: comp(x, displace_into_a_plain_buffer(x))[0], X99)


# ---------------------------------------------------------------- density filters
def _filter(nelx=5, nely=3, rmin=1.5):
    elx, ely = np.divmod(np.arange(nelx * nely), nely)
    d = np.hypot(elx[:, None] - elx[None, :], ely[:, None] - ely[None, :])
    return sp.csr_matrix(np.maximum(0.0, rmin - d))


H = _filter()
HS = H.sum(1)                                           # an np.matrix, as the codes have it
XF = np.random.default_rng(1).uniform(0.2, 1.0, H.shape[0])
WF = np.random.default_rng(2).uniform(0.5, 2.0, H.shape[0])


@pytest.mark.parametrize("spelling", [
    lambda x: H @ x / np.asarray(HS).ravel(),
    lambda x: H.dot(x) / np.asarray(HS).ravel(),
    lambda x: (H * x) / np.asarray(HS).ravel(),          # a sparse *matrix*'s * is @
    lambda x: (x @ H.T) / np.asarray(HS).ravel(),
    lambda x: sp.csr_array(H) @ x / np.asarray(HS).ravel(),
], ids=["H@x", "H.dot", "H*x", "x@H.T", "csr_array@x"])
def test_density_filter_spellings_are_exact(spelling):
    """docs/writing-code.md said H @ x is converted by SciPy; every spelling is exact,
    first and second order (closed form: A = H / Hs, c = sum w (A x)^3)."""
    A = H.toarray() / np.asarray(HS)
    y = A @ XF

    def f(x):
        return np.sum(WF * spelling(x) ** 3)
    assert rel(dg.gradient(f, XF), A.T @ (3 * y ** 2 * WF)) < 1e-14
    hess = A.T @ np.diag(6 * y * WF) @ A
    assert rel(dg.hessian(f, XF), hess) < 1e-14
    assert rel(dg.hessian(f, XF, sparsity="auto").toarray(), hess) < 1e-14


def test_165_line_filter_with_an_np_matrix_names_the_row_sums():
    """topopt.py (165 lines): xPhys = np.asarray(H * x[np.newaxis].T / Hs)[:, 0] with
    Hs = H.sum(1), an np.matrix: refused (np.matrix's reductions keep 2-D shapes),
    naming np.asarray(H.sum(1))."""
    with pytest.raises(DualTypeError, match=r"np\.matrix.*np\.asarray\(H\.sum\(1\)\)"):
        dg.gradient(lambda x: np.sum(np.asarray(H * x[np.newaxis].T / HS)[:, 0] ** 2), XF)


# ---------------------------------------------------------------- the truss code
CONN = np.array([[2, 0], [3, 0], [0, 1], [2, 1], [3, 1], [2, 3]])
COORD = np.array([[20, 20], [20, 0], [0, 20], [0, 0]], float).ravel()
AREAS = np.array([1, np.sqrt(2) / 2, 1, np.sqrt(2) / 2, 1, 1])
E = 1e7
CONSTRAINED = np.array([4, 5, 6, 7])


def truss_displacements(coord, areas=AREAS, bmat=False):
    """main.py's loop over bars, its boundary conditions by zeroed rows and columns and
    an identity block, with np.linalg.solve for its inv(k) * f."""
    c = coord.reshape(4, 2)
    k = np.zeros_like(coord[0] * areas[0], shape=(8, 8))
    f = np.zeros((8, 1))
    f[1] = 500
    for ind in range(6):
        a, b = CONN[ind]
        x1, x2, y1, y2 = c[a, 0], c[b, 0], c[a, 1], c[b, 1]
        length = np.sqrt((x2 - x1) * (x2 - x1) + (y2 - y1) * (y2 - y1))
        cos, sin = (x2 - x1) / length, (y2 - y1) / length
        k_local = areas[ind] * E / length * np.array([[1, 0, -1, 0], [0, 0, 0, 0],
                                                      [-1, 0, 1, 0], [0, 0, 0, 0]])
        R = np.array([[cos, sin], [-sin, cos]])
        Z = np.zeros((2, 2))
        if bmat:
            T = np.bmat([[R, Z], [Z, R]])
            ke = np.transpose(T) * k_local * T
        else:
            T = np.block([[R, Z], [Z, R]])
            ke = T.T @ k_local @ T
        index = [2 * a, 2 * a + 1, 2 * b, 2 * b + 1]
        for i in range(4):
            for j in range(4):
                k[index[i], index[j]] = k[index[i], index[j]] + ke[i, j]
    k[CONSTRAINED, :] = 0
    k[:, CONSTRAINED] = 0
    k[4:8, 4:8] = np.identity(4)
    return np.linalg.solve(k, f)[:4, 0]


def test_truss_displacements_jacobian_in_node_coordinates_equals_the_complex_step():
    J = dg.jacobian(truss_displacements, COORD)
    assert rel(J, complex_step(truss_displacements, COORD)) < 1e-14


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_truss_with_np_bmat_refuses_naming_np_block():
    """main.py's T = np.bmat(...) and ke = T' * k * T (np.matrix products)."""
    with pytest.raises(DualTypeError, match=r"np\.matrix.*np\.block.*A\.T @ k @ A"):
        dg.jacobian(lambda c: truss_displacements(c, bmat=True), COORD)


def _bar_stiffness(i, coord=COORD):
    c = coord.reshape(4, 2)
    a, b = CONN[i]
    d = c[b] - c[a]
    L = np.sqrt(d @ d)
    v = np.r_[-d, d] / L
    K = np.zeros((8, 8))
    idx = [2 * a, 2 * a + 1, 2 * b, 2 * b + 1]
    K[np.ix_(idx, idx)] += E / L * np.outer(v, v)
    return K[:4, :4]


def truss_compliance(areas, coord=COORD):
    return 500 * truss_displacements(coord, areas)[1]


def test_truss_compliance_hessian_in_areas_equals_its_closed_form():
    """c = f^T u, K linear in the areas: dc/dA_i = -u^T K_i u and
    d2c/dA_i dA_j = 2 u^T K_i K^-1 K_j u."""
    Ks = [_bar_stiffness(i) for i in range(6)]
    K = sum(a * Ki for a, Ki in zip(AREAS, Ks))
    u = np.linalg.solve(K, [0.0, 500.0, 0.0, 0.0])
    Kinv = np.linalg.inv(K)
    assert rel(dg.gradient(truss_compliance, AREAS), [-u @ Ki @ u for Ki in Ks]) < 1e-14
    want = [[2 * u @ Ki @ Kinv @ Kj @ u for Kj in Ks] for Ki in Ks]
    assert rel(dg.hessian(truss_compliance, AREAS), want) < 1e-14


def test_truss_compliance_hessian_in_coordinates_equals_jax():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", True)

    def compliance(coord):
        c = coord.reshape(4, 2)
        K = jnp.zeros((8, 8))
        for i, (a, b) in enumerate(CONN):
            d = c[b] - c[a]
            L = jnp.sqrt(d @ d)
            v = jnp.concatenate([-d, d]) / L
            idx = jnp.array([2 * a, 2 * a + 1, 2 * b, 2 * b + 1])
            K = K.at[jnp.ix_(idx, idx)].add(AREAS[i] * E / L * jnp.outer(v, v))
        return 500 * jnp.linalg.solve(K[:4, :4], jnp.array([0.0, 500.0, 0.0, 0.0]))[1]
    want = np.asarray(jax.hessian(compliance)(jnp.asarray(COORD)))
    assert rel(dg.hessian(lambda c: truss_compliance(AREAS, c), COORD), want) < 1e-13


# ---------------------------------------------------------------- eigenfrequencies
ANGLES = np.deg2rad([0.0, 90.0, 30.0, 120.0])
MASS = 2.0


def star(areas):
    """A free node tied by bars at 0, 90, 30 and 120 degrees: with equal areas K = 1.5 I,
    a repeated eigenvalue (a symmetric structure's pair of modes)."""
    K = np.zeros_like(areas, shape=(2, 2))
    for a, t in zip(areas, ANGLES):
        e = np.array([np.cos(t), np.sin(t)])
        K = K + a * np.outer(e, e)
    return K, MASS * np.eye(2)


def test_frequencies_of_a_distinct_spectrum_equal_the_textbook_sensitivity():
    areas = np.array([1.0, 2.0, 0.5, 1.5])
    K, M = star(areas)
    w, V = np.linalg.eigh(K / MASS)
    want = [[V[:, m] @ np.outer(*[[np.cos(t), np.sin(t)]] * 2) @ V[:, m] / MASS
             for t in ANGLES] for m in range(2)]
    assert rel(dg.jacobian(lambda a: eigh(*star(a))[0], areas), want) < 1e-14
    assert rel(dg.jacobian(lambda a: eigh(*star(a), eigvals_only=True), areas), want) < 1e-14


def test_repeated_frequency_cluster_sum_and_mean_are_exact():
    """At the repeated pair the sum over the cluster is differentiable: tr(K_i) / m per
    bar (each eigenvalue's partials are the cluster's mean with eigvals_only=True)."""
    areas = np.ones(4)
    want = np.ones(4) / MASS                             # tr(e e^T) = 1
    for only in (True, False):
        def total(a):
            w = eigh(*star(a), eigvals_only=True) if only else eigh(*star(a))[0]
            return np.sum(w)
        assert rel(dg.gradient(total, areas), want) < 1e-14
    grad = dg.jacobian(lambda a: eigh(*star(a), eigvals_only=True), areas)
    assert rel(grad, np.tile(want / 2, (2, 1))) < 1e-14


def test_repeated_frequency_gradient_is_linear_in_the_direction():
    """eigh's (values and vectors) lowest eigenvalue at the repeated pair: its gradient
    was (0.5, 0, 0.25, 0.25) (diag(V^T dA V) for the bars along the eigenvectors, the
    cluster's mean for those mixing them), so grad @ v = 0.75 along v = (1, 0, 1, 0)
    while dg.jvp along v gave the mean 0.5 (the one-sided derivatives there: 0.067 and
    0.933, the eigenvalues of the restricted dK / m; linearity is what is asserted).
    Since eig53 every direction takes diag(V^T dA V), LAPACK's vector's Rayleigh
    quotient (tests/test_eigh_linear53.py)."""
    areas = np.ones(4)
    v = np.array([1.0, 0.0, 1.0, 0.0])

    def lowest(a):
        return eigh(*star(a))[0][0]
    assert abs(dg.gradient(lowest, areas) @ v - dg.jvp(lowest, areas, v)[1]) < 1e-14


# ---------------------------------------------------------------- Newton through a bar
N_BAR = 8


def bar_residual(u, mu, load):
    """An incompressible neo-Hookean bar in uniaxial tension, N_BAR elements."""
    stretch = 1 + np.diff(np.concatenate([np.zeros(1) + 0 * u[:1], u])) * N_BAR
    S = mu * (stretch - 1 / stretch ** 3)
    ext = np.concatenate([np.zeros(N_BAR - 1), np.ones(1)])
    return np.concatenate([S[:-1] - S[1:], S[-1:]]) - ext * load


def end_displacement(p, tol=1e-12, one_more=False):
    u = np.zeros_like(p, shape=N_BAR)
    for _ in range(50):
        r = bar_residual(u, p[0], p[1])
        done = np.linalg.norm(r) < tol
        if done and not one_more:
            break
        u = u - np.linalg.solve(dg.jacobian(bar_residual, u, p[0], p[1]), r)
        if done:
            break
    return u[-1]


def test_newton_solve_derivative_equals_the_implicit_function_theorem():
    """dg.gradient through Newton's iterations (a nested dg.jacobian for the tangent)
    against du/dp = -R_u^-1 R_p at the converged float solution."""
    p = np.array([1.0, 0.8])
    u = np.zeros(N_BAR)
    for _ in range(60):
        u = u - np.linalg.solve(dg.jacobian(bar_residual, u, *p), bar_residual(u, *p))
    Ru = dg.jacobian(bar_residual, u, *p)
    Rp = np.stack([dg.derivative(lambda m: bar_residual(u, m, p[1]), p[0]),
                   dg.derivative(lambda s: bar_residual(u, p[0], s), p[1])], axis=1)
    want = -np.linalg.solve(Ru, Rp)[-1]
    assert rel(dg.gradient(end_displacement, p), want) < 1e-12
    # docs/writing-code.md, "Through a Newton solve": stopped at 1e-4 the derivative
    # lags (the value 9e-5 off, the gradient 5e-4); one more step brings both to ~1e-8
    lagging = rel(dg.gradient(lambda q: end_displacement(q, 1e-4), p), want)
    value = abs(end_displacement(p, 1e-4) - u[-1]) / abs(u[-1])
    assert 1e-4 < lagging < 1e-3 and value < lagging
    assert rel(dg.gradient(lambda q: end_displacement(q, 1e-4, True), p), want) < 1e-7


# ---------------------------------------------------------------- the example
def test_topology_sensitivity_example_is_exact(capsys):
    if not EXAMPLE.exists():
        pytest.skip("examples/ not present")
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    errors = [float(line.split("rel. error against")[1].split()[-1])
              for line in out.splitlines() if "rel. error against" in line]
    assert len(errors) == 3 and max(errors) < 1e-10, out


# ---------------------------------------------------------------- eigensolver refusals
_B = np.random.default_rng(5).random((7, 7))
K_EIG = _B @ _B.T + np.diag(np.arange(1.0, 8.0)) - 3 * np.eye(7)     # some negative
M_EIG = np.diag(np.random.default_rng(6).uniform(1.0, 2.0, 7))
P_EIG = np.ones(7)


@pytest.mark.parametrize("kwargs", [
    dict(k=3), dict(k=2, which="SA"), dict(k=3, which="LA"), dict(k=2, which="SM"),
    dict(k=3, which="BE"), dict(k=3, sigma=0.0), dict(k=3, M=M_EIG, sigma=0.0),
    dict(k=2, M=M_EIG), dict(k=3, sigma=2.5, which="LA"), dict(k=2, sigma=-1.0, which="SA"),
], ids=lambda kw: ",".join(f"{k}={'M' if k == 'M' else v}" for k, v in kw.items()))
def test_eigsh_refusal_spells_the_call_scipy_makes(kwargs):
    """scipy.sparse.linalg.eigsh on duals: the fix said 'the k largest in magnitude, in
    ascending magnitude' whatever sigma, which and M were (a structure's highest modes
    for the lowest its sigma=0 asks, in another order). The pick it writes out, applied
    to the dense ascending eigenvalues, is SciPy's own result (the oracle: eigsh on
    floats)."""
    import re
    import scipy.linalg
    from scipy.sparse.linalg import eigsh
    with pytest.raises(DualTypeError) as info:
        dg.jacobian(lambda p: eigsh(K_EIG * p[0] + np.diag(p - 1), **kwargs)[0], P_EIG)
    message = str(info.value)
    if "M" in kwargs:
        assert "dualgrad.scipy.linalg.eigh(A, M)" in message
    pick = re.search(r"idx = (np\.sort\(.*?\)) \(your which", message).group(1)
    w = scipy.linalg.eigh(K_EIG, kwargs.get("M"), eigvals_only=True)
    got = w[eval(pick, {"np": np, "w": w})]
    assert np.allclose(got, eigsh(K_EIG, **kwargs)[0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["eigh", "eigvalsh"])
def test_eigh_refusals_keep_the_mass_matrix_and_the_subset(name):
    """scipy.linalg.eigvalsh(K, M) on duals was told np.linalg.eigvalsh(a) (the
    stiffness's eigenvalues, M dropped) and eigh(K, M, subset_by_index=...) the drop-in
    with subset_by_index (which it refuses on duals). Both spellings now keep b and
    select from the full result; each, run as written, gives SciPy's numbers, and the
    drop-in's derivatives equal the textbook phi^T dK phi."""
    import scipy.linalg
    call = getattr(scipy.linalg, name)

    def f(p):
        out = call(K_EIG * p[0] + np.diag(p - 1), M_EIG, subset_by_index=[0, 2])
        return out if name == "eigvalsh" else out[0]
    with pytest.raises(DualTypeError) as info:
        dg.jacobian(f, P_EIG)
    message = str(info.value)
    out = "w = " if name == "eigvalsh" else "w, v = "
    only = ", eigvals_only=True" if name == "eigvalsh" else ""
    assert f"then {out}eigh(a, b{only}), then w[0:3]" in message
    numpy = "np.linalg.eigvalsh" if name == "eigvalsh" else "np.linalg.eigh"
    assert f"L = np.linalg.cholesky(b); Li = np.linalg.inv(L); {out}{numpy}(Li @ a @ Li.T)" \
        in message
    assert "subset_by_index=" not in message.split("Fix:")[1]
    want = scipy.linalg.eigvalsh(K_EIG, M_EIG, subset_by_index=[0, 2])
    L = np.linalg.cholesky(M_EIG)
    Li = np.linalg.inv(L)
    assert np.allclose(np.linalg.eigvalsh(Li @ K_EIG @ Li.T)[0:3], want, rtol=1e-12)
    J = dg.jacobian(lambda p: eigh(K_EIG * p[0] + np.diag(p - 1), M_EIG,
                                   eigvals_only=True)[0:3], P_EIG)
    _, V = scipy.linalg.eigh(K_EIG, M_EIG)
    hand = (V[:, :3] ** 2).T                       # d/dp_i of diag(p - 1): phi_i^2
    hand[:, 0] += [V[:, m] @ K_EIG @ V[:, m] for m in range(3)]     # p_0 scales K too
    assert rel(J, hand) < 1e-12


# ---------------------------------------------------------------- continuum shape, plate modes
def _q4_mesh(nx=4, ny=2):
    X = np.array([[i, j] for i in range(nx + 1) for j in range(ny + 1)], float)
    X += 0.07 * np.sin(np.arange(X.size)).reshape(X.shape)          # a distorted mesh
    els = np.array([[i * (ny + 1) + j, (i + 1) * (ny + 1) + j, (i + 1) * (ny + 1) + j + 1,
                     i * (ny + 1) + j + 1] for i in range(nx) for j in range(ny)])
    return X.ravel(), els, ny


def q4_displacements(xflat, els, ny, nu=0.3):
    """Bilinear plane-stress elements integrated by 2 x 2 Gauss points from the node
    coordinates (Jacobians by np.einsum, np.linalg.det and solve over the stack),
    clamped on the left, a unit load down at the top right."""
    X = xflat.reshape(-1, 2)
    D = np.array([[1, nu, 0], [nu, 1, 0], [0, 0, (1 - nu) / 2]]) / (1 - nu ** 2)
    g = 1 / np.sqrt(3)
    dN = np.array([0.25 * np.array([[-(1 - b), 1 - b, 1 + b, -(1 + b)],
                                    [-(1 - a), -(1 + a), 1 + a, 1 - a]])
                   for a, b in [(-g, -g), (g, -g), (g, g), (-g, g)]])
    J = np.einsum("gan,enb->egab", dN, X[els])
    dNx = np.linalg.solve(J, np.broadcast_to(dN, J.shape[:2] + (2, 4)))
    B = np.zeros_like(dNx, shape=dNx.shape[:2] + (3, 8))
    B[..., 0, 0::2] = dNx[..., 0, :]
    B[..., 1, 1::2] = dNx[..., 1, :]
    B[..., 2, 0::2] = dNx[..., 1, :]
    B[..., 2, 1::2] = dNx[..., 0, :]
    ke = np.einsum("egia,ij,egjb,eg->eab", B, D, B, np.linalg.det(J))
    edof = np.stack([2 * els, 2 * els + 1], -1).reshape(len(els), 8)
    K = np.zeros_like(ke, shape=(X.size, X.size))
    np.add.at(K, (edof[:, :, None], edof[:, None, :]), ke)
    free = np.arange(2 * (ny + 1), X.size)
    f = np.zeros(X.size)
    f[-1] = -1.0
    return np.linalg.solve(K[np.ix_(free, free)], f[free])


def test_q4_mesh_displacements_jacobian_in_node_coordinates_equals_the_complex_step():
    x, els, ny = _q4_mesh()
    J = dg.jacobian(q4_displacements, x, els, ny)
    assert rel(J, complex_step(lambda z: q4_displacements(z, els, ny), x)) < 1e-12


def test_clamped_square_plate_repeated_modes_sum_is_exact():
    """A uniform clamped square plate (the example's model, no filter): its two lowest
    eigenvalues are a pair LAPACK returns ~3e-16 apart. Their sum's gradient equals
    sum_i phi_i^T (dK - w_i dM) phi_i, and no NaN, with and without the vectors; each
    member gets the pair's mean without the vectors, its own phi_i^T (dK - w_i dM)
    phi_i (LAPACK's vectors) with them (eig53: linear in the direction)."""
    if not EXAMPLE.exists():
        pytest.skip("examples/ not present")
    ex = runpy.run_path(str(EXAMPLE))
    mesh = ex["Mesh"](6, 6, rmin=1.0)
    n = mesh.nely + 1
    ix, iy = np.divmod(np.arange((mesh.nelx + 1) * n), n)
    edge = np.flatnonzero((ix == 0) | (ix == mesh.nelx) | (iy == 0) | (iy == mesh.nely))
    free = np.setdiff1d(np.arange(mesh.ndof), np.r_[2 * edge, 2 * edge + 1])

    def KM(x):
        K = np.zeros_like(x, shape=(mesh.ndof, mesh.ndof))
        np.add.at(K, (mesh.iK, mesh.jK), mesh.stiffness_values(x).ravel())
        m = np.zeros_like(x, shape=mesh.ndof)
        np.add.at(m, mesh.edof, np.repeat(x[:, None] / 4, 8, axis=1))
        return K[np.ix_(free, free)], np.diag(m[free])
    x0 = np.full(mesh.nel, 0.5)
    K0, M0 = KM(x0)
    w, V = eigh(K0, M0)
    assert w[1] - w[0] < 1e-14 * w[0] and w[2] - w[1] > 1e-3
    # dK / dx_e and dM / dx_e element by element, closed form
    ue = V[:, :2][np.searchsorted(free, mesh.edof).clip(0, len(free) - 1)]
    ue = np.where(np.isin(mesh.edof, free)[:, :, None], ue, 0.0)       # (el, 8, 2)
    dk = 3 * 0.5 ** 2 * (1 - 1e-9) * np.einsum("eim,ij,ejm->em", ue, ex["KE"], ue)
    dm = np.einsum("eim,eim->em", ue, ue) / 4
    want = np.sum(dk - w[:2] * dm, axis=1)
    for only, values in ((False, lambda x: eigh(*KM(x))[0][:2]),
                         (True, lambda x: eigh(*KM(x), eigvals_only=True)[:2])):
        J = dg.jacobian(values, x0)
        assert not np.isnan(J).any()
        assert rel(J[0] + J[1], want) < 1e-12
        if only:
            assert np.array_equal(J[0], J[1])
        else:
            assert rel(J, (dk - w[:2] * dm).T) < 1e-12


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("largest", [False, True])
@pytest.mark.parametrize("mass", [False, True])
def test_lobpcg_refusal_is_dualgrads_and_spells_the_call(largest, mass):
    """scipy.sparse.linalg.lobpcg on a dual matrix ended in SciPy's bare
    Exception('Dense eigensolver failed with error / object arrays are not supported').
    It is dualgrad's TypeError now, and the pick it writes, applied to the dense
    eigenvalues, is lobpcg's own result on floats (the oracle)."""
    import re
    import scipy.linalg
    from scipy.sparse.linalg import lobpcg
    n, k = 30, 3
    A = np.diag(np.arange(1.0, n + 1)) + 0.01 * np.ones((n, n))
    B = np.diag(np.linspace(1.0, 2.0, n)) if mass else None
    X = np.random.default_rng(7).random((n, k))
    with pytest.raises(DualTypeError, match=r"scipy\.sparse\.linalg\.lobpcg") as info:
        dg.jacobian(lambda p: lobpcg(A * p[0], X, B=B, largest=largest)[0], np.ones(1))
    message = str(info.value)
    assert ("dualgrad.scipy.linalg.eigh(A, B)" in message) == mass
    pick = re.search(r"then (w\[[^\]]*\](?:\[[^\]]*\])?),", message).group(1)
    w = scipy.linalg.eigh(A, B, eigvals_only=True)
    want = lobpcg(A, X, B=B, largest=largest, tol=1e-12, maxiter=500)[0]
    assert np.allclose(eval(pick, {"w": w}), want, rtol=1e-8)
