"""Where a scalar dual's operation sits against its floor (loops60): the Python-loop rows.

    python bench/scalar_floor.py [--number 20000] [--repeat 7] [--compare DIR] [--rounds 3]

Inside a helper's pass (``dg.gradient`` at n = 2, two scalar duals ``x[k] * 1.0``, a kept
buffer of 100 elements), each spelling the corpus's loops use
(SIR, Hodgkin-Huxley, Kepler, allele: ``d * d``, ``0.01 * d``, ``np.float64 * d``,
``d ** 3``, ``np.exp(d)``, ``abs(d)``, ``S[i - 1]``, ``S[i] = d``, ...; the pendulum's RK4:
``w[1]`` of a 2-element array dual, ``np.array([d, d])``, ``w + np.array([d, d])``) is
timed with
``timeit`` (process time, the minimum of ``--repeat`` runs, microseconds), beside its
floors measured in the same process: a minimal class of the same four slots whose
``__mul__`` does the product rule's arithmetic and nothing else, ``object.__new__`` of it,
the float operation itself, and NumPy's ufuncs on Python floats (the values the fast
paths must take from NumPy: ``np.exp(x)``, ``np.power(x, 3.0)``), and
``ScalarDual.__array_ufunc__`` called directly (NumPy's own override dispatch is the rest
of ``np.sin(d)``).  Prints a table; nothing is written.  ``--compare DIR`` (loops62): fresh
processes alternate this checkout and ``DIR``'s dualgrad for ``--rounds`` rounds (this
script's rows in both), the medians over rounds side by side and ``this / other`` (the
median of the rounds' quotients; the floors' rows show the runs' noise).
"""

import argparse
import json
import sys
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]
import _common  # noqa: E402  (one thread per library)

OPS = {
    "d * d": "a * b", "d + d": "a + b", "d / d": "a / b", "d + 1.0": "a + 1.0",
    "1 - d (int)": "1 - a", "0.01 * d": "0.01 * a", "d / 1000 (int)": "a / 1000",
    "-d": "-a", "d * np.float64": "a * f", "np.float64 * d": "f * a",
    "np.float64 - d": "f - a", "d ** 2": "a ** 2", "d ** 3": "a ** 3",
    "np.sin(d)": "np.sin(a)", "np.exp(d)": "np.exp(a)", "abs(d)": "abs(a)",
    "d < 1e-15": "a < 1e-15", "d <= np.float64": "a <= f",
    "S[i - 1] (kept buffer)": "S[i - 1]", "S[i] = d (kept buffer)": "S[i] = a",
    "w[1] (2-element array dual)": "w[1]", "np.array([d, d])": "np.array([a, b])",
    "w + np.array([d, d])": "w + o",
    "__array_ufunc__(sin) direct": "au(a, np.sin, '__call__', a)",
}


class Floor:
    """Four slots, the product rule's arithmetic and nothing else."""

    __slots__ = ("value", "tag", "p0", "p1")

    def __mul__(a, b):
        if type(b) is Floor and b.tag == a.tag:
            x = a.value
            y = b.value
            out = x * y
            if not (out - out == 0.0):
                return None
            r = _new(Floor)
            r.value = out
            r.p0 = y * a.p0 + x * b.p0
            r.p1 = y * a.p1 + x * b.p1
            r.tag = a.tag
            return r
        return None


_new = object.__new__

FLOORS = {"floor: 4-slot class a * b": "c * e", "floor: object.__new__": "_new(Floor)",
          "floor: float * float": "x * y", "floor: np.exp(float)": "np.exp(x)",
          "floor: np.power(float, 3.0)": "np.power(x, 3.0)",
          "floor: np.float64(x) ** 3.0": "g ** 3.0"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true")
    opts = parser.parse_args()
    if not opts.child:
        argv = ["--number", str(opts.number), "--repeat", str(opts.repeat)]
        got = _common.alternate("scalar_floor.py", argv, opts.compare, opts.rounds)
        print(f"n = 2 (min of {opts.repeat} x {opts.number}, us per operation; medians of "
              f"{len(got['after'])} processes)")
        _common.us_table(got, opts.compare, first="operation", digits=3)
        return
    import numpy as np

    import dualgrad as dg
    from dualgrad.dual import _scalar

    def clock(stmt, names):
        return min(timeit.repeat(stmt, globals=names, number=opts.number, repeat=opts.repeat,
                                 timer=time.process_time)) / opts.number * 1e6

    rows = {}

    def f(v):
        e0, e1 = v[0] * 1.0, v[1] * 1.0     # (no np.asarray of the seed: its snapshot
        # would make every store below check it, as SIR's stores do not)
        S = np.zeros_like(v, shape=100)
        S[0] = e0 * 1.0
        S[1] = e0 * e1
        c, e = _new(Floor), _new(Floor)
        c.value, c.tag, c.p0, c.p1 = 0.3, 1, 1.0, 0.0
        e.value, e.tag, e.p0, e.p1 = 0.9, 1, 0.0, 1.0
        names = {"a": e0, "b": e1, "w": v * 1.0, "o": np.array([e0, e1]), "np": np,
                 "f": np.float64(0.7), "g": np.float64(0.3),
                 "x": 0.3, "y": 0.5, "S": S, "i": 2, "c": c, "e": e, "_new": _new,
                 "Floor": Floor, "au": _scalar.ScalarDual.__array_ufunc__}
        for name, stmt in {**OPS, **FLOORS}.items():
            rows[name] = clock(stmt, names)
        return v[0]
    dg.gradient(f, np.array([0.3, 0.9]))
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
