"""Duals with different numbers of directions n never combine (attack12 12): scalar
duals zipped to the shorter partials and array duals broadcast n = 1 against n = 2,
a silently wrong derivative.  Each meeting raises ValueError naming both n.

Oracle: the definition of the dual product, d(ab) = a db + b da, which needs the
same directions on both sides; equal n keeps working (analytic values).
"""

import numpy as np
import pytest

import dualgrad as dg

N = 300_000     # above the fused engine's deferral threshold


def _array(n, size=2):
    return dg.Dual(np.ones(size), np.ones((size, n)))


CASES = {
    "scalar * scalar": lambda: dg.Dual(2.0, [1.0]) * dg.Dual(3.0, [1.0, 0.0]),
    "scalar + scalar": lambda: dg.Dual(2.0, [1.0]) + dg.Dual(3.0, [1.0, 2.0, 3.0]),
    "np.arctan2 scalars": lambda: np.arctan2(dg.Dual(1.0, [1.0]), dg.Dual(2.0, [1.0, 2.0])),
    "vector kind with slots": lambda: dg.Dual(1.0, np.ones(17)) * dg.Dual(2.0, [1.0]),
    # n > 16: one class for every n, so its operators compare the lengths themselves
    "vector kind * vector kind": lambda: dg.Dual(1.0, np.ones(20)) * dg.Dual(2.0, np.ones(17)),
    "vector kind - vector kind": lambda: dg.Dual(1.0, np.ones(17)) - dg.Dual(2.0, np.ones(18)),
    "vector kind ** vector kind": lambda: dg.Dual(1.0, np.ones(20)) ** dg.Dual(2.0, np.ones(17)),
    "np.hypot vector kinds": lambda: np.hypot(dg.Dual(1.0, np.ones(20)), dg.Dual(2.0, np.ones(17))),
    "np.maximum vector kinds": lambda: np.maximum(dg.Dual(1.0, np.ones(20)),
                                                  dg.Dual(2.0, np.ones(17))),
    "array * array": lambda: _array(1) * _array(2),
    "array + array, large": lambda: _array(3, N) + _array(2, N),
    "sin(array) * array, large": lambda: np.sin(_array(1, N)) * _array(2, N),
    "scalar * array": lambda: dg.Dual(2.0, [1.0]) * _array(2),
    "array * scalar": lambda: _array(1) * dg.Dual(2.0, [1.0, 0.0]),
    "np.stack": lambda: np.stack([_array(1), _array(2)]),
    "np.concatenate": lambda: np.concatenate([_array(1), _array(2)]),
    "np.where": lambda: np.where(np.array([True, False]), _array(1), _array(2)),
    "matmul": lambda: dg.Dual(np.ones((2, 2)), np.ones((2, 2, 1))) @
    dg.Dual(np.ones((2, 2)), np.ones((2, 2, 2))),
    "object array sum": lambda: np.sum(np.array([dg.Dual(1.0, [1.0]),
                                                 dg.Dual(2.0, [1.0, 0.0])])),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
@pytest.mark.engine_independent
def test_mismatched_directions_raise(case):
    with pytest.raises(ValueError, match=r"direction.*Fix"):
        CASES[case]()


@pytest.mark.parametrize("make_item", [
    lambda: dg.Dual(5.0, [7.0]), lambda: _array(1),
    lambda: [dg.Dual(1.0, [1.0]), dg.Dual(2.0, [1.0])]])
def test_item_assignment_never_broadcasts_partials(make_item):
    x = dg.Dual(np.ones(3), np.ones((3, 2)))
    index = 0 if isinstance(make_item(), dg.Dual) and np.ndim(make_item().value) == 0 \
        else slice(0, 2)
    with pytest.raises(ValueError, match=r"2 direction.*1 direction"):
        x[index] = make_item()
    np.testing.assert_array_equal(x.partials, 1.0)          # nothing written


def test_same_directions_still_combine():
    a, b = dg.Dual(2.0, [1.0, 0.0]), dg.Dual(3.0, [0.0, 1.0])
    p = a * b
    assert p.value == 6.0 and list(p.partials) == [3.0, 2.0]      # (b, a)
    x = dg.Dual(np.array([1.0, 2.0]), np.array([[1.0, 0.0], [0.0, 1.0]]))
    np.testing.assert_array_equal((x * a).partials, [[3.0, 0.0], [2.0, 2.0]])   # a dx + x da
    y = dg.Dual(np.ones(3), np.ones((3, 2)))
    y[0] = dg.Dual(5.0, [7.0, 8.0])
    np.testing.assert_array_equal(y.partials[0], [7.0, 8.0])
    assert np.stack([x, x]).partials.shape == (2, 2, 2)
    # the vector kind (n > 16) with equal lengths: d(ab) = a db + b da, d hypot = (a da + b db) / h
    da, db = np.arange(20.0), np.arange(20.0)[::-1].copy()
    u, v = dg.Dual(3.0, da), dg.Dual(4.0, db)
    np.testing.assert_array_equal((u * v).partials, 3.0 * db + 4.0 * da)
    np.testing.assert_allclose(np.hypot(u, v).partials, (3.0 * da + 4.0 * db) / 5.0, rtol=1e-15)
