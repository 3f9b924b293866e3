"""A digest of an array dual's operators with a NumPy float64 beside it, bit for bit
(corpus65: ``h * u`` and ``u * h`` with ``h`` an ``np.float64`` take the one-pass path
of ``2.0 * u``).  ``+ - * / % // **`` and ``np.add`` / ``np.multiply`` / ``np.subtract``
/ ``np.true_divide`` calls, the number on either side as ``np.float64`` and as a Python
float, at -0.0, 0.0, NaN, +-inf, a subnormal, 1e308, -2.5 and 3.0; the array duals of
3 and 1e5 elements (values and partials with the same specials), 2-D, 0-d, complex,
a Hessian's nested level, a fused engine's pending partials; NumPy's error state
default and ``all="raise"``; then bench/corpus64.py's Newmark row's Jacobian.  Each
case's classes, every level's bytes, the exception and the warnings go into one SHA-1
(prints only).

    python bench/number_f64_bits.py [--compare /tmp/main_before]

Runs fresh processes for each engine (eager, fused), numba loaded and not, of this
checkout and, with ``--compare``, of ``DIR``; equal digests: the same bits.  A child's
``--child MODE FILE`` also writes its cases as JSON, to diff two checkouts' case by case
(after the subnormal divisor's mend: two cases differ from add2d9b, the Python float
5e-324's ``u / c`` on the specials' array, at both points).
"""
import hashlib
import json
import operator
import sys
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import child_dualgrad, digest_main, print_digest, record  # noqa: E402
dg = None               # (child() imports it: the checkout under test)
SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5, 3.0]
OPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.mod,
       operator.floordiv, operator.pow, np.add, np.subtract, np.multiply, np.true_divide]
out = []


def parts(r):
    """Every level's arrays of ``r`` as (dtype, shape, bytes), with the classes."""
    if isinstance(r, dg.Dual):
        return [type(r).__name__, parts(r.value), parts(r.partials)]
    if isinstance(r, (list, tuple)):
        return [parts(e) for e in r]
    a = np.asarray(r)
    if a.dtype == object:
        return [parts(e) for e in a.ravel().tolist()]
    return [str(a.dtype), a.shape, hashlib.sha1(a.tobytes()).hexdigest()]


run = partial(record, out, parts=parts)  # run(label, f): one case


def duals(q):
    """name -> an array dual of ``q``'s tag."""
    small = np.array(SPECIAL[:3] + [1.5])
    big = np.linspace(-3.0, 3.0, 100_000)
    big[::7919] = np.nan
    return {"N=4 specials": q[0] * small + q[1] * np.array([0.0, -0.0, 2.0, 5e-324]),
            "N=3 plain": q[0] * np.array([1.0, 2.0, 3.0]) - q[1],
            "N=1e5": q[0] * big + q[1],
            "2-D": np.outer(np.arange(3.0), np.ones(4)) * q[0],
            "0-d": (q[0] * np.ones(3)).sum(),
            "complex": q[0] * np.array([1 + 2j, -0.0j, 3.0])}


def body(q):
    for name, u in duals(q).items():
        for s in SPECIAL:
            for kind, c in (("f64", np.float64(s)), ("float", float(s))):
                for op in OPS:
                    label = f"{name} {kind} {s!r} {getattr(op, '__name__', op)}"
                    run(f"{label} u-c", lambda: op(u, c))
                    run(f"{label} c-u", lambda: op(c, u))
        with np.errstate(all="raise"):
            for op in OPS[:4]:
                run(f"{name} raise {op.__name__}", lambda: op(np.float64(0.0), u * 0.0))
                run(f"{name} raise {op.__name__} r", lambda: op(u, np.float64(1e-320)))
    big = duals(q)["N=1e5"]
    run("pending", lambda: np.float64(2.0) * (big * 3.0) - np.float64(0.5))
    return q[0] * q[1]


def hbody(q):
    u = q[0] * np.array([1.0, -2.0, 0.5]) + q[1]
    r = np.float64(1.5) * u - np.float64(0.25) + u * np.float64(-0.0)
    run("hessian level", lambda: r)
    return np.sum(r * r)


def child(numba):
    """Print this process's digest."""
    global dg
    dg = child_dualgrad(numba)
    dg.jacobian(body, np.array([1.3, -0.7]))
    dg.jacobian(body, np.array([np.nan, -0.0]))
    run("hessian", lambda: dg.hessian(hbody, np.array([0.25, 2.0])))
    import corpus64
    f, x = corpus64.PROBLEMS64["Newmark shear frame, linalg.solve (3)"]
    for y in (x, [2.0, 10.0, 0.1]):
        run(f"Newmark jac {y}", lambda: dg.jacobian(f, np.array(y, float)))
    if len(sys.argv) > 3:               # --child MODE FILE: the cases themselves, to diff
        Path(sys.argv[3]).write_text(json.dumps(out))
    print_digest(out)


if __name__ == "__main__":
    digest_main(__file__, child)
