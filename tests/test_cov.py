"""np.cov and np.corrcoef of duals: NumPy's values (complex rows use X @ X^H) and
partials against central differences of the float functions along a direction."""

import numpy as np
import pytest

import dualgrad as dg


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
