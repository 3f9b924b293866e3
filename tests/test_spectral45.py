"""Eigenvalues at repeated values, second order (spectral45; attack44 repro_08, 10, 12, 13).

* np.linalg.eigvals / eig (the general path) at a cluster tied at first order and split
  at second: ordered by the second order as eigh's (spectral44), also where the matrix
  is not normal (``P diag(..) P^-1``: the cluster blocks ``V^-1 d2A V`` are not
  Hermitian); before, ``diag(V^-1 dA V)`` of LAPACK's basis inside the cluster (0.03 and
  -0.43 where the truth is 2).
* eigvalsh / eigh / eigvals at a cluster whose basis turns with another input
  (``Q0 C(x1) diag(..) C(x1)^T Q0^T``): that direction's perturbation ``[K, I]`` is
  rounding (1e-16) and no longer counts as mixing the cluster next to the O(1) one; a
  value NaN-marked in one direction is NaN in every partial (was: the x1 entries NaN,
  H[0, 0] the finite mean 0 where the truth is -2 / 0 / 2).
* Hessians of the eigenvalues / singular values alone of a complex matrix whose vectors
  have a zero in the row whose phase LAPACK fixes: the values do not depend on the
  phases, so the inner level takes any; they raised, advising the values.

Oracles: closed forms (each matrix is a fixed similarity of a diagonal one, its
eigenvalues the diagonal's entries) and float second differences of NumPy's own
eigenvalues.
"""

import numpy as np
import pytest

import dualgrad as dg
from test_second_order_spectral import _second_difference

_RNG = np.random.default_rng(11)
_Q2 = np.linalg.qr(_RNG.standard_normal((2, 2)))[0]
_Q3 = np.linalg.qr(_RNG.standard_normal((3, 3)))[0]
_P = np.array([[1.0, 0.3], [0.2, 1.0]])


def _split3(x):
    """The values ``1 + x0 + |x|^2``, ``1 + x0``, ``1 + x0 - |x|^2``: one cluster at 0."""
    s = x @ x
    return np.stack([1 + x[0] + s, 1 + x[0] + 0 * s, 1 + x[0] - s])


_EIGVALS = {
    "max eigvals": lambda A, k: np.max(np.linalg.eigvals(A).real) if k == -1 else None,
    "sort eigvals": lambda A, k: np.sort(np.linalg.eigvals(A).real)[k],
    "sort eig": lambda A, k: np.sort(np.linalg.eig(A)[0].real)[k],
}


@pytest.mark.parametrize("name", sorted(_EIGVALS))
@pytest.mark.parametrize("n", [1, 2])
def test_eigvals_rotated_cluster_split_at_second_order(name, n):
    """``Q3 diag(_split3(x)) Q3^T``: sorted values' Hessians -2 I, 0, 2 I (closed form)."""
    f = _EIGVALS[name]
    x0 = np.zeros(n)
    for k, want in ((0, -2.0), (1, 0.0), (-1, 2.0)):
        g = lambda x: f(_Q3 @ np.diag(_split3(x)) @ _Q3.T, k)   # noqa: E731
        if g(x0) is None:
            continue
        H = dg.hessian(g, x0)
        np.testing.assert_allclose(H, want * np.eye(n), atol=1e-12)
        plain = lambda x: np.sort(np.linalg.eigvals(      # noqa: E731
            _Q3 @ np.diag(_split3(x)) @ _Q3.T).real)[k]
        np.testing.assert_allclose(_second_difference(plain, x0), want * np.eye(n),
                                   atol=1e-5)


def test_eigvals_pair_rotated():
    """``Q2 diag(1 + x + x^2, 1 + x) Q2^T``: the larger 2, the smaller 0."""
    A = lambda x: _Q2 @ np.diag(np.stack([1 + x[0] + x[0] ** 2, 1 + x[0]])) @ _Q2.T  # noqa
    x0 = np.zeros(1)
    assert dg.hessian(lambda x: np.max(np.linalg.eigvals(A(x)).real), x0)[0, 0] == \
        pytest.approx(2.0, abs=1e-12)
    assert dg.hessian(lambda x: np.min(np.linalg.eigvals(A(x)).real), x0)[0, 0] == \
        pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("which", ["max", "min"])
def test_eigvals_non_normal_cluster(which):
    """``P diag(1 + x + x^2, 1 + x) P^-1`` (not normal: eig is the only path): the
    larger value's Hessian 2, the smaller's 0; the gradient 1 for both."""
    Pi = np.linalg.inv(_P)
    A = lambda x: _P @ np.diag(np.stack([1 + x[0] + x[0] ** 2, 1 + x[0]])) @ Pi  # noqa
    pick = np.max if which == "max" else np.min
    g = lambda x: pick(np.linalg.eigvals(A(x)).real)                           # noqa
    x0 = np.zeros(1)
    want = 2.0 if which == "max" else 0.0
    assert dg.hessian(g, x0)[0, 0] == pytest.approx(want, abs=1e-12)
    assert dg.gradient(g, x0)[0] == pytest.approx(1.0, abs=1e-12)
    assert _second_difference(g, x0)[0, 0] == pytest.approx(want, abs=1e-5)


def test_eigvals_first_order_split_cluster_mean_and_nan():
    """``Q3 diag(1 + x, 1 - x, 3) Q3^T``: the pair's values have a kink (no Hessian):
    each takes the cluster's mean 0 at first order, NaN at second, as eigvalsh's."""
    A = lambda x: _Q3 @ np.diag(np.stack([1 + x[0], 1 - x[0], 3 + 0 * x[0]])) @ _Q3.T  # noqa
    x0 = np.zeros(1)
    J = dg.jacobian(lambda x: np.sort(np.linalg.eigvals(A(x)).real), x0)
    np.testing.assert_allclose(J[:, 0], [0.0, 0.0, 0.0], atol=1e-12)
    H = dg.hessian(lambda x: np.sort(np.linalg.eigvals(A(x)).real)[0], x0)
    assert np.isnan(H).all()


def test_eigvals_distinct_unchanged():
    """Distinct real eigenvalues of a non-normal matrix (the path without ties):
    ``S (D(x) + x1^2 N) S^-1``, ``N`` strictly upper triangular, has the eigenvalues
    ``D(x)``; the Hessian of ``sum(w^3)`` against the closed form and second differences."""
    rng = np.random.default_rng(3)
    S = rng.standard_normal((4, 4)) + 4 * np.eye(4)
    Si = np.linalg.inv(S)
    N = np.triu(rng.standard_normal((4, 4)), 1)
    D = lambda x: np.diag(np.stack([1 + x[0], 2 + x[0] * x[1], 3 + x[1] ** 2, 4 - x[0]]))  # noqa
    g = lambda x: np.sum(np.linalg.eigvals(S @ (D(x) + x[1] ** 2 * N) @ Si).real ** 3)  # noqa
    x0 = np.array([0.1, 0.2])
    d = lambda x: np.array([1 + x[0], 2 + x[0] * x[1], 3 + x[1] ** 2, 4 - x[0]])     # noqa
    H = dg.hessian(g, x0)
    np.testing.assert_allclose(H, dg.hessian(lambda x: np.sum(d(x) ** 3), x0), rtol=1e-10)
    np.testing.assert_allclose(H, _second_difference(g, x0), rtol=1e-6, atol=1e-6)


_K = _RNG.standard_normal((3, 3))
_K = _K - _K.T


def _turning(x, Q):
    """``Q C(x1) diag(_split3((x0,))) C(x1)^T Q^T``, C the Cayley rotation of ``_K``:
    the eigenvalues ``1 + x0 + x0^2, 1 + x0, 1 + x0 - x0^2`` whatever x1."""
    I = np.eye(3)
    C = np.linalg.solve(I - x[1] * _K / 2, I + x[1] * _K / 2)
    R = Q @ C
    return R @ np.diag(_split3(x[:1]) + 0 * x[1]) @ R.T


_SORTED = {
    "eigvalsh": lambda A: np.linalg.eigvalsh(A),
    "eigh": lambda A: np.linalg.eigh(A)[0],
    "eigvals": lambda A: np.sort(np.linalg.eigvals(A).real),
}


@pytest.mark.parametrize("name", sorted(_SORTED))
@pytest.mark.parametrize("rotated", [True, False])
def test_cluster_basis_turning_with_another_input(name, rotated):
    """Truth: Hessians diag(-2, 0), 0, diag(2, 0) of the sorted values (closed form; the
    second differences of NumPy's eigvalsh agree)."""
    Q = _Q3 if rotated else np.eye(3)
    x0 = np.zeros(2)
    for k, want in ((0, -2.0), (1, 0.0), (2, 2.0)):
        H = dg.hessian(lambda x: _SORTED[name](_turning(x, Q))[k], x0)
        np.testing.assert_allclose(H, [[want, 0.0], [0.0, 0.0]], atol=1e-12)
    plain = lambda x: np.linalg.eigvalsh(_turning(x, _Q3))[2]   # noqa: E731
    np.testing.assert_allclose(_second_difference(plain, x0), [[2.0, 0.0], [0.0, 0.0]],
                               atol=1e-5)


@pytest.mark.parametrize("name", sorted(_SORTED))
def test_kinked_value_exact_or_nan_in_every_entry(name):
    """``Q3 diag(1 + x0 + x1^2, 1 - x0, 3) Q3^T``: the pair splits at first order along x0
    (a kink), and along x1 only at second order: the sorted values' ``H[1, 1]`` are 0 and
    2, the cluster's mean 1 is neither: NaN (it was 1 beside NaN).  With ``+ x1^2`` in
    both, the x1 block is uniform: ``H[1, 1] = 2`` exactly, the x0 entries NaN."""
    A = lambda x: _Q3 @ np.diag(np.stack([1 + x[0] + x[1] ** 2, 1 - x[0],  # noqa: E731
                                          3 + 0 * x[0]])) @ _Q3.T
    for k in (0, 1):
        H = dg.hessian(lambda x: _SORTED[name](A(x))[k], np.zeros(2))
        assert np.isnan(H).all()
    B = lambda x: _Q3 @ np.diag(np.stack([1 + x[0] + x[1] ** 2, 1 - x[0] + x[1] ** 2,  # noqa
                                          3 + 0 * x[0]])) @ _Q3.T
    for k in (0, 1):
        H = dg.hessian(lambda x: _SORTED[name](B(x))[k], np.zeros(2))
        assert H[1, 1] == pytest.approx(2.0, abs=1e-12)
        assert np.isnan(H[0]).all() and np.isnan(H[:, 0]).all()


_U = np.linalg.qr(np.random.default_rng(8).standard_normal((2, 2)) +
                  1j * np.random.default_rng(9).standard_normal((2, 2)))[0]


def _complex(x):
    """``U diag(2 + x, 1 + x^2)``: singular values ``2 + x`` and ``1 + x^2`` (V = I: a
    zero in each right vector's first row, whose phase LAPACK makes real)."""
    return _U @ np.diag(np.stack([2 + x[0], 1 + x[0] ** 2])) * (1 + 0j)


_VALUES_ONLY = {     # f, Hessian at x = 0.1 (closed form)
    "svd values [0]": (lambda A: np.linalg.svd(A, compute_uv=False)[0], 0.0),
    "svd values [1]": (lambda A: np.linalg.svd(A, compute_uv=False)[1], 2.0),
    "norm 2": (lambda A: np.linalg.norm(A, 2), 0.0),
    "norm nuc": (lambda A: np.linalg.norm(A, "nuc"), 2.0),
    "eigvalsh A^H A [0]": (lambda A: np.linalg.eigvalsh(np.conj(A).T @ A)[0], 4.12),
    "eigvalsh A^H A [1] U": (lambda A: np.linalg.eigvalsh(np.conj(A).T @ A, UPLO="U")[1],
                             2.0),
}


@pytest.mark.parametrize("name", sorted(_VALUES_ONLY))
def test_complex_values_only_hessian(name):
    """(1 + x^2)^2'' = 12 x^2 + 4 = 4.12 at 0.1, (2 + x)^2'' = 2; s'' 0 and 2."""
    f, want = _VALUES_ONLY[name]
    x = np.array([0.1])
    H = dg.hessian(lambda y: f(_complex(y)), x)
    assert H[0, 0] == pytest.approx(want, abs=1e-10)
    assert _second_difference(lambda y: f(_complex(y)), x)[0, 0] == \
        pytest.approx(want, abs=1e-5)


_RESOLVED = {
    "eigvalsh": lambda A: np.linalg.eigvalsh(A),
    "eigh": lambda A: np.linalg.eigh(A)[0],
    "eigvals": lambda A: np.sort(np.linalg.eigvals(A).real),
}


@pytest.mark.parametrize("name", sorted(_RESOLVED))
@pytest.mark.parametrize("L", [1e6, 1e8, 1e12])
def test_block_diagonal_pair_resolved_by_its_own_block(name, L):
    """``diag(1 + x, 1 + 1e-7, L)``: the values are the entries, the pair 1e-7 apart is
    resolved (slopes 1, 0, 0; second differences of NumPy's own agree), whatever L:
    the tie tolerance ``8 m eps max|w|`` (5e-7 at L = 1e8) is of the pair's own block
    where the blocks are exactly uncoupled.  Also a 2 x 2 block beside L."""
    d = 1e-7
    A = lambda x: np.diag(np.stack([1 + x[0], 1 + d + 0 * x[0], L + 0 * x[0]]))  # noqa
    x0 = np.zeros(1)
    J = dg.jacobian(lambda x: _RESOLVED[name](A(x)), x0)
    np.testing.assert_allclose(J[:, 0], [1.0, 0.0, 0.0], atol=1e-12)
    h = 1e-9
    fl = lambda t: np.linalg.eigvalsh(np.diag([1 + t, 1 + d, L]))[0]   # noqa: E731
    assert (fl(h) - fl(-h)) / (2 * h) == pytest.approx(1.0, abs=1e-6)
    c, s_ = np.cos(0.3), np.sin(0.3)
    R = np.array([[c, -s_], [s_, c]])

    def B(x):                            # a rotated 2 x 2 block, then L
        top = R @ np.diag(np.stack([1 + x[0], 1 + d + 0 * x[0]])) @ R.T
        z = 0 * x[0]
        return np.stack([np.stack([top[0, 0], top[0, 1], z]),
                         np.stack([top[1, 0], top[1, 1], z]),
                         np.stack([z, z, L + z])])
    J = dg.jacobian(lambda x: _RESOLVED[name](B(x)), x0)
    np.testing.assert_allclose(J[:, 0], [1.0, 0.0, 0.0], atol=1e-6)


def test_dense_matrix_keeps_the_whole_tolerance():
    """A dense matrix (blocks coupled) at an exact tie still ties: ``Q diag(1 + x, 1 - x,
    L) Q^T`` at 0 gives the pair the mean 0 at first order (LAPACK's rounding there is
    ``eps ||A||``)."""
    A = lambda x: _Q3 @ np.diag(np.stack([1 + x[0], 1 - x[0], 1e8 + 0 * x[0]])) @ _Q3.T  # noqa
    J = dg.jacobian(lambda x: np.linalg.eigvalsh(A(x)), np.zeros(1))
    np.testing.assert_allclose(J[:2, 0], [0.0, 0.0], atol=1e-6)


_S = np.array([[1.0, 0.4, 0.2], [0.1, 1.0, 0.3], [0.2, -0.1, 1.0]])


def _rotation_block(x):
    """``S [[a, -b, 0], [b, a, 0], [0, 0, c]] S^-1``: eigenvalues ``a +- i b`` and ``c``
    (``a = 1 + x0^2 + x1``, ``b = 2 + x0 x1``, ``c = 5 + x1^3``)."""
    a = 1 + x[0] ** 2 + x[1]
    b = 2 + x[0] * x[1]
    z = 0 * x[0]
    B = np.stack([np.stack([a, -b, z]), np.stack([b, a, z]), np.stack([z, z, 5 + x[1] ** 3])])
    return _S @ B @ np.linalg.inv(_S)


_COMPLEX_VALUES = {  # f of the eigenvalues, the same of the closed form
    "sum real": (lambda w: np.sum(w.real),
                 lambda x: 2 * (1 + x[0] ** 2 + x[1]) + 5 + x[1] ** 3),
    "max imag": (lambda w: np.max(w.imag), lambda x: 2 + x[0] * x[1]),
    "sum abs": (lambda w: np.sum(np.abs(w)),
                lambda x: 2 * np.sqrt((1 + x[0] ** 2 + x[1]) ** 2 + (2 + x[0] * x[1]) ** 2) +
                5 + x[1] ** 3),
}


@pytest.mark.parametrize("name", sorted(_COMPLEX_VALUES))
def test_eigvals_hessian_of_a_matrix_with_complex_eigenvalues(name):
    """Hessians of eigvals of a real matrix with complex eigenvalues: the inner level
    takes eig's complex vectors in any scale (the values do not depend on it); they
    raised "complex eigenvectors ... use np.linalg.eigvals", the spelling used.
    Oracle: the closed form's Hessian (dualgrad on plain arithmetic) and central second
    differences of NumPy's eigvals; a third derivative along a line too."""
    f, closed = _COMPLEX_VALUES[name]
    x0 = np.array([0.3, -0.2])
    g = lambda x: f(np.linalg.eigvals(_rotation_block(x)))   # noqa: E731
    H = dg.hessian(g, x0)
    np.testing.assert_allclose(H, dg.hessian(closed, x0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(H, _second_difference(g, x0), rtol=1e-5, atol=1e-5)
    line = lambda t: g(np.stack([t, 0.5 * t]))                 # noqa: E731
    cline = lambda t: closed(np.stack([t, 0.5 * t]))           # noqa: E731
    d3 = lambda h: dg.derivative(lambda s: dg.derivative(      # noqa: E731
        lambda r: dg.derivative(h, r), s), 0.3)
    assert d3(line) == pytest.approx(d3(cline), rel=1e-10, abs=1e-12)
