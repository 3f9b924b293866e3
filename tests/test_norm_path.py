"""np.linalg.norm of a real dual over every axis: its sum of squares comes first and,
when finite, spares the weighted sum its own test of the values (kern13).  The
partials are the analytic ``x . p / |x|``, and where a value is not finite or its
square overflows, those of the elementwise composition, as before."""

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
    np.testing.assert_array_equal(got.partials, want.partials)      # NaN where NaN
    if special == 1e200:                            # |x| overflows: partials x.p/inf
        np.testing.assert_array_equal(got.partials, 0.0)
