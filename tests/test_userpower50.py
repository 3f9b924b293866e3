"""A power-systems engineer's first day (userpower50): complex-voltage power-flow code.

The AC power flow is written with complex numbers and a scipy.sparse admittance matrix;
its derivatives come from real unknowns through complex intermediates.  Oracles: the
hand-derived matrix formulas of MATPOWER's technical note 2 (PYPOWER's dSbus_dV,
d2Sbus_dV2, dSbr_dV), Richardson-extrapolated central differences of whole solves, closed
forms of a single-machine model, MATPOWER's published case9 OPF optimum.
"""

import runpy
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import dualgrad as dg

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "power_flow.py"


@pytest.fixture(scope="module")
def pf():
    if not EXAMPLE.exists():
        pytest.skip("examples/ not present")
    return runpy.run_path(str(EXAMPLE))


def test_the_example_prints_exact_derivatives(capsys, pf):
    pf["main"]()
    out = capsys.readouterr().out
    dense = float(out.split("dense max error ")[1].split(",")[0])
    sparse = float(out.split("sparse max error ")[1].split()[0])
    hess = float(out.split("technical note 2: max error ")[1].split()[0])
    sens = float(out.split("whole solves: rel. error ")[1].split()[0])
    stab = float(out.split("differences of solves: rel. error ")[1].split()[0])
    assert dense < 1e-13 and sparse < 1e-13 and hess < 1e-12 and sens < 1e-8 and stab < 1e-8
    opf = out.split("AC OPF (SLSQP): cost ")[1]
    cost = float(opf.split()[0])
    n_exact = int(opf.split("dualgrad, ")[1].split()[0])
    n_fd = int(opf.split("differences, ")[1].split()[0])
    assert abs(cost - 5296.69) < 0.01 and n_exact < n_fd / 5


def test_jacobian_of_the_complex_mismatch_matches_the_hand_formulas_away_from_the_solution(pf):
    S = pf["injections"](pf["GEN"][:, 1])
    rng = np.random.default_rng(3)
    x = np.concatenate([pf["VA_SET"][pf["PVPQ"]], pf["VM_SET"][pf["PQ"]]])
    x = x + 0.1 * rng.standard_normal(x.size)
    want = pf["hand_jacobian"](x).toarray()
    for engine in ("eager", "fused"):
        with dg.engine(engine):
            J = dg.jacobian(pf["mismatch"], x, S)
            Js = dg.jacobian(pf["mismatch"], x, S, sparsity=pf["PATTERN"], format="csc")
        np.testing.assert_allclose(J, want, rtol=0, atol=1e-13)
        assert sp.issparse(Js) and Js.format == "csc"
        np.testing.assert_allclose(Js.toarray(), want, rtol=0, atol=1e-13)


def test_a_pattern_that_misses_a_coupling_is_refused(pf):
    S = pf["injections"](pf["GEN"][:, 1])
    x = np.concatenate([pf["VA_SET"][pf["PVPQ"]], pf["VM_SET"][pf["PQ"]]]) + 0.01
    P = pf["PATTERN"].tolil()
    P[0, 0] = False                          # dP_1 / dVa_1 is never 0
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.jacobian(pf["mismatch"], x, S, sparsity=P.tocsr())


def test_sparsity_detection_through_complex_intermediates_finds_the_networks_pattern(pf):
    """dg.sparsity follows the complex voltages: the pattern it detects is Y's, the one
    the engineer would pass, and sparsity="auto" gives the hand-derived Jacobian."""
    S = pf["injections"](pf["GEN"][:, 1])
    x = np.concatenate([pf["VA_SET"][pf["PVPQ"]], pf["VM_SET"][pf["PQ"]]]) + 0.01
    detected = dg.sparsity(pf["mismatch"], x, S)
    assert np.array_equal(detected.toarray() != 0, pf["PATTERN"].toarray() != 0)
    J = dg.jacobian(pf["mismatch"], x, S, sparsity="auto")
    np.testing.assert_allclose(J.toarray(), pf["hand_jacobian"](x).toarray(), rtol=0,
                               atol=1e-13)


def test_branch_flow_derivatives_match_dsbr_dv(pf):
    """|Sf|^2 of the from-end flows (an OPF's line limits) in [Va, Vm]: technical note 2's
    dSf/dVa, dSf/dVm and d|Sf|^2 = 2 (Re Sf dRe Sf + Im Sf dIm Sf)."""
    Y, Yf, f = pf["Y"], pf["YF"], pf["FROM"]
    nb = Y.shape[0]
    rng = np.random.default_rng(7)
    Va, Vm = 0.2 * rng.standard_normal(nb), 1 + 0.05 * rng.standard_normal(nb)

    def flow2(z):
        V = z[nb:] * np.exp(1j * z[:nb])
        return np.abs(V[f] * np.conj(Yf @ V)) ** 2

    V = Vm * np.exp(1j * Va)
    If = Yf @ V
    Sf = V[f] * np.conj(If)
    Cf = sp.csr_matrix((np.ones(len(f)), (np.arange(len(f)), f)), shape=(len(f), nb))
    dVa = 1j * (sp.diags(np.conj(If)) @ Cf @ sp.diags(V)
                - sp.diags(V[f]) @ (Yf @ sp.diags(V)).conj())
    dVm = (sp.diags(V[f]) @ (Yf @ sp.diags(V / Vm)).conj()
           + sp.diags(np.conj(If)) @ Cf @ sp.diags(V / Vm))
    dS = np.hstack([dVa.toarray(), dVm.toarray()])
    want = 2 * (Sf.real[:, None] * dS.real + Sf.imag[:, None] * dS.imag)
    J = dg.jacobian(flow2, np.concatenate([Va, Vm]))
    np.testing.assert_allclose(J, want, rtol=0, atol=1e-12 * np.max(np.abs(want)))


def test_small_signal_damping_gradient_matches_the_closed_form():
    """A single machine on an infinite bus: A = [[0, ws], [-K/2H, -D/2H]]; its
    eigenvalues -D/4H +- j(...), so max Re = -D/(4H) and the damping ratio
    zeta = D / (4H wn), wn = sqrt(ws K / 2H)."""
    ws = 2 * np.pi * 60

    def state_matrix(p):
        H, D, K = p
        A = np.zeros_like(p, shape=(2, 2))
        A[0, 1] = ws
        A[1, 0] = -K / (2 * H)
        A[1, 1] = -D / (2 * H)
        return A

    def zeta(p):
        w = np.linalg.eigvals(state_matrix(p))
        k = np.argmax(w.imag)
        return -w[k].real / np.abs(w[k])

    p = np.array([3.5, 2.0, 1.2])
    H, D, K = p
    g = dg.gradient(lambda q: np.max(np.linalg.eigvals(state_matrix(q)).real), p)
    np.testing.assert_allclose(g, [D / (4 * H ** 2), -1 / (4 * H), 0.0], rtol=1e-13, atol=1e-16)
    # zeta = D / (4 H wn) = D / (2 sqrt(2 H ws K))
    c = 2 * np.sqrt(2 * ws)
    want = [-0.5 * D / (c * H ** 1.5 * K ** 0.5), 1 / (c * np.sqrt(H * K)),
            -0.5 * D / (c * H ** 0.5 * K ** 1.5)]
    np.testing.assert_allclose(dg.gradient(zeta, p), want, rtol=1e-12)


def test_swing_equation_sensitivity_to_inertia_matches_richardson():
    from scipy.integrate import solve_ivp

    def swing(t, y, H, D, Pm, Pmax):
        d, w = y
        return np.stack([2 * np.pi * 60 * w, (Pm - Pmax * np.sin(d) - D * w) / (2 * H)])

    def angle(H, ivp):
        sol = ivp(swing, (0.0, 1.0), [0.5, 0.01], args=(H, 1.0, 0.8, 1.8),
                  rtol=1e-11, atol=1e-12)
        return sol.y[0, -1]

    got = dg.derivative(lambda H: angle(H, dg.solve_ivp), 3.5)
    h = 1e-3
    f = [angle(3.5 + k * h, solve_ivp) for k in (-2, -1, 1, 2)]
    want = (8 * (f[2] - f[1]) - (f[3] - f[0])) / (12 * h)
    assert abs(got - want) < 1e-7 * abs(want)


@pytest.mark.parametrize("trick, spelling", [("r", "np.concatenate"), ("c", "np.column_stack")])
def test_np_r_of_a_large_dual_warns_at_the_users_line_naming_concatenate(trick, spelling):
    """PYPOWER's F = r_[mis[pv].real, mis[pq].real, mis[pq].imag]: np.r_ converts each
    piece with np.array, an object array of scalar duals (exact, a Python call per
    element).  The warning came from NumPy's own file and named np.asarray / A.dot."""
    import warnings

    def f(x):
        if trick == "r":
            return np.r_[x * 2.0, x[:3]]
        return np.c_[x, x * 2.0]

    x = np.linspace(0.0, 1.0, 1200)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, t = dg.jvp(f, x, np.ones_like(x))
    want = np.r_[2.0 * np.ones_like(x), np.ones(3)] if trick == "r" else \
        np.c_[np.ones_like(x), 2.0 * np.ones_like(x)]
    np.testing.assert_array_equal(np.asarray(t, dtype=float), want)
    found = [w for w in caught if issubclass(w.category, dg.ObjectArrayWarning)]
    assert found and all(w.filename == __file__ for w in found)
    text = str(found[0].message)
    assert f"np.{trick}_[...]" in text and spelling in text


def test_jitted_complex_arithmetic_names_the_real_parts():
    """pandapower writes its injections as numba loops; complex numbers of duals cannot
    be compiled there, and the refusal said only "an operation numba cannot compile"."""
    numba = pytest.importorskip("numba")

    @numba.njit
    def injection(x):
        V = x[1] * np.exp(1j * x[0])
        return (V * np.conj(V * (2.0 - 5.0j))).real

    with pytest.raises(TypeError, match="complex arithmetic on duals") as err:
        dg.gradient(injection, np.array([0.1, 1.02]))
    assert "math.cos(Va)" in str(err.value) and "plain-Python f" in str(err.value)


@pytest.mark.engine_independent
def test_jitted_injections_in_real_arithmetic_match_the_hand_jacobian(pf):
    """The refusal's spelling: P and Q by a loop over Y's CSR arrays in real arithmetic
    (G cos + B sin), jitted; its Jacobian against technical note 2's dS/dVa, dS/dVm."""
    numba = pytest.importorskip("numba")

    @numba.njit
    def pq(z, G, B, indices, indptr):
        n = len(indptr) - 1
        out = np.zeros_like(z, shape=2 * n)
        for i in range(n):
            for k in range(indptr[i], indptr[i + 1]):
                j = indices[k]
                t = z[i] - z[j]
                c, s = np.cos(t), np.sin(t)
                w = z[n + i] * z[n + j]
                out[i] += w * (G[k] * c + B[k] * s)
                out[n + i] += w * (G[k] * s - B[k] * c)
        return out

    Y = pf["Y"].tocsr()
    nb = Y.shape[0]
    rng = np.random.default_rng(11)
    Va, Vm = 0.1 * rng.standard_normal(nb), 1 + 0.03 * rng.standard_normal(nb)
    V = Vm * np.exp(1j * Va)
    I = Y @ V
    Yd = Y.toarray()
    dS_dVa = 1j * np.diag(V) @ np.conj(np.diag(I) - Yd @ np.diag(V))
    dS_dVm = np.diag(V) @ np.conj(Yd @ np.diag(V / Vm)) + np.diag(np.conj(I) * V / Vm)
    want = np.block([[dS_dVa.real, dS_dVm.real], [dS_dVa.imag, dS_dVm.imag]])
    J = dg.jacobian(pq, np.concatenate([Va, Vm]), Y.data.real.copy(), Y.data.imag.copy(),
                    Y.indices, Y.indptr)
    np.testing.assert_allclose(J, want, rtol=0, atol=1e-12 * np.max(np.abs(want)))


def _power_spellings(pf):
    Y, Yf, f, nb = pf["Y"], pf["YF"], pf["FROM"], pf["NB"]

    def V(z):
        return z[nb:] * np.exp(1j * z[:nb])

    def written_real(z):                       # a write through z.real
        w = V(z).copy()
        w.real[:3] = 2.0 * z[nb:nb + 3]
        return w.imag + w.real

    def complex_buffer(z):
        b = np.zeros_like(z, shape=nb, dtype=complex)
        b[1:] = V(z)[:-1]
        b[0] = 1j * z[0]
        return (b * np.conj(Y @ b)).real

    def added_at(z):
        b = np.zeros_like(z, shape=nb, dtype=complex)
        np.add.at(b, f, V(z)[f] * np.conj(Yf @ V(z)))
        return b.imag

    return {
        "S": lambda z: np.concatenate([(V(z) * np.conj(Y @ V(z))).real,
                                       (V(z) * np.conj(Y @ V(z))).imag]),
        "Y.dot": lambda z: (V(z) * Y.dot(V(z)).conj()).real,
        "|Sf|": lambda z: np.abs(V(z)[f] * np.conj(Yf @ V(z))),
        "angle of I": lambda z: np.angle(Y @ V(z)),
        "conjugate()": lambda z: (V(z).conjugate() * (Y @ V(z))).imag,
        "polar": lambda z: np.concatenate([np.abs(V(z)), np.angle(V(z))]),
        "written real": written_real,
        "complex buffer": complex_buffer,
        "np.add.at": added_at,
    }


@pytest.mark.parametrize("name", ["S", "Y.dot", "|Sf|", "angle of I", "conjugate()", "polar",
                                  "written real", "complex buffer", "np.add.at"])
def test_patterns_detected_through_complex_values_hold_every_nonzero(pf, name):
    """dg.sparsity through complex voltages (827a2ab), as a power engineer spells the
    injections and flows: the pattern detected at one point holds every nonzero of the
    dense Jacobian at other random points, and sparsity="auto" is the dense Jacobian."""
    f = _power_spellings(pf)[name]
    nb = pf["NB"]
    rng = np.random.default_rng(5)

    def point():
        return np.concatenate([0.3 * rng.standard_normal(nb), 1 + 0.1 * rng.standard_normal(nb)])

    z0 = point()
    P = dg.sparsity(f, z0).toarray() != 0
    for _ in range(3):
        J = dg.jacobian(f, point())
        assert not np.any((J != 0) & ~P), name
    np.testing.assert_array_equal(dg.jacobian(f, z0, sparsity="auto").toarray(),
                                  dg.jacobian(f, z0))


def test_complex_of_scalar_duals_names_the_arithmetic_spelling():
    """A two-bus hand model written V2 = complex(e, f): complex() converts each dual,
    and the refusal named math functions only (none on that line)."""
    def current(x, spelled):
        V2 = complex(x[0], x[1]) if spelled == "complex" else x[0] + 1j * x[1]
        return abs((1.0 - V2) / (0.01 + 0.1j))

    x = np.array([0.98, -0.05])
    with pytest.raises(TypeError, match=r"a \+ 1j \* b for complex\(a, b\)"):
        dg.gradient(current, x, "complex")
    d = (1.0 - x[0]) - 1j * x[1]                 # |I| = |1 - V2| / |z|
    want = np.array([-d.real, -d.imag]) / abs(d) / abs(0.01 + 0.1j)
    np.testing.assert_allclose(dg.gradient(current, x, "sum"), want, rtol=1e-14)


def test_a_librarys_sparse_solve_names_the_newton_steps_outside_it(tmp_path, monkeypatch):
    """Differentiating through PYPOWER's newtonpf reaches spsolve inside the package;
    the refusal's "write that step as np.linalg.solve" is not the user's to apply there,
    so it names the library's function and the implicit-function steps."""
    import importlib
    import scipy.sparse.linalg as spla
    lib = tmp_path / "site-packages"
    lib.mkdir()
    (lib / "gridlib_userpower50.py").write_text(
        "import scipy.sparse.linalg as spla\n\n"
        "def linsolve(A, b):\n"
        "    return spla.spsolve(A, b)\n")
    monkeypatch.syspath_prepend(str(lib))
    gridlib = importlib.import_module("gridlib_userpower50")
    A = sp.csc_matrix(np.array([[4.0, 1.0], [1.0, 3.0]]))
    with pytest.raises(TypeError, match="spsolve") as err:
        dg.jacobian(lambda p: gridlib.linsolve(A, p), np.array([1.0, 2.0]))
    text = str(err.value)
    assert "inside gridlib_userpower50.linsolve, an installed library" in text
    assert "Root finders" in text
    with pytest.raises(TypeError, match="spsolve") as err:     # the user's own call
        dg.jacobian(lambda p: spla.spsolve(A, p), np.array([1.0, 2.0]))
    assert "installed library" not in str(err.value)
