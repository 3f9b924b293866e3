"""A digest of the generated rule kernels' results on operands of every layout, bit for
bit (issue 13|14, stop 67, fastci67: ``_kernels.local`` copies a strided or broadcast
operand C-contiguous and each kernel compiles one signature).  Every ufunc with rule
kernels (``_rule_kernels._PLAIN``: the quotients, roots, logarithms, inverse
trigonometric and hyperbolic functions, ``np.arctan2``, ``np.hypot``, the selections)
on array duals of n = 1 / 3 / 4 directions: C-contiguous, strided (every other
element), transposed 2-D, read-only values, beside a float constant, a broadcast row
of constants, a scalar dual and another array dual, both orders; values with NaN / inf
/ -0.0 / subnormal / huge entries and zero / -0.0 partials; 0-d, empty and 1-D shapes
under ``_kernels.use("numba")`` (the kernels at any size); and Jacobians / Hessians
through those ufuncs (nested duals, the fused engine's helpers).  Each case's value,
partials (every level's arrays as bytes), exception and warnings go into one SHA-1
(prints only).

    python bench/rule_layouts_bits.py [--compare /tmp/main_before]

Runs fresh processes for each engine (eager, fused), numba loaded and not, of this
checkout and, with ``--compare``, of ``DIR`` (bench/_common.digest_sides); equal
digests: the same bits.
"""
import sys
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import child_dualgrad, digest_main, print_digest, record  # noqa: E402
dg = None               # (child() imports it: the checkout under test)
SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5, 1e-300, 0.5, 3.0]
UNARY = ("square", "reciprocal", "sqrt", "cbrt", "absolute", "fabs", "exp2", "log", "log2",
         "log10", "log1p", "tan", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
         "arctanh")
BINARY = ("divide", "arctan2", "hypot", "maximum", "minimum", "fmax", "fmin")
out = []
run = partial(record, out)     # run(label, f): one case


def _duals(tag, n, size):
    """Array duals of one layout each, their values with the special entries."""
    rng = np.random.default_rng(size + n)
    v = rng.uniform(-3.0, 3.0, size)
    v[:len(SPECIAL)] = SPECIAL
    p = rng.standard_normal((size, n))
    p[::4] = 0.0
    p[1::6] = -0.0
    big = dg.Dual(np.repeat(v, 2), np.repeat(p, 2, axis=0), tag=tag)
    ro_v, ro_p = v.copy(), p.copy()
    ro_v.flags.writeable = ro_p.flags.writeable = False
    rows = size // 30 * 30
    two = dg.Dual(v[:rows].reshape(30, -1), p[:rows].reshape(30, -1, n), tag=tag)
    return {"C": dg.Dual(v, p, tag=tag), "strided": big[::2], "read-only": dg.Dual(ro_v, ro_p, tag=tag),
            "2-D": two, "transposed": two.T}


def _others(tag, n, u, rng):
    """The second operands beside ``u``."""
    w = rng.uniform(0.25, 2.0, u.shape)
    return {"float": 1.25, "-0.0": -0.0, "row": rng.uniform(-2.0, 2.0, u.shape[-1:]),
            "scalar dual": dg.Dual(0.75, rng.standard_normal(n), tag=tag),
            "array dual": dg.Dual(w, rng.standard_normal(u.shape + (n,)), tag=tag)}


def layouts():
    from dualgrad.dual._base import new_tag
    rng = np.random.default_rng(67)
    for n in (1, 3, 4):
        tag = new_tag()
        for name, u in _duals(tag, n, 1200).items():
            for f in UNARY:
                run(f"{f} {name} n={n}", lambda: getattr(np, f)(u))
            for kind, w in _others(tag, n, u, rng).items():
                for f in BINARY:
                    ufunc = getattr(np, f)
                    run(f"{f} {name} {kind} n={n}", lambda: ufunc(u, w))
                    run(f"{f} {kind} {name} n={n}", lambda: ufunc(w, u))


def any_size():
    """0-d, empty and short operands with the kernels forced."""
    from dualgrad.backend import _kernels
    from dualgrad.dual._base import new_tag
    tag = new_tag()
    shapes = {"0-d": (), "empty": (0,), "one": (1,), "short": (7,)}
    with _kernels.use("numba"):
        for name, shape in shapes.items():
            size = int(np.prod(shape))
            v = np.array((SPECIAL * 2)[:size]).reshape(shape)
            u = dg.Dual(v, np.full(shape + (3,), 0.5), tag=tag)
            for f in UNARY:
                run(f"{f} {name}", lambda: getattr(np, f)(u))
            for f in BINARY:
                run(f"{f} {name} float", lambda: getattr(np, f)(u, 2.0))
                run(f"{f} {name} self", lambda: getattr(np, f)(u, u * 0.5 + 1.0))


def helpers():
    """Jacobians and Hessians through the rule kernels (the fused engine's helpers,
    nested duals)."""
    x = np.linspace(0.3, 2.7, 1300)

    def f(x):
        y = np.arctan2(x[::2], 2.0) + np.hypot(x[1::2], x[::2]) / np.maximum(x[::2], 1.0)
        return np.log1p(y) * np.fmin(x[1::2], 1.5) + np.divide(1.0, x[::2] + 1.0)
    run("jacobian", lambda: dg.jacobian(lambda x: f(x).sum(), x))
    run("hessian", lambda: dg.hessian(lambda x: f(x).sum(), x[:40]))


def child(numba):
    """Print this process's digest."""
    global dg
    dg = child_dualgrad(numba)
    layouts()
    any_size()
    helpers()
    print_digest(out)


if __name__ == "__main__":
    digest_main(__file__, child)
