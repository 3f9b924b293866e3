"""A conceptual rainfall-runoff model (HBV's snow, soil and two-box response
routines) calibrated by its squared-error loss: a loop over T = 365 days of Python
scalars, the data's float64 elements compared with the parameters (``if temp[t] <
tt``, ``min(melt, snow)``), against scipy's approx_fprime and the function on floats,
n = 10 parameters.

    python bench/hydrology.py [--compare OTHER_CHECKOUT] [--rounds 3]

"builtins": the model as hydrologists write it (Seibert's HBV-light structure, written
here from the model's equations): Python's ``min`` / ``max`` and ``if`` on the day's
temperature, the discharge stored into ``np.zeros_like(par, shape=T)``; "numpy": the
same with ``np.minimum`` / ``np.maximum`` / ``np.where`` on the scalars.  Medians of
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


def child():
    import dualgrad as dg
    from scipy.optimize import approx_fprime
    data = forcing()
    observed = builtins(P0 * 1.05, *data) + 0.01
    out = {}
    for name, model in (("builtins", builtins), ("numpy", numpy)):
        args = (model, data, observed)
        for what, call in (("f", lambda: loss(P0, *args)),
                           ("approx_fprime", lambda: approx_fprime(P0, loss, 1.49e-8, *args)),
                           ("dg.gradient", lambda: dg.gradient(loss, P0, *args))):
            out[f"{name}: {what}"] = 1e3 * median_time(call, repeat=7,
                                                       clock=time.process_time)
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout of dualgrad (before)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child()
    print("load:", os.popen("uptime").read().strip())
    got = alternate("hydrology.py", [], args.compare, args.rounds)
    header = "| case | ms (this) | this / approx_fprime |"
    if args.compare:
        header += " ms (other) | other / approx_fprime | this / other |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for case in got["after"][0]:
        form = case.split(":")[0]

        def ms(side, key=case):
            return statistics.median(r[key] for r in got[side])
        now, fd = ms("after"), ms("after", f"{form}: approx_fprime")
        row = f"| {case} | {now:.2f} | {now / fd:.2f} |"
        if args.compare:
            then, fd0 = ms("before"), ms("before", f"{form}: approx_fprime")
            row += f" {then:.2f} | {then / fd0:.2f} | {now / then:.2f} |"
        print(row)
    print("load:", os.popen("uptime").read().strip())


if __name__ == "__main__":
    sys.exit(main())
