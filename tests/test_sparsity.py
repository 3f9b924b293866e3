"""Sparsity detection (dualgrad.api._sparsity): the detected pattern never misses a
nonzero of the dense Jacobian (or Hessian), and is exact where the structure is
known by hand."""

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")

import dualgrad as dg  # noqa: E402
from _oracles import central  # noqa: E402

RNG = np.random.default_rng(12345)
X = RNG.uniform(0.2, 1.3, 12)
PERM = RNG.permutation(12)
IDX = RNG.integers(0, 12, 7)
A_SPARSE = np.where(RNG.random((12, 12)) < 0.2, RNG.normal(size=(12, 12)), 0.0)


def stencil2d(x):
    u = x.reshape(3, 4)
    lap = np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1) - 4 * u
    return (u * u * np.sin(u) + 0.1 * lap).ravel()


def banded_inplace(x):
    out = np.zeros_like(x)
    out[1:-1] = x[:-2] - 2.0 * x[1:-1] + x[2:] ** 2
    out[0] = x[0] * x[-1]
    out[-1] += np.exp(x[-1])
    out[1:] *= x[:-1]
    return out


def fancy(x):
    y = x[PERM] * x[IDX].sum()
    z = np.zeros_like(x)
    z[IDX] = x[PERM[:7]] * 2.0          # repeated targets: union of their sources
    return y + z


def branches(x):
    a = np.where(x > 0.7, x ** 2, np.sin(np.roll(x, 1)))
    b = np.maximum(x, 0.7) + np.clip(np.flip(x), 0.5, 1.0)
    return a + b + np.sort(x)[::-1] * np.max(x[:4])


def reductions(x):
    m = x.reshape(3, 4)
    return np.concatenate([m.sum(axis=0), np.mean(m, axis=1), np.cumsum(x[:3]),
                           [np.prod(x[3:5]), np.std(x[5:8]), np.linalg.norm(x[8:])],
                           np.diff(x, 2)])


def products(x):
    m = x.reshape(3, 4)
    return np.concatenate([A_SPARSE @ x, (m @ np.eye(4)[:, ::-1]).ravel(),
                           [x[:3] @ x[3:6]], np.einsum("ij,j->i", m, x[:4]),
                           np.outer(x[:2], x[2:4]).ravel(), np.dot(A_SPARSE[:3], x)])


def linalg(x):
    A = np.diag(x[:4]) + 0.1 * np.outer(x[4:8], np.ones(4))
    return np.concatenate([np.linalg.solve(A, x[8:]), np.linalg.solve(np.eye(4) * 2, x[:4]),
                           [np.linalg.det(A[:2, :2])], np.linalg.inv(A[2:, 2:]).ravel()])


def views(x):
    y = x.copy()
    u = y.reshape(3, 4)
    u[0] = 0.0                  # writes through the view into y
    u[1:, 1:] *= u[:-1, :-1]
    v = y[::2]
    v += 1.0
    return y * np.tanh(y)


def scalar_loop(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = x[i - 1] * x[i] + (x[i + 1] if i + 1 < x.size else 0.0)
    return np.array([out[0], out[3] * x[5], x[7]] + [out[k] for k in range(8, 12)])


def structure(x):
    m = x.reshape(3, 4)
    parts = [np.tril(m[:, :3]).ravel(), np.triu(m[:, :3]).ravel(), np.diag(m[:, :3]),
             np.pad(x[:3], 2), np.tile(x[:2], 2), np.repeat(x[2:4], 2),
             np.stack([x[:2], x[2:4]]).T.ravel(), np.hstack([x[4:6], 1.0]),
             np.take(x, [3, 1, 1]), np.swapaxes(m, 0, 1)[1], np.split(x, 3)[2],
             np.moveaxis(m[None], 0, 2).ravel()[:5], np.broadcast_to(x[0], (2,))]
    return np.concatenate(parts) * 1.5


def random_sparse(x, seed=0):
    rng = np.random.default_rng(seed)
    M = np.where(rng.random((15, 12)) < 0.15, rng.normal(size=(15, 12)), 0.0)
    y = np.tanh(M @ x) * x[rng.integers(0, 12, 15)]
    return y + np.where(y > 0, y ** 2, 0.0)


def rolls_and_joins(x):
    m = x.reshape(3, 4)
    z = x * 2.0
    z[0] = 1.0                  # z shares no rows with x: x[0] keeps its dependence
    w = m.T.ravel()             # not contiguous: a gather, not a view
    parts = [np.roll(m, (1, -2), axis=(0, 1)).ravel(), np.roll(x, 5), np.roll(m, 1, -1)[0],
             np.roll(m, (1, 1), axis=(1, 1)).ravel()[:3], x + z, w[:4] * m[0],
             np.concatenate([m, np.ones((3, 1)), m[:, :1] ** 2], axis=1).ravel(),
             np.concatenate([m[:1], 2.0 * m[2:]], axis=None), np.stack([x[:3], x[3:6]], -1)
             .ravel(), np.stack([x[6:8], np.ones(2)]).ravel(), np.concatenate(([x[0]], x[-2:]))]
    out = np.concatenate(parts)
    return out * x[np.arange(out.size) % 12]


FUNCTIONS = [stencil2d, banded_inplace, fancy, branches, reductions, products, linalg,
             views, scalar_loop, structure, random_sparse, rolls_and_joins]


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("mode", ["local", "global"])
def test_pattern_never_misses_a_nonzero_of_the_dense_jacobian(f, mode):
    for x in (X, np.random.default_rng(7).uniform(0.2, 1.3, 12)):
        J = np.asarray(dg.jacobian(f, x))
        P = dg.sparsity(f, x, mode=mode)
        assert P.shape == J.shape and P.dtype == bool
        missed = (J != 0) & ~P.toarray()
        assert not missed.any(), np.argwhere(missed)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_sparse_auto_jacobian_equals_dense_to_rounding(f):
    J = np.asarray(dg.jacobian(f, X))
    S = dg.jacobian(f, X, sparsity="auto")
    assert sp.issparse(S)
    np.testing.assert_allclose(S.toarray(), J, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("seed", range(5))
def test_random_sparse_functions_seeded(seed):
    x = np.random.default_rng(100 + seed).uniform(-1.0, 1.0, 12)
    J = np.asarray(dg.jacobian(random_sparse, x, seed))
    P = dg.sparsity(random_sparse, x, seed).toarray()
    assert not ((J != 0) & ~P).any()


def test_exact_patterns_known_by_hand():
    n = 10
    x = np.linspace(0.1, 1.0, n)
    band = dg.sparsity(lambda x: x[:-2] - 2 * x[1:-1] * x[2:], x).toarray()
    expect = np.zeros((n - 2, n), bool)
    for i in range(n - 2):
        expect[i, i:i + 3] = True
    np.testing.assert_array_equal(band, expect)
    arrow = dg.sparsity(lambda x: np.concatenate([[np.sum(x ** 2)], x[1:] * x[0]]), x)
    expect = np.eye(n, dtype=bool)
    expect[0] = expect[:, 0] = True
    np.testing.assert_array_equal(arrow.toarray(), expect)
    block = dg.sparsity(lambda x: (x.reshape(5, 2) @ np.ones((2, 2))).ravel(), x)
    np.testing.assert_array_equal(block.toarray(), np.kron(np.eye(5), np.ones((2, 2))) != 0)
    # a constant matrix keeps its zeros; x * 0.0 still depends on x (structural)
    A = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]])
    np.testing.assert_array_equal(dg.sparsity(lambda x: A @ x * 0.0, x[:3]).toarray(), A != 0)


def test_stencil_of_the_brusselator_kind():
    N = 8

    def f(y):
        u, v = y[:N * N].reshape(N, N), y[N * N:].reshape(N, N)
        lap = np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1) \
            - 4 * u
        return np.concatenate([(u * u * v + lap).ravel(), (u - v).ravel()])
    y = np.random.default_rng(0).random(2 * N * N)
    P = dg.sparsity(f, y)
    J = np.asarray(dg.jacobian(f, y))
    np.testing.assert_array_equal(P.toarray(), J != 0)
    assert P.nnz == N * N * 6 + N * N * 2


def test_local_and_global_modes_on_branches():
    x = np.array([-1.0, 2.0, 0.5])
    f = lambda x: np.where(x > 0, x, np.roll(x, 1)) + np.maximum(x[::-1], 1.0)  # noqa: E731
    local = dg.sparsity(f, x).toarray()
    glob = dg.sparsity(f, x, mode="global").toarray()
    assert (glob >= local).all() and glob.sum() > local.sum()
    J = np.asarray(dg.jacobian(f, x))
    assert not ((J != 0) & ~local).any()
    # the global pattern holds at other points where Python control flow agrees
    for y in np.random.default_rng(1).uniform(-2, 2, (5, 3)):
        assert not ((np.asarray(dg.jacobian(f, y)) != 0) & ~glob).any()


def test_any_shape_of_x_and_list_outputs():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    P = dg.sparsity(lambda m: [m[0, 0] * m[1, 2], m[1, 1]], x)
    np.testing.assert_array_equal(P.toarray(), [[1, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 0]])
    const = dg.sparsity(lambda x: np.ones(3), np.ones(2))
    assert const.shape == (3, 2) and const.nnz == 0
    assert dg.sparsity(lambda x: np.sum(x), np.ones(4)).shape == (1, 4)


def test_dropping_derivatives_raises_as_duals_do():
    with pytest.raises(TypeError, match="float"):
        dg.sparsity(lambda x: float(x[0]) * x, np.ones(3))
    with pytest.raises(TypeError, match="zeros_like"):
        def f(x):
            out = np.zeros(3)
            out[0] = x[0]
            return out
        dg.sparsity(f, np.ones(3))
    with pytest.raises(ValueError, match="mode"):
        dg.sparsity(lambda x: x, np.ones(3), mode="everywhere")
    with pytest.raises(TypeError, match="callable"):
        dg.sparsity(3.0, np.ones(3))


def test_control_flow_on_values_works():
    def f(x):
        if x[0] > 0:
            return x * x[1]
        return -x
    assert dg.sparsity(f, np.array([1.0, 2.0, 3.0])).nnz == 5
    assert dg.sparsity(f, np.array([-1.0, 2.0, 3.0])).nnz == 3


# ---- Hessian patterns --------------------------------------------------------------

def h_chain(x):
    return np.sum(x[1:] * x[:-1] ** 2) + np.sum(np.exp(x[::3])) + x[0] * x[-1]


def h_stencil(x):
    u = x.reshape(3, 4)
    lap = np.roll(u, 1, 0) + np.roll(u, -1, 0) - 2 * u
    return np.sum(lap ** 2) + np.sum(3.0 * u)


def h_linear_parts(x):
    return np.sum(A_SPARSE @ x) + x[2] * x[5] + np.sum(np.maximum(x, 0.9)) + \
        np.linalg.norm(x[8:])


@pytest.mark.parametrize("f", [h_chain, h_stencil, h_linear_parts],
                         ids=lambda f: f.__name__)
def test_hessian_pattern_never_misses_and_sparse_hessian_matches(f):
    H = np.asarray(dg.hessian(f, X))
    P = dg.hessian_sparsity(f, X)
    assert (P != P.T).nnz == 0
    assert not ((H != 0) & ~P.toarray()).any()
    S = dg.hessian(f, X, sparsity="auto")
    assert (S != S.T).nnz == 0
    np.testing.assert_allclose(S.toarray(), H, rtol=1e-12, atol=1e-12)


def test_hessian_pattern_is_exact_on_a_chain_and_linear_terms_add_nothing():
    x = np.linspace(0.1, 1.0, 6)
    P = dg.hessian_sparsity(lambda x: np.sum(x[1:] * x[:-1]) + np.sum(4.0 * x), x)
    expect = np.eye(6, k=1, dtype=bool) | np.eye(6, k=-1, dtype=bool)
    np.testing.assert_array_equal(P.toarray(), expect)
    with pytest.raises(ValueError, match="scalar"):
        dg.hessian_sparsity(lambda x: x ** 2, x)


@pytest.mark.engine_independent
def test_numba_jitted_f_is_traced_through_its_python_source():
    numba = pytest.importorskip("numba")

    @numba.njit
    def f(x):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = x[i] * x[i - 1]
        return out
    x = np.linspace(0.1, 1.0, 6)
    expect = np.eye(6, dtype=bool) | np.eye(6, k=-1, dtype=bool)
    expect[0, -1] = True
    np.testing.assert_array_equal(dg.sparsity(f, x).toarray(), expect)
    J = dg.jacobian(f, x, sparsity="auto")
    analytic = np.diag(np.roll(x, 1)) + np.diag(x[1:], -1)
    analytic[0, -1] = x[0]
    np.testing.assert_allclose(J.toarray(), analytic, rtol=1e-15)


# ---- found by an outside attack: complex intermediates and modf -------------------------
@pytest.mark.parametrize("f", [
    lambda x: np.imag(x * 1j),
    lambda x: np.angle(x[::-1] + 1j),
    lambda x: np.sign(x + 1j).real,
    lambda x: np.abs(np.outer(x * 1j, x)).ravel(),
    lambda x: np.einsum("i,i->i", x * 1j, x[::-1]).imag,
])
def test_complex_intermediates_miss_no_nonzeros(f):
    # once refused (an outside attack's misses: the tracer's values were real); now
    # followed (complex values, rows of both parts): central differences the oracle
    x = np.array([0.3, -1.2, 0.7, 1.5, -0.4])
    _covers_differences(f, x)


def test_modf_fraction_moves_with_x():
    x = np.array([0.3, -1.2, 2.7, 1.5])
    f = lambda x: np.modf(x[::-1] * 2.0)[0]
    P = dg.sparsity(f, x).toarray()
    np.testing.assert_array_equal(P, np.fliplr(np.eye(4, dtype=bool)))   # d frac/dx = 2


def test_trailing_empty_columns():
    # the last input does not reach the output: its column is empty (it crashed)
    x = np.array([0.5, -1.0, 2.0])
    J = dg.jacobian(lambda u: u[:2] * u[:2], x, sparsity="auto")
    np.testing.assert_array_equal(J.toarray(), [[1.0, 0.0, 0.0], [0.0, -2.0, 0.0]])


def test_hessian_with_a_locally_constant_factor():
    # rint(u) has no dependence: the pattern is the zero matrix (it crashed)
    x = np.array([0.5, -1.0, 2.0])
    H = dg.hessian(lambda u: np.sum(np.rint(u) * u), x, sparsity="auto")
    np.testing.assert_array_equal(H.toarray(), np.zeros((3, 3)))


def test_a_write_into_an_elementwise_result_does_not_reach_its_operand():
    # z = x * 2.0 shared x's index rows, and z[0] = 1.0 erased x[0]'s: the pattern
    # of x + z missed J[0, 0] (and z = x[1:] * 2.0 erased x[1]'s)
    def f(x):
        z = x * 2.0
        z[0] = 1.0
        return x + z

    def g(x):
        z = x[1:] * 2.0
        z[0] = 1.0
        return x[1:] * 1.0
    x = np.array([0.5, 1.5, 2.5])
    np.testing.assert_array_equal(dg.sparsity(f, x).toarray(), np.eye(3, dtype=bool))
    np.testing.assert_array_equal(dg.sparsity(g, x).toarray(), np.eye(3, dtype=bool)[1:])


@pytest.mark.engine_independent
def test_large_stencil_pattern_is_exact():
    # big enough for the jitted row sort (rows x columns > 65536); the pattern of
    # the periodic 5-point Brusselator stencil written down by hand
    N = 80
    n2 = N * N

    def f(y):
        u, v = y[:n2].reshape(N, N), y[n2:].reshape(N, N)
        lap = np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1) \
            - 4.0 * u
        uuv = u * u * v
        return np.concatenate([(1.0 + uuv - 4.4 * u + lap).ravel(),
                               (3.4 * u - uuv + np.roll(v, 1, 1)).ravel()])
    P = dg.sparsity(f, np.random.default_rng(1).random(2 * n2))
    i, j = np.divmod(np.arange(n2), N)
    k = lambda a, b: (a % N) * N + b % N                     # noqa: E731
    rows, cols = [], []
    for c in (k(i, j), n2 + k(i, j), k(i + 1, j), k(i - 1, j), k(i, j + 1), k(i, j - 1)):
        rows.append(np.arange(n2))
        cols.append(c)
    for c in (k(i, j), n2 + k(i, j), n2 + k(i, j - 1)):
        rows.append(n2 + np.arange(n2))
        cols.append(c)
    expect = sp.csr_matrix((np.ones(9 * n2, bool), (np.concatenate(rows),
                                                   np.concatenate(cols))), shape=(2 * n2,) * 2)
    assert P.has_canonical_format
    assert (P != expect).nnz == 0 and P.nnz == 9 * n2


# ---- np.clip with traced bounds, lo > hi included (NumPy: minimum(maximum(x, lo), hi)) -----
@pytest.mark.parametrize("form", ["dual bounds", "constant lo", "swapped arrays", "method",
                                  "out"])
def test_clip_pattern_covers_the_jacobian_whatever_the_bounds(form):
    rng = np.random.default_rng(11)

    def f(x):
        if form == "dual bounds":
            return np.clip(x, x[0], x[1])
        if form == "constant lo":
            return np.clip(x, 0.5, x[1])
        if form == "swapped arrays":
            return np.clip(x[:6], x[6:], x[:6][::-1] * 0.5)
        if form == "method":
            return x.clip(x[2], x[3])
        out = np.zeros_like(x)
        np.clip(x, x[1], 0.3, out=out)
        return out
    misses = 0
    for _ in range(30):
        x = rng.uniform(-1, 1, 12)
        x[rng.integers(12)] = x[1]                      # a tie with a bound now and then
        dense = dg.jacobian(f, x) != 0
        pattern = dg.sparsity(f, x).toarray() != 0
        misses += int(np.any(dense & ~pattern))
        np.testing.assert_array_equal(dg.jacobian(f, x, sparsity="auto").toarray(),
                                      dg.jacobian(f, x))
    assert misses == 0


@pytest.mark.parametrize("f", [lambda x: np.imag(np.fft.fft(x)),
                               lambda x: np.maximum(np.imag(np.fft.fft(x)), 0.0),
                               lambda x: np.where(x > 0, np.fft.fft(x), 0.0).imag,
                               lambda x: np.imag(np.linalg.eigvals(
                                   np.array([[0.0, 1.0], [-1.0, 0.0]]) + np.diag(x[:2])))])
def test_complex_intermediates_keep_their_imaginary_part(f):
    # A complex result cast to float once dropped its imaginary part (np.imag of it
    # then had no dependence: an all-zero pattern); then refused; now followed.
    x = np.array([0.3, -1.2, 0.8, 0.5])
    _covers_differences(f, x)


def _covers_differences(f, x):
    """The detected pattern holds every nonzero of f's central differences, and the
    sparse Jacobian is theirs."""
    fd = central(f, x)
    assert np.any(np.abs(fd) > 1e-6)
    P = dg.sparsity(f, x).toarray() != 0
    assert np.all((np.abs(fd) > 1e-7) <= P)
    np.testing.assert_allclose(dg.jacobian(f, x, sparsity="auto").toarray(), fd,
                               rtol=1e-7, atol=1e-8)


def test_hessian_auto_of_cancelling_terms_is_not_a_false_alarm():
    # x0 * (1 / x0) == 1: the Hessian is 0, but the check's second directional
    # derivative along random directions is a rounding residue of cancelling terms;
    # the dense Hessian settles it instead of an error that says "pass 'auto'".
    x = np.array([0.33723782])
    f = lambda x: x[0] * (1 / x[0]) + x[0] * np.sin(1.0 / x[0]) * x[0] / x[0] ** 2
    dense = dg.hessian(f, x)
    np.testing.assert_array_equal(dg.hessian(f, x, sparsity="auto").toarray(), dense)


def test_a_hand_pattern_missing_a_nonzero_still_raises():
    x = np.array([0.3, 0.7, 1.1])
    f = lambda x: x[0] * x[1] * x[2]
    with pytest.raises(ValueError, match="misses nonzeros.*outside the pattern"):
        dg.hessian(f, x, sparsity=np.eye(3, dtype=bool))


@pytest.mark.parametrize("f, x", [(lambda x: x[:0], np.ones(3)),
                                  (lambda x: x ** 2, np.zeros(0))])
def test_empty_inputs_and_outputs(f, x):
    dense = dg.jacobian(f, x)
    assert dg.sparsity(f, x).shape == dense.shape
    J = dg.jacobian(f, x, sparsity="auto")
    assert J.shape == dense.shape and J.nnz == 0


@pytest.mark.parametrize("f", [lambda x: np.kron(x[:2], x[2:4]).repeat(2) * 1.0,
                               lambda x: x.take([0, 2]) * x.cumprod()[1:3],
                               lambda x: np.outer(x, x).diagonal() + np.outer(x, x).trace(),
                               lambda x: np.triu(np.outer(x, x))[0] * 1.0])
@pytest.mark.parametrize("at", [np.arange(1.0, 5.0), np.zeros(4)])
def test_array_methods_and_zero_points(f, at):
    dense = dg.jacobian(f, at) != 0
    pattern = dg.sparsity(f, at).toarray()
    assert not np.any(dense & ~pattern)
    np.testing.assert_array_equal(dg.jacobian(f, at, sparsity="auto").toarray(),
                                  dg.jacobian(f, at))


_XP = np.linspace(0, 1, 50)


@pytest.mark.parametrize("f", [
    lambda v: np.interp(v[:20], _XP, np.sin(v[20:70])),
    lambda v: np.interp(v[:20] * 1.0, _XP, np.cos(_XP)),
    lambda v: np.atleast_1d(np.interp(0.5, _XP, v[20:70] ** 2)),
    lambda v: np.interp(np.where(v[:20] > 0.5, np.nan, v[:20]), _XP, v[20:70]),
    lambda v: np.interp(v[:20], _XP[:1], v[20:21]),
    lambda v: np.partition(v, 7)[:10] * v[:10],
    lambda v: np.partition(v.reshape(7, 10), [2, 5], axis=1).ravel(),
    lambda v: np.partition(v, 3, axis=None)[:5]])
def test_interp_and_partition_patterns_cover_the_jacobian_and_hessian(f):
    # traced by their own rules now (they went through a dense Jacobian per call:
    # O(n^2) in n); the pattern still never misses a nonzero
    rng = np.random.default_rng(5)
    for _ in range(4):
        v = rng.uniform(-0.2, 1.2, 70)
        v[rng.integers(20)] = _XP[rng.integers(50)]      # on a node now and then
        with np.errstate(all="ignore"):
            dense = dg.jacobian(f, v)
            for mode in ("local", "global"):
                assert not np.any((dense != 0) & ~dg.sparsity(f, v, mode=mode).toarray())
            np.testing.assert_array_equal(dg.jacobian(f, v, sparsity="auto").toarray(), dense)
            g = lambda v: np.sum(f(v) ** 2)
            assert not np.any((dg.hessian(g, v) != 0) & ~dg.hessian_sparsity(g, v).toarray())


def _relu_coupling(x):
    r = np.maximum(x, 0.0)
    return r + 0.5 * np.roll(r, 1)


def test_a_detected_pattern_held_over_to_another_point_is_checked_there():
    # a local pattern at x0 (relu branches off) misses nonzeros at x1: raise, never
    # the colors' sums; the same pattern at its own point, or 'auto', is right
    x0, x1 = np.array([-1.0, 2.0, -3.0, 4.0]), np.array([1.0, 2.0, 3.0, 4.0])
    P = dg.sparsity(_relu_coupling, x0)
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.jacobian(_relu_coupling, x1, sparsity=P)
    right = np.eye(4) + 0.5 * np.roll(np.eye(4), 1, axis=0)
    np.testing.assert_array_equal(dg.jacobian(_relu_coupling, x1, sparsity="auto").toarray(),
                                  right)
    np.testing.assert_array_equal(dg.jacobian(_relu_coupling, x0, sparsity=P).toarray(),
                                  right * (x0 > 0))
    # another function's pattern, and a detected one edited by hand, are checked too
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.jacobian(_relu_coupling, x1, sparsity=dg.sparsity(lambda z: z ** 2, x1))
    R = dg.sparsity(_relu_coupling, x1).tolil()
    R[0, 3] = False
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.jacobian(_relu_coupling, x1, sparsity=R.tocsr())


@pytest.mark.parametrize("format", ["csr", "csc"])
def test_an_infinite_entry_does_not_hide_a_missing_one(format):
    # row 0 has sqrt's infinite slope at 0: its J @ v is inf and says nothing of the
    # entry the pattern misses (5.0 at column 2), which a second probe finds
    f = lambda x: np.stack([np.sqrt(x[0]) + 5.0 * x[2], x[0] * x[2]])
    x = np.array([0.0, 1.0, 2.0])
    with np.errstate(divide="ignore"):
        with pytest.raises(ValueError, match="misses nonzeros"):
            dg.jacobian(f, x, sparsity=np.array([[1, 1, 0], [1, 0, 1]], bool), format=format)
        J = dg.jacobian(f, x, sparsity=np.array([[1, 0, 1], [1, 0, 1]], bool), format=format)
    np.testing.assert_array_equal(J.toarray(), [[np.inf, 0, 5], [2, 0, 0]])


def test_an_infinite_hessian_entry_does_not_hide_a_missing_pair():
    f = lambda x: np.sqrt(x[0]) + 3.0 * x[1] * x[2]
    x = np.array([0.0, 1.0, 2.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        with pytest.raises(ValueError, match="misses nonzeros"):
            dg.hessian(f, x, sparsity=np.eye(3, dtype=bool))
        H = dg.hessian(f, x, sparsity=np.ones((3, 3), bool)).toarray()
    np.testing.assert_array_equal(H, [[-np.inf, 0, 0], [0, 0, 3], [0, 3, 0]])


# ---- the tracer has what array duals have (attack15 a5_attrs, a2_tracer_writes) ------

def _classes():
    from dualgrad.api._sparsity import Tracer, TracerArray
    from dualgrad.dual import ArrayDual
    seen = {}

    def grab(x):
        seen["scalar"] = type(x[0])
        return x
    dg.jacobian(grab, np.ones(2))
    return Tracer, TracerArray, ArrayDual, seen["scalar"]


def test_tracers_have_every_ndarray_name_the_duals_have():
    # compared programmatically, so the two classes cannot drift apart
    Tracer, TracerArray, ArrayDual, ScalarDual = _classes()
    public = [n for n in dir(np.ndarray) if not n.startswith("_")]
    assert [n for n in public if hasattr(ArrayDual, n) and not hasattr(TracerArray, n)] == []
    assert [n for n in public if hasattr(ScalarDual, n) and not hasattr(Tracer, n)] == []


def _writes(v):
    a = v * 1.0
    w = a.view()
    w[0] = v[1] * v[2]                      # a write through the view reaches a
    a.real = a.real * 2.0 + a.imag
    b = a.copy()
    b.put([0, 2], [v[2], v[0]])
    b.partition(1)
    c = (a + b).reshape(3, 1).mT
    a.flat[1] = a.flat[2] * v[0]
    d = np.exp(v)
    d.sort()
    s = np.sum(a)
    return np.concatenate([a, b, c.ravel(), d, [s.real + s.imag], [a.argpartition(1)[0] * 1.0]])


@pytest.mark.parametrize("x", [np.array([3.0, 1.0, 2.0]), np.array([0.5, 2.5, 1.5])])
def test_tracer_methods_give_the_pattern_of_the_dense_jacobian(x):
    J = np.asarray(dg.jacobian(_writes, x))             # the dense oracle's nonzeros
    P = dg.sparsity(_writes, x).toarray()
    np.testing.assert_array_equal(P, J != 0)
    np.testing.assert_array_equal(dg.jacobian(_writes, x, sparsity="auto").toarray(), J)
    # mode="global": sort and partition give every output of the axis every input
    G = dg.sparsity(_writes, x, mode="global").toarray()
    assert not (P & ~G).any()
    assert G[9:12].all() and G[3:6, [0, 2]].all()


def test_tracer_sort_and_flat_in_place_as_numpy():
    def f(v):
        a = np.array([[3.0, 1.0], [2.0, 4.0]]) * v.reshape(2, 2)
        a.sort(axis=0)
        a.flat = a.flat[::-1] * 1.0
        return a.ravel()
    x = np.ones(4)
    J = np.asarray(dg.jacobian(f, x))
    np.testing.assert_array_equal(dg.sparsity(f, x).toarray(), J != 0)
    # columns sorted: [[2 x2, 1 x1], [3 x0, 4 x3]], then read back reversed
    np.testing.assert_array_equal(J, [[0, 0, 0, 4], [3, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0]])


def test_tracer_attributes_that_drop_dependence_raise_naming_the_fix():
    def f(v):
        for call in (lambda: v.view(np.int64), lambda: v.tobytes(), lambda: v.resize(2),
                     lambda: v.base, lambda: v.setflags(write=False)):
            with pytest.raises(TypeError, match="Fix"):
                call()
        with pytest.raises(TypeError, match="imaginary part"):
            v.imag = 1.0
        with pytest.raises(TypeError, match="reshape instead"):
            v.shape = (3, 1)
        with pytest.raises(TypeError, match=r"d\.sort on a scalar dual"):
            v[0].sort()
        assert (v.itemsize, v.nbytes, v.strides, v.device) == (8, 24, (8,), "cpu")
        assert v.flags.c_contiguous and not hasattr(v, "data")
        return v * 2.0
    P = dg.sparsity(f, np.ones(3))
    np.testing.assert_array_equal(P.toarray(), np.eye(3, dtype=bool))


# ---- the registry walked (attack28 found its misses by hand) --------------------------

def _registry_cases():
    from test_functions import CASES
    return CASES


@pytest.mark.parametrize("name", sorted(_registry_cases()))
def test_every_registry_function_auto_jacobian_and_hessian_pattern(name):
    """Every function case of tests/test_functions.py (the registry, each with a
    cheap example): the sparse Jacobian detected in the call equals the dense one
    (itself checked there against central differences, here too), the global
    pattern holds it, and the Hessian pattern of a weighted sum covers the dense
    Hessian's nonzeros (also through a sparse Hessian beside a 1e12 term)."""
    from test_functions import X
    from dualgrad.testing import numerical_jacobian
    case = _registry_cases()[name]
    F = lambda x: np.ravel(case(x.reshape(X.shape)))  # noqa: E731
    x0 = X.ravel()
    D = np.asarray(dg.jacobian(F, x0)).reshape(-1, x0.size)
    np.testing.assert_allclose(D, numerical_jacobian(F, x0), rtol=1e-6, atol=1e-7)
    S = dg.jacobian(F, x0, sparsity="auto").toarray()
    np.testing.assert_allclose(S, D, rtol=1e-11, atol=1e-13)
    assert not ((D != 0) & ~dg.sparsity(F, x0, mode="global").toarray()).any()
    c = np.random.default_rng(3).uniform(0.5, 1.5, D.shape[0])
    g = lambda x, big=0.0: np.sum(c * F(x)) + big * x[0] ** 2  # noqa: E731
    H = np.asarray(dg.hessian(g, x0))
    P = dg.hessian_sparsity(g, x0).toarray()
    scale = np.abs(H).max(initial=0.0)
    assert not ((np.abs(H) > 1e-12 * scale) & ~P).any()
    Hs = dg.hessian(g, x0, 1e12, sparsity="auto").toarray()
    np.testing.assert_allclose(Hs, H + np.diag([2e12] + [0.0] * (x0.size - 1)),
                               rtol=1e-9, atol=1e-9 * max(scale, 1.0))


def _ufunc_rules():
    import scipy.special  # noqa: F401 - the table's scipy rows
    from dualgrad.rules import _table
    _table._load_scipy()
    return sorted((r for r in _table.RULES.values() if r.kind == "smooth"),
                  key=lambda r: r.name)


@pytest.mark.parametrize("rule", _ufunc_rules(), ids=lambda r: r.name)
def test_every_smooth_ufunc_pairs_all_its_arguments_in_the_hessian_pattern(rule):
    """Each float argument a sum of two inputs (so every argument's inputs meet each
    other, the third argument's too), at the rule's oracle point: the Hessian
    pattern covers the dense Hessian's nonzeros and the sparse Hessian is the
    dense one."""
    from _oracles import SECOND_REFUSED, points
    if rule.name in SECOND_REFUSED:
        pytest.skip("its second derivative is refused by name (tests/test_rules.py)")
    point = points(rule)[0]
    if np.iscomplexobj(rule.ufunc(*point)):
        pytest.skip("complex values: the tracer refuses them by name")
    floats = [k for k, d in enumerate(rule.domain)
              if d[-1] != "int" and rule.derivs[k] not in (None, "0")]
    x0 = np.concatenate([[point[k] * 0.25, point[k] * 0.75] for k in floats] + [[0.4]])

    def g(x):
        args = list(point)
        for j, k in enumerate(floats):
            args[k] = x[2 * j] + x[2 * j + 1]
        return np.sum(rule.ufunc(*args)) + x[-1] ** 2
    H = np.asarray(dg.hessian(g, x0))
    if not np.all(np.isfinite(H)):
        pytest.skip("a non-finite Hessian at the oracle point")
    P = dg.hessian_sparsity(g, x0).toarray()
    assert not ((H != 0) & ~P).any()
    np.testing.assert_allclose(dg.hessian(g, x0, sparsity="auto").toarray(), H,
                               rtol=1e-10, atol=1e-12)


_LIST_OPERANDS = {
    # a list or tuple holding a tracer is one array operand, as NumPy and the dense side
    # read it; the tracer took it for a constant: a missed entry, and the compressed
    # Jacobian merged two columns into one silently (attack47 06)
    "x[:2] + list": lambda x: x[:2] + [x[2], 0.0],
    "a boundary term": lambda u: np.concatenate([[u[0] - 1.0], u[1:] - u[:-1] ** 2]) +
    [u[-1], 0.0, 0.0],
    "np.logaddexp": lambda x: np.logaddexp(x[:2], [x[2], 0.0]),
    "np.hypot of a tuple": lambda x: np.hypot(x[:2], (x[2], 1.0)),
    "np.arctan2": lambda x: np.arctan2([x[2], 1.0], x[:2]),
    "np.power": lambda x: np.power(x[:2], [x[2], 2.0]),
    "np.maximum": lambda x: np.maximum(x[:2], [x[2], 0.0]),
    "np.clip's lower bound": lambda x: np.clip(x[:2], [x[1], 0.0], 2.0),
    "np.clip's upper bound": lambda x: np.clip(x[:2], 0.0, [x[2], x[0]]),
    "np.interp's fp": lambda x: np.interp(x[2:] - 0.7, [0.0, 0.5, 1.0], [x[0], 1.0, x[1]]),
    "np.interp's xp": lambda x: np.interp(x[:1], [0.0, x[1], 2.0], [0.0, 1.0, 3.0]),
    "a nested list": lambda x: (x[:2] * [[x[2], 1.0], [2.0, x[0]]]).ravel(),
    "a list of arrays": lambda x: (x[:2] + [x[1:], x[:2]]).ravel(),
    # np.where's branches, item assignment and np.copyto (attack47 06b, 06c, 06d)
    "np.where's list branch": lambda x: np.where(x[:2] > 0, [x[2], 0.0], x[:2]),
    "np.where's tuple branch": lambda x: np.where(x[:2] < 0, 2 * x[:2], (x[2], 0.0)),
    "item assignment of a list": lambda x: _assigned(x, lambda y: y.__setitem__(
        slice(0, 2), [x[2], 1.0])),
    "np.copyto of a tuple": lambda x: _assigned(x, lambda y: np.copyto(y, (x[2], 1.0, x[0]))),
    "np.copyto where=": lambda x: _assigned(x, lambda y: np.copyto(
        y, [x[2], 1.0, x[0]], where=np.array([True, False, True]))),
}


def _assigned(x, write):
    y = x * 1.0
    write(y)
    return y


@pytest.mark.parametrize("case", list(_LIST_OPERANDS))
def test_list_operands_holding_tracers_are_arrays(case):
    f = _LIST_OPERANDS[case]
    x = np.array([0.3, 0.8, 1.4])
    from dualgrad.testing import numerical_jacobian
    want = numerical_jacobian(f, x)
    assert (np.abs(want[~dg.sparsity(f, x).toarray()]) < 1e-8).all()     # none missed
    np.testing.assert_allclose(dg.jacobian(f, x, sparsity="auto").toarray(), want,
                               rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("spec", ["i,i->i", "ij,j->i"])
def test_einsum_hessian_pattern_with_a_list_operand(spec):
    # a tracer inside a list operand of np.einsum: a raw KeyError in the batch-index
    # pairing (attack47 07); the pattern is a superset of the Hessian's nonzeros
    x = np.array([0.2, -0.5, 0.9, 0.4])
    B = np.array([[1.0, 2.0], [0.5, -1.0]])
    first = (lambda x: x[:2]) if spec == "i,i->i" else (lambda x: B * x[3])

    def h(x):
        return np.sum(np.einsum(spec, first(x), [x[2], 1.0]) ** 2)
    from dualgrad.testing import numerical_jacobian
    want = numerical_jacobian(lambda z: numerical_jacobian(h, z).ravel(), x)
    P = dg.hessian_sparsity(h, x).toarray()
    assert (np.abs(want[~P]) < 1e-5).all()
    np.testing.assert_allclose(dg.hessian(h, x, sparsity="auto").toarray(), want,
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("spell", [
    lambda x: np.append(x[0], np.asarray(np.sin(x))),
    lambda x: np.hstack([x[0], np.asarray(np.sin(x))]),
    lambda x: np.append(np.array([x[0], np.sin(x[1])]), np.sin(x)),
])
def test_joins_of_object_arrays_of_tracers_have_their_rows(spell):
    """diff59 S1: np.asarray of the tracer (an object array) joined with others raised a
    bare KeyError under sparsity="auto" (its rows were looked up before it became a tracer).
    Oracle: the closed form [e_0 or (e_0, cos x_1 e_1); diag(cos x)]."""
    x = X[:4]
    head = [np.eye(4)[0]] if spell(x).size == 5 else [np.eye(4)[0], np.cos(x[1]) * np.eye(4)[1]]
    want = np.vstack(head + [np.diag(np.cos(x))])
    got = dg.jacobian(spell, x, sparsity="auto")
    np.testing.assert_allclose(got.toarray(), want, rtol=1e-15, atol=0)
