"""Iteration over an array dual (``ArrayDual.__iter__``, loops61) and a right-hand side's
list of scalar duals (``api._ode_levels.as_state``).

``for e in d``, ``sum(d)``, ``A, B, C = y`` read ``d[i]`` at each step, as NumPy's own
iteration reads each element when it yields it: a write made while iterating is seen.
The new lines build ``d[i]`` from the dual's arrays at the step (one level of float64
arrays, or two: ``dg.hessian``'s, a root finder's Newton steps), and every test here runs
its function twice, with them and with the iteration before them (``d[i]`` for every
element), and asserts the same bits (each level's value and partials, NaN, inf and the
zero's sign, the class and tag) or the same error.  Complex steps, closed forms and an
ODE's closed form are the independent oracles (the Euler-Lotka row's mpmath implicit
derivatives are tests/test_newuser60.py's).
"""

import struct
import threading

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.api import _ode_levels
from dualgrad.api.helpers import jvp
from dualgrad.dual import _array

INF, NAN = float("inf"), float("nan")


def _key(e, tags):
    """Everything ``e`` holds, as bytes: its class, each level's value and partials and
    tag (numbered by first appearance in ``tags``: each call of a helper has its own)."""
    if isinstance(e, dg.Dual):
        tag = tags.setdefault(e.tag, len(tags))
        ps = e._plist() if e._kind == "slots" else [_array.partials_array(e)]
        return type(e).__name__, tag, _key(e.value, tags), tuple(_key(p, tags) for p in ps)
    if isinstance(e, float):
        return struct.pack("<d", e)
    a = np.asarray(e)
    return a.dtype.str, a.shape, a.tobytes()


def _one_nan(out):
    """The helper's result with each NaN the positive quiet one (-0.0 kept): a Hessian's
    NaN sign bits from ``sum`` of elements holding NaN came out differently in CI's fused
    half only, by the xdist worker's order (lead63: not a number; what each element
    yields is still compared whole, NaN signs included)."""
    a = np.asarray(out)
    return np.where(np.isnan(a), np.nan, a) if a.dtype.kind == "f" else out


def _element_by_element(d):
    """``ArrayDual.__iter__`` before loops61: ``d[i]`` at each step."""
    for i in range(len(d)):
        yield d[i]


def _both(body, x, helper, monkeypatch):
    """``helper(f, x)`` where f runs ``body(x, seen)`` (which appends what iteration
    yields to ``seen``), with the new lines and with the iteration before them
    (:func:`_element_by_element`); asserts the
    same bits (or error) for the result and everything seen, and returns what it
    compared: ``((result, seen), None)`` or ``(None, (type, message))``."""
    def run():
        seen = []
        try:
            out = helper(lambda q: body(q, seen), np.array(x, dtype=float))
            tags = {}
            return (_key(_one_nan(out), tags), [_key(e, tags) for e in seen]), None
        except Exception as err:        # noqa: BLE001 (compared below)
            return None, (type(err), str(err))
    new = run()
    monkeypatch.setattr(_array.ArrayDual, "__iter__", _element_by_element)
    old = run()
    monkeypatch.undo()
    assert new == old
    return new


def _collect(seen, d):
    seen.extend(d)
    return d


def _flat(q, seen):                     # NaN, inf, -0.0 among values and partials
    y = np.exp(q[0] * np.array([1.0, -0.0, INF, NAN, 2.0, -3.0]) + q[1] * q[-1]) * \
        np.array([1.0, -0.0, 1.0, 1.0, -0.0, 2.0])     # values -0.0 (a sign a build can lose)
    for e in y:
        seen.append(e)
    return sum(y)


def _views(q, seen):
    y = np.sin(q[0] * np.arange(7.0)) * q[-1]
    _collect(seen, y[::-2])
    _collect(seen, y[1:4])
    return sum(y[::3]) + sum(np.cos(y)[2:])


def _rows(q, seen):                     # a 2-D dual yields rows (d[i]: unchanged)
    y = np.outer(q, q[::-1])
    for row in y:
        seen.append(row)
    return np.sum(sum(y))


def _writes(q, seen):                   # writes ahead of, at and behind the step
    y = np.exp(q[0] * np.linspace(1.0, 2.0, 6)) + q[-1]
    w = y[2:]                           # a view: its writes are y's
    for k, e in enumerate(y):
        seen.append(e)
        if k == 0:
            y[3] = e * 7.0
            w[2] = q[1] ** 2            # y[4]
            y[5] = 2.5                  # a number: zero partials
        elif k == 1:
            y[0] = -e
            y[2:4] = y[2:4] * 3.0       # a slice
        elif k == 2:
            y *= 2.0                    # in place
    seen.append(y)
    return np.sum(y)


def _unpacked(q, seen):
    A, B, C = np.exp(q[:3]) * q[-1]
    seen.extend((A, B, C))
    return A * B - C * B


BODIES = [_flat, _views, _rows, _writes, _unpacked]


@pytest.mark.parametrize("body", BODIES, ids=lambda b: b.__name__)
@pytest.mark.parametrize("helper", ["gradient", "hessian", "vector"])
def test_iteration_is_the_element_path_bit_for_bit(body, helper, monkeypatch):
    x = [0.7, -1.3, 0.4, 2.1]
    if helper == "vector":              # 17 inputs: the vector kind (beyond 16 slots)
        x, helper = list(np.linspace(-1.0, 1.0, 17)), "gradient"
    got, err = _both(body, x, getattr(dg, helper), monkeypatch)
    assert err is None and got[1]


def test_iteration_in_a_root_finders_newton_steps_is_the_element_path(monkeypatch):
    """Two levels, the inner of a jvp over the helper's: the Euler-Lotka row's shape."""
    age = np.arange(1.0, 51.0)

    def body(q, seen):
        def g(r):
            terms = np.exp(-r * age) * np.exp(-(1 + 0.5 * q[0]) * age) * 16 * q[0]
            seen.extend(terms)
            return 1 - sum(terms)
        return np.atleast_1d(jvp(g, 0.1, 1.0)[1])
    for helper, f in ((dg.jacobian, body),
                      (dg.hessian, lambda q, seen: body(q, seen)[0])):     # (three levels)
        got, err = _both(f, [1.5], helper, monkeypatch)
        assert err is None and len(got[1]) == 50


@pytest.mark.parametrize("which", ["gradient", "hessian value", "hessian partials"])
def test_arrays_replaced_while_iterating_are_read_as_they_are(which, monkeypatch):
    """A promotion replaces a dual's arrays (``_promote``): the steps after read the new
    ones, of another dtype here (complex), as ``d[i]`` reads them."""
    def body(q, seen):
        y = np.exp(q * np.linspace(1.0, 2.0, len(q)))    # (two levels in a Hessian)
        for k, e in enumerate(y):
            seen.append(e)
            if k == 1:
                d = y if which == "gradient" else y.value if "value" in which else y._p
                d.value, d._p = d.value * (1 + 0j), d._p * (1 - 0j)
        return np.sum(np.real(y))
    helper = dg.gradient if which == "gradient" else dg.hessian
    got, err = _both(body, [0.3, -0.2, 0.5], helper, monkeypatch)
    assert err is None and len(got[1]) == 3


def test_a_buffer_promoted_while_iterating_is_not_called_shared(monkeypatch):
    """A buffer of a jvp's tag iterated while a dual of both calls is stored into it: the
    store promotes its values (``_promote``), which refuses arrays anything else holds
    (``_shared`` counts references); the iteration holds its arrays weakly, so the store
    goes through as under ``d[i]`` (a strong hold raised SharedBufferError)."""
    def body(q, seen):
        def g(r):
            buf = np.zeros_like(r, shape=4)
            for k in range(4):
                buf[k] = r * (k + 1.0)
            for k, e in enumerate(buf):
                seen.append(e)
                if k == 1:
                    buf[3] = e * q[0]
            return sum(seen) + buf[3]
        return np.atleast_1d(jvp(g, 0.1, 1.0)[1])
    got, err = _both(body, [1.5], dg.jacobian, monkeypatch)
    assert err is None and isinstance(got[1][3][2], tuple)     # (seen[3] holds a dual)


def test_the_new_lines_are_taken(monkeypatch):
    """No ``d[i]`` while iterating a one-level dual, no ``_element`` for two levels (both
    are what the code before ran for each element)."""
    got, on = [], []
    real_get, real_element = _array.ArrayDual.__getitem__, _array._element
    monkeypatch.setattr(_array.ArrayDual, "__getitem__",
                        lambda d, i: (on and got.append("get")) or real_get(d, i))
    monkeypatch.setattr(_array, "_element",
                        lambda d, i: (on and got.append("element")) or real_element(d, i))

    def f(q):
        y = np.exp(q * 2.0)
        on.append(1)
        got.append(len(list(y)))
        on.clear()
        return sum(y)
    dg.jacobian(f, np.array([0.1, 0.2, 0.3]))
    dg.hessian(f, np.array([0.1, 0.2, 0.3]))       # (two levels)
    assert got == [3, 3]


def test_iteration_against_complex_steps_and_a_closed_form_hessian():
    a = np.linspace(-1.0, 1.5, 7)

    def f(q):                           # sum_i exp(a_i q0 q1) + q2 * sum_i sin(q2 a_i)
        return sum(np.exp(a * q[0] * q[1])) + q[2] * sum(e for e in np.sin(q[2] * a))
    x = np.array([0.6, -0.8, 1.1])
    g = dg.gradient(f, x)
    cs = [np.imag(f(x + 1e-30j * np.eye(3)[k])) / 1e-30 for k in range(3)]
    np.testing.assert_allclose(g, cs, rtol=1e-14, atol=1e-15)
    H = dg.hessian(f, x)
    e = np.exp(a * x[0] * x[1])
    s, c = np.sin(x[2] * a), np.cos(x[2] * a)
    exact = np.zeros((3, 3))
    exact[0, 0] = np.sum(a ** 2 * x[1] ** 2 * e)
    exact[1, 1] = np.sum(a ** 2 * x[0] ** 2 * e)
    exact[0, 1] = exact[1, 0] = np.sum(a * e + a ** 2 * x[0] * x[1] * e)
    exact[2, 2] = np.sum(2 * a * c - x[2] * a ** 2 * s)
    np.testing.assert_allclose(H, exact, rtol=1e-13, atol=1e-14)


def test_threads_iterating_one_dual_read_what_one_thread_reads():
    def f(q):
        for y in (np.exp(q * np.arange(1.0, 41.0)[:, None]).ravel(), q[0] * q):
            alone = [_key(e, {}) for e in y]
            got = [None] * 8

            def read(k):
                for _ in range(20):
                    got[k] = [_key(e, {}) for e in y]
            threads = [threading.Thread(target=read, args=(k,)) for k in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert got == [alone] * 8
        return sum(q)
    dg.jacobian(f, np.array([0.1, -0.2]))
    dg.hessian(f, np.array([0.1, -0.2]))


def test_a_zero_d_dual_and_an_escaped_one_as_before(monkeypatch):
    kept = []

    def body(q, seen):
        kept.append(q * 2.0)
        with pytest.raises(TypeError):
            iter(np.reshape(q[:1], ()))
        return q
    _both(body, [1.0, 2.0], dg.jacobian, monkeypatch)
    _both(lambda q, seen: seen.extend(kept[0]) or q, [1.0, 2.0], dg.jacobian, monkeypatch)


# ---- a right-hand side's list of scalar duals ------------------------------------------

def _decay(k):
    def rhs(t, y):
        a, b = y
        return [-k[0] * a, k[0] * a - k[1] * b + 0.0]
    sol = dg.solve_ivp(rhs, (0.0, 1.0), [1.0, 0.0], rtol=1e-11, atol=1e-13, t_eval=[1.0])
    return sol.y[:, -1]


def test_a_rhs_list_is_read_at_once_and_is_the_object_arrays_read(monkeypatch):
    read = []
    real = _ode_levels.object_items
    monkeypatch.setattr(_ode_levels, "object_items", lambda x: read.append(1) or real(x))
    from dualgrad.api import _ode          # (its list of floats' read first, rates64: the
    monkeypatch.setattr(_ode, "stacked_numbers", lambda *a: None)    # split's read here)
    k = np.array([0.8, 0.3])
    J = dg.jacobian(_decay, k)
    assert not read                     # (the object array's read: not needed)
    monkeypatch.setattr(_ode_levels, "stack_lean", lambda items: None)
    J_old = dg.jacobian(_decay, k)
    assert read
    np.testing.assert_array_equal(J.view(np.int64), J_old.view(np.int64))
    # the closed form: a = exp(-k0 t), b = k0 (exp(-k1 t) - exp(-k0 t)) / (k0 - k1)
    k0, k1 = k
    e0, e1 = np.exp(-k0), np.exp(-k1)
    exact = [[-e0, 0.0],
             [(e1 - e0) / (k0 - k1) + k0 * e0 / (k0 - k1) - k0 * (e1 - e0) / (k0 - k1) ** 2,
              -k0 * e1 / (k0 - k1) + k0 * (e1 - e0) / (k0 - k1) ** 2]]
    np.testing.assert_allclose(J, exact, rtol=1e-8, atol=1e-10)
