"""mid48: one way to combine terms, and np.roll of a 1-D dual without np.roll's
own call overhead.

(1) ``backend.combine_small`` took over ``dispatch._ufuncs._spread_terms`` (a factor
that broadcasts over the value spread along the directions first; the two were the
same products and sums, ``python bench/combine_check.py`` checked the merge bit for bit
on both engines), and a sum that broadcasts to the target is assigned into a new array
instead of ``np.broadcast_to(..).copy()``.  Oracles: the products and sums written out
here with NumPy on floats (``f[..., None] * p + g[..., None] * q``, broadcast), to the
bit (NaN where NaN, signs of zeros).

(2) ``np.roll`` of a 1-D float64 dual with a Python int shift: two slice copies for the
value and for the partials' rows.  Oracle: ``np.roll`` of the float value and of the
partials array (directions last, rolled along axis 0), to the bit; a Lorenz-96 RK4
tangent-linear model against the complex step.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.dispatch import _ufuncs
from dualgrad.dual._base import new_tag


def _bits_equal(got, want):
    np.testing.assert_array_equal(got, want)
    ok = ~np.isnan(want)
    assert (np.signbit(got[ok]) == np.signbit(want[ok])).all(), (got, want)


def _spoiled(shape, rng):
    a = rng.standard_normal(shape)
    flat = a.reshape(-1)
    flat[:4] = [0.0, -0.0, np.inf, np.nan][:flat.size]
    return a


# ---- (1) combine_small --------------------------------------------------------------

def test_one_combining_function():
    """The dispatch twin is gone: two-shape products reach backend.combine_small."""
    assert not hasattr(_ufuncs, "_spread_terms")
    assert not hasattr(_ufuncs, "_SPREAD_ROWS")


_CASES = [((1, 5, 30, 5), (1, 1, 30, 5), (1, 5, 1, 5)),     # VFI's v * Q
          ((3, 4), (1, 4), (3, 1)),
          ((3, 4), (3, 4), (4,)),
          ((2, 3, 4), (3, 1), (2, 1, 4)),
          ((6,), (6,), (1,))]


@pytest.mark.parametrize("n", [1, 2, 3, 8, 9])
@pytest.mark.parametrize("value,fshape,gshape", _CASES)
def test_two_broadcasting_terms_match_numpy_on_floats(n, value, fshape, gshape):
    rng = np.random.default_rng(n + len(value))
    f, g = rng.standard_normal(fshape), rng.standard_normal(gshape)
    # each factor meets the other operand's partials: shapes that broadcast to value
    p, q = _spoiled(gshape + (n,), rng), _spoiled(fshape + (n,), rng)
    target = value + (n,)
    with np.errstate(all="ignore"):
        got = backend.combine_small([f, g], [p, q], target)
        want = np.broadcast_to(f[..., None] * p + g[..., None] * q, target)
    assert got.shape == target and got.flags.c_contiguous and got.flags.writeable
    _bits_equal(got, want)


@pytest.mark.parametrize("n", [1, 3, 8])
def test_a_broadcast_sum_is_a_new_array(n):
    """``u + EV`` with ``u`` plain: one term, 1.0 times partials of a smaller shape,
    broadcast into an array of its own (writing it leaves the operand's partials)."""
    rng = np.random.default_rng(n)
    p = _spoiled((1, 5, 3, n), rng)
    keep = p.copy()
    for factors, sign in (([1.0], 1.0), ([-1.0], -1.0)):
        got = backend.combine_small(factors, [p], (4, 5, 3, n))
        _bits_equal(got, np.broadcast_to(sign * keep, (4, 5, 3, n)))
        assert not np.shares_memory(got, p) and got.flags.c_contiguous
        got[...] = 7.0
        _bits_equal(p, keep)


def test_a_subtraction_after_a_spread_term():
    """``f * p - q`` with ``f`` broadcasting (the sum kept in the first term's array)."""
    rng = np.random.default_rng(3)
    f, p, q = rng.standard_normal((1, 4)), rng.standard_normal((3, 4, 2)), \
        rng.standard_normal((3, 1, 2))
    got = backend.combine_small([f, -1.0], [p, q], (3, 4, 2))
    _bits_equal(got, f[..., None] * p - q)


def test_an_infinite_broadcasting_factor_goes_to_the_general_path():
    f = np.array([[1.0, np.inf]])
    p = np.zeros((3, 2, 3))
    assert backend.combine_small([f], [p], (3, 2, 3)) is None


def test_two_shape_duals_through_the_operators():
    """``a * b`` of (1, 1, 4, 3) by (1, 2, 1, 3) duals: the product rule on floats."""
    rng = np.random.default_rng(5)
    tag = new_tag()
    va, vb = rng.standard_normal((1, 1, 4, 3)), rng.standard_normal((1, 2, 1, 3))
    pa, pb = rng.standard_normal((1, 1, 4, 3, 3)), rng.standard_normal((1, 2, 1, 3, 3))
    got = dg.Dual(va, pa, tag=tag) * dg.Dual(vb, pb, tag=tag)
    _bits_equal(got.value, va * vb)
    np.testing.assert_allclose(got.partials, vb[..., None] * pa + va[..., None] * pb,
                               rtol=1e-15, atol=0)
    s = dg.Dual(va, pa, tag=tag) + rng.standard_normal((2, 2, 4, 3))    # a plain operand
    _bits_equal(s.partials, np.broadcast_to(pa, (2, 2, 4, 3, 3)))
    assert not np.shares_memory(s.partials, pa)


# ---- (2) np.roll ----------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("size", [1, 2, 5, 40])
def test_roll_matches_numpy_on_value_and_rows(n, size):
    rng = np.random.default_rng(size * 10 + n)
    v, p = _spoiled(size, rng), _spoiled((size, n), rng)
    for shift in (-7, -1, 0, 1, 2, 5, 41):
        for kw in ({}, {"axis": 0}, {"axis": -1}):
            got = np.roll(dg.Dual(v, p, tag=new_tag()), shift, **kw)
            _bits_equal(got.value, np.roll(v, shift))
            _bits_equal(got.partials, np.roll(p, shift, axis=0))
            assert not np.shares_memory(got.value, v)
            assert not np.shares_memory(got.partials, p)


def test_roll_of_a_strided_view_and_numpy_shift():
    rng = np.random.default_rng(1)
    v, p = rng.standard_normal(12), rng.standard_normal((12, 2))
    d = dg.Dual(v, p, tag=new_tag())[::3]
    for shift in (1, np.int64(-2), True):
        got = np.roll(d, shift)
        _bits_equal(got.value, np.roll(v[::3], shift))
        _bits_equal(got.partials, np.roll(p[::3], shift, axis=0))


def test_roll_refuses_what_numpy_refuses():
    d = dg.Dual(np.arange(4.0), np.eye(4), tag=new_tag())
    with pytest.raises(np.exceptions.AxisError):
        np.roll(d, 1, axis=1)
    with pytest.raises(TypeError):
        np.roll(d, 1, axis=0.0)


def _l96(x, F=8.0):
    return (np.roll(x, -1) - np.roll(x, 2)) * np.roll(x, 1) - x + F


def _rk4(x, dt=0.01, steps=10):
    for _ in range(steps):
        k1 = _l96(x)
        k2 = _l96(x + dt / 2 * k1)
        k3 = _l96(x + dt / 2 * k2)
        k4 = _l96(x + dt * k3)
        x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x


def test_lorenz96_tangent_linear_model_against_the_complex_step():
    N = 12
    x0 = 8 + np.random.default_rng(0).standard_normal(N)
    want = np.stack([_rk4(x0 + 1e-30j * e).imag / 1e-30 for e in np.eye(N)], axis=1)
    np.testing.assert_allclose(dg.jacobian(_rk4, x0), want, rtol=1e-13, atol=1e-13)
    v = np.random.default_rng(1).standard_normal(N)
    np.testing.assert_allclose(dg.jvp(_rk4, x0, v)[1], want @ v, rtol=1e-12, atol=1e-12)
    h = dg.hessian(lambda x: _rk4(x, steps=3)[0], x0)          # nested duals: general path

    def grad_cs(x):                      # the complex step's gradient of the first output
        return np.array([_rk4(x + 1e-30j * e, steps=3)[0].imag / 1e-30 for e in np.eye(N)])
    step = 1e-5
    want = np.stack([(grad_cs(x0 + step * e) - grad_cs(x0 - step * e)) / (2 * step)
                     for e in np.eye(N)], axis=1)
    np.testing.assert_allclose(h, want, rtol=1e-7, atol=1e-9)


# ---- (3) a broadcasting or strided condition, made contiguous by assignment ------------

@pytest.mark.parametrize("n", [1, 3, 9])
def test_where_with_a_broadcasting_or_strided_condition(n):
    rng = np.random.default_rng(n)
    tag = new_tag()
    v, p = _spoiled((3, 4, 5), rng), _spoiled((3, 4, 5, n), rng)
    w, q = _spoiled((4, 5), rng), _spoiled((4, 5, n), rng)
    x, y = dg.Dual(v, p, tag=tag), dg.Dual(w, q, tag=tag)
    grid = rng.standard_normal((5, 4, 3)) > 0
    for c in (rng.standard_normal((4, 1)) > 0, rng.standard_normal(5) > 0,
              grid.T, np.True_, grid.T[::-1]):
        for a, b, pa, pb in ((x, y, p, q), (x, -np.inf, p, 0.0), (2.0, y, 0.0, q)):
            got = np.where(c, a, b)
            want_v = np.where(c, v if a is x else a, w if b is y else b)
            want_p = np.where(np.asarray(c)[..., None], pa, pb)
            _bits_equal(got.value, want_v)
            _bits_equal(got.partials, np.broadcast_to(want_p, want_v.shape + (n,)))
        assert isinstance(c, np.bool_) or c.flags.writeable     # the caller's own mask


@pytest.mark.parametrize("ufunc", [np.maximum, np.minimum, np.fmax, np.fmin])
def test_selection_of_two_shapes_picks_numpys_branch(ufunc):
    """The indicator of ``np.maximum(a, b)`` with ``b`` broadcasting, and a strided
    ``a``: each element's partials from the argument NumPy's value came from (no ties
    here; the tie rule's midpoint is test_vfi47's)."""
    rng = np.random.default_rng(11)
    tag = new_tag()
    v, p = rng.standard_normal((4, 6)), rng.standard_normal((4, 6, 3))
    w, q = rng.standard_normal((1, 3)), rng.standard_normal((1, 3, 3))
    a = dg.Dual(v, p, tag=tag)[:, ::2]
    b = dg.Dual(w, q, tag=tag)
    got = ufunc(a, b)
    va = v[:, ::2]
    _bits_equal(got.value, ufunc(va, w))
    first = (ufunc(va, w) == va)[..., None]
    want = np.where(first, p[:, ::2], np.broadcast_to(q, (4, 3, 3)))
    _bits_equal(got.partials, want)
