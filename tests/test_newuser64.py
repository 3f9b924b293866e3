"""newuser64: real functions from public scientific code (bench/corpus64.py) against
independent oracles, and the refusals a new user meets on the way.

The FDTD field, Newmark's displacements, the lattice Boltzmann vorticity and the
voltammogram are real code: complex steps through the same code.  The load flow, the
magnetotelluric data, the fibre pulse, the Mie efficiencies, the HBV flows and the
square well are complex or branch on values: 8th-order central differences.  Each
source spelling the corpus changed is refused naming the change made.  Six messages
mended: ``np.arange`` of a dual bound named np.sin and buffers, now the count from
``dg.stop_gradient``; ``int(d)`` (and ``math.floor`` / ``ceil`` / ``trunc``) named no
line; ``eigh_tridiagonal`` named only "NumPy functions", now ``np.linalg.eigh`` of the
tridiagonal matrix; ``F[:, :, i] *= d`` on a plain F named neither F nor its line, nor a
buffer made as ``np.ones((M, L)) * c`` its ``*_like`` spelling; ``np.asarray(u)`` of a
complex dual told the user to "use w directly" (the fibre model has a ``w`` of its own)
after a warning that called the object array's derivatives exact; a real scalar dual
made complex after ``np.matmul(A, list)`` did not name that spelling among the ways an
object array is made.
"""

import functools
import warnings

import numpy as np
import pytest
import scipy.linalg

import dualgrad as dg
from dualgrad.testing import complex_step, numerical_jacobian
from _probes import (bench_module, close_by_column as _close,
                     relative_jacobian as _relative_jacobian, source_spelling)

c = bench_module("corpus64")


def _row(name):
    return c.PROBLEMS64[name]


_source = functools.partial(source_spelling, c)


# --- power systems -----------------------------------------------------------------
_PF_COMPLEX = ("V[i] = Vmag[i] * np.cos(Vang[i]) + 1j * Vmag[i] * np.sin(Vang[i])",
               "V[i] = complex(real=Vmag[i] * np.cos(Vang[i]), imag=Vmag[i] * np.sin(Vang[i]))")
_PF_MATMUL = ("np.matmul(Ybus_matrix, np.stack(V))", "np.matmul(Ybus_matrix, V)")
_PF_INV = ("np.linalg.inv(np.stack([np.stack(row) for row in jacobian]))",
           "np.linalg.inv(jacobian)")
_PF_MISMATCH = ("np.stack(mismatch))", "mismatch)")


def test_load_flow_voltages_match_differences():
    f, x0 = _row("power flow, Newton over lists (3)")
    J = dg.jacobian(f, x0)
    _close(J[1:], _relative_jacobian(f, x0)[1:], 1e-8)
    assert np.all(J[0] == 0)                  # bus 2 regulates its magnitude at 1.02
    assert np.all(J[1:] != 0)


@pytest.mark.parametrize("changes, message", [
    ((_PF_COMPLEX,), r"write a \+ 1j \* b for complex\(a, b\)"),
    ((_PF_MATMUL,), r"np\.array\(\[z1, z2\]\).*I = np\.matmul\(Ybus_matrix, V\).*"
                    r"np\.stack\(\[z1, z2\]\)"),
    ((_PF_INV,), r"np\.linalg\.inv received a list.*"
                              r"np\.stack\(\[np\.stack\(row\) for row in rows\]\)"),
    # (the object array named where f's locals hold it: attackb66 R3)
    ((_PF_MISMATCH,), r"became complex .* \(del_val, made at line \d+: "
                      r"del_val = np\.matmul\(np\.linalg\.inv"),
], ids=["complex", "matmul-list", "inv-list", "mismatch-list"])
def test_load_flow_sources_spellings_refused_naming_their_fixes(changes, message):
    f, x0 = _row("power flow, Newton over lists (3)")
    solver = _source(c.GenericNewtonRaphson, *changes)
    with pytest.raises(TypeError, match=message):
        dg.jacobian(lambda q: np.abs(solver(c.YBUS, [1.05, 1.02, None], [0, q[0], 0],
                                            [0, 0, q[1] + 1j * q[2]])[0][2]), x0)


# --- magnetotellurics and FDTD: unchanged ---------------------------------------------
def test_magnetotelluric_data_match_differences():
    f, x0 = _row("magnetotelluric 1-D, complex recursion (8)")
    _close(dg.jacobian(f, x0), numerical_jacobian(f, x0), 1e-9)


def test_fdtd_field_matches_complex_steps():
    f, x0 = _row("FDTD 1-D, in-place slices (3)")
    np.testing.assert_allclose(dg.jacobian(f, x0), complex_step(f, x0), rtol=0,
                               atol=1e-13 * np.max(np.abs(complex_step(f, x0))))


# --- fibre optics ------------------------------------------------------------------
def test_fibre_pulse_matches_differences():
    f = lambda q: c.split_step(q, ii=0.02)                  # (16 split steps)
    x0 = c.FIBRE_Q
    _close(dg.jacobian(f, x0), _relative_jacobian(f, x0), 1e-7)


def test_fibre_sources_asarray_names_its_own_array_and_warns_nothing():
    x0 = c.FIBRE_Q
    source = _source(c.split_step, ("    u = np.fft.fftshift(u)",
                                    "    u = np.asarray(u)\n    u = np.fft.fftshift(u)"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")                      # no ObjectArrayWarning first
        with pytest.raises(TypeError, match=r"np\.asarray\(u\) of a complex dual array.*"
                                            r"Fix: use u directly \(u\.real"):
            dg.jacobian(lambda q: source(q, ii=0.001), x0)
    pinv = _source(c.split_step, ("np.linalg.pinv(np.stack([re]))", "np.linalg.pinv([re])"))
    with pytest.raises(TypeError, match=r"np\.linalg\.pinv received a list.*np\.stack"), \
            pytest.warns(dg.ObjectArrayWarning):         # (NumPy's asarray of the list first)
        dg.jacobian(lambda q: pinv(q, ii=0.001), x0)


# --- structural dynamics -----------------------------------------------------------
def test_newmark_displacements_match_complex_steps_and_buffers_refused():
    f, x0 = _row("Newmark shear frame, linalg.solve (3)")
    ref = complex_step(f, x0)
    np.testing.assert_allclose(dg.jacobian(f, x0), ref, rtol=0,
                               atol=1e-13 * np.max(np.abs(ref)))
    source = _source(c.linear_newmark_krenk, (
        "np.zeros_like(C, shape=(M.shape[0],f.shape[1]))", "np.zeros((M.shape[0],f.shape[1]))"))
    with pytest.raises(TypeError, match=r"make it u2dot = np\.zeros_like\(C, shape=\(M\.shape"
                                        r"\[0\], f\.shape\[1\]\)\)"):
        dg.jacobian(lambda q: source(np.eye(3), q[2] * np.eye(3), q[1] * np.eye(3),
                                     np.ones((3, 4)), np.zeros((3, 1)), np.zeros((3, 1)),
                                     0.1, 0.5, 0.25)[0].ravel(), x0)


# --- aerosol optics ----------------------------------------------------------------
def test_mie_efficiencies_match_differences():
    f, x0 = _row("Mie efficiencies, jv/yv recurrence (3)")
    _close(dg.jacobian(f, x0), _relative_jacobian(f, x0), 1e-8)


def test_mie_sources_orders_and_buffer_refused_naming_their_fixes(monkeypatch):
    x0 = _row("Mie efficiencies, jv/yv recurrence (3)")[1]
    plain, corpus = "dg.stop_gradient(x)", c.pyMie.mie_ab
    for changes, message in [
        (((f"nmax = np.round(2+{plain}+4*({plain}**(1/3)))", "nmax = np.round(2+x+4*(x**(1/3)))"),),
         r"np\.arange\(\.\.\.\) of a dual number .*`n = np\.arange\(1,nmax\+1\)`.*"
         r"np\.arange\(1, dg\.stop_gradient\(nmax\) \+ 1\)"),
        ((("np.zeros_like(m, shape=int(nmx), dtype=complex)", "np.zeros(int(nmx), dtype=complex)"),),
         r"make it Dnx = np\.zeros_like\(m, shape=int\(nmx\), dtype=complex\)"),
    ]:
        monkeypatch.setattr(c.pyMie, "mie_ab", _source(corpus, *changes))
        with pytest.raises(TypeError, match=message):
            dg.jacobian(c.mie_row, x0)


# --- rainfall-runoff hydrology -----------------------------------------------------
def _hbv_short(pars, days=120):
    return c.hbv(pars, c.HBV_P[:days], c.HBV_TEMP[:days], c.HBV_DAY[:days], 42.0, 0)[1:]


def test_hbv_flows_match_differences():
    x0 = c.HBV_PARS.copy()
    x0[11] = 0.3                                    # ts: a relative step needs x != 0
    J = dg.jacobian(c.hbv_row, x0)
    ref = _relative_jacobian(c.hbv_row, x0, rel=1e-6)       # (branches: a small step)
    _close(J[:, :16], ref[:, :16], 1e-6)
    assert np.all(J[:, 16] == 0)                    # maxbas: the routing is not run


def test_hbv_sources_buffers_refused_naming_zeros_like_of_pars(monkeypatch):
    monkeypatch.setattr(c, "hbv", _source(c.hbv, ("np.zeros_like(pars, shape=len(p))",
                                                  "np.zeros(len(p))")))
    with pytest.raises(TypeError, match=r"make it sim_swe = np\.zeros_like\(pars, "
                                        r"shape=len\(p\)\)"):
        dg.jacobian(_hbv_short, c.HBV_PARS)


# --- quantum mechanics -------------------------------------------------------------
def test_square_well_levels_match_differences_and_eigh_tridiagonal():
    f = lambda q: c.square_well(q[0], q[1], n=120)
    x0 = _row("square well, eigh (2)")[1]
    _close(dg.jacobian(f, x0), _relative_jacobian(f, x0), 1e-8)
    x = np.linspace(-x0[1], x0[1], 120)
    vec = np.ones(120) / (x[2] - x[1]) ** 2
    np.testing.assert_allclose(f(x0), scipy.linalg.eigh_tridiagonal(
        vec + np.where(np.abs(x) > 0.5, x0[0], 0.0), -0.5 * vec[:-1])[0][:5], rtol=1e-12)


def test_eigh_tridiagonal_refused_naming_the_tridiagonal_matrix():
    source = _source(c.square_well, (
        "    e,psi=np.linalg.eigh(np.diag(d) + np.diag(off, 1) + np.diag(off, -1))",
        "    e,psi=eigh_tridiagonal(vec+V,-0.5*vec[:-1])"),
        eigh_tridiagonal=scipy.linalg.eigh_tridiagonal)
    with pytest.raises(TypeError, match=r"write that step as np\.linalg\.eigh\(np\.diag\(d\) "
                                        r"\+ np\.diag\(e, 1\) \+ np\.diag\(e, -1\)\) for "
                                        r"eigh_tridiagonal\(d, e\)"):
        dg.jacobian(lambda q: source(q[0], q[1], n=20), np.array([500.0, 2.0]))
    with pytest.raises(TypeError, match=r"np\.linalg\.eigvalsh\(np\.diag\(d\)"):
        dg.jacobian(lambda d: scipy.linalg.eigvalsh_tridiagonal(d, np.ones(2)),
                    np.array([1.0, 2.0, 3.0]))


# --- lattice Boltzmann -------------------------------------------------------------
def test_lattice_boltzmann_vorticity_matches_complex_steps(np_random_kept):
    f = lambda q: c.lbm_main(q[0], q[1], Nx=20, Ny=8, Nt=10).ravel()
    x0 = _row("lattice Boltzmann, np.roll (2)")[1]
    ref = complex_step(f, x0)
    np.testing.assert_allclose(dg.jacobian(f, x0), ref, rtol=0,
                               atol=1e-12 * np.max(np.abs(ref)))


def test_lattice_boltzmann_sources_buffers_refused_naming_array_and_line(np_random_kept):
    x0 = _row("lattice Boltzmann, np.roll (2)")[1]
    for changes, message in [
        ((("np.ones_like(rho0, shape=(Ny, Nx, NL))", "np.ones((Ny, Nx, NL))"),),
         r"F\[:, :, i\] \*= \.\.\. stores a dual number into F, a plain NumPy array "
         r"\(float64, shape \(8, 20, 9\), made at line \d+: F = np\.ones\(\(Ny, Nx, NL\)\)\).*"
         r"make it F = np\.ones_like\(rho0, shape=\(Ny, Nx, NL\)\)"),
        ((("np.zeros_like(rho0, shape=F.shape)", "np.zeros(F.shape)"),),
         r"make it Feq = np\.zeros_like\(rho0, shape=F\.shape\)"),
    ]:
        source = _source(c.lbm_main, *changes)
        with pytest.raises(TypeError, match=message):
            dg.jacobian(lambda q: source(q[0], q[1], Nx=20, Ny=8, Nt=1), x0)


# --- electrochemistry --------------------------------------------------------------
def test_voltammogram_matches_complex_steps():
    f = lambda q: c.cyclic_voltammogram(q[0], q[1], q[2], L=60)
    x0 = c.CV_Q
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)   # int(complex dt)
        ref = complex_step(f, x0)
    _close(dg.jacobian(f, x0), ref, 1e-12)


def test_voltammogram_sources_count_and_buffers_refused_naming_their_fixes():
    x0 = c.CV_Q
    for changes, message in [
        ((("int(T_1_cycle / dg.stop_gradient(delta_t))", "int(T_1_cycle / delta_t)"),),
         r"int\(d\) makes an integer .*\(at line \d+ of .*steps_per_cycle = "
         r"int\(T_1_cycle / delta_t\)"),
        ((("np.ones_like(E_start, shape=(M, L)) * C_red_init", "np.ones((M, L)) * C_red_init"),),
         r"make it C_R = np\.ones_like\(E_start, shape=\(M, L\)\) \* C_red_init"),
        ((("np.zeros_like(E_start, shape=M)", "np.zeros(M)"),),
         r"make it I_vector = np\.zeros_like\(E_start, shape=M\)"),
    ]:
        source = _source(c.cyclic_voltammogram, *changes)
        with pytest.raises(TypeError, match=message):
            dg.jacobian(lambda q: source(q[0], q[1], q[2], L=20), x0)


# --- np.linalg.pinv of a long row (the fibre's phase) -----------------------------------
@pytest.mark.parametrize("shape", [(1, 4000), (4000, 1)])
def test_pinv_of_a_long_row_or_column_is_exact_without_forming_its_projector(shape):
    """pinv(r) of a row r is r^T / (r r^T) (of a column, its transpose): the closed form's
    complex step; dualgrad once formed the k x k projector I - A+ A (and P dA P), 23 s and
    GBs for the fibre's (1, 8191) row."""
    import tracemalloc
    k = max(shape)
    t = np.linspace(0.0, 1.0, k)

    def pinv(q):
        return np.linalg.pinv(np.reshape(np.cos(q[0] * t) + q[1] * t, shape)).ravel()

    def closed(q):
        r = np.cos(q[0] * t) + q[1] * t
        return r / np.sum(r * r)
    q0 = np.array([2.0, 0.5])
    tracemalloc.start()
    try:
        J = dg.jacobian(pinv, q0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20e6                       # the k x k projector alone is 128 MB
    ref = complex_step(closed, q0)
    np.testing.assert_allclose(J, ref, rtol=0, atol=1e-12 * np.max(np.abs(ref)))
