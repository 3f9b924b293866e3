"""A change of a few functions timed against another checkout's in one process (prints only).

    python bench/swap_ab.py --compare OTHER_CHECKOUT --swap dualgrad.backend._fused:defer,... \
        [--decline dualgrad.dual._array:_pending_pair,...] [--fresh module:_CACHE,...]
        [--cells N] [--steps S] [--rounds R] [--only FORM] [--kernels]

The heat equation's three formulations (bench/problems.py: slicing + in-place, ``np.roll``
+ rebinding, ``np.diff`` + ``concatenate``) at ``N`` cells x 4 parameters, fused engine.
"Before" is this checkout with each ``--swap`` function replaced by the function of that
name in OTHER's source of the module (its text run in a copy of this module's namespace,
so it calls this checkout's other functions) and each ``--decline`` function (a fast path
new in this checkout) replaced by one returning ``None``; "after" is this checkout.  ``--fresh``: module-level caches the
swapped functions fill in a form of their own (the before side gets an empty dict of
that name; everything else, the pending list included, is shared).  The
two alternate in ``R`` rounds, which goes first alternating too, with f timed in each
round; process time (the machine is shared).  Printed per form: medians of f, before and
after per step, and the median of the per-round ratios after / before.  One process sees
both sides under the same load, which fresh processes (``bench_fused.py --compare``)
do not: use this for changes of a few percent on a loaded machine.  ``--only``: the forms
whose name contains FORM (``slicing``, ``roll``, ``diff``); ``--kernels``: also the fused
kernels' own time per step on each side (process time inside them, as bench/heat_parts.py
takes it).  A function that
module-level code captured by reference (a closure, a table) is not swapped by this.
``--swap module:Class.method`` swaps a method of a module-level class (its ``def`` in
OTHER's class body, run in the module's namespace as a function).
"""

import argparse
import importlib
import re
import statistics
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402  (one thread per library)

FORMS = {"slicing + in-place": "heat", "np.roll + rebinding": "heat_roll",
         "np.diff + concatenate": "heat_diff"}


def _pairs(text):
    """``module:function,...`` as ``[(module, function)]``."""
    return [tuple(item.split(":")) for item in text.split(",") if item]


def sides(other, swaps, declines, fresh=()):
    """``(before, after)``: lists of ``(object, attribute, value)`` to install."""
    import dualgrad.backend as backend
    before, after, spaces = [], [], {}
    for module_name, name in fresh:
        module = importlib.import_module(module_name)
        spaces.setdefault(module_name, dict(vars(module)))[name] = {}
    for module_name, name in swaps:
        module = importlib.import_module(module_name)
        space = spaces.setdefault(module_name, dict(vars(module)))
        path = Path(other) / (module_name.replace(".", "/") + ".py")
        if "." in name:                   # Class.method: a method of a module-level class
            cls, name = name.split(".")
            body = re.search(rf"^class {cls}\b.*?(?=^\S|\Z)", path.read_text(), re.S | re.M)
            found = body and re.search(rf"^    def {name}\(.*?(?=^    \S|\Z)", body.group(0),
                                       re.S | re.M)
            if not found:
                raise SystemExit(f"swap_ab: no method {cls}.{name} in {path}")
            exec(textwrap.dedent(found.group(0)), space)
            module = getattr(module, cls)
            targets = [module]
        else:
            found = re.search(rf"^def {name}\(.*?(?=^\S)", path.read_text(), re.S | re.M)
            if found is None:
                raise SystemExit(f"swap_ab: no function {name} in {path}")
            exec(found.group(0), space)
            targets = [module] + ([backend] if getattr(backend, name, None) is
                                  getattr(module, name) else [])
        for target in targets:
            before.append((target, name, space[name]))
            after.append((target, name, getattr(module, name)))
    for module_name, name in declines:
        module = importlib.import_module(module_name)
        before.append((module, name, lambda *args: None))
        after.append((module, name, getattr(module, name)))
    return before, after


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", required=True)
    parser.add_argument("--swap", default="")
    parser.add_argument("--decline", default="")
    parser.add_argument("--fresh", default="")
    parser.add_argument("--cells", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--only", default="")
    parser.add_argument("--kernels", action="store_true")
    opts = parser.parse_args()
    import problems
    import dualgrad as dg
    from dualgrad.backend import _fused, _fusedgen
    before, after = sides(opts.compare, _pairs(opts.swap), _pairs(opts.decline),
                          _pairs(opts.fresh))

    def use(side):
        for target, name, value in side:
            setattr(target, name, value)
    clock = time.process_time
    spent = [0.0]
    for label, name in FORMS.items():
        if opts.only not in label:
            continue
        form = getattr(problems, name)

        def run():
            return dg.jacobian(lambda p: form(p, n=opts.cells, steps=opts.steps),
                               problems.HEAT_P)
        with dg.engine("fused"):
            compile_after, _fused.COMPILE_AFTER = _fused.COMPILE_AFTER, 0
            try:                                  # every structure compiled
                for side in (before, after):
                    use(side)
                    run()
                    run()
            finally:
                _fused.COMPILE_AFTER = compile_after
            if opts.kernels:
                real = dict(_fusedgen._compiled)
                _fusedgen._compiled.update({k: _common.timed(v, spent, clock) for k, v in real.items()})
            times = {"f": [], "before": [], "after": []}
            inside = {"before": [], "after": []}
            ratios = []
            for r in range(opts.rounds):
                t0 = clock()
                form(problems.HEAT_P, n=opts.cells, steps=opts.steps)
                times["f"].append(clock() - t0)
                order = [("before", before), ("after", after)]
                for side_name, side in order if r % 2 else order[::-1]:
                    use(side)
                    spent[0] = 0.0
                    t0 = clock()
                    run()
                    times[side_name].append(clock() - t0)
                    inside[side_name].append(spent[0])
                ratios.append(times["after"][-1] / times["before"][-1])
            use(after)
            if opts.kernels:
                _fusedgen._compiled.update(real)
        us = {k: statistics.median(v) / opts.steps * 1e6 for k, v in times.items()}
        kernels = "" if not opts.kernels else "; kernels before %.0f us, after %.0f us" % tuple(
            statistics.median(inside[k]) / opts.steps * 1e6 for k in ("before", "after"))
        print(f"{label} ({opts.cells} x 4, fused engine): per step f {us['f']:.0f} us, before "
              f"{us['before']:.0f} us ({us['before'] / us['f']:.2f}x f), after {us['after']:.0f} us "
              f"({us['after'] / us['f']:.2f}x f); after / before {statistics.median(ratios):.3f}"
              f"{kernels}", flush=True)


if __name__ == "__main__":
    main()
