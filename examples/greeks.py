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

4. An implied volatility by ``brentq`` inside the differentiated function, through
   ``dualgrad.scipy.optimize.brentq`` (SciPy's signature: change the import): its
   derivatives in the price and the spot, ``1 / vega`` and ``-delta / vega``.
5. Monte Carlo: a European call's pathwise delta and vega from 200,000 fixed-seed
   paths against the closed forms (within three standard errors) and against
   central differences of the same estimator with common random numbers (the
   derivative of the code as written: to 1e-7).
6. An up-and-out call.  Written ``np.where(path.max() >= B, 0, payoff)`` the payoff
   jumps where a path touches the barrier; on every path the estimator is flat or
   smooth in the inputs, so its pathwise derivative, which dualgrad returns exactly,
   misses the knock-out term: the vega comes out with the wrong sign against common-
   random-number differences of the same estimator.  dualgrad says nothing here (the
   derivative is that of the code as written; docs/finance.md).  Weighting each path by
   its Brownian-bridge survival probability instead of the indicator makes the
   estimator continuous in the inputs (and unbiased for the continuously monitored
   barrier, whose closed form is the oracle): its pathwise Greeks are then the Greeks.
7. A bootstrapped discount curve (a loop of in-place writes) against the complex
   step, and a bond's modified duration and convexity against their closed forms.

    python examples/greeks.py
"""

import numpy as np
from scipy.optimize import newton
from scipy.special import ndtr

import dualgrad as dg
from dualgrad.scipy.optimize import brentq
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


def implied_vol(price, S, K, T, r):
    """The volatility that reprices ``price``: brentq inside f (the drop-in)."""
    return brentq(lambda s: call(S, K, T, r, s) - price, 1e-4, 5.0, xtol=1e-15)


def mc_call(p, K=100.0, T=1.0, r=0.02, n=200_000, seed=7):
    """A European call by Monte Carlo, fixed seed: the same normals on every call."""
    S, sigma = p
    z = np.random.default_rng(seed).standard_normal(n)
    ST = S * np.exp((r - 0.5 * sigma ** 2) * T + sigma * np.sqrt(T) * z)
    return np.exp(-r * T) * np.mean(np.maximum(ST - K, 0.0))


def log_paths(S, sigma, T, r, n, m, seed):
    z = np.random.default_rng(seed).standard_normal((n, m))
    dt = T / m
    return np.log(S) + np.cumsum((r - 0.5 * sigma ** 2) * dt + sigma * np.sqrt(dt) * z, axis=1)


def up_and_out_indicator(p, K=100.0, B=130.0, T=1.0, r=0.02, n=100_000, m=10, seed=1):
    """Knocked out where the path touches B on one of m dates: a jump in the inputs."""
    x = log_paths(p[0], p[1], T, r, n, m, seed)
    payoff = np.where(x.max(axis=1) >= np.log(B), 0.0, np.maximum(np.exp(x[:, -1]) - K, 0.0))
    return np.exp(-r * T) * np.mean(payoff)


def up_and_out_bridge(p, K=100.0, B=130.0, T=1.0, r=0.02, n=100_000, m=10, seed=1):
    """Each path weighted by its Brownian-bridge probability of staying below B
    between the dates (exact for GBM): continuous in the inputs."""
    S, sigma = p
    x = log_paths(S, sigma, T, r, n, m, seed)
    start = np.log(S) + np.zeros_like(x[:, :1])
    room = np.maximum(np.log(B) - np.concatenate([start, x], axis=1), 0.0)
    survive = np.prod(1 - np.exp(-2 * room[:, :-1] * room[:, 1:] / (sigma ** 2 * T / m)), axis=1)
    return np.exp(-r * T) * np.mean(survive * np.maximum(np.exp(x[:, -1]) - K, 0.0))


def up_and_out_closed(S, sigma, K=100.0, B=130.0, T=1.0, r=0.02):
    """The continuously monitored up-and-out call (K < B, no rebate): Haug's A - B + C - D."""
    mu = (r - 0.5 * sigma ** 2) / sigma ** 2
    st = sigma * np.sqrt(T)

    def part(x, power):
        w = (B / S) ** (2 * (mu + 1)) if power else 1.0
        v = (B / S) ** (2 * mu) if power else 1.0
        sign = -1.0 if power else 1.0
        return (S * w * ndtr(sign * x) - K * np.exp(-r * T) * v * ndtr(sign * (x - st)))
    at = (1 + mu) * st
    return (part(np.log(S / K) / st + at, False) - part(np.log(S / B) / st + at, False)
            + part(np.log(B ** 2 / (S * K)) / st + at, True)
            - part(np.log(B / S) / st + at, True))


def bootstrap(par):
    """Discount factors from annual par swap rates, one pillar at a time (in place)."""
    df = np.zeros_like(par)
    for i in range(len(par)):
        df[i] = (1 - par[i] * df[:i].sum()) / (1 + par[i])
    return df


def bond_price(y, coupon=0.05, years=10, freq=2):
    t = np.arange(1, years * freq + 1) / freq
    cash = np.full(t.size, 100 * coupon / freq)
    cash[-1] += 100
    return np.sum(cash / (1 + y / freq) ** (freq * t))


def more_greeks():
    S, K, T, r, sigma = 100.0, 105.0, 0.75, 0.02, 0.23
    price = call(S, K, T, r, sigma)
    c = closed_greeks(S, K, T, r, sigma, 0.0)
    d_price, d_spot = dg.grad(implied_vol, argnums=(0, 1))(price, S, K, T, r)
    print(f"implied vol by brentq: d sigma / d price {d_price:.12f} (1 / vega "
          f"{1 / c['vega']:.12f}), d sigma / d spot {d_spot:.12f} (-delta / vega "
          f"{-c['delta'] / c['vega']:.12f})")
    second = dg.hessian(implied_vol, price, S, K, T, r)
    print(f"implied vol by brentq: d2 sigma / d price2 rel. error "
          f"{abs(second / (-c['volga'] / c['vega'] ** 3) - 1):.1e}")

    p = np.array([100.0, 0.2])
    g = dg.gradient(mc_call, p)
    exact = closed_greeks(100.0, 100.0, 1.0, 0.02, 0.2, 0.0)
    z = np.random.default_rng(7).standard_normal(200_000)
    ST = 100.0 * np.exp((0.02 - 0.02) * 1.0 + 0.2 * z)
    disc = np.exp(-0.02) * (ST > 100.0)                   # per-path pathwise Greeks
    se = [np.std(disc * ST / 100.0) / np.sqrt(z.size),
          np.std(disc * ST * (z - 0.2)) / np.sqrt(z.size)]
    h = 1e-5
    crn = [(mc_call(p + h * e) - mc_call(p - h * e)) / (2 * h) for e in np.eye(2)]
    for i, name in enumerate(("delta", "vega")):
        print(f"MC {name:5s} dualgrad {g[i]:.6f}  closed form {exact[name]:.6f}  "
              f"({abs(g[i] - exact[name]) / se[i]:.1f} standard errors)  "
              f"vs differences of the estimator {abs(g[i] / crn[i] - 1):.0e}")

    closed = [dg.derivative(lambda s: up_and_out_closed(s, 0.2), 100.0),
              dg.derivative(lambda v: up_and_out_closed(100.0, v), 0.2)]
    ref = [(up_and_out_closed(100.0 + 1e-4, 0.2) - up_and_out_closed(100.0 - 1e-4, 0.2)) / 2e-4,
           (up_and_out_closed(100.0, 0.2 + 1e-5) - up_and_out_closed(100.0, 0.2 - 1e-5)) / 2e-5]
    pathwise = dg.gradient(up_and_out_indicator, p)
    steps = np.array([0.5, 0.005])
    crn = [(up_and_out_indicator(p + s) - up_and_out_indicator(p - s)) / (2 * s.sum())
           for s in np.diag(steps)]
    bridge = dg.gradient(up_and_out_bridge, p)
    print(f"up-and-out, indicator:  pathwise delta {pathwise[0]: .4f} vega {pathwise[1]: .3f}; "
          f"differences of the same estimator: delta {crn[0]: .4f} vega {crn[1]: .3f}")
    print(f"up-and-out, bridge:     pathwise delta {bridge[0]: .4f} vega {bridge[1]: .3f}; "
          f"closed form (continuous barrier): delta {closed[0]: .4f} vega {closed[1]: .3f} "
          f"(its differences {ref[0]: .4f}, {ref[1]: .3f})")

    par = np.array([0.02, 0.022, 0.025, 0.027, 0.028, 0.03])
    J = dg.jacobian(bootstrap, par)
    steps = 1e-30
    Jc = np.array([bootstrap(par + 1j * steps * e).imag / steps for e in np.eye(par.size)]).T
    print(f"bootstrap d df / d par: max |dualgrad - complex step| = {np.max(np.abs(J - Jc)):.1e}")
    y = 0.04
    P = bond_price(y)
    dur = -dg.derivative(bond_price, y) / P
    conv = dg.hessian(bond_price, y) / P
    t = np.arange(1, 21) / 2
    cash = np.full(20, 2.5)
    cash[-1] += 100
    disc = (1 + y / 2) ** (-2 * t)
    print(f"bond: modified duration {dur:.12f} (closed form "
          f"{np.sum(t * cash * disc) / (1 + y / 2) / P:.12f}), convexity {conv:.10f} "
          f"(closed form {np.sum(cash * t * (t + 0.5) * disc) / (1 + y / 2) ** 2 / P:.10f})")


if __name__ == "__main__":
    main()
    more_greeks()
