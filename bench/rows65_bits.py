"""A digest of rows65's short cuts, bit for bit (issue 13): NumPy integer, bool and
float32 / float16 scalars as constants of array-dual ufuncs (``cx * u`` of a loop over
``zip(cxs, ...)``: both orders, ten ufuncs, ldexp's integer exponent, NaN / inf / -0.0
values and partials, 1-D and 2-D); stores ``buf[t] = s`` of scalar duals with more than
16 partials (special values and partials, negative and out-of-range indices, complex,
an older call's dual, numbers, a Hessian); quotients whose factor underflowed beside a
nonzero numerator (``np.divide``, ``np.reciprocal``, ``np.arctan``, ``np.arctan2``,
``np.power``: numerators from 5e-324 up, denominators subnormal to 2**1001 and inf,
partials 0 / -0 / 1e-21 / 0.5 and its neighbours / NaN / inf, random magnitudes);
``np.roll`` of array duals of one to three axes (strided views, int / NumPy int / bool
/ float / tuple / huge shifts and axes, past the fused engine's size); the
shallow water (bench/corpus59.py), lattice Boltzmann and HBV (bench/corpus64.py) rows'
Jacobians at two points each; rows66's: Python / NumPy floats and ints beside array duals
of one to three directions (1-D, 2-D, past the pool's size; special values and
partials), products and quotients of two array duals past 64 elements (overflowing,
inf / NaN factors), two-item tuple indexes, the shallow water Hessian and the Mie row; rows67's: the
operators of array duals of every layout (views whose rows lie apart, transposed,
reversed, strided, Fortran-ordered) beside each other, one to three directions, special
values (their results' strides recorded too), and quotients of zero-laden numerators
beside underflows and NaN factors.  Each case's value, partials (every level's arrays as
bytes), exception and warnings go into one SHA-1 (prints only).

    python bench/rows65_bits.py [--compare /tmp/main_before]

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
run = partial(record, out)     # run(label, f): one case


def constants(q):
    """NumPy scalars beside array duals, both orders."""
    tag, k = q.tag, q.partials.shape[-1]
    v = np.array(SPECIAL + [3.0, 0.5])
    duals = {"1-D": dg.Dual(v, np.outer(v[::-1], np.arange(1.0, k + 1)), tag=tag),
             "2-D": dg.Dual(v.reshape(-1, 1) * np.ones((1, 3)),
                            np.full((v.size, 3, k), -0.0), tag=tag),
             "live": q * v[:k].sum() + q}
    scalars = [np.int64(3), np.int64(-1), np.int64(0), np.int64(2 ** 53 + 1), np.int32(-7),
               np.uint8(200), np.uint64(2 ** 64 - 1), np.bool_(True), np.bool_(False),
               np.float32(0.1), np.float16(-2.5), np.float32(np.nan), 3, 0.1]
    for name, u in duals.items():
        for c in scalars:
            for op in (np.multiply, np.add, np.subtract, np.divide, np.power, np.maximum,
                       np.minimum, np.arctan2, np.hypot, np.ldexp):
                label = f"{name} {op.__name__} {type(c).__name__}({c})"
                run(label + " c u", lambda: op(c, u))
                run(label + " u c", lambda: op(u, c))
            run(f"{name} * {type(c).__name__}({c})", lambda: c * u)
            run(f"{name} - {type(c).__name__}({c})", lambda: c - u)


def stores(q):
    """``buf[t] = s`` into array duals of more than 16 partials."""
    tag, k = q.tag, q.partials.shape[-1]

    def store(index, item, n=6, base=None):
        buf = base if base is not None else np.zeros_like(q, shape=n) + q[0] * 0.0
        buf[index] = item
        return buf
    items = [q[0] * c for c in SPECIAL] + [q[j] * 2.0 - q[1] for j in range(3)]
    items += [dg.Dual(c, np.full(k, SPECIAL[-1 - j]), tag=tag) for j, c in enumerate(SPECIAL)]
    for j, item in enumerate(items):
        for index in (0, 3, -1, 5, 6, -7):
            run(f"store {j} at {index}", lambda: store(index, item))
    for j, c in enumerate([2.5, 0, -0.0, np.nan, np.float64(1e-310), np.int64(4), True]):
        run(f"store number {j}", lambda: store(2, c))
    run("store complex", lambda: store(1, q[0] * (1 + 1j)))
    run("store old tag", lambda: store(1, OLD))
    run("store own element", lambda: (lambda b: store(2, b[4], base=b))(
        np.arange(6.0) * q[2]))
    run("store 2-D row", lambda: store(1, q[0], n=(3, 2)))
    ro = np.zeros_like(q, shape=4) + q[0] * 0.0
    ro.value.flags.writeable = False
    run("store read-only", lambda: store(1, q[3], base=ro))


def rolls(q):
    """``np.roll(d, shift, axis)`` of array duals of one to three axes."""
    tag, k = q.tag, q.partials.shape[-1]
    v = np.resize(np.array(SPECIAL), 2 * 3 * 5).reshape(2, 3, 5)
    F = dg.Dual(v, np.resize(np.array(SPECIAL[::-1]), v.shape + (k,)), tag=tag)
    big = dg.Dual(np.arange(60000.0).reshape(300, 200), np.ones((300, 200, k)), tag=tag)
    for name, d in (("F", F), ("F[:, :, 1]", F[:, :, 1]), ("F[1].T", F[1].T),
                    ("F[:, ::2]", F[:, ::2]), ("F[0, 0]", F[0, 0]), ("live", F * q[0]),
                    ("big", big)):
        for shift in (1, -1, 0, 7, np.int64(-4), np.int32(2), np.uint8(1), True, 1.5,
                      (1, 2), 2 ** 63):
            for axis in (None, 0, 1, -1, -3, 3, np.int64(1), (0, 1), 1.0):
                run(f"roll {name} {shift!r} {axis!r}", lambda: np.roll(d, shift, axis=axis))
        run(f"roll {name} positional", lambda: np.roll(d, 1, 0))


def quotients(q):
    """Quotients of array duals whose factor underflowed beside a nonzero numerator."""
    tag = q.tag
    rng = np.random.default_rng(65)
    xs = [1e-300, -1e-300, 5e-324, -5e-324, 1e-310, 1e-318, 2.5e-308, 1e-200, 0.0, -0.0,
          1.0]
    ys = [1e10, -1e10, 1.0, -3.0, 1e-310, 2.0 ** 1000, 2.0 ** 1001, 1e300, 0.5, 1e-300,
          np.inf, 0.0]
    ps = [0.0, -0.0, 1e-21, -1e-21, 0.5, np.nextafter(0.5, 1), np.nextafter(0.5, 0), 2.0 ** -53,
          1.0, 1e300, 5e-324, np.nan, np.inf]
    for k in (1, 3):
        for x in xs:
            for y in ys:
                for p in ps:
                    xv, yv = np.full(4, x), np.full(4, y)
                    xv[0] = 2.0                 # (one ordinary element beside them)
                    pp = np.full((4, k), 1.0)
                    qq = np.full((4, k), p)
                    qq[0] = 1.0
                    a, b = dg.Dual(xv, pp, tag=tag), dg.Dual(yv, qq, tag=tag)
                    run(f"div {k} {x} {y} {p}", lambda: a / b)
                    if k == 1 and y in (1e10, 1.0, 2.0 ** 1001):
                        c = dg.Dual(yv, pp * p, tag=tag)
                        run(f"rec {x} {y} {p}", lambda: np.reciprocal(b))
                        run(f"arctan {y} {p}", lambda: np.arctan(c))
                        run(f"arctan2 {x} {y} {p}", lambda: np.arctan2(a, b))
                        run(f"power {x} {y} {p}", lambda: np.power(a, c * 0.0 + 1.5))
    for seed in range(40):
        shape = (16, 17) if seed % 2 else (40,)
        n = 1 + seed % 3
        mag = 10.0 ** rng.uniform(-330, 10, shape)
        x = mag * rng.choice([-1.0, 1.0], shape)
        y = 10.0 ** rng.uniform(-5, 5, shape) * rng.choice([-1.0, 1.0], shape)
        p = 10.0 ** rng.uniform(-40 if seed % 4 else -330, 0, shape + (n,)) * \
            rng.choice([-1.0, 1.0], shape + (n,))
        a, b = dg.Dual(x, p[::-1].copy(), tag=tag), dg.Dual(y, p, tag=tag)
        run(f"random div {seed}", lambda: a / b)
        run(f"random div views {seed}", lambda: a[1:] / b[:-1])
        run(f"random reciprocal {seed}", lambda: np.reciprocal(dg.Dual(1.0 / x, p, tag=tag)))


def rows66(q):
    """rows66's short cuts: a NumPy or Python float beside an array dual (with_number's
    product), two array duals' products and quotients past 64 elements with one or two
    directions (pair_small's one test of the sum), two-item tuple indexes."""
    tag = q.tag
    numbers = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e-310, 1e308, -2.5, 3, 0.1]
    for n in (1, 2, 3):
        for shape in ((9,), (9, 11), (200, 170)):
            size = int(np.prod(shape))
            v = np.resize(np.array(SPECIAL + [3.0, 0.5]), size).reshape(shape)
            p = np.resize(np.array(SPECIAL[::-1] + [1.5]), size * n).reshape(shape + (n,))
            u = dg.Dual(v, p, tag=tag)
            w = dg.Dual(v[::-1].copy() + 1.0, p * 0.5, tag=tag)
            fin = dg.Dual(np.linspace(-3.0, 3.0, size).reshape(shape),
                          np.linspace(0.5, 1.0, size * n).reshape(shape + (n,)), tag=tag)
            for c in numbers + [np.float64(c) for c in numbers if type(c) is float]:
                label = f"{n} {shape} {type(c).__name__}({c})"
                run(label + " u*c", lambda: u * c)
                run(label + " c*u", lambda: c * u)
                run(label + " u/c", lambda: u / c)
                run(label + " fin*c", lambda: fin * c)
                run(label + " c*fin", lambda: c * fin)
                run(label + " fin/c", lambda: fin / c)
                run(label + " c-fin", lambda: c - fin)
            for name, (a, b) in (("u w", (u, w)), ("fin w", (fin, w)), ("fin fin", (fin, fin)),
                                 ("big", (fin * 1e200, fin * 1e200)),
                                 ("fin u", (fin, u))):
                run(f"{n} {shape} {name} a*b", lambda: a * b)
                run(f"{n} {shape} {name} a/b", lambda: a / b)
                run(f"{n} {shape} {name} b/a", lambda: b / a)
                run(f"{n} {shape} {name} arctan2", lambda: np.arctan2(a, b))
                run(f"{n} {shape} {name} hypot", lambda: np.hypot(a, b))
    F = dg.Dual(np.arange(60.0).reshape(6, 10), np.arange(120.0).reshape(6, 10, 2), tag=tag)
    G = dg.Dual(np.arange(60.0).reshape(3, 4, 5), np.arange(120.0).reshape(3, 4, 5, 2), tag=tag)
    line = dg.Dual(np.arange(6.0), np.ones((6, 2)), tag=tag)
    for name, d in (("F", F), ("F.T", F.T), ("F[::-1]", F[::-1]), ("G", G), ("line", line),
                    ("live", F * q[0])):
        for index in ((slice(1, None), slice(1, -1)), (slice(None), 0), (0, slice(None)),
                      (-1, slice(None, None, -2)), (slice(None), -1), (2, 3), (slice(None), 10),
                      (7, slice(None)), (slice(None), True), (np.int64(1), slice(None)),
                      (slice(None), None), (Ellipsis, 1)):
            run(f"index {name} {index!r}", lambda: d[index])


def with_strides(r):
    """:func:`levels` of ``r`` and, for an array dual, its value's and partials' strides
    (rows67's copies of views must leave the results' layouts as they were)."""
    got = levels(r)
    if isinstance(r, dg.Dual) and hasattr(r, "_p"):
        got += [np.asarray(r.value).strides, np.asarray(r.partials).strides]
    return got


def rows67(q):
    """rows67's short cuts: the operators' lean paths taken first before numba loads,
    views whose rows lie apart copied before a lean ``a * b``, ``a / b``, ``a ** 2``
    (values of every layout beside each other, special values and partials, one to
    three directions), and ``_tiny``'s counts (zero-laden numerators beside underflows
    and NaN factors)."""
    tag = q.tag
    for n in (1, 2, 3):
        for shape in ((7, 9), (2, 2), (1, 5), (5, 1), (3, 2), (2, 3, 4), (9,)):
            size = int(np.prod(shape))
            v = np.resize(np.array(SPECIAL + [3.0, 0.5, -7.0]), size).reshape(shape)
            p = np.resize(np.array(SPECIAL[::-1] + [1.5, -0.25]), size * n).reshape(
                shape + (n,))
            u = dg.Dual(v, p, tag=tag)
            w = dg.Dual(np.linspace(-2.0, 3.0, size).reshape(shape) + 0.1,
                        np.linspace(0.5, -1.0, size * n).reshape(shape + (n,)), tag=tag)
            fw = dg.Dual(np.asfortranarray(w.value), np.asfortranarray(w.partials), tag=tag)
            two = len(shape) >= 2
            views = {"whole": (u, w), "F": (u, fw), "FF": (fw, fw)}
            if two:
                views.update({"rows": (u[1:, :-1], w[:-1, 1:]), "rows same": (u[1:], u[1:]),
                              "T": (u.T, w.T), "rev": (u[::-1], w[::-1]),
                              "step": (u[:, ::2], w[:, ::2]), "rows T": (u[1:, :-1], fw[1:, 1:]),
                              "sub": (u[1:, 1:], w[:-1, :-1] * 1.0)})
            else:
                views.update({"step": (u[::2], w[::2]), "tail": (u[1:], w[:-1])})
            for name, (a, b) in views.items():
                label = f"rows67 {n} {shape} {name}"
                for op, fn in (("a*b", lambda: a * b), ("a/b", lambda: a / b),
                               ("b/a", lambda: b / a), ("a**2", lambda: a ** 2),
                               ("b**2", lambda: b ** 2), ("square", lambda: np.square(b)),
                               ("multiply", lambda: np.multiply(a, b)),
                               ("divide", lambda: np.divide(b, a)), ("-a", lambda: -a),
                               ("a+b", lambda: a + b), ("a-b", lambda: a - b),
                               ("2a", lambda: 2.0 * a), ("a/3", lambda: a / 3.0),
                               ("a*a", lambda: a * a), ("a/a", lambda: a / a)):
                    record(out, f"{label} {op}", fn, with_strides)
    zs = np.zeros((6, 8))
    zs[2:4, 3:6] = [[1e-300, 2.0, -0.0], [5e-324, np.nan, 3.0]]
    ys = np.full((6, 8), 1e10)
    ys[3, 4] = 0.0
    for n in (1, 2):
        ps = np.resize(np.array([1.0, 1e-21, -0.0, np.inf, 0.5]), 48 * n).reshape(6, 8, n)
        for name, (x, y) in (("zeros", (zs, ys)), ("no nan", (np.nan_to_num(zs), ys + 1.0)),
                             ("all zero", (zs * 0.0, ys + 1.0)), ("ordinary", (zs + 1.0, ys))):
            a, b = dg.Dual(x, ps, tag=tag), dg.Dual(y, ps[::-1].copy(), tag=tag)
            F = dg.Dual(np.zeros((8, 10)), np.zeros((8, 10, n)), tag=tag)
            F[1:-1, 1:-1] = b
            run(f"rows67 tiny {n} {name}", lambda: a / b)
            run(f"rows67 tiny {n} {name} view", lambda: a / F[1:-1, 1:-1])
            run(f"rows67 tiny {n} {name} square", lambda: (a * a) / F[1:-1, 1:-1])


OLD = None


def body(q):
    constants(q)
    rolls(q)
    quotients(q)
    rows66(q)
    rows67(q)
    return q


def body17(q):
    stores(q)
    return q


def rows():
    import corpus59
    import corpus64
    sw = corpus59.PROBLEMS59["shallow water, in-place slices (1)"][0]
    lbm, x_lbm = corpus64.PROBLEMS64["lattice Boltzmann, np.roll (2)"]
    hbv, x_hbv = corpus64.PROBLEMS64["HBV rainfall-runoff, snow branches (17)"]
    for x in ([5.0], [0.7]):
        run(f"shallow water {x}", lambda: dg.jacobian(sw, np.array(x)))
    run("shallow water hessian", lambda: dg.hessian(lambda p: sw(p, timesteps=6).sum(),
                                                    np.array([5.0])))
    mie, x_mie = corpus64.PROBLEMS64["Mie efficiencies, jv/yv recurrence (3)"]
    run("mie", lambda: dg.jacobian(mie, x_mie))
    for scale in (1.0, 1.1):
        run(f"lbm {scale}", lambda: dg.jacobian(lbm, x_lbm * scale))
        run(f"hbv {scale}", lambda: dg.jacobian(hbv, x_hbv * scale))
    run("hbv hessian", lambda: dg.hessian(lambda p: hbv(p)[200:260].sum(), x_hbv))


def child(numba):
    """Print this process's digest."""
    global dg, OLD
    dg = child_dualgrad(numba)

    def outer(r):
        global OLD
        OLD = r[0] * 2.0                 # an older call's scalar dual, stored inside
        dg.jacobian(body17, np.linspace(0.5, 2.0, 17))
        return r
    dg.jacobian(outer, np.linspace(0.1, 1.0, 17))
    dg.jacobian(body, np.array([1.3, -0.7]))
    rows()
    print_digest(out)


if __name__ == "__main__":
    digest_main(__file__, child)
