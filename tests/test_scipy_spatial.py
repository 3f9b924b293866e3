"""dualgrad.scipy.spatial.transform: Rotation and Slerp as drop-ins for SciPy's.

Values are compared with SciPy's own classes (random rotations, 180-degree
rotations, the identity, gimbal lock, antiparallel vectors, matrices that are not
orthogonal); derivatives with eighth-order central differences of SciPy's own
functions (``central8``), closed forms (``d/dt R(t w) = [w]x R(t w)``, the
Frechet derivative of ``expm`` of the skew matrix, the Hessian of ``R(w) v`` at the
identity) and differences of exact gradients for Hessians.
"""

import warnings

import numpy as np
import pytest
from scipy.linalg import expm, expm_frechet
from scipy.spatial.transform import Rotation as SR
from scipy.spatial.transform import Slerp as SSlerp

import dualgrad as dg
from dualgrad.scipy.spatial.transform import Rotation, Slerp
from tests._oracles import central8

RNG = np.random.default_rng(46)
Q = RNG.normal(size=(6, 4))
RV = SR.from_quat(Q).as_rotvec()
V = RNG.normal(size=(6, 3))
AXES = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
TILTED = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, -1.0, 0.0]])
SEQS = ["xyz", "XYZ", "zyx", "ZYX", "zxz", "ZXZ", "yxy", "XZY"]
# 180 degrees about axes and diagonals, the identity and its negative, w == 0 with
# mixed signs (SciPy's canonical choice), a quaternion with a tiny component
SPECIAL = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [1, 1, 0, 0], [0, -1, 1, 0],
                    [0, 0, 0, 1], [0, 0, 0, -1], [-1, 0, 0, 0], [0, -1, 1e-20, 0],
                    [1e-9, 0, 0, 1]], float)


def skew(v):
    return np.array([[0.0, -v[2], v[1]], [v[2], 0.0, -v[0]], [-v[1], v[0], 0.0]])


def both(f, ours=Rotation, theirs=SR):
    return np.asarray(f(ours)), np.asarray(f(theirs))


# ---- values: SciPy's to rounding ----------------------------------------------------

VALUES = {
    "from_quat": lambda R: R.from_quat(Q).as_quat(),
    "scalar_first": lambda R: R.from_quat(Q, scalar_first=True).as_quat(scalar_first=True),
    "canonical": lambda R: R.from_quat(np.vstack([Q, SPECIAL])).as_quat(canonical=True),
    "as_matrix": lambda R: R.from_quat(Q).as_matrix(),
    "from_matrix": lambda R: R.from_matrix(SR.from_quat(Q).as_matrix()).as_quat(),
    "from_matrix_special": lambda R: R.from_matrix(SR.from_quat(SPECIAL).as_matrix()).as_quat(),
    "from_matrix_not_orthogonal": lambda R: R.from_matrix(
        SR.from_quat(Q).as_matrix() + 0.05 * np.sin(np.arange(54.0)).reshape(6, 3, 3)).as_quat(),
    "as_rotvec": lambda R: R.from_quat(np.vstack([Q, SPECIAL])).as_rotvec(degrees=True),
    "from_rotvec": lambda R: R.from_rotvec(np.vstack([RV, 1e-5 * RV, np.zeros(3)])).as_quat(),
    "from_rotvec_degrees": lambda R: R.from_rotvec(30 * RV, degrees=True).as_quat(),
    "as_mrp": lambda R: R.from_quat(np.vstack([Q, SPECIAL])).as_mrp(),
    "from_mrp": lambda R: R.from_mrp(RV).as_quat(),
    "magnitude": lambda R: R.from_quat(np.vstack([Q, SPECIAL])).magnitude(),
    "magnitude_single": lambda R: R.from_quat(Q[0]).magnitude(),
    "inv": lambda R: R.from_quat(Q).inv().as_quat(),
    "mul": lambda R: (R.from_quat(Q) * R.from_quat(Q[::-1])).as_quat(),
    "mul_single_stack": lambda R: (R.from_quat(Q[0]) * R.from_quat(Q)).as_quat(),
    "apply": lambda R: R.from_quat(Q).apply(V),
    "apply_inverse": lambda R: R.from_quat(Q).apply(V, inverse=True),
    "apply_one_vector": lambda R: R.from_quat(Q).apply(V[0]),
    "apply_one_rotation": lambda R: R.from_quat(Q[0]).apply(V),
    "pow": lambda R: (R.from_quat(Q) ** 0.3).as_quat(),
    "pow_minus_one": lambda R: (R.from_quat(Q) ** -1).as_quat(),
    "pow_zero": lambda R: (R.from_quat(Q) ** 0).as_quat(),
    "mean": lambda R: R.from_quat(Q).mean().as_quat(),
    "mean_weights": lambda R: R.from_quat(Q).mean(np.arange(1.0, 7.0)).as_quat(),
    "mean_axis": lambda R: R.from_quat(Q.reshape(2, 3, 4)).mean(axis=1).as_quat(),
    "nd_euler": lambda R: R.from_quat(Q.reshape(2, 3, 4)).as_euler("zxy"),
    "nd_apply": lambda R: R.from_quat(Q.reshape(2, 3, 4)).apply(V[:3]),
    "identity": lambda R: R.identity(3).as_quat(),
    "from_euler_one_axis": lambda R: R.from_euler("z", 0.7).as_quat(),
    "from_euler_two_axes": lambda R: R.from_euler("YX", [[0.7, -0.2], [3.0, 1.0]]).as_quat(),
    "concatenate": lambda R: R.concatenate([R.from_quat(Q[0]), R.from_quat(Q[1:3])]).as_quat(),
    "getitem": lambda R: R.from_quat(Q)[[0, 2, 5]].as_quat(),
    "approx_equal": lambda R: R.from_quat(Q).approx_equal(R.from_quat(-Q)),
}
for _seq in SEQS:
    VALUES[f"as_euler_{_seq}"] = lambda R, s=_seq: R.from_quat(Q).as_euler(s)
    VALUES[f"from_euler_{_seq}"] = lambda R, s=_seq: R.from_euler(s, RV, degrees=True).as_quat()
for _order in ("e", "i"):
    for _name, _axes in (("basis", AXES), ("tilted", TILTED)):
        VALUES[f"as_davenport_{_order}_{_name}"] = \
            lambda R, o=_order, a=_axes: R.from_quat(Q).as_davenport(a, o)
        VALUES[f"from_davenport_{_order}_{_name}"] = \
            lambda R, o=_order, a=_axes: R.from_davenport(a, o, RV).as_quat()


@pytest.mark.parametrize("name", sorted(VALUES))
def test_values_equal_scipys(name):
    ours, theirs = both(VALUES[name])
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=4e-15)


@pytest.mark.parametrize("seq", ["xyz", "XYZ", "zxz", "ZXZ", "yzy"])
def test_gimbal_lock_values_and_warning_as_scipys(seq):
    ours, theirs = [], []
    for R, out in ((Rotation, ours), (SR, theirs)):
        r = R.from_quat(SR.from_euler(seq, [[0.3, np.pi / 2, 0.2], [0.3, 0.0, 0.2],
                                            [0.1, np.pi, 0.7], [0.3, -np.pi / 2, 0.4]]).as_quat())
        with pytest.warns(UserWarning, match="Gimbal lock detected"):
            out.append(r.as_euler(seq))
    np.testing.assert_allclose(ours[0], theirs[0], rtol=0, atol=1e-15)


@pytest.mark.parametrize("case", ["many", "inf", "one", "antiparallel", "parallel", "two",
                                  "sensitivity"])
def test_align_vectors_values_equal_scipys(case):
    a, b = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 3))
    args = {"many": (a, b), "inf": (a, b, [1.0, 2.0, np.inf, 0.5, 1.0]), "one": (a[0], b[0]),
            "antiparallel": (a[0], -2 * a[0]), "parallel": (a[0], 3 * a[0]),
            "two": (a[:2], b[:2]), "sensitivity": (a, b, None, True)}[case]
    ours, theirs = Rotation.align_vectors(*args), SR.align_vectors(*args)
    np.testing.assert_allclose(ours[0].as_quat(), theirs[0].as_quat(), rtol=0, atol=1e-15)
    for o, t in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(o, t, rtol=1e-14, atol=1e-15)


def test_slerp_values_equal_scipys():
    times = [0.0, 1.0, 3.0, 4.0]
    at = [0.0, 0.5, 1.0, 2.0, 4.0]
    ours = Slerp(times, Rotation.from_quat(Q[:4]))(at).as_quat()
    np.testing.assert_allclose(ours, SSlerp(times, SR.from_quat(Q[:4]))(at).as_quat(),
                               rtol=0, atol=1e-15)
    assert Slerp(times, Rotation.from_quat(Q[:4]))(2.0).single


def test_containers_as_scipys():
    r, s = Rotation.from_quat(Q), SR.from_quat(Q)
    assert len(r) == len(s) and r.shape == s.shape and not r.single
    assert Rotation.from_quat(Q[0]).single and Rotation.from_quat(Q[0]).shape == ()
    assert Rotation.identity(shape=(2, 3)).shape == (2, 3)
    assert [x.single for x in r] == [True] * 6
    r[1] = Rotation.from_quat(Q[4])
    np.testing.assert_array_equal(r.as_quat()[1], Rotation.from_quat(Q[4]).as_quat())
    assert Rotation.random(3, rng=1).shape == (3,)


ERRORS = {
    "zero quaternion": lambda R: R.from_quat([0, 0, 0, 0.0]),
    "quaternion shape": lambda R: R.from_quat([0, 0, 1.0]),
    "negative determinant": lambda R: R.from_matrix(np.stack([np.eye(3), -np.eye(3)])),
    "matrix shape": lambda R: R.from_matrix(np.eye(2)),
    "rotvec shape": lambda R: R.from_rotvec([1.0, 2.0]),
    "mrp shape": lambda R: R.from_mrp([1.0, 2.0]),
    "sequence length": lambda R: R.from_euler("xyzx", [1, 2, 3, 4.0]),
    "mixed sequence": lambda R: R.from_euler("xY", [1, 2.0]),
    "repeated axis": lambda R: R.from_euler("xxy", [1, 2, 3.0]),
    "angle count": lambda R: R.from_euler("xyz", [1, 2.0]),
    "as_euler length": lambda R: R.identity().as_euler("xy"),
    "davenport order": lambda R: R.from_davenport(np.eye(3), "q", [1, 2, 3.0]),
    "davenport orthogonal": lambda R: R.from_davenport([[1, 0, 0], [1, 1, 0.0]], "e", [1, 2.0]),
    "davenport angles": lambda R: R.from_davenport(np.eye(3), "e", [1, 2.0]),
    "as_davenport axes": lambda R: R.identity().as_davenport([[1, 0, 0], [0, 1, 0.0]], "e"),
    "apply shape": lambda R: R.identity().apply([1, 2.0]),
    "apply broadcast": lambda R: R.identity(3).apply(np.ones((2, 3))),
    "mul broadcast": lambda R: R.identity(3) * R.identity(2),
    "single index": lambda R: R.identity()[0],
    "single len": lambda R: len(R.identity()),
    "empty mean": lambda R: R.identity(0).mean(),
    "negative weights": lambda R: R.identity(2).mean([1, -1.0]),
    "scalar weight": lambda R: R.identity(2).mean(2.0),
    "weights count": lambda R: R.identity(3).mean([1.0, 2.0]),
    "weights 2-D": lambda R: R.identity(3).mean(np.ones((3, 1))),
    "align shapes": lambda R: R.align_vectors(np.ones((2, 3)), np.ones((3, 3))),
    "two infinite weights": lambda R: R.align_vectors(np.eye(3), np.eye(3), [np.inf, np.inf, 1]),
    "sensitivity of one pair": lambda R: R.align_vectors([1, 0, 0.0], [0, 1, 0.0],
                                                         return_sensitivity=True),
    "zero primary": lambda R: R.align_vectors([0, 0, 0.0], [0, 1, 0.0]),
    "pow modulus": lambda R: pow(R.identity(), 2, 3),
    "slerp times": lambda R: (Slerp if R is Rotation else SSlerp)([0, 0], R.identity(2)),
    "slerp range": lambda R: (Slerp if R is Rotation else SSlerp)([0, 1], R.identity(2))(2.0),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_scipys(name):
    with pytest.raises(Exception) as theirs:
        ERRORS[name](SR)
    with pytest.raises(type(theirs.value)) as ours:
        ERRORS[name](Rotation)
    assert str(ours.value) == str(theirs.value)


# ---- derivatives: central differences of SciPy's own functions ----------------------

DERIVATIVES = {
    "from_quat_as_matrix": (lambda R, x: R.from_quat(x.reshape(2, 4)).as_matrix(), Q[:2]),
    "from_quat_scalar_first_canonical": (
        lambda R, x: R.from_quat(x.reshape(2, 4), scalar_first=True).as_quat(canonical=True),
        Q[:2]),
    "from_rotvec": (lambda R, x: R.from_rotvec(x.reshape(2, 3)).as_quat(), RV[:2]),
    "from_rotvec_degrees": (lambda R, x: R.from_rotvec(x, degrees=True).as_quat(), 40 * RV[0]),
    "as_rotvec": (lambda R, x: R.from_quat(x.reshape(2, 4)).as_rotvec(), Q[:2]),
    "from_matrix": (lambda R, x: R.from_matrix(x.reshape(3, 3)).as_quat(),
                    SR.from_quat(Q[0]).as_matrix()),
    "from_matrix_not_orthogonal": (lambda R, x: R.from_matrix(x.reshape(3, 3)).as_quat(),
                                   1.1 * SR.from_quat(Q[0]).as_matrix() + 0.1),
    "from_euler_xyz": (lambda R, x: R.from_euler("xyz", x).as_quat(), RV[0]),
    "from_euler_ZXZ_degrees": (lambda R, x: R.from_euler("ZXZ", x, degrees=True).as_quat(),
                               40 * RV[1]),
    "from_mrp_as_mrp": (lambda R, x: (R.from_mrp(x) * R.from_quat(Q[1])).as_mrp(), RV[0] / 4),
    "apply_rotvec": (lambda R, x: R.from_rotvec(x).apply(V), RV[2]),
    "apply_vectors_inverse": (lambda R, x: R.from_quat(Q[:2]).apply(x.reshape(2, 3),
                                                                    inverse=True), V[:2]),
    "mul": (lambda R, x: (R.from_rotvec(x) * R.from_quat(Q[1])).as_quat(), RV[3]),
    "inv_magnitude": (lambda R, x: R.from_rotvec(x.reshape(2, 3)).inv().magnitude(), RV[:2]),
    "pow": (lambda R, x: (R.from_quat(Q[0]) ** x[0]).as_quat(), np.array([0.3])),
    "mean": (lambda R, x: R.from_quat(x.reshape(3, 4)).mean().as_quat(), Q[:3]),
    "mean_weights": (lambda R, x: R.from_quat(Q[:3]).mean(x).as_quat(), np.array([1.0, 2, 3])),
    "from_davenport": (lambda R, x: R.from_davenport(TILTED, "i", x).as_quat(), RV[4]),
}
for _seq in ("xyz", "ZYX", "zxz", "YXY"):
    DERIVATIVES[f"as_euler_{_seq}"] = (lambda R, x, s=_seq: R.from_quat(x).as_euler(s), Q[3])
for _order in ("e", "i"):
    DERIVATIVES[f"as_davenport_{_order}"] = (
        lambda R, x, o=_order: R.from_quat(x).as_davenport(TILTED, o, degrees=True), Q[4])


@pytest.mark.parametrize("name", sorted(DERIVATIVES))
def test_derivatives_match_differences_of_scipy(name):
    f, x0 = DERIVATIVES[name]
    x0 = np.asarray(x0, float)
    J = dg.jacobian(lambda x: f(Rotation, x.reshape(x0.shape)), x0.ravel())
    want = central8(lambda x: np.asarray(f(SR, x.reshape(x0.shape))), x0.ravel(), h=1e-3)
    assert J.shape == want.shape
    np.testing.assert_allclose(J, want, rtol=0, atol=1e-9 * max(1.0, np.max(np.abs(want))))


def test_rotvec_derivative_is_the_frechet_derivative_of_expm():
    """``R(w) = expm([w]x)``: its derivative along ``e_i`` is the Frechet derivative of
    ``expm`` at ``[w]x`` in the direction ``[e_i]x``, at the identity, inside SciPy's
    small-angle branch and outside it."""
    for w in (np.zeros(3), np.array([3e-4, -2e-4, 5e-4]), np.array([1e-9, 0.0, 0.0]), RV[0]):
        J = dg.jacobian(lambda w: Rotation.from_rotvec(w).as_matrix(), w)
        want = np.stack([expm_frechet(skew(w), skew(e))[1] for e in np.eye(3)], axis=-1)
        np.testing.assert_allclose(J, want, rtol=0, atol=1e-15)


def test_derivative_along_the_axis_is_the_cross_product_matrix():
    """``d/dt R(t w) = [w]x R(t w)`` at t = 0.7, through rotation vector, Euler angles
    about the same axis, and MRPs (``tan(t |w| / 4) w / |w|``)."""
    w = np.array([0.0, 0.0, 1.3])
    want = skew(w) @ expm(0.7 * skew(w))
    ways = [lambda t: Rotation.from_rotvec(t * w).as_matrix(),
            lambda t: Rotation.from_euler("xyz", t * w).as_matrix(),
            lambda t: Rotation.from_mrp(np.tan(t * 1.3 / 4) * w / 1.3).as_matrix()]
    for way in ways:
        np.testing.assert_allclose(dg.derivative(way, 0.7), want, rtol=0, atol=1e-15)


def test_hessian_at_the_identity_is_exact():
    """``u . R(w) v`` at ``w = 0``: Hessian ``u^T (K_i K_j + K_j K_i) v / 2``, ``K_i =
    [e_i]x``; and ``|as_rotvec(from_rotvec(w))|^2``, whose Hessian is ``2 I`` (SciPy's
    small-angle series on both sides, written in the squared angle)."""
    u, v = np.array([0.5, 0.1, -0.4]), np.array([0.3, -1.2, 0.7])
    K = [skew(e) for e in np.eye(3)]
    want = np.array([[u @ (K[i] @ K[j] + K[j] @ K[i]) @ v / 2 for j in range(3)]
                     for i in range(3)])
    H = dg.hessian(lambda w: u @ Rotation.from_rotvec(w).apply(v), np.zeros(3))
    np.testing.assert_allclose(H, want, rtol=0, atol=1e-16)
    H = dg.hessian(lambda w: np.sum(Rotation.from_rotvec(w).as_rotvec() ** 2), np.zeros(3))
    np.testing.assert_allclose(H, 2 * np.eye(3), rtol=0, atol=1e-15)


@pytest.mark.parametrize("f, x0", [
    (lambda x: np.sum(Rotation.from_rotvec(x).apply(V) ** 3), np.array([2e-4, -1e-4, 3e-4])),
    (lambda x: np.sum(Rotation.from_quat(x).as_euler("zyx") ** 2), Q[2]),
    (lambda x: np.sum(Rotation.from_matrix(x.reshape(3, 3)).as_rotvec() ** 2),
     SR.from_quat(Q[1]).as_matrix().ravel()),
    (lambda x: Rotation.align_vectors(x.reshape(4, 3), V[:4])[1], V[2:6].ravel()),
    (lambda x: np.sum(Rotation.from_quat(x.reshape(3, 4)).mean().as_rotvec() ** 2),
     Q[:3].ravel()),
])
def test_hessians_match_differences_of_exact_gradients(f, x0):
    H = dg.hessian(f, x0)
    want = central8(lambda x: dg.gradient(f, x), x0, h=1e-3)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(H, want, rtol=0, atol=1e-8 * max(1.0, np.max(np.abs(want))))


def test_from_matrix_off_the_rotations_moves_by_the_rotational_part_only():
    """SciPy projects any matrix farther than 1e-12 from orthogonal to the nearest
    rotation, so a direction ``E`` off the rotations moves the result as its
    rotational part ``M skew(M^T E)`` does (differences of SciPy's own function agree,
    test above); along ``[w]x M`` the derivative is ``q(expm(t [w]x) M)``'s."""
    M = SR.from_quat(Q[0]).as_matrix()
    E = np.sin(np.arange(9.0)).reshape(3, 3)
    A = M.T @ E
    tangent = M @ (A - A.T) / 2
    f = lambda t, D: Rotation.from_matrix(M + t * D).as_quat()
    np.testing.assert_allclose(dg.derivative(lambda t: f(t, E), 0.0),
                               dg.derivative(lambda t: f(t, tangent), 0.0), rtol=0, atol=1e-15)
    w = np.array([0.2, -0.5, 0.3])
    want = central8(lambda t: SR.from_matrix(expm(t[0] * skew(w)) @ M).as_quat(),
                    np.zeros(1))[:, 0]
    got = dg.derivative(lambda t: Rotation.from_matrix(M + t * skew(w) @ M).as_quat(), 0.0)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", ["many", "two", "one", "inf", "sensitivity"])
def test_align_vectors_derivatives_match_differences_of_scipy(case):
    """The rotation, rssd and sensitivity matrix in both vector sets and the weights;
    two pairs make ``B`` singular (its SVD has no derivative there: Davenport's
    q-method's dominant eigenvector does)."""
    a, b = V[:4], V[2:6] + 0.3
    n = {"many": 4, "two": 2, "one": 1, "inf": 4, "sensitivity": 4}[case]
    w = np.array([1.0, np.inf, 2.0, 0.5]) if case == "inf" else np.arange(1.0, n + 1)
    sens = case == "sensitivity"

    def f(R, x):
        a_, b_, w_ = x[:3 * n].reshape(n, 3), x[3 * n:6 * n].reshape(n, 3), x[6 * n:]
        if n == 1:
            a_, b_ = a_[0], b_[0]
        out = R.align_vectors(a_, b_, None if n == 1 else w_ if case != "inf" else w,
                              return_sensitivity=sens)
        parts = [out[0].as_quat(), np.reshape(out[1], (1,))]
        if sens:
            parts.append(np.ravel(out[2]))
        return np.concatenate(parts)

    x0 = np.concatenate([a[:n].ravel(), b[:n].ravel(), w[:n] if case != "inf" else []])
    J = dg.jacobian(lambda x: f(Rotation, x), x0)
    want = central8(lambda x: f(SR, x), x0, h=1e-3)
    np.testing.assert_allclose(J, want, rtol=0, atol=1e-9 * max(1.0, np.max(np.abs(want))))


def test_slerp_derivatives_in_the_key_rotations_and_times():
    keys = Q[:4]
    times = np.array([0.0, 1.0, 3.0, 4.0])
    at = np.array([0.5, 2.5, 3.5])

    def f(R, S, x):
        return S(x[16:], R.from_quat(x[:16].reshape(4, 4)))(at).as_quat().ravel()

    x0 = np.concatenate([keys.ravel(), times])
    J = dg.jacobian(lambda x: f(Rotation, Slerp, x), x0)
    want = central8(lambda x: f(SR, SSlerp, x), x0, h=1e-3)
    np.testing.assert_allclose(J, want, rtol=0, atol=1e-9)
    # between the identity and R(w): R(t w), whose derivative in t is [w]x R(t w)
    w = np.array([0.3, 0.4, -1.1])
    s = Slerp([0.0, 1.0], Rotation.from_rotvec(np.stack([np.zeros(3), w])))
    np.testing.assert_allclose(dg.derivative(lambda t: s(t).as_matrix(), 0.25),
                               skew(w) @ expm(0.25 * skew(w)), rtol=0, atol=1e-15)


# ---- a robotics use: the Jacobian of a camera projection ----------------------------

def _project(R, w, t, X, f=500.0):
    """Pinhole projection of world points ``X`` by a camera at pose (``R(w)``, ``t``)."""
    P = R.from_rotvec(w).apply(X) + t
    return f * P[:, :2] / P[:, 2:]


def test_camera_projection_jacobian_in_the_rotation_vector():
    """At ``w = 0``: ``dP/dw = -[X]x`` (``d(R X) = [dw]x X``), so ``du/dw = f (dP_xy /
    Z - P_xy dZ / Z**2)`` in closed form; elsewhere differences of SciPy's."""
    X = np.array([[0.3, -0.2, 4.0], [-0.5, 0.1, 5.0], [1.0, 0.7, 6.0]])
    t = np.array([0.1, -0.05, 0.2])
    J = dg.jacobian(lambda w: _project(Rotation, w, t, X), np.zeros(3))
    P = X + t
    want = np.empty((3, 2, 3))
    for k in range(3):
        dP = -skew(X[k])
        want[k] = 500.0 * (dP[:2] / P[k, 2] - np.outer(P[k, :2], dP[2]) / P[k, 2] ** 2)
    np.testing.assert_allclose(J, want, rtol=1e-14, atol=1e-12)
    w0 = np.array([0.05, -0.1, 0.2])
    J = dg.jacobian(lambda w: _project(Rotation, w, t, X), w0)
    want = central8(lambda w: _project(SR, w, t, X), w0, h=1e-3)
    np.testing.assert_allclose(J, want, rtol=0, atol=1e-8)


# ---- operands, nesting, branches ----------------------------------------------------

def test_lists_of_scalar_duals_and_int_input():
    v = np.array([0.3, -1.2, 0.7])
    g = dg.gradient(lambda x: Rotation.from_rotvec([x[0], 0, x[1]]).apply(v)[0],
                    np.array([0.2, 0.3]))
    want = central8(lambda x: np.array([SR.from_rotvec([x[0], 0, x[1]]).apply(v)[0]]),
                    np.array([0.2, 0.3]))[0]
    np.testing.assert_allclose(g, want, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(Rotation.from_rotvec([1, 0, 0]).as_quat(),
                                  SR.from_rotvec([1, 0, 0]).as_quat())


def test_dual_stored_into_a_plain_stack_and_broadcast_apply():
    def f(w):
        r = Rotation.identity(3)
        r[1] = Rotation.from_rotvec(w)
        return Rotation.from_quat(r.as_quat()[:, None]).apply(V[:2]).ravel()  # (3, 2, 3)
    w0 = RV[0]
    J = dg.jacobian(f, w0)

    def g(w):
        q = np.tile([0.0, 0, 0, 1], (3, 1))
        q[1] = SR.from_rotvec(w).as_quat()
        return SR.from_quat(q[:, None]).apply(V[:2]).ravel()
    np.testing.assert_allclose(J, central8(g, w0), rtol=0, atol=1e-9)


def test_gimbal_lock_on_duals_raises_naming_the_fix():
    with pytest.raises(TypeError, match=r"Rotation.as_euler\('xyz'\).*gimbal lock.*"
                                        r"Fix: a sequence whose gimbal lock"):
        dg.jacobian(lambda a: Rotation.from_euler("xyz", a).as_euler("xyz"),
                    np.array([0.3, np.pi / 2, 0.2]))
    with pytest.raises(TypeError, match=r"Rotation.as_davenport.*gimbal lock"):
        dg.jacobian(lambda a: Rotation.from_euler("zxz", a).as_davenport(
            [[0, 0, 1.0], [1.0, 0, 0], [0, 0, 1.0]], "e"),
                    np.array([0.3, 0.0, 0.2]))
    # the same rotation through a sequence locked elsewhere: exact
    J = dg.jacobian(lambda a: Rotation.from_euler("xyz", a).as_euler("zxz"),
                    np.array([0.3, np.pi / 2, 0.2]))
    want = central8(lambda a: SR.from_euler("xyz", a).as_euler("zxz"),
                    np.array([0.3, np.pi / 2, 0.2]))
    np.testing.assert_allclose(J, want, rtol=0, atol=1e-9)
    with warnings.catch_warnings():              # plain values: SciPy's warning, no error
        warnings.simplefilter("ignore")
        Rotation.from_euler("xyz", [0.3, np.pi / 2, 0.2]).as_euler("xyz")


def test_canonical_sign_and_rotvec_at_180_degrees_take_scipys_branch():
    """At 180 degrees (w == 0) ``as_rotvec`` jumps (``pi z`` to ``-pi z`` beyond): the
    partials are those of SciPy's branch, the one-sided derivative from below."""
    w0 = np.array([0.0, 0.0, np.pi])
    J = dg.jacobian(lambda w: Rotation.from_rotvec(w).as_rotvec(), w0)
    below = (SR.from_rotvec(w0).as_rotvec() - SR.from_rotvec(w0 * (1 - 1e-7)).as_rotvec()) \
        / (np.pi * 1e-7)
    np.testing.assert_allclose(J @ w0 / np.pi, below, rtol=0, atol=1e-7)
    np.testing.assert_allclose(J, np.eye(3), rtol=0, atol=1e-15)


def test_plain_input_gives_plain_arrays():
    r = Rotation.from_rotvec(RV)
    for out in (r.as_quat(), r.as_matrix(), r.as_rotvec(), r.as_euler("xyz"), r.magnitude(),
                r.apply(V), r.mean().as_quat()):
        assert type(out) in (np.ndarray, np.float64)


def test_scipys_own_classes_on_duals_name_the_drop_in():
    with pytest.raises(TypeError, match=r"scipy\.spatial\.transform\.Rotation\.from_rotvec "
                                        r"converts .* Fix: use dualgrad\.scipy\.spatial\."
                                        r"transform\.Rotation .*from dualgrad\.scipy\.spatial"
                                        r"\.transform import Rotation; or .*Rodrigues"):
        dg.jacobian(lambda w: SR.from_rotvec(w).as_matrix(), np.array([0.1, 0.2, 0.3]))
    with pytest.raises(TypeError, match=r"Fix: use dualgrad\.scipy\.spatial\.transform\.Slerp"):
        dg.jacobian(lambda t: SSlerp([0.0, 1.0], SR.identity(2))(t).as_quat(), 0.5)


@pytest.mark.parametrize("name", ["camera", "euler", "matrix", "align", "mean", "slerp"])
def test_sparsity_tracers_take_the_values_branches(name):
    """``dg.sparsity`` / ``sparsity="auto"``: the branches decided on the tracers'
    values; the pattern covers the dense Jacobian and the sparse one equals it."""
    X = V[:3] + np.array([0.0, 0.0, 8.0])
    f, x = {
        "camera": (lambda p: (Rotation.from_rotvec(p[:3]).apply(X) + p[3:]).ravel(),
                   np.array([0.1, 0.2, -0.1, 0.0, 0.0, 0.0])),
        "euler": (lambda q: Rotation.from_quat(q).as_euler("xyz"), Q[0]),
        "matrix": (lambda m: Rotation.from_matrix(m.reshape(3, 3)).as_quat(),
                   SR.from_quat(Q[1]).as_matrix().ravel()),
        "align": (lambda a: Rotation.align_vectors(a.reshape(3, 3), X)[0].as_quat(),
                  V[3:6].ravel()),
        "mean": (lambda q: Rotation.from_quat(q.reshape(3, 4)).mean().as_quat(), Q[:3].ravel()),
        "slerp": (lambda t: Slerp(t, Rotation.from_rotvec(RV[:3]))([0.5, 1.5]).as_quat().ravel(),
                  np.array([0.0, 1.0, 2.0])),
    }[name]
    J = dg.jacobian(f, x)
    pattern = dg.sparsity(f, x).toarray()
    assert not np.any((J != 0) & ~pattern)
    np.testing.assert_allclose(dg.jacobian(f, x, sparsity="auto").toarray(), J, rtol=0,
                               atol=1e-15)


def test_no_unique_result_on_duals_raises_and_values_warn_as_scipys():
    """All vector pairs along one line leave the rotation about it free, and two
    rotations 180 degrees apart have no unique mean: SciPy returns one member (and
    warns for align_vectors); on duals the partials of an arbitrary member mean
    nothing (a silent Jacobian before this check), so they raise."""
    a = np.array([[1.0, 0, 0], [2.0, 0, 0]])
    b = np.array([[0, 1.0, 0], [0, 3.0, 0]])
    with pytest.raises(TypeError, match=r"Rotation.align_vectors on dual numbers: .*not "
                                        r"unique.* Fix: add vector pairs"):
        dg.jacobian(lambda x: Rotation.align_vectors(x.reshape(2, 3), b)[0].as_quat(),
                    a.ravel())
    with pytest.warns(UserWarning, match="Optimal rotation is not uniquely") as ours:
        r = Rotation.align_vectors(a, b)[0]
    assert ours[0].filename == __file__
    with pytest.warns(UserWarning, match="Optimal rotation is not uniquely"):
        np.testing.assert_allclose(r.as_quat(), SR.align_vectors(a, b)[0].as_quat(), atol=1e-15)
    q = SR.from_rotvec([[0.0, 0, 0], [np.pi, 0, 0]]).as_quat()
    with pytest.raises(TypeError, match=r"Rotation.mean on dual numbers: .*no unique mean"):
        dg.jacobian(lambda x: Rotation.from_quat(x.reshape(2, 4)).mean().as_quat(), q.ravel())
    np.testing.assert_allclose(Rotation.from_quat(q).mean().as_quat(),
                               SR.from_quat(q).mean().as_quat(), atol=1e-15)


def test_repr_groups_and_pickle_as_scipys():
    import pickle
    for q in (Q[0], Q[:2]):
        assert repr(Rotation.from_quat(q)) == repr(SR.from_quat(q))
    np.testing.assert_array_equal(Rotation.create_group("O").as_quat(),
                                  SR.create_group("O").as_quat())
    r = pickle.loads(pickle.dumps(Rotation.from_quat(Q)))
    np.testing.assert_array_equal(r.as_quat(), Rotation.from_quat(Q).as_quat())


def test_threads_of_an_executor_give_the_same_jacobian():
    """``executor=`` runs colors in threads: the tables made on first use and the
    align_vectors path (no warnings filters touched) are safe there."""
    from concurrent.futures import ThreadPoolExecutor
    b = V[2:6] + 0.3

    def f(x):
        r, rssd = Rotation.align_vectors(x.reshape(4, 3), b)
        return np.concatenate([(r * Rotation.from_rotvec(x[:3])).as_matrix().ravel(), [rssd]])

    x0 = V[:4].ravel()
    J = dg.jacobian(f, x0)
    with ThreadPoolExecutor(2) as pool:
        Jt = dg.jacobian(f, x0, sparsity=np.ones((10, 12), bool), executor=pool)
    np.testing.assert_array_equal(Jt.toarray(), J)


def test_mixed_small_and_large_angles_in_one_stack():
    """A stack with angles on both sides of SciPy's 1e-3 branch (np.where of both
    branches): each rotation's derivative is the Frechet derivative of expm, and
    as_rotvec's Jacobian of the round trip is the identity."""
    W = np.array([[0.0, 0.0, 0.0], [3e-4, -2e-4, 5e-4], RV[0], [1e-9, 0.0, 0.0]])
    J = dg.jacobian(lambda w: Rotation.from_rotvec(w).as_matrix(), W)
    for k, w in enumerate(W):
        want = np.stack([expm_frechet(skew(w), skew(e))[1] for e in np.eye(3)], axis=-1)
        np.testing.assert_allclose(J[k, :, :, k], want, rtol=0, atol=1e-15)
    J = dg.jacobian(lambda w: Rotation.from_rotvec(w).as_rotvec(), W)
    np.testing.assert_allclose(J, np.einsum("ik,jl->ijkl", np.eye(4), np.eye(3)), rtol=0,
                               atol=1e-14)
    f = lambda x: np.sum(Rotation.from_rotvec(x.reshape(4, 3)).as_matrix() ** 3)
    H = dg.hessian(f, W.ravel())
    want = central8(lambda x: dg.gradient(f, x), W.ravel(), h=1e-3)
    np.testing.assert_allclose(H, want, rtol=0, atol=1e-10)


@pytest.mark.parametrize("n", [1.0, -1.0, 0.0, 0.4])
def test_pow_with_a_dual_exponent_keeps_scipys_sign(n):
    """At n = 1 and -1 SciPy returns q itself and inv(q) (not the canonical sign); a
    dual n takes the rotation vector path, signed as SciPy's value; d/dn is the
    derivative of from_rotvec(n rotvec(q))."""
    q = -SR.from_quat(Q[0]).as_quat(canonical=True)            # w < 0
    ours = dg.jacobian(lambda x: (Rotation.from_quat(q) ** x[0]).as_quat(), np.array([n]))
    theirs = SR.from_quat(q) ** n
    np.testing.assert_allclose((Rotation.from_quat(q) ** n).as_quat(), theirs.as_quat(),
                               atol=1e-15)
    rv = SR.from_quat(q).as_rotvec()
    want = central8(lambda x: SR.from_rotvec(x[0] * rv).as_quat(), np.array([n]))
    sign = np.sign(np.dot(SR.from_rotvec(n * rv).as_quat(), theirs.as_quat()))
    np.testing.assert_allclose(ours, sign * want, rtol=0, atol=1e-12)
    value, _ = dg.jvp(lambda x: (Rotation.from_quat(q) ** x[0]).as_quat(), np.array([n]),
                      np.array([1.0]))                          # the value on duals
    np.testing.assert_allclose(value, theirs.as_quat(), atol=1e-15)


@pytest.mark.parametrize("order", ["e", "i"])
def test_davenport_axes_as_duals(order):
    """Axes are differentiable too (a joint axis being calibrated): all three turned
    by ``expm(t K)`` (which keeps them orthogonal, as SciPy requires), a single dual
    ``t`` (the scalar dual that once met ``lamb[..., None]``)."""
    A = TILTED / np.linalg.norm(TILTED, axis=1, keepdims=True)
    K = skew(np.array([0.1, 0.2, 0.3]))
    turned = lambda t: A @ (np.eye(3) + t * K + t * t * (K @ K) / 2 + t ** 3 * (K @ K @ K) / 6
                            + t ** 4 * (K @ K @ K @ K) / 24 + t ** 5 * (K @ K @ K @ K @ K) / 120).T
    q = SR.from_rotvec([0.2, 0.4, -0.3]).as_quat()
    got = dg.derivative(lambda t: Rotation.from_quat(q).as_davenport(turned(t), order), 0.0)
    want = central8(lambda t: SR.from_quat(q).as_davenport(A @ expm(t[0] * K).T, order),
                    np.zeros(1))[:, 0]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)
    got = dg.derivative(lambda t: Rotation.from_davenport(turned(t), order,
                                                          [0.3, -0.2, 0.5]).as_quat(), 0.0)
    want = central8(lambda t: SR.from_davenport(A @ expm(t[0] * K).T, order,
                                                [0.3, -0.2, 0.5]).as_quat(), np.zeros(1))[:, 0]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)


def test_hessian_of_a_product_with_a_broadcast_factor():
    """``w * (0.5 - |w|^2 / 48)``: from_rotvec's small-angle series, a (3,) by (1,)
    product of nested duals.  ff60226 (vfi46) spread such a factor over the directions
    into ``np.empty`` also where the factor was an inner dual (a Hessian), which raised
    "storing a dual number into a plain NumPy array".  Closed form: ``-(e (2w)^T + (2w)
    e^T + 2 sum(w) I) / 48``."""
    w = np.array([0.3, -0.2, 0.5])
    H = dg.hessian(lambda w: np.sum(w * (0.5 - np.sum(w * w, axis=-1, keepdims=True) / 48)), w)
    e = np.ones(3)
    want = -(np.outer(e, 2 * w) + np.outer(2 * w, e) + 2 * np.sum(w) * np.eye(3)) / 48
    np.testing.assert_allclose(H, want, rtol=1e-15, atol=1e-17)


def test_composition_with_scipys_own_rotation():
    """A fixed transform built by SciPy (a camera's extrinsics from another library)
    composed with a dual rotation, on either side."""
    fixed = SR.from_quat(Q[1])
    for f, g in ((lambda w: (Rotation.from_rotvec(w) * fixed).as_quat(),
                  lambda w: (SR.from_rotvec(w) * fixed).as_quat()),
                 (lambda w: (fixed * Rotation.from_rotvec(w)).as_matrix(),
                  lambda w: (fixed * SR.from_rotvec(w)).as_matrix())):
        np.testing.assert_allclose(dg.jacobian(f, RV[0]), central8(g, RV[0]), rtol=0, atol=1e-9)
        np.testing.assert_allclose(f(RV[0]), g(RV[0]), rtol=0, atol=1e-15)
    with pytest.raises(TypeError):
        Rotation.identity() * 2.0


def test_from_matrix_far_from_a_rotation_on_duals():
    """Far from orthogonal (singular values 1, 2, 1e-3): SciPy's nearest rotation and
    its partials; nearly singular (a singular value 1e-20, determinant still positive):
    Newton's inverses lost the value (0.13 off SciPy's) and the SVD's partials do not
    exist there, so it raises, naming from_matrix."""
    R0 = SR.from_rotvec([0.3, 0.1, -0.2]).as_matrix()
    f = lambda m: Rotation.from_matrix(m.reshape(3, 3)).as_quat()
    M = R0 @ np.diag([1.0, 2.0, 1e-3])
    J = dg.jacobian(f, M.ravel())
    want = central8(lambda m: SR.from_matrix(m.reshape(3, 3)).as_quat(), M.ravel(), h=1e-4)
    np.testing.assert_allclose(J, want, rtol=0, atol=1e-9)
    value, _ = dg.jvp(f, M.ravel(), np.ones(9))
    np.testing.assert_allclose(value, SR.from_matrix(M).as_quat(), rtol=0, atol=1e-15)
    with pytest.raises(TypeError, match=r"Rotation.from_matrix on dual numbers: .*nearly "
                                        r"singular matrix"):
        dg.jacobian(f, (R0 @ np.diag([1.0, 2.0, 1e-20])).ravel())
