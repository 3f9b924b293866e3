"""``dg.quad`` where corpus67 touched its checks, case by case, to compare checkouts bit
for bit.

    python bench/quad67_bits.py [--compare DIR]

The cases: a moving limit on a NaN source's edge (``np.sqrt(b - x)``, ``(b - x) **
0.5``, ``** 1.5``, ``** -0.5``, ``np.log(b - x)``, ``np.arccos``, a power of a negative
base), where the watch's tie test at the limit decides (a place of +0.0, -0.0, inf and
NaN; corpus67's sign test on floats); complex integrands and complex arguments at a
moving limit (the complex test skipped for floats); vectorized integrands (arrays at
the limit: the general tie test); infinite, NaN, reversed and equal
limits, a dual infinite limit (the limits' finiteness tests by ``math``); the luminosity
and heat-exchanger rows' values, Jacobians and Hessians.  A case's record is
bench/_common.levels of its result or the exception's type and text, and the warnings'
texts.  With ``--compare`` fresh processes run this checkout and ``DIR``'s dualgrad under
both engines, numba loaded first or never loaded (bench/_common.digest_sides).
"""

import sys
from pathlib import Path

from _common import digest_main, print_digest, record, child_dualgrad

HERE = Path(__file__).resolve().parent


def _cases(np, dg):
    def q(func, a, b, **kw):
        return dg.quad(func, a, b, **kw)[0]

    inf, nan = np.inf, np.nan
    cases = [
        ("sqrt(b - x) to b", lambda t: q(lambda x: np.sqrt(t[0] - x) * t[1], 0.0, t[0])),
        ("(b - x) ** 0.5 to b", lambda t: q(lambda x: (t[0] - x) ** 0.5 * t[1], 0.0, t[0])),
        ("(b - x) ** 1.5 to b", lambda t: q(lambda x: (t[0] - x) ** 1.5 * t[1], 0.0, t[0])),
        ("(b - x) ** -0.5 to b", lambda t: q(lambda x: (t[0] - x) ** -0.5, 0.0, t[0])),
        ("(x - a) ** 0.5 from a", lambda t: q(lambda x: (x - t[0]) ** 0.5 * t[1], t[0], 3.0)),
        ("(a - x) ** 0.5, -0.0 place", lambda t: q(lambda x: (-(x - t[0])) ** 0.5, -1.0, t[0])),
        ("log(b - x) to b", lambda t: q(lambda x: np.log(t[0] - x), 0.0, t[0])),
        ("log(x - a + 1) from a", lambda t: q(lambda x: np.log(x - t[0] + 1.0), t[0], 2.0)),
        ("arccos(x / b) to b", lambda t: q(lambda x: np.arccos(x / t[0]), 0.0, t[0])),
        ("x ** 0.5 to b", lambda t: q(lambda x: x ** 0.5 * t[1], 0.0, t[0])),
        ("x ** p to b", lambda t: q(lambda x: x ** t[1], 0.5, t[0])),
        ("(x - 2) ** 0.5 past its edge", lambda t: q(lambda x: (x - 2.0) ** 0.5, 0.0, t[0])),
        ("inf place at b", lambda t: q(lambda x: (1.0 / (t[0] - x) + 1.0) ** 0.5, 0.0, t[0])),
        ("nan place at b", lambda t: q(lambda x: (x * 0.0 + nan * t[1]) ** 0.5, 0.0, t[0])),
        ("b ** 0.5 of 1e308 scale", lambda t: q(lambda x: (1e308 * (t[0] - x)) ** 0.5, 0.0,
                                                 t[0])),
        ("complex sqrt at b", lambda t: q(lambda x: np.sqrt((t[0] - x) + 0j) * t[1], 0.0,
                                          t[0], complex_func=True)),
        ("complex power at b", lambda t: q(lambda x: ((x - t[0]) + 1j) ** 0.5, 0.0, t[0],
                                           complex_func=True)),
        ("to inf", lambda t: q(lambda x: np.exp(-t[0] * x) * (x + 1.0) ** 0.5, 0.0, inf)),
        ("from -inf to b", lambda t: q(lambda x: np.exp(x - t[0]), -inf, t[0])),
        ("whole line", lambda t: q(lambda x: np.exp(-(x * t[0]) ** 2), -inf, inf)),
        ("reversed to a", lambda t: q(lambda x: (t[0] - x) ** 0.5, t[0], 0.0)),
        ("equal limits", lambda t: q(lambda x: x * t[0], t[1], t[1])),
        ("nan limit", lambda t: q(lambda x: x * t[0], 0.0, nan)),
        ("dual inf limit", lambda t: q(lambda x: np.exp(-x), 0.0, inf * t[0])),
        ("dual inf limit, fixed", lambda t: q(lambda x: np.exp(-x * t[1]), 0.0,
                                              inf + 0.0 * t[0])),
        ("args at b", lambda t: q(lambda x, a: (a - x) ** 0.5, 0.0, t[0], args=(t[0],))),
        ("vectorized (b - x) ** 0.5", lambda t: q(lambda x: (t[0] - x) ** 0.5 * t[1], 0.0,
                                                  t[0], vectorized=True)),
        ("vectorized log(b - x)", lambda t: q(lambda x: np.log(t[0] - x + 0.0 * x), 0.0, t[0],
                                              vectorized=True)),
        ("vectorized 1-element", lambda t: q(lambda x: np.sqrt(t[0] - x[:, None])[:, 0], 0.0,
                                             t[0], vectorized=True)),
        ("limit at 0, -0.0", lambda t: q(lambda x: (x - 0.0 * t[0]) ** 0.5, -0.0 * t[0],
                                         1.0)),
    ]
    return cases


def child(numba):
    child_dualgrad(numba)
    import numpy as np
    import dualgrad as dg
    sys.path.insert(0, str(HERE))
    from corpus62 import cosmology_row
    from corpus63 import hx_row

    out = []
    for row, points in ((cosmology_row, ([0.7, 0.284, 1.0], [0.55, 0.9, 1.7])),
                        (hx_row, ([1.7, 0.6], [2.5, 0.85]))):
        for p in points:
            x = np.array(p)
            record(out, f"{row.__name__} f {p}", lambda: row(x))
            record(out, f"{row.__name__} jacobian {p}", lambda: dg.jacobian(row, x))
            record(out, f"{row.__name__} hessian {p}",
                   lambda: dg.hessian(lambda v: row(v)[-1], x))
    thetas = ([1.3, 0.7], [2.0, -0.5], [0.0, 1.0], [-0.0, 2.0], [5e-324, 1.0],
              [1e300, 1.0], [np.inf, 1.0], [np.nan, 1.0])
    for name, f in _cases(np, dg):
        for t in thetas:
            x = np.array(t)
            record(out, f"{name} gradient {t}", lambda: dg.gradient(f, x))
        record(out, f"{name} hessian {thetas[0]}", lambda: dg.hessian(f, np.array(thetas[0])))
    print_digest(out)


if __name__ == "__main__":
    digest_main(__file__, child)
