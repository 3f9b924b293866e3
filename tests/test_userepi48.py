"""userepi48: an epidemiologist's code (renewal equation, NB likelihood, R0, dg.quad).

Oracles: Richardson central differences of the same code on floats through SciPy,
closed forms for R0, and jax's exact gradient of a jax port (its Hessian is not
implemented for gammainc in the shape, so the Hessian is checked against central
differences of jax's gradient).
"""

import re
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sp_stats

import dualgrad as dg
from dualgrad.scipy import stats as dg_stats

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _example():
    if not (EXAMPLES / "epidemic_renewal.py").exists():
        pytest.skip("examples/ not present")
    return runpy.run_path(str(EXAMPLES / "epidemic_renewal.py"), run_name="epidemic")


def test_epidemic_example_prints_exact_derivatives(capsys):
    ex = _example()
    ex["main"]()
    out = capsys.readouterr().out
    errors = [float(line.split("rel. error")[1].split()[0].rstrip(","))
              for line in out.splitlines() if "rel. error" in line]
    assert len(errors) == 5 and max(errors) < 1e-10, out
    assert "symmetric True" in out


def test_nb_renewal_gradient_and_hessian_match_jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax.scipy.special import gammainc, gammaln, xlogy

    ex = _example()
    theta = np.array([1.1, 2.5, 2.0, 10.0, 0.4])
    y = np.random.default_rng(48).poisson(
        ex["expected_reports"](theta, stats=sp_stats)).astype(float)
    n = len(ex["gi_pmf"](2.5, 2.0, sp_stats))
    seed = ex["SEED"]
    m = len(seed)

    def jll(t):                      # the same model written in jax
        R, a, sc, k, rho = t
        c = gammainc(a, jnp.linspace(0.5, n - 0.5, n) / sc)
        w = jnp.diff(c, prepend=0.0) / c[-1]
        # incidence in one buffer of fixed shape, n - 1 zeros before the seed: each
        # day's lam = sum_i w[i] inc[-1 - i], the last value of the example's
        # np.convolve(np.pad(inc, (n - 1, 0)), w, "valid").  A loop over growing
        # arrays compiled every jax primitive anew at each of its 40 shapes (tens
        # of seconds a call); jitted it compiles once (fastci55)
        buf = jnp.concatenate([jnp.zeros(n - 1), jnp.asarray(seed, dtype=float),
                               jnp.zeros(40)])

        def day(j, buf):
            lam = jnp.dot(jax.lax.dynamic_slice(buf, (j - n,), (n,))[::-1], w)
            return buf.at[j].set(R * lam)
        mu = rho * jax.lax.fori_loop(n - 1 + m, n - 1 + m + 40, day, buf)[n - 1 + m:]
        return jnp.sum(gammaln(y + k) - gammaln(k) - gammaln(y + 1)
                       + xlogy(k, k / (k + mu)) + xlogy(y, mu / (k + mu)))

    jgrad = jax.jit(jax.grad(jll))
    g = dg.gradient(ex["nb_loglik"], theta, y)
    assert ex["rel"](g, np.asarray(jgrad(jnp.asarray(theta)))) < 1e-13
    H = dg.hessian(ex["nb_loglik"], theta, y)
    Ho = ex["richardson"](lambda t: np.asarray(jgrad(jnp.asarray(t))), theta, h=3e-3)
    assert ex["rel"](H, Ho) < 1e-11
    assert np.array_equal(H, H.T)


def test_epyestim_verbatim_is_refused_with_the_fixes_named():
    # lo-hfk/epyestim, epyestim/distributions.py, discrete_distrb (62d36e82)
    def discrete_distrb(distrb):
        upper_lim = np.ceil(distrb.ppf(1 - 1e-6))
        bin_lims = np.linspace(0.5, upper_lim + 0.5, int(upper_lim + 1))
        pmf = np.diff(distrb.cdf(bin_lims), prepend=0)
        return pmf / pmf.sum()

    p = np.array([2.5, 2.0])
    with pytest.raises(TypeError, match=r"dualgrad\.scipy\.stats\.gamma\.ppf"):
        dg.jacobian(lambda q: discrete_distrb(sp_stats.gamma(a=q[0], scale=q[1])), p)
    with pytest.raises(TypeError, match=r"int\(d\).*stop_gradient"):
        dg.jacobian(lambda q: discrete_distrb(dg_stats.gamma(a=q[0], scale=q[1])), p)


def test_ngm_built_with_np_array_is_refused_naming_np_block():
    def r0(q):
        beta, sigma, gamma, mu = q
        F = np.array([[0.0, beta], [0.0, 0.0]])
        V = np.array([[sigma + mu, 0.0], [-sigma, gamma + mu]])
        return np.max(np.abs(np.linalg.eigvals(F @ np.linalg.inv(V))))

    with pytest.raises(TypeError, match=r"np\.block"):
        dg.gradient(r0, np.array([0.5, 0.2, 0.1, 0.01]))


def test_sir_final_size_through_solve_ivp_matches_the_final_size_relation():
    from scipy.optimize import brentq

    def rhs(t, y, beta, gamma):
        S, I, R = y
        return np.stack([-beta * S * I, beta * S * I - gamma * I, gamma * I])

    def final_r(p):
        sol = dg.solve_ivp(rhs, (0.0, 400.0), np.array([1.0 - 1e-12, 1e-12, 0.0]),
                           args=(p[0], p[1]), method="LSODA", rtol=1e-11, atol=1e-15)
        return sol.y[2, -1]

    p = np.array([0.4, 0.1])
    r0 = p[0] / p[1]
    z = brentq(lambda z: z - (1 - np.exp(-r0 * z)), 1e-6, 1.0, xtol=1e-15)
    dz = z * np.exp(-r0 * z) / (1 - r0 * np.exp(-r0 * z))   # z = 1 - exp(-R0 z), implicit
    exact = np.array([dz / p[1], -dz * p[0] / p[1] ** 2])
    g = dg.gradient(final_r, p)
    assert np.max(np.abs(g - exact)) / np.max(np.abs(exact)) < 1e-6


def test_r_from_growth_rate_by_quad_to_infinity_matches_wallinga_lipsitch():
    # R = 1 / M(-r), M the generation interval's moment generating function; for a
    # gamma(a, scale) interval R = (1 + r scale)^a (Wallinga & Lipsitch 2007).
    def r_of_growth(p):
        r, a, sc = p
        m = dg.quad(lambda t: dg_stats.gamma.pdf(t, a, scale=sc) * np.exp(-r * t),
                    0.0, np.inf)[0]
        return 1.0 / m

    p = np.array([0.1, 2.5, 2.0])
    r, a, sc = p
    R = (1 + r * sc) ** a
    exact = np.array([R * a * sc / (1 + r * sc), R * np.log1p(r * sc), R * a * r / (1 + r * sc)])
    g = dg.gradient(r_of_growth, p)
    assert np.max(np.abs(g - exact)) / np.max(np.abs(exact)) < 1e-10
    # d2R/dr2 = R a (a - 1) sc^2 / (1 + r sc)^2
    H = dg.hessian(r_of_growth, p)
    assert abs(H[0, 0] - R * a * (a - 1) * sc ** 2 / (1 + r * sc) ** 2) < 1e-9 * R
    assert np.array_equal(H, H.T)


@pytest.mark.parametrize("call, spelling", [
    (lambda K: np.abs(__import__("scipy.sparse.linalg").sparse.linalg.eigs(K, k=1)[0][0]),
     "np.max(np.abs(w))"),
    (lambda K: __import__("scipy.sparse.linalg").sparse.linalg.eigsh(K + K.T, k=1)[0][0],
     "np.linalg.eigh(A)"),          # its pick written out since userfem51 (test_userfem51)
    (lambda K: __import__("scipy.sparse.linalg").sparse.linalg.svds(K, k=1)[1][0],
     "np.linalg.svd(a, compute_uv=False)"),
])
def test_arpack_on_a_dual_matrix_names_numpys_dense_eigensolver(call, spelling):
    # R0 of a next-generation matrix by scipy.sparse.linalg.eigs: the message said only
    # "write that step with NumPy functions"; it names the dense call and its ordering
    C = np.array([[1.0, 2.0, 0.0], [3.0, 1.0, 1.0], [0.0, 1.0, 2.0]])
    with pytest.raises(TypeError, match=re.escape(spelling)):
        dg.gradient(lambda p: call(p[0] * C / p[1]), np.array([0.05, 0.2]))
    # the spelling it names gives the spectral radius with exact derivatives
    rho = np.max(np.abs(np.linalg.eigvals(C)))
    g = dg.gradient(lambda p: np.max(np.abs(np.linalg.eigvals(p[0] * C / p[1]))),
                    np.array([0.05, 0.2]))
    assert np.allclose(g, [rho / 0.2, -0.05 * rho / 0.04], rtol=1e-14)
