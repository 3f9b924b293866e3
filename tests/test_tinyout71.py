"""user71: the lean quotient's underflow test of d/dy ``-out / y`` in two counts.

``_tiny_out`` answers :func:`_tiny`'s question for ``f = -out / y`` computed from the
same ``out`` and ``y``: some ``|f| < TINY`` beside a nonzero ``out`` exactly when
``count(|f| < TINY) + count_nonzero(out)`` exceeds the size (every ``out == 0`` has
``f == +-0``).  Checked: the same answer as ``_tiny`` on grids of special values,
shapes, broadcasts and views; the lean divide line runs it (and not ``_tiny``); the
shallow water row's Jacobian and a quotient's partials at an underflow bit for bit as
with ``_tiny`` in its place.
"""

import itertools

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _ufuncs
from dualgrad.dual import _array
from dualgrad.rules._table import rule_for
from _probes import bench_module, python_calls, without_numba

_DIVIDE = rule_for(np.divide)
_SPECIAL = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, -1e-160, 1e-20,
            0.5, -1.0, 3.0, 1e20, 1e160, -1e300, 1.7976931348623157e308, np.inf, -np.inf,
            np.nan]


def _both(x, y):
    with np.errstate(all="ignore"):
        out = x / y
        f = -out / y
    return (bool(_ufuncs._tiny_out(f, out, _DIVIDE, 1, (x, y, out))),
            bool(_ufuncs._tiny(f, _DIVIDE, 1, (x, y, out))))


def test_tiny_out_answers_as_tiny_on_special_values():
    s = np.array(_SPECIAL)
    pairs = np.array(list(itertools.product(s, s)))          # every pair: 324 elements
    got, want = _both(pairs[:, 0], pairs[:, 1])
    assert got == want
    rng = np.random.default_rng(71)
    seen = set()
    for _ in range(3000):
        n = int(rng.integers(1, 9))
        x = rng.choice(s, n) * rng.choice([1.0, 1.0, rng.uniform(0.5, 2.0)])
        y = rng.choice(s, n)
        got, want = _both(x, y)
        assert got == want, (x, y)
        seen.add(want)
    assert seen == {True, False}


def test_tiny_out_answers_as_tiny_on_fields_broadcasts_and_views():
    rng = np.random.default_rng(7)
    seen = set()
    for _ in range(400):
        H = rng.uniform(0.5, 2.0, (6, 7))
        U = np.where(rng.random((6, 7)) < 0.4, 0.0, rng.standard_normal((6, 7)))
        U *= 10.0 ** rng.choice([0, -150, -300, -310, -320])
        got, want = _both(U[1:, 1:-1], H[1:, 1:-1])             # the row's views
        assert got == want
        seen.add(want)
        got, want = _both(U[:, :1], H[:1, :])                   # (6, 1) / (1, 7)
        assert got == want
    assert seen == {True, False}


def test_tiny_out_leaves_other_dtypes_and_shapes_to_tiny():
    x = np.array([1e-300 + 1e-300j, 0j])
    y = np.array([1e10 + 0j, 2.0 + 0j])
    with np.errstate(all="ignore"):
        out = x / y
        f = -out / y
    assert _ufuncs._tiny_out(f, out, _DIVIDE, 1, (x, y, out)) == \
        _ufuncs._tiny(f, _DIVIDE, 1, (x, y, out))


def test_the_lean_divide_line_tests_by_counts(request, monkeypatch):
    without_numba(request, monkeypatch)      # (numba loaded: the kernel's own test)

    def f(v):
        u = v * np.array([0.0, 1.0, 1.0])                 # a zero in the numerator
        return u / (v + 1.0)
    x = np.array([0.3, 1e-300, 2.0])
    with dg.engine("eager"):        # (the fused engine defers the quotient: no lean line)
        dg.jacobian(f, x)
        names = python_calls(lambda: dg.jacobian(f, x), within="dualgrad")
    assert "_lean_divide" in names
    assert "_tiny_out" in names and "_tiny" not in names


def _with_tiny(monkeypatch):
    """The lean divide line with ``_tiny`` where ``_tiny_out`` stands."""
    op = _array._LEAN[np.divide]
    monkeypatch.setitem(op.__globals__, "_tiny_out",
                        lambda f, out, rule, k, args: _ufuncs._tiny(f, rule, k, args))


def test_shallow_water_row_bit_for_bit_as_with_tiny(request, monkeypatch):
    without_numba(request, monkeypatch)
    f, x0 = bench_module("corpus59").PROBLEMS59["shallow water, in-place slices (1)"]
    got = dg.jacobian(f, x0)
    _with_tiny(monkeypatch)
    want = dg.jacobian(f, x0)
    np.testing.assert_array_equal(got, want)
    assert got.tobytes() == want.tobytes()


# where -out / y underflows beside a nonzero out: 3 / 1e300 / 1e300 at scale 1, a
# subnormal -4e-311 / 5 at 1e-310; nowhere at 1e-300 and 1e300
@pytest.mark.parametrize("scale, low", [(1.0, True), (1e-300, False), (1e-310, True),
                                        (1e300, False)])
def test_quotient_partials_at_underflow_bit_for_bit_as_with_tiny(request, monkeypatch, scale,
                                                                 low):
    without_numba(request, monkeypatch)
    x = np.array([0.0, 3.0, -2.0, 1e-5, 0.0, 7.0]) * scale
    y = np.array([2.0, 1e300, 5.0, 1e160, -1.0, 1e-3])

    def f(v):
        return (v[:6] / v[6:]) * 1.0
    glob = _array._LEAN[np.divide].__globals__
    answers = []

    def recorded(*args, real=glob["_tiny_out"]):
        answers.append(bool(real(*args)))
        return answers[-1]
    monkeypatch.setitem(glob, "_tiny_out", recorded)
    got = dg.jacobian(f, np.concatenate([x, y]))
    assert answers == [low]                  # the careful path where it is True
    _with_tiny(monkeypatch)
    want = dg.jacobian(f, np.concatenate([x, y]))
    assert got.tobytes() == want.tobytes()
