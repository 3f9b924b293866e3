"""A scalar's power with small array duals, case by case, to compare checkouts bit for bit
(small64).

    python bench/power_mixed_bits.py [--compare DIR] [--quick]

Each case is one of ``u ** k``, ``k ** u``, ``t ** k``, ``c ** u``, ``u ** c`` (``k`` a
scalar dual, ``u`` an array dual, ``t`` a float64 ndarray, ``c`` a Python or NumPy float;
each also spelled ``np.power``; ``u ** c`` also with ``c`` a NumPy float and, where
integral, a Python int: small68), ``np.float_power(u, k)``, ``u ** t``, ``t ** u`` and ``u **
v`` (two array duals, power65), on values and partials drawn from special numbers (+-0,
subnormals, 1e-300, 1e-160, 1e154, 1e300, 3e300, +-inf, NaN, negative bases, integers) in several
layouts (contiguous, strided, reversed, Fortran-ordered partials, 2-D values), sizes
below and past ``SMALL_BELOW``, other directions, a nested (Hessian) level, under
NumPy's default, ``ignore`` and ``raise`` error states.  A case's record: the result's class, its value's and partials' bytes,
dtypes and shapes, and NumPy's warnings (category and text) or the exception's type
and text.  The child prints one SHA-256 digest per case.

With ``--compare``, fresh processes run this checkout and ``DIR``'s dualgrad (this
script's cases in both) under ``DUALGRAD_ENGINE=fused`` and ``eager``, numba loaded
first or never loaded, and print per state the number of cases and of cases whose
records differ (the first few named).  Without it, one process of this checkout prints
the number of cases and one digest of them all.
"""

import argparse
import hashlib
import json
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent

SPECIAL = [0.7312, 2.5, -1.3, -2.0, 0.0, -0.0, 1.0, -1.0, 3.0, 0.5, 5e-324, -1e-310,
           1e-160, 1e154, 1e160, 3e300, -3e300, float("inf"), -float("inf"), float("nan"),
           1e-300, 1e300]


def cases(quick):
    """``(name, thunk)`` for every case (the duals made inside each thunk's caller)."""
    import numpy as np
    import dualgrad as dg
    from dualgrad.dual import new_tag
    rng = np.random.default_rng(64)
    scalars = SPECIAL[::3] if quick else SPECIAL
    shapes = [(10, 10), (3, 1), (1, 4), (40, 30)]          # (N, n); 1200 past SMALL_BELOW
    out = []
    for N, n in shapes:
        tag = new_tag()
        for pattern in range(8 if not quick else 3):
            if pattern == 0:
                x = rng.uniform(0.5, 2.0, N)
            elif pattern == 1:
                x = rng.uniform(-3.0, 3.0, N)
            elif pattern == 2:                          # one special among ordinary values
                x = rng.uniform(0.2, 4.0, N)
                x[rng.integers(N)] = SPECIAL[(N + n) % len(SPECIAL)]
            elif pattern == 3:
                x = rng.choice(SPECIAL, N)
            elif pattern == 4:                          # integers (negative bases' powers)
                x = rng.integers(-4, 5, N).astype(float)
            elif pattern == 5:                          # tiny and huge magnitudes
                x = np.exp(rng.uniform(-700.0, 700.0, N))
            elif pattern == 6:  # a quotient factor y x**(y - 1) that underflows beside
                x = np.resize([1e160, 3e154, 1e200, 1.5], N)    # huge partials (u ** k)
            else:               # ... and as the exponent of a huge base (k ** u)
                x = np.resize([-1.0, -1.5, 0.5, 0.25], N)
            p = rng.standard_normal((N, n))
            if pattern >= 6:
                p *= 10.0 ** rng.uniform(100.0, 300.0, (N, n))
            if pattern >= 2:                            # special partials
                flat = p.reshape(-1)
                k = rng.integers(flat.size, size=min(flat.size, 3))
                flat[k] = rng.choice([np.nan, np.inf, -0.0, 5e-324, 1e300, 0.0], k.size)
            t = rng.uniform(0.3, 3.0, N) if pattern % 2 else x.copy()
            row = rng.standard_normal(n) * (1e250 if pattern >= 6 else 1.0)
            if pattern == 3:
                row[0] = np.nan
            for layout in ("C", "strided", "reversed", "F") if not quick else ("C", "F"):
                if layout == "C":
                    xv, pv = x, p
                elif layout == "strided":
                    xv, pv = np.repeat(x, 2)[::2], np.repeat(p, 2, axis=0)[::2]
                elif layout == "reversed":
                    xv, pv = x[::-1].copy()[::-1], p[::-1].copy()[::-1]
                else:
                    xv, pv = x, np.asfortranarray(p)
                for c in scalars:
                    def mk(xv=xv, pv=pv, c=c, tag=tag, row=row):
                        u = dg.Dual(xv, pv, tag=tag)
                        k = dg.Dual(c, row.copy(), tag=tag)
                        return u, k
                    forms = {
                        "u ** k": lambda u, k: u ** k, "k ** u": lambda u, k: k ** u,
                        "t ** k": lambda u, k, t=t: t ** k,
                        "c ** u": lambda u, k, c=c: c ** u,
                        "f64(c) ** u": lambda u, k, c=c: np.float64(c) ** u,
                        "np.power(u, k)": lambda u, k: np.power(u, k),
                        "np.power(k, u)": lambda u, k: np.power(k, u),
                        "np.power(t, k)": lambda u, k, t=t: np.power(t, k),
                        "np.power(c, u)": lambda u, k, c=c: np.power(c, u),
                        # a number's power (lean_power: u ** 3's entry, y > 1's
                        # underflow test, farpow67)
                        "u ** c": lambda u, k, c=c: u ** c,
                        "np.power(u, c)": lambda u, k, c=c: np.power(u, c),
                        # small68: a NumPy float's and an int's (a ** -1: lean_power's
                        # entry from x ** (y - 1.0), its exponent a Python float)
                        "u ** f64(c)": lambda u, k, c=c: u ** np.float64(c),
                    }
                    if c == c and abs(c) < 1e6 and c == int(c):
                        forms["u ** int(c)"] = lambda u, k, c=int(c): u ** c
                    if layout == "C" and c in (0.7312, -1.3, 0.0, np.inf):
                        forms.update({
                            "np.float_power(u, k)": lambda u, k: np.float_power(u, k),
                            "u ** t": lambda u, k, t=t: u ** t,
                            "t ** u": lambda u, k, t=t: t ** u,
                            "2 ** u": lambda u, k: 2 ** u,
                            "u ** k (2-D)": lambda u, k: u.reshape(1, -1) ** k,
                            "k ** u (2-D)": lambda u, k: k ** u.reshape(-1, 1),
                        })
                    if c == scalars[0]:     # two array duals (small63's u ** v)
                        forms.update({"u ** v": lambda u, k: u ** _reversed(u),
                                      "np.power(u, v)": lambda u, k: np.power(u, _reversed(u)),
                                      "v ** u": lambda u, k: _reversed(u) ** u})
                    for name, form in forms.items():
                        out.append((f"{name} | N={N} n={n} x{pattern} {layout} c={c!r}",
                                    mk, form))
    # other directions: NumPy's / the general path's error
    tag = new_tag()
    u = dg.Dual(np.array([0.5, 1.5, 2.5]), rng.standard_normal((3, 2)), tag=tag)
    k = dg.Dual(0.7, rng.standard_normal(3), tag=tag)
    for name, form in (("u ** k", lambda u, k: u ** k), ("k ** u", lambda u, k: k ** u)):
        out.append((f"{name} | directions 2 and 3", lambda u=u, k=k: (u, k), form))
    return out


def _reversed(u):
    """The array dual of ``u``'s values and half its partials, reversed (``u ** v``'s ``v``)."""
    import dualgrad as dg
    return dg.Dual(u.value[::-1], u.partials[::-1] * 0.5, tag=u.tag)


def record(h, result):
    import numpy as np
    h.update(type(result).__name__.encode())
    for part in (result.value, result.partials):
        a = np.asarray(part)
        h.update(f"{a.dtype} {a.shape}".encode())
        h.update(np.ascontiguousarray(a).tobytes())


def hessian_cases():
    """A Hessian through each form (the nested level: the general path), by name."""
    import numpy as np
    import dualgrad as dg
    x = np.array([0.8, 1.3, 2.1, 0.6])
    return {
        "hessian u ** k": lambda: dg.hessian(lambda z: np.sum(z[:3] ** z[3]), x),
        "hessian k ** u": lambda: dg.hessian(lambda z: np.sum(z[3] ** z[:3]), x),
        "hessian t ** k": lambda: dg.hessian(lambda z: np.sum(x[:3] ** z[3]), x),
        "hessian 2.0 ** u": lambda: dg.hessian(lambda z: np.sum(2.0 ** z[:3]), x),
    }


def digests(quick):
    import numpy as np
    got = {}
    for state in ("default", "ignore", "raise"):
        for name, make, form in cases(quick if state == "default" else True):
            h = hashlib.sha256()
            with warnings.catch_warnings(record=True) as seen, np.errstate(
                    **({} if state == "default" else {"all": state})):
                warnings.simplefilter("always")
                try:
                    u, k = make()
                    record(h, form(u, k))
                except Exception as exc:  # noqa: BLE001 (its type and text enter the record)
                    h.update(f"{type(exc).__name__}: {exc}".encode())
            for w in seen:
                h.update(f"{w.category.__name__}: {w.message}".encode())
            got[f"{state} | {name}"] = h.hexdigest()[:16]
    for name, fn in hessian_cases().items():
        h = hashlib.sha256()
        h.update(np.ascontiguousarray(fn()).tobytes())
        got[name] = h.hexdigest()[:16]
    return got


def child(numba, quick):
    from dualgrad.backend import _loader
    if numba:
        _loader.load()
    else:
        _loader.LOAD_AFTER = float("inf")
    got = digests(quick)
    if numba:
        assert _loader.READY
    else:
        assert not _loader.READY, "numba was loaded"
    print(json.dumps(got))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", help="another checkout's root (its dualgrad)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", choices=["numba", "numpy"])
    opts = parser.parse_args()
    if opts.child:
        child(opts.child == "numba", opts.quick)
        return
    sys.path.insert(0, str(HERE))
    from _common import case_sides
    case_sides(__file__, opts.compare, ["--quick"] if opts.quick else [])


if __name__ == "__main__":
    main()
