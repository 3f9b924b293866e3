"""A singularity of the partials between dg.quad's nodes, read where its adaptive rule
did not converge (api/_quad.py ``_integrate_watched``, status 1: the limit, or no room
to bisect).

A singularity whose place moves with the parameters puts one more power of ``1 / (x -
c)`` into the partials than into the value: ``0.5 log((x - p)^2)`` is integrable, its
partial ``-1 / (x - p)`` is not (its integral a principal value), ``expi(x - p)`` the
same, ``np.cbrt(x - p)``'s partial ``|x - p|^(-2/3)`` is integrable but no rule without
QUADPACK's extrapolation converges on it between nodes (attack53 17: -1.353 for 0.619
with only the limit's warning, the same at any ``limit``; quad53's Left (a): 6e-6 off).
Where the rule stopped short, its worst subintervals are probed at three distances
from their centre on each side: a partial that grows like a power (the same over both
steps: a steep smooth step's tails grow faster and faster) at least 0.5 larger than
the value's is such a place: refused by name where the partials' integral diverges
(a power of 0.95 or more), or where their error estimate is over 100 times their
tolerance (``np.cbrt``'s; ``sqrt(p - x)``'s mild ``|x - p|^-0.5`` ends within a few,
with the warning).  A singularity that does not move (``p / |x - 0.7|^0.9``: value and partial alike) keeps
SciPy's warning.  Nothing runs where the rule converged.
"""

from __future__ import annotations

import numpy as np

from .. import errors

__all__ = ["singular_place", "refusal"]

_WORST = 3          # subintervals probed (the largest errors against their tolerance)
_FASTER = 0.5       # a partial's growth beyond the value's, at least (one power: 1)
_REACH = 1e-6       # the first probe's distance, relative to max(|c|, 1)
_POWER = 0.25       # two steps' growth powers agree within this: a power law
_DIVERGES = 0.95    # a partial's growth power from which its integral diverges
_MISSED = 100.0     # an integrable growth's partials' error estimate over tolerance


def _growth(probe, c, d, side):
    """``|C|`` at ``c + side d / 8^k`` (k = 0, 1, 2) -> ``(g, top)`` per coefficient:
    ``g`` its growth power (``|x - c|^-g``) where both steps agree within
    ``_POWER`` (a power law; a steep smooth step's tails do not: -inf), ``top`` the
    larger of the two steps' powers; ``None`` where a probe is not finite."""
    with np.errstate(all="ignore"):
        size = [np.abs(np.asarray(probe(c + side * d / 8.0 ** k))).ravel() for k in range(3)]
        if not all(np.all(np.isfinite(s)) for s in size):
            return None
        g1 = np.log(size[1] / size[0]) / np.log(8.0)
        g2 = np.log(size[2] / size[1]) / np.log(8.0)
        known = np.isfinite(g1) & np.isfinite(g2)
        g = np.where(known & (np.abs(g1 - g2) <= _POWER), np.minimum(g1, g2), -np.inf)
        top = np.where(known, np.maximum(g1, g2), np.inf)
    return g, top


def singular_place(probe, lo, hi, ends, alist, blist, score, missed):
    """``(c, g, g0)`` for a place ``c`` inside one of the worst subintervals (by
    ``score``) toward which a partial grows like ``|x - c|^-g`` and the value like
    ``|x - c|^-g0`` with ``g >= max(g0, 0) + 0.5`` and ``g >= 0.5``, or ``None``.
    ``missed``: the largest ratio of a partial's error estimate to its tolerance; an
    integrable growth (``g < 0.95``) counts only where it is over ``_MISSED`` (a mild
    one, ``sqrt(p - x)``'s partial ``|x - p|^-0.5``, ends within a few tolerances,
    the limit's warning saying so; ``np.cbrt(x - p)``'s 650 of them).
    ``ends``: the range's ends and breakpoints (a split's own places: an end's
    singularity is the split's business, api/_quad.py ``_slope``)."""
    for j in np.argsort(-np.asarray(score))[:_WORST].tolist():
        a, b = float(alist[j]), float(blist[j])
        c = (a + b) / 2
        d = max(_REACH * max(abs(c), 1.0), 128.0 * (b - a))
        if any(abs(c - e) <= d for e in ends):
            continue
        for side in (-1.0, 1.0):
            if not lo < c + side * d < hi:
                continue
            found = _growth(probe, c, d, side)
            if found is None or found[0].size < 2:
                continue
            g0, gp = float(found[1][0]), float(np.max(found[0][1:]))
            if gp >= _FASTER and gp >= max(g0, 0.0) + _FASTER and (
                    gp >= _DIVERGES or missed > _MISSED):
                return c, gp, g0
    return None


def refusal(who, c, g, g0):
    """The TypeError for :func:`singular_place`'s finding."""
    kind = "diverges (a principal value at best: log|x - p|'s partial -1 / (x - p))" \
        if g >= _DIVERGES else "converges, but no node lands on its place and the rule (no " \
        "extrapolation) cannot converge beside it"
    return errors.bad_type(
        who, "func's partials bounded between the rule's nodes, or singular only at a "
        "place that stays put (dg.quad takes the derivatives under the integral sign)",
        f"partials that grow like |x - c|^-{g:.3g} toward x = c ~ {c!r} while func grows "
        f"like |x - c|^-{max(g0, 0.0):.3g} there (0.5 log((x - p)^2), expi(x - p), "
        f"np.cbrt(x - p)): a singularity whose place moves with the parameters, its "
        f"partials' integral {kind}; the limit's warning would have been all",
        "Make the moving place a limit: split the range at c, dg.quad(f, a, c)[0] + "
        "dg.quad(f, c, b)[0] with c the dual place (p), where func is finite at c (an "
        "infinite slope there is substituted exactly); where func is infinite at c, "
        "integrate its singular part in closed form (int log|x - p| dx = (x - p) "
        "log|x - p| - x) and the rest with dg.quad, or substitute x = p + u so that the "
        "singularity stays put: dg.quad(lambda u: f(p + u), a - p, b - p)[0].")
