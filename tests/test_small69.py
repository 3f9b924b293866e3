"""Issue 13, stop 69 (small69): a number's power with small array duals hands NumPy its
exponent or base as a 0-d float64 array, not a Python or NumPy float.

``np.power(x, y)`` with ``y`` a float converts the scalar on every call (0.56 us against
0.38 us for a 0-d array at N = 10): ``lean_power`` (``u ** 2.5``, ``u ** -1``,
``np.power(u, y)``) takes ``y`` and ``y - 1.0`` as read-only 0-d arrays kept per number
(``_lean_small._EXPONENTS``, bounded), ``lean_power_mixed`` a number base's likewise
(``2.0 ** u``) and a scalar dual's value as a fresh 0-d array (``u ** k``, ``k ** u``,
``t ** k``).  The loop is NumPy's float64 power with the scalar broadcast either way, so
the same bits; the reports are the float call's.

Oracles: the general path (``dispatch._ufuncs.call``, with the NumPy engine) to the bit,
with NumPy's float call's reports, on values holding zeros, subnormals, 1e300,
infinities, NaN and negative bases, and with infinite and NaN number bases and exponents;
mpmath's closed forms on regular values.  On 6916aac6 the path and cache tests fail
(NumPy given floats; no ``_EXPONENTS``).

A scalar dual with a plain float array (``k * t``, ``t / k``: ``lean_constant``) makes the
factor-times-row partials ``f[:, None] * row`` in one compiled call
(``backend.OUTER_ROW``) where ``combine_small`` made them after its finiteness sum; it
declines where that sum would (a factor not finite, their sum overflowing).  Oracles: the
same call with the entry declining (the old way's bits and reports) over nine binary
rules, special values and partials; mpmath's derivatives; a spy on the entry.  On 6916aac6
the spy fails, and the old-way tests for want of the cell they patch."""

import warnings

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels, _loader
from dualgrad.dispatch import _lean_small
from dualgrad.dispatch._ufuncs import call
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import rule_for

from _probes import loaded_or_not, same_duals  # noqa: F401  (the fixture by name)

SPECIAL = [0.0, -0.0, 5e-324, 1e-310, 1e-300, 1e300, -1e300, np.inf, -np.inf, np.nan,
           -1.5, 3.0]
NUMBERS = [2.5, -1.0, 0.5, 1.5, 3.0, -0.0, 0.0, 1e-3, 7.0, -2.0, np.inf, -np.inf, np.nan,
           np.float64(2.5), np.float64(-np.inf)]


def _reports(fn):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category, str(w.message)) for w in seen]


def _values(rng, pattern):
    if pattern == 0:
        return rng.uniform(0.5, 2.0, 10)
    x = rng.uniform(0.2, 4.0, 10)
    x[rng.integers(10, size=3)] = rng.choice(SPECIAL, 3)
    return x


def _forms(u, k, t, c):
    """Each form of a number's or a scalar dual's power with arrays: (name, thunk, float
    thunk, the general path's operands)."""
    x, kv = u.value, k.value
    return [("u ** c", lambda: u ** c, lambda: x ** c, (u, c)),   # (the operator's
            #                               words: x ** 0.5 is np.sqrt's, refusals69)
            ("np.power(u, c)", lambda: np.power(u, c), lambda: np.power(x, np.float64(c)),
             (u, c)),
            ("c ** u", lambda: c ** u, lambda: np.power(np.float64(c), x), (c, u)),
            ("u ** k", lambda: u ** k, lambda: np.power(x, kv), (u, k)),
            ("k ** u", lambda: k ** u, lambda: np.power(kv, x), (k, u)),
            ("t ** k", lambda: t ** k, lambda: np.power(t, kv), (t, k))]


@pytest.mark.parametrize("pattern", range(2))
def test_powers_are_the_general_paths_to_the_bit(pattern, loaded):
    """Every form with every number, numba loaded and not: the general path's bits (NumPy
    engine) and the float call's reports, once."""
    rng = np.random.default_rng(69 + pattern)
    for c in NUMBERS:
        tag = new_tag()
        p = rng.standard_normal((10, 4))
        p.flat[rng.integers(p.size, size=3)] = [np.nan, 0.0, 1e300]
        u = dg.Dual(_values(rng, pattern), p, tag=tag)
        kv = float(rng.choice([0.7, -1.3, 2.5, 1e-300, 0.0]))
        k = dg.Dual(kv, list(rng.standard_normal(4)), tag=tag)
        t = _values(rng, pattern)
        for name, op, float_op, args in _forms(u, k, t, c):
            got, said = _reports(op)
            with np.errstate(all="ignore"), _kernels.use("numpy"):
                want = call(rule_for(np.power), args)
            same_duals(got, want)
            _, float_said = _reports(float_op)
            assert said == float_said, (name, c, said, float_said)


@pytest.mark.mp_dps(40)
def test_powers_against_closed_forms(loaded):
    """mpmath's y x ** (y - 1), x ** y log x (a scalar dual's exponent), c ** y log c (a
    number base) times the partials, on regular values (rtol 1e-14)."""
    rng = np.random.default_rng(6969)
    x = rng.uniform(0.3, 3.0, 10)
    p = rng.standard_normal((10, 3))
    tag = new_tag()
    u = dg.Dual(x, p, tag=tag)
    kq = [0.3, -1.1, 0.8]
    k = dg.Dual(0.7, kq, tag=tag)
    for y in (2.5, -1.0, 0.5, 1.5, 7.0):
        got = (u ** y).partials
        want = [[float(mpmath.mpf(y) * mpmath.mpf(xi) ** (y - 1) * mpmath.mpf(pj))
                 for pj in pi] for xi, pi in zip(x, p)]
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
    got = (u ** k).partials
    want = [[float(mpmath.mpf(0.7) * mpmath.mpf(xi) ** (0.7 - 1) * mpmath.mpf(pj) +
                   mpmath.mpf(xi) ** 0.7 * mpmath.log(xi) * mpmath.mpf(qj))
             for pj, qj in zip(pi, kq)] for xi, pi in zip(x, p)]
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
    got = (2.0 ** u).partials
    want = [[float(mpmath.mpf(2) ** xi * mpmath.log(2) * mpmath.mpf(pj)) for pj in pi]
            for xi, pi in zip(x, p)]
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


class _Power:
    """``np`` for ``_lean_small`` with ``np.power``'s operands' types recorded."""

    def __init__(self, seen):
        self.seen = seen

    def __getattr__(self, name):
        return getattr(np, name)

    def power(self, a, b, *args, **kwargs):
        self.seen.append((type(a), np.ndim(a), type(b), np.ndim(b)))
        return np.power(a, b, *args, **kwargs)


def test_numpy_is_given_0d_arrays(monkeypatch, request):
    """Numba loaded, small 1-D values: each form's ``np.power`` takes a 0-d float64 array
    for the number or the scalar's value, never a Python or NumPy float."""
    _loader.load()
    seen = []
    tag = new_tag()
    u = dg.Dual(np.linspace(0.5, 2.0, 10), np.ones((10, 3)), tag=tag)
    k = dg.Dual(0.7, [1.0, 2.0, 3.0], tag=tag)
    t = np.linspace(0.5, 2.0, 10)
    ops = (lambda: u ** 2.5, lambda: u ** -2, lambda: u ** np.float64(1.5),
           lambda: np.power(u, 2.5), lambda: u ** k, lambda: k ** u, lambda: t ** k,
           lambda: 2.0 ** u, lambda: np.float64(3.0) ** u)
    for op in ops:            # (a process's first power makes the entry points and the
        op()                  # regular branch on another way: the lines below are the
    monkeypatch.setattr(_lean_small, "np", _Power(seen))      # steady ones)
    for cell in (_lean_small._NUMBER_LOOPS, _lean_small._POWER_LOOPS,      # (small71's
                 _lean_small._EXPONENT_LOOPS, _lean_small._BASE_LOOPS):   # and small72's
        request.addfinalizer(lambda c=cell, held=cell[0]: c.__setitem__(0, held))  # entries
        cell[0] = False       # by NumPy's own loops, which call no np.power: off, so that
        #                       the way they decline to is the one held here)
    for op in ops:
        seen.clear()
        op()
        assert seen, "np.power not reached"
        for ta, na, tb, nb in seen:
            scalar = (tb, nb) if ta is np.ndarray and na == 1 else (ta, na)
            assert scalar == (np.ndarray, 0), seen
    seen.clear()              # u ** -1, u ** 0.5: NumPy's operator's np.reciprocal /
    u ** -1                   # np.sqrt, no np.power at all (refusals69)
    u ** 0.5
    assert seen == []


def test_the_kept_exponents():
    """``_EXPONENTS``: a number and the number less one as read-only 0-d float64 arrays,
    at most 64 numbers, no zero, infinity or NaN kept (0.0 and -0.0 are one key)."""
    _loader.load()
    u = dg.Dual(np.linspace(0.5, 2.0, 10), np.ones((10, 2)), tag=new_tag())
    _lean_small._EXPONENTS.clear()
    u ** 2.5
    y, w = _lean_small._EXPONENTS[2.5]
    assert (y.ndim, w.ndim, y.dtype, w.dtype) == (0, 0, np.float64, np.float64)
    assert float(y) == 2.5 and float(w) == 1.5
    assert not y.flags.writeable and not w.flags.writeable
    for c in (0.0, -0.0, np.inf, -np.inf, np.nan):
        u ** c
        c ** u
    assert list(_lean_small._EXPONENTS) == [2.5]
    for j in range(100):
        u ** (1.0 + j / 64.0)
    assert 0 < len(_lean_small._EXPONENTS) <= 64


# A scalar dual with a plain float array (lean_constant): the factor of the array's
# elements times the scalar's row in one compiled call (backend.OUTER_ROW).

GRID = [0.0, -0.0, 5e-324, -1e-310, 1e-300, 1e300, -1e300, 1e308, np.inf, -np.inf, np.nan,
        -1.5, 3.0]
RULES = (np.multiply, np.divide, np.subtract, np.add, np.arctan2, np.hypot, np.power,
         np.logaddexp, np.copysign)


def _grid_operands(rng, pattern):
    t = rng.uniform(0.2, 4.0, 10) * rng.choice([-1.0, 1.0], 10)
    if pattern == 1:
        t[rng.integers(10, size=3)] = rng.choice(GRID, 3)
    elif pattern == 2:
        t = rng.choice(GRID, 10)
    elif pattern == 3:
        t = np.full(10, 1e308)                # each factor finite, their sum not
    return t


@pytest.mark.parametrize("pattern", range(4))
def test_a_scalar_with_a_plain_array_is_the_old_way_to_the_bit(pattern, monkeypatch):
    """``k op t`` and ``t op k`` for nine binary rules, four value patterns (specials, a
    factor sum that overflows), three layouts of ``t``, scalars from 0 to inf, numba
    loaded: the bits and reports of the same call with the compiled entry declining
    (``combine_small``'s products, the old way)."""
    _loader.load()
    rng = np.random.default_rng(690 + pattern)
    old = [lambda f, q, t: False]
    for kv in (0.7, -2.5, 1e-300, 1e300, 0.0, -0.0, 5e-324, np.inf, np.nan):
        tag = new_tag()
        q = rng.standard_normal(4)
        q[rng.integers(4)] = rng.choice([0.0, np.nan, 1e300, -0.0])
        k = dg.Dual(float(kv), list(q), tag=tag)
        base = _grid_operands(rng, pattern)
        for t in (base, np.repeat(base, 2)[::2], base[::-1]):
            for ufunc in RULES:
                for args in ((k, t), (t, k)):
                    got, said = _reports(lambda: ufunc(*args))
                    with monkeypatch.context() as m:
                        m.setattr(_lean_small, "_OUTER_ROW", old)
                        want, want_said = _reports(lambda: ufunc(*args))
                    same_duals(got, want)
                    assert said == want_said, (ufunc, kv, t, said, want_said)


@pytest.mark.mp_dps(40)
def test_a_scalar_with_a_plain_array_against_closed_forms(loaded):
    """d/dk of k * t, t / k, k / t, arctan2(t, k) times the row, against mpmath (rtol
    1e-14), numba loaded and not."""
    rng = np.random.default_rng(6970)
    t = rng.uniform(0.3, 3.0, 10)
    q = [0.3, -1.1, 0.8]
    k = dg.Dual(0.7, q, tag=new_tag())
    K = mpmath.mpf(0.7)
    forms = [(lambda: k * t, lambda ti: ti), (lambda: t / k, lambda ti: -ti / K ** 2),
             (lambda: k / t, lambda ti: 1 / ti),
             (lambda: np.arctan2(t, k), lambda ti: -ti / (ti ** 2 + K ** 2))]
    for op, d in forms:
        got = op().partials
        want = [[float(d(mpmath.mpf(ti)) * mpmath.mpf(qj)) for qj in q] for ti in t]
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


def test_a_scalar_with_a_plain_array_takes_the_entry(monkeypatch):
    """Numba loaded, small 1-D values: ``k * t``, ``t / k``, ``k / t`` call the compiled
    entry point once each with the factor and the row; a factor sum that overflows is
    declined there and the old way's products run."""
    _loader.load()
    calls = []
    entry = _lean_small._OUTER_ROW[0] or _lean_small._outer_row()

    def spy(f, q, t):
        calls.append((f.shape, q.shape, t.shape))
        return entry(f, q, t)
    monkeypatch.setattr(_lean_small, "_OUTER_ROW", [spy])
    # (t / k and k / t take const69's entry, the factor too, before this one: off here)
    monkeypatch.setattr(_lean_small, "_CONST", type("Off", (dict,), {
        "get": lambda self, key, default=None: False})())
    k = dg.Dual(0.7, [1.0, 2.0, 3.0], tag=new_tag())
    t = np.linspace(0.5, 2.0, 10)
    for op in (lambda: k * t, lambda: t / k, lambda: k / t):
        calls.clear()
        op()
        assert calls == [((10,), (3,), (10, 3))]
    out = np.empty((10, 3))
    assert not entry(np.full(10, 1e308), np.ones(3), out)
    assert not entry(np.array([1.0] * 9 + [np.inf]), np.ones(3), out)
    assert entry(np.array([1.0] * 10), np.array([np.nan, 1.0, -0.0]), out)
