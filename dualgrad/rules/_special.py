"""Special functions the rule table computes itself: the trigamma and tetragamma
functions, and the digamma function for numba code (:func:`digamma`).

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

__all__ = ["digamma", "trigamma", "trigamma_array", "tetragamma", "tetragamma_array",
           "psi_difference_array", "carlson_rd_steps", "carlson_rd_duplication",
           "ASYMPTOTIC_FROM"]

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


# digamma's positive root x0 as hi + lo, and its Taylor coefficients there, highest first:
# psi(x0 + h) = sum_n (-1)**(n + 1) zeta(n + 1, x0) h**n, n = 1 .. 23 (mpmath, 50 digits;
# the next term is below 2e-18 at |h| = 1/4)
_ROOT_HI, _ROOT_LO = 1.4616321449683622, 9.549995429965697e-17
_ROOT_SERIES = (
    0.0001106337276874741, -0.00016170622091974803, 0.00023635601564027053,
    -0.0003454680251063077, 0.000504953265834602, -0.0007380709389960052,
    0.0010788252019162967, -0.0015769367714301972, 0.002305126326734928,
    -0.003369801655439328, 0.004926781395729853, -0.007204534386356869,
    0.010538791616612175, -0.01542476590494896, 0.022597648232218104,
    -0.03316112647484736, 0.04880428816414311, -0.07219956125645471,
    0.10782405069126237, -0.16394270544240652, 0.258499760955651,
    -0.4427631689835921, 0.9676722454476212,
)


def digamma(x):
    """The digamma function ``psi(x) = d/dx log|Gamma(x)|`` of one float, for numba code:
    the table's ``sc.digamma`` as users' jitted code spells it (the derivatives of
    ``math.gamma`` and ``math.lgamma`` on duals, ``dualgrad.jit._derivatives``), where
    numba cannot call SciPy.

    trigamma's method: for ``x > 0`` the recurrence ``psi(x) = psi(x + 1) - 1 / x`` up
    to ``z >= 10``, then ``psi(z) ~ log z - 1/(2 z) - sum B_2k / (2k z**(2k))`` through
    ``B_18``; for ``x < 0`` the reflection ``psi(x) = psi(1 - x) - pi cot(pi r)`` at
    ``r = x - round(x)`` (``cot`` has period pi; ``cot(pi |r|)`` as ``tan(pi (1/2 - |r|))``
    for ``|r| >= 1/4``, exactly 0 at the half-integers).  SciPy's values at the poles: ``-inf``
    at +0.0, ``inf`` at -0.0, NaN at the negative integers and ``-inf``.  Near the
    positive root 1.4616..., where the recurrence cancels, the Taylor series at the root
    (``|x - x0| < 1/4``).  Against mpmath (tests/test_jit41.py): within 3e-15 relative
    for ``x > 0`` (SciPy's own is within 1 ulp; the recurrence's cancellation costs up to
    10 ulps between 1 and 2.5); for ``x < 0`` within 4 ulps of the larger of ``|psi(x)|``
    and ``psi(1 - x)`` (near the negative roots the reflection cancels).  One function,
    no helpers and no recursion: numba compiles it as it is.
    """
    reflected = 0.0
    if x <= 0.0:
        if x == -math.inf or x == math.floor(x):
            if x == 0.0:
                return -math.copysign(math.inf, x)      # SciPy: -inf at +0.0, inf at -0.0
            return math.nan                             # the negative integers, -inf
        r = x - math.floor(x + 0.5)                     # (exact: |r| <= 1/2)
        a = abs(r)                                      # cot(pi a), as tan(pi (1/2 - a))
        if a >= 0.25:                                   # where 1/2 - a is exact: 0 at
            cot = math.tan(math.pi * (0.5 - a))         # a = 1/2, not 1 / tan(pi / 2)
        else:
            cot = 1.0 / math.tan(math.pi * a)
        reflected = -math.pi * math.copysign(cot, r)
        x = 1.0 - x
    h = (x - _ROOT_HI) - _ROOT_LO        # (x - _ROOT_HI exact within a factor 2 of it)
    if -0.25 < h < 0.25:                 # near the root: the series, relative accuracy
        acc = 0.0
        for c in _ROOT_SERIES:
            acc = acc * h + c
        return reflected + acc * h
    s = 0.0
    z = x
    k = 0.0
    while z < ASYMPTOTIC_FROM:
        s -= 1.0 / z
        k += 1.0
        z = x + k
    t = 1.0 / z
    t2 = t * t
    tail = _B12 / 12.0 + t2 * (_B14 / 14.0 + t2 * (_B16 / 16.0 + t2 * (_B18 / 18.0)))
    series = t2 * (_B2 / 2.0 + t2 * (_B4 / 4.0 + t2 * (_B6 / 6.0 + t2 * (
        _B8 / 8.0 + t2 * (_B10 / 10.0 + t2 * tail)))))
    return reflected + (s + (math.log(z) - 0.5 * t - series))


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


# B_2k / (2k) (digamma's series) and B_2k (trigamma's), k = 1 .. 9
_PSI_SERIES = tuple(b / (2.0 * k) for k, b in enumerate(
    (_B2, _B4, _B6, _B8, _B10, _B12, _B14, _B16, _B18), 1))
_PSI1_SERIES = (_B2, _B4, _B6, _B8, _B10, _B12, _B14, _B16, _B18)


def psi_difference_array(a, b, order):
    """``psi(a) - psi(a + b)`` (``order`` 0) or ``psi'(a) - psi'(a + b)`` (``order``
    1) of float64 arrays ``a > 0``, ``b > 0``, finite (broadcast together), without
    the cancellation of the two values (betaln's d/da lost 3.5e-10 relative at
    a = 1e6, b = 1; 5 % at 1e14).

    The recurrence ``psi(x) = psi(x + 1) - 1 / x`` moves ``a`` up to ``z >= 10``, each
    step adding ``1 / x - 1 / (x + b) = (b / x) / (x + b)`` (``order`` 1: that times
    ``1 / x + 1 / (x + b)``), terms of one sign; at ``z`` the asymptotic series of both
    values, differenced term by term in ``L = log1p(b / z)``: ``log z - log(z + b) =
    -L``, ``z**-p - (z + b)**-p = -z**-p expm1(-p L)``, terms of one sign again at
    ``z >= 10`` (the first dominates).  Within ~4 ulps of mpmath over a in
    1e-3 .. 1e15, b in 1e-3 .. 1e3 (tests/test_left42.py).
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64),
                               np.asarray(b, dtype=np.float64))
    with np.errstate(all="ignore"):
        shift = np.zeros(a.shape)
        z = a.copy()
        active = z < ASYMPTOTIC_FROM
        while active.any():
            x = z[active]
            bx = b[active]
            step = (bx / x) / (x + bx)
            if order:
                step = step * (1.0 / x + 1.0 / (x + bx))
            shift[active] += step
            z[active] = x + 1.0
            active = z < ASYMPTOTIC_FROM
        t = 1.0 / z
        big = np.log1p(b / z)

        def q(p):               # z**-p - (z + b)**-p
            return -(t ** p) * np.expm1(-p * big)
        if order == 0:
            series = sum(c * q(2 * k) for k, c in enumerate(_PSI_SERIES, 1))
            return -big - 0.5 * q(1) - series - shift
        series = sum(c * q(2 * k + 1) for k, c in enumerate(_PSI1_SERIES, 1))
        return q(1) + 0.5 * q(2) + series + shift


# ---- the incomplete gamma and beta functions' derivatives in their shapes (stats45) ------
# P(a, x) = gammainc, Q = 1 - P, I(a, b, x) = betainc: their derivatives in a (a, b) have
# no closed form.  Computed here as the log-derivatives of P or Q (of I or 1 - I) by a
# series or a continued fraction whose terms, differentiated in the shapes, have one
# sign where it is taken, carried as a jet (value, first and second derivatives) through
# the recurrence; the caller multiplies SciPy's own value (P, Q, I, 1 - I) by them.

class _Jet:
    """A value with its first derivatives ``d`` in ``n`` variables and, unless
    ``h is None``, its second ones ``h`` (the pairs ``i <= j`` in row order), all
    float64 arrays of one shape: the arithmetic of truncated Taylor series."""
    __slots__ = ("v", "d", "h")

    def __init__(self, v, d, h=None):
        self.v, self.d, self.h = v, d, h

    @staticmethod
    def constant(v, n, order):
        z = np.zeros_like(v)
        return _Jet(v, (z,) * n, (z,) * (n * (n + 1) // 2) if order > 1 else None)

    def __add__(self, o):
        h = None if self.h is None else tuple(p + q for p, q in zip(self.h, o.h))
        return _Jet(self.v + o.v, tuple(p + q for p, q in zip(self.d, o.d)), h)

    def __mul__(self, o):
        d = tuple(p * o.v + self.v * q for p, q in zip(self.d, o.d))
        h = None
        if self.h is not None:
            n, k, h = len(self.d), 0, []
            for i in range(n):
                for j in range(i, n):
                    h.append(self.h[k] * o.v + self.d[i] * o.d[j] + self.d[j] * o.d[i] +
                             self.v * o.h[k])
                    k += 1
            h = tuple(h)
        return _Jet(self.v * o.v, d, h)

    def scaled(self, s):
        """The jet times the plain array ``s``."""
        return _Jet(self.v * s, tuple(p * s for p in self.d),
                    None if self.h is None else tuple(p * s for p in self.h))

    def take(self, m):
        return _Jet(self.v[m], tuple(p[m] for p in self.d),
                    None if self.h is None else tuple(p[m] for p in self.h))

    def log_slopes(self):
        """``(d log u, d2 log u)``: ``u_i / u`` and ``u_ij / u - (u_i / u)(u_j / u)``."""
        first = tuple(p / self.v for p in self.d)
        if self.h is None:
            return first, None
        n, k, second = len(self.d), 0, []
        for i in range(n):
            for j in range(i, n):
                second.append(self.h[k] / self.v - first[i] * first[j])
                k += 1
        return first, tuple(second)


def _ratio_log_slopes(num, den):
    """The log-derivatives of ``num / den`` (two jets): differences of each one's."""
    f1, f2 = num.log_slopes()
    g1, g2 = den.log_slopes()
    first = tuple(p - q for p, q in zip(f1, g1))
    return first, None if f2 is None else tuple(p - q for p, q in zip(f2, g2))


_TINY = 2.0 ** -60           # a continued fraction's convergence: relative change below

# The backend's per-element kernels of the steps below (dualgrad/backend/_slope_kernels.py,
# registered by dualgrad.backend._kernels: this module imports nothing of dualgrad's):
# name ("gamma_series", "gamma_fraction", "beta_fraction") -> a callable of the same
# arguments as the NumPy steps it replaces, giving their results with the same bits, or
# ``None`` where the NumPy steps should run (numba not loaded and not yet worth it, or
# ``dualgrad.backend.use("numpy")``).
KERNELS = {}


def _kernel(name, *args):
    kernel = KERNELS.get(name)
    return None if kernel is None else kernel(*args)


def _continued_fraction(coefficient, b, size, n, order, limit, scale=None):
    """The log-derivatives (first, second or ``None``) of ``f = 1 / (b(0) + c(1) /
    (b(1) + c(2) / (b(2) + ...)))`` over ``size`` flat elements, and where they
    converged: ``coefficient(k, ids)`` and ``b(k, ids)`` are jets of the elements
    ``ids``.  The forward recurrence ``A_k = b_k A_(k-1) + c_k A_(k-2)`` (``B`` likewise,
    ``f = B / A``), rescaled every step; an element stops once its value and
    first log-derivatives move by less than ``2**-60`` relative; ``converged`` is
    False where ``limit`` steps did not reach that (the results there: the last
    step's).  ``scale``, when given, holds per element a floor for the value's and
    each first log-derivative's size in that test (for a derivative, the magnitude of
    what the caller adds to it, the prefactor's log-derivative): a move below
    ``2**-60`` of that stops too.  Where the fraction is 1 + O(x) at x ~ 1e-16
    (betainc's: special48) its value and log-derivatives flip by an ulp every step,
    rounding noise, their relative moves never settled, and the 20000 steps ended in
    NaN."""
    ids = np.arange(size)
    one = _Jet.constant(np.ones(size), n, order)
    a_prev, a_cur = one, b(0, ids)
    b_prev, b_cur = _Jet.constant(np.zeros(size), n, order), one
    first = [np.full(size, np.nan) for _ in range(n)]
    second = None if order < 2 else [np.full(size, np.nan) for _ in range(n * (n + 1) // 2)]
    converged = np.zeros(size, bool)
    last = None
    for k in range(1, limit + 1):
        c, bk = coefficient(k, ids), b(k, ids)
        a_new = bk * a_cur + c * a_prev
        b_new = bk * b_cur + c * b_prev
        with np.errstate(all="ignore"):
            s = 1.0 / np.abs(a_new.v)
            a_prev, a_cur = a_cur.scaled(s), a_new.scaled(s)
            b_prev, b_cur = b_cur.scaled(s), b_new.scaled(s)
            f1, f2 = _ratio_log_slopes(b_cur, a_cur)
            now = (b_cur.v / a_cur.v,) + f1
            stop = np.full(ids.size, k == limit)
            if last is not None:
                stop = np.ones(ids.size, bool)
                for j, (p, q) in enumerate(zip(now, last)):
                    size_ = np.abs(p) if scale is None else np.maximum(np.abs(p), scale[j][ids])
                    stop &= np.abs(p - q) <= _TINY * size_
                converged[ids[stop]] = True
                stop = stop | (k == limit)
        if np.any(stop):
            done = ids[stop]
            for dst, src in zip(first, f1):
                dst[done] = src[stop]
            if second is not None:
                for dst, src in zip(second, f2):
                    dst[done] = src[stop]
            keep = ~stop
            if not keep.any():
                break
            ids = ids[keep]
            a_prev, a_cur = a_prev.take(keep), a_cur.take(keep)
            b_prev, b_cur = b_prev.take(keep), b_cur.take(keep)
            now = tuple(p[keep] for p in now)
        last = now
    return first, second, converged


def _psi(x):
    import scipy.special        # (only called once scipy.special has been imported)
    return scipy.special.digamma(x)


_LIMIT = 20000          # steps of a series or continued fraction before NaN


def _gamma_limit(a):
    """The steps the incomplete gamma function's series / fraction may take for shapes
    ``a``: near ``x = a`` their terms fall only after ``k**2 / (2 a) ~ 37``, ``k ~ 8.6
    sqrt(a)`` (27000 at a = 1e7, which NaN'd at 20000: attack53 16), so ``12 sqrt(a)``,
    at least :data:`_LIMIT` and at most 200000 (a ~ 3e8; NaN past it)."""
    top = float(np.max(a)) if np.size(a) else 0.0
    return int(min(200000.0, max(float(_LIMIT), 12.0 * np.sqrt(top))))


def _fraction_can_converge(a, x):
    """False where Legendre's fraction for ``Q(a, x)`` cannot converge within its step
    limit, predicted from a lower bound on the steps it takes (measured, nan56: near
    ``x = a`` it takes ~9-10 ``a**(1/3)`` steps, 89307 at a = 1e12; ``d = x - a`` away
    ~1730 where ``a / d**2 = 4`` and 11000-28000 where it is 100, for a = 1e8 .. 1e12):
    ``min(4 a**(1/3), 100 a / d**2)`` (its terms at most 0.45x and 0.36x of the
    measured counts).  Those elements are NaN at once (refused by name
    by the caller), not after the 200000 steps' ~17 s (``gammaincc(1e300, 1e300)``)."""
    with np.errstate(all="ignore"):
        limit = np.minimum(200000.0, np.maximum(float(_LIMIT), 12.0 * np.sqrt(a)))
        d = x - a
        steps = np.minimum(4.0 * np.cbrt(a), 100.0 * (a / (d * d)))
        return ~(steps > limit)


def gammainc_log_slopes(a, x, order=1, ratio=False):
    """The derivatives in ``a`` of ``log P`` or ``log Q`` (``P = gammainc(a, x)``, ``Q =
    gammaincc(a, x)``) of float64 arrays ``a > 0``, ``x > 0`` (finite; NaN elsewhere):
    ``(lower, first, second)``, ``lower`` True where they are ``log P``'s, ``second``
    ``None`` for ``order`` 1; NaN where the method did not converge in 20000 steps.

    Where ``x < exp(psi(a + 1))`` (``lower``), the series ``P = sum_k x**(a + k)
    e**-x / Gamma(a + k + 1)``, whose terms' derivatives ``(log x - psi(a + k + 1))``
    times the term are all negative there (psi rises); elsewhere Legendre's continued
    fraction ``Q = x**a e**-x / Gamma(a) / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...))``
    as jets in ``a``, ``d log Q = log x - psi(a) + d log f``, both terms positive there
    (``x > exp(psi(a))``): no cancellation on either side.  Against mpmath over
    ``a`` in 0.1 .. 1000, ``x`` in 1e-3 .. 100 (and ``x`` up to ``3 a``): see
    tests/test_stats45.py.

    With ``ratio`` (``order`` 2) the third result is ``u'' / u`` (``second + first**2``,
    ``u`` = P or Q), written for the fraction below ``a = 1`` with ``psi(a) = psi(a + 1)
    - 1 / a``, ``trigamma(a) = trigamma(a + 1) + 1 / a**2`` taken apart: the two
    ``1 / a**2`` of ``(log x - psi(a) + f')**2`` and ``-trigamma(a)`` cancelled (1e-2
    relative at a = 1e-14: attack57 01).
    """
    a, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64),
                               np.asarray(x, dtype=np.float64))
    shape = a.shape
    a, x = a.ravel(), x.ravel()
    first = np.full(a.shape, np.nan)
    second = np.full(a.shape, np.nan) if order > 1 else None
    with np.errstate(all="ignore"):
        ok = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
        lower = ok & (x < np.exp(_psi(a + 1.0)))
        upper = ok & ~lower & _fraction_can_converge(a, x)
        _gamma_series(a, x, lower, first, second)
        _gamma_fraction(a, x, upper, first, second, ratio)
        if ratio and second is not None:
            second = np.where(upper, second, second + first * first)
    return (lower.reshape(shape), first.reshape(shape),
            None if second is None else second.reshape(shape))


def _gamma_series(a, x, where, first, second):
    ids = np.flatnonzero(where)
    if ids.size == 0:
        return
    av, xv = a[ids], x[ids]
    limit = _gamma_limit(av)
    # elements whose term after ``limit`` steps, x**k / ((a + 1) ... (a + k)), is still
    # above 2**-60 (limit + 1) (their sum's bound) cannot stop: NaN at once, not after the
    # ~16 s the steps take (a ~ 1e9 near x = a; the caller refuses them by name)
    import scipy.special        # (only called once scipy.special has been imported)
    with np.errstate(all="ignore"):
        last = limit * np.log(xv) - (scipy.special.gammaln(av + (limit + 1.0)) -
                                     scipy.special.gammaln(av + 1.0))
    keep = ~(last > np.log(_TINY * (limit + 1.0)))
    if not keep.all():
        ids, av, xv = ids[keep], av[keep], xv[keep]
        if ids.size == 0:
            return
    lx = np.log(xv)
    ln1 = lx - _psi(av + 1.0)
    ln2 = -trigamma_array(av + 1.0)
    got = _kernel("gamma_series", av, xv, ln1, ln2, limit, 1 if second is None else 2)
    if got is not None:
        first[ids] = got[0]
        if second is not None:
            second[ids] = got[1]
        return
    r = np.ones(ids.size)
    s0, s1, s2 = r.copy(), ln1.copy(), ln1 * ln1 + ln2
    for k in range(1, limit + 1):
        ak = av + k
        r = r * (xv / ak)
        ln1 = ln1 - 1.0 / ak
        ln2 = ln2 + 1.0 / (ak * ak)
        s0 = s0 + r
        s1 = s1 + r * ln1
        s2 = s2 + r * (ln1 * ln1 + ln2)
        # the tail is below r (a + k + 1) / (a + k + 1 - x) times the weights
        tail = r * (ak + 1.0) / (ak + 1.0 - xv) * (1.0 + ln1 * ln1 + np.abs(ln2))
        stop = tail <= _TINY * np.minimum(s0, np.abs(s1))
        if stop.any() or k == limit:
            if k == limit:
                stop = np.zeros(ids.size, bool)     # not converged: NaN stays
            done = ids[stop]
            first[done] = (s1 / s0)[stop]
            if second is not None:
                second[done] = (s2 / s0 - (s1 / s0) ** 2)[stop]
            keep = ~stop
            if not keep.any():
                return
            ids, av, xv, r, ln1, ln2, s0, s1, s2 = (
                v[keep] for v in (ids, av, xv, r, ln1, ln2, s0, s1, s2))


def _gamma_fraction(a, x, where, first, second, ratio=False):
    ids = np.flatnonzero(where)
    if ids.size == 0:
        return
    av, xv = a[ids], x[ids]
    order = 1 if second is None else 2
    zeros = np.zeros(ids.size)
    ones = np.ones(ids.size)

    def b(k, sub):                  # x + 2k + 1 - a: d/da -1
        return _Jet(xv[sub] + (2.0 * k + 1.0) - av[sub], (-ones[sub],),
                    None if order < 2 else (zeros[sub],))

    def c(k, sub):                  # k (a - k): d/da k
        return _Jet(k * (av[sub] - k), (np.full(sub.size, float(k)),),
                    None if order < 2 else (zeros[sub],))

    limit = _gamma_limit(av)
    got = _kernel("gamma_fraction", av, xv, limit, order)
    f1, f2, converged = got if got is not None else \
        _continued_fraction(c, b, ids.size, 1, order, limit)
    lead = np.log(xv) - _psi(av)
    first[ids] = np.where(converged, lead + f1[0], np.nan)
    if second is not None:
        got = f2[0] - trigamma_array(av)
        if ratio:
            got = got + first[ids] * first[ids]
            small = av < 1.0
            if np.any(small):       # the 1 / a**2 terms taken out (gammainc_log_slopes)
                m = np.log(xv) - _psi(av + 1.0) + f1[0]
                got = np.where(small, m * m + 2.0 * m / av + f2[0] - trigamma_array(av + 1.0),
                               got)
        second[ids] = np.where(converged, got, np.nan)


def _reciprocal(u):
    """The jet of ``1 / u``."""
    r = 1.0 / u.v
    r2 = r * r
    d = tuple(-p * r2 for p in u.d)
    h = None
    if u.h is not None:
        n, k, h = len(u.d), 0, []
        for i in range(n):
            for j in range(i, n):
                h.append(-u.h[k] * r2 + 2.0 * u.d[i] * u.d[j] * r2 * r)
                k += 1
        h = tuple(h)
    return _Jet(r, d, h)


def _linear(v, dp, dq, order):
    """The jet of ``v + dp (p - p0) + dq (q - q0)`` at ``(p0, q0)`` (``dp``, ``dq``
    numbers)."""
    z = np.zeros_like(v)
    return _Jet(v, (z + dp, z + dq), None if order < 2 else (z, z, z))


def betainc_log_slopes(a, b, x, order=1):
    """The derivatives in ``(a, b)`` of ``log I`` or ``log (1 - I)`` (``I = betainc(a,
    b, x)``) of float64 arrays ``a, b > 0``, ``0 < x < 1`` (finite; NaN elsewhere):
    ``(lower, first, second)``: ``lower`` True where they are ``log I``'s; ``first``
    the pair (d/da, d/db), ``second`` (d2/da2, d2/dadb, d2/db2) or ``None`` for
    ``order`` 1; NaN where 20000 steps did not converge.

    Where ``x < (a + 1) / (a + b + 2)`` (``lower``) the continued fraction ``I = x**a
    (1 - x)**b / (a B(a, b)) / (1 + d1 / (1 + d2 / (1 + ...)))`` (Didonato and Morris'
    ``d_(2m+1) = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))``, ``d_(2m) = m (b - m) x
    / ((a + 2m - 1)(a + 2m))``) carried as jets in ``(a, b)`` through its forward
    recurrence, the prefactor's derivatives in closed form (``psi(a) - psi(a + b)`` by
    :func:`psi_difference_array`, without its cancellation at large ``a``); elsewhere
    the same for ``1 - I = betainc(b, a, 1 - x)``, the shapes swapped back.  Against
    mpmath: tests/test_stats45.py.
    """
    a, b, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64),
                                  np.asarray(b, dtype=np.float64),
                                  np.asarray(x, dtype=np.float64))
    shape = a.shape
    a, b, x = a.ravel(), b.ravel(), x.ravel()
    first = [np.full(a.shape, np.nan) for _ in range(2)]
    second = [np.full(a.shape, np.nan) for _ in range(3)] if order > 1 else None
    with np.errstate(all="ignore"):
        ok = (a > 0) & (b > 0) & (x > 0) & (x < 1) & np.isfinite(a) & np.isfinite(b)
        lower = ok & (x < (a + 1.0) / (a + b + 2.0))
        upper = ok & ~lower
        for side, swap in ((lower, False), (upper, True)):
            ids = np.flatnonzero(side)
            if ids.size == 0:
                continue
            p, q, y = (b[ids], a[ids], 1.0 - x[ids]) if swap else (a[ids], b[ids], x[ids])
            f1, f2 = _beta_fraction(p, q, y, order)
            if swap:                    # d/da is the swapped one's d/dq, and so on
                f1 = (f1[1], f1[0])
                f2 = None if f2 is None else (f2[2], f2[1], f2[0])
            for dst, src in zip(first, f1):
                dst[ids] = src
            if second is not None:
                for dst, src in zip(second, f2):
                    dst[ids] = src
    return (lower.reshape(shape), tuple(f.reshape(shape) for f in first),
            None if second is None else tuple(f.reshape(shape) for f in second))


def _beta_fraction(p, q, y, order):
    """The log-derivatives in ``(p, q)`` of ``I(p, q, y)`` by its continued fraction
    (:func:`betainc_log_slopes`), for ``y`` below the mean's side."""
    size = p.size

    def b(k, sub):
        return _linear(np.ones(sub.size), 0.0, 0.0, order)

    def c(k, sub):
        ps, qs, ys = p[sub], q[sub], y[sub]
        m = k // 2
        if k % 2:                       # -(p + m)(p + q + m) y / ((p + 2m)(p + 2m + 1))
            num = _linear(ps + m, 1.0, 0.0, order) * _linear(ps + qs + m, 1.0, 1.0, order)
            den = _linear(ps + 2.0 * m, 1.0, 0.0, order) * \
                _linear(ps + 2.0 * m + 1.0, 1.0, 0.0, order)
            return (num * _reciprocal(den)).scaled(-ys)
        num = _linear(m * (qs - m), 0.0, float(m), order)       # m (q - m) y / (...)
        den = _linear(ps + 2.0 * m - 1.0, 1.0, 0.0, order) * \
            _linear(ps + 2.0 * m, 1.0, 0.0, order)
        return (num * _reciprocal(den)).scaled(ys)

    lead = (np.log(y) - 1.0 / p - psi_difference_array(p, q, 0),
            np.log1p(-y) - psi_difference_array(q, p, 0))
    # where the coefficients are tiny (|d_k| <~ (1 + p + q) y < 2**-30) the k-th
    # approximant is within ((1 + p + q) y)**k of f, exact after a few steps, and the
    # value may move by 2**-51 (2 ulps of f ~ 1: rounding) and still have converged
    noise = np.where((1.0 + p + q) * y < 2.0 ** -30, 512.0, 0.0)
    floors = (noise,) + tuple(np.abs(t) for t in lead)
    got = _kernel("beta_fraction", p, q, y, _LIMIT, order, floors)
    f1, f2, converged = got if got is not None else \
        _continued_fraction(c, b, size, 2, order, _LIMIT, floors)
    first = tuple(np.where(converged, s + t, np.nan) for s, t in zip(lead, f1))
    if order < 2:
        return first, None
    lead2 = (1.0 / (p * p) - psi_difference_array(p, q, 1), trigamma_array(p + q),
             -psi_difference_array(q, p, 1))
    return first, tuple(np.where(converged, s + t, np.nan) for s, t in zip(lead2, f2))


# Carlson's R_D by duplication (B. C. Carlson, "Numerical computation of real or complex
# elliptic integrals", Numer. Algorithms 10 (1995), algorithm for R_D; DLMF 19.36.2's
# series): its tolerance r = 2**-53 makes the fifth-order series' remainder below r
_RD_Q = (2.0 ** -53 / 4.0) ** (-1.0 / 6.0)


def carlson_rd_steps(x, y, z):
    """How many duplication steps :func:`carlson_rd_duplication` takes at the plain
    float arrays ``x, y, z`` (the most any element needs; more leave it exact)."""
    x, y, z = (np.asarray(v, dtype=np.float64) for v in (x, y, z))
    a = (x + y + 3.0 * z) / 5.0
    q = _RD_Q * np.maximum(np.maximum(np.abs(a - x), np.abs(a - y)), np.abs(a - z))
    ok = np.isfinite(a) & np.isfinite(q) & (a > 0.0)
    if not np.any(ok):
        return 0
    x, y, z, a, q = x[ok], y[ok], z[ok], a[ok], q[ok]
    steps = 0
    while steps < 60 and np.any(q >= np.abs(a)):
        sx, sy, sz = np.sqrt(x), np.sqrt(y), np.sqrt(z)
        lam = sx * sy + sx * sz + sy * sz
        x, y, z, a = (x + lam) / 4.0, (y + lam) / 4.0, (z + lam) / 4.0, (a + lam) / 4.0
        q = q / 4.0
        steps += 1
    return steps


def carlson_rd_duplication(x, y, z, steps):
    """Carlson's R_D(x, y, z) by ``steps`` duplication steps and the fifth-order series,
    in NumPy's operations on whatever ``x, y, z`` are: on dual numbers (the rule
    table's ellipkinc / ellipeinc d/dm inside a Hessian) their arithmetic
    differentiates the algorithm, with no divided difference (R_D's partials in closed
    form, (R_D(y, z, x) - R_D(x, y, z)) / (2 (x - z)), lose every digit where the
    arguments meet: phi -> 0, m -> 1)."""
    a0 = (x + y + 3.0 * z) / 5.0
    x0, y0 = x, y
    a, total, scale = a0, 0.0, 1.0
    for _ in range(steps):
        sx, sy, sz = np.sqrt(x), np.sqrt(y), np.sqrt(z)
        lam = sx * sy + sx * sz + sy * sz
        total = total + scale / (sz * (z + lam))
        scale = scale / 4.0
        x, y, z, a = (x + lam) / 4.0, (y + lam) / 4.0, (z + lam) / 4.0, (a + lam) / 4.0
    big_x = (a0 - x0) * scale / a
    big_y = (a0 - y0) * scale / a
    big_z = -(big_x + big_y) / 3.0
    xy, zz = big_x * big_y, big_z * big_z
    e2 = xy - 6.0 * zz
    e3 = (3.0 * xy - 8.0 * zz) * big_z
    e4 = 3.0 * (xy - zz) * zz
    e5 = xy * zz * big_z
    series = 1.0 - 3.0 / 14.0 * e2 + e3 / 6.0 + 9.0 / 88.0 * e2 * e2 - 3.0 / 22.0 * e4 - \
        9.0 / 52.0 * e2 * e3 + 3.0 / 26.0 * e5
    return scale * series / (a * np.sqrt(a)) + 3.0 * total


# ---- Student's t cdf in its degrees of freedom, in the tail past df = 1000 (nan55) ----
# psi(x + 1/2) - psi(x) - 1 / (2 x) = sum_n (-1)**(n + 1) (B_n(1/2) - B_n(0)) / (n x**n),
# n = 2, 4, ..., 18 (the odd terms vanish): 1/8, -1/64, 1/128, -17/2048, 31/2048,
# -691/16384, 5461/32768, -929569/1048576, 3202291/524288
_T_SCORE_SERIES = (0.125, -0.015625, 0.0078125, -0.00830078125, 0.01513671875,
                   -0.04217529296875, 0.166656494140625, -0.8865060806274414,
                   6.107885360717773)
_LAGUERRE = []          # [(nodes, weights)] of the 32-point Gauss-Laguerre rule, on first use


def t_score_constant(df):
    """``psi((df + 1) / 2) - psi(df / 2) - 1 / df`` for ``df > 1000`` by its asymptotic
    series in ``x = df / 2`` (:data:`_T_SCORE_SERIES`; ~``1 / (2 df**2)``, the two digammas
    cancel to it; the first omitted term is below 1e-40 of it at df = 1000)."""
    x2 = 0.25 * df * df
    series = _T_SCORE_SERIES[-1]
    for c in reversed(_T_SCORE_SERIES[:-1]):
        series = c + series / x2
    return series / x2


def t_cdf_df_tail(df, t):
    """d/d(df) of Student's t cdf ``F = stdtr(df, t)`` for ``df > 1000`` and ``t**4 >= 2
    df`` (float64 arrays; NaN elsewhere), where neither Fisher's expansion nor the
    betainc form holds its digits (nan53, nan54).

    With ``T = -|t|``, ``dF/d(df) = -sign(t) stdtr(df, T) R``, ``R`` the mean of the
    density's score ``G(s) = d log f(s) / d(df) = (A + log1pmx(-y) + y / df) / 2`` (``A``
    :func:`t_score_constant`, ``y = s**2 / (df + s**2)``: no term cancels) over the tail
    ``s < T``.  In ``u = df / (df + s**2)`` the tail is ``int_0^z u**(df/2 - 1) (1 -
    u)**(-1/2) du`` (``z = u(T)``), and ``u = z e**(-2 v / df)`` makes it ``e**-v (1 -
    u)**(-1/2)`` over ``v > 0`` times a constant that cancels in ``R``: a 32-point
    Gauss-Laguerre rule of ``e**-v`` against ``(1 - u)**(-1/2)`` and ``G (1 - u)**(-1/2)``.
    ``1 - u = y(T) - z expm1(-2 v / df)`` (no cancellation).  These vary in ``v`` on the
    scale ``~t**2 / 2 >= sqrt(df / 2) >= 22`` (their singularity at ``1 - u = 0``), so
    24 points already agree with 64 to 1e-15; against mpmath's derivative of the
    incomplete beta function (50 digits) 2e-15 relative (tests/test_nan55.py)."""
    df, t = np.broadcast_arrays(np.asarray(df, dtype=np.float64),
                                np.asarray(t, dtype=np.float64))
    out = np.full(df.shape, np.nan)
    with np.errstate(all="ignore"):
        tt = np.abs(t)
        ok = (df > 1000.0) & (df < np.inf) & (tt < np.inf) & (tt * tt * (tt * tt) >= 2.0 * df)
    if not np.any(ok):
        return out
    if not _LAGUERRE:
        _LAGUERRE.append(np.polynomial.laguerre.laggauss(32))
    v, w = _LAGUERRE[0]
    import scipy.special        # (only called once scipy.special has been imported)
    nu, ta = df[ok], tt[ok]
    with np.errstate(all="ignore"):
        s = nu + ta * ta
        y, z = ((ta * ta) / s)[:, None], (nu / s)[:, None]
        rest = y - z * np.expm1(-2.0 * v / nu[:, None])                 # 1 - u
        score = 0.5 * (t_score_constant(nu)[:, None] +
                       scipy.special._ufuncs._log1pmx(-rest) + rest / nu[:, None])
        q = w / np.sqrt(rest)
        ratio = (q * score).sum(axis=1) / q.sum(axis=1)
        out[ok] = -np.sign(t[ok]) * scipy.special.stdtr(nu, -ta) * ratio
    return out
