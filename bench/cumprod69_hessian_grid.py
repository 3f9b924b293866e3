"""Second derivatives of np.prod and of np.cumprod(x)[4] at random 5-factor points of
1e-300..1e300 with zeros, against exact Fraction products (the factors left out, rounded
once; a repeated index 0): how many entries of ``dg.hessian`` and of
``dg.jacfwd(dg.jacfwd(f))`` are off (cumprod69's Left (1): products of some of the factors
leave the range one level down; prints one line).

    PYTHONPATH=. python bench/cumprod69_hessian_grid.py
"""

import itertools
import math
import warnings
from fractions import Fraction

import numpy as np

import dualgrad as dg


def _exact(factors):
    """The product of the float ``factors``, exact then rounded (None: an inf or NaN)."""
    if not all(math.isfinite(v) for v in factors):
        return None
    out = Fraction(1)
    for v in factors:
        out *= Fraction(v)
    try:
        return float(out)
    except OverflowError:
        return math.inf if out > 0 else -math.inf


def _want(x, i, j):
    """d2 prod(x) / dx_i dx_j."""
    return 0.0 if i == j else _exact([v for k, v in enumerate(x) if k not in (i, j)])


def main():
    warnings.simplefilter("ignore")         # NumPy's own values overflow
    rng = np.random.default_rng(5)
    off, total = {}, 0
    for _ in range(60):
        x = 10.0 ** rng.uniform(-300, 300, 5) * rng.choice([-1, 1], 5)
        x[rng.random(5) < 0.15] = 0.0
        for name, f in (("prod", np.prod), ("cumprod[4]", lambda z: np.cumprod(z)[4])):
            for how, second in (("hessian", lambda f=f: dg.hessian(f, x)),
                                ("jacfwd(jacfwd)", lambda f=f: dg.jacfwd(dg.jacfwd(f))(x))):
                H = np.asarray(second())
                for i, j in itertools.product(range(5), repeat=2):
                    want, got = _want(list(x), i, j), H[i, j]
                    total += 1
                    if want == 0.0 or math.isinf(want):
                        ok = got == want
                    else:
                        ok = abs(got - want) <= 1e-13 * abs(want) + 1e-323
                    if not ok:
                        off[f"{name} {how}"] = off.get(f"{name} {how}", 0) + 1
    print(f"{total} entries; off: {off}")


if __name__ == "__main__":
    main()
