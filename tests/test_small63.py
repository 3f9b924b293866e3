"""``u ** v`` of two array duals on the power row's regular branches in a few NumPy calls
and one compiled call (issue 13, small63).

``u ** v`` and ``np.power(u, v)`` went ``small``'s ``_pair`` through the table's whole
row, ~20 ``lazy_where`` tests and copies on arrays (25 us against ``u * v``'s 1.3 at
N = 10, n = 10); ``dispatch._lean_small.lean_power_pair`` computes the value and the
regular branches' NumPy calls, and tests where they are the row's (no zero base or
exponent, no underflowed value or factor, finite factors) and multiplies in one call of
``backend.power_pair_kernel``'s entry point (numba loaded) or NumPy's; anything else is
``_pair``'s from the value on.  The power rows' derivative functions answer their
``lazy_where`` tests first for plain floats (``a ** k``, ``2.0 ** u``, ``t ** k``).

Oracles: the general path (``dispatch._ufuncs.call`` of the row, ``_kernels.use("numpy")``)
to the bit, NumPy's float call for the value and its warnings; closed forms written in
another order (``y x**y / x``, ``x**y log x``); the row's whole functions.  Path spies:
the entry point called and ``_pair`` not, or ``_pair`` given the value; the whole
function called only where a test fails.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels, _loader
from dualgrad.dispatch import _lean_small
from dualgrad.dispatch._ufuncs import call
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import rule_for
from _probes import loaded_or_not, same_duals, spy_on  # noqa: F401 (loaded)

POWER = rule_for(np.power)
RNG = np.random.default_rng(63)
SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, -5e-324, 1e-310, 1e154,
                    -1e200, 1e-160, 1.0, -1.0, 0.7, -2.5, 2.0, -3.0, 1e300])


def _reports(op):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = op()
    return result, [str(w.message) for w in seen]


@pytest.mark.parametrize("layout", ["C", "strided", "F", "2-D"])
def test_power_of_two_duals_is_the_general_paths_to_the_bit(layout, loaded):
    """Bases and exponents drawn from special values (zeros of both signs, NaN, infs,
    subnormals, negative bases, values whose power under- or overflows) and ordinary
    ones: values, partials and NumPy's reports (once, as the float call's) equal to the
    general path's, both spellings."""
    tag = new_tag()
    for trial in range(12):
        ordinary = RNG.uniform(0.3, 3.0, 20) * RNG.choice([-1.0, 1.0], 20) if trial % 3 \
            else np.exp(RNG.uniform(-40.0, 40.0, 20))
        x, y = ordinary, RNG.choice([-2.0, -1.0, 0.5, 2.0, 3.0, 1.5], 20) * \
            RNG.uniform(0.9, 1.1, 20) if trial % 2 else RNG.integers(-3, 4, 20) + 0.0
        if trial >= 4:                       # some special values among them
            for v in (x, y):
                at = RNG.random(20) < 0.25
                v[at] = RNG.choice(SPECIAL, at.sum())
        p, q = RNG.standard_normal((2, 20, 4))
        p[RNG.random((20, 4)) < 0.2] = 0.0
        if layout == "strided":
            x, y, p = np.repeat(x, 2)[::2], np.repeat(y, 2)[::2], np.repeat(p, 2, axis=0)[::2]
        elif layout == "F":
            p, q = np.asfortranarray(p), np.asfortranarray(q)
        elif layout == "2-D":
            x, y, p, q = x.reshape(4, 5), y.reshape(4, 5), p.reshape(4, 5, 4), q.reshape(4, 5, 4)
        u, v = dg.Dual(x, p, tag=tag), dg.Dual(y, q, tag=tag)
        floats, want_reports = _reports(lambda: np.power(u.value, v.value))
        with np.errstate(all="ignore"):
            want = call(POWER, (u, v))
            with _kernels.use("numpy"):
                general = u ** v
        for op in (lambda: u ** v, lambda: np.power(u, v)):
            got, reports = _reports(op)
            same_duals(got, want)
            same_duals(got, general)
            assert got.value.tobytes() == floats.tobytes()
            assert reports == want_reports


def test_power_of_two_duals_against_its_closed_forms(loaded):
    tag = new_tag()
    x, y = RNG.uniform(0.2, 4.0, 10), RNG.uniform(-3.0, 3.0, 10)
    p, q = RNG.standard_normal((2, 10, 3))
    got = dg.Dual(x, p, tag=tag) ** dg.Dual(y, q, tag=tag)
    dx, dy = y * x ** y / x, np.exp(y * np.log(x)) * np.log(x)
    np.testing.assert_allclose(got.partials, dx[:, None] * p + dy[:, None] * q,
                               rtol=1e-14, atol=1e-14)
    grad = dg.gradient(lambda w: np.sum(w[:10] ** w[10:]), np.concatenate([x, y]))
    np.testing.assert_allclose(grad, np.concatenate([dx, dy]), rtol=1e-14, atol=0)


def test_power_of_two_duals_takes_the_entry_point_or_hands_the_value_on(request, monkeypatch):
    """Ordinary values: the compiled entry point computes the partials and ``_pair``
    (the row's general loop) does not run; a zero base, a zero exponent, an underflowed
    value: ``_pair`` runs from the value the lean path made, which it computes no more
    (one NumPy report for ``np.power(0, -1)``, as the float call)."""
    _loader.load()
    tag = new_tag()
    x, y = RNG.uniform(0.5, 2.0, 10), RNG.uniform(1.5, 2.0, 10)   # (1e-300 ** y: 0.0)
    p, q = RNG.standard_normal((2, 10, 4))
    u, v = dg.Dual(x, p, tag=tag), dg.Dual(y, q, tag=tag)
    u ** v                                          # (the cell filled)
    cell = _lean_small._POWER_PAIR
    real, entry = cell[0], []
    assert real

    def spy(*args):
        entry.append(real(*args))
        return entry[-1]
    request.addfinalizer(lambda: cell.__setitem__(0, real))
    cell[0] = spy
    loops = _lean_small._POWER_LOOPS       # (small71's entry by NumPy's own loops, tried
    request.addfinalizer(lambda held=loops[0]: loops.__setitem__(0, held))   # first: off,
    loops[0] = False                       # so that this one's way is the one held here)
    pairs = spy_on(monkeypatch, _lean_small, "_pair", lambda args, result: args[3] is not None)
    same_duals(u ** v, call(POWER, (u, v)))
    same_duals(np.power(u, v), call(POWER, (u, v)))
    assert entry == [True, True] and pairs == []
    for at, value in ((x, 0.0), (y, 0.0), (x, 1e-300)):
        w = at.copy()
        w[3] = value
        a, b = (dg.Dual(w, p, tag=tag), v) if at is x else (u, dg.Dual(w, q, tag=tag))
        same_duals(a ** b, call(POWER, (a, b)))
    assert pairs == [True, True, True]
    a = dg.Dual(np.array([0.0, 2.0]), np.ones((2, 2)), tag=tag)
    b = dg.Dual(np.array([-1.0, 2.0]), np.ones((2, 2)), tag=tag)
    _, want = _reports(lambda: np.power(a.value, b.value))
    _, got = _reports(lambda: a ** b)
    assert got == want == ["divide by zero encountered in power"]


def _outcome(fn, *args):
    """``fn(*args)``'s type and bits, or the error it raised (Python's ``**`` of floats
    raises OverflowError / ZeroDivisionError where NumPy's gives inf: either way alike)."""
    try:
        got = fn(*args)
    except ArithmeticError as error:
        return type(error), str(error)
    return type(got), np.asarray(got).tobytes()


@pytest.mark.parametrize("ufunc", [np.power, np.float_power])
def test_the_power_rows_regular_branch_first_is_the_whole_rows_to_the_bit(ufunc):
    """``rules._table.derivative_functions`` of the power rows answers lazy_where's tests
    first for plain floats (``a ** k``, ``2.0 ** u``, ``t ** k`` go through it): against
    the row's whole function (the table's expression compiled alone), bases and
    exponents of Python floats, NumPy floats and arrays with zeros of both signs, NaN,
    infs, subnormals and values whose power underflows; where the tests pass, the
    regular branch alone runs (the whole row's function not called)."""
    from dualgrad.rules import _table
    from dualgrad.rules._expr import LAZY
    rule = rule_for(ufunc)
    whole = [e.function(_table._NAMESPACE, {"where": LAZY}) for e in rule.exprs]
    fns = _table.derivative_functions(rule)
    values = np.concatenate([SPECIAL, RNG.uniform(-3.0, 3.0, 20),
                             np.exp(RNG.uniform(-700.0, 700.0, 20))])
    cases = [(float(x), float(y)) for x, y in RNG.choice(values, (200, 2))]
    cases += [(np.float64(x), y) for x, y in cases[:50]]
    for _ in range(60):
        x, y = RNG.choice(values, 6), RNG.choice(values, 6)
        if RNG.random() < 0.5:
            x = np.abs(x) + 0.5         # (no zero base: the regular branch's case)
        cases += [(x, y), (x, float(y[0])), (float(x[0]), y)]
    with np.errstate(all="ignore"):
        for x, y in cases:
            out = ufunc(x, y)
            for k in (0, 1):
                got, want = (_outcome(fn, x, y, out) for fn in (fns[k], whole[k]))
                assert got == want, (x, y, k)
    ran = []
    whole_fns = [lambda *args, k=k: ran.append(k) or whole[k](*args) for k in (0, 1)]
    regular = [_table.regular_branch(rule, k) for k in (0, 1)]
    for k in (0, 1):
        fn = _table._regular_first(whole_fns[k], regular[k])
        x = RNG.uniform(0.5, 2.0, 5)
        fn(x, 1.5, ufunc(x, 1.5))
        fn(np.array([0.0, 1.0]), 1.5, ufunc(np.array([0.0, 1.0]), 1.5))
    assert ran == [0, 1]
