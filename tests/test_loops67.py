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
