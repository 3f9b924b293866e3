"""The incomplete gamma (and beta) functions' derivatives in their shapes (stats45):
dualgrad's ``jvp`` in ``a`` against JAX's (``jax.scipy.special.gammainc``, jitted, the
compile outside the timing) and SciPy's float call, in the same process.

    python bench/incomplete_shapes.py [--n 10000] [--rounds 7] [--compare DIR] [--first]

Per case, medians of process CPU time per call (ms) and the ratios to SciPy's float
call of the same function and to JAX's jvp.  Points: a uniform in (0.1, 100), x = a *
uniform(0.2, 2) (both sides of x = a, where the series and the continued fraction take
turns); for betainc b uniform in (0.1, 100), x in (0, 1); ``--n`` of them.

``--compare DIR``: the dualgrad rows in ``--rounds`` pairs of fresh processes, dualgrad
imported from the checkout ``DIR`` (before) and from this one (after), alternating; per
row the medians of each side's per-process medians (``--rounds`` 3 within each process)
and after / before, with SciPy's float calls timed in the same processes.
``--first``: the first call's cost (slopes56's per-element kernels compile then): fresh
processes, numba's disk cache in an empty folder (compile) and then in the same folder
again (load from the disk cache), the first and second calls of each jvp on 1000 points
with ``dualgrad.backend.use("numba")`` (CPU s), and the same with ``use("numpy")``.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import median_time  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--compare", default=None)
    parser.add_argument("--first", action="store_true")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--mode", default="auto")
    args = parser.parse_args()
    if args.first:
        return first_calls()
    if args.compare:
        return compare(args)
    import scipy.special as sc

    import dualgrad as dg
    rng = np.random.default_rng(0)
    a = rng.uniform(0.1, 100.0, args.n)
    x = a * rng.uniform(0.2, 2.0, args.n)
    b = rng.uniform(0.1, 100.0, args.n)
    u = rng.uniform(0.0, 1.0, args.n)
    ones = np.ones(args.n)
    shift = iter(range(1, 1 << 40))

    def moved(v):               # v moved by a few ulps, a new point each call
        return v * (1.0 + next(shift) * 2.0 ** -50)
    clock = time.process_time
    if args.child:
        import json
        with dg.backend.use(args.mode):
            rows = {"scipy gammainc (float)": median_time(lambda: sc.gammainc(a, x), 3,
                                                          clock=clock),
                    "dualgrad jvp gammainc in a": median_time(
                        lambda: dg.jvp(lambda s: sc.gammainc(s, x), a, ones), 3, clock=clock),
                    "scipy betainc (float)": median_time(lambda: sc.betainc(a, b, u), 3,
                                                         clock=clock),
                    "dualgrad jvp betainc in a": median_time(
                        lambda: dg.jvp(lambda s: sc.betainc(s, b, u), moved(a), ones), 3,
                        clock=clock),
                    "dualgrad jvp betainc in (a, b)": median_time(
                        lambda: dg.jvp(lambda s: sc.betainc(s[0], s[1], u),
                                       np.stack([moved(a), b]), np.stack([ones, ones])), 3,
                        clock=clock)}
        print(json.dumps(rows))
        return
    rows = {"scipy gammainc (float)": median_time(lambda: sc.gammainc(a, x), args.rounds,
                                                  clock=clock),
            "dualgrad jvp gammainc in a": median_time(
                lambda: dg.jvp(lambda s: sc.gammainc(s, x), a, ones), args.rounds, clock=clock),
            "dualgrad jvp gammainc in (a, x)": median_time(
                lambda: dg.jvp(lambda s: sc.gammainc(s, x * s / s), a, ones), args.rounds,
                clock=clock),
            "scipy betainc (float)": median_time(lambda: sc.betainc(a, b, u), args.rounds,
                                                 clock=clock),
            # a new point every call (rules/_table.py keeps the latest point's betainc
            # slopes for the other shape's derivative: the same point twice would be a hit)
            "dualgrad jvp betainc in a": median_time(
                lambda: dg.jvp(lambda s: sc.betainc(s, b, u), moved(a), ones), args.rounds,
                clock=clock),
            "dualgrad jvp betainc in (a, b)": median_time(
                lambda: dg.jvp(lambda s: sc.betainc(s[0], s[1], u), np.stack([moved(a), b]),
                               np.stack([ones, ones])), args.rounds, clock=clock),
            "dualgrad hessian-vector betainc in a": median_time(
                lambda: dg.jvp(lambda t: dg.jvp(lambda s: sc.betainc(s, b, u), t, ones)[1],
                               moved(a), ones), args.rounds, clock=clock)}
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        import jax.scipy.special as jsc
        ja, jx, jo = jnp.asarray(a), jnp.asarray(x), jnp.asarray(ones)
        f = jax.jit(lambda s: jax.jvp(lambda t: jsc.gammainc(t, jx), (s,), (jo,)))
        f(ja)[1].block_until_ready()
        rows["jax jvp gammainc in a (jit)"] = median_time(
            lambda: f(ja)[1].block_until_ready(), args.rounds, clock=clock)
        _, dj = f(ja)
        _, dd = dg.jvp(lambda s: sc.gammainc(s, x), a, ones)
        print(f"max |dualgrad - jax| / |jax| = {np.max(np.abs(dd - np.asarray(dj)) / np.abs(np.asarray(dj))):.2e}")
    except ImportError:
        pass
    try:
        import jax
        jb = jax.jit(lambda s: jax.jvp(lambda t: jsc.betainc(t, jnp.asarray(b), jnp.asarray(u)),
                                       (s,), (jo,)))
        jb(ja)[1].block_until_ready()
        rows["jax jvp betainc in a (jit)"] = median_time(
            lambda: jb(ja)[1].block_until_ready(), args.rounds, clock=clock)
    except Exception as exc:            # noqa: BLE001 - JAX's refusal, reported
        print(f"jax betainc in a: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}")
    unit = rows["scipy gammainc (float)"]
    jax_t = rows.get("jax jvp gammainc in a (jit)")
    print(f"n = {args.n}, load: {os.getloadavg()}")
    for name, t in rows.items():
        beta = "betainc" in name
        peer = rows.get("jax jvp betainc in a (jit)") if beta else jax_t
        extra = f", {t / peer:6.2f} x jax" if peer else ""
        base = rows["scipy betainc (float)"] if beta else unit
        print(f"{name:40s} {t * 1e3:9.3f} ms  {t / base:7.2f} x scipy{extra}")


def compare(args):
    """``--compare``: :func:`_common.alternate`'s fresh processes, this checkout against
    ``args.compare``."""
    import statistics

    from _common import alternate
    got = alternate("incomplete_shapes.py", ["--n", str(args.n)], args.compare, args.rounds)
    print(f"n = {args.n}, {args.rounds} rounds, load: {os.getloadavg()}")
    print("| row | before ms | after ms | after / before | before / float | after / float |")
    print("|---|---|---|---|---|---|")
    for row in got["after"][0]:
        b = statistics.median(r[row] for r in got["before"])
        t = statistics.median(r[row] for r in got["after"])
        unit = "scipy betainc (float)" if "betainc" in row else "scipy gammainc (float)"
        fb = statistics.median(r[unit] for r in got["before"])
        ft = statistics.median(r[unit] for r in got["after"])
        print(f"| {row} | {b * 1e3:.1f} | {t * 1e3:.1f} | {t / b:.3f} | {b / fb:.1f}x | "
              f"{t / ft:.1f}x |")


_FIRST = """
import time, numpy as np, scipy.special as sc, json
import dualgrad as dg
rng = np.random.default_rng(0)
n = 1000
a = rng.uniform(0.1, 100.0, n); x = a * rng.uniform(0.2, 2.0, n)
b = rng.uniform(0.1, 100.0, n); u = rng.uniform(0.0, 1.0, n); ones = np.ones(n)
sc.gammainc(a, x); sc.betainc(a, b, u)
out = {}
with dg.backend.use(MODE):
    for name, f in (("gammainc in a", lambda s: sc.gammainc(s, x)),
                    ("betainc in a", lambda s: sc.betainc(s, b, u))):
        for call in ("first", "second"):
            t0 = time.process_time()
            dg.jvp(f, a * (1.0 + (call == "second") * 2.0 ** -50), ones)
            out[f"{name}, {call} call"] = time.process_time() - t0
print(json.dumps(out))
"""


def first_calls():
    """``--first``: the first and second calls' CPU seconds in fresh processes."""
    import tempfile

    from _common import fresh_process
    print(f"load: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as cache:
        for label, mode in (("numba, empty disk cache", "numba"),
                            ("numba, disk cache from the run above", "numba"),
                            ("numpy", "numpy")):
            got = fresh_process(_FIRST.replace("MODE", repr(mode)), cache)
            print(f"{label}: " + ", ".join(f"{k} {v:.3f} s" for k, v in got.items()))


if __name__ == "__main__":
    main()
