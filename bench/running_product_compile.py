"""np.cumprod's step kernels (``_numba_kernels.running_product`` / ``running_product_complex``):
the CPU seconds numba spends compiling each on a cold cache, and a digest of their results
over rows that take every path (the plain steps under one window for all rows, per-row
windows, the scaled steps of far-range rows, zeros, subnormals, inf and NaN), so that two
trees' kernels can be compared bit for bit (issue 13|14, stop 70, fastci70).

    python bench/running_product_compile.py [TREE ...] [--rounds R]

Each TREE (default: this checkout) runs in fresh processes, alternating, each with an empty
``NUMBA_CACHE_DIR``; printed per tree: the compile CPU of each kernel (the first call,
everything it compiles nested inside it) per round, their medians, and the digest (it must
be the same for every tree).  Prints only.
"""

import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import hashlib, sys, time
import numpy as np
from dualgrad.backend import _kernels, _loader
_loader.load()
k = _kernels._kernels()


def rows(rng, length, count, complex_=False):
    mags = 10.0 ** rng.uniform(-300, 300, (length, count))
    x = mags * rng.choice([-1.0, 1.0], (length, count))
    x[rng.random((length, count)) < 0.15] = rng.uniform(0.5, 2.0)
    x[rng.random((length, count)) < 0.05] = 0.0
    x[rng.random((length, count)) < 0.02] = 5e-324 * 7919.0
    x[rng.random((length, count)) < 0.01] = np.inf
    x[rng.random((length, count)) < 0.01] = np.nan
    if complex_:
        y = rows(rng, length, count)
        return x + 1j * y
    return x


def call(v, p, name):
    v = np.ascontiguousarray(v)
    length = v.shape[0]
    with np.errstate(all="ignore"):
        c = np.cumprod(v, axis=0)
    out = np.empty_like(p)
    vb = (v if v.dtype == np.float64 else v.view(np.float64)).view(np.int64)
    getattr(k, name)(v, c, p, out, vb.reshape(length, -1))
    return out


h = hashlib.sha256()
times = {}
for name, cplx in (("running_product", False), ("running_product_complex", True)):
    dt = np.complex128 if cplx else np.float64
    one = np.ones((3, 2), dt)
    t = time.process_time()
    call(one, np.ones((3, 2, 4), dt), name)          # the compile
    times[name] = time.process_time() - t
    rng = np.random.default_rng(70)
    cases = []
    for length in (1, 2, 3, 5, 12, 40, 300):
        for n in (1, 3, 4, 5, 8):
            cases.append((rows(rng, length, 6, cplx), n, "far"))
            cases.append(((rng.uniform(0.5, 2.0, (length, 6)) * (1 + 1j * cplx)).astype(dt), n, "in"))
    for v, n, kind in cases:
        v = v.astype(dt)
        p = rows(rng, v.shape[0], v.shape[1] * n, cplx).astype(dt).reshape(v.shape + (n,)) \
            if kind == "far" else (rng.standard_normal(v.shape + (n,)) * (1 + 1j * cplx)).astype(dt)
        h.update(call(v, p, name).tobytes())
print(times["running_product"], times["running_product_complex"], h.hexdigest()[:16])
"""


def main(argv):
    rounds = 3
    if "--rounds" in argv:
        i = argv.index("--rounds")
        rounds = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    trees = argv or [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    seen = {t: [] for t in trees}
    for r in range(rounds):
        for tree in (trees if r % 2 == 0 else trees[::-1]):
            with tempfile.TemporaryDirectory() as cache:
                env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=tree)
                out = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=tree,
                                     capture_output=True, text=True, check=True).stdout.split()
            seen[tree].append(out)
            print(f"round {r + 1} {tree}: running_product {float(out[0]):.2f} s, "
                  f"running_product_complex {float(out[1]):.2f} s, digest {out[2]}", flush=True)
    for tree, outs in seen.items():
        print(f"{tree}: medians {statistics.median(float(o[0]) for o in outs):.2f} / "
              f"{statistics.median(float(o[1]) for o in outs):.2f} s, digests {sorted({o[2] for o in outs})}")


if __name__ == "__main__":
    main(sys.argv[1:])
