"""The slicing heat equation of bench/problems.py (in-place interior update) and its
forward sensitivity written by hand: an oracle independent of dualgrad, shared by the
fused engine's tests; and partials with every special number, for its kernels' bit tests."""

import numpy as np


def heat(p, n=3000, steps=30, dt=0.01):
    """u after ``steps`` in-place steps of the heat equation with a logistic source."""
    kappa, amp, width, rate = p[0], p[1], p[2], p[3]
    s = np.linspace(0.0, 1.0, n)
    u = amp * np.exp(-((s - 0.5) / width) ** 2)
    for _ in range(steps):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        u[1:-1] += kappa * lap + dt * rate * u[1:-1] * (1.0 - u[1:-1])
    return u


def heat_tangent(p, n=3000, steps=30, dt=0.01):
    """The hand-written forward sensitivity of ``heat``."""
    kappa, amp, width, rate = p
    s = np.linspace(0.0, 1.0, n)
    g = np.exp(-((s - 0.5) / width) ** 2)
    u = amp * g
    S = np.zeros((n, 4))
    S[:, 1] = g
    S[:, 2] = amp * g * 2 * (s - 0.5) ** 2 / width ** 3
    for _ in range(steps):
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]
        dlap = S[2:] - 2.0 * S[1:-1] + S[:-2]
        mid = u[1:-1]
        dS = kappa * dlap + (dt * rate * (1.0 - 2.0 * mid))[:, None] * S[1:-1]
        dS[:, 0] += lap
        dS[:, 3] += dt * mid * (1.0 - mid)
        u[1:-1] += kappa * lap + dt * rate * mid * (1.0 - mid)
        S[1:-1] += dS
    return S


def special_partials(shape, seed):
    """Partials with -0.0, +0.0, inf, NaN, subnormals, huge and ordinary numbers."""
    rng = np.random.default_rng(seed)
    p = rng.standard_normal(shape)
    flat = p.reshape(-1)
    picks = rng.choice(flat.size, size=min(flat.size, 40), replace=False)
    specials = [-0.0, 0.0, np.inf, -np.inf, np.nan, 5e-324, -2e-310, 1e308, -1e308]
    flat[picks] = [specials[k % len(specials)] for k in range(picks.size)]
    return p
