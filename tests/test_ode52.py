"""dg.solve_ivp's switch watch, stop 52: a loop's stopping test inside fun whose iteration
count changes where its iterate moves by the stopping tolerance (attack51 19b: a Newton
solve to 1e-13 was refused as a moving jump since 605e965's rounding-sized jump test), while
doses, however small against fun, stay refused.  Oracles: brentq's root inside SciPy's
solve_ivp, Richardson central differences; closed forms of linear ODEs with step inputs."""

import numpy as np
import pytest

import dualgrad as dg

pytest.importorskip("scipy")
from scipy.integrate import solve_ivp as scipy_solve_ivp  # noqa: E402
from scipy.optimize import brentq  # noqa: E402


def _refused(f, x):
    with pytest.raises(TypeError, match="switch whose time moves") as info:
        f(x)
    assert "dg.solve_ivp(f_before" in str(info.value)


def _implicit_rate(y, p, tol):
    """u solving u + sin(u) / 2 = p y by Newton from p y, stopped at |residual| < tol."""
    u = 0.0 * p + p * y
    for _ in range(50):
        r = u + 0.5 * np.sin(u) - p * y
        if abs(r) < tol:
            break
        u = u - r / (1.0 + 0.5 * np.cos(u))
    return u


def _implicit_end(p, tol):
    return dg.solve_ivp(lambda t, y: np.atleast_1d(-_implicit_rate(y[0], p, tol)),
                        (0.0, 3.0), [1.0], rtol=1e-10, atol=1e-12).y[0, -1]


def _implicit_oracle(p):
    """d y(3) / dp from brentq's root inside SciPy's solve_ivp: Richardson central
    differences (h = 1e-4, 5e-5)."""
    def end(q):
        rhs = lambda t, y: [-brentq(lambda u: u + 0.5 * np.sin(u) - q * y[0], -10.0, 10.0,
                                    xtol=1e-15)]
        return scipy_solve_ivp(rhs, (0.0, 3.0), [1.0], rtol=1e-12, atol=1e-13).y[0, -1]
    d = [(end(p + h) - end(p - h)) / (2 * h) for h in (1e-4, 5e-5)]
    return (4 * d[1] - d[0]) / 3


@pytest.mark.parametrize("tol", [1e-13, 1e-14])
def test_a_newton_loop_with_a_tight_stopping_tolerance_is_exact(tol):
    """Its iteration count changes where the iterate moves by ~1e-13: a jump of fun of
    ~1e-13, whose term (f_before - f_after) dc/dp is ~1e-13 against tangents held to
    rtol |S| + atol ~ 1e-11 (refused on 88712d0 for tol 1e-13)."""
    got = dg.derivative(lambda p: _implicit_end(p, tol), 0.7)
    assert abs(got - _implicit_oracle(0.7)) < 1e-7


def test_a_newton_loop_with_a_loose_stopping_tolerance_stays_refused():
    """Stopped at 1e-6 the iterate jumps by ~7e-7 where the count changes: its term is
    above the tangents' tolerance (rtol 1e-10), so the derivative would be off by it."""
    _refused(lambda q: dg.derivative(lambda p: _implicit_end(p, 1e-6), q), 0.7)


@pytest.mark.parametrize("dose", [2.0, 1e-7])
def test_a_dose_small_against_fun_stays_refused(dose):
    """y' = -k y + dose [t > p]: the jump's term is the dose itself (dc/dp = 1), above a
    hundredth of atol = 1e-12 even for 1e-7 (exact -dose e^{-k (T - p)})."""
    f = lambda p: dg.solve_ivp(lambda t, y: -0.5 * y + np.where(t > p, dose, 0.0),
                               (0.0, 6.0), [1e3], rtol=1e-10, atol=1e-12).y[0, -1]
    _refused(lambda q: dg.derivative(f, q), 3.1)


def test_a_loop_counting_doses_stays_refused():
    """A while loop counting the doses given by time t (every 2 h from p): its stopping
    test's count changes by one dose, D = 1 (the loop is not what makes a jump small)."""
    def rhs(t, y, p):
        n, due = 0, p
        while t > due and n < 10:
            n, due = n + 1, due + 2.0
        return -0.5 * y + 1.0 * n
    f = lambda p: dg.solve_ivp(rhs, (0.0, 6.0), [1.0], args=(p,), rtol=1e-10,
                               atol=1e-12).y[0, -1]
    _refused(lambda q: dg.derivative(f, q), 0.5)
