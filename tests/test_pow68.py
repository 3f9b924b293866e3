"""Third derivatives of ``x ** y`` where the exponent's value is exactly 0 beside
nonzero partials, and the base's scale is far from the exponent's (attack68 F2): one
level down ``y x**(y - 1)``'s partials underflow (``b / (a x)`` at a = 1e150, b =
1e-200) where the term times ``dx ~ a`` is normal; the extended-range term
(``dispatch/_farpower.py``) now serves an exponent of value 0 too (pow68).

Oracle: the closed forms of ``f = exp(b y log(a x))`` at (x, y) = (1, 0): ``f_xxy =
-b``, ``f_xyy = 2 b**2 log(a)``, in Python floats (each a product of two or three
normal numbers, a few ulps)."""

import math

import numpy as np
import pytest

import dualgrad as dg


def _third(f):
    return dg.jacobian(lambda w: dg.hessian(f, w), np.array([1.0, 0.0]))


_ARRAY = lambda a, b: (lambda w: ((a * w[:1]) ** (b * w[1:])).sum())      # noqa: E731
_POWER = lambda a, b: (lambda w: np.power(a * w[:1], b * w[1:]).sum())    # noqa: E731
_SCALAR = lambda a, b: (lambda w: (a * w[0]) ** (b * w[1]))               # noqa: E731


@pytest.mark.parametrize("form, a, b", [
    (_ARRAY, 1e140, 1e-100),    # T[0, 1, 1], T[1, 0, 1] half the exact (attack68 F2)
    (_POWER, 1e150, 1e-150),    # the same, np.power's spelling
    (_ARRAY, 1e-150, 1e150),    # NaN for -6.9e302
], ids=["array", "np.power", "array, a small base"])
def test_mixed_third_derivative_of_a_power_at_exponent_zero_is_symmetric_and_exact(form, a, b):
    want = 2.0 * b * b * math.log(a)
    with np.errstate(all="ignore"):
        T = _third(form(a, b))
    for got in (T[0, 1, 1], T[1, 0, 1], T[1, 1, 0]):
        assert float(got) == pytest.approx(want, rel=1e-12, abs=0)
    for got in (T[0, 0, 1], T[0, 1, 0], T[1, 0, 0]):
        assert float(got) == pytest.approx(-b, rel=1e-12, abs=0)


def test_scalar_power_at_exponent_zero_keeps_d3_dx2dy():
    # (1e150 x) ** (1e-200 y): d3/dx2dy was 0 for -1e-200 (y x**(y - 1)'s partial
    # 1e-200 / 1e150 underflowed; the product with dx = 1e150 is normal)
    b = 1e-200
    T = _third(_SCALAR(1e150, b))
    for got in (T[0, 0, 1], T[0, 1, 0], T[1, 0, 0]):
        assert float(got) == pytest.approx(-b, rel=1e-12, abs=0)


def test_d_dy_factor_at_exponent_zero_keeps_d3_dx2dy_finite():
    # (1e-300 x) ** (1e-100 y) at (1e-5, 0), u = 1e-305: a component of d/dy's factor
    # log(u) u**v overflowed where its product with the partials (dx = 1e-300) is
    # finite; d3/dx2dy = -1e-100 / x**2 = -1e-90 was -inf in two of its three entries
    b, x = 1e-100, 1e-5
    f = lambda w: ((1e-300 * w[:1]) ** (b * w[1:])).sum()       # noqa: E731
    with np.errstate(all="ignore"):
        T = dg.jacobian(lambda w: dg.hessian(f, w), np.array([x, 0.0]))
    for got in (T[0, 0, 1], T[0, 1, 0], T[1, 0, 0]):
        assert float(got) == pytest.approx(-b / (x * x), rel=1e-12, abs=0)
