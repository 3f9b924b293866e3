"""A change to the fused engine's planning, timed in one process against another checkout's.

    python bench/fused_ab.py OTHER_CHECKOUT [--cells N] [--steps S] [--repeat R] [--kernels]

On a loaded machine, fresh processes (``bench_fused.py --compare``, ``heat_parts.py``
run in each checkout) do not resolve a change of 10 % in a heat step's Python.  This
script runs both versions in one process: the functions named in ``FUNCTIONS`` are
read from ``OTHER_CHECKOUT/dualgrad/backend/_fused.py`` and defined over this
checkout's module (its state, its other functions), then swapped in and out of
``dualgrad.backend._fused`` and the backend door, repeat by repeat, alternating which
goes first.  For each heat formulation of bench/problems.py, with the fused engine at
every size and (unless ``--kernels``) every fused kernel stubbed out as in
``heat_parts.py`` (the values, the dispatch, the graph and the plans: what the
functions above cost), process time per step: medians and minima of each side, and
their ratios (this checkout / OTHER).  The results of both sides are checked to be
the same bits (with the real kernels) first.  Nothing is written.

Only what ``FUNCTIONS`` names is swapped: changes elsewhere (the dispatch) are in
both sides alike.  None of them may rebind the module's globals.
"""

import argparse
import ast
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

FUNCTIONS = ("add_into", "_plan", "_order", "_kinds", "before_write", "materialize",
             "write_into", "columns", "_arguments", "_outputs")
FORMS = {"slicing + in-place": "heat", "np.roll + rebinding": "heat_roll",
         "np.diff + concatenate": "heat_diff"}


def other_functions(path, module):
    """``FUNCTIONS`` as ``path`` defines them, over a copy of ``module``'s globals."""
    tree = ast.parse(Path(path).read_text())
    space = dict(module.__dict__)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in FUNCTIONS:
            exec(compile(ast.Module([node], []), str(path), "exec"), space)
    return {name: space[name] for name in FUNCTIONS if name in space}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other")
    parser.add_argument("--cells", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--kernels", action="store_true",
                        help="run the real kernels (default: stubbed)")
    opts = parser.parse_args()
    import numpy as np
    import problems
    import dualgrad as dg
    from dualgrad import backend
    from dualgrad.backend import _fused, _fusedgen
    sides = {"other": other_functions(Path(opts.other) / "dualgrad/backend/_fused.py",
                                      _fused),
             "this": {}}
    sides["this"] = {name: getattr(_fused, name) for name in sides["other"]}

    def use(side):
        for name, fn in sides[side].items():
            setattr(_fused, name, fn)
            if getattr(backend, name, None) is not None:
                setattr(backend, name, fn)
    clock = time.process_time
    with dg.engine("fused"):
        for label, name in FORMS.items():
            form = getattr(problems, name)

            def d():
                return dg.jacobian(lambda p: form(p, n=opts.cells, steps=opts.steps),
                                   problems.HEAT_P)
            after, _fused.COMPILE_AFTER = _fused.COMPILE_AFTER, 0
            try:
                got = {}
                for side in ("other", "this", "other", "this"):
                    use(side)
                    got[side] = d()
            finally:
                _fused.COMPILE_AFTER = after
            if not np.array_equal(got["other"], got["this"]):
                raise SystemExit(f"{label}: the two sides' results differ")
            real = dict(_fusedgen._compiled)
            if not opts.kernels:
                _fusedgen._compiled.update({k: (lambda *args: None) for k in real})
            samples = {"other": [], "this": []}
            try:
                for i in range(opts.repeat):
                    for side in (("this", "other") if i % 2 else ("other", "this")):
                        use(side)
                        t0 = clock()
                        d()
                        samples[side].append(clock() - t0)
            finally:
                _fusedgen._compiled.update(real)
                use("this")
            med = {k: statistics.median(v) / opts.steps * 1e6 for k, v in samples.items()}
            low = {k: min(v) / opts.steps * 1e6 for k, v in samples.items()}
            print(f"{label} ({opts.cells} x 4, kernels {'run' if opts.kernels else 'stubbed'})"
                  f": per step other {med['other']:.0f} us (min {low['other']:.0f}), this "
                  f"{med['this']:.0f} us (min {low['this']:.0f}); this / other "
                  f"{med['this'] / med['other']:.3f} (minima {low['this'] / low['other']:.3f})",
                  flush=True)


if __name__ == "__main__":
    main()
