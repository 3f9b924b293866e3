"""newuser60: real functions from public scientific code (bench/corpus60.py) against
independent oracles, and the refusals a new user meets on the way.

Vincenty's geodesic distance (the geodesic's own derivatives, ``M cos(alpha)`` and
``N cos(phi) sin(alpha)``, with the azimuths from an mpmath solution at 30 digits), an
American put on a binomial tree, a two-link arm's forward dynamics and Perona-Malik
diffusion of an image (a complex step through the same code), the A-weighting curve
(its closed-form derivative), A + B <=> C kinetics through ``dg.solve_ivp`` (the
Riccati equation's closed form in mpmath), Peng-Robinson volumes (implicit
differentiation of the equation of state at the cubic's mpmath roots), the growth rate
of a Leslie matrix and an Euler-Lotka root (implicit differentiation of the Euler-Lotka
sum in mpmath).  Each source spelling the corpus changed (``math.*``, ``np.zeros``
buffers, odeint, ``astype(np.float32)``, ``np.roots``, ``scipy.linalg.eig``,
``scipy.optimize.brentq``) is refused with a message naming the change made.
"""

import math

import mpmath
import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
from scipy.integrate import odeint

import dualgrad as dg
from dualgrad.testing import complex_step
from _probes import bench_module

c = bench_module("corpus60")


def _row(name):
    return c.PROBLEMS60[name]


# --- geodesy -----------------------------------------------------------------------
def _geodesic_partials(q):
    """d s / d (lon1, lat1, lon2, lat2) in metres per degree: -N1 cos(phi1) sin(a1),
    -M1 cos(a1), N2 cos(phi2) sin(a2), M2 cos(a2), with the forward azimuths a1, a2 of
    an mpmath Vincenty solution (lambda iterated to 30 digits) and the ellipsoid's
    meridional (M) and prime-vertical (N) radii of curvature."""
    with mpmath.workdps(30):
        a = mpmath.mpf(6378137)
        f = 1 / mpmath.mpf("298.257222101")
        e2 = f * (2 - f)
        lon1, lat1, lon2, lat2 = (mpmath.radians(mpmath.mpf(float(v))) for v in q)
        U1 = mpmath.atan((1 - f) * mpmath.tan(lat1))
        U2 = mpmath.atan((1 - f) * mpmath.tan(lat2))
        sU1, cU1, sU2, cU2 = mpmath.sin(U1), mpmath.cos(U1), mpmath.sin(U2), mpmath.cos(U2)
        L = lon2 - lon1
        lam = L
        for _ in range(60):
            sl, cl = mpmath.sin(lam), mpmath.cos(lam)
            ss = mpmath.sqrt((cU2 * sl) ** 2 + (cU1 * sU2 - sU1 * cU2 * cl) ** 2)
            cs = sU1 * sU2 + cU1 * cU2 * cl
            sig = mpmath.atan2(ss, cs)
            sa = cU1 * cU2 * sl / ss
            ca2 = 1 - sa ** 2
            c2m = cs - 2 * sU1 * sU2 / ca2
            C = f / 16 * ca2 * (4 + f * (4 - 3 * ca2))
            lam = L + (1 - C) * f * sa * (sig + C * ss * (c2m + C * cs * (-1 + 2 * c2m ** 2)))
        sl, cl = mpmath.sin(lam), mpmath.cos(lam)
        a1 = mpmath.atan2(cU2 * sl, cU1 * sU2 - sU1 * cU2 * cl)
        a2 = mpmath.atan2(cU1 * sl, -sU1 * cU2 + cU1 * sU2 * cl)

        def radii(phi):
            w = 1 - e2 * mpmath.sin(phi) ** 2
            return a * (1 - e2) / w ** 1.5, a / mpmath.sqrt(w)
        M1, N1 = radii(lat1)
        M2, N2 = radii(lat2)
        deg = mpmath.pi / 180
        return np.array([float(-N1 * mpmath.cos(lat1) * mpmath.sin(a1) * deg),
                         float(-M1 * mpmath.cos(a1) * deg),
                         float(N2 * mpmath.cos(lat2) * mpmath.sin(a2) * deg),
                         float(M2 * mpmath.cos(a2) * deg)])


@pytest.mark.parametrize("q", [c.GEO_X0, np.array([2.0, 48.0, 13.0, 52.5]),
                               np.array([-70.0, -33.0, 151.0, -34.0])])
def test_vincenty_gradient_is_the_geodesics_azimuth_formula(q):
    g = dg.jacobian(c.vincenty_row, q)[0]
    # Vincenty's series is ~0.1 mm of ~1e5..1e7 m: its slope agrees to ~1e-9
    np.testing.assert_allclose(g, _geodesic_partials(q), rtol=1e-8)


def test_vincenty_source_math_radians_refused_naming_np_radians():
    def source_start(x1, y1, x2, y2):             # the source's first lines, math.*
        L = math.radians(x2 - x1)
        U1 = math.atan((1 - 1 / 298.257222101) * math.tan(math.radians(y1)))
        return L + U1
    with pytest.raises(TypeError, match=r"write np\.radians for math\.radians"):
        dg.gradient(lambda q: source_start(q[0], q[1], q[2], q[3]), c.GEO_X0)


# --- finance -----------------------------------------------------------------------
def test_american_put_greeks_match_complex_step_through_the_tree():
    f, x0 = _row("American put CRR tree, buffers (3)")
    J = dg.jacobian(f, x0)
    np.testing.assert_allclose(J, complex_step(f, x0), rtol=1e-12, atol=1e-14)
    assert -1.0 < J[0, 0] < 0.0 and J[0, 1] < 0.0 < J[0, 2]     # a put's delta, rho, vega


def test_american_put_early_exercise_region_has_delta_minus_one():
    # deep in the money the put is exercised at once: P = K - S, dP/dS = -1 (the root's
    # spot is S u^N d^0 / u^N: to rounding)
    J = dg.jacobian(c.american_row, np.array([20.0, 0.08, 0.3]))
    np.testing.assert_allclose(J, [[-1.0, 0.0, 0.0]], rtol=0, atol=1e-12)


def test_binomial_source_buffer_refused_naming_zeros_like_of_spot():
    def source_leaves(S, u, numNodes):         # the source's first loop, its buffer
        spotPriceArray = np.zeros(numNodes)
        for i in range(numNodes):
            spotPriceArray[i] = S * u ** i
        return spotPriceArray
    with pytest.raises(TypeError, match=r"np\.zeros_like\(S, shape=numNodes\)"):
        dg.jacobian(lambda q: source_leaves(q[0], 1.1, 4), np.array([41.0]))


# --- robotics ----------------------------------------------------------------------
@pytest.mark.parametrize("q", [np.array([0.3, 0.7, 0.2, -0.4]),
                               np.array([-1.2, 2.5, 1.5, 0.8])])
def test_arm_forward_dynamics_match_complex_step(q):
    J = dg.jacobian(c.arm_row, q)
    np.testing.assert_allclose(J, complex_step(c.arm_row, q), rtol=1e-12, atol=1e-13)


def test_arm_source_buffer_refused_naming_zeros_like_of_th():
    def source_D(th):                           # D_robot's buffer as the source makes it
        D = np.zeros((2, 2))
        D[0, 0] = 1.0 + np.cos(th[1, 0])
        return D
    with pytest.raises(TypeError, match=r"D = np\.zeros_like\(th, shape=\(2, 2\)\)"):
        dg.jacobian(lambda q: source_D(q.reshape(2, 1)).ravel(), np.array([0.3, 0.7]))


# --- acoustics ---------------------------------------------------------------------
def test_a_weighting_jacobian_is_the_closed_form_derivative():
    f = c.THIRD_OCTAVES.copy()
    J = dg.jacobian(c.a_weighting, f)
    # A = 20 log10(ra) + 2, ra = 12194^2 f^4 / ((f^2+20.6^2) sqrt((f^2+107.7^2)(f^2+737.9^2))
    # (f^2+12194^2)): dA/df = 20/ln10 (4/f - 2f/(f^2+20.6^2) - f/(f^2+107.7^2)
    # - f/(f^2+737.9^2) - 2f/(f^2+12194^2))
    ref = 20 / np.log(10) * (4 / f - 2 * f / (f ** 2 + 20.6 ** 2) - f / (f ** 2 + 107.7 ** 2)
                             - f / (f ** 2 + 737.9 ** 2) - 2 * f / (f ** 2 + 12194 ** 2))
    np.testing.assert_allclose(np.diagonal(J), ref, rtol=1e-12)
    assert not np.any(J - np.diag(np.diagonal(J)))
    # the curve itself: 0 dB at 1 kHz (IEC 61672's normalization, to the +2.00 rounding)
    assert abs(c.a_weighting(np.array([1000.0]))[0]) < 0.01


def test_a_weighting_zero_frequency_written_in_place_is_a_constant():
    # the source writes 1e-6 over f[0] == 0 in its input: under dualgrad the first
    # frequency becomes a constant (no derivative), the others keep theirs
    f = np.array([0.0, 100.0, 1000.0])
    J = dg.jacobian(c.a_weighting, f)
    assert not np.any(J[:, 0])
    assert J[1, 1] > 0 and f[0] == 0.0           # dualgrad wrote into its own copy


# --- chemical kinetics -------------------------------------------------------------
def _riccati(k1, k2, t):
    """[C](t) of A + B <=> C from A0 = 1, B0 = 2, C0 = 0: C' = k1 (C - r+) (C - r-)."""
    s = 3 * k1 + k2
    disc = mpmath.sqrt(s ** 2 - 8 * k1 ** 2)
    rp, rm = (s + disc) / (2 * k1), (s - disc) / (2 * k1)
    K = rp / rm
    E = mpmath.exp(k1 * (rp - rm) * t)
    return (rp - rm * K * E) / (1 - K * E)


def test_kinetics_jacobian_matches_the_riccati_closed_form():
    q = np.array([6.0, 3.0])
    J = dg.jacobian(c.kinetics_row, q)
    vals = c.kinetics_row(q)
    ref, refJ = [], []
    with mpmath.workdps(30):
        k1, k2 = mpmath.mpf(6), mpmath.mpf(3)
        for t in c.KIN_T[[2, 4, 10, 100]]:
            t = mpmath.mpf(float(t))
            C = _riccati(k1, k2, t)
            d1 = mpmath.diff(lambda u: _riccati(u, k2, t), k1)
            d2 = mpmath.diff(lambda u: _riccati(k1, u, t), k2)
            ref += [1 - C, 2 - C, C]
            refJ += [[-d1, -d2], [-d1, -d2], [d1, d2]]
    ref = np.array(ref, dtype=float)
    refJ = np.array(refJ, dtype=float)
    # LSODA at odeint's tolerances (1.49e-8): the values are that close, and the
    # sensitivities, stepped beside them, as close
    assert np.max(np.abs(vals - ref)) < 1e-7
    assert np.max(np.abs(J - refJ)) < 1e-7 * np.max(np.abs(refJ)) * 10
    assert np.max(np.abs(refJ)) > 1e-2


def test_kinetics_source_odeint_refused_naming_the_solve_ivp_call():
    def source_row(q):
        c.k1, c.k2 = q[0], q[1]                  # the source's globals
        return odeint(c.X, c.KIN_X0, c.KIN_T)[-1]
    try:
        with pytest.raises(TypeError, match=r"dg\.solve_ivp\(lambda t, y: func\(y, t\)"
                                            r".*method=\"LSODA\", rtol=1\.49012e-08"):
            dg.jacobian(source_row, np.array([6.0, 3.0]))
    finally:
        c.k1, c.k2 = 6, 3


def test_kinetics_globals_left_as_duals_refused_later_naming_the_escape():
    # the source's pattern keeps k1, k2 as module globals: f sets them to duals, and a
    # plain odeint run after dg.jacobian returned reads duals of a finished call
    dg.jacobian(c.kinetics_row, np.array([6.0, 3.0]))
    try:
        with pytest.raises(TypeError, match=r"float\(d\).*escaped that call.*global k1"):
            odeint(c.X, c.KIN_X0, c.KIN_T)
    finally:
        c.k1, c.k2 = 6, 3
    assert odeint(c.X, c.KIN_X0, c.KIN_T)[-1, 2] > 0.0


# --- image processing --------------------------------------------------------------
def test_anisodiff_jacobian_matches_complex_step():
    f, x0 = _row("Perona-Malik diffusion, 8x8 (64)")
    J = dg.jacobian(f, x0)
    np.testing.assert_allclose(J, complex_step(f, x0), rtol=1e-11, atol=1e-13)
    # diffusion conserves the image's sum: every column of J sums to 1
    np.testing.assert_allclose(J.sum(axis=0), 1.0, rtol=1e-12)


def test_anisodiff_source_float32_cast_refused_saying_to_drop_the_cast():
    def source_start(img):
        img = img.astype(np.float32)
        return img.copy() * 2
    with pytest.raises(TypeError, match=r"leave the cast out") as info:
        dg.jacobian(lambda q: source_start(q.reshape(2, 2)).ravel(), np.ones(4))
    # not "expected ... float64": astype(np.float64) is refused as well
    assert "expected dtype=None or float64" not in str(info.value)
    with pytest.raises(TypeError, match=r"leave the cast out"):
        dg.jacobian(lambda q: q.astype(np.float64) * 2, np.ones(4))


# --- thermodynamics ----------------------------------------------------------------
def _peng_partials(p, T, eos):
    """d v / d (p, T) for the vapour and liquid roots: v solves p = P(v, T), so
    dv/dp = 1 / P_v and dv/dT = -P_T / P_v (implicit function theorem, mpmath)."""
    with mpmath.workdps(30):
        R, Tc, pc, kap = (mpmath.mpf(v) for v in (eos.R, eos.Tc, eos.pc, eos.kappa))
        A = mpmath.mpf("0.45724") * (R * Tc) ** 2 / pc
        B = mpmath.mpf("0.07780") * R * Tc / pc
        p, T = mpmath.mpf(p), mpmath.mpf(T)

        def P(v, T):
            al = (1 + kap * (1 - mpmath.sqrt(T / Tc))) ** 2
            return R * T / (v - B) - A * al / (v ** 2 + 2 * B * v - B ** 2)
        al = (1 + kap * (1 - mpmath.sqrt(T / Tc))) ** 2
        roots = mpmath.polyroots([p, p * B - R * T, A * al - 3 * p * B ** 2 - 2 * R * T * B,
                                  p * B ** 3 - A * al * B + R * T * B ** 2],
                                 maxsteps=200, extraprec=60)
        real = sorted(mpmath.re(z) for z in roots
                      if abs(mpmath.im(z)) < mpmath.mpf(10) ** -20 and mpmath.re(z) > B)
        rows = []
        for v in (real[-1], real[0]):
            Pv = mpmath.diff(lambda u: P(u, T), v)
            PT = mpmath.diff(lambda u: P(v, u), T)
            rows.append([float(1 / Pv), float(-PT / Pv)])
        return np.array(rows)


def test_peng_robinson_volumes_match_implicit_differentiation():
    f, x0 = _row("Peng-Robinson volumes, np.roots (2)")
    J = dg.jacobian(f, x0)
    np.testing.assert_allclose(J, _peng_partials(x0[0], x0[1], c.AMMONIA), rtol=1e-10)


def test_peng_robinson_source_np_roots_refused_naming_the_companion_eigvals():
    def source_roots(p, T):
        return np.roots([p, p * 0.02 - 0.083 * T, 4.3, -0.1])
    with pytest.raises(TypeError, match=r"np\.linalg\.eigvals\(np\.vstack\(\[-p\[1:\] / p\[0\]"):
        dg.jacobian(lambda q: source_roots(q[0], q[1]), np.array([10.0, 300.0]))


# --- demography --------------------------------------------------------------------
def _euler_lotka_slope(x, terms):
    """dr/dx where sum_{a=1}^{terms} 16 x exp(-(r + 1 + x/2) a) = 1 (mpmath)."""
    def r_of(x):
        return mpmath.findroot(
            lambda r: 1 - sum(16 * x * mpmath.exp(-(r + 1 + x / 2) * k)
                              for k in range(1, terms + 1)), mpmath.mpf("1.4"))
    with mpmath.workdps(30):
        return float(r_of(mpmath.mpf(x))), float(mpmath.diff(r_of, mpmath.mpf(x)))


def test_leslie_growth_rate_slope_is_the_euler_lotka_implicit_derivative():
    # the Leslie matrix's eigenvalue lambda = exp(r) solves the Euler-Lotka sum over the
    # 49 ages its last zero survival leaves; RCALC returns -|r|
    for x in (1.5, 2.2):
        r, dr = _euler_lotka_slope(x, 49)
        assert abs(c.RCALC(x) + r) < 1e-12
        g = dg.jacobian(c.leslie_row, np.array([x]))[0, 0]
        assert abs(g + dr) <= 1e-11 * abs(dr)


def test_euler_lotka_brentq_slope_is_the_implicit_derivative():
    for x in (1.5, 2.2):
        r, dr = _euler_lotka_slope(x, 50)
        g = dg.jacobian(c.euler_lotka_row, np.array([x]))[0, 0]
        assert abs(g + dr) <= 1e-11 * abs(dr)


@pytest.mark.parametrize("row", ["Leslie growth rate, eig (1)", "Euler-Lotka root, brentq (1)"])
def test_growth_rate_second_derivative_is_the_euler_lotka_one(row):
    f, x0 = _row(row)
    terms = 49 if "Leslie" in row else 50

    def r_of(x):
        return mpmath.findroot(
            lambda r: 1 - sum(16 * x * mpmath.exp(-(r + 1 + x / 2) * k)
                              for k in range(1, terms + 1)), mpmath.mpf("1.4"))
    with mpmath.workdps(30):
        ref = -float(mpmath.diff(r_of, mpmath.mpf(float(x0[0])), 2))
    H = dg.hessian(lambda q: f(q)[0], x0)
    assert abs(H[0, 0] - ref) <= 1e-9 * abs(ref)


def test_peng_robinson_hessian_matches_differences_of_the_implicit_slopes():
    f, x0 = _row("Peng-Robinson volumes, np.roots (2)")
    H = dg.hessian(lambda q: f(q)[0], x0)          # the vapour volume's
    steps = (1e-3, 1e-2)
    ref = np.array([(_peng_partials(*(x0 + h * e), c.AMMONIA)[0]
                     - _peng_partials(*(x0 - h * e), c.AMMONIA)[0]) / (2 * h)
                    for e, h in zip(np.eye(2), steps)])
    np.testing.assert_allclose(H, ref, rtol=1e-5)


def test_american_put_gamma_is_zero_the_tree_is_piecewise_linear_in_spot():
    # each leaf max(K - S u^i d^j, 0) and each early-exercise max is linear in S between
    # kinks: the tree's d2P/dS2 is 0; the other second derivatives match differences of
    # complex-step gradients
    f, x0 = _row("American put CRR tree, buffers (3)")
    H = dg.hessian(lambda q: f(q)[0], x0)
    assert H[0, 0] == 0.0
    ref = np.array([(complex_step(f, x0 + h * e)[0] - complex_step(f, x0 - h * e)[0]) / (2 * h)
                    for e, h in zip(np.eye(3), (1e-4, 1e-6, 1e-6))])
    np.testing.assert_allclose(H[1:, 1:], ref[1:, 1:], rtol=1e-6)
    np.testing.assert_allclose(H[0, 2], ref[0, 2], rtol=1e-6)


def test_optimum_body_size_from_dualgrads_slope_is_31_over_16():
    # the source maximizes r(x) by golden section; r = log(1 + 16 x) - (1 + x / 2) up to
    # exp(-49 r)-small terms, so r'(x) = 16 / (1 + 16 x) - 1 / 2 = 0 at x = 31 / 16:
    # brentq on dualgrad's slope finds it to rounding, golden section to its 1.5e-8 tol
    x = scipy.optimize.brentq(lambda x: dg.derivative(c.RCALC, x), 1.0, 3.0, xtol=1e-14)
    assert abs(x - 31 / 16) < 1e-12
    golden = scipy.optimize.minimize_scalar(c.RCALC, bracket=[1, 3], method="Golden").x
    assert abs(golden - 31 / 16) < 1e-6


def test_leslie_source_scipy_eig_refused_naming_np_linalg_eig():
    with pytest.raises(TypeError, match=r"np\.linalg\.eig\(a\)"):
        dg.jacobian(lambda q: np.real(scipy.linalg.eig(np.diag(q, -1) + 1.0)[0]),
                    np.array([0.5, 0.8]))


def test_euler_lotka_source_scipy_brentq_refused_naming_dualgrads_brentq():
    with pytest.raises(TypeError, match=r"dualgrad\.scipy\.optimize\.brentq"):
        dg.jacobian(lambda q: np.atleast_1d(scipy.optimize.brentq(c.SUMMATION, -1, 2,
                                                                  args=(q[0]))),
                    np.array([1.5]))


# --- laser optics ------------------------------------------------------------------
def _telescope_mp(f1, f2, d, methods):
    """The beam's (waist, waist_loc, z_R's uncertainty) after 0.1 m, lens f1, gap d, lens
    f2 in mpmath: q = z + i z_R through q / (1 - q / f) and q + d (the methods' path, each
    gap adding its 1e-3 to the location's uncertainty in quadrature), or through the
    product M = L(f2) P(d) L(f1), q' = (A q + B) / (C q + D), q_err' = det M q_err /
    (C q + D)^2 (the ABCD path)."""
    lam, w, werr, m2err = (mpmath.mpf(v) for v in ("780e-9", "0.5e-3", "1e-5", "0.05"))
    zr = mpmath.pi * w ** 2 / lam
    zr_err = mpmath.pi / lam * mpmath.sqrt((2 * w * werr) ** 2 + (w ** 2 * m2err) ** 2)
    derr = mpmath.mpf("1e-3")
    loc, loc_err = mpmath.mpf("0.1"), mpmath.sqrt(derr ** 2 + derr ** 2)
    q, qe = mpmath.mpc(loc, zr), mpmath.mpc(loc_err, zr_err)
    if methods:
        for step, f in (("lens", f1), ("gap", d), ("lens", f2)):
            if step == "lens":
                q, qe = q / (1 - q / f), qe / (1 - q / f) ** 2
            else:
                q = q + d
                qe = mpmath.mpc(mpmath.sqrt(mpmath.re(qe) ** 2 + derr ** 2), mpmath.im(qe))
    else:
        def lens(f):
            return mpmath.matrix([[1, 0], [-1 / f, 1]])
        M = lens(f2) * mpmath.matrix([[1, d], [0, 1]]) * lens(f1)
        den = M[1, 0] * q + M[1, 1]
        q, qe = (M[0, 0] * q + M[0, 1]) / den, mpmath.det(M) * qe / den ** 2
    return [mpmath.sqrt(mpmath.im(q) * lam / mpmath.pi), mpmath.re(q), mpmath.im(qe)]


@pytest.mark.parametrize("methods", [False, True])
def test_telescope_jacobian_matches_the_q_parameter_in_mpmath(methods):
    x0 = _row("Gaussian beam telescope, ABCD (3)")[1]
    f = c.telescope_methods_row if methods else c.telescope_row
    J = dg.jacobian(f, x0)
    ref = np.empty((3, 3))
    with mpmath.workdps(30):
        p = [mpmath.mpf(float(v)) for v in x0]
        for j in range(3):
            for i in range(3):
                def g(t, i=i, j=j):
                    args = list(p)
                    args[j] = t
                    return _telescope_mp(*args, methods)[i]
                ref[i, j] = float(mpmath.diff(g, p[j]))
    np.testing.assert_allclose(J, ref, rtol=1e-9)


def test_abcd_matrix_by_np_array_refused_naming_np_stack():
    def source_matrices(q):
        b = c.new_beam()
        b.ABCD_matrix_list([np.array([[1, 0], [-1 / q[0], 1]])])
        return np.stack([b.get_waist(), b.waist_loc])
    with pytest.raises(TypeError, match=r"became complex.*object array.*np\.stack\(\[x\[0\], x\[1\]\]\)"):
        dg.jacobian(source_matrices, np.array([0.05]))
