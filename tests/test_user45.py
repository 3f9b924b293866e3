"""A controls engineer's first day (user45, stop 45): LQR through the Riccati drop-ins
and the robotics workflow, each against an independent oracle.

* ``dualgrad.scipy.linalg.solve_continuous_are`` / ``solve_discrete_are`` /
  ``solve_continuous_lyapunov`` (SciPy's own convert their input). Oracles: the scalar
  Riccati equations' closed forms and their derivatives written out by hand (first and
  second order), the Kronecker form of the Lyapunov equation by the complex step, and
  8th-order central differences of SciPy's own solvers on floats.
* The workflow: a cart-pole linearized at the upright trim with ``dg.jacfwd(f,
  argnums=(0, 1))`` (the textbook closed form), its LQR gain's sensitivity to the
  pole's mass (central differences of linearization by hand + SciPy), and Modern
  Robotics' ``FKinSpace`` against its own closed-form ``JacobianSpace``.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.errors import DualTypeError
from dualgrad.scipy.linalg import (solve_continuous_are as care, solve_continuous_lyapunov as scl,
                                   solve_discrete_are as dare)
from dualgrad.testing import numerical_jacobian

sl = pytest.importorskip("scipy.linalg")

RNG = np.random.default_rng(45)
A4 = RNG.standard_normal((4, 4)) * 0.5
B4 = RNG.standard_normal((4, 2))
S4 = RNG.standard_normal((4, 2)) * 0.1


def _complex_step(f, x, h=1e-30):
    return np.stack([f(x + 1j * h * e).imag / h for e in np.eye(x.size)], axis=-1)


# ---- scalar closed forms -----------------------------------------------------------

def _care_scalar(a, b, q, r):
    """2 a x - b^2 x^2 / r + q = 0, the stabilizing root."""
    return r * (a + np.sqrt(a * a + b * b * q / r)) / (b * b)


def _care_scalar_grad(a, b, q, r):
    """d x / d(a, b, q, r) of the closed form, written out."""
    s = np.sqrt(a * a + b * b * q / r)
    return np.array([r / b ** 2 * (1 + a / s),
                     -2 * r * (a + s) / b ** 3 + r / b ** 2 * (b * q / (r * s)),
                     1 / (2 * s),
                     (a + s) / b ** 2 - q / (2 * r * s)])


def test_care_scalar_gradient_is_the_closed_form():
    p = np.array([0.7, 1.3, 2.0, 0.5])

    def x(p):
        a, b, q, r = (np.reshape(p[i], (1, 1)) for i in range(4))
        return care(a, b, q, r)[0, 0]

    assert x(p) == pytest.approx(_care_scalar(*p), rel=1e-14)
    np.testing.assert_allclose(dg.gradient(x, p), _care_scalar_grad(*p), rtol=1e-13)


def test_care_scalar_second_derivative_in_a_is_the_closed_form():
    """x = (r / b^2) (a + s), s = sqrt(a^2 + c): x'' = (r / b^2) c / s^3."""
    b, q, r = 1.3, 2.0, 0.5
    c = b * b * q / r

    def x(a):
        return care(np.reshape(a, (1, 1)), [[b]], [[q]], [[r]])[0, 0]

    a = np.array([0.7])
    want = r / b ** 2 * c / (a[0] ** 2 + c) ** 1.5
    assert dg.hessian(lambda t: x(t[0]), a)[0, 0] == pytest.approx(want, rel=1e-12)


def _dare_scalar(a, b, q, r):
    """x = a^2 x - a^2 b^2 x^2 / (r + b^2 x) + q: b^2 x^2 + (r - q b^2 - a^2 r) x - q r = 0."""
    m = r - q * b * b - a * a * r
    return (-m + np.sqrt(m * m + 4 * b * b * q * r)) / (2 * b * b)


def test_dare_scalar_gradient_and_hessian_against_the_closed_form():
    """The closed form's derivatives by the complex step (first order) and by the
    complex step of its hand-written gradient in q (second order)."""
    p = np.array([1.1, 0.8, 1.5, 0.4])

    def x(p):
        return dare(*(np.reshape(p[i], (1, 1)) for i in range(4)))[0, 0]

    want = _complex_step(lambda z: _dare_scalar(*z), p)
    np.testing.assert_allclose(dg.gradient(x, p), want, rtol=1e-13)
    a, b, q, r = p
    m = r - q * b * b - a * a * r
    d = np.sqrt(m * m + 4 * b * b * q * r)
    # x = (d - m) / (2 b^2), m_q = -b^2, d_q = N / d with N = 2 b^2 r - m b^2, N_q = b^4:
    # x_qq = d_qq / (2 b^2) = (b^4 / d - N^2 / d^3) / (2 b^2)
    N = 2 * b * b * r - m * b * b
    x_qq = (b ** 4 / d - N * N / d ** 3) / (2 * b * b)
    H = dg.hessian(lambda t: x(np.array([a, b, t[0], r])), np.array([q]))
    assert H[0, 0] == pytest.approx(x_qq, rel=1e-11)


def test_continuous_lyapunov_ornstein_uhlenbeck_variance_and_its_derivatives():
    """a x + x a = -1: x = -1 / (2 a), x' = 1 / (2 a^2), x'' = -1 / a^3."""
    def x(t):
        return scl(np.reshape(t[0], (1, 1)), -np.eye(1))[0, 0]

    a = np.array([-0.8])
    assert dg.gradient(x, a)[0] == pytest.approx(1 / (2 * a[0] ** 2), rel=1e-14)
    assert dg.hessian(x, a)[0, 0] == pytest.approx(-1 / a[0] ** 3, rel=1e-13)


def _kron_lyapunov(a, q):
    """A X + X A^T = Q through (A (x) I + I (x) A) vec X = vec Q (row-major vec), on
    floats or complex numbers (the complex step)."""
    m = a.shape[-1]
    return np.linalg.solve(np.kron(a, np.eye(m)) + np.kron(np.eye(m), a),
                           q.reshape(-1)).reshape(m, m)


def test_continuous_lyapunov_matrix_against_the_complex_step_of_the_kronecker_form():
    A = A4 - 2.0 * np.eye(4)
    Q = B4 @ B4.T
    J = dg.jacobian(lambda a: scl(a.reshape(4, 4), Q), A.ravel())
    want = _complex_step(lambda a: _kron_lyapunov(a.reshape(4, 4), Q), A.ravel())
    assert np.max(np.abs(J - want)) <= 1e-12 * np.max(np.abs(want))
    Jq = dg.jacobian(lambda q: scl(A, q.reshape(4, 4)), Q.ravel())
    want = _complex_step(lambda q: _kron_lyapunov(A, q.reshape(4, 4)), Q.ravel())
    assert np.max(np.abs(Jq - want)) <= 1e-12 * np.max(np.abs(want))


def test_continuous_lyapunov_batches_broadcast_as_scipys():
    A = A4 - 2.0 * np.eye(4)
    Ab = np.stack([A, 0.5 * A])
    J = dg.jacobian(lambda q: scl(Ab, q.reshape(4, 4)), np.eye(4).ravel())
    for k in range(2):
        want = _complex_step(lambda q: _kron_lyapunov(Ab[k], q.reshape(4, 4)),
                             np.eye(4).ravel())
        np.testing.assert_allclose(J[k], want, rtol=1e-12, atol=1e-13)


# ---- matrices: central differences of SciPy's own -----------------------------------

def _pack(p):
    a = p[:16].reshape(4, 4)
    b = p[16:24].reshape(4, 2)
    lq = p[24:40].reshape(4, 4)
    lr = p[40:44].reshape(2, 2)
    return a, b, lq @ lq.T + np.eye(4), lr @ lr.T + np.eye(2)


P0 = np.concatenate([A4.ravel(), B4.ravel(), 0.3 * RNG.standard_normal(16),
                     0.3 * RNG.standard_normal(4)])


@pytest.mark.parametrize("kind", ["care", "dare"])
def test_riccati_jacobian_in_every_operand_against_central_differences(kind):
    ours, scipys = (care, sl.solve_continuous_are) if kind == "care" else \
        (dare, sl.solve_discrete_are)
    p = P0 if kind == "care" else np.concatenate([0.5 * P0[:16], P0[16:]])
    J = dg.jacobian(lambda p: ours(*_pack(p)), p)
    want = numerical_jacobian(lambda p: scipys(*_pack(p)), p)
    assert J.shape == (4, 4, 44)
    assert np.max(np.abs(J - want)) <= 1e-8 * np.max(np.abs(want))
    assert np.array_equal(J, np.swapaxes(J, 0, 1))          # symmetric, as SciPy's X


@pytest.mark.parametrize("kind", ["care", "dare"])
def test_riccati_cross_weight_s_against_central_differences(kind):
    ours, scipys = (care, sl.solve_continuous_are) if kind == "care" else \
        (dare, sl.solve_discrete_are)
    a = A4 if kind == "care" else 0.5 * A4
    q, r = _pack(P0)[2:]

    def f(t, solve):
        return solve(a * t[0], B4 * t[1], q, r, s=S4 * t[2])

    t0 = np.array([1.0, 1.0, 1.0])
    J = dg.jacobian(lambda t: f(t, ours), t0)
    want = numerical_jacobian(lambda t: f(t, scipys), t0)
    assert np.max(np.abs(J - want)) <= 1e-8 * np.max(np.abs(want))


@pytest.mark.parametrize("kind", ["care", "dare"])
def test_riccati_hessian_of_the_lqr_cost_against_differences_of_the_gradient(kind):
    """tr(X) (the LQR cost averaged over unit initial states) in a model scale and the
    Q weights: the gradient against tr(dX) written by hand (SciPy's X, SciPy's
    Lyapunov solvers), the Hessian against 8th-order central differences of it."""
    ours = care if kind == "care" else dare
    a = A4 if kind == "care" else 0.5 * A4
    r = np.eye(2)

    def cost(t):
        return np.trace(ours(a * t[0], B4, np.diag(t[1:]), r))

    t0 = np.array([1.0, 1.0, 2.0, 0.5, 1.5])

    def grad_by_hand(t):
        """tr(dX) along each coordinate from SciPy's X and a Lyapunov solve of SciPy's."""
        A, Q = a * t[0], np.diag(t[1:])
        if kind == "care":
            X = sl.solve_continuous_are(A, B4, Q, r)
            K = np.linalg.solve(r, B4.T @ X)
            acl = A - B4 @ K
            lyap = lambda c: sl.solve_continuous_lyapunov(acl.T, -c)
            dA = lambda d: d.T @ X + X @ d
        else:
            X = sl.solve_discrete_are(A, B4, Q, r)
            K = np.linalg.solve(r + B4.T @ X @ B4, B4.T @ X @ A)
            acl = A - B4 @ K
            lyap = lambda c: sl.solve_discrete_lyapunov(acl.T, c)
            dA = lambda d: d.T @ X @ acl + acl.T @ X @ d
        g = [np.trace(lyap(dA(a)))]
        for i in range(4):
            g.append(np.trace(lyap(np.diag(np.eye(4)[i]))))
        return np.array(g)

    np.testing.assert_allclose(dg.gradient(cost, t0), grad_by_hand(t0), rtol=1e-11)
    H = dg.hessian(cost, t0)
    want = numerical_jacobian(grad_by_hand, t0)
    assert np.max(np.abs(H - want)) <= 1e-7 * np.max(np.abs(want))
    assert np.array_equal(H, H.T)


@pytest.mark.engine_independent
def test_plain_input_is_scipys_to_the_bit():
    a, b, q, r = _pack(P0)
    assert np.array_equal(care(a, b, q, r), sl.solve_continuous_are(a, b, q, r))
    assert np.array_equal(dare(0.5 * a, b, q, r, s=S4), sl.solve_discrete_are(0.5 * a, b, q, r,
                                                                              s=S4))
    assert np.array_equal(care(a, b, q, r, e=np.eye(4) * 2.0),
                          sl.solve_continuous_are(a, b, q, r, e=np.eye(4) * 2.0))
    assert np.array_equal(scl(a, q), sl.solve_continuous_lyapunov(a, q))


def test_value_on_duals_is_scipys():
    a, b, q, r = _pack(P0)
    seen = []
    dg.jacobian(lambda t: seen.append(dg.stop_gradient(care(a * t[0], b, q, r))) or t,
                np.array([1.0]))
    assert np.array_equal(seen[0], sl.solve_continuous_are(a, b, q, r))


def test_refusals_name_themselves_and_the_fix():
    a, b, q, r = _pack(P0)
    with pytest.raises(DualTypeError, match=r"use dualgrad\.scipy\.linalg\.solve_continuous_are"):
        dg.jacobian(lambda t: sl.solve_continuous_are(a * t[0], b, q, r), np.array([1.0]))
    with pytest.raises(DualTypeError, match=r"use dualgrad\.scipy\.linalg\.solve_discrete_are"):
        dg.jacobian(lambda t: sl.solve_discrete_are(0.5 * a * t[0], b, q, r), np.array([1.0]))
    with pytest.raises(DualTypeError,
                       match=r"use dualgrad\.scipy\.linalg\.solve_continuous_lyapunov"):
        dg.jacobian(lambda t: sl.solve_continuous_lyapunov(a * t[0], q), np.array([1.0]))
    with pytest.raises(DualTypeError, match=r"solve_continuous_are on dual numbers: expected "
                                            r"e=None .* solve\(E, A\)"):
        dg.jacobian(lambda t: care(a * t[0], b, q, r, e=2.0 * np.eye(4)), np.array([1.0]))
    with pytest.raises(ValueError, match="symmetric"):            # SciPy's own check
        dg.jacobian(lambda t: care(a * t[0], b, q + np.triu(np.ones((4, 4)), 1), r),
                    np.array([1.0]))


# ---- the workflow --------------------------------------------------------------------

MC, L, G = 1.0, 0.5, 9.81


def cartpole(x, u, mp=0.3):
    """Tedrake, Underactuated Robotics, ch. 3 (theta = pi upright, a point mass)."""
    s, c = np.sin(x[1]), np.cos(x[1])
    den = MC + mp * s ** 2
    xdd = (u[0] + mp * s * (L * x[3] ** 2 + G * c)) / den
    tdd = (-u[0] * c - mp * L * x[3] ** 2 * c * s - (MC + mp) * G * s) / (L * den)
    return np.stack([x[2], x[3], xdd, tdd])


XS, US = np.array([0.0, np.pi, 0.0, 0.0]), np.array([0.0])


def _linearized_by_hand(mp):
    A = np.array([[0, 0, 1, 0], [0, 0, 0, 1], [0, mp * G / MC, 0, 0],
                  [0, G * (MC + mp) / (L * MC), 0, 0]])
    return A, np.array([[0], [0], [1 / MC], [1 / (L * MC)]])


def test_cartpole_linearization_is_the_textbook_closed_form():
    A, B = dg.jacfwd(cartpole, argnums=(0, 1))(XS, US)
    Ah, Bh = _linearized_by_hand(0.3)
    np.testing.assert_allclose(A, Ah, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(B, Bh, rtol=1e-15, atol=1e-15)


def test_lqr_gain_sensitivity_to_the_pole_mass_through_the_linearization():
    """K(mp) = R^-1 B^T X with A, B from dualgrad's Jacobian inside f: a nested call;
    the oracle differentiates the hand linearization + SciPy by central differences."""
    Q, R = np.diag([1.0, 10.0, 1.0, 1.0]), np.eye(1)

    def gain(mp):
        A, B = dg.jacfwd(lambda x, u: cartpole(x, u, mp), argnums=(0, 1))(XS, US)
        X = care(A, B, Q, R)
        return np.linalg.solve(R, B.T @ X)

    def gain_by_hand(mp):
        A, B = _linearized_by_hand(mp[0])
        return np.linalg.solve(R, B.T @ sl.solve_continuous_are(A, B, Q, R))

    got = dg.jacobian(lambda m: gain(m[0]), np.array([0.3]))
    want = numerical_jacobian(gain_by_hand, np.array([0.3]))
    assert np.max(np.abs(got - want)) <= 1e-8 * np.max(np.abs(want))


def _mr_exp6(S, th):
    """Modern Robotics' MatrixExp6(VecTose3(S * th)) for a unit screw axis, written
    with the Rodrigues formula (no NearZero guard): exact at th = 0 too."""
    w, v = S[:3], S[3:]
    W = np.array([[0.0, -w[2], w[1]], [w[2], 0.0, -w[0]], [-w[1], w[0], 0.0]])
    R = np.eye(3) + np.sin(th) * W + (1 - np.cos(th)) * (W @ W)
    p = (np.eye(3) * th + (1 - np.cos(th)) * W + (th - np.sin(th)) * (W @ W)) @ v
    top = np.concatenate([R, p[:, None]], axis=1)
    return np.concatenate([top, np.array([[0.0, 0.0, 0.0, 1.0]])], axis=0)


SLIST = np.array([[0, 0, 1, 0, 0.2, 0.2], [1, 0, 0, 2, 0, 3], [0, 1, 0, 0, 2, 1],
                  [1, 0, 0, 0.2, 0.3, 0.4]], dtype=float).T
M_HOME = np.array([[1, 0, 0, 3.0], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]])


def _fk(th):
    T = M_HOME
    for i in range(len(th) - 1, -1, -1):
        T = _mr_exp6(SLIST[:, i], th[i]) @ T
    return T


def _space_jacobian(th):
    """Modern Robotics' JacobianSpace: Ad(T_{i-1}) S_i, on floats."""
    J = SLIST.copy()
    T = np.eye(4)
    for i in range(1, len(th)):
        T = T @ _mr_exp6(SLIST[:, i - 1], th[i - 1])
        R, p = T[:3, :3], T[:3, 3]
        P = np.array([[0, -p[2], p[1]], [p[2], 0, -p[0]], [-p[1], p[0], 0]])
        J[:3, i] = R @ SLIST[:3, i]
        J[3:, i] = P @ R @ SLIST[:3, i] + R @ SLIST[3:, i]
    return J


@pytest.mark.parametrize("th", [np.array([0.2, 1.1, 0.1, 1.2]), np.zeros(4)])
def test_forward_kinematics_jacobian_is_the_space_jacobian(th):
    """dT/dth_i T^-1 = [S_i'] (the space Jacobian's columns), at home too."""
    J = dg.jacobian(_fk, th)
    Tinv = np.linalg.inv(_fk(th))
    for i in range(4):
        D = J[:, :, i] @ Tinv
        twist = np.array([D[2, 1], D[0, 2], D[1, 0], D[0, 3], D[1, 3], D[2, 3]])
        np.testing.assert_allclose(twist, _space_jacobian(th)[:, i], rtol=1e-13, atol=1e-14)


# ---- guards at removable singularities (Modern Robotics, NxRLab/ModernRobotics,
# packages/Python/modern_robotics/core.py @ cbd41fdf0bf75dbd5e986d832ae14226964ff0ac) --

def NearZero(z):
    return abs(z) < 1e-6


def VecToso3(omg):
    return np.array([[0, -omg[2], omg[1]], [omg[2], 0, -omg[0]], [-omg[1], omg[0], 0]])


def so3ToVec(so3mat):
    return np.array([so3mat[2][1], so3mat[0][2], so3mat[1][0]])


def VecTose3(V):
    return np.r_[np.c_[VecToso3([V[0], V[1], V[2]]), [V[3], V[4], V[5]]], np.zeros((1, 4))]


def MatrixExp3(so3mat, taylor=False):
    omgtheta = so3ToVec(so3mat)
    if NearZero(np.linalg.norm(omgtheta)):
        if taylor:                                  # docs/writing-code.md's recipe
            W = so3mat
            return np.eye(3) + W + W @ W / 2 + W @ W @ W / 6
        return np.eye(3)
    theta = np.linalg.norm(omgtheta)
    omgmat = so3mat / theta
    return np.eye(3) + np.sin(theta) * omgmat + (1 - np.cos(theta)) * np.dot(omgmat, omgmat)


def MatrixExp6(se3mat, taylor=False):
    se3mat = np.array(se3mat)
    omgtheta = so3ToVec(se3mat[0: 3, 0: 3])
    if NearZero(np.linalg.norm(omgtheta)):
        if taylor:                                  # docs/writing-code.md's recipe
            W = se3mat[0: 3, 0: 3]
            p = (np.eye(3) + W / 2 + W @ W / 6 + W @ W @ W / 24) @ se3mat[0: 3, 3]
            return np.r_[np.c_[MatrixExp3(W, taylor=True), p], [[0, 0, 0, 1]]]
        return np.r_[np.c_[np.eye(3), se3mat[0: 3, 3]], [[0, 0, 0, 1]]]
    theta = np.linalg.norm(omgtheta)
    omgmat = se3mat[0: 3, 0: 3] / theta
    return np.r_[np.c_[MatrixExp3(se3mat[0: 3, 0: 3]),
                       np.dot(np.eye(3) * theta + (1 - np.cos(theta)) * omgmat
                              + (theta - np.sin(theta)) * np.dot(omgmat, omgmat),
                              se3mat[0: 3, 3]) / theta], [[0, 0, 0, 1]]]


def FKinSpace(M, Slist, thetalist, taylor=False):
    T = np.array(M)
    for i in range(len(thetalist) - 1, -1, -1):
        T = np.dot(MatrixExp6(VecTose3(np.array(Slist)[:, i] * thetalist[i]), taylor), T)
    return T


def _twists(J, T):
    Tinv = np.linalg.inv(T)
    cols = []
    for i in range(J.shape[-1]):
        D = J[:, :, i] @ Tinv
        cols.append([D[2, 1], D[0, 2], D[1, 0], D[0, 3], D[1, 3], D[2, 3]])
    return np.array(cols).T


@pytest.mark.parametrize("th", [np.zeros(4), np.array([0.0, 1.1, 3e-7, 1.2])])
def test_modern_robotics_guard_drops_the_rotation_and_its_taylor_branch_keeps_it(th):
    """As written, MatrixExp6's NearZero guard gives a joint at a zero angle no rotation
    (the documented trap: a unit axis off, or more); with the Taylor branch of docs/writing-code.md the
    Jacobian is the space Jacobian, and the values are the guard's to rounding."""
    J = dg.jacobian(lambda t: FKinSpace(M_HOME, SLIST, t), th)
    off = np.abs(_twists(J, FKinSpace(M_HOME, SLIST, th)) - _space_jacobian(th))
    assert np.max(off) >= 1.0 - 1e-12             # a whole unit axis missing, or more
    J = dg.jacobian(lambda t: FKinSpace(M_HOME, SLIST, t, taylor=True), th)
    np.testing.assert_allclose(_twists(J, FKinSpace(M_HOME, SLIST, th, True)),
                               _space_jacobian(th), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(FKinSpace(M_HOME, SLIST, th, True), _fk(th), rtol=0,
                               atol=1e-15)


def test_a_constant_guard_after_an_array_of_scalar_duals_names_the_taylor_fix():
    with pytest.raises(DualTypeError, match=r"removable singularity .* Taylor series"):
        dg.jacobian(lambda w: MatrixExp3(VecToso3(w)), np.zeros(3))
    J = dg.jacobian(lambda w: MatrixExp3(VecToso3(w), taylor=True), np.zeros(3))
    for i in range(3):                              # d exp([w]) / dw_i at 0 = [e_i]
        np.testing.assert_array_equal(J[:, :, i], VecToso3(np.eye(3)[i]).astype(float))


def Adjoint(T):
    R, p = T[0: 3, 0: 3], T[0: 3, 3]
    return np.r_[np.c_[R, np.zeros((3, 3))], np.c_[np.dot(VecToso3(p), R), R]]


def JacobianSpace(Slist, thetalist):
    Js = np.array(Slist).copy().astype(float)
    T = np.eye(4)
    for i in range(1, len(thetalist)):
        T = np.dot(T, MatrixExp6(VecTose3(np.array(Slist)[:, i - 1] * thetalist[i - 1])))
        Js[:, i] = np.dot(Adjoint(T), np.array(Slist)[:, i])
    return Js


def JacobianSpace_fixed(Slist, thetalist):
    Js = np.array(Slist).copy().astype(float)
    Js = Js + np.zeros_like(thetalist, shape=Js.shape)      # the line the refusal names
    T = np.eye(4)
    for i in range(1, len(thetalist)):
        T = np.dot(T, MatrixExp6(VecTose3(np.array(Slist)[:, i - 1] * thetalist[i - 1])))
        Js[:, i] = np.dot(Adjoint(T), np.array(Slist)[:, i])
    return Js


def test_a_buffer_copied_from_numbers_names_the_line_that_keeps_them():
    """Modern Robotics' JacobianSpace fills a copy of Slist: the refusal names the line
    to add; with it, dJ_i / dth_j = ad(J_j) J_i for j < i (0 otherwise), the closed
    form of the space Jacobian's derivative."""
    th = np.array([0.2, 1.1, 0.1, 1.2])
    with pytest.raises(DualTypeError, match=r"keep its numbers, held as duals: add Js = Js \+ "
                                            r"np\.zeros_like\(thetalist, shape=Js\.shape\) "
                                            r"after line \d+ \(thetalist's kind"):
        dg.jacobian(lambda t: JacobianSpace(SLIST, t), th)
    D = dg.jacobian(lambda t: JacobianSpace_fixed(SLIST, t), th)
    J = _space_jacobian(th)

    def ad(V):
        W, v = VecToso3(V[:3]).astype(float), VecToso3(V[3:]).astype(float)
        return np.block([[W, np.zeros((3, 3))], [v, W]])

    for i in range(4):
        for j in range(4):
            want = ad(J[:, j]) @ J[:, i] if j < i else np.zeros(6)
            np.testing.assert_allclose(D[:, i, j], want, rtol=1e-12, atol=1e-13)


def test_scipy_rotation_on_duals_names_the_method_and_the_numpy_spelling():
    from scipy.spatial.transform import Rotation
    with pytest.raises(DualTypeError, match=r"scipy\.spatial\.transform\.Rotation\.from_rotvec "
                                            r"converts .* Rodrigues' formula"):
        dg.jacobian(lambda w: Rotation.from_rotvec(w).as_matrix(), np.array([0.1, 0.2, 0.3]))
    with pytest.raises(DualTypeError, match=r"scipy\.spatial\.transform\.Rotation\.apply "
                                            r"converts .* R @ v for apply"):
        dg.jacobian(lambda v: Rotation.from_rotvec([0.1, 0.2, 0.3]).apply(v), np.ones(3))


# ---- sqrtm / solve_sylvester (an unscented Kalman filter's sigma points) ------------

from dualgrad.scipy.linalg import solve_sylvester as sylv, sqrtm  # noqa: E402


def _sqrtm_2x2(a):
    """The principal square root of a 2 x 2 matrix with positive eigenvalues, in closed
    form: (A + s I) / t with s = sqrt(det A), t = sqrt(tr A + 2 s); a holomorphic
    expression, so the complex step differentiates it."""
    s = np.sqrt(a[0] * a[3] - a[1] * a[2])
    t = np.sqrt(a[0] + a[3] + 2 * s)
    return np.stack([a[0] + s, a[1], a[2], a[3] + s]) / t


def test_sqrtm_2x2_jacobian_and_hessian_against_the_closed_form():
    a = np.array([2.0, 0.3, -0.4, 1.5])
    J = dg.jacobian(lambda a: sqrtm(a.reshape(2, 2)).ravel(), a)
    np.testing.assert_allclose(J, _complex_step(_sqrtm_2x2, a), rtol=1e-13, atol=1e-15)
    H = dg.hessian(lambda a: sqrtm(a.reshape(2, 2))[0, 1], a)
    want = numerical_jacobian(lambda a: _complex_step(lambda z: _sqrtm_2x2(z)[1], a), a)
    np.testing.assert_allclose(H, want, rtol=1e-8, atol=1e-10)


def test_sqrtm_of_a_matrix_with_negative_eigenvalues_is_complex_and_exact():
    """SciPy's value is complex there; the partials too (central differences of SciPy's
    own, real and imaginary parts)."""
    A = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 0.3], [0.0, 0.2, 2.0]])
    J = dg.jacobian(lambda a: sqrtm(a.reshape(3, 3)), A.ravel())
    want = numerical_jacobian(lambda a: sl.sqrtm(a.reshape(3, 3)), A.ravel())
    assert np.iscomplexobj(J)
    assert np.max(np.abs(J - want)) <= 1e-8 * np.max(np.abs(want))


def test_solve_sylvester_against_the_complex_step_of_the_kronecker_form():
    a = A4 - 2.0 * np.eye(4)
    b = RNG.standard_normal((2, 2)) - 3.0 * np.eye(2)
    q = B4

    def kron(a, b, q):                              # (A (x) I + I (x) B^T) vec X = vec Q
        return np.linalg.solve(np.kron(a, np.eye(2)) + np.kron(np.eye(4), b.T),
                               q.reshape(-1)).reshape(4, 2)

    p = np.concatenate([a.ravel(), b.ravel(), q.ravel()])
    unpack = lambda p: (p[:16].reshape(4, 4), p[16:20].reshape(2, 2), p[20:].reshape(4, 2))
    J = dg.jacobian(lambda p: sylv(*unpack(p)), p)
    want = _complex_step(lambda p: kron(*unpack(p)), p)
    assert np.max(np.abs(J - want)) <= 1e-12 * np.max(np.abs(want))


def test_ukf_sigma_points_through_sqrtm_against_central_differences():
    """PythonRobotics' generate_sigma_points (Localization/unscented_kalman_filter/
    unscented_kalman_filter.py @ b38c510e), scipy.linalg.sqrtm -> the drop-in; the
    sigma points' Jacobian in the covariance's entries."""
    def generate_sigma_points(xEst, PEst, gamma, sqrtm):
        sigma = xEst
        Psqrt = sqrtm(PEst)
        n = len(xEst[:, 0])
        for i in range(n):                          # positive direction
            sigma = np.hstack((sigma, xEst + gamma * Psqrt[:, i:i + 1]))
        for i in range(n):                          # negative direction
            sigma = np.hstack((sigma, xEst - gamma * Psqrt[:, i:i + 1]))
        return sigma

    xEst = np.array([[0.1], [0.2], [0.3], [1.0]])
    L = RNG.standard_normal((4, 4)) * 0.3
    P0 = L @ L.T + np.eye(4)
    J = dg.jacobian(lambda p: generate_sigma_points(xEst, p.reshape(4, 4), 2.1, sqrtm),
                    P0.ravel())
    want = numerical_jacobian(
        lambda p: generate_sigma_points(xEst, p.reshape(4, 4), 2.1, sl.sqrtm), P0.ravel())
    assert np.max(np.abs(J - want)) <= 1e-9 * np.max(np.abs(want))
    with pytest.raises(DualTypeError, match=r"use dualgrad\.scipy\.linalg\.sqrtm"):
        dg.jacobian(lambda p: sl.sqrtm(p.reshape(4, 4)), P0.ravel())


@pytest.mark.engine_independent
def test_sqrtm_and_sylvester_plain_input_is_scipys_to_the_bit():
    P = B4 @ B4.T + np.eye(4)
    assert np.array_equal(sqrtm(P), sl.sqrtm(P))
    assert np.array_equal(sylv(A4, -3.0 * np.eye(2), B4), sl.solve_sylvester(A4, -3.0 * np.eye(2),
                                                                              B4))


def test_cont2discrete_on_duals_names_the_zero_order_hold_that_works():
    """A controls engineer discretizes before a DARE: scipy.signal.cont2discrete converts
    its input; the spelling it names (expm of the block matrix) is exact against central
    differences of SciPy's own cont2discrete."""
    signal = pytest.importorskip("scipy.signal")
    from dualgrad.scipy.linalg import expm
    A = np.array([[0.0, 1.0], [-2.0, -0.3]])
    B = np.array([[0.0], [1.0]])
    C, D = np.eye(2), np.zeros((2, 1))
    with pytest.raises(DualTypeError, match=r"cont2discrete .* zero-order hold .* "
                                            r"dualgrad\.scipy\.linalg\.expm\(dt \* np\.block"):
        dg.jacobian(lambda p: signal.cont2discrete((A * p[0], B, C, D), 0.1)[0],
                    np.array([1.0]))

    def zoh(p, dt=0.1):                             # the spelling, as the message writes it
        a, b = A * p[0], B * p[1]
        n, m = b.shape
        M = expm(dt * np.block([[a, b], [np.zeros((m, n + m))]]))
        return np.concatenate([M[:n, :n], M[:n, n:]], axis=1)

    def scipys(p, dt=0.1):
        Ad, Bd = signal.cont2discrete((A * p[0], B * p[1], C, D), dt)[:2]
        return np.concatenate([Ad, Bd], axis=1)

    p = np.array([1.0, 1.0])
    np.testing.assert_allclose(zoh(p), scipys(p), rtol=1e-14, atol=1e-16)
    J = dg.jacobian(zoh, p)
    want = numerical_jacobian(scipys, p)
    assert np.max(np.abs(J - want)) <= 1e-9 * np.max(np.abs(want))


# ---- block_diag (an EKF-SLAM's joint covariance) -------------------------------------

from dualgrad.scipy.linalg import block_diag  # noqa: E402


def _blocks(p, bd):
    return bd(np.diag(p[:2]) * p[2], p[1] ** 2, np.array([p[0], 3.0]), np.ones((0,)),
              np.ones((2, 0)))


def test_block_diag_against_the_complex_step_of_scipys_own():
    """SciPy's block_diag computes on complex numbers itself: the complex step through
    it is the oracle (scalars, rows, empty blocks as SciPy places them); a Hessian
    against differences of the complex-step gradient."""
    p = np.array([1.0, 2.0, 0.5])
    J = dg.jacobian(lambda q: _blocks(q, block_diag), p)
    assert J.shape == (7, 5, 3)
    np.testing.assert_array_equal(J, _complex_step(lambda q: _blocks(q, sl.block_diag), p))
    seen = []
    dg.jacobian(lambda q: seen.append(dg.stop_gradient(_blocks(q, block_diag))) or q, p)
    assert np.array_equal(seen[0], _blocks(p, sl.block_diag)) and seen[0].dtype == np.float64

    def grad(q):                                    # d sum(B^3) = sum(3 B^2 dB)
        B = _blocks(q, sl.block_diag)
        return np.einsum("ij,ijk->k", 3 * B ** 2,
                         _complex_step(lambda r: _blocks(r, sl.block_diag), q))

    H = dg.hessian(lambda q: np.sum(_blocks(q, block_diag) ** 3), p)
    np.testing.assert_allclose(H, numerical_jacobian(grad, p), rtol=1e-9, atol=1e-10)


def test_scipys_block_diag_on_duals_names_the_drop_in():
    with pytest.raises(DualTypeError, match=r"use dualgrad\.scipy\.linalg\.block_diag\(q1, q2\)"):
        dg.jacobian(lambda p: sl.block_diag(np.diag(p), np.eye(2) * p[0]), np.array([1.0, 2.0]))


@pytest.mark.engine_independent
def test_block_diag_plain_input_is_scipys():
    p = np.array([1.0, 2.0, 0.5])
    assert np.array_equal(_blocks(p, block_diag), _blocks(p, sl.block_diag))
    assert block_diag().shape == sl.block_diag().shape
