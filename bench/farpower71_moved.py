"""Which far-range nested power numbers two checkouts give differently, and how far each is
from mpmath in ulps (farpower71: ``dispatch._farpower`` reading the row's spread ``c *
h**4`` instead of its own ``y x**(y - 1)``; the levels below the plain one round
otherwise, and ``_choose``'s 2**-40 may keep other bits).

    python bench/farpower71_moved.py --compare DIR [--quick]

Fresh processes of this checkout and ``DIR``'s dualgrad (each on ``PYTHONPATH``, numba
loaded) compute every number of four families: (a) power_far.py's nested grid (the jvp of a
jvp of ``u ** k``, 3920 cases, inner tangent and slope); (b) power_third_mixed.py's third
derivatives of ``sum((s x0 C) ** (t x1 + E))`` at x1 = 0 (168 points x 3 spellings x 8
entries); (c) power_third_grid.py's d3/dx0^3 and d3/dx1^3 of ``sum((s x0 C) ** (x1 + E))``
(120 points); (d) Hessians of ``(a w0) ** w1`` (scalar and 1-element array spellings) and
the jvp of a jvp of ``u ** k`` in u alone, at negative bases to integer powers and positive
ones at the range's ends (the sign of ``x**(y - 1)``, which the pairs take apart).  The
parent counts the numbers whose bits differ and, for each, mpmath's value at 60 digits and
both sides' distance from it in ulps of the float it rounds to (the least subnormal step
below the normal range; 0 for an infinity of the right sign past the range), and whether
each side is within 1e-13 relative (the tolerance tests/test_farpow66.py asserts) or 1e-9
(test_pow68 / power_third_mixed's).  ``--quick``: every fourth case of (a).
"""

import argparse
import itertools
import math
import os
import pickle
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
TINY = 2.2250738585072014e-308
C3 = (1.0, 3.0, 0.5, 1e-3)
E3 = (0.0, 0.0, 1.0, -1.0)
CG = (1.0, 3.0, 0.5, 2.0, 1e3, 1e-3)
EG = (0.0, 0.25, 1.0, -1.0, 2.0, 0.5)


def cases(quick):
    """``(label, family, params)`` for every case; each case gives several numbers."""
    sys.path.insert(0, str(HERE))
    import power_far
    for i, (name, spelling, k, u, P, Q, outer, inner) in enumerate(power_far.nested_cases()):
        if not quick or i % 4 == 0:
            yield "a " + name, "a", (spelling, k, u, P, Q, outer, inner)
    for s, t, x0 in itertools.product((1e300, 1e200, 1e140, 1e-140, 1e-200, 1e-300, 1.0),
                                      (1e-250, 1e-200, 1e-100, 1e-5, 1.0, 1e100, 1e150, 1e250),
                                      (1.0, 1e-5, 1e3)):
        for form in ("array", "power", "scalar"):
            yield f"b {form} s={s:g} t={t:g} x0={x0:g}", "b", (form, s, t, x0)
    for s, u, v0 in itertools.product((1e300, 1e200, 1e-200, 1e-300, 1.0), (-2.0, -0.5, 1.5, 3.5),
                                      (1e-5, 1.0, 1e4)):
        yield f"c s={s:g} u={u} v0={v0:g}", "c", (s, u, v0)
    for a, x, y in itertools.product((1.0, 1e-300, 1e300), (-1e-310, -1e-160, -3.0, -1e150, 1e-310,
                                                            1e-160, 1e150),
                                     (-3.0, -2.0, -1.0, 2.0, 3.0, 4.0, 7.0, -2.5, 2.5)):
        for form in ("scalar", "array"):
            yield f"d hessian {form} a={a:g} x={x:g} y={y:g}", "d", (form, a, x, y)
    for u, k, (P, Q) in itertools.product((-1e-310, -1e-160, -5e-324, -1e200),
                                          (-3.0, -1.0, 2.0, 3.0, -2.0),
                                          ((1e300, 1e-320), (1e-320, 1e300), (1.0, 1.0))):
        for form in ("z[1] ** z[0]", "z[1:] ** z[0]"):
            yield f"e {form} u={u:g} k={k:g} P={P:g} Q={Q:g}", "e", (form, u, k, P, Q)


def compute(family, params):
    """The case's numbers, a tuple of floats."""
    import numpy as np
    import dualgrad as dg
    if family in ("a", "e"):
        if family == "a":
            spelling, k, u, P, Q, outer, inner = params
        else:
            spelling, u, k, P, Q = params
            outer = inner = 1
        f = eval("lambda z: " + spelling, {"np": np})     # (the spellings in cases())
        vP, vQ = np.zeros(2), np.zeros(2)
        vP[outer], vQ[inner] = P, Q
        t0, t1 = dg.jvp(lambda x: dg.jvp(f, x, vQ)[1], np.array([k, u]), vP)
        return float(np.ravel(t0)[0]), float(np.ravel(t1)[0])
    if family == "b":
        form, s, t, x0 = params
        C, E = np.array(C3), np.array(E3)
        g = {"array": lambda w: np.sum((s * w[0] * C) ** (t * w[1] + E)),
             "power": lambda w: np.sum(np.power(s * w[:1] * C, t * w[1:] + E)),
             "scalar": lambda w: sum((s * w[0] * float(c)) ** (t * w[1] + float(e))
                                     for c, e in zip(C, E))}[form]
        T = dg.jacobian(lambda z: dg.hessian(g, z), np.array([x0, 0.0]))
        return tuple(float(v) for v in np.ravel(T))
    if family == "c":
        s, u, v0 = params
        C, E = np.array(CG).reshape(2, 3), np.array(EG).reshape(2, 3)
        T = dg.jacobian(lambda y: dg.hessian(lambda x: np.sum((s * x[0] * C) ** (x[1] + E)), y),
                        np.array([v0, u]))
        return float(T[0, 0, 0]), float(T[1, 1, 1])
    form, a, x, y = params
    if form == "scalar":
        H = dg.hessian(lambda w: (a * w[0]) ** w[1], np.array([x / a, y]))
    else:
        H = dg.hessian(lambda w: np.sum((a * w[:1]) ** w[1:]), np.array([x / a, y]))
    return tuple(float(v) for v in np.ravel(H))


def oracle(family, params):
    """mpmath's numbers of the case (``None`` where no real value)."""
    import mpmath as mp
    if family == "a":
        import power_far
        spelling, k, u, P, Q, outer, inner = params
        return power_far.nested_exact(k, u, P, Q, outer, inner)
    if family == "e":
        spelling, u, k, P, Q = params
        K, U, P, Q = (mp.mpf(v) for v in (k, u, P, Q))
        return K * U ** (K - 1) * Q, K * (K - 1) * U ** (K - 2) * P * Q
    if family == "b":
        form, s, t, x0 = params
        S, T_, X = (mp.mpf(v) for v in (s, t, x0))
        want = {}
        for key in ("xxx", "xxy", "xyy", "yyy"):
            want[key] = mp.mpf(0)
        for c, e in zip(C3, E3):
            B, K = S * mp.mpf(c) * X, mp.mpf(e)
            L, F = mp.log(B), B ** K
            want["xxx"] += K * (K - 1) * (K - 2) * F / X ** 3
            want["xxy"] += T_ * F * (2 * K - 1 + K * (K - 1) * L) / X ** 2
            want["xyy"] += T_ ** 2 * L * F * (2 + K * L) / X
            want["yyy"] += T_ ** 3 * L ** 3 * F
        return tuple(want["x" * (3 - sum(ijk)) + "y" * sum(ijk)]
                     for ijk in itertools.product((0, 1), repeat=3))
    if family == "c":
        s, u, v0 = params
        S, U, V = (mp.mpf(v) for v in (s, u, v0))
        w0 = w1 = mp.mpf(0)
        for c, e in zip(CG, EG):
            b, k = S * V * mp.mpf(c), U + mp.mpf(e)
            w0 += (S * mp.mpf(c)) ** 3 * k * (k - 1) * (k - 2) * b ** (k - 3)
            w1 += mp.log(b) ** 3 * b ** k
        return w0, w1
    form, a, x, y = params
    A, Y = mp.mpf(a), mp.mpf(y)
    X = A * mp.mpf(x / a)           # (the base of the case's own w0 = x / a, exactly)
    h00 = A * A * Y * (Y - 1) * X ** (Y - 2)
    if X < 0:
        return h00, None, None, None
    h01 = A * X ** (Y - 1) * (1 + Y * mp.log(X))
    return h00, h01, h01, X ** Y * mp.log(X) ** 2


def child(path, quick):
    import numpy as np
    from dualgrad.backend import _loader
    _loader.load()
    got = {}
    for label, family, params in cases(quick):
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                got[label] = compute(family, params)
        except Exception as exc:  # noqa: BLE001 (compared as text)
            got[label] = repr(exc)
    with open(path, "wb") as fh:
        pickle.dump(got, fh)


def ulps(v, want):
    """``v``'s distance from mpmath's ``want`` in ulps of the float ``want`` rounds to (one
    least-subnormal step below the normal range); 0 / inf past the range (an infinity of
    its sign or not); inf for a NaN."""
    import mpmath as mp
    if abs(want) > mp.mpf("1.7976931348623157e308"):
        return 0.0 if math.isinf(v) and (v > 0) == (want > 0) else math.inf
    if not math.isfinite(v):
        return math.inf
    w = float(want)
    step = math.ulp(w) if abs(w) >= TINY else 2.0 ** -1074
    return float(abs(mp.mpf(v) - want) / step)


def within(v, want, rel):
    import mpmath as mp
    if abs(want) > mp.mpf("1.7976931348623157e308"):
        return math.isinf(v) and (v > 0) == (want > 0)
    if not math.isfinite(v):
        return False
    d = abs(mp.mpf(v) - want)
    return bool(d <= rel * abs(want) if abs(want) >= TINY else d <= 2.0 ** -1074)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", required=True, help="the other checkout's root")
    parser.add_argument("--quick", action="store_true", help="every fourth nested case")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        return child(opts.child, opts.quick)
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for side, tree in (("after", HERE.parent), ("before", Path(opts.compare).resolve())):
            path = os.path.join(tmp, side)
            env = dict(os.environ, PYTHONPATH=str(tree))
            subprocess.run([sys.executable, __file__, "--compare", str(tree), "--child", path]
                           + ["--quick"] * opts.quick, env=env, check=True)
            with open(path, "rb") as fh:
                runs[side] = pickle.load(fh)
    import mpmath as mp
    mp.mp.dps = 60
    numbers = moved = 0
    hist = {}
    worst = [0.0, 0.0, 0.0]         # ulps: before, after, |after - before|
    families = {}
    for label, family, params in cases(opts.quick):
        a, b = runs["after"][label], runs["before"][label]
        fam = families.setdefault(family, [0, 0, 0])
        fam[0] += 1
        if isinstance(a, str) or isinstance(b, str):
            if a != b:
                print(f"  {label}: before {b}, after {a}")
                fam[1] += 1
            continue
        numbers += len(a)
        differ = [i for i, (p, q) in enumerate(zip(a, b))
                  if struct(p) != struct(q)]
        if not differ:
            continue
        fam[1] += 1
        wants = oracle(family, params)
        for i in differ:
            moved += 1
            fam[2] += 1
            want = wants[i]
            if want is None:
                print(f"  {label} [{i}]: before {b[i]!r}, after {a[i]!r}, no real value")
                continue
            ua, ub = ulps(a[i], want), ulps(b[i], want)
            step = math.ulp(float(want)) if abs(float(want)) >= TINY else 2.0 ** -1074
            worst = [max(worst[0], ub), max(worst[1], ua),
                     max(worst[2], abs(a[i] - b[i]) / step if math.isfinite(a[i] - b[i])
                         else math.inf)]
            tol = [(within(b[i], want, r), within(a[i], want, r)) for r in (1e-13, 1e-9)]
            hist[(ua < ub) - (ua > ub), tol[0], tol[1]] = \
                hist.get(((ua < ub) - (ua > ub), tol[0], tol[1]), 0) + 1
            print(f"  {label} [{i}]: before {b[i]!r} ({ub:.3g} ulp), after {a[i]!r} "
                  f"({ua:.3g} ulp), mpmath {mp.nstr(want, 17)}; within 1e-13 before/after "
                  f"{tol[0]}, 1e-9 {tol[1]}")
    print(f"{sum(f[0] for f in families.values())} cases, {numbers} numbers, {moved} moved")
    for family, (count, cases_moved, numbers_moved) in sorted(families.items()):
        print(f"  family {family}: {count} cases, {cases_moved} with a number moved, "
              f"{numbers_moved} numbers moved")
    print(f"  moved numbers: worst {worst[0]:.3g} ulp before, {worst[1]:.3g} after; the "
          f"largest move {worst[2]:.3g} ulp")
    for (nearer, t13, t9), count in sorted(hist.items()):
        how = "nearer" if nearer > 0 else "farther" if nearer < 0 else "as near"
        print(f"  {count} moved {how}; within 1e-13 (before, after) {t13}, within 1e-9 {t9}")


def struct(v):
    """The float's bits (NaNs alike)."""
    import struct as st
    return "nan" if v != v else st.pack("<d", v)


if __name__ == "__main__":
    main()
