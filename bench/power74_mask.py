"""A scalar dual raised to a Gaussian-shaped dual array: the power row's careful terms
by element (user74).

    python bench/power74_mask.py [--rounds R] [--compare DIR | --toggle]

``y ** exp(-z**2)`` (JONSWAP's peak shape, bench/corpus73.py; kernels and spectral
peaks alike) has elements whose exponent underflowed below 1e-300, where the base's
local derivative ``e y**(e - 1)`` is subnormal and the power row's careful steps
(dispatch/_ufuncs.py's ``_quotient_partials``: two steps, the spread, extended range)
are taken.  Before user74 every element of the array took them; from user74 only the
elements :func:`_masked_partials` picks.  Times one ``dg.jacobian`` (2 directions) of
``y ** e`` at N = 200 (the row's grid), 2,000, 20,000 and 200,000 points of z in
[-27.4, 27.4] (the tail past |z| = 26.3, e < 1e-300 and 0.0 past 27.3, 4 % of them),
against the same with every e normal (the peak's width scaled: no careful step), in one
process; medians and the rounds' range in us.  With ``--compare DIR`` the same runs in a
second process whose dualgrad is DIR's, the two interleaved by round.  With ``--toggle``
one process alternates, call batch by call batch, between the masked steps and the
whole array's (``_ufuncs._MASKED_FROM`` past any size: the tree before's path, same
bits), adding the JONSWAP row (bench/corpus73.py) and its power alone; it prints the
medians and the median of the rounds' masked / whole.
"""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SIZES = (200, 2000, 20000, 200000)


def cases():
    import dualgrad as dg   # noqa: F401

    def make(n, wide):
        z = np.linspace(-27.4, 27.4, n)

        def g(x):
            y = np.exp(5.75 - 1.15 * x[1] / x[0] ** 0.5)
            e = np.exp(-(z * x[1] / 10.0 / wide) ** 2)
            return y ** e
        return g
    out = {}
    for n in SIZES:
        out[f"N = {n:6d}, 4 % of e < 1e-300"] = make(n, 1.0)
        out[f"N = {n:6d}, every e normal"] = make(n, 3.0)
    return out


def run(rounds, calls_at=lambda n: max(1, 20000 // n)):
    import dualgrad as dg
    x0 = np.array([5.5, 10.0])
    cs = cases()
    times = {k: [] for k in cs}
    for f in cs.values():
        dg.jacobian(f, x0)
    for _ in range(rounds):
        for k, f in cs.items():
            calls = calls_at(int(k.split("=")[1].split(",")[0]))
            t = time.perf_counter()
            for _ in range(calls):
                dg.jacobian(f, x0)
            times[k].append((time.perf_counter() - t) / calls * 1e6)
    return times


def toggle(rounds):
    """One process, the masked and the whole-array steps alternating (see the doc)."""
    import dualgrad as dg
    from dualgrad.dispatch import _ufuncs
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from corpus73 import PROBLEMS73
    from power73_pieces import own
    x0 = np.array([5.5, 10.0])
    cs = dict(cases())
    cs["JONSWAP row"] = PROBLEMS73["JONSWAP spectrum, y ** exp(array) (2)"][0]
    cs["JONSWAP's y ** e"] = own
    masked_from = _ufuncs._MASKED_FROM
    got = {(k, m): [] for k in cs for m in ("masked", "whole")}
    for _ in range(rounds):
        for k, f in cs.items():
            n = int(k.split("=")[1].split(",")[0]) if "N =" in k else 200
            calls = max(1, 20000 // n)
            for m in ("masked", "whole"):
                _ufuncs._MASKED_FROM = masked_from if m == "masked" else 1 << 62
                dg.jacobian(f, x0)
                t = time.perf_counter()
                for _ in range(calls):
                    dg.jacobian(f, x0)
                got[k, m].append((time.perf_counter() - t) / calls * 1e6)
    _ufuncs._MASKED_FROM = masked_from
    for k in cs:
        a, b = got[k, "masked"], got[k, "whole"]
        print(f"{k:34s} masked {statistics.median(a):10.1f}  whole {statistics.median(b):10.1f}"
              f"  masked / whole {statistics.median([u / v for u, v in zip(a, b)]):.2f}")


def main(argv):
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 5
    other = argv[argv.index("--compare") + 1] if "--compare" in argv else None
    if "--child" in argv:
        print(json.dumps(run(rounds)))
        return
    if "--toggle" in argv:
        toggle(rounds)
        return
    here = str(Path(__file__).resolve().parent.parent)
    trees = [here] + ([other] if other else [])
    got = {t: {} for t in trees}
    for _ in range(rounds):
        for t in trees:
            r = subprocess.run([sys.executable, __file__, "--child", "--rounds", "1"],
                               capture_output=True, text=True, check=True,
                               env={"PYTHONPATH": t, "PATH": "/usr/bin:/bin"})
            for k, v in json.loads(r.stdout).items():
                got[t].setdefault(k, []).extend(v)
    keys = list(got[here])
    for k in keys:
        line = f"{k:34s}"
        for t in trees:
            v = got[t][k]
            line += f" {statistics.median(v):10.1f} ({min(v):.0f}-{max(v):.0f})"
        if other:
            line += f"  this / other {statistics.median(got[here][k]) / statistics.median(got[other][k]):.2f}"
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
