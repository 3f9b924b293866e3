"""The slicing heat step's `lap` store: the step with `lap` named against it written inline.

    python bench/heat_lap.py [--cells 100000] [--steps 100] [--rounds 9]

bench/problems.py's slicing heat form names the Laplacian (``lap = u[2:] - 2.0 *
u[1:-1] + u[:-2]``) and reads it in ``u[1:-1] += kappa * lap + ...``: ``lap``'s dual
is alive when ``add_into``'s pass runs, so the pass writes its partials too (a
``rows x n`` store the name's rebinding at the next step throws away).  The same step
with the Laplacian written inline in the update is the same arithmetic on the same
values (the Jacobians are compared bit for bit), but nothing holds the Laplacian's
dual: the pass stores nothing for it.  One process, the two alternating (which goes
first alternating too), every structure compiled first, process time per step of
``dg.jacobian``; prints the medians and the median of the per-round ratios inline /
named: what removing the store would gain at most.  Nothing is written.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402


def inline(p, n, steps, dt=0.01):
    """problems.heat with the Laplacian inside the update (no name holds its dual)."""
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        u[1:-1] += kappa * (u[2:] - 2.0 * u[1:-1] + u[:-2]) + \
            dt * rate * u[1:-1] * (1.0 - u[1:-1])
    return u


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=9)
    opts = parser.parse_args()
    import problems
    import dualgrad as dg
    from dualgrad.backend import _fused
    named = lambda p: problems.heat(p, n=opts.cells, steps=opts.steps)     # noqa: E731
    inlined = lambda p: inline(p, opts.cells, opts.steps)                  # noqa: E731
    after, _fused.COMPILE_AFTER = _fused.COMPILE_AFTER, 0
    try:
        same = np.array_equal(dg.jacobian(named, problems.HEAT_P),
                              dg.jacobian(inlined, problems.HEAT_P))
    finally:
        _fused.COMPILE_AFTER = after
    times = {named: [], inlined: []}
    for r in range(opts.rounds):
        for f in (named, inlined) if r % 2 else (inlined, named):
            t0 = time.process_time()
            dg.jacobian(f, problems.HEAT_P)
            times[f].append((time.process_time() - t0) / opts.steps * 1e6)
    ratio = statistics.median(b / a for a, b in zip(times[named], times[inlined]))
    print(f"slicing heat step ({opts.cells} x 4), {opts.rounds} rounds: lap named "
          f"{statistics.median(times[named]):.0f} us, inline "
          f"{statistics.median(times[inlined]):.0f} us; inline / named {ratio:.3f}; "
          f"same Jacobian bits: {same}")


if __name__ == "__main__":
    main()
