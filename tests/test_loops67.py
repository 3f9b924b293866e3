"""loops67: a root finder's depth probe ``g(root)`` folded into its first Newton step's
``jvp`` (dualgrad/scipy/optimize.py ``_first_step``) where f's arguments or closure hold
duals: the same numbers as the probe's path, and where the fold is let go (f's value
holds no duals, f raises on a dual root) the records of the attempt put back, so the
helper around sees what it saw with the probe alone."""

import math
import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.scipy import optimize
from dualgrad.scipy.optimize import brentq

from _probes import bench_module, spy_on


def _cubic(s, p, c):
    return s ** 3 + p[0] * s - p[1] * c


def _roots(p, c):
    q = p * 1.0
    return np.stack([brentq(_cubic, -1e3, 1e3, args=(p, c)),          # args
                     brentq(lambda s: s ** 3 + q[0] * s - q[1] * c, -1e3, 1e3)])  # closure


@pytest.mark.parametrize("helper", ["jacobian", "hessian"])
def test_folded_probe_same_numbers(monkeypatch, helper):
    """The roots' Jacobians and Hessians (args and closure duals, the Euler-Lotka row)
    bit for bit with the probe's path (``_first_step`` off), the fold taken each time,
    and the slopes against the implicit-function theorem's closed form."""
    euler = bench_module("corpus60").euler_lotka_row
    cases = [(lambda q, c=c: _roots(q, c), np.array(p)) for c in (1.0, -0.0, 1e-310, 1e-160)
             for p in ([2.0, 3.0], [0.5, -1e-3])] + [(euler, np.array([1.5]))]

    def run():
        out = []
        for f, x in cases:
            if helper == "jacobian":
                out.append(dg.jacobian(f, x))
            else:
                out.append(dg.hessian(lambda q, f=f: f(q)[0], x))
        return out
    seen = spy_on(monkeypatch, optimize, "_first_step", lambda a, r: r is not None, after=True)
    got = run()
    assert seen and all(seen)
    monkeypatch.setattr(optimize, "_first_step", lambda *a: None)
    for g, w in zip(got, run()):
        assert (g.dtype, g.shape, g.tobytes()) == (w.dtype, w.shape, w.tobytes())
    if helper == "jacobian":                    # s**3 + a s = b: ds/da = -s / (3 s**2 + a),
        s = float(_roots(np.array([2.0, 3.0]), 1.0)[0])       # ds/db = 1 / (3 s**2 + a)
        want = np.array([-s, 1.0]) / (3 * s * s + 2.0)
        np.testing.assert_allclose(got[0], [want, want], rtol=1e-13)


def _step(s, p):                  # no dual reaches the value; comparisons of s
    return np.where(s > 0.3, 1.0, -1.0)


def _floated(s, p):               # a dual s is made plain, the error caught
    try:
        s = float(s)
    except TypeError:
        pass
    return s - 0.3


def _math(s, p):                  # math.exp raises on a dual s
    return math.exp(s) - 2.0


@pytest.mark.parametrize("f", [_step, _floated, _math])
def test_let_go_keeps_the_probes_records(f):
    """f's value holds no duals at the root although its args do: SciPy's root, plain
    (derivative 0), with no warning and no refusal from the attempt's comparisons or
    caught errors (kept, the outer helper warned "compared" or refused a swallowed
    error)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = dg.derivative(lambda p: brentq(f, 0.0, 1.0, args=(p,)), 1.5)
    assert d == 0.0



INF, NAN = float("inf"), float("nan")
PARTS = [0.0, -0.0, 5e-324, -2.5e-310, 1e-160, -0.75, 1.0, 3.0, -1e154, 1.5e308, INF, NAN]
ROWS = [[1.0], [-0.0, 2.0], [1j, complex(-0.75, -0.0)], [complex(-0.0, 0.0), complex(2.5, -1e-300), 7.0],
        [complex(1e308, -1e308), 0.5j], [NAN, 1.0], [complex(0.0, INF), 1.0, -0.0]]


def _abs_cases():
    """(value, partials, warnings) of ``np.abs`` and ``abs`` of complex scalar duals made
    directly (values and partials as given: signed zeros, subnormals, |x| overflowing,
    inf / NaN parts, which the lean lines decline) inside passes of 1-3 directions."""
    from dualgrad import dual
    got = []

    def f(x):
        for row in ROWS:
            for v in (complex(r, i) for r in PARTS for i in PARTS):
                z = dual.make_scalar(v, list(row) + [0.0] * (len(x) - len(row)), x.tag) \
                    if len(row) <= len(x) else None
                if z is None:
                    continue
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    for a in (np.abs(z), abs(z)):
                        got.append((type(a).__name__, float(a.value).hex(),
                                    [float(p).hex() for p in a._plist()]))
                got.append([str(w.message) for w in caught])
        return x
    for n in (1, 2, 3):
        dg.jacobian(f, np.arange(1.0, n + 1.0))
    return got


def test_complex_abs_same_bits(monkeypatch):
    """``np.abs`` / ``abs`` of a complex scalar dual on the lean lines and on the general
    path (``_complex_abs`` off): the same class, value and partials bit for bit (NaN,
    -0.0) and the same warnings, over the grid (the lean lines taken); and d|z| against
    the closed form re(conj(z) dz) / |z|."""
    from dualgrad.dispatch import _ufuncs
    seen = spy_on(monkeypatch, _ufuncs, "_complex_abs", lambda a, r: r is not None, after=True)
    lean = _abs_cases()
    assert sum(seen) > 1000
    monkeypatch.setattr(_ufuncs, "_complex_abs", lambda rule, d: None)
    assert lean == _abs_cases()
    z0, dz = 0.3 - 1.2j, np.array([1.0, 2.0 - 0.5j])
    g = dg.jacobian(lambda x: np.stack([np.abs(z0 + x[0] * dz[0] + x[1] * dz[1])]),
                    np.zeros(2))
    np.testing.assert_allclose(g[0], (np.conj(z0) * dz).real / abs(z0), rtol=1e-15)


def _stack_cases():
    """Bytes of ``np.stack`` of complex scalar duals beside constants (ints, floats,
    complex, -0.0, NaN, inf, 2**53 and past it, a bool, a NumPy float64, a real dual),
    the duals' values and partials (complex and float) at the grid's special numbers,
    in passes of 1 and 3 directions, with ``axis=0`` / ``-1`` and the tuple spelling."""
    from dualgrad import dual
    got = []
    specials = [complex(r, i) for r in (0.0, -0.0, 1e-310, -2.5, INF, NAN)
                for i in (0.0, -0.0, 3.0, NAN)]
    consts = [0, -0.0, 1.5, complex(-0.0, -0.0), NAN, INF, 2 ** 53, 2 ** 53 + 1, True,
              np.float64(2.0)]

    def f(x):
        n = len(x)
        rows = [[complex(-0.0, 1.0)] + [0.0] * (n - 1), [-0.0] * n,
                [complex(NAN, -0.0)] + [complex(2.0, -0.0)] * (n - 1), [1.0] * n]
        for k, v in enumerate(specials):
            z = dual.make_scalar(v, rows[k % 4], x.tag)
            w = dual.make_scalar(specials[-1 - k], rows[(k + 1) % 4], x.tag)
            for items in ([z, w], [w, z, z], (z, 0), [z], [z, x[0]]) + \
                    tuple([c, z] for c in consts) + tuple([z, w, c] for c in consts):
                for axis in (0, -1):
                    try:
                        s = np.stack(items, axis=axis)
                        got.append((type(s).__name__, s.value.dtype.str, s.value.tobytes(),
                                    np.asarray(s.partials).dtype.str,
                                    np.asarray(s.partials).tobytes()))
                    except Exception as exc:  # noqa: BLE001 (the same error both ways)
                        got.append(f"{type(exc).__name__}: {exc}")
        return x
    for n in (1, 3):
        dg.jacobian(f, np.arange(1.0, n + 1.0))
    return got


def test_complex_stack_same_bits(monkeypatch):
    """``np.stack`` of complex scalar duals on the lean lines and on the general path
    (``_complex_scalars`` off): the same class, dtypes and bytes (or the same error),
    the lean lines taken; and the Jacobian of a stacked complex pair against its closed
    form."""
    from dualgrad.dual import _joins
    seen = spy_on(monkeypatch, _joins, "_complex_scalars", lambda a, r: r is not None,
                  after=True)
    lean = _stack_cases()
    assert sum(seen) > 500 and not all(seen)
    monkeypatch.setattr(_joins, "_complex_scalars", lambda items: None)
    assert lean == _stack_cases()
    J = dg.jacobian(lambda x: np.stack([x[0] * 2j + x[1], 1.0, x[1] * (1 - 1j)]).imag,
                    np.array([0.5, -1.5]))
    np.testing.assert_array_equal(J, [[2.0, 0.0], [0.0, 0.0], [0.0, -1.0]])
