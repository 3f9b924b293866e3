"""Where ``dg.gradient(scipy.optimize.rosen, x)`` spends its time, against num-dual, in one process.

    python bench/rosen_parts.py [--n 2 10] [--rounds 9] [--calls 2000] [--compare DIR] [--broyden]

Each piece is a whole gradient (or a call on floats), timed in interleaved rounds
of ``--calls`` calls (process time: this process's CPU time; the machine is
shared), medians over rounds, in microseconds per call:

* ``f``: ``rosen(x)`` on floats (SciPy's array-API wrapping and NumPy's arithmetic);
* ``num-dual``: ``num_dual.gradient`` of ``rosen`` on an object array (the peer);
* ``dualgrad``: ``dg.gradient(rosen, x)``;
* ``v[0]``: ``dg.gradient(lambda v: v[0], x)``: the helper's fixed cost;
* ``asarray``: ``dg.gradient(lambda v: np.asarray(v)[0], x)``: plus the seed's
  snapshot (SciPy's ``np.asanyarray``);
* ``promote``: ``array_namespace`` and ``xp_promote`` as ``rosen`` calls them, then
  ``[0]``: plus SciPy's wrapping on the dual;
* ``asarray sum``: ``dg.gradient(lambda v: np.sum(np.asarray(v)), x)``: the scalar
  duals' operators on elements nobody read yet (each added to the running total);
* ``nd v[0]``: num-dual's ``gradient(lambda v: v[0], ...)``: its fixed cost;
* ``scope``: entering and leaving ``dualgrad.backend.scope()`` alone (part of ``v[0]``).

``dualgrad - promote`` is the scalar duals' arithmetic and the object-array sum.
With ``--compare DIR`` the dualgrad pieces of another checkout's dualgrad (imported
under another name, alternating with this one in every round) are printed too, with
the ratio this / that of the medians and the median of the rounds' own ratios (each
round's two times are taken a moment apart: steadier under a changing load; the same
code against itself reads 0.97-1.03 there at load 7).  ``--broyden`` times the
Broyden 50 x 50 Jacobian of ``bench/problems.py`` the same way instead (dualgrad,
num-dual, and the other checkout).  Nothing is written.
"""

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
import _common  # noqa: E402,F401  (one thread per library)


def _load_other(root):
    """Another checkout's dualgrad as a separate package named ``dualgrad_other``."""
    init = Path(root) / "dualgrad" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        "dualgrad_other", init, submodule_search_locations=[str(init.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["dualgrad_other"] = module
    spec.loader.exec_module(module)
    return module


def _pieces(dg, x):
    import numpy as np
    from scipy.optimize import rosen
    from scipy._lib._array_api import array_namespace, xp_promote

    def promoted(v):
        xp = array_namespace(v)
        return xp_promote(v, force_floating=True, xp=xp)[0]
    return {"dualgrad": lambda: dg.gradient(rosen, x),
            "v[0]": lambda: dg.gradient(lambda v: v[0], x),
            "asarray": lambda: dg.gradient(lambda v: np.asarray(v)[0], x),
            "promote": lambda: dg.gradient(promoted, x),
            "asarray sum": lambda: dg.gradient(lambda v: np.sum(np.asarray(v)), x),
            "scope": lambda: _scope(dg.backend.scope)}


def _scope(scope):
    with scope():
        pass


def _broyden(opts, dg, other, nd, clock):
    import numpy as np
    import problems
    x = np.linspace(-1.0, 1.0, 50)
    ref = problems.broyden_jac(x)
    subjects = {"f": lambda: problems.broyden(x.copy()),
                "dualgrad": lambda: dg.jacobian(problems.broyden, x)}
    if nd is not None:
        xs = list(x)
        subjects["num-dual"] = lambda: nd.jacobian(
            lambda v: list(problems.broyden(np.array(v, dtype=object))), xs)[1]
    if other is not None:
        subjects["dualgrad (other)"] = lambda: other.jacobian(problems.broyden, x)
    for name in ("dualgrad", "dualgrad (other)"):
        if name in subjects:
            assert np.allclose(subjects[name](), ref, rtol=1e-14, atol=1e-14), name
    times = {k: [] for k in subjects}
    calls = max(1, opts.calls // 20)
    for _ in range(opts.rounds):
        for k, f in subjects.items():
            t = clock()
            for _ in range(calls):
                f()
            times[k].append((clock() - t) / calls * 1e6)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"Broyden 50 x 50 (medians of {opts.rounds} rounds of {calls} calls, us per call)")
    for k, v in med.items():
        extra = f"   {v / med['num-dual']:.2f}x num-dual" if "num-dual" in med and \
            k.startswith("dualgrad") else ""
        print(f"  {k:22s} {v:8.1f}{extra}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[2, 10])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--compare", help="another checkout, timed alternately")
    parser.add_argument("--broyden", action="store_true",
                        help="the Broyden 50 x 50 Jacobian instead")
    opts = parser.parse_args()
    import numpy as np
    from scipy.optimize import rosen, rosen_der
    import dualgrad as dg
    other = _load_other(opts.compare) if opts.compare else None
    try:
        import num_dual as nd
    except ImportError:
        nd = None
    clock = time.process_time
    if opts.broyden:
        return _broyden(opts, dg, other, nd, clock)
    for n in opts.n:
        x = np.linspace(-1.2, 1.2, n)
        ref = rosen_der(x)
        subjects = {"f": lambda: rosen(x)}
        if nd is not None:
            xs = list(x)
            subjects["num-dual"] = lambda: nd.gradient(
                lambda v: rosen(np.array(v, dtype=object)), xs)[1]
            subjects["nd v[0]"] = lambda: nd.gradient(lambda v: v[0], xs)[1]
        subjects.update(_pieces(dg, x))
        if other is not None:
            subjects.update({f"{k} (other)": f for k, f in _pieces(other, x).items()})
        for name in ("dualgrad", "dualgrad (other)"):
            if name in subjects:
                err = np.max(np.abs(subjects[name]() - ref)) / np.max(np.abs(ref))
                assert err < 1e-14, (name, err)
        times = {k: [] for k in subjects}
        for f in subjects.values():          # warm-up
            for _ in range(50):
                f()
        for _ in range(opts.rounds):
            for k, f in subjects.items():
                t = clock()
                for _ in range(opts.calls):
                    f()
                times[k].append((clock() - t) / opts.calls * 1e6)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"n = {n} (medians of {opts.rounds} rounds of {opts.calls} calls, us per call)")
        for k, v in med.items():
            extra = ""
            if k == "dualgrad" and "num-dual" in med:
                extra = f"   {v / med['num-dual']:.2f}x num-dual"
            if k.endswith("(other)"):
                paired = statistics.median(a / b for a, b in zip(times[k[:-8]], times[k]))
                extra = f"   this / other {med[k[:-8]] / v:.2f} (per round {paired:.2f})"
            print(f"  {k:22s} {v:8.1f}{extra}")
        print(f"  arithmetic (dualgrad - promote) {med['dualgrad'] - med['promote']:.1f}, "
              f"asarray - v[0] {med['asarray'] - med['v[0]']:.1f}, "
              f"promote - asarray {med['promote'] - med['asarray']:.1f}")


if __name__ == "__main__":
    main()
