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

From second order on a kink tied there does the same one level up (diff57 R3, attack57
d34: ``int_0^3 |x - p| dx`` at ``p = 0`` has the second derivative 2 from above, 0
from below; the nodes all lie above the kink and gave ``0.0``): where a kink's moving
place (``np.abs``, ``np.maximum``, ``np.hypot``) ties at a fixed end, func's
coefficients below the derivative's order are read just inside the end, just outside
it and further out on each side; where they jump across the end by more than their
change beside it on either side, the call is refused.  ``np.maximum(x - p, 0) ** 2`` (first partials
continuous: the integral's second derivative is) passes.  A comparison continuous at the end
(``np.where(x >= p, x - p, 0)``) is such a kink too (attack58 16), and the tied switches are
also set to their other branch inside the range (:func:`_flipped_jump`: func may be undefined
outside it, ``sqrt(x) |x - p|``; attack58 15).  Rounding steps (floor, ceil, trunc, rint, ``//``,
``%``) tied on an end are set to their other side as the comparisons are (attack59 02).

At a moving limit (first order) one comparison tied there whose other result leaves func's
value as it is does not matter to ``f(b) b'`` (:func:`settled_tie`; attack58 09).
"""

from __future__ import annotations

import sys

import numpy as np

from .. import errors
from ..dual import Dual, partials_array, primal
from ..rules._table import Branches, branch_functions
from ..dual._answer import Answering
from ._ode_coincident import _ADDS, _ROUNDINGS, _TINY, Keyed, _result, _set, step_tied
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
        if inputs is not None and u in _ROUNDINGS:  # (a rounding step: its other side's
            change = step_tied(u, inputs)           # result; attack59 02)
            if change:
                setting[u, where, k] = change
            continue
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


def _kinks(seen):
    """The kinks of ``seen`` (the table's branches of kind ``"kink"``, a sign's step)
    whose place moves and ties at the node: ``{(ufunc, line, k): [element]}``."""
    found, times = {}, {}
    for record in seen:
        if len(record) < 4:
            continue
        u, _, where, inputs = record[:4]
        k = times[u, where] = times.get((u, where), -1) + 1
        if inputs is None or not _is_kink(u):
            continue
        for kink, step, place in branch_functions(u):
            if kink < 1 or step is not np.sign:
                continue
            try:
                with np.errstate(all="ignore"):
                    at = place(*inputs, None)
            except Exception:  # noqa: BLE001 - (a place of no reading: not judged)
                continue
            if not isinstance(at, Dual) or not _moves(at):
                continue
            tied = np.flatnonzero(np.ravel(np.real(primal(at))) == 0).tolist()
            if tied:
                found.setdefault((u, where, k), []).extend(tied)
    return found


def _switches(seen):
    """:func:`_kinks` and the moving ordered comparisons (heaviside, sign) of ``seen``
    tied at the node (:func:`_tied`): ``{(ufunc, line, k): [element]}``.  A comparison
    whose value is continuous there (``np.where(x >= p, x - p, 0)``, Python's ``max(x -
    p, 0.0)``: attack58 16) is a kink of func at second order."""
    found = _kinks(seen)
    for key, change in _tied(seen).items():
        found.setdefault(key, []).extend(i for i, _ in change)
    return found


_OTHER = {np.absolute: None, np.maximum: np.minimum, np.minimum: np.maximum,
          np.fmax: np.fmin, np.fmin: np.fmax}     # (a kink's branch not taken)


def _other(ufunc, inputs, elements):
    """``ufunc``'s result at ``inputs`` with the branch not taken at ``elements``: a
    comparison's (heaviside's, sign's) other result, a kink's other formula (``-|u|``,
    ``np.maximum``'s smaller operand), partials kept; ``None`` for another ufunc."""
    if ufunc not in _OTHER and ufunc not in _ORDERED and ufunc not in _AT_ZERO:
        return None
    saved, errors.BRANCHES.record = errors.BRANCHES.record, None   # (not watched again)
    try:
        with np.errstate(all="ignore"):
            if ufunc not in _OTHER:
                out = np.array(ufunc(*[np.real(primal(v)) for v in inputs]))
                flat = out.reshape(-1)
                for i in elements:
                    if i < flat.size:
                        flat[i] = (not flat[i] if ufunc in _ORDERED else
                                   1 - flat[i] if ufunc is np.heaviside else -flat[i])
                return out[()] if out.ndim == 0 else out
            own = ufunc(*inputs)
            other = -own if ufunc is np.absolute else _OTHER[ufunc](*inputs)
            shape = np.shape(primal(own))
            if not shape:
                return other
            mask = np.zeros(shape, dtype=bool)
            mask.reshape(-1)[[i for i in elements if i < mask.size]] = True
            return np.where(mask, other, own)
    finally:
        errors.BRANCHES.record = saved


def _flipped_jump(func, args, x, d, tied, watch, vectorized):
    """``(jump, jumps)`` where func's lower coefficients just inside the end ``x`` (at
    ``x + d`` and ``x + d / 64``) change, with the tied switches set to their other
    branch, by an amount that does not shrink with the distance (the other side's
    partials continued into the range: a partial continuous across the end differs
    O(d) there, a kink's by its jump at every d); ``None`` where none does or func
    cannot be read so.  No reading outside the range: func may be undefined there
    (``(1 + sqrt(x)) |x - p|`` at p = 0, attack58 15)."""
    read = []
    for s in (1.0, 1.0 / 64):
        for keys in (None, tied):
            answer = Keyed(keys, _other) if keys else None
            saved = errors.watch_branches(Answering(watch, answer)) if answer else None
            watch.start()
            try:
                c = _coefficients(func, x + s * d, args, vectorized, watch.order)
            except errors.DualTypeError:
                c = None
            finally:
                watch.seen, watch.step_seen = None, None
                if answer is not None:
                    errors.unwatch_branches(saved)
            if c is None or answer is not None and answer.applied != set(keys):
                return None
            read.append(c)
    c_in, c_flip, c_in_s, c_flip_s = read
    for path in set(c_in) | set(c_flip):    # (a path missing: partials 0 there)
        v = c_in.get(path)
        v = np.zeros_like(c_flip[path]) if v is None else v
        zero = np.zeros_like(v)
        w, vs, ws = c_flip.get(path, zero), c_in_s.get(path, zero), \
            c_flip_s.get(path, zero)
        if w is None or vs is None or ws is None or \
                not v.shape == w.shape == vs.shape == ws.shape:
            continue
        with np.errstate(invalid="ignore"):
            jump, small = np.abs(v - w), np.abs(vs - ws)
            scale = np.maximum(np.maximum(np.abs(v), np.abs(w)),
                               np.maximum(np.abs(vs), np.abs(ws)))
            jumps = (small > 0.25 * jump) & (small > 1e-9 * scale + _TINY)
        if np.any(jumps):
            return np.maximum(jump, small), jumps
    return None


def _is_kink(u):
    return isinstance(u, (np.ufunc, Branches)) and any(
        kink >= 1 and step is np.sign for kink, step, _ in branch_functions(u))


def _levels(v, depth, path=()):
    """``v``'s coefficients of fewer than ``depth`` levels (its first partials where
    ``depth`` is 2), plain, by their levels' tags."""
    found = {}
    while isinstance(v, Dual) and len(path) < depth - 1:
        p = partials_array(v)
        here = path + (v.tag,)
        found[here] = np.asarray(primal(p), dtype=complex)
        found.update(_levels(p, depth, here))
        v = v.value
    return found


def _coefficients(func, x, args, vectorized, depth):
    node = np.array([x]) if vectorized else x
    try:
        with np.errstate(all="ignore"):
            out = func(node, *args)
    except errors.DualTypeError:
        raise
    except Exception as exc:        # noqa: BLE001 - (outside the range: undefined)
        errors.handled(exc)
        return None
    if isinstance(out, np.ndarray) and out.dtype == object and out.ndim == 0:
        out = out[()]
    return _levels(out, depth)


_BESIDE = 100.0     # a partial's jump across the end: more than this times its change
#                     beside it (the same width further inside)


def _check_kinks(func, args, ends, watch, vectorized, a, b):
    """:func:`check_ends` one level up: a kink's moving place tied on a fixed end,
    where func's coefficients below the derivative's order jump across the end."""
    span = max(abs(b - a), 1.0) if np.isfinite(b - a) else 1.0
    for end in ends:
        if not np.isfinite(end):
            continue
        x = float(end)
        tied = _switches(_read(func, args, x, watch, vectorized)[1])
        if not tied:
            continue
        inner = _switches(_read(func, args, _inside(a, b, x), watch, vectorized)[1])
        tied = {key: change for key, change in tied.items()
                if set(change) - set(inner.get(key, ()))}
        if not tied:
            continue
        inward = 1.0 if x == min(a, b) else -1.0
        d = 1e-6 * span
        watch.start()
        try:
            c_in, c_out, c_far, c_beyond, c_in_s, c_out_s = (
                _coefficients(func, x + s * d, args, vectorized, watch.order)
                for s in (inward, -inward, 2 * inward, -2 * inward, inward / 64,
                          -inward / 64))
        finally:
            watch.seen, watch.step_seen = None, None
        if any(c is None for c in (c_in, c_out, c_far, c_beyond, c_in_s, c_out_s)):
            c_in = c_out = {}               # (func undefined outside: sqrt(x) |x - p| at
        #                                     p = 0; the flipped branch reads inside)
        for path, v in c_in.items():       # (a path missing: a plain reading there,
            zero = np.zeros_like(v)         # its partials 0: Python's max(x - p, 0.0))
            w, f, g = c_out.get(path, zero), c_far.get(path, zero), \
                c_beyond.get(path, zero)
            vs, ws = c_in_s.get(path, zero), c_out_s.get(path, zero)
            if w is None or f is None or g is None or vs is None or ws is None or \
                    not v.shape == w.shape == f.shape == g.shape == vs.shape == ws.shape:
                continue
            with np.errstate(invalid="ignore"):   # (the change beside: either side's;
                jump = np.abs(v - w)        # max(x - p, 0) ** 3's first partial is 0
                scale = np.maximum(np.abs(v), np.abs(w))    # inside the end and
                beside = np.maximum(np.abs(f - v), np.abs(g - w))   # -3 d^2 out:
                jumps = jump > _BESIDE * beside + 1e-9 * scale + _TINY  # attack58 10)
                # or a jump that does not shrink with the distance (a partial
                # continuous across the end shrinks 64-fold at d / 64 where it is
                # C^1 there), however steep the outside: func's formula outside the
                # range, never integrated, hid |x - p|'s jump (attack58 12)
                small = np.abs(vs - ws)
                jumps = jumps | ((small > 0.25 * jump) &
                                 (small > _BESIDE * np.abs(vs - v) + 1e-9 * scale + _TINY))
                jump = np.maximum(jump, small)
            if np.any(jumps):
                _refuse_kink(tied, x, jump, jumps)
        flipped = _flipped_jump(func, args, x, inward * d, tied, watch, vectorized)
        if flipped is not None:
            _refuse_kink(tied, x, *flipped)


def _refuse_kink(tied, x, jump, jumps):
    """The refusal of a kink (or a continuous comparison) tied on the end ``x`` whose
    lower coefficients jump there (``jump``, ``jumps``: where)."""
    u, where, _ = next(iter(tied))
    j = int(np.argmax(np.where(jumps, jump, -1.0)))
    raise errors.bad_type(
        _WHO, "func's kinks whose places move to lie off the range's fixed ends "
        "where derivatives of second order or more are taken",
        f"np.{getattr(u, '__name__', 'a kink')} on duals that carry partials "
        f"({where}) tied at x = {x!r}, an end of the range, where its place "
        "moves with the parameters and func's first partials jump across it "
        f"(by {float(np.ravel(jump)[j]):.3g}): the integral's first derivative "
        "has a kink in the parameters (its second derivative holds the kink's "
        "term from one side, none from the other), no second derivative",
        "Fix: move the kink off the end (a place p inside (a, b)), or make the "
        "place a limit (dg.quad(f, p, b) with p the dual), or take the "
        "one-sided derivative you mean by hand.")


def check_ends(func, args, ends, watch, vectorized, a, b):
    """Refuse where a moving ordered comparison of ``func`` ties on one of the fixed
    finite ``ends`` of the range ``(a, b)`` (and not inside it) and flipping it moves
    ``func``'s value there (``watch``: dg.quad's recorder, registered by the caller);
    from second order on, where a moving kink ties there and func's lower
    coefficients jump across the end (:func:`_check_kinks`).  Runs where the nodes met
    an ordered comparison (a kink) at all (``watch.first``)."""
    compared = any(key[0] in _ORDERED or key[0] in _AT_ZERO or key[0] in _ROUNDINGS
                   for key in watch.first)
    kinked = getattr(watch, "order", 1) >= 2 and (compared or any(
        _is_kink(key[0]) for key in watch.first))   # (a comparison continuous at first
    #                                                 order is a kink at second: 16)
    if not compared and not kinked:
        return
    nan_met = watch.nan_met
    try:
        if compared:
            _check_ends(func, args, ends, watch, vectorized, float(a), float(b))
        if kinked:
            _check_kinks(func, args, ends, watch, vectorized, float(a), float(b))
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
        answer = Keyed(setting, _set)
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
            same |= np.isnan(flipped) & np.isnan(base)
            if not bool(np.all(same)):      # (rounding on func's own scale: a wrap's
                size = _size_near(func, args, x, a, b, vectorized)  # sin(2 pi 1) is
                same |= np.abs(flipped - base) <= _ADDS * size      # -2.4e-16 for
        if bool(np.all(same)):                                      # sin(0); attack59 09)
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


class _TieFlip:
    """The answer of the watch's stand-in while func is read again at a moving limit:
    each ordered comparison of plain operands tied there returns its other result
    (``flips``: how many elements); a comparison dualgrad's own code reports (a
    density's support end: its result is not this answer's) is noted in
    ``reported``."""

    def __init__(self):
        self.flips, self.reported = 0, False

    def __call__(self, ufunc, inputs, seen, n):
        if ufunc not in _ORDERED or len(inputs) != 2:
            return None
        if sys._getframe(2).f_code is errors.report_branch.__code__:
            self.reported = True
            return None
        with np.errstate(all="ignore"):
            plain = [np.real(primal(v)) for v in inputs]
            tied = np.flatnonzero(np.ravel(plain[0] - plain[1]) == 0)
            if not tied.size:
                return None
            out = np.array(ufunc(*plain))
        flat = out.reshape(-1)
        for i in tied.tolist():
            if i < flat.size:
                flat[i] = not flat[i]
                self.flips += 1
        return out[()] if out.ndim == 0 else out


def settled_tie(read, value, watch, end0, inward):
    """Whether the one tie the watch recorded at a moving limit (first order: the
    limit's term ``f(b) b'`` takes func's value there alone) is an ordered comparison
    whose other result leaves func's value there as it is, to rounding: a switch
    continuous at the limit (a call payoff ``(s - K) [s > K]`` over ``[K, inf)``, 0 on
    both sides; attack58 09), whose side does not matter.  ``read()``: func at the dual
    limit, the watch set as the caller set it; ``value``: that reading's result.  On
    True the watch's records of the tie are dropped (``watch.settled`` keeps its
    place, which :func:`_selection_tie` then does not compare)."""
    seen = watch.seen
    if not seen or len(seen) != 1 or seen[0][0] not in _ORDERED:
        return False
    answer = _TieFlip()
    saved = errors.watch_branches(Answering(watch, answer))
    picked = watch.picked
    watch.start()
    watch.limit, watch.inward = end0, inward
    try:
        flipped = read()
    except Exception as exc:        # noqa: BLE001 - (no reading with the tie set)
        errors.handled(exc)
        return False
    finally:
        again, watch.seen, watch.picked, watch.limit = watch.seen, seen, picked, None
        errors.unwatch_branches(saved)
    if answer.reported or answer.flips != 1 or again != seen:
        return False
    with np.errstate(all="ignore"):
        base = np.ravel(np.asarray(primal(value), dtype=complex))
        other = np.ravel(np.asarray(primal(flipped), dtype=complex))
        if base.shape != other.shape or not np.all(np.isfinite(base)):
            return False
        if not bool(np.all(np.abs(other - base) <= _ADDS * np.maximum(
                np.abs(other), np.abs(base)) + _TINY)):
            return False
    watch.settled.add(seen[0])
    watch.seen = []
    watch.picked = [p for p in picked if (p[0], p[2]) != seen[0]]
    return True


def _size_near(func, args, x, a, b, vectorized):
    """The largest of func's plain values (in size) at 1e-3, 1e-2 and 1e-1 of the range
    (1 where infinite) inside its end ``x``: the scale of func's roundings there, where
    its own value at the end may be 0 (``sin(2 pi ((x - p) % 1))``)."""
    lo, hi = min(a, b), max(a, b)
    width = hi - lo if np.isfinite(hi - lo) else 1.0
    inward = 1.0 if x == lo else -1.0
    size = 0.0
    for s in (1e-3, 1e-2, 1e-1):
        v = _value(func, x + inward * s * width, args, vectorized)
        if v is not None:
            with np.errstate(invalid="ignore"):
                size = max(size, float(np.max(np.where(np.isfinite(v), np.abs(v), 0.0),
                                              initial=0.0)))
    return size


def _show(v):
    v = v.real if not np.any(np.imag(v)) else v
    return repr(v[0].item() if v.size == 1 else v.tolist())
