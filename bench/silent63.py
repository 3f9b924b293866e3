"""What silent63's complex quotient checks and wofz's quotient cost against another
checkout (prints only).

    python bench/silent63.py --compare /tmp/main_before [--rounds 3]
    python bench/silent63.py --check     # the complex test alone, in one process

Array duals of N = 1e5 values, n = 1 and 4 directions (complex values: the complex
fast path's new test of the local derivative; real values: the real rows, unchanged
but for wofz, which gained a quotient), and scalar duals (the generated operators'
underflow test reads complex numbers too).  Each figure is the median CPU us of a call
over batches of at least 0.05 s (``time.process_time``); ``--compare DIR``: fresh
processes alternate this checkout ("after") and ``DIR``.  ``--check``: the complex
fast path's test of its local derivatives (``_complex_lost``) against a stub that says
"nothing lost", the two timed back to back in this process (21 pairs, either side
first in turn, median of the pairs' quotients), which a loaded machine slows alike.
"""

import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ab_main, median_time  # noqa: E402  (the A/B loop, the timer)


def _us(call):
    """Median CPU us per call over 5 repeats of >= 0.05 s each (one warm-up call)."""
    return median_time(call, repeat=5, clock=time.process_time) * 1e6


def child():
    """Print ``{"case": us}`` for this process's dualgrad."""
    import numpy as np
    import scipy.special as sc

    import dualgrad as dg
    from dualgrad.dual import new_tag

    rng = np.random.default_rng(0)
    N = 100_000
    out = {}
    for n in (1, 4):
        tag = new_tag()
        z = rng.uniform(0.2, 0.9, N) + 1j * rng.uniform(0.2, 0.9, N)
        x = rng.uniform(0.2, 0.9, N)
        u = dg.Dual(z, rng.standard_normal((N, n)) + 0j, tag=tag)
        v = dg.Dual(z[::-1].copy(), rng.standard_normal((N, n)) + 0j, tag=tag)
        r = dg.Dual(x, rng.standard_normal((N, n)), tag=tag)
        cases = {"reciprocal(u)": lambda: np.reciprocal(u), "u ** -1": lambda: u ** -1,
                 "u / v": lambda: u / v, "u * v (no quotient)": lambda: u * v,
                 "wofz(u)": lambda: sc.wofz(u), "wofz(real)": lambda: sc.wofz(r),
                 "reciprocal(real)": lambda: np.reciprocal(r)}
        with np.errstate(all="ignore"):
            for name, call in cases.items():
                out[f"{name} n={n}"] = _us(call)
    tag = new_tag()
    d = dg.Dual(0.7 + 0.2j, [1.0 + 0j, 0.5j], tag=tag)
    e = dg.Dual(0.7, [1.0, 0.5], tag=tag)
    for name, call in {"scalar 1 / d (complex)": lambda: 1.0 / d,
                       "scalar 1 / e (real)": lambda: 1.0 / e, "scalar e / e (real)": lambda: e / e,
                       "scalar wofz(e)": lambda: sc.wofz(e)}.items():
        out[name] = _us(call)
    print(json.dumps(out))


def check():
    """Print, per case, the median quotient (with the test) / (stub) over 21 pairs and
    the median difference in us a call."""
    import numpy as np
    import scipy.special as sc

    import dualgrad as dg
    from dualgrad.dispatch import _ufuncs
    from dualgrad.dual import new_tag

    rng = np.random.default_rng(0)
    real = _ufuncs._complex_lost
    ones = np.linspace(1.0, 2.0, 10)
    for N, n, number in ((10, 2, 2000), (100_000, 1, 5), (100_000, 4, 5)):
        tag = new_tag()
        z = rng.uniform(0.2, 0.9, N) + 1j * rng.uniform(0.2, 0.9, N)
        u = dg.Dual(z, rng.standard_normal((N, n)) + 0j, tag=tag)
        v = dg.Dual(z[::-1].copy(), rng.standard_normal((N, n)) + 0j, tag=tag)
        cases = {"reciprocal(u)": (lambda: np.reciprocal(u), number),
                 "u ** -1": (lambda: u ** -1, number), "u / v": (lambda: u / v, number)}
        if N == 10:
            cases.update({
                "erfcx d2 at 3 + 2i": (lambda: dg.derivative(lambda q: dg.derivative(
                    lambda t: sc.erfcx((t + 3 + 2j) * ones), q), 0.0), 20),
                "wofz d1 at 3 + 2i": (lambda: dg.derivative(
                    lambda t: sc.wofz((t + 3 + 2j) * ones), 0.0), 100)})
        for name, (call, times) in cases.items():
            quotients, extra = [], []
            for k in range(21):
                pair = {}
                for side in (("with", "without") if k % 2 else ("without", "with")):
                    _ufuncs._complex_lost = real if side == "with" else (lambda *a: False)
                    call()
                    t0 = time.process_time()
                    for _ in range(times):
                        call()
                    pair[side] = (time.process_time() - t0) / times * 1e6
                quotients.append(pair["with"] / pair["without"])
                extra.append(pair["with"] - pair["without"])
            _ufuncs._complex_lost = real
            print(f"{name} N = {N}, n = {n}: with the test / without "
                  f"{statistics.median(quotients):.3f} (+{statistics.median(extra):.1f} us)")


def main():
    if "--check" in sys.argv:
        return check()
    ab_main("silent63.py", child, "case", 1)


if __name__ == "__main__":
    main()
