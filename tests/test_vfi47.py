"""Binary ufuncs on operands of two shapes (vfi47): ``dispatch._ufuncs._pair`` now
takes two array duals of different shapes (VFI's ``v * Q`` of (1, 1, 30, 5) by
(1, 5, 1, 5), ``u + beta * EV`` of (30, 5, 30) by (1, 5, 30)) and an array dual
beside a larger plain array, where it handed them to the general ``call`` before;
a factor that broadcasts over the value is spread over the directions first
(``backend.combine_small``, which had a twin ``_ufuncs._spread_terms`` until stop 48).

Oracles: the general path's own results (``call`` under ``backend.use("numpy")``,
which the oracle tests of test_ufuncs hold to the rules), to the bit, with zeros,
signed zeros, infinities and NaN in values and factors and zero partials beside
them; and, computed on floats without dualgrad, each rule's local derivatives
written out here (the product rule, the quotient rule, ...) times each direction's
partials, broadcast by NumPy; central differences of a VFI-like function.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.dispatch import _ufuncs
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import RULES


def _bits_equal(got, want):
    """The same numbers, NaN where NaN, and the same sign of every zero."""
    np.testing.assert_array_equal(got, want)
    assert (np.signbit(got) == np.signbit(want)).all(), (got, want)


_RULES = [np.add, np.subtract, np.multiply, np.true_divide, np.power, np.arctan2,
          np.hypot, np.logaddexp, np.maximum, np.minimum, np.fmax, np.fmin]

_SHAPES = [((1, 1, 4, 3), (1, 2, 1, 3)),        # VFI's v * Q
           ((3, 2, 4), (1, 2, 4)),              # VFI's u + beta EV
           ((4, 1), (3,)),
           ((5,), (2, 5)),
           ((2, 1, 3), (4, 1))]


def _values(shape, rng, special):
    v = rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    if special:
        flat = v.reshape(-1)
        flat[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0][:flat.size]
    return v


def _partials(shape, n, rng):
    p = rng.standard_normal(shape + (n,))
    p.reshape(-1, n)[0] = 0.0                   # a zero row beside 0, inf, NaN
    p.reshape(-1, n)[2] = 0.0
    return p


@pytest.mark.parametrize("ufunc", _RULES, ids=lambda u: u.__name__)
@pytest.mark.parametrize("n", [1, 3, 8, 9])
@pytest.mark.parametrize("special", [False, True], ids=["finite", "special"])
def test_two_shapes_give_the_general_paths_bits(ufunc, n, special):
    """Two array duals of two shapes, and an array dual beside a larger float64 array
    (either side): ``_pair`` computes them (it returned ``_MISS`` or handed them to
    ``call`` before) and gets the general path's values and partials to the bit."""
    rule = RULES[ufunc]
    rng = np.random.default_rng(n + 17 * special)
    ran = 0
    for sa, sb in _SHAPES + [(b, a) for a, b in _SHAPES]:
        tag = new_tag()
        va, vb = _values(sa, rng, special), _values(sb, rng, special)
        a = dg.Dual(va, _partials(sa, n, rng), tag=tag)
        b = dg.Dual(vb, _partials(sb, n, rng), tag=tag)
        big = _values(np.broadcast_shapes(sa, sb), rng, special)
        for x, y in ((a, b), (a, big), (big, a)):
            with np.errstate(all="ignore"):
                got = _ufuncs._pair(rule, x, y)
                with backend.use("numpy"):
                    want = _ufuncs.call(rule, (x, y))
            assert got is not _ufuncs._MISS
            _bits_equal(got.value, want.value)
            _bits_equal(got.partials, want.partials)
            assert got.partials.shape == want.value.shape + (n,)
            ran += 1
    assert ran == 30


def _local(ufunc, a, b):
    """d/da and d/db of ``ufunc`` on floats (the analytic forms)."""
    one = np.ones(np.broadcast_shapes(np.shape(a), np.shape(b)))
    if ufunc is np.add:
        return one, one
    if ufunc is np.subtract:
        return one, -one
    if ufunc is np.multiply:
        return b, a
    if ufunc is np.true_divide:
        return 1.0 / b, -a / b ** 2
    if ufunc is np.power:
        return b * a ** (b - 1.0), a ** b * np.log(a)
    if ufunc is np.arctan2:
        r = a ** 2 + b ** 2
        return b / r, -a / r
    if ufunc is np.hypot:
        h = np.hypot(a, b)
        return a / h, b / h
    if ufunc is np.logaddexp:
        m = np.logaddexp(a, b)
        return np.exp(a - m), np.exp(b - m)
    raise AssertionError(ufunc)


@pytest.mark.parametrize("ufunc", _RULES[:8], ids=lambda u: u.__name__)
@pytest.mark.parametrize("n", [1, 3, 8])
def test_two_shapes_against_the_analytic_derivatives(ufunc, n):
    """Partials of each rule on operands of two shapes: the local derivatives written
    out here, times each direction's partials, broadcast by NumPy on floats."""
    rng = np.random.default_rng(3 * n)
    for sa, sb in _SHAPES:
        va, vb = rng.uniform(0.5, 2.0, sa), rng.uniform(0.5, 2.0, sb)
        pa, pb = rng.standard_normal(sa + (n,)), rng.standard_normal(sb + (n,))
        da, db = _local(ufunc, va, vb)
        want = np.stack([da * pa[..., k] + db * pb[..., k] for k in range(n)], axis=-1)
        tag = new_tag()
        got = ufunc(dg.Dual(va, pa, tag=tag), dg.Dual(vb, pb, tag=tag))
        np.testing.assert_allclose(got.value, ufunc(va, vb), rtol=0, atol=0)
        np.testing.assert_allclose(got.partials, want, rtol=1e-13, atol=1e-14)
        c = rng.uniform(0.5, 2.0, np.broadcast_shapes(sa, sb))     # a plain operand
        got = ufunc(dg.Dual(va, pa, tag=tag), c)
        want = np.stack([_local(ufunc, va, c)[0] * pa[..., k] for k in range(n)], axis=-1)
        np.testing.assert_allclose(got.partials, want, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("n", [2, 3, 8])
def test_a_zero_partial_stays_zero_beside_an_infinite_factor(n):
    """Where the other operand is infinite, a zero partial times it is 0 (the zero
    rule), not NaN: the broadcast product takes the general path there."""
    tag = new_tag()
    v = np.array([[1.0, 2.0, 3.0]])
    q = np.array([[np.inf], [2.0]])
    p = np.zeros(v.shape + (n,))
    p[0, 1] = 1.0
    got = dg.Dual(v, p, tag=tag) * dg.Dual(q, np.ones(q.shape + (n,)), tag=tag)
    assert not np.isnan(got.partials[0, 0]).any()          # 0 * inf kept 0
    want = np.array([[np.inf, np.inf, np.inf], [2.0, 2.0, 2.0]])[..., None] * p[0] + \
        v[..., None] * np.ones((2, 3, n))
    finite = np.isfinite(want)
    np.testing.assert_array_equal(got.partials[finite], want[finite])
    assert (got.partials[0, 0] == 1.0).all()               # 0 * inf + 1 * 1


def test_results_own_their_memory():
    """No result shares memory with an operand's partials (a + c with a plain c of a
    larger shape: one term, the partials themselves, broadcast into a new array)."""
    tag = new_tag()
    p = np.arange(6.0).reshape(3, 2)
    a = dg.Dual(np.array([1.0, 2.0, 3.0]), p, tag=tag)
    c = np.ones((4, 3))
    for got in (a + c, c + a, a - c, c - a, a * c, a / c, a[None, :] * a[:, None]):
        assert not np.shares_memory(got.partials, p)
        assert got.partials.flags.writeable and got.partials.flags.c_contiguous
    got = a[None, :] * a[:, None]                        # an outer product of views
    want = p[None, :, :] * a.value[:, None, None] + a.value[None, :, None] * p[:, None, :]
    np.testing.assert_array_equal(got.partials, want)


def test_vfis_broadcast_products_take_the_two_shape_path(monkeypatch):
    """VFI's ``v * Q`` and ``u + beta * EV`` no longer reach the general ``call``."""
    seen = []
    general = _ufuncs._array_partials           # the general call's propagation

    def spy(rule, *args):
        seen.append(rule.name)
        return general(rule, *args)
    monkeypatch.setattr(_ufuncs, "_array_partials", spy)

    def f(t):
        v = np.reshape(t[0] * np.linspace(1.0, 2.0, 10), (1, 1, 5, 2))
        Q = np.reshape(t[1] * np.linspace(0.5, 1.0, 4), (1, 2, 1, 2))
        EV = np.sum(v * Q, axis=3)
        u = np.reshape(t[2] * np.linspace(1.0, 3.0, 30), (3, 2, 5))
        return np.ravel(u + t[0] * EV)
    x = np.array([0.9, 1.1, 0.7])
    J = dg.jacobian(f, x)
    assert "multiply" not in seen and "add" not in seen, seen
    h = 1e-4
    fd = np.stack([(-f(x + 2 * h * e) + 8 * f(x + h * e) - 8 * f(x - h * e) +
                    f(x - 2 * h * e)) / (12 * h) for e in np.eye(3)], axis=-1)
    np.testing.assert_allclose(J, fd, rtol=1e-9, atol=1e-11)


def test_nested_duals_through_a_broadcast_product():
    """A Hessian through products of two shapes (nested duals: the general path)
    against the closed form: f = sum((x_i x_j)^2) = (sum x^2)^2."""
    x = np.array([0.3, -1.2, 2.0])
    H = dg.hessian(lambda t: np.sum((t[:, None] * t[None, :]) ** 2), x)
    s = np.sum(x ** 2)
    np.testing.assert_allclose(H, 8 * np.outer(x, x) + 4 * s * np.eye(3), rtol=1e-13)


def test_mismatched_directions_still_refused():
    """Partials of two lengths never broadcast, whatever the value shapes."""
    tag = new_tag()
    a = dg.Dual(np.ones((2, 1)), np.ones((2, 1, 3)), tag=tag)
    b = dg.Dual(np.ones(4), np.ones((4, 2)), tag=tag)
    with pytest.raises((TypeError, ValueError), match="direction"):
        a * b


# ---- np.sum over one axis: the lean line (dispatch._reductions.lean_sum) ------------

def _sum_oracle(P, ax):
    """Each direction of each output element summed as np.add.reduce sums its own
    contiguous numbers (backend/_sums.py's convention), on floats."""
    return np.stack([np.add.reduce(np.ascontiguousarray(np.moveaxis(P[..., k], ax, -1)),
                                   axis=-1) for k in range(P.shape[-1])], axis=-1)


@pytest.mark.parametrize("shape", [(1, 5, 30, 5), (3, 4), (4, 3, 2), (2, 9, 3), (6, 1, 2)])
@pytest.mark.parametrize("n", [1, 3, 8])
def test_sum_over_one_axis(shape, n):
    """``np.sum(d, axis=k)`` / ``d.sum(axis=k)`` / ``np.sum(d, k)`` over every axis
    (negative too) and on a transposed view: ``lean_sum`` computes it (``None`` on
    main), with the general path's bits, which are each direction's own sum; zeros
    of both signs, inf and NaN among the partials."""
    from dualgrad.dispatch import _reductions
    rng = np.random.default_rng(len(shape) + n)
    v = rng.standard_normal(shape)
    P = rng.standard_normal(shape + (n,)) * 10.0 ** rng.integers(-8, 9, shape + (n,))
    flat = P.reshape(-1)
    flat[:4] = [-0.0, np.inf, np.nan, 0.0][:flat.size]
    for transposed in (False, True):
        tag = new_tag()
        d = dg.Dual(v, P, tag=tag)
        if transposed:
            d = np.swapaxes(d, 0, -1)
        vv, PP = d.value, d.partials
        for ax in list(range(d.ndim)) + [-1]:
            got = _reductions.lean_sum(d, axis=ax)
            assert got is not None
            with backend.use("numpy"):
                want = _reductions.sum(d, axis=ax)
            _bits_equal(got.value, want.value)
            _bits_equal(got.partials, want.partials)
            _bits_equal(got.value, np.add.reduce(vv, axis=ax))
            _bits_equal(got.partials, _sum_oracle(PP, ax % d.ndim))
            for other in (np.sum(d, axis=ax), d.sum(axis=ax), np.sum(d, ax)):
                _bits_equal(other.partials, got.partials)


def test_sum_over_one_axis_leaves_the_rest_to_the_general_path():
    """What the lean line does not take still works and still refuses as before."""
    from dualgrad.dispatch import _reductions
    tag = new_tag()
    d = dg.Dual(np.arange(6.0).reshape(2, 3), np.ones((2, 3, 2)), tag=tag)
    assert _reductions.lean_sum(d, axis=np.int64(1)) is None
    assert _reductions.lean_sum(d, axis=(0, 1)) is None
    np.testing.assert_array_equal(np.sum(d, axis=np.int64(1)).partials, np.full((2, 2), 3.0))
    np.testing.assert_array_equal(np.sum(d, axis=1, keepdims=True).partials,
                                  np.full((2, 1, 2), 3.0))
    with pytest.raises(np.exceptions.AxisError):
        np.sum(d, axis=2)
    with pytest.raises(TypeError):
        np.sum(d, axis=1, dtype=np.float32)


# ---- np.where with a constant branch: rows copied where picked ----------------------

@pytest.mark.parametrize("n", [1, 2, 3, 8, 9])
@pytest.mark.parametrize("side", ["dual left", "dual right"])
def test_where_with_a_constant_branch(n, side, monkeypatch):
    """``np.where(c, d, -inf)`` / ``np.where(c, 2.0, d)`` before numba loads: the
    partials ``np.where(c[..., None], P, 0.0)`` (or the reverse) computed on floats,
    to the bit, with NaN, inf and -0.0 partials; from 2 to 8 directions without
    ``backend.where`` (the rows are copied where picked)."""
    calls = []
    general = backend.where

    def spy(*args):
        calls.append(1)
        return general(*args)
    monkeypatch.setattr(backend, "where", spy)
    rng = np.random.default_rng(n)
    shape = (6, 5, 7)
    v = rng.standard_normal(shape)
    P = rng.standard_normal(shape + (n,))
    P.reshape(-1)[:4] = [np.nan, np.inf, -0.0, -np.inf]
    c = rng.standard_normal(shape) > 0
    tag = new_tag()
    d = dg.Dual(v, P, tag=tag)
    if side == "dual left":
        got = np.where(c, d, -np.inf)
        want_v, want_p = np.where(c, v, -np.inf), np.where(c[..., None], P, 0.0)
    else:
        got = np.where(c, 2.0, d)
        want_v, want_p = np.where(c, 2.0, v), np.where(c[..., None], 0.0, P)
    _bits_equal(got.value, want_v)
    _bits_equal(got.partials, want_p)
    if not backend.kernels_loaded():
        assert bool(calls) == (not 1 < n <= 8)


def test_where_with_a_constant_branch_in_vfi_gradients():
    """A max over a where with -inf (VFI's Bellman step) against central differences."""
    a = np.linspace(0.1, 2.0, 7)

    def f(t):
        c = a[:, None, None] * t[0] - a[None, None, :] + np.array([0.3, 0.6])[None, :, None] * t[1]
        s = np.log(np.where(c > 0, c, 1.0)) + t[2] * a[None, None, :]
        return np.ravel(np.max(np.where(c > 0, s, -np.inf), axis=2))
    x = np.array([1.1, 0.8, 0.4])
    J = dg.jacobian(f, x)
    h = 1e-5
    fd = np.stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(3)], axis=-1)
    np.testing.assert_allclose(J, fd, rtol=1e-7, atol=1e-8)


# ---- np.max / np.min over one int axis: the direct line ------------------------------

@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("n", [1, 3, 8])
def test_max_over_one_axis(name, n):
    """``np.max(d, axis=k)`` / ``np.min`` over every axis (negative too) of a 3-D dual
    and of a transposed view, with ties (whole slices, signed zeros), a NaN slice and
    inf: ``_one_axis`` computes it (absent on main), with ``_extreme``'s bits, and the
    picked element's partials computed on floats where no slice ties."""
    from dualgrad.dispatch import _reductions
    rng = np.random.default_rng(n)
    v = rng.integers(-3, 4, (4, 5, 6)).astype(float)        # ties in many slices
    v[0, 0, :] = np.nan
    v[1, 1, :] = [0.0, -0.0, -0.0, 0.0, -1.0, -2.0]
    v[2, 2, 3] = np.inf
    P = rng.standard_normal(v.shape + (n,))
    arg = np.argmax if name == "max" else np.argmin
    for transposed in (False, True):
        d = dg.Dual(v, P, tag=new_tag())
        if transposed:
            d = np.swapaxes(d, 0, 2)
        vv, PP = d.value, d.partials
        for ax in (0, 1, 2, -1, -3):
            got = _reductions._one_axis(d, ax, arg, name)
            assert got is not None
            want = _reductions._extreme(d, ax, False, arg, name, {"out": None})
            _bits_equal(got.value, want.value)
            _bits_equal(got.partials, want.partials)
            _bits_equal(getattr(np, name)(d, axis=ax).partials, want.partials)
            _bits_equal(got.value, getattr(np, name)(vv, axis=ax))
            i = np.expand_dims(arg(vv, axis=ax), ax)
            top = np.take_along_axis(vv, i, axis=ax)
            single = (np.sum(vv == top, axis=ax) == 1)[..., None]
            picked = np.squeeze(np.take_along_axis(PP, i[..., None], axis=ax % 3), ax % 3)
            np.testing.assert_array_equal(np.where(single, got.partials, 0.0),
                                          np.where(single, picked, 0.0))


def test_max_over_one_axis_leaves_the_rest_to_the_general_path():
    from dualgrad.dispatch import _reductions
    d = dg.Dual(np.arange(6.0).reshape(2, 3), np.ones((2, 3, 2)), tag=new_tag())
    assert _reductions._one_axis(d, 2, np.argmax, "max") is None
    with pytest.raises(np.exceptions.AxisError):
        np.max(d, axis=2)
    assert np.max(d, axis=1, keepdims=True).shape == (2, 1)
    e = dg.Dual(np.zeros((0, 3)), np.zeros((0, 3, 2)), tag=new_tag())
    with pytest.raises(ValueError):
        np.max(e, axis=0)


def test_hessian_through_the_new_lines():
    """Nested duals (a Hessian) through a two-shape product, a one-axis sum, a where
    with -inf and a one-axis max: against central differences of dualgrad's gradient
    checked itself against central differences of f."""
    a = np.linspace(0.2, 1.5, 4)

    def f(t):
        q = np.reshape(np.array([t[0], t[1] * t[2]]) * np.array([1.0, 0.5]), (1, 2, 1))
        s = np.sum(a[:, None, None] * t[0] * q * np.array([1.0, 1.2, 0.8]), axis=1)  # (4, 3)
        c = s - 0.45
        w = np.where(c > 0, np.log(np.where(c > 0, c, 1.0)) * t[2] ** 2, -np.inf)
        return np.sum(np.max(w, axis=1) + s[:, 0] ** 2)
    x = np.array([1.3, 0.7, 0.9])
    g = dg.grad(f)
    h = 1e-5
    fd1 = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(g(x), fd1, rtol=1e-7)
    H = dg.hessian(f, x)
    fd2 = np.stack([(g(x + h * e) - g(x - h * e)) / (2 * h) for e in np.eye(3)], axis=-1)
    np.testing.assert_allclose(H, fd2, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(H, H.T, rtol=1e-13)
