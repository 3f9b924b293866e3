"""NumPy's side of propagation (dualgrad.backend._propagate): a direction at a time
where the directions are few, the same IEEE products as one broadcast multiply."""

import numpy as np
import pytest

from dualgrad.backend import _propagate

ROWS = 1 << 13          # x n >= _COLUMNS_FROM: the column form runs


def _factor(rng, shape, special):
    f = rng.normal(size=shape)
    if special:
        f.flat[::7] = np.inf
        f.flat[3::11] = np.nan
        f.flat[5::13] = -0.0
    return f


@pytest.mark.parametrize("n", [2, 3, 4, 5])
@pytest.mark.parametrize("special", [False, True])
@pytest.mark.parametrize("form", ["same", "row", "broadcast"])
def test_scaled_equals_the_broadcast_product_bit_for_bit(n, special, form):
    rng = np.random.default_rng(n)
    f = _factor(rng, (4, ROWS // 2), special)
    p = {"same": rng.normal(size=(4, ROWS // 2, n)),
         "row": rng.normal(size=n),
         "broadcast": rng.normal(size=(1, ROWS // 2, n))}[form]
    p[..., 0] = 0.0                                   # a zero partial stays 0 where f is not finite
    assert _propagate._by_columns(f, p) == (n <= _propagate._COLUMNS)
    got = _propagate.scaled(f, p)
    want = f[..., None] * p
    # (beside a finite f the product's own signed zero, IEEE float code's: power71)
    want = np.where((p == 0.0) & np.isnan(want), 0.0, want) if special else want
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("n", [2, 4])
def test_combine_leaves_its_sources_alone(n):
    rng = np.random.default_rng(0)
    p, q = rng.normal(size=(ROWS, n)), rng.normal(size=(ROWS, n))
    p0, q0 = p.copy(), q.copy()
    f = rng.normal(size=ROWS)
    for factors in ([1.0, f], [f, 1.0], [f, f + 1.0]):
        got = _propagate.combine(factors, [p, q], (ROWS,), n)
        want = sum(np.asarray(c)[..., None] * r if np.ndim(c) else c * r
                   for c, r in zip(factors, [p0, q0]))
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)
        np.testing.assert_array_equal(p, p0)
        np.testing.assert_array_equal(q, q0)


@pytest.mark.parametrize("n", [2, 4, 8])
def test_a_row_of_partials_broadcast_down(n):
    row = np.arange(1.0, n + 1)
    got = _propagate._broadcast(row, (ROWS, 3, n))
    np.testing.assert_array_equal(got, np.broadcast_to(row, (ROWS, 3, n)))


@pytest.mark.parametrize("special", [False, True])
def test_terms_of_rows_equal_the_broadcast_sum_bit_for_bit(special):
    """Terms that are each a factor of the value's shape times a row of ``n > 4``
    partials (an elementwise gradient's seeds: unit rows times probe codes) are summed
    a direction at a time from the rows' nonzero entries: the same numbers as the
    broadcast products summed in order (the zero rule: a zero entry adds 0 even where
    the factor is not finite), zeros' signs included."""
    rng = np.random.default_rng(7)
    shape, n = (4, ROWS // 2), 9
    factors = [1.0, -2.0, _factor(rng, shape, special), _factor(rng, shape, special), -0.0]
    factors[2].flat[::5] = 0.0
    factors[3].flat[1::5] = -0.0
    rows = [np.zeros(n) for _ in factors]
    rows[0][0] = 1.0
    rows[1][[1, 4]] = [0.5, -3.0]
    rows[2][[1, 2, 8]] = [1.0, -0.0, 2.0 ** -40]
    rows[3][[2, 3]] = [-1.0, 4.0]
    rows[4][5] = 1.0                   # -0.0 * 1.0: a zero total whose sign the others set
    rows[0][[5, 7]] = -0.0             # 7: zero terms only, of both signs
    rows[3][6] = -0.0
    target = shape + (n,)
    assert _propagate._row_terms(factors, rows, target)
    got = _propagate.combine(factors, rows, shape, n)
    want = None
    for f, row in zip(factors, rows):
        term = (f[..., None] if np.ndim(f) else f) * row
        if not np.all(np.isfinite(f)):
            term = np.where(row == 0.0, 0.0, term)
        want = term if want is None else want + term
    assert got.shape == target
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))
    for f, row in zip(factors, rows):           # the sources are not written
        assert np.ndim(f) == 0 or not np.shares_memory(got, f)
