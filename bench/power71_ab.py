"""The operators power71 touched, timed against another checkout (power71: ``u ** 2.0``
of an array dual takes np.power's row where it took np.square's; a scalar dual's ``u **
v``, ``2.0 ** u`` and ``u ** np.int64(3)`` test Python's ``x ** y`` first, for NumPy's
scalar words; ``u ** k`` of an array dual tests the exponent against 2**53).  Prints
only.

    python bench/power71_ab.py --compare DIR [--rounds 5]

Each round runs a fresh process per checkout (alternating), each timing each operation
inside ``dg.derivative`` / ``dg.jacobian``'s function (a live tag: the fast lines) by
``timeit``'s best of 7 x 5000 calls in CPU time (``time.process_time``: the machine is
shared); prints the medians over rounds and their ratio.
"""
import argparse
import os
import statistics
import subprocess
import sys

CHILD = r'''
import time
import timeit
import numpy as np
import dualgrad as dg
from dualgrad.backend import _loader
_loader.load()
K = np.int64(3)
SCALAR = {"u ** v": lambda u: u ** (u * 0.5), "2.0 ** u": lambda u: 2.0 ** u,
          "u ** np.int64(3)": lambda u: u ** K, "u ** 3": lambda u: u ** 3,
          "u / v": lambda u: u / (u + 1.0)}
ARRAY = {"array u ** 2.0": lambda u: u ** 2.0, "array u ** 2": lambda u: u ** 2,
         "array u ** 2.5": lambda u: u ** 2.5, "array u ** v": lambda u: u ** (u * 0.5)}
for name, op in SCALAR.items():
    seen = []

    def f(u):
        seen.append(min(timeit.repeat(lambda: op(u), number=5000, repeat=7, timer=time.process_time)) / 5000)
        return u
    dg.derivative(f, 1.3)
    print(f"{name}|{seen[0] * 1e9:.1f}")
x = np.linspace(0.5, 1.5, 10)
for name, op in ARRAY.items():
    seen = []

    def g(u):
        seen.append(min(timeit.repeat(lambda: op(u), number=5000, repeat=7, timer=time.process_time)) / 5000)
        return u
    dg.jacobian(g, x)
    print(f"{name}|{seen[0] * 1e9:.1f}")
'''


def run(tree):
    env = dict(os.environ, PYTHONPATH=os.path.abspath(tree))
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                         text=True, check=True, cwd="/").stdout
    return {line.split("|")[0]: float(line.split("|")[1])
            for line in out.splitlines() if line.count("|") == 1}


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("--compare", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    times = {"here": [], "there": []}
    for _ in range(args.rounds):
        times["here"].append(run(here))
        times["there"].append(run(args.compare))
    for key in times["here"][0]:
        a = statistics.median(r[key] for r in times["here"])
        b = statistics.median(r[key] for r in times["there"])
        print(f"{key}: here {a:.0f} ns, there {b:.0f} ns, ratio {a / b:.3f}")


if __name__ == "__main__":
    main()
