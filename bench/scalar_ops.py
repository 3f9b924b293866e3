"""Scalar-dual operators against num-dual's, in one process.

    python bench/scalar_ops.py [--n 2 10] [--repeat 9] [--number 20000] [--compare DIR]

Inside a helper's pass (``dg.gradient``), on two elements of ``np.asarray`` of the
seed already read (what ``rosen``'s body meets), each operator is timed with
``timeit`` (process time, the minimum of ``--repeat`` runs of ``--number``
executions, microseconds); num-dual's dual numbers inside ``num_dual.gradient`` beside
them (``np.sin(d)`` there is its ``d.sin()``: num-dual's numbers take no NumPy ufunc
protocol).  ``math.sin(d)`` raises by design (it would drop the derivatives) and is not
timed.  With ``--compare DIR`` another checkout's dualgrad (imported under another
name) is timed the same way after this one.  Nothing is written.
"""

import argparse
import sys
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)
from rosen_parts import _load_other  # noqa: E402

OPS = {"d * d": "a * b", "d + d": "a + b", "d - d": "a - b", "d / d": "a / b",
       "d + 1.0": "a + 1.0", "1 - d": "1 - a", "100.0 * d": "100.0 * a",
       "d ** 2.0": "a ** 2.0", "d ** 2": "a ** 2", "np.sin(d)": "np.sin(a)"}


def _time(opts, a, b, sin_method=False):
    import numpy as np
    out = {}
    for name, stmt in OPS.items():
        if sin_method and name == "np.sin(d)":
            stmt = "a.sin()"
        out[name] = min(timeit.repeat(stmt, globals={"a": a, "b": b, "np": np},
                                      number=opts.number, repeat=opts.repeat,
                                      timer=time.process_time)) / opts.number * 1e6
    return out


def _ours(opts, dg, x):
    import numpy as np
    res = {}

    def f(v):
        a = np.asarray(v)
        e0, e1 = a[0], a[1]
        e0.value, e1.value      # noqa: B018 (read: no longer the unread twins)
        res.update(_time(opts, e0, e1))
        return v[0]
    dg.gradient(f, x)
    return res


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[2, 10])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--number", type=int, default=20000)
    parser.add_argument("--compare", help="another checkout, timed after this one")
    opts = parser.parse_args()
    import numpy as np
    import dualgrad as dg
    other = _load_other(opts.compare) if opts.compare else None
    try:
        import num_dual as nd
    except ImportError:
        nd = None
    for n in opts.n:
        x = np.linspace(0.3, 0.9, n)
        cols = {"dualgrad": _ours(opts, dg, x)}
        if other is not None:
            cols["other"] = _ours(opts, other, x)
        if nd is not None:
            res = {}

            def g(v):
                res.update(_time(opts, v[0], v[1], sin_method=True))
                return v[0]
            nd.gradient(g, list(x))
            cols["num-dual"] = res
        print(f"n = {n} (min of {opts.repeat} x {opts.number}, us per operation)")
        print(f"  {'op':10s} " + " ".join(f"{c:>9s}" for c in cols) +
              ("  dualgrad / num-dual" if nd is not None else ""))
        for op in OPS:
            row = " ".join(f"{cols[c][op]:9.3f}" for c in cols)
            ratio = f"  {cols['dualgrad'][op] / cols['num-dual'][op]:6.2f}" if nd else ""
            print(f"  {op:10s} {row}{ratio}")


if __name__ == "__main__":
    main()
