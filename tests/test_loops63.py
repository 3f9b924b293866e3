"""loops63: a scalar dual's ``d ** k`` with a number ``k`` and its ``abs(d)`` run their fast
lines inside the operator (one Python call; before, the operator called ``_fast2_power`` /
``_fast_absolute``).  The numbers, warnings and errors are those functions' own (still in
the class's namespace: the old route) and the general path's; the derivatives are the
analytic ones."""

import math
import struct
import sys
import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual import _scalar

from _probes import spy_on

INF, NAN = float("inf"), float("nan")
VALUES = [0.7312, -1.3, 2.5, 0.0, -0.0, 1.0, -1.0, 1e-310, -1e-310, 1e-160, 3e300, -3e300,
          INF, -INF, NAN]
EXPONENTS = [3, 4, -1, 0, 1, 2, 0.5, 2.5, -1.5, 3.0, np.float64(3.0), np.float64(-0.5),
             10 ** 400, 1e308, -INF, NAN]


def _bits(d):
    """A scalar dual's value and partials as bytes (NaN payloads and zero signs too)."""
    return struct.pack(f"{1 + len(d._plist())}d", d.value, *d._plist())


def _outcome(call):
    """``call()``'s result bits or exception type, and the warnings it gave."""
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        try:
            out = _bits(call())
        except Exception as exc:  # noqa: BLE001 (compared, not hidden)
            out = type(exc)
    return out, [(w.category, str(w.message)) for w in got]


def _in_pass(n, body):
    """Run ``body(d)`` on scalar duals ``d`` of a helper's pass with ``n`` inputs, for
    every value of VALUES (partials 1.5, -0.25, 3e-300, 1, 1, ...)."""
    def f(x):
        partials = [1.5, -0.25, 3e-300][:n] + [1.0] * (n - 3)
        for v in VALUES:
            body(_scalar.make_scalar(v, partials, x[0].tag))
        return x[0]
    dg.jacobian(f, np.linspace(0.3, 0.9, n))


@pytest.mark.parametrize("n", [2, 20])      # slots, and the vector kind (n > 16)
def test_power_and_abs_as_their_old_route_and_the_general_path(n):
    seen = []

    def body(d):
        names = type(d).__pow__.__globals__
        fast2, fast_abs = names["_fast2_power"], type(d)._UNARY[np.absolute]
        for k in EXPONENTS:
            new = _outcome(lambda: d ** k)
            # the same bits; the operator reports as NumPy's float64 scalar operator
            # (refusals70's 9bfa8fce: "... in scalar power", and none of the ufunc
            # route's own derivative reports where NumPy's scalar gives none, 0 ** -inf)
            old, said = _outcome(lambda: fast2(d, k))
            assert new[0] == old, (d, k)
            assert set(new[1]) <= {(c, m.replace(" in power", " in scalar power"))
                                   for c, m in said}, (d, k)
            if type(new[0]) is bytes:
                general = _outcome(lambda: _scalar.call_ufunc(np.power, d, k))[0]
                assert new[0] == general, (d, k)
        assert _outcome(lambda: abs(d)) == _outcome(lambda: fast_abs(d))
        assert _bits(abs(d)) == _bits(_scalar.call_ufunc(np.absolute, d))
        seen.append(d.value)
    _in_pass(n, body)
    assert len(seen) == len(VALUES)


def test_one_generated_call_each():
    """The path: ``d ** 3`` and ``abs(d)`` run one function of the generated class
    (before: the operator, then ``_fast2_power`` / ``_fast_absolute``)."""
    calls = {}

    def body(d):
        if d.value != 0.7312:
            return
        for name, op in (("pow", lambda: d ** 3), ("abs", lambda: abs(d))):
            names = []
            sys.setprofile(lambda frame, event, arg: names.append(frame.f_code.co_name) if
                           event == "call" and
                           frame.f_code.co_filename.startswith("<dualgrad scalar") else None)
            op()
            sys.setprofile(None)
            calls[name] = names
    _in_pass(2, body)
    assert calls == {"pow": ["__pow__"], "abs": ["__abs__"]}


def test_derivatives_analytic():
    """First and second derivatives of ``a ** 3 * abs(b) + b ** -1.5 * a ** 4`` against
    their closed forms (the nested levels take the general path, as before)."""
    def f(x):
        a, b = x[0], x[1]
        return a ** 3 * abs(b) + b ** -1.5 * a ** 4

    for a, b in ((0.7, 1.9), (-1.3, 0.4), (2.0, 3.5)):
        x = np.array([a, b])
        g = dg.gradient(f, x)
        want = [3 * a ** 2 * abs(b) + 4 * a ** 3 * b ** -1.5,
                a ** 3 * math.copysign(1.0, b) - 1.5 * b ** -2.5 * a ** 4]
        np.testing.assert_allclose(g, want, rtol=1e-14)
        h = dg.hessian(f, x)
        want_h = [[6 * a * abs(b) + 12 * a ** 2 * b ** -1.5,
                   3 * a ** 2 * math.copysign(1.0, b) - 6 * a ** 3 * b ** -2.5],
                  [0.0, 3.75 * b ** -3.5 * a ** 4]]
        want_h[1][0] = want_h[0][1]
        np.testing.assert_allclose(h, want_h, rtol=1e-13)


def test_complex_dual_power():
    """A complex scalar dual (the class's twin) to an int power: 3 c**3 x**2."""
    c = 0.6 + 0.8j

    def f(x):
        z = x[0] * c
        w = z ** 3
        return np.stack([np.real(w), np.imag(w)])
    x = np.array([1.7])
    np.testing.assert_allclose(dg.jacobian(f, x)[:, 0],
                               [(3 * c ** 3 * 1.7 ** 2).real, (3 * c ** 3 * 1.7 ** 2).imag],
                               rtol=1e-14)


def test_an_object_array_read_back_notes_once(monkeypatch):
    """``w + np.array([d, e])`` (the pendulum's ``y[i] + k * h``): from_object_array's one
    note of dualgrad's own conversions (``_from_scalars`` took a second); the Jacobian
    the closed form's."""
    from dualgrad import errors
    seen = spy_on(monkeypatch, errors, "objects_noted", lambda args, result: True)
    counts = []

    def f(x):
        w, k = x * 1.0, np.array([x[0] * 2.0, x[1] * x[0]])
        before = len(seen)
        r = w + k
        counts.append(len(seen) - before)
        return r
    x = np.array([0.3, -1.7])
    np.testing.assert_array_equal(dg.jacobian(f, x), [[3.0, 0.0], [x[1], 1.0 + x[0]]])
    assert counts == [1]
