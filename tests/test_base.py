"""Tags (dualgrad._base): a dual is valid only inside the helper call that made it."""

import threading

import numpy as np
import pytest

import dualgrad as dg


def _escaping(shape):
    """An inner function that leaks its dual into a cache, and the cache."""
    cache = {}

    def inner(y):
        cache["d"] = y
        return np.sum(y * y)
    return inner, cache


def test_issue_example_inner_dual_used_by_outer_raises():
    """issue 12: an inner dg.derivative stored its dual; the outer f got 0.0."""
    inner, cache = _escaping(())

    def outer(x):
        dg.derivative(inner, 1.0)
        return x * cache["d"]
    with pytest.raises(TypeError, match="used after the dualgrad call that created it"):
        dg.derivative(outer, 2.0)


@pytest.mark.parametrize("use", [
    lambda x, d: x * d, lambda x, d: d * x, lambda x, d: x + d, lambda x, d: np.arctan2(d, x),
    lambda x, d: np.maximum(x, d), lambda x, d: d ** x,
    lambda x, d: np.dot(x * np.ones(2), d * np.ones(2)),
    lambda x, d: np.where(True, d, x), lambda x, d: np.array([x, d])[1],
    lambda x, d: d,                      # returned as it is
    lambda x, d: 2.0 * d + 1.0,          # only constants: caught at the output
])
@pytest.mark.parametrize("inner_helper", ["derivative", "gradient", "grad", "jvp",
                                          "elementwise_grad"])
def test_an_escaped_dual_raises_whatever_meets_it(use, inner_helper):
    inner, cache = _escaping(())
    call = {"derivative": lambda: dg.derivative(inner, 1.0),
            "gradient": lambda: dg.gradient(inner, 1.0),
            "grad": lambda: dg.grad(inner)(1.0),
            "jvp": lambda: dg.jvp(inner, 1.0, 1.0),
            "elementwise_grad": lambda: dg.elementwise_grad(inner)(1.0)}[inner_helper]
    call()                         # before the outer call: the dual is older there
    with pytest.raises(TypeError, match="escaped"):
        dg.derivative(lambda x: use(x, cache["d"]), 2.0)

    def outer(x):                  # inside the outer call: the dual is newer there
        call()
        return use(x, cache["d"])
    with pytest.raises(TypeError, match="escaped"):
        dg.gradient(outer, 2.0)


def test_escaped_array_dual_raises_in_array_operations():
    cache = {}

    def inner(y):
        cache["d"] = y
        return np.sum(y)
    dg.gradient(inner, np.ones(3))
    with pytest.raises(TypeError, match="escaped"):
        dg.gradient(lambda x: np.sum(x * cache["d"]), np.ones(3))
    with pytest.raises(TypeError, match="escaped"):
        dg.jacobian(lambda x: x @ np.outer(cache["d"], x), np.ones(3))

    def store(x):
        out = np.zeros_like(x)
        out[0] = cache["d"][0]
        return out
    with pytest.raises(TypeError, match="escaped"):
        dg.jacobian(store, np.ones(3))


def test_duals_built_by_hand_stay_valid_and_nesting_still_works():
    d = dg.Dual(2.0, [1.0])
    dg.derivative(np.sin, 1.0)
    assert (d * d).partials[0] == 4.0
    # the classic perturbation-confusion check still holds
    assert dg.derivative(lambda x: x * dg.derivative(lambda y: x + y, 1.0), 1.0) == 1.0
    np.testing.assert_allclose(dg.hessian(lambda x: np.sum(x ** 3), [1.0, 2.0]),
                               np.diag([6.0, 12.0]))


def test_duals_of_running_calls_in_other_threads_stay_valid():
    errors = []

    def work():
        try:
            for _ in range(50):
                assert dg.derivative(lambda x: x * dg.derivative(lambda y: x * y, 1.0),
                                     3.0) == 6.0
        except Exception as exc:   # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_an_escaped_dual_passed_to_another_helper_raises():
    inner, cache = _escaping(())
    dg.derivative(inner, 1.0)
    for helper in (dg.derivative, dg.gradient, lambda f, x: dg.grad(f)(x)):
        with pytest.raises(TypeError, match="escaped"):
            helper(lambda y: y * y, cache["d"])


def test_an_escaped_dual_returned_as_aux_raises():
    inner, cache = _escaping(())
    dg.derivative(inner, 1.0)
    with pytest.raises(TypeError, match="escaped"):
        dg.grad(lambda x: (x * x, cache["d"]), has_aux=True)(2.0)
    with pytest.raises(TypeError, match="escaped"):
        dg.gradient(lambda x: (np.sum(x * x), {"k": [cache["d"]]}), np.ones(2), has_aux=True)
    # an outer call's dual in aux is fine (nesting)
    assert dg.derivative(lambda y: dg.grad(lambda x: (x * y, y), has_aux=True)(1.0)[0],
                         3.0) == 1.0


def test_a_dual_escaping_a_sparse_pass_raises():
    pytest.importorskip("scipy.sparse")
    cache = {}

    def inner(y):
        cache["d"] = y
        return y * 2.0
    dg.jacobian(inner, np.ones(3), sparsity=np.eye(3, dtype=bool))
    with pytest.raises(TypeError, match="escaped"):
        dg.gradient(lambda x: np.sum(x * cache["d"]), np.ones(3))
