"""Every third derivative of ``sum((s x0 C) ** (t x1 + E))`` at x1 = 0, against closed forms
in mpmath (pow68: attack68 F2's exponent of value 0 beside a far-range base).

    python bench/power_third_mixed.py [--compare DIR]

C = (1, 3, 0.5, 1e-3), E = (0, 0, 1, -1) (two exponents exactly 0), s over 1e300 ..
1e-300, t over 1e-250 .. 1e250, x0 in (1, 1e-5, 1e3); the array, ``np.power`` and
scalar-sum spellings; ``dg.jacobian`` of ``dg.hessian``.  With F = B**K, B = s c x0, K =
t x1 + e, L = log B: F_xxx = K(K-1)(K-2) F / x^3, F_xxy = t F (2K - 1 + K(K-1) L) / x^2,
F_xyy = t^2 L F (2 + K L) / x, F_yyy = t^3 L^3 F (60 digits).  Each of the 8 entries
T[i, j, k] is checked against the oracle of its index multiset (an asymmetric tensor
counts); "off": not within 1e-9 relative (1e-322 absolute) of the float it rounds to,
an infinity of its sign past the range.  Prints the off entries and their count;
``--compare DIR``: runs this checkout and DIR's dualgrad in fresh processes and prints
the entries off on each side only, and the counts.
"""

import itertools
import math
import os
import subprocess
import sys
import warnings

import numpy as np


def child():
    import mpmath as mp
    import dualgrad as dg
    mp.mp.dps = 60
    warnings.simplefilter("ignore")
    C = np.array([1.0, 3.0, 0.5, 1e-3])
    E = np.array([0.0, 0.0, 1.0, -1.0])

    def fl(w):
        big = abs(w) >= mp.mpf("1.7976931348623157e308")
        return math.copysign(math.inf, w) if big else float(w)

    def oracle(s, t, x, y):
        S, T_, X, Y = (mp.mpf(v) for v in (s, t, x, y))
        out = {}
        for key in ("xxx", "xxy", "xyy", "yyy"):
            out[key] = mp.mpf(0)
        for c, e in zip(C, E):
            B, K = S * mp.mpf(c) * X, T_ * Y + mp.mpf(e)
            L, F = mp.log(B), B ** K
            out["xxx"] += K * (K - 1) * (K - 2) * F / X ** 3
            out["xxy"] += T_ * F * (2 * K - 1 + K * (K - 1) * L) / X ** 2
            out["xyy"] += T_ ** 2 * L * F * (2 + K * L) / X
            out["yyy"] += T_ ** 3 * L ** 3 * F
        return {k: fl(v) for k, v in out.items()}

    forms = {
        "array": lambda s, t: (lambda w: np.sum((s * w[0] * C) ** (t * w[1] + E))),
        "power": lambda s, t: (lambda w: np.sum(np.power(s * w[:1] * C, t * w[1:] + E))),
        "scalar": lambda s, t: (lambda w: sum((s * w[0] * float(c)) ** (t * w[1] + float(e))
                                              for c, e in zip(C, E))),
    }
    bad = tot = err = 0
    grid = itertools.product((1e300, 1e200, 1e140, 1e-140, 1e-200, 1e-300, 1.0),
                             (1e-250, 1e-200, 1e-100, 1e-5, 1.0, 1e100, 1e150, 1e250),
                             (1.0, 1e-5, 1e3))
    for s, t, x0 in grid:
        want = oracle(s, t, x0, 0.0)
        for name, mk in forms.items():
            g = mk(s, t)
            try:
                T = dg.jacobian(lambda z: dg.hessian(g, z), np.array([x0, 0.0]))
            except Exception as ex:
                err += 1
                print("raised", name, s, t, x0, type(ex).__name__, str(ex)[:100])
                continue
            for i, j, k in itertools.product((0, 1), repeat=3):
                key = "x" * (3 - (i + j + k)) + "y" * (i + j + k)
                got, wf = float(T[i, j, k]), want[key]
                tot += 1
                ok = got == wf or (math.isfinite(wf) and
                                   abs(got - wf) <= 1e-9 * abs(wf) + 1e-322)
                if not ok:
                    bad += 1
                    print(f"{name} s={s:g} t={t:g} x0={x0:g} T[{i}{j}{k}] d3/d{key}: "
                          f"got {got!r} want {wf!r}")
    print("bad", bad, "of", tot, "raised", err)


def main():
    if "--compare" not in sys.argv:
        return child()
    other = sys.argv[sys.argv.index("--compare") + 1]
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sides = {}
    for name, path in (("this", here), ("other", other)):
        env = dict(os.environ, PYTHONPATH=path)
        got = subprocess.run([sys.executable, os.path.abspath(__file__)], env=env,
                             capture_output=True, text=True, check=True).stdout.splitlines()
        sides[name] = got
    this, that = (set(x for x in sides[n] if not x.startswith("bad"))
                  for n in ("this", "other"))
    for line in sorted(this - that):
        print("off here only: ", line)
    for line in sorted(that - this):
        print("off there only:", line)
    for n in ("this", "other"):
        print(n, [x for x in sides[n] if x.startswith("bad")][0])


if __name__ == "__main__":
    main()
