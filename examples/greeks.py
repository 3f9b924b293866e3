"""A quant's Greeks: second-order Black-Scholes Greeks, implied volatilities by root
finding, and a SABR smile's at-the-money skew, each against an independent oracle.

1. Delta, gamma, vega, vanna and volga of a call with a dividend yield from one
   gradient and one Hessian of the price written with ``dualgrad.scipy.stats.norm``
   (SciPy's ``norm.cdf`` converts its input; the drop-in has its signature), against
   their closed forms.
2. Implied volatilities of a strip of options.  ``scipy.optimize.newton`` with a scalar
   starting point works on duals as it is; its array form (an array ``x0``, one root per
   option) reads f's values with ``np.asarray`` and hands f an object array of scalar
   duals back, which ``norm.cdf`` cannot take.  So solve on the plain prices and take
   Newton steps on duals, each option's root moving with its own equation: the first
   step gives ``d sigma / d price = 1 / vega`` exactly, the second ``-volga / vega**3``.
   A bisection written by hand gives 0 instead: its midpoints are made of the plain
   bracket ends, so no derivative reaches them (dualgrad warns, ComparedOnlyWarning:
   f compared duals and returned plain numbers; the run below shows the warning).
3. Hagan's SABR volatility at the forward.  The usual guard ``z / x(z) -> 1`` where
   ``z`` is 0 is constant there, so the skew ``d vol / d K`` at ``K == F`` comes out of
   the code as written 57 % off (JAX gives the same number); the ratio's Taylor series
   near 0 makes it exact.  The oracle is a central difference of step 1e-6 with
   Richardson extrapolation on the series form (its error is about 1e-10).

    python examples/greeks.py
"""

import numpy as np
from scipy.optimize import newton
from scipy.special import ndtr

import dualgrad as dg
from dualgrad.scipy.stats import norm


def call(S, K, T, r, sigma, q=0.0):
    d1 = (np.log(S / K) + (r - q + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    return S * np.exp(-q * T) * norm.cdf(d1) - K * np.exp(-r * T) * norm.cdf(d2)


def closed_greeks(S, K, T, r, sigma, q):
    d1 = (np.log(S / K) + (r - q + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    pdf = np.exp(-0.5 * d1 ** 2) / np.sqrt(2 * np.pi)
    vega = S * np.exp(-q * T) * pdf * np.sqrt(T)
    return {"delta": np.exp(-q * T) * ndtr(d1),
            "gamma": np.exp(-q * T) * pdf / (S * sigma * np.sqrt(T)),
            "vega": vega, "vanna": -np.exp(-q * T) * pdf * d2 / sigma,
            "volga": vega * d1 * d2 / sigma}


def implied_vols(prices, S, K, T, r, steps=2):
    def g(s, price):
        return call(S, K, T, r, s) - price
    s = newton(g, np.full(np.shape(prices), 0.3), args=(dg.stop_gradient(prices),),
               tol=1e-14, maxiter=100)                      # plain numbers
    for _ in range(steps):                                  # Newton on duals: exact
        s = s - g(s, prices) / dg.elementwise_grad(g)(s, prices)
    return s


def implied_vol_by_bisection(price, S, K, T, r):
    lo, hi = 1e-4, 3.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if call(S, K, T, r, mid) > price:
            hi = mid
        else:
            lo = mid
    return mid


def sabr(K, F, T, alpha, beta, rho, nu, series=True):
    logFK = np.log(F / K)
    fkb = (F * K) ** ((1 - beta) / 2)
    z = nu / alpha * fkb * logFK
    x = np.log((np.sqrt(1 - 2 * rho * z + z ** 2) + z - rho) / (1 - rho))
    if series:     # z / x(z) near 0 (x has cancelled digits there): exact to z**4
        near = np.abs(z) < 1e-3
        small = (1 - rho * z / 2 + (2 - 3 * rho ** 2) * z ** 2 / 12
                 + rho * (5 - 6 * rho ** 2) * z ** 3 / 24
                 + (rho ** 2 / 3 - 5 * rho ** 4 / 16 - 17 / 360) * z ** 4)
    else:          # the usual guard: constant where z is 0
        near, small = np.abs(z) < 1e-12, 1.0
    zx = np.where(near, small, z / np.where(near, 1.0, x))
    den = fkb * (1 + (1 - beta) ** 2 / 24 * logFK ** 2 + (1 - beta) ** 4 / 1920 * logFK ** 4)
    corr = 1 + ((1 - beta) ** 2 / 24 * alpha ** 2 / (F * K) ** (1 - beta)
                + rho * beta * nu * alpha / (4 * fkb) + (2 - 3 * rho ** 2) / 24 * nu ** 2) * T
    return alpha / den * zx * corr


def richardson(f, x, h):
    def central(h):
        return (f(x + h) - f(x - h)) / (2 * h)
    return (4 * central(h / 2) - central(h)) / 3


def main():
    S, K, T, r, sigma, q = 100.0, 95.0, 0.5, 0.03, 0.25, 0.01
    g = dg.grad(call, argnums=(0, 4))(S, K, T, r, sigma, q)
    H = dg.hessian(call, S, K, T, r, sigma, q, argnums=(0, 4))
    got = {"delta": g[0], "gamma": H[0][0], "vega": g[1], "vanna": H[0][1],
           "volga": H[1][1]}
    for name, exact in closed_greeks(S, K, T, r, sigma, q).items():
        print(f"{name:6s} dualgrad {got[name]: .12f}  closed form {exact: .12f}  "
              f"rel. error {abs(got[name] - exact) / abs(exact):.1e}")

    strikes = np.array([80.0, 90.0, 100.0, 110.0, 120.0])
    vols = np.array([0.32, 0.28, 0.25, 0.23, 0.22])
    prices = call(S, strikes, T, r, vols)
    J = dg.jacobian(lambda p: implied_vols(p, S, strikes, T, r), prices)
    greeks = closed_greeks(S, strikes, T, r, vols, 0.0)
    off = np.max(np.abs(J - np.diag(J.diagonal())))
    print(f"implied vols: max |d sigma / d price * vega - 1| = "
          f"{np.max(np.abs(J.diagonal() * greeks['vega'] - 1)):.1e}, off-diagonal {off:.1e}")
    second = [dg.hessian(lambda p, i=i: implied_vols(p, S, strikes, T, r)[i], prices)[i, i]
              for i in range(len(strikes))]
    exact2 = -greeks["volga"] / greeks["vega"] ** 3
    print(f"implied vols: max rel. error of d2 sigma / d price2 = "
          f"{np.max(np.abs(np.array(second) / exact2 - 1)):.1e}")
    by_hand = dg.derivative(implied_vol_by_bisection, prices[2], S, 100.0, T, r)
    print(f"a bisection by hand: d sigma / d price = {by_hand} (1 / vega = "
          f"{1 / greeks['vega'][2]:.6f})")

    F, Tm, alpha, beta, rho, nu = 0.03, 2.0, 0.04, 0.5, -0.3, 0.5
    skew = dg.derivative(lambda k: sabr(k, F, Tm, alpha, beta, rho, nu), F)
    guard = dg.derivative(lambda k: sabr(k, F, Tm, alpha, beta, rho, nu, series=False), F)
    oracle = richardson(lambda k: sabr(k, F, Tm, alpha, beta, rho, nu), F, 1e-6)
    print(f"SABR skew at the forward: series {skew:.10f}, the guard {guard:.10f}, "
          f"central differences {oracle:.10f}")
    print(f"SABR skew rel. error: series {abs(skew / oracle - 1):.1e}, "
          f"the guard {abs(guard / oracle - 1):.1e}")


if __name__ == "__main__":
    main()
