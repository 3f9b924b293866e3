"""Bits of the power rows' careful terms taken by element (user74), this checkout
against another.

    python bench/power74_bits.py [--compare DIR]

From user74 a power row on plain float64 arrays of 16 elements or more takes its careful
steps (dispatch/_ufuncs.py's ``_quotient_partials``: two steps, the spread, extended
range) only on the elements ``_masked_partials`` picks, ``f * p`` elsewhere.  Cases:
``**``, ``np.power`` and ``np.float_power`` of a scalar dual to an array dual
(JONSWAP's ``y ** e``), an array dual to a scalar dual, two array duals, an array dual
beside a number both ways, 1-D (24 elements) and 2-D (4 x 6, and a (4, 1) against a (1,
6) broadcast), one to three directions; bases and exponents mixing ordinary numbers with
special ones (+-0, subnormal, 1e-300, 1 - 7.3e-8, 1e300, +-inf, NaN, negative ones;
exponents 1e-320 .. 1e300, whole and not) at seeded places, partials of special values
(+-0, 5e-324, 1e-300, 1e300, inf, NaN) beside ordinary ones; random magnitudes over the
whole range; the JONSWAP row's Jacobian at three points and a Hessian of its power
(nested: every element, as before).  Each case under ``np.errstate(all="warn")``: its
value, partials, exception and warnings enter one SHA-1.  Fresh processes per engine
(eager, fused), numba loaded and not (bench/_common.digest_sides); equal digests: the
same bits.
"""
import sys
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import child_dualgrad, digest_main, print_digest, record  # noqa: E402
dg = None
out = []

BASES = [0.0, -0.0, 5e-324, 1e-310, 1e-300, 0.3, 1.0, 1.0 - 7.3e-8, 2.0, 1e300, np.inf,
         np.nan, -2.0, -0.5, 3.3]
EXPONENTS = [1e-320, 1e-310, 1e-300, 0.0, -0.0, 0.5, 1.0, 2.05, 3.0, -1.0, -2.5, 1e10,
             1e300, np.inf, -np.inf, np.nan, 0.75]
PARTIALS = [0.0, -0.0, 5e-324, 1e-300, 1e300, np.inf, np.nan, -1.0]


def run(label, f):
    def warned():
        with np.errstate(all="warn"):
            return f()
    record(out, label, warned)


def mixed(rng, specials, shape, ordinary):
    """``ordinary`` values of ``shape`` with a quarter of the places special."""
    v = ordinary(shape)
    at = rng.random(shape) < 0.25
    v[at] = rng.choice(specials, int(at.sum()))
    return v


def partials(rng, shape, n):
    p = rng.uniform(-2.0, 2.0, shape + (n,))
    at = rng.random(shape + (n,)) < 0.2
    p[at] = rng.choice(PARTIALS, int(at.sum()))
    return p


def cases(q):
    tag = q.tag
    rng = np.random.default_rng(74)
    pows = {"**": lambda a, b: a ** b, "np.power": np.power,
            "np.float_power": np.float_power}
    for seed in range(36):
        n = 1 + seed % 3
        shape = [(24,), (4, 6)][seed % 2]
        xv = mixed(rng, BASES, shape, lambda s: rng.uniform(0.2, 4.0, s))
        yv = mixed(rng, EXPONENTS, shape, lambda s: np.exp(-rng.uniform(0, 30, s) ** 2))
        px, py = partials(rng, shape, n), partials(rng, shape, n)
        x, y = dg.Dual(xv, px, tag=tag), dg.Dual(yv, py, tag=tag)
        xs = float(rng.choice(BASES[5:10] + [5.5]))
        ys = float(rng.choice(EXPONENTS))
        sx = dg.Dual(xs, list(px[(0,) * len(shape)]), tag=tag)
        sy = dg.Dual(ys, list(py[(0,) * len(shape)]), tag=tag)
        for name, op in pows.items():
            run(f"{seed} {name} x y", lambda: op(x, y))
            run(f"{seed} {name} scalar x, y", lambda: op(sx, y))
            run(f"{seed} {name} x, scalar y", lambda: op(x, sy))
            run(f"{seed} {name} x, number {ys!r}", lambda: op(x, ys))
            run(f"{seed} {name} number {xs!r}, y", lambda: op(xs, y))
            if len(shape) == 2:
                run(f"{seed} {name} broadcast", lambda: op(x[:, :1], y[:1, :]))
    for seed in range(24):                  # random magnitudes over the whole range
        n = 1 + seed % 3
        shape = (40,)
        xv = 10.0 ** rng.uniform(-320, 300, shape)
        yv = 10.0 ** rng.uniform(-320, 2, shape) * rng.choice([-1.0, 1.0], shape)
        p = 10.0 ** rng.uniform(-330 if seed % 2 else -40, 10, shape + (n,)) * \
            rng.choice([-1.0, 1.0], shape + (n,))
        x, y = dg.Dual(xv, p[::-1].copy(), tag=tag), dg.Dual(yv, p, tag=tag)
        sx = dg.Dual(3.3, list(p[0]), tag=tag)
        for name, op in pows.items():
            run(f"random {seed} {name} x y", lambda: op(x, y))
            run(f"random {seed} {name} scalar x, y", lambda: op(sx, y))
    return q


def rows():
    import corpus73
    row, x0 = corpus73.PROBLEMS73["JONSWAP spectrum, y ** exp(array) (2)"]
    for s in (1.0, 0.9, 1.3):
        run(f"jonswap {s}", lambda: dg.jacobian(row, x0 * s))
    w = 2 * np.pi / np.linspace(1, 20, 200)

    def power(x):
        y = np.exp(5.75 - 1.15 * x[1] / x[0] ** 0.5)
        wp = 2 * np.pi / x[1]
        s = np.where(w <= wp, 0.07, 0.09)
        return (y ** np.exp(-0.5 * ((w - wp) / s / wp) ** 2)).sum()
    run("jonswap power hessian", lambda: dg.hessian(power, x0))


def child(numba):
    global dg
    dg = child_dualgrad(numba)
    dg.jacobian(cases, np.array([1.3, -0.7, 0.4]))
    rows()
    print_digest(out)


if __name__ == "__main__":
    digest_main(__file__, child)
