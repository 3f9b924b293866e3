"""A macroeconomist's functions: dualgrad's derivatives against
scipy.optimize.approx_fprime and against f itself, in one run, with their errors.

    python bench/econ.py [--reps 7] [--only NAME ...] [--no-jax]

Each function is a public code's, ported as it is (NumPy as written; only the
parameters made arguments) or its NumPy spelling where the original is JAX:

* ``kalman_sv``: a stochastic-volatility model's QML Kalman filter, T = 500
  (joseManuelAyala/2GradedProblemSet, KalmanFilterAlgorithm.py @ a0102371,
  MLE.py @ 9bbb18c1), its four ``np.zeros(T)`` buffers made with
  ``np.zeros_like(theta, shape=T)`` (what dualgrad's refusal says); gradient in
  (phi, sigma_eta).  ``kalman_sv_scalars``: the same filter with the running mean
  and variance in Python variables (no buffers).  Oracle: the complex step.
* ``egm``: QuantEcon's income-fluctuation time iteration with the endogenous grid
  method, ``K_numpy`` (QuantEcon/lecture-python.myst lectures/ifp_egm.md @ 09c8a0eb:
  scalar ``np.interp`` in three loops), 30 iterations on a 20-point savings grid;
  Jacobian of the consumption policy in (r, beta, gamma).  Oracle: jax.jacfwd of
  the lecture's own jnp spelling (``--no-jax``: skipped).
* ``vfi``: value function iteration of lectures/ifp_discrete.md @ 8c2d0d79
  (``B`` / ``T``: ``np.where(c > 0, u + beta EV, -inf)``, ``np.max`` over a'),
  its income chain by Tauchen's method through ``dualgrad.scipy.stats.norm.cdf``;
  60 iterations, 30 x 5 states; Jacobian of v (raveled) in (beta, rho, nu).  Oracle: jax.
* ``tauchen_moments``: QuantEcon.py's ``tauchen`` (quantecon/markov/approximation.py
  @ f731bc84, its loop vectorized) and the stationary distribution by
  ``np.linalg.solve``; mean income and variance in (rho, sigma).  Oracle: jax.
* ``transition_path``: a perfect-foresight RBC transition, the Euler equations'
  residuals over T = 300 periods; Jacobian in the capital path, dense and with
  ``sparsity=`` (pattern found once).  Oracle: the complex step.
* ``var_lyapunov``: a VAR(1)'s unconditional covariance of 4 variables through
  ``dualgrad.scipy.linalg.solve_discrete_lyapunov`` (SciPy's, differenced by
  approx_fprime); Jacobian in A and B (24 parameters).  Oracle: the complex step of
  the Kronecker form.

One process, one BLAS thread, CPU-time medians (``time.process_time``: the machine
is shared) of ``--reps`` repeats after a warm-up (``bench/_common.median_time``), in ms; ``x f``: the time over f's on
floats; ``x fprime``: dualgrad's over approx_fprime's (default step).  ``err``:
the largest error of each derivative relative to the oracle's largest entry.  The
load (``os.getloadavg``) is printed before and after.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (one thread per library)


def _complex_step(f, x, h=1e-30):
    import numpy as np
    return np.stack([np.asarray(f(x + 1j * h * e)).imag / h for e in np.eye(x.size)], -1)


# --- kalman_sv ---------------------------------------------------------------------------

def _kalman_filter(y, a, B, Phi, H, Q, a1, P1, zeros):
    import numpy as np
    T = len(y)
    filtered_means = zeros(T)
    filtered_vars = zeros(T)
    prior_means = zeros(T)
    prior_vars = zeros(T)
    prior_means[0] = a1
    prior_vars[0] = P1
    log_likelihood = 0
    for t in range(T):
        F_t = B * prior_vars[t] * B + H
        K_t = (prior_vars[t] * B) / F_t
        v_t = y[t] - (a + B * prior_means[t])
        log_likelihood += -0.5 * (np.log(2 * np.pi) + np.log(F_t) + (v_t ** 2) / F_t)
        filtered_means[t] = prior_means[t] + K_t * v_t
        filtered_vars[t] = prior_vars[t] * (1 - K_t * B)
        if t < T - 1:
            prior_means[t + 1] = Phi * filtered_means[t]
            prior_vars[t + 1] = (Phi ** 2) * filtered_vars[t] + Q
    return -log_likelihood


def _sv_objective(theta, y, zeros):
    import numpy as np
    phi, sigma_eta = theta
    Q = sigma_eta ** 2
    P1 = Q / (1 - phi ** 2) if abs(phi) < 1 else 1.0
    return _kalman_filter(y, -1.2704, 1.0, phi, np.pi ** 2 / 2, Q, 0.0, P1, zeros)


def _sv_scalars(theta, y):
    import numpy as np
    phi, sigma_eta = theta
    H, Q = np.pi ** 2 / 2, sigma_eta ** 2
    m, P, ll = 0.0, Q / (1 - phi ** 2), 0.0
    for t in range(len(y)):
        F = P + H
        K = P / F
        v = y[t] - (-1.2704 + m)
        ll += -0.5 * (np.log(2 * np.pi) + np.log(F) + v ** 2 / F)
        m, P = phi * (m + K * v), phi ** 2 * (P * (1 - K)) + Q
    return -ll


def _sv_data(np):
    rng = np.random.default_rng(1)
    h, ys = 0.0, []
    for _ in range(500):
        h = 0.95 * h + 0.3 * rng.standard_normal()
        ys.append(np.log((np.exp(h / 2) * rng.standard_normal()) ** 2))
    return np.array(ys)


def kalman_sv(np, dg, use_jax):
    y = _sv_data(np)
    th = np.array([0.9, 0.25])
    plain = lambda t: _sv_objective(t, y, np.zeros)
    dual = lambda t: _sv_objective(t, y, lambda T: np.zeros_like(t, shape=T))
    oracle = _complex_step(lambda t: _sv_objective(t, y, lambda T: np.zeros(T, complex)), th)
    return plain, dual, th, oracle, "gradient"


def kalman_sv_scalars(np, dg, use_jax):
    y = _sv_data(np)
    th = np.array([0.9, 0.25])
    f = lambda t: _sv_scalars(t, y)
    return f, f, th, _complex_step(f, th), "gradient"


# --- egm ------------------------------------------------------------------------------

def _egm(np, theta, iters=30, size=20):
    r, beta, gamma = theta
    R = 1 + r
    s = np.linspace(0, 16, size)
    Pi = np.array(((0.6, 0.4), (0.05, 0.95)))
    z_grid = np.array((-10.0, np.log(2.0)))
    c_vals = s[:, None] * np.ones(2)
    ae_vals = c_vals
    for _ in range(iters):                     # K_numpy, as the lecture writes it
        new_c_vals = np.zeros_like(beta, shape=c_vals.shape)   # was np.zeros_like(c_vals)
        for i in range(1, size):
            for j in range(2):
                expectation = 0.0
                for k in range(2):
                    next_c = np.interp(R * s[i] + np.exp(z_grid[k]), ae_vals[:, k],
                                       c_vals[:, k])
                    expectation += next_c ** (-gamma) * Pi[j, k]
                new_c_vals[i, j] = (beta * R * expectation) ** (-1 / gamma)
        c_vals, ae_vals = new_c_vals, new_c_vals + s[:, None]
    return c_vals[1:, 1]


def _egm_jax(jnp, theta, iters=30, size=20):
    R, beta, gamma = 1 + theta[0], theta[1], theta[2]
    s = jnp.linspace(0, 16, size)
    Pi = jnp.array(((0.6, 0.4), (0.05, 0.95)))
    z_grid = jnp.array((-10.0, jnp.log(2.0)))
    c = s[:, None] * jnp.ones(2)
    ae = c
    for _ in range(iters):
        nxt = jnp.stack([jnp.interp(R * s[1:] + jnp.exp(z_grid[k]), ae[:, k], c[:, k])
                         for k in range(2)], 1)
        cn = (beta * R * (nxt ** (-gamma)) @ Pi.T) ** (-1 / gamma)
        c = jnp.concatenate([jnp.zeros((1, 2)), cn], 0)
        ae = c + s[:, None]
    return c[1:, 1]


def egm(np, dg, use_jax):
    th = np.array([0.01, 0.96, 1.5])
    f = lambda t: _egm(np, t)
    return f, f, th, _jax_oracle(use_jax, _egm_jax, th), "jacobian"


# --- vfi and tauchen ------------------------------------------------------------------

def _tauchen(np, n, rho, sigma, norm_cdf):
    x_max = 3 * np.sqrt(sigma ** 2 / (1 - rho ** 2))
    x = np.linspace(-x_max, x_max, n)
    half = x_max / (n - 1)
    z = x[None, :] - rho * x[:, None]
    up, lo = norm_cdf((z + half) / sigma), norm_cdf((z - half) / sigma)
    if hasattr(up, "at"):                      # jax
        P = (up - lo).at[:, 0].set(up[:, 0]).at[:, -1].set(1 - lo[:, -1])
    else:
        P = up - lo
        P[:, 0] = up[:, 0]
        P[:, -1] = 1 - lo[:, -1]
    return x, P


def _vfi(np, theta, norm_cdf, iters=60, a_size=30, y_size=5):
    beta, rho, nu = theta[0], theta[1], theta[2]
    a_grid = np.linspace(0.01, 10.0, a_size)
    x, Q = _tauchen(np, y_size, rho, nu, norm_cdf)
    a = np.reshape(a_grid, (a_size, 1, 1))
    y = np.reshape(np.exp(x), (1, y_size, 1))
    ap = np.reshape(a_grid, (1, 1, a_size))
    c = 1.01 * a + y - ap
    u = np.where(c > 0, c, 1.0) ** (-1.0) / (-1.0)          # gamma = 2
    v = np.zeros((a_size, y_size))
    for _ in range(iters):
        EV = np.sum(np.reshape(v, (1, 1, a_size, y_size)) * np.reshape(Q, (1, y_size, 1, y_size)),
                    axis=3)
        v = np.max(np.where(c > 0, u + beta * EV, -np.inf), axis=2)
    return v.ravel()


def vfi(np, dg, use_jax):
    import scipy.stats as ss
    from dualgrad.scipy import stats
    th = np.array([0.96, 0.9, 0.1])
    plain = lambda t: _vfi(np, t, ss.norm.cdf)
    dual = lambda t: _vfi(np, t, stats.norm.cdf)

    def jax_f(jnp, t):
        from jax.scipy.stats import norm
        return _vfi(jnp, t, norm.cdf)
    return plain, dual, th, _jax_oracle(use_jax, jax_f, th), "jacobian"


def _moments(np, theta, norm_cdf):
    x, P = _tauchen(np, 9, theta[0], theta[1], norm_cdf)
    A = P.T - np.eye(9)
    if hasattr(A, "at"):
        A = A.at[-1, :].set(1.0)
    else:
        A[-1, :] = 1.0
    pi = np.linalg.solve(A, np.eye(9)[-1])
    return np.stack([pi @ np.exp(x), pi @ x ** 2])


def tauchen_moments(np, dg, use_jax):
    import scipy.stats as ss
    from dualgrad.scipy import stats
    th = np.array([0.9, 0.1])

    def jax_f(jnp, t):
        from jax.scipy.stats import norm
        return _moments(jnp, t, norm.cdf)
    return (lambda t: _moments(np, t, ss.norm.cdf), lambda t: _moments(np, t, stats.norm.cdf),
            th, _jax_oracle(use_jax, jax_f, th), "jacobian")


# --- transition path ------------------------------------------------------------------

def _residuals(np, K, zpath, p=(0.36, 0.96, 0.08)):
    alpha, beta, delta = p
    Kss = (alpha / (1 / beta - 1 + delta)) ** (1 / (1 - alpha))
    Kfull = np.concatenate([[0.9 * Kss], K, [Kss]])
    C = zpath * Kfull[:-1] ** alpha + (1 - delta) * Kfull[:-1] - Kfull[1:]
    R = alpha * zpath[1:] * Kfull[1:-1] ** (alpha - 1) + 1 - delta
    return C[:-1] ** -1 - beta * R * C[1:] ** -1


def transition_path(np, dg, use_jax):
    T = 300
    Kss = (0.36 / (1 / 0.96 - 1 + 0.08)) ** (1 / 0.64)
    zpath = 1 + 0.01 * 0.9 ** np.arange(T + 1)
    K = np.linspace(0.9 * Kss, Kss, T)
    f = lambda k: _residuals(np, k, zpath)
    return f, f, K, _complex_step(f, K), "jacobian"


# --- var_lyapunov ---------------------------------------------------------------------

def _var_cov(np, p, solve):
    A, B = p[:16].reshape(4, 4), p[16:].reshape(4, 2)
    return solve(A, B @ B.T).ravel()


def var_lyapunov(np, dg, use_jax):
    import scipy.linalg as sl
    from dualgrad.scipy.linalg import solve_discrete_lyapunov
    rng = np.random.default_rng(4)
    p = np.concatenate([(rng.standard_normal((4, 4)) * 0.25).ravel(),
                        rng.standard_normal(8)])
    kron = lambda a, q: np.linalg.solve(np.eye(16) - np.kron(a, a), q.ravel()).reshape(4, 4)
    return (lambda q: _var_cov(np, q, sl.solve_discrete_lyapunov),
            lambda q: _var_cov(np, q, solve_discrete_lyapunov), p,
            _complex_step(lambda q: _var_cov(np, q, kron), p), "jacobian")


def _jax_oracle(use_jax, f, th):
    if not use_jax:
        return None
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpy as np
    return np.asarray(jax.jacfwd(lambda t: f(jnp, t))(jnp.asarray(th)))


PROBLEMS = {f.__name__: f for f in (kalman_sv, kalman_sv_scalars, egm, vfi, tauchen_moments,
                                    transition_path, var_lyapunov)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--only", nargs="*", choices=sorted(PROBLEMS))
    parser.add_argument("--no-jax", action="store_true")
    args = parser.parse_args()
    import numpy as np
    from scipy.optimize import approx_fprime

    import dualgrad as dg
    print(f"load before: {os.getloadavg()}")
    print(f"{'problem':20s} {'n':>4s} {'f ms':>9s} {'dg ms':>9s} {'x f':>7s} {'fprime ms':>10s} "
          f"{'x fprime':>8s} {'dg err':>9s} {'fprime err':>10s}")
    for name in args.only or PROBLEMS:
        plain, dual, x, oracle, kind = PROBLEMS[name](np, dg, not args.no_jax)
        deriv = (lambda: dg.gradient(dual, x)) if kind == "gradient" else \
            (lambda: dg.jacobian(dual, x))
        fprime = lambda: approx_fprime(x, plain)
        rows = [(name, deriv)]
        if name == "transition_path":
            S = dg.sparsity(dual, x)
            rows.append(("  sparsity=", lambda: dg.jacobian(dual, x, sparsity=S).toarray()))
        tf = _common.median_time(lambda: plain(x), repeat=args.reps, clock=time.process_time)
        ta = _common.median_time(fprime, repeat=args.reps, clock=time.process_time)
        Ja = fprime()
        for label, fn in rows:
            td = _common.median_time(fn, repeat=args.reps, clock=time.process_time)
            J = fn()
            if oracle is None:
                errs = ("-", "-")
            else:
                scale = np.max(np.abs(oracle))
                errs = (f"{np.max(np.abs(J - oracle)) / scale:9.1e}",
                        f"{np.max(np.abs(Ja - oracle)) / scale:10.1e}")
            print(f"{label:20s} {x.size:4d} {tf * 1e3:9.3f} {td * 1e3:9.2f} {td / tf:7.1f} "
                  f"{ta * 1e3:10.2f} {td / ta:8.2f} {errs[0]:>9s} {errs[1]:>10s}")
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
