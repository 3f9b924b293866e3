"""A controls engineer's LQR design, exact: linearize, solve the Riccati equation, and
differentiate the gain.

A cart-pole (Tedrake, Underactuated Robotics, ch. 3; theta = pi is upright) is
linearized at the upright trim with ``dg.jacfwd(f, argnums=(0, 1))``: A and B in one
call, equal to the textbook's hand-derived matrices.  The LQR gain ``K = R^-1 B^T X``
comes from ``scipy.linalg.solve_continuous_are``; SciPy's own converts its input, so
on duals it raises, naming ``dualgrad.scipy.linalg.solve_continuous_are``, which takes
them.  With it, the gain's derivative in the pole's mass (a linearization inside the
differentiated function: nested duals) and in the weights is exact: here against
8th-order central differences of SciPy's solver on the hand-derived model, and
``scipy.optimize.approx_fprime``.
"""

import numpy as np
import scipy.linalg
from scipy.optimize import approx_fprime

import dualgrad as dg
from dualgrad.scipy.linalg import solve_continuous_are
from dualgrad.testing import numerical_jacobian

MC, L, G = 1.0, 0.5, 9.81                  # cart mass, pole length, gravity
XS, US = np.array([0.0, np.pi, 0.0, 0.0]), np.array([0.0])      # upright, no force


def cartpole(x, u, mp=0.3):
    """x = (cart position, pole angle, their rates), u = (force,)."""
    s, c = np.sin(x[1]), np.cos(x[1])
    den = MC + mp * s ** 2
    xdd = (u[0] + mp * s * (L * x[3] ** 2 + G * c)) / den
    tdd = (-u[0] * c - mp * L * x[3] ** 2 * c * s - (MC + mp) * G * s) / (L * den)
    return np.stack([x[2], x[3], xdd, tdd])


def linearized_by_hand(mp):
    A = np.array([[0, 0, 1, 0], [0, 0, 0, 1], [0, mp * G / MC, 0, 0],
                  [0, G * (MC + mp) / (L * MC), 0, 0]])
    return A, np.array([[0], [0], [1 / MC], [1 / (L * MC)]])


def gain(p, solve=solve_continuous_are, linearize=None):
    """The LQR gain in p = (pole mass, four Q weights, R)."""
    if linearize is None:
        A, B = dg.jacfwd(lambda x, u: cartpole(x, u, p[0]), argnums=(0, 1))(XS, US)
    else:
        A, B = linearize(p[0])
    R = np.reshape(p[5], (1, 1))
    return np.linalg.solve(R, B.T @ solve(A, B, np.diag(p[1:5]), R)).ravel()


def main():
    A, B = dg.jacfwd(cartpole, argnums=(0, 1))(XS, US)
    Ah, Bh = linearized_by_hand(0.3)
    print(f"linearization: max |A - hand| = {np.max(np.abs(A - Ah)):.1e}, "
          f"max |B - hand| = {np.max(np.abs(B - Bh)):.1e}")
    p = np.array([0.3, 1.0, 10.0, 1.0, 1.0, 0.5])
    print("LQR gain K:", np.round(gain(p), 4))
    try:
        dg.jacobian(lambda q: gain(q, scipy.linalg.solve_continuous_are), p)
    except TypeError as exc:
        named = "dualgrad.scipy.linalg.solve_continuous_are" in str(exc)
        print(f"scipy.linalg.solve_continuous_are on duals: TypeError naming "
              f"{'dualgrad.scipy.linalg.solve_continuous_are' if named else 'something else'}")
    J = dg.jacobian(gain, p)
    plain = lambda q: gain(q, scipy.linalg.solve_continuous_are, linearized_by_hand)
    want = numerical_jacobian(plain, p)
    fd = approx_fprime(p, plain)
    scale = np.max(np.abs(want))
    print("dK/d(mass):", np.round(J[:, 0], 4))
    print(f"dK/dp: dualgrad vs 8th-order differences: rel. error "
          f"{np.max(np.abs(J - want)) / scale:.1e}; approx_fprime: rel. error "
          f"{np.max(np.abs(fd - want)) / scale:.1e}")


if __name__ == "__main__":
    main()
