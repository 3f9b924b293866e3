"""newuser63: real functions from public scientific code (bench/corpus63.py) against
independent oracles, and the refusals a new user meets on the way.

A reactor's power (complex steps through the matrix exponential of its linear system),
wavenumbers (the dispersion relation's implicit-function derivative), a ground-motion
model (its closed form), a Lambert transfer (differences of a solution converged to
rounding), a glacier flowline and heat-exchanger effectiveness (complex steps through
the same code; mpmath's quadrature for the crossflow integral), a coil (a complex step
of the polygon's closed-form centre field, differences elsewhere), a rotor, a plastic
bar and a muscle (high-order differences).  Each source spelling the corpus changed is
refused naming the change made.  Four messages mended: a mask on a scalar dual
(``CT[CT >= c]``, a rotor's thrust coefficient), assignment into one (``F[np.isnan(F)] =
0``) and ``np.isnan`` of ``np.array(d)`` now name ``np.where``; ``sparsity="auto"`` of an
f that takes a derivative itself (the Lambert row's Newton step) named detecting the
pattern "outside the derivative", which fails the same way, and now names a given one.
"""

import functools
import sys

import mpmath
import numpy as np
import pytest
import scipy.linalg
from scipy.integrate import odeint, quad
from scipy.optimize import brentq

import dualgrad as dg
from dualgrad.testing import complex_step, numerical_jacobian
from _probes import (bench_module, close_by_column as _close,
                     relative_jacobian as _relative_jacobian, source_spelling)

c = bench_module("corpus63")


def _row(name):
    return c.PROBLEMS63[name]


_source = functools.partial(source_spelling, c)


# --- wind energy -------------------------------------------------------------------
_MASKED_INDUCTION = (
    "    return np.where(CT>=CT2, 1 + (CT-CT1)/(4*(np.sqrt(CT1)-1)), 0.5-0.5*np.sqrt(1-CT))",
    "    a = np.zeros(np.shape(CT))\n    a[CT>=CT2] = 1 + (CT[CT>=CT2]-CT1)/(4*(np.sqrt(CT1)-1))"
    "\n    a[CT<CT2] = 0.5-0.5*np.sqrt(1-CT[CT<CT2])\n    return a")
_ARRAY_PRANDTL = [("    Ftip = 2/np.pi*np.arccos(np.exp(temp1))",
                   "    Ftip = np.array(2/np.pi*np.arccos(np.exp(temp1)))"),
                  ("    Ftip = np.where(np.isnan(Ftip), 0, Ftip)", "    Ftip[np.isnan(Ftip)] = 0"),
                  ("    Froot = 2/np.pi*np.arccos(np.exp(temp1))",
                   "    Froot = np.array(2/np.pi*np.arccos(np.exp(temp1)))"),
                  ("    Froot = np.where(np.isnan(Froot), 0, Froot)",
                   "    Froot[np.isnan(Froot)] = 0")]


def test_rotor_loads_match_differences_and_the_sources_values(monkeypatch):
    x0 = _row("BEM rotor loads, induction loop (2)")[1]
    f = lambda q: c.bem_row(q, n=6)                      # (the row's loops on 6 annuli)
    J = dg.jacobian(f, x0)
    _close(J, numerical_jacobian(f, x0, h=1e-6), 1e-7)   # (np.interp's kinks: a small step)
    assert np.all(np.abs(J) > 0)
    corpus = f(x0)
    monkeypatch.setattr(c, "ainduction", _source(c.ainduction, _MASKED_INDUCTION))
    monkeypatch.setattr(c, "PrandtlTipRootCorrection",
                        _source(c.PrandtlTipRootCorrection, *_ARRAY_PRANDTL))
    np.testing.assert_array_equal(corpus, f(x0))         # the masks' numbers, bit for bit


def test_masks_on_the_rotors_numbers_refused_naming_np_where(monkeypatch):
    x0 = _row("BEM rotor loads, induction loop (2)")[1]
    monkeypatch.setattr(c, "ainduction", _source(c.ainduction, _MASKED_INDUCTION))
    with pytest.raises(TypeError, match=r"indexing a scalar dual \(.*d\[d > k\].*"
                                        r"choose with np\.where instead: a = np\.where\("):
        dg.jacobian(c.bem_row, x0)
    monkeypatch.undo()
    monkeypatch.setattr(c, "PrandtlTipRootCorrection",
                        _source(c.PrandtlTipRootCorrection, *_ARRAY_PRANDTL))
    with pytest.raises(TypeError, match=r"np\.isnan received an object array.*np\.array\(d\)"
                                        r" of a scalar dual is a 0-d object array.*"
                                        r"F = np\.where\(np\.isnan\(F\), 0\.0, F\)"):
        dg.jacobian(c.bem_row, x0)
    monkeypatch.undo()                                        # np.array dropped, as told
    monkeypatch.setattr(c, "PrandtlTipRootCorrection",
                        _source(c.PrandtlTipRootCorrection, *_ARRAY_PRANDTL[1::2]))
    with pytest.raises(TypeError, match=r"assigning into a scalar dual .*np\.where"):
        dg.jacobian(c.bem_row, x0)


# --- plasticity --------------------------------------------------------------------
def test_return_mapping_stresses_match_differences():
    f, x0 = _row("viscoplastic return mapping, Newton (6)")
    J = dg.jacobian(f, x0)
    _close(J, _relative_jacobian(f, x0), 1e-9)
    assert np.all(np.any(J != 0, axis=0))


def test_return_mapping_sources_buffers_and_math_exp_refused_naming_their_fixes():
    x0 = _row("viscoplastic return mapping, Newton (6)")[1]
    source = _source(c.run_1d_loading, (
        "    stress_results = np.zeros_like(E, shape=strain_history.shape)",
        "    stress_results = np.zeros_like(strain_history)"))
    with pytest.raises(TypeError, match=r"make it stress_results = np\.zeros_like\(E, "
                                        r"shape=strain_history\.shape\)"):
        dg.jacobian(lambda q: source(*q), x0)
    newton = _source(c.solve_1d_newton_raphson, ("np.exp", "math.exp"),
                     math=pytest.importorskip("math"))
    with pytest.raises(TypeError, match=r"write np\.exp for math\.exp"):
        dg.jacobian(lambda q: newton(np.diag([q[0], 2e10, 1e10]), 1e7, 3e10, 2.5, 9e8,
                                     q[1], 25.0, 0.0), x0[:2])


# --- magnetostatics ----------------------------------------------------------------
def test_helmholtz_field_matches_the_polygons_closed_form_and_differences():
    f, x0 = _row("Helmholtz coil, Biot-Savart loop (3)")
    J = dg.jacobian(f, x0)
    _close(J, _relative_jacobian(f, x0), 1e-9)

    def centre(q, n=24):
        """B_z at the pair's midpoint, each segment's field at its midpoint's distance
        (the code's rule): |dl| = 2 R sin(pi / n) at rc = R cos(pi / n) from the axis."""
        current, radius, distance = q
        rc = radius * np.cos(np.pi / n)
        return 2 * n * c.mu_0 * current / (4 * np.pi) * 2 * radius * np.sin(np.pi / n) * \
            rc / (rc ** 2 + distance ** 2 / 4) ** 1.5
    np.testing.assert_allclose(f(x0)[2], centre(x0), rtol=1e-13)
    np.testing.assert_allclose(J[2], complex_step(centre, x0), rtol=1e-13)


# --- reactor kinetics --------------------------------------------------------------
def _kinetics_exact(q):
    """Power from expm(A t) x0 (complex where q is: the complex step's oracle)."""
    rho, L = q
    n = len(c.PK_BETA)
    A = np.zeros((n + 1, n + 1), dtype=complex)
    A[0, 0], A[0, 1:], A[1:, 0] = (rho - c.PK_BETA.sum()) / L, c.PK_LAMDA, c.PK_BETA / L
    A[np.arange(1, n + 1), np.arange(1, n + 1)] = -c.PK_LAMDA
    x0 = 2.434 * L / (200.0 * c.MEV_2_J) * np.append(1, c.PK_BETA / c.PK_LAMDA / L)
    n_t = np.array([(scipy.linalg.expm(A * t) @ x0)[0] for t in np.linspace(0, 10, 11)])
    return n_t * 200.0 * c.MEV_2_J / (2.434 * L)


def test_reactor_power_matches_complex_steps_of_the_matrix_exponential():
    f, x0 = _row("point kinetics, dg.solve_ivp (2)")
    np.testing.assert_allclose(f(x0), _kinetics_exact(x0).real, rtol=1e-9)
    ref = np.stack([_kinetics_exact(x0 + 1e-30j * x0[j] * np.eye(2)[j]).imag /
                    (1e-30 * x0[j]) for j in range(2)], axis=-1)
    _close(dg.jacobian(f, x0), ref, 1e-8)                # LSODA at rtol 1e-10


def test_point_kinetics_sources_odeint_and_zeros_refused_naming_their_fixes(monkeypatch):
    x0 = _row("point kinetics, dg.solve_ivp (2)")[1]
    monkeypatch.setitem(sys.modules, c.__name__, c)          # (inspect finds a class there)
    solve = ("        solution = dg.solve_ivp(lambda t, y: self.__dxdt(y, t), (self.timepoints[0]"
             ", self.timepoints[-1]), x0, t_eval=self.timepoints, method=\"LSODA\", rtol=rtol,"
             " atol=1.49012e-08).y.T",
             "        solution = odeint(self.__dxdt, x0, self.timepoints, rtol=rtol)")
    zeros = ("        mtxA = np.zeros_like(self.promptL, shape=(self.groupsDN+1, self.groupsDN+1))",
             "        mtxA = np.zeros((self.groupsDN+1, self.groupsDN+1))")
    for changes, message in [((solve,), r"write that step as dg\.solve_ivp\(lambda t, y: "
                                        r"func\(y, t\), .*rtol=1e-10, atol=1\.49012e-08\)"),
                             ((zeros,), r"make it mtxA = np\.zeros_like\(x, shape=")]:
        source = _source(c.pke, *changes, odeint=odeint)
        run = source(beta=c.PK_BETA, lamda=c.PK_LAMDA, promptL=6e-5, P0=1.0, volume=1.0,
                     nubar=2.434, Q=200.0, timepoints=np.linspace(0.0, 1.0, 3))

        def power(q):
            run.rhoext, run.promptL = c.StepReactivity(q[0]), q[1]
            run.solve()
            return run.power
        with pytest.raises(TypeError, match=message):
            dg.jacobian(power, x0)


# --- biomechanics ------------------------------------------------------------------
def test_muscle_forces_match_differences():
    f, x0 = _row("Hill muscle, Euler branches (6)")
    J = dg.jacobian(f, x0)
    _close(J, _relative_jacobian(f, x0), 1e-8)
    assert np.all(np.any(J != 0, axis=0))


# --- astrodynamics -----------------------------------------------------------------
def _lambert_exact(q):
    """v0, vf from the same time equation solved by brentq to rounding."""
    r0, rf, dt = q[:3], q[3:6], q[6]
    r0m, rfm = np.sqrt(r0 @ r0), np.sqrt(rf @ rf)
    A = np.sqrt(r0m * rfm * (1.0 + r0 @ rf / (r0m * rfm)))

    def y_of(psi):
        c2, c3 = c._stumpff(psi)
        return r0m + rfm + A * (psi * c3 - 1.0) / np.sqrt(c2)

    def tof(psi):
        c2, c3 = c._stumpff(psi)
        return (np.sqrt(y_of(psi) / c2) ** 3 * c3 + A * np.sqrt(y_of(psi))) / np.sqrt(c.MU_SUN)
    psi = brentq(lambda s: tof(s) - dt, 1.0, 39.0, xtol=1e-15, rtol=1e-15)
    y = y_of(psi)
    g = A * np.sqrt(y / c.MU_SUN)
    return np.concatenate([(rf - (1 - y / r0m) * r0) / g, ((1 - y / rfm) * rf - r0) / g])


def test_lambert_velocities_after_the_newton_step_match_a_tight_solution():
    f, x0 = _row("Lambert universal variables, bisection (7)")
    np.testing.assert_allclose(f(x0), _lambert_exact(x0), rtol=1e-12)
    scale = np.r_[[c.AU] * 6, x0[6]]                     # steps for the zero coordinates
    _close(dg.jacobian(f, x0), _relative_jacobian(_lambert_exact, x0, scale=scale), 1e-9)


def test_a_pattern_of_f_that_takes_a_derivative_itself_is_refused_naming_a_given_one():
    f, x0 = _row("Lambert universal variables, bisection (7)")
    with pytest.raises(TypeError, match=r"a derivative f takes itself .*Fix: give the "
                                        r"pattern yourself, sparsity=P"):
        dg.jacobian(f, x0, sparsity="auto")
    dense = dg.jacobian(f, x0, sparsity=np.ones((6, 7), dtype=bool))   # as told
    np.testing.assert_array_equal(dense.toarray(), dg.jacobian(f, x0))


# --- coastal waves -----------------------------------------------------------------
def test_wavenumbers_match_the_dispersion_relations_implicit_derivative():
    f, x0 = _row("wave dispersion, Newton while (13)")
    sigma, h, g = 2 * np.pi / x0[0], x0[1:], 9.81
    k = np.array([brentq(lambda k: g * k * np.tanh(k * d) - sigma ** 2, 1e-6, 10.0,
                         xtol=1e-16, rtol=1e-15) for d in h])
    sech2 = 1 - np.tanh(k * h) ** 2
    den = g * (np.tanh(k * h) + k * h * sech2)            # d(g k tanh kh)/dk
    ref = np.zeros((12, 13))
    ref[:, 0] = 2 * sigma / den * -sigma / x0[0]          # dk/dT
    ref[np.arange(12), np.arange(1, 13)] = -g * k ** 2 * sech2 / den
    np.testing.assert_allclose(f(x0), k, rtol=1e-14)
    np.testing.assert_allclose(dg.jacobian(f, x0), ref, rtol=1e-12, atol=1e-16)


# --- glaciology --------------------------------------------------------------------
def test_flowline_thickness_matches_complex_steps_through_the_script():
    x0 = _row("glacier flowline SIA, buffers (5)")[1]
    f = lambda q: c.glacier_run(q[0], q[1], q[2] * 1e-24, q[3] * 1e-20, q[4], nyear=2)
    J = dg.jacobian(f, x0)
    ref = np.stack([f(x0 + 1e-30j * x0[j] * np.eye(5)[j]).imag / (1e-30 * x0[j])
                    for j in range(5)], axis=-1)
    _close(J, ref, 1e-12)
    assert np.all(np.any(J != 0, axis=0))


def test_flowline_scripts_buffers_and_in_place_updates_refused_naming_their_fixes():
    x0 = _row("glacier flowline SIA, buffers (5)")[1]
    buffer = ("    fluxd  = np.zeros_like(beta, shape=nx+2)", "    fluxd  = np.zeros(nx+2)")
    update = ("        hice = hice + smb/ntpy", "        hice += smb/ntpy")
    for change, message in [(buffer, r"make it fluxd = np\.zeros_like\(beta, shape=nx \+ 2\)"),
                            (update, r"rebind the name instead, hice = hice \+ smb / ntpy")]:
        source = _source(c.glacier_run, change)
        with pytest.raises(TypeError, match=message):
            dg.jacobian(lambda q: source(q[0], q[1], 1.9e-24, 5.7e-20, q[2], nyear=1),
                        x0[[0, 1, 4]])


# --- engineering seismology --------------------------------------------------------
def test_ground_motion_matches_the_models_closed_form():
    f, (mag, s) = _row("Campbell 2003 GMPE, record array (2)")
    k = c.Campbell2003.COEFF
    cols = []
    for d in c.GMPE_DISTANCES:
        r = s * d
        near = (k.c_7 * np.exp(k.c_8 * mag)) ** 2
        d_mag = (k.c_2 - 2 * k.c_3 * (8.5 - mag) + k.c_4 * k.c_8 * near / (r ** 2 + near)
                 + k.c_6 * r)
        d_r = k.c_4 * r / (r ** 2 + near) + k.c_5 + k.c_6 * mag + \
            (k.c_9 / r if r > 70 else 0) + (k.c_10 / r if r > 130 else 0)
        cols.append(np.stack([d_mag, d * d_r], axis=-1))
    cols.append(np.stack([k.c_12, 0 * k.c_12], axis=-1))  # Mw 6.5 < 7.16
    np.testing.assert_allclose(dg.jacobian(f, np.array([mag, s])), np.concatenate(cols),
                               rtol=1e-13, atol=1e-15)


# --- heat transfer -----------------------------------------------------------------
def test_effectiveness_matches_complex_steps_and_mpmaths_crossflow_integral():
    f, x0 = _row("heat exchanger effectiveness, dg.quad (2)")
    J = dg.jacobian(f, x0)
    closed = [s for s in c.HX_SUBTYPES if s != "crossflow"]
    ref = complex_step(lambda q: np.stack([c.effectiveness_from_NTU(q[0], q[1], s)
                                           for s in closed]), x0)
    np.testing.assert_allclose(np.delete(J, 3, axis=0)[:7], ref, rtol=1e-13)

    def crossflow(ntu, cr):
        t0 = 1 / (4 * cr * ntu)
        integral = mpmath.quad(lambda v: (1 + ntu - v * v * t0) * mpmath.exp(-v * v * t0) * v
                               * mpmath.besseli(0, v), [0, 2 * ntu * mpmath.sqrt(cr)])
        return 1 / cr - mpmath.exp(-cr * ntu) / (2 * (cr * ntu) ** 2) * integral
    with mpmath.workdps(30):
        ntu, cr = (mpmath.mpf(float(v)) for v in x0)
        ref = [float(mpmath.diff(lambda a: crossflow(a, cr), ntu)),
               float(mpmath.diff(lambda b: crossflow(ntu, b), cr))]
    np.testing.assert_allclose(J[3], ref, rtol=1e-11)


def test_exchangers_math_quad_and_float_refused_naming_their_fixes():
    x0 = _row("heat exchanger effectiveness, dg.quad (2)")[1]
    import math
    from scipy.special import iv
    closed = _source(c.effectiveness_from_NTU, exp=math.exp, sqrt=math.sqrt)
    with pytest.raises(TypeError, match=r"write np\.exp for math\.exp"):
        dg.jacobian(lambda q: closed(q[0], q[1], "parallel"), x0)
    scipys = _source(c.effectiveness_from_NTU, ("dg.quad(", "quad("), quad=quad)
    with pytest.raises(TypeError, match=r"dg\.quad\(func, a, b, args=args\)\[0\]"):
        dg.jacobian(lambda q: scipys(q[0], q[1], "crossflow"), x0)
    integrand = _source(c.crossflow_effectiveness_to_int, ("*iv(0.0, v)", "*float(iv(0.0, v))"),
                        iv=iv)
    floats = _source(c.effectiveness_from_NTU,
                     crossflow_effectiveness_to_int=integrand)
    with pytest.raises(TypeError, match=r"func to take a dual x at a limit that moves.*"
                                        r"float\(iv\(0\.0, v\)\)"):
        dg.jacobian(lambda q: floats(q[0], q[1], "crossflow"), x0)
