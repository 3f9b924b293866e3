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
def test_a_dose_small_against_fun_is_not_dropped(dose):
    """y' = -k y + dose [t > p]: the jump's term is the dose itself (dc/dp = 1), above a
    hundredth of atol = 1e-12 even for 1e-7: refused until ode53, exact since: -dose
    e^{-k (T - p)} (the tangent ~2e-8 held to atol 1e-12: rtol 1e-5 for the small one)."""
    f = lambda p: dg.solve_ivp(lambda t, y: -0.5 * y + np.where(t > p, dose, 0.0),
                               (0.0, 6.0), [1e3], rtol=1e-10, atol=1e-12).y[0, -1]
    assert np.isclose(dg.derivative(f, 3.1), -dose * np.exp(-0.5 * (6.0 - 3.1)),
                      rtol=1e-8 if dose > 1 else 1e-5)


def test_a_loop_counting_doses_is_exact():
    """A while loop counting the doses given by time t (every 2 h from p): its stopping
    test's count changes by one dose, D = 1 (the loop is not what makes a jump small):
    refused until ode53; each k-th test's crossing located since: doses at p, p + 2,
    p + 4, dy(6)/dp = -sum_j e^{-(6 - p - 2 j) / 2}."""
    def rhs(t, y, p):
        n, due = 0, p
        while t > due and n < 10:
            n, due = n + 1, due + 2.0
        return -0.5 * y + 1.0 * n
    f = lambda p: dg.solve_ivp(rhs, (0.0, 6.0), [1.0], args=(p,), rtol=1e-10,
                               atol=1e-12).y[0, -1]
    want = -sum(np.exp(-0.5 * (6.0 - 0.5 - 2.0 * j)) for j in range(3))
    assert np.isclose(dg.derivative(f, 0.5), want, rtol=1e-8)


def _records(watch, program, q):
    from dualgrad import errors
    saved = errors.watch_branches(watch)
    try:
        watch.start()
        program(q)
        return watch.seen
    finally:
        watch.seen = None
        errors.unwatch_branches(saved)


def _comparisons(q):
    """The comparisons a right-hand side runs, each spelling and operand type the
    recorder's short path takes or hands on."""
    y = q[:3] * np.array([1.0, np.nan, np.inf])
    y > 0
    0.5 < y
    y >= np.float64(1.0)
    y <= 2
    np.greater(y, q[3])
    q[3] > q[4]                         # (scalar duals: the general path)
    y > np.inf                          # inf - inf in the place: NaN
    q[:3] * 0.0 > 1.0                   # (no partials: recorded, a dual)
    np.where(q[:2] > q[2:4], q[:2], 0.0)
    (q[:3] + 0j).real > 0               # (complex parts)
    np.maximum(y, 0.0)                  # (kinks: recorded by a watch of order 2)
    np.fmin(0.5, y)
    np.abs(y - 1.0)
    np.minimum(q[:3], q[2:])
    np.floor(y)


def test_the_recorders_short_path_records_what_the_watch_does():
    """dg.solve_ivp's recorder (ode52's short path for <, <=, >, >=, maximum, minimum,
    fmax, fmin, abs of first-order float array duals) appends the very records dg.quad's
    watch does: the same branch (NaN, ties), line and operands, and nothing where the
    operands do not move (nor kinks at first order)."""
    from dualgrad.api._ode import _Recorder
    from dualgrad.api._quad import _Watch

    def f(q):
        for order, least in ((1, 11), (2, 15)):
            _compare_records(_records(_Recorder(order), _comparisons, q),
                             _records(_Watch(order), _comparisons, q), least)
        return q[0]

    dg.gradient(f, np.array([0.5, -1.0, 2.0, 0.3, 0.7]))


def _compare_records(short, watch, least):
    from dualgrad.dual import Dual, primal
    assert len(short) == len(watch) >= least
    for a, b in zip(short, watch):
        assert a[0] is b[0] and a[2] == b[2]
        assert a[1].dtype == b[1].dtype and a[1].shape == b[1].shape
        assert np.array_equal(a[1], b[1], equal_nan=True)
        assert len(a[3]) == len(b[3])
        for u, v in zip(a[3], b[3]):
            assert type(u) is type(v)
            assert np.array_equal(primal(u), primal(v), equal_nan=True)
            if isinstance(u, Dual):
                assert np.array_equal(u.partials, v.partials, equal_nan=True)


def _ramp_end(spelling, s):
    """y' = ramp(s (t - p)) - y / 10, y(0) = 0, to t = 10: a dose switched on by a ramp
    of width 1 / s at t = p."""
    ramps = {"clip": lambda u: np.clip(u, 0.0, 1.0),
             "min max": lambda u: np.minimum(np.maximum(u, 0.0), 1.0),
             "abs": lambda u: 0.5 * (np.abs(u) - np.abs(u - 1.0)) + 0.5}
    ramp = ramps[spelling]
    return lambda p: dg.solve_ivp(lambda t, y: ramp(s * (t - p)) - 0.1 * y, (0.0, 10.0),
                                  [0.0], rtol=1e-10, atol=1e-12).y[0, -1]


@pytest.mark.parametrize("spelling", ["clip", "min max", "abs"])
@pytest.mark.parametrize("s", [1e11, 1e12])
def test_a_ramp_narrower_than_the_steps_is_refused(spelling, s):
    """attack52 09: the ramp's 1e-11 .. 1e-12 in t lies between the solver's stages, so
    the sensitivities' forcing -s on it is never evaluated: 0.0 on 452f78b for
    -e^{-0.7} = -0.4966 (the closed form's d/dp; SciPy's own differences agree)."""
    with pytest.raises(TypeError, match="ramp narrower than the solver's steps"):
        dg.derivative(_ramp_end(spelling, s), 3.0)


@pytest.mark.parametrize("spelling", ["clip", "min max", "abs"])
def test_a_ramp_the_steps_resolve_stays_exact(spelling):
    """A ramp of width 1e-3: d y(10) / dp = -s int_p^{p + 1/s} e^{-(10 - t) / 10} dt =
    -10 s (e^{-(10 - p - 1/s) / 10} - e^{-(10 - p) / 10})."""
    s, p = 1e3, 3.0
    exact = -10 * s * (np.exp(-(10 - p - 1 / s) / 10) - np.exp(-(10 - p) / 10))
    assert abs(dg.derivative(_ramp_end(spelling, s), p) - exact) < 1e-7


def _decay(p, **kw):
    return dg.solve_ivp(lambda t, y: -p * y, (0.0, 3.0), [1.0], dense_output=True,
                        rtol=1e-10, atol=1e-12, **kw)


def test_the_dense_output_at_a_dual_time_carries_y_prime():
    """attack52 16: sol.sol(s) at a dual s dropped f(s, y(s)) ds (d/ds 0.0 for -0.302):
    y(s) = e^{-p s}, its gradient (-s e^{-p s}, -p e^{-p s}); a vector of times."""
    p, s = 0.7, 1.2
    got = dg.gradient(lambda v: _decay(v[0]).sol(v[1])[0], np.array([p, s]))
    assert np.allclose(got, [-s * np.exp(-p * s), -p * np.exp(-p * s)], rtol=1e-8, atol=0)
    J = dg.jacobian(lambda v: _decay(v[0]).sol(np.stack([v[1], 2 * v[1]]))[0],
                    np.array([p, s]))
    assert np.allclose(J[1], [-2 * s * np.exp(-2 * p * s), -2 * p * np.exp(-2 * p * s)],
                       rtol=1e-8, atol=0)
    # one input in both: y = e^{-2 x^3}, dy/dx = -6 x^2 e^{-2 x^3}
    x = 1.1
    got = dg.derivative(lambda x: dg.solve_ivp(lambda t, y: -x ** 2 * y, (0.0, 3.0), [1.0],
                                               dense_output=True, rtol=1e-10,
                                               atol=1e-12).sol(2 * x)[0], x)
    assert abs(got + 6 * x ** 2 * np.exp(-2 * x ** 3)) < 1e-8


def test_the_dense_output_at_a_dual_start_plus_one_is_constant():
    """attack52 16b: y' = -y from (a, 1) read at a + 1 is e^{-1} for every a (0.368 on
    452f78b: the start's part alone)."""
    f = lambda a: dg.solve_ivp(lambda t, y: -y, (a, 3.0), [1.0], dense_output=True,
                               rtol=1e-10, atol=1e-12).sol(a + 1.0)[0]
    assert abs(dg.derivative(f, 0.2)) < 1e-8


def test_the_dense_output_at_a_dual_time_in_a_hessian_is_refused():
    with pytest.raises(TypeError, match="sol.sol"):
        dg.hessian(lambda v: _decay(v[0]).sol(v[1])[0], np.array([0.7, 1.2]))


@pytest.mark.parametrize("spelling", ["where", "not equal"])
def test_a_moving_end_on_an_equality_hole_takes_the_span_beside_it(spelling):
    """attack52 15b: fun = 1 but 0 at t == p, integrated over (0, p): y(p) = p, dy/dp =
    1 (0.0 on 452f78b: the end's term f(p, y) dp read the hole)."""
    rates = {"where": lambda t, p: np.where(t == p, 0.0, 1.0),
             "not equal": lambda t, p: (t != p) * 1.0}
    rate = rates[spelling]
    f = lambda p: dg.solve_ivp(lambda t, y: rate(t, p) + 0 * y, (0.0, p), [0.0], rtol=1e-10,
                               atol=1e-12).y[0, -1]
    assert abs(dg.derivative(f, 1.3) - 1.0) < 1e-12


def test_a_moving_start_one_rounding_before_a_switch_takes_the_side_after():
    """attack52 17b: 2 [t >= 1.1 p] from t0 = p + 0.1 p, which rounds one ulp below 1.1 p
    at this p: y(3) = 2 (3 - 1.1 p), dy/dp = -2.2 (0.0 on 452f78b); smooth ends exact."""
    p0 = 1.2904937942720482
    f = lambda p: dg.solve_ivp(lambda t, y: np.where(t >= 1.1 * p, 2.0, 0.0) + 0 * y,
                               (p + 0.1 * p, 3.0), [0.0], rtol=1e-10, atol=1e-12).y[0, -1]
    assert abs(dg.derivative(f, p0) + 2.2) < 1e-9
    g = lambda a: dg.solve_ivp(lambda t, y: -a * y, (0.0, 2.0 * a), [1.0], rtol=1e-10,
                               atol=1e-12).y[0, -1]
    assert abs(dg.derivative(g, 0.7) + 2.8 * np.exp(-0.98)) < 1e-8


@pytest.mark.parametrize("spelling", ["//", "// > -1", "divmod"])
def test_a_dose_gated_by_a_floor_division_of_a_scalar_dual_is_refused(spelling):
    """attack52 19: Python's // of a scalar dual records nothing and its partials are 0,
    so the comparison's place, -1 then 0 across t = p, was judged not moving: 0.0 for
    -e^{-2.1} (the dose switching on at t = p)."""
    gates = {"//": lambda t, p: (t - p) // 1.0 >= 0,
             "// > -1": lambda t, p: (t - p) // 1.0 > -1,
             "divmod": lambda t, p: divmod(t - p, 1.0)[0] >= 0}
    gate = gates[spelling]
    f = lambda p: dg.solve_ivp(lambda t, y: 1.0 * gate(t, p) - 0.3 * y, (0.0, 10.0), [0.0],
                               rtol=1e-10, atol=1e-12).y[0, -1]
    _refused(lambda q: dg.derivative(f, q), 3.0)


def test_the_dense_output_at_an_object_array_of_times():
    """attack52 23: sol.sol(np.array([s, 2.0, 2 s])) of scalar duals returned escaped Dual
    objects in dg.jacobian; now the rows of y(t) = e^{-p t} at each time."""
    p, s = 0.7, 1.2
    J = dg.jacobian(lambda v: _decay(v[0]).sol(np.array([v[1], 2.0, 2 * v[1]]))[0],
                    np.array([p, s]))
    assert J.dtype == float
    exact = [[-t * np.exp(-p * t), -p * c * np.exp(-p * t)] for t, c in
             ((s, 1.0), (2.0, 0.0), (2 * s, 2.0))]
    assert np.allclose(J, exact, rtol=1e-8, atol=1e-12)
