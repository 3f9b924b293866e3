"""msgs42: what user42 (a pharmacometrician) was left with.  MINPACK's raw error from
fsolve / root / leastsq on duals, the np.zeros-buffer refusal without the buffer, and
scipy.stats refusals without a formula become messages that name the call and a spelling;
each spelling is cut out of the message, run, and held to an independent oracle (closed
forms, scipy.stats' values, central differences)."""

import re

import numpy as np
import pytest

import dualgrad as dg

optimize = pytest.importorskip("scipy.optimize")


# ---- 1. fsolve / root / leastsq: MINPACK's "not a proper array of floats" ----------------
def _g(x, p):                    # x**3 + x = p per component: dx/dp = 1 / (3 x**2 + 1)
    return x ** 3 + x - p


def _cubic_root(p):
    """The root of x**3 + x = p and its first two derivatives, by Newton on plain floats."""
    x = np.zeros_like(p)
    for _ in range(60):
        x = x - (x ** 3 + x - p) / (3 * x ** 2 + 1)
    d1 = 1 / (3 * x ** 2 + 1)
    return x, d1, -6 * x * d1 ** 3


_P = np.array([0.3, -2.0])
_CALLS = {
    "fsolve": lambda q: optimize.fsolve(lambda b: _g(b, q), np.zeros(2)),
    "fsolve args=": lambda q: optimize.fsolve(_g, np.zeros(2), args=(q,)),
    "root": lambda q: optimize.root(_g, np.zeros(2), args=(q,)).x,
    "root lm": lambda q: optimize.root(lambda b: _g(b, q), np.zeros(2), method="lm").x,
}


def _pasted(message, p, steps):
    """Run the message's two lines, with g, x0 and p filled in."""
    solve = re.search(r"x = ((?:fsolve|root)\(g, x0, .*?\)(?:\.x)?), then", message).group(1)
    step = re.search(r"x = (x - np\.linalg\.solve\(dg\.jacobian\(g, x, p\), g\(x, p\)\))",
                     message).group(1)
    names = {"np": np, "dg": dg, "g": _g, "x0": np.zeros(2), "p": p,
             "fsolve": optimize.fsolve, "root": optimize.root}
    x = eval(solve, names)                                         # noqa: S307
    for _ in range(steps):
        x = eval(step, {**names, "x": x})                          # noqa: S307
    return x


@pytest.mark.parametrize("call, helper", [(c, "jacobian") for c in _CALLS] + [
    ("fsolve", h) for h in ("jacfwd", "gradient", "hessian", "jvp")] + [("root lm", "grad")])
def test_minpack_on_duals_is_our_error_naming_the_finder_and_the_newton_steps(call, helper):
    f = _CALLS[call]
    run = {"jacobian": lambda: dg.jacobian(f, _P), "jacfwd": lambda: dg.jacfwd(f)(_P),
           "gradient": lambda: dg.gradient(lambda q: np.sum(f(q)), _P),
           "hessian": lambda: dg.hessian(lambda q: np.sum(f(q)), _P),
           "jvp": lambda: dg.jvp(f, _P, np.ones(2)),
           "grad": lambda: dg.grad(lambda q: np.sum(f(q)))(_P)}[helper]
    name = call.split()[0]
    with pytest.raises(TypeError) as info:
        run()
    text = str(info.value)
    assert text.startswith(f"dualgrad.{helper}: scipy.optimize.{name} reads f's values "
                           "into a float array in compiled code (MINPACK)")
    assert "dg.stop_gradient(p)" in text and "dg.jacobian(g, x, p)" in text
    assert ("method='lm'" in text) == (call == "root lm")
    assert "not a proper array of floats" in str(info.value.__cause__)


@pytest.mark.parametrize("call", list(_CALLS))
def test_the_minpack_messages_spelling_gives_the_roots_derivatives(call):
    with pytest.raises(TypeError) as info:
        dg.jacobian(_CALLS[call], _P)
    message = str(info.value)
    x, d1, d2 = _cubic_root(_P)
    np.testing.assert_allclose(_pasted(message, _P, 1), x, rtol=1e-12)
    np.testing.assert_allclose(dg.jacobian(lambda q: _pasted(message, q, 1), _P), np.diag(d1),
                               rtol=1e-12, atol=1e-15)
    hess = dg.hessian(lambda q: _pasted(message, q, 2)[1], _P)     # only x1 reads p1
    np.testing.assert_allclose(hess, np.diag([0.0, d2[1]]), rtol=1e-10, atol=1e-14)


def test_leastsq_on_duals_names_the_least_squares_newton_steps():
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda q: optimize.leastsq(lambda b: _g(b, q), np.zeros(2))[0], _P)
    text = str(info.value)
    assert text.startswith("dualgrad.jacobian: scipy.optimize.leastsq reads f's values")
    assert "b = leastsq(r, b0, args=(dg.stop_gradient(p),))[0]" in text
    assert "g(b, p) = 0.5 * np.sum(r(b, p) ** 2)" in text

    def fit(p):                       # the message's spelling, r = _g
        g = lambda b, p: 0.5 * np.sum(_g(b, p) ** 2)               # noqa: E731
        b = optimize.leastsq(_g, np.zeros(2), args=(dg.stop_gradient(p),), xtol=1e-14)[0]
        for _ in range(2):
            b = b - np.linalg.solve(dg.hessian(g, b, p), dg.gradient(g, b, p))
        return b
    np.testing.assert_allclose(dg.jacobian(fit, _P), np.diag(_cubic_root(_P)[1]),
                               rtol=1e-10, atol=1e-14)


def test_a_scalar_fsolve_under_derivative_is_named_too():
    with pytest.raises(TypeError, match=r"^dualgrad\.derivative: scipy\.optimize\.fsolve "):
        dg.derivative(lambda q: optimize.fsolve(lambda b: b ** 3 + b - q, 0.0)[0], 0.3)


def test_minpacks_error_without_duals_stays_minpacks():
    """The same text for a value that is not a number: no dual caused it, so no claim."""
    def f(p):
        return optimize.fsolve(lambda b: ["a", "b"], np.zeros(2)) * p
    with pytest.raises(Exception, match="not a proper array of floats") as info:
        dg.jacobian(f, _P)
    assert not isinstance(info.value, dg.DualTypeError)
