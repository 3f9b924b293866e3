"""What the heat steps' kernels would gain by reading fewer factor arrays: a bound, in the real step.

    python bench/factor_reads.py [--cells N] [--steps S] [--rounds R] [--only FORM]

A fused kernel reads, besides the partials, one value-sized factor array per
distinct local derivative (``lap``, ``u[1:-1]``, ``1.0 - u[1:-1]``, ``dt * rate *
u[1:-1]`` in the slicing step).  Some of them are cheap elementwise functions of
another factor array the kernel reads anyway, so a kernel could compute them
instead of reading them (the same IEEE operations: the same bits).  Before
building that, this command measures what it could save, for each heat form of
bench/problems.py at ``N`` cells x 4 parameters, one process, ``R`` rounds
alternating the order of three sides, process time, per step:

* ``as is``: the kernels as dualgrad calls them;
* ``recomputable``: every factor array that equals, bit for bit on the first
  call, ``1.0 - A``, ``c * A`` or ``A * c`` for another factor array ``A`` of the same
  kernel and a number ``c`` it takes is replaced by ``A`` (the reads such a kernel
  would make, without the operation it would add: a bound on its gain);
* ``one``: every factor array replaced by the first (no scheme reads fewer).

``--cold`` writes a 64 MB array before each kernel call (not timed), so that the
kernel meets its arguments out of the caches, as the factor arrays never are in
the real step (NumPy has just computed them).

The aliased sides compute wrong partials (the derivatives are not checked; the
values and the Python are the same on every side).  Printed: the step's and the
kernels' medians, and the medians of the per-round ratios to ``as is``.  Nothing
is written.
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

FORMS = {"slicing": "heat", "np.roll": "heat_roll", "np.diff": "heat_diff"}
SIDES = ("as is", "recomputable", "one")


def recomputable(factors, numbers):
    """``{j: (k, text)}``: factor array ``j`` equals ``text.format(A)`` bit for bit,
    ``A`` factor array ``k`` (``1.0 - A``, ``c * A``, ``A * c``; the first match)."""
    found = {}
    with np.errstate(all="ignore"):
        for j, a in enumerate(factors):
            for k, b in enumerate(factors):
                if k == j or k in found:
                    continue
                candidates = [("1.0 - {}", 1.0 - b)] + \
                    [(f"c{m} * {{}}", c * b) for m, c in enumerate(numbers)] + \
                    [(f"{{}} * c{m}", b * c) for m, c in enumerate(numbers)]
                for text, v in candidates:
                    if np.array_equal(a.view(np.int64), v.view(np.int64)):
                        found[j] = (k, text)
                        break
                if j in found:
                    break
    return found


def sides_of(key, fn, spent, clock, seen, scratch):
    """The kernel ``fn`` of ``key`` as each side calls it (timed into ``spent``; with
    a ``scratch`` array, written whole before each call, untimed)."""
    arrays, numbers = (key[4], key[3]) if key[0] != "columns" else (0, 0)

    def call(args):
        if scratch is not None:
            scratch[...] = 1.0
        t0 = clock()
        fn(*args)
        spent[0] += clock() - t0

    def as_is(*args):
        call(args)

    def fewer(*args):
        args = list(args)
        first = len(args) - numbers - arrays
        if key not in seen:
            seen[key] = recomputable(args[first:first + arrays], args[len(args) - numbers:])
        for j, (k, text) in seen[key].items():
            while k in seen[key]:           # computed from one that is computed too
                k = seen[key][k][0]
            args[first + j] = args[first + k]
        call(args)

    def one(*args):
        args = list(args)
        first = len(args) - numbers - arrays
        for j in range(1, arrays):
            args[first + j] = args[first]
        call(args)
    return {"as is": as_is, "recomputable": fewer if arrays > 1 else as_is,
            "one": one if arrays > 1 else as_is}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--only", choices=sorted(FORMS), action="append")
    parser.add_argument("--cold", action="store_true",
                        help="write a 64 MB array before each kernel call (untimed), so that "
                        "the kernel finds its arguments out of the caches")
    opts = parser.parse_args()
    import problems
    import dualgrad as dg
    from dualgrad.backend import _fused, _fusedgen
    clock = time.process_time
    for label in opts.only or FORMS:
        form = getattr(problems, FORMS[label])

        def d():
            return dg.jacobian(lambda p: form(p, n=opts.cells, steps=opts.steps),
                               problems.HEAT_P)
        after, _fused.COMPILE_AFTER = _fused.COMPILE_AFTER, 0
        try:                        # every structure compiled
            d()
            d()
        finally:
            _fused.COMPILE_AFTER = after
        real = dict(_fusedgen._compiled)
        spent, seen = [0.0], {}
        scratch = np.zeros(1 << 23) if opts.cold else None
        wrapped = {k: sides_of(k, fn, spent, clock, seen, scratch) for k, fn in real.items()}
        samples = {s: {"step": [], "kernels": []} for s in SIDES}
        try:
            for r in range(opts.rounds):
                for side in SIDES[r % 3:] + SIDES[:r % 3]:
                    _fusedgen._compiled.update({k: w[side] for k, w in wrapped.items()})
                    spent[0] = 0.0
                    t0 = clock()
                    d()
                    samples[side]["step"].append(clock() - t0)
                    samples[side]["kernels"].append(spent[0])
        finally:
            _fusedgen._compiled.update(real)
        for key, found in seen.items():
            print(f"{label}: kernel of {key[4]} factor arrays, recomputable: " +
                  (", ".join(f"A{j} = " + text.format(f"A{k}") for j, (k, text) in sorted(found.items()))
                   or "none"))
        us = {s: {m: statistics.median(v) / opts.steps * 1e6 for m, v in x.items()}
              for s, x in samples.items()}
        cells = []
        for side in SIDES[1:]:
            ratio = {m: statistics.median(b / a for a, b in zip(samples["as is"][m], samples[side][m]))
                     for m in ("step", "kernels")}
            cells.append(f"{side}: step {us[side]['step']:.0f} ({ratio['step']:.3f}), kernels "
                         f"{us[side]['kernels']:.0f} ({ratio['kernels']:.3f})")
        print(f"{label} ({opts.cells} x 4), us a step: as is: step {us['as is']['step']:.0f}, "
              f"kernels {us['as is']['kernels']:.0f} | " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
