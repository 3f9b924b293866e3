"""vfi49: np.where with dual branches of two shapes; np.where's constant branch and
np.max / np.min over one axis with fewer Python calls.

(1) ``np.where(c, d, e)`` with ``e`` of fewer value elements than ``d`` (a (1, 5, 30)
dual beside a (30, 5, 30) one): the smaller branch's partials are assigned into the
result's shape before ``backend.where``, which then takes its per-column mask path
(NumPy's where broadcasting them ran an inner loop of n per element).  The same
selection, so the same bits.  Oracle: ``np.where`` of each direction's partials on
floats, written out here, to the bit (NaN where NaN, signs of zeros); a Bellman step
with a broadcast branch against central differences.

(2) A plain constant branch (``-np.inf``) is read as its number, without the zero
partials ``_as_dual`` made for it; ``np.max`` / ``np.min`` over one axis call the
ndarray methods (argmax, take) instead of NumPy's Python wrappers.  Results unchanged:
the picked element's partials on floats, to the bit (test_vfi46 / test_vfi47 pin ties,
NaN slices and the rest).
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.dispatch import _functions
from dualgrad.dual._base import new_tag


def _bits_equal(got, want):
    got, want = np.asarray(got), np.asarray(want)
    np.testing.assert_array_equal(got, want)
    ok = ~np.isnan(want)
    assert (np.signbit(got[ok]) == np.signbit(want[ok])).all(), (got, want)


def _spoiled(shape, rng):
    a = rng.standard_normal(shape)
    flat = a.reshape(-1)
    flat[:5] = [0.0, -0.0, np.inf, -np.inf, np.nan][:flat.size]
    return a


def _where_by_direction(c, pa, pb, shape, n):
    """np.where of each direction's partials on floats, stacked (the oracle)."""
    cols = []
    for k in range(n):
        a = pa if np.ndim(pa) == 0 else np.asarray(pa)[..., k]
        b = pb if np.ndim(pb) == 0 else np.asarray(pb)[..., k]
        cols.append(np.broadcast_to(np.where(c, a, b), shape))
    return np.stack(cols, axis=-1)


_SHAPES = [((30, 5, 30), (1, 5, 30)),      # VFI's u and beta * EV
           ((4, 6), (6,)),
           ((4, 6), (4, 1)),
           ((2, 3, 4), (3, 1)),
           ((5,), ())]


@pytest.mark.parametrize("n", [1, 2, 3, 8, 9])
@pytest.mark.parametrize("big,small", _SHAPES)
@pytest.mark.parametrize("swap", [False, True])
def test_where_of_two_shapes_is_numpys_selection(n, big, small, swap):
    rng = np.random.default_rng(n + len(big) + 7 * swap)
    tag = new_tag()
    v, p = _spoiled(big, rng), _spoiled(big + (n,), rng)
    w, q = rng.standard_normal(small), _spoiled(small + (n,), rng)
    d, e = dg.Dual(v, p, tag=tag), dg.Dual(w, q, tag=tag)
    for c in (rng.standard_normal(big) > 0, rng.standard_normal(big[-1:]) > 0, np.True_):
        a, b, va, vb, pa, pb = (e, d, w, v, q, p) if swap else (d, e, v, w, p, q)
        got = np.where(c, a, b)
        _bits_equal(got.value, np.where(c, va, vb))
        _bits_equal(got.partials, _where_by_direction(c, pa, pb, big, n))
        assert not np.shares_memory(got.partials, p) and not np.shares_memory(got.partials, q)


@pytest.mark.parametrize("n", [2, 3, 8])
def test_where_with_a_scalar_dual_or_a_small_plain_branch(n):
    rng = np.random.default_rng(3 * n)
    tag = new_tag()
    v, p = _spoiled((6, 5), rng), _spoiled((6, 5, n), rng)
    d = dg.Dual(v, p, tag=tag)
    s = dg.Dual(np.float64(0.25), rng.standard_normal(n), tag=tag)
    c = rng.standard_normal((6, 5)) > 0
    got = np.where(c, s, d)                       # a scalar dual: partials of shape (n,)
    _bits_equal(got.value, np.where(c, 0.25, v))
    _bits_equal(got.partials, _where_by_direction(c, np.asarray(s.partials), p, (6, 5), n))
    plain = rng.standard_normal((1, 5))           # a plain array of fewer elements
    got = np.where(c, d, plain)
    _bits_equal(got.value, np.where(c, v, plain))
    _bits_equal(got.partials, _where_by_direction(c, p, 0.0, (6, 5), n))
    got = np.where(c, -np.inf, d)                 # a number: VFI's constant branch
    _bits_equal(got.value, np.where(c, -np.inf, v))
    _bits_equal(got.partials, _where_by_direction(c, 0.0, p, (6, 5), n))


def test_the_smaller_branch_reaches_backend_where_filled_out(monkeypatch):
    """What the speed rests on: backend.where is handed partials of the result's shape
    (on main the (1, 5, 30, 3) partials went as they were, broadcast by NumPy)."""
    seen = []
    real = backend.where

    def spy(cond, p, q, target):
        seen.append((np.shape(p), np.shape(q), target))
        return real(cond, p, q, target)
    monkeypatch.setattr(_functions.backend, "where", spy)
    rng = np.random.default_rng(1)
    tag = new_tag()
    d = dg.Dual(rng.standard_normal((30, 5, 30)), rng.standard_normal((30, 5, 30, 3)), tag=tag)
    e = dg.Dual(rng.standard_normal((1, 5, 30)), rng.standard_normal((1, 5, 30, 3)), tag=tag)
    c = rng.standard_normal((30, 5, 30)) > 0
    np.where(c, d, e)
    assert seen == [((30, 5, 30, 3), (30, 5, 30, 3), (30, 5, 30, 3))]
    # numba loaded (as the suite runs), a branch lacking only leading axes stays as it
    # is: the kernel reads it as a stride-0 view in its one pass
    from dualgrad.backend import _loader
    _loader.load()
    f = dg.Dual(rng.standard_normal((5, 30)), rng.standard_normal((5, 30, 3)), tag=tag)
    got = np.where(c, f, d)
    assert seen[-1] == ((5, 30, 3), (30, 5, 30, 3), (30, 5, 30, 3))
    _bits_equal(got.partials, _where_by_direction(c, f.partials, d.partials, (30, 5, 30), 3))


def test_bellman_step_with_a_broadcast_branch_against_central_differences():
    """max over a where whose branches are (A, Y, A) and (1, Y, A), in (beta, k)."""
    a = np.linspace(0.1, 2.0, 12)
    y = np.linspace(0.5, 1.5, 4)
    c = a[:, None, None] + y[None, :, None] - a[None, None, :]

    def f(t):
        beta, k = t[0], t[1]
        u = np.where(c > 0, c, 1.0) ** 0.5 * k
        ev = beta * np.reshape(np.sin(a[None, :] * y[:, None]), (1, 4, 12)) * k
        return np.max(np.where(c > 0.3, u, ev), axis=2).ravel()

    t = np.array([0.93, 1.7])
    J = dg.jacobian(f, t)
    h = 1e-5
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        fd = (-f(t + 2 * e) + 8 * f(t + e) - 8 * f(t - e) + f(t - 2 * e)) / (12 * h)
        np.testing.assert_allclose(J[:, j], fd, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_extreme_over_one_axis_picks_the_element_numpy_picks(name, axis):
    rng = np.random.default_rng(axis + 5)
    tag = new_tag()
    v, p = rng.standard_normal((4, 5, 6)), _spoiled((4, 5, 6, 3), rng)
    d = dg.Dual(v, p, tag=tag)
    got = getattr(np, name)(d, axis=axis)
    idx = np.expand_dims((np.argmax if name == "max" else np.argmin)(v, axis=axis), axis)
    _bits_equal(got.value, getattr(np, name)(v, axis=axis))
    want = np.take_along_axis(p, idx[..., None], axis=axis % 3)
    _bits_equal(got.partials, np.squeeze(want, axis=axis % 3))
