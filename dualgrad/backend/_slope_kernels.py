"""The incomplete gamma and beta functions' shape slopes, one element at a time (slopes56).

:mod:`dualgrad.rules._special` steps their series and continued fractions in NumPy over
the elements still running (``_gamma_series``, ``_continued_fraction``): 20-40 array
operations a step, each a pass over memory and a temporary.  These kernels step each
element in registers until it converges, with the same statements in the same order
(``rules/_special.py``'s jets, products and sums as written there, the same convergence
tests, the same step limits), so the same bits: ``tests/test_slopes56.py`` holds the two
paths to that and both to mpmath.  What needs SciPy (``psi``, ``gammaln``, the prefactors'
slopes) stays with the caller, which passes it in.

A jet (``_special._Jet``: a value, its first derivatives in one or two variables and
the second ones) is written out as that many local floats, each product and sum as
``_Jet`` makes it, term by term in its order (``_special._linear``'s constant parts as
literals: ``1.0 * u`` stays, its bits are NumPy's ``ones * u``); its second derivatives
only where ``order`` is 2.  (Jets as tuples through small helper functions gave the same
bits but took 1.5 s (gamma) and 1.2 s (beta) to compile, the written-out forms 0.35 s
and 0.85 s, in a fresh numba cache at load ~10.)  Imported by
``dualgrad.backend._kernels`` at a slope's first kernel call, never at ``import dualgrad``;
each kernel compiles at its first call (numba's disk cache spares later processes).
"""

import numpy as np

from ._jit import njit

_JIT = dict(cache=True, error_model="numpy", nogil=True)

_TINY = 2.0 ** -60          # ``_special._TINY``


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


def gamma_fraction(a, x, limit, order):
    """``_special._gamma_fraction``'s continued fraction over float64 arrays ``a``, ``x``:
    ``_continued_fraction``'s ``(first, second, converged)``."""
    f0, s0, ok = np.empty(a.size), np.empty(a.size), np.empty(a.size, bool)
    _gamma_fraction(a, x, limit, order, f0, s0, ok)
    return (f0,), None if order < 2 else (s0,), ok


@njit(**_JIT)
def _gamma_fraction(a, x, limit, order, first, second, ok):
    """``_special._continued_fraction`` of ``_gamma_fraction``'s jets in ``a``, written out: each
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
def _beta_fraction(pa, qa, ya, limit, order, s0, s1, s2, first, second, ok):
    """``_special._continued_fraction`` of ``_beta_fraction``'s jets in ``(p, q)``, one
    element at a time, written out: ``A_(k-1)``, ``A_k``, ``B_(k-1)``, ``B_k`` (``p_``,
    ``c_``, ``q_``, ``r_``) and the coefficient ``c_k`` (``k_``) as value, two first
    and three second derivatives; each product, reciprocal and sum ``_Jet``'s
    (``_special._linear``'s constant parts as literals), in its order."""
    for i in range(pa.shape[0]):
        p = pa[i]
        q = qa[i]
        y = ya[i]
        f0 = s0[i]
        f1 = s1[i]
        f2 = s2[i]
        p_v, p_d0, p_d1, p_h0, p_h1, p_h2 = 1.0, 0.0, 0.0, 0.0, 0.0, 0.0
        c_v, c_d0, c_d1, c_h0, c_h1, c_h2 = 1.0, 0.0, 0.0, 0.0, 0.0, 0.0
        q_v, q_d0, q_d1, q_h0, q_h1, q_h2 = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
        r_v, r_d0, r_d1, r_h0, r_h1, r_h2 = 1.0, 0.0, 0.0, 0.0, 0.0, 0.0
        k_h0 = 0.0
        k_h1 = 0.0
        k_h2 = 0.0
        last0 = 0.0
        last1 = 0.0
        last2 = 0.0
        for k in range(1, limit + 1):
            m = k // 2
            fm = float(m)
            if k % 2:
                m1h0 = 0.0
                m1h1 = 0.0
                m1h2 = 0.0
                m2h0 = 0.0
                m2h1 = 0.0
                m2h2 = 0.0
                r3h0 = 0.0
                r3h1 = 0.0
                r3h2 = 0.0
                m4h0 = 0.0
                m4h1 = 0.0
                m4h2 = 0.0
                m1d0 = 1.0 * (p + q + m) + (p + m) * 1.0
                m1d1 = 0.0 * (p + q + m) + (p + m) * 1.0
                m1v = (p + m) * (p + q + m)
                m2d0 = 1.0 * (p + 2.0 * m + 1.0) + (p + 2.0 * m) * 1.0
                m2d1 = 0.0 * (p + 2.0 * m + 1.0) + (p + 2.0 * m) * 0.0
                m2v = (p + 2.0 * m) * (p + 2.0 * m + 1.0)
                r3v = 1.0 / m2v
                r3sq = r3v * r3v
                r3d0 = -m2d0 * r3sq
                r3d1 = -m2d1 * r3sq
                m4d0 = m1d0 * r3v + m1v * r3d0
                m4d1 = m1d1 * r3v + m1v * r3d1
                m4v = m1v * r3v
                k_v = m4v * (-y)
                k_d0 = m4d0 * (-y)
                k_d1 = m4d1 * (-y)
                if order > 1:
                    m1h0 = 0.0 * (p + q + m) + 1.0 * 1.0 + 1.0 * 1.0 + (p + m) * 0.0
                    m1h1 = 0.0 * (p + q + m) + 1.0 * 1.0 + 0.0 * 1.0 + (p + m) * 0.0
                    m1h2 = 0.0 * (p + q + m) + 0.0 * 1.0 + 0.0 * 1.0 + (p + m) * 0.0
                    m2h0 = 0.0 * (p + 2.0 * m + 1.0) + 1.0 * 1.0 + 1.0 * 1.0 + (p + 2.0 * m) * 0.0
                    m2h1 = 0.0 * (p + 2.0 * m + 1.0) + 1.0 * 0.0 + 0.0 * 1.0 + (p + 2.0 * m) * 0.0
                    m2h2 = 0.0 * (p + 2.0 * m + 1.0) + 0.0 * 0.0 + 0.0 * 0.0 + (p + 2.0 * m) * 0.0
                    r3h0 = -m2h0 * r3sq + 2.0 * m2d0 * m2d0 * r3sq * r3v
                    r3h1 = -m2h1 * r3sq + 2.0 * m2d0 * m2d1 * r3sq * r3v
                    r3h2 = -m2h2 * r3sq + 2.0 * m2d1 * m2d1 * r3sq * r3v
                    m4h0 = m1h0 * r3v + m1d0 * r3d0 + m1d0 * r3d0 + m1v * r3h0
                    m4h1 = m1h1 * r3v + m1d0 * r3d1 + m1d1 * r3d0 + m1v * r3h1
                    m4h2 = m1h2 * r3v + m1d1 * r3d1 + m1d1 * r3d1 + m1v * r3h2
                    k_h0 = m4h0 * (-y)
                    k_h1 = m4h1 * (-y)
                    k_h2 = m4h2 * (-y)
            else:
                m5h0 = 0.0
                m5h1 = 0.0
                m5h2 = 0.0
                r6h0 = 0.0
                r6h1 = 0.0
                r6h2 = 0.0
                m7h0 = 0.0
                m7h1 = 0.0
                m7h2 = 0.0
                m5d0 = 1.0 * (p + 2.0 * m) + (p + 2.0 * m - 1.0) * 1.0
                m5d1 = 0.0 * (p + 2.0 * m) + (p + 2.0 * m - 1.0) * 0.0
                m5v = (p + 2.0 * m - 1.0) * (p + 2.0 * m)
                r6v = 1.0 / m5v
                r6sq = r6v * r6v
                r6d0 = -m5d0 * r6sq
                r6d1 = -m5d1 * r6sq
                m7d0 = 0.0 * r6v + (m * (q - m)) * r6d0
                m7d1 = fm * r6v + (m * (q - m)) * r6d1
                m7v = (m * (q - m)) * r6v
                k_v = m7v * y
                k_d0 = m7d0 * y
                k_d1 = m7d1 * y
                if order > 1:
                    m5h0 = 0.0 * (p + 2.0 * m) + 1.0 * 1.0 + 1.0 * 1.0 + (p + 2.0 * m - 1.0) * 0.0
                    m5h1 = 0.0 * (p + 2.0 * m) + 1.0 * 0.0 + 0.0 * 1.0 + (p + 2.0 * m - 1.0) * 0.0
                    m5h2 = 0.0 * (p + 2.0 * m) + 0.0 * 0.0 + 0.0 * 0.0 + (p + 2.0 * m - 1.0) * 0.0
                    r6h0 = -m5h0 * r6sq + 2.0 * m5d0 * m5d0 * r6sq * r6v
                    r6h1 = -m5h1 * r6sq + 2.0 * m5d0 * m5d1 * r6sq * r6v
                    r6h2 = -m5h2 * r6sq + 2.0 * m5d1 * m5d1 * r6sq * r6v
                    m7h0 = 0.0 * r6v + 0.0 * r6d0 + 0.0 * r6d0 + (m * (q - m)) * r6h0
                    m7h1 = 0.0 * r6v + 0.0 * r6d1 + fm * r6d0 + (m * (q - m)) * r6h1
                    m7h2 = 0.0 * r6v + fm * r6d1 + fm * r6d1 + (m * (q - m)) * r6h2
                    k_h0 = m7h0 * y
                    k_h1 = m7h1 * y
                    k_h2 = m7h2 * y
            m8h0 = 0.0
            m8h1 = 0.0
            m8h2 = 0.0
            m9h0 = 0.0
            m9h1 = 0.0
            m9h2 = 0.0
            s10h0 = 0.0
            s10h1 = 0.0
            s10h2 = 0.0
            m11h0 = 0.0
            m11h1 = 0.0
            m11h2 = 0.0
            m12h0 = 0.0
            m12h1 = 0.0
            m12h2 = 0.0
            s13h0 = 0.0
            s13h1 = 0.0
            s13h2 = 0.0
            m8d0 = 0.0 * c_v + 1.0 * c_d0
            m8d1 = 0.0 * c_v + 1.0 * c_d1
            m8v = 1.0 * c_v
            m9d0 = k_d0 * p_v + k_v * p_d0
            m9d1 = k_d1 * p_v + k_v * p_d1
            m9v = k_v * p_v
            s10v = m8v + m9v
            s10d0 = m8d0 + m9d0
            s10d1 = m8d1 + m9d1
            m11d0 = 0.0 * r_v + 1.0 * r_d0
            m11d1 = 0.0 * r_v + 1.0 * r_d1
            m11v = 1.0 * r_v
            m12d0 = k_d0 * q_v + k_v * q_d0
            m12d1 = k_d1 * q_v + k_v * q_d1
            m12v = k_v * q_v
            s13v = m11v + m12v
            s13d0 = m11d0 + m12d0
            s13d1 = m11d1 + m12d1
            if order > 1:
                m8h0 = 0.0 * c_v + 0.0 * c_d0 + 0.0 * c_d0 + 1.0 * c_h0
                m8h1 = 0.0 * c_v + 0.0 * c_d1 + 0.0 * c_d0 + 1.0 * c_h1
                m8h2 = 0.0 * c_v + 0.0 * c_d1 + 0.0 * c_d1 + 1.0 * c_h2
                m9h0 = k_h0 * p_v + k_d0 * p_d0 + k_d0 * p_d0 + k_v * p_h0
                m9h1 = k_h1 * p_v + k_d0 * p_d1 + k_d1 * p_d0 + k_v * p_h1
                m9h2 = k_h2 * p_v + k_d1 * p_d1 + k_d1 * p_d1 + k_v * p_h2
                s10h0 = m8h0 + m9h0
                s10h1 = m8h1 + m9h1
                s10h2 = m8h2 + m9h2
                m11h0 = 0.0 * r_v + 0.0 * r_d0 + 0.0 * r_d0 + 1.0 * r_h0
                m11h1 = 0.0 * r_v + 0.0 * r_d1 + 0.0 * r_d0 + 1.0 * r_h1
                m11h2 = 0.0 * r_v + 0.0 * r_d1 + 0.0 * r_d1 + 1.0 * r_h2
                m12h0 = k_h0 * q_v + k_d0 * q_d0 + k_d0 * q_d0 + k_v * q_h0
                m12h1 = k_h1 * q_v + k_d0 * q_d1 + k_d1 * q_d0 + k_v * q_h1
                m12h2 = k_h2 * q_v + k_d1 * q_d1 + k_d1 * q_d1 + k_v * q_h2
                s13h0 = m11h0 + m12h0
                s13h1 = m11h1 + m12h1
                s13h2 = m11h2 + m12h2
            s = 1.0 / abs(s10v)
            p_v = c_v * s
            p_d0 = c_d0 * s
            p_d1 = c_d1 * s
            c_v = s10v * s
            c_d0 = s10d0 * s
            c_d1 = s10d1 * s
            q_v = r_v * s
            q_d0 = r_d0 * s
            q_d1 = r_d1 * s
            r_v = s13v * s
            r_d0 = s13d0 * s
            r_d1 = s13d1 * s
            if order > 1:
                p_h0 = c_h0 * s
                p_h1 = c_h1 * s
                p_h2 = c_h2 * s
                c_h0 = s10h0 * s
                c_h1 = s10h1 * s
                c_h2 = s10h2 * s
                q_h0 = r_h0 * s
                q_h1 = r_h1 * s
                q_h2 = r_h2 * s
                r_h0 = s13h0 * s
                r_h1 = s13h1 * s
                r_h2 = s13h2 * s
            fb0 = r_d0 / r_v
            fb1 = r_d1 / r_v
            fa0 = c_d0 / c_v
            fa1 = c_d1 / c_v
            now0 = r_v / c_v
            now1 = fb0 - fa0
            now2 = fb1 - fa1
            converged = k > 1 and _settled(now0, last0, f0) and \
                _settled(now1, last1, f1) and _settled(now2, last2, f2)
            if converged or k == limit:
                first[0, i] = now1
                first[1, i] = now2
                if order > 1:
                    second[0, i] = (r_h0 / r_v - fb0 * fb0) - (c_h0 / c_v - fa0 * fa0)
                    second[1, i] = (r_h1 / r_v - fb0 * fb1) - (c_h1 / c_v - fa0 * fa1)
                    second[2, i] = (r_h2 / r_v - fb1 * fb1) - (c_h2 / c_v - fa1 * fa1)
                ok[i] = converged
                break
            last0 = now0
            last1 = now1
            last2 = now2


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
