"""Python calls of one heat step: cProfile of the three heat forms with the fused kernels stubbed.

    python bench/heat_calls.py [--cells 5000] [--steps 200] [--top 25] [--only slicing]

Each form of the heat equation (the sparse one's product kernel, ``backend.sparse_dual``,
not stubbed: it is no fused kernel) in bench/problems.py runs once under ``dg.jacobian``
(fused engine, every structure compiled first), then again under cProfile with every
fused kernel replaced by a function that does nothing (results wrong: only the Python
is looked at).  Prints the function calls per step and the functions with the most
own time, per step (the profiler's own overhead included: the counts are what is
exact; times rank).  Nothing is written.
"""

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

FORMS = {"slicing + in-place": "heat", "np.roll + rebinding": "heat_roll",
         "np.diff + concatenate": "heat_diff", "scipy.sparse L @ u": "heat_sparse"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", default="")
    opts = parser.parse_args()
    import problems
    import dualgrad as dg
    from dualgrad.backend import _fused, _fusedgen
    with dg.engine("fused"):
        for label, name in FORMS.items():
            if opts.only not in label:
                continue
            form = getattr(problems, name)

            def d():
                return dg.jacobian(lambda p: form(p, n=opts.cells, steps=opts.steps),
                                   problems.HEAT_P)
            after, _fused.COMPILE_AFTER = _fused.COMPILE_AFTER, 0
            try:
                d()
                d()
            finally:
                _fused.COMPILE_AFTER = after
            real = dict(_fusedgen._compiled)
            _fusedgen._compiled.update({k: (lambda *args: None) for k in real})
            try:
                prof = cProfile.Profile()
                prof.enable()
                d()
                prof.disable()
            finally:
                _fusedgen._compiled.update(real)
            stats = pstats.Stats(prof)
            print(f"{label} ({opts.cells} x 4): {stats.total_calls / opts.steps:.0f} "
                  f"function calls a step (the call's setup and end included)")
            rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:opts.top]
            for (file, line, fn), (cc, nc, tt, ct, callers) in rows:
                where = f"{Path(file).name}:{line}({fn})" if line else fn
                print(f"  {nc / opts.steps:7.2f} calls {tt / opts.steps * 1e6:7.2f} us own "
                      f"{ct / opts.steps * 1e6:8.2f} us cum  {where}")


if __name__ == "__main__":
    main()
