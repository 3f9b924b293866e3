"""Held inner nodes left pending (``_fused.MAX_LEFT``) on and off, in one process.

    python bench/left_ab.py [--pairs P] [--only NAME]

On a shared machine fresh processes (``bench_fused.py --compare``) do not resolve
5 % in a heat step.  This script times ``dg.jacobian`` of each heat formulation of
bench/problems.py (100,000 cells x 4, the default engine) in one process, with
``dualgrad.backend._fused.MAX_LEFT`` at its value (on: a held inner node of numbers
over one partials array, the ``np.roll`` form's ``lap``, is left pending by its
parent's pass) and at 0 (off: every held node written, as before stop 29),
alternating which goes first; process time (this process's CPU time).  Printed
per form: each side's median and minimum, and the median (quartiles) of the pairs'
ratios on / off.  The forms the rule does not reach (slicing, ``np.diff``) run the
same code on both sides: their ratios are this command's noise at the time.  Both
sides' results are checked to be the same bits first.  Nothing is written.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

import numpy as np  # noqa: E402

FORMS = {"slicing + in-place": "heat", "np.roll + rebinding": "heat_roll",
         "np.diff + concatenate": "heat_diff"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=21)
    parser.add_argument("--only", default="", help="forms whose label contains this")
    opts = parser.parse_args()
    import problems
    import dualgrad as dg
    from dualgrad.backend import _fused
    on = _fused.MAX_LEFT
    clock = time.process_time
    for label, name in FORMS.items():
        if opts.only not in label:
            continue
        form = getattr(problems, name)

        def run(left):
            _fused.MAX_LEFT = left
            try:
                return dg.jacobian(form, problems.HEAT_P)
            finally:
                _fused.MAX_LEFT = on
        results = [run(left) for left in (on, 0, on, 0)]     # warm: both kernels
        if not np.array_equal(results[2].view(np.int64), results[3].view(np.int64)):
            raise SystemExit(f"{label}: the two sides differ")
        times, ratios = {on: [], 0: []}, []
        for k in range(opts.pairs):
            got = {}
            for left in ((on, 0) if k % 2 == 0 else (0, on)):
                t0 = clock()
                run(left)
                got[left] = clock() - t0
                times[left].append(got[left])
            ratios.append(got[on] / got[0])
        q1, _, q3 = statistics.quantiles(ratios, n=4)
        print(f"{label}: off {statistics.median(times[0]) * 1e3:.1f} ms (min "
              f"{min(times[0]) * 1e3:.1f}), on {statistics.median(times[on]) * 1e3:.1f} ms "
              f"(min {min(times[on]) * 1e3:.1f}); on / off, median of {opts.pairs} pairs "
              f"{statistics.median(ratios):.3f} (quartiles {q1:.3f}, {q3:.3f})")


if __name__ == "__main__":
    main()
