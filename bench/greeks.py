"""A quant's Greeks (quant54): dualgrad against bumping (n + 1 forward, 2n central calls
of f) and ``scipy.optimize.approx_fprime``, in one process, each dualgrad result first
checked against an oracle.

    python bench/greeks.py [--repeat R] [--out bench/RESULTS_greeks.md] [--only PREFIX]

Problems (the code of examples/greeks.py and of a risk quant's scripts, as written):

* BS 4 Greeks: one call's delta, vega, rho and theta (gradient in S, sigma, r, T);
  oracle: closed forms;
* BS 2nd order: gamma, vanna, volga (``dg.hessian`` in S, sigma); bumping is the 3 x 3
  stencil of central second differences (9 calls), approx_fprime that of approx_fprime;
  oracle: closed forms;
* implied vol: d sigma / d price through ``dualgrad.scipy.optimize.brentq`` inside f;
  bumping calls brentq twice; oracle: 1 / vega;
* MC European: 200,000 fixed-seed terminal values, pathwise delta and vega; oracle:
  central differences of the same estimator (common random numbers, h = 1e-5);
* MC barrier: an up-and-out call by Brownian-bridge survival weights, 100,000 x 10
  paths (np.cumsum along axis 1, np.prod); oracle: the same differences;
* Heston MC: Euler with full truncation ``np.maximum(v, 0)``, 5,000 x 50, gradient in the
  6 inputs; oracle: the same differences at h = 1e-8 (the truncation's square-root kinks
  make wider steps straddle; printed as the largest relative gap);
* LSM put: Longstaff-Schwartz with ``np.linalg.lstsq``, 20,000 x 50, delta and vega;
  oracle: the same differences at h = 1e-8 (wider steps flip exercise decisions: the
  estimator jumps there, and so do its differences);
* bootstrap: 30 discount factors from 30 par rates, a loop of in-place writes, the 30 x 30
  Jacobian; oracle: the complex step;
* SABR smile: Hagan's formula at 14 strikes, the Jacobian in (alpha, rho, nu); oracle:
  central differences (h = 1e-6).

For each: the median CPU time (``time.process_time``: the machine is shared) of f, of dualgrad, of forward bumping (n + 1 calls), of
central bumping (2n calls) and of approx_fprime, the ratios dualgrad / bump and
dualgrad / approx_fprime, dualgrad's error against the oracle and forward bumping's.
One BLAS thread (bench/_common.py).  num-dual and JAX are not timed here (they need the
code rewritten in their own types / namespace; bench/greeks49.py times JAX).
"""

import argparse
import os
import subprocess
import sys
import time

import numpy as np
from functools import partial
from scipy.optimize import approx_fprime
from scipy.special import ndtr

sys.path.insert(0, os.path.dirname(__file__))
from _common import median_time as _median_time, table  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad.scipy.optimize import brentq  # noqa: E402

K0 = 100.0
median_time = partial(_median_time, clock=time.process_time)


def bs(p, K=K0):
    S, sigma, r, T = p
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    return S * ndtr(d1) - K * np.exp(-r * T) * ndtr(d1 - sigma * np.sqrt(T))


def bs_closed(S, sigma, r, T, K=K0):
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    pdf = np.exp(-0.5 * d1 ** 2) / np.sqrt(2 * np.pi)
    vega = S * pdf * np.sqrt(T)
    grad = np.array([ndtr(d1), vega, K * T * np.exp(-r * T) * ndtr(d2),
                     S * pdf * sigma / (2 * np.sqrt(T)) + r * K * np.exp(-r * T) * ndtr(d2)])
    gamma = pdf / (S * sigma * np.sqrt(T))
    vanna = -pdf * d2 / sigma
    volga = vega * d1 * d2 / sigma
    return grad, np.array([[gamma, vanna], [vanna, volga]])


def bs2(q):
    return bs([q[0], q[1], 0.02, 1.0])


def iv(price):
    return brentq(lambda s: bs([K0, s, 0.02, 1.0]) - price, 1e-4, 5.0, xtol=1e-15)


def mc_call(p, n=200_000, seed=7):
    S, sigma = p
    z = np.random.default_rng(seed).standard_normal(n)
    ST = S * np.exp((0.02 - 0.5 * sigma ** 2) + sigma * z)
    return np.exp(-0.02) * np.mean(np.maximum(ST - K0, 0.0))


def barrier(p, B=130.0, n=100_000, m=10, seed=1):
    S, sigma = p
    dt = 1.0 / m
    z = np.random.default_rng(seed).standard_normal((n, m))
    x = np.log(S) + np.cumsum((0.02 - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * z, axis=1)
    room = np.maximum(np.log(B) - np.concatenate([np.log(S) + np.zeros_like(x[:, :1]), x],
                                                 axis=1), 0.0)
    survive = np.prod(1 - np.exp(-2 * room[:, :-1] * room[:, 1:] / (sigma ** 2 * dt)), axis=1)
    return np.exp(-0.02) * np.mean(survive * np.maximum(np.exp(x[:, -1]) - K0, 0.0))


def heston(p, n=5_000, m=50, seed=11):
    S0, v0, kappa, theta, xi, rho = p
    dt = 1.0 / m
    rng = np.random.default_rng(seed)
    z1 = rng.standard_normal((m, n))
    z2 = rho * z1 + np.sqrt(1 - rho ** 2) * rng.standard_normal((m, n))
    lnS = np.log(S0) + np.zeros(n)
    v = v0 + np.zeros(n)
    for i in range(m):
        vp = np.maximum(v, 0.0)                                   # full truncation
        lnS = lnS + (0.02 - 0.5 * vp) * dt + np.sqrt(vp * dt) * z1[i]
        v = v + kappa * (theta - vp) * dt + xi * np.sqrt(vp * dt) * z2[i]
    return np.exp(-0.02) * np.mean(np.maximum(np.exp(lnS) - K0, 0.0))


def lsm(p, n=20_000, m=50, seed=5):
    S0, sigma = p
    dt = 1.0 / m
    z = np.random.default_rng(seed).standard_normal((n, m))
    S = S0 * np.exp(np.cumsum((0.02 - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * z, axis=1))
    cash = np.maximum(K0 - S[:, -1], 0.0)
    for t in range(m - 2, -1, -1):
        cash = cash * np.exp(-0.02 * dt)
        itm = np.nonzero(K0 - S[:, t] > 0)[0]
        X = S[itm, t]
        A = np.stack([np.ones_like(X), X, X ** 2], axis=1)
        beta = np.linalg.lstsq(A, cash[itm], rcond=None)[0]
        exercise = K0 - X > A @ beta
        cash[itm[exercise]] = (K0 - X)[exercise]
    return np.exp(-0.02 * dt) * np.mean(cash)


def bootstrap(par):
    df = np.zeros_like(par)
    for i in range(len(par)):
        df[i] = (1 - par[i] * df[:i].sum()) / (1 + par[i])
    return df


STRIKES = np.linspace(0.02, 0.045, 14)


def sabr(q, F=0.03, T=2.0, beta=0.5):
    alpha, rho, nu = q[0], q[1], q[2]
    K = STRIKES
    logFK = np.log(F / K)
    fkb = (F * K) ** ((1 - beta) / 2)
    z = nu / alpha * fkb * logFK
    x = np.log((np.sqrt(1 - 2 * rho * z + z ** 2) + z - rho) / (1 - rho))
    den = fkb * (1 + (1 - beta) ** 2 / 24 * logFK ** 2 + (1 - beta) ** 4 / 1920 * logFK ** 4)
    corr = 1 + ((1 - beta) ** 2 / 24 * alpha ** 2 / (F * K) ** (1 - beta)
                + rho * beta * nu * alpha / (4 * fkb) + (2 - 3 * rho ** 2) / 24 * nu ** 2) * T
    return alpha / den * (z / x) * corr


def forward_bump(f, x, h):
    f0 = np.asarray(f(x))
    cols = [(np.asarray(f(x + h * e)) - f0) / h for e in np.eye(x.size)]
    return np.stack(cols, axis=-1)


def central_bump(f, x, h):
    cols = [(np.asarray(f(x + h * e)) - np.asarray(f(x - h * e))) / (2 * h)
            for e in np.eye(x.size)]
    return np.stack(cols, axis=-1)


def second_bump(f, x, h):
    n = x.size
    H = np.empty((n, n))
    E = np.eye(n) * h
    f0 = f(x)
    for i in range(n):
        H[i, i] = (f(x + E[i]) - 2 * f0 + f(x - E[i])) / h ** 2
        for j in range(i):
            H[i, j] = H[j, i] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j]) - f(x - E[i] + E[j])
                                 + f(x - E[i] - E[j])) / (4 * h * h)
    return H


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def problems():
    p4 = np.array([100.0, 0.2, 0.02, 1.0])
    g4, H2 = bs_closed(*p4)
    price = bs([K0, 0.23, 0.02, 1.0])
    vega = bs_closed(K0, 0.23, 0.02, 1.0)[0][1]
    par = np.linspace(0.02, 0.035, 30)
    hp = np.array([100.0, 0.04, 1.5, 0.04, 0.5, -0.7])
    rows = [
        ("BS 4 Greeks (S, sigma, r, T)", bs, p4, lambda: dg.gradient(bs, p4),
         lambda: g4, 1e-6),
        ("BS 2nd order (gamma, vanna, volga)", bs2, p4[:2],
         lambda: dg.hessian(bs2, p4[:2]), lambda: H2, 1e-4),
        ("implied vol by brentq, d sigma / d price", lambda x: iv(x[0]), np.array([price]),
         lambda: dg.gradient(lambda x: iv(x[0]), np.array([price])),
         lambda: np.array([1 / vega]), 1e-6),
        ("MC European, 200,000 paths", mc_call, np.array([100.0, 0.2]),
         lambda: dg.gradient(mc_call, np.array([100.0, 0.2])),
         lambda: central_bump(mc_call, np.array([100.0, 0.2]), 1e-5), 1e-6),
        ("MC up-and-out (bridge), 100,000 x 10", barrier, np.array([100.0, 0.2]),
         lambda: dg.gradient(barrier, np.array([100.0, 0.2])),
         lambda: central_bump(barrier, np.array([100.0, 0.2]), 1e-5), 1e-6),
        ("Heston MC (full truncation), 5,000 x 50, 6 inputs", heston, hp,
         lambda: dg.gradient(heston, hp), lambda: central_bump(heston, hp, 1e-8), 1e-6),
        ("LSM American put (lstsq), 20,000 x 50", lsm, np.array([100.0, 0.2]),
         lambda: dg.gradient(lsm, np.array([100.0, 0.2])),
         lambda: central_bump(lsm, np.array([100.0, 0.2]), 1e-8), 1e-6),
        ("bootstrap, 30 pillars (in-place loop)", bootstrap, par,
         lambda: dg.jacobian(bootstrap, par),
         lambda: np.stack([bootstrap(par + 1e-30j * e).imag / 1e-30 for e in np.eye(30)], -1),
         1e-7),
        ("SABR smile, 14 strikes, (alpha, rho, nu)", sabr, np.array([0.04, -0.3, 0.5]),
         lambda: dg.jacobian(sabr, np.array([0.04, -0.3, 0.5])),
         lambda: central_bump(sabr, np.array([0.04, -0.3, 0.5]), 1e-6), 1e-7),
    ]
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=None)
    parser.add_argument("--only", default="", help="run the rows whose name starts so")
    args = parser.parse_args()
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=os.path.dirname(__file__)).stdout.strip()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = []
    for name, f, x, ours, oracle, h in problems():
        if not name.startswith(args.only):
            continue
        got = np.asarray(ours())
        want = np.asarray(oracle())
        if name.startswith("BS 2nd"):
            bumped = second_bump(f, x, h)
            central = None
        else:
            bumped = forward_bump(f, x, h).reshape(got.shape)
            central = central_bump(f, x, h)
        err, err_bump = rel(got, want), rel(bumped, want)
        rep = args.repeat
        t_f = median_time(lambda: f(x), repeat=rep, min_time=0.02)
        t_dg = median_time(ours, repeat=rep, min_time=0.02)
        if central is None:
            t_fwd = median_time(lambda: second_bump(f, x, h), repeat=rep, min_time=0.02)
            t_cen = t_fwd
            t_ap = median_time(lambda: approx_fprime(
                x, lambda y: approx_fprime(y, f, 1e-5), 1e-5), repeat=rep, min_time=0.02)
        else:
            t_fwd = median_time(lambda: forward_bump(f, x, h), repeat=rep, min_time=0.02)
            t_cen = median_time(lambda: central_bump(f, x, h), repeat=rep, min_time=0.02)
            t_ap = median_time(lambda: approx_fprime(x, f, h), repeat=rep, min_time=0.02)
        rows.append([name, f"{t_f * 1e3:.3f} ms", f"{t_dg * 1e3:.3f} ms",
                     f"{t_fwd * 1e3:.3f} ms", f"{t_cen * 1e3:.3f} ms",
                     f"{t_ap * 1e3:.3f} ms", f"{t_dg / t_fwd:.2f}x", f"{t_dg / t_cen:.2f}x",
                     f"{t_dg / t_ap:.2f}x", f"{err:.0e}", f"{err_bump:.0e}"])
        print(" | ".join(rows[-1]), flush=True)
    header = ["problem", "f", "dualgrad", "bump n + 1", "bump 2n", "approx_fprime",
              "dg / bump n + 1", "dg / bump 2n", "dg / approx_fprime", "dualgrad's error",
              "bump n + 1's error"]
    text = (f"`python bench/greeks.py` at {commit}, started {started}; `uptime` before: "
            f"{load}; after: "
            f"{subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}. "
            "Medians of CPU time (time.process_time), one BLAS thread. The BS 2nd-order row's bump columns are "
            "the 3 x 3 stencil of central second differences; its approx_fprime is "
            "approx_fprime of approx_fprime.\n\n" + table(header, rows) + "\n")
    print(text)
    if args.out:
        with open(args.out, "a") as fh:
            fh.write("\n" + text)


if __name__ == "__main__":
    main()
