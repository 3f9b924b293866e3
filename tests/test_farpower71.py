"""x ** y's extended-range terms read the rule table's spread ``c * h**4`` (farpower71):
``dispatch._farpower`` evaluates the row's ``(c, h)`` on pairs at every level of a nested
dual, where it built ``y x**(y - 1)`` / ``log(x) x**y`` by hand.

Oracle: mpmath's closed forms at 60 digits (``y x**(y - 1)`` and its partials), a pair
``(m, e)`` read exactly as ``m * 2**e``."""

import dataclasses

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _farpower
from dualgrad.rules._table import RULES, spread_functions

pytestmark = pytest.mark.mp_dps(60)   # (tests/conftest.py)
ROWS = [RULES[np.power], RULES[np.float_power]]


def _exact(pair):
    m, e = pair
    return mp.mpf(float(m)) * mp.mpf(2) ** int(e)


def _close(pair, want, rel=1e-13):
    got = _exact(pair)
    return abs(got - want) <= rel * abs(want)


def _x_and_y(x, y, tag=1):
    """Pairs of ``x`` and ``y`` as duals of tag ``tag`` with directions (dx, dy)."""
    p = _farpower._pair
    return (_farpower._Node(tag, p(x), [p(1.0), p(0.0)]),
            _farpower._Node(tag, p(y), [p(0.0), p(1.0)]))


@pytest.mark.parametrize("rule", ROWS, ids=["power", "float_power"])
@pytest.mark.parametrize("x, y", [(1e-310, -1.0), (1e-310, 2.5), (1e300, -2.5),
                                  (1e-160, 1e-300), (3e300, 2.5)])
def test_the_local_derivatives_and_their_partials_past_the_float_range(rule, x, y):
    # y x**(y - 1) at x = 1e-310, y = -1 is -1e620, its partials 2e930 (d/dx) and
    # x**-2 (1 - log x) = 7.1e622 (d/dy): no float holds them, the pairs do
    X, Y = mp.mpf(x), mp.mpf(y)
    tx, ty = _x_and_y(x, y)
    f0 = _farpower._local(rule, 0, tx, ty)
    assert _close(f0.value, Y * X ** (Y - 1))
    assert _close(f0.parts[0], Y * (Y - 1) * X ** (Y - 2))
    assert _close(f0.parts[1], X ** (Y - 1) * (1 + Y * mp.log(X)))
    f1 = _farpower._local(rule, 1, tx, ty)
    assert _close(f1.value, mp.log(X) * X ** Y)
    assert _close(f1.parts[0], X ** (Y - 1) * (1 + Y * mp.log(X)))
    assert _close(f1.parts[1], X ** Y * mp.log(X) ** 2)


@pytest.mark.parametrize("x, y", [(-1e-160, 3.0), (-1e-160, -3.0), (-1e-310, -2.0),
                                  (-3e300, 4.0)])
def test_a_negative_base_to_an_integer_power_two_levels_down(x, y):
    # the pairs take |x| ** ((y - 1) / 4); the sign of x**(y - 1) is (-1)**(y - 1), and
    # x' / x keeps the partials' signs: y (y - 1) (y - 2) x**(y - 3) one level deeper
    p = _farpower._pair
    inner = _farpower._Node(1, p(x), [p(1.0)])
    tx = _farpower._Node(2, inner, [_farpower._Node(1, p(1.0), [p(0.0)])])
    f = _farpower._local(RULES[np.power], 0, tx, p(y))
    X, Y = mp.mpf(x), mp.mpf(y)
    assert _close(f.value.value, Y * X ** (Y - 1))
    assert _close(f.value.parts[0], Y * (Y - 1) * X ** (Y - 2))
    assert _close(f.parts[0].value, Y * (Y - 1) * X ** (Y - 2))
    assert _close(f.parts[0].parts[0], Y * (Y - 1) * (Y - 2) * X ** (Y - 3))


def test_d_dy_at_a_negative_base_has_no_real_value():
    # log x at x < 0 is NaN as NumPy's: the pairs must not give log |x| there
    tx, ty = _x_and_y(-1e-160, 3.0)
    f = _farpower._local(RULES[np.power], 0, tx, ty)
    assert np.isnan(f.parts[1][0])
    assert _close(f.parts[0], 6 * mp.mpf(-1e-160))


def test_the_extended_range_term_reads_the_rows_spread(monkeypatch):
    # an edited row (c doubled) doubles the nested term it mends: the slope of the jvp
    # of a jvp of u ** k at u = 1e-100, k = 1e-310 (diff65 F4: -inf before stop 66) is
    # 2 k (k - 1) u**(k - 2) P Q under the edit; before farpower71 the term was built by
    # hand and kept -k u**(k - 2) P Q
    row = RULES[np.power]
    edited = dataclasses.replace(row, spread=(("2.0 * y", row.spread[0][1]), row.spread[1]))
    real = _farpower.power_terms
    monkeypatch.setattr(_farpower, "power_terms",
                        lambda rule, *args, **kwargs: real(edited, *args, **kwargs))
    k, u, P, Q = 1e-310, 1e-100, 1e200, 1e-200
    with np.errstate(all="ignore"):
        slope = dg.jvp(lambda z: dg.jvp(lambda w: w[1] ** w[0], z, np.array([0.0, Q]))[1],
                       np.array([k, u]), np.array([0.0, P]))[1]
    K, U = mp.mpf(k), mp.mpf(u)
    want = K * (K - 1) * U ** (K - 2) * mp.mpf(P) * mp.mpf(Q)
    assert abs(mp.mpf(float(slope)) - 2 * want) <= 1e-13 * abs(2 * want)


@pytest.mark.parametrize("spelling", [lambda w: (1e-300 * w[0]) ** w[1],
                                      lambda w: np.sum((1e-300 * w[:1]) ** w[1:])],
                         ids=["scalar", "array"])
@pytest.mark.parametrize("x, y", [(-1e-160, -3.0), (-1e-160, -2.0), (1e-160, -3.0)])
def test_a_far_range_hessian_of_a_negative_base(spelling, x, y):
    # H00 = a**2 y (y - 1) (a w0)**(y - 2): 1.2e201 at a w0 = -1e-160, y = -3, where the
    # float chain's (a w0)**(y - 2) = -1e800 overflows (a guard: right before too)
    w0 = x / 1e-300
    with np.errstate(all="ignore"):
        H = dg.hessian(spelling, np.array([w0, y]))
    A, Y = mp.mpf(1e-300), mp.mpf(y)
    X = A * mp.mpf(w0)
    want = A * A * Y * (Y - 1) * X ** (Y - 2)
    assert abs(mp.mpf(float(H[0, 0])) - want) <= 1e-13 * abs(want)


@pytest.mark.parametrize("rule", [r for r in RULES.values() if r.spread],
                         ids=lambda r: r.name)
def test_every_spread_row_evaluates_on_pairs_as_on_floats(rule):
    # the pairs' vocabulary covers each spread row; in the float range c * h**4 on pairs is
    # the row's float functions' product to a few ulps
    for k, fns in enumerate(spread_functions(rule)):
        if fns is None:
            assert _farpower.spread_pairs(rule, k) is None
            continue
        for x, y in [(1.7, 2.3), (0.3, -1.5), (12.0, 0.5)]:
            c, h = (float(g(np.array([x]), np.array([y]), None)[0]) for g in fns)
            tx, ty = _farpower._pair(x), _farpower._pair(y)
            f = _farpower._local(rule, k, tx, ty)
            assert abs(_exact(f) - mp.mpf(c * h ** 4)) <= 1e-14 * abs(c * h ** 4)
