"""A digest of ``np.block`` of scalar duals and numbers, case by case (tmm69: the lean
block of 0-d leaves, :func:`dualgrad.dual._joins.block`, against the general path's
lift and concatenations).  Nestings one and two lists deep (1, 2, 3 leaves a row; 1 x 1
to 3 x 3), leaves from complex scalar duals whose value and partials hold -0.0, NaN,
+-inf, subnormals and 1e308, complex values with real partials, real scalar duals,
Python ints (0, 2**53, 2**53 + 1, 2**64), floats (-0.0, NaN), complex numbers, bools,
NumPy scalars, 0-d and 1-d arrays and array duals, another call's duals; ragged,
empty, tuple and deeper nestings (NumPy's errors); 1, 2, 4 and 17 directions, a
Hessian's two levels; tmm's ``make_2x2_array`` times ``np.ones((), complex)``; then
bench/corpus68.py's TMM row's Jacobian and Hessian.  Each case's classes, every
level's bytes, the exception and the warnings give one SHA-1 (prints only).

    python bench/block_bits.py [--compare DIR]

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

SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5]
KEPT = []


def leaves(q):
    """name -> a leaf made from ``q`` (a dual array of the running call)."""
    got = {}
    for k, s in enumerate(SPECIAL):
        got[f"cx {s!r}"] = q[0] * complex(s, 1.0) + q[-1] * 1j
        got[f"cx value {s!r}"] = q[0] * 0.0 + complex(s, -s)
        got[f"real {s!r}"] = q[0] * s
    got["cx real partials"] = q[0] + 1j               # complex value, float partials
    got["cx exp"] = np.exp(1j * q[0])
    got["cx -0 partials"] = q[0] * complex(-0.0, -0.0)
    got["real"] = q[0] * 2.5 - q[-1]
    got["real sin"] = np.sin(q[0])
    for name, c in (("int 0", 0), ("int 1", 1), ("int -7", -7), ("int 2**53", 2 ** 53),
                    ("int 2**53+1", 2 ** 53 + 1), ("int 2**64", 2 ** 64),
                    ("float -0", -0.0), ("float nan", float("nan")), ("float 1e308", 1e308),
                    ("complex", 1.5 - 2j), ("complex -0", complex(-0.0, -0.0)),
                    ("bool", True), ("np.float64", np.float64(1.25)),
                    ("np.complex128", np.complex128(1 - 1j)), ("np.int64", np.int64(3)),
                    ("0-d array", np.array(2.0)), ("0-d complex array", np.array(1j)),
                    ("1-d array", np.array([1.0, 2.0]))):
        got[name] = c
    got["0-d array dual"] = q[0:1].reshape(()) * 1.0
    got["1-d array dual"] = q[:2] * 1j
    if KEPT:
        got["escaped"] = KEPT[0]
    return got


def nestings(L):
    """name -> a nesting of leaves ``L`` (a dict)."""
    names = list(L)
    cx = [n for n in names if n.startswith("cx")]
    re = [n for n in names if n.startswith("real")]
    nums = [n for n in names if not n.startswith(("cx", "real", "escaped", "0-d", "1-d"))]
    arrays = [n for n in names if n.startswith(("0-d", "1-d", "escaped"))]
    got = {}
    # every complex leaf beside every number, in each position of a 2 x 2
    for c in cx:
        for m in nums:
            got[f"[[{c}, {m}], [{m}, {c}]]"] = [[L[c], L[m]], [L[m], L[c]]]
            got[f"[[{m}, {c}], [{c}, {m}]]"] = [[L[m], L[c]], [L[c], L[m]]]
        got[f"[{c}, 0]"] = [L[c], 0]
        got[f"[[{c}]]"] = [[L[c]]]
    for r in re:
        for m in nums:
            got[f"[[{r}, {m}], [{m}, {r}]]"] = [[L[r], L[m]], [L[m], L[r]]]
        got[f"[{r}, 1.0]"] = [L[r], 1.0]
    for a in arrays:
        got[f"[[cx exp, {a}], [0, 1]]"] = [[L["cx exp"], L[a]], [0, 1]]
        got[f"[[real, {a}]]"] = [[L["real"], L[a]]]
        got[f"[{a}, cx exp]"] = [L[a], L["cx exp"]]
    e, r = L["cx exp"], L["real"]
    got.update({
        "cx and real": [[e, r], [r, e]],
        "2 x 3": [[e, 0, 1j], [2.0, e, L["cx -0 partials"]]],
        "3 x 1": [[e], [0], [L["cx 1e+308"]]],
        "1 x 3": [[e, 0, 1]],
        "3 x 3": [[e, 0, 0], [0, e, 0], [0, 0, e]],
        "ragged": [[e, 0], [0]],
        "ragged 2": [[e], [0, e]],
        "empty": [],
        "empty rows": [[], []],
        "tuple": (e, 0),
        "tuple rows": [(e, 0), (0, e)],
        "row a tuple": [[e, 0], (0, e)],
        "deeper": [[[e, 0], [0, e]]],
        "mixed depth": [[e, 0], 1],
        "mixed depth 2": [e, [0, e]],
        "row a leaf": [e, [0]],
        "None": [[e, None], [0, e]],
        "string": [[e, "a"], [0, e]],
        "real only": [[r, 0], [0, r]],
        "reals of 2 classes": [[r, L["real sin"]], [0, r]],
    })
    return got


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


def child(numba):
    import dualgrad as dg
    if numba:
        from dualgrad.backend import _loader
        _loader.load()
    from corpus68 import make_2x2_array, tmm_row
    got = {}

    def f(q, tag):
        L = leaves(q)
        for name, nest in nestings(L).items():
            record(got, f"{tag} {name}", lambda: np.block(nest))
        for name in ("cx exp", "cx 1e+308", "cx real partials"):
            x = L[name]
            record(got, f"{tag} make_2x2 a00b {name}",
                   lambda: make_2x2_array(np.exp(-1j * x), 0, 0, np.exp(1j * x),
                                          dtype=complex))
            record(got, f"{tag} make_2x2 1rr1 {name}",
                   lambda: make_2x2_array(1, x, x, 1, dtype=complex))
        record(got, f"{tag} make_2x2 real", lambda: make_2x2_array(L["real"], 0, 0, 1))
        return np.abs(np.block([[L["cx exp"], 0], [0, L["cx exp"]]])).ravel()

    for n in (1, 2, 4, 17):
        x = np.linspace(0.3, 1.1, n)
        record(got, f"jacobian n={n}", lambda: dg.jacobian(lambda q: f(q, f"n={n}"), x))
    KEPT.append(None)
    dg.jacobian(lambda q: KEPT.__setitem__(0, np.exp(1j * q[0])) or q, np.ones(2))
    record(got, "escaped", lambda: dg.jacobian(lambda q: f(q, "escaped"), np.ones(3)))
    KEPT.clear()

    def hess(q):
        L = leaves(q)
        for name, nest in list(nestings(L).items())[::7]:
            record(got, f"hessian {name}", lambda: np.block(nest))
        return np.abs(np.block([[L["cx exp"], L["real"]], [0, L["cx exp"]]])).sum()
    record(got, "hessian", lambda: dg.hessian(hess, np.array([0.4, 0.9])))
    x = np.array([1.38, 100.0, 2.1, 60.0])
    record(got, "TMM jacobian", lambda: dg.jacobian(tmm_row, x))
    record(got, "TMM hessian", lambda: dg.hessian(lambda p: tmm_row(p).sum(), x))
    print(json.dumps(got))


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
