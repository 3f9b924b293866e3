"""A/B of np.maximum's generated kernel at N = 1e5, n = 4 (left42, issue 13 item 5):
the current select + separate tie-count pass, the count fused into the select loop (a
prototype, same bits, checked at the end), and the select alone (before tie41).  Min
and median us of 200 calls each, three rounds:

    python bench/tie_kernel_ab.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout

import numpy as np  # noqa: E402
from numba import njit
from dualgrad.backend import _rule_kernels as R
where = R.where
J = dict(error_model="numpy", nogil=True)

@njit(**J)
def fused(xs, ys, outs, px, py, q):
    rows, n = q.shape
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    ties = 0
    if n == 4:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            m = where(t != 0.0, np.int64(-1), np.int64(0))
            ties += where(t * (1.0 - t) != 0.0, 1, 0)
            for k in range(4):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    else:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            m = -np.int64(t)
            ties += where(t * (1.0 - t) != 0.0, 1, 0)
            for k in range(n):
                bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)
    if ties:
        for i in range(rows):
            x = xs[i]
            y = ys[i]
            t = where(x >= y, 0.0, where(x == x, 1.0, 0.0)) + where(x == y, 0.5, 0.0)
            if t != 0.0 and t != 1.0:
                for k in range(n):
                    q[i, k] = t * py[i, k] + (1.0 - t) * px[i, k]

@njit(**J)
def old_notie(xs, ys, outs, px, py, q):   # main before tie41: select only
    rows, n = q.shape
    bx = px.view(np.int64)
    by = py.view(np.int64)
    bq = q.view(np.int64)
    for i in range(rows):
        x = xs[i]
        y = ys[i]
        m = where((where(x >= y, 0.0, where(x == x, 1.0, 0.0))) != 0.0, np.int64(-1), np.int64(0))
        for k in range(4):
            bq[i, k] = (by[i, k] & m) | (bx[i, k] & ~m)

N, n = 100_000, 4
rng = np.random.default_rng(0)
x, y = rng.random(N), rng.random(N)
px, py = rng.random((N, n)), rng.random((N, n))
out = np.maximum(x, y)
q1, q2 = np.empty((N, n)), np.empty((N, n))
kern = njit(**J)(R.d_maximum_xy)
for f in (kern, fused, old_notie):
    f(x, y, out, px, py, q1)
def tm(f, reps=200):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(x, y, out, px, py, q1); ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[0] * 1e6, ts[len(ts)//2] * 1e6
for r in range(3):
    print("current", tm(kern), "fused", tm(fused), "no-tie(main-before)", tm(old_notie))
kern(x, y, out, px, py, q1); fused(x, y, out, px, py, q2)
assert np.array_equal(q1.view(np.int64), q2.view(np.int64))
x2 = x.copy(); x2[::7] = y[::7]
kern(x2, y, out, px, py, q1); fused(x2, y, out, px, py, q2)
assert np.array_equal(q1.view(np.int64), q2.view(np.int64))
print("same bits")
