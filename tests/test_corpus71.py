"""user71: real functions from public scientific code (bench/corpus71.py) against
independent oracles, and the refusals a new user met on the way.

The GARCH likelihood: its gradient by the variance recursion's own derivative, written
out, and complex steps.  Geodetic to ECEF: the closed-form Jacobian (NumPy's radians
takes no complex number).  The fuel cell's currents and the Sellmeier index: their
derivatives written out.  The air absorption, the Nelson-Siegel-Svensson objective and
the quaternion rotation: complex steps; the NSS objective's Hessian by central differences
of complex-step gradients.  The refusals: the GARCH buffers' (right before), and the one
mended here: math's functions imported bare (``from math import cos, radians, sin, sqrt``)
are refused one line and one function at a time; the refusal now also names the import
line and its NumPy spelling, and that spelling gives the row's derivatives.
"""

import functools

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import complex_step
from _probes import close_by_column, bench_module, module_from_source, source_spelling

c = bench_module("corpus71")

# columns relative to their largest entry; the oracle's all-zero columns exactly zero
_close = functools.partial(close_by_column, zero_tol=0)


def _row(name):
    f, x0 = c.PROBLEMS71[name]
    return f, x0.copy()




def test_garch_loglik_matches_the_recursions_derivative_and_complex_steps():
    f, p0 = _row("GARCH(1,1) loglik, loop stores (4)")
    J = dg.jacobian(f, p0)
    _close(J, complex_step(f, p0), 1e-13)
    # the variance recursion's derivative, written out: s_i = w + a e_{i-1}^2 + b s_{i-1}
    mu, w, a, b = p0
    e = c.GARCH_DATA - mu
    n = e.size
    s = np.empty(n)
    ds = np.zeros((n, 4))
    s[0], ds[0, 0] = e[0] ** 2, -2 * e[0]
    for i in range(1, n):
        s[i] = w + a * e[i - 1] ** 2 + b * s[i - 1]
        ds[i] = [-2 * a * e[i - 1], 1.0, e[i - 1] ** 2, s[i - 1]]
        ds[i] += b * ds[i - 1]
    de = np.zeros((n, 4))
    de[:, 0] = -1.0
    ref = -0.5 * (ds / s[:, None] - (e ** 2 / s ** 2)[:, None] * ds
                  + (2 * e / s)[:, None] * de)
    ref[0] = 0.0                 # lik_0 = c - e_0^2 / (2 e_0^2): constant
    np.testing.assert_allclose(J[1:], ref[1:], rtol=1e-12, atol=1e-13)
    assert np.max(np.abs(J[0])) < 1e-12


def test_geodetic_to_ecef_matches_the_closed_form_jacobian():
    f, x0 = _row("geodetic to ECEF, scalar numpy (9)")
    J = dg.jacobian(f, x0)
    a, rf = c.WGS84
    e2 = 1 - (1 - 1 / rf) ** 2
    ref = np.zeros((9, 9))
    for k in range(3):
        lat, lon, h = np.radians(x0[3 * k]), np.radians(x0[3 * k + 1]), x0[3 * k + 2]
        w = 1 - e2 * np.sin(lat) ** 2
        n = a / np.sqrt(w)
        dn = a * e2 * np.sin(lat) * np.cos(lat) / w ** 1.5      # dN / dlat (radians)
        d = np.pi / 180
        ref[3 * k:3 * k + 3, 3 * k:3 * k + 3] = [
            [(dn * np.cos(lat) - (n + h) * np.sin(lat)) * np.cos(lon) * d,
             -(n + h) * np.cos(lat) * np.sin(lon) * d, np.cos(lat) * np.cos(lon)],
            [(dn * np.cos(lat) - (n + h) * np.sin(lat)) * np.sin(lon) * d,
             (n + h) * np.cos(lat) * np.cos(lon) * d, np.cos(lat) * np.sin(lon)],
            [(dn * (1 - e2) * np.sin(lat) + (n * (1 - e2) + h) * np.cos(lat)) * d,
             0.0, np.sin(lat)]]
    _close(J, ref, 1e-14)


def test_sofc_butler_volmer_currents_match_their_derivatives_written_out():
    f, sv = _row("SOFC Butler-Volmer, np.array of 2 (6)")
    J = dg.jacobian(f, sv)
    p, R, F = c.SOFC_PARAM, c.R, c.F
    ref = np.zeros((2, 6))
    rt = R * p.T
    i0_an = (sv[2] * rt / 1e5) ** 0.5 * p.K_a * rt / (p.n * F) * np.exp(-p.E_a_an / rt)
    i0_ca = p.K_c * rt / (p.n * F) * np.exp(-p.E_a_ca / rt)
    for row, i0, eta, aa, ac in ((0, i0_an, sv[4] - p.delta_phi_an_eq, p.alpha_an_a,
                                  p.alpha_an_c),
                                 (1, i0_ca, sv[5] - p.delta_phi_ca_eq, p.alpha_ca_a,
                                  p.alpha_ca_c)):
        A, B = aa * p.n * F / rt, ac * p.n * F / rt
        ref[row, 4 + row] = i0 * (A * np.exp(A * eta) + B * np.exp(-B * eta))
        if row == 0:             # i0 ~ sqrt(P_H2) ~ sqrt(SV[2])
            ref[0, 2] = i0 * (np.exp(A * eta) - np.exp(-B * eta)) / (2 * sv[2])
    _close(J, ref, 1e-14)


def test_air_absorption_matches_complex_steps():
    f, x0 = _row("air absorption ISO 9613, log10 + powers (3)")
    J = dg.jacobian(f, x0)
    assert J.shape == (18, 3)
    _close(J, complex_step(f, x0), 1e-13)


def test_nelson_siegel_svensson_gradient_and_hessian():
    f, p0 = _row("Nelson-Siegel-Svensson fit objective (6)")
    g = dg.gradient(lambda p: f(p)[0], p0)
    ref = complex_step(f, p0)[0]
    np.testing.assert_allclose(g, ref, rtol=1e-13, atol=1e-15 * np.max(np.abs(ref)))
    H = dg.hessian(lambda p: f(p)[0], p0)
    Href = np.empty((6, 6))                  # 4th-order differences of complex steps
    for j in range(6):
        h = 1e-3 * max(1.0, abs(p0[j]))
        e = np.zeros(6)
        e[j] = h

        def cs(u):
            return complex_step(f, u)[0]
        Href[:, j] = (8 * (cs(p0 + e) - cs(p0 - e)) - (cs(p0 + 2 * e) - cs(p0 - 2 * e))) / (12 * h)
    np.testing.assert_allclose(H, Href, rtol=0, atol=1e-7 * np.max(np.abs(Href)))
    np.testing.assert_array_equal(H, H.T)


def test_sellmeier_dispersion_matches_the_formulas_derivative():
    f, lam = _row("Sellmeier BK7, class + pow (8)")
    J = dg.jacobian(f, lam)
    A = [1.03961212, 0.231792344, 1.01046945]
    B = [6.00069867e-3, 2.00179144e-2, 1.03560653e2]
    n2 = 1 + sum(a * lam ** 2 / (lam ** 2 - b) for a, b in zip(A, B))
    dn2 = sum(-2 * a * b * lam / (lam ** 2 - b) ** 2 for a, b in zip(A, B))
    np.testing.assert_allclose(np.diag(J), dn2 / (2 * np.sqrt(n2)), rtol=1e-13)
    np.testing.assert_array_equal(J - np.diag(np.diag(J)), 0.0)


def test_quaternion_rotation_matches_complex_steps():
    f, q0 = _row("quaternion rotation, object np.array (4)")
    J = dg.jacobian(f, q0)
    assert J.dtype == np.float64
    _close(J, complex_step(f, q0), 1e-14)
    # R(q) is scale-free: the derivative along q itself is 0
    np.testing.assert_allclose(J @ q0, 0.0, atol=1e-13 * np.max(np.abs(J)))


def test_garch_buffers_refusal_names_the_rows_fix():
    src = source_spelling(c, c.garch_loglik,
                          ("np.zeros_like(parameters, shape=len(data))", "np.zeros(len(data))"))
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda p: src(p, c.GARCH_DATA), c.GARCH_P0)
    assert "np.zeros_like(parameters, shape=len(data))" in str(info.value)


_GEODESY = '''\
from math import cos, radians, sin, sqrt

WGS84 = 6378137, 298.257223563


def geodetic_to_geocentric(ellipsoid, latitude, longitude, height):
    phi = radians(latitude)
    lam = radians(longitude)
    sin_phi = sin(phi)
    a, rf = ellipsoid
    e2 = 1 - (1 - 1 / rf) ** 2
    n = a / sqrt(1 - e2 * sin_phi ** 2)
    r = (n + height) * cos(phi)
    return r * cos(lam), r * sin(lam), (n * (1 - e2) + height) * sin_phi
'''


def test_math_functions_imported_bare_name_the_import_line_and_its_fix_works(tmp_path):
    # user71: geodesy's from math import cos, radians, sin, sqrt was refused at
    # radians's line with "np.radians for math.radians"; mended line by line it is
    # refused again at sin's, then at sqrt's, then at cos's
    m = module_from_source(tmp_path, "geodesy71", _GEODESY)
    x0 = np.array([52.52, 13.40, 34.0])

    def row(x):
        return np.array(m.geodetic_to_geocentric(m.WGS84, x[0], x[1], x[2]))
    with pytest.raises(TypeError) as info:
        dg.jacobian(row, x0)
    message = str(info.value)
    assert "np.radians for math.radians (they take duals)" in message
    fix = ("at line 1, `from math import cos, radians, sin, sqrt` becomes "
           "`from numpy import cos, radians, sin, sqrt`")
    assert fix in message
    mended = module_from_source(tmp_path, "geodesy71b", _GEODESY.replace(
        "from math import cos, radians, sin, sqrt", "from numpy import cos, radians, sin, sqrt"))

    def fixed(x):
        return np.array(mended.geodetic_to_geocentric(m.WGS84, x[0], x[1], x[2]))
    f, g0 = _row("geodetic to ECEF, scalar numpy (9)")
    np.testing.assert_array_equal(dg.jacobian(fixed, x0), dg.jacobian(f, g0)[:3, :3])
    assert fixed(x0) == pytest.approx(np.array(m.geodetic_to_geocentric(m.WGS84, *x0)),
                                      rel=1e-15)


def test_a_bare_math_import_with_a_name_numpy_spells_otherwise_keeps_it_from_math(tmp_path):
    # math.log(x, b) is not np.log(x, b) (whose second argument is out): log stays
    # with math; the line that meets a dual is named by its own spelling
    m = module_from_source(tmp_path, "mixed71", (
        "from math import exp, log, floor\n\n\n"
        "def f(x):\n    return exp(x) * floor(2.5)\n\n\n"
        "def g(x):\n    return log(x)\n"))
    with pytest.raises(TypeError) as info:
        dg.derivative(m.f, 0.3)
    assert ("`from math import exp, log, floor` becomes `from numpy import exp` beside "
            "`from math import log, floor`") in str(info.value)
    with pytest.raises(TypeError) as info:
        dg.derivative(m.g, 0.3)
    assert "from numpy import" not in str(info.value)          # log has no namesake fix


def test_math_imported_under_another_name_is_named_as_the_line_spells_it(tmp_path):
    # pyspr's sellmeier: import math as m; ... return m.sqrt(1+p1+p2+p3)
    m = module_from_source(tmp_path, "sell71", (
        "import math as m\n\n\ndef n(luz):\n    return m.sqrt(1 + 1.04 * luz ** 2)\n"))
    with pytest.raises(TypeError) as info:
        dg.derivative(m.n, 0.6)
    assert "write np.sqrt for m.sqrt (math.sqrt) (they take duals)" in str(info.value)
