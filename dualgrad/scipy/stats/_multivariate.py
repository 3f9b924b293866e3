"""``multivariate_normal`` and ``multivariate_t`` (logpdf, pdf), ``dirichlet``
(logpdf, pdf) and ``multinomial`` (logpmf, pmf in ``p``) on duals.

SciPy validates the parameters (its own checks and errors, run on the values);
the density on duals goes through the Cholesky factor (``np.linalg.cholesky`` and
:func:`dualgrad.scipy.linalg.solve_triangular`, both differentiated exactly, nested
included): ``-(k log 2 pi + 2 sum log diag L + |L^-1 (x - mean)|^2) / 2``, SciPy's
value to rounding (SciPy computes it through ``eigh``).
"""

import numpy as np

from ... import errors
from .. import linalg as _linalg
from ...dispatch._lift import Dual, primal, read, traced
from ._base import plainly, scipy_stats, scipys_value, values
from ._continuous import t_kernel, t_log_constant

__all__ = ["multivariate_normal", "multivariate_t", "dirichlet", "multinomial"]

_LOG_2PI = np.log(2 * np.pi)


def _squeeze(out):
    """SciPy's ``_squeeze_output``: single axes dropped."""
    return np.squeeze(out) if np.ndim(primal(out)) else out


def _plain(x):
    return None if x is None else np.asarray(values(x), dtype=float)


def _quadratic(x, mean, cov, dim):
    """``(maha, logdet, shape)``: the squared Mahalanobis distances of the points ``x``
    (their last axis the components) from ``mean`` under ``cov`` (a scalar, a diagonal or
    a matrix, its lower triangle read), ``log det cov`` and the points' shape, through
    the Cholesky factor (a sparsity tracer: solve and slogdet, the same pattern)."""
    if mean is None:
        mean = np.zeros(dim)
    mean = np.reshape(mean, (dim,)) if np.ndim(primal(mean)) <= 1 else mean
    if not isinstance(cov, Dual) and not traced(cov):
        cov = np.asarray(cov, dtype=float)
    if dim == 1:
        cov = np.reshape(cov, (1, 1))
    elif np.ndim(primal(cov)) == 0:
        cov = cov * np.eye(dim)
    elif np.ndim(primal(cov)) == 1:
        cov = cov * np.eye(dim)                 # np.diag(cov)
    if not isinstance(x, Dual) and not traced(x):
        x = np.asarray(x, dtype=float)
    if np.ndim(primal(x)) == 0:
        x = np.reshape(x, (1,))
    if np.ndim(primal(x)) == 1:
        x = np.reshape(x, (-1, 1) if dim == 1 else (1, -1))
    dev = x - mean
    shape = np.shape(primal(dev))
    if traced(x, mean, cov):
        # the pattern: every point's value reads its own components, mean and cov
        inv = np.linalg.solve(cov, np.reshape(dev, (-1, dim)).T)
        maha = np.sum(np.reshape(dev, (-1, dim)).T * inv, axis=0)
        logdet = np.linalg.slogdet(cov)[1]
    else:
        low = np.linalg.cholesky(cov)
        white = _linalg.solve_triangular(low, np.reshape(dev, (-1, dim)).T, lower=True)
        maha = np.sum(white ** 2, axis=0)
        logdet = 2.0 * np.sum(np.log(np.diagonal(low)))
    return maha, logdet, shape


class _MultivariateNormal:
    """``scipy.stats.multivariate_normal``'s logpdf and pdf on duals."""

    name = "multivariate_normal"

    def _gen(self):
        return scipy_stats(f"dualgrad.scipy.stats.{self.name}").multivariate_normal

    def __call__(self, mean=None, cov=1, allow_singular=False):
        """The frozen distribution: ``multivariate_normal(mean, cov).logpdf(x)``."""
        return _FrozenNormal(self, mean, cov, allow_singular)

    def logpdf(self, x, mean=None, cov=1, allow_singular=False):
        """``scipy.stats.multivariate_normal.logpdf`` that takes dual numbers.

        Parameters
        ----------
        x : array_like or Dual
            Points, their last axis the components.
        mean : array_like or Dual, optional
            The mean (default zeros).
        cov : array_like or Dual
            The covariance: a scalar, a diagonal or a symmetric positive definite
            matrix (its lower triangle is read).
        allow_singular : bool
            As SciPy's; a singular ``cov`` with duals raises TypeError.

        Returns
        -------
        float, ndarray or Dual
            SciPy's own for plain input; on duals SciPy's value to rounding and the
            exact partials, shaped ``x.shape[:-1]`` squeezed as SciPy's.
        """
        who = "dualgrad.scipy.stats.multivariate_normal.logpdf"
        if plainly(x, mean, cov):
            return self._gen().logpdf(x, mean, cov, allow_singular)
        return self._logpdf(who, read(x), None if mean is None else read(mean), read(cov),
                            allow_singular)

    def pdf(self, x, mean=None, cov=1, allow_singular=False):
        """``scipy.stats.multivariate_normal.pdf`` that takes dual numbers:
        ``exp(logpdf)`` (see :meth:`logpdf`)."""
        who = "dualgrad.scipy.stats.multivariate_normal.pdf"
        if plainly(x, mean, cov):
            return self._gen().pdf(x, mean, cov, allow_singular)
        return np.exp(self._logpdf(who, read(x), None if mean is None else read(mean),
                                   read(cov), allow_singular))

    def _logpdf(self, who, x, mean, cov, allow_singular):
        if hasattr(cov, "whiten"):
            raise errors.scipy_unsupported(who, "a scipy.stats.Covariance object beside "
                                           "duals", "cov as an array",
                                           "pass cov.covariance, the matrix")
        gen = self._gen()
        dim, _, cov_object = gen._process_parameters(_plain(mean), _plain(cov),
                                                     allow_singular)
        if np.any(cov_object.rank < dim):
            raise errors.scipy_unsupported(
                who, f"a singular cov (rank {cov_object.rank} of {dim})",
                "a positive definite cov (its Cholesky factor is the route to the "
                "derivatives)", "drop the directions of zero variance, or pass "
                "dg.stop_gradient(...) where no derivative is wanted")
        maha, logdet, shape = _quadratic(x, mean, cov, dim)
        out = np.reshape(-0.5 * (dim * _LOG_2PI + logdet + maha), shape[:-1])
        # SciPy's value (its eigh route's bits; nan56): its private formula at the floats
        mean_v = np.zeros(dim) if mean is None else np.reshape(_plain(mean), (dim,))
        target = gen._logpdf(gen._process_quantiles(_plain(x), dim), mean_v, cov_object)
        return _squeeze(scipys_value(out, np.reshape(target, shape[:-1])))

    def __repr__(self):
        return "<dualgrad.scipy.stats.multivariate_normal>"


class _FrozenNormal:
    """``multivariate_normal(mean, cov)``: logpdf and pdf of ``x``."""

    def __init__(self, dist, mean, cov, allow_singular):
        self.dist, self.mean, self.cov, self.allow_singular = dist, mean, cov, allow_singular

    def logpdf(self, x):
        return self.dist.logpdf(x, self.mean, self.cov, self.allow_singular)

    def pdf(self, x):
        return self.dist.pdf(x, self.mean, self.cov, self.allow_singular)


class _MultivariateT:
    """``scipy.stats.multivariate_t``'s logpdf and pdf on duals."""

    name = "multivariate_t"

    def _gen(self):
        return scipy_stats(f"dualgrad.scipy.stats.{self.name}").multivariate_t

    def __call__(self, loc=None, shape=1, df=1, allow_singular=False):
        """The frozen distribution: ``multivariate_t(loc, shape, df).logpdf(x)``."""
        return _FrozenT(self, loc, shape, df, allow_singular)

    def logpdf(self, x, loc=None, shape=1, df=1):
        """``scipy.stats.multivariate_t.logpdf`` that takes dual numbers.

        Parameters
        ----------
        x : array_like or Dual
            Points, their last axis the components.
        loc : array_like or Dual, optional
            The location (default zeros).
        shape : array_like or Dual
            The shape matrix: a scalar, a diagonal or a symmetric positive definite
            matrix (its lower triangle is read).
        df : float or Dual
            The degrees of freedom (``np.inf``: the normal's density).

        Returns
        -------
        float, ndarray or Dual
            SciPy's own for plain input; on duals SciPy's formula ``gammaln((df + k) /
            2) - gammaln(df / 2) - k / 2 log(df pi) - log det(shape) / 2 - (df + k) / 2
            log(1 + maha / df)`` through the Cholesky factor (SciPy's value to
            rounding) and exact partials in ``x``, ``loc``, ``shape`` and ``df``.
        """
        if plainly(x, loc, shape, df):
            return self._gen().logpdf(x, loc, shape, df)
        return self._logpdf("dualgrad.scipy.stats.multivariate_t.logpdf", x, loc, shape, df,
                            True)

    def pdf(self, x, loc=None, shape=1, df=1, allow_singular=False):
        """``scipy.stats.multivariate_t.pdf`` that takes dual numbers: ``exp(logpdf)``
        (see :meth:`logpdf`)."""
        if plainly(x, loc, shape, df):
            return self._gen().pdf(x, loc, shape, df, allow_singular)
        return np.exp(self._logpdf("dualgrad.scipy.stats.multivariate_t.pdf", x, loc, shape,
                                   df, allow_singular))

    def _logpdf(self, who, x, loc, shape, df, allow_singular):
        from scipy.stats import _multivariate as mv
        x, shape, df = read(x), read(shape), read(df)
        loc = None if loc is None else read(loc)
        dim, _, shape_v, df_v = self._gen()._process_parameters(_plain(loc), _plain(shape),
                                                                values(df))
        psd = mv._PSD(shape_v, allow_singular=allow_singular)      # SciPy's errors
        rank = psd.rank
        if rank < dim:
            raise errors.scipy_unsupported(
                who, f"a singular shape (rank {rank} of {dim})",
                "a positive definite shape (its Cholesky factor is the route to the "
                "derivatives)", "drop the directions of zero spread, or pass "
                "dg.stop_gradient(...) where no derivative is wanted")
        maha, logdet, pts = _quadratic(x, loc, shape, dim)
        if np.isposinf(df_v):
            out = -0.5 * (dim * _LOG_2PI + logdet + maha)
        else:
            out = t_log_constant(df, dim) - 0.5 * logdet + t_kernel(maha, df, dim)
        out = np.reshape(out, pts[:-1])
        # SciPy's value (nan56: its gammaln difference is 7e-8 off at df = 1e9, the
        # forms above give the partials), its private formula at the floats
        # (df = inf: the normal's route, SciPy's a Covariance object; left to rounding)
        if np.isposinf(df_v):
            return _squeeze(out)
        loc_v = np.zeros(dim) if loc is None else np.reshape(_plain(loc), (dim,))
        target = self._gen()._logpdf(self._gen()._process_quantiles(_plain(x), dim), loc_v,
                                     psd.U, psd.log_pdet, df_v, dim, rank)
        return _squeeze(scipys_value(out, np.reshape(target, pts[:-1])))

    def __repr__(self):
        return "<dualgrad.scipy.stats.multivariate_t>"


class _FrozenT:
    """``multivariate_t(loc, shape, df)``: logpdf and pdf of ``x``."""

    def __init__(self, dist, loc, shape, df, allow_singular):
        self.dist, self.loc, self.shape, self.df = dist, loc, shape, df
        self.allow_singular = allow_singular

    def logpdf(self, x):
        return self.dist.logpdf(x, self.loc, self.shape, self.df)

    def pdf(self, x):
        return self.dist.pdf(x, self.loc, self.shape, self.df, self.allow_singular)


class _Dirichlet:
    """``scipy.stats.dirichlet``'s logpdf and pdf on duals."""

    name = "dirichlet"

    def _gen(self):
        return scipy_stats("dualgrad.scipy.stats.dirichlet").dirichlet

    def __call__(self, alpha):
        """The frozen distribution: ``dirichlet(alpha).logpdf(x)``."""
        return _FrozenDirichlet(self, alpha)

    def logpdf(self, x, alpha):
        """``scipy.stats.dirichlet.logpdf`` that takes dual numbers.

        Parameters
        ----------
        x : array_like or Dual
            Points on the simplex, the components along the first axis (SciPy's
            layout; one entry fewer than ``alpha``: the last is ``1 - sum``).
        alpha : array_like or Dual
            The concentrations (1-D, positive).

        Returns
        -------
        float, ndarray or Dual
            ``sum((alpha - 1) log x) - (sum gammaln(alpha) - gammaln(sum alpha))``:
            SciPy's own for plain input, its formula through the table's rows on
            duals (SciPy's checks run on the values, with SciPy's errors).
        """
        if plainly(x, alpha):
            return self._gen().logpdf(x, alpha)
        return self._logpdf(read(x), read(alpha))

    def pdf(self, x, alpha):
        """``scipy.stats.dirichlet.pdf`` on duals: ``exp(logpdf)``."""
        if plainly(x, alpha):
            return self._gen().pdf(x, alpha)
        return np.exp(self._logpdf(read(x), read(alpha)))

    def _logpdf(self, x, alpha):
        from scipy.stats import _multivariate as mv
        from scipy.special import gammaln, xlogy
        av = mv._dirichlet_check_parameters(_plain(alpha))
        mv._dirichlet_check_input(av, _plain(x))          # SciPy's errors, on the values
        if not isinstance(x, Dual) and not traced(x):
            x = np.asarray(x, dtype=float)
        if np.shape(primal(x))[0] != av.shape[0]:
            x = np.concatenate([x, 1 - np.sum(x, axis=0, keepdims=True)], axis=0)
        lnb = np.sum(gammaln(alpha)) - gammaln(np.sum(alpha))
        out = -lnb + np.sum(xlogy(alpha - 1, x.T).T, axis=0)
        return _squeeze(out)

    def __repr__(self):
        return "<dualgrad.scipy.stats.dirichlet>"


class _FrozenDirichlet:
    def __init__(self, dist, alpha):
        self.dist, self.alpha = dist, alpha

    def logpdf(self, x):
        return self.dist.logpdf(x, self.alpha)

    def pdf(self, x):
        return self.dist.pdf(x, self.alpha)


class _Multinomial:
    """``scipy.stats.multinomial``'s logpmf and pmf with dual probabilities ``p``."""

    name = "multinomial"

    def _gen(self):
        return scipy_stats("dualgrad.scipy.stats.multinomial").multinomial

    def __call__(self, n, p):
        """The frozen distribution: ``multinomial(n, p).logpmf(x)``."""
        return _FrozenMultinomial(self, n, p)

    def logpmf(self, x, n, p):
        """``scipy.stats.multinomial.logpmf`` that takes a dual ``p``.

        Parameters
        ----------
        x : array_like
            Counts, the last axis the categories (plain: no derivative in a count).
        n : int or array_like
            The number of trials (plain).
        p : array_like or Dual
            The probabilities, the last axis the categories.

        Returns
        -------
        float, ndarray or Dual
            SciPy's own for plain input; on duals SciPy's formula
            ``gammaln(n + 1) + sum(xlogy(x, p) - gammaln(x + 1))`` through the table's
            rows, SciPy's last-entry adjustment of a ``p`` that does not sum to 1 (its
            warning too), -inf for counts off the domain, NaN for a bad ``n`` or ``p``.
        """
        if plainly(x, n, p):
            return self._gen().logpmf(x, n, p)
        return self._logpmf(read(x), read(n), read(p))

    def pmf(self, x, n, p):
        """``scipy.stats.multinomial.pmf`` on a dual ``p``: ``exp(logpmf)``."""
        if plainly(x, n, p):
            return self._gen().pmf(x, n, p)
        return np.exp(self._logpmf(read(x), read(n), read(p)))

    def _logpmf(self, x, n, p):
        from scipy.special import gammaln, xlogy
        who = "dualgrad.scipy.stats.multinomial.logpmf"
        for name, arg in (("x", x), ("n", n)):
            if isinstance(arg, Dual):
                raise errors.scipy_unsupported(
                    who, f"a dual {name}", f"a plain {name} (counts: the probability has "
                    "no derivative in them)", f"pass dg.stop_gradient({name}), the duals "
                    "in p")
        gen = self._gen()
        pv = np.asarray(values(p), dtype=float)
        nv, pp, npcond = gen._process_parameters(n, pv)        # SciPy's warning, its checks
        xi, xcond = gen._process_quantiles(x, nv, pp)
        if not isinstance(p, Dual) and not traced(p):
            p = np.asarray(p, dtype=float)
        adjusted = pp[..., -1] != pv[..., -1]
        if np.any(adjusted):                    # SciPy's last entry: 1 - sum of the others
            last = 1.0 - np.sum(p[..., :-1], axis=-1, keepdims=True)
            p = np.concatenate([p[..., :-1],
                                np.where(adjusted[..., None], last, p[..., -1:])], axis=-1)
        out = gammaln(nv + 1) + np.sum(xlogy(xi, p) - gammaln(xi + 1), axis=-1)
        out = np.where(xcond | np.zeros(npcond.shape, bool), -np.inf, out)
        return np.where(npcond | np.zeros(xcond.shape, bool), np.nan, out)

    def __repr__(self):
        return "<dualgrad.scipy.stats.multinomial>"


class _FrozenMultinomial:
    def __init__(self, dist, n, p):
        self.dist, self.n, self.p = dist, n, p

    def logpmf(self, x):
        return self.dist.logpmf(x, self.n, self.p)

    def pmf(self, x):
        return self.dist.pmf(x, self.n, self.p)


multivariate_normal = _MultivariateNormal()
multivariate_t = _MultivariateT()
multinomial = _Multinomial()
dirichlet = _Dirichlet()
