"""Dense Hessians at n = 50-500 (issue 13, hess44): the upper triangle.

``dg.hessian``'s outer chunk k (directions s_k to s_k + w_k - 1) seeds the inner
gradient's directions s_k onwards only and takes the rows above its block from the
earlier chunks by symmetry; ``chunk=None`` splits more than 48 inputs into outer chunks
of about n / 8.  A nested scalar dual with more than 16 partials keeps its array dual
of partials (``dual._array.make``) instead of splitting it into scalar duals and
joining them back (scipy's rosen on an object array).

Oracles, none from dualgrad's output: Rosenbrock's closed form
(``scipy.optimize.rosen_hess``), the logistic regression's ``A' diag(s (1 - s)) A +
I``, closed-form Hessians of polynomials and their derivatives in an outer parameter,
``d2/dz2`` of ``exp(z)`` (holomorphic).  The triangle against one chunk (and against
the 1 x 1 chunks) at ties of ``np.maximum`` and at a NaN entry: the same numbers.
"""

import concurrent.futures
import warnings

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_hess

import dualgrad as dg

ENGINES = ["eager", "fused"]


def _rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0)


def _logit_case(n, seed=44):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((200, n)) / np.sqrt(n)
    y = (rng.random(200) < 0.5).astype(float)

    def nll(w):
        z = A @ w
        return np.sum(np.logaddexp(0.0, z)) - y @ z + 0.5 * (w @ w)
    x = np.linspace(-1.0, 1.0, n)
    s = 1.0 / (1.0 + np.exp(-(A @ x)))
    return nll, x, A.T @ ((s * (1 - s))[:, None] * A) + np.eye(n)


def _close(H, want, rtol=1e-13):
    assert H.shape == want.shape
    assert np.max(np.abs(H - want)) <= rtol * np.max(np.abs(want))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("chunk", [None, 1, 3, 7, 16, 37])
@pytest.mark.engine_independent
def test_rosen_triangle(engine, chunk):
    x = np.linspace(-1.2, 1.2, 37)
    with dg.engine(engine), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # x ** 2.0 at x = 0 (main's)
        H = dg.hessian(_rosen, x, chunk=chunk)
    _close(H, rosen_hess(x))
    assert np.array_equal(H, H.T)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("n", [60, 130])
@pytest.mark.engine_independent
def test_logistic_default_chunks(engine, n):
    """Past 48 inputs chunk=None takes several outer chunks (the triangle)."""
    f, x, want = _logit_case(n)
    with dg.engine(engine):
        H = dg.hessian(f, x)
    _close(H, want, 1e-12)
    assert np.array_equal(H, H.T)


def test_scipy_rosen_object_array():
    """scipy's rosen makes an object array of nested scalar duals with more than 16
    partials: their partials stay one array dual (dual._array.make)."""
    x = np.linspace(-1.2, 1.2, 40)
    _close(dg.hessian(rosen, x, chunk=20), rosen_hess(x))
    _close(dg.hessian(rosen, x), rosen_hess(x))


def test_triangle_passes():
    """Outer chunk k evaluates f on the inner directions s_k onwards only: 4 outer
    chunks of 3 at n = 12 make 4 + 3 + 2 + 1 passes of f, not 4 x 4."""
    calls = []

    def f(x):
        calls.append(1)
        return np.sum(x ** 3) + x[0] * x[-1]
    x = np.linspace(0.5, 2.0, 12)
    H = dg.hessian(f, x, chunk=3)
    want = np.diag(6.0 * x)
    want[0, -1] = want[-1, 0] = 1.0
    _close(H, want)
    assert len(calls) == 10


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("chunk", [1, 2, 5])
@pytest.mark.engine_independent
def test_ties_same_as_one_chunk(engine, chunk):
    """Ties the second order decides (tie42/tie43): the triangle's chunks give the
    Hessian of one chunk, and max(x**2, y**2) at x = y its analytic mean."""
    def f(v):
        return np.sum(np.maximum(v[:-1] ** 2, v[1:] ** 2)) + np.maximum(v[0] ** 2, v[1] ** 2)
    x = np.full(9, 0.7)
    with dg.engine(engine):
        one = dg.hessian(f, x, chunk=9)
        H = dg.hessian(f, x, chunk=chunk)
    np.testing.assert_array_equal(H, one)
    g = lambda v: np.maximum(v[0] ** 2, v[1] ** 2)     # noqa: E731
    with dg.engine(engine):
        h = dg.hessian(g, np.array([0.7, 0.7]), chunk=1)
    # a tie: the mean of the two branches' Hessians, diag(2, 0) and diag(0, 2)
    np.testing.assert_array_equal(h, np.eye(2))


def test_nan_entry_same_as_one_chunk():
    """A NaN second partial (sqrt at 0) lands where one chunk puts it."""
    def f(v):
        return np.sum(v ** 2) * v[3] + np.sqrt(v[5])
    x = np.linspace(0.0, 1.0, 9)
    x[5] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        one = dg.hessian(f, x, chunk=9)
        for chunk in (1, 2, 4):
            np.testing.assert_array_equal(dg.hessian(f, x, chunk=chunk), one)
    assert np.isinf(one[5, 5]) or np.isnan(one[5, 5])
    # the rest by hand: d2/dxi dxj of sum(x^2) x3
    want = 2.0 * x[3] * np.eye(9)
    want[3, :] += 2.0 * x
    want[:, 3] += 2.0 * x
    mask = np.ones((9, 9), bool)
    mask[5, 5] = False
    np.testing.assert_allclose(one[mask], want[mask], rtol=1e-14, atol=0)


def _poly2(a, b):
    return np.sum(a ** 2 * a[0]) + np.sum(b ** 3) * a[-1] + a[1] * b[0]


def _poly2_blocks(a, b):
    na, nb = a.size, b.size
    Haa = 2.0 * a[0] * np.eye(na)
    Haa[0, :] += 2.0 * a
    Haa[:, 0] += 2.0 * a
    Hab = np.zeros((na, nb))
    Hab[-1, :] = 3.0 * b ** 2
    Hab[1, 0] += 1.0
    Hbb = np.diag(6.0 * b * a[-1])
    return Haa, Hab, Hbb


@pytest.mark.parametrize("chunk", [None, 4, 13])
def test_argnums_tuple(chunk):
    a = np.linspace(0.3, 1.4, 55)
    b = np.linspace(-0.5, 0.5, 6)
    H = dg.hessian(_poly2, a, b, argnums=(0, 1), chunk=chunk)
    Haa, Hab, Hbb = _poly2_blocks(a, b)
    _close(H[0][0], Haa)
    _close(H[0][1], Hab)
    _close(H[1][0], Hab.T)
    _close(H[1][1], Hbb)


def test_pytree_aux_executor_progress(capsys):
    a = np.linspace(0.3, 1.4, 55)
    b = np.linspace(-0.5, 0.5, 6)
    Haa, Hab, Hbb = _poly2_blocks(a, b)

    def f(p):
        return _poly2(p["a"], p["b"]), {"n": p["a"].size}
    with concurrent.futures.ThreadPoolExecutor(3) as ex:
        for kw in ({}, {"executor": ex}, {"executor": ex, "chunk": 7}, {"progress": True}):
            H, aux = dg.hessian(f, {"a": a, "b": b}, has_aux=True, **kw)
            assert aux == {"n": 55}
            _close(H["a"]["a"], Haa)
            _close(H["a"]["b"], Hab)
            _close(H["b"]["a"], Hab.T)
            _close(H["b"]["b"], Hbb)


def test_list_input():
    x = list(np.linspace(-1.2, 1.2, 50))
    _close(dg.hessian(_rosen, x), rosen_hess(np.array(x)))


def test_nested_in_derivative():
    """A chunked Hessian whose blocks are duals of an enclosing dg.derivative: d/dc of
    H(c) for f = c sum(x^3) + c^2 x0 x_{n-1} + sum(x^2), some blocks free of c."""
    x = np.linspace(0.5, 2.0, 60)

    def H(c, chunk):
        return dg.hessian(lambda v: c * np.sum(v[:30] ** 3) + c ** 2 * v[0] * v[-1] +
                          np.sum(v ** 2), x, chunk=chunk)
    c = 1.7
    want = np.zeros((60, 60))
    want[np.arange(30), np.arange(30)] = 6.0 * x[:30]
    want[0, -1] = want[-1, 0] = 2.0 * c
    for chunk in (None, 7, 60):
        _close(dg.derivative(lambda c: H(c, chunk), c), want)


def test_holomorphic():
    z = np.linspace(0.1, 1.0, 50) * (1 + 0.5j)
    H = dg.hessian(lambda v: np.sum(np.exp(v)) + v[0] * v[-1], z, holomorphic=True,
                   chunk=8)
    want = np.diag(np.exp(z))
    want[0, -1] = want[-1, 0] = 1.0
    _close(H, want)


# ---- the outer level's broadcast product in one pass (backend._kernels._middle_broadcast)

def _numpy_combine(factors, partials, target):
    """``combine``'s NumPy semantics written out: each term ``f[..., None] * p`` with
    the zero rule (a zero partial gives +0.0) where ``f`` is not finite anywhere,
    summed in order."""
    total = None
    for f, p in zip(factors, partials):
        t = f[..., None] * p
        if not np.all(np.isfinite(f)):
            t = np.where(p == 0.0, 0.0, t)
        total = t if total is None else total + t
    return np.broadcast_to(total, target)


def _same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    assert np.array_equal(a.view(np.int64), b.view(np.int64))


@pytest.mark.parametrize("lead", [(37,), (37, 1), (4, 9)])
@pytest.mark.parametrize("bad", [False, True])
@pytest.mark.parametrize("terms", [1, 2])
def test_middle_broadcast_kernel_bits(bad, terms, lead):
    """``lead``: the value's leading axes (2-D values: a Hessian of a matrix input)."""
    from dualgrad.backend import _kernels
    rng = np.random.default_rng(5)
    R, m, n = 37, 9, 11
    f0 = rng.standard_normal((R, m))
    p0 = rng.standard_normal((R, 1, n))
    f1 = rng.standard_normal((R, 1))
    p1 = rng.standard_normal((R, m, n))
    p0[3, 0, :] = 0.0
    p1[5, 2, :] = 0.0
    p1[6, 1, 4] = -0.0
    f1[7, 0] = -0.0
    if bad:
        f0[2, 4] = np.inf
        f1[5, 0] = np.nan
    factors, partials = ([f0], [p0]) if terms == 1 else ([f0, f1], [p0, p1])
    target = (R, m, n)
    with _kernels.use("numba"):
        got = _kernels._middle_broadcast(factors, partials, target)
    assert got is not None
    with np.errstate(all="ignore"):
        _same_bits(got, _numpy_combine(factors, partials, target))
    if lead != (R,):
        rows = int(np.prod(lead))
        fl = [f[:rows].reshape(lead + f.shape[1:]) for f in factors]
        pl = [p[:rows].reshape(lead + p.shape[1:]) for p in partials]
        with _kernels.use("numba"):
            got4 = _kernels._middle_broadcast(fl, pl, lead + (m, n))
        assert got4 is not None
        _same_bits(got4, got[:rows].reshape(lead + (m, n)))
    if bad and terms == 1:      # zero partials times a factor with an inf: +0.0
        assert np.all(got[3] == 0.0) and not np.any(np.signbit(got[3]))
    if bad and terms == 2:      # zero partials times NaN: 0, not NaN
        assert np.all(np.isfinite(got[5, 2, :]))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.engine_independent
def test_hessian_kernel_same_as_numpy(engine):
    """The Hessian with numba's kernels and with NumPy's passes: the same bits (rosen
    and the logistic regression at n = 120, several outer chunks)."""
    from dualgrad.backend import _kernels
    f, x, want = _logit_case(120)
    xr = np.linspace(-1.2, 1.2, 120)
    with dg.engine(engine):
        with _kernels.use("numba"):
            a, ar = dg.hessian(f, x), dg.hessian(_rosen, xr)
        with _kernels.use("numpy"):
            b, br = dg.hessian(f, x), dg.hessian(_rosen, xr)
    _same_bits(a, b)
    _same_bits(ar, br)
    _close(a, want, 1e-12)
    _close(ar, rosen_hess(xr))


@pytest.mark.parametrize("engine", ENGINES)
def test_matrix_input(engine):
    """A Hessian of a 6 x 10 matrix input (4-D partials at the outer level): the
    closed form, and numba's pass and NumPy's the same bits."""
    from dualgrad.backend import _kernels
    X = np.linspace(-1.5, 2.0, 60).reshape(6, 10)

    def f(X):
        return np.sum(np.sin(X) * X ** 2) + np.sum(X[:, :-1] * X[:, 1:])
    x = X.ravel()
    want = np.diag(-np.sin(x) * x ** 2 + 4 * x * np.cos(x) + 2 * np.sin(x))
    for i in range(6):
        for j in range(9):
            want[10 * i + j, 10 * i + j + 1] = want[10 * i + j + 1, 10 * i + j] = 1.0
    with dg.engine(engine):
        with _kernels.use("numba"):
            a = dg.hessian(f, X)
        with _kernels.use("numpy"):
            b = dg.hessian(f, X)
    assert a.shape == (6, 10, 6, 10)
    _same_bits(a, b)
    _close(a.reshape(60, 60), want)
