"""``scipy.stats``' distributions that take dual numbers: what JAX users know as
``jax.scipy.stats``.

``scipy.stats``' methods convert their input with ``np.asarray`` (and check every
element), so dual numbers cannot pass through them.  These have SciPy 1.17's
signatures (shapes, ``loc``, ``scale``, positional or keyword; broadcasting;
freezing, ``norm(mu, sigma).logpdf(x)``): plain input calls SciPy itself (the same
result, bit for bit); duals give SciPy's value (bit for bit) and exact partials (its own
private formula evaluated with the rule table's functions, or a form written for
the partials where that formula cancels), nested duals (Hessians)
included.  Change ``from scipy import stats`` to
``from dualgrad.scipy import stats``.

* continuous (pdf, logpdf, cdf, logcdf, sf, logsf, ppf, isf): ``norm``,
  ``lognorm``, ``expon``, ``gamma``, ``beta``, ``t``, ``cauchy``, ``logistic``,
  ``laplace``, ``uniform``, ``chi2``, ``pareto``, ``weibull_min``, ``truncnorm`` (its
  bounds ``a``, ``b`` differentiable too).  The cdf-like methods of ``gamma``,
  ``chi2`` and ``beta`` are differentiable in their shapes too (``gammainc``'s
  derivative in ``a``, ``betainc``'s in ``a, b``: the rule table's ``gammainc_da``,
  ``betainc_da``, ``betainc_db``), and those of ``t`` in df (``stdtr``'s row, through
  ``betainc``'s; past df = 1000, where its terms cancel, Fisher's expansion in 1 / df
  where ``t**4 < 2 df``, NaN beyond); in ``x``, ``q``,
  ``loc`` and ``scale`` they are exact.
* discrete (pmf, logpmf, cdf, logcdf, sf, logsf): ``poisson``, ``binom``, ``nbinom`` (its
  real ``n`` too), ``geom``, ``bernoulli``; ``betabinom`` (pmf, logpmf); ``k`` (and
  binom's ``n``) plain.
* ``multivariate_normal`` and ``multivariate_t`` (logpdf, pdf) through a Cholesky
  factor (the t's df differentiable too);
  ``dirichlet`` (logpdf, pdf); ``multinomial`` (logpmf, pmf in ``p``).
* ``scoreatpercentile`` and ``trim_mean``: ``np.sort`` of the array dual, so a run of
  tied values is ordered by the second order in a Hessian (SciPy's own sort an object
  array by value only).

For instance, a Gaussian log-likelihood's gradient in ``(mu, sigma)``:

>>> import numpy as np
>>> import dualgrad as dg
>>> from dualgrad.scipy import stats
>>> x = np.array([0.5, 1.5, 2.0])
>>> g = dg.gradient(lambda p: np.sum(stats.norm.logpdf(x, p[0], p[1])), np.array([1.0, 2.0]))
>>> bool(np.allclose(g, [np.sum(x - 1.0) / 4, np.sum((x - 1.0) ** 2) / 8 - 3 / 2]))
True
"""

from ._continuous import (beta, cauchy, chi2, expon, gamma, laplace, logistic, lognorm, norm,
                          pareto, t, truncnorm, uniform, weibull_min)
from ._discrete import bernoulli, betabinom, binom, geom, nbinom, poisson
from ._multivariate import dirichlet, multinomial, multivariate_normal, multivariate_t
from ._summary import scoreatpercentile, trim_mean

__all__ = ["norm", "lognorm", "expon", "gamma", "beta", "t", "cauchy", "logistic", "laplace",
           "uniform", "chi2", "pareto", "weibull_min", "truncnorm",
           "poisson", "binom", "nbinom", "geom", "bernoulli",
           "betabinom", "multivariate_normal", "multivariate_t", "dirichlet",
           "multinomial", "scoreatpercentile", "trim_mean"]
