"""dg.quad's watch, stop 51: nan-selections (attack50 13's rest), NaN masking (attack50
07), the last refusals and messages (attack50 05, 14, 18).  Oracles: closed forms,
mpmath at 30 digits, split integrals."""

import warnings

import numpy as np
import pytest

import dualgrad as dg

# ---- selections by np.nanargmax / nanargmin / lexsort (attack50 13) ----------------------

_PICKED = {     # each max(x - K, 0) over [0, 1], spelled by an index that picks it
    "nanargmax": lambda v: v[np.nanargmax(v)],
    "nanargmin of -v": lambda v: v[np.nanargmin(-v)],
    "nanargmax beside a NaN": lambda v: np.concatenate([v, [np.nan]])[
        np.nanargmax(np.concatenate([v, [np.nan]]))],
    "lexsort of a tuple": lambda v: v[np.lexsort((-v,))[0]],
    "lexsort of two keys": lambda v: v[np.lexsort((np.zeros(2), -v))[0]],
    "lexsort of a 2-D array": lambda v: v[np.lexsort(np.stack([-v]))[0]],
}


@pytest.mark.parametrize("name", sorted(_PICKED))
def test_a_maximum_picked_by_a_nan_or_lexsort_index_is_a_kink(name):
    # int_0^1 max(x - K, 0) = (1 - K)^2 / 2: slope -(1 - K), second derivative 1. The
    # Hessian came back 0.0 on 73676bd (the index's order is no branch the watch saw)
    K = 0.3

    def area(q):
        return dg.quad(lambda x: _PICKED[name](np.stack([x - q[0], 0.0 * q[0]])), 0.0,
                       1.0)[0]
    assert abs(dg.gradient(area, np.array([K]))[0] + (1 - K)) < 1e-8
    with pytest.raises(TypeError, match="a kink"):
        dg.hessian(area, np.array([K]))


_TABLE, _KNOTS = np.array([0.0, 1.0]), np.array([0.5])


@pytest.mark.parametrize("pick", [lambda v: np.nanargmax(v), lambda v: np.nanargmin(-v),
                                  lambda v: np.lexsort((-v,))[0]])
def test_a_lookup_by_a_nan_or_lexsort_index_whose_edge_moves_is_refused(pick):
    # 1[x + p > 0.5]: int_0^1 = 0.5 + p, slope 1; the partials alone give 0
    def area(p):
        return dg.quad(lambda x: _TABLE[pick(np.stack([0.5 + 0 * p, x + p]))] + 0 * p,
                       0.0, 1.0)[0]
    with pytest.raises(TypeError, match="branches to stay put"):
        dg.derivative(area, 0.3)
    # on a fixed edge, p scaling: int_0^1 p 1[x > 0.5] = p / 2
    d = dg.derivative(lambda p: dg.quad(lambda x: p * _TABLE[pick(np.stack(
        [0.5 + 0 * p, x + 0 * p]))], 0.0, 1.0, points=[0.5])[0], 0.3)
    assert abs(d - 0.5) < 1e-12


# ---- a moving jump made by NaN masking (attack50 07) -------------------------------------

_P = 0.7
# x - p + 1 on x > p, 0 where the NaN source's argument is past its domain's edge (x < p):
# int_0^2 = (2 - p)^2 / 2 + (2 - p), d/dp = -(2 - p) - 1; the partials alone give -1.3
_MASKED = {
    "where(isfinite(log))": lambda x, p: np.where(np.isfinite(np.log(x - p)), x - p + 1,
                                                  0.0),
    "nan_to_num(log)": lambda x, p: np.nan_to_num(np.log(x - p) * 0 + x - p + 1),
    "where(isnan(sqrt))": lambda x, p: (lambda y: np.where(np.isnan(y), 0.0, y))(
        np.sqrt(x - p) ** 2 + 1),
    "nansum(sqrt)": lambda x, p: np.nansum(np.stack([np.sqrt(x - p) ** 2 + 1])),
    "fmax(sqrt, 0)": lambda x, p: np.fmax(np.sqrt(x - p) ** 2 + 1, 0.0),
    "nan_to_num(log2)": lambda x, p: np.nan_to_num(np.log2(x - p) * 0 + x - p + 1),
    "nan_to_num(log10)": lambda x, p: np.nan_to_num(np.log10(x - p) * 0 + x - p + 1),
    "nan_to_num(log1p)": lambda x, p: np.nan_to_num(np.log1p(x - p - 1) * 0 + x - p + 1),
    "nan_to_num(arccosh)": lambda x, p: np.nan_to_num(np.arccosh(x - p + 1) * 0 + x - p + 1),
    "nan_to_num(arcsin)": lambda x, p: np.nan_to_num(np.arcsin(x - p - 1) * 0 + x - p + 1),
    "where(isnan(arctanh))": lambda x, p: np.where(np.isnan(np.arctanh(x - p - 1)), 0.0,
                                                   x - p + 1),
    "nan_to_num(** 0.5)": lambda x, p: np.nan_to_num((x - p) ** 0.5 * 0 + x - p + 1),
    "nan_to_num(power)": lambda x, p: np.nan_to_num(np.power(x - p, 1.5) * 0 + x - p + 1),
    "nan_to_num(float_power)": lambda x, p: np.nan_to_num(
        np.float_power(x - p, 0.5) * 0 + x - p + 1),
}


@pytest.mark.parametrize("name", sorted(_MASKED))
def test_a_moving_jump_made_by_nan_masking_is_refused(name):
    # -1.3 for -2.3 on 73676bd, silently
    with pytest.raises(TypeError, match="edge of its real domain"):
        dg.derivative(lambda p: dg.quad(lambda x: _MASKED[name](x, p), 0.0, 2.0)[0], _P)


def test_nan_masking_on_arrays_is_refused_and_the_advised_split_is_exact():
    # a vectorized func (np.log on the nodes' array) and an array ** 0.5
    for g in (lambda x, p: np.where(np.isfinite(np.log(x - p)), x - p + 1, 0.0),
              lambda x, p: np.nan_to_num((x - p) ** 0.5 * 0 + x - p + 1)):
        with pytest.raises(TypeError, match="edge of its real domain"):
            dg.derivative(lambda p: dg.quad(lambda x: g(x, p), 0.0, 2.0,
                                            vectorized=True)[0], _P)
    # the split the message advises: the domain alone, d/dp = -(2 - p) - 1
    d = dg.derivative(lambda p: dg.quad(lambda x: x - p + 1, p, 2.0)[0], _P)
    assert abs(d - (-(2 - _P) - 1)) < 1e-12


def test_an_angle_zero_outside_its_domain():
    # nan_to_num(arccos(p - x)) on [0, 2]: pi at x = p + 1 to 0 past it; d/dp of the
    # integral is arccos(p) (closed form: pi - (arcsin p + pi / 2)); -2.346 for 0.795 on
    # 73676bd. Refused; over the domain [0, p + 1] it is exact
    with pytest.raises(TypeError, match="np.arccos"):
        dg.derivative(lambda p: dg.quad(lambda x: np.nan_to_num(np.arccos(p - x)), 0.0,
                                        2.0)[0], _P)
    d = dg.derivative(lambda p: dg.quad(lambda x: np.arccos(p - x), 0.0, p + 1.0,
                                        limit=200)[0], _P)
    assert abs(d - np.arccos(_P)) < 1e-7


def test_nan_sources_that_are_not_masked_jumps_stay_exact():
    # a domain's edge that does not move (p only scales: int_1^2 p = p), a masked edge
    # where func is continuous (x > p: (x - p)^2, else 0: d/dp = -(2 - p)^2), smooth
    # arguments that stay inside (log(x + p): log(2 + p) - log p; the Hessian of sqrt(x +
    # p): ((2 + p)^-0.5 - p^-0.5) / 2), an integer power of a negative base ((x - p)^2:
    # p^2 - (2 - p)^2; cubed: -p^3 - (2 - p)^3), and int_p^2 sqrt(x - p) (a moving limit on the edge: -(2 - p)^0.5)
    def d(g, a=0.0, helper=dg.derivative, **kw):
        return helper(lambda p: dg.quad(lambda x: g(x, p), a if a != "p" else p, 2.0,
                                        **kw)[0], _P)
    assert abs(d(lambda x, p: p * np.where(np.isnan(np.log(x - 1.0)), 0.0, 1.0),
                 points=[1.0]) - 1.0) < 1e-12
    assert abs(d(lambda x, p: np.where(np.isfinite(np.log(x - p)), (x - p) ** 2, 0.0))
               + (2 - _P) ** 2) < 1e-8
    assert abs(d(lambda x, p: np.log(x + p)) - (np.log(2 + _P) - np.log(_P))) < 1e-10
    assert abs(d(lambda x, p: np.sqrt(x + p), helper=dg.hessian)
               - ((2 + _P) ** -0.5 - _P ** -0.5) / 2) < 1e-8
    assert abs(d(lambda x, p: (x - p) ** 2.0) - (_P ** 2 - (2 - _P) ** 2)) < 1e-10
    assert abs(d(lambda x, p: np.power(x - p, 3)) + (_P ** 3 + (2 - _P) ** 3)) < 1e-10
    assert abs(d(lambda x, p: np.sqrt(x - p), a="p") + (2 - _P) ** 0.5) < 1e-8


def test_a_masked_log_at_its_own_moving_limit_is_refused():
    # int_p^2 [log(x - p) finite] = 2 - p: the limit's term takes f(p) = 0 (log(0) = -inf
    # is masked), not the inside's 1: 0.0 for -1. The edge's tie is refused there
    with pytest.raises(TypeError, match="one side at a limit"):
        dg.derivative(lambda p: dg.quad(lambda x: np.where(np.isfinite(np.log(x - p)),
                                                           1.0, 0.0), p, 2.0)[0], _P)


# ---- messages: a func steep at both ends (attack50 14) -----------------------------------

def test_a_half_disk_names_the_other_end_and_the_map_onto_fixed_ends():
    # the half disk sqrt(r^2 - x^2) over [-r, r]: d/dr of its area pi r^2 / 2 is pi r. The
    # refusal named u = sqrt(2 r) "the moving limit" and its NaN "f"; it now names x = -r
    # and leads with x = a + (b - a) s, which the test follows to pi r
    r = 1.3
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda r: dg.quad(lambda x: np.sqrt(r * r - x * x), -r, r)[0], r)
    text = str(info.value)
    assert "both ends" in text and f"x = {-r!r}" in text.replace("-1.3000000000000005",
                                                                  repr(-r))
    assert "(b - a) * f(a + (b - a) * s), 0.0, 1.0)" in text
    d = dg.derivative(lambda r: dg.quad(
        lambda s: 2 * r * np.sqrt(r * r - (-r + 2 * r * s) ** 2), 0.0, 1.0)[0], r)
    assert abs(d - np.pi * r) < 1e-7


# ---- a density ~ z^alpha at its moving end, alpha no integer (attack50 18) ---------------

def _moment(dist, a, g, lower=None):
    from dualgrad.scipy import stats
    law = getattr(stats, dist)
    return lambda p: dg.quad(lambda x: g(x) * law.pdf(x, a, loc=p),
                             p if lower is None else lower, np.inf)[0]


def test_a_density_z_to_a_fractional_power_keeps_its_exact_orders():
    # E[(p + Y)^3] = p^3 + 3 p^2 m1 + 3 p m2 + m3: for gamma(a) m1 = a, m2 = a (a + 1):
    # second derivative 6 p + 6 a, third 6; E[(p + Y)^2]'s second derivative is 2. The
    # pdf ~ z^(a - 1) at loc: its partials z^(a - 1 - k) are integrable for k < a, so
    # the first order that loses a term is floor(a - 1) + 2; these were refused from
    # ceil(a - 1) on 73676bd
    p = 0.5
    assert abs(dg.hessian(_moment("gamma", 2.5, lambda x: x ** 3), p) - (6 * p + 15)) < 1e-6
    d3 = dg.derivative(lambda q: dg.hessian(_moment("gamma", 3.5, lambda x: x ** 3), q), p)
    assert abs(d3 - 6.0) < 1e-6
    assert abs(dg.hessian(_moment("chi2", 5.0, lambda x: x * x), p) - 2.0) < 1e-6
    assert abs(dg.hessian(_moment("weibull_min", 2.5, lambda x: x * x), p) - 2.0) < 1e-6
    # gamma(1.5), pdf ~ z^0.5 (continuous, an infinite slope): its gradient 3 p^2 + 6 p a
    # + 3 a (a + 1) = 16.5; the Hessian loses a term (z^-1.5 is not integrable): refused,
    # and so is gamma(2.5)'s third derivative
    F = _moment("gamma", 1.5, lambda x: x ** 3, lower=-5.0)
    assert abs(dg.derivative(F, p) - 16.5) < 1e-6
    with pytest.raises(TypeError, match="branches to stay put"):
        dg.hessian(F, p)
    with pytest.raises(TypeError, match="branches to stay put"):
        dg.derivative(lambda q: dg.hessian(_moment("gamma", 2.5, lambda x: x ** 3,
                                                   lower=-5.0), q), p)


# ---- a cdf / sf integrated from its own moving support end (attack50 05) -----------------

def test_a_cdf_from_its_own_moving_end_takes_the_inside_at_second_order():
    # int_p^{p+3} expon.cdf(x; loc=p) dx = int_0^3 cdf(u) du: no p at all, Hessian 0;
    # int_p^{p+3} x cdf(x; loc=p) dx = int_0^3 (u + p) cdf(u) du: linear in p, Hessian 0;
    # int_p^inf x sf(x; loc=p) dx = p + 1 (closed form), Hessian 0. Refused on 73676bd:
    # the end reported as np.maximum had no side at the tie, and the cdf's masks took the
    # outside's constant there (partials 0: a wrong limit term at second order)
    from dualgrad.scipy import stats
    for F in (lambda p: dg.quad(lambda x: stats.expon.cdf(x, loc=p), p, p + 3.0)[0],
              lambda p: dg.quad(lambda x: x * stats.expon.cdf(x, loc=p), p, p + 3.0)[0],
              lambda p: dg.quad(lambda x: x * stats.expon.sf(x, loc=p), p, np.inf)[0]):
        assert abs(dg.hessian(F, 0.5)) < 1e-8
    assert abs(dg.derivative(lambda p: dg.quad(lambda x: x * stats.expon.sf(x, loc=p), p,
                                               np.inf)[0], 0.5) - 1.0) < 1e-8
    # the same end crossed inside the range is a kink that moves: the gradient exact
    # (-(1 - e^-2.5), closed form of d/dp int_-5^3 cdf(x - p)), the Hessian refused
    G = lambda p: dg.quad(lambda x: stats.expon.cdf(x, loc=p), -5.0, 3.0)[0]  # noqa: E731
    assert abs(dg.derivative(G, 0.5) + (1 - np.exp(-2.5))) < 1e-8
    with pytest.raises(TypeError, match="a kink"):
        dg.hessian(G, 0.5)


def test_the_step_thresholds_beside_the_table_steps():
    # where each step changes: 0 for sign, integers for floor / ceil / trunc, half-integers
    # for rint (the watch's ties and interpolations read this column)
    from dualgrad.rules import _table
    assert set(_table._THRESHOLDS) == set(_table._STEPS)
    for name, at, nearest in (("sign", 0.3, 0.0), ("floor", 2.7, 3.0), ("ceil", -1.2, -1.0),
                              ("trunc", 1.4, 1.0), ("rint", 2.2, 2.5)):
        step = _table._STEPS[name]
        assert float(_table.step_threshold(step)(at)) == nearest
        T = _table.step_threshold(step)(at)     # the step changes there, not beside it
        assert step(T - 1e-9) != step(T + 1e-9)
