"""Where two checkouts' power partials differ, what each gave and what mpmath says
(power65: the power rows' spread form).

    python bench/power_far.py --compare DIR [--nested | --numpy]

Fresh processes (numba loaded; ``--numpy``: never loaded, farpow67) of this checkout and
``DIR``'s dualgrad compute the partials of every case of ``bench/power_mixed_bits.py``
(default error state); the parent counts the cases and elements whose bits differ, classifies each differing
element before and after (NaN, inf, 0 or subnormal, normal), and checks every
differing element of a positive base (or a negative one to an integer power, in x
alone: farpow66) against mpmath at 60 digits, in every form of
the cases (``u ** v``, ``u ** k``, ``k ** u``, ``c ** u``, ``2 ** u``, ``t ** k``,
``u ** t``, ``t ** u`` and their ``np.power`` / 2-D spellings; diff65 extended it from
the first three, which held 2668 of stop 65's 5382): d/dt of the power is ``y x**(y -
1) dx + x**y log(x) dy``; "after" must be within 1e-13 of it (relative) where it is
in the float range, and an infinity of its sign past it.

``--nested`` (farpow66): the jvp of a jvp of ``u ** k`` over a grid of bases and
exponents at the range's ends and directions 1e-320 .. 1e300 (:func:`nested_cases`;
farpow67: the array forms and the inner direction on ``k`` too), the inner tangent and
its slope of each against mpmath, both checkouts counted.
"""

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
TINY = 2.2250738585072014e-308


KS = (1e-310, 1e-300, 0.5, 2.5, -1.0, -2.5, 3.0)
US = (1e-310, 5e-324, 3e-320, 1e-308, 1e-160, 1e-100, 1e200)
DIRECTIONS = ((1e300, 1e-320), (1e-320, 1e300), (1e300, 1e-300), (1.0, 1.0), (1e200, 1e-200))


SPELLINGS = ("z[1] ** z[0]", "z[1:] ** z[0]", "np.power(z[1:], z[:1])",
             "(z[1] * np.ones(3)) ** z[0]")


def nested_cases():
    """``(name, spelling, k, u, P, Q, outer, inner)``: the jvp (direction ``P`` on ``u``,
    or on ``k`` for ``outer`` 0) of the jvp (direction ``Q`` on ``u``, or on ``k`` for
    ``inner`` 0: d/dy, farpow67) of ``u ** k``, spelled on a scalar element, a
    1-element array to the scalar's power, two 1-element arrays (``u ** v``) or a
    3-element array (diff65's t_nest grid, widened; the last two and d/dy farpow67's)."""
    for spelling in SPELLINGS:
        for k in KS:
            for u in US:
                for P, Q in DIRECTIONS:
                    for outer in (1, 0):
                        for inner in (1, 0):
                            yield (f"{spelling} k={k:g} u={u:g} P={P:g} Q={Q:g} outer="
                                   f"{'ku'[outer]} inner={'ku'[inner]}", spelling, k, u,
                                   P, Q, outer, inner)


def nested_child(path):
    import numpy as np
    import dualgrad as dg
    from dualgrad.backend import _loader
    _loader.load()
    got = {}
    for name, spelling, k, u, P, Q, outer, inner in nested_cases():
        f = eval("lambda z: " + spelling, {"np": np})       # (the spellings above)
        vP, vQ = np.zeros(2), np.zeros(2)
        vP[outer], vQ[inner] = P, Q
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                t0, t1 = dg.jvp(lambda x: dg.jvp(f, x, vQ)[1], np.array([k, u]), vP)
            got[name] = (float(np.ravel(t0)[0]), float(np.ravel(t1)[0]))
        except Exception as exc:  # noqa: BLE001 (compared as text)
            got[name] = repr(exc)
    with open(path, "wb") as fh:
        pickle.dump(got, fh)


def nested_exact(k, u, P, Q, outer, inner):
    """mpmath's inner tangent (``k u**(k-1) Q``, or ``u**k log(u) Q`` for ``inner`` 0)
    and its slope along ``P``."""
    import mpmath as mp
    K, U, P, Q = (mp.mpf(v) for v in (k, u, P, Q))
    mixed = U ** (K - 1) * (1 + K * mp.log(U))
    if inner:
        tangent = K * U ** (K - 1) * Q
        slope = (K * (K - 1) * U ** (K - 2) if outer else mixed) * P * Q
    else:
        tangent = U ** K * mp.log(U) * Q
        slope = (mixed if outer else U ** K * mp.log(U) ** 2) * P * Q
    return tangent, slope


def nested_main(compare):
    """Both checkouts' nested grid against mpmath: the numbers off (more than 1e-13
    relative, one least-subnormal step below the normal range, a finite number where
    the exact leaves the range), per checkout, and the cases where they differ."""
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for side, tree in (("after", HERE.parent), ("before", Path(compare).resolve())):
            path = os.path.join(tmp, side)
            env = dict(os.environ, PYTHONPATH=str(tree))
            subprocess.run([sys.executable, __file__, "--compare", str(tree), "--nested",
                            "--child", path], env=env, check=True)
            with open(path, "rb") as fh:
                runs[side] = pickle.load(fh)
    import mpmath as mp
    mp.mp.dps = 60
    off = {"after": 0, "before": 0}
    numbers = differ = 0
    by_form = {}                    # (spelling, inner) -> [numbers, off after, off before]
    for name, spelling, k, u, P, Q, outer, inner in nested_cases():
        a, b = runs["after"][name], runs["before"][name]
        differ += repr(a) != repr(b)
        wants = nested_exact(k, u, P, Q, outer, inner)
        for i, want in enumerate(wants):
            if not mp.isfinite(want):
                continue
            numbers += 1
            form = by_form.setdefault((spelling, "du" if inner else "dk"), [0, 0, 0])
            form[0] += 1
            bad = {}
            for j, (side, r) in enumerate((("after", a), ("before", b))):
                bad[side] = isinstance(r, str) or off_by(r[i], want) > (
                    1e-13 if TINY <= abs(want) <= mp.mpf("1.7976931348623157e308") else 1.0)
                off[side] += bad[side]
                form[1 + j] += bad[side]
            if bad["after"] or bad["before"] != bad["after"]:
                print(f"  {name} {('tangent', 'slope')[i]}: before "
                      f"{b if isinstance(b, str) else b[i]!r} ({'off' if bad['before'] else 'ok'}),"
                      f" after {a if isinstance(a, str) else a[i]!r} "
                      f"({'off' if bad['after'] else 'ok'}), mpmath {mp.nstr(want, 17)}")
    print(f"nested: {len(runs['after'])} cases ({differ} differ), {numbers} numbers against "
          f"mpmath: off after {off['after']}, before {off['before']}")
    for (spelling, inner), (count, after, before) in by_form.items():
        print(f"  {spelling}, inner {inner}: {count} numbers, off after {after}, "
              f"before {before}")


def child(path, numba=True):
    import numpy as np
    from dualgrad.backend import _loader
    sys.path.insert(0, str(HERE))
    import power_mixed_bits
    if numba:
        _loader.load()
    else:                       # (--numpy: the state that never loads numba)
        _loader.LOAD_AFTER = float("inf")
    got = {}
    for name, make, form in power_mixed_bits.cases(False):
        try:
            u, k = make()
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                partials = np.asarray(form(u, k).partials)
            got[name] = partials.astype(float) if partials.dtype != object else None
        except Exception as exc:  # noqa: BLE001 (compared as text)
            got[name] = repr(exc)
    with open(path, "wb") as fh:
        pickle.dump(got, fh)


def kind(v):
    import numpy as np
    return "NaN" if np.isnan(v) else "inf" if np.isinf(v) else \
        "0 or subnormal" if abs(v) < TINY else "normal"


def exact(name, u, k, i, j, form_fn=None):
    """mpmath's d/dt of every form's element (i, j), or None (a base <= 0)."""
    import mpmath as mp
    import numpy as np
    import power_mixed_bits as pmb
    f = name.split(" | ")[0]
    P = np.asarray(u.partials)
    uv = mp.mpf(float(np.ravel(u.value)[i]))
    up = mp.mpf(float(P.reshape(-1, P.shape[-1])[i, j]))
    kv, kq = mp.mpf(float(k.value)), mp.mpf(float(k.partials[j]))
    c = mp.mpf(float(name.split("c=")[1])) if "c=" in name else None
    t = None                        # (a float array base or exponent: the form's default)
    if form_fn is not None and form_fn.__defaults__:
        d0 = form_fn.__defaults__[0]
        if isinstance(d0, np.ndarray):
            t = mp.mpf(float(d0[i]))
    if f in ("u ** v", "np.power(u, v)", "v ** u"):
        v = pmb._reversed(u)
        vv = mp.mpf(float(np.ravel(v.value)[i]))
        vp = mp.mpf(float(np.asarray(v.partials)[i, j]))
        if f == "v ** u":
            x, dx, y, dy = vv, vp, uv, up
        else:
            x, dx, y, dy = uv, up, vv, vp
    elif f in ("u ** k", "np.power(u, k)", "np.float_power(u, k)", "u ** k (2-D)"):
        x, dx, y, dy = uv, up, kv, kq
    elif f in ("k ** u", "np.power(k, u)", "k ** u (2-D)"):
        x, dx, y, dy = kv, kq, uv, up
    elif f in ("u ** c", "np.power(u, c)"):
        x, dx, y, dy = uv, up, c, 0
    elif f in ("c ** u", "f64(c) ** u", "np.power(c, u)"):
        x, dx, y, dy = c, 0, uv, up
    elif f == "2 ** u":
        x, dx, y, dy = mp.mpf(2), 0, uv, up
    elif f in ("t ** k", "np.power(t, k)"):
        x, dx, y, dy = t, 0, kv, kq
    elif f == "u ** t":
        x, dx, y, dy = uv, up, t, 0
    elif f == "t ** u":
        x, dx, y, dy = t, 0, uv, up
    else:
        return None
    if x is None or y is None or x == 0 or x < 0 and (dy or y != mp.floor(y)):
        return None                 # (a negative base: real for an integer y, in x alone)
    return y * x ** (y - 1) * dx + (x ** y * mp.log(x) * dy if dy else 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", required=True, help="the other checkout's root")
    parser.add_argument("--nested", action="store_true",
                        help="the jvp of a jvp of u ** k instead (farpow66)")
    parser.add_argument("--numpy", action="store_true",
                        help="first order with numba never loaded (farpow67)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        if opts.nested:
            nested_child(opts.child)
        else:
            child(opts.child, not opts.numpy)
        return
    if opts.nested:
        nested_main(opts.compare)
        return
    import mpmath as mp
    import numpy as np
    sys.path.insert(0, str(HERE))
    import power_mixed_bits
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for side, tree in (("after", HERE.parent), ("before", Path(opts.compare).resolve())):
            path = os.path.join(tmp, side)
            env = dict(os.environ, PYTHONPATH=str(tree))
            subprocess.run([sys.executable, __file__, "--compare", str(tree), "--child", path]
                           + ["--numpy"] * opts.numpy, env=env, check=True)
            with open(path, "rb") as fh:
                runs[side] = pickle.load(fh)
    after, before = runs["after"], runs["before"]
    cases, kinds, checked, wrong, worst = 0, {}, 0, 0, 0.0
    closer = {-1: 0, 0: 0, 1: 0}
    mp.mp.dps = 60
    for name, make, form_fn in power_mixed_bits.cases(False):
        a, b = after[name], before[name]
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape):
            cases += repr(a) != repr(b)
            continue
        differ = a.view(np.int64) != b.view(np.int64)
        if not differ.any():
            continue
        cases += 1
        u, k = make()
        for at in map(tuple, np.argwhere(differ)):
            pair = f"{kind(b[at])} -> {kind(a[at])}"
            kinds[pair] = kinds.get(pair, 0) + 1
            ii = at[0] if len(at) == 2 else (at[1] if a.shape[0] == 1 else at[0])
            want = exact(name, u, k, ii, at[-1], form_fn)
            if want is None:
                print(f"  unchecked: {name} {at}: before {b[at]!r}, after {a[at]!r}")
                continue
            checked += 1
            ea, eb = (off_by(v[at], want) for v in (a, b))
            closer[(ea > eb) - (ea < eb)] += 1
            if abs(want) > mp.mpf("1.7976931348623157e308"):
                ok = np.isinf(a[at]) and np.sign(a[at]) == mp.sign(want)
            elif abs(want) < TINY:
                ok = ea <= 1.0
            else:
                worst = max(worst, ea)
                ok = ea <= 1e-13
            if not ok:
                wrong += 1
                print(f"  off: {name} {at}: before {b[at]!r}, after {a[at]!r}, "
                      f"mpmath {mp.nstr(want, 17)}")
    print(f"{len(after)} cases, {cases} differ; differing elements by kind (before -> after):")
    for pair, count in sorted(kinds.items()):
        print(f"  {pair}: {count}")
    print(f"{checked} of them (a positive base, or a negative one in x alone to an integer "
          f"power) against mpmath: {wrong} off by more than "
          f"1e-13 (normal) or one subnormal step (below the normal range), worst relative "
          f"error {worst:.2g}; after nearer mpmath {closer[-1]}, as near {closer[0]}, "
          f"farther {closer[1]}")


def off_by(v, want):
    """How far the float ``v`` is from mpmath's ``want``: relative where ``want`` is a
    normal number, in steps of the least subnormal (2**-1074) below, 0 or inf past the
    range (inf of its sign or not)."""
    import mpmath as mp
    import numpy as np
    if abs(want) > mp.mpf("1.7976931348623157e308"):
        return 0.0 if np.isinf(v) and np.sign(v) == mp.sign(want) else np.inf
    if not np.isfinite(v):
        return np.inf
    d = abs(mp.mpf(float(v)) - want)
    return float(d / abs(want) if abs(want) >= TINY else d / mp.mpf(2) ** -1074)


if __name__ == "__main__":
    main()
