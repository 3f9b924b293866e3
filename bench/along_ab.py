"""Few-direction products of the lean NumPy path (issue 13, twodir68): the backend's
``scaled_small(f, p)`` (``f[..., None] * p``) and ``pair_small(f, p, g, q)`` (``f[...,
None] * p + g[..., None] * q``) on float64 values of N elements and n directions, numba
not loaded (its load held off), and the public ``x * y`` / ``x ** 2`` of array duals of
2 and 3 directions inside ``dg.jacobian`` (prints only).

    python bench/along_ab.py [--compare /tmp/main_before] [--rounds 3] [--quick]

Each case's median process time per call, us (``scaled N n``, ``pair N n``, ``x * y
SHAPE n``, ``x ** 2 SHAPE n``); with ``--compare`` fresh processes alternate between
the two checkouts (``_common.ab_main``) and the table gives this / other per case.
``--quick``: N = 480, 1000, 1e4 and n = 1..4 only.
"""
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]
from _common import ab_main  # noqa: E402  (one BLAS thread, before NumPy)

if "--quick" in sys.argv:                      # (the children see it in their environment)
    sys.argv.remove("--quick")
    os.environ["ALONG_AB_QUICK"] = "1"
QUICK = os.environ.get("ALONG_AB_QUICK") == "1"


def _us(fn, target=2e-3, repeat=5):
    fn()
    t, calls = time.process_time(), 0
    while time.process_time() - t < target / 4:
        fn()
        calls += 1
    calls = max(4 * calls, 3)
    times = []
    for _ in range(repeat):
        t = time.process_time()
        for _ in range(calls):
            fn()
        times.append((time.process_time() - t) / calls * 1e6)
    return statistics.median(times)


def child():
    import numpy as np
    import dualgrad as dg
    from dualgrad import backend
    from dualgrad.backend import _loader
    _loader.LOAD_AFTER = float("inf")         # numba not loaded, as bench_corpus's rows
    rng = np.random.default_rng(68)
    got = {}
    sizes = (480, 1000, 10 ** 4) if QUICK else (10, 100, 480, 1000, 10 ** 4, 10 ** 5)
    for n in ((1, 2, 3, 4) if QUICK else (1, 2, 3, 4, 6, 8)):
        for N in sizes:
            f, g = rng.normal(size=N), rng.normal(size=N)
            p, q = rng.normal(size=(N, n)), rng.normal(size=(N, n))
            got[f"scaled {N} {n}"] = _us(lambda: backend.scaled_small(f, p))
            got[f"pair {N} {n}"] = _us(lambda: backend.pair_small(f, p, g, q))

    def public(x):
        for shape in ((12, 40), (30, 30), (60, 60)):     # (below the fused engine's size)
            u = np.ones_like(x[0], shape=shape) * x[0] + np.ones(shape) * x[1]
            v = np.sin(u)
            got[f"x * y {shape} {x.size}"] = _us(lambda: u * v)
            got[f"x ** 2 {shape} {x.size}"] = _us(lambda: u ** 2)
        return x
    dg.jacobian(public, np.array([0.3, 0.7]))
    dg.jacobian(public, np.array([0.3, 0.7, 0.1]))
    print(json.dumps(got))


if __name__ == "__main__":
    ab_main("along_ab.py", child)
