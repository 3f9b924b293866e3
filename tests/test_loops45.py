"""Scalar loops (loops45): ``np.interp`` of one point on moving knots taken before
dispatch lifts the point (dualgrad/dispatch/_functions.py ``_interp_point``), columns
``W[:, k]`` of array duals on the slice path, the snapshot check of a store skipped for
memory no snapshot covers, and ``__array_ufunc__``'s operator functions for a NumPy
scalar beside a scalar dual (``y[t] - d``).

Oracles: the interpolation's derivative written out by the quotient rule on floats
(independent of dualgrad), QuantEcon's EGM step against central differences of the
plain-float step (5-point, h = 1e-5), closed forms for the operators; and the fast
path's results bit for bit against the general path's (``left=None`` named sends the
call there), Hessians through it against central differences of the closed-form
gradient.  Both engines, nested duals, NaN and the ends, other tags, threads.
"""

import concurrent.futures

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import errors
from dualgrad.backend import _fused

S = np.linspace(0.0, 16.0, 20)


def _knots(t):
    """Knots and values moving with the parameters t = (r, beta, gamma)."""
    xp = S * (1.0 + 0.1 * t[0]) + t[1] * np.sqrt(S + 1.0)
    fp = np.sin(S) * t[2] + t[0] * S
    return xp, fp


def _point(t):
    return 3.0 + 2.0 * t[0] * t[1] + t[2]


def _interp_closed_form(t):
    """d/dt of np.interp(x(t), xp(t), fp(t)) inside the knots, by the quotient rule."""
    xp, fp = _knots(t)
    x = _point(t)
    i = int(np.searchsorted(xp, x, side="right")) - 1
    i = min(max(i, 0), len(xp) - 2)
    dxp = np.stack([0.1 * S, np.sqrt(S + 1.0), np.zeros_like(S)], -1)
    dfp = np.stack([S, np.zeros_like(S), np.sin(S)], -1)
    dx = np.array([2.0 * t[1], 2.0 * t[0], 1.0])
    a0, a1, f0, f1 = xp[i], xp[i + 1], fp[i], fp[i + 1]
    s = (x - a0) / (a1 - a0)
    ds = ((dx - dxp[i]) * (a1 - a0) - (x - a0) * (dxp[i + 1] - dxp[i])) / (a1 - a0) ** 2
    return dfp[i] + (dfp[i + 1] - dfp[i]) * s + (f1 - f0) * ds


def _f(t, **kw):
    xp, fp = _knots(t)
    return np.interp(_point(t), xp, fp, **kw)


T0 = np.array([0.01, 0.96, 1.5])


@pytest.mark.parametrize("engine", ["fused", "eager"])
def test_one_point_on_moving_knots_matches_the_quotient_rule(engine):
    with _fused.engine(engine):
        g = dg.gradient(_f, T0)
    np.testing.assert_allclose(g, _interp_closed_form(T0), rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("engine", ["fused", "eager"])
@pytest.mark.parametrize("t", [T0, np.array([0.3, 0.2, -1.0]), np.array([-0.2, 2.0, 0.5])])
def test_the_fast_path_gives_the_general_paths_bits(engine, t):
    """left=None named takes the general path (kwargs): value and partials alike."""
    with _fused.engine(engine):
        v1, g1 = dg.value_and_grad(_f)(t)
        v2, g2 = dg.value_and_grad(lambda s: _f(s, left=None))(t)
    assert float(v1) == float(v2) == float(np.interp(_point(t), *_knots(t)))
    assert np.array_equal(g1, g2)
    assert np.all(np.isfinite(g1))


def test_the_value_is_numpys():
    def f(t):
        y = _f(t)
        assert type(y).__name__.startswith("ScalarDual")
        assert y.value == np.interp(_point(T0), *_knots(T0))
        assert type(y.value) is float
        return y
    dg.gradient(f, T0)


@pytest.mark.parametrize("engine", ["fused", "eager"])
def test_a_float_point_on_moving_knots(engine):
    def f(t):
        xp, fp = _knots(t)
        return np.interp(7.25, xp, fp)
    with _fused.engine(engine):
        g = dg.gradient(f, T0)
    xp, fp = _knots(T0)
    h = 1e-6
    fd = [(np.interp(7.25, *_knots(T0 + h * e)) - np.interp(7.25, *_knots(T0 - h * e))) / (2 * h)
          for e in np.eye(3)]
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("engine", ["fused", "eager"])
def test_points_at_the_knots_and_ends_and_outside(engine):
    """At a knot the segment to the right (NumPy's searchsorted side), at the last knot
    the last segment, outside the ends fp's end values (no knot's slope), NaN a NaN."""
    def at(x_of):
        def f(t):
            xp, fp = _knots(t)
            return np.interp(x_of(t, xp), xp, fp)
        return f
    with _fused.engine(engine):
        for k in (0, 5, 19):
            # x moving with the knot k: the value is fp[k] (exactly, on the segment)
            g = dg.gradient(at(lambda t, xp, k=k: xp[k] * 1.0), T0)
            fpk = np.array([S[k], 0.0, np.sin(S[k])])
            np.testing.assert_allclose(g, fpk, rtol=1e-12, atol=1e-12)
        g = dg.gradient(at(lambda t, xp: xp[19] + 1.0 + 0.0 * t[0]), T0)     # right of all
        np.testing.assert_allclose(g, [S[19], 0.0, np.sin(S[19])], rtol=1e-12)
        g = dg.gradient(at(lambda t, xp: xp[0] - 1.0 + t[0]), T0)            # left of all
        np.testing.assert_allclose(g, [S[0], 0.0, np.sin(S[0])], atol=1e-15)
        v, g = dg.value_and_grad(at(lambda t, xp: t[0] * np.nan))(T0)
        assert np.isnan(float(v))
        assert np.isnan(g).any()


@pytest.mark.parametrize("engine", ["fused", "eager"])
def test_hessian_through_one_point(engine):
    """Nested duals take the general path: the Hessian against central differences of
    the closed-form gradient."""
    with _fused.engine(engine):
        H = dg.hessian(_f, T0)
    h = 1e-6
    fd = np.stack([(_interp_closed_form(T0 + h * e) - _interp_closed_form(T0 - h * e)) / (2 * h)
                   for e in np.eye(3)], -1)
    np.testing.assert_allclose(H, fd, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-13)


def test_knots_of_another_call_stay_constant():
    """An inner call's point on an outer call's knots: the knots are constants of the
    inner call (the general path's tag rule), the inner derivative x's slope alone."""
    def outer(t):
        xp, fp = _knots(t)

        def inner(u):
            return np.interp(u[0] * 1.0, xp, fp)
        return dg.gradient(inner, np.array([_point(T0)]))[0]
    g = dg.gradient(outer, T0)
    h = 1e-6

    def slope(t):
        xp, fp = _knots(t)
        x = _point(T0)
        i = min(max(int(np.searchsorted(xp, x, side="right")) - 1, 0), len(xp) - 2)
        return (fp[i + 1] - fp[i]) / (xp[i + 1] - xp[i])
    fd = [(slope(T0 + h * e) - slope(T0 - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)


def test_seventeen_directions_take_the_vector_kind():
    """n > 16: the vector kind's point goes the general path, the same numbers."""
    def f(t):
        xp = S * (1.0 + 0.01 * np.sum(t)) + t[0]
        fp = np.cos(S) * t[1]
        return np.interp(5.0 + t[2], xp, fp)
    t = np.linspace(0.1, 0.9, 17)
    g = dg.gradient(f, t)
    g3 = dg.gradient(lambda u: f(np.concatenate([u, t[3:]])), t[:3])
    np.testing.assert_allclose(g[:3], g3, rtol=1e-14, atol=1e-16)


def test_an_egm_step_against_central_differences():
    """QuantEcon's K_numpy (lectures/ifp_egm.md, bench/econ.py) for 3 iterations on 8
    grid points: a point on moving knots in every inner step."""
    def egm(theta, iters=3, size=8):
        r, beta, gamma = theta
        R = 1 + r
        s = np.linspace(0, 16, size)
        Pi = np.array(((0.6, 0.4), (0.05, 0.95)))
        z_grid = np.array((-10.0, np.log(2.0)))
        c_vals = s[:, None] * np.ones(2)
        ae_vals = c_vals
        for _ in range(iters):
            new_c_vals = np.zeros_like(beta, shape=c_vals.shape)
            for i in range(1, size):
                for j in range(2):
                    expectation = 0.0
                    for k in range(2):
                        next_c = np.interp(R * s[i] + np.exp(z_grid[k]), ae_vals[:, k],
                                           c_vals[:, k])
                        expectation += next_c ** (-gamma) * Pi[j, k]
                    new_c_vals[i, j] = (beta * R * expectation) ** (-1 / gamma)
            c_vals, ae_vals = new_c_vals, new_c_vals + s[:, None]
        return c_vals[1:, 1]
    J = dg.jacobian(egm, T0)
    h = 1e-5
    cols = []
    for e in np.eye(3):
        f = [egm(T0 + k * h * e) for k in (-2, -1, 1, 2)]
        cols.append((f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h))
    np.testing.assert_allclose(J, np.stack(cols, -1), rtol=1e-7, atol=1e-9)


def test_points_from_threads():
    def one(seed):
        t = T0 + 0.01 * seed
        return dg.gradient(_f, t), _interp_closed_form(t)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for g, want in pool.map(one, range(8)):
            np.testing.assert_allclose(g, want, rtol=1e-13, atol=1e-14)


# ---- columns on the slice path --------------------------------------------------------

@pytest.mark.parametrize("engine", ["fused", "eager"])
def test_columns_and_rows_of_a_2d_dual(engine):
    """W[:, k], W[1:4, 0], W[2, :], W[:, -1] (basic tuples): d/dt of sum(t_j * A[idx])."""
    A = np.arange(24.0).reshape(6, 4)

    def parts(t):
        W = A * t[0] + A ** 2 * t[1]
        return np.concatenate([W[:, 1], W[1:4, 0], W[2, :], W[:, -1], W[::2, 1:3].ravel()])
    with _fused.engine(engine):
        J = dg.jacobian(parts, np.array([0.5, 2.0]))
    idx = [(slice(None), 1), (slice(1, 4), 0), (2, slice(None)), (slice(None), -1),
           (slice(None, None, 2), slice(1, 3))]
    want = np.concatenate([np.stack([A[i].ravel(), (A ** 2)[i].ravel()], -1) for i in idx])
    np.testing.assert_array_equal(J, want)


@pytest.mark.parametrize("engine", ["fused", "eager"])
def test_a_column_is_a_view_written_through(engine):
    """A store into W[:, 1] reaches W (value and partials), as for floats."""
    def f(t):
        W = np.zeros_like(t, shape=(3, 2)) + t[0]
        col = W[:, 1]
        col[2] = t[1] ** 2
        return W[2, 1] + 10.0 * W[2, 0]
    with _fused.engine(engine):
        g = dg.gradient(f, np.array([0.5, 3.0]))
    np.testing.assert_array_equal(g, [10.0, 6.0])


def test_an_index_past_the_axes_is_numpys_error():
    def f(t):
        W = np.outer(t, t)
        with pytest.raises(IndexError):
            W[:, 0, 1]
        with pytest.raises(IndexError):
            W[:, 5]
        return W[0, 0]
    dg.gradient(f, np.array([1.0, 2.0]))


def test_columns_of_nested_and_complex_duals():
    A = np.arange(6.0).reshape(3, 2)
    H = dg.hessian(lambda t: np.sum(((A * t[0] * t[1])[:, 1]) ** 2), np.array([0.5, 2.0]))
    c = np.sum(A[:, 1] ** 2)         # f = c t0^2 t1^2
    np.testing.assert_allclose(H, [[2 * c * 4.0, 4 * c * 1.0], [4 * c * 1.0, 2 * c * 0.25]],
                               rtol=1e-14)
    g = dg.gradient(lambda t: np.abs(np.sum(((A + 1j) * t[0])[:, 0])) ** 2,
                    np.array([0.5]))
    z = np.sum(A[:, 0] + 1j)
    np.testing.assert_allclose(g, [2 * 0.5 * abs(z) ** 2], rtol=1e-14)


# ---- the snapshot check of a store ----------------------------------------------------

@pytest.mark.parametrize("engine", ["fused", "eager"])
def test_a_store_while_another_arrays_snapshot_lives(engine):
    """np.asarray(theta) lives (a snapshot of theta's memory): a store into a buffer of
    other memory goes on, exactly; a store into theta itself is still refused."""
    def f(t, into_t=False):
        v = np.asarray(t)
        buf = np.zeros_like(t, shape=4)
        for k in range(4):
            buf[k] = v[0] * k + v[1] ** 2
        if into_t:
            t[0] = 1.0
        return np.sum(buf) + 0.0 * v[0]
    with _fused.engine(engine):
        g = dg.gradient(f, np.array([0.5, 3.0]))
        with pytest.raises(TypeError, match="np.asarray"):
            dg.gradient(lambda t: f(t, True), np.array([0.5, 3.0]))
    np.testing.assert_array_equal(g, [6.0, 24.0])


@pytest.mark.parametrize("where, refused", [(2, True), (1, True), (0, False)])
def test_a_store_into_the_snapshotted_bytes_is_refused(where, refused):
    """A snapshot of w[1:]: a store into w[1] or w[2] is refused, into w[0] allowed."""
    def f(t):
        w = t * 1.0
        snap = np.asarray(w[1:])
        w[where] = t[1]
        return w[0] + 0.0 * snap[0]
    if refused:
        with pytest.raises(TypeError, match="np.asarray"):
            dg.gradient(f, np.array([0.5, 3.0, 1.0]))
    else:
        g = dg.gradient(f, np.array([0.5, 3.0, 1.0]))
        np.testing.assert_array_equal(g, [0.0, 1.0, 0.0])


# ---- NumPy scalars beside a scalar dual -------------------------------------------------

@pytest.mark.parametrize("spell, value, grad", [
    (lambda y, d: y - d, 2.0 - 0.75, -1.0),
    (lambda y, d: y + d, 2.75, 1.0),
    (lambda y, d: y * d, 1.5, 2.0),
    (lambda y, d: y / d, 2.0 / 0.75, -2.0 / 0.75 ** 2),
    (lambda y, d: d - y, -1.25, 1.0),
    (lambda y, d: d / y, 0.375, 0.5),
    (lambda y, d: np.subtract(y, d), 1.25, -1.0),
    (lambda y, d: np.multiply(d, y), 1.5, 2.0),
])
def test_numpy_float_beside_a_scalar_dual(spell, value, grad):
    y = np.linspace(0.0, 4.0, 5)[2]          # np.float64(2.0), y[t] of a data array

    def f(t):
        r = spell(y, t[0] * 1.0)
        assert type(r).__name__.startswith("ScalarDual")
        return r
    v, g = dg.value_and_grad(f)(np.array([0.75]))
    assert float(v) == value
    np.testing.assert_allclose(g, [grad], rtol=1e-15)


def test_numpy_float_beside_an_unread_element():
    y = np.float64(2.0)

    def f(t):
        e = np.asarray(t)[0]                # np.asarray's unread twin
        return (y - e) * (e * y)
    g = dg.gradient(f, np.array([0.75, 0.5]))
    np.testing.assert_allclose(g, [2.0 * (2.0 - 2 * 0.75) * 1.0, 0.0], rtol=1e-15)


def test_numpy_float_beside_a_complex_dual():
    y = np.float64(2.0)

    def f(t):
        z = t[1] * (1.0 + 1.0j)             # a complex scalar dual
        return np.real((y - z) * (z * y))   # 2 (2 - z) z: real part 4 t - 0 (z^2 = 2i t^2)
    g = dg.gradient(f, np.array([0.75, 0.5]))
    np.testing.assert_allclose(g, [0.0, 4.0], rtol=1e-15)


def test_an_escaped_dual_beside_a_numpy_float_stays_escaped():
    """Operators do not test the tag (their speed); the result keeps the dead tag, so
    reading its partials raises, as for d - 2.0."""
    kept = []
    dg.gradient(lambda t: kept.append(t[0] * 1.0) or t[0], np.array([1.0]))
    r = np.float64(2.0) - kept[0]
    assert "escaped" in repr(r)
    with pytest.raises(TypeError):
        r.partials


def test_the_point_takes_the_fast_path(monkeypatch):
    """One point inside moving knots never reaches the general implementation; a named
    left= does (the bits test above compares the two)."""
    from dualgrad.dispatch import _functions
    calls = []
    general = _functions._interp_moving_knots
    monkeypatch.setattr(_functions, "_interp_moving_knots",
                        lambda *a: calls.append(1) or general(*a))
    dg.gradient(_f, T0)
    assert calls == []
    dg.gradient(lambda t: _f(t, left=None), T0)
    assert calls == [1]


# ---- VFI's array steps: np.where with a constant branch, np.max over an axis -----------

@pytest.mark.parametrize("engine", ["fused", "eager"])
@pytest.mark.parametrize("const", [-np.inf, 2.0, 0, np.full((4, 3), -1.5), np.float64(7.0)])
def test_where_with_a_constant_branch(engine, const):
    """np.where(c, d, k) / np.where(c, k, d): d's partials where d is picked, +0.0 where
    the constant is (d = t0 * A + t1 * A**2, so d's partials are A and A**2)."""
    A = np.arange(12.0).reshape(4, 3) - 5.0
    cond = A > 0

    def f(t, swap):
        d = A * t[0] + A ** 2 * t[1]
        return np.where(~cond, const, d) if swap else np.where(cond, d, const)
    with _fused.engine(engine):
        for swap in (False, True):
            J = dg.jacobian(lambda t: f(t, swap).ravel(), np.array([0.5, 2.0]))
            want = np.where(cond.ravel()[:, None], np.stack([A.ravel(), (A ** 2).ravel()], -1),
                            0.0)
            np.testing.assert_array_equal(J, want)
            assert not np.signbit(J).any()          # +0.0 where the constant is


def test_where_with_a_constant_branch_nested_and_complex():
    A = np.linspace(-1.0, 1.0, 5)
    H = dg.hessian(lambda t: np.sum(np.where(A > 0, (t[0] * t[1]) ** 2 * A, -np.inf)[A > 0]),
                   np.array([0.5, 2.0]))
    s = np.sum(A[A > 0])                  # f = s t0^2 t1^2
    np.testing.assert_allclose(H, [[2 * s * 4.0, 4 * s * 1.0], [4 * s * 1.0, 2 * s * 0.25]],
                               rtol=1e-14)
    g = dg.gradient(lambda t: np.sum(np.abs(np.where(A > 0, (1 + 1j) * t[0] * A, 3.0j)) ** 2),
                    np.array([0.5]))
    np.testing.assert_allclose(g, [2 * 2 * 0.5 * np.sum(A[A > 0] ** 2)], rtol=1e-14)


@pytest.mark.parametrize("engine", ["fused", "eager"])
@pytest.mark.parametrize("axis", [0, 1, 2, (0, 2), None])
def test_max_over_axes_with_ties_and_nan(engine, axis):
    """np.max / np.min of a (3, 4, 5) dual over axes: the picked element's partials, the
    mean of the tied ones' (ties in the values, partials apart), NaN slices the first
    NaN's; closed form from the plain values."""
    rng = np.random.default_rng(7)
    V = np.round(rng.standard_normal((3, 4, 5)), 0)     # many ties
    V[1, 2, 3] = np.nan
    P = rng.standard_normal((3, 4, 5))                  # d = V + t * P

    def want(name):
        pick = getattr(np, "nan" + name)(V, axis=axis, keepdims=True)
        nan = np.isnan(np.max(V, axis=axis, keepdims=True))
        tied = (V == pick) & ~nan
        first_nan = np.zeros_like(V, bool)
        if axis is None:
            first_nan.flat[np.flatnonzero(np.isnan(V))[:1]] = True
        else:
            first_nan = np.isnan(V) & nan
        w = np.where(nan, first_nan, tied)
        return np.sum(np.where(w, P, 0.0), axis=axis) / np.sum(w, axis=axis)
    for name in ("max", "min"):
        with _fused.engine(engine):
            g = dg.jacobian(lambda t: np.ravel(getattr(np, name)(V + t[0] * P, axis=axis)),
                            np.array([0.0]))
        np.testing.assert_allclose(g[:, 0], np.ravel(want(name)), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("mode", ["numba", "numpy"])
@pytest.mark.parametrize("engine", ["fused", "eager"])
def test_where_with_a_constant_branch_through_the_kernels(mode, engine):
    """VFI's shape, (30, 5, 30) with 3 directions, the kernels forced on and off: the
    picked partials exactly, +0.0 at the constant (-inf) on either side."""
    from dualgrad.backend import _kernels
    rng = np.random.default_rng(3)
    A, B, C = (rng.standard_normal((30, 5, 30)) for _ in range(3))
    cond = A > 0

    def f(t, swap):
        d = A * t[0] + B * t[1] + C * t[2]
        return (np.where(~cond, -np.inf, d) if swap else np.where(cond, d, -np.inf)).ravel()
    want = np.where(cond.ravel()[:, None], np.stack([A.ravel(), B.ravel(), C.ravel()], -1), 0.0)
    with _kernels.use(mode), _fused.engine(engine):
        for swap in (False, True):
            J = dg.jacobian(lambda t: f(t, swap), np.array([0.5, -1.0, 2.0]))
            np.testing.assert_array_equal(J, want)
            assert not np.signbit(J[~cond.ravel()]).any()
