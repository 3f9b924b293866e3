"""Helpers on several threads at once, each writing elements of its own dual arrays
(userhydro50: one calibration per catchment on a ThreadPoolExecutor raised
"dictionary keys changed during iteration" from DualArray.__setitem__'s walk of the
process's seed registry while another thread's call registered its seed).

Oracle: the serial results, and the closed form of the recursion's derivative.
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import dualgrad as dg


def _store(par, n=150):
    """q[t] = a q[t - 1] + b, stored element by element: dq[t]/da, dq[t]/db closed."""
    a, b = par
    q = np.zeros_like(par, shape=n)
    for t in range(1, n):
        q[t] = a * q[t - 1] + b
    return np.sum(q)


def _exact(par, n=150):
    a, b = par
    t = np.arange(n)
    q = b * (1 - a ** t) / (1 - a)                  # q[t] = b (1 - a^t) / (1 - a)
    dq_db = (1 - a ** t) / (1 - a)
    dq_da = b * (-(t * a ** np.maximum(t - 1, 0)) * (1 - a) + (1 - a ** t)) / (1 - a) ** 2
    return np.array([np.sum(dq_da), np.sum(dq_db)]), np.sum(q)


def test_gradients_on_threads_writing_dual_elements():
    points = [np.array([0.5 + 0.04 * k, 1.0 + 0.1 * k]) for k in range(8)]
    serial = [dg.gradient(_store, p) for p in points]
    for p, g in zip(points, serial):
        np.testing.assert_allclose(g, _exact(p)[0], rtol=1e-12)
    with ThreadPoolExecutor(4) as ex:
        for _ in range(3):
            got = list(ex.map(lambda p: dg.gradient(_store, p), points * 3))
            for g, want in zip(got, serial * 3):
                np.testing.assert_array_equal(g, want)
