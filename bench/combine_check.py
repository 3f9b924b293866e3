"""One way to combine terms (mid48): ``backend.combine_small`` and what was
``dispatch._ufuncs._spread_terms`` (vfi47: the same products and sums, a broadcasting
factor spread along the directions first) are one function now.  This script checks
that the merge changed no bit, and times the two spellings.

    python bench/combine_check.py --dump FILE           # hashes of every result
    python bench/combine_check.py --diff BEFORE AFTER   # compare two dumps
    python bench/combine_check.py --time                # us per call, this checkout
                                                        # (PYTHONPATH=checkout)

``--dump`` runs, from a fixed seed, random target shapes (1-4 value axes, n = 1, 2, 3,
5, 8, 9 directions) with one to three terms: factors +-1.0, 2.5, NaN and inf Python
floats, 0-d arrays, float64 arrays of the value's shape or broadcasting to it (axes of
length 1, fewer axes), some with NaN / inf / -0.0; partials of the target's shape or
broadcasting to it.  Each case goes through ``backend.combine_small`` and through
``_ufuncs._broadcast_small`` (before the merge: ``_spread_terms`` where a factor
broadcasts), and every binary rule of the table on two array duals of two shapes
through the operators / ufuncs (``_pair``).  Each result is written as the sha256 of
its value's and partials' bytes (or "None" where the general path must run), one line
a case.  Run it in both checkouts (PYTHONPATH=checkout) under each engine
(DUALGRAD_ENGINE=fused / eager) and ``--diff`` the files: the same lines, or the cases
that differ.  ``--time`` gives medians (``_common.median_time``, process time) of the
two spellings on VFI's shapes and a same-shape case, and of ``np.where`` and
``np.maximum`` on duals with a condition / an operand that broadcasts (the condition
made C-contiguous by assignment, not ``np.broadcast_to`` and a copy).
"""

import argparse
import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (one thread per library)

import numpy as np  # noqa: E402


def _digest(x):
    if x is None:
        return "None"
    if hasattr(x, "partials"):
        v, p = np.asarray(x.value, dtype=float), x.partials
        return hashlib.sha256(np.ascontiguousarray(v).tobytes() + b"|" +
                              np.ascontiguousarray(p).tobytes() +
                              repr((v.shape, p.shape)).encode()).hexdigest()[:20]
    return hashlib.sha256(np.ascontiguousarray(x).tobytes() +
                          repr(x.shape).encode()).hexdigest()[:20]


def _spoil(a, rng):
    if a.size and rng.random() < 0.3:
        flat = a.reshape(-1)
        k = rng.integers(a.size)
        flat[k] = rng.choice([np.nan, np.inf, -np.inf, -0.0, 0.0])
    return a


def _broadcasting(shape, rng):
    """A shape that broadcasts to ``shape``: some axes 1, maybe fewer leading axes."""
    s = [1 if rng.random() < 0.4 else d for d in shape]
    drop = rng.integers(0, len(s) + 1) if rng.random() < 0.3 else 0
    return tuple(s[drop:])


def _factor(shape, rng):
    kind = rng.integers(0, 7)
    if kind == 0:
        return float(rng.choice([1.0, -1.0, 2.5, np.nan, np.inf, -0.0]))
    if kind == 1:
        x = rng.choice([0.5, -3.0, np.nan])
        return np.float64(x) if rng.random() < 0.5 else np.array(x)
    if kind in (2, 3):
        return _spoil(rng.standard_normal(shape), rng)
    return _spoil(rng.standard_normal(_broadcasting(shape, rng)), rng)


def _cases(count):
    rng = np.random.default_rng(48)
    for _ in range(count):
        shape = tuple(int(d) for d in rng.integers(1, 6, size=rng.integers(1, 5)))
        n = int(rng.choice([1, 2, 3, 5, 8, 9]))
        target = shape + (n,)
        terms = int(rng.integers(1, 4))
        factors, partials = [], []
        for _ in range(terms):
            factors.append(_factor(shape, rng))
            ps = target if rng.random() < 0.5 else _broadcasting(shape, rng) + (n,)
            partials.append(_spoil(rng.standard_normal(ps), rng))
        yield factors, partials, target


_SHAPES = [((1, 1, 6, 3), (1, 4, 1, 3)), ((3, 2, 4), (1, 2, 4)), ((4, 1), (3,)),
           ((5,), (2, 5)), ((2, 1, 3), (4, 1)), ((7,), (7,)), ((3, 4), (3, 4))]


def dump(path, count):
    import dualgrad as dg
    from dualgrad import backend
    from dualgrad.dispatch import _ufuncs
    from dualgrad.dual._base import new_tag
    lines = []
    with np.errstate(all="ignore"):
        for k, (factors, partials, target) in enumerate(_cases(count)):
            lines.append(f"combine {k} {_digest(backend.combine_small(factors, partials, target))}")
            lines.append(f"broadcast {k} "
                         f"{_digest(_ufuncs._broadcast_small(factors, partials, target))}")
        rng = np.random.default_rng(7)
        ufuncs = [np.add, np.subtract, np.multiply, np.true_divide, np.power, np.arctan2,
                  np.hypot, np.logaddexp, np.maximum, np.minimum, np.fmax, np.fmin]
        for u in ufuncs:
            for n in (1, 2, 3, 8, 9):
                for sa, sb in _SHAPES + [(b, a) for a, b in _SHAPES]:
                    tag = new_tag()
                    va = _spoil(rng.uniform(0.5, 2, sa) * rng.choice([-1, 1], sa), rng)
                    vb = _spoil(rng.uniform(0.5, 2, sb) * rng.choice([-1, 1], sb), rng)
                    a = dg.Dual(va, _spoil(rng.standard_normal(sa + (n,)), rng), tag=tag)
                    b = dg.Dual(vb, _spoil(rng.standard_normal(sb + (n,)), rng), tag=tag)
                    big = rng.standard_normal(np.broadcast_shapes(sa, sb))
                    for i, (x, y) in enumerate(((a, b), (a, big), (big, a), (a, 2.5))):
                        lines.append(f"ufunc {u.__name__} {n} {sa} {sb} {i} "
                                     f"{_digest(u(x, y))}")
    Path(path).write_text("\n".join(lines) + "\n")
    print(f"{len(lines)} results -> {path}")


def diff(before, after):
    a = Path(before).read_text().splitlines()
    b = Path(after).read_text().splitlines()
    if len(a) != len(b):
        raise SystemExit(f"{len(a)} lines against {len(b)}")
    bad = [(x, y) for x, y in zip(a, b) if x != y]
    nones = sum(line.endswith(" None") for line in a)
    print(f"{len(a)} results ({nones} None), {len(bad)} differ")
    for x, y in bad[:20]:
        print("  ", x, "|", y)
    raise SystemExit(1 if bad else 0)


def timing():
    from dualgrad import backend
    from dualgrad.dispatch import _ufuncs
    rng = np.random.default_rng(1)
    rows = []
    n = 3
    v, q = rng.standard_normal((1, 1, 30, 5)), rng.standard_normal((1, 5, 1, 5))
    pv, pq = rng.standard_normal((1, 1, 30, 5, n)), rng.standard_normal((1, 5, 1, 5, n))
    target = (1, 5, 30, 5, n)
    rows.append(("VFI v * Q (30 5 30 5, n 3)", [q, v], [pv, pq], target))
    u = rng.standard_normal((30, 5, 30))
    pu, pe = rng.standard_normal((30, 5, 30, n)), rng.standard_normal((1, 5, 30, n))
    rows.append(("VFI u + beta EV (u dual)", [1.0, 1.0], [pu, pe], (30, 5, 30, n)))
    rows.append(("VFI u + beta EV (u plain)", [1.0], [pe], (30, 5, 30, n)))
    rows.append(("(3,) partials row over (40,)", [1.0], [rng.standard_normal(n)], (40, n)))
    f, g = rng.standard_normal(40), rng.standard_normal(40)
    p1, q1 = rng.standard_normal((40, 1)), rng.standard_normal((40, 1))
    rows.append(("same shape 40, n 1, two terms", [f, g], [p1, q1], (40, 1)))
    rows.append(("same shape 40, n 1, a - b", [1.0, -1.0], [p1, q1], (40, 1)))
    p3, q3 = rng.standard_normal((40, 3)), rng.standard_normal((40, 3))
    rows.append(("same shape 40, n 3, f*p", [f], [p3], (40, 3)))
    col = rng.standard_normal((1, 30))
    rows.append(("(1, 30) factor over (20, 30), n 3", [col], [rng.standard_normal((20, 30, 3))],
                 (20, 30, 3)))
    print("load", __import__("os").getloadavg())
    import dualgrad as dg
    from dualgrad.dual._base import new_tag
    tag = new_tag()
    d = dg.Dual(rng.standard_normal((30, 5, 30)), rng.standard_normal((30, 5, 30, n)), tag=tag)
    e = dg.Dual(rng.standard_normal((1, 5, 30)), rng.standard_normal((1, 5, 30, n)), tag=tag)
    c = rng.standard_normal((1, 5, 30)) > 0
    duals = [("np.where(c (1,5,30), d, -inf), n 3", lambda: np.where(c, d, -np.inf)),
             ("np.maximum(d, e (1,5,30)), n 3", lambda: np.maximum(d, e))]
    for name, fn in duals:
        t = _common.median_time(fn, clock=time.process_time) * 1e6
        print(f"{name:40s} {t:17.2f} (the operation on duals)")
    print(f"{'case':40s} {'combine_small us':>17s} {'_broadcast_small us':>20s}")
    for name, fs, ps, t in rows:
        a = _common.median_time(lambda: backend.combine_small(fs, ps, t),
                                clock=time.process_time) * 1e6
        b = _common.median_time(lambda: _ufuncs._broadcast_small(fs, ps, t),
                                clock=time.process_time) * 1e6
        print(f"{name:40s} {a:17.2f} {b:20.2f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump")
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--diff", nargs=2)
    ap.add_argument("--time", action="store_true")
    args = ap.parse_args()
    if args.dump:
        dump(args.dump, args.count)
    if args.diff:
        diff(*args.diff)
    if args.time:
        timing()


if __name__ == "__main__":
    main()
