"""dg.quad's cheaper decisions (quad64): a first-order moving limit's term on one node,
a NaN source's inside test on plain numbers before the watch's full path, the nodes'
scalar duals read by ``stack_lean``, the gap check's one stack of neighbour pairs.
Numbers against mpmath (the analytic derivative's integral, or its derivative of
mpmath's integral at 20 digits); the paths by spies (these fail on 94e0ada)."""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg
from dualgrad.api import _quad
from dualgrad.dual import Dual

from _probes import bench_module, spy_on

K = 299792458 / (2.9979 * 3.085678 * 10 ** 25)     # bench/corpus62.py's H0 per h
C = 9.715611890800001e-18
Z = (0.1, 0.5, 1.0, 2.0)


def _cosmology_oracle(h, om, s, zs):
    """Rows ``zs`` of the d_L row's Jacobian in (h, Omega_m, s) from mpmath integrals of
    the analytic partials: I = int_0^b dZ / H, dI/dh = -I / h, dI/dOm = int -(E^-3 /
    2)((1 + Z)^3 - 1) / H0, dI/db = 1 / H(b)."""
    h, om, s = mp.mpf(h), mp.mpf(om), mp.mpf(s)
    H0 = K * h

    def E(x):
        return mp.sqrt(om * (1 + x) ** 3 + 1 - om)
    rows = []
    for z in zs:
        b = s * z
        integral = mp.quad(lambda x: 1 / (H0 * E(x)), [0, b])
        d_om = mp.quad(lambda x: -((1 + x) ** 3 - 1) / (2 * H0 * E(x) ** 3), [0, b])
        grow = (1 + b) * C
        rows.append([grow * -integral / h, grow * d_om,
                     z * C * integral + grow * z / (H0 * E(b))])
    return np.array(rows, dtype=float)


def test_luminosity_row_against_mpmath(monkeypatch):
    """The corpus row's Jacobian (four dg.quad, each with a moving upper limit) at the
    corpus's point, to 1e-12, with its limit terms taken on one node each (94e0ada:
    two)."""
    row = bench_module("corpus62").cosmology_row
    at_limit = spy_on(monkeypatch, _quad, "_one",
                      lambda args, _: isinstance(args[1], Dual) or None)
    J = dg.jacobian(row, np.array([0.7, 0.284, 1.0]))
    with mp.workdps(20):
        want = _cosmology_oracle(0.7, 0.284, 1.0, Z[1::2])
    np.testing.assert_allclose(J[1::2], want, rtol=1e-12, atol=0)
    assert len(at_limit) == len(Z)              # one node per moving limit


def test_exchanger_crossflow_against_mpmath():
    """corpus63's crossflow effectiveness (dg.quad of ``iv(0, v)`` terms up to a limit
    moving with NTU and Cr): its gradient against mpmath's derivative of mpmath's
    integral (20 digits)."""
    hx = bench_module("corpus63").effectiveness_from_NTU

    def oracle(ntu, cr):
        t0 = 1 / (4 * cr * ntu)
        integral = mp.quad(lambda v: (1 + ntu - v * v * t0) * mp.exp(-v * v * t0) * v *
                           mp.besseli(0, v), [0, 2 * ntu * mp.sqrt(cr)])
        return 1 / cr - mp.exp(-cr * ntu) / (2 * (cr * ntu) ** 2) * integral

    ntu, cr = 1.3, 0.4
    g = dg.gradient(lambda q: hx(q[0], q[1], "crossflow"), np.array([ntu, cr]))
    with mp.workdps(20):
        want = [float(mp.diff(lambda a: oracle(a, mp.mpf(cr)), mp.mpf(ntu))),
                float(mp.diff(lambda b: oracle(mp.mpf(ntu), b), mp.mpf(cr)))]
    np.testing.assert_allclose(g, want, rtol=1e-10, atol=0)


def test_second_order_limit_keeps_its_nodes(monkeypatch):
    """A Hessian's moving limit still takes order + 1 = 3 nodes (delta^2 != 0):
    int_0^b exp(-p x) dx = (1 - e^{-p b}) / p in (p, b), analytic."""
    at_limit = spy_on(monkeypatch, _quad, "_one",
                      lambda args, _: isinstance(args[1], Dual) or None)

    def area(q):
        return dg.quad(lambda x: np.exp(-q[0] * x), 0.0, q[1])[0]
    p, b = 0.7, 1.9
    got = dg.hessian(area, np.array([p, b]))
    e = np.exp(-p * b)
    want = np.array([[(2 - e * (2 + 2 * p * b + (p * b) ** 2)) / p ** 3,
                      -b * e],
                     [-b * e, -p * e]])
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)
    assert len(at_limit) == 3


def test_nan_source_inside_and_across(monkeypatch):
    """``x ** 0.5`` inside its domain at every node is decided by the plain-number test
    (no ``_met`` per node); a base that turns negative inside the range, its NaN made a
    number by func, is still refused, after that test has been learned."""
    met = spy_on(monkeypatch, _quad._Watch, "_met", lambda args, _: True)

    def smooth(p):
        return dg.quad(lambda x: (x + p) ** 0.5, 0.0, 1.0)[0]
    d = dg.derivative(smooth, 0.6)
    assert d == pytest.approx((1.6 ** 0.5 - 0.6 ** 0.5), rel=1e-12)
    assert len(met) <= 1                    # (the first meeting of np.power only)

    def masked(p):
        return dg.quad(lambda x: np.nan_to_num((x - p) ** 0.5), 0.0, 1.0)[0]
    with pytest.raises(TypeError, match="np.power on duals"):
        dg.derivative(masked, 0.4)


def test_nodes_read_by_stack_lean(monkeypatch):
    """The 21 nodes' scalar duals are joined by ``stack_lean`` (no object array); the
    integral matches the analytic one: d/dp int_0^1 sin(p x) dx = (sin p / p - (1 -
    cos p) / p^2)."""
    lean = spy_on(monkeypatch, _quad, "stack_lean",
                  lambda args, out: out is not None or None, after=True)
    p = 1.3
    d = dg.derivative(lambda p: dg.quad(lambda x: np.sin(p * x), 0.0, 1.0)[0], p)
    assert d == pytest.approx(np.sin(p) / p - (1 - np.cos(p)) / p ** 2, rel=1e-13)
    assert lean
