"""A CSR matrix applied to a dual's value and partials in one kernel pass
(``backend.sparse_dual``, dualgrad/backend/_numba_kernels.py's ``csr_dual``): the sums
SciPy's ``csr_matvec`` / ``csr_matvecs`` make, in their order.

Oracles: SciPy's own ``S @ x`` and ``S @ p`` on the same floats (bit for bit, as
int64 views), the dense matrix for the Jacobians, the hand-written tangent of the
method-of-lines heat step, and SciPy's path (``backend.use("numpy")``) for the cases
the kernel must leave to it (a stored inf or NaN: a zero partial times it is 0)."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from _probes import fresh_runs

sp = pytest.importorskip("scipy.sparse")


def bits(a):
    return np.ascontiguousarray(a).view(np.int64)


def awkward(m, n, seed):
    """A CSR matrix with unsorted column indices, duplicate entries, empty rows and
    rows of many entries (the stored order is the order of the sums)."""
    rng = np.random.default_rng(seed)
    rows, cols, vals = [], [], []
    for i in range(m):
        if i % 5 == 3:
            continue                                    # an empty row
        k = 1 + (i * 7) % 9
        c = rng.integers(0, n, size=k)
        if i % 4 == 0:
            c = np.concatenate([c, c[:2]])              # duplicates
        rows += [i] * len(c)
        cols += list(c)
        vals += list(rng.standard_normal(len(c)) * 10.0 ** rng.integers(-8, 8, len(c)))
    S = sp.csr_matrix((vals, (rows, cols)), shape=(m, n))
    order = np.arange(S.nnz)
    for i in range(m):                                  # reverse each row: unsorted
        lo, hi = S.indptr[i], S.indptr[i + 1]
        order[lo:hi] = order[lo:hi][::-1]
    S.indices, S.data = S.indices[order].copy(), S.data[order].copy()
    S.has_sorted_indices = False
    return S


@pytest.fixture
def numba_kernels():
    with backend.use("numba"):
        yield


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 12])
@pytest.mark.parametrize("shape", [(300, 300), (250, 400), (400, 180)])
def test_the_same_bits_as_scipy(numba_kernels, n, shape):
    m, cols = shape
    S = awkward(m, cols, n)
    rng = np.random.default_rng(n)
    x = rng.standard_normal(cols) * np.exp(rng.uniform(-20, 20, cols))
    p = rng.standard_normal((cols, n)) * np.exp(rng.uniform(-20, 20, (cols, n)))
    p[::7] = 0.0
    got = backend.sparse_dual(S, x, p)
    assert got is not None
    value, partials = got
    assert value.shape == (m,) and partials.shape == (m, n)
    np.testing.assert_array_equal(bits(value), bits(S @ x))
    np.testing.assert_array_equal(bits(partials), bits(S @ p))


def test_infinite_and_nan_values_and_partials_as_scipy(numba_kernels):
    S = awkward(120, 120, 4)
    x = np.linspace(-1.0, 2.0, 120)
    x[[3, 50]] = [np.inf, np.nan]
    p = np.ones((120, 4))
    p[7, 2], p[9, 0] = -np.inf, np.nan
    value, partials = backend.sparse_dual(S, x, p)
    np.testing.assert_array_equal(value, S @ x)          # NaN where SciPy's is NaN
    np.testing.assert_array_equal(partials, S @ p)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("n", [2, 4, 6])
def test_a_stored_non_finite_entry_is_left_to_the_zero_rule(numba_kernels, bad, n):
    S = awkward(60, 60, 1)
    S.data[S.indptr[40] + 1] = bad                      # a row past the first ones
    x = np.linspace(0.5, 1.5, 60)
    p = np.zeros((60, n))
    p[::3, 0] = 1.0
    assert backend.sparse_dual(S, x, p) is None         # the caller's path instead
    dense = S.toarray()
    f = lambda u: np.matmul(S, u)
    with dg.engine("eager"):
        J = np.asarray(dg.jacobian(f, x))
    np.testing.assert_array_equal(J, dense)             # 0 * inf -> 0 off the column


def declined_cases():
    S = awkward(80, 80, 2)
    x, p = np.linspace(0.1, 1.0, 80), np.ones((80, 4))
    ro = p.copy()
    ro.flags.writeable = False
    wide = sp.csr_matrix(S)
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    return {
        "csc": (S.tocsc(), x, p),
        "coo": (S.tocoo(), x, p),
        "int64 indices": (wide, x, p),
        "float32 entries": (S.astype(np.float32), x, p),
        "complex entries": (S.astype(complex), x, p),
        "read-only partials": (S, x, ro),
        "strided value": (S, np.linspace(0.1, 1.0, 160)[::2], p),
        "Fortran partials": (S, x, np.asfortranarray(np.ones((80, 4)) + np.arange(4))),
        "2-D value": (S, np.ones((80, 2)), np.ones((80, 2, 4))),
        "wrong length": (S, x[:79], p[:79]),
        "no directions": (S, x, np.ones((80, 0))),
        "complex value": (S, x + 0j, p),
    }


@pytest.mark.parametrize("case", sorted(declined_cases()))
def test_what_the_kernel_does_not_take_is_declined(numba_kernels, case):
    assert backend.sparse_dual(*declined_cases()[case]) is None


def test_numpy_mode_declines():
    S = awkward(80, 80, 2)
    with backend.use("numpy"):
        assert backend.sparse_dual(S, np.ones(80), np.ones((80, 4))) is None


def heat(p, n=400, steps=30, dt=0.01):
    kappa, amp, width, rate = p
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1], format="csr")
    for _ in range(steps):
        u = u + kappa * (L @ u) + inner * (dt * rate * u * (1.0 - u))
    return u


def heat_tangent(p, n=400, steps=30, dt=0.01):
    """Forward sensitivities by hand: du' = du + dk (L u) + k L du + inner dt (dr u (1 - u)
    + r (1 - 2 u) du)."""
    kappa, amp, width, rate = p
    s = np.linspace(0.0, 1.0, n)
    g = np.exp(-((s - 0.5) / width) ** 2)
    u = amp * g
    du = np.zeros((n, 4))
    du[:, 1] = g
    du[:, 2] = amp * g * 2 * (s - 0.5) ** 2 / width ** 3
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1], format="csr").toarray()
    for _ in range(steps):
        Lu = L @ u
        new = du + kappa * (L @ du)
        new[:, 0] += Lu
        new += (inner * dt * rate * (1.0 - 2.0 * u))[:, None] * du
        new[:, 3] += inner * dt * u * (1.0 - u)
        du, u = new, u + kappa * Lu + inner * (dt * rate * u * (1.0 - u))
    return du


P = np.array([0.2, 1.0, 0.1, 3.0])


@pytest.mark.parametrize("engine", ["fused", "eager"])
def test_heat_step_takes_the_kernel_and_matches_scipys_path(monkeypatch, engine):
    calls = []
    real = backend.sparse_dual

    def spy(*args):
        got = real(*args)
        calls.append(got is not None)
        return got
    with dg.engine(engine), backend.use("numpy"):
        before = np.asarray(dg.jacobian(heat, P))
    monkeypatch.setattr(backend, "sparse_dual", spy)
    with dg.engine(engine), backend.use("numba"):
        after = np.asarray(dg.jacobian(heat, P))
    assert calls and all(calls)                         # every step's L @ u took it
    np.testing.assert_allclose(after, heat_tangent(P), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(after, before, rtol=1e-13, atol=1e-16)
    value = dg.jvp(heat, P, np.array([1.0, 0.0, 0.0, 0.0]))[0]
    np.testing.assert_array_equal(value, heat(P))


def test_results_do_not_alias_the_operands(numba_kernels):
    S = awkward(90, 90, 5)
    x, p = np.linspace(0.1, 1.0, 90), np.ones((90, 4))
    v1, p1 = backend.sparse_dual(S, x, p)
    v2, p2 = backend.sparse_dual(S, x, p)
    for a in (v1, p1):
        assert not np.shares_memory(a, x) and not np.shares_memory(a, p)
    assert not np.shares_memory(p1, p2)                  # p1 alive: not handed out again
    p1[:] = 7.0
    np.testing.assert_array_equal(p2, S @ p)


def test_hessian_through_the_product_is_unchanged():
    # nested duals: the value is a dual, so the kernel declines; the second order
    # against 6 L^T diag(L x) L
    L = sp.diags([1.0, -2.0, 1.0], [-1, 0, 1], shape=(9, 9), format="csr")
    x = np.linspace(0.2, 1.4, 9)
    with backend.use("numba"):
        H = np.asarray(dg.hessian(lambda u: np.sum((L @ u) ** 3), x))
    D = L.toarray()
    np.testing.assert_allclose(H, 6 * D.T @ np.diag(D @ x) @ D, rtol=1e-13, atol=1e-13)


SPELLINGS = {
    "L @ u": lambda L, u: L @ u,
    "L.dot(u)": lambda L, u: L.dot(u),
    "np.matmul": lambda L, u: np.matmul(L, u),
    "np.dot": lambda L, u: np.dot(L, u),
    "matrix L * u": lambda L, u: L * u,
}


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize("kind", ["matrix", "array"])
def test_every_spelling_of_the_product_takes_the_kernel(monkeypatch, spelling, kind):
    if spelling == "matrix L * u" and kind == "array":
        pytest.skip("a sparse array's * is elementwise (refused: test_sparse_operands)")
    S = awkward(600, 500, 9)
    S.data = np.linspace(-1.0, 1.0, S.nnz)               # moderate: sin's argument conditioned
    L = S if kind == "matrix" else sp.csr_array(S)
    x = np.linspace(0.2, 1.3, 500)
    calls = []
    real = backend.sparse_dual

    def spy(*args):
        got = real(*args)
        calls.append(got is not None)
        return got
    monkeypatch.setattr(backend, "sparse_dual", spy)
    f = lambda u: np.sin(SPELLINGS[spelling](L, u ** 2))
    with backend.use("numba"):
        J = np.asarray(dg.jacobian(f, x))
        value = dg.jvp(f, x, np.ones(500))[0]
    assert calls and all(calls)
    D = S.toarray()
    expected = np.cos(D @ x ** 2)[:, None] * D * (2 * x)[None, :]
    np.testing.assert_allclose(J, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(value, np.sin(S @ x ** 2))


def test_threads_get_their_own_results():
    import concurrent.futures as cf
    Ls = [awkward(300, 300, s) for s in range(4)]
    for L in Ls:
        L.data = np.cos(np.arange(L.nnz))
    x = np.linspace(0.1, 2.0, 300)

    def job(L):
        return [np.asarray(dg.jacobian(lambda u: np.tanh(L @ u), x)) for _ in range(5)]
    with backend.use("numba"), cf.ThreadPoolExecutor(4) as pool:   # (use: process-wide)
        results = list(pool.map(job, Ls))
    for L, got in zip(Ls, results):
        D = L.toarray()
        expected = (1 - np.tanh(D @ x) ** 2)[:, None] * D
        for J in got:
            np.testing.assert_allclose(J, expected, rtol=1e-12, atol=1e-13)


def dia(m, cols, offsets, width, seed):
    """A DIA matrix whose diagonals are stored in the order ``offsets`` gives, ``width``
    columns of storage (more or fewer than the matrix has)."""
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((len(offsets), width)) * np.exp(
        rng.uniform(-15, 15, (len(offsets), width)))
    return sp.dia_matrix((data, offsets), shape=(m, cols))


@pytest.mark.parametrize("n", [1, 3, 4, 5, 8, 9])
@pytest.mark.parametrize("offsets", [[-1, 0, 1], [1, 0, -1], [0, 2, -3, 1, -1], [5]])
@pytest.mark.parametrize("shape,width", [((200, 200), 200), ((150, 220), 220),
                                         ((220, 150), 150), ((200, 200), 120),
                                         ((200, 200), 260)])
def test_dia_the_same_bits_as_scipy(numba_kernels, n, offsets, shape, width):
    m, cols = shape
    S = dia(m, cols, offsets, width, n)
    rng = np.random.default_rng(n + 1)
    x = rng.standard_normal(cols) * np.exp(rng.uniform(-15, 15, cols))
    p = rng.standard_normal((cols, n))
    p[::5] = 0.0
    value, partials = backend.sparse_dual(S, x, p)
    np.testing.assert_array_equal(bits(value), bits(S @ x))
    np.testing.assert_array_equal(bits(partials), bits(S @ p))


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_dia_non_finite_entries(numba_kernels, bad):
    S = dia(60, 60, [-1, 0, 1], 60, 0)
    x, p = np.linspace(0.5, 1.5, 60), np.zeros((60, 4))
    p[::3, 0] = 1.0
    S.data[0, 59] = bad                  # diagonal -1 at column 59: row 60, outside: unread
    value, partials = backend.sparse_dual(S, x, p)
    np.testing.assert_array_equal(partials, S @ p)
    np.testing.assert_array_equal(value, S @ x)
    S.data[2, 30] = bad                  # read: the caller's zero rule instead
    assert backend.sparse_dual(S, x, p) is None
    with dg.engine("eager"):
        J = np.asarray(dg.jacobian(lambda u: S @ u, x))
    np.testing.assert_array_equal(J, S.toarray())


def test_dia_declined_layouts(numba_kernels):
    S = dia(80, 80, [-1, 0, 1], 80, 3)
    x, p = np.linspace(0.1, 1.0, 80), np.ones((80, 4))
    wide = sp.dia_matrix(S)
    wide.offsets = wide.offsets.astype(np.int64)
    assert backend.sparse_dual(wide, x, p) is None
    fortran = sp.dia_matrix(S)
    fortran.data = np.asfortranarray(fortran.data)
    assert backend.sparse_dual(fortran, x, p) is None
    assert backend.sparse_dual(S.astype(np.float32), x, p) is None
    assert backend.sparse_dual(S, x[:79], p[:79]) is None


def heat_dia(p, n=400, steps=30, dt=0.01):
    """heat with sp.diags's default format (DIA)."""
    kappa, amp, width, rate = p
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    L = sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1])
    assert L.format == "dia"
    for _ in range(steps):
        u = u + kappa * (L @ u) + inner * (dt * rate * u * (1.0 - u))
    return u


@pytest.mark.parametrize("engine", ["fused", "eager"])
def test_heat_step_with_a_dia_laplacian(monkeypatch, engine):
    calls = []
    real = backend.sparse_dual

    def spy(*args):
        got = real(*args)
        calls.append(got is not None)
        return got
    monkeypatch.setattr(backend, "sparse_dual", spy)
    with dg.engine(engine), backend.use("numba"):
        J = np.asarray(dg.jacobian(heat_dia, P))
    assert calls and all(calls)
    np.testing.assert_allclose(J, heat_tangent(P), rtol=1e-12, atol=1e-14)


FRESH = """
import json, sys
import numpy as np
import scipy.sparse as sp
from dualgrad import backend
from dualgrad.backend import _loader
_loader.load()
rng = np.random.default_rng(7)
inner = np.ones(3000)
inner[[0, -1]] = 0.0
mats = [sp.diags([inner[1:], -2.0 * inner, inner[:-1]], [-1, 0, 1], format=f)
        for f in ("csr", "dia")]
x, p = rng.standard_normal(3000), rng.standard_normal((3000, 4))
same = []
with backend.use("numba"):
    for S in mats:
        value, partials = backend.sparse_dual(S, x, p)
        same.append(bool(np.array_equal(value.view(np.int64), (S @ x).view(np.int64)) and
                         np.array_equal(partials.view(np.int64), (S @ p).view(np.int64))))
print(json.dumps([same, "numba.np.arrayobj" in sys.modules]))
"""


@pytest.mark.engine_independent
# its subprocesses run without DUALGRAD_ENGINE
def test_the_kernels_load_from_the_cache_without_numbas_array_module(tmp_path):
    """The product kernels loaded from numba's disk cache do not import
    ``numba.np.arrayobj`` (a reshape inside a kernel did: its cached environment names
    that module, 45-60 ms of a sparse heat step's warm first call), and give SciPy's
    bits.  The cold process compiles them, which readies numba's target (and imports
    it)."""
    pytest.importorskip("numba")
    got = fresh_runs(FRESH, tmp_path)
    assert got[0] == [[True, True], True]           # cold: compiled
    assert got[1] == [[True, True], False]          # warm: loaded, no array module
