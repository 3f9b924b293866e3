"""What ``a[3]`` (a scalar dual from an element of an array dual) costs, piece by piece,
and what a lighter "scalar view" would cost (issue 13, small48; prints only).

    python bench/item_parts.py [--n 4 10] [--rounds 7]

``a`` holds N = 10 float64 values and ``n`` directions (numba is not involved).  Timed,
interleaved over ``--rounds`` rounds (process time: the machine is shared), medians in
microseconds and as multiples of the float op ``x[3]`` (NumPy's item read):

* ``x[3]``: the float op; ``a[3]``: the dual's (``ArrayDual.__getitem__``'s int path);
* its pieces, each alone: a Python ``__getitem__`` that returns at once (the method's
  call), ``value.item(3)`` (the value as a Python float), ``p[3]`` (the row's view),
  ``p[3].tolist()`` (the row as n Python floats), ``unpack_from(p, 3 * 8 n)`` (the same
  floats as a tuple from the partials' buffer, what ``a[3]`` reads since small67), ``p.shape[1]``
  (its key), the slot class's builder ``_from`` (a new object and n + 2 slot stores);
* ``view``: a slot object of three stores (the array, the index, the tag), what a scalar
  that read its row on first use would cost to hand out, and ``view, then used``: that
  object and the row read and built at its first operation (what any arithmetic on it
  needs: its operators read the partials as slots), the cost a lazy scalar moves, not
  saves.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]
from _common import median_time  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad.dual._array import _FROM_ROW, _ROW_READ  # noqa: E402
from dualgrad.dual._base import new_tag  # noqa: E402


class _Bare:
    """A Python ``__getitem__`` that does nothing: the method call's floor."""

    def __getitem__(self, index):
        return None


class _View:
    """A scalar view's three slots (the array, the index, the tag)."""

    __slots__ = ("array", "index", "tag")


def _pieces(n):
    rng = np.random.default_rng(48)
    x = rng.uniform(0.5, 2.0, 10)
    a = dg.Dual(x, rng.standard_normal((10, n)), tag=new_tag())
    p, value, tag = a._p, a.value, a.tag
    build = _FROM_ROW[n]
    row = p[3].tolist()
    unpack, _, size = _ROW_READ[n]
    bare = _Bare()
    new = object.__new__

    def view():
        r = new(_View)
        r.array = a
        r.index = 3
        r.tag = tag
        return r

    def view_used():
        v = view()
        return build(v.array.value.item(v.index), v.array._p[v.index].tolist(), v.tag)
    return {"x[3] (float op)": lambda: x[3], "a[3]": lambda: a[3],
            "Python __getitem__ returning at once": lambda: bare[3],
            "value.item(3)": lambda: value.item(3), "p[3]": lambda: p[3],
            "p[3].tolist()": lambda: p[3].tolist(),
            "unpack_from(p, 3 * 8 n)": lambda: unpack(p, 3 * size), "p.shape[1]": lambda: p.shape[1],
            "_from(value, row, tag)": lambda: build(0.5, row, tag),
            "view (3 slot stores)": view, "view, then used": view_used,
            "lambda (the timer's own call)": lambda: None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[4, 10])
    parser.add_argument("--rounds", type=int, default=7)
    opts = parser.parse_args()
    for n in opts.n:
        pieces = _pieces(n)
        samples = {k: [] for k in pieces}
        for _ in range(opts.rounds):
            for k, fn in pieces.items():
                samples[k].append(median_time(fn, 1, 0.01, time.process_time))
        base = samples["x[3] (float op)"]
        print(f"N = 10, n = {n}; medians of {opts.rounds} rounds")
        print("| piece | us | / x[3] |")
        print("|---|---|---|")
        for k, s in samples.items():
            ratio = statistics.median(t / f for t, f in zip(s, base))
            print(f"| {k} | {statistics.median(s) * 1e6:.3f} | {ratio:.1f} |")
        print()


if __name__ == "__main__":
    main()
