"""A digest of duals of two levels on arrays, bit for bit at every level (issue 13,
nested63): ufuncs of a two-level array dual (a root finder's Newton step on a helper's
dual, ``jvp`` inside ``dg.jacobian``; ``dg.hessian``'s) with floats, -0.0, NaN, inf,
float and int grids, older duals; a two-level scalar dual times grids; iteration,
``sum``, ``d[..., None]``; the Euler-Lotka row's Jacobian and Hessian.  Each case's
value, partials (every level's arrays as bytes), exception and warnings go into one
SHA-1 (prints only).

    python bench/nested_bits.py [--compare /tmp/main_before]

Runs fresh processes for each engine (eager, fused), numba loaded and not, of this
checkout and, with ``--compare``, of ``DIR``; equal digests: the same bits.
"""
import sys
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import digest_main, print_digest, record  # noqa: E402
dg = jvp = None         # (child() imports them: the checkout under test)

rng = np.random.default_rng(63)
SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e-310, 1e308, -2.5, 0.3, 7.0])
base = np.concatenate([SPECIAL, rng.normal(size=6) * 3])
N = len(base)
grid_f = np.concatenate([SPECIAL[::-1], rng.normal(size=6)])
grid_i = np.arange(-7, N - 7)
UN = [np.exp, np.sin, np.log, np.sqrt, np.tanh, np.negative, np.square, np.reciprocal,
      np.arctan, np.expm1, np.cbrt, np.abs, np.floor, np.log1p, np.cosh]
BI = [np.multiply, np.add, np.subtract, np.true_divide, np.power, np.arctan2, np.maximum,
      np.minimum, np.hypot, np.copysign, np.fmax, np.logaddexp]
out = []
run = partial(record, out)     # run(label, f): one case


def consts(u1, x):
    return {"float": 0.75, "negzero": -0.0, "nan": np.nan, "inf": np.inf, "int": 3,
            "f64": np.float64(-1.5), "arr": grid_f, "iarr": grid_i, "inner AD": u1,
            "inner scalar": x, "bool arr": grid_i > 0}


def body(q):
    """Two levels by ``jvp`` inside ``dg.jacobian``: each case recorded."""
    x, y = q[0], q[1]
    u1 = x * base + y                       # one level, the inner tag
    cs = consts(u1, x)

    def g(s):
        a = s * grid_f                      # nested scalar x grid: nested AD, float partials
        b = np.exp(a * 0.01) * u1           # nested AD with AD partials
        for nm, nd in (("a", a), ("b", b)):
            for op in UN:
                run(f"jvp {nm} {op.__name__}", lambda: op(nd))
            for op in BI:
                for cn, c in cs.items():
                    run(f"jvp {nm} {op.__name__} {cn} right", lambda: op(nd, c))
                    run(f"jvp {nm} {op.__name__} {cn} left", lambda: op(c, nd))
            run(f"jvp {nm} mul op", lambda: nd * u1 * grid_i)
            run(f"jvp {nm} iter", lambda: list(nd))
            run(f"jvp {nm} sum", lambda: sum(nd))
            run(f"jvp {nm} getitem", lambda: nd[..., None])
        for cn, c in (("iarr", grid_i), ("arr", grid_f), ("inner AD", u1)):
            for op in BI:
                run(f"jvp s {op.__name__} {cn} right", lambda: op(s, c))
                run(f"jvp s {op.__name__} {cn} left", lambda: op(c, s))
            run(f"jvp s * {cn}", lambda: s * c)
            run(f"jvp {cn} * s", lambda: c * s)
            run(f"jvp -s * {cn}", lambda: -s * c)
        return np.sum(a)
    for s0 in (x * 0.7, x * 0.0, -0.0 * x, x * np.nan):
        jvp(g, s0, 1.0)
    return q * 1.0


def hbody(xx):                               # dg.hessian: nested AD, n outer directions
    for op in UN:
        run(f"hess {op.__name__}", lambda: op(xx * grid_f[:len(xx)]))
    for op in BI:
        for cn, c in (("float", 0.75), ("nan", np.nan), ("arr", grid_f[:len(xx)]),
                      ("iarr", grid_i[:len(xx)]), ("negzero", -0.0)):
            run(f"hess {op.__name__} {cn} r", lambda: op(xx, c))
            run(f"hess {op.__name__} {cn} l", lambda: op(c, xx))
    run("hess iter", lambda: list(xx * grid_f[:len(xx)]))
    run("hess sum", lambda: sum(np.exp(xx)))
    return np.sum(np.exp(xx) * grid_f[:len(xx)])


def child(numba):
    """Print this process's digest."""
    import dualgrad as dg
    from dualgrad.api.helpers import jvp
    if numba:
        from dualgrad.backend import _loader
        _loader.load()
    globals().update(dg=dg, jvp=jvp)
    dg.jacobian(body, np.array([1.3, -0.7]))
    dg.jacobian(body, np.array([0.0, np.nan]))
    for n in (1, 2, 3):
        dg.hessian(hbody, np.concatenate([SPECIAL, [1.1, 2.0]])[:n * 4:2][:n] + 0.25)
        dg.hessian(hbody, np.array([0.0, -0.0, np.nan])[:n])
    import corpus60
    for q in (1.5, 0.9, 3.0):
        run(f"EL jac {q}", lambda: dg.jacobian(corpus60.euler_lotka_row, np.array([q])))
        run(f"EL hess {q}", lambda: dg.hessian(lambda v: corpus60.euler_lotka_row(v)[0],
                                               np.array([q])))
    print_digest(out)


if __name__ == "__main__":
    digest_main(__file__, child)
