"""A steep change of func's value between two neighbouring nodes of dg.quad's final
rules whose partials' pulse no node evaluated (api/_quad.py ``_integrate_watched``).

A smooth step written by hand, ``z / np.sqrt(1 + z * z)``, ``z / np.hypot(1, z)``,
``2 / (1 + np.exp(-2 z)) - 1`` with ``z = s (x - p)``, is a composition, no row of the
rule table: the step watch (``step_of``) does not see it.  Its value changes by 2 over a
width ``1 / s`` and its partial in p is ``-s g'(z)``, a pulse of integral -2 there and
``s / z^3`` (or ``e^-2|z|``) at the nodes.  Where that width lies between two
intervals' outer nodes (a bisection's midpoint on the place: p = 0.5 over [0, 2]) or
between an end and the first node (p = 1e-3), each interval's rule sees a constant and
converges: the derivative came out -4.6e-10 / 0.0 for -2, silently (attack54 16).

What the final nodes show: between two neighbours of different intervals (or an end,
func read 4 ulps inside, and its interval's first node) the value changes by far more
than the slopes beside them predict.  The change is located by halving, the value only,
until it no longer sits in one half (its width ``w``: the bracket then); where func's
partials there, times ``w``, are a fair part of the change, the feature moves with the
parameters and its pulse was missed: the range restarts split at its place and at
``c +- w R^j`` (the smooth step's split, api/_quad.py ``_Watch._step_places``), or is
refused by name where ``w^k`` is under 1e7 ulps of x (a rule's nodes, rounded to x's
floats, miss a k-th coefficient's pulse by ulp / w^k).  A feature whose partials are no
larger at its place (a jump of constants, ``log x`` at 0) is SciPy's value as it is.
"""

from __future__ import annotations

import numpy as np

from .. import errors

__all__ = ["moving_gaps", "refusal"]

_STEEPER = 64.0     # a gap's change over the slopes beside it, times its width, at least
_FLOOR = 1e-6       # a gap's change relative to the largest value at the nodes, at least
_STRADDLE = 0.75    # halving stops where neither half holds this share of the change
_INNER = 0.9        # ... and the quarter points hold less than this share of it
_MOVES = 0.05       # partials at the place times its width, over the change: it moves
_HALVINGS = 100     # at most
_AT_MOST = 16       # gaps judged (more: the first ones)
_ULPS = 1e7         # a split place's width^k in ulps of x, at least
_RATIO = 30.0       # the split ladder: w, 30 w, ...
_JUMP = 64.0        # a partial's change located within this many ulps: a jump


def _gaps(x, V, I):
    """Per column of ``V`` (``(N, c)``: values at the sorted nodes ``x``; interval ids
    ``I``, an end's -1), the pairs ``(k, l)`` whose change from ``k`` to ``l`` (``k + 1``,
    or ``k + 2`` across a node on the change's place) is steeper than the slopes beside
    it (within one interval's rule) predict: across intervals, or inside an interval
    narrower than the value's tolerance (a jump of 1 there is within it; attack55 01:
    expon.cdf((x - p) / 1e-10) gave 0.0 for -1).  Both kinds of pair are judged in one
    stack (rows ``k`` of the ``N - 1`` neighbours, then of the ``N - 2`` pairs across a
    node): an integrand with no steep change costs one pass of array operations."""
    n = len(x)
    with np.errstate(all="ignore"):
        dx = np.concatenate([x[1:] - x[:-1], x[2:] - x[:-2]])[:, None]
        dV = np.abs(np.concatenate([V[1:] - V[:-1], V[2:] - V[:-2]]))
        # each neighbour pair's slope within one interval's rule (0 across intervals),
        # padded with a 0 on both sides: the slopes beside pair k are rows k and k + 2,
        # those beside the pair of pairs k (k to k + 2, across a node that sits on the
        # change's place: a smooth step with a flat centre on a node, tanh(z)**3 at p =
        # 1 over [0, 2]; the two pairs beside that node each see the other's slope,
        # attack55 09) rows k and k + 3
        inside = np.zeros((n + 1, V.shape[1]))
        same = (I[1:] == I[:-1]) & (I[1:] >= 0) & (dx[:n - 1, 0] > 0)
        inside[1:n] = np.where(same[:, None], dV[:n - 1] / dx[:n - 1], 0.0)
        beside = np.concatenate([np.maximum(inside[:n - 1], inside[2:]),
                                 np.maximum(inside[:n - 2], inside[3:])])
        floor = np.abs(V).max(axis=0)
        if not np.isfinite(floor).all():
            floor = np.where(np.isfinite(V), np.abs(V), 0.0).max(axis=0)
        floor *= _FLOOR
        steep = (dV > _STEEPER * beside * dx) & (dV > floor) & (dx > 0) & np.isfinite(dV)
    if not steep.any():
        return []
    steep, steep2 = steep[:n - 1], steep[n - 1:]
    steep2 &= ~steep[:-1] & ~steep[1:]      # (a pair of pairs: neither pair steep)
    found = []
    for c in np.flatnonzero(steep.any(axis=0) | steep2.any(axis=0)).tolist():
        pairs = [(k, k + 1) for k in np.flatnonzero(steep[:, c]).tolist()] + \
            [(k, k + 2) for k in np.flatnonzero(steep2[:, c]).tolist()]
        found.append((c, sorted(pairs)[:_AT_MOST]))
    return found


def moving_gaps(x, F, ends, probe, order, lo, hi, orders=None, bounds=None, tol=None):
    """The split places of the moving steep changes between neighbouring nodes.

    Parameters
    ----------
    x, F : ndarray
        The final rules' nodes ``(n, 21)`` and func's coefficients there ``(n, 21,
        m)`` (column 0 the value, the others its partials).
    ends : list
        ``(x_end, row)`` for the range's ends (func 4 ulps inside them; ``row`` the
        coefficients, or ``None`` where func raised there).
    probe : callable
        The coefficients ``(m,)`` at one point (``None`` where func raises there).
    order : int
        The derivatives' order (``w^order`` against x's floats).
    lo, hi : float
        The range.
    orders : ndarray, optional
        Each coefficient's order ``(m,)`` (0 the value).  Each partial's column is
        tested as the value is, its pulse read from the columns of higher order: at
        second order a kink of the value spelled with no record, a first derivative's
        narrow ramp (``scipy.special.huber(1e-12, x - p) / 1e-12``, whose second
        partial is ``1 / delta`` over ``2 delta``; attack55 04).  A partial's jump
        with no such pulse (the top order's columns: no pulse to read) that lies
        between an end of an interval and its first node (``bounds``, every
        interval's ends: none inside its bracket) is split at, so that no rule
        straddles it (attack55 05: ``clip(s (x - p), 0, 1) e^-x`` over [0, inf) at
        s = 1000, its partial's jump at p + 1 / s in such a sliver: 3.3e-3 off).
    bounds : tuple of ndarray, optional
        The final intervals' lower and upper ends.
    tol : ndarray, optional
        Each column's tolerance ``(m,)``: a partial's jump whose sliver (its change
        times the gap's width) is within it is left as the rule met it.

    Returns
    -------
    places : list of float
        Where to split; empty where no gap hides a moving feature.  ``ValueError``
        ``(a, b)`` where one does and its width is under x's floats.
    """
    n, k = x.shape
    kept = [(e, row) for e, row in ends if row is not None and np.isfinite(row[0])]
    xs = np.concatenate([x.ravel(), [e for e, _ in kept]])
    R = np.concatenate([F.reshape(x.size, -1)] + [np.reshape(row, (1, -1))
                                                  for _, row in kept])
    I = np.concatenate([np.arange(n * k) // k, np.full(len(kept), -1)])
    order_ = np.argsort(xs, kind="stable")
    xs, R, I = xs[order_], R[order_], I[order_]
    finite = np.isfinite(R[:, 0])
    if not finite.all():
        xs, R, I = xs[finite], R[finite], I[finite]
    if len(xs) < 3:
        return []
    cols = [0]
    if orders is not None:
        orders = np.asarray(orders)
        cols += np.flatnonzero(orders > 0).tolist()
    values = R if len(cols) == R.shape[1] else R[:, cols]   # (every column: R itself)
    for c, pairs in _gaps(xs, values, I):     # (the value first, then each partial:
        col = cols[c]                              # its pulse in the higher orders')
        if col:
            pulse, k_order = orders > orders[col], order - int(orders[col])
        else:
            pulse, k_order = np.arange(R.shape[1]) > 0, order
        V = R[:, col]
        places = []
        for k, l in pairs:
            if col and not pulse.any() and (bounds is None or tol is None or abs(
                    V[l] - V[k]) * (xs[l] - xs[k]) <= tol[col]):
                continue                    # (a partial's jump in a sliver within the
            #                                 tolerance, or none to judge it by)
            places += _located(xs[k], R[k], xs[l], R[l], probe, k_order, lo, hi, col,
                               pulse, bounds, None if tol is None else tol[col])
        if places:
            return places
    return []


def _located(a, Ra, b, Rb, probe, order, lo, hi, col=0, pulses=None, bounds=None,
             tol=None):
    """The split places for the steep change of the column ``col`` between ``a`` and
    ``b`` (coefficients ``Ra``, ``Rb``), or ``[]`` where the columns ``pulses`` (a mask:
    the others) do not pulse there (it does not move; see the module's text) and it is
    the value's, lies on an interval's end (``bounds``; :func:`moving_gaps`) or is a
    partial's change that, times the gap's width, is within the column's tolerance
    ``tol`` (a rule straddling it is off by no more: a partial's rounding noise, the
    quotient rule's cancellation in ``z / sqrt(1 + z^2)`` far out at 2e-5 of the
    column, attack56 26)."""
    if pulses is None:
        pulses = np.arange(len(Ra)) != col
    gap = b - a
    Va, Vb = float(Ra[col]), float(Rb[col])
    outer = np.concatenate([Ra[pulses], Rb[pulses]])   # (the partials at the gap's nodes,
    outer = outer[np.isfinite(outer)]           # those that are numbers: exp's
    #                                             overflow past the place, 0 * inf)
    Rm, inner = None, None
    for _ in range(_HALVINGS):
        m = a + (b - a) / 2
        if not a < m < b:
            break
        Rm = probe(m)
        if Rm is None or not np.isfinite(Rm[col]):
            return []
        Vm = float(Rm[col])
        left, right = abs(Vm - Va), abs(Vb - Vm)
        if max(left, right) < _STRADDLE * abs(Vb - Va):
            q = (b - a) / 4                 # (the change straddles m: located, unless
            Rl, Rr = probe(m - q), probe(m + q)     # it lies within the quarter points:
            if Rl is None or Rr is None or not np.isfinite(Rl[col] + Rr[col]):  # m on
                return []                                                   # its place)
            if abs(float(Rr[col]) - float(Rl[col])) < _INNER * abs(Vb - Va):
                inner = [Rm, Rl, Rr]        # (m on the place: its partials may be 0
                break                       # there, a flat centre; attack55 09)
            a, Va, Ra, b, Vb, Rb = m - q, float(Rl[col]), Rl, m + q, float(Rr[col]), Rr
            continue
        if left >= right:
            b, Vb, Rb = m, Vm, Rm
        else:
            a, Va, Ra = m, Vm, Rm
    if Rm is None:
        return []
    w = b - a
    change = abs(Vb - Va)
    with np.errstate(all="ignore"):
        pulse = max(np.max(np.abs(np.asarray(R[pulses], dtype=float)), initial=0.0)
                    for R in inner or [Rm]) * w
        beside = np.max(np.abs(outer), initial=0.0) * w
    c = a + w / 2
    if not (pulse > _MOVES * change and pulse > 4 * beside):
        if col == 0 or bounds is None or not np.isfinite(change) or \
                tol is not None and change * gap <= tol:
            return []                       # (its partials no larger there: fixed)
        near = _JUMP * np.spacing(max(abs(a), abs(b)))  # (a partial's jump: split
        bounds = np.union1d(*bounds)                    # unless an interval's end
        j = np.searchsorted(bounds, a - near)           #
        if j < len(bounds) and bounds[j] <= b + near:   # lies on it)
            return []
        if w <= _JUMP * np.spacing(max(abs(a), abs(b))):
            return [c]                      # (a jump: its place alone)
    elif w ** order < _ULPS * np.spacing(abs(c)) or not np.isfinite(pulse):
        raise ValueError(a, b)
    points = [c]
    for side in (1.0, -1.0):
        d = w
        while lo < c + side * d < hi:
            points.append(c + side * d)
            d *= _RATIO
    return points


def refusal(who, a, b):
    """The TypeError for a moving steep change narrower than x's floats resolve."""
    return errors.bad_type(
        who, "func's steep changes (a smooth step written by hand, z / sqrt(1 + z^2), "
        "2 / (1 + exp(-2 z)) - 1 of a steep z; a cdf of a small scale; at second order "
        "a first partial's: a kink spelled with no record, scipy.linalg.sqrtm of a "
        "square, scipy.special.huber of a small delta) wide enough for x's floats, "
        "where dg.quad splits the range around them",
        f"func's value (or a first partial) changing between x = {a!r} and x = {b!r}, "
        "where its partials "
        "pulse, narrower than x's floats resolve (a rule's nodes, rounded to x's floats, "
        f"miss its derivatives' pulse by ulp / width^k at order k: width^k under "
        f"{_ULPS:.0e} ulps)",
        "Write the step as its limit on each side and split the range at its place c: "
        "dg.quad(g_below, a, c)[0] + dg.quad(g_above, c, b)[0] (the moving limits carry "
        "the term exactly), or use np.tanh / scipy.special.expit, whose steps dg.quad "
        "watches.")
