"""Issue 13, stop 69 (shallow69): per-operation costs of the shallow water row's small
array duals before numba loads.

* The lean products' finiteness test (``backend.pair_small``'s sum of the products,
  ``scaled_small``'s factor) where the caller hushed NumPy's reports: one BLAS dot
  ``v . v`` (``_propagate._quiet_finite``), the reduction's own answer wherever it
  answers True (every element finite, no sum past the range), the reduction itself
  elsewhere; callers that do not hush keep the reduction (its reports).
* ``d[i, :] = e`` / ``d[:, j] = e``: ``_store_element`` is asked for tuples of integers
  only (its own first test); ``_check_copy_order`` tests bounds without NumPy's
  ``__array_function__`` dispatch.

Each against the path it skips, bit for bit, with a spy on the way (the way tests fail
on main before this stop); the row's Jacobian against the complex step.
"""

import math
import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _propagate
from dualgrad.dual import _array
from dualgrad.dual._base import new_tag
from _probes import bench_module, same_duals, spy_on, without_numba

SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e-300, 1e-160, 1e154, 1e200,
           1e308, -1e308, -2.5, 3.0]


def _reduction(f):
    with np.errstate(all="ignore"):
        return math.isfinite(np.add.reduce(f, axis=None))


def _arrays():
    """Float64 arrays of special values, magnitudes whose squares overflow or
    underflow, sums that overflow or cancel, shapes of one to three axes, views."""
    rng = np.random.default_rng(69)
    pool = np.array(SPECIAL)
    yield np.zeros((17, 16, 1))
    yield np.full(300, 1e307)                        # sum past the range: False
    yield np.resize([1e308, -1e308], 300)            # cancels: True
    yield np.full((17, 16), 1e-160)                  # squares underflow: True
    yield np.full(100, 6e305)                        # squares overflow, sum finite
    yield np.full(300, 6e305)                        # sum past the range
    for case in range(400):
        shape = [(272,), (17, 16), (17, 16, 1), (9, 11, 2), (65,), (5, 7, 3)][case % 6]
        a = rng.choice(pool, shape) if case % 3 else \
            rng.standard_normal(shape) * 10.0 ** rng.uniform(-200, 307, shape)
        if case % 5 == 0:
            a[a != a] = 1.0                          # no NaN
        if case % 7 == 0:
            a = np.abs(a)                            # one sign
        yield a
        yield a[..., ::2] if a.ndim > 1 else a[::-2]     # views


def test_quiet_finite_is_the_reduction():
    """``_quiet_finite`` answers as ``math.isfinite(np.add.reduce(f, axis=None))`` on
    every array of the grid (overflowing and cancelling sums, squares past the range
    both ways, NaN / inf / subnormal elements, views) and on int / bool arrays (the
    reduction's own lines), hushed as its callers are."""
    arrays = list(_arrays())
    arrays += [np.arange(300), np.ones((3, 3), dtype=bool)]
    answers = set()
    with np.errstate(all="ignore"):
        for a in arrays:
            want = _reduction(a)
            got = _propagate._quiet_finite(a)
            answers.add(want)
            assert got is want or got == want and type(got) in (bool, np.bool_), (a, got)
    assert answers == {True, False}


def test_quiet_finite_reports_nothing_hushed():
    """Under ``np.errstate(all="raise")`` made quiet as the lean paths make it (the
    hush), the dot raises nothing on squares that overflow or underflow."""
    with np.errstate(all="raise"):
        with np.errstate(all="ignore"):
            for a in _arrays():
                _propagate._quiet_finite(a)


@pytest.mark.parametrize("n", [1, 2])
def test_lean_products_by_the_dot(request, monkeypatch, n):
    """``a / b``, ``a * b``, ``a ** 2``, ``np.sin`` of array duals past 64 elements (the
    lean lines, numba not loaded): the dot answers the finiteness tests (a spy), and
    each result equals, bit for bit, the one with the reduction in its place, on
    special values and partials, views whose rows lie apart, 1 and 2 directions."""
    without_numba(request, monkeypatch)
    tag = new_tag()
    rng = np.random.default_rng(n)
    pool = np.array(SPECIAL)
    base = []
    for case in range(12):
        v = rng.choice(pool, (18, 18)) if case % 2 else rng.uniform(0.5, 2.0, (18, 18))
        p = rng.choice(pool, (18, 18, n)) if case % 3 else rng.standard_normal((18, 18, n))
        if case == 0:
            v, p = np.full((18, 18), 1e200), np.ones((18, 18, n))    # v . v overflows
        base.append(dg.Dual(v, p, tag=tag))
    ops = [lambda a, b: a / b, lambda a, b: a * b, lambda a, b: a ** 2,
           lambda a, b: np.sin(a), lambda a, b: b / a - a]

    def run():
        got = []
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            for a in base:
                for b in base[::-1]:
                    for x, y in ((a, b), (a[1:, 1:-1], b[:-1, 1:-1])):
                        for op in ops:
                            got.append(op(x, y))
        return got, sorted(str(m.message) for m in w)
    seen = spy_on(monkeypatch, _propagate, "_quiet_finite", lambda args, r: 1)
    dot, dot_warned = run()
    assert len(seen) > 200
    monkeypatch.setattr(_propagate, "_quiet_finite", _reduction)
    reduced, reduced_warned = run()
    assert dot_warned == reduced_warned
    for x, y in zip(dot, reduced):
        same_duals(x, y)
        assert x.partials.strides == y.partials.strides


def test_unhushed_caller_keeps_the_reduction(request, monkeypatch):
    """``u ** 0.1`` (``_lean_small.lean_power``, which calls ``scaled_small`` unhushed)
    of values whose factor's squares overflow: NumPy's own report on the value only, no
    report of the test (the dot's "overflow encountered in dot" was one), and no
    exception under ``np.errstate(over="raise", under="raise")`` past the value's."""
    without_numba(request, monkeypatch)
    seen = spy_on(monkeypatch, _propagate, "_quiet_finite", lambda args, r: 1)

    def f(x):
        u = x[0] * np.full((11, 3), 1.0)
        u = u * np.resize([1e-300, 1e-200, 2.0, 3.0], (11, 3))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = u ** 0.1
        assert [str(m.message) for m in w] == []
        with np.errstate(over="raise", under="raise"):
            r2 = u ** 0.1
        same_duals(r, r2)
        return r.ravel()
    J = dg.jacobian(f, np.array([1.0]))
    base = np.resize([1e-300, 1e-200, 2.0, 3.0], (11, 3)).ravel()
    np.testing.assert_allclose(J[:, 0], 0.1 * base ** 0.1, rtol=1e-12)
    assert not seen


def test_slice_store_skips_the_element_store(request, monkeypatch):
    """``H[:, 0] = H[:, 1]``, ``H[0, :] = -H[1, :]``, ``H[1:-1, 1:-1] -= e``: written as
    NumPy writes the values and partials (bit for bit), ``_store_element`` not asked
    (a spy); ``H[2, 3] = s`` (integers) still is; an overlapping chained write is still
    refused."""
    without_numba(request, monkeypatch)
    seen = spy_on(monkeypatch, _array, "_store_element", lambda args, r: args[1])
    tag = new_tag()
    rng = np.random.default_rng(3)
    v, p = rng.standard_normal((6, 5)), rng.standard_normal((6, 5, 1))
    H = dg.Dual(v.copy(), p.copy(), tag=tag)
    H[:, 0] = H[:, 1]
    H[0, :] = -H[1, :]
    H[1:-1, 1:-1] -= 0.5 * H[2:, 1:-1]
    v[:, 0] = v[:, 1]
    p[:, 0] = p[:, 1]
    v[0, :] = -v[1, :]
    p[0, :] = -p[1, :]
    v[1:-1, 1:-1] -= 0.5 * v[2:, 1:-1]
    p[1:-1, 1:-1] -= 0.5 * p[2:, 1:-1]
    assert H.value.tobytes() == v.tobytes() and H.partials.tobytes() == p.tobytes()
    assert seen == []
    H[2, 3] = H[1, 1] * 2.0
    assert seen == [(2, 3)]
    assert H.value[2, 3] == 2.0 * v[1, 1] and H.partials[2, 3, 0] == 2.0 * p[1, 1, 0]
    d = dg.Dual(np.arange(8.0), np.ones((8, 1)), tag=tag)
    with pytest.raises(TypeError, match="copy the source first"):
        d[::2] = d[:4]


def test_shallow_water_jacobian_against_complex_step(request, monkeypatch):
    """The corpus's shallow water row (bench/corpus59.py, 4 steps of a 10 x 10 field):
    its Jacobian by the lean lines, numba not loaded, the dot among their tests (a
    spy), against the complex step at h = 1e-30 (exact to rounding)."""
    without_numba(request, monkeypatch)
    corpus59 = bench_module("corpus59")
    seen = spy_on(monkeypatch, _propagate, "_quiet_finite", lambda args, r: 1)

    def f(p):
        return corpus59.shallow_water_row(p, n=8, timesteps=4)
    x = np.array([5.0])
    J = dg.jacobian(f, x)
    want = f(x + 1e-30j).imag / 1e-30
    assert seen
    assert np.any(want != 0.0)
    np.testing.assert_allclose(J[:, 0], want, rtol=1e-12, atol=1e-300)
