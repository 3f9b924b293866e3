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


_FIRST_SCIPY_USE = """
import threading, numpy as np
import dualgrad as dg
import dualgrad.scipy.special as dss
start, errs, ok = threading.Barrier(8), [], []
def work(i):
    x = np.array([0.0, 1.0, 2.0]) + i
    start.wait()
    try:
        g = dg.gradient(lambda x: np.sum(dss.expit(x)), x)
        assert np.allclose(g, np.exp(-x) / (1 + np.exp(-x)) ** 2, rtol=1e-13, atol=0), g
        ok.append(i)
    except Exception as e:
        errs.append(f"{type(e).__name__}: {str(e)[:120]}")
ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
[t.start() for t in ts]
[t.join() for t in ts]
print(len(ok), errs)
"""


def test_first_scipy_special_use_on_threads():
    """attack56 03: the scipy.special rows are loaded on the first call that meets one;
    other threads meeting one meanwhile found the loaded flag set and no row ("not in
    dualgrad's rule table").  Each thread's gradient against the closed form
    e^-x / (1 + e^-x)^2 of expit's, in a fresh process (the load happens once per
    process)."""
    import subprocess
    import sys
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", _FIRST_SCIPY_USE], capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.split()[0] == "8", out.stdout
