"""The fixed cost of each helper call on small problems, against num-dual, in one process.

    python bench/helper_calls.py [--n 2 10] [--rounds 9] [--calls 300] [--compare DIR]

For each ``n`` and each function (``rosen``: SciPy's Rosenbrock; ``v[0]``: the
helper alone; ``sum sin``: ``np.sum(np.sin(v))``; ``loop``: ``sum(v[i] ** 2)`` over the
elements) it times the helpers a user calls per iteration of an optimizer:
``dg.gradient(f, x)``, ``dg.grad(f)(x)`` and ``dg.value_and_grad(f)(x)`` (the
transforms made once), ``dg.jacobian(f, x)``, ``dg.jacfwd(f)(x)`` (made once) and
``dg.approx_fprime(x, f)``, in interleaved rounds of ``--calls`` calls (process
time), medians over rounds, microseconds per call; ``num-dual``'s ``gradient`` of the
same function beside them (``rosen`` on an object array, as ``bench/rosen_parts.py``).
With ``--compare DIR`` another checkout's dualgrad (imported under another name,
alternating with this one in every round) is timed too, and each cell prints this /
other as the median of the rounds' own ratios (steadier under a changing load).
Every result is checked against the closed form first.  Nothing is written.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)
from rosen_parts import _load_other  # noqa: E402

HELPERS = ("gradient", "grad", "value_and_grad", "jacobian", "jacfwd", "approx_fprime")


def _functions():
    import numpy as np
    from scipy.optimize import rosen, rosen_der

    def loop(v):
        return sum(v[i] ** 2 for i in range(len(v)))
    return {"rosen": (rosen, rosen_der, lambda v: rosen(np.array(v, dtype=object))),
            "v[0]": (lambda v: v[0], lambda x: np.eye(len(x))[0], lambda v: v[0]),
            "sum sin": (lambda v: np.sum(np.sin(v)), np.cos,
                        lambda v: sum(e.sin() for e in v)),
            "loop": (loop, lambda x: 2 * x, loop)}


def _calls(dg, f, x):
    grad, vg, jf = dg.grad(f), dg.value_and_grad(f), dg.jacfwd(f)
    return {"gradient": lambda: dg.gradient(f, x), "grad": lambda: grad(x),
            "value_and_grad": lambda: vg(x)[1], "jacobian": lambda: dg.jacobian(f, x),
            "jacfwd": lambda: jf(x), "approx_fprime": lambda: dg.approx_fprime(x, f)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[2, 10])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--compare", help="another checkout, timed alternately")
    opts = parser.parse_args()
    import numpy as np
    import dualgrad as dg
    other = _load_other(opts.compare) if opts.compare else None
    try:
        import num_dual as nd
    except ImportError:
        nd = None
    clock = time.process_time
    for n in opts.n:
        x = np.linspace(-1.2, 1.2, n)
        print(f"n = {n} (medians of {opts.rounds} rounds of {opts.calls} calls, us per call"
              + ("; this / other per round" if other else "") + ")")
        print(f"  {'f':8s} {'num-dual':>9s} " + " ".join(f"{h:>22s}" for h in HELPERS))
        for name, (f, der, nd_f) in _functions().items():
            subjects = {h: c for h, c in _calls(dg, f, x).items()}
            if other is not None:
                subjects.update({f"{h} (other)": c for h, c in _calls(other, f, x).items()})
            want = der(x)
            for k, c in subjects.items():
                got = np.asarray(c(), dtype=float).reshape(-1)
                assert np.allclose(got, want, rtol=1e-13, atol=1e-13), (name, k)
            if nd is not None:
                xs = list(x)
                subjects["num-dual"] = lambda: nd.gradient(nd_f, xs)[1]
            times = {k: [] for k in subjects}
            for c in subjects.values():          # warm-up
                for _ in range(20):
                    c()
            for _ in range(opts.rounds):
                for k, c in subjects.items():
                    t = clock()
                    for _ in range(opts.calls):
                        c()
                    times[k].append((clock() - t) / opts.calls * 1e6)
            med = {k: statistics.median(v) for k, v in times.items()}
            cells = []
            for h in HELPERS:
                cell = f"{med[h]:7.1f}"
                if other is not None:
                    paired = statistics.median(a / b for a, b in
                                               zip(times[h], times[f"{h} (other)"]))
                    cell += f" ({med[h + ' (other)']:5.1f} {paired:4.2f})"
                cells.append(f"{cell:>22s}")
            print(f"  {name:8s} {med.get('num-dual', float('nan')):9.1f} " + " ".join(cells))


if __name__ == "__main__":
    main()
