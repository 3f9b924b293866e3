"""np.cov and np.corrcoef of duals: NumPy's values (complex rows use X @ X^H) and
partials against central differences of the float functions along a direction."""

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
def test_cov_of_large_rows_takes_the_gram_path():
    # x @ x.T of one dual: partials G + G^T from one contraction; against the general
    # product of two duals (x and its transpose as separate operands) and differences
    rng = np.random.default_rng(12)
    x0, p = rng.standard_normal((50, 200)), rng.standard_normal((50, 200, 3))
    got = np.cov(dg.Dual(x0, p))
    c = x0 - x0.mean(axis=1, keepdims=True)
    pc = p - p.mean(axis=1, keepdims=True)
    want = (np.einsum("ikd,jk->ijd", pc, c) + np.einsum("ik,jkd->ijd", c, pc)) / 199
    np.testing.assert_allclose(got.partials, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got.value, np.cov(x0), rtol=1e-14)


def _corrcoef_fd(x0, v, h=1e-6):
    return (np.corrcoef(x0 + h * v) - np.corrcoef(x0 - h * v)) / (2 * h)


@pytest.mark.parametrize("shape", [(2, 5), (30, 40), (60, 7)])
@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_corrcoef_closed_form_against_differences(shape, engine):
    """The normalisation's partials in closed form (prod13): NumPy's value, the
    tangent of central differences, every direction of a four-direction seed (the
    value NumPy's to rounding: the covariance's product is the Gram path's)."""
    rng = np.random.default_rng(shape[0])
    x0 = rng.standard_normal(shape)
    p = rng.standard_normal(shape + (4,))
    with backend.use(engine):                # the kernel's pass, and NumPy's four
        got = np.corrcoef(dg.Dual(x0, p))
    np.testing.assert_allclose(got.value, np.corrcoef(x0), rtol=1e-13, atol=1e-15)
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
