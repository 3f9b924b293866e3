"""Issue 13, stop 68 (small68): ``u ** y`` of a small 1-D array dual and a number ``y``
(a Python int or float, a NumPy float) computes NumPy's part of the power row's regular
branch, ``w = x ** (y - 1.0)``, and hands it to one compiled entry point
(``backend.POWER_NUMBER``: the factor ``y * w`` by the table's generated
``regular_power_x``, its tests and the products), where it computed the factor
``y * x ** (y - 1.0)`` by NumPy after a zero test on the values and then called
``POWER_SCALE``'s entry.  Where the entry declines (a zero base, a factor that is not
finite or underflowed) the old lines run.  The exponent is a Python float throughout
(NumPy's float64 of it): an infinite exponent no longer reports (or, under
``np.errstate(all="raise")``, raises) the ``inf - inf`` of a NumPy float's finiteness
test, a report the float operation does not make.

Oracles: the general path (``dispatch._ufuncs.call``) to the bit on values holding zeros,
subnormals, 1e-300, 1e300, infinities, NaN and negative bases, with NumPy's float call's
reports; mpmath's ``y x ** (y - 1)`` times each partial on regular values; the float
operation's reports and errors for an infinite exponent.  On 0e40b8b the path test
fails (no ``_POWER_NUMBER``) and so does the infinite exponent's."""

import warnings

import mpmath
import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _lean_small
from dualgrad.dispatch._ufuncs import call
from dualgrad.dual import new_tag
from dualgrad.rules._table import rule_for

from _probes import loaded_or_not, same_duals  # noqa: F401  (the fixture by name)

SPECIAL = [0.0, -0.0, 5e-324, -5e-324, 1e-310, 1e-300, -1e-300, 1e300, -1e300, np.inf,
           -np.inf, np.nan, -1.5, -2.0, 1.5, 3.0]
EXPONENTS = [-1, -1.0, np.float64(-1.0), 2.5, np.float64(2.5), 0.5, -2, 7, -0.5, 1.5, 1,
             -3.5, 1e-3]


def _values(rng, pattern, N=10):
    if pattern == 0:
        return rng.uniform(0.5, 2.0, N)
    if pattern == 1:                      # one special among ordinary values
        x = rng.uniform(0.2, 4.0, N)
        x[rng.integers(N)] = SPECIAL[rng.integers(len(SPECIAL))]
        return x
    if pattern == 2:
        return rng.choice(SPECIAL, N)
    return np.exp(rng.uniform(-700.0, 700.0, N)) * rng.choice([-1.0, 1.0], N)


def _layouts(x, p):
    yield x, p
    yield np.repeat(x, 2)[::2], np.repeat(p, 2, axis=0)[::2]
    yield x, np.asfortranarray(p)


def _reports(fn):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category, str(w.message)) for w in seen]


@pytest.mark.parametrize("pattern", range(4))
def test_number_powers_bits_and_reports(pattern, loaded):
    """Every exponent on four value patterns in three layouts, numba loaded and not:
    the general path's bits, and the float operator's reports (once: the value's)."""
    rng = np.random.default_rng(68 + pattern)
    for b in EXPONENTS:
        p = rng.standard_normal((10, 4))
        p.flat[rng.integers(p.size, size=3)] = [np.nan, 0.0, 1e300]
        for x, p in _layouts(_values(rng, pattern), p):
            u = dg.Dual(x, p, tag=new_tag())
            got, said = _reports(lambda: u ** b)
            with np.errstate(all="ignore"):
                want = call(rule_for(np.power), (u, b))
            same_duals(got, want)
            # the float operator's reports: x ** -1 (an int) is np.reciprocal and x **
            # 0.5 np.sqrt in NumPy, whose words the dual's say since refusals69
            _, float_said = _reports(lambda: x ** b)
            assert said == float_said, (b, x, said, float_said)


@pytest.mark.parametrize("b", [-1, 2.5, np.float64(-1.0), 0.5, -2, -3.5])
def test_number_powers_against_mpmath(b):
    """``y x ** (y - 1) p`` in 50 digits on regular values, to 4 ulps (NumPy's power
    and two products rounded); the value of ``u ** -1`` and ``u ** 0.5`` correctly
    rounded (NumPy's loop takes ``1.0 / x`` and ``sqrt`` for those exponents)."""
    rng = np.random.default_rng(6)
    x = np.concatenate([rng.uniform(0.01, 50.0, 8), [1e-5, 1e5]])
    p = rng.standard_normal((10, 3))
    got = dg.Dual(x, p, tag=new_tag()) ** b
    with mpmath.workdps(50):
        y = mpmath.mpf(float(b))
        want = np.array([[float(y * mpmath.mpf(xi) ** (y - 1) * mpmath.mpf(pk))
                          for pk in row] for xi, row in zip(x, p)])
        value = np.array([float(mpmath.mpf(xi) ** y) for xi in x])
    np.testing.assert_allclose(got.partials, want, rtol=8.9e-16, atol=0)
    if b in (-1, 0.5):
        assert got.value.tobytes() == value.tobytes()
    else:
        np.testing.assert_allclose(got.value, value, rtol=4.5e-16, atol=0)


def test_number_power_path():
    """Small 1-D values with numba loaded: one call of ``POWER_NUMBER``'s entry, and not
    ``POWER_SCALE``'s; a zero base too since small70 (d25f92a9: the entry takes the
    zero base's branch, where it declined and the old lines ran after it); ``u ** 3``:
    the cube's entry alone."""
    from dualgrad.backend import _loader
    _loader.load()
    tag = new_tag()
    cells, held = {}, {}
    loops = _lean_small._NUMBER_LOOPS      # (small71's entry by NumPy's own loops, tried
    held_loops, loops[0] = loops[0], False     # first: off, so that these entries' way,
    try:                                       # where it declines, is the one held here;
        u = dg.Dual(np.linspace(0.5, 2.0, 10), np.ones((10, 2)), tag=tag)    # off before
        u ** 2.5                   # the entry points are made: run alone, the loops' entry
        zero = dg.Dual(np.linspace(0.0, 2.0, 10), np.ones((10, 2)), tag=tag)  # took these
        zero ** 2.5                # calls and left POWER_SCALE's cell unmade)
        cells = {"number": _lean_small._POWER_NUMBER, "scale": _lean_small._POWER_SCALE}
        calls, held = [], {name: cell[0] for name, cell in cells.items()}
        for name, cell in cells.items():
            cell[0] = (lambda name, real: lambda *a: calls.append(name) or real(*a))(
                name, cell[0])
        for b in (2.5, -1, np.float64(-1.0), 0.5, -2):
            calls.clear()
            u ** b
            assert calls == ["number"], b
        calls.clear()
        zero ** 2.5
        assert calls == ["number"]
        calls.clear()
        u ** 3
        assert calls == []
    finally:
        for name, cell in cells.items():
            cell[0] = held[name]
        loops[0] = held_loops


@pytest.mark.parametrize("c", [np.inf, -np.inf, np.float64(np.inf), np.float64(-np.inf)])
def test_infinite_exponent_reports_as_the_float_call(c, loaded):
    """``u ** inf``: NumPy's reports of ``np.power(x, inf)`` and no more (it reported
    ``invalid value encountered in scalar subtract`` of its own finiteness test), and
    under ``np.errstate(all="raise")`` the float call's error or none."""
    x = np.array([0.5, 1.5, 2.0, -3.0, 1.0, 0.0])
    u = dg.Dual(x, np.ones((6, 2)), tag=new_tag())
    got, said = _reports(lambda: u ** c)
    want, float_said = _reports(lambda: np.power(x, c))
    assert said == float_said
    assert got.value.tobytes() == want.tobytes()
    with np.errstate(all="raise"):
        try:
            np.power(x, c)
            float_error = None
        except FloatingPointError as exc:
            float_error = str(exc)
        try:
            u ** c
            error = None
        except FloatingPointError as exc:
            error = str(exc)
    assert error == float_error
