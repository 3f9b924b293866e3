"""``dg.quad``'s results, case by case, to compare checkouts bit for bit.

    python bench/quad_bits.py [--compare DIR]

The cases: the corpus rows that integrate with ``dg.quad`` (corpus62's luminosity
distance, corpus63's heat exchanger) as values, Jacobians and Hessians at two points
each, and a grid of integrands whose derivatives flow through the parameters, the
limits (finite, infinite, moving past a kink or a NaN source), ``args`` and
``points``: smooth, kinked (``abs``, ``np.where``, ``np.maximum``), with an endpoint
singularity, oscillating, and ones ``dg.quad`` refuses.  A case's record is the
result's bytes (value and every partial) or the exception's type and text.

With ``--compare``, fresh processes run this checkout and ``DIR``'s dualgrad under
``DUALGRAD_ENGINE=fused`` and ``eager``, numba loaded first or never loaded, and print
per state the number of cases and their digest, and whether the two checkouts agree.
Stop 64's dg.quad work (quad64) claimed the same bits as its start on these rows.
"""

import hashlib
import sys
import warnings
from pathlib import Path

from _common import digest_main    # (bench/: this script's folder, sys.path[0])
HERE = Path(__file__).resolve().parent


def _integrands(np):
    """``(name, f(theta) -> integral)`` for the grid; ``theta`` has three entries."""
    import dualgrad as dg

    def q(func, a, b, **kw):
        return dg.quad(func, a, b, **kw)[0]

    return [
        ("gauss", lambda t: q(lambda x: np.exp(-t[0] * x * x) * t[1], 0.0, 2.0)),
        ("gauss to inf", lambda t: q(lambda x: np.exp(-t[0] * x * x), 0.0, np.inf)),
        ("both infinite", lambda t: q(lambda x: 1.0 / (1.0 + (t[0] * x) ** 2), -np.inf, np.inf)),
        ("moving upper", lambda t: q(lambda x: np.sin(t[1] * x) + x ** 3, 0.0, t[0])),
        ("moving both", lambda t: q(lambda x: np.log1p(x * x), t[2] - 1.0, t[0] + t[1])),
        ("kink inside", lambda t: q(lambda x: np.abs(x - t[0]) * t[1], -1.0, 3.0)),
        ("where kink", lambda t: q(lambda x: np.where(x < t[0], x * t[1], t[2] * x * x), 0.0,
                                   2.5)),
        ("maximum", lambda t: q(lambda x: np.maximum(x - t[0], 0.0) ** 2, 0.0, 3.0)),
        ("sqrt end", lambda t: q(lambda x: np.sqrt(x) * t[1], 0.0, t[0])),
        ("log end", lambda t: q(lambda x: np.log(x) * t[2], 0.0, 1.0)),
        ("args", lambda t: q(lambda x, a, b: a * np.cos(b * x), 0.0, 1.5, args=(t[0], t[1]))),
        ("points", lambda t: q(lambda x: np.abs(np.sin(t[0] * x)), 0.0, 4.0, points=[1.0, 2.0])),
        ("oscillating", lambda t: q(lambda x: np.cos(40.0 * t[0] * x) * np.exp(-x), 0.0, 5.0,
                                    limit=200)),
        ("tolerances", lambda t: q(lambda x: x ** t[0], 0.5, 2.0, epsabs=1e-12, epsrel=1e-12)),
        ("reversed", lambda t: q(lambda x: np.exp(t[1] * x), t[0], 0.0)),
        ("nested quad", lambda t: q(lambda x: q(lambda y: np.exp(-t[0] * x * y), 0.0, 1.0),
                                    0.0, 1.0)),
        ("nan source", lambda t: q(lambda x: np.sqrt(x - t[2]), 0.0, 2.0)),
        ("pole", lambda t: q(lambda x: 1.0 / (x - t[0]), 0.0, 3.0)),
    ]


def records():
    """``(name, bytes)`` for every case."""
    import numpy as np
    import dualgrad as dg
    from corpus62 import cosmology_row
    from corpus63 import hx_row

    out = []

    def record(name, thunk):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            try:
                got = np.asarray(thunk(), dtype=float)
                body = str(got.shape).encode() + got.tobytes()
            except Exception as exc:                  # refusals are part of the record
                body = f"{type(exc).__name__}: {exc}".encode()
        notes = "".join(sorted({f"{w.category.__name__}:{w.message}" for w in seen}))
        out.append((name, body + notes.encode()))

    for row, points in ((cosmology_row, ([0.7, 0.284, 1.0], [0.55, 0.9, 1.7])),
                        (hx_row, ([1.3, 0.4], [2.5, 0.85]))):
        for p in points:
            x = np.array(p)
            record(f"{row.__name__} f {p}", lambda: row(x))
            record(f"{row.__name__} jacobian {p}", lambda: dg.jacobian(row, x))
            record(f"{row.__name__} hessian {p}", lambda: dg.hessian(lambda v: row(v)[-1], x))
    thetas = ([0.8, 1.3, 0.4], [2.0, -0.7, 1.1], [1.5, 0.25, 0.0])
    for name, f in _integrands(np):
        for t in thetas:
            x = np.array(t)
            record(f"{name} jacobian {t}", lambda: dg.jacobian(f, x))
        record(f"{name} hessian {thetas[0]}", lambda: dg.hessian(f, np.array(thetas[0])))
    return out


def child(numba):
    if numba:
        import numba  # noqa: F401  (loaded first: the compiled paths)
    sys.path.insert(0, str(HERE))
    total = hashlib.sha256()
    rows = records()
    for name, body in rows:
        total.update(name.encode() + b"\0" + body)
    print(len(rows), total.hexdigest())


if __name__ == "__main__":
    digest_main(__file__, child)
