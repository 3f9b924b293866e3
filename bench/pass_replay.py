"""What the pass check's replay costs (pass50): gradients of f that integrate with
``dg.quad`` / ``dg.solve_ivp`` in several passes, this checkout against another.

    python bench/pass_replay.py --compare DIR [--rounds 7]

Each case runs in a child process per checkout (``PYTHONPATH`` set to the checkout),
the two alternating in every round; times are wall-clock medians over ``--rounds``
rounds (each round the median of 3 calls), in milliseconds, with the ratio this /
other.  Serial passes replay the first pass's integrals as they run (the later passes
record and compare each integration; dg.solve_ivp reports at the first pass's times);
on a thread pool the passes run at once and those whose integrals came out other than
the first's run again (about twice the passes' work where the integrals' meshes follow
the partials).  Nothing is written.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r'''
import json, sys, time, warnings
from concurrent.futures import ThreadPoolExecutor
import numpy as np
import dualgrad as dg
warnings.simplefilter("ignore")

def quad_f(p):
    return dg.quad(lambda x: np.exp(-p[0] * x) * np.cos(p[1] * x) + p[2] * x * x
                   + p[3] * np.sqrt(x), 0.0, 3.0, epsrel=1e-8)[0]

def ode_f(p):
    a, b, c, d = p[:4]
    sol = dg.solve_ivp(lambda t, y: np.stack([a * y[0] - b * y[0] * y[1],
                                              c * y[0] * y[1] - d * y[1]]),
                       (0.0, 15.0), p[4:], rtol=1e-6, atol=1e-9)
    return sol.y[:, -1]

cases = {
    "quad gradient, chunk=1": lambda ex: dg.gradient(quad_f, np.array([0.5, 2.0, 0.3, 1.0]),
                                                     chunk=1, executor=ex),
    "solve_ivp Jacobian, chunk=2": lambda ex: dg.jacobian(
        ode_f, np.array([1.0, 0.1, 0.075, 1.5, 10.0, 5.0]), chunk=2, executor=ex),
}
out = {}
with ThreadPoolExecutor(2) as pool:
    for name, fn in cases.items():
        for label, ex in (("serial", None), ("2 threads", pool)):
            fn(ex)
            times = []
            for _ in range(3):
                t = time.perf_counter()
                fn(ex)
                times.append(time.perf_counter() - t)
            out[f"{name}, {label}"] = sorted(times)[1] * 1e3
print(json.dumps(out))
'''


def _run(checkout):
    env = dict(os.environ, PYTHONPATH=str(checkout))
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", required=True)
    parser.add_argument("--rounds", type=int, default=7)
    opts = parser.parse_args()
    this, other = {}, {}
    for _ in range(opts.rounds):
        for store, where in ((this, HERE.parent), (other, Path(opts.compare))):
            for k, v in _run(where).items():
                store.setdefault(k, []).append(v)
    print(f"ms, medians of {opts.rounds} rounds; this = {HERE.parent}, other = {opts.compare}")
    for k in this:
        a, b = statistics.median(this[k]), statistics.median(other[k])
        print(f"  {k:42s} this {a:8.1f}  other {b:8.1f}  this / other {a / b:5.2f}")


if __name__ == "__main__":
    main()
