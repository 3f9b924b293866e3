"""What making one scalar dual costs, against the ways Python could make it (loops64; prints only).

    python bench/alloc_floor.py [--rounds 7] [--calls 200000]

Every operation on scalar duals makes its result with ``object.__new__(C)`` (the
generated code's ``_new(C)``) and four slot stores; Hodgkin-Huxley's Jacobian makes 69 a
loop step (``python bench/corpus_profile.py Hodgkin --per dmdt``).  This times, in one
process, interleaved rounds of ``--calls`` calls each (``time.process_time``, median us
a call over the rounds):

* ``_new(C)``: ``object.__new__`` of the real class ``ScalarDual2`` (its MRO holds
  ``Dual.__new__``, a Python function: ``dg.Dual(value, partials)``);
* ``d * d``: a whole product of two such duals, for scale;
* ``_new(B)`` / ``B()``: a bare slotted class with no ``__new__`` of its own: NumPy-free
  Python's cheapest allocation is the call of the class (``type_call`` -> ``object_new``),
  which the generated classes cannot use while ``Dual.__new__`` is in their MRO (their
  ``tp_new`` is then the Python one);
* ``M()``: a class whose metaclass gives ``__call__`` back to ``type`` (what a metaclass
  holding ``Dual(...)``'s constructor would allow) and ``isinstance(1.0, M)`` against
  ``isinstance(1.0, B)``: a class with a metaclass loses CPython's exact-``type`` fast
  path of ``isinstance``, which dualgrad calls on ``Dual`` throughout.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

import numpy as np  # noqa: E402

import dualgrad as dg  # noqa: E402


class _Meta(type):
    def __call__(cls, *args, **kwargs):        # (Dual(...)'s constructor would live here)
        return type.__call__(cls, *args, **kwargs)


class _Fast(_Meta):
    __call__ = type.__call__                   # its subclasses' calls: type_call again


class _Base(metaclass=_Meta):
    __slots__ = ()


M = _Fast("M", (_Base,), {"__slots__": ("value", "tag", "p0", "p1")})


class B:
    __slots__ = ("value", "tag", "p0", "p1")


def _loop(expr, names):
    """A function running ``expr`` ``n`` times, each result dropped at once (no list
    growing: its pages and the collector's passes would be timed too)."""
    src = f"def run(n):\n    for _ in range(n):\n        r = {expr}\n"
    exec(src, names)  # noqa: S102
    return names["run"]


def _loops(d):
    names = {"C": type(d), "new": object.__new__, "d": d, "e": d * 1.5, "B": B, "M": M,
             "Dual": dg.Dual}
    exprs = {"_new(C)": "new(C)", "d * d": "d * e", "_new(B)": "new(B)", "B()": "B()",
             "M()": "M()", "isinstance(1.0, B)": "isinstance(1.0, B)",
             "isinstance(1.0, M)": "isinstance(1.0, M)",
             "isinstance(1.0, Dual)": "isinstance(1.0, Dual)", "empty loop": "None"}
    return {name: _loop(expr, dict(names)) for name, expr in exprs.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=200000)
    opts = parser.parse_args()
    times = {}

    def f(x):
        loops = _loops(x[0])
        for _ in range(opts.rounds):
            for name, run in loops.items():
                t = time.process_time()
                run(opts.calls)
                times.setdefault(name, []).append((time.process_time() - t) / opts.calls * 1e6)
        return x[0]
    dg.gradient(f, np.array([1.25, 0.5]))
    empty = statistics.median(times["empty loop"])
    print(f"median of {opts.rounds} rounds of {opts.calls} calls, us a call "
          f"(the loop's own {empty:.3f} us subtracted)")
    for name, ts in times.items():
        if name != "empty loop":
            print(f"  {name:24s} {statistics.median(ts) - empty:.3f}")


if __name__ == "__main__":
    main()
