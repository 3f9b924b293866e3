"""The backend's share of a heat step: wall time inside dualgrad.backend's door functions.

    python bench/heat_backend.py [--cells 100000] [--steps 100] [--repeat 5] [--form slicing]

Runs ``dg.jacobian`` of one of bench/problems.py's heat forms (``--form``: slicing,
roll or diff; every structure compiled first), with ``_fused``'s planning functions,
``materialize``, ``defer``, ``add_into``, ``write_into`` and ``defer_roll`` wrapped by
``time.perf_counter`` (a wrapper costs ~0.2 us a call: the times are a little high)
and the fused kernels timed alike; prints, per step (the minimum over ``--repeat``
calls of the step's total), the time and calls of each, beside the whole step.
``add_into``, ``materialize`` and ``write_into`` include their planning and the
kernel.  At 100,000 cells the step's Python runs on caches the kernel and NumPy's
passes have just evicted: compare a function's time here with the same call in a
tight loop.  Nothing is written.
"""

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)

# (not _unread: it reads the frames above it, and a wrapper's frame would hide f's)
PARTS = ["_plan", "_kinds", "_views", "_left", "_arguments", "_readers", "_kernel",
         "_outputs", "materialize"]
DOORS = ["defer", "add_into", "write_into", "defer_roll"]
FORMS = {"slicing": ("slicing", "heat"), "roll": ("np.roll", "heat_roll"),
         "diff": ("np.diff", "heat_diff")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--form", choices=sorted(FORMS), default="slicing")
    opts = parser.parse_args()
    import problems
    import dualgrad as dg
    import dualgrad.backend as backend
    from dualgrad.backend import _fused, _fusedgen
    clock = time.perf_counter
    title, form = FORMS[opts.form][0], getattr(problems, FORMS[opts.form][1])
    spent = {}

    def wrap(module, name):
        fn = getattr(module, name)
        spent[name] = [0.0, 0]

        def timed(*args, **kwargs):
            t0 = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                cell = spent[name]
                cell[0] += clock() - t0
                cell[1] += 1
        setattr(module, name, timed)

    def d():
        return dg.jacobian(lambda p: form(p, n=opts.cells, steps=opts.steps),
                           problems.HEAT_P)
    after, _fused.COMPILE_AFTER = _fused.COMPILE_AFTER, 0
    try:
        d()
        d()
    finally:
        _fused.COMPILE_AFTER = after
    kernels = [0.0]

    def timed_kernel(fn):
        def call(*args):
            t0 = clock()
            fn(*args)
            kernels[0] += clock() - t0
        return call
    _fusedgen._compiled.update({k: timed_kernel(v) for k, v in _fusedgen._compiled.items()})
    for name in PARTS:
        wrap(_fused, name)
    for name in DOORS:
        wrap(backend, name)
    steps = []
    for cell in spent.values():
        cell[:] = [0.0, 0]
    for _ in range(opts.repeat):
        t0 = clock()
        d()
        steps.append(clock() - t0)
    per = opts.repeat * opts.steps
    print(f"{title} heat step ({opts.cells} x 4): {min(steps) / opts.steps * 1e6:.0f} us a step "
          f"(min of {opts.repeat}), kernels {kernels[0] / per * 1e6:.0f} us")
    for name, (t, c) in spent.items():
        print(f"  {name:12s} {t / per * 1e6:8.2f} us a step  {c / per:5.2f} calls")


if __name__ == "__main__":
    main()
