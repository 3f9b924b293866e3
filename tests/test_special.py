"""The table's own trigamma (dualgrad/rules/_special.py), psi's derivative.

Against mpmath at 60 digits (an oracle that shares no code with it): within 6 ulp on
[-50, 1e8] with points next to the poles, tiny and huge arguments (SciPy's zeta(2, x),
the former derivative, is within 7 there); its three forms (Python on floats, NumPy's
passes, the numba kernel) give the same bits; the infinities and NaN are SciPy's.
"""

import math

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg
from dualgrad.backend import _kernels
from dualgrad.rules import _table
from dualgrad.rules._special import trigamma, trigamma_array


def _points():
    rng = np.random.default_rng(16)
    poles = np.arange(0.0, 51.0)
    near = [-k + d for k in poles for d in (1e-13, -1e-13, 1e-7, -1e-7, 0.5, 0.25)]
    x = np.concatenate([
        rng.uniform(-50.0, 0.0, 600), rng.uniform(0.0, 12.0, 600),
        np.exp(rng.uniform(math.log(1e-150), math.log(1e8), 600)),
        -np.exp(rng.uniform(math.log(1e-150), math.log(0.5), 200)),
        near, [1e-150, 9.999999999999998, 10.0, 10.000000000000002, 1e8, 2e8]])
    return x[x != np.floor(x)]          # the poles are checked apart


@pytest.mark.engine_independent
def test_trigamma_within_a_few_ulp_of_mpmath():
    x = _points()
    with mp.workdps(60):
        want = np.array([float(mp.psi(1, mp.mpf(float(v)))) for v in x])
    ulps = np.abs(trigamma_array(x) - want) / np.spacing(np.abs(want))
    scipy_ulps = np.abs(sc.zeta(2.0, x) - want) / np.spacing(np.abs(want))
    worst = int(np.argmax(ulps))
    assert ulps.max() <= 6.0, (x[worst], ulps.max())
    assert ulps.max() <= scipy_ulps.max() + 1.0, (ulps.max(), scipy_ulps.max())


@pytest.mark.engine_independent
def test_trigamma_a_wrong_coefficient_fails_the_oracle():
    """The oracle sees the series: at x = 10 its B_6 term is ~2e-8 of the sum, so a
    truncation after B_4 (what a wrong table of coefficients could give) is far off."""
    t = 1.0 / 10.0
    truncated = sum(1.0 / (0.3 + k) ** 2 for k in range(10)) + \
        t * (1.0 + t * (0.5 + t * (1.0 / 6.0 - t * t / 30.0)))
    with mp.workdps(60):
        want = float(mp.psi(1, 0.3))
    assert abs(truncated - want) > 1e-12 * want
    assert abs(trigamma_array(np.array([0.3]))[0] - want) <= 4e-16 * want


SPECIAL = [0.0, -0.0, -1.0, -2.0, -50.0, -1e20, -2.0 ** 60, np.inf, -np.inf, np.nan, 1e-170,
           1e-300, 5e-324, -1e-170, -5e-324, 1e300, 1e17, 1.5, -1.5]


@pytest.mark.engine_independent
def test_trigamma_infinities_and_nan_are_scipys():
    x = np.array(SPECIAL)
    want = sc.zeta(2.0, x)
    got = trigamma_array(x)
    finite = np.isfinite(want)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(got[np.isinf(want)], want[np.isinf(want)])
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-15, atol=0.0)


@pytest.mark.engine_independent
def test_trigamma_three_forms_give_the_same_bits():
    x = np.concatenate([_points(), SPECIAL])
    numpy = trigamma_array(x)
    with _kernels.use("numba"):
        kernel = _table.trigamma(x)
        strided = _table.trigamma(np.repeat(x, 2)[::2])
        grid = _table.trigamma(x[:1000].reshape(20, 50).T)
    with _kernels.use("numpy"):
        passes = _table.trigamma(x)
    assert np.array_equal(kernel, numpy, equal_nan=True)
    assert np.array_equal(passes, numpy, equal_nan=True)
    assert np.array_equal(strided, numpy, equal_nan=True)
    assert np.array_equal(grid, numpy[:1000].reshape(20, 50).T, equal_nan=True)
    for v, w in zip(x.tolist(), numpy.tolist()):
        try:
            got = trigamma(v)
        except ArithmeticError:             # the infinities: the array path's
            assert math.isinf(w), v
            got = _table.trigamma(v)
        assert type(got) in (float, np.float64)
        assert got == w or (math.isnan(got) and math.isnan(w)), v


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_psi_derivative_on_array_scalar_and_nested_duals(engine):
    """First derivatives on arrays and floats, and the second (a Hessian's nested dual,
    which the table's trigamma hands to zeta(2, x)'s own rule) against mpmath."""
    x = np.array([-2.5, -0.3, 0.2, 1.0, 3.7, 15.0, 1e5])
    with mp.workdps(40):
        d1 = np.array([float(mp.psi(1, v)) for v in x])
        d2 = np.array([float(mp.psi(2, v)) for v in x])
    with _kernels.use(engine):
        jac = dg.jacobian(sc.psi, x)
        np.testing.assert_allclose(np.diag(jac), d1, rtol=1e-14)
        for v, want in zip(x, d1):
            assert dg.derivative(sc.psi, float(v)) == pytest.approx(want, rel=1e-14)
        for v, want in zip(x, d2):
            got = dg.hessian(lambda t: sc.psi(t[0]), np.array([v]))[0, 0]
            assert got == pytest.approx(want, rel=1e-12)
