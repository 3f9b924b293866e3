"""scipy.special.wofz (Faddeeva's w) and voigt_profile against mpmath.

The oracles are mpmath's: w(z) = exp(-z**2) erfc(-i z) at 40 digits, differentiated
by ``mpmath.diff`` (holomorphic: along the real axis), and the Voigt profile
Re w((x + i gamma) / (sigma sqrt 2)) / (sigma sqrt(2 pi)) from it; at sigma = 0,
SciPy's Lorentzian gamma / (pi (x**2 + gamma**2)) and the heat equation's
d2V/dsigma2 = d2V/dx2 (V(x, sigma) is the Lorentzian smoothed by a Gaussian of
variance sigma**2).
"""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

sc = pytest.importorskip("scipy.special")
pytestmark = pytest.mark.mp_dps(40)   # (tests/conftest.py)


def _w(z):
    return mp.exp(-z * z) * mp.erfc(-1j * z)


def _voigt(x, s, g):
    return mp.re(_w((x + 1j * g) / (s * mp.sqrt(2)))) / (s * mp.sqrt(2 * mp.pi))


def _close(got, want, rtol, what=""):
    got, want = np.asarray(got), np.asarray(want)
    err = np.abs(got - want)
    assert np.all(err <= rtol * np.abs(want)), (what, got, want, err / np.abs(want))


# inside |z| <= 6 (2 i / sqrt(pi) - 2 z w), beyond it in both half planes (the
# continued fraction: the cancelling form lost 2e-8 relative at 1e4 + 1j and every
# digit at -1e8 + 1e3j), on the real axis and near it.  Just inside |z| = 6 near the
# real axis w' is ~70 times smaller than 2 z w and the form cancels: 2.1e-13 relative
# at 5.9 + 0.5j (the bound RTOL; the fraction, 1.6e-10 off at |z| = 5, is worse there)
RTOL = 3e-13
POINTS = [0.3 + 0.4j, -1.2 + 0.0j, 2.5 - 1.5j, 5.9 + 0.5j, 7.0 + 0.1j, -6.5 - 0.3j,
          30.0 - 0.5j, 1e4 + 1j, 1e4 + 0j, -1e8 + 1e3j, 1e3j, 8j, -3.0 + 6.5j,
          # just inside the upper diagonal, where |exp(-z**2)| ~ 1 but the fraction
          # misses nothing: the near form cancelled ~|z|**2 ulps there (attack27)
          100.0 * (1 + 1e-12) + 100j, 1e4 * (1 + 1e-15) + 1e4j, 7.0 + 2.0j]


def test_wofz_holomorphic_jacobian_against_mpmath():
    z = np.array(POINTS)
    want = np.array([complex(mp.diff(_w, mp.mpc(v))) for v in z])
    got = dg.jacobian(sc.wofz, z, holomorphic=True)
    _close(np.diag(got), want, RTOL)
    np.testing.assert_array_equal(got - np.diag(np.diag(got)), 0.0)


@pytest.mark.parametrize("z", POINTS[:8])
def test_wofz_scalar_derivative_and_second_derivative(z):
    d1 = dg.derivative(sc.wofz, z, holomorphic=True)
    d2 = dg.derivative(lambda t: dg.derivative(sc.wofz, t, holomorphic=True), z,
                       holomorphic=True)
    _close(d1, complex(mp.diff(_w, mp.mpc(z))), RTOL, "w'")
    # w'' = -2 w - 2 z w' differentiated: the near form's cancellation squared where
    # w's exponential part is kept (6.9e-12 at 5.9 + 0.5j, 4e-12 at 7 + 0.1j)
    _close(d2, complex(mp.diff(_w, mp.mpc(z), 2)), 2e-11, "w''")


def test_wofz_of_a_real_dual_has_complex_partials():
    """w of a real x is complex; its derivative along x is w'(x), Re and Im parts
    against central differences of the two real functions of x."""
    x = np.array([-2.0, 0.3, 1.7, 8.0])
    J = dg.jacobian(sc.wofz, x)
    want = [complex(mp.diff(_w, mp.mpf(v))) for v in x]
    _close(np.diag(J), want, RTOL)
    assert J.dtype.kind == "c"


# (3, 1e-3, 0.5) and (2, 1e-6, 0.3): a Lorentzian line with a thin Gaussian, u far out,
# where w + u w' (d/dsigma) cancelled to 7e-11 relative and to every digit
VOIGT = [(0.7, 1.3, 0.4), (-2.5, 0.5, 3.0), (1.1, 2.0, 0.0), (0.0, 0.8, 1e-3),
         (40.0, 0.3, 0.2), (3.0, 1e-3, 0.5), (2.0, 1e-6, 0.3)]


def _voigt_gradient(p):
    p = [mp.mpf(v) for v in p]
    return [float(mp.diff(lambda t: _voigt(*(p[:k] + [t] + p[k + 1:])), p[k]))
            for k in range(3)]


def _voigt_hessian(p):
    p = tuple(mp.mpf(v) for v in p)
    return np.array([[float(mp.diff(_voigt, p, tuple(int(i == r) + int(i == c)
                                                      for i in range(3))))
                      for c in range(3)] for r in range(3)])


def _voigt_p(p):
    return sc.voigt_profile(p[0], p[1], p[2])


@pytest.mark.parametrize("p", VOIGT)
def test_voigt_gradient_and_hessian_against_mpmath(p):
    p = np.array(p)
    _close(dg.grad(_voigt_p)(p), _voigt_gradient(p), 1e-12, "gradient")
    H = dg.hessian(_voigt_p, p)
    want = _voigt_hessian(p)
    np.testing.assert_allclose(H, want, rtol=1e-9, atol=1e-12 * np.abs(want).max())


@pytest.mark.parametrize("p", [(1.002, 0.01, 1.0), (1.0 + 1e-5, 3e-3, 1.0),
                               (1.0 + 1e-8, 1e-4, 1.0)])
def test_voigt_just_above_gamma_against_mpmath(p):
    """attack27: x slightly above gamma puts u = (x + i gamma) / (sigma sqrt 2) just
    inside the upper diagonal, where |exp(-u**2)| ~ 1 made the rows take the near form,
    which cancels ~|u|**2 ulps: d2V/dsigma2 was -0.027 for +0.159 at sigma = 3e-3, and
    d/dsigma 0 for 1.6e-5 at sigma = 1e-4.  Against mpmath, to the largest entry."""
    p = np.array(p)
    g, want = dg.grad(_voigt_p)(p), np.array(_voigt_gradient(p))
    np.testing.assert_allclose(g, want, rtol=1e-12, atol=1e-13 * np.abs(want).max())
    H, want = dg.hessian(_voigt_p, p), _voigt_hessian(p)
    np.testing.assert_allclose(H, want, rtol=1e-9, atol=1e-12 * np.abs(want).max())


def test_voigt_arrays_of_lines_against_mpmath():
    """A spectroscopy model: a line's amplitude, centre, sigma and gamma."""
    x = np.linspace(-4.0, 5.0, 9)
    p0 = np.array([2.0, 0.4, 0.9, 0.6])

    def model(p):
        return p[0] * sc.voigt_profile(x - p[1], p[2], p[3])

    J = dg.jacobian(model, p0)
    for i, xi in enumerate(x):
        g = _voigt_gradient((xi - p0[1], p0[2], p0[3]))
        want = [sc.voigt_profile(xi - p0[1], p0[2], p0[3]), -p0[0] * g[0], p0[0] * g[1],
                p0[0] * g[2]]
        _close(J[i], want, 1e-12, f"row {i}")


def test_voigt_at_gamma_zero_is_the_gaussians():
    """gamma = 0: SciPy's Gaussian branch; d/dx and d/dsigma are the Gaussian's, and
    d/dgamma the formula's (analytic through gamma = 0)."""
    x, s = 0.9, 1.4
    g = dg.grad(_voigt_p)(np.array([x, s, 0.0]))
    gauss = np.exp(-x * x / (2 * s * s)) / (s * np.sqrt(2 * np.pi))
    _close(g[:2], [-x / (s * s) * gauss, (x * x / s ** 3 - 1 / s) * gauss], 1e-14)
    _close(g[2], _voigt_gradient((x, s, 0.0))[2], 1e-13)


def test_voigt_at_sigma_zero_is_the_lorentzians_with_the_limit_in_sigma():
    x, g = 0.7, 0.4
    q = x * x + g * g
    grad = dg.grad(_voigt_p)(np.array([x, 0.0, g]))
    _close(grad, [-2 * x * g / (np.pi * q * q), 0.0, (x * x - g * g) / (np.pi * q * q)],
           1e-15)
    # d2V/dsigma2 at 0 is the Lorentzian's d2/dx2 (the heat equation), the one-sided
    # limit of the profile's: against mpmath's second difference from sigma > 0
    H = dg.hessian(_voigt_p, np.array([x, 0.0, g]))
    lxx = float(mp.diff(lambda t: g / (mp.pi * (t * t + g * g)), x, 2))
    _close(H[1, 1], lxx, 1e-14)
    _close(H[0, 0], lxx, 1e-14)
    near = _voigt_hessian((x, 1e-4, g))
    np.testing.assert_allclose(H[1, 1], near[1, 1], rtol=1e-6)
    np.testing.assert_array_equal([H[0, 1], H[1, 2]], 0.0)


def test_voigt_where_scipy_gives_inf_has_nan_derivatives():
    with np.errstate(all="ignore"):
        g = dg.grad(_voigt_p)(np.array([0.0, 0.0, 0.0]))
    assert np.isnan(g).all()


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_voigt_elementwise_on_both_engines(engine):
    x = np.linspace(-3.0, 3.0, 13)
    with dg.engine(engine):
        got = dg.elementwise_grad(lambda t: sc.voigt_profile(t, 0.8, 0.5))(x)
    want = [_voigt_gradient((v, 0.8, 0.5))[0] for v in x]
    _close(got, want, 1e-12)


def test_voigt_refuses_a_complex_dual():
    z = dg.Dual(np.array([1.0 + 1j]), np.ones((1, 1)))
    with pytest.raises(TypeError):
        sc.voigt_profile(z, 1.0, 0.5)


def test_the_reused_w_is_the_callers_own():
    """voigt_profile's derivatives reuse w(u) of the latest array (rules._table._w):
    each caller gets its own copy, and another u gets its own w."""
    from dualgrad.rules import _table
    z = np.array([0.3 + 0.4j, 7.0 + 2.0j, -2.0 + 0.1j])
    first = _table._w(z)
    first[:] = 0.0
    np.testing.assert_array_equal(_table._w(z), sc.wofz(z))
    np.testing.assert_array_equal(_table._w(z[::-1].copy()), sc.wofz(z[::-1]))


def _voigt_far_gradient(x, s, g):
    """d/dx, d/dsigma, d/dgamma of V from w's asymptotic series, V = Re F, F = i / (pi
    zeta) (1 + s**2 / zeta**2 + 3 s**4 / zeta**4) (beyond |zeta| = 1e100 its next term
    is ~1e-600 relative), differentiated by hand: F holomorphic in zeta = x + i gamma."""
    zeta = mp.mpc(x, g)
    slope = 1j / mp.pi * (-zeta ** -2 - 3 * s ** 2 * zeta ** -4 - 15 * s ** 4 * zeta ** -6)
    in_s = 1j / mp.pi * (2 * s * zeta ** -3 + 12 * s ** 3 * zeta ** -5)
    return [mp.re(slope), mp.re(in_s), mp.re(1j * slope)]


@pytest.mark.parametrize("p", [(1e101, 1.0, 1.0), (1e101, 1.0, 1e101), (-3e150, 2.0, 0.5),
                               (1e120, 0.0, 1e120), (2e102, 1e90, 3e102), (1e300, 1.0, 1.0)])
def test_voigt_gradient_beyond_1e100_against_mpmath(p):
    """attack27: NaN derivatives at x = 1e300 (inf - inf, inf * 0 in the far form's
    products of three zeta-sized factors, from |zeta| ~ 1e102 on the diagonal); against
    the asymptotic series' derivatives in mpmath (subnormal ones to 1e-320)."""
    want = np.array([float(w) for w in _voigt_far_gradient(*(mp.mpf(v) for v in p))])
    got = dg.gradient(lambda q: sc.voigt_profile(q[0], q[1], q[2]), np.array(p))
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-320)


def test_voigt_and_wofz_derivatives_at_infinity_are_the_limit_zero():
    """V = 0 and w = 0 at |x| = inf (and at 1e300, to the last bit): every derivative
    0, the limit, first and second (they were NaN)."""
    import warnings
    for p in ([np.inf, 1.0, 1.0], [-np.inf, 1.0, 0.0], [np.inf, 0.0, 2.0], [1e300, 1.0, 0.0],
              [1e300, 1e-3, 1e300]):
        p = np.array(p)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            g = dg.gradient(lambda q: sc.voigt_profile(q[0], q[1], q[2]), p)
            H = dg.hessian(lambda q: sc.voigt_profile(q[0], q[1], q[2]), p)
        np.testing.assert_array_equal(g, 0.0)
        np.testing.assert_array_equal(H, 0.0)
    for z in (np.inf, complex(np.inf, 1.0), 1e300 + 1e300j, 1e300j, -1e300 + 1e299j):
        J = dg.jacobian(lambda v: sc.wofz(v[0] + 1j * v[1]), np.array([z.real, z.imag]))
        np.testing.assert_array_equal(J, 0.0)


@pytest.mark.parametrize("z", [1e120 * (1 + 1j), -3e101 + 2e101j, 5e150 - 1e150j])
def test_wofz_slope_beyond_1e100_against_mpmath(z):
    """w' = -w / z (1 + O(z**-2)) beyond |z| = 1e100; against the derivative of the
    asymptotic series i / (sqrt(pi) z) (1 + 1 / (2 z**2)) in mpmath."""
    zm = mp.mpc(z.real, z.imag)
    want = complex(1j / mp.sqrt(mp.pi) * (-zm ** -2 - 1.5 * zm ** -4))
    J = dg.jacobian(lambda v: sc.wofz(v[0] + 1j * v[1]), np.array([z.real, z.imag]))
    np.testing.assert_allclose(J, [want, 1j * want], rtol=1e-13)
