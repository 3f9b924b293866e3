"""attack53 03 / 17 / 21 / 25: dg.quad's and dg.solve_ivp's watches gave wrong numbers
with no refusal (or only the limit's generic warning).

03: a root whose argument touches 0 at a moving place (``np.sqrt((x - p) ** 2)`` is
``|x - p|``): second derivatives 1e-15 for 2.  17: a singularity of the partials whose
place moves (``0.5 log((x - p)^2)``, ``expi(x - p)``, ``np.cbrt(x - p)`` between nodes):
a principal value with the limit's warning.  21: a smooth step spelled as a difference
of ``np.logaddexp``'s: 0.0 for -1 at s = 1e12.  25: second derivatives through a steep
smooth step the nodes resolve only to x's floats: -458.5 for -2.  Oracles: closed forms,
central differences of ``scipy.integrate.quad`` (a peer).
"""

import warnings

import numpy as np
import pytest
import scipy.integrate as si
import scipy.special as sc

import dualgrad as dg

P = 0.3


def _d1(g, a, b, p=P, **kw):
    return dg.derivative(lambda q: dg.quad(lambda x: g(x, q), a, b, **kw)[0], p)


def _d2(g, a, b, p=P, **kw):
    return dg.derivative(lambda r: dg.derivative(
        lambda q: dg.quad(lambda x: g(x, q), a, b, **kw)[0], r), p)


def _scipy_d2(g, a, b, p=P, h=1e-3):
    """Central second difference of SciPy's quad of the float integrand."""
    F = lambda q: si.quad(lambda x: g(x, q), a, b, epsabs=1e-14, epsrel=1e-14,
                          limit=200)[0]
    return (F(p + h) - 2 * F(p) + F(p - h)) / h ** 2


# ---- 03: a root whose argument touches 0 -----------------------------------------------
_ABS_SPELLINGS = {
    "sqrt of a square": lambda x, p: np.sqrt((x - p) ** 2),
    "norm of one": lambda x, p: np.linalg.norm(np.array([x - p])),
    "** 0.5": lambda x, p: ((x - p) ** 2) ** 0.5,
    "np.power 0.5": lambda x, p: np.power((x - p) ** 2, 0.5),
    "sqrt of np.square": lambda x, p: np.sqrt(np.square(x - p)),
    "std of two": lambda x, p: 2.0 * np.std(np.array([1.0, 0.0]) * x +
                                            np.array([0.0, 1.0]) * p),
    "cholesky": lambda x, p: np.linalg.cholesky(
        np.diag([1.0, 0.0]) * (x - p) ** 2 + np.diag([0.0, 1.0]))[0, 0],
}


@pytest.mark.parametrize("name", sorted(_ABS_SPELLINGS))
def test_a_root_touching_zero_is_refused_at_second_order(name):
    g = _ABS_SPELLINGS[name]
    # int_0^3 |x - p| dx = p^2 / 2 + (3 - p)^2 / 2: d1 = 2 p - 3 (exact, as before)
    assert _d1(g, 0.0, 3.0) == pytest.approx(2 * P - 3, rel=1e-8)
    with pytest.raises(TypeError, match="touches 0"):    # d2 = 2 (1e-15 before)
        _d2(g, 0.0, 3.0)


def test_a_root_touching_zero_times_a_weight_is_refused():
    g = lambda x, p: np.sqrt(np.square(x - p)) * x
    assert _d1(g, 0.0, 3.0) == pytest.approx(P ** 2 - 4.5, rel=1e-8)
    with pytest.raises(TypeError, match="touches 0") as info:
        _d2(g, 0.0, 3.0)
    text = str(info.value)
    assert "dualgrad.quad" in text and "Split the range" in text


def test_a_root_whose_argument_stays_away_from_zero_is_exact():
    g = lambda x, p: np.sqrt(1.0 + (x - p) ** 2) * x
    assert _d2(g, 0.0, 3.0) == pytest.approx(_scipy_d2(g, 0.0, 3.0), rel=1e-6)


def test_a_cholesky_diagonal_away_from_zero_is_exact():
    g = lambda x, p: np.linalg.cholesky(np.diag([1.0, 0.0]) * (1.0 + (x - p) ** 2) +
                                        np.array([[0.0, 0.5], [0.5, 2.0]]))[1, 1] * x
    h = lambda x, p: np.sqrt(2.0 - 0.25 / (1.0 + (x - p) ** 2)) * x    # its closed form
    assert _d2(g, 0.0, 3.0) == pytest.approx(_scipy_d2(h, 0.0, 3.0), rel=1e-6)


def test_a_root_touching_zero_where_the_place_stays_put_is_exact():
    # sqrt((x - 1)^2) p^2: d2 = 2 int_0^3 |x - 1| dx = 2 (1/2 + 2) = 5
    assert _d2(lambda x, p: np.sqrt((x - 1.0) ** 2) * p ** 2, 0.0, 3.0) == \
        pytest.approx(5.0, rel=1e-10)


def test_a_root_of_a_moving_argument_inside_its_domain_is_exact():
    # int_0^3 sqrt(x p) dx = sqrt(p) 2 / 3 3^1.5: d2 = -p^-1.5 / 4 * 2 / 3 * 3^1.5
    exact = -0.25 * P ** -1.5 * (2 / 3) * 3 ** 1.5
    assert _d2(lambda x, p: np.sqrt(x * p), 0.0, 3.0) == pytest.approx(exact, rel=1e-8)


def _ode_end(p, g):
    return dg.solve_ivp(lambda t, y: np.array([g(t, p)]), (0.0, 3.0), np.array([0.0]),
                        rtol=1e-10, atol=1e-12).y[0, -1]


def test_ode_a_root_touching_zero_is_refused_at_second_order():
    g = lambda t, p: np.sqrt((t - p) ** 2)
    assert dg.derivative(lambda p: _ode_end(p, g), P) == pytest.approx(2 * P - 3,
                                                                       rel=1e-7)
    with pytest.raises(TypeError, match="touches 0"):     # 2.7e-15 for 2 before
        dg.derivative(lambda r: dg.derivative(lambda p: _ode_end(p, g), r), P)


def test_ode_a_root_away_from_zero_is_exact_at_second_order():
    g = lambda t, p: np.sqrt(1.0 + (t - p) ** 2) * t
    got = dg.derivative(lambda r: dg.derivative(lambda p: _ode_end(p, g), r), P)
    assert got == pytest.approx(_scipy_d2(g, 0.0, 3.0), rel=1e-6)


# ---- 17: a singularity of the partials whose place moves --------------------------------
@pytest.mark.parametrize("limit", [50, 1000])
@pytest.mark.parametrize("name", ["log", "expi"])
def test_a_moving_log_singularity_is_refused(name, limit):
    # exact: log(1 + p) - log(1 - p) = 0.619 and expi(-1 - p) - expi(1 - p) = -1.200;
    # before: -1.353 and -3.173 with the limit's warning alone
    g = {"log": lambda x, p: 0.5 * np.log((x - p) ** 2),
         "expi": lambda x, p: sc.expi(x - p)}[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TypeError, match="grow like") as info:
            _d1(g, -1.0, 1.0, limit=limit)
    assert "moves with the parameters" in str(info.value)


def test_an_infinite_slope_between_nodes_is_refused():
    # d/dp int_0^2 cbrt(x - p) dx at p = 0.3: no node lands on p (6e-6 off with the
    # limit's warning before)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TypeError, match="grow like"):
            _d1(lambda x, p: np.cbrt(x - p), 0.0, 2.0)


def test_the_refusals_fix_is_exact():
    # the split it names, with the moving place as a limit: -(cbrt(2 - p) - cbrt(-p))
    got = dg.derivative(lambda p: dg.quad(lambda x: np.cbrt(x - p), 0.0, p)[0] +
                        dg.quad(lambda x: np.cbrt(x - p), p, 2.0)[0], P)
    assert got == pytest.approx(-(np.cbrt(2.0 - P) - np.cbrt(-P)), rel=1e-8)


@pytest.mark.parametrize("g, exact", [
    # singular places that stay put: the value's own integrals
    (lambda x, p: p * np.log(np.abs(x - 0.7)), 0.3 * np.log(0.3) - 1 + 0.7 * np.log(0.7)),
    (lambda x, p: np.log(x) * p, -1.0),
    (lambda x, p: x ** -p, 1.0 / (1.0 - P) ** 2),
])
def test_a_singularity_that_stays_put_is_not_refused(g, exact):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _d1(g, 0.0, 1.0) == pytest.approx(exact, rel=1e-6)


# ---- 21: smooth steps through np.logaddexp ---------------------------------------------
def _softstep(z):
    return np.logaddexp(0, z) - np.logaddexp(0, z - 1)


def test_a_logaddexp_step_narrower_than_xs_floats_is_refused():
    with pytest.raises(TypeError, match="logaddexp"):        # 0.0 for -1 before
        _d1(lambda x, p: _softstep(1e12 * (x - p)), 0.0, 3.0, p=1.2345)


@pytest.mark.parametrize("s, p", [(1e12, 2e-4), (1e3, 1.2345), (1e5, 0.5)])
def test_a_logaddexp_step_is_split_or_resolved(s, p):
    # the step rises 0 -> 1 over z in [0, 1], symmetric about z = 1/2:
    # d/dp int_-1^3 step(s (x - p)) x dx = -[step x]_-1^3 + int step dx = -p - 1 / (2 s)
    got = _d1(lambda x, q: _softstep(s * (x - q)) * x, -1.0, 3.0, p=p)
    assert got == pytest.approx(-p - 0.5 / s, rel=1e-8)


# ---- 25: second derivatives through steep smooth steps ---------------------------------
@pytest.mark.parametrize("s", [1e7, 1e8, 1e10])
@pytest.mark.parametrize("step", [np.tanh, sc.expit])
def test_second_derivatives_through_a_steep_step_are_refused(step, s):
    g = lambda x, p: step(s * (x - p)) * x
    # first order: d/dp = -int step' s x = -(2 or 1) p + O(1/s) (exact as before)
    assert _d1(g, 0.0, 3.0, p=1.2345) == pytest.approx(
        -(2.0 if step is np.tanh else 1.0) * 1.2345, rel=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TypeError, match="too narrow"):   # -458.5 for -2 at 1e10
            _d2(g, 0.0, 3.0, p=1.2345)


@pytest.mark.parametrize("s", [1e5, 3e5])
@pytest.mark.parametrize("step, exact", [(np.tanh, -2.0), (sc.expit, -1.0)])
def test_second_derivatives_through_a_narrow_step_the_rule_meets_are_computed(step, exact,
                                                                              s):
    # attack54 14: the rule met its tolerances there (no limit): within them of the
    # closed form (d2 int_0^2 step(s (x - p)) x dx = -2 / -1 to e^-1e3); refused by
    # the first version of the width test
    g = lambda x, p: step(s * (x - p)) * x
    assert _d2(g, 0.0, 2.0, p=0.7) == pytest.approx(exact, rel=5e-8)


@pytest.mark.parametrize("step, exact", [(np.tanh, -2.0), (sc.expit, -1.0)])
def test_second_derivatives_through_a_resolved_step_are_exact(step, exact):
    g = lambda x, p: step(1e3 * (x - p)) * x
    assert _d2(g, 0.0, 3.0, p=1.2345) == pytest.approx(exact, rel=1e-7)


def _ode_step_end(p, step, s):
    return dg.solve_ivp(lambda t, y: np.array([step(s * (t - p)) * t]), (0.0, 3.0),
                        np.array([0.0]), rtol=1e-10, atol=1e-12).y[0, -1]


@pytest.mark.parametrize("s", [1e6, 1e8])
@pytest.mark.parametrize("step", [np.tanh, sc.expit])
def test_ode_second_derivatives_through_a_steep_step_are_refused(step, s):
    # y(3) = int_0^3 step(s (t - p)) t dt: d1 = -(2 or 1) p (exact as before), d2 = -2 or
    # -1 (tanh at s = 1e8: -1.656 before)
    k = 2.0 if step is np.tanh else 1.0
    assert dg.derivative(lambda p: _ode_step_end(p, step, s), 1.2345) == pytest.approx(
        -k * 1.2345, rel=1e-6)
    with pytest.raises(TypeError, match="smooth step"):
        dg.derivative(lambda r: dg.derivative(lambda p: _ode_step_end(p, step, s), r),
                      1.2345)


@pytest.mark.parametrize("step, exact", [(np.tanh, -2.0), (sc.expit, -1.0)])
def test_ode_second_derivatives_through_a_resolved_step_are_exact(step, exact):
    got = dg.derivative(lambda r: dg.derivative(lambda p: _ode_step_end(p, step, 1e3), r),
                        1.2345)
    assert got == pytest.approx(exact, rel=1e-6)


# ---- attack54 03: a continuous moving cusp is named as such, its split exact ------------
@pytest.mark.parametrize("a, p", [(0.5, 1.3), (0.3, 1.3), (0.5, 1.5)])
def test_a_moving_cusp_is_refused_as_an_infinite_slope(a, p):
    g = lambda x, q: x * np.abs(x - q) ** a
    with pytest.raises(TypeError, match="infinite slope") as info:
        _d1(g, 0.0, 3.0, p=p)
    assert "a jump" not in str(info.value)
    # the split it names, the place a moving limit: d/dp of int_0^3 x |x - p|^a dx =
    # int_0^p ... + int_p^3 ..., each in closed form (x = p -+ u): with
    # F(u) = u^(a+1) / (a+1), G(u) = u^(a+2) / (a+2): I = p F(p) - G(p) + p F(3 - p) + G(3 - p)
    d = lambda q: (q * q ** (a + 1) / (a + 1) - q ** (a + 2) / (a + 2) +
                   q * (3 - q) ** (a + 1) / (a + 1) + (3 - q) ** (a + 2) / (a + 2))
    exact = (d(p + 1e-6) - d(p - 1e-6)) / 2e-6
    split = dg.derivative(lambda q: dg.quad(lambda x: g(x, q), 0.0, q)[0] +
                          dg.quad(lambda x: g(x, q), q, 3.0)[0], p)
    assert split == pytest.approx(exact, rel=1e-8)


def test_a_jump_beside_a_cusp_is_still_a_jump():
    g = lambda x, q: np.where(x < q, np.sqrt(np.abs(x - q)) + 1.0, 0.0)
    with pytest.raises(TypeError, match="a jump whose place moves"):
        _d1(g, 0.0, 3.0, p=1.3)
