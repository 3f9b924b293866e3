"""Products that are ``a @ b`` of a 1-D or 2-D ``a`` and a 1-D ``b`` (issue 13, prod13):
dispatch's lean line (``_linalg._lean_product``) and the backend's four-direction
kernel (``backend.matvec``).

The oracle is a central difference along each direction: ``t -> f(a + t da, b + t db)``
is a quadratic in ``t`` for a bilinear ``f``, so ``(f(h) - f(-h)) / 2h`` is its
derivative at 0 up to the rounding of the float products (no truncation error), with
``f`` NumPy's own call on floats.  The kernel (numba) and NumPy's BLAS products are
held to it and to each other, over both dual operands, one, non-contiguous and
Fortran-ordered partials, empty operands and values holding inf or NaN.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.dual._base import new_tag

FUNCS = {
    "dot": np.dot,
    "inner": np.inner,
    "vdot": np.vdot,
    "matmul": np.matmul,
    "vecdot": np.vecdot,
    "linalg.vecdot": np.linalg.vecdot,
    "tensordot": lambda a, b: np.tensordot(a, b, 1),
    "operator": lambda a, b: a @ b,
}
SHAPES = [((1,), (1,)), ((5,), (5,)), ((1000,), (1000,)), ((3001,), (3001,)),
          ((3, 700), (700,)), ((40, 51), (51,)), ((0, 5), (5,)), ((4, 0), (0,))]


def _oracle(f, a, pa, b, pb, h=0.5):
    """Each direction's central difference of ``f`` on floats (exact for a bilinear
    ``f`` up to rounding), directions last."""
    n = (pa if pa is not None else pb).shape[-1]
    cols = []
    for k in range(n):
        da = 0.0 if pa is None else pa[..., k]
        db = 0.0 if pb is None else pb[..., k]
        cols.append((np.asarray(f(a + h * da, b + h * db)) -
                     np.asarray(f(a - h * da, b - h * db))) / (2 * h))
    return np.stack(cols, axis=-1)


def _scale(f, a, pa, b, pb):
    """The size of the products' terms (the rounding the oracle and the product carry)."""
    n = (pa if pa is not None else pb).shape[-1]
    ones = np.ones(n)
    left = 0.0 if pa is None else np.asarray(f(np.abs(pa[..., 0]), np.abs(b)))
    right = 0.0 if pb is None else np.asarray(f(np.abs(a), np.abs(pb[..., 0])))
    return (np.abs(left) + np.abs(right) + 1.0)[..., None] * ones


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("n", [1, 3, 4])
@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_against_central_differences(name, shapes, n, engine):
    """Both operands duals, or one: values NumPy's bits, partials the oracle's."""
    f = FUNCS[name]
    if name == "vdot" and len(shapes[0]) == 2:
        pytest.skip("np.vdot flattens a matrix: not a @ b")
    rng = np.random.default_rng(sum(shapes[0]) + n)
    a, b = rng.uniform(-1.0, 1.0, shapes[0]), rng.uniform(-1.0, 1.0, shapes[1])
    pa, pb = rng.standard_normal(a.shape + (n,)), rng.standard_normal(b.shape + (n,))
    tag = new_tag()
    da, db = dg.Dual(a, pa, tag=tag), dg.Dual(b, pb, tag=tag)
    with backend.use(engine):
        for x, y, p, q in ((da, db, pa, pb), (da, b, pa, None), (a, db, None, pb)):
            got = f(x, y)
            want = f(a, b)
            assert np.asarray(got.value).tobytes() == np.asarray(want).tobytes()
            oracle = _oracle(f, a, p, b, q)
            assert np.shape(got.partials) == oracle.shape
            np.testing.assert_allclose(got.partials, oracle, rtol=0,
                                       atol=1e-13 * _scale(f, a, p, b, q).max(initial=1.0))


@pytest.mark.parametrize("shapes", [((2000,), (2000,)), ((30, 70), (70,))])
def test_kernel_runs_and_agrees_with_blas(shapes):
    """Four directions, C-contiguous float64 partials: the kernel runs (the backend
    answers), and its partials are BLAS's (the NumPy engine's) to rounding; other
    widths and layouts decline, and dispatch then takes the BLAS products."""
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    A = a.reshape(-1, b.shape[0])
    pa, pb = rng.standard_normal(a.shape + (4,)), rng.standard_normal(b.shape + (4,))
    pA = pa.reshape(A.shape + (4,))
    with backend.use("numba"):
        fast = backend.matvec(A, pA, b, pb)
        assert fast is not None and fast.shape == (A.shape[0], 4)
        assert backend.matvec(A, pA, b, None) is not None
        assert backend.matvec(A, None, b, pb) is not None
        assert backend.matvec(A, pA[..., :3].copy(), b, pb[:, :3].copy()) is None
        assert backend.matvec(A, np.asfortranarray(pA), b, pb) is None
    blas = np.matmul(b, pA) + np.matmul(A, pb)
    np.testing.assert_allclose(fast, blas, rtol=1e-12, atol=1e-12)
    with backend.use("numpy"):
        assert backend.matvec(A, pA, b, pb) is None
    tag = new_tag()
    for use in ("numba", "numpy"):
        with backend.use(use):
            got = np.dot(dg.Dual(a, pa, tag=tag), dg.Dual(b, pb, tag=tag)).partials
        np.testing.assert_allclose(np.reshape(got, blas.shape), blas, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("left, right", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("writable", [True, False])
def test_kernel_sums_each_direction_in_order(left, right, writable):
    """matvec4 is compiled with LLVM's SLP vectorizer on (prod14): one 4-wide
    operation across the directions, but each direction's sum is the same additions
    in the same order as a plain loop, bit for bit: the last of ``np.cumsum``'s
    running sums (sequential) of the rounded terms ``p[i, j] v[j] + a[i, j] q[j]``.
    Read-only operands are another signature, compiled on first call as usual."""
    rng = np.random.default_rng(9)
    A, v = rng.standard_normal((40, 513)), rng.standard_normal(513)
    p, q = rng.standard_normal((40, 513, 4)), rng.standard_normal((513, 4))
    for x in (A, v, p, q):
        x.flags.writeable = writable
    with backend.use("numba"):
        got = backend.matvec(A, p if left else None, v, q if right else None)
    terms = 0.0
    if left:
        terms = p * v[None, :, None]
    if right:
        terms = terms + A[..., None] * q[None]
    np.testing.assert_array_equal(got, np.cumsum(terms, axis=1)[:, -1])


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_strided_and_fortran_partials(engine):
    """Views whose partials are not C-contiguous (reversed, every other element,
    Fortran order) give the oracle's partials: the BLAS products take them."""
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((12, 800)), rng.standard_normal(1600)
    pa, pb = rng.standard_normal((12, 800, 4)), rng.standard_normal((1600, 4))
    tag = new_tag()
    dA = dg.Dual(np.asfortranarray(a), np.asfortranarray(pa), tag=tag)
    db = dg.Dual(b, pb, tag=tag)
    with backend.use(engine):
        for x, y, av, bv, p, q in ((dA, db[::2], a, b[::2], pa, pb[::2]),
                                   (dA[:, ::-1], db[:800], a[:, ::-1], b[:800], pa[:, ::-1],
                                    pb[:800])):
            got = np.dot(x, y)
            oracle = _oracle(np.dot, av, p, bv, q)
            np.testing.assert_allclose(got.partials, oracle, rtol=0,
                                       atol=1e-13 * _scale(np.dot, av, p, bv, q).max(initial=1.0))


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_nonfinite_values_stay_local(engine):
    """An inf or NaN operand: the value is NumPy's, and a partial that meets it only
    through zero partials stays finite (the NaN-safe path, not the kernel)."""
    rng = np.random.default_rng(5)
    N = 3000
    a, b = rng.standard_normal(N), rng.standard_normal(N)
    pa, pb = rng.standard_normal((N, 4)), rng.standard_normal((N, 4))
    a[10], b[20] = np.inf, np.nan
    pb[10], pa[20] = 0.0, 0.0                 # nothing moves the entries they meet
    tag = new_tag()
    with backend.use(engine), np.errstate(invalid="ignore"):
        got = np.dot(dg.Dual(a, pa, tag=tag), dg.Dual(b, pb, tag=tag))
    assert np.isnan(got.value)
    left, right = np.arange(N) != 20, np.arange(N) != 10     # the finite terms
    want = b[left] @ pa[left] + a[right] @ pb[right]
    np.testing.assert_allclose(got.partials, want, rtol=1e-10)


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_hessian_through_the_general_path(engine):
    """Nested duals (a Hessian, chunks of four directions) take the general entry,
    never the kernel: the second derivatives of ``x . (A x)`` are ``A + A^T``."""
    rng = np.random.default_rng(11)
    A = rng.standard_normal((300, 8))[:, :8]
    B = A[:8]
    with backend.use(engine):
        H = dg.hessian(lambda x: np.dot(x, np.matmul(B, x)) + np.sum(np.matmul(A, x)),
                       rng.standard_normal(8), chunk=4)
    np.testing.assert_allclose(H, B + B.T, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("power", [-3, -2, 2, 3, 5, 6])
def test_matrix_power_values_are_numpys(power):
    """np.linalg.matrix_power multiplies in NumPy's order (a cube is ``(a @ a) @ a``), so
    the value has NumPy's bits; the partials match central differences."""
    rng = np.random.default_rng(abs(power))
    S = rng.standard_normal((4, 4)) + 4.0 * np.eye(4)
    p = rng.standard_normal((4, 4, 4))
    got = np.linalg.matrix_power(dg.Dual(S, p), power)
    assert got.value.tobytes() == np.linalg.matrix_power(S, power).tobytes()
    h = 1e-6
    for k in range(4):
        fd = (np.linalg.matrix_power(S + h * p[..., k], power) -
              np.linalg.matrix_power(S - h * p[..., k], power)) / (2 * h)
        np.testing.assert_allclose(got.partials[..., k], fd, rtol=1e-6, atol=1e-8)


def test_matrix_power_chain_fallbacks():
    """A power whose value is not finite (an inf entry, an overflow) takes the dual
    products (NaN-safe): NumPy's value, and a partial that meets the inf only through
    zero partials stays finite; nested duals (a Hessian) too."""
    S = np.array([[1.0, 2.0], [0.5, 1.0]])
    p = np.zeros((2, 2, 1))
    p[1, 0, 0] = 1.0
    big = dg.Dual(S * 1e200, p)
    with np.errstate(over="ignore", invalid="ignore"):
        got = np.linalg.matrix_power(big, 5)
        want = np.linalg.matrix_power(S * 1e200, 5)
    np.testing.assert_array_equal(got.value, want)
    rng = np.random.default_rng(2)
    A = rng.standard_normal((3, 3)) + 3.0 * np.eye(3)
    H = dg.hessian(lambda x: np.trace(np.linalg.matrix_power(A + np.diag(x), 3)), np.zeros(3))
    # d2/dx_i dx_j tr((A + D)^3) at D = 0, D = diag(x): the terms with two D's,
    # tr(A D D + D A D + D D A), give 6 A_ii on the diagonal and 0 off it
    np.testing.assert_allclose(H, np.diag(6.0 * np.diagonal(A)), rtol=1e-12, atol=1e-12)
