"""One element of a 1-D complex array dual read and stored without the general lines
(corpus65: the Mie row's downward recurrence ``D[i-1] = i/z - 1/(D[i] + i/z)`` into its
complex buffer): the short paths ran, they give the general lines' duals to the bit
(specials included), and the recurrence's derivative is the chain rule's."""

import numpy as np

import dualgrad as dg
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
