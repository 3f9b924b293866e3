"""Which order of a Hessian's mixed partial to keep beside a gradient entry that is
not finite.

A Hessian's entry ``H[i, j]`` is computed in two orders, ``d_i g_j`` (the outer
direction ``i`` of the gradient's entry ``j``) and ``d_j g_i``.  Where ``g_j`` is inf
or NaN (``sqrt``'s slope at 0, or ``0 * inf`` in it) the first is the derivative of a
number that is not finite: its nested arithmetic took a partial that is zero at the
point for a zero in a neighbourhood (the zero rule), which it cannot tell apart.
``np.hypot(np.sqrt(x1), 1 + x0)`` at ``x1 = 0``: ``g_1 = (s / r) * ds/dx1`` is ``0 *
inf``, and its ``x0`` partial ``-s w / r**3 * ds/dx1`` came back 0 where ``d_1 g_0 =
-w / (2 r**3)`` (hess55).  So an entry takes the order through the finite gradient
entry where one of the two is finite (NaN there when that order's arithmetic meets
``0 * inf``: a NaN, never a silent number), the mean of both orders where both are
finite, and where neither is the mean only when the two orders agree (else NaN).

Where that finite order is NaN and the other one, through a gradient entry that is
+-inf (not NaN), is +-inf, the entry is that infinity (hess56: ``np.arctan2(np.cbrt(x1),
1 + x0)`` at ``x1 = 0``, ``-inf``, whose ``d_1 g_0`` meets ``cbrt(x1) * dcbrt/dx1``'s
``0 * inf``): the terms the zero rule took as 0 cannot make an infinity, and an
infinite ``g_j`` holds no ``0 * inf`` (that is NaN).  A finite number through such a
``g_j`` stays unused (it may be the zero rule's 0.0, as hypot's is).

Only an infinity that is the rules' own (a local derivative infinite at a branch point:
``cbrt``'s at 0) says so: a ``g_j`` that is inf because a finite product overflowed
(``log(cosh(a b))`` at (706, 1): ``a sinh(a b)`` is 7e308 before the division by
``cosh``; the exact ``g_b`` is 706) is a number too large for the arithmetic, and the
order through it is no limit (attack56 16: ``H[0, 1]`` was inf for 1).
:func:`singular` tells them apart by one more gradient with every input's seed scaled
by ``2**-600`` (exact): a singular entry stays infinite, an overflowed one is finite.
Where such an entry's finite order is NaN the entry stays NaN.
"""

import numpy as np

from ..dual import primal

__all__ = ["SCALE", "Rescaled", "choose", "finite_order", "infinite", "nan_entries",
           "not_finite", "singular"]

SCALE = 2.0 ** -600        # a seed scale: exact, and 1e489 below the overflow of a partial


def not_finite(gradient, n):
    """The mask of the ``n`` gradient entries that are not finite, or ``None`` when every
    entry is finite (the mean of both orders everywhere)."""
    g = _values(gradient, n)
    if g is None:
        return None
    bad = ~np.isfinite(g)
    return bad if bad.any() else None


def infinite(gradient, n):
    """The mask of the ``n`` gradient entries that are +-inf (not NaN); ``None`` where
    :func:`not_finite` cannot read the gradient."""
    g = _values(gradient, n)
    return None if g is None else np.isinf(g)


def singular(gradient, n, rescaled):
    """:func:`infinite`'s mask less the entries whose infinity is an overflow: those
    ``rescaled()`` (the gradient again, each input's seed scaled by :data:`SCALE`:
    :class:`Rescaled`) gives finite, or NaN.  ``rescaled`` runs only where some entry is
    +-inf; ``None`` where :func:`not_finite` cannot read the gradient."""
    inf = infinite(gradient, n)
    if inf is None or not inf.any():
        return inf
    g = _values(rescaled(), n)
    return inf & np.isinf(g) if g is not None else np.zeros_like(inf)


class Rescaled:
    """``f`` with each input ``x`` at ``nums`` (the arguments' positions) read as ``x0 +
    SCALE (x - x0)`` (``x0``: ``xs``, the point): the same values (``x - x0`` is 0.0
    exactly), every partial times :data:`SCALE` (exact), so a partial that overflowed
    is a number and one that is infinite stays so (:func:`singular`).  Picklable."""

    def __init__(self, f, nums, xs):
        self.f, self.nums, self.xs = f, tuple(nums), list(xs)

    def __call__(self, *args, **kwargs):
        args = list(args)
        with np.errstate(all="ignore"):     # (dualgrad's step: x0 * SCALE may underflow)
            for i, x0 in zip(self.nums, self.xs):
                # x * SCALE + x0: the value x0 itself (x0 * SCALE is below half of x0's
                # ulp, or 0), the partials times SCALE; x0 + SCALE * (x - x0) made the
                # value NaN at an infinite x0 (inf - inf) and reported "invalid value
                # encountered in subtract" beside f's own reports (refusals70's Left)
                args[i] = args[i] * SCALE + x0
        return self.f(*args, **kwargs)


def nan_entries(M):
    """The mask of ``M``'s NaN entries (its values: ``M`` may be a dual of an enclosing
    level), where :func:`choose` reads the other order."""
    with np.errstate(invalid="ignore"):
        return np.isnan(np.asarray(primal(M)))


def _values(gradient, n):
    """The gradient's ``n`` values as a flat float / complex array, or ``None``."""
    g = gradient
    if type(g) is not np.ndarray:
        g = np.asarray(primal(g))
    if g.size != n or g.dtype.kind not in "fc":
        return None
    return g.reshape(n)


def _mean(a, b):
    """``(a + b) / 2``, where both orders are finite but their sum is not (diff60 S1: a
    Hessian entry -1e308 read -inf) ``a / 2 + b / 2``; the same bits elsewhere (halves
    of subnormals would round).  ``a``, ``b`` duals of an enclosing level: the plain
    mean."""
    with np.errstate(over="ignore", under="ignore"):    # (dualgrad's step, not f's: under
        mean = (a + b) / 2.0                            # np.errstate(all="raise") too)
        if type(mean) is np.ndarray and np.isinf(mean).any():
            halves = a / 2.0 + b / 2.0
            mean = np.where(np.isinf(mean) & np.isfinite(halves), halves, mean)
    return mean


def choose(a, b, bad_r, bad_c, inf_r, inf_c):
    """Entry ``(r, c)`` from its two orders ``a = d_c g_r`` and ``b = d_r g_c``: ``a``
    where ``g_r`` is finite and ``g_c`` is not (``b`` where ``a`` is NaN, ``g_c`` +-inf
    and ``b`` +-inf), ``b`` in the mirror case, their mean where both gradient entries
    are finite, and where neither is the mean if the two orders agree (to 1e-9, or
    equal infinities: ``sqrt(x0) + sqrt(x1)``'s 0), else NaN: both are derivatives of
    numbers that are not finite, and neither can be told right (``np.hypot(np.sqrt(x3),
    1 + x1) + np.arctan2(np.sqrt(x1), 1)``: 0.0 one way, NaN the other, for -1 / 2).
    ``inf_r``, ``inf_c``: :func:`infinite`'s mask at ``r``, ``c``.  ``a``, ``b`` may be
    duals of an enclosing level (the choice reads their values)."""
    mean = _mean(a, b)
    pa, pb = np.asarray(primal(a)), np.asarray(primal(b))
    # (under too: the tolerance 1e-9 |pa| of an entry -2.5e-301, sqrt's at 1e200,
    # raised FloatingPointError under the user's np.errstate(all="raise"): refusals70)
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        agree = (pa == pb) | np.isnan(pa) & np.isnan(pb) | \
            (np.abs(pa - pb) <= 1e-9 * np.maximum(np.abs(pa), np.abs(pb)))
        # NaN times the mean, not a constant NaN: an enclosing level's partials (a
        # Hessian inside dg.jacobian) stay NaN too, never a constant's 0
        mean = np.where(bad_r & bad_c & ~agree, mean * np.nan, mean)
        # both gradient entries finite and one order NaN (an overflow in its nested
        # arithmetic: tanh(q0 q1) at q0 q1 = 706, attack56 02): the other order, as a
        # chunked Hessian's triangle (one order) then takes it
        good = ~bad_r & ~bad_c
        mean = np.where(good & np.isnan(pa) & ~np.isnan(pb), b,
                        np.where(good & np.isnan(pb) & ~np.isnan(pa), a, mean))
    one_a = ~bad_r & bad_c                  # a is the finite order
    one_b = bad_r & ~bad_c                  # b is
    first = np.where(one_a & inf_c & np.isnan(pa) & np.isinf(pb), b, a)
    second = np.where(one_b & inf_r & np.isnan(pb) & np.isinf(pa), a, b)
    return np.where(one_a, first, np.where(one_b, second, mean))


def finite_order(M, bad, inf):
    """The symmetric Hessian from ``M[j, i] = d_i g_j`` (both orders), each entry by
    :func:`choose`; ``bad``: :func:`not_finite`'s mask, or ``None`` (the mean);
    ``inf``: :func:`infinite`'s.  Ordinary Hessians (no NaN) take the mean in one step."""
    if bad is None:
        mean = _mean(M, M.T)            # NaN where either order is (or inf - inf)
        if not (np.isnan(mean) if type(mean) is np.ndarray else nan_entries(mean)).any():
            return mean
        bad = inf = np.zeros(mean.shape[0], dtype=bool)
    return choose(M, M.T, bad[:, None], bad[None, :], inf[:, None], inf[None, :])
