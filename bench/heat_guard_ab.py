"""heat61's guard measured inside the heat steps: one array tested per block of a fused
kernel instead of every factor array (issue 14's 2.5x f).  Not in dualgrad: its change
is bench/heat_guard.diff (made on main 76834f6), to apply to a scratch worktree first.

    git worktree add --detach /tmp/guard 76834f6
    cp bench/heat_guard.diff bench/heat_guard_ab.py /tmp/guard/bench/
    cd /tmp/guard && git apply bench/heat_guard.diff
    python bench/heat_guard_ab.py [--rounds 15] [--cells N]

The change: a deferred ``+``, ``-`` or ``*`` tells ``backend.defer`` its value and
operands; a node whose factor arrays are its operands and whose pending kids are linked
to an operand (or have no factor array) keeps a weak reference to its value, finite at
each element where every factor array of its graph is (``+ - *`` turn a non-finite
operand into a non-finite result); ``_plan`` hands that value to the kernel as one more
array and the key says so; a block of 64 rows then tests that array alone before its loop
without tests (the rows of a block that fails test their factors one by one, as before:
the same bits).  bench/heat_kernel_test.py's ``guard`` variant times the slicing kernel
so changed on its own arguments.

Here the four heat forms of bench/problems.py (100,000 cells x 4, 200 steps) run
``dg.jacobian`` in one process with the guard on and off alternately (off: every node's
guard dropped as it is made, so the kernels are the unguarded ones; both sides pay the
same bookkeeping), process time per call, rounds alternating which side goes first; f
timed beside them; the fused kernels' own calls clocked (``_common.timed``).  The two
sides' Jacobians are first asserted bit-equal.  Printed per form: f, each side (x f), the
median over rounds of guarded / unguarded, and the same for the kernels' share.
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


def heat_ab(side, rounds, cells, labels, args_text):
    """Time the four heat forms of bench/problems.py: ``dg.jacobian`` with ``side(True)``
    and ``side(False)`` alternately in this process (rounds alternating which goes
    first; process time; the fused kernels' own calls clocked, ``_common.timed``), f
    beside them, after asserting the two sides' Jacobians bit-equal; print per form f,
    each side (x f; its kernels) and the medians over rounds of True / False (kernels).
    ``labels``: the sides' names, False's first.  (heat_elide_ab.py's too.)"""
    import dualgrad as dg
    import problems
    from dualgrad.backend import _fusedgen
    forms = [problems.heat, problems.heat_roll, problems.heat_diff, problems.heat_sparse]
    calls = {f.__name__: (lambda f: lambda q: f(q, n=cells))(f) for f in forms}
    p = problems.HEAT_P
    for name, g in calls.items():
        js = []
        for on in (True, False):
            side(on)
            for _ in range(4):              # both sides' kernels compiled, numba loaded
                js.append(dg.jacobian(g, p))
        assert np.array_equal(js[0].view(np.int64), js[-1].view(np.int64)), name
    clock = time.process_time
    spent = [0.0]
    _fusedgen._compiled.update({k: _common.timed(v, spent, clock)
                                for k, v in _fusedgen._compiled.items()})
    times = {(name, on): [] for name in calls for on in (False, True)}
    kernels = {key: [] for key in times}
    plain = {name: [] for name in calls}
    for r in range(rounds):
        for name, g in calls.items():
            t = clock()
            g(p)
            plain[name].append(clock() - t)
            for on in ((False, True) if r % 2 else (True, False)):
                side(on)
                spent[0] = 0.0
                t = clock()
                dg.jacobian(g, p)
                times[name, on].append(clock() - t)
                kernels[name, on].append(spent[0])
    off_label, on_label = labels
    print(f"{cells} cells x 4, 200 steps, {rounds} rounds ({args_text}); ms a call, process time")
    print(f"| form | f | {off_label} (kernels) | {on_label} (kernels) | {on_label} / {off_label} "
          "(kernels) |")
    print("|---|---|---|---|---|")
    med = statistics.median
    for name in calls:
        fm = med(plain[name])
        off, on = times[name, False], times[name, True]
        ko, kn = kernels[name, False], kernels[name, True]
        print(f"| {name} | {fm * 1e3:.1f} | {med(off) * 1e3:.1f} ({med(off) / fm:.2f}x f; "
              f"{med(ko) * 1e3:.1f}) | {med(on) * 1e3:.1f} ({med(on) / fm:.2f}x f; "
              f"{med(kn) * 1e3:.1f}) | {med(b / a for a, b in zip(off, on)):.3f} "
              f"({med(b / a for a, b in zip(ko, kn)):.3f}) |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--cells", type=int, default=100_000)
    args = ap.parse_args()
    from dualgrad.backend import _fused
    if not hasattr(_fused, "_guard"):
        sys.exit("this dualgrad has no guard: apply bench/heat_guard.diff to a scratch "
                 "worktree and run this there (see the docstring)")
    real = _fused._guard

    def unguarded(kids, linked):
        return True if real(kids, linked) is True else None

    def side(on):
        _fused._guard = real if on else unguarded

    try:
        heat_ab(side, args.rounds, args.cells, ("unguarded", "guarded"), "the guard")
    finally:
        side(True)


if __name__ == "__main__":
    main()
