"""dg.quad's watch, confirmed branches (quad50) that must still refuse a moving jump
(attack50 09) and still pass a fixed one.

Each refused case has a closed-form derivative the derivative under the integral sign
misses (the jump's boundary term); each passed case is checked against its closed form.
"""
import warnings

import numpy as np
import pytest

import dualgrad as dg


def _d(F, p):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dg.derivative(F, p)


@pytest.mark.parametrize("name, F, p", [
    # a pulse continuous at one edge and jumping at the other: every crossing confirmed
    ("pulse, jump on the left", lambda p: dg.quad(lambda x: x * np.where(
        np.abs(x - p) < 0.5, (p + 0.5) - x, 0.0), 0.0, 3.0)[0], 1.2),
    ("pulse, jump on the right", lambda p: dg.quad(lambda x: x * np.where(
        np.abs(x - p) < 0.5, x - (p - 0.5), 0.0), 0.0, 3.0)[0], 1.2),
    # a jump at func's own scale, far below epsabs (a cross-section in cm^2): 1e-20
    ("tiny step", lambda p: dg.quad(lambda x: 1e-20 * np.where(x < p, 1.0, 0.0),
                                    0.0, 2.0)[0], 0.7),
    # places that move slowly against the nodes' distance: derivatives 1 and 1e-12
    ("band edge", lambda p: dg.quad(lambda nu: np.where(nu < 1.5e12 + p, 1.0, 0.0),
                                    1e12, 2e12)[0], 0.0),
    ("slow edge", lambda p: dg.quad(lambda x: np.where(x < 1.0 + 1e-12 * p, 1.0, 0.0),
                                    0.0, 2.0)[0], 0.0),
    # a non-monotone place whose first crossing is continuous
    ("sin x > p", lambda p: dg.quad(lambda x: np.where(np.sin(x) > p, x - np.arcsin(0.5),
                                                       0.0), 0.0, 3.0)[0], 0.5),
])
def test_moving_jumps_are_refused(name, F, p):
    with pytest.raises(TypeError, match="branches to stay put"):
        _d(F, p)


@pytest.mark.parametrize("p", [1e-3, 0.3, 7.0])
def test_fixed_kink_scaled_by_a_small_parameter_passes(p):
    # |p cos x| over [0, pi]: 2 |p|, its place pi / 2 fixed however small p is
    F = lambda q: dg.quad(lambda x: np.abs(q * np.cos(x)), 0.0, np.pi)[0]
    assert _d(F, p) == pytest.approx(2.0, rel=1e-9)
    H = dg.hessian(lambda q: F(q[0]), np.array([p]))
    assert abs(H[0, 0]) < 1e-7


def test_fixed_jump_with_a_parameter_in_its_branches_passes():
    # int_0^2 where(x < 1, p x, p^2) = p / 2 + p^2: derivative 1 / 2 + 2 p
    F = lambda p: dg.quad(lambda x: np.where(x < 1.0, p * x, p * p), 0.0, 2.0)[0]
    assert _d(F, 0.8) == pytest.approx(0.5 + 1.6, rel=1e-10)


@pytest.mark.parametrize("name, F, at", [
    # int_0^2 [x < c(p)] = c(p): the Hessian is c'' where c' = 0 (attack50 15)
    ("c = 1 + (p - 1)^2 at p = 1", lambda v: dg.quad(
        lambda x: np.where(x < 1.0 + (v[0] - 1.0) ** 2, 1.0, 0.0), 0.0, 2.0)[0], [1.0]),
    ("c = 1 + p q at (0, 0)", lambda v: dg.quad(
        lambda x: np.where(x < 1.0 + v[0] * v[1], 1.0, 0.0), 0.0, 2.0)[0], [0.0, 0.0]),
])
def test_a_jump_whose_place_moves_only_at_second_order_is_refused(name, F, at):
    with pytest.raises(TypeError, match="branches to stay put"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dg.hessian(F, np.array(at))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = dg.gradient(F, np.array(at))        # first order: c' = 0 exactly
    assert np.all(np.abs(g) < 1e-12)


def test_a_jump_beside_a_large_smooth_part_is_refused():
    # attack50 19: 1 beside 1e10 exp(-x) lay under epsrel of the integrand's size
    F = lambda p: dg.quad(lambda x: 1e10 * np.exp(-x) + np.where(x < p, 1.0, 0.0),
                          0.0, 2.0)[0]
    with pytest.raises(TypeError, match="branches to stay put"):
        _d(F, 0.7)


def test_an_ode_dose_whose_time_moves_only_at_second_order_is_refused():
    # attack50 17: y' = -k y + D [t > 3 + (p - 1)^2]; at p = 1 the dose time's first
    # derivative is 0 and its second 2: the Hessian -2 D e^(-k (T - 3)) lost it (0.0)
    k, D, T = 0.5, 2.0, 6.0

    def y_end(p):
        return dg.solve_ivp(lambda t, y: -k * y + np.where(t > 3.0 + (p[0] - 1.0) ** 2,
                                                           D, 0.0),
                            (0.0, T), [1.0], rtol=1e-10, atol=1e-12).y[0, -1]
    with pytest.raises(TypeError, match="branches to stay put"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dg.hessian(y_end, np.array([1.0]))
