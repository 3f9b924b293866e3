"""Clock of an array dual over a scalar dual and back (``u / k``, ``k / u``) inside
``dualgrad.jacobian``: the lean mixed path's underflowed-quotient test (second60).

    python bench/quotient_mixed.py [--compare CHECKOUT] [--rounds 5] [--numba] [--n 10]

``u`` holds N float64 values (the default 10) and two directions, ``k`` is a scalar
dual of the same pass; each operation of one call is timed by ``time.perf_counter``
around it and the median over the calls of a round is kept (microseconds).
``u * k`` is the control (no quotient).  With ``--compare`` each round runs this
checkout and the other in fresh processes, alternately (the machine is shared:
``_common.alternate``), always with this script; the medians over rounds are printed side by side with
their ratio (this / other).  Numba is loaded only with ``--numba``.  Prints a table;
nothing is written.
"""

import argparse
import json
import statistics
import time

from _common import alternate

NAMES = ["u * k", "u / k", "k / u", "np.divide(u, k)"]


def one_round(calls, numba, n):
    """This process's medians (us) of each operation."""
    import numpy as np
    import dualgrad as dg
    from dualgrad.backend import _loader
    if numba:
        _loader.load()
    pc = time.perf_counter
    T = np.zeros((calls, len(NAMES)))
    j = [0]
    base = np.linspace(1.0, 2.0, n)

    def f(q):
        row = T[j[0]]
        u = base * q[0]
        k = q[1] + 1.0
        t = pc(); a = u * k; row[0] = pc() - t
        t = pc(); b = u / k; row[1] = pc() - t
        t = pc(); c = k / u; row[2] = pc() - t
        t = pc(); d = np.divide(u, k); row[3] = pc() - t
        return a + b + c + d
    x0 = np.array([1.0, 1.5])
    for _ in range(20):
        dg.jacobian(f, x0)
    for i in range(calls):
        j[0] = i
        dg.jacobian(f, x0)
    assert _loader.READY == numba, "numba loaded during the round"
    return [float(v) for v in np.median(T, axis=0) * 1e6]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--numba", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_round(args.calls, args.numba, args.n)))
        return
    argv = ["--calls", str(args.calls), "--n", str(args.n)] + (["--numba"] if args.numba else [])
    got = alternate("quotient_mixed.py", argv, args.compare, args.rounds)
    sides = ["after"] + (["before"] if args.compare else [])
    print(f"N = {args.n}; numba {'loaded' if args.numba else 'not loaded'}; "
          f"{len(got['after'])} rounds; medians over rounds, us")
    print(f"{'operation':18s}{'this':>18s}" + (f"{'other':>18s}   ratio" if args.compare else ""))
    for i, name in enumerate(NAMES):
        meds = [statistics.median(r[i] for r in got[s]) for s in sides]
        line = f"{name:18s}" + "".join(f"{m:18.2f}" for m in meds)
        if args.compare:
            line += f"   {meds[0] / meds[1]:.2f}"
        print(line)


if __name__ == "__main__":
    main()
