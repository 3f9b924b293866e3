"""An epidemiologist's derivatives against scipy.optimize.approx_fprime, in one run.

The model of examples/epidemic_renewal.py (the gamma generation interval
discretised as lo-hfk/epyestim's ``discrete_distrb`` does, commit 62d36e82,
``np.convolve`` infectivity, a renewal recursion over 40 days, a negative binomial
likelihood in 5 parameters), the age-structured R0 through ``np.linalg.eigvals``,
and a hand-written RK4 SIR trajectory (600 steps, 2 parameters).  Medians of
repeated calls, CPU time of this process, one BLAS thread; each row also prints
the largest relative error of each gradient against its oracle (jax's gradient of
a port where jax is installed, else the closed form / complex step).

    python bench/epidemic.py [--repeat 7]
"""

import argparse
import os
import runpy
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time  # noqa: E402

import numpy as np  # noqa: E402
from scipy import stats as sp_stats  # noqa: E402
from scipy.optimize import approx_fprime  # noqa: E402

import dualgrad as dg  # noqa: E402

EX = runpy.run_path(str(Path(__file__).resolve().parents[1] / "examples" / "epidemic_renewal.py"),
                    run_name="epidemic")


def sir_rk4(p, dt=0.1, n=600):
    """Infected share every 5 days of an SIR model stepped by RK4 in NumPy."""
    beta, gamma = p[0], p[1]

    def f(y):
        s, i = y[0], y[1]
        return np.stack([-beta * s * i, beta * s * i - gamma * i, gamma * i])

    y = np.array([0.99, 0.01, 0.0]) + 0 * beta
    out = [y]
    for _ in range(n):
        k1 = f(y)
        k2 = f(y + dt / 2 * k1)
        k3 = f(y + dt / 2 * k2)
        k4 = f(y + dt * k3)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(y)
    return np.stack(out)[::50, 1]


def rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    clock = time.process_time
    theta = np.array([1.1, 2.5, 2.0, 10.0, 0.4])
    y = np.random.default_rng(48).poisson(
        EX["expected_reports"](theta, stats=sp_stats)).astype(float)
    plain_ll = lambda t: EX["nb_loglik"](t, y, stats=sp_stats)
    p_age = np.array([0.05, 0.2])
    p_sir = np.array([0.4, 0.1])

    rho_c = np.max(np.abs(np.linalg.eigvals(EX["S0"][:, None] * EX["C"])))
    r0_exact = np.array([rho_c / p_age[1], -p_age[0] * rho_c / p_age[1] ** 2])
    sir_cs = np.stack([sir_rk4(p_sir + 1e-30j * np.eye(2)[i]).imag / 1e-30 for i in range(2)], -1)
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        from jax.scipy.special import gammainc, gammaln, xlogy
        n, seed = len(EX["gi_pmf"](2.5, 2.0, sp_stats)), EX["SEED"]

        def jll(t):
            R, a, sc, k, rho = t
            c = gammainc(a, jnp.linspace(0.5, n - 0.5, n) / sc)
            w = jnp.diff(c, prepend=0.0) / c[-1]
            inc = jnp.asarray(seed)
            for _ in range(40):
                lam = jnp.convolve(jnp.pad(inc, (n - 1, 0)), w, mode="valid")[-1]
                inc = jnp.concatenate([inc, jnp.stack([R * lam])])
            mu = rho * inc[len(seed):]
            return jnp.sum(gammaln(y + k) - gammaln(k) - gammaln(y + 1)
                           + xlogy(k, k / (k + mu)) + xlogy(y, mu / (k + mu)))
        nb_oracle, nb_name = np.asarray(jax.grad(jll)(jnp.asarray(theta))), "jax.grad"
    except ImportError:
        nb_oracle, nb_name = EX["richardson"](plain_ll, theta), "Richardson"

    rows = [
        ("NB renewal log-lik, 5 p", plain_ll, theta,
         lambda: dg.gradient(EX["nb_loglik"], theta, y), nb_oracle, nb_name),
        ("age-structured R0 (eigvals), 2 p", EX["r0_age"], p_age,
         lambda: dg.gradient(EX["r0_age"], p_age), r0_exact, "beta/gamma*rho"),
        ("SIR RK4 600 steps, 13 outputs x 2 p", sir_rk4, p_sir,
         lambda: dg.jacobian(sir_rk4, p_sir), sir_cs, "complex step"),
    ]
    print(f"load: {os.getloadavg()[0]:.2f} (1-min), repeat {args.repeat}, CPU time medians")
    print("| case | f | dualgrad | approx_fprime | dualgrad / approx_fprime "
          "| dualgrad err | approx_fprime err | oracle |")
    print("|---|---|---|---|---|---|---|---|")
    for name, f, x, dgf, oracle, oname in rows:
        t_f = median_time(lambda: f(x), args.repeat, clock=clock)
        t_dg = median_time(dgf, args.repeat, clock=clock)
        fd = lambda: approx_fprime(x, f, 1.4901161193847656e-08)
        t_fd = median_time(fd, args.repeat, clock=clock)
        e_dg, e_fd = rel(dgf(), oracle), rel(fd(), oracle)
        print(f"| {name} | {t_f * 1e3:.2f} ms | {t_dg * 1e3:.2f} ms | {t_fd * 1e3:.2f} ms "
              f"| {t_dg / t_fd:.2f} | {e_dg:.1e} | {e_fd:.1e} | {oname} |")


if __name__ == "__main__":
    main()
