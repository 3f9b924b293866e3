"""dg.solve_ivp's silent holes left by stop 55 (attack55 02, 03, 06): each case exact
against an independent oracle, or refused by name.

y' = -k y + D F((t - p) / s), y(0) = 0, k = 0.5, D = 2, T = 10, p = 3: dy(T)/dp =
-D int_0^T e^{-k (T - t)} F'((t - p) / s) / s dt (closed forms for the uniform ramp and
the exponential's decay; SciPy's quad of the beta density for beta(2, 3)).
"""

import numpy as np
import pytest
from scipy import integrate, stats

import dualgrad as dg
import dualgrad.scipy.stats as ds

K, D, T, P = 0.5, 2.0, 10.0, 3.0
_REFUSED = "switch whose time moves"


def _end(F, **options):
    return lambda p: dg.solve_ivp(lambda t, y: -K * y + D * F(t, p), (0.0, T),
                                  np.array([0.0]), **options).y[0, -1]


def _uniform(s):
    return -D / (K * s) * np.exp(-K * T) * (np.exp(K * (P + s)) - np.exp(K * P))


def _expon(s):
    a = K - 1.0 / s
    return -D / s * np.exp(-K * (T - P)) * np.expm1(a * (T - P)) / a


def _beta(s):
    return -D * integrate.quad(lambda z: np.exp(-K * (T - P - s * z)) * stats.beta.pdf(
        z, 2.0, 3.0), 0.0, 1.0, epsabs=1e-14, epsrel=1e-13)[0]


_CDFS = {"expon": (lambda s: lambda t, p: ds.expon.cdf(t, p, s), _expon),
         "uniform": (lambda s: lambda t, p: ds.uniform.cdf(t, p, s), _uniform),
         "beta": (lambda s: lambda t, p: ds.beta.cdf(t, 2.0, 3.0, p, s), _beta)}


@pytest.mark.parametrize("name", ["beta"])
@pytest.mark.parametrize("s", [1e-3, 1e-6, 1e-9])
def test_finite_support_cdfs_narrower_than_the_steps_are_refused(name, s):
    """attack55 02: 0.0 for -0.0604 at every scale on e7c4bff, no warning (the cdf
    reported no step to the ODE's watch; ds.norm.cdf, which does, was refused).
    expon's and uniform's kinks at their support's ends are followed since ode57 (the
    solve restarts there): exact, tests/test_ode57.py."""
    F = _CDFS[name][0](s)
    assert abs(_CDFS[name][1](s) + D * np.exp(-K * (T - P))) < 1e-3   # (not 0: the
    #                                                               step's -0.0604)
    with pytest.raises(TypeError, match=_REFUSED):
        dg.derivative(_end(F), P)


@pytest.mark.parametrize("name", sorted(_CDFS))
def test_finite_support_cdfs_the_solver_resolves_are_exact(name):
    """The same cdfs at s = 1e-2 and rtol 1e-8: exact against the closed form."""
    F = _CDFS[name][0](1e-2)
    got = dg.derivative(_end(F, rtol=1e-8, atol=1e-10), P)
    assert np.isclose(got, _CDFS[name][1](1e-2), rtol=1e-5)


@pytest.mark.parametrize("spelling", ["clip", "uniform"])
def test_a_ramp_stepped_over_whole_is_restarted_on_and_exact(spelling):
    """attack55 03: np.clip((t - p) / s, 0, 1) and ds.uniform.cdf at s = 1e-2, default
    tolerances: RK45 stepped ~2.97 -> 3.40 over the ramp, 0.0 for -0.0605 on e7c4bff
    (refused by ode56).  Since ode57 the solve restarts on both kinks (their places
    are times the parameters move): the closed form to the tolerance (rtol 1e-3)."""
    s = 1e-2
    F = (lambda t, p: np.clip((t - p) / s, 0.0, 1.0)) if spelling == "clip" else \
        (lambda t, p: ds.uniform.cdf(t, p, s))
    assert _uniform(s) < -0.06
    assert np.isclose(dg.derivative(_end(F), P), _uniform(s), rtol=3e-3)


def test_rk45_across_an_exponential_onset_is_restarted_on_and_exact():
    """attack55 03: RK45 at default tolerances stepped 2.97 -> 3.48 across the kink of
    ds.expon.cdf(t, p, 0.1) at t = p: -0.0484 for -0.0636 (24 %) on e7c4bff (refused
    by ode56).  Since ode57 the solve restarts at the kink: the closed form to rtol."""
    F = _CDFS["expon"][0](0.1)
    assert np.isclose(dg.derivative(_end(F), P), _expon(0.1), rtol=3e-3)


@pytest.mark.parametrize("method", ["DOP853", "Radau", "LSODA"])
def test_an_exponential_onset_the_solver_resolves_is_exact(method):
    """The same onset by methods whose steps resolve the kink (SciPy's own sensitivities
    at these tolerances: 1e-5 .. 1e-3 off), and RK45 at rtol 1e-8."""
    F = _CDFS["expon"][0](0.1)
    got = dg.derivative(_end(F, method=method), P)
    assert np.isclose(got, _expon(0.1), rtol=3e-3)
    got = dg.derivative(_end(F, rtol=1e-8, atol=1e-10), P)
    assert np.isclose(got, _expon(0.1), rtol=1e-5)


def test_a_clamp_of_the_state_stays_exact():
    """A lone kink of the state (np.maximum(y, 0)): no pulse beside it, never refused;
    y' = -1 - k max(y, 0), y(0) = 1: y reaches 0 at t1 = ln(1 + k) / k, y(3) = -(3 - t1),
    dy(3)/dk = dt1/dk = (k / (1 + k) - ln(1 + k)) / k^2."""
    k = 0.8
    closed = (k / (1 + k) - np.log(1 + k)) / k ** 2
    for method in ("RK45", "DOP853", "Radau"):
        got = dg.derivative(lambda q: dg.solve_ivp(
            lambda t, y: -1.0 - q * np.maximum(y, 0.0), (0.0, 3.0), np.ones(1),
            method=method, rtol=1e-10, atol=1e-12).y[0, -1], k)
        assert np.isclose(got, closed, rtol=1e-6)


def _split_oracle(F, p, h):
    """Central differences over p of SciPy's solve_ivp split by hand at t = p."""
    def end(q):
        a = integrate.solve_ivp(lambda t, y: -y + F(t - q), (0.0, q), [0.0],
                                method="DOP853", rtol=1e-12, atol=1e-14)
        b = integrate.solve_ivp(lambda t, y: -y + F(t - q), (q, 2.0), a.y[:, -1],
                                method="DOP853", rtol=1e-12, atol=1e-14)
        return b.y[0, -1]
    return (end(p + h) - end(p - h)) / (2 * h)


_POWERS = {"real 0.3": lambda u: ((u + 0j) ** 0.3).real,
           "imag 0.3": lambda u: ((u + 0j) ** 0.3).imag,
           "real 0.7": lambda u: ((u + 0j) ** 0.7).real,
           "real 0.5": lambda u: ((u + 0j) ** 0.5).real}


@pytest.mark.parametrize("name", sorted(_POWERS))
def test_a_complex_power_s_branch_point_crossed_by_the_operator_is_refused(name):
    """attack55 06: y' = -y + F(t - p) over (0, 2), p = 1, F a complex power spelled
    with ``**``: its branch point was not reported (np.power's is): 0.1568 for 0.2446
    (imag, 0.3), -0.7107 for -0.7309 (real, 0.7) on e7c4bff, no warning."""
    F = _POWERS[name]
    with np.errstate(all="ignore"):
        oracle = _split_oracle(F, 1.0, 1e-5)
    assert abs(oracle) > 0.2                    # (what a silent answer would miss)
    with pytest.raises(TypeError, match="branch point|" + _REFUSED):
        dg.derivative(lambda p: dg.solve_ivp(lambda t, y: -y + F(t - p), (0.0, 2.0),
                                             np.array([0.0])).y[0, -1], 1.0)


def test_a_complex_power_off_its_branch_point_stays_exact():
    """(t - p + 2 + 0j) ** 0.3 over (0, 2) at p = 1: its argument 1 .. 3, no branch
    point crossed; dy(2)/dp = -0.3 int_0^2 e^{-(2 - t)} (t + 1)^-0.7 dt."""
    closed = -0.3 * integrate.quad(lambda t: np.exp(-(2.0 - t)) * (t + 1.0) ** -0.7,
                                   0.0, 2.0, epsabs=1e-14, epsrel=1e-13)[0]
    got = dg.derivative(lambda p: dg.solve_ivp(
        lambda t, y: -y + ((t - p + 2.0 + 0j) ** 0.3).real, (0.0, 2.0), np.array([0.0]),
        rtol=1e-10, atol=1e-12).y[0, -1], 1.0)
    assert np.isclose(got, closed, rtol=1e-7)


@pytest.mark.parametrize("p", [3.0, 9.9, 0.5])
@pytest.mark.parametrize("first_step", [3.0, 0.5])
def test_a_first_step_longer_than_a_piece_of_the_split_span(first_step, p):
    """attack56 05: first_step= valid for the span (SciPy's own call runs) raised SciPy's
    "first_step exceeds bounds" once a moving dose split the span into a shorter piece
    (e7c4bff); dy(T)/dp = -D e^{-k (T - p)}."""
    fun = lambda t, y, q: -K * y + D * (t >= q)
    assert integrate.solve_ivp(lambda t, y: fun(t, y, p), (0.0, T), [0.0],
                               first_step=first_step).status == 0
    got = dg.derivative(lambda q: dg.solve_ivp(lambda t, y: fun(t, y, q), (0.0, T), [0.0],
                                               first_step=first_step, rtol=1e-9,
                                               atol=1e-12).y[0, -1], p)
    assert np.isclose(got, -D * np.exp(-K * (T - p)), rtol=1e-7)


_AT_ENDS = {"dose at t0": (lambda t, y, q: -K * y + D * (t >= q), 0.0),
            "dose at T": (lambda t, y, q: -K * y + D * (t >= q), T),
            "two doses at t0": (lambda t, y, q: -K * y + D * (t >= q) + D * (t >= 2 * q), 0.0),
            "window closing at T": (lambda t, y, q: -K * y + D * (t < q), T)}


@pytest.mark.parametrize("name", sorted(_AT_ENDS))
def test_a_moving_switch_on_a_fixed_end_of_the_span_is_refused(name):
    """attack56 06: y(T) = D int_max(p, 0)^T e^{-k (T - t)} dt has kinks in p at p = 0 and
    p = T (one side's derivative -D e^{-k (T - p)}, the other's 0): e7c4bff answered 0.0
    (left) for one dose at p = 0 and the right derivative -0.0404 for two, no refusal."""
    fun, p = _AT_ENDS[name]
    assert abs(D * np.exp(-K * (T - p))) > 1e-2     # (one side's; the other's is 0)
    with pytest.raises(TypeError, match="span's fixed ends"):
        dg.derivative(lambda q: dg.solve_ivp(lambda t, y: fun(t, y, q), (0.0, T), [0.0],
                                             rtol=1e-9, atol=1e-12).y[0, -1], p)


def test_a_switch_beside_the_end_or_on_a_moving_start_stays_exact():
    """p = 1e-12 (inside the span) and a span that starts at the dose itself (t0 = p, a
    dual: the moving start carries the term): dy(T)/dp = -D e^{-k (T - p)}."""
    fun = lambda t, y, q: -K * y + D * (t >= q)
    got = dg.derivative(lambda q: dg.solve_ivp(lambda t, y: fun(t, y, q), (0.0, T), [0.0],
                                               rtol=1e-9, atol=1e-12).y[0, -1], 1e-12)
    assert np.isclose(got, -D * np.exp(-K * T), rtol=1e-7)
    got = dg.derivative(lambda q: dg.solve_ivp(lambda t, y: fun(t, y, q), (q, T), [0.0],
                                               rtol=1e-9, atol=1e-12).y[0, -1], 3.0)
    assert np.isclose(got, -D * np.exp(-K * (T - 3.0)), rtol=1e-7)
