"""Black-Scholes Greeks, exact, through scipy.special.ndtr.

The price of a European call is S N(d1) - K exp(-r T) N(d2) with N the standard
normal CDF.  scipy.special.ndtr is a ufunc in dualgrad's rule table, so writing N
as ndtr gives exact Greeks: delta, vega, rho and theta from one gradient call,
gamma from the Hessian, each compared with its closed form.

scipy.stats.norm.cdf converts its input to a plain array inside SciPy, so on duals
it raises a TypeError naming itself and the spelling that works (shown at the end):
scipy.stats.norm.cdf(x) is scipy.special.ndtr(x).
"""

import numpy as np
import scipy.special as sc
import scipy.stats

import dualgrad as dg


def call_price(p, K=100.0):
    S, sigma, r, T = p[0], p[1], p[2], p[3]
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    return S * sc.ndtr(d1) - K * np.exp(-r * T) * sc.ndtr(d2)


def main():
    K = 100.0
    p = np.array([105.0, 0.2, 0.03, 0.75])            # spot, volatility, rate, maturity
    S, sigma, r, T = p
    g = dg.gradient(call_price, p)
    H = dg.hessian(call_price, p)
    d1 = (np.log(S / K) + (r + 0.5 * sigma ** 2) * T) / (sigma * np.sqrt(T))
    d2 = d1 - sigma * np.sqrt(T)
    pdf = np.exp(-0.5 * d1 ** 2) / np.sqrt(2 * np.pi)
    closed = {
        "delta": (g[0], sc.ndtr(d1)),
        "vega": (g[1], S * pdf * np.sqrt(T)),
        "rho": (g[2], K * T * np.exp(-r * T) * sc.ndtr(d2)),
        "theta": (-g[3], -S * pdf * sigma / (2 * np.sqrt(T)) - r * K * np.exp(-r * T) *
                  sc.ndtr(d2)),
        "gamma": (H[0, 0], pdf / (S * sigma * np.sqrt(T))),
    }
    for name, (got, exact) in closed.items():
        print(f"{name:6s} dualgrad {got: .12f}  closed form {exact: .12f}  "
              f"rel. error {abs(got - exact) / abs(exact):.1e}")
    try:
        dg.gradient(lambda p: scipy.stats.norm.cdf(p[0] / 100.0), p)
    except TypeError as exc:
        message = str(exc)
        print("scipy.stats route: refused, naming", message.split(": ")[1].split()[0])
        print("scipy.stats route: Fix:", message.split("Fix: ")[1])


if __name__ == "__main__":
    main()
