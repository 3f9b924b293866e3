"""The floor of a binary operator on small array duals (issue 13, small48; prints only).

    python bench/binary_floor.py [--n 4 10] [--rounds 9]

``a + b`` on array duals of N = 10 float64 values and ``n`` directions (numba loaded)
against replicas of ``dual._array._exact_binary``'s ``op`` that keep less of it, timed
interleaved over ``--rounds`` rounds (process time: the machine is shared), medians in
microseconds and as multiples of the float op ``x + y``:

* ``no checks``: the two ``np.empty`` results, the kernel's compiled entry point (from its
  cell, as ``op`` calls it) and the result object: what any design with this kernel and
  a Python result object pays (called directly: no operator dispatch);
* ``operand checks``: that plus the checks the entry point's memory safety needs (ndarray
  types, float64 dtypes, 1-D values and 2-D partials) and the tags';
* ``a + b``: the operator itself (the operator's dispatch to ``op``, the engine's and the
  loader's tests, the work bound).

Replicas for measurement only: they skip the checks ``op`` makes, on operands this script
builds.
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
from dualgrad import backend  # noqa: E402
from dualgrad.backend import _loader  # noqa: E402
from dualgrad.dual._array import ArrayDual  # noqa: E402
from dualgrad.dual._base import LIVE, new_tag  # noqa: E402

_nd, _f64, _empty, _new = np.ndarray, np.dtype(np.float64), np.empty, object.__new__


def _pieces(n):
    rng = np.random.default_rng(48)
    x, y = rng.uniform(0.5, 2.0, 10), rng.uniform(0.5, 2.0, 10)
    tag = new_tag()
    a = dg.Dual(x, rng.standard_normal((10, n)), tag=tag)
    b = dg.Dual(y, rng.standard_normal((10, n)), tag=tag)
    a + b                                           # (the kernel's cell filled)
    kernel = backend.exact_cell(np.add)[0]
    assert kernel

    def bare(a, b):
        x, p, y, q = a.value, a._p, b.value, b._p
        t = _empty(p.shape)
        out = _empty(len(x))
        if kernel(x, y, out, p, q, t):
            r = _new(ArrayDual)
            r.value, r._p, r.tag, r._c = out, t, a.tag, None
            return r

    def checked(a, b):
        x, p, y, q = a.value, a._p, b.value, b._p
        if type(x) is _nd and type(y) is _nd and type(p) is _nd and type(q) is _nd and \
                x.dtype is _f64 and y.dtype is _f64 and p.dtype is _f64 and \
                q.dtype is _f64 and a.tag == b.tag and a.tag in LIVE and \
                x.ndim == 1 and y.ndim == 1 and p.ndim == 2 and q.ndim == 2:
            t = _empty(p.shape)
            out = _empty(len(x))
            if kernel(x, y, out, p, q, t):
                r = _new(ArrayDual)
                r.value, r._p, r.tag, r._c = out, t, a.tag, None
                return r
    return {"x + y (float op)": lambda: x + y, "no checks": lambda: bare(a, b),
            "operand checks": lambda: checked(a, b), "a + b": lambda: a + b,
            "lambda (the timer's own call)": lambda: None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[4, 10])
    parser.add_argument("--rounds", type=int, default=9)
    opts = parser.parse_args()
    _loader.load()
    for n in opts.n:
        pieces = _pieces(n)
        samples = {k: [] for k in pieces}
        for _ in range(opts.rounds):
            for k, fn in pieces.items():
                samples[k].append(median_time(fn, 1, 0.01, time.process_time))
        base = samples["x + y (float op)"]
        print(f"N = 10, n = {n}; medians of {opts.rounds} rounds")
        print("| piece | us | / x + y |")
        print("|---|---|---|")
        for k, s in samples.items():
            ratio = statistics.median(t / f for t, f in zip(s, base))
            print(f"| {k} | {statistics.median(s) * 1e6:.3f} | {ratio:.1f} |")
        print()


if __name__ == "__main__":
    main()
