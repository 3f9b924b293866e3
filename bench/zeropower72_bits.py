"""Bits of the power rows at a zero base, this checkout against another (user72).

    python bench/zeropower72_bits.py [--compare DIR]

``_float_power`` (the scalar twin of ``np.float_power`` that the power rows' d/dy at a
zero base and np.float_power's d/dx read) took a zero base to a positive finite power
from stop 72: ``0.0 ** m`` of a scalar dual stays on the fast path.  Each case: a number
or scalar dual base (values +-0, subnormal, tiny, 0.3, 1, 2, inf, NaN) to a scalar dual
or number exponent (1e-300 .. 1e300, whole and not, negative, +-inf, NaN), by ``**``,
``np.power`` and ``np.float_power``, with 1, 2 and 5 directions of special partials
(+-0, +-1, 1e300, -1e-300, inf, NaN), and a Hessian of ``0.0 ** m * k``; its record is
the value's and the partials' bits, the warnings' texts (``np.errstate(all="warn")``)
or the exception's type.  Prints the digest of all records; with ``--compare DIR`` runs
the same in a process whose dualgrad is DIR's and prints the cases whose records differ.
"""

import hashlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np

BASES = [0.0, -0.0, 5e-324, 1e-300, 0.3, 1.0, 2.0, np.inf, np.nan]
EXPONENTS = [1e-300, 0.3, 0.5, 1.0, 1.03, 2.0, 3.0, 7.5, 1e10, 1e300, -0.5, -2.0,
             0.0, -0.0, np.inf, -np.inf, np.nan]
PARTIALS = [0.0, -0.0, 1.0, -1.0, 1e300, -1e-300, np.inf, np.nan]


def _bits(r):
    v = getattr(r, "value", r)
    p = getattr(r, "partials", None)
    out = [np.asarray(v, dtype=float).tobytes().hex()]
    if p is not None:
        out.append(np.asarray(p, dtype=float).tobytes().hex())
    return out


def records():
    import dualgrad as dg
    got = {}

    def one(key, make):
        with warnings.catch_warnings(record=True) as w, np.errstate(all="warn"):
            warnings.simplefilter("always")
            try:
                r = make()
                rec = list(r) if type(r) is tuple else _bits(r)
            except Exception as e:          # noqa: BLE001 - a record too
                rec = [type(e).__name__]
        got[key] = rec + sorted(str(x.message) for x in w)

    for n in (1, 2, 5):
        seeds = [[PARTIALS[(k + j) % len(PARTIALS)] for j in range(n)]
                 for k in range(len(PARTIALS))]
        for s, p in enumerate(seeds):
            for y in EXPONENTS:
                for b in BASES:
                    one(f"{n} {s} {b!r} ** m({y!r})", lambda: _at(y, p, lambda m: b ** m))
                    one(f"{n} {s} np.power({b!r}, m({y!r}))",
                        lambda: _at(y, p, lambda m: np.power(b, m)))
                    one(f"{n} {s} np.float_power({b!r}, m({y!r}))",
                        lambda: _at(y, p, lambda m: np.float_power(b, m)))
                    one(f"{n} {s} np.float_power(m({b!r}), {y!r})",
                        lambda: _at(b, p, lambda m: np.float_power(m, y)))
                    one(f"{n} {s} m({b!r}) ** {y!r}", lambda: _at(b, p, lambda m: m ** y))
    for y in EXPONENTS:
        for b in (0.0, -0.0):
            one(f"hessian {b!r} ** m({y!r})",
                lambda: dg.hessian(lambda m: b ** m[0] * m[1], np.array([y, 1.5])))
    return got


def _at(v, p, f):
    """``f(d)`` of the scalar dual d of value ``v`` and partials ``p``, made under a
    live pass's tag (inside a Jacobian), as dualgrad's own operations make them."""
    import dualgrad as dg
    from dualgrad.dual._scalar import make_scalar
    box = {}

    def g(x):                           # (read inside the pass: a dead dual refuses)
        r = f(make_scalar(float(v), list(p), x.tag))
        box["r"] = (type(r).__name__, _bits(r))
        return np.zeros(1)
    dg.jacobian(g, np.zeros(len(p)))
    return box["r"]


def main():
    got = records()
    digest = hashlib.sha256(json.dumps(got, sort_keys=True).encode()).hexdigest()
    if "--compare" in sys.argv:
        other = sys.argv[sys.argv.index("--compare") + 1]
        run = subprocess.run([sys.executable, __file__, "--json"], capture_output=True,
                             text=True, env={"PYTHONPATH": other, "PATH": "/usr/bin"},
                             cwd=other)
        theirs = json.loads(run.stdout.strip().splitlines()[-1])
        differ = [k for k in got if got[k] != theirs.get(k)]
        for k in differ[:40]:
            print(k, got[k], theirs.get(k))
        print(f"{len(got)} cases, {len(differ)} differ; this {digest[:16]}")
    elif "--json" in sys.argv:
        print(json.dumps(got))
    else:
        print(f"{len(got)} cases, digest {digest}")


if __name__ == "__main__":
    if "--json" not in sys.argv:        # (--json: the dualgrad PYTHONPATH names)
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
