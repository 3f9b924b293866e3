"""An epidemiologist's model: renewal equation, negative binomial likelihood, R0.

Three pieces of plain NumPy / SciPy epidemic code, differentiated as written
except for the lines marked ``# dualgrad:``:

1. A generation-interval pmf discretised from a gamma distribution the way
   epyestim does it (lo-hfk/epyestim, epyestim/distributions.py,
   ``discrete_distrb``, commit 62d36e82d4ce49ce53488b4ee0416d83126d04ec):
   bins ``0.5, 1.5, ...`` up to the 1 - 1e-6 quantile, ``np.diff`` of the cdf,
   normalised.  SciPy's ``scipy.stats.gamma`` reads duals as floats and raises,
   so the import is ``dualgrad.scipy.stats``; the bin count is an integer and
   comes from the quantile's plain value (``dg.stop_gradient``), since
   ``int()`` of a dual raises.  The same pmf by ``dg.quad`` of the gamma pdf
   over each bin.
2. A renewal model ``I_t = R * sum_s w_s I_{t-s}`` (epyestim's
   ``overall_infectivity``: ``np.pad`` then ``np.convolve(..., mode="valid")``),
   reported with probability ``rho`` and observed with negative binomial noise
   (``gammaln``, ``xlogy``): ``dg.gradient`` and ``dg.hessian`` (observed
   Fisher information) of the log-likelihood in ``(R, shape, scale, k, rho)``.
3. R0 as the spectral radius of a next-generation matrix:
   ``np.max(np.abs(np.linalg.eigvals(K)))`` for an age-structured SIR with a
   non-symmetric contact matrix (closed form: ``beta / gamma * rho(diag(s) C)``)
   and ``F @ inv(V)`` for an SEIR with births and deaths (closed form
   ``beta sigma / ((sigma + mu) (gamma + mu))``).  ``F`` and ``V`` are built
   with ``np.block``: ``np.array([[0.0, beta], ...])`` of a dual makes an object
   array, which ``np.linalg`` refuses with a message naming ``np.block``.

Every number is checked against an independent oracle: Richardson-extrapolated
central differences of the same code run by SciPy on floats, or a closed form.

Run:  python examples/epidemic_renewal.py
"""

import numpy as np
from scipy import stats as sp_stats
from scipy.special import gammaln, xlogy

import dualgrad as dg
from dualgrad.scipy import stats as dg_stats   # dualgrad: was `from scipy import stats`


def discrete_distrb(distrb):
    """epyestim's discretisation at x = 0, 1, ..., ceil(1 - 1e-6 quantile)."""
    upper_lim = np.ceil(dg.stop_gradient(distrb.ppf(1 - 1e-6)))   # dualgrad: a count
    bin_lims = np.linspace(0.5, upper_lim + 0.5, int(upper_lim + 1))
    cdf = distrb.cdf(bin_lims)
    pmf = np.diff(cdf, prepend=0)
    return pmf / pmf.sum()


def gi_pmf(a, scale, stats=dg_stats):
    """Generation-interval pmf of a gamma(a, scale) distribution."""
    return discrete_distrb(stats.gamma(a=a, scale=scale))


def gi_quad(a, scale, n):
    """The first n unnormalised bins, each the integral of the pdf by dg.quad."""
    pdf = lambda x: dg_stats.gamma.pdf(x, a, scale=scale)
    edges = [0.0] + [k + 0.5 for k in range(n)]
    return np.stack([dg.quad(pdf, lo, hi)[0] for lo, hi in zip(edges[:-1], edges[1:])])


def infectivity(incidence, w):
    """epyestim's overall_infectivity: sum_s w_s I_{t-s} for every t."""
    padded = np.pad(incidence, (len(w) - 1, 0), mode="constant", constant_values=0)
    return np.convolve(padded, w, mode="valid")


SEED = np.array([12.0, 15.0, 14.0, 20.0, 22.0, 25.0, 31.0])


def expected_reports(theta, days=40, stats=dg_stats):
    """Renewal: I_t = R * (w * I)_t after the seed weeks, reported with rate rho."""
    R, a, scale, _, rho = theta
    w = gi_pmf(a, scale, stats)
    incidence = SEED + 0.0 * R
    for _ in range(days):
        lam = infectivity(incidence, w)[-1]
        incidence = np.concatenate([incidence, np.stack([R * lam])])
    return rho * incidence[len(SEED):]


def nb_loglik(theta, y, stats=dg_stats):
    """Negative binomial log-likelihood (mean mu, dispersion k) of the reports y."""
    mu, k = expected_reports(theta, stats=stats), theta[3]
    return np.sum(gammaln(y + k) - gammaln(k) - gammaln(y + 1)
                  + xlogy(k, k / (k + mu)) + xlogy(y, mu / (k + mu)))


C = np.array([[18.0, 9.0, 3.0], [3.0, 12.0, 4.0], [1.0, 3.0, 6.0]])   # contacts
S0 = np.array([0.9, 0.7, 0.8])                                         # susceptible share


def r0_age(p):
    """Spectral radius of the age-structured SIR's next-generation matrix."""
    beta, gamma = p[0], p[1]
    K = beta * (S0[:, None] * C) / gamma
    return np.max(np.abs(np.linalg.eigvals(K)))


def r0_seir(q):
    """Spectral radius of F V^-1 for SEIR with births and deaths at rate mu."""
    beta, sigma, gamma, mu = q
    F = np.block([[0.0, beta], [0.0, 0.0]])                 # dualgrad: not np.array
    V = np.block([[sigma + mu, 0.0], [-sigma, gamma + mu]])
    return np.max(np.abs(np.linalg.eigvals(F @ np.linalg.inv(V))))


def richardson(f, x, h=2e-3):
    """d f / d x by central differences at h, h/2, h/4, extrapolated (error ~h^6)."""
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(x.size):
        def d(s):
            e = np.zeros_like(x)
            e[i] = s
            return (np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * s)
        cols.append((64 * d(h / 4) - 20 * d(h / 2) + d(h)) / 45)
    return np.moveaxis(np.array(cols), 0, -1)


def rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b)))


def main():
    shape = np.array([2.5, 2.0])      # gamma shape and scale (days): mean 5 days
    n = len(gi_pmf(*shape, stats=sp_stats))
    J = dg.jacobian(lambda p: gi_pmf(p[0], p[1]), shape)
    fixed = lambda p: np.diff(sp_stats.gamma(a=p[0], scale=p[1]).cdf(
        np.linspace(0.5, n - 0.5, n)), prepend=0) / sp_stats.gamma(a=p[0], scale=p[1]).cdf(n - 0.5)
    print(f"generation interval: {n} bins, d pmf / d (a, scale) "
          f"rel. error {rel(J, richardson(fixed, shape)):.1e}")
    Jq = dg.jacobian(lambda p: gi_quad(p[0], p[1], 12), shape)
    edges = np.concatenate([[0.0], np.arange(12) + 0.5])
    cdf_bins = lambda p: np.diff(sp_stats.gamma.cdf(edges, p[0], scale=p[1]))
    print(f"dg.quad bins: d / d (a, scale) rel. error {rel(Jq, richardson(cdf_bins, shape)):.1e}")

    theta = np.array([1.1, 2.5, 2.0, 10.0, 0.4])   # R, shape, scale, dispersion k, rho
    y = np.random.default_rng(48).poisson(expected_reports(theta, stats=sp_stats)).astype(float)
    plain = lambda t: nb_loglik(t, y, stats=sp_stats)
    g = dg.gradient(nb_loglik, theta, y)
    print(f"NB log-likelihood gradient in (R, a, scale, k, rho): rel. error "
          f"{rel(g, richardson(plain, theta)):.1e}")
    H = dg.hessian(nb_loglik, theta, y)
    nested = richardson(lambda t: richardson(plain, t, h=1e-2), theta, h=1e-2)
    print(f"observed information (-Hessian): symmetric {np.array_equal(H, H.T)}, rel. "
          f"difference from nested central differences {rel(H, nested):.1e} (their own "
          f"error; tests/test_userepi48.py checks it against differences of jax's exact "
          f"gradient to 1e-11)")

    p = np.array([0.05, 0.2])
    rho_c = np.max(np.abs(np.linalg.eigvals(S0[:, None] * C)))
    exact = np.array([rho_c / p[1], -p[0] * rho_c / p[1] ** 2])
    print(f"age-structured R0 = {r0_age(p):.6f}, gradient vs beta / gamma * rho: rel. error "
          f"{rel(dg.gradient(r0_age, p), exact):.1e}")
    q = np.array([0.5, 0.2, 0.1, 0.01])
    closed = lambda q: q[0] * q[1] / ((q[1] + q[3]) * (q[2] + q[3]))
    print(f"SEIR R0 = {r0_seir(q):.6f} (closed form {closed(q):.6f}), gradient rel. error "
          f"{rel(dg.gradient(r0_seir, q), richardson(closed, q)):.1e}")


if __name__ == "__main__":
    main()
