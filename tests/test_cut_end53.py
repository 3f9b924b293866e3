"""A complex argument on a cut's own line (``t - p + 0j``) reaches the branch point as
its real part crosses the cut's end: dg.solve_ivp's switch watch refuses that moving
switch (it returned 0.0 for pi e^-1: the cut's first place, the imaginary part, has no
derivative there).  Oracles: closed forms of y' = -y + g(t - p) over (0, 2) from y = 1,
whose derivative in p is g's step times e^-(2 - p) (rules/_table.py ``_cut_below``)."""

import warnings

import numpy as np
import pytest

import dualgrad as dg


def _final(rhs):
    def f(p):
        return dg.solve_ivp(lambda t, y: rhs(t, y, p), (0.0, 2.0), [1.0],
                            rtol=1e-10, atol=1e-12).y[:, -1]
    return f


# g(t - p) whose imaginary part steps by `jump` (or whose slope is infinite) at t = p
ON_THE_LINE = {
    "log": (lambda t, y, p: -y + np.log(t - p + 0j).imag, np.pi),
    "log2": (lambda t, y, p: -y + np.log2(t - p + 0j).imag, np.pi / np.log(2)),
    "log10": (lambda t, y, p: -y + np.log10(t - p + 0j).imag, np.pi / np.log(10)),
    "log1p": (lambda t, y, p: -y + np.log1p(t - p - 1.0 + 0j).imag, np.pi),
    "log, the argument made complex by a product":
        (lambda t, y, p: -y + np.log((t - p) * (1 + 0j)).imag, np.pi),
    "sqrt (continuous, infinite slope: the solver's sensitivities miss 12 %)":
        (lambda t, y, p: -y + np.sqrt(t - p + 0j).imag, None),
    "power 0.5": (lambda t, y, p: -y + ((t - p + 0j) ** 0.5).imag, None),
}


@pytest.mark.parametrize("name", sorted(ON_THE_LINE))
@pytest.mark.parametrize("p", [1.0, np.array([1.0]), 0.7])
def test_branch_point_on_the_cut_line_is_refused(name, p):
    rhs, _ = ON_THE_LINE[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(TypeError, match="branches to stay put|derivatives to integrate|"
                           "NaN partials at t|partials finite beside"):   # (ode54's names
            dg.jacobian(_final(rhs), p)                                     # of the slope)


def test_the_refusals_split_gives_the_closed_form():
    # the message's spelling: one piece up to the moving place, the next after it
    def f(p):
        first = dg.solve_ivp(lambda t, y: -y + np.pi, (0.0, p), [1.0], rtol=1e-11, atol=1e-13)
        return dg.solve_ivp(lambda t, y: -y, (p, 2.0), first.y[:, -1],
                            rtol=1e-11, atol=1e-13).y[:, -1]
    for p in (0.7, 1.0, 1.3):
        got = dg.jacobian(f, p)
        assert np.allclose(got, np.pi * np.exp(-(2.0 - p)), rtol=1e-8, atol=0)


def test_the_message_names_the_function_once():
    rhs, _ = ON_THE_LINE["sqrt (continuous, infinite slope: the solver's sensitivities miss 12 %)"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(TypeError) as info:
            dg.jacobian(_final(rhs), 1.0)
    assert "np.sqrt of a complex argument" in str(info.value)
    assert "np.np." not in str(info.value)


@pytest.mark.parametrize("p", [0.5, 1.0])
def test_an_argument_off_the_line_stays_exact(p):
    # log(t + i p): no cut met (imaginary part > 0); y(2) = e^-2 + int_0^2 arg(t + i p) e^(t - 2) dt,
    # d/dp = int_0^2 t / (t^2 + p^2) e^(t - 2) dt
    from scipy.integrate import quad
    got = dg.jacobian(_final(lambda t, y, q: -y + np.log(t + 1j * q).imag), p)
    want = quad(lambda t: t / (t * t + p * p) * np.exp(t - 2.0), 0.0, 2.0, epsabs=1e-14)[0]
    assert np.allclose(got, want, rtol=1e-7, atol=0)
