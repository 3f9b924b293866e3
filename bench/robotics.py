"""A roboticist's / controls engineer's functions: dualgrad's derivatives against
scipy.optimize.approx_fprime and against f itself, in one run, with their errors.

    python bench/robotics.py [--reps 7] [--only NAME ...]

* ``fk_space``: Modern Robotics' ``FKinSpace`` as it is (NxRLab/ModernRobotics,
  packages/Python/modern_robotics/core.py @ cbd41fdf: ``MatrixExp6`` with ``np.r_`` /
  ``np.c_``, ``VecTose3`` / ``VecToso3`` of scalar duals), the 4-joint example of its
  ``JacobianSpace`` docstring; Jacobian of T (4 x 4) in the joint angles.  Oracle:
  the closed form ``dT/dth_i = [J_s,i] T`` from Modern Robotics' own
  ``JacobianSpace``, which is also timed (``hand``: the hand-derived Jacobian).
* ``cartpole_lin``: a cart-pole's dynamics (Tedrake, Underactuated Robotics ch. 3),
  the Jacobian of x' = f(x, u) in the 5 inputs (state and force) away from the trim,
  as an LQR or iLQR linearization takes it.  Oracle: the complex step.
* ``cartpole_shoot``: 100 RK4 steps of the same dynamics, the final state's Jacobian in
  the 100 controls (a shooting method's constraint Jacobian).  Oracle: the complex step.
* ``lqr_gain``: the LQR gain K of the cart-pole linearized at the upright trim, in the
  pole's mass, the four Q weights and R (6 parameters), through
  ``dualgrad.scipy.linalg.solve_continuous_are`` with the linearization taken by
  ``dg.jacfwd`` inside f; approx_fprime differences SciPy's own solver.  Oracle:
  8th-order central differences of SciPy's solver on the hand-derived linearization.

One process, one BLAS thread, CPU-time medians (``time.process_time``: the machine
is shared) of ``--reps`` repeats after a warm-up (``bench/_common.median_time``), in
ms; ``x f``: the time over f's on floats; ``x fprime``: dualgrad's over
approx_fprime's (default step).  ``err``: the largest error of each derivative
relative to the oracle's largest entry.  The load (``os.getloadavg``) is printed
before and after.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (one thread per library)

import numpy as np  # noqa: E402


# ---- Modern Robotics, verbatim (core.py @ cbd41fdf) ----------------------------------

def NearZero(z):
    return abs(z) < 1e-6


def VecToso3(omg):
    return np.array([[0, -omg[2], omg[1]], [omg[2], 0, -omg[0]], [-omg[1], omg[0], 0]])


def so3ToVec(so3mat):
    return np.array([so3mat[2][1], so3mat[0][2], so3mat[1][0]])


def AxisAng3(expc3):
    return (expc3 / np.linalg.norm(expc3), np.linalg.norm(expc3))


def MatrixExp3(so3mat):
    omgtheta = so3ToVec(so3mat)
    if NearZero(np.linalg.norm(omgtheta)):
        return np.eye(3)
    theta = AxisAng3(omgtheta)[1]
    omgmat = so3mat / theta
    return np.eye(3) + np.sin(theta) * omgmat + (1 - np.cos(theta)) * np.dot(omgmat, omgmat)


def VecTose3(V):
    return np.r_[np.c_[VecToso3([V[0], V[1], V[2]]), [V[3], V[4], V[5]]], np.zeros((1, 4))]


def MatrixExp6(se3mat):
    se3mat = np.array(se3mat)
    omgtheta = so3ToVec(se3mat[0: 3, 0: 3])
    if NearZero(np.linalg.norm(omgtheta)):
        return np.r_[np.c_[np.eye(3), se3mat[0: 3, 3]], [[0, 0, 0, 1]]]
    theta = AxisAng3(omgtheta)[1]
    omgmat = se3mat[0: 3, 0: 3] / theta
    return np.r_[np.c_[MatrixExp3(se3mat[0: 3, 0: 3]),
                       np.dot(np.eye(3) * theta + (1 - np.cos(theta)) * omgmat
                              + (theta - np.sin(theta)) * np.dot(omgmat, omgmat),
                              se3mat[0: 3, 3]) / theta], [[0, 0, 0, 1]]]


def FKinSpace(M, Slist, thetalist):
    T = np.array(M)
    for i in range(len(thetalist) - 1, -1, -1):
        T = np.dot(MatrixExp6(VecTose3(np.array(Slist)[:, i] * thetalist[i])), T)
    return T


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


def _fk_problem(dg):
    Slist = np.array([[0, 0, 1, 0, 0.2, 0.2], [1, 0, 0, 2, 0, 3], [0, 1, 0, 0, 2, 1],
                      [1, 0, 0, 0.2, 0.3, 0.4]]).T
    M = np.array([[-1, 0, 0, 0], [0, 1, 0, 6], [0, 0, -1, 2], [0, 0, 0, 1.0]])
    th = np.array([0.2, 1.1, 0.1, 1.2])
    f = lambda t: FKinSpace(M, Slist, t)

    def hand(t):
        T, Js = f(t), JacobianSpace(Slist, t)
        return np.stack([VecTose3(Js[:, i]) @ T for i in range(len(t))], axis=-1)

    return f, f, th, hand(th), "jacobian", lambda: hand(th)


# ---- cart-pole (Tedrake, Underactuated Robotics, ch. 3) -------------------------------

MC, L, G = 1.0, 0.5, 9.81


def cartpole(x, u, mp=0.3):
    s, c = np.sin(x[1]), np.cos(x[1])
    den = MC + mp * s ** 2
    xdd = (u + mp * s * (L * x[3] ** 2 + G * c)) / den
    tdd = (-u * c - mp * L * x[3] ** 2 * c * s - (MC + mp) * G * s) / (L * den)
    return np.stack([x[2], x[3], xdd, tdd])


def _complex_step(f, x, h=1e-30):
    return np.stack([np.imag(f(x + 1j * h * e)) / h for e in np.eye(x.size)], axis=-1)


def _cartpole_lin(dg):
    z = np.array([0.1, 2.9, -0.3, 0.4, 1.5])
    f = lambda z: cartpole(z[:4], z[4])
    return f, f, z, _complex_step(f, z), "jacobian", None


def _rk4_rollout(us, dt=0.02):
    x = np.zeros_like(us, shape=4) + np.array([0.0, np.pi - 0.2, 0.0, 0.0])
    for u in us:
        k1 = cartpole(x, u)
        k2 = cartpole(x + dt / 2 * k1, u)
        k3 = cartpole(x + dt / 2 * k2, u)
        k4 = cartpole(x + dt * k3, u)
        x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x


def _cartpole_shoot(dg):
    us = 0.5 * np.sin(np.linspace(0.0, 3.0, 100))
    return _rk4_rollout, _rk4_rollout, us, _complex_step(_rk4_rollout, us), "jacobian", None


def _lqr_problem(dg):
    import scipy.linalg as sl

    from dualgrad.scipy.linalg import solve_continuous_are
    from dualgrad.testing import numerical_jacobian
    xs, us = np.array([0.0, np.pi, 0.0, 0.0]), 0.0

    def gain(p, solve, linearize):
        A, B = linearize(p[0])
        return np.linalg.solve(np.reshape(p[5], (1, 1)),
                               B.T @ solve(A, B, np.diag(p[1:5]), np.reshape(p[5], (1, 1))))

    def by_dualgrad(mp):
        A, B = dg.jacfwd(lambda x, u: cartpole(x, u, mp), argnums=(0, 1))(xs, us)
        return A, np.reshape(B, (4, 1))

    def by_hand(mp):
        A = np.array([[0, 0, 1, 0], [0, 0, 0, 1], [0, mp * G / MC, 0, 0],
                      [0, G * (MC + mp) / (L * MC), 0, 0]])
        return A, np.array([[0], [0], [1 / MC], [1 / (L * MC)]])

    p = np.array([0.3, 1.0, 10.0, 1.0, 1.0, 0.5])
    plain = lambda p: gain(p, sl.solve_continuous_are, by_hand).ravel()
    dual = lambda p: gain(p, solve_continuous_are, by_dualgrad).ravel()
    return plain, dual, p, numerical_jacobian(plain, p), "jacobian", None


PROBLEMS = {"fk_space": _fk_problem, "cartpole_lin": _cartpole_lin,
            "cartpole_shoot": _cartpole_shoot, "lqr_gain": _lqr_problem}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--only", nargs="*", choices=sorted(PROBLEMS))
    args = parser.parse_args()
    from scipy.optimize import approx_fprime

    import dualgrad as dg
    print(f"load before: {os.getloadavg()}")
    print(f"{'problem':16s} {'n':>4s} {'f ms':>9s} {'dg ms':>9s} {'x f':>7s} {'fprime ms':>10s} "
          f"{'x fprime':>8s} {'dg err':>9s} {'fprime err':>10s}")
    for name in args.only or PROBLEMS:
        plain, dual, x, oracle, kind, hand = PROBLEMS[name](dg)
        deriv = lambda: dg.jacobian(dual, x)
        shape = np.shape(plain(x))
        fprime = lambda: approx_fprime(x, lambda y: np.ravel(plain(y))).reshape(shape + x.shape)
        tf = _common.median_time(lambda: plain(x), repeat=args.reps, clock=time.process_time)
        ta = _common.median_time(fprime, repeat=args.reps, clock=time.process_time)
        td = _common.median_time(deriv, repeat=args.reps, clock=time.process_time)
        J, Ja = deriv(), fprime()
        scale = np.max(np.abs(oracle))
        errs = (np.max(np.abs(J - oracle)) / scale, np.max(np.abs(Ja - oracle)) / scale)
        print(f"{name:16s} {x.size:4d} {tf * 1e3:9.3f} {td * 1e3:9.2f} {td / tf:7.1f} "
              f"{ta * 1e3:10.2f} {td / ta:8.2f} {errs[0]:9.1e} {errs[1]:10.1e}")
        if hand is not None:
            th = _common.median_time(hand, repeat=args.reps, clock=time.process_time)
            print(f"{'  hand-derived':16s} {x.size:4d} {'':9s} {th * 1e3:9.2f} {th / tf:7.1f} "
                  f"{'':10s} {th / ta:8.2f}   (dualgrad / hand: {td / th:.2f})")
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
