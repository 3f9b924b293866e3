"""Probe codes computed in the fused kernel against read from arrays (elementwise_grad), one process.

    python bench/codes_ab.py [--pairs P] [NAME ...]

For each problem NAME of bench/problems.py (default: the grid field and the
elementwise problem), compiles both kernels, then ``P`` pairs of calls alternating
which serves: ``computed`` (this checkout: a plan's probe-code factors and probes
are ``("q", p)`` coefficients the kernel computes from the row index) or ``read``
(``_fused._code`` answers ``None``, so the same codes are factor arrays and probe
arrays the kernel reads, as before).  The Python, the graphs and the generator
are the same code; only that decision differs.  Process time of the call and of
the fused kernels inside it (medians and minima), the ratios computed / read,
and f's own time in the same loop.  Each call's result is checked against the
problem's reference.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
from _common import ab_cells, timed  # noqa: E402  (one thread per library)

import numpy as np  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=["grid field 101^3", "elementwise N=1e6"])
    parser.add_argument("--pairs", type=int, default=11)
    opts = parser.parse_args()
    import problems
    from dualgrad.backend import _fused, _fusedgen
    code = _fused._code
    sides = {"computed": code, "read": lambda a: None}
    clock = time.process_time
    for name in opts.names:
        d, ref = problems.PROBLEMS[name]("dualgrad")
        f, _ = problems.PROBLEMS[name]("f")
        after, _fused.COMPILE_AFTER = _fused.COMPILE_AFTER, 0
        try:           # the grid's second call meets another structure, compiled when met twice
            for side in ("computed", "read") * 3:
                _fused._code = sides[side]
                d()
        finally:
            _fused.COMPILE_AFTER = after
        spent = [0.0]
        for key, fn in list(_fusedgen._compiled.items()):
            if not getattr(fn, "_codes_ab", False):
                _fusedgen._compiled[key] = timed(fn, spent)
                _fusedgen._compiled[key]._codes_ab = True
        calls = {"computed": [], "read": []}
        kernels = {"computed": [], "read": []}
        plain = []
        for r in range(opts.pairs):
            for side in ("read", "computed") if r % 2 == 0 else ("computed", "read"):
                _fused._code = sides[side]
                spent[0] = 0.0
                t0 = clock()
                result = d()
                calls[side].append(clock() - t0)
                kernels[side].append(spent[0])
                np.testing.assert_allclose(np.concatenate([np.ravel(a) for a in result])
                                           if isinstance(result, (tuple, list)) else
                                           np.ravel(result), ref, rtol=1e-8, atol=1e-12)
            t0 = clock()
            f()
            plain.append(clock() - t0)
        _fused._code = code
        cells = ab_cells({"call": calls, "kernels": kernels}, "read", "computed")
        fm = statistics.median(plain)
        cells.append(f"f {fm * 1e3:.1f} ms: read {statistics.median(calls['read']) / fm:.2f}x f,"
                     f" computed {statistics.median(calls['computed']) / fm:.2f}x f")
        print(f"{name} | " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
