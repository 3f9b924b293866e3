"""``np.power(u, b)`` of an array dual and a number takes ``u ** b``'s lean path, and
``u ** 3`` evaluates its factor in a compiled entry point (issue 13, small61).

``np.power(u, 3)`` went ``small``'s general loop (19.5x the float op at N = 10, ``u ** 3``
4.0x); now ``dispatch._lean_small.lean`` hands ``dual._array._LEAN`` a function that sends
it to ``lean_power``, and ``u ** 3`` on small 1-D values (numba loaded) computes ``3.0 * (x *
x)`` and its products in ``backend.cube_kernel``'s entry point instead of two NumPy calls
under the error state's hush.

Oracles: the general path (``dispatch._ufuncs.call`` of the table's row, and
``_kernels.use("numpy")``) to the bit; closed forms of ``d/dx x**b`` written in another
order (``b * x**b / x``); NumPy's own warnings and errors for the same call on floats.
Path spies: ``lean_power`` reached by ``np.power(u, b)`` and the cube's entry called.
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
from _probes import loaded_or_not, same_duals  # noqa: F401 (loaded)

POWER = rule_for(np.power)
RNG = np.random.default_rng(61)
EXPONENTS = [3, 3.0, np.float64(3.0), 2, 2.0, 4, -2, 0.5, 2.5, 1, 0, -1.0, 1e-3]
SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, -5e-324, 1e154, 1.4e154,
                    -1e200, 1e-160, 1.0, -1.0, 0.7, -2.5])


def _layout(x, p, layout):
    if layout == "reversed":
        return x[::-1].copy()[::-1], p[::-1].copy()[::-1]
    if layout == "strided":
        return np.repeat(x, 2)[::2], np.repeat(p, 2, axis=0)[::2]
    if layout == "F":
        return x, np.asfortranarray(p)
    return x, p


@pytest.mark.parametrize("layout", ["C", "reversed", "strided", "F"])
def test_power_of_a_number_is_the_general_paths_to_the_bit(layout, loaded):
    tag = new_tag()
    values = np.concatenate([SPECIAL, np.exp(RNG.uniform(-300.0, 300.0, 20)) *
                             RNG.choice([-1.0, 1.0], 20)])
    for x in (values[:10], values[10:20], values[20:], RNG.uniform(0.5, 2.0, 10)):
        x, p = _layout(x, RNG.standard_normal((len(x), 3)), layout)
        u = dg.Dual(x, p, tag=tag)
        for b in EXPONENTS:
            with np.errstate(all="ignore"):
                got = np.power(u, b)
                want = call(POWER, (u, b))
                with _kernels.use("numpy"):
                    general = np.power(u, b)
                floats = np.power(u.value, b)     # (NumPy's strided and contiguous
                # loops round apart on this machine's SIMD power: the dual's own memory)
            same_duals(got, want)
            same_duals(got, general)
            assert got.value.tobytes() == floats.tobytes()
            if b != 2:                      # (u ** 2 is np.square's: its own tests)
                with np.errstate(all="ignore"):
                    same_duals(u ** b, want)


@pytest.mark.parametrize("b", [3, 2, 4, -2, 0.5, 2.5, -1.0])
def test_power_of_a_number_against_its_closed_form(b, loaded):
    tag = new_tag()
    x = RNG.uniform(0.3, 3.0, 12)
    p = RNG.standard_normal((12, 5))
    got = np.power(dg.Dual(x, p, tag=tag), b)
    slope = b * x ** b / x                  # d/dx x**b in another order
    np.testing.assert_allclose(got.partials, slope[:, None] * p, rtol=2e-15, atol=0)
    grad = dg.gradient(lambda v: np.sum(np.power(v, b)), x)
    np.testing.assert_allclose(grad, slope, rtol=2e-15, atol=0)


def test_np_power_of_a_number_takes_lean_power(monkeypatch):
    """The path: ``np.power(u, b)`` reaches ``lean_power`` (before small61 it did not);
    two array duals and a number base do not."""
    seen = []
    real = _lean_small.lean_power

    def spy(a, b):
        seen.append(b)
        return real(a, b)
    monkeypatch.setattr(_lean_small, "lean_power", spy)
    tag = new_tag()
    u = dg.Dual(RNG.uniform(0.5, 2.0, 10), RNG.standard_normal((10, 2)), tag=tag)
    v = dg.Dual(RNG.uniform(0.5, 2.0, 10), RNG.standard_normal((10, 2)), tag=tag)
    for b in (3, 2.5, np.float64(-2.0)):
        np.power(u, b)
    assert seen == [3, 2.5, -2.0]
    same_duals(np.power(u, v), call(POWER, (u, v)))
    same_duals(np.power(2.0, u), call(POWER, (2.0, u)))
    assert len(seen) == 3


def test_the_cube_calls_its_entry_point_and_declines_non_finite_factors(request):
    """``u ** 3`` and ``np.power(u, 3)`` on small 1-D values call the cube's entry point
    (numba loaded); a factor that overflows or is NaN sends the result to the general
    path, whose zero partial beside an infinite factor stays 0."""
    _loader.load()
    tag = new_tag()
    u = dg.Dual(RNG.uniform(0.5, 2.0, 10), RNG.standard_normal((10, 4)), tag=tag)
    u ** 3                                   # (the cell filled)
    real = _lean_small._CUBE[0]
    assert real
    calls = []

    def spy(*args):
        calls.append(args)
        return real(*args)
    request.addfinalizer(lambda: _lean_small._CUBE.__setitem__(0, real))
    _lean_small._CUBE[0] = spy
    same_duals(u ** 3, call(POWER, (u, 3)))
    same_duals(np.power(u, 3.0), call(POWER, (u, 3.0)))
    assert len(calls) == 2
    x = u.value.copy()
    x[2], x[5] = 1e200, np.nan               # 3 x**2 overflows; NaN
    p = u.partials.copy()
    p[2, 1] = p[5, 3] = 0.0
    w = dg.Dual(x, p, tag=tag)
    with np.errstate(all="ignore"):
        got = w ** 3
        same_duals(got, call(POWER, (w, 3)))
    assert len(calls) == 3 and got.partials[2, 1] == 0.0 and got.partials[5, 3] == 0.0


@pytest.mark.parametrize("b, x", [(3, [1e200, 2.0]), (0.5, [-1.0, 4.0]), (-1, [0.0, 2.0])])
def test_np_power_reports_as_numpy_does(b, x, loaded):
    """NumPy's warnings for ``np.power(x, b)`` on floats, the same in number and text,
    and its error under ``np.errstate(all="raise")``."""
    x = np.array(x)
    u = dg.Dual(x, np.ones((2, 2)), tag=new_tag())
    with warnings.catch_warnings(record=True) as want:
        warnings.simplefilter("always")
        np.power(x, b)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        np.power(u, b)
    assert [str(w.message) for w in got] == [str(w.message) for w in want] != []
    with np.errstate(all="raise"):
        with pytest.raises(FloatingPointError) as want_error:
            np.power(x, b)
        with pytest.raises(FloatingPointError) as got_error:
            np.power(u, b)
    assert str(got_error.value) == str(want_error.value)
