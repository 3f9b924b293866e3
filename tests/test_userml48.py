"""userml48: a NumPy machine-learning user's code, each derivative against an
independent oracle (hand-written backprop, closed forms, complex steps), and the
refusal of an in-place update of a plain weight array naming the user's statement."""

import runpy
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided, sliding_window_view

import dualgrad as dg

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _complex_step(f, x, h=1e-30):
    """d f / d x of a real-analytic NumPy f by the complex step, entry by entry."""
    g = np.empty(x.shape)
    for i in np.ndindex(x.shape):
        z = x.astype(complex)
        z[i] += 1j * h
        g[i] = np.imag(f(z)) / h
    return g


def test_mlp_example_matches_backprop_and_the_laplace_closed_form(capsys):
    """examples/mlp_numpy.py: a ReLU net's gradient in a dict of weights against the
    hand-written backward pass; the Laplace Hessian against X^T diag(p (1 - p)) X + I."""
    if not (EXAMPLES / "mlp_numpy.py").exists():
        pytest.skip("examples/ not present")
    runpy.run_path(str(EXAMPLES / "mlp_numpy.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert float(out.split("largest relative error ")[1].split()[0]) < 1e-13
    assert float(out.split("|gradient| ")[1].split(";")[0]) < 1e-10
    assert float(out.split("closed form: relative error ")[1].split()[0]) < 1e-14
    losses = [float(line.split("loss ")[1].split(",")[0]) for line in out.splitlines()
              if line.startswith("step")]
    assert losses[-1] < losses[0] - 0.3


def test_convolution_by_window_views_and_einsum_against_the_complex_step():
    """sliding_window_view and as_strided windows contracted by np.einsum (a conv
    layer), derivatives in the filters and in the image."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2, 5, 5))
    w = rng.standard_normal((3, 2, 3, 3))

    def conv_swv(x, w):
        win = sliding_window_view(x, (3, 3), axis=(2, 3))
        return np.sum(np.tanh(np.einsum("nchwij,fcij->nfhw", win, w)) ** 2)

    def conv_strided(x, w):
        s = x.strides
        win = as_strided(x, shape=(2, 2, 3, 3, 3, 3), strides=s + s[2:])
        return np.sum(np.einsum("nchwij,fcij->nfhw", win, w) ** 2)
    for conv in (conv_swv, conv_strided):
        np.testing.assert_allclose(dg.gradient(lambda q: conv(x, q), w),
                                   _complex_step(lambda q: conv(x, q), w), rtol=1e-12)
        # the image: as_strided on a complex copy keeps its own strides
        np.testing.assert_allclose(dg.gradient(lambda z: conv(z, w), x),
                                   _complex_step(lambda z: conv(np.ascontiguousarray(z), w),
                                                 x), rtol=1e-12)


def test_attention_and_batch_norm_against_the_complex_step():
    """A softmax over the last axis of 3-D batched matmuls, and batch normalization
    in its input (mean and variance over the batch)."""
    rng = np.random.default_rng(4)
    xa = rng.standard_normal((2, 4, 3))

    def attention(W):
        q, k, v = xa @ W[0], xa @ W[1], xa @ W[2]
        a = np.exp(q @ np.swapaxes(k, -1, -2) / np.sqrt(3.0))
        a = a / a.sum(axis=-1, keepdims=True)
        return np.sum((a @ v) ** 2)
    W = rng.standard_normal((3, 3, 3))
    np.testing.assert_allclose(dg.gradient(attention, W), _complex_step(attention, W),
                               rtol=1e-12)

    def batch_norm(x):
        mu = np.mean(x, axis=0)
        var = np.mean((x - mu) ** 2, axis=0)   # np.var of complex takes |.|^2
        return np.sum(np.sin(3.0 * (x - mu) / np.sqrt(var + 1e-5)))
    xb = rng.standard_normal((6, 3))
    np.testing.assert_allclose(dg.gradient(lambda x: batch_norm(x), xb),
                               _complex_step(batch_norm, xb), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(
        dg.gradient(lambda x: np.sum(np.sin(3.0 * (x - x.mean(0)) /
                                            np.sqrt(x.var(0) + 1e-5))), xb),
        _complex_step(batch_norm, xb), rtol=1e-11, atol=1e-13)


def test_gp_marginal_likelihood_by_numpy_cholesky_against_the_closed_form():
    """-log p(y | theta) by np.linalg.cholesky and two solves: the gradient is
    0.5 tr(K^-1 dK) - 0.5 alpha^T dK alpha."""
    rng = np.random.default_rng(5)
    t = np.sort(rng.uniform(0.0, 5.0, 12))
    y = np.sin(t) + 0.1 * rng.standard_normal(12)
    D2 = (t[:, None] - t[None, :]) ** 2

    def nll(p):
        K = np.exp(p[0]) * np.exp(-0.5 * D2 / np.exp(p[1]) ** 2) + \
            np.exp(p[2]) * np.eye(12)
        L = np.linalg.cholesky(K)
        alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
        return 0.5 * y @ alpha + np.sum(np.log(np.diag(L)))
    p = np.array([0.2, -0.3, -2.0])
    E = np.exp(-0.5 * D2 / np.exp(p[1]) ** 2)
    K = np.exp(p[0]) * E + np.exp(p[2]) * np.eye(12)
    Ki = np.linalg.inv(K)
    alpha = Ki @ y
    dK = [np.exp(p[0]) * E, np.exp(p[0]) * E * D2 / np.exp(p[1]) ** 2,
          np.exp(p[2]) * np.eye(12)]
    exact = [0.5 * np.trace(Ki @ d) - 0.5 * alpha @ d @ alpha for d in dK]
    np.testing.assert_allclose(dg.gradient(nll, p), exact, rtol=1e-11)


def test_in_place_update_of_a_plain_weight_array_names_the_statement():
    """W = W0.copy(); W -= lr * g (an unrolled SGD inside f, differentiated in the
    learning rate): the refusal named "a -= d" and a placeholder a; it names the
    user's statement, its line, where W was made, and the rebind with the user's
    names.  The rebound function's derivative is checked against the complex step."""
    rng = np.random.default_rng(6)
    Q = rng.standard_normal((3, 3))
    Q = Q @ Q.T + np.eye(3)
    c = rng.standard_normal(3)
    W0 = rng.standard_normal(3)

    def unrolled(lr):
        W = W0.copy()
        for _ in range(3):
            W -= lr * (Q @ W - c)
        return 0.5 * W @ Q @ W - c @ W
    with pytest.raises(TypeError) as info:
        dg.derivative(unrolled, 0.1)
    msg = str(info.value)
    assert msg.startswith("dualgrad.derivative: W -= lr * (Q @ W - c) (line ")
    assert "in unrolled of " in msg and "; W made at line " in msg and \
        ": W = W0.copy())" in msg
    assert "Fix: rebind the name instead, W = W - lr * (Q @ W - c) (a new array" in msg

    def rebound(lr):
        W = W0.copy()
        for _ in range(3):
            W = W - lr * (Q @ W - c)
        return 0.5 * W @ Q @ W - c @ W
    np.testing.assert_allclose(dg.derivative(rebound, 0.1),
                               np.imag(rebound(0.1 + 1e-30j)) / 1e-30, rtol=1e-13)

    class Layer:                                   # an attribute: self.W -= ...
        def __init__(self):
            self.W = W0.copy()

        def step(self, lr):
            self.W -= lr * (Q @ self.W - c)
            return np.sum(self.W)
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda lr: Layer().step(lr), 0.1)
    msg = str(info.value)
    assert msg.startswith("dualgrad.derivative: self.W -= lr * (Q @ self.W - c) (line ")
    assert "rebind the name instead, self.W = self.W - lr * (Q @ self.W - c)" in msg


def _shuffled_rows(shuffle):
    """The value and gradient of sum(w * shuffle(v)) for a 4 x 3 dual v, and their
    oracle: the rows permuted by ``shuffle`` of their indices (``shuffle`` seeds its
    own generator on every call, so both see one permutation)."""
    import warnings
    x = np.arange(12.0).reshape(4, 3) + 1.0
    w = np.arange(12.0).reshape(4, 3) ** 2 + 1.0

    def f(v):
        h = v * 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)   # NumPy's "not a Sequence"
            shuffle(h)
        return np.sum(h * w)
    perm = np.arange(4)
    shuffle(perm)
    value, grad = dg.value_and_grad(f)(x)
    exact = np.empty_like(x)
    exact[perm] = w                              # h[i] = v[perm[i]]
    return value, grad, np.sum(x[perm] * w), exact


def test_minibatch_order_by_indexing_with_a_permutation_is_exact():
    """docs/writing-code.md's spelling: index with rng.permutation(len(h))."""
    x = np.arange(12.0).reshape(4, 3) + 1.0
    w = np.arange(12.0).reshape(4, 3) ** 2 + 1.0
    perm = np.random.default_rng(3).permutation(4)

    def f(v):
        return np.sum((v * 1.0)[np.random.default_rng(3).permutation(len(v))] * w)
    exact = np.empty_like(x)
    exact[perm] = w
    value, grad = dg.value_and_grad(f)(x)
    assert value == np.sum(x[perm] * w)
    np.testing.assert_array_equal(grad, exact)


def test_shuffling_a_2d_dual_array_in_place_is_exact_or_refused():
    """NumPy's Generator.shuffle swaps the rows of anything not an ndarray through views
    (x[i], x[j] = x[j], x[i]), which would duplicate rows: refused since small48."""
    try:
        value, grad, exact_value, exact = _shuffled_rows(
            lambda a: np.random.default_rng(3).shuffle(a))    # one seed per call
    except TypeError:
        return                                   # a refusal would do
    assert value == exact_value
    np.testing.assert_array_equal(grad, exact)


def test_unseeded_draws_in_chunks_are_refused():
    """userml48 found the gradient spliced from two dropout masks, 43% off either;
    the helpers now compare their passes' values (97e969e) and raise naming the seed."""
    X = np.random.default_rng(0).standard_normal((20, 30))

    def drop(w):
        h = np.maximum(0, X @ w.reshape(30, 10))
        return np.sum((h * ((np.random.random(h.shape) < 0.5) / 0.5)) ** 2)
    w = np.random.default_rng(1).standard_normal(300)
    state = np.random.get_state()
    try:
        np.random.seed(0)
        with pytest.raises(ValueError, match=r"seed the generator inside f"):
            dg.gradient(drop, w, chunk=150)
    finally:
        np.random.set_state(state)


def test_permutation_of_a_1d_dual_names_the_index_spelling():
    """rng.permutation(x) of a 1-D dual raised NumPy's bare "array is read-only"; the
    refusal names x[rng.permutation(len(x))], which gives the plain call's order from
    the same seed and the permuted derivatives."""
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    w = np.array([1.0, 10.0, 100.0, 1000.0, 1e4])
    for draw, spelled in ((lambda: np.random.default_rng(3), "rng.permutation"),
                          (lambda: np.random.RandomState(3), "np.random.permutation")):
        with pytest.raises(TypeError) as info:
            dg.gradient(lambda v: np.sum(draw().permutation(v ** 2) * w), x)
        msg = str(info.value)
        assert msg.startswith(f"dualgrad.gradient: {spelled}(x) of a dual array raised "
                              "NumPy's ValueError('array is read-only')")
        assert f"Fix: permute by an index, x[{spelled}(len(x))]" in msg

        def fixed(v):
            h = v ** 2
            return np.sum(h[draw().permutation(len(h))] * w)
        perm = draw().permutation(len(x))
        np.testing.assert_array_equal(draw().permutation(x), x[perm])   # the same order
        exact = np.empty_like(x)
        exact[perm] = 2.0 * x[perm] * w                  # h_perm[i] = v[perm[i]] ** 2
        np.testing.assert_array_equal(dg.gradient(fixed, x), exact)


def test_integer_labels_inside_the_differentiated_dict_name_the_extra_argument():
    """Labels kept in the params dict are promoted to float64 and seeded, and indexing
    with them raised the general "use np.sin instead of math.sin" advice; the refusal
    names the labels as another argument of f.  That spelling's gradient is the
    softmax cross-entropy's closed form X^T (P - Y)."""
    rng = np.random.default_rng(8)
    X = rng.standard_normal((6, 3))
    y = np.array([0, 1, 2, 1, 0, 2])
    W = rng.standard_normal((3, 3))

    def in_dict(p):
        s = X @ p["W"]
        lp = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
        return -np.sum(lp[np.arange(6), p["y"]])
    with pytest.raises(TypeError) as info:
        dg.grad(in_dict)({"W": W, "y": y})
    msg = str(info.value)
    assert msg.startswith("dualgrad: an array of dual numbers used as an index")
    assert "pass it as another argument of f, dg.grad(loss)(params, y)" in msg

    def separate(p, labels):
        s = X @ p["W"]
        lp = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
        return -np.sum(lp[np.arange(6), labels])
    P = np.exp(X @ W)
    P /= P.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(dg.grad(separate)({"W": W}, y)["W"],
                               X.T @ (P - np.eye(3)[y]), rtol=1e-13, atol=1e-15)
