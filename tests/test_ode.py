"""dg.solve_ivp: SciPy's adaptive solvers with derivatives through the solution, against
closed forms (exponential decay, the matrix exponential's Frechet derivative by Van
Loan's block matrix) and central differences of SciPy's own solve_ivp."""

import warnings

import numpy as np
import pytest

import dualgrad as dg

scipy = pytest.importorskip("scipy")
from scipy.integrate import solve_ivp as scipy_solve_ivp  # noqa: E402
from scipy.linalg import expm  # noqa: E402

TIGHT = {"rtol": 1e-11, "atol": 1e-12}
METHODS = ["RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA"]


def decay(p, **kw):
    """y' = -a y, y(t0) = b over (t0, t1): y(t1) = b exp(-a (t1 - t0))."""
    a, b, t0, t1 = p
    sol = dg.solve_ivp(lambda t, y: -a * y, (t0, t1), [b], **TIGHT, **kw)
    return sol.y[0, -1]


def decay_gradient(p):
    a, b, t0, t1 = p
    e = np.exp(-a * (t1 - t0))
    return np.array([-b * (t1 - t0) * e, e, a * b * e, -a * b * e])


@pytest.mark.parametrize("method", METHODS)
def test_decay_gradient_every_method(method):
    p = np.array([0.5, 2.0, 0.2, 1.3])
    g = dg.gradient(lambda q: decay(q, method=method), p)
    assert np.allclose(g, decay_gradient(p), rtol=1e-7, atol=1e-9)


def stiff_matrix(p):
    return np.array([[-p[0], 1.0, 0.0], [0.0, -p[1], 0.2], [0.1, 0.0, -p[0] * p[1]]])


def linear_final(p, method, T=2.0):
    """y' = A(p) y, y(0) = (1, p2, 0): y(T) = expm(T A) y0."""
    A = stiff_matrix(p)
    sol = dg.solve_ivp(lambda t, y: A @ y, (0.0, T), [1.0, p[2], 0.0], method=method, **TIGHT)
    return sol.y[:, -1]


def linear_jacobian(p, T=2.0):
    """d/dp expm(T A(p)) y0(p): Van Loan's block [[TA, T dA], [0, TA]] gives the
    Frechet derivative in its upper right block."""
    A, y0 = stiff_matrix(p), np.array([1.0, p[2], 0.0])
    cols = []
    for j in range(3):
        dA = np.zeros((3, 3))
        if j == 0:
            dA[0, 0], dA[2, 2] = -1.0, -p[1]
        elif j == 1:
            dA[1, 1], dA[2, 2] = -1.0, -p[0]
        E = expm(np.block([[T * A, T * dA], [np.zeros((3, 3)), T * A]]))
        dy0 = np.array([0.0, 1.0, 0.0]) if j == 2 else np.zeros(3)
        cols.append(E[:3, 3:] @ y0 + E[:3, :3] @ dy0)
    return np.array(cols).T


@pytest.mark.parametrize("method", METHODS)
def test_stiff_linear_jacobian_against_van_loan(method):
    p = np.array([1.0, 40.0, 0.5])
    J = dg.jacobian(lambda q: linear_final(q, method), p)
    want = linear_jacobian(p)
    assert np.max(np.abs(J - want)) < 1e-7 * np.max(np.abs(want))


def lotka(t, y, p):
    return np.stack([p[0] * y[0] - p[1] * y[0] * y[1], -p[2] * y[1] + p[3] * y[0] * y[1]])


def lotka_end(p, method="RK45", **kw):
    sol = scipy_solve_ivp(lotka, (0.0, 5.0), [1.0, 0.5], args=(p,), method=method,
                          rtol=1e-13, atol=1e-13, **kw)
    return sol.y[:, -1]


def central(f, p, h=1e-5):
    cols = []
    for j in range(len(p)):
        e = np.zeros(len(p))
        e[j] = h
        cols.append((-f(p + 2 * e) + 8 * f(p + e) - 8 * f(p - e) + f(p - 2 * e)) / (12 * h))
    return np.array(cols).T


def test_args_t_eval_and_dense_output_against_central_differences():
    p = np.array([1.1, 0.4, 0.9, 0.3])
    times = np.linspace(0.0, 5.0, 6)

    def f(q):
        sol = dg.solve_ivp(lotka, (0.0, 5.0), [1.0, 0.5], args=(q,), t_eval=times,
                           dense_output=True, rtol=1e-12, atol=1e-12)
        assert np.array_equal(sol.t, times)
        mid = sol.sol(2.5)
        return np.concatenate([sol.y[:, -1], sol.y[:, 3], mid, sol.sol([1.0, 4.0])[:, 1]])

    J = dg.jacobian(f, p)

    def oracle(q):
        sol = scipy_solve_ivp(lotka, (0.0, 5.0), [1.0, 0.5], args=(q,), t_eval=times,
                              dense_output=True, rtol=1e-13, atol=1e-13)
        return np.concatenate([sol.y[:, -1], sol.y[:, 3], sol.sol(2.5), sol.sol(4.0)])

    want = central(oracle, p)
    assert np.allclose(J[:4], want[:4], rtol=1e-6, atol=1e-8)
    # dense output interpolates between steps: as accurate as the interpolant
    assert np.allclose(J[4:], want[4:], rtol=1e-4, atol=1e-6)


def test_dual_initial_state_array_and_closure():
    p = np.array([1.1, 0.4, 0.9, 0.3, 1.0, 0.5])

    def f(q):
        rates = q[:4]
        sol = dg.solve_ivp(lambda t, y: lotka(t, y, rates), (0.0, 5.0), q[4:], rtol=1e-12,
                           atol=1e-12)
        return sol.y[:, -1]

    J = dg.jacobian(f, p)

    def oracle(q):
        return scipy_solve_ivp(lambda t, y: lotka(t, y, q[:4]), (0.0, 5.0), q[4:],
                               rtol=1e-13, atol=1e-13).y[:, -1]

    assert np.allclose(J, central(oracle, p), rtol=1e-6, atol=1e-8)


def test_moving_ends_report_dual_times():
    p = np.array([0.5, 2.0, 0.2, 1.3])

    def ends(q):
        sol = dg.solve_ivp(lambda t, y: -q[0] * y, (q[2], q[3]), [q[1]], **TIGHT)
        assert isinstance(sol.t, dg.Dual)
        return np.stack([sol.t[0], sol.t[-1], sol.y[0, 0]])

    J = dg.jacobian(ends, p)
    assert np.array_equal(J[0], [0, 0, 1, 0]) and np.array_equal(J[1], [0, 0, 0, 1])
    assert np.allclose(J[2], [0, 1, 0, 0], atol=1e-12)      # y(t0) = b wherever t0 is


def test_user_jacobian_is_used_for_implicit_methods():
    calls = []

    def jac(t, y, q):
        calls.append(t)
        return np.array([[q[0] - q[1] * y[1], -q[1] * y[0]], [q[3] * y[1], -q[2] + q[3] * y[0]]])

    p = np.array([1.1, 0.4, 0.9, 0.3])

    def f(q):
        return dg.solve_ivp(lotka, (0.0, 5.0), [1.0, 0.5], args=(q,), method="Radau",
                            jac=jac, rtol=1e-10, atol=1e-10).y[:, -1]

    J = dg.jacobian(f, p)
    assert calls
    assert np.allclose(J, central(lambda q: lotka_end(q, "DOP853"), p), rtol=1e-6, atol=1e-8)


def test_vector_atol_covers_the_tangents():
    p = np.array([1.1, 0.4, 0.9, 0.3])
    J = dg.jacobian(lambda q: dg.solve_ivp(lotka, (0.0, 5.0), [1.0, 0.5], args=(q,),
                                           rtol=1e-12, atol=[1e-12, 1e-12]).y[:, -1], p)
    assert np.allclose(J, central(lotka_end, p), rtol=1e-6, atol=1e-8)


def test_without_duals_it_is_scipys_call():
    p = np.array([1.1, 0.4, 0.9, 0.3])
    ours = dg.solve_ivp(lotka, (0.0, 5.0), [1.0, 0.5], args=(p,), rtol=1e-8)
    theirs = scipy_solve_ivp(lotka, (0.0, 5.0), [1.0, 0.5], args=(p,), rtol=1e-8)
    assert np.array_equal(ours.y, theirs.y) and np.array_equal(ours.t, theirs.t)


def test_gradient_jvp_and_jacfwd_agree():
    p = np.array([1.1, 0.4, 0.9, 0.3])

    def total(q):
        return np.sum(dg.solve_ivp(lotka, (0.0, 3.0), [1.0, 0.5], args=(q,), **TIGHT).y[:, -1])

    g = dg.gradient(total, p)
    v = np.array([0.3, -1.0, 0.5, 2.0])
    _, tangent = dg.jvp(total, p, v)
    assert np.allclose(tangent, g @ v, rtol=1e-8)
    assert np.allclose(dg.jacfwd(total)(p), g, rtol=1e-8)


def test_a_hessian_through_the_solver_against_the_closed_form():
    """ode43: nested duals step as one real system; y(t1) = b exp(-a (t1 - t0)), its
    Hessian in (a, b, t0, t1) written out by hand."""
    a, b, t0, t1 = p = np.array([0.5, 2.0, 0.2, 1.3])
    d, e = t1 - t0, np.exp(-a * (t1 - t0))
    want = np.array([[b * d * d * e, -d * e, b * e * (1 - a * d), -b * e * (1 - a * d)],
                     [-d * e, 0.0, a * e, -a * e],
                     [b * e * (1 - a * d), a * e, a * a * b * e, -a * a * b * e],
                     [-b * e * (1 - a * d), -a * e, -a * a * b * e, a * a * b * e]])
    assert np.allclose(dg.hessian(decay, p), want, rtol=1e-8, atol=1e-10)


def test_event_times_carry_derivatives():
    """y' = -a y, y(0) = b crosses 1 at t = ln(b) / a (non-terminal: y(1) as before)."""
    def f(q):
        sol = dg.solve_ivp(lambda t, y: -q[0] * y, (0.0, 5.0), [q[1]],
                           events=lambda t, y: y[0] - 1.0, **TIGHT)
        return np.stack([sol.t_events[0][0], sol.y_events[0][0, 0]])

    a, b = q = np.array([0.5, 2.0])
    J = dg.jacobian(f, q)
    assert np.allclose(J, [[-np.log(b) / a ** 2, 1 / (a * b)], [0.0, 0.0]], atol=1e-9)


def test_bad_output_shape_names_y0():
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        dg.gradient(lambda q: dg.solve_ivp(lambda t, y: q[0] * y[:1], (0.0, 1.0),
                                           [1.0, 2.0]).y[0, -1], np.array([0.5]))


def test_scipy_solve_ivp_message_names_dg_solve_ivp():
    with pytest.raises(TypeError, match=r"dg\.solve_ivp"):
        dg.gradient(lambda q: scipy_solve_ivp(lambda t, y: -q[0] * y, (0.0, 1.0),
                                              [1.0]).y[0, -1], np.array([0.5]))


def test_outside_helpers_with_user_duals():
    a = dg.Dual(0.5, np.array([1.0, 0.0]))
    b = dg.Dual(2.0, np.array([0.0, 1.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sol = dg.solve_ivp(lambda t, y: -a * y, (0.0, 1.0), [b], **TIGHT)
    assert np.allclose(sol.y[0, -1].partials, decay_gradient([0.5, 2.0, 0.0, 1.0])[:2],
                       rtol=1e-8)


def test_the_odeint_spelling_of_the_message_gives_odeints_derivatives():
    """The message for scipy.integrate.odeint names dg.solve_ivp(lambda t, y: func(y, t,
    *args), (t[0], t[-1]), y0, t_eval=t, method="LSODA").y.T: odeint's layout."""
    from scipy.integrate import odeint

    t = np.linspace(0.0, 5.0, 11)
    p = np.array([1.1, 0.4, 0.9, 0.3])

    def func(y, t, q):
        return lotka(t, y, q)

    def ours(q):
        return dg.solve_ivp(lambda s, y: func(y, s, q), (t[0], t[-1]), [1.0, 0.5], t_eval=t,
                            method="LSODA", rtol=1e-12, atol=1e-12).y.T

    J = dg.jacobian(ours, p)
    assert J.shape == (11, 2, 4)
    want = central(lambda q: odeint(func, [1.0, 0.5], t, args=(q,), rtol=1e-13,
                                    atol=1e-13).ravel(), p).reshape(11, 2, 4)
    assert np.allclose(J, want, rtol=1e-6, atol=1e-8)


def test_a_least_squares_fit_with_jacfwd_recovers_the_parameters():
    """A user's fit: least_squares(residuals, jac=dg.jacfwd(residuals)) through the
    solver, from a start far off, reaches the parameters that made the data."""
    from scipy.optimize import least_squares

    t = np.linspace(0.0, 8.0, 25)
    truth = np.array([1.1, 0.4, 0.9, 0.3])
    data = scipy_solve_ivp(lotka, (0.0, 8.0), [1.0, 0.5], args=(truth,), t_eval=t,
                           rtol=1e-12, atol=1e-12).y

    def residuals(q):
        sol = dg.solve_ivp(lotka, (0.0, 8.0), [1.0, 0.5], args=(q,), t_eval=t,
                           rtol=1e-10, atol=1e-12)
        return (sol.y - data).ravel()

    fit = least_squares(residuals, np.array([0.9, 0.5, 1.0, 0.25]), jac=dg.jacfwd(residuals))
    assert np.allclose(fit.x, truth, rtol=1e-6)


def test_parameters_entering_after_t0_restart_with_tangents():
    """fun depends on p only from t = 1 on: SciPy's float call is stopped at the first
    dual fun returns and the solve starts again with the tangents."""
    def f(q):
        def rhs(t, y):
            return -q[0] * y if t > 1.0 else -0.5 * y
        return dg.solve_ivp(rhs, (0.0, 3.0), [2.0], **TIGHT).y[0, -1]

    a = 0.7
    g = dg.gradient(f, np.array([a]))
    want = -2.0 * np.exp(-0.5) * 2.0 * np.exp(-2.0 * a)   # y(3) = 2 e^-0.5 e^(-2a)
    assert np.allclose(g, [want], rtol=1e-7)


def test_an_event_depending_on_the_parameters_moves_the_terminal_column():
    """y' = -y from 2 stops where y = q: y(t_end) = q exactly, t_end = ln(2 / q)."""
    def f(q):
        hit = lambda t, y: y[0] - q[0]                      # noqa: E731
        hit.terminal = True
        sol = dg.solve_ivp(lambda t, y: -y, (0.0, 5.0), [2.0], events=hit, **TIGHT)
        return np.stack([sol.y[0, -1], sol.t[-1]])

    assert np.allclose(dg.jacobian(f, np.array([0.5])), [[1.0], [-1 / 0.5]], atol=1e-9)


def test_backward_complex_and_scalar_states():
    p = np.array([0.5, 2.0, 1.3, 0.2])
    g = dg.gradient(lambda q: dg.solve_ivp(lambda t, y: -q[0] * y, (q[2], q[3]), q[1],
                                           **TIGHT).y[0, -1], p)
    assert np.allclose(g, decay_gradient(p), rtol=1e-7)     # t1 < t0: backward in time
    w = 1.5

    def osc(q):             # y' = i w q0 y: y(T) = q1 exp(i w q0 T)
        sol = dg.solve_ivp(lambda t, y: 1j * w * q[0] * y, (0.0, 2.0), [q[1] + 0j], **TIGHT)
        return np.stack([np.real(sol.y[0, -1]), np.imag(sol.y[0, -1])])

    q = np.array([0.8, 1.2])
    z = q[1] * np.exp(1j * w * q[0] * 2.0)
    want = np.array([1j * w * 2.0 * z, z / q[1]])
    J = dg.jacobian(osc, q)
    assert np.allclose(J, np.stack([want.real, want.imag]), rtol=1e-7, atol=1e-9)


def test_a_constant_jacobian_as_nested_lists():
    A = [[-1.0, 0.5], [0.0, -20.0]]
    p = np.array([1.0, 3.0])

    def f(q):
        return dg.solve_ivp(lambda t, y: np.array(A) @ y, (0.0, 1.0), [q[0], q[1]],
                            method="BDF", jac=A, **TIGHT).y[:, -1]

    assert np.allclose(dg.jacobian(f, p), expm(np.array(A)), rtol=1e-7, atol=1e-9)


def test_a_helper_inside_f_with_the_outer_parameters_in_fun_is_nested():
    """jacobian over q of a gradient over r: fun mixes both calls' duals (its result's
    value is a dual): both calls' levels step together.  y(1) = exp(-q r): d/dr =
    -q exp(-q r), and d/dq of that = (q r - 1) exp(-q r)."""
    def inner(r, q):
        return dg.solve_ivp(lambda t, y: -q[0] * r[0] * y, (0.0, 1.0), [1.0],
                            **TIGHT).y[0, -1]

    J = dg.jacobian(lambda q: dg.gradient(lambda r: inner(r, q), np.array([0.5])),
                    np.array([0.7]))
    assert np.allclose(J, [[(0.35 - 1) * np.exp(-0.35)]], rtol=1e-9)


def test_idle_directions_do_not_loosen_the_tolerance():
    """attack29: SciPy's error norm is an RMS over every component, so k tangents that
    barely move let the state's error grow ~sqrt(k + 1); the tolerances are shrunk by
    sqrt(k + 1): the state is as accurate with 1 or 60 directions."""
    p = np.array([1.1, 0.4, 0.9, 0.3])
    exact = lotka_end(p)

    def err(k):
        seen = []

        def f(v):
            sol = dg.solve_ivp(lotka, (0.0, 5.0), [1.0 + v[0], 0.5], args=(p,), rtol=1e-6,
                               atol=1e-9)
            seen.append(sol.y.value[:, -1])
            return sol.y[:, -1]

        dg.jacobian(f, np.zeros(k))
        return np.max(np.abs(seen[-1] - exact) / np.abs(exact))

    assert err(60) < 3 * err(1) + 1e-12


def test_jac_sparsity_with_the_parameters_in_a_closure_complex_bdf_and_big_lsoda():
    p = np.array([1.1, 0.4, 0.9, 0.3])
    want = central(lambda q: lotka_end(q, "DOP853"), p)    # the truth, whatever the method
    for method in ("Radau", "BDF"):
        J = dg.jacobian(lambda q: dg.solve_ivp(lambda t, y: lotka(t, y, q), (0.0, 5.0),
                                               [1.0, 0.5], method=method,
                                               jac_sparsity=np.ones((2, 2)), rtol=1e-10,
                                               atol=1e-10).y[:, -1], p)
        assert np.allclose(J, want, rtol=1e-5, atol=1e-7), method
    w = 1.5
    J = dg.jacobian(lambda q: np.abs(dg.solve_ivp(lambda t, y: 1j * w * q[0] * y - 0.1 * y,
                                                  (0.0, 2.0), [1.0 + 0j], method="BDF",
                                                  rtol=1e-11, atol=1e-12).y[0, -1]),
                    np.array([0.8]))
    assert np.allclose(J, 0.0, atol=1e-8)       # |y(2)| = exp(-0.2) whatever q0
    m = 150                                     # LSODA: a dense Newton matrix past 400

    def chain(q):
        def rhs(t, y):
            out = -q[0] * y
            return out + np.concatenate([[0.0], 0.01 * y[:-1]]) * q[1]
        return dg.solve_ivp(rhs, (0.0, 1.0), np.ones(m), method="LSODA", rtol=1e-10,
                            atol=1e-12).y[0, -1]

    assert np.allclose(dg.gradient(chain, np.array([2.0, 1.0])), [-np.exp(-2.0), 0.0],
                       rtol=1e-7, atol=1e-12)     # y0' = -q0 y0 alone


def test_a_vector_rtol_covers_the_tangents():
    p = np.array([1.1, 0.4, 0.9, 0.3])
    J = dg.jacobian(lambda q: dg.solve_ivp(lotka, (0.0, 5.0), [1.0, 0.5], args=(q,),
                                           rtol=[1e-12, 1e-12], atol=1e-12).y[:, -1], p)
    assert np.allclose(J, central(lotka_end, p), rtol=1e-6, atol=1e-8)


def test_a_tight_rtol_shrunk_for_the_tangents_gives_no_scipy_warning():
    """The tolerances are shrunk by sqrt(k + 1); below SciPy's floor (100 eps) SciPy
    would warn "rtol is too low" about an rtol the user did not pass."""
    p = np.array([0.5, 2.0, 0.2, 1.3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = dg.gradient(lambda q: dg.solve_ivp(lambda t, y: -q[0] * y, (q[2], q[3]), [q[1]],
                                               rtol=3e-14, atol=1e-14).y[0, -1], p)
    assert np.allclose(g, decay_gradient(p), rtol=1e-9)
