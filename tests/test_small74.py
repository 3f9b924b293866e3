"""Issue 13, stop 74 (small74): a fusable row's value by NumPy's own loop, in its entry.

``np.log(a)`` of an array dual of ten values paid NumPy's call of the value (~0.3 us of
machinery around a loop of ~0.03 us), ``np.empty`` and the row's compiled entry
(``d_log_x_entry``: the factor ``1.0 / x`` and the products).  A generated entry per
fusable unary row (``_kernelgen._VALUE_LOOPS_ENTRY``, ``_rule_kernels``'
``d_log_x_value_loops``) runs NumPy's float64 loop of the value (``backend._numpy_loops``,
small71) with the loops entries' flag test (declining where NumPy's call would report),
then the row's own loop of the factor and the products; where it declines the old
lines run from the value on.

Oracles: the same call with the cell off (the old way: bits and NumPy's reports, or
the error, under the default error state and ``np.errstate`` all "warn", "raise",
"ignore", and under="raise"), numba loaded, over signed zeros, subnormals, the far
range, values outside the domain, infinities and NaN in values and partials; strided,
reversed, read-only and misaligned values; NumPy's value to the bit and mpmath's
derivatives at 100 bits; a spy that the entry answers and that the value's NumPy call
and the old entry do not run, and do where the entry declines; a flag left set before
the call changes nothing.  On the tree before (c8458832) the cell tests fail (no
``backend.value_loops_made``)."""

import ctypes
import warnings

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _loader

from _probes import same_duals

ROWS = [np.reciprocal, np.sqrt, np.cbrt, np.absolute, np.fabs, np.exp2, np.log, np.log2,
        np.log10, np.log1p, np.tan, np.arcsin, np.arccos, np.arctan, np.arcsinh,
        np.arccosh, np.arctanh]
SPECIALS = np.array([0.0, -0.0, 5e-324, -5e-324, 1e-310, -1e-300, 1e-300, 1e300, -1e300,
                     1e-160, 1e160, np.inf, -np.inf, np.nan, -1.0, 1.0, -0.5, 0.5, 2.0,
                     0.999999, 1.000001, -1.000001, 1024.0, 1025.0, -1075.0, 1.5707963267948966,
                     1e308, 1.7976931348623157e308])
PARTIALS = np.array([0.0, -0.0, 1.0, -2.5, 1e300, -1e300, 5e-324, 1e-310, np.inf, np.nan])
STATES = [{}, {"all": "warn"}, {"all": "raise"}, {"all": "ignore"}, {"under": "raise"}]
STATE_IDS = ["default", "warn", "raise", "ignore", "under-raise"]


def _cell(ufunc):
    """``ufunc``'s loops cell, its entry made (numba loaded)."""
    _loader.load()
    cell = backend.loop_cell(ufunc)
    if cell[0] is None:
        backend.value_loops_made(cell, ufunc)
    return cell


def _call(ufunc, x, p, off, state):
    """``ufunc`` of the array dual ``(x, p)`` (``x`` a dual itself: that one) with its
    loops cell as it is or off (the old way), its result (or the error raised, as text)
    and NumPy's reports."""
    cell = _cell(ufunc)
    held = cell[0]
    if off:
        cell[0] = False
    try:
        with warnings.catch_warnings(record=True) as seen, np.errstate(**state):
            warnings.simplefilter("always")
            try:
                got = ufunc(x if p is None else dg.Dual(x, p))
            except FloatingPointError as exc:
                got = str(exc)
        return got, [str(w.message) for w in seen]
    finally:
        cell[0] = held


DOMAINS = {np.arcsin: (-1.0, 1.0), np.arccos: (-1.0, 1.0), np.arctanh: (-1.0, 1.0),
           np.arccosh: (1.0, 30.0), np.log: (0.0, 30.0), np.log2: (0.0, 30.0),
           np.log10: (0.0, 30.0), np.sqrt: (0.0, 30.0), np.log1p: (-1.0, 30.0),
           np.tan: (-1.57, 1.57)}


def _values(rng, kind, n, ufunc):
    if kind == "specials":
        return rng.choice(SPECIALS, n)
    low, high = DOMAINS.get(ufunc, (-3.0, 3.0))
    x = rng.uniform(low, high, n)
    if ufunc not in DOMAINS:
        x *= 10.0 ** rng.integers(-4, 3)
    if kind == "one special":
        x[rng.integers(n)] = rng.choice(SPECIALS)
    return x


def _spied(cell):
    """A spy in ``cell``'s place that records the entry's answers: ``(answers, undo)``."""
    real = cell[0]
    answers = []

    def spy(*args):
        answers.append(real(*args))
        return answers[-1]
    cell[0] = spy
    return answers, lambda: cell.__setitem__(0, real)


def test_the_rows_have_a_value_loops_entry():
    """Every fusable unary row of a NumPy ufunc that a kernel does not round itself has
    one (made, numba loaded); np.square / np.negative (their values the exact kernels'),
    np.sin / np.tanh (NumPy's factors) and np.floor (no factor) none."""
    from dualgrad.backend import _kernelgen, _numpy_loops
    from dualgrad.rules._table import RULES
    for ufunc in ROWS:
        assert backend.value_loops_entry(RULES[ufunc]), ufunc
        assert _cell(ufunc)[0], ufunc
    for ufunc in (np.square, np.negative, np.sin, np.tanh, np.exp, np.floor, np.add):
        assert not _kernelgen.value_loops_entry(RULES[ufunc]), ufunc
    table = _numpy_loops.value_loops(np.log)
    assert table is not None and not table.flags.writeable and table[1] != 0
    assert table.shape == (4,)
    assert _numpy_loops.value_loops(np.add) is None


@pytest.mark.parametrize("state", STATES, ids=STATE_IDS)
@pytest.mark.parametrize("ufunc", ROWS, ids=lambda u: u.__name__)
def test_the_entry_is_the_old_way_to_the_bit(ufunc, state):
    """Numba loaded, 1-D values of 1-12 elements: bits and reports (or the error) of
    the same call with the cell off, over values and partials holding the specials."""
    rng = np.random.default_rng(74)
    cell = _cell(ufunc)
    answers = []
    for trial in range(90):
        n, m = int(rng.integers(1, 13)), int(rng.integers(1, 6))
        x = _values(rng, ("specials", "ordinary", "one special")[trial % 3], n, ufunc)
        p = rng.choice(PARTIALS, (n, m)) if trial % 2 else rng.standard_normal((n, m))
        seen, undo = _spied(cell)
        try:
            got, got_said = _call(ufunc, x, p, False, state)
        finally:
            undo()
        answers += seen
        want, want_said = _call(ufunc, x, p, True, state)
        assert got_said == want_said, (x, got_said, want_said)
        if isinstance(want, str):
            assert got == want
        else:
            same_duals(got, want)
    assert answers.count(True) > 20, answers.count(True)   # (its own case, not only declines)


@pytest.mark.parametrize("layout", ["strided", "reversed", "read-only", "misaligned"])
@pytest.mark.parametrize("ufunc", [np.log, np.sqrt, np.arctan], ids=lambda u: u.__name__)
def test_other_layouts_are_the_old_way(ufunc, layout):
    """Duals whose values are views: strided and reversed ones (slices of a dual:
    declined, NumPy's loops may round a strided operand apart), read-only ones (taken),
    misaligned ones (declined): the old way's bits."""
    from dualgrad.dual import make_real
    rng = np.random.default_rng(5)
    base = rng.uniform(0.1, 3.0, 20)
    whole = dg.Dual(base, rng.standard_normal((20, 3)))
    if layout == "strided":
        a = whole[::2]
    elif layout == "reversed":
        a = whole[::-1][:10]
    else:
        if layout == "read-only":
            x = base[:10].copy()
            x.flags.writeable = False
        else:
            raw = np.zeros(10 * 8 + 1, np.uint8)
            x = np.frombuffer(raw.data, np.float64, 10, 1)
            x[...] = base[:10]
        a = make_real(x, rng.standard_normal((10, 3)), whole.tag)
    assert a.value.flags.aligned == (layout != "misaligned")
    assert a.value.flags.writeable == (layout != "read-only")
    assert a.value.strides == {"strided": (16,), "reversed": (-8,)}.get(layout, (8,))
    answers, undo = _spied(_cell(ufunc))
    try:
        got, got_said = _call(ufunc, a, None, False, {})
    finally:
        undo()
    want, want_said = _call(ufunc, a, None, True, {})
    same_duals(got, want)
    assert got_said == want_said == []
    assert answers == ([True] if layout == "read-only" else [False])


_LN2, _LN10 = mpmath.log(2), mpmath.log(10)
DERIVATIVES = {
    np.reciprocal: (lambda x: -1 / (x * x), (0.1, 10.0)),
    np.sqrt: (lambda x: 1 / (2 * mpmath.sqrt(x)), (0.01, 50.0)),
    np.cbrt: (lambda x: 1 / (3 * mpmath.cbrt(x) ** 2), (0.01, 50.0)),
    np.absolute: (lambda x: mpmath.sign(x), (-5.0, 5.0)),
    np.fabs: (lambda x: mpmath.sign(x), (-5.0, 5.0)),
    np.exp2: (lambda x: _LN2 * mpmath.power(2, x), (-20.0, 20.0)),
    np.log: (lambda x: 1 / x, (0.01, 50.0)),
    np.log2: (lambda x: 1 / (x * _LN2), (0.01, 50.0)),
    np.log10: (lambda x: 1 / (x * _LN10), (0.01, 50.0)),
    np.log1p: (lambda x: 1 / (1 + x), (-0.9, 20.0)),
    np.tan: (lambda x: 1 / mpmath.cos(x) ** 2, (-1.5, 1.5)),
    np.arcsin: (lambda x: 1 / mpmath.sqrt(1 - x * x), (-0.99, 0.99)),
    np.arccos: (lambda x: -1 / mpmath.sqrt(1 - x * x), (-0.99, 0.99)),
    np.arctan: (lambda x: 1 / (1 + x * x), (-20.0, 20.0)),
    np.arcsinh: (lambda x: 1 / mpmath.sqrt(1 + x * x), (-20.0, 20.0)),
    np.arccosh: (lambda x: 1 / mpmath.sqrt(x * x - 1), (1.01, 50.0)),
    np.arctanh: (lambda x: 1 / (1 - x * x), (-0.99, 0.99)),
}


@pytest.mark.parametrize("ufunc", list(DERIVATIVES), ids=lambda u: u.__name__)
def test_the_entry_against_numpy_and_the_analytic_slope(ufunc):
    """The entry's answer (a spy: True): NumPy's value to the bit, and mpmath's
    derivative times each partial within 4 ulps (the factor's own rounding, then the
    product's)."""
    derivative, (low, high) = DERIVATIVES[ufunc]
    rng = np.random.default_rng(3)
    x = rng.uniform(low, high, 10)
    p = rng.standard_normal((10, 4))
    answers, undo = _spied(_cell(ufunc))
    try:
        got = ufunc(dg.Dual(x, p))
    finally:
        undo()
    assert answers == [True]
    np.testing.assert_array_equal(got.value, ufunc(x))
    with mpmath.workprec(100):
        want = np.array([[float(derivative(mpmath.mpf(x[i])) * mpmath.mpf(p[i, k]))
                          for k in range(4)] for i in range(10)])
    np.testing.assert_allclose(got.partials, want, rtol=8 * 2.0 ** -52, atol=0)


def _watched(monkeypatch, ufunc, x, p):
    """``ufunc`` of ``(x, p)`` with spies on its value-loops entry (its answers), on the
    old entry and on the generated function's value call ``_U``: ``(result, answers,
    names)``."""
    cell = _cell(ufunc)
    with np.errstate(all="ignore"):
        ufunc(dg.Dual(x, p))                    # (the lean function made)
    from dualgrad.dual import _array
    namespace = _array._LEAN[ufunc].__globals__
    old = namespace["_E"]
    if old[0] is None:
        backend.entry_made(old, ufunc)
    held = old[0]
    names = []

    def value(*args):
        names.append("value")
        return ufunc(*args)

    def old_entry(*args):
        names.append("old entry")
        return held(*args)
    answers, undo = _spied(cell)
    try:
        with monkeypatch.context() as m:
            m.setitem(namespace, "_U", value)
            old[0] = old_entry
            got = ufunc(dg.Dual(x, p))
    finally:
        undo()
        old[0] = held
    return got, answers, names


@pytest.mark.parametrize("ufunc", [np.log, np.sqrt], ids=lambda u: u.__name__)
def test_numpys_value_call_is_skipped(ufunc, monkeypatch):
    """Numba loaded, ten ordinary values: the entry answers (True); NumPy's value call
    and the old entry do not run; where it declines (a zero: divide by zero for log's
    value, an infinite factor for sqrt's) they run, with log's report."""
    x = np.linspace(0.5, 2.0, 10)
    p = np.ones((10, 3))
    got, answers, names = _watched(monkeypatch, ufunc, x, p)
    assert answers == [True] and names == []
    np.testing.assert_array_equal(got.value, ufunc(x))
    f = 1.0 / x if ufunc is np.log else 0.5 / np.sqrt(x)
    np.testing.assert_array_equal(got.partials, f[:, None] * p)
    y = x.copy()
    y[4] = 0.0
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        got, answers, names = _watched(monkeypatch, ufunc, y, p)
    assert answers == [False] and names == ["value", "old entry"]
    said = [str(w.message) for w in seen]
    want, want_said = _call(ufunc, y, p, True, {})
    same_duals(got, want)
    assert said == want_said
    if ufunc is np.log:
        assert said == ["divide by zero encountered in log"]
    assert got.value[4] == (-np.inf if ufunc is np.log else 0.0)


_LIBM = None
try:
    from dualgrad.backend import _numpy_loops
    if _numpy_loops.MASK:
        _LIBM = ctypes.CDLL("libm.so.6")
except (ImportError, OSError):          # pragma: no cover
    pass


def _flags():
    return _LIBM.fetestexcept(_numpy_loops.MASK)


@pytest.mark.skipif(_LIBM is None, reason="no known flag mask on this machine")
@pytest.mark.parametrize("ufunc", [np.log, np.sqrt, np.arctan, np.reciprocal],
                         ids=lambda u: u.__name__)
def test_a_flag_left_by_earlier_code_changes_nothing(ufunc):
    """With the overflow flag left set before the call (a Python float's overflow):
    the entry answers, the bits of the same call from a clean start, nothing raised
    under ``errstate(all="raise")``, the flags after it those the call leaves from a
    clean start; and a declined call (a value out of the domain) leaves no flag a
    later NumPy call reports."""
    _loader.load()
    rng = np.random.default_rng(7)
    a = dg.Dual(rng.uniform(0.5, 2.0, 10), rng.standard_normal((10, 4)))
    with np.errstate(all="raise"):
        ufunc(a)                                  # (the cell made, kernels loaded)
        _LIBM.feclearexcept(_numpy_loops.MASK)
        want = ufunc(a)
        left = _flags()
        big = float("1e308")
        assert big * 10.0 == float("inf")
        if _flags() == 0:
            pytest.skip("a Python float's overflow left no flag here")
        answers, undo = _spied(_cell(ufunc))
        try:
            got = ufunc(a)
        finally:
            undo()
        assert answers == [True]
        assert _flags() == left
    same_duals(got, want)
    with np.errstate(all="ignore"):
        ufunc(dg.Dual(np.array([1.0, -1.0, 0.0]), np.ones((3, 2))))
    with np.errstate(all="raise"):
        assert (np.ones(3) * 2.0).sum() == 6.0
