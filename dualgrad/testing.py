"""Independent derivative oracles and a corpus of example functions.

The oracles never touch dual numbers: high-order central differences (any
real ``f``) and the complex step (analytic ``f``).  Tests and bench/ share them.

Examples
--------
>>> import numpy as np
>>> from dualgrad.testing import central_difference
>>> d = central_difference(np.sin, 0.5)
>>> bool(abs(d - np.cos(0.5)) < 1e-11)
True
"""

import numpy as np

__all__ = ["central_difference", "second_difference", "complex_step",
           "directional_difference", "numerical_jacobian", "lotka_volterra", "pendulum",
           "robertson"]

# 8th-order central stencils: offsets 1..4 and their weights
_D1 = (4 / 5, -1 / 5, 4 / 105, -1 / 280)
_D2 = (8 / 5, -1 / 5, 8 / 315, -1 / 560)
_D2_CENTER = -205 / 72


def _step(x, h):
    return h * max(1.0, float(np.max(np.abs(x)))) if np.size(x) else h


def _inexact(value):
    """``value`` as a float array, or a complex one when it is complex (a complex
    valued ``f`` of real arguments, ``scipy.special.wofz``: its imaginary part kept)."""
    value = np.asarray(value)
    return value if value.dtype.kind == "c" else value.astype(float)


def directional_difference(f, x, v, h=1e-3):
    """``d/dt f(x + t v)`` at ``t = 0`` by an 8th-order central difference.

    ``x`` and ``v`` may be tuples (one entry per argument of ``f``); a complex valued
    ``f`` gives the complex derivative.
    """
    many = isinstance(x, tuple)
    xs = x if many else (x,)
    vs = v if many else (v,)
    xs = tuple(np.asarray(a) for a in xs)
    vs = tuple(np.asarray(a, dtype=float) for a in vs)
    step = h * max(1.0, max(float(np.max(np.abs(a))) if np.size(a) else 0.0 for a in xs))

    def at(t):
        return _inexact(f(*(a + t * b if np.any(b) else a for a, b in zip(xs, vs))))

    total = 0.0
    for k, w in enumerate(_D1, start=1):
        total = total + w * (at(k * step) - at(-k * step))
    return total / step


def central_difference(f, x, h=1e-3):
    """Derivative of ``f`` with respect to scalar ``x`` (8th order)."""
    return directional_difference(f, float(x), 1.0, h)


def second_difference(f, x, h=1e-2):
    """Second derivative of ``f`` with respect to scalar ``x`` (8th order)."""
    x = float(x)
    step = _step(x, h)
    total = _D2_CENTER * _inexact(f(x))
    for k, w in enumerate(_D2, start=1):
        total = total + w * (np.asarray(f(x + k * step)) + np.asarray(f(x - k * step)))
    return total / step ** 2


def complex_step(f, x, h=1e-30):
    """Jacobian of an analytic ``f`` by the complex step, exact to rounding.

    Returns shape ``f(x).shape + x.shape``.
    """
    x = np.asarray(x, dtype=float)
    columns = []
    for i in range(x.size):
        xc = x.astype(complex).reshape(-1)
        xc[i] += 1j * h
        columns.append(np.imag(np.asarray(f(xc.reshape(x.shape)))) / h)
    return np.moveaxis(np.array(columns), 0, -1).reshape(np.shape(columns[0]) + x.shape)


def numerical_jacobian(f, x, h=1e-3):
    """Jacobian of ``f`` by 8th-order central differences, shape ``f(x).shape + x.shape``."""
    x = np.asarray(x, dtype=float)
    columns = []
    for i in range(x.size):
        v = np.zeros(x.size)
        v[i] = 1.0
        columns.append(directional_difference(f, x, v.reshape(x.shape), h))
    return np.moveaxis(np.array(columns), 0, -1).reshape(np.shape(columns[0]) + x.shape)


# ---- the corpus: example functions shared by tests and bench/ -----------------------------
def lotka_volterra(p, steps=1000, h=0.005):
    """Final state of a Lotka-Volterra RK4 loop written with scalar arithmetic.

    ``p`` holds the 4 parameters ``(a, b, c, d)``; arithmetic only, so the same
    code runs on floats, duals, complex numbers (the complex step) and, decorated
    with ``numba.njit``, as jitted code.
    """
    a, b, c, d = p[0], p[1], p[2], p[3]
    x, y = 10.0, 5.0
    for _ in range(steps):
        k1x, k1y = a * x - b * x * y, c * x * y - d * y
        x2, y2 = x + 0.5 * h * k1x, y + 0.5 * h * k1y
        k2x, k2y = a * x2 - b * x2 * y2, c * x2 * y2 - d * y2
        x3, y3 = x + 0.5 * h * k2x, y + 0.5 * h * k2y
        k3x, k3y = a * x3 - b * x3 * y3, c * x3 * y3 - d * y3
        x4, y4 = x + h * k3x, y + h * k3y
        k4x, k4y = a * x4 - b * x4 * y4, c * x4 * y4 - d * y4
        x = x + h / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        y = y + h / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)
    return np.array([x, y])


def pendulum(p, steps=200, h=0.01):
    """Final ``(theta, omega)`` of a damped pendulum, RK4 with ``np.sin``.

    ``p = (g / L, damping, theta0, omega0)``.  Written with NumPy functions on
    scalars, the way code that must also run on duals is written (``math.sin``
    cannot take them).
    """
    k, c, theta, omega = p[0], p[1], p[2], p[3]
    for _ in range(steps):
        a1 = -k * np.sin(theta) - c * omega
        t2, w2 = theta + 0.5 * h * omega, omega + 0.5 * h * a1
        a2 = -k * np.sin(t2) - c * w2
        t3, w3 = theta + 0.5 * h * w2, omega + 0.5 * h * a2
        a3 = -k * np.sin(t3) - c * w3
        t4, w4 = theta + h * w3, omega + h * a3
        a4 = -k * np.sin(t4) - c * w4
        theta = theta + h / 6.0 * (omega + 2.0 * w2 + 2.0 * w3 + w4)
        omega = omega + h / 6.0 * (a1 + 2.0 * a2 + 2.0 * a3 + a4)
    return np.array([theta, omega])


def robertson(t, y, k1=0.04, k2=3e7, k3=1e4):
    """Right-hand side of the stiff Robertson chemical kinetics, ``solve_ivp`` style."""
    y1, y2, y3 = y
    return np.array([-k1 * y1 + k3 * y2 * y3,
                     k1 * y1 - k2 * y2 ** 2 - k3 * y2 * y3,
                     k2 * y2 ** 2])
