"""The helpers' one-pass fast path of two checkouts, in alternating fresh processes.

    python bench/onepass_ab.py OTHER_CHECKOUT [--pairs 7] [--calls 20000]

Times ``dg.jacobian(f, x)`` for a small float64 ``x`` (the call
``dualgrad.api.helpers._one_pass`` serves: one pass, a dual array out) in this
checkout and in ``OTHER_CHECKOUT`` (e.g. /work/main), each pair of processes in
alternating order, process time per call.  Prints each side's median and the median
(quartiles) of the pairs' ratios this / other.  special41 added a dtype test to that
path (float64 / complex128 results whatever precision f computed in).  Nothing is
written.
"""

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

CHILD = """
import sys, time
sys.path.insert(0, {root!r})
import numpy as np, dualgrad as dg
assert dg.__file__.startswith({root!r}), dg.__file__
x = np.linspace(0.1, 0.8, 8)
f = lambda x: np.sin(x) * x + 1.0
for _ in range(2000):
    dg.jacobian(f, x)
t = time.process_time()
for _ in range({calls}):
    dg.jacobian(f, x)
print((time.process_time() - t) / {calls} * 1e6)
"""


def run(root, calls):
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(root), calls=calls)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("other")
    p.add_argument("--pairs", type=int, default=7)
    p.add_argument("--calls", type=int, default=20000)
    a = p.parse_args()
    mine, other, ratios = [], [], []
    for k in range(a.pairs):
        if k % 2:
            o, m = run(a.other, a.calls), run(HERE, a.calls)
        else:
            m, o = run(HERE, a.calls), run(a.other, a.calls)
        mine.append(m)
        other.append(o)
        ratios.append(m / o)
    q = statistics.quantiles(ratios, n=4)
    print(f"this checkout: median {statistics.median(mine):.2f} us/call; "
          f"{a.other}: median {statistics.median(other):.2f} us/call; "
          f"ratio this/other median {statistics.median(ratios):.3f} "
          f"(quartiles {q[0]:.3f}-{q[2]:.3f}, {a.pairs} pairs)")


if __name__ == "__main__":
    main()
