"""Smooth rules on complex small array duals, case by case, to compare checkouts bit for bit
(complex68: the generated complex lines of ``dispatch._lean_complex``).

    python bench/complex_lean_bits.py [--compare DIR] [--quick]

Every smooth row of the rule table of one or two arguments (``np.sqrt``, ``np.log``,
``np.divide``, ``np.arctan2``...; the tangent rows ``np.abs``, ``np.conjugate`` too;
scipy.special's ``wofz``, ``erf``, ``loggamma``, ``xlogy``, ``expit``...) on
array duals holding complex128 values and partials: values from a moderate grid, one
special among ordinary values, all special (each part from +-0, subnormals, 1e-160,
1e154, +-3e300, +-inf, NaN), tiny and huge moduli, the branch cuts (negative reals
with +-0.0 imaginary parts, +-0j), quotients that underflow (1e200 (1 + i)); partials
with NaN / inf / -0.0 / subnormals / 1e300 and zero rows; 1-D of 1, 5, 12 and 70
elements (past ``_complex_lost``'s 64), 2-D, strided values and Fortran-ordered
partials; two duals, a dual beside Python ints, floats, complex numbers, NumPy float64
/ complex128 / int64, bools and complex or float ndarrays, in both orders, by the
ufunc and by the operators; a dual of another tag, other directions, an escaped dual;
NumPy's default, ``ignore`` and ``raise`` error states; then the magnetotelluric and Mie
rows' Jacobians (bench/corpus64.py), the split-step row's (bench/ssfm.py, 4 steps) and
a Hessian through complex arithmetic.  A case's record: the result's class, its value's
and partials' dtypes, shapes and bytes, and NumPy's warnings or the exception's type and
text; the child prints one SHA-256 digest per case.

With ``--compare``, fresh processes run this checkout and ``DIR``'s dualgrad (this
script's cases in both) under ``DUALGRAD_ENGINE=fused`` and ``eager``, numba loaded
first or never loaded, and print per state the number of cases and of cases whose
records differ (the first few named).
"""

import argparse
import hashlib
import json
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent

PARTS = [0.7312, -1.3, 2.5, 0.0, -0.0, 5e-324, -1e-310, 1e-160, 1e154, 3e300, -3e300,
         float("inf"), -float("inf"), float("nan")]


# scipy.special's rows with complex loops (and expit, without: NumPy's TypeError)
SCIPY = ["wofz", "erf", "erfc", "erfcx", "dawsn", "gamma", "loggamma", "exp1", "xlogy", "expit"]


def _rules():
    """The table's smooth rows of one or two arguments and one result, by name."""
    import scipy.special as sc
    from dualgrad.rules._table import RULES, rule_for
    seen = {}
    scipy_rules = [rule_for(getattr(sc, name)) for name in SCIPY]
    for rule in [*RULES.values(), *(r for r in scipy_rules if r is not None)]:
        u = rule.ufunc
        if rule.kind == "smooth" and 0 < u.nin <= 2 and u.nout == 1 and \
                rule.name not in seen:
            seen[rule.name] = rule
    return [seen[k] for k in sorted(seen)]


def _values(rng, pattern, N):
    """A complex128 array of ``N`` values of the ``pattern``."""
    import numpy as np
    if pattern == 0:
        return rng.uniform(-2, 2, N) + 1j * rng.uniform(-2, 2, N)
    if pattern == 1:
        v = rng.uniform(0.2, 3, N) + 1j * rng.uniform(-1, 1, N)
        k = rng.integers(N)
        v[k] = complex(PARTS[(N + k) % len(PARTS)], v[k].imag) if k % 2 else \
            complex(v[k].real, PARTS[(3 * N + k) % len(PARTS)])
        return v
    if pattern == 2:
        return np.array([complex(a, b) for a, b in zip(rng.choice(PARTS, N),
                                                        rng.choice(PARTS, N))])
    if pattern == 3:
        return np.exp(rng.uniform(-700, 700, N)) * np.exp(1j * rng.uniform(-3.2, 3.2, N))
    if pattern == 4:                    # branch cuts: negative reals, signed zeros
        return np.resize(np.array([complex(-2.5, 0.0), complex(-2.5, -0.0), 0j,
                                   complex(-0.0, -0.0), complex(-1e-300, -0.0),
                                   complex(2.0, -0.0), complex(-0.0, 1.0)]), N)
    return np.resize(np.array([1e200 * (1 + 1j), 1e-200 * (1 - 1j), 3e307 + 0j,
                               1e154 * (1 + 1j), 0.5 + 0.5j]), N)      # quotients


def _partials(rng, pattern, N, n):
    import numpy as np
    p = rng.standard_normal((N, n)) + 1j * rng.standard_normal((N, n))
    if pattern >= 1:
        flat = p.reshape(-1)
        k = rng.integers(flat.size, size=min(flat.size, 3))
        flat[k] = rng.choice([complex(np.nan, 0), complex(0, np.inf), complex(-0.0, -0.0),
                              complex(5e-324, 0), complex(1e300, -1e300), 0j], k.size)
        p[rng.integers(N)] = 0.0
    if pattern == 5:
        p *= 1e250
    return p


def _layout(v, p, layout):
    import numpy as np
    if layout == "strided":
        return np.repeat(v, 2)[::2], np.repeat(p, 2, axis=0)[::2]
    if layout == "F":
        return v, np.asfortranarray(p)
    if layout == "2-D" and v.size % 2 == 0:
        return v.reshape(2, -1), p.reshape(2, -1, p.shape[-1])
    return v, p


CONSTANTS = [2, 2.5, -0.0, 1j, complex(1e308, 1e308), 0j, float("inf"), 1e-310]
NUMPY_CONSTANTS = ["np.float64(nan)", "np.complex128(-2.5-0j)", "True", "np.int64(3)",
                   "complex ndarray", "float ndarray", "real dual"]


def cases(quick):
    """``(name, make, form)``: ``make()`` the operands, ``form(*operands)`` the case."""
    import numpy as np
    import dualgrad as dg
    from dualgrad.dual import new_tag
    rng = np.random.default_rng(68)
    out = []
    shapes = [(12, 3), (5, 1), (70, 2), (1, 2)] if not quick else [(12, 3)]
    layouts = ("C", "strided", "F", "2-D") if not quick else ("C",)
    for rule in _rules():
        u = rule.ufunc
        for N, n in shapes:
            tag = new_tag()
            for pattern in range(6):
                x = _values(rng, pattern, N)
                y = _values(rng, (pattern + 2) % 6, N)
                p = _partials(rng, pattern, N, n)
                q = _partials(rng, (pattern + 1) % 6, N, n)
                for layout in layouts if pattern < 3 else ("C",):
                    xv, pv = _layout(x, p, layout)
                    yv, qv = _layout(y, q, layout)

                    def mk(xv=xv, pv=pv, yv=yv, qv=qv, tag=tag):
                        return (dg.Dual(xv.copy(), pv.copy(), tag=tag),
                                dg.Dual(yv.copy(), qv.copy(), tag=tag))
                    label = f"{rule.name} | N={N} n={n} x{pattern} {layout}"
                    if u.nin == 1:
                        out.append((label, mk, lambda a, b, u=u: u(a)))
                        continue
                    out.append((f"{label} u, v", mk, lambda a, b, u=u: u(a, b)))
                    out.append((f"{label} u, u", mk, lambda a, b, u=u: u(a, a)))
                    if layout != "C":
                        continue
                    for c in CONSTANTS:
                        out.append((f"{label} u, {c!r}", mk, lambda a, b, u=u, c=c: u(a, c)))
                        out.append((f"{label} {c!r}, u", mk, lambda a, b, u=u, c=c: u(c, a)))
                    if pattern in (0, 2):
                        consts = {
                            "np.float64(nan)": np.float64("nan"),
                            "np.complex128(-2.5-0j)": np.complex128(complex(-2.5, -0.0)),
                            "True": True, "np.int64(3)": np.int64(3),
                            "complex ndarray": y.copy(), "float ndarray": y.real.copy()}
                        for name, c in consts.items():
                            out.append((f"{label} u, {name}", mk,
                                        lambda a, b, u=u, c=c: u(a, c)))
                            out.append((f"{label} {name}, u", mk,
                                        lambda a, b, u=u, c=c: u(c, a)))
                        def real(b):
                            return dg.Dual(b.value.real.copy(), b.partials.real.copy(),
                                           tag=b.tag)

                        def scalar(b, j, kind):
                            v, row = b.value.reshape(-1)[j], b.partials.reshape(-1, n)[j]
                            return dg.Dual(v if kind == "complex" else v.real, row.copy()
                                           if kind == "complex" else row.real.copy(), tag=b.tag)
                        others = {"real dual": real,
                                  "real scalar": lambda b: scalar(b, 0, "real"),
                                  "real scalar 1": lambda b: scalar(b, 1 % N, "real"),
                                  "complex scalar": lambda b: scalar(b, 0, "complex"),
                                  "complex scalar 1": lambda b: scalar(b, 1 % N, "complex")}
                        for name, other in others.items():
                            out.append((f"{label} u, {name}", mk,
                                        lambda a, b, u=u, o=other: u(a, o(b))))
                            out.append((f"{label} {name}, u", mk,
                                        lambda a, b, u=u, o=other: u(o(b), a)))
                            out.append((f"{label} {name}, real u", mk,
                                        lambda a, b, u=u, o=other: u(o(b), real(a))))
                            out.append((f"{label} real u, {name}", mk,
                                        lambda a, b, u=u, o=other: u(real(a), o(b))))
                        for cname, c in (("complex ndarray", y), ("float ndarray", y.real),
                                         ("complex 0-d", np.array(y[0])), ("1j", 1j),
                                         ("2.5", 2.5)):
                            for name in ("real scalar", "complex scalar 1"):
                                other = others[name]
                                out.append((f"{label} {name}, {cname}", mk, lambda a, b, u=u,
                                            o=other, c=c: u(o(b), c.copy() if hasattr(
                                                c, "copy") else c)))
                                out.append((f"{label} {cname}, {name}", mk, lambda a, b, u=u,
                                            o=other, c=c: u(c.copy() if hasattr(c, "copy")
                                                            else c, o(b))))
                        for c in (1j, 2.5, complex(0, -0.0), np.complex128(1e-310j)):
                            out.append((f"{label} real u, {c!r}", mk,
                                        lambda a, b, u=u, c=c: u(real(a), c)))
                            out.append((f"{label} {c!r}, real u", mk,
                                        lambda a, b, u=u, c=c: u(c, real(a))))
    # the operators (ArrayDual's own, straight to complex_small) with numbers either side
    tag = new_tag()
    x, p = _values(rng, 0, 12), _partials(rng, 1, 12, 3)
    y, q = _values(rng, 2, 12), _partials(rng, 0, 12, 3)

    def mk2(tag=tag):
        return dg.Dual(x.copy(), p.copy(), tag=tag), dg.Dual(y.copy(), q.copy(), tag=tag)
    operators = {"a + b": lambda a, b: a + b, "a - b": lambda a, b: a - b,
                 "a * b": lambda a, b: a * b, "a / b": lambda a, b: a / b,
                 "a ** b": lambda a, b: a ** b, "-a": lambda a, b: -a}
    for c in CONSTANTS + [np.float64(1.5), np.complex128(2j), np.int64(2)]:
        operators.update({f"a + {c!r}": lambda a, b, c=c: a + c,
                          f"{c!r} - a": lambda a, b, c=c: c - a,
                          f"{c!r} * a": lambda a, b, c=c: c * a,
                          f"a / {c!r}": lambda a, b, c=c: a / c,
                          f"{c!r} / a": lambda a, b, c=c: c / a})
    for name, form in operators.items():
        out.append((f"operator {name}", mk2, form))
    # a dual of another tag (a constant), other directions, an escaped dual
    other = new_tag()
    out.append(("another tag", mk2, lambda a, b: a * dg.Dual(y, q, tag=other)))
    out.append(("directions 3 and 2", mk2, lambda a, b: a * dg.Dual(y, q[:, :2], tag=tag)))
    out.append(("shapes 12 and 6", mk2, lambda a, b: a * dg.Dual(y[:6], q[:6], tag=tag)))
    kept = []
    dg.jacobian(lambda z: (kept.append(z[0] * x), z)[1], np.array([1.0, 2.0]))
    out.append(("escaped * live", mk2, lambda a, b: kept[0] * a))
    out.append(("escaped * 2.0", mk2, lambda a, b: kept[0] * 2.0))
    out.append(("np.sqrt(escaped)", mk2, lambda a, b: np.sqrt(kept[0])))
    return out


def record(h, result):
    import numpy as np
    h.update(type(result).__name__.encode())
    for part in (result.value, result.partials):
        a = np.asarray(part)
        h.update(f"{a.dtype} {a.shape}".encode())
        h.update(np.ascontiguousarray(a).tobytes())


def rows():
    """Whole rows through complex arithmetic, by name: ``fn() -> ndarray``."""
    import numpy as np
    import dualgrad as dg
    sys.path.insert(0, str(HERE))
    import corpus64
    import ssfm
    got = {}
    for name, x in (("Mie", [3.0, 1.55, 0.01]), ("Mie", [0.7, 1.33, 0.2]),
                    ("magnetotelluric", None), ("magnetotelluric", "far")):
        f, x0 = next(r for n, r in corpus64.PROBLEMS64.items() if name in n)
        x = np.array(x0, float) + (300.0 if x == "far" else 0.0) if x is None or x == "far" \
            else np.array(x, float)
        got[f"{name} jacobian {x}"] = lambda f=f, x=x: dg.jacobian(f, x)
    f, p = ssfm.problem(4)
    got["split-step jacobian (4 steps)"] = lambda: dg.jacobian(f, p)
    got["hessian |exp(z) / (1 + z)|^2"] = lambda: dg.hessian(lambda q: np.sum(np.abs(
        np.exp(q[:3] * (1 + 1j)) / (1 + q[:3] * (0.5 - 1j) * q[3])) ** 2),
        np.array([0.3, -0.2, 0.7, 1.1]))
    return got


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
                    a, b = make()
                    record(h, form(a, b))
                except Exception as exc:  # noqa: BLE001 (its type and text enter the record)
                    h.update(f"{type(exc).__name__}: {exc}".encode())
            for w in seen:
                h.update(f"{w.category.__name__}: {w.message}".encode())
            got[f"{state} | {name}"] = h.hexdigest()[:16]
    for name, fn in rows().items():
        h = hashlib.sha256()
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            h.update(np.ascontiguousarray(fn()).tobytes())
        for w in seen:
            h.update(f"{w.category.__name__}: {w.message}".encode())
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
