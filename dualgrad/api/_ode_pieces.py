"""dg.solve_ivp's exact route through a switch whose time moves (ode53).

Where ``fun``'s value jumps at a place the parameters move (a dose at ``t = tlag``,
``np.heaviside(t - p, 0)``, a state crossing a threshold), the sensitivities of each
branch lose the jump's term.  The switch watch (:class:`dualgrad.api._ode._Switches`)
finds such a place and raises :class:`Crossed`; :func:`pieces` then solves again with a
terminal event on the place's own expression (its sign is the branch), so SciPy
locates the crossing ``t_c`` on the trajectory, and restarts there with

    S+ = S- + (f- - f+) dt_c/dtheta,    dt_c/dtheta = -(g_theta + g_y S-) / (dg/dt)-

(``g`` the place, ``dg/dt = g_t + g_y f-`` along the solution before the switch): the
term a split by hand carries through its moving ends.  The pieces' times, states,
events and dense outputs are merged into one SciPy result.  Where it cannot be exact,
the watch's refusal stands: a switch the solution slides along (``f+`` drives it back
across: chattering), a place crossed with ``dg/dt = 0``, more than ``_PIECES`` pieces,
nested calls (a Hessian), steps of a place that is no sign of one expression.
"""

from __future__ import annotations

import numpy as np

from .. import errors
from ..rules._table import branch_functions
from ._ode_coincident import coincident_terms, other_terms
from ._quad import _Refused
from ._readings import _plain, _slopes

_EPS = np.finfo(float).eps
_JUMP = 64 * _EPS       # fun continuous at a crossing: its sides agree to rounding
_TINY = np.finfo(float).tiny
_PIECES = 2000          # crossings (and restarts) of one solve before the refusal
_SIDE_STEPS = 40        # doublings of the step off the crossing to either branch
_CHATTER = 100          # a piece's steps in which a followed place flipped, no crossing


class Crossed(Exception):
    """A jump of ``fun``'s value at element ``i`` of the place ``key`` (the watch's
    ``(ufunc, line, k)``), which moves with the parameters: solved exactly by
    :func:`pieces` where it can, else ``error()`` (the watch's refusal, made only when
    raised: a made error counts as raised) is raised.
    ``duals``: the record's operands (SciPy's float path continues on the dual path
    with their calls' levels); ``bracket``: the located switch's two times on the
    chord between the evaluations that took either branch."""

    def __init__(self, key, i, error, duals, bracket=None, sliding=None, ends=None,
                 place=None):
        super().__init__("crossed")
        self.place = place          # (a kink's place followed: :func:`followed_place`)
        self.key, self.i, self.error, self.duals = key, i, error, duals
        self.bracket = bracket      # (two times around the crossing on a chord)
        self.sliding = sliding      # (t_lo, t_hi) -> the refusal naming the sliding
        self.ends = ends            # (the record's operands at the bracket's two ends)


def exact_place(ufunc):
    """The place (a callable of the record's operands) of ``ufunc``'s branch where the
    branch is the sign of one expression (comparisons, ``np.heaviside``, ``np.sign``),
    else ``None`` (floor's steps, a selection's index: no event can follow them)."""
    specs = branch_functions(ufunc) if isinstance(ufunc, np.ufunc) else ()
    if len(specs) != 1 or specs[0][1] is not np.sign or specs[0][0]:
        return None
    return specs[0][2]


def followed_place(ufunc):
    """The place of ``ufunc``'s branch where it is the sign of one expression, a kink's
    (np.maximum, np.minimum, np.abs: continuous there) or a comparison's, else
    ``None``: the place an event follows where a kink's time moves (ode57)."""
    specs = branch_functions(ufunc) if isinstance(ufunc, np.ufunc) else ()
    if len(specs) != 1 or specs[0][1] is not np.sign:
        return None
    return specs[0][2]


class _PlaceEvent:
    """A terminal event on element ``i`` of the place of ``key``: ``fun`` evaluated on
    the augmented state's dual under the watch, its record's place read (its sign is
    the branch, so its zero is the switch on the trajectory)."""

    terminal = True

    def __init__(self, system, crossed, place):
        self.system, self.key, self.i, self.place = system, crossed.key, crossed.i, place
        self.error, self.sliding = crossed.error, crossed.sliding
        self.followed = crossed.place is not None   # (a kink: fun continuous across it)
        self.retired = False    # (a followed place found to wrap: followed no more)
        self.direction = 0.0
        self.last = None
        self.chatter = 0
        self.absent = 1.0       # (the place where fun does not evaluate it: its sign
        #                         before the crossing; attack54 02's `1 <= t < 1 + p`,
        #                         whose t < 1 + p Python skips below t = 1: 1.0 there
        #                         was the other side's sign, and SciPy's root bracket
        #                         of the event failed)

    def before(self, crossed, direction):
        """Takes the place's sign before ``crossed``'s bracket (in the solve's
        ``direction``) as its value where fun does not evaluate it."""
        if crossed.ends is None or crossed.bracket is None:
            return
        a, b = (float(np.real(v)) for v in crossed.bracket)
        inputs = crossed.ends[0] if (b - a) * direction >= 0 else crossed.ends[1]
        g = self._value(inputs)[0] if inputs is not None else None
        if g is not None and g != 0 and g == g:
            self.absent = float(np.sign(g))

    def at(self, t, z):
        """``(fun's augmented rates, the place's value, its record's operands)`` at
        ``(t, z)``; the place's value ``None`` where nothing was recorded there."""
        rates, taken = self.system.switches.recorded(self.system.rates, t, z)
        _, inputs = taken.get(self.key, (None, None))
        return (rates,) + self._value(inputs)

    def _value(self, inputs):
        """``(the place's value, inputs)`` from its record's operands ``inputs``."""
        if inputs is None:
            return None, None
        with np.errstate(all="ignore"):
            g = np.ravel(np.real(np.asarray(_plain(self.place(*inputs, None)))))
        if g.size <= self.i:
            return None, None
        return float(g[self.i]), inputs

    def value(self, t, y):
        """The place's value at the plain state ``y`` (tangents zero)."""
        system = self.system
        z = np.concatenate([np.asarray(y, dtype=float), np.zeros(system.m * system.k)])
        return self.at(t, z)[1]

    def __call__(self, t, z):
        switches = self.system.switches
        flipped = switches.flips.pop((self.key, self.i), None)     # (in the step SciPy
        if flipped is not None:         # just took, with no crossing at its ends: more
            self.chatter += 1           # than _CHATTER such steps, the solution slides
            if self.chatter > _CHATTER:     # along the switch; attack53 19)
                raise _Refused(self.sliding(*flipped))
        last = switches.last.get(self.key)     # (SciPy reads the event at
        if last is not None and last[0] == t and np.array_equal(last[1], z):  # a step's
            g = self._value(last[3])[0]     # end, where an RK step evaluated fun last)
        else:
            g = self.at(t, z)[1]
        if g is None:               # (no record: the place's operands do not move there)
            g = self.last if self.last is not None else self.absent
        self.last = g
        return g


def _slope(event, tc, y, f, h):
    """``d/ds g(tc + s, y + s f)`` at 0 (the place along the line with rate ``f``), by
    Richardson's central differences at ``h`` and ``2 h`` (the place's expression is
    smooth through the switch: ``t - p``, ``y - c``)."""
    g = [event.value(tc + s, y + s * f) for s in (-2 * h, -h, h, 2 * h)]
    if any(v is None for v in g):
        return None
    return (8.0 * (g[2] - g[1]) - (g[3] - g[0])) / (12.0 * h)


def _sides(event, tc, zc, direction, scale):
    """Points just before and just after ``tc`` (in the solve's ``direction``) on the
    line through ``(tc, zc)`` with ``fun``'s rate there, the place's sign differing
    between them: ``[(t, z, rates, g, inputs)] * 2``, or ``None`` where it does not
    within ~1e-3 of ``scale`` (a touch, not a crossing)."""
    r0 = event.at(tc, zc)[0]
    delta = 4 * _EPS * max(abs(tc), 1e-3 * scale)
    for _ in range(_SIDE_STEPS):
        found = []
        for sign in (-1.0, 1.0):
            t = tc + sign * direction * delta
            z = zc + (t - tc) * r0
            found.append((t, z) + event.at(t, z))
        g_lo, g_hi = found[0][3], found[1][3]
        if g_lo is not None and g_hi is not None and g_lo * g_hi < 0:
            return found
        delta *= 2.0
    return None


def _at_crossing(event, tc, sides, m):
    """``fun``'s values on each side of the switch at ``tc`` itself: each side's point
    and one twice as far out on the same line, extrapolated linearly (the few ulps
    between the sides move a pool of 1e11 by ~1e-5 of a dose of 2; attack50 10)."""
    out = []
    for t, z, rates, g, _ in sides:
        t2 = tc + 2.0 * (t - tc)
        z2 = z + (t2 - t) * rates
        rates2, g2, _ = event.at(t2, z2)
        if g2 is None or g2 * g <= 0:
            out.append(rates[:m])
        else:
            out.append(2.0 * rates[:m] - rates2[:m])
    return out


def _coincident_error(event, flipped, tc):
    names = sorted({f"{getattr(u, '__name__', u)} ({where})" for u, where in flipped})
    return errors.bad_type(
        "dualgrad.solve_ivp", "switches of fun's flipping at the time a moving switch "
        "crosses whose jumps add (each its own term, its jump times its crossing's "
        "motion dc/dp)",
        f"{len(flipped)} switches flipping together at t = {tc!r}: "
        f"{', '.join(names)}; flipped one by one on the crossing's before side their "
        "jumps do not add (D [t >= p] [t >= q] at p == q: the solution has a kink in "
        "(p, q) there, no derivative), or one of them is no comparison, np.heaviside "
        "or np.sign that can be flipped alone, or more than three groups flip",
        "Move one off the other (start the lag at another value than the schedule's "
        "time, or two lags at different values), or split the integration by hand at "
        "that time, each piece its own fun with no comparison of t left inside (the "
        "moving ends carry each term exactly).")


def _restart(system, event, tc, zc, t_end, scale):
    """The start of the piece after the crossing at ``(tc, zc)`` (``zc``: the state and
    its tangents ``S-`` there): ``(t_a, z_a, sign of the place after)``, ``t_a`` a few
    ulps after ``tc`` on the after branch, ``z_a``'s tangents ``S+``; raises the
    watch's refusal where the switch is no crossing the solution passes (it slides
    along it, or touches it)."""
    m, k = system.m, system.k
    direction = 1.0 if t_end >= tc else -1.0
    sides = _sides(event, tc, zc, direction, scale)
    if sides is None:
        raise _Refused(event.error())
    (t_lo, z_lo, r_lo, g_lo, in_lo), (t_hi, z_hi, r_hi, g_hi, _) = sides
    f_lo, f_hi = _at_crossing(event, tc, sides, m)
    y = zc[:m]
    terms = coincident_terms(system, sides, lambda others: _Refused(
        _coincident_error(event, others, tc)))
    with np.errstate(invalid="ignore"):
        if not terms and np.all(np.abs(f_hi - f_lo) <= _JUMP * np.maximum(
                np.abs(f_lo), np.abs(f_hi)) + _TINY):   # (fun continuous here: a gate
            return t_hi, np.concatenate([y + (t_hi - tc) * f_hi, zc[m:]]), \
                float(np.sign(g_hi))    # shut, a clamp's side; no term.  Not where
    #                                     other switches' jumps cancel the moving one's,
    #                                     D [t >= p] - D [t >= 4] at p = 4: attack55 07)
    h = 1e-5 * scale
    before = _slope(event, tc, y, f_lo, h)
    after = _slope(event, tc, y, f_hi, h)
    if before is None or after is None or not np.isfinite(before) or before == 0.0 or \
            np.sign(before) != np.sign(after):
        raise _Refused(event.error())   # (f+ drives the solution back: it slides along
        #                                 the switch, chattering; or it only touches it)
    if abs(g_hi - g_lo) > 1e3 * max(abs(before), abs(after)) * abs(t_hi - t_lo) + \
            1e3 * _EPS * max(abs(g_lo), abs(g_hi)):
        if event.followed and not terms:    # (a kink's place that wraps, |((t - p) % 2)
            event.retired = True            # - 1|: fun continuous, no term; the kink
            return t_hi, np.concatenate([y + (t_hi - tc) * f_hi, zc[m:]]), \
                float(np.sign(g_hi))        # goes back to the steep tests: attack57 22)
        raise _Refused(event.error())   # (the place steps across 0 rather than crossing
        #                                 it, t % 24 - p at t = 24: its time's motion is
        #                                 no derivative of the place; attack52 19)
    with np.errstate(all="ignore"):
        G = _slopes(event.place(*in_lo, None), system.tag)
    if G is None:               # (the place carries no partials there: it does not move)
        G = np.zeros(k)
    else:
        G = np.real(np.reshape(G, (-1, k))[event.i])
    dc = -G / before
    S = zc[m:].reshape(m, k) + np.outer(f_lo - f_hi, dc)
    if terms:                   # (other switches flipping here, each its own jump and
        others = other_terms(system, terms, G, tc, y, f_lo, h, lambda: _Refused(
            _coincident_error(event, [(key[0], key[1]) for _, ms in terms
                                      for key, _, _ in ms], tc)))
        for jump, dc_j in others:   # motion: S+ = S- - sum_j jump_j dc_j; ode55)
            S += np.outer(jump, dc - dc_j)
    z_a = np.concatenate([y + (t_hi - tc) * f_hi, S.ravel()])
    return t_hi, z_a, float(np.sign(g_hi))


class _Steps:
    """The accepted steps of one attempt at a piece (an explicit Runge-Kutta method
    whose dense output costs no evaluation: RK45, RK23), kept where the watch stops
    the attempt with :class:`Crossed` in a later step's stage: the next attempt, from
    the same start and state with the place's event added, replays them (their times,
    states, dense outputs and the watch's records at their ends, so the event reads
    its place there without evaluating ``fun``) and steps on from the last one with
    its next step size (ode53 Left (a): the attempt until the switch was located was
    solved twice, ~4x the split by hand)."""

    def __init__(self, base, switches, start, z, replay=None):
        self.base, self.switches = base, switches
        self.start, self.z = start, np.array(z, copy=True)
        self.replay = replay or []      # (t, y, dense, h_abs, nfev, the watch's records)
        self.steps = []
        self.complete = True            # (every step so far kept)

    def solver(self, end):
        """An ``OdeSolver`` class for SciPy's ``solve_ivp`` over ``(start, end)``."""
        from scipy.integrate import OdeSolver
        steps, base, switches = self, self.base, self.switches

        class _Resumed(OdeSolver):
            def __init__(self, fun, t0, y0, t_bound, vectorized, **options):
                super().__init__(fun, t0, y0, t_bound, vectorized, support_complex=True)
                self._args, self._solver, self._dense, self._nfev0 = \
                    (fun, vectorized, options), None, None, 0
                direction = 1.0 if t_bound >= t0 else -1.0
                same = t0 == steps.start and np.array_equal(y0, steps.z)
                self._replay = [s for s in steps.replay if (s[0] - t_bound) * direction < 0] \
                    if same else []
                if not self._replay:
                    self._solver = base(fun, t0, y0, t_bound, vectorized=vectorized,
                                        **options)

            def _step_impl(self):
                if self._replay:
                    step = self._replay.pop(0)
                    self.t, self.y, self._dense, self._h, self.nfev = step[:5]
                    self._nfev0 = self.nfev
                    switches.last = dict(step[5])   # (the event's place at the end)
                    steps.steps.append(step)
                    return True, None
                if self._solver is None:        # (on from the last replayed step)
                    fun, vectorized, options = self._args
                    options = dict(options, first_step=min(self._h, abs(self.t_bound -
                                                                          self.t)))
                    self._solver = base(fun, self.t, self.y, self.t_bound,
                                        vectorized=vectorized, **options)
                solver = self._solver
                message = solver.step()
                self.nfev = self._nfev0 + solver.nfev
                if solver.status == "failed":
                    return False, message
                self.t, self.y, self._dense = solver.t, solver.y, None
                if steps.complete and switches.last:    # (fun compares duals: a switch
                    self._dense = solver.dense_output()     # may stop this attempt)
                    steps.steps.append((self.t, self.y, self._dense, solver.h_abs,
                                        self.nfev, dict(switches.last)))
                else:                   # (nothing recorded: no step kept, none replayed;
                    steps.complete = False      # Lotka-Volterra paid 5 % for them)
                return True, message

            def _dense_output_impl(self):
                return self._dense if self._dense is not None else \
                    self._solver.dense_output()

        return _Resumed


def _resumable(method):
    """SciPy's solver class for ``method`` where its steps can be replayed (RK45, RK23:
    their dense output reads the step's stages; DOP853's evaluates fun 3 more times,
    implicit methods carry Newton's state), else ``None``."""
    from scipy.integrate import RK23, RK45
    if isinstance(method, str):
        return {"RK45": RK45, "RK23": RK23}.get(method)
    return method if method in (RK45, RK23) else None


def pieces(solve, system, span, z0, method, t_eval, dense_output, options):
    """SciPy's ``solve(system, span, z0, ...)`` continued exactly through the switches
    the watch raises :class:`Crossed` for (a first-order system: :func:`_restart`), one
    SciPy result merged from the pieces."""
    switches = system.switches
    options = dict(options)
    user = list(options.pop("events", None) or ())
    t0, tf = float(np.real(span[0])), float(np.real(span[1]))
    scale = max(abs(tf - t0), np.finfo(float).tiny)
    direction = 1.0 if tf >= t0 else -1.0
    grid = None if t_eval is None else np.asarray(t_eval, dtype=float)
    places, parts, start, z = [], [], t0, z0
    extra = []                  # t_eval's times inside a restart's few ulps: (t, z)
    crossed_at = None           # the last crossing's time
    near = None                 # (just before a located switch, its bracket's width):
    step = None                 # the piece stops there, the next starts with a step
    joins = []                  # across it (the solver's steps do not straddle the
    #                             jump: ~80 rejected evaluations and the regrowth)
    base = _resumable(method)   # (an attempt the watch stopped: its steps, replayed)
    replay = None
    for _ in range(_PIECES):
        events = user + places
        end = tf if near is None else near[0]
        piece_eval = None
        if grid is not None:
            keep = ((grid - start) * direction >= 0) & ((grid - end) * direction <= 0)
            if crossed_at is not None:  # (t_eval's times at the crossing went with
                keep &= (grid - crossed_at) * direction > 0     # the piece before)
            piece_eval = grid[keep]
        switches.last.clear()   # (no chord across a restart)
        switches.flips.clear()
        for event in places:
            event.chatter = 0
        kw = dict(options)
        if step is not None and abs(tf - start) > step:
            kw["first_step"] = step
        if kw.get("first_step") is not None and 0 < abs(end - start) < kw["first_step"]:
            kw["first_step"] = abs(end - start)     # (a user's first step longer than the
            #                                         piece: SciPy refuses it, attack56 05)
        attempt = None if base is None else _Steps(base, switches, start, z, replay)
        replay = None
        try:
            sol = solve(system, (start, end), z, method=method if attempt is None else
                        attempt.solver(end), t_eval=piece_eval,
                        dense_output=dense_output or grid is not None,  # (with t_eval:
                        #   the accepted steps, read from it: _Switches.stepped_over)
                        events=events or None, **kw)
        except Crossed as crossed:
            if attempt is not None and attempt.complete:    # (the next attempt
                replay = attempt.steps                      # replays its steps)
            place = crossed.place or exact_place(crossed.key[0])
            if place is None or (crossed.key, crossed.i) in switches.handled:
                raise _Refused(crossed.error()) from None
            switches.handled.add((crossed.key, crossed.i))
            places.append(_PlaceEvent(system, crossed, place))
            places[-1].before(crossed, direction)
            near = _near(crossed.bracket, start, tf, direction)
            step = None
            continue
        except ValueError as exc:   # (SciPy's root bracket of an event whose place reads
            if not places or "different signs" not in str(exc):    # otherwise between
                raise               # its calls: min(max(s (t - p), 0), 1) of scalar
            raise _Refused(places[-1].error()) from None    # duals; attack53 20)
        parts.append(sol)
        joins.append(False)
        fired = _fired(sol, len(user), places, direction)
        step = None
        if fired is None and near is not None and sol.status == 0:
            start, step = near            # (reached just before the switch: on across
            z = np.asarray(sol.sol(start) if grid is not None else sol.y[:, -1])
            near = None
            joins[-1] = True
            continue
        near = None
        if fired is None:
            break
        event, tc, zc = fired
        crossed_at = tc
        if (tf - tc) * direction <= 0:
            _reached(sol)
            break
        start, z, sign = _restart(system, event, tc, zc, tf, scale)
        event.direction = -sign             # (its next crossing goes back)
        if event.retired:
            places.remove(event)
            switches.handled.discard((event.key, event.i))
            switches.follows[event.key, event.i] = False
        if grid is not None:
            inside = grid[((grid - tc) * direction > 0) & ((grid - start) * direction < 0)]
            extra.extend((float(t), z) for t in inside)
        if (tf - start) * direction <= 0:
            _reached(sol)
            break
    else:
        raise _Refused(places[-1].error())
    if grid is not None:        # (the accepted steps, t_eval's times aside)
        switches.steps = np.concatenate([np.asarray(p.sol.ts, dtype=float) for p in parts
                                         if p.sol is not None] or [np.zeros(0)])
    out = _merged(parts, joins, len(user), method, grid, extra, dense_output)
    if not dense_output:
        out.sol = None
    return out


def _near(bracket, start, tf, direction):
    """``(a time just before the located switch, a first step across it)`` from the
    watch's ``bracket``, or ``None`` where it is not inside ``(start, tf)``."""
    if bracket is None:
        return None
    a, b = sorted((float(np.real(bracket[0])), float(np.real(bracket[1]))),
                  key=lambda v: v * direction)
    width = abs(b - a) + 8 * _EPS * max(abs(a), abs(b))
    before = a - direction * width
    if (before - start) * direction <= width or (tf - b) * direction <= 4 * width:
        return None             # (a piece of a few ulps: LSODA's illegal input, two
    #                             lags at p == q whose second is raised from just before)
    return before, 4 * width


def _reached(sol):
    """``sol`` (ended by a switch's event at the end of the span) as SciPy's result that
    reached the end."""
    sol.status, sol.success = 0, True
    sol.message = "The solver successfully reached the end of the integration interval."


def _fired(sol, n_user, places, direction):
    """``(event, t_c, z_c)`` where the piece ``sol`` ended at one of ``places``' events
    (the event whose last root is the latest: SciPy stops at the first terminal
    root of its last step), else ``None`` (the end, or the user's terminal event)."""
    if sol.status != 1 or not places:
        return None
    last = [(direction * float(ts[-1]), j) for j, ts in enumerate(sol.t_events) if len(ts)]
    if not last:
        return None
    _, j = max(last)
    if j < n_user:
        return None
    return places[j - n_user], float(sol.t_events[j][-1]), np.array(sol.y_events[j][-1])


def _merged(parts, joins, n_user, method, grid, extra, dense_output):
    """One SciPy result of the pieces: times and states in order (with ``t_eval``, its
    times inside a restart's few ulps from the start of the piece after), the user's
    events' times and states, the dense outputs as one ``OdeSolution``."""
    first, last = parts[0], parts[-1]
    if len(parts) == 1 and not extra:
        _user_events(first, [first], n_user)
        return first
    size = next((np.shape(p.y)[0] for p in parts if np.ndim(p.y) == 2), 0)
    ts = [np.asarray(p.t, dtype=float).reshape(-1) for p in parts]
    ys = [np.asarray(p.y).reshape(size, -1) for p in parts]     # (SciPy: [] if empty)
    if grid is None:            # (a piece stopped just before a switch: the next starts
        for j in range(1, len(parts)):      # at its end, one time)
            if joins[j - 1] and len(ts[j]) and len(ts[j - 1]) and ts[j][0] == ts[j - 1][-1]:
                ts[j], ys[j] = ts[j][1:], ys[j][:, 1:]
    if extra:
        t_x = np.array([t for t, _ in extra])
        y_x = np.stack([z for _, z in extra], axis=1)
        ts.append(t_x)
        ys.append(y_x)
    t = np.concatenate(ts)
    y = np.concatenate(ys, axis=1)
    if extra or grid is not None:
        order = np.argsort(t * (1.0 if len(t) < 2 or t[-1] >= t[0] else -1.0),
                           kind="stable")
        t, y = t[order], y[:, order]
    out = last
    out.t, out.y = t, y
    for name in ("nfev", "njev", "nlu"):
        setattr(out, name, sum(int(getattr(p, name, 0)) for p in parts))
    _user_events(out, parts, n_user)
    if dense_output:
        from scipy.integrate import OdeSolution
        name = getattr(method, "__name__", method)
        stamps, interpolants = [], []
        for p in parts:
            s = np.asarray(p.sol.ts, dtype=float)
            stamps.append(s if not stamps else s[1:])      # (the start of the piece
            interpolants.extend(p.sol.interpolants)        # after: its crossing, or
            #                                                the end before: the same)
        out.sol = OdeSolution(np.concatenate(stamps), interpolants,
                              alt_segment=name in ("BDF", "LSODA"))
    return out


def _user_events(out, parts, n_user):
    """``out``'s events: the user's, each concatenated over the pieces (the places'
    events dropped)."""
    if parts[0].t_events is None:
        return
    if n_user == 0:
        out.t_events, out.y_events = None, None
        return
    t_events, y_events = [], []
    for j in range(n_user):
        t_events.append(np.concatenate([np.asarray(p.t_events[j], dtype=float)
                                        for p in parts]))
        ys = [np.asarray(p.y_events[j]) for p in parts if len(p.t_events[j])]
        y_events.append(np.concatenate(ys) if ys else np.asarray(parts[0].y_events[j]))
    out.t_events, out.y_events = t_events, y_events
