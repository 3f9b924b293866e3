"""The fused engine with and without recipes (heat51), in one process.

    python bench/recipe_ab.py [--rounds R] [FORM ...]     (FORM: slicing roll diff sparse)

Each heat form of bench/problems.py (100,000 cells x 4 parameters, 200 steps) runs
``dg.jacobian`` ``R`` times a side, alternating the side first in each pair:
recipes on (``_fused.RECIPE_FIELDS = 4``: a factor array that is a deferred ``+ - *``'s
value computed in the kernel from that operation's values) and off (``0``: every
recipe declined, after the same bookkeeping).  Process time: the medians, the ratio
of the medians and the median of the pairs' ratios; the kernels' own time inside
the call (``_fused._kernel``'s functions wrapped); f alone.  The two sides' Jacobians
are first compared bit for bit.
"""

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import numpy as np  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad.backend import _fused  # noqa: E402
from problems import HEAT_P, heat, heat_diff, heat_roll, heat_sparse  # noqa: E402

FORMS = {"slicing": heat, "roll": heat_roll, "diff": heat_diff, "sparse": heat_sparse}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("forms", nargs="*", default=list(FORMS))
    args = parser.parse_args()
    spent = [0.0]
    real = _fused._kernel

    def kernel(*a, **k):
        fn = real(*a, **k)
        if fn is None:
            return None

        def timed(*arguments):
            t0 = time.process_time()
            try:
                return fn(*arguments)
            finally:
                spent[0] += time.process_time() - t0
        return timed
    _fused._kernel = kernel
    for name in args.forms:
        f = FORMS[name]
        got = {}
        for on in (4, 0):
            _fused.RECIPE_FIELDS = on
            for _ in range(2):
                got[on] = dg.jacobian(f, HEAT_P)
        same = np.array_equal(got[4].view(np.int64), got[0].view(np.int64))
        calls, kernels = {4: [], 0: []}, {4: [], 0: []}
        for r in range(args.rounds):
            for on in ((4, 0) if r % 2 else (0, 4)):
                _fused.RECIPE_FIELDS = on
                spent[0] = 0.0
                t0 = time.process_time()
                dg.jacobian(f, HEAT_P)
                calls[on].append(time.process_time() - t0)
                kernels[on].append(spent[0])
        _fused.RECIPE_FIELDS = 4
        tf = []
        for _ in range(5):
            t0 = time.process_time()
            f(HEAT_P)
            tf.append(time.process_time() - t0)

        def ms(v):
            return f"{np.median(v) * 1e3:.1f}"
        pairs = np.median(np.array(calls[4]) / np.array(calls[0]))
        print(f"{name}: bits equal {same} | call: recipes {ms(calls[4])} ms, without "
              f"{ms(calls[0])} ms, ratio {np.median(calls[4]) / np.median(calls[0]):.3f} "
              f"(pairs {pairs:.3f}) | kernels: {ms(kernels[4])} / {ms(kernels[0])} ms, "
              f"{np.median(kernels[4]) / np.median(kernels[0]):.3f} | f {ms(tf)} ms",
              flush=True)


if __name__ == "__main__":
    main()
