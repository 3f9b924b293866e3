"""dg.quad / dg.solve_ivp at kinks on fixed ends and at moving limits (kinks59).

attack58 16: a comparison continuous at first order (``np.where(x >= p, x - p, 0)``,
Python's ``max``) tied on a fixed end is a kink at second order; attack58 15: the kink's
other side read inside the range where func is undefined outside (``sqrt(x)``); attack58
18: dg.solve_ivp's kinks tied on t0 at second order; attack58 09: a switch continuous at
a moving limit (a call payoff over ``[K, inf)``); attack58 07: a dual ``wvar=``.

Oracles: closed forms of the integrals (and of the linear ODE's solution, by variation
of constants) on each side of the tie; SciPy's lognorm.cdf for the payoff.
"""

import numpy as np
import pytest
import scipy.integrate as si
import scipy.stats as ss

import dualgrad as dg

_D2 = "derivatives of second order"


def _d2(F, p):
    return dg.derivative(lambda u: dg.derivative(F, u), p)


def _quad_d2(g, p, a=0.0, b=3.0):
    return _d2(lambda q: dg.quad(lambda x: g(x, q), a, b)[0], p)


# -- attack58 16: comparisons tied on a fixed end at second order -------------------

_RELU = {
    "np.where": lambda x, p: np.where(x >= p, x - p, 0.0),
    "indicator": lambda x, p: (x - p) * (x >= p),
    "builtin max": lambda x, p: max(x - p, 0.0),
    "heaviside": lambda x, p: np.heaviside(x - p, 1.0) * (x - p),
    "np.where >": lambda x, p: np.where(x > p, x - p, 0.0),
}


def _one_sided_relu(p, side):
    # int_0^3 relu(x - p) dx: (3 - p)^2 / 2 for 0 <= p <= 3, 4.5 - 3 p for p <= 0
    return 1.0 if side > 0 else 0.0


@pytest.mark.parametrize("name", sorted(_RELU))
def test_relu_spelled_by_a_comparison_on_the_lower_end_is_refused(name):
    assert _one_sided_relu(0.0, +1) != _one_sided_relu(0.0, -1)     # (the premise)
    with pytest.raises(TypeError, match=_D2):
        _quad_d2(_RELU[name], 0.0)


@pytest.mark.parametrize("name", sorted(_RELU))
def test_relu_spelled_by_a_comparison_on_the_upper_end_is_refused(name):
    # int_0^3 relu(p - x) dx: p^2 / 2 below 3 (I'' = 1), 3 p - 4.5 above (I'' = 0)
    g = _RELU[name]
    with pytest.raises(TypeError, match=_D2):
        _quad_d2(lambda x, p: g(p, x), 3.0)


_SQUARED = {
    "np.where": lambda x, p: np.where(x >= p, (x - p) ** 2, 0.0),
    "indicator": lambda x, p: (x - p) ** 2 * (x >= p),
    "builtin max": lambda x, p: max(x - p, 0.0) ** 2,
    "np.maximum": lambda x, p: np.maximum(x - p, 0.0) ** 2,
}


@pytest.mark.parametrize("name", sorted(_SQUARED))
@pytest.mark.parametrize("p, exact", [(0.0, 6.0), (3.0, 0.0)])
@pytest.mark.filterwarnings("ignore::dualgrad.ComparedOnlyWarning")   # (p = 3: 0 on [0, 3])
def test_a_switch_with_continuous_partials_on_an_end_stays_exact(name, p, exact):
    # int_0^3 relu(x - p)^2 dx: (3 - p)^3 / 3 on [0, 3], ((3 - p)^3 - (-p)^3) / 3 below,
    # 0 above: I'' = 2 (3 - p) on [0, 3] (6 at 0 from both sides, 0 at 3 from both)
    assert _quad_d2(_SQUARED[name], p) == pytest.approx(exact, rel=1e-9, abs=1e-9)


# -- attack58 15: func undefined outside the range -----------------------------------

@pytest.mark.parametrize("g, p", [
    (lambda x, p: (1 + np.sqrt(x)) * np.abs(x - p), 0.0),
    (lambda x, p: (1 + np.sqrt(3 - x)) * np.abs(x - p), 3.0),
    (lambda x, p: (2 + np.sqrt(x)) * np.maximum(x - p, 0.0), 0.0),
    (lambda x, p: (1 + np.sqrt(x)) * np.where(x >= p, x - p, 0.0), 0.0),
])
def test_a_kink_on_an_end_where_func_is_nan_outside_is_refused(g, p):
    # (1 + sqrt(x)) |x - p| at p = 0: I'' = 2 (1 + sqrt(p)) -> 2 from above, 0 from below
    with np.errstate(invalid="ignore"):
        assert np.isnan(g(-1e-6, p) if p == 0.0 else g(3 + 1e-6, p))    # (the premise)
    with pytest.raises(TypeError, match=_D2):
        _quad_d2(g, p)


def test_a_smooth_enough_kink_beside_a_square_root_stays_exact():
    # int_0^3 sqrt(x) relu(x - p)^3 dx at p = 0: I'' = int_0^3 6 sqrt(x) x dx
    # = 6 * 3^2.5 / 2.5 (C^2 across the end)
    got = _quad_d2(lambda x, p: np.sqrt(x) * np.maximum(x - p, 0.0) ** 3, 0.0)
    assert got == pytest.approx(6 * 3 ** 2.5 / 2.5, rel=1e-9)


def test_a_cusp_weighted_by_sqrt_on_the_end_stays_exact():
    # int_0^3 sqrt(x) |x - p| dx: I''(p) = 2 sqrt(p) above 0, 0 below: continuous, 0
    got = _quad_d2(lambda x, p: np.sqrt(x) * np.abs(x - p), 0.0)
    assert got == pytest.approx(0.0, abs=1e-6)


# -- attack58 18: dg.solve_ivp's kink tied on t0 at second order ---------------------

def _ode_d2(rhs, p, T=3.0):
    return _d2(lambda q: dg.solve_ivp(lambda t, y: [-y[0] + rhs(t, q)], (0.0, T), [1.0],
                                      rtol=1e-10, atol=1e-12).y[0, -1], p)


@pytest.mark.parametrize("rhs", [lambda t, p: np.maximum(t - p, 0.0),
                                 lambda t, p: np.abs(t - p),
                                 lambda t, p: np.minimum(p - t, 0.0)])
def test_an_ode_kink_tied_on_t0_is_refused_at_second_order(rhs):
    # y(T) = e^-T + int_0^T e^-(T - s) g(s - p) ds: d2/dp2 for relu is e^-(T - p)
    # above p = 0 and 0 below (abs: 2 e^-(T - p) and 0)
    with pytest.raises(TypeError, match="no second derivative"):
        _ode_d2(rhs, 0.0)


@pytest.mark.parametrize("rhs, exact", [
    (lambda t, p: np.maximum(t - p, 0.0) ** 2, 2 * (1 - np.exp(-3.0))),
    (lambda t, p: np.abs(t - p) ** 3, 6 * (2 + np.exp(-3.0))),
])
def test_an_ode_kink_with_continuous_partials_on_t0_stays_exact(rhs, exact):
    # relu^2: d2/dp2 = 2 int_0^T e^-(T - s) ds; |s - p|^3: 6 int_0^T e^-(T - s) s ds
    assert _ode_d2(rhs, 0.0) == pytest.approx(exact, rel=1e-7)


def test_an_ode_kink_at_first_order_on_t0_stays_exact():
    # d/dp y(T) for relu(t - p) at p = 0: -int_0^T e^-(T - s) ds from either side
    got = dg.derivative(lambda q: dg.solve_ivp(
        lambda t, y: [-y[0] + np.maximum(t - q, 0.0)], (0.0, 3.0), [1.0], rtol=1e-10,
        atol=1e-12).y[0, -1], 0.0)
    assert got == pytest.approx(-(1 - np.exp(-3.0)), rel=1e-7)


# -- attack58 09: a switch continuous at a moving limit ------------------------------

def _pdf(s):
    return np.exp(-0.5 * np.log(s) ** 2 / 0.04) / (s * 0.2 * np.sqrt(2 * np.pi))


_PAYOFF = {
    "indicator": lambda s, k: (s - k) * (s > k) * _pdf(s),
    "np.where": lambda s, k: np.where(s > k, s - k, 0.0) * _pdf(s),
    "builtin max": lambda s, k: max(s - k, 0.0) * _pdf(s),
    "np.where >=": lambda s, k: np.where(s >= k, s - k, 0.0) * _pdf(s),
}


@pytest.mark.parametrize("name", sorted(_PAYOFF))
@pytest.mark.parametrize("K", [0.8, 1.05])
def test_a_call_payoff_over_strike_to_infinity_is_exact(name, K):
    g = _PAYOFF[name]
    got = dg.derivative(lambda k: dg.quad(lambda s: g(s, k), k, np.inf)[0], K)
    assert got == pytest.approx(-(1 - ss.lognorm.cdf(K, 0.2)), rel=1e-9)


@pytest.mark.parametrize("g, b, exact", [
    (lambda x, b: (b - x) * (x < b), 1.5, 1.5),            # I = b^2 / 2
    (lambda x, b: np.where(x <= b, (b - x) ** 2, 0.0), 1.5, 2.25),  # I = b^3 / 3
    (lambda x, b: min(x, b), 1.5, 1.5),                    # I = b^2 / 2
])
def test_a_switch_continuous_at_a_moving_upper_limit_is_exact(g, b, exact):
    got = dg.derivative(lambda q: dg.quad(lambda x: g(x, q), 0.0, q)[0], b)
    assert got == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize("g", [
    lambda s, k: (s > k) * _pdf(s),                    # f(K+) = pdf(K), f(K) = 0
    lambda s, k: np.where(s >= k, 1.0, 0.0) * _pdf(s) * (s - k + 1.0),
    lambda s, k: (s - k + 0.5) * _pdf(s) if s > k else 0.0,
])
def test_a_jump_at_a_moving_limit_stays_refused(g):
    above, below = g(1.05 + 1e-9, 1.05), g(1.05 - 1e-9, 1.05)
    assert abs(above - below) > 0.1         # (the premise: func jumps at the limit)
    with pytest.raises(TypeError, match="take one side at a limit that moves"):
        dg.derivative(lambda k: dg.quad(lambda s: g(s, k), k, np.inf)[0], 1.05)


def test_a_payoff_at_second_order_stays_refused():
    # d2/dK2 = pdf(K) needs f's slope at the limit, which jumps (1 above, 0 below)
    with pytest.raises(TypeError, match="take one side at a limit that moves"):
        _d2(lambda k: dg.quad(lambda s: _PAYOFF["indicator"](s, k), k, np.inf)[0], 1.05)


# -- attack58 07: a dual wvar= ------------------------------------------------------

def test_a_dual_wvar_names_the_weight_written_into_func():
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda w: dg.quad(lambda x: np.exp(-x), 0, 2, weight="cos",
                                        wvar=w)[0], 1.6)
    text = str(info.value)
    assert "a dual in wvar=" in text and "Multiply the weight into func" in text
    assert "scipy.integrate.quad converts" not in text
    # the fix it names is exact (SciPy's weighted quad, central differences)
    got = dg.derivative(lambda w: dg.quad(lambda x: np.exp(-x) * np.cos(w * x), 0, 2)[0],
                        1.6)

    def F(w):
        return si.quad(lambda x: np.exp(-x), 0, 2, weight="cos", wvar=w,
                       epsabs=1e-14)[0]
    assert got == pytest.approx((F(1.6 + 1e-5) - F(1.6 - 1e-5)) / 2e-5, rel=1e-8)


# -- attack59 06: a C^1 comparison on t0 at second order (was refused) ---------------

@pytest.mark.parametrize("rhs, exact", [
    (lambda t, p: np.where(t >= p, (t - p) ** 2, 0.0), 2 * (1 - np.exp(-3.0))),
    (lambda t, p: np.heaviside(t - p, 1.0) * (t - p) ** 2, 2 * (1 - np.exp(-3.0))),
    (lambda t, p: np.where(t >= p, (t - p) ** 3, 0.0), 6 * (2 + np.exp(-3.0))),
])
def test_an_ode_switch_with_continuous_partials_on_t0_is_exact_at_second_order(rhs, exact):
    # relu(t - p)^2 spelled by a comparison: y(T) is C^2 in p at p = t0 (see above)
    assert _ode_d2(rhs, 0.0) == pytest.approx(exact, rel=1e-7)


@pytest.mark.parametrize("rhs", [lambda t, p: 2.0 * (t >= p),
                                 lambda t, p: np.where(t >= p, t - p, 0.0),
                                 lambda t, p: np.heaviside(t - p, 1.0) * (t - p)])
def test_an_ode_switch_whose_partials_jump_on_t0_stays_refused(rhs):
    # 2 [t >= p]: dy(T)/dp = -2 e^-(T - p) above p = 0, 0 below; relu: d2 e^-T / 0
    with pytest.raises(TypeError, match="span's fixed ends"):
        _ode_d2(rhs, 0.0)


# -- attack59 01 / 02: rounding steps tied on a fixed end ---------------------------

_ROUND_STEPS = {
    "floor": lambda u: np.clip(np.floor(u + 1), 0, 1),
    "ceil": lambda u: np.clip(np.ceil(u), 0, 1),
    "trunc": lambda u: np.clip(np.trunc(u + 1), 0, 1),
    "floor_divide": lambda u: np.clip((u + 1) // 1, 0, 1),
    "rint": lambda u: np.clip(np.rint(u + 0.5), 0, 1),
    "round": lambda u: np.clip(np.round(u + 0.5), 0, 1),
}


@pytest.mark.parametrize("name", sorted(_ROUND_STEPS))
@pytest.mark.parametrize("p", [0.0, 3.0])
def test_a_rounding_step_on_a_fixed_end_of_quad_is_refused(name, p):
    # int_0^3 [x >= p] (1 + x) dx: slope -(1 + p) from inside the range, 0 from outside
    # (rint / round: their step at x - p = 0 too; at p = 0 also a step inside the range)
    s = _ROUND_STEPS[name]
    assert s(1e-9) == 1.0 and s(-1e-9) == 0.0           # (the premise: the step at 0)
    with pytest.raises(TypeError, match="jumps whose places move|branches to stay put"):
        dg.derivative(lambda q: dg.quad(lambda x: s(x - q) * (1 + x), 0.0, 3.0)[0], p)


@pytest.mark.parametrize("name, p", [("ceil", 3.0), ("rint", 3.0), ("round", 3.0),
                                     ("trunc", 0.0), ("floor", 0.0)])
def test_a_rounding_step_on_a_fixed_end_of_solve_ivp_is_refused(name, p):
    # y' = -y + s(t - p): dy(T)/dp = -e^-(T - p) from inside the span, 0 from outside
    s = _ROUND_STEPS[name]
    with pytest.raises(TypeError, match="span's fixed ends"):
        dg.derivative(lambda q: dg.solve_ivp(lambda t, y: [-y[0] + s(t - q)], (0.0, 3.0),
                                             [1.0], rtol=1e-10, atol=1e-12).y[0, -1], p)


def test_a_fixed_rounding_step_on_an_end_stays_exact():
    # int_0^3 floor(x) q dx = 3 q: floor's steps at the ends do not move
    got = dg.derivative(lambda q: dg.quad(lambda x: np.floor(x) * q, 0.0, 3.0)[0], 0.5)
    assert got == pytest.approx(3.0, rel=1e-12)



# -- attack59 09: a continuous wrap tied on a fixed end (a regression of 276eeae) -----

_WRAPS = {
    "%": lambda x, p: np.sin(2 * np.pi * ((x - p) % 1.0)),
    "np.floor": lambda x, p: np.sin(2 * np.pi * ((x - p) - np.floor(x - p))),
    "//": lambda x, p: np.sin(2 * np.pi * ((x - p) - (x - p) // 1.0)),
    "np.trunc": lambda x, p: np.sin(2 * np.pi * ((x - p + 5) - np.trunc(x - p + 5))),
}


@pytest.mark.parametrize("name", sorted(_WRAPS))
@pytest.mark.parametrize("p", [0.0, 3.0])
def test_a_continuous_wrap_on_a_fixed_end_stays_exact(name, p):
    # int_0^3 sin(2 pi ((x - p) mod 1)) dx = 0 for every p (whole periods): I' = 0; the
    # wrap's other side differs by sin(2 pi) = -2.4e-16, a rounding
    g = _WRAPS[name]
    got = dg.derivative(lambda q: dg.quad(lambda x: g(x, q), 0.0, 3.0)[0], p)
    assert abs(got) < 1e-13


def test_a_wrap_on_the_lower_end_times_a_weight_is_exact():
    # I'(0) = -2 pi int_0^3 x^2 cos(2 pi x) dx = -3 / pi
    got = dg.derivative(lambda q: dg.quad(
        lambda x: x ** 2 * np.sin(2 * np.pi * ((x - q) % 1.0)), 0.0, 3.0)[0], 0.0)
    assert got == pytest.approx(-3 / np.pi, rel=1e-12)


# -- attack59 10: a sawtooth phase spelled u - floor(u), fmod, modf inside the span ------

_PHASES = {
    "%": lambda u: u % 1.0,
    "u - np.floor(u)": lambda u: u - np.floor(u),
    "np.fmod": lambda u: np.fmod(u + 10, 1.0),
    "np.modf": lambda u: np.modf(u + 10)[0],
}


@pytest.mark.parametrize("name", sorted(_PHASES))
def test_a_sawtooth_phase_inside_the_span_is_exact_at_a_tight_tolerance(name):
    # y' = -y + sin(2 pi frac(t - p)) = -y + sin(2 pi (t - p)): dy(T)/dp =
    # -2 pi int_0^T e^-(T - s) cos(2 pi (s - p)) ds (SciPy's quad of the closed form)
    phase, T, p = _PHASES[name], 3.0, 0.3
    got = dg.derivative(lambda q: dg.solve_ivp(
        lambda t, y: [-y[0] + np.sin(2 * np.pi * phase(t - q))], (0.0, T), [1.0],
        rtol=1e-10, atol=1e-12).y[0, -1], p)
    exact = -2 * np.pi * si.quad(lambda s: np.exp(-(T - s)) * np.cos(2 * np.pi * (s - p)),
                                 0.0, T, epsabs=1e-14, epsrel=1e-13, limit=200)[0]
    assert got == pytest.approx(exact, rel=1e-8)


def test_a_staircase_inside_the_span_stays_refused():
    # np.floor(t - p) jumps by 1 at t = p + k: y(T) moves with p by the jumps' terms
    with pytest.raises(TypeError, match="branches to stay put"):
        dg.derivative(lambda q: dg.solve_ivp(
            lambda t, y: [-y[0] + np.floor(t - q)], (0.0, 3.0), [1.0], rtol=1e-10,
            atol=1e-12).y[0, -1], 0.3)
