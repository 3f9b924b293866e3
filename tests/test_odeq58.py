"""dg.solve_ivp's wraps of a moving time, ``(t - p) % P`` (attack57 23): a periodic forcing
with a moving phase is continuous across each wrap; its crossings are located at the
wrap's integer at once (no bisection of the whole step) and its rounding there is no jump.

y' = -k y + sin(w (t - p)), y(0) = 1, w = 2 pi / P:
dy(T)/dp = -w int_0^T e^{-k (T - s)} cos(w (s - p)) ds, in closed form below.
"""

import numpy as np
import pytest

import dualgrad as dg

K, T, P0 = 0.3, 30.0, 3.3
_REFUSED = "switch whose time moves"


def _closed(period):
    """dy(T)/dp for y' = -k y + sin(w (t - p)): -w Re[e^{-kT - i w p} (e^{(k + i w) T}
    - 1) / (k + i w)]."""
    w = 2 * np.pi / period
    z = K + 1j * w
    return -w * (np.exp(-K * T - 1j * w * P0) * np.expm1(z * T) / z).real


def _solve(g, rtol=1e-8, method="RK45", counter=None):
    def fun(t, y, p):
        if counter is not None:
            counter[0] += 1
        return -K * y + g(t, p)
    return dg.derivative(lambda p: dg.solve_ivp(fun, (0.0, T), [1.0], args=(p,),
                                                method=method, rtol=rtol,
                                                atol=1e-10).y[0, -1], P0)


@pytest.mark.parametrize("method", ["RK45", "LSODA"])
@pytest.mark.parametrize("period", [1.7, 3.0, 5.0, 24.0])
def test_periodic_forcing_with_a_moving_phase_spelled_with_remainder(period, method):
    # f105e82: refused at periods 1.7 / 3 / 5 ("fun's value jumps by 3.66e-15": the
    # wrap's own rounding, read beside a bracket narrower than one ulp of t)
    w = 2 * np.pi / period
    got = _solve(lambda t, p: np.sin(w * ((t - p) % period)), method=method)
    assert got == pytest.approx(_closed(period), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("spelling", ["%", "np.mod", "np.remainder", "divmod"])
def test_the_wrap_spellings_agree(spelling):
    w = 2 * np.pi / 1.7
    wrap = {"%": lambda u: u % 1.7, "np.mod": lambda u: np.mod(u, 1.7),
            "np.remainder": lambda u: np.remainder(u, 1.7),
            "divmod": lambda u: divmod(u, 1.7)[1]}[spelling]
    got = _solve(lambda t, p: np.sin(w * wrap(t - p)))
    assert got == pytest.approx(_closed(1.7), rel=1e-6, abs=1e-8)


def test_a_wrap_costs_a_few_evaluations_at_each_crossing():
    # attack57 23: f105e82 took 345 evaluations of fun for 255 without the wrap (two
    # crossings, each bisected over the whole step: ~45 evaluations), 2.0x the time
    w = 2 * np.pi / 24.0
    wrapped, plain = [0], [0]
    a = _solve(lambda t, p: np.sin(w * ((t - p) % 24.0)), counter=wrapped)
    b = _solve(lambda t, p: np.sin(w * (t - p)), counter=plain)
    assert a == pytest.approx(b, rel=1e-9)
    assert wrapped[0] <= plain[0] + 2 * 8      # two crossings, ~5 evaluations each


@pytest.mark.parametrize("name, g", [
    ("(t - p) % 5", lambda t, p: (t - p) % 5),
    ("1e-3 ((t - p) % 5)", lambda t, p: 1e-3 * ((t - p) % 5)),
    ("(t - p) // 5", lambda t, p: (t - p) // 5),
    ("divmod", lambda t, p: divmod(t - p, 5)[1]),
    ("np.mod", lambda t, p: np.mod(t - p, 5.0)),
])
@pytest.mark.parametrize("method", ["RK45", "LSODA"])
def test_a_wrap_that_jumps_stays_refused(name, g, method):
    # 99ade94's class (ode56 Left (b)): fun jumps at each moving wrap, a term the
    # sensitivities do not hold (-3.97 for 0.0077 before it)
    with pytest.raises(TypeError, match=_REFUSED):
        _solve(g, method=method)


# dg.quad: a kink's moving place tied on a fixed end at second order (diff57 R3, attack57
# d34).  F(p) = int_0^3 g(x - p) dx; where g's first partials jump at the kink, F'' is
# one-sided at p = 0 (the kink's term enters the range from one side only).
_KINK_END = "kinks whose places move to lie off the range's fixed ends"


def _quad_d2(g, p, a=0.0, b=3.0):
    h = lambda q: dg.quad(lambda x: g(x, q), a, b)[0]   # noqa: E731
    return dg.derivative(lambda q: dg.derivative(h, q), p)


def _scipy_sides(g, p, a=0.0, b=3.0, h=1e-4):
    """One-sided second differences of SciPy's float integral (the premise)."""
    from scipy import integrate
    F = lambda q: integrate.quad(lambda x: g(x, q), a, b, points=[q] if a < q < b else None,   # noqa: E731
                                 epsabs=1e-13, epsrel=1e-13, limit=200)[0]
    return ((F(p + 2 * h) - 2 * F(p + h) + F(p)) / h ** 2,
            (F(p - 2 * h) - 2 * F(p - h) + F(p)) / h ** 2)


@pytest.mark.parametrize("name, g, p", [
    ("np.abs", lambda x, p: np.abs(x - p), 0.0),
    ("np.abs at the upper end", lambda x, p: np.abs(x - p), 3.0),
    ("Python abs", lambda x, p: abs(x - p), 0.0),
    ("np.hypot(u, 0)", lambda x, p: np.hypot(x - p, 0.0), 0.0),
    ("np.maximum(u, 0)", lambda x, p: np.maximum(x - p, 0.0), 0.0),
    ("np.minimum(u, 0) at the upper end", lambda x, p: np.minimum(x - p, 0.0), 3.0),
    ("np.abs(u) e^-x", lambda x, p: np.abs(x - p) * np.exp(-x), 0.0),
])
def test_a_kink_tied_on_a_fixed_end_is_refused_at_second_order(name, g, p):
    right, left = _scipy_sides(g, p)
    assert abs(right - left) > 0.5         # premise: F'' is one-sided there
    with pytest.raises(TypeError, match=_KINK_END):   # f105e82: 0.0 (one side's)
        _quad_d2(g, p)


@pytest.mark.parametrize("k", [0.0, 1e2, 1e4, 1e6])
def test_a_steep_formula_outside_the_range_does_not_hide_the_kink(k):
    # attack58 12: np.where(x >= 0, |x - p|, p k x) on [0, 3] at p = 0: the outside
    # formula (never integrated) is what the check reads beside the end; dcb1266 gave
    # the one side's 0.0 at k = 1e4 / 1e6
    g = lambda x, p: np.where(x >= 0, np.abs(x - p), p * k * x)     # noqa: E731
    right, left = _scipy_sides(g, 0.0)
    assert abs(right - left) > 0.5
    with pytest.raises(TypeError, match=_KINK_END):
        _quad_d2(g, 0.0)


def test_a_kink_tied_on_a_fixed_end_in_a_hessian_is_refused():
    H = lambda q: dg.quad(lambda x: np.abs(x - q[0]) * q[1], 0.0, 3.0)[0]   # noqa: E731
    with pytest.raises(TypeError, match=_KINK_END):
        dg.hessian(H, np.array([0.0, 1.0]))
    assert dg.gradient(H, np.array([0.0, 1.0])) == pytest.approx([-3.0, 4.5], abs=1e-9)


@pytest.mark.parametrize("name, g, p, exact", [
    # first partials continuous across the kink: F'' is two-sided
    ("np.maximum(u, 0) ** 2", lambda x, p: np.maximum(x - p, 0.0) ** 2, 0.0, 6.0),
    ("|u| ** 3", lambda x, p: np.abs(x - p) ** 3, 0.0, 27.0),
    ("huber", lambda x, p: np.where(np.abs(x - p) < 1, 0.5 * (x - p) ** 2,
                                    np.abs(x - p) - 0.5), 0.0, 1.0),
    # the kink does not move (p ** 2 |x|), or ties inside the range too (|p| x)
    ("p ** 2 |x|", lambda x, p: np.abs(x) * p ** 2, 0.0, 9.0),
    ("sqrt(x) |u|", lambda x, p: np.sqrt(x) * np.abs(x - p), 0.0, 0.0),
    # attack58 10 (refused by b23f32f): C^2 at the end, one side identically 0
    ("np.maximum(u, 0) ** 3 at the upper end", lambda x, p: np.maximum(x - p, 0) ** 3, 3.0,
     0.0),
    ("np.maximum(-u, 0) ** 3", lambda x, p: np.maximum(p - x, 0) ** 3, 0.0, 0.0),
    ("np.maximum(u, 0) ** 4 at the upper end", lambda x, p: np.maximum(x - p, 0) ** 4, 3.0,
     0.0),
    ("np.maximum(u, 0) ** 2 at the upper end", lambda x, p: np.maximum(x - p, 0) ** 2, 3.0,
     0.0),
    ("np.maximum(u, 0) ** 3 + x^2 p^2 / 2 at the upper end",
     lambda x, p: np.maximum(x - p, 0) ** 3 + 0.5 * x * x * p * p, 3.0, 9.0),
])
def test_a_kink_tied_on_an_end_with_continuous_partials_stays_exact(name, g, p, exact):
    right, left = _scipy_sides(g, p)
    assert right == pytest.approx(left, abs=2e-2)   # premise: F'' two-sided
    assert right == pytest.approx(exact, abs=2e-2)
    assert _quad_d2(g, p) == pytest.approx(exact, rel=1e-7, abs=1e-7)


# dg.solve_ivp: a floor's step (np.floor, //, %) whose moving place is an integer on a
# fixed end of t_span (attack57 05: np.clip(np.floor(t - p + 1), 0, 1) at p = 0 gave
# 0.0, y(T) having a kink in p there); continuous wraps tied there stay exact.
_KE, _DE, _TE = 0.5, 2.0, 10.0
_END = "switches whose places move to lie off the span's fixed ends"


def _yT(G, p):
    return dg.solve_ivp(lambda t, y: -_KE * y + _DE * G(t, p), (0.0, _TE), [1.0],
                        rtol=1e-10, atol=1e-12).y[0, -1]


def _scipy_yT(G, p):
    from scipy.integrate import solve_ivp
    return solve_ivp(lambda t, y: -_KE * y + _DE * G(t, p), (0.0, _TE), [1.0],
                     rtol=1e-12, atol=1e-13, max_step=0.01).y[0, -1]


@pytest.mark.parametrize("name, G", [
    ("np.clip(np.floor(t - p + 1), 0, 1)", lambda t, p: np.clip(np.floor(t - p + 1), 0, 1)),
    ("np.floor((t - p) / 20)", lambda t, p: np.floor((t - p) / 20)),
    ("(t - p) // 20", lambda t, p: (t - p) // 20),
    ("(t - p) % 20", lambda t, p: (t - p) % 20),
    ("np.mod(t - p, 20)", lambda t, p: np.mod(t - p, 20.0)),
])
def test_a_floor_step_tied_on_the_start_is_refused(name, G):
    h = 1e-4
    right = (_scipy_yT(G, h) - _scipy_yT(G, 0.0)) / h
    left = (_scipy_yT(G, 0.0) - _scipy_yT(G, -h)) / h
    assert abs(right - left) > 0.01         # premise: a kink of y(T) in p at p = 0 (its
    #                                         size D e^{-k T} = 0.0135 for a unit jump)
    with pytest.raises(TypeError, match=_END):      # f105e82: 0.0 or -3.97 (one side)
        dg.derivative(lambda q: _yT(G, q), 0.0)


def _sin_closed():
    """dy(T)/dp of y' = -k y + D sin(w (t - p)), p = 0, w = 2 pi / 24."""
    w = 2 * np.pi / 24
    z = _KE + 1j * w
    return -_DE * w * (np.exp(-_KE * _TE) * np.expm1(z * _TE) / z).real


@pytest.mark.parametrize("name, G, exact", [
    ("sin(w ((t - p) % 24))", lambda t, p: np.sin(2 * np.pi * ((t - p) % 24) / 24), None),
    ("sin(w np.mod(t - p, 24))", lambda t, p: np.sin(2 * np.pi * np.mod(t - p, 24.0) / 24),
     None),
    # -D int_0^T e^{-k (T - t)} G'(t) dt with G' = -1 on (0, 10): D (1 - e^{-kT}) / k
    ("a triangle |((t - p) % 20) - 10|", lambda t, p: abs(((t - p) % 20) - 10),
     ("scipy", _DE * (1 - np.exp(-_KE * _TE)) / _KE)),
    ("np.clip(np.floor(t - p + 3), 0, 1)", lambda t, p: np.clip(np.floor(t - p + 3), 0, 1),
     0.0),
])
def test_a_continuous_wrap_tied_on_the_start_stays_exact(name, G, exact):
    if exact is None:
        exact = _sin_closed()
    elif isinstance(exact, tuple):
        exact, h = exact[1], 1e-4
        right = (_scipy_yT(G, h) - _scipy_yT(G, 0.0)) / h
        left = (_scipy_yT(G, 0.0) - _scipy_yT(G, -h)) / h
        assert right == pytest.approx(exact, abs=1e-3)   # premise: two-sided (the
        assert left == pytest.approx(exact, abs=1e-3)    # differences' error O(h))
    got = dg.derivative(lambda q: _yT(G, q), 0.0)
    assert got == pytest.approx(exact, rel=1e-6, abs=1e-7)


@pytest.mark.mp_dps(30)
@pytest.mark.parametrize("method", ["RK45", "LSODA"])
def test_a_wrap_whose_period_is_the_parameter(method):
    # attack58 04: sin(2 pi (t % P) / P) = sin(2 pi t / P), P the dual: refused on
    # f105e82 ("fun's value jumps by 2.91e-15", the wrap's rounding).  Oracle: the same
    # forcing without the wrap, y(9) in closed form differentiated in P by mpmath
    import mpmath as mp

    def y9(P):
        w = 2 * mp.pi / P
        z = mp.mpc(0.3, w)
        return mp.exp(-0.3 * 9) + (mp.exp(-0.3 * 9) * (mp.exp(z * 9) - 1) / z).imag
    exact = float(mp.diff(y9, mp.mpf(2.3)))
    got = dg.derivative(lambda q: dg.solve_ivp(
        lambda t, y: [-0.3 * y[0] + np.sin(2 * np.pi * (t % q) / q)], (0, 9.0), [1.0],
        method=method, rtol=1e-10, atol=1e-12).y[0, -1], 2.3)
    assert got == pytest.approx(exact, rel=1e-7)
