"""The kernels whose read-only operands compile one signature per layout family
(``_jit.one_layout``, issue 13|14 stop 64, fastci64): each call's time and result bits,
this tree against another, at N = 10 / 1e3 / 1e5 rows and several operand layouts.

    python bench/layouts_ab.py --compare /tmp/main_before [--rounds 5] [CASE_PREFIX ...]

runs fresh processes alternately with this tree's and the other tree's ``dualgrad`` on
the path (each with its own numba cache under ``$TMPDIR/layouts_ab``: the first round
fills it and is not counted), and prints per case the median microseconds a call in
each tree, their ratio (this / other), and whether the outputs' bits agree.  With
``--one`` it runs the cases once in this process and prints ``case us digest`` lines.
"""

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _operands(rng, N, n, kind):
    """Factors f, g (N,) and partials p, q (N, n) laid out as ``kind`` says: C (plain),
    fA (factors strided), pB (p a read-only broadcast of one row), pF (p, q Fortran),
    ro (every input read-only, C)."""
    f, g = rng.standard_normal(N), rng.standard_normal(N)
    p, q = rng.standard_normal((N, n)), rng.standard_normal((N, n))
    f[N // 2] = np.inf                 # one flagged row: the zero rule's pass runs
    p[N // 2, 0] = 0.0
    if kind == "fA":
        f, g = np.repeat(f, 2)[::2], np.repeat(g, 2)[::2]
    elif kind == "pB":
        p = np.broadcast_to(p[:1], (N, n))
    elif kind == "pF":
        p, q = np.asfortranarray(p), np.asfortranarray(q)
    elif kind == "ro":
        for a in (f, g, p, q):
            a.flags.writeable = False
    return f, g, p, q


def _flat(p):
    return p.reshape(-1) if p.shape[1] in (2, 4) and p.flags.c_contiguous else np.empty(0)


def cases():
    """(name, call) pairs; call() runs the kernel once and returns its output."""
    from dualgrad.backend import _numba_kernels as nk
    rng = np.random.default_rng(64)
    out = []
    for N in (10, 1000, 100000):
        for n in (4, 3):
            for kind in ("C", "fA", "pB", "pF", "ro"):
                f, g, p, q = _operands(rng, N, n, kind)
                o = np.empty((N, n))
                tag = f"N={N} n={n} {kind}"
                out.append((f"scale {tag}", lambda f=f, p=p, o=o: (
                    nk.scale(f, p, o, _flat(p), _flat(o)), o)[1]))
                out.append((f"scale2 {tag}", lambda f=f, p=p, g=g, q=q, o=o: (
                    nk.scale2(f, p, g, q, o, _flat(p), _flat(q), _flat(o)), o)[1]))
                if N <= 1000:
                    out.append((f"scale_finite {tag}", lambda f=f, p=p, o=o: (
                        nk.scale_finite(f, p, o), o)[1]))
                    out.append((f"scale2_finite {tag}", lambda f=f, p=p, g=g, q=q, o=o: (
                        nk.scale2_finite(f, p, g, q, o), o)[1]))
                cond = f > 0
                out.append((f"where_rows {tag}", lambda c=cond, p=p, q=q, o=o: (
                    nk.where_rows(c, p, q, o), o)[1]))
                out.append((f"zero_rows {tag}", lambda c=cond, p=p, o=o: (
                    nk.zero_rows(c, p, o, True), o)[1]))
                if N == 10 or kind == "fA" and N == 1000:
                    v = f[:min(N, 100)].copy()
                    v[~np.isfinite(v)] = 1.0
                    pv = p[:v.size]
                    s = np.empty(1 + n)
                    out.append((f"sum_small {tag}", lambda v=v, pv=pv, s=s: (
                        nk.sum_small(v, pv, s), s)[1]))
        m = 3                          # a Hessian's outer level: (R, m, n), middle broadcast
        R = max(N // m, 1)
        for kind in ("C", "pB"):
            f3, g3 = rng.standard_normal((R, m)), rng.standard_normal((R, m))
            p3, q3 = rng.standard_normal((R, m, 4)), rng.standard_normal((R, m, 4))
            if kind == "pB":
                f3 = np.broadcast_to(f3[:, :1], (R, m))
                p3 = np.broadcast_to(p3[:, :1], (R, m, 4))
            o3 = np.empty((R, m, 4))
            tag = f"N={R * m} n=4 {kind}"
            out.append((f"rows_scale {tag}", lambda f=f3, p=p3, o=o3: (
                nk.rows_scale(f, p, False, o), o)[1]))
            out.append((f"rows_scale2 {tag}", lambda f=f3, p=p3, g=g3, q=q3, o=o3: (
                nk.rows_scale2(f, p, False, g, q, False, o), o)[1]))
    return out


def one(only):
    import dualgrad.backend._loader as loader
    loader.load()
    for name, call in cases():
        if only and not any(name.startswith(o) for o in only):
            continue
        result = call()                # compiles or loads
        digest = hashlib.sha1(result.tobytes()).hexdigest()[:12]
        size = result.size
        reps = max(3, min(500, 400_000 // max(size, 1)))
        times = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(reps):
                call()
            times.append((time.perf_counter() - t) / reps)
        print(f"{name}\t{statistics.median(times) * 1e6:.3f}\t{digest}", flush=True)


def compare(other, rounds, only):
    cache = os.path.join(tempfile.gettempdir(), "layouts_ab")
    trees = {"this": HERE, "other": os.path.abspath(other)}
    got = {t: {} for t in trees}
    for r in range(rounds + 1):
        for t in (("this", "other") if r % 2 else ("other", "this")):
            env = dict(os.environ, PYTHONPATH=trees[t],
                       NUMBA_CACHE_DIR=os.path.join(cache, t), PYTHONDONTWRITEBYTECODE="1")
            text = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", *only],
                                  env=env, capture_output=True, text=True, check=True).stdout
            if r == 0:
                continue                # the numba cache filled: not counted
            for line in text.splitlines():
                name, us, digest = line.split("\t")
                got[t].setdefault(name, [[], set()])
                got[t][name][0].append(float(us))
                got[t][name][1].add(digest)
    print(f"{'case':40s} {'other us':>10s} {'this us':>10s} {'ratio':>6s}  bits")
    ratios = []
    for name, (us, digests) in got["this"].items():
        them, their = got["other"][name]
        a, b = statistics.median(us), statistics.median(them)
        ratios.append(a / b)
        same = "same" if digests == their and len(digests) == 1 else "DIFFER"
        print(f"{name:40s} {b:10.3f} {a:10.3f} {a / b:6.2f}  {same}")
    print(f"cases {len(ratios)}, ratio median {statistics.median(ratios):.3f}, "
          f"min {min(ratios):.2f}, max {max(ratios):.2f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--one", action="store_true")
    ap.add_argument("--compare")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("only", nargs="*", help="cases whose names start so (all by default)")
    a = ap.parse_args()
    if a.one:
        one(a.only)
    else:
        compare(a.compare, a.rounds, a.only)
