"""A digest of rows68's short cuts, bit for bit (issue 13): ndarrays of NumPy ints,
uints, bools and small floats as constants of array-dual ufuncs (``F * cxs``: both
orders, eleven ufuncs incl. ldexp's integer exponent, broadcast and same-shape, huge
and negative ints, special values and partials); ``np.roll`` of array duals whose
partials' rows lie apart (``F[:, :, i]``: one to five directions, both sides of the 32
rows from which the rows are copied as one element each, every axis and shift, Fortran
partials, reversed views); reads and stores with NumPy integer scalars in a tuple
index (``F[:, :, np.int64(i)] = R``: one to three directions, broadcast items,
overlapping and reversed sources, read-only and wrong shapes, out of range); object
ndarrays of scalar duals read again (``np.linalg.solve(M, b)`` of ``M =
np.diag([m, m, m])``, then M changed in place, reshaped, its items replaced, another
call's); ``np.linalg.solve(A, b)`` of array duals (special values, views, singular,
1 x 1 to 5 x 5, mismatched directions and shapes); the lattice Boltzmann and Newmark rows' Jacobians (bench/corpus64.py) at two
points each and the shallow water row's (bench/corpus59.py).  Each case's value,
partials (every level's arrays as bytes), their strides, exception and warnings go into
one SHA-1 (prints only).

    python bench/rows68_bits.py [--compare /tmp/main_before]

Runs fresh processes for each engine (eager, fused), numba loaded and not, of this
checkout and, with ``--compare``, of ``DIR`` (bench/_common.digest_sides); equal
digests: the same bits.
"""
import sys
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import child_dualgrad, digest_main, levels, print_digest, record  # noqa: E402
dg = None               # (child() imports it: the checkout under test)
SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5, 1e-300]
out = []


def strided(r):
    """:func:`levels` of ``r`` and, for an array dual, its value's and partials' strides."""
    got = levels(r)
    if isinstance(r, dg.Dual) and hasattr(r, "_p"):
        got += [np.asarray(r.value).strides, np.asarray(r.partials).strides]
    return got


run = partial(record, out, parts=strided)      # run(label, f): one case


def dual(tag, shape, n, order="C"):
    """An array dual of ``shape`` and ``n`` directions, special values and partials."""
    size = int(np.prod(shape))
    v = np.resize(np.array(SPECIAL + [3.0, 0.5, -7.0]), size).reshape(shape)
    p = np.resize(np.array(SPECIAL[::-1] + [1.5, -0.25, 2.0 ** -1070]),
                  size * n).reshape(shape + (n,))
    return dg.Dual(np.array(v, order=order), np.array(p, order=order), tag=tag)


def int_arrays(q):
    """Integer, bool and small-float ndarrays beside array duals, both orders."""
    tag = q.tag
    consts = [np.array([0, 0, 1, 1, 1, 0, -1, -1, -1]), np.arange(9, dtype=np.int32) - 4,
              np.array([2 ** 53 + 1, -3, 0, 7, 1, 2, 3, 4, 5], dtype=np.int64),
              np.array([2 ** 64 - 1, 0, 1, 2, 3, 4, 5, 6, 200], dtype=np.uint64),
              np.arange(9, dtype=np.uint8) * 30, np.array([True, False] * 4 + [True]),
              np.linspace(-1.0, 1.0, 9).astype(np.float32),
              np.array([0.1, -2.5, 0.0, np.nan, np.inf, 1.0, 2.0, 3.0, 4.0], np.float16),
              np.arange(9.0)]
    for n in (1, 2):
        duals = {"(9,)": dual(tag, (9,), n), "(4, 5, 9)": dual(tag, (4, 5, 9), n),
                 "live": q[0] * np.linspace(0.5, 2.0, 9) + q[-1],
                 "view": dual(tag, (5, 12), n)[:, 1:10]}
        for name, u in duals.items():
            for c in consts:
                for op in (np.multiply, np.add, np.subtract, np.divide, np.power,
                           np.maximum, np.minimum, np.arctan2, np.hypot, np.ldexp,
                           np.copysign):
                    label = f"int {n} {name} {op.__name__} {c.dtype}"
                    run(label + " u c", lambda: op(u, c))
                    run(label + " c u", lambda: op(c, u))
                run(f"int {n} {name} * {c.dtype}", lambda: u * c)
                run(f"int {n} {name} r* {c.dtype}", lambda: c * u)
                run(f"int {n} {name} - {c.dtype}", lambda: c - u)
                run(f"int {n} {name} / {c.dtype}", lambda: u / c)
        run(f"int {n} 2-D const", lambda: duals["(4, 5, 9)"] * np.ones((5, 9), np.int64))


def rolls(q):
    """``np.roll`` of views whose partials' rows lie apart, and their neighbours."""
    tag = q.tag
    for n in (1, 2, 3, 5):
        for shape in ((12, 40, 9), (3, 4, 3), (4, 8, 2), (2, 16, 3)):
            F = dual(tag, shape, n)
            Ff = dual(tag, shape, n, order="F")
            views = {"F[:, :, 1]": F[:, :, 1], "F[:, :, np.int64(-1)]": F[:, :, np.int64(-1)],
                     "F[1]": F[1], "F[:, 1:]": F[:, 1:], "F[::-1, :, 0]": F[::-1, :, 0],
                     "F[1].T": F[1].T, "Ff[:, :, 1]": Ff[:, :, 1], "F[:, ::3, 1]": F[:, ::3, 1],
                     "F * 1": F * 1.0}
            for name, d in views.items():
                for shift in (1, -1, 0, 5, np.int64(-3), np.int32(41), 2 ** 40):
                    for axis in (0, 1, -1, np.int64(1)):
                        run(f"roll {n} {shape} {name} {shift!r} {axis!r}",
                            lambda: np.roll(d, shift, axis=axis))


def stores(q):
    """Reads and stores with NumPy integer scalars in tuple indexes."""
    tag = q.tag
    for n in (1, 2, 3):
        for shape in ((12, 40, 9), (3, 4, 3), (5, 40, 2)):
            a, b, c = shape
            base = dual(tag, shape, n)
            R = dual(tag, (a, b), n) * 0.5
            for i in (np.int64(1), np.int32(-1), np.uint8(0), np.intp(2), 1):
                def store(item, index):
                    F = base.copy()
                    F[index] = item
                    return F
                run(f"get {n} {shape} {i!r}", lambda: base[:, :, i])
                run(f"get {n} {shape} {i!r} first", lambda: base[i])
                run(f"get {n} {shape} {i!r} mixed", lambda: base[i, 1:, i])
                run(f"get {n} {shape} {i!r} all", lambda: base[i, i, i])
                run(f"get {n} {shape} {i!r} range", lambda: base[:, :, np.int64(c)])
                run(f"set {n} {shape} {i!r}", lambda: store(R, (slice(None), slice(None), i)))
                run(f"set {n} {shape} {i!r} row", lambda: store(R[0], (slice(None), slice(None), i)))
                run(f"set {n} {shape} {i!r} first", lambda: store(base[0] * 2.0, i))
                run(f"set {n} {shape} {i!r} T", lambda: store(R[:, :, None][:, :, 0].T.T, (
                    slice(None), slice(None), i)))
                run(f"set {n} {shape} {i!r} bad", lambda: store(R[:, 1:], (slice(None),
                                                                            slice(None), i)))
                run(f"set {n} {shape} {i!r} out", lambda: store(R, (slice(None), slice(None),
                                                                    np.int64(c))))

                def own(shift):
                    F = base.copy()
                    F[:, 1:, i] = F[:, :-1, i] if shift else F[:, ::-1, i][:, 1:]
                    return F
                run(f"set {n} {shape} {i!r} own", lambda: own(True))
                run(f"set {n} {shape} {i!r} own reversed", lambda: own(False))

                def across():
                    F = base.copy()
                    F[:, :, i] = F[:, :, 0]
                    return F
                run(f"set {n} {shape} {i!r} across", across)

                def readonly():
                    F = base.copy()
                    F.value.flags.writeable = False
                    F[:, :, i] = R
                    return F
                run(f"set {n} {shape} {i!r} read-only", readonly)

                def partials_readonly():
                    F = base.copy()
                    F.partials.flags.writeable = False
                    F[:, :, i] = R
                    return F
                run(f"set {n} {shape} {i!r} partials read-only", partials_readonly)

                def fortran():
                    F = dual(tag, shape, n, order="F")
                    F[:, :, i] = R
                    return F
                run(f"set {n} {shape} {i!r} fortran", fortran)

                def constant():
                    F = base.copy()
                    F[:, :, i] = np.ones((a, b))
                    return F
                run(f"set {n} {shape} {i!r} constant", constant)


def objects(q):
    """Object ndarrays of scalar duals read again, as they change."""
    m, k = q[0], q[1]
    b = q[0] * np.array([1.0, 2.0, 3.0]) + q[1]
    M = np.diag([m, m, m])
    run("obj solve", lambda: np.linalg.solve(M, b))
    run("obj solve again", lambda: np.linalg.solve(M, b))
    run("obj matmul", lambda: M @ b)
    run("obj add", lambda: M + np.eye(3))
    M[0, 1] = k
    run("obj changed", lambda: np.linalg.solve(M, b))
    M[0, 1] = 0.5
    run("obj number", lambda: np.linalg.solve(M, b))
    M[0, 1] = np.float64(0.25)
    run("obj float64", lambda: np.linalg.solve(M, b))
    M2 = M.copy()
    run("obj copy", lambda: np.linalg.solve(M2, b))
    M.shape = (9,)
    run("obj reshaped", lambda: M * 2.0)
    M.shape = (3, 3)
    run("obj back", lambda: np.linalg.solve(M, b))
    N = np.array([[m, k], [k * 2.0, m]])
    run("obj 2x2", lambda: np.linalg.solve(N, b[:2]))
    run("obj 2x2 again", lambda: np.linalg.inv(N))
    N[1, 1] = m
    run("obj 2x2 same item", lambda: np.linalg.inv(N))
    N[1, 1] = m * 1.0
    run("obj 2x2 new item", lambda: np.linalg.inv(N))
    E = np.empty((2, 2), dtype=object)
    E[:] = [[m, 0], [0, m]]
    run("obj ints", lambda: np.linalg.det(E))


def solves(q):
    """``np.linalg.solve(A, b)`` of array duals, one matrix and a vector: special values,
    views, 1 x 1 to 5 x 5, singular, mixed directions, other shapes (the general lines)."""
    tag = q.tag
    rng = np.random.default_rng(68)
    for n in (1, 2, 3):
        for m in (1, 2, 3, 5):
            A = rng.standard_normal((m, m)) + m * np.eye(m)
            pA, pb = rng.standard_normal((m, m, n)), rng.standard_normal((m, n))
            bv = rng.standard_normal(m)
            for name, Av in (("A", A), ("A.T", A.T), ("nan", np.where(np.eye(m) > 0, A, np.nan)),
                             ("inf", A + np.diag([np.inf] + [0.0] * (m - 1))),
                             ("singular", np.zeros((m, m))), ("tiny", A * 1e-300)):
                a = dg.Dual(Av, pA, tag=tag)
                for bname, b in (("b", dg.Dual(bv, pb, tag=tag)),
                                 ("b F", dg.Dual(bv, np.asfortranarray(pb), tag=tag)),
                                 ("b special", dg.Dual(np.resize(np.array(SPECIAL), m),
                                                       np.resize(np.array(SPECIAL), (m, n)),
                                                       tag=tag)),
                                 ("b live", q[0] * bv + q[1]), ("b 2-D", dg.Dual(
                                     np.ones((m, 2)), np.ones((m, 2, n)), tag=tag))):
                    run(f"solve {n} {m} {name} {bname}", lambda: np.linalg.solve(a, b))
                run(f"solve {n} {m} {name} view", lambda: np.linalg.solve(a[:, :], a[0]))
    a = dg.Dual(np.eye(3) * 2.0, np.ones((3, 3, 2)), tag=tag)
    run("solve directions", lambda: np.linalg.solve(a, dg.Dual(np.ones(3), np.ones((3, 1)),
                                                               tag=tag)))
    run("solve shapes", lambda: np.linalg.solve(a, dg.Dual(np.ones(2), np.ones((2, 2)),
                                                           tag=tag)))
    run("solve wide", lambda: np.linalg.solve(dg.Dual(np.ones((2, 3)), np.ones((2, 3, 2)),
                                                      tag=tag), q))


KEPT = []


def keep(q):
    """An object array of this call's duals, read again in the next call."""
    KEPT.append(np.diag([q[0], q[0]]))
    return np.linalg.inv(KEPT[-1]).ravel()


def body(q):
    int_arrays(q)
    rolls(q)
    stores(q)
    objects(q)
    solves(q)
    return q


def rows():
    import corpus59
    import corpus64
    sw = corpus59.PROBLEMS59["shallow water, in-place slices (1)"][0]
    lbm, x_lbm = corpus64.PROBLEMS64["lattice Boltzmann, np.roll (2)"]
    nm, x_nm = corpus64.PROBLEMS64["Newmark shear frame, linalg.solve (3)"]
    run("shallow water", lambda: dg.jacobian(sw, np.array([5.0])))
    for scale in (1.0, 1.1):
        run(f"lbm {scale}", lambda: dg.jacobian(lbm, x_lbm * scale))
        run(f"newmark {scale}", lambda: dg.jacobian(nm, x_nm * scale))
    run("kept", lambda: dg.jacobian(keep, np.array([2.0])))
    run("kept escaped", lambda: dg.jacobian(lambda x: np.linalg.inv(KEPT[0]).ravel() * x,
                                            np.array([2.0])))


def child(numba):
    """Print this process's digest."""
    global dg
    dg = child_dualgrad(numba)
    dg.jacobian(body, np.array([1.3, -0.7]))
    rows()
    print_digest(out)


if __name__ == "__main__":
    digest_main(__file__, child)
