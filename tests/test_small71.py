"""Issue 13, stop 71 (small71): a unary row's value and factor by NumPy's own loops.

``np.sin(a)`` of an array dual of ten values paid two NumPy calls (the value, then the
factor ``np.cos(x)`` under a hush of the error state), ``np.empty`` and the compiled
entry of the products: ~6x the float op ``np.sin(x)``, nearly all of it NumPy's
machinery around its loops.  ``backend._numpy_loops`` reads the float64 strided loops
NumPy's calls run (``ufunc._get_strided_loop``) and ``_numba_kernels.loop_scale_entry``
calls them on the same contiguous operands, then makes the products: one compiled call
for the value, the factor and the partials (``np.sin``, ``np.cos``, ``np.sinh``,
``np.cosh``, ``np.exp``, ``np.expm1``: a factor that is one NumPy ufunc of ``x``, negated
or not, or the value).  It
declines where the value's loop sets a floating-point exception flag (NumPy's call
would report it), the values are not contiguous, or the factor is not finite; the old
lines then run from the value on.

Oracles: the same call with the cell off (the old way: bits and NumPy's reports, under
the default error state, ``np.errstate(all="warn")`` and ``"raise"``), numba loaded,
over signed zeros, subnormals, the far range, infinities and NaN in values and
partials, strided, reversed, read-only and misaligned values; mpmath's derivatives
(cos x, -sin x, cosh x, sinh x, exp x); a spy that the entry answers and NumPy's own
``np.sin`` / ``np.cos`` calls are skipped; a flag left by a declined call reports
nothing later.  On the tree before (ee224665) the spy and the entry's tests fail (no
``backend.loop_cell``); the old-way comparisons pass there trivially."""

import warnings

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _loader

from _probes import same_duals

ROWS = [np.sin, np.cos, np.sinh, np.cosh, np.exp, np.expm1]
SPECIALS = np.array([0.0, -0.0, 5e-324, -5e-324, 1e-310, -1e-300, 1e-300, 1e300, -1e300,
                     np.inf, -np.inf, np.nan, 709.0, 710.0, -745.0, -800.0, 1e22, -3.5,
                     2.0 ** 52 + 1.0])
PARTIALS = np.array([0.0, -0.0, 1.0, -2.5, 1e300, -1e300, 5e-324, np.inf, np.nan])


def _call(ufunc, x, p, off, state):
    """``ufunc`` of the array dual ``(x, p)`` with its loop cell as it is or off (the
    old way), its result and NumPy's reports (or the error raised) as text."""
    cell = backend.loop_cell(ufunc)
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
        if off:
            cell[0] = held


def _values(rng, kind, n):
    if kind == "specials":
        return rng.choice(SPECIALS, n)
    x = rng.uniform(-30.0, 30.0, n) * 10.0 ** rng.integers(-6, 3)
    if kind == "one special":
        x[rng.integers(n)] = rng.choice(SPECIALS)
    return x


@pytest.mark.parametrize("state", [{}, {"all": "warn"}, {"all": "raise"}],
                         ids=["default", "warn", "raise"])
@pytest.mark.parametrize("ufunc", ROWS, ids=lambda u: u.__name__)
def test_the_entry_is_the_old_way_to_the_bit(ufunc, state):
    """Numba loaded, 1-D values of 1-11 elements: bits and reports (or the error) of
    the same call with the cell off, over values and partials holding the specials."""
    _loader.load()
    rng = np.random.default_rng(71)
    taken = 0
    for trial in range(240):
        n, m = int(rng.integers(1, 12)), int(rng.integers(1, 5))
        x = _values(rng, ("specials", "ordinary", "one special")[trial % 3], n)
        p = rng.choice(PARTIALS, (n, m)) if trial % 2 else rng.standard_normal((n, m))
        got, got_said = _call(ufunc, x, p, False, state)
        want, want_said = _call(ufunc, x, p, True, state)
        assert got_said == want_said, (x, got_said, want_said)
        if isinstance(want, str):
            assert got == want
        else:
            same_duals(got, want)
            taken += bool(np.isfinite(x).all())
    assert taken > 50                  # (the entry's own case, not only its declines)


@pytest.mark.parametrize("layout", ["strided", "reversed", "read-only", "misaligned"])
@pytest.mark.parametrize("ufunc", [np.sin, np.exp], ids=lambda u: u.__name__)
def test_other_layouts_are_the_old_way(ufunc, layout):
    """Values that are views: strided and reversed ones (the entry declines: NumPy's
    loops may round a strided operand apart), read-only ones (taken), misaligned ones
    (declined): the old way's bits."""
    _loader.load()
    rng = np.random.default_rng(5)
    base = rng.uniform(-3.0, 3.0, 20)
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


DERIVATIVES = {np.sin: mpmath.cos, np.cos: lambda x: -mpmath.sin(x), np.sinh: mpmath.cosh, np.cosh: mpmath.sinh,
               np.exp: mpmath.exp, np.expm1: mpmath.exp}


@pytest.mark.mp_dps(24)    # (83 bits: at least the 80 the test had)
@pytest.mark.parametrize("ufunc", ROWS, ids=lambda u: u.__name__)
def test_the_entry_against_the_analytic_slope(ufunc):
    """mpmath's derivative times each partial, within 1e-14 relative."""
    _loader.load()
    rng = np.random.default_rng(3)
    x = rng.uniform(-5.0, 5.0, 10)
    p = rng.standard_normal((10, 4))
    got = ufunc(dg.Dual(x, p))
    for i in range(10):
        slope = DERIVATIVES[ufunc](mpmath.mpf(x[i]))
        for k in range(4):
            want = float(slope * mpmath.mpf(p[i, k]))
            assert got.partials[i, k] == pytest.approx(want, rel=1e-14, abs=1e-300)


def test_numpys_calls_are_skipped(monkeypatch):
    """Numba loaded, ten ordinary values: the entry answers (True) and NumPy's own
    ``np.sin`` / ``np.cos`` are not called on the values; at an infinite value the entry
    declines and NumPy's calls run (reporting the value's invalid operation)."""
    _loader.load()
    x = np.linspace(-2.0, 2.0, 10)
    p = np.ones((10, 3))
    np.sin(dg.Dual(x, p))                      # (makes the cell)
    cell = backend.loop_cell(np.sin)
    assert cell[0]
    answers = []
    real = cell[0]

    def spy(*args):
        answers.append(real(*args))
        return answers[-1]
    names = []

    class Counting:
        def __getattr__(self, name):
            names.append(name)
            return getattr(np, name)

    def value(*args):
        names.append("value")
        return np.sin(*args)
    from dualgrad.dual import _array
    namespace = _array._LEAN[np.sin].__globals__
    cell[0] = spy
    try:
        with monkeypatch.context() as m:
            m.setitem(namespace, "np", Counting())
            m.setitem(namespace, "_U", value)
            got = np.sin(dg.Dual(x, p))
            assert answers == [True] and names == []
            y = x.copy()
            y[4] = np.inf
            with pytest.warns(RuntimeWarning, match="invalid value encountered in sin"):
                bad = np.sin(dg.Dual(y, p))
            assert answers == [True, False] and names == ["value", "cos"]
    finally:
        cell[0] = real
    np.testing.assert_array_equal(got.value, np.sin(x))
    np.testing.assert_array_equal(got.partials, np.cos(x)[:, None] * p)
    assert np.isnan(bad.value[4])


def test_no_flag_is_left_behind():
    """A declined call (the value's loop raised the invalid flag) and a taken one leave
    no flag that a later NumPy call reports: NumPy's calls clear the flags before their
    loops, and the entry clears them after its own."""
    _loader.load()
    p = np.ones((3, 2))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        np.sinh(dg.Dual(np.array([1.0, 800.0, 2.0]), p))     # overflow: declined
    np.sinh(dg.Dual(np.array([1.0, 8.0, 2.0]), p))
    with np.errstate(all="raise"):
        assert np.add(np.ones(3), 1.0).tolist() == [2.0, 2.0, 2.0]
        assert (np.ones(3) * 2.0).sum() == 6.0


def test_a_ufunc_without_a_numpy_loop_keeps_numpys_calls():
    """``_numpy_loops.loops`` answers ``None`` for a ufunc not NumPy's own (a scipy.special
    ufunc reports through its own error state, which no flag shows) and for a loop it
    cannot read; the cell of such a rule holds ``False``."""
    sc = pytest.importorskip("scipy.special")
    _loader.load()
    from dualgrad.backend import _numpy_loops
    assert _numpy_loops.loops(sc.erf) is None
    assert _numpy_loops.loops(np.sin, sc.erf) is None
    assert _numpy_loops.loops(np.add) is None
    table = _numpy_loops.loops(np.sin, np.cos, True)
    assert table is not None and not table.flags.writeable and table[7] == 1


# ---- u ** v of two array duals (lean_power_pair) -------------------------------------
POWER_SPECIALS = np.array([0.0, -0.0, 5e-324, -5e-324, 1e-310, 1e-300, -1e-300, 1e300,
                           -1e300, np.inf, -np.inf, np.nan, 700.0, 0.5, -1.5, 2.0, 1.0,
                           -1.0, 3.0, 1e22, 1e-3])


def _power(x, y, p, q, off, state):
    """``u ** v`` with ``backend.POWER_LOOPS`` as it is or off (the old way): the
    result's value and partials (or the error's text) and NumPy's reports."""
    cell = backend.POWER_LOOPS
    held = cell[0]
    if off:
        cell[0] = False
    try:
        with warnings.catch_warnings(record=True) as seen, np.errstate(**state):
            warnings.simplefilter("always")
            try:
                got = dg.Dual(x, p) ** dg.Dual(y, q)
            except FloatingPointError as exc:
                got = str(exc)
        return got, [str(w.message) for w in seen]
    finally:
        if off:
            cell[0] = held


@pytest.mark.parametrize("state", [{}, {"all": "warn"}, {"all": "raise"}],
                         ids=["default", "warn", "raise"])
def test_the_power_entry_is_the_old_way_to_the_bit(state):
    """Numba loaded, 1-D values of 1-11 elements, bases and exponents holding the
    specials (zeros, subnormals, the far range, inf, NaN, negative bases, 1 and 0
    exponents), partials holding them too: bits and reports (or the error) of the same
    call with the cell off."""
    _loader.load()
    rng = np.random.default_rng(171)
    taken = 0
    for trial in range(600):
        n, m = int(rng.integers(1, 12)), int(rng.integers(1, 5))
        kind = trial % 4
        x = rng.choice(POWER_SPECIALS, n) if kind == 0 else \
            rng.uniform(0.01, 30.0, n) * 10.0 ** rng.integers(-3, 3)
        y = rng.choice(POWER_SPECIALS, n) if kind == 1 else rng.uniform(-10.0, 10.0, n)
        if kind == 3:
            x[rng.integers(n)] = rng.choice(POWER_SPECIALS)
        p = rng.choice(PARTIALS, (n, m)) if trial % 2 else rng.standard_normal((n, m))
        q = rng.standard_normal((n, m))
        got, got_said = _power(x, y, p, q, False, state)
        want, want_said = _power(x, y, p, q, True, state)
        assert got_said == want_said, (x, y, got_said, want_said)
        if isinstance(want, str):
            assert got == want
        else:
            same_duals(got, want)
            taken += kind == 2
    assert taken == 150


@pytest.mark.parametrize("layout", ["strided base", "reversed exponent", "read-only",
                                    "misaligned"])
def test_power_layouts_are_the_old_way(layout):
    """Bases or exponents that are views (the entry declines where one is not
    contiguous and aligned), read-only ones (taken): the old way's bits."""
    _loader.load()
    rng = np.random.default_rng(7)
    x, y = rng.uniform(0.5, 3.0, 20), rng.uniform(-2.0, 2.0, 20)
    if layout == "strided base":
        x, y = x[::2], y[:10]
    elif layout == "reversed exponent":
        x, y = x[:10], y[::-1][:10]
    elif layout == "read-only":
        x, y = x[:10].copy(), y[:10].copy()
        x.flags.writeable = y.flags.writeable = False
    else:
        raw = np.zeros(10 * 8 + 1, np.uint8)
        x, y = np.frombuffer(raw.data, np.float64, 10, 1), y[:10]
        x[...] = rng.uniform(0.5, 3.0, 10)
    p, q = rng.standard_normal((10, 3)), rng.standard_normal((10, 3))
    got, got_said = _power(x, y, p, q, False, {})
    want, want_said = _power(x, y, p, q, True, {})
    same_duals(got, want)
    assert got_said == want_said == []


@pytest.mark.mp_dps(24)    # (83 bits: at least the 80 the test had)
def test_the_power_entry_against_the_analytic_partials():
    """mpmath's ``y x**(y - 1) p + x**y log(x) q`` within 1e-13 relative (two rounded
    factors, two products and their sum)."""
    _loader.load()
    rng = np.random.default_rng(9)
    x, y = rng.uniform(0.2, 4.0, 10), rng.uniform(-3.0, 3.0, 10)
    p, q = rng.uniform(0.5, 1.5, (10, 3)), rng.uniform(0.5, 1.5, (10, 3))
    got = dg.Dual(x, p) ** dg.Dual(y, q)
    for i in range(10):
        X, Y = mpmath.mpf(x[i]), mpmath.mpf(y[i])
        assert got.value[i] == pytest.approx(float(X ** Y), rel=1e-15)
        for k in range(3):
            want = Y * X ** (Y - 1) * mpmath.mpf(p[i, k]) + \
                X ** Y * mpmath.log(X) * mpmath.mpf(q[i, k])
            assert got.partials[i, k] == pytest.approx(float(want), rel=1e-13)


def test_the_power_entry_skips_numpys_calls(monkeypatch):
    """Numba loaded, ten ordinary values: the entry answers (True) and none of
    ``lean_power_pair``'s NumPy calls runs (``np.power``, ``np.log``, the power operator
    on the values); at a zero base the entry declines (the row's limit there) and they
    run."""
    _loader.load()
    from dualgrad.dispatch import _lean_small
    x, y = np.linspace(0.5, 2.0, 10), np.linspace(-1.0, 1.0, 10)
    p, q = np.ones((10, 2)), np.ones((10, 2))
    dg.Dual(x, p) ** dg.Dual(y, q)                   # (makes the cell)
    cell = backend.POWER_LOOPS
    assert cell[0]
    answers, names = [], []
    real = cell[0]

    def spy(*args):
        answers.append(real(*args))
        return answers[-1]

    class Counting:
        def __getattr__(self, name):
            names.append(name)
            return getattr(np, name)
    cell[0] = spy
    try:
        with monkeypatch.context() as m:
            m.setattr(_lean_small, "np", Counting())
            got = dg.Dual(x, p) ** dg.Dual(y, q)
            assert answers == [True] and names == []
            z = x.copy()
            z[3] = 0.0
            dg.Dual(z, p) ** dg.Dual(y, q)
            assert answers == [True, False] and names[:2] == ["power", "log"]
    finally:
        cell[0] = real
    np.testing.assert_array_equal(got.value, np.power(x, y))


# ---- u ** c of a number c (lean_power) ------------------------------------------------
EXPONENTS = [-1, -1.0, 0.5, 2.5, -2, 7, -0.5, 1.5, 1, -3.5, 1e-3, np.float64(2.5),
             np.float64(-1.0), 2.0, 0.7, 1e10, -1e300, 1.0 + 2.0 ** -52, 4]


def _number_power(x, c, p, off, state, spelled):
    """``u ** c`` (or ``np.power(u, c)``) with ``backend.NUMBER_LOOPS`` as it is or off."""
    cell = backend.NUMBER_LOOPS
    held = cell[0]
    if off:
        cell[0] = False
    try:
        with warnings.catch_warnings(record=True) as seen, np.errstate(**state):
            warnings.simplefilter("always")
            try:
                got = dg.Dual(x, p) ** c if spelled else np.power(dg.Dual(x, p), c)
            except FloatingPointError as exc:
                got = str(exc)
        return got, [str(w.message) for w in seen]
    finally:
        if off:
            cell[0] = held


@pytest.mark.parametrize("spelled", [True, False], ids=["operator", "np.power"])
@pytest.mark.parametrize("state", [{}, {"all": "warn"}, {"all": "raise"}],
                         ids=["default", "warn", "raise"])
def test_the_number_power_entry_is_the_old_way_to_the_bit(state, spelled):
    """Numba loaded, 1-D values of 1-11 elements holding the specials (zeros, subnormals,
    the far range, inf, NaN, negative bases), nineteen exponents (the operator's -1 and
    0.5, NumPy floats, 1e10, -1e300, 1 + 2**-52): bits and reports (or the error) of the
    same call with the cell off."""
    _loader.load()
    rng = np.random.default_rng(271)
    for trial in range(380):
        n, m = int(rng.integers(1, 12)), int(rng.integers(1, 5))
        kind = trial % 3
        x = rng.choice(POWER_SPECIALS, n) if kind == 0 else \
            rng.uniform(-3.0, 30.0, n) * 10.0 ** rng.integers(-3, 3)
        if kind == 2:
            x[rng.integers(n)] = rng.choice(POWER_SPECIALS)
        c = EXPONENTS[trial % len(EXPONENTS)]
        p = rng.choice(PARTIALS, (n, m)) if trial % 2 else rng.standard_normal((n, m))
        got, got_said = _number_power(x, c, p, False, state, spelled)
        want, want_said = _number_power(x, c, p, True, state, spelled)
        assert got_said == want_said, (x, c, got_said, want_said)
        if isinstance(want, str):
            assert got == want
        else:
            same_duals(got, want)


@pytest.mark.mp_dps(24)    # (83 bits: at least the 80 the test had)
def test_the_number_power_entry_against_the_analytic_slope():
    """mpmath's ``c x**(c - 1) p`` within 1e-14 relative, and the value ``x**c``."""
    _loader.load()
    rng = np.random.default_rng(19)
    x = rng.uniform(0.2, 4.0, 10)
    p = rng.standard_normal((10, 3))
    for c in (-1, 0.5, 2.5, -3.5, 7):
        got = dg.Dual(x, p) ** c
        C = mpmath.mpf(c)
        for i in range(10):
            X = mpmath.mpf(x[i])
            assert got.value[i] == pytest.approx(float(X ** C), rel=1e-15)
            for k in range(3):
                want = C * X ** (C - 1) * mpmath.mpf(p[i, k])
                assert got.partials[i, k] == pytest.approx(float(want), rel=1e-14)


def test_the_number_power_entry_skips_numpys_calls(monkeypatch):
    """Numba loaded, ten ordinary values: ``u ** 2.5``, ``u ** -1``, ``u ** 0.5`` and
    ``np.power(u, -1)``: the entry answers (True) and none of ``lean_power``'s NumPy
    calls runs; the operator's ``u ** -1`` still reports "... in reciprocal" at a zero
    (the entry declines on the value's flag: NumPy's calls run and report)."""
    _loader.load()
    from dualgrad.dispatch import _lean_small
    x = np.linspace(0.5, 2.0, 10)
    p = np.ones((10, 2))
    dg.Dual(x, p) ** 2.5                          # (makes the cell)
    cell = backend.NUMBER_LOOPS
    assert cell[0]
    answers, names = [], []
    real = cell[0]

    def spy(*args):
        answers.append(real(*args))
        return answers[-1]

    class Counting:
        def __getattr__(self, name):
            names.append(name)
            return getattr(np, name)

    def reciprocal(*args):
        names.append("reciprocal")
        return np.reciprocal(*args)
    cell[0] = spy
    try:
        with monkeypatch.context() as m:
            m.setattr(_lean_small, "np", Counting())
            m.setattr(_lean_small, "_reciprocal", reciprocal)
            got = [dg.Dual(x, p) ** 2.5, dg.Dual(x, p) ** -1, dg.Dual(x, p) ** 0.5,
                   np.power(dg.Dual(x, p), -1)]
            assert answers == [True] * 4 and names == []
            z = x.copy()
            z[3] = 0.0
            with pytest.warns(RuntimeWarning, match="divide by zero encountered in reciprocal"):
                dg.Dual(z, p) ** -1
            assert answers == [True] * 4 + [False] and names[0] == "reciprocal"
    finally:
        cell[0] = real
    for d, want in zip(got, (x ** 2.5, x ** -1, x ** 0.5, np.power(x, -1))):
        np.testing.assert_array_equal(d.value, want)


def test_the_loops_module_starts_no_process():
    """``backend._numpy_loops`` finds libm's fenv functions by the library's file name:
    ``ctypes.util.find_library`` started processes (ldconfig -p, gcc) at the import
    (fastci71's recorder counted them, 40f2eb76).  In a fresh process whose
    ``find_library`` and ``subprocess.Popen`` raise, the import still gives the
    flags' mask (on the platforms it knows)."""
    import platform
    import subprocess
    import sys
    if platform.machine().lower() not in ("x86_64", "aarch64", "arm64"):
        pytest.skip("no fenv mask known here")
    code = "\n".join([
        "import ctypes.util, subprocess",
        "def refuse(*a, **k):",
        "    raise AssertionError('a process was started')",
        "ctypes.util.find_library = refuse",
        "subprocess.Popen.__init__ = refuse",
        "from dualgrad.backend import _numpy_loops",
        "assert _numpy_loops.MASK, _numpy_loops.MASK",
        "print('ok')"])
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr


def test_reading_the_loops_leaves_ctypes_shared_prototype_alone():
    """``_numpy_loops`` reads NumPy's capsule through a private prototype of
    ``PyCapsule_GetPointer``: setting ``restype`` / ``argtypes`` on
    ``ctypes.pythonapi.PyCapsule_GetPointer`` (diff71 F4) changed that shared function
    object for every other user in the process (its default result is a C int)."""
    import ctypes
    import subprocess
    import sys
    code = "\n".join([
        "import ctypes, numpy as np",
        "from dualgrad.backend import _numpy_loops",
        "shared = ctypes.pythonapi.PyCapsule_GetPointer",
        "before = (shared.restype, shared.argtypes)",
        "_numpy_loops.loops(np.sin, np.cos)",
        "assert (shared.restype, shared.argtypes) == before, (shared.restype, before)",
        "print('ok')"])
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr

