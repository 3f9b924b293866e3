"""Colorings, compressed seeding and decompression (dualgrad.api._coloring).

Sparse Jacobians and Hessians are checked against analytic derivatives; the
colorings against their definitions and against SciPy's column grouping.
"""

import concurrent.futures as cf
import warnings

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")
from scipy.optimize._numdiff import group_columns  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad.api import _coloring  # noqa: E402


def random_pattern(rng, m, n, density):
    P = sp.random(m, n, density=density, random_state=rng, format="csr") != 0
    return _coloring.as_pattern("test", P)


@pytest.mark.parametrize("seed", range(6))
def test_column_colors_separate_shared_rows_and_beat_scipy_grouping(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(20, 120, size=2)
    P = random_pattern(rng, m, n, rng.uniform(0.01, 0.15))
    color = _coloring.column_coloring(P)
    dense = P.toarray()
    for c in range(color.max() + 1):          # no row holds two columns of one color
        assert dense[:, color == c].sum(axis=1).max() <= 1
    assert color.max() + 1 <= group_columns(dense).max() + 1


def test_column_colors_on_banded_and_arrowhead_patterns():
    n = 60
    band = _coloring.as_pattern("t", sp.diags([1.0, 1.0, 1.0, 1.0, 1.0], [-2, -1, 0, 1, 2], (n, n)))
    assert _coloring.column_coloring(band).max() + 1 == 5
    arrow = np.eye(n, dtype=bool)
    arrow[0, :] = arrow[:, 0] = True
    assert _coloring.column_coloring(_coloring.as_pattern("t", arrow)).max() + 1 == n


def star_ok(P, color):
    """Every off-diagonal nonzero is alone in its color in row i or in row j."""
    A = P.toarray()
    n = A.shape[0]
    for i, j in zip(*np.nonzero(A)):
        if i == j:
            continue
        assert color[i] != color[j]
        alone_i = np.sum(A[i] & (color == color[j])) == 1
        alone_j = np.sum(A[j] & (color == color[i])) == 1
        assert alone_i or alone_j, (i, j)
    return n


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.engine_independent
def test_star_coloring_on_random_symmetric_patterns(seed):
    rng = np.random.default_rng(10 + seed)
    n = int(rng.integers(20, 90))
    P = random_pattern(rng, n, n, rng.uniform(0.02, 0.1))
    P = _coloring.as_pattern("t", P + P.T)
    star_ok(P, _coloring.star_coloring(P))


def test_star_coloring_uses_fewer_colors_than_columns_on_arrowhead():
    n = 40
    A = np.eye(n, dtype=bool)
    A[0, :] = A[:, 0] = True
    P = _coloring.as_pattern("t", A)
    color = _coloring.star_coloring(P)
    star_ok(P, color)
    assert color.max() + 1 == 2                    # the column coloring needs n


# ---- sparse Jacobians against analytic ones --------------------------------------

def banded(x):
    out = np.zeros_like(x)
    out[1:-1] = x[:-2] - 2.0 * x[1:-1] ** 2 + np.sin(x[2:])
    out[0] = x[0] * x[-1]
    out[-1] = np.exp(x[-1])
    return out


def banded_jac(x):
    n = x.size
    J = np.zeros((n, n))
    i = np.arange(1, n - 1)
    J[i, i - 1] = 1.0
    J[i, i] = -4.0 * x[i]
    J[i, i + 1] = np.cos(x[i + 1])
    J[0, 0], J[0, -1] = x[-1], x[0]
    J[-1, -1] = np.exp(x[-1])
    return J


def arrowhead(x):
    return np.concatenate([[np.sum(x ** 2)], x[1:] * x[0]])


def arrowhead_jac(x):
    n = x.size
    J = np.zeros((n, n))
    J[0] = 2.0 * x
    J[1:, 0] = x[1:]
    J[np.arange(1, n), np.arange(1, n)] = x[0]
    return J


def block(x):                                      # 2 x 2 blocks, rectangular output
    a, b = x[0::2], x[1::2]
    return np.concatenate([a * b, a - b ** 3, np.tanh(a)])


def block_jac(x):
    n = x.size
    a, b = x[0::2], x[1::2]
    k = n // 2
    J = np.zeros((3 * k, n))
    r = np.arange(k)
    J[r, 2 * r], J[r, 2 * r + 1] = b, a
    J[k + r, 2 * r], J[k + r, 2 * r + 1] = 1.0, -3.0 * b ** 2
    J[2 * k + r, 2 * r] = 1.0 - np.tanh(a) ** 2
    return J


CASES = [(banded, banded_jac), (arrowhead, arrowhead_jac), (block, block_jac)]


@pytest.mark.parametrize("f, jac", CASES, ids=["banded", "arrowhead", "block"])
def test_sparse_jacobian_with_given_pattern_matches_analytic(f, jac):
    x = np.random.default_rng(1).uniform(0.2, 1.5, 24)
    exact = jac(x)
    J = dg.jacobian(f, x, sparsity=exact != 0)
    assert sp.issparse(J) and J.format == "csr" and J.shape == exact.shape
    np.testing.assert_allclose(J.toarray(), exact, rtol=1e-14, atol=0)
    for fmt in ("csc", "coo"):
        Jf = dg.jacobian(f, x, sparsity=sp.csr_matrix(exact != 0), format=fmt)
        assert Jf.format == fmt
        np.testing.assert_allclose(Jf.toarray(), exact, rtol=1e-14, atol=0)
    # CSC is read straight into the pattern's column layout: canonical, every entry
    # of the pattern stored once, in the pattern's row order per column
    P = dg.sparsity(f, x)
    C = dg.jacobian(f, x, sparsity=P, format="csc")
    assert C.format == "csc" and C.has_canonical_format and C.nnz == P.nnz
    np.testing.assert_array_equal(C.indptr, P.tocsc().indptr)
    np.testing.assert_allclose(C.toarray(), exact, rtol=1e-14, atol=0)


def test_sparse_jacobian_chunks_executors_and_progress_agree(capsys):
    x = np.random.default_rng(2).uniform(0.2, 1.5, 30)
    P = banded_jac(x) != 0
    ref = dg.jacobian(banded, x, sparsity=P)
    np.testing.assert_allclose(ref.toarray(), banded_jac(x), rtol=1e-14)
    for kw in ({"chunk": 1}, {"chunk": 2}, {"progress": True}):
        np.testing.assert_array_equal(dg.jacobian(banded, x, sparsity=P, **kw).toarray(),
                                      ref.toarray())
    with cf.ThreadPoolExecutor(2) as pool:
        np.testing.assert_array_equal(
            dg.jacobian(banded, x, sparsity=P, chunk=1, executor=pool).toarray(),
            ref.toarray())


def test_sparse_jacobian_passes_args_and_keeps_the_input():
    x = np.linspace(0.1, 1.0, 8)
    keep = x.copy()

    def f(x, a):
        x *= a                                   # f may write into its input
        return x ** 2
    J = dg.jacobian(f, x, 3.0, sparsity=np.eye(8, dtype=bool))
    np.testing.assert_allclose(J.diagonal(), 18.0 * x, rtol=1e-15)
    np.testing.assert_array_equal(x, keep)


def test_sparse_jacobian_errors():
    x = np.ones(4)
    with pytest.raises(ValueError, match="1-D array x"):
        dg.jacobian(lambda y: y, np.ones((2, 2)), sparsity=np.eye(4, dtype=bool))
    with pytest.raises(ValueError, match=r"f\(x\) 1-D"):
        dg.jacobian(lambda y: y.reshape(2, 2), x, sparsity=np.eye(4, dtype=bool))
    with pytest.raises(ValueError, match=r"shape \(3, 4\)"):
        dg.jacobian(lambda y: y[:3], x, sparsity=np.eye(4, dtype=bool))
    with pytest.raises(ValueError, match="format"):
        dg.jacobian(lambda y: y, x, sparsity=np.eye(4, dtype=bool), format="dense")
    with pytest.raises(ValueError, match="'auto'"):
        dg.jacobian(lambda y: y, x, sparsity="yes")
    with pytest.raises(TypeError, match="sparsity as a scipy.sparse matrix"):
        dg.jacobian(lambda y: y, x, sparsity=np.ones(4, dtype=bool))
    with pytest.raises(ValueError, match="batch_axis"):
        dg.jacobian(lambda y: y, np.ones((3, 4)), sparsity=np.eye(4, dtype=bool),
                    batch_axis=0)


def test_missing_scipy_names_the_install(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_scipy(name, *args, **kwargs):
        if name.startswith("scipy"):
            raise ImportError("no scipy here")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_scipy)
    with pytest.raises(ImportError, match="pip install scipy"):
        dg.jacobian(lambda y: y, np.ones(3), sparsity=np.eye(3, dtype=bool))


def test_constant_function_gives_an_empty_matrix():
    J = dg.jacobian(lambda y: np.ones(3) * 2.0, np.ones(4), sparsity=np.zeros((3, 4), bool))
    assert J.shape == (3, 4) and J.nnz == 0


# ---- sparse Hessians ---------------------------------------------------------------

def chain(x):
    return np.sum(x[1:] * x[:-1] ** 2) + np.sum(np.exp(x)) + x[0] * x[-1]


def chain_hess(x):
    n = x.size
    H = np.diag(np.exp(x))
    i = np.arange(n - 1)
    H[i, i] += 2.0 * x[1:]                           # d2/dx_i^2 of x_{i+1} x_i^2
    H[i, i + 1] += 2.0 * x[:-1]
    H[i + 1, i] += 2.0 * x[:-1]
    H[0, -1] += 1.0
    H[-1, 0] += 1.0
    return H


def test_sparse_hessian_is_exactly_symmetric_and_matches_analytic():
    x = np.random.default_rng(3).uniform(-1.0, 1.0, 20)
    exact = chain_hess(x)
    H = dg.hessian(chain, x, sparsity=exact != 0)
    assert sp.issparse(H) and H.format == "csr"
    assert (H != H.T).nnz == 0
    np.testing.assert_allclose(H.toarray(), exact, rtol=1e-13, atol=1e-15)
    upper = sp.triu(sp.csr_matrix(exact != 0))     # a triangle is enough
    np.testing.assert_allclose(dg.hessian(chain, x, sparsity=upper, chunk=1).toarray(),
                               exact, rtol=1e-13, atol=1e-15)


def test_sparse_hessian_arrowhead_needs_two_colors():
    x = np.linspace(0.1, 1.0, 12)

    def f(x):
        return x[0] * np.sum(x[1:] ** 2)
    exact = np.diag(np.r_[0.0, 2.0 * x[0] * np.ones(11)])
    exact[0, 1:] = exact[1:, 0] = 2.0 * x[1:]
    with cf.ThreadPoolExecutor(2) as pool:
        H = dg.hessian(f, x, sparsity=exact != 0, chunk=1, executor=pool)
    np.testing.assert_allclose(H.toarray(), exact, rtol=1e-14, atol=0)


def test_a_hand_pattern_missing_a_nonzero_raises_instead_of_wrong_entries():
    x = np.random.default_rng(4).uniform(0.2, 1.5, 12)
    P = banded_jac(x) != 0
    P[3, 4] = False                               # drop one nonzero
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.jacobian(banded, x, sparsity=P)
    P[3, 4] = True
    P[0, 5] = True                                # extra entries are fine: explicit zeros
    J = dg.jacobian(banded, x, sparsity=P)
    np.testing.assert_allclose(J.toarray(), banded_jac(x), rtol=1e-14)


def test_a_detected_pattern_is_kept_so_its_colors_are_cached():
    x = np.linspace(0.1, 1.0, 20)
    P = dg.sparsity(banded, x)
    assert _coloring.as_pattern("t", P) is P
    assert _coloring.column_coloring(P) is _coloring.column_coloring(P)


# ---- sparse Hessians of sums: both levels seeded with colors ---------------------

def sum_forms(x):
    s = 0.5 * np.sum((x[1:] - x[:-1] ** 2) ** 2)
    s += np.sum(np.cos(x)) / 3.0
    return s - np.sum(x[2:] * x[:-2]) + 2.0


def sum_forms_hess(x):
    """Analytic Hessian of ``sum_forms``."""
    n = x.size
    H = np.diag(-np.cos(x) / 3.0)
    a, b = x[:-1], x[1:]
    r = b - a ** 2                                  # 0.5 r^2: r' = (-2a, 1)
    i = np.arange(n - 1)
    H[i, i] += 4.0 * a ** 2 - 2.0 * r               # d2/da2 0.5 r^2 = (2a)^2 + r * (-2)
    H[i + 1, i + 1] += 1.0
    H[i, i + 1] += -2.0 * a
    H[i + 1, i] += -2.0 * a
    k = np.arange(n - 2)
    H[k, k + 2] -= 1.0
    H[k + 2, k] -= 1.0
    return H


def counting(f):
    calls = []

    def g(x, *args):
        calls.append(1)
        return f(x, *args)
    return g, calls


@pytest.mark.parametrize("n", [7, 2000])
def test_sparse_hessian_of_a_sum_costs_a_few_evaluations_whatever_the_size(n):
    # the summed elements separate: trace, one nested pass of (star colors x inner
    # colors) directions, one check pass; the full-gradient inner level took
    # n / chunk passes per outer chunk (134 s at n = 40,000)
    x = np.random.default_rng(5).uniform(-1.0, 1.0, n)
    g, calls = counting(sum_forms)
    H = dg.hessian(g, x, sparsity="auto")
    assert len(calls) <= 3
    assert (H != H.T).nnz == 0
    exact = sum_forms_hess(x)
    np.testing.assert_allclose(H.toarray(), exact, rtol=1e-13, atol=1e-13)
    g, calls = counting(sum_forms)
    P = sp.csr_matrix(exact != 0)
    np.testing.assert_allclose(dg.hessian(g, x, sparsity=P).toarray(), exact, rtol=1e-13,
                               atol=1e-13)
    assert len(calls) <= 3


def test_sparse_hessian_of_a_mean_takes_the_path_of_sums():
    x = np.random.default_rng(9).uniform(-1.0, 1.0, 500)
    f = lambda x: np.mean((x[1:] - x[:-1] ** 2) ** 2) - 2.0 * np.sum(x[2:] * x[:-2])  # noqa: E731
    g, calls = counting(f)
    H = dg.hessian(g, x, sparsity="auto")
    assert len(calls) <= 3
    np.testing.assert_allclose(H.toarray(), np.asarray(dg.hessian(f, x)), rtol=1e-12,
                               atol=1e-14)


def test_sparse_hessian_of_a_sum_with_chunks_executors_and_progress(capsys):
    x = np.random.default_rng(6).uniform(-1.0, 1.0, 30)
    exact = sum_forms_hess(x)
    with cf.ThreadPoolExecutor(2) as pool:
        for kw in ({"chunk": 1}, {"chunk": 2, "executor": pool}, {"progress": True}):
            H = dg.hessian(sum_forms, x, sparsity="auto", **kw)
            np.testing.assert_allclose(H.toarray(), exact, rtol=1e-13, atol=1e-13)


NOT_PLAIN_SUMS = [
    lambda x: np.sum(x) ** 2 + np.sum(np.exp(x[::2]) * x[1::2]),     # a sum used nonlinearly
    lambda x: np.sum(x * x) + x[0] ** 3,                               # a term outside sums
    lambda x: np.mean(x[1:] * x[:-1]) + np.linalg.norm(x) ** 2,        # other reductions
    lambda x: np.sum(x[1:] * x[:-1] / np.sum(x ** 2)),                 # a sum inside a sum
    lambda x: np.sum(np.sum(x.reshape(2, -1) ** 3, axis=0) * x[:x.size // 2]),
    lambda x: sum(np.sum(x[k::3] ** 2) * (k + 1) for k in range(3)) * x[0],
    lambda x: np.sum((x - np.mean(x)) ** 2 * x),   # mean sums inside the dual engine only
]


@pytest.mark.parametrize("f", NOT_PLAIN_SUMS)
def test_sparse_hessians_of_other_scalars_match_the_dense_hessian(f):
    x = np.random.default_rng(7).uniform(0.3, 1.2, 12)
    dense = np.asarray(dg.hessian(f, x))
    H = dg.hessian(f, x, sparsity="auto")
    assert (H != H.T).nnz == 0
    np.testing.assert_allclose(H.toarray(), dense, rtol=1e-12, atol=1e-13)


def test_a_hand_hessian_pattern_missing_a_nonzero_raises():
    x = np.random.default_rng(8).uniform(-1.0, 1.0, 10)
    P = sum_forms_hess(x) != 0
    P[2, 4] = P[4, 2] = False                     # drop one pair
    for f in (sum_forms, lambda x: sum_forms(x) * 1.0 + 0.0 * np.sum(x) ** 2):
        with pytest.raises(ValueError, match="misses nonzeros"):
            dg.hessian(f, x, sparsity=P)


# ---- no colors: an empty x, an empty pattern (attack15) ----------------------------

@pytest.mark.parametrize("format", ["csr", "csc", "coo"])
@pytest.mark.parametrize("sparsity", ["auto", "given"])
@pytest.mark.parametrize("f, m", [
    (lambda v: np.ones(2) + np.sum(v), 2),                  # a whole sum of 0 directions
    (lambda v: np.ones(2) * np.mean(v ** 2) if v.size else np.ones(2), 2),
    (lambda v: np.ones(2) + v @ v, 2),                      # a product with 0 columns
    (lambda v: v[:0], 0),
], ids=["sum", "mean", "matmul", "empty-out"])
def test_sparse_jacobian_of_an_empty_x_is_an_empty_matrix(f, m, sparsity, format):
    # an empty x has an (m, 0) Jacobian, as the dense helper says: no NumPy reshape error
    assert np.shape(dg.jacobian(f, np.array([]))) == (m, 0)
    P = "auto" if sparsity == "auto" else np.zeros((m, 0), bool)
    J = dg.jacobian(f, np.array([]), sparsity=P, format=format)
    assert sp.issparse(J) and J.format == format and J.shape == (m, 0) and J.nnz == 0


@pytest.mark.parametrize("format", ["csr", "csc"])
@pytest.mark.parametrize("sparsity", ["auto", "given"])
def test_sparse_hessian_of_an_empty_x_is_an_empty_matrix(sparsity, format):
    f = lambda v: 1.0 + np.sum(v ** 2)  # noqa: E731
    assert np.shape(dg.hessian(f, np.array([]))) == (0, 0)
    P = "auto" if sparsity == "auto" else np.zeros((0, 0), bool)
    H = dg.hessian(f, np.array([]), sparsity=P, format=format)
    assert sp.issparse(H) and H.format == format and H.shape == (0, 0)


def test_an_all_false_pattern_with_sums_in_f_gives_zeros():
    # the derivative is 0 (floor is locally constant): an all-False pattern holds it
    f = lambda v: np.ones(2) * np.sum(np.floor(v)) + (v @ v - v @ v)  # noqa: E731
    x = np.arange(1.0, 4.0)
    np.testing.assert_array_equal(dg.jacobian(f, x), np.zeros((2, 3)))
    for P in ("auto", np.zeros((2, 3), bool)):
        J = dg.jacobian(f, x, sparsity=P)
        assert J.shape == (2, 3) and not J.toarray().any()
    H = dg.hessian(lambda v: np.sum(np.floor(v)), x, sparsity=np.zeros((3, 3), bool))
    assert H.shape == (3, 3) and not H.toarray().any()


# ---- format= and sparsity= where they do not apply; a pattern's structure ----------

def test_format_without_sparsity_raises_naming_the_fix():
    x = np.arange(1.0, 4.0)
    for call in (lambda: dg.jacobian(lambda v: v * 2.0, x, format="csc"),
                 lambda: dg.hessian(lambda v: np.sum(v ** 3), x, format="csr")):
        with pytest.raises(ValueError, match=r"format= together with sparsity=.*"
                                             r"Pass sparsity='auto'"):
            call()
    J = dg.jacobian(lambda v: v * 2.0, x, sparsity="auto", format="csc")
    assert J.format == "csc"
    np.testing.assert_array_equal(J.toarray(), 2.0 * np.eye(3))
    H = dg.hessian(lambda v: np.sum(v ** 3), x, sparsity="auto", format="coo")
    assert H.format == "coo"
    np.testing.assert_array_equal(H.toarray(), np.diag(6.0 * x))     # d2/dx2 x^3 = 6x
    assert type(dg.jacobian(lambda v: v * 2.0, x)) is np.ndarray      # no format: dense


@pytest.mark.parametrize("name", ["sparsity", "format"])
@pytest.mark.parametrize("helper", ["gradient", "jvp", "derivative"])
def test_sparse_options_on_other_helpers_are_never_passed_to_f(helper, name):
    seen = []

    def f(v, **kw):
        seen.append(kw)
        return np.sum(v ** 2)
    x = np.arange(1.0, 4.0)
    value = {"sparsity": "auto", "format": "csc"}[name]
    call = {"gradient": lambda: dg.gradient(f, x, **{name: value}),
            "jvp": lambda: dg.jvp(f, x, x, **{name: value}),
            "derivative": lambda: dg.derivative(f, 2.0, **{name: value})}[helper]
    with pytest.raises(TypeError, match=rf"dualgrad.{helper}: expected its own options "
                                        rf"\({name}= is .*functools.partial"):
        call()
    assert seen == []


def test_a_scipy_pattern_is_its_stored_entries_even_explicit_zeros():
    # SciPy's jac_sparsity reads the structure: stored 0.0 (or NaN) entries are in it
    f = lambda v: np.roll(v, 1) * v  # noqa: E731
    x = np.arange(1.0, 7.0)
    n = x.size
    J = np.diag(np.roll(x, 1))                           # d/dx_i of x_{i-1} x_i
    J[np.arange(n), np.arange(n) - 1] += x               # d/dx_{i-1}
    for fill in (0.0, np.nan):
        for fmt in ("csr", "csc", "coo"):
            M = sp.csr_matrix(J != 0).astype(float).asformat(fmt)
            M.data[:] = fill
            got = dg.jacobian(f, x, sparsity=M)
            np.testing.assert_array_equal(got.toarray(), J)
            assert got.nnz == 2 * n
    # a COO pattern whose duplicates add up to 0 still stores the entry
    D = sp.coo_matrix((np.array([1.0, -1.0]), ([0, 0], [0, 0])), shape=(1, 1))
    np.testing.assert_array_equal(dg.jacobian(lambda v: 3.0 * v, np.ones(1),
                                              sparsity=D).toarray(), [[3.0]])
    # a boolean CSR with stored False entries: stored, so in the pattern too
    B = sp.csr_matrix((np.zeros(n, bool), np.arange(n), np.arange(n + 1)), shape=(n, n))
    Hd = np.diag(6.0 * x)                                 # Hessian of sum(x^3)
    np.testing.assert_array_equal(
        dg.hessian(lambda v: np.sum(v ** 3), x, sparsity=B).toarray(), Hd)
    # an array pattern is its nonzeros (0 is outside it): missing the diagonal raises
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.jacobian(f, x, sparsity=(J != 0) & ~np.eye(n, dtype=bool))


def test_a_pattern_no_coloring_compresses_is_checked_entry_by_entry_in_one_pass():
    """A lower triangle (a running sum) gives every column its own color: the passes
    already hold the whole Jacobian, so the hand pattern is checked from it, with no
    probe pass (a new user's 50 %-dense pattern took 11.2 s against 6.7 s dense: f
    loops in Python, and the probe evaluated it a second time).  A missed entry still
    raises, naming it; the result equals the dense Jacobian to the bit."""
    calls = []

    def running(x):
        calls.append(1)
        out = np.zeros_like(x)
        for i in range(1, x.size):
            out[i] = out[i - 1] + np.sin(x[i]) * x[i - 1]
        return out

    x = np.linspace(0.1, 1.0, 40)
    P = np.tril(np.ones((40, 40), dtype=bool))
    dense = dg.jacobian(running, x)
    calls.clear()
    J = dg.jacobian(running, x, sparsity=P)
    assert len(calls) == 1
    np.testing.assert_array_equal(J.toarray(), dense)
    i, j = np.arange(40)[:, None], np.arange(40)[None, :]     # the analytic entries
    exact = np.where(j == i, np.cos(x)[i] * np.r_[0.0, x[:-1]][i], 0.0) + \
        np.where(j == i - 1, np.sin(x)[np.minimum(i, 39)], 0.0)
    exact = np.cumsum(np.where(j <= i, exact, 0.0), axis=0)
    exact[0] = 0.0
    np.testing.assert_allclose(dense, exact, rtol=1e-14, atol=1e-15)
    P[30, 7] = False
    with pytest.raises(ValueError, match=r"misses nonzeros \(J\[30, 7\] = .* outside"):
        dg.jacobian(running, x, sparsity=P)


def test_a_dense_pattern_warns_and_names_the_dense_jacobian():
    """A new user's reaction network: ``dg.sparsity(mode="global")`` through a batched
    ``np.einsum`` is dense (the global mode takes einsum's dependence as complete), and
    the sparse Jacobian of that pattern cost many times the dense one, silently.  More
    than half of a pattern of 64 or more columns warns at the user's line; the
    Jacobian itself stays exact (against the analytic one)."""
    Q = np.zeros((3, 3, 3))
    Q[0, 1, 2], Q[1, 0, 0], Q[2, 2, 1] = 1.0, 2.0, 1.0

    def rates(y):
        Y = y.reshape(-1, 3)
        return np.einsum("ijk,nj,nk->ni", Q, Y, Y).ravel()

    def analytic(y):
        Y = y.reshape(-1, 3)
        blocks = np.einsum("ijk,nk->nij", Q, Y) + np.einsum("ijk,nj->nik", Q, Y)
        J = np.zeros((y.size, y.size))
        for c, block in enumerate(blocks):
            J[3 * c:3 * c + 3, 3 * c:3 * c + 3] = block
        return J
    y = np.random.default_rng(5).uniform(0.5, 1.5, 66)
    P = dg.sparsity(rates, y, mode="global")
    assert P.nnz == y.size ** 2                      # the global mode's complete einsum
    with pytest.warns(UserWarning, match=r"(?s)dualgrad.jacobian: the sparsity pattern "
                                         r"given holds 4,356 of 4,356.*without sparsity="):
        J = dg.jacobian(rates, y, sparsity=P)
    np.testing.assert_allclose(J.toarray(), analytic(y), rtol=1e-14, atol=1e-15)
    local = dg.sparsity(rates, y)                    # its zeros kept: no warning
    assert local.nnz <= 9 * 22                        # within the cells' 3 x 3 blocks
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(dg.jacobian(rates, y, sparsity=local).toarray(),
                                   analytic(y), rtol=1e-14, atol=1e-15)
        small = y[:63]                               # a dense pattern of 63 columns: quiet
        dg.jacobian(rates, small, sparsity=np.ones((63, 63), dtype=bool))


# ---- a given pattern inside another derivative (the outer call's duals in the entries) ----

X_OUTER = np.array([0.7, 1.3, 0.4])


def _inner_jacobian(f, pattern):
    """p -> the stored entries of dg.jacobian(q -> f(q, p), p, sparsity=pattern)."""
    return lambda p: dg.jacobian(lambda q: f(q, p), p, sparsity=pattern).data


@pytest.mark.parametrize("pattern", [np.eye(3), np.tril(np.ones((3, 3)))],
                         ids=["diagonal", "triangle"])
def test_given_pattern_inside_another_derivative_is_exact(pattern):
    # J(p)_ii = 2 p_i p_0 + p_1 cos(p_i p_1) (and the triangle's zero entries stored):
    # its Jacobian in p, written out, is the oracle
    f = lambda q, p: q * q * p[0] + np.sin(q * p[1])
    got = dg.jacobian(_inner_jacobian(f, pattern), X_OUTER)
    p = X_OUTER
    d = np.zeros((3, 3))                                   # d J_ii / d p_k
    for i in range(3):
        d[i, i] += 2 * p[0] - p[1] ** 2 * np.sin(p[i] * p[1])
        d[i, 0] += 2 * p[i]
        d[i, 1] += np.cos(p[i] * p[1]) - p[i] * p[1] * np.sin(p[i] * p[1])
    diag_rows = [k for k, (r, c) in enumerate(zip(*np.nonzero(pattern))) if r == c]
    np.testing.assert_allclose(got[diag_rows], d, rtol=1e-13, atol=1e-15)
    off = np.setdiff1d(np.arange(got.shape[0]), diag_rows)
    assert np.all(got[off] == 0.0)


@pytest.mark.parametrize("pattern", [np.eye(3), np.tril(np.ones((3, 3)))],
                         ids=["diagonal", "triangle"])
def test_given_pattern_inside_another_derivative_checks_the_outer_partials(pattern):
    # q[::-1] * (p0 - 0.7) puts entries outside the pattern that are 0 at p0 = 0.7 but
    # whose derivative in p0 is not: the value level alone would pass the pattern
    f = lambda q, p: q * q + q[::-1] * (p[0] - 0.7) + q[0] * (p[1] - 1.3)
    with pytest.raises(ValueError, match="misses nonzeros .*outer call's partials"):
        dg.jacobian(_inner_jacobian(f, pattern), X_OUTER)


def _nested_oracle(f):
    """d J_ii(p) / dp of the inner diagonal Jacobian, by the dense nested call (dualgrad's
    dense path, checked against the closed form above) and by central differences."""
    diag = lambda p: np.diag(dg.jacobian(lambda q: f(q, p), p))
    h, p = 1e-6, X_OUTER
    fd = np.stack([(diag(p + h * e) - diag(p - h * e)) / (2 * h) for e in np.eye(3)], 1)
    return dg.jacobian(diag, p), fd


def test_csc_pattern_inside_another_derivative_is_exact():
    # format="csc" built the matrix, then the pattern check converted the dual entries
    # with SciPy's tocsr (attack48b 16): the levels are now split before any conversion
    f = lambda q, p: q * q * p[0] + np.sin(q * p[1])
    got = dg.jacobian(lambda p: dg.jacobian(lambda q: f(q, p), p, sparsity=np.eye(3),
                                            format="csc").data, X_OUTER)
    dense, fd = _nested_oracle(f)
    np.testing.assert_allclose(got, dense, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(got, fd, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("spell", ["coo", "dia", "toarray", "tocoo", "auto x", "auto f"])
def test_sparse_jacobian_inside_another_derivative_names_what_works(spell):
    # SciPy holds dual entries only in a compressed matrix's data: the other formats,
    # conversions and sparsity="auto" (a tracer on plain numbers) refuse, naming J.data
    # or a pattern detected outside (attack48b 15 / 16; they named SciPy calls or
    # dualgrad.sparsity, neither written by the user)
    f = lambda q, p: q * q * p[0] + np.sin(q * p[1])
    inner = {
        "coo": lambda p: dg.jacobian(lambda q: f(q, p), p, sparsity=np.eye(3),
                                     format="coo").data,
        "dia": lambda p: dg.jacobian(lambda q: f(q, p), p, sparsity=np.eye(3),
                                     format="dia").data,
        "toarray": lambda p: dg.jacobian(lambda q: f(q, p), p,
                                         sparsity=np.eye(3)).toarray().ravel(),
        "tocoo": lambda p: dg.jacobian(lambda q: f(q, p), p, sparsity=np.eye(3)).tocoo().data,
        "auto x": lambda p: dg.jacobian(lambda q: f(q, p), p, sparsity="auto").data,
        "auto f": lambda p: dg.jacobian(lambda q: f(q, p), X_OUTER, sparsity="auto").data,
    }[spell]
    fix = "J.data" if spell in ("coo", "dia", "toarray", "tocoo") else r"dg\.sparsity\(lambda"
    with pytest.raises((TypeError, ValueError), match=fix) as info:
        dg.jacobian(inner, X_OUTER)
    # the tracer meets f's outer duals itself (it runs on plain numbers) and says so
    who = "dualgrad.sparsity: expected plain numbers" if spell == "auto f" else \
        "dualgrad.jacobian"
    assert who in str(info.value)
