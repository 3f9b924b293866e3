"""The incomplete gamma (and beta) functions' derivatives in their shapes (stats45):
dualgrad's ``jvp`` in ``a`` against JAX's (``jax.scipy.special.gammainc``, jitted, the
compile outside the timing) and SciPy's float call, in the same process.

    python bench/incomplete_shapes.py [--n 10000] [--rounds 7]

Per case, medians of process CPU time per call (ms) and the ratios to SciPy's float
call of the same function and to JAX's jvp.  Points: a uniform in (0.1, 100), x = a *
uniform(0.2, 2) (both sides of x = a, where the series and the continued fraction take
turns); for betainc b uniform in (0.1, 100), x in (0, 1); ``--n`` of them.
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
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
