"""``scipy.optimize``'s scalar root finders that take dual numbers: ``brentq``,
``brenth``, ``ridder``, ``bisect``, ``toms748`` and ``newton`` (its array form too).

SciPy's bracketing finders read f's value as a float in compiled code, and
``newton``'s array form converts f's values with ``np.asarray``, so an implied
volatility written ``brentq(lambda s: price_of(s) - price, a, b)`` inside a
differentiated function cannot carry the price's derivative through them.  These
have SciPy's signatures and return SciPy's root where no dual number reaches f
(the same call, bit for bit, the same errors).  Where f's value holds duals (its
arguments ``args`` or what it closes over), the root is found by SciPy on the
plain values (every dual level stripped, ``dg.stop_gradient``), then Newton steps
``s = s - f(s) / f'(s)`` are taken on the duals, with ``f'`` itself computed on the
duals: the implicit-function theorem's derivatives, ``ds/dp = -f_p / f_s`` and every
higher order a nested helper asks for (``dg.hessian``), exact to rounding.  Each step
squares the error in every order at once, so ``ceil(log2(depth + 2))`` steps (two
for a gradient or a Hessian) leave the derivatives' error at the square of the plain
root's (``xtol``) or below rounding; more are taken until the last correction's first
orders are below 1e-8 of the root's (a loose ``xtol``).

The root must be a simple one (``f'(s) != 0``), and f must be differentiable there:
where Newton's corrections on the duals do not settle within 16 steps (a multiple root,
an infinite slope, SciPy's root far from converged) a ``TypeError`` says so, as it does
where SciPy stopped before converging (``disp=False`` returns its last iterate, whose
value the steps would move off); the bracket ends ``a``, ``b`` and ``x0`` only locate
the root, so their duals, if any, are dropped (the root does not move with them).

>>> import numpy as np
>>> import dualgrad as dg
>>> from dualgrad.scipy.optimize import brentq
>>> def cube_root(p):                          # s with s**3 = p
...     return brentq(lambda s: s ** 3 - p, 0.0, 10.0)
>>> round(float(dg.derivative(cube_root, 8.0)), 15)    # 1 / (3 * 2**2)
0.083333333333333
"""

import types
import warnings

import numpy as np

from .. import errors
from ..errors import DualTypeError
from ..api._stop import _tracer_value, stop_gradient
from ..api.helpers import jvp
from ..api.transforms import elementwise_grad
from ..dual import Dual

__all__ = ["brentq", "brenth", "ridder", "bisect", "toms748", "newton"]


def _scipy_optimize():
    try:
        import scipy.optimize
    except ImportError as exc:                      # pragma: no cover
        raise ImportError("dualgrad.scipy.optimize needs SciPy: pip install scipy") from exc
    return scipy.optimize


def _depth(value):
    """How many dual levels ``value`` (a number, a dual, an array or object array of
    them) carries: 0 for plain numbers."""
    if isinstance(value, np.ndarray) and value.dtype == object:
        return max((_depth(v) for v in value.flat), default=0)
    depth = 0
    while isinstance(value, Dual):
        depth, value = depth + 1, value.value
    return depth


def _steps(depth):
    """Newton steps on duals that leave every derivative order up to ``depth`` with the
    square of the plain root's error: the least k with 2**k >= depth + 2."""
    return int(np.ceil(np.log2(depth + 2)))


_MAX_STEPS = 16            # Newton steps on duals before a root is called not simple


def _largest(x, past_nan=False):
    """The largest magnitude among the first-order partials of ``x`` at each dual level
    (the plain values of its partials: a nested dual's higher orders left out), NaN
    where one is NaN (with ``past_nan``, the largest of the others); 0.0 for a plain
    number."""
    size = 0.0
    while isinstance(x, Dual):
        ps = x._plist() if getattr(type(x), "_kind", None) == "slots" else None
        if ps is not None and all(type(p) is float for p in ps):
            top = 0.0               # (a scalar's float partials: NumPy's max of their
            for p in ps:            # magnitudes without the arrays, ~15 us; loops65)
                p = abs(p)
                if p != p:
                    if past_nan:
                        continue
                    return np.nan
                top = p if p > top else top
            size, x = max(size, top), x.value
            continue
        a = np.abs(np.asarray(stop_gradient(x.partials)))    # (complex: the modulus)
        a = np.asarray(a, dtype=float)
        if np.isnan(a).any():
            if not past_nan:
                return np.nan
            a = a[~np.isnan(a)]
        size, x = max(size, float(a.max(initial=0.0))), x.value
    return size


def _simple_slope(along):
    """Whether df/ds's plain value is finite and nonzero everywhere (a simple root's
    slope): NaN partials of a Newton step are then f's own, not a multiple root's."""
    with np.errstate(invalid="ignore"):
        d = np.asarray(stop_gradient(along))
        d = d if np.iscomplexobj(d) else np.asarray(d, dtype=float)
        return bool(np.all(np.isfinite(d) & (d != 0.0)))


def _not_simple(name, root, last, moved):
    at = np.array2string(np.asarray(root), precision=10, threshold=6)
    return DualTypeError(
        f"dualgrad.scipy.optimize.{name}: the root {at} is not a simple root of f: "
        f"{_MAX_STEPS} Newton steps on the duals did not settle its derivatives (the last "
        f"still moved them by {last:.3g}, of {moved:.3g}), where a simple root's settle "
        "in two or three; so -f_p / f_s, the implicit-function theorem's derivative, does "
        "not hold there (a multiple root such as (s - p)**3, an infinite or zero slope "
        "such as np.cbrt(s - p), a jump, or SciPy's root far from converged: maxiter, "
        "disp=False). Expected f(s, p) = 0 with a finite, nonzero df/ds at the root. Fix: "
        "write f with a simple root ((s - p)**3 = 0 as s - p = 0, np.cbrt(s - p) as "
        f"s - p), or take dg.stop_gradient of {name}'s result where no derivative is "
        "wanted.")


class _Unfolded(Exception):
    """The first Newton step's value is not one the depth probe would have let through
    (:func:`_first_step`)."""


def _holds_dual(items):
    """Does one of ``items`` (f's arguments, or its closure's cells) hold a dual itself?"""
    for item in items:
        if type(item) is types.CellType:
            try:
                item = item.cell_contents
            except ValueError:                  # a cell not yet filled
                continue
        if isinstance(item, Dual):
            return True
    return False


def _first_step(f, g, root, args):
    """The first Newton step's ``jvp(g, root, 1.0)``, which also serves as
    :func:`_polished`'s depth probe (the value at the root with f's duals: the same
    evaluation one level up), or ``None``: then the probe ``g(root)`` runs first, as
    before (loops67: the probe was ~11 % of the Euler-Lotka row's Jacobian).

    Tried only where ``args`` or f's closure hold a dual (so plain calls never pay a
    jvp), and kept only where f's value is a dual of the jvp's own call whose value holds
    duals (the probe's depth >= 1), no sparsity tracer inside: there the steps' numbers
    are the probe's path's, bit for bit.  Otherwise (f raised, a value of depth 0, a
    tracer) f's value is never handed to jvp's checks, so none of its warnings or
    refusals fires, and this thread's records of the attempt (dualgrad errors made and
    caught, comparisons, object-array notes, the root finder's) are put back before the
    probe runs, so the helper around sees the probe's records alone.  f's own warnings
    (NumPy's) come twice there, once per evaluation."""
    if not _holds_dual(args) and not _holds_dual(getattr(f, "__closure__", None) or ()):
        return None
    made = errors.MADE
    saved = made.at, made.text, made.compared_at, made.finder
    noted = errors.objects_noted()

    def probe(s):
        out = g(s)
        inner = getattr(out, "value", None)
        if not (isinstance(out, Dual) and out.tag == s.tag and isinstance(inner, Dual)):
            raise _Unfolded
        while isinstance(inner, Dual):
            inner = inner.value
        if _tracer_value(inner) is not None:
            raise _Unfolded
        return out

    try:
        return jvp(probe, root, 1.0, holomorphic=np.iscomplexobj(root))
    except Exception:  # noqa: BLE001 (the probe's path runs f again: its error, if any)
        made.at, made.text, made.compared_at, made.finder = saved
        errors.objects_restore(noted)
        return None


def _holomorphic_jvp(name, g, s):
    """``jvp(g, s, 1)`` (ones for an array ``s``) with ``holomorphic=True``: a complex
    ``x0`` finds a complex root, whose derivatives ``-f_p / f_s`` take f's complex
    derivative in s (attack73 C1: the real jvp refused it, naming a helper and an option
    the user never used); where f is not holomorphic in s (np.conj, np.abs, .real of s)
    that has none, and the refusal says so under the finder's name."""
    try:
        return jvp(g, s, np.ones_like(s) if np.ndim(s) else 1.0, holomorphic=True)
    except DualTypeError as exc:
        if "holomorphic" not in str(exc):
            raise
        said = str(exc).split(". Fix:", 1)[0]
        raise DualTypeError(
            f"dualgrad.scipy.optimize.{name}: x0 is complex, so the root is a complex "
            "number whose derivatives are -f_p / f_s with f_s f's complex derivative in s, "
            f"and f is not holomorphic in s ({said}); expected f holomorphic in s (a "
            "polynomial, np.exp, np.sin ... of s; no np.conj, np.abs, .real or .imag of "
            "s). Fix: write f holomorphic in s; or for an f of s's real and imaginary "
            "parts, find the root of the real system (Re f, Im f) in (re, im) and take "
            "its derivatives by the implicit-function theorem (README: root finders); or "
            f"take dg.stop_gradient of {name}'s result where no derivative is wanted."
        ) from exc


def _polished(name, f, root, args, elementwise):
    """``root`` (plain: SciPy's) moved by Newton steps on the duals f's value holds at
    it; ``None`` when f's value holds none (SciPy's result is then returned as it is).
    Under sparsity detection (f's value a tracer) the steps take the plain slope: the
    root then depends on what f's value depends on, and through f's own arithmetic on
    the first step's root, on their pairs (a Hessian pattern).  Where the last step's
    correction still moves the derivatives (the root is not simple, SciPy's root did
    not converge), a ``DualTypeError``."""
    g = (lambda s: f(s, *args))
    tag = next(errors.SEQUENCE)
    first = None if elementwise else _first_step(f, g, root, args)
    if first is not None:
        value, traced = first[0], False
    else:
        value = g(root)
        traced = _tracer_value(value) is not None
    depth = 2 if traced else _depth(value)
    if depth == 0:
        if errors.compared_since(tag):
            warnings.warn(
                f"dualgrad.scipy.optimize.{name}: f compared dual numbers and its value at "
                "the root holds none (a step such as np.where(s > p, 1, -1)), so the root "
                "comes back plain, its derivative 0; where the root moves with the duals, "
                "write f as a continuous function of s and p.", errors.ComparedOnlyWarning,
                stacklevel=4)
        return None
    if traced:                  # only the values use the slope: a central difference
        h = 1e-7 * (1.0 + np.abs(root))
        fixed = (stop_gradient(g(root + h)) - stop_gradient(g(root - h))) / (2 * h)
        slope = (lambda s: fixed)
    elif elementwise and np.iscomplexobj(root):   # (f holomorphic in s: f' per element,
        slope = (lambda s: _holomorphic_jvp(name, g, s)[1])               # one pass)
    elif elementwise:
        slope = elementwise_grad(g)
    s, sizes, need = root, [], _steps(depth)
    complex_root = np.iscomplexobj(root)     # (x0 complex: f' is the complex derivative)
    for k in range(need if traced else _MAX_STEPS):
        if traced or elementwise:
            along = slope(s)
            value = g(s)
            with np.errstate(divide="ignore", invalid="ignore"):     # (the step's own
                step = value / along    # quotient: 0 / 0 at a multiple root, refused below
        else:                            # f's value and slope in one pass (the first
            at, along = _holomorphic_jvp(name, g, s) if complex_root and first is None \
                else jvp(g, s, 1.0) if first is None else first   # step's: the probe's)
            with np.errstate(divide="ignore", invalid="ignore"):
                step, first = at / along, None       # (attack73 M4: its 0 / 0 leaked)
        s = s - step
        sizes.append(_largest(step))
        # settled: the last correction's first orders below 1e-8 of the root's own, so
        # what remains (their square: Newton's) is rounding; a loose xtol takes more
        # steps.  A multiple root shrinks the corrections by a fixed ratio (2/3 for a
        # triple one), an infinite slope keeps or grows them.  NaN never settles; at a
        # simple root it is f's own (a NaN or inf tangent) and stays, so there the other
        # partials settle alone (a NaN direction must not end the steps of the others)
        if k + 1 >= need:
            size, past_nan = sizes[-1], False
            if size != size and _simple_slope(along):
                size, past_nan = _largest(step, past_nan=True), True
            if size <= 1e-8 * _largest(s, past_nan) + 1e-300:
                break
    else:
        if not traced:
            raise _not_simple(name, root, sizes[-1], _largest(s))
    return s


def _refuse_unconverged(name, converged, options):
    """SciPy stopped before its root converged (``disp=False`` lets it return the last
    iterate): the implicit-function theorem's derivatives belong to the root, which
    the Newton steps on the duals would reach, not to the iterate the float call
    returns, so the dual's value would not be f's (attack57 13)."""
    if np.all(converged):
        return
    given = ", ".join(f"{k}={v!r}" for k, v in options.items()
                      if k in ("maxiter", "xtol", "rtol", "tol", "disp"))
    raise DualTypeError(
        f"dualgrad.scipy.optimize.{name}: SciPy's iteration stopped before its root "
        f"converged ({given}; RootResults.converged is False), and the derivatives "
        "dualgrad gives (the implicit-function theorem's, -f_p / f_s) are those of the "
        "root, not of the unconverged iterate the float call returns; expected a "
        f"converged root. Fix: raise maxiter or loosen the tolerance so that {name} "
        "converges, or take dg.stop_gradient of its result where no derivative is "
        "wanted.")


def _value_of(d):
    """The plain value under every dual level of ``d``."""
    while isinstance(d, Dual):
        d = d.value
    return d


_COMPLEX = (complex, np.complex128, np.complex64)


def _complex_bracketed(name, value):
    """f of a bracketing finder returned a complex dual: SciPy reads f's value as a real
    number in compiled code, which raises TypeError "must be real number, not complex"
    on a complex one, and then called f again with that error pending, so a dual's
    operator reported a SystemError (attack73 C1): raised here, at the first such value,
    as SciPy's TypeError with the fix."""
    error = DualTypeError(
        f"dualgrad.scipy.optimize.{name}: f returned a complex value "
        f"({stop_gradient(value)!r}), and {name} brackets a sign change of a real f "
        "(SciPy's raises TypeError: must be real number, not complex); expected f's value "
        "real. Fix: for a complex root use dualgrad.scipy.optimize.newton with a complex "
        "x0 (newton(f, 1j): its root carries the derivatives, holomorphic=True's too), "
        "or bracket a real function whose root is the one you want (np.real(f(s)) where "
        "the imaginary part vanishes along the real axis).")
    error.named_step = True                 # (from_scipy passes it on as it is)
    return error


def _bracketed(name, f, a, b, args, full_output, options):
    if not isinstance(args, tuple):
        args = (args,)
    finder = getattr(_scipy_optimize(), name)
    plain_args = stop_gradient(args)
    # a dual parameter passed by args= reaches f stripped: f's complex value is then a
    # plain number, refused alike (attack74 C1: SystemError, or SciPy's words alone)
    dual_args = any(Dual in a.__class__.__mro__ for a in args)

    def plain(s, *rest):                 # what f closes over stripped too
        value = f(s, *rest)
        # (no C call before the test: SciPy calls f again with its TypeError of a
        # complex value pending, where a C call raises SystemError)
        cls = value.__class__
        if Dual in cls.__mro__ and np.iscomplexobj(_value_of(value)) or dual_args and (
                cls in _COMPLEX or cls is np.ndarray and value.dtype.kind == "c"):
            raise _complex_bracketed(name, value)
        return stop_gradient(value)

    out = finder(plain, stop_gradient(a), stop_gradient(b), args=plain_args,
                 full_output=True, **options)
    s = _polished(name, f, out[0], args, elementwise=False)
    if s is None:
        return out if full_output else out[0]
    _refuse_unconverged(name, out[1].converged, options)
    return (s, out[1]) if full_output else s


def brentq(f, a, b, args=(), xtol=2e-12, rtol=8.881784197001252e-16, maxiter=100,
           full_output=False, disp=True):
    """``scipy.optimize.brentq`` whose root carries f's derivatives.

    Parameters
    ----------
    f : callable
        ``f(x, *args)``, a scalar function with a sign change on ``[a, b]``; it may
        hold dual numbers in ``args`` or in what it closes over.
    a, b : float
        The bracket (plain numbers; a dual's value is used).
    args, xtol, rtol, maxiter, full_output, disp
        As SciPy's.

    Returns
    -------
    float or Dual, or (root, RootResults) with ``full_output=True``
        SciPy's root where f's value holds no dual; else that root followed by
        Newton steps on the duals (module docstring), whose value agrees with SciPy's
        to ``xtol`` and whose partials are the implicit-function theorem's.

    Examples
    --------
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.optimize import brentq
    >>> dg.derivative(lambda p: brentq(lambda s: s * s - p, 0.0, 5.0), 4.0)  # 1 / (2 * 2)
    0.25
    """
    return _bracketed("brentq", f, a, b, args, full_output,
                      dict(xtol=xtol, rtol=rtol, maxiter=maxiter, disp=disp))


def brenth(f, a, b, args=(), xtol=2e-12, rtol=8.881784197001252e-16, maxiter=100,
           full_output=False, disp=True):
    """``scipy.optimize.brenth`` whose root carries f's derivatives (see
    :func:`brentq`: the same parameters and results).

    Parameters
    ----------
    f, a, b, args, xtol, rtol, maxiter, full_output, disp
        As :func:`brentq`'s.

    Returns
    -------
    float or Dual, or (root, RootResults)
        As :func:`brentq`'s.
    """
    return _bracketed("brenth", f, a, b, args, full_output,
                      dict(xtol=xtol, rtol=rtol, maxiter=maxiter, disp=disp))


def ridder(f, a, b, args=(), xtol=2e-12, rtol=8.881784197001252e-16, maxiter=100,
           full_output=False, disp=True):
    """``scipy.optimize.ridder`` whose root carries f's derivatives (see
    :func:`brentq`).

    Parameters
    ----------
    f, a, b, args, xtol, rtol, maxiter, full_output, disp
        As :func:`brentq`'s.

    Returns
    -------
    float or Dual, or (root, RootResults)
        As :func:`brentq`'s.
    """
    return _bracketed("ridder", f, a, b, args, full_output,
                      dict(xtol=xtol, rtol=rtol, maxiter=maxiter, disp=disp))


def bisect(f, a, b, args=(), xtol=2e-12, rtol=8.881784197001252e-16, maxiter=100,
           full_output=False, disp=True):
    """``scipy.optimize.bisect`` whose root carries f's derivatives (see
    :func:`brentq`).

    Parameters
    ----------
    f, a, b, args, xtol, rtol, maxiter, full_output, disp
        As :func:`brentq`'s.

    Returns
    -------
    float or Dual, or (root, RootResults)
        As :func:`brentq`'s.
    """
    return _bracketed("bisect", f, a, b, args, full_output,
                      dict(xtol=xtol, rtol=rtol, maxiter=maxiter, disp=disp))


def toms748(f, a, b, args=(), k=1, xtol=2e-12, rtol=8.881784197001252e-16, maxiter=100,
            full_output=False, disp=True):
    """``scipy.optimize.toms748`` whose root carries f's derivatives (see
    :func:`brentq`).

    Parameters
    ----------
    f, a, b, args, xtol, rtol, maxiter, full_output, disp
        As :func:`brentq`'s.
    k : int
        As SciPy's.

    Returns
    -------
    float or Dual, or (root, RootResults)
        As :func:`brentq`'s.
    """
    return _bracketed("toms748", f, a, b, args, full_output,
                      dict(k=k, xtol=xtol, rtol=rtol, maxiter=maxiter, disp=disp))


def newton(func, x0, fprime=None, args=(), tol=1.48e-08, maxiter=50, fprime2=None,
           x1=None, rtol=0.0, full_output=False, disp=True):
    """``scipy.optimize.newton`` whose root carries f's derivatives, for a scalar
    ``x0`` and for its array form (an array ``x0``: one root per element, f
    elementwise, as SciPy assumes).

    SciPy's own ``newton`` with a scalar ``x0`` already runs on duals; its array form
    does not (it converts f's values with ``np.asarray``).  Here SciPy finds the roots
    on the plain values, then Newton steps on duals give their derivatives (module
    docstring); for an array ``x0`` each element's slope ``df_i / dx_i`` comes from
    ``dg.elementwise_grad`` (one pass).  ``fprime`` and ``fprime2`` are SciPy's on the
    plain values only.  A complex ``x0`` (SciPy's complex iteration) finds a complex
    root, whose derivatives take f's complex derivative in s: f must be holomorphic in s
    (no np.conj, np.abs, .real of s; refused naming newton otherwise), and its
    parameters may be real or, under ``holomorphic=True``, complex.

    Parameters
    ----------
    func, x0, fprime, args, tol, maxiter, fprime2, x1, rtol, full_output, disp
        As SciPy's.

    Returns
    -------
    float, ndarray or Dual, or SciPy's tuple / RootResults with ``full_output=True``
        SciPy's result where f's value holds no dual; else the root(s) after Newton
        steps on the duals (the first element of ``full_output``'s result).

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.optimize import newton
    >>> def roots(p):                          # s_i with s_i**2 = p_i
    ...     return newton(lambda s: s * s - p, np.ones(2))
    >>> dg.jacobian(roots, np.array([4.0, 9.0])).round(15)   # diag(1 / (2 sqrt p))
    array([[0.25      , 0.        ],
           [0.        , 0.16666667]])
    """
    if not isinstance(args, tuple):
        args = (args,)
    plain_args = stop_gradient(args)

    def plain(s, *rest):
        return stop_gradient(func(s, *rest))

    out = _scipy_optimize().newton(
        plain, stop_gradient(x0), fprime=fprime, args=plain_args, tol=tol, maxiter=maxiter,
        fprime2=fprime2, x1=None if x1 is None else stop_gradient(x1), rtol=rtol,
        full_output=True, disp=disp)
    root = out[0]
    s = _polished("newton", func, root, args, elementwise=np.ndim(root) > 0)
    if s is None:
        return out if full_output else root
    _refuse_unconverged("newton", out.converged if hasattr(out, "_replace") else
                        out[1].converged, dict(maxiter=maxiter, tol=tol, disp=disp))
    if not full_output:
        return s
    if hasattr(out, "_replace"):                     # the array form's named tuple
        return out._replace(root=s)
    return (s,) + tuple(out[1:])

