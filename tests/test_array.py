"""Array duals behave like ndarrays: shape, indexing, in-place work, conversions."""

import numpy as np
import pytest

import dualgrad as dg


@pytest.fixture
def a():
    return dg.Dual(np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(2, 3, 2))


def test_shape_attributes(a):
    assert a.shape == (2, 3) and a.ndim == 2 and a.size == 6 and len(a) == 2
    assert a.T.shape == (3, 2)
    np.testing.assert_array_equal(a.T.partials, np.transpose(a.partials, (1, 0, 2)))
    assert isinstance(a, dg.Dual) and isinstance(a[0, 0], dg.Dual)


@pytest.mark.parametrize("index", [0, (1, 2), (slice(None), 1), (Ellipsis, 0), (None, 1),
                                   [1, 0], (np.array([0, 1]), np.array([2, 0])),
                                   np.array([[True, False, True], [False, True, False]])])
def test_indexing_takes_value_and_partials_alike(a, index):
    got = a[index]
    np.testing.assert_array_equal(np.asarray(got.value), a.value[index])
    for k in range(2):
        np.testing.assert_array_equal(np.asarray(got.partials)[..., k],
                                      a.partials[..., k][index])


def test_full_index_gives_a_scalar_dual(a):
    s = a[1, 2]
    assert s.ndim == 0 and isinstance(s.value, float)
    assert s.value == 5.0 and list(s.partials) == [10.0, 11.0]


def test_item_assignment_of_floats_and_duals(a):
    b = a.copy()
    b[0, 0] = 7.0
    assert b.value[0, 0] == 7.0 and list(b.partials[0, 0]) == [0.0, 0.0]
    b[1] = a[0] * 2
    np.testing.assert_array_equal(b.partials[1], 2 * a.partials[0])
    b[:, 1] = a[0, 0]
    np.testing.assert_array_equal(b.partials[:, 1], [a.partials[0, 0]] * 2)
    mask = a.value > 2
    b[mask] = -a[mask]
    np.testing.assert_array_equal(b.partials[mask], -a.partials[mask])
    # the original is untouched by work on its copy
    np.testing.assert_array_equal(a.value, np.arange(6.0).reshape(2, 3))


def test_in_place_operators_write_through_views(a):
    b = a.copy()
    b[:, 1:] += b[:, :-1] * 2.0
    want = a.copy()
    want_v = a.value.copy()
    want_v[:, 1:] += a.value[:, :-1] * 2.0
    np.testing.assert_array_equal(b.value, want_v)
    np.testing.assert_array_equal(b.partials[:, 1:], a.partials[:, 1:] + 2 * a.partials[:, :-1])
    view = b[0]
    view *= 3.0
    np.testing.assert_array_equal(b.partials[0], 3 * (a.partials[0] + np.concatenate(
        [np.zeros((1, 2)), 2 * a.partials[0, :-1]])))
    assert want.shape == (2, 3)


def test_ufunc_out_argument(a):
    out = np.zeros_like(a)
    res = np.multiply(a, a, out=out)
    assert res is out
    np.testing.assert_array_equal(out.partials, 2 * a.value[..., None] * a.partials)


def test_iteration_and_unpacking(a):
    first, second = a
    np.testing.assert_array_equal(second.partials, a.partials[1])
    assert [float(np.sum(row.value)) for row in a] == [3.0, 12.0]


def test_comparisons_give_plain_bools(a):
    assert (a > 2).dtype == bool and not isinstance(a > 2, dg.Dual)
    np.testing.assert_array_equal(a >= a[0, 1], a.value >= 1.0)
    s = a[0, 1]
    assert (s < 2) is True and (s == 1.0) is True
    if s > 0:
        pass
    else:
        pytest.fail("if on a dual compares values")


def test_object_array_of_scalar_duals(a):
    objs = np.array([a[0, 0], a[0, 1] * 2])
    assert objs.dtype == object
    out = np.sin(objs) + a[1, :2]
    np.testing.assert_allclose(out.value, np.sin([0.0, 2.0]) + [3.0, 4.0])
    np.testing.assert_allclose(np.asarray(a).shape, (2, 3))


def test_methods(a):
    np.testing.assert_array_equal(a.sum(axis=0).partials, a.partials.sum(axis=0))
    np.testing.assert_array_equal(a.mean().partials, a.partials.mean(axis=(0, 1)))
    np.testing.assert_array_equal(a.reshape(3, 2).partials, a.partials.reshape(3, 2, 2))
    np.testing.assert_array_equal(a.reshape((6,)).value, np.arange(6.0))
    np.testing.assert_array_equal(a.dot(np.ones(3)).partials, a.partials.sum(axis=1))
    assert a.max().value == 5.0 and a.min().value == 0.0


def test_repr_is_readable(a):
    assert repr(a[0, 1]) == "Dual(1.0, [2.0, 3.0])"
    assert repr(a).startswith("Dual(array(")


def test_ufunc_reduce_accumulate_outer(a):
    np.testing.assert_array_equal(np.add.reduce(a, axis=1).partials, a.partials.sum(axis=1))
    np.testing.assert_array_equal(np.multiply.reduce(a[1]).value, 60.0)
    np.testing.assert_array_equal(np.add.accumulate(a, axis=1).partials,
                                  np.cumsum(a.partials, axis=1))
    o = np.multiply.outer(a[0], a[1])
    assert o.shape == (3, 3)
    np.testing.assert_array_equal(o.partials[1, 2], a.value[1, 2] * a.partials[0, 1] +
                                  a.value[0, 1] * a.partials[1, 2])


def test_clip_into_out_updates_the_dual_in_place():
    def f(x):
        u = x * 2.0
        np.clip(u, 1.0, 3.0, out=u)
        return u
    x = np.array([0.2, 0.9, 2.0])
    np.testing.assert_array_equal(dg.jacobian(f, x), np.diag([0.0, 2.0, 0.0]))
    np.testing.assert_array_equal(dg.jvp(f, x, np.ones(3))[0], [1.0, 1.8, 3.0])


@pytest.mark.parametrize("n", [4, 40])
def test_scalars_taken_from_an_array_dual_are_snapshots(n):
    """Slot kind (n <= 16) and vector kind alike: a later write into the array
    changes neither the value nor the partials of an element taken before."""
    x = dg.Dual(np.arange(3.0), np.ones((3, n)))
    first, objects = x[0], np.asarray(x)
    x[0] = x[1] * 5.0
    for s in (first, objects[0]):
        assert s.value == 0.0 and np.array_equal(s.partials, np.ones(n))
