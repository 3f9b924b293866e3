"""The elements a helper's seed keeps while its one pass runs (dualgrad/dual/_array.py,
``keep_elements``): ``x[j]`` read again hands out the scalar dual built before, so
every way of changing ``x`` after a read must give the element a new read builds.

Each write test reads the elements first (so that they are kept), writes into ``x``
by one path, reads them again and returns both; the oracle is the closed form of
what the function computes (a kept element that survived the write would give the
derivative of the value before it).  The other tests check the kept elements against
closed forms and central differences where nothing is written: special values,
integer and float32 inputs, nested helper calls, threads, more directions than the
slot classes hold.
"""

import concurrent.futures
import types

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import dual
from _oracles import central

X0 = np.array([0.3, -1.2, 2.0])
A, B, C = X0
E = np.eye(3)


def _read_all(x):
    return [x[0], x[1], x[2]]


def test_a_read_element_is_handed_out_again_while_nothing_is_written():
    def f(x):
        first = x[1]
        assert x[1] is first and x[-2] is first     # kept
        assert dual.ELEMENTS                        # while the pass runs
        x[0] = 2.0 * x[2]
        assert x[1] is not first                    # a write drops them
        return x[1] * x[1]
    np.testing.assert_allclose(dg.jacobian(f, X0), [0.0, 2 * B, 0.0], rtol=1e-15)
    assert not dual.ELEMENTS                        # released when the pass ends


# Most writes keep every value and change partials: only the write path's hook can
# tell that a kept element is stale (x - X0 is exactly 0, x[2] / C exactly 1).
def _set_item(x):
    x[0] = x[0] + (x[1] - B)
    return [[1.0, 1.0, 0.0], E[1], E[2]], [A, B, C]


def _set_item_new_value(x):
    x[0] = x[1] * x[2]
    return [[0.0, C, B], E[1], E[2]], [B * C, B, C]


def _set_slice(x):
    x[1:] = x[1:] + (x[0] - A)
    return [E[0], E[0] + E[1], E[0] + E[2]], [A, B, C]


def _through_a_view(x):
    v = x[1:]
    v[0] = v[0] + (x[2] - C)
    return [E[0], E[1] + E[2], E[2]], [A, B, C]


def _through_a_reshaped_view(x):
    v = x.reshape(3, 1)
    v[2, 0] = x[2] + (x[0] - A)
    return [E[0], E[1], E[0] + E[2]], [A, B, C]


def _iadd(x):
    x += x - X0
    return [2 * E[0], 2 * E[1], 2 * E[2]], [A, B, C]


def _imul_view(x):
    v = x[:2]
    v *= x[2] / C
    return [[1.0, 0.0, A / C], [0.0, 1.0, B / C], E[2]], [A, B, C]


def _isub_dual_view(x):
    v = x[::2]
    v -= v - X0[::2]
    return [0 * E[0], E[1], 0 * E[2]], [A, B, C]


def _out(x):
    np.multiply(x, x[1] / B, out=x)
    return [E[i] + X0[i] / B * E[1] for i in range(3)], [A, B, C]


def _copyto(x):
    np.copyto(x, x + (x[0] - A))
    return [2 * E[0], E[1] + E[0], E[2] + E[0]], [A, B, C]


def _ufunc_at(x):
    np.add.at(x, [0, 0], x[1:] - X0[1:])
    return [[1.0, 1.0, 1.0], E[1], E[2]], [A, B, C]


def _clip_out(x):
    np.clip(x + (x[0] - A), -10.0, 10.0, out=x)
    return [2 * E[0], E[1] + E[0], E[2] + E[0]], [A, B, C]


def _fill(x):
    x.fill(x[2])
    return [E[2], E[2], E[2]], [C, C, C]


def _sort(x):
    x.sort()
    return [E[1], E[0], E[2]], [B, A, C]


def _flat(x):
    x.flat[1] = x[1] + (x[0] - A)
    return [E[0], E[0] + E[1], E[2]], [A, B, C]


def _value_by_hand(x):
    x.value[1] = 5.0              # a value written by hand: its partials stay
    return [E[0], E[1], E[2]], [A, 5.0, C]


def _value_through_a_view_by_hand(x):
    x[1:].value[1] = 7.0
    return [E[0], E[1], E[2]], [A, B, 7.0]


def _partials_by_hand(x):
    x.partials[0] = [0.0, 0.0, 2.0]
    return [[0.0, 0.0, 2.0], E[1], E[2]], [A, B, C]


def _partials_of_a_view_by_hand(x):
    q = x[1:].partials
    q[1] = [3.0, 0.0, 0.0]
    return [E[0], E[1], [3.0, 0.0, 0.0]], [A, B, C]


def _partials_by_a_library(x):
    lib = types.ModuleType("dualgrad_userlib")     # not dualgrad, whatever its name
    exec("def scale(d):\n    q = d.partials\n    q *= 2.0\n", lib.__dict__)
    lib.scale(x)
    return [2 * E[0], 2 * E[1], 2 * E[2]], [A, B, C]


WRITES = [_set_item, _set_item_new_value, _set_slice, _through_a_view,
          _through_a_reshaped_view, _iadd, _imul_view, _isub_dual_view, _out, _copyto,
          _ufunc_at, _clip_out, _fill, _sort,
          _flat, _value_by_hand, _value_through_a_view_by_hand, _partials_by_hand,
          _partials_of_a_view_by_hand, _partials_by_a_library]


BY_HAND = (_value_by_hand, _value_through_a_view_by_hand, _partials_by_hand,
           _partials_of_a_view_by_hand, _partials_by_a_library)


@pytest.mark.parametrize("write", WRITES)
def test_a_write_gives_new_elements(write):
    seen = {}

    def f(x):
        before = _read_all(x)
        seen["rows"], seen["values"] = write(x)
        after = _read_all(x)
        seen["got"] = [getattr(e, "value", e) for e in after]
        return np.array(before + after)

    J = dg.jacobian(f, X0)
    np.testing.assert_array_equal(J[:3], E)
    np.testing.assert_allclose(J[3:], np.array(seen["rows"], dtype=float),
                               rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(seen["got"], seen["values"], rtol=1e-15)
    if write not in BY_HAND:                 # the same function on floats
        np.testing.assert_allclose(f(X0.copy())[3:], seen["values"], rtol=1e-15)


def test_numba_code_writing_into_the_seed():
    numba = pytest.importorskip("numba")

    @numba.njit
    def scribble(a, v):
        a[1] = v                 # the same value, zero partials

    def f(x):
        before = x[1] * x[0]
        scribble(x, B)
        return np.array([before, x[1], x[0]])
    J = dg.jacobian(f, X0)
    np.testing.assert_allclose(J, [[B, A, 0.0], [0.0, 0.0, 0.0], E[0]], rtol=1e-15)


def bard_like(x):
    out = []
    for i in range(15):
        u, v = i + 1.0, 15.0 - i
        out.append(x[0] + u / (v * x[1] + min(u, v) * x[2]))
    return np.array(out)


def bard_jacobian(x):
    rows = []
    for i in range(15):
        u, v = i + 1.0, 15.0 - i
        d = v * x[1] + min(u, v) * x[2]
        rows.append([1.0, -u * v / d ** 2, -u * min(u, v) / d ** 2])
    return np.array(rows)


@pytest.mark.parametrize("x", [np.array([1.0, 1.0, 1.0]), np.array([1, 2, 3]),
                               np.array([1.0, 2.0, 3.0], dtype=np.float32), [1.0, 2.0, 3.0]])
def test_element_reads_match_the_closed_form_for_any_input_dtype(x):
    expect = bard_jacobian(np.asarray(x, dtype=float))
    np.testing.assert_allclose(dg.jacobian(bard_like, x), expect, rtol=1e-14)
    np.testing.assert_allclose(dg.jacobian(bard_like, x), central(
        bard_like, np.asarray(x, dtype=float)), rtol=1e-7)


def test_special_values_give_the_elements_numpy_gives():
    x = np.array([np.nan, 2.0, np.inf, -0.0])

    def f(x):
        a = x[0] * x[1]
        b = x[0] * x[1]                          # read again: NaN never equals itself
        return np.array([a, b, x[1] + x[2], 1.0 / x[3], 1.0 / x[3]])
    J = dg.jacobian(f, x)
    with np.errstate(divide="ignore"):
        expect = np.array([[2.0, np.nan, 0, 0], [2.0, np.nan, 0, 0], [0, 1.0, 1.0, 0],
                           [0, 0, 0, -np.inf], [0, 0, 0, -np.inf]])
    np.testing.assert_array_equal(J, expect)
    assert np.array_equal(dg.jacobian(lambda x: np.array([1.0 / x[3]]), x)[0],
                          [0, 0, 0, -np.inf])


def test_a_hessian_of_element_reads():
    def f(x):
        return x[0] * x[1] ** 2 + np.sin(x[2]) * x[0] + x[0] * x[0]
    H = dg.hessian(f, X0)
    expect = np.array([[2.0, 2 * B, np.cos(C)], [2 * B, 2 * A, 0.0],
                       [np.cos(C), 0.0, -np.sin(C) * A]])
    np.testing.assert_allclose(H, expect, rtol=1e-14, atol=1e-15)


def test_nested_helper_calls_keep_their_own_elements():
    y0 = np.array([0.5, 4.0])

    def inner(y):
        return y[0] * y[1] + y[0] * y[0]

    def f(x):
        a = x[0] * x[1]
        g = dg.gradient(inner, y0)                   # its own seed, its own pass
        y = np.zeros_like(x, shape=2)
        y[0] = x[2]                                  # a write into another dual
        return np.array([a, x[0] * g[0], x[1] * g[1], y[0], x[0]])
    J = dg.jacobian(f, X0)
    g0, g1 = y0[1] + 2 * y0[0], y0[0]
    np.testing.assert_allclose(J, [[B, A, 0.0], [g0, 0, 0], [0, g1, 0], E[2], E[0]],
                               rtol=1e-15)


def test_threads_writing_their_own_inputs():
    def f(x):
        a = x[0] * x[2]
        x[0] = x[1] * 3.0
        return np.array([a, x[0], x[2] * x[0]])

    points = [X0 + k for k in range(16)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda p: dg.jacobian(f, p), points))
    for p, J in zip(points, got):
        np.testing.assert_allclose(J, [[p[2], 0, p[0]], [0, 3.0, 0], [0, 3 * p[2], 3 * p[1]]],
                                   rtol=1e-15)


def test_more_directions_than_the_slot_classes_hold():
    x = np.linspace(0.5, 2.0, 20)

    def f(x):
        return np.array([x[i] * x[i + 1] for i in range(19)])
    J = dg.jacobian(f, x)
    expect = np.zeros((19, 20))
    expect[np.arange(19), np.arange(19)] = x[1:]
    expect[np.arange(19), np.arange(1, 20)] = x[:-1]
    np.testing.assert_allclose(J, expect, rtol=1e-15)
