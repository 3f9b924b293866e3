"""Tags (dualgrad.dual._base): a dual is valid only inside the helper call that made it."""

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


# ---- an escaped dual used outside any helper (JAX: UnexpectedTracerError) -----------
OUTSIDE = {
    "scalar_mul": lambda d: d * 2.0, "scalar_rmul": lambda d: 2.0 * d,
    "scalar_add_dual": lambda d: d + d, "scalar_neg": lambda d: -d,
    "scalar_sin": lambda d: np.sin(d), "scalar_pow": lambda d: d ** 3,
    "scalar_ufunc_method": lambda d: d.arctan2(1.0),
    "array_mul": lambda a: a * 2.0, "array_iadd": lambda a: a.__iadd__(1.0),
    "array_iadd_dual": lambda a: a.__iadd__(a), "array_sin": lambda a: np.sin(a),
    "array_sum": lambda a: np.sum(a), "array_dot": lambda a: a @ a,
    "array_setitem": lambda a: a.__setitem__(0, 1.0), "array_square": lambda a: a ** 2,
}


# Python's arithmetic operators on scalar duals skip the test (plain-Python loops keep
# their speed: it cost 5-13 % on the Lotka-Volterra loop); their escaped results raise
# where anything reads them but the primal value: .partials, NumPy functions, helpers.
SCALAR_OPERATORS = {"scalar_mul", "scalar_rmul", "scalar_add_dual", "scalar_neg",
                    "scalar_pow"}


@pytest.mark.parametrize("n", [1, 3, 20])
@pytest.mark.parametrize("op", sorted(OUTSIDE))
def test_an_escaped_dual_raises_outside_any_helper(op, n):
    """It computed (a dual of a finished call, neither right nor wrong) until a later
    helper met it; now it raises as JAX's escaped tracer does."""
    cache = {}

    def f(x):
        cache["d"] = x if op.startswith("array") else x[0]
        return np.sum(x * x)
    dg.gradient(f, np.arange(1.0, n + 1.0))
    with pytest.raises(TypeError, match="escaped"):
        result = OUTSIDE[op](cache["d"])
        if op in SCALAR_OPERATORS:
            assert "escaped its call" in repr(result)
            if n <= 16:
                result.partials                  # noqa: B018 (the read raises)
            else:                                # (the vector kind's partials: a slot)
                np.exp(result)


@pytest.mark.parametrize("op", sorted(OUTSIDE))
def test_duals_made_with_Dual_stay_valid_outside_helpers(op):
    d = dg.Dual(np.array([0.5, 1.5]), np.eye(2)) if op.startswith("array") else \
        dg.Dual(0.5, [1.0, 0.0])
    OUTSIDE[op](d)                                 # no error (API.md: Dual(...) duals)


# ---- threads: each thread's calls are independent --------------------------------
def _share_across_threads(first):
    """Thread A runs a gradient whose f publishes its dual and waits; thread B runs
    a gradient whose f uses that dual while A's call still runs.  ``first``: which
    thread takes its tag first (so A's dual is older or newer than B's)."""
    shared, done, ready, results = {}, threading.Event(), threading.Event(), {}

    def a_thread():
        def f(x):
            shared["d"] = x
            ready.set()
            done.wait(10)
            return np.sum(x * x)
        results["a"] = dg.gradient(f, np.array([1.0, 2.0]))

    def b_thread():
        if first == "a":
            ready.wait(10)

        def g(y):
            if first == "b":
                ready.wait(10)
            return np.sum(y * shared["d"])
        try:
            results["b"] = dg.gradient(g, np.array([3.0, 4.0]))
        except TypeError as exc:
            results["b"] = exc
        finally:
            done.set()
    ta, tb = threading.Thread(target=a_thread), threading.Thread(target=b_thread)
    if first == "a":
        ta.start()
        tb.start()
    else:
        tb.start()
        import time
        time.sleep(0.05)             # b's gradient takes its tag, then waits in g
        ta.start()
    ta.join(20)
    tb.join(20)
    return results


@pytest.mark.parametrize("first", ["a", "b"])
def test_a_dual_of_another_threads_running_call_raises(first):
    """B returned a Dual (A's newer tag) or a value carrying A's directions (A's
    older tag read as an outer call's constant) instead of B's gradient."""
    results = _share_across_threads(first)
    assert isinstance(results["b"], TypeError)
    assert "another thread" in str(results["b"]) and "d.value" in str(results["b"])
    np.testing.assert_array_equal(results["a"], [2.0, 4.0])   # A is unaffected


def test_concurrent_calls_in_two_threads_are_independent_and_exact():
    barrier = threading.Barrier(2, timeout=10)
    results, errors = {}, []

    def work(name, x, w):
        def f(x):
            y = x * w
            barrier.wait()                   # both calls are running now
            for _ in range(20):
                y = np.sin(y) + x * w
            return np.sum(y * y)
        try:
            results[name] = (dg.gradient(f, x), dg.hessian(lambda z: np.sum(z ** 3 * w), x))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
            barrier.abort()
    x1, x2 = np.array([0.3, 0.7]), np.array([1.1, -0.4, 0.2])
    t1 = threading.Thread(target=work, args=("one", x1, 2.0))
    t2 = threading.Thread(target=work, args=("two", x2, -1.5))
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    assert not errors
    from dualgrad.testing import numerical_jacobian
    for name, x, w in (("one", x1, 2.0), ("two", x2, -1.5)):
        def f(x, w=w):
            y = x * w
            for _ in range(20):
                y = np.sin(y) + x * w
            return np.sum(y * y)
        np.testing.assert_allclose(results[name][0], numerical_jacobian(f, x), rtol=1e-7)
        np.testing.assert_allclose(results[name][1], np.diag(6 * x * w), rtol=1e-14)


def test_a_nested_call_with_an_executor_may_mix_the_outer_calls_duals():
    """The inner call's chunks run in pool threads; they take over the tags of the
    thread that submitted them, so the outer dual is a constant there as usual."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2) as pool:
        def outer(t):
            inner = dg.gradient(lambda y: np.sum(np.sin(y) * t), np.array([0.2, 0.5, 0.9]),
                                chunk=1, executor=pool)
            return np.sum(inner)
        got = dg.derivative(outer, 1.7)
    np.testing.assert_allclose(got, np.sum(np.cos([0.2, 0.5, 0.9])), rtol=1e-14)


# ---- copy and pickle ---------------------------------------------------------------------
def test_copy_and_deepcopy_of_duals_inside_a_helper():
    # Simulation code copies its state (copy.deepcopy of a dict of arrays); the copy
    # carries the derivatives and a write into it does not reach the original.
    import copy

    def f(x):
        state = {"u": x * 2, "s": x[0] * 3}
        st = copy.deepcopy(state)
        st["u"][0] = 100.0
        c = copy.copy(state["u"])
        return st["u"] + state["u"] + c * st["s"]
    x = np.array([1.0, 2.0, 3.0])
    # out_i = (100 if i == 0 else 2 x_i) + 2 x_i + 6 x_0 x_i
    want = np.diag(4 + 6 * x[0] * np.ones(3)) + np.outer(6 * x, [1, 0, 0])
    want[0, 0] = 2 + 12 * x[0]
    np.testing.assert_array_equal(dg.jacobian(f, x), want)


@pytest.mark.parametrize("value, partials", [(np.arange(3.0), np.ones((3, 2))),
                                             (1.5, np.array([1.0, 2.0]))])
def test_copy_and_pickle_of_a_dual_built_by_hand(value, partials):
    import copy
    import pickle
    d = dg.Dual(value, partials)
    for got in (copy.copy(d), copy.deepcopy(d), pickle.loads(pickle.dumps(d))):
        assert isinstance(got, dg.Dual)
        np.testing.assert_array_equal(got.value, value)
        np.testing.assert_array_equal(got.partials, partials)
    if np.ndim(value):
        c = copy.copy(d)
        c[0] = 7.0                       # an array dual's copy owns its arrays
        assert d.value[0] == value[0] and d.partials[0, 0] == partials[0, 0]


def test_pickling_a_dual_of_a_running_call_names_the_fix():
    import pickle
    seen = []

    def f(x):
        for d in (x, x[0]):
            with pytest.raises(TypeError, match="cannot be pickled.*d.value"):
                pickle.dumps(d)
            seen.append(1)
        return x
    with pytest.warns(dg.CaughtErrorWarning, match="cannot be pickled") as record:
        dg.jacobian(f, np.ones(2))      # f caught dualgrad's errors: the helper says so
    assert {w.filename for w in record} == {__file__}       # at this line, not dualgrad's
    assert len(seen) == 2
