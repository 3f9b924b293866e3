"""What the smooth-step watch (stop 53: np.tanh, erf, expit ... narrower than the
nodes) costs integrands whose steps are not steep, in dg.quad and dg.solve_ivp, with
each result's error against an independent oracle (central differences of SciPy's
quad / solve_ivp at tight tolerances).

    python bench/quad_steps.py [--compare OTHER_CHECKOUT] [--rounds 3]

Medians of process CPU time per derivative, ms; with --compare, fresh processes of
each checkout alternating, and this / other per case.
"""
import argparse
import json
import sys
import time
import warnings

import numpy as np
import scipy.integrate as si
import scipy.special as sc

from _common import alternate, median_time, timed_error_table

P0 = 0.7
CASES = {           # name -> (integrand of x and p, range, vectorized)
    "quad tanh(10 (x - p))": (lambda x, p: np.tanh(10 * (x - p)), False),
    "quad expit(3 (x - p)) x": (lambda x, p: sc.expit(3 * (x - p)) * x, False),
    "quad erf(x p)": (lambda x, p: sc.erf(x * p), False),
    "quad tanh, vectorized": (lambda x, p: np.tanh(10 * (x - p)), True),
    # stop 57 (quad57): a moving comparison's fixed-end check reads func at each end
    "quad where(x >= p, x - p, 0) e^-x": (
        lambda x, p: np.where(x >= p, x - p, 0.0) * np.exp(-x), False),
}
# stop 54 (silent54): a dualgrad.scipy.stats cdf reports its smooth step to the watch,
# and second derivatives record np.sqrt's argument (a touch of 0 is a kink)
STATS = {"quad norm.cdf(x, p, 0.3)": lambda x, p: _stats().norm.cdf(x, p, 0.3)}
SECOND = {"quad d2 sqrt(1 + (x - p)^2) x": lambda x, p: np.sqrt(1.0 + (x - p) ** 2) * x,
          "quad d2 tanh(10 (x - p)) x": lambda x, p: np.tanh(10 * (x - p)) * x}


def _stats():
    from dualgrad.scipy import stats
    return stats


def _quad_oracle2(g, h=1e-3):
    I = lambda p: si.quad(lambda x: float(g(x, p)), 0.0, 3.0, points=[p],    # noqa: E731
                          epsabs=1e-14, epsrel=1e-14, limit=200)[0]
    return (I(P0 + h) - 2 * I(P0) + I(P0 - h)) / h ** 2


def _quad_oracle(g, h=1e-5):
    I = lambda p: si.quad(lambda x: float(g(x, p)), 0.0, 3.0, points=[p],    # noqa: E731
                          epsabs=1e-13, epsrel=1e-13, limit=200)[0]
    return (I(P0 + h) - I(P0 - h)) / (2 * h)


def _ode_oracle(h=1e-5):
    def y(p):
        return si.solve_ivp(lambda t, y: np.tanh(10 * (t - p)) - y, (0.0, 3.0), [0.0],
                            rtol=1e-12, atol=1e-14).y[0, -1]
    return (y(P0 + h) - y(P0 - h)) / (2 * h)


def child():
    import dualgrad as dg
    warnings.simplefilter("ignore")
    out = {}
    for name, (g, vec) in CASES.items():
        f = lambda p: dg.quad(lambda x: g(x, p), 0.0, 3.0, vectorized=vec)[0]   # noqa
        t = median_time(lambda: dg.derivative(f, P0), repeat=7, clock=time.process_time)
        out[name] = [1e3 * t, abs(float(dg.derivative(f, P0)) - _quad_oracle(g))]

    for name, g in STATS.items():
        f = lambda p: dg.quad(lambda x: g(x, p), 0.0, 3.0)[0]   # noqa
        t = median_time(lambda: dg.derivative(f, P0), repeat=7, clock=time.process_time)
        plain = lambda x, p: float(sc.ndtr((x - p) / 0.3))       # noqa: E731
        out[name] = [1e3 * t, abs(float(dg.derivative(f, P0)) - _quad_oracle(plain))]
    for name, g in SECOND.items():
        f = lambda p: dg.quad(lambda x: g(x, p), 0.0, 3.0)[0]   # noqa
        d2 = lambda: dg.derivative(lambda q: dg.derivative(f, q), P0)     # noqa: E731
        t = median_time(d2, repeat=7, clock=time.process_time)
        out[name] = [1e3 * t, abs(float(d2()) - _quad_oracle2(g))]

    def ode(p):
        return dg.solve_ivp(lambda t, y: np.tanh(10 * (t - p)) - y, (0.0, 3.0),
                            np.array([0.0]), rtol=1e-8).y[0, -1]
    t = median_time(lambda: dg.derivative(ode, P0), repeat=7, clock=time.process_time)
    out["ode tanh(10 (t - p))"] = [1e3 * t, abs(float(dg.derivative(ode, P0)) - _ode_oracle())]
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout of dualgrad (before)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child()
    got = alternate("quad_steps.py", [], args.compare, args.rounds)
    timed_error_table(got, args.compare)


if __name__ == "__main__":
    sys.exit(main())
