"""A digest of rows64's short cuts, bit for bit (issue 13): ``np.zeros_like`` /
``np.ones_like`` / ``np.empty_like`` of scalar duals (shapes, keywords, -0.0 / NaN / inf
/ subnormal values and partials, complex and nested duals), stores ``M[i, :] = d`` /
``M[i:j, k] = d`` / other tuples into array duals (broadcasts, overlaps, read-only,
complex into real, other tags, nested), ``np.fill_diagonal`` of plain values, numbers
and duals (wrap, tall / wide / cubic arrays), and the point-kinetics row's Jacobian
(bench/corpus63.py) at three points; ``np.append(s, x)`` of
scalar duals and plain arrays, both orders.  Each case's value, partials (every level's
arrays as bytes), exception and warnings go into one SHA-1 (prints only).

    python bench/rows64_bits.py [--compare /tmp/main_before]

Runs fresh processes for each engine (eager, fused), numba loaded and not, of this
checkout and, with ``--compare``, of ``DIR``; equal digests: the same bits.
"""
import sys
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import child_dualgrad, digest_main, print_digest, record  # noqa: E402
dg = None               # (child() imports it: the checkout under test)
SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5]
out = []
run = partial(record, out)     # run(label, f): one case


def likes(s, name):
    for fill in (np.zeros_like, np.ones_like, np.empty_like):
        for kw in ({"shape": (7, 7)}, {"shape": 3}, {"shape": ()}, {"shape": (2, 0)}, {},
                   {"shape": (2,), "dtype": float}, {"shape": (2,), "dtype": complex},
                   {"shape": (2,), "dtype": np.int32}, {"shape": (2, 2), "order": "F"},
                   {"shape": (2,), "subok": False}, {"shape": [2, 1]}):
            if fill is np.empty_like and "dtype" in kw and kw["dtype"] is np.int32:
                continue                # (uninitialised ints)
            run(f"{name} {fill.__name__} {kw}", lambda: fill(s, **kw))


def appends(s, name):
    for j, x in enumerate((np.array(SPECIAL), np.array([]), np.arange(3.0).reshape(3, 1),
                           np.arange(3), np.array([1.5], dtype=np.float32),
                           np.array(SPECIAL)[::-2], np.array(2.0), [1.0, 2.0])):
        run(f"{name} append s x {j}", lambda: np.append(s, x))
        run(f"{name} append x s {j}", lambda: np.append(x, s))
        run(f"{name} append s x axis {j}", lambda: np.append(s, x, axis=0))


def matrix(tag_of, k=2, n=4, m=4, shift=0.0):
    v = np.arange(1.0, n * m + 1).reshape(n, m) + shift
    p = (np.arange(n * m * k, dtype=float).reshape(n, m, k) - 7.5) * 0.25
    return dg.Dual(v, p, tag=tag_of)


def stores(q, name):
    """Tuple stores into a matrix built from the live duals ``q``."""
    tag = q.tag if hasattr(q, "tag") else None
    k = np.shape(q.partials)[-1]
    indices = [(0, slice(None)), (slice(1, None), 0), (2, slice(1, 3)), (-1,), (),
               (slice(None, None, -2), 1), (Ellipsis, 0), (0, None), (np.int64(1), slice(2)),
               (slice(0, 1), slice(0, 1))]

    def store(index, item, base=None):
        M = base if base is not None else matrix(tag, k) * (1.0 + 0.0 * q[0])
        M[index] = item
        return M
    for index in indices:
        M0 = matrix(tag, k) * (1.0 + 0.0 * q[0])
        shape = np.shape(M0.value[index]) if Ellipsis not in index else (4,)
        for j, s in enumerate(SPECIAL):
            x = np.full(shape, s) + np.linspace(0, 1, int(np.prod(shape))).reshape(shape)
            d = q[0] * 0.0 + x if j % 2 else dg.Dual(x, np.full(shape + (k,), SPECIAL[-1 - j]),
                                                    tag=tag)
            run(f"{name} store {index} {s}", lambda: store(index, d))
        run(f"{name} store {index} float", lambda: store(index, 2.5))
        run(f"{name} store {index} bcast", lambda: store(index, q[0] * np.ones(1)))
        run(f"{name} store {index} bad", lambda: store(index, q[0] * np.ones(3)))
        run(f"{name} store {index} complex", lambda: store(index, q[0] * (1 + 1j)))
        run(f"{name} store {index} old tag", lambda: store(index, OLD))
    M = matrix(tag, k) * (1.0 + 0.0 * q[0])
    run(f"{name} own column", lambda: store((0, slice(None)), M[:, 0], M))
    M = matrix(tag, k) * (1.0 + 0.0 * q[0])
    run(f"{name} own row", lambda: store((slice(None), 0), M[1, :], M))
    M = matrix(tag, k) * (1.0 + 0.0 * q[0])
    run(f"{name} own shifted", lambda: store((slice(1, None), 1), M[:-1, 1], M))
    M = matrix(tag, k) * (1.0 + 0.0 * q[0])
    M.value.flags.writeable = False
    run(f"{name} read-only", lambda: store((0, slice(None)), q[0] * np.ones(4), M))
    C = matrix(tag, k) * (1.0 + 0.0 * q[0])
    run(f"{name} 3-D", lambda: store((1, slice(None)), q[0] * np.ones(4),
                                     C.reshape(2, 2, 4)))


def diagonals(q, name):
    tag = q.tag if hasattr(q, "tag") else None
    k = np.shape(q.partials)[-1]
    vals = [np.array([0.0, -0.0124, np.nan]), np.array(SPECIAL), 2.5, 3, True,
            np.array([1, 2], dtype=np.int32), np.array([1 + 2j]), [1.0, 2.0],
            np.float64(-0.0), np.array(7.0)]
    for shape in ((4, 4), (6, 3), (3, 5), (2, 2, 2), (1, 1), (3,)):
        for wrap in (False, True):
            for j, val in enumerate(vals):
                def fill(val=val):
                    v = np.arange(1.0, np.prod(shape) + 1).reshape(shape)
                    M = dg.Dual(v, np.full(shape + (k,), -0.0), tag=tag) * (1.0 + 0.0 * q[0])
                    if wrap:
                        np.fill_diagonal(M, val, wrap=True)
                    else:
                        np.fill_diagonal(M, val)
                    return M
                run(f"{name} diag {shape} {wrap} {j}", fill)
            run(f"{name} diag {shape} {wrap} dual", lambda: _dual_diag(q, shape, k, tag))


def _dual_diag(q, shape, k, tag):
    M = dg.Dual(np.zeros(shape), np.zeros(shape + (k,)), tag=tag) * (1.0 + 0.0 * q[0])
    np.fill_diagonal(M, q[0] * np.array([1.0, -0.0, np.nan]))
    return M


OLD = None


def body(q):
    likes(q[0], "scalar")
    likes(q[0] * np.nan, "nan scalar")
    likes(q[1] * 1e-310, "tiny scalar")
    likes(q[0] * (1 + 2j), "complex scalar")
    for j, c in enumerate(SPECIAL):
        appends(q[0] * c, f"scalar {j}")
        appends(dg.Dual(c, [SPECIAL[-1 - j], c], tag=q.tag), f"made {j}")
    appends(q[0] * (1 + 2j), "complex scalar")
    stores(q * 1.0, "jac")
    diagonals(q * 1.0, "jac")
    return q * 1.0


def hbody(q):
    likes(q[0], "hess scalar")
    appends(q[0], "hess scalar")
    stores(q * 1.0, "hess")
    diagonals(q * 1.0, "hess")
    return np.sum(q * q)


def child(numba):
    """Print this process's digest."""
    global dg
    dg = child_dualgrad(numba)

    def outer(r):
        global OLD
        OLD = r[0] * np.ones(4)          # an older call's dual, read inside the inner
        dg.jacobian(body, np.array([1.3, -0.7]))
        return r
    dg.jacobian(outer, np.array([0.5]))
    dg.jacobian(body, np.array([np.nan, -0.0]))
    dg.hessian(hbody, np.array([0.25, 2.0]))
    import corpus63
    f = corpus63.PROBLEMS63["point kinetics, dg.solve_ivp (2)"][0]
    for x in ([0.001, 6e-5], [0.003, 2e-5], [-0.002, 1e-4]):
        run(f"kinetics jac {x}", lambda: dg.jacobian(f, np.array(x)))
    print_digest(out)


if __name__ == "__main__":
    digest_main(__file__, child)
