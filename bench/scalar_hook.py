"""What the scalar duals' ``__array_struct__`` note costs the object-array readers, in one process.

    python bench/scalar_hook.py [--rounds 9] [--calls 500] [--only TEXT]

The real scalar dual classes answer NumPy's ``__array_struct__`` question (asked per
element whenever NumPy makes an array of a scalar dual) by noting the event for the
swallowed-error guard and raising ``AttributeError``.  Each row is timed with the
classes' hook in place ("on") and taken off ("off"), alternating round by round in
this process (process time: this process's CPU time; the machine is shared),
microseconds per call: the medians over rounds with the median of the rounds' on / off
ratios, the fastest round of each side (which a loaded machine disturbs least) and
their ratio, and the number of hook calls one call makes:

* ``robertson jacfwd``: ``dg.jacfwd(rhs, argnums=1)(t, y)`` of bench/small_calls.py's
  Robertson kinetics (``np.array([...])`` of 3 scalar duals per call);
* ``np.array of 10``: ``dg.grad`` of ``sum(np.array([p[0], ..., p[9]]) ** 2)``;
* ``rosen n=10``: ``dg.gradient(scipy.optimize.rosen, x)`` (SciPy's ``np.asarray`` of
  a dual array: an object array of scalar duals made by the array dual, read back);
* ``stack of 2``: ``dg.jacobian`` of ``np.stack([v[0] * v[1], np.sin(v[0])])``
  (``stack_lean``: no object array);
* ``corpus NAME``: ``dg.jacobian`` of bench/corpus.py's problems whose residuals reach
  the hook (``np.array(out)`` of a list of scalar duals), checked against central
  differences.

Every gradient is checked against its analytic value first.  Nothing is written.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)


def _rows(dg):
    from scipy.optimize import rosen, rosen_der

    from small_calls import robertson, robertson_jac
    t, y = 0.3, np.array([0.9, 2e-5, 0.1])
    jac = dg.jacfwd(robertson, argnums=1)
    p10 = np.linspace(-1.0, 1.0, 10)
    x2 = np.array([0.7, 1.3])

    def squares(p):
        return np.sum(np.array([p[i] for i in range(10)]) ** 2)

    def stacked(v):
        return np.stack([v[0] * v[1], np.sin(v[0])])

    rows = {
        "robertson jacfwd": (lambda: jac(t, y), robertson_jac(t, y)),
        "np.array of 10": (lambda: dg.grad(squares)(p10), 2 * p10),
        "rosen n=10": (lambda: dg.gradient(rosen, p10), rosen_der(p10)),
        "stack of 2": (lambda: dg.jacobian(stacked, x2),
                       np.array([[x2[1], x2[0]], [np.cos(x2[0]), 0.0]])),
    }
    from corpus import PROBLEMS
    for name, (f, x0) in PROBLEMS.items():        # checked against central differences
        h = 1e-6 * np.maximum(1.0, np.abs(x0))
        central = np.stack([(np.asarray(f(x0 + h[j] * e)) - np.asarray(f(x0 - h[j] * e)))
                            / (2 * h[j]) for j, e in enumerate(np.eye(x0.size))], axis=-1)
        rows[f"corpus {name}"] = (lambda f=f, x0=x0: dg.jacobian(f, x0), central)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--only", help="the rows whose name holds this text")
    args = parser.parse_args()
    import dualgrad as dg
    from dualgrad.dual import _scalar
    rows = _rows(dg)
    for name, (call, want) in rows.items():
        tol = 1e-5 if name.startswith("corpus") else 1e-12   # (central differences)
        np.testing.assert_allclose(call(), want, rtol=tol, atol=tol * np.max(np.abs(want)),
                                   err_msg=name)
    classes = [c for c in _scalar._CLASSES.values() if "__array_struct__" in c.__dict__]
    hook = classes[0].__dict__["__array_struct__"]
    counts = {}
    for name, (call, _) in rows.items():      # hook calls per call: a counting property
        seen = []

        def counting(self, seen=seen):
            seen.append(1)
            return hook.fget(self)
        for cls in classes:
            cls.__array_struct__ = property(counting)
        call()
        counts[name] = len(seen)
    rows = {name: row for name, row in rows.items()    # the corpus's object-array readers
            if (counts[name] or not name.startswith("corpus")) and
            (args.only is None or args.only in name)}
    print("corpus problems without a hook call (not timed):", sum(
        1 for name in counts if name.startswith("corpus") and not counts[name]))
    times = {(name, side): [] for name in rows for side in ("on", "off")}
    for r in range(args.rounds):
        for side in ("on", "off") if r % 2 else ("off", "on"):   # (either side first)
            for cls in classes:
                if side == "on":
                    cls.__array_struct__ = hook
                elif "__array_struct__" in cls.__dict__:
                    del cls.__array_struct__
            for name, (call, _) in rows.items():
                start = time.process_time()
                for _ in range(args.calls):
                    call()
                times[name, side].append((time.process_time() - start) / args.calls * 1e6)
    for cls in classes:
        cls.__array_struct__ = hook
    print(f"scalar duals' __array_struct__ note, on / off ({args.rounds} rounds of "
          f"{args.calls} calls, us per call: medians, and the fastest round, which a "
          "loaded machine disturbs least)")
    print(f"  {'':36s} {'on':>8s} {'off':>8s} {'on/off':>7s} {'fastest':>8s} {'fastest':>8s} "
          f"{'on/off':>7s}  hook calls")
    for name in rows:
        on, off = times[name, "on"], times[name, "off"]
        ratio = statistics.median(a / b for a, b in zip(on, off))
        print(f"  {name:36s} {statistics.median(on):8.1f} {statistics.median(off):8.1f} "
              f"{ratio:7.3f} {min(on):8.1f} {min(off):8.1f} {min(on) / min(off):7.3f}  "
              f"{counts[name]}")


if __name__ == "__main__":
    main()
