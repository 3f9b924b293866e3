"""Functions whose partials are computed on the whole partials array at once (issue 13's
large-N paths): products as one contraction with the directions a free axis, reductions
as one weighted sum, NaN-aware reductions without a copy when nothing is NaN.

Oracles: a product is linear in each operand, so its partial along direction k is the
same product with one operand replaced by that operand's k-th partial, summed over
the dual operands, computed here with plain NumPy on floats (no dualgrad path); the
other functions against their analytic derivatives or central differences.  Sizes
are large enough for the kernels and BLAS paths (N * n >= 2048).
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dual._base import new_tag
from dualgrad.testing import numerical_jacobian

RNG = np.random.default_rng(7)
n = 4


def _dual(shape, tag, complex_=False):
    v = RNG.standard_normal(shape)
    p = RNG.standard_normal(shape + (n,))
    if complex_:
        v = v + 1j * RNG.standard_normal(shape)
        p = p + 1j * RNG.standard_normal(shape + (n,))
    return dg.Dual(v, p, tag=tag)


def _reference(func, a, b, **kw):
    """sum over the dual operands of func(..., partial_k, ...), direction by direction."""
    av = a.value if isinstance(a, dg.Dual) else a
    bv = b.value if isinstance(b, dg.Dual) else b
    cols = []
    for k in range(n):
        total = 0.0
        if isinstance(a, dg.Dual):
            total = total + func(a.partials[..., k], bv, **kw)
        if isinstance(b, dg.Dual):
            total = total + func(av, b.partials[..., k], **kw)
        cols.append(total)
    return func(av, bv, **kw), np.stack(cols, axis=-1)


CASES = {
    "dot 1-D": (np.dot, (3000,), (3000,), {}),
    "dot 2-D 1-D": (np.dot, (40, 60), (60,), {}),
    "dot 2-D 2-D": (np.dot, (30, 40), (40, 20), {}),
    "dot 3-D 3-D": (np.dot, (3, 20, 10), (4, 10, 5), {}),
    "dot 1-D 2-D": (np.dot, (50,), (50, 30), {}),
    "inner 1-D": (np.inner, (3000,), (3000,), {}),
    "inner 2-D": (np.inner, (30, 40), (20, 40), {}),
    "vdot": (np.vdot, (30, 40), (1200,), {}),
    "vecdot 1-D": (np.vecdot, (3000,), (3000,), {}),
    "vecdot batched": (np.vecdot, (30, 40), (40,), {}),
    "tensordot 1": (np.tensordot, (40, 60), (60,), {"axes": 1}),
    "tensordot 2": (np.tensordot, (10, 6, 8), (6, 8, 9), {"axes": 2}),
    "tensordot pairs": (np.tensordot, (6, 10, 8), (8, 7, 6), {"axes": ([0, 2], [2, 0])}),
    "tensordot 0": (np.tensordot, (30,), (40,), {"axes": 0}),
    "outer": (np.outer, (40, 3), (70,), {}),
    "kron 1-D": (np.kron, (40,), (70,), {}),
    "kron 2-D": (np.kron, (6, 7), (8, 9), {}),
    "kron 1-D 2-D": (np.kron, (6,), (8, 9), {}),
}


@pytest.mark.parametrize("which", ["both", "left", "right"])
@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.engine_independent
def test_products_on_whole_partials(name, complex_, which):
    func, sa, sb, kw = CASES[name]
    tag = new_tag()
    a, b = _dual(sa, tag, complex_), _dual(sb, tag, complex_)
    if which == "left":
        b = b.value
    elif which == "right":
        a = a.value
    got = func(a, b, **kw)
    want_value, want_partials = _reference(func, a, b, **kw)
    np.testing.assert_allclose(got.value, want_value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got.partials, want_partials, rtol=1e-10, atol=1e-10)


@pytest.mark.engine_independent
def test_products_keep_a_zero_partial_zero_next_to_inf():
    """outer and dot with an inf value: a direction that does not move the inf entry's
    partner stays finite, as the elementwise product gives it."""
    x = np.linspace(0.5, 1.5, 3000)
    x[7] = np.inf
    tag = new_tag()
    p = np.zeros((3000, n))
    p[3, 0] = 1.0                                   # only x[3] moves, direction 0
    d = dg.Dual(x, p, tag=tag)
    y = dg.Dual(np.ones(3000), np.zeros((3000, n)), tag=tag)
    o = np.outer(d, y)
    assert np.isfinite(o.partials).all()
    assert o.partials[3, :, 0].tolist() == [1.0] * 3000
    s = np.dot(d, y)
    assert s.partials.tolist() == [1.0, 0.0, 0.0, 0.0]


def test_products_match_central_differences():
    def f(x):
        a, b = x[:60], x[60:]
        return np.concatenate([np.atleast_1d(np.dot(a, b)), np.outer(a[:5], b[:7]).ravel(),
                               np.kron(a[:4], b[:3]), np.atleast_1d(np.vdot(a, b)),
                               np.tensordot(np.reshape(a, (6, 10)), b[:10], 1)])
    x = np.random.default_rng(1).standard_normal(120)
    np.testing.assert_allclose(dg.jacobian(f, x), numerical_jacobian(f, x),
                               rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("shape,axis", [((3000,), None), ((40, 60), 0), ((40, 60), 1),
                                        ((6, 7, 8), (0, 2)), ((6, 7, 8), None)])
def test_prod_weighted_sum_matches_the_other_factors(shape, axis):
    """d prod = sum_i (prod_{j != i} x_j) dx_i, the products of the others computed
    here directly (values near 1, so no under- or overflow)."""
    tag = new_tag()
    v = RNG.uniform(0.9, 1.1, shape)
    p = RNG.standard_normal(shape + (n,))
    got = np.prod(dg.Dual(v, p, tag=tag), axis=axis)
    axes = tuple(range(len(shape))) if axis is None else \
        (axis,) if np.ndim(axis) == 0 else axis
    total = np.prod(v, axis=axes, keepdims=True)
    others = total / v                                  # exact enough: no zeros
    want = np.sum(others[..., None] * p, axis=axes)
    np.testing.assert_allclose(got.value, np.prod(v, axis=axes), rtol=1e-13)
    np.testing.assert_allclose(got.partials, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape,axis,ddof,keepdims", [
    ((3000,), None, 0, False), ((40, 60), 0, 1, False), ((40, 60), 1, 0, True),
    ((6, 7, 8), (0, 2), 0, False), ((6, 7, 8), None, 2, True)])
def test_var_std_norm_on_whole_partials(shape, axis, ddof, keepdims):
    """d var = 2 / (N - ddof) sum (x - mean) dx; d |x| = sum x dx / |x|."""
    tag = new_tag()
    v = RNG.standard_normal(shape)
    p = RNG.standard_normal(shape + (n,))
    d = dg.Dual(v, p, tag=tag)
    axes = tuple(range(len(shape))) if axis is None else \
        (axis,) if np.ndim(axis) == 0 else axis
    count = np.prod([shape[a] for a in axes]) - ddof
    dev = v - v.mean(axis=axes, keepdims=True)
    dvar = 2.0 / count * np.sum(dev[..., None] * p, axis=axes, keepdims=keepdims)
    var = np.var(v, axis=axes, ddof=ddof, keepdims=keepdims)
    got = np.var(d, axis=axis, ddof=ddof, keepdims=keepdims)
    np.testing.assert_allclose(got.value, var, rtol=1e-13)
    np.testing.assert_allclose(got.partials, dvar, rtol=1e-10, atol=1e-12)
    got = np.std(d, axis=axis, ddof=ddof, keepdims=keepdims)
    np.testing.assert_allclose(got.partials, dvar / (2 * np.sqrt(var))[..., None],
                               rtol=1e-10, atol=1e-12)
    if axis is None or np.ndim(axis) == 0:
        norm = np.linalg.norm(v, axis=axis, keepdims=keepdims)
        dnorm = np.sum(v[..., None] * p, axis=axes, keepdims=keepdims) / norm[..., None]
        got = np.linalg.norm(d, axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(got.value, norm, rtol=1e-13)
        np.testing.assert_allclose(got.partials, dnorm, rtol=1e-10, atol=1e-12)


def test_norm_of_zero_and_of_an_inf_keep_their_partials():
    """At x = 0 the norm's partials are 0 (sqrt's infinite slope meets zero partials),
    and an inf entry reaches only the directions that move it."""
    tag = new_tag()
    z = dg.Dual(np.zeros(3000), RNG.standard_normal((3000, n)), tag=tag)
    assert np.linalg.norm(z).partials.tolist() == [0.0] * n
    v = np.ones(3000)
    v[5] = np.inf
    p = np.zeros((3000, n))
    p[9, 1] = 1.0
    got = np.linalg.norm(dg.Dual(v, p, tag=tag))
    assert got.partials[0] == 0.0 and got.partials[2] == 0.0


def _jac_check(f, x, rtol=1e-6, atol=1e-7):
    np.testing.assert_allclose(dg.jacobian(f, x), numerical_jacobian(f, x),
                               rtol=rtol, atol=atol)


def test_linspace_of_scalar_ends_is_exact_at_both_ends():
    """d linspace(a, b, m)[i] = (1 - t_i) da + t_i db, t_i = i / (m - 1)."""
    tag = new_tag()
    a = dg.Dual(np.float64(0.3), RNG.standard_normal(n), tag=tag)
    b = dg.Dual(np.float64(2.5), RNG.standard_normal(n), tag=tag)
    for endpoint in (True, False):
        got = np.linspace(a, b, 3000, endpoint=endpoint)
        t = np.linspace(0.0, 1.0, 3000, endpoint=endpoint)
        np.testing.assert_array_equal(got.value, 0.3 * (1.0 - t) + 2.5 * t)
        np.testing.assert_allclose(got.partials, np.outer(1.0 - t, a.partials) +
                                   np.outer(t, b.partials), rtol=1e-14, atol=1e-15)
        if endpoint:
            assert got.partials[0].tolist() == a.partials.tolist()
            assert got.partials[-1].tolist() == b.partials.tolist()
    got = np.linspace(0.3, b, 3000)                    # one constant end
    np.testing.assert_allclose(got.partials, np.outer(np.linspace(0, 1, 3000), b.partials),
                               rtol=1e-14, atol=1e-15)
    _jac_check(lambda x: np.linspace(x[0], x[1], 700) * x[2], np.array([0.2, 1.4, 0.7]))


@pytest.mark.parametrize("use_x", [False, True])
def test_trapezoid_weights(use_x):
    """d trapezoid(y) = sum_i w_i dy_i with w = dx [1/2, 1, ..., 1, 1/2] (uneven x:
    half the distance between the neighbours)."""
    tag = new_tag()
    y = dg.Dual(RNG.standard_normal((30, 200)), RNG.standard_normal((30, 200, n)), tag=tag)
    x = np.cumsum(RNG.uniform(0.1, 1.0, 200)) if use_x else None
    got = np.trapezoid(y, x=x, dx=0.7, axis=1)
    want = np.stack([np.trapezoid(y.partials[..., k], x=x, dx=0.7, axis=1)
                     for k in range(n)], axis=-1)
    np.testing.assert_allclose(got.value, np.trapezoid(y.value, x=x, dx=0.7, axis=1))
    np.testing.assert_allclose(got.partials, want, rtol=1e-12, atol=1e-12)


def test_polyval_constant_coefficients():
    """d polyval(c, x) = polyval(polyder(c), x) dx; NaN and inf values go the general way."""
    tag = new_tag()
    v = RNG.standard_normal(3000)
    p = RNG.standard_normal((3000, n))
    got = np.polyval([2.0, -1.0, 0.5, 3.0], dg.Dual(v, p, tag=tag))
    np.testing.assert_array_equal(got.value, np.polyval([2.0, -1.0, 0.5, 3.0], v))
    np.testing.assert_allclose(got.partials, (6 * v * v - 2 * v + 0.5)[:, None] * p,
                               rtol=1e-12, atol=1e-12)
    _jac_check(lambda x: np.polyval([1, 2, 3], x), np.linspace(-1, 1, 50))


def test_full_like_triangles_and_joins_on_whole_partials():
    tag = new_tag()
    M = dg.Dual(RNG.standard_normal((80, 80)), RNG.standard_normal((80, 80, n)), tag=tag)
    f = np.full_like(M, 2.5)
    assert (f.value == 2.5).all() and not f.partials.any() and f.partials.shape == (80, 80, n)
    for func, k in ((np.tril, 0), (np.triu, 1), (np.tril, -3)):
        keep = func(np.ones((80, 80)), k)
        got = func(M, k)
        np.testing.assert_array_equal(got.partials, np.where(keep[..., None] == 1.0,
                                                             M.partials, 0.0))
    a, b = M[:, :3], M.T[::2]                       # non-contiguous partials
    for func, args in ((np.concatenate, ([a, b[:, :3]],)), (np.stack, ([a, a],)),
                       (np.column_stack, ([M[:, 0], M[:, 5]],)), (np.hstack, ([M, M],))):
        got = func(*args)
        want = func(*[[np.asarray(d.partials) for d in args[0]]])
        if func is np.column_stack:
            want = np.stack([d.partials for d in args[0]], axis=1)
        np.testing.assert_array_equal(got.partials, want)


def test_reshape_copy_true_copies():
    """np.reshape(d, shape, copy=True) is a copy, as NumPy's: a write into it leaves d
    (value and partials) as it was (it returned a view that carried the write back)."""
    tag = new_tag()
    x = dg.Dual(np.arange(6.0), np.ones((6, 2)), tag=tag)
    y = np.reshape(x, (2, 3), copy=True)
    y[0, 0] = dg.Dual(np.array([5.0]), np.zeros((1, 2)), tag=tag)[0]
    assert x.value[0] == 0.0 and x.partials[0].tolist() == [1.0, 1.0]
    assert not np.shares_memory(y.value, x.value)
    v = np.reshape(x, (3, 2))                       # the default stays a view
    assert np.shares_memory(v.value, x.value) and np.shares_memory(v.partials, x.partials)
