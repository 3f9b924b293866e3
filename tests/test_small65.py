"""``np.tanh`` of small array duals: NumPy's value and ``np.cosh(x)``, then one compiled
call (issue 13, small65).

The table's factor ``(1.0 / np.cosh(where(|x| > 374, 709, x))) ** 2.0`` took eight NumPy
calls and ``lazy_where``'s test (7.6 us at N = 10, n = 10 against ``np.sin(a)``'s 2.6).
The lean function hands NumPy's ``np.cosh(x)`` to a compiled entry (small65 wrote it
by hand; small66 generates it from the row: ``_rule_kernels.d_tanh_x_entry``), which
makes ``1.0 / c`` and its square and the partials where no ``|x|`` is past 374;
anything else is ``call``'s from the value on.

Oracles: the general path (``dispatch._ufuncs.call`` of the row, ``_kernels.use("numpy")``)
to the bit with NumPy's reports; mpmath's ``sech(x) ** 2`` for the factor.
Path spy: the entry point called and ``call`` not, or ``call`` given the value.
"""

import warnings

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _kernels, _loader
from dualgrad.dispatch import _lean_small
from dualgrad.dispatch._ufuncs import call
from dualgrad.dual._array import _LEAN
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import rule_for
from _probes import loaded_or_not, same_duals, spy_on  # noqa: F401 (loaded)

TANH = rule_for(np.tanh)
SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, -1e-310, 1e-160, 373.9, 374.0,
           374.5, -375.0, 709.0, 711.0, 1e300, 20.0, -0.7]


def _reports(op):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = op()
    return result, [str(w.message) for w in seen]


def _dual(trial, layout, tag, n=4):
    rng = np.random.default_rng(trial)
    x = rng.uniform(-4.0, 4.0, 10)
    p = rng.standard_normal((10, n))
    if trial >= 2:                        # special values and partials among ordinary ones
        x[rng.integers(10, size=trial - 1)] = rng.choice(SPECIAL, trial - 1)
        p[rng.integers(10), rng.integers(n)] = rng.choice([np.nan, np.inf, -0.0, 1e300])
    if layout == "strided":
        return dg.Dual(np.repeat(x, 2)[::2], np.repeat(p, 2, axis=0)[::2], tag=tag)
    return dg.Dual(x, np.asfortranarray(p) if layout == "F" else p, tag=tag)


@pytest.mark.parametrize("layout", ["C", "strided", "F"])
def test_tanh_is_the_general_path_to_the_bit(loaded, layout):
    tag = new_tag()
    for trial in range(8):
        a = _dual(trial, layout, tag)
        got, seen = _reports(lambda: np.tanh(a))
        want, want_seen = _reports(lambda: call(TANH, (a,)))
        same_duals(got, want)
        _, float_seen = _reports(lambda: np.tanh(a.value))
        assert seen == want_seen == float_seen
        with _kernels.use("numpy"):
            same_duals(np.tanh(a), got)
    with np.errstate(all="raise"):        # NumPy's error for the value, none for the factor
        a = _dual(0, layout, tag)
        a.value[3] = 1e300
        same_duals(np.tanh(a), call(TANH, (a,)))


def test_tanh_against_mpmath(loaded):
    rng = np.random.default_rng(65)
    x = np.concatenate([rng.uniform(-20.0, 20.0, 8), [1e-300, -300.0]])
    p = rng.standard_normal((10, 3))
    got = np.tanh(dg.Dual(x, p, tag=new_tag()))
    with mp.workdps(30):
        slope = np.array([float(mp.sech(mp.mpf(v)) ** 2) for v in x])
    np.testing.assert_allclose(got.partials, slope[:, None] * p, rtol=4e-15, atol=0)


def test_tanh_path(monkeypatch, request):
    # (small66: the lean function is the generated one, its entry generated from the
    # row, rules._table.entry_form; the spy on call sits in that function's namespace)
    _loader.load()
    cell = backend.entry_cell(np.tanh)
    real = backend.entry_made(cell, np.tanh)
    assert real
    ran = []
    cell[0] = lambda *args: ran.append(len(args)) or real(*args)
    request.addfinalizer(lambda: cell.__setitem__(0, real))
    loops = backend.loop_cell(np.tanh)          # (small72's entry by NumPy's loops, tried
    request.addfinalizer(lambda held=loops[0]: loops.__setitem__(0, held))   # first: off
    loops[0] = False                            # here; tests/test_small72.py holds it)
    op = _LEAN[np.tanh]
    general = op.__globals__["_call"]
    calls = []
    monkeypatch.setitem(op.__globals__, "_call", lambda *args: calls.append(
        (args[0].name, args[2] is not None)) or general(*args))
    tag = new_tag()
    np.tanh(_dual(0, "C", tag))
    assert ran == [4] and calls == []
    for big in (374.5, np.nan, np.inf):          # past the table's where, or NaN: call
        a = _dual(0, "C", tag)                   # from NumPy's value on
        a.value[5] = big
        ran.clear()
        same_duals(np.tanh(a), call(TANH, (a,)))
        assert ran == [4] and calls == [("tanh", True)]
        calls.clear()
    ran.clear()
    strided = _dual(0, "C", tag)[::2]            # strided values: the generated function
    assert strided.value.strides == (16,)
    same_duals(np.tanh(strided), call(TANH, (strided,)))
    np.tanh(_dual(0, "C", tag)[None, :])         # and 2-D values
    assert ran == []


def test_scalar_to_an_array_duals_power_goes_straight_to_the_lean_way(monkeypatch, loaded):
    # k ** u: the scalar's operator calls lean_power_mixed itself (small65), not through
    # _fast2_power, call_ufunc and lean_mixed; numba not loaded, it declines (nothing
    # computed) and the old way runs, lean_mixed included
    tag = new_tag()
    u = _dual(0, "C", tag)
    k = dg.Dual(0.7, np.linspace(-1.0, 1.0, 4), tag=tag)
    mixed = spy_on(monkeypatch, _lean_small, "lean_mixed", lambda args, result: "mixed")
    got = k ** u
    same_duals(got, call(rule_for(np.power), (k, u)))
    assert mixed == ([] if loaded == "kernel" else ["mixed"])


def test_float_array_to_a_scalar_duals_power_goes_straight_to_the_lean_way(monkeypatch, loaded):
    # t ** k and np.power(t, k): the scalar's _fast2_power calls lean_power_mixed itself
    # for a float array base (small65), as k ** u's operator does
    tag = new_tag()
    t = np.linspace(0.5, 2.0, 10)
    k = dg.Dual(0.7, np.linspace(-1.0, 1.0, 4), tag=tag)
    mixed = spy_on(monkeypatch, _lean_small, "lean_mixed", lambda args, result: "mixed")
    for got in (t ** k, np.power(t, k)):
        same_duals(got, call(rule_for(np.power), (t, k)))
    assert mixed == ([] if loaded == "kernel" else ["mixed"] * 2)
