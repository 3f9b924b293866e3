"""Eigenvalues and singular values tied at first order, split at second (spectral44;
attack44 repro_01, 03).

``A(x) = diag(1 + x + x^2, 1 + x)`` at 0: the sorted eigenvalues are ``1 + x`` and
``1 + x + x^2`` for every x, second derivatives 0 and 2; eigvalsh gave the cluster's
mean 1 to both, eigh LAPACK's member (0 for the largest).  Now the second order orders
the cluster as ``np.sort`` orders a tied run (``dispatch._second_order.ranked``), in the
common eigenbasis of the cluster's second-order blocks, and NaN where that is not
decidable (no common basis, Hessians not totally ordered: a kink).

Oracles: closed forms (the matrices are diagonal, or a fixed rotation of diagonal ones,
or a cluster coupled to a distant eigenvalue, whose second-order shift
``|A_1|^2 / (lambda - mu)`` is written out), float second differences of NumPy's own
eigvalsh as a check of the closed forms.
"""

import numpy as np
import pytest

import dualgrad as dg
import dualgrad.scipy.linalg as dsl

_T = 0.3
_R = np.array([[np.cos(_T), -np.sin(_T)], [np.sin(_T), np.cos(_T)]])


def _diag(*entries):
    return np.diag(np.stack(entries))


def _second_difference(f, x, h=1e-4):
    """Float Hessian of ``f`` by central second differences (plain NumPy)."""
    n = x.size
    H = np.zeros((n, n))
    E = np.eye(n) * h
    for i in range(n):
        for j in range(n):
            H[i, j] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j]) - f(x - E[i] + E[j]) +
                       f(x - E[i] - E[j])) / (4 * h * h)
    return H


_VALUES = {
    "eigvalsh": lambda A: np.linalg.eigvalsh(A),
    "eigh": lambda A: np.linalg.eigh(A)[0],
    "scipy eigh values only": lambda A: dsl.eigh(A, eigvals_only=True),
    "scipy eigh": lambda A: dsl.eigh(A)[0],
}


def _split(x):                       # attack44 repro_01, and a second input
    return _diag(1 + x[0] + x[0] ** 2 + x[1] ** 2, 1 + x[0] + 0 * x[1])


@pytest.mark.parametrize("values", list(_VALUES))
@pytest.mark.parametrize("rotated", [False, True])
def test_second_order_split_orders_the_cluster(values, rotated):
    """Largest ``1 + x0 + x0^2 + x1^2``: Hessian 2 I; smallest ``1 + x0``: 0."""
    vals = _VALUES[values]
    A = (lambda x: _R @ _split(x) @ _R.T) if rotated else _split
    x0 = np.zeros(2)
    top = dg.hessian(lambda x: vals(A(x))[-1], x0)
    low = dg.hessian(lambda x: vals(A(x))[0], x0)
    np.testing.assert_allclose(top, 2 * np.eye(2), atol=1e-12)
    np.testing.assert_allclose(low, np.zeros((2, 2)), atol=1e-12)
    # the closed form, checked against NumPy's own values
    fd = _second_difference(lambda x: np.linalg.eigvalsh(A(x))[-1], x0)
    np.testing.assert_allclose(fd, 2 * np.eye(2), atol=1e-5)


def test_attack44_repro_01_one_input():
    A = lambda x: _diag(1 + x[0] + x[0] ** 2, 1 + x[0])       # noqa: E731
    x0 = np.zeros(1)
    for vals in _VALUES.values():
        assert dg.hessian(lambda x: vals(A(x))[-1], x0)[0, 0] == pytest.approx(2, abs=1e-12)
        assert dg.hessian(lambda x: vals(A(x))[0], x0)[0, 0] == pytest.approx(0, abs=1e-12)
    # jacfwd(grad) is linked as dg.hessian is
    H = dg.jacfwd(dg.grad(lambda x: np.linalg.eigvalsh(A(x))[-1]))(x0)
    assert H[0, 0] == pytest.approx(2, abs=1e-12)


def test_three_fold_cluster_rotated():
    """``Q diag(2 + t^2, 2 + 2 t^2, 2 - t^2) Q^T``: second derivatives -2, 2, 4 in order."""
    Q, _ = np.linalg.qr(np.arange(9.0).reshape(3, 3) + 3 * np.eye(3))
    A = lambda x: Q @ _diag(2 + x[0] ** 2, 2 + 2 * x[0] ** 2, 2 - x[0] ** 2) @ Q.T  # noqa
    x0 = np.zeros(1)
    for vals in _VALUES.values():
        H = [dg.hessian(lambda x: vals(A(x))[i], x0)[0, 0] for i in range(3)]
        np.testing.assert_allclose(H, [-2.0, 2.0, 4.0], atol=1e-11)


def test_cluster_split_by_a_distant_eigenvalue():
    """``[[1, 0, x], [0, 1, 0], [x, 0, 3]]``: the pair at 1 splits at second order by the
    coupling to 3 alone: ``1 + x^2 / (1 - 3)`` and ``1``; the third ``3 + x^2 / 2``
    (second-order perturbation theory; exact: ``2 -+ sqrt(1 + x^2)``)."""
    def A(x):
        z = 0 * x[0]
        return np.stack([np.stack([1 + z, z, x[0]]), np.stack([z, 1 + z, z]),
                         np.stack([x[0], z, 3 + z])])
    x0 = np.zeros(1)
    for vals in _VALUES.values():
        H = [dg.hessian(lambda x: vals(A(x))[i], x0)[0, 0] for i in range(3)]
        np.testing.assert_allclose(H, [-1.0, 0.0, 1.0], atol=1e-12)


@pytest.mark.parametrize("values", list(_VALUES))
def test_no_second_derivative_gives_nan(values):
    """Where the sorted values have no second derivative the answer is NaN, not the
    mean: ``max(x0^2, x1^2)``, a difference of Hessians that is indefinite
    (``x0^2 + x0 x1`` against 0), and second-order blocks with no common eigenbasis
    (``x0^2 [[1, 0], [0, 0]] + x1^2 [[0, 1], [1, 0]]``: not a quadratic form)."""
    vals = _VALUES[values]
    x0 = np.zeros(2)
    mats = [lambda x: _diag(1 + x[0] ** 2, 1 + x[1] ** 2),
            lambda x: _diag(1 + x[0] ** 2 + x[0] * x[1], 1 + 0 * x[0]),
            lambda x: np.eye(2) + np.array([[1.0, 0.0], [0.0, 0.0]]) * x[0] ** 2 +
            np.array([[0.0, 1.0], [1.0, 0.0]]) * x[1] ** 2]
    for A in mats:
        H = dg.hessian(lambda x: vals(A(x))[-1], x0)
        assert np.isnan(H).any()
        # and exact where finite: the direction x0 alone (max(x0^2, 0) = x0^2: 2)
        ok = np.isfinite(H)
        assert not ok[0, 0] or H[0, 0] == pytest.approx(2.0, abs=1e-12)


def test_chunked_hessian_exact_or_nan():
    """A chunked Hessian sees part of the directions per pass: each entry exact or NaN,
    and the unchunked one all exact (closed form: the larger member's Hessian)."""
    A = lambda x: _diag(1 + x[0] + x[0] ** 2 + x[1] ** 2 + x[2] ** 2 + x[0] * x[2],  # noqa
                        1 + x[0] + 0 * x[2])
    f = lambda x: np.linalg.eigvalsh(A(x))[-1]                 # noqa: E731
    want = np.array([[2.0, 0.0, 1.0], [0.0, 2.0, 0.0], [1.0, 0.0, 2.0]])
    x0 = np.zeros(3)
    np.testing.assert_allclose(dg.hessian(f, x0), want, atol=1e-12)
    for chunk in (1, 2):
        H = dg.hessian(f, x0, chunk=chunk)
        ok = np.isfinite(H)
        np.testing.assert_allclose(H[ok], want[ok], atol=1e-12)


def test_eigh_vectors_nan_where_lapack_order_is_not_the_second_orders():
    """eigh at ``diag(1 + x + x^2, 1 + x)``: LAPACK's basis at ``I`` is e1, e2 in that
    order, the sorted values' vectors for x != 0 are e2, e1: the vectors jump, their
    partials are NaN (the values exact); ``diag(1 + x, 1 + x + x^2)``: LAPACK's order is
    the second order's, vectors and ``V diag(w^2) V^T = A^2`` exact."""
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    # sum(A^2 * W) = a^2 W00 + b^2 W11; (1 + x + x^2)^2'' = 6, (1 + x)^2'' = 2
    for A, jump, want in ((lambda x: _diag(1 + x[0] + x[0] ** 2, 1 + x[0]), True, 6 + 8),
                          (lambda x: _diag(1 + x[0], 1 + x[0] + x[0] ** 2), False, 2 + 24)):
        def g(x):
            w, V = np.linalg.eigh(A(x))
            return np.sum(V @ np.diag(w ** 2) @ V.T * W)
        H = dg.hessian(g, np.zeros(1))
        truth = dg.hessian(lambda x: np.sum(A(x) @ A(x) * W), np.zeros(1))
        np.testing.assert_allclose(truth, [[want]], atol=1e-12)        # closed form
        if jump:
            assert np.isnan(H).all()
        else:
            np.testing.assert_allclose(H, truth, atol=1e-12)
        top = dg.hessian(lambda x: np.linalg.eigh(A(x))[0][-1], np.zeros(1))
        assert top[0, 0] == pytest.approx(2.0, abs=1e-12)


def test_batched_clusters():
    """A stack of the split matrix and a matrix with distinct eigenvalues: each its own."""
    M = np.array([[2.0, 0.3], [0.3, 1.0]])
    f = lambda x: np.linalg.eigvalsh(np.stack([_split(x), M * (1 + x[0])]))  # noqa: E731
    x0 = np.zeros(2)
    H = dg.hessian(lambda x: f(x)[0, -1] + 10 * f(x)[1, -1], x0)
    np.testing.assert_allclose(H, 2 * np.eye(2), atol=1e-12)


# ---- attack44 03: svd(compute_uv=False)'s Hessian at a rank-deficient matrix -------------
def _tall(x):
    z = 0 * x[0]
    return np.stack([np.stack([x[0], x[1]]), np.stack([x[2], x[3]]), np.stack([z, z])])


def test_svd_values_hessian_at_rank_deficient_matrix():
    """``svd(diag(x), compute_uv=False)[0]`` is ``x0`` near ``(1, 0)``: Hessian 0 (was a
    TypeError offering compute_uv=False, which was passed); ``norm(., 2)`` and
    ``svdvals`` the same; the zero singular value (a kink, ``|x1|``) NaN."""
    x = np.array([1.0, 0.0])
    for f in (lambda x: np.linalg.svd(np.diag(x), compute_uv=False)[0],
              lambda x: np.linalg.norm(np.diag(x), 2),
              lambda x: np.linalg.svdvals(np.diag(x))[0]):
        np.testing.assert_array_equal(dg.hessian(f, x), np.zeros((2, 2)))
        np.testing.assert_array_equal(dg.gradient(f, x), [1.0, 0.0])
    H = dg.hessian(lambda x: np.linalg.svd(np.diag(x), compute_uv=False)[1], x)
    assert np.isnan(H).all()


def test_svd_values_hessian_tall_rank_one_against_jax():
    """A 3 x 2 matrix of rank 1: the largest singular value's Hessian against JAX's and
    float second differences; the vectors (compute_uv=True) still raise, naming
    compute_uv=False."""
    x = np.array([1.0, 2.0, 2.0, 4.0])
    f = lambda x: np.linalg.svd(_tall(x), compute_uv=False)[0]          # noqa: E731
    H = dg.hessian(f, x)
    fd = _second_difference(lambda y: np.linalg.svd(
        np.array([[y[0], y[1]], [y[2], y[3]], [0.0, 0.0]]), compute_uv=False)[0], x)
    np.testing.assert_allclose(H, fd, atol=1e-6)
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    want = jax.hessian(lambda y: jnp.linalg.svd(jnp.array(
        [[y[0], y[1]], [y[2], y[3]], [0.0, 0.0]]), compute_uv=False)[0])(jnp.array(x))
    np.testing.assert_allclose(H, np.asarray(want), rtol=1e-12, atol=1e-14)
    with pytest.raises(TypeError, match="compute_uv=False gives the singular values"):
        dg.hessian(lambda x: np.linalg.svd(_tall(x), full_matrices=False)[1][0], x)


# ---- svd's values at repeated singular values ---------------------------------------------
_R2 = np.array([[np.cos(1.1), -np.sin(1.1)], [np.sin(1.1), np.cos(1.1)]])
_Q3, _ = np.linalg.qr(np.arange(9.0).reshape(3, 3) + 3 * np.eye(3))

_SVD_VALUES = {
    "compute_uv=False": lambda A: np.linalg.svd(A, compute_uv=False),
    "compute_uv=True": lambda A: np.linalg.svd(A, full_matrices=False)[1],
    "svdvals": lambda A: np.linalg.svdvals(A),
}


def _pair(x):
    return _diag(1 + x[0] + 0 * x[1], 1 + x[0] + x[0] ** 2 + x[1] ** 2)


@pytest.mark.parametrize("values", list(_SVD_VALUES))
@pytest.mark.parametrize("shape", ["diagonal", "rotated", "tall"])
def test_svd_second_order_split_orders_the_cluster(values, shape):
    """Singular values ``1 + x0 + x0^2 + x1^2`` (the largest: Hessian 2 I) and ``1 + x0``
    (0), tied at 0: LAPACK's member gave 0 to the largest; under rotations on both
    sides and with a zero row (3 x 2) the same."""
    vals = _SVD_VALUES[values]
    A = {"diagonal": _pair,
         "rotated": lambda x: _R @ _pair(x) @ _R2.T,
         "tall": lambda x: _Q3 @ np.concatenate([_pair(x), np.zeros((1, 2)) + 0 * x[0]]) @ _R2,
         }[shape]
    x0 = np.zeros(2)
    np.testing.assert_allclose(dg.hessian(lambda x: vals(A(x))[0], x0), 2 * np.eye(2),
                               atol=1e-12)
    np.testing.assert_allclose(dg.hessian(lambda x: vals(A(x))[1], x0), np.zeros((2, 2)),
                               atol=1e-12)
    fd = _second_difference(lambda x: np.linalg.svd(A(x), compute_uv=False)[0], x0)
    np.testing.assert_allclose(fd, 2 * np.eye(2), atol=1e-5)


def test_svd_pair_split_by_a_distant_singular_value():
    """``[[1, 0, x], [0, 1, 0], [0, 0, 3]]``: ``A^T A`` is ``1`` (e2) and the block
    ``[[1, x], [x, 9 + x^2]]``, eigenvalues ``(10 + x^2 -+ sqrt((8 + x^2)^2 + 4 x^2)) / 2
    = 1 - x^2 / 8, 9 + 9 x^2 / 8 + O(x^4)``: singular values ``3 + 3 x^2 / 16``, ``1``,
    ``1 - x^2 / 16``; second derivatives 3/8, 0, -1/8 (the pair at 1 split only through
    its coupling to 3).  Checked by second differences."""
    def A(x):
        z = 0 * x[0]
        return np.stack([np.stack([1 + z, z, x[0]]), np.stack([z, 1 + z, z]),
                         np.stack([z, z, 3 + z])])
    x0 = np.zeros(1)
    want = [3 / 8, 0.0, -1 / 8]
    for vals in _SVD_VALUES.values():
        H = [dg.hessian(lambda x: vals(A(x))[i], x0)[0, 0] for i in range(3)]
        np.testing.assert_allclose(H, want, atol=1e-12)
    fd = [_second_difference(lambda x: np.linalg.svd(A(x), compute_uv=False)[i], x0)[0, 0]
          for i in range(3)]
    np.testing.assert_allclose(fd, want, atol=1e-5)


def test_svd_values_at_a_mixing_tie_take_the_midpoint():
    """``I + t [[1, 1], [1, 0]]``: the largest singular value is ``1 + 1.618 t`` for t > 0
    and ``1 + 0.618 |t|`` for t < 0: no derivative.  The values alone take the
    midpoint 0.5 (the cluster's mean, as eigvalsh); with the vectors, LAPACK's
    members' ``diag(Herm(U^H dA V))`` (eig53, as eigh's: linear in the direction, which
    the mean in mixing directions beside ``diag`` in the others was not), 1.0 and 0.0
    here, each between the one-sided derivatives -0.618 and 1.618; their sum exact."""
    C = np.array([[1.0, 1.0], [1.0, 0.0]])
    phi = (1 + np.sqrt(5)) / 2
    for name, vals in _SVD_VALUES.items():
        d0 = dg.derivative(lambda t: vals(np.eye(2) + t * C)[0], 0.0)
        d1 = dg.derivative(lambda t: vals(np.eye(2) + t * C)[1], 0.0)
        if name == "compute_uv=True":
            U, _, Vh = np.linalg.svd(np.eye(2))
            P = U.T @ C @ Vh.T
            want = np.diag(P + P.T) / 2
            assert (d0, d1) == pytest.approx(tuple(want), abs=1e-15)
            assert 1 - phi <= min(d0, d1) and max(d0, d1) <= phi
        else:
            assert d0 == pytest.approx(0.5 * (phi + (1 - phi)), abs=1e-15)
            assert d1 == pytest.approx(0.5, abs=1e-15)
        assert d0 + d1 == pytest.approx(1.0, abs=1e-15)       # the trace: exact


def test_linear_cluster_whose_second_order_is_rounding_stays_exact():
    """``Q diag(1 + x0, 1 + x0, 3 + x1) Q^T`` is linear: every Hessian is 0.  Its
    cluster's second-order block is rounding alone (4e-16 through svd), which the
    block's own size must not call a split (spectral44's first landing gave NaN)."""
    A = lambda x: _Q3 @ _diag(1 + x[0], 1 + x[0], 3 + x[1]) @ _Q3.T       # noqa: E731
    spellings = list(_VALUES.values()) + [lambda B: v(B)[::-1] for v in _SVD_VALUES.values()]
    for vals in spellings:
        for i in range(3):
            H = dg.hessian(lambda x: vals(A(x))[i], np.zeros(2))
            np.testing.assert_allclose(H, np.zeros((2, 2)), atol=1e-12)


def test_svd_values_of_a_rotation_pencil():
    """``I + t J`` (J antisymmetric): both singular values ``sqrt(1 + t^2)``, second
    derivative 1 (the pair's term of the vectors is ``a / (s_i + s_j)``, finite: the
    anti-Hermitian part of ``U^H dA V``; it was NaN), under rotations too; ``U s V^T``
    rebuilds A (Hessian 0) and ``U s^3 V^T = A A^T A`` (the closed form's)."""
    J = np.array([[0.0, 1.0], [-1.0, 0.0]])
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    for A in (lambda x: np.eye(2) + J * x[0], lambda x: _R @ (np.eye(2) + J * x[0]) @ _R2.T):
        for vals in _SVD_VALUES.values():
            for i in range(2):
                H = dg.hessian(lambda x: vals(A(x))[i], np.zeros(1))
                assert H[0, 0] == pytest.approx(1.0, abs=1e-12)

        def rebuilt(x, p):
            U, s, Vt = np.linalg.svd(A(x))
            return np.sum(U @ np.diag(s ** p) @ Vt * W)
        np.testing.assert_allclose(dg.hessian(lambda x: rebuilt(x, 1), np.zeros(1)), [[0.0]],
                                   atol=1e-12)
        # A A^T A = (1 + t^2) A: sum(W * A) (1 + t^2), second derivative 2 sum(W * A(0))
        np.testing.assert_allclose(dg.hessian(lambda x: rebuilt(x, 3), np.zeros(1)),
                                   [[2 * np.sum(W * A(np.zeros(1)))]], rtol=1e-12)
