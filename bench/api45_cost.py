"""The cost of api45's changes against another checkout, in one process.

    python bench/api45_cost.py [--n 5 16] [--rounds 5] [--seconds 0.3] [--compare DIR]

``egrad``: ``dg.elementwise_grad(dg.grad(g))(x)``, ``g = sum(sin(x) x**2)`` at a point
with no tie (api45 calls g once where the linked Jacobian called it again).
``tuple``: ``dg.jacfwd(dg.grad(f, argnums=(0, 1)), argnums=(0, 1))(x, y)`` of
``f = sum(sin(x) y**2) + prod(x) sum(y)`` (api45 returns JAX's blocks as a pytree;
the other checkout stacked them, transposing the mixed blocks: its numbers are checked
against the stacked layout).  Checked first against closed forms.  Subjects run in
interleaved rounds of about ``--seconds`` of process CPU time; medians over
``--rounds``, ms per call, ratios to this checkout.  Nothing is written.
"""

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
from _common import ms_per_call  # noqa: E402  (and one thread per library)
from hessian_small import _load_other  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, nargs="+", default=[5, 16])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument("--compare", help="another checkout, timed alternately")
    opts = parser.parse_args()
    import numpy as np
    import dualgrad as dg
    mods = {"this": dg}
    if opts.compare:
        mods["other checkout"] = _load_other(opts.compare)
    g = lambda x: np.sum(np.sin(x) * x**2)                            # noqa: E731
    f = lambda x, y: np.sum(np.sin(x) * y**2) + np.prod(x) * np.sum(y)  # noqa: E731
    for n in opts.n:
        x = np.linspace(0.1, 1.0, n)
        y = np.linspace(-0.5, 0.7, n)
        second = (2 - x**2) * np.sin(x) + 4 * x * np.cos(x)
        mixed = np.diag(2 * y * np.cos(x)) + (np.prod(x) / x)[:, None] * np.ones(n)
        for m in mods.values():
            assert np.allclose(m.elementwise_grad(m.grad(g))(x), second, rtol=1e-13)
            H = m.jacfwd(m.grad(f, argnums=(0, 1)), argnums=(0, 1))(x, y)
            # JAX's order (a Results tuple): H[0][1] = d grad_x / d y, the mixed block;
            # stacked (before api45), H[0][1] was d grad_y / d x, its transpose
            ours = type(H).__name__ == "Results"
            assert np.allclose(H[0][1], mixed if ours else mixed.T, rtol=1e-13)
        cases = {"egrad": lambda m: m.elementwise_grad(m.grad(g))(x),
                 "tuple": lambda m: m.jacfwd(m.grad(f, argnums=(0, 1)),
                                             argnums=(0, 1))(x, y)}
        for case, run in cases.items():
            times = {k: [] for k in mods}
            for _ in range(opts.rounds):
                for k, m in mods.items():
                    times[k].append(ms_per_call(lambda: run(m), opts.seconds))
            meds = {k: statistics.median(t) for k, t in times.items()}
            for k, med in meds.items():
                print(f"n={n:4d} {case:6s} {k:15s} {med:9.3f} ms  /this "
                      f"{med / meds['this']:6.2f}")


if __name__ == "__main__":
    main()
