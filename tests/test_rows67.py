"""Issue 13, stop 67 (rows67): small array duals' fixed costs before numba loads.

* ``a + b``, ``a - b``, ``a * b``, ``a / b`` of two array duals, ``-a`` and ``a ** 2``:
  before numba loads the operator goes to the rule's lean path at once, not through
  the kernels' tests and the general operator first.
* A lean ``a * b``, ``a / b`` or ``a ** 2`` copies a small view whose rows lie apart
  (``H[1:, 1:-1]``) before reading it twice or more (``_ufuncs._packed``).
* ``_ufuncs._tiny`` counts the factor's small elements beside nonzero numerators.

Each against the general path bit for bit (and its results' strides), with a probe of
the way (the way tests fail on 2a9a2d7); a stencil's derivative against the complex step.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _ufuncs
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import RULES, TINY
from _probes import python_calls, same_duals, spy_on, without_numba

SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5, 3.0, 0.5])


def _fields(tag, n):
    """Two (7, 9) array duals of special values and partials, and their views."""
    v = np.resize(SPECIAL, (7, 9))
    u = dg.Dual(v, np.resize(SPECIAL[::-1], (7, 9, n)), tag=tag)
    w = dg.Dual(np.linspace(-2.0, 3.0, 63).reshape(7, 9) + 0.1,
                np.linspace(0.5, -1.0, 63 * n).reshape(7, 9, n), tag=tag)
    f = dg.Dual(np.asfortranarray(w.value), np.asfortranarray(w.partials), tag=tag)
    return [(u[1:, :-1], w[:-1, 1:]), (u[1:], u[1:]), (u.T, w.T), (u[::-1], w[::-1]),
            (u[:, ::2], w[:, ::2]), (u[1:, :-1], f[1:, 1:]), (u, w), (f, u)]


def _same_layout(got, want):
    same_duals(got, want)
    assert got.value.strides == want.value.strides
    assert got.partials.strides == want.partials.strides


CASES = [("+", np.add, lambda a, b: a + b), ("-", np.subtract, lambda a, b: a - b),
         ("*", np.multiply, lambda a, b: a * b), ("/", np.divide, lambda a, b: a / b)]


@pytest.mark.parametrize("n", [1, 3])
def test_operators_lean_first(request, monkeypatch, n):
    """Before numba loads, a binary operator of two array duals runs one operator
    function and the lean path (no general operator: one ``op`` among the calls), a
    unary one no ``unary`` / ``square_general``; the general path's bits and strides."""
    without_numba(request, monkeypatch)
    tag = new_tag()
    for a, b in _fields(tag, n):
        for name, ufunc, fn in CASES:
            with np.errstate(all="ignore"):
                want = _ufuncs.call(RULES[ufunc], (a, b))
                calls = python_calls(lambda: fn(a, b))
                got = fn(a, b)
            assert calls.count("op") == 1, (name, calls[:6])
            _same_layout(got, want)
        for name, ufunc, fn in (("-a", np.negative, lambda a: -a),
                                ("a ** 2", np.square, lambda a: a ** 2)):
            with np.errstate(all="ignore"):
                want = _ufuncs.call(RULES[ufunc], (a,))
                calls = python_calls(lambda: fn(a))
                got = fn(a)
            assert "unary" not in calls and "square_general" not in calls, (name, calls)
            _same_layout(got, want)


def test_views_packed(request, monkeypatch):
    """``_packed`` copies exactly the small views of two axes whose rows lie apart;
    ``a * b``, ``a / b``, ``a ** 2`` of views ask it (of array duals that own their
    memory, not), and give the general path's bits and strides for views of every
    layout."""
    without_numba(request, monkeypatch)
    base = np.arange(7 * 9.0).reshape(7, 9)
    for k, v in enumerate([base[1:, :-1], base[1:3, 2:], base, base[1:], base.T,
                           base[::-1], base[:, ::2], base[2:3, 1:], base[1:, 3:4],
                           base[0], np.arange(24.0).reshape(2, 3, 4)[:, 1:],
                           np.arange(7 * 9 * 2.0).reshape(7, 9, 2)[1:, 1:, 0]]):
        got = _ufuncs._packed(v)
        assert (got is not v) == (k < 2), k
        assert got.tobytes() == v.tobytes() and got.flags.c_contiguous == (k < 3 or
                                                                         v.flags.c_contiguous)
    tag = new_tag()
    ops = [(np.multiply, lambda a, b: a * b, False), (np.divide, lambda a, b: a / b, False),
           (np.divide, lambda a, b: b / a, True), (np.square, lambda a, b: b ** 2, None)]
    for n in (1, 2):
        for a, b in _fields(tag, n):
            for ufunc, fn, swap in ops:
                args = (b,) if swap is None else (b, a) if swap else (a, b)
                with np.errstate(all="ignore"):
                    want = _ufuncs.call(RULES[ufunc], args)
                    calls = python_calls(lambda: fn(a, b))
                    got = fn(a, b)
                _same_layout(got, want)
                views = [d.value.base is not None for d in args]
                asked = views[-1] if ufunc is np.divide else any(views)
                assert ("_packed" in calls) == asked, (ufunc, views, calls[:8])


def test_tiny_counts():
    """``_tiny`` against its definition element by element: some element below the
    smallest normal number beside a nonzero numerator (a NaN element counts for
    nothing; stop 67's form asked for no NaN in the factor too: attack67 F6, exact68)."""
    rng = np.random.default_rng(67)
    rule = RULES[np.divide]
    pool = np.array([0.0, -0.0, 5e-324, -1e-310, 2.0 ** -1022, 1e-300, 1.0, np.inf, np.nan])
    for case in range(300):
        shape = (5, 7) if case % 3 else (40,)
        g = rng.choice(pool, shape) * (1.0 if case % 2 else 1e300)
        out = rng.choice(pool, shape)
        if case % 4 == 0:
            g[np.isnan(g)] = 1.0
        with np.errstate(all="ignore"):
            want = bool(((np.abs(g) < TINY) & (out != 0.0)).any())
            plain = bool((np.abs(g) < TINY).any())
        x = np.ones(shape)
        assert _ufuncs._tiny(g, rule, 1, (x, x, out)) is want, (g, out)
        assert _ufuncs._tiny(g) is plain, g


def _stencil(H, steps=3):
    for _ in range(steps):
        Hx = (H[1:, 1:-1] + H[:-1, 1:-1]) / 2 - 0.05 * (H[1:, 1:-1] ** 2 / H[:-1, 1:-1]
                                                        - H[1:, 1:-1] * H[:-1, 1:-1])
        Hy = (H[1:-1, 1:] + H[1:-1, :-1]) / 2 - 0.05 * (H[1:-1, 1:] ** 2 / H[1:-1, :-1])
        H[1:-1, 1:-1] -= 0.1 * (Hx[1:, :] - Hx[:-1, :]) + 0.1 * (Hy[:, 1:] - Hy[:, :-1])
    return H[::2, ::2].ravel()


def test_stencil_against_complex_step(request, monkeypatch):
    """A shallow-water-like stencil of slices, squares, products and quotients: the
    Jacobian in its two parameters against the complex step."""
    without_numba(request, monkeypatch)

    def f(p):
        H = np.ones_like(p, shape=(12, 12)) + 0.5
        H[3:6, 4:7] += p[0]
        H[7, 2:9] *= p[1]
        return _stencil(H)

    def g(p):
        H = np.ones((12, 12), dtype=complex) + 0.5
        H[3:6, 4:7] += p[0]
        H[7, 2:9] *= p[1]
        return _stencil(H)
    x = np.array([0.7, 1.3])
    h = 1e-30
    want = np.stack([g(x + h * 1j * e).imag / h for e in np.eye(2)], axis=1)
    np.testing.assert_allclose(dg.jacobian(f, x), want, rtol=1e-13, atol=1e-15)
