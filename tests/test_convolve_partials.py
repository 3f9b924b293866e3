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
