"""The generated scalar fast path agrees with the general path, and stays quiet."""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _ufuncs
from dualgrad.rules._table import RULES
from dualgrad.dual._scalar import scalar_class

FAST_UNARY = sorted((u for u in scalar_class(3)._UNARY if RULES[u].kind in ("smooth", "zero")),
                    key=lambda u: u.__name__)


def _general(ufunc, *args):
    return _ufuncs.call(RULES[ufunc], args)


@pytest.mark.parametrize("ufunc", FAST_UNARY, ids=[u.__name__ for u in FAST_UNARY])
@pytest.mark.engine_independent
def test_fast_unary_equals_general_path(ufunc):
    rule = RULES[ufunc]
    lo, hi = rule.domain[0]
    for x in np.linspace(lo, hi, 5):
        d = dg.Dual(float(x), [1.0, -0.5, 0.0])
        fast, slow = ufunc(d), _general(ufunc, d)
        np.testing.assert_array_equal(fast.value, slow.value)         # NaN equals NaN
        np.testing.assert_array_equal(fast.partials, slow.partials)   # to the bit


OPERATORS = [("+", np.add), ("-", np.subtract), ("*", np.multiply), ("/", np.true_divide),
             ("**", np.power)]


@pytest.mark.parametrize("symbol, ufunc", OPERATORS)
@pytest.mark.parametrize("other", [2.0, 3, np.float64(0.5), "dual"])
def test_fast_operators_equal_general_path(symbol, ufunc, other):
    a = dg.Dual(1.7, [1.0, 2.0])
    b = dg.Dual(0.6, [0.5, -1.0], tag=a.tag) if other == "dual" else other
    for left, right in ((a, b), (b, a)):
        if not isinstance(left, dg.Dual) and symbol == "**":
            continue
        fast = eval(f"left {symbol} right")
        slow = _general(ufunc, left, right)
        assert type(fast.value) is float
        np.testing.assert_allclose(fast.value, slow.value, rtol=1e-15)
        np.testing.assert_allclose(fast.partials, slow.partials, rtol=1e-15)


@pytest.mark.parametrize("ufunc", [np.add, np.subtract, np.multiply, np.true_divide])
@pytest.mark.parametrize("number", [np.float64(0.5), np.float64(0.0), np.float64(-np.inf),
                                    np.float64(np.nan), 0.0, 3])
@pytest.mark.parametrize("at", [1.7, 0.0, np.inf])
def test_a_numpy_scalar_and_a_dual_through_the_ufunc_take_the_operators_path(ufunc, number,
                                                                            at):
    """``np.float64(c) * d`` reaches the dual's ``__array_ufunc__`` (NumPy's scalar asks
    the ufunc), which hands it to the inlined operator (two duals: the ufunc's fast path): NumPy's value and the general
    path's partials, to the bit, at singular points and special values too."""
    a = dg.Dual(at, [1.0, 0.0])
    with np.errstate(all="ignore"):
        for args in ((number, a), (a, number)):
            got = ufunc(*args)
            want = _general(ufunc, *args)
            assert type(got.value) is float
            np.testing.assert_array_equal(got.value, want.value)
            np.testing.assert_array_equal(got.partials, want.partials)
            np.testing.assert_array_equal(got.value, ufunc(*(np.float64(at) if x is a else x
                                                             for x in args)))
        if type(number) is np.float64:
            symbol = {np.add: "+", np.subtract: "-", np.multiply: "*",
                      np.true_divide: "/"}[ufunc]
            got = eval(f"number {symbol} a")
            np.testing.assert_array_equal(got.partials, _general(ufunc, number, a).partials)


def test_division_by_zero_gives_numpy_inf_not_an_exception():
    with np.errstate(divide="ignore"):
        r = dg.Dual(1.0, [1.0, 0.0]) / 0.0
        s = 1.0 / dg.Dual(0.0, [1.0, 0.0])
    assert r.value == np.inf and list(r.partials) == [np.inf, 0.0]
    assert s.value == np.inf and s.partials[1] == 0.0


def test_power_of_negative_base_is_nan_like_numpy_not_complex():
    with np.errstate(invalid="ignore"):
        r = dg.Dual(-8.0, [1.0]) ** (1.0 / 3.0)
    assert np.isnan(r.value) and type(r.value) is float


@pytest.mark.parametrize("f, x", [(np.sqrt, 0.0), (np.arcsin, 1.0), (np.log, 0.0),
                                  (lambda d: d ** 0.5, 0.0), (np.arctanh, 1.0)])
def test_singular_points_raise_no_warning_of_ours(f, x):
    """Only NumPy's own warning for the value may appear, as with plain floats."""
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        f(dg.Dual(x, [1.0, 0.0]))
    with warnings.catch_warnings(record=True) as plain:
        warnings.simplefilter("always")
        f(np.float64(x))
    assert len(ours) <= len(plain)


def test_seterr_raise_in_user_code_is_respected_only_for_values():
    old = np.seterr(all="raise")
    try:
        g = dg.gradient(lambda x: np.sqrt(x[0]) + x[1] * np.arcsin(x[2]),
                        np.array([0.0, 1.0, 1.0]))
        assert g[0] == np.inf and g[2] == np.inf
        with pytest.raises(FloatingPointError):
            dg.gradient(lambda x: np.log(x), 0.0)      # log(0) itself raises in NumPy
    finally:
        np.seterr(**old)


def test_scalar_dual_is_not_a_sequence():
    d = dg.Dual(1.0, [1.0])
    assert not hasattr(d, "__len__") and not hasattr(d, "__getitem__")
    assert np.array([d, d]).dtype == object
    assert d.ndim == 0 and d.shape == () and d.T is d


def test_truthiness_and_comparisons_use_values():
    assert bool(dg.Dual(0.0, [1.0])) is False
    assert (dg.Dual(2.0, [1.0]) > 1) is True
    assert (3.0 > dg.Dual(2.0, [1.0])) is True
    assert dg.Dual(2.0, [1.0]) == 2.0


def test_singular_local_derivative_with_more_than_16_partials_is_numpys_inf():
    """A scalar dual with > 16 partials (the vector kind) at sqrt(0): inf, like the
    slot kind and NumPy; it raised ZeroDivisionError (a Python-float division)."""
    x = np.ones(20)
    x[0] = x[1] = 0.0
    for chunk in (20, 2):
        g = dg.gradient(lambda x: np.sqrt(x[0]) + np.cbrt(x[1]) + x[2], x, chunk=chunk)
        np.testing.assert_array_equal(g[:4], [np.inf, np.inf, 1.0, 0.0])


def test_square_by_power_operator_matches_the_square_rule():
    # d ** 2 takes the square's local derivative 2 x (closed form), for an int or float
    # exponent, on plain and nested duals (second derivative 2)
    for two in (2, 2.0):
        d = dg.Dual(1.5, [1.0, -2.0])
        out = d ** two
        assert out.value == 2.25 and list(out.partials) == [3.0, -6.0]
        assert dg.derivative(lambda x: dg.derivative(lambda y: y ** two, x), 0.7) == 2.0
    assert dg.derivative(lambda x: x ** 3, 0.5) == 0.75       # other exponents: the power rule


@pytest.mark.parametrize("spell, want", [
    ("np.sum(z ** 2).reshape(1)", [[2.0, 4.0, 6.0]]),
    ("np.sum(z ** 2).reshape((1, 1))[0]", [[2.0, 4.0, 6.0]]),
    ("(z @ z).sum()", [2.0, 4.0, 6.0]),
    ("np.dot(z, z).ravel()", [[2.0, 4.0, 6.0]]),
    ("np.sum(z * z).flatten()", [[2.0, 4.0, 6.0]]),
    ("np.mean(z).squeeze()", [1 / 3, 1 / 3, 1 / 3]),
    ("np.max(z).clip(0.0, 5.0)", [0.0, 0.0, 1.0]),
    ("np.max(z).clip(0.0, 2.5)", [0.0, 0.0, 0.0]),
    ("np.prod(z).mean() + np.sum(z).max()", [7.0, 4.0, 3.0]),
    ("np.sum(z).cumsum()", [[1.0, 1.0, 1.0]]),
    ("np.sum(z).round(1) + z[1] * np.sum(z).transpose()", [2.0, 8.0, 2.0])])
def test_a_reductions_scalar_has_np_float64s_methods(spell, want):
    """A reduction of an array dual gives a scalar dual where floats give np.float64,
    whose methods users chain (``loss.sum()``, ``np.max(x).clip(0, 1)``): each is
    NumPy's function of the dual (it raised a bare AttributeError; an outside attack)."""
    f = eval(f"lambda z: {spell}")                        # noqa: S307 - the spellings above
    got = dg.jacobian(f, np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(got, want, rtol=1e-15)
    assert dg.Dual(1.5, [1.0, 0.0]).dtype == np.float64


@pytest.mark.parametrize("spell", ["np.mean", "np.var", "np.std", "np.average"])
@pytest.mark.parametrize("container", [tuple, list, lambda s: np.array(s, dtype=object)])
def test_numpys_mean_var_std_of_scalar_duals_in_a_list(spell, container):
    """``np.mean((a, b**2, 3.0))`` runs NumPy's object-array reduction, which casts a
    result with a dtype by ``result.dtype.type(...)``: since scalar duals had a dtype
    that was float(d) and raised "would drop the derivatives" (attack10 06).  By hand:
    mean m = sum(v) / k, var = sum((v - m)**2) / k, d var = 2 sum((v - m) dv) / k."""
    fn = eval(spell)                                     # noqa: S307 - the names above
    x = np.array([0.5, -1.0, 2.0])

    def f(z):
        return fn(container([z[0], z[2] ** 2, 3.0, z[0] * z[1]]))
    v = np.array([x[0], x[2] ** 2, 3.0, x[0] * x[1]])
    dv = np.array([[1, 0, 0], [0, 0, 2 * x[2]], [0, 0, 0], [x[1], x[0], 0]], float)
    k = v.size
    dvar = 2 * (v - v.mean()) @ dv / k
    right = {"np.mean": dv.sum(0) / k, "np.average": dv.sum(0) / k, "np.var": dvar,
             "np.std": dvar / (2 * np.sqrt(v.var()))}[spell]
    np.testing.assert_allclose(dg.gradient(f, x), right, rtol=1e-14)
    np.testing.assert_allclose(f(x), fn(v), rtol=1e-15)        # floats: NumPy's own


def test_compress_of_a_scalar_dual_is_numpy_scalars():
    # np.float64(v).compress reads the scalar as a 1-element array
    d = dg.Dual(1.5, [2.0, -1.0])
    for cond, axis in (([True], None), ([True], 0), ([False], -1)):
        got = d.compress(cond, axis)
        want = np.float64(1.5).compress(cond, axis)
        assert got.value.shape == want.shape
        np.testing.assert_array_equal(got.value, want)
        np.testing.assert_array_equal(got.partials,
                                      np.reshape([[2.0, -1.0]] * want.size, (-1, 2)))
    with pytest.raises(np.exceptions.AxisError):
        np.float64(1.5).compress([True], 1)
    with pytest.raises(np.exceptions.AxisError):
        d.compress([True], 1)
