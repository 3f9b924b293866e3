"""Another checkout's fused-kernel texts against this one's, in one process, per call and per kernel.

    python bench/kernel_ab.py OTHER_CHECKOUT [--pairs P] [NAME ...]

For each problem NAME of bench/problems.py (default: the three heat forms), runs
dualgrad once with every structure compiled at first sight, keeps each kernel's
first arguments (copies of the arrays they view, so views of one array stay views
of one copy), and compiles each structure's text twice in this process: as
``OTHER_CHECKOUT/dualgrad/backend/_fusedgen.py`` writes it and as this checkout's
does.  Then ``P`` pairs of calls of the problem, alternating which kernels serve
it (the values, the Python and the graphs are the same code: only the kernels
differ), process time: medians and minima of the call and of the kernels' time
inside it, and the ratios this / other.  Each call's result is checked against
the problem's reference.  Nothing is written.

An OTHER checkout older than stop 46 (its ``_fusedgen`` has no ``lead``) knows no
``"o"``, ``"f<m>"`` and ``"v<a>.<m>"`` leaves (``acc``'s own rows, rows ahead, another
leaf's rows ahead): it is given the key with those as ``"m"``, which is how that
checkout classed them (the same leaf read at the element's row).
"""

import argparse
import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402  (one thread per library)

import numpy as np  # noqa: E402

HEAT = ["heat equation 100000x4", "heat equation np.roll + rebinding",
        "heat equation np.diff + concatenate"]


def snapshot(args):
    """Copies of a kernel call's arguments: each array's outermost base copied once,
    and the array rebuilt as the same view of the copy (``rebuild``)."""
    bases, index, spec = [], {}, []
    for a in args:
        if not isinstance(a, np.ndarray):
            spec.append(("v", a))
            continue
        root = a
        while isinstance(root.base, np.ndarray):
            root = root.base
        if not root.flags.c_contiguous:
            root = a
        j = index.get(id(root))
        if j is None:
            j = index[id(root)] = len(bases)
            bases.append((root.copy(), root.ctypes.data))
        spec.append(("a", j, a.ctypes.data - bases[j][1], a.shape, a.strides, a.dtype))
    return [b for b, _ in bases], spec


def rebuild(snap):
    """Fresh arrays from a :func:`snapshot`."""
    bases, spec = snap
    bases = [b.copy() for b in bases]
    return [s[1] if s[0] == "v" else
            np.ndarray(s[3], s[5], buffer=bases[s[1]], offset=s[2], strides=s[4])
            for s in spec]


def as_older(key):
    """``key`` with ``"o"``, ``"f<m>"`` and ``"v<a>.<m>"`` leaves as ``"m"`` (a generator
    before stop 46)."""
    if key[0] == "columns":
        return key
    kinds = tuple("m" if kind == "o" or kind[0] in "fv" else kind for kind in key[1])
    return (key[0], kinds) + tuple(key[2:])


def build(text):
    namespace = {"__name__": "kernel_ab"}
    exec(compile(text.replace("cache=True", "cache=False"), "<kernel>", "exec"), namespace)
    return namespace["fused"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other")
    parser.add_argument("names", nargs="*", default=HEAT)
    parser.add_argument("--pairs", type=int, default=21)
    opts = parser.parse_args()
    import problems
    from dualgrad.backend import _fused, _fusedgen
    spec = importlib.util.spec_from_file_location(
        "other_fusedgen", Path(opts.other) / "dualgrad" / "backend" / "_fusedgen.py")
    other = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(other)
    every = {**problems.PROBLEMS, **problems.TWO_ARGUMENTS}
    clock = time.process_time
    for name in opts.names:
        d, ref = every[name]("dualgrad")
        after, _fused.COMPILE_AFTER = _fused.COMPILE_AFTER, 0
        try:                # twice: the grid field's second call meets another structure
            d()
            d()
        finally:
            _fused.COMPILE_AFTER = after
        kept = {}
        for key, fn in list(_fusedgen._compiled.items()):
            def keep(*args, key=key, fn=fn):
                if key not in kept:
                    kept[key] = snapshot(args)
                return fn(*args)
            _fusedgen._compiled[key] = keep
        d()
        kernels = {"other": [], "this": []}
        sets = {"other": {}, "this": {}}
        for key, args in kept.items():
            for label, gen in (("other", other), ("this", _fusedgen)):
                mine = key if hasattr(gen, "lead") else as_older(key)
                text = gen.source(mine[2], picks=mine[1]) if mine[0] == "columns" else \
                    gen.source(mine)
                fn = build(text)
                with _fusedgen.vectorizing():
                    fn(*rebuild(args))

                def timed(*a, fn=fn, label=label):
                    t0 = clock()
                    out = fn(*a)
                    kernels[label][-1] += clock() - t0
                    return out
                sets[label][key] = timed
        calls = {"other": [], "this": []}
        for r in range(opts.pairs):
            for label in ("other", "this") if r % 2 == 0 else ("this", "other"):
                _fusedgen._compiled.update(sets[label])
                kernels[label].append(0.0)
                t0 = clock()
                result = d()
                calls[label].append(clock() - t0)
                if ref is not None:
                    np.testing.assert_allclose(np.asarray(result).ravel(), ref, rtol=1e-8,
                                               atol=1e-12)
        cells = _common.ab_cells({"call": calls, "kernels": kernels}, "other", "this")
        print(f"{name} | {len(kept)} kernels | " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
