"""Every eager helper of API.md against analytic derivatives or scipy's own."""

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der, rosen_hess

import dualgrad as dg
from dualgrad.testing import complex_step

X4 = np.array([0.3, 0.7, 1.1, -0.4])


def test_derivative_of_scalar_and_array_valued_functions():
    assert dg.derivative(np.exp, 0.7) == pytest.approx(np.exp(0.7), rel=1e-15)
    assert isinstance(dg.derivative(np.exp, 0.7), float)
    d = dg.derivative(lambda t: np.array([np.cos(t), t ** 3]), 0.5)
    np.testing.assert_allclose(d, [-np.sin(0.5), 3 * 0.25], rtol=1e-15)
    assert dg.derivative(lambda t, a, b: a * t ** 2 + b, 3.0, 2.0, 7.0) == 12.0


def test_gradient_shapes_and_values():
    np.testing.assert_allclose(dg.gradient(rosen, X4), rosen_der(X4), rtol=1e-13)
    assert isinstance(dg.gradient(lambda x: x ** 3, 2.0), float)
    x = np.arange(6.0).reshape(2, 3)
    g = dg.gradient(lambda a: np.sum(a ** 2), x)
    assert g.shape == (2, 3)
    np.testing.assert_array_equal(g, 2 * x)


def test_integers_are_promoted_and_lists_accepted():
    np.testing.assert_array_equal(dg.gradient(lambda a: np.sum(a * a), [1, 2, 3]),
                                  [2.0, 4.0, 6.0])
    assert dg.gradient(lambda a: np.sum(a * a), np.array([1, 2], dtype=np.int32)).dtype \
        == np.float64


def test_jacobian_shapes():
    A = np.arange(12.0).reshape(3, 4)
    J = dg.jacobian(lambda x: A @ x, np.ones(4))
    np.testing.assert_array_equal(J, A)
    J = dg.jacobian(lambda x: x ** 2, np.ones((2, 3)))
    assert J.shape == (2, 3, 2, 3)
    J = dg.jacobian(lambda t: np.array([t, 2 * t]), 1.0)
    assert J.shape == (2,)
    assert dg.jacobian(lambda x: np.sum(x), np.ones(3)).shape == (3,)


def test_jacobian_against_complex_step():
    f = lambda x: np.array([np.exp(x[0]) * np.sin(x[1]), x[2] / x[0], np.log(x[1]) * x[2]])
    x = np.array([0.4, 1.3, -2.0])
    np.testing.assert_allclose(dg.jacobian(f, x), complex_step(f, x), rtol=1e-13)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 16, 100])
def test_results_do_not_depend_on_chunk(chunk):
    x = np.linspace(-1, 2, 11)
    f = lambda x: np.sum(np.sin(x) * np.roll(x, 1)) + rosen(x)
    want = dg.gradient(f, x)
    np.testing.assert_array_equal(dg.gradient(f, x, chunk=chunk), want)
    np.testing.assert_array_equal(dg.hessian(f, x, chunk=chunk), dg.hessian(f, x))


def test_chunks_are_bounded_and_balanced():
    from dualgrad.api._seed import MAX_CHUNK, MEMORY_BUDGET, chunk_sizes
    assert chunk_sizes(100) == [100]                        # small inputs: one pass
    assert chunk_sizes(1000, input_size=1000) == [250] * 4
    assert chunk_sizes(17, chunk=16) == [9, 8]
    assert chunk_sizes(5, chunk=2) == [2, 2, 1]
    for n in (10_000, 1_000_000):
        widths = chunk_sizes(n, input_size=n)
        assert sum(widths) == n and max(widths) - min(widths) <= 1
        assert max(widths) <= MAX_CHUNK and max(widths) * n * 8 <= MEMORY_BUDGET


def test_large_jacobian_is_computed_in_chunks():
    seen = []

    def f(x):
        seen.append(x.partials.shape[-1])
        return x * 2.0

    J = dg.jacobian(f, np.ones(2_000))
    assert J.shape == (2_000, 2_000) and J[1234, 1234] == 2.0 and J.sum() == 4_000
    assert max(seen) <= 256 and sum(seen) == 2_000


def test_hessian_rosenbrock_is_exact_and_symmetric():
    H = dg.hessian(rosen, X4)
    np.testing.assert_allclose(H, rosen_hess(X4), rtol=1e-13)
    np.testing.assert_array_equal(H, H.T)
    assert dg.hessian(lambda t: t ** 4, 2.0) == 48.0


def test_hessian_of_array_input_has_doubled_shape():
    x = np.arange(1.0, 5.0).reshape(2, 2)
    H = dg.hessian(lambda a: np.sum(a ** 3), x)
    assert H.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(H.reshape(4, 4), np.diag(6 * x.ravel()))


def test_jvp():
    f = lambda x: np.array([x[0] * x[1], np.sin(x[1])])
    x, v = np.array([2.0, 0.5]), np.array([1.0, -1.0])
    out, tangent = dg.jvp(f, x, v)
    np.testing.assert_array_equal(out, f(x))
    np.testing.assert_allclose(tangent, dg.jacobian(f, x) @ v, rtol=1e-15)


def test_constant_output_gives_zeros():
    np.testing.assert_array_equal(dg.gradient(lambda x: 3.0, np.ones(3)), 0.0)
    np.testing.assert_array_equal(dg.jacobian(lambda x: np.ones(2), np.ones(3)),
                                  np.zeros((2, 3)))


def test_outputs_as_lists_tuples_and_object_arrays():
    f_list = lambda x: [x[0] * x[1], x[0] + 1.0]
    f_obj = lambda x: np.array([x[0] * x[1], x[0] + 1.0])
    f_tuple = lambda x: (x[0] * x[1], 3.0)
    want = np.array([[2.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(dg.jacobian(f_list, [1.0, 2.0]), want)
    np.testing.assert_array_equal(dg.jacobian(f_obj, [1.0, 2.0]), want)
    np.testing.assert_array_equal(dg.jacobian(f_tuple, [1.0, 2.0]), [[2.0, 1.0], [0.0, 0.0]])


def test_no_perturbation_confusion():
    assert dg.derivative(lambda x: x * dg.derivative(lambda y: x + y, 1.0), 1.0) == 1.0
    # closure over an array input
    x0 = np.array([1.0, 2.0])
    g = dg.gradient(lambda x: np.sum(x * dg.gradient(lambda y: np.sum(x * y), x)), x0)
    np.testing.assert_array_equal(g, 2 * x0)


def test_jacobian_of_gradient_is_the_hessian():
    g = lambda x: np.sum(np.exp(x) * x[::-1]) + np.prod(x)
    np.testing.assert_allclose(dg.jacobian(lambda x: dg.gradient(g, x), X4),
                               dg.hessian(g, X4), rtol=1e-14, atol=1e-15)


def test_nan_input_stays_in_its_own_entries():
    x = np.array([np.nan, 1.0, 2.0])
    J = dg.jacobian(lambda x: np.sin(x) * 2.0, x)
    assert np.isnan(J[0, 0])
    np.testing.assert_array_equal(J[1:, 0], 0.0)
    np.testing.assert_array_equal(J[0, 1:], 0.0)
    np.testing.assert_allclose(np.diag(J)[1:], 2 * np.cos(x[1:]))
    g = dg.gradient(lambda x: np.sum(np.sqrt(x)), np.array([0.0, 4.0]))
    assert g[0] == np.inf and g[1] == 0.25


def test_results_are_float64_whatever_the_input_dtype():
    for dtype in (np.float32, np.int64, np.int8):
        J = dg.jacobian(lambda x: x * 2, np.array([1, 2], dtype=dtype))
        assert J.dtype == np.float64


def _doubles_in_place(x):
    """f that writes into its input: x *= 2, then x**2 (derivative 8x on the diagonal)."""
    x *= 2.0
    return x ** 2


@pytest.mark.parametrize("chunk", [None, 1, 3])
def test_f_writing_into_its_input_sees_the_input_as_given_in_every_pass(chunk):
    x = X4.copy()
    J = dg.jacobian(_doubles_in_place, x, chunk=chunk)
    np.testing.assert_array_equal(J, np.diag(8.0 * X4))
    np.testing.assert_array_equal(x, X4)                   # the caller's array untouched
    np.testing.assert_array_equal(dg.gradient(lambda y: np.sum(_doubles_in_place(y)), x,
                                              chunk=chunk), 8.0 * X4)
    np.testing.assert_allclose(dg.hessian(lambda y: np.sum(_doubles_in_place(y)), x,
                                          chunk=chunk), np.diag([8.0] * 4), rtol=1e-14)
    np.testing.assert_array_equal(x, X4)


def test_f_writing_into_its_input_on_a_thread_pool():
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2) as pool:
        J = dg.jacobian(_doubles_in_place, X4, chunk=1, executor=pool)
    np.testing.assert_array_equal(J, np.diag(8.0 * X4))


def test_jvp_leaves_x_and_v_alone_when_f_writes_into_its_input():
    x, v = X4.copy(), np.array([1.0, 0.0, 2.0, 0.0])
    value, tangent = dg.jvp(_doubles_in_place, x, v)
    np.testing.assert_array_equal(tangent, 8.0 * X4 * v)
    np.testing.assert_array_equal(x, X4)
    np.testing.assert_array_equal(v, [1.0, 0.0, 2.0, 0.0])


# ---- argnums, has_aux, keyword arguments for f (issue 17) -------------------------------
def bilinear(x, y, scale=1.0):
    return scale * np.array([x[0] * y[1], np.sin(x[1]) * y[0] ** 2])


def test_jacobian_argnums_tuple_gives_a_tuple_of_analytic_jacobians():
    x, y = np.array([0.5, 1.5]), np.array([2.0, -1.0])
    Jx, Jy = dg.jacobian(bilinear, x, y, argnums=(0, 1))
    np.testing.assert_allclose(Jx, [[y[1], 0.0], [0.0, np.cos(x[1]) * y[0] ** 2]], rtol=1e-15)
    np.testing.assert_allclose(Jy, [[0.0, x[0]], [2 * y[0] * np.sin(x[1]), 0.0]], rtol=1e-15)
    np.testing.assert_array_equal(dg.jacobian(bilinear, x, y, argnums=1), Jy)
    np.testing.assert_array_equal(dg.jacobian(bilinear, x, y, argnums=-1), Jy)


def test_hessian_argnums_gives_all_blocks():
    f = lambda x, y: np.sum(x ** 2) * y ** 3
    x, y = np.array([1.0, 2.0]), 0.5
    (Hxx, Hxy), (Hyx, Hyy) = dg.hessian(f, x, y, argnums=(0, 1))
    np.testing.assert_allclose(Hxx, 2 * y ** 3 * np.eye(2), rtol=1e-15)
    np.testing.assert_allclose(Hxy, 2 * x * 3 * y ** 2, rtol=1e-15)
    np.testing.assert_array_equal(Hyx, Hxy)
    assert Hyy == pytest.approx(6 * y * 5.0, rel=1e-15)
    assert dg.hessian(f, x, y, argnums=1) == pytest.approx(Hyy, rel=1e-15)


@pytest.mark.parametrize("chunk", [None, 1])
def test_has_aux_on_every_helper_returns_values_not_duals(chunk):
    def f(x):
        out = np.sum(x ** 3)
        return out, {"x2": x ** 2, "note": "hi", "first": x[0]}
    x = np.array([1.0, 2.0])
    g, aux = dg.gradient(f, x, has_aux=True, chunk=chunk)
    np.testing.assert_allclose(g, 3 * x ** 2, rtol=1e-15)
    assert type(aux["x2"]) is np.ndarray and aux["note"] == "hi" and aux["first"] == 1.0
    np.testing.assert_array_equal(aux["x2"], x ** 2)
    H, aux = dg.hessian(f, x, has_aux=True, chunk=chunk)
    np.testing.assert_allclose(H, np.diag(6 * x), rtol=1e-15)
    assert not any(isinstance(v, dg.Dual) for v in aux.values())
    J, aux = dg.jacobian(lambda x: (x ** 2, x[1]), x, has_aux=True, chunk=chunk)
    np.testing.assert_allclose(J, np.diag(2 * x), rtol=1e-15)
    assert aux == 2.0 and not isinstance(aux, dg.Dual)


def test_has_aux_with_a_bare_output_says_what_to_return():
    with pytest.raises(TypeError, match=r"pair \(out, aux\)"):
        dg.gradient(lambda x: np.sum(x), np.ones(2), has_aux=True)


def test_keyword_arguments_reach_f_on_every_helper():
    f = lambda x, k=1.0: k * np.sum(x ** 2)
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(dg.gradient(f, x, k=3.0), 6.0 * x, rtol=1e-15)
    np.testing.assert_allclose(dg.jacobian(bilinear, x, x, scale=2.0),
                               2.0 * dg.jacobian(bilinear, x, x), rtol=1e-15)
    np.testing.assert_allclose(dg.hessian(f, x, k=3.0), 6.0 * np.eye(2), rtol=1e-15)
    assert dg.derivative(lambda t, k=1.0: k * t ** 2, 2.0, k=0.5) == 2.0
    assert dg.jvp(f, x, np.ones(2), k=2.0)[1] == pytest.approx(4 * (1.0 - 2.0))
    np.testing.assert_allclose(dg.approx_fprime(x, f, None, k=3.0), 6.0 * x, rtol=1e-15)


def test_jax_spelling_of_jvp_raises_naming_the_difference():
    x, v = np.ones(3), np.ones(3)
    with pytest.raises(TypeError, match=r"JAX's spelling.*dg\.jvp\(f, x, v\)"):
        dg.jvp(np.sin, (x,), (v,))
    with pytest.raises(TypeError, match=r"JAX's spelling"):
        dg.jvp(np.sin, (1.0,), (1.0,))
    # tuples of arrays, whatever f: np.sin would silently stack them into (2, 3)
    with pytest.raises(TypeError, match=r"tuples of 2 items, JAX's spelling"):
        dg.jvp(np.sin, (x, x), (v, v))
    # a tuple of numbers is one array, as before
    out, tangent = dg.jvp(lambda a: a[0] * a[1], (2.0, 3.0), (1.0, 0.0))
    assert (out, tangent) == (6.0, 3.0)
    out, tangent = dg.jvp(lambda xs: xs[0] * xs[1], [x, 2 * x], [v, v])   # the fix
    np.testing.assert_array_equal(tangent, 3 * x)


def test_hessian_is_symmetrized_where_nested_duals_are_not_symmetric():
    """The raw nested-dual Hessian (the Jacobian of the gradient) of this f differs
    from its transpose in rounding; hessian's result is exactly symmetric and matches
    an mpmath oracle, so removing or transposing the symmetrization fails here."""
    import mpmath as mp

    def f(x):
        return np.tanh(x[0] * x[1] * x[2]) * np.cos(x[1] / x[0]) + np.prod(x) * \
            np.exp(np.sum(x * x))

    def f_mp(a, b, c):
        return mp.tanh(a * b * c) * mp.cos(b / a) + a * b * c * mp.exp(a * a + b * b + c * c)

    x = np.array([0.7, 1.3, -0.4])
    raw = dg.jacobian(lambda y: dg.gradient(f, y), x)
    assert not np.array_equal(raw, raw.T)              # the premise of this test
    with mp.workdps(40):
        want = np.array([[float(mp.diff(f_mp, tuple(mp.mpf(v) for v in x),
                                        tuple(int(k in (i, j)) + int(i == j == k)
                                              for k in range(3))))
                          for j in range(3)] for i in range(3)])
    for chunk in (None, 1, 2):
        H = dg.hessian(f, x, chunk=chunk)
        np.testing.assert_array_equal(H, H.T)
        np.testing.assert_allclose(H, want, rtol=1e-13, atol=1e-13 * np.abs(want).max())


# ---- the one-pass path of jacobian and gradient (api.helpers._one_pass) ---------------
# A plain float64 array of at most MAX_CHUNK entries and no options takes a shorter path
# than the general one (chunk=size: the same single pass through jacobian_columns).
# Every kind of output must come out as the general path gives it, bit for bit, and
# right against an analytic Jacobian.
_XP = np.array([0.3, 0.7, 1.1])
_S, _C = np.sin(_XP), np.cos(_XP)
_ONE_PASS = {
    "array dual": (lambda x: np.sin(x) * (x[0] * x[1]),
                   np.diag(_C * _XP[0] * _XP[1]) + np.outer(_S, [_XP[1], _XP[0], 0.0])),
    "scalar dual": (lambda x: x[0] * x[2] + np.sum(x ** 2),
                    np.array([2 * _XP[0] + _XP[2], 2 * _XP[1], 2 * _XP[2] + _XP[0]])),
    "object array": (lambda x: np.array([x[0] * x[1], np.sin(x[2])]),
                     np.array([[_XP[1], _XP[0], 0.0], [0.0, 0.0, _C[2]]])),
    "list of scalars": (lambda x: [x[0] * x[1], 2.0 * x[2]],
                        np.array([[_XP[1], _XP[0], 0.0], [0.0, 0.0, 2.0]])),
    "constant": (lambda x: np.ones(2), np.zeros((2, 3))),
    "0-d": (lambda x: x[1] ** 3, np.array([0.0, 3 * _XP[1] ** 2, 0.0])),
}


@pytest.mark.parametrize("kind", sorted(_ONE_PASS))
def test_one_pass_gives_what_the_general_path_gives(kind):
    f, want = _ONE_PASS[kind]
    fast = dg.jacobian(f, _XP)
    general = dg.jacobian(f, _XP, chunk=_XP.size)
    np.testing.assert_allclose(fast, want, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(fast, general)
    assert type(fast) is type(general) and fast.dtype == general.dtype


def test_one_pass_gradient_and_pytree_output():
    np.testing.assert_allclose(dg.gradient(rosen, X4), rosen_der(X4), rtol=1e-14)
    J = dg.jacobian(lambda x: {"a": x[0] * x[1], "b": 2.0 * x}, _XP)
    np.testing.assert_array_equal(J["a"], [_XP[1], _XP[0], 0.0])
    np.testing.assert_array_equal(J["b"], 2.0 * np.eye(3))
    with pytest.raises(ValueError, match="scalar"):
        dg.gradient(lambda x: 2.0 * x, _XP)


def test_one_pass_leaves_the_input_alone_and_retires_its_tag():
    x = _XP.copy()
    kept = []

    def f(v):
        kept.append(v)
        v[0] = 5.0 * v[1]                 # f writes into its input
        return v * v

    J = dg.jacobian(f, x)
    np.testing.assert_array_equal(x, _XP)
    np.testing.assert_allclose(J, [[0, 50 * _XP[1], 0], [0, 2 * _XP[1], 0],
                                   [0, 0, 2 * _XP[2]]], rtol=1e-15)
    with pytest.raises(TypeError, match="escaped"):     # the pass's tag is retired
        kept[0] * 2.0


def test_one_pass_notes_the_pass_on_errors_of_f():
    def f(x):
        raise RuntimeError("inside f")

    with pytest.raises(RuntimeError, match="inside f") as info:
        dg.jacobian(f, _XP)
    assert "dualgrad: raised while evaluating f on input directions 0 to 2 (chunk 1 of 1)" \
        in info.value.__notes__
    messages = []
    for chunk in (None, 3):                              # the one pass, the general path
        with pytest.raises(TypeError, match="would drop the derivatives") as info:
            dg.jacobian(lambda x: float(x[0]), _XP, chunk=chunk)
        messages.append((str(info.value), info.value.__notes__))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("kind", ["scalar", "array", "object array", "constant"])
def test_one_pass_at_a_float_and_in_approx_fprime(kind):
    t = 0.7
    f, want = {"scalar": (lambda s: s * np.sin(s), np.sin(t) + t * np.cos(t)),
               "array": (lambda s: np.exp(s * np.arange(3.0)), np.arange(3.0) *
                         np.exp(t * np.arange(3.0))),
               "object array": (lambda s: np.array([s ** 2, 3.0 * s]), np.array([2 * t, 3.0])),
               "constant": (lambda s: 2.0, 0.0)}[kind]
    fast = dg.derivative(f, t)
    general = dg.jacobian(f, t, chunk=1)                 # chunk given: the general path
    np.testing.assert_allclose(fast, want, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(fast, general)
    assert type(fast) is type(general)
    # approx_fprime (scipy's shapes) from the one pass, against the general path
    x = np.array([t, 0.2])

    def g(v):
        return f(v[0]) * (1.0 + v[1])

    one, other = dg.approx_fprime(x, g), dg.jacobian(g, x, chunk=2)
    m = np.size(want)
    assert one.shape == ((2,) if m == 1 else (m, 2))
    np.testing.assert_array_equal(one, other.reshape(one.shape))
    np.testing.assert_allclose(one[..., 0], want * 1.2, rtol=1e-15, atol=0)


def test_passes_that_compute_different_values_raise(np_random_kept):
    # userml48: a dropout mask drawn inside f without a seed, a gradient of 300 weights
    # in two passes: the partials were spliced from two masks (43 % off either); every
    # pass must compute f's value again, and now the passes are compared
    W = np.random.default_rng(1).normal(size=300)

    def unseeded(w):
        mask = np.random.random(300) > 0.5
        return np.sum((w * mask) ** 2)

    def seeded(w):
        mask = np.random.default_rng(0).random(300) > 0.5
        return np.sum((w * mask) ** 2)

    for call in (lambda f: dg.grad(f)(W), lambda f: dg.jacobian(f, W, chunk=50),
                 lambda f: dg.hessian(f, W[:40], chunk=7) if f is seeded else
                 dg.hessian(lambda w: unseeded(np.concatenate([w, W[40:]])), W[:40], chunk=7)):
        with pytest.raises(ValueError, match=r"same value on every pass.*default_rng\(0\)"):
            call(unseeded)
    mask = np.random.default_rng(0).random(300) > 0.5
    np.testing.assert_array_equal(dg.jacobian(seeded, W, chunk=50), 2 * W * mask)
    np.testing.assert_array_equal(dg.jacobian(unseeded, W, chunk=300).shape, (300,))  # one pass


def test_passes_of_adaptive_dualgrad_integrators_are_not_compared():
    # attack48b 17 / 18: dg.quad and dg.solve_ivp step on every coefficient a pass
    # carries, so two chunks of one deterministic f differ within the tolerance asked:
    # no 'f is not a function of x alone' there; the derivative within the tolerance
    p = np.array([0.0, 2.0])
    f = lambda p: dg.quad(lambda x: np.sqrt(x) * np.cos(3 * x) + p[0] * np.log(x) / np.sqrt(x)  # noqa
                          + p[1] * x * x, 0.0, 1.0, epsrel=1e-4)[0]
    np.testing.assert_allclose(dg.gradient(f, p, chunk=1), [-4.0, 1.0 / 3.0], rtol=1e-4)
    T = 2.0
    g = lambda p: dg.solve_ivp(lambda t, y: -p * y, (0.0, T), np.ones(3) + 0.0 * p,  # noqa
                               rtol=1e-8, atol=1e-10).y[:, -1]
    k = np.array([0.5, 1.0, 1.5])
    np.testing.assert_allclose(dg.jacobian(g, k, chunk=1), np.diag(-T * np.exp(-k * T)),
                               rtol=1e-5, atol=1e-9)


def test_another_threads_integration_leaves_this_threads_comparison_on(np_random_kept):
    # attack48b 19b: the count of adaptive integrations was one per process: a dg.quad in
    # another thread switched this thread's pass comparison off
    import threading
    W = np.random.default_rng(1).normal(size=300)

    def unseeded(w):
        return np.sum((w * (np.random.random(300) > 0.5)) ** 2)
    stop = threading.Event()

    def integrate():
        while not stop.is_set():
            dg.derivative(lambda p: dg.quad(lambda x: np.exp(-p * x), 0.0, 1.0)[0], 1.0)
    t = threading.Thread(target=integrate)
    t.start()
    try:
        for _ in range(3):
            with pytest.raises(ValueError, match="same value on every pass"):
                dg.jacobian(unseeded, W, chunk=50)
    finally:
        stop.set()
        t.join()
