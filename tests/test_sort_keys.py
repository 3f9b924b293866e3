"""np.sort's order from one sort of integer keys (rows10): the result is NumPy's stable
order (``argsort(kind="stable")``, the oracle; a run of equal values' partials their
mean, left42) for ties, -0.0 beside 0.0, infinities,
negative numbers, along every axis; values that share the keys' high bits and NaN
fall back to the checked argsort, with the same result."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _functions


def _values(kind, shape, seed):
    rng = np.random.default_rng(seed)
    v = rng.uniform(-2.0, 2.0, shape)
    if kind == "ties":
        v = np.round(v, 1)
    elif kind == "zeros":
        v = np.where(rng.uniform(size=shape) < 0.3, -0.0,
                     np.where(rng.uniform(size=shape) < 0.3, 0.0, v))
    elif kind == "inf":
        v[rng.uniform(size=shape) < 0.05] = np.inf
        v[rng.uniform(size=shape) < 0.05] = -np.inf
    elif kind == "ulps":                            # equal high bits, distinct values
        v = 1.0 + rng.integers(0, 4, shape) * 2.0 ** -52
        v[::3] *= -1.0
    elif kind == "nan":
        v[rng.uniform(size=shape) < 0.05] = np.nan
        v.flat[1] = -np.nan
    return v


def _oracle(v, p, axis):
    """NumPy's stable order of the values, and of the partials with each run of equal
    sorted values (-0.0 == 0.0; NaN never) given the run's mean (left42: ties split
    as np.max's, rules/_table.py TIES)."""
    axis %= v.ndim
    order = np.argsort(v, axis=axis, kind="stable")
    want_p = np.take_along_axis(p, np.expand_dims(order, -1), axis=axis)
    want_v = np.take_along_axis(v, order, axis=axis)
    sv, sp = np.moveaxis(want_v, axis, -1), np.moveaxis(want_p, axis, -2)
    for idx in np.ndindex(sv.shape[:-1]):
        row, rp = sv[idx], sp[idx]
        start = 0
        for k in range(1, len(row) + 1):
            if k == len(row) or not row[k] == row[k - 1]:
                if k - start > 1:
                    rp[start:k] = rp[start:k].sum(axis=0) / (k - start)
                start = k
    return want_v, want_p


KEYED = ["distinct", "ties", "zeros", "inf"]
FALLBACK = ["ulps", "nan"]


@pytest.mark.parametrize("kind", KEYED + FALLBACK)
@pytest.mark.parametrize("shape,axis", [((20000,), 0), ((20000,), None), ((300, 70), 0),
                                        ((300, 70), 1), ((7, 40, 9), 1), ((2,), -1)])
def test_sort_is_the_stable_order(kind, shape, axis, monkeypatch):
    v = _values(kind, shape, seed=len(shape) + (axis or 0))
    p = np.random.default_rng(1).standard_normal(shape + (3,))
    if kind in KEYED:                    # the keys must serve these: no fallback
        monkeypatch.setattr(_functions, "_stable_order", None)
    got = np.sort(dg.Dual(v, p), axis=axis)
    if axis is None:
        v, p, axis = v.ravel(), p.reshape(-1, 3), 0
    want_v, want_p = _oracle(v, p, axis)
    np.testing.assert_array_equal(got.value, want_v)
    # -0.0: a zero's sign is f's float call's, np.sort's (its vectorized sort turns some
    # -0.0 into 0.0, so not the stable order's: diff55 S1); other signs the order's
    signs = np.where(want_v == 0, np.signbit(np.sort(v, axis=axis)), np.signbit(want_v))
    np.testing.assert_array_equal(np.signbit(got.value), signs)
    # (a run's mean: the scan sums in another order than the oracle's loop)
    np.testing.assert_allclose(got.partials, want_p, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kind", FALLBACK)
def test_keys_decline_what_they_cannot_order(kind):
    assert _functions._keyed_order(_values(kind, (5000,), 0), 0) is None


def test_sort_jacobian_with_ties_in_a_helper():
    """Inside a helper: the Jacobian is the stable order's permutation matrix, each
    run of equal values' rows replaced by their mean."""
    v = _values("ties", (400,), 5)
    got = dg.jacobian(np.sort, v)
    _, want = _oracle(v, np.eye(400), 0)
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
