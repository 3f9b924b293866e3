"""np.cov and np.corrcoef of duals: NumPy's values (complex rows use X @ X^H) and
partials against central differences of the float functions along a direction."""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend


def _fd(f, x0, v, h=1e-6):
    return (f(x0 + h * v) - f(x0 - h * v)) / (2 * h)


@pytest.mark.parametrize("func", [np.cov, np.corrcoef,
                                  lambda x: np.cov(x, bias=True),
                                  lambda x: np.cov(x.T, rowvar=False)])
@pytest.mark.parametrize("kind", ["real", "complex"])
def test_cov_values_are_numpys_and_partials_match_differences(func, kind):
    rng = np.random.default_rng(11)
    x0 = rng.standard_normal((4, 30))
    v = rng.standard_normal((4, 30))
    if kind == "complex":
        x0 = x0 + 1j * rng.standard_normal((4, 30))
        v = v + 1j * rng.standard_normal((4, 30))
    out, tangent = dg.jvp(lambda t: func(x0 + t * v), 0.0, 1.0)
    np.testing.assert_allclose(out, func(x0), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(tangent, _fd(lambda t: func(x0 + t * v), 0.0, 1.0),
                               rtol=1e-6, atol=1e-8)


@pytest.mark.engine_independent
def test_cov_of_large_rows_takes_one_gemm():
    # x @ x.T of one dual: partials G + G^T from one contraction; against the product
    # rule on the centred rows and partials written out with einsum
    rng = np.random.default_rng(12)
    x0, p = rng.standard_normal((50, 200)), rng.standard_normal((50, 200, 3))
    got = np.cov(dg.Dual(x0, p))
    c = x0 - x0.mean(axis=1, keepdims=True)
    pc = p - p.mean(axis=1, keepdims=True)
    want = (np.einsum("ikd,jk->ijd", pc, c) + np.einsum("ik,jkd->ijd", c, pc)) / 199
    np.testing.assert_allclose(got.partials, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got.value, np.cov(x0), rtol=1e-14)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
@pytest.mark.parametrize("common", [1e3, 2.0 ** 30, 1.7e9])
def test_partials_with_a_large_common_part_lose_nothing(engine, common):
    """Partials ``common + w`` (every observation shifted alike, plus a small ``w``):
    the derivative is that of ``w`` alone, written with ``w`` centred (``w`` dyadic,
    so ``common + w`` is exact and the oracle never sees ``common``); a shift alone
    gives exactly 0.  The uncentred product of stop 32 read relative errors to 2e-7."""
    rng = np.random.default_rng(13)
    x0 = rng.standard_normal((6, 400))
    w = np.round(rng.standard_normal((6, 400, 2)) * 1024) / 1024
    p = common + w
    p[..., 1] = common * rng.standard_normal((6, 1))     # a shift of each row
    with backend.use(engine):
        got = np.cov(dg.Dual(x0, p)).partials
        r = np.corrcoef(dg.Dual(x0, p)).partials
    assert np.all(got[..., 1] == 0.0) and np.all(r[..., 1] == 0.0)
    c = x0 - x0.mean(axis=1, keepdims=True)
    wc = w[..., 0] - w[..., 0].mean(axis=1, keepdims=True)
    want = (wc @ c.T + c @ wc.T) / 399
    np.testing.assert_allclose(got[..., 0], want, rtol=1e-12, atol=1e-13 * np.abs(want).max())


def _corrcoef_fd(x0, v, h=1e-6):
    return (np.corrcoef(x0 + h * v) - np.corrcoef(x0 - h * v)) / (2 * h)


@pytest.mark.parametrize("shape", [(2, 5), (30, 40), (60, 7)])
@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_corrcoef_closed_form_against_differences(shape, engine):
    """The normalisation's partials in closed form (prod13): NumPy's value, the
    tangent of central differences, every direction of a four-direction seed (the
    value NumPy's bit for bit: the covariance's is, prod14)."""
    rng = np.random.default_rng(shape[0])
    x0 = rng.standard_normal(shape)
    p = rng.standard_normal(shape + (4,))
    with backend.use(engine):                # the kernel's pass, and NumPy's four
        got = np.corrcoef(dg.Dual(x0, p))
    np.testing.assert_array_equal(got.value, np.corrcoef(x0))
    for k in range(4):
        np.testing.assert_allclose(got.partials[..., k], _corrcoef_fd(x0, p[..., k]),
                                   rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_corrcoef_clipped_and_fallbacks(engine):
    """Rows that are exact multiples (r = +-1, where NumPy's clip may hold a value that
    rounded past 1) have zero partials wherever the clip holds and the closed form's
    elsewhere; a zero variance or a NaN takes the general lines (NumPy's NaN value)."""
    rng = np.random.default_rng(3)
    base = rng.standard_normal(50)
    x0 = np.stack([base, -3.0 * base, rng.standard_normal(50)])
    p = rng.standard_normal((3, 50, 2))
    with backend.use(engine):
        got = np.corrcoef(dg.Dual(x0, p))
    np.testing.assert_allclose(got.value, np.corrcoef(x0), rtol=1e-13, atol=1e-15)
    c = np.cov(dg.Dual(x0, p)).value          # the covariance the dual normalises
    d = np.sqrt(np.diagonal(c))
    held = np.abs(c / d[:, None] / d[None, :]) > 1.0
    assert np.all(got.partials[held] == 0.0)
    free = ~held
    free[:2, :2] = False                 # d r = 0 exactly, computed as rounding there
    for k in range(2):
        fd = _corrcoef_fd(x0, p[..., k])
        np.testing.assert_allclose(got.partials[..., k][free], fd[free], rtol=1e-6,
                                   atol=1e-7)
    flat = np.stack([np.ones(50), base])
    with np.errstate(invalid="ignore", divide="ignore"):
        got = np.corrcoef(dg.Dual(flat, p[:2]))
        want = np.corrcoef(flat)
    np.testing.assert_array_equal(np.isnan(got.value), np.isnan(want))
    np.testing.assert_allclose(got.value[1, 1], 1.0)


_COV_CALLS = {
    "default": lambda x: np.cov(x),
    "bias": lambda x: np.cov(x, bias=True),
    "ddof=3": lambda x: np.cov(x, ddof=3),
    "rowvar=False": lambda x: np.cov(x.T, rowvar=False),
    "y": lambda x: np.cov(x[:2], x[2:]),
}


@pytest.mark.parametrize("call", sorted(_COV_CALLS))
@pytest.mark.parametrize("shape", [(1, 40), (5, 60), (70, 90)])
@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_cov_of_plain_rows_has_numpys_value_bits(call, shape, engine):
    """Real float64 rows take one GEMM on the partials (prod14): the value is NumPy's
    own, bit for bit, and every direction's partials are central differences' (exact
    for a quadratic up to rounding), with the kernels' swap and symmetric sum and
    with NumPy's."""
    func = _COV_CALLS[call]
    if call == "y" and shape[0] < 3:
        pytest.skip("two row groups need three rows")
    rng = np.random.default_rng(shape[0] + len(call))
    x0 = rng.standard_normal(shape) + 2.0
    p = rng.standard_normal(shape + (3,))
    with backend.use(engine):
        got = func(dg.Dual(x0, p))
    np.testing.assert_array_equal(got.value, func(x0))
    for k in range(3):
        fd = _fd(func, x0, p[..., k], h=1e-3)
        np.testing.assert_allclose(got.partials[..., k], fd, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_cov_of_rows_with_a_large_mean_keeps_shift_invariance(engine):
    """Rows of mean 1e8: a direction adding a constant to each row changes no
    covariance, so its partials are 0 to rounding of the result (the centred rows'
    sums, which the GEMM of the uncentred partials multiplies, are made zero to
    rounding by centring the rows once more: without that they read 5e-8 here); a
    generic direction's partials equal those of the same rows about zero."""
    rng = np.random.default_rng(7)
    x0 = rng.standard_normal((20, 300))
    p = np.empty((20, 300, 2))
    p[..., 0] = rng.standard_normal((20, 1))
    p[..., 1] = rng.standard_normal((20, 300))
    with backend.use(engine):
        far = np.cov(dg.Dual(x0 + 1e8, p)).partials
        near = np.cov(dg.Dual(x0, p)).partials
    scale = np.abs(near[..., 1]).max()
    assert np.abs(far[..., 0]).max() < 1e-13 * scale
    assert np.abs(near[..., 0]).max() < 1e-13 * scale
    np.testing.assert_allclose(far[..., 1], near[..., 1], rtol=0, atol=1e-6 * scale)


def test_cov_with_no_degrees_of_freedom_or_a_nan_is_numpys():
    """``count - ddof <= 0`` and a NaN in the rows take the general lines: NumPy's
    values (its warning for the degrees of freedom, NaN where NumPy has NaN)."""
    rng = np.random.default_rng(8)
    x0 = rng.standard_normal((3, 1))
    with pytest.warns(RuntimeWarning), np.errstate(divide="ignore", invalid="ignore"):
        want = np.cov(x0)
    with np.errstate(divide="ignore", invalid="ignore"):
        got = np.cov(dg.Dual(x0, rng.standard_normal((3, 1, 2))))
    np.testing.assert_array_equal(np.isnan(got.value), np.isnan(want))
    x0 = rng.standard_normal((3, 40))
    x0[1, 5] = np.nan
    got = np.cov(dg.Dual(x0, rng.standard_normal((3, 40, 2))))
    np.testing.assert_array_equal(np.isnan(got.value), np.isnan(np.cov(x0)))
    assert np.isfinite(got.value[0, 2]) and np.isfinite(got.partials[0, 2]).all()


@pytest.mark.parametrize("kwargs", [{"rowvar": False}, {"rowvar": False, "ddof": 0},
                                    {"rowvar": False, "bias": True}])
def test_cov_of_one_row_with_rowvar_false_is_numpy_2s_k_by_k(kwargs):
    # NumPy 2 transposes any 2-D m: (1, k) is k variables of one observation each
    x0 = np.array([[1.0, 2.0, 4.0, 3.0]])
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = np.cov(x0, **kwargs)
        got = np.cov(dg.Dual(x0, np.ones((1, 4, 1))), **kwargs)
        r = np.corrcoef(dg.Dual(x0, np.ones((1, 4, 1))), rowvar=False)
        r_want = np.corrcoef(x0, rowvar=False)
    assert got.value.shape == want.shape == (4, 4)
    np.testing.assert_array_equal(got.value, want)
    assert r.value.shape == r_want.shape == (4, 4)
    if kwargs.get("ddof") == 0 or kwargs.get("bias"):     # finite: zeros, constant
        v = np.array([[0.3, -1.0, 0.7, 2.0]])
        _, tangent = dg.jvp(lambda t: np.cov(x0 + t * v, **kwargs), 0.0, 1.0)
        np.testing.assert_allclose(tangent, _fd(lambda t: np.cov(x0 + t * v, **kwargs),
                                                0.0, 1.0), atol=1e-9)


def test_cov_with_ddof_beyond_the_observations_clips_like_numpy():
    # N - ddof < 0: NumPy clips it at 0 (inf, its warning), never a negative covariance
    x0 = np.array([[1.0, 2.0], [0.5, 3.0]])
    with pytest.warns(RuntimeWarning, match="Degrees of freedom"), \
            np.errstate(divide="ignore", invalid="ignore"):
        want = np.cov(x0, ddof=4)
    with pytest.warns(RuntimeWarning, match="Degrees of freedom"), \
            np.errstate(divide="ignore", invalid="ignore"):
        got = np.cov(dg.Dual(x0, np.ones((2, 2, 1))), ddof=4)
    np.testing.assert_array_equal(got.value, want)
    assert np.all(got.value > 0)


def test_a_fractional_ddof_raises_as_numpy():
    x = np.arange(12.0).reshape(3, 4)
    for ddof in (2.5, np.float64(0.5)):
        with pytest.raises(ValueError, match="ddof must be integer"):
            np.cov(x, ddof=ddof)
        with pytest.raises(ValueError, match="ddof must be integer"):
            dg.jacobian(lambda v: np.cov(v, ddof=ddof), x)
    assert np.allclose(dg.jacobian(lambda v: np.cov(v, ddof=2.0), x).shape, (3, 3, 3, 4))
