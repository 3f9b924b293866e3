"""dg.quad's watch, stop 52: the silent holes attack51 left (15: several crossings of
one record between two nodes; 12 / 11: clamped places; 16: selections whose place moves
slowly; 14: a selection's tie at a moving limit; 06: a selection's place moving at second
order only; 01: a jump beside a steep smooth part).  Each silent case is refused (the
refusal is the fix where the exact term is not computed), and the controls beside it
(places that do not move, continuous crossings, steep smooth parts) keep their exact
derivatives.  Oracles: closed forms and split integrals."""

import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg

_ONE = np.array([1.0, 0.0])


def _d(f, p):
    return dg.derivative(f, p)


# ---- 15: one record, several thresholds, two crossings between the same nodes ---------

def _charge(x, p):
    thr = np.stack([1.19 + 0.0 * p, p])       # a marginal rate above 1.19, a fee above p
    thr = thr.reshape((2,) + (1,) * np.ndim(x))     # (a vectorized func's nodes x)
    return np.where(x > thr, np.stack([x - 1.19, 1.0 + 0.0 * x]), 0.0).sum(axis=0)


@pytest.mark.parametrize("vectorized", [False, True])
def test_a_vector_of_thresholds_with_a_moving_jump_is_refused(vectorized):
    # exact -1 (int_p^2 1 dx); 0.0 on 88712d0: the continuous crossing at 1.19 cleared
    # the whole bracket of nodes, the fee's jump at p inside it was skipped
    with pytest.raises(TypeError, match="a jump whose place moves"):
        _d(lambda p: dg.quad(lambda x: _charge(x, p), 0.0, 2.0, vectorized=vectorized)[0],
           1.2)


@pytest.mark.parametrize("p", [1.1, 1.25, 1.4, 1.55, 1.69])
@pytest.mark.parametrize("gap", [0.002, 0.01, 0.03])
def test_two_thresholds_a_little_apart_are_each_confirmed(p, gap):
    # x * [x > p]: exact -p; the first threshold (a = p - gap) only marks a branch
    with pytest.raises(TypeError, match="a jump whose place moves"):
        _d(lambda q: dg.quad(lambda x: x * (np.stack([x - (q - gap), x - q]) > 0)[1], 0.0,
                             2.0)[0], p)


def test_a_vector_of_continuous_crossings_keeps_its_derivative():
    # int_0^2 (x - 1.19)_+ + (x - p)_+: d/dp = -(2 - p)
    def total(p):
        thr = np.stack([1.19 + 0.0 * p, p])
        return dg.quad(lambda x: np.where(x > thr, x - thr, 0.0).sum(), 0.0, 2.0)[0]
    assert abs(_d(total, 1.2) + 0.8) < 1e-8


def test_three_thresholds_fixed_ones_crossed_before_a_moving_jump():
    # brackets 1.19 and 1.3 (continuous), a fee above p = 1.25 (a jump): exact -1
    def total(p):
        thr = np.stack([1.19 + 0 * p, 1.3 + 0 * p, p])
        return dg.quad(lambda x: np.where(x > thr, np.stack([x - 1.19, x - 1.3, 1 + 0 * x]),
                                          0.0).sum(), 0.0, 2.0)[0]
    with pytest.raises(TypeError, match="a jump whose place moves"):
        _d(total, 1.25)


def test_fixed_thresholds_in_a_vector_are_not_refused():
    # int_0^2 p ([x > 0.5] + [x > 1.19]) = p (1.5 + 0.81)
    v = _d(lambda p: dg.quad(lambda x: (p * (x > np.array([0.5, 1.19]))).sum(), 0.0,
                             2.0)[0], 0.7)
    assert abs(v - 2.31) < 1e-8


def test_the_split_gives_the_fee_exactly():
    def total(p):
        rate = dg.quad(lambda x: np.maximum(x - 1.19, 0.0), 0.0, 2.0)[0]
        return rate + dg.quad(lambda x: 1.0 + 0.0 * x, p, 2.0)[0]
    assert abs(_d(total, 1.2) + 1.0) < 1e-12


# ---- 12 / 11: a place clamped on one side of its crossing -----------------------------

_CLAMPED = {     # each a jump at x = p of a place clamped to 0 below p
    "where(clip > 0, 1 + excess)": lambda x, p: np.where(np.clip(x - p, 0.0, None) > 0,
                                                         1.0 + np.clip(x - p, 0.0, None), 0.0),
    "where(clip > 0, x)": lambda x, p: np.where(np.clip(x - p, 0, None) > 0, x, 0.0),
    "x * (clip > 0)": lambda x, p: x * (np.clip(x - p, 0, None) > 0),
    "method clip": lambda x, p: np.where((x - p).clip(0.0) > 0, 1.0, 0.0),
    "clip to [0, 5]": lambda x, p: np.where(np.clip(x - p, 0, 5) > 0, 1.0, 0.0),
    "floor of a clip": lambda x, p: np.floor(np.clip(x - p, 0, None) + 1.0) * 1.0,
}


@pytest.mark.parametrize("name", sorted(_CLAMPED))
def test_a_clamped_place_that_moves_is_refused(name):
    # the place's derivative is 0 on the clamped side: interpolated to the crossing it
    # read "not moving" (-1.3 for -2.3, 0.0 for -0.7 on 88712d0)
    with pytest.raises(TypeError, match="a jump whose place moves"):
        _d(lambda p: dg.quad(lambda x: _CLAMPED[name](x, p), 0.0, 2.0)[0], 0.7)


def test_gammasgn_crossing_zero_at_a_moving_place_is_refused():
    # int_0^3 gammasgn(x - p): exact -2 (the sign goes -1 -> 1 at x = p); 0.0 before
    with pytest.raises(TypeError, match="a jump whose place moves"):
        _d(lambda p: dg.quad(lambda x: sc.gammasgn(x - p), 0.0, 3.0)[0], 0.7)


@pytest.mark.parametrize("spelling, exact", [
    (lambda x, p: np.where(np.clip(p * (x - 1), 0, None) > 0, 1.0, 0.0), 0.0),
    (lambda x, p: p * np.where(np.clip(p * (x - 1), 0, None) > 0, x, 0.0), 1.5),
    (lambda x, p: np.where(np.maximum(p * (x - 1), 0) > 0, 1.0, 0.0), 0.0),
])
def test_a_clamped_place_that_stays_put_keeps_its_derivative(spelling, exact):
    # the crossing at x = 1 whatever p: int_1^2 of the branch's value, times p or not
    assert abs(_d(lambda p: dg.quad(lambda x: spelling(x, p), 0.0, 2.0)[0], 0.7)
               - exact) < 1e-8


def test_gammasgn_at_a_fixed_place_keeps_its_derivative():
    # int_0^3 p gammasgn(x - 0.5) = p (2.5 - 0.5); and gammasgn(p (x - 0.5)): 0
    assert abs(_d(lambda p: dg.quad(lambda x: p * sc.gammasgn(x - 0.5), 0.0, 3.0)[0], 0.7)
               - 2.0) < 1e-8
    assert abs(_d(lambda p: dg.quad(lambda x: sc.gammasgn(p * (x - 0.5)), 0.0, 3.0)[0],
                  0.7)) < 1e-8


# ---- 16: selections whose place moves slowly against x --------------------------------

_SLOW = {
    "band edge in Hz": (lambda p: dg.quad(lambda nu: _ONE[np.searchsorted(
        np.atleast_1d(1.5e12 + p), nu)], 1e12, 2e12)[0]),
    "epoch ms rate table": (lambda p: dg.quad(lambda t: np.array([2.0, 1.0])[np.searchsorted(
        np.atleast_1d(1.7e12 + 3.6e6 + p), t)], 1.7e12, 1.7e12 + 8.64e7)[0]),
    "digitize 1 + 1e-12 p": (lambda p: dg.quad(lambda x: _ONE[np.digitize(
        x, np.atleast_1d(1 + 1e-12 * p))], 0.0, 2.0)[0]),
    "argmax 1 + 1e-12 p": (lambda p: dg.quad(lambda x: np.stack([1 + 0 * x, 0 * x])[
        np.argmax(np.stack([1 + 1e-12 * p - x, 0 * x + 0 * p]))], 0.0, 2.0)[0]),
}


@pytest.mark.parametrize("name", sorted(_SLOW))
def test_a_selection_whose_place_moves_slowly_is_refused(name):
    # exact: the step times its place's rate (1, 1, 1e-12, 1e-12); 0.0 on 88712d0
    with pytest.raises(TypeError, match="a jump whose place moves"):
        _d(_SLOW[name], 0.0)


@pytest.mark.parametrize("f, exact", [
    (lambda p: dg.quad(lambda x: p * _ONE[np.searchsorted([0.0], p * (x - 1))], 0.0,
                       2.0)[0], 1.0),
    (lambda p: dg.quad(lambda nu: p * _ONE[np.searchsorted(np.atleast_1d(1.5e12 + 0 * p),
                                                           nu)], 1e12, 2e12)[0], 0.5e12),
    (lambda p: dg.quad(lambda x: np.stack([1 + 0 * x, 0 * x])[np.argmax(np.stack(
        [p * np.cos(x), 0 * p]))], 0.0, 3.0)[0], 0.0),
])
def test_a_selection_whose_place_stays_put_keeps_its_derivative(f, exact):
    # p (x - 1) against a knot at 0 crosses at x = 1; p cos x against 0 at pi / 2
    assert abs(_d(f, 0.7) - exact) <= 1e-8 * max(1.0, abs(exact))


# ---- 06: a selection's place moving at second order only ------------------------------

_C = (lambda p: 1 + (p - 1) ** 2)          # c(1) = 1, c'(1) = 0, c''(1) = 2


@pytest.mark.parametrize("picked", [
    lambda x, c: _ONE[np.searchsorted(np.atleast_1d(c), x)],
    lambda x, c: np.stack([1 + 0 * x, 0 * x])[np.argmax(np.stack([c - x, 0 * x]))],
    lambda x, c: np.stack([1 + 0 * x, 0 * x])[np.stack([c - x, 0 * x]).argmax()],
])
def test_a_selection_moving_at_second_order_is_refused(picked):
    # int_0^2 [x < c(p)] = c(p): Hessian 2 at p = 1; 0.0 on 88712d0
    with pytest.raises(TypeError, match="a jump whose place moves"):
        dg.hessian(lambda p: dg.quad(lambda x: picked(x, _C(p)), 0.0, 2.0)[0], 1.0)


def test_a_selection_whose_mixed_derivative_moves_it_is_refused():
    # c = 1 + a b at (0, 0): Hessian [[0, 1], [1, 0]]; zeros on 88712d0
    with pytest.raises(TypeError, match="a jump whose place moves"):
        dg.hessian(lambda q: dg.quad(lambda x: _ONE[np.searchsorted(
            np.atleast_1d(1 + q[0] * q[1]), x)], 0.0, 2.0)[0], np.array([0.0, 0.0]))


def test_a_selection_at_a_fixed_place_keeps_its_hessian():
    # int_0^2 p^2 [p (x - 1) < 0] = p^2: 2; p^2 [p^2 cos x > 0] over [0, 3]: 2 (pi / 2)
    h = dg.hessian(lambda p: dg.quad(lambda x: p * p * _ONE[np.searchsorted(
        [0.0], p * (x - 1))], 0.0, 2.0)[0], 0.7)
    assert abs(h - 2.0) < 1e-8
    h = dg.hessian(lambda p: dg.quad(lambda x: np.stack([p * p + 0 * x, 0 * x])[np.argmax(
        np.stack([p * p * np.cos(x), 0 * p]))], 0.0, 3.0)[0], 0.7)
    assert abs(h - np.pi) < 1e-8


# ---- 14: a selection's tie at a moving limit ------------------------------------------

@pytest.mark.parametrize("f", [
    lambda p: dg.quad(lambda x: _ONE[np.searchsorted(np.atleast_1d(p), x, side="right")],
                      0.0, p)[0],
    lambda p: dg.quad(lambda x: _ONE[np.digitize(x, np.atleast_1d(p))], 0.0, p)[0],
    lambda p: dg.quad(lambda x: _ONE[::-1][np.searchsorted(np.atleast_1d(p), x)], p,
                      1.0)[0],
])
def test_a_lookup_tied_at_a_moving_limit_is_refused(f):
    # the integrand is 1 on the open range (exact 1, -1); the limit's node x = p looked
    # up the next cell's 0: 0.0 on 88712d0
    with pytest.raises(TypeError, match="take one side at a limit that moves"):
        _d(f, 0.7)


def test_a_maximum_tied_at_a_moving_limit_is_refused_from_second_order():
    # int_0^p x max(x - p, 0) = 0: Hessian 0; -0.35 on 88712d0 (the tie split partials)
    f = (lambda p: dg.quad(lambda x: x * np.max(np.stack([x - p, 0.0 * p])), 0.0, p)[0])
    assert abs(_d(f, 0.7)) < 1e-12
    with pytest.raises(TypeError, match="take one side at a limit that moves"):
        dg.hessian(f, 0.7)


def test_a_lookup_at_a_moving_limit_off_its_knots_keeps_its_derivative():
    # int_0^p p [x < 0.5] = 0.5 p; int_0^p x max(x - 2p, 0) = 0 (no tie at x = p)
    assert abs(_d(lambda p: dg.quad(lambda x: p * _ONE[np.searchsorted(
        np.atleast_1d(0.5 + 0 * p), x)], 0.0, p)[0], 0.7) - 0.5) < 1e-8
    assert abs(dg.hessian(lambda p: dg.quad(lambda x: x * np.max(np.stack(
        [x - 2 * p, 0.0 * p])), 0.0, p)[0], 0.7)) < 1e-12


# ---- 01: a jump beside a steep smooth part --------------------------------------------

_STEEP = {
    "1e12 exp(-x)": (lambda x: 1e12 * np.exp(-x), {}),
    "1e10 x": (lambda x: 1e10 * x, {}),
    "1e8 sin(100 x)": (lambda x: 1e8 * np.sin(100 * x), {"limit": 500}),
}


@pytest.mark.parametrize("vectorized", [False, True])
@pytest.mark.parametrize("name", sorted(_STEEP))
def test_a_jump_beside_a_steep_part_is_refused(name, vectorized):
    # exact 1 (d/dp int_0^p 1); 0.0 on 88712d0: the bisection stopped at 1e-10 of the
    # bracket, where 4 slope |hi - lo| exceeded the jump of 1
    smooth, opts = _STEEP[name]
    with pytest.raises(TypeError, match="a jump whose place moves"):
        _d(lambda p: dg.quad(lambda x: smooth(x) + np.where(x < p, 1.0, 0.0), 0.0, 2.0,
                             vectorized=vectorized, **opts)[0], 0.7)


def test_a_continuous_crossing_beside_a_steep_part_keeps_its_derivative():
    # int_0^2 (x - p) [x < p] = -p^2 / 2: -p; int_0^2 max(x - p, 0) = (2 - p)^2 / 2
    v = _d(lambda p: dg.quad(lambda x: 1e12 * np.exp(-x) + np.where(x < p, x - p, 0.0),
                             0.0, 2.0)[0], 0.7)
    assert abs(v + 0.7) < 1e-6
    v = _d(lambda p: dg.quad(lambda x: 1e10 * x + np.maximum(x - p, 0.0), 0.0, 2.0)[0], 0.7)
    assert abs(v + 1.3) < 1e-6


def test_a_fixed_jump_beside_a_steep_part_keeps_its_derivative():
    # [x p < 0.7 p] jumps at x = 0.7 whatever p: d/dp = 1e12 (1 - e^-2)
    v = _d(lambda p: dg.quad(lambda x: 1e12 * p * np.exp(-x) + np.where(
        x * p < 0.7 * p, 1.0, 0.0), 0.0, 2.0)[0], 0.7)
    assert abs(v - 1e12 * (1 - np.exp(-2.0))) < 1e-8 * 1e12


# ---- attack52 15: an equality that holds at a moving limit ----------------------------

@pytest.mark.parametrize("vectorized", [False, True])
@pytest.mark.parametrize("f", [
    lambda p, v: dg.quad(lambda x: np.where(x == p, 0.0, np.exp(x - p)), 0.0, p,
                         vectorized=v)[0],
    lambda p, v: dg.quad(lambda x: np.where(x == p, 0.0, np.exp(x - p)), p, 2.0,
                         vectorized=v)[0],
    lambda p, v: dg.quad(lambda x: (x != p) * 1.0, 0.0, p, vectorized=v)[0],
])
def test_an_equality_holding_at_a_moving_limit_is_refused(f, vectorized):
    # 1 - e^-p (d/dp e^-p), e^(2 - p) - 1 (-e^(2 - p)), p (1): the limit's term took the
    # point's value (-0.503 for 0.497, -2.669 for -3.669, 0.0 for 1 on 88712d0)
    with pytest.raises(TypeError, match="the point the equality singles out"):
        _d(lambda p: f(p, vectorized), 0.7)


def test_an_equality_off_the_limit_keeps_its_derivative():
    # one point does not count: int_0^p e^(x - p) = 1 - e^-p; int_0^2 = e^(2-p) - e^-p
    g = (lambda x, c, p: np.where(x == c, 0.0, np.exp(x - p)))
    assert abs(_d(lambda p: dg.quad(lambda x: g(x, 2 * p, p), 0.0, p)[0], 0.7)
               - np.exp(-0.7)) < 1e-8
    assert abs(_d(lambda p: dg.quad(lambda x: g(x, p, p), 0.0, 2.0)[0], 0.7)
               - (np.exp(-0.7) - np.exp(1.3))) < 1e-8


# ---- attack52 08: a steep continuous ramp at a moving place (np.clip) -----------------

@pytest.mark.parametrize("vectorized", [False, True])
@pytest.mark.parametrize("s", [1e2, 1e4, 1e6, 1e7])
def test_a_ramp_narrower_than_the_nodes_is_integrated_split_at_its_kinks(s, vectorized):
    # int_0^2 clip(s (x - p), 0, 1) = 2 - p - 1 / (2 s): d/dp = -1. The partial is -s on
    # the ramp only; 0.99993 at s = 1e7 before the watch split the range at its kinks
    v = _d(lambda p: dg.quad(lambda x: np.clip(s * (x - p), 0.0, 1.0), 0.0, 2.0,
                             vectorized=vectorized)[0], 0.7123)
    assert abs(v + 1.0) < 1e-8


@pytest.mark.parametrize("vectorized", [False, True])
@pytest.mark.parametrize("s", [1e9, 1e12])
def test_a_ramp_below_the_watch_resolution_is_refused(s, vectorized):
    # exact -1; 0.0 on 88712d0 (no node on the ramp; np.minimum(np.maximum(...)) refused)
    with pytest.raises(TypeError, match="np.maximum"):
        _d(lambda p: dg.quad(lambda x: np.clip(s * (x - p), 0.0, 1.0), 0.0, 2.0,
                             vectorized=vectorized)[0], 0.7)


def test_a_clip_with_one_kink_keeps_its_derivative():
    # int_0^2 clip(x - p, 0, None) = (2 - p)^2 / 2; int_0^2 clip(x - p, 0, 5) e^-x
    v = _d(lambda p: dg.quad(lambda x: np.clip(x - p, 0.0, None), 0.0, 2.0)[0], 0.7)
    assert abs(v + 1.3) < 1e-8
    v = _d(lambda p: dg.quad(lambda x: np.clip(x - p, 0.0, 5.0) * np.exp(-x), 0.0,
                             2.0)[0], 0.7)
    assert abs(v + (np.exp(-0.7) - np.exp(-2.0))) < 1e-8
