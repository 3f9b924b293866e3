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


def _gaps(x, V, I):
    """Indices ``k`` of the sorted nodes ``x`` (values ``V``, interval ids ``I``; an end's
    id is -1) whose value change to ``k + 1`` is steeper than the slopes beside it (within
    one interval's rule) predict: across intervals, or inside an interval narrower than
    the value's tolerance (a jump of 1 there is within it; attack55 01: expon.cdf((x -
    p) / 1e-10) gave 0.0 for -1)."""
    dx = np.diff(x)
    dV = np.abs(np.diff(V))
    with np.errstate(all="ignore"):
        slope = np.where(dx > 0, dV / dx, 0.0)
    same = (I[1:] == I[:-1]) & (I[1:] >= 0)
    inside = np.where(same, slope, 0.0)     # (a slope within one interval's rule)
    left = np.concatenate([[0.0], inside[:-1]])
    right = np.concatenate([inside[1:], [0.0]])
    beside = np.maximum(left, right)
    scale = np.max(np.abs(V))
    with np.errstate(all="ignore"):
        steep = (dV > _STEEPER * beside * dx) & (dV > _FLOOR * scale) & (dx > 0)
    return np.flatnonzero(steep & np.isfinite(dV))[:_AT_MOST]


def moving_gaps(x, F, ends, probe, order, lo, hi):
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

    Returns
    -------
    places : list of float
        Where to split; empty where no gap hides a moving feature.  ``ValueError``
        ``(a, b)`` where one does and its width is under x's floats.
    """
    n = x.shape[0]
    xs = [x.ravel()]
    rows = [F.reshape(x.size, -1)]
    ids = [np.repeat(np.arange(n), x.shape[1])]
    for e, row in ends:
        if row is not None and np.all(np.isfinite(row[:1])):
            xs.append([e])
            rows.append(np.reshape(row, (1, -1)))
            ids.append([-1])
    xs = np.concatenate(xs)
    R = np.concatenate(rows)
    I = np.concatenate(ids)
    order_ = np.argsort(xs, kind="stable")
    xs, R, I = xs[order_], R[order_], I[order_]
    finite = np.isfinite(R[:, 0])
    if not finite.all():
        xs, R, I = xs[finite], R[finite], I[finite]
    if len(xs) < 3:
        return []
    places = []
    for k in _gaps(xs, R[:, 0], I).tolist():
        places += _located(xs[k], R[k], xs[k + 1], R[k + 1], probe, order, lo, hi)
    return places


def _located(a, Ra, b, Rb, probe, order, lo, hi):
    """The split places for the steep change between ``a`` and ``b`` (coefficients
    ``Ra``, ``Rb``), or ``[]`` where it does not move (see the module's text)."""
    Va, Vb = float(Ra[0]), float(Rb[0])
    outer = np.concatenate([Ra[1:], Rb[1:]])   # (the partials at the gap's nodes,
    outer = outer[np.isfinite(outer)]           # those that are numbers: exp's
    #                                             overflow past the place, 0 * inf)
    Rm = None
    for _ in range(_HALVINGS):
        m = a + (b - a) / 2
        if not a < m < b:
            break
        Rm = probe(m)
        if Rm is None or not np.isfinite(Rm[0]):
            return []
        Vm = float(Rm[0])
        left, right = abs(Vm - Va), abs(Vb - Vm)
        if max(left, right) < _STRADDLE * abs(Vb - Va):
            q = (b - a) / 4                 # (the change straddles m: located, unless
            Rl, Rr = probe(m - q), probe(m + q)     # it lies within the quarter points:
            if Rl is None or Rr is None or not np.isfinite(Rl[0] + Rr[0]):  # m on its
                return []                                                   # place)
            if abs(float(Rr[0]) - float(Rl[0])) < _INNER * abs(Vb - Va):
                break
            a, Va, Ra, b, Vb, Rb = m - q, float(Rl[0]), Rl, m + q, float(Rr[0]), Rr
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
        pulse = np.max(np.abs(np.asarray(Rm[1:], dtype=float)), initial=0.0) * w
        beside = np.max(np.abs(outer), initial=0.0) * w
    if not (pulse > _MOVES * change and pulse > 4 * beside):
        return []                           # (its partials no larger there: fixed)
    c = a + w / 2
    if w ** order < _ULPS * np.spacing(abs(c)) or not np.isfinite(pulse):
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
        "2 / (1 + exp(-2 z)) - 1 of a steep z; a cdf of a small scale) wide enough for "
        "x's floats, where dg.quad splits the range around them",
        f"func's value changing between x = {a!r} and x = {b!r}, where its partials "
        "pulse, narrower than x's floats resolve (a rule's nodes, rounded to x's floats, "
        f"miss its derivatives' pulse by ulp / width^k at order k: width^k under "
        f"{_ULPS:.0e} ulps)",
        "Write the step as its limit on each side and split the range at its place c: "
        "dg.quad(g_below, a, c)[0] + dg.quad(g_above, c, b)[0] (the moving limits carry "
        "the term exactly), or use np.tanh / scipy.special.expit, whose steps dg.quad "
        "watches.")
