"""Where two checkouts' power partials differ, what each gave and what mpmath says
(power65: the power rows' spread form).

    python bench/power_far.py --compare DIR

Fresh processes (numba loaded) of this checkout and ``DIR``'s dualgrad compute the
partials of every case of ``bench/power_mixed_bits.py`` (default error state); the
parent counts the cases and elements whose bits differ, classifies each differing
element before and after (NaN, inf, 0 or subnormal, normal), and checks each of the
forms ``u ** k``, ``k ** u`` and ``c ** u`` against mpmath at 60 digits: d/dt of the
power is ``y x**(y - 1) dx + x**y log(x) dy``; "after" must be within 1e-13 of it
(relative) where it is in the float range, and an infinity of its sign past it.
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
FORMS = ("u ** k", "k ** u", "c ** u")


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


def exact(name, u, k, i, j):
    """mpmath's d/dt of the case's power at element (i, j), or ``None`` (a base <= 0)."""
    import mpmath as mp
    import numpy as np
    form = name.split(" | ")[0]
    x, p = mp.mpf(float(u.value[i])), mp.mpf(float(np.asarray(u.partials)[i, j]))
    c, q = mp.mpf(float(k.value)), mp.mpf(float(k.partials[j]))
    if form == "u ** k":
        return None if x <= 0 else c * x ** (c - 1) * p + x ** c * mp.log(x) * q
    if form == "k ** u":
        return None if c <= 0 else x * c ** (x - 1) * q + c ** x * mp.log(c) * p
    c = mp.mpf(float(name.split("c=")[1]))
    return None if c <= 0 else c ** x * mp.log(c) * p


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
    for name, make, _ in power_mixed_bits.cases(False):
        a, b = after[name], before[name]
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape):
            cases += repr(a) != repr(b)
            continue
        differ = a.view(np.int64) != b.view(np.int64)
        if not differ.any():
            continue
        cases += 1
        u, k = make() if name.split(" | ")[0] in FORMS else (None, None)
        for at in map(tuple, np.argwhere(differ)):
            pair = f"{kind(b[at])} -> {kind(a[at])}"
            kinds[pair] = kinds.get(pair, 0) + 1
            want = None if u is None else exact(name, u, k, *at)
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
    print(f"{checked} of them ({', '.join(FORMS)}) against mpmath: {wrong} off by more than "
          f"1e-13, worst relative error {worst:.2g}")


if __name__ == "__main__":
    main()
