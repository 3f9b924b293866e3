"""ode43: Hessians (nested duals) through dg.solve_ivp, and events= with derivatives.

Oracles: closed forms differentiated by sympy (exponential decay, logistic growth, a
ball under gravity, a one-compartment oral PK curve), central differences of the
first-order sensitivities (dg.gradient through the solver, which tests/test_ode.py
checks against SciPy), and SciPy's own event times for the values."""

import numpy as np
import pytest

import dualgrad as dg

pytest.importorskip("scipy")
sympy = pytest.importorskip("sympy")

TIGHT = {"rtol": 1e-12, "atol": 1e-12}
METHODS = ["RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA"]


def sym_derivatives(expr, names, point):
    """Gradient and Hessian of the sympy expression ``expr`` at ``point``, evaluated
    at 30 digits."""
    xs = sympy.symbols(names)
    subs = dict(zip(xs, [sympy.Float(repr(float(v)), 30) for v in point]))
    grad = [sympy.diff(expr(*xs), x) for x in xs]
    hess = [[sympy.diff(g, x) for x in xs] for g in grad]
    return (np.array([float(g.evalf(30, subs=subs)) for g in grad]),
            np.array([[float(h.evalf(30, subs=subs)) for h in row] for row in hess]))


def decay_end(p, method="RK45", rtol=1e-12):
    k, y0 = p
    return dg.solve_ivp(lambda t, y: -k * y, (0.0, 2.0), [y0], method=method,
                        rtol=rtol, atol=1e-12).y[0, -1]


@pytest.mark.parametrize("method", METHODS)
def test_decay_hessian_in_y0_and_k_every_method(method):
    """y(2) = y0 exp(-2 k): d2/dk2 = 4 y0 e, d2/dk dy0 = -2 e, d2/dy02 = 0; within
    1000 rtol (RK23, third order, at rtol 1e-9: 1e-12 takes it ~10^4 steps)."""
    k, y0 = p = np.array([0.7, 1.3])
    e = np.exp(-2 * k)
    want = np.array([[4 * y0 * e, -2 * e], [-2 * e, 0.0]])
    rtol = 1e-9 if method == "RK23" else 1e-12
    H = dg.hessian(lambda q: decay_end(q, method, rtol), p)
    assert np.abs(H - want).max() < 1e3 * rtol * np.abs(want).max()


def test_hessian_vector_products_and_jacfwd_of_grad_agree_with_hessian():
    p, v = np.array([0.7, 1.3]), np.array([0.3, -1.1])
    H = dg.hessian(decay_end, p)
    assert np.allclose(dg.jacfwd(dg.grad(decay_end))(p), H, rtol=1e-12, atol=1e-14)
    _, hv = dg.jvp(lambda q: dg.gradient(decay_end, q), p, v)
    assert np.allclose(hv, H @ v, rtol=1e-10, atol=1e-12)


def logistic(r, K, y0, t):
    return K / (1 + (K / y0 - 1) * sympy.exp(-r * t)) if isinstance(r, sympy.Basic) \
        else K / (1 + (K / y0 - 1) * np.exp(-r * t))


def test_logistic_hessian_t_eval_dense_output_and_a_moving_end():
    """y' = r y (1 - y / K): y(t) closed form.  y at t_eval's 1.5, sol.sol(2.5) and at
    the moving end T = p[3]: each Hessian against sympy's."""
    p = np.array([0.9, 10.0, 0.5, 3.2])

    def f(q):
        r, K, y0, T = q
        sol = dg.solve_ivp(lambda t, y: r * y * (1 - y / K), (0.0, T), [y0],
                           dense_output=True, **TIGHT)
        fixed = dg.solve_ivp(lambda t, y: r * y * (1 - y / K), (0.0, T), [y0],
                             t_eval=[0.5, 1.5], **TIGHT)
        return np.stack([fixed.y[0, 1], sol.sol(2.5)[0], sol.y[0, -1], sol.t[-1]])

    names = "r K y0 T"
    J = dg.jacobian(f, p)
    HH = dg.jacobian(lambda q: dg.jacobian(f, q), p)
    for i, want_expr in enumerate([lambda r, K, y0, T: logistic(r, K, y0, 1.5),
                                   lambda r, K, y0, T: logistic(r, K, y0, 2.5),
                                   lambda r, K, y0, T: logistic(r, K, y0, T),
                                   lambda r, K, y0, T: T]):
        g, H = sym_derivatives(want_expr, names, p)
        tol = 1e-6 if i == 1 else 1e-8        # (dense output: the interpolant's accuracy)
        assert np.abs(HH[i] - H).max() < tol * max(1.0, np.abs(H).max()), i
        assert np.allclose(J[i], g, rtol=tol, atol=tol)


def test_a_moving_start_with_t_eval():
    """t0 = p[2] moves, y(t0) = y0: y(1.7) = y0 exp(-k (1.7 - t0))."""
    p = np.array([0.7, 1.3, 0.25])

    def f(q):
        k, y0, t0 = q
        sol = dg.solve_ivp(lambda t, y: -k * y, (t0, 2.0), [y0], t_eval=[1.0, 1.7], **TIGHT)
        return sol.y[0, 1]

    _, H = sym_derivatives(lambda k, y0, t0: y0 * sympy.exp(-k * (1.7 - t0)), "k y0 t0", p)
    assert np.abs(dg.hessian(f, p) - H).max() < 1e-9


def ball(p, method="RK45", extra=False):
    """A ball thrown up at v0 from h0 under gravity g, stopped when it lands."""
    h0, v0, g = p

    def land(t, y):
        return y[0]

    land.terminal, land.direction = True, -1

    def apex(t, y):               # v = 0 on the way up: direction -1 (v decreasing)
        return y[1]

    apex.direction = -1
    sol = dg.solve_ivp(lambda t, y: np.stack([y[1], -g + 0 * y[0]]), (0.0, 10.0),
                       [h0, v0], events=[land, apex], method=method, **TIGHT)
    return sol


def t_hit(h0, v0, g):
    return (v0 + sympy.sqrt(v0 ** 2 + 2 * g * h0)) / g


@pytest.mark.parametrize("method", ["RK45", "DOP853", "Radau"])
def test_ball_landing_time_and_velocity_and_the_apex(method):
    """t_hit = v0 / g + sqrt(v0^2 + 2 g h0) / g, v_hit = v0 - g t_hit, t_apex = v0 / g:
    gradients and Hessians against sympy's; the terminal event is sol.t[-1]."""
    p = np.array([1.5, 2.0, 9.81])
    names = "h0 v0 g"
    picks = [(lambda s: s.t_events[0][0], t_hit),
             (lambda s: s.y_events[0][0, 1], lambda h0, v0, g: v0 - g * t_hit(h0, v0, g)),
             (lambda s: s.t[-1], t_hit),
             (lambda s: s.y[1, -1], lambda h0, v0, g: v0 - g * t_hit(h0, v0, g)),
             (lambda s: s.t_events[1][0], lambda h0, v0, g: v0 / g),
             (lambda s: s.y_events[1][0, 0], lambda h0, v0, g: h0 + v0 ** 2 / (2 * g))]
    def f(q):
        sol = ball(q, method)
        return np.stack([pick(sol) for pick, _ in picks])

    J, HH = dg.jacobian(f, p), dg.jacobian(lambda q: dg.jacobian(f, q), p)
    for i, (_, expr) in enumerate(picks):
        g, H = sym_derivatives(expr, names, p)
        assert np.allclose(J[i], g, rtol=1e-9, atol=1e-10)
        assert np.abs(HH[i] - H).max() < 1e-8


def test_event_direction_is_scipys():
    """direction=+1 on y[1] (v rising through 0) never fires for a thrown ball."""
    def f(q):
        up = lambda t, y: y[1]                      # noqa: E731
        up.direction = 1
        sol = dg.solve_ivp(lambda t, y: np.stack([y[1], -q[0] + 0 * y[0]]), (0.0, 1.0),
                           [0.0, 2.0], events=up, **TIGHT)
        assert sol.t_events[0].shape == (0,) and sol.y_events[0].shape == (0, 2)
        return sol.y[0, -1]

    assert np.allclose(dg.gradient(f, np.array([9.81])), [-0.5], rtol=1e-10)


def pk_curve(ka, k, V, dose, t):
    exp = sympy.exp if isinstance(ka, sympy.Basic) else np.exp
    return dose * ka / (V * (ka - k)) * (exp(-k * t) - exp(-ka * t))


def test_pk_threshold_time_hessian():
    """One-compartment oral PK (depot -> central): the time the concentration falls
    below 0.5 (direction -1, after the peak) against sympy's implicit derivative of the
    closed form, and the Hessian of a Gaussian NLL of the concentrations."""
    p = np.array([1.3, 0.25, 20.0])
    dose, times = 100.0, np.array([0.5, 1.0, 2.0, 4.0, 8.0])
    data = np.array([1.9, 2.9, 3.3, 2.4, 1.3])

    def model(q):
        ka, k, V = q
        below = lambda t, y: y[1] / V - 0.5              # noqa: E731
        below.direction = -1
        return dg.solve_ivp(lambda t, y: np.stack([-ka * y[0], ka * y[0] - k * y[1]]),
                            (0.0, 30.0), [dose, 0.0], t_eval=times, events=below, **TIGHT)

    def nll(q):
        return 0.5 * np.sum((model(q).y[1] / q[2] - data) ** 2)

    xs = sympy.symbols("ka k V")
    want = 0.5 * sum((pk_curve(*xs, dose, t) - d) ** 2 for t, d in zip(times, data))
    _, H = sym_derivatives(sympy.Lambda(xs, want), "ka k V", p)
    assert np.abs(dg.hessian(nll, p) - H).max() < 1e-8 * np.abs(H).max()

    # the threshold time: C(t*) = 0.5, dt*/dq = -C_q / C_t, differentiated again
    t_star = model(p).t_events[0][0]
    ka, k, V, t = sympy.symbols("ka k V t")
    C = pk_curve(ka, k, V, dose, t) - sympy.Rational(1, 2)
    Ct = sympy.diff(C, t)
    subs = {ka: p[0], k: p[1], V: p[2], t: t_star}
    grad_t = [-sympy.diff(C, x) / Ct for x in (ka, k, V)]

    def total(e, x):                      # d/dx along t = t*(q)
        return sympy.diff(e, x) + sympy.diff(e, t) * grad_t[(ka, k, V).index(x)]

    H_t = np.array([[float(total(g, x).evalf(30, subs=subs)) for x in (ka, k, V)]
                    for g in grad_t])
    got = dg.hessian(lambda q: model(q).t_events[0][0], p)
    assert np.abs(got - H_t).max() < 1e-7 * np.abs(H_t).max()


def seir(t, y, beta, sigma, gamma):
    S, E, I, R = y[0], y[1], y[2], y[3]
    return np.stack([-beta * S * I, beta * S * I - sigma * E, sigma * E - gamma * I,
                     gamma * I])


def seir_nll(p, data, times):
    sol = dg.solve_ivp(seir, (0.0, times[-1]), [0.99, 0.0, 0.01, 0.0], t_eval=times,
                       args=tuple(p), **TIGHT)
    return 0.5 * np.sum((sol.y[2] - data) ** 2)


def test_seir_hessian_against_central_differences_of_its_gradient():
    """Second-order sensitivities vs 4th-order central differences (h = 1e-4) of the
    first-order ones (dg.gradient through the solver)."""
    times = np.linspace(1.0, 30.0, 8)
    p = np.array([0.9, 0.3, 0.2])
    data = 0.02 + 0.1 * np.sin(times / 10.0)
    H = dg.hessian(lambda q: seir_nll(q, data, times), p)
    h, cols = 1e-4, []
    for j in range(3):
        e = np.zeros(3)
        e[j] = h
        G = [dg.gradient(lambda q: seir_nll(q, data, times), p + s * e) for s in (-2, -1, 1, 2)]
        cols.append((G[0] - 8 * G[1] + 8 * G[2] - G[3]) / (12 * h))
    assert np.allclose(H, np.array(cols).T, rtol=1e-6, atol=1e-9)
    assert np.allclose(H, H.T, rtol=1e-8, atol=1e-12)


def test_seir_peak_time_hessian_against_central_differences():
    """The epidemic peak (I' = 0 going down: an event on fun's I component) and its
    Hessian vs central differences of its gradient."""
    def peak(q):
        def top(t, y, *rates):
            return seir(t, y, *rates)[2]

        top.direction = -1
        sol = dg.solve_ivp(seir, (0.0, 120.0), [0.99, 0.0, 0.01, 0.0], args=tuple(q),
                           events=top, **TIGHT)
        return sol.t_events[0][0]

    p = np.array([0.9, 0.3, 0.2])
    H = dg.hessian(peak, p)
    h, cols = 1e-4, []
    for j in range(3):
        e = np.zeros(3)
        e[j] = h
        G = [dg.gradient(peak, p + s * e) for s in (-2, -1, 1, 2)]
        cols.append((G[0] - 8 * G[1] + 8 * G[2] - G[3]) / (12 * h))
    assert np.allclose(H, np.array(cols).T, rtol=1e-5, atol=1e-7)


def test_a_tangent_event_raises_naming_the_fix():
    """g = (t - 2)^3 is zero at the end t = 2 with dg/dt = 0 there: no derivative."""
    def f(q):
        return dg.solve_ivp(lambda t, y: -q[0] * y, (0.0, 2.0), [1.0],
                            events=lambda t, y: (t - 2.0) ** 3 + 0 * y[0]).t_events[0][0]

    with pytest.raises(TypeError, match="dg/dt = 0"):
        dg.gradient(f, np.array([0.5]))


@pytest.mark.engine_independent
def test_without_duals_events_are_scipys():
    from scipy.integrate import solve_ivp as scipy_solve_ivp

    ev = lambda t, y: y[0] - 1.0                       # noqa: E731
    ours = dg.solve_ivp(lambda t, y: -y, (0.0, 5.0), [2.0], events=ev, **TIGHT)
    theirs = scipy_solve_ivp(lambda t, y: -y, (0.0, 5.0), [2.0], events=ev, **TIGHT)
    assert np.array_equal(ours.t_events[0], theirs.t_events[0])


def test_an_odeint_order_rhs_is_named_and_the_pasted_swap_is_exact():
    """user42: fun(y, t, ...) (odeint's order) gave SciPy's raw "'float' object is not
    subscriptable"; the message names the swap, and the swap gives y0 exp(-k t)'s
    gradient."""
    def rhs(y, t, k):
        return [-k * y[0]]

    with pytest.raises(TypeError, match=r"odeint's order.*lambda t, y, \*args: rhs\(y, t"):
        dg.solve_ivp(rhs, (0.0, 1.0), [1.0], args=(0.5,))
    with pytest.raises(TypeError, match="odeint's order"):
        dg.gradient(lambda q: dg.solve_ivp(rhs, (0.0, 1.0), [1.0], args=(q[0],)).y[0, -1],
                    np.array([0.5]))

    def y1(q):
        return dg.solve_ivp(lambda t, y, *args: rhs(y, t, *args), (0.0, 1.0), [q[1]],
                            args=(q[0],), **TIGHT).y[0, -1]

    k, y0 = q = np.array([0.5, 2.0])
    assert np.allclose(dg.gradient(y1, q), [-y0 * np.exp(-k), np.exp(-k)], rtol=1e-10)


def test_a_time_first_rhs_that_fails_keeps_its_own_error():
    def rhs(t, y):
        return y[5]

    with pytest.raises(IndexError):
        dg.solve_ivp(rhs, (0.0, 1.0), [1.0])
