"""Object arrays of scalar duals meeting array duals: each spelling's clock (object60).

    python bench/object_arrays.py [--repeat 9] [--number 2000] [--compare DIR]

A right-hand side that returns ``np.array([dx, dy])`` of scalar duals gives NumPy an
object array; RK4 then writes ``y[i] + k1 * h / 2``, ``y[i + 1] = ...``.  Inside one
``dg.jacobian`` of two inputs, each spelling below is timed with ``timeit`` (the
minimum of ``--number`` executions, microseconds), ``--repeat`` times; the median is
shown.  With ``--compare DIR`` another checkout's dualgrad (imported under another
name) is timed in the same process, the two alternating repeat by repeat, and the
ratio this / other is given per spelling.  (The other copy's own reads of partials count as a
user's, its module not being named ``dualgrad``, so its seed's elements are dropped at the
first ``np.zeros_like``: the item assignments, ``y[1] = ...``, then skip the kept elements'
checks there and read ~1 us faster than in the same code imported as ``dualgrad``; compare
those rows with two runs, not with ``--compare``.)  Last, the pendulum row of
bench/corpus59.py (``dg.jacobian``, the same alternation) beside f and
``scipy.optimize.approx_fprime``.  Nothing is written.
"""

import argparse
import statistics
import sys
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)
from rosen_parts import _load_other  # noqa: E402

SPELLINGS = {
    "np.array([s, s]) (pend's return)": "np.array([a, b])",
    "obj * h (object loop)": "obj * h",
    "obj + obj (object loop)": "obj + obj2",
    "row + row": "row + row",
    "row + obj": "row + obj",
    "obj + row": "obj + row",
    "row * obj": "row * obj",
    "np.add(row, obj)": "np.add(row, obj)",
    "s * obj": "a * obj",
    "obj * s": "obj * a",
    "np.sin(obj) (object loop)": "np.sin(obj)",
    "y[1] = obj": "y[1] = obj",
    "y[1] = row": "y[1] = row",
    "y[1] (a 2-D buffer's row)": "y[1]",
    "from_object_array(obj)": "read(obj)",
}


def _spellings(dg, number):
    import numpy as np
    out = {}

    def f(p):
        y = np.zeros_like(p, shape=(3, 2))
        y[0] = np.array([3.0, 0.0])
        row = y[0] + p * 0.0
        a, b = p[0], p[1]
        obj = np.array([row[1], -a * row[1] - b * np.sin(row[0])])
        obj2 = np.array([row[0] * a, row[1] * b])
        names = {"np": np, "y": y, "row": row, "a": a, "b": b, "obj": obj, "obj2": obj2,
                 "h": np.float64(0.1), "read": sys.modules[dg.__name__ + ".dual"].from_object_array}
        for name, stmt in SPELLINGS.items():
            out[name] = min(timeit.repeat(stmt, globals=names, number=number, repeat=1,
                                          timer=time.process_time)) / number * 1e6
        return p
    dg.jacobian(f, np.array([0.25, 5.0]))
    return out


def _clock(fn, min_time=0.2):
    fn()
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        spent = time.perf_counter() - start
        if spent >= min_time:
            return spent / n


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--compare", help="another checkout, alternating with this one")
    opts = parser.parse_args()
    import numpy as np
    from scipy.optimize import approx_fprime
    import dualgrad as dg
    from corpus59 import pendulum_row
    libs = {"this": dg}
    if opts.compare:
        libs["other"] = _load_other(opts.compare)
    samples = {lib: [] for lib in libs}
    rows = {lib: [] for lib in libs}
    x0 = np.array([0.25, 5.0])
    for _ in range(opts.repeat):
        for lib, module in libs.items():
            samples[lib].append(_spellings(module, opts.number))
            rows[lib].append(_clock(lambda: module.jacobian(pendulum_row, x0)))
    tf = _clock(lambda: pendulum_row(x0))
    tfd = _clock(lambda: approx_fprime(x0, pendulum_row))
    header = "| spelling | " + " | ".join(f"{lib} us" for lib in libs) + \
        (" | this / other |" if "other" in libs else " |")
    print(header)
    print("|---" * (len(libs) + 1 + ("other" in libs)) + "|")
    for name in SPELLINGS:
        meds = {lib: statistics.median(s[name] for s in samples[lib]) for lib in libs}
        line = f"| {name} | " + " | ".join(f"{meds[lib]:.2f}" for lib in libs)
        if "other" in libs:
            ratio = statistics.median(a[name] / b[name] for a, b in
                                      zip(samples["this"], samples["other"]))
            line += f" | {ratio:.2f}x"
        print(line + " |")
    meds = {lib: statistics.median(rows[lib]) for lib in libs}
    line = "| pendulum RK4 row, dg.jacobian (ms) | " + \
        " | ".join(f"{meds[lib] * 1e3:.2f}" for lib in libs)
    if "other" in libs:
        ratio = statistics.median(a / b for a, b in zip(rows["this"], rows["other"]))
        line += f" | {ratio:.2f}x"
    print(line + " |")
    print(f"\nf {tf * 1e3:.2f} ms, approx_fprime {tfd * 1e3:.2f} ms (after the repeats); "
          + ", ".join(f"{lib} / approx_fprime {meds[lib] / tfd:.2f}x" for lib in libs))


if __name__ == "__main__":
    main()
