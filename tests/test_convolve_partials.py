"""np.convolve and np.correlate of array duals take every direction at once (shifted
copies of the partials, one per entry of the shorter operand).  Oracle: NumPy's own
convolve / correlate applied to each direction's partials (the operation is linear in
each operand), for every mode, both length orders and parities, real and complex."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual._base import new_tag


def _oracle(func, a, pa, v, pv, mode):
    cols = []
    for k in range(3):
        total = 0.0
        if pa is not None:
            total = total + func(pa[:, k], v, mode)
        if pv is not None:
            total = total + func(a, pv[:, k], mode)
        cols.append(total)
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("func", [np.convolve, np.correlate])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("N, M", [(40, 3), (41, 4), (3, 40), (4, 41), (5, 5), (20, 16),
                                  (17, 30)])
@pytest.mark.parametrize("which", ["a", "v", "both"])
@pytest.mark.parametrize("kind", ["real", "complex"])
@pytest.mark.parametrize("engine", ["numba", "numpy"])
@pytest.mark.engine_independent
def test_convolution_partials_match_numpy_per_direction(func, mode, N, M, which, kind,
                                                        engine):
    rng = np.random.default_rng(N * 100 + M)
    cplx = (lambda s: rng.standard_normal(s) + 1j * rng.standard_normal(s)) \
        if kind == "complex" else rng.standard_normal
    a, v = cplx(N), cplx(M)
    pa = cplx((N, 3)) if which in ("a", "both") else None
    pv = cplx((M, 3)) if which in ("v", "both") else None
    tag = new_tag()
    da = dg.Dual(a, pa, tag=tag) if pa is not None else a
    dv = dg.Dual(v, pv, tag=tag) if pv is not None else v
    with dg.backend.use(engine):            # the kernel pass and NumPy's shifted sums
        got = func(da, dv, mode)
    np.testing.assert_array_equal(got.value, func(a, v, mode))
    np.testing.assert_allclose(got.partials, _oracle(func, a, pa, v, pv, mode),
                               rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("func", [np.cross, np.linalg.cross])
@pytest.mark.parametrize("shapes", [((50, 3), (50, 3)), ((3,), (7, 3)), ((4, 1, 3), (5, 3)),
                                    ((3,), (3,))])
@pytest.mark.parametrize("which", ["a", "b", "both"])
def test_cross_partials_match_numpy_per_direction(func, shapes, which):
    # every direction in one np.cross per dual operand (the directions a free axis);
    # oracle: NumPy's cross of each direction's partials with the other's values
    rng = np.random.default_rng(len(shapes[0]) * 10 + len(shapes[1]))
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    pa = rng.standard_normal(a.shape + (3,)) if which in ("a", "both") else None
    pb = rng.standard_normal(b.shape + (3,)) if which in ("b", "both") else None
    tag = new_tag()
    da = dg.Dual(a, pa, tag=tag) if pa is not None else a
    db = dg.Dual(b, pb, tag=tag) if pb is not None else b
    got = func(da, db)
    np.testing.assert_array_equal(got.value, func(a, b))
    want = np.stack([(func(pa[..., k], b) if pa is not None else 0.0) +
                     (func(a, pb[..., k]) if pb is not None else 0.0) for k in range(3)],
                    axis=-1)
    np.testing.assert_allclose(got.partials, want, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("taps", [1, 2, 3, 4, 5, 7])
@pytest.mark.parametrize("length", [1, 2, 3, 4, 6, 9, 600])
@pytest.mark.parametrize("n", [1, 3, 4])
@pytest.mark.engine_independent
def test_kernel_adds_the_taps_in_order_as_numpys_shifted_sums(taps, length, n):
    # the summation order is the contract: out[i] = ((0.0 + w0 p[i]) + w1 p[i-1]) + ...
    # over the rows in range, the bits of the NumPy engine's one pass per tap (signed
    # zeros, infinities and NaNs among the partials and taps); lengths around the
    # taps' span cover the kernel's ends and its spelled-out interiors
    from dualgrad.backend import _propagate
    rng = np.random.default_rng(taps * 1000 + length * 10 + n)
    p = rng.standard_normal((length, n))
    p[rng.random(p.shape) < 0.2] = -0.0
    w = rng.standard_normal(taps)
    w[rng.random(taps) < 0.3] = -0.0
    if length > 5:
        p[2, 0], p[5, -1] = np.inf, -np.inf
    with dg.backend.use("numba"):
        got = _propagate.convolve(p, w)
    with dg.backend.use("numpy"):
        want = _propagate.convolve(p, w)
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    np.testing.assert_array_equal(got[~nan].view(np.uint64), want[~nan].view(np.uint64))
    # and NumPy's convolve of each direction (its own order: to rounding)
    if length > 5:
        return
    for k in range(n):
        np.testing.assert_allclose(got[:, k], np.convolve(p[:, k], w), rtol=1e-14,
                                   atol=1e-14)


@pytest.mark.parametrize("func", [np.convolve, np.correlate, np.dot])
def test_an_inf_in_the_dual_operands_own_value_leaves_its_partials_finite(func):
    # d(a w) = da w: a's own values never meet its partials, so an inf or NaN among
    # them changes nothing (only the other operand's values are scanned for one)
    rng = np.random.default_rng(3)
    a = rng.standard_normal(50)
    a[[4, 9]] = np.inf, np.nan
    pa = rng.standard_normal((50, 3))
    w = rng.standard_normal(3) if func is not np.dot else rng.standard_normal(50)
    got = func(dg.Dual(a, pa, tag=new_tag()), w)
    want = np.stack([func(pa[:, k], w) for k in range(3)], axis=-1)
    assert np.all(np.isfinite(got.partials))
    np.testing.assert_allclose(got.partials, want, rtol=1e-13, atol=1e-13)
