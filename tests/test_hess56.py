"""Hessian entries beside a gradient entry that is +-inf (hess56, diff55 D01).

hess55 took an entry ``H[i, j]`` beside a non-finite ``g_j`` from the order through
the finite gradient entry, ``d_j g_i``.  Where that order meets ``0 * inf`` itself it
is NaN, and a7d371b made ``np.arctan2(np.cbrt(x1), 1 + x0) + x0 x2``'s ``H[0, 1] =
-inf`` NaN at chunk=1 and with ``sparsity="auto"`` (5b74835 gave -inf there, NaN at
chunk 2 / None).  An infinite order through an infinite (not NaN) ``g_j`` is now kept
where the finite order is NaN (``dualgrad/api/_orders.py``), and the chunked dense
Hessian and the sparse one compute that order where it is needed: the same infinity
at every ``chunk=`` and in the sparse Hessian.

Oracles: closed forms of the mixed partial written by hand (comments), checked here
against mpmath's own mixed derivative at 40 digits at ``x1 = 1e-4``, and their limit
at ``x1 -> 0+`` read from the closed form at ``x1 = 1e-8, 1e-16, 1e-32`` (one sign,
growing without bound).
"""
import numpy as np
import pytest

import dualgrad as dg

mp = pytest.importorskip("mpmath")

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

INF = np.inf
CHUNKS = (1, 2, 3, None)
X = (0.7, 0.0, 1.3)


def _hessians(f, x):
    """Every chunk's dense Hessian and the sparse one (sparsity="auto")."""
    x = np.asarray(x, float)
    out = {c: dg.hessian(f, x.copy(), chunk=c) for c in CHUNKS}
    out["sparse"] = dg.hessian(f, x.copy(), sparsity="auto").toarray()
    return out


# c(x1) = cbrt(x1) or sqrt(x1), w = 1 + x0, b = 1 + x0**2, at x1 -> 0+ (c -> 0, c' -> inf):
# arctan2(c, w): d2/dx0 dx1 = c' (c**2 - w**2) / (w**2 + c**2)**2 -> -inf.
# b**c:          d2/dx0 dx1 = c' 2 x0 b**(c - 1) (1 + c log b)      -> +inf (x0 = 0.7).
# Both: H[0, 0] = 0 at c = 0, H[0, 2] = 1, H[1, 2] = H[2, 2] = 0.
_C = {"cbrt": (np.cbrt, lambda t: mp.cbrt(t), lambda t: mp.cbrt(t) / (3 * t)),
      "sqrt": (np.sqrt, lambda t: mp.sqrt(t), lambda t: 1 / (2 * mp.sqrt(t))),
      "pow.5": (lambda v: v ** 0.5, lambda t: mp.sqrt(t), lambda t: 1 / (2 * mp.sqrt(t)))}


def _atan2(c):
    return (lambda x: np.arctan2(c(x[1]), 1 + x[0]) + x[0] * x[2],
            lambda a, t, C: mp.atan2(C(t), 1 + a),
            lambda a, t, C, dC: dC(t) * (C(t) ** 2 - (1 + a) ** 2) /
            ((1 + a) ** 2 + C(t) ** 2) ** 2, -INF)


def _power(c):
    return (lambda x: (1 + x[0] * x[0]) ** c(x[1]) + x[0] * x[2],
            lambda a, t, C: (1 + a * a) ** C(t),
            lambda a, t, C, dC: dC(t) * 2 * a * (1 + a * a) ** (C(t) - 1) *
            (1 + C(t) * mp.log(1 + a * a)), INF)


CASES = {f"{m.__name__[1:]}({k})": (k, m(_C[k][0])) for k in _C for m in (_atan2, _power)}


@pytest.mark.mp_dps(40)
@pytest.mark.parametrize("case", sorted(CASES))
def test_closed_form_against_mpmath(case):
    k, (_, F, H01, sign) = CASES[case]
    _, C, dC = _C[k]
    a, t = mp.mpf("0.7"), mp.mpf("1e-4")
    got = mp.diff(lambda u, v: F(u, v, C), (a, t), (1, 1))
    assert abs(got - H01(a, t, C, dC)) <= 1e-20 * abs(got)
    near = [H01(a, mp.mpf(h), C, dC) for h in ("1e-8", "1e-16", "1e-32")]
    assert all(mp.sign(v) == np.sign(sign) for v in near)
    assert abs(near[1]) > 100 * abs(near[0]) and abs(near[2]) > 100 * abs(near[1])


@pytest.mark.parametrize("case", sorted(CASES))
def test_infinite_entry_at_every_chunk_and_sparse(case):
    """H[0, 1] the closed form's infinity at chunk 1, 2, 3, None and sparse (NaN at
    chunk=1 and sparse since a7d371b, at chunk 2 / None before it)."""
    _, (f, _, _, sign) = CASES[case]
    for k, H in _hessians(f, X).items():
        assert H[0, 1] == sign and H[1, 0] == sign, (k, H[0, 1], H[1, 0])
        assert H[0, 0] == 0.0 and H[0, 2] == 1.0 and H[2, 0] == 1.0, k
        np.testing.assert_array_equal(H[2, 1:], [0.0, 0.0], err_msg=str(k))
        assert np.isnan(H[1, 1]) or H[1, 1] == -INF, (k, H[1, 1])


# Both x0 and x1 singular: arctan2(sqrt(x1), 1 + sqrt(x0)) + x2**2 x0 at (0, 0.5, 0):
# g_0 = -sqrt(x1) s0' / ((1 + s0)**2 + x1) = -inf, g_1 finite; the finite order d_0 g_1
# is NaN (s0' times a zero), the other d_1 g_0 = -s0' (1 - x1) / (2 sqrt(x1) (1 + x1)**2)
# -> -inf (s0 = 0).  chunk=1's triangle held d_0 g_1 alone (its chunk 0 is x0's): the
# chunk of x1 runs again for row 0; the sparse Hessian colors x1 for it.

def test_the_other_order_in_a_later_chunk():
    f = lambda x: np.arctan2(np.sqrt(x[1]), 1 + np.sqrt(x[0])) + x[2] ** 2 * x[0]
    for k, H in _hessians(f, (0.0, 0.5, 0.0)).items():
        assert H[0, 1] == -INF and H[1, 0] == -INF, (k, H[0, 1])
        # H[1, 1] = d2/dx1^2 arctan(sqrt(x1)) = -(1 + 3 x1) / (4 x1**1.5 (1 + x1)**2)
        assert abs(H[1, 1] + 2.5 / (4 * 0.5 ** 1.5 * 2.25)) < 1e-14, (k, H[1, 1])


@pytest.mark.mp_dps(40)
def test_closed_form_of_the_later_chunk_case():
    """d_1 g_0 of the case above against mpmath at x0 = 1e-30 (its sign and growth)."""
    F = lambda a, b: mp.atan2(mp.sqrt(b), 1 + mp.sqrt(a))
    vals = [mp.diff(F, (mp.mpf(h), mp.mpf("0.5")), (1, 1)) for h in ("1e-8", "1e-12")]
    assert vals[0] < 0 and vals[1] < 0 and abs(vals[1]) > 50 * abs(vals[0])


# Past 48 inputs (outer chunks of 32): the infinite gradient entry in the first chunk and
# its finite partner in the third, and the mirror case.

@pytest.mark.parametrize("k, j", [(5, 70), (70, 5)])
def test_default_chunks_past_48_inputs(k, j):
    n = 80

    def f(x):
        return np.arctan2(np.cbrt(x[k]), 1 + x[j]) + x[j] * x[1] + 0.5 * np.sum(x[10:60] ** 2)
    x = np.full(n, 0.5)
    x[j], x[k] = 0.7, 0.0
    H = dg.hessian(f, x)
    assert H[j, k] == -INF and H[k, j] == -INF
    assert H[j, 1] == 1.0 and H[j, j] == 0.0
    np.testing.assert_array_equal(H[10:60, 10:60], np.eye(50))
    for chunk in (2, 7, 40):        # (chunk=1 at n = 80: 3.5x the time, no line more, fastci61)
        np.testing.assert_array_equal(dg.hessian(f, x, chunk=chunk), H)
    np.testing.assert_array_equal(dg.hessian(f, x, sparsity="auto").toarray(), H)


# A NaN gradient entry keeps hess55's choice: hypot(sqrt(x1) x1, 1 + x0) at (0, 0, 1.3):
# H[0, 1] = 0 exactly, but both orders meet 0 * inf (g_1 = (u / r) u' with u' = 0 * inf
# in first order already) and the number the other order gives, 0.0, is the zero rule's
# guess that is wrong for hypot(sqrt(x1), 1 + x0) (-0.173): NaN, the same at every chunk.

@pytest.mark.parametrize("spell", ["sqrt(x) x", "sqrt(x)"])
def test_nan_gradient_entry_keeps_nan(spell):
    u = (lambda v: np.sqrt(v) * v) if spell == "sqrt(x) x" else np.sqrt
    f = lambda x: np.hypot(u(x[1]), 1 + x[0]) + x[0] * x[2]
    for k, H in _hessians(f, (0.0, 0.0, 1.3)).items():
        assert np.isnan(H[0, 1]) and np.isnan(H[1, 0]), (k, H[0, 1])


# ---- both gradient entries finite, one order NaN (attack56 02) --------------------------
# tanh(q0 q1) at (100, 7.06), z = 706: d2/dq0 dq1 = sech(z)**2 (1 - 2 z tanh z), about
# -4e-611 (0.0 in float64); one order's nested arithmetic overflows (sinh(z) times a large
# partial, then times sech**2 = 0: NaN), the other gives 0.0.  chunk=1's triangle held the
# 0.0, the one-pass Hessian the two orders' mean, NaN: now the number at every chunk and
# in the sparse Hessian.  (H[1, 1], one order, is the rule row's: NaN or 0.0.)

@mp.workdps(50)
def _tanh_entry():
    z = mp.mpf(100) * mp.mpf("7.06")
    return float(mp.sech(z) ** 2 * (1 - 2 * z * mp.tanh(z)))


def test_one_order_overflowing_beside_finite_gradient():
    exact = _tanh_entry()
    assert exact == 0.0 and float(mp.sech(mp.mpf(706)) ** 2) == 0.0
    f = lambda q: np.tanh(q[0] * q[1])
    for k, H in _hessians(f, (100.0, 7.06)).items():
        assert H[0, 1] == exact and H[1, 0] == exact, (k, H[0, 1], H[1, 0])
        assert H[0, 0] == 0.0, (k, H[0, 0])
        assert np.isnan(H[1, 1]) or H[1, 1] == 0.0, (k, H[1, 1])


@pytest.mark.parametrize("i, j", [(0, 1), (50, 1), (1, 50)])
def test_one_order_overflowing_past_48_inputs(i, j):
    f = lambda q: np.tanh(q[i] * q[j]) + np.sum(q ** 2)
    x = np.full(60, 0.5)
    x[i], x[j] = 100.0, 7.06
    H = dg.hessian(f, x)
    assert H[i, j] == 0.0 and H[j, i] == 0.0
    assert H[i, i] == 2.0 and H[3, 3] == 2.0 and H[3, 4] == 0.0
    for chunk in (1, 7, 40):
        np.testing.assert_array_equal(dg.hessian(f, x, chunk=chunk), H)
    np.testing.assert_array_equal(dg.hessian(f, x, sparsity="auto").toarray(), H)


# ---- the sparse Hessian's sum path (attack56 09) -----------------------------------------
# sum(arctan2(cbrt(x[1:]), 1 + x[:-1])) + sum(x[::2] x[1::2]), n = 80, zeros at x_{i+1}:
# H[i, i+1] = -inf (the closed form above).  The sum path (both levels colored) computes one
# order per entry, NaN for some: an element with an infinite slope and a NaN second-order
# partial goes to the general passes, which choose as the dense Hessian.  chunk=7 at n = 80
# (twelve outer chunks, the kernels' sizes) and chunk=1 at n = 24 (the triangle: one order
# per entry, zeros at odd and even places) reach every line of api/helpers.py, _orders.py,
# _seed.py, _parallel.py and dispatch/_second_order.py and every dualgrad function that
# chunk=1 at n = 80 reaches (fastci59, traced), at a fifth of its time (3240 inner passes).

def _pure_sum(n, zeros):
    x = np.round(np.linspace(0.2, 2.0, n), 3)
    x[zeros] = 0.0
    return x


def _sum_of_slopes(v):
    return np.sum(np.arctan2(np.cbrt(v[1:]), 1 + v[:-1])) + np.sum(v[::2] * v[1::2])


def test_pure_sum_beside_infinite_slopes():
    zeros = [13, 16, 29, 35, 42, 54, 62, 69]
    x, f = _pure_sum(80, zeros), _sum_of_slopes
    H = dg.hessian(f, x)
    S = dg.hessian(f, x, sparsity="auto").toarray()
    for k in zeros:
        assert H[k - 1, k] == -INF and S[k - 1, k] == -INF and S[k, k - 1] == -INF, k
    np.testing.assert_allclose(S, H, rtol=1e-14, atol=0)     # (one order vs the mean)
    np.testing.assert_allclose(dg.hessian(f, x, chunk=7), H, rtol=1e-14, atol=0)
    zeros = [5, 8, 13, 16, 21]
    x = _pure_sum(24, zeros)
    H = dg.hessian(f, x)
    for k in zeros:
        assert H[k - 1, k] == -INF, k
    np.testing.assert_allclose(dg.hessian(f, x, chunk=1), H, rtol=1e-14, atol=0)
