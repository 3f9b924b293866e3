"""A conceptual rainfall-runoff model (HBV's snow, soil and two-box response
routines) calibrated by its squared-error loss: a loop over T = 365 days of Python
scalars, the data's float64 elements compared with the parameters (``if temp[t] <
tt``, ``min(melt, snow)``), against scipy's approx_fprime and the function on floats,
n = 10 parameters.

    python bench/hydrology.py [--model hbv|gr4j] [--compare OTHER_CHECKOUT] [--rounds 3]

"builtins": the model as hydrologists write it (Seibert's HBV-light structure, written
here from the model's equations): Python's ``min`` / ``max`` and ``if`` on the day's
temperature, the discharge stored into ``np.zeros_like(par, shape=T)``; "numpy": the
same with ``np.minimum`` / ``np.maximum`` / ``np.where`` on the scalars.  ``--model gr4j``:
examples/rainfall_runoff.py's GR4J instead (4 parameters, RRMPG's structure: ``if`` on
the day's rain and evaporation, ``max(0, ...)``, two unit hydrographs shifted by slices),
its 1 - NSE over the example's 365 days; the same on Python scalars and lists; the same
``@numba.njit`` as RRMPG writes it (the hydrographs' lengths passed in); and whole
L-BFGS-B calibrations.  Medians of
process CPU time per call, ms (fresh processes, alternating with --compare), and the
load (``uptime``) before and after the runs.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

from _common import alternate, median_time

T = 365
P0 = np.array([0.5, 3.0, 200.0, 0.7, 2.0, 0.2, 0.1, 0.01, 20.0, 1.5])


def forcing():
    """A year of daily precipitation (mm), air temperature (deg C) and potential
    evaporation (mm), seeded."""
    rng = np.random.default_rng(1)
    rain = np.maximum(rng.gamma(0.6, 6.0, T) - 1.0, 0.0)
    temp = 8 + 12 * np.sin(2 * np.pi * (np.arange(T) - 100) / 365) + rng.normal(0, 3, T)
    return rain, temp, np.maximum(0.1 + 0.15 * temp, 0.0)


def builtins(par, rain, temp, pet):
    """Daily discharge (mm), Python's min / max and branches."""
    tt, cfmax, fc, lp, beta, k0, k1, k2, uzl, perc = par
    snow, sm, suz, slz = 0.0, 0.5 * fc, 0.0, 0.0
    q = np.zeros_like(par, shape=T)
    for t in range(T):
        if temp[t] < tt:
            snow, liquid = snow + rain[t], 0.0
        else:
            liquid = rain[t]
        melt = min(cfmax * max(temp[t] - tt, 0.0), snow)
        snow = snow - melt
        inflow = liquid + melt
        recharge = inflow * (sm / fc) ** beta
        sm = sm + inflow - recharge
        ea = min(pet[t] * min(sm / (lp * fc), 1.0), sm)
        sm = sm - ea
        suz = suz + recharge
        down = min(suz, perc)
        suz, slz = suz - down, slz + down
        q0, q1, q2 = k0 * max(suz - uzl, 0.0), k1 * suz, k2 * slz
        suz, slz = suz - q0 - q1, slz - q2
        q[t] = q0 + q1 + q2
    return q


def numpy(par, rain, temp, pet):
    """The same model with NumPy's elementwise functions on the scalars."""
    tt, cfmax, fc, lp, beta, k0, k1, k2, uzl, perc = par
    snow, sm, suz, slz = 0.0, 0.5 * fc, 0.0, 0.0
    q = np.zeros_like(par, shape=T)
    for t in range(T):
        cold = temp[t] < tt
        snow = snow + np.where(cold, rain[t], 0.0)
        liquid = np.where(cold, 0.0, rain[t])
        melt = np.minimum(cfmax * np.maximum(temp[t] - tt, 0.0), snow)
        snow = snow - melt
        inflow = liquid + melt
        recharge = inflow * (sm / fc) ** beta
        sm = sm + inflow - recharge
        ea = np.minimum(pet[t] * np.minimum(sm / (lp * fc), 1.0), sm)
        sm = sm - ea
        suz = suz + recharge
        down = np.minimum(suz, perc)
        suz, slz = suz - down, slz + down
        q0, q1, q2 = k0 * np.maximum(suz - uzl, 0.0), k1 * suz, k2 * slz
        suz, slz = suz - q0 - q1, slz - q2
        q[t] = q0 + q1 + q2
    return q


def loss(par, model, data, observed):
    """Squared error of the simulated discharge over the observed one's variance
    (1 - Nash-Sutcliffe efficiency)."""
    q = model(par, *data)
    return np.sum((q - observed) ** 2) / np.sum((observed - observed.mean()) ** 2)


def gr4j_scalars(par, prec, etp, s_curve1, s_curve2):
    """examples/rainfall_runoff.py's GR4J with the stores as Python scalars and the unit
    hydrographs as lists (no dual array read or written per day), the discharge
    stacked by np.array at the end: the same numbers."""
    import dualgrad as dg
    x1, x2, x3, x4 = par
    x4_days = dg.stop_gradient(x4)
    n1, n2 = int(np.ceil(x4_days)), int(np.ceil(2 * x4_days + 1))
    o1 = [s_curve1(j, x4) - s_curve1(j - 1, x4) for j in range(1, n1 + 1)]
    o2 = [s_curve2(j, x4) - s_curve2(j - 1, x4) for j in range(1, n2 + 1)]
    uh1, uh2 = [0.0] * n1, [0.0] * n2
    s, r, q = 0.6 * x1, 0.7 * x3, []
    for p, e in zip(prec, etp):
        if p >= e:
            p_n = p - e
            p_s = x1 * (1 - (s / x1) ** 2) * np.tanh(p_n / x1) / (1 + s / x1 * np.tanh(p_n / x1))
            e_s = 0.0
        else:
            p_n, p_s = 0.0, 0.0
            e_s = (s * (2 - s / x1) * np.tanh((e - p) / x1)
                   / (1 + (1 - s / x1) * np.tanh((e - p) / x1)))
        s = s - e_s + p_s
        perc = s * (1 - (1 + (4 / 9 * s / x1) ** 4) ** -0.25)
        s = s - perc
        p_r = perc + (p_n - p_s)
        uh1 = [uh1[j + 1] + o1[j] * (0.9 * p_r) for j in range(n1 - 1)] + [o1[-1] * (0.9 * p_r)]
        uh2 = [uh2[j + 1] + o2[j] * (0.1 * p_r) for j in range(n2 - 1)] + [o2[-1] * (0.1 * p_r)]
        gw = x2 * (r / x3) ** 3.5
        r = max(0, r + uh1[0] + gw)
        q_r = r * (1 - (1 + (r / x3) ** 4) ** -0.25)
        r = r - q_r
        q.append(q_r + max(0, uh2[0] + gw))
    return np.array(q)


def _gr4j_jit_source(prec, etp, par, n1, n2):
    """RRMPG's jitted run_gr4j (buffers indexed by day, the hydrographs shifted by
    index loops) with its two dualgrad changes: buffers from np.zeros_like(par,
    shape=n) and the hydrographs' lengths n1, n2 passed in (docs/numba.md)."""
    x1, x2, x3, x4 = par[0], par[1], par[2], par[3]
    n = len(prec)
    s = np.zeros_like(par, shape=n + 1)
    r = np.zeros_like(par, shape=n + 1)
    q = np.zeros_like(par, shape=n)
    s[0] = 0.6 * x1
    r[0] = 0.7 * x3
    o1 = np.zeros_like(par, shape=n1)
    o2 = np.zeros_like(par, shape=n2)
    for j in range(1, n1 + 1):
        a = (j / x4) ** 2.5 if j < x4 else 1.0 + 0.0 * x4
        b = ((j - 1) / x4) ** 2.5 if j - 1 < x4 else 1.0 + 0.0 * x4
        o1[j - 1] = a - b
    for j in range(1, n2 + 1):
        for k in range(2):
            t = j - k
            if t <= 0:
                c = 0.0 * x4
            elif t <= x4:
                c = 0.5 * (t / x4) ** 2.5
            elif t < 2 * x4:
                c = 1 - 0.5 * (2 - t / x4) ** 2.5
            else:
                c = 1.0 + 0.0 * x4
            o2[j - 1] = o2[j - 1] + (c if k == 0 else -c)
    uh1 = np.zeros_like(par, shape=n1)
    uh2 = np.zeros_like(par, shape=n2)
    for t in range(1, n + 1):
        st = s[t - 1]
        if prec[t - 1] >= etp[t - 1]:
            p_n = prec[t - 1] - etp[t - 1]
            p_s = x1 * (1 - (st / x1) ** 2) * np.tanh(p_n / x1) / (1 + st / x1 * np.tanh(p_n / x1))
            e_s = 0.0 * x1
        else:
            p_n = 0.0
            e_n = etp[t - 1] - prec[t - 1]
            e_s = st * (2 - st / x1) * np.tanh(e_n / x1) / (1 + (1 - st / x1) * np.tanh(e_n / x1))
            p_s = 0.0 * x1
        s[t] = st - e_s + p_s
        perc = s[t] * (1 - (1 + (4 / 9 * s[t] / x1) ** 4) ** -0.25)
        s[t] = s[t] - perc
        p_r = perc + (p_n - p_s)
        for j in range(n1 - 1):
            uh1[j] = uh1[j + 1] + o1[j] * (0.9 * p_r)
        uh1[n1 - 1] = o1[n1 - 1] * (0.9 * p_r)
        for j in range(n2 - 1):
            uh2[j] = uh2[j + 1] + o2[j] * (0.1 * p_r)
        uh2[n2 - 1] = o2[n2 - 1] * (0.1 * p_r)
        gw = x2 * (r[t - 1] / x3) ** 3.5
        r[t] = max(0.0, r[t - 1] + uh1[0] + gw)
        q_r = r[t] * (1 - (1 + (r[t] / x3) ** 4) ** -0.25)
        r[t] = r[t] - q_r
        q[t - 1] = q_r + max(0.0, uh2[0] + gw)
    return q


def gr4j_cases():
    """(name, model, p0, data, observed) of examples/rainfall_runoff.py's GR4J, and of
    the same model on Python scalars and lists."""
    import runpy
    from pathlib import Path
    ex = runpy.run_path(str(Path(__file__).resolve().parents[1] / "examples"
                            / "rainfall_runoff.py"))
    data = (ex["PREC"], ex["ETP"])
    assert np.allclose(gr4j_scalars(ex["X0"], *data, ex["s_curve1"], ex["s_curve2"]),
                       ex["gr4j"](ex["X0"], *data), rtol=1e-13, atol=0)
    cases = [("gr4j", ex["gr4j"], ex["X0"], data, ex["Q_OBS"]),
             ("gr4j scalars", lambda p, *d: gr4j_scalars(p, *d, ex["s_curve1"], ex["s_curve2"]),
              ex["X0"], data, ex["Q_OBS"])]
    try:
        import numba
    except ImportError:                        # the jitted row needs numba
        return cases
    import dualgrad as dg
    jitted = numba.njit(_gr4j_jit_source)

    def gr4j_numba(par, prec, etp):
        x4 = dg.stop_gradient(par[3])
        return jitted(prec, etp, par, int(np.ceil(x4)), int(np.ceil(2 * x4 + 1)))
    J = dg.jacobian(gr4j_numba, ex["X0"], *data)          # numba learns zeros_like(shape=)
    J_py = dg.jacobian(ex["gr4j"], ex["X0"], *data)       # held to a PyTorch port in tests/
    assert np.max(np.abs(J - J_py)) <= 1e-12 * np.max(np.abs(J_py))
    assert np.allclose(gr4j_numba(ex["X0"], *data), ex["gr4j"](ex["X0"], *data),
                       rtol=1e-13, atol=0)
    return cases + [("gr4j numba", gr4j_numba, ex["X0"], data, ex["Q_OBS"])]


def child(model_name):
    import dualgrad as dg
    from scipy.optimize import approx_fprime
    if model_name == "gr4j":
        cases = gr4j_cases()
    else:
        data = forcing()
        observed = builtins(P0 * 1.05, *data) + 0.01
        cases = [(name, model, P0, data, observed)
                 for name, model in (("builtins", builtins), ("numpy", numpy))]
    out = {}
    for name, model, p0, data, observed in cases:
        args = (model, data, observed)
        for what, call in (("f", lambda: loss(p0, *args)),
                           ("approx_fprime", lambda: approx_fprime(p0, loss, 1.49e-8, *args)),
                           ("dg.gradient", lambda: dg.gradient(loss, p0, *args))):
            out[f"{name}: {what}"] = 1e3 * median_time(call, repeat=7,
                                                       clock=time.process_time)
    if model_name == "gr4j":                   # whole calibrations, the example's bounds
        from scipy.optimize import minimize
        bounds = [(100.0, 1200.0), (-5.0, 3.0), (20.0, 300.0), (1.1, 2.9)]
        for name, model, p0, data, observed in cases:
            if name == "gr4j scalars":
                continue
            args = (model, data, observed)
            for what, jac in (("differences", None),
                              ("dg.approx_fprime",
                               lambda p, *a: dg.approx_fprime(p, loss, None, *a))):
                out[f"{name}: L-BFGS-B, {what}"] = 1e3 * median_time(
                    lambda: minimize(loss, p0, args=args, method="L-BFGS-B", bounds=bounds,
                                     jac=jac),
                    repeat=3, min_time=0, clock=time.process_time)
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout of dualgrad (before)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", choices=("hbv", "gr4j"), default="hbv")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.model)
    print("load:", os.popen("uptime").read().strip())
    got = alternate("hydrology.py", ["--model", args.model], args.compare, args.rounds)
    header = "| case | ms (this) | us per day (this) | this / approx_fprime (fits: / differences' fit) |"
    if args.compare:
        header += " ms (other) | other / approx_fprime | this / other |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for case in got["after"][0]:
        form = case.split(":")[0]

        def ms(side, key=case):
            return statistics.median(r[key] for r in got[side])
        fit = "L-BFGS-B" in case
        ref = f"{form}: L-BFGS-B, differences" if fit else f"{form}: approx_fprime"
        now, fd = ms("after"), ms("after", ref)
        row = f"| {case} | {now:.4g} | {'' if fit else f'{1e3 * now / T:.3g}'} | {now / fd:.2f} |"
        if args.compare:
            then, fd0 = ms("before"), ms("before", ref)
            row += f" {then:.4g} | {then / fd0:.2f} | {now / then:.2f} |"
        print(row)
    print("load:", os.popen("uptime").read().strip())


if __name__ == "__main__":
    sys.exit(main())
