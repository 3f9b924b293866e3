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
ratios on / off, for the whole call and for the fused kernels' own time in it (each
compiled kernel wrapped in a timer, as ``heat_parts.py`` does).  The forms the rule does not reach (slicing, ``np.diff``) run the
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
import _common  # noqa: E402  (one thread per library)

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
    from dualgrad.backend import _fused, _fusedgen
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
        spent = [0.0]
        real = dict(_fusedgen._compiled)

        _fusedgen._compiled.update({k: _common.timed(v, spent, clock) for k, v in real.items()})
        times, kernels, ratios, kernel_ratios = {on: [], 0: []}, {on: [], 0: []}, [], []
        try:
            for k in range(opts.pairs):
                got, inside = {}, {}
                for left in ((on, 0) if k % 2 == 0 else (0, on)):
                    spent[0] = 0.0
                    t0 = clock()
                    run(left)
                    got[left], inside[left] = clock() - t0, spent[0]
                    times[left].append(got[left])
                    kernels[left].append(inside[left])
                ratios.append(got[on] / got[0])
                kernel_ratios.append(inside[on] / inside[0])
        finally:
            _fusedgen._compiled.update(real)
        for what, t, r in (("call", times, ratios), ("kernels", kernels, kernel_ratios)):
            q1, _, q3 = statistics.quantiles(r, n=4)
            print(f"{label}, {what}: off {statistics.median(t[0]) * 1e3:.1f} ms (min "
                  f"{min(t[0]) * 1e3:.1f}), on {statistics.median(t[on]) * 1e3:.1f} ms "
                  f"(min {min(t[on]) * 1e3:.1f}); on / off, median of {opts.pairs} pairs "
                  f"{statistics.median(r):.3f} (quartiles {q1:.3f}, {q3:.3f})")


if __name__ == "__main__":
    main()
