"""attack54 01: steep smooth steps dg.quad's and dg.solve_ivp's step watch did not see:
dualgrad.scipy.stats cdf / sf over the real line with a small scale, exp(log_ndtr(z)),
Student's t cdf, np.arctan2(z, 1), complex tanh / erf on the real line (0.0 or 1e-46 for
-1 / -2 with no warning).  Oracles: closed forms, ``d/dp int_0^2 F((x - p) / s) dx =
F(-p / s) - F((2 - p) / s)`` (-1 for a cdf to 1e-300 here)."""

import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg
from dualgrad.scipy import stats as ds


def _d(F, p):
    return dg.derivative(lambda q: dg.quad(lambda x: F(x, q), 0.0, 2.0)[0], p)


_STEPS = {
    "norm.cdf": (lambda x, p, s: ds.norm.cdf(x, p, s), -1.0),
    "norm.sf": (lambda x, p, s: ds.norm.sf(x, p, s), 1.0),
    "norm.logcdf": (lambda x, p, s: np.exp(ds.norm.logcdf(x, p, s)), -1.0),
    "logistic.cdf": (lambda x, p, s: ds.logistic.cdf(x, p, s), -1.0),
    "laplace.cdf": (lambda x, p, s: ds.laplace.cdf(x, p, s), -1.0),
    "cauchy.cdf": (lambda x, p, s: ds.cauchy.cdf(x, p, s), -1.0),
    "t.cdf": (lambda x, p, s: ds.t.cdf(x, 3.0, p, s), -1.0),
    "stdtr": (lambda x, p, s: sc.stdtr(3.0, (x - p) / s), -1.0),
    "exp log_ndtr": (lambda x, p, s: np.exp(sc.log_ndtr((x - p) / s)), -1.0),
    "arctan2": (lambda x, p, s: np.arctan2((x - p) / s, 1.0) * 2 / np.pi, -2.0),
    "complex tanh": (lambda x, p, s: np.tanh((x - p) / s + 0j).real, -2.0),
    "complex erf": (lambda x, p, s: sc.erf((x - p) / s + 0j).real, -2.0),
}


@pytest.mark.parametrize("name", sorted(_STEPS))
def test_a_step_narrower_than_xs_floats_is_refused(name):
    F, _ = _STEPS[name]
    with pytest.raises(TypeError, match="smooth step"):
        _d(lambda x, p: F(x, p, 1e-11), 0.3)


@pytest.mark.parametrize("name", sorted(_STEPS))
def test_a_step_near_zero_is_split_and_exact(name):
    # at p = 1e-5 x's floats resolve a width of 1e-12: split around it (0.0 / 1e-10 before
    # for the stats rows, stdtr, arctan2)
    F, exact = _STEPS[name]
    assert _d(lambda x, p: F(x, p, 1e-12), 1e-5) == pytest.approx(exact, rel=1e-6)


@pytest.mark.parametrize("name", sorted(_STEPS))
def test_a_wide_step_is_unchanged(name):
    # s = 0.1: F(-p / s) - F((2 - p) / s), each F the float function itself
    F, exact = _STEPS[name]
    p, s = 0.3, 0.1
    closed = float(F(0.0, p, s) - F(2.0, p, s))
    assert _d(lambda x, q: F(x, q, s), p) == pytest.approx(closed, rel=1e-8)


_ODE = {
    "norm.cdf": lambda t, p, s: ds.norm.cdf(t, p, s),
    "logistic.cdf": lambda t, p, s: ds.logistic.cdf(t, p, s),
    "exp log_ndtr": lambda t, p, s: np.exp(sc.log_ndtr((t - p) / s)),
}


@pytest.mark.parametrize("name", sorted(_ODE))
def test_ode_a_step_narrower_than_the_solver_is_refused(name):
    # y' = -k y + D F((t - p) / s): d y(10) / dp = -D e^{-k (10 - p)} (0.0 before)
    F, k, D = _ODE[name], 0.5, 2.0
    end = lambda p: dg.solve_ivp(lambda t, y: -k * y + D * F(t, p, 1e-12), (0.0, 10.0),
                                 [1.0], rtol=1e-10, atol=1e-12).y[0, -1]
    with pytest.raises(TypeError, match="smooth step"):
        dg.derivative(end, 4.0)


@pytest.mark.parametrize("name", sorted(_ODE))
def test_ode_a_resolved_step_is_exact(name):
    # s = 1e-3: -D int_0^10 e^{-k (10 - t)} F'((t - p) / s) / s dt = -D e^{-k (10 - p)}
    # to O(k^2 s^2)
    F, k, D = _ODE[name], 0.5, 2.0
    end = lambda p: dg.solve_ivp(lambda t, y: -k * y + D * F(t, p, 1e-3), (0.0, 10.0),
                                 [1.0], rtol=1e-10, atol=1e-12).y[0, -1]
    assert dg.derivative(end, 4.0) == pytest.approx(-D * np.exp(-k * 6.0), rel=1e-5)


# ---- attack54 06: a smooth step on (or just beside) an end of the range ----------------
_ON_LIMIT = {
    # I(p) = int_0^p tanh(s (x - p)) dx = -log cosh(s p) / s: dI/dp = -tanh(s p)
    "tanh to p": (lambda s: lambda p: dg.quad(lambda x: np.tanh(s * (x - p)), 0.0, p)[0],
                  lambda s, p: -np.tanh(s * p)),
    # J(p) = int_p^2 expit(s (x - p)) dx: dJ/dp = -expit(s (2 - p))
    "expit from p": (lambda s: lambda p: dg.quad(lambda x: sc.expit(s * (x - p)), p, 2.0)[0],
                     lambda s, p: -sc.expit(s * (2 - p))),
    # K(p) = int_0^p erf(s (p - x)) dx: dK/dp = erf(s p)
    "erf to p": (lambda s: lambda p: dg.quad(lambda x: sc.erf(s * (p - x)), 0.0, p)[0],
                 lambda s, p: sc.erf(s * p)),
}


@pytest.mark.parametrize("s", [1e4, 1e5, 1e6])
@pytest.mark.parametrize("name", sorted(_ON_LIMIT))
def test_a_step_on_a_moving_limit_is_split(name, s):
    # 0.0 / -0.5 / 0.0 for -1 / -1 / 1 before (from s = 1e4 - 1e5)
    I, exact = _ON_LIMIT[name]
    assert dg.derivative(I(s), 0.7) == pytest.approx(exact(s, 0.7), rel=1e-8)


@pytest.mark.parametrize("name", sorted(_ON_LIMIT))
def test_a_step_on_a_moving_limit_narrower_than_xs_floats_is_refused(name):
    I, _ = _ON_LIMIT[name]
    with pytest.raises(TypeError, match="smooth step"):
        dg.derivative(I(1e12), 0.7)


@pytest.mark.parametrize("p", [1 + 1e-7, 1 + 3e-7, -1e-7, 1 - 1e-7])
def test_a_step_just_outside_a_fixed_end_is_split(p):
    # d/dp int_0^1 tanh(s (x - p)) dx = tanh(-s p) - tanh(s (1 - p)), s = 1e6 (0.0 before
    # where the place lies outside the range)
    s = 1e6
    got = dg.derivative(lambda q: dg.quad(lambda x: np.tanh(s * (x - q)), 0.0, 1.0)[0], p)
    assert got == pytest.approx(np.tanh(-s * p) - np.tanh(s * (1 - p)), rel=1e-8)


# ---- attack54 07: a clip ramp on a moving limit whose inner end passed the split -------
@pytest.mark.parametrize("s", [2.5e4, 2.9e4, 3e4, 3.1e4, 3.5e4, 31623.0])
def test_a_clip_ramp_on_a_moving_limit_is_exact(s):
    # J(p) = int_0^p clip(s (p - x), 0, 1) e^-x dx: dJ/dp = s (e^-(p - 1/s) - e^-p)
    # (0.2495 for 0.2725 at s = 3e4 before); the lower-limit mirror
    # int_p^3 clip(s (x - p), 0, 1) e^-x dx: -s (e^-p - e^-(p + 1/s))
    p = 1.3
    J = lambda q: dg.quad(lambda x: np.clip(s * (q - x), 0.0, 1.0) * np.exp(-x), 0.0, q)[0]
    assert dg.derivative(J, p) == pytest.approx(s * (np.exp(-(p - 1 / s)) - np.exp(-p)),
                                                rel=1e-7)
    L = lambda q: dg.quad(lambda x: np.clip(s * (x - q), 0.0, 1.0) * np.exp(-x), q, 3.0)[0]
    assert dg.derivative(L, p) == pytest.approx(-s * (np.exp(-p) - np.exp(-(p + 1 / s))),
                                                rel=1e-7)
