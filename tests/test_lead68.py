"""Stop 68's lead fixes: each test fails on the tree before its fix (0e40b8b)."""
import math

import numpy as np
import pytest

import dualgrad as dg

scipy_integrate = pytest.importorskip("scipy.integrate")


def _chained_store(x):
    D = np.zeros((2, 2))
    D[0][1] = x[0] * x[1]          # a view of D: the store the refusal must name
    return D.ravel()


def _chained_store_fixed(x):
    D = np.zeros_like(x, shape=(2, 2))
    D[0][1] = x[0] * x[1]
    return D.ravel()


def test_a_chained_store_names_its_buffer_and_a_fix_that_works():
    # attackb67 R1: D[0][1] = d into a plain D gave the general text, naming no store
    x = np.array([1.5, 2.0])
    with pytest.raises(TypeError) as info:
        dg.jacobian(_chained_store, x)
    text = str(info.value)
    assert "D[0][1] = ... stores a dual number into D" in text
    assert "D = np.zeros_like(x, shape=(2, 2))" in text
    want = np.zeros((4, 2))
    want[1] = [x[1], x[0]]            # d(x0 x1) / dx
    np.testing.assert_array_equal(dg.jacobian(_chained_store_fixed, x), want)


def test_an_object_arrays_element_is_not_named_as_a_view():
    # the other side of R1's walk down D[0][1]: L[0] of an object array is no view of L
    def f(x):
        L = np.empty(2, dtype=object)
        L[0], L[1] = np.zeros(2), np.zeros(2)
        L[0][1] = x[0] * x[1]
        return L[0]
    with pytest.raises(TypeError) as info:
        dg.jacobian(f, np.array([1.5, 2.0]))
    assert "stores a dual number into L" not in str(info.value)


def _quad_of_dual(x):
    return scipy_integrate.quad(lambda t: t * x[0], 0.0, 1.0)[0]


def test_a_scipy_refusal_names_the_users_line():
    # attackb67 R2: SciPy's refusals named no line, math's did
    with pytest.raises(TypeError) as info:
        dg.gradient(_quad_of_dual, np.array([2.0]))
    assert "(at line" in str(info.value)
    assert "scipy_integrate.quad(lambda t: t * x[0], 0.0, 1.0)[0]`" in str(info.value)


def _math_mixed(x):
    c = 3.0
    return math.sin(x[0]) + math.cos(2.0) * math.sqrt(c) + math.exp(x[1] * 2)


def test_math_calls_on_plain_numbers_are_not_listed():
    # attackb67 R3: math.cos(2.0) and math.sqrt(c) of a plain c were listed beside the
    # calls that met a dual
    with pytest.raises(TypeError) as info:
        dg.gradient(_math_mixed, np.array([0.5, 1.0]))
    text = str(info.value)
    assert "write np.sin for math.sin, np.exp for math.exp (they take duals)" in text
    fix = text.split("Fix: ")[1].split("elsewhere")[0]
    assert "math.cos" not in fix and "math.sqrt" not in fix
