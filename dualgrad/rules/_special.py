"""Special functions the rule table computes itself: the trigamma and tetragamma
functions.

``scipy.special.psi``'s derivative was ``sc.zeta(2.0, x)``, SciPy's Hurwitz zeta at
~350 ns an element, 26 times psi's own call (bench/MISSES.md, stop 26).  The table
now writes it ``trigamma(x)``, computed here by one method in two forms that give the
same bits (``tests/test_special.py`` holds them to that and to mpmath):

* :func:`trigamma` on one float, in plain Python arithmetic and ``math``: the scalar
  twin on Python floats (:data:`dualgrad.rules._expr.SCALAR_NAMESPACE`), and the body
  of the numba kernel over arrays (``dualgrad.backend._numba_kernels.trigamma``);
* :func:`trigamma_array` on a float64 ndarray with NumPy's ufuncs, the same
  operations in the same order, while numba is not loaded.

The method: for ``x > 0``, the recurrence ``psi1(x) = 1 / x**2 + psi1(x + 1)`` up to
``z = x + k >= 10``, then the asymptotic series ``psi1(z) ~ 1/z + 1/(2 z**2) +
sum B_2k / z**(2k + 1)`` through ``B_18`` (its next term is below 1e-17 of the sum
from ``z = 10``); for ``x <= 0``, the reflection ``psi1(x) = pi**2 / sin(pi x)**2 -
psi1(1 - x)`` with ``sin(pi x)**2`` taken at ``r = x - round(x)`` (exact: no
rounding of ``pi x`` at large ``|x|``); the poles ``x = 0, -1, -2, ...`` (and
``-inf``) give ``inf`` as SciPy's zeta and polygamma do, ``+inf`` gives 0, NaN NaN.

The tetragamma function ``psi2 = polygamma(2, x) = -2 zeta(3, x)``, trigamma's
derivative (a Hessian of psi), was SciPy's ``zeta(3, x)`` through zeta's own rule: its
time grew with ``|x|`` for negative ``x`` (47 s CPU at -1e9 - 0.5) and it was wrong at
large negative half-integers (1.5e-3 relative at -1e6 - 0.5, 200 times the value at
-1e9 - 0.5; bench/psi_hessian.py ``--nested``, after the outside attack of stop 34).  :func:`tetragamma` and :func:`tetragamma_array` are the
same method differentiated: ``psi2(x) = -2 / x**3 + psi2(x + 1)``, the series
``psi2(z) ~ -1/z**2 - 1/z**3 - sum (2k + 1) B_2k / z**(2k + 2)`` through ``B_20``
(the next term is below 2e-17 of the sum from ``z = 10``) and, for ``x <= 0``, the
reflection ``psi2(x) = psi2(1 - x) - 2 pi**3 cos(pi x) / sin(pi x)**3``.  There
``cos(pi x) / sin(pi x)**3`` has period 1, so it is taken at ``r = x - round(x)``,
and ``cos(pi r)`` as ``sin(pi (1/2 - |r|))`` (``1/2 - |r|`` is exact for ``|r| >=
1/4``): ``math.cos(pi r)`` at ``r = 1/2`` is 6e-17, not 0, and that times ``2 pi**3``
would be all of ``psi2(-1e6 - 0.5) ~ -1e-12``.  The poles give ``-inf`` (SciPy's
``-2 zeta(3, x)`` there), ``+inf`` gives -0, NaN NaN.

This module imports nothing of dualgrad's (numba compiles :func:`trigamma` as it is).
"""

import math

import numpy as np

__all__ = ["trigamma", "trigamma_array", "tetragamma", "tetragamma_array", "ASYMPTOTIC_FROM"]

ASYMPTOTIC_FROM = 10.0          # the recurrence runs until x + k reaches this
_PI2 = 9.869604401089358        # pi ** 2 rounded

# Bernoulli numbers B_2 .. B_18
_B2, _B4, _B6, _B8 = 1.0 / 6.0, -1.0 / 30.0, 1.0 / 42.0, -1.0 / 30.0
_B10, _B12, _B14 = 5.0 / 66.0, -691.0 / 2730.0, 7.0 / 6.0
_B16, _B18 = -3617.0 / 510.0, 43867.0 / 798.0
# tetragamma's series coefficients (2k + 1) B_2k, k = 1 .. 10
_C2, _C4, _C6, _C8, _C10 = 0.5, -1.0 / 6.0, 1.0 / 6.0, -0.3, 5.0 / 6.0
_C12, _C14, _C16 = -691.0 / 210.0, 17.5, -3617.0 / 30.0
_C18, _C20 = 43867.0 / 42.0, -1222277.0 / 110.0
_2PI3 = 62.01255336059964       # 2 pi ** 3 rounded


def trigamma(x):
    """The trigamma function ``psi'(x) = zeta(2, x)`` of one float.

    On Python floats it raises ``ZeroDivisionError`` (at a pole, or where ``x * x``
    underflows) or ``OverflowError`` (``math.floor(-inf)``) where the value is
    infinite: the scalar duals then take the array path (the scalar twins' contract).
    Compiled by numba (``error_model="numpy"``) it gives ``inf`` there instead.  One
    function, no helpers: numba compiles it as the body of its kernel.
    """
    y = x
    if x <= 0.0:
        if x == math.floor(x):
            return math.inf             # a pole (numba reaches this at -inf too)
        y = 1.0 - x
    s = 0.0                             # the recurrence: psi1(y) = 1 / y**2 + psi1(y + 1)
    z = y
    k = 0.0
    while z < ASYMPTOTIC_FROM:
        s += 1.0 / (z * z)
        k += 1.0
        z = y + k
    t = 1.0 / z                         # the series at z >= 10, Horner's rule in 1 / z
    t2 = t * t
    tail = _B14 + t2 * (_B16 + t2 * _B18)
    tail = _B6 + t2 * (_B8 + t2 * (_B10 + t2 * (_B12 + t2 * tail)))
    psi1 = s + t * (1.0 + t * (0.5 + t * (_B2 + t2 * (_B4 + t2 * tail))))
    if x <= 0.0:                        # the reflection, sin(pi x)**2 at r = x - round(x)
        r = x - math.floor(x + 0.5)     # (exact: |r| <= 1/2)
        sn = math.sin(math.pi * r)
        return _PI2 / (sn * sn) - psi1
    return psi1


def trigamma_array(x):
    """:func:`trigamma` of every element of the float64 ndarray ``x``, with NumPy's
    ufuncs (a pass per operation, ~10 recurrence steps at most for ``x`` in
    ``(-9, 10)``): the same operations in the same order, so the same bits."""
    with np.errstate(all="ignore"):
        negative = x <= 0.0
        y = np.where(negative, 1.0 - x, x)
        s = np.zeros(x.shape)
        z = y
        k = 0.0
        active = z < ASYMPTOTIC_FROM
        while active.any():
            s += np.where(active, 1.0 / (z * z), 0.0)   # s + 0.0 is s: s >= +0
            k += 1.0
            z = np.where(active, y + k, z)
            active = z < ASYMPTOTIC_FROM
        t = 1.0 / z
        t2 = t * t
        tail = _B14 + t2 * (_B16 + t2 * _B18)
        tail = _B6 + t2 * (_B8 + t2 * (_B10 + t2 * (_B12 + t2 * tail)))
        psi1 = s + t * (1.0 + t * (0.5 + t * (_B2 + t2 * (_B4 + t2 * tail))))
        if not negative.any():
            return psi1
        r = x - np.floor(x + 0.5)
        sn = np.sin(np.pi * r)
        reflected = _PI2 / (sn * sn) - psi1
        return np.where(negative, np.where(x == np.floor(x), np.inf, reflected), psi1)


def tetragamma(x):
    """The tetragamma function ``psi''(x) = polygamma(2, x) = -2 zeta(3, x)`` of one
    float: trigamma's derivative, by the method of :func:`trigamma` (the module
    docstring).  On Python floats it raises ``ZeroDivisionError`` where a cube
    underflows to 0 (``|x| < ~1e-108``, where the value is infinite) or
    ``OverflowError`` (``math.floor(-inf)``); the poles return ``-inf``.  One
    function, no helpers: numba compiles it as the body of its kernel.
    """
    y = x
    if x <= 0.0:
        if x == math.floor(x):
            return -math.inf            # a pole (numba reaches this at -inf too)
        y = 1.0 - x
    s = -0.0                            # the recurrence: psi2(y) = -2 / y**3 + psi2(y + 1)
                                        # (-0: psi2(+inf) is -0, as SciPy's)
    z = y
    k = 0.0
    while z < ASYMPTOTIC_FROM:
        s -= 2.0 / (z * z * z)
        k += 1.0
        z = y + k
    t = 1.0 / z                         # the series at z >= 10, Horner's rule in 1 / z
    t2 = t * t
    tail = _C12 + t2 * (_C14 + t2 * (_C16 + t2 * (_C18 + t2 * _C20)))
    tail = _C2 + t2 * (_C4 + t2 * (_C6 + t2 * (_C8 + t2 * (_C10 + t2 * tail))))
    psi2 = s - t2 * (1.0 + t * (1.0 + t * tail))
    if x <= 0.0:                        # the reflection at r = x - round(x) (exact)
        r = x - math.floor(x + 0.5)
        sn = math.sin(math.pi * r)
        cs = math.sin(math.pi * (0.5 - abs(r)))     # cos(pi r), 0 at |r| = 1/2
        return psi2 - _2PI3 * cs / (sn * sn * sn)
    return psi2


def tetragamma_array(x):
    """:func:`tetragamma` of every element of the float64 ndarray ``x`` with NumPy's
    ufuncs, the same operations in the same order (the same bits)."""
    with np.errstate(all="ignore"):
        negative = x <= 0.0
        y = np.where(negative, 1.0 - x, x)
        s = np.full(x.shape, -0.0)
        z = y
        k = 0.0
        active = z < ASYMPTOTIC_FROM
        while active.any():
            s -= np.where(active, 2.0 / (z * z * z), 0.0)   # s - 0.0 is s, -0 too
            k += 1.0
            z = np.where(active, y + k, z)
            active = z < ASYMPTOTIC_FROM
        t = 1.0 / z
        t2 = t * t
        tail = _C12 + t2 * (_C14 + t2 * (_C16 + t2 * (_C18 + t2 * _C20)))
        tail = _C2 + t2 * (_C4 + t2 * (_C6 + t2 * (_C8 + t2 * (_C10 + t2 * tail))))
        psi2 = s - t2 * (1.0 + t * (1.0 + t * tail))
        if not negative.any():
            return psi2
        r = x - np.floor(x + 0.5)
        sn = np.sin(np.pi * r)
        cs = np.sin(np.pi * (0.5 - np.abs(r)))
        reflected = psi2 - _2PI3 * cs / (sn * sn * sn)
        return np.where(negative, np.where(x == np.floor(x), -np.inf, reflected), psi2)
