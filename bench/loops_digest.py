"""One digest of the scalar-loop rows' numbers, to compare checkouts bit for bit (loops63).

    python bench/loops_digest.py [--compare DIR]

SHA-256 of the bytes of: ``dualgrad.jacobian`` of the loop rows of bench/corpus57..59
(SIR, Hodgkin-Huxley, pendulum, Fresnel, Kepler, allele) and bench/corpus63's BEM
rotor (loops64), the Hessians of SIR's and
Kepler's last output, and a grid of ``d ** k`` (int, float, np.float64 and NaN / inf
exponents; a huge int), ``abs`` and products of scalar duals at special values (0,
-0, subnormals, 1e-160, 3e300, inf, NaN) as Jacobians, some Hessians, and the vector
kind (20 inputs); ``np.interp`` and ``np.where`` of a scalar dual at the same values
against float and int knots, repeated knots, infinite and NaN ``fp``, ends given or
not (loops64); brentq / newton roots with duals in ``args`` or f's closure, and f's
whose value holds none, their warnings too; ``np.abs`` / ``abs`` and ``np.stack`` of
complex scalar duals (loops67).  An exception a grid case raises enters as its type's name.  With
``--compare``, fresh processes under ``DUALGRAD_ENGINE=fused`` and ``eager`` run this
checkout and ``DIR``'s dualgrad (this script's rows in both) and print the four digests.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent


def digest():
    import numpy as np
    import dualgrad as dg
    from bench_corpus import SETS
    warnings.simplefilter("ignore")
    h = hashlib.sha256()

    def eat(a):
        h.update(np.ascontiguousarray(np.asarray(a, dtype=float)).tobytes())
    for _, rows in SETS:
        for name, (f, x) in rows.items():
            if not any(s in name for s in ("SIR", "Hodgkin", "pendulum", "Fresnel", "Kepler",
                                           "allele", "rotor")):
                continue
            eat(dg.jacobian(f, x))
            if "SIR" in name or "Kepler" in name:
                eat(dg.hessian(lambda x, f=f: f(x)[-1], x))
    special = [0.7312, -1.3, 2.5, 0.0, -0.0, 1.0, -1.0, 1e-310, -1e-310, 1e-160, 3e300,
               -3e300, np.inf, -np.inf, np.nan]
    exponents = [3, 4, -1, 0, 1, 2, 0.5, 2.5, -1.5, 3.0, np.float64(3.0), -0.5, 10 ** 400,
                 1e308, -np.inf, np.nan]
    x = np.array([0.4, 1.7])
    for v in special:
        for k in exponents:
            for w in (0.3, -2.0, 0.0):
                def f(x, k=k, v=v, w=w):
                    a, b = x[0] * 0.0 + v, x[1] * w + v
                    try:
                        p = a ** k
                    except Exception as exc:  # noqa: BLE001 (its name enters the digest)
                        h.update(type(exc).__name__.encode())
                        p = a * 0.0
                    q = b ** k if type(k) is not int or abs(k) < 100 else b
                    return np.stack([p, abs(a), abs(b), q, abs(a * b) ** 3])
                eat(dg.jacobian(f, x))
                if v in (0.7312, -1.3, 0.0):
                    eat(dg.hessian(lambda x, f=f: f(x)[4] + f(x)[3], x))
        eat(dg.jacobian(lambda x, v=v: np.stack([abs(x[i] * 0.0 + v) ** 3 + (x[i] * 1.0) ** 4
                                                 for i in range(0, 20, 5)]),
                        np.linspace(0.1, 2.0, 20)))
    knots = [(np.array([-2.0, -0.5, 0.0, 1e-300, 0.5, 3.0]),
              np.array([1.0, -0.0, 0.0, 2.5, -4.0, 1e-310])),
             (np.array([-3, 0, 1, 4]), np.array([0.5, 2.0, -1.0, 7.0])),
             (np.array([-1.0, 0.0, 0.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0, np.inf, 5.0])),
             (np.array([0.0, 1.0, 2.0]), np.array([np.nan, 1.0, -2.0]))]
    for xp, fp in knots:
        for v in special:
            for ends in ((None, None), (-7.0, 9), (np.float64(0.25), None)):
                def g(x, xp=xp, fp=fp, v=v, ends=ends):
                    u = x[0] * 0.5 + v
                    return np.stack([np.interp(u, xp, fp, *ends),
                                     np.where(u > 0.25, x[1] * v, 0.0),
                                     np.where(np.isnan(u), 1, u)])
                try:
                    eat(dg.jacobian(g, x))
                except Exception as exc:  # noqa: BLE001 (its name enters the digest)
                    h.update(type(exc).__name__.encode())
    _roots_and_jvps(dg, eat, h, special)
    for v in special:                   # np.abs / abs of complex scalar duals (loops67)
        for w in (0.3, -0.0, 1e-310, 2.0, np.inf):
            def c(x, v=v, w=w):
                z = x[0] * complex(w, -v) + x[1] * 1j * v + complex(v, w)
                return np.stack([np.abs(z), abs(z * x[1]), np.abs(z - z),
                                 *np.stack([z, 0, z * x[0], v]).imag])
            for helper in (dg.jacobian, lambda g, x: dg.hessian(lambda x: g(x)[0], x)):
                try:
                    eat(helper(c, x))
                except Exception as exc:  # noqa: BLE001
                    h.update(type(exc).__name__.encode())
    return f"{h.hexdigest()} (dualgrad of {Path(dg.__file__).parent.parent})"


def _roots_and_jvps(dg, eat, h, special):
    """loops65's paths: bench/corpus60.py's Euler-Lotka row (its Jacobian and Hessian),
    brentq / newton roots whose Newton steps take ``jvp`` on the helper's duals (their
    ``_largest``, the jvp's scalar tangent, ``np.shape`` of scalar duals), and jvps of
    scalar functions inside a Jacobian and outside one at the special values."""
    import math

    import numpy as np
    from dualgrad.scipy.optimize import brentq, newton
    from corpus60 import euler_lotka_row
    x = np.array([1.5])
    eat(dg.jacobian(euler_lotka_row, x))
    eat(dg.hessian(lambda q: euler_lotka_row(q)[0], x))

    def cubic(s, p, c):
        return s ** 3 + p[0] * s - p[1] * c

    def steep(s, p, c):         # an infinite slope at p[0] = 0: NaN steps, refused
        return s - np.sqrt(p[0]) - p[1] * c

    for c in (1.0, 0.0, -0.0, 1e-310, 3e300, np.inf, np.nan):
        def roots(p, c=c):
            a = brentq(cubic, -1e3, 1e3, args=(p, c))
            b = newton(cubic, 0.5, args=(p, c))
            e = brentq(steep, -1e3, 1e3, args=(p, c))
            q = p * c                   # a closure's duals (loops67: the probe folded)
            w = brentq(lambda s: s ** 3 + p[0] * s - q[1], -1e3, 1e3)
            return np.stack([a, b, a * np.shape(p[0]).__len__() + np.ndim(p[1]), e, w])
        for q in (np.array([2.0, 3.0]), np.array([0.5, -1e-3]), np.array([0.0, 3.0])):
            for helper in (dg.jacobian, lambda g, q: dg.hessian(lambda q: g(q)[0], q)):
                try:
                    eat(helper(roots, q))
                except Exception as exc:  # noqa: BLE001 (its name and message enter)
                    h.update(f"{type(exc).__name__}: {exc}".encode())
    for plain in (lambda s, p: np.where(s > 0.3, 1.0, -1.0), lambda s, p: math.exp(s) - 2.0,
                  lambda s, p: s - np.sqrt(p * 0.0 + 2.0) if s * 0.0 == 0.0 else s):
        with warnings.catch_warnings(record=True) as seen:   # f's value without duals:
            warnings.simplefilter("always")                  # SciPy's root; the warnings
            try:                                             # and records the probe's
                eat(dg.derivative(lambda p: brentq(plain, 0.0, 3.0, args=(p,)), 1.5))
            except Exception as exc:  # noqa: BLE001
                h.update(f"{type(exc).__name__}: {exc}".encode())
        h.update(repr([(w.category.__name__, str(w.message)) for w in seen]).encode())
    for v in special:
        def jv(p, v=v):
            at, tan = dg.jvp(lambda s: s * s * p[0] + np.sin(s * v), p[1] * v, 1.0)
            w, t = dg.jvp(lambda s: s * v, p[0], np.float64(v) if v == v else 1.0)
            return np.stack([at, tan, w * 1.0, t * 1.0])
        try:
            eat(dg.jacobian(jv, np.array([0.7, -1.1])))
        except Exception as exc:  # noqa: BLE001
            h.update(type(exc).__name__.encode())
        for fn in (np.sin, lambda s: s * v, lambda s: np.stack([s, s * v])):
            try:
                eat(dg.jvp(fn, v, 1.0))
                eat(dg.jvp(fn, 0.3, v))
            except Exception as exc:  # noqa: BLE001
                h.update(type(exc).__name__.encode())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare")
    parser.add_argument("--child", action="store_true")
    opts = parser.parse_args()
    if opts.child or not opts.compare:
        sys.path[:0] = [os.environ.get("LOOPS_DIGEST_TREE", str(HERE.parent)), str(HERE)]
        print(digest())
        return
    for engine in ("fused", "eager"):
        for tree in (HERE.parent, Path(opts.compare).resolve()):
            env = dict(os.environ, DUALGRAD_ENGINE=engine, LOOPS_DIGEST_TREE=str(tree))
            env.pop("PYTHONPATH", None)
            out = subprocess.run([sys.executable, __file__, "--child"], env=env, check=True,
                                 capture_output=True, text=True).stdout.strip()
            print(f"{engine:6s} {out}")


if __name__ == "__main__":
    main()
