"""Where the worst N = 10 rows spend, piece by piece (issue 13, small69; prints only).

    python bench/small_pieces.py [--n 10] [--rounds 5]

Numba loaded, array duals of N = 10 values and ``--n`` directions, each statement timed
alone in CPU time (``time.process_time``: the machine is shared), interleaved rounds,
medians in microseconds.  The rows (``a ** k``, ``k ** a``, ``t ** k``, ``a ** b``,
``a ** 2.5``, ``a[3]``, ``np.tanh(a)``, ``sc.erf(a)``) beside their float ops and the
pieces they are made of: NumPy's calls on the values (the value, the factors' parts),
the scalar dual's row (``np.array(k._plist())``) and the ways tried to make it faster
(``np.fromiter``, ``struct`` packing), the error state's hush (the context variable set and
reset), ``np.empty``, the compiled entry point's call, the result made, ``lean_power_pair``'s
head tests (its shape comparisons alone), ``a[3]``'s reader pieces (the row's unpack,
the slot class's builder, the value's item), and a scalar dual with a plain float array
(``k * t``, ``t / k``, ``k - t``, ``np.arctan2(t, k)``: ``lean_constant``'s rows) beside
their float ops.
"""

import argparse
import statistics
import struct
import sys
import time
from pathlib import Path

import numpy as np
import scipy.special as sc

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]
from _common import median_time  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad.backend import _loader  # noqa: E402
from dualgrad.dispatch import _lean_small as L, _ufuncs as U  # noqa: E402
from dualgrad.dual import _array as A, make_real  # noqa: E402
from dualgrad.dual._base import new_tag  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    opts = parser.parse_args()
    _loader.load()
    rng = np.random.default_rng(4)
    N, n = 10, opts.n
    x, y = rng.uniform(0.5, 2, N), rng.uniform(0.5, 2, N)
    tag = new_tag()
    a = dg.Dual(x, rng.standard_normal((N, n)), tag=tag)
    b = dg.Dual(y, rng.standard_normal((N, n)), tag=tag)
    k = dg.Dual(0.7, list(rng.standard_normal(n)), tag=tag)
    t = np.linspace(0.5, 2.0, N)
    p, q = a._p, b._p
    plist = k._plist()
    pack = struct.Struct(f"{n}d").pack
    C0, W0 = np.array(0.7), np.array(0.7 - 1.0)
    row = np.array(plist)
    out = np.power(x, C0)
    w, v = x ** W0, np.log(x)
    T = np.empty((N, n))
    for op in (lambda: a ** k, lambda: k ** a, lambda: t ** k, lambda: a ** b,
               lambda: a ** 2.5, lambda: np.tanh(a), lambda: sc.erf(a), lambda: a[3]):
        op()
    entry = L._POWER_MIXED[0]
    one = L._ONE
    unpack, build, size = A._ROW_READ[n]
    read_row = unpack(p, 3 * size)
    s = U._LAST[0]

    def hush():                               # the lean functions' hush, written out
        e = L._eget()
        token = L._eset(s[1]) if e is s[0] or e is s[1] else U._hush()
        try:
            pass
        finally:
            L._ereset(token)

    def shapes():
        return x.shape != y.shape or p.shape != q.shape

    pieces = [
        ("rows", "a ** k", lambda: a ** k), ("rows", "x ** 0.7 (its float op)", lambda: x ** 0.7),
        ("rows", "k ** a", lambda: k ** a), ("rows", "0.7 ** x", lambda: 0.7 ** x),
        ("rows", "t ** k", lambda: t ** k), ("rows", "a ** b", lambda: a ** b),
        ("rows", "x ** y", lambda: x ** y), ("rows", "a ** 2.5", lambda: a ** 2.5),
        ("rows", "x ** 2.5", lambda: x ** 2.5), ("rows", "np.tanh(a)", lambda: np.tanh(a)),
        ("rows", "np.tanh(x)", lambda: np.tanh(x)), ("rows", "sc.erf(a)", lambda: sc.erf(a)),
        ("rows", "sc.erf(x)", lambda: sc.erf(x)), ("rows", "a[3]", lambda: a[3]),
        ("rows", "x[3]", lambda: x[3]),
        ("numpy", "np.power(x, 0-d c)", lambda: np.power(x, C0)),
        ("numpy", "x ** (0-d c - 1.0)", lambda: x ** W0),
        ("numpy", "np.log(x)", lambda: np.log(x)), ("numpy", "y - _ONE", lambda: y - one),
        ("numpy", "np.cosh(x)", lambda: np.cosh(x)), ("numpy", "-x * x", lambda: -x * x),
        ("numpy", "np.exp(x)", lambda: np.exp(x)),
        ("row", "np.array(k._plist())", lambda: np.array(k._plist())),
        ("row", "np.fromiter(plist, float, n)", lambda: np.fromiter(plist, float, n)),
        ("row", "np.frombuffer(pack(*plist))", lambda: np.frombuffer(pack(*plist))),
        ("row", "np.array(0.7)", lambda: np.array(0.7)),
        ("fixed", "the hush (set, reset)", hush), ("fixed", "np.empty((N, n))",
                                                    lambda: np.empty((N, n))),
        ("fixed", "u ** k's entry (7 arrays, a float)",
         lambda: entry(x, 0.7, out, w, v, p, row, T)),
        ("fixed", "make_real", lambda: make_real(out, T, tag)),
        ("fixed", "lean_power_pair's shape tests", shapes),
        ("a[3]", "the row's unpack", lambda: unpack(p, 3 * size)),
        ("a[3]", "the slot class's builder", lambda: build(0.5, read_row, tag)),
        ("a[3]", "value.item(3)", lambda: x.item(3)),
        # a scalar dual with a plain float array (lean_constant: n1 * np.cos(A), r * np.sin(A))
        ("k op t", "k * t", lambda: k * t), ("k op t", "0.7 * t", lambda: 0.7 * t),
        ("k op t", "t / k", lambda: t / k), ("k op t", "t / 0.7", lambda: t / 0.7),
        ("k op t", "k - t", lambda: k - t),
        ("k op t", "np.arctan2(t, k)", lambda: np.arctan2(t, k)),
        ("k op t", "np.arctan2(t, 0.7)", lambda: np.arctan2(t, 0.7))]
    times = {name: [] for _, name, _ in pieces}
    for _ in range(opts.rounds):
        for _, name, op in pieces:
            times[name].append(median_time(op, 1, 0.02, time.process_time))
    print(f"small_pieces.py: N = {N}, n = {n}, numba loaded, {opts.rounds} interleaved rounds, "
          "CPU time, medians\n")
    print("| group | piece | us |\n|---|---|---|")
    for group, name, _ in pieces:
        print(f"| {group} | {name} | {statistics.median(times[name]) * 1e6:.3f} |")


if __name__ == "__main__":
    main()
