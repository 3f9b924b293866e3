"""dg.solve_ivp's right-hand sides that switch where the parameters move the switch (a
dose at t = tlag, a bang-bang control, a state crossing a threshold; attack49 21): the
sensitivities integrated beside the state lose the jump's term (f_before - f_after)
dc/dp; stop 50 refused them, naming the split, and since ode53 the crossing is located
on the trajectory and the term added (one call, exact: the same closed forms as the
split spellings, two calls at a moving time or a terminal event), and Hessians keep the
refusal.  The split spellings against closed forms and central differences of SciPy's
split solve.  Continuous clamps of the state (np.where(y > 0, k y, 0),
np.maximum) and switches at fixed times are not refused (closed forms)."""

import threading

import numpy as np
import pytest

import dualgrad as dg

pytest.importorskip("scipy")
from scipy.integrate import solve_ivp as scipy_solve_ivp  # noqa: E402

TIGHT = {"rtol": 1e-10, "atol": 1e-12}
METHODS = ["RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA"]


def _refused(f, x, *more):
    with pytest.raises(TypeError, match="switch whose time moves") as info:
        f(x)
    text = str(info.value)
    assert "dualgrad.solve_ivp" in text and "dg.solve_ivp(f_before" in text
    for piece in more:
        assert piece in text
    return text


def test_a_dose_at_a_moving_time_is_refused_and_the_split_is_exact():
    """attack49 21: y' = [t > p] - 0.1 y from 0: y(2) = (1 - e^{-0.1 (2 - p)}) / 0.1,
    dy(2)/dp = -e^{-0.1 (2 - p)} (the sensitivities alone gave 0.0)."""
    def where(p):
        return dg.solve_ivp(lambda t, y: np.where(t > p, 1.0, 0.0) * np.ones(1) - 0.1 * y,
                            (0.0, 2.0), np.zeros(1), **TIGHT).y[0, -1]

    def python_if(p):
        return dg.solve_ivp(lambda t, y: (1.0 if t > p else 0.0) - 0.1 * y, (0.0, 2.0),
                            np.zeros(1), **TIGHT).y[0, -1]

    def split(p):
        s1 = dg.solve_ivp(lambda t, y: -0.1 * y, (0.0, p), np.zeros(1), **TIGHT)
        return dg.solve_ivp(lambda t, y: 1.0 - 0.1 * y, (p, 2.0), s1.y[:, -1],
                            **TIGHT).y[0, -1]

    assert np.isclose(dg.derivative(where, 0.5), -np.exp(-0.15), rtol=1e-8)   # (ode53:
    assert np.isclose(dg.derivative(python_if, 0.5), -np.exp(-0.15), rtol=1e-8)  # exact)
    assert np.isclose(dg.derivative(split, 0.5), -np.exp(-0.15), rtol=1e-8)
    text = _refused(lambda p: dg.hessian(lambda q: where(q[0]), p), np.array([0.5]),
                    "value jumps by 1")                 # (nested: still refused)
    assert "test_ode_switches50.py" in text            # the user's line


@pytest.mark.parametrize("method", METHODS)
def test_a_bang_bang_control_is_exact_by_every_method(method):
    """u = umax after t = p, the state's start moving with p too (the dual path): y(2) =
    p e^{-0.2} + 20 (1 - e^{-0.1 (2 - p)}), dy/dp = e^{-0.2} - 2 e^{-0.1 (2 - p)}
    (refused before ode53)."""
    def f(p):
        return dg.solve_ivp(lambda t, y: (2.0 if t > p else 0.0) - 0.1 * y, (0.0, 2.0),
                            np.array([p]), method=method, **TIGHT).y[0, -1]

    want = np.exp(-0.2) - 2 * np.exp(-0.15)
    assert np.isclose(dg.derivative(f, 0.5), want, rtol=1e-7)


def _infusion(p, t_end=5.0, rate=2.0, k=0.3):
    """C' = rate [tlag < t < tlag + dur] - k C: at t_end past the infusion,
    C = (rate / k) (1 - e^{-k dur}) e^{-k (t_end - tlag - dur)}."""
    tlag, dur = p
    return rate / k * (1 - np.exp(-k * dur)) * np.exp(-k * (t_end - tlag - dur))


def test_a_pharmacokinetic_lag_time_refused_and_split_against_the_closed_form():
    k, rate = 0.3, 2.0

    def one_call(p):
        def rhs(t, c):
            on = (t > p[0]) & (t < p[0] + p[1])
            return rate * np.where(on, 1.0, 0.0) - k * c
        return dg.solve_ivp(rhs, (0.0, 5.0), np.zeros(1), method="LSODA", **TIGHT).y[0, -1]

    def split(p, solve=dg.solve_ivp):
        tlag, dur = p[0], p[1]
        s1 = solve(lambda t, c: -k * c, (0.0, tlag), np.zeros(1), **TIGHT)
        s2 = solve(lambda t, c: rate - k * c, (tlag, tlag + dur), s1.y[:, -1], **TIGHT)
        return solve(lambda t, c: -k * c, (tlag + dur, 5.0), s2.y[:, -1], **TIGHT).y[0, -1]

    p = np.array([0.7, 1.5])
    g = dg.gradient(split, p)
    C = _infusion(p)        # dC/dtlag = k C, dC/ddur = k C + rate e^{-k (5 - tlag)}
    want = np.array([k * C, C * k + rate * np.exp(-k * p[1]) *
                     np.exp(-k * (5.0 - p[0] - p[1]))])
    h = 1e-4
    assert np.allclose(g, want, rtol=1e-8)
    assert np.allclose(dg.gradient(one_call, p), want, rtol=1e-7)   # (ode53: exact)
    _refused(lambda q: dg.hessian(one_call, q), p)
    # and SciPy's own split solve, by Richardson-extrapolated central differences
    def scipy_split(q):
        return split(q, solve=lambda *a, **kw: scipy_solve_ivp(*a, rtol=1e-12, atol=1e-14))
    fd = []
    for i in range(2):
        e = np.eye(2)[i]
        d1 = (scipy_split(p + h * e) - scipy_split(p - h * e)) / (2 * h)
        d2 = (scipy_split(p + 2 * h * e) - scipy_split(p - 2 * h * e)) / (4 * h)
        fd.append((4 * d1 - d2) / 3)
    assert np.allclose(g, fd, rtol=1e-7)


def test_a_state_crossing_a_moving_threshold_is_refused_and_the_event_split_is_exact():
    """y' = 1 + [y > p] from 0: y(2) = 2 * 2 - p, dy/dp = -1."""
    def one_call(p):
        return dg.solve_ivp(lambda t, y: 1.0 + np.where(y > p, 1.0, 0.0), (0.0, 2.0),
                            np.zeros(1), **TIGHT).y[0, -1]

    def split(p):
        cross = lambda t, y: y[0] - p                       # noqa: E731
        cross.terminal = True
        s1 = dg.solve_ivp(lambda t, y: np.ones(1), (0.0, 2.0), np.zeros(1), events=cross,
                          **TIGHT)
        return dg.solve_ivp(lambda t, y: 2.0 * np.ones(1), (s1.t_events[0][0], 2.0),
                            s1.y_events[0][0], **TIGHT).y[0, -1]

    assert np.isclose(dg.derivative(split, 0.7), -1.0, rtol=1e-9)
    assert np.isclose(dg.derivative(one_call, 0.7), -1.0, rtol=1e-8)    # (ode53)


def test_a_fixed_threshold_crossed_at_a_moving_time_is_exact():
    """y' = 1 + [y > 1], y(0) = p: the crossing at t = 1 - p moves with p; y(2) =
    1 + 2 (1 + p), dy/dp = 2 (the sensitivities alone: 1)."""
    def f(p):
        return dg.solve_ivp(lambda t, y: np.where(y > 1.0, 2.0, 1.0), (0.0, 2.0),
                            np.array([p]), **TIGHT).y[0, -1]

    assert np.isclose(dg.derivative(f, 0.3), 2.0, rtol=1e-8)     # (refused before ode53)


def _clamped(k, y0=1.0, t_end=3.0):
    """y' = -1 - k max(y, 0) from y0 = 1: y = (1 + 1/k) e^{-k t} - 1/k until t* =
    ln(1 + k) / k, then y = -(t - t*): dy(t_end)/dk = dt*/dk."""
    return (k / (1 + k) - np.log1p(k)) / k ** 2


@pytest.mark.parametrize("method", ["RK45", "Radau"])
def test_continuous_clamps_of_the_state_are_not_refused(method):
    k = 0.8
    spellings = [lambda t, y, k: -1.0 - np.where(y > 0, k * y, 0.0),
                 lambda t, y, k: -1.0 - k * np.maximum(y, 0.0),
                 lambda t, y, k: -1.0 - k * np.clip(y, 0.0, None),
                 lambda t, y, k: -1.0 - (k * y if y[0] > 0 else 0.0 * y)]
    for rhs in spellings:
        g = dg.derivative(lambda q: dg.solve_ivp(rhs, (0.0, 3.0), np.ones(1), args=(q,),
                                                 method=method, rtol=1e-11,
                                                 atol=1e-12).y[0, -1], k)
        assert np.isclose(g, _clamped(k), rtol=1e-7)


def test_a_clamp_s_hessian_is_refused_naming_the_kink():
    """The kink's crossing time moves: second derivatives lose its term (the closed
    form's d2/dk2 is 0.1741; the sensitivities alone gave 0.2143)."""
    def f(q):
        return dg.solve_ivp(lambda t, y: -1.0 - np.where(y > 0, q[0] * y, 0.0),
                            (0.0, 3.0), np.ones(1), rtol=1e-11, atol=1e-12).y[0, -1]

    _refused(lambda q: dg.hessian(f, q), np.array([0.8]), "first partials jump")
    assert np.isclose(dg.gradient(f, np.array([0.8]))[0], _clamped(0.8), rtol=1e-7)


def test_switches_at_fixed_times_with_the_parameters_in_the_branches():
    """y' = p [t < 1] - y: y(3) = p (1 - e^{-1}) e^{-2}; the Hessian is 0."""
    want = (1 - np.exp(-1.0)) * np.exp(-2.0)
    spellings = [lambda t, y, p: np.where(t < 1.0, p, 0.0) * np.ones(1) - y,
                 lambda t, y, p: (p if t < 1.0 else 0.0) - y]
    for rhs in spellings:
        def f(q):
            return dg.solve_ivp(rhs, (0.0, 3.0), np.zeros(1), args=(q[0],),
                                **TIGHT).y[0, -1]
        assert np.allclose(dg.gradient(f, np.array([2.0])), [want], rtol=1e-7)
        assert np.allclose(dg.hessian(f, np.array([2.0])), [[0.0]], atol=1e-7)


def test_a_newton_loop_inside_fun_is_no_switch():
    """sqrt by Newton inside fun (its stopping test compares duals and runs another
    number of times at another state): y' = -sqrt(y + p), y(0) = 4: u = y + p has
    u(1) = (sqrt(u0) - 1/2)^2, dy(1)/dp = (sqrt(u0) - 1/2) / sqrt(u0) - 1."""
    def newton_sqrt(a):
        z = a * 0 + 1.0
        while abs(z * z - a) > 1e-14 * abs(a):
            z = 0.5 * (z + a / z)
        return z

    def f(p):
        return dg.solve_ivp(lambda t, y: -newton_sqrt(y[0] + p) * np.ones(1), (0.0, 1.0),
                            np.array([4.0]), **TIGHT).y[0, -1]

    u0 = 4.5
    assert np.isclose(dg.derivative(f, 0.5), (np.sqrt(u0) - 0.5) / np.sqrt(u0) - 1,
                      rtol=1e-8)


def test_threads_watch_their_own_switch_only():
    """Two threads at once: a moving dose (exact since ode53: -e^{-0.15}) and a clamp
    (the watch is each thread's)."""
    out = {}

    def dose():
        try:
            out["dose"] = dg.derivative(lambda p: dg.solve_ivp(
                lambda t, y: np.where(t > p, 1.0, 0.0) * np.ones(1) - 0.1 * y, (0.0, 2.0),
                np.zeros(1), **TIGHT).y[0, -1], 0.5)
        except TypeError as exc:
            out["dose"] = exc

    def clamp():
        out["clamp"] = dg.derivative(lambda k: dg.solve_ivp(
            lambda t, y: -1.0 - k * np.maximum(y, 0.0), (0.0, 3.0), np.ones(1),
            rtol=1e-11, atol=1e-12).y[0, -1], 0.8)

    threads = [threading.Thread(target=dose), threading.Thread(target=clamp)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert np.isclose(out["dose"], -np.exp(-0.15), rtol=1e-8)
    assert np.isclose(out["clamp"], _clamped(0.8), rtol=1e-7)


def test_each_element_of_a_mask_is_tested_where_it_switches():
    """One line for two states: y0' = -1 - k y0 above 0, -1 below (a clamp: continuous,
    crossing at t = ln(1 + k) / k = 0.73); y1' = 2 above 1, 1 below (a jump) from y1(0)
    = q, crossing at t = 1 - q (0.9: after the clamp's crossings were found continuous).
    With y1 above 1 throughout, no switch of y1: dy0(2)/dk is the clamp's closed form."""
    def rhs(t, y, k):
        on = y > np.array([0.0, 1.0])
        return np.where(on, np.stack([-1.0 - k * y[0], 2.0 + 0.0 * y[1]]),
                        np.stack([-1.0 + 0.0 * y[0], 1.0 + 0.0 * y[1]]))

    def f(p):
        return dg.solve_ivp(rhs, (0.0, 3.0), np.stack([1.0 + 0.0 * p[1], p[1]]),
                            args=(p[0],), rtol=1e-11, atol=1e-12).y[:, -1]

    J = dg.jacobian(f, np.array([0.8, 0.1]))   # y1 = 1 + 2 (2 + q) after t = 1 - q
    assert np.isclose(J[0, 0], _clamped(0.8), rtol=1e-7)    # (refused before ode53)
    assert np.allclose([J[0, 1], J[1, 0]], 0.0, atol=1e-9)
    assert np.isclose(J[1, 1], 2.0, rtol=1e-8)
    J = dg.jacobian(f, np.array([0.8, 1.5]))
    assert np.isclose(J[0, 0], _clamped(0.8), rtol=1e-7)
    assert np.allclose(J[1], [0.0, 1.0], atol=1e-9)         # y1 = q + 2 t


def test_a_fixed_switch_time_compared_on_duals_is_not_refused():
    """y' = p [p (t - 1) > 0] - 0.1 y: the switch sits at t = 1 whatever p is (its
    operand's partial, t - 1, is 0 there), so it loses no term: y(2) = p (1 - e^{-0.1})
    / 0.1, dy(2)/dp = (1 - e^{-0.1}) / 0.1."""
    def f(p):
        return dg.solve_ivp(lambda t, y: p * np.where(p * (t - 1.0) > 0, 1.0, 0.0) *
                            np.ones(1) - 0.1 * y, (0.0, 2.0), np.zeros(1),
                            **TIGHT).y[0, -1]

    assert np.isclose(dg.derivative(f, 0.7), (1 - np.exp(-0.1)) / 0.1, rtol=1e-8)
