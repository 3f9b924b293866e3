"""dg.solve_ivp's exact route through a switch whose time moves (ode53): the crossing is
located on the trajectory (a terminal event on the switch's place) and the solve
restarted there with S+ = S- + (f- - f+) dtc/dtheta; times, states, t_eval, dense
output and the user's events merged across the pieces.  Refused before (the split by
hand was the fix).  Oracles: closed forms of linear ODEs with step inputs (one moving
dose, a periodic gate crossed seven times), brentq for an event time after the dose,
Richardson central differences of SciPy's solve_ivp at rtol 1e-12 with the switch
split by hand (a nonlinear time switch, a moving state threshold).  Where it cannot be
exact the refusal stands: Hessians, a switch the solution slides along, a place that
steps across zero (t % 24 at the day's wrap)."""

import numpy as np
import pytest

import dualgrad as dg

pytest.importorskip("scipy")
from scipy.integrate import solve_ivp as scipy_solve_ivp  # noqa: E402
from scipy.optimize import brentq  # noqa: E402

TIGHT = {"rtol": 1e-10, "atol": 1e-12}
METHODS = ["RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA"]
Y0, T = 1.0, 5.0


def _dose_end(p, k, D, t=T):
    """y' = -k y + D [t >= p], y(0) = Y0: y(t) for t >= p."""
    return Y0 * np.exp(-k * t) + D / k * (1 - np.exp(-k * (t - p)))


def _dose_grad(p, k, D, t=T):
    """d y(t) / d(p, k, D) of :func:`_dose_end`."""
    e = np.exp(-k * (t - p))
    return np.array([-D * e,
                     -t * Y0 * np.exp(-k * t) - D / k ** 2 * (1 - e) + D / k * (t - p) * e,
                     (1 - e) / k])


def _refused(f, x, *more):
    with pytest.raises(TypeError, match="switch whose time moves") as info:
        f(x)
    text = str(info.value)
    assert "dg.solve_ivp(f_before" in text
    for piece in more:
        assert piece in text


@pytest.mark.parametrize("method", METHODS)
def test_a_moving_dose_is_exact_by_every_method(method):
    """y' = -k y + D [t >= p]: the gradient in (p, k, D) against the closed form."""
    def end(q):
        p, k, D = q
        return dg.solve_ivp(lambda t, y: -k * y + np.where(t >= p, D, 0.0), (0.0, T),
                            [Y0], method=method, **TIGHT).y[0, -1]

    q = np.array([1.7, 0.3, 2.0])
    assert np.allclose(dg.gradient(end, q), _dose_grad(*q), rtol=1e-7, atol=1e-9)


def test_t_eval_dense_output_and_events_are_merged_across_the_switch():
    """The same dose read at t_eval on both sides of it (dy(t)/dp = 0 before, -D
    e^{-k (t - p)} after), through sol.sol, and an event y = 3 after it: t_e by brentq
    on the closed form, dt_e/dp = D e^{-k (t_e - p)} / y'(t_e)."""
    k, D, level = 0.3, 2.0, 3.0
    grid = np.array([0.5, 1.0, 1.69, 2.5, 4.0, 5.0])

    def solve(p, **kw):
        return dg.solve_ivp(lambda t, y: -k * y + np.where(t >= p, D, 0.0), (0.0, T),
                            [Y0], **TIGHT, **kw)

    def rise(t, y):
        return y[0] - level

    p = 1.7
    J = dg.jacobian(lambda q: solve(q, t_eval=grid).y[0], p)
    want = np.where(grid >= p, -D * np.exp(-k * (grid - p)), 0.0)
    assert np.allclose(J, want, rtol=1e-7, atol=1e-10)
    sol = solve(p, t_eval=grid)
    assert np.array_equal(sol.t, grid) and sol.y.shape == (1, grid.size)
    assert np.allclose(sol.y[0], np.where(grid >= p, _dose_end(p, k, D, grid),
                                          Y0 * np.exp(-k * grid)), rtol=1e-8)
    reads = np.array([1.0, 2.5, 4.5])
    J = dg.jacobian(lambda q: solve(q, dense_output=True).sol(reads)[0], p)
    want = np.where(reads >= p, -D * np.exp(-k * (reads - p)), 0.0)
    assert np.allclose(J, want, rtol=1e-6, atol=1e-9)
    t_e = brentq(lambda t: _dose_end(p, k, D, t) - level, p, T, xtol=1e-15)
    rate = -k * level + D
    got = dg.derivative(lambda q: solve(q, events=rise).t_events[0][0], p)
    assert np.isclose(got, D * np.exp(-k * (t_e - p)) / rate, rtol=1e-7)
    sol = solve(p, events=rise)
    assert len(sol.t_events) == 1 and np.isclose(sol.t_events[0][0], t_e, rtol=1e-9)
    assert np.all(np.diff(sol.t) > 0) and sol.t[0] == 0.0 and sol.t[-1] == T


def test_a_periodic_gate_crossed_seven_times_is_exact():
    """y' = -k y + D [sin(w (t - p)) > 0], w = 2 pi / 6: the dose turns on at p + 6 n
    and off at p + 3 + 6 n; each crossing's time moves with p (dc/dp = 1):
    dy(20)/dp = sum over crossings c of -+D e^{-k (20 - c)}."""
    k, D, w, t_end, p = 0.3, 2.0, 2 * np.pi / 6, 20.0, 0.7

    def end(q):
        return dg.solve_ivp(lambda t, y: -k * y + D * np.where(np.sin(w * (t - q)) > 0,
                                                                1.0, 0.0),
                            (0.0, t_end), [Y0], **TIGHT).y[0, -1]

    on = p + 6.0 * np.arange(4)
    off = p + 3.0 + 6.0 * np.arange(3)
    want = -D * np.exp(-k * (t_end - on)).sum() + D * np.exp(-k * (t_end - off)).sum()
    assert np.isclose(dg.derivative(end, p), want, rtol=1e-7)


def _richardson(f, x, h):
    """Richardson-extrapolated central differences of f at x, each coordinate."""
    out = []
    for i in range(len(x)):
        e = np.eye(len(x))[i] * h
        d1 = (f(x + e) - f(x - e)) / 2
        d2 = (f(x + 2 * e) - f(x - 2 * e)) / 4
        out.append((4 * d1 - d2) / (3 * h))
    return np.array(out)


def test_a_nonlinear_time_switch_against_scipy_split_by_hand():
    """y' = -a y^2 + 1.5 [t > p] from 1 over (0, 4): SciPy's solve split at p by hand
    (rtol 1e-12), Richardson central differences in (a, p)."""
    def one_call(q):
        a, p = q
        return dg.solve_ivp(lambda t, y: -a * y * y + 1.5 * (t > p), (0.0, 4.0), [1.0],
                            **TIGHT).y[0, -1]

    def split(q):
        a, p = q
        s1 = scipy_solve_ivp(lambda t, y: -a * y * y, (0.0, p), [1.0], rtol=1e-12,
                             atol=1e-14)
        return scipy_solve_ivp(lambda t, y: -a * y * y + 1.5, (p, 4.0), s1.y[:, -1],
                               rtol=1e-12, atol=1e-14).y[0, -1]

    q = np.array([0.6, 1.3])
    assert np.allclose(dg.gradient(one_call, q), _richardson(split, q, 1e-4), rtol=1e-7)


@pytest.mark.parametrize("method", ["RK45", "Radau"])
def test_a_moving_state_threshold_against_scipy_split_by_hand(method):
    """y' = 1 - a y^2 + 0.5 [y > c] from 0: the crossing of y = c moves with a and c;
    SciPy's split by a terminal event (rtol 1e-12), Richardson central differences."""
    def one_call(q):
        a, c = q
        return dg.solve_ivp(lambda t, y: 1.0 - a * y * y + np.where(y > c, 0.5, 0.0),
                            (0.0, 3.0), [0.0], method=method, **TIGHT).y[0, -1]

    def split(q):
        a, c = q
        cross = lambda t, y: y[0] - c                       # noqa: E731
        cross.terminal = True
        s1 = scipy_solve_ivp(lambda t, y: 1.0 - a * y * y, (0.0, 3.0), [0.0], events=cross,
                             rtol=1e-12, atol=1e-14)
        return scipy_solve_ivp(lambda t, y: 1.5 - a * y * y, (s1.t_events[0][0], 3.0),
                               s1.y_events[0][0], rtol=1e-12, atol=1e-14).y[0, -1]

    q = np.array([0.2, 0.8])
    assert np.allclose(dg.gradient(one_call, q), _richardson(split, q, 1e-4), rtol=1e-6)


def test_where_it_cannot_be_exact_the_refusal_stands():
    """Hessians (nested calls) of a dose; a switch the solution slides along (y' = -1
    above p, +1 below: f+ drives it back, chattering); a daily rhythm t % 24 > p whose
    place steps across 0 at the wrap where the dose goes off (its time's motion is no
    derivative of the place)."""
    def dose(q):
        return dg.solve_ivp(lambda t, y: -0.3 * y + np.where(t >= q[0], 2.0, 0.0), (0.0, T),
                            [Y0], **TIGHT).y[0, -1]

    _refused(lambda q: dg.hessian(dose, q), np.array([1.7]), "value jumps")

    def slide(p):
        return dg.solve_ivp(lambda t, y: np.where(y > p, -1.0, 1.0), (0.0, 3.0), [0.0],
                            **TIGHT).y[0, -1]

    _refused(lambda p: dg.derivative(slide, p), 1.0)

    def rhythm(p):
        return dg.solve_ivp(lambda t, y: -0.3 * y + np.where(t % 24.0 > p, 2.0, 0.0),
                            (0.0, 30.0), [1.0], **TIGHT).y[0, -1]

    _refused(lambda p: dg.derivative(rhythm, p), 3.0)


def test_step_and_tolerance_controls_given_as_duals():
    """attack53 05: first_step as a dual crashed (an internal TypeError: two functions
    named _nested); the solver's controls steer it, the exact solution does not depend
    on them: y(3) = e^{-2.1}, d/dh 0 (first_step, max_step, rtol, atol as duals)."""
    for name, h in (("first_step", 0.01), ("max_step", 0.1), ("rtol", 1e-9), ("atol", 1e-12)):
        def end(q, name=name):
            kw = {"rtol": 1e-10, "atol": 1e-12}
            kw[name] = q
            return dg.solve_ivp(lambda t, y: -0.7 * y, (0.0, 3.0), np.array([1.0]),
                                **kw).y[0, -1]
        assert dg.derivative(end, h) == 0.0
        assert np.isclose(end(h), np.exp(-2.1), rtol=1e-8)
    g = dg.gradient(lambda p: dg.solve_ivp(lambda t, y: -p[0] * y, (0.0, 3.0), [1.0],
                                           first_step=0.01 * p[1], rtol=1e-10,
                                           atol=1e-12).y[0, -1], np.array([0.7, 1.0]))
    assert np.allclose(g, [-3.0 * np.exp(-2.1), 0.0], rtol=1e-7, atol=1e-12)


def _clamped(k):
    """y' = -1 - k max(y, 0) from 1 to t = 3: dy(3)/dk = dt*/dk, t* = ln(1 + k) / k."""
    return (k / (1 + k) - np.log1p(k)) / k ** 2


def test_a_kink_crossing_is_tested_for_steepness_a_few_times_not_at_every_chatter():
    """ode52 Left (3): the solver's stages cross np.maximum's kink ~25 times around one
    crossing, each chord tested for a steep ramp (four evaluations: ~100 beside ~296).
    A test found flat across its inner pair stands for later ones whose four points lie
    inside it: at most 12 tests (48 evaluations) here, the derivative the closed
    form's."""
    calls = [0]

    def kink(t, y, k):
        calls[0] += 1
        return -1.0 - k * np.maximum(y, 0.0)

    def end(k):
        sol = dg.solve_ivp(kink, (0.0, 3.0), [1.0], args=(k,), rtol=1e-8, atol=1e-10)
        end.nfev = sol.nfev
        return sol.y[0, -1]

    g = dg.derivative(end, 0.8)
    assert np.isclose(g, _clamped(0.8), rtol=1e-5)      # (rtol 1e-8 across a kink)
    assert calls[0] - end.nfev <= 48, (calls[0], end.nfev)


def test_a_steep_ramp_on_a_line_whose_kink_was_found_flat_is_still_refused():
    """One helper line serves a clamp of the state (crossed at t* = 0.73, flat, its tests
    kept) and a ramp np.clip(s (t - p), 0, 1) with s = 1e11 at p = 2 (attack52 09): the
    ramp's crossing, elsewhere in time, is tested and refused."""
    def clip(u):
        return np.clip(u, 0.0, 1.0)

    def rhs(t, y, p):
        return np.stack([-1.0 - 0.8 * clip(y[0]) * (1 + 0 * p),
                         -0.5 * y[1] + 2.0 * clip(1e11 * (t - p))])

    def end(p):
        return dg.solve_ivp(rhs, (0.0, 6.0), [1.0, 0.0], args=(p,), rtol=1e-10,
                            atol=1e-12).y[1, -1]

    _refused(lambda p: dg.derivative(end, p), 2.0, "ramp narrower")


def test_a_switch_the_solution_slides_along_is_refused_promptly():
    """attack53 19 (a regression of 4d715c7): a dose on while t >= p and y < 2 (y then
    slides along 2) ran for minutes: the solver's stages cross the handled place back
    and forth with no sign change at a step's end, so its event never fires; a
    thermostat np.where(y < p, 1, -1) - 0.1 y the same.  Both refused (203d731 refused
    them too), naming the sliding."""
    import time
    start = time.process_time()

    def dose(p):
        return dg.solve_ivp(lambda t, y: -0.7 * y + np.where((t >= p) & (y < 2.0), 2.0, 0.0),
                            (0.0, 3.0), np.array([1.0]), rtol=1e-11, atol=1e-13).y[0, -1]

    def thermostat(p):
        return dg.solve_ivp(lambda t, y: np.where(y < p, 1.0, -1.0) - 0.1 * y, (0.0, 5.0),
                            np.array([0.0]), rtol=1e-10, atol=1e-12).y[0, -1]

    for f, p in ((dose, 1.3), (thermostat, 1.0)):
        with pytest.raises(TypeError, match="switch whose time moves") as info:
            dg.derivative(f, p)
        assert "slides along" in str(info.value)
    assert time.process_time() - start < 60.0


def test_a_builtin_min_max_ramp_is_exact_or_refused_never_an_internal_error():
    """attack53 20: min(max(s (t - p), 0), 1) of scalar duals at s = 1e3, 1e5 crashed in
    SciPy's event root bracket (ValueError: f(a) and f(b) must have different signs);
    now refused by name; s = 10 exact: y(3) = (3 - p) - 1 / (2 s), dy/dp = -1."""
    def end(p, s):
        return dg.solve_ivp(lambda t, y: min(max(s * (t - p), 0.0), 1.0) + 0 * y, (0.0, 3.0),
                            np.array([0.0]), rtol=1e-10, atol=1e-12).y[0, -1]

    assert np.isclose(dg.derivative(lambda p: end(p, 10.0), 1.2345), -1.0, rtol=1e-7)
    for s in (1e3, 1e5):        # (exact or refused: s = 1e3 is exact since ode54, whose
        try:                    # event reads the place's sign before the switch where
            d = dg.derivative(lambda p: end(p, s), 1.2345)   # fun skips it)
        except TypeError as exc:
            assert "dualgrad.solve_ivp" in str(exc)
        else:
            assert np.isclose(d, -1.0, rtol=1e-7)


def test_implicit_methods_trust_the_user_s_jac_sparsity():
    """attack53 22b: BDF with jac_sparsity = I of y' = -k sqrt(max(y, 0)), 300 of 600
    states at 0: the Newton matrix's dg.jacobian refused the pattern (its check beside
    sqrt's infinite slopes, lead's 5cbc4d7), from inside the solver.  The pattern is the
    user's, which SciPy trusts too, and Newton's matrix only speeds its iterations:
    y(0.5) = (1 - k / 4)^2 where y0 = 1, dy/dk = -0.375 at k = 1."""
    import scipy.sparse as sp
    n = 600
    y0 = np.zeros(n)
    y0[::2] = 1.0

    def end(k):
        return dg.solve_ivp(lambda t, y: -k * np.sqrt(np.maximum(y, 0.0)), (0.0, 0.5), y0,
                            method="BDF", jac_sparsity=sp.eye(n), rtol=1e-6,
                            atol=1e-9).y[0, -1]

    assert np.isclose(dg.derivative(end, 1.0), -0.375, rtol=1e-6)
