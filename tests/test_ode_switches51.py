"""dg.solve_ivp's switch watch, the holes attack50 10 / 17 found (each a SILENT 0.0 on
73676bd): a switch in a helper shared by several terms of fun (a clamp and a dose on one
np.where line), a jump small against fun's value (a dose beside a large pool), and a
switch whose place does not move though its operands carry partials (p (t - 3) > 0 at
t = 3, refused before).  Oracles: closed forms of linear ODEs with step inputs, and
Richardson central differences of SciPy's solve_ivp split at the switch.  Since ode53 the
doses are exact (located on the trajectory, the term added): the tests that asserted
their refusal assert the closed forms instead."""

import warnings

import numpy as np
import pytest

import dualgrad as dg

pytest.importorskip("scipy")
from scipy.integrate import solve_ivp as scipy_solve_ivp  # noqa: E402

TIGHT = {"rtol": 1e-10, "atol": 1e-12}
K, D = 0.5, 2.0


def _refused(f, x):
    with pytest.raises(TypeError, match="switch whose time moves") as info:
        f(x)
    assert "dg.solve_ivp(f_before" in str(info.value)
    return str(info.value)


def _dose(tlag, t_end, y0=1.0):
    """y' = -K y + D [t > tlag], y(0) = y0: y(T) = e^{-K T} y0 + D / K (1 - e^{-K (T -
    tlag)}), dy(T)/dtlag = -D e^{-K (T - tlag)}."""
    return np.exp(-K * t_end) * y0 + D / K * (1 - np.exp(-K * (t_end - tlag)))


def _ifelse(a, b, x, y):
    """A model language's if-else: one np.where line serving every switch of fun."""
    return np.where(a > b, x, y)


def test_a_helper_shared_by_a_clamp_and_a_dose_is_exact():
    """The clamp max(z, 0) of an oscillating z crosses 0 four times (continuous) before
    the dose at tlag = 12 on the same helper line: the dose was trusted as a clamp
    (0.0 for -D e^{-K (14 - 12)} = -0.7358)."""
    def rhs(t, s, tlag):
        y, z, w = s
        clamp = _ifelse(z, 0.0, z, 0.0)
        dose = _ifelse(t, tlag, D, 0.0)
        return [-K * y + dose, w, -(1.0 + 0.001 * tlag) * z + 0.0 * clamp]

    def f(tlag):
        return dg.solve_ivp(rhs, (0.0, 14.0), [1.0, 1.0, 0.0], args=(tlag,),
                            **TIGHT).y[0, -1]

    assert np.isclose(dg.derivative(f, 12.0), -D * np.exp(-K * 2.0), rtol=1e-8)


def test_a_helper_serving_two_clamps_stays_exact():
    """The same helper line for two moving clamps (no refusal): y_i' = -1 - k max(y_i, 0)
    from y_i(0) = c_i: y_i = (c_i + 1/k) e^{-k t} - 1/k until t* = ln(1 + c_i k) / k, then
    -(t - t*): dy_i(3)/dk = dt*/dk = (c_i / (1 + c_i k) - ln(1 + c_i k) / k) / k."""
    def rhs(t, y, k):
        return [-1.0 - k * _ifelse(y[0], 0.0, y[0], 0.0),
                -1.0 - k * _ifelse(y[1], 0.0, y[1], 0.0)]

    def f(k):
        return dg.solve_ivp(rhs, (0.0, 3.0), [1.0, 2.0], args=(k,), rtol=1e-11,
                            atol=1e-12).y[:, -1]

    k, c = 0.8, np.array([1.0, 2.0])
    want = (c / (1 + c * k) - np.log1p(c * k) / k) / k
    assert np.allclose(dg.derivative(f, k), want, rtol=1e-7)


def test_a_dose_small_against_a_large_pool_is_exact():
    """y0 = 1e11, K = 0.05: fun ~ -5e9 and the dose's jump of 2 is 4e-10 of it (called
    continuous at 1e-9 before: 0.0 for -D e^{-0.05 * 3} = -1.7214).  The jump is read
    from fun's values, whose rounding is ~5e-7 of it: rtol 5e-6."""
    k = 0.05

    def f(tlag):
        return dg.solve_ivp(lambda t, y: -k * y + np.where(t > tlag, D, 0.0), (0.0, 6.0),
                            [1e11], rtol=1e-13, atol=1e-12).y[0, -1]

    assert np.isclose(dg.derivative(f, 3.0), -D * np.exp(-0.15), rtol=5e-6)


def _large_clamped(k, scale=1e11):
    """y' = -k max(y, 0) - scale / 2, y(0) = scale: y / scale is the unit clamp with b =
    1/2: t* = ln(1 + 2 k) / k, dy(5)/dk = scale / 2 dt*/dk."""
    return scale / 2 * ((2 / (1 + 2 * k) - np.log1p(2 * k) / k) / k)


@pytest.mark.parametrize("method", ["RK45", "Radau"])
def test_a_clamp_of_a_large_pool_is_not_refused(method):
    """The rounding-sized jump test passes continuous clamps at fun ~ 1e11."""
    spellings = [lambda t, y, k: -k * np.maximum(y, 0.0) - 0.5e11,
                 lambda t, y, k: -np.where(y > 0, k * y, 0.0) - 0.5e11]
    for rhs in spellings:
        g = dg.derivative(lambda q: dg.solve_ivp(rhs, (0.0, 5.0), [1e11], args=(q,),
                                                 method=method, rtol=1e-11,
                                                 atol=1e-3).y[0, -1], 1.0)
        assert np.isclose(g, _large_clamped(1.0), rtol=1e-6)


def test_the_large_pool_split_matches_the_closed_form_and_scipy():
    """The refusal's split (two calls at tlag) against the closed form and Richardson
    central differences of SciPy's own split solve."""
    k, y0, t_end = 0.05, 1e11, 6.0

    def split(tlag):
        s1 = dg.solve_ivp(lambda t, y: -k * y, (0.0, tlag), [y0], rtol=1e-13, atol=1e-12)
        return dg.solve_ivp(lambda t, y: -k * y + D, (tlag, t_end), s1.y[:, -1],
                            rtol=1e-13, atol=1e-12).y[0, -1]

    def scipy_split(tlag):
        s1 = scipy_solve_ivp(lambda t, y: -k * y, (0.0, tlag), [y0], rtol=1e-13,
                             atol=1e-12)
        return scipy_solve_ivp(lambda t, y: -k * y + D, (tlag, t_end), s1.y[:, -1],
                               rtol=1e-13, atol=1e-12).y[0, -1]

    want = -D * np.exp(-k * (t_end - 3.0))
    assert np.isclose(dg.derivative(split, 3.0), want, rtol=1e-6)
    h = 1e-2
    d1 = (scipy_split(3.0 + h) - scipy_split(3.0 - h)) / (2 * h)
    d2 = (scipy_split(3.0 + 2 * h) - scipy_split(3.0 - 2 * h)) / (4 * h)
    assert np.isclose((4 * d1 - d2) / 3, want, rtol=1e-3)       # (y ~ 1e11: rounding)


@pytest.mark.parametrize("p", [1.0, 0.7])
def test_a_switch_at_a_fixed_time_compared_through_p_is_exact(p):
    """y' = p [p (t - 3) > 0] - K y: the switch sits at t = 3 for every p > 0, where its
    operand p (t - 3) is 0 with a 0 partial (so not recorded there; refused before):
    y(6) = e^{-3 K} + p (1 - e^{-3 K}) / K, dy(6)/dp = (1 - e^{-3 K}) / K."""
    def f(q):
        return dg.solve_ivp(lambda t, y: q * np.where(q * (t - 3.0) > 0, 1.0, 0.0) - K * y,
                            (0.0, 6.0), [1.0], **TIGHT).y[0, -1]

    def plain(q):           # fun returns floats (SciPy's float path): its derivative 0
        return dg.solve_ivp(lambda t, y: -K * y + np.where(q * (t - 3.0) > 0, D, 0.0),
                            (0.0, 6.0), [1.0], **TIGHT).y[0, -1]

    assert np.isclose(dg.derivative(f, p), (1 - np.exp(-3 * K)) / K, rtol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.ComparedOnlyWarning)
        assert dg.derivative(plain, p) == 0.0


def test_a_moving_dose_on_the_float_path_is_exact():
    """The same spelling whose place moves, (t - p) * 2 > 0: dy/dp = -D e^{-3 K} by the
    closed form (the sensitivities alone give 0; refused before ode53)."""
    def f(q):
        return dg.solve_ivp(lambda t, y: -K * y + np.where((t - q) * 2.0 > 0, D, 0.0),
                            (0.0, 6.0), [1.0], **TIGHT).y[0, -1]

    assert np.isclose(dg.derivative(f, 3.0), -D * np.exp(-3 * K), rtol=1e-8)
    assert np.isclose(_dose(3.0, 6.0), dg.solve_ivp(   # (the closed form is the ODE's)
        lambda t, y: -K * y + np.where(t > 3.0, D, 0.0), (0.0, 6.0), [1.0],
        **TIGHT).y[0, -1], rtol=1e-8)


@pytest.mark.parametrize("method", ["RK45", "LSODA"])
def test_doses_at_grid_times_every_comparison_are_exact(method):
    """The crossing is located from the place's own interpolation (two points around
    it, then halvings): a dose at a time on the float grid, by each comparison (>= and
    <= take the dose's side at the tie), refused wherever the located points fall
    before ode53, exact since: -+D e^{-K (6 - tlag)} (a dose before tlag for < and
    <=)."""
    for op in (np.greater, np.greater_equal, np.less, np.less_equal):
        for tlag in (3.0, 2.25, 0.1):
            def f(q):
                return dg.solve_ivp(lambda t, y: -K * y + np.where(op(t, q), D, 0.0),
                                    (0.0, 6.0), [1.0], method=method, **TIGHT).y[0, -1]

            sign = -1.0 if op in (np.greater, np.greater_equal) else 1.0
            assert np.isclose(dg.derivative(f, tlag), sign * D * np.exp(-K * (6.0 - tlag)),
                              rtol=1e-8)


def test_a_dose_met_exactly_at_its_time_by_the_location_is_exact():
    """attack51 13: short steps (max_step 0.01) make the location meet t == p exactly,
    where t > p takes the side before the dose; that tie was read as the far side and
    the dose as continuous (0.0 for -D e^{-K (6 - p)} at p = 3.0, 2.5; RK45, DOP853)."""
    for method in ("RK45", "DOP853"):
        for tlag in (3.0, 2.5):
            def f(q):
                return dg.solve_ivp(lambda t, y: -K * y + np.where(t > q, 1.0, 0.0),
                                    (0.0, 6.0), [1.0], method=method, rtol=1e-8,
                                    atol=1e-10, max_step=0.01).y[0, -1]

            assert np.isclose(dg.derivative(f, tlag), -np.exp(-K * (6.0 - tlag)), rtol=1e-8)


def test_integer_steps_before_the_dose_do_not_vouch_for_it():
    """attack51 09: np.floor(t - p) steps at -4, -3, -2, -1 (continuous: the mask
    np.floor(t - p) >= 0 does not change) used up the trust of the place before the
    dose's step at 0 (0.0 for -D e^{-K (6 - p)} = -0.2346 at p = 4.2)."""
    spellings = [lambda t, y, q: -K * y + np.where(np.floor(t - q) >= 0, 1.0, 0.0),
                 lambda t, y, q: -K * y + 1.0 * np.clip(np.ceil(t - q), 0, 1)]
    for rhs in spellings:
        def f(q):
            return dg.solve_ivp(rhs, (0.0, 6.0), [1.0], args=(q,), rtol=1e-9,
                                atol=1e-11).y[0, -1]

        _refused(lambda q: dg.derivative(f, q), 4.2)


def test_a_gate_opening_after_continuous_crossings_is_exact():
    """attack51 09: a daily switch t mod 24 > p gated by t > 48: its crossings on days 1
    and 2 are continuous (the gate is shut), the one on day 3 a dose; trusted places
    are checked at every crossing (dy(60)/dp = -D e^{-0.3 (60 - 48 - p)}; 0.0 before)."""
    def f(p):
        return dg.solve_ivp(lambda t, y: -0.3 * y + D * np.where(t > 48.0, 1.0, 0.0) *
                            np.where(t % 24.0 > p, 1.0, 0.0), (0.0, 60.0), [1.0],
                            rtol=1e-10, atol=1e-12, max_step=0.5).y[0, -1]

    assert np.isclose(dg.derivative(f, 3.0), -D * np.exp(-0.3 * 9.0), rtol=1e-8)


def test_an_oscillating_clamp_stays_exact_through_many_crossings():
    """y' = max(z, 0) with z = cos(p t) (z'' = -p^2 z): ~16 crossings of the clamp, each
    checked, none refused; dy(20)/dp against Richardson central differences of SciPy's
    solve_ivp at rtol 1e-12."""
    def rhs(t, s, p):
        y, z, w = s
        return [np.maximum(z, 0.0), w, -p * p * z]

    def end(p):
        return dg.solve_ivp(rhs, (0.0, 20.0), [0.0, 1.0, 0.0], args=(p,), rtol=1e-11,
                            atol=1e-12).y[0, -1]

    def scipy_end(p):
        return scipy_solve_ivp(rhs, (0.0, 20.0), [0.0, 1.0, 0.0], args=(p,), rtol=1e-12,
                               atol=1e-13).y[0, -1]

    h = 1e-3
    d1 = (scipy_end(1.3 + h) - scipy_end(1.3 - h)) / (2 * h)
    d2 = (scipy_end(1.3 + 2 * h) - scipy_end(1.3 - 2 * h)) / (4 * h)
    assert np.isclose(dg.derivative(end, 1.3), (4 * d1 - d2) / 3, rtol=1e-6)


def test_a_dosing_table_whose_time_moves_at_second_order_is_refused():
    """attack51 06: np.array([0, D])[np.searchsorted([3 + (p - 1)^2], t)]: at p = 1 the
    dose time's first derivative is 0, its second 2: d2y(6)/dp2 = -2 D e^{-3 K}
    = -0.8925 (the Hessian came back 0.0); the gradient, 0, is given."""
    def f(p):
        knots = np.stack([3.0 + (p - 1.0) ** 2])
        return dg.solve_ivp(lambda t, y: -K * y + np.array([0.0, D])[np.searchsorted(knots, t)],
                            (0.0, 6.0), [1.0], **TIGHT).y[0, -1]

    _refused(lambda p: dg.hessian(f, p), 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.ComparedOnlyWarning)
        assert dg.derivative(f, 1.0) == 0.0


def test_ties_of_other_branches_met_by_the_location():
    """attack51 13's follow-up: np.heaviside(t - p, 0.0) with short steps (its tie at
    t == p takes the side before); attack51 22: a ramp np.maximum(t - p, 0) or
    np.abs(t - p) in a Hessian (the kink's tie takes the midpoint partials): 0.0 for
    -D e^{-K (6 - p)}, and for e^{-K (6 - p)} (2 e^{-K (6 - p)} for abs) in d2y/dp2."""
    def dose(q):
        return dg.solve_ivp(lambda t, y: -K * y + np.heaviside(t - q, 0.0), (0.0, 6.0), [1.0],
                            rtol=1e-8, atol=1e-10, max_step=0.01).y[0, -1]

    assert np.isclose(dg.derivative(dose, 3.0), -np.exp(-K * 3.0), rtol=1e-8)  # (ode53)
    for kink in (lambda u: np.maximum(u, 0.0), np.abs):
        def ramp(q, kink=kink):
            return dg.solve_ivp(lambda t, y: -K * y + kink(t - q), (0.0, 6.0), [1.0],
                                rtol=1e-8, atol=1e-10).y[0, -1]

        _refused(lambda q: dg.hessian(ramp, q), 3.0)


def test_a_solve_stopped_by_its_partials_is_refused():
    # attack51 21: sqrt(max(t - p, 0)) has an integrable infinite slope at t = p; the
    # dual solve stopped there (status -1) and returned y(p) as the end, derivative 0.0
    # (exact -0.7161: central differences of the closed form).  The float solve reaches
    # T (SciPy's status 0), so the failure is the derivatives': refused, naming them.
    k, T, p0 = 0.5, 6.0, 3.1

    def fun(t, y, p):
        return -k * y + np.sqrt(np.maximum(t - p, 0.0))
    plain = scipy_solve_ivp(fun, (0, T), [1.0], args=(p0,), rtol=1e-8, atol=1e-10,
                            max_step=0.01)
    assert plain.status == 0
    with pytest.raises(TypeError, match="integrable singularity"):
        dg.derivative(lambda p: dg.solve_ivp(fun, (0, T), [1.0], args=(p,), rtol=1e-8,
                                             atol=1e-10, max_step=0.01).y[0, -1], p0)


@pytest.mark.parametrize("method", ["RK45", "LSODA"])
def test_a_first_step_longer_than_a_piece_of_the_split_span(method):
    """attack56 05: the span split at a moving dose's time gave each piece the user's
    first_step, which SciPy refuses once it exceeds the piece ("first_step exceeds
    bounds") although it fits the whole span.  Against the closed form
    dy(T)/dp = -D e^(-k (T - p)) of y' = -k y + D [t >= p], y(0) = 0."""
    k, D, T = 0.5, 2.0, 10.0
    for first_step, p in [(3.0, 3.0), (3.0, 9.9), (2.0, 0.5), (0.5, 9.9)]:
        got = dg.derivative(lambda q: dg.solve_ivp(
            lambda t, y: -k * y + D * (t >= q), (0, T), [0.0], method=method,
            first_step=first_step, rtol=1e-10, atol=1e-12).y[0, -1], p)
        np.testing.assert_allclose(got, -D * np.exp(-k * (T - p)), rtol=1e-7)


@pytest.mark.parametrize("spelling", ["where", "product", "python"])
def test_a_continuous_switch_tied_on_an_end_of_the_span_stays_exact(spelling):
    """attack56 27: y' = (t - p) [t >= p] with p on an end of t_span has y(T) smooth in
    p there (dy(T)/dp = -(T - p) on both sides: -T at p = t0 = 0, 0 at p = T), but the
    end-tie refusal and the stepped-over kink check took the tie for a jump and
    refused it.  A jump tied there, D [t >= p], stays refused (tests/test_ode56.py)."""
    T = 10.0
    rates = {"where": lambda t, q: np.where(t >= q, t - q, 0.0),
             "product": lambda t, q: (t - q) * (t >= q),
             "python": lambda t, q: t - q if t >= q else 0.0}[spelling]
    for p in (0.0, T):
        got = dg.derivative(lambda q: dg.solve_ivp(
            lambda t, y: [rates(t, q)], (0.0, T), [0.0], rtol=1e-9, atol=1e-12).y[0, -1], p)
        np.testing.assert_allclose(got, -(T - p), rtol=1e-8, atol=1e-8)
    with pytest.raises(TypeError, match="fixed ends"):
        dg.derivative(lambda q: dg.solve_ivp(
            lambda t, y: [2.0 * (t >= q)], (0.0, T), [0.0]).y[0, -1], 0.0)
