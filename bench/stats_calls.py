"""Per-call cost of ``dualgrad.scipy.stats`` on duals and on floats, this checkout
against another (stats51: the argument binding made once per distribution).

    python bench/stats_calls.py [--other /tmp/main_before] [--rounds 3] [--reps 7]

Each checkout runs in its own process (PYTHONPATH), the two alternating for
``--rounds`` rounds; one BLAS thread; CPU time (bench/_common.py's ``median_time``
with ``time.process_time``), medians over rounds of the medians of ``--reps``, in
microseconds per call.  Rows: single calls (positional, keyword, frozen) as
``dg.derivative`` of a scalar, and the eight schools (bench/bayes.py's model) as
the float density and ``dg.gradient``.  The eight schools' value, gradient and
Hessian are compared bit for bit across the two checkouts (either engine:
DUALGRAD_ENGINE is passed on).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, sys, time
sys.path.insert(0, {bench!r})
from _common import median_time
import numpy as np
import dualgrad as dg
from dualgrad.scipy import stats
reps = {reps}
x = np.array([0.3, 1.1, 2.5])
y = np.array([28., 8, -3, 7, -1, 1, 18, 12]); s = np.array([15., 10, 16, 11, 9, 11, 10, 18])
def schools(th):
    mu, lt, eta = th[0], th[1], th[2:]
    tau = np.exp(lt)
    return (np.sum(stats.norm.logpdf(y, mu + tau * eta, s)) + stats.norm.logpdf(mu, 0.0, 5.0)
            + stats.cauchy.logpdf(tau, 0.0, 5.0) + lt + np.sum(stats.norm.logpdf(eta)))
th = np.linspace(0.1, 1.0, 10)
rows = {{
    "norm.logpdf(x*p, 0.4, 1.7), dg.derivative": lambda: dg.derivative(lambda p: np.sum(stats.norm.logpdf(x * p, 0.4, 1.7)), 1.0),
    "norm.logpdf(x*p, loc=, scale=), dg.derivative": lambda: dg.derivative(lambda p: np.sum(stats.norm.logpdf(x * p, loc=0.4, scale=1.7)), 1.0),
    "gamma(2.5, scale=1.3).logpdf(x*p), dg.derivative": lambda: dg.derivative(lambda p: np.sum(stats.gamma(2.5, scale=1.3).logpdf(x * p)), 1.0),
    "norm.logpdf(x, 0.4, 1.7), floats": lambda: stats.norm.logpdf(x, 0.4, 1.7),
    "schools, float density": lambda: schools(th),
    "schools, dg.gradient": lambda: dg.gradient(schools, th),
}}
out = {{k: median_time(f, repeat=reps, clock=time.process_time) * 1e6 for k, f in rows.items()}}
out["bits"] = (dg.gradient(schools, th).tobytes().hex() + schools(th).tobytes().hex()
               + dg.hessian(schools, th).tobytes().hex())
print(json.dumps(out))
"""


def run(checkout, reps):
    env = dict(os.environ, PYTHONPATH=str(checkout), OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", CHILD.format(bench=str(HERE), reps=reps)],
                         env=env, capture_output=True, text=True, check=True, cwd="/")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--other", default="/tmp/main_before")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=7)
    a = ap.parse_args()
    this = HERE.parent
    got = {"this": [], "other": []}
    for _ in range(a.rounds):
        got["other"].append(run(a.other, a.reps))
        got["this"].append(run(this, a.reps))
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), {time.strftime('%H:%M UTC', time.gmtime())}; "
          f"this = {this}, other = {a.other}")
    same = {r.pop("bits") for r in got["this"] + got["other"]}
    print("schools' value, gradient and Hessian bit for bit the same in both:", len(same) == 1)
    print("| call | other (us) | this (us) | this / other |")
    print("|---|---|---|---|")
    for k in got["this"][0]:
        o = statistics.median(r[k] for r in got["other"])
        t = statistics.median(r[k] for r in got["this"])
        print(f"| {k} | {o:.1f} | {t:.1f} | {t / o:.2f} |")


if __name__ == "__main__":
    main()
