"""attack28's silently wrong sparse Jacobians and Hessians: each case against an
independent oracle (complex step on the same NumPy code, central differences of
the dense gradient, mpmath), under the engine the suite runs."""

import numpy as np
import pytest

pytest.importorskip("scipy")
import scipy.sparse as sp  # noqa: E402
import scipy.special as sc  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad.testing import numerical_jacobian  # noqa: E402


def complex_step(f, x):
    """The Jacobian of real-analytic NumPy code ``f`` by complex step (exact to
    rounding, no dualgrad involved)."""
    h = 1e-30
    cols = [np.imag(np.asarray(f(x + 1j * h * e))).ravel() / h for e in np.eye(x.size)]
    return np.array(cols).T


# ---- 1. np.pad(..., reflect_type="odd"): 2 * edge - mirrored -----------------------

PAD_SHAPES = [(6,), (1,), (2,), (3, 4), (2, 3, 2)]
PAD_WIDTHS = [1, 2, 3, 5, (0, 4), (2, 7), 9]


@pytest.mark.parametrize("mode", ["reflect", "symmetric"])
@pytest.mark.parametrize("shape", PAD_SHAPES)
@pytest.mark.parametrize("pw", PAD_WIDTHS)
def test_pad_odd_reflection_sparse_jacobian_is_the_complex_step_one(mode, shape, pw):
    x0 = np.random.default_rng(1).uniform(0.5, 1.5, int(np.prod(shape)))
    w = np.arange(1.0, np.pad(x0.reshape(shape), pw, mode=mode).size + 1)

    def f(x):
        return np.pad(x.reshape(shape) ** 2, pw, mode=mode, reflect_type="odd").ravel() * w
    C = complex_step(f, x0)
    for pattern in ("auto", dg.sparsity(f, x0, mode="global")):
        S = dg.jacobian(f, x0, sparsity=pattern).toarray()
        np.testing.assert_allclose(S, C, rtol=1e-13, atol=1e-300)
    P = dg.sparsity(f, x0).toarray()
    assert not ((C != 0) & ~P).any()


@pytest.mark.parametrize("mode", ["reflect", "symmetric"])
def test_pad_odd_reflection_hessian_pattern_covers_the_mixed_terms(mode):
    x0 = np.array([0.3, -1.2, 0.7, 2.0, -0.4, 1.1])

    def g(x, big=1.0):
        y = np.pad(x, (2, 3), mode=mode, reflect_type="odd")
        return big * x[0] ** 2 + np.sum(y[:-1] * y[1:])
    oracle = numerical_jacobian(lambda y: dg.gradient(g, y), x0)
    P = dg.hessian_sparsity(g, x0).toarray()
    assert not ((np.abs(oracle) > 1e-6) & ~P).any()
    for big in (1.0, 1e12):
        H = dg.hessian(g, x0, big, sparsity="auto").toarray()
        want = oracle + np.diag([2 * (big - 1.0), 0, 0, 0, 0, 0])
        np.testing.assert_allclose(H, want, rtol=1e-6, atol=1e-6)
