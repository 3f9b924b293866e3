"""Gathers of large partials (fancy indexing with an integer array, ``np.take``,
``np.take_along_axis`` and ``np.sort``, which gathers through it): one ``np.take`` of
each element's row of partials (``backend.take``, ``backend.take_along``), with the
indices checked on the value first.

Oracle: a gather is linear, so its partial in direction k is the same gather of the
k-th partials, computed here with plain NumPy on the float arrays, direction by
direction.  Sizes put the partials above the buffer pool's threshold, where the
results are written into pooled buffers.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual._base import new_tag

RNG = np.random.default_rng(11)
n = 4


def _dual(shape, complex_=False):
    v = RNG.standard_normal(shape)
    p = RNG.standard_normal(shape + (n,))
    if complex_:
        p = p + 1j * RNG.standard_normal(shape + (n,))
    return dg.Dual(v, p, tag=new_tag())


def _by_direction(func, d):
    return np.stack([func(d.partials[..., k]) for k in range(n)], axis=-1)


def _check(func, d):
    got = func(d)
    np.testing.assert_array_equal(got.value, func(d.value))
    expected = _by_direction(func, d)
    assert got.partials.shape == expected.shape
    np.testing.assert_array_equal(got.partials, expected)
    return got


N = 20_000
IDX = RNG.integers(-N, N, N)                       # negative indices too


@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("index", [
    IDX, IDX.astype(np.uint32) % N, IDX.reshape(100, 200), list(IDX[:50]),
    np.array([], dtype=np.int64)], ids=["int", "uint", "2-D", "list", "empty"])
def test_fancy_indexing_gathers_every_direction(index, complex_):
    d = _dual((N,), complex_)
    _check(lambda a: a[index], d)


def test_fancy_indexing_of_a_matrix_gathers_its_rows():
    d = _dual((300, 70))
    _check(lambda a: a[np.array([-1, 0, 5, 5, 299, -300])], d)
    _check(lambda a: a[[3, 1]], d)


@pytest.mark.parametrize("mode", ["raise", "wrap", "clip"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.engine_independent
def test_take_gathers_every_direction(mode, axis):
    d = _dual((150, 140))
    size = 150 * 140 if axis is None else d.shape[axis]
    lo, hi = (-size, size) if mode == "raise" else (-3 * size, 3 * size)
    idx = RNG.integers(lo, hi, (60, 7))
    got = np.take(d, idx, axis=axis, mode=mode)
    np.testing.assert_array_equal(got.value, np.take(d.value, idx, axis=axis, mode=mode))
    ax = None if axis is None else axis % 2
    expected = np.stack([np.take(d.partials[..., k], idx, axis=ax, mode=mode)
                         for k in range(n)], axis=-1)
    np.testing.assert_array_equal(got.partials, expected)


@pytest.mark.parametrize("axis", [0, 1, -1, -2])
@pytest.mark.parametrize("index_shape", ["full", "broadcast", "longer"])
def test_take_along_axis_gathers_every_direction(axis, index_shape):
    d = _dual((120, 90))
    ax = axis % 2
    shape = {"full": (120, 90),
             "broadcast": (120, 1) if ax == 1 else (1, 90),
             "longer": (240, 90) if ax == 0 else (120, 180)}[index_shape]
    idx = RNG.integers(-d.shape[ax], d.shape[ax], shape)
    _check(lambda a: np.take_along_axis(a, idx, axis=axis), d)


def test_take_along_axis_broadcasts_an_array_of_one_row():
    d = _dual((1, 20_000))
    idx = RNG.integers(0, 20_000, (3, 20_000))
    _check(lambda a: np.take_along_axis(a, idx, axis=1), d)


def test_take_along_axis_of_a_transposed_dual():
    d = _dual((200, 150))
    idx = RNG.integers(0, 200, (150, 200))
    _check(lambda a: np.take_along_axis(np.transpose(a), idx, axis=1), d)


@pytest.mark.parametrize("axis", [0, 1, None])
def test_sort_of_large_arrays_gathers_the_stable_orders_rows(axis):
    d = _dual((200, 150))
    got = np.sort(d, axis=axis)
    v = d.value if axis is not None else d.value.ravel()
    order = np.argsort(v, axis=0 if axis is None else axis, kind="stable")
    p = d.partials if axis is not None else d.partials.reshape(-1, n)
    expected = np.stack([np.take_along_axis(p[..., k], order, axis=0 if axis is None else axis)
                         for k in range(n)], axis=-1)
    np.testing.assert_array_equal(got.partials, expected)


@pytest.mark.parametrize("call", [
    lambda a: a[np.array([0, 5, 200])],
    lambda a: a[np.array([-201])],
    lambda a: np.take(a, [3, 200], axis=0),
    lambda a: np.take_along_axis(a, np.array([[0, 200]] * 200), axis=0),
    lambda a: np.take_along_axis(a, np.array([[-201]] * 3), axis=1),
], ids=["index", "negative index", "take", "take_along_axis", "negative take_along_axis"])
def test_an_index_out_of_range_raises_as_numpy_does(call):
    d = _dual((200, 200))
    with pytest.raises(IndexError):
        call(d)
    with pytest.raises(IndexError):
        call(d.value)


def test_a_gather_inside_a_helper_is_exact():
    idx = RNG.integers(-N, N, N)

    def f(x):
        return np.sum(np.take_along_axis(x, np.argsort(x.value if isinstance(x, dg.Dual)
                                                       else x), axis=0)[idx] ** 2)

    x = RNG.standard_normal(N)
    g = dg.grad(f)(x)
    counts = np.bincount(np.argsort(x)[idx % N], minlength=N)
    np.testing.assert_allclose(g, 2.0 * x * counts, rtol=1e-14)
