"""Rosenbrock's arithmetic on scalar duals against its floor in Python and num-dual's (issue 13,
small50; prints only).

    python bench/rosen_floor.py [--n 2 10] [--rounds 9] [--calls 2000]

``dg.gradient(scipy.optimize.rosen, x)`` computes on SciPy's object array of scalar duals:
``100 (x[1:] - x[:-1]**2)**2 + (1 - x[:-1])**2`` and an object sum, eight NumPy object
loops over ``n - 1`` elements (``bench/rosen_parts.py``'s ``arithmetic``).  This times that
expression alone (``rosen_arith`` below, NumPy's object loops, no SciPy) on object arrays of

* ``float``: Python floats (NumPy's object loops themselves, no derivatives);
* ``floor``: a hand-written slots class with ``n`` partial slots and the eight operators this
  expression calls, each one line per partial and no test at all (no finiteness check, no
  tag, no other operand type): the floor of any scalar dual written in Python with one slot
  per partial (how dualgrad's scalar duals are laid out, ``dual/_scalar.py``);
* ``dualgrad``: dualgrad's scalar duals of one live tag (the generated classes' fast paths);
* ``num-dual``: num-dual's ``DualSVec64`` (what ``num_dual.gradient`` hands f; compiled);

and each operator once on two scalars (``a * b``, ``a ** 2.0``, ``100.0 * a``, ``1 - a``,
``a - b``, ``a + b``) for the three dual kinds.  Interleaved rounds of ``--calls`` calls,
process time (the machine is shared), medians in microseconds.  Nothing is written.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]
import _common  # noqa: E402,F401  (one thread per library)

import dualgrad as dg  # noqa: E402


def rosen_arith(x):
    """SciPy's rosen after its array-API wrapping: the arithmetic and the object sum."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0, axis=0,
                  dtype=x.dtype)


def floor_class(n):
    """A slots class with ``value`` and ``p0 .. p{n-1}``: ``+ - *``, reflected ``* -`` with
    a number, ``** 2.0``, each a new object and one line per partial, nothing tested."""
    ps = [f"p{k}" for k in range(n)]

    def body(expr):
        return "".join(f"    r.{p} = {expr.format(p=p)}\n" for p in ps)
    src = (
        "class Floor:\n    __slots__ = ('value', " + ", ".join(repr(p) for p in ps) + ")\n"
        "def _add(a, b):\n    r = _new(Floor)\n    r.value = a.value + b.value\n"
        + body("a.{p} + b.{p}") + "    return r\n"
        "def _sub(a, b):\n    r = _new(Floor)\n    r.value = a.value - b.value\n"
        + body("a.{p} - b.{p}") + "    return r\n"
        "def _mul(a, b):\n    x = a.value\n    y = b.value\n    r = _new(Floor)\n"
        "    r.value = x * y\n" + body("y * a.{p} + x * b.{p}") + "    return r\n"
        "def _rmul(a, c):\n    r = _new(Floor)\n    r.value = c * a.value\n"
        + body("c * a.{p}") + "    return r\n"
        "def _rsub(a, c):\n    r = _new(Floor)\n    r.value = c - a.value\n"
        + body("-a.{p}") + "    return r\n"
        "def _pow(a, e):\n    x = a.value\n    f = 2.0 * x\n    r = _new(Floor)\n"
        "    r.value = x * x\n" + body("f * a.{p}") + "    return r\n"
        "Floor.__add__ = _add\nFloor.__sub__ = _sub\nFloor.__mul__ = _mul\n"
        "Floor.__rmul__ = _rmul\nFloor.__rsub__ = _rsub\nFloor.__pow__ = _pow\n")
    namespace = {"_new": object.__new__}
    exec(src, namespace)  # noqa: S102
    return namespace["Floor"]


def _floors(x, n):
    cls = floor_class(n)
    out = []
    for j, v in enumerate(x.tolist()):
        r = object.__new__(cls)
        r.value = v
        for k in range(n):
            setattr(r, f"p{k}", 1.0 if k == j else 0.0)
        out.append(r)
    return out


def _subjects(x, n):
    import num_dual as nd
    from dualgrad.dual._base import LIVE, new_tag
    objects = {}
    objects["float"] = x.tolist()
    objects["floor"] = _floors(x, n)
    tag = new_tag()
    LIVE[tag] = None                    # live for the whole run (retired at the end)
    d = dg.Dual(x, np.eye(n), tag=tag)
    objects["dualgrad"] = [d[j] for j in range(n)]
    kept = []
    nd.gradient(lambda v: kept.append(list(v)) or v[0], x.tolist())
    objects["num-dual"] = kept[0]
    return objects, tag


def _check(objects, x):
    from scipy.optimize import rosen_der
    want = rosen_der(x)
    arrays = {k: np.array(v, dtype=object) for k, v in objects.items()}
    got = rosen_arith(arrays["floor"])
    floor = np.array([getattr(got, f"p{k}") for k in range(len(x))])
    assert np.allclose(floor, want, rtol=1e-14, atol=1e-14), floor
    assert np.allclose(rosen_arith(arrays["dualgrad"]).partials, want, rtol=1e-14, atol=1e-14)
    assert np.allclose(rosen_arith(arrays["num-dual"]).first_derivative, want, rtol=1e-14,
                       atol=1e-14)
    return arrays


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[2, 10])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=2000)
    opts = parser.parse_args()
    from dualgrad.dual._base import LIVE
    clock = time.process_time
    for n in opts.n:
        x = np.linspace(-1.2, 1.2, n)
        objects, tag = _subjects(x, n)
        arrays = _check(objects, x)
        subjects = {f"rosen arithmetic, {k}": (lambda a=a: rosen_arith(a))
                    for k, a in arrays.items()}
        for kind in ("floor", "dualgrad", "num-dual"):
            a, b = objects[kind][0], objects[kind][-1]
            subjects.update({
                f"a * b, {kind}": lambda a=a, b=b: a * b,
                f"a ** 2.0, {kind}": lambda a=a: a ** 2.0,
                f"100.0 * a, {kind}": lambda a=a: 100.0 * a,
                f"1 - a, {kind}": lambda a=a: 1 - a,
                f"a - b, {kind}": lambda a=a, b=b: a - b,
                f"a + b, {kind}": lambda a=a, b=b: a + b})
        subjects["(the timer's call)"] = lambda: None
        times = {k: [] for k in subjects}
        for f in subjects.values():
            for _ in range(50):
                f()
        for _ in range(opts.rounds):
            for k, f in subjects.items():
                calls = opts.calls
                t = clock()
                for _ in range(calls):
                    f()
                times[k].append((clock() - t) / calls * 1e6)
        LIVE.pop(tag, None)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"n = {n} (N = {n}: {n - 1} elements a loop; medians of {opts.rounds} rounds of "
              f"{opts.calls} calls, us per call)")
        print("| subject | floor | dualgrad | num-dual | float | dualgrad / floor | "
              "dualgrad / num-dual |")
        print("|---|---|---|---|---|---|---|")
        for op in ("rosen arithmetic", "a * b", "a ** 2.0", "100.0 * a", "1 - a", "a - b",
                   "a + b"):
            row = [med.get(f"{op}, {k}") for k in ("floor", "dualgrad", "num-dual", "float")]
            text = " | ".join("" if v is None else f"{v:.3f}" for v in row)
            print(f"| {op} | {text} | {row[1] / row[0]:.2f} | {row[1] / row[2]:.2f} |")
        print(f"(the timer's call: {med['(the timer' + chr(39) + 's call)']:.3f} us)")


if __name__ == "__main__":
    main()
