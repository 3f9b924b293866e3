"""x ** y's far-range slopes (power65; diff64's holes), against mpmath (50 digits).

Where y x**(y - 1) overflows, the power row's two steps ``(p / x) (y out)`` need ``y *
out`` finite: at x = 1e-310, y = -1 it is -inf already, and d/dt (x + dx t)**y with dx =
5e-324 was -inf for -4.9e296; at x = 5e-324, y = 1e-310 the other order ``(p y out) /
x`` underflowed in ``p y out`` (0 for 2.0e-287 with dx = 1e-300).  d/dy's ``out *
log(x)`` overflowed with ``out`` (x = 1e-310, y = -1, dy = 1e-300: -inf for -7.1e12).
The row's spread form ``c * h**4`` (``h`` the base to a quarter of the exponent) takes
such products by mantissas and exponents where that is finite and normal; elsewhere
nothing changes (``python bench/power_far.py --compare DIR``)."""
import warnings

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg

SPELLINGS = {"**": lambda a, b: a ** b, "np.power": np.power, "np.float_power": np.float_power}


def _slopes(f, x, dx, y, dy):
    """d/dt f(x + dx t, y + dy t) at t = 0: a scalar path, an array path of three
    elements (the general path) and of 200 (x among ordinary bases)."""
    big = np.linspace(1.0, 2.0, 200)
    big[7] = x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [dg.derivative(lambda t: f(x + dx * t, y + dy * t), 0.0),
                dg.jacobian(lambda t: f(x + dx * t[0] * np.ones(3), y + dy * t[0]),
                            np.zeros(1))[1, 0],
                dg.jacobian(lambda t: f(big + dx * t[0] * (np.arange(200) == 7), y + dy * t[0]),
                            np.zeros(1))[7, 0]]


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize("x, y, dx, dy", [
    (1e-310, -1.0, 5e-324, 0.0),        # y * out is -inf: no two steps
    (1e-200, -2.0, 1e-300, 0.0),
    (5e-324, 1e-310, 1e-300, 0.0),      # (p y out) / x underflowed in p y out
    (1e200, 2.6, 1e-100, 0.0),          # out and y x**(y - 1) overflow, the slope not
    (1e-310, -1.0, 0.0, 1e-300),        # d/dy: out * log(x) overflowed with out
    (1e154, 3.715473032872256, 0.0, 5e-324),    # ... beside a subnormal partial, whose
    # product with log(x) alone is subnormal (1e-3 off taken first: no step may underflow)
    (1e-310, -1.0, 5e-324, 1e-300)])
def test_far_range_power_slopes(spelling, x, y, dx, dy):
    with mp.workdps(50):
        X, Y = mp.mpf(x), mp.mpf(y)
        want = float(Y * X ** (Y - 1) * mp.mpf(dx) + X ** Y * mp.log(X) * mp.mpf(dy))
    assert np.isfinite(want) and want != 0.0
    for got in _slopes(SPELLINGS[spelling], x, dx, y, dy):
        assert abs(got - want) <= 1e-13 * abs(want), (got, want)


@pytest.mark.parametrize("ufunc", [np.power, np.float_power])
def test_the_spread_form_is_the_rows_derivative(ufunc):
    """Each power row's ``spread`` pair ``(c, h)`` gives ``c * h**4``, its local
    derivative (the row's whole function) on ordinary positive bases, to a few ulps,
    and ``spread_product`` that times a partial where the one number cannot."""
    from dualgrad.rules._table import RULES, derivative_functions, spread_functions, \
        spread_product
    rule = RULES[ufunc]
    rng = np.random.default_rng(65)
    x, y = rng.uniform(0.1, 5.0, 50), rng.uniform(-3.0, 3.0, 50)
    out = ufunc(x, y)
    for whole, (c, h) in zip(derivative_functions(rule), spread_functions(rule)):
        want = whole(x, y, out)
        got = c(x, y, out) * h(x, y, out) ** 4
        assert np.all(np.abs(got - want) <= 1e-14 * np.abs(want))
        p = np.full((50, 1), 1e-300)
        assert np.allclose(spread_product(c(x, y, out), h(x, y, out), p)[:, 0] * 1e300, want,
                           rtol=1e-14, atol=0.0)
