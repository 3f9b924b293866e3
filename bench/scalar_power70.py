"""A scalar dual's ``u ** k`` against another checkout (refusals70: the number case's range
test before NumPy's power, for the float64 scalar operator's words).  Prints only.

    python bench/scalar_power70.py --compare DIR [--rounds 5]

Each round runs a fresh process per checkout (alternating), each timing ``u ** k`` for a
scalar dual (dg.derivative's, one partial) at 1.3 (and at 1e50, outside the range test) by
``timeit``'s best of 7 x 20000 calls; prints the medians over rounds and their ratio.
"""
import argparse
import os
import statistics
import subprocess
import sys

CHILD = r'''
import timeit
import numpy as np
import dualgrad as dg
for v, k in ((1.3, 2.5), (1.3, 3), (1.3, 2), (1.3, -1), (1e50, 2.5)):
    seen = []

    def f(u):                       # (inside a helper: a live tag, the fast lines)
        seen.append(min(timeit.repeat(lambda: u ** k, number=20000, repeat=7)) / 20000)
        return u
    dg.derivative(f, v)
    print(f"{v}|{k}|{seen[0] * 1e9:.1f}")
'''


def run(tree):
    env = dict(os.environ, PYTHONPATH=os.path.abspath(tree))
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                         text=True, check=True, cwd="/").stdout
    return {tuple(line.split("|")[:2]): float(line.split("|")[2])
            for line in out.splitlines() if line.count("|") == 2}


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
        print(f"u = {key[0]}, u ** {key[1]}: here {a:.0f} ns, there {b:.0f} ns, "
              f"ratio {a / b:.3f}")


if __name__ == "__main__":
    main()
