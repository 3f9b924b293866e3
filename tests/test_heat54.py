"""heat54: ``np.roll`` and ``np.diff`` of a 1-D dual whose partials the fused engine
defers take the lean path (``dual._views.roll`` / ``diff``): the value by NumPy's
copies / NumPy's ``np.diff``, the partials by the same deferred rows as the general
path, without the dispatch.

Oracles: closed-form derivatives (``u = a sin(b s) + c s^2 + d``), the heat steps'
forward sensitivities written by hand here, and NumPy's own values and errors.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused
from dualgrad.dual import _array

N = 6000                      # x 4 directions: past the fused engine's MIN_WORK
P = np.array([0.7, 3.1, 0.4, -0.2])


def _u(p, s):
    return p[0] * np.sin(p[1] * s) + p[2] * s ** 2 + p[3]


def _u_and_tangent(p, s):
    """u and du/dp (N x 4), by hand."""
    u = p[0] * np.sin(p[1] * s) + p[2] * s ** 2 + p[3]
    du = np.stack([np.sin(p[1] * s), p[0] * s * np.cos(p[1] * s), s ** 2, np.ones_like(s)],
                  axis=1)
    return u, du


def _close(got, want, tol=1e-12):
    scale = max(1.0, float(np.max(np.abs(want))))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=tol * scale)


@pytest.fixture(params=["fused", "auto"])
def engine(request):
    with dg.engine(request.param):
        yield request.param


class _NoDispatch(Exception):
    pass


@pytest.fixture
def no_dispatch(monkeypatch):
    """The general NumPy-function dispatch raises: what runs is the lean path."""
    def refuse(func, args, kwargs, like=None):
        raise _NoDispatch(func.__name__)
    monkeypatch.setattr(_array, "dispatch", refuse)


@pytest.mark.parametrize("shift", [1, -1, 0, 7, -N + 3, 3 * N + 5, (1 << 70) + 1])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_roll_of_a_pending_dual_against_its_closed_form(engine, shift, axis):
    s = np.linspace(0.0, 1.0, N)
    seen = []

    def f(p):
        u = _u(p, s) * 1.0                     # pending partials
        r = np.roll(u, shift) if axis is None else np.roll(u, shift, axis=axis)
        seen.append(np.array_equal(r.value, np.roll(u.value, shift)))
        return r * u
    u, du = _u_and_tangent(P, s)
    ru, rdu = np.roll(u, shift), np.roll(du, shift, axis=0)
    _close(dg.jacobian(f, P), rdu * u[:, None] + ru[:, None] * du)
    assert seen == [True]


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_diff_of_a_pending_dual_against_its_closed_form(engine, order):
    s = np.linspace(0.0, 1.0, N)
    seen = []

    def f(p):
        u = _u(p, s) * 1.0
        d = np.diff(u, order)
        seen.append(np.array_equal(d.value, np.diff(u.value, order)))
        return d * 3.0
    u, du = _u_and_tangent(P, s)
    _close(dg.jacobian(f, P), 3.0 * np.diff(du, order, axis=0), 1e-11)
    assert seen == [True]


def test_roll_and_diff_skip_the_dispatch_under_the_fused_engine(no_dispatch):
    """The lean path itself (the general dispatch refuses here): on the code before
    this stop every np.roll / np.diff of a dual went through it."""
    s = np.linspace(0.0, 1.0, N)

    def f(p):
        u = _u(p, s) * 1.0
        return np.roll(u, 5) + np.diff(np.roll(u, -2), 2, prepend=np._NoValue)[0] * 0.0 + \
            np.roll(u, -1, axis=0)
    u, du = _u_and_tangent(P, s)
    with dg.engine("fused"):
        got = dg.jacobian(f, P)
    _close(got, np.roll(du, 5, axis=0) + np.roll(du, -1, axis=0))


@pytest.mark.parametrize("call", [
    lambda u: np.roll(u, np.int64(2)),                    # a NumPy integer shift
    lambda u: np.roll(u, (1,), axis=(0,)),                # tuples
    lambda u: np.diff(u, 2, prepend=u[:1]),               # prepend
    lambda u: np.diff(u, 0),                              # order 0
    lambda u: np.diff(u, 5),                              # order past the deferred one
    lambda u: np.roll(u.reshape(2, N // 2), 3, axis=1),   # 2-D
])
def test_the_other_forms_still_go_the_general_way(no_dispatch, call):
    s = np.linspace(0.0, 1.0, N)
    with dg.engine("fused"), pytest.raises(_NoDispatch):
        dg.jacobian(lambda p: call(_u(p, s) * 1.0), P)


@pytest.mark.parametrize("call", [lambda u: np.diff(u, -1),
                                  lambda u: np.roll(u, 1, axis=1), lambda u: np.diff(u, 1, 1)])
def test_numpy_errors_stay_numpys(engine, call):
    s = np.linspace(0.0, 1.0, N)
    with pytest.raises(Exception) as plain:
        call(_u(P, s))
    with pytest.raises(type(plain.value)):
        dg.jacobian(lambda p: call(_u(p, s) * 1.0), P)


def test_a_write_after_the_roll_computes_it_first(engine):
    """The deferred roll reads u's partials: a write into u materializes it first."""
    s = np.linspace(0.0, 1.0, N)

    def f(p):
        u = _u(p, s) * 1.0
        r = np.roll(u, 4)
        u[:] = 0.5 * u[:]                     # u written while r is pending
        return r + u
    u, du = _u_and_tangent(P, s)
    _close(dg.jacobian(f, P), np.roll(du, 4, axis=0) + 0.5 * du)


def _heat_roll(p, n, steps, dt=0.01):
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    for _ in range(steps):
        lap = np.roll(u, -1) - 2.0 * u + np.roll(u, 1)
        u = u + inner * (kappa * lap + dt * rate * u * (1.0 - u))
    return u


def _heat_diff(p, n, steps, dt=0.01):
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        mid = u[1:-1]
        mid = mid + kappa * np.diff(u, 2) + dt * rate * mid * (1.0 - mid)
        u = np.concatenate([u[:1], mid, u[-1:]])
    return u


def _heat_tangent(p, n, steps, dt=0.01):
    """Both forms' state and its derivatives in (kappa, amp, width, rate), by hand."""
    kappa, amp, width, rate = p
    s = np.linspace(0.0, 1.0, n)
    g = np.exp(-((s - 0.5) / width) ** 2)
    u = amp * g
    du = np.zeros((n, 4))
    du[:, 1] = g
    du[:, 2] = amp * g * 2.0 * (s - 0.5) ** 2 / width ** 3
    inner = np.ones(n)
    inner[[0, -1]] = 0.0
    for _ in range(steps):
        lap = np.zeros(n)
        lap[1:-1] = u[2:] - 2.0 * u[1:-1] + u[:-2]
        dlap = np.zeros((n, 4))
        dlap[1:-1] = du[2:] - 2.0 * du[1:-1] + du[:-2]
        react = dt * rate * u * (1.0 - u)
        dnew = kappa * dlap + (dt * rate * (1.0 - 2.0 * u))[:, None] * du
        dnew[:, 0] += lap
        dnew[:, 3] += dt * u * (1.0 - u)
        u = u + inner * (kappa * lap + react)
        du = du + inner[:, None] * dnew
    return u, du


@pytest.mark.parametrize("form", [_heat_roll, _heat_diff])
def test_heat_forms_against_their_hand_tangent(engine, form):
    p = np.array([0.2, 0.8, 0.1, 1.5])
    n, steps = 5000, 30
    u, du = _heat_tangent(p, n, steps)
    np.testing.assert_allclose(form(p, n, steps), u, rtol=1e-13, atol=1e-15)
    scale = np.max(np.abs(du), axis=0)
    got = dg.jacobian(lambda q: form(q, n, steps), p)
    assert np.all(np.abs(got - du) <= 1e-11 * scale)
    assert not _fused.PENDING or all(r() is None or not _fused._pending(r().node)
                                     for r in _fused.PENDING)
