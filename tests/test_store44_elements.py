"""One element read and stored at a time (store44: ``buf[t]`` in a scalar loop,
dualgrad/dual/_array.py ``_element`` / ``_store_element`` and ``__setitem__``'s int path).

A Kalman filter written over buffers (user44, bench/kalman_loop.py) against complex
step (gradient) and central differences of complex-step gradients (Hessian); every
other test against a closed form: stores of numbers and of scalar duals, integer
tuples into 2-D buffers, NumPy integer indices, nested duals (Hessians, a dual of an
outer call stored into an inner buffer), complex buffers, views written through one
and read through another, read-only views, snapshots, a seed written into, the fused
engine's pending expressions over the memory written and a buffer's own deferred
partials, threads.
"""

import concurrent.futures

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import errors
from dualgrad.backend import _fused

T = 60
PHI, SIGMA = 0.9, 0.25


def _data():
    rng = np.random.default_rng(1)
    h, ys = 0.0, []
    for _ in range(T):
        h = 0.95 * h + 0.3 * rng.standard_normal()
        ys.append(np.log((np.exp(h / 2) * rng.standard_normal()) ** 2))
    return np.array(ys)


Y = _data()


def kalman(theta, y, zeros):
    """joseManuelAyala/2GradedProblemSet KalmanFilterAlgorithm.py@a0102371, as written:
    four buffers, each step reads prior_vars[t], prior_means[t] and stores four."""
    a, B, H, a1 = -1.2704, 1.0, np.pi ** 2 / 2, 0.0
    Phi, sigma_eta = theta
    Q = sigma_eta ** 2
    P1 = Q / (1 - Phi ** 2)
    filtered_means, filtered_vars = zeros(T), zeros(T)
    prior_means, prior_vars = zeros(T), zeros(T)
    prior_means[0] = a1
    prior_vars[0] = P1
    ll = 0
    for t in range(T):
        F_t = B * prior_vars[t] * B + H
        K_t = (prior_vars[t] * B) / F_t
        v_t = y[t] - (a + B * prior_means[t])
        ll += -0.5 * (np.log(2 * np.pi) + np.log(F_t) + (v_t ** 2) / F_t)
        filtered_means[t] = prior_means[t] + K_t * v_t
        filtered_vars[t] = prior_vars[t] * (1 - K_t * B)
        if t < T - 1:
            prior_means[t + 1] = Phi * filtered_means[t]
            prior_vars[t + 1] = (Phi ** 2) * filtered_vars[t] + Q
    return -ll


def buffers(theta):
    return kalman(theta, Y, lambda n: np.zeros_like(theta, shape=n))


def _complex_step_gradient(p, h=1e-30):
    out = []
    for i in range(2):
        e = p.astype(complex)
        e[i] += 1j * h
        out.append(kalman(e, Y, lambda n: np.zeros(n, complex)).imag / h)
    return np.array(out)


TH = np.array([PHI, SIGMA])


def test_the_filter_over_buffers_gradient_is_the_complex_step():
    np.testing.assert_allclose(dg.gradient(buffers, TH), _complex_step_gradient(TH),
                               rtol=1e-13)


def test_the_filter_over_buffers_hessian_is_central_differences_of_complex_step():
    h = 1e-5
    want = np.stack([(_complex_step_gradient(TH + e) - _complex_step_gradient(TH - e)) / (2 * h)
                     for e in np.eye(2) * h], 1)
    np.testing.assert_allclose(dg.hessian(buffers, TH), want, rtol=1e-6)


def test_threads_running_the_filter_at_once():
    want = _complex_step_gradient(TH)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda _: dg.gradient(buffers, TH), range(8)))
    for g in got:
        np.testing.assert_allclose(g, want, rtol=1e-13)


X0 = np.array([0.3, -1.2, 2.0])
A, B, C = X0


def test_a_number_stored_over_a_dual_has_zero_partials():
    for number in (2.5, 3, np.float64(-1.0)):
        def f(x):
            b = np.zeros_like(x, shape=3)
            b[1] = x[0] * x[1]
            b[1] = number                         # the dual's partials gone
            b[2] = x[2] ** 2
            return b * x[0]
        np.testing.assert_allclose(dg.jacobian(f, X0),
                                   [[0, 0, 0], [number, 0, 0], [C * C, 0, 2 * C * A]],
                                   rtol=1e-15)


def test_nan_and_inf_stored_keep_their_partials():
    def f(x):
        b = np.zeros_like(x, shape=3)
        b[0] = x[0] * np.inf
        b[1] = x[1] * np.nan
        b[2] = np.inf
        return b
    J = dg.jacobian(f, X0)               # (docs/writing-code.md: a zero partial times inf or NaN stays 0)
    np.testing.assert_array_equal(J, [[np.inf, 0, 0], [0, np.nan, 0], [0, 0, 0]])


@pytest.mark.parametrize("index", [(1, 2), (np.int64(1), np.int32(2)), (-1, -1)])
def test_one_element_of_a_2d_buffer_read_and_stored(index):
    def f(x):
        b = np.zeros_like(x, shape=(2, 3))
        b[index] = x[0] * x[1]
        b[0, 0] = b[index] * x[2]
        return b.ravel()
    J = dg.jacobian(f, X0)
    want = np.zeros((6, 3))
    want[0] = [B * C, A * C, A * B]
    want[5] = [B, A, 0]
    np.testing.assert_allclose(J, want, rtol=1e-15)


def test_numpy_integer_and_negative_indices():
    def f(x):
        b = np.zeros_like(x, shape=4)
        b[np.int64(1)] = x[0] * x[2]
        b[-1] = b[np.intp(1)] + x[1]
        b[np.uint8(0)] = b[-3] * 2.0
        return b
    np.testing.assert_allclose(dg.jacobian(f, X0), [[2 * C, 0, 2 * A], [C, 0, A], [0, 0, 0],
                                                    [C, 1, A]], rtol=1e-15)


def test_an_index_out_of_bounds_raises_numpys_index_error():
    def store(x):
        b = np.zeros_like(x, shape=3)
        b[3] = x[0]
        return b

    def read(x):
        b = np.zeros_like(x, shape=(2, 3))
        return b[1, 3]
    for f in (store, read):
        with pytest.raises(IndexError):
            dg.jacobian(f, X0)


def test_a_store_through_one_view_is_read_through_another():
    def f(x):
        b = np.zeros_like(x, shape=6)
        every_other, grid = b[::2], b.reshape(2, 3)
        every_other[1] = x[0] * x[1]             # b[2]
        grid[1, 0] = x[2] ** 2                   # b[3]
        return [grid[0, 2], every_other[1], b[3], every_other[2] + grid[1, 1]]
    np.testing.assert_allclose(dg.jacobian(lambda x: np.stack(f(x)), X0),
                               [[B, A, 0], [B, A, 0], [0, 0, 2 * C], [0, 0, 0]], rtol=1e-15)


def test_a_store_into_a_read_only_view_raises_and_writes_nothing():
    seen = {}

    def f(x):
        b = x * 1.0
        view = np.broadcast_to(b, (2, 3))
        for index in ((0, 1), 1):
            with pytest.raises(ValueError, match="read-only"):
                view[0][index] = x[0] * x[2]
            with pytest.raises(ValueError, match="read-only"):
                view[index if isinstance(index, tuple) else (0, index)] = 5.0
        seen["b"] = b.value.copy()
        return b
    np.testing.assert_allclose(dg.jacobian(f, X0), np.eye(3), rtol=0)
    np.testing.assert_array_equal(seen["b"], X0)


def test_a_store_while_a_snapshot_lives_is_refused():
    def f(x):
        b = x * 2.0
        snapshot = np.asarray(b)
        b[0] = x[1] * 3.0
        return snapshot
    with pytest.raises(TypeError, match="np.asarray"):
        dg.jacobian(f, X0)


def test_a_store_into_a_buffer_that_escaped_is_refused():
    kept = []

    def f(x):
        b = np.zeros_like(x, shape=3)
        kept.append(b)
        return x * 1.0
    dg.jacobian(f, X0)
    with pytest.raises(errors.DualTypeError, match="escaped"):
        kept[0][0] = 1.0


def test_the_seed_written_into_then_read():
    """x itself (a helper's seed, whose read elements are kept) written by one element."""
    def f(x):
        first = x[0]
        x[0] = x[1] * x[2]
        after = x[0]
        view = x[1:]
        view[0] = 4.0                            # x[1], through a view
        return np.stack([first, after, x[1], x[2]])
    np.testing.assert_allclose(dg.jacobian(f, X0), [[1, 0, 0], [0, C, B], [0, 0, 0],
                                                    [0, 0, 1]], rtol=1e-15)


def test_complex_buffers_and_complex_into_real():
    def f(x):
        b = np.zeros_like(x, shape=3, dtype=complex)
        b[0] = x[0] * 1j + x[1]
        b[1] = b[0] * x[2]
        b[2] = 2.0
        return np.concatenate([b.real, b.imag])
    want = np.array([[0, 1, 0], [0, C, B], [0, 0, 0], [1, 0, 0], [C, 0, A], [0, 0, 0]])
    np.testing.assert_allclose(dg.jacobian(f, X0), want, rtol=1e-15)

    def g(x):
        b = np.zeros_like(x, shape=3)
        b[0] = x[0] * 1j
        return b
    with pytest.raises(TypeError, match="complex"):
        dg.jacobian(g, X0)


def test_hessian_of_stores_and_reads_in_1d_and_2d_buffers():
    def f(x):
        b = np.zeros_like(x, shape=3)
        g = np.zeros_like(x, shape=(2, 2))
        b[0] = 1.5                                # a number into a nested buffer
        b[1] = x[0] * x[1]
        b[2] = b[1] * x[2] + b[0]
        g[1, 0] = b[2] * x[0]                     # x0^2 x1 x2 + 1.5 x0
        g[0, 1] = g[1, 0] + x[1] ** 3
        return g[0, 1] + b[1]
    a, b_, c = X0
    want = np.array([[2 * b_ * c, 2 * a * c + 1, 2 * a * b_],
                     [2 * a * c + 1, 6 * b_, a * a],
                     [2 * a * b_, a * a, 0.0]])
    np.testing.assert_allclose(dg.hessian(f, X0), want, rtol=1e-14)


def test_an_outer_calls_dual_stored_into_an_inner_buffer():
    """In the inner call, a dual of the outer call is a constant of the inner's inputs
    (and keeps its outer derivative); a dual of the inner call holds both."""
    def inner_sum(x):
        def h(y):
            b = np.zeros_like(y, shape=3)
            b[0] = x[1] ** 2                      # outer tag only
            b[1] = x[0] * y[0]                    # both
            b[2] = 2.0
            return b[0] * y[1] + b[1] + b[2]
        g = dg.gradient(h, np.array([1.0, 3.0]))   # [x0, x1^2]
        return g[0] * g[1]                          # x0 x1^2
    a, b_, _ = X0
    np.testing.assert_allclose(dg.gradient(inner_sum, X0), [b_ * b_, 2 * a * b_, 0.0],
                               rtol=1e-14)


def test_an_inner_calls_dual_stored_into_an_outer_buffer_is_refused():
    def f(x):
        b = np.zeros_like(x, shape=2)

        def h(y):
            b[0] = y[0] * x[0]
            return y[0]
        dg.gradient(h, np.array([1.0]))
        return b
    with pytest.raises(TypeError, match="inner derivative call"):
        dg.jacobian(f, X0)


N = 20_000                        # partials elements well above the deferral threshold
B0, B1 = np.linspace(0.1, 1.0, N), np.linspace(1.0, -1.0, N)
Q = np.array([0.7, 0.2])


@pytest.mark.engine_independent
@pytest.mark.parametrize("index", [3, (3,), np.int64(3)])
@pytest.mark.parametrize("item", ["dual", "number"])
def test_a_store_never_reaches_a_pending_expression(index, item):
    """y = 3 x + sin(x), pending under the fused engine, reads x; x[3] = ... then; y
    keeps the derivative from before the write, and x[3] is what was stored."""
    def f(p):
        x = (p[0] * B0 + p[1] * B1).copy()
        y = 3.0 * x + np.sin(x)
        x[index] = p[0] * p[1] if item == "dual" else 1.5
        return np.concatenate([y, x[3:4]])
    x = Q[0] * B0 + Q[1] * B1
    want = np.concatenate([(3.0 + np.cos(x))[:, None] * np.stack([B0, B1], axis=1),
                           [[Q[1], Q[0]] if item == "dual" else [0.0, 0.0]]])
    for engine in ("fused", "eager"):
        with _fused.engine(engine):
            np.testing.assert_allclose(dg.jacobian(f, Q), want, rtol=1e-14, atol=1e-15)


@pytest.mark.engine_independent
def test_a_store_into_a_buffer_whose_own_partials_are_pending():
    def f(p):
        x = (p[0] * B0 + p[1] * B1).copy()
        y = np.exp(x) * 2.0                       # pending: its factors read y's value
        y[5] = p[0] * p[1]
        y[(6,)] = 0.5
        return np.stack([y[4], y[5], y[6], y[7]])
    x = Q[0] * B0 + Q[1] * B1
    d = lambda i: 2.0 * np.exp(x[i]) * np.array([B0[i], B1[i]])
    want = np.array([d(4), [Q[1], Q[0]], [0.0, 0.0], d(7)])
    for engine in ("fused", "eager"):
        with _fused.engine(engine):
            np.testing.assert_allclose(dg.jacobian(f, Q), want, rtol=1e-14)


@pytest.mark.parametrize("helper", ["jacobian", "hessian"])
def test_an_integer_into_a_2d_buffer_is_a_row_not_an_element(helper):
    """b[1] = d on a 2-D buffer stores d into the whole row (NumPy broadcasts), and b[1]
    reads the row: the one-element paths take an index of one integer per axis only."""
    def f(x):
        b = np.zeros_like(x, shape=(2, 3))
        b[1] = x[0] * x[1]
        b[0] = 2.0
        row = b[1]
        return np.sum(row * x) + np.sum(b[0])    # x0 x1 (x0 + x1 + x2) + 6
    a, b_, c = X0
    if helper == "jacobian":
        want = [2 * a * b_ + b_ * (b_ + c), a * a + 2 * a * b_ + a * c, a * b_]
        np.testing.assert_allclose(dg.gradient(f, X0), want, rtol=1e-14)
    else:
        want = [[2 * b_, 2 * a + 2 * b_ + c, b_], [2 * a + 2 * b_ + c, 2 * a, a],
                [b_, a, 0.0]]
        np.testing.assert_allclose(dg.hessian(f, X0), want, rtol=1e-14)
