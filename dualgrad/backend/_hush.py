"""NumPy's floating-point reports hushed around a derivative's own products, outside
NumPy's default error state (fperr73).

A partial is a product of the table's factor (or another factor: np.prod's others, a
norm's values) and an argument's partial; where it underflows, or overflows, f's float
code made no such product, so under ``np.errstate(all="raise")`` (or ``"warn"``) NumPy's
report of it is not f's: ``(0.3 + 1e-310 z) ** 2.5`` raised "underflow encountered in
multiply" from ``backend.scaled_small``'s NumPy product, ``np.prod`` and
``np.linalg.norm`` "underflow encountered in matmul" (attack72 C1).  The products'
helpers (:func:`dualgrad.backend.scaled_small`, ``pair_small``, ``weighted_sum``...)
run their NumPy calls through :func:`enter` / :func:`leave`, whatever their caller did.

In NumPy's default state (:data:`PLAIN`) nothing is hushed: underflow is ignored there,
and an overflowing partial may warn as before (small62: the lean products do not pay
for a hush there), nor in ``dispatch._quiet``'s counting variant of it, where
``partials_hushed`` counts the reports to rerun a call whose partial was lost
(:data:`KEEP`).  The quiet variant of a state is cached as dispatch's ``_hush`` caches
it (:data:`LAST`, the same list: a state dispatch hushed is found quiet here).
"""

import contextvars

import numpy as np

try:   # NumPy >= 2 keeps the error state in a context variable
    from numpy._core._ufunc_config import _extobj_contextvar as _ERRSTATE, _make_extobj
except ImportError:                                     # pragma: no cover
    _ERRSTATE = None

QUIET = dict(divide="ignore", invalid="ignore", over="ignore", under="ignore")
# NumPy's default state (the context variable's default), the one a program that never
# sets one runs under
PLAIN = None if _ERRSTATE is None else contextvars.Context().run(_ERRSTATE.get)
# the states whose products run unhushed: PLAIN and (set by dispatch._quiet) its
# counting variant
KEEP = [PLAIN, PLAIN]
# [(a caller's error state, its quiet variant)], replaced whole (dispatch._quiet's _LAST)
LAST = [(None, None)]


def enter():
    """Hush NumPy's reports unless the current state is one of :data:`KEEP` or already
    a quiet variant; the token for :func:`leave` (``None``: nothing was set)."""
    if _ERRSTATE is None:                               # pragma: no cover
        token = np.errstate(**QUIET)
        token.__enter__()
        return token
    state = _ERRSTATE.get()
    if state is KEEP[0] or state is KEEP[1]:
        return None
    seen, quiet = LAST[0]
    if state is quiet:
        return None
    if state is not seen:
        quiet = _make_extobj(**QUIET)       # (the rest of the current state kept)
        LAST[0] = state, quiet
    return _ERRSTATE.set(quiet)


def leave(token):
    """Undo :func:`enter`."""
    if token is None:
        return
    if _ERRSTATE is None:                               # pragma: no cover
        token.__exit__(None, None, None)
    else:
        _ERRSTATE.reset(token)

