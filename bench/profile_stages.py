"""Where an elementwise_grad problem's time goes, by stage, in CPU time.

    python bench/profile_stages.py "grid field 101^3"
    python bench/profile_stages.py "elementwise N=1e6" --local
    python bench/profile_stages.py "heat equation 100000x4" --local --repeat 5

Times f and the dualgrad row of ``problems.py`` with ``time.process_time`` (CPU
time: on a loaded machine wall-clock medians do not resolve 10 %), medians of
``--repeat`` interleaved repeats, and the stages of the dualgrad call measured by
wrapping them: the private copies of the arguments, the seeds, the fused kernel
that writes the results (``_fused_columns``) and each local derivative the table's
functions compute with NumPy.  ``--local`` also times the call with the fused
kernels' own local derivatives turned off (``dispatch._ufuncs._local``: each
derivative a NumPy pass, as before they were computed in the kernel), interleaved
with the default, and prints the median ratio of the pairs.  ``--values`` times
f's NumPy passes written into fresh arrays (no temporary elision), what
dualgrad's values cost; ``--unchecked``, ``elementwise_grad(..., check=False)``
(no probing direction).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent),   # this checkout's dualgrad
                str(Path(__file__).resolve().parent)]

import _common  # noqa: E402,F401  (one thread per library)
from problems import PROBLEMS  # noqa: E402

STAGES = {}


def _timed(module, attr, label):
    fn = getattr(module, attr)

    def wrapper(*args, **kwargs):
        t0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            STAGES[label] = STAGES.get(label, 0.0) + time.process_time() - t0
    setattr(module, attr, wrapper)


def _wrap_derivatives():
    from dualgrad.rules import _table
    for ufunc, rule in list(_table.RULES.items()):
        if rule.kind != "smooth":
            continue
        fns = _table.derivative_functions(rule)
        wrapped = []
        for k, fn in enumerate(fns):
            if callable(fn):
                def one(*args, fn=fn, label=f"NumPy local derivative {rule.name}[{k}]"):
                    t0 = time.process_time()
                    try:
                        return fn(*args)
                    finally:
                        STAGES[label] = STAGES.get(label, 0.0) + time.process_time() - t0
                wrapped.append(one)
            else:
                wrapped.append(fn)
        _table._COMPILED[ufunc] = tuple(wrapped)


def _cpu(fn, reps):
    t0 = time.process_time()
    for _ in range(reps):
        fn()
    return (time.process_time() - t0) / reps


def _fresh_values():
    """f's passes of the grid and elementwise problems into fresh arrays."""
    import numpy as np
    x, y, z = np.mgrid[-100:101:2., -100:101:2., -100:101:2.]
    w = np.linspace(-3, 3, 1_000_000)

    def grid():
        t = np.square(x)
        a = np.multiply(2, t)
        del t
        t = np.square(y)
        b = np.multiply(3, t)
        del t
        s = np.add(a, b)
        del a, b
        c = np.multiply(4, z)
        return np.subtract(s, c)

    def wave():
        s = np.sin(w)
        t = np.square(w)
        n = np.negative(t)
        del t
        e = np.exp(n)
        del n
        p = np.multiply(s, e)
        del s, e
        t = np.square(w)
        q = np.log1p(t)
        del t
        return np.add(p, q)
    return {"grid field 101^3": grid, "elementwise N=1e6": wave}


def _unchecked(name):
    """The problem's elementwise_grad without the probing direction."""
    import numpy as np
    import dualgrad as dg
    import problems
    if name == "grid field 101^3":
        x, y, z = np.mgrid[-100:101:2., -100:101:2., -100:101:2.]
        g = dg.elementwise_grad(problems.potential, argnums=(0, 1, 2), check=False)
        return lambda: g(x, y, z)
    w = np.linspace(-3, 3, 1_000_000)
    g = dg.elementwise_grad(problems.wave, check=False)
    return lambda: g(w)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problem", choices=sorted(PROBLEMS))
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--local", action="store_true")
    parser.add_argument("--values", action="store_true")
    parser.add_argument("--unchecked", action="store_true")
    opts = parser.parse_args()
    if (opts.values or opts.unchecked) and \
            opts.problem not in ("grid field 101^3", "elementwise N=1e6"):
        parser.error("--values and --unchecked: the grid field and elementwise problems only")
    from dualgrad.api import transforms
    from dualgrad.dispatch import _ufuncs
    _timed(transforms, "private", "private copies of the arguments")
    _timed(transforms, "_seed_columns", "seeds")
    _timed(transforms, "_fused_columns", "fused kernel (results and probe checks)")
    _wrap_derivatives()
    f, _ = PROBLEMS[opts.problem]("f")
    d, _ = PROBLEMS[opts.problem]("dualgrad")
    local, off = _ufuncs._local, (lambda *args: None)
    fns = {"f": f, "dualgrad": d}
    if opts.local:
        def without():
            _ufuncs._local = off
            try:
                d()
            finally:
                _ufuncs._local = local
        fns["dualgrad, local derivatives as NumPy passes"] = without
    if opts.values:
        fns["f's passes into fresh arrays"] = _fresh_values()[opts.problem]
    if opts.unchecked:
        fns["dualgrad, check=False"] = _unchecked(opts.problem)
    for fn in fns.values():                   # warm-up: kernels compiled or loaded
        fn(), fn(), fn()
    STAGES.clear()
    samples = {k: [] for k in fns}
    calls = 0
    for _ in range(opts.repeat):
        for k, fn in fns.items():
            samples[k].append(_cpu(fn, 5))
            calls += 5 if k == "dualgrad" else 0
    STAGES_PER_CALL = {k: v / calls for k, v in STAGES.items()} \
        if not (opts.local or opts.unchecked) else {}
    F = statistics.median(samples["f"])
    for k, v in samples.items():
        m = statistics.median(v)
        print(f"{k}: {m * 1e3:.2f} ms ({m / F:.2f}x f)")
    if opts.local:
        key = "dualgrad, local derivatives as NumPy passes"
        ratio = statistics.median(a / b for a, b in zip(samples["dualgrad"], samples[key]))
        print(f"pairs dualgrad / {key}: {ratio:.3f}")
    if opts.unchecked:
        key = "dualgrad, check=False"
        ratio = statistics.median(a / b for a, b in zip(samples[key], samples["dualgrad"]))
        print(f"pairs {key} / dualgrad: {ratio:.3f}")
    for k, v in sorted(STAGES_PER_CALL.items(), key=lambda kv: -kv[1]):
        if v * 1e3 >= 0.05:
            print(f"  {k}: {v * 1e3:.2f} ms ({v / F:.2f} f)")


if __name__ == "__main__":
    main()
