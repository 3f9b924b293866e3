"""The gamma / beta log densities' gradients in their shapes (stats46: Stirling's
series from a shape of 10): dualgrad's gradient against SciPy's float call and
against JAX's jitted gradient (jax.scipy.stats), in one run.

    python bench/shape_logpdf.py [--n 10000] [--reps 15]

``f(p) = sum gamma.logpdf(y, p[0], scale=p[1])`` with shape 3 (SciPy's formula) and
300 (the series), and ``sum beta.logpdf(z, p[0], p[1])`` with shapes (3, 5) and
(300, 500); ``--n`` points drawn from the distribution.  One process, one thread
per library, process time, ``--reps`` calls each after one to warm up, medians in
ms, ratios to SciPy's float f.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402,F401  (one thread per library)


def _median(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return 1e3 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    import numpy as np
    import scipy.stats as ss

    import dualgrad as dg
    from dualgrad.scipy import stats as ds
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        from jax.scipy import stats as js
    except ImportError:
        jax = None
    rng = np.random.default_rng(0)
    print(f"dualgrad from {Path(dg.__file__).parent}, n = {args.n}")
    print(f"{'case':<22}{'scipy f':>10}{'dualgrad grad':>15}{'x f':>7}{'jax grad':>10}{'x f':>7}")
    for a in (3.0, 300.0):
        y = rng.gamma(a, 2.0, size=args.n)
        p = np.array([a, 2.0])
        f = lambda p: np.sum(ss.gamma.logpdf(y, p[0], scale=p[1]))       # noqa: E731
        g = lambda p: np.sum(ds.gamma.logpdf(y, p[0], scale=p[1]))       # noqa: E731
        row = [_median(lambda: f(p), args.reps), _median(lambda: dg.gradient(g, p), args.reps)]
        if jax:
            yj = jnp.asarray(y)
            jg = jax.jit(jax.grad(lambda p: jnp.sum(js.gamma.logpdf(yj, p[0], scale=p[1]))))
            pj = jnp.asarray(p)
            row.append(_median(lambda: jg(pj).block_until_ready(), args.reps))
        _print(f"gamma a = {a:g}", row)
    for a, b in ((3.0, 5.0), (300.0, 500.0)):
        z = rng.beta(a, b, size=args.n)
        p = np.array([a, b])
        f = lambda p: np.sum(ss.beta.logpdf(z, p[0], p[1]))              # noqa: E731
        g = lambda p: np.sum(ds.beta.logpdf(z, p[0], p[1]))              # noqa: E731
        row = [_median(lambda: f(p), args.reps), _median(lambda: dg.gradient(g, p), args.reps)]
        if jax:
            zj = jnp.asarray(z)
            jg = jax.jit(jax.grad(lambda p: jnp.sum(js.beta.logpdf(zj, p[0], p[1]))))
            pj = jnp.asarray(p)
            row.append(_median(lambda: jg(pj).block_until_ready(), args.reps))
        _print(f"beta ({a:g}, {b:g})", row)


def _print(name, row):
    text = f"{name:<22}{row[0]:>10.3f}{row[1]:>15.3f}{row[1] / row[0]:>7.1f}"
    if len(row) > 2:
        text += f"{row[2]:>10.3f}{row[2] / row[0]:>7.1f}"
    print(text)


if __name__ == "__main__":
    main()
