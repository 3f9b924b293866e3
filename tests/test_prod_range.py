"""np.prod's derivative where products from the ends leave the float range.

The product of the others, d prod / d x_i, comes from exclusive products from
both ends; those can overflow or underflow (``[1e-200, 1e-100, 1e200, 1e200]``:
the suffix 1e400) where the value and the true derivative are ordinary floats.
Oracle: the products of the others in 60-digit mpmath arithmetic, rounded.
"""

import warnings

import mpmath
import numpy as np
import pytest

import dualgrad as dg

pytestmark = pytest.mark.mp_dps(60)   # (tests/conftest.py)


def _others(x):
    xs = [mpmath.mpf(float(v)) for v in x]
    total = mpmath.fprod(xs)
    return np.array([float(mpmath.fprod(xs[:i] + xs[i + 1:])) if xs[i] == 0 else
                     float(total / xs[i]) for i in range(len(xs))])


def _gradient(x, axis=None):
    with warnings.catch_warnings(record=True) as numpy_said:
        warnings.simplefilter("always")
        np.sum(np.prod(x, axis=axis))           # NumPy's own value may warn: so may ours
    with warnings.catch_warnings():
        if not numpy_said:
            warnings.simplefilter("error")      # no internal RuntimeWarning reaches the user
        return dg.gradient(lambda a: np.sum(np.prod(a, axis=axis)), x)


def _rtol(n):
    return (n + 2) * 1.2e-16                    # n roundings of the products, at most


RANGE = [[1e-200, 1e-100, 1e200, 1e200],           # suffix 1e400 overflows: d/dx0 = 1e300
         [1e-200, 1e200, 1e200, 1e-300, 1e-100],   # suffix 1e-400 underflows: d/dx0 = 1
         [1e-320, 1e300, 3.0],                     # a subnormal factor: d/dx0 = 3e300
         [1e-200, 1e-110, 1e300, 1e200]]           # a prefix in the subnormals (1e-310)


@pytest.mark.parametrize("pad", [0, 200, 2500])    # small, large, several blocks
@pytest.mark.parametrize("x", RANGE)
def test_products_of_the_others_out_of_range_are_exact(x, pad):
    x = np.concatenate([x, np.ones(pad)])
    rng = np.random.default_rng(pad)
    x = x * np.where(rng.random(x.size) < 0.5, -1.0, 1.0)         # signs too
    want = _others(x)
    np.testing.assert_allclose(_gradient(x), want, rtol=_rtol(x.size), atol=0)


@pytest.mark.parametrize("axis", [0, 1])
def test_along_an_axis_of_a_matrix(axis):
    rng = np.random.default_rng(7)
    u = rng.uniform(-150, 150, size=(12, 9))
    u -= u.mean(axis=axis, keepdims=True)           # the products ~1, partial ones not
    x = 10.0 ** u * rng.choice([-1.0, 1.0], (12, 9))
    got = _gradient(x, axis)
    xm = np.moveaxis(x, axis, 0)
    want = np.stack([_others(xm[:, j]) for j in range(xm.shape[1])], axis=1)
    np.testing.assert_allclose(got, np.moveaxis(want, 0, axis), rtol=_rtol(12), atol=0)


def test_random_exponents_over_several_blocks():
    rng = np.random.default_rng(3)
    half = rng.integers(0, 600, size=1150)
    e = rng.permutation(np.concatenate([half, -half]))     # the total near 1, its runs not
    x = 2.0 ** e * np.exp(rng.normal(0.0, 0.3, size=2300))
    got = _gradient(x)
    want = _others(x)
    finite = np.isfinite(want) & (np.abs(want) >= np.finfo(float).tiny)
    np.testing.assert_allclose(got[finite], want[finite], rtol=_rtol(x.size), atol=0)
    np.testing.assert_array_equal(got[~finite], want[~finite])     # inf, 0 as they are


@pytest.mark.parametrize("bad, want", [
    ([np.nan, 2.0, 3.0], [6.0, np.nan, np.nan]),
    ([np.nan, 1e200, 1e200, 1e-300], [1e100, np.nan, np.nan, np.nan]),
    ([0.0, 1e200, 1e200, 1e-300], [1e100, 0.0, 0.0, 0.0]),
    ([0.0, 0.0, 1e200, 1e200], [0.0, 0.0, 0.0, 0.0]),
    ([np.inf, 1e-200, 1e-200, 1e300], [1e-100, np.inf, np.inf, np.inf]),
])
def test_nan_zero_and_inf_stay_where_they_belong(bad, want):
    np.testing.assert_allclose(_gradient(np.array(bad)), want, rtol=1e-15, atol=0)


@pytest.mark.parametrize("x", [[1e-200, 1e200, 1e200, 1e-300],   # a derivative past 1e308
                               [1e-320, 1e300],                   # 1 / 1e-320 overflows
                               [1e-200, 1e-110, 1e300, 3.0],      # a subnormal running product
                               [2.0, -3.0, 0.5, 1e-310, 1e305]])
def test_cumprod_with_running_products_out_of_range(x):
    x = np.array(x)
    xs = [mpmath.mpf(float(v)) for v in x]
    want = np.array([[float(mpmath.fprod(xs[k] for k in range(i + 1) if k != j)) if j <= i
                      else 0.0 for j in range(len(xs))] for i in range(len(xs))])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = dg.jacobian(np.cumprod, x)
    # NumPy's own running product passes through the subnormals in x2, x3 (1e-310 holds
    # ~13 digits), and the derivative of a later step uses that value: 1e-12, not 1 ulp
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("pad", [0, 2500])
def test_complex_factors_out_of_range(pad):
    x = np.concatenate([RANGE[0], np.ones(pad)])
    c = np.exp(0.3j)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = dg.jacobian(lambda a: np.prod(a * c), x)
    # d/dx_i prod_j (c x_j) = c**N prod_{j != i} x_j: the real products by mpmath
    want = _others(x) * complex(mpmath.expjpi(0.3 * x.size / mpmath.pi))
    np.testing.assert_allclose(got, want, rtol=_rtol(x.size), atol=0)


def _cumprod_tangent(v, p):
    """d cumprod(v) along the direction p (1-D), in 60-digit mpmath: no under- or overflow."""
    c, t, out = mpmath.mpf(1), mpmath.mpf(0), []
    for vi, pi in zip(v.tolist(), p.tolist()):
        vi, pi = mpmath.mpmathify(vi), mpmath.mpmathify(pi)
        c, t = c * vi, t * vi + c * pi
        out.append(complex(t) if isinstance(t, mpmath.mpc) else float(t))
    return np.array(out)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
@pytest.mark.parametrize("n", [1, 5])
@pytest.mark.parametrize("kind", ["real", "complex"])
@pytest.mark.engine_independent
def test_cumprod_of_long_arrays_through_underflow_and_zeros(engine, n, kind):
    # 3000 factors in [0.2, 0.9]: the running product underflows near step 1100, where
    # c * cumsum(p / v) gives 0 * inf; one column has a zero factor.  The kernel's step
    # products and NumPy's path (forced) against the exact tangent, direction by direction
    rng = np.random.default_rng(7)
    v = rng.uniform(0.2, 0.9, (3000, 2))
    v[40, 1] = 0.0
    if kind == "complex":
        v = v * np.exp(1j * rng.uniform(-1, 1, v.shape))
    p = rng.standard_normal(v.shape + (n,))
    with dg.backend.use(engine), warnings.catch_warnings():
        warnings.simplefilter("error")
        got = np.cumprod(dg.Dual(v, p), axis=0)
    assert np.array_equal(got.value, np.cumprod(v, axis=0))
    for col in range(2):
        for k in range(n):
            want = _cumprod_tangent(v[:, col], p[:, col, k])
            # step i rounds i products and sums of terms of both signs: the bound is
            # relative to the sum of their magnitudes; 1e-290: past step ~1100 NumPy's
            # running product is subnormal (few digits left) or 0
            scale = _cumprod_tangent(np.abs(v[:, col]), np.abs(p[:, col, k]))
            bound = 4 * (np.arange(3000) + 2) * 1.2e-16 * scale + 1e-290
            assert np.all(np.abs(got.partials[:, col, k] - want) <= bound)


@pytest.mark.parametrize("x", [
    np.random.default_rng(1).uniform(0.2, 0.9, 3000),  # the product ~1e-800: every other 0
    [2.0 ** -600, 2.0 ** -475, 0.75],       # the product 0, one other exactly 2**-1075 -> 0
    [2.0 ** -600, 2.0 ** -474, 0.75],       # ... one other the least subnormal, 2**-1074
    [1e-300, 1e-300, 1e250],                # the product 0, two others 1e-50
    [1e-170, 1e-170, -1e-170, 3.0],         # the product 0, every other below 5e-324: 0
])
def test_products_that_underflow_whole(x):
    # the value underflows; the products of the others are 0 only where each one does
    # (a shortcut skips the scans when a bound on the exponents says all do)
    x = np.asarray(x, dtype=float)
    np.testing.assert_allclose(_gradient(x), _others(x), rtol=_rtol(x.size), atol=0)
