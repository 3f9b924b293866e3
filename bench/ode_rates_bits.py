"""dg.solve_ivp's augmented right-hand side, case by case, to compare checkouts bit for bit
(rates64: a ``fun`` returning a list or tuple of scalar duals is read in one step).

    python bench/ode_rates_bits.py [--compare DIR]

Each case solves a small system whose ``fun`` returns a list, a tuple, an object array
or a mixture (numbers beside duals, ints, NumPy scalars, a nested level, a complex
state), over parameters holding -0.0, 0.0 and a subnormal (NaN or inf rates: SciPy's
RK45 loops without end), states holding NaN, +-inf, -0.0, subnormals and ordinary
numbers, by RK45, Radau and LSODA, under ``dg.jacobian`` (and one ``dg.hessian``), and
bench/corpus57.py's PK and stiff kinetics rows.
Every array the augmented system hands SciPy (``_Augmented.rates``) enters the case's
digest, bytes and dtype, with the solve's result, its status and message, and any
error or warning; so a changed sign of a zero or NaN payload in any call shows.

With ``--compare``, fresh processes run this checkout and ``DIR``'s dualgrad (this
script's cases in both) under ``DUALGRAD_ENGINE=fused`` and ``eager``, numba loaded
and not, and the cases whose digests differ are listed.  Without it, a digest is
printed per state.  Nothing is written.
"""

import argparse
import hashlib
import json
import os
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent

SPECIALS = [1.5, -0.0, 0.0, 5e-324, -2.5]   # (NaN or inf rates: SciPy's RK45 loops without end)


def rhs_forms():
    """name -> fun(t, y, a, b): the right-hand sides, each returning its own form."""
    import numpy as np
    return {
        "list": lambda t, y, a, b: [-a * y[0], a * y[0] - b * y[1], b * y[1]],
        "tuple": lambda t, y, a, b: (-a * y[0], a * y[0] - b * y[1], b * y[1]),
        "list, -0.0 products": lambda t, y, a, b: [-0.0 * y[0] * a, -(a * y[1]) * 0.0,
                                                   b * -y[2]],
        "list, a number beside": lambda t, y, a, b: [-a * y[0], 0.0, b * y[1]],
        "list, an int beside": lambda t, y, a, b: [-a * y[0], 0, b * y[1]],
        "list, np.float64 beside": lambda t, y, a, b: [-a * y[0], np.float64(-0.0), b * y[1]],
        "list, of y only": lambda t, y, a, b: [-y[0], y[0] - y[1], y[1]],
        "list, too short": lambda t, y, a, b: [-a * y[0], a * y[0]],
        "object array": lambda t, y, a, b: np.array([-a * y[0], a * y[0] - b * y[1], b * y[1]]),
        "array dual": lambda t, y, a, b: np.array([-1.0, 1.0, 0.0]) * a * y[0] +
        np.array([0.0, -1.0, 1.0]) * b * y[1],
        "list, sqrt and log": lambda t, y, a, b: [-np.sqrt(abs(a)) * y[0],
                                                  np.log(abs(b) + 1.0) * y[1], a * b],
    }


def cases():
    import numpy as np
    import dualgrad as dg
    out = []
    forms = rhs_forms()
    y0s = [np.array([1.0, 0.5, 0.0]), np.array([-0.0, 0.0, 1e-310]),
           np.array([np.nan, 1.0, 0.0]), np.array([np.inf, 1.0, -np.inf])]
    for name, fun in forms.items():
        for method in ("RK45", "Radau", "LSODA"):
            for a in SPECIALS:
                for i, y0 in enumerate(y0s):
                    if (a != 1.5 and i) or (method != "RK45" and (i > 1 or a != 1.5)):
                        continue
                    p = np.array([a, 0.7])

                    def solve(q, fun=fun, y0=y0, method=method):
                        sol = dg.solve_ivp(fun, (0.0, 0.05), y0, method=method,
                                           args=(q[0], q[1]), rtol=1e-6, atol=1e-9)
                        return sol.y[:, -1]
                    out.append((f"{name} | {method} | a={a!r} | y0 #{i}",
                                lambda solve=solve, p=p: dg.jacobian(solve, p)))
            out.append((f"{name} | {method} | y0 dual",
                        lambda fun=fun, method=method: dg.jacobian(
                            lambda z: dg.solve_ivp(fun, (0.0, 0.05), z, method=method,
                                                   args=(1.3, 0.7), rtol=1e-6).y[:, -1],
                            np.array([1.0, 0.5, -0.0]))))
    sys.path[:0] = [str(HERE)]
    from corpus57 import PROBLEMS57
    for name in ("PK compartments, dg.solve_ivp (3)", "stiff kinetics, Radau (6)"):
        f, x = PROBLEMS57[name]
        out.append((f"corpus | {name}", lambda f=f, x=x: dg.jacobian(f, np.array(x, float))))
    out.append(("list | hessian", lambda: dg.hessian(
        lambda q: dg.solve_ivp(forms["list"], (0.0, 0.05), np.array([1.0, 0.5, 0.0]),
                               args=(q[0], q[1]), rtol=1e-6).y[-1, -1],
        np.array([1.3, 0.7]))))
    out.append(("list | complex y0", lambda: dg.jacobian(
        lambda q: dg.solve_ivp(forms["list"], (0.0, 0.05), np.array([1.0 + 1j, 0.5, 0.0]),
                               args=(q[0], q[1]), rtol=1e-6).y[:, -1],
        np.array([1.3, 0.7]))))
    return out


def digests():
    import numpy as np
    from dualgrad.api import _ode
    seen_rates = []
    rates = _ode._Augmented.rates

    def watched(self, t, z):
        r = rates(self, t, z)
        seen_rates.append(f"{r.dtype} {r.shape}".encode() + np.ascontiguousarray(r).tobytes())
        return r
    _ode._Augmented.rates = watched
    got = {}
    calls = 0
    for name, make in cases():
        h = hashlib.sha256()
        seen_rates.clear()
        t0 = time.process_time()
        with warnings.catch_warnings(record=True) as seen, np.errstate(all="ignore"):
            warnings.simplefilter("always")
            try:
                r = np.asarray(make())
                h.update(f"{r.dtype} {r.shape}".encode() + np.ascontiguousarray(r).tobytes())
            except Exception as exc:  # noqa: BLE001 (its type and text enter the record)
                h.update(f"{type(exc).__name__}: {exc}".encode())
        for w in seen:
            h.update(f"{w.category.__name__}: {w.message}".encode())
        for b in seen_rates:
            h.update(b)
        calls += len(seen_rates)
        if os.environ.get("RATES_TIMES"):
            print(name, round(time.process_time() - t0, 2), file=sys.stderr)
        got[name] = h.hexdigest()[:16]
    got[" rates calls"] = str(calls)
    return got


def child(numba):
    from dualgrad.backend import _loader
    if numba:
        _loader.load()
    else:
        _loader.LOAD_AFTER = float("inf")
    got = digests()
    assert _loader.READY if numba else not _loader.READY
    print(json.dumps(got))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout's root (its dualgrad)")
    parser.add_argument("--child", choices=["numba", "numpy"])
    opts = parser.parse_args()
    if opts.child:
        child(opts.child == "numba")
        return
    sys.path.insert(0, str(HERE))
    from _common import case_sides
    case_sides(__file__, opts.compare, describe=lambda got: f"{len(got) - 1} cases, "
               f"{got[' rates calls']} rates calls")


if __name__ == "__main__":
    main()
