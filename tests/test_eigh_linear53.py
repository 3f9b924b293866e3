"""eigh's values (with the vectors) at an exactly repeated eigenvalue: the partials are
linear in the direction, whatever other directions a pass seeds (userfem51's strict
xfail: a direction that mixed the cluster took the cluster's mean, one that split it
without mixing took ``diag(V^T dA V)``, so ``grad @ v`` differed from ``jvp`` along
``v`` and a Jacobian depended on its chunks).  Every direction now takes ``diag(V^T dA
V)``: the derivative of LAPACK's vector's Rayleigh quotient ``v_i^T A v_i``.

Oracles: that closed form from NumPy's own vectors; the cluster's sum ``trace(V_c^T
dA V_c)`` (differentiable: central differences); each member's partial between the
one-sided derivatives ``eigvalsh(V_c^T dA V_c)`` (Schur-Horn), which central
differences of the sorted eigenvalues confirm; ``eigvalsh`` keeps the mean."""

import numpy as np
import pytest

import dualgrad as dg

ANGLES = np.deg2rad([0.0, 90.0, 30.0, 120.0])
E = np.stack([np.cos(ANGLES), np.sin(ANGLES)], axis=1)       # bars' directions


def stiffness(a):
    """A node on four bars: with equal areas ``K = 1.5 I`` (a repeated pair)."""
    return np.einsum("b,bi,bj->ij", a, E, E)


def bars():
    return np.einsum("bi,bj->bij", E, E)


def test_the_star_gradient_is_the_rayleigh_quotient_of_lapacks_vectors():
    a0 = np.ones(4)
    _, V = np.linalg.eigh(stiffness(a0))
    J = dg.jacobian(lambda a: np.linalg.eigh(stiffness(a))[0], a0)
    want = np.einsum("im,bij,jm->mb", V, bars(), V)
    np.testing.assert_allclose(J, want, atol=1e-15)
    rng = np.random.default_rng(0)
    for v in [np.array([1.0, 0.0, 1.0, 0.0]), *rng.normal(size=(4, 4))]:
        _, t = dg.jvp(lambda a: np.linalg.eigh(stiffness(a))[0], a0, v)
        np.testing.assert_allclose(J @ v, t, atol=1e-14)


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_the_jacobian_does_not_depend_on_its_chunks(chunk):
    a0 = np.ones(4)

    def f(a):
        return np.linalg.eigh(stiffness(a))[0]
    np.testing.assert_array_equal(dg.jacobian(f, a0, chunk=chunk), dg.jacobian(f, a0))


def _matrix(p):
    """``diag(1, 1, 3)`` turned by a fixed rotation, plus a direction per parameter:
    p[0] splits the pair without mixing it (in LAPACK's basis at p = 0), p[1] and p[2]
    mix it."""
    Q = np.linalg.qr(np.random.default_rng(3).normal(size=(3, 3)))[0]
    A0 = Q @ np.diag([1.0, 1.0, 3.0]) @ Q.T
    w, V = np.linalg.eigh(A0)
    D0 = V @ np.diag([1.0, -0.5, 0.2]) @ V.T
    B = np.random.default_rng(4).normal(size=(2, 3, 3))
    return A0 + p[0] * D0 + p[1] * (B[0] + B[0].T) + p[2] * (B[1] + B[1].T), V


def test_a_rotated_cluster_is_linear_and_its_sum_exact():
    p0 = np.zeros(3)
    A0, V = _matrix(p0)
    D = [(_matrix(e)[0] - A0) for e in np.eye(3)]
    J = dg.jacobian(lambda p: np.linalg.eigh(_matrix(p)[0])[0], p0)
    want = np.array([[V[:, i] @ d @ V[:, i] for d in D] for i in range(3)])
    np.testing.assert_allclose(J, want, atol=1e-13)
    for v in np.random.default_rng(5).normal(size=(4, 3)):
        _, t = dg.jvp(lambda p: np.linalg.eigh(_matrix(p)[0])[0], p0, v)
        np.testing.assert_allclose(J @ v, t, atol=1e-13)
    # the cluster's sum: central differences of NumPy's sorted eigenvalues
    h = 1e-6
    for k, e in enumerate(np.eye(3)):
        s = [np.sum(np.linalg.eigvalsh(_matrix(q)[0])[:2]) for q in (h * e, -h * e)]
        assert abs(J[0, k] + J[1, k] - (s[0] - s[1]) / (2 * h)) < 1e-8
    # each member between its one-sided derivatives (the restricted perturbation's
    # eigenvalues, checked by one-sided differences)
    for k, d in enumerate(D):
        lo, hi = np.linalg.eigvalsh(V[:, :2].T @ d @ V[:, :2])
        right = (np.linalg.eigvalsh(_matrix(h * np.eye(3)[k])[0])[:2] - 1.0) / h
        np.testing.assert_allclose(right, [lo, hi], atol=1e-5)
        assert np.all((J[:2, k] >= lo - 1e-13) & (J[:2, k] <= hi + 1e-13))


def test_eigvalsh_keeps_the_clusters_mean():
    p0 = np.zeros(3)
    J = dg.jacobian(lambda p: np.linalg.eigvalsh(_matrix(p)[0]), p0)
    np.testing.assert_array_equal(J[0], J[1])
    Jv = dg.jacobian(lambda p: np.linalg.eigh(_matrix(p)[0])[0], p0)
    np.testing.assert_allclose(J[0], (Jv[0] + Jv[1]) / 2, atol=1e-13)


def test_a_function_of_the_vectors_along_the_splitting_direction_stays_exact():
    """``V diag(w^3) V^T = A^3``: exact along p[0] (it does not mix the pair), NaN along
    the mixing directions (the vectors have no derivative there)."""
    p0 = np.zeros(3)

    def cube(p):
        w, V = np.linalg.eigh(_matrix(p)[0])
        return ((V * w ** 3) @ V.T).ravel()
    J = dg.jacobian(cube, p0)
    A0 = _matrix(p0)[0]
    D0 = _matrix(np.eye(3)[0])[0] - A0
    want = (D0 @ A0 @ A0 + A0 @ D0 @ A0 + A0 @ A0 @ D0).ravel()
    np.testing.assert_allclose(J[:, 0], want, atol=1e-12)
    assert np.isnan(J[:, 1:]).any()
