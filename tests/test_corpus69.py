"""user69: real functions from public scientific code (bench/corpus69.py) against
independent oracles, and the refusals a new user met on the way.

The NRTL bubble pressures, the SABR smile, the prism's gravity, the Zernike wavefront and
the extended Kalman filter are real code: complex steps through the same functions.  The
Delany-Bazley absorber takes ``np.abs`` and the spline path compares and bisects: 8th-
order central differences.  The one message mended: a store into ``term2 =
np.array([1., 1.])`` (NRTL) gave the general advice ``np.zeros_like(x)``, and nrtl's own
``x`` is its plain mole fractions; it now keeps the numbers, held as duals, and names the
dual parameter ``tau``, as a copied buffer's message did (attackb66 R2).
"""

import functools

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import complex_step
from _probes import close_by_column, bench_module, relative_jacobian as _relative_jacobian, source_spelling

c = bench_module("corpus69")

# columns relative to their largest entry; the oracle's all-zero columns within 1e-13
_close = functools.partial(close_by_column, zero_tol=1e-13)


def _row(name):
    return c.PROBLEMS69[name]




@pytest.mark.parametrize("name", [
    "NRTL bubble pressures, zeros buffers (4)", "SABR smile, F == K branch (4)",
    "prism gravity, log + arctan (7)", "Zernike wavefront, rho = 0 (18)",
    "EKF localization, 40 steps (4)"])
def test_real_code_rows_match_complex_steps(name):
    f, x0 = _row(name)
    J = dg.jacobian(f, x0)
    assert not np.isnan(J).any()
    _close(J, complex_step(f, x0), 1e-12)


@pytest.mark.parametrize("name", ["Delany-Bazley absorber, complex tan (2)",
                                  "cubic spline path, solve + bisect (7)"])
def test_branching_and_abs_rows_match_differences(name):
    f, x0 = _row(name)
    J = dg.jacobian(f, x0)
    assert not np.isnan(J).any()
    scale = np.where(x0 == 0, 1.0, np.abs(x0))     # the spline's y[4] = 0: a unit step
    _close(J, _relative_jacobian(f, x0, rel=1e-3, scale=scale), 1e-9)


def test_zernike_slopes_at_the_centre_are_the_tilt_and_coma_terms():
    # d/d rho of sum c_j Z_j at rho = 0: only R = rho (n = 1) and the rho term of
    # R_3^1 = 3 rho^3 - 2 rho count; rho ** 0.0 and rho ** 2.0 give 0 there, no NaN
    f, x0 = _row("Zernike wavefront, rho = 0 (18)")
    centre = int(np.argmin(x0[:9]))
    assert x0[centre] == 0.0
    phi = x0[9 + centre]
    a = c.ZERN_COEF
    # Noll-like index of the source's zernikel: j=1 (n=1, m=-1), j=2 (n=1, m=1),
    # j=7 (n=3, m=-1), j=8 (n=3, m=1)
    want = (a[1] * np.sin(phi) + a[2] * np.cos(phi)
            - 2 * (a[7] * np.sin(phi) + a[8] * np.cos(phi)))
    J = dg.jacobian(f, x0)
    assert J[centre, centre] == pytest.approx(want, rel=1e-14, abs=1e-15)


def test_nrtl_source_buffer_refused_naming_tau_and_its_fix_works(monkeypatch):
    # the source's term2 = np.array([1.,1.]) then term2[0] = np.sum(...): the fix must
    # name nrtl's dual tau (its x is the plain mole fractions) and, made, give the row;
    # since refusals70 (097d4fd9: the advice follows matr back to x, tau and alpha) it
    # is the several-argument spelling, which serves whichever argument holds the dual
    source = source_spelling(c, c.nrtl, (
        "    term2 = term2 + np.zeros_like(tau, shape=term2.shape)  # dualgrad: its "
        "numbers as duals\n", ""))
    monkeypatch.setattr(c, "nrtl", source)
    f, x0 = _row("NRTL bubble pressures, zeros buffers (4)")
    with pytest.raises(TypeError) as caught:
        dg.jacobian(f, x0)
    message = str(caught.value)
    assert "term2[0] = ... stores a dual number into term2" in message
    assert "(here tau; at another call another)" in message
    assert "make it term2 = np.zeros_like(x + tau + alpha, shape=(2,), dtype=float) at " \
        "line" in message
    assert "np.zeros_like(x," not in message
    monkeypatch.undo()
    monkeypatch.setattr(c, "nrtl", source_spelling(
        c, c.nrtl, ("    term2 = term2 + np.zeros_like(tau, shape=term2.shape)  # dualgrad: its "
                    "numbers as duals\n", ""),
        ("term2 = np.array([1.,1.])",
         "term2 = np.zeros_like(x + tau + alpha, shape=(2,), dtype=float)")))
    f, x0 = _row("NRTL bubble pressures, zeros buffers (4)")
    advised = dg.jacobian(f, x0)
    monkeypatch.undo()
    np.testing.assert_array_equal(advised, dg.jacobian(c.nrtl_row, x0))


def test_nrtl_source_matr_buffer_refused_naming_tau():
    source = source_spelling(c, c.nrtl, (
        "matr = np.zeros_like(tau, shape=(nComp, nComp))  # dualgrad: its refusal's spelling",
        "matr = np.zeros((nComp, nComp))"))
    tau = dg.stop_gradient(np.array([[0.0, 0.2], [0.3, 0.0]]))
    with pytest.raises(TypeError, match=r"make it matr = np\.zeros_like\(tau, "
                                        r"shape=\(nComp, nComp\)\)"):
        dg.jacobian(lambda t: source(np.array([0.4, 0.6]), t.reshape(2, 2), c.NRTL_ALFA),
                    tau.ravel())


def test_ekf_sources_math_cos_refused_naming_np_cos():
    source = source_spelling(c, c.jacob_f, ("-DT * v * np.sin(yaw), DT * np.cos(yaw)",
                                            "-DT * v * math.sin(yaw), DT * math.cos(yaw)"))
    with pytest.raises(TypeError, match=r"write np\.sin for math\.sin, np\.cos for math\.cos"):
        dg.jacobian(lambda q: source(q.reshape(4, 1), c.calc_input()).ravel(),
                    np.array([0.1, -0.1, 0.05, 0.5]))


def test_spline_sources_arc_length_list_refused_naming_the_object_array(monkeypatch):
    # s = [0]; s.extend(np.cumsum(self.ds)) holds scalar duals, and np.diff(s) makes h an
    # object array without a word: the store into A = np.zeros(...) in __calc_A(self, h)
    # had said np.zeros_like(x, ...), whose h-spelling is an object array np.linalg.solve
    # refuses (a loop); it now names h as an object array and the concatenate to write
    one_d, two_d = c.CubicSpline1D, c.CubicSpline2D
    calc_a = source_spelling(c, one_d._CubicSpline1D__calc_A, (
        "A = np.zeros_like(h, shape=(self.nx, self.nx))  # dualgrad: the refusal's, h for x",
        "A = np.zeros((self.nx, self.nx))"))
    calc_s = source_spelling(c, two_d._CubicSpline2D__calc_s, (
        "    # dualgrad: s = [0]; s.extend(np.cumsum(self.ds)) made np.diff(s) an object "
        "array\n    s = np.concatenate([[0.0], np.cumsum(self.ds)])",
        "    s = [0]\n    s.extend(np.cumsum(self.ds))"))  # (the methods' text dedented)
    monkeypatch.setattr(one_d, "_CubicSpline1D__calc_A", calc_a)
    monkeypatch.setattr(two_d, "_CubicSpline2D__calc_s", calc_s)
    f, y0 = _row("cubic spline path, solve + bisect (7)")
    with pytest.raises(TypeError) as caught:
        dg.jacobian(f, y0)
    message = str(caught.value)
    assert "stores a dual number into A" in message
    assert "h here is an object array holding dual numbers" in message
    assert "s = np.concatenate([[0.0], np.cumsum(d)]) for s = [0]; s.extend(np.cumsum(d))" \
        in message
    assert "then make it A = np.zeros_like(h, shape=(self.nx, self.nx))" in message
    assert "x: f's input" not in message
