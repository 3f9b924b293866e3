"""dg.solve_ivp's switches that flip together where a moving one crosses (ode55).

y' = -k y + D [t >= p] + g(t), y(0) = 1: at p = 4 a fixed switch of g flipping at
t = 4 too.  The crossing's term is each switch's own jump times its own crossing's
motion, so d y(10)/dp = -D e^{-k (10 - p)} whatever g's switch does there (a fixed
crossing does not move); two lags at p == q each carry their own dose's term.  Each
switch's jump is read by flipping it alone (its comparison's result set on the
crossing's before side).  Where the jumps do not add (``D [t >= p] [t >= q]``, whose
y(10) has a kink in (p, q) at p == q: the one-sided derivatives differ) the refusal
stands.  Oracles: the closed forms, the one-sided differences of the closed form
(the kink), SciPy's solve_ivp at rtol 1e-12 with central differences over p (three
switches).  All but the controls fail on 5b74835 (refused there).
"""

import numpy as np
import pytest

import dualgrad as dg

pytest.importorskip("scipy")
from scipy.integrate import solve_ivp as scipy_solve_ivp  # noqa: E402

K, D, T = 0.5, 2.0, 10.0
TIGHT = {"rtol": 1e-11, "atol": 1e-12}


def _grid(methods, names, one):
    """The (method, name) cases of a test: every name under each method, except the
    methods ``one`` maps to a single name: their other names reached no line of dualgrad
    that this file's other tests miss (sys.settrace over every case; fastci62: RK23,
    fused engine; fastci65: Radau, both engines, bench/line_trace.py).  Radau's cases
    cost 4-6x RK45's: the eight left out ~11 s CPU in the fused half, ~7 s in the eager
    one (bench/halves_ab.sh)."""
    return [(method, name) for method in methods for name in names
            if one.get(method, name) == name]


def _end(g, method, p):
    return dg.solve_ivp(lambda t, y: -K * y + np.where(t >= p, D, 0.0) + g(t),
                        (0.0, T), [1.0], method=method, **TIGHT).y[0, -1]


_FIXED = {
    # attack54 18: continuous at t = 4 (the kink written with np.where; no jump at all)
    "where kink": lambda t: np.where(t >= 4.0, t - 4.0, 0.0),
    "where no jump": lambda t: np.where(t >= 4.0, 1.0, 1.0),
    "python if kink": lambda t: (t - 4.0) if t >= 4.0 else 0.0 * t,
    # a fixed dose at the lag's time: its jump is its own, its crossing does not move
    "fixed dose": lambda t: np.where(t >= 4.0, 1.0, 0.0),
    "fixed heaviside": lambda t: 3.0 * np.heaviside(t - 4.0, 1.0),
}


@pytest.mark.parametrize("method, name", _grid(["RK45", "Radau", "LSODA"], sorted(_FIXED),
                                               {"Radau": "fixed dose"}))
def test_a_fixed_switch_at_the_moving_crossing_takes_no_term(method, name):
    """attack54 18 (refused on 5b74835 as "2 switches flipping together"): d y(10)/dp =
    -D e^{-k (10 - p)} at p = 4 (closed form)."""
    d = dg.derivative(lambda p: _end(_FIXED[name], method, p), 4.0)
    assert np.isclose(d, -D * np.exp(-K * (T - 4.0)), rtol=1e-7)


def test_the_kink_control_was_exact_before():
    """The control: np.maximum's spelling of the same kink (no comparison recorded at
    first order) was exact on 5b74835 and stays so."""
    d = dg.derivative(lambda p: _end(lambda t: 0.1 * np.maximum(t - 4.0, 0.0), "RK45", p),
                      4.0)
    assert np.isclose(d, -D * np.exp(-K * (T - 4.0)), rtol=1e-7)


_TWO = {
    "np.where": lambda t, p, q: 2.0 * np.where(t >= p, 1.0, 0.0) + np.where(t >= q, 1.0, 0.0),
    "heaviside": lambda t, p, q: 2.0 * np.heaviside(t - p, 1.0) + np.heaviside(t - q, 1.0),
    "comparisons": lambda t, p, q: 2.0 * (t >= p) + 1.0 * (t > q),
    "python if": lambda t, p, q: (2.0 if t >= p else 0.0) + (1.0 if q <= t else 0.0),
}


# RK23 and RK45 take the same path (_ode_pieces' replayed steps); Radau's heaviside case
# is the one Radau case reaching lines (17) that no other case does.
@pytest.mark.parametrize("method, name", _grid(
    ["RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA"], sorted(_TWO),
    {"RK23": "comparisons", "Radau": "heaviside"}))
def test_two_lags_at_one_value_each_carry_their_own_jump(method, name):
    """Two moving doses 2 [t >= p] + 1 [t >= q] at p == q = 4 (refused on 5b74835;
    LSODA failed there in a piece a few ulps long even where refusal was lifted, and
    its float path read Python's t >= p beside t > q as a ramp until the crossing
    found continuous was read with its neighbours):
    d y(10)/d(p, q) = [-2 e^{-k (10 - p)}, -e^{-k (10 - q)}] (closed form)."""
    def end(v):
        return dg.solve_ivp(lambda t, y: -K * y + _TWO[name](t, v[0], v[1]), (0.0, T),
                            [1.0], method=method, **TIGHT).y[0, -1]
    g = dg.gradient(end, np.array([4.0, 4.0]))
    assert np.allclose(g, [-2.0 * np.exp(-K * (T - 4.0)), -np.exp(-K * (T - 4.0))],
                       rtol=1e-7)


def test_three_switches_at_one_time_against_scipy_split_by_hand():
    """A nonlinear system, three switches at t = 4: two lags p == q and a fixed one,
    y' = -k y^2 + 2 [t >= p] + [t > q] + 3 [t >= 4], y(0) = 1.  Oracle: SciPy's solve_ivp
    split by hand at the two times (rtol 1e-12), central differences over p and over q
    (each lag moved alone: the jumps add, so y(10) is differentiable there)."""
    def split(p, q):
        times = sorted({0.0, p, q, 4.0, T})
        y = [1.0]
        for a, b in zip(times[:-1], times[1:]):
            mid = 0.5 * (a + b)
            force = 2.0 * (mid >= p) + 1.0 * (mid > q) + 3.0 * (mid >= 4.0)
            y = scipy_solve_ivp(lambda t, y: -0.5 * y ** 2 + force, (a, b), y,
                                rtol=1e-12, atol=1e-13).y[:, -1]
        return y[0]
    h = 1e-4
    fd = [(split(4.0 + h, 4.0) - split(4.0 - h, 4.0)) / (2 * h),
          (split(4.0, 4.0 + h) - split(4.0, 4.0 - h)) / (2 * h)]

    def end(v):
        p, q = v
        return dg.solve_ivp(lambda t, y: -0.5 * y ** 2 + 2.0 * (t >= p) + 1.0 * (t > q) +
                            3.0 * (t >= 4.0), (0.0, T), [1.0], **TIGHT).y[0, -1]
    assert np.allclose(dg.gradient(end, np.array([4.0, 4.0])), fd, rtol=1e-5)


_KINKED = {
    "product": lambda t, p, q: 2.0 * np.where(t >= p, 1.0, 0.0) * np.where(t >= q, 1.0, 0.0),
    "and": lambda t, p, q: np.where((t >= p) & (t >= q), 2.0, 0.0),
    "fixed factor": lambda t, p, q: np.where(t >= p, 2.0, 0.0) * np.where(t >= 4.0, 1.0, 2.0),
}


@pytest.mark.parametrize("name", sorted(_KINKED))
def test_switches_whose_jumps_do_not_add_stay_refused(name):
    """D [t >= p] [t >= q] at p == q: y(10) depends on max(p, q), the one-sided
    derivatives in p differ (closed form's differences: -D e^{-k (10 - p)} from above, 0
    from below; the fixed factor's 2 D from below, D from above): refused, naming the
    switches.  Apart (q = 6) exact: -D e^{-k (10 - 6)} in q for the product."""
    def dose(p):
        return 2.0 / K * (1 - np.exp(-K * (T - p)))
    if name != "fixed factor":
        h = 1e-6        # (the premise: the kink, from the closed form of y(10) in max(p, q))
        up, down = (dose(4.0 + h) - dose(4.0)) / h, (dose(4.0) - dose(4.0)) / h
        assert abs(up - down) > 0.05     # (-0.0996 from above, 0 from below)

    def end(v):
        return dg.solve_ivp(lambda t, y: -K * y + _KINKED[name](t, v[0], v[1]), (0.0, T),
                            [1.0], **TIGHT).y[0, -1]
    with pytest.raises(TypeError, match="switches flipping together at t = 4.0"):
        dg.gradient(end, np.array([4.0, 4.0]))
    if name != "fixed factor":
        g = dg.gradient(end, np.array([4.0, 6.0]))
        assert np.allclose(g, [0.0, -2.0 * np.exp(-K * (T - 6.0))], atol=1e-8)


@pytest.mark.parametrize("method", ["RK45", "Radau"])
def test_a_python_and_that_skips_the_fixed_switch_is_refused(method):
    """attack55 07: ``D if (t >= p and t >= 4) else 0`` switches at max(p, 4), a kink
    in p at p = 4 (one-sided derivatives 0 and -D e^{-k (10 - 4)}).  Python's ``and``
    skips ``t >= 4`` before the crossing, so only p's switch was seen flipping:
    -0.0996 on 5b74835, no warning.  Refused now (``t >= 4`` recorded on one side only,
    its place as near 0 as p's); p = 3.9 gives the closed form's 0 (the switch at 4),
    and the control ``t >= 1`` beside it -D e^{-k (10 - 4)}."""
    def end(p, fixed):
        return dg.solve_ivp(lambda t, y: -K * y + (D if (t >= p and t >= fixed) else 0.0),
                            (0.0, T), [0.0], method=method, **TIGHT).y[0, -1]
    with pytest.raises(TypeError, match="switches flipping together at t = 4.0"):
        dg.derivative(lambda p: end(p, 4.0), 4.0)
    assert dg.derivative(lambda p: end(p, 4.0), 3.9) == 0.0
    assert np.isclose(dg.derivative(lambda p: end(p, 1.0), 4.0),
                      -D * np.exp(-K * (T - 4.0)), rtol=1e-7)


@pytest.mark.parametrize("method, spelling", _grid(
    ["RK45", "Radau", "LSODA"], ["comparisons", "np.where"], {"Radau": "comparisons"}))
def test_jumps_that_cancel_in_fun_keep_the_moving_term(method, spelling):
    """attack55 07: ``D [t >= p] - D [t >= 4]`` at p = 4: fun's value does not jump at
    t = 4 (the two jumps cancel), yet y(10) moves with p by -D e^{-k (10 - p)} (closed
    form; smooth in p).  0.0 on 5b74835 (with a ComparedOnlyWarning on the float path);
    the moving comparison found continuous is read with the others at its crossing,
    and followed where they flip with it.  Also with fun's values dual (k moving):
    d/dk = -10 e^{-10 k} there (closed form)."""
    F = {"comparisons": lambda t, p: D * (t >= p) - D * (t >= 4.0),
         "np.where": lambda t, p: np.where(t >= p, D, 0.0) - np.where(t >= 4.0, D, 0.0)}[
        spelling]
    d = dg.derivative(lambda p: dg.solve_ivp(lambda t, y: -K * y + F(t, p), (0.0, T),
                                             [0.0], method=method, **TIGHT).y[0, -1], 4.0)
    assert np.isclose(d, -D * np.exp(-K * (T - 4.0)), rtol=1e-7)
    g = dg.gradient(lambda v: dg.solve_ivp(lambda t, y: -v[1] * y + F(t, v[0]), (0.0, T),
                                           [1.0], method=method, **TIGHT).y[0, -1],
                    np.array([4.0, K]))
    assert np.allclose(g, [-D * np.exp(-K * (T - 4.0)), -T * np.exp(-K * T)], rtol=1e-7)
