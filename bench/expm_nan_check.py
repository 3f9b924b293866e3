"""dualgrad.scipy.linalg.expm's partials on duals, this tree against another checkout
(spectral46: the partials are made NaN where SciPy's value is NaN, one np.isnan over
the value per level).

    python bench/expm_nan_check.py --compare /path/to/other/checkout [--rounds 5]

Prints, per case, the median time of one call (ms) here and there and the ratio.
"""
import argparse
import json
import os
import subprocess
import sys
import time

CASES = [("jacobian 4x4", 4, 16), ("jacobian 12x12", 12, 144), ("hessian 4x4", 4, 16)]

CHILD = r"""
import json, sys, time
import numpy as np
import dualgrad as dg
from dualgrad.scipy.linalg import expm
rounds = int(sys.argv[1])
out = {}
for name, m, n in %s:
    rng = np.random.default_rng(0)
    A0 = rng.standard_normal((m, m)) / m
    E = rng.standard_normal((n, m, m)) / m
    def f(p):
        return expm(A0 + np.tensordot(p, E, axes=1))
    def g(p):
        return np.sum(expm(A0 + np.tensordot(p, E, axes=1)))
    call = (lambda: dg.hessian(g, np.zeros(n))) if name.startswith("hessian") else \
        (lambda: dg.jacobian(f, np.zeros(n)))
    call()
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(5):
            call()
        times.append((time.perf_counter() - t) / 5)
    out[name] = sorted(times)[len(times) // 2] * 1e3
print(json.dumps(out))
""" % repr(CASES)


def run(path, rounds):
    env = dict(os.environ, PYTHONPATH=path)
    res = subprocess.run([sys.executable, "-c", CHILD, str(rounds)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--compare", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print("load:", os.getloadavg())
    a, b = run(here, args.rounds), run(args.compare, args.rounds)
    for name, _, _ in CASES:
        print(f"{name:16s} this {a[name]:8.3f} ms  other {b[name]:8.3f} ms  ratio {a[name] / b[name]:.3f}")
    print("load:", os.getloadavg())


if __name__ == "__main__":
    main()
