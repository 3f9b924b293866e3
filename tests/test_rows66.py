"""Issue 13, stop 66 (rows66): per-operation costs of small array duals before numba loads.

* ``cx * u`` with ``cx`` a NumPy integer (a lattice Boltzmann step's ``zip(cxs, ...)``):
  ``ArrayDual.__array_ufunc__`` hands it to the reflected operator as the float64 of
  ``cx``, as it does a NumPy float64 (with_number's one pass, not ``small``).
* ``k * u`` / ``u / k`` of a number: with_number's product of a finite NumPy float
  factor is ``backend.scaled``'s own ``f * p``, without its call.
* ``a * b`` / ``a / b`` of two array duals of more than 64 elements and one or two
  directions: ``backend.pair_small`` tests the sum of the products once, the factors
  only where it is not finite.
* ``u[1:, 1:-1]``, ``u[:, 0]``: a two-item tuple of slices (or a slice and an int) takes
  the slices' lines first.
* ``_ufuncs._tiny`` reads the quotient's numerator ``-out`` as ``out`` (its zeros).

Each against the path it skips, bit for bit, with a spy on the way (each way test fails
on 4dc5a47); derivatives against analytic ones.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _propagate
from dualgrad.dispatch import _ufuncs
from dualgrad.dual import _array
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import RULES
from _probes import same_duals, spy_on, without_numba

SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5, 3.0])
INTS = [np.int64(3), np.int64(-1), np.int64(0), np.int64(2 ** 53 + 1), np.int32(-7),
        np.uint8(200), np.uint64(2 ** 64 - 1)]


def _duals(tag, n=2):
    """Array duals of special values and partials: 1-D, 2-D past 64 elements, finite."""
    v = np.resize(SPECIAL, (9, 11))
    p = np.resize(SPECIAL[::-1], (9, 11, n))
    fin = np.linspace(-3.0, 3.0, 99).reshape(9, 11)
    return [dg.Dual(SPECIAL, np.outer(SPECIAL[::-1], np.arange(1.0, n + 1)), tag=tag),
            dg.Dual(v, p, tag=tag), dg.Dual(fin, np.ones((9, 11, n)) * 0.5, tag=tag),
            dg.Dual(fin[:, 1:], p[:, :-1], tag=tag)]


def test_numpy_int_on_the_left(request, monkeypatch):
    """``c * u``, ``c + u``, ``c - u`` of a NumPy integer: ``small``'s bits, and no
    ``small`` (numba not loaded: the NumPy way)."""
    without_numba(request, monkeypatch)
    tag = new_tag()
    seen = spy_on(monkeypatch, _array, "small", lambda args, r: args[0].ufunc)
    for u in _duals(tag):
        for c in INTS:
            for ufunc in (np.multiply, np.add, np.subtract):
                with np.errstate(all="ignore"):
                    want = _ufuncs.small(RULES[ufunc], (c, u))
                    seen.clear()
                    got = ufunc(c, u)
                assert not seen, (c, ufunc)
                same_duals(got, want)


def test_number_product(request, monkeypatch):
    """with_number's finite NumPy float factor: ``backend.scaled``'s bits without its
    call; an infinite or NaN factor still goes through it (a zero partial stays 0)."""
    without_numba(request, monkeypatch)
    tag = new_tag()
    seen = spy_on(monkeypatch, _ufuncs.backend, "scaled", lambda args, r: args[0])
    for u in _duals(tag, n=1):
        for c in (2.5, -0.0, 1e-310, 1e308, np.float64(0.1), np.inf, np.nan):
            for product, op in ((True, lambda: u * c), (True, lambda: c * u),
                                (False, lambda: u / c)):
                seen.clear()
                with np.errstate(all="ignore"):
                    got = op()
                    assert not product or (not seen) == bool(np.isfinite(c)), c
                    monkeypatch.setattr(_ufuncs, "_POOL_FROM", 0)    # the old way
                    want = op()
                    monkeypatch.setattr(_ufuncs, "_POOL_FROM", backend._buffers.MIN_BYTES)
                same_duals(got, want)


def test_pair_sum_test(request, monkeypatch):
    """``a * b``, ``a / b`` past 64 elements, one or two directions: the factors' bits
    (finite, overflowing products, inf / NaN factors and partials) against the general
    ``call``; finite factors test no factor."""
    without_numba(request, monkeypatch)
    seen = spy_on(monkeypatch, _propagate, "_finite_small", lambda args, r: 1)
    for n in (1, 2):
        tag = new_tag()
        duals = _duals(tag, n) + [dg.Dual(np.full((9, 11), 1e200), np.full((9, 11, n), 1e200),
                                          tag=tag)]
        for a in duals[1:]:
            for b in duals[1:]:
                if a.shape != b.shape:
                    continue
                for ufunc in (np.multiply, np.divide):
                    with np.errstate(all="ignore"):
                        seen.clear()
                        got = ufunc(a, b)
                        want = _ufuncs.call(RULES[ufunc], (a, b))
                    same_duals(got, want)
        fin = duals[2]
        seen.clear()
        fin * fin
        fin / (fin + 10.0)
        assert not seen


@pytest.mark.parametrize("index", [(slice(1, None), slice(1, -1)), (slice(None), 0),
                                   (-1, slice(None, None, -2)), (slice(None), -1)])
def test_tuple_slices(index):
    """Two-item tuple indexes of slices and ints: views of the value and the partials
    (the general lines' result: bits and strides); NumPy's IndexError for too many
    indices or one out of range."""
    tag = new_tag()
    v = np.arange(60.0).reshape(6, 10)
    p = np.arange(120.0).reshape(6, 10, 2)
    for d in (dg.Dual(v, p, tag=tag), dg.Dual(v.T, p.transpose(1, 0, 2), tag=tag),
              dg.Dual(v.reshape(2, 3, 10), p.reshape(2, 3, 10, 2), tag=tag)):
        got = d[index]
        assert np.shares_memory(got.value, d.value) and np.shares_memory(got.partials, d._p)
        assert got.value.strides == d.value[index].strides
        assert got.partials.strides == d._p[index].strides
        same_duals(got, dg.Dual(d.value[index], d._p[index], tag=tag))
    line = dg.Dual(np.arange(6.0), np.ones((6, 2)), tag=tag)
    with pytest.raises(IndexError, match="too many indices"):
        line[index]
    with pytest.raises(IndexError):
        dg.Dual(v, p, tag=tag)[(slice(None), 10)]


def test_quotient_numerator(monkeypatch):
    """``_tiny`` of ``a / b``'s factor ``-out / y`` reads ``out`` for its numerator
    ``-out`` (no call of the table's numerator): the same answer on fields of zeros,
    signed zeros, NaN and underflowed factors."""
    rule = RULES[np.divide]
    fns = _ufuncs.quotient_functions(rule)
    seen = spy_on(monkeypatch, _ufuncs, "quotient_functions", lambda args, r: 1)
    rng = np.random.default_rng(66)
    for x in (np.zeros(80), np.resize([0.0, -0.0, 1e-300, 5e-324, np.nan, 2.0], 80),
              rng.standard_normal(80) * 10.0 ** rng.uniform(-320, 0, 80)):
        for y in (np.full(80, 1e10), np.full(80, 1e300), np.linspace(1.0, 2.0, 80)):
            with np.errstate(all="ignore"):
                out = x / y
                g = -out / y
                af = np.absolute(g)      # (a NaN element counts for nothing: exact68)
                want = bool(np.fmin.reduce(
                    af, where=fns[1][0](x, y, out) != 0.0, initial=np.inf) < _ufuncs.TINY)
            assert _ufuncs._tiny(g, rule, 1, (x, y, out)) is want
    assert not seen


def test_lattice_spelling_derivative():
    """NumPy ints, floats and float64 beside 2-D array duals (the lattice Boltzmann
    step's products, quotients, slices), against the analytic derivative."""
    cxs = np.array([0, 1, 2])
    w = np.float64(1 / 9)

    def f(x):
        u = np.outer(x, np.ones(70))
        r = sum(cx * u[:, 1:] ** 2 * w + 3 * u[:, :-1] / (2.0 + u[:, 1:]) for cx in cxs)
        return r[:, 0]
    x = np.array([0.5, 2.0, -3.0])
    want = np.diag(6.0 * x * w + 18.0 / (2.0 + x) ** 2)
    np.testing.assert_allclose(dg.jacobian(f, x), want, rtol=1e-14)
