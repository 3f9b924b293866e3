"""NumPy's error state, hushed around the computation of derivatives (moved out of
:mod:`dualgrad.dispatch._ufuncs` so that :mod:`dualgrad.dispatch._lean_products`, which
that module imports, can hush too: small62).

:func:`_hush` / :func:`_unhush` set and reset the quiet variant of the caller's state;
:data:`_LAST` keeps the last pair (the lean functions read it in place); :data:`PLAIN`
is NumPy's own default state (the context variable's default: ``under="ignore"``,
``divide``, ``over`` and ``invalid`` warn), which a caller may compare a state with;
:func:`partials_hushed` wraps the functions whose partials are computed apart from
their NumPy value.
"""

import contextvars
import functools

import numpy as np

from .. import backend
from ..dual import Dual, primal

try:   # NumPy >= 2 keeps the error state in a context variable: setting it directly
    # costs a fraction of building an np.errstate, on every dual operation
    from numpy._core._ufunc_config import _extobj_contextvar as _errstate, _make_extobj
except ImportError:                                     # pragma: no cover
    _errstate = None
_QUIET = dict(divide="ignore", invalid="ignore", over="ignore", under="ignore")
# [(a caller's error state, its quiet variant)]: the pair replaced whole, so that a
# lean function (which reads it in place) never pairs one thread's state with another's
# (the backend's list: a state hushed here is found quiet by ``backend.hush_enter``)
_LAST = backend.HUSH_LAST


def _hush():
    """Silence NumPy's divide/invalid/over/under reports; returns the token for
    :func:`_unhush`.

    Local derivatives at singular points are inf or NaN by design (the NaN-safe
    propagation keeps them where they belong), a branch of a ``where`` that is not
    taken may overflow or underflow (the table's scaled forms), and partials may
    underflow as any product does: no warnings, and no raising under a user's
    ``np.seterr(all="raise")``.  NumPy's word on the values is left alone (they are
    computed outside).
    """
    if _errstate is None:                               # pragma: no cover
        token = np.errstate(**_QUIET)
        token.__enter__()
        return token
    current = _errstate.get()
    seen, quiet = _LAST[0]
    if current is not seen and current is not quiet:
        quiet = _QUIET_OF.get(current) or _make_extobj(**_QUIET)   # the rest from current
        _LAST[0] = current, quiet
    elif current is quiet:                              # nested: already quiet
        quiet = current
    return _errstate.set(quiet)


def _unhush(token):
    if _errstate is None:                               # pragma: no cover
        token.__exit__(None, None, None)
    else:
        _errstate.reset(token)


def partials_hushed(fn):
    """``fn``, which makes a dual (or a tuple of them) whose value is NumPy's or LAPACK's
    word, run hushed (:func:`_hush`), and again under the caller's error state where a
    finite-valued result has lost a partial, so that a derivative lost on the way
    reports as it would unhushed and nothing else does.

    Outside NumPy's default state a lost partial is a NaN one: the partials of det, inv,
    cumprod, the general products, the singular values, pinv and lstsq raised
    FloatingPointError under ``np.errstate(all="raise")`` where the value reported
    nothing (attack63 05, attack65 02), and the singular vectors' NaN Jacobian at 1e-160
    (exact ~6e159) came back with no report under any explicit errstate (attackb65 F0);
    an infinite partial stays quiet there (inv's -1 / x**2 at 2**-660:
    tests/test_silent64.py).  In the default state, where NumPy's reports are counted
    rather than made and the result is read only after one, an infinite partial and a
    value not finite report too, as NumPy's own overflow does, while an intermediate
    overflow whose partials came out finite is silent as NumPy's value is (the singular
    values of diag(1e200, 2, 1e-200) + 1 warned "overflow" of an exact Jacobian, an
    exception under ``-W error``: attack66 F7)."""
    @functools.wraps(fn)
    def hushed(*args, **kwargs):
        state = None if _errstate is None else _errstate.get()
        if state is _COUNTING and state is not None:   # nested (a Hessian's inner
            return fn(*args, **kwargs)     # level): the outer call counts (diff68 F2)
        if state is not None and (state is PLAIN or _plain_like(state)):
            seen = _REPORTS[0]
            token = _errstate.set(_COUNTING)
            try:
                out = fn(*args, **kwargs)
            finally:
                _errstate.reset(token)
            if _REPORTS[0] == seen or not _any_lost(out, True):
                return out
            return fn(*args, **kwargs)
        token = _hush()
        try:
            out = fn(*args, **kwargs)
        finally:
            _unhush(token)
        return fn(*args, **kwargs) if _any_lost(out, False) else out
    return hushed


# the last error state found to hold NumPy's default settings, another object
# (np.errstate(divide="warn") inside the default: diff68 F7), and the last found not to
_LIKE = [None, None]
_DEFAULTS = dict(divide="warn", over="warn", under="ignore", invalid="warn")


def _plain_like(state):
    """Does the error state ``state`` (the current one) hold NumPy's default settings
    and no error callback, as :data:`PLAIN` does?"""
    if state is _LIKE[0]:
        return True
    if state is _LIKE[1]:
        return False
    like = np.geterr() == _DEFAULTS and np.geterrcall() is None
    _LIKE[0 if like else 1] = state
    return like


def _count_report(kind, flag):
    _REPORTS[0] += 1


def _any_lost(out, plain):
    return any(_lost(d, plain) for d in (out if isinstance(out, tuple) else (out,)))


def _lost(d, plain=False):
    """Has the dual ``d`` (any nesting) a NaN partial where its value is finite?  With
    ``plain`` (NumPy's default state, where a report was counted): or an infinite
    partial, or a value not finite (whose report NumPy's own call makes too).  (Anything
    that is no dual, a rank or NumPy's residual sums, has not.)"""
    if not isinstance(d, Dual):
        return False
    if not np.isfinite(primal(d)).all():
        return plain
    return _has_nan(d, plain)


def _has_nan(d, infinite=False):
    if isinstance(d, Dual):
        return _has_nan(d.value, infinite) or _has_nan(d.partials, infinite)
    if type(d) is not np.ndarray:             # a scalar level's number
        return isinstance(d, (float, complex, np.inexact)) and (
            d != d or infinite and d - d != 0)
    if d.dtype == object:          # a nested scalar's partials: its inner duals (a
        return any(_has_nan(e, infinite) for e in d.flat)  # Hessian's det: attack66 F4)
    if d.dtype.kind not in "fc":
        return False
    return bool(not np.isfinite(d).all()) if infinite else bool(np.isnan(d).any())

# NumPy's default error state, the one a program that never sets one runs under
# (``None`` without the context variable)
PLAIN = None if _errstate is None else contextvars.Context().run(_errstate.get)

# how many reports NumPy made under _COUNTING (any thread's: another's count costs at
# most a scan), and the default state with its warnings counted instead
_REPORTS = [0]
_COUNTING = None if _errstate is None else contextvars.Context().run(
    _make_extobj, divide="call", over="call", invalid="call", under="ignore",
    call=_count_report)
# the products' helpers run unhushed there too, so that their reports are counted
backend.HUSH_KEEP[1] = _COUNTING


# the quiet variants of the two states partials_hushed switches between, kept (each
# call would otherwise build both anew as the last pair flips)
_QUIET_OF = {} if _errstate is None else {
    state: contextvars.Context().run(lambda: (_errstate.set(state), _make_extobj(
        **_QUIET))[1]) for state in (PLAIN, _COUNTING)}
