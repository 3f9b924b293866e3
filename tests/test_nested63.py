"""Duals of two levels on arrays (issue 13, nested63): a root finder's Newton steps on a
helper's duals (the Euler-Lotka row: ``-r * age``, ``np.exp(a)``, ``e * l``, ``sum``).

* ``dispatch._ufuncs.nested_array``: a ufunc of one two-level dual (an array dual, or a
  scalar dual beside a grid) among constants is ``_ufuncs.call``'s steps without
  ``small``'s and ``apply``'s ways to it; ``call`` takes an array dual result's shape
  from the dual (``np.shape`` went through the dispatch);
* ``ArrayDual.__iter__`` of a two-level dual of one outer direction reads that
  direction's partial by item;
* ``d[..., None]`` (``backend.scaled``'s factor of a nested product) without the general
  index tests.

Exactness: each lean result against ``_ufuncs.call`` on the same arguments, the path
the duals took before, level by level (signed zeros, NaN and inf among the values and
constants), and the elements against ``d[i]``'s.  Oracle for the derivative: the
implicit-function theorem's slope of a root, in closed form.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.api.helpers import jvp
from dualgrad.dispatch import _ufuncs
from dualgrad.dual import ArrayDual
from dualgrad.rules._table import RULES
from dualgrad.scipy.optimize import brentq
from _probes import spy_on

SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e-310, 1e308, -2.5, 0.3])
GRID = np.arange(1, 10)


def _levels(d):
    """Every array and float of a (nested) dual, level by level, with its class."""
    if isinstance(d, dg.Dual):
        p = d.partials if isinstance(d, ArrayDual) else d._plist()
        return [type(d).__name__, _levels(d.value), _levels(p)]
    if isinstance(d, list):
        return [_levels(x) for x in d]
    a = np.asarray(d)
    return [a.dtype.str, a.shape, a.tobytes()]


def _two_levels(check):
    """``check(s, u, x)`` inside a jvp inside a jacobian: ``s`` a scalar dual whose value
    is the inner scalar dual ``0.7 x``, ``u`` the inner array dual ``x * SPECIAL + y``."""
    def f(q):
        x, y = q[0], q[1]
        u = x * SPECIAL + y
        jvp(lambda s: check(s, u, x) or s, x * 0.7, 1.0)
        return q * 1.0
    dg.jacobian(f, np.array([1.3, -0.7]))


CASES = [  # (label, operation of the two-level array dual a, the inner u and x)
    ("exp", lambda a, u, x: (np.exp, (a,))),
    ("log", lambda a, u, x: (np.log, (a,))),
    ("sqrt", lambda a, u, x: (np.sqrt, (a,))),
    ("a * u", lambda a, u, x: (np.multiply, (a, u))),
    ("u * a", lambda a, u, x: (np.multiply, (u, a))),
    ("a / u", lambda a, u, x: (np.true_divide, (a, u))),
    ("a - x", lambda a, u, x: (np.subtract, (a, x))),
    ("a ** 3", lambda a, u, x: (np.power, (a, 3))),
    ("maximum(a, nan)", lambda a, u, x: (np.maximum, (a, np.nan))),
    ("arctan2(int grid, a)", lambda a, u, x: (np.arctan2, (GRID, a))),
    ("a + -0.0", lambda a, u, x: (np.add, (a, -0.0))),
    ("hypot(a, special)", lambda a, u, x: (np.hypot, (a, SPECIAL[::-1].copy()))),
]


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_lean_against_call(engine, monkeypatch):
    ran = spy_on(monkeypatch, _ufuncs, "nested_array",        # the rows it answered
                 lambda args, result: None if result is None else args[0].name, after=True)
    seen = []

    def check(s, u, x):
        a = s * SPECIAL                       # two levels: the inner dual's value times a
        b = np.exp(a * 0.5) * u               # grid; outer partials floats, then duals
        for grid in (GRID, SPECIAL):
            seen.append((_levels(s * grid), _levels(_ufuncs.call(RULES[np.multiply],
                                                                  (s, grid)))))
            seen.append((_levels(grid * s), _levels(_ufuncs.call(RULES[np.multiply],
                                                                  (grid, s)))))
        for d in (a, b):
            for _, case in CASES:
                ufunc, args = case(d, u, x)
                seen.append((_levels(ufunc(*args)), _levels(_ufuncs.call(RULES[ufunc], args))))
    with np.errstate(all="ignore"), dg.engine(engine):
        _two_levels(check)
    assert len(seen) == 4 + 2 * len(CASES)
    for got, want in seen:
        assert got == want
    wanted = {RULES[case(None, None, None)[0]].name for _, case in CASES}
    assert wanted <= set(ran)               # (the lean path took each row; 950b744: none)


def test_declines_leave_call(monkeypatch):
    """One level, two duals of the newest tag, a list, an object array: ``None``."""
    seen = []

    def check(s, u, x):
        a = s * SPECIAL
        rule = RULES[np.multiply]
        seen.append(_ufuncs.nested_array(rule, (u, SPECIAL)))
        seen.append(_ufuncs.nested_array(rule, (a, a)))
        seen.append(_ufuncs.nested_array(rule, (a, list(SPECIAL))))
        seen.append(_ufuncs.nested_array(rule, (a, np.array(list(u), dtype=object))))
        seen.append(_ufuncs.nested_array(RULES[np.absolute], (a,)))
        seen.append(_ufuncs.nested_array(rule, (s, 2.0)))       # a scalar result
    _two_levels(check)
    assert seen == [None] * 6


@pytest.mark.parametrize("engine", ["eager", "fused"])
def test_elements_of_one_direction(engine):
    seen = []

    def check(s, u, x):
        e = np.exp(s * SPECIAL * 0.5) * u          # outer partials: inner duals
        seen.append([(_levels(got), _levels(e[i])) for i, got in enumerate(e)])
    with np.errstate(all="ignore"), dg.engine(engine):
        _two_levels(check)
    assert len(seen[0]) == len(SPECIAL)
    for got, want in seen[0]:
        assert got == want


def test_expand_index():
    seen = []

    def check(s, u, x):
        f = np.exp(s * SPECIAL).value               # an inner array dual
        seen.append((_levels(f[..., None]),
                     _levels(dg.Dual(f.value[..., np.newaxis], f.partials[:, None, :]))))
        seen.append((_levels(f[:, None]), _levels(f[..., None])))
    _two_levels(check)
    assert seen[0][0] == seen[0][1] and seen[1][0] == seen[1][1]


@pytest.mark.parametrize("x", [0.6, 1.5, 4.0])
def test_root_slope_closed_form(x):
    """r with 1 = x sum exp(-r a) over a = 1..9: dr/dx = S0 / (x S1), S0 = sum exp(-r a),
    S1 = sum a exp(-r a) (the implicit-function theorem, in floats)."""
    def residual(r, x):
        return 1 - sum(np.exp(-r * GRID) * x)

    def root(q):
        return brentq(residual, -5.0, 5.0, args=(q,))
    assert dg.derivative(root, x) == pytest.approx(root_slope(x), rel=1e-12)
    h = dg.derivative(lambda q: dg.derivative(root, q), x)
    step = 1e-4                                   # the slope's own 4th-order difference
    want = (-root_slope(x + 2 * step) + 8 * root_slope(x + step) - 8 * root_slope(x - step)
            + root_slope(x - 2 * step)) / (12 * step)
    assert h == pytest.approx(want, rel=1e-7)


def root_slope(x):
    """The closed-form dr/dx of test_root_slope_closed_form at ``x`` (floats)."""
    from scipy.optimize import brentq as float_brentq
    r = float_brentq(lambda r: 1 - x * np.exp(-r * GRID).sum(), -5.0, 5.0, xtol=1e-15)
    return np.exp(-r * GRID).sum() / (x * (GRID * np.exp(-r * GRID)).sum())
