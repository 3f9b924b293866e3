"""The SIR row's floor for any scalar dual written as a Python class (loops62; prints only).

    python bench/loop_floor.py [--compare DIR] [--rounds 3] [--calls 15]

bench/corpus58.py's SIR Euler loop (1601 steps, 17 scalar operations, 9 element reads and
3 stores a step) three ways in one process, CPU time (``time.process_time``), the median
of ``--calls`` calls each: ``f`` on floats, ``scipy.optimize.approx_fprime`` (bench_corpus's
unit), ``dg.jacobian``, and the same loop on a minimal class of four slots (value, tag, two
partials) whose operators do the arithmetic of the derivative and nothing else (no test of
a tag, a finite value, a nested or complex operand) with Python lists for the buffers (no
NumPy memory written or read): what a per-operation design costs at the least, the loop
as written.  ``x afp``: each time over approx_fprime's.  ``--compare DIR``: fresh processes
alternate this checkout and ``DIR``'s dualgrad, the medians over rounds side by side.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]
import _common  # noqa: E402  (one thread per library)

_new = object.__new__


class Bare:
    """Four slots and the derivative's arithmetic: the SIR loop's five operators."""

    __slots__ = ("value", "tag", "p0", "p1")

    def __mul__(a, b):
        r = _new(Bare)
        if type(b) is Bare:
            x, y = a.value, b.value
            r.value = x * y
            r.p0 = y * a.p0 + x * b.p0
            r.p1 = y * a.p1 + x * b.p1
        else:
            r.value = a.value * b
            r.p0 = b * a.p0
            r.p1 = b * a.p1
        r.tag = a.tag
        return r

    def __add__(a, b):
        r = _new(Bare)
        r.value = a.value + b.value
        r.p0 = a.p0 + b.p0
        r.p1 = a.p1 + b.p1
        r.tag = a.tag
        return r

    def __sub__(a, b):
        r = _new(Bare)
        r.value = a.value - b.value
        r.p0 = a.p0 - b.p0
        r.p1 = a.p1 - b.p1
        r.tag = a.tag
        return r

    def __truediv__(a, b):
        f0 = 1.0 / b
        r = _new(Bare)
        r.value = a.value / b
        r.p0 = f0 * a.p0
        r.p1 = f0 * a.p1
        r.tag = a.tag
        return r

    def __neg__(a):
        r = _new(Bare)
        r.value = -a.value
        r.p0 = -a.p0
        r.p1 = -a.p1
        r.tag = a.tag
        return r


def _bare(value, p0, p1):
    r = _new(Bare)
    r.value, r.tag, r.p0, r.p1 = value, 1, p0, p1
    return r


def bare_sir(q):
    """corpus58.sir_infected's loop on :class:`Bare` duals, its buffers Python lists."""
    import numpy as np
    N = 1000
    beta, gamma = _bare(float(q[0]), 1.0, 0.0), _bare(float(q[1]), 0.0, 1.0)
    dt = 0.1
    t = np.arange(0, 160 + dt, dt)
    S, I, R = [None] * len(t), [None] * len(t), [None] * len(t)
    S[0], I[0], R[0] = _bare(999.0, 0.0, 0.0), _bare(1.0, 0.0, 0.0), _bare(0.0, 0.0, 0.0)
    for i in range(1, len(t)):
        dS = -beta * S[i - 1] * I[i - 1] / N
        dI = beta * S[i - 1] * I[i - 1] / N - gamma * I[i - 1]
        dR = gamma * I[i - 1]
        S[i] = S[i - 1] + dS * dt
        I[i] = I[i - 1] + dI * dt
        R[i] = R[i - 1] + dR * dt
    return I[::100]


def child(calls):
    """Print this process's ``{case: ms}`` as JSON."""
    import json

    import numpy as np
    from scipy.optimize import approx_fprime

    import dualgrad as dg
    from corpus58 import sir_infected

    x = np.array([0.3, 0.1])
    cases = {"f (floats)": lambda: sir_infected(x),
             "approx_fprime": lambda: approx_fprime(x, sir_infected),
             "dg.jacobian": lambda: dg.jacobian(sir_infected, x),
             "bare 4-slot class": lambda: bare_sir(x)}
    out = {}
    for name, fn in cases.items():
        for _ in range(2):
            fn()
        samples = []
        for _ in range(calls):
            t0 = time.process_time()
            fn()
            samples.append(time.process_time() - t0)
        out[name] = statistics.median(samples) * 1e3
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=15)
    parser.add_argument("--child", action="store_true")
    opts = parser.parse_args()
    if opts.child:
        return child(opts.calls)
    got = _common.alternate("loop_floor.py", ["--calls", str(opts.calls)], opts.compare,
                            opts.rounds)
    sides = ["after"] + (["before"] if opts.compare else [])
    print("| case | " + " | ".join(f"ms ({s}) | x afp ({s})" for s in sides) + " |")
    print("|---|" + "---|---|" * len(sides))
    for name in got["after"][0]:
        cells = []
        for side in sides:
            runs = got[side]
            cells.append(f"{statistics.median(r[name] for r in runs):.2f}")
            cells.append(f"{statistics.median(r[name] / r['approx_fprime'] for r in runs):.2f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
