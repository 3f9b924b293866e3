"""heat74's pair in u's own pass (``bench/heat74_twice.diff``) against u's pass then the pair's
pass over its partials, in one process, alternating (issue 14, stop 74).

    git worktree add --detach /tmp/twice <main at or after 2026-12-07's c8458832>
    git -C /tmp/twice apply bench/heat74_twice.diff
    python /tmp/twice/bench/heat74_twice_ab.py [--rows N] [--repeat R] [--steps S]

Run from a checkout with the diff applied (it imports the dualgrad beside it).  Two
measurements, process CPU time (the machine is shared), medians and minima:

* kernels: the heat gradient row's node kernel (u = u + kappa * lap + ..., its structure
  as the row makes it) on ``N x 4`` random partials, then ``_kernels.gradient_twice`` over
  the rows it wrote, against the same structure's ``twice`` kernel (the node's rows and
  the pair's interior in one pass) and ``_kernels.gradient_twice_ends``; results checked
  equal to the bit first;
* the row: ``dg.jacobian`` of bench/problems.py's ``heat_gradient`` (``S`` steps) with
  ``_fused._twice_fused`` as the diff makes it and made to decline (the tree before's
  path), alternating call by call, Jacobians checked equal to the bit first.

Prints only.
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

# the gradient row's node: u + kappa * lap + dt * rate * u * (1 - u)'s partials
KEY = (4, ("r", "m", "m", "r"),
       (((("a", 0), ("l", 0)), (("c", 0), ("l", 1))), (("1", ("l", 2)), ("1", ("t", 0))),
        ((("a", 1), ("l", 3)), (("c", 1), ("l", 2))), (("-", ("l", 2)),),
        ((("a", 2), ("t", 2)), (("a", 3), ("t", 3))), (("1", ("t", 1)), ("1", ("t", 4)))),
       2, 4, 0, (), True)


def show(label, times):
    a, b = times
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{label}: before {ma * 1e3:.3f} ms (min {min(a) * 1e3:.3f}), after "
          f"{mb * 1e3:.3f} ms (min {min(b) * 1e3:.3f}); after / before {mb / ma:.2f} "
          f"(minima {min(b) / min(a):.2f})")


def kernels(rows, repeat):
    from dualgrad.backend import _fusedgen, _kernels
    with _fusedgen.vectorizing():
        node = _fusedgen.kernel(KEY)
        both = _fusedgen.kernel(_fusedgen.twice_structure(KEY))
    rng = np.random.default_rng(0)
    n = 4
    r0, r3 = rng.standard_normal(n), rng.standard_normal(n)
    m1, m2 = rng.standard_normal((rows, n)), rng.standard_normal((rows, n))
    factors = [rng.standard_normal(rows) for _ in range(4)]
    out, out2, grad = np.empty((rows, n)), np.empty((rows, n)), np.empty((rows, n))
    from dualgrad.backend._numpy_loops import MASK
    mask = np.int32(MASK)

    def before():
        node(out, r0, m1, m2, r3, *factors, 0.4, 0.01)
        return _kernels.gradient_twice(out, 0, 1.0, 1, 1.0, 1)

    def after():
        both(out2, out2.reshape(-1), grad.reshape(-1), r0, m1, m2, r3, *factors, 0.4, 0.01,
             0.5, 0.5, mask)
        _kernels.gradient_twice_ends(out2, grad, 1.0, 1, 1.0, 1)
        return grad
    with _fusedgen.vectorizing(), _kernels.use("numba"):
        assert before().tobytes() == after().tobytes() and out.tobytes() == out2.tobytes()
        return alternate(before, after, repeat)


def alternate(before, after, repeat):
    times = ([], [])
    for k in range(repeat):
        for j, fn in ((0, before), (1, after)) if k % 2 == 0 else ((1, after), (0, before)):
            c = time.process_time()
            fn()
            times[j].append(time.process_time() - c)
    return times


def row(steps, repeat):
    import dualgrad as dg
    import problems
    from dualgrad.backend import _fused
    real = _fused._twice_fused

    def f(p):
        return problems.heat_gradient(p, steps=steps)

    def before():
        _fused._twice_fused = lambda *args: _fused._DECLINED
        try:
            return dg.jacobian(f, problems.HEAT_P)
        finally:
            _fused._twice_fused = real

    def after():
        return dg.jacobian(f, problems.HEAT_P)
    for _ in range(2):
        a, b = before(), after()
    assert a.tobytes() == b.tobytes()
    return alternate(before, after, repeat)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--steps", type=int, default=200)
    opts = parser.parse_args()
    from dualgrad.backend import _fusedgen
    if not hasattr(_fusedgen, "twice_structure"):
        sys.exit("heat74_twice_ab.py: this checkout lacks bench/heat74_twice.diff's change; "
                 "apply it to a worktree (see the docstring) and run the script there")
    show(f"kernels {opts.rows} x 4", kernels(opts.rows, opts.repeat))
    show(f"np.gradient twice row, {opts.steps} steps", row(opts.steps, max(opts.repeat // 6, 4)))


if __name__ == "__main__":
    main()
