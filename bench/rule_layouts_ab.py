"""The generated rule kernels' operands by layout: each operation's time and result bits,
this tree against another (issue 13|14, stop 67, fastci67).

    python bench/rule_layouts_ab.py --compare /tmp/main_before [--rounds 5] [CASE_PREFIX ...]

Operations whose partials the rule kernels of ``_rule_kernels`` compute outside a
helper call (``_kernels.local``: ``np.log``, ``np.square``, ``np.arctan2``, ``np.maximum``,
``/``) at N = 1e3 / 1e5 and n = 1 / 3 / 4 / 8, with operands of each
layout the kernels meet: all C-contiguous (``C``), a strided array dual (``strided``:
every other element of a longer one), a float constant (``const``: its value a stride-0
view), a row of constants broadcast over a 2-D dual (``row``), a scalar dual beside the
array dual (``scalar``: its partials a stride-0 broadcast).  Fresh processes alternate
between this tree's and the other tree's ``dualgrad`` (each with its own numba cache
under ``$TMPDIR/rule_layouts_ab``: the first round fills it and is not counted); per case
the median CPU microseconds an operation in each tree (``time.process_time``: the
machine is shared), their ratio (this / other), and
whether the results' bits (values and partials) agree; then the signatures each tree's
rule kernels compiled for the whole set.  With ``--one`` it runs the cases once in this
process and prints ``case us digest`` lines and a ``signatures`` line.  Prints only.
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

OPS = (("log", lambda a, b: np.log(a)), ("square", lambda a, b: np.square(a)),
       ("arctan2", lambda a, b: np.arctan2(a, b)), ("maximum", lambda a, b: np.maximum(a, b)), ("divide", lambda a, b: b / a))


def _operands(dg, rng, N, n, kind):
    """The array dual ``a`` and the other operand ``b`` of a case."""
    from dualgrad.dual._base import new_tag
    tag = new_tag()
    va, vb = rng.uniform(0.5, 2.0, N), rng.uniform(0.5, 2.0, N)
    pa, pb = rng.standard_normal((N, n)), rng.standard_normal((N, n))
    if kind == "strided":
        big = dg.Dual(np.repeat(va, 2), np.repeat(pa, 2, axis=0), tag=tag)
        return big[::2], dg.Dual(vb, pb, tag=tag)
    if kind == "const":
        return dg.Dual(va, pa, tag=tag), 1.25
    if kind == "row":
        M = 10
        return dg.Dual(va.reshape(-1, M), pa.reshape(-1, M, n), tag=tag), vb[:M].copy()
    if kind == "scalar":
        return dg.Dual(va, pa, tag=tag), dg.Dual(1.25, pb[0], tag=tag)
    return dg.Dual(va, pa, tag=tag), dg.Dual(vb, pb, tag=tag)


def cases():
    """(name, call) pairs; call() runs the operation once and returns its result."""
    import dualgrad as dg
    rng = np.random.default_rng(67)
    out = []
    for N in (1000, 100000):
        for n in (1, 3, 4, 8):
            for kind in ("C", "strided", "const", "row", "scalar"):
                a, b = _operands(dg, rng, N, n, kind)
                for name, op in OPS:
                    if name in ("log", "square") and kind != "C" and kind != "strided":
                        continue
                    out.append((f"{name} N={N} n={n} {kind}", lambda a=a, b=b, op=op: op(a, b)))
    return out


def _signatures():
    from dualgrad.backend import _rule_kernels as rk
    return sum(len(d.signatures) for pair in rk.KERNELS.values()
               for fns in pair.values() for d in fns)


def one(only):
    import dualgrad.backend._loader as loader
    loader.load()
    for name, call in cases():
        if only and not any(name.startswith(o) for o in only):
            continue
        result = call()                # compiles or loads
        digest = hashlib.sha1(np.asarray(result.value).tobytes() +
                              np.asarray(result.partials).tobytes()).hexdigest()[:12]
        size = np.asarray(result.partials).size
        reps = max(5, min(200, 400_000 // max(size, 1)))
        times = []
        for _ in range(5):
            t = time.process_time()
            for _ in range(reps):
                call()
            times.append((time.process_time() - t) / reps)
        print(f"{name}\t{statistics.median(times) * 1e6:.3f}\t{digest}", flush=True)
    print(f"signatures\t{_signatures()}", flush=True)


def compare(other, rounds, only):
    cache = os.path.join(tempfile.gettempdir(), "rule_layouts_ab")
    trees = {"this": HERE, "other": os.path.abspath(other)}
    got = {t: {} for t in trees}
    sigs = {}
    for r in range(rounds + 1):
        for t in (("this", "other") if r % 2 else ("other", "this")):
            env = dict(os.environ, PYTHONPATH=trees[t], DUALGRAD_ENGINE="eager",
                       NUMBA_CACHE_DIR=os.path.join(cache, t), PYTHONDONTWRITEBYTECODE="1")
            text = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", *only],
                                  env=env, capture_output=True, text=True, check=True).stdout
            for line in text.splitlines():
                name, us, *digest = line.split("\t")
                if name == "signatures":
                    sigs.setdefault(t, us)
                elif r:                 # round 0 filled the numba cache: not counted
                    got[t].setdefault(name, [[], set()])
                    got[t][name][0].append(float(us))
                    got[t][name][1].add(digest[0])
    print(f"{'case':32s} {'other us':>10s} {'this us':>10s} {'ratio':>6s}  bits")
    ratios = []
    for name, (us, digests) in got["this"].items():
        them, their = got["other"][name]
        a, b = statistics.median(us), statistics.median(them)
        ratios.append(a / b)
        same = "same" if digests == their and len(digests) == 1 else "DIFFER"
        print(f"{name:32s} {b:10.2f} {a:10.2f} {a / b:6.2f}  {same}")
    print(f"cases {len(ratios)}, ratio median {statistics.median(ratios):.3f}, "
          f"min {min(ratios):.2f}, max {max(ratios):.2f}")
    print(f"rule-kernel signatures compiled: other {sigs.get('other')}, this {sigs.get('this')}")


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
