"""What every ``dualgrad.scipy.stats`` distribution shares: SciPy's argument
parsing (shapes, ``loc``, ``scale``), SciPy's masks (outside the support, invalid
parameters), freezing and the plain call to SciPy.

A method on duals evaluates SciPy's own private formula (``_logpdf``, ``_cdf`` ...)
with the rule table's functions (``gammaln``, ``xlogy``, ``ndtr`` ...), so its
derivatives are the table's (or a form written for its partials, Stirling's at large
shapes), takes SciPy's private formula's values at the floats as its value
(:func:`scipys_value`: the float call's bits, nan56), and selects SciPy's constants (``-inf``, ``0``, ``1``,
NaN) outside the support or where a parameter is invalid, the masks read from the
values as SciPy reads them (constants: partials 0).
"""

import inspect

import numpy as np

from ... import errors
from ...dispatch._lift import Dual, primal, read, read_objects, traced

__all__ = ["Continuous", "Discrete", "Frozen", "nan_partials", "scipy_stats", "plainly",
           "values"]


_MISSING = object()    # a required shape not given (``_bind``)


def scipy_stats(who):
    """``scipy.stats``, imported on first use (``import dualgrad`` never imports it)."""
    try:
        import scipy.special  # noqa: F401  (the table's rows for scipy.special)
        import scipy.stats
    except ImportError as exc:
        raise errors.scipy_missing(who) from exc
    return scipy.stats


def plainly(*xs):
    """No dual and no sparsity tracer among ``xs`` (nor in a list or tuple of them:
    ``[d1, d2]`` of scalar duals, nor in an object array: ``np.array([0.2, d])``,
    attack60 04): SciPy's own call serves."""
    xs = [read_objects(x) for x in xs]
    return not any(isinstance(x, Dual) for x in xs) and not traced(*xs)


def values(x):
    """The plain values of ``x`` as SciPy reads them (float64 for integers); a
    sparsity tracer's values too (it carries them: the masks are SciPy's there)."""
    while isinstance(x, Dual) or traced(x):
        x = x.value
    v = np.asarray(x)
    return v.astype(np.float64) if v.dtype.kind in "biu" else v


def _clipped(p):
    """SciPy's ``np.clip(p, 0, 1)`` of a probability, chosen on the values: ``p`` itself
    where it is inside ``[0, 1]`` (its own partials, also at 0 and 1 themselves, where
    ``np.clip``'s tie with the bound halved them: binom.cdf(0, n, p) at p = 0 had
    d/dp -n / 2), the bound (a constant) outside."""
    v = values(p)
    return _where(v > 1.0, 1.0, _where(v < 0.0, 0.0, p))


def _where(cond, a, b):
    """``np.where`` for a condition on values (a plain bool array)."""
    return np.where(cond, a, b)


def _kept(cond, a, b):
    """``np.where(cond, a, b)`` where ``a`` is the formula: ``a`` itself where ``cond``
    holds everywhere and ``a`` is already the result (a float64 dual or array of
    ``cond``'s shape, no sparsity tracer): the same numbers and partials, one dual
    ``np.where`` fewer per call (stats51)."""
    if (isinstance(a, Dual) and np.all(cond) and not traced(a)
            and np.shape(cond) == np.shape(primal(a))
            and np.broadcast_shapes(np.shape(cond), np.shape(b)) == np.shape(cond)
            and np.asarray(primal(a)).dtype == np.float64
            and np.result_type(primal(a), b) == np.float64):
        return a
    return np.where(cond, a, b)


def nan_partials(res, bad, *args, slope=np.nan):
    """``res`` with NaN partials where ``bad`` (SciPy's NaN: a NaN argument, an invalid
    parameter): the partials of a NaN value are NaN, as ``np.sin``'s at NaN, where
    SciPy's masks' constant NaN had partials 0.0, read as flat (attack56 21).  NaN in
    the directions the element's dual arguments carry (a tangent 0 stays 0); with
    ``slope``, ``slope`` times the arguments' partials added there instead (res's
    values kept, an infinite slope too)."""
    duals = [a for a in args if isinstance(a, Dual)]
    if not duals or not np.any(bad):
        return res
    from ...dispatch._reductions import with_value
    carrier = 0.0
    for a in duals:
        carrier = carrier + (a - values(a))         # value 0, the partials of a
    if slope is np.nan and _levels(*duals) > 1:     # nonzero second partials too
        carrier = carrier + carrier * carrier       # (NaN times 0 is kept 0)
    out = np.where(bad, res + carrier * slope, res)
    if not isinstance(out, Dual):
        return out
    v = np.broadcast_to(values(res), np.shape(values(out)))    # res's values kept (an
    return with_value(out, v if v.ndim else float(v))          # end's inf at q = 0)


def scipys_value(res, target):
    """``res`` (a dual's formula) with ``target``'s values, its partials kept: the
    dual's value is the float call's bits (API.md's pair ``(f(x), J v)``; attack55 10),
    where the formula is written another way for its partials (the gamma / beta / t
    densities' Stirling forms, a pdf as ``exp(logpdf)``: ulps to 5e-6 apart).  A plain
    correction moves no partial; twice, as ``v + (t - v)`` is ``t`` exactly only when
    ``t - v`` is (Sterbenz: ``t / 2 <= v <= 2 t``), and after one step it is.  Only
    where both are finite and real (a formula's NaN / inf stays, complex values are
    no float call's); a plain ``res`` takes ``target``'s values there."""
    if target is None:
        return res
    v = values(res)
    t = np.asarray(target)
    if t.shape == v.shape and bool((v == t).all()):
        return res                                      # (the common case: no change)
    if v.dtype.kind == "c" or t.dtype.kind == "c" or t.dtype.kind not in "fiub" or \
            np.broadcast_shapes(v.shape, t.shape) != v.shape:
        return res
    with np.errstate(all="ignore"):
        t = np.broadcast_to(t.astype(np.float64, copy=False), v.shape)
        both = np.isfinite(v) & np.isfinite(t)
        if not np.any(both & (v != t)):
            return res
        if not isinstance(res, Dual) and not traced(res):    # a plain formula (a dual
            return np.where(both, t, v)                     # loc or scale only)
        first = np.where(both, t - v, 0.0)
        r = v + first
        second = np.where(both, t - r, 0.0)
    if v.ndim == 0:
        first, second = float(first), float(second)
    res = res + first
    return res + second if np.any(second != 0.0) else res


def scipys_private(dist, method, z, shapes):
    """SciPy's private ``dist._<method>`` at the values of ``z`` and ``shapes``
    (broadcast together, as its public method's ``argsreduce`` passes them), or
    ``None`` where it raises (out-of-support elements of a formula that checks: the
    dual keeps its formula's value there)."""
    args = [values(z)] + [values(s) for s in shapes]
    try:
        if len({np.shape(a) for a in args}) > 1:
            args = np.broadcast_arrays(*args)
        shape = np.shape(args[0])
        with np.errstate(all="ignore"):
            # 1-d arrays, as argsreduce passes them: NumPy's scalar power and its array
            # loop differ by an ulp (weibull_min / pareto ppf at a scalar q: attack58 01)
            got = getattr(dist, "_" + method)(*(np.ravel(a) for a in args))
    except Exception:       # noqa: BLE001  (a value's ulps, never a partial)
        return None
    if np.size(got) != int(np.prod(shape)):
        return got
    return np.reshape(got, shape)


class _Distribution:
    """A scipy.stats distribution's methods on duals; subclasses give SciPy's
    private formulas (``_logpdf(x, *shapes)`` ...) and the support."""

    shapes = ()                  # the shape parameters' names, SciPy's order
    support = (-np.inf, np.inf)  # SciPy's (a, b) of the standard distribution
    open_support = False         # lognorm's pdf: (a < x < b)
    support_shapes = False       # the support is the first two shapes (truncnorm's)
    kinks = ()                   # where the standard pdf kinks inside (laplace's 0)

    def __init__(self, name):
        self.name = name
        self._scipy = None
        self._signature = None   # inspect's, built at the first call that needs it
        self._bound = {}         # method name -> its function (``__getattr__``'s)
        # the call's parameters: what depends on the distribution alone, read once
        # (a signature rebuilt per call was ~20 us of each call on duals; userbayes51)
        self._names = tuple(self.shapes) + tuple(k for k, _ in self.defaults)
        self._defaults = dict(self.defaults)

    # -- SciPy's pieces ------------------------------------------------------------
    def argcheck(self, *shapes):
        """SciPy's ``_argcheck`` on the values: every shape > 0 by default."""
        cond = np.asarray(True)
        for s in shapes:
            cond = cond & (s > 0)
        return cond

    def get_support(self, *shapes):
        return self.support

    def _dist(self):
        if self._scipy is None:
            self._scipy = getattr(scipy_stats(self._who("")), self.name)
        return self._scipy

    def _who(self, method):
        return f"dualgrad.scipy.stats.{self.name}" + (f".{method}" if method else "")

    def _bind(self, method, args, kwds):
        """SciPy's arguments ``(*shapes, loc=0, scale=1)``, positional or keyword, in
        that order (each read as NumPy reads an operand).  A call that binds plainly
        (no argument twice, none unknown, none missing) is mapped directly; any other
        goes through :mod:`inspect`'s binding, whose TypeError names the argument."""
        names = self._names
        if len(args) <= len(names):
            rest = names[len(args):]
            if all(k in rest for k in kwds):
                given = list(args) + [kwds[k] if k in kwds else self._defaults.get(k, _MISSING)
                                      for k in rest]
                if not any(v is _MISSING for v in given):
                    return [read(v) for v in given]
        if self._signature is None:
            self._signature = inspect.Signature(
                [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in self.shapes]
                + [inspect.Parameter(k, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=d)
                   for k, d in self.defaults])
        try:
            bound = self._signature.bind(*args, **kwds)
        except TypeError as exc:
            raise TypeError(f"{self._who(method)}: {exc}") from None
        bound.apply_defaults()
        return [read(bound.arguments[n]) for n in names]

    def __call__(self, *args, **kwds):
        """The frozen distribution: ``norm(loc, scale).logpdf(x)``."""
        return Frozen(self, args, kwds)

    def _method(self, method, x, args, kwds):
        if plainly(x, *args, *kwds.values()):
            return getattr(self._dist(), method)(x, *args, **kwds)
        return self._dual(method, read(x), *self._bind(method, args, kwds))

    # SciPy's methods (x, *shapes, loc=0, scale=1); subclasses set the ones they have
    def __getattr__(self, method):
        if "name" not in self.__dict__:     # unpickling (``__setstate__`` looked up on a
            raise AttributeError(method)    # bare instance): recursed through _who
        if method.startswith("_") or method not in self.methods:
            raise AttributeError(f"{self._who(method)}: not provided by dualgrad.scipy.stats "
                                 f"(it has {', '.join(sorted(self.methods))})")
        made = self.__dict__.get("_bound", {}).get(method)
        if made is not None:
            return made

        def bound(x, *args, **kwds):
            return self._method(method, x, args, kwds)
        bound.__name__ = method
        bound.__qualname__ = f"{self.name}.{method}"
        bound.__doc__ = (f"``scipy.stats.{self.name}.{method}`` that takes dual numbers "
                         "(SciPy's signature and value; exact partials).")
        self.__dict__.setdefault("_bound", {})[method] = bound     # made once
        return bound

    def __getstate__(self):
        """Pickled without the made methods (closures) and the signature: both are
        made again on use."""
        state = dict(self.__dict__)
        state["_bound"], state["_signature"] = {}, None
        return state

    def __repr__(self):
        return f"<dualgrad.scipy.stats.{self.name}: scipy.stats.{self.name} on dual numbers>"


class Frozen:
    """A distribution with its parameters given (SciPy's ``rv_frozen``):
    ``dualgrad.scipy.stats.norm(mu, sigma).logpdf(x)``."""

    def __init__(self, dist, args, kwds):
        dist._bind("__call__", args, kwds)          # SciPy's TypeError at freezing
        self.dist, self.args, self.kwds = dist, args, kwds

    def __getattr__(self, method):
        func = getattr(self.dist, method)

        def frozen(x):
            return func(x, *self.args, **self.kwds)
        frozen.__name__ = method
        return frozen

    def __repr__(self):
        return f"<dualgrad.scipy.stats.{self.dist.name} frozen>"


def _levels(*values):
    """The most derivative levels (nested duals) any of ``values`` carries."""
    most = 0
    for v in values:
        n = 0
        while isinstance(v, Dual):
            n, v = n + 1, v.value
        most = max(most, n)
    return most


def _underflowed(who, method, res, inside, x, rest):
    """Raises where a log cdf / sf of duals is ``-inf`` inside the support (``inside``):
    SciPy's cdf / sf underflowed to 0 there (``chi2.logsf(3000, 5)``, ``poisson.logsf(500,
    10)``), where the logarithm is finite and has a finite slope, and the log row's
    zero rule gave partials 0, read as flat (attack53 16).  Not under dg.quad's or
    dg.solve_ivp's watch: an integrand ``exp(logsf)`` far in a tail is 0 with partials 0
    there, exact to rounding."""
    if method not in ("logcdf", "logsf") or errors.WATCHING[0] or \
            not any(isinstance(a, Dual) for a in (x, *rest)):
        return
    with np.errstate(all="ignore"):
        lost = np.broadcast_to(inside, np.shape(primal(res))) & \
            np.isneginf(np.asarray(primal(res), dtype=float))
    if not lost.any():
        return
    at = float(np.broadcast_to(np.asarray(primal(x), dtype=float), lost.shape)[lost][0])
    what = "cdf" if method == "logcdf" else "sf"
    raise errors.DualTypeError(
        f"{who}: expected a finite {method} to differentiate, got -inf at x = {at!r}, inside "
        f"the support: SciPy's {what} underflows to 0 there, where the logarithm is finite "
        "and its derivatives are not 0, and the partials of -inf would read 0 (flat). "
        "Fix: evaluate where SciPy's value is finite, write that tail's logarithm "
        f"yourself (its {what} in closed form or an asymptotic series, in log space), or "
        "pass dg.stop_gradient of the arguments where no derivative is wanted.")


def _snapped(x, at):
    """The point ``x`` where it lies within a few rounding errors of the support's end
    ``at`` moved onto ``at``'s value, its partials kept (dg.quad's limit spelled
    ``1.1 * q`` beside the end ``q + 0.1 * q`` lay outside the support by one rounding:
    f(b) = 0, the limit's term lost; attack50 02)."""
    av, xv = values(at), values(x)
    close = np.abs(xv - av) <= 4 * np.spacing(np.maximum(np.abs(av), np.abs(xv)))
    if not np.any(close & (xv != av)):
        return x
    return x + np.where(close, av - xv, 0.0)


_STEPS = {}          # (name, method) -> its smooth step's Branches (_report_step)


class Continuous(_Distribution):
    """``rv_continuous``'s methods: SciPy's masks around the private formulas."""

    defaults = (("loc", 0.0), ("scale", 1.0))
    methods = ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")

    def _dual(self, method, x, *rest):
        *shapes, loc, scale = rest
        self.check(method, shapes)
        shv = [values(s) for s in shapes]
        a, b = self.get_support(*shv)
        on_end = []
        if errors.WATCHING[0] and method not in ("ppf", "isf"):     # dg.quad's limits
            ends = shapes[:2] if self.support_shapes else (a, b)
            for end, plain in zip(ends, (a, b)):
                if np.all(np.isfinite(plain)):
                    at = end * scale + loc
                    x = _snapped(x, at)
                    on_end.append((values(x) == values(at), plain))
        sv, lv, xv = values(scale), values(loc), values(x)
        with np.errstate(all="ignore"):
            if method in ("ppf", "isf"):
                if errors.WATCHING[0]:      # NaN outside 0 <= q <= 1 (attack51 20)
                    from ...rules._table import Branches
                    errors.report_branch(Branches(f"{self.name}.{method}", (
                        ("nan", "sign", "x * (1.0 - x)"),)), (x,), None)
                cond0 = self.argcheck(*shv) & (sv > 0) & (lv == lv)
                ok = cond0 & (0 < xv) & (xv < 1)
                safe = _where(ok, x, 0.5)           # SciPy's functions see 0 < q < 1 only
                out = self._formula(method, safe, shapes, loc, scale)
                if self.support_shapes:         # truncnorm's (a, b): the shapes, duals too
                    da, db = shapes[:2]
                    low = _where(np.isneginf(a), -np.inf, da * scale + loc)
                    high = _where(np.isposinf(b), np.inf, db * scale + loc)
                else:
                    low = -np.inf if np.isneginf(a) else a * scale + loc
                    high = np.inf if np.isposinf(b) else b * scale + loc
                if method == "isf":
                    low, high = high, low
                res = _where(ok, out, _where(cond0 & (xv == 0), low,
                                             _where(cond0 & (xv == 1), high, np.nan)))
                ends = cond0 & ((xv == 0) | (xv == 1))
                if np.any(ends) and isinstance(x, Dual):
                    res = self._quantile_ends(method, res, ends, x, shapes, loc, scale)
                res = nan_partials(res, ~ok & ~ends, x, *rest)
                return self._shaped(res, x, *rest)
            zv = (xv - lv) / sv
            for hit, plain in on_end:   # x on an end is on it in z too ((x - loc) / scale
                if np.any(hit):         # rounds past it: f(b) = 0 for a limit loc +
                    zv = np.where(hit, plain, zv)   # scale, attack52 13)
            cond0 = self.argcheck(*shv) & (sv > 0)
            bad = ~cond0 | np.isnan(zv)
            out = self._formula(method, x, shapes, loc, scale)
            self._report_support(method, x, a, b, shapes, loc, scale)
            if errors.WATCHING[0] and method not in ("pdf", "logpdf"):
                self._report_step(method, x, a, b, loc, scale)
            if method in ("pdf", "logpdf"):
                inside = ((a < zv) & (zv < b)) if self.open_support else ((a <= zv) & (zv <= b))
                if method == "pdf":
                    inside = self._smooth_ends_outside(inside, zv, a, b, shv)
                    # at x = +-inf where the density is 0 (for every parameter): its
                    # partials are 0 (the limits), where the formula's were NaN (-x pdf:
                    # inf * 0; attack56 21); SciPy's NaN there (weibull_min's) stays
                    inside = inside & ~(np.isinf(zv) & (values(out) == 0))
                fill = 0.0 if method == "pdf" else -np.inf
                res = _kept(cond0 & inside & (sv > 0), out, _where(bad, np.nan, fill))
            else:
                inside = (a < zv) & (zv < b) & (sv > 0)
                if errors.WATCHING[0]:          # (dg.quad's moving limit on an end: the
                    inside = inside | (((a == zv) | (zv == b)) & (sv > 0) &     # formula,
                                       np.isfinite(values(out)) &  # one-sided there;
                                       self._end_partials(out, zv, a, b, shv))  # ode57)
                done = cond0 & ((zv >= b) if method in ("cdf", "logcdf") else (zv <= a))
                one, zero = (0.0, -np.inf) if method.startswith("log") else (1.0, 0.0)
                res = _where(cond0 & inside, out, _where(bad, np.nan, _where(done, one, zero)))
                _underflowed(self._who(method), method, res, cond0 & inside, x, rest)
            res = nan_partials(res, bad, x, *rest)
        return self._shaped(res, x, *rest)

    def _quantile_ends(self, method, res, ends, q, shapes, loc, scale):
        """``res`` (a ppf / isf) at ``q = 0`` or ``1`` (``ends``) with a q-slope, where
        SciPy's constant end had d/dq 0.0 (attack56 21): the first derivative one over
        SciPy's density at the end (``ndtri``'s +inf at 0 and 1, expon's 1 at 0, 0 where
        the density is infinite, +-inf at an infinite end where SciPy's density is NaN:
        weibull_min's at +inf); a second one, or where that density is NaN at a finite
        end, the formula's own partials at the end q where it gives SciPy's end
        there; NaN in q's directions elsewhere (clearly not a number, never 0)."""
        other = ends
        if _levels(q) == 1:
            shv = [values(s) for s in shapes]
            with np.errstate(all="ignore"):
                dens = np.asarray(self._dist().pdf(values(res), *shv, loc=values(loc),
                                                   scale=values(scale)), dtype=float)
                slope = (1.0 if method == "ppf" else -1.0) / dens
                # an infinite end where SciPy's density is NaN (weibull_min's c x**(c -
                # 1) exp(-x**c) at inf: inf * 0): an integrable density's limit there is
                # 0, the slope's +-inf (attack58 05: NaN where gamma / norm give inf)
                slope = np.where(np.isnan(dens) & np.isinf(np.asarray(values(res))),
                                 (1.0 if method == "ppf" else -1.0) * np.inf, slope)
            known = ends & ~np.isnan(slope)
            res = nan_partials(res, known, q, slope=np.where(known, slope, 0.0))
            other = ends & ~known
            if not np.any(other):
                return res
        try:
            at = self._formula(method, _where(other, q, 0.5), shapes, loc, scale)
            same = other & (np.asarray(values(at)) == np.asarray(values(res)))
        except (TypeError, ValueError, ArithmeticError):    # Boost's cauchy quantile
            same = np.zeros(np.shape(other), dtype=bool)    # raises at 0 and 1
        if np.any(same):
            res = _where(same, at, res)
        return nan_partials(res, other & ~same, q)

    def _report_support(self, method, x, a, b, shapes, loc, scale):
        """The support's finite ends as branches of x (dg.quad's watch, where one runs),
        as the density meets them (:meth:`_end_order`): a density with a nonzero limit
        there (uniform, expon) jumps, one that reaches 0 linearly (gamma(2)) has a
        kink, a smoother one (gamma(3), lognorm) needs no report (attack50 04: those
        were refused); a cdf / sf has a kink where the density jumps; a logpdf is -inf
        outside, a jump.  Where loc, scale or truncnorm's bounds move an end, the
        derivative under an integral sign misses that end's term otherwise (attack49
        11: E[x] under uniform(loc=p) gave 0 for 1)."""
        if not errors.WATCHING[0]:
            return
        ends = shapes[:2] if self.support_shapes else (a, b)
        shv = [values(s) for s in shapes]
        for k, (end, plain) in enumerate(zip(ends, (a, b))):
            if not np.all(np.isfinite(plain)):
                continue
            order = 0 if method == "logpdf" else self._end_order(k, plain, shv)
            if method not in ("pdf", "logpdf"):
                order += 1                      # a cdf is the density's integral
            if order > 0 and _levels(end * scale + loc, x) <= order and not (
                    order == 1 and getattr(errors.BRANCHES.record, "kinks", False)):
                continue            # pdf ~ z^m: a term first at derivative order m + 1
            #                     (a kink, m = 1: none at first order, where a steep
            #                     onset z^0.5 looked like a jump to the watch; but
            #                     dg.solve_ivp's watch of first-order kinks takes a
            #                     cdf's kink as np.clip's, whose steps must resolve the
            #                     tangents' jumping forcing: attack55 03)
            at = end * scale + loc
            # inside: end <= x (lower), x <= end, the end itself inside as the masks take
            # it while a watch runs (a pdf's closed support; a cdf's formula there, below),
            # so that a moving limit on the end takes the inside's side (attack50 05: a
            # cdf from its own moving end was refused at second order); the watch's
            # confirmation tells a kink (a continuous density's end) from a jump
            errors.report_branch(np.less_equal, (at, x) if k == 0 else (x, at), 1 - k)
        if method in ("pdf", "logpdf"):         # a cusp inside the support (laplace's
            for z in self.kinks:                # at loc: attack50 03, Hessians lost it)
                errors.report_branch(np.maximum, (x, z * scale + loc), 0)
        else:       # (a cdf / sf / their logs: a jump of the second derivative there,
            from ...rules._table import Branches        # third derivatives; attack51 02)
            for z in self.kinks:
                errors.report_branch(Branches(
                    f"{self.name}.{method} at its density's cusp",
                    (("kink2", "sign", "x - y"),), 2), (x, z * scale + loc), 0)

    def _report_step(self, method, x, a, b, loc, scale):
        """A cdf / sf (or its log) over the whole real line as a smooth step in ``z =
        (x - loc) / scale`` (its change where ``|z|`` is about 1), reported to dg.quad's
        and dg.solve_ivp's watches, where one runs: a small scale makes it narrower
        than their nodes (attack54 01: ``norm.cdf(x, p, 1e-11)`` inside dg.quad gave
        0.0 for -1, where ``sc.ndtr((x - p) / s)`` was refused by name).  A support
        with a finite end reports that end (:meth:`_report_support`)."""
        centre = 0.0
        if not (np.all(np.isneginf(a)) and np.all(np.isposinf(b))):
            # a finite end (expon, uniform, beta): a step too, its rise from the end,
            # seen by dg.solve_ivp's watch alone (dg.quad's reads its nodes' gaps,
            # api/_quad_gaps; attack55 02: expon / uniform / beta cdfs at s = 1e-2 ..
            # 1e-9 gave 0.0 for -0.0604), placed mid-support or one scale inside
            if not getattr(errors.BRANCHES.record, "finite_steps", False) or \
                    np.ndim(a) or np.ndim(b):
                return
            a, b = float(a), float(b)
            centre = 0.5 * (a + b) if np.isfinite(a) and np.isfinite(b) else \
                a + 1.0 if np.isfinite(a) else b - 1.0
        from ...rules._table import Branches
        step = _STEPS.get((self.name, method))
        if step is None:
            step = _STEPS[self.name, method] = Branches(
                f"dualgrad.scipy.stats.{self.name}.{method} (a smooth step)",
                (("step", "sign", "x"),))
        z = (x - loc) / scale
        errors.report_branch(step, (z - centre if centre else z,), 0)

    def _end_partials(self, out, zv, a, b, shv):
        """False where ``zv`` is on an end the density meets smoothly (:meth:`_end_order`
        above 1: lognorm, gamma(3)) and the formula's first partials there are not
        finite (lognorm.cdf(0, s)'s shape partial: log(0) / s): the outside's constants,
        whose partials 0 are the inside's limits, stand there, as without a watch
        (attack56 13: y' = -k y + D lognorm.cdf(t, p) from t0 = 0 stopped dg.solve_ivp's
        derivatives at t = 0, NaN; dg.quad's and derivative()'s gave the exact 0)."""
        keep = np.ones(np.shape(zv), dtype=bool)
        if not isinstance(out, Dual):
            return keep
        hits = [zv == end for k, end in enumerate((a, b))
                if np.any(zv == end) and np.all(np.isfinite(end)) and
                self._end_order(k, end, shv) > 1]
        if not hits:
            return keep
        finite = np.ones(np.shape(values(out)), dtype=bool)
        x = out
        try:
            while isinstance(x, Dual):
                p = np.asarray(values(x.partials), dtype=float)
                if finite.size and p.size % finite.size == 0:
                    with np.errstate(invalid="ignore"):
                        finite &= np.all(np.isfinite(p.reshape(finite.shape + (-1,))),
                                         axis=-1)
                x = x.value
        except (TypeError, ValueError):     # (partials NumPy cannot read as floats)
            return keep
        if finite.shape != keep.shape:
            if finite.size != 1:
                return keep
            finite = np.broadcast_to(finite.reshape(()), keep.shape)
        for hit in hits:
            keep = keep & ~(hit & ~finite)
        return keep

    def _smooth_ends_outside(self, inside, zv, a, b, shv):
        """``inside`` without the points exactly on an end the density meets smoothly
        (:meth:`_end_order` 2: gamma(3), beta(3, 3)): there the formula's derivatives
        are NaN (``(a - 1) / z`` of its logarithm at z = 0), the outside's 0 are the
        inside's limits, and the value is 0 either way."""
        for k, end in enumerate((a, b)):
            hit = zv == end
            if np.any(hit) and np.all(np.isfinite(end)) and self._end_order(k, end, shv) > 1:
                inside = inside & ~hit
        return inside

    def _end_order(self, k, end, shv):
        """How the density meets its support's end ``k`` (0: lower, 1: upper), from its
        power law there, pdf ~ h^alpha at a distance h inside: 0 where alpha is 0 or
        below (a nonzero or infinite limit: a jump), an integer m where alpha is one (1:
        a kink; m: pdf ~ z^m, whose m-th derivative jumps, a term at derivative order m
        + 1), floor(alpha) + 1 between integers (z^1.5: the partials under the integral
        sign, pdf^(k) ~ z^(alpha - k), are integrable up to k = floor(alpha) + 1 and
        pdf^(j)(0) = 0 for j <= alpha, so the first term lost is at order floor(alpha)
        + 2; attack50 18: gamma(2.5)'s Hessian and gamma(1.5)'s gradient were refused),
        99 where it reaches 0 faster than any power (lognorm); the most abrupt over
        array shapes."""
        end = np.asarray(end, dtype=float)
        h = 1e-4 * np.maximum(1.0, np.abs(end)) * (1.0 if k == 0 else -1.0)
        with np.errstate(all="ignore"):
            near, nearer = (np.asarray(values(self._pdf(end + t, *shv)), dtype=float)
                            for t in (h, 0.1 * h))
            alpha = np.log10(near / nearer)
        alpha = np.where((near == 0.0) & (nearer == 0.0), np.inf,
                         np.where(np.isnan(alpha), 0.0, alpha))
        m = np.floor(alpha + 0.5)                # (alpha to ~1e-4: h's corrections)
        m = np.where(np.abs(alpha - m) < 0.05, m, np.floor(alpha) + 1)
        return int(np.min(np.where(alpha < 0.05, 0, np.minimum(m, 99))))
    def _shaped(self, res, *args):
        """``res`` broadcast to the arguments' common shape (SciPy's output shape)."""
        shape = np.broadcast_shapes(*(np.shape(primal(a)) for a in args))
        if np.shape(primal(res)) != shape:
            res = res + np.zeros(shape)
        return res

    def _formula(self, method, x, shapes, loc, scale):
        if method in ("ppf", "isf"):
            q = getattr(self, "_" + method)(x, *shapes)
            return self._scipys(method, q, x, shapes) * scale + loc
        z = (x - loc) / scale
        if type(z) is float:        # a Python float's z ** 2 raised OverflowError past
            z = np.float64(z)       # 1.3e154 (attack57 08): NumPy's inf, as SciPy's
        f = self._scipys(method, getattr(self, "_" + method)(z, *shapes), z, shapes)
        if method == "pdf":
            return f / scale
        if method == "logpdf":
            return f - np.log(scale)
        return f

    scipys_bits = ()    # methods whose formula here is SciPy's own, term for term

    def _scipys(self, method, f, z, shapes):
        """``f``, this wing's private formula of duals, with SciPy's own private
        formula's values at ``z`` and the shapes' values (:func:`scipys_value`): SciPy's
        public method applies the same ``- log(scale)``, ``/ scale``, ``* scale + loc``
        around it, so the dual's value is the float call's bits.  Not for the methods
        of ``scipys_bits`` (SciPy's formula itself: its bits already; tests/test_nan56's
        sweep checks them), where SciPy's call was the cost (cauchy's apply_where)."""
        if method in self.scipys_bits or not self._rewritten(method, shapes):
            return f
        return scipys_value(f, scipys_private(self._dist(), method, z, shapes))

    def _rewritten(self, method, shapes):
        """Whether this call's formula may differ from SciPy's (a form written for the
        partials at these shapes); True unless a subclass knows."""
        return True

    def check(self, method, shapes):
        """Refuse (a named TypeError) a dual where the derivative is not available:
        subclasses list ``(method, shape index) -> why`` in ``refused``."""
        for k, s in enumerate(shapes):
            why = self.refused.get((method, k)) or self.refused.get(("*", k))
            if why and isinstance(s, Dual):
                raise errors.scipy_unsupported(
                    self._who(method), f"a dual {self.shapes[k]}",
                    f"a plain {self.shapes[k]} ({why})",
                    f"pass dg.stop_gradient({self.shapes[k]}) where no derivative in "
                    f"{self.shapes[k]} is wanted, or the plain number")

    refused = {}

    # rv_continuous's defaults
    def _logpdf(self, z, *shapes):
        return np.log(self._pdf(z, *shapes))

    def _median(self, shapes):
        return self._ppf(0.5, *(values(s) for s in shapes))

    def _logcdf(self, z, *shapes):
        low = values(z) < self._median(shapes)
        return _where(low, np.log(self._cdf(z, *shapes)), np.log1p(-self._sf(z, *shapes)))

    def _sf(self, z, *shapes):
        return 1.0 - self._cdf(z, *shapes)

    def _logsf(self, z, *shapes):
        high = values(z) > self._median(shapes)
        return _where(high, np.log(self._sf(z, *shapes)), np.log1p(-self._cdf(z, *shapes)))

    def _isf(self, q, *shapes):
        return self._ppf(1.0 - q, *shapes)


class Discrete(_Distribution):
    """``rv_discrete``'s pmf / logpmf / cdf / sf (``k`` plain: a count has no
    derivative)."""

    defaults = (("loc", 0.0),)
    methods = ("pmf", "logpmf", "cdf", "logcdf", "sf", "logsf")
    support = (0.0, np.inf)

    def _dual(self, method, k, *rest):
        *shapes, loc = rest
        who = self._who(method)
        if isinstance(k, Dual) or isinstance(loc, Dual):
            raise errors.scipy_unsupported(
                who, "a dual k" if isinstance(k, Dual) else "a dual loc",
                "plain counts k and a plain loc (the probability of a count has no "
                "derivative in the count)",
                "pass dg.stop_gradient(k) (and loc), the duals in the distribution's "
                "parameters " + ", ".join(self.shapes))
        for i, s in enumerate(shapes):
            why = self.refused.get((method, i)) or self.refused.get(("*", i))
            if why and isinstance(s, Dual):
                raise errors.scipy_unsupported(
                    who, f"a dual {self.shapes[i]}", f"a plain {self.shapes[i]} ({why})",
                    f"pass dg.stop_gradient({self.shapes[i]}) where no derivative in it "
                    "is wanted")
        kv = values(k) - values(loc)
        shv = [values(s) for s in shapes]
        with np.errstate(all="ignore"):
            a, b = self.get_support(*shv)
            cond0 = self.argcheck(*shv)
            bad = ~cond0 | np.isnan(kv)
            out = getattr(self, "_" + method)(kv, *shapes)
            if method not in self.scipys_bits and self._rewritten(method, kv, shapes):
                out = scipys_value(out, scipys_private(self._dist(), method, kv, shapes))
            if method in ("pmf", "logpmf"):
                inside = (kv >= a) & (kv <= b) & (np.floor(kv) == kv)
                if method == "pmf":
                    out = _clipped(out)
                fill = 0.0 if method == "pmf" else -np.inf
                res = _where(cond0 & inside, out, _where(bad, np.nan, fill))
            elif method in ("cdf", "logcdf"):
                inside = (kv >= a) & (kv < b) & np.isfinite(kv)
                one, zero = (0.0, -np.inf) if method == "logcdf" else (1.0, 0.0)
                if method == "cdf":
                    out = _clipped(out)
                res = _where(cond0 & inside, out,
                             _where(bad, np.nan, _where(kv >= b, one, zero)))
            else:
                inside = (kv >= a) & (kv < b) & np.isfinite(kv)
                one, zero = (0.0, -np.inf) if method == "logsf" else (1.0, 0.0)
                if method == "sf":
                    out = _clipped(out)
                res = _where(cond0 & inside, out,
                             _where(bad, np.nan, _where((kv < a) | np.isneginf(kv), one, zero)))
            if method in ("logcdf", "logsf"):
                _underflowed(who, method, res, cond0 & inside, k, rest)
            if np.isinf(kv).any():      # SciPy's constant (no derivative in p at k = inf)
                res = _where(np.isinf(kv), getattr(self._dist(), method)(kv, *shv), res)
            res = nan_partials(res, bad, *shapes)
        shape = np.broadcast_shapes(np.shape(kv), *(np.shape(primal(a)) for a in rest))
        if np.shape(primal(res)) != shape:
            res = res + np.zeros(shape)
        return res

    refused = {}
    scipys_bits = ()    # methods whose formula here is SciPy's own (Continuous's)

    def _rewritten(self, method, k, shapes):
        """Whether this call's formula may differ from SciPy's (Continuous's)."""
        return True

    def _pmf(self, k, *shapes):
        return np.exp(self._logpmf(k, *shapes))

    def _logcdf(self, k, *shapes):
        return np.log(self._cdf(k, *shapes))

    def _logsf(self, k, *shapes):
        return np.log(self._sf(k, *shapes))
