"""A quant's Greeks (userfin49): dualgrad against scipy.optimize.approx_fprime and JAX
in one run, each result first checked against an oracle.

    python bench/greeks49.py [--repeat R]

Problems (the code of examples/greeks.py and of a user's scripts, written once with an
``xp`` namespace so that JAX runs the same arithmetic):

* BS book: delta and vega of a 41-option book (strikes and expiries vary), its total
  price's gradient in (spot, vol) plus the per-option deltas and vegas by
  ``dg.elementwise_grad`` in one pass; oracle: the closed forms;
* BS Hessian: gamma, vanna, volga of one option, ``dg.hessian`` in (spot, vol);
* MC: an Asian call's pathwise delta and vega, 20,000 antithetic paths x 50 steps
  (np.cumprod along axis 1, np.maximum); oracle: JAX's gradient on the same normals;
  the same paths stored steps x paths (np.cumprod along axis 0), and as the exponential
  of np.cumsum of the log increments along axis 1;
* Heston: a midpoint Fourier price of 1,999 nodes (complex), gradient in 6 parameters;
  oracle: JAX's gradient;
* implied vols: a 5-option strip's Jacobian d sigma / d price through newton on plain
  prices and two Newton steps on duals; oracle: 1 / vega.

For each: the median wall time of f, dualgrad, approx_fprime (forward differences,
inexact: its largest relative error against the oracle is printed too), JAX's
``jax.grad`` / ``jax.jacfwd`` without jit and jitted (compile excluded: warm calls), and
the ratios to dualgrad.  One BLAS thread (bench/_common.py); JAX is skipped where it is
not installed.
"""

import argparse
import os
import sys
import time

import numpy as np
from scipy.optimize import approx_fprime, newton
from scipy.special import ndtr

sys.path.insert(0, os.path.dirname(__file__))
from _common import median_time  # noqa: E402

import dualgrad as dg  # noqa: E402

try:
    import jax
    import jax.numpy as jnp
    import jax.scipy.special as jsp
    jax.config.update("jax_enable_x64", True)
except ImportError:                              # pragma: no cover
    jax = None

K_BOOK = np.linspace(80.0, 120.0, 41)
T_BOOK = np.linspace(0.1, 2.0, 41)


def cdf(xp):
    return ndtr if xp is np else jsp.ndtr


def book(p, xp=np):
    S, sig = p[0], p[1]
    d1 = (xp.log(S / K_BOOK) + (0.03 + 0.5 * sig ** 2) * T_BOOK) / (sig * xp.sqrt(T_BOOK))
    d2 = d1 - sig * xp.sqrt(T_BOOK)
    return xp.sum(S * cdf(xp)(d1) - K_BOOK * xp.exp(-0.03 * T_BOOK) * cdf(xp)(d2))


def one(p, xp=np):
    S, sig = p[0], p[1]
    d1 = (xp.log(S / 95.0) + (0.03 + 0.5 * sig ** 2) * 0.5) / (sig * xp.sqrt(0.5))
    d2 = d1 - sig * xp.sqrt(0.5)
    return S * cdf(xp)(d1) - 95.0 * xp.exp(-0.03 * 0.5) * cdf(xp)(d2)


Z = np.random.default_rng(42).standard_normal((10_000, 50))
Z = np.concatenate([Z, -Z])


def asian(p, xp=np):
    S0, sig = p[0], p[1]
    dt = 1.0 / 50
    paths = S0 * xp.cumprod(xp.exp((0.03 - 0.5 * sig ** 2) * dt + sig * np.sqrt(dt) * Z),
                            axis=1)
    return np.exp(-0.03) * xp.mean(xp.maximum(xp.mean(paths, axis=1) - 100.0, 0.0))


ZT = np.ascontiguousarray(Z.T)


def asian_steps_first(p, xp=np):
    """The same paths stored steps x paths: np.cumprod along axis 0."""
    S0, sig = p[0], p[1]
    dt = 1.0 / 50
    paths = S0 * xp.cumprod(xp.exp((0.03 - 0.5 * sig ** 2) * dt + sig * np.sqrt(dt) * ZT),
                            axis=0)
    return np.exp(-0.03) * xp.mean(xp.maximum(xp.mean(paths, axis=0) - 100.0, 0.0))


def asian_log_paths(p, xp=np):
    """The same paths as exp of np.cumsum of the log increments along axis 1."""
    S0, sig = p[0], p[1]
    dt = 1.0 / 50
    paths = S0 * xp.exp(xp.cumsum((0.03 - 0.5 * sig ** 2) * dt + sig * np.sqrt(dt) * Z,
                                  axis=1))
    return np.exp(-0.03) * xp.mean(xp.maximum(xp.mean(paths, axis=1) - 100.0, 0.0))


def heston(p, xp=np, n=2000):
    S0, v0, kappa, theta, sigma, rho = (p[i] for i in range(6))
    tau, r, K = 1.0, 0.03, 100.0
    dphi = 100.0 / n
    phi = dphi * (2 * np.arange(1, n) + 1) / 2

    def cf(u):
        a, b, rspi = kappa * theta, kappa, rho * sigma * u * 1j
        d = xp.sqrt((rspi - b) ** 2 + (u * 1j + u ** 2) * sigma ** 2)
        g = (b - rspi + d) / (b - rspi - d)
        e = xp.exp(d * tau)
        return (xp.exp(r * u * 1j * tau) * S0 ** (u * 1j)
                * ((1 - g * e) / (1 - g)) ** (-2 * a / sigma ** 2)
                * xp.exp(a * tau * (b - rspi + d) / sigma ** 2
                         + v0 * (b - rspi + d) * ((1 - e) / (1 - g * e)) / sigma ** 2))
    num = np.exp(r * tau) * cf(phi - 1j) - K * cf(phi)
    return xp.real((S0 - K * np.exp(-r * tau)) / 2
                   + xp.sum(dphi * num / (1j * phi * K ** (1j * phi))) / np.pi)


STRIP_K = np.array([80.0, 90.0, 100.0, 110.0, 120.0])
STRIP_V = np.array([0.32, 0.28, 0.25, 0.23, 0.22])


def strip_price(s, xp=np):
    d1 = (xp.log(100.0 / STRIP_K) + (0.03 + 0.5 * s ** 2) * 0.5) / (s * np.sqrt(0.5))
    d2 = d1 - s * np.sqrt(0.5)
    return 100.0 * cdf(xp)(d1) - STRIP_K * np.exp(-0.015) * cdf(xp)(d2)


def implied(prices, xp=np):
    def g(s, p):
        return strip_price(s, xp) - p
    plain = prices if xp is np else jax.lax.stop_gradient(prices)
    s = newton(g, np.full(5, 0.3), args=(dg.stop_gradient(plain) if xp is np else
                                         np.asarray(plain),), tol=1e-14, maxiter=100)
    for _ in range(2):
        if xp is np:
            s = s - g(s, prices) / dg.elementwise_grad(g)(s, prices)
        else:
            s = s - g(s, prices) / jnp.diag(jax.jacfwd(g)(s, prices))
    return s


def closed_book():
    S, sig = 100.0, 0.2
    d1 = (np.log(S / K_BOOK) + (0.03 + 0.5 * sig ** 2) * T_BOOK) / (sig * np.sqrt(T_BOOK))
    pdf = np.exp(-0.5 * d1 ** 2) / np.sqrt(2 * np.pi)
    return np.array([np.sum(ndtr(d1)), np.sum(S * pdf * np.sqrt(T_BOOK))])


def closed_one():
    S, sig, T = 100.0, 0.2, 0.5
    d1 = (np.log(S / 95.0) + (0.03 + 0.5 * sig ** 2) * T) / (sig * np.sqrt(T))
    d2 = d1 - sig * np.sqrt(T)
    pdf = np.exp(-0.5 * d1 ** 2) / np.sqrt(2 * np.pi)
    vega = S * pdf * np.sqrt(T)
    return np.array([[pdf / (S * sig * np.sqrt(T)), -pdf * d2 / sig],
                     [-pdf * d2 / sig, vega * d1 * d2 / sig]])


def strip_vega():
    d1 = (np.log(100.0 / STRIP_K) + (0.03 + 0.5 * STRIP_V ** 2) * 0.5) / (STRIP_V * np.sqrt(0.5))
    return np.diag(1 / (100.0 * np.exp(-0.5 * d1 ** 2) / np.sqrt(2 * np.pi) * np.sqrt(0.5)))


def fd_jacobian(f, x):
    """approx_fprime's forward differences (SciPy's default step)."""
    return approx_fprime(x, f)


def problems():
    p2 = np.array([100.0, 0.2])
    ph = np.array([100.0, 0.04, 2.0, 0.05, 0.3, -0.7])
    prices = strip_price(STRIP_V)
    out = [("BS book, 41 options, 2 params", lambda x: book(x), lambda: dg.gradient(book, p2),
            lambda: fd_jacobian(book, p2), "grad", book, p2, closed_book()),
           ("BS Hessian (gamma, vanna, volga)", one, lambda: dg.hessian(one, p2),
            lambda: approx_fprime(p2, lambda x: approx_fprime(x, one, 1e-5), 1e-5),
            "hessian", one, p2, closed_one()),
           ("MC Asian, 20,000 x 50 paths, 2 params", asian, lambda: dg.gradient(asian, p2),
            lambda: fd_jacobian(asian, p2), "grad", asian, p2, None),
           ("MC Asian, the same paths steps x paths (axis 0)", asian_steps_first,
            lambda: dg.gradient(asian_steps_first, p2),
            lambda: fd_jacobian(asian_steps_first, p2), "grad", asian_steps_first, p2, None),
           ("MC Asian, paths x steps as exp(cumsum(log increments, axis 1))",
            asian_log_paths, lambda: dg.gradient(asian_log_paths, p2),
            lambda: fd_jacobian(asian_log_paths, p2), "grad", asian_log_paths, p2, None),
           ("Heston midpoint, 1,999 nodes, 6 params", heston,
            lambda: dg.gradient(heston, ph), lambda: fd_jacobian(heston, ph), "grad",
            heston, ph, None),
           ("implied vols, 5-option strip (newton + 2 steps)", implied,
            lambda: dg.jacobian(implied, prices), lambda: fd_jacobian(implied, prices),
            "jacfwd", implied, prices, strip_vega())]
    return out


def rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.max(np.abs(b)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} (1-min average), numpy {np.__version__}, "
          f"jax {jax.__version__ if jax else 'not installed'}")
    print("| problem | f | dualgrad | approx_fprime (its error) | jax | jax.jit | "
          "dualgrad / approx_fprime | dualgrad / jax.jit | dualgrad's error |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, f, ours, fd, kind, g, x, oracle in problems():
        got = np.asarray(ours())
        tf = median_time(lambda: f(x), repeat=args.repeat)
        td = median_time(ours, repeat=args.repeat)
        ta = median_time(fd, repeat=args.repeat)
        tj = tjit = float("nan")
        if jax is not None:
            transform = {"grad": jax.grad, "hessian": jax.hessian, "jacfwd": jax.jacfwd}[kind]
            jf = transform(lambda q: g(q, jnp))
            xj = jnp.asarray(x)
            ref = np.asarray(jf(xj))
            if oracle is None:
                oracle = ref
            assert rel(ref, oracle) < 1e-9, (name, "jax", rel(ref, oracle))
            if kind != "jacfwd":                      # scipy's newton inside: no jit
                jj = jax.jit(jf)
                jj(xj).block_until_ready()
                tjit = median_time(lambda: jj(xj).block_until_ready(), repeat=args.repeat)
            tj = median_time(lambda: np.asarray(jf(xj)), repeat=args.repeat)
        if oracle is None:
            print(f"| {name} | skipped: no oracle without jax |")
            continue
        err, fd_err = rel(got, oracle), rel(np.asarray(fd()).reshape(np.shape(oracle)), oracle)
        assert err < 1e-9, (name, err)
        print(f"| {name} | {tf * 1e3:.3f} ms | {td * 1e3:.3f} ms | {ta * 1e3:.3f} ms "
              f"({fd_err:.0e}) | {tj * 1e3:.3f} ms | {tjit * 1e3:.3f} ms | {td / ta:.2f}x | "
              f"{td / tjit:.1f}x | {err:.0e} |")
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    time.sleep(0)
    main()
