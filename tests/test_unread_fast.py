"""Elements of ``np.asarray(d)`` not read yet take the scalar duals' fast paths.

``np.asarray`` of a dual array hands out unread twins of the scalar dual class (the
guard's record of an object array nobody read, ``dualgrad.errors.object_array_made``).
Before stop 40 the generated operators and binary ufuncs tested the other operand for
the class itself, so an unread element as the other operand (``np.sum(np.asarray(p))``
adds each element to the running total, ``x[1:] - x[:-1]`` meets ``x[0]`` fresh) took
the general dispatch path: ~22 us an operation at n = 10 (``np.sum(np.asarray(p))``'s
gradient 246 us, against 49 us for ``np.sum(np.asarray(p) * 1.0)``).  Here: the
derivatives against analytic formulas and central differences, the fast path taken (the
general path replaced by one that fails), and the guard still seeing the reads.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual._scalar import scalar_class, unread_class, unread_rows

X = np.array([0.3, -1.2, 0.7, 2.0, -0.4])


def _central(f, x, h=1e-5):
    """Fourth-order central differences of scalar ``f`` at ``x``."""
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (-f(x + 2 * e) + 8 * f(x + e) - 8 * f(x - e) + f(x - 2 * e)) / (12 * h)
    return g


CASES = [
    ("sum", lambda v: np.sum(np.asarray(v)), lambda x: np.ones_like(x)),
    ("neighbours", lambda v: np.sum(np.diff(np.asarray(v)) ** 2.0),
     lambda x: np.concatenate([[0.0], 2 * np.diff(x)]) - np.concatenate([2 * np.diff(x), [0.0]])),
    ("dot", lambda v: np.dot(np.asarray(v), np.asarray(v)), lambda x: 2 * x),
    ("product", lambda v: np.asarray(v)[0] * np.asarray(v)[1] / np.asarray(v)[2],
     lambda x: np.array([x[1] / x[2], x[0] / x[2], -x[0] * x[1] / x[2] ** 2, 0.0, 0.0])),
    ("hypot", lambda v: np.hypot(np.asarray(v)[0], np.asarray(v)[3]),
     lambda x: np.array([x[0], 0.0, 0.0, x[3], 0.0]) / np.hypot(x[0], x[3])),
    ("power", lambda v: np.asarray(v)[3] ** np.asarray(v)[2],
     lambda x: np.array([0.0, 0.0, x[3] ** x[2] * np.log(x[3]), x[2] * x[3] ** (x[2] - 1),
                         0.0])),
    ("number first", lambda v: np.sum(3.0 - np.asarray(v)) + np.arctan2(2.0, np.asarray(v)[0]),
     lambda x: -np.ones_like(x) - np.array([2.0 / (4.0 + x[0] ** 2), 0, 0, 0, 0])),
]


@pytest.mark.parametrize("name, f, grad", CASES, ids=[c[0] for c in CASES])
def test_fresh_elements_give_the_analytic_gradient(name, f, grad):
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # read elements: no CaughtErrorWarning
        g = dg.gradient(f, X)
    np.testing.assert_allclose(g, grad(X), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(g, _central(f, X), rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("n", [2, 5, 16])
def test_fresh_elements_take_the_fast_path(n, monkeypatch):
    """The general path fails here: an operation between two fresh elements, a fresh
    element and a number either side, and a binary ufunc, are all inlined."""
    cls = scalar_class(n)
    namespace = cls.__add__.__globals__

    def general(*args):
        raise AssertionError(f"general path taken: {args[0]}")
    x = np.linspace(0.5, 1.5, n)

    def f(v):
        a = np.asarray(v)
        total = np.sum(a)                         # running total + fresh element
        b = np.asarray(v)
        return total + (b[0] - b[-1]) * 2.0 + (1.0 - np.asarray(v)[0]) + \
            np.hypot(np.asarray(v)[0], np.asarray(v)[-1]) + np.asarray(v)[0] ** 3.0
    expected = np.ones(n)
    expected[0] += 2.0 - 1.0 + x[0] / np.hypot(x[0], x[-1]) + 3 * x[0] ** 2
    expected[-1] += -2.0 + x[-1] / np.hypot(x[0], x[-1])
    monkeypatch.setitem(namespace, "_call", general)
    np.testing.assert_allclose(dg.gradient(f, x), expected, rtol=1e-14)


def test_an_operation_reads_its_fresh_operands():
    """The fast path reads the other operand's tag: it becomes a plain scalar dual (the
    guard's record sees a read array), the unread one beside it stays a twin."""
    tag = 7
    twin = unread_class(scalar_class(3))
    rows = unread_rows(3)(np.arange(3.0).tolist(), np.eye(3).tolist(), tag)
    assert all(type(r) is twin for r in rows)
    from dualgrad.dual import _base
    _base.LIVE[tag] = None
    try:
        s = rows[0] + rows[1]
    finally:
        _base.LIVE.pop(tag, None)
    assert type(rows[0]) is scalar_class(3) and type(rows[1]) is scalar_class(3)
    assert type(rows[2]) is twin
    assert s.value == 1.0 and s._plist() == [1.0, 1.0, 0.0]


def test_unread_rows_match_the_two_step_build():
    """``unread_rows(n)`` makes what ``unread_twins(cls._rows(...))`` made: the same
    values, tags, partials and class."""
    from dualgrad.dual._scalar import unread_twins
    values, partials = [0.5, -2.0], [[1.0, -0.0, 3.0], [0.0, 2.5, -1.0]]
    got = unread_rows(3)(values, partials, 11)
    want = unread_twins(scalar_class(3)._rows(values, partials, 11))
    assert [type(r) for r in got] == [type(r) for r in want]
    for r, w in zip(got, want):
        assert (r.value, r.tag) == (w.value, w.tag)
        assert [np.float64(p).tobytes() for p in r._plist()] == \
            [np.float64(p).tobytes() for p in w._plist()]


def test_a_refused_array_is_still_caught():
    """A guarded term whose object array nobody read still warns (the twins' purpose)."""
    def f(v):
        try:
            raise TypeError(str(len(np.asarray(v))))     # a library refusing the array
        except TypeError:
            fallback = 1e3
        return np.sum(v ** 2) + fallback
    with pytest.warns(dg.CaughtErrorWarning):
        dg.gradient(f, X)
