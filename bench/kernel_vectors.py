"""How wide LLVM vectorizes each fused kernel a problem compiles, and with scratch stores added.

    python bench/kernel_vectors.py [--repeat R] [NAME ...]

For each problem NAME of bench/problems.py (default: the three heat forms), runs
dualgrad once with every structure compiled at first sight, keeps each kernel's
first arguments (copies), and compiles the kernel's text twice in this process: as
dualgrad generates it, and, for a kernel whose only stores are its root's row (no
``acc``, no inner node a dual holds, no picked columns), with the rows of the
root's kids that are nodes also stored into a scratch ``Z`` of two rows (written
alternately, never read): LLVM's SLP vectorizer starts from chains of stores, and
this tests whether such a kernel is vectorized across its directions only when it
has more than one (the heat kernels that also write a held ``lap`` are 4-wide, the
others 2-wide or scalar).  Printed per kernel: the leaves' kinds, ``acc`` and
outputs, the counts of add/sub/mul instructions on 4-wide (ymm) and 2-wide (xmm)
vectors and of scalar ones in its assembly, one call's time on the kept arguments
(wall clock, interleaved: median and minimum of R), and whether both versions give
the same bits.  Nothing is written.
"""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402

HEAT = ["heat equation 100000x4", "heat equation np.roll + rebinding",
        "heat equation np.diff + concatenate"]


def widths(fn):
    """(ymm, xmm, scalar) counts of add/sub/mul instructions in ``fn``'s assembly."""
    asm = "\n".join(fn.inspect_asm().values())
    return (len(re.findall(r"v(?:add|sub|mul)pd[^\n]*ymm", asm)),
            len(re.findall(r"v(?:add|sub|mul)pd[^\n]*xmm", asm)),
            len(re.findall(r"v(?:add|sub|mul)sd", asm)))


def with_scratch(key, text):
    """``text`` with the root's node kids stored into ``Z`` (a last parameter) before
    the root's row in the unrolled loop, or ``None`` where the kernel stores more
    than the root's row (or has no unrolled loop)."""
    if key[0] == "columns" or key[5] or key[6] or not key[0]:
        return None
    nodes, n = key[2], key[0]
    kids = sorted({j for coef, (kind, j) in nodes[-1] if kind == "t"})
    stores = [f"Z[i & 1, {k}] = t{j}_{k}" for j in kids for k in range(n)
              if f"t{j}_{k} = " in text]
    first = re.search(r"\n( +)out\[i, 0\] = ", text)
    if not stores or first is None:
        return None
    pad = first.group(1)
    text = text[:first.start()] + "".join(f"\n{pad}{s}" for s in stores) + text[first.start():]
    return re.sub(r"(def fused\([^)]*)\)", r"\1, Z)", text, count=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=HEAT)
    parser.add_argument("--repeat", type=int, default=15)
    opts = parser.parse_args()
    import problems
    from dualgrad.backend import _fused, _fusedgen
    every = {**problems.PROBLEMS, **problems.TWO_ARGUMENTS}
    kept = {}
    for name in opts.names:
        d, _ = every[name]("dualgrad")
        after, _fused.COMPILE_AFTER = _fused.COMPILE_AFTER, 0
        try:
            d()
        finally:
            _fused.COMPILE_AFTER = after
        for key, fn in list(_fusedgen._compiled.items()):
            def keep(*args, key=key, fn=fn, name=name):
                if key not in kept:
                    kept[key] = (name, [a.copy() if isinstance(a, np.ndarray) else a
                                        for a in args])
                return fn(*args)
            _fusedgen._compiled[key] = keep
        d()

    def build(text):
        namespace = {"__name__": "kernel_vectors"}
        exec(compile(text.replace("cache=True", "cache=False"), "<kernel>", "exec"), namespace)
        return namespace["fused"]

    def fresh(args):
        return [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    for key, (name, args) in kept.items():
        text = _fusedgen.source(key[2], picks=key[1]) if key[0] == "columns" else \
            _fusedgen.source(key)
        what = "columns" if key[0] == "columns" else \
            f"leaves {''.join(key[1])} acc {key[5]} outputs {list(key[6])}"
        fns = {"generated": (build(text), [])}
        scratch = with_scratch(key, text)
        if scratch is not None:
            fns["Z stores added"] = (build(scratch), [np.empty((2, key[0]))])
        shape = {}
        for label, (fn, extra) in fns.items():
            with _fusedgen.vectorizing():
                fn(*fresh(args), *extra)
            shape[label] = widths(fn)
        times = {label: [] for label in fns}
        results = {}
        for _ in range(opts.repeat):
            for label, (fn, extra) in fns.items():
                a = fresh(args)
                t0 = time.perf_counter()
                fn(*a, *extra)
                times[label].append(time.perf_counter() - t0)
                results[label] = a
        cells = []
        for label in fns:
            y, x, s = shape[label]
            ts = times[label]
            cells.append(f"{label}: ymm {y} xmm {x} scalar {s}, "
                         f"{statistics.median(ts) * 1e3:.3f} ms (min {min(ts) * 1e3:.3f})")
        tail = ""
        if len(fns) == 2:
            same = all(np.array_equal(x, y, equal_nan=True)
                       for x, y in zip(*results.values()) if isinstance(x, np.ndarray))
            ratio = statistics.median(times["Z stores added"]) / statistics.median(
                times["generated"])
            tail = f" | added / generated {ratio:.2f}, same bits {same}"
        print(f"{name} | {what} | " + " | ".join(cells) + tail, flush=True)


if __name__ == "__main__":
    main()
