"""Lorenz-96 tangent-linear runs: what one direction costs against the full Jacobian,
and what is fixed per operation (issue 13, mid48).

    python bench/l96_perop.py [--compare OTHER_CHECKOUT] [--rounds 3] [--sizes 10 40 100 1000]
    python bench/l96_perop.py --parts [--size 40]

The model is bench/climate.py's (Lorenz-96 by ``np.roll``, 50 hand-written RK4 steps,
dt 0.01: 600 rolls and ~1,400 ufunc calls on arrays of N elements).  For each N: f on
floats; ``dg.jvp`` of one direction; ``dg.jacobian`` of ``z -> rk4(x0 + V z)`` for k = 2
and 4 columns of V (k directions, one more product at the start); ``dg.jacobian`` of
``rk4`` itself (N directions) up to N = 100.  Medians of process time per call
(``_common.median_time``), ms.  With ``--compare DIR`` each round runs one fresh process
of that checkout (before) and one of this one (after), alternating
(``_common.alternate``); the load (``os.getloadavg``) is printed before and after.

``--parts`` (this checkout): each statement of the tendency and of an RK4 stage, timed
inside a ``dg.jvp`` pass (n = 1) at ``--size``, beside the same statement on floats (us
per statement, median of 7 ``timeit`` repeats, process time).
"""

import argparse
import json
import os
import statistics
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (one thread per library)


def l96(x, F=8.0):
    return (_np.roll(x, -1) - _np.roll(x, 2)) * _np.roll(x, 1) - x + F


def rk4(x, F=8.0, dt=0.01, nsteps=50):
    for _ in range(nsteps):
        k1 = l96(x, F)
        k2 = l96(x + dt / 2 * k1, F)
        k3 = l96(x + dt / 2 * k2, F)
        k4 = l96(x + dt * k3, F)
        x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x


_np = None


def _child(sizes):
    global _np
    import numpy as np
    _np = np
    import dualgrad as dg
    clock = time.process_time
    out = {}
    for N in sizes:
        rng = np.random.default_rng(N)
        x0 = 8 + rng.standard_normal(N)
        v = rng.standard_normal(N)
        row = {"f": _common.median_time(lambda: rk4(x0), 5, clock=clock),
               "jvp 1": _common.median_time(lambda: dg.jvp(rk4, x0, v), 5, clock=clock)}
        for k in (2, 4):
            V = rng.standard_normal((N, k))
            row[f"jac {k}"] = _common.median_time(
                lambda: dg.jacobian(lambda z: rk4(x0 + V @ z), np.zeros(k)), 5, clock=clock)
        if N <= 100:
            row[f"jac N"] = _common.median_time(lambda: dg.jacobian(rk4, x0), 5, clock=clock)
        out[str(N)] = {k: t * 1e3 for k, t in row.items()}
    print(json.dumps(out))


PARTS = [("np.roll(x, -1)", "np.roll(x, -1)"),
         ("roll - roll", "r1 - r2"),
         ("(..) * roll", "d * r3"),
         ("t - x", "t - x"),
         ("t + F", "t + 8.0"),
         ("x + dt / 2 * k", "x + 0.005 * k"),
         ("2 * k", "2 * k"),
         ("k1 + k2", "k + k"),
         ("l96(x)", "l96(x)")]


def _parts(N):
    global _np
    import numpy as np
    _np = np
    import dualgrad as dg
    rng = np.random.default_rng(N)
    x0 = 8 + rng.standard_normal(N)
    res = {}

    def timed(stmt, names):
        t = timeit.repeat(stmt, globals=names, number=200, repeat=7, timer=time.process_time)
        return statistics.median(t) / 200 * 1e6

    def f(x):
        names = {"np": np, "l96": l96, "x": x, "r1": np.roll(x, -1), "r2": np.roll(x, 2),
                 "r3": np.roll(x, 1), "d": np.roll(x, -1) - np.roll(x, 2), "k": l96(x),
                 "t": l96(x)}
        xf = x.value
        floats = {"np": np, "l96": l96, "x": xf, "r1": np.roll(xf, -1), "r2": np.roll(xf, 2),
                  "r3": np.roll(xf, 1), "d": np.roll(xf, -1) - np.roll(xf, 2), "k": l96(xf),
                  "t": l96(xf)}
        for name, stmt in PARTS:
            res[name] = (timed(stmt, floats), timed(stmt, names))
        return x
    dg.jvp(f, x0, rng.standard_normal(N))
    print(f"parts (N = {N}, n = 1, us per statement, median of 7 repeats; load "
          f"{os.getloadavg()})")
    print(f"{'statement':20s} {'float':>8s} {'dual':>9s} {'x float':>8s}")
    for name, (fl, du) in res.items():
        print(f"{name:20s} {fl:8.2f} {du:9.2f} {du / fl:8.1f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 40, 100, 1000])
    ap.add_argument("--parts", action="store_true")
    ap.add_argument("--size", type=int, default=40)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    opts = ap.parse_args()
    if opts.child:
        return _child(opts.sizes)
    if opts.parts:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # this checkout's
        return _parts(opts.size)
    print(f"load before: {os.getloadavg()}")
    got = _common.alternate("l96_perop.py", ["--sizes", *map(str, opts.sizes)], opts.compare,
                            opts.rounds)
    print(f"load after: {os.getloadavg()}")
    sides = [s for s in ("before", "after") if s in got]
    print(f"\nms per call, medians over {len(got['after'])} round(s); x f: over f on floats")
    for N in map(str, opts.sizes):
        cols = list(got["after"][0][N])
        for s in sides:
            med = {c: statistics.median(r[N][c] for r in got[s]) for c in cols}
            cells = "  ".join(f"{c} {med[c]:7.2f}" + ("" if c == "f" else
                                                      f" ({med[c] / med['f']:.2f}x f)")
                              for c in cols)
            print(f"N = {N:>5s} {s:6s} {cells}")
        if len(sides) == 2:
            ratio = "  ".join(
                f"{c} {statistics.median(r[N][c] for r in got['after']) / statistics.median(r[N][c] for r in got['before']):.2f}"
                for c in cols)
            print(f"{'':9s} after/before  {ratio}")
    return None


if __name__ == "__main__":
    main()
