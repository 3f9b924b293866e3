"""API.md: results do not depend on ``chunk=``, ``executor=`` or the engine (NumPy
passes or numba kernels) "to rounding: a few units in the last place".

Each case is computed across chunk sizes, a thread pool and both forced engines and
compared with the default call within ``MAX_ULP`` units in the last place (sums of
partials change their order with the chunk and the engine: the functions here sum
hundreds of positive terms, so a few ulps is what reordering can cost, and a wrong
chunk boundary or a dropped direction costs far more).  Each default result is also
checked against a closed form.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels

MAX_ULP = 16            # a sum of 300 terms in another order, at two nesting levels

rng = np.random.default_rng(2024)
M = rng.uniform(0.1, 1.0, (300, 24))
W = np.linspace(0.1, 1.0, 200)


def softplus_sum(x):                  # gradient: sums over 300 rows
    return np.sum(np.log1p(np.exp(M[:, :x.size] @ x)))


def softplus_grad(x):
    m = M[:, :x.size]
    return m.T @ (1.0 / (1.0 + np.exp(-(m @ x))))


def softplus_hess(x):
    m = M[:, :x.size]
    s = 1.0 / (1.0 + np.exp(-(m @ x)))
    return m.T @ ((s * (1.0 - s))[:, None] * m)


def folded(x):                        # jacobian through a reshape and a sum over an axis
    return np.sum(np.reshape(np.tanh(x[:, None] * W) ** 2, (-1, 25)), axis=0)


def folded_jac(x):
    t = np.tanh(x[:, None] * W)
    d = 2.0 * t * (1.0 - t * t) * W                       # d/dx_i of element (i, j)
    J = np.zeros((25, x.size))
    flat = np.zeros((x.size, W.size, x.size))
    flat[np.arange(x.size), :, np.arange(x.size)] = d
    J[:] = np.sum(np.reshape(flat, (-1, 25, x.size)), axis=0)
    return J


def elementwise(x):                   # large: past the kernels' thresholds
    return np.sum(np.exp(np.sin(x)) * x ** 2)


def elementwise_grad(x):
    return np.exp(np.sin(x)) * (np.cos(x) * x ** 2 + 2.0 * x)


X = rng.uniform(-0.5, 0.5, 24)
CASES = [
    pytest.param(dg.gradient, softplus_sum, X, softplus_grad, id="gradient-sums"),
    pytest.param(dg.hessian, softplus_sum, X[:8], softplus_hess, id="hessian-sums"),
    pytest.param(dg.jacobian, folded, X, folded_jac, id="jacobian-axis-sum"),
    # 1000 inputs (3000 before: 3 times the passes at chunk 1, 3, 7, for nothing more):
    # from chunk 3 on, past the kernels' MIN_WORK (N * n = 3000 > 2048); chunk None
    # (n = 256) past the flat kernels' and the fused engine's thresholds too
    pytest.param(dg.gradient, elementwise, rng.uniform(-1.0, 1.0, 1000), elementwise_grad,
                 id="gradient-large"),
]


def assert_ulps(got, want, what):
    got, want = np.asarray(got), np.asarray(want)
    ulps = np.abs(got - want) / np.spacing(np.abs(want))
    assert np.all(ulps <= MAX_ULP), f"{what}: {np.nanmax(ulps)} ulps apart"


@pytest.mark.parametrize("helper, f, x, closed_form", CASES)
def test_results_do_not_depend_on_chunk_executor_or_engine_beyond_a_few_ulps(
        helper, f, x, closed_form):
    ref = helper(f, x)
    np.testing.assert_allclose(ref, closed_form(x), rtol=1e-12, atol=0)
    chunks = sorted({1, 3, 7, x.size})
    with ThreadPoolExecutor(2) as pool:
        for chunk in chunks + [None]:
            for mode in ("numpy", "numba"):
                with _kernels.use(mode):
                    assert_ulps(helper(f, x, chunk=chunk), ref, f"chunk={chunk} {mode}")
            assert_ulps(helper(f, x, chunk=chunk, executor=pool), ref,
                        f"chunk={chunk} threads")


def test_ulp_check_sees_a_one_part_in_1e13_difference():
    """The comparison can fail: 1e-13 relative is hundreds of ulps."""
    with pytest.raises(AssertionError, match="ulps apart"):
        assert_ulps(np.array([1.0 + 1e-13]), np.array([1.0]), "probe")
