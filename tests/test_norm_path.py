"""np.linalg.norm of a real dual over every axis: its sum of squares comes first and,
when finite, spares the weighted sum its own test of the values (kern13).  The
partials are the analytic ``x . p / |x|``, and where a value is not finite or its
square overflows, those of the elementwise composition, as before."""

import warnings

import numpy as np
import pytest

import dualgrad as dg


def _dual(x, n, seed=0):
    rng = np.random.default_rng(seed)
    return dg.Dual(x, rng.standard_normal(x.shape + (n,)))


@pytest.mark.parametrize("shape", [(7,), (300,), (20, 30)])
@pytest.mark.parametrize("n", [1, 4])
def test_norm_of_finite_values_is_the_analytic_derivative(shape, n):
    x = np.random.default_rng(1).uniform(-2.0, 2.0, shape)
    d = _dual(x, n)
    got = np.linalg.norm(d)
    norm = np.sqrt(np.sum(x * x))
    want = np.tensordot(x, d.partials, axes=x.ndim) / norm
    assert got.value == np.linalg.norm(x)
    np.testing.assert_allclose(got.partials, want, rtol=1e-13, atol=0.0)


@pytest.mark.parametrize("special", [np.inf, -np.inf, np.nan, 1e200])
def test_norm_where_a_value_is_not_finite_or_overflows(special):
    x = np.random.default_rng(2).uniform(-2.0, 2.0, 50)
    x[17] = special
    d = _dual(x, 3)
    d.partials[17] = 0.0
    with np.errstate(all="ignore"):
        got = np.linalg.norm(d)
        want = np.sqrt(np.sum(d * d))               # the elementwise composition
    np.testing.assert_array_equal(got.value, want.value)
    if special == 1e200:       # x @ x overflows: x.p / |x| all the same (attack62 04)
        w = x / 1e200
        want = np.tensordot(w, d.partials, axes=1) / np.sqrt(np.sum(w * w))
        np.testing.assert_allclose(got.partials, want, rtol=1e-13)
    else:
        np.testing.assert_array_equal(got.partials, want.partials)  # NaN where NaN


@pytest.mark.parametrize("scale", [1e-170, 1e-300, 1e200])
def test_norm_slope_where_the_sum_of_squares_under_or_overflows(scale):
    """x @ x is 0 or inf though |x| is not (attack62 04: a gradient of inf / 0 for x /
    |x|): NumPy's value, the exact slope over every axis or one, and the exact Hessian
    (I - u u^T) / |x| there too (lead63: it was NaN); no warning from dualgrad."""
    x = np.array([[1.0, 2.0, 2.0], [3.0, 4.0, 0.0]]) * scale
    unit = np.array([[1.0, 2.0, 2.0], [3.0, 4.0, 0.0]]) / np.array([[3.0], [5.0]])
    with np.errstate(all="ignore"):
        want = np.linalg.norm(x), np.linalg.norm(x, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = dg.gradient(np.linalg.norm, x[0])
        got = np.linalg.norm(dg.Dual(x[0], np.eye(3)))
    assert got.value == want[0]
    np.testing.assert_allclose(g, unit[0], rtol=1e-15)
    with np.errstate(over="ignore"):
        rows = np.linalg.norm(dg.Dual(x, np.eye(6).reshape(2, 3, 6)), axis=1)
    np.testing.assert_array_equal(rows.value, want[1])
    np.testing.assert_allclose(rows.partials, np.stack([np.r_[unit[0], 0, 0, 0],
                                                        np.r_[0, 0, 0, unit[1]]]), rtol=1e-15)
    with np.errstate(over="ignore"):
        h = dg.hessian(np.linalg.norm, x[0])
    want = (np.eye(3) - np.outer(unit[0], unit[0])) / (3.0 * scale)
    np.testing.assert_allclose(h, want, rtol=1e-15, atol=1e-15 * np.abs(want).max())
