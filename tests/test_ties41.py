"""Ties of maximum / minimum / fmax / fmin, np.max / min / ptp and np.clip split evenly
(the midpoint of the one-sided derivatives), so smooth code built from kinks is exact
(issue 13|14, user27: the stable BCE-with-logits ``max(z, 0) - z y + log1p(exp(-|z|))``
at z = 0 had d/dz = 1 - y, truth 0.5 - y).

Oracles, none from dualgrad: the analytic derivative of the smooth function the kinked
spelling computes (sigmoid(z) - y; the softmax weights of log-add-exp; 1 for
max(z, 0) + min(z, 0) = z), NumPy's np.logaddexp written out analytically, and central
differences across the tie (which average the sides).  Every path: scalar duals,
array duals of 8 / 3000 / 40000 elements with 1, 2, 3, 4 directions on both engines and
both backend modes (the lean, small, general and generated-kernel selects), nested duals
(Hessians), sparsity="auto", users' @njit code.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels

ENGINES = ["eager", "fused"]
MODES = ["numpy", "numba"]


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _bce(z, y):
    """TensorFlow's / PyTorch's stable BCE-with-logits, elementwise."""
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


def _central(f, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    g = np.empty(x.size)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        g[i] = np.sum(f(x + e.reshape(x.shape)) - f(x - e.reshape(x.shape))) / (2 * h)
    return g


@pytest.mark.parametrize("y", [0.0, 0.3, 1.0])
def test_bce_with_logits_at_zero_scalar(y):
    assert dg.derivative(lambda z: _bce(z, y), 0.0) == pytest.approx(0.5 - y, abs=1e-15)
    assert dg.derivative(lambda z: _bce(z, y), 0.7) == \
        pytest.approx(_sigmoid(0.7) - y, rel=1e-14)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("rows", [8, 3000, 40000])
def test_bce_with_logits_at_the_usual_start(rows, mode, engine):
    """Logistic regression at w = 0 (every z = 0, every row a tie): the analytic
    gradient X^T (sigmoid(Xw) - y) = X^T (0.5 - y)."""
    rng = np.random.default_rng(rows)
    X = rng.standard_normal((rows, 4))
    y = (rng.uniform(size=rows) < 0.4).astype(float)

    def nll(w):
        return np.sum(_bce(X @ w, y))
    with dg.engine(engine), _kernels.use(mode):
        g0 = dg.grad(nll)(np.zeros(4))
        w = np.array([0.3, -0.2, 0.1, 0.05])
        g1 = dg.grad(nll)(w)
    np.testing.assert_allclose(g0, X.T @ (0.5 - y), rtol=1e-12, atol=1e-11)
    np.testing.assert_allclose(g1, X.T @ (_sigmoid(X @ w) - y), rtol=1e-12, atol=1e-11)


def test_bce_hessian_through_abs_at_zero_is_a_known_limit():
    """The midpoint makes FIRST derivatives exact (linear in each kink's choice); a
    second derivative through ``abs`` at 0 is quadratic in abs's choice (s**2 = 1 on
    both sides, 0 at the midpoint s = 0): the BCE's Hessian at z = 0 stays 0, truth
    sigmoid'(0) = 0.25 (README, Limits).  np.logaddexp(0, z) - z y is exact."""
    y = 0.3
    exact = dg.hessian(lambda z: np.logaddexp(0.0, z) - z * y, 0.0)
    assert exact == pytest.approx(0.25, abs=1e-15)
    kinked = dg.hessian(lambda z: _bce(z, y), 0.0)
    assert kinked == 0.0            # documented: abs's convention, not the truth 0.25


def _pairwise(a, b):
    return np.maximum(a, b) + np.log1p(np.exp(-np.abs(a - b)))


@pytest.mark.parametrize("engine", ENGINES)
def test_pairwise_logaddexp_with_equal_components(engine):
    """max(a, b) + log1p(exp(-|a - b|)) is log(exp(a) + exp(b)): its gradient is the
    softmax weights (1/2, 1/2 at a tie), as np.logaddexp's."""
    with dg.engine(engine):
        for a in (0.0, 1.5, -2.0):
            g = dg.grad(lambda v: _pairwise(v[0], v[1]))(np.array([a, a]))
            np.testing.assert_array_equal(g, [0.5, 0.5])
            gl = dg.grad(lambda v: np.logaddexp(v[0], v[1]))(np.array([a, a]))
            np.testing.assert_array_equal(gl, [0.5, 0.5])
        # a 2-component mixture at a symmetric start: each pair of equal log-densities
        v = np.array([0.2, 0.2, -1.0, -1.0, 3.0, 3.0])
        g = dg.grad(lambda v: np.sum(_pairwise(v[0::2], v[1::2])))(v)
        np.testing.assert_array_equal(g, np.full(6, 0.5))
        u = np.array([0.2, 0.7, -1.0, -1.3])
        g = dg.grad(lambda v: np.sum(_pairwise(v[0::2], v[1::2])))(u)
        w = _sigmoid(u[0::2] - u[1::2])
        np.testing.assert_allclose(g, np.ravel(np.column_stack([w, 1 - w])), rtol=1e-14)


SMOOTH = [    # (name, f, f'(0)): smooth functions spelled with kinks, analytic derivative
    ("max(z,0)+min(z,0)", lambda z: np.maximum(z, 0) + np.minimum(z, 0), 1.0),
    ("max(0,z)+min(0,z)", lambda z: np.maximum(0.0, z) + np.minimum(0.0, z), 1.0),
    ("relu(z)-relu(-z)", lambda z: np.maximum(z, 0.0) - np.maximum(-z, 0.0), 1.0),
    ("fmax(z,0)+fmin(z,0)", lambda z: np.fmax(z, 0.0) + np.fmin(z, 0.0), 1.0),
    ("max(z,-z)", lambda z: np.maximum(z, -z), 0.0),     # abs, abs'(0) = 0
    ("max(2z,z)+min(2z,z)", lambda z: np.maximum(2 * z, z) + np.minimum(2 * z, z), 3.0),
    ("clip(z,0,1)+clip(z,-1,0)", lambda z: np.clip(z, 0.0, 1.0) + np.clip(z, -1.0, 0.0), 1.0),
]


@pytest.mark.parametrize("name, f, want", SMOOTH, ids=[s[0] for s in SMOOTH])
def test_smooth_through_kinks_scalar(name, f, want):
    assert dg.derivative(f, 0.0) == want, name
    assert dg.derivative(f, 0.0) == pytest.approx(_central(f, [0.0])[0], abs=1e-8)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [8, 3000, 40000])
@pytest.mark.parametrize("name, f, want", SMOOTH, ids=[s[0] for s in SMOOTH])
def test_smooth_through_kinks_on_every_path(name, f, want, size, mode, engine):
    """One direction (the flat kernels) and 1, 2, 3, 4 directions (the row kernels'
    loops of 4, 2 and n)."""
    with np.errstate(all="ignore"), dg.engine(engine), _kernels.use(mode):
        got = dg.derivative(lambda s: f(s * np.ones(size)), 0.0)
        np.testing.assert_array_equal(got, np.full(size, want), err_msg=name)
        for n in (1, 2, 3, 4):
            jac = dg.jacobian(lambda v: f(np.repeat(v, size // n + 1)), np.zeros(n))
            np.testing.assert_array_equal(
                jac, want * np.repeat(np.eye(n), size // n + 1, axis=0), err_msg=name)


@pytest.mark.parametrize("ufunc", [np.maximum, np.minimum, np.fmax, np.fmin],
                         ids=lambda u: u.__name__)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("size", [7, 3000])
def test_a_tie_averages_the_partials(ufunc, size, n, mode):
    """Two duals: (px + py) / 2 at a tie; a dual beside a constant: px / 2."""
    rng = np.random.default_rng(size + n)
    x = rng.uniform(-1, 1, size)
    y = np.where(np.arange(size) % 3 == 0, x, rng.uniform(-1, 1, size))
    tie = x == y
    px, py = rng.standard_normal((size, n)), rng.standard_normal((size, n))
    with _kernels.use(mode):
        both = ufunc(dg.Dual(x, px), dg.Dual(y, py)).partials.reshape(size, n)
        left = ufunc(dg.Dual(x, px), y).partials.reshape(size, n)
        right = ufunc(x, dg.Dual(y, py)).partials.reshape(size, n)
    np.testing.assert_allclose(both[tie], (px[tie] + py[tie]) / 2, rtol=1e-15)
    np.testing.assert_array_equal(left[tie], px[tie] / 2)
    np.testing.assert_array_equal(right[tie], py[tie] / 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_clip_at_its_bounds_against_central_differences(engine):
    x = np.array([0.0, 1.0, 0.5, 2.0, -3.0])
    with dg.engine(engine):
        g = dg.grad(lambda z: np.sum(np.clip(z, 0.0, 1.0)))(x)
        np.testing.assert_array_equal(g, [0.5, 0.5, 1.0, 0.0, 0.0])
        np.testing.assert_allclose(g, _central(lambda z: np.sum(np.clip(z, 0.0, 1.0)), x),
                                   atol=1e-8)
        # dual bounds: half to the argument, half to the bound
        g = dg.grad(lambda v: np.clip(v[0], v[1], v[2]))(np.array([1.0, 1.0, 2.0]))
        np.testing.assert_array_equal(g, [0.5, 0.5, 0.0])
        g = dg.grad(lambda v: np.clip(v[0], v[1], v[2]))(np.array([2.0, 1.0, 2.0]))
        np.testing.assert_array_equal(g, [0.5, 0.0, 0.5])
        g = dg.grad(lambda v: np.sum(np.clip(v, 0.0, None)))(np.array([0.0, 1.0]))
        np.testing.assert_array_equal(g, [0.5, 1.0])


@pytest.mark.parametrize("engine", ENGINES)
def test_max_of_tied_elements_is_the_mean_of_their_partials(engine):
    """JAX's rule: k tied maximal elements each get 1/k (for k = 2 the midpoint).  The
    oracle for the mean: the derivative along the all-tied direction is 1 (max(z + t)
    = max(z) + t), and central differences along each coordinate average the sides."""
    with dg.engine(engine):
        for fn, name in ((np.max, "max"), (np.amax, "amax"), (np.maximum.reduce, "reduce"),
                         (np.nanmax, "nanmax")):
            g = dg.grad(lambda z: fn(z))(np.array([1.0, 3.0, 3.0, 0.0]))
            np.testing.assert_array_equal(g, [0.0, 0.5, 0.5, 0.0], err_msg=name)
            g = dg.grad(lambda z: fn(z))(np.array([3.0, 3.0, 3.0, 0.0]))
            np.testing.assert_array_equal(g, [1 / 3, 1 / 3, 1 / 3, 0.0], err_msg=name)
        g = dg.grad(lambda z: np.min(z))(np.array([2.0, -1.0, 5.0, -1.0]))
        np.testing.assert_array_equal(g, [0.0, 0.5, 0.0, 0.5])
        g = dg.grad(lambda z: np.ptp(z))(np.array([1.0, 1.0, 3.0, 3.0]))
        np.testing.assert_array_equal(g, [-0.5, -0.5, 0.5, 0.5])
        g = dg.grad(lambda z: np.nanmax(z))(np.array([np.nan, 3.0, 3.0]))
        np.testing.assert_array_equal(g, [0.0, 0.5, 0.5])
        # along axes, and the NaN rule kept (the first NaN's partials)
        J = dg.jacobian(lambda z: np.max(z.reshape(2, 3), axis=1),
                        np.array([1.0, 2.0, 2.0, 5.0, 5.0, 5.0]))
        np.testing.assert_array_equal(J, [[0, 0.5, 0.5, 0, 0, 0], [0, 0, 0, 1 / 3, 1 / 3, 1 / 3]])
        J = dg.jacobian(lambda z: np.max(z.reshape(2, 2), axis=0, keepdims=True).ravel(),
                        np.array([1.0, 2.0, 1.0, 0.0]))
        np.testing.assert_array_equal(J, [[0.5, 0, 0.5, 0], [0, 1, 0, 0]])
        g = dg.grad(lambda z: np.max(z))(np.array([1.0, np.nan, 1.0, np.nan]))
        np.testing.assert_array_equal(g, [0.0, 1.0, 0.0, 0.0])
        g = dg.grad(lambda z: np.maximum(z[0], z[1]))(np.array([np.nan, 1.0]))
        np.testing.assert_array_equal(g, [1.0, 0.0])         # a NaN wins, as before
        g = dg.grad(lambda z: np.fmax(z[0], z[1]))(np.array([np.nan, 1.0]))
        np.testing.assert_array_equal(g, [0.0, 1.0])         # fmax ignores it


@pytest.mark.parametrize("engine", ENGINES)
def test_hessians_of_smooth_functions_through_ties(engine):
    """(max(a, b) + min(a, b))**2 = (a + b)**2: Hessian [[2, 2], [2, 2]] at the tie, as
    everywhere; max(z)**2 + min(z)**2 of two equal elements along the tie direction."""
    f = lambda v: (np.maximum(v[0], v[1]) + np.minimum(v[0], v[1])) ** 2   # noqa: E731
    g = lambda v: (np.max(v) + np.min(v)) ** 2                            # noqa: E731
    with dg.engine(engine):
        for v in (np.array([1.0, 1.0]), np.array([0.0, 0.0]), np.array([1.0, 2.0])):
            np.testing.assert_array_equal(dg.hessian(f, v), [[2.0, 2.0], [2.0, 2.0]])
            np.testing.assert_array_equal(dg.hessian(g, v), [[2.0, 2.0], [2.0, 2.0]])
        # a second derivative of the tie-split itself: d/dz of max(z, 0) is 1/2 at 0,
        # its derivative 0 (each side's is 0)
        assert dg.hessian(lambda z: np.maximum(z, 0.0) + z * z, 0.0) == 2.0


def test_sparse_hessian_with_ties():
    """sparsity="auto": the banded sum_i (max(z_i, z_i+1) + min(z_i, z_i+1))**2 at
    all-equal z (every pair a tie) is the Hessian of sum_i (z_i + z_i+1)**2."""
    n = 12

    def f(z):
        return np.sum((np.maximum(z[:-1], z[1:]) + np.minimum(z[:-1], z[1:])) ** 2)
    H = dg.hessian(f, np.ones(n), sparsity="auto")
    H = H.toarray() if hasattr(H, "toarray") else np.asarray(H)
    want = np.zeros((n, n))
    for i in range(n - 1):
        want[i:i + 2, i:i + 2] += 2.0
    np.testing.assert_array_equal(H, want)
    g = dg.grad(f)(np.ones(n))
    np.testing.assert_array_equal(g, want @ np.ones(n))


@pytest.mark.engine_independent
def test_inside_jitted_code():
    """Users' @njit code: np.maximum / minimum / fmax / fmin at ties (two duals, a dual
    and a number, a number and a dual); builtin max returns one object, so its first
    argument wins (docs/writing-code.md)."""
    numba = pytest.importorskip("numba")

    @numba.njit
    def h(v):
        z, w = v[0], v[1]
        return np.array([np.maximum(z, 0.0) + np.minimum(z, 0.0), np.maximum(0.0, z),
                         np.maximum(z, w), np.minimum(z, w), np.fmax(z, w), np.fmin(w, z),
                         np.maximum(z, 0.0) - z * 0.3 + np.log1p(np.exp(-np.abs(z))),
                         max(z, w)])
    J = dg.jacobian(h, np.array([0.0, 0.0]))
    np.testing.assert_array_equal(J, [[1.0, 0.0], [0.5, 0.0], [0.5, 0.5], [0.5, 0.5],
                                      [0.5, 0.5], [0.5, 0.5], [0.2, 0.0], [1.0, 0.0]])
