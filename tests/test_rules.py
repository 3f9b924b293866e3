"""The generic walk over the whole rule table.

For every differentiable ufunc: the value equals NumPy's, the partials match
an 8th-order central difference over broadcast groups and every dual/constant
mix, on the scalar and the array path, with numba and with NumPy propagation;
second derivatives through nested duals match a second difference; NaN and
inf stay in the directions that depend on them.  Locally constant ufuncs give
zero partials, predicates plain bools.  Every NumPy ufunc is in the table.
"""

import re
import warnings
import zlib

import numpy as np
import pytest
import scipy.special  # noqa: F401  (loads the scipy.special rows)

import dualgrad as dg
from dualgrad.rules import _table as _rules
from dualgrad.backend import _kernels
from dualgrad.dual._base import new_tag
from dualgrad.testing import directional_difference, numerical_jacobian, second_difference
from _oracles import SECOND_REFUSED

_rules._load_scipy()
RULES = list(_rules.RULES.values())
SMOOTH = [r for r in RULES if r.kind == "smooth"]
ZERO = [r for r in RULES if r.kind == "zero"]
PREDICATE = [r for r in RULES if r.kind == "predicate"]
UNSUPPORTED = [r for r in RULES if r.kind == "unsupported"]

# shapes of the arguments of binary ufuncs: scalar/array broadcast groups
BINARY_SHAPES = [((), ()), ((4,), ()), ((), (4,)), ((4,), (4,)), ((2, 1), (3,))]


def _ids(rules):
    return [r.name for r in rules]


def _sample(rng, domain, shape):
    if domain[-1] == "int":
        return rng.integers(domain[0], domain[1], size=shape)
    lo, hi = domain
    return rng.uniform(lo, hi, size=shape)


def _differentiable_args(rule):
    return [k for k, d in enumerate(rule.derivs) if d is not None]


def _dual(x, v, tag):
    """``x`` seeded with the n directions ``v`` (shape ``x.shape + (n,)``)."""
    if np.ndim(x) == 0:
        return dg.Dual(float(x), v, tag=tag)
    return dg.Dual(x, v, tag=tag)


def _check_directions(rule, xs, dual_mask, rng, path):
    """Partials along random directions against central differences."""
    n = 2
    tag = new_tag()
    vs = [rng.standard_normal(np.shape(x) + (n,)) if m else np.zeros(np.shape(x) + (n,))
          for x, m in zip(xs, dual_mask)]
    args = [_dual(x, v, tag) if m else (x.item() if np.ndim(x) == 0 else x)
            for x, v, m in zip(xs, vs, dual_mask)]
    with _kernels.use(path):
        out = rule.ufunc(*args)
    expected_value = rule.ufunc(*xs)
    np.testing.assert_allclose(np.asarray(out.value), expected_value,
                               rtol=1e-15, atol=0)
    for k in range(n):
        direction = tuple(v[..., k] for v in vs)
        want = directional_difference(rule.ufunc, tuple(xs), direction)
        # a point within a step of a kink gives step-dependent quotients: leave it out
        smooth = np.isclose(want, directional_difference(rule.ufunc, tuple(xs), direction,
                                                         h=2.5e-4), rtol=1e-6, atol=1e-8)
        assert smooth.mean() >= 0.5, rule.name
        got = np.broadcast_to(np.asarray(out.partials)[..., k], np.shape(want))
        np.testing.assert_allclose(got[smooth], np.asarray(want)[smooth], rtol=2e-7,
                                   atol=1e-9, err_msg=f"{rule.name} mask={dual_mask} dir={k}")


@pytest.mark.parametrize("path", ["numpy", "numba"])
@pytest.mark.parametrize("rule", SMOOTH, ids=_ids(SMOOTH))
@pytest.mark.engine_independent
def test_smooth_rule_matches_central_differences(rule, path):
    rng = np.random.default_rng(zlib.crc32(rule.name.encode()))
    if rule.ufunc.nin == 1:
        for shape in [(), (5,), (2, 3)]:
            _check_directions(rule, [_sample(rng, rule.domain[0], shape)], [True], rng, path)
        return
    if rule.ufunc.nin == 3:                          # scipy.special.betainc
        xs = [_sample(rng, dom, (5,)) for dom in rule.domain]
        for k in _differentiable_args(rule):
            _check_directions(rule, xs, [i == k for i in range(3)], rng, path)
        return
    for shapes in BINARY_SHAPES:
        xs = [_sample(rng, dom, s) for dom, s in zip(rule.domain, shapes)]
        for mask in ([True, False], [False, True], [True, True]):
            if any(m and rule.derivs[k] is None for k, m in enumerate(mask)):
                continue
            _check_directions(rule, xs, mask, rng, path)


# rows whose first derivative in an argument is written with a function the table
# refuses to differentiate (special48: F and E's d/dm with Carlson's R_D, whose partials
# cancel): the second derivative there raises, naming that function


@pytest.mark.parametrize("rule", SMOOTH, ids=_ids(SMOOTH))
def test_second_derivative_through_nesting(rule):
    rng = np.random.default_rng(7)
    for k in _differentiable_args(rule):
        if rule.derivs[k] == "0":
            continue
        point = [_sample(rng, dom, ()).item() for dom in rule.domain]

        def along(t):
            args = list(point)
            args[k] = t
            return rule.ufunc(*args)

        if SECOND_REFUSED.get(rule.name, (None,))[0] == k:
            with pytest.raises(TypeError, match=SECOND_REFUSED[rule.name][1]):
                dg.derivative(lambda t: dg.derivative(along, t), point[k])
            continue
        got = dg.derivative(lambda t: dg.derivative(along, t), point[k])
        np.testing.assert_allclose(got, second_difference(along, point[k]), rtol=1e-6,
                                   atol=1e-8, err_msg=f"{rule.name} argument {k}")


@pytest.mark.parametrize("rule", SMOOTH, ids=_ids(SMOOTH))
@pytest.mark.engine_independent
def test_scalar_and_array_paths_agree(rule):
    rng = np.random.default_rng(3)
    xs = [_sample(rng, dom, (4,)) for dom in rule.domain]
    vs = [rng.standard_normal((4, 3)) for _ in xs]
    tag = new_tag()
    mask = [d is not None for d in rule.derivs]
    arr = rule.ufunc(*[dg.Dual(x, v, tag=tag) if m else x for x, v, m in zip(xs, vs, mask)])
    # NumPy's complex product rounds differently on arrays (SIMD, fused multiply-add) and
    # on scalars (4432 of 10,000 random products differ in the last bit): the rows that
    # compute in complex numbers (voigt_profile through w') agree to that rounding, grown
    # by d/dsigma's cancellation (w + u w'); each path meets mpmath in test_rules_oracles
    complex_inside = any(e is not None and e.calls & {"sc.wofz", "wofz_slope"}
                         for e in rule.exprs)
    for i in range(4):
        scal = rule.ufunc(*[dg.Dual(x[i], v[i], tag=tag) if m else x[i]
                            for x, v, m in zip(xs, vs, mask)])
        np.testing.assert_array_equal(scal.value, arr.value[i])
        np.testing.assert_allclose(scal.partials, arr.partials[i],
                                   rtol=1e-12 if complex_inside else 1e-15, atol=0)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("rule", [r for r in SMOOTH if r.ufunc.nin == 1],
                         ids=_ids([r for r in SMOOTH if r.ufunc.nin == 1]))
@pytest.mark.engine_independent
def test_nan_and_inf_stay_local(rule, bad):
    x = np.array([bad, float(np.mean(rule.domain[0]))])
    out = rule.ufunc(dg.Dual(x, np.eye(2)))
    # element 0 does not depend on direction 1, element 1 not on direction 0
    assert out.partials[0, 1] == 0.0
    assert out.partials[1, 0] == 0.0
    assert np.isfinite(out.partials[1, 1])
    scalar = rule.ufunc(dg.Dual(bad, [0.0, 1.0]))
    assert scalar.partials[0] == 0.0


@pytest.mark.parametrize("rule", ZERO, ids=_ids(ZERO))
def test_locally_constant_rules_give_zero_partials(rule):
    rng = np.random.default_rng(5)
    xs = [rng.uniform(0.5, 3.0, 6) for _ in range(rule.ufunc.nin)]
    out = rule.ufunc(*[dg.Dual(x, np.ones((6, 2))) for x in xs])
    assert isinstance(out, dg.Dual)
    np.testing.assert_array_equal(out.value, rule.ufunc(*xs))
    np.testing.assert_array_equal(out.partials, 0.0)


@pytest.mark.parametrize("rule", PREDICATE, ids=_ids(PREDICATE))
def test_predicates_give_plain_bools(rule):
    xs = [np.array([-1.0, 0.0, 2.0, np.nan]), np.array([0.0, 0.0, 3.0, 1.0])]
    args = [dg.Dual(x, np.ones((4, 1))) for x in xs[:rule.ufunc.nin]]
    out = rule.ufunc(*args)
    assert not isinstance(out, dg.Dual)
    np.testing.assert_array_equal(out, rule.ufunc(*xs[:rule.ufunc.nin]))


@pytest.mark.parametrize("rule", UNSUPPORTED, ids=_ids(UNSUPPORTED))
def test_unsupported_rules_raise_naming_the_ufunc(rule):
    x = dg.Dual(np.array([1.0, 2.0]), np.ones((2, 1)))
    with pytest.raises(TypeError, match=rf"(np|scipy\.special)\.{rule.name}\b.*does not support"):
        rule.ufunc(*([x] * rule.ufunc.nin))


def test_every_numpy_ufunc_is_in_the_table():
    ufuncs = {getattr(np, name) for name in dir(np) if isinstance(getattr(np, name), np.ufunc)}
    missing = sorted(u.__name__ for u in ufuncs if u not in _rules.RULES)
    assert missing == []


def test_a_ufunc_outside_the_table_raises_naming_it():
    x = dg.Dual(np.array([0.5, 0.7]), np.ones((2, 1)))
    with pytest.raises(TypeError,
                       match=r"scipy\.special\.spence .*not in dualgrad's rule table"):
        scipy.special.spence(x)


def test_every_rule_is_well_formed():
    kinds = {"smooth", "zero", "predicate", "custom", "unsupported"}
    for rule in RULES:
        assert rule.kind in kinds, rule.name
        if rule.kind in ("smooth", "zero"):
            assert len(rule.derivs) == rule.ufunc.nin, rule.name
            assert len(rule.domain) == rule.ufunc.nin, rule.name
        if rule.kind == "smooth":
            assert any(d not in (None, "0") for d in rule.derivs), rule.name
            for d in rule.derivs:
                assert d is None or "math." not in d, rule.name


BINARY_BOTH = [r for r in SMOOTH if r.ufunc.nin == 2 and None not in r.derivs]


@pytest.mark.parametrize("rule", BINARY_BOTH, ids=_ids(BINARY_BOTH))
def test_mixed_second_derivatives_through_nesting(rule):
    """The full 2 x 2 Hessian of f(x, y), mixed partials included."""
    rng = np.random.default_rng(zlib.crc32(rule.name.encode()))
    point = np.array([_sample(rng, dom, ()).item() for dom in rule.domain])
    g = lambda v: rule.ufunc(v[0], v[1])
    if rule.name in SECOND_REFUSED:
        with pytest.raises(TypeError, match=SECOND_REFUSED[rule.name][1]):
            dg.hessian(g, point)
        return
    np.testing.assert_allclose(dg.hessian(g, point),
                               numerical_jacobian(lambda y: dg.gradient(g, y), point),
                               rtol=1e-6, atol=1e-7)


OPERATORS = [r for r in RULES if r.operator and r.ufunc.nin == 2 and
             r.kind in ("smooth", "zero")]
NUMBERS = [2.5, 3, np.float64(-0.75), 1.0, -1.0, 0.0, np.inf, np.nan]


@pytest.mark.parametrize("rule", OPERATORS, ids=_ids(OPERATORS))
def test_array_operators_with_a_number_match_the_ufunc(rule):
    """``a * 2.0``, ``2.0 - a``, ... (some take a shortcut for a number) give bit for
    bit what the ufunc gives through the general path, inf and NaN included."""
    import operator
    forward = getattr(operator, rule.operator)
    a = dg.Dual(np.array([0.5, -1.5, 2.0, 0.0]), np.arange(8.0).reshape(4, 2) - 3.0)
    with np.errstate(all="ignore"):
        for c in NUMBERS:
            for got, want in [(forward(a, c), rule.ufunc(a, c)),
                              (forward(c, a), rule.ufunc(c, a))]:
                np.testing.assert_array_equal(got.value, want.value, err_msg=f"{c}")
                np.testing.assert_array_equal(got.partials, want.partials, err_msg=f"{c}")


# ---- branches: every row that can jump or kink names them (dg.quad's watch reads them) ---

# derivatives written with a step of their arguments: a kink of the row
_STEP_CALLS = ("np.sign(", "np.floor(", "np.floor_divide(", "np.rint(", "np.copysign(")
# rows the walk flags that have no branch, each with why
_NO_BRANCH = {
    **{name: "a where that picks one of two formulas of the same derivative (both "
       "agree where it switches)" for name in (
           "logaddexp", "logaddexp2", "erfcx", "log_ndtr", "j1", "eval_gegenbauer", "i1",
           "stdtr", "stdtrit", "pdtr", "pdtrc", "rgamma", "expn", "eval_laguerre",
           "eval_genlaguerre", "eval_jacobi", "ellipkinc", "ellipeinc", "_nbinom_pmf")},
    **{name: "a convention on a set where the value is constant or not finite (x = 0 "
       "of x log y, delta < 0)" for name in (
           "xlogy", "xlog1py", "rel_entr", "kl_div", "pseudo_huber")},
}


def _steps(rule):
    """Does a derivative of ``rule`` step with its arguments (a sign, a floor, a where
    whose condition reads the arguments, not only their values)?"""
    for d in rule.derivs:
        if not isinstance(d, str) or d == "0":
            continue
        if any(s in d for s in _STEP_CALLS):
            return True
        for m in re.finditer(r"where\(", d):
            cond = re.sub(r"value\(\w\)", "", d[m.end():].split(",")[0])
            if re.search(r"\b[xyzw]\b", cond):
                return True
    return False


def _jumps_or_kinks(rule):
    ordering = rule.kind == "predicate" and rule.ufunc.nin == 2 and rule.ufunc not in (
        np.equal, np.not_equal, np.logical_and, np.logical_or, np.logical_xor)
    return rule.kind == "zero" or ordering or rule.select or "jump" in rule.kink or \
        _steps(rule)


def test_every_row_that_jumps_or_kinks_names_its_branches():
    _rules._load_scipy()
    missing = sorted(r.name for r in _rules.RULES.values()
                     if _jumps_or_kinks(r) and not r.branch and r.name not in _NO_BRANCH)
    assert missing == [], "add a branch= to these rows (rules/_table.py) or a reason here"
    for rule in _rules.RULES.values():
        for kind, step, place in rule.branch:
            assert kind in ("jump", "kink", "kink2", "nan", "cut", "step") and \
                step in _rules._STEPS, rule.name
        cuts = [b for b in rule.branch if b[0] == "cut"]
        steps = [b for b in rule.branch if b[0] == "step"]    # (smooth steps: step_of)
        assert len(_rules.branch_functions(rule.ufunc)) == \
            len(rule.branch) - len(cuts) - len(steps), rule.name
        assert (_rules.cut_of(rule.ufunc) is None) == (not cuts), rule.name
        assert (_rules.step_of(rule.ufunc) is None) == (not steps), rule.name


# the moving argument 3 (x - 0.5) + p crosses 0, +-1 on [0, 1] at p = 0.3; the others
_OTHERS = {"arctan2": -1.0, "hypot": 0.0, "ive": 0.0, "power": 0.5, "float_power": 0.5}
_SCALE = {"spacing": 2.0 ** 52}          # (its jumps, an ulp, would lie below the tolerance)
# overflows: the moving argument around the largest one with a finite value
_AT = {"exp": 709.782712893384, "expm1": 709.782712893384, "exp2": 1024.0,
       "cosh": 710.4758600739439, "sinh": 710.4758600739439}
BRANCHED = [r for r in RULES if r.branch and r.branch[0][0] not in ("cut", "step") and
            r.ufunc.nin <= 2]


@pytest.mark.parametrize("rule", BRANCHED, ids=_ids(BRANCHED))
def test_every_branch_that_moves_is_refused_by_dg_quad(rule):
    """A row's jump (first derivatives) or kink (second) whose place moves with p inside
    dg.quad's integrand is refused, not differentiated under the integral sign."""
    kinks = all(kind in ("kink", "kink2") for kind, _, _ in rule.branch)
    third = all(kind == "kink2" for kind, _, _ in rule.branch)
    place = rule.branch[0][2]         # the argument it names moves (y: the second)
    slot = 1 if rule.ufunc.nin == 2 and re.match(
        r"^(y|np\.absolute\(y\)|where\(np\.\w+\(value\(x\)\))", place) else 0

    def integrand(x, p):
        args = [_OTHERS.get(rule.name, 1.0) + 0.0 * x] * rule.ufunc.nin
        args[slot] = 3.0 * (x - 0.5) + p + _AT.get(rule.name, 0.0)
        out = rule.ufunc(*args)
        out = out[0] if isinstance(out, tuple) else out
        if rule.name in _AT:                # an overflow's inf, made a number (nan_to_num's
            out = np.isfinite(out) * 1.0    # max float continues exp(709.78...))
        elif rule.branch[0][0] == "nan":    # NaN past the domain's edge, made a number
            out = np.nan_to_num(out)        # (attack50 07)
        return _SCALE.get(rule.name, 1.0) * out + 0.0 * p

    def area(q):
        return dg.quad(lambda x: integrand(x, q[0]), 0.0, 1.0, limit=10)[0]
    helper = dg.hessian if kinks else dg.gradient
    if third:                           # (a jump of the second derivative: huber, i1e)
        def helper(f, p):
            return dg.jacobian(lambda q: dg.hessian(f, q).ravel(), p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TypeError, match="branches to stay put"):
            helper(area, np.array([0.3]))
