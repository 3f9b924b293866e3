"""dg.solve_ivp's switches that flip together where a moving one crosses (ode55).

At the crossing ``t_c`` of a moving switch (:mod:`dualgrad.api._ode_pieces`), other
switches of ``fun`` may flip too: a fixed ``t >= 4.0`` beside a dose at ``t >= p`` with
p = 4, two lags at ``p == q``.  ``fun``'s jump there is all of theirs, and the
crossing's term ``(f- - f+) dt_c/dtheta`` is each switch's own jump times its own
crossing's motion.  Each group of switches whose crossing times move alike (the same
place, or places with equal ``dt_c/dtheta``) is flipped alone: ``fun`` is read on the
crossing's before side with that group's comparisons set to their after-side results
(the watch's hook returns them: :class:`Keyed`).  Where the groups' jumps add (every
combination of flips is the sum of the single flips, to rounding) the term is the sum
of each group's jump times its motion; groups whose flip moves nothing (a continuous
``np.where(t >= 4, t - 4, 0)``, ``np.where(t >= 4, 1, 1)``: attack54 18) add nothing.
Where they do not add (``D [t >= p] [t >= q]`` at p == q: y(T) has a kink in (p, q)
there), or a group's switch is no comparison, the refusal stands.
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import errors
from ..dual import primal
from ..dual._answer import Answering
from ..rules._table import branch_functions
from ..dual import Dual
from ._readings import _moves, _plain, _slopes

_EPS = np.finfo(float).eps
_TINY = np.finfo(float).tiny
_ADDS = 256 * _EPS      # the groups' flips add: to this of fun's values (rounding)
_GROUPS = 3             # groups of switches flipped one by one (2^3 readings of fun)
_KINKS = (np.maximum, np.minimum, np.fmax, np.fmin, np.absolute)
_SETTABLE = frozenset((np.less, np.less_equal, np.greater, np.greater_equal, np.equal,
                       np.not_equal, np.heaviside, np.sign))


class Keyed:
    """The answer of the watch's stand-in (:class:`~dualgrad.dual._answer.Answering`)
    while ``fun`` is read with some switches answered otherwise: a record at a place of
    ``keys`` (``{(ufunc, line, k): what}``) is answered with ``respond(ufunc, inputs,
    what)`` (``None``: the ufunc's own result); ``applied`` holds the places answered
    (each must be met).  :func:`_set` sets elements to given results (here);
    ``_quad_ends._other`` takes a switch's other branch."""

    def __init__(self, keys, respond):
        self.keys, self.respond, self.counts, self.applied = keys, respond, {}, set()

    def __call__(self, ufunc, inputs, seen, n):
        out = None
        for record in seen[n:]:
            if len(record) < 3:
                continue
            u, where = record[0], record[2]
            k = self.counts[u, where] = self.counts.get((u, where), -1) + 1
            what = self.keys.get((u, where, k))
            if what is not None and u is ufunc:
                out = self.respond(ufunc, inputs, what)
                if out is not None:
                    self.applied.add((u, where, k))
        return out


_ROUNDINGS = frozenset((np.floor, np.ceil, np.trunc, np.rint, np.floor_divide,
                        np.remainder))
_WHOLE = 2.0 ** 52      # (past it every float is an integer: no step of its own)


def step_tied(ufunc, inputs):
    """A rounding step (``np.floor``, ``np.ceil``, ``np.trunc``, ``np.rint``, ``//``,
    ``%``) whose moving place sits on its threshold here (an integer; rint's a
    half-integer): ``[(element, the result on the step's other side)]`` (floor one
    less, ceil one more, the remainder one divisor more ...), or ``None``."""
    specs = branch_functions(ufunc) if ufunc in _ROUNDINGS else ()
    if len(specs) != 1 or specs[0][0] or not callable(specs[0][1]):
        return None
    step = specs[0][1]
    try:
        with np.errstate(all="ignore"):
            place = specs[0][2](*inputs, None)
            if not isinstance(place, Dual) or not _moves(place):
                return None
            u = np.ravel(np.real(np.asarray(_plain(place), dtype=complex)))
            now = np.ravel(np.asarray(ufunc(*[np.real(_plain(v)) for v in inputs]),
                                      dtype=float))
            if now.size != u.size:
                return None
            at = step(u)
            below, above = step(np.nextafter(u, -np.inf)), step(np.nextafter(u, np.inf))
            other = np.where(below != at, below, above)
            tied = np.flatnonzero(np.isfinite(u) & (np.abs(u) < _WHOLE) &
                                  (other != at)).tolist()
            if not tied:
                return None
            if ufunc is np.remainder:           # (x - y floor(x / y))
                y = np.ravel(np.broadcast_to(np.real(_plain(inputs[1])), u.shape))
                return [(i, float(now[i] - y[i] * (other[i] - at[i]))) for i in tied]
            return [(i, float(now[i] + other[i] - at[i])) for i in tied]
    except Exception:  # noqa: BLE001 - operands the place cannot read: unchecked
        return None


def _result(ufunc, inputs):
    """``ufunc``'s plain result at the record's operands ``inputs``, raveled."""
    with np.errstate(all="ignore"):
        return np.ravel(np.asarray(ufunc(*[np.real(primal(v)) for v in inputs])))


def _set(ufunc, inputs, change):
    with np.errstate(all="ignore"):
        out = np.array(ufunc(*[np.real(primal(v)) for v in inputs]))
    flat = out.reshape(-1)
    for i, v in change:
        if i < flat.size:
            flat[i] = v
    return out[()] if out.ndim == 0 else out


def _read(system, t, z, setting=None):
    """``(fun's values, the branches it took)`` at ``(t, z)`` with ``t`` a dual of the
    running call with zero partials (so a comparison of ``t`` with a plain number is
    recorded), the switches of ``setting`` set; ``None`` where fun cannot take a dual
    ``t`` (``int(t)``, an index)."""
    from ..dual import make_scalar
    moved = make_scalar(float(t), [0.0] * system.k, system.tag)
    watch = system.switches.watch
    answer = Keyed(setting, _set) if setting else None
    saved = errors.watch_branches(Answering(watch, answer) if answer else watch)
    try:
        rates, taken = system.switches.recorded(lambda _, w: system.rates(moved, w), t, z)
    except Exception as exc:        # noqa: BLE001 - (fun reads t as a number)
        errors.handled(exc)
        return None
    finally:
        errors.unwatch_branches(saved)
    if answer is not None and answer.applied != set(setting):
        return None                 # (a place set is not met: no reading of it alone)
    return np.asarray(rates[:system.m], dtype=float), taken


def _place_value(ufunc, i, inputs):
    place = _place(ufunc)
    with np.errstate(all="ignore"):
        g = np.ravel(np.real(np.asarray(_plain(place(*inputs, None)))))
    return float(g[i]) if g.size > i else None


def _place(ufunc):
    specs = branch_functions(ufunc) if isinstance(ufunc, np.ufunc) else ()
    if len(specs) != 1 or specs[0][1] is not np.sign or specs[0][0]:
        return None
    return specs[0][2]


def _motion(system, ufunc, i, in_lo, in_hi, span):
    """``dc/dtheta`` of the crossing of element ``i`` of ``ufunc``'s place from its
    records' operands on the two sides ``span`` apart: ``-g_theta / (dg/dt)``; ``None``
    where the place is no sign of one expression or does not move along the line."""
    place = _place(ufunc)
    if place is None or in_lo is None or in_hi is None or span == 0.0:
        return None
    g = [_place_value(ufunc, i, rec) for rec in (in_lo, in_hi)]
    if g[0] is None or g[1] is None:
        return None
    rate = (g[1] - g[0]) / span
    if rate == 0.0 or not np.isfinite(rate):
        return None
    return -_partials(system, place, i, in_lo) / rate


def _partials(system, place, i, inputs):
    with np.errstate(all="ignore"):
        G = _slopes(place(*inputs, None), system.tag)
    return np.zeros(system.k) if G is None else np.real(np.reshape(G, (-1, system.k))[i])


def _rate(system, key, i, tc, y, f, h):
    """``d/ds g(tc + s, y + s f)`` at 0 for element ``i`` of ``key``'s place (Richardson's
    central differences at ``h`` and ``2 h``, as the moving switch's own), ``None``
    where it is not recorded there."""
    m, k = system.m, system.k
    g = []
    for s in (-2 * h, -h, h, 2 * h):
        z = np.concatenate([y + s * f, np.zeros(m * k)])
        got = _read(system, tc + s, z)
        inputs = None if got is None else got[1].get(key, (None, None))[1]
        if inputs is None:
            return None
        g.append(_place_value(key[0], i, inputs))
        if g[-1] is None:
            return None
    return (8.0 * (g[2] - g[1]) - (g[3] - g[0])) / (12.0 * h)


def flipped_together(system, sides):
    """The switches of ``fun`` whose branch flips between the crossing's two ``sides``
    (``[(t, z, ...)] * 2``): ``(reads, [(key, i, motion)])``, kinks not counted;
    ``None`` where fun cannot take a dual ``t`` (the check is skipped)."""
    reads = [_read(system, t, z) for t, z, *_ in sides]
    if any(r is None for r in reads):
        return None
    taken = [r[1] for r in reads]
    span = float(sides[1][0]) - float(sides[0][0])
    flipped = []
    for key in set(taken[0]) & set(taken[1]):
        if key[0] in _KINKS:
            continue
        a, b = np.ravel(taken[0][key][0]), np.ravel(taken[1][key][0])
        if a.shape != b.shape:
            continue
        with np.errstate(invalid="ignore"):
            moved = np.flatnonzero((a != b) & ((a == a) | (b == b)))
        for i in moved.tolist():
            flipped.append((key, i, _motion(system, key[0], i, taken[0][key][1],
                                            taken[1][key][1], span)))
    flipped.sort(key=lambda f: (repr(f[0]), f[1]))
    return reads, flipped


def _lonely(reads, sides):
    """Comparisons recorded on one side of the crossing only whose place is as near 0
    there as the moving switch's own (``D if (t >= p and t >= 4) else 0`` at p = 4:
    Python's ``and`` skips ``t >= 4`` before the crossing, a switch at max(p, 4) taken
    for p's alone, -0.0996 for a kink; attack55 07): ``[(ufunc, line)]``."""
    near = 16.0 * max(abs(sides[0][3]), abs(sides[1][3])) + _TINY
    found = []
    for one, other in ((reads[0][1], reads[1][1]), (reads[1][1], reads[0][1])):
        for key in set(one) - set(other):
            if key[0] not in _SETTABLE or one[key][1] is None or _place(key[0]) is None:
                continue
            with np.errstate(all="ignore"):
                g = np.ravel(np.real(np.asarray(_plain(_place(key[0])(*one[key][1], None)),
                                                dtype=complex)))
            if g.size and np.any(np.abs(g) <= near):
                found.append((key[0], key[1]))
    return found


def _groups(flipped):
    """``flipped``'s indices grouped by equal motion (a motion ``None``: alone)."""
    groups = []
    for j, (_, _, motion) in enumerate(flipped):
        for group in groups:
            first = flipped[group[0]][2]
            if motion is not None and first is not None and \
                    np.allclose(motion, first, rtol=1e-6, atol=1e-12):
                group.append(j)
                break
        else:
            groups.append([j])
    return groups


def coincident_terms(system, sides, refuse):
    """The other groups' share of ``fun``'s jump at a moving switch's crossing
    (``sides``: its before and after points): ``[(jump, key, i, motion)]`` per group
    whose flip moves fun (``jump``: fun's change when that group alone flips), one of
    which is the moving switch's own (the caller tells which by its motion); ``[]``
    where one group flips (or the check cannot read fun).  ``refuse(others)`` makes
    the refusal where the groups' jumps do not add or a group cannot be set alone."""
    found = flipped_together(system, sides)
    if found is None:
        return []
    (reads, flipped) = found
    lonely = _lonely(reads, sides)
    if lonely:
        raise refuse([(key[0], key[1]) for key, _, _ in flipped] + lonely)
    if len(flipped) < 2:
        return []
    groups = _groups(flipped)
    if len(groups) == 1 and flipped[0][2] is not None:
        return []           # (one place, or places moving alike: one joint term; attack54
    #                         19, a lag feeding two compartments)
    others = [(key[0], key[1]) for key, _, _ in flipped]
    if len(groups) > _GROUPS or any(key[0] not in _SETTABLE for key, _, _ in flipped):
        raise refuse(others)
    after = reads[1][1]
    results = {}
    for key, i, _ in flipped:       # (each flipped element's result on the after side)
        results[key, i] = _result(key[0], after[key][1])[i]
    t_lo, z_lo = sides[0][0], sides[0][1]
    base = reads[0][0]
    values = {}
    for bits in itertools.product((0, 1), repeat=len(groups)):
        if not any(bits):
            values[bits] = base
            continue
        setting = {}
        for group, bit in zip(groups, bits):
            for j in group if bit else ():
                key, i, _ = flipped[j]
                setting.setdefault(key, []).append((i, results[key, i]))
        got = _read(system, t_lo, z_lo, setting)
        if got is None:
            raise refuse(others)
        values[bits] = got[0]
    n = len(groups)
    if not np.all(np.abs(values[(1,) * n] - reads[1][0]) <= _ADDS * np.maximum(
            np.abs(reads[1][0]), np.abs(base)) + _TINY):
        raise refuse(others)        # (every group set is not the after side: a switch
    #                                 the setting missed)
    jumps = [values[tuple(int(b == g) for b in range(n))] - base for g in range(n)]
    scale = np.max([np.abs(v) for v in values.values()], axis=0)
    tol = _ADDS * scale + _TINY
    with np.errstate(invalid="ignore"):
        for bits, v in values.items():      # (the flips add: no interaction; for three
            sum_ = base + sum(b * s for b, s in zip(bits, jumps))   # groups every
            if not np.all(np.abs(v - sum_) <= tol):     # combination is read)
                raise refuse(others)
    terms = []
    for group, jump in zip(groups, jumps):
        with np.errstate(invalid="ignore"):
            if np.all(np.abs(jump) <= tol):
                continue                    # (its flip moves nothing: attack54 18)
        members = []
        for j in group:
            key, i, motion = flipped[j]
            place = _place(key[0])
            if motion is None or place is None:
                raise refuse(others)
            members.append((key, i, _partials(system, place, i, reads[0][1][key][1])))
        terms.append((jump, members))
    return terms


def other_terms(system, terms, G_own, tc, y, f_lo, h, refuse_all):
    """``[(jump, dc_j)]`` of the groups in ``terms`` other than the moving switch's own
    (the one holding a place with its partials ``G_own`` on the before side): each
    group's crossing motion ``-g_theta / (dg/dt)``, the rate along the line with
    ``f_lo`` by Richardson's differences; the refusal where not exactly one group is
    the moving switch's."""
    scale = max(float(np.max(np.abs(G_own), initial=0.0)), _TINY)
    own = [j for j, (_, members) in enumerate(terms)
           if any(np.allclose(G, G_own, rtol=1e-9, atol=1e-12 * scale)
                  for _, _, G in members)]
    if len(own) > 1:
        raise refuse_all()
    out = []
    for j, (jump, members) in enumerate(terms):
        if j in own:
            continue
        key, i, G = members[0]
        if not np.any(G):               # (a fixed switch: its crossing does not move)
            out.append((jump, np.zeros(system.k)))
            continue
        rate = _rate(system, key, i, tc, y, f_lo, h)
        if rate is None or rate == 0.0 or not np.isfinite(rate):
            raise refuse_all()
        out.append((jump, -G / rate))
    return out
