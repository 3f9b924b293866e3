"""dg.quad with an integrand finite at a moving limit whose slope there is infinite
(attack49 06: sqrt(b - x), (b - x)**0.3 gave NaN): the substitution x = b - u**2 (x = a +
u**2 at a moving lower limit) makes it smooth, exact against closed forms; where it cannot
apply (points=) the refusal names it."""

import numpy as np
import pytest

import dualgrad as dg

pytest.importorskip("scipy")


def test_a_square_root_at_the_moving_upper_limit():
    """int_0^b sqrt(b - x) dx = (2/3) b^1.5: derivative sqrt(b), second 1 / (2 sqrt(b))."""
    def f(q):
        return dg.quad(lambda x: np.sqrt(q[0] - x), 0.0, q[0])[0]

    b = 0.8
    assert np.isclose(dg.gradient(f, np.array([b]))[0], np.sqrt(b), rtol=1e-12)
    assert np.isclose(dg.hessian(f, np.array([b]))[0, 0], 0.5 / np.sqrt(b), rtol=1e-10)


def test_a_power_below_one_vectorized_and_reversed():
    """int_0^b (b - x)^0.3 dx = b^1.3 / 1.3: derivative b^0.3; reversed, its negative."""
    b = 0.8
    g = dg.derivative(lambda c: dg.quad(lambda x: (c - x) ** 0.3, 0.0, c)[0], b)
    assert np.isclose(g, b ** 0.3, rtol=1e-10)
    g = dg.derivative(lambda c: dg.quad(lambda x: np.sqrt(c - x), 0.0, c,
                                        vectorized=True)[0], b)
    assert np.isclose(g, np.sqrt(b), rtol=1e-12)
    g = dg.derivative(lambda c: dg.quad(lambda x: np.sqrt(c - x), c, 0.0)[0], b)
    assert np.isclose(g, -np.sqrt(b), rtol=1e-12)


def test_the_moving_lower_limit_and_a_parameter_that_makes_the_slope():
    """d/da int_a^2 sqrt(x - a) dx = -sqrt(2 - a); int_0^b sqrt(p - x) dx at p = b has
    gradient (sqrt(p - b), sqrt(p) - sqrt(p - b)) = (0, sqrt(p))."""
    a = 0.8
    g = dg.derivative(lambda c: dg.quad(lambda x: np.sqrt(x - c), c, 2.0)[0], a)
    assert np.isclose(g, -np.sqrt(2.0 - a), rtol=1e-12)
    g = dg.gradient(lambda q: dg.quad(lambda x: np.sqrt(q[1] - x), 0.0, q[0])[0],
                    np.array([0.8, 0.8]))
    assert np.allclose(g, [0.0, np.sqrt(0.8)], rtol=1e-9, atol=1e-9)


def test_points_refused_naming_the_substitution():
    with pytest.raises(TypeError, match=r"x = b - u\*\*2"):
        dg.derivative(lambda c: dg.quad(lambda x: np.sqrt(c - x), 0.0, c,
                                        points=[0.5])[0], 0.8)
