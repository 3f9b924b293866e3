"""Nested duals as one real array, for :func:`dualgrad.solve_ivp`: Hessians and events.

A dual of the nested helper calls ``t_1 < ... < t_L`` (a Hessian's two, a
``jacfwd(grad(...))``'s two) with ``k_l`` directions each is a polynomial in the
perturbations ``eps_{l,j}`` with ``eps_{l,i} eps_{l,j} = 0`` within a call: one
coefficient per choice of "value or direction j" at every level.  :func:`expand`
lays those coefficients out as a float array of shape ``x.shape + (1 + k_1, ...,
1 + k_L)`` (index 0 of a level: that level's value; index ``j``: its ``j``-th
partial) and :func:`build` gives the dual back: the solver steps that array, every
coefficient of the state (value, first partials, second partials ...) as one real
system.

:func:`flow` and :func:`event_time` move a state and an event time by an amount
whose value is zero (a moving end of ``t_span``, an event time's perturbation):
such an amount is nilpotent (its ``L + 1``-th power is zero), so a few Picard or
chord-Newton iterations on duals are exact to every order, with the user's own
``fun`` and event function as the only derivative rules.
"""

from __future__ import annotations

import numpy as np

from .. import errors
from ..dual import Dual, directions, make, partials_array, primal, stack_scalars
from ..dual._array import stack_lean

__all__ = ["Unseen", "levels_of", "expand", "build", "as_state", "flow", "event_time",
           "duals_in", "Derivatives", "Watched"]


def duals_in(items):
    """The duals among ``items`` and one level into lists and tuples (object arrays
    too)."""
    for item in items:
        if isinstance(item, Dual):
            yield item
        elif isinstance(item, (list, tuple)):
            yield from duals_in(item)
        elif isinstance(item, np.ndarray) and item.dtype == object:
            yield from duals_in(item.ravel().tolist())


class Derivatives(Exception):
    """A function handed to SciPy's float path (an ODE's ``fun``, an integrand)
    returned duals: it closes over them, or its parameters enter late."""

    def __init__(self, duals):
        super().__init__("the function returned duals")
        self.duals = duals


class Watched:
    """A function for SciPy's float path, stopping it (:class:`Derivatives`) at the
    first dual it returns."""

    def __init__(self, fun):
        self.fun = fun

    def __call__(self, *args):
        return self.passed(self.fun(*args))

    @staticmethod
    def passed(out):
        """``out`` where it holds no dual, else :class:`Derivatives`."""
        plain = isinstance(out, (float, int, complex, np.number)) or \
            isinstance(out, np.ndarray) and out.dtype != object
        if not plain:
            duals = list(duals_in([out]))
            if duals:
                raise Derivatives(duals)
        return out


class Unseen(Exception):
    """A dual of a helper call the augmented system does not carry (``fun`` reads it
    only later, or an event function reads it): the solve starts again with it."""

    def __init__(self, duals):
        super().__init__("a dual of another helper call")
        self.duals = duals


def _walk(d, found):
    found.setdefault(d.tag, directions(d))
    if isinstance(d.value, Dual):
        _walk(d.value, found)
    if d._kind == "slots":      # (a scalar's slots: partials_array's own test, without
        ps = d._plist()         # the float array it builds where none is a dual: 4.3 of
        if not any(isinstance(p, Dual) for p in ps):   # levels_of's 5.9 us a dual, lum69)
            return
        p = stack_scalars(ps)
    else:
        p = partials_array(d)
    if isinstance(p, Dual):
        _walk(p, found)


def levels_of(duals):
    """``{tag: directions}`` of every call the duals ``duals`` carry, nested levels
    included, oldest first."""
    found = {}
    for d in duals:
        _walk(d, found)
    return dict(sorted(found.items()))


def object_items(x):
    """The items of ``x`` (a list, tuple or object array of the user's: fun's returned
    list, a list ``y0``) raveled, read through NumPy's object array without its note
    (dualgrad's own conversion, read back at once, is no object array of f's: attack54
    05, ``[-y[0] + np.exp(1j * p * t).real]`` returned by fun refused every later
    complex scalar of the call as arithmetic on f's object array)."""
    noted = errors.objects_noted()
    try:
        return list(np.asarray(x, dtype=object).ravel())
    finally:
        errors.objects_restore(noted)


def as_state(out):
    """``fun``'s result (an array, a dual, a list or object array) as an array or a dual."""
    if isinstance(out, (list, tuple)) or isinstance(out, np.ndarray) and out.dtype == object:
        lean = stack_lean(out)      # [dA, dB, dC] of one call's real scalar duals (and
        if lean is not None:        # numbers): read at once, the numbers the object
            return lean             # array's read gives (its first step), none made
        flat = object_items(out)
        return stack_scalars(flat) if flat else np.zeros(0)
    return out


def expand(x, index, dims):
    """The coefficients of ``x`` as an array of shape ``shape + dims`` (``index``: the
    level axis of each tag).  A dual of a tag outside ``index`` raises :class:`Unseen`."""
    if not isinstance(x, Dual):
        a = np.asarray(as_state(x))
        if a.dtype.kind not in "biufc":
            raise errors.bad_type("dualgrad.solve_ivp", "fun and events to return numbers",
                                  f"dtype {a.dtype}")
        out = np.zeros(a.shape + dims, dtype=complex if a.dtype.kind == "c" else float)
        out[(Ellipsis,) + (0,) * len(dims)] = a
        return out
    level = index.get(x.tag)
    if level is None:
        raise Unseen([x])
    if len(dims) == 1 and getattr(type(x), "_kind", None) == "slots":
        v = x.value                     # (a real scalar dual of floats: its value and
        row = x._plist()                # partials as one float64 row, the numbers the
        if type(v) is float and len(row) + 1 == dims[0] and \
                all(type(p) is float for p in row):     # lines below copy; dg.quad's
            return np.array([v, *row])  # ends' probes: corpus68)
    if len(dims) == 1:                  # (one level: the value and its partials side by
        a, b = x.value, partials_array(x)   # side, what the steps below write there)
        if not isinstance(a, Dual) and not isinstance(b, Dual):
            a, b = np.asarray(a), np.asarray(b)
            if a.dtype.kind in "biufc" and b.dtype.kind in "biufc":
                out = np.zeros(a.shape + dims, dtype=complex if "c" in (
                    a.dtype.kind, b.dtype.kind) else float)
                out[..., 0] = a
                out[..., 1:] = b
                return out
    value = expand(x.value, index, dims)
    p = expand(partials_array(x), index, dims)          # shape + (k,) + dims
    n = value.ndim - len(dims)
    moved = np.moveaxis(np.take(p, 0, axis=n + 1 + level), n, n + level)
    if moved.dtype.kind == "c" and value.dtype.kind != "c":
        value = value.astype(complex)
    at = [slice(None)] * value.ndim
    at[n + level] = slice(1, None)
    value[tuple(at)] = moved
    return value


def build(C, tags, n):
    """The dual whose coefficients are ``C`` (shape ``S + dims``, ``S`` of ``n`` axes),
    ``tags`` the levels' tags, oldest first."""
    if not tags:
        return np.ascontiguousarray(C)
    value = build(C[..., 0], tags[:-1], n)
    partials = build(np.moveaxis(C[..., 1:], -1, n), tags[:-1], n + 1)
    return make(value, partials, tags[-1])


def _picard_weights(order):
    """Nodes ``s_j = j / order`` and ``W[i, j] = int_0^{s_i} l_j(s) ds`` (``l_j`` the
    Lagrange basis): exact for polynomials of degree ``order`` in ``s``."""
    s = np.linspace(0.0, 1.0, order + 1)
    powers = np.arange(order + 1)
    V = s[:, None] ** powers
    A = s[:, None] ** (powers + 1) / (powers + 1)
    return s, A @ np.linalg.inv(V)


def flow(rhs, t, y, delta, order):
    """The state at ``t + delta`` of ``y' = rhs(t, y)``, ``y(t) = y``, for a ``delta``
    whose value is zero and whose ``order + 1``-th power is (``order`` nested calls).

    On ``s`` in [0, 1], ``u(s) = y(t + s delta)`` solves ``u = y + delta int_0^s
    rhs(t + r delta, u(r)) dr``; ``u`` is a polynomial of degree ``order`` in ``s``
    (each power of ``s`` comes with one of ``delta``), so the integral on ``order + 1``
    nodes is exact, and each Picard iteration gains one power of ``delta``: ``order``
    of them are exact to every order."""
    s, W = _picard_weights(order)
    u = [y] * len(s)
    for _ in range(order):
        g = [as_state(rhs(t + sj * delta, uj)) for sj, uj in zip(s, u)]
        u = [y + delta * sum(w * gj for w, gj in zip(row, g)) for row in W]
    return u[-1]


def tangent_event(t):
    return errors.bad_type(
        "dualgrad.solve_ivp", "an event function that crosses zero (dg/dt along the "
        "solution nonzero at the event)", f"dg/dt = 0 at t = {t!r} (the event touches "
        "zero without crossing)",
        "Its time has no derivative there (the implicit function theorem divides by "
        "dg/dt). Move the threshold off the extremum, or locate the extremum itself "
        "as the zero of the rate (an event function returning fun's component).")


def jumping_event(t, before, after):
    return errors.bad_type(
        "dualgrad.solve_ivp", "an event function that crosses zero continuously (its "
        "time's derivative is the implicit function theorem's, -(g_theta + g_y S) / "
        "(dg/dt))", f"one that jumps across zero at t = {t!r} (from {before!r} to "
        f"{after!r}: a comparison of t or y inside it, an event armed at a moving "
        "time), where its time is the switch's, not a root's (attack54 15: d t_e / dp "
        "0.0 for 1)",
        "Write the switch as its own terminal event (g = t - p ends the first call) and "
        "the armed event in a second call from sol.t_events[0][0] with y0 = "
        "sol.y_events[0][0]; both times then carry their derivatives.")


def _event_jumps(event, t, yv, rate):
    """``(g before, g after)`` where the event's plain values jump across zero at
    ``t`` (their change across 2e-8 of t at least 100 times the change beside it on
    both sides), else ``None``: SciPy's root of a jump is the switch's time."""
    d = 1e-8 * max(abs(t), 1.0)
    with np.errstate(all="ignore"):
        g = [float(np.real(primal(event(t + k * d, yv + k * d * rate))))
             for k in (-3.0, -1.0, 1.0, 3.0)]
    across, beside = abs(g[2] - g[1]), abs(g[1] - g[0]) + abs(g[3] - g[2])
    if np.all(np.isfinite(g)) and g[1] * g[2] < 0 and across > 100.0 * beside:
        return g[1], g[2]
    return None


def event_time(rhs, event, t, y, order):
    """The event time and state, as duals, at SciPy's event time ``t`` (a float) with
    the state ``y`` (a dual) at that fixed time: ``t_e = t + tau`` with ``g(t_e,
    y(t_e)) = 0``, ``tau`` found by ``order`` chord-Newton steps on duals with the
    slope ``dg/dt = g_t + g_y . f`` at the values (the implicit function theorem:
    each step gains one power of ``tau``)."""
    yv = np.asarray(primal(y))
    rate = np.asarray(primal(as_state(rhs(t, yv))))
    jump = _event_jumps(event, t, yv, rate)
    if jump is not None:
        raise jumping_event(t, *jump)
    from .helpers import derivative
    slope = primal(derivative(lambda h: event(t + h, yv + h * rate), 0.0))
    slope = complex(slope).real if np.iscomplexobj(slope) else float(slope)
    if slope == 0.0 or not np.isfinite(slope):
        raise tangent_event(t)
    tau, state = 0.0, y
    for _ in range(order):
        g = event(t + tau, state)
        tau = tau - (g - primal(g)) / slope
        state = flow(rhs, t, y, tau, order)
    return t + tau, state
