"""userbayes51: a Bayesian statistician's log posteriors, their refusals and messages.

Every derivative against an independent oracle: jax (x64) of the same model written with
jax.numpy / jax.scipy, mpmath, or central differences of SciPy's own float function.
"""

import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg
from dualgrad.scipy import linalg as dla
from dualgrad.scipy import special as dsp
from dualgrad.scipy import stats as dst
from _probes import spelled as _spelled

stats = pytest.importorskip("scipy.stats")


def _richardson(f, x, h=1e-3):
    """Richardson-extrapolated central differences of a scalar f (error ~h^4)."""
    x = np.asarray(x, dtype=float)
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = 1.0

        def c(s):
            return (f(x + s * e) - f(x - s * e)) / (2 * s)
        g.flat[i] = (4 * c(h / 2) - c(h)) / 3
    return g


# ---- 1. scipy.special.logsumexp(v): the drop-in written as the user called it ----------
@pytest.mark.parametrize("call, told", [
    (lambda p: sc.logsumexp(p), "then logsumexp(a) as your call"),
    (lambda p: sc.logsumexp(p.reshape(2, 2)), "then logsumexp(a) as your call"),
    (lambda p: sc.logsumexp(p, b=np.arange(1.0, 5.0)), "then logsumexp(a, b=b) as your call"),
    (lambda p: np.sum(sc.logsumexp(p.reshape(2, 2), axis=1)),
     "then logsumexp(a, axis=1) as your call"),
], ids=["1-d", "2-d", "b", "axis=1"])
def test_logsumexp_refusal_writes_the_users_call_not_scipys_axis_tuple(call, told):
    """SciPy 1.17 rewrites axis=None as tuple(range(a.ndim)) before np.asarray: the
    message said "logsumexp(a, axis=(0,)) as your call" for logsumexp(v)."""
    with pytest.raises(TypeError) as info:
        dg.gradient(call, np.array([0.1, 0.5, 2.0, -1.0]))
    text = str(info.value)
    assert told in text
    assert "axis=(0" not in text
    assert "from dualgrad.scipy.special import logsumexp" in text


# ---- 2. a Bayesian's priors on scales: halfnorm, halfcauchy, invgamma spelled ----------
_PRIORS = {"halfnorm": ((), {"loc": 0.1, "scale": 1.7}),
           "halfcauchy": ((), {"loc": 0.1, "scale": 1.7}),
           "invgamma": (("a",), {"a": 2.5, "loc": 0.1, "scale": 1.7})}
_PRIOR_CASES = [(d, m) for d in _PRIORS for m in ("logpdf", "pdf", "cdf", "sf")]
_XP = np.array([0.4, 1.5, 4.0])


@pytest.mark.parametrize("dist, method", _PRIOR_CASES, ids=lambda v: str(v))
def test_a_scale_priors_refusal_names_a_formula_with_scipys_value_and_derivative(dist,
                                                                                  method):
    shapes, values = _PRIORS[dist]
    names = list(values)
    q0 = np.array([values[n] for n in names])

    def scipy_call(q):
        v = dict(zip(names, q))
        return getattr(getattr(stats, dist), method)(_XP, *[v[s] for s in shapes],
                                                     loc=v["loc"], scale=v["scale"])
    with pytest.raises(TypeError) as info:
        dg.gradient(lambda q: np.sum(scipy_call(q)), q0)
    text = str(info.value)
    assert text.startswith(f"dualgrad.gradient: scipy.stats.{dist}.{method} ")
    spelling = text.split("; or write that step as " if "; or write" in text
                          else "Fix: write that step as ")[1].split(" (loc=0 and scale=1")[0]

    def spelled(q):
        return _spelled(spelling, {**dict(zip(names, q)), "x": _XP})
    np.testing.assert_allclose(spelled(q0), scipy_call(q0), rtol=1e-12)
    np.testing.assert_allclose(dg.gradient(lambda q: np.sum(spelled(q)), q0),
                               _richardson(lambda q: np.sum(scipy_call(q)), q0), rtol=1e-8)


# ---- 3. log posteriors as a Bayesian writes them, against jax ---------------------------
try:        # the oracle where the bench extra is installed; the other tests run without it
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import jax.scipy.linalg as jla
    import jax.scipy.special as jsp
    import jax.scipy.stats as jst
except ImportError:
    jax = jnp = jst = jsp = jla = None
needs_jax = pytest.mark.skipif(jax is None, reason="jax not installed (the bench extra)")
_rng = np.random.default_rng(51)
_Y8 = np.array([28., 8, -3, 7, -1, 1, 18, 12])
_S8 = np.array([15., 10, 16, 11, 9, 11, 10, 18])
_MIX = np.concatenate([_rng.normal(-2, 1, 60), _rng.normal(3, 0.5, 40)])
_XP4 = _rng.normal(size=(300, 4)) * 0.3
_CNT = _rng.poisson(np.exp(_XP4 @ np.array([0.5, -0.2, 0.3, 0.1]) + 1.0)).astype(float)
_TG = np.sort(_rng.uniform(0, 5, 15))
_YG = np.sin(_TG) + 0.1 * _rng.normal(size=15)
_ALPHA = np.array([1.5, 2.0, 0.7, 3.0, 1.0])


def _schools(th, m, st):
    """Eight schools, non-centered: theta = mu + tau * eta, tau = exp(log tau)."""
    mu, logtau, eta = th[0], th[1], th[2:]
    tau = m.exp(logtau)
    return (m.sum(st.norm.logpdf(_Y8, mu + tau * eta, _S8)) + st.norm.logpdf(mu, 0, 5)
            + st.cauchy.logpdf(tau, 0, 5) + logtau + m.sum(st.norm.logpdf(eta)))


def _mixture(p, m, st, lse, expit):
    """Two normals, weights by a logit, log-sum-exp over the components."""
    mu, s, w = p[0:2], m.exp(p[2:4]), expit(p[4])
    comp = m.log(m.stack([w, 1 - w]))[:, None] + st.norm.logpdf(
        _MIX[None, :], mu[:, None], s[:, None])
    return m.sum(lse(comp, axis=0))


def _negbin(b, m, st):
    """Negative binomial GLM, its dispersion r = exp(b[5]) with a gamma prior."""
    mu, r = m.exp(_XP4 @ b[:4] + b[4]), m.exp(b[5])
    return m.sum(st.nbinom.logpmf(_CNT, r, r / (r + mu))) + st.gamma.logpdf(r, 2.0) + b[5]


def _gp(p, m, la):
    """A GP's log marginal likelihood through cholesky and cho_solve."""
    amp, ls, noise = m.exp(p[0]), m.exp(p[1]), m.exp(p[2])
    K = amp ** 2 * m.exp(-0.5 * (_TG[:, None] - _TG[None, :]) ** 2 / ls ** 2) \
        + (noise ** 2 + 1e-8) * m.eye(15)
    L = la.cholesky(K, lower=True)
    return -0.5 * _YG @ la.cho_solve((L, True), _YG) - m.sum(m.log(m.diagonal(L)))


def _simplex(v, m, st, expit):
    """Stan's stick-breaking simplex (cumprod spelling) with its log-Jacobian, then a
    Dirichlet density."""
    k = v.shape[0]
    z = expit(v - m.log(k - m.arange(k, dtype=float)))
    rest = m.concatenate([m.ones(1), m.cumprod(1 - z)])
    x = m.concatenate([z * rest[:-1], rest[-1:]])
    return st.dirichlet.logpdf(x, _ALPHA) + m.sum(m.log(z) + m.log1p(-z) + m.log(rest[:-1]))


_MODELS = {
    "eight schools": (lambda t: _schools(t, np, dst), lambda t: _schools(t, jnp, jst),
                      _rng.normal(size=10)),
    "mixture": (lambda p: _mixture(p, np, dst, dsp.logsumexp, sc.expit),
                lambda p: _mixture(p, jnp, jst, jsp.logsumexp, jax.nn.sigmoid),
                np.array([-1.5, 2.5, 0.1, -0.3, 0.2])),
    "negative binomial": (lambda b: _negbin(b, np, dst), lambda b: _negbin(b, jnp, jst),
                          np.array([0.1, -0.2, 0.05, 0.3, 0.2, 0.5])),
    "gaussian process": (lambda p: _gp(p, np, dla), lambda p: _gp(p, jnp, jla),
                         np.array([0.1, -0.2, -1.5])),
    "stick-breaking simplex": (lambda v: _simplex(v, np, dst, sc.expit),
                               lambda v: _simplex(v, jnp, jst, jax.nn.sigmoid),
                               np.array([0.3, -0.5, 0.8, 0.1])),
}


@needs_jax
@pytest.mark.parametrize("name", list(_MODELS))
def test_log_posterior_gradient_and_hessian_match_jax(name):
    f, fj, x = _MODELS[name]
    value, g = dg.value_and_grad(f)(x)
    np.testing.assert_allclose(value, float(jax.jit(fj)(jnp.asarray(x))), rtol=1e-12)
    gj = np.asarray(jax.jit(jax.grad(fj))(jnp.asarray(x)))      # jit: eager jax is slow
    np.testing.assert_allclose(g, gj, rtol=1e-12, atol=1e-12 * np.max(np.abs(gj)))
    H, Hj = dg.hessian(f, x), np.asarray(jax.jit(jax.hessian(fj))(jnp.asarray(x)))
    np.testing.assert_allclose(H, Hj, rtol=1e-11, atol=1e-12 * np.max(np.abs(Hj)))
    assert np.array_equal(H, H.T)


@pytest.mark.mp_dps(40)
def test_student_t_in_its_degrees_of_freedom_matches_mpmath_where_jax_does_not():
    """d/d(log df) of t.logpdf at df ~ 1.5e4: cancellation between gammaln's; jax.grad
    is 5e-8 off there (its logpdf's formula), dualgrad's rule exact to 1e-15."""
    mpmath = pytest.importorskip("mpmath")

    def exact(v):
        df = 2000 * mpmath.e ** v
        return (mpmath.loggamma((df + 1) / 2) - mpmath.loggamma(df / 2)
                - 0.5 * mpmath.log(df * mpmath.pi) - (df + 1) / 2 * mpmath.log1p(1 / df))
    x = np.array([0.5, -1.0, 2.0])
    g = dg.gradient(lambda v: np.sum(dst.t.logpdf(1.0, 2e3 * np.exp(v))), x)
    H = dg.hessian(lambda v: np.sum(dst.t.logpdf(1.0, 2e3 * np.exp(v))), x)
    for i in range(3):
        np.testing.assert_allclose(g[i], float(mpmath.diff(exact, x[i])), rtol=1e-13)
        np.testing.assert_allclose(H[i, i], float(mpmath.diff(exact, x[i], 2)), rtol=1e-13)


@pytest.mark.mp_dps(40)
def test_rats_beta_binomial_matches_mpmath_where_jax_does_not():
    """BDA's rats: a beta-binomial in (logit mean, log concentration) with the prior
    conc^-5/2. dualgrad.scipy.stats.betabinom (SciPy's value, exact derivatives) against
    mpmath's loggamma form; jax's betabinom.logpmf is 1e-7 off in the value (not tested)."""
    mpmath = pytest.importorskip("mpmath")
    rng = np.random.default_rng(7)
    n = rng.integers(10, 50, 20).astype(float)
    k = np.floor(n * rng.uniform(0.05, 0.3, 20))

    def rats(p):
        mean, conc = sc.expit(p[0]), np.exp(p[1])
        return np.sum(dst.betabinom.logpmf(k, n, mean * conc, (1 - mean) * conc)) \
            - 2.5 * np.log(conc)

    def exact(p0, p1):
        mean, conc = 1 / (1 + mpmath.e ** -p0), mpmath.e ** p1
        a, b = mean * conc, (1 - mean) * conc
        lg = mpmath.loggamma
        return sum(lg(nn + 1) - lg(kk + 1) - lg(nn - kk + 1) + lg(kk + a) + lg(nn - kk + b)
                   - lg(nn + a + b) - lg(a) - lg(b) + lg(a + b)
                   for kk, nn in zip(k.astype(int), n.astype(int))) - 2.5 * mpmath.log(conc)
    p = np.array([-1.5, 2.5])
    value, g = dg.value_and_grad(rats)(p)
    want = [mpmath.diff(lambda t: exact(t, mpmath.mpf(p[1])), mpmath.mpf(p[0])),
            mpmath.diff(lambda t: exact(mpmath.mpf(p[0]), t), mpmath.mpf(p[1]))]
    np.testing.assert_allclose(value, float(exact(mpmath.mpf(p[0]), mpmath.mpf(p[1]))),
                               rtol=1e-13)
    np.testing.assert_allclose(g, [float(w) for w in want], rtol=1e-12)
    H = dg.hessian(rats, p)
    h11 = mpmath.diff(lambda t: exact(mpmath.mpf(p[0]), t), mpmath.mpf(p[1]), 2)
    np.testing.assert_allclose(H[1, 1], float(h11), rtol=1e-11)


def test_the_jax_style_import_of_scipy_special_takes_its_ufuncs_too():
    """``from dualgrad.scipy.special import logsumexp, gammaln, expit`` (jax.scipy.special's
    spelling) raised ImportError on gammaln: the other names are SciPy's own objects."""
    from dualgrad.scipy.special import expit, gammaln, logsumexp, multigammaln
    assert gammaln is sc.gammaln and expit is sc.expit
    p = np.array([0.3, 1.2])
    g = dg.gradient(lambda q: np.sum(gammaln(np.exp(q)) + expit(q)) + logsumexp(q), p)
    want = (sc.digamma(np.exp(p)) * np.exp(p) + sc.expit(p) * sc.expit(-p)
            + np.exp(p) / np.sum(np.exp(p)))
    np.testing.assert_allclose(g, want, rtol=1e-14)
    with pytest.raises(TypeError, match="scipy.special.multigammaln converts its input"):
        dg.gradient(lambda q: multigammaln(q[0] + 3, 2), np.array([1.0]))
    with pytest.raises(ImportError):
        from dualgrad.scipy.special import no_such_function  # noqa: F401
    import dualgrad.scipy.special as special
    with pytest.raises(AttributeError, match="nor has scipy.special"):
        special.no_such_function
    assert not hasattr(special, "_private_name")
