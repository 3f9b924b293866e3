"""A kept buffer's element store, this checkout's ``ArrayDual.__setitem__`` against another
checkout's, interleaved in one process (loops70; prints only).

    python bench/kept_store_ab.py --compare /tmp/main_before [--rounds 15] [--number 20000]

The other checkout's ``__setitem__`` is compiled from its dual/_array.py into this
checkout's module namespace (the method alone: everything it calls is this checkout's),
and the two are swapped on ``ArrayDual`` round by round, so both sides run in the same
process at the same moments: on a machine shared by many processes the wall clock and
even the CPU time of separate processes drift by 2x between runs (loops70's row_cpu
rounds of the same code read 4.1-9.6x), which this A/B does not see.  Rows, each the
median over ``--rounds`` of the process time (``time.process_time``): ``S[i] = d`` into a
kept buffer inside a helper's pass (timeit, us a store, the minimum of 3 x ``--number``),
``S[i - 1]`` and ``d * d`` beside it (the same in both: the rounds' noise), and
``dg.jacobian`` of bench/corpus58.py's SIR and Hodgkin-Huxley rows (ms) and of a copy
chain ``S[i] = S[i - 1]`` over 2000 steps (ms); ``this / other`` is the median of the
rounds' quotients.
"""

import argparse
import re
import statistics
import sys
import textwrap
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]        # this checkout's dualgrad
import _common  # noqa: E402,F401  (one thread per library)


def other_setitem(tree):
    """The other checkout's ``ArrayDual.__setitem__``, compiled in this checkout's
    dual/_array.py namespace."""
    from dualgrad.dual import _array
    text = (Path(tree) / "dualgrad" / "dual" / "_array.py").read_text()
    start = text.index("    def __setitem__(self, index, item):")
    end = re.search(r"\n    (def |@)", text[start + 10:]).start() + start + 10
    source = textwrap.dedent(text[start:end])
    namespace = dict(vars(_array))
    exec(compile(source, f"<{tree}'s __setitem__>", "exec"), namespace)  # noqa: S102
    return namespace["__setitem__"]


def chain(q):
    import numpy as np
    S = np.zeros_like(q, shape=(2001,))
    S[0] = q[0] * 1.0
    for i in range(1, 2001):
        S[i] = S[i - 1]
    return S[::500]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", required=True)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=20000)
    opts = parser.parse_args()
    import numpy as np

    import dualgrad as dg
    from corpus58 import PROBLEMS58
    from dualgrad.dual import _array

    sides = {"this": _array.ArrayDual.__setitem__, "other": other_setitem(opts.compare)}
    rows = {"SIR": PROBLEMS58["SIR Euler, buffers (2)"],
            "HH": PROBLEMS58["Hodgkin-Huxley Euler, buffers (2)"],
            "chain": (chain, np.array([0.5, 1.5]))}
    got = {side: {} for side in sides}

    def micro(side):
        def f(v):
            a, b = v[0] * 1.0, v[1] * 1.0
            S = np.zeros_like(v, shape=100)
            S[0] = a * 1.0
            S[1] = a * b
            names = {"S": S, "a": a, "b": b, "i": 2}
            for name, stmt in (("S[i] = d", "S[i] = a"), ("S[i - 1]", "S[i - 1]"),
                               ("d * d", "a * b")):
                t = min(timeit.repeat(stmt, globals=names, number=opts.number, repeat=3,
                                      timer=time.process_time)) / opts.number * 1e6
                got[side].setdefault(name + " (us)", []).append(t)
            return v[0]
        dg.gradient(f, np.array([0.3, 0.9]))

    for name, (f, x) in rows.items():
        dg.jacobian(f, x)
    for _ in range(opts.rounds):
        for side, method in sides.items():
            _array.ArrayDual.__setitem__ = method
            try:
                micro(side)
                for name, (f, x) in rows.items():
                    t = time.process_time()
                    dg.jacobian(f, x)
                    got[side].setdefault(name + " jacobian (ms)", []).append(
                        (time.process_time() - t) * 1e3)
            finally:
                _array.ArrayDual.__setitem__ = sides["this"]
    print(f"| row | this | other | this / other | ({opts.rounds} rounds, medians) |")
    print("|---|---|---|---|---|")
    for name in got["this"]:
        a, b = got["this"][name], got["other"][name]
        q = statistics.median(x / y for x, y in zip(a, b))
        print(f"| {name} | {statistics.median(a):.3f} | {statistics.median(b):.3f} | "
              f"{q:.2f} | |")


if __name__ == "__main__":
    main()
