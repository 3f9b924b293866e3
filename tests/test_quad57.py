"""dg.quad's holes left by stop 56 (quad57): attack56 11 (the value changed where a
partial is NaN), 22 (a 0-d object array as func's result), 06b (a moving jump tied on a
fixed end), 25 (a partial's integrable cusp at second order), 26 (a partial's rounding
noise taken for a steep change).

Oracles: SciPy's quad of the float integrand and of the analytic partials, closed
forms, mpmath at 50 digits."""

import warnings

import mpmath
import numpy as np
import pytest
import scipy.integrate as si
import scipy.special as ssp
from scipy.integrate import IntegrationWarning

import dualgrad as dg


def _quiet(f, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*args)


# -- attack56 11: a logistic-normal integral, the sigmoid written by hand -------------

def _logit_normal(x, p):
    return np.exp(-x * x / 2) / (1 + np.exp(-(x - p)))


@pytest.mark.parametrize("a, b", [(-800.0, 800.0), (-np.inf, np.inf), (-np.inf, 0.0)])
def test_value_is_scipys_where_a_partial_is_nan(a, b):
    # past x ~ -709 exp(-(x - p)) overflows: the quotient's partial is -inf / inf (NaN)
    # where the value underflowed to 0; the value must still be SciPy's (45.137 for
    # 0.997570 on [-800, 800] before), the partial NaN with the warning naming expit
    ref = _quiet(si.quad, lambda x: _logit_normal(x, 0.5), a, b)[0]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        v, g = dg.value_and_grad(
            lambda q: dg.quad(lambda x: _logit_normal(x, q), a, b)[0])(0.5)
    assert abs(v - ref) <= 1e-9 * abs(ref)
    assert np.isnan(g)
    assert any(issubclass(x.category, IntegrationWarning) and "expit" in str(x.message)
               for x in w)


def test_logistic_normal_derivative_where_nothing_overflows():
    # control: [-40, 40], and the whole line with scipy.special.expit
    ref = si.quad(lambda x: -np.exp(-x * x / 2) * ssp.expit(x - 0.5) *
                  (1 - ssp.expit(x - 0.5)), -np.inf, np.inf, epsabs=1e-14)[0]
    g = dg.derivative(lambda q: dg.quad(lambda x: _logit_normal(x, q), -40.0, 40.0)[0],
                      0.5)
    assert g == pytest.approx(ref, rel=1e-9)
    import dualgrad.scipy.special as dss
    g = dg.derivative(lambda q: dg.quad(lambda x: np.exp(-x * x / 2) * dss.expit(x - q),
                                        -np.inf, np.inf)[0], 0.5)
    assert g == pytest.approx(ref, rel=1e-8)


# -- attack56 22: func returning a 0-d object array -----------------------------------

@pytest.mark.parametrize("wrap", [np.array, np.asarray,
                                  lambda v: np.array(v, dtype=object)])
def test_zero_d_object_array_result(wrap):
    # d/dp int_0^1 p x dx = 1/2
    d = dg.derivative(lambda p: dg.quad(lambda x: wrap(p * x), 0, 1)[0], 2.0)
    assert d == pytest.approx(0.5, rel=1e-13)


def test_zero_d_object_array_moving_limit_second_order():
    # int_0^p p x^2 dx = p^4 / 3: second derivative 4 p^2 (the limit's term calls func
    # on a dual x)
    f = lambda p: dg.quad(lambda x: np.array(p * x * x), 0.0, p)[0]
    assert dg.derivative(lambda u: dg.derivative(f, u), 1.5) == \
        pytest.approx(4 * 1.5 ** 2, rel=1e-12)


# -- attack56 06b: a moving jump tied on a fixed end ----------------------------------

_JUMPS = {
    "[x >= p]": lambda x, q: 1.0 * (x >= q),
    "[x > p]": lambda x, q: 1.0 * (x > q),
    "(1 + p) [x >= p]": lambda x, q: (1 + q) * (x >= q),
    "if x >= p": lambda x, q: 1.0 + 0 * q if x >= q else 0.0 * q,
    "heaviside(x - p, 1)": lambda x, q: np.heaviside(x - q, 1.0),
    "(sign(x - p) + 1) / 2": lambda x, q: (np.sign(x - q) + 1) / 2,
}


def _one_sided(F, p, h=1e-4):
    # SciPy's quad of the float integrand at p -+ h, split at the place: the two
    # difference quotients (the premise: they differ, a kink of the integral in p)
    I = lambda q: si.quad(lambda x: float(F(x, q)), 0.0, 2.0,
                          points=[q] if 0 < q < 2 else None)[0]
    return (I(p) - I(p - h)) / h, (I(p + h) - I(p)) / h


@pytest.mark.parametrize("p", [0.0, 2.0])
@pytest.mark.parametrize("name", list(_JUMPS))
def test_jump_tied_on_a_fixed_end_is_refused(name, p):
    F = _JUMPS[name]
    left, right = _one_sided(F, p)
    assert abs(left - right) > 0.5          # premise
    with pytest.raises(TypeError, match="fixed ends"):
        dg.derivative(lambda q: dg.quad(lambda x: F(x, q), 0.0, 2.0)[0], p)


@pytest.mark.parametrize("p", [0.0, 2.0])
def test_jump_tied_on_a_fixed_end_vectorized_and_infinite(p):
    with pytest.raises(TypeError, match="fixed ends"):
        dg.derivative(lambda q: dg.quad(lambda x: np.where(x >= q, 1.0, 0.0) + 0 * q,
                                        0.0, 2.0, vectorized=True)[0], p)
    with pytest.raises(TypeError, match="fixed ends"):
        dg.derivative(lambda q: dg.quad(lambda x: np.exp(-x) * (x >= q), 0.0,
                                        np.inf)[0], 0.0)


_KINKS = {
    "where(x >= p, x - p, 0)": lambda x, q: np.where(x >= q, x - q, 0.0),
    "(x - p) [x >= p]": lambda x, q: (x - q) * (x >= q),
    "if x >= p: x - p": lambda x, q: (x - q) if x >= q else 0.0 * q,
    "max(x - p, 0)": lambda x, q: np.maximum(x - q, 0.0),
    "(x - p) heaviside(x - p, 0.5)": lambda x, q: (x - q) * np.heaviside(x - q, 0.5),
}


@pytest.mark.parametrize("p", [0.0, 2.0])
@pytest.mark.parametrize("name", list(_KINKS))
def test_continuous_switch_tied_on_an_end_is_exact(name, p):
    # int_0^2 (x - p)_+ dx = (2 - p)^2 / 2 on [0, 2]: d/dp -(2 - p), both sides
    F = _KINKS[name]
    d = dg.derivative(lambda q: dg.quad(lambda x: F(x, q), 0.0, 2.0)[0], p)
    assert d == pytest.approx(-(2 - p), abs=1e-12)


def test_jump_off_the_ends():
    # int_p^2 [x >= 1] dx = 1 at p = 0.5, int_0^2p [x >= 1] dx = 2 p - 1 (a fixed jump,
    # moving limits): 0 and 2; a moving jump
    # inside the fixed range is refused by the watch's own message, as before
    d = dg.derivative(lambda q: dg.quad(lambda x: 1.0 * (x >= 1.0) + 0 * q, q, 2.0)[0],
                      0.5)
    assert d == pytest.approx(0.0, abs=1e-12)
    d = dg.derivative(lambda q: dg.quad(lambda x: 1.0 * (x >= 1.0) + 0 * q, 0.0, 2.0 *
                                        q)[0], 0.75)
    assert d == pytest.approx(2.0, abs=1e-12)
    with pytest.raises(TypeError, match="stay put"):
        dg.derivative(lambda q: dg.quad(lambda x: 1.0 * (x >= q), 0.0, 2.0)[0], 0.7)


# -- attack56 25: a partial's integrable cusp at second order -------------------------

_CUSPS = {
    "((x - p)**2)**0.75": lambda x, q: ((x - q) ** 2) ** 0.75,
    "np.power((x - p)**2, 0.75)": lambda x, q: np.power((x - q) ** 2, 0.75),
    "np.abs(x - p)**1.5": lambda x, q: np.abs(x - q) ** 1.5,
}


@pytest.mark.parametrize("name", list(_CUSPS))
def test_second_derivative_through_an_integrable_cusp(name):
    # d2/dp2 int_0^2 |x - p|^1.5 dx = int 0.75 |x - p|^-0.5 dx = 1.5 (sqrt p + sqrt(2 - p))
    F, p = _CUSPS[name], 0.7
    I = lambda q: dg.quad(lambda x: F(x, q), 0.0, 2.0)[0]
    d1 = dg.derivative(I, p)
    d2 = _quiet(dg.derivative, lambda u: dg.derivative(I, u), p)
    assert d1 == pytest.approx(-((2 - p) ** 1.5 - p ** 1.5), rel=1e-9)
    assert d2 == pytest.approx(1.5 * (np.sqrt(p) + np.sqrt(2 - p)), rel=1e-8)


def test_hessian_through_an_integrable_cusp():
    # I(p, s) = s int_0^2 |x - p|^1.5 dx: H = [[s I2, I1], [I1, 0]], I1 = d/dp, I2 = d2/dp2
    p, s = 0.7, 1.3
    I1 = -((2 - p) ** 1.5 - p ** 1.5)
    I2 = 1.5 * (np.sqrt(p) + np.sqrt(2 - p))
    H = _quiet(dg.hessian, lambda q: dg.quad(lambda x: q[1] * np.abs(x - q[0]) ** 1.5,
                                             0.0, 2.0)[0], np.array([p, s]))
    np.testing.assert_allclose(H, [[s * I2, I1], [I1, 0.0]], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("a", [1.5, 1.75])
def test_second_derivative_through_a_weighted_cusp(a):
    # exp(-x) |x - p|^a: SciPy's quad of the analytic second partial, split at p
    p = 0.7
    ref = si.quad(lambda x: np.exp(-x) * a * (a - 1) * abs(x - p) ** (a - 2), 0, 2,
                  points=[p], limit=200, epsabs=1e-13)[0]
    I = lambda q: dg.quad(lambda x: np.exp(-x) * np.abs(x - q) ** a, 0.0, 2.0)[0]
    d2 = _quiet(dg.derivative, lambda u: dg.derivative(I, u), p)
    assert d2 == pytest.approx(ref, rel=1e-8)


def test_kinks_and_divergent_partials_still_refused():
    p = 0.7
    second = lambda I: dg.derivative(lambda u: dg.derivative(I, u), p)
    # |x - p| (quad56's touch): the first partial jumps, d2 holds a delta term
    with pytest.raises(TypeError, match="stay put"):
        _quiet(second, lambda q: dg.quad(lambda x: np.sqrt((x - q) ** 2), 0.0, 2.0)[0])
    # |x - p|^1.25: the partial's |x - p|^-0.75 does not converge by bisection
    with pytest.raises(TypeError, match="stay put"):
        _quiet(second, lambda q: dg.quad(lambda x: np.exp(-x) * np.abs(x - q) ** 1.25,
                                         0.0, 2.0)[0])
    # a jump beside the cusp: |x - p|^1.5 + 1e-5 |x - p| (d2's delta term 2e-5)
    with pytest.raises(TypeError, match="stay put"):
        _quiet(second, lambda q: dg.quad(lambda x: np.abs(x - q) ** 1.5 + 1e-5 *
                                         np.abs(x - q), 0.0, 2.0)[0])
    # third order of |x - p|^1.5: its second partial |x - p|^-0.5 is no cusp
    I = lambda q: dg.quad(lambda x: ((x - q) ** 2) ** 0.75, 0.0, 2.0)[0]
    with pytest.raises(TypeError, match="stay put"):
        _quiet(dg.derivative, lambda v: dg.derivative(
            lambda u: dg.derivative(I, u), v), p)


# -- attack56 26: a partial's rounding noise far out on a smooth tail -----------------

@mpmath.workdps(50)
def _tail_derivatives(gp, P, s, w):
    # d/dp int_0^w g((x - p) / s) dx = -(g(z_w) - g(z_0)); d2 = (g'(z_w) - g'(z_0)) / s
    z = lambda x: (mpmath.mpf(x) - mpmath.mpf(P)) / mpmath.mpf(s)
    g = lambda t: t / mpmath.sqrt(1 + t * t)
    return (float(-(g(z(w)) - g(z(0)))), float((gp(z(w)) - gp(z(0))) / mpmath.mpf(s)))


@pytest.mark.parametrize("spelling", ["sqrt", "hypot"])
@pytest.mark.parametrize("w", [1e-9, 1e-6])
def test_smooth_far_tail_second_derivative(spelling, w):
    P, s = 0.3, 1e-6
    g = (lambda z: z / np.sqrt(1 + z * z)) if spelling == "sqrt" else \
        (lambda z: z / np.hypot(1, z))
    d1, d2 = _tail_derivatives(lambda t: (1 + t * t) ** mpmath.mpf(-1.5), P, s, w)
    h = lambda p: dg.quad(lambda x: g((x - p) / s), 0.0, w)[0]
    got1 = dg.derivative(h, P)
    got2 = dg.derivative(lambda q: dg.derivative(h, q), P)
    # the partials' own rounding (the quotient rule's cancellation 3e5 widths out)
    assert got1 == pytest.approx(d1, rel=1e-4)
    assert got2 == pytest.approx(d2, rel=1e-4)


# -- attack57 10: an overflow edge where func's value underflows is no jump -----------

def test_overflow_edge_with_an_underflowed_value_is_named():
    # the Fermi-Dirac integral int_0^inf x^2 / (1 + e^(x - p)) dx: d/dp = -2 Li2(-e^p);
    # past x ~ 710 exp overflows, the value is 0 and the quotient's partial inf / inf;
    # the refusal names the underflow and expit (it said "a jump of func there")
    p = 0.7
    exact = float(-2 * mpmath.polylog(2, -mpmath.e ** p))
    g = lambda x, q: x ** 2 / (1 + np.exp(x - q))
    assert dg.derivative(lambda q: dg.quad(lambda x: g(x, q), 0.0, 50.0)[0], p) == \
        pytest.approx(exact, rel=1e-9)
    with pytest.raises(TypeError, match="partials finite wherever its value is") as err:
        _quiet(dg.derivative, lambda q: dg.quad(lambda x: g(x, q), 0.0, np.inf)[0], p)
    assert "expit" in str(err.value) and "jump" not in str(err.value)
