"""dg.solve_ivp's cases users met at stop 54 (ode54).

NaN partials beside finite values: ``-y + np.arccos(t - p + 0j).real`` over (0, 2) at
p = 1 starts on arccos's branch point (x = -1), where the complex derivative
-1 / sqrt(1 - x^2) is infinite and its real part NaN.  SciPy's step control took the
NaN tangent rate into its step size and retried without end (minutes on 51793cd).
The premise is checked on SciPy itself: a NaN rate at t0 keeps its solver evaluating.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp as scipy_solve_ivp

import dualgrad as dg

_LIMIT = 3000       # evaluations of fun before the test calls it a hang


class _Hang(Exception):
    pass


def _counted(rhs):
    calls = [0]

    def fun(t, y, p):
        calls[0] += 1
        if calls[0] > _LIMIT:
            raise _Hang(calls[0])
        return rhs(t, y, p)
    return fun, calls


_CUTS = {
    "arccos": lambda z: np.arccos(z).real,
    "arcsin": lambda z: np.arcsin(z).real,
    "arccosh": lambda z: np.arccosh(z).real,
}


def test_scipy_itself_never_ends_on_a_nan_rate():
    """The premise: a NaN in fun's rate at t0 keeps SciPy's RK45 evaluating (its error
    norm, and so its step, NaN); the count stops it here."""
    fun, calls = _counted(lambda t, y, p: np.array([np.nan if t == 0 else -y[0]]))
    with pytest.raises(_Hang):
        scipy_solve_ivp(fun, (0.0, 2.0), [1.0], args=(1.0,))


@pytest.mark.parametrize("name", sorted(_CUTS))
@pytest.mark.parametrize("method", ["RK45", "DOP853", "Radau"])
def test_a_nan_partial_at_a_branch_point_is_refused_at_once(name, method):
    """-y + F(t - p + 0j) with F's branch point x = -1 at t0 = 0 (p = 1): the
    derivative d/dp F(t - p) = -F'(x) is infinite there (NaN as a complex number's
    real part): refused at the first evaluation, naming the NaN partials and the
    time, where 51793cd never returned."""
    cut = _CUTS[name]
    fun, calls = _counted(lambda t, y, p: -y + cut(t - p + 0j))

    def end(p):
        return dg.solve_ivp(fun, (0.0, 2.0), np.array([1.0]), args=(p,),
                            method=method).y[0, -1]
    # (since 6327c364 a zero part of the partial keeps the product's finite part, so
    # the partial is -inf there, not NaN: refused when the derivatives' steps stop)
    with pytest.raises(TypeError, match=r"(NaN partials at t = 0\.0 |partial of fun that "
                                        r"is not finite there).*integrable singularity"):
        dg.derivative(end, 1.0)
    assert calls[0] < 200         # (51793cd: without end; the count stops it at 3000)
    # the values alone integrate (SciPy on floats): the NaN is the derivatives'
    plain = scipy_solve_ivp(lambda t, y: -y + cut(t - 1.0 + 0j), (0.0, 2.0), [1.0],
                            method=method)
    assert plain.status == 0 and np.isfinite(plain.y[0, -1])


def test_a_nan_partial_in_a_hessian_is_refused_at_once():
    """The nested system (a Hessian's coefficients) refuses the same NaN."""
    fun, calls = _counted(lambda t, y, p: -y + np.arccos(t - p + 0j).real)

    def end(q):
        return dg.solve_ivp(fun, (0.0, 2.0), np.array([1.0]), args=(q[0] * q[1],)).y[0, -1]
    with pytest.raises(TypeError, match="NaN partials"):
        dg.hessian(end, np.array([1.0, 1.0]))
    assert calls[0] < 200         # (51793cd: without end; the count stops it at 3000)


def test_off_the_branch_point_the_same_rhs_is_exact():
    """A control: -y + arccos(t - p + 0j).real over (0.2, 1.7) at p = 1 (x in
    (-0.8, 0.7), no branch point): d y(1.7) / dp = int e^{-(1.7 - t)} / sqrt(1 - (t -
    p)^2) dt (arccos' = -1 / sqrt(1 - x^2), times dx/dp = -1), against SciPy's quad."""
    from scipy.integrate import quad
    p0, t0, t1 = 1.0, 0.2, 1.7

    def end(p):
        return dg.solve_ivp(lambda t, y: -y + np.arccos(t - p + 0j).real, (t0, t1),
                            np.array([1.0]), rtol=1e-10, atol=1e-12).y[0, -1]
    exact = quad(lambda t: np.exp(-(t1 - t)) / np.sqrt(1 - (t - p0) ** 2), t0, t1,
                 epsabs=1e-14, epsrel=1e-13)[0]
    assert np.isclose(dg.derivative(end, p0), exact, rtol=1e-7)


K, D, TLAG, T_END = 0.3, 2.0, 1.7, 5.0
_TIGHT = {"rtol": 1e-8, "atol": 1e-10}


def _dose_counted():
    calls = [0]

    def dose(t, y, p):
        calls[0] += 1
        return -p[1] * y + np.where(t >= p[0], D, 0.0)
    return dose, calls


def _dose_exact(p):
    """y' = -k y + D [t >= tlag], y(0) = 1: y(T) = e^{-k T} + D / k (1 - e^{-k (T -
    tlag)}), and its gradient in (tlag, k)."""
    tlag, k = p
    a = np.exp(-k * (T_END - tlag))
    return np.array([-D * a, -T_END * np.exp(-k * T_END) - D / k ** 2 * (1 - a) +
                     D / k * (T_END - tlag) * a])


@pytest.mark.parametrize("method", ["RK45", "RK23"])
def test_the_attempt_until_the_switch_is_not_solved_twice(method):
    """ode53 Left (a): the dose at a moving time solved the span up to the located
    switch twice (the attempt the watch stopped, then the piece with the place's
    event).  Its accepted steps are replayed now: fun's evaluations within 1.3x those of
    the split by hand (two calls, each fun without the comparison): RK45 263 / 211,
    RK23 1461 / 1414 (336 / 211 and 2026 / 1414 on 51793cd); the gradient the closed
    form's."""
    dose, calls = _dose_counted()
    p = np.array([TLAG, K])

    def one(q):
        return dg.solve_ivp(dose, (0.0, T_END), [1.0], args=(q,), method=method,
                            **_TIGHT).y[0, -1]
    split_calls = [0]

    def split(q):
        def before(t, y):
            split_calls[0] += 1
            return -q[1] * y

        def after(t, y):
            split_calls[0] += 1
            return -q[1] * y + D
        s1 = dg.solve_ivp(before, (0.0, q[0]), [1.0], method=method, **_TIGHT)
        return dg.solve_ivp(after, (q[0], T_END), s1.y[:, -1], method=method,
                            **_TIGHT).y[0, -1]
    g = dg.gradient(one, p)
    assert np.allclose(g, _dose_exact(p), rtol=1e-7)
    assert np.allclose(dg.gradient(split, p), _dose_exact(p), rtol=1e-7)
    assert calls[0] < 1.3 * split_calls[0], (calls[0], split_calls[0])


@pytest.mark.parametrize("method", ["RK45", "RK23"])
def test_replayed_steps_keep_t_eval_dense_output_and_events(method):
    """The replayed part of the span: t_eval's values before the dose (e^{-k t}, and
    their derivatives 0 in tlag, -t e^{-k t} in k), sol.sol there, and a user's event
    y = 0.5 after it (located by SciPy on the merged solution) against brentq on the
    closed form; the pieces' t_eval values after the dose too."""
    from scipy.optimize import brentq
    dose, _ = _dose_counted()
    grid = np.linspace(0.0, T_END, 11)

    def y_exact(t, tlag, k):
        return np.exp(-k * t) + np.where(t >= tlag, D / k * (1 - np.exp(-k * (t - tlag))),
                                         0.0)

    def event(t, y, q):
        return y[0] - 2.0
    event.terminal = False

    def run(q):
        sol = dg.solve_ivp(dose, (0.0, T_END), [1.0], args=(q,), method=method,
                           t_eval=grid, dense_output=True, events=event, **_TIGHT)
        return dg.stop_gradient(sol.y[0]), sol.y[0], sol.sol(0.85)[0], sol.t_events[0]
    p = np.array([TLAG, K])
    J = dg.jacobian(lambda q: run(q)[1], p)
    h = 1e-6
    fd = np.stack([(y_exact(grid, *(p + h * e)) - y_exact(grid, *(p - h * e))) / (2 * h)
                   for e in np.eye(2)], axis=1)
    assert np.allclose(J, fd, rtol=1e-6, atol=1e-8)
    dense = dg.gradient(lambda q: run(q)[2], p)
    assert np.allclose(dense, [0.0, -0.85 * np.exp(-K * 0.85)], rtol=1e-6, atol=1e-9)
    t_event = brentq(lambda t: y_exact(t, TLAG, K) - 2.0, TLAG + 1e-9, T_END)
    events = dg.jacobian(lambda q: run(q)[3], p)
    assert events.shape == (1, 2)

    def te(q):
        return brentq(lambda t: y_exact(t, *q) - 2.0, q[0] + 1e-9, T_END, xtol=1e-15)
    fd_te = [(te(p + h * e) - te(p - h * e)) / (2 * h) for e in np.eye(2)]
    assert np.isclose(float(dg.stop_gradient(run(p)[3])[0]), t_event, rtol=1e-7)
    assert np.allclose(events[0], fd_te, rtol=1e-5)


_K4, _D1, _D2, _T4 = 0.5, 2.0, 1.0, 10.0


def _two_doses(p, q, method):
    return dg.solve_ivp(lambda t, y: -_K4 * y + np.where(t >= p, _D1, 0.0) +
                        np.where(t >= q, _D2, 0.0), (0.0, _T4), [1.0], method=method,
                        rtol=1e-11, atol=1e-12).y[0, -1]


@pytest.mark.parametrize("method", ["RK45", "Radau", "LSODA"])
def test_a_dose_at_a_fixed_schedule_time_is_exact(method):
    """attack54 04: y' = -k y + D1 [t >= p] + D2 [t >= 4] at p = 4.0 (a lag started at
    the schedule's time): the crossing's term took the fixed switch's jump too, -0.1494
    for the closed form's -D1 e^{-k (T - p)} = -0.0996 on 51793cd; refused on 5b74835
    (ode54); each switch's own jump since ode55 (the fixed one's crossing does not
    move).  p = 4 + 1e-9 the same."""
    for p0 in (4.0, 4.0 + 1e-9):
        assert np.isclose(dg.derivative(lambda p: _two_doses(p, 4.0, method), p0),
                          -_D1 * np.exp(-_K4 * (_T4 - p0)), rtol=1e-7)


def test_two_lags_at_one_value_are_exact():
    """attack54 04: two moving doses at p == q = 4: [-0.149, 0] for the closed form's
    [-D1 e^{-k (T - p)}, -D2 e^{-k (T - q)}] = [-0.0996, -0.0498] on 51793cd (RK45);
    refused on 5b74835 (ode54); each lag its own jump since ode55.  q = p + 1e-9 the
    same."""
    for v in (np.array([4.0, 4.0]), np.array([4.0, 4.0 + 1e-9])):
        exact = [-_D1 * np.exp(-_K4 * (_T4 - v[0])), -_D2 * np.exp(-_K4 * (_T4 - v[1]))]
        assert np.allclose(dg.gradient(lambda v: _two_doses(v[0], v[1], "RK45"), v),
                           exact, rtol=1e-7)


@pytest.mark.parametrize("form", [
    "D if 1 <= t < 1 + p else 0.0",
    "D if (t >= 1) and (t < 1 + p) else 0.0",
    "D if (t >= 1.0) and (t < 1 + p) and (t < 9.5) else 0.0",
])
@pytest.mark.parametrize("method", ["RK45", "Radau"])
def test_a_window_python_skips_half_of_is_exact(form, method):
    """attack54 02: y' = -k y + D [1 <= t < 1 + p], y(0) = 1: d y(10)/dp = D e^{-k (10
    - 1 - p)} (closed form).  Python's `and` skips t < 1 + p below t = 1, so the
    place's event read no value there and took 1.0, the sign after the switch: SciPy's
    root bracket failed and the call was refused on 51793cd."""
    k, D, p0 = 0.5, 2.0, 2.0
    f = eval("lambda t, y, p: -k * y + (" + form + ")", {"k": k, "D": D})

    def end(p):
        return dg.solve_ivp(f, (0.0, 10.0), [1.0], args=(p,), method=method, rtol=1e-10,
                            atol=1e-12).y[0, -1]
    assert np.isclose(dg.derivative(end, p0), D * np.exp(-k * (10 - 1 - p0)), rtol=1e-7)


@pytest.mark.parametrize("method", ["RK45", "Radau"])
def test_a_returned_list_with_complex_scalar_arithmetic_is_exact(method):
    """attack54 05: y' = -y + Re e^{i p t}, y(0) = 0, fun returning a list (SciPy's own
    examples do): dg.solve_ivp's conversion of the list was noted as f's object array,
    and every later complex scalar of the call refused on 51793cd.  Against the closed
    form: y(T) = (cos pT + p sin pT - e^{-T}) / (1 + p^2), differentiated in p."""
    p0, T = 1.3, 2.0

    def end(p):
        return dg.solve_ivp(lambda t, y: [-y[0] + np.exp(1j * p * t).real], (0.0, T), [0.0],
                            method=method, rtol=1e-11, atol=1e-13).y[0, -1]

    def closed(p):
        return (np.cos(p * T) + p * np.sin(p * T) - np.exp(-T)) / (1 + p ** 2)
    h = 1e-5
    exact = (8 * (closed(p0 + h) - closed(p0 - h)) - (closed(p0 + 2 * h) -
                                                        closed(p0 - 2 * h))) / (12 * h)
    assert np.isclose(dg.derivative(end, p0), exact, rtol=1e-8)


@pytest.mark.parametrize("name, p, lost", [
    ("arcsin", 0.5, "-0.6697 for -0.7841"),
    ("arccos", 1.1, "1.1102 for 1.1349"),
    ("sqrt", 0.5, "-0.4745 for -0.5017"),
])
def test_a_branch_point_crossed_inside_the_span_is_refused(name, p, lost):
    """-y + F(t - p + 0j).real crossing F's branch point inside (0, 2): the values are
    continuous there, the derivative -F'(x) infinite (an integrable singularity of the
    sensitivities' forcing), which the solver's steps do not resolve: at the default
    tolerances 51793cd returned {lost} (the exact value: int_0^2 e^{-(2 - t)} d/dp
    F(t - p) dt, SciPy's quad split at the branch point, in the docstring's numbers).
    Refused, naming the branch point, at loose and tight tolerances."""
    cut = {"arcsin": _CUTS["arcsin"], "arccos": _CUTS["arccos"],
           "sqrt": lambda z: np.sqrt(z).real}[name]
    for rtol in (1e-3, 1e-8):
        def end(q):
            return dg.solve_ivp(lambda t, y: -y + cut(t - q + 0j), (0.0, 2.0),
                                np.array([1.0]), rtol=rtol, atol=rtol * 1e-3).y[0, -1]
        with pytest.raises(TypeError, match="branch point or kink near t = .*partials grow"):
            dg.derivative(end, p)


def test_the_branch_point_refusal_premise():
    """The premise of the test above: the exact d/dp y(2) for arcsin at p = 0.5 (quad
    of the singular integrand, split at x = 1) differs from what the solver's steps
    integrate at rtol 1e-3 on floats (central differences of SciPy's own solve_ivp in p
    miss it by more than 5 %)."""
    from scipy.integrate import quad
    p0 = 0.5
    exact = -quad(lambda t: np.exp(-(2 - t)) / np.sqrt(1 - (t - p0) ** 2), 0.0, 1.5,
                  epsabs=1e-13, epsrel=1e-12)[0]

    def scipy_end(p):
        return scipy_solve_ivp(lambda t, y: -y + np.arcsin(t - p + 0j).real, (0.0, 2.0),
                               [1.0]).y[0, -1]
    h = 1e-4
    fd = (scipy_end(p0 + h) - scipy_end(p0 - h)) / (2 * h)
    assert np.isclose(exact, -0.7840921168, rtol=1e-8)
    assert abs(fd - exact) > 0.05 * abs(exact)


def _armed(p, form):
    if form == "if":
        def event(t, y):
            return (y[0] - 1.5) if t > p else -1.0
    else:
        def event(t, y):
            return np.where(t > p, y[0] - 1.5, -1.0)
    event.terminal = True
    return dg.solve_ivp(lambda t, y: np.ones(1) + 0 * y, (0.0, 5.0), [0.0], events=[event],
                        rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("form", ["if", "np.where"])
def test_an_event_armed_at_a_moving_time_is_refused_where_it_jumps(form):
    """attack54 15: y' = 1 from 0, a terminal event g = y - 1.5 armed after t = p (else
    -1).  At p = 2 it fires where it is armed, t_e = p (g jumps from -1 to 0.5):
    dt_e/dp = 1 (closed form), 0.0 on 51793cd (the event returned floats: SciPy's float
    path, no derivative).  Refused now, naming the jump.  At p = 1 it fires at y = 1.5
    (a root): t_e = 1.5, dt_e/dp = 0, y(t_e) = 1.5."""
    with pytest.raises(TypeError, match="jumps across zero at t = 2.0"):
        dg.derivative(lambda p: _armed(p, form).t_events[0][0], 2.0)
    assert dg.derivative(lambda p: _armed(p, form).t_events[0][0], 1.0) == 0.0
    assert np.isclose(float(dg.stop_gradient(_armed(1.0, form).t_events[0][0])), 1.5,
                      rtol=1e-9)


def test_a_continuous_event_closing_over_p_keeps_its_derivative():
    """A control: g = y - p (a root): y' = 1 from 0, t_e = p, dt_e/dp = 1; and g = t - p
    armed by np.where(y > 0.5, t - p, -1.0) at p = 2 (the arming at t = 0.5 is fixed,
    the root continuous): dt_e/dp = 1."""
    def run(p, g):
        g.terminal = True
        return dg.solve_ivp(lambda t, y: np.ones(1) + 0 * y, (0.0, 5.0), [0.0],
                            events=[g], rtol=1e-10, atol=1e-12).t_events[0][0]
    assert np.isclose(dg.derivative(lambda p: run(p, lambda t, y: y[0] - p), 2.0), 1.0)
    assert np.isclose(dg.derivative(lambda p: run(p, lambda t, y: np.where(
        y[0] > 0.5, t - p, -1.0)), 2.0), 1.0)


def test_a_kink_with_an_infinite_slope_is_refused():
    """The same cusp through a real kink: y' = -y + sqrt(max(t - p, 0)) at p = 0.5, y(2)'s
    exact d/dp = -int_p^2 e^{-(2 - t)} / (2 sqrt(t - p)) dt = -0.50175 (quad); 51793cd
    gave -0.4745 at the default tolerances (refused at 1e-8 by the failed solve).
    Refused at both now, naming the kink."""
    from scipy.integrate import quad
    exact = -quad(lambda t: np.exp(-(2 - t)) * 0.5 / np.sqrt(t - 0.5), 0.5, 2.0,
                  epsabs=1e-13, epsrel=1e-12)[0]
    assert np.isclose(exact, -0.5017468892, rtol=1e-8)
    for rtol in (1e-3, 1e-8):
        def end(p):
            return dg.solve_ivp(lambda t, y: -y + np.sqrt(np.maximum(t - p, 0.0)),
                                (0.0, 2.0), [1.0], rtol=rtol, atol=rtol * 1e-3).y[0, -1]
        with pytest.raises(TypeError, match="np.maximum .* kink near t = 0.5"):
            dg.derivative(end, 0.5)


def test_switches_at_one_moving_place_stay_exact():
    """attack54 19, a regression of 3c58e71's coincidence refusal: switches whose
    crossing times move alike share the term of their summed jump, exactly.  (a) y' =
    -k y + D [t >= p] + E [t > p]: d y(10)/dp = -(D + E) e^{-k (10 - p)}; (b) one lag
    feeding two compartments (two np.where calls): d y_i(10)/d lag = -D_i e^{-k_i (10 -
    lag)} (closed forms)."""
    k, D, E, p0 = 0.5, 2.0, 1.0, 4.0
    d = dg.derivative(lambda p: dg.solve_ivp(
        lambda t, y: -k * y + np.where(t >= p, D, 0.0) + np.where(t > p, E, 0.0),
        (0.0, 10.0), [1.0], rtol=1e-11, atol=1e-12).y[0, -1], p0)
    assert np.isclose(d, -(D + E) * np.exp(-k * (10 - p0)), rtol=1e-8)
    kk, DD = np.array([0.5, 0.2]), np.array([2.0, 3.0])

    def two(lag):
        return dg.solve_ivp(lambda t, y: np.stack([
            -kk[0] * y[0] + np.where(t >= lag, DD[0], 0.0),
            -kk[1] * y[1] + np.where(t >= lag, DD[1], 0.0)]), (0.0, 10.0), [1.0, 0.0],
            rtol=1e-11, atol=1e-12).y[:, -1]
    J = dg.jacobian(lambda th: two(th[0]), np.array([p0]))[:, 0]
    assert np.allclose(J, -DD * np.exp(-kk * (10 - p0)), rtol=1e-8)
