"""The incomplete gamma and beta functions' shape slopes, one element at a time (slopes56).

:mod:`dualgrad.rules._special` steps their series and continued fractions in NumPy over
the elements still running (``_gamma_series``, ``_continued_fraction``): 20-40 array
operations a step, each a pass over memory and a temporary.  These kernels step each
element in registers until it converges, with the same statements in the same order
(``rules/_special.py``'s jets, products and sums as written there, the same convergence
tests, the same step limits), so the same bits: ``tests/test_slopes56.py`` holds the two
paths to that and both to mpmath.  What needs SciPy (``psi``, ``gammaln``, the prefactors'
slopes) stays with the caller, which passes it in.

A jet here is a tuple ``(v, d0, d1, h00, h01, h11)``: a value, its first derivatives in
up to two variables and the second ones (``_special._Jet``'s ``v``, ``d``, ``h``); ``n``
(1 or 2) and ``order`` (1 or 2) say which parts are live, the rest stay 0 (no part
feeds a live one it does not feed in ``_Jet``).  Imported by
``dualgrad.backend._kernels`` at a slope's first kernel call, never at ``import dualgrad``;
each kernel compiles at its first call (numba's disk cache spares later processes).
"""

import numpy as np

from ._jit import njit

_JIT = dict(cache=True, error_model="numpy", nogil=True)

_TINY = 2.0 ** -60          # ``_special._TINY``


@njit(**_JIT)
def _mul(x, y, n, order):
    """``_Jet.__mul__``: ``x * y``."""
    xv, xd0, xd1, xh0, xh1, xh2 = x
    yv, yd0, yd1, yh0, yh1, yh2 = y
    d1 = 0.0
    h0 = 0.0
    h1 = 0.0
    h2 = 0.0
    d0 = xd0 * yv + xv * yd0
    if n > 1:
        d1 = xd1 * yv + xv * yd1
    if order > 1:
        h0 = xh0 * yv + xd0 * yd0 + xd0 * yd0 + xv * yh0
        if n > 1:
            h1 = xh1 * yv + xd0 * yd1 + xd1 * yd0 + xv * yh1
            h2 = xh2 * yv + xd1 * yd1 + xd1 * yd1 + xv * yh2
    return (xv * yv, d0, d1, h0, h1, h2)


@njit(**_JIT)
def _add(x, y):
    """``_Jet.__add__``."""
    return (x[0] + y[0], x[1] + y[1], x[2] + y[2], x[3] + y[3], x[4] + y[4], x[5] + y[5])


@njit(**_JIT)
def _scaled(x, s):
    """``_Jet.scaled``: ``x`` times the number ``s``."""
    return (x[0] * s, x[1] * s, x[2] * s, x[3] * s, x[4] * s, x[5] * s)


@njit(**_JIT)
def _reciprocal(u, n, order):
    """``_special._reciprocal``: the jet of ``1 / u``."""
    r = 1.0 / u[0]
    r2 = r * r
    d0 = -u[1] * r2
    d1 = 0.0
    h0 = 0.0
    h1 = 0.0
    h2 = 0.0
    if n > 1:
        d1 = -u[2] * r2
    if order > 1:
        h0 = -u[3] * r2 + 2.0 * u[1] * u[1] * r2 * r
        if n > 1:
            h1 = -u[4] * r2 + 2.0 * u[1] * u[2] * r2 * r
            h2 = -u[5] * r2 + 2.0 * u[2] * u[2] * r2 * r
    return (r, d0, d1, h0, h1, h2)


@njit(**_JIT)
def _log_slopes(u, n, order):
    """``_Jet.log_slopes``: ``(f0, f1, s00, s01, s11)``, the live ones."""
    f0 = u[1] / u[0]
    f1 = 0.0
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    if n > 1:
        f1 = u[2] / u[0]
    if order > 1:
        s0 = u[3] / u[0] - f0 * f0
        if n > 1:
            s1 = u[4] / u[0] - f0 * f1
            s2 = u[5] / u[0] - f1 * f1
    return (f0, f1, s0, s1, s2)


@njit(**_JIT)
def _settled(now, last, floor):
    """``_continued_fraction``'s test of one quantity: moved by at most ``2**-60`` of its
    size, or of ``floor`` where that is larger (``np.maximum``: NaN if either is)."""
    size = abs(now)
    if floor == floor and size == size:
        if floor > size:
            size = floor
    elif floor != floor:
        size = floor
    return abs(now - last) <= _TINY * size


@njit(**_JIT)
def _linear(v, dp, dq):
    """``_special._linear``: ``v + dp (p - p0) + dq (q - q0)``."""
    return (v, 0.0 + dp, 0.0 + dq, 0.0, 0.0, 0.0)


@njit(**_JIT)
def _fraction(p, q, y, n, order, limit, floors, out):
    """``_special._continued_fraction`` of one element of ``_beta_fraction``'s jets in
    ``(p, q)``.  Writes ``out[:] = (f0, f1, s00, s01, s11, converged)``."""
    one = (1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    zero = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    a_cur = _linear(1.0, 0.0, 0.0)
    a_prev = one
    b_prev = zero
    b_cur = one
    last0 = 0.0
    last1 = 0.0
    last2 = 0.0
    for k in range(1, limit + 1):
        bk = _linear(1.0, 0.0, 0.0)
        m = k // 2
        if k % 2:
            num = _mul(_linear(p + m, 1.0, 0.0), _linear(p + q + m, 1.0, 1.0), n, order)
            den = _mul(_linear(p + 2.0 * m, 1.0, 0.0),
                       _linear(p + 2.0 * m + 1.0, 1.0, 0.0), n, order)
            c = _scaled(_mul(num, _reciprocal(den, n, order), n, order), -y)
        else:
            num = _linear(m * (q - m), 0.0, float(m))
            den = _mul(_linear(p + 2.0 * m - 1.0, 1.0, 0.0),
                       _linear(p + 2.0 * m, 1.0, 0.0), n, order)
            c = _scaled(_mul(num, _reciprocal(den, n, order), n, order), y)
        a_new = _add(_mul(bk, a_cur, n, order), _mul(c, a_prev, n, order))
        b_new = _add(_mul(bk, b_cur, n, order), _mul(c, b_prev, n, order))
        s = 1.0 / abs(a_new[0])
        a_prev = _scaled(a_cur, s)
        a_cur = _scaled(a_new, s)
        b_prev = _scaled(b_cur, s)
        b_cur = _scaled(b_new, s)
        fb = _log_slopes(b_cur, n, order)
        fa = _log_slopes(a_cur, n, order)
        now0 = b_cur[0] / a_cur[0]
        now1 = fb[0] - fa[0]
        now2 = fb[1] - fa[1]
        converged = False
        if k > 1:
            converged = _settled(now0, last0, floors[0]) and \
                _settled(now1, last1, floors[1])
            if n > 1:
                converged = converged and _settled(now2, last2, floors[2])
        if converged or k == limit:
            out[0] = now1
            out[1] = now2
            out[2] = fb[2] - fa[2]
            out[3] = fb[3] - fa[3]
            out[4] = fb[4] - fa[4]
            out[5] = 1.0 if converged else 0.0
            return
        last0 = now0
        last1 = now1
        last2 = now2


def gamma_fraction(a, x, limit, order):
    """``_special._gamma_fraction``'s continued fraction over float64 arrays ``a``, ``x``:
    ``_continued_fraction``'s ``(first, second, converged)``."""
    f0, s0, ok = np.empty(a.size), np.empty(a.size), np.empty(a.size, bool)
    _gamma_fraction(a, x, limit, order, f0, s0, ok)
    return (f0,), None if order < 2 else (s0,), ok


@njit(**_JIT)
def _gamma_fraction(a, x, limit, order, first, second, ok):
    """:func:`_fraction` of ``_gamma_fraction``'s jets in one variable, written out: each
    of ``A_(k-1)``, ``A_k``, ``B_(k-1)``, ``B_k`` as value, d/da, d2/da2 (``_Jet``'s
    products and sums in its order; ``b_k = x + 2k + 1 - a``, ``c_k = k (a - k)``, their
    d/da -1 and k, second derivatives 0)."""
    for i in range(a.shape[0]):
        p = a[i]
        y = x[i]
        pv, pd, ph = 1.0, 0.0, 0.0                   # A_(k-1)
        cv, cd, ch = y + 1.0 - p, -1.0, 0.0          # A_k
        qv, qd, qh = 0.0, 0.0, 0.0                   # B_(k-1)
        rv, rd, rh = 1.0, 0.0, 0.0                   # B_k
        last0 = 0.0
        last1 = 0.0
        first[i] = np.nan
        second[i] = np.nan
        ok[i] = False
        for k in range(1, limit + 1):
            bv, bd, bh = y + (2.0 * k + 1.0) - p, -1.0, 0.0
            gv, gd, gh = k * (p - k), float(k), 0.0
            # bk * a_cur + c * a_prev, then the same for B
            nv = bv * cv + gv * pv
            nd = (bd * cv + bv * cd) + (gd * pv + gv * pd)
            nh = 0.0
            mv = bv * rv + gv * qv
            md = (bd * rv + bv * rd) + (gd * qv + gv * qd)
            mh = 0.0
            if order > 1:
                nh = (bh * cv + bd * cd + bd * cd + bv * ch) + \
                    (gh * pv + gd * pd + gd * pd + gv * ph)
                mh = (bh * rv + bd * rd + bd * rd + bv * rh) + \
                    (gh * qv + gd * qd + gd * qd + gv * qh)
            s = 1.0 / abs(nv)
            pv, pd, ph = cv * s, cd * s, ch * s
            cv, cd, ch = nv * s, nd * s, nh * s
            qv, qd, qh = rv * s, rd * s, rh * s
            rv, rd, rh = mv * s, md * s, mh * s
            fb = rd / rv
            fa = cd / cv
            now0 = rv / cv
            now1 = fb - fa
            converged = k > 1 and _settled(now0, last0, 0.0) and _settled(now1, last1, 0.0)
            if converged or k == limit:
                first[i] = now1
                if order > 1:
                    second[i] = (rh / rv - fb * fb) - (ch / cv - fa * fa)
                ok[i] = converged
                break
            last0 = now0
            last1 = now1


def beta_fraction(p, q, y, limit, order, floors):
    """``_special._beta_fraction``'s continued fraction over float64 arrays ``p, q, y``
    with ``_continued_fraction``'s ``scale`` ``floors`` (three arrays): its ``(first,
    second, converged)``."""
    first = np.empty((2, p.size))
    second = np.empty((3, p.size))
    ok = np.empty(p.size, bool)
    s0, s1, s2 = (np.ascontiguousarray(f, dtype=np.float64) for f in floors)
    _beta_fraction(p, q, y, limit, order, s0, s1, s2, first, second, ok)
    return tuple(first), None if order < 2 else tuple(second), ok


@njit(**_JIT)
def _beta_fraction(p, q, y, limit, order, s0, s1, s2, first, second, ok):
    out = np.empty(6)
    floors = np.empty(3)
    for i in range(p.shape[0]):
        floors[0] = s0[i]
        floors[1] = s1[i]
        floors[2] = s2[i]
        _fraction(p[i], q[i], y[i], 2, order, limit, floors, out)
        first[0, i] = out[0]
        first[1, i] = out[1]
        second[0, i] = out[2]
        second[1, i] = out[3]
        second[2, i] = out[4]
        ok[i] = out[5] != 0.0


def gamma_series(a, x, ln1, ln2, limit, order):
    """``_special._gamma_series``'s steps over float64 arrays ``a``, ``x`` from its
    starting ``ln1 = log x - psi(a + 1)``, ``ln2 = -trigamma(a + 1)``: ``(first,
    second)``, NaN where ``limit`` steps did not converge (``second`` ``None`` for
    ``order`` 1)."""
    first, second = np.empty(a.size), np.empty(a.size)
    _gamma_series(a, x, ln1, ln2, limit, order, first, second)
    return first, None if order < 2 else second


@njit(**_JIT)
def _gamma_series(a, x, ln1s, ln2s, limit, order, first, second):
    for i in range(a.shape[0]):
        av = a[i]
        xv = x[i]
        ln1 = ln1s[i]
        ln2 = ln2s[i]
        r = 1.0
        s0 = 1.0
        s1 = ln1
        s2 = ln1 * ln1 + ln2
        first[i] = np.nan
        second[i] = np.nan
        for k in range(1, limit + 1):
            ak = av + k
            r = r * (xv / ak)
            ln1 = ln1 - 1.0 / ak
            ln2 = ln2 + 1.0 / (ak * ak)
            s0 = s0 + r
            s1 = s1 + r * ln1
            s2 = s2 + r * (ln1 * ln1 + ln2)
            if k == limit:
                break                   # not converged: NaN stays
            tail = r * (ak + 1.0) / (ak + 1.0 - xv) * (1.0 + ln1 * ln1 + abs(ln2))
            a1 = abs(s1)
            low = s0 if s0 <= a1 or s0 != s0 else a1      # np.minimum: NaN if either
            if a1 != a1:
                low = a1
            if tail <= _TINY * low:
                t = s1 / s0
                first[i] = t
                if order > 1:
                    second[i] = s2 / s0 - t * t
                break
