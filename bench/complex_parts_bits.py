"""A digest of the real and imaginary parts of complex scalar duals, case by case
(tmm69: ``d.real`` / ``d.imag`` of a complex-valued scalar dual of the slot kind read
from its Python numbers, ``dualgrad.dual._scalar._complex_part`` then, against the
general path's lift and ``np.real`` / ``np.imag``).  Values and partials holding
-0.0, NaN (payloads too), +-inf, subnormals and 1e308 in either part; float partials,
complex partials, the two mixed; 1, 2, 5 and 17 directions; a Hessian's nested duals;
a holomorphic call (refused); an escaped dual (refused); ``np.real`` / ``np.imag`` /
``d.conj()`` / ``d.conjugate()`` / ``np.conjugate`` / ``abs`` / ``np.abs`` beside them
(complex70: all read the table's tangent, ``dual._scalar.complex_tangent``), and random
values and partials of every scale (1e-300 .. 1e300); then bench/corpus68.py's TMM row's
Jacobian and Hessian.  Each case's classes, every level's bytes, the exception and
the warnings give one SHA-1 (prints only).

    python bench/complex_parts_bits.py [--compare DIR]

Fresh processes for each engine (fused, eager), numba loaded and not, of this
checkout and, with ``--compare``, of ``DIR``: how many cases differ, the first named.
"""
import hashlib
import json
import struct
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

NAN2 = struct.unpack("<d", struct.pack("<Q", 0xFFF8000000000123))[0]   # a NaN payload
SPECIAL = [0.0, -0.0, np.nan, NAN2, np.inf, -np.inf, 5e-324, -5e-324, 1e308, -2.5]
KEPT = []


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


def scalars(q, dg):
    """name -> a complex scalar dual of ``q``'s call."""
    n = q.shape[0]
    got = {}
    for a in SPECIAL:
        for b in SPECIAL[::3]:
            # value complex(a, b); partials complex (from q[0]) or float
            got[f"v({a!r},{b!r}) cx"] = q[0] * complex(b, a) * 0.0 + complex(a, b) + \
                q[-1] * complex(a, -b)
            got[f"v({a!r},{b!r}) float p"] = q[0] * a + complex(0.0, b)
    # random values and partials of every scale and sign (complex70)
    rng = np.random.default_rng(70)
    for k in range(40):
        a, b, c, e = rng.choice([-1.0, 1.0], 4) * 10.0 ** rng.uniform(-300, 300, 4)
        got[f"random {k}"] = q[0] * complex(c, e) + q[-1] * complex(e, -c) + complex(a, b)
        got[f"random {k} float p"] = q[0] * c + complex(a, b)
    got["exp"] = np.exp(1j * q[0])
    got["cos cx"] = np.cos(q[0] * (1 + 0.1j))
    if n >= 2:
        # float partials beside complex ones (made directly: arithmetic gives one kind)
        from dualgrad.dual import make_scalar
        for a in SPECIAL:
            ps = [a, complex(-0.0, a)] + [complex(a, a)] * (n - 2)
            got[f"mixed {a!r}"] = make_scalar(complex(a, -a), ps, q.tag)
            got[f"mixed {a!r} rev"] = make_scalar(complex(-a, a), ps[::-1], q.tag)
    return got


def child(numba):
    import dualgrad as dg
    if numba:
        from dualgrad.backend import _loader
        _loader.load()
    from corpus68 import tmm_row
    got = {}
    ops = {"real": lambda d: d.real, "imag": lambda d: d.imag,
           "np.real": np.real, "np.imag": np.imag,
           "conj": lambda d: d.conj(), "conjugate": lambda d: d.conjugate(),
           "real.imag": lambda d: d.real.imag, "imag of real": lambda d: (d * 1.0).imag,
           "abs": abs, "np.abs": np.abs, "np.conjugate": np.conjugate}

    def f(q, tag):
        for name, d in scalars(q, dg).items():
            got[f"{tag} {name} types"] = [type(d).__name__, type(d.value).__name__,
                                          [type(p).__name__ for p in d._plist()]] \
                if hasattr(d, "_plist") else [type(d).__name__]
            for op, fn in ops.items():
                record(got, f"{tag} {name} {op}", lambda: fn(d))
        return q

    for n in (1, 2, 5, 17):
        x = np.linspace(0.3, 1.1, n)
        record(got, f"jacobian n={n}", lambda: dg.jacobian(lambda q: f(q, f"n={n}"), x))
    dg.jacobian(lambda q: KEPT.append(np.exp(1j * q[0])) or q, np.ones(2))
    for op, fn in ops.items():
        record(got, f"escaped {op}", lambda: fn(KEPT[0]))

    def hess(q):
        s = 0.0
        for name, d in list(scalars(q, dg).items())[::5]:
            for op, fn in ops.items():
                record(got, f"hessian {name} {op}", lambda: fn(d))
        return np.abs(np.exp(1j * q[0]) * q[1]).real + (q[0] * (1 + 2j)).imag * q[1]
    record(got, "hessian", lambda: dg.hessian(hess, np.array([0.4, 0.9])))
    for op, fn in ops.items():
        record(got, f"holomorphic {op}",
               lambda: dg.jacobian(lambda z: fn(z[0] * 2.0), np.array([1.0 + 1j]),
                                   holomorphic=True))
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
