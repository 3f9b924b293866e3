"""``dg.quad``: an adaptive quadrature whose derivatives are integrated under its error
control.

Duals cannot enter ``scipy.integrate.quad`` (QUADPACK reads the integrand's values as
C doubles).  :func:`quad` keeps SciPy's call where no dual enters and otherwise
integrates every coefficient of the integrand's duals together: the value and its
partials (a Hessian's second partials too, laid out as :mod:`dualgrad.api._ode_levels`
does for ODEs) are one real vector per node, integrated by an adaptive Gauss-Kronrod
(21 points, QUADPACK's rule and error estimate) that bisects until *every* coefficient
meets ``max(epsabs, epsrel * |I_i|)``: the tolerances apply to each partial as to the
value.  ``d/dtheta int_a^b f = int_a^b df/dtheta + f(b) b' - f(a) a'``: the limits'
terms are ``int_{b0}^{b} f`` for ``b = b0 + delta``, ``delta`` a dual of value zero (so
nilpotent): ``delta * sum_j w_j f(b0 + s_j delta)`` on ``order + 1`` Gauss-Legendre
nodes of [0, 1] is exact to every order (the user's ``func`` on a dual ``x`` is the
only rule used).  Infinite limits map to [0, 1) by QUADPACK's ``x = a + t / (1 - t)``.
"""

from __future__ import annotations

import bisect
import functools
import math
import os
import sys
import warnings
from typing import Any

import numpy as np

from .. import errors
from ..dual import Dual, ScalarDual, partials_array, primal, stack_scalars
from ..dual._array import stack_lean
from ..dual._answer import Answering
from ._ode_levels import (Derivatives, Unseen, Watched, as_state, build, duals_in, expand,
                          levels_of)
from ..rules._table import (RULES, SCIPY_LOADED, Branches, Selection, branch_functions, step_of,
                            cut_of, float_places, rule_for, step_threshold)
from ._parallel import adaptive_run
from ._touch import TOUCH, TOUCHED, Root, branch_of, root_sign, touching
from ._quad_growth import refusal as singular_refusal, singular_place
from ._quad_gaps import moving_gaps, refusal as gap_refusal
from ._readings import _moves, _plain, _slopes

__all__ = ["quad"]

_WHO = "dualgrad.quad"

try:   # the compiled contraction np.einsum calls where optimize is False (its Python
    # wrapper skipped: ~2.6 us of ~6 a call on the rule's (n, 21, m) sums, the same
    # function and so the same bits; bench/quad_phases63.py, lum69)
    from numpy._core.multiarray import c_einsum as _einsum
except ImportError:                                     # pragma: no cover
    _einsum = np.einsum
_RESTARTS = 8                    # calls restarted for the duals func reads late
_CUSP_LIMIT = 100                # subintervals added for a partial's cusp split at: its
#                                  integrable |x - c|^(a - 1) on two ends (no extrapolation)
_CUSP_SHRINK = 64.0 ** 0.45      # a cusp |x - c|^a's change from h to h / 64: a >= 0.45
#                                  (bisection alone converges on |x - c|^(a - 1) to the
#                                  tolerance within x's floats: a = 0.25 ended 5e-5 off)
_EPS = np.finfo(float).eps
_TINY = np.finfo(float).tiny
_F64 = np.float64

# QUADPACK's 21-point Gauss-Kronrod rule (qk21): nodes, Kronrod weights, and the
# 10-point Gauss weights of the odd-indexed nodes
_X = np.array([0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
               0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
               0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
               0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
               0.294392862701460198131126603103866, 0.148874338981631210884826001129720])
_X = np.concatenate([_X, [0.0], -_X[::-1]])
_V = np.array([0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
               0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
               0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
               0.123491976262065851077958109831074, 0.134709217311473325928054001771707,
               0.142775938577060080797094273138717, 0.147739104901338491374841515972068])
_V = np.concatenate([_V, [0.149445554002916905664936468389821], _V[::-1]])
_W = np.array([0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
               0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
               0.295524224714752870173892994651338])
_W = np.concatenate([_W, _W[::-1]])

_MESSAGES = {
    0: "The integral and its partials met the tolerances.",
    1: "The maximum number of subdivisions (limit) has been achieved before every "
       "coefficient (the value and its partials) met the tolerances. Raise limit, or "
       "split the range at the integrand's difficulties (points=).",
    2: "A non-finite value of the integrand or of its partials was met.",
}


def _compiled(func):
    """Whether ``func`` is a compiled integrand SciPy's quad calls in C (a
    ``scipy.LowLevelCallable`` or a ctypes function): it returns floats, and SciPy's
    fast path needs it unwrapped."""
    import ctypes
    from scipy import LowLevelCallable
    return isinstance(func, (LowLevelCallable, ctypes._CFuncPtr))


def _scipy_quad(who):
    try:
        from scipy.integrate import quad as scipy_quad
    except ImportError as exc:
        raise ImportError(
            f"{who}: expected SciPy (scipy.integrate.quad runs the integrals no dual "
            "enters), got no scipy installed. Fix: pip install scipy, or integrate by a "
            "fixed rule in NumPy arithmetic: t, w = np.polynomial.legendre.leggauss(50), "
            "then sum(w * func(a + (b - a) * (t + 1) / 2)) * (b - a) / 2.") from exc
    return scipy_quad


def _nested():
    return errors.bad_type(
        _WHO, "func to read the same helper calls' duals at every node",
        "duals of new calls at each restart", "Read the parameters func needs outside "
        "func (bind them once, before calling dg.quad).")


def _refused(name, what=""):
    return errors.bad_type(
        _WHO, f"no {name}= where derivatives flow", f"{what}{name}=",
        "QUADPACK's weighted rules (weight='cos', 'sin', 'alg', 'cauchy', ...) read the "
        "integrand as floats. Multiply the weight into func (lambda x: w(x) * f(x), "
        "np.cos(omega * x) for weight='cos'), and for an oscillatory weight over an "
        "infinite range, split the range at the weight's zeros (points=) and sum.")


def quad(func, a, b, args=(), full_output=0, epsabs=1.49e-8, epsrel=1.49e-8, limit=50,
         points=None, weight=None, wvar=None, wopts=None, maxp1=50, limlst=50,
         complex_func=False, *, vectorized=False) -> Any:
    """``scipy.integrate.quad`` with derivatives through the integral.

    The signature and result are SciPy's.  Inside a dualgrad helper (``f`` of
    :func:`dualgrad.gradient`, :func:`dualgrad.hessian`, ...), duals may enter through
    ``args``, the limits ``a`` and ``b``, or the parameters ``func`` closes over; the
    integral is then a dual whose partials are integrated beside the value under one
    error control.  Without any dual it is SciPy's call itself (``func`` called on
    floats by QUADPACK, every option as SciPy takes it).

    Parameters
    ----------
    func : callable
        ``func(x, *args)``, a scalar for a float ``x``.  Where derivatives flow it
        receives ``x`` as a float and returns a dual (its parameters' partials), and
        where a limit is a dual it is also called once or twice on a dual ``x`` at that
        limit (``f(b) b'``): write it in NumPy arithmetic (``np.exp``, not
        ``math.exp``).
    a, b : float or dual
        The limits; ``-np.inf`` / ``np.inf`` as SciPy takes them (an infinite limit
        carries no derivative).
    args, full_output, epsabs, epsrel, limit, points, complex_func
        As ``scipy.integrate.quad``.  ``epsabs`` and ``epsrel`` bound every
        coefficient's error: ``|I_i - est_i| <= max(epsabs, epsrel * |I_i|)`` for the
        value and for each partial.  ``limit`` bounds the number of subintervals.
        ``points`` (finite limits only) are breakpoints the first subdivision uses.
    weight, wvar, wopts, maxp1, limlst
        As SciPy's where no dual enters; ``weight`` where derivatives flow raises
        ``TypeError`` (multiply the weight into ``func``).
    vectorized : bool, optional
        dualgrad's addition (keyword only): ``func`` takes a 1-D array of nodes and
        returns one value per node.  Where derivatives flow each of the rule's steps
        is then one call on 21 (or 42) nodes instead of one call per node: 1.3-3.4x
        faster in ``python bench/quad.py`` on a finite range (see Notes for infinite
        ones).  SciPy's own call (no dual) hands it one node as a 1-element array; a
        moving limit's term and the first quad over an infinite range (Notes) the node
        itself where ``func`` takes it, else a 1-element array.

    Returns
    -------
    y : float or dual
        The integral; a dual (nested, for nested calls) where derivatives flow.
    abserr : float
        The estimate of the value's absolute error (complex, real and imaginary
        errors, for ``complex_func=True``, as SciPy's).  Where ``limit`` stops the
        bisection before a partial met its tolerance, the warning (``message``) names
        the partial furthest past it and its estimate.
    infodict : dict
        With ``full_output``: where derivatives flow, ``neval`` (calls of ``func`` at
        a node), ``last`` (subintervals), ``alist`` / ``blist`` (their ends, in the
        mapped variable ``t`` of [0, 1] for an infinite range), ``rlist`` / ``elist``
        (the value's integral and error on each), and ``abserr_all``, the error
        estimate of every coefficient (index 0 the value, index ``j`` the ``j``-th
        partial; one axis per nested call).  Otherwise SciPy's.
    message : str
        With ``full_output``, where the tolerances were not met (SciPy's convention);
        without ``full_output`` an ``IntegrationWarning`` says it.

    Raises
    ------
    TypeError
        ``weight=`` where derivatives flow; a ``func`` that returns more than one
        number per node, or complex numbers without ``complex_func=True``; a dual
        infinite limit that moves; a jump (for second derivatives also a kink) of
        ``func`` whose place moves with the parameters, or a moving limit on one; a
        ``func`` not finite at a moving limit (see Notes).
    ImportError
        Without SciPy.

    Notes
    -----
    The derivatives are the integrals of the partials, computed to the same tolerances
    as the value (not exact to rounding as dualgrad's other results are): ``abserr_all``
    (``full_output=1``) holds their error estimates.  The rule is QUADPACK's 21-point
    Gauss-Kronrod with its error estimate, bisecting the subinterval of the largest
    error relative to its tolerance until every coefficient meets its own.  Over a
    finite range without ``points``, the first interval is bisected anyway where a
    coefficient's error estimate is saturated (qagse's own test: its 21 nodes barely
    met a narrow peak); QUADPACK's
    extrapolation (qags's epsilon algorithm) is not used, so an integrable singularity
    at an end costs more subdivisions than SciPy's value alone (raise ``limit``).  A
    node where ``func`` is finite and a partial infinite (``np.cbrt(x - p)`` at ``x =
    p``) restarts the integration split there (finite ranges), where the partials beside
    it are integrable, and raises ``TypeError`` where they are not (its Hessian).  A
    Hessian integrates ``(1 + n)^2`` coefficients for ``n`` parameters (in one chunk).
    Where no dual enters, the result is SciPy's, unchanged; where derivatives flow the
    value is this rule's, which agrees with SciPy's to the tolerances but not to the
    last digit (an optimizer that calls ``f`` for values and a helper for gradients
    sees the two within ``epsrel``: ``dg.value_and_grad`` gives both from one rule).
    The derivatives are taken under the integral sign: a jump or a kink of ``func``
    whose place moves with the parameters (``np.where(x < p, ...)``, ``np.maximum(x -
    K, 0)`` for an option's strike) contributes a boundary term there that the
    partials do not hold (a jump's first derivative, a kink's second).  dg.quad
    watches the branches ``func`` takes on duals that carry partials (every row of
    the rule table that jumps or kinks names its branches: the comparisons ``< <= >
    >=``, ``np.heaviside``, ``np.sign``, ``np.floor`` / ``ceil`` / ``trunc`` / ``rint`` /
    ``round`` / ``modf`` / ``floor_divide`` / ``remainder`` / ``fmod``, ``np.copysign``,
    ``np.signbit``, ``np.arctan2``'s cut, ``np.maximum`` / ``minimum`` / ``fmax`` /
    ``fmin`` / ``absolute`` / ``clip``, ...).  Where one differs between two nodes it
    locates the crossing (bisection, about 55 calls of ``func``, once per place and
    branch) and raises ``TypeError`` where a coefficient of ``func`` (its value, or a
    partial) jumps there and the place moves with a level not yet differentiated in it:
    split the range at the moving place ``c`` and integrate each branch over its own
    range, ``quad(g1, a, c)[0] + quad(g2, c, b)[0]``, whose moving limits carry the
    term exactly.  Not refused: a branch on a place that does not move (``x < 1.0``
    with ``p`` only in the branches, ``|p cos x|``), a continuous piecewise ``func``
    at first order (``np.where(x < p, x - p, 0.0)``, ``max(x - K, 0.0)``), a loop's
    stopping test whose sides agree to the tolerance (the scalar dual's ``//``, ``%``,
    ``divmod`` and ``abs`` report their ufuncs too).  NaN masking is a branch too: where
    ``np.log`` / ``log2`` / ``log10`` / ``log1p`` / ``sqrt`` / ``arcsin`` / ``arccos`` /
    ``arctanh`` / ``arccosh`` or a negative base's ``**`` turns NaN past its domain's
    edge and func makes a number of it (``np.where(np.isnan(u), ...)``,
    ``np.nan_to_num``, ``np.nansum``, ``np.fmax``), the edge is watched as a jump
    (integrate over the domain instead); so are scipy.special's edges (``ndtri``,
    ``logit``, ``erfinv``, ``erfcinv``, ``ellipk``, ``ellipe``, ``ndtri_exp``), a
    ``dualgrad.scipy.stats`` ``ppf`` / ``isf`` outside ``0 <= q <= 1`` and an
    overflow to inf (``np.exp`` / ``expm1`` / ``exp2`` / ``cosh`` / ``sinh`` / ``**``
    of float64 values), a complex argument crossing a principal branch's cut
    (``np.log`` / ``sqrt`` / ``**`` / ``arcsin`` / ``arctanh`` / ..., scipy.special's
    ``loggamma`` / ``xlogy`` / ``xlog1py``) and ``np.unwrap``'s whole periods.  Sorted
    values (``np.unique``'s, ``np.linalg.eigh`` / ``eigvalsh`` / ``svd``'s, told apart
    by their vectors) are a kink where two cross, ``np.linalg.eig``'s vectors jump
    where the component LAPACK makes real changes, ``np.linalg.norm`` where its vector
    passes through 0; a jump of the second derivative
    (``scipy.special.huber`` at ``|r| = delta``, ``i1e`` at 0, laplace's ``cdf`` /
    ``sf`` / ``logcdf`` / ``logsf`` at ``loc``) is refused from third derivatives.
    ``np.isclose`` / ``np.allclose`` report their window's ends.  A smooth step
    narrower than the nodes (``np.tanh`` / ``np.arctan``, scipy.special's ``erf`` /
    ``erfc`` / ``expit`` / ``ndtr`` / ``stdtr`` of ``s (x - p)`` with s ~ 1e11, the
    smooth kinks ``np.logaddexp`` / ``log_expit`` / ``log_ndtr``, ``np.arctan2(z, y)``
    for ``y > 0``, ``dualgrad.scipy.stats`` cdfs / sfs over the real line with a small
    scale), whose partials' whole pulse lies between them, splits the range around its
    place where x's floats resolve it and is refused elsewhere (for k-th derivatives
    where its width^k is under 1e7 ulps of x, resolved or not); so is a ramp narrower than the nodes sitting
    on a moving limit (``np.clip((p - x) * 1e12, 0, 1)`` over ``[0, p]``).
    A square root whose argument touches 0 without crossing it (``np.sqrt((x - p) **
    2)``, ``((x - p) ** 2) ** 0.5``, ``np.linalg.norm([x - p])``, ``np.std`` of two
    values, a Cholesky factor's diagonal: ``|x - p|``) is a kink from second
    derivatives on.  Where the rule stops short (the limit, no room to bisect) beside
    a place toward which the partials grow like a power at least 0.5 above the value's
    (a moving singularity: ``0.5 * np.log((x - p) ** 2)``, ``scipy.special.expi(x -
    p)``, ``np.cbrt(x - p)`` with no node on ``p``), it raises ``TypeError`` naming the
    split at the place (a partial's integral that diverges, or one whose error
    estimate is 100 times its tolerance).  Not watched: branches inside
    compiled code (a ``numba.njit`` func), on func's own
    threads, or in compositions with no such row (``np.exp(-1 / (x - p) ** 2)``'s
    flat joins): for those the split is yours to write.  Selections by order (``np.max`` / ``min`` /
    ``sort`` / ``partition`` / ``median`` / ``quantile`` / ``ptp`` of stacked duals,
    ``np.argmax`` / ``argsort``, the lookups ``np.searchsorted`` / ``digitize``, and
    ``np.interp``'s segment) report the indices they pick as a branch
    (``dualgrad.scipy.stats``
    densities report their support's ends: ``uniform.pdf(x, loc=p)`` is refused).  An
    integrand not finite at a moving limit (an Abel kernel ``1 / sqrt(b - x)``) has
    no term ``f(b) b'`` and raises ``TypeError`` naming the substitution ``x = b -
    u**2``.  One finite there with an infinite slope (``sqrt(b - x)``, ``(b - x)**0.3``,
    whose partials are not finite at ``b``) is integrated with that substitution made,
    ``int_0^sqrt(b - a) 2 u f(b - u**2) du`` (``a + u**2`` at a moving ``a``), exact
    (``full_output``'s subintervals are then in ``u``); with ``points=`` it raises
    naming it.  Over an infinite range the rule starts from the subintervals SciPy's
    quad of the value alone ends with (QUADPACK's qagi, same map; so ``limit`` counts
    beyond them), so it resolves every narrow feature SciPy's nodes met; where the
    two values still differ beyond their error estimates (a feature only this rule's
    nodes met), an ``IntegrationWarning`` says so.  That first quad calls ``func``
    one node at a time (a ``vectorized`` func too, on a float ``x`` where it takes
    one): ``python bench/quad.py`` measured 1.3-3.1x the time of before on its
    infinite ranges with ``vectorized=True`` (the per-node spelling needs fewer
    bisections from SciPy's mesh: 0.7-1.2x the time).
    During sparsity detection
    (:func:`dualgrad.sparsity`) the integral depends on every input that entered
    ``func``'s values or the limits.

    Examples
    --------
    ``int_0^1 exp(-p x) dx = (1 - e^{-p}) / p``; its derivative in ``p`` is
    ``((1 + p) e^{-p} - 1) / p^2``:

    >>> import numpy as np
    >>> import dualgrad as dg
    >>> def area(p):
    ...     return dg.quad(lambda x: np.exp(-p * x), 0.0, 1.0)[0]
    >>> p = 0.7
    >>> d = dg.derivative(area, p)
    >>> bool(np.isclose(d, ((1 + p) * np.exp(-p) - 1) / p ** 2, rtol=1e-10))
    True

    A moving limit and an infinite one: ``int_c^inf exp(-x^2) dx`` has the derivative
    ``-exp(-c^2)`` in ``c``:

    >>> g = dg.derivative(lambda c: dg.quad(lambda x: np.exp(-x * x), c, np.inf)[0], 0.3)
    >>> bool(np.isclose(g, -np.exp(-0.09), rtol=1e-12))
    True
    """
    scipy_quad = _scipy_quad(_WHO)
    if not isinstance(args, tuple):
        args = (args,)
    compiled = _compiled(func)
    plain = _OneNode(func) if vectorized and not compiled else func
    from ._sparsity import traced_quad
    traced = traced_quad(scipy_quad, plain, a, b, args, dict(
        full_output=full_output, epsabs=epsabs, epsrel=epsrel, limit=limit, points=points,
        weight=weight, wvar=wvar, wopts=wopts, maxp1=maxp1, limlst=limlst,
        complex_func=complex_func), compiled)
    if traced is not None:                # during sparsity detection (sparsity="auto")
        return traced
    if list(duals_in([points])):
        raise errors.bad_type(_WHO, "points of plain numbers", "duals in points",
                              "Pass the breakpoints' values (dg.stop_gradient(points)): "
                              "they only guide the subdivision.")
    if list(duals_in([wvar, wopts])):       # (SciPy would convert them: its own message
        raise _refused("wvar" if list(duals_in([wvar])) else "wopts",  # named the user's
                       "a dual in ")        # call as the fix; attack58 07)
    found = list(duals_in([a, b, *args]))
    if compiled and found:
        raise errors.bad_type(
            _WHO, "a Python func where derivatives flow", f"a compiled integrand "
            f"({type(func).__name__}), which reads floats", "Pass the Python function "
            "itself (for a numba cfunc, its Python original f.py_func, written in NumPy "
            "arithmetic): dg.quad calls it on duals.")
    if not found:                          # func may close over duals: SciPy's call
        watch = _Watch(1, epsabs=epsabs, epsrel=epsrel)  # until it returns one (its
        watch.nan = True                       # (its NaN sources' edges too: rarely run)
        saved = errors.watch_branches(watch)   # jumps watched: a where(x < p, ...) of
        try:                                   # floats moves too)
            out = scipy_quad(func if compiled else _WatchedNode(plain, watch, args), a,
                             b, args=args, full_output=full_output,
                             epsabs=epsabs, epsrel=epsrel, limit=limit, points=points,
                             weight=weight, wvar=wvar, wopts=wopts, maxp1=maxp1,
                             limlst=limlst, complex_func=complex_func)
            if watch.first and not compiled:    # (a moving jump tied on an end)
                from ._quad_ends import check_ends
                check_ends(func, args, (a, b), watch, vectorized, a, b)
            return out
        except Derivatives as seen:
            found = seen.duals
        except _Refused as refused:
            raise refused.error from None
        finally:
            errors.unwatch_branches(saved)
    for name, given in (("weight", weight), ("wvar", wvar), ("wopts", wopts)):
        if given is not None:
            raise _refused(name)
    if epsabs <= 0 and epsrel < max(50 * _EPS, 5e-29):      # (SciPy's own check)
        raise ValueError("If 'epsabs'<=0, 'epsrel' must be greater than both 5e-29 and "
                         "50*(machine epsilon).")
    for _ in range(_RESTARTS):
        try:
            return _integrate(func, a, b, args, full_output, float(epsabs), float(epsrel),
                              int(limit), points, complex_func, vectorized,
                              levels_of(found))
        except Unseen as seen:             # func read another call's duals late:
            found = found + seen.duals     # again, carrying that call's levels too
        except _Steep as steep:            # an infinite slope at a moving limit
            return _substituted(steep, func, a, b, args, full_output, epsabs, epsrel,
                                limit, points, complex_func, vectorized)
    raise _nested()


# ---- branches whose place moves with the parameters (a jump, a kink) -------------------
# The rows of the rule table whose value jumps (comparisons, np.where's masks, heaviside,
# floor, ...) or kinks (maximum, absolute, ...) name the branch their plain arguments
# take (rules/_table.py's ``branch``): derivatives under the integral sign miss the
# boundary term of such a branch point where its place moves with the parameters.
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# dualgrad's own functions of duals, whose inner branches are no jump of theirs (a rule's
# where, a special function's series switch): not watched; dispatch/ (np.clip as
# maximum and minimum) is
_OWN = tuple(os.path.join(_PACKAGE, wing, "") for wing in ("rules", "scipy", "api",
                                                            "jit", "backend"))
# NumPy's own Python frames (np.max of a list compares the scalar duals with >=): the
# place reported is the user's line that called NumPy
_NUMPY = os.path.join(os.path.dirname(os.path.abspath(np.__file__)), "")
_ANSWERING = Answering.__call__.__code__  # (the watch's stand-in, dual/_answer.py)
_SKIPPED = _OWN + ("<dualgrad",)    # (and dualgrad's generated code)
# walked through too: dualgrad's dispatch and dual types, which evaluate a nested dual's
# ufunc again on its inner level (a Hessian's np.power inside dualgrad.scipy.stats is
# dualgrad's own there as well) and implement NumPy's functions (np.clip's maximum: the
# user's np.clip line is the place)
_THROUGH = (_NUMPY,) + tuple(os.path.join(_PACKAGE, wing, "") for wing in ("dispatch",
                                                                           "dual"))
_BISECTIONS = 100           # at most (about 35 halvings to 1e-10 of the nodes' distance)
_STEP_GAP = 4.0            # a smooth step's place across two neighbouring nodes, at most
_STEP_REACH = 20.0          # a step's place this near an end: its pulse reaches the end
_STEP_RATIO = 30.0          # the split points' widths around a narrow step: w, 30 w, ...
_STEP_ULPS = 1e7           # a split step's width in ulps of x, at least
_STEP_CROSSINGS = 16        # narrow steps' crossings split, at most (more: refused)
_STEP_FAR = 1e3             # an infinite range's split ladder: out to 1e3 (1 + |c|)
_CROSSINGS = 1000           # crossings confirmed between two nodes, at most


def _nan_edge(ufunc):
    """Is ``ufunc``'s branch a domain's edge past which its real value is NaN (the
    table's kind ``"nan"``: np.log, np.sqrt, np.arccos, ...)?"""
    if isinstance(ufunc, Branches):     # (a stats ppf's 0 <= q <= 1)
        return any(kind == "nan" for kind, _, _ in ufunc.branch)
    return type(ufunc) is np.ufunc and ufunc in _nan_places()


def _nan_places():
    """The NaN sources of the rule table (kind ``"nan"``) -> their place on Python
    floats (or ``None``) and as :func:`branch_functions` compiles it (made on first
    use: ``import dualgrad`` compiles nothing; again where the table has grown since:
    scipy.special's rows loaded by dispatch after a watch built it, which left ndtri /
    logit / ellipk out and their refusals without the NaN edge's text, depending on
    the tests' order)."""
    n = len(RULES)
    if _NAN_BUILT[0] != n:              # (built apart, then added: another thread's
        _NAN_PLACES.update(_nan_places_built())     # watch reads it meanwhile; its
        _NAN_BUILT[0] = n               # rows counted before the walk)
    return _NAN_PLACES


def _nan_places_built():
    found = {}
    for rule in list(RULES.values()):
        kinds = [kind for kind, _, _ in rule.branch if kind not in ("cut", "step")]
        if "nan" in kinds:              # (np.power: a negative base, an overflow)
            found[rule.ufunc] = (float_places(rule.ufunc), tuple(
                place for kind, (_, _, place) in zip(kinds, branch_functions(
                    rule.ufunc)) if kind == "nan"))
    return found


_NAN_PLACES = {}
_NAN_BUILT = [-1]           # len(RULES) when _NAN_PLACES was last built
_FLOAT_TESTS = {}           # a NaN source met -> its places on Python floats (_met's)
_CUTS = {}                  # a row's ufunc -> its cuts (rules/_table.py cut_of) or None
_STEP_AT = {}               # and its smooth step (step_of) or None
_FILES = {}                 # a frame's file -> (walked through?, dualgrad's own?, name)
_EQUALITY = (np.equal, np.not_equal)
_NUMBERS = (float, int, _F64)
_REALS = (float, _F64)
_SCALARS = (float, _F64, ScalarDual)     # 0-d by their class


def _inside_on_floats(tests, inputs):
    """Whether ``inputs`` (duals and numbers) have plain values that are Python numbers
    on the inside of each of a NaN source's edges (its places on floats ``>= 0``):
    :meth:`_Watch._met`'s first test, where it returns ``False`` and records nothing.
    ``False`` wherever that test would not decide (the full path then runs)."""
    values = []
    for v in inputs:
        while isinstance(v, Dual):
            v = v.value
        if type(v) not in _NUMBERS:
            return False
        values.append(v)
    try:
        for place in tests:
            if not place(*values, None) >= 0.0:
                return False
    except (ArithmeticError, ValueError):
        return False
    return True




def _any_dual(v):
    """Is ``v`` (a dual, or a list of them) a dual, or does it hold one?"""
    if isinstance(v, (list, tuple)):
        return any(_any_dual(e) for e in v)
    return isinstance(v, Dual)


def _complex_in(inputs):
    """Is any of ``inputs`` (duals, numbers, arrays) complex-valued?"""
    for v in inputs:
        while isinstance(v, Dual):
            v = v.value
        kind = type(v)
        if kind is complex or kind is not float and getattr(v, "dtype", None) is not None \
                and v.dtype.kind == "c":
            return True
    return False




def _branch(specs, values):
    """The branch the plain ``values`` take: ``step(place)`` of each of the row's
    branches (stacked where there are two)."""
    if len(specs) == 1 and all(type(v) is float for v in values):
        try:                            # (floats: no errstate, ~2 us a node)
            return np.asarray(specs[0][1](specs[0][2](*values, None)))
        except ArithmeticError:
            pass
    with np.errstate(all="ignore"):
        taken = [np.asarray(step(np.real(place(*values, None)))) for _, step, place in specs]
    return taken[0] if len(taken) == 1 else np.stack(np.broadcast_arrays(*taken))


def _record_key(r):
    """A record's branch as a key (``None``: the node does not run the place)."""
    return None if r is None else _key(np.asarray(r[0]))


def _predicts(points, x, key):
    """Whether the sorted ``(x, key)`` points of a confirmation give ``key`` at ``x``:
    ``x`` one of them, or between two of the same key."""
    xs = [p[0] for p in points]
    j = bisect.bisect_left(xs, x)
    if j < len(xs) and xs[j] == x:
        return points[j][1] == key
    return 0 < j < len(xs) and points[j - 1][1] == points[j][1] == key


def _same(a, b):
    return a.shape == b.shape and bool(np.all((a == b) | ((a != a) & (b != b))))


def _key(b):
    """A branch (an array of ``step`` values) as a dict key: equal branches, NaN
    included, give equal keys."""
    if b.ndim == 0:
        v = float(b)
        return "nan" if v != v else v
    return b.shape, np.where(b == b, b, np.inf).tobytes(), (b != b).tobytes()


def _tie(specs, values):
    """Whether the plain ``values`` sit on a branch point (a limit that moves there has
    no one side: its term ``f(b) b'`` takes whichever the tie gives)."""
    with np.errstate(all="ignore"):
        for _, step, place in specs:
            g = place(*values, None)
            if step is np.sign and type(g) in _REALS:   # (sign's threshold 0 * g: the
                if g == 0.0:                            # test is g == 0; inf and NaN
                    return True                         # are not on it either way)
                continue
            g = np.real(g)
            on = g == step_threshold(step)(g)
            if on.any() if type(on) is np.ndarray else on:  # (np.any of a NumPy bool:
                return True                                  # ~4 us through dispatch)
    return False




def _tied_at_limit(specs, inputs):
    """Whether :meth:`_Watch.__call__`'s lines for a NaN source's ufunc at a moving limit
    may record: ``False`` only where its plain ``inputs`` are complex (those lines
    return) or real and on no branch point (``_tie`` false: they record nothing);
    ``True`` wherever that is not known (an input ``_plain`` or a place cannot read)."""
    try:
        values = [_plain(v) for v in inputs]
        if any(type(v) is not float and np.iscomplexobj(v) for v in values):
            return False
        return _tie(specs, values)
    except Exception:   # noqa: BLE001 - unknown: the full lines decide
        return True


def _place_moves(u, rlo, rhi, tag, beside=None):
    """Whether the place of ``u``'s branch, crossed between the records ``rlo`` and
    ``rhi`` (bracketing it), moves in the level ``tag``: the place's derivative in a
    direction of the level, at each end by a small step of it, interpolated to where
    the place meets its step's threshold (|p cos x|'s kink at pi / 2: its two ends'
    derivatives cancel there), nonzero.  Exact for places that move slowly against
    the bracket (a band edge at 1.5e12 + p; attack50 09).  ``beside``: the records a
    little further out on ``rlo``'s and ``rhi``'s sides (or ``None``); a side whose
    place sits on the threshold with no derivative at both (a clamp: ``np.clip(x - p,
    0, None) > 0``, ``sc.gammasgn(x - p)``'s place at 0) is judged from the other side
    alone, its derivative extrapolated to the crossing (attack51 12 / 11)."""
    if isinstance(u, Selection):        # a selection: its place is no function of the
        return _selection_moves(u, rlo, rhi, tag, beside)   # values, its branch an index
    rm, rp = beside if beside is not None else (None, None)
    rm = rm if rm is not None and _same(np.asarray(rm[0]), np.asarray(rlo[0])) else None
    rp = rp if rp is not None and _same(np.asarray(rp[0]), np.asarray(rhi[0])) else None
    for _, step, place in branch_functions(u):
        ends = [None if rec is None else _place_and_slopes(place, rec, tag)
                for rec in (rlo, rhi, rm, rp)]
        (Plo, Dlo), (Phi, Dhi) = ends[:2]
        if _nonzero_at_crossing(step, Plo, Phi, Dlo, Dhi, ends[2], ends[3]):
            return True
    return False


def _place_and_slopes(place, rec, tag):
    """The place's plain value at the record ``rec`` and its derivative in each direction
    of the level ``tag`` (a central difference, by 1e-6 of the inputs' size)."""
    values = [_plain(v) for v in rec[1]]
    slopes = [_slopes(v, tag) for v in rec[1]]
    n = max((s.shape[-1] for s in slopes if s is not None), default=0)
    size = max((float(np.max(np.abs(v), initial=0.0)) for v in values), default=0.0)
    with np.errstate(all="ignore"):
        P = np.real(np.asarray(place(*values, None), dtype=complex))
        D = []
        for j in range(n):
            reach = max((float(np.max(np.abs(s[..., j]), initial=0.0))
                         for s in slopes if s is not None), default=0.0)
            if reach == 0.0:
                D.append(np.zeros_like(P))
                continue
            t = 1e-6 * max(size, 1e-300) / reach
            up, down = ([v if s is None else v + sign * t * s[..., j]
                         for v, s in zip(values, slopes)] for sign in (1.0, -1.0))
            D.append((np.real(np.asarray(place(*up, None), dtype=complex)) -
                      np.real(np.asarray(place(*down, None), dtype=complex)))
                     / (2 * t))
    return P, D


def _nonzero_at_crossing(step, Plo, Phi, clo, chi, far_lo=None, far_hi=None):
    """Whether a coefficient of a branch's place (``clo`` / ``chi`` at the two ends of
    the bracket, where the place is ``Plo`` / ``Phi``), interpolated to where the place
    meets ``step``'s threshold, is nonzero beyond rounding (NaN: nonzero), for an
    element whose branch the bracket crosses.  ``far_lo`` / ``far_hi``: ``(P, c)`` a
    little further out on either side, or ``None``; where one side is pinned (the
    place on the threshold with zero coefficients at both of its points: a clamp), the
    other side's two points are extrapolated to the crossing instead."""
    with np.errstate(all="ignore"):
        T = step_threshold(step)((Plo + Phi) / 2)
        frac = np.clip((T - Plo) / (Phi - Plo), 0.0, 1.0)
        crossed = ~((step(Plo) == step(Phi)) | (Plo != Plo) & (Phi != Phi))
        pinned = []
        for P, c, far in ((Plo, clo, far_lo), (Phi, chi, far_hi)):
            if far is None:
                pinned.append(np.zeros(np.shape(frac), dtype=bool))
                continue
            Pf, cf = far
            flat = (P == T) & (Pf == T)
            for a, b in zip(c, cf):
                flat = flat & _all_trailing(np.real(a) == 0, flat) & \
                    _all_trailing(np.real(b) == 0, flat)
            pinned.append(np.broadcast_to(flat, np.shape(frac)))
        one = []                        # (pinned side: the other side's extrapolation)
        for side, (P, c), far in ((1, (Phi, chi), far_hi), (0, (Plo, clo), far_lo)):
            if far is None or not np.any(pinned[1 - side]):
                one.append(None)
                continue
            Pf, cf = far
            one.append(((T - P) / (Pf - P), c, cf))
        for i, (a, b) in enumerate(zip(clo, chi)):
            a, b = np.real(a), np.real(b)
            extra = (1,) * max(np.ndim(a) - np.ndim(frac), 0)     # (directions' axes)
            f, c = frac.reshape(frac.shape + extra), crossed.reshape(crossed.shape + extra)
            at = a + f * (b - a)
            near = np.maximum(np.abs(a), np.abs(b))
            for side, got in zip((1, 0), one):
                if got is None:
                    continue
                g, cs, cf = got
                g = np.reshape(g, np.shape(g) + extra)
                u, v = np.real(cs[i]), np.real(cf[i])
                w = u + g * (v - u)
                mask = pinned[1 - side].reshape(pinned[1 - side].shape + extra)
                at = np.where(mask, w, at)
                near = np.where(mask, np.maximum(np.abs(u), np.abs(v)), near)
            if np.any(c & ~(np.abs(at) <= 1e-6 * near)):
                return True
    return False


def _all_trailing(z, like):
    """``z`` reduced by ``all`` over its axes beyond ``like``'s (the directions')."""
    z = np.asarray(z)
    extra = np.ndim(z) - np.ndim(like)
    return np.all(z, axis=tuple(range(np.ndim(z) - extra, np.ndim(z)))) if extra > 0 else z


def _coefficients(v):
    """Every partial of the nested dual ``v`` at every level (plain arrays), its value
    left out."""
    found = []
    while isinstance(v, Dual):
        p = partials_array(v)
        found.append(np.asarray(primal(p)))
        found += _coefficients(p)
        v = v.value
    return found


def _paths(v, path=()):
    """Every coefficient of the nested dual ``v`` (its value left out) by the levels it
    is differentiated in: ``{(tag, ...): plain array of v's shape plus one axis per
    level}`` (a first partial ``(tag,)``, a mixed or second one ``(outer, inner)``)."""
    found = {}
    while isinstance(v, Dual):
        p = partials_array(v)
        here = path + (v.tag,)
        found[here] = np.asarray(primal(p))
        found.update(_paths(p, here))
        v = v.value
    return found


def _moves_beyond_first(u, rlo, rhi, beside=None):
    """Whether the place of ``u``'s branch has a nonzero coefficient beyond the first
    partials where it is crossed (a second, mixed or third derivative: 1 + (p - 1)^2
    at p = 1), each interpolated to the crossing as :func:`_place_moves` does; the
    place evaluated on the records' duals.  A place its table expression cannot
    evaluate on duals counts as moving.  A selection: :func:`_selection_moves` along
    its inputs' coefficients beyond the first (attack51 06)."""
    if isinstance(u, Selection):
        return beside is not None and _selection_moves(u, rlo, rhi, None, beside)
    for _, step, place in branch_functions(u):
        try:
            with np.errstate(all="ignore"):
                Plo, Phi = (place(*rec[1], None) for rec in (rlo, rhi))
        except Exception:  # noqa: BLE001 - unknown: refuse rather than guess
            return True
        clo, chi = _coefficients(Plo), _coefficients(Phi)
        if len(clo) != len(chi) or len(clo) < 2:
            continue                    # (first partials only: _place_moves's)
        vlo, vhi = (np.real(np.asarray(_plain(P), dtype=complex)) for P in (Plo, Phi))
        if _nonzero_at_crossing(step, vlo, vhi, clo, chi):
            return True
    return False


_APART = 30.0               # a selection's place moves where the move of its inputs that
#                             changes the branch at the bracket is this much smaller than
#                             a little further out (attack51 16)


def _selection_moves(u, rlo, rhi, tag, beside=None):
    """:func:`_place_moves` for a selection (``np.max`` of stacked duals,
    ``np.searchsorted``'s index), whose place is no function of the values: along
    each direction of the inputs' coefficients in the level ``tag`` (``None``: every
    coefficient beyond the first partials, attack51 06), the smallest move of the
    inputs that changes the branch, at each end of the bracket and at the record
    ``beside`` it further out on the same side.  Where the place moves, that move
    shrinks with the distance to the crossing (``_APART`` times smaller at the bracket
    than beside it: a knot at 1.5e12 + p, at 1 + 1e-12 p, whose move of 1e-6 was below
    an ulp; attack51 16); where it stays put (``p (x - 1)`` against a knot at 0,
    ``|p cos x|``'s kink) the move is the same at both.  Without ``beside`` (the ODE
    switch watch's call): the inputs moved by 1e-6 of their coefficients."""
    specs = branch_functions(u)
    if beside is None:
        return _selection_nudged(specs, rlo, rhi, tag)
    found = False
    for rec, far in zip((rlo, rhi), beside):
        if far is None or not _same(np.asarray(far[0]), np.asarray(rec[0])):
            continue
        found = True
        points = []
        for r in (rec, far):
            values = [_plain(v) for v in r[1]]
            paths = [_paths(v) for v in r[1]]
            points.append((values, paths, _branch(specs, values)))
        keys = {k for found_ in points[0][1] for k in found_
                if (k == (tag,) if tag is not None else len(k) > 1)}
        for key in keys:
            coefs = [[None if key not in f else np.real(f[key]).reshape(np.shape(v) + (-1,))
                      for f, v in zip(paths, values)] for values, paths, _ in points]
            n = max((c.shape[-1] for c in coefs[0] if c is not None), default=0)
            for j in range(n):
                for sign in (1.0, -1.0):
                    near, further = (
                        _smallest_move(specs, values, base, coef, j, sign)
                        for (values, _, base), coef in zip(points, coefs))
                    if near < further / _APART:
                        return True
    return not found                    # (no record beside on either side: unknown)


def _smallest_move(specs, values, base, coef, j, sign):
    """The smallest ``s`` (to a factor 2, within 2^-64 .. 2^64 of the values' size over
    the coefficients') for which ``values + sign s coef[..., j]`` take another branch
    than ``base`` (inf: none)."""
    reach = max((float(np.max(np.abs(c[..., j]), initial=0.0)) for c in coef
                 if c is not None), default=0.0)
    if not reach > 0.0 or reach == np.inf:
        return np.inf
    size = max((float(np.max(np.abs(np.where(np.isfinite(v), v, 0.0)), initial=0.0))
                for v in values), default=0.0)
    scale = max(size, _TINY) / reach

    def flips(e):
        s = sign * scale * 2.0 ** e
        moved = [v if c is None else v + s * c[..., j] for v, c in zip(values, coef)]
        return not _same(_branch(specs, moved), base)

    lo, hi = -64, 64
    if not flips(hi):
        return np.inf
    if flips(lo):
        return scale * 2.0 ** lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if flips(mid):
            hi = mid
        else:
            lo = mid
    return scale * 2.0 ** hi


def _selection_nudged(specs, rlo, rhi, tag):
    """The inputs moved by 1e-6 of the level's partials take another branch at either
    end of the bracket."""
    for rec in (rlo, rhi):
        values = [_plain(v) for v in rec[1]]
        base = _branch(specs, values)
        slopes = [_slopes(v, tag) for v in rec[1]]
        n = max((s.shape[-1] for s in slopes if s is not None), default=0)
        for j in range(n):
            for step in (1e-6, -1e-6):
                moved = [v if s is None else v + step * s[..., j]
                         for v, s in zip(values, slopes)]
                if not _same(_branch(specs, moved), base):
                    return True
    return False


def _tags(inputs):
    found = []
    for v in inputs:
        while isinstance(v, Dual):
            if v.tag not in found:
                found.append(v.tag)
            v = v.value
    return found


class _Watch:
    """Which branch each comparison or piecewise ufunc that ``func`` runs on moving duals
    (duals with nonzero partials) takes at each node; where it differs between two
    nodes, whether that is a jump (a kink, for second derivatives) of ``func`` whose
    place moves with the parameters, whose boundary term the partials under the
    integral sign do not hold.  dualgrad's own calls (a rule's ``where`` on nested
    duals) are not watched.

    ``probe(x)``, where its owner gives one, evaluates ``func`` at one float node and
    returns its coefficients (the value and the partials; the value alone on SciPy's
    float path): a branch that differs between nodes is then confirmed there (the
    crossing located by bisection, the coefficients compared across it, the place
    moved by the parameters' partials) before it is refused.  Without one (a caller
    of this watch that has no probe) every difference is refused and kinks are
    watched from ``order`` 2."""

    kinks = False       # (the ODE watch's: first-order kinks recorded for its steep test)
    lazy_roots = True   # (a square root's record holds a Root, its dual made in _nodes)

    def __init__(self, order, probe=None, levels=None, epsabs=1.49e-8, epsrel=1.49e-8):
        self.order, self.seen, self.first, self.limit = order, None, {}, None
        self.picked = []                # selections at a moving limit: (u, index, line)
        self.kink_ties = []             # first order's kinks tied there: (u, line)
        self.settled = set()            # ... comparisons func is continuous across
        self.split_at = set()           # the points the integration is split at
        self.cusp_at = ()               # ... for a partial's cusp (_partial_cusps)
        self.inward = 1.0               # at a limit: the range's side of it (+1: above)
        self.probe, self.levels = probe, levels     # levels: {tag: coefficient axis}
        self.probe_nodes = None         # a vectorized func's probe of several nodes
        self.ended = {}                 # a range's end -> (its row, the steps met there)
        self.epsabs, self.epsrel = epsabs, epsrel
        # NaN sources (np.log, np.sqrt, ... past their domain's edge, kind "nan" in the
        # rule table): recorded as branches only where ``nan`` is set; otherwise a
        # moving one met past its edge sets ``nan_met`` and check() raises NaNMet, so
        # that the owner integrates again with ``nan`` (smooth integrands record none)
        self.nan, self.nan_met = False, False
        self.end = None                 # a point beside an end that _Integrand.touch
        #                                 checks (its piece beyond the last crossing)
        # smooth steps (the table's kind "step": np.tanh, erf, expit) on moving duals: each
        # node's place, per (step, line, k-th time) -> [(nodes, places)] (steps_resolved)
        self.steps, self.step_seen = {}, None

    def __call__(self, ufunc, inputs, frame=None, nudge=None):
        if self.seen is None:
            return
        if type(ufunc) is np.ufunc:
            tests = _FLOAT_TESTS.get(ufunc)
            if tests is not None and self.order == 1 and self.limit is None and \
                    not self.nan and len(inputs) == ufunc.nin and _inside_on_floats(
                        tests, inputs):
                return                  # (a NaN source inside its domain at a node: the
            #                             first test of _met on plain numbers, ~0.5 us)
            if self.order > 1 and ufunc in TOUCHED and \
                    self.limit is None:     # (a root whose argument touches 0: a kink)
                self._touch(ufunc, inputs, sys._getframe(1))
            cut = _CUTS.get(ufunc, False)
            if cut is False:            # (first met: scipy.special's rows, met before
                if ufunc not in RULES and not SCIPY_LOADED[0]:  # dispatch loaded them,
                    rule_for(ufunc)                 # their branches and NaN sources)
                    if _NAN_PLACES:     # (the new rows added; never emptied: another
                        _NAN_PLACES.update(_nan_places_built())     # thread reads it)
                cut = _CUTS[ufunc] = cut_of(ufunc)
                _STEP_AT[ufunc] = step_of(ufunc)    # (its smooth step, if any)
            places = _nan_places().get(ufunc)
            if places is not None and not self.nan and self.limit is None and \
                    len(inputs) == ufunc.nin:       # (a NaN source: one test of its
                if places[0] is not None:
                    _FLOAT_TESTS[ufunc] = places[0]     # (the next calls' first test)
                if not self._met(ufunc, places, inputs):    # side, real arguments)
                    return
                if cut is None:
                    return
                ufunc = cut             # (a complex argument: its cut, attack51 10)
            elif cut is not None and _complex_in(inputs):
                ufunc = cut
            elif places is not None and not self.nan and self.limit is None:
                return
        if ufunc is TOUCH and (self.order < 2 or self.kinks or self.limit is not None):
            return                      # (a Cholesky diagonal's: second order on)
        if type(ufunc) is Branches and ufunc.branch[0][0] == "step":  # (reported: a
            if self.step_seen is not None and self.limit is None:     # stats cdf's)
                self._step(ufunc, inputs, frame)
            return
        specs = branch_functions(ufunc)
        if self.step_seen is not None and type(ufunc) is np.ufunc:
            step = _STEP_AT.get(ufunc)
            if step is not None:        # (a smooth step: np.tanh, erf, expit; arctan2's
                self._step(step, inputs)    # beside its cut)
                if not specs:
                    return
        if not specs:
            if ufunc in _EQUALITY and self.limit is not None and \
                    len(inputs) == 2:   # (an equality's point at a moving limit)
                self._equal_at_limit(ufunc, inputs)
            return
        if len(inputs) != getattr(ufunc, "nin", len(inputs)):
            return                      # (reduce, accumulate: no branch here)
        if all(self.order <= kink and (kink > 1 or self.probe is None)
               for kink, _, _ in specs):
            return          # (a kink of order k matters from derivative order k + 1)
        nan = _nan_edge(ufunc)
        if nan and self.limit is not None and type(ufunc) is np.ufunc and \
                not _tied_at_limit(specs, inputs):
            return          # (a NaN source at a moving limit records a tie alone: none
            #                 here, so the lines below, which record nothing, are skipped:
            #                 the luminosity row's limit term 0.81, bench/quad_phases63.py)
        if not _moves(list(inputs)) and (self.limit is not None or not _any_dual(inputs)):
            return                      # (duals that do not move here are recorded: a
            #                             clamp's side, np.clip(x - p, 0, None) > 0 below
            #                             p, is the crossing's other side; attack51 12)
        if frame is None:           # (given: a branch dualgrad's own function reports
            frame = sys._getframe(2)            # as the user's, a support that moves)
            if frame.f_back is not None and sys._getframe(1).f_code is _ANSWERING:
                frame = frame.f_back    # (the end checks' stand-in: a scalar dual's //,
            #                             whose generated code is dualgrad's; attack59 02)
            while frame.f_back is not None and \
                    frame.f_code.co_filename.startswith(_THROUGH):
                frame = frame.f_back
            if frame.f_code.co_filename.startswith(_SKIPPED):
                return              # dualgrad's own (its generated code: "<dualgrad ...>")
        values = [_plain(v) for v in inputs]
        if nan and any(type(v) is not float and np.iscomplexobj(v) for v in values):
            return                      # (complex log, sqrt: no NaN past an edge)
        where = f"{os.path.basename(frame.f_code.co_filename)}, line {frame.f_lineno}"
        if self.limit is not None:      # (a selection's tie at a limit: its index
            if isinstance(ufunc, Selection):        # beside the limit, _limit_term's)
                if not (self.order < 2 and all(kink for kink, _, _ in specs)):
                    self.picked.append((ufunc, _branch(specs, values), where))
                return
            if self.order < 2 and all(kink for kink, _, _ in specs):
                if _tie(specs, values):     # (a kink's side matters from second order:
                    self.kink_ties.append((ufunc, where))   # f(b) is one number,
                return          # attack50 11; unless a ramp narrower than the nodes sits
                #                 on the limit: _ramp_at)
            if not nan:
                self.picked.append((ufunc, _branch(specs, values), where))  # (its side
            if _tie(specs, values) and not (nan and _finite_at(ufunc, values)) and \
                    not self._inside(ufunc, values, nudge):     # 4 ulps inside too:
                self.seen.append((ufunc, where))    # a place one rounding outside the
            return                                  # limit, attack52 17)
        self.seen.append((ufunc, _branch(specs, values), where, inputs))

    def _touch(self, ufunc, inputs, caller):
        """``np.sqrt(u)`` / ``u ** 0.5`` of a moving real dual ``u >= 0`` (second
        derivatives on; ``caller``: the frame that called the watch): recorded as a kink
        whose place is the signed root (api/_touch.py), so that an argument that touches
        0 at a moving place without crossing it (``np.sqrt((x - p) ** 2)``, attack53 03)
        is confirmed and refused as ``np.abs``'s kink is."""
        if self.kinks:                  # (the ODE watch's first-order kinks: no touch)
            return
        u = touching(ufunc, inputs)
        if u is None:
            return
        frame = caller.f_back
        while frame.f_back is not None and frame.f_code.co_filename.startswith(_THROUGH):
            frame = frame.f_back
        if frame.f_code.co_filename.startswith(_SKIPPED):
            return                      # (dualgrad's own roots: a rule's, a norm's)
        found = root_sign(u)
        if found is None:
            return
        where = f"{os.path.basename(frame.f_code.co_filename)}, line {frame.f_lineno}"
        root = Root(u, found[0])        # (its dual made where examined: :meth:`_nodes`)
        self.seen.append((TOUCH, branch_of(*found), where,
                          (root,) if self.lazy_roots else (root.dual(),)))

    def _step(self, step, inputs, frame=None):
        """A smooth step (:func:`step_of`: ``np.tanh``, ``np.arctan``, erf, expit) on
        duals that move, where derivatives are integrated: its place's plain value here
        (its argument: the step lies where that is about 1 in size), filed under the
        node by :meth:`check` and judged once the rule has converged
        (:meth:`steps_resolved`)."""
        if self.limit is not None or self.levels is None:
            return
        if len(inputs) != 1:            # (logaddexp's: place x - y)
            if len(inputs) != step.nin or not _moves(list(inputs)):
                return
            with np.errstate(all="ignore"):
                z = step.specs[0][2](*[_plain(v) for v in inputs], None)
        else:                           # (the table's one-argument steps: place "x")
            z = inputs[0]
            if not _moves(z):
                return
            while isinstance(z, Dual):
                z = z.value
        if type(z) is not float and (type(z) is not np.ndarray or z.dtype.kind != "f"):
            z = np.asarray(z)
            if z.dtype.kind == "c" and not np.any(z.imag):
                z = z.real              # (on the real line: tanh(z + 0j).real, attack54 01)
            elif z.dtype.kind not in "fiu":
                return                  # (complex arguments: their cuts, not a step)
        frame = sys._getframe(3) if frame is None else frame
        kind = _FILES.get(frame.f_code.co_filename)
        while True:
            if kind is None:
                name = frame.f_code.co_filename
                kind = _FILES[name] = (name.startswith(_THROUGH), name.startswith(_SKIPPED),
                                       os.path.basename(name))
            if not kind[0] or frame.f_back is None:
                break
            frame = frame.f_back
            kind = _FILES.get(frame.f_code.co_filename)
        if kind[1]:
            return
        self.step_seen.append((step, f"{kind[2]}, line {frame.f_lineno}", z))

    def _file_steps(self, records, x, vectorized):
        """Files the smooth steps' places met at the nodes ``x`` (one float, or a
        ``vectorized`` func's nodes) under their place ``(step, line, k-th time)``."""
        if not vectorized:              # (one node: its place kept as it is, stacked
            if len(records) == 1:       # by steps_resolved)
                u, w, z = records[0]
                self.steps.setdefault((u, w, 0), []).append((x, z))
                return
            times = {}
            for u, w, z in records:
                k = times[u, w] = times.get((u, w), -1) + 1
                self.steps.setdefault((u, w, k), []).append((x, z))
            return
        n = len(x)
        xs = np.asarray(x, dtype=float).reshape(n)
        times = {}
        for u, w, z in records:
            k = times[u, w] = times.get((u, w), -1) + 1
            z = _node_axis(np.asarray(z, dtype=float), n)
            z = z.reshape(n, -1) if z.ndim and z.shape[0] == n else \
                np.broadcast_to(z.reshape(1, -1), (n, z.size))
            self.steps.setdefault((u, w, k), []).append((xs, z))

    def steps_resolved(self, lo, hi, vectorized, nodes=None, near=None, stalled=False):
        """Raises :class:`_Split` where a smooth step whose place the nodes recorded
        changes sign between two neighbouring nodes of the final rules (``nodes``, where
        known: a parent interval's node is no part of the sum) that lie more than
        ``_STEP_GAP`` of its argument apart: the step's change lies between them, and with it its
        partials' whole pulse (``d/dp tanh(s (x - p)) = -s sech^2``, of integral -2 over
        a width ``1 / s``), which no node evaluated (attack52 08c: s = 1e12 gave 0.0 for
        -2).  The integration restarts split at the step's place ``c`` and at ``c +- w
        R^j`` (``w``: the width over which its argument changes by 1, ``R`` =
        ``_STEP_RATIO``) out to the range's ends ``[lo, hi]``, whose rules sample the
        pulse and its tails (arctan's are algebraic) at every scale (an infinite
        range: out to :func:`_reach`, in its mapped variable; attack54 20).  A step
        narrower than the rounding of x is refused by name."""
        places = []
        for key, runs in self.steps.items():
            try:
                if all(type(r[1]) is float for r in runs):      # (one node a run, a
                    xs = np.array([r[0] for r in runs], dtype=float)    # number each)
                    Z = np.array([r[1] for r in runs])[:, None]
                else:
                    xs = np.concatenate([np.reshape(r[0], -1) for r in runs]).astype(float)
                    Z = np.concatenate([np.reshape(np.asarray(r[1], dtype=float),
                                                   (np.size(r[0]), -1)) for r in runs])
            except ValueError:          # (a place of changing shape: not compared)
                continue
            if nodes is not None:
                kept = np.isin(xs, nodes)
                xs, Z = xs[kept], Z[kept]
                for e in (lo, hi):
                    if np.isfinite(e):
                        self.quietly(e, end=True)   # (kept: the gap check reads them)
                ends = [(e, self._step_z(key, None, e, vectorized)) for e in (lo, hi)
                        if np.isfinite(e)]
                ends = [(e, z) for e, z in ends if z is not None and z.shape == Z.shape[1:]]
                if ends:                # (the range's ends too: a step between an end
                    xs = np.concatenate([xs, [e for e, _ in ends]])  # and its first node)
                    Z = np.concatenate([Z, [z for _, z in ends]])
            order = np.argsort(xs, kind="stable")
            xs, Z = xs[order], Z[order]
            with np.errstate(all="ignore"):
                za, zb = Z[:-1], Z[1:]
                far = (np.sign(za) * np.sign(zb) < 0) & (np.abs(zb - za) > _STEP_GAP)
                if self.order > 1 and stalled or near is not None:  # (a resolved
                    close = (np.sign(za) * np.sign(zb) < 0) & ~far  # crossing whose
                    for j, e in np.argwhere(close)[:_STEP_CROSSINGS].tolist():  # k-th
                        if self.order > 1 and stalled or abs(xs[j] - near) + abs(
                                xs[j + 1] - near) <= 4 * abs(xs[j + 1] - xs[j]) + \
                                1e-6 * max(abs(near), 1.0):
                            self._step_rounds(key, xs[j], za[j, e], xs[j + 1], zb[j, e])
                        #   coefficient's pulse x's floats miss, where the rule stopped
                        #   short (the limit: a resolved one at 1e5 within the tolerance,
                        #   attack54 14); at first order beside ``near``: arctan's
                        #   algebraic tails, attack54 01)
            for j, nb in ((0, 1), (len(xs) - 1, len(xs) - 2)):  # (a step on an end,
                if nodes is None or nb < 0 or xs[j] not in (lo, hi):    # or just outside
                    continue                # it: its pulse between the end and the first
                ze, zn = Z[j], Z[nb]        # node, no sign change; attack54 06)
                with np.errstate(all="ignore"):
                    ends_on = (np.abs(ze) < _STEP_REACH) & (np.abs(zn - ze) > _STEP_GAP) & \
                        ~(np.sign(ze) * np.sign(zn) < 0)
                for e in np.flatnonzero(ends_on)[:_STEP_CROSSINGS].tolist():
                    places += self._end_step_places(key, e, xs[j], float(ze[e]), xs[nb],
                                                    float(zn[e]), lo, hi, vectorized)
            found = np.argwhere(far)
            for j, e in found[:_STEP_CROSSINGS].tolist():
                places += self._step_places(key, e, xs[j], za[j, e], xs[j + 1], zb[j, e],
                                            lo, hi, vectorized)
            if len(found) > _STEP_CROSSINGS:
                raise _step_refused(key, xs[found[0][0]], None, "many")
        self.steps = {}
        if places:
            raise _Split(sorted(set(places)))

    def _end_step_places(self, key, e, xe, ze, xn, zn, lo, hi, vectorized):
        """The split points beside the range's end ``xe`` where the step ``key``'s
        element ``e`` sits on it or just outside (its place ``ze`` within
        ``_STEP_REACH`` units there) and its first node ``xn`` lies more than
        ``_STEP_GAP`` units in (``int_0^p tanh(s (x - p)) dx``: the place is 0 at the
        moving limit, half the pulse between it and the last node; attack54 06 gave
        0.0 for -1 from s = 1e5): the width ``w`` measured by halving toward the end,
        then ``xe +- w R^j`` inward (:meth:`_step_places`' ladder)."""
        b, zb = xn, zn
        for _ in range(_BISECTIONS):
            if abs(zb - ze) <= _STEP_GAP or abs(b - xe) <= 4 * _EPS * max(abs(xe), abs(b)):
                break
            m = xe + (b - xe) / 2
            zm = self._step_z(key, e, m, vectorized)
            if zm is None or zm != zm:
                return []               # (not run there: the branch watch's business)
            b, zb = m, zm
        w = abs(b - xe) / abs(zb - ze) if zb != ze else 0.0
        if abs(zb - ze) > _STEP_GAP or w ** self.order < _STEP_ULPS * np.spacing(abs(xe)):
            raise _step_refused(key, xe, b, "rounding")
        points, d, side = [], w, 1.0 if b > xe else -1.0
        while lo < xe + side * d < hi and d <= _reach(xe, lo, hi):
            points.append(xe + side * d)
            d *= _STEP_RATIO
        return points

    def _step_rounds(self, key, x0, z0, x1, z1):
        """Raises the refusal of a smooth step crossed between the neighbouring nodes
        ``x0`` / ``x1`` (its place ``z0`` / ``z1``, opposite signs, within
        ``_STEP_GAP``: the nodes resolve it) whose width ``w`` is too narrow for a
        ``k``-th order coefficient (``w^k`` under ``_STEP_ULPS`` ulps of x, the test
        :meth:`_step_places` applies to a split): its pulse ``s^k`` is resolved to x's
        floats only, and the adaptive rule's limit ends it (attack53 25: d2 of
        ``int tanh(s (x - p)) x dx`` at s = 1e10 gave -458.5 for -2 with only the
        limit's warning), where the rule stopped short (``stalled``: the limit; a
        resolved step the rule met its tolerances on is within them, attack54 14: d2 at
        s = 1e5 -2.000000018).  At first order where the rule stopped short beside its
        place (:meth:`steps_resolved`'s ``near``: arctan's algebraic tails at s = 1e11,
        whose partials look like a moving singularity's; attack54 01)."""
        w = abs(x1 - x0) / abs(z1 - z0)
        c = x0 + (x1 - x0) * z0 / (z0 - z1)
        if w ** self.order < _STEP_ULPS * np.spacing(abs(c)):
            raise _step_refused(key, float(x0), float(x1), "rounding")

    def _step_z(self, key, e, x, vectorized):
        """The place of the smooth step ``key``'s element ``e`` (``None``: all of them,
        flat) at the node ``x`` (func evaluated there), or ``None`` where that node does
        not run it (or func raises there)."""
        found = self.quietly(x)[1]
        if found is None:
            return None
        u, w, k = key
        hits = [z for v, where, z in found if v == u and where == w]
        if len(hits) <= k:
            return None
        z = np.ravel(hits[k])
        if e is None:                   # (every element)
            return z
        return float(z[e]) if z.size > e else None

    def quietly(self, x, end=False):
        """func at ``x`` with this watch's records left as they were: ``(row, steps)``,
        its coefficients and the smooth steps met there (``(None, None)`` where func
        raises there); kept for a range's ``end`` (the step and gap checks both read
        the ends)."""
        x = float(x)
        if x in self.ended:
            return self.ended[x]
        saved, saved_steps = self.seen, self.step_seen
        self.seen, self.step_seen = [], []
        try:
            with np.errstate(all="ignore"):
                got = self.probe(x), self.step_seen
        except Exception:   # noqa: BLE001 - (func at a range's end: log(x) at 0) unknown
            got = None, None
        finally:
            self.seen, self.step_seen = saved, saved_steps
        if end:
            self.ended[x] = got
        return got

    def _step_places(self, key, e, x0, z0, x1, z1, lo, hi, vectorized):
        """The split points around the crossing of the step ``key``'s element ``e``
        between the nodes ``x0`` (its place ``z0``) and ``x1`` (``z1``, the other sign):
        located by regula falsi and halvings until its place changes by at most
        ``_STEP_GAP`` across the bracket (:meth:`steps_resolved`)."""
        a, za, b, zb = float(x0), float(z0), float(x1), float(z1)
        for it in range(_BISECTIONS):
            if abs(zb - za) <= _STEP_GAP or abs(b - a) <= 4 * _EPS * max(abs(a), abs(b)):
                break
            m = a + (b - a) * za / (za - zb) if it % 2 == 0 else a + (b - a) / 2
            if not a < m < b:
                m = a + (b - a) / 2
                if not a < m < b:
                    break
            zm = self._step_z(key, e, m, vectorized)
            if zm is None or zm != zm:
                return []               # (not run there: the branch watch's business)
            if (zm < 0.0) == (za < 0.0):
                a, za = m, zm
            else:
                b, zb = m, zm
        c = a + (b - a) * za / (za - zb) if za != zb else a
        w = abs(b - a) / abs(zb - za) if a != b and za != zb else 0.0
        if abs(zb - za) > _STEP_GAP or w ** self.order < _STEP_ULPS * np.spacing(abs(c)):
            raise _step_refused(key, a, b, "rounding")     # (a rule's nodes, rounded to
            #                         x's floats, are off by ulp / w of the pulse: 1e-4 at
            #                         s = 1e12 around x = 1.3; a k-th order coefficient's
            #                         pulse is 1 / w^(k - 1) larger, its error ulp / w^k)
        points = [c]
        for side in (1.0, -1.0):
            d = w
            while True:
                q = c + side * d
                if not lo < q < hi or d > _reach(c, lo, hi):
                    break
                points.append(q)
                d *= _STEP_RATIO
        return points

    def _equal_at_limit(self, ufunc, inputs):
        """``==`` / ``!=`` of moving duals that hold at the moving limit: the point the
        equality singles out is the limit itself, and ``f(b) b'`` takes its value, not
        the inside's (``np.where(x == p, 0, g)`` over [0, p]; attack52 15): noted as a
        tie (:meth:`check_limit` refuses it)."""
        if not _moves(list(inputs)):
            return
        frame = sys._getframe(2)
        while frame.f_back is not None and frame.f_code.co_filename.startswith(_THROUGH):
            frame = frame.f_back
        if frame.f_code.co_filename.startswith(_SKIPPED):
            return
        with np.errstate(all="ignore"):
            a, b = (_plain(v) for v in inputs)
            if not np.any(np.asarray(a == b)):
                return
        where = f"{os.path.basename(frame.f_code.co_filename)}, line {frame.f_lineno}"
        self.seen.append((ufunc, where))

    def _met(self, ufunc, places, inputs):
        """A NaN source (:func:`_nan_edge`; ``places``: its place on floats, and as the
        table compiles it) while its edges are not recorded (``self.nan`` False): notes
        in ``self.nan_met`` whether its real arguments are past the edge (NaN) on duals
        that move, so that the owner integrates again recording every NaN source's side
        (:meth:`check` raises :class:`NaNMet`).  Smooth integrands (np.log, np.sqrt
        inside their domains) pay this one test.  Returns whether the arguments are
        complex (no NaN edge: the caller watches their cut)."""
        on_floats, found = places
        if len(inputs) == 1:            # (the usual case, first order: ~1 us a call)
            v = inputs[0]
            while isinstance(v, Dual):
                v = v.value
            values, plain = (v,), type(v) in _NUMBERS
        else:
            values = [primal(v) for v in inputs]
            plain = all(type(v) in _NUMBERS for v in values)
        if on_floats is not None and plain:
            try:
                for place in on_floats:
                    if not place(*values, None) >= 0.0:
                        break
                else:
                    return False
            except (ArithmeticError, ValueError):
                pass
        elif _complex_in(values):
            return True
        elif not self.nan_met:
            with np.errstate(all="ignore"):
                for place in found:     # (ndarray.any: np.any's dispatch cost ~5 us)
                    if np.asarray(np.real(place(*values, None)) < 0.0).any():
                        break
                else:
                    return False
        if not self.nan_met and _moves(list(inputs)):
            self.nan_met = True
        return False

    def _inside(self, ufunc, values, nudge):
        """Whether a tie at the moving limit takes the side inside the range: known
        where the reporter names which input is x (``nudge``: a density's support end
        moving with the limit, ``int_p^inf x expon.pdf(x, loc=p)``), by ``ufunc``'s
        plain result (the tie's own side, ``<=``'s True) at x moved a little into the
        range; an unnamed tie has no known side."""
        if nudge is None or not callable(ufunc):    # (a reported place: unknown)
            return False
        moved = list(values)
        x = np.real(moved[nudge])
        moved[nudge] = x + self.inward * 1e-9 * np.maximum(np.abs(x), 1.0)
        with np.errstate(all="ignore"):
            return _same(np.asarray(ufunc(*values)), np.asarray(ufunc(*moved)))

    def start(self):
        self.seen, self.picked, self.kink_ties = [], [], []
        if self.levels is not None:
            self.step_seen = []

    def check(self, x, vectorized, keep=False):
        """Compares the branches recorded for the nodes ``x`` with those of the nodes
        before (and ends the nodes' record, or with ``keep`` starts the next)."""
        seen, self.seen = self.seen, [] if keep else None
        steps = self.step_seen
        if steps is not None:
            self.step_seen = [] if keep else None
            if steps:
                self._file_steps(steps, x, vectorized)
        if self.nan_met and not self.nan:
            self.seen = None
            raise NaNMet()
        if not seen:
            return
        n = len(x) if vectorized else 1
        if vectorized:
            seen = [(u, _node_axis(o, n), w, inputs) for u, o, w, inputs in seen]
        first = self.first              # per place: (ufunc, line, k-th time there)
        for i in range(n):              # -> its nodes in order, each node's branch,
            xi = float(x[i]) if vectorized else float(x)    # and the crossings cleared
            times = {}                  # (a node may run other places than another:
            for u, o, w, _ in seen:     # an `if` on plain x, attack49 02)
                b = o[i] if vectorized and o.ndim and o.shape[0] == n else o
                k = times[u, w] = times.get((u, w), -1) + 1
                met = first.get((u, w, k))
                bk = _key(b)
                if met is None:
                    first[u, w, k] = ([xi], [bk], [])
                    continue
                xs, keys, cleared = met
                j = bisect.bisect_left(xs, xi)
                if j < len(xs) and xs[j] == xi:
                    continue
                # each crossing between neighbouring nodes is confirmed: a place met
                # again elsewhere (a pulse's other edge) is another crossing (attack50 09)
                for nb in (j - 1, j):
                    if not 0 <= nb < len(xs) or keys[nb] == bk:
                        continue
                    lo, hi = min(xs[nb], xi), max(xs[nb], xi)
                    # a pair inside a confirmed bracket whose branches the confirmation's
                    # points predict: its crossings were confirmed (only those: a vector
                    # of thresholds crosses at several places; attack51 15)
                    if any(a <= lo and hi <= c and _predicts(pts, xs[nb], keys[nb]) and
                           _predicts(pts, xi, bk) for a, c, pts in cleared):
                        continue
                    if u is TOUCH and self.probe and not vectorized:
                        known = self._root_jumps(w, k, xs[nb], xi)
                        if known is not None:   # (no touch: the signed root jumps)
                            cleared.append((lo, hi, sorted(known, key=lambda q: q[0])))
                            continue
                    if self.probe:
                        refused, known = self._confirm(u, w, k, xs[nb], xi, vectorized)
                    else:
                        refused, known = (xs[nb], xi, any(
                            kink for kink, _, _ in branch_functions(u))), ()
                    if refused:
                        self.seen = [] if keep else None
                        raise _moving(u, w, *refused)
                    cleared.append((lo, hi, sorted(known, key=lambda q: q[0])))
                xs.insert(j, xi)
                keys.insert(j, bk)

    def _root_jumps(self, w, k, x0, x1):
        """Where the signed root of a square root's argument (:data:`TOUCH`, api/_touch.py)
        changes sign between the nodes ``x0`` and ``x1`` by a jump, not through 0 (the
        argument's partial changes sign where the argument is far from 0:
        ``np.sqrt(1 + (x - p) ** 2)``): the points examined (``(x, key)``, as
        :meth:`_confirm` gives them), else ``None`` (a touch, or not told: confirmed
        as usual).  Six halvings of the bracket: a root through 0 shrinks with it,
        one that jumps keeps its size (the confirmation's ~55 evaluations of ``func``
        cost a Hessian 5x its time there)."""
        key = (TOUCH, w, k)

        def at(x):
            r = self._at(x, key, False)[1]
            return (None, None) if r is None else (np.ravel(_plain(r[1][0])), r)

        (pa, ra), (pb, rb) = at(x0), at(x1)
        if pa is None or pb is None or pa.shape != pb.shape:
            return None
        flips = np.flatnonzero(np.sign(pa) != np.sign(pb))
        if flips.size != 1:
            return None
        e = int(flips[0])
        a, b, va, vb = x0, x1, float(pa[e]), float(pb[e])
        top = max(abs(va), abs(vb))
        known = [(x0, _record_key(ra)), (x1, _record_key(rb))]
        for _ in range(6):
            m = a + (b - a) / 2
            pm, rm = at(m)
            if pm is None or pm.shape != pa.shape or not np.isfinite(pm[e]):
                return None
            known.append((m, _record_key(rm)))
            if np.sign(pm[e]) == np.sign(va):
                a, va = m, float(pm[e])
            else:
                b, vb = m, float(pm[e])
        return known if min(abs(va), abs(vb)) > 0.25 * top else None

    def _at(self, x, key, vectorized):
        """``func``'s coefficients at the node ``x`` and its ``k``-th record of the place
        ``key = (ufunc, line, k)`` (``None`` where that node does not run it)."""
        return self._nodes([x], key, vectorized, self.probe)[0]

    def _nodes(self, xs, key, vectorized, probe):
        """:meth:`_at` of each node of ``xs``, evaluated by ``probe`` (one node, or a
        ``vectorized`` func's nodes in one call)."""
        saved, self.seen = self.seen, []
        saved_steps, self.step_seen = self.step_seen, None
        try:
            C = np.asarray(probe(xs[0] if probe is self.probe else np.array(xs)))
            seen = self.seen
        finally:
            self.seen, self.step_seen = saved, saved_steps
        if probe is self.probe:
            C = C[None]
        u, w, k = key
        hits = [r for r in seen if r[0] == u and r[2] == w]
        if len(hits) <= k:
            return [(Ci, None) for Ci in C]
        _, o, _, inputs = hits[k]
        if u is TOUCH and type(inputs[0]) is Root:
            inputs = (inputs[0].dual(),)
        n = len(xs)
        if vectorized:
            o = _node_axis(o, n)
        per = vectorized and o.ndim and o.shape[0] == n
        return [(C[i], (o[i] if per else o, inputs)) for i in range(n)]

    def _confirm(self, u, w, k, x0, x1, vectorized):
        """Whether the branch of the place ``(u, w, k)``, taking one side at the node
        ``x0`` and another at ``x1``, is a jump or a kink of ``func`` whose place moves:
        ``((lo, hi, kink), known)`` (the crossing's bracket) where it is, else ``(None,
        known)``; ``known``: the ``(x, key)`` of the points examined (each crossing's
        bracket among them), which :meth:`check` reads to skip node pairs inside.
        Every crossing between the nodes is confirmed, one after another from ``x0``
        (a vector of thresholds changes branch at several places between two nodes,
        one continuous and one a jump; attack51 15), each located by bisection
        (:meth:`_locate`) and judged by :meth:`_crossing`."""
        key = (u, w, k)
        C0, r0 = self._at(x0, key, vectorized)
        C1, r1 = self._at(x1, key, vectorized)
        known = [(x0, _record_key(r0)), (x1, _record_key(r1))]
        if r0 is None or r1 is None:
            return (x0, x1, False), known
        span = abs(x1 - x0)
        lo, Clo, rlo = x0, C0, r0
        crossings = []
        for _ in range(_CROSSINGS):
            if _same(rlo[0], r1[0]):
                self._pulses(key, crossings, span, vectorized)
                return None, known
            lo, hi, Clo, Chi, rlo, rhi = self._locate(key, lo, Clo, rlo, x1, C1, r1,
                                                      span, vectorized)
            known += [(lo, _record_key(rlo)), (hi, _record_key(rhi))]
            refused = self._crossing(u, key, lo, hi, Clo, Chi, rlo, rhi, span, vectorized)
            if refused is not None:
                return refused, known
            crossings.append((lo, hi, Clo, Chi, rlo, rhi))
            if rhi is None:             # (the place not run there: an `if` on plain x)
                self._pulses(key, crossings, span, vectorized)
                return None, known
            lo, Clo, rlo = hi, Chi, rhi
        return (x0, x1, False), known   # (more crossings than are confirmed: refused)

    def _pulses(self, key, crossings, span, vectorized):
        """Raises :class:`_Split` where two continuous crossings found between the same
        two nodes bound a piece whose coefficients differ from both sides' and from
        their mean by more than the tolerance over its width (a ramp np.clip(s (x - p),
        0, 1) of width 1 / s: its partial -s there, 0 on both sides, which no node of
        the rule samples; attack52 08): the integration restarts split at the piece's
        ends, each located to 4 ulps.  Where derivatives are not integrated (SciPy's
        float path), nothing."""
        if self.levels is None or not crossings:
            return
        if self.end is not None:        # (the piece from the last crossing to a touched
            lo, hi, Clo, Chi, rlo, rhi = crossings[-1]      # end, which no node samples:
            with np.errstate(all="ignore"):                 # attack53 12's kink)
                tol = np.maximum(self.epsabs, self.epsrel * span *
                                 np.maximum(np.abs(Clo), np.abs(Chi)))
                if np.any(abs(self.end - hi) * np.abs(Chi - Clo) > tol):
                    if rlo is not None and rhi is not None:
                        floor = 4 * _EPS * max(abs(lo), abs(hi))
                        lo, hi = self._locate(key, lo, Clo, rlo, hi, Chi, rhi, span,
                                              vectorized, width=floor)[:2]
                    raise _Split([lo + (hi - lo) / 2])
        if len(crossings) < 2:
            return
        flagged = set()
        for i, (a, b) in enumerate(zip(crossings, crossings[1:])):
            L, P0, P1, R = a[2], a[3], b[2], b[3]
            with np.errstate(all="ignore"):
                P = (P0 + P1) / 2
                off = np.minimum.reduce([np.abs(P - L), np.abs(P - R),
                                         np.abs(P - (L + R) / 2)])
                tol = np.maximum(self.epsabs, self.epsrel * span *
                                 np.maximum(np.abs(L), np.abs(R)))
                if np.any(abs(b[0] - a[1]) * off > tol):
                    flagged.update((i, i + 1))
        places = []
        for i in sorted(flagged):
            lo, hi, Clo, Chi, rlo, rhi = crossings[i]
            if rlo is not None:
                floor = 4 * _EPS * max(abs(lo), abs(hi))
                lo, hi = self._locate(key, lo, Clo, rlo, hi, Chi, rhi, span, vectorized,
                                      width=floor)[:2]
            places.append(lo + (hi - lo) / 2)
        if places:
            raise _Split(places)

    def _locate(self, key, lo, Clo, rlo, hi, Chi, rhi, span, vectorized, width=None):
        """The first crossing from ``lo`` (the branch ``rlo[0]``) towards ``hi``, by
        bisection (a ``vectorized`` func: 20 nodes a call) to ``width`` (default 1e-10
        of the nodes' distance ``span`` and 4 ulps): ``(lo, hi, Clo, Chi, rlo, rhi)``,
        ``lo`` on ``rlo``'s branch and ``hi`` the nearest other point met."""
        b0 = rlo[0]
        if width is None:
            width = 1e-10 * span + 4 * _EPS * max(abs(lo), abs(hi))
        many = vectorized and self.probe_nodes is not None
        moved = False
        for _ in range(_BISECTIONS):
            if abs(hi - lo) <= width:
                break
            xs = lo + (hi - lo) * np.arange(1, 21) / 21 if many else [lo + (hi - lo) / 2]
            xs = [float(v) for v in xs if v != lo and v != hi]
            if not xs:
                break
            found = self._nodes(xs, key, vectorized, self.probe_nodes if many else
                                self.probe)
            moved = True
            for xm, (Cm, rm) in zip(xs, found):
                if rm is not None and _same(rm[0], b0):
                    lo, Clo, rlo = xm, Cm, rm
                else:
                    hi, Chi, rhi = xm, Cm, rm
                    break
        if many and moved:              # (one node's own record: the inputs' slopes)
            Clo, rlo = self._at(lo, key, vectorized)
            Chi, rhi = self._at(hi, key, vectorized)
        return lo, hi, Clo, Chi, rlo, rhi

    def _jumps(self, key, lo, hi, Clo, Chi, span, vectorized):
        """Which of ``func``'s coefficients jump across the bracket ``[lo, hi]``
        (``func``'s slope beside it, times the bracket, and 1e3 roundings of func's
        size allowed): ``(jumps, need, (rm, rp))``, ``need`` the bracket's width below which
        a difference judged smooth would be told from the slope (inf: none), ``rm`` /
        ``rp`` the records at ``c -+ h`` beside the bracket (``lo``'s side first)."""
        c = lo + (hi - lo) / 2
        h = min(max(1e-7 * max(abs(c), 1.0), 1e3 * abs(hi - lo)), span / 4)
        Cm, rm = self._at(c - h if lo < hi else c + h, key, vectorized)
        Cp, rp = self._at(c + h if lo < hi else c - h, key, vectorized)
        with np.errstate(all="ignore"):
            # func's slope beside the crossing, each side's own (|x - c|'s two halves
            # cancel in a difference across it)
            slope = np.maximum.reduce([np.abs(Cp - Cm) / (2 * h),
                                       np.abs(Cp - Chi) / (c + h - max(lo, hi)),
                                       np.abs(Clo - Cm) / (min(lo, hi) - (c - h))])
            smooth = 4 * slope * abs(hi - lo)
            scale = np.maximum.reduce([np.where(np.isfinite(C), np.abs(C), 0.0)
                                       for C in (Clo, Chi, Cm, Cp)])
            # (func's own scale, not epsabs: a cross-section's 1e-20 step is a jump)
            tol = 1e3 * _EPS * scale        # (rounding of a large smooth part: a jump of 1
            #                                 beside 1e10 exp(-x) is one; attack50 19)
            step = np.abs(Chi - Clo)
            jumps = ~(step <= smooth + tol) | \
                (np.isfinite(Clo) != np.isfinite(Chi)) | \
                (~np.isfinite(smooth) & (step > tol))   # (NaN, inf: a jump; a slope
            #                     that overflowed tells nothing: 1e304 beside e^(1000 x)'s
            #                     partials past 1e308, attack53 04)
            # a jump within the slope's bound: the bracket that tells it from the slope
            unsure = ~jumps & ~(step <= tol)
            need = float(np.min(np.where(unsure, step / (8 * slope), np.inf), initial=np.inf))
        return jumps, need, (rm, rp)

    def _crossing(self, u, key, lo, hi, Clo, Chi, rlo, rhi, span, vectorized):
        """Whether the crossing bracketed by ``[lo, hi]`` (records ``rlo`` / ``rhi``) is a
        jump or a kink of ``func`` whose place moves: ``(lo, hi, kink)`` or ``None``.
        ``func``'s coefficients are compared across it (a loop's stopping test, a
        maximum of continuous pieces: no coefficient jumps); where a difference is
        within ``func``'s slope times the bracket, the bracket is narrowed to rounding
        first (a jump of 1 beside 1e12 exp(-x); attack51 01).  The place moves in a
        level where its derivative in the level at the crossing is nonzero
        (:func:`_place_moves`: ``|p cos x|``'s kink at pi / 2 does not move).  A jump
        of a coefficient not yet differentiated in a level that moves the place loses
        a term."""
        floor = 4 * _EPS * max(abs(lo), abs(hi))
        if self.cusp_at and abs(hi - lo) <= 64 * floor and any(
                abs(v - (lo + hi) / 2) <= 64 * floor for v in self.cusp_at):
            return None     # (nodes ulps beside a partial's cusp split at, where the
        #                     bracket tells nothing: the split's confirmation holds)
        jumps, need, beside = self._jumps(key, lo, hi, Clo, Chi, span, vectorized)
        while need < abs(hi - lo) and abs(hi - lo) > floor and rlo is not None:
            was = abs(hi - lo)
            lo, hi, Clo, Chi, rlo, rhi = self._locate(
                key, lo, Clo, rlo, hi, Chi, rhi, span, vectorized, width=max(need, floor))
            found, need, beside = self._jumps(key, lo, hi, Clo, Chi, span, vectorized)
            jumps = jumps | found       # (a jump told at the wider bracket stays one: a
            if not abs(hi - lo) < was:  # density's support test and its formula's
                break                   # switch may be ulps apart)
        if not np.any(jumps):
            return None
        moving = set() if rlo is None or rhi is None else \
            {tag for tag in _tags(rlo[1]) if _place_moves(u, rlo, rhi, tag, beside)}
        if rlo is not None and rhi is not None and not moving and \
                _moves_beyond_first(u, rlo, rhi, beside):
            moving = set(_tags(rlo[1]))     # (c = 1 + (p - 1)^2 at p = 1: a jump's
                                            # second-order term J c''; attack50 15)
        kink = not bool(jumps.flat[0])
        if self.levels is None:         # SciPy's float path: the value alone
            return (lo, hi, kink) if moving else None
        for tag in moving:
            axis = self.levels.get(tag)
            if axis is not None and np.any(np.take(jumps, 0, axis=axis)):
                if not kink and self._cusp(key, lo, hi, Clo, Chi, span, vectorized):
                    kink = "slope"
                elif kink is True and self._partial_cusps(
                        key, lo, hi, Clo, Chi, rlo, rhi, jumps, moving, span, vectorized):
                    return None
                if _nan_edge(u) and _underflowed(Clo, Chi):
                    kink = "overflow"
                return (lo, hi, kink)
        return None

    def _partial_cusps(self, key, lo, hi, Clo, Chi, rlo, rhi, jumps, moving, span,
                       vectorized):
        """Whether every coefficient that :meth:`_jumps` found jumping across ``[lo,
        hi]`` (func's value continuous), among those a moving level has not yet
        differentiated, is continuous there with an infinite slope (a partial
        ``|x - c|^a``, ``0 < a < 1``: ``((x - p) ** 2) ** 0.75``'s first partial at
        second order, attack56 25): its next derivative holds no delta term, only an
        integrable ``|x - c|^(a - 1)``.  The change out to ``c -+ h`` must shrink by
        ``64^0.45`` towards ``c -+ h / 64`` (``a >= 0.45``, :data:`_CUSP_SHRINK`; a
        divergence, ``|x - c|^(-a)``, grows), and the change across the bracket
        (located to 4 ulps) stay within 2.5 times the cusp's own there, ``(width /
        h)^a`` of the change out to ``h`` (a jump beside the cusp is one).  True
        where the place already ends an interval (:attr:`cusp_at`); otherwise the integration restarts split at the
        place located to 4 ulps (:class:`_Split`: no node meets it, and the rule need
        not resolve the singular partial across it)."""
        relevant = np.zeros(jumps.shape, dtype=bool)
        for tag in moving:
            axis = self.levels.get(tag)
            if axis is None:
                continue
            index = [slice(None)] * jumps.ndim
            index[axis] = 0
            relevant[tuple(index)] = True
        relevant &= jumps
        if not relevant.any() or rlo is None or rhi is None:
            return False
        c = lo + (hi - lo) / 2
        floor = 4 * _EPS * max(abs(lo), abs(hi))
        split = any(abs(v - c) <= 2 * abs(hi - lo) + 2 * floor for v in self.cusp_at)
        if split and min(1e-7 * max(abs(c), 1.0), span / 4) <= 64 * floor:
            return True     # (nodes ulps either side of a split place: the cusp was
        #                     confirmed where the split was made)
        lo, hi, Clo, Chi = self._locate(key, lo, Clo, rlo, hi, Chi, rhi, span,
                                        vectorized, width=floor)[:4]
        c = lo + (hi - lo) / 2          # (to 4 ulps: |x - c|^0.25's change across the
        h = min(max(1e-7 * max(abs(c), 1.0), 1e3 * abs(hi - lo)), span / 4)  # bracket
        changes = []                    # is then far under its change beside it)
        for t in (h, h / 64):
            Cm = self._at(c - t if lo < hi else c + t, key, vectorized)[0]
            Cp = self._at(c + t if lo < hi else c - t, key, vectorized)[0]
            with np.errstate(all="ignore"):
                changes.append(np.maximum(np.abs(Cp - Chi), np.abs(Clo - Cm)))
        far, near = changes
        with np.errstate(all="ignore"):
            across = np.abs(Chi - Clo)
            a = np.log(far / near) / np.log(64.0)       # (|x - c|^a's exponent)
            # the change across the bracket no larger than the cusp's own there: a
            # jump beside it (|x - p|^1.5 + 1e-5 |x - p|) is one
            cusp = np.isfinite(far) & np.isfinite(near) & np.isfinite(across) & \
                (_CUSP_SHRINK * near < far) & \
                (across <= 2.5 * far * (abs(hi - lo) / h) ** np.minimum(a, 1.0))
        if not bool(np.all(cusp[relevant])):
            return False
        if split:
            return True
        raise _Split([c], _CUSP_LIMIT)

    def _cusp(self, key, lo, hi, Clo, Chi, span, vectorized):
        """Whether a value that :meth:`_jumps` found jumping across ``[lo, hi]`` is
        continuous with an infinite slope there (``|x - p|^a``, 0 < a < 1): its change
        on each side out to ``c -+ h`` (``h`` ~1e3 brackets) far larger than across the
        bracket, where a jump's is smaller (attack54 03: ``x |x - p|^0.5`` was refused
        as "a jump")."""
        c = lo + (hi - lo) / 2
        h = min(max(1e-7 * max(abs(c), 1.0), 1e3 * abs(hi - lo)), span / 4)
        Cm = np.ravel(self._at(c - h if lo < hi else c + h, key, vectorized)[0])
        Cp = np.ravel(self._at(c + h if lo < hi else c - h, key, vectorized)[0])
        lo_v, hi_v = np.ravel(Clo)[0], np.ravel(Chi)[0]
        with np.errstate(all="ignore"):
            across = abs(hi_v - lo_v)
            beside = max(abs(Cp[0] - hi_v), abs(lo_v - Cm[0]))
        return bool(np.isfinite(beside) and beside > 4 * across)

    def check_limit(self, end):
        seen, self.seen = self.seen, None
        if seen:
            u, w = seen[0]
            if u in _EQUALITY:
                raise errors.bad_type(
                    _WHO, "func to take one side at a limit that moves (its term f(b) b')",
                    f"{_spelled(u)} on duals holding at the limit x = {end!r} ({w}): the "
                    "limit is the point the equality singles out, and f(b) takes that "
                    "point's value, not the inside's",
                    "Drop the equality at the moving end (a guard against 0 / 0 there: "
                    "write the limit's value itself, or integrate to the end without "
                    "the test; the integral does not see one point).")
            raise errors.bad_type(
                _WHO, "func to take one side at a limit that moves (its term f(b) b')",
                f"{_spelled(u)} on duals at its branch point x = {end!r} ({w}): the "
                "limit sits on a jump (or a kink) of func, whose side there is a tie",
                "Integrate each branch as its own func over its own range, "
                "dg.quad(g1, a, c)[0] + dg.quad(g2, c, b)[0], with no comparison of x "
                "with c left inside g1 or g2.")


def _finite_at(ufunc, values):
    """Whether ``ufunc`` is finite at a domain's edge (``sqrt(0)``, ``arccos(1)``: the side
    inside the domain; ``log(0) = -inf`` is a side of its own, which
    ``np.isfinite`` tells apart; a reported edge, a ppf's, is not known)."""
    if not callable(ufunc):
        return False
    with np.errstate(all="ignore"):
        out = ufunc(*values)
    return bool(np.all(np.isfinite(out[0] if isinstance(out, tuple) else out)))


def _node_axis(o, n):
    """A vectorized record's nodes' axis first (it is the first, else the last, of
    length ``n``)."""
    if o.ndim and o.shape[0] != n and o.shape[-1] == n:
        return np.moveaxis(o, -1, 0)
    return o


def _reach(c, lo, hi):
    """How far from ``c`` a narrow step's split ladder goes: to the range's ends
    where both are finite; over an infinite range (split in its mapped variable, whose
    rule resolves scales of order ``1 + |x|`` itself) to ``_STEP_FAR (1 + |c|)``."""
    if np.isfinite(lo) and np.isfinite(hi):
        return np.inf
    return _STEP_FAR * (1.0 + abs(c))


def _step_refused(key, x0, x1, why):
    """The refusal of a smooth step (:meth:`_Watch.steps_resolved`) that a split does
    not resolve: narrower than the rounding of x, or crossed too often."""
    step, where, _ = key
    name = _spelled(step).replace(" (a smooth step)", "")
    at = f"at x = {x0!r}" if x1 is None else f"between x = {x0!r} and x = {x1!r}"
    reason = {"rounding": "too narrow for x's floats there (a rule's nodes, rounded to "
              "x's floats, miss its derivatives' pulse by ulp / width^k at order k: "
              f"width^k under {_STEP_ULPS:.0e} ulps)",
              "many": f"at more than {_STEP_CROSSINGS} places"}[why]
    return errors.bad_type(
        _WHO, "func's smooth steps (np.tanh, np.arctan, erf, expit of a steep argument) "
        "wider than the rule's nodes, or wide enough for x's floats that dg.quad splits "
        "the range around them",
        f"{name} on duals that carry partials ({where}) stepping {at}, {reason}: its "
        "partials' pulse (d/dp tanh(s (x - p)) = -s sech^2, of integral -2 over a width "
        "1 / s) lies where no node evaluates func",
        f"Write the step as its limit on each side (it differs from its limit by about "
        "its width times its size) and split the range at its place c: dg.quad(g_below, "
        "a, c)[0] + dg.quad(g_above, c, b)[0] (the moving limits carry the term "
        "exactly); or integrate a finite piece around the step, dg.quad(f, c - d, c + "
        "d)[0], which dg.quad splits, plus the tails.")


def _spelled(ufunc):
    """``np.less (<)`` for a comparison, ``np.floor`` else."""
    symbol = {np.less: "<", np.less_equal: "<=", np.greater: ">",
              np.greater_equal: ">=", np.equal: "==", np.not_equal: "!="}.get(ufunc)
    name = ufunc.__name__
    special = sys.modules.get("scipy.special")
    prefix = "scipy.special" if type(ufunc) is np.ufunc and special is not None and \
        getattr(special, name, None) is ufunc and getattr(np, name, None) is not ufunc \
        else "np"
    name = name if "." in name else f"{prefix}.{name}"
    return f"{name} ({symbol})" if symbol else name


def _underflowed(Clo, Chi):
    """Whether func's value across an overflow edge is 0 on one side and under 1e-280 on
    the other (an underflow: continuous) while its partials are not all finite on the 0
    side (inf / inf past exp's overflow; attack57 10: ``x**2 / (1 + np.exp(x - p))``
    was refused as "a jump of func")."""
    a, b = np.ravel(Clo), np.ravel(Chi)
    with np.errstate(all="ignore"):
        for zero, other in ((a, b), (b, a)):
            if zero[0] == 0.0 and abs(other[0]) < 1e-280 and \
                    not np.all(np.isfinite(zero)):
                return True
    return False


def _moving(ufunc, where, x0, x1, kink):
    if kink == "overflow":              # (attack57 10: no jump, a partial unknown)
        return errors.bad_type(
            _WHO, "func's partials finite wherever its value is (dg.quad integrates them "
            "beside it)",
            f"{_spelled(ufunc)} on duals that carry partials ({where}) overflowing "
            f"between x = {x0!r} and x = {x1!r}, where func's value underflows to 0 "
            "(continuously) and its partials past the overflow are not finite (inf / "
            "inf or inf * 0 inside func: their limit there, 0 or not, is not known to a "
            "rule)",
            "Spell func so that nothing overflows (1 / (1 + np.exp(z)) as "
            "scipy.special.expit(-z), sech(z) as 2 * np.exp(-np.abs(z)) / (1 + "
            "np.exp(-2 * np.abs(z)))), or integrate up to a finite limit before x = "
            f"{min(x0, x1)!r}, beyond which func is 0 in floats.")
    what = "a kink (a jump of its first derivative: second derivatives lose a " \
        "delta term)" if kink else "a jump"
    if kink == "slope":                 # (attack54 03: a continuous cusp)
        return errors.bad_type(
            _WHO, "func's branches to stay put as the parameters move, or its partials "
            "integrable beside them (dg.quad takes the derivatives under the integral "
            "sign)",
            f"{_spelled(ufunc)} on duals that carry partials ({where}) taking one branch "
            f"at x = {x0!r} and another at x = {x1!r}, where func is continuous with an "
            "infinite slope (a cusp |x - c|^a, 0 < a < 1) whose place moves with the "
            "parameters: its partials grow like |x - c|^(a - 1) there, no node lands on "
            "it, and the rule (no extrapolation) does not converge beside it",
            "Split the range at the moving place c and make it a limit: dg.quad(f, a, "
            "c)[0] + dg.quad(f, c, b)[0] with c the dual place (an infinite slope at a "
            "moving limit is substituted exactly).")
    orders = [k for k, _, _ in branch_functions(ufunc)]
    if orders and min(orders) == 2:
        what = "a jump of its second derivative (third derivatives lose a term)"
    if isinstance(ufunc, Branches) and "cut" in (b[0] for b in ufunc.branch):
        what = "its branch cut (a jump of the principal value: 2 pi i for a logarithm)"
    if _nan_edge(ufunc):                # (attack50 07: NaN masking)
        name = _spelled(ufunc)
        return errors.bad_type(
            _WHO, "func's branches to stay put as the parameters move (dg.quad takes the "
            "derivatives under the integral sign)",
            f"{name} on duals that carry partials ({where}) crossing the edge of its "
            f"real domain (NaN past it) or of its finite values (an overflow to inf) "
            f"between x = {x0!r} and x = {x1!r}: {what} of "
            "func there (the NaN made a number by np.where on np.isnan / np.isfinite, "
            "np.nan_to_num, np.nansum or np.fmax, or kept: a NaN / inf integral) whose place "
            "moves with the parameters, whose boundary term the partials do not hold",
            f"Integrate over the domain alone: split the range at the moving edge c where "
            f"{name}'s argument leaves its domain (or its value overflows), dg.quad(g, "
            "c, b)[0] (the moving limit "
            "carries the term exactly), with no NaN test left inside g; where the edge "
            "does not move, compare plain values (dg.stop_gradient(p)).  An overflow "
            "func's value comes back from (1 / np.cosh(p * x) far out, a partial inf / "
            "inf) is spelled without it: sech(z) as 2 * np.exp(-np.abs(z)) / (1 + "
            "np.exp(-2 * np.abs(z))), 1 / (1 + np.exp(z)) as scipy.special.expit(-z).")
    return errors.bad_type(
        _WHO, "func's branches to stay put as the parameters move (dg.quad takes the "
        "derivatives under the integral sign)",
        f"{_spelled(ufunc)} on duals that carry partials ({where}) taking one branch "
        f"at x = {x0!r} and another at x = {x1!r}: {what} whose place moves with the "
        "parameters, whose boundary term the partials do not hold",
        "Split the range at the moving place c and integrate each branch over its own "
        "range, dg.quad(g1, a, c)[0] + dg.quad(g2, c, b)[0] (the moving limits carry "
        "the term exactly; no comparison of x with c left inside g1 or g2). Where the "
        "place does not move, compare plain values (dg.stop_gradient(p)).")


class _OneNode:
    """A ``vectorized=True`` func for SciPy's float path (and sparsity detection): called
    on one node as a 1-element array, its one value returned."""

    def __init__(self, func):
        self.func = func

    def __call__(self, x, *args):
        out = self.func(np.array([x], dtype=float), *args)
        return out[0] if np.ndim(out) else out


class _WatchedNode(Watched):
    """``func`` on SciPy's float path, its branches on duals watched node by node (a
    plain func pays one read of an empty list a node)."""

    def __init__(self, fun, watch, args):
        super().__init__(fun)
        self.watch, self.args = watch, args
        watch.probe = self.probe
        watch.start()

    def probe(self, x):
        """func's value at the node ``x`` (the watch's confirmation of a branch): its
        real and imaginary parts (complex_func=True: a jump in the imaginary part alone
        was judged continuous, attack51 17; 0 for a real func)."""
        v = complex(primal(self.fun(x, *self.args)))
        return np.array([v.real, v.imag])

    def __call__(self, x, *args):
        try:                            # dualgrad's refusals (this watch's, a nested
            out = self.fun(x, *args)    # dg.quad's, float(d)'s) leave QUADPACK's
            if self.watch.seen:         # callback as themselves, not as a TypeError
                self.watch.check(x, False, keep=True)     # SciPy's call raised
        except errors.DualTypeError as exc:
            raise _Refused(exc) from None
        kind = type(out)
        return out if kind is float or kind is _F64 else self.passed(out)


class _Split(Exception):
    """Places (plain x) where the integration restarts split (:meth:`_Watch._pulses`)."""

    def __init__(self, places, extra=0):
        super().__init__("split")
        self.places, self.extra = places, extra


class NaNMet(Exception):
    """A NaN source past its domain's edge on duals that move, met by a :class:`_Watch`
    that does not record them (its ``nan`` False): integrate again with ``nan`` set."""


class _Refused(Exception):
    def __init__(self, error):
        super().__init__("refused")
        self.error = error


class _Integrand:
    """``func``'s coefficients at float nodes: an ``(n, size)`` real array per call."""

    def __init__(self, func, args, levels, complex_func, vectorized):
        self.func, self.args, self.vectorized = func, args, vectorized
        self.tags = list(levels)
        self.index = {tag: i for i, tag in enumerate(self.tags)}
        self.dims = tuple(1 + k for k in levels.values())
        self.size = math.prod(self.dims)
        self.complex_func = complex_func
        self.neval = 0
        self.watch = _Watch(len(self.tags), self.probe, self.index)
        self.nan_at = None          # (x, value) of the first node whose value is finite
        #                             and some partial not (for status 2's message)
        self.ends = None            # a finite range's (lo, hi): an infinite slope at a
        #                             node splits the range there (_slope)
        if vectorized:
            self.watch.probe_nodes = self.probe_nodes

    def probe(self, x):
        """The coefficients at the one node ``x`` (the watch's confirmation of a
        branch): shape ``dims``."""
        self.neval += 1
        if self.vectorized:
            return expand(as_state(self.func(np.array([x]), *self.args)), self.index,
                          self.dims).reshape(self.dims)
        return expand(as_state(_unboxed(self.func(x, *self.args))), self.index,
                      self.dims)

    def probe_nodes(self, xs):
        """The coefficients at the nodes ``xs`` (a vectorized func: one call)."""
        self.neval += len(xs)
        return expand(as_state(self.func(xs, *self.args)), self.index,
                      self.dims).reshape((len(xs),) + self.dims)

    def touch(self, x):
        """``func``'s branches at ``x`` (a point 4 ulps inside an end) compared with the
        nodes' (:meth:`_Watch.check`), its value unused: a jump between the last node
        and the end (``np.where(x > p - 1e-3, ...)`` up to the limit p) is confirmed as
        one between nodes is (attack53 12: the limit's term took its far branch and
        nothing compared the two)."""
        watch = self.watch
        for node, vectorized in ((x, False), (np.array([x]), True)):
            if vectorized and not self.vectorized:
                return
            watch.start()               # (a vectorized func on the float first, as
            try:                        # _one: its 1-element array costs more)
                with np.errstate(all="ignore"):
                    out = self.func(node, *self.args)
                if np.ndim(out) == 0 or vectorized:
                    break
            except Unseen:
                raise
            except Exception:           # noqa: BLE001 - (the end itself: a refusal or
                pass                    # an error there, rank-deficient svd at x = 0,
            watch.seen = None           # is no node's; only the branches are read)
        else:
            return
        watch.end = x
        try:
            watch.check(node, vectorized)
        finally:
            watch.end = None

    def _shape_error(self, shape, expected):
        return errors.bad_type(
            _WHO, f"func(x, *args) to return {expected}", f"shape {shape}",
            "Return one number per node (quad integrates a scalar function; for a vector "
            "integrand integrate each component, or stack them in a Python loop over "
            "dg.quad calls).")

    def __call__(self, x):
        """The coefficients at the nodes ``x`` (1-D floats): shape ``(n, size)``, or
        ``(n, 2 size)`` (real and imaginary parts) for ``complex_func``."""
        self.neval += len(x)
        watch = self.watch
        if self.vectorized:
            watch.start()
            out = self.func(x, *self.args)
            watch.check(x, True)
            out = expand(as_state(out), self.index, self.dims)
            if out.shape[:out.ndim - len(self.dims)] != x.shape:
                raise self._shape_error(out.shape[:out.ndim - len(self.dims)],
                                        f"shape {x.shape} for nodes of shape {x.shape} "
                                        "(vectorized=True)")
        else:
            outs = []
            plain = type(watch) is _Watch       # (start and check written out for a
            levels = watch.levels is not None   # node that records nothing: corpus68)
            for xi in x.tolist():
                if plain:
                    watch.seen, watch.picked, watch.kink_ties = [], [], []
                    if levels:
                        watch.step_seen = []
                else:
                    watch.start()
                out = _unboxed(self.func(xi, *self.args))
                if plain and not watch.seen and not watch.step_seen and not watch.nan_met:
                    watch.seen = None           # (check's own lines where there is nothing
                    if watch.step_seen is not None:     # to compare: no branch, no smooth
                        watch.step_seen = None          # step, no NaN source met)
                else:
                    watch.check(xi, False)
                if not isinstance(out, _SCALARS) and np.ndim(out) != 0:   # (np.ndim
                    raise self._shape_error(np.shape(out), "one number for a float x")
                #                  of a scalar dual dispatches: ~3.5 us a node)
                outs.append(out)
            # one stack and one expand for the nodes (an expand per node: half the time;
            # real scalar duals of one call read by stack_lean, the first step of
            # stack_scalars' read without its object array: ~10 us of 21 nodes)
            lean = stack_lean(outs)
            out = expand(stack_scalars(outs) if lean is None else lean, self.index,
                         self.dims)
        out = out.reshape(len(x), self.size)
        if out.dtype.kind == "c":
            if not self.complex_func:
                raise errors.bad_type(
                    _WHO, "func to return real numbers (complex_func=False)",
                    "complex numbers", "Pass complex_func=True to integrate the real and "
                    "imaginary parts (SciPy's option), or return the real part.")
            return np.concatenate([out.real, out.imag], axis=1)
        if self.complex_func:
            out = np.concatenate([out, np.zeros_like(out)], axis=1)
        out = out.astype(float, copy=False)
        if self.nan_at is None and self.size > 1 and not np.isfinite(out.sum()):
            bad = np.isfinite(out[:, 0]) & ~np.isfinite(out).all(axis=1)
            if bad.any():
                j = int(np.argmax(bad))
                if self.ends is not None and np.isinf(out[j]).any():
                    self._slope(float(x[j]), out[j])
                self.nan_at = (float(x[j]), float(out[j, 0]))
        return out

    def _slope(self, x0, row):
        """A node ``x0`` inside a finite range where ``func`` is finite and a partial
        infinite (an infinite slope there: ``np.cbrt(x - p)`` at ``x = p``; attack52
        11 gave -inf): the integration restarts split at ``x0`` (:class:`_Split`: no
        node meets it again, the partials' singularity at an end is integrable) where
        the partials grow slower than ``1 / |x - x0|`` beside it, and is refused where
        they do not (a Hessian of ``cbrt(x - p)``: ``|x - p|^(-5/3)``, whose integral
        diverges though the integral's own second derivative exists)."""
        n = self.size           # (NaN beside an inf: its own derivative, inf * 0)
        inf = ~np.isfinite(row[:n])
        if self.complex_func:
            inf = inf | ~np.isfinite(row[n:])
        lo, hi = self.ends
        grew = False
        for side in (-1.0, 1.0):
            h = min(1e-6 * max(1.0, abs(x0)), abs((hi if side > 0 else lo) - x0) / 4)
            if not h > 0:
                continue
            with np.errstate(all="ignore"):
                near, nearer = (np.abs(np.asarray(self.probe(x0 + side * t))).ravel()[inf]
                                for t in (h, h / 8))
                grow = np.log(nearer / near) / np.log(8.0)     # |x - x0|^(-grow)
            if not (np.all(np.isfinite(near)) and np.all(np.isfinite(nearer))) or \
                    not np.any(grow > 0.05):
                continue        # (no growth beside x0: an overflow inside func there,
            grew = True         # 1000 exp(1000 x) past 1e305, not a slope; status 2)
            if np.any(grow[np.isfinite(grow)] >= 0.95):
                raise errors.bad_type(
                    _WHO, "func's partials integrable across the range (dg.quad takes "
                    "the derivatives under the integral sign)", f"partials that are "
                    f"infinite at x = {x0!r}, where func is finite, and grow like |x - "
                    f"{x0!r}|^-{float(np.max(grow[np.isfinite(grow)])):.3g} beside it (an "
                    "infinite slope whose place moves, np.cbrt(x - p) at second order): "
                    "their integral diverges, though the integral's own derivative "
                    "exists", "Substitute so that the infinite slope stays put, x = p + "
                    "u: dg.quad(lambda u: f(p + u), a - p, b - p)[0] (its moving limits "
                    "carry the derivatives), or split the range at the place with it as "
                    "a moving limit.")
        if grew:
            raise _Split([x0])


class _Mapped:
    """The integrand on the integration variable ``t``: ``x(t)`` and ``dx/dt`` for a
    finite range (identity), ``[a, inf)``, ``(-inf, b]`` and ``(-inf, inf)``."""

    def __init__(self, integrand, lo, hi):
        self.integrand, self.lo, self.hi = integrand, lo, hi

    def __call__(self, t):
        lo, hi, f = self.lo, self.hi, self.integrand
        if math.isfinite(lo) and math.isfinite(hi):
            return f(t)
        s = t / (1.0 - t)
        jac = (1.0 / (1.0 - t) ** 2)[:, None]
        if math.isfinite(lo):
            return f(lo + s) * jac
        if math.isfinite(hi):
            return f(hi - s) * jac
        both = f(np.concatenate([s, -s]))
        return (both[:len(t)] + both[len(t):]) * jac


def _gk21(g, lo, hi):
    """QUADPACK's qk21 on the intervals ``[lo_j, hi_j]`` at once: integrals, error
    estimates, rounding levels and whether the estimate is saturated (``resasc``
    itself: the Gauss and Kronrod sums disagree by more than the rule can judge, a
    feature the nodes barely met), each ``(n, m)``."""
    c, h = (lo + hi) / 2, (hi - lo) / 2
    F = g((c[:, None] + h[:, None] * _X).ravel()).reshape(len(lo), len(_X), -1)
    s_k = _einsum("i,nim->nm", _V, F)
    s_g = _einsum("i,nim->nm", _W, F[:, 1::2])
    s_abs = _einsum("i,nim->nm", _V, np.abs(F))
    s_dabs = _einsum("i,nim->nm", _V, np.abs(F - s_k[:, None, :] / 2))
    ah = np.abs(h)[:, None]
    err = np.abs(s_k - s_g) * ah
    dabs = s_dabs * ah
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = dabs * np.minimum(1.0, (200 * err / dabs) ** 1.5)
    err = np.where((dabs != 0) & (err != 0), scaled, err)
    rnd = 50 * _EPS * ah * s_abs
    err = np.where(rnd > _TINY, np.maximum(err, rnd), err)
    return h[:, None] * s_k, err, rnd, (err == dabs) & (err != 0), F


def _room(lo, hi):
    """Do the rule's outermost nodes on ``[lo, hi]`` lie strictly inside it?"""
    c, h = (lo + hi) / 2, (hi - lo) / 2
    return lo < c - h * _X[0] and c + h * _X[0] < hi


def _adaptive(g, ends, epsabs, epsrel, limit, qagse=False):
    """Bisection until every component ``i`` has ``E_i <= max(epsabs, epsrel |I_i|)``
    (or ``E_i`` at its rounding level): ``(I, E, status, lo, hi, Is, Es)``.  With
    ``qagse`` (one finite interval, no breakpoints: SciPy's qagse), QUADPACK's test
    on the first interval too: accepted only where no component's estimate is
    saturated."""
    lo, hi = np.asarray(ends[:-1], dtype=float), np.asarray(ends[1:], dtype=float)
    Is, Es, Rs, first, F = _gk21(g, lo, hi)
    Fs = list(F)                            # (the nodes' coefficients: _quad_gaps)
    first = qagse and bool(first.any())     # (the first interval: bisected anyway)
    status = 0
    while True:
        I, E, R = Is.sum(axis=0), Es.sum(axis=0), Rs.sum(axis=0)
        good = np.isfinite(I) & np.isfinite(E)
        if not good[0]:         # (the value itself: SciPy's status 2 at once; a partial
            status = 2          # alone does not stop the value's bisection, attack56 11:
            break               # [-800, 800]'s first rule, 45.1 for SciPy's 0.998)
        with np.errstate(invalid="ignore"):
            tol = np.maximum(epsabs, epsrel * np.abs(I))
            open_ = good & (E > tol) & (E > R)
        if not (first or open_.any()):
            status = 0 if good.all() else 2
            break
        if len(lo) >= max(limit, 1):
            status = int(open_.any()) if good.all() else 2
            break
        if first:                   # QUADPACK's qagse accepts its first interval only
            j, first = 0, False     # where the estimate is not saturated (attack52 22:
        else:                       # 21 nodes beside a narrow peak)
            score = np.max(Es[:, open_] / np.maximum(tol[open_], _TINY), axis=1)
            j = int(np.argmax(score))
        mid = (lo[j] + hi[j]) / 2
        if not _room(lo[j], mid) or not _room(mid, hi[j]):   # no room left to bisect:
            status = int(open_.any()) if good.all() else 2     # (a node rounded onto an
            break                              # integrable singularity is inf)
        I2, E2, R2, _, F2 = _gk21(g, np.array([lo[j], mid]), np.array([mid, hi[j]]))
        del Fs[j]
        Fs += list(F2)
        lo = np.concatenate([np.delete(lo, j), [lo[j], mid]])
        hi = np.concatenate([np.delete(hi, j), [mid, hi[j]]])
        Is = np.concatenate([np.delete(Is, j, axis=0), I2])
        Es = np.concatenate([np.delete(Es, j, axis=0), E2])
        Rs = np.concatenate([np.delete(Rs, j, axis=0), R2])
    tags, dims = g.integrand.tags, g.integrand.dims   # a helper's later pass continues
    replay = adaptive_run(epsrel, epsabs, I, E, _WHO, tags,     # with its first pass's
                          lambda: [(I.reshape((-1,) + dims), tags, "match")])  # value
    if replay is not None:                  # (api/_parallel)
        I = replay[0].ravel()
    return I, E, status, lo, hi, Is, Es, Fs


def _nan_partials(x, value):
    """Status 2's note where ``func``'s value is finite at a node and a partial is not:
    the node, the usual cause (an overflow inside func, inf / inf or inf * 0, where the
    value itself underflowed: ``1 / np.cosh(p x)``, ``1 / (1 + np.exp(z))``; attack49
    34) and the spellings that avoid it.  dualgrad does not guess the partial there:
    ``-(du / u) / u`` at ``u = du = inf`` has no value without knowing ``du / u``."""
    return (f"At x = {x!r} func's value is {value!r} and a partial is not finite: an "
            "overflow inside func (inf / inf, inf * 0) where its value underflowed, as "
            "1 / np.cosh(p * x) or 1 / (1 + np.exp(z)) far out.  Fix: spell func so that "
            "nothing overflows (sech(z) as 2 * np.exp(-np.abs(z)) / (1 + np.exp(-2 * "
            "np.abs(z))), 1 / (1 + np.exp(z)) as scipy.special.expit(-z)), or "
            "integrate up to a finite limit beyond which func is negligible.")


def _unmet(I, E, err, epsabs, epsrel, dims, complex_func):
    """Status 1's note on the partials (attack66 F5): ``abserr`` is the value's error
    estimate (SciPy's result), and where the value met its tolerance and a partial did
    not it understated the derivatives' errors by orders of magnitude with nothing
    saying so.  Names the partial furthest past its tolerance and its estimate; ``""``
    where every partial met its tolerance."""
    with np.errstate(invalid="ignore"):
        over = E / np.maximum(np.maximum(epsabs, epsrel * np.abs(I)), _TINY)
    n = math.prod(dims)
    parts = over.reshape(-1, n)[:, 1:]          # (complex_func: real rows, then imaginary)
    if not np.any(parts > 1.0):
        return ""
    row, j = divmod(int(np.nanargmax(parts)), n - 1)
    index = np.unravel_index(j + 1, dims)
    part = " (imaginary part)" if complex_func and row else ""
    got = float(E.reshape(-1, n)[row, j + 1])
    return (f" The returned abserr ({err:.3g}) is the value's estimate; the partial "
            f"abserr_all[{', '.join(str(int(i)) for i in index)}]{part} has an "
            f"estimate of {got:.3g}, {float(parts[row, j]):.3g} times its tolerance, and "
            "may be off by more (full_output=1 returns every coefficient's estimate).")


def _unboxed(out):
    """``func``'s result with a 0-d object array (``np.array(p * x)``, ``np.asarray(d)``:
    one scalar dual in an array, which API.md lets every helper's function return and
    SciPy's quad takes as one number) read as its one element (attack56 22: stacking
    the nodes asked the array for complex())."""
    if type(out) is np.ndarray and out.ndim == 0 and out.dtype == object:
        return out[()]
    return out


def _one(func, x, args, vectorized):
    """``func`` at one node ``x`` (a float or a scalar dual).  A ``vectorized`` func
    gets ``x`` itself first (NumPy arithmetic takes it: one scalar operation each, not
    a 1-element array's), a 1-element array where that raises or gives no scalar."""
    if not vectorized:
        return _unboxed(func(x, *args))
    try:
        out = func(x, *args)
        if np.ndim(out) == 0:
            return _unboxed(out)
    except Exception:                   # noqa: BLE001 - x[:, None] and the like
        pass
    return func(stack_scalars([x]) if isinstance(x, Dual) else np.array([x]), *args)[0]


@functools.lru_cache(maxsize=8)
def _legendre01(n):
    """The ``n`` Gauss-Legendre nodes and weights of [0, 1] as tuples of floats (NumPy's
    ``leggauss`` mapped; made once per ``n``: leggauss costs ~50 us a call)."""
    t, w = np.polynomial.legendre.leggauss(n)
    return tuple(((t + 1) / 2).tolist()), tuple((w / 2).tolist())


def _limit_term(func, args, end, order, watch, vectorized, inward):
    """``int_{end0}^{end} func``, ``end`` a dual: ``delta * sum_j w_j func(end0 + s_j
    delta)``, ``delta = end - end0`` (value zero, ``delta^(order+1) = 0``), on
    ``order + 1`` Gauss-Legendre nodes of [0, 1]: exact to every order.  At first order
    (``delta^2 = 0``) ``delta func(end0 + s delta)`` is ``delta func(end0)`` for any
    ``s``: one node, the first of the two (its value is the sum's, its partials beside
    ``delta``'s zero value drop out; the second node's readings and checks repeated the
    first's: the same plain values).  ``func`` must be finite at ``end0`` and take one
    side there (``watch`` sees its branches)."""
    s, w = _legendre01(order + 1)
    nodes = zip(s, w) if order > 1 else ((s[0], None),)
    end0 = float(np.real(primal(end)))
    delta = end - end0
    total = 0.0
    for sj, wj in nodes:
        x = end0 + sj * delta
        watch.start()
        watch.limit, watch.inward = end0, inward
        try:
            value = _one(func, x, args, vectorized)
        except TypeError as exc:
            raise errors.bad_type(
                _WHO, "func to take a dual x at a limit that moves (its term f(b) b' "
                "evaluates func at the dual limit)", f"{type(exc).__name__}: "
                f"{str(exc).splitlines()[0][:300]}", "Write func in NumPy arithmetic "
                "(np.exp, not math.exp or float(x)), or pass the limit's value "
                "(dg.stop_gradient(b)) where its derivative is not wanted.") from exc
        finally:
            watch.limit = None
        if order == 1 and watch.seen:   # (a switch continuous at the limit: attack58 09)
            from ._quad_ends import settled_tie
            settled_tie(lambda: _one(func, x, args, vectorized), value, watch, end0, inward)
        watch.check_limit(end0)
        if watch.picked and sj == s[0]:
            _selection_tie(func, args, end0, delta, sj, watch, vectorized, inward)
        value = as_state(value)
        v0 = primal(value)              # (a float's test without np.all's dispatch)
        if not (math.isfinite(v0) if type(v0) is float else np.all(np.isfinite(v0))):
            raise _singular_limit(end0, v0, func, args, inward, vectorized)
        if not _finite(value):          # (finite, with an infinite slope there: sqrt(b -
            if order == 1 and _bounded_inside(func, args, end0, inward, vectorized):
                value = primal(value)   # (first order: delta f(b) needs f(b)'s value
            else:                       # alone, delta^2 = 0; a NaN of func's own at
                raise _Steep(end0, primal(value))   # the end, gamma(2).pdf at loc: 0 *
        #                                             inf, attack53 11)
        if watch.kink_ties and sj == s[0]:
            _ramp_at(func, args, end0, watch, vectorized, inward)
        if wj is None:                  # (first order: delta func(end0))
            return delta * value
        total = total + wj * value
    return delta * total


def _ramp_at(func, args, end0, watch, vectorized, inward):
    """A kink tied by the moving limit ``end0`` at first order (``watch.kink_ties``)
    where func's value changes between the limit and ~1e-2 |b| inside it faster than its
    slope further in allows: a ramp narrower than the nodes sitting on the limit
    (``np.clip((p - x) * 1e300, 0, 1)`` over [0, p]: f(b) = 0, 1 just inside; 0.0 for 1,
    quad52's Left), whose term ``f(b) b'`` takes the tie's value and whose partials'
    pulse no node samples.  func's plain values at the limit and at 4 ulps, 128 ulps,
    ... inside (32-fold).  Where the ramp is wide in x's floats (``_STEP_ULPS``), the
    integration restarts split at its inner end (:class:`_Split`); else refused."""
    ties, watch.kink_ties = watch.kink_ties, []
    saved, watch.seen = watch.seen, None

    def at(x):
        with np.errstate(all="ignore"):
            return float(np.real(np.ravel(primal(as_state(_one(func, x, args,
                                                                 vectorized))))[0]))
    try:
        d = 4 * float(np.spacing(max(abs(end0), 1e-300)))
        far = 1e-2 * max(abs(end0), 1e-3)
        ds = []
        while d <= far and len(ds) < 64:
            ds.append(d)
            d *= 32.0
        if len(ds) < 3:
            return
        f = np.array([at(end0)] + [at(end0 + inward * d) for d in ds])
        x = np.array([0.0] + ds)
    except Exception:   # noqa: BLE001 - func undefined beside the limit: its own checks
        return
    finally:
        watch.seen = saved
    if not np.all(np.isfinite(f)):
        return
    step, dx = np.abs(np.diff(f)), np.diff(x)
    slope = step[-1] / dx[-1]           # (further in: func's own slope)
    bad = np.flatnonzero(step > 100 * slope * dx + 1e3 * _EPS * np.max(np.abs(f)))
    if not len(bad):
        return
    k = int(bad[-1]) + 1                # (the ramp ends between x[k - 1] and x[k])
    if k < len(x) - 1 and x[k] >= _STEP_ULPS * float(np.spacing(abs(end0))):
        reach = x[min(k + 1, len(x) - 1)]   # (the ramp's inner end may lie in the
        #     segment after the last steep one, its slope the reference: attack54 07,
        #     s = 3e4 at 1.3 gave 0.9155 for 1)
        places = [end0 + inward * x[k - 1] * 2.0 ** i for i in range(
            int(np.ceil(np.log2(reach / x[k - 1]))) + 1)] if x[k - 1] > 0 \
            else [end0 + inward * x[k]]     # (pieces 2-fold wide: the ramp's inner end
        #                                     in one of them, among its nodes)
        if not all(c in watch.split_at for c in places):
            raise _Split(places)
        return                          # (split there already: the rule samples it)
    u, where = ties[0]
    raise errors.bad_type(
        _WHO, "func continuous at a limit that moves, on the scale of x's floats (its "
        "term f(b) b')",
        f"{_spelled(u)} on duals tied at the limit x = {end0!r} ({where}), with func "
        f"{float(f[0])!r} there and {float(f[-1])!r} {ds[-1]:.1g} inside: a ramp narrower than the "
        "nodes on the limit, whose term f(b) b' takes the tie's value and whose "
        "partials' pulse no node samples",
        "Write func's value inside the range without the ramp (the ramp's far side, "
        "np.clip((p - x) * 1e300, 0, 1) over [0, p] is 1 there), or end the range "
        "where the ramp ends.")


def _bounded_inside(func, args, end0, inward, vectorized):
    """Whether ``func``'s partials stay bounded approaching the limit ``end0`` from inside
    the range (``inward``: its side): finite at two points 1e-7 and 1e-9 of ``end0``'s
    size inside, the nearer no more than twice the farther (an infinite slope,
    sqrt(b - x), grows 10x there)."""
    h = 1e-7 * max(1.0, abs(end0))
    sizes = []
    for t in (h, h / 100):
        with np.errstate(all="ignore"):
            try:
                v = as_state(_one(func, end0 + inward * t, args, vectorized))
            except Exception:           # noqa: BLE001 - (no value there: not bounded)
                return False
        parts = _coefficients(v)
        if not parts or not all(np.all(np.isfinite(c)) for c in parts):
            return False
        sizes.append(max(float(np.max(np.abs(c), initial=0.0)) for c in parts))
    return sizes[1] <= 2 * sizes[0] + 1e-300


def _selection_tie(func, args, end0, delta, sj, watch, vectorized, inward):
    """Refuses a selection (np.searchsorted, np.digitize, np.argmax, np.max's kink from
    second order) that the moving limit ``end0`` ties: its index at the limit differs
    from its index 4 ulps inside the range, so ``f(b) b'`` takes whichever the tie
    gives (a knot at the moving end; attack51 14); the same for a jump or a kink whose
    branch differs there (a place one rounding outside the limit: attack52 17).
    ``watch.picked``: the indices (branches) the call at the limit took."""
    picked = watch.picked
    inside = end0
    for _ in range(4):
        inside = float(np.nextafter(inside, np.inf if inward > 0 else -np.inf))
    watch.start()
    watch.limit, watch.inward = end0, inward
    try:
        _one(func, inside + sj * delta, args, vectorized)
    finally:
        watch.limit = None
    beside, watch.seen, watch.picked = watch.picked, None, []
    if watch.settled:                   # (a switch continuous at the limit: settled_tie)
        beside = [p for p in beside if (p[0], p[2]) not in watch.settled]
    for i, (u, index, where) in enumerate(picked):
        if i >= len(beside) or beside[i][0] != u or \
                not _same(np.asarray(beside[i][1]), np.asarray(index)):
            if not isinstance(u, Selection):
                raise errors.bad_type(
                    _WHO, "func to take one side at a limit that moves (its term f(b) "
                    "b')", f"{_spelled(u)} on duals at the limit x = {end0!r} ({where}) "
                    "taking another branch there than 4 roundings inside the range: its "
                    "jump (or kink) lies within rounding of the limit, outside it (one "
                    "place spelled two ways, 1.1 * p and p + 0.1 * p), so f(b) is the "
                    "outside's value",
                    "Integrate each branch as its own func over its own range, "
                    "dg.quad(g1, a, c)[0] + dg.quad(g2, c, b)[0], with no comparison of "
                    "x with c left inside g1 or g2 (or spell the limit and the place "
                    "alike).")
            raise errors.bad_type(
                _WHO, "func to take one side at a limit that moves (its term f(b) b')",
                f"{_spelled(u)} on duals at the limit x = {end0!r} ({where}) picking "
                "another index there than just inside the range: the limit sits on "
                "its tie (a knot, or equal values), whose index is not the inside's",
                "Integrate each branch as its own func over its own range, "
                "dg.quad(g1, a, c)[0] + dg.quad(g2, c, b)[0], with no lookup of x "
                "against c left inside g1 or g2 (c the knot at the limit).")


def _both_ends(func, end, value, what):
    """The refusal where ``func`` is dg.quad's own substitution (:class:`_Squared`) and
    its moving limit ``u = end`` is the range's other end ``x``: func is singular or
    steep at both ends (a half disk sqrt(r**2 - x**2) over [-r, r]; attack50 14, which
    named u as "the moving limit" and its NaN as f)."""
    x = end
    while isinstance(func, _Squared):
        e = float(np.real(primal(func.end)))
        x = e - x * x if func.upper else e + x * x
        func = func.func
    return errors.bad_type(
        _WHO, f"func {what} at a limit that moves (its term f(b) b')",
        f"func steep at both ends of the range: dg.quad substituted x = b - u**2 (or a + "
        f"u**2) at one end, and at the other, x = {x!r} (u = {end!r}), its partials are "
        f"not finite (there f(b - u**2) 2 u = {value!r}: a square root's infinite "
        "slope, or x rounded past the end)",
        "Map the range onto fixed ends, x = a + (b - a) s: dg.quad(lambda s: (b - a) * "
        "f(a + (b - a) * s), 0.0, 1.0)[0] (both ends' singularities then sit at s = 0 "
        "and s = 1, which do not move, and the partials are integrable there).")


def _singular_limit(end, value, func=None, args=(), inward=1, vectorized=False):
    """The refusal of a func not finite at a moving limit ``end`` (``value``, f(b)): an
    integrand singular there (an Abel kernel) is told the substitution that moves the
    singularity off the limit; a NaN whose values just inside tend to a finite number
    (a removable 0 / 0, ``sin(t) / t`` at ``t = 0``: attackb68 M1, which was told the
    Abel kernel's substitution) is told a spelling finite at the limit.  Both name
    func and the user's line that called dg.quad."""
    if isinstance(func, _Squared):
        return _both_ends(func, end, value, "finite")
    where = _named_func(func)
    near = _removable(func, args, end, inward, vectorized) if func is not None and \
        np.all(np.isnan(value)) else None
    if near is not None:
        t = _parameter(func)
        shown = ", ".join(f"f({p!r}) = {v!r}" for p, v in near)
        return errors.bad_type(
            _WHO, "func finite at a limit that moves (its term f(b) b')",
            f"f = {value!r} at the moving limit {end!r}, where func's values just inside "
            f"the range tend to a finite number ({shown}): a 0 / 0 at the limit itself "
            f"(as np.sin({t}) / {t} at {t} = 0), removable, but f(b) b' takes func's value at "
            f"b, which the quotient does not give{where}",
            f"Write func in a form finite at the limit: np.sinc({t} / np.pi) for "
            f"np.sin({t}) / {t} (NumPy's sinc is sin(pi u) / (pi u), 1 at u = 0), or a "
            f"series branch that takes one side at the limit and just inside it, "
            f"np.where({t} * {t} < 1e-8, 1 - {t} * {t} / 6, np.sin({t}) / {t}) (its first "
            f"terms; np.where({t} == 0, ...) is refused at a moving limit: the equality "
            "singles out the limit's point)" + (
                f"; for a limit at {end!r} the same in u = {t} - {end!r} (np.sinc(u / "
                f"np.pi) for np.sin(u) / u)" if end != 0 else "") +
            ". The Abel kernel's substitution is for a func that is infinite there, not "
            "this.")
    return errors.bad_type(
        _WHO, "func finite at a limit that moves (its term f(b) b')",
        f"f = {value!r} at the moving limit {end!r}: an integrand singular there (an "
        "Abel kernel 1 / sqrt(b - x), log(b - x)) has partials that are not integrable "
        f"under the integral sign, and no finite term f(b) b'{where}",
        "Substitute so that the singularity leaves the moving limit: x = b - u**2 for a "
        "1 / sqrt(b - x) kernel, int_a^b f(x) dx = int_0^sqrt(b - a) 2 u f(b - u**2) du "
        "(2 u / sqrt(u**2) = 2: no singularity left), or x = a + (b - a) s for the "
        "limits to stay put, (b - a) int_0^1 f(a + (b - a) s) ds (the singularity then "
        "sits at the fixed end s = 1).")


def _removable(func, args, end, inward, vectorized):
    """func's plain values just inside the range at ``end`` that tend to a finite number,
    as ``[(x, f(x))]`` nearest first, or ``None``.  Read at 1e-1, 1e-2, 1e-3, 1e-5 and
    1e-7 of ``end``'s size (at least 1), all finite, the three farthest's steps
    shrinking at least twofold toward ``end`` (a limit in sight: not ``t / t**1.5``,
    ``log(t)``, ``sin(1 / t)``, whose nearest three shrank by chance): the three
    nearest where their steps shrink twofold too (``sin(t) / t``, ``t * log(t)``),
    else the three farthest where the nearer values stay within ten of the far steps
    of the 1e-3 one, a quotient whose cancellation near the limit hides its limit
    (``(1 - cos(t)) / t**2``: 0.49999996 at 1e-3, 0.49960 at 1e-7, 0.0 at 1e-8;
    refusals69's Left kept it the Abel kernel's text).  Where the limit's size is
    large, steps of 1e-1 .. 1e-7 of it may sit far from where func's 0 / 0 lives
    (``sin(t - 1e6) / (t - 1e6)``: 1e5 .. 0.1 away, diff70 F3), so steps of 1e-1 ..
    1e-7 themselves (no smaller than a thousand of the limit's ulps) are read
    next.  Error path only."""
    sizes = [max(1.0, abs(end))]
    near = max(1.0, 1e10 * float(np.spacing(abs(np.float64(end)))))
    if near < 0.5 * sizes[0]:
        sizes.append(near)
    for scale in sizes:
        found = _near_values(func, args, end, inward, vectorized, scale)
        if found is not None:
            return found
    return None


def _near_values(func, args, end, inward, vectorized, scale):
    """:func:`_removable` at steps of 1e-1 .. 1e-7 times ``scale``."""
    found = []
    for h in (1e-1, 1e-2, 1e-3, 1e-5, 1e-7):   # (NumPy's float: a Python float's (x -
        x = np.float64(end + inward * h * scale)    # 2) ** 0.5 is complex, NumPy's NaN)
        with np.errstate(all="ignore"):
            try:
                v = np.ravel(np.asarray(primal(as_state(_one(func, x, args, vectorized)))))
            except Exception:           # noqa: BLE001 - (no value there: not removable)
                return None
        if v.size != 1 or not np.isfinite(v[0]):
            return None
        found.append((x.item(), v[0].item()))
    (_, c1), (_, c2), (_, c3), (_, f2), (_, f3) = found
    if not abs(c3 - c2) <= 0.5 * abs(c2 - c1):
        return None                     # no limit in sight (sin(1 / t): not one)
    if abs(f3 - f2) <= 0.5 * abs(f2 - c3):
        return found[:1:-1]             # the nearest three agree
    band = 10.0 * abs(c2 - c1)          # cancellation's wander, within the far steps
    if abs(f2 - c3) <= band and abs(f3 - c3) <= band:
        return found[2::-1]
    # a cancellation's wander that outgrew the far steps ((cosh(t) - 1) / t**2: 0.50000004
    # at 1e-5, 0.4885 at 1e-7, 2.3 % off, where 1 - cos read 0.49960 by chance: diff70
    # F3): the far steps shrink like a power of the step (tenfold or more a decade, one
    # sign), the nearer values' distance from the 1e-3 one grows toward the limit as
    # rounding's does and stays within 5 % of it
    d1, d2 = c2 - c1, c3 - c2
    if d1 * d2 > 0 and abs(d1) >= 10.0 * abs(d2) and \
            abs(f2 - c3) <= abs(f3 - c3) <= 0.05 * abs(c3):
        return found[2::-1]
    return None


def _parameter(func):
    """func's first parameter's name (``t`` of ``lambda t: np.sin(t) / t``), the
    spellings' variable; ``x`` where it has none to read."""
    code = getattr(func, "__code__", None)
    if code is None or not code.co_argcount:
        return "x"
    return code.co_varnames[0]


def _named_func(func):
    """`` (func is <lambda> at line 3 of model.py; dg.quad called at line 5 of model.py:
    `...`)``, the parts that can be found; ``""`` where none."""
    import os
    parts = []
    code = getattr(func, "__code__", None)
    if code is not None:
        parts.append(f"func is {code.co_name} at line {code.co_firstlineno} of "
                     f"{os.path.basename(code.co_filename)}")
    frame = errors._user_frame(sys._getframe(1))
    line = "" if frame is None else errors.user_line(frame)
    if line:                            # "(at line 5 of model.py: `...`)"
        parts.append("dg.quad called " + line[1:-1])
    return f" ({'; '.join(parts)})" if parts else ""


def _finite(v):
    """Are all of ``v``'s coefficients (its value and partials, every level) finite?"""
    if type(v) is float:
        return math.isfinite(v)
    if isinstance(v, Dual):             # (a scalar dual's partials one by one: no array)
        return _finite(v.value) and all(map(_finite, v._plist() if v._kind == "slots"
                                            else (partials_array(v),)))
    return bool(np.all(np.isfinite(np.asarray(v))))


class _Steep(Exception):
    """``func`` finite at a moving limit with partials that are not (an infinite slope
    there): :func:`quad` substitutes ``x = b - u**2`` (or ``a + u**2``)."""

    def __init__(self, end, value, upper=True):
        super().__init__("an infinite slope at a moving limit")
        self.end, self.value, self.upper = end, value, upper


class _Squared:
    """``func`` on ``u`` with ``x = b - u**2`` (``upper``) or ``a + u**2``, times ``dx/du``'s
    size ``2 u``: finite slopes where ``func``'s end had an infinite one (``sqrt(b - x)``
    becomes ``2 u sqrt(u**2)``)."""

    def __init__(self, func, end, upper):
        self.func, self.end, self.upper = func, end, upper
        self.depth = getattr(func, "depth", 0) + 1

    def __call__(self, u, *args):
        x = self.end - u * u if self.upper else self.end + u * u
        return 2.0 * u * self.func(x, *args)


def _substituted(steep, func, a, b, args, full_output, epsabs, epsrel, limit, points,
                 complex_func, vectorized):
    """``int_a^b func`` as ``int_0^sqrt(b - a) 2 u func(b - u**2) du`` (the steep end
    ``b``; ``a + u**2`` for ``a``), whose moving limit has finite slopes: exact where
    ``func``'s slope at the moving limit is infinite (attack49 06).  Refused where the
    range is reversed or infinite, with ``points=``, or after three substitutions."""
    av, bv = (float(np.real(primal(e))) for e in (a, b))
    if points is not None or not (np.isfinite(av) and np.isfinite(bv) and av != bv) or \
            getattr(func, "depth", 0) >= 3 or np.iscomplexobj(primal(a)) or \
            np.iscomplexobj(primal(b)):
        if isinstance(func, _Squared):
            raise _both_ends(func, steep.end, steep.value, "with finite partials")
        raise _steep_limit(steep.end, steep.value)
    if av > bv:                         # int_a^b = -int_b^a, the steep end the other side
        out = _substituted(_Steep(steep.end, steep.value, not steep.upper), func, b, a,
                           args, full_output, epsabs, epsrel, limit, points, complex_func,
                           vectorized)
        return (-out[0],) + tuple(out[1:])
    return quad(_Squared(func, b if steep.upper else a, steep.upper), 0.0, np.sqrt(b - a),
                args=args, full_output=full_output, epsabs=epsabs, epsrel=epsrel,
                limit=limit, complex_func=complex_func, vectorized=vectorized)


def _steep_limit(end, value):
    return errors.bad_type(
        _WHO, "func with finite partials at a limit that moves (its term f(b) b' and the "
        "partials' integrals)",
        f"f = {value!r} at the moving limit {end!r}, finite, with partials that are not "
        "(an infinite slope there: sqrt(b - x), (b - x)**0.3): the partials' integral "
        "under the integral sign and the limit's term come out NaN",
        "Substitute so that the steep end leaves the moving limit: x = b - u**2, "
        "int_a^b f(x) dx = int_0^sqrt(b - a) 2 u f(b - u**2) du (for sqrt(b - x): 2 u "
        "sqrt(u**2), smooth), or x = a + u**2 at a moving lower limit a with an infinite "
        "slope there.")


def _fixed_infinite(end, index, dims):
    """An infinite limit's value, or ``TypeError`` where it carries a derivative."""
    C = expand(end, index, dims).ravel()
    if np.any(C[1:] != 0):
        raise errors.bad_type(_WHO, "an infinite limit that stays put (no derivative)",
                              f"an infinite limit {primal(end)!r} with nonzero partials",
                              "Pass np.inf itself: an integral to infinity does not move "
                              "with its infinite end.")
    return float(C[0])


def _scipy_mesh(func, args, lo, hi, epsabs, epsrel, limit, vectorized):
    """SciPy's quad of the value alone over an infinite range: its value, its error
    estimate and the ends of its final subintervals in :class:`_Mapped`'s ``t``
    (QUADPACK's qagi maps ``x = a + (1 - u) / u``; ``t = 1 - u``), where the rule
    starts so that it resolves every feature SciPy's found (attack48b 08: a narrow peak
    that 15 nodes met and 21 missed)."""
    def value(x):
        return float(np.real(primal(_one(func, x, args, vectorized))))
    from scipy.integrate import IntegrationWarning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IntegrationWarning)
        y, err, info = _scipy_quad(_WHO)(value, lo, hi, epsabs=epsabs, epsrel=epsrel,
                                          limit=limit, full_output=1)[:3]
    last = int(info["last"])
    ends = np.concatenate([[0.0, 1.0], 1.0 - info["alist"][:last],
                           1.0 - info["blist"][:last]])
    return y, err, np.unique(np.clip(ends, 0.0, 1.0))


def _disagrees(mine, err, scipy_value, scipy_err, epsabs, epsrel):
    """Where the value with derivatives and SciPy's value alone differ by more than
    their error estimates, an ``IntegrationWarning`` says so (one of the rules missed a
    narrow feature that the other's nodes met)."""
    tol = max(epsabs, epsrel * abs(scipy_value))
    if abs(mine - scipy_value) > 2 * (err + scipy_err) + tol:
        from scipy.integrate import IntegrationWarning
        warnings.warn(
            f"{_WHO}: the value with derivatives, {mine!r}, and SciPy's quad of the "
            f"value alone, {scipy_value!r}, differ by more than their error estimates "
            f"({err:.2g}, {scipy_err:.2g}): one rule's nodes missed a narrow feature of "
            "the integrand that the other's met, so f's plain value and the value "
            "inside a derivative disagree. Split the range at the feature (a finite "
            "piece with points= plus the tail), or tighten epsabs / epsrel.",
            IntegrationWarning, stacklevel=5)


def _integrate(func, a, b, args, full_output, epsabs, epsrel, limit, points, complex_func,
               vectorized, levels):
    """:func:`quad`'s dual path for the calls ``levels`` (tags and directions), with
    the branches ``func`` takes watched (errors.BRANCHES)."""
    split, cusps = [], []           # (places a narrow piece was found between:
    nan, tries = False, 0           # restarted split there, attack52 08; a partial's
    #                                 cusp: _Watch._partial_cusps)
    while True:                     # (again recording NaN sources' edges where func
        integrand = _Integrand(func, args, levels, complex_func, vectorized)  # met one
        integrand.watch.epsabs, integrand.watch.epsrel = epsabs, epsrel      # past its
        integrand.watch.nan = nan                                            # edge)
        integrand.watch.split_at = set(split)
        integrand.watch.cusp_at = cusps
        saved = errors.watch_branches(integrand.watch)
        try:
            return _integrate_watched(integrand, a, b, full_output, epsabs, epsrel, limit,
                                      points, split)
        except NaNMet:              # (never raised where nan is set)
            nan = True
        except _Split as found:
            tries += 1
            if tries > _RESTARTS:       # (an infinite range: split in its mapped
                raise _narrow(found.places) from None   # variable, _in_mapped)
            split += [float(v) for v in found.places]
            if found.extra:
                cusps += [float(v) for v in found.places]
            limit = limit + len(found.places) + found.extra
        finally:
            errors.unwatch_branches(saved)


def _narrow(places):
    places = list(places) * (2 if len(places) == 1 else 1)
    return errors.bad_type(
        _WHO, "func's pieces wider than the rule's nodes where its partials differ",
        f"a piece between x = {places[0]!r} and x = {places[1]!r} (two continuous "
        "crossings of one place, a steep ramp) whose partials differ from both sides' "
        "over a width no node samples, again after splits",
        "Split the range at the piece's ends: dg.quad(f, a, c1)[0] + dg.quad(f, c1, c2)[0] "
        "+ dg.quad(f, c2, b)[0] with c1, c2 the ramp's ends (moving ones as duals).")


def _singular_between(integrand, lo, hi, ends, alist, blist, Es, tol):
    """Where the rule stopped short (the limit, no room) beside a singularity of the
    partials whose place moves (api/_quad_growth.py): ``(c, g, g0)``, else ``None``."""
    def probe(x):
        return integrand.probe(float(x))

    score = np.max(Es / np.maximum(tol, _TINY), axis=1)
    missed = float(np.max(Es.sum(axis=0)[1:] / np.maximum(tol[1:], _TINY), initial=0.0))
    try:
        found = singular_place(probe, lo, hi, ends, alist, blist, score, missed)
    except (ArithmeticError, ValueError, TypeError):    # (func raises off its nodes)
        return None
    return found


def _quiet_probe(integrand, x, end=False):
    """func's coefficients at ``x`` as :class:`_Integrand` lays them out (the real
    parts, then the imaginary ones), the watch's records left as they were; ``None``
    where func raises there."""
    row = integrand.watch.quietly(x, end)[0]
    if row is None:
        return None
    row = np.ravel(row)
    if row.dtype.kind == "c" or integrand.complex_func:
        row = np.concatenate([row.real, row.imag])
    return row.astype(float, copy=False)


def _gaps_resolved(integrand, alist, blist, Fs, lo, hi, tol=None):
    """Raises :class:`_Split` where func's value changes steeply between two
    neighbouring final nodes (or an end and its first node) and its partials pulse
    there, moving with the parameters (api/_quad_gaps.py; a hand-written sigmoid,
    attack54 16); ``TypeError`` where that pulse is narrower than x's floats."""
    c, h = (alist + blist) / 2, (blist - alist) / 2
    x = c[:, None] + h[:, None] * _X
    bounds = (alist, blist)
    if math.isfinite(lo) and math.isfinite(hi):
        ends = [(e, _quiet_probe(integrand, e, True)) for e in (lo, hi)]    # (func read
        #                                     there by the step check too: kept)
        probe, a, b = (lambda m: _quiet_probe(integrand, m)), lo, hi
    else:               # (an infinite range: in _Mapped's variable t, as the rule sums)
        ends, a, b = [], 0.0, 1.0
        probe = functools.partial(_mapped_probe, integrand, lo, hi)
    try:
        places = moving_gaps(x, np.stack(Fs), ends, probe, len(integrand.tags), a, b,
                             _orders(integrand), bounds, tol)
    except ValueError as narrow:
        raise gap_refusal(_WHO, *_from_mapped(narrow.args, lo, hi)) from None
    if places:
        raise _Split(sorted(set(_from_mapped(places, lo, hi))))


def _mapped_probe(integrand, lo, hi, t):
    """:func:`_quiet_probe` at ``t`` in :class:`_Mapped`'s variable (its arithmetic:
    func's coefficients times ``dx/dt``, both sides' summed over the whole line)."""
    s = t / (1.0 - t)
    xs = [lo + s] if np.isfinite(lo) else [hi - s] if np.isfinite(hi) else [s, -s]
    rows = [_quiet_probe(integrand, v) for v in xs]
    if any(r is None for r in rows):
        return None
    return sum(rows) * (1.0 / (1.0 - t) ** 2)


def _from_mapped(places, lo, hi):
    """The points ``x`` of the places ``t`` in :class:`_Mapped`'s variable (finite
    ranges: as they are; the whole line: the positive side, :func:`_in_mapped`'s
    ``|x|``)."""
    if np.isfinite(lo) and np.isfinite(hi):
        return list(places)
    t = np.asarray(places, dtype=float)
    s = t / (1.0 - t)
    x = lo + s if np.isfinite(lo) else hi - s if np.isfinite(hi) else s
    return [float(v) for v in x[np.isfinite(x)]]


def _orders(integrand):
    """Each coefficient's order as :func:`_quiet_probe` lays them out (the number of
    levels it is a partial in; the imaginary parts' after the real ones')."""
    return _orders_of(integrand.dims, bool(integrand.complex_func))


@functools.lru_cache(maxsize=64)
def _orders_of(dims, complex_func):
    orders = (np.indices(dims).reshape(len(dims), -1) > 0).sum(axis=0)
    orders = np.tile(orders, 2) if complex_func else orders
    orders.flags.writeable = False
    return orders


def _in_mapped(places, lo, hi):
    """The split places ``x`` of an infinite range ``[lo, hi]`` in :class:`_Mapped`'s
    variable ``t`` (``x = lo + t / (1 - t)``, ``hi - t / (1 - t)``, or ``+-t / (1 - t)``
    on both sides), strictly inside ``(0, 1)``."""
    x = np.asarray(places, dtype=float)
    s = x - lo if np.isfinite(lo) else hi - x if np.isfinite(hi) else np.abs(x)
    s = s[np.isfinite(s) & (s > 0)]
    t = s / (1.0 + s)
    return t[(t > 0.0) & (t < 1.0)].tolist()


def _mapped_nodes(alist, blist, lo, hi):
    """The final rules' nodes in ``x`` over an infinite range (:class:`_Mapped`'s
    arithmetic, so that they equal the nodes func was called on)."""
    c, h = (alist + blist) / 2, (blist - alist) / 2
    t = (c[:, None] + h[:, None] * _X).ravel()
    s = t / (1.0 - t)
    if np.isfinite(lo):
        return lo + s
    if np.isfinite(hi):
        return hi - s
    return np.concatenate([s, -s])


def _integrate_watched(integrand, a, b, full_output, epsabs, epsrel, limit, points,
                       split=()):
    func, args, complex_func = integrand.func, integrand.args, integrand.complex_func
    index, dims, tags = integrand.index, integrand.dims, integrand.tags
    if any(np.iscomplexobj(primal(e)) for e in (a, b)):     # (attack48b 02: a complex
        raise errors.bad_argument(                           # limit became a 2-node rule)
            _WHO, "real limits a and b (SciPy's quad integrates along the real axis)",
            f"a={primal(a)!r}, b={primal(b)!r}",
            "Fix: for a contour integral parametrize the path, z(t) = a + t (b - a) with t "
            "from 0 to 1, and integrate func(z(t)) * (b - a) with complex_func=True.")
    av, bv = (float(np.real(primal(e))) for e in (a, b))
    a_moves, b_moves = math.isfinite(av) and isinstance(a, Dual), \
        math.isfinite(bv) and isinstance(b, Dual)
    if not math.isfinite(av) and isinstance(a, Dual):
        av = _fixed_infinite(a, index, dims)
    if not math.isfinite(bv) and isinstance(b, Dual):
        bv = _fixed_infinite(b, index, dims)
    if math.isnan(av) or math.isnan(bv):
        raise errors.bad_argument(_WHO, "limits that are numbers", f"a={av}, b={bv}")
    order = len(tags)
    # the limits' terms first: a func singular at a moving limit is refused before the
    # partials' (divergent) integrals run
    up = 1.0 if av <= bv else -1.0      # the range lies above a and below b (reversed: not)
    terms = []
    for end, side, moves in ((b, 1, b_moves), (a, -1, a_moves)):
        if moves:
            try:
                terms.append(side * _limit_term(func, args, end, order, integrand.watch,
                                                integrand.vectorized, -side * up))
            except _Steep as steep:
                steep.upper = side == 1
                raise
    sign, lo, hi = (1.0, av, bv) if av <= bv else (-1.0, bv, av)
    m = integrand.size * (2 if complex_func else 1)
    reference = None
    if lo == hi:
        I, E, status = np.zeros(m), np.zeros(m), 0
        alist = blist = rlist = elist = np.zeros(0)
    else:
        finite = math.isfinite(lo) and math.isfinite(hi)
        if points is not None and not finite:
            raise errors.bad_argument(_WHO, "points= with finite limits (SciPy's rule)",
                                      f"a={a!r}, b={b!r}",
                                      "Split the range: quad(f, a, c, points=...) + "
                                      "quad(f, c, np.inf).")
        if finite:
            at = list(np.atleast_1d(primal(points))) if points is not None else []
            inner = sorted({float(p) for p in at + list(split) if lo < float(p) < hi})
            ends = [lo, *inner, hi]
            integrand.ends = (lo, hi)
        else:                 # SciPy's subintervals first (limit: that many more)
            *reference, ends = _scipy_mesh(func, args, lo, hi, epsabs, epsrel, limit,
                                           integrand.vectorized)
            if split:         # (a narrow step's places, in the mapped variable t)
                ends = np.unique(np.concatenate([ends, _in_mapped(split, lo, hi)]))
            limit = limit + len(ends) - 2
        I, E, status, alist, blist, Is, Es, Fs = _adaptive(
            _Mapped(integrand, lo, hi), ends, epsabs, epsrel, limit,
            qagse=finite and len(ends) == 2)
        if integrand.watch.first:       # (branches met: the ends' sides too)
            for end, inward in ((lo, np.inf), (hi, -np.inf)):
                if np.isfinite(end):
                    x = end
                    for _ in range(4):
                        x = float(np.nextafter(x, inward))
                    integrand.touch(x)
            from ._quad_ends import check_ends      # (a moving jump tied on a fixed end)
            check_ends(func, args, [e for e, moves in ((av, a_moves), (bv, b_moves))
                                    if not moves], integrand.watch, integrand.vectorized,
                       lo, hi)
        singular = _singular_between(integrand, lo, hi, ends, alist, blist, Es, np.maximum(
            epsabs, epsrel * np.abs(I))) if status == 1 and finite else None
        if integrand.watch.steps:       # (smooth steps met: the final rules' nodes; a
            c, h = (alist + blist) / 2, (blist - alist) / 2     # step at the singular
            integrand.watch.steps_resolved(lo, hi, integrand.vectorized, (   # place is
                c[:, None] + h[:, None] * _X).ravel() if finite else         # named as
                _mapped_nodes(alist, blist, lo, hi),                         # a step)
                None if singular is None else singular[0], status == 1)
        if singular is not None:        # (not converged beside a moving singularity)
            raise singular_refusal(_WHO, *singular)
        if status != 2:                 # (a moving steep change between neighbouring
            _gaps_resolved(integrand, alist, blist, Fs, lo, hi,     # nodes: attack54 16;
                           np.maximum(epsabs, epsrel * np.abs(I)))
            #                 an infinite range's in its mapped variable: attack55 05)
        if reference and not split:     # (split at a narrow step SciPy's rule missed)
            _disagrees(float(I[0]), float(E[0]), *reference, epsabs, epsrel)
        I = sign * I
        rlist, elist = sign * Is[:, 0], Es[:, 0]
    if complex_func:
        n = integrand.size
        C, err = I[:n] + 1j * I[n:], complex(E[0], E[n])
        errs = E[:n] + 1j * E[n:]
    else:
        C, err, errs = I, float(E[0]), E
    y = build(C.reshape((1,) + dims), tags, 1)[0]     # (build's 0-d: ascontiguousarray's 1-d)
    for term in terms:
        y = y + term
    message = _MESSAGES[status]
    if status == 2 and integrand.nan_at is not None:
        message = f"{message} {_nan_partials(*integrand.nan_at)}"
    elif status == 1:
        message = f"{message}{_unmet(I, E, err, epsabs, epsrel, dims, complex_func)}"
    if not full_output:
        if status:
            from scipy.integrate import IntegrationWarning
            warnings.warn(f"{_WHO}: {message}", IntegrationWarning, stacklevel=4)
        return y, err
    info = {"neval": integrand.neval, "last": len(alist), "alist": np.asarray(alist),
            "blist": np.asarray(blist), "rlist": np.asarray(rlist),
            "elist": np.asarray(elist), "abserr_all": errs.reshape(dims)}
    return (y, err, info) + ((message,) if status else ())
