"""corpus65's short paths: one element of a 1-D complex array dual read and stored
without the general lines (the Mie row's downward recurrence ``D[i-1] = i/z - 1/(D[i] +
i/z)`` into its complex buffer), and a NumPy float64 beside an array dual in ``+ - *``
taking the one-pass path of a Python float (the Newmark row's ``h * u``, ``h = t[1] -
t[0]``): the short paths ran, they give the general lines' duals to the bit (specials
included), and the derivatives are the chain rule's; ``u / c`` at a subnormal ``c`` is
the quotient's slope (it was ``1e-300 * (1 / 5e-324)``, inf, for a Python float)."""

import numpy as np

import dualgrad as dg
from dualgrad.dispatch import _ufuncs
from dualgrad.dual import _array

from _probes import same_duals, spy_on

SPECIALS = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5]


def recurrence(q, k=8):
    z = q[0] * (q[1] + 1j * q[2])
    D = np.zeros_like(z, shape=k, dtype=complex)
    for i in range(k - 1, 1, -1):
        D[i - 1] = (i / z) - (1 / (D[i] + i / z))
    return D


def test_recurrence_short_paths_and_chain_rule(monkeypatch):
    q = np.array([3.0, 1.55, 0.01])
    general = spy_on(monkeypatch, _array, "_element", lambda args, r: args[1])
    stores = spy_on(monkeypatch, _array, "_store_element", lambda args, r: args[1])
    got = dg.jacobian(lambda p: recurrence(p), q)
    assert general == [] and stores == []      # no element went the general way
    z = q[0] * (q[1] + 1j * q[2])              # the oracle: forward mode by hand
    dz = np.array([q[1] + 1j * q[2], q[0], 1j * q[0]])
    D, dD = np.zeros(8, complex), np.zeros((8, 3), complex)
    for i in range(7, 1, -1):
        s = D[i] + i / z
        ds = dD[i] - i / z ** 2 * dz
        D[i - 1] = i / z - 1 / s
        dD[i - 1] = -i / z ** 2 * dz + ds / s ** 2
    np.testing.assert_allclose(got, dD, rtol=1e-13, atol=1e-15)


def test_elements_are_the_general_lines(monkeypatch):
    seen = []

    def f(q):
        m = q[1] + 1j * q[0]
        for buffer in (np.zeros_like(m, shape=4, dtype=complex),
                       q[0] * np.linspace(-1.0, 2.0, 4) + 1j,          # real partials
                       (1.5 - 2j) * (q[0] * np.ones(4))):
            fast, general = buffer.copy(), buffer.copy()
            for k, s in enumerate(SPECIALS):
                d = q[k % 2] * complex(s, 1.0) + (q[1] * 1j) * s
                i = k % 4
                fast[i] = d                       # an int index: the short store where
                general[np.int64(i)] = d          # it applies; np.int64: the general one
                same_bits_of(fast, general)
                for j in (i, -1, 0):
                    e = fast[j]
                    seen.append(type(e).__name__)
                    same_duals(e, _array.make(fast.value[j], fast._p[j], fast.tag))
        return q[0]
    with np.errstate(all="ignore"):
        dg.jacobian(f, np.array([1.3, -0.7]))
    assert set(seen) == {"ComplexScalarDual2"}


def same_bits_of(a, b):
    assert a.value.dtype == b.value.dtype and a._p.dtype == b._p.dtype
    assert a.value.tobytes() == b.value.tobytes() and a._p.tobytes() == b._p.tobytes()


def test_float64_number_one_pass(monkeypatch):
    q = np.array([1.3, -0.7])
    h = np.float64(0.05)
    seen = spy_on(monkeypatch, _ufuncs, "_pair", lambda args, r: args[0].name)

    def f(p):
        u = p[0] * np.array([1.0, -2.0, 0.0]) + p[1] * np.array([0.5, 0.0, -0.0])
        got = [h * u, u * h, h + u, u - h, h - u]
        assert seen == []                      # none went small()'s way
        for c in (0.0, -0.0, 5e-324, 1e308, np.inf, np.nan, -2.5):
            for op in (np.add, np.subtract, np.multiply):
                for x, y in ((np.float64(c), u), (u, np.float64(c))):
                    fast = op(x, y)
                    plain = op(float(x) if type(x) is np.float64 else x,
                               float(y) if type(y) is np.float64 else y)
                    same_duals(fast, plain)    # the Python float's bits
        return got[0] - got[1] + got[2] * got[3] - got[4]
    with np.errstate(all="ignore"):
        J = dg.jacobian(f, q)
    a, b = np.array([1.0, -2.0, 0.0]), np.array([0.5, 0.0, -0.0])
    u = q[0] * a + q[1] * b                     # d/dp of (h+u)(u-h) + u - h
    want = ((u - h) + (u + h))[:, None] * np.stack([a, b], 1) + np.stack([a, b], 1)
    np.testing.assert_allclose(J, want, rtol=1e-15, atol=1e-15)


def test_subnormal_divisor_two_step_quotient():
    for c in (5e-324, 1e-310, np.float64(5e-324), -1e-315):
        J = dg.jacobian(lambda p: (p * 1e-300) / c, np.array([1.0]))
        assert J[0, 0] == 1e-300 / float(c)     # not 1e-300 * (1 / c) = inf
