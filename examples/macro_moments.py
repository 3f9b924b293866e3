"""A macroeconomist's moments, exact: an income chain and a VAR's covariance.

Tauchen's method (QuantEcon.py's ``tauchen``, its loop written with arrays) turns an
AR(1) ``y' = rho y + sigma e`` into a Markov chain through the normal CDF; the chain's
stationary distribution is a linear solve.  Written with
``dualgrad.scipy.stats.norm.cdf`` (SciPy's signature), the chain's moments have exact
derivatives in ``(rho, sigma)``: here against 8th-order central differences and
``scipy.optimize.approx_fprime``.

A VAR(1) ``x' = A x + B e`` has the unconditional covariance ``X = A X A^T + B B^T``,
``scipy.linalg.solve_discrete_lyapunov``; SciPy's own converts its input, so on duals
it raises, naming ``dualgrad.scipy.linalg.solve_discrete_lyapunov``, which takes them.
For a diagonal ``A``, ``X_ij = (B B^T)_ij / (1 - a_i a_j)``: the closed form checks
the gradient.
"""

import numpy as np
import scipy.linalg
import scipy.stats
from scipy.optimize import approx_fprime

import dualgrad as dg
from dualgrad.scipy import stats
from dualgrad.scipy.linalg import solve_discrete_lyapunov


def chain(rho, sigma, n=9, norm=stats.norm):
    """Tauchen's grid and transition matrix (3 standard deviations)."""
    x_max = 3 * np.sqrt(sigma ** 2 / (1 - rho ** 2))
    x = np.linspace(-x_max, x_max, n)
    half = x_max / (n - 1)
    z = x[None, :] - rho * x[:, None]
    up, lo = norm.cdf((z + half) / sigma), norm.cdf((z - half) / sigma)
    P = up - lo
    P[:, 0] = up[:, 0]
    P[:, -1] = 1 - lo[:, -1]
    return x, P


def income_moments(theta, norm=stats.norm):
    """Mean income E[exp(y)] and Var[y] under the chain's stationary distribution."""
    x, P = chain(theta[0], theta[1], norm=norm)
    n = len(x)
    A = P.T - np.eye(n)
    A[-1, :] = 1.0                      # replace one balance equation by sum(pi) = 1
    pi = np.linalg.solve(A, np.eye(n)[-1])
    return np.stack([pi @ np.exp(x), pi @ x ** 2])


def cd8(f, x, h=1e-3):
    """8th-order central differences, column by column (the oracle)."""
    c = [1 / 280, -4 / 105, 1 / 5, -4 / 5, 0.0, 4 / 5, -1 / 5, 4 / 105, -1 / 280]
    return np.stack([sum(w * f(x + m * h * e) for m, w in zip(range(-4, 5), c) if w) / h
                     for e in np.eye(x.size)], axis=-1)


def main():
    theta = np.array([0.9, 0.1])
    plain = lambda t: income_moments(t, norm=scipy.stats.norm)
    J = dg.jacobian(income_moments, theta)
    oracle = cd8(plain, theta)
    fd = np.stack([approx_fprime(theta, lambda t: plain(t)[k]) for k in range(2)])
    scale = np.max(np.abs(oracle))
    print("d(mean income, variance) / d(rho, sigma):")
    print(J)
    print(f"dualgrad vs 8th-order differences: rel. error {np.max(np.abs(J - oracle)) / scale:.1e}")
    print(f"approx_fprime vs the same:         rel. error {np.max(np.abs(fd - oracle)) / scale:.1e}")

    a = np.array([0.6, -0.4])
    B = np.array([[1.0, 0.0], [0.5, 0.8]])
    Q = B @ B.T

    def total_variance(a):              # trace of the VAR's unconditional covariance
        return np.trace(solve_discrete_lyapunov(np.diag(a), Q))

    g = dg.gradient(total_variance, a)
    closed = 2 * a * np.diag(Q) / (1 - a ** 2) ** 2
    print(f"VAR: d tr(X) / d a = {g}, closed form {closed}, "
          f"rel. error {np.max(np.abs(g - closed)) / np.max(np.abs(closed)):.1e}")
    try:
        dg.gradient(lambda a: np.trace(scipy.linalg.solve_discrete_lyapunov(np.diag(a), Q)), a)
    except TypeError as exc:
        named = "dualgrad.scipy.linalg.solve_discrete_lyapunov" in str(exc)
        print(f"scipy.linalg.solve_discrete_lyapunov on duals: TypeError "
              f"{'naming dualgrad.scipy.linalg.solve_discrete_lyapunov' if named else str(exc)}")


if __name__ == "__main__":
    main()
