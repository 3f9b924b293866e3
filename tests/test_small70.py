"""Issue 13, stop 70 (small70): the N = 10 rows' fixed costs.

A number's power of a base holding a zero (``(a * z) ** 2.5``): the compiled entry
``_numba_kernels.power_number_entry`` declined at a zero base (``regular_power_x``
leaves the row's limits NaN) and the Python lines after it ran (the regular branch in
NumPy, the scale entry): ~12x the float op.  At ``x = +-0`` and a plain exponent ``c !=
0`` the row's branch is ``c * x ** (c - 1.0)`` itself (``_lean_small._ZERO_BASE``), the
factor those lines compute, so the entry takes it.

Oracles: the same call with the entry declining (the old way: its bits and NumPy's
reports), numba loaded and not, over exponents and bases of signed zeros, subnormals,
the far range, infinities and NaN, eager and fused engines inside a Jacobian; the
analytic slope ``c x ** (c - 1)`` (mpmath); a spy that the old lines do not run.  On the
tree before (8e7959df) the spy fails (the entry declines at a zero base).

A scalar dual with a plain float64 array under ``+ - * /`` (``k * t``, ``t / k``, ``k -
t``: ``lean_constant``): the value from the same compiled call as the partials
(``_rule_kernels``' ``_const_value`` entries; ``backend.CONST[ufunc, k, True]``), which
declines where NumPy would report on it (not finite, tiny beside no zero operand), as
``exact_row`` does beside an array dual; then NumPy's call and const69's entry as before.
And the scalar's partials as a float64 row kept for the last scalar that made one
(``dual._array.ROW_KEPT``): a parameter used with several arrays makes it once.

Oracles: the same call with every entry switched off (the old way: bits and NumPy's
reports, under the default error state and under ``np.errstate(all="warn")`` where an
underflow is reported), numba loaded and not, over signed zeros, subnormals, the far
range, inf and NaN, scalars of those values and rows holding them, read-only and strided
arrays, in a Jacobian under both engines; mpmath's d/dk; spies that NumPy's value call
(its scalar's conversion) and the row's remaking are skipped.  On 8e7959df the spies
fail (no value entry; no ``scalar_row``); the old-way and closed-form tests pass there.

An array dual with a plain float64 array under ``+ - * /`` (``u * t``, ``t / u``: the
``(a * z)`` of ``(a * z) ** 2.5``, 6.3 us against ``x * z``'s 0.34): ``_pair``'s NumPy
value and its one term in one compiled call (``backend.exact_plain``; the operators and,
for ``t * u``, ``__array_ufunc__``), declining as the operators' exact kernels do.
Oracles: the general path (``call`` under the NumPy engine) to the bit and the float
call's reports; mpmath's derivatives; a probe that ``small`` / ``_pair`` do not run.  On
8e7959df the probe fails."""

import warnings

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _loader
from dualgrad.dual import _array
from dualgrad.dispatch import _lean_small
from dualgrad.dispatch._ufuncs import call
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import rule_for
from dualgrad.backend import _kernels

from _probes import loaded_or_not, python_calls, same_duals, spy_on  # noqa: F401

BASES = [0.0, -0.0, 5e-324, -1e-310, 1e-300, 1e-160, 1e160, 1e300, -1e300, np.inf,
         -np.inf, np.nan, -1.5, 3.0, 0.7]
EXPONENTS = [2.5, 1.0, 1.0 + 2.0 ** -52, 1.5, 2.0, 3.0 + 2.0 ** -51, 4.0, 7.0, 1e10,
             2.0 ** 53, 0.999, 0.5, 1e-300, -1.0, -2.5, -3.0, -1e300, 3, -1, 2]


def _reports(fn):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category, str(w.message)) for w in seen]


class _Declines:
    """``_lean_small._POWER_NUMBER``'s cell with an entry that declines (the old way)."""

    def __getitem__(self, i):
        return lambda *args: False


def _zero_bases(rng, pattern):
    x = rng.uniform(0.3, 3.0, 10) * rng.choice([-1.0, 1.0], 10)
    x[3], x[7] = 0.0, -0.0
    if pattern == 1:
        x[rng.integers(10, size=3)] = rng.choice(BASES, 3)
    elif pattern == 2:
        x = rng.choice(BASES, 10)
        x[0] = -0.0
    return x


@pytest.mark.parametrize("pattern", range(3))
def test_a_zero_base_power_is_the_old_way_to_the_bit(pattern, loaded, monkeypatch):
    """``u ** c`` and ``np.power(u, c)`` at bases holding +-0 (with specials beside them),
    twenty exponents, partials holding 0, -0, NaN, inf and 1e300: the bits and reports
    of the same call with the entry declining, numba loaded and not."""
    rng = np.random.default_rng(7000 + pattern)
    for c in EXPONENTS:
        p = rng.standard_normal((10, 4))
        p.flat[rng.integers(p.size, size=4)] = [0.0, -0.0, np.nan, 1e300]
        u = dg.Dual(_zero_bases(rng, pattern), p, tag=new_tag())
        for op in (lambda: u ** c, lambda: np.power(u, c)):
            got, said = _reports(op)
            with monkeypatch.context() as m:
                m.setattr(_lean_small, "_POWER_NUMBER", _Declines())
                want, want_said = _reports(op)
            same_duals(got, want)
            assert said == want_said, (c, said, want_said)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_a_zero_base_power_in_a_jacobian(engine, monkeypatch):
    """The Jacobian of ``(x * z) ** c`` (z holding zeros) in both engines: the old
    way's bits."""
    _loader.load()
    z = np.ones(10)
    z[[2, 5]] = 0.0, -0.0
    x = np.linspace(0.5, 2.0, 10)
    for c in (2.5, 1.0, 3.5, 0.5, -1.5):
        def f(v):
            return (v * z) ** c
        with dg.engine(engine), np.errstate(all="ignore"):
            got = dg.jacobian(f, x)
            with monkeypatch.context() as m:
                m.setattr(_lean_small, "_POWER_NUMBER", _Declines())
                want = dg.jacobian(f, x)
        assert got.tobytes() == want.tobytes(), c


@pytest.mark.mp_dps(40)
@pytest.mark.parametrize("c", [1.0, 1.5, 2.0, 2.5, 3.5, 7.25])
def test_a_zero_base_power_against_the_analytic_slope(c, loaded):
    """d/dx x ** c = c x ** (c - 1) (mpmath), 0 at x = +-0 for c > 1 and 1 for c = 1."""
    x = np.linspace(0.5, 2.0, 10)
    x[3], x[8] = 0.0, -0.0
    p = np.arange(1.0, 31.0).reshape(10, 3)
    got = (dg.Dual(x, p, tag=new_tag()) ** c).partials
    want = [[float(mpmath.mpf(c) * mpmath.mpf(xi) ** (c - 1) * pj) if xi else
             (pj if c == 1.0 else 0.0) for pj in pi] for xi, pi in zip(x, p)]
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


def test_a_zero_base_power_takes_the_entry(monkeypatch):
    """Numba loaded, small 1-D values with zeros: the entry's one call makes the
    partials; the lines after it (the scale entry's cell) do not run."""
    _loader.load()
    u = dg.Dual(np.array([0.5, 0.0, -0.0, 2.0] * 2 + [1.5, 0.0]),
                np.ones((10, 3)), tag=new_tag())
    u ** 2.5                                     # (the entries made)

    class _Refuses:
        def __getitem__(self, i):
            raise AssertionError("the old lines ran after the power entry")
    monkeypatch.setattr(_lean_small, "_POWER_SCALE", _Refuses())
    for c in (2.5, 1.0, 4.0, 1.5, 3.5):
        got = u ** c
        np.testing.assert_array_equal(got.value, u.value ** c)


# ---- a scalar dual with a plain array: the value in the entry; the row kept ----------------

GRID = [0.0, -0.0, 5e-324, -1e-310, 1e-300, 1e-200, 1e-160, 1e160, 1e300, -1e300, 1e308,
        np.inf, -np.inf, np.nan, -1.5, 3.0]
SCALARS = (0.7, -2.5, 1e-300, 1e-200, 1e-160, 1e155, 1e300, -1e300, 0.0, -0.0, 5e-324,
           np.inf, -np.inf, np.nan)
ARITHMETIC = (np.add, np.subtract, np.multiply, np.divide)


class _Off(dict):
    """``_lean_small._CONST`` with every entry switched off (the old way)."""

    def get(self, key, default=None):
        return False


def _grid(rng, pattern):
    t = rng.uniform(0.2, 4.0, 10) * rng.choice([-1.0, 1.0], 10)
    if pattern == 1:
        t[rng.integers(10, size=3)] = rng.choice(GRID, 3)
    elif pattern == 2:
        t = rng.choice(GRID, 10)
    elif pattern == 3:
        t = np.full(10, 1e308)                # sums and products that overflow
    elif pattern == 4:
        t = rng.uniform(1e-200, 1e-190, 10)   # products and quotients that underflow
        t[3] = 0.0
    return t


def _layouts(base):
    strided = np.repeat(base, 2)[::2]
    frozen = base.copy()
    frozen.flags.writeable = False
    return base, strided, base[::-1], frozen


@pytest.mark.parametrize("warn", [False, True])
@pytest.mark.parametrize("pattern", range(5))
def test_the_value_in_the_entry_is_the_old_way_to_the_bit(pattern, warn, loaded, monkeypatch):
    """``k op t`` and ``t op k`` for ``+ - * /``: the bits and reports of the same call
    with every entry switched off, numba loaded and not, default error state and every
    report on (an underflow NumPy reports, which the entry leaves to NumPy)."""
    rng = np.random.default_rng(7010 + pattern)
    for kv in SCALARS:
        q = rng.standard_normal(4)
        q[rng.integers(4)] = rng.choice([0.0, -0.0, np.nan, np.inf, 1e300, 5e-324])
        k = dg.Dual(float(kv), list(q), tag=new_tag())
        for t in _layouts(_grid(rng, pattern)):
            for ufunc in ARITHMETIC:
                for args in ((k, t), (t, k)):
                    with np.errstate(all="warn" if warn else "ignore"):
                        got, said = _reports(lambda: ufunc(*args))
                        with monkeypatch.context() as m:
                            m.setattr(_lean_small, "_CONST", _Off())
                            want, want_said = _reports(lambda: ufunc(*args))
                    same_duals(got, want)
                    assert said == want_said, (ufunc, kv, t, said, want_said)


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_a_scalar_with_a_plain_array_in_a_jacobian(engine, monkeypatch):
    """A Jacobian of ``k * t + t / k - (k - t) * k`` in a scalar ``k`` (several uses of
    one scalar: the kept row) in both engines: the old way's bits."""
    _loader.load()
    t = np.linspace(-2.0, 2.0, 10)

    def f(v):
        k, m = v[0], v[1]
        return k * t + t / k - (k - t) * m + (t + m) / k
    for v in (np.array([0.7, -1.3]), np.array([1e-200, 3.0]), np.array([1e300, 0.0])):
        with dg.engine(engine), np.errstate(all="ignore"):
            got = dg.jacobian(f, v)
            with monkeypatch.context() as m:
                m.setattr(_lean_small, "_CONST", _Off())
                want = dg.jacobian(f, v)
        assert got.tobytes() == want.tobytes(), v


@pytest.mark.mp_dps(40)
def test_the_value_in_the_entry_against_closed_forms(loaded):
    """d/dk of k + t, k - t, t - k, k * t, t / k, k / t times the row (mpmath, rtol
    1e-14), and NumPy's float values to the bit, two scalars alternating (the kept
    row is the right scalar's)."""
    rng = np.random.default_rng(7020)
    t = rng.uniform(0.3, 3.0, 10) * rng.choice([-1.0, 1.0], 10)
    rows = ([0.3, -1.1, 0.8], [2.0, 0.5, -7.0])
    tag = new_tag()
    ks = [dg.Dual(kv, q, tag=tag) for kv, q in zip((0.7, -1.9), rows)]
    for _ in range(2):
        for k, q in zip(ks, rows):
            K = mpmath.mpf(k.value)
            forms = [(lambda: k + t, lambda: k.value + t, lambda ti: 1),
                     (lambda: k - t, lambda: k.value - t, lambda ti: 1),
                     (lambda: t - k, lambda: t - k.value, lambda ti: -1),
                     (lambda: k * t, lambda: k.value * t, lambda ti: ti),
                     (lambda: t / k, lambda: t / k.value, lambda ti: -ti / K ** 2),
                     (lambda: k / t, lambda: k.value / t, lambda ti: 1 / ti)]
            for op, value, d in forms:
                got = op()
                np.testing.assert_array_equal(got.value, value())
                want = [[float(d(mpmath.mpf(ti)) * mpmath.mpf(qj)) for qj in q] for ti in t]
                np.testing.assert_allclose(got.partials, want, rtol=1e-14, atol=0)


def test_numpys_value_call_is_skipped(monkeypatch):
    """Numba loaded, small 1-D values: ``+ - * /`` with a scalar dual on either side
    never converts the scalar for NumPy's value call (``_lean_small._f64``, the line
    before it); NumPy makes it where the entry declines (an overflowing value)."""
    _loader.load()
    k = dg.Dual(0.7, [1.0, 2.0, 3.0], tag=new_tag())
    t = np.linspace(0.5, 2.0, 10)
    ops = (lambda: k * t, lambda: t * k, lambda: t / k, lambda: k / t, lambda: k - t,
           lambda: t - k, lambda: k + t, lambda: t + k)
    for op in ops:
        op()
    made = []
    real = _lean_small._f64
    monkeypatch.setattr(_lean_small, "_f64", lambda v: made.append(v) or real(v))
    for op in ops:
        got = op()
        assert type(got) is type(ops[0]()) and not made, made
    big = np.full(10, 1e308)
    with np.errstate(over="ignore"):
        got = (k * 1e10) * big                     # inf values: NumPy's call
    assert made and np.isinf(got.value).all()
    assert backend.CONST[np.multiply, 0, True] and backend.CONST[np.divide, 1, True]
    assert backend.const_entry(np.arctan2, 1, True) is False      # + - * / only


def test_the_value_entry_declines():
    """The entry returns False where NumPy would report on the value (inf, NaN, an
    underflow beside no zero operand), and for other lengths; True at an exact 0."""
    _loader.load()
    multiply = backend.const_entry(np.multiply, 1, True)     # x * y, the scalar y
    divide = backend.const_entry(np.divide, 1, True)
    out, t = np.empty(10), np.empty((10, 3))
    row = np.array([1.0, np.nan, -0.0])
    x = np.linspace(0.5, 2.0, 10)
    assert multiply(x, 0.7, out, row, t)
    np.testing.assert_array_equal(out, x * 0.7)
    np.testing.assert_array_equal(t[:, 0], x)
    assert not multiply(np.full(10, 1e-200), 1e-200, out, row, t)      # underflow
    assert multiply(np.zeros(10), 1e-200, out, row, t)                 # an exact 0
    assert not multiply(np.full(10, 1e200), 1e200, out, row, t)        # overflow
    assert not divide(x, 0.0, out, row, t)                             # x / 0
    assert not multiply(np.full(10, np.nan), 0.7, out, row, t)
    assert not multiply(x[:9], 0.7, out, row, t)                       # other lengths


def test_the_row_is_made_once_per_scalar(monkeypatch):
    """One scalar with several arrays makes its row once (``dual._array.scalar_row``);
    another scalar makes its own; the kept row is read-only."""
    _loader.load()
    tag = new_tag()
    k = dg.Dual(0.7, [1.0, 2.0, 3.0], tag=tag)
    m = dg.Dual(1.3, [-1.0, 0.5, 4.0], tag=tag)
    t = np.linspace(0.5, 2.0, 10)
    u = dg.Dual(t, np.ones((10, 3)), tag=tag)
    made = []                                   # the scalars whose row was made, in order
    for module, name in ((_lean_small, "_scalar_row"), (_array, "scalar_row")):
        spy_on(monkeypatch, module, name, lambda args, r: made.append(args[0]))
    _array.ROW_KEPT[0] = (None, None)
    for op in (lambda s: s * t, lambda s: t / s, lambda s: np.arctan2(t, s),
               lambda s: s * u, lambda s: u ** s, lambda s: s ** u, lambda s: t ** s):
        for s in (k, k, m, k):                  # k kept from the op before, but first
            op(s)
    assert [s is k for s in made] == [True, False, True] + [False, True] * 6, made
    kept, row = _array.ROW_KEPT[0]
    assert not row.flags.writeable and row.tolist() == kept._plist()


# ---- an array dual with a plain array: _pair's value and term in one kernel call ----------

_PLAIN_FORMS = ((np.add, lambda u, t: u + t), (np.add, lambda u, t: t + u),
                (np.subtract, lambda u, t: u - t), (np.subtract, lambda u, t: t - u),
                (np.multiply, lambda u, t: u * t), (np.multiply, lambda u, t: t * u),
                (np.divide, lambda u, t: u / t), (np.divide, lambda u, t: t / u))


def _operands(op, u, t):
    """The general path's operands of ``op(u, t)`` (the plain array's side)."""
    class _Mark:
        def __add__(s, o): return (s, o)
        __sub__ = __mul__ = __truediv__ = __add__

        def __radd__(s, o): return (o, s)
        __rsub__ = __rmul__ = __rtruediv__ = __radd__
    m = _Mark()
    first = op(m, 0.0)
    return (u, t) if first[0] is m else (t, u)


def _plain_off(monkeypatch, request):
    """Every plain-array kernel switched off until the test ends (the old way: the
    operators' cells emptied, ``backend.exact_plain`` answering ``None``)."""
    from dualgrad.backend import _propagate
    monkeypatch.setattr(_array, "_exact_plain", lambda *args: None)
    for key, cell in _propagate._EXACT_CELLS.items():
        if type(key) is tuple and key[-1] == "plain":
            request.addfinalizer(lambda c=cell, held=cell[0]: c.__setitem__(0, held))
            cell[0] = None


@pytest.mark.parametrize("warn", [False, True])
@pytest.mark.parametrize("pattern", range(5))
def test_a_plain_array_is_the_old_way_to_the_bit(pattern, warn, loaded, monkeypatch,
                                                 request):
    """``u op t`` and ``t op u`` for ``+ - * /``, five value patterns for each side, four
    layouts of ``t``, partials holding 0, -0, NaN, inf, 1e300 and subnormals: the bits
    of the same call with the kernels off and the float call's reports, numba loaded
    and not, default error state and every report on; the general path's bits (``call``
    under the NumPy engine) but for ``u / t`` past |t| = 4.5e307 (1 / t below the normal
    range: the lean path's one product there, ``u / t``'s old way, which the kernel
    leaves to it; the general path takes two steps) and for factors whose sum overflows
    (t = 1e308: numba loaded, the old way's scale kernel tests each factor, the general
    path their sum, and writes +0.0 for a -0.0 partial: the kernel keeps the old way's)."""
    rng = np.random.default_rng(7030 + pattern)
    cases = []
    for trial in range(6):
        q = rng.standard_normal((10, 3))
        q.flat[rng.integers(q.size, size=4)] = rng.choice([0.0, -0.0, np.nan, np.inf, 1e300,
                                                           5e-324], 4)
        u = dg.Dual(_grid(rng, (pattern + trial) % 5), q, tag=new_tag())
        for t in _layouts(_grid(rng, pattern)):
            for ufunc, op in _PLAIN_FORMS:
                with np.errstate(all="warn" if warn else "ignore"):
                    got, said = _reports(lambda: op(u, t))
                    _, float_said = _reports(lambda: op(u.value, t))
                    with _kernels.use("numpy"), warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        general = call(rule_for(ufunc), _operands(op, u, t))
                if pattern != 3 and not (ufunc is np.divide and
                                         (np.absolute(t) > 4.5e307).any()):
                    same_duals(got, general)
                assert said == float_said, (ufunc, said, float_said)
                cases.append((op, u, t, got, warn))
    _plain_off(monkeypatch, request)
    for op, u, t, got, warn in cases:
        with np.errstate(all="warn" if warn else "ignore"):
            want, _ = _reports(lambda: op(u, t))
        same_duals(got, want)


def test_a_plain_array_of_other_shapes_takes_the_general_path():
    """Broadcast and 2-D operands, other lengths, an int array: the general path's bits."""
    _loader.load()
    tag = new_tag()
    u = dg.Dual(np.linspace(0.5, 2.0, 10), np.ones((10, 2)), tag=tag)
    w = dg.Dual(np.linspace(0.5, 2.0, 20).reshape(2, 10), np.ones((2, 10, 2)), tag=tag)
    for t in (np.array([2.0]), np.arange(10.0).reshape(1, 10), np.arange(1, 11),
              np.linspace(1.0, 3.0, 10)):
        for d in (u, w):
            for ufunc, op in _PLAIN_FORMS:
                got = op(d, t)
                with _kernels.use("numpy"):
                    want = call(rule_for(ufunc), _operands(op, d, t))
                same_duals(got, want)


@pytest.mark.mp_dps(40)
def test_a_plain_array_against_closed_forms(loaded):
    """d(u op t) and d(t op u) of ``+ - * /`` by mpmath (rtol 1e-14) and NumPy's value."""
    rng = np.random.default_rng(7040)
    x = rng.uniform(0.3, 3.0, 10) * rng.choice([-1.0, 1.0], 10)
    t = rng.uniform(0.3, 3.0, 10) * rng.choice([-1.0, 1.0], 10)
    p = rng.standard_normal((10, 3))
    u = dg.Dual(x, p, tag=new_tag())
    slopes = {0: lambda xi, ti: 1, 1: lambda xi, ti: 1, 2: lambda xi, ti: 1,
              3: lambda xi, ti: -1, 4: lambda xi, ti: ti, 5: lambda xi, ti: ti,
              6: lambda xi, ti: 1 / ti, 7: lambda xi, ti: -ti / xi ** 2}
    for j, (ufunc, op) in enumerate(_PLAIN_FORMS):
        got = op(u, t)
        np.testing.assert_array_equal(got.value, op(x, t))
        want = [[float(slopes[j](mpmath.mpf(xi), mpmath.mpf(ti)) * mpmath.mpf(pk))
                 for pk in pi] for xi, ti, pi in zip(x, t, p)]
        np.testing.assert_allclose(got.partials, want, rtol=1e-14, atol=0)


def test_a_plain_array_skips_the_general_steps():
    """Numba loaded, small 1-D values: ``u op t`` and ``t op u`` run no ``small`` /
    ``_pair`` (one kernel call); a declining kernel (an inf value) runs them."""
    _loader.load()
    u = dg.Dual(np.linspace(0.5, 2.0, 10), np.ones((10, 3)), tag=new_tag())
    t = np.linspace(-1.0, 1.0, 10)
    for _, op in _PLAIN_FORMS:
        op(u, t)
        names = python_calls(lambda: op(u, t))
        assert not {"small", "_pair", "call"} & set(names), names
    with np.errstate(all="ignore"):
        names = python_calls(lambda: u / np.zeros(10))
    assert "_pair" in names


def test_a_plain_array_first_reaches_lean_constant_at_once():
    """``t / k``, ``np.arctan2(t, k)``, ``t - k`` (NumPy's operator asks the scalar's
    ``__array_ufunc__``): ``lean_constant`` without the scalar's generated function,
    ``call_ufunc`` and ``lean_mixed`` before it; ``t ** k`` keeps ``lean_power_mixed``'s
    way (through ``lean_mixed``).  The bits are the old way's (the tests above)."""
    _loader.load()
    k = dg.Dual(0.7, [1.0, 2.0, 3.0], tag=new_tag())
    t = np.linspace(0.5, 2.0, 10)
    for op in (lambda: t / k, lambda: np.arctan2(t, k), lambda: t - k, lambda: t * k,
               lambda: np.hypot(t, k), lambda: np.logaddexp(t, k)):
        op()
        names = python_calls(op)
        assert "lean_constant" in names and \
            not {"call_ufunc", "lean_mixed"} & set(names), names
    names = python_calls(lambda: t ** k)
    assert "lean_power_mixed" in names
