"""A digest of products of complex array duals, case by case (tmm69: the lean complex
product, :func:`dualgrad.dispatch._linalg._lean_complex_product`, against
:func:`_product`'s scans).  ``np.dot``, ``np.matmul``, ``@``, ``np.inner``, ``np.vdot``,
``np.tensordot(a, b, 1)``, ``np.vecdot`` of 1-D and 2-D complex128 / float64 array
duals and plain arrays (2 x 2, 3 x 2 by 2 x 4, 2 x 1, 1-D of 3, empty), values and
partials holding -0.0, subnormals, 1e300 (products overflowing to inf or NaN in the
partials only), inf and NaN; float partials of complex values; under NumPy's default
error state, ``np.errstate(all="raise")`` and ``all="ignore"``; a Hessian's nested
duals; then bench/corpus68.py's TMM row.  Each case's classes, every level's bytes,
the exception and the warnings give one SHA-1 (prints only).

    python bench/complex_dot_bits.py [--compare DIR]

Fresh processes for each engine (fused, eager), numba loaded and not, of this
checkout and, with ``--compare``, of ``DIR``: how many cases differ, the first named.
"""
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SPECIAL = [-0.0, 5e-324, 1e300, np.inf, np.nan]


def digest(x):
    from _common import levels
    return hashlib.sha1(json.dumps(levels(x)).encode()).hexdigest()[:16]


def record(got, label, f):
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            res = digest(f())
        except Exception as e:       # noqa: BLE001
            res = f"raised {type(e).__name__}: {str(e)[:160]}"
    got[label] = [res, sorted(str(x.message)[:120] for x in w)]


def operands(q):
    """name -> an operand (array duals of ``q``'s call, plain arrays)."""
    rng = np.random.default_rng(5)
    shapes = {"2x2": (2, 2), "3x2": (3, 2), "2x4": (2, 4), "2x1": (2, 1), "v2": (2,),
              "v3": (3,), "0x2": (0, 2), "2x0": (2, 0)}
    got = {}
    for name, shape in shapes.items():
        c = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
        r = rng.standard_normal(shape)
        got[f"cx {name}"] = q[0] * c + q[-1] * (1j * r)
        got[f"cx float p {name}"] = q[0] * r + 1j * c.imag     # complex value, float partials
        got[f"real {name}"] = q[0] * r
        got[f"plain cx {name}"] = c
        for s in SPECIAL:
            e = c.copy()
            if e.size:
                e.flat[0] = complex(s, -s) if s == s else complex(s, 1.0)
            got[f"cx value {s!r} {name}"] = q[0] * r + e          # a special value
            got[f"cx partial {s!r} {name}"] = (q[0] * s) * c + c  # a special partial scale
    return got


FUNCS = {"dot": np.dot, "matmul": np.matmul, "@": lambda a, b: a @ b, "inner": np.inner,
         "vdot": np.vdot, "tensordot 1": lambda a, b: np.tensordot(a, b, 1),
         "vecdot": np.vecdot}
PAIRS = [("2x2", "2x2"), ("3x2", "2x4"), ("2x2", "2x1"), ("2x2", "v2"), ("v2", "v2"),
         ("v2", "2x4"), ("3x2", "v2"), ("0x2", "2x2"), ("2x0", "0x2")]


def child(numba):
    import dualgrad as dg
    if numba:
        from dualgrad.backend import _loader
        _loader.load()
    from corpus68 import tmm_row
    got = {}

    def f(q, tag):
        ops = operands(q)
        kinds = sorted({k.rsplit(" ", 1)[0] for k in ops})
        for sa, sb in PAIRS:
            for ka in kinds:
                for kb in ("cx", "plain cx", "real", "cx float p", "cx partial 1e+300"):
                    a, b = ops.get(f"{ka} {sa}"), ops.get(f"{kb} {sb}")
                    if a is None or b is None:
                        continue
                    for fname, fn in FUNCS.items():
                        for state in ("default", "raise", "ignore"):
                            def run(fn=fn, a=a, b=b, state=state):
                                if state == "default":
                                    return fn(a, b)
                                with np.errstate(all=state):
                                    return fn(a, b)
                            record(got, f"{tag} {fname} {ka} {sa} . {kb} {sb} {state}", run)
                            record(got, f"{tag} {fname} {kb} {sb} . {ka} {sa}r {state}",
                                   lambda fn=fn, a=a, b=b: fn(b, a) if state == "default"
                                   else _in(state, fn, b, a))
        return q

    for n in (1, 3):
        x = np.linspace(0.5, 1.5, n)
        record(got, f"jacobian n={n}", lambda: dg.jacobian(lambda q: f(q, f"n={n}"), x))

    def hess(q):
        a = q[0] * np.array([[1 + 1j, 2], [0.5j, -1]]) + q[1]
        b = np.exp(1j * q[1]) * np.array([[1, 1j], [2, -1]])
        return np.abs(np.dot(a, b)).sum() + np.abs(a @ b[:, 0]).sum()
    record(got, "hessian", lambda: dg.hessian(hess, np.array([0.4, 0.9])))
    x = np.array([1.38, 100.0, 2.1, 60.0])
    record(got, "TMM jacobian", lambda: dg.jacobian(tmm_row, x))
    record(got, "TMM hessian", lambda: dg.hessian(lambda p: tmm_row(p).sum(), x))
    print(json.dumps(got))


def _in(state, fn, a, b):
    with np.errstate(all=state):
        return fn(a, b)


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", metavar="DIR")
    parser.add_argument("--child", choices=["numba", "numpy"])
    opts = parser.parse_args()
    if opts.child:
        child(opts.child == "numba")
    else:
        from _common import case_sides
        case_sides(__file__, opts.compare)
