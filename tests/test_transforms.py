"""grad and elementwise_grad, with the examples of API.md verbatim."""

import numpy as np
import pytest

import dualgrad as dg


def test_api_md_seed_question():
    def func(q, chi, delta):
        return q * chi * delta
    assert dg.grad(func, argnums=(0, 1, 2))(1.0, 2.0, 3.0) == (6.0, 3.0, 2.0)
    assert dg.grad(func)(1.0, 2.0, 3.0) == 6.0
    assert dg.grad(func, argnums=2)(1.0, 2.0, 3.0) == 2.0


def test_api_md_grid_field():
    x, y, z = np.mgrid[-100:101:25., -100:101:25., -100:101:25.]
    Ex, Ey, Ez = dg.elementwise_grad(lambda x, y, z: 2*x**2 + 3*y**2 - 4*z,
                                     argnums=(0, 1, 2))(x, y, z)
    np.testing.assert_array_equal(Ex, 4 * x)
    np.testing.assert_array_equal(Ey, 6 * y)
    np.testing.assert_array_equal(Ez, -4 * np.ones_like(z))


def test_elementwise_grad_calls_f_once_for_all_arguments():
    # API.md: at most one call per argument; all arguments share one pass
    calls = []

    def f(x, y):
        calls.append(1)
        return np.sin(x) * y
    x = np.linspace(0, 1, 1000)
    dx, dy = dg.elementwise_grad(f, argnums=(0, 1))(x, 2.0)
    assert len(calls) == 1
    np.testing.assert_allclose(dx, 2 * np.cos(x), rtol=1e-15)
    np.testing.assert_allclose(dy, np.sum(np.sin(x)), rtol=1e-13)  # summed over broadcast


def test_grad_of_mixed_array_and_scalar_arguments():
    f = lambda w, b, x: np.sum((x @ w + b) ** 2)
    x = np.arange(6.0).reshape(3, 2)
    w, b = np.array([0.5, -1.0]), 0.25
    gw, gb = dg.grad(f, argnums=(0, 1))(w, b, x)
    r = x @ w + b
    np.testing.assert_allclose(gw, 2 * x.T @ r, rtol=1e-15)
    assert isinstance(gb, float) and gb == 2 * r.sum()


def test_grad_keeps_keyword_arguments_and_negative_argnums():
    f = lambda a, b, scale=1.0: scale * a * b ** 2
    assert dg.grad(f, argnums=-1)(3.0, 2.0, scale=2.0) == 24.0


def test_elementwise_grad_passes_see_the_inputs_as_given_when_f_writes_into_them():
    def f(a, b):
        a *= 2.0
        b += 1.0
        return a * b                 # (2a)(b + 1)
    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.0, 1.5])
    da, db = dg.elementwise_grad(f, argnums=(0, 1))(a, b)
    np.testing.assert_array_equal(da, 2.0 * (b + 1.0))
    np.testing.assert_array_equal(db, 2.0 * a)
    np.testing.assert_array_equal(a, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(b, [0.5, 1.0, 1.5])


def test_repeated_argnums_give_the_gradient_each_time_as_jax():
    """issue 12: argnums=(0, 0) gave (0.0, 12.0); JAX gives (12.0, 12.0)."""
    assert dg.grad(lambda a: a ** 3, argnums=(0, 0))(2.0) == (12.0, 12.0)
    # d/da a^3 b = 3 a^2 b = 12, d/db = a^3 = 8
    assert dg.grad(lambda a, b: a ** 3 * b, argnums=(1, 0, 1))(2.0, 1.0) == (8.0, 12.0, 8.0)
    x = np.array([2.0, 1.0])
    gb, gx, gb2 = dg.grad(lambda a, b: np.sum(a ** 3 * b), argnums=(1, 0, -1))(x, 1.0)
    assert gb == gb2 == 9.0
    np.testing.assert_array_equal(gx, 3.0 * x ** 2)
    ex, ex2 = dg.elementwise_grad(lambda a: a ** 3, argnums=(0, 0))(x)
    np.testing.assert_array_equal(ex, 3.0 * x ** 2)
    np.testing.assert_array_equal(ex2, 3.0 * x ** 2)


def test_value_and_grad_gives_the_value_and_jax_semantics_for_aux():
    f = lambda q, chi: q * np.sin(chi)
    value, g = dg.value_and_grad(f, argnums=(0, 1))(2.0, 0.5)
    assert value == 2.0 * np.sin(0.5)
    assert g == (np.sin(0.5), 2.0 * np.cos(0.5))
    w = np.array([1.0, -2.0, 0.5])
    value, g = dg.value_and_grad(lambda w: np.sum(w ** 3))(w)
    assert value == pytest.approx(np.sum(w ** 3), rel=1e-15)
    np.testing.assert_allclose(g, 3 * w ** 2, rtol=1e-15)
    (value, aux), g = dg.value_and_grad(lambda w: (np.sum(w ** 2), w[0] * 10), has_aux=True)(w)
    assert value == pytest.approx(5.25) and aux == 10.0 and not isinstance(aux, dg.Dual)
    np.testing.assert_allclose(g, 2 * w, rtol=1e-15)
    (value, aux), g = dg.value_and_grad(lambda a: (a ** 2, "tag"), has_aux=True)(3.0)
    assert (value, aux, g) == (9.0, "tag", 6.0)


def test_grad_has_aux_on_scalars_and_arrays():
    g, aux = dg.grad(lambda a, b: (a * b, {"ab": a * b}), argnums=(0, 1), has_aux=True)(2.0, 3.0)
    assert g == (3.0, 2.0) and aux == {"ab": 6.0} and type(aux["ab"]) is float
    g, aux = dg.grad(lambda x: (np.sum(np.exp(x)), np.exp(x)), has_aux=True)(np.zeros(2))
    np.testing.assert_array_equal(g, [1.0, 1.0])
    assert type(aux) is np.ndarray


def test_value_and_grad_matches_jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    f = lambda np_: (lambda p, x: (np_.sum((x @ p["w"]) ** 2), {"n": p["w"] * 2}))
    p, x = {"w": np.array([0.5, -1.0])}, np.arange(6.0).reshape(3, 2)
    (v, aux), g = dg.value_and_grad(f(np), has_aux=True)(p, x)
    (vj, auxj), gj = jax.jit(jax.value_and_grad(f(jax.numpy), has_aux=True))(p, x)
    assert v == pytest.approx(float(vj), rel=1e-15)
    np.testing.assert_allclose(aux["n"], np.asarray(auxj["n"]), rtol=1e-15)
    assert set(g) == set(gj) and np.shape(g["w"]) == np.shape(gj["w"])
    np.testing.assert_allclose(g["w"], 2 * x.T @ (x @ p["w"]), rtol=1e-15)     # analytic


@pytest.mark.parametrize("f", [np.cumsum, lambda x: x[::-1], lambda x: np.roll(x, 1) * x,
                               np.sum, lambda x: x - np.mean(x), np.sort, np.diff])
@pytest.mark.parametrize("n", [2, 3, 17, 1000])
def test_elementwise_grad_of_a_non_elementwise_f_raises(f, n):
    x = np.linspace(0.1, 1.0, n)[::-1].copy()
    with pytest.raises(ValueError, match=r"elementwise.*dg\.jacobian.*autograd"):
        dg.elementwise_grad(f)(x)


def test_elementwise_grad_check_never_rejects_elementwise_f_at_extremes():
    x = np.array([-745.0, -700.0, 0.0, 700.0, 710.0, np.nan, np.inf, -np.inf, 1e-310])
    f = lambda x: np.exp(x) * 1e300 + np.where(x > 0, x ** 2, np.sin(x))
    with pytest.warns(dg.UncheckedWarning):         # the rows near overflow: not compared
        g = dg.elementwise_grad(f)(x)
    with np.errstate(all="ignore"):
        want = np.exp(x) * 1e300 + np.where(x > 0, 2 * x, np.cos(x))
    np.testing.assert_allclose(g, want, rtol=1e-15)
    ragged = dg.elementwise_grad(lambda a, b: np.sin(a) * b)(np.ones((3, 1)), np.ones(4))
    np.testing.assert_allclose(ragged, 4 * np.cos(np.ones((3, 1))), rtol=1e-15)


def test_elementwise_grad_disagrees_with_autograd_only_by_raising():
    ag = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    x = np.array([0.3, -1.2, 2.0])
    f = lambda np_: (lambda x: np_.tanh(x) * x ** 2)
    np.testing.assert_allclose(dg.elementwise_grad(f(np))(x),
                               ag.elementwise_grad(f(anp))(x), rtol=1e-14)
    with pytest.raises(ValueError):
        dg.elementwise_grad(np.cumsum)(x)                  # autograd gives J.T @ 1: [3, 2, 1]
    np.testing.assert_allclose(dg.grad(lambda x: np.sum(np.cumsum(x)))(x),  # the fix it names
                               ag.elementwise_grad(anp.cumsum)(x), rtol=1e-15)


def test_elementwise_grad_check_false_is_the_unchecked_row_sum():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(dg.elementwise_grad(np.cumsum, check=False)(x),
                                  [1.0, 2.0, 3.0])           # J @ 1, as documented
    np.testing.assert_allclose(dg.elementwise_grad(np.sin, check=False)(x), np.cos(x),
                               rtol=1e-15)
    with pytest.raises(ValueError, match="check as True or False"):
        dg.elementwise_grad(np.sin, check="no")


@pytest.mark.parametrize("size", [17, 40, 64])
def test_elementwise_check_catches_any_single_cross_term_up_to_64_elements(size):
    """With 16 probe codes an argument of more than 16 elements had pairs sharing one,
    and ``out[0] += a[17]`` at 40 elements passed unchecked (J @ 1: 2.0 for 1.0; an
    outside attack); up to 64 elements every element has its own code, so every
    single cross term raises."""
    x = np.linspace(0.5, 1.5, size)
    for j in range(1, size):
        def f(a):
            out = a * a
            out[0] = out[0] + a[j]
            return out
        with pytest.raises(ValueError, match="elementwise"):
            dg.elementwise_grad(f)(x)
