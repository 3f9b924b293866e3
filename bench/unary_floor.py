"""The floor of ``np.sin(a)`` / ``np.exp(a)`` on small array duals (issue 13, small49; prints only).

    python bench/unary_floor.py [--n 4 10] [--rounds 9]

``np.sin(a)`` and ``np.exp(a)`` on array duals of N = 10 float64 values and ``n``
directions (numba loaded) against replicas that keep less of the lean path
(``dispatch._ufuncs.lean``'s generated function behind ``ArrayDual.__array_ufunc__``),
timed interleaved over ``--rounds`` rounds (process time: the machine is shared),
medians in microseconds and as multiples of the float op (``np.sin(x)``, ``np.exp(x)``):

* ``protocol alone``: ``np.sin(o)`` of an object whose ``__array_ufunc__`` returns at once
  (NumPy's override protocol: its lookup, the method call, the arguments' tuple);
* ``no checks``: the value (NumPy's ufunc), for sin the factor ``np.cos(x)`` under the
  error state's hush, ``np.empty``, the compiled entry point (from its cell) and the result
  object, called directly (no protocol, no test);
* ``no checks + protocol``: the same from an ``__array_ufunc__`` (the floor of any design
  that keeps NumPy's values and the table's factors behind NumPy's ufunc call);
* ``lean function``: the generated lean function called directly (its checks, no protocol);
* ``np.sin(a)``: the real thing.

and ``a ** 3`` (``dispatch._lean_small.lean_power``) against the float op ``x ** 3`` and its
pieces, each timed alone: the value ``np.power(x, y)``, the table's regular branch
``y * x ** (y - 1.0)`` (two NumPy calls), the test for a zero element, the error state's
hush (set and reset), ``np.empty`` with the entry point, ``lean_power`` called directly.

Replicas for measurement only: they skip the checks the lean path makes, on operands this
script builds.
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
from dualgrad.dual._array import ArrayDual, _LEAN  # noqa: E402
from dualgrad.dual._base import new_tag  # noqa: E402
from dualgrad.dispatch._ufuncs import _LAST  # noqa: E402
from dualgrad.dispatch._lean_small import lean_power  # noqa: E402
from dualgrad.rules._table import RULES, regular_branch  # noqa: E402

try:
    from numpy._core._ufunc_config import _extobj_contextvar as _state
except ImportError:                                 # pragma: no cover
    _state = None

_empty, _new = np.empty, object.__new__


class _Bare:
    """An object whose ``__array_ufunc__`` returns at once."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return None


def _pieces(name, n):
    ufunc = getattr(np, name)
    rng = np.random.default_rng(49)
    x = rng.uniform(0.5, 2.0, 10)
    tag = new_tag()
    a = dg.Dual(x, rng.standard_normal((10, n)), tag=tag)
    ufunc(a)                                          # (the entry's cell filled)
    entry = backend.entry_cell(None)[0]
    assert entry
    lean = _LEAN[ufunc]
    sin = name == "sin"

    def bare(a):
        x, p = a.value, a._p
        out = ufunc(x)
        if sin:
            e = _state.get()
            tok = _state.set(_LAST[0][1] if e is _LAST[0][0] else e)
            try:
                f = np.cos(x)
            finally:
                _state.reset(tok)
        else:
            f = out
        t = _empty(p.shape)
        if entry(f, p, t):
            r = _new(ArrayDual)
            r.value, r._p, r.tag, r._c = out, t, a.tag, None
            return r

    class Replica:
        def __array_ufunc__(self, u, method, *inputs, **kwargs):
            return bare(a)

    o, rep = _Bare(), Replica()
    return {f"np.{name}(x) (float op)": lambda: ufunc(x),
            "protocol alone": lambda: ufunc(o), "no checks": lambda: bare(a),
            "no checks + protocol": lambda: ufunc(rep), "lean function": lambda: lean(a),
            f"np.{name}(a)": lambda: ufunc(a), "lambda (the timer's own call)": lambda: None}


def _power_pieces(n):
    rng = np.random.default_rng(49)
    x = rng.uniform(0.5, 2.0, 10)
    tag = new_tag()
    a = dg.Dual(x, rng.standard_normal((10, n)), tag=tag)
    a ** 3                                            # (the entry's cell filled)
    entry = backend.entry_cell(None)[0]
    assert entry
    y = np.float64(3)
    out = np.power(x, y)
    regular = regular_branch(RULES[np.power], 0)
    f = regular(x, y, out)
    p = a._p
    quiet = _LAST[0][1]

    def hush():
        tok = _state.set(quiet)
        _state.reset(tok)

    return {"x ** 3 (float op)": lambda: x ** 3, "np.power(x, y)": lambda: np.power(x, y),
            "regular branch": lambda: regular(x, y, out),
            "zero test": lambda: 0.0 not in x.tolist(), "hush (set + reset)": hush,
            "np.empty + entry": lambda: entry(f, p, _empty(p.shape)),
            "lean_power(a, 3)": lambda: lean_power(a, 3), "a ** 3": lambda: a ** 3,
            "lambda (the timer's own call)": lambda: None}


def _table(title, pieces, base, rounds):
    samples = {k: [] for k in pieces}
    for _ in range(rounds):
        for k, fn in pieces.items():
            samples[k].append(median_time(fn, 1, 0.01, time.process_time))
    print(title)
    print("| piece | us | / float op |")
    print("|---|---|---|")
    for k, s in samples.items():
        ratio = statistics.median(t / f for t, f in zip(s, samples[base]))
        print(f"| {k} | {statistics.median(s) * 1e6:.3f} | {ratio:.1f} |")
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[4, 10])
    parser.add_argument("--rounds", type=int, default=9)
    opts = parser.parse_args()
    _loader.load()
    for n in opts.n:
        for name in ("sin", "exp"):
            _table(f"np.{name}, N = 10, n = {n}; medians of {opts.rounds} rounds",
                   _pieces(name, n), f"np.{name}(x) (float op)", opts.rounds)
        _table(f"a ** 3, N = 10, n = {n}; medians of {opts.rounds} rounds", _power_pieces(n),
               "x ** 3 (float op)", opts.rounds)


if __name__ == "__main__":
    main()
