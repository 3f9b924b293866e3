"""A time loop that keeps its states (``ys.append(y)``): its step against the same loop's without.

    python bench/pending_history.py [--cells 6000] [--steps 2000] [--rounds 5]
                                    [--compare OTHER_CHECKOUT]

An explicit Euler loop ``y = y + dt * (p2 * y * (1 - y))`` over ``--cells`` values and
three parameters under ``dg.jacobian`` (the default engine, every structure compiled
by a first call), once keeping every state in a list and once not, in fresh
processes (alternating sides and which variant goes first with ``--compare``):
per side, the median CPU microseconds a step of each variant and their ratio.
Keeping the states also keeps their memory (no buffer reuse), so the ratio stays
above 1; what it measured beyond that was the fused engine's pending list, walked
whole at every deferred operation once a loop held more than 256 of them (heat53).
Nothing is written.
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CODE = """
import json, sys, time
sys.path.insert(0, {root!r})
import numpy as np
import dualgrad as dg
assert dg.__file__.startswith({root!r}), dg.__file__

def euler(p, n, steps, keep):
    y = p[0] * np.linspace(0.0, 1.0, n) + p[1]
    ys = []
    for _ in range(steps):
        y = y + 0.001 * (p[2] * y * (1.0 - y))
        if keep:
            ys.append(y)
    return y

P = np.array([0.5, 0.1, 1.3])
out = {{}}
for keep in {order!r}:
    dg.jacobian(lambda p: euler(p, {cells}, 50, keep), P)
    t = time.process_time()
    dg.jacobian(lambda p: euler(p, {cells}, {steps}, keep), P)
    out["kept" if keep else "dropped"] = (time.process_time() - t) / {steps} * 1e6
print(json.dumps(out))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=6000)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--compare", default=None)
    opts = parser.parse_args()
    sides = {"after": str(HERE.parent)}
    if opts.compare:
        sides = {"before": str(Path(opts.compare).resolve()), **sides}
    got = {side: [] for side in sides}
    for r in range(opts.rounds):
        names = list(sides) if r % 2 == 0 else list(reversed(sides))
        for side in names:
            order = [False, True] if r % 2 == 0 else [True, False]
            code = CODE.format(root=sides[side], cells=opts.cells, steps=opts.steps,
                               order=order)
            out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                 text=True, check=True, cwd=str(HERE))
            got[side].append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"round {r + 1} of {opts.rounds} done", flush=True)
    print(f"\n{opts.cells} cells x 3, {opts.steps} steps; medians of {opts.rounds} processes, "
          "CPU us a step")
    print("| side | states dropped | states kept | kept / dropped |")
    print("|---|---|---|---|")
    for side, runs in got.items():
        d = statistics.median(r["dropped"] for r in runs)
        k = statistics.median(r["kept"] for r in runs)
        ratio = statistics.median(r["kept"] / r["dropped"] for r in runs)
        print(f"| {side} | {d:.1f} | {k:.1f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
