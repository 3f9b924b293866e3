"""newuser62: real functions from public scientific code (bench/corpus62.py) against
independent oracles, and the refusals a new user meets on the way.

A Theis drawdown, Voigt peaks, Bateman activities and 3PL log-likelihoods (their
analytic derivatives: E1's, Faddeeva's w' = -2 z w + 2i / sqrt(pi), the decay chain's
matrix exponential and its Frechet derivative, the logistic's), a single-diode cell's
power (8th-order differences of the source's own scipy.special.lambertw), luminosity
distances (mpmath's quadrature and differences), and a traffic scheme, a battery model,
EOS-80 and Goff-Gratch (complex steps through the same code; Goff-Gratch's values
against the source's masked arrays on floats).  Each source spelling the corpus changed
is refused naming the change made.  Three messages mended (attack61 08 / 09, diff61 5,
newuser62): np.matrix(A).dot(x) said complex(d); a masked array on the left of a dual
ran, and np.ma.array(x) of a dual blamed an except clause; a dual zoom factor was
promised derivatives by a recipe that could not run.
"""

import math

import mpmath
import numpy as np
import pytest
import scipy.linalg
from scipy import ndimage
from scipy.integrate import quad
from scipy.special import exp1, lambertw, wofz

import dualgrad as dg
from dualgrad.testing import complex_step, numerical_jacobian
from _probes import bench_module

c = bench_module("corpus62")


def _row(name):
    return c.PROBLEMS62[name]


# --- hydrogeology ------------------------------------------------------------------
def test_theis_drawdown_matches_the_well_functions_analytic_derivatives():
    f, (T, S) = _row("Theis drawdown, expi (2)")
    t = np.arange(1, 121) * 60.0
    u = 225.0 * S / (4 * T * t)
    s = 5e-4 / (4 * np.pi * T) * exp1(u)
    ref = np.stack([-s / T + 5e-4 * np.exp(-u) / (4 * np.pi * T ** 2),   # d/dT
                    -5e-4 * np.exp(-u) / (4 * np.pi * T * S)], axis=-1)   # d/dS
    J = dg.jacobian(f, np.array([T, S]))
    np.testing.assert_allclose(f(np.array([T, S])), s, rtol=1e-14)
    np.testing.assert_allclose(J, ref, rtol=1e-12)


# --- photovoltaics -----------------------------------------------------------------
def _pv_source(q):
    """The source's cell as written, scipy.special.lambertw of the dual argument."""
    Rs, Rsh, Iphi0, n = q
    qe, k = 1.602e-19, 1.38e-23
    Tcell = 273.15 + 25. + 1000.*(48. - 20.)/800.
    Vt = k*Tcell/qe
    Id = 10e-13*(298.15/Tcell)**3 * np.exp(qe*1.12/n/k*(1./298.15 - 1./Tcell))
    V, Iphi = c.PV_V, Iphi0
    temp = lambertw(Id*Rs/(n*Vt*(1.+Rs/Rsh))*np.exp(V/n/Vt*(1.-Rs/(Rs+Rsh)) +
                                                    (Iphi+Id)*Rs/(n*Vt*(1.+Rs/Rsh))))
    return -((Iphi + Id - V/Rsh)/(1.+Rs/Rsh) - n*Vt/Rs*temp.real)*V


def test_pv_power_curve_matches_differences_of_scipys_lambertw():
    f, x0 = _row("PV cell power, lambertw Newton (4)")
    np.testing.assert_allclose(f(x0), _pv_source(x0), rtol=1e-13, atol=1e-17)
    ref = numerical_jacobian(_pv_source, x0, h=1e-6)
    np.testing.assert_allclose(dg.jacobian(f, x0), ref, rtol=1e-7, atol=1e-9)
    with pytest.raises(TypeError, match=r"lambertw\(dg\.stop_gradient\(z\), k\)\.real .*"
                                        r"two Newton steps"):
        dg.jacobian(_pv_source, x0)


# --- X-ray diffraction -------------------------------------------------------------
def test_voigt_peaks_match_faddeevas_analytic_derivative():
    f, p = _row("Voigt XRD peaks, wofz *params (15)")
    x, cols = c.XRD_Q, []
    for x0, y0, I, alpha, gamma in p.reshape(3, 5):
        sigma = alpha / np.sqrt(2 * np.log(2))
        z = ((x - x0) + 1j * gamma) / sigma / np.sqrt(2)
        w = wofz(z)
        dw = -2 * z * w + 2j / np.sqrt(np.pi)                 # Faddeeva's w'(z)
        scale = I / (sigma * np.sqrt(2 * np.pi))
        d_sigma = I / np.sqrt(2 * np.pi) * (np.real(dw * -z) - w.real) / sigma ** 2
        cols += [scale * np.real(dw * -1 / (sigma * np.sqrt(2))), np.ones_like(x),
                 w.real / (sigma * np.sqrt(2 * np.pi)), d_sigma / np.sqrt(2 * np.log(2)),
                 scale * np.real(dw * 1j / (sigma * np.sqrt(2)))]
    np.testing.assert_allclose(dg.jacobian(f, p), np.stack(cols, axis=-1), rtol=1e-10,
                               atol=1e-12)


# --- radioactive decay -------------------------------------------------------------
def test_bateman_activities_match_the_chains_matrix_exponential():
    # dN/dt = A N, A lower bidiagonal in the decay constants; member n's activity
    # lambda_n N_n(t) from N(0) = N0 e_1, its lambda-derivatives from expm's Frechet one
    f, la = _row("Bateman radon chain, coefficient loop (4)")
    A = np.diag(-la) + np.diag(la[:3], -1)
    N0 = c.RN_HALF[0] / math.log(2)
    val, ref = np.empty((4, 5)), np.empty((4, 5, 4))
    for j, t in enumerate(c.RN_T):
        E = scipy.linalg.expm(A * t)[:, 0] * N0                   # N(t)
        val[:, j] = la * E
        for k in range(4):
            dA = np.diag(np.eye(4)[k] * -1.0) + np.diag(np.eye(4)[k][:3], -1)
            dE = scipy.linalg.expm_frechet(A * t, dA * t, compute_expm=False)[:, 0] * N0
            ref[:, j, k] = np.eye(4)[k] * E + la * dE
    np.testing.assert_allclose(f(la), val.ravel(), rtol=1e-9)
    J = dg.jacobian(f, la)
    scale = np.max(np.abs(J), axis=0)
    np.testing.assert_allclose(J / scale, ref.reshape(20, 4) / scale, rtol=0, atol=1e-9)


def test_bateman_source_buffer_refused_naming_zeros_like_of_the_decay_constants():
    def source_c(n, la):
        enum, c_ = 1, np.zeros((n))
        for j in range(n):
            enum = enum*la[j]
        for m in range(n):
            denom = 1
            for i in range(n):
                if i != m:
                    denom = denom*(la[i]-la[m])
            c_[m] = (enum/denom)
        return c_
    with pytest.raises(TypeError, match=r"make it c_ = np\.zeros_like\(la, shape=n\)"):
        dg.jacobian(lambda la: source_c(3, la), np.log(2) / c.RN_HALF)


# --- cosmology ---------------------------------------------------------------------
def test_luminosity_distances_match_mpmath_quadrature():
    """d_L = (1 + s z) K I, I the integral of 1 / (H0 E(Z)) over [0, s z], E = sqrt(om (1 +
    Z)**3 + 1 - om), H0 ~ h: d/dh = -d_L / h; d/ds = K z (I + (1 + s z) / (H0 E(s z)));
    d/dom = (1 + s z) K times the integral of -((1 + Z)**3 - 1) / (2 H0 E**3) (one mpmath
    quadrature a column: mpmath.diff of the quadrature cost ~3 s, diff62 7)."""
    f, x0 = _row("luminosity distance, dg.quad (3)")
    K = mpmath.mpf("9.715611890800001e-18")
    with mpmath.workdps(25):
        h, om, s = (mpmath.mpf(float(v)) for v in x0)
        H0 = 299792458 * h / (2.9979 * 3.085678 * mpmath.mpf(10) ** 25)

        def E(Z):
            return mpmath.sqrt(om * (1 + Z) ** 3 + 1 - om)
        ref = []
        for z in (mpmath.mpf(z) for z in c.GW_Z):
            zz = s * z
            d_l = (1 + zz) * K * mpmath.quad(lambda Z: 1 / (H0 * E(Z)), [0, zz])
            d_s = K * z * (d_l / ((1 + zz) * K) + (1 + zz) / (H0 * E(zz)))
            d_om = (1 + zz) * K * mpmath.quad(
                lambda Z: -((1 + Z) ** 3 - 1) / (2 * H0 * E(Z) ** 3), [0, zz])
            ref.append([float(-d_l / h), float(d_om), float(d_s)])
    np.testing.assert_allclose(dg.jacobian(f, x0), ref, rtol=1e-10)


def test_scipy_quad_of_the_hubble_function_refused_naming_dg_quad():
    def source_dl(z, H):
        return (1+z) * 9.7e-18 * quad(lambda Z: 1/H(Z), 0, z)[0]
    with pytest.raises(TypeError, match=r"dg\.quad\(func, a, b, args=args\)\[0\]"):
        dg.jacobian(lambda q: np.stack([source_dl(q[0], lambda Z: c.H(Z, 0.7, q[1]))]),
                    np.array([0.5, 0.3]))


# --- traffic flow ------------------------------------------------------------------
def test_godunov_densities_match_complex_step():
    f, x0 = _row("LWR traffic Godunov, zeros_like rows (3)")
    J = dg.jacobian(f, x0)
    np.testing.assert_allclose(J, complex_step(f, x0), rtol=1e-12, atol=1e-13)
    assert np.max(np.abs(J[:, 2])) > 0.1               # the speed limit moves the shock


def test_godunov_source_buffer_refused_naming_zeros_like_of_rho():
    def source_start(rho, nt):
        rho_n = np.zeros((nt, len(rho)))
        rho_n[:, :] = rho.copy()
        return rho_n[-1]
    with pytest.raises(TypeError, match=r"make it rho_n = np\.zeros_like\(rho, shape=\(nt, "
                                        r"len\(rho\)\)\)"):
        dg.jacobian(lambda q: source_start(c.rho_red_light(8, q[1], q[0]), 3),
                    np.array([5.0, 10.0]))


# --- battery and ocean: complex steps through the same code --------------------------
@pytest.mark.parametrize("name", ["Thevenin battery pulses, object loop (4)",
                                  "EOS-80 ptmp and svel, asanyarray (10)"])
def test_battery_and_seawater_rows_match_complex_step(name):
    f, x0 = _row(name)
    J = dg.jacobian(f, x0)
    np.testing.assert_allclose(J, complex_step(f, x0), rtol=1e-12, atol=1e-15)
    assert np.all(np.any(J != 0, axis=0))              # every input moves some output


# --- psychometrics -----------------------------------------------------------------
def test_irt_log_likelihoods_match_the_logistics_derivative():
    f, theta = _row("3PL IRT log-likelihoods, item loop (5)")
    sig = 1 / (1 + np.exp(-1.7 * c.IRT_A * (theta[:, None] - c.IRT_B)))
    p = 0.2 + 0.8 * sig
    dp = 0.8 * 1.7 * c.IRT_A * sig * (1 - sig)
    ref = np.sum(np.where(c.IRT_X == 1, dp / p, -dp / (1 - p)), axis=1)
    np.testing.assert_allclose(dg.jacobian(f, theta), np.diag(ref), rtol=1e-12, atol=1e-15)


def test_irt_source_math_exp_refused_naming_np_exp():
    def source_irt(ability, difficulty, discrimination=5, c_=0.25):
        return c_ + (1 - c_) / (1 + math.exp(-1.7 * discrimination * (ability - difficulty)))
    with pytest.raises(TypeError, match=r"write np\.exp for math\.exp"):
        dg.gradient(lambda th: source_irt(th[0], 0.5), np.array([0.3]))


# --- atmospheric humidity ----------------------------------------------------------
def _esat_masked(T):
    """The source's masked-array GoffGratch branch on floats."""
    T_liq = np.ma.array(T, mask=(np.ma.array(T) < c.T0), keep_mask=True)
    T_ice = np.ma.array(T, mask=(np.ma.array(T) >= c.T0), keep_mask=True)
    Ts, ews = 373.16, 1013.246
    liq = 100. * (10.**(-7.90298*(Ts/T_liq-1.) + 5.02808 * np.ma.log10(Ts/T_liq)
                        - 1.3816e-7 * (10.**(11.344*(1.-T_liq/Ts))-1.)
                        + 8.1328e-3 * (10.**(-3.49149*(Ts/T_liq-1))-1.) + np.ma.log10(ews)))
    ei0, Ts = 6.1071, 273.16
    ice = 100. * (10.**(-9.09718 * (Ts/T_ice-1.) - 3.56654 * np.log10(Ts/T_ice)
                        + 0.876793 * (1.-T_ice/Ts) + np.log10(ei0)))
    return np.ma.filled(liq, 0.) + np.ma.filled(ice, 0.)


def test_goff_gratch_rewrite_gives_the_sources_values_and_complex_step_slopes():
    f, T = _row("Goff-Gratch esat, water and ice (8)")
    np.testing.assert_allclose(f(T), _esat_masked(T), rtol=1e-14)
    J = dg.jacobian(f, T)
    np.testing.assert_allclose(J, complex_step(f, T), rtol=1e-12, atol=0)
    assert np.count_nonzero(J - np.diag(np.diag(J))) == 0 and np.all(np.diag(J) > 0)


def test_masked_arrays_meeting_duals_refused_naming_np_where():
    # jams_python's esat opens with np.ma.array(T) (the message blamed an except clause);
    # a masked array on the left of a dual ran its own object loops (attack61 09: the
    # masked entries' derivatives 0), on the right it was refused: both refused now
    with pytest.raises(TypeError, match=r"np\.ma\.array received a dual array .*"
                                        r"np\.where\(mask, fill, g\(x\)\)"):
        dg.jacobian(_esat_masked, c.SOUNDING.copy())
    m = np.ma.array([1.0, 2.0, 3.0], mask=[0, 1, 0])
    for g in (lambda x: m * x, lambda x: m - x, lambda x: x * m):
        with pytest.raises(TypeError, match=r"m\.filled\(value\) \* x|x\.filled\(value\)"):
            dg.jacobian(g, np.array([0.5, 1.5, -2.0]))
    with pytest.raises(TypeError, match=r"f returned a np\.ma\.MaskedArray holding dual"):
        dg.jacobian(lambda x: m * x[0], np.array([0.5, 1.5]))


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_matrix_dot_of_a_dual_refused_naming_np_asarray_not_complex():
    with pytest.raises(TypeError, match=r"f returned a np\.matrix holding dual numbers .*"
                                        r"M = np\.asarray\(M\), then M @ x") as info:
        dg.jacobian(lambda x: np.matrix([[1., 2, 3]]).dot(x), np.array([0.5, 1.5, -2.0]))
    assert "complex(d)" not in str(info.value)


def test_ndimage_zoom_factor_refusal_says_stop_gradient_and_is_right():
    # SciPy's zoom reads the factor only through the output shape: the recipe that
    # promised derivatives in the zoom began with np.arange of a dual (diff61 5)
    img = np.arange(24.0).reshape(4, 6) ** 1.5      # 1.3 x: (5.2, 7.8) -> (5, 8)
    with pytest.raises(TypeError, match=r"zoom\(x, dg\.stop_gradient\(zoom\), \.\.\.\), "
                                        r"which is exact") as info:
        dg.jacobian(lambda p: ndimage.zoom(img, p[0], order=1).ravel(), np.array([1.3]))
    assert "exact derivatives in the zoom" not in str(info.value)
    assert np.array_equal(ndimage.zoom(img, 1.3), ndimage.zoom(img, 1.30001))
    J = dg.jacobian(lambda p: ndimage.zoom(img, dg.stop_gradient(p[0])).ravel() * p[1],
                    np.array([1.3, 1.0]))
    assert np.all(J[:, 0] == 0) and np.any(J[:, 1] != 0)
    with pytest.raises(TypeError, match=r"the centre ctr = .* \(ctr\[0\] \+ np\.cos\(a\)"):
        dg.jacobian(lambda p: ndimage.rotate(img, p[0], reshape=False).ravel(),
                    np.array([10.0]))
