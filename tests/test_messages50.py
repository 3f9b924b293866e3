"""Refusals and warnings whose advice must give the caller's number (attack50 01, 08).

Oracles: the function's own branch logic evaluated by hand (math.isclose's definition),
and the warning's presence where a derivative is 0 through an index alone.
"""
import math
import warnings

import numpy as np
import pytest

import dualgrad as dg


def test_math_isclose_is_spelled_with_its_own_tolerances():
    # np.isclose(p, 1.0) is True at p = 1.000001 (rtol=1e-5); math.isclose is False
    def f(p):
        return 2 * p if math.isclose(p, 1.0) else 3 * p
    with pytest.raises(TypeError) as info:
        dg.derivative(f, 1.000001)
    spelling = "abs(a - b) <= 1e-09 * max(abs(a), abs(b))"
    assert spelling in str(info.value)

    def spelled(p):                 # the message's spelling, a = p, b = 1.0
        return 2 * p if abs(p - 1.0) <= 1e-09 * max(abs(p), abs(1.0)) else 3 * p
    for p in (1.000001, 1.0 + 1e-12, 0.5):
        assert dg.derivative(spelled, p) == (2.0 if math.isclose(p, 1.0) else 3.0)


@pytest.mark.parametrize("pick", [lambda v: v.argmax(), lambda v: v.argmin(),
                                  lambda v: v.argpartition(2)[0]])
def test_index_methods_of_a_dual_array_are_noted_as_comparisons(pick):
    # t[d.argmax()] is t[np.argmax(d)]: a derivative of 0 through an index alone warns
    t = np.linspace(0.0, 1.0, 11)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        d = dg.derivative(lambda p: t[pick(np.sin(t * p))], 1.3)
    assert d == 0.0
    assert any(issubclass(w.category, dg.ComparedOnlyWarning) for w in seen)


_t = np.linspace(0.0, 1.0, 11)


@pytest.mark.parametrize("count", [
    lambda v: float(np.histogram(v, bins=3, range=(0.0, 1.0))[0][0]),
    lambda v: float(np.unique(np.round(v, 1), return_counts=True)[1][0]),
    lambda v: float(np.unique(np.floor(3 * v), return_inverse=True)[1][-1]),
    lambda v: float(np.isin(v, _t).sum()),
    lambda v: float(np.isclose(v, 0.5, atol=0.1).sum()),
    lambda v: float(np.allclose(v, _t)),
    lambda v: float(np.array_equal(v, _t)),
    lambda v: float(np.count_nonzero(np.nonzero(v > 0.5)[0])),
], ids=["histogram", "unique counts", "unique inverse", "isin", "isclose", "allclose",
        "array_equal", "nonzero"])
def test_counts_and_equality_tests_of_duals_are_noted_as_comparisons(count):
    # attack50 01's rest: a count of dual values is piecewise constant (central
    # differences of the plain function: 0 at p = 1.3, away from every bin edge), and
    # its 0 is the case ComparedOnlyWarning names
    p, h = 1.3, 1e-7
    assert count(_t * (p + h)) == count(_t * (p - h))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        d = dg.derivative(lambda q: count(_t * q), p)
    assert d == 0.0
    assert any(issubclass(w.category, dg.ComparedOnlyWarning) for w in seen)


def test_dtype_queries_of_duals_are_not_comparisons():
    # np.iscomplexobj / np.result_type read no values: a plain result after them alone
    # is not reached through a branch, so no warning
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        dg.derivative(lambda q: float(np.iscomplexobj(q * _t)) + float(
            np.result_type(q * _t) == np.float64), 1.3)
    assert not any(issubclass(w.category, dg.ComparedOnlyWarning) for w in seen)


def test_a_maximum_picked_by_the_argmax_method_is_watched_by_quad():
    # int_0^1 max(x - K, 0): second derivative 1; through v[v.argmax()] it came back 0
    def area(q):
        def g(x):
            v = np.stack([x - q[0], 0.0 * q[0]])
            return v[v.argmax()]
        return dg.quad(g, 0.0, 1.0)[0]
    assert dg.gradient(area, np.array([0.3]))[0] == pytest.approx(-0.7, abs=1e-8)
    with pytest.raises(TypeError, match="a kink"):
        dg.hessian(area, np.array([0.3]))
