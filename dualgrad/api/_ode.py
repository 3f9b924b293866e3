"""``dg.solve_ivp``: SciPy's adaptive ODE solvers with derivatives flowing through.

Duals cannot enter ``scipy.integrate.solve_ivp``'s stepping (it converts its state
with ``np.asarray``).  :func:`solve_ivp` keeps SciPy's solver and gives it a real
system instead: the state ``y`` (m values) and its tangents ``Y = dy/dtheta`` (an
m x k matrix, one column per direction of the running call), stepped together.
The right-hand side of that system is the user's own ``fun`` evaluated once on the
dual ``y + Y eps``: its value is ``y'`` and its partials are ``Y' = J_y Y + J_p``,
the forward sensitivity equations, with the parameters' directions carried by the
duals ``fun`` closes over or receives in ``args``.

The solver's error control covers the tangents too (``rtol`` and ``atol`` apply to
every component), so the derivatives are as accurate as the solution itself, not
exact to rounding: they are the ODE's sensitivities, integrated.  Implicit methods
(``Radau``, ``BDF``, ``LSODA``) get the block-diagonal Newton matrix
``diag(J, J (x) I_k)`` (the coupling block ``d(J Y)/dy`` only speeds Newton's
convergence; the error control decides the accuracy), ``J`` from the user's
``jac`` or from :func:`dualgrad.jacobian` of ``fun``.

Nested calls (a Hessian, ``jacfwd(grad(...))``, a Hessian-vector product) step every
coefficient of the state's nested duals, ``m (1 + k_1) ... (1 + k_L)`` real numbers
(:mod:`dualgrad.api._ode_levels`), under the same error control; implicit methods
get ``kron(J, I)``.  Events are located by SciPy on the values; their times and
states get their derivatives from the implicit function theorem, as chord-Newton
steps on duals (exact to every order: the perturbations are nilpotent).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .. import errors
from ..dual import ArrayDual, Dual, ScalarDual, directions, make_array, primal, stack_scalars
from ..dual._answer import Answering
from ..dual._array import stacked_numbers
from ._ode_levels import (Derivatives, Unseen, Watched, as_state, build, duals_in, event_time,
                          expand, flow, levels_of)
from ..rules._table import RULES, Branches, branch_functions
from ._ode_pieces import _CHATTER, Crossed, exact_place, followed_place, pieces
from ._parallel import adaptive_run, replayed
from ._quad import (_SKIPPED, _STEP_AT, _THROUGH, _Refused, _Watch, _branch, _complex_in,
                    _moves_beyond_first, _place_moves, _spelled, _tags)
from ._readings import _moves, _plain, _slopes

__all__ = ["solve_ivp"]

_WHO = "dualgrad.solve_ivp"
_IMPLICIT = ("Radau", "BDF", "LSODA")
# Newton matrices of up to this order are dense, with the tangents' coupling block
_DENSE_UP_TO = 400
_STEP = np.finfo(float).eps ** 0.5
_RTOL_FLOOR = 100 * np.finfo(float).eps      # what SciPy's solvers raise a smaller rtol to
_RESTARTS = 8                # solves restarted for calls' duals fun reads late
_HALVINGS = 48               # bisections of the segment between two evaluations of fun
#                              that took different branches (to ~4e-15 of it)
_TRUSTED = 2                 # continuous crossings seen at one place (an element of a
#                              mask) before it is trusted
_JUMP = 64 * np.finfo(float).eps    # a jump: more than this times fun's size, rounding
#                              (a dose of 2 beside -k y ~ 5e9 is 4e-10 of it and loses
#                              all of dy/dtlag; attack50 10), and than the change over
#                              the same width beside it, times _BESIDE
_BESIDE = 100.0


def _events():
    return errors.bad_type(
        _WHO, "no events= during sparsity detection (sparsity=\"auto\", dg.sparsity)",
        "events=",
        "Detection follows one path of the solver, and the event times move it. Pass the "
        "pattern yourself (sparsity=...) or leave sparsity out: dense derivatives take "
        "events= (their times and states carry derivatives).")


def _late_duals():
    return errors.bad_type(
        _WHO, "fun to read the same helper calls' duals on every evaluation",
        "duals of new calls at each restart", "Read the parameters fun needs outside "
        "fun (or once, before the first step), so the solver carries their derivatives "
        "from t0.")


def _state(y0):
    """``y0`` as a 1-D array dual or float array."""
    if isinstance(y0, Dual):
        if y0.ndim == 0:
            y0 = stack_scalars([y0])
    elif isinstance(y0, (list, tuple)) or isinstance(y0, np.ndarray) and y0.dtype == object:
        y0 = stack_scalars(list(np.asarray(y0, dtype=object).ravel()) if
                           isinstance(y0, np.ndarray) else list(y0))
    else:
        y0 = np.asarray(y0)
    if np.ndim(y0) != 1:
        raise errors.bad_argument(_WHO, "y0 of shape (n,)", f"shape {np.shape(y0)}",
                                  "Pass the initial state as a 1-D array (ravel it, "
                                  "and reshape inside fun).")
    return y0


def _split(who, out, tag, m, k):
    """``(value, partials)`` of ``fun``'s result for the call of ``tag``: an (m,)
    value and (m, k) partials, zeros where it does not depend on that call."""
    if isinstance(out, (list, tuple)) or isinstance(out, np.ndarray) and out.dtype == object:
        out = as_state(out)
    if isinstance(out, Dual):
        if isinstance(out.value, Dual) or out.tag != tag:
            raise Unseen([out])             # (a nested call's duals: the nested system)
        value, partials = np.asarray(out.value), out.partials
        if value.ndim == 0:
            value, partials = value.reshape(1), np.reshape(partials, (1, k))
    else:
        value = np.asarray(out)
        if value.dtype.kind not in "biufc":
            raise errors.bad_type(who, "fun to return numbers", f"dtype {value.dtype}")
        partials = np.zeros(value.shape + (k,), dtype=complex if value.dtype.kind == "c"
                            else float)
    if value.shape != (m,):
        raise errors.bad_argument(who, f"fun(t, y) of shape ({m},), y0's", f"shape "
                                  f"{value.shape}", "Return one derivative per state "
                                  "component (np.stack or np.concatenate the pieces).")
    return value, partials


def _watched_events(events, watch=None):
    """``events`` (a callable or a list of them) watched as ``fun`` is: an event time
    that depends on a dual would come back as a plain float (also where the event
    returns floats but compares a moving dual: ``np.where(t > p, y[0] - 1.5, -1.0)``,
    seen by ``watch``, the float path's switch watch; attack54 15)."""
    if events is None:
        return None
    if callable(events):
        return _watched_event(events, watch)
    return [_watched_event(e, watch) for e in events]


def _watched_event(event, watch=None):
    return _event_attributes(Watched(event) if watch is None else
                             _WatchedEvent(event, watch), event)


class _WatchedEvent(Watched):
    """An event on SciPy's float path whose branches on moving duals send the solve
    to the dual path too (:class:`Derivatives`): there its root is checked for a jump
    (:func:`dualgrad.api._ode_levels.event_time`)."""

    def __init__(self, fun, watch):
        super().__init__(fun)
        self.watch = watch

    def __call__(self, *args):
        watch = self.watch
        if watch.seen is not None:          # (inside another record: not ours)
            return self.passed(self.fun(*args))
        watch.start()
        try:
            out = self.fun(*args)
        finally:
            taken = _taken(watch)
        moving = [v for _, inputs in taken.values() if inputs is not None
                  for v in inputs if isinstance(v, Dual) and _moves(v)]
        if moving:
            raise Derivatives(moving)
        return self.passed(out)


def _event_attributes(wrapper, event):
    """``wrapper`` (a callable standing in for ``event`` in SciPy's call) with the
    attributes SciPy's solve_ivp reads off an event function, ``terminal`` and
    ``direction``, copied from ``event`` where it has them."""
    for name in ("terminal", "direction"):
        if hasattr(event, name):
            setattr(wrapper, name, getattr(event, name))
    return wrapper


_ORDERED = (np.less, np.less_equal, np.greater, np.greater_equal)
_SHORT = frozenset(_ORDERED + (np.maximum, np.minimum, np.fmax, np.fmin, np.absolute))
_KINKS = frozenset((np.maximum, np.minimum, np.fmax, np.fmin, np.absolute))
_SCALARS = (float, int, np.float64)
_F64 = np.float64
_FRAMES = {}            # a code object's file -> (dualgrad's own?, walked through?, name)


def _frame_kind(filename):
    kind = _FRAMES.get(filename)
    if kind is None:
        import os
        kind = _FRAMES[filename] = (filename.startswith(_THROUGH),
                                    filename.startswith(_SKIPPED), os.path.basename(filename))
    return kind


def _user_line(frame):
    """``"file, line N"`` of the first frame from ``frame`` out that dualgrad does not
    walk through (NumPy's, dispatch's), or ``None`` where that is dualgrad's own."""
    through, own, name = _frame_kind(frame.f_code.co_filename)
    while through and frame.f_back is not None:
        frame = frame.f_back
        through, own, name = _frame_kind(frame.f_code.co_filename)
    return None if own else f"{name}, line {frame.f_lineno}"


_POWER = np.power
# the scalar duals' generated operators that report their ufunc themselves (dual/_scalar
# ``_WATCHED`` and ``**``): ``(t - p) % 5`` / ``// 5`` jump where np.mod's do, and
# Python's abs kinks where np.abs does (ode56 Left (b): -3.97 for 0.0077, 0.0 for -0.796)
_ABS = np.absolute
_OPERATED = frozenset((np.power, np.remainder, np.floor_divide, np.divmod, np.absolute))
_GENERATED = "<dualgrad scalar"     # (the scalar duals' generated operators, dual/_scalar)
_ANSWERING = Answering.__call__.__code__
_WRAPS = frozenset((np.remainder, np.floor_divide, np.divmod))     # (recorded by _wrap)
# a wrap's other spellings (u - np.floor(u), np.fmod, np.modf: attack59 10), read beside
# as the wraps are
_ROUNDED = _WRAPS | frozenset((np.floor, np.ceil, np.trunc, np.rint, np.fmod, np.modf))


def _pow_line(caller):
    """The frame of the user's line that ran ``caller``'s power, where ``caller`` is a
    scalar dual's generated ``__pow__`` (it reports its ufunc to the watch itself, one
    frame nearer than NumPy's dispatch does: dg.quad's watch, called from it directly,
    finds the user's line two frames up, this recorder's delegation three; the complex
    power's branch point crossed by ``(t - p + 0j) ** 0.3`` went unrecorded, 0.1568 for
    0.2446), ``False`` where that is dualgrad's own, ``None`` for any other caller
    (the general way's own walk)."""
    if not caller.f_code.co_filename.startswith(_GENERATED):
        return None
    frame = caller.f_back
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_THROUGH):
        frame = frame.f_back
    return False if frame.f_code.co_filename.startswith(_SKIPPED) else frame


class _Recorder(_Watch):
    """dg.quad's watch (:class:`_Watch`) with a short path for what a right-hand side
    runs on every evaluation: ``<``, ``<=``, ``>``, ``>=``, ``np.maximum``,
    ``np.minimum``, ``np.fmax``, ``np.fmin``, ``np.abs`` of first-order float array
    duals and numbers (``y > 0``, ``t > tlag``, ``np.maximum(y, 0)``).  The record is
    the one :meth:`_Watch.__call__` appends (the same branch, from the table's place;
    the same user line, each file's kind looked up once); anything else, and any
    operand of another type, goes the general way.  The ODE's watch sees every
    evaluation of fun (~20 us of the recorder's ~25 an evaluation were this call;
    ode52)."""

    kinks = False       # (set: first-order kinks recorded, np.clip's too)
    finite_steps = True     # (a stats cdf with a finite end reports its step too)
    lazy_roots = False  # (a square root's signed root made at once: _Switches reads it)

    def __call__(self, ufunc, inputs, frame=None, nudge=None):
        seen = self.seen
        if seen is None:
            return
        if frame is not None and self.limit is None and type(ufunc) is Branches and \
                ufunc.branch[0][0] == "step":   # (a step dualgrad's own code reports:
            return self._smooth_step(ufunc, inputs, frame)  # a stats cdf's)
        if ufunc in _OPERATED and frame is None and self.limit is None:
            caller = sys._getframe(1)
            if caller.f_code is _ANSWERING:     # (the end-tie check's stand-in)
                caller = caller.f_back
            frame = _pow_line(caller)               # (a scalar dual's ``**``: the user's
            if frame is False:                      # line one frame further; attack55 06)
                return
            if frame is not None and ufunc is not _POWER and (
                    ufunc is _ABS and self.kinks or not _moves(list(inputs))):
                return      # (``t % 24`` with t a dual of zero partials, read at a
            #                 crossing, api/_ode_coincident: a fixed wrap, as before.
            #                 Python's abs at first order: a kink, whose steep tests at
            #                 a Newton loop's abs(z * z - a) cost 3.5x the bench row)
            if frame is not None and ufunc in _WRAPS and self._wrap(ufunc, inputs, frame):
                return
        if frame is not None or self.limit is not None or ufunc not in _SHORT or \
                len(inputs) != ufunc.nin:
            if frame is None and self.limit is None:
                step = _STEP_AT.get(ufunc)  # (a smooth step: np.tanh, erf, expit; the
                if step is not None:        # watch notes each ufunc's when first met)
                    self._smooth_step(step, inputs)
                    if not branch_functions(ufunc):     # (arctan2's cut beside its
                        return                          # step)
            return _Watch.__call__(self, ufunc, inputs, frame, nudge)
        if ufunc in _KINKS and self.order < 2:
            return                  # (a kink at first order: not watched, as there)
        dual, values = False, []
        for v in inputs:
            if type(v) is ArrayDual:
                value = v.value
                if type(value) is not np.ndarray or value.dtype.kind != "f":
                    return _Watch.__call__(self, ufunc, inputs, frame, nudge)
                dual = True
                values.append(value)
            elif isinstance(v, ScalarDual):     # (a first-order scalar dual, t >= p[0]:
                value = v.value                 # its float, as the general way reads it;
                if type(value) is not float or ufunc not in _ORDERED:   # ode54: ~60 us
                    return _Watch.__call__(self, ufunc, inputs, frame, nudge)   # an
                #                                 evaluation; Python's abs of a scalar
                #                                 dual goes the general way, as before)
                dual = True
                values.append(value)
            elif type(v) is _F64 or type(v) is np.ndarray and v.dtype == _F64 and \
                    not v.shape:                # (NumPy hands t >= p[0] a 0-d array)
                values.append(float(v))         # (the same number: _branch's float path)
            elif type(v) in _SCALARS:
                values.append(v if type(v) is float else np.asarray(v))
            else:
                return _Watch.__call__(self, ufunc, inputs, frame, nudge)
        if not dual:                # (a dual operand is recorded whether it moves here
            return _Watch.__call__(self, ufunc, inputs, frame, nudge)   # or not: a
        #                             clamp's side; dg.quad's watch, attack51 12)
        where = _user_line(sys._getframe(2))
        if where is not None:
            seen.append((ufunc, _branch(branch_functions(ufunc), values), where, inputs))

    def _wrap(self, ufunc, inputs, frame):
        """Record ``(t - p) % 24`` / ``// 24`` / divmod of a first-order scalar dual and
        a number (``frame``: the user's line) as :meth:`_Watch.__call__` does, without
        its general checks (none of them applies to these rows: no NaN source, cut,
        touch or smooth step), or return False (another operand: the general way).
        A periodic forcing ``sin(2 pi ((t - p) % 24) / 24)`` runs one at every
        evaluation of fun (~15 us of the general way; attack57 23)."""
        values = []
        for v in inputs:
            kind = type(v)
            if kind is float or kind is _F64 or kind is int:
                values.append(float(v))
            elif isinstance(v, ScalarDual) and type(v.value) is float:
                values.append(v.value)
            else:
                return False
        self.seen.append((ufunc, _branch(branch_functions(ufunc), values),
                          f"{_frame_kind(frame.f_code.co_filename)[2]}, line {frame.f_lineno}",
                          inputs))
        return True

    def _smooth_step(self, step, inputs, frame=None):
        """A smooth step (the table's kind ``"step"``: ``np.tanh(s (t - p))``, erf,
        expit) on moving real duals, recorded as a kink is (its branch the sign of its
        place): its values are continuous, and a step narrower than the solver resolves
        holds the sensitivities' whole forcing where no step evaluates fun
        (:meth:`_Switches._steep`; attack52 09b: 0.0 for -0.4966)."""
        if len(inputs) != 1:            # (logaddexp, arctan2, stdtr: the row's place)
            if len(inputs) != step.nin or not _moves(list(inputs)):
                return
            with np.errstate(all="ignore"):
                z = step.specs[0][2](*[_plain(v) for v in inputs], None)
        elif not _moves(inputs[0]):     # (the one-argument steps: place "x")
            return
        else:
            z = inputs[0]
            while isinstance(z, Dual):
                z = z.value
        if type(z) is float:            # (a scalar dual: its sign, no NumPy call)
            branch = np.asarray(float((z > 0.0) - (z < 0.0)) if z == z else z)
        else:
            z = np.asarray(z)
            if z.dtype.kind == "c" and not np.any(z.imag):
                z = z.real              # (on the real line: tanh(z + 0j).real)
            elif z.dtype.kind not in "fiu":
                return                  # (complex arguments: their cuts, not a step)
            branch = np.sign(z)
        where = _user_line(sys._getframe(2) if frame is None else frame)
        if where is not None:
            self.seen.append((step, branch, where, inputs))


class _Switches:
    """dg.solve_ivp's watch of the branches ``fun`` takes on moving duals (dg.quad's
    recorder, api/_quad.py: the comparisons, ``np.where``'s masks, ``np.heaviside``,
    ``np.floor`` ..., and for nested calls ``np.maximum`` / ``np.abs`` ...).
    A switch whose place the parameters do not move (``p * (t - 1) > 0``) loses no
    term and is not refused (dg.quad's test: the operands moved by their partials).

    A place whose branch differs between two evaluations of ``fun`` is a switch
    between their points.  Where ``fun``'s value jumps there (a dose at ``t = tlag``,
    a bang-bang control, a state crossing a threshold), the crossing's time moves with
    the parameters and the sensitivities integrated beside the state lose the jump's
    term ``(f_before - f_after) dc/dtheta``: refused.  Where ``fun`` is continuous
    there (a clamp ``np.where(y > 0, k * y, 0.0)``, ``np.maximum(y, 0)``) first
    derivatives lose nothing; nested calls (a Hessian) also refuse a jump of ``fun``'s
    first partials (a kink: its second-order term).  The test bisects the straight
    segment between the two evaluations' points (time and augmented state) to the
    switch and compares ``fun`` on its two sides with the change over the same width
    beside it: ~50 evaluations, at most ``_TRUSTED`` times per place."""

    def __init__(self, order, probe, steep=False):
        # steep: a first-order system's kinks are recorded too (their values continuous:
        # only a ramp narrower than the solver resolves is tested, :meth:`_steep`)
        self.watch = _Recorder(2 if steep else order)
        self.order = order            # (the derivatives' order: a kink on an end, _on_end)
        self.watch.kinks = steep      # (np.clip between constants reports its kinks)
        self.probe = probe            # (t, z) -> fun's coefficients compared at a switch
        self.last, self.cleared = {}, {}
        self.steep = steep
        self.handled = set()      # (key, i): places followed by an event (_ode_pieces)
        self.flips = {}           # (key, i) handled: its last branch change's two times
        self.cusps = set()        # (key, i): kinks whose partials were read (_cusp)
        self.pending = []
        self.ramps = []           # [(key, centre, width, step)]: smooth steps judged
        #                           resolved (their accepted steps checked at the end)
        self.ends = ()            # t_span's ends that do not move (_on_end)
        self.kinked = []          # [(key, t, segment, bend, value)]: kinks' crossings,
        #                           the jump of fun's slope there (kinks_stepped_over)
        self.follows = {}         # (key, i): whether its place holds no state (_follow)
        self.flat = {}            # (key, i): [(t, half-width)], kink crossings whose
        #                           steep test found fun flat across its inner pair

    def run(self, call, t, z, *args):
        """``call(t, z, *args)`` with ``fun``'s branches recorded and compared with
        each place's previous evaluation."""
        watch = self.watch
        t = np.float64(t)       # (one type: ``t > p`` is NumPy's ``>`` at a float64 t and
        watch.start()           # p's ``<`` at a Python float, two places; ode53)
        try:
            out = call(t, z, *args)
        finally:
            taken = _taken(watch)
        if getattr(watch, "nan_met", False) and not watch.nan:
            raise _NanSources()
        if self.pending:        # (a steep step judged resolved: does SciPy sample it?)
            self._sample(t)
        if taken:
            if t in self.ends:          # (a moving switch tied on the span's end)
                self._on_end(t, z, taken)
            self._compare(t, np.array(z, copy=True), taken)
        return out

    def _on_end(self, t, z, taken):
        """Raise where a comparison whose place moves ties at ``t``, a fixed end of the
        span: y(T) has a kink in the parameters there (``D [t >= p]`` at p = t0 or p =
        T: dy(T)/dp is 0 on one side, -D e^{-k (T - p)} on the other), and the watch,
        which sees the branch change inside the span only, answered one side or the
        other by spelling (attack56 06: 0.0 alone, -0.0404 for two doses at p = 0)."""
        from ._ode_coincident import _ROUNDINGS, step_tied
        for key, (branch, inputs) in taken.items():
            if key[0] in _ROUNDINGS and inputs is not None:     # (attack57 05's floor
                change = step_tied(key[0], inputs)  # step np.clip(np.floor(t - p +
                if change and not self._continuous_at_end(  # 1), 0, 1) at p = t0: 0.0)
                        key, branch, inputs, t, z, change):
                    raise _Refused(_on_end_refusal(key, t))
                continue
            if key[0] in _KINKS:
                if self.order >= 2 and self._kink_on_end(key, branch, inputs, t, z):
                    raise _Refused(_on_end_refusal(key, t, kink=True))
                continue
            spec = exact_place(key[0]) if key[0] in _TIED_AT_END else None
            if spec is None or inputs is None or not np.any(np.ravel(branch) == 0):
                continue            # (np.heaviside / np.sign as the comparisons: attack57
            try:                    # 05, 0.0 for a one-sided -0.0135 or -2)
                with np.errstate(all="ignore"):
                    place = spec(*inputs, None)     # (p (t - 1) > 0 at t = 1: not moving)
            except Exception:   # noqa: BLE001 - operands the place cannot read: unchecked
                continue
            if not isinstance(place, Dual) or not _moves(place) or \
                    self._continuous_at_end(key, branch, inputs, t, z):
                continue
            raise _Refused(_on_end_refusal(key, t))

    def _kink_on_end(self, key, branch, inputs, t, z):
        """Whether a kink (``np.maximum``, ``np.abs`` ...) whose place moves ties at
        ``t``, a fixed end of the span, where fun's first partials (the probe's
        coefficients below the order) jump across it: y(T)'s first derivative has a
        kink in the parameters there (``y' = -y + max(t - p, 0)`` at p = t0: d2y(T)/dp2
        e^-T from above, 0 from below; attack58 18, 0.0).  fun is read at the same
        state ``z`` at ``t -+ d``, ``t -+ 2 d`` and ``t -+ d / 64`` (d = 1e-6 of the
        span): a jump more than 100 times the change beside it on either side, or one
        that does not shrink with d (a partial continuous across the end does), is
        one (dg.quad's test of a kink on a fixed end, api/_quad_ends)."""
        if inputs is None or not np.any(np.ravel(branch) == 0):
            return False
        moving = False
        for kink, step, place in branch_functions(key[0]):
            if kink < 1 or step is not np.sign:
                continue
            try:
                with np.errstate(all="ignore"):
                    at = place(*inputs, None)
            except Exception:   # noqa: BLE001 - operands the place cannot read
                continue
            moving = moving or isinstance(at, Dual) and _moves(at) and \
                bool(np.any(np.ravel(np.real(primal(at))) == 0))
        return moving and self._jumps_across(t, z, self.probe) is True

    def _jumps_across(self, t, z, probe):
        """Whether ``probe(t, z)``'s coefficients (fun's values and, nested, first
        partials) jump across ``t``, a fixed end of the span, read at the same state
        ``z`` at ``t -+ d``, ``t -+ 2 d`` and ``t -+ d / 64`` (d = 1e-6 of the span):
        more than 100 times the change beside it on either side, or a change across
        that does not shrink with d (a coefficient continuous across the end does);
        ``None`` where fun cannot be read so (unjudged)."""
        ends = self.ends
        span = abs(ends[-1] - ends[0]) if len(ends) == 2 else 1.0
        d = 1e-6 * max(span, 1.0)
        read = {}
        saved = self.watch.seen, self.watch.step_seen
        try:
            for s in (1.0, -1.0, 2.0, -2.0, 1 / 64, -1 / 64):
                self.watch.start()
                with np.errstate(all="ignore"):
                    read[s] = np.asarray(probe(np.float64(t + s * d), z))
        except Exception as exc:    # noqa: BLE001 - fun unread beside the end: unjudged
            errors.handled(exc)
            return None
        finally:
            self.watch.seen, self.watch.step_seen = saved
        v, w, f, g, vs, ws = (np.ravel(read[s]) for s in (1.0, -1.0, 2.0, -2.0, 1 / 64,
                                                            -1 / 64))
        if not v.shape == w.shape == f.shape == g.shape == vs.shape == ws.shape:
            return None
        with np.errstate(invalid="ignore"):
            jump, scale = np.abs(v - w), np.maximum(np.abs(v), np.abs(w))
            beside = np.maximum(np.abs(f - v), np.abs(g - w))
            small = np.abs(vs - ws)
            jumps = (jump > 100.0 * beside + 1e-9 * scale + _TINY) | (
                (small > 0.25 * jump) & (small > 100.0 * np.abs(vs - v) + 1e-9 * scale +
                                         _TINY))
        return bool(np.any(jumps))

    def _continuous_at_end(self, key, branch, inputs, t, z, change=None):
        """Whether fun's values at ``(t, z)`` stay, to rounding, with the tied elements
        of ``key``'s comparison flipped: a kink tied on the end (``np.where(t >= p, t -
        p, 0)`` at p = t0), whose y(T) is smooth in p there, not a jump (attack56 27:
        refused, where e7c4bff gave the exact -T).  False where fun cannot be read with
        the switch set: the refusal stands.  ``change``: the tied elements' other side
        given (a rounding step's, :func:`~._ode_coincident.step_tied`)."""
        from ._ode_coincident import _ADDS, _SETTABLE, _TINY, _read, _result
        if key[0] not in _SETTABLE and change is None:
            return False
        system = self.system
        if system is None:                      # (the nested system: its probe reads the
            return self._jumps_across(t, z, self.probe) is False    # first partials)
        if isinstance(system, _WatchedRhs):     # (the float path: as :meth:`_cancelled`)
            d = next((v for v in inputs if isinstance(v, Dual)), None)
            if d is None:
                return False
            if isinstance(d.value, Dual):       # (nested: fun's values and first
                if change is not None:          # partials continuous across the end,
                    return False                # np.where(t >= p, (t - p)**2, 0) at
                return self._jumps_across(      # p = t0; attack59 06)
                    t, z, lambda t, y: _low_coefficients(system.fun(t, y, *system.args),
                                                         d)) is False
            system = _FloatReader(system, d.tag, directions(d), len(z))
        if change is None:
            now = _result(key[0], inputs)
            change = [(i, not now[i]) for i in np.flatnonzero(np.ravel(branch) == 0).tolist()]
        base = _read(system, t, z)
        flipped = _read(system, t, z, {key: change})
        if base is None or flipped is None:
            return False
        a, b = base[0], flipped[0]
        with np.errstate(invalid="ignore"):
            return bool(np.all(np.abs(b - a) <= _ADDS * np.maximum(np.abs(a), np.abs(b)) +
                               _TINY))

    def _cancelled(self, key, i, ta, za, tb, zb, in_a, in_b):
        """A moving comparison found continuous where other switches flip with it
        (read with ``t`` a dual, so a fixed ``t >= 4.0`` is seen): their jumps may
        cancel its own in fun's value, ``D [t >= p] - D [t >= 4]`` at p = 4, whose
        y(T) moves with p by -D e^{-k (T - p)} (0.0 on 5b74835; attack55 07).  Raises
        :class:`Crossed` so the place is followed and each switch's jump read at the
        crossing (api/_ode_coincident)."""
        from ._ode_coincident import _groups, flipped_together
        lo, hi = self.located
        sides = [(ta + s * (tb - ta), za + s * (zb - za), None, 0.0) for s in (lo, hi)]
        system = self.system
        if isinstance(system, _WatchedRhs):     # (the float path: fun's values only,
            d = next((v for v in list(in_a or ()) + list(in_b or ())  # t a dual of the
                      if isinstance(v, Dual)), None)        # record's operands' call)
            if d is None or isinstance(d.value, Dual):
                return
            system = _FloatReader(system, d.tag, directions(d), len(za))
        found = flipped_together(system, sides)
        if found is None or len(found[1]) < 2 or len(_groups(found[1])) < 2:
            return
        t_lo, t_hi = sides[0][0], sides[1][0]

        def error():
            return _switch(key, t_lo, t_hi, 0.0, False)
        raise Crossed(key, i, error, [v for v in list(in_a or ()) + list(in_b or ())
                                      if isinstance(v, Dual)], (t_lo, t_hi),
                      lambda a, b: _switch(key, a, b, 0.0, False, chatter=True),
                      (in_a, in_b))

    def _sample(self, t):
        """Drops the pending steps (:meth:`_steep`) whose ramp SciPy's evaluation at
        ``t`` lies on (within two widths of its centre)."""
        self.pending = [p for p in self.pending if abs(t - p[1]) > 2.0 * p[2]]

    def stepped_over(self, times):
        """The refusal for the first smooth step judged resolved whose accepted step
        (``times``: SciPy's, in order) is wider than ``_OVER`` times the step's width,
        or ``None``.  Exact runs take steps of 0.5 to 1.2 widths across tanh / erf /
        expit steps of s = 1e-2 .. 3e-2 (RK45, rtol 1e-3); the ones that lost the
        forcing, 20 to 200 (attack55 03: s = 3e-3, 0.0 for -0.0604)."""
        times = np.sort(np.real(np.asarray(times, dtype=complex)).astype(float))
        for key, centre, width, step in self.ramps:
            i = int(np.searchsorted(times, centre))
            if 0 < i < len(times) and times[i] - times[i - 1] > _OVER * width:
                return _switch(key, times[i - 1], times[i], step, False, steep=True)
        return None

    def kinks_stepped_over(self, times, scale):
        """The refusal for the first kink stepped over with the pulse beside it, or
        ``None``.  A kink of fun whose place moves jumps the tangents' forcing; where a
        ramp or a decay of width ``w`` follows it (``np.clip((t - p) / s, 0, 1)``,
        ``ds.expon.cdf(t, p, s)``), that forcing is a pulse of width ``w``, and an
        explicit method's error estimate can miss it where its stages land on one side
        of the kink and beyond the pulse (attack55 03: RK45 stepped 2.97 -> 3.48 across
        ``ds.expon.cdf(t, p, 0.1)``'s kink, dy/dp -0.0484 for -0.0636, the values 5e-4
        off; the clip ramp at s = 1e-2 stepped over whole, 0.0 for -0.0605).  Refused
        where the accepted step across the kink (``times``: SciPy's, in order) is wider
        than ``_KINK_STEPS`` times ``w`` (fun's second difference over that step along
        the watched segment's line over its slope's jump at the kink: the step itself
        for a lone kink, a clamp's) and the partials' jump there times the step is
        over ``_KINK_OVER`` times the tangents' tolerance (``scale``: their largest
        magnitudes, ``(m * k,)``).  Runs that resolve it step 1e-6 .. 1e-4 of ``w``."""
        times = np.sort(np.real(np.asarray(times, dtype=complex)).astype(float))
        widest = {}                 # per place, its crossing in the widest accepted step
        for key, centre, segment, bend, mid in self.kinked:     # (one check each:
            i = int(np.searchsorted(times, centre))             # 2 - 4 evaluations)
            if 0 < i < len(times) and (key not in widest or
                                       times[i] - times[i - 1] > widest[key][0]):
                widest[key] = (times[i] - times[i - 1], i, centre, segment, bend, mid)
        _, m, k, rtol, atol = self.tolerance
        tol = rtol * np.asarray(scale, dtype=float) + np.repeat(atol, k)
        for key, (h, i, centre, (ta, za, tb, zb), bend, mid) in widest.items():

            def line(t):
                s = (t - ta) / (tb - ta)
                return np.float64(t), za + s * (zb - za)

            with np.errstate(all="ignore"):
                j = int(np.argmax(np.where(bend == bend, bend, -1.0)))
                if not bend[j] > 0.0:
                    continue
                f = [self.probe(*line(centre + d * h)) for d in (-1.0, 1.0)]
                width = np.abs(f[1] - 2.0 * mid + f[0])[j] / bend[j]    # (mid: the
                #                                 steep test's inner pair's mean)
                if not h > _KINK_STEPS * width:
                    continue                # (a lone kink, a clamp's: width h)
                (t1, z1), (t2, z2) = line(centre - _STEEP_W * h), line(centre + _STEEP_W * h)
                r1, r2 = self.rates[0](t1, z1)[m:], self.rates[0](t2, z2)[m:]
                jump = np.abs(r2 - r1)      # (a kink's: a fair part of the partials
                jump[jump <= _KINK_SHARE * np.maximum(np.abs(r1), np.abs(r2))] = 0.0
                #                             beside it; a loop's stopping test in fun
                #                             changes them by its tolerance, ode52)
                over = h * jump / tol
            n = int(np.argmax(np.where(over == over, over, -1.0)))
            if over[n] > _KINK_OVER:
                return _switch(key, times[i - 1], times[i], float(jump[n]), True,
                               stepped=True)
        return None

    def unsampled(self):
        """The refusal for the first steep step judged resolved that no evaluation of
        SciPy's landed on (attack55 02 / 03: RK45 at rtol 1e-3 stepped from 2.95 to 3.49
        over tanh((t - 3) / 3e-3), its stages on either side: the values' error is
        within the tolerance, the sensitivities' whole forcing -D / (2 s) sech^2 lies
        between the stages, 0.0 for -0.0604), or ``None``."""
        if not self.pending:
            return None
        key, centre, width, step = self.pending[0]
        return _switch(key, centre - width, centre + width, step, False, steep=True)

    def recorded(self, call, t, z):
        """``(call(t, z), the branches it took)``, nothing compared (an event on a
        switch's place, api/_ode_pieces)."""
        self.watch.start()
        try:
            out = call(np.float64(t), z)
        finally:
            taken = _taken(self.watch)
        return out, taken

    def _compare(self, t, z, taken):
        for key, (branch, inputs) in taken.items():
            before = self.last.get(key)
            self.last[key] = (t, z, branch, inputs)
            if before is None or before[1].shape != z.shape or _same(before[2], branch):
                continue
            ta, za, ba, in_a = before
            flat, now = np.ravel(ba), np.ravel(branch)
            if flat.shape != now.shape:
                continue
            with np.errstate(invalid="ignore"):
                moved = np.flatnonzero((flat != now) & ((flat == flat) | (now == now)))
            if self.steep and _kink(key[0]) or _smooth_step(key):   # (any order)
                for i in moved.tolist():
                    self._steep(key, i, ta, za, flat[i], in_a, t, z, now[i], inputs)
                continue
            for i in moved.tolist():        # each element of a mask that switched
                if (key, i) in self.handled:        # (its crossing: an event's, which
                    self.flips[key, i] = (ta, t)        # counts the steps it flipped in:
                    continue                # attack53 19's sliding, _ode_pieces)
                # the k-th call at a line is its own place (a helper's np.where serves a
                # clamp and a dose; attack50 10), each step between two branches its own
                # (np.floor(t - p)'s steps at -4, -3 do not vouch for the one at 0;
                # attack51 09)
                place = key + (i,) + tuple(sorted((repr(flat[i]), repr(now[i]))))
                seen = self.cleared.get(place, 0)
                continuous = self._locate(key, i, ta, za, flat[i], t, z, now[i],
                                          seen >= _TRUSTED or key[0] in _WRAPS)
                #   (a wrap's place, (t - p) / 24, is interpolated to its integer by
                #   _crossing: the quick check from its first crossing; attack57 23)
                if continuous and self.rates is not None and _cut(key[0]):
                    self._cusp(key, ta, za, t, z)   # (a branch point: infinite slope?)
                if continuous and self.system is not None and seen < _TRUSTED and \
                        key[0] in _COMPARISONS and _of_time(inputs, t) and \
                        _moves_at(key[0], in_a, inputs):
                    self._cancelled(key, i, ta, za, t, z, in_a, inputs)
                if self.steep and key[0] in _COMPARISONS and \
                        self.follows.get((key, i)) is not False:    # (a kink spelled
                    self._follow(key, i, ta, za, flat[i], in_a, t, z, now[i], inputs,
                                 True)      # as a comparison, continuous or its jump
                #                             negligible, any crossing: ode57)
                if continuous and seen < _TRUSTED and key[0] in _COMPARISONS and (
                        self.steep or self.resolution is not None) and \
                        _scalar_dual(inputs):
                    # continuous there: a steep ramp beside it? (Python's builtin
                    # min(max(s (t - p), 0), 1) of scalar duals: comparisons, no kink
                    # recorded; attack52 09c: 0.0 for -0.4966.  Builtin min / max take
                    # scalars only; array clamps record np.maximum's kink)
                    self._steep(key, i, ta, za, flat[i], in_a, t, z, now[i], inputs)
                self.cleared[place] = seen + 1

    def _at(self, key, i, branch, other, t, z):
        """``fun``'s coefficients at ``(t, z)``, whether it takes ``branch`` at
        ``key``'s element ``i`` (``None``: neither it nor ``other``, a tie on the place
        itself, sign 0), and the record's operands there."""
        self.watch.start()
        try:
            values = np.ravel(self.probe(np.float64(t), z))
        finally:
            taken = _taken(self.watch)
        got, inputs = taken.get(key, (None, None))
        if got is None or np.size(got) <= i:
            return values, False, None
        got = np.ravel(got)[i]
        if got == branch or got != got and branch != branch:
            return values, True, inputs
        if got == other or got != got and other != other:
            return values, False, inputs
        return values, None, inputs

    def _locate(self, key, i, ta, za, ba, tb, zb, bb, quick=False):
        """Bisects the segment from ``(ta, za)`` (branch ``ba`` at ``key``'s element
        ``i``) to ``(tb, zb)`` (branch ``bb``) to the switch; raises where ``fun`` jumps
        there, and returns True where it found fun continuous there.  ``quick`` (a place found continuous ``_TRUSTED`` times): two points
        ~6e-14 of the segment around the place's interpolated crossing and the change
        beside them, ~6 evaluations, bisected only where they do not bracket it (a
        daily switch gated on after its first crossings: attack51 09)."""
        tied = []

        def at(s):
            values, same, inputs = self._at(key, i, ba, bb, ta + s * (tb - ta),
                                            za + s * (zb - za))
            if same is None:    # on the place itself (t == p): a comparison's own
                same = _tie_side(key[0], i, inputs, in_lo)  # result there says which
            return values, same, inputs     # side fun takes (attack51 13: t > p's tie
            #                                 is the near side's, was read as the far
            #                                 side and the jump as continuous: 0.0)

        lo, hi, in_lo = 0.0, 1.0, None
        (f_lo, _, in_lo), (f_hi, _, in_hi) = at(0.0), at(1.0)
        ends = (in_lo, in_hi)
        scale = np.maximum(np.abs(f_lo), np.abs(f_hi))
        near = _NEAR_QUICK if quick else _NEAR
        for _ in range(_SECANTS):       # the place's own crossing, two points around it
            guess = _crossing(key[0], i, in_lo, in_hi)
            if guess is None:
                break
            s = lo + guess * (hi - lo)
            a, b = max(s - near, lo), min(s + 0.75 * near, hi)     # (asymmetric: no
            #                               halving of [a, b] lands on the place itself,
            #                               where np.maximum takes its tie's midpoint)
            (f_a, same_a, in_a), (f_b, same_b, in_b) = at(a), at(b)
            if same_a is True and in_a is not None:
                lo, f_lo, in_lo = a, f_a, in_a
            if same_b is False and in_b is not None:
                hi, f_hi, in_hi = b, f_b, in_b
            if same_b is True and in_b is not None and b < hi:
                lo, f_lo, in_lo = b, f_b, in_b      # (both below the place: again
            elif same_a is False and in_a is not None and a > lo:   # from nearer ends;
                hi, f_hi, in_hi = a, f_a, in_a      # a kink's tie, None: neither)
            if hi - lo <= 2 * near:         # (bisected from there: ~18 halvings)
                break
        halvings = 0 if quick and hi - lo <= 2 * near else _HALVINGS
        with np.errstate(invalid="ignore"):
            if not halvings and not tied and np.all(np.abs(f_hi - f_lo) <= _JUMP * scale):
                self.located = (lo, hi)
                return True             # (continuous there: True)
            for _ in range(halvings):
                if hi - lo <= 0.5 ** _HALVINGS:
                    break
                mid = 0.5 * (lo + hi)
                values, same, inputs = at(mid)
                if same is None:    # a kink's tie (np.maximum's midpoint partials):
                    mid = 0.5 * (mid + hi)          # a point beside it
                    values, same, inputs = at(mid)
                    if same is None:        # (at the resolution of t: the bracket
                        tied.append(mid)    # around the tie is as narrow as it gets;
                        break               # attack51 13's np.heaviside(t - p, 0))
                if same:
                    lo, f_lo = mid, values
                    in_lo = in_lo if inputs is None else inputs
                else:               # (no record: the operands do not move there, as
                    hi, f_hi = mid, values          # p (t - 3) at t = 3: the last
                    in_hi = in_hi if inputs is None else inputs     # that moved)
                if not tied and np.all(np.abs(f_hi - f_lo) <= _JUMP * scale):
                    self.located = (lo, hi)
                    return True         # continuous there (a jump would stay this large)
            width = hi - lo
            if key[0] in _ROUNDED:  # (beside a wrap: 4 ulps of t at least; a short
                width = max(width, 4 * _EPS * max(abs(ta), abs(tb)) /     # segment's
                            max(abs(tb - ta), _TINY))   # bracket is under one, t the
                #   same there, and the wrap's rounding, sin(2 pi ((t - p) % 1.7) /
                #   1.7)'s 3.7e-15 at t = 6.7, was read as a jump: refused at rtol
                #   1e-8.  Not beside a comparison: t >= p and t > p, an ulp apart,
                #   would read each other's jump as the change beside; test_ode54)
            beside = np.maximum(np.abs(f_lo - at(lo - width)[0]),
                                np.abs(at(hi + width)[0] - f_hi))
            scale = np.maximum(scale, np.maximum(np.abs(f_lo), np.abs(f_hi)))
            step = np.abs(f_hi - f_lo)
            jumps = ~(step <= _BESIDE * beside + _JUMP * scale + _TINY)
        if not np.any(jumps):
            self.located = (lo, hi)
            return True
        moves = _moves_at(key[0], in_lo, in_hi)
        if (moves or _place_jumps(key[0], i, ends, (at(lo)[2], at(hi)[2]),
                                  max(hi - lo, 4 * _EPS * max(abs(ta), abs(tb)) /
                                      max(abs(tb - ta), _TINY)))) and not \
                self._negligible(key, i, at, (ta, tb, za, zb), (lo, hi), f_hi - f_lo,
                                 in_lo, in_hi):
            j = int(np.argmax(np.where(jumps, step, -1.0)))
            def error():
                return _switch(key, ta + lo * (tb - ta), ta + hi * (tb - ta), step[j],
                               j >= self.values)
            if self.exact and moves and j < self.values and \
                    exact_place(key[0]) is not None:    # (a value's jump at a sign's
                raise Crossed(key, i, error, [      # place: located on the trajectory
                    v for v in list(in_lo or ()) + list(in_hi or ())   # and restarted,
                    if isinstance(v, Dual)],        # _ode_pieces)
                    (ta + lo * (tb - ta), ta + hi * (tb - ta)),
                    lambda t_lo, t_hi: _switch(key, t_lo, t_hi, 0.0, False, chatter=True),
                    (in_lo, in_hi))
            raise _Refused(error())     # (out of SciPy's frames: the helpers would read
            #                             it as SciPy's refusal)

    def _steep(self, key, i, ta, za, ba, in_a, tb, zb, bb, in_b):
        """A kink or smooth step switched between two evaluations: tested as steep
        (:meth:`_steep_test`), then, where its place is a moving time (:meth:`_follow`),
        followed: the solve restarts on it (api/_ode_pieces)."""
        if (key, i) in self.handled:        # (followed by an event: as _compare's)
            self.flips[key, i] = (ta, tb)
            return
        self.located_kink = None
        self._steep_test(key, i, ta, za, ba, in_a, tb, zb, bb, in_b)
        self._follow(key, i, ta, za, ba, in_a, tb, zb, bb, in_b,
                     self.located_kink is not None)

    def _follow(self, key, i, ta, za, ba, in_a, tb, zb, bb, in_b, tested):
        """Raise :class:`Crossed` for a kink of a first-order system whose place is a
        time the parameters move, of no state (``np.clip((t - p) / w, 0, 1)``'s two
        kinks, ``ds.uniform.cdf(t, p, w)``'s and ``ds.expon.cdf(t, p, s)``'s support
        ends, ``np.abs(t - p)``, Python's ``min`` / ``max`` of scalar duals): the
        tangents' forcing jumps there (the ramp's pulse ``-D / w`` starts and stops)
        while fun's values only bend, so an explicit method's step across it is
        judged by the values' error and the tangents' is left uncontrolled (attack56
        12: dy(T)/dp 3 - 10 % off at rtol 1e-3, y(T) 1e-5).  Followed by an event on
        the place (:func:`~dualgrad.api._ode_pieces.pieces`), the solve restarts at
        the kink, each piece smooth: SciPy's split by hand, done for the user.  Fun is
        continuous there: no term is added.  A place that holds the state
        (``np.maximum(y, 0)``: a clamp, which may touch or slide along it) is not
        followed: the stepped-over check (:meth:`kinks_stepped_over`) stays."""
        if not self.exact or self.tolerance is None or self.rates is None or \
                self.system is None or _smooth_step(key) or not ba or not bb:
            return                  # (a tie: on the span's end, or its moving start's
        #                             own place, whose term the start carries)
        place = followed_place(key[0])
        if place is None:
            return
        follow = self.follows.get((key, i))
        if follow is False:
            return
        g = (in_a, in_b)
        if not tested or in_a is None or in_b is None or not _moves_at(key[0], in_a, in_b):
            return
        if follow is None:          # (once a place: is it the same with the state moved?)
            m = self.tolerance[1]
            z = np.array(za, copy=True)
            z[:m] = z[:m] + 0.25 * (1.0 + np.abs(z[:m]))
            other = self._at(key, i, ba, bb, ta, z)[2]
            follow = bool(other is not None and _same_place(place, i, g[0], other))
            self.follows[key, i] = follow
            if not follow:
                return
        bracket = self._kink_time(key, i, place, ta, tb, za, ba, bb, in_a, in_b)
        if bracket is None:
            return
        self.kinked = [e for e in self.kinked if e[0] != key]   # (restarted on: none
        t_lo, t_hi = bracket                                    # stepped over)

        def error():
            return _switch(key, ta, tb, 0.0, True, stepped=True)
        raise Crossed(key, i, error, [v for v in list(g[0]) + list(g[1])
                                      if isinstance(v, Dual)], (t_lo, t_hi),
                      lambda a, b: _switch(key, a, b, 0.0, False, chatter=True),
                      (g[0], g[1]), place=place)

    def _kink_time(self, key, i, place, ta, tb, za, ba, bb, in_a, in_b):
        """The time where element ``i`` of a state-free ``place`` crosses 0 between
        ``ta`` and ``tb``, bracketed to a few ulps (regula falsi, then halvings; a
        linear place takes one step): ``(t_lo, t_hi)`` in the segment's direction, or
        ``None``.  A tight bracket ends the piece just before the kink and crosses it
        with a step of its width (api/_ode_pieces ``_near``): an event located inside a
        step across the next kink too would take the pulse's stages into the state at
        the restart (a uniform ramp of width 1e-6: DOP853 -0.282 for -0.0604)."""
        def value(inputs):
            if inputs is None:
                return None
            with np.errstate(all="ignore"):
                g = np.ravel(np.real(np.asarray(_plain(place(*inputs, None)))))
            return float(g[i]) if g.size > i and np.isfinite(g[i]) else None

        lo, hi, g_lo, g_hi = ta, tb, value(in_a), value(in_b)
        if g_lo is None or g_hi is None or not g_lo * g_hi < 0.0:
            return None
        scale, near = max(abs(g_lo), abs(g_hi)), [abs(g_lo), abs(g_hi)]
        illinois = 0
        for n in range(_KINK_ITERATIONS):
            if abs(hi - lo) <= 4 * _EPS * max(abs(lo), abs(hi), _TINY):
                break
            if n < _KINK_SECANTS:
                t = hi - g_hi * (hi - lo) / (g_hi - g_lo)
                if not (min(lo, hi) < t < max(lo, hi)):
                    t = 0.5 * (lo + hi)
            else:
                t = 0.5 * (lo + hi)
            g = value(self._at(key, i, ba, bb, t, za)[2])
            if g is None:
                return None
            if g == 0.0:            # (on the place: a bracket of its ulps)
                lo = hi = t
                near = [0.0]
                break
            near[(g < 0.0) != (g_lo < 0.0)] = abs(g)
            if (g < 0.0) == (g_lo < 0.0):
                lo, g_lo = t, g
                g_hi = 0.5 * g_hi if illinois == -1 else g_hi
                illinois = -1
            else:
                hi, g_hi = t, g
                g_lo = 0.5 * g_lo if illinois == 1 else g_lo
                illinois = 1
        if min(near) > _KINK_NEAR * scale:
            return None             # (the place jumped across 0 without meeting it: the
        #                             wrap of |((t - p) % 2) - 1|, a continuous triangle
        #                             wave, is no kink to restart on: attack57 22)
        ulps = 4 * _EPS * max(abs(lo), abs(hi), _TINY)
        return (lo - ulps, hi + ulps) if tb >= ta else (lo + ulps, hi - ulps)

    def _steep_test(self, key, i, ta, za, ba, in_a, tb, zb, bb, in_b):
        """A kink of a first-order system (np.clip, np.maximum, np.abs) switched
        between two evaluations: its values are continuous, but a ramp narrower than the
        solver resolves (``np.clip(s (t - p), 0, 1)`` with s = 1e12) holds the
        sensitivities' whole forcing ``-s D`` where no step evaluates fun, and they lose
        ``D dc/dtheta`` as at a jump (attack52 09: 0.0 for -0.4966).  The solver
        narrows its steps around a step of fun's value to where skipping it costs its
        tolerance, so a ramp of width ``w`` is sampled where ``w |D|`` is above the
        values' tolerance and stepped over where it is below.  Four evaluations around
        the kink's crossing, 1e-4 and 3e-4 of the segment either side: where fun changes
        across the inner pair by more than ``_BESIDE`` times its change beside them,
        the ramp's width is measured (10 % to 90 % of the change) and, where ``w |D|``
        is under 100 times ``rtol |y| + atol`` and the place moves, refused as a jump
        (:meth:`_negligible` first)."""
        if abs(tb - ta) <= 1e-12 * max(abs(ta), abs(tb), _TINY):
            return          # (the solver's own steps are at rounding there: sampled)

        def at(s):
            return self._at(key, i, ba, bb, ta + s * (tb - ta), za + s * (zb - za))

        guess = _crossing(key[0], i, in_a, in_b)
        lo, hi = 0.0, 1.0
        if guess is not None:
            lo = hi = guess
        while hi - lo > 2 * _STEEP_W:       # (no place to interpolate: np.clip's two
            mid = 0.5 * (lo + hi)           # kinks; halvings of the branch)
            same = at(mid)[1]
            if same is None:
                break
            lo, hi = (mid, hi) if same else (lo, mid)
        c = 0.5 * (lo + hi)
        self.located_kink = c       # (the crossing's fraction: :meth:`_follow`'s)
        if self.rates is not None and (key, i) not in self.cusps and not _smooth_step(key):
            self.cusps.add((key, i))    # (once a place: an infinite slope at the kink,
            self.located = (c, c)       # sqrt(max(t - p, 0)) at p = 0.5: -0.4745 for
            self._cusp(key, ta, za, tb, zb)     # -0.5017; ode54.  Not beside a smooth
            #   step: its partials rise over many decades toward its place and stay
            #   bounded, which _cusp's three distances read as a singularity: expit(s (t
            #   - p)) t at s = 1e6 was refused at first order, exact on 51793cd)
        t_c, seg = ta + c * (tb - ta), abs(tb - ta)
        tested = self.flat.setdefault((key, i), [])
        for t_old, half in tested:      # (inside an earlier test's inner pair: ode53)
            if abs(t_c - t_old) + 3 * _STEEP_W * seg <= half:
                return
        points = [min(max(c + d, 0.0), 1.0) for d in (-_STEEP_W * 3, -_STEEP_W,
                                                      _STEEP_W, _STEEP_W * 3)]
        found = [at(s) for s in points]
        f = [v for v, _, _ in found]
        with np.errstate(invalid="ignore"):
            scale = np.maximum(np.abs(f[1]), np.abs(f[2]))
            step = np.abs(f[2] - f[1])
            beside = np.maximum(np.abs(f[1] - f[0]), np.abs(f[3] - f[2]))
            jumps = ~(step <= _BESIDE * beside + _JUMP * scale + _TINY)
        on_end = ta in self.ends and ba == 0 or tb in self.ends and bb == 0
        if self.tolerance is not None and self.rates is not None and \
                not _smooth_step(key) and not on_end:
            # (a kink tied on the span's end has one side in it: nothing stepped over;
            # attack56 27)
            with np.errstate(all="ignore"):     # (the jump of fun's slope along the
                bend = np.abs((f[3] - f[2]) - (f[1] - f[0])) / (    # segment, per t)
                    abs(points[1] - points[0]) * abs(tb - ta))
            self.kinked.append((key, t_c, (ta, za, tb, zb), bend, 0.5 * (f[1] + f[2])))
        if not np.any(jumps) and 0.0 < c - _STEEP_W * 3 and c + _STEEP_W * 3 < 1.0:
            tested.append((t_c, _STEEP_W * seg))    # (flat across its inner pair: a
            del tested[:-_FLAT_KEPT]                # later test whose four points lie
        #                                             inside it would see a ramp it
        #                                             missed nowhere; the solver's
        #                                             stages chatter across a kink ~25
        #                                             times a crossing, ode52 Left (3))
        if not np.any(jumps) and _smooth_step(key) and (
                self.tolerance is not None or self.resolution is not None):
            self._wide(key, c, points, found, ta, tb)
        if not np.any(jumps) or self.tolerance is None and self.resolution is None:
            return
        in_lo, in_hi = found[1][2], found[2][2]
        if not _moves_at(key[0], in_lo if in_lo is not None else in_a,
                         in_hi if in_hi is not None else in_b):
            return
        j = int(np.argmax(np.where(jumps, step, -1.0)))
        if self.tolerance is not None:
            m, rtol, atol = self.tolerance[1], self.tolerance[3], self.tolerance[4]
        else:                               # (nested calls: the values' tolerance)
            m, rtol, atol, size, order = self.resolution
        if j >= m:
            return
        ends = []
        for frac in (0.1, 0.9):             # the ramp's extent: where fun's j-th value
            a, b = points[1], points[2]     # passes 10 % and 90 % of its change
            level = f[1][j] + frac * (f[2][j] - f[1][j])
            for _ in range(60):
                if b - a <= 1e-16 * max(abs(a), abs(b), 1.0):
                    break
                mid = 0.5 * (a + b)
                v = at(mid)[0][j]
                if (v - level) * (f[2][j] - f[1][j]) < 0:
                    a = mid
                else:
                    b = mid
            ends.append(0.5 * (a + b))
        width = abs(ends[1] - ends[0]) / 0.8 * abs(tb - ta)
        y = np.abs(za + c * (zb - za))[j] if self.tolerance is not None else \
            abs((za + c * (zb - za)).reshape(m, size)[j, 0])
        # (resolved: the solver's steps sample it; a nested system's k-th coefficients
        # meet a pulse 1 / width^(k - 1) taller, their forcing's error uncontrolled:
        # d2 through tanh(1e8 (t - p)) t gave -1.656 for -2, attack53 25)
        power = 1 if self.tolerance is not None else order
        if width ** power * step[j] >= 100.0 * (rtol * y + atol[j]):
            centre = ta + c * (tb - ta)     # (resolved only where SciPy's own
            self.ramps.append((key, centre, width, step[j]))    # evaluations land on
            if min(abs(ta - centre), abs(tb - centre)) > 2.0 * width:   # it and its
                self.pending.append((key, centre, width, step[j]))  # accepted steps are
            return                          # as narrow: :meth:`unsampled`; attack55 03)
        if self._negligible(key, i, at, (ta, tb, za, zb), (points[1], points[2]),
                            f[2] - f[1], in_lo, in_hi):
            return
        raise _Refused(_switch(key, ta + points[1] * (tb - ta), ta + points[2] * (tb - ta),
                               step[j], False, steep=True))

    def _wide(self, key, c, points, found, ta, tb):
        """A smooth step wider than :meth:`_steep`'s inner pair (not steep there) but
        maybe narrower than the solver's steps: its width in t, 4 over the rate of its
        argument z along the segment (|z| < 2 holds tanh's and erf's rise, most of
        expit's), kept for the accepted-step check (:meth:`stepped_over`) and, where
        neither evaluation lies within two widths of it, pending until one of SciPy's
        does (:meth:`unsampled`; attack55 03: tanh((t - 3) / 3e-3) at rtol 1e-3, RK45's
        stages at 2.95 and 3.06, 0.0 for -0.0604).  Only one-argument steps; the width
        from z, not from fun's rise (attack55 08: tanh((t - 3) / 1) was refused)."""
        ins = [found[1][2], found[2][2]]
        if any(r is None or len(r) != 1 for r in ins):
            return
        try:
            z = [float(np.real(primal(r[0]))) for r in ins]
        except (TypeError, ValueError):
            return                          # (an array step: not measured here)
        dt = abs(points[2] - points[1]) * abs(tb - ta)
        rate = abs(z[1] - z[0]) / dt if dt > 0 else 0.0
        if not rate > 0.0 or not np.isfinite(rate):
            return
        width = 4.0 / rate
        centre = ta + c * (tb - ta)
        self.ramps.append((key, centre, width, 0.0))
        if min(abs(ta - centre), abs(tb - centre)) > 2.0 * width:
            self.pending.append((key, centre, width, 0.0))

    def _cusp(self, key, ta, za, tb, zb):
        """Raise where fun's partials grow without bound toward the branch point just
        located on the segment from ``(ta, za)`` to ``(tb, zb)`` (its values
        continuous: ``np.arcsin(t - p + 0j).real`` at t - p = 1, whose derivative
        -1 / sqrt(1 - x^2) is infinite there).  The sensitivities' forcing is integrable
        there but the solver's steps do not resolve it (d/dp -0.6697 for -0.7841 at
        rtol 1e-3, 2e-6 off at 1e-8; ode54).  The partials at 1e-3, 1e-5 and 1e-7 of
        the segment from the crossing on either side (of 1e-3 of t where the segment
        is shorter): growing more than 3x at each, as 1 / sqrt(distance) grows 10x, is
        the singularity."""
        rates, m = self.rates
        lo, hi = self.located
        width = abs(tb - ta)            # (a segment at the crossing's rounding: its
        unit = max(1.0, 1e-3 * max(abs(ta), abs(tb), 1.0) / width) if width else 0.0
        for side, start in ((-1.0, lo), (1.0, hi)):     # fractions scaled to 1e-3 of t)
            sizes = []
            for d in (1e-3 * unit, 1e-5 * unit, 1e-7 * unit):
                s = start + side * d        # (on the segment's line, past its ends
                with np.errstate(all="ignore"):
                    out = rates(np.float64(ta + s * (tb - ta)), za + s * (zb - za))
                sizes.append(float(np.max(np.abs(out[m:]), initial=0.0)))  # too)
            if np.all(np.isfinite(sizes)) and \
                    sizes[1] > 3.0 * sizes[0] > 0.0 and sizes[2] > 3.0 * sizes[1]:
                at = ta + 0.5 * (lo + hi) * (tb - ta)
                raise _Refused(_cusp_error(key, at))

    def _negligible(self, key, i, at, segment, bracket, jump, in_lo, in_hi):
        """Whether the term a jump ``jump`` of fun's values at the crossing bracketed by
        ``bracket`` (fractions of ``segment``, ``(ta, tb, za, zb)``) would add to the
        tangents, ``jump (x) dc/dtheta`` (the crossing time's derivative), is below a
        hundredth of the tolerance the solver holds those tangents to there (``rtol
        |S| + atol``, :attr:`tolerance`): a loop's stopping test inside fun (Newton to
        1e-13) changes its iteration count where the iterate moves by the tolerance's
        size, a term far below the tangents' error control (attack51 19b), where a dose
        adds its whole size.  First order only (``tolerance`` set); a branch whose place
        is no sign of one expression (floor's steps, a selection) is never negligible."""
        if self.tolerance is None or not isinstance(key[0], np.ufunc):
            return False
        specs = branch_functions(key[0])
        if len(specs) != 1 or specs[0][1] is not np.sign:
            return False
        place, (tag, m, k, rtol, atol) = specs[0][2], self.tolerance
        ta, tb, za, zb = segment
        lo, hi = bracket
        try:
            with np.errstate(all="ignore"):
                moved = [_slopes(place(*rec, None), tag) for rec in (in_lo, in_hi)]
                if any(v is None for v in moved):
                    return False
                for width in (1e-6, 1e-3, 1.0):     # the place's rate along the segment
                    s1, s2 = max(lo - width, 0.0), min(hi + width, 1.0)  # (beyond its
                    ends = [at(s)[2] for s in (s1, s2)]       # rounding: a residual
                    if any(e is None for e in ends):          # of 1e-13 moves slowly)
                        return False
                    g1, g2 = (float(np.ravel(np.real(_plain(place(*e, None))))[i])
                              for e in ends)
                    if abs(g2 - g1) > 1e3 * _EPS * max(abs(g1), abs(g2)):
                        break
                rate = (g2 - g1) / ((s2 - s1) * (tb - ta))      # dg/dt along the path
                slopes = np.maximum(*(np.abs(np.real(np.reshape(v, (-1, k))[i]))
                                      for v in moved))          # dg/dtheta, both sides
                dc = slopes / abs(rate)
                S = np.abs(za + lo * (zb - za))[m:].reshape(m, k)
                term = np.abs(np.reshape(jump, -1)[:m])[:, None] * dc[None, :]
                return bool(np.all(term <= 0.01 * (rtol * S + np.reshape(atol, (-1, 1)))))
        except Exception:  # noqa: BLE001 - unknown: the jump stands
            return False

    ramps = ()
    located_kink = None           # (the last steep test's crossing, of its segment)
    system = None                 # (the augmented system: fun read with a dual t)
    steps = ()                    # (SciPy's accepted steps where t_eval hid them)
    pending = ()                  # [(key, centre, width, step)]: steep steps judged
    #                               resolved, no evaluation of SciPy's on them yet
    rates = None                  # (fun's augmented rates, m): a first-order system's
    located = None                # (lo, hi): the last continuous crossing's bracket
    values = np.inf               # how many of probe's coefficients are fun's values
    exact = False                 # a value's jump at a moving place raises Crossed
    #                               (first order: solved exactly by _ode_pieces)
    tolerance = None              # (tag, m, k, rtol, atol): a first-order system's
    #                               tangents' error control (:meth:`_negligible`)
    resolution = None             # (m, rtol, atol, size, order): a nested system's values'
    #                               tolerance (:meth:`_steep` of a smooth step)


_TINY = np.finfo(float).tiny
_EPS = np.finfo(float).eps
_STEEP_W = 1e-4         # a kink's steep test: the width around it (of the segment)
_OVER = 8.0             # an accepted step across a smooth step, at most, of its widths
_KINK_SHARE = 0.01      # ... where the partials' jump is this share of them, at least
_KINK_STEPS = 3.0       # ... and wider than this many widths of the pulse beside it
_KINK_OVER = 1000.0     # an accepted step across a kink: its partials' jump times the
#                         step, at most, in the tangents' tolerance
_KINK_SECANTS = 8       # a followed kink's time: regula falsi steps, then halvings
_KINK_ITERATIONS = 80   # (to 4 ulps of t)
_KINK_NEAR = 1e-6       # ... where the place came this near 0 (of its ends' size)
_FLAT_KEPT = 8          # steep tests found flat, kept per place


def _place_jumps(ufunc, i, ends, bracket, width):
    """Whether the place of ``ufunc``'s element ``i`` steps across its threshold in the
    located ``bracket`` (records at its two ends, ``width`` of the segment, at least 4
    ulps of t, whose ends'
    records are ``ends``) rather than crossing it: ``(t - p) // 1.0 >= 0``'s place is
    -1 then 0, its partials 0 (floor's), so its motion is no derivative of it (attack52
    19: Python's ``//`` of a scalar dual records nothing; judged not moving, 0.0)."""
    specs = branch_functions(ufunc) if isinstance(ufunc, np.ufunc) else ()
    if len(specs) != 1 or specs[0][1] is not np.sign or width > 1e-6 or \
            any(r is None for r in ends + bracket):
        return False
    place = specs[0][2]
    try:
        with np.errstate(all="ignore"):
            P = [np.ravel(np.real(np.asarray(place(*[_plain(v) for v in r], None),
                                             dtype=complex))) for r in ends + bracket]
        a, b, lo, hi = (float(v[i]) for v in P)
    except Exception:  # noqa: BLE001 - unknown: the place's derivative decides
        return False
    return bool(abs(hi - lo) > 1e3 * width * abs(b - a) + 1e3 * _EPS * max(abs(lo),
                                                                           abs(hi)))


def _scalar_dual(inputs):
    """Does a record's operands hold a dual that is no array dual (Python's builtin
    comparisons of scalar duals: ``max(s * (t - p), 0)``)?"""
    return inputs is not None and any(isinstance(v, Dual) and type(v) is not ArrayDual
                                      for v in inputs)


def _kink(ufunc):
    """Is every branch of ``ufunc``'s row a kink (np.maximum, np.abs: continuous; a
    smooth step's :class:`Branches`)?"""
    specs = branch_functions(ufunc) if isinstance(ufunc, (np.ufunc, Branches)) else ()
    return bool(specs) and all(kink for kink, _, _ in specs)


_ORDERED_COMPARISONS = (np.less, np.less_equal, np.greater, np.greater_equal)
_TIED_AT_END = frozenset(_ORDERED_COMPARISONS + (np.heaviside, np.sign))


def _low_coefficients(out, d):
    """fun's result ``out``'s values and the coefficients of its nested duals below the
    top level (a Hessian's first partials), raveled; ``d``: a dual of the call (its
    levels' depth)."""
    depth, v = 0, d
    while isinstance(v, Dual):
        depth, v = depth + 1, v.value
    from ._quad_ends import _levels
    out = as_state(out)
    found = _levels(out, depth)
    parts = [np.ravel(np.asarray(primal(out), dtype=complex))]
    parts += [np.ravel(found[path]) for path in sorted(found, key=repr)]
    return np.concatenate(parts)


def _on_end_refusal(key, t, kink=False):
    return errors.bad_type(
        _WHO, "fun's switches whose places move to lie off the span's fixed ends",
        f"np.{key[0].__name__} on duals that carry partials ({key[1]}) tied at "
        f"t = {float(t)!r}, an end of t_span, where its place moves with the "
        + ("parameters and fun's first partials jump across it: the solution's first "
           "derivative has a kink in the parameters there (its second derivative "
           "holds the kink's term from one side, none from the other), no second "
           "derivative" if kink else
           "parameters: the solution at the end has a kink there (the switch "
           "enters or leaves the span: one side's derivative holds its term, the "
           "other's none), no derivative"),
        "Fix: move the switch off the end (a dose at p inside (t0, tf)), or start "
        "the span at the switch itself (t_span=(p, tf) with p the dual: the "
        "moving start carries the term), or take the one-sided derivative you "
        "mean by hand.")
_COMPARISONS = (np.less, np.less_equal, np.greater, np.greater_equal, np.equal,
                np.not_equal)


def _tie_side(ufunc, i, inputs, ref):
    """Whether a comparison's element ``i`` on its records' operands ``inputs`` (a tie:
    its place is 0) comes out as on ``ref`` (the bracket's own side): ``t > p`` at
    ``t == p`` is False, the side before the dose.  ``None`` for other branches (a
    kink's tie takes neither side's partials) or unknown operands."""
    if ufunc not in _COMPARISONS or inputs is None or ref is None:
        return None
    with np.errstate(all="ignore"):
        here, there = (np.ravel(ufunc(*[np.real(_plain(v)) for v in rec]))
                       for rec in (inputs, ref))
    if here.size <= i or there.size <= i:
        return None
    return bool(here[i] == there[i])


class _NanSources(Exception):
    """An evaluation of ``fun`` met a NaN source past its domain's edge on moving duals
    (``np.sqrt(t - tlag)`` masked by ``np.where(np.isnan(...))``, ``np.nan_to_num``):
    dg.quad's watch records NaN sources only where asked (``watch.nan``; smooth
    right-hand sides with ``np.log`` / ``np.sqrt`` pay nothing), so the solve runs again
    from ``t0`` recording them, and the edge's crossing is compared (attack50 10)."""
_SECANTS = 3          # tries at the place's interpolated crossing before bisecting
_NEAR = 0.5 ** 30     # the two points around it: ~1e-9 of the segment either side
_NEAR_QUICK = 0.5 ** 44     # (a trusted place's check: ~6e-14, no halvings after)


def _crossing(ufunc, i, in_lo, in_hi):
    """Where, as a fraction of the way from the records ``in_lo`` to ``in_hi``
    (``ufunc``'s operands at two points), element ``i`` of the branch's place crosses
    0, the place interpolated linearly between them (exact for ``t > tlag`` and
    ``y > c`` along the straight segment); ``None`` where it does not cross there or is
    no sign of one place (floor's steps, a selection)."""
    if in_lo is None or in_hi is None or not isinstance(ufunc, (np.ufunc, Branches)):
        return None
    specs = branch_functions(ufunc)
    if len(specs) != 1 or specs[0][1] is not np.sign and specs[0][1] is not np.floor:
        return None
    place = specs[0][2]
    with np.errstate(all="ignore"):
        ends = [np.ravel(np.real(place(*[_plain(v) for v in rec], None)))
                for rec in (in_lo, in_hi)]
        if ends[0].size <= i or ends[1].size <= i:
            return None
        a, b = float(ends[0][i]), float(ends[1][i])
        if specs[0][1] is np.floor:     # (a wrap, ``(t - p) % 24``: the one integer
            k = max(np.floor(a), np.floor(b))   # its place steps over; two or more:
            if abs(np.floor(b) - np.floor(a)) != 1.0:   # bisected.  Without it each
                return None             # crossing of a continuous wrap took ~45
            a, b = a - k, b - k         # evaluations of fun; attack57 23)
        s = a / (a - b)
    return s if 0.0 < s < 1.0 else None


def _taken(watch):
    """The branches dg.quad's watch recorded since its ``start()``, per place: ``{(ufunc,
    where, k): branch}`` (``k``: the k-th time at that place: a loop's test), ending
    its record."""
    seen, watch.seen = watch.seen, None
    places, times = {}, {}
    for record in seen or ():       # (ufunc, branch, where, ...): a tie at a moving
        if len(record) < 3:         # limit, (ufunc, where), is dg.quad's alone
            continue
        u, o, w = record[:3]
        k = times[u, w] = times.get((u, w), -1) + 1
        places[u, w, k] = (o, record[3] if len(record) > 3 else None)
    return places


def _moves_at(ufunc, in_lo, in_hi):
    """Does the branch point whose records' operands are ``in_lo`` and ``in_hi`` (either
    side of the switch) move with the parameters (dg.quad's test, ``_place_moves``:
    ``p * (t - 1) > 0`` switches at t = 1 whatever p is, and loses no term)?  Unknown
    operands: it moves."""
    if in_lo is None or in_hi is None:
        return True
    if not isinstance(ufunc, np.ufunc) and any(
            isinstance(v, Dual) and isinstance(v.value, Dual) and _moves(v)
            for v in list(in_lo) + list(in_hi)):
        return True     # a selection on nested duals (a dosing table's knot at 3 + (p -
        #                 1)^2: c' = 0, c'' = 2; attack51 06): its index has no place to
        #                 expand beyond first order, so it counts as moving
    return any(_place_moves(ufunc, (None, in_lo), (None, in_hi), tag)
               for tag in _tags(list(in_lo) + list(in_hi))) or \
        isinstance(ufunc, np.ufunc) and \
        _moves_beyond_first(ufunc, (None, in_lo), (None, in_hi))   # (attack50 17)


def _same_place(place, i, a, b):
    """Is element ``i`` of ``place`` the same number on the records' operands ``a`` and
    ``b`` (read with the state moved: a place of time and the parameters only)?"""
    with np.errstate(all="ignore"):
        g = [np.ravel(np.real(np.asarray(_plain(place(*rec, None))))) for rec in (a, b)]
    return g[0].size > i and g[1].size > i and g[0][i] == g[1][i]


def _same(a, b):
    """Do the branch records ``a`` and ``b`` agree (NaN with NaN)?"""
    if a.shape != b.shape:
        return False
    if a.dtype == b.dtype and a.tobytes() == b.tobytes():     # (the usual case: masks)
        return True
    return bool(np.all((a == b) | ((a != a) & (b != b))))


def _cut(ufunc):
    """Is ``ufunc`` a row's cuts on complex arguments (the watch's record of
    ``np.arcsin(t - p + 0j)``: :func:`dualgrad.rules._table.cut_of`)?"""
    return type(ufunc) is Branches and bool(ufunc.branch) and ufunc.branch[0][0] == "cut"


def _smooth_step(key):
    """Is the branch record ``key`` a smooth step's (np.tanh, erf, expit: the rule
    table's ``"step"`` branches), not a kink's or a comparison's?"""
    return type(key[0]) is Branches and key[0].branch[0][0] == "step"


def _cusp_error(key, at):
    ufunc, where, _ = key
    return errors.bad_type(
        _WHO, "fun's partials finite beside the places where its branches switch",
        f"{_spelled(ufunc)} ({where}) at its branch point or kink near t = {float(at)!r}, where "
        "fun's values are continuous but its partials grow without bound (an infinite "
        "slope at a place that moves, as np.arcsin(t - p + 0j).real at t - p = 1): the "
        "derivatives' forcing there is an integrable singularity that the solver's "
        "steps do not resolve (their error control sees none of it between its stages)",
        "Fix: integrate that term in closed form and add it to the solution, or write "
        "the onset smooth (np.sqrt(np.maximum(t - p, 0) + e**2) - e with a small e); a "
        "split at the branch point does not help (each piece reaches it at its end).")


def _switch(key, t_lo, t_hi, step, partials, steep=False, chatter=False, stepped=False):
    ufunc, where, _ = key
    comparison = ufunc in (np.less, np.less_equal, np.greater, np.greater_equal)
    name = f"np.{ufunc.__name__}" if comparison else _spelled(ufunc)   # (a Branches
    symbol = " (a comparison: <, <=, > or >=, its operands either way round)" if \
        comparison else ""                                  # record is named in full)
    what = ("first partials jump (a kink: second derivatives lose a term there)"
            if partials else "value jumps")
    if steep:
        what = ("value changes (a ramp narrower than the solver's steps resolve, or a "
                "smooth step as narrow: the derivatives' forcing on it lies where no step "
                "evaluates fun, lost as at a jump)")
    if stepped:
        what = ("first partials jump (a kink) inside one of the solver's accepted steps, "
                "wider than its error control resolves for the tangents (its stages on "
                "either side of the kink: the derivatives' forcing jumps there, and the "
                "pulse beside it is sampled too coarsely; rtol / max_step set it)")
    amount = f" by {step:.3g}"
    if chatter:
        what, amount = (f"branch flips back and forth in more than {_CHATTER} of the "
                        "solver's steps with no crossing at a step's end (the solution "
                        "slides along the switch, each side driving it to the other: no "
                        "crossing time to take the jump's term at)"), ""
    rule = RULES.get(ufunc) if isinstance(ufunc, np.ufunc) else None
    if rule is not None and any(kind == "nan" for kind, _, _ in rule.branch):
        symbol = (" (NaN past its real domain's edge, which fun made a number: np.where "
                  "on np.isnan / np.isfinite, np.nan_to_num, np.fmax)")
    return errors.bad_type(
        _WHO, "fun's branches to stay put as the parameters move (dg.solve_ivp "
        "integrates the sensitivities of the branch each evaluation takes)",
        f"{name}{symbol} on duals that carry partials ({where}) switching "
        f"between t = {float(t_lo)!r} and t = {float(t_hi)!r}, where fun's {what}{amount}: a "
        "switch whose time moves with the parameters (a dose at t = tlag, a bang-bang "
        "control, a state crossing a threshold), whose term (f_before - f_after) dc/dp "
        "the sensitivities do not hold",
        "Split the integration at the switch, each piece its own fun with no comparison "
        "of t or y (nor NaN test) left inside: at a time c, s1 = dg.solve_ivp(f_before, "
        "(t0, c), y0) and dg.solve_ivp(f_after, (c, tf), s1.y[:, -1]) (the moving ends "
        "carry the term exactly); where the state crosses a threshold, a terminal event "
        "(event.terminal = True) ends the first call and the second starts from "
        "(sol.t_events[0][0], tf) with y0 = sol.y_events[0][0]. Where the switch does "
        "not move, compare plain values (dg.stop_gradient(p)). A continuous switch "
        "(np.maximum(y, 0.0), np.where(y > 0, k * y, 0.0)) is not refused." + (
            " A smooth step or ramp of some width is taken exactly where the solver's "
            "steps resolve it: a smaller rtol, or max_step below its width." if steep
            else ""))


def _of_time(inputs, t):
    """Whether a comparison's operands hold the evaluation's time ``t`` itself (``t >=
    p``: a time switch, which a fixed ``t >= 4.0`` may meet; a clamp's ``y > 0`` and a
    Newton loop's test are not read again: 9 % of the bench clamp's time)."""
    return any(not isinstance(v, Dual) and np.ndim(v) == 0 and
               np.asarray(v).dtype.kind == "f" and float(np.real(v)) == t
               for v in inputs or ())


class _FloatReader:
    """The float path's ``fun`` as :mod:`api._ode_coincident` reads an augmented
    system: its values at a plain state (no tangents), ``t`` a dual of the call
    ``tag`` with ``k`` directions."""

    def __init__(self, watched, tag, k, m):
        self.watched, self.tag, self.k, self.m = watched, tag, k, m
        self.switches = watched.switches

    def rates(self, t, z):
        return np.ravel(np.real(np.asarray(primal(as_state(
            self.watched.fun(t, z[:self.m], *self.watched.args))), dtype=complex)))


class _WatchedRhs(Watched):
    """``fun`` on SciPy's float path (no dual in ``y0``, ``t_span`` or ``args``): stops
    at the first dual it returns (:class:`Watched`), and its branches on the duals it
    closes over are watched (``np.where(t > p, 1.0, 0.0)`` returns floats)."""

    def __init__(self, fun, args):
        super().__init__(fun)
        self.args = args
        self.switches = _Switches(1, self.probe)
        self.switches.exact = True          # (a jump: the dual path solves it exactly)
        self.switches.system = self         # (jumps that cancel: _Switches._cancelled)

    def probe(self, t, y):
        return np.asarray(primal(as_state(self.fun(t, y, *self.args))))

    def __call__(self, t, y, *args):
        return self.passed(self.switches.run(self.fun, t, y, *args))


class _Augmented:
    """The real system of the state and its tangents, for SciPy's solver."""

    finite_at = None        # (t, z): SciPy's last evaluation at a number

    def __init__(self, fun, args, tag, m, k):
        self.fun, self.args, self.tag, self.m, self.k = fun, args, tag, m, k
        self.tags, self.index, self.dims = [tag], {tag: 0}, (k + 1,)
        self.switches = _Switches(1, self.probe, steep=True)
        self.switches.exact = True
        self.switches.rates = (self.rates, m)     # (a branch point's partials: _cusp)
        self.switches.system = self     # (coincident switches: _Switches._cancelled)

    def probe(self, t, z):
        return np.asarray(primal(self.rhs(t, self.dual(z))))

    def dual(self, z):
        m, k = self.m, self.k
        return make_array(z[:m].copy(), z[m:].reshape(m, k).copy(), self.tag)

    def values(self, z):
        return z[:self.m]

    def __call__(self, t, z):
        if t == t:                      # (SciPy's calls only: the switch's own probes
            self.finite_at = (t, z)     # read fun at its edge, t == tlag)
            return self.switches.run(self.rates, t, z)
        return _at_nan_time(self, t, z)

    def rates(self, t, z):
        out = self.fun(t, self.dual(z), *self.args)
        if type(out) is list or type(out) is tuple:   # [dA, dB] of scalar duals: no dual
            flat = stacked_numbers(out, self.tag, self.k)    # array on the way (rates64)
            if flat is not None and len(out) == self.m:
                return flat
        value, partials = _split(_WHO, out, self.tag, self.m, self.k)
        return np.concatenate([value, partials.ravel()])

    def rhs(self, t, y):
        return as_state(self.fun(t, y, *self.args))

    def rate(self, t, y):
        """``fun(t, y)``'s value at the plain state ``y``."""
        return np.asarray(primal(self.rhs(t, y)))


class _Nested(_Augmented):
    """The real system of every coefficient of the state's nested duals (a Hessian's
    value, first and second partials), laid out ``(m, 1 + k_1, ..., 1 + k_L)``."""

    def __init__(self, fun, args, levels, m):
        self.fun, self.args, self.m = fun, args, m
        self.tags = list(levels)
        self.index = {tag: i for i, tag in enumerate(self.tags)}
        self.dims = tuple(1 + k for k in levels.values())
        self.size = int(np.prod(self.dims))
        # the coefficients a switch compares: the value and, for nested calls, the
        # first partials (a kink of fun loses a second derivative's term)
        degree = sum(np.indices(self.dims).astype(bool))
        self.low = np.flatnonzero(degree.ravel() < len(self.tags))
        self.switches = _Switches(len(self.tags), self.probe)
        self.switches.values = m

    def probe(self, t, z):
        out = expand(self.rhs(t, self.dual(z)), self.index, self.dims)
        if out.shape == self.dims and self.m == 1:
            out = out.reshape((1,) + self.dims)
        low = out.reshape(out.shape[0], -1)[:, self.low]
        return np.moveaxis(low, 0, 1)         # the values first, then the partials

    def dual(self, z):
        return build(z.reshape((self.m,) + self.dims).copy(), self.tags, 1)

    def values(self, z):
        return z.reshape(self.m, self.size)[:, 0]

    def __call__(self, t, z):
        if t == t:
            self.finite_at = (t, z)
            return self.switches.run(self.rates, t, z)
        return _at_nan_time(self, t, z)

    def rates(self, t, z):
        out = expand(self.rhs(t, self.dual(z)), self.index, self.dims)
        if out.shape == self.dims and self.m == 1:
            out = out.reshape((1,) + self.dims)
        if out.shape != (self.m,) + self.dims:
            raise errors.bad_argument(_WHO, f"fun(t, y) of shape ({self.m},), y0's",
                                      f"shape {out.shape[:out.ndim - len(self.dims)]}",
                                      "Return one derivative per state component "
                                      "(np.stack or np.concatenate the pieces).")
        return out.ravel()


def _at_nan_time(system, t, z):
    """SciPy's evaluation at a NaN time: its step control is stuck (its error norm, and
    then its step, NaN: each rejected step tries again without end; the branch point
    of ``np.arccos(t - p + 0j)`` at ``t = t0``, infinite and NaN as a complex number,
    ran for minutes on 51793cd).  Where the last evaluation at a number had NaN
    partials beside finite values, that is raised by name; first the watch may refuse
    by its own (a smooth step too steep for a Hessian's nested rates), except a
    refusal that names NaN times (a switch "between t = nan and t = nan")."""
    try:
        out = system.switches.run(system.rates, t, z)
    except (_Refused, errors.DualTypeError) as exc:
        if "= nan" in str(getattr(exc, "error", exc)):
            _nan_partials(system)
        raise
    _nan_partials(system)
    return out


def _nan_partials(system):
    """Raise where fun's rates at the last evaluation at a number (:func:`_at_nan_time`)
    hold a NaN partial beside finite values, a derivative undefined there.  NaN
    values are SciPy's to meet as it meets them on floats; an infinite partial is left
    to the step control (a rejected trial step recovers; a solve it stops is
    :func:`_failed_by_partials`'s)."""
    if system.finite_at is None:
        return
    t, z = system.finite_at
    m = system.m
    with np.errstate(all="ignore"):
        out = np.asarray(system.rates(np.float64(t), z))
    if isinstance(system, _Nested):
        out = out.reshape(m, system.size).T.ravel()     # (the values first)
    values, partials = out[:m], out[m:]
    with np.errstate(invalid="ignore"):
        if not np.isfinite(values).all() or not np.isnan(partials).any():
            return
    where = int(np.flatnonzero(np.isnan(partials))[0]) % m if m else 0
    value = values[where] if np.iscomplexobj(values) else float(np.real(values[where]))
    raise errors.bad_type(
        _WHO, "fun's partials to be numbers wherever its values are (the sensitivities' "
        "rates, stepped with the state)",
        f"NaN partials at t = {float(np.real(t))!r} where fun's values are finite "
        f"(component {where}, value {value!r}): "
        "a derivative undefined or infinite there (np.arccos / np.arcsin / np.arccosh / "
        "np.sqrt / np.log of t - p + 0j at its branch point, an infinite slope times a "
        "moving operand), on which SciPy's step control cannot go on (its step size "
        "becomes NaN and it retries without end)",
        "Fix: the derivatives have an integrable singularity there that no step can "
        "take: start t_span off it (t0 just past the branch point), write the onset "
        "smooth (np.sqrt(np.maximum(t - p, 0) + e**2) - e with a small e), or integrate "
        "that term in closed form and add it to the solution.")


class _Newton:
    """``jac(t, z)`` of the augmented system: ``diag(J, J (x) I_k)``."""

    def __init__(self, system, jac, sparsity, dense):
        self.system, self.jac, self.sparsity = system, jac, sparsity
        self.dense = dense              # LSODA takes a dense matrix only

    def matrix(self, t, y):
        jac, args = self.jac, self.system.args
        if callable(jac):
            J = jac(t, y, *args)
        elif jac is not None:
            J = jac
        else:
            from .helpers import jacobian
            J = jacobian(lambda v: self.system.fun(t, v, *args), y,
                         holomorphic=np.iscomplexobj(y),     # (BDF's complex states)
                         **({"sparsity": self.sparsity, "format": "csc",
                             "check_sparsity": False}       # (the user's jac_sparsity,
                            if self.sparsity is not None else {}))  # trusted as SciPy
        #   trusts it: Newton's matrix only speeds its iterations, the error control
        #   decides the accuracy; attack53 22b: its check refused states at sqrt's 0)
        if isinstance(J, (list, tuple)):
            J = np.array(J, dtype=object)
        if isinstance(J, np.ndarray) and J.dtype == object:
            J = stack_scalars(list(J.ravel())).reshape(J.shape)
        if getattr(J, "dtype", None) == object:       # a sparse matrix of fun's parameters'
            import scipy.sparse as sp                 # duals (jac_sparsity, p in a closure)
            J = J.tocsc()
            J = sp.csc_matrix((np.asarray(primal(stack_scalars(list(J.data)))), J.indices,
                               J.indptr), shape=J.shape)
        return primal(J)

    def __call__(self, t, z):
        import scipy.sparse as sp
        system = self.system
        if isinstance(system, _Nested):        # kron(J, I): each coefficient's own J
            J, size = self.matrix(t, system.values(z)), system.size
            if not self.dense and (sp.issparse(J) or system.m * size > _DENSE_UP_TO):
                return sp.kron(sp.csc_matrix(J), sp.identity(size), format="csc")
            out = np.kron(J.toarray() if sp.issparse(J) else np.asarray(J), np.eye(size))
            out = out.astype(np.result_type(out, z))
            # the coefficients' rates' dependence on the lower coefficients (f'' times
            # a first partial in a Hessian's second partials), by forward differences
            # of the system: without it Newton stalls on stiff nonlinear systems
            # (Robertson's Hessian by Radau: 123 s without, ode43)
            base, rows = system(t, z), np.arange(len(z)) % size != 0
            for i in range(len(z)):
                h = _STEP * max(abs(z[i]), _STEP)
                moved = z.copy()
                moved[i] += h
                out[rows, i] = (system(t, moved)[rows] - base[rows]) / h
            return out
        m, k = system.m, system.k
        J = self.matrix(t, z[:m])
        if not self.dense and (sp.issparse(J) or m * (k + 1) > _DENSE_UP_TO):
            J = sp.csc_matrix(J)
            return sp.block_diag([J, sp.kron(J, sp.identity(k), format="csc")],
                                 format="csc")
        J = J.toarray() if sp.issparse(J) else np.asarray(J)
        out = np.zeros((m * (k + 1), m * (k + 1)), dtype=np.result_type(J, z))
        out[:m, :m] = J
        out[m:, m:] = np.kron(J, np.eye(k))
        # the tangents' rates' dependence on the state, d(J Y + J_p)/dy, by forward
        # differences of the system: without it Newton's iterations on a stiff nonlinear
        # system stall and the solver recomputes the matrix every few steps
        base = system(t, z)
        for i in range(m):
            h = _STEP * max(abs(z[i]), _STEP)
            moved = z.copy()
            moved[i] += h
            out[m:, i] = (system(t, moved)[m:] - base[m:]) / h
        return out


class DualOdeSolution:
    """``sol.sol`` of :func:`solve_ivp` with derivatives: ``sol.sol(t)`` gives the
    state at the times ``t`` as duals of the running call; a time that is a dual of
    that call adds ``f(t, y(t)) dt`` (attack52 16: ``sol.sol(s)`` at a dual ``s``
    dropped it, d/ds 0.0)."""

    def __init__(self, dense, m, k, tag, rate=None):
        self.dense, self.m, self.k, self.tag, self.rate = dense, m, k, tag, rate
        self.t_min, self.t_max = dense.t_min, dense.t_max

    def __call__(self, t):
        t = _times(t)
        s = primal(t)
        z = self.dense(s)
        m, k = self.m, self.k
        if z.ndim == 1:
            P = z[m:].reshape(m, k)
        else:
            P = np.moveaxis(z[m:].reshape(m, k, -1), 1, 2)
        if isinstance(t, Dual):
            if t.tag != self.tag or isinstance(primal(t), Dual) or self.rate is None or \
                    isinstance(t.value, Dual):
                raise _dual_time()
            dt = np.asarray(t.partials)
            if z.ndim == 1:
                P = P + np.outer(self.rate(float(s), z[:m]), dt.reshape(k))
            else:
                times = np.ravel(s)
                F = np.stack([self.rate(float(v), z[:m, i]) for i, v in enumerate(times)],
                             axis=1)                          # (m, n): y' at each time
                P = P + F[:, :, None] * dt.reshape(-1, k)[None, :, :]
        return make_array(z[:m], P, self.tag)


def _times(t):
    """``sol.sol``'s times: a list, tuple or object array holding duals as one array
    dual (attack52 23: SciPy's interpolant made duals of its object arithmetic, which
    the helper handed back as escaped Dual objects)."""
    if isinstance(t, (list, tuple)) or isinstance(t, np.ndarray) and t.dtype == object:
        items = np.asarray(t, dtype=object)
        flat = list(items.ravel())
        if any(isinstance(v, Dual) for v in flat):
            stacked = stack_scalars(flat)
            return stacked if items.ndim == 1 else stacked.reshape(items.shape)
        return np.asarray(items, dtype=float)
    return t


def _dual_time():
    return errors.bad_type(
        _WHO, "sol.sol(t) at plain times, or at duals of the call that made the solution",
        "a time carrying another call's partials (or nested ones)",
        "Pass the time's value (dg.stop_gradient(t)) and add y'(t) dt yourself, or put "
        "the time in t_span (a dual end: its state carries the term).")


class NestedOdeSolution:
    """``sol.sol`` of :func:`solve_ivp` with nested derivatives (a Hessian):
    ``sol.sol(t)`` gives the state at the fixed times ``t`` as nested duals."""

    def __init__(self, dense, system):
        self.dense, self.system = dense, system
        self.t_min, self.t_max = dense.t_min, dense.t_max

    def __call__(self, t):
        t = _times(t)
        if isinstance(t, Dual):         # (its term f(t, y) dt: first order only)
            raise _dual_time()
        z, s = self.dense(primal(t)), self.system
        if z.ndim == 1:
            return build(z.reshape((s.m,) + s.dims), s.tags, 1)
        C = np.moveaxis(z.reshape((s.m,) + s.dims + (-1,)), -1, 1)
        return build(C, s.tags, 2)


def solve_ivp(fun, t_span, y0, method="RK45", t_eval=None, dense_output=False,
              events=None, vectorized=False, args=None, **options) -> Any:
    """``scipy.integrate.solve_ivp`` with derivatives through the solution.

    The signature and result are SciPy's.  Inside a dualgrad helper (``f`` of
    :func:`dualgrad.gradient`, :func:`dualgrad.jacobian`, ...), duals may enter
    through ``y0``, ``args``, the ends of ``t_span``, or the parameters ``fun``
    closes over; ``sol.y`` (and ``sol.sol(t)``) then carry the derivatives of the
    solution.  Without any dual it is SciPy's call itself.

    Parameters
    ----------
    fun, t_span, y0, method, t_eval, dense_output, events, vectorized, args, **options
        As ``scipy.integrate.solve_ivp``.  ``fun(t, y, *args)`` receives ``y`` as a
        dual array and must return ``m`` numbers (an array, list or object array).
        ``jac`` (implicit methods) may be given as SciPy takes it; its value at the
        state is used.  ``events`` (one function ``event(t, y, *args)`` or a list)
        are located on the values by SciPy (``terminal`` and ``direction`` as SciPy
        reads them); their times and states carry derivatives, of every order, and may
        depend on the parameters.

    Returns
    -------
    OdeResult
        SciPy's result; ``y`` an array dual of shape ``(m, len(t))`` when
        derivatives flow, and ``t`` too when ``t_span``'s ends are duals (the first
        and last times then move with them) or a terminal event moves the last.
        ``t_events[i]`` (shape ``(n_i,)``) and ``y_events[i]`` (``(n_i, m)``) are
        duals: ``dt_e = -(g_y . dy + g_theta) / (dg/dt along the solution)``.

    Raises
    ------
    TypeError
        ``fun`` written in ``odeint``'s order, ``fun(y, t, *args)`` (the message spells
        the swap); duals in ``t_eval``; an event that touches zero with ``dg/dt = 0``
        (its time has no derivative); a ``fun`` that switches where the parameters
        move the switch where the exact route does not apply (see Notes).

    Notes
    -----
    The derivatives are the sensitivities ``dy/dtheta`` integrated beside the state
    under the same error control (``rtol`` and ``atol`` apply to them too): as
    accurate as the solution, not exact to rounding as dualgrad's other results are.
    Nested derivatives (``dg.hessian``, ``dg.jacfwd(dg.grad(f))``) step every
    coefficient of the nested duals together: ``m * (1 + k_1) * ... * (1 + k_L)``
    components for ``L`` nested calls of ``k_l`` directions (a Hessian of ``n``
    parameters in one chunk: ``m (n + 1)^2``), the same accuracy statement.  An event
    time's derivative divides by ``dg/dt`` along the solution: an event that touches
    zero with ``dg/dt = 0`` raises ``TypeError``, and so does one that jumps across
    zero (``(y[0] - 1.5) if t > p else -1.0``, armed at a moving time: its time is the
    switch's).  A complex argument's branch point crossed inside the span
    (``np.arcsin(t - p + 0j).real`` at ``t - p = 1``: continuous values, an infinite
    slope) raises ``TypeError``: the sensitivities' integrable singularity there is
    stepped over by the solver.

    The sensitivities are those of the branch each evaluation of ``fun`` takes: a
    switch whose time moves with the parameters (a dose at ``t = tlag``,
    ``np.where(t > p, D, 0.0)``; a bang-bang control ``umax if t > p else 0.0``; a
    state crossing a threshold, ``np.where(y > c, ...)``, even a fixed ``c`` where
    the crossing time moves) adds ``(f_before - f_after) dc/dtheta`` to the tangents
    at the crossing, which they do not hold.  At first order such a switch is exact:
    where its place is the sign of one expression (a comparison, ``np.heaviside``,
    ``np.sign``, a NaN source's edge), the crossing is located on the solution by a
    terminal event on that expression and the solve restarted a few ulps past it
    with the tangents ``S + (f_before - f_after) dc/dtheta``, ``dc/dtheta = -(g_theta
    + g_y S) / (dg/dt)`` along the solution before it; ``t``, ``y``, ``t_eval``,
    ``sol`` and the events are merged across the pieces (without ``t_eval`` the
    crossing time and the restart both appear in ``t``).  Other switches flipping at
    the same time (a lag started at a fixed schedule's time, two lags at one value)
    are each flipped alone on the crossing's before side (their comparisons' results
    set): where their jumps add, each carries its own jump times its own crossing's
    motion (a fixed one's: none; a continuous one adds nothing).  The refusal below
    stands for nested calls (a Hessian), for a switch the solution slides along
    (``f_after`` drives it back across: chattering), for switches flipping together
    whose jumps do not add (``D [t >= p] [t >= q]`` at ``p == q``: the solution has a
    kink in ``(p, q)`` there) or that are no comparison, ``np.heaviside`` or
    ``np.sign``, for a place that steps across zero rather
    than crossing it (``t % 24 > p`` at the day's wrap), and for steps and selections
    (``np.floor``, a dosing table by ``np.searchsorted``).  dg.solve_ivp watches the
    branches ``fun`` takes on duals that carry partials (dg.quad's watch: comparisons,
    ``np.where``'s masks, ``np.heaviside``, ``np.sign``, ``np.floor`` ...; for nested calls also
    ``np.maximum`` / ``np.minimum`` / ``np.abs`` / ``np.clip``); where one differs
    between two evaluations it locates the switch on the segment between them (the
    place interpolated, then halvings) and raises ``TypeError`` if ``fun``'s value
    jumps there by more than rounding of its size (a dose of 2 beside a pool of 1e11
    too; for nested calls, if its first partials jump: a kink's second-order term).
    Each call of a helper is its own place (an ``ifelse(a, b, x, y)`` serving a clamp
    and a dose); a switch whose place the parameters do not move (``p * (t - 3) >
    0``, at ``t = 3`` for every ``p > 0``) loses no term and is not refused.  The fix
    it names: split the integration at the switch, each piece its own ``fun``
    without the comparison, ``s1 = dg.solve_ivp(f_before, (t0, c), y0)`` and
    ``dg.solve_ivp(f_after, (c, tf), s1.y[:, -1])`` (the moving ends carry the term
    exactly), or a terminal event
    at a state threshold and a second call from ``sol.t_events[0][0]`` with ``y0 =
    sol.y_events[0][0]``.  Continuous clamps (``np.maximum(y, 0.0)``,
    ``np.where(y > 0, k * y, 0.0)``) are exact at first order and not refused; nor
    are switches at fixed times (``t < 2.0`` with the parameters only in the
    branches), nor a loop's stopping test on duals (a Newton solve inside ``fun``,
    to any stopping tolerance): at first order a jump whose term ``(f_before -
    f_after) dc/dtheta`` is below a hundredth of the tolerance the solver holds the
    tangents to there (``rtol |dy/dtheta| + atol``) is lost within that tolerance and
    not refused; above that a dose is exact as above (refused where the exact route
    does not apply) however small against ``fun``'s value.
    Branches the watch does not see (compiled code, ``np.round``, ``np.interp``'s
    knots, Python's ``abs`` and ``//`` of a scalar dual; see :func:`dualgrad.quad`)
    are the user's to split.

    Examples
    --------
    Exponential decay, ``y' = -a y``, ``y(0) = b``: the gradient of ``y(1)`` is
    ``(-b e^{-a}, e^{-a})``.

    >>> import numpy as np
    >>> import dualgrad as dg
    >>> def y1(p):
    ...     sol = dg.solve_ivp(lambda t, y: -p[0] * y, (0.0, 1.0), [p[1]],
    ...                        rtol=1e-12, atol=1e-12)
    ...     return sol.y[0, -1]
    >>> g = dg.gradient(y1, np.array([0.5, 2.0]))
    >>> bool(np.allclose(g, [-2 * np.exp(-0.5), np.exp(-0.5)], rtol=1e-9))
    True

    Its Hessian, ``[[b e^{-a}, -e^{-a}], [-e^{-a}, 0]]``, through the same call:

    >>> H = dg.hessian(y1, np.array([0.5, 2.0]))
    >>> e = np.exp(-0.5)
    >>> bool(np.allclose(H, [[2 * e, -e], [-e, 0.0]], rtol=1e-9, atol=1e-12))
    True

    An event's time: ``y`` falls through 1 at ``t* = ln(b) / a``, so ``dt*/da =
    -ln(b) / a^2`` and ``dt*/db = 1 / (a b)``:

    >>> def crossing(p):
    ...     sol = dg.solve_ivp(lambda t, y: -p[0] * y, (0.0, 5.0), [p[1]],
    ...                        events=lambda t, y: y[0] - 1.0, rtol=1e-12, atol=1e-12)
    ...     return sol.t_events[0][0]
    >>> g = dg.gradient(crossing, np.array([0.5, 2.0]))
    >>> bool(np.allclose(g, [-np.log(2.0) / 0.25, 1.0], rtol=1e-9))
    True
    """
    try:
        return _run(fun, t_span, y0, method, t_eval, dense_output, events, vectorized,
                    args, options)
    except (TypeError, IndexError) as exc:
        swapped = _odeint_order(fun, exc)
        if swapped is None:
            raise
        raise swapped from exc


# what a state read as an array says when fun(y, t) received the time first
_SCALAR_HINTS = ("not subscriptable", "invalid index to scalar", "has no len()",
                 "non-iterable", "is not iterable", "too many indices")
_TIME_NAMES = ("t", "time", "tau", "s", "_t", "t_", "tt", "ti")


def _odeint_order(fun, exc):
    """A named ``TypeError`` when ``fun`` looks written for ``odeint`` (``fun(y, t)``:
    its first parameter not a time's name, and it failed reading the time SciPy passes
    first as an array), else ``None``."""
    if isinstance(exc, (errors.DualTypeError, errors.DualValueError)) or \
            not any(hint in str(exc) for hint in _SCALAR_HINTS):
        return None
    import inspect
    try:
        names = [p.name for p in inspect.signature(fun).parameters.values()]
    except (TypeError, ValueError) as err:        # (builtins, C callables: no signature)
        errors.handled(err)
        return None
    if len(names) < 2 or names[0] in _TIME_NAMES:
        return None
    name = getattr(fun, "__name__", "fun")
    return errors.bad_type(
        _WHO, "fun(t, y, *args): solve_ivp's order, the time first",
        f"{name}({', '.join(names)}), which failed reading its first argument, "
        f"{names[0]!r}, as an array ({type(exc).__name__}: {exc}): odeint's order, "
        "fun(y, t, *args)",
        f"Swap the order: dg.solve_ivp(lambda t, y, *args: {name}(y, t, *args), ...) "
        "(odeint's default tfirst=False; with odeint's tolerances, rtol=atol=1.49012e-8, "
        "to get its accuracy).")


_CONTROLS = ("first_step", "max_step", "min_step", "rtol", "atol")


def _plain_control(value):
    """A step or tolerance control's value (a dual, or a list / array holding duals)."""
    if isinstance(value, Dual):
        return primal(value)
    return np.array([primal(v) for v in np.asarray(value, dtype=object).ravel()],
                    dtype=float).reshape(np.shape(value))


def _run(fun, t_span, y0, method, t_eval, dense_output, events, vectorized, args, options):
    """:func:`solve_ivp`'s body."""
    from scipy.integrate import solve_ivp as scipy_solve_ivp

    from ._sparsity import traced_solve_ivp
    traced = traced_solve_ivp(scipy_solve_ivp, fun, t_span, y0, method, t_eval,
                              dense_output, events, vectorized, args, options, _events)
    if traced is not None:                # during sparsity detection (sparsity="auto")
        return traced
    call_args = tuple(args) if args is not None else ()
    for name in _CONTROLS:              # the solver's step and tolerance controls steer
        if name in options and list(duals_in([options[name]])):  # it: the solution,
            options[name] = _plain_control(options[name])   # and so its derivative,
    y0 = _state(y0)                                         # is theirs at any value
    t0, tf = t_span                                         # (attack53 05: a dual
    found = list(duals_in([y0, t0, tf, *call_args]))        # first_step crashed)
    if not found:                          # fun may close over duals: SciPy's call until
        #                                    it returns one (at once, if it depends on them)
        found = _float_path(scipy_solve_ivp, fun, t_span, y0, method, t_eval,
                            dense_output, events, vectorized, args, call_args, options)
        if not isinstance(found, list):
            return found
    if list(duals_in([t_eval])):
        raise errors.bad_type(_WHO, "t_eval of plain times", "duals in t_eval",
                              "Pass t_eval's values; only t_span's ends may be duals.")
    nan = False
    for _ in range(_RESTARTS):
        try:
            return _solve(scipy_solve_ivp, fun, t_span, y0, method, t_eval, dense_output,
                          events, call_args, dict(options), levels_of(found), nan)
        except Unseen as seen:             # fun (or an event) read another call's duals
            found = found + seen.duals     # late: again, carrying that call's levels too
        except _NanSources:
            nan = True                     # (again from t0, NaN sources recorded)
    raise _late_duals()         # (attack53 05: the name was the nested solve's)


def _float_path(solve, fun, t_span, y0, method, t_eval, dense_output, events, vectorized,
                args, call_args, options):
    """SciPy's solve of ``fun`` on floats (no dual in ``y0``, ``t_span`` or ``args``;
    ``fun`` may close over duals: its branches on them are watched), or the duals
    ``fun`` returned (a list: the dual path's)."""
    for nan in (False, True):
        watched = _WatchedRhs(fun, call_args)      # (its branches on the duals it
        watched.switches.watch.nan = nan           # closes over watched)
        watched.switches.ends = tuple(float(np.real(v)) for v in t_span)
        watched.switches.resolution = (            # (a steep ramp's width against the
            np.size(y0), max(float(np.min(options.get("rtol", 1e-3))), _RTOL_FLOOR),
            np.broadcast_to(np.asarray(options.get("atol", 1e-6), dtype=float),
                            (np.size(y0),)), 1, 1)     # values' tolerance: _steep)
        saved = errors.watch_branches(watched.switches.watch)
        try:
            return solve(watched, t_span, y0, method=method, t_eval=t_eval,
                         dense_output=dense_output,
                         events=_watched_events(events, watched.switches.watch),
                         vectorized=vectorized, args=args, **options)
        except Derivatives as seen:           # fun's duals came in after t0: again,
            return list(seen.duals)            # with the tangents from the start
        except _NanSources:
            continue                           # (again, NaN sources recorded)
        except Crossed as crossed:             # a jump at a moving place: its term is
            if not crossed.duals:              # the dual path's (_ode_pieces)
                raise crossed.error() from None
            return list(crossed.duals)
        except _Refused as refused:
            raise refused.error from None
        finally:
            errors.unwatch_branches(saved)
    raise AssertionError("unreachable: NaN sources are recorded on the second pass")


def _solve(solve, fun, t_span, y0, method, t_eval, dense_output, events, call_args, options,
           levels, nan=False):
    """:func:`solve_ivp` with the levels (tags and directions) of the calls ``levels``
    (``nan``: the switch watch records NaN sources from the start)."""
    m, (t0, tf) = len(y0), t_span
    asked = options.get("rtol", 1e-3), options.get("atol", 1e-6)
    t0v, tfv, y0v = primal(t0), primal(tf), np.asarray(primal(y0))
    if t_eval is None and events is None and not isinstance(t0, Dual) and \
            not isinstance(tf, Dual):   # a helper's later pass: its first pass's times
        t_eval = _first_times(levels, t0v, tfv)       # (api/_parallel)
    if len(levels) == 1:
        (tag, k), = levels.items()
        system = _Augmented(fun, call_args, tag, m, k)
        size = k + 1
    else:
        system = _Nested(fun, call_args, levels, m)
        size = system.size
    # SciPy's error norm is an RMS over all m * size components: tolerances shrunk by
    # sqrt(size) hold the state alone (and the tangents alone) to the user's own norm,
    # where tangents of directions that barely move would otherwise dilute it (attack29)
    for name, default in (("rtol", 1e-3), ("atol", 1e-6)):
        tol = np.asarray(options.get(name, default), dtype=float)
        if tol.ndim == 1:
            tol = np.concatenate([tol, np.repeat(tol, size - 1)]) if len(levels) == 1 \
                else np.repeat(tol, size)
        tol = tol / np.sqrt(float(size))
        if name == "rtol":              # SciPy's floor, without its "rtol is too low"
            tol = np.maximum(tol, _RTOL_FLOOR)    # warning for the user's own rtol
        options[name] = tol if tol.ndim else float(tol)
    if method in _IMPLICIT:
        for banded in ("lband", "uband"):           # (the system's Newton matrix is ours)
            options.pop(banded, None)
        options["jac"] = _Newton(system, options.get("jac"), options.pop("jac_sparsity", None),
                                 dense=method == "LSODA")
    if events is not None:
        options["events"] = [_Located(e, system, call_args) for e in
                             ([events] if callable(events) else events)]
    system.switches.watch.nan = nan
    system.switches.ends = tuple(float(np.real(v)) for v in (t0, tf) if not isinstance(v, Dual))
    if len(levels) == 1:                # (a loop's tolerance-sized jumps: _negligible)
        system.switches.tolerance = (system.tag, m, system.k, max(float(np.min(asked[0])),
                                     _RTOL_FLOOR), np.broadcast_to(np.asarray(
                                         asked[1], dtype=float), (m,)))
    else:                               # (a smooth step's width against the values')
        system.switches.resolution = (m, max(float(np.min(asked[0])), _RTOL_FLOOR),
                                      np.broadcast_to(np.asarray(asked[1], dtype=float),
                                                      (m,)), system.size, len(levels))
    saved = errors.watch_branches(system.switches.watch)      # (fun's switches)
    try:
        if len(levels) == 1:
            sol = _first_order(solve, system, t0, tf, y0, t0v, tfv, y0v, method, t_eval,
                               dense_output, options)
        else:
            sol = _nested(solve, system, t0, tf, y0, t0v, tfv, method, t_eval,
                          dense_output, options)
        switches = system.switches
        times = primal(sol.t) if t_eval is None else switches.steps
        late = switches.stepped_over(times) if len(levels) == 1 else switches.unsampled()
        if late is None and len(levels) == 1 and switches.kinked:
            late = switches.kinks_stepped_over(times, np.max(np.abs(
                sol.y.partials), axis=1).ravel() if sol.y.partials.size else 0.0)
        if late is not None:
            raise _Refused(late)
    except _Refused as refused:
        raise refused.error from None
    except ValueError as exc:
        # Radau / BDF / LSODA factor Newton's matrix with check_finite: an infinite
        # partial there is SciPy's ValueError where the explicit methods' step control
        # stops (test_ode54's branch points, whose partials are -inf, no longer NaN,
        # since 6327c364 kept a complex product's finite part)
        at = getattr(system, "finite_at", None)
        if "infs or NaNs" not in str(exc) or at is None:
            raise
        sol = _Stopped(np.array([np.real(at[0])]), f"{type(exc).__name__}: {exc}")
        _failed_by_partials(solve, system, (t0v, tfv), primal(y0), method, t_eval, options,
                            asked, sol)
        raise
    finally:
        errors.unwatch_branches(saved)
    if sol.status == -1:
        _failed_by_partials(solve, system, (t0v, tfv), primal(y0), method, t_eval, options,
                            asked, sol)
    if events is not None:
        _event_duals(sol, system, events, t_eval)
    # how far a pass's values may move (api/_parallel): the steps follow its partials,
    # and the local errors of ~nfev steps add up (as a random walk's: sqrt)
    grows = np.sqrt(max(1.0, float(getattr(sol, "nfev", 1))))
    return _settled(sol, levels, np.maximum(asked[0], _RTOL_FLOOR) * grows,
                    np.asarray(asked[1]) * grows)


class _Stopped:
    """Where and why a solve stopped by an exception (for :func:`_failed_by_partials`)."""

    def __init__(self, t, message):
        self.t, self.message = t, message


def _failed_by_partials(solve, system, span, y0, method, t_eval, options, asked, sol):
    """Raise where the augmented solve failed (SciPy's status -1) and fun's values alone
    integrate over the whole span: the derivatives' equations stopped it, a partial
    not finite where a step evaluated it (attack51 21: sqrt(max(t - p, 0)), whose
    infinite slope at t = p is integrable, returned y(p) as the end, its derivative
    0.0).  Where the values fail too, SciPy's failed solution is returned as SciPy
    returns it."""
    plain = {k: v for k, v in options.items() if k not in ("jac", "events")}
    plain["rtol"], plain["atol"] = asked
    with np.errstate(all="ignore"):
        values = solve(system.rate, span, np.asarray(y0, dtype=complex if np.iscomplexobj(
            y0) else float).reshape(-1), method=method, t_eval=t_eval, **plain)
    if values.status != 0:
        return
    raise errors.bad_type(
        _WHO, "the state's derivatives to integrate wherever its values do",
        f"the derivatives' equations stopping the solve at t = "
        f"{float(np.asarray(primal(sol.t))[-1])!r} "
        f"({sol.message}), where fun's values alone integrate to t = {float(span[1])!r}: "
        "a partial of fun that is not finite there (an infinite slope at a place that "
        "moves, as np.sqrt(np.maximum(t - p, 0)) at t = p)",
        "Fix: the derivatives have an integrable singularity there that no step can "
        "take: write the onset smooth (np.sqrt(np.maximum(t - p, 0) + e**2) - e with a "
        "small e), or integrate that term in closed form and add it to the solution.")


def _first_times(levels, t0, tf):
    """The time grid of the first pass's integration that this one will replay (a
    helper that compares its passes: api/_parallel), or None."""
    ref = replayed(_WHO, list(levels))
    if ref is None or len(ref) < 2 or np.ndim(ref[1]) != 1 or not len(ref[1]) or \
            ref[1][0] != t0 or ref[1][-1] != tf:
        return None
    return np.array(ref[1])


def _settled(sol, levels, rtol, atol):
    """``sol``, where a later pass of a helper that compares its passes continues with
    its first pass's values (api/_parallel.adaptive_run): the state and the times, and
    the events where they have the first pass's shapes; a dense output is not replayed
    (f's value gets the tolerance's allowance instead)."""
    tags = list(levels)
    index = {t: i for i, t in enumerate(tags)}
    dims = tuple(1 + k for k in levels.values())
    fields = [sol.y, sol.t] + list(sol.t_events or ()) + list(sol.y_events or ())
    modes = ["match", "exact"] + ["carry"] * (len(fields) - 2)

    def parts():
        return [(expand(a, index, dims), tags, mode) if isinstance(a, Dual) else
                (np.asarray(a), (), mode) for a, mode in zip(fields, modes)]
    replay = adaptive_run(rtol, atol, primal(sol.y), who=_WHO, tags=tags, parts=parts,
                          dense=sol.sol is not None)
    if replay is not None:
        new = [build(C, tags, C.ndim - len(dims)) if isinstance(a, Dual) else C
               for a, C in zip(fields, replay)]
        sol.y, sol.t = new[0], new[1]
        if sol.t_events is not None:
            n = len(sol.t_events)
            sol.t_events, sol.y_events = new[2:2 + n], new[2 + n:]
    return sol


def _first_order(solve, system, t0, tf, y0, t0v, tfv, y0v, method, t_eval, dense_output,
                 options):
    """One call's duals: the state and its tangents, ``[y, Y.ravel()]``."""
    m, k, tag = system.m, system.k, system.tag
    kind = complex if y0v.dtype.kind == "c" else float
    P0 = np.array(y0.partials, dtype=kind) if isinstance(y0, Dual) else \
        np.zeros((m, k), dtype=kind)
    moving = [(i, t) for i, t in ((0, t0), (-1, tf)) if isinstance(t, Dual)]
    if isinstance(t0, Dual):              # y at fixed times: S(t0) = dy0 - f(t0, y0) dt0,
        P0 -= np.outer(system.rate(t0v, y0v), t0.partials)  # f at t0 itself: the side
        #   the solve starts on (a switch a few ulps inside is crossed by it, its term
        #   added there: attack52 17b's 2 [t >= 1.1 p] from p + 0.1 p; ode53)
    z0 = np.concatenate([y0v.astype(kind), P0.ravel()])
    sol = pieces(solve, system, (t0v, tfv), z0, method, t_eval, dense_output, options)
    values, times = sol.y[:m], sol.t
    partials = np.moveaxis(sol.y[m:].reshape(m, k, -1), 1, 2).copy()
    if moving and t_eval is None and len(times):
        dts = np.zeros(times.shape + (k,))
        for i, t in moving:                  # a column at a moving end moves with it
            dts[i] = t.partials
            partials[:, i] += np.outer(system.rate(_inside(times[i], times[-1 - i]),
                                                   values[:, i]), t.partials)
        times = make_array(times, dts, tag)
    sol.y, sol.t = make_array(values, partials, tag), times
    if sol.sol is not None:
        sol.sol = DualOdeSolution(sol.sol, m, k, tag, system.rate)
    return sol


def _inside(t, other):
    """``t`` moved 4 ulps toward ``other``: a moving end's rate ``f(t, y)`` is the one
    the span takes beside it (attack52 15b / 17b: ``np.where(t == p, 0, 1)`` over (0, p)
    took the hole at t = p, and a switch at ``1.1 p`` one ulp inside a start ``p + 0.1
    p`` took the side before it: d/dp 0.0 for 1 and -2.2); a smooth f moves by rounding."""
    t, other = float(np.real(t)), float(np.real(other))
    if t == other:
        return t
    for _ in range(4):
        t = float(np.nextafter(t, other))
    return t


def _nested(solve, system, t0, tf, y0, t0v, tfv, method, t_eval, dense_output, options):
    """Nested calls' duals (a Hessian): every coefficient of the state, ``(m, *dims)``
    raveled, one real system."""
    m, dims, tags, index = system.m, system.dims, system.tags, system.index
    order = len(tags)
    start = y0
    if isinstance(t0, Dual):              # the state at t0's value, from y0 at t0 itself
        start = flow(system.rhs, t0, y0, t0v - t0, order)
    z0 = expand(start, index, dims).ravel()
    sol = solve(system, (t0v, tfv), z0, method=method, t_eval=t_eval,
                dense_output=dense_output, **options)
    nt = len(sol.t)
    Y = np.moveaxis(sol.y.reshape((m,) + dims + (nt,)), -1, 1).copy()    # (m, nt, *dims)
    if t_eval is None and nt and (isinstance(t0, Dual) or isinstance(tf, Dual)):
        T = expand(sol.t, index, dims)
        if isinstance(t0, Dual):
            Y[:, 0], T[0] = expand(y0, index, dims), expand(t0, index, dims)
        if isinstance(tf, Dual) and sol.status == 0:    # the end reached moves with tf
            end = flow(system.rhs, tfv, build(Y[:, -1], tags, 1), tf - tfv, order)
            Y[:, -1], T[-1] = expand(end, index, dims), expand(tf, index, dims)
        sol.t = build(T, tags, 1)
    sol.y = build(Y, tags, 2)
    if sol.sol is not None:
        sol.sol = NestedOdeSolution(sol.sol, system)
    return sol


class _Located:
    """An event function on the values of the augmented state, for SciPy to locate."""

    def __init__(self, event, system, args):
        self.event, self.system, self.args = event, system, args
        _event_attributes(self, event)

    def __call__(self, t, z):
        return primal(self.event(t, self.system.values(z), *self.args))


def _event_duals(sol, system, events, t_eval):
    """``sol.t_events`` and ``sol.y_events`` as duals (the implicit function theorem at
    each event SciPy found), and the terminal event's column of ``sol.t`` and ``sol.y``."""
    index, dims, tags, m = system.index, system.dims, system.tags, system.m
    args = system.args
    last, end = None, np.asarray(primal(sol.t))[-1] if len(sol.t) else None
    t_events, y_events = [], []
    for event, times, states in zip([events] if callable(events) else events,
                                    sol.t_events, sol.y_events):
        def g(t, y, event=event):
            return event(t, y, *args)
        ts, ys = [], []
        for t, z in zip(times, states):
            te, ye = event_time(system.rhs, g, float(t), system.dual(np.array(z)),
                                len(tags))
            ts.append(expand(te, index, dims))
            ys.append(expand(ye, index, dims))
            if t == end:
                last = (ts[-1], ys[-1])
        t_events.append(build(np.reshape(ts, (len(ts),) + dims), tags, 1))
        y_events.append(build(np.reshape(ys, (len(ys), m) + dims), tags, 2))
    sol.t_events, sol.y_events = t_events, y_events
    if sol.status == 1 and t_eval is None and last is not None:
        T, Y = expand(sol.t, index, dims), expand(sol.y, index, dims)
        T[-1], Y[:, -1] = last
        sol.t, sol.y = build(T, tags, 1), build(Y, tags, 2)
