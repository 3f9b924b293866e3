"""dg.solve_ivp's switch watch sees doses made by NaN masking (attack50 10, o4's row I):
``np.where(np.isnan(np.sqrt(t - tlag)), 0, D)`` switches at t = tlag, where the NaN
source's argument crosses its domain's edge; the sensitivities lose the dose's term
(SILENT 0.0 on 73676bd, and a wrong 3.107 where the dose carries the parameter).  The
watch records NaN sources only after the first one met past its edge (smooth right-hand
sides with np.log / np.sqrt record nothing); those stay exact (closed forms; Richardson
central differences of SciPy's solve_ivp for a continuous NaN-masked clamp)."""

import warnings

import numpy as np
import pytest

import dualgrad as dg

pytest.importorskip("scipy")
from scipy.integrate import solve_ivp as scipy_solve_ivp  # noqa: E402

TIGHT = {"rtol": 1e-10, "atol": 1e-12}
K, D, T = 0.5, 2.0, 6.0


def _refused(f, x, *more):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # (fun's own sqrt of t - tlag < 0)
        with pytest.raises(TypeError, match="switch whose time moves") as info:
            f(x)
    text = str(info.value)
    assert "dg.solve_ivp(f_before" in text
    for piece in more:
        assert piece in text
    return text


def _solve(rhs):
    return lambda q: dg.solve_ivp(lambda t, y: rhs(t, y, q), (0.0, T), [1.0],
                                  **TIGHT).y[0, -1]


def test_a_dose_made_by_nan_masking_is_exact():
    """dy(6)/dtlag = -D e^{-K (6 - 3)} = -0.4463 by the closed form; 0.0 before 51,
    refused until ode53, exact since: the NaN source's edge is the sign of its
    argument, the crossing located there and fun's whole jump taken across it."""
    spellings = [
        lambda t, y, q: -K * y + np.where(np.isnan(np.sqrt(t - q)), 0.0, D),
        lambda t, y, q: -K * y + np.where(np.isfinite(np.log(t - q)), D, 0.0),
        lambda t, y, q: -K * y + D * np.nan_to_num(np.log(t - q) * 0.0 + 1.0),
        lambda t, y, q: -K * y + np.fmax(np.sqrt(t - q) * 0.0 + D, 0.0),
    ]
    for rhs in spellings:
        for q in (3.0, 1.3):
            assert np.isclose(dg.derivative(_solve(rhs), q), -D * np.exp(-(T - q) * K),
                              rtol=1e-8)


def test_a_nan_masked_dose_carrying_the_parameter_is_exact():
    """Dose D q after t = q: dy(6)/dq = D / K (1 - e^{-K (6 - q)}) - D q e^{-K (6 - q)}
    = 1.769 at q = 3 (the sensitivities alone gave 3.107; refused until ode53)."""
    rhs = lambda t, y, q: -K * y + np.where(np.isnan(np.sqrt(t - q)), 0.0, D * q)  # noqa: E731
    want = D / K * (1 - np.exp(-3 * K)) - D * 3.0 * np.exp(-3 * K)
    assert np.isclose(dg.derivative(_solve(rhs), 3.0), want, rtol=1e-8)
    _refused(lambda q: dg.hessian(lambda v: _solve(rhs)(v[0]), q), np.array([3.0]))


def test_smooth_right_hand_sides_with_nan_sources_stay_exact():
    """Gompertz y' = -q y log(y) from e: y(T) = exp(e^{-q T}), dy/dq = -T e^{-q T} y(T);
    y' = -q sqrt(y) from 1: y(T) = (1 - q T / 2)^2, dy/dq = -T (1 - q T / 2)."""
    q, t_end = 0.5, 1.0
    gompertz = dg.derivative(lambda p: dg.solve_ivp(
        lambda t, y: -p * y * np.log(y), (0.0, t_end), [np.e], **TIGHT).y[0, -1], q)
    y_end = np.exp(np.exp(-q * t_end))
    assert np.isclose(gompertz, -t_end * np.exp(-q * t_end) * y_end, rtol=1e-7)
    root = dg.derivative(lambda p: dg.solve_ivp(
        lambda t, y: -p * np.sqrt(y), (0.0, t_end), [1.0], **TIGHT).y[0, -1], q)
    assert np.isclose(root, -t_end * (1 - q * t_end / 2), rtol=1e-7)


def test_a_nan_masked_continuous_clamp_is_not_refused():
    """y' = -q sqrt(y) - 0.1 above 0, -0.1 below, spelled np.where(y > 0, np.sqrt(y), 0)
    (sqrt of the negative state is NaN, masked; continuous at y = 0): first order
    exact against Richardson central differences of SciPy's solve_ivp at rtol 1e-12
    while y > 0.  Past y = 0 (t ~ 1.81) the sensitivity's equation has sqrt's infinite
    slope: the dual solve stopped there (status -1) and handed back y(1.81) as the end,
    silently (attack51 21's class); it is refused, naming the singularity, where SciPy's
    float solve reaches t = 3."""
    def rhs(t, y, q):
        return -q * np.where(y > 0, np.sqrt(y), 0.0) - 0.1

    def scipy_end(q, T):
        with np.errstate(invalid="ignore"):
            return scipy_solve_ivp(rhs, (0.0, T), [1.0], args=(q,), rtol=1e-12,
                                   atol=1e-14)

    def dual_end(q, T):
        return dg.solve_ivp(rhs, (0.0, T), [1.0], args=(q,), rtol=1e-11, atol=1e-13).y[0, -1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = dg.derivative(lambda q: dual_end(q, 1.7), 0.8)
        assert scipy_end(0.8, 3.0).status == 0
        with pytest.raises(TypeError, match="integrable singularity"):
            dg.derivative(lambda q: dual_end(q, 3.0), 0.8)
    h = 1e-3
    d1 = (scipy_end(0.8 + h, 1.7).y[0, -1] - scipy_end(0.8 - h, 1.7).y[0, -1]) / (2 * h)
    d2 = (scipy_end(0.8 + 2 * h, 1.7).y[0, -1] - scipy_end(0.8 - 2 * h, 1.7).y[0, -1]) / (4 * h)
    assert np.isclose(g, (4 * d1 - d2) / 3, rtol=1e-6)
