"""Issue 13, stop 67 (small67): ``a[i]`` of a 1-D float64 array dual reads its row of
partials from the partials' buffer (``struct``'s ``unpack_from`` at byte ``8 n i``; one
call for the row's view and its ``tolist``), where the partials are C-contiguous; other
layouts and indexes out of range take the row's view as before (NumPy's IndexError).
``u ** v`` and ``u ** k`` call ``lean_power_pair`` / ``lean_power_mixed`` from the
operator (``lean_power``'s own calls for those exponents, one Python call fewer).

The oracle of the reads is the row as NumPy hands it (``p[i].tolist()``, the bytes of
every partial: NaN, -0.0, subnormals, inf), built into the same class; on 2a9a2d7 the
path spy fails (no ``_ROW_READ``), and so does the operator's (``lean_power`` called)."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual import _array, new_tag
from dualgrad.dispatch import _lean_small

from _probes import same_duals, spy_on

SPECIAL = [np.nan, -0.0, 0.0, 5e-324, -1e-310, np.inf, -np.inf, 1e300, 1.5]


def _layouts(p):
    yield "C", p
    yield "rows of a wider block", np.concatenate([p, p], axis=1)[:, :p.shape[1]]
    yield "F", np.asfortranarray(p)
    yield "a view's rows", np.concatenate([p, p])[len(p) - 1:-1]


@pytest.mark.parametrize("n", [1, 4, 16, 17])
def test_item_row_bits_and_errors(n):
    """Every index of four layouts (``make_real`` keeps the layout given): the class and
    the bytes of the row NumPy hands out (``p[i].tolist()``) and the value's item; out
    of range (either end, past a C integer) NumPy's IndexError with its text."""
    rng = np.random.default_rng(67 + n)
    N = 7
    x = rng.uniform(-2.0, 2.0, N)
    x[2] = -0.0
    p = rng.standard_normal((N, n))
    p.reshape(-1)[rng.integers(p.size, size=6)] = rng.choice(SPECIAL, 6)
    build = _array._FROM_ROW[n]
    for layout, pv in _layouts(p):
        a = _array.make_real(x, pv, new_tag())
        for i in range(-N, N):
            got = a[i]
            if build is None:                     # n past the slot classes: make's kind
                assert type(got) is type(_array.make(np.float64(x[i]), pv[i], a.tag))
            else:
                same_duals(got, build(x.item(i), pv[i].tolist(), a.tag))
            assert np.asarray(got._plist()).tobytes() == pv[i].tobytes(), (layout, i)
            assert np.float64(got.value).tobytes() == x[i].tobytes()
        for i in (N, -N - 1, 2 ** 70):
            with pytest.raises(IndexError) as got_error:
                a[i]
            with pytest.raises(IndexError) as want_error:
                pv[i]
            assert str(got_error.value) == str(want_error.value)


def test_item_row_reader_only_where_c_contiguous(monkeypatch):
    """The reader declines a layout that is not C-contiguous (the view's path runs): a
    spy on the reader's call."""
    tag = new_tag()
    p = np.arange(40.0).reshape(10, 4)
    calls = []
    unpack, build, size = _array._ROW_READ[4]

    def spy(buffer, offset):
        calls.append(offset)
        return unpack(buffer, offset)
    monkeypatch.setitem(_array._ROW_READ, 4, (spy, build, size))
    a = dg.Dual(np.arange(10.0), p, tag=tag)
    assert a[3]._plist() == [12.0, 13.0, 14.0, 15.0] and calls == [96]
    assert a[-1]._plist() == [36.0, 37.0, 38.0, 39.0] and calls == [96, -32]
    f = _array.make_real(np.arange(10.0), np.asfortranarray(p), tag)
    assert f[3]._plist() == [12.0, 13.0, 14.0, 15.0] and len(calls) == 3   # tried, declined


@pytest.mark.parametrize("exponent", ["array dual", "scalar dual"])
def test_power_operator_skips_lean_power(monkeypatch, exponent):
    """``u ** v`` / ``u ** k`` call the pair / mixed lean function from the operator;
    ``u ** 3`` still goes ``lean_power``; the results are ``lean_power``'s own."""
    tag = new_tag()
    rng = np.random.default_rng(671)
    u = dg.Dual(rng.uniform(0.5, 2.0, 10), rng.standard_normal((10, 3)), tag=tag)
    b = dg.Dual(rng.uniform(0.5, 2.0, 10), rng.standard_normal((10, 3)), tag=tag) \
        if exponent == "array dual" else dg.Dual(0.7, rng.standard_normal(3), tag=tag)
    want = _lean_small.lean_power(u, b)
    seen = spy_on(monkeypatch, _array, "lean_power", lambda args, result: args[1])
    got = u ** b
    if want is not None:
        same_duals(got, want)
    assert seen == []
    u ** 3
    assert seen == [3]
