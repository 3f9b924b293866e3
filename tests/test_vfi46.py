"""VFI's array operations (vfi46): ``np.max`` / ``np.min`` over one axis by a flat
gather and one tie count (dualgrad/dispatch/_reductions.py ``_extreme_axis``),
``np.where`` with the condition copied per direction (backend/_propagate.py
``where``), sums of fewer than 8 elements over an inner axis by slice adds
(backend/_sums.py ``_sum_numpy``) and a broadcasting factor spread over the
directions before its product (backend/_propagate.py ``_spread``).

Oracles, computed on floats without dualgrad: the partials of the element NumPy's
argmax / argmin picks, the mean of the tied ones (rules/_table.py, TIES), the first
NaN's in a NaN slice; ``np.where(cond[..., None], P, Q)`` of the partials; every
direction summed as ``np.add.reduce`` sums its own contiguous numbers (the
convention of backend/_sums.py); the product rule ``Pa * b + a * Pb`` with a zero
partial kept 0 beside an infinite factor; bench/econ.py's VFI against 5-point central
differences.  Each on the NumPy path (``backend.use("numpy")``, where VFI runs until
numba is loaded) and the automatic one, partials small enough for the eager
engine's operations in both engines.
"""

import contextlib
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _propagate
from dualgrad.dispatch import _reductions
from dualgrad.dual import primal

PATHS = ["numpy", "auto"]


def _path(mode):
    return backend.use("numpy") if mode == "numpy" else contextlib.nullcontext()


def _linear(base, parts):
    """f(x) = base + sum_k x_k parts[k] at x = 0: value ``base`` (bit for bit: + 0.0
    products), partials ``parts`` (stacked last); the function and x0."""
    n = len(parts)

    def f(x, inner):
        a = base + x[0] * parts[0]
        for k in range(1, n):
            a = a + x[k] * parts[k]
        return inner(a)
    return f, np.zeros(n)


def _jac(f, x0, inner, mode):
    with _path(mode):
        return dg.jacobian(lambda x: np.ravel(f(x, inner)), x0)


def _extreme_oracle(v, P, ax, pick):
    """Partials of np.max / np.min over ``ax`` on floats: the picked element's, the
    mean over ties, the first NaN's in a NaN slice."""
    vm = np.moveaxis(v, ax, -1)
    Pm = np.moveaxis(P, ax, -2)
    out = np.empty(vm.shape[:-1] + (P.shape[-1],))
    for idx in np.ndindex(vm.shape[:-1]):
        row = vm[idx]
        if np.isnan(row).any():
            out[idx] = Pm[idx][int(np.flatnonzero(np.isnan(row))[0])]
            continue
        top = row.max() if pick == "max" else row.min()
        tied = np.flatnonzero(row == top)
        out[idx] = Pm[idx][tied].sum(axis=0) / len(tied)
    return out


@pytest.mark.parametrize("mode", PATHS)
@pytest.mark.parametrize("pick", ["max", "min"])
@pytest.mark.parametrize("ax", [0, 1, 2, -1])
def test_extreme_axis_against_floats(mode, pick, ax):
    rng = np.random.default_rng(46)
    base = rng.standard_normal((6, 5, 7))
    base[0, 0, :3] = 9.0 if pick == "max" else -9.0          # a tie along axis 2
    base[:3, 1, 0] = 9.0 if pick == "max" else -9.0          # along axis 0
    base[2, :, 3] = base[2, 0, 3]                            # a whole slice tied (axis 1)
    base[4, 2, 5] = np.nan                                   # a NaN wins its slices
    base[3, 3, :] = -np.inf if pick == "max" else np.inf     # a slice of one infinity
    base[5, 4, 1], base[5, 4, 2] = 0.0, -0.0                 # signed zeros tie
    parts = [rng.standard_normal(base.shape) for _ in range(3)]
    P = np.stack(parts, -1)
    func = np.max if pick == "max" else np.min
    f, x0 = _linear(base, parts)
    J = _jac(f, x0, lambda a: func(a, axis=ax), mode)
    oracle = _extreme_oracle(base, P, ax % 3, pick)
    np.testing.assert_allclose(J, oracle.reshape(-1, 3), rtol=1e-15, atol=1e-15)
    untied = np.ones(oracle.shape[:-1], bool)
    vm = np.moveaxis(base, ax % 3, -1)
    top = func(vm, axis=-1, keepdims=True)
    untied &= np.sum(vm == top, axis=-1) <= 1
    assert np.array_equal(J.reshape(oracle.shape)[untied], oracle[untied])  # exact


@pytest.mark.parametrize("mode", PATHS)
def test_extreme_axis_values_and_keepdims(mode):
    rng = np.random.default_rng(7)
    base = rng.standard_normal((4, 6, 5))
    base[1, 2, :] = np.nan
    parts = [rng.standard_normal(base.shape) for _ in range(2)]
    seen = {}

    def inner(a):
        seen["max"] = np.max(a, axis=1, keepdims=True)
        seen["amin"] = np.amin(a, axis=-1)
        seen["method"] = a.max(axis=(0,))
        return seen["max"]
    f, x0 = _linear(base, parts)
    with _path(mode):
        dg.jacobian(lambda x: np.ravel(f(x, inner)), x0)
    for key, want in (("max", np.max(base, axis=1, keepdims=True)),
                      ("amin", np.amin(base, axis=-1)), ("method", base.max(axis=0))):
        got = primal(seen[key])
        assert got.shape == want.shape
        assert np.array_equal(got, want, equal_nan=True)
        assert np.array_equal(np.signbit(got), np.signbit(want))


def test_extreme_axis_one_dimension_and_scalar_result():
    x0 = np.array([0.3, -1.0, 0.3, 0.1])
    # max over axis 0 of a 1-D value: a tie between x0 and x2 (the mean of their unit rows)
    g = dg.gradient(lambda x: np.max(x * np.array([1.0, 1.0, 1.0, 1.0]), axis=0), x0)
    assert np.array_equal(g, [0.5, 0.0, 0.5, 0.0])
    g = dg.gradient(lambda x: np.min(x, axis=-1), x0)
    assert np.array_equal(g, [0.0, 1.0, 0.0, 0.0])


def test_extreme_axis_nested_hessian():
    """Nested duals take the general lines: the Hessian of sum(max(x x^T w, axis=1))
    against the Hessian of the picked quadratic form written out."""
    w = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 4.0], [2.0, 0.1, 0.2]])
    x0 = np.array([0.7, -0.4, 1.3])

    def f(x):
        return np.sum(np.max(np.outer(x, x) * w, axis=1))
    M = np.outer(x0, x0) * w
    j = np.argmax(M, axis=1)
    H = np.zeros((3, 3))
    for i in range(3):              # d2/dx2 of w_ij x_i x_j
        E = np.zeros((3, 3))
        E[i, j[i]] += w[i, j[i]]
        H += E + E.T
    assert np.allclose(dg.hessian(f, x0), H, rtol=0, atol=1e-14)


def test_extreme_axis_taken():
    """The flat gather answers the common case itself (fails on main: no such path)."""
    seen = {}

    def f(x):
        a = x[0] * np.arange(24.0).reshape(2, 3, 4) + x[1]
        seen["r"] = _reductions._extreme_axis(a, 1, np.argmax, "max")
        return np.sum(a)
    dg.gradient(f, np.array([1.0, 2.0]))
    assert seen["r"] is not None
    assert np.array_equal(primal(seen["r"]), np.max(np.arange(24.0).reshape(2, 3, 4) +
                                                       2.0, axis=1))


@pytest.mark.parametrize("mode", PATHS)
@pytest.mark.parametrize("n", [2, 3, 8, 9])
@pytest.mark.parametrize("branch", ["-inf", "left", "plain", "both"])
def test_where_against_floats(mode, n, branch):
    rng = np.random.default_rng(n)
    shape = (10, 5, 7)
    c = rng.standard_normal(shape)
    cond = c > 0
    base_a, base_b = rng.standard_normal(shape), rng.standard_normal(shape)
    pa = [rng.standard_normal(shape) for _ in range(n)]
    pb = [rng.standard_normal(shape) for _ in range(n)]
    pa[0][0, 0, :] = np.nan                    # NaN and inf partials kept
    pa[1][2, 1, :] = np.inf
    plain = rng.standard_normal(shape)

    def f(x):
        a = base_a + x[0] * pa[0]
        b = base_b + x[0] * pb[0]
        for k in range(1, n):
            a = a + x[k] * pa[k]
            b = b + x[k] * pb[k]
        if branch == "-inf":
            r = np.where(cond, a, -np.inf)
        elif branch == "left":
            r = np.where(cond, 2.5, a)
        elif branch == "plain":
            r = np.where(cond, plain, b)
        else:
            r = np.where(cond, a, b)
        return np.ravel(r)
    with _path(mode):
        J = dg.jacobian(f, np.zeros(n))
    Pa, Pb = np.stack(pa, -1), np.stack(pb, -1)
    want = {"-inf": np.where(cond[..., None], Pa, 0.0),
            "left": np.where(cond[..., None], 0.0, Pa),
            "plain": np.where(cond[..., None], 0.0, Pb),
            "both": np.where(cond[..., None], Pa, Pb)}[branch].reshape(-1, n)
    assert np.array_equal(J, want, equal_nan=True)


def test_where_mask_path_direct():
    """backend.where's NumPy lines against np.where on floats (the kernel off): the
    mask path for 2..8 directions, numbers on either side, and the broadcasting lines."""
    rng = np.random.default_rng(3)
    cond = rng.standard_normal((4, 3, 5)) > 0
    for n in (1, 2, 4, 8, 9):
        p = rng.standard_normal((4, 3, 5, n))
        q = rng.standard_normal((4, 3, 5, n))
        with backend.use("numpy"):
            for a, b in ((p, 0.0), (0.0, q), (p, q)):
                got = _propagate.where(cond, a, b, (4, 3, 5, n))
                want = np.broadcast_to(np.where(cond[..., None], a, b), (4, 3, 5, n))
                assert np.array_equal(got, want)
            row = q[:1]                              # a broadcasting branch: old lines
            got = _propagate.where(cond, p, row, (4, 3, 5, n))
            assert np.array_equal(got, np.where(cond[..., None], p, row))


def _direction_sums(P, ax):
    """Each direction of P summed over the value axis ``ax`` as np.add.reduce sums its
    own contiguous numbers."""
    Pm = np.moveaxis(P, (ax, P.ndim - 1), (-1, 0))
    return np.moveaxis(np.stack([np.add.reduce(np.ascontiguousarray(Pm[k]), axis=-1)
                                 for k in range(P.shape[-1])]), 0, -1)


@pytest.mark.parametrize("mode", PATHS)
@pytest.mark.parametrize("length", [2, 3, 5, 7, 8])
@pytest.mark.parametrize("ax", [0, 1, 2])
def test_short_sums_against_direction_sums(mode, length, ax):
    rng = np.random.default_rng(length * 10 + ax)
    shape = [4, 6, 3]
    shape[ax] = length
    shape = tuple(shape)
    n = 3
    parts = [rng.standard_normal(shape) for _ in range(n)]
    sl = [slice(None)] * 3
    sl[ax] = 0
    parts[0][tuple(sl)] = 1e16                  # the order of the adds shows
    sl[ax] = 1
    parts[0][tuple(sl)] = 1.0
    parts[1][...] = -0.0                        # all -0.0: the sum is -0.0
    parts[2][0, 0, 0] = np.inf
    parts[2][1, 1, 1] = np.nan
    base = rng.standard_normal(shape)
    f, x0 = _linear(base, parts)
    J = _jac(f, x0, lambda a: np.sum(a, axis=ax), mode)
    want = _direction_sums(np.stack(parts, -1), ax).reshape(-1, n)
    assert np.array_equal(J, want, equal_nan=True)
    real = ~np.isnan(want)
    assert np.array_equal(np.signbit(J[real]), np.signbit(want[real]))


@pytest.mark.parametrize("mode", PATHS)
def test_broadcast_product_against_product_rule(mode):
    """VFI's v * Q: (1, 1, 6, 5) by (1, 4, 1, 5), n = 3; an infinite value beside a zero
    partial keeps the partial 0 (the zero rule), NaN values propagate."""
    rng = np.random.default_rng(11)
    va, vb = rng.standard_normal((1, 1, 6, 5)), rng.standard_normal((1, 4, 1, 5))
    pa = [rng.standard_normal(va.shape) for _ in range(3)]
    pb = [rng.standard_normal(vb.shape) for _ in range(3)]
    va[0, 0, 2, 1] = np.inf
    for p in pb:
        p[0, :, 0, 1] = 0.0                    # zero partials of b where a is inf
    vb[0, 2, 0, 3] = np.nan

    def f(x):
        a, b = va + x[0] * pa[0], vb + x[0] * pb[0]
        for k in (1, 2):
            a, b = a + x[k] * pa[k], b + x[k] * pb[k]
        return np.ravel(a * b)
    with _path(mode), np.errstate(invalid="ignore"):
        J = dg.jacobian(f, np.zeros(3))
    Pa, Pb = np.stack(pa, -1), np.stack(pb, -1)
    with np.errstate(invalid="ignore"):
        t1 = vb[..., None] * Pa
        t2 = np.where(Pb == 0.0, 0.0, va[..., None] * Pb)
        want = (t1 + t2).reshape(-1, 3)
    assert np.array_equal(J, want, equal_nan=True)


def test_spread_taken():
    """The factor is spread where it broadcasts (fails on main: no such path)."""
    p = np.ones((1, 1, 6, 5, 3))
    assert _propagate._spread(np.ones((1, 4, 1, 5)), p)
    assert not _propagate._spread(np.ones((1, 1, 6, 5)), p)     # the partials' own shape
    assert not _propagate._spread(np.ones((1, 4, 1, 5)), np.ones((1, 1, 6, 5, 9)))


def _central(f, x, h=1e-5):
    cols = []
    for k in range(len(x)):
        e = np.zeros_like(x)
        e[k] = h
        cols.append((-f(x + 2 * e) + 8 * f(x + e) - 8 * f(x - e) + f(x - 2 * e)) / (12 * h))
    return np.stack(cols, -1)


@pytest.mark.parametrize("mode", PATHS)
def test_vfi_against_central_differences(mode):
    path = list(sys.path)       # (put back whole: bench's own import inserts its folder
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    environ = dict(os.environ)  # again, and pop(0) left that copy: tests/_state.py)
    try:
        import econ
    finally:
        sys.path[:] = path
        # bench/_common sets NUMBA_NUM_THREADS (and BLAS's) for its timings: numba then
        # refuses its next compile in this process once its threads run (a later test's
        # RuntimeError in CI), so the environment goes back as it was
        os.environ.clear()
        os.environ.update(environ)
    import scipy.stats as ss
    from dualgrad.scipy import stats
    th = np.array([0.96, 0.9, 0.1])
    with _path(mode):
        J = dg.jacobian(lambda t: econ._vfi(np, t, stats.norm.cdf, iters=5), th)
    # (5 iterations: by 20 an argmax switches within 2h of theta, a kink the
    # differences straddle)
    oracle = _central(lambda t: econ._vfi(np, t, ss.norm.cdf, iters=5), th)
    assert np.abs(J - oracle).max() <= 1e-9 * np.abs(oracle).max()


@pytest.mark.parametrize("mode", PATHS)
def test_views(mode):
    """Transposed and strided views (values and partials not C-contiguous) take the
    same elements as on floats."""
    rng = np.random.default_rng(5)
    base = rng.standard_normal((6, 4, 5))
    parts = [rng.standard_normal(base.shape) for _ in range(3)]
    P = np.stack(parts, -1)
    f, x0 = _linear(base, parts)

    def views(a):
        t = np.transpose(a, (2, 0, 1))[:, ::2]              # (5, 3, 4), strided
        return np.concatenate([np.ravel(np.max(t, axis=1)), np.ravel(np.min(t, axis=0)),
                               np.ravel(np.sum(t, axis=1))])
    J = _jac(f, x0, views, mode)
    tv, tP = np.transpose(base, (2, 0, 1))[:, ::2], np.transpose(P, (2, 0, 1, 3))[:, ::2]
    want = np.concatenate([_extreme_oracle(tv, tP, 1, "max").reshape(-1, 3),
                           _extreme_oracle(tv, tP, 0, "min").reshape(-1, 3),
                           _direction_sums(tP, 1).reshape(-1, 3)])
    assert np.array_equal(J, want)
