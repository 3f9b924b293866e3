"""A Bayesian statistician's workflow: a hierarchical logistic regression's log
posterior, its Laplace approximation and a Hamiltonian Monte Carlo sampler.

The log posterior is plain NumPy with SciPy's densities, written as one would
for any sampler, except for the line marked ``# dualgrad:`` (SciPy's
``scipy.stats`` converts its input with ``np.asarray``; ``dualgrad.scipy.stats``
has SciPy's signatures and takes dual numbers):

* data: 3,000 rows, 4 covariates and an intercept, outcomes y in {0, 1};
* model: ``eta = alpha + X @ beta``, ``y ~ Bernoulli(expit(eta))`` written with
  ``np.logaddexp(0, eta)`` (``log(1 + exp(eta))`` without overflow), a
  non-centered shrinkage prior ``beta = sigma * z``, ``z ~ N(0, 1)``,
  ``alpha ~ N(0, 5)``, ``sigma ~ Exponential(1)`` sampled as ``s = log sigma``
  (the log-Jacobian ``+ s``);
* ``dg.value_and_grad`` of the log posterior against its gradient written by
  hand, ``dg.hessian`` against the Hessian written by hand (both below: the
  oracles);
* the Laplace approximation: the mode by ``scipy.optimize.minimize(...,
  jac=dg.grad(...))`` (BFGS; the same fit with finite differences counts its
  calls, its differences among them; it stops on a loss of precision short of the
  mode), the covariance as the inverse of ``-dg.hessian`` at the mode;
* HMC: leapfrog steps as ColCarroll/minimc writes them
  (``minimc/integrators_slow.py``, ``leapfrog``, commit
  84898385fdadd062bee9c438b36ede322c61d6f3: a half step of momentum, full steps
  of position, a half step at the end), each gradient from
  ``dg.value_and_grad``, Metropolis-corrected; its posterior mean beside the
  Laplace mode.

Run:  python examples/hmc_logistic.py
"""

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

import dualgrad as dg
from dualgrad.scipy import stats    # dualgrad: was `from scipy import stats`

rng = np.random.default_rng(42)
N, K = 3000, 4
X = rng.normal(size=(N, K))
y = (rng.random(N) < expit(-0.3 + X @ np.array([0.8, -0.5, 0.0, 0.25]))).astype(float)


def log_posterior(theta):
    """log p(alpha, z, s | y) up to a constant; theta = [alpha, z_1..z_K, s]."""
    alpha, z, s = theta[0], theta[1:K + 1], theta[K + 1]
    sigma = np.exp(s)
    eta = alpha + X @ (sigma * z)
    loglik = np.sum(y * eta - np.logaddexp(0.0, eta))
    return (loglik + stats.norm.logpdf(alpha, 0.0, 5.0) + np.sum(stats.norm.logpdf(z))
            + stats.expon.logpdf(sigma) + s)


def grad_by_hand(theta):
    """The oracle: d log p / d theta written out."""
    alpha, z, s = theta[0], theta[1:K + 1], theta[K + 1]
    sigma = np.exp(s)
    r = y - expit(alpha + X @ (sigma * z))
    xr = X.T @ r
    return np.concatenate([[np.sum(r) - alpha / 25.0], sigma * xr - z,
                           [sigma * z @ xr - sigma + 1.0]])


def hessian_by_hand(theta):
    """The oracle: -J^T W J + sum_i r_i d2 eta_i + the priors' curvature."""
    alpha, z, s = theta[0], theta[1:K + 1], theta[K + 1]
    sigma = np.exp(s)
    eta = alpha + X @ (sigma * z)
    r, w = y - expit(eta), expit(eta) * expit(-eta)
    J = np.column_stack([np.ones(N), sigma * X, X @ (sigma * z)])   # d eta / d theta
    H = -(J.T * w) @ J
    xr = X.T @ r
    H[1:K + 1, K + 1] += sigma * xr                 # d2 eta / dz ds = sigma X
    H[K + 1, 1:K + 1] += sigma * xr
    H[K + 1, K + 1] += np.sum(r * (X @ (sigma * z))) - sigma   # d2 eta / ds2; prior
    H[0, 0] -= 1.0 / 25.0
    H[1:K + 1, 1:K + 1] -= np.eye(K)
    return H


def leapfrog(q, p, value_and_grad, path_len, step_size):
    """minimc's leapfrog, the gradient of the log density (not of the potential)."""
    q, p = np.copy(q), np.copy(p)
    _, g = value_and_grad(q)
    for _ in range(int(round(path_len / step_size))):
        p += step_size * g / 2          # half step
        q += step_size * p              # whole step
        value, g = value_and_grad(q)
        p += step_size * g / 2          # half step
    return q, -p, value                 # momentum flip at end


def hmc(value_and_grad, q0, n_samples, path_len, step_size, seed=1):
    rs = np.random.default_rng(seed)
    q, (value, _) = np.copy(q0), value_and_grad(q0)
    samples, accepted, energy_errors = [], 0, []
    for _ in range(n_samples):
        p0 = rs.normal(size=q.size)
        q_new, p_new, value_new = leapfrog(q, p0, value_and_grad, path_len, step_size)
        error = (value - 0.5 * p0 @ p0) - (value_new - 0.5 * p_new @ p_new)
        energy_errors.append(abs(error))
        if np.log(rs.random()) < -error:
            q, value = q_new, value_new
            accepted += 1
        samples.append(q)
    return np.array(samples), accepted / n_samples, max(energy_errors)


def main():
    theta = np.array([-0.2, 0.5, -0.4, 0.1, 0.3, -0.3])
    value, g = dg.value_and_grad(log_posterior)(theta)
    ref = grad_by_hand(theta)
    print(f"log posterior {value:.6f} (f itself: {log_posterior(theta):.6f})")
    print(f"gradient: max rel. error {np.max(np.abs(g - ref)) / np.max(np.abs(ref)):.1e} "
          "against the hand-written gradient")
    H, H_ref = dg.hessian(log_posterior, theta), hessian_by_hand(theta)
    print(f"Hessian: max rel. error {np.max(np.abs(H - H_ref)) / np.max(np.abs(H_ref)):.1e} "
          f"against the hand-written Hessian, symmetric {bool(np.all(H == H.T))}")

    def neg(t):
        return -log_posterior(t)
    exact = minimize(neg, np.zeros(K + 2), jac=dg.grad(neg), method="BFGS")
    differences = minimize(neg, np.zeros(K + 2), method="BFGS")
    for name, fit in (("exact gradient", exact), ("finite differences", differences)):
        print(f"BFGS, {name}: success={fit.success} f calls={fit.nfev}, gradient "
              f"calls={fit.njev}, |gradient| at the end "
              f"{np.linalg.norm(grad_by_hand(fit.x)):.1e}")
    mode = exact.x
    cov = np.linalg.inv(-dg.hessian(log_posterior, mode))
    cov_ref = np.linalg.inv(-hessian_by_hand(mode))
    sd = np.sqrt(np.diag(cov))
    print(f"Laplace covariance: max rel. error {np.max(np.abs(cov - cov_ref)) / np.max(np.abs(cov_ref)):.1e}")
    print("Laplace mode       ", np.array2string(mode, precision=3))
    print("Laplace sd         ", np.array2string(sd, precision=3))

    step = 0.5 * np.min(sd)
    samples, rate, worst = hmc(dg.value_and_grad(log_posterior), mode, 150,
                               path_len=8 * step, step_size=step)
    print(f"HMC: 150 draws of 8 leapfrog steps, acceptance {rate:.2f}, largest energy "
          f"error {worst:.2e}")
    # beta = sigma * z is what the data identify (z and s alone form a funnel): its
    # posterior is close to normal, so its mean sits near the Laplace mode's beta
    beta = np.exp(samples[50:, K + 1:]) * samples[50:, 1:K + 1]
    beta_mode = np.exp(mode[K + 1]) * mode[1:K + 1]
    print("HMC mean of beta   ", np.array2string(beta.mean(axis=0), precision=3))
    print("Laplace mode's beta", np.array2string(beta_mode, precision=3))
    print(f"HMC mean of beta - Laplace mode's beta: largest "
          f"{np.max(np.abs(beta.mean(axis=0) - beta_mode) / beta.std(axis=0)):.2f} "
          "posterior sd")


if __name__ == "__main__":
    main()
