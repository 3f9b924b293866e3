"""The shallow water row's dual operations and their pieces, us per call (shallow69;
prints only).

    python bench/shallow69_pieces.py [--compare CHECKOUT] [--rounds 3]

Inside one ``dualgrad.jacobian`` of a field like bench/corpus59.py's shallow water row
(18 x 18, one direction, three of its steps run first, numba not loaded), the best of
five timings of 300 calls each (``time.perf_counter``; the loader's count reset before
each, so that numba never loads) of: the row's quotient ``U[1:, 1:-1] ** 2 /
H[1:, 1:-1]``, product, square and ``k * u`` on views whose rows lie apart, the slice
store ``H[:, 0] = H[:, 1]``, the float operations beside them, and the finiteness
tests of a (17, 16, 1) product (NumPy's reduction, and ``_propagate._quiet_finite``
where this checkout has it).  With ``--compare`` fresh processes alternate between this
checkout and the other; the medians over rounds are printed side by side.
"""

import json
import math
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child():
    sys.path[:0] = [str(HERE)]
    import _common  # noqa: F401  (one BLAS thread, before NumPy)
    import timeit
    import numpy as np
    import dualgrad as dg
    from dualgrad.backend import _loader, _propagate
    import corpus59
    got = {}

    def best(fn, reps=300):
        _loader._spent = 0
        fn()
        return min(timeit.repeat(fn, number=reps, repeat=5)) / reps * 1e6

    def g(p):
        H = np.ones_like(p, shape=(18, 18))
        H[4, 4] += p[0]
        H = corpus59.simulate(H, 3)
        U = H * 0.3 + 0.1
        a, b = U[1:, 1:-1] ** 2, H[1:, 1:-1]
        av, bv = a.value, b.value
        idx, item = (slice(None), 0), H[:, 1]
        hv = H.value.copy()
        total = np.ones((17, 16, 1))
        got["a / b"], got["a / b float"] = best(lambda: a / b), best(lambda: av / bv)
        got["a * b"], got["a * b float"] = best(lambda: a * b), best(lambda: av * bv)
        got["b ** 2"], got["b ** 2 float"] = best(lambda: b ** 2), best(lambda: bv ** 2)
        got["k * b"], got["k * b float"] = best(lambda: 0.01 * b), best(lambda: 0.01 * bv)
        got["H[:, 0] = H[:, 1]"] = best(lambda: H.__setitem__(idx, item))
        got["H[:, 0] = H[:, 1] float"] = best(lambda: hv.__setitem__(idx, hv[:, 1]))
        got["reduction test"] = best(lambda: math.isfinite(np.add.reduce(total, axis=None)))
        quiet = getattr(_propagate, "_quiet_finite", None)
        if quiet is not None:
            got["dot test"] = best(lambda: quiet(total))
        return H.ravel()
    dg.jacobian(g, np.array([5.0]))
    print(json.dumps(got))


def main():
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true")
    opts = parser.parse_args()
    if opts.child:
        return child()
    sides = {"this": HERE.parent}
    if opts.compare:
        sides["other"] = Path(opts.compare).resolve()
    runs = {side: [] for side in sides}
    for _ in range(opts.rounds):
        for side, tree in sides.items():
            env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree), "HOME": "/tmp"}
            out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child"],
                                 env=env, capture_output=True, text=True, check=True)
            runs[side].append(json.loads(out.stdout.strip().splitlines()[-1]))
    keys = list(runs["this"][0])
    print("| piece | " + " | ".join(f"{s} us" for s in sides) +
          (" | this / other |" if len(sides) == 2 else " |"))
    print("|---|" + "---|" * (len(sides) + (len(sides) == 2)))
    for k in keys:
        meds = [statistics.median(r[k] for r in runs[s] if k in r) if any(k in r for r in runs[s])
                else float("nan") for s in sides]
        row = f"| {k} | " + " | ".join(f"{m:.2f}" for m in meds)
        if len(sides) == 2:
            row += f" | {meds[0] / meds[1]:.2f}"
        print(row + " |")


if __name__ == "__main__":
    main()
