"""NumPy functions that NumPy writes on top of others, on duals (user24): multi_dot,
block, unwrap, nancumsum / nancumprod, nanmedian / nanpercentile / nanquantile,
polyfit, and bincount with dual weights.  Each gives NumPy's values on the floats;
derivatives are checked against central differences or closed forms."""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual import primal
from dualgrad.testing import numerical_jacobian

rng = np.random.default_rng(24)
X = rng.uniform(0.5, 1.5, (3, 4))
HOLES = np.where(X > 1.2, np.nan, 1.0)          # NaN where X > 1.2 (a few per row)
IDX = np.array([0, 2, 2, 1, 5, 0, 3, 3, 3, 1, 0, 2])

CASES = {
    "multi_dot": lambda a: np.linalg.multi_dot([a, a.T, a, a[0]]),
    "multi_dot three": lambda a: np.linalg.multi_dot([a[0], a.T, a]),
    "multi_dot five": lambda a: np.linalg.multi_dot([a, a.T, a * 2, a.T, a]),
    "multi_dot vectors": lambda a: np.linalg.multi_dot([a[0], a.T, a, a[1]]),
    "block": lambda a: np.block([[a, a[:, :1] ** 2], [a[:1] * 3, np.ones((1, 1))]]),
    "block scalars": lambda a: np.block([[a[0, 0] / a[0, 1], 0.0, a[1, 1]]]),
    "block 1-d": lambda a: np.block([a[0], 2.0 * a[1], np.array([7.0])]),
    "unwrap": lambda a: np.unwrap(a * 5, axis=1),
    "unwrap discont period": lambda a: np.unwrap(a * 5, discont=4.0, axis=0, period=3.0),
    "nancumsum": lambda a: np.nancumsum(a * HOLES, axis=1),
    "nancumsum all": lambda a: np.nancumsum(a * HOLES),
    "nancumprod": lambda a: np.nancumprod(a * HOLES, axis=0),
    "nanprod": lambda a: np.nanprod(a * HOLES, axis=1, keepdims=True),
    "nanprod all": lambda a: np.nanprod(a * HOLES),
    "nanmedian rows": lambda a: np.nanmedian(a * HOLES, axis=1),
    "nanmedian columns": lambda a: np.nanmedian(a * HOLES, axis=0, keepdims=True),
    "nanmedian all": lambda a: np.nanmedian(a * HOLES),
    "nanquantile": lambda a: np.nanquantile(a * HOLES, [0.2, 0.7, 1.0], axis=0),
    "nanquantile axes": lambda a: np.nanquantile(a * HOLES, 0.35, axis=(0, 1)),
    "nanpercentile": lambda a: np.nanpercentile(a * HOLES, 30, axis=1, keepdims=True),
    "nanmedian no NaN": lambda a: np.nanmedian(a, axis=1),
    "polyfit": lambda a: np.polyfit(a[0], a[1] ** 2, 2),
    "polyfit 2-d y, weights": lambda a: np.polyfit(a[0], np.stack([a[1], a[2]], 1), 1,
                                                   w=a[2]),
    "polyfit plain x": lambda a: np.polyfit(np.arange(4.0), a[1], 2),
    "polyfit cov": lambda a: np.polyfit(a[0], a[1], 1, cov=True)[1],
    "polyfit full residuals": lambda a: np.polyfit(a[0], a[1], 2, full=True)[1],
    "bincount": lambda a: np.bincount(IDX, weights=np.ravel(a) ** 2, minlength=7),
}


# values from the dual lstsq's residuals and inv, and the dual np.prod of a 2-D array over
# all axes (NumPy's reduce multiplies in another order): NumPy's to rounding, not to the bit
ROUNDED = {"polyfit cov", "polyfit full residuals", "nanprod all"}


@pytest.mark.parametrize("name", list(CASES))
def test_values_are_numpys_and_derivatives_match_central_differences(name):
    f = CASES[name]
    got = np.asarray(primal(f(dg.Dual(X, np.ones(X.shape + (1,))))))
    if name in ROUNDED:
        np.testing.assert_allclose(got, f(X), rtol=1e-13)
    else:
        np.testing.assert_array_equal(got, np.asarray(f(X)))
    J = dg.jacobian(f, X)
    assert np.all(np.isfinite(J))               # the NaN elements' partials left out
    want = numerical_jacobian(lambda a: np.asarray(f(a), float), X, h=1e-5)  # (ranks kept)
    np.testing.assert_allclose(J, want, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("func", [np.nanmedian, np.nancumsum, np.nanpercentile, np.nanprod])
def test_nan_elements_and_their_partials_are_ignored(func):
    """NaN in the input itself: the result's derivatives with respect to the NaN
    elements are 0 (no NaN partial leaks), the others match central differences of the
    function of the finite elements alone."""
    x0 = X * HOLES
    keep = ~np.isnan(x0)
    f = (lambda a: func(a, 60.0, axis=1)) if func is np.nanpercentile else \
        (lambda a: func(a, axis=1))
    J = dg.jacobian(f, x0)
    assert np.all(J[..., ~keep] == 0.0) and np.all(np.isfinite(J))

    def on_finite(q):
        a = np.full(x0.shape, np.nan)
        a[keep] = q
        return f(a)
    np.testing.assert_allclose(J[..., keep], numerical_jacobian(on_finite, x0[keep], h=1e-5),
                               rtol=1e-7, atol=1e-9)


def test_an_all_nan_slice_is_nan_with_numpys_warning_and_zero_partials():
    x0 = X.copy()
    x0[1] = np.nan
    for func in (lambda a: np.nanmedian(a, axis=1), lambda a: np.nanquantile(a, 0.4, axis=1)):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            want = func(x0)
            got = func(dg.Dual(x0, np.ones(x0.shape + (2,))))
        np.testing.assert_array_equal(got.value, want)
        assert [str(w.message) for w in seen] == ["All-NaN slice encountered"] * 2
        np.testing.assert_array_equal(got.partials[1], 0.0)
        np.testing.assert_array_equal(got.partials[[0, 2]], 1.0)   # a shift moves them by 1


def test_polyfit_is_the_pseudo_inverse_in_y_and_refuses_a_rank_deficient_fit():
    x = np.array([0.0, 0.5, 1.3, 2.0, 3.1])
    y = 2.0 - 0.7 * x + 0.3 * x ** 2
    np.testing.assert_allclose(np.polyfit(dg.Dual(x, np.ones((5, 1))), y, 2).value,
                               [0.3, -0.7, 2.0], rtol=1e-12)
    J = dg.jacobian(lambda v: np.polyfit(x, v, 2), y)        # linear in y: pinv(V)
    np.testing.assert_allclose(J, np.linalg.pinv(np.vander(x, 3)), rtol=1e-12, atol=1e-14)
    with pytest.raises(TypeError, match=r"np\.polyfit of degree 3 through 4 points.*"
                                        r"rank-deficient.*Fix: lower deg"):
        dg.jacobian(lambda v: np.polyfit(v, [1.0, 2.0, 3.0, 4.0], 3),
                    np.array([1.0, 1.0, 1.0, 2.0]))


def test_bincount_sums_dual_weights_and_refuses_dual_indices():
    w0 = rng.uniform(size=IDX.size)
    J = dg.jacobian(lambda w: np.bincount(IDX, weights=w, minlength=7), w0)
    np.testing.assert_array_equal(J, (IDX[None, :] == np.arange(7)[:, None]) * 1.0)
    H = dg.hessian(lambda w: np.sum(np.bincount(IDX, weights=w ** 2) ** 2), w0)
    same = IDX[:, None] == IDX[None, :]                     # 8 w_i w_j [same bin] + 4 s_i
    s = np.bincount(IDX, weights=w0 ** 2)[IDX]
    np.testing.assert_allclose(H, 8 * np.outer(w0, w0) * same + np.diag(4 * s), rtol=1e-13)
    assert np.array_equal(dg.jacobian(lambda w: np.bincount(IDX) * w[0], w0)[:, 1:], 0 * J[:6, 1:])
    with pytest.raises(TypeError, match=r"np\.bincount.*plain non-negative integers.*"
                                        r"weights="):
        dg.gradient(lambda x: np.sum(np.bincount(x)), np.array([1.0, 2.0]))


def test_block_of_scalar_duals_is_a_dual_array_linalg_takes():
    """The filterpy-book Jacobian np.array([[a / d, 0., b / d]]) made an object array
    np.linalg.inv refused later; np.block of the same list makes a dual array."""
    P, R = np.eye(3) * 50, np.eye(1) * 25

    def precision(x):
        d = np.sqrt(x[0] ** 2 + x[2] ** 2)
        H = np.block([[x[0] / d, 0.0, x[2] / d]])
        assert np.shape(H) == (1, 3) and H.dtype == np.float64    # no object array
        return np.linalg.inv(H @ P @ H.T + R)[0, 0]
    x0 = np.array([100.0, 90.0, 1000.0])
    np.testing.assert_allclose(dg.gradient(precision, x0), numerical_jacobian(precision, x0),
                               rtol=1e-7, atol=1e-12)
    with pytest.raises(ValueError, match="List depths are mismatched"):    # NumPy's check
        dg.jacobian(lambda a: np.block([[a], a]), X)


def test_unwrap_moves_with_its_input_and_its_period():
    x0 = np.array([0.0, 3.0, 6.5, 0.2, -3.4])
    np.testing.assert_array_equal(dg.jacobian(np.unwrap, x0), np.eye(5))
    # unwrap(x0 * p, period=p) = p * unwrap(x0, period=1): the derivative in p is the
    # sum of unwrap(x0, period=1), whole periods included (fix39: it raised)
    g = dg.gradient(lambda p: np.sum(np.unwrap(x0 * p, period=p)), 6.0)
    np.testing.assert_allclose(g, np.sum(np.unwrap(x0, period=1.0)), rtol=1e-14)
    assert g != np.sum(x0)


def test_multi_dot_keeps_numpys_errors():
    with pytest.raises(ValueError, match="at least two arrays"):
        dg.jacobian(lambda a: np.linalg.multi_dot([a]), X)
    with pytest.raises(np.linalg.LinAlgError, match="3-dimensional"):
        dg.jacobian(lambda a: np.linalg.multi_dot([a, a.T, a[None]]), X)
