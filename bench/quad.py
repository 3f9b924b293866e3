"""dg.quad (stop 48) against ``scipy.optimize.approx_fprime`` around SciPy's quad, and its
own Gauss-Kronrod against ``scipy.integrate.quad_vec`` on the same stacked value and
partials, in one process.

    python bench/quad.py [--repeat R] [--plain]

``--plain``: only the values, no derivative: ``dg.quad`` with no dual (SciPy's quad
through dg.quad's watcher) against ``scipy.integrate.quad`` itself, per problem (run
it with another checkout on PYTHONPATH to compare two versions of the watcher).

Problems, each a gradient (or Hessian) with an independent oracle:

* cosmology: the comoving distance c/H0 int_0^z dz'/E(z') (user47), gradient in
  (H0, Om, Ol, z); oracle: SciPy's quad of the integrand's analytic partials at 1e-13.
* gamma: Gamma(a) = int_0^inf x^(a-1) e^-x at a = 2.5, the derivative Gamma(a) psi(a)
  (an infinite range); and its Hessian Gamma (psi^2 + psi_1).
* call (stop 50): a call payoff against a decaying weight, int_0^2 max(x - K, 0) e^(-s x),
  gradient in (K, s): a kink whose place moves, which dg.quad's watch confirms (the
  crossing located, the value continuous there) before it lets it through; oracle: the
  closed form e^(-sK) (1 - e^(-sL) (1 + sL)) / s^2, L = 2 - K, by mpmath.diff.
* gauss4: a normalizing constant int exp(-(x - m)^2 / (2 s^2)) (1 + c x^2 + d x^4) over
  R, gradient in (m, s, c, d); oracle: its Gaussian moments in closed form.

Columns: the worst relative error against the oracle (over the largest entry) and the
median CPU time (``time.process_time``: the machine is shared) of

* ``dg.quad``: the integrand called on one float node at a time (SciPy's convention);
* ``vec``: ``dg.quad(..., vectorized=True)``, the integrand on 21 (42) nodes a call;
* ``qv``: ``scipy.integrate.quad_vec(norm="max")`` on the same stacked coefficients
  (one float node a call), the other way the brief proposed for the rule;
* ``afp``: ``approx_fprime`` (forward differences, SciPy's default step) around
  ``scipy.integrate.quad`` at the same tolerances, the peer a user would reach for;
* ``quad``: SciPy's quad of the value alone.

The tolerances are SciPy's defaults (epsabs = epsrel = 1.49e-8) for every column.
"""

import argparse
import os
import time

import numpy as np
from scipy import integrate, special
from scipy.optimize import approx_fprime

from _common import median_time

import dualgrad as dg
from dualgrad.api._ode_levels import as_state, build, expand, levels_of
from dualgrad.api import _quad
from dualgrad.dual import Dual, primal

C_KMS = 299792.458
SQ2PI = np.sqrt(2 * np.pi)


def _efunc(x, Om, Ol):
    return np.sqrt(Om * (1 + x) ** 3 + (1 - Om - Ol) * (1 + x) ** 2 + Ol)


def comoving(p, quad, **kw):
    H0, Om, Ol, z = p
    return C_KMS / H0 * quad(lambda x: 1.0 / _efunc(x, Om, Ol), 0.0, z, **kw)[0]


def comoving_oracle(p):
    H0, Om, Ol, z = p
    q = lambda g: integrate.quad(g, 0, z, epsabs=1e-14, epsrel=1e-13, limit=200)[0]  # noqa
    I = q(lambda x: 1 / _efunc(x, Om, Ol))
    dOm = q(lambda x: -0.5 * ((1 + x) ** 3 - (1 + x) ** 2) / _efunc(x, Om, Ol) ** 3)
    dOl = q(lambda x: -0.5 * (1 - (1 + x) ** 2) / _efunc(x, Om, Ol) ** 3)
    return np.array([-C_KMS / H0 ** 2 * I, C_KMS / H0 * dOm, C_KMS / H0 * dOl,
                     C_KMS / H0 / _efunc(z, Om, Ol)])


def gamma(p, quad, **kw):
    return quad(lambda x: x ** (p[0] - 1) * np.exp(-x), 0.0, np.inf, **kw)[0]


def gamma_oracle(p):
    a = p[0]
    return np.array([special.gamma(a) * special.digamma(a)])


def gamma_hessian_oracle(p):
    a = p[0]
    return np.array([[special.gamma(a) * (special.digamma(a) ** 2
                                          + special.polygamma(1, a))]])


def gauss4(p, quad, **kw):
    m, s, c, d = p
    return quad(lambda x: np.exp(-(x - m) ** 2 / (2 * s * s)) * (1 + c * x * x
                                                                 + d * x ** 4),
                -np.inf, np.inf, **kw)[0]


def gauss4_oracle(p):
    # int e^{-(x-m)^2/(2s^2)} x^k = s sqrt(2 pi) E[X^k], X ~ N(m, s^2)
    m, s, c, d = p
    E2, E4 = m * m + s * s, m ** 4 + 6 * m * m * s * s + 3 * s ** 4
    N = s * SQ2PI
    dE2 = np.array([2 * m, 2 * s])
    dE4 = np.array([4 * m ** 3 + 12 * m * s * s, 12 * m * m * s + 12 * s ** 3])
    val = 1 + c * E2 + d * E4
    g_ms = N * (c * dE2 + d * dE4) + np.array([0.0, SQ2PI * val])
    return np.concatenate([g_ms, [N * E2, N * E4]])


def call(p, quad, **kw):
    K, s = p
    return quad(lambda x: np.maximum(x - K, 0.0) * np.exp(-s * x), 0.0, 2.0, **kw)[0]


def call_oracle(p):
    import mpmath as mp

    def closed(K, s):
        L = 2 - K
        return mp.exp(-s * K) * (1 - mp.exp(-s * L) * (1 + s * L)) / s ** 2
    with mp.workdps(30):
        K, s = (mp.mpf(float(v)) for v in p)
        return np.array([float(mp.diff(lambda k: closed(k, s), K)),
                         float(mp.diff(lambda t: closed(K, t), s))])


def stacked_quad_vec(func, a, b, epsabs=1.49e-8, epsrel=1.49e-8, limit=50):
    """The other rule the brief proposed: ``scipy.integrate.quad_vec`` on the stacked
    value and partials (the integrand on one float node a call), for the timing only."""
    a0, b0 = float(primal(a)), float(primal(b))
    probe = as_state(func(0.5 if np.isfinite(a0) else 1.0))
    found = [d for d in (probe, a, b) if isinstance(d, Dual)]
    levels = levels_of(found)
    tags = list(levels)
    index = {t: i for i, t in enumerate(tags)}
    dims = tuple(1 + k for k in levels.values())

    def g(x):
        return expand(as_state(func(x)), index, dims).ravel()
    I, err = integrate.quad_vec(g, a0, b0, epsabs=epsabs, epsrel=epsrel, norm="max",
                                limit=limit)
    y = build(I.reshape((1,) + dims), tags, 1)[0]
    if isinstance(b, Dual):                       # the moving limit's term, as dg.quad's
        y = y + _quad._limit_term(func, (), b, len(tags), _quad._Watch(len(tags)), False, -1.0)
    return y, err


def worst(J, Jo):
    J, Jo = np.atleast_1d(J), np.atleast_1d(Jo)
    return float(np.max(np.abs(J - Jo)) / np.max(np.abs(Jo)))


def problems():
    vec = dict(vectorized=True)
    yield ("cosmology grad (4)", comoving, np.array([70.0, 0.3, 0.7, 1.5]),
           comoving_oracle, dg.gradient, vec)
    yield ("gamma grad (1)", gamma, np.array([2.5]), gamma_oracle, dg.gradient, vec)
    yield ("gauss4 grad (4)", gauss4, np.array([0.3, 1.2, 0.5, 0.1]), gauss4_oracle,
           dg.gradient, vec)
    yield ("call grad (2)", call, np.array([0.7, 1.3]), call_oracle, dg.gradient, vec)
    yield ("gamma hessian (1)", gamma, np.array([2.5]), gamma_hessian_oracle, dg.hessian,
           vec)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--plain", action="store_true")
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}")
    if args.plain:
        print(f"{'problem':20s} {'dg.quad':>9s} {'quad':>9s} {'ratio':>6s}  (values, no dual)")
        for name, f, x0, *_ in problems():
            ts = [median_time(lambda q=q: f(x0, q), repeat=args.repeat,
                              clock=time.process_time) for q in (dg.quad, integrate.quad)]
            print(f"{name:20s} {ts[0] * 1e3:7.3f}ms {ts[1] * 1e3:7.3f}ms {ts[0] / ts[1]:6.2f}")
        print(f"load: {os.getloadavg()}")
        return
    print(f"{'problem':20s} {'dg err':>8s} {'vec err':>8s} {'qv err':>8s} {'afp err':>8s}"
          f" {'dg.quad':>9s} {'vec':>9s} {'qv':>9s} {'afp':>9s} {'quad':>9s}"
          f" {'dg/afp':>7s} {'vec/afp':>7s} {'dg/qv':>6s}")
    clock = time.process_time
    for name, f, x0, oracle, helper, vec in problems():
        Jo = oracle(x0)
        run_dg = lambda: helper(lambda p: f(p, dg.quad), x0)  # noqa: E731
        run_vec = lambda: helper(lambda p: f(p, dg.quad, **vec), x0)  # noqa: E731
        run_qv = lambda: helper(lambda p: f(p, stacked_quad_vec), x0)  # noqa: E731
        if helper is dg.gradient:
            run_afp = lambda: approx_fprime(x0, lambda p: f(p, integrate.quad))  # noqa
        else:
            run_afp = lambda: approx_fprime(  # noqa: E731
                x0, lambda q: approx_fprime(q, lambda p: f(p, integrate.quad)))
        errs = [worst(run(), Jo) for run in (run_dg, run_vec, run_qv, run_afp)]
        times = [median_time(run, repeat=args.repeat, clock=clock)
                 for run in (run_dg, run_vec, run_qv, run_afp)]
        tq = median_time(lambda: f(x0, integrate.quad), repeat=args.repeat, clock=clock)
        print(f"{name:20s} " + " ".join(f"{e:8.1e}" for e in errs) + " "
              + " ".join(f"{t * 1e3:7.2f}ms" for t in times + [tq])
              + f" {times[0] / times[3]:7.2f} {times[1] / times[3]:7.2f}"
              f" {times[0] / times[2]:6.2f}")
    print(f"load: {os.getloadavg()}")


if __name__ == "__main__":
    main()
