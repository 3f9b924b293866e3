"""heat53: the fused engine's pending list stays short where a loop keeps its states.

Each deferred operation appends a weak reference to the pending list; past 256
entries it was pruned of dead references only, at every append.  A loop that keeps
its states (``ys.append(y)``) holds one live entry a step (each ``y`` computed as a
later step's graph is), so every deferred operation walked the whole list: O(steps)
a step.  Now computed entries go too, and a prune waits until the list doubles.
Oracles: the explicit Euler recurrence's forward sensitivities written by hand.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused

P = np.array([0.5, 0.1, 1.3])
DT = 0.001


def _euler(p, n, steps, keep, seen=None):
    y = p[0] * np.linspace(0.0, 1.0, n) + p[1]
    ys = [y]
    for _ in range(steps):
        y = y + DT * (p[2] * y * (1.0 - y))
        if keep:
            ys.append(y)
    if seen is not None:
        seen.append(len(_fused.PENDING))
    return np.concatenate([ys[0], ys[len(ys) // 2], y]) if keep else y


def _euler_tangent(p, n, steps):
    """The states at 0, steps // 2 and steps and their derivatives in p, by hand."""
    s = np.linspace(0.0, 1.0, n)
    y = p[0] * s + p[1]
    dy = np.stack([s, np.ones(n), np.zeros(n)], axis=1)
    keep = {0: (y.copy(), dy.copy())}
    for k in range(1, steps + 1):
        g = p[2] * y * (1.0 - y)
        dg_dy = p[2] * (1.0 - 2.0 * y)
        dnew = dy + DT * dg_dy[:, None] * dy
        dnew[:, 2] += DT * y * (1.0 - y)
        y, dy = y + DT * g, dnew
        keep[k] = (y.copy(), dy.copy())
    picks = [0, (steps + 1) // 2, steps]
    return (np.concatenate([keep[k][0] for k in picks]),
            np.concatenate([keep[k][1] for k in picks]))


@pytest.mark.parametrize("engine", ["fused", "auto"])
@pytest.mark.engine_independent
def test_kept_states_leave_the_pending_list(engine):
    n, steps = (40, 900) if engine == "fused" else (6000, 600)
    seen = []
    with dg.engine(engine):
        J = dg.jacobian(lambda p: _euler(p, n, steps, True, seen), P)
    value = _euler(P.copy(), n, steps, True)
    want_value, want = _euler_tangent(P, n, steps)
    assert np.allclose(value, want_value, rtol=1e-13, atol=0.0)
    scale = np.abs(want).max(axis=0)
    assert np.all(np.abs(J - want) <= 1e-11 * scale)
    # 2,000-odd states held alive, each computed: the list holds at most one prune's
    # threshold of entries (before: one live entry a step, walked at every append)
    assert seen and max(seen) <= 257, seen
    assert _fused._PRUNE_AT[0] == 256           # the outermost call's end resets it


def test_pending_kept_alive_prunes_amortized(monkeypatch):
    """2,000 genuinely pending duals held alive: each prune walks the list, so the
    number of prunes must grow with the list's doubling, not with every append."""
    prunes = []
    real = _fused._prune

    def counted():
        prunes.append(len(_fused.PENDING))
        real()
    monkeypatch.setattr(_fused, "_prune", counted)
    n, count = 50, 2000

    def f(p):
        u = p[0] * np.linspace(0.0, 1.0, n) + p[1]
        held = [float(k % 7) * u for k in range(count)]
        assert len(_fused.PENDING) >= count              # all still to compute
        return sum(held[::97]) + held[-1]
    with dg.engine("fused"):
        J = dg.jacobian(f, P[:2])
    s = np.linspace(0.0, 1.0, n)
    c = sum(float(k % 7) for k in range(0, count, 97)) + float((count - 1) % 7)
    assert np.allclose(J, np.stack([c * s, np.full(n, c)], axis=1), rtol=1e-14, atol=0.0)
    assert 1 <= len(prunes) <= 5, prunes         # 257, 513, 1025, 2049 entries


def test_flush_still_computes_what_a_prune_kept():
    """Entries a prune keeps (pending) are computed by the end of the call; those it
    dropped (computed) keep their arrays: a read after the call gives them."""
    n = 30
    out = []

    def f(p):
        y = p[0] * np.linspace(0.0, 1.0, n) + p[1]
        for _ in range(400):
            y = y + DT * (p[2] * y * (1.0 - y))
            out.append(y)
        return y
    with dg.engine("fused"):
        J = dg.jacobian(f, P)
    _, want = _euler_tangent(P, n, 400)
    assert np.all(np.abs(J - want[-n:]) <= 1e-11 * np.abs(want[-n:]).max(axis=0))
    assert not _fused.PENDING
