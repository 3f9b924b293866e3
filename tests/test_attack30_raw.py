"""attack30 items 7-12: raw errors and refusals of correct code, each now an exact
derivative (against mpmath, the analytic derivative or central differences) or
dualgrad's named error naming the fix."""

import math

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg


# ---- item 12: rgamma is entire; its slope at its zeros x = -k is (-1)**k k! ---------
@pytest.mark.parametrize("x", [0.0, -0.0, -1.0, -2.0, -3.0, -7.0, -20.0, -2.5, 0.3, 2.0,
                               -3.0 + 1e-9, 180.0])
def test_rgamma_slope_and_curvature_at_and_beside_its_zeros(x):
    with mp.workdps(40):
        d1 = float(mp.diff(mp.rgamma, mp.mpf(x)))
        d2 = float(mp.diff(mp.rgamma, mp.mpf(x), 2))
    f = lambda p: sc.rgamma(p[0])
    g = dg.gradient(f, np.array([x]))[0]
    h = dg.hessian(f, np.array([x]))[0, 0]
    np.testing.assert_allclose(g, d1, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(h, d2, rtol=1e-9, atol=1e-300)


def test_rgamma_slope_on_an_array_of_zeros():
    x = np.array([0.0, -1.0, -2.0, -3.0, -4.0])
    truth = np.array([1.0, -1.0, 2.0, -6.0, 24.0])       # (-1)**k k!
    np.testing.assert_allclose(dg.elementwise_grad(sc.rgamma)(x), truth, rtol=1e-13)
    J = dg.jacobian(lambda p: sc.rgamma(p) * p[0], x + 0.0)
    assert np.isfinite(J).all()


def test_rgamma_slope_beside_its_zeros_within_1e12_of_mpmath():
    # SciPy's psi loses 1e-7 relative 1e-9 from its poles, so -out * psi alone did
    rng = np.random.default_rng(30)
    x = np.concatenate([rng.uniform(-40.0, 0.5, 200),
                        [-k + d for k in range(25) for d in (1e-9, -1e-9, 1e-5, -0.05)]])
    with mp.workdps(30):
        truth = np.array([float(mp.diff(mp.rgamma, mp.mpf(v))) for v in x])
    np.testing.assert_allclose(dg.elementwise_grad(sc.rgamma)(x), truth, rtol=1e-12)


# ---- item 7 and 9: @njit(parallel=True) and fastmath=True, on f and on what it calls --
numba = pytest.importorskip("numba")
X4 = np.array([0.3, -1.2, 2.0, 0.7])


@numba.njit(parallel=True)
def _par_reduce(p):
    s = 0.0
    for i in numba.prange(len(p)):
        s += p[i] * p[i]
    return s


@numba.njit(parallel=True)
def _par_write(p):
    out = np.zeros_like(p)
    for i in numba.prange(len(p)):
        out[i] = p[i] * p[i] * p[0]
    return out


@numba.njit
def _calls_parallel(p):
    return _par_reduce(p) * p[1]


def _distance_plus_product(p):
    d = math.sqrt((p[0] - p[0]) ** 2)      # 0, and constant: its slope (inf) times 0
    return d + p[1] * p[2]


_fast = numba.njit(fastmath=True)(_distance_plus_product)


@numba.njit(fastmath=True)
def _fast_inner(p):
    return math.sqrt((p[0] - p[0]) ** 2)


@numba.njit
def _calls_fastmath(p):
    return _fast_inner(p) + p[1] * p[2]


@pytest.mark.engine_independent
def test_parallel_prange_reduction_and_buffer_are_exact():
    np.testing.assert_allclose(dg.gradient(_par_reduce, X4), 2 * X4, rtol=1e-15)
    expected = np.diag(2 * X4 * X4[0])
    expected[:, 0] += X4 ** 2
    expected[0, 0] = 3 * X4[0] ** 2
    np.testing.assert_allclose(dg.jacobian(_par_write, X4), expected, rtol=1e-15)
    # the float function stays parallel and gives its own numbers
    assert _par_reduce.targetoptions["parallel"]
    assert _par_reduce(X4) == pytest.approx(np.sum(X4 ** 2), rel=1e-15)


@pytest.mark.engine_independent
def test_a_parallel_function_called_by_f_runs_serially_on_duals():
    s = np.sum(X4 ** 2)
    expected = 2 * X4 * X4[1]
    expected[1] += s
    np.testing.assert_allclose(dg.gradient(_calls_parallel, X4), expected, rtol=1e-15)


@pytest.mark.engine_independent
def test_fastmath_keeps_zero_partials_times_infinite_slopes_zero():
    x = np.array([0.5, 2.0, 3.0])
    np.testing.assert_array_equal(dg.gradient(_fast, x), [0.0, 3.0, 2.0])
    np.testing.assert_array_equal(dg.gradient(_calls_fastmath, x), [0.0, 3.0, 2.0])


@pytest.mark.engine_independent
def test_fastmath_closure_callee_gets_its_twin():
    inner = numba.njit(fastmath=True)(lambda p: math.sqrt((p[0] - p[0]) ** 2))

    def make():
        @numba.njit
        def outer(p):
            return inner(p) + p[1] * p[2]
        return outer
    np.testing.assert_array_equal(dg.gradient(make(), np.array([0.5, 2.0, 3.0])),
                                  [0.0, 3.0, 2.0])


# ---- item 10: math.isnan and like= in numba code ------------------------------------
@numba.njit
def _predicates(p):
    a = p[0] * 2.0 if not math.isnan(p[1]) else p[0]
    b = p[1] if np.isfinite(p[2]) and math.isfinite(p[0]) and not math.isinf(p[1]) else 0.0
    c = p[2] if np.logical_and(p[0] > 0, np.signbit(p[1])) else 0.0
    return a + b + c


@numba.njit
def _like_buffers(p):
    u = np.zeros(3, like=p)
    v = np.full(3, 2.0, like=p)
    w = np.ones(3, like=p)
    for i in range(3):
        u[i] = p[i] * v[i] + w[i]
    return u


@pytest.mark.engine_independent
def test_math_predicates_in_numba_code():
    x = np.array([0.7, -1.3, 0.4])
    np.testing.assert_array_equal(dg.gradient(_predicates, x), [2.0, 1.0, 1.0])


@pytest.mark.engine_independent
def test_like_buffers_in_numba_code_run_on_duals_and_on_floats():
    x = np.array([0.7, -1.3, 0.4])
    np.testing.assert_array_equal(dg.jacobian(_like_buffers, x), 2 * np.eye(3))
    np.testing.assert_array_equal(_like_buffers(x), 2 * x + 1)        # floats too


# ---- item 8: statistics and pow(d, y, mod) ------------------------------------------
@pytest.mark.parametrize("name", ["mean", "fmean", "stdev", "variance", "pstdev",
                                  "geometric_mean", "harmonic_mean"])
def test_statistics_of_duals_is_a_named_error(name):
    import statistics
    fn = getattr(statistics, name)
    with pytest.raises(dg.DualTypeError, match=r"statistics module.*Fix: np\.mean"):
        dg.gradient(lambda p: fn([p[0], p[1], p[2]]), np.array([0.7, 1.3, 0.4]))


def test_three_argument_pow_is_a_named_error_and_two_argument_pow_works():
    x = np.array([0.7, 1.3])
    for f in (lambda p: pow(p[0], 2, 5), lambda p: pow(p, 2, 5)):
        with pytest.raises(dg.DualTypeError, match=r"pow\(d, y, mod\).*Fix: \(d \*\* y\) % mod"):
            dg.gradient(lambda p: f(p) if np.ndim(f(p)) == 0 else f(p).sum(), x)
    np.testing.assert_array_equal(dg.gradient(lambda p: pow(p[0], 2) + pow(p[1], 3.0), x),
                                  [2 * 0.7, 3 * 1.3 ** 2])


# ---- item 10: object arrays of scalar duals -----------------------------------------
def test_object_array_of_scalar_duals_updated_in_place():
    x = np.array([0.7, 1.3, -0.4])

    def f(p):
        a = np.array([p[0] * p[1], p[1], p[2]])     # object array of scalar duals
        a += p
        np.multiply(a, p[0], out=a)
        return np.stack(list(a))
    # a = [(p0 p1 + p0) p0, (2 p1) p0, (2 p2) p0]
    p0, p1, p2 = x
    expected = np.array([[2 * p0 * p1 + 2 * p0, p0 * p0, 0.0],
                         [2 * p1, 2 * p0, 0.0],
                         [2 * p2, 0.0, 2 * p0]])
    np.testing.assert_allclose(dg.jacobian(f, x), expected, rtol=1e-15)


@pytest.mark.parametrize("name, call", [
    ("percentile", lambda a: np.percentile(a, 30)), ("nanmean", np.nanmean),
    ("gradient", lambda a: np.gradient(a).sum())])
def test_numpy_functions_of_object_arrays_name_np_stack(name, call):
    x = np.array([0.7, 1.3, -0.4])
    with pytest.raises(dg.DualTypeError, match=rf"np\.{name}.*np\.stack\(\[a, b, c\]\)"):
        dg.gradient(lambda p: call(np.array([p[0], p[1], p[2]])), x)
    g = dg.gradient(lambda p: call(np.stack([p[0], p[1], p[2]])), x)    # the fix works
    h = 1e-6
    fd = [(call(x + h * e) - call(x - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-9)


# ---- item 11: the sparsity tracer takes item, tolist, compress ----------------------
X6 = np.array([0.3, -0.7, 0.35, 1.1, -0.2, 0.9])


@pytest.mark.parametrize("f", [
    lambda p: p * p.item(2),
    lambda p: p * p.reshape(2, 3).item(1, 2) + p.reshape(2, 3).item((0, 1)) + p[:1].item(),
    lambda p: p * p.item(-1),
    lambda p: np.stack(p.tolist()) * p,
    lambda p: np.stack([a * b for a, b in p.reshape(3, 2).tolist()]),
    lambda p: p.compress([1, 0, 1, 0, 1, 1]) * p[1],
    lambda p: np.compress([True, False, True], p.reshape(2, 3) ** 2, axis=1).ravel(),
    lambda p: np.compress([0, 1, 1], p) * p[0],
    lambda p: np.compress(p > 0, p ** 2),
    lambda p: np.stack(list(np.frompyfunc(lambda a: a * a, 1, 1)(p))) * p[0],
    lambda p: np.stack(list(np.frompyfunc(lambda a, b: a * b + 1.0, 2, 1)(
        p.reshape(2, 3), p[:3]).ravel())),
    lambda p: np.stack(list(np.frompyfunc(lambda a, b: a / b, 2, 1)(p, 2.0))),
])
def test_tracer_pattern_is_the_dense_jacobians(f):
    J = dg.jacobian(f, X6)
    h = 1e-6
    fd = np.stack([(f(X6 + h * e) - f(X6 - h * e)) / (2 * h) for e in np.eye(6)], axis=-1)
    np.testing.assert_allclose(J, fd, rtol=1e-7, atol=1e-9)
    S = dg.sparsity(f, X6).toarray()
    np.testing.assert_array_equal(S != 0, J != 0)
