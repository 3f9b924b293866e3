"""Scalar-dual arithmetic in plain Python loops: each operation against the same
operation on floats, and the econ loops against scipy's approx_fprime, in one run.

    python bench/scalar_loops.py [--compare OTHER_CHECKOUT] [--rounds 3] [--number 4000]
                                 [--no-loops] [--parts]

Operations (issue 13, "no cliffs"): inside a ``dg.gradient`` pass at n = 2, on two
scalar duals read from the seed (what a loop body meets), each spelling is timed with
``timeit`` (process time, the median of 7 repeats of ``--number`` executions, us per
operation) beside the same spelling on Python floats (``y[t]`` a NumPy float64 in both):
``x float`` is the dual time over the float time, the unit.  ``math.log(d)`` is refused
by design (it would drop the derivatives) and not timed.  Element access: ``w[3]`` /
``w[3] = d`` on a 1-D array dual of 10 elements (a ``np.zeros_like(theta, shape=10)``
buffer), ``W[:, 1]`` a column of a 20 x 2 one, ``np.interp(d, W[:, 0], W[:, 1])`` one
point on 20 moving knots (QuantEcon's EGM step), each against float64 arrays.

Loops: bench/econ.py's scalar loops (the Kalman filter with its state in four buffers
and in Python variables, EGM, VFI), dg.gradient / dg.jacobian against approx_fprime
(default step) and f on floats, medians of process time per call (``_common.median_time``,
5 repeats), ms; ``x fprime`` the ratio in the same process.

Parts (``--parts``, this checkout, one process): what an EGM inner step and a VFI
iteration spend, each statement of the step timed inside a ``dg.jacobian`` pass at
n = 3 beside the same statement on floats (us per statement, median of 7 repeats).

With ``--compare DIR`` each round runs one fresh process of that checkout's dualgrad
(before) and one of this one's (after), alternating (``_common.alternate``); the table
gives the medians over rounds and after / before.  The load (``os.getloadavg``) is
printed before and after.  Nothing is written.
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

# (name, spelling): a, b scalar duals / Python floats, yt a NumPy float64 (y[t] of a
# data array), w / W array duals / float64 arrays, x a scalar dual / float
OPS = [("d + d", "a + b"), ("d - d", "a - b"), ("d * d", "a * b"),
       ("d / d", "a / b"), ("d + 1.5", "a + 1.5"), ("d * 1.5", "a * 1.5"),
       ("d / 1.5", "a / 1.5"), ("1.5 - d", "1.5 - a"), ("1.5 / d", "1.5 / a"),
       ("d * 2 (int)", "a * 2"), ("2 * d (int)", "2 * a"),
       ("y[t] - d", "yt - a"), ("d * y[t]", "a * yt"), ("y[t] * d", "yt * a"),
       ("d ** 2", "a ** 2"), ("d ** -1.5", "a ** -1.5"), ("d ** d", "a ** b"),
       ("2.0 ** d", "2.0 ** a"), ("-d", "-a"), ("abs(d)", "abs(a)"),
       ("np.log(d)", "np.log(a)"), ("np.exp(d)", "np.exp(a)"),
       ("np.sqrt(d)", "np.sqrt(a)"), ("d < d", "a < b"), ("d < 1.0", "a < 1.0"),
       ("w[3]", "w[3]"), ("w[3] = d", "w[3] = a"), ("W[:, 1]", "W[:, 1]"),
       ("np.interp(d, ..)", "np.interp(x, W[:, 0], W[:, 1])")]


def _ops(number):
    import numpy as np

    import dualgrad as dg
    out = {}
    y = np.linspace(0.5, 1.5, 7)
    knots = np.stack([np.linspace(0.0, 16.0, 20), np.sqrt(np.linspace(0.0, 16.0, 20))], 1)

    def timed(stmt, names):
        t = timeit.repeat(stmt, globals=names, number=number, repeat=7, timer=time.process_time)
        return statistics.median(t) / number * 1e6

    def f(theta):
        v = np.asarray(theta)
        a, b = v[0], v[1]
        a.value, b.value        # noqa: B018 (read: no longer np.asarray's unread twins)
        w = np.zeros_like(theta, shape=10) + a
        W = knots * (1.0 + 0.0 * a)
        duals = {"a": a, "b": b, "yt": y[3], "np": np, "w": w, "W": W, "x": a * 3.0}
        floats = {"a": a.value, "b": b.value, "yt": y[3], "np": np, "w": w.value,
                  "W": W.value, "x": a.value * 3.0}
        for name, stmt in OPS:
            out[name] = (timed(stmt, floats), timed(stmt, duals))
        return a
    dg.gradient(f, np.array([0.7, 1.3]))
    return out


LOOPS = ("kalman_sv", "kalman_sv_scalars", "egm", "vfi")


def _loops():
    import numpy as np
    from scipy.optimize import approx_fprime

    import dualgrad as dg
    import econ
    out = {}
    for name in LOOPS:
        plain, dual, x, _, kind = econ.PROBLEMS[name](np, dg, False)
        deriv = dg.gradient if kind == "gradient" else dg.jacobian
        clock = time.process_time
        tf = _common.median_time(lambda: plain(x), repeat=5, clock=clock)
        ta = _common.median_time(lambda: approx_fprime(x, plain), repeat=5, clock=clock)
        td = _common.median_time(lambda: deriv(dual, x), repeat=5, clock=clock)
        out[name] = (td * 1e3, ta * 1e3, tf * 1e3)
    return out


# an EGM inner step (bench/econ.py's _egm, QuantEcon's K_numpy) and a VFI iteration
# (_vfi), statement by statement: names as in econ.py
EGM_PARTS = [("ae_vals[:, k]", "ae_vals[:, 1]"),
             ("R * s[i] + np.exp(z)", "R * s[5] + np.exp(z_grid[1])"),
             ("np.interp(..)", "np.interp(xk, ae_vals[:, 1], c_vals[:, 1])"),
             ("next_c ** (-gamma)", "next_c ** (-gamma)"),
             ("expectation += .. * Pi", "expectation + nxt * Pi[1, 1]"),
             ("(beta R e) ** (-1/gamma)", "(beta * R * expectation) ** (-1 / gamma)"),
             ("new_c_vals[i, j] = ..", "new_c_vals[5, 1] = expectation")]
VFI_PARTS = [("v * Q (broadcast)", "vr * Qr"), ("np.sum(.., axis=3)", "np.sum(prod, axis=3)"),
             ("beta * EV", "beta * EV"), ("u + beta EV", "u + bEV"),
             ("np.where(c > 0, .., -inf)", "np.where(cond, s_, -np.inf)"),
             ("np.max(.., axis=2)", "np.max(w, axis=2)")]


def _parts(number):
    import numpy as np
    from scipy.stats import norm

    import dualgrad as dg
    import econ
    from dualgrad.scipy import stats
    out = {}

    def timed(stmt, names):
        t = timeit.repeat(stmt, globals=names, number=number, repeat=7, timer=time.process_time)
        return statistics.median(t) / number * 1e6

    def egm_names(theta):
        r, beta, gamma = theta
        R, s = 1 + r, np.linspace(0, 16, 20)
        c_vals = s[:, None] * np.ones(2) * (1.0 + 0.0 * beta)
        ae_vals = c_vals + s[:, None]
        xk = R * s[5] + np.exp(np.log(2.0))
        nxt = np.interp(xk, ae_vals[:, 1], c_vals[:, 1])
        return {"np": np, "R": R, "s": s, "z_grid": np.array((-10.0, np.log(2.0))),
                "c_vals": c_vals, "ae_vals": ae_vals, "xk": xk, "next_c": nxt, "nxt": nxt,
                "gamma": gamma, "beta": beta, "expectation": nxt * 0.5,
                "Pi": np.array(((0.6, 0.4), (0.05, 0.95))),
                "new_c_vals": np.zeros_like(beta, shape=c_vals.shape)}

    def vfi_names(theta, cdf):
        beta, rho, nu = theta[0], theta[1], theta[2]
        a_grid = np.linspace(0.01, 10.0, 30)
        x, Q = econ._tauchen(np, 5, rho, nu, cdf)
        a, ap = np.reshape(a_grid, (30, 1, 1)), np.reshape(a_grid, (1, 1, 30))
        c = 1.01 * a + np.reshape(np.exp(x), (1, 5, 1)) - ap
        u = np.where(c > 0, c, 1.0) ** (-1.0) / (-1.0)
        v = u[:, :, 0] * 0.5
        vr, Qr = np.reshape(v, (1, 1, 30, 5)), np.reshape(Q, (1, 5, 1, 5))
        prod = vr * Qr
        EV = np.sum(prod, axis=3)
        bEV = beta * EV
        s_ = u + bEV
        cond = c > 0
        return {"np": np, "vr": vr, "Qr": Qr, "prod": prod, "EV": EV, "beta": beta,
                "u": u, "bEV": bEV, "s_": s_, "cond": cond,
                "w": np.where(cond, s_, -np.inf)}

    theta = np.array([0.01, 0.96, 1.5])
    floats = egm_names(theta)
    duals = {}

    def f(t):
        duals.update(egm_names(t))
        for name, stmt in EGM_PARTS:
            out["egm: " + name] = (timed(stmt, floats), timed(stmt, duals))
        return t
    dg.jacobian(f, theta)
    theta = np.array([0.96, 0.9, 0.1])
    floats = vfi_names(theta, norm.cdf)

    def g(t):
        names = vfi_names(t, stats.norm.cdf)
        for name, stmt in VFI_PARTS:
            out["vfi: " + name] = (timed(stmt, floats), timed(stmt, names))
        return t
    dg.jacobian(g, theta)
    return out


def _print_parts(opts):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # this checkout's
    res = _parts(max(opts.number // 20, 50))
    print(f"\nparts (n = 3, us per statement, median of 7 repeats; load {os.getloadavg()})")
    print(f"{'statement':32s} {'float':>8s} {'dual':>9s} {'x float':>8s}")
    for name, (fl, du) in res.items():
        print(f"{name:32s} {fl:8.2f} {du:9.2f} {du / fl:8.1f}")


def _child(opts):
    res = {"ops": _ops(opts.number)}
    if not opts.no_loops:
        res["loops"] = _loops()
    print(json.dumps(res))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout, timed in alternating rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--number", type=int, default=4000)
    parser.add_argument("--no-loops", action="store_true")
    parser.add_argument("--parts", action="store_true",
                        help="what an EGM step and a VFI iteration spend (this checkout)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        return _child(opts)
    if opts.parts:
        return _print_parts(opts)
    argv = ["--number", str(opts.number)] + (["--no-loops"] if opts.no_loops else [])
    print(f"load before: {os.getloadavg()}")
    got = _common.alternate("scalar_loops.py", argv, opts.compare, opts.rounds)
    print(f"load after: {os.getloadavg()}")
    sides = [s for s in ("before", "after") if s in got]

    def med(side, part, key, k):
        return statistics.median(r[part][key][k] for r in got[side])
    print(f"\nper operation (n = 2, us, median over {len(got['after'])} round(s) of the "
          "median of 7 repeats)")
    head = f"{'operation':18s} {'float':>7s}" + "".join(
        f" {s + ' us':>10s} {'x float':>8s}" for s in sides) + \
        (f" {'after/before':>12s}" if len(sides) == 2 else "")
    print(head)
    for name, _ in OPS:
        fl = med("after", "ops", name, 0)
        row = f"{name:18s} {fl:7.3f}"
        for s in sides:
            d = med(s, "ops", name, 1)
            row += f" {d:10.3f} {d / med(s, 'ops', name, 0):8.1f}"
        if len(sides) == 2:
            row += f" {med('after', 'ops', name, 1) / med('before', 'ops', name, 1):12.2f}"
        print(row)
    if opts.no_loops:
        return None
    print("\nloops (ms per call; x fprime: dualgrad over approx_fprime in the same process)")
    head = f"{'loop':18s} {'f':>7s} {'fprime':>8s}" + "".join(
        f" {s + ' dg':>10s} {'x fprime':>9s}" for s in sides) + \
        (f" {'after/before':>12s}" if len(sides) == 2 else "")
    print(head)
    for name in LOOPS:
        row = f"{name:18s} {med('after', 'loops', name, 2):7.2f} " \
              f"{med('after', 'loops', name, 1):8.2f}"
        for s in sides:
            ratio = statistics.median(r["loops"][name][0] / r["loops"][name][1] for r in got[s])
            row += f" {med(s, 'loops', name, 0):10.2f} {ratio:9.2f}"
        if len(sides) == 2:
            row += f" {med('after', 'loops', name, 0) / med('before', 'loops', name, 0):12.2f}"
        print(row)
    return None


if __name__ == "__main__":
    main()
