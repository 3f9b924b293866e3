"""Where a VFI Jacobian's time goes, statement by statement inside the real loop, and
the whole Jacobian against approx_fprime; a few array-dual operations of VFI's shapes.

    python bench/vfi_parts.py [--compare OTHER_CHECKOUT] [--rounds 3] [--reps 20] [--numba]

VFI is bench/econ.py's ``_vfi`` (30 assets x 5 income states, 60 Bellman iterations,
the Jacobian of the value function in (beta, rho, nu): n = 3 directions).  Three tables:

* ``loop``: ``dg.jacobian`` of VFI, ``approx_fprime`` (default step) and f on floats,
  medians of process time per call (``_common.median_time``, 7 repeats), ms, and
  dualgrad over approx_fprime in the same process.
* ``in the loop``: the iteration's statements as econ.py writes them (the reshapes, the
  broadcast product ``v * Q``, ``np.sum(.., axis=3)``, ``beta * EV``, ``u + beta EV``,
  the condition, ``np.where(c > 0, .., -inf)``, ``np.max(.., axis=2)``), each timed by
  ``time.perf_counter`` around it inside ``--reps`` Jacobians (and the same on floats),
  the median over every iteration of every rep, us (a median: robust to the process
  being descheduled on a shared machine).  Unlike ``bench/scalar_loops.py --parts``
  (one statement repeated by timeit on the same operands, the garbage collector off)
  these are the costs the loop meets: fresh operands each iteration, caches shared
  with the other statements.
* ``ops``: single operations at VFI's shapes timed by timeit inside a ``dg.jacobian``
  pass (median of 7 repeats, us): ``np.where`` with dual branches of two shapes
  ((30, 5, 30) and (1, 5, 30), the condition of the value's shape), and
  ``np.maximum`` of the same pair for comparison (mid48's fill-out).

``--numba``: numba loaded first (``backend._loader.load()``; a VFI run never loads it
itself), so the kernels' paths run where they take the work.

With ``--compare DIR`` each round runs one fresh process of that checkout's dualgrad
(before) and one of this one's (after), alternating (``_common.alternate``); the tables
give medians over rounds and after / before.  The load (``os.getloadavg``) is printed
before and after.  Nothing is written.
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

NAMES = ["reshape v", "reshape Q", "v * Q", "np.sum(.., axis=3)", "beta * EV", "u + beta EV",
         "c > 0", "np.where(c > 0, .., -inf)", "np.max(.., axis=2)"]
OPS = [("where, branches (30,5,30) / (1,5,30)", "np.where(cond, d, e)"),
       ("maximum, (30,5,30) / (1,5,30)", "np.maximum(d, e)")]


def _vfi_timed(np, econ, theta, norm_cdf, acc, iters=60, a_size=30, y_size=5):
    """econ._vfi with each statement of the iteration timed into ``acc``."""
    pc = time.perf_counter
    beta, rho, nu = theta[0], theta[1], theta[2]
    a_grid = np.linspace(0.01, 10.0, a_size)
    x, Q = econ._tauchen(np, y_size, rho, nu, norm_cdf)
    a = np.reshape(a_grid, (a_size, 1, 1))
    y = np.reshape(np.exp(x), (1, y_size, 1))
    ap = np.reshape(a_grid, (1, 1, a_size))
    c = 1.01 * a + y - ap
    u = np.where(c > 0, c, 1.0) ** (-1.0) / (-1.0)
    v = np.zeros((a_size, y_size))
    for _ in range(iters):
        t0 = pc()
        vr = np.reshape(v, (1, 1, a_size, y_size))
        t1 = pc()
        Qr = np.reshape(Q, (1, y_size, 1, y_size))
        t2 = pc()
        prod = vr * Qr
        t3 = pc()
        EV = np.sum(prod, axis=3)
        t4 = pc()
        bEV = beta * EV
        t5 = pc()
        s = u + bEV
        t6 = pc()
        cond = c > 0
        t7 = pc()
        w = np.where(cond, s, -np.inf)
        t8 = pc()
        v = np.max(w, axis=2)
        t9 = pc()
        for k, (s0, s1) in enumerate(zip((t0, t1, t2, t3, t4, t5, t6, t7, t8),
                                         (t1, t2, t3, t4, t5, t6, t7, t8, t9))):
            acc[k].append(s1 - s0)
    return v.ravel()


def _child(opts):
    import numpy as np
    import scipy.stats as ss
    from scipy.optimize import approx_fprime

    import dualgrad as dg
    import econ
    from dualgrad.scipy import stats
    if opts.numba:
        from dualgrad.backend import _loader
        _loader.load()
    res = {}
    plain, dual, x, _, _ = econ.PROBLEMS["vfi"](np, dg, False)
    clock = time.process_time
    tf = _common.median_time(lambda: plain(x), repeat=7, clock=clock)
    ta = _common.median_time(lambda: approx_fprime(x, plain), repeat=7, clock=clock)
    td = _common.median_time(lambda: dg.jacobian(dual, x), repeat=7, clock=clock)
    res["loop"] = [td * 1e3, ta * 1e3, tf * 1e3]
    for side, run in (("float", lambda acc: _vfi_timed(np, econ, x, ss.norm.cdf, acc)),
                      ("dual", lambda acc: dg.jacobian(
                          lambda t: _vfi_timed(np, econ, t, stats.norm.cdf, acc), x))):
        acc = [[] for _ in NAMES]
        run(acc)                                            # warm
        acc = [[] for _ in NAMES]
        for _ in range(opts.reps):
            run(acc)
        res[side] = [statistics.median(a) * 1e6 for a in acc]
    rng = np.random.default_rng(0)
    cond = rng.random((30, 5, 30)) > 0.3
    D, E = rng.standard_normal((30, 5, 30)), rng.standard_normal((1, 5, 30))
    ops = {}

    def g(t):
        names = {"np": np, "cond": cond, "d": D * t[0] + t[1], "e": E * t[2] - t[0]}
        for name, stmt in OPS:
            r = timeit.repeat(stmt, globals=names, number=200, repeat=7, timer=clock)
            ops[name] = statistics.median(r) / 200 * 1e6
        return t
    dg.jacobian(g, x)
    res["ops"] = ops
    print(json.dumps(res))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout, timed in alternating rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--numba", action="store_true", help="numba loaded first")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        return _child(opts)
    print(f"load before: {os.getloadavg()}")
    got = _common.alternate("vfi_parts.py", ["--reps", str(opts.reps)] +
                            (["--numba"] if opts.numba else []), opts.compare, opts.rounds)
    print(f"load after: {os.getloadavg()}")
    sides = [s for s in ("before", "after") if s in got]
    both = len(sides) == 2

    def med(side, key, k):
        return statistics.median(r[key][k] for r in got[side])
    print(f"\nloop (ms per call, medians over {len(got['after'])} round(s); x fprime: "
          "dualgrad over approx_fprime in the same process)")
    print(f"{'':8s} {'f':>7s} {'fprime':>8s}" + "".join(
        f" {s + ' dg':>10s} {'x fprime':>9s}" for s in sides) +
        (f" {'after/before':>12s}" if both else ""))
    row = f"{'vfi':8s} {med('after', 'loop', 2):7.2f} {med('after', 'loop', 1):8.2f}"
    for s in sides:
        ratio = statistics.median(r["loop"][0] / r["loop"][1] for r in got[s])
        row += f" {med(s, 'loop', 0):10.2f} {ratio:9.2f}"
    if both:
        row += f" {med('after', 'loop', 0) / med('before', 'loop', 0):12.2f}"
    print(row)
    print("\nin the loop (us, the median over iterations, n = 3)")
    print(f"{'statement':28s} {'float':>7s}" + "".join(f" {s:>9s}" for s in sides) +
          (f" {'after/before':>12s}" if both else ""))
    for k, name in enumerate(NAMES):
        row = f"{name:28s} {med('after', 'float', k):7.2f}"
        for s in sides:
            row += f" {med(s, 'dual', k):9.2f}"
        if both:
            row += f" {med('after', 'dual', k) / med('before', 'dual', k):12.2f}"
        print(row)
    total = {s: statistics.median(sum(r["dual"]) for r in got[s]) for s in sides}
    print(f"{'all':28s} {statistics.median(sum(r['float']) for r in got['after']):7.2f}" +
          "".join(f" {total[s]:9.2f}" for s in sides) +
          (f" {total['after'] / total['before']:12.2f}" if both else ""))
    print("\nops (us, timeit inside a dg.jacobian pass, n = 3)")
    for name, _ in OPS:
        row = f"{name:40s}" + "".join(f" {s} {med(s, 'ops', name):8.2f}" for s in sides)
        if both:
            row += f"  after/before {med('after', 'ops', name) / med('before', 'ops', name):.2f}"
        print(row)
    return None


if __name__ == "__main__":
    main()
