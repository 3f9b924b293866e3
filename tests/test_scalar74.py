"""Iteration over an array dual reads its rows from the arrays' memory
(``ArrayDual.__iter__``, scalar74).

``sum(prod)`` over the Euler-Lotka row's 50 two-level terms (the Newton steps' jvp over
the helper's duals) spent ~2/3 of each element in three row views and their ``tolist``
(``vp[i].tolist()``, ``pv[i].tolist()``, ``pp[i].tolist()``: ~19,000 instructions an
element under callgrind).  The rows are now read by ``_ROW_READ``'s unpack of the
C-contiguous arrays' memory, a width of one by the array's ``item``; arrays that are not
C-contiguous keep the row's view.  These tests hold: the lines that iterate a
C-contiguous dual of one level (1, 2, 3 partials) or two (1 and 2 directions) run no
line holding ``tolist`` (fails on the tree before, whose every element ran one); what
iteration yields is the element path's (``d[i]``) bit for bit at the new widths and
over views that are not C-contiguous (tests/test_loops61.py's harness: each level's
value and partials, NaN, inf and the zero's sign, class and tag); and Hessians through
``sum`` of two-level elements against closed forms.
"""

import sys

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.api.helpers import jvp
from dualgrad.dual import _array
from test_loops61 import INF, NAN, _both

_ITER_CODE = _array.ArrayDual.__iter__.__code__


def _iter_lines(f, x, helper):
    """The source lines of ``ArrayDual.__iter__`` that ran in ``helper(f, x)``."""
    import linecache
    ran = set()

    def local(frame, event, arg):
        if event == "line":
            ran.add(linecache.getline(_ITER_CODE.co_filename, frame.f_lineno))
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code is _ITER_CODE else None
    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        helper(f, x)
    finally:
        sys.settrace(old)
    return ran


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("helper", ["gradient", "hessian"])
def test_a_contiguous_dual_is_iterated_without_row_views(n, helper):
    def f(q):
        y = np.exp(q[0] * np.linspace(0.5, 1.5, 6)) * q[-1]      # C-contiguous arrays
        return sum(y) + sum(e * e for e in y)
    ran = _iter_lines(f, np.linspace(0.2, 0.4, n), getattr(dg, helper))
    assert any("yield" in line for line in ran)
    assert not [line for line in ran if "tolist" in line]


def test_the_euler_lotka_shape_is_iterated_without_row_views():
    age = np.arange(1.0, 51.0)

    def f(q):
        def g(r):
            return 1 - sum(np.exp(-r * age) * np.exp(-(1 + 0.5 * q[0]) * age) * 16 * q[0])
        return np.atleast_1d(jvp(g, 0.1, 1.0)[1])
    ran = _iter_lines(f, np.array([1.5]), dg.jacobian)
    assert any("yield" in line for line in ran)
    assert not [line for line in ran if "tolist" in line]


def _specials(q, seen):                 # NaN, inf, -0.0 among values and partials
    y = np.exp(q[0] * np.array([1.0, -0.0, INF, NAN, 2.0, -3.0]) + q[-1] * q[0]) * \
        np.array([1.0, -0.0, 1.0, 1.0, -0.0, 2.0])
    seen.extend(y)
    return sum(y)


def _strided(q, seen):                  # partials views that are not C-contiguous
    y = np.sin(q[0] * np.arange(9.0)) * q[-1] + np.tanh(q[-1] * np.arange(9.0))
    seen.extend(y[::-2])
    seen.extend(y[1:7:3])
    seen.extend(y[2:5])                 # (a C-contiguous view at an offset)
    return sum(y[::-2]) + sum(y[2:5]) * q[0]


def _tiny(q, seen):                     # subnormal and huge partials
    y = q[0] * np.array([5e-324, -2.5e-310, 1e308, -1.7e308, 3.0]) + q[-1] * 1e-300
    seen.extend(y)
    return sum(y) * 1e-10


@pytest.mark.parametrize("body", [_specials, _strided, _tiny], ids=lambda b: b.__name__)
@pytest.mark.parametrize("n", [1, 2, 3, 5])
@pytest.mark.parametrize("helper", ["gradient", "hessian"])
def test_iteration_is_the_element_path_bit_for_bit_at_each_width(body, n, helper,
                                                                 monkeypatch):
    got, err = _both(body, list(np.linspace(0.7, -0.4, n)), getattr(dg, helper), monkeypatch)
    assert err is None and got[1]


def test_two_level_sums_against_closed_forms():
    c = np.linspace(0.1, 1.0, 7)

    def f1(q):                          # one variable: two levels of one direction
        return sum(np.exp(c * q[0]) * q[0])
    x = np.array([0.8])
    e = np.exp(c * x[0])
    np.testing.assert_allclose(dg.hessian(f1, x)[0, 0],
                               np.sum(2 * c * e + x[0] * c ** 2 * e), rtol=1e-13)

    def f2(q):                          # f = q1^2 sum exp(c q0)
        return sum(e for e in np.exp(c * q[0]) * q[1] ** 2)
    x = np.array([0.3, -1.2])
    e = np.exp(c * x[0])
    exact = np.array([[x[1] ** 2 * np.sum(c ** 2 * e), 2 * x[1] * np.sum(c * e)],
                      [2 * x[1] * np.sum(c * e), 2 * np.sum(e)]])
    np.testing.assert_allclose(dg.hessian(f2, x), exact, rtol=1e-13)
    np.testing.assert_allclose(dg.gradient(f2, x),
                               [x[1] ** 2 * np.sum(c * e), 2 * x[1] * np.sum(e)], rtol=1e-13)
