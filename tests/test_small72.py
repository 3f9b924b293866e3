"""Issue 13, stop 72 (small72): a split row's part by NumPy's own loop, in one call.

``np.tanh(a)`` of an array dual of ten values paid two NumPy calls (the value, then the
part ``np.cosh(x)`` of its factor under a hush of the error state), ``np.empty`` and
the row's compiled entry (``d_tanh_x_entry``: the factor ``1.0 / a0 * (1.0 / a0)`` and
the products); ``sc.erf(a)`` three for its part ``np.exp(-x * x)``.  A generated
entry per such row (``_kernelgen._loops_entry``, ``_rule_kernels``' ``d_tanh_x_loops``)
computes the part's argument, calls NumPy's float64 loop of the part
(``backend._numpy_loops``, small71), makes the factor as the row's entry makes it and
the products; for a NumPy ufunc (``np.tanh``) the value by its loop too, declining
where that loop sets a floating-point flag NumPy's call would report.
scipy.special's values stay NumPy's calls (their loops report through
``sc.errstate``).  Where the entry declines the old lines run from there on.

Oracles: the same call with the cell off (the old way: bits and NumPy's reports, under
the default error state, ``np.errstate(all="warn")`` and ``"raise"``), numba loaded,
over signed zeros, subnormals, the far range, infinities and NaN in values and
partials, strided, reversed, read-only and misaligned values; mpmath's derivatives
(sech**2, 2 / sqrt(pi) exp(-x**2) and the other rows'); a spy that the entry answers and
NumPy's ``np.cosh`` / ``np.exp`` / ``np.tanh`` calls and the old entry are skipped, and
that they run at |x| > 374 and at an infinite value.  On the tree before (d273a1aa)
the cell tests fail (no ``backend.split_loops_made``); the analytic ones pass there."""

import warnings

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _loader

from _probes import same_duals

sc = pytest.importorskip("scipy.special")

ROWS = [np.tanh, sc.erf, sc.erfc, sc.erfinv, sc.erfcinv, sc.ndtr, sc.ndtri, sc.exp1,
        sc.expi, sc.erfi]
SPECIALS = np.array([0.0, -0.0, 5e-324, -5e-324, 1e-310, -1e-300, 1e-300, 1e300, -1e300,
                     np.inf, -np.inf, np.nan, 26.0, -27.5, 373.9, 374.5, -400.0, 710.0,
                     0.999, -0.5, 1.0, -1.0, 1e-8, 38.5])
PARTIALS = np.array([0.0, -0.0, 1.0, -2.5, 1e300, -1e300, 5e-324, np.inf, np.nan])


def _cell(ufunc):
    """``ufunc``'s loops cell, its entry made (numba loaded)."""
    _loader.load()
    cell = backend.loop_cell(ufunc)
    if cell[0] is None:
        backend.split_loops_made(cell, ufunc)
    return cell


def _call(ufunc, x, p, off, state):
    """``ufunc`` of the array dual ``(x, p)`` with its loops cell as it is or off (the
    old way), its result (or the error raised, as text) and NumPy's reports."""
    cell = _cell(ufunc)
    held = cell[0]
    if off:
        cell[0] = False
    try:
        with warnings.catch_warnings(record=True) as seen, np.errstate(**state):
            warnings.simplefilter("always")
            try:
                got = ufunc(dg.Dual(x, p))
            except FloatingPointError as exc:
                got = str(exc)
        return got, [str(w.message) for w in seen]
    finally:
        cell[0] = held


DOMAINS = {sc.erfinv: (-1.0, 1.0), sc.erfcinv: (0.0, 2.0), sc.ndtri: (0.0, 1.0)}


def _values(rng, kind, n, ufunc):
    if kind == "specials":
        return rng.choice(SPECIALS, n)
    if ufunc in DOMAINS:
        x = rng.uniform(*DOMAINS[ufunc], n)
    else:
        x = rng.uniform(-3.0, 3.0, n) * 10.0 ** rng.integers(-4, 3)
    if kind == "one special":
        x[rng.integers(n)] = rng.choice(SPECIALS)
    return x


def test_the_rows_have_a_loops_entry():
    """The rows whose one part is a NumPy ufunc of kernel arithmetic have a loops entry
    (made, numba loaded); np.cos keeps small71's, a part of scipy.special none."""
    from dualgrad.backend import _kernelgen
    from dualgrad.rules._table import rule_for
    for ufunc in ROWS:
        assert _cell(ufunc)[0], ufunc
        assert _kernelgen.loops_entry(rule_for(ufunc)) == \
            ("value" if ufunc is np.tanh else "given")
    for ufunc in (np.cos, np.sin, sc.k1, sc.j0, sc.gamma):
        assert _kernelgen.loops_entry(rule_for(ufunc)) is None
    from dualgrad.backend import _numpy_loops
    table = _numpy_loops.split_loops(np.tanh, np.cosh)
    assert table is not None and not table.flags.writeable and table[1] != 0
    assert _numpy_loops.split_loops(sc.erf, np.exp)[1:4].tolist() == [0, 0, 0]
    assert _numpy_loops.split_loops(np.tanh, sc.erf) is None


@pytest.mark.parametrize("state", [{}, {"all": "warn"}, {"all": "raise"}],
                         ids=["default", "warn", "raise"])
@pytest.mark.parametrize("ufunc", ROWS, ids=lambda u: u.__name__)
def test_the_entry_is_the_old_way_to_the_bit(ufunc, state):
    """Numba loaded, 1-D values of 1-12 elements: bits and reports (or the error) of
    the same call with the cell off, over values and partials holding the specials."""
    rng = np.random.default_rng(72)
    cell = _cell(ufunc)
    real = cell[0]
    answers = []

    def spy(*args):
        answers.append(real(*args))
        return answers[-1]
    for trial in range(150):
        n, m = int(rng.integers(1, 13)), int(rng.integers(1, 6))
        x = _values(rng, ("specials", "ordinary", "one special")[trial % 3], n, ufunc)
        p = rng.choice(PARTIALS, (n, m)) if trial % 2 else rng.standard_normal((n, m))
        cell[0] = spy
        try:
            got, got_said = _call(ufunc, x, p, False, state)
        finally:
            cell[0] = real
        want, want_said = _call(ufunc, x, p, True, state)
        assert got_said == want_said, (x, got_said, want_said)
        if isinstance(want, str):
            assert got == want
        else:
            same_duals(got, want)
    assert answers.count(True) > 20, answers.count(True)   # (its own case, not only declines)


@pytest.mark.parametrize("layout", ["strided", "reversed", "read-only", "misaligned"])
@pytest.mark.parametrize("ufunc", [np.tanh, sc.erf, sc.expi], ids=lambda u: u.__name__)
def test_other_layouts_are_the_old_way(ufunc, layout):
    """Values that are views: strided and reversed ones (declined: NumPy's loops may
    round a strided operand apart), read-only ones (taken), misaligned ones (declined):
    the old way's bits."""
    rng = np.random.default_rng(5)
    base = rng.uniform(-2.0, 2.0, 20)
    if layout == "strided":
        x = base[::2]
    elif layout == "reversed":
        x = base[::-1][:10]
    elif layout == "read-only":
        x = base[:10].copy()
        x.flags.writeable = False
    else:
        raw = np.zeros(10 * 8 + 1, np.uint8)
        x = np.frombuffer(raw.data, np.float64, 10, 1)
        x[...] = base[:10]
        assert not x.flags.aligned
    p = rng.standard_normal((len(x), 3))
    got, got_said = _call(ufunc, x, p, False, {})
    want, want_said = _call(ufunc, x, p, True, {})
    same_duals(got, want)
    assert got_said == want_said == []


_SQRT_PI = mpmath.sqrt(mpmath.pi)
DERIVATIVES = {
    np.tanh: (lambda x: mpmath.sech(x) ** 2, (-5.0, 5.0)),
    sc.erf: (lambda x: 2 / _SQRT_PI * mpmath.exp(-x * x), (-4.0, 4.0)),
    sc.erfc: (lambda x: -2 / _SQRT_PI * mpmath.exp(-x * x), (-4.0, 4.0)),
    sc.erfi: (lambda x: 2 / _SQRT_PI * mpmath.exp(x * x), (-4.0, 4.0)),
    sc.erfinv: (lambda x: _SQRT_PI / 2 * mpmath.exp(mpmath.erfinv(x) ** 2), (-0.99, 0.99)),
    sc.ndtr: (lambda x: mpmath.npdf(x), (-6.0, 6.0)),
    sc.expi: (lambda x: mpmath.exp(x) / x, (0.1, 20.0)),
    sc.exp1: (lambda x: -mpmath.exp(-x) / x, (0.1, 20.0)),
}


@pytest.mark.parametrize("ufunc", list(DERIVATIVES), ids=lambda u: u.__name__)
def test_the_entry_against_the_analytic_slope(ufunc):
    """mpmath's derivative times each partial, within 1e-13 relative (the entry's
    answer: a spy that it answered True)."""
    derivative, (low, high) = DERIVATIVES[ufunc]
    rng = np.random.default_rng(3)
    x = rng.uniform(low, high, 10)
    p = rng.standard_normal((10, 4))
    cell = _cell(ufunc)
    real = cell[0]
    answers = []

    def spy(*args):
        answers.append(real(*args))
        return answers[-1]
    cell[0] = spy
    try:
        got = ufunc(dg.Dual(x, p))
    finally:
        cell[0] = real
    assert answers == [True]
    with mpmath.workprec(100):
        for i in range(10):
            slope = derivative(mpmath.mpf(x[i]))
            for k in range(4):
                want = float(slope * mpmath.mpf(p[i, k]))
                assert got.partials[i, k] == pytest.approx(want, rel=1e-13, abs=1e-300)


def _spied(monkeypatch, ufunc, x, p):
    """``ufunc`` of ``(x, p)`` with spies on its loops entry (its answers), on the old
    split entry and on the names the generated function reads from NumPy (``np.cosh``)
    and its value call ``_U``: ``(result, answers, names)``."""
    cell = _cell(ufunc)
    ufunc(dg.Dual(x, p))                        # (makes the old entry's cell too)
    real = cell[0]
    answers, names = [], []

    def spy(*args):
        answers.append(real(*args))
        return answers[-1]

    class Counting:
        def __getattr__(self, name):
            names.append(name)
            return getattr(np, name)

    def value(*args):
        names.append("value")
        return ufunc(*args)
    from dualgrad.dual import _array
    namespace = _array._LEAN[ufunc].__globals__
    old = namespace["_E"]
    held = old[0]

    def old_entry(*args):
        names.append("old entry")
        return held(*args)
    cell[0] = spy
    try:
        with monkeypatch.context() as m:
            m.setitem(namespace, "np", Counting())
            m.setitem(namespace, "_U", value)
            old[0] = old_entry if held else held
            got = ufunc(dg.Dual(x, p))
    finally:
        cell[0] = real
        old[0] = held
    return got, answers, names


@pytest.mark.parametrize("ufunc", [np.tanh, sc.erf], ids=lambda u: u.__name__)
def test_numpys_calls_are_skipped(ufunc, monkeypatch):
    """Numba loaded, ten ordinary values: the entry answers (True); NumPy's calls of
    the part (``np.cosh``, ``np.exp``) and the old entry do not run, nor, for np.tanh,
    the value's call; where the entry declines (|x| > 374 for np.tanh, the table's other
    branch; for the scipy.special rows sc.erfi's factor exp(900), inf) they run as
    before."""
    x = np.linspace(-2.0, 2.0, 10)
    p = np.ones((10, 3))
    got, answers, names = _spied(monkeypatch, ufunc, x, p)
    assert answers == [True]
    assert names == ([] if ufunc is np.tanh else ["value"])
    f = 1.0 / np.cosh(x) * (1.0 / np.cosh(x)) if ufunc is np.tanh else \
        1.1283791670955126 * np.exp(-x * x)
    np.testing.assert_array_equal(got.value, ufunc(x))
    np.testing.assert_array_equal(got.partials, f[:, None] * p)
    if ufunc is np.tanh:
        y = x.copy()
        y[4] = 400.0                            # the where's other branch: declined
        got, answers, names = _spied(monkeypatch, ufunc, y, p)
        assert answers == [False] and names == ["value", "cosh", "old entry"]
        assert got.partials[4].tolist() == [0.0, 0.0, 0.0]
    else:
        y = x.copy()
        y[4] = 30.0                             # erfi: exp(900) overflows the factor
        got, answers, names = _spied(monkeypatch, sc.erfi, y, p)
        assert answers == [False] and names[:3] == ["value", "exp", "old entry"]


def test_the_value_report_declines():
    """np.tanh's value loop reporting (an invalid operation is none for tanh: a
    signalling value is not made here; the entry declines on the flag of any value's
    loop as small71's): a NaN value goes the old way with no report, and a declined or
    taken call leaves no flag a later NumPy call reports."""
    p = np.ones((3, 2))
    x = np.array([1.0, np.nan, 2.0])
    got, said = _call(np.tanh, x, p, False, {"all": "raise"})
    want, want_said = _call(np.tanh, x, p, True, {"all": "raise"})
    same_duals(got, want)
    assert said == want_said == []
    np.tanh(dg.Dual(np.array([1.0, 800.0, 2.0]), p))
    sc.erf(dg.Dual(np.array([1.0, 1e200, 2.0]), p))        # (exp(-1e400) underflows)
    with np.errstate(all="raise"):
        assert np.add(np.ones(3), 1.0).tolist() == [2.0, 2.0, 2.0]
        assert (np.ones(3) * 2.0).sum() == 6.0


# ---- a scalar dual's power: u ** k, t ** k, k ** u, 2.0 ** u (lean_power_mixed) -------
POWER_SPECIALS = np.array([0.0, -0.0, 5e-324, -5e-324, 1e-310, 1e-300, -1e-300, 1e300,
                           -1e300, np.inf, -np.inf, np.nan, 700.0, 0.5, -1.5, 2.0, 1.0,
                           -1.0, 3.0, 1e22, 1e-3])
NUMBERS = [0.7, 2.0, -1.0, 0.5, 1e-300, 1e300, -2.5, 3.0, np.inf, -np.inf, np.nan, 1.0,
           2.0 ** 53, 1.0 + 2.0 ** -52, -0.0, 5e-324]
FORMS = {
    "u ** k": lambda u, t, k, c: u ** k, "np.power(u, k)": lambda u, t, k, c: np.power(u, k),
    "t ** k": lambda u, t, k, c: t ** k, "np.power(t, k)": lambda u, t, k, c: np.power(t, k),
    "k ** u": lambda u, t, k, c: k ** u, "np.power(k, u)": lambda u, t, k, c: np.power(k, u),
    "c ** u": lambda u, t, k, c: c ** u, "float64(c) ** u": lambda u, t, k, c: np.float64(c) ** u,
    "np.power(c, u)": lambda u, t, k, c: np.power(c, u)}


def _power_cell(form):
    """The loops cell of ``form``, its entry made (numba loaded)."""
    _loader.load()
    if "** u" in form or ", u)" in form:
        cell = backend.BASE_LOOPS
        if cell[0] is None:
            backend.base_loops_made()
    else:
        cell = backend.EXPONENT_LOOPS
        if cell[0] is None:
            backend.exponent_loops_made()
    return cell


def _mixed(form, x, p, c, q, off, state, answers=None):
    """``form`` of the array dual ``(x, p)`` (or the plain ``x``) and the scalar dual
    ``(c, q)`` (or the number ``c``) with its loops cell as it is or off (the old way):
    the result's class, value and partials as bytes (or the error's text) and NumPy's
    reports; ``answers`` collects the entry's."""
    cell = _power_cell(form)
    held = cell[0]
    if off:
        cell[0] = False
    elif answers is not None:
        def spy(*args):
            answers.append(held(*args))
            return answers[-1]
        cell[0] = spy
    try:
        tag = dg.Dual(0.0, q).tag
        k = dg.Dual(float(c), q, tag=tag)
        with warnings.catch_warnings(record=True) as seen, np.errstate(**state):
            warnings.simplefilter("always")
            try:
                got = FORMS[form](dg.Dual(x, p, tag=tag), x, k, float(c))
                got = (type(got).__name__, np.asarray(got.value).tobytes(),
                       np.asarray(got.partials).tobytes())
            except (FloatingPointError, ValueError) as exc:
                got = (type(exc).__name__, str(exc))
        return got, [str(w.message) for w in seen]
    finally:
        cell[0] = held


@pytest.mark.parametrize("state", [{}, {"all": "warn"}, {"all": "raise"}],
                         ids=["default", "warn", "raise"])
@pytest.mark.parametrize("form", list(FORMS))
def test_the_power_entries_are_the_old_way_to_the_bit(form, state):
    """Numba loaded, 1-D values of 1-11 elements holding the specials (zeros, subnormals,
    the far range, inf, NaN, negative values), strided ones every seventh trial, sixteen
    numbers (+-0, subnormal, 1e+-300, +-inf, NaN, 2**53, 1 + 2**-52) and random ones,
    partials holding 0, -0, inf, NaN, 1e300: the class, bits and reports (or the error)
    of the same call with the cell off."""
    rng = np.random.default_rng(172)
    answers = []
    for trial in range(160):
        n, m = int(rng.integers(1, 12)), int(rng.integers(1, 6))
        kind = trial % 3
        x = rng.choice(POWER_SPECIALS, n) if kind == 0 else \
            rng.uniform(0.1, 3.0, n) * 10.0 ** rng.integers(-3, 3)
        if kind == 2:
            x[rng.integers(n)] = rng.choice(POWER_SPECIALS)
        if trial % 7 == 0:
            x = np.concatenate([x, x])[::2]
        p = rng.standard_normal((n, m))
        q = rng.standard_normal(m)
        if trial % 4 == 0:
            p[rng.integers(n)] = rng.choice([0.0, -0.0, np.inf, np.nan, 1e300])
            q[0] = rng.choice([0.0, -0.0, np.inf, np.nan, 1e300])
        c = rng.choice(NUMBERS) if trial % 2 else rng.uniform(-3.0, 3.0)
        got = _mixed(form, x, p, c, q, False, state, answers)
        want = _mixed(form, x, p, c, q, True, state)
        assert got == want, (form, x, c, got[1], want[1])
    assert answers.count(True) > 20, answers.count(True)


@pytest.mark.parametrize("form", ["u ** k", "t ** k", "k ** u", "c ** u"])
def test_the_power_entries_against_the_analytic_slope(form):
    """mpmath's c x**(c-1) p + x**c log(x) q (u ** k; the second term alone for t ** k)
    and y c**(y-1) q + c**y log(c) p (k ** u; the second alone for a number c), within
    1e-13 relative, the entry's answer (a spy: True)."""
    rng = np.random.default_rng(9)
    x = rng.uniform(0.2, 3.0, 10)
    p = rng.standard_normal((10, 4))
    q = rng.standard_normal(4)
    c = 1.7
    cell = _power_cell(form)
    real = cell[0]
    answers = []

    def spy(*args):
        answers.append(real(*args))
        return answers[-1]
    tag = dg.Dual(0.0, q).tag
    cell[0] = spy
    try:
        got = FORMS[form](dg.Dual(x, p, tag=tag), x, dg.Dual(c, q, tag=tag), c)
    finally:
        cell[0] = real
    assert answers == [True]
    with mpmath.workprec(100):
        C = mpmath.mpf(c)
        for i in range(10):
            X = mpmath.mpf(x[i])
            for j in range(4):
                P, Q = mpmath.mpf(p[i, j]), mpmath.mpf(q[j])
                if form == "u ** k":
                    want = C * X ** (C - 1) * P + X ** C * mpmath.log(X) * Q
                elif form == "t ** k":
                    want = X ** C * mpmath.log(X) * Q
                elif form == "k ** u":
                    want = X * C ** (X - 1) * Q + C ** X * mpmath.log(C) * P
                else:
                    want = C ** X * mpmath.log(C) * P
                assert got.partials[i, j] == pytest.approx(float(want), rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("form", ["u ** k", "k ** u"])
def test_the_power_entries_skip_numpys_calls(form, monkeypatch):
    """Numba loaded, ten ordinary values: the entry answers and ``lean_power_mixed``'s
    NumPy calls (np.power, np.log, the 0-d arrays) do not run but ``np.log`` of the
    number base (``k ** u``: NumPy's call as before); at an infinite value the entry
    declines (an inf value's power of a negative exponent: no flag, but the factor
    test) and the old lines run."""
    from dualgrad.dispatch import _lean_small
    x = np.linspace(0.5, 2.0, 10)
    p = np.ones((10, 3))
    q = np.array([1.0, 2.0, 3.0])
    cell = _power_cell(form)
    names = []

    class Counting:
        def __getattr__(self, name):
            names.append(name)
            return getattr(np, name)

    def counted(fn, label):
        def call(*args):
            names.append(label)
            return fn(*args)
        return call
    answers = []
    real = cell[0]

    def spy(*args):
        answers.append(real(*args))
        return answers[-1]
    tag = dg.Dual(0.0, q).tag
    k = dg.Dual(0.7, q, tag=tag)
    with monkeypatch.context() as m:
        m.setattr(_lean_small, "np", Counting())
        m.setattr(_lean_small, "_array", counted(np.array, "array"))
        m.setattr(_lean_small, "_log", counted(np.log, "log(c)"))
        cell[0] = spy
        try:
            got = FORMS[form](dg.Dual(x, p, tag=tag), x, k, 0.7)
            assert answers == [True]
            assert names == ([] if form == "u ** k" else ["log(c)"])
            y = x.copy()
            y[3] = np.inf if form == "u ** k" else 1e6      # 0.7 ** 1e6 underflows
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                FORMS[form](dg.Dual(y, p, tag=tag), y, k, 0.7)
            assert answers[1] is False and "power" in names
        finally:
            cell[0] = real
    want = x ** 0.7 if form == "u ** k" else 0.7 ** x
    np.testing.assert_array_equal(got.value, want)


# ---- np.arctan2 / np.hypot of a plain array and a scalar dual (lean_constant) ---------
CONST_FORMS = {
    "np.arctan2(t, k)": (np.arctan2, 1, lambda t, k: np.arctan2(t, k)),
    "np.arctan2(k, t)": (np.arctan2, 0, lambda t, k: np.arctan2(k, t)),
    "np.hypot(k, t)": (np.hypot, 0, lambda t, k: np.hypot(k, t)),
    "np.hypot(t, k)": (np.hypot, 1, lambda t, k: np.hypot(t, k))}
CONST_SPECIALS = np.array([0.0, -0.0, 5e-324, -5e-324, 1e-310, 1e-300, -1e-300, 1e300,
                           -1e300, 1e308, np.inf, -np.inf, np.nan, 0.5, -1.5, 2.0, 1e154])


def _const_cell(ufunc, k):
    _loader.load()
    got = backend.CONST.get((ufunc, k, "loops"))
    return got if got is not None else backend.const_loops_made(ufunc, k)


def _constant(form, x, c, q, off, state, answers=None):
    """``form`` of the plain ``x`` and the scalar dual ``(c, q)`` with its loops entry as
    it is or off (the old way): the result's bytes (or the error's text) and NumPy's
    reports; ``answers`` collects the entry's."""
    ufunc, k, op = CONST_FORMS[form]
    key = (ufunc, k, "loops")
    held = _const_cell(ufunc, k)
    if off:
        backend.CONST[key] = False
    elif answers is not None:
        def spy(*args):
            answers.append(held[0](*args))
            return answers[-1]
        backend.CONST[key] = (spy, held[1])
    try:
        with warnings.catch_warnings(record=True) as seen, np.errstate(**state):
            warnings.simplefilter("always")
            try:
                got = op(x, dg.Dual(float(c), q))
                got = (type(got).__name__, got.value.tobytes(), got.partials.tobytes())
            except FloatingPointError as exc:
                got = ("error", str(exc))
        return got, [str(w.message) for w in seen]
    finally:
        backend.CONST[key] = held


@pytest.mark.parametrize("state", [{}, {"all": "warn"}, {"all": "raise"}],
                         ids=["default", "warn", "raise"])
@pytest.mark.parametrize("form", list(CONST_FORMS))
def test_the_constant_entries_are_the_old_way_to_the_bit(form, state):
    """Numba loaded, plain 1-D arrays of 1-12 elements holding the specials (hypot's
    overflow at 1e308, zeros beside a zero scalar, inf, NaN), strided ones every
    seventh trial, sixteen numbers and random ones, rows holding 0, -0, inf, NaN,
    1e300: bits and reports (or the error) of the same call with the entry off."""
    rng = np.random.default_rng(272)
    answers = []
    for trial in range(160):
        n, m = int(rng.integers(1, 13)), int(rng.integers(1, 6))
        x = rng.choice(CONST_SPECIALS, n) if trial % 3 == 0 else rng.uniform(-3.0, 3.0, n)
        if trial % 3 == 2:
            x[rng.integers(n)] = rng.choice(CONST_SPECIALS)
        if trial % 7 == 0:
            x = np.concatenate([x, x])[::2]
        q = rng.standard_normal(m)
        if trial % 4 == 0:
            q[0] = rng.choice([0.0, -0.0, np.inf, np.nan, 1e300])
        c = rng.choice(NUMBERS) if trial % 2 else rng.uniform(-3.0, 3.0)
        got = _constant(form, x, c, q, False, state, answers)
        want = _constant(form, x, c, q, True, state)
        assert got == want, (form, x, c, got[1], want[1])
    assert answers.count(True) > 20, answers.count(True)


def test_the_constant_entries_against_the_analytic_slope():
    """mpmath's d/dk of arctan2(t, k), arctan2(k, t), hypot(k, t) times the row, within
    1e-13 relative, and NumPy's value to the bit; the entry's answer (a spy: True)."""
    rng = np.random.default_rng(11)
    t = rng.uniform(-3.0, 3.0, 10)
    q = rng.standard_normal(3)
    c = 0.7
    slopes = {"np.arctan2(t, k)": lambda t, c: -t / (t * t + c * c),   # (functions of
              "np.arctan2(k, t)": lambda t, c: t / (t * t + c * c),    # the grid's t and
              "np.hypot(k, t)": lambda t, c: c / mpmath.sqrt(t * t + c * c)}    # k's c)
    for form, slope in slopes.items():
        answers = []
        got = None

        def run():
            return CONST_FORMS[form][2](t, dg.Dual(c, q))
        ufunc, k, _ = CONST_FORMS[form]
        held = _const_cell(ufunc, k)

        def spy(*args):
            answers.append(held[0](*args))
            return answers[-1]
        backend.CONST[(ufunc, k, "loops")] = (spy, held[1])
        try:
            got = run()
        finally:
            backend.CONST[(ufunc, k, "loops")] = held
        assert answers == [True], form
        np.testing.assert_array_equal(got.value, CONST_FORMS[form][2](t, c))
        with mpmath.workprec(100):
            for i in range(10):
                f = slope(mpmath.mpf(t[i]), mpmath.mpf(c))
                for j in range(3):
                    assert got.partials[i, j] == pytest.approx(
                        float(f * mpmath.mpf(q[j])), rel=1e-13, abs=1e-300)
