"""Few parameters, small arrays: where dualgrad's derivative costs more than
``scipy.optimize.approx_fprime``'s n + 1 float calls (a quantitative-finance user's
problems, user26's scripts: sabr_core.py, heston.py, curve.py, pde.py,
repro_perf_sabr_small_arrays.py and repro_perf_elementwise_loops.py).

    python bench/finance.py [--rounds R]

For each problem: the median CPU time (``time.process_time``: the machine is shared) of
f, of dualgrad's Jacobian or gradient and of approx_fprime (forward differences,
inexact), their ratio, and whether this process has loaded numba by then (the results
are first checked against approx_fprime's to 1e-3).  One thread (bench/_common.py);
rounds repeat the three timings
in one process, so the later rounds show a warm process (README: a long loop loads
numba once its small products have done a load's worth of work).

* SABR: Hagan's implied-volatility formula at 14 strikes, 3 parameters (elementwise
  operations on 14-element arrays);
* Heston: Fourier prices at 15 strikes x 128 Gauss-Legendre nodes (complex), 5 parameters;
* par rates: a 30-quote bootstrap loop (element writes) and 7 semiannual par rates
  (np.interp on log discount factors), 30 parameters;
* Crank-Nicolson: 60 steps of a hand-written Thomas solver over 119 unknowns (a Python
  loop reading and writing one element at a time), 2 parameters;
* element loops: 119 reads, 118 writes, 119 scalar updates of one dual (the cost per
  element operation, user26's repro_perf_elementwise_loops.py).
"""

import argparse
import sys
import time

import numpy as np
from scipy.optimize import approx_fprime

from _common import median_time

import dualgrad as dg


# ---- SABR (Hagan 2002), user26/sabr_core.py ------------------------------------------
def sabr_vol(F, K, T, alpha, beta, rho, nu):
    FK = F * K
    logFK = np.log(F / K)
    fkb = FK ** ((1 - beta) / 2)
    z = nu / alpha * fkb * logFK
    x = np.log((np.sqrt(1 - 2 * rho * z + z ** 2) + z - rho) / (1 - rho))
    zx = np.where(np.abs(z) < 1e-12, 1.0, z / np.where(np.abs(z) < 1e-12, 1.0, x))
    denom = fkb * (1 + (1 - beta) ** 2 / 24 * logFK ** 2 + (1 - beta) ** 4 / 1920 * logFK ** 4)
    corr = 1 + ((1 - beta) ** 2 / 24 * alpha ** 2 / FK ** (1 - beta)
                + rho * beta * nu * alpha / (4 * fkb) + (2 - 3 * rho ** 2) / 24 * nu ** 2) * T
    return alpha / denom * zx * corr


SABR_F, SABR_T, SABR_BETA = 0.03, 2.0, 0.5
SABR_K = SABR_F * np.array([0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.35, 1.5,
                            1.75, 2.0])
SABR_MKT = sabr_vol(SABR_F, SABR_K, SABR_T, 0.035, SABR_BETA, -0.3, 0.55) + \
    1e-4 * np.random.default_rng(7).standard_normal(SABR_K.size)


def sabr_resid(p):
    a, rho, nu = p
    return sabr_vol(SABR_F, SABR_K, SABR_T, a, SABR_BETA, rho, nu) - SABR_MKT


# ---- Heston by Fourier, user26/heston.py ---------------------------------------------
_u, _w = np.polynomial.legendre.leggauss(128)
PHI, PHI_W = 50.0 * (_u + 1), 50.0 * _w


def heston_cf(phi, S, T, r, kappa, theta, sigma, rho, v0):
    i = 1j                                           # the "little Heston trap"
    d = np.sqrt((rho * sigma * i * phi - kappa) ** 2 + sigma ** 2 * (i * phi + phi ** 2))
    g = (kappa - rho * sigma * i * phi - d) / (kappa - rho * sigma * i * phi + d)
    C = r * i * phi * T + kappa * theta / sigma ** 2 * (
        (kappa - rho * sigma * i * phi - d) * T
        - 2 * np.log((1 - g * np.exp(-d * T)) / (1 - g)))
    D = (kappa - rho * sigma * i * phi - d) / sigma ** 2 * (1 - np.exp(-d * T)) / \
        (1 - g * np.exp(-d * T))
    return np.exp(C + D * v0 + i * phi * np.log(S))


def heston_call(K, S, T, r, kappa, theta, sigma, rho, v0):
    K = np.asarray(K)[:, None]
    ph = PHI[None, :]
    cf1 = heston_cf(ph - 1j, S, T, r, kappa, theta, sigma, rho, v0)
    cf2 = heston_cf(ph, S, T, r, kappa, theta, sigma, rho, v0)
    e = np.exp(-1j * ph * np.log(K)) / (1j * ph)
    P1 = 0.5 + np.sum(PHI_W * np.real(e * cf1 / (S * np.exp(r * T))), axis=1) / np.pi
    P2 = 0.5 + np.sum(PHI_W * np.real(e * cf2), axis=1) / np.pi
    return S * P1 - K[:, 0] * np.exp(-r * T) * P2


HESTON_K = np.linspace(70, 140, 15)
HESTON_MKT = heston_call(HESTON_K, 100.0, 1.0, 0.02, 1.5, 0.04, 0.5, -0.7, 0.05)


def heston_resid(p):
    return heston_call(HESTON_K, 100.0, 1.0, 0.02, *p) - HESTON_MKT


# ---- bootstrap and par rates, user26/curve.py ----------------------------------------
MATS = np.arange(1, 31, dtype=float)
QUOTES = 0.02 + 0.015 * (1 - np.exp(-MATS / 8)) + 0.001 * np.sin(MATS)
TENORS = np.array([2.0, 5.0, 7.0, 10.0, 15.0, 20.0, 30.0])


def bootstrap(quotes):
    df = np.zeros_like(quotes)
    annuity = 0.0
    for i in range(len(quotes)):
        df[i] = (1.0 - quotes[i] * annuity) / (1.0 + quotes[i])
        annuity = annuity + df[i]
    return df


def par_rates(quotes):
    df = bootstrap(quotes)
    grid, logdf = np.concatenate(([0.0], MATS)), np.concatenate(([0.0], np.log(df)))
    res = np.zeros_like(quotes, shape=(len(TENORS),))
    for j, Tn in enumerate(TENORS):
        d = np.exp(np.interp(np.arange(0.5, Tn + 1e-9, 0.5), grid, logdf))
        res[j] = (1 - d[-1]) / (0.5 * np.sum(d))
    return res


# ---- Crank-Nicolson with a Thomas solver, user26/pde.py ------------------------------
def thomas(a, b, c, d):
    n = len(d)
    cp, dp = np.zeros_like(d), np.zeros_like(d)
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m if i < n - 1 else 0.0
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m
    x = np.zeros_like(d)
    x[-1] = dp[-1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]
    return x


def cn_call(p, S0=100.0, K=100.0, T=1.0, M=120, N=60, Smax=300.0):
    r, sig = p[0], p[1]
    S, dt, i = np.linspace(0, Smax, M + 1), T / N, np.arange(1, M)
    al = 0.25 * dt * (sig ** 2 * i ** 2 - r * i)
    be = -0.5 * dt * (sig ** 2 * i ** 2 + r)
    ga = 0.25 * dt * (sig ** 2 * i ** 2 + r * i)
    V = np.maximum(S - K, 0.0) + 0.0 * sig
    for n in range(N):
        tau = (n + 1) * dt
        rhs = al * V[:-2] + (1 + be) * V[1:-1] + ga * V[2:]
        rhs[-1] = rhs[-1] + 2 * ga[-1] * (Smax - K * np.exp(-r * tau))
        inner = thomas(-al, 1 - be, -ga, rhs)
        V = np.concatenate([np.zeros_like(inner[:1]), inner,
                            (Smax - K * np.exp(-r * tau)) + 0 * inner[:1]])
    return np.interp(S0, S, V)


# ---- element loops, user26/repro_perf_elementwise_loops.py ---------------------------
def read_loop(p):
    y, acc = p[0] * np.arange(1.0, 120.0), 0.0
    for i in range(119):
        acc = acc + y[i]
    return acc


def write_loop(p):
    y = p[0] * np.arange(1.0, 120.0)
    z = np.zeros_like(y)
    for i in range(1, 119):
        z[i] = y[i]
    return z.sum()


def scalar_loop(p):
    a, acc = p[0], 0.0
    for _ in range(119):
        acc = acc * 0.5 + a
    return acc


PROBLEMS = [   # name, f, x, dualgrad's call, approx_fprime's step
    ("SABR, 14 strikes, 3 params", sabr_resid, np.array([0.02, 0.0, 0.3]), dg.jacobian, 1e-8),
    ("Heston, 15 x 128 complex, 5 params", heston_resid,
     np.array([1.0, 0.06, 0.4, -0.4, 0.04]), dg.jacobian, 1e-7),
    ("par rates, 30 quotes", par_rates, QUOTES, dg.jacobian, 1e-7),
    ("Crank-Nicolson Thomas loop, 2 params", cn_call, np.array([0.05, 0.2]), dg.gradient,
     1e-6),
    ("119 element reads, 2 params", read_loop, np.array([1.0, 2.0]), dg.gradient, 1e-8),
    ("118 element writes, 2 params", write_loop, np.array([1.0, 2.0]), dg.gradient, 1e-8),
    ("119 scalar updates, 2 params", scalar_loop, np.array([1.0, 2.0]), dg.gradient, 1e-8),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    rounds = parser.parse_args().rounds
    print("| problem | round | f | dualgrad | approx_fprime | dualgrad / approx_fprime "
          "| numba loaded |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for rnd in range(rounds):
        for name, f, x, helper, step in PROBLEMS:
            exact, fd = helper(f, x), approx_fprime(x, f, step)
            assert np.allclose(exact, fd, rtol=1e-3, atol=1e-6 * np.max(np.abs(exact))), name
            tf, tg, ta = (median_time(fn, repeat=7, min_time=0.03, clock=time.process_time)
                          for fn in (lambda: f(x), lambda: helper(f, x),
                                     lambda: approx_fprime(x, f, step)))
            print(f"| {name} | {rnd + 1} | {tf * 1e6:.0f} us | {tg * 1e6:.0f} us "
                  f"({tg / tf:.1f}x f) | {ta * 1e6:.0f} us | {tg / ta:.2f}x | "
                  f"{'numba' in sys.modules} |", flush=True)


if __name__ == "__main__":
    main()
