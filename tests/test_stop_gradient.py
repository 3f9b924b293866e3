"""dg.stop_gradient: the plain value at any nesting depth, a constant to every level."""

import operator
from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import dualgrad as dg


def _seen(f, x, helper):
    """What ``f``'s ``dg.stop_gradient`` gave while ``helper`` ran it on ``x``."""
    seen = []

    def g(x):
        seen.append(dg.stop_gradient(x))
        return f(x)

    helper(g, x)
    return seen[0]


def _nested(levels):
    """A helper that runs f inside ``levels`` nested dg.derivative calls."""
    def run(f, x):
        g = f
        for _ in range(levels - 1):
            g = (lambda h: lambda p: dg.derivative(h, p))(g)
        return dg.derivative(g, x)
    return run


@pytest.mark.parametrize("levels", [1, 2, 3])
def test_a_scalar_dual_gives_a_python_float_at_any_depth(levels):
    got = _seen(lambda x: x ** 4, 1.25, _nested(levels))
    assert type(got) is float and got == 1.25


def test_an_array_dual_under_hessian_gives_a_float64_array():
    x = np.array([0.5, 2.0, -1.0])
    got = _seen(lambda x: np.sum(x ** 3), x, dg.hessian)
    assert type(got) is np.ndarray and got.dtype == np.float64
    np.testing.assert_array_equal(got, x)


def test_a_complex_dual_gives_complex_values():
    got = _seen(lambda z: z * z, 1.0 + 2.0j, lambda f, z: dg.derivative(f, z, holomorphic=True))
    assert type(got) is complex and got == 1.0 + 2.0j


def test_the_result_is_a_constant_to_every_level():
    # d/dx (c * x**2) with c = x's value frozen: 2 c x; d2: 2 c (oracle: by hand)
    f = lambda x: dg.stop_gradient(x) * x ** 2                     # noqa: E731
    assert dg.derivative(f, 3.0) == pytest.approx(18.0, rel=1e-15)
    assert dg.derivative(lambda p: dg.derivative(f, p), 3.0) == pytest.approx(6.0, rel=1e-15)
    h = dg.hessian(lambda x: dg.stop_gradient(x[0]) * x[1] ** 2, np.array([2.0, 5.0]))
    np.testing.assert_allclose(h, [[0.0, 0.0], [0.0, 4.0]], rtol=1e-15, atol=0)


def test_an_integer_from_stop_gradient_under_hessian():
    # the README's count: n = ceil(4 x) = 6 at x = 1.5; (x**6)'' = 30 x**4
    f = lambda x: x ** int(np.ceil(dg.stop_gradient(x) * 4))       # noqa: E731
    assert dg.hessian(f, 1.5) == pytest.approx(30 * 1.5 ** 4, rel=1e-14)


def test_getattr_value_is_still_a_dual_under_hessian_and_stop_gradient_is_not():
    def f(x):
        assert isinstance(getattr(x, "value", x), dg.Dual)        # the old idiom's trap
        assert not isinstance(dg.stop_gradient(x), dg.Dual)
        return x ** 2
    assert dg.derivative(lambda p: dg.derivative(f, p), 2.0) == 2.0


def test_pytrees_keep_their_structure():
    Pair = namedtuple("Pair", "a b")

    def f(x):
        tree = {"list": [x[0], x], "tuple": (x[1], 3), "pair": Pair(x[0] * 2, "tag"),
                "ordered": OrderedDict([("z", x[1]), ("y", x)])}
        got = dg.stop_gradient(tree)
        assert type(got) is dict and list(got) == list(tree)
        assert type(got["list"]) is list and got["list"][0] == 1.0
        np.testing.assert_array_equal(got["list"][1], [1.0, 4.0])
        assert got["tuple"] == (4.0, 3) and type(got["tuple"][0]) is float
        assert type(got["pair"]) is Pair and got["pair"] == Pair(2.0, "tag")
        assert type(got["ordered"]) is OrderedDict and list(got["ordered"]) == ["z", "y"]
        return np.sum(x ** 2)
    dg.hessian(f, np.array([1.0, 4.0]))


def test_an_object_array_of_scalar_duals_gives_a_float_array():
    def f(x):
        got = dg.stop_gradient(np.array([x[0], x[1] * 2]))         # NumPy's object array
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, [3.0, 10.0])
        return x[0]
    dg.gradient(f, np.array([3.0, 5.0]))


@pytest.mark.parametrize("x", [2.0, 3, np.float32(1.5), np.arange(3.0), "text", None,
                               np.array(["a", 1], dtype=object)])
def test_anything_that_is_not_a_dual_is_returned_as_it_is(x):
    assert dg.stop_gradient(x) is x


def test_its_value_feeds_what_refuses_duals():
    # float(), operator.index and f-strings take its result at any depth
    def f(x):
        v = dg.stop_gradient(x)
        assert float(v) == 2.0 and operator.index(int(v)) == 2 and f"{v:.1f}" == "2.0"
        return x * x
    assert dg.derivative(lambda p: dg.derivative(f, p), 2.0) == 2.0


def test_while_another_thread_imports_the_sparsity_module(monkeypatch):
    """attack55 11: dg.quad threads beside others met dualgrad.api._sparsity half
    imported (in sys.modules, its Tracer not yet defined) and stop_gradient raised
    AttributeError; no tracer can exist before the class does, so the value is the
    input's."""
    import sys
    import types
    half = types.ModuleType("dualgrad.api._sparsity")       # (what another thread left)
    monkeypatch.setitem(sys.modules, "dualgrad.api._sparsity", half)
    x = np.array([1.5, -2.0])
    assert dg.stop_gradient(2.5) == 2.5
    assert dg.stop_gradient(x) is x
    d = dg.stop_gradient(dg.Dual(x, np.eye(2)))
    np.testing.assert_array_equal(d, x)
