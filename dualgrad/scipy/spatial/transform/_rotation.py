"""``Rotation`` and ``Slerp``: SciPy 1.17's classes written on NumPy.

Every method follows SciPy's own formulas (its array-API backend, which its Cython
backend agrees with) and its branch choices, decided on the values: the case of a
matrix's largest diagonal entry or trace (``from_matrix``), the canonical sign of a
quaternion, the small-angle Taylor branches of ``from_rotvec`` / ``as_rotvec``, the
gimbal-lock cases of ``as_euler`` / ``as_davenport``, the infinite weight of
``align_vectors``.  The partials are those of the branch taken (dualgrad's
convention at a branch point).  The small-angle branches are written in the squared
angle, so that second derivatives at the identity are exact too.
"""

import warnings

import numpy as np

from .... import errors
from ....dual import Dual
from ....dispatch._lift import primal, read

__all__ = ["Rotation", "Slerp"]

_WHO = "dualgrad.scipy.spatial.transform"


# ---- reading arguments --------------------------------------------------------------

def _array(x):
    """``x`` as SciPy reads it: float64 (an int or bool array promoted), a list or
    tuple holding duals as one dual array, a dual unchanged."""
    if _is_traced(x):
        return x
    x = read(x)
    if _is_dual(x):
        return x
    x = np.asarray(x)
    if x.dtype != np.float64 and not np.iscomplexobj(x):
        x = x.astype(np.float64)
    return x


def _is_traced(x):
    return getattr(type(x), "sparsity_tracer", False)


def _values(x):
    """The plain values of ``x`` (a dual's at every level, a sparsity tracer's), on
    which every branch is decided."""
    while True:
        x = primal(x)
        if not _is_traced(x):
            return x
        x = x.value


def _shape(x):
    return np.shape(_values(x))


def _ndim(x):
    return len(_shape(x))


def _is_dual(x):
    """Does ``x`` carry derivatives (a dual, or the index sets of ``dg.sparsity``)?"""
    return isinstance(x, Dual) or _is_traced(x)


def _broadcastable(a, b):
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def _shape_message(name, cython, general, shape, ndim):
    """SciPy's message for a wrong shape: its Cython backend's for up to ``ndim``
    dimensions, its array-API backend's beyond."""
    expected = cython if len(shape) <= ndim else general
    return f"Expected `{name}` to have shape {expected}, got {shape}"


def _norm(x, keepdims=False):
    """The 2-norm over the last axis."""
    return np.sqrt(np.sum(x * x, axis=-1, keepdims=keepdims))


# ---- quaternion primitives (scalar last) --------------------------------------------

def _normalize(quat):
    n = _norm(quat, keepdims=True)
    if np.any(_values(n) == 0):
        raise ValueError("Found zero norm quaternions in `quat`.")
    return quat / n


def _canonical(quat):
    """``quat`` or ``-quat``: ``w >= 0``, and the first nonzero of ``x, y, z``
    positive where ``w == 0`` (SciPy's rule, decided on the values)."""
    q = _values(quat)
    mask = q[..., 3] < 0
    zero_w = q[..., 3] == 0
    mask = mask | (zero_w & (q[..., 0] < 0))
    zero_wx = zero_w & (q[..., 0] == 0)
    mask = mask | (zero_wx & (q[..., 1] < 0))
    zero_wxy = zero_wx & (q[..., 1] == 0)
    mask = mask | (zero_wxy & (q[..., 2] < 0))
    return np.where(mask[..., None], -quat, quat)


_PRODUCT = []


def _compose(p, q):
    """The Hamilton product ``p q`` (``p`` applied after ``q``): SciPy's formula on
    plain quaternions; on duals one product of ``vec(p q^T)`` with the bilinear
    form's (16, 4) table (the same sums, to rounding, in 3 array operations)."""
    if not (_is_dual(p) or _is_dual(q)):
        return _compose_formula(p, q)
    if not _PRODUCT:
        eye = np.eye(4)
        table = _compose_formula(eye[:, None, :], eye[None, :, :])     # e_a e_b
        _PRODUCT.append(np.ascontiguousarray(np.reshape(table, (16, 4))))
    lead = np.broadcast_shapes(_shape(p)[:-1], _shape(q)[:-1])
    outer = np.reshape(p[..., :, None] * q[..., None, :], lead + (16,))
    return outer @ _PRODUCT[0]


def _compose_formula(p, q):
    cross = np.cross(p[..., :3], q[..., :3])
    qx = p[..., 3] * q[..., 0] + q[..., 3] * p[..., 0] + cross[..., 0]
    qy = p[..., 3] * q[..., 1] + q[..., 3] * p[..., 1] + cross[..., 1]
    qz = p[..., 3] * q[..., 2] + q[..., 3] * p[..., 2] + cross[..., 2]
    qw = p[..., 3] * q[..., 3] - p[..., 0] * q[..., 0] - p[..., 1] * q[..., 1] \
        - p[..., 2] * q[..., 2]
    return np.stack([qx, qy, qz, qw], axis=-1)


def _inv(quat):
    return quat * np.array([-1.0, -1.0, -1.0, 1.0])


def _quat_from_matrix_orthogonal(matrix):
    """SciPy's four cases (the largest of the diagonal and the trace, on the values),
    normalized."""
    m = matrix
    trace = m[..., 0, 0] + m[..., 1, 1] + m[..., 2, 2]
    m0 = _values(m)
    decision = np.stack([m0[..., 0, 0], m0[..., 1, 1], m0[..., 2, 2],
                         m0[..., 0, 0] + m0[..., 1, 1] + m0[..., 2, 2]], axis=-1)
    choice = np.argmax(decision, axis=-1)[..., None]
    cases = [
        [1 - trace + 2 * m[..., 0, 0], m[..., 1, 0] + m[..., 0, 1],
         m[..., 2, 0] + m[..., 0, 2], m[..., 2, 1] - m[..., 1, 2]],
        [m[..., 1, 0] + m[..., 0, 1], 1 - trace + 2 * m[..., 1, 1],
         m[..., 2, 1] + m[..., 1, 2], m[..., 0, 2] - m[..., 2, 0]],
        [m[..., 2, 0] + m[..., 0, 2], m[..., 2, 1] + m[..., 1, 2],
         1 - trace + 2 * m[..., 2, 2], m[..., 1, 0] - m[..., 0, 1]],
        [m[..., 2, 1] - m[..., 1, 2], m[..., 0, 2] - m[..., 2, 0],
         m[..., 1, 0] - m[..., 0, 1], 1 + trace],
    ]
    quat = np.stack(cases[3], axis=-1)
    for k in range(3):
        quat = np.where(choice == k, np.stack(cases[k], axis=-1), quat)
    return _normalize(quat)


def _quat_from_rotvec(rotvec):
    """``[sin(t/2) r/t, cos(t/2)]``, ``t = |r|``; below ``t = 1e-3`` (SciPy's branch)
    Taylor series in ``t**2`` (smooth at 0 to every order)."""
    angle2 = np.sum(rotvec * rotvec, axis=-1, keepdims=True)
    angle = np.sqrt(angle2)
    small = _values(angle) <= 1e-3
    if np.all(small):
        scale = 0.5 - angle2 / 48 + angle2 * angle2 / 3840
        w = 1 - angle2 / 8 + angle2 * angle2 / 384 - angle2 * angle2 * angle2 / 46080
    elif not np.any(small):                     # one branch: a third of the work
        half = angle / 2
        scale = np.sin(half) / angle
        w = np.cos(half)
    else:
        safe = np.where(small, 1.0, angle)      # no 0 / 0 where the series is used
        scale = np.where(small, 0.5 - angle2 / 48 + angle2 * angle2 / 3840,
                         np.sin(safe / 2) / safe)
        w = np.where(small, 1 - angle2 / 8 + angle2 * angle2 / 384
                     - angle2 * angle2 * angle2 / 46080, np.cos(angle / 2))
    return np.concatenate([rotvec * scale, w], axis=-1)


def _elementary_quat(axis, angle):
    half = angle / 2.0
    s, c = np.sin(half), np.cos(half)
    zero = 0.0 * c
    parts = [zero, zero, zero, c]
    parts[axis] = s
    return np.stack(parts, axis=-1)


def _basis_index(axis):
    if axis not in "xyz" or len(axis) != 1:
        raise ValueError(f"Expected axis to be from ['x', 'y', 'z'], got {axis}")
    return "xyz".index(axis)


def _check_seq(seq, exactly_three):
    num_axes = len(seq)
    if exactly_three and num_axes != 3:
        raise ValueError(f"Expected 3 axes, got {seq}.")
    if num_axes < 1 or num_axes > 3:
        raise ValueError("Expected axis specification to be a non-empty string of upto "
                         f"3 characters, got {seq}")
    intrinsic = set(seq) <= set("XYZ")          # (SciPy: ^[XYZ]{1,3}$)
    extrinsic = set(seq) <= set("xyz")
    if not (intrinsic or extrinsic):
        raise ValueError("Expected axes from `seq` to be from ['x', 'y', 'z'] or "
                         f"['X', 'Y', 'Z'], got {seq}")
    if any(seq[i] == seq[i + 1] for i in range(num_axes - 1)):
        raise ValueError(f"Expected consecutive axes to be different, got {seq}")
    return intrinsic


def _get_angles(extrinsic, symmetric, sign, lamb, a, b, c, d, suppress_warnings, who):
    """SciPy's ``_get_angles``: the three angles from the permuted quaternion
    ``(a, b, c, d)``; at gimbal lock (the second angle within 1e-7 of 0 or pi, on the
    values) the third angle is 0 and the first carries the whole rotation, as
    SciPy's."""
    eps = 1e-7
    half_sum = np.arctan2(b, a)
    half_diff = np.arctan2(d, c)
    second = 2 * np.arctan2(np.hypot(c, d), np.hypot(a, b))
    s0 = _values(second)
    case1 = np.abs(s0) <= eps
    case2 = np.abs(s0 - np.pi) <= eps
    case0 = ~(case1 | case2)
    if _is_dual(second) and not np.all(case0):
        raise errors.scipy_unsupported(
            f"{_WHO}.Rotation.{who}", "a rotation at gimbal lock (the second angle within "
            "1e-7 of its singular value: the first and third angles are not determined "
            "there, SciPy sets the third to 0, and the second has a cone, no derivative)",
            "rotations away from gimbal lock, where the angles have derivatives",
            "a sequence whose gimbal lock is away from these rotations (a symmetric one "
            "such as 'zxz' locks at 0 and pi, a Tait-Bryan one such as 'xyz' at +-pi/2), "
            "or as_quat / as_matrix, which have derivatives everywhere; or "
            "apply it to dg.stop_gradient(d) where no derivative is wanted")
    if not suppress_warnings and np.any(~case0):
        warnings.warn("Gimbal lock detected. Setting third angle to zero since it is not "
                      "possible to uniquely determine all angles.", stacklevel=4)
    zero = 0.0 * second
    # SciPy's layout: a singular case puts its angle first in the output (position
    # 0, whatever the order) and 0 in position 2; the regular case half_sum -
    # half_diff in the sequence's first angle, half_sum + half_diff in its third
    singular = np.where(case1, 2 * half_sum, 2 * half_diff * (-1 if extrinsic else 1))
    out = [singular, second, zero]
    first, third = (0, 2) if extrinsic else (2, 0)
    out[first] = np.where(case0, half_sum - half_diff, out[first])
    out[third] = np.where(case0, half_sum + half_diff, out[third])
    if not symmetric:
        out[third] = out[third] * sign
        out[1] = out[1] - lamb
    angles = np.stack(out, axis=-1)
    a0 = _values(angles)                     # into [-pi, pi], pi itself kept (SciPy's)
    return angles + np.where(a0 < -np.pi, 2 * np.pi, np.where(a0 > np.pi, -2 * np.pi, 0.0))


def _as_euler(quat, seq, suppress_warnings):
    intrinsic = _check_seq(seq, exactly_three=True)
    extrinsic = not intrinsic
    axes = [_basis_index(x) for x in seq.lower()]
    axes = axes if extrinsic else axes[::-1]
    i, j, k = axes
    symmetric = i == k
    k = 3 - i - j if symmetric else k
    sign = float((i - j) * (j - k) * (k - i) // 2)
    if symmetric:
        a, b, c, d = quat[..., 3], quat[..., i], quat[..., j], quat[..., k] * sign
    else:
        a = quat[..., 3] - quat[..., j]
        b = quat[..., i] + quat[..., k] * sign
        c = quat[..., j] + quat[..., 3]
        d = quat[..., k] * sign - quat[..., i]
    return _get_angles(extrinsic, symmetric, sign, np.pi / 2, a, b, c, d, suppress_warnings,
                       f"as_euler({seq!r})")


def _vecdot(a, b):
    return np.sum(a * b, axis=-1)


def _extrinsic(order):
    """Davenport's ``order``: True for ``"e"`` / ``"extrinsic"``, False for ``"i"`` /
    ``"intrinsic"``, else SciPy's ``ValueError``."""
    if order in ["e", "extrinsic"]:
        return True
    if order in ["i", "intrinsic"]:
        return False
    raise ValueError("order should be 'e'/'extrinsic' for extrinsic sequences or "
                     f"'i'/'intrinsic' for intrinsic sequences, got {order}")


def _as_davenport(quat, axes, order, suppress_warnings):
    extrinsic = _extrinsic(order)
    shape = _shape(axes)
    if len(shape) < 2 or shape[-2] != 3:
        raise ValueError(f"Expected 3 axes, got {shape[-2] if len(shape) == 2 else shape}.")
    if shape[-1] != 3:
        raise ValueError("Axes must be vectors of length 3.")
    if not _broadcastable(shape[:-2], _shape(quat)[:-1]):
        raise ValueError(f"Expected `axes` to match number of rotations, got {shape} axes "
                         f"and {_shape(quat)} rotations.")
    axes = axes / _norm(axes, keepdims=True)
    a0 = _values(axes)
    if np.any((_vecdot(a0[..., 0, :], a0[..., 1, :]) >= 1e-7)
              | (_vecdot(a0[..., 1, :], a0[..., 2, :]) >= 1e-7)):
        raise ValueError("Consecutive axes must be orthogonal.")
    n1, n2, n3 = axes[..., 0, :], axes[..., 1, :], axes[..., 2, :]
    n1, n3 = (n1, n3) if extrinsic else (n3, n1)
    n_cross = np.cross(n1, n2)
    lamb = np.arctan2(_vecdot(n3, n_cross), _vecdot(n3, n1))
    correct_set = np.asarray(_values(lamb)) < 0
    n2 = np.where(correct_set[..., None], -n2, n2)
    lamb = np.where(correct_set, -lamb, lamb)
    n_cross = np.where(correct_set[..., None], -n_cross, n_cross)
    quat_lamb = np.concatenate([np.expand_dims(np.sin(lamb / 2), -1) * n2,
                                np.expand_dims(np.cos(lamb / 2), -1)], axis=-1)
    q_trans = _compose(quat_lamb, quat)
    a = q_trans[..., 3]
    b = _vecdot(q_trans[..., :3], n1)
    c = _vecdot(q_trans[..., :3], n2)
    d = _vecdot(q_trans[..., :3], n_cross)
    angles = _get_angles(extrinsic, False, 1.0, lamb, a, b, c, d, suppress_warnings,
                         "as_davenport")
    flip = np.where(correct_set, -1.0, 1.0)
    return angles * np.stack([np.ones_like(flip), flip, np.ones_like(flip)], axis=-1)


def _as_rotvec(quat):
    """``t r / |r|`` of the canonical quaternion, ``t = 2 atan2(|v|, w)``; below
    ``t = 1e-3`` the scale ``t / sin(t/2)`` as SciPy's series, in ``t**2`` written as
    ``4 atan(|v| / w)**2``'s series in ``|v|**2 / w**2`` (smooth at the identity)."""
    quat = _canonical(quat)
    v, w = quat[..., :3], quat[..., 3:]
    s2 = np.sum(v * v, axis=-1, keepdims=True)
    angle = 2 * np.arctan2(np.sqrt(s2), w)
    small = _values(angle) <= 1e-3
    if not np.any(small):
        return angle / np.sin(angle / 2) * v
    safe_w = np.where(_values(w) == 0, 1.0, w)
    t2 = s2 / (safe_w * safe_w)
    a2 = 4 * t2 * (1 - 2 * t2 / 3 + 23 * t2 * t2 / 45)
    small_scale = 2 + a2 / 12 + 7 * a2 * a2 / 2880
    if np.all(small):
        return small_scale * v
    safe = np.where(small, 1.0, angle)
    scale = np.where(small, small_scale, safe / np.sin(safe / 2))
    return scale * v


def _as_matrix(quat):
    """SciPy's formula on plain quaternions (its values to the bit); on duals one
    product with the quadratic forms (:func:`_quadratic_forms`: the same entries, to
    rounding, in 3 array operations instead of 30)."""
    if _is_dual(quat):
        lead = _shape(quat)[:-1]
        outer = np.reshape(quat[..., :, None] * quat[..., None, :], lead + (16,))
        return np.reshape(outer @ _quadratic_forms16(), lead + (3, 3))
    return _as_matrix_formula(quat)


def _as_matrix_formula(quat):
    x, y, z, w = quat[..., 0], quat[..., 1], quat[..., 2], quat[..., 3]
    x2, y2, z2, w2 = x * x, y * y, z * z, w * w
    xy, zw, xz, yw, yz, xw = x * y, z * w, x * z, y * w, y * z, x * w
    m = np.stack([x2 - y2 - z2 + w2, 2 * (xy - zw), 2 * (xz + yw),
                  2 * (xy + zw), -x2 + y2 - z2 + w2, 2 * (yz - xw),
                  2 * (xz - yw), 2 * (yz + xw), -x2 - y2 + z2 + w2], axis=-1)
    return np.reshape(m, _shape(quat)[:-1] + (3, 3))


def _magnitude(quat):
    return 2 * np.arctan2(_norm(quat[..., :3]), np.abs(quat[..., 3]))


def _polar_dual(matrix):
    """A dual matrix as SciPy reads it: its nearest rotation (the polar factor, SciPy's
    ``U V^T``), by Newton's iteration ``X <- (X + X^{-T}) / 2`` run to convergence on
    the values and two steps beyond, so that the partials (those of the iteration's
    limit, the polar factor's) converge too (its error squares at each step).  The SVD
    would give the partials through ``1 / (s_i**2 - s_j**2)``, which has no value at
    an orthogonal matrix (all singular values 1) and loses digits near one; the polar
    factor's partials do not.  Applied also where the value is orthogonal (the value
    unchanged to rounding): SciPy projects any matrix farther than 1e-12 from
    orthogonal, so a direction off the rotations moves the result by its rotational
    part only, and so do these partials."""
    m = matrix
    for _ in range(60):
        nxt = 0.5 * (m + np.swapaxes(np.linalg.inv(m), -1, -2))
        done = np.max(np.abs(_values(nxt) - _values(m))) <= 1e-14
        m = nxt
        if done:
            break
    for _ in range(2):
        m = 0.5 * (m + np.swapaxes(np.linalg.inv(m), -1, -2))
    # Newton's inverses lose digits on a nearly singular matrix (det > 0 but a singular
    # value ~1e-20: the value went 0.13 off SciPy's); there the singular values are
    # apart and the SVD's own partials are exact: SciPy's U V^T through dualgrad's SVD
    u, _, vt = np.linalg.svd(_values(matrix))
    off = np.max(np.abs(_values(m) - u @ vt), axis=(-2, -1))
    if np.all(off <= 1e-12):
        return m
    shape = _shape(matrix)
    flat, good = np.reshape(matrix, (-1, 3, 3)), np.reshape(off <= 1e-12, (-1,))
    kept, redo = np.nonzero(good)[0], np.nonzero(~good)[0]
    try:
        u, _, vt = np.linalg.svd(flat[redo])
    except TypeError as exc:                   # dualgrad's SVD at a ~0 singular value
        raise errors.scipy_unsupported(
            f"{_WHO}.Rotation.from_matrix", "a nearly singular matrix (positive determinant, "
            "a singular value near 0: neither Newton's polar iteration nor the SVD gives "
            "its nearest rotation's partials to precision there)", "rotation matrices, or "
            "matrices with singular values away from 0", "pass a better conditioned matrix "
            "(an orthonormalized one: the nearest rotation is the same), or apply it to "
            "dg.stop_gradient(d) where no derivative is wanted") from exc
    parts = [np.reshape(m, (-1, 3, 3))[kept], u @ vt] if kept.size else [u @ vt]
    order = np.argsort(np.concatenate([kept, redo]))
    return np.reshape(np.take(np.concatenate(parts, axis=0), order, axis=0), shape)


# ---- align_vectors ------------------------------------------------------------------

def _align(a, b, weights, sensitivity=False, warn=True):
    """Kabsch: ``B = (w a)^T b``'s SVD, the improper case corrected (SciPy's); on
    duals the quaternion by Davenport's q-method (below)."""
    B = np.swapaxes(weights[:, None] * a, -1, -2) @ b
    if _is_dual(B):
        return _align_dual(a, b, weights, B, sensitivity)
    u, s, vh = np.linalg.svd(B)
    if np.linalg.det(u @ vh) < 0:
        flip = np.array([1.0, 1.0, -1.0])
        s = s * flip
        u = u * flip
    C = u @ vh
    if warn and s[1] + s[2] < 1e-16 * s[0]:
        warnings.warn("Optimal rotation is not uniquely or poorly defined for the given "
                      "sets of vectors.", stacklevel=3)
    ssd = np.sum(weights * np.sum(b * b + a * a, axis=-1)) - 2 * np.sum(s)
    rssd = np.sqrt(np.maximum(ssd, 0.0))
    return _quat_from_matrix_orthogonal(C), rssd, \
        _sensitivity(weights, B, s) if sensitivity else None


def _sensitivity(weights, B, s):
    zeta = (s[0] + s[1]) * (s[1] + s[2]) * (s[2] + s[0])
    kappa = s[0] * s[1] + s[1] * s[2] + s[2] * s[0]
    return np.mean(weights) / zeta * (kappa * np.eye(3) + B @ np.swapaxes(B, -1, -2))


_QUADRATIC = []


def _quadratic_forms():
    """``E`` of shape (3, 3, 4, 4), symmetric in its last two axes, with ``q^T E[j, k]
    q == as_matrix(q)[j, k]`` (the matrix is a quadratic form in the quaternion);
    made on first use."""
    if not _QUADRATIC:
        eye = np.eye(4)
        pairs = eye[:, None, :] + eye[None, :, :]                   # e_a + e_b
        single = _as_matrix_formula(eye)                            # R(e_a)
        E = (_as_matrix_formula(pairs) - single[:, None] - single[None, :]) / 2
        E[np.arange(4), np.arange(4)] = single
        E = np.moveaxis(E, (0, 1), (2, 3))
        _QUADRATIC.extend([E, np.ascontiguousarray(np.reshape(E, (9, 16)).T)])
    return _QUADRATIC[0]


def _quadratic_forms16():
    """:func:`_quadratic_forms` as a (16, 9) matrix: ``vec(q q^T) @ E16 =
    vec(as_matrix(q))``."""
    _quadratic_forms()
    return _QUADRATIC[1]


def _unique(method, K, expected, got, fix):
    """Refuse duals where ``K``'s dominant eigenvector, the result, is not unique: its
    two largest eigenvalues tied to rounding (a gap at most 1e-14 of the largest
    magnitude), where the result is an arbitrary member of a family and its partials
    mean nothing; SciPy returns a value (``align_vectors`` warns)."""
    if not _is_dual(K):
        return
    lam = np.linalg.eigvalsh(_values(K))
    gap = lam[..., -1] - lam[..., -2]
    if np.any(gap <= 1e-14 * np.max(np.abs(lam), axis=-1)):
        raise errors.scipy_unsupported(
            f"{_WHO}.Rotation.{method}", got, expected,
            f"{fix}, or apply it to dg.stop_gradient(d) where no derivative is wanted")


def _align_dual(a, b, weights, B, sensitivity):
    """Wahba's problem on duals by Davenport's q-method: ``tr(R(q) B^T) = q^T K q``
    with ``K = sum B_jk E_jk``, so the optimal quaternion is ``K``'s dominant
    eigenvector and ``s1 + s2 + d s3`` (SciPy's sum of the corrected singular
    values) its eigenvalue.  Unlike the SVD's singular vectors, these have
    derivatives also where ``B`` is singular (two vector pairs); a tied dominant
    eigenvalue (no unique rotation) is refused by ``np.linalg.eigh``.  The sign is
    that of SciPy's quaternion, computed on the values."""
    K = np.tensordot(B, _quadratic_forms(), axes=([0, 1], [0, 1]))
    _unique("align_vectors", K, "vector pairs that fix the rotation (not all along one "
            "line)", "vector sets whose best rotation is not unique (all pairs along one "
            "line, or a tie of the corrected singular values s2 + d s3 = 0)",
            "add vector pairs (or weights) that fix the rotation about the common line")
    lam, vecs = np.linalg.eigh(K)
    q = vecs[:, -1]
    ref, _, _ = _align(_values(a), _values(b), _values(weights), warn=False)   # unique here
    if np.dot(_values(q), ref) < 0:
        q = -q
    # the residuals themselves (as SciPy's path for an infinite weight): SciPy's
    # sum(w (|a|^2 + |b|^2)) - 2 lam cancels where the fit is close, leaving its
    # rssd (and the partials, divided by it) to rounding; this rssd is SciPy's to
    # that rounding, and its partials are exact wherever a residual is not 0
    rssd = np.sqrt(np.sum(weights * np.sum((a - _apply(q, b)) ** 2, axis=-1)))
    if not sensitivity:
        return q, rssd, None
    s = np.linalg.svd(B, compute_uv=False)       # SciPy's formula in the singular values
    if np.linalg.det(np.linalg.svd(_values(B))[0] @ np.linalg.svd(_values(B))[2]) < 0:
        s = s * np.array([1.0, 1.0, -1.0])
    return q, rssd, _sensitivity(weights, B, s)


def _align_fixed(a, b, weights):
    """SciPy's path for one vector pair or one infinite weight: the primary pair
    aligned exactly (its minimum-angle rotation), the secondary ones by the best
    rotation about the primary vector."""
    N = _shape(a)[0]
    w0 = _values(weights)
    inf_idx = 0 if N == 1 else int(np.argmax(w0 == np.inf))
    a_sorted = np.roll(a, -inf_idx, axis=0)
    b_sorted = np.roll(b, -inf_idx, axis=0)
    weights_sorted = np.roll(weights, -inf_idx, axis=0)
    a_pri, b_pri = a_sorted[0], b_sorted[0]
    a_norm, b_norm = _norm(a_pri), _norm(b_pri)
    if _values(a_norm) == 0 or _values(b_norm) == 0:
        raise ValueError("Cannot align zero length primary vectors")
    a_pri = a_pri / a_norm
    b_pri = b_pri / b_norm
    cross = np.cross(b_pri, a_pri)
    cross_norm = _norm(cross)
    theta = np.arctan2(cross_norm, np.sum(a_pri * b_pri))
    tolerance = 1e-3
    q_flip = np.array([0.0, 0.0, 0.0, 1.0])
    if np.pi - _values(theta) < tolerance:            # near pi: flip, rotate back
        if _values(cross_norm) == 0:                  # antiparallel: an orthogonal axis
            i = int(np.argmin(np.abs(_values(a_pri))))
            r = [0.0 * a_pri[0]] * 3
            r[i - 1] = a_pri[i - 2]
            r[i - 2] = -a_pri[i - 1]
            r = np.stack(r)
        else:
            r = cross
        q_flip = _quat_from_rotvec(r / _norm(r) * np.pi)
        theta = np.pi - theta
        cross = -cross
    theta2 = theta * theta
    if abs(_values(theta)) < tolerance:
        r = cross * (1 + theta2 / 6 + theta2 * theta2 * 7 / 360)
    else:
        r = cross * theta / np.sin(theta)
    q_pri = _compose(_quat_from_rotvec(r), q_flip)
    if N == 1:
        q_opt = q_pri
    else:
        a_sec, b_sec, weights_sec = a_sorted[1:], b_sorted[1:], weights_sorted[1:]
        c_sec = _apply(q_pri, b_sec)
        sin_term = _vecdot(np.cross(c_sec, a_sec), a_pri)
        cos_term = _vecdot(c_sec, a_sec) - _vecdot(c_sec, a_pri) * _vecdot(a_sec, a_pri)
        phi = np.arctan2(np.sum(weights_sec * sin_term), np.sum(weights_sec * cos_term))
        q_sec = _quat_from_rotvec(phi * a_pri)
        q_opt = _compose(q_sec, q_pri)
    # the infinitely weighted pair aligns exactly: its weight counts as 0
    keep = np.ones(N)
    if N > 1 or w0[0] == np.inf:
        keep[inf_idx] = 0.0
    finite = np.where(keep == 0, 0.0, weights)
    a_est = _apply(q_opt, b)
    rssd = np.sqrt(np.sum(finite @ (a - a_est) ** 2))
    return q_opt, rssd, None


def _apply(quat, points, inverse=False):
    mat = _as_matrix(quat)
    if inverse:
        mat = np.swapaxes(mat, -1, -2)
    if _ndim(mat) == 2 and _ndim(points) == 2 and (_is_dual(mat) or _is_dual(points)):
        return np.swapaxes(mat @ np.swapaxes(points, 0, 1), 0, 1)    # one product
    return (mat @ points[..., None])[..., 0]


# ---- the classes --------------------------------------------------------------------

class Rotation:
    """``scipy.spatial.transform.Rotation`` that takes dual numbers.

    Rotations in three dimensions, stored as unit quaternions (scalar last) of any
    leading shape; a single rotation's quaternion has shape ``(4,)``.  Construct one
    with the ``from_*`` methods (or ``Rotation(quat)``); every method has SciPy 1.17's
    signature and conventions, and is written on NumPy: dual numbers in any argument
    give SciPy's value (to rounding) with exact partials.

    Parameters
    ----------
    quat : (..., 4) array_like or Dual
        Quaternions, normalized unless ``normalize=False``.
    normalize : bool, optional
        Divide by the norm (default True).
    copy : bool, optional
        Accepted for SciPy's signature (the quaternions are never modified in place).
    scalar_first : bool, optional
        ``quat`` as ``(w, x, y, z)`` (default False: ``(x, y, z, w)``).

    Notes
    -----
    Where a conversion has branches, the branch is chosen on the values as SciPy
    chooses it, and the partials are the branch's (dualgrad's convention at a
    branch point): ``from_matrix``'s case of the largest diagonal entry or trace (and
    its projection to the nearest rotation, by SVD, of a matrix that is not
    orthogonal to ``1e-12``), the canonical sign of ``as_quat(canonical=True)`` and
    ``as_rotvec``, SciPy's small-angle series in ``from_rotvec`` / ``as_rotvec``
    (written in the squared angle: second derivatives at the identity are exact),
    and gimbal lock in ``as_euler`` / ``as_davenport`` (the third angle held at 0,
    SciPy's choice: its partials are 0 and the first angle's carry the whole
    rotation).  ``magnitude`` has a cone at the identity (partials 0 there, the
    norm's convention).

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.spatial.transform import Rotation
    >>> v = np.array([1.0, 0.0, 0.0])
    >>> dg.jacobian(lambda w: Rotation.from_rotvec(w).apply(v), np.zeros(3))  # -[v]x
    array([[ 0.,  0.,  0.],
           [ 0.,  0.,  1.],
           [ 0., -1.,  0.]])
    """

    def __init__(self, quat, normalize=True, copy=True, scalar_first=False):
        quat = _array(quat)
        shape = _shape(quat)
        if len(shape) == 0 or shape[-1] != 4:
            raise ValueError(f"Expected `quat` to have shape (..., 4), got {shape}.")
        if scalar_first:
            quat = np.roll(quat, -1, axis=-1)
        if normalize:
            quat = _normalize(quat)
        elif copy:
            quat = quat.copy() if _is_dual(quat) else np.array(quat)
        self._quat = quat

    @classmethod
    def _raw(cls, quat):
        rot = cls.__new__(cls)
        rot._quat = quat
        return rot

    # ---- constructors ---------------------------------------------------------------
    @classmethod
    def from_quat(cls, quat, *, scalar_first=False):
        """From quaternions ``(..., 4)``, scalar last unless ``scalar_first=True``;
        normalized (a zero quaternion raises ``ValueError``)."""
        return cls(quat, normalize=True, scalar_first=scalar_first)

    @classmethod
    def from_matrix(cls, matrix, *, assume_valid=False):
        """From rotation matrices ``(..., 3, 3)``.  A non-positive determinant raises
        ``ValueError``; a matrix that is not orthogonal (to ``1e-12``) is replaced by
        the nearest rotation ``U V^T`` of its SVD, as SciPy does (unless
        ``assume_valid=True``)."""
        matrix = _array(matrix)
        shape = _shape(matrix)
        if len(shape) < 2 or shape[-2:] != (3, 3):
            raise ValueError(_shape_message("matrix", "(3, 3) or (N, 3, 3)", "(..., 3, 3)",
                                            shape, 3))
        if not assume_valid:
            m0 = _values(matrix)
            det = np.linalg.det(m0)
            bad = det <= 0
            if np.any(bad):
                ind = int(np.nonzero(np.atleast_1d(bad))[0][0])
                raise ValueError("Non-positive determinant (left-handed or null coordinate "
                                 f"frame) in rotation matrix {ind}: "
                                 f"{np.reshape(m0, (-1, 3, 3))[ind]}.")
            gram = m0 @ np.swapaxes(m0, -1, -2)
            orthogonal = np.all(np.isclose(gram, np.eye(3), atol=1e-12, rtol=1e-5),
                                axis=(-2, -1))
            if _is_dual(matrix):
                matrix = _polar_dual(matrix)
            elif not np.all(orthogonal):
                u, _, vt = np.linalg.svd(matrix)
                matrix = np.where(orthogonal[..., None, None], matrix, u @ vt)
        return cls._raw(_quat_from_matrix_orthogonal(matrix))

    @classmethod
    def from_rotvec(cls, rotvec, degrees=False):
        """From rotation vectors ``(..., 3)`` (axis times angle, radians unless
        ``degrees=True``)."""
        rotvec = _array(rotvec)
        shape = _shape(rotvec)
        if len(shape) == 0 or shape[-1] != 3:
            raise ValueError(_shape_message("rot_vec", "(3,) or (N, 3)", "(..., 3)", shape, 2))
        if degrees:
            rotvec = rotvec * (np.pi / 180.0)
        return cls._raw(_quat_from_rotvec(rotvec))

    @classmethod
    def from_euler(cls, seq, angles, degrees=False):
        """From Euler angles: ``seq`` up to 3 of ``"xyz"`` (extrinsic) or ``"XYZ"``
        (intrinsic); ``angles`` ``(..., len(seq))`` (a scalar for one axis)."""
        intrinsic = _check_seq(seq, exactly_three=False)
        angles = _array(angles)
        if degrees:
            angles = angles * (np.pi / 180.0)
        scalar = _ndim(angles) == 0
        if scalar:
            angles = np.reshape(angles, (1,))
        if _shape(angles)[-1] != len(seq):
            raise ValueError("Expected last dimension of `angles` to match number of "
                             f"sequence axes specified, got {_shape(angles)[-1]}.")
        axes = [_basis_index(x) for x in seq.lower()]
        quat = _elementary_quat(axes[0], angles[..., 0])
        for i in range(1, len(axes)):
            ax = _elementary_quat(axes[i], angles[..., i])
            quat = _compose(quat, ax) if intrinsic else _compose(ax, quat)
        return cls._raw(quat)

    @classmethod
    def from_davenport(cls, axes, order, angles, degrees=False):
        """From Davenport angles about up to 3 ``axes`` (each orthogonal to the next),
        ``order`` ``"e"``/``"extrinsic"`` or ``"i"``/``"intrinsic"``."""
        extrinsic = _extrinsic(order)
        axes, angles = _array(axes), _array(angles)
        if _shape(axes)[-1] != 3:
            raise ValueError("Axes must be vectors of length 3.")
        if _ndim(axes) < 2:
            axes = np.reshape(axes, (1, 3))
        if _ndim(angles) < 1:
            angles = np.reshape(angles, (1,))
        num_axes = _shape(axes)[-2]
        if num_axes < 1 or num_axes > 3:
            raise ValueError(f"Expected up to 3 axes, got {num_axes}")
        axes = axes / _norm(axes, keepdims=True)
        a0 = _values(axes)
        if num_axes > 1 and np.any(np.abs(_vecdot(a0[..., 0, :], a0[..., 1, :])) > 1e-7) or \
                num_axes > 2 and np.any(np.abs(_vecdot(a0[..., 1, :], a0[..., 2, :])) > 1e-7):
            raise ValueError("Consecutive axes must be orthogonal.")
        if degrees:
            angles = angles * (np.pi / 180.0)
        if not _broadcastable(_shape(axes)[:-1], _shape(angles)) or \
                _shape(axes)[-2] != _shape(angles)[-1]:
            got = (_shape(angles)[-1], _shape(axes)[-2]) if _ndim(axes) <= 2 else \
                (_shape(angles), _shape(axes))
            raise ValueError(f"Expected `angles` to match number of axes, got {got[0]} "
                             f"angles and {got[1]} axes.")
        q = None
        for i in range(num_axes):
            qi = _quat_from_rotvec(angles[..., i, None] * axes[..., i, :])
            q = qi if q is None else _compose(qi, q) if extrinsic else _compose(q, qi)
        return cls._raw(q)

    @classmethod
    def from_mrp(cls, mrp):
        """From Modified Rodrigues Parameters ``(..., 3)``."""
        mrp = _array(mrp)
        shape = _shape(mrp)
        if len(shape) == 0 or shape[-1] != 3:
            raise ValueError(_shape_message("mrp", "(3,) or (N, 3)", "(..., 3)", shape, 2))
        plus1 = np.sum(mrp * mrp, axis=-1, keepdims=True) + 1
        return cls._raw(np.concatenate([2 * mrp, 2 - plus1], axis=-1) / plus1)

    @classmethod
    def identity(cls, num=None, *, shape=None):
        """The identity rotation (``num`` of them, or of ``shape``)."""
        if num is not None and shape is not None:
            raise ValueError("Only one of `num` or `shape` can be specified.")
        lead = () if num is None and shape is None else \
            (num,) if shape is None else tuple(np.atleast_1d(shape))
        quat = np.zeros(lead + (4,))
        quat[..., 3] = 1.0
        return cls._raw(quat)

    @classmethod
    def random(cls, num=None, rng=None, *, shape=None):
        """Uniformly random rotations: SciPy's own (plain numbers)."""
        from scipy.spatial.transform import Rotation as SciPyRotation
        return cls._raw(SciPyRotation.random(num, rng, shape=shape).as_quat())

    @classmethod
    def create_group(cls, group, axis="Z"):
        """A finite symmetry group (``"I"``, ``"O"``, ``"T"``, ``"Dn"``, ``"Cn"``):
        SciPy's own (plain numbers)."""
        from scipy.spatial.transform import Rotation as SciPyRotation
        return cls._raw(SciPyRotation.create_group(group, axis).as_quat())

    @classmethod
    def concatenate(cls, rotations):
        """One (stacked) rotation from a sequence of them."""
        if isinstance(rotations, Rotation):
            return cls(rotations.as_quat(), normalize=False, copy=True)
        if not all(isinstance(x, Rotation) for x in rotations):
            raise TypeError("input must contain Rotation objects only")
        quats = [x._quat if x._quat_ndim > 1 else x._quat[None] for x in rotations]
        return cls._raw(np.concatenate(quats, axis=0))

    @classmethod
    def align_vectors(cls, a, b, weights=None, return_sensitivity=False):
        """The rotation that best maps the vectors ``b`` onto ``a`` (Wahba's problem),
        and the root sum of squared distances; SciPy's Kabsch SVD, or its exact
        alignment of the primary pair for one pair or one infinite weight.

        Returns
        -------
        rotation : Rotation
        rssd : float or Dual
        sensitivity_matrix : (3, 3) ndarray or Dual
            Only with ``return_sensitivity=True``.
        """
        a, b = _array(a), _array(b)
        a_shape, b_shape = _shape(a), _shape(b)
        a2 = a if len(a_shape) >= 2 else np.reshape(a, (1,) + a_shape)
        b2 = b if len(b_shape) >= 2 else np.reshape(b, (1,) + b_shape)
        if _shape(a2)[-1] != 3:
            raise ValueError("Expected input `a` to have shape (3,) or (N, 3), got "
                             f"{a_shape}")
        if _shape(b2)[-1] != 3:
            raise ValueError("Expected input `b` to have shape (3,) or (N, 3), got "
                             f"{b_shape}")
        if _shape(a2) != _shape(b2):
            raise ValueError("Expected inputs `a` and `b` to have same shapes, got "
                             f"{a_shape} and {b_shape} respectively.")
        if _ndim(a2) > 2:
            raise ValueError("Expected inputs `a` and `b` to have shape (3,) or (N, 3), "
                             f"got {a_shape} and {b_shape} respectively.")
        N = _shape(a2)[0]
        if weights is None:
            weights = np.ones(N)
        else:
            weights = _array(weights)
            if _ndim(weights) != 1:
                raise ValueError("Expected `weights` to be 1 dimensional, got shape "
                                 f"{_shape(weights)}.")
            if N > 1 and _shape(weights)[0] != N:
                raise ValueError("Expected `weights` to have number of values equal to "
                                 f"number of input vectors, got {_shape(weights)[0]} values "
                                 f"and {N} vectors.")
            if np.any(_values(weights) < 0):
                raise ValueError("`weights` may not contain negative values")
        n_inf = 1 if N == 1 else int(np.sum(_values(weights) == np.inf))
        if n_inf > 1:
            raise ValueError("Only one infinite weight is allowed")
        if n_inf == 1 and return_sensitivity:
            raise ValueError("Cannot return sensitivity matrix with an infinite weight or "
                             "one vector pair")
        if n_inf == 1:
            q, rssd, sensitivity = _align_fixed(a2, b2, weights)
        else:
            q, rssd, sensitivity = _align(a2, b2, weights, return_sensitivity)
        if return_sensitivity:
            return cls._raw(q), rssd, sensitivity
        return cls._raw(q), rssd

    # ---- conversions ----------------------------------------------------------------
    @property
    def _quat_ndim(self):
        return _ndim(self._quat)

    def as_quat(self, canonical=False, *, scalar_first=False):
        """The quaternions ``(..., 4)``, scalar last unless ``scalar_first=True``; with
        ``canonical=True`` the one of ``q, -q`` with ``w >= 0`` (SciPy's rule)."""
        quat = _canonical(self._quat) if canonical else self._quat
        if scalar_first:
            quat = np.roll(quat, 1, axis=-1)
        return quat.copy() if quat is self._quat else quat

    def as_matrix(self):
        """The rotation matrices ``(..., 3, 3)``."""
        return _as_matrix(self._quat)

    def as_rotvec(self, degrees=False):
        """The rotation vectors ``(..., 3)``, angle in ``[0, pi]``."""
        rotvec = _as_rotvec(self._quat)
        return rotvec * (180.0 / np.pi) if degrees else rotvec

    def as_euler(self, seq, degrees=False, *, suppress_warnings=False):
        """Euler angles ``(..., 3)`` for the 3-axis ``seq`` (``"xyz"`` extrinsic,
        ``"XYZ"`` intrinsic); at gimbal lock a warning and the third angle 0."""
        angles = _as_euler(self._quat, seq, suppress_warnings)
        return angles * (180.0 / np.pi) if degrees else angles

    def as_davenport(self, axes, order, degrees=False, *, suppress_warnings=False):
        """Davenport angles ``(..., 3)`` about the 3 ``axes`` (each orthogonal to the
        next)."""
        angles = _as_davenport(self._quat, _array(axes), order, suppress_warnings)
        return angles * (180.0 / np.pi) if degrees else angles

    def as_mrp(self):
        """Modified Rodrigues Parameters ``(..., 3)`` (of the rotation by at most
        180 degrees)."""
        w = self._quat[..., 3:]
        sign = np.where(_values(w) < 0, -1.0, 1.0)
        return sign * self._quat[..., :3] / (1.0 + sign * w)

    # ---- operations -----------------------------------------------------------------
    def apply(self, vectors, inverse=False):
        """The rotated vectors ``R v`` (``R^T v`` with ``inverse=True``), broadcast over
        the rotations' and the vectors' leading shapes."""
        vectors = _array(vectors)
        shape = _shape(vectors)
        if len(shape) == 0 or shape[-1] != 3:
            raise ValueError(f"Expected input of shape (..., 3), got {shape}.")
        mat_shape = _shape(self._quat)[:-1] + (3, 3)
        if not _broadcastable(mat_shape, shape + (1,)):
            rots, vecs = _shape(self._quat)[:-1], shape[:-1]
            if len(rots) == len(vecs) == 1:
                rots, vecs = rots[0], vecs[0]
            raise ValueError(f"Cannot broadcast {rots} rotations to {vecs} vectors.")
        return _apply(self._quat, vectors, inverse)

    def __mul__(self, other):
        """The composition ``self * other``: ``other`` applied first (``other`` may
        be SciPy's own Rotation too)."""
        other = _coerce(other)
        if other is None:
            return NotImplemented
        if not _broadcastable(_shape(self._quat), _shape(other._quat)):
            raise ValueError(f"Cannot broadcast {_shape(self._quat)[:-1]} rotations in "
                             f"first to {_shape(other._quat)[:-1]} rotations in second "
                             "object.")
        return Rotation(_compose(self._quat, other._quat), normalize=True, copy=False)

    def __rmul__(self, other):
        """SciPy's own Rotation times this one: SciPy's ``__mul__`` declines it."""
        other = _coerce(other)
        if other is None:
            return NotImplemented
        return other * self

    def __pow__(self, n, modulus=None):
        """The rotation composed with itself ``n`` times (any real ``n``: the angle
        times ``n``)."""
        if modulus is not None:
            raise NotImplementedError("modulus not supported")
        n = read(n)
        if _ndim(n) == 1 and _shape(n) == (1,):
            n = n[0]
        elif _ndim(n) != 0:
            raise ValueError("Array exponent must be a scalar")
        if not _is_dual(n):
            if n == 0:
                return Rotation._raw(np.zeros(_shape(self._quat)) + np.array([0, 0, 0, 1.0]))
            if n == -1:
                return self.inv()
            if n == 1:
                return Rotation._raw(self._quat.copy())
        quat = _quat_from_rotvec(n * _as_rotvec(self._quat))
        n0 = _values(n)
        if n0 == 1 or n0 == -1:           # SciPy's value there: q itself or inv(q), not
            ref = _values(self._quat)     # the canonical one's sign (a constant sign)
            ref = ref if n0 == 1 else _inv(ref)
            flip = np.sum(_values(quat) * ref, axis=-1, keepdims=True) < 0
            quat = np.where(flip, -quat, quat)
        return Rotation._raw(quat)

    def inv(self):
        """The inverse rotations."""
        return Rotation._raw(_inv(self._quat))

    def magnitude(self):
        """The rotation angles, in ``[0, pi]``."""
        return _magnitude(self._quat)

    def approx_equal(self, other, atol=None, degrees=False):
        """Whether each rotation is within ``atol`` (radians; 1e-8 by default) of
        ``other`` (plain bools, decided on the values)."""
        if atol is None:
            if degrees:
                warnings.warn("atol must be set to use the degrees flag, defaulting to "
                              "1e-8 radians.", stacklevel=2)
            atol = 1e-8
        elif degrees:
            atol = atol * (np.pi / 180.0)
        if not _broadcastable(_shape(self._quat), _shape(other._quat)):
            raise ValueError(f"Expected broadcastable shapes in both rotations, got "
                             f"{_shape(self._quat)[:-1]} rotations in first and "
                             f"{_shape(other._quat)[:-1]} rotations in second object.")
        angles = _values(_magnitude(_compose(other._quat, _inv(self._quat))))
        return angles < atol

    def mean(self, weights=None, axis=None):
        """The (weighted) chordal L2 mean: the dominant eigenvector of
        ``mean(w q q^T)`` (SciPy's; ``np.linalg.eigh`` of dualgrad on duals)."""
        quat = self._quat
        if _ndim(quat) == 1:
            quat = quat[None]
        if _shape(quat)[0] == 0:
            raise ValueError("Mean of an empty rotation set is undefined.")
        ndim = _ndim(quat)
        all_axes = tuple(range(ndim - 1))
        if axis is None:
            axis = all_axes
        elif isinstance(axis, int):
            axis = (axis,)
        if not isinstance(axis, tuple):
            raise ValueError("`axis` must be None, int, or tuple of ints.")
        if axis != () and (min(axis) < -(ndim - 1) or max(axis) > ndim - 2):
            raise ValueError(f"axis {axis} is out of bounds for rotation with shape "
                             f"{_shape(quat)[:-1]}.")
        axis = tuple(sorted(set(x % (ndim - 1) for x in axis)))
        qe = quat[..., None, :]
        if weights is None:
            K = np.swapaxes(qe, -1, -2) @ qe
        else:
            weights = _array(weights)
            if ndim == 2 and _ndim(weights) != 1:            # SciPy's Cython backend's
                raise ValueError("Expected `weights` to be 1 dimensional, got "
                                 f"{_shape(weights)}.")
            if ndim == 2 and _shape(weights)[0] != _shape(quat)[0]:
                raise ValueError("Expected `weights` to have number of values equal to "
                                 f"number of rotations, got {_shape(weights)[0]} values and "
                                 f"{_shape(quat)[0]} rotations.")
            if np.any(_values(weights) < 0):
                raise ValueError("`weights` must be non-negative.")
            if not _broadcastable(_shape(quat)[:-1], _shape(weights)):
                raise ValueError("Expected `weights` to be broadcastable to rotation "
                                 f"shape, got shape {_shape(weights)} for "
                                 f"{_shape(quat)[:-1]} rotations.")
            K = np.swapaxes(np.expand_dims(weights, (-1, -2)) * qe, -1, -2) @ qe
        keep = tuple(i for i in all_axes if i not in axis)
        K = np.moveaxis(K, keep + axis, all_axes)
        K = np.mean(np.reshape(K, _shape(K)[:len(keep)] + (-1, 4, 4)), axis=-3)
        _unique("mean", K, "rotations whose mean is unique", "rotations with no unique "
                "mean (the largest eigenvalue of mean(w q q^T) tied: two rotations 180 "
                "degrees apart, for one)", "weight the rotations unequally")
        _, v = np.linalg.eigh(K)
        return Rotation._raw(v[..., -1])

    # ---- container protocol ---------------------------------------------------------
    @property
    def single(self):
        """Whether this is one rotation (its quaternion of shape ``(4,)``)."""
        return self._quat_ndim == 1

    @property
    def shape(self):
        """The leading shape of the stack (``()`` for a single rotation)."""
        return _shape(self._quat)[:-1]

    def __len__(self):
        if self.single:
            raise TypeError("Single rotation has no len().")
        return _shape(self._quat)[0]

    def __bool__(self):
        return True

    def __getitem__(self, indexer):
        if self.single:
            raise TypeError("Single rotation is not subscriptable.")
        if isinstance(indexer, tuple):
            return Rotation._raw(self._quat[indexer + (Ellipsis,)])
        return Rotation._raw(self._quat[indexer, ...])

    def __setitem__(self, indexer, value):
        if self.single:
            raise TypeError("Single rotation is not subscriptable.")
        if not isinstance(value, Rotation):
            raise TypeError("value must be a Rotation object")
        quat = self._quat
        new = value._quat
        if _is_dual(new) and not _is_dual(quat):         # a plain stack takes duals
            quat = quat + np.zeros_like(new, shape=_shape(quat))
        else:
            quat = quat.copy()
        quat[indexer] = new
        self._quat = quat

    def __iter__(self):
        if self.single:
            raise TypeError("Single rotation is not iterable.")
        for i in range(len(self)):
            yield self[i]

    def __repr__(self):
        m = f"{_as_matrix_formula(_values(self._quat))!r}".splitlines()
        m[1:] = [" " * 21 + line for line in m[1:]]              # SciPy's layout
        return "Rotation.from_matrix(" + "\n".join(m) + ")"


def _coerce(other):
    """``other`` as this module's Rotation: itself, SciPy's own Rotation by its
    quaternions (plain numbers), or ``None``."""
    if isinstance(other, Rotation):
        return other
    cls = type(other)
    if cls.__name__ == "Rotation" and cls.__module__.startswith("scipy.spatial.transform"):
        return Rotation._raw(np.asarray(other.as_quat()))
    return None


class Slerp:
    """``scipy.spatial.transform.Slerp`` that takes dual numbers: spherical linear
    interpolation of rotations, constant angular velocity between key rotations.

    Parameters
    ----------
    times : (N,) array_like or Dual
        The key times, strictly increasing.
    rotations : Rotation
        ``N`` key rotations (one leading axis).

    Examples
    --------
    >>> import numpy as np
    >>> from dualgrad.scipy.spatial.transform import Rotation, Slerp
    >>> s = Slerp([0.0, 1.0], Rotation.from_euler("z", [[0.0], [90.0]], degrees=True))
    >>> s(0.5).as_euler("zyx", degrees=True).round(6)
    array([45.,  0.,  0.])
    """

    def __init__(self, times, rotations):
        if not isinstance(rotations, Rotation):
            raise TypeError("`rotations` must be a `Rotation` instance.")
        if rotations.single or len(rotations) <= 1:
            raise ValueError("`rotations` must be a sequence of at least 2 rotations.")
        if rotations._quat_ndim > 2:
            raise ValueError("Rotations with more than 1 leading dimension are not "
                             "supported.")
        times = _array(times)
        if _ndim(times) != 1:
            raise ValueError("Expected times to be specified in a 1 dimensional array, "
                             f"got {_ndim(times)} dimensions.")
        if _shape(times)[0] != len(rotations):
            raise ValueError("Expected number of rotations to be equal to number of "
                             f"timestamps given, got {len(rotations)} rotations and "
                             f"{_shape(times)[0]} timestamps.")
        self.times = times
        self.timedelta = np.diff(times)
        if np.any(_values(self.timedelta) <= 0):
            raise ValueError("Times must be in strictly increasing order.")
        self.rotations = rotations[:-1]
        self.rotvecs = (self.rotations.inv() * rotations[1:]).as_rotvec()

    def __call__(self, times):
        """The interpolated rotations at ``times`` (a scalar or 1-D, within the key
        times, both ends included)."""
        compute_times = _array(times)
        if _ndim(compute_times) > 1:
            raise ValueError("`times` must be at most 1-dimensional.")
        single_time = _ndim(compute_times) == 0
        if single_time:
            compute_times = np.reshape(compute_times, (1,))
        t0, c0 = _values(self.times), _values(compute_times)
        ind = np.searchsorted(t0, c0) - 1
        ind[c0 == t0[0]] = 0
        if np.any((ind < 0) | (ind > len(self.rotations) - 1)):
            raise ValueError(f"Interpolation times must be within the range [{t0[0]}, "
                             f"{t0[-1]}], both inclusive.")
        alpha = (compute_times - self.times[ind]) / self.timedelta[ind]
        result = self.rotations[ind] * Rotation.from_rotvec(self.rotvecs[ind] * alpha[:, None])
        return result[0] if single_time else result
