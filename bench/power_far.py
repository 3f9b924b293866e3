"""Where two checkouts' power partials differ, what each gave and what mpmath says
(power65: the power rows' spread form).

    python bench/power_far.py --compare DIR

Fresh processes (numba loaded) of this checkout and ``DIR``'s dualgrad compute the
partials of every case of ``bench/power_mixed_bits.py`` (default error state); the
parent counts the cases and elements whose bits differ, classifies each differing
element before and after (NaN, inf, 0 or subnormal, normal), and checks every
differing element of a positive base against mpmath at 60 digits, in every form of
the cases (``u ** v``, ``u ** k``, ``k ** u``, ``c ** u``, ``2 ** u``, ``t ** k``,
``u ** t``, ``t ** u`` and their ``np.power`` / 2-D spellings; diff65 extended it from
the first three, which held 2668 of stop 65's 5382): d/dt of the power is ``y x**(y -
1) dx + x**y log(x) dy``; "after" must be within 1e-13 of it (relative) where it is
in the float range, and an infinity of its sign past it.
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


def child(path):
    import numpy as np
    from dualgrad.backend import _loader
    sys.path.insert(0, str(HERE))
    import power_mixed_bits
    _loader.load()
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
    if x is None or y is None or x <= 0:
        return None
    return y * x ** (y - 1) * dx + (x ** y * mp.log(x) * dy if dy else 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", required=True, help="the other checkout's root")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        child(opts.child)
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
            subprocess.run([sys.executable, __file__, "--compare", str(tree), "--child", path],
                           env=env, check=True)
            with open(path, "rb") as fh:
                runs[side] = pickle.load(fh)
    after, before = runs["after"], runs["before"]
    cases, kinds, checked, wrong, worst = 0, {}, 0, 0, 0.0
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
                continue
            checked += 1
            if abs(want) > mp.mpf("1.7976931348623157e308"):
                ok = np.isinf(a[at]) and np.sign(a[at]) == mp.sign(want)
            else:
                err = float(abs(mp.mpf(float(a[at])) - want) / abs(want))
                worst = max(worst, err)
                ok = err <= 1e-13
            if not ok:
                wrong += 1
                print(f"  off: {name} {at}: before {b[at]!r}, after {a[at]!r}, "
                      f"mpmath {mp.nstr(want, 17)}")
    print(f"{len(after)} cases, {cases} differ; differing elements by kind (before -> after):")
    for pair, count in sorted(kinds.items()):
        print(f"  {pair}: {count}")
    print(f"{checked} of them (a positive base) against mpmath: {wrong} off by more than "
          f"1e-13, worst relative error {worst:.2g}")


if __name__ == "__main__":
    main()
