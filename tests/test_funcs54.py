"""Issue 13's function rows at N = 1e5, n = 4 made cheaper (stop 54, funcs54): each
change keeps the numbers, checked here against oracles that are not dualgrad's.

* ``np.clip`` between two numbers: the derivative is 1 strictly inside, 0 outside or
  where the bounds are equal (the result is then the constant bound), 1/2 at a bound
  (the midpoint of the one-sided derivatives, rules/_table.py's ties), and a NaN keeps
  its partials; the value is NumPy's clip of the values.  Written out per element
  here from those cases.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual import make_array, new_tag

ENGINES = ["eager", "fused"]
rng = np.random.default_rng(54)


def _clip_oracle(v, p, lo, hi):
    """The partials of clip(v, lo, hi) element by element from the cases above."""
    out = np.empty_like(p)
    for i, x in enumerate(v):
        if x != x:
            f = 1.0
        elif lo == hi or x < lo or x > hi:
            f = 0.0
        elif x == lo or x == hi:
            f = 0.5
        else:
            f = 1.0
        out[i] = f * p[i] if f != 0.0 else 0.0
    return out


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("bounds", [(-0.5, 0.5), (0.25, 0.25), (-np.inf, 0.0),
                                    (0.0, np.inf), (0.5, -0.5)])
@pytest.mark.parametrize("size, n", [(7, 4), (70_000, 4), (70_000, 3)])
@pytest.mark.parametrize("ties", [True, False])
def test_clip_between_numbers_against_the_cases(engine, bounds, size, n, ties):
    """Without ties the backend's one kernel pass runs (at 70 000 x n); with them the
    NumPy lines."""
    lo, hi = bounds
    v = rng.uniform(-1.0, 1.0, size)
    if ties:
        v[::97] = lo if np.isfinite(lo) else 0.0          # exact ties with each bound
        v[5::101] = hi if np.isfinite(hi) else 0.0
    v[3::89] = np.nan
    v[4::83] = np.inf
    p = rng.standard_normal((size, n))
    with dg.engine(engine):
        got = np.clip(make_array(v.copy(), p.copy(), new_tag()), lo, hi)
        value, partials = np.asarray(got.value), np.asarray(got.partials)
    with np.errstate(invalid="ignore"):
        want = np.clip(v, lo, hi)
    assert np.array_equal(value, want, equal_nan=True)
    assert value.tobytes() == want.tobytes()
    assert partials.tobytes() == _clip_oracle(v, p, lo, hi).tobytes()


def _product_oracle(A, dA, c, dc):
    """``d(A @ c) = dA @ c + A @ dc`` direction by direction, plain float64."""
    return np.stack([dA[..., j] @ c + A @ dc[..., j] for j in range(dA.shape[-1])], axis=-1)


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("m", [5, 300])
@pytest.mark.parametrize("which", ["both", "matrix", "column"])
def test_product_with_a_column_against_the_linear_formula(engine, m, which):
    """``A @ c`` with ``c`` a column ``(m, 1)`` (np.linalg.multi_dot's last vector made
    2-D): the matrix-vector kernel's partials, exact to rounding; the value NumPy's."""
    tag = new_tag()
    A, c = rng.uniform(-1, 1, (m, m)), rng.uniform(-1, 1, (m, 1))
    dA = rng.standard_normal((m, m, 4)) if which != "column" else np.zeros((m, m, 4))
    dc = rng.standard_normal((m, 1, 4)) if which != "matrix" else np.zeros((m, 1, 4))
    a = make_array(A, dA, tag) if which != "column" else A
    b = make_array(c, dc, tag) if which != "matrix" else c
    with dg.engine(engine):
        for got in (np.dot(a, b), a @ b, np.matmul(a, b)):
            assert np.asarray(got.value).tobytes() == (A @ c).tobytes()
            np.testing.assert_allclose(np.asarray(got.partials), _product_oracle(A, dA, c, dc),
                                       rtol=1e-12, atol=1e-12 * m)
        x = rng.uniform(-1, 1, m)
        dx = rng.standard_normal((m, 4))
        got = np.linalg.multi_dot([make_array(A, dA, tag), make_array(A, dA, tag),
                                   make_array(x, dx, tag)])
        inner = A @ x
        dinner = _product_oracle(A, dA, x, dx)
        assert np.asarray(got.value).tobytes() == np.linalg.multi_dot([A, A, x]).tobytes()
        np.testing.assert_allclose(np.asarray(got.partials),
                                   _product_oracle(A, dA, inner, dinner),
                                   rtol=1e-11, atol=1e-11 * m * m)


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("size, n", [(9, 4), (70_000, 4), (70_000, 3), (50_000, 7)])
@pytest.mark.parametrize("dtype, minlength", [(np.intp, 0), (np.int32, 0), (np.intp, 90_000)])
def test_bincount_weights_against_numpy_per_direction(engine, size, n, dtype, minlength):
    """``np.bincount(x, weights=w)``: each direction's partials are NumPy's bincount of
    that direction's weights, bit for bit (the same sums in the same order)."""
    x = rng.integers(0, max(2, size // 3), size).astype(dtype)
    w, p = rng.standard_normal(size), rng.standard_normal((size, n))
    p[::7] = -0.0
    with dg.engine(engine):
        got = np.bincount(x, weights=make_array(w, p, new_tag()), minlength=minlength)
        value, partials = np.asarray(got.value), np.asarray(got.partials)
    assert value.tobytes() == np.bincount(x, w, minlength).tobytes()
    want = np.stack([np.bincount(x, np.ascontiguousarray(p[:, k]), minlength)
                     for k in range(n)], axis=-1)
    assert partials.shape == want.shape
    assert partials.tobytes() == want.tobytes()


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("shape, new_shape, transposed", [
    ((60_000,), 150_000, False), ((60_000,), (7, 20_000), False), ((300, 200), 100_001, True),
    ((60_000,), 1000, False), ((5,), 12, False), ((60_000,), 0, False), ((3,), 100_000, False)])
def test_resize_against_numpy_per_direction(engine, shape, new_shape, transposed):
    """``np.resize``: each direction's partials are NumPy's resize of that direction
    (the flattened elements repeated cyclically), bit for bit."""
    v, p = rng.standard_normal(shape), rng.standard_normal(shape + (4,))
    d = make_array(v, p, new_tag())
    if transposed:
        d, v, p = d.T, v.T, np.moveaxis(p, 0, 1)
    with dg.engine(engine):
        got = np.resize(d, new_shape)
        value, partials = np.asarray(got.value), np.asarray(got.partials)
    assert value.tobytes() == np.resize(v, new_shape).tobytes()
    want = np.stack([np.resize(p[..., k], new_shape) for k in range(4)], axis=-1)
    assert partials.shape == want.shape
    assert partials.tobytes() == want.tobytes()
