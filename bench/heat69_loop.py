"""A heat form's Jacobian (or f) in a loop, for a profiler outside Python (heat69).

    python bench/heat69_loop.py [--root DIR] FORM dg|f CALLS

FORM is ``slicing``, ``roll``, ``diff`` or ``sparse`` (bench/problems.py's ``heat``,
``heat_roll``, ``heat_diff``, ``heat_sparse``, 100,000 cells x 4 parameters, 200 steps);
``dg`` runs ``dg.jacobian`` of it, ``f`` the float function.  Three warm-up calls of
each, then "start" is printed and ``CALLS`` timed calls follow; the last line is the
mean wall time of a call.  ``--root``: the checkout whose dualgrad is imported (default:
this one).  Nothing is written.  How heat69 used it (bench/MISSES.md, stop 69):

    # CPU samples by library, the warm-up left out (about 4.5 s here):
    perf record -F 4000 -D 4500 -o p.data python bench/heat69_loop.py slicing dg 30
    perf report -i p.data -n --no-children --sort dso -g none
    # (samples x 250 us / (30 calls x 200 steps): CPU us a step per library)
    # NumPy's inner loops counted, warm-up included (the same count on both sides):
    perf probe -x .../numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so \\
        DOUBLE_add_X86_V3
    perf stat -e 'probe__multiarray_umath:*' python bench/heat69_loop.py slicing dg 20
    perf probe -d 'probe__multiarray_umath:*'
"""

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("form", choices=["slicing", "roll", "diff", "sparse"])
    ap.add_argument("side", choices=["dg", "f"])
    ap.add_argument("calls", type=int)
    ap.add_argument("--root", default=str(HERE.parent))
    a = ap.parse_args()
    sys.path[:0] = [a.root, str(HERE)]
    import _common  # noqa: F401  (one thread per library)
    import dualgrad as dg
    import problems as P
    form = {"slicing": P.heat, "roll": P.heat_roll, "diff": P.heat_diff,
            "sparse": P.heat_sparse}[a.form]
    for _ in range(3):
        dg.jacobian(form, P.HEAT_P)
        form(P.HEAT_P)
    print("start", flush=True)
    t0 = time.perf_counter()
    for _ in range(a.calls):
        if a.side == "dg":
            dg.jacobian(form, P.HEAT_P)
        else:
            form(P.HEAT_P)
    print(a.side, f"{(time.perf_counter() - t0) / a.calls * 1e3:.1f} ms a call")


if __name__ == "__main__":
    main()
