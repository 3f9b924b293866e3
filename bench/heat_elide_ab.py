"""What the heat steps' extra value arrays cost: NumPy's temporary elision, done by hand
for the fused engine's ``+`` and ``-`` of two array duals (issue 14's 2.5x f).  A bench
of a lever that is NOT sound, so not in dualgrad (see below).

    python bench/heat_elide_ab.py [--rounds 15] [--cells N]
    python bench/heat_elide_ab.py --hole

f's ``u[2:] - 2.0 * u[1:-1] + u[:-2]`` computes its second ``+`` into the first
result's buffer (NumPy elides a temporary that nothing but the interpreter holds), and
``kappa * lap + r * (1.0 - u)`` its ``+`` into ``kappa * lap``'s.  dualgrad's operators
on array duals cannot: the operand's value is held by its dual, so each ``+`` / ``-``
writes a new array (the slicing step makes 8 value arrays of 100,000 float64 where f
makes 5), and a step's working set grows.  Here ``_array._pending_pair`` (the fused
engine's ``+ - *`` of two array duals) is replaced, in this process only, by a copy that
writes a ``+`` or ``-`` into the buffer of an operand whose dual has the reference count
of an interpreter temporary (4 at that point) and whose value owns its memory and is
referenced by that dual alone (3): the same ufunc on the same elements, so the same bits
(asserted first, both sides' Jacobians).  Both sides run in one process alternately
(bench/heat_guard_ab.py's ``heat_ab``: process time per ``dg.jacobian`` call and its
kernels' share, rounds alternating which goes first, f beside them).

Why it stays a bench: a reference count cannot tell an interpreter temporary from an
element of an object array (``oa + ob`` with array duals as elements: NumPy's object
loop calls the operator with references borrowed from the array, which count as the
interpreter's stack does), so the elision would overwrite a value that array still
holds, a silent wrong value; NumPy itself decides this from the C call stack, which
Python code cannot see (3.11's frames do not expose the value stack while they run).
``--hole`` shows it: the gradient of ``s = oa + ob; sum(oa[0] * s[0])`` with ``oa[0] = p0 *
x`` and ``ob[0] = p1 * x`` held by object arrays alone, with and without the elision,
against the closed form ``((2 p0 + p1) sum(x**2), p0 sum(x**2))``.
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402


def eliding(A):
    """``A._pending_pair`` (``A``: dualgrad.dual._array) with the elision above."""
    signed = {np.add, np.subtract}

    def pending_pair(rule, a, b):
        fns = A.ARGUMENT_FACTORS.get(rule, False)
        if fns is False:
            fns = A.argument_factors(rule)
        x, y, p, q = a.value, b.value, a._p, b._p
        if fns is None or type(x) is not A._nd or type(y) is not A._nd or \
                x.dtype is not A._f64 or y.dtype is not A._f64 or not x.ndim or \
                x.shape != y.shape:
            return None
        tag = a.tag
        n = A._directions(p)
        if b.tag != tag or tag not in A._LIVE or n is None or A._directions(q) != n or \
                x.size * n < A._ACTIVE[1]:
            return None
        if rule.ufunc in signed and x.base is None and sys.getrefcount(a) == 4 and \
                sys.getrefcount(x) == 3:
            out = rule.ufunc(x, y, out=x)
        elif rule.ufunc in signed and y.base is None and sys.getrefcount(b) == 4 and \
                sys.getrefcount(y) == 3:
            out = rule.ufunc(x, y, out=y)
        else:
            out = rule.ufunc(x, y)
        if type(out) is not A._nd or out.dtype is not A._f64 or out.shape != x.shape:
            return None
        fa, fb = fns
        partials = A.backend.defer((fa(x, y, out), fb(x, y, out)), (p, q), out.shape, n)
        return None if partials is None else A.make_array(out, partials, tag)
    return pending_pair


def hole():
    """The elision's wrong gradient on an object array's element (see the docstring)."""
    import dualgrad as dg
    from dualgrad.dual import _array
    real, elide = _array._pending_pair, eliding(_array)
    x = np.linspace(0.0, 1.0, 20_000)

    def f(p):
        oa, ob = np.empty(1, dtype=object), np.empty(1, dtype=object)
        oa[0], ob[0] = p[0] * x, p[1] * x
        s = oa + ob                      # NumPy's object loop: oa[0] + ob[0]
        return (oa[0] * s[0]).sum()

    p = np.array([2.0, 3.0])
    s2 = float(np.sum(x * x))
    print("closed form", [float((2 * p[0] + p[1]) * s2), float(p[0] * s2)])
    for on in (False, True):
        _array._pending_pair = elide if on else real
        try:
            with dg.engine("fused"):
                print("elided" if on else "as dualgrad does", dg.gradient(f, p).tolist())
        finally:
            _array._pending_pair = real


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--cells", type=int, default=100_000)
    ap.add_argument("--hole", action="store_true")
    args = ap.parse_args()
    if args.hole:
        hole()
        return
    from heat_guard_ab import heat_ab
    from dualgrad.dual import _array
    real, elide = _array._pending_pair, eliding(_array)

    def side(on):
        _array._pending_pair = elide if on else real

    try:
        heat_ab(side, args.rounds, args.cells, ("as dualgrad does", "elided"), "the elision")
    finally:
        side(False)


if __name__ == "__main__":
    main()
