"""First and second derivatives of wofz, dawsn and erfcx at complex points through
dualgrad against mpmath (90 digits) on a polar grid (silent62; prints only).

    python bench/faddeeva_probe.py [wofz|dawsn|erfcx] [--engine eager] [--tol 1e-10]

Counts the finite slopes off by more than ``tol`` relative, those whose error is more
than 1e3 times SciPy's value's own (the value right, the slope not: what the rows must
not answer), and the NaN slopes (each listed): a scalar dual and an array of 3.
"""

import argparse

import mpmath as mp
import numpy as np
import scipy.special as sp

import dualgrad as dg

RADII = [float(r) for r in np.geomspace(3, 1e9, 19)] + [5.9, 6.1, 316.0, 317.0, 1e5, 3.9e8]
ANGLES = [0.0, 0.01, 1, 5, 20, 40, 44, 44.9, 44.99, 44.9999, 45, 45.0001, 45.01, 46, 50, 80, 90]


def oracle(name, z):
    """f, f' and f'' at z in mpmath."""
    with mp.workdps(90):
        Z = mp.mpc(z)
        if name == "wofz":
            w = mp.exp(-Z * Z) * mp.erfc(-1j * Z)
            d1 = 2j / mp.sqrt(mp.pi) - 2 * Z * w
            return w, d1, -2 * w - 2 * Z * d1
        if name == "dawsn":
            w = mp.sqrt(mp.pi) / 2 * mp.exp(-Z * Z) * mp.erfi(Z)
            d1 = 1 - 2 * Z * w
            return w, d1, -2 * w - 2 * Z * d1
        w = mp.exp(Z * Z) * mp.erfc(Z)
        d1 = 2 * Z * w - 2 / mp.sqrt(mp.pi)
        return w, d1, 2 * w + 2 * Z * d1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("name", nargs="?", default="wofz", choices=("wofz", "dawsn", "erfcx"))
    parser.add_argument("--engine", default="eager")
    parser.add_argument("--tol", type=float, default=1e-10)
    args = parser.parse_args()
    f = getattr(sp, args.name)
    silent, nans = [], []
    with dg.engine(args.engine), np.errstate(all="ignore"):
        for r in RADII:
            for deg in ANGLES:
                for q in (1, -1):
                    for s in (1, -1):
                        t = np.deg2rad(deg)
                        z = complex(s * r * np.cos(t), q * r * np.sin(t))
                        w, d1, d2 = oracle(args.name, z)
                        if not (mp.isfinite(d1) and 1e-300 < abs(d1) < 1e300):
                            continue
                        verr = float(abs(mp.mpc(f(z)) - w) / abs(w))
                        for n in (None, 3):
                            u = (lambda x, z=z: x + z) if n is None else (lambda x, z=z: (x + z) * np.ones(n))
                            g1 = dg.derivative(lambda x: f(u(x)), 0.0)
                            g2 = dg.derivative(lambda y: dg.derivative(lambda x: f(u(x)), y), 0.0)
                            for order, g, d in ((1, g1, d1), (2, g2, d2)):
                                g = complex(np.ravel(g)[0])
                                if np.isnan(g.real) or np.isnan(g.imag):
                                    nans.append((z, order, n))
                                    continue
                                err = float(abs(mp.mpc(g) - d) / abs(d))
                                if err > args.tol:
                                    silent.append((z, order, n, err, verr))
    worse = [x for x in silent if x[3] > 1e3 * max(x[4], 1e-16)]
    print(f"{args.name} {args.engine}: {len(silent)} slopes off by > {args.tol:g}, {len(worse)} of them "
          f"> 1e3 x the value's error; {len(nans)} NaN")
    for x in sorted(worse, key=lambda x: -x[3]):
        print("  z=%r order %d n=%s err %.2e value err %.1e" % x)
    for x in nans:
        print("  NaN", x)


if __name__ == "__main__":
    main()
