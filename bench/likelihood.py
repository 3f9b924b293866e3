"""Few parameters over large data: a negative log-likelihood's gradient, call by call.

The shape of a maximum-likelihood fit (``scipy.optimize.minimize(nll, p0,
jac=dg.gradient(nll))``): two scalar parameters against N data points, so every
operation is a scalar dual against an array, and an optimizer makes tens of
gradient calls in a fresh process, most before dualgrad's kernels load (the
loader waits until interpreted work would pay for numba's start).  Each form runs
in a fresh process: the first ``--calls`` gradients are timed one by one (the
median of calls 2 to 30 is the "before the kernels" column, numba not yet
imported), then the median after the kernels are loaded; against f and
``scipy.optimize.approx_fprime`` (three calls of f) timed in the same process.

    python bench/likelihood.py [--n 100000] [--calls 30] [--rounds 3]
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

FORMS = {
    "z-score": "lambda p: np.sum(0.5 * ((y - p[0]) / p[1]) ** 2 + np.log(p[1]))",
    "unpacked": "lambda p: (lambda mu, sigma: np.sum(0.5 * ((y - mu) / sigma) ** 2 "
                "+ np.log(sigma)))(*p)",
    "log-sigma": "lambda p: 0.5 * np.sum((y - p[0]) ** 2) * np.exp(-2 * p[1]) "
                 "+ len(y) * p[1]",
    "poisson": "lambda p: np.sum(np.exp(p[0] + p[1] * t) - k * (p[0] + p[1] * t))",
}

CHILD = """
import json, statistics, sys, time
sys.path.insert(0, {bench!r})
import _common                                  # one thread for BLAS and numba
import numpy as np
from scipy.optimize import approx_fprime
import dualgrad as dg
rng = np.random.default_rng(0)
y = rng.normal(1.0, 2.0, {n}); t = np.linspace(0, 1, {n}); k = rng.poisson(2.0, {n})
f = {form}
p = np.array([0.5, 0.2])
calls = []
for _ in range({calls}):
    t0 = time.perf_counter(); dg.gradient(f, p); calls.append(time.perf_counter() - t0)
before = statistics.median(calls[1:])
cold = "numba" not in sys.modules
from dualgrad.backend import _loader; _loader.load()
for _ in range(30):                             # kernels compiled or loaded
    dg.gradient(f, p)
after = _common.median_time(lambda: dg.gradient(f, p))
tf = _common.median_time(lambda: f(p))
ta = _common.median_time(lambda: approx_fprime(p, f, 1e-7))
print(json.dumps(dict(before=before, cold=cold, after=after, f=tf, fd=ta,
                      kernels="numba" in sys.modules)))
"""


def run(form, n, calls):
    code = CHILD.format(bench=sys.path[0], n=n, form=FORMS[form], calls=calls)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    print(f"N = {args.n}, 2 parameters; medians of {args.rounds} fresh processes; "
          "ratios to f and to approx_fprime of the same process\n")
    print("| form | before the kernels / f | / approx_fprime | numba imported then | "
          "kernels loaded / f | / approx_fprime |")
    print("|---|---|---|---|---|---|")
    for form in FORMS:
        if args.only and args.only not in form:
            continue
        rs = [run(form, args.n, args.calls) for _ in range(args.rounds)]
        med = lambda key, base: statistics.median(r[key] / r[base] for r in rs)
        print(f"| {form} | {med('before', 'f'):.1f}x | {med('before', 'fd'):.2f}x | "
              f"{sum(not r['cold'] for r in rs)}/{len(rs)} | {med('after', 'f'):.1f}x | "
              f"{med('after', 'fd'):.2f}x |")


if __name__ == "__main__":
    sys.exit(main())
