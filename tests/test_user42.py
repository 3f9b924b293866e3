"""user42 (a pharmacometrician's first day): the refusals met on the way to an inner
optimization, an odeint model and an ``np.r_`` parameter vector say what works, and what
they say is checked against independent oracles (closed forms, the implicit-function
theorem on plain values, a hand-written sensitivity ODE at tight tolerance)."""

import re

import numpy as np
import pytest

import dualgrad as dg

optimize = pytest.importorskip("scipy.optimize")
integrate = pytest.importorskip("scipy.integrate")


def _seir(y, t, beta, sigma, gamma):     # odeint's order (mndiritu/sta6222-2025-2026)
    S, E, I, R = y
    return [-beta * S * I, beta * S * I - sigma * E, sigma * E - gamma * I, gamma * I]


def _sensitivities(p, t):
    """dI(t)/dp from the forward sensitivity system, integrated at rtol 1e-12 (oracle)."""
    def aug(tt, z):
        beta, sigma, gamma = p
        S, E, I, R = z[:4]
        s = z[4:].reshape(4, 3)
        jy = np.array([[-beta * I, 0, -beta * S, 0], [beta * I, -sigma, beta * S, 0],
                       [0, sigma, -gamma, 0], [0, 0, gamma, 0]])
        jp = np.array([[-S * I, 0, 0], [S * I, -E, 0], [0, E, -I], [0, 0, I]])
        return np.r_[_seir(z[:4], tt, *p), (jy @ s + jp).ravel()]
    sol = integrate.solve_ivp(aug, (t[0], t[-1]), np.r_[0.99, 0.01, 0, 0, np.zeros(12)],
                              t_eval=t, method="DOP853", rtol=1e-12, atol=1e-14)
    return sol.y[4:].reshape(4, 3, -1)[2].T


def _odeint_fix(exc):
    return re.search(r"dg\.solve_ivp\(lambda t, y: .*?\)\.y\.T", str(exc)).group(0)


def test_odeint_refusal_writes_odeints_default_tolerances_into_its_fix():
    """Pasted as it was, the fix ran solve_ivp's rtol=1e-3: dI/dp 1.2e-4 off (repro_01)."""
    t = np.linspace(0.0, 200.0, 41)
    p = np.array([0.5, 0.2, 0.1])
    with pytest.raises(TypeError, match=r"scipy\.integrate\.odeint converts") as info:
        dg.jacobian(lambda q: integrate.odeint(_seir, [0.99, 0.01, 0, 0], t,
                                               args=tuple(q))[:, 2], p)
    fix = _odeint_fix(info.value)
    assert "rtol=1.49012e-08, atol=1.49012e-08" in fix and "func(y, t, *args)" in fix

    def pasted(q):                       # the message's spelling, func and args filled in
        func, args, y0 = _seir, tuple(q), [0.99, 0.01, 0, 0]
        return dg.solve_ivp(lambda t_, y: func(y, t_, *args), (t[0], t[-1]), y0, t_eval=t,
                            method="LSODA", rtol=1.49012e-08, atol=1.49012e-08).y.T[:, 2]
    want = _sensitivities(p, t)
    got = dg.jacobian(pasted, p)
    assert np.max(np.abs(got - want)) < 1e-6 * np.max(np.abs(want))
    plain = integrate.odeint(_seir, [0.99, 0.01, 0, 0], t, args=tuple(p))[:, 2]
    np.testing.assert_allclose(pasted(p), plain, atol=1e-6)


def test_odeint_refusal_follows_the_calls_tolerances_order_and_hmax():
    t = np.linspace(0.0, 10.0, 5)
    rhs = lambda t_, y, k: -k * y                                      # noqa: E731
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda k: integrate.odeint(rhs, 1.0, t, args=(k,), tfirst=True,
                                                 rtol=1e-10, atol=1e-12, hmax=0.5)[-1, 0], 0.3)
    fix = _odeint_fix(info.value)
    assert "func(t, y, *args)" in fix and "rtol=1e-10, atol=1e-12, max_step=0.5" in fix
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda k: integrate.odeint(lambda y, t_: -k * y, 1.0, t)[-1, 0], 0.3)
    assert "lambda t, y: func(y, t), " in _odeint_fix(info.value)


def _g(b, p):            # minimum where exp(b) + b = p: db/dp = 1 / (exp(b) + 1)
    return np.sum(np.exp(b) - p * b + 0.5 * b ** 2)


def _argmin_closed(p):
    b = np.zeros_like(p)
    for _ in range(60):                  # Newton on plain floats to machine precision
        b = b - (np.exp(b) + b - p) / (np.exp(b) + 1.0)
    return b, 1.0 / (np.exp(b) + 1.0)


@pytest.mark.parametrize("name", ["minimize", "least_squares", "minimize_scalar", "fmin"])
def test_a_minimizer_on_duals_names_the_newton_steps_not_stop_gradient_alone(name):
    """repro_02: minimize's refusal said 'apply it to dg.stop_gradient(d)'; for a mode that
    moves with p (Laplace, profile likelihood) that gave a gradient 175 % off."""
    calls = {
        "minimize": lambda p: optimize.minimize(_g, np.zeros(2), args=(p,)).x,
        "least_squares": lambda p: optimize.least_squares(lambda b: b - p, np.zeros(2)).x,
        "minimize_scalar": lambda p: optimize.minimize_scalar(lambda b: (b - p[0]) ** 2).x,
        "fmin": lambda p: optimize.fmin(_g, np.zeros(2), args=(p,), disp=False),
    }
    with pytest.raises(TypeError, match=rf"scipy\.optimize\.{name} converts.*Newton steps "
                                        r"on duals.*implicit-function theorem.*"
                                        rf"{name} on dg\.stop_gradient\(p\) alone leaves b "
                                        r"with no derivative"):
        dg.jacobian(calls[name], np.array([0.3, 2.0]))


def test_the_newton_steps_the_minimizer_message_names_give_the_implicit_derivative():
    p = np.array([0.3, 2.0])

    def mode(p):                         # the message's spelling, word for word
        b = optimize.minimize(_g, np.zeros(2), args=(dg.stop_gradient(p),)).x
        for _ in range(2):
            b = b - np.linalg.solve(dg.hessian(_g, b, p), dg.gradient(_g, b, p))
        return b
    b, db = _argmin_closed(p)
    np.testing.assert_allclose(mode(p), b, rtol=1e-14)
    np.testing.assert_allclose(dg.jacobian(mode, p), np.diag(db), rtol=1e-13, atol=1e-15)

    def stopped(p):                      # what the old message led to: no derivative
        return optimize.minimize(_g, np.zeros(2), args=(dg.stop_gradient(p),)).x * 1.0
    assert not np.any(dg.jacobian(lambda q: stopped(q) + 0.0 * q, p))
    # the minimum's value at the plain mode: the right first derivative (-b, envelope)
    value = dg.gradient(lambda q: _g(optimize.minimize(
        _g, np.zeros(2), args=(dg.stop_gradient(q),), tol=1e-12).x, q), p)
    np.testing.assert_allclose(value, -b, rtol=1e-6)


def test_np_r_with_a_dual_names_the_ufunc_and_concatenate():
    """repro_04: np.r_[beta, 0.0] is an object array; np.exp on it raised NumPy's raw
    'loop of ufunc does not support argument 2 of type float which has no callable exp
    method'."""
    beta = np.array([0.1, 0.2])
    with pytest.raises(TypeError, match=r"dualgrad\.gradient: np\.exp received an object "
                                        r"array holding dual numbers.*np\.r_\[\.\.\.\].*"
                                        r"np\.concatenate\(\[p, \[0\.0\]\]\)"):
        dg.gradient(lambda b: np.sum(np.exp(np.r_[b, 0.0])), beta)
    for spelled in (lambda b: np.concatenate([b, [0.0]]), lambda b: np.hstack([b, [0.0]]),
                    lambda b: np.column_stack([b, b])[:, 0]):
        g = dg.gradient(lambda b: np.sum(np.exp(spelled(b))), beta)
        np.testing.assert_allclose(g, np.exp(beta), rtol=1e-15)


def test_readme_curve_fit_jacobian_matches_the_closed_form_of_a_one_compartment_model():
    """kestrel99/pmxTools calc_sd_1cmt_linear_oral_1 (R -> NumPy), README's jac= spelling."""
    def model(t, CL, V, ka):
        k = CL / V
        return (600.0 / V) * (ka / (ka - k)) * (np.exp(-k * t) - np.exp(-ka * t))
    t = np.array([0.5, 1.0, 2.0, 6.0, 12.0, 24.0])
    CL, V, ka = 5.0, 30.0, 0.9
    jac = lambda x, *q: dg.jacobian(lambda r: model(x, *r), np.array(q))   # noqa: E731
    k = CL / V
    e = np.exp(-k * t) - np.exp(-ka * t)
    a = 600.0 / V * ka / (ka - k)
    dk = 600.0 / V * ka / (ka - k) ** 2 * e - a * t * np.exp(-k * t)
    want = np.c_[dk / V, -a / V * e - dk * CL / V ** 2,
                 -600.0 / V * k / (ka - k) ** 2 * e + a * t * np.exp(-ka * t)]
    np.testing.assert_allclose(jac(t, CL, V, ka), want, rtol=1e-13)
