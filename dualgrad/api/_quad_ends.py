"""dg.quad's check of a moving jump tied on a fixed end of the range (attack56 06b).

``int_0^2 [x >= p] dx`` at ``p = 0``: the nodes all lie on one side of the place, so the
watch sees no crossing and the partials under the integral sign give ``0``, the
derivative from below; from above it is ``-1`` (the jump enters the range there: the
integral has a kink in ``p``).  At each fixed finite end ``func`` is read once with the
watch on; an ordered comparison whose place moves and ties there is flipped (its tied
elements set to the other side, as dg.solve_ivp's end-tie check does, api/_ode's
``_continuous_at_end``) and ``func`` read again: where its value moves (a jump enters
the range) the derivative is one-sided and the call is refused by name; where it stays
to rounding (a kink, ``np.where(x >= p, x - p, 0)``: the integral is smooth in ``p``)
nothing is said.
"""

from __future__ import annotations

import numpy as np

from .. import errors
from ..dual import Dual, primal
from ..dual._answer import Answering
from ._ode_coincident import _ADDS, _TINY, _Setting, _result
from ._readings import _moves

_WHO = "dualgrad.quad"          # (dg.quad's name in its messages, as api/_quad's)

_ORDERED = (np.less, np.less_equal, np.greater, np.greater_equal)
_AT_ZERO = (np.heaviside, np.sign)      # (their place: the first argument's zero)


def _value(func, x, args, vectorized):
    """``func``'s plain value at the end ``x`` (real and imaginary parts), or ``None``
    where it raises there (a log at 0: no reading, nothing refused)."""
    node = np.array([x]) if vectorized else x
    try:
        with np.errstate(all="ignore"):
            out = func(node, *args)
        out = np.ravel(np.asarray(primal(out[()] if isinstance(out, np.ndarray) and
                                         out.dtype == object and out.ndim == 0 else out),
                                  dtype=complex))
    except errors.DualTypeError:
        raise
    except Exception as exc:        # noqa: BLE001 - (the end: func may be undefined)
        errors.handled(exc)
        return None
    return out


def _tied(seen):
    """The moving ordered comparisons of ``seen`` (the watch's records) tied at the
    node: ``{(ufunc, line, k): [(element, flipped result)]}``."""
    setting, times = {}, {}
    for record in seen:
        if len(record) < 4:
            continue
        u, branch, where, inputs = record[:4]
        k = times[u, where] = times.get((u, where), -1) + 1
        if inputs is None or not (u in _ORDERED and len(inputs) == 2 or
                                  u in _AT_ZERO and len(inputs) >= 1):
            continue
        with np.errstate(all="ignore"):         # (p (x - 1) > 0 at x = 1: not moving)
            place = inputs[0] - inputs[1] if u in _ORDERED else inputs[0]
            tied = np.flatnonzero(np.ravel(np.real(primal(place))) == 0)
        if not tied.size or not isinstance(place, Dual) or not _moves(place):
            continue
        now = _result(u, inputs)
        setting[u, where, k] = [(int(i), not bool(now[i])) for i in tied.tolist()
                                if i < now.size]
    return setting


def check_ends(func, args, ends, watch, vectorized, a, b):
    """Refuse where a moving ordered comparison of ``func`` ties on one of the fixed
    finite ``ends`` of the range ``(a, b)`` (and not inside it) and flipping it moves
    ``func``'s value there (``watch``: dg.quad's recorder, registered by the caller).
    Runs where the nodes met an ordered comparison at all (``watch.first``)."""
    if not any(key[0] in _ORDERED or key[0] in _AT_ZERO for key in watch.first):
        return
    nan_met = watch.nan_met
    try:
        _check_ends(func, args, ends, watch, vectorized, float(a), float(b))
    finally:
        watch.nan_met = nan_met


def _read(func, args, x, watch, vectorized):
    """``(func's plain value at x, the watch's records)``."""
    watch.start()
    try:
        return _value(func, x, args, vectorized), watch.seen or []
    finally:
        watch.seen, watch.step_seen = None, None


def _inside(a, b, end):
    """A point well inside the range ``(a, b)`` from its finite ``end``."""
    lo, hi = min(a, b), max(a, b)
    if np.isfinite(lo) and np.isfinite(hi):
        return lo + (hi - lo) / 2
    return end + 1.0 if end == lo else end - 1.0


def _check_ends(func, args, ends, watch, vectorized, a, b):
    for end in ends:
        if not np.isfinite(end):
            continue
        x = float(end)
        base, seen = _read(func, args, x, watch, vectorized)
        if base is None:
            continue
        setting = _tied(seen)
        if not setting:
            continue
        # a comparison tied inside the range too does not compare x: a parameter's
        # own test (p_j > 0 at p_j = 0, attack49 22), not a place at the end
        inner = _tied(_read(func, args, _inside(a, b, x), watch, vectorized)[1])
        setting = {key: [(i, v) for i, v in change
                         if i not in {j for j, _ in inner.get(key, ())}]
                   for key, change in setting.items()}
        setting = {key: change for key, change in setting.items() if change}
        if not setting:
            continue
        answer = _Setting(setting)
        saved = errors.watch_branches(Answering(watch, answer))
        watch.start()
        try:
            flipped = _value(func, x, args, vectorized)
        finally:
            watch.seen, watch.step_seen = None, None
            errors.unwatch_branches(saved)
        if flipped is None or answer.applied != set(setting) or \
                flipped.shape != base.shape:
            continue                    # (no reading with the switch set: unchanged)
        with np.errstate(invalid="ignore"):
            same = np.abs(flipped - base) <= _ADDS * np.maximum(
                np.abs(flipped), np.abs(base)) + _TINY
        if bool(np.all(same | (np.isnan(flipped) & np.isnan(base)))):
            continue
        u, where, _ = next(iter(setting))
        raise errors.bad_type(
            _WHO, "func's jumps whose places move to lie off the range's fixed ends",
            f"np.{u.__name__} on duals that carry partials ({where}) tied at x = {x!r}, "
            "an end of the range, where its place moves with the parameters and func "
            f"jumps there (from {_show(base)} to {_show(flipped)}): the integral has a "
            "kink in the parameters (the jump enters or leaves the range: one side's "
            "derivative holds its term, the other's none), no derivative",
            "Fix: move the jump off the end (a place p inside (a, b)), or make the "
            "place a limit (dg.quad(f, p, b) with p the dual: the moving limit carries "
            "the term), or take the one-sided derivative you mean by hand.")


def _show(v):
    v = v.real if not np.any(np.imag(v)) else v
    return repr(v[0].item() if v.size == 1 else v.tolist())
