"""A camera's pose from known 3-D points and their pixels (PnP refinement): SciPy's
least_squares with dualgrad's exact Jacobian through
``dualgrad.scipy.spatial.transform.Rotation``, against its own finite differences.

The pose is a rotation vector ``w`` and a translation ``t``; a pixel is
``f (R(w) X + t)_xy / (R(w) X + t)_z + c``.  The Jacobian is checked against its
closed form: ``dR/dw_i`` is the Frechet derivative of ``expm`` at ``[w]x`` in the
direction ``[e_i]x`` (``scipy.linalg.expm_frechet``).

    python examples/camera_pose.py
"""

import numpy as np
from scipy.linalg import expm_frechet
from scipy.optimize import least_squares

import dualgrad as dg
from dualgrad.scipy.spatial.transform import Rotation

FOCAL, CENTER = 800.0, np.array([320.0, 240.0])


def skew(v):
    return np.array([[0.0, -v[2], v[1]], [v[2], 0.0, -v[0]], [-v[1], v[0], 0.0]])


def pixels(pose, X):
    P = Rotation.from_rotvec(pose[:3]).apply(X) + pose[3:]
    return FOCAL * P[:, :2] / P[:, 2:] + CENTER


def jacobian_by_hand(pose, X):
    """The closed form: ``dP/dw_i = (dR/dw_i) X``, ``dP/dt = I``, then the quotient."""
    R = Rotation.from_rotvec(pose[:3]).as_matrix()
    P = X @ R.T + pose[3:]
    dR = [expm_frechet(skew(pose[:3]), skew(e))[1] for e in np.eye(3)]
    dP = np.concatenate([np.stack([X @ d.T for d in dR], axis=-1),
                         np.broadcast_to(np.eye(3), (len(X), 3, 3))], axis=-1)  # (N, 3, 6)
    z = P[:, 2:, None]
    return (FOCAL * (dP[:, :2] / z - P[:, :2, None] * dP[:, 2:] / z ** 2)).reshape(-1, 6)


def main():
    rng = np.random.default_rng(3)
    X = rng.uniform(-1.0, 1.0, size=(40, 3)) + np.array([0.0, 0.0, 6.0])
    truth = np.array([0.10, -0.25, 0.05, 0.3, -0.2, 0.4])
    observed = pixels(truth, X)
    start = truth + np.array([0.2, 0.15, -0.1, 0.5, 0.4, -0.3])

    residuals = lambda pose: (pixels(pose, X) - observed).ravel()
    exact = lambda pose: dg.jacobian(residuals, pose)
    hand = jacobian_by_hand(start, X)
    scale = np.max(np.abs(hand))
    err = np.max(np.abs(exact(start) - hand)) / scale
    from scipy.optimize import approx_fprime
    fd = np.max(np.abs(approx_fprime(start, residuals) - hand)) / scale
    print(f"relative error against the closed form: dualgrad {err:.1e}, "
          f"approx_fprime {fd:.1e}")
    for name, jac in (("2-point differences", "2-point"), ("dualgrad", exact)):
        fit = least_squares(residuals, start, jac=jac, xtol=1e-15, ftol=1e-15, gtol=1e-15)
        print(f"{name:20s} pose error {np.max(np.abs(fit.x - truth)):.1e}  "
              f"jacobian calls={fit.njev}  f calls={fit.nfev}")


if __name__ == "__main__":
    main()
