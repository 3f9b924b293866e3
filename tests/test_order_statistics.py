"""np.sort and the quantiles pass on the partials of the elements that NumPy's stable
sort puts at each position; a run of equal values (ties: -0.0 and 0.0 among them)
gives each of its positions the mean of their partials (left42: rules/_table.py TIES,
the midpoint of the one-sided derivatives, as np.max; the first in the original
order alone, asserted here before, was one side's derivative).  The fast paths (an
unstable sort checked for ties, one argpartition for the quantiles) must pick the
same elements.  Oracle: NumPy's own ``argsort(kind="stable")`` on the floats, the
runs of equal sorted values averaged, and the linear interpolation weights.  The
quantiles (np.quantile / percentile / median, one argpartition) give a tied order
statistic the mean of the elements equal to it, as np.sort (quant43; the stable
order's element alone, asserted here before, was one side's derivative)."""

import numpy as np
import pytest

import dualgrad as dg


def _ties(shape, seed):
    x = np.random.default_rng(seed).integers(-3, 4, shape).astype(float)
    x[x == 0] = np.where(np.arange(np.sum(x == 0)) % 2, -0.0, 0.0)    # -0.0 == 0.0 ties
    return x


def _averaged(slots, values):
    """``slots`` (one row per sorted position, along the first axis) with each run of
    equal ``values`` (sorted; NaN never equal) replaced by the run's mean row."""
    slots = slots.copy()
    start = 0
    for k in range(1, len(values) + 1):
        if k == len(values) or not values[k] == values[k - 1]:
            slots[start:k] = slots[start:k].mean(axis=0)
            start = k
    return slots


def _sort_oracle(x, axis):
    """The Jacobian of np.sort(x, axis): 1 where the stable order takes the element,
    a run of equal values the mean of its elements' rows."""
    order = np.argsort(x, axis=axis, kind="stable")
    eye = np.eye(x.size).reshape(x.shape + x.shape)
    J = np.take_along_axis(eye, order.reshape(order.shape + (1,) * x.ndim),
                           axis=axis % x.ndim)
    ax = axis % x.ndim
    Jm = np.moveaxis(J, ax, 0)
    sv = np.moveaxis(np.sort(x, axis=ax), ax, 0)
    for idx in np.ndindex(sv.shape[1:]):
        Jm[(slice(None),) + idx] = _averaged(Jm[(slice(None),) + idx], sv[(slice(None),) + idx])
    return J


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("case", ["ties", "distinct", "nan"])
def test_sort_takes_the_stable_orders_elements(axis, case):
    x = _ties((6, 40), 1) if case == "ties" else \
        np.random.default_rng(2).standard_normal((6, 40))
    if case == "nan":
        x[2, 5] = x[4, 0] = x[4, 7] = np.nan
    got = dg.jacobian(lambda a: np.sort(a, axis=axis), x)
    np.testing.assert_array_equal(got, _sort_oracle(x, axis))


def _quantile_oracle(x, q, axis):
    """The Jacobian of np.quantile(x, q, axis) (linear method) from the stable order,
    each order statistic's weight spread evenly over the elements equal to it."""
    xm = np.moveaxis(x, axis, -1)
    n = xm.shape[-1]
    order = np.argsort(xm, axis=-1, kind="stable")
    pos = q * (n - 1)
    lo, frac = int(np.floor(pos)), pos - np.floor(pos)
    hi = min(lo + 1, n - 1)
    rows = xm.reshape(-1, n)
    J = np.zeros((rows.shape[0], rows.shape[0], n))
    for r in range(rows.shape[0]):
        o = order.reshape(-1, n)[r]
        if np.isnan(rows[r]).any():
            continue                        # NaN result: a constant
        for rank, weight in ((lo, 1.0 - frac), (hi, frac)):
            equal = rows[r] == rows[r][o[rank]]
            J[r, r, equal] += weight / np.sum(equal)
    J = J.reshape(xm.shape[:-1] + xm.shape[:-1] + (n,))
    return np.moveaxis(J, -1, len(xm.shape[:-1]) + (axis % x.ndim))


@pytest.mark.parametrize("q", [0.5, 0.1, 0.75, 1.0, 0.0])
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("case", ["ties", "distinct", "nan"])
def test_quantiles_split_ties_as_sort(q, axis, case):
    x = _ties((5, 40), 3) if case == "ties" else \
        np.random.default_rng(4).standard_normal((5, 40))
    if case == "nan":
        x[1, 3] = x[0, 0] = np.nan
    got = dg.jacobian(lambda a: np.quantile(a, q, axis=axis), x)
    np.testing.assert_allclose(got, _quantile_oracle(x, q, axis), rtol=1e-15, atol=0)
    with np.errstate(invalid="ignore"):
        out, _ = dg.jvp(lambda a: np.quantile(a, q, axis=axis), x, np.ones_like(x))
    np.testing.assert_array_equal(out, np.quantile(x, q, axis=axis))


def test_median_of_an_even_count_with_ties_between_the_middle_two():
    x = np.array([3.0, 1.0, 2.0, 2.0, 5.0, 2.0])     # sorted 1 2 2 2 3 5: ranks 2, 3
    got = dg.gradient(np.median, x)
    np.testing.assert_array_equal(got, [0.0, 0.0, 1 / 3, 1 / 3, 0.0, 1 / 3])


@pytest.mark.parametrize("axis", [None, 0, 1])
@pytest.mark.parametrize("cols", [40, 41])
def test_median_and_quantile_values_are_numpys(axis, cols):
    # np.median: the mean of the middle two; np.quantile: NumPy's _lerp, from the upper
    # neighbour for weights >= 1/2 (the lower-neighbour formula was 1 ulp off)
    x = np.random.default_rng(6).standard_normal((5, cols))
    d = dg.Dual(x, np.ones(x.shape + (1,)))
    assert np.array_equal(np.median(d, axis=axis).value, np.median(x, axis=axis))
    for q in (0.5, 0.3, 0.8, [0.2, 0.5, 0.9]):
        assert np.array_equal(np.quantile(d, q, axis=axis).value,
                              np.quantile(x, q, axis=axis))


def test_median_of_nothing_is_numpys_nan_with_its_warning():
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
        got = np.median(dg.Dual(np.array([]), np.ones((0, 2))))
    assert np.isnan(got.value)
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
        got = np.median(dg.Dual(np.ones((0, 3)), np.ones((0, 3, 1))), axis=0)
    assert got.value.shape == (3,) and np.isnan(got.value).all()


@pytest.mark.parametrize("q", [np.nan, -0.1, 1.5, [0.2, np.nan]])
def test_quantile_out_of_range_names_the_range_like_numpy(q):
    x = dg.Dual(np.array([1.0, 3.0, 2.0]), np.eye(3))
    with pytest.raises(ValueError, match=r"Quantiles must be in the range \[0, 1\]"):
        np.quantile(np.array([1.0, 3.0, 2.0]), q)
    with pytest.raises(ValueError, match=r"Quantiles must be in the range \[0, 1\]"):
        np.quantile(x, q)


@pytest.mark.parametrize("kwargs", [{"axis": (0, 2)}, {"axis": (2, 0), "keepdims": True},
                                    {"axis": (0, 1, 2)}, {"axis": (-1, 1), "keepdims": True}])
@pytest.mark.parametrize("func", [np.median, lambda a, **k: np.quantile(a, [0.3, 0.8], **k),
                                  lambda a, **k: np.percentile(a, 40, **k)])
def test_quantiles_over_several_axes_are_numpys(func, kwargs):
    # NumPy merges the axes into one; values as its float run, the Jacobian as
    # central differences (distinct values: no tie moves under the step)
    from dualgrad.testing import numerical_jacobian
    x0 = np.random.default_rng(1).uniform(size=(2, 3, 4))

    def f(a):
        return func(a, **kwargs)
    np.testing.assert_array_equal(f(dg.Dual(x0, np.ones(x0.shape + (1,)))).value, f(x0))
    np.testing.assert_allclose(dg.jacobian(f, x0), numerical_jacobian(f, x0, h=1e-6),
                               rtol=1e-7, atol=1e-8)
