"""The one-pass paths of cross, clip, meshgrid, imag, sinc and the copy of broadcast
views (issue 13's cliffs): each against an oracle that does not run through dualgrad, with
both engines forced (numba's kernels and NumPy's calls), at sizes on both sides of
the kernels' threshold."""

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _buffers
from dualgrad.dual._base import new_tag

ENGINES = ["numba", "numpy"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rows", [1, 7, 3000])
@pytest.mark.parametrize("which", ["both", "left", "right"])
@pytest.mark.engine_independent
def test_cross_every_direction_at_once_is_the_product_rule(engine, rows, which):
    """``d(a x b) = da x b + a x db``, each direction with NumPy's own ``np.cross`` of
    floats (bilinear: the oracle is exact, so the comparison is to the bit)."""
    rng = np.random.default_rng(rows)
    a, b = rng.standard_normal((rows, 3)), rng.standard_normal((rows, 3))
    pa, pb = rng.standard_normal((rows, 3, 4)), rng.standard_normal((rows, 3, 4))
    tag = new_tag()
    A, B = dg.Dual(a, pa, tag=tag), dg.Dual(b, pb, tag=tag)
    x, y = {"both": (A, B), "left": (A, b), "right": (a, B)}[which]
    with backend.use(engine):
        out = np.cross(x, y)
    want = np.zeros((rows, 3, 4))
    for k in range(4):
        if which != "right":
            want[..., k] += np.cross(pa[..., k], b)
        if which != "left":
            want[..., k] += np.cross(a, pb[..., k])
    np.testing.assert_array_equal(out.value, np.cross(a, b))
    np.testing.assert_array_equal(out.partials, want)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("spell", [
    lambda x, y: np.cross(x, y[0]), lambda x, y: np.linalg.cross(x, y),
    lambda x, y: np.cross(x, y, axisa=-1)])
def test_cross_broadcast_and_keywords_take_the_general_path(engine, spell):
    """Shapes that broadcast and keywords: the direction-by-direction path, against the
    same oracle."""
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2500, 3)), rng.standard_normal((2500, 3))
    pa = rng.standard_normal((2500, 3, 2))
    with backend.use(engine):
        out = spell(dg.Dual(a, pa), b)
    want = np.stack([spell(pa[..., k], b) for k in range(2)], axis=-1)
    np.testing.assert_array_equal(out.value, spell(a, b))
    np.testing.assert_allclose(out.partials, want, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
def test_cross_with_an_infinite_component_keeps_zero_partials_zero(engine):
    """An inf in ``a`` meets only zero partials of ``b``: those products contribute 0
    (the elementwise spelling's convention), never NaN; the fast path must not run."""
    a = np.array([[np.inf, 1.0, 2.0]] * 3000)
    b = np.ones((3000, 3))
    pb = np.zeros((3000, 3, 2))
    pb[:, 0, 0] = 1.0                       # only b[0] moves, in direction 0
    B = dg.Dual(b, pb)
    with backend.use(engine):
        out = np.cross(a, B)
    # d(a x b)/db0 = (0, a2, -a1) = (0, 2, -1): finite, no inf times a zero partial
    np.testing.assert_array_equal(out.partials[0, :, 0], [0.0, 2.0, -1.0])
    np.testing.assert_array_equal(out.partials[..., 1], 0.0)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("size", [10, 5000])
@pytest.mark.parametrize("n", [2, 3, 4])        # the masking kernel's loops: 2, n, 4
def test_clip_between_constants(engine, size, n):
    """Inside the bounds the partials are ``a``'s, outside they are 0, at a tie with a
    bound half of ``a``'s (the midpoint of the one-sided derivatives, rules/_table.py
    TIES; it was ``a``'s until tie41); a NaN value is not clipped (NumPy keeps it), so
    its partials pass (the where convention: ``v < lo`` and ``v > hi`` are both
    False)."""
    rng = np.random.default_rng(size)
    v = rng.uniform(-1.0, 1.0, size)
    v[:4] = [-0.5, 0.5, np.nan, -0.0]
    p = rng.standard_normal((size, n))
    p[::7, 0], p[1::5, n - 1], p[2::3, 0] = np.inf, np.nan, -0.0
    with backend.use(engine):
        out = np.clip(dg.Dual(v, p), -0.5, 0.5)
        low = np.clip(dg.Dual(v, p), -0.5, None)
        high = np.clip(dg.Dual(v, p), None, 0.5)
    inside = ~((v < -0.5) | (v > 0.5))
    at_lo, at_hi = (v == -0.5)[:, None], (v == 0.5)[:, None]
    assert at_lo.any() and at_hi.any()
    np.testing.assert_array_equal(out.value, np.clip(v, -0.5, 0.5))
    np.testing.assert_array_equal(out.partials, np.where(
        at_lo | at_hi, 0.5 * p, np.where(inside[:, None], p, 0.0)))
    np.testing.assert_array_equal(low.partials, np.where(
        at_lo, 0.5 * p, np.where((v < -0.5)[:, None], 0.0, p)))
    np.testing.assert_array_equal(high.partials, np.where(
        at_hi, 0.5 * p, np.where((v > 0.5)[:, None], 0.0, p)))
    assert not np.signbit(out.partials[~inside]).any()        # +0.0, as np.where gives


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_where_of_two_duals_bit_for_bit(engine, n):
    """np.where between two array duals (backend.where's select of rows, whose loops
    for 4 and 2 partials are their own: sel12): each row's partials are the chosen
    argument's bits, inf, NaN and -0.0 of the other argument kept out."""
    rng = np.random.default_rng(n)
    cond = rng.uniform(size=5000) < 0.5
    p, q = rng.standard_normal((5000, n)), rng.standard_normal((5000, n))
    p[::7, 0], q[1::5, n - 1], p[2::3, n - 1], q[::4, 0] = np.inf, np.nan, -0.0, -0.0
    a, b = dg.Dual(rng.standard_normal(5000), p), dg.Dual(rng.standard_normal(5000), q)
    with backend.use(engine):
        out = np.where(cond, a, b)
    np.testing.assert_array_equal(out.value, np.where(cond, a.value, b.value))
    want = np.where(cond[:, None], p, q)
    np.testing.assert_array_equal(out.partials.reshape(5000, n).view(np.uint64),
                                  want.view(np.uint64))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("size", [6, 5000])
@pytest.mark.engine_independent
def test_clip_with_nan_bounds_follows_minimum_of_maximum(engine, size):
    """NumPy's clip is minimum(maximum(a, lo), hi), and a NaN wins there (the table's
    maximum/minimum convention, and jax.grad(jnp.clip)): where a NaN bound meets a
    number the value is NaN and a constant bound's partials (0), a dual bound's own;
    a NaN ``a`` keeps its partials.  Before, a NaN bound passed ``a``'s partials (the
    value NaN), and a dual bound's path gave ``a``'s value instead of NumPy's NaN."""
    rng = np.random.default_rng(size)
    v = rng.uniform(-2.0, 2.0, size)
    v[:3] = [0.5, np.nan, 2.0]
    lo = np.full(size, -1.0)
    lo[0] = lo[1] = np.nan
    p, q = rng.standard_normal((size, 2)), rng.standard_normal((size, 2))
    with backend.use(engine), np.errstate(invalid="ignore"):
        for a_min, a_max in ((lo, 1.0), (np.nan, 1.0), (-1.0, np.nan)):
            got = np.clip(dg.Dual(v, p), a_min, a_max)
            want = np.minimum(np.maximum(dg.Dual(v, p), a_min), a_max)
            np.testing.assert_array_equal(got.value, np.clip(v, a_min, a_max))
            np.testing.assert_array_equal(got.partials, want.partials)
        got = np.clip(dg.Dual(v, p), dg.Dual(lo, q), 1.0)
        want = np.minimum(np.maximum(dg.Dual(v, p), dg.Dual(lo, q)), 1.0)
    np.testing.assert_array_equal(got.value, np.clip(v, lo, 1.0))
    np.testing.assert_array_equal(got.partials, want.partials)
    np.testing.assert_array_equal(got.partials[0], q[0])       # the NaN bound's own
    np.testing.assert_array_equal(got.partials[1], p[1])       # a NaN a wins


@pytest.mark.parametrize("engine", ENGINES)
def test_clip_against_central_differences(engine):
    """A function of 2 inputs through clip, against differences of the float function
    (points away from the bounds)."""
    x0 = np.array([0.3, -0.2])
    t = np.linspace(-2.0, 2.0, 4000)

    def f(x):
        return np.sum(np.clip(x[0] * t + x[1], -0.5, 0.5) ** 2)

    with backend.use(engine):
        g = dg.gradient(f, x0)
    h = 1e-6
    fd = [(f(x0 + h * e) - f(x0 - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(g, fd, rtol=1e-5)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sizes", [(3, 4), (300, 200), (3, 4, 5)])
def test_meshgrid_partials_are_the_inputs_spread(engine, indexing, sizes):
    """Each grid's partials at grid point ``(i, j, ...)`` are its input's partials at
    the index along that input's axis; the grids are writable copies."""
    rng = np.random.default_rng(len(sizes))
    xs = [rng.standard_normal(s) for s in sizes]
    ps = [rng.standard_normal((s, 2)) for s in sizes]
    tag = new_tag()
    duals = [dg.Dual(x, p, tag=tag) for x, p in zip(xs, ps)]
    with backend.use(engine):
        grids = np.meshgrid(*duals, indexing=indexing)
    values = np.meshgrid(*xs, indexing=indexing)
    for k, (g, v) in enumerate(zip(grids, values)):
        np.testing.assert_array_equal(g.value, v)
        comp = [np.meshgrid(*[p[:, j] if i == k else np.zeros(len(x))
                              for i, (x, p) in enumerate(zip(xs, ps))],
                            indexing=indexing)[k] for j in range(2)]
        np.testing.assert_array_equal(g.partials, np.stack(comp, axis=-1))
        assert g.partials.flags.c_contiguous and g.partials.flags.writeable
        g.partials[...] = 7.0                 # a copy: the inputs do not move
    for d, p in zip(duals, ps):
        np.testing.assert_array_equal(d.partials, p)


@pytest.mark.parametrize("shape, target", [
    ((1, 5, 4), (3, 5, 4)), ((3, 1, 4), (3, 5, 4)), ((3, 1, 1, 2), (3, 4, 5, 2)),
    ((1, 1, 3), (30, 40, 3)), ((2, 1, 3, 1, 2), (2, 7, 3, 9, 2)), ((1, 2), (100000, 2)),
    ((300, 1, 4), (300, 400, 4))])
def test_copy_of_a_broadcast_view(shape, target):
    """``backend.copy`` of a broadcast view equals NumPy's copy, C-contiguous."""
    src = np.random.default_rng(0).standard_normal(shape)
    view = np.broadcast_to(src, target)
    out = backend.copy(view)
    np.testing.assert_array_equal(out, view.copy())
    assert out.flags.c_contiguous and out.flags.writeable
    with _buffers.use(False):
        np.testing.assert_array_equal(backend.copy(view), view.copy())
    z = np.broadcast_to(src.astype(complex) * 1j, target)
    np.testing.assert_array_equal(backend.copy(z), z.copy())


@pytest.mark.parametrize("engine", ENGINES + ["auto"])
@pytest.mark.engine_independent
def test_imag_of_a_real_dual_is_read_only_zeros_as_numpy_gives(engine):
    """``np.imag`` of a real array: zeros NumPy makes read-only; the dual's partials are
    zeros and read-only too, writes raise NumPy's error, and the zeros flow through
    later operations (kernels and NumPy paths) as zeros."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0.2, 0.9, 5000)
    p = rng.standard_normal((5000, 4))
    with backend.use(engine):
        X = dg.Dual(x, p)
        im = np.imag(X)
        np.testing.assert_array_equal(im.value, np.imag(x))
        np.testing.assert_array_equal(im.partials, np.zeros((5000, 4)))
        assert not im.value.flags.writeable and not im.partials.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            im[0] = 1.0
        with pytest.raises(ValueError, match="read-only"):
            im += 1.0
        np.testing.assert_array_equal((im + X).partials, p)
        np.testing.assert_array_equal((np.exp(im) * X).partials, p)
        np.testing.assert_array_equal(np.sum(im * X).partials, np.zeros(4))
        np.testing.assert_array_equal(np.where(x > 0.5, im, X).partials,
                                      np.where((x > 0.5)[:, None], 0.0, p))
        c = im.copy()
        c[0] = 1.0                            # a copy is writable, as NumPy's is
        assert c.partials.flags.writeable


_SINC_POINTS = [0.0, 1e-8, -1e-5, 1e-3, 0.05, 0.3, 1 / np.pi - 1e-12, 1 / np.pi + 1e-12, -0.7,
                1.0, -3.2, 7.3]


def _sinc_slope(t):
    """d/dt sin(pi t) / (pi t) from its definition, in 50-digit arithmetic."""
    with mp.workdps(50):
        t = mp.mpf(t)
        if t == 0:
            return 0.0
        s = mp.pi * t
        return float(mp.pi * (s * mp.cos(s) - mp.sin(s)) / (s * s))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("copies", [1, 400])
def test_sinc_slope_near_zero_and_away(engine, copies):
    """NumPy's value, and the slope to a few ulps against 50-digit arithmetic, at 0,
    tiny |x| (the composition's cos - sinc cancelled: -1.49e-8 for -3.29e-8 at x =
    1e-8), either side of |pi x| = 1, and away from 0; a NaN or inf point: NaN."""
    x = np.tile(np.array(_SINC_POINTS), copies)
    p = np.ones((x.size, 2))
    p[:, 1] = -2.0
    with backend.use(engine):
        out = np.sinc(dg.Dual(x, p))
    np.testing.assert_array_equal(out.value, np.sinc(x))
    want = np.tile([_sinc_slope(t) for t in _SINC_POINTS], copies)
    np.testing.assert_allclose(out.partials[:, 0], want, rtol=4e-15, atol=0)
    np.testing.assert_allclose(out.partials[:, 1], -2.0 * want, rtol=4e-15, atol=0)
    with np.errstate(invalid="ignore"):
        bad = np.sinc(dg.Dual(np.array([np.nan, np.inf]), np.ones((2, 1))))
    assert np.isnan(bad.partials).all()


def _sinc_derivative(t, order):
    """The ``order``-th derivative of sin(pi t) / (pi t) in 50-digit arithmetic."""
    with mp.workdps(50):
        return float(mp.diff(lambda s: mp.sinc(mp.pi * s), mp.mpf(t), order))


@pytest.mark.parametrize("engine", ENGINES)
def test_sinc_higher_derivatives_near_zero_and_away(engine):
    """Second and third derivatives (nested duals take the composition) to a few ulps
    against 50-digit arithmetic: the quotient sin(pi x) / (pi x) cancelled near 0
    (the Hessian at x = 1e-8 came out -6 for -3.29); a 0-d array takes the same path
    as a scalar (it raised a bare TypeError from an item assignment into a float)."""
    points = [p for p in _SINC_POINTS if p != 0.0]
    x = np.array(points)
    with backend.use(engine):
        h = dg.hessian(lambda x: np.sum(np.sinc(x)), x)
        third = [dg.derivative(lambda s: dg.derivative(lambda t: dg.derivative(np.sinc, t), s),
                               p) for p in _SINC_POINTS]
        zero_d = dg.derivative(np.sinc, np.array(0.3))
    np.testing.assert_allclose(np.diag(h), [_sinc_derivative(p, 2) for p in points],
                               rtol=2e-15, atol=0)
    np.testing.assert_array_equal(h, np.diag(np.diag(h)))
    np.testing.assert_allclose(third, [_sinc_derivative(p, 3) for p in _SINC_POINTS],
                               rtol=4e-15, atol=1e-15)
    np.testing.assert_allclose(zero_d, _sinc_slope(0.3), rtol=4e-16)


@pytest.mark.parametrize("spec, sa, sb", [
    ("i,i->", (7,), (7,)), ("ij,j->i", (3, 4), (4,)), ("ij,jk->ik", (3, 4), (4, 5)),
    ("ij,jk->ki", (3, 4), (4, 5)), ("i,j->ij", (3,), (4,)), ("i,j->ji", (3,), (4,)),
    ("ijk,jl->kil", (2, 3, 4), (3, 5)), ("ij,ij->", (3, 4), (3, 4)),
    ("ij,ji->", (3, 4), (4, 3)), ("ii,i->", (3, 3), (3,)), ("ij,j->ij", (3, 4), (4,)),
    ("ij,j->", (3, 4), (4,)), ("i,i->i", (5,), (5,)), ("i,i->", (3000,), (3000,))])
@pytest.mark.parametrize("which", ["both", "left", "right"])
def test_einsum_of_two_operands_is_the_product_rule(spec, sa, sb, which):
    """Two-operand ``einsum`` (tensordot-like specs take ``tensordot``, the rest
    ``einsum`` with a direction index): per direction, NumPy's ``einsum`` of floats."""
    rng = np.random.default_rng(len(spec))
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    pa, pb = rng.standard_normal(sa + (3,)), rng.standard_normal(sb + (3,))
    tag = new_tag()
    A, B = dg.Dual(a, pa, tag=tag), dg.Dual(b, pb, tag=tag)
    x, y = {"both": (A, B), "left": (A, b), "right": (a, B)}[which]
    out = np.einsum(spec, x, y)
    want = np.stack([(np.einsum(spec, pa[..., k], b) if which != "right" else 0) +
                     (np.einsum(spec, a, pb[..., k]) if which != "left" else 0)
                     for k in range(3)], axis=-1)
    np.testing.assert_array_equal(out.value, np.einsum(spec, a, b))
    np.testing.assert_allclose(out.partials, want, rtol=1e-13, atol=1e-13)
