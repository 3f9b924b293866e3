"""attack12's smaller findings: errors that named no fix, and NumPy spellings that
failed (np.gradient with dual spacing, nested list outputs, z.real / z.imag setters,
OrderedDict and None in pytrees, flatten / copy order=, math.trunc, batch_axis=).

Oracles: analytic derivatives; NumPy's own values.
"""

import math
from collections import OrderedDict, defaultdict

import numpy as np
import pytest

import dualgrad as dg

X = np.array([0.3, -0.7, 1.2])


def test_gradient_with_dual_coordinates_and_plain_f():
    # np.gradient(plain f, dual coordinates) recursed until RecursionError, then was
    # refused (until attackb66 R1); now NumPy's non-uniform formula on the duals.
    # Oracle: the complex step through NumPy's own np.gradient
    def f(v, zero=0.0):
        return np.gradient(np.arange(3.0) ** 2 + zero, v)
    # (complex values: NumPy's output takes f's dtype, which must carry the step)
    want = np.stack([np.imag(f(X + 1e-30j * np.eye(3)[j], 0j)) / 1e-30 for j in range(3)],
                    axis=-1)
    np.testing.assert_allclose(dg.jacobian(f, X), want, rtol=1e-14)


@pytest.mark.parametrize("nest", [list, tuple])
def test_nested_list_output_is_one_array(nest):
    def f(v):
        return nest([nest([v[0], v[1]]), nest([v[2], v[0] * v[1]])])
    J = dg.jacobian(f, X)
    want = np.zeros((2, 2, 3))
    want[0, 0, 0] = want[0, 1, 1] = want[1, 0, 2] = 1.0
    want[1, 1] = [X[1], X[0], 0.0]                         # d(x0 x1)
    np.testing.assert_array_equal(J, want)


def test_ragged_nested_output_names_the_fix():
    with pytest.raises(TypeError, match="np.stack"):
        dg.jacobian(lambda v: [[v[0], v[1]], [v[2]]], X)


def test_complex_real_imag_setters():
    x = np.linspace(0.1, 1.0, 5)

    def g(v):
        z = v * (1 + 1j)
        z.real += v[0]
        z.imag = v ** 2
        return np.concatenate([np.real(z), np.imag(z)])
    J = dg.jacobian(g, x)
    want = np.vstack([np.eye(5) + np.eye(5)[[0] * 5], np.diag(2 * x)])
    np.testing.assert_array_equal(J, want)
    d = dg.Dual(x * (1 + 1j), np.ones((5, 1)) * (1 + 0j))
    d.real = 2.0
    np.testing.assert_array_equal(d.value, 2.0 + 1j * x)
    np.testing.assert_array_equal(d.partials, 1j * np.ones((5, 1)) * 0 + 0.0)   # real: 0
    r = dg.Dual(x, np.ones((5, 1)))
    with pytest.raises(TypeError, match="imaginary part"):
        r.imag = 1.0
    r.real = 3.0                                   # a real array: its real part is itself
    np.testing.assert_array_equal(r.value, 3.0)


def test_complex_setters_large_arrays():
    # 100,000 elements with 2 directions: above the kernels' and the fused engine's
    # thresholds (dualgrad/backend/_kernels.py MIN_WORK, _fused.py MIN_WORK), as the
    # gradient in 100,000 inputs this test took before (100,000 directions: minutes)
    x = np.linspace(0.1, 1.0, 100_000)

    def h(p):
        v = p[0] * x + p[1]
        z = v * (1 + 1j)
        z.imag = 3 * v
        z.real *= 2.0
        return np.sum(np.real(z)) + np.sum(np.imag(z) ** 2)
    p = np.array([0.7, -0.2])
    v = p[0] * x + p[1]                  # h = sum(2 v) + sum(9 v**2)
    want = [np.sum(2 * x + 18 * v * x), np.sum(2 + 18 * v)]
    np.testing.assert_allclose(dg.gradient(h, p), want, rtol=1e-12)


def test_ordered_dict_pytree_keeps_its_order_and_type():
    p = OrderedDict([("b", 2.0), ("a", 3.0)])
    g = dg.gradient(lambda q: q["b"] * q["a"] ** 2, p)
    assert type(g) is OrderedDict and list(g) == ["b", "a"]
    assert g["b"] == 9.0 and g["a"] == 12.0


@pytest.mark.parametrize("x, match", [({"a": 2.0, "n": None}, "None"),
                                      (defaultdict(float, a=2.0), "OrderedDict")])
def test_unsupported_pytree_leaves_name_the_fix(x, match):
    with pytest.raises(TypeError, match=match):
        dg.gradient(lambda q: q["a"] ** 2, x)


def test_flatten_and_copy_take_order():
    x = np.arange(6.0).reshape(2, 3)
    J = dg.jacobian(lambda v: v.flatten("F"), x).reshape(6, 6)
    np.testing.assert_array_equal(J, np.eye(6)[np.arange(6).reshape(2, 3).flatten("F")])
    J = dg.jacobian(lambda v: v.copy(order="F") * v, x).reshape(6, 6)
    np.testing.assert_array_equal(J, np.diag(2 * x.ravel()))


@pytest.mark.parametrize("fn", [math.trunc, math.floor, math.ceil])
def test_math_rounding_names_the_numpy_function(fn):
    with pytest.raises(TypeError, match=rf"np\.{fn.__name__}\(d\)"):
        dg.gradient(lambda v: fn(v[0]) * v[1], X)


@pytest.mark.parametrize("call", [
    lambda: dg.hessian(lambda v: np.sum(v ** 3), np.ones((2, 3)), batch_axis=0),
    lambda: dg.jvp(lambda v: v ** 2, np.ones((2, 3)), np.ones((2, 3)), batch_axis=0)])
def test_batch_axis_is_not_passed_to_f(call):
    with pytest.raises(TypeError, match="batch_axis"):
        call()
