"""dg.quad's and dg.solve_ivp's watches: the silent holes attack54 left (quad55).

attack54 20: a steep smooth step sitting on the moving finite end of an infinite
range (the range is mapped to t in [0, 1], and stop 54's end check ran on finite
ranges only): ``int_p^inf expit(s (x - p)) e^-x dx`` gave -0.2483 (the limit's term
alone) for -0.4966 and ``int_-inf^p tanh(s (p - x)) e^x dx`` 0.0 for 2.0137 from s =
1e5.  Closed forms: with u = x - p (or p - x), I1 = e^-p C(s), I2 = e^p D(s),
C(s) = int_0^inf expit(s u) e^-u du = 1 - ln 2 / s + pi^2 / (12 s^2) - O(s^-4),
D(s) = int_0^inf tanh(s u) e^-u du = 1 - ln 2 / s + pi^2 / (24 s^2) - O(s^-4)
(1 - expit(v) = expit(-v), int_0^inf expit(-v) dv = ln 2, int_0^inf v expit(-v) dv
= pi^2 / 12; 1 - tanh(v) = 2 expit(-2 v)), checked against mpmath below.
"""

import mpmath
import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg

P0 = 0.7


def _C(s):
    return 1 - np.log(2) / s + np.pi ** 2 / (12 * s * s)


def _D(s):
    return 1 - np.log(2) / s + np.pi ** 2 / (24 * s * s)


@pytest.mark.mp_dps(30)
@pytest.mark.parametrize("s", [1e5, 1e6])
def test_the_closed_forms_agree_with_mpmath(s):
    C = mpmath.quad(lambda u: mpmath.exp(-u) / (1 + mpmath.exp(-s * u)),
                    [0, 1 / s, 10 / s, 100 / s, 1, mpmath.inf])
    D = mpmath.quad(lambda u: mpmath.exp(-u) * mpmath.tanh(s * u),
                    [0, 1 / s, 10 / s, 100 / s, 1, mpmath.inf])
    assert float(C) == pytest.approx(_C(s), rel=1e-14)
    assert float(D) == pytest.approx(_D(s), rel=1e-14)


@pytest.mark.parametrize("vectorized", [False, True])
@pytest.mark.parametrize("s", [1e5, 1e6, 1e7])
def test_a_step_on_the_finite_end_of_an_infinite_range_is_split(s, vectorized):
    """attack54 20: exact (was -0.2483 / 0.0 for -0.4966 / 2.0137)."""
    def upper(p):
        return dg.quad(lambda x: sc.expit(s * (x - p)) * np.exp(-x), p, np.inf,
                       vectorized=vectorized)[0]

    def lower(p):
        return dg.quad(lambda x: np.tanh(s * (p - x)) * np.exp(x), -np.inf, p,
                       vectorized=vectorized)[0]
    assert dg.derivative(upper, P0) == pytest.approx(-np.exp(-P0) * _C(s), rel=1e-8)
    assert dg.derivative(lower, P0) == pytest.approx(np.exp(P0) * _D(s), rel=1e-8)


def test_a_step_too_narrow_for_x_s_floats_on_that_end_is_refused():
    """s = 1e9 at x = 0.7: a width of 1e-9, under 1e7 ulps of x (as on finite ranges)."""
    def upper(p):
        return dg.quad(lambda x: sc.expit(1e9 * (x - p)) * np.exp(-x), p, np.inf)[0]
    with pytest.raises(TypeError, match="too narrow for x's floats"):
        dg.derivative(upper, P0)


@pytest.mark.parametrize("s", [1e6, 1e8])
def test_a_step_inside_an_infinite_range_is_split(s):
    """int_0^inf tanh(s (x - p)) e^-x dx: d/dp = -int s sech^2(s (x - p)) e^-x dx
    = -2 e^-p (1 + pi^2 / (6 s^2) + ...) (was refused as an infinite range); over
    the real line with e^{-x^2}: -2 e^{-p^2} (1 + O(s^-2))."""
    def half(p):
        return dg.quad(lambda x: np.tanh(s * (x - p)) * np.exp(-x), 0.0, np.inf)[0]

    def line(p):
        return dg.quad(lambda x: np.tanh(s * (x - p)) * np.exp(-x * x), -np.inf,
                       np.inf)[0]
    assert dg.derivative(half, P0) == pytest.approx(-2 * np.exp(-P0), rel=1e-8)
    assert dg.derivative(line, P0) == pytest.approx(-2 * np.exp(-P0 ** 2), rel=1e-8)


def test_a_resolved_step_on_the_end_is_unchanged():
    """s = 1e2: the nodes resolve it (a control, exact before too)."""
    s = 1e2

    def upper(p):
        return dg.quad(lambda x: sc.expit(s * (x - p)) * np.exp(-x), p, np.inf,
                       epsabs=1e-12, epsrel=1e-12)[0]
    C = float(mpmath.quad(lambda u: mpmath.exp(-u) / (1 + mpmath.exp(-s * u)),
                          [0, 1 / s, 10 / s, 1, mpmath.inf]))
    assert dg.derivative(upper, P0) == pytest.approx(-np.exp(-P0) * C, rel=1e-9)


# dg.solve_ivp: arccosh(x + 0j)'s second branch point x = -1 (stop 54's table named the
# cut's end, 1, alone): -y + Re arccosh(t - p + 0j) over (0, 2) at p = 1.1 crosses it
# at t = 0.1, where d/dx Re arccosh(x) = -1 / sqrt(x^2 - 1) (x < -1) is infinite;
# 5b74835 returned 0.0580 for 0.0642 at rtol 1e-3 (the exact value: int_0^0.1
# e^{-(2 - t)} / sqrt((t - p)^2 - 1) dt, SciPy's quad below)

def _arccosh_end(p, rtol, span=(0.0, 2.0)):
    return dg.solve_ivp(lambda t, y: -y + np.arccosh(t - p + 0j).real, span,
                        np.array([1.0]), rtol=rtol, atol=rtol * 1e-3).y[0, -1]


def test_the_arccosh_premise():
    from scipy.integrate import quad, solve_ivp
    p0 = 1.1
    exact = quad(lambda t: np.exp(-(2 - t)) / np.sqrt((t - p0) ** 2 - 1), 0.0, p0 - 1,
                 epsabs=1e-13, epsrel=1e-12, limit=200)[0]

    def scipy_end(p):
        return solve_ivp(lambda t, y: -y + np.arccosh(t - p + 0j).real, (0.0, 2.0),
                         [1.0], rtol=1e-3, atol=1e-6).y[0, -1]
    h = 1e-4
    fd = (scipy_end(p0 + h) - scipy_end(p0 - h)) / (2 * h)
    assert exact == pytest.approx(0.0642110264, rel=1e-8)
    assert abs(fd - exact) > 0.05 * abs(exact)


@pytest.mark.parametrize("rtol", [1e-3, 1e-8])
def test_arccosh_s_branch_point_at_minus_one_is_refused_inside_the_span(rtol):
    with pytest.raises(TypeError, match="arccosh of a complex argument.*branch point"):
        dg.derivative(lambda p: _arccosh_end(p, rtol), 1.1)


def test_arccosh_off_its_branch_points_stays_exact():
    """x = t - p in (-3, -1.5) over (0, 1.5) at p = 3: d y(1.5) / dp = int_0^1.5
    e^{-(1.5 - t)} / sqrt((p - t)^2 - 1) dt (Re arccosh(x) = arccosh(-x) there)."""
    from scipy.integrate import quad
    p0 = 3.0
    exact = quad(lambda t: np.exp(-(1.5 - t)) / np.sqrt((p0 - t) ** 2 - 1), 0.0, 1.5,
                 epsabs=1e-13, epsrel=1e-12)[0]
    got = dg.derivative(lambda p: _arccosh_end(p, 1e-10, (0.0, 1.5)), p0)
    assert got == pytest.approx(exact, rel=1e-6)


def test_arccosh_in_dg_quad_across_minus_one_is_refused():
    """int_0^2 Re arccosh(x - p + 0j) dx at p = 1.5 crosses -1 at x = 0.5: 5b74835 met
    a NaN partial there (an IntegrationWarning, a NaN derivative); now refused by the
    branch watch, naming arccosh (the exact value: Re arccosh(-p) - Re arccosh(2 - p) =
    arccosh(1.5) = 0.9624)."""
    def area(p):
        return dg.quad(lambda x: np.arccosh(x - p + 0j).real, 0.0, 2.0)[0]
    with pytest.raises(TypeError, match="arccosh"):
        dg.derivative(area, 1.5)


# attack54 16: smooth steps written by hand (compositions, no row of the rule table):
# int_0^2 g(s (x - p)) dx, d/dp = g(-s p) - g(s (2 - p)) (closed form).  Where the step
# lies between an end and the first node (p = 1e-3) or between two intervals' outer nodes
# (a bisection's midpoint on it: p = 0.5, 1, 0.25), each rule saw a constant: 5b74835
# gave -3.6e-10 / -4.6e-10 / 0.0 for -2, silently.

_HAND = {
    "z / sqrt(1 + z^2)": lambda z: z / np.sqrt(1 + z * z),
    "z / hypot(1, z)": lambda z: z / np.hypot(1.0, z),
}


def _hand_area(g, s, vectorized=False):
    return lambda p: dg.quad(lambda x: g(s * (x - p)), 0.0, 2.0, vectorized=vectorized)[0]


@pytest.mark.parametrize("vectorized", [False, True])
@pytest.mark.parametrize("p", [1e-3, 0.25, 0.5, 1.0, 1.5])
@pytest.mark.parametrize("name", list(_HAND))
def test_a_hand_written_sigmoid_between_nodes_is_split(name, p, vectorized):
    g = _HAND[name]
    s = 1e8
    exact = g(-s * p) - g(s * (2 - p))
    assert dg.derivative(_hand_area(g, s, vectorized), p) == pytest.approx(exact, rel=5e-8)


def test_tanh_written_as_a_logistic_is_split():
    """2 / (1 + exp(-2 z)) - 1 at s = 1e5, p = 1e-3: 5b74835 gave -4.2e-99 for -2."""
    def g(z):
        return 2 / (1 + np.exp(-2 * z)) - 1
    with np.errstate(over="ignore"):
        got = dg.derivative(_hand_area(g, 1e5), 1e-3)
    assert got == pytest.approx(-2.0, rel=1e-8)


def test_the_logistic_form_past_exp_s_range_is_not_silent():
    """At s = 1e8 exp(-2 z) overflows beside the place (its partial inf / inf, NaN) once
    the split's nodes reach it: NaN with dg.quad's IntegrationWarning, never a number
    (5b74835: 0.0 for -2, no warning)."""
    import warnings

    def g(z):
        return 2 / (1 + np.exp(-2 * z)) - 1
    with warnings.catch_warnings(record=True) as seen, np.errstate(over="ignore"):
        warnings.simplefilter("always")
        try:
            got = dg.derivative(_hand_area(g, 1e8), 1e-3)
        except TypeError:
            return
    assert np.isnan(got)
    assert any("non-finite" in str(w.message) for w in seen)


@pytest.mark.parametrize("s, p", [(1e10, 0.25), (1e10, 0.5), (1e12, 0.5), (1e12, 1.999)])
def test_a_hand_written_sigmoid_beyond_x_s_floats_is_refused(s, p):
    """Width 1 / s under 1e7 ulps of x: 5b74835 gave ~1e-13 for -2; a first version of
    the split gave -1.0 (a bracket's midpoint on the place read as its width)."""
    with pytest.raises(TypeError, match="steep changes"):
        dg.derivative(_hand_area(_HAND["z / sqrt(1 + z^2)"], s), p)


def test_a_fixed_sigmoid_between_nodes_keeps_its_value():
    """p g(1e8 (x - 0.5)) does not move: d/dp = int_0^2 g dx = 1.5 - 0.5 (to 1e-8)."""
    g = _HAND["z / sqrt(1 + z^2)"]
    got = dg.derivative(lambda p: dg.quad(lambda x: p * g(1e8 * (x - 0.5)), 0.0, 2.0)[0],
                        0.7)
    assert got == pytest.approx(1.0, rel=1e-7)


@pytest.mark.parametrize("case", ["log", "sqrt", "smooth"])
def test_singular_and_smooth_ends_are_not_gaps(case):
    """Controls: int_0^1 p log x dx = -p, int_0^1 sqrt(x) e^{-p x}, int_0^3 e^{-p x} x."""
    import scipy.integrate as si
    if case == "log":
        assert dg.derivative(lambda p: dg.quad(lambda x: p * np.log(x), 0.0, 1.0)[0],
                             0.7) == pytest.approx(-1.0, rel=1e-9)
    elif case == "sqrt":
        exact = -si.quad(lambda x: x * np.sqrt(x) * np.exp(-0.7 * x), 0, 1,
                         epsabs=1e-14, epsrel=1e-13)[0]
        got = dg.derivative(lambda p: dg.quad(lambda x: np.sqrt(x) * np.exp(-p * x), 0.0,
                                              1.0)[0], 0.7)
        assert got == pytest.approx(exact, rel=1e-9)
    else:
        p = 0.7     # d/dp int_0^3 x e^{-p x} dx = -int_0^3 x^2 e^{-p x} dx
        exact = -(2 - np.exp(-3 * p) * ((3 * p) ** 2 + 2 * 3 * p + 2)) / p ** 3
        got = dg.derivative(lambda q: dg.quad(lambda x: x * np.exp(-q * x), 0.0, 3.0)[0], p)
        assert got == pytest.approx(exact, rel=1e-9)


# attack55 01: a finite-support cdf of a small scale, int_0^2 F((x - p) / s) dx, d/dp =
# F(-p / s) - F((2 - p) / s) = -1 (closed form): its rise after the support's end (width
# ~ s) lay inside one interval narrower than the value's tolerance (a jump of 1 within
# it), between two of its nodes: 5b74835 gave 0.0 / -1.7e-9 / -8.9e-241 for -1, silently

def _cdfs():
    import dualgrad.scipy.stats as ds
    return {
        "expon": lambda x, p, s: ds.expon.cdf(x, p, s),
        "gamma(1.5)": lambda x, p, s: ds.gamma.cdf(x, 1.5, p, s),
        "weibull_min(2)": lambda x, p, s: ds.weibull_min.cdf(x, 2.0, p, s),
        "lognorm(0.5)": lambda x, p, s: ds.lognorm.cdf(x, 0.5, p, s),
        "beta(2, 3)": lambda x, p, s: ds.beta.cdf(x, 2.0, 3.0, p, s),
        "uniform": lambda x, p, s: ds.uniform.cdf(x, p, s),
    }


@pytest.mark.parametrize("s", [1e-10, 1e-11])
@pytest.mark.parametrize("name", ["expon", "gamma(1.5)", "weibull_min(2)", "lognorm(0.5)",
                                  "beta(2, 3)", "uniform"])
def test_a_narrow_finite_support_cdf_is_not_silent(name, s):
    """Exact (-1 to 1e-6) or refused by name; never a number off by more."""
    F = _cdfs()[name]
    try:
        got = dg.derivative(lambda p: dg.quad(lambda x: F(x, p, s), 0.0, 2.0)[0], 0.3)
    except TypeError as e:
        assert "steep" in str(e) or "smooth step" in str(e)
        return
    assert got == pytest.approx(-1.0, rel=1e-6)
