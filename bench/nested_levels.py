"""The Euler-Lotka sum's operations at each level its Jacobian runs them (issue 13,
loops65; prints only).

    python bench/nested_levels.py

bench/corpus60.py's ``SUMMATION`` lines (``-r * age``, ``np.exp(a)``, ``e * l``, ``p * m``,
the 50 elements of ``list(prod)``, builtin ``sum(prod)``, one element ``prod[3]``, an
add of two elements) timed on floats, with ``x`` a one-level dual (the probe of
``_polished``), with ``r`` a jvp's dual over ``x``'s (the first Newton step: the
product ``e * l`` makes the second level) and with ``r`` of two levels (the second
step): the median of 300 runs after 30, us of process time (``time.process_time``),
each line ``eval``'d (~0.75 us of each row is ``eval``'s: the floats' add).  What a
two-level operation pays above one level times its partial count (1 + 1 here) is
the last column against twice the second.
"""

import os
import statistics
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]        # this checkout's dualgrad

import numpy as np  # noqa: E402

import dualgrad as dg  # noqa: E402

CASES = {"-r * age": "nr * age", "np.exp(a)": "np.exp(a)", "e * l": "e * l",
         "p * m": "p * m", "list(prod)": "list(prod)", "sum(prod)": "sum(prod)",
         "prod[3]": "prod[3]", "prod[3] + prod[4]": "u + w"}


def timed(code, env):
    for _ in range(30):
        eval(code, env)                                              # noqa: S307
    runs = []
    for _ in range(300):
        t = time.process_time()
        eval(code, env)                                              # noqa: S307
        runs.append(time.process_time() - t)
    return statistics.median(runs) * 1e6


def lines(r, x):
    """Each case's us with ``r`` and ``x`` as given (SUMMATION's own lines)."""
    age = np.arange(1, 51)
    m = np.repeat(0 + 16 * x, repeats=50)
    l = np.exp(-(1 + 0.5 * x) * age)
    nr = -r
    a = nr * age
    e = np.exp(a)
    p = e * l
    prod = p * m
    env = {"np": np, "nr": nr, "age": age, "a": a, "e": e, "l": l, "p": p, "m": m,
           "prod": prod, "u": prod[3], "w": prod[4]}
    return {k: timed(compile(c, k, "eval"), env) for k, c in CASES.items()}


def main():
    got = {"floats": lines(0.3, 1.5)}

    def one(q):
        got["x one level"] = lines(0.3, q[0])
        return q

    def first(q):
        dg.jvp(lambda s: got.__setitem__("r jvp, x one level", lines(s, q[0])) or s, 0.3, 1.0)
        return q

    def second(q):
        x = q[0]
        dg.jvp(lambda s: got.__setitem__("r two levels", lines(s, x)) or s, 0.3 + 0 * x, 1.0)
        return q

    for f in (one, first, second):
        dg.jacobian(f, np.array([1.5]))
    print("| line | " + " | ".join(got) + " |")
    print("|---" * (len(got) + 1) + "|")
    for case in CASES:
        print(f"| {case} | " + " | ".join(f"{got[k][case]:.2f}" for k in got) + " |")


if __name__ == "__main__":
    main()
