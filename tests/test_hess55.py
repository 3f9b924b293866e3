"""Hessian entries beside a gradient entry that is not finite (hess55): the two orders
of a mixed partial, ``d_i g_j`` and ``d_j g_i``, where ``g_j`` is ``0 * inf`` or inf.

The order through ``g_j`` differentiates a number that is not finite; its nested
arithmetic takes a partial that is zero at the point (``-s w / r**3`` at ``s = 0``) for
one that is zero nearby, and gave ``np.hypot(np.sqrt(x1), 1 + x0)``'s mixed entry 0.0
(chunk=1, sparse) where it is ``-w / (2 r**3) = -0.173``.  Each entry is now chosen
from both orders (``dualgrad/api/_orders.py``), the same at every ``chunk=`` and in
the sparse Hessian: exact, or NaN, never a silent number.

Oracles: closed forms written by hand (comments), checked here against one-sided
4th-order differences of mpmath at 50 digits on the domain's side (``x1 >= 0``) and
mpmath's central derivative along the other inputs.
"""
import numpy as np
import pytest

import dualgrad as dg

mp = pytest.importorskip("mpmath")

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

INF, NAN = np.inf, np.nan
CHUNKS = (1, 2, 3, None)
X = (0.7, 0.0, 1.3)            # x1 = 0: sqrt's slope is infinite there


def _hessians(f, x):
    """Every chunk's dense Hessian and the sparse one (sparsity="auto")."""
    x = np.asarray(x, float)
    out = {c: dg.hessian(f, x.copy(), chunk=c) for c in CHUNKS}
    out["sparse"] = dg.hessian(f, x.copy(), sparsity="auto").toarray()
    return out


# Each case: the numpy function, the mpmath one, and the closed-form Hessian at X
# (w = 1 + x0 = 1.7, s = sqrt(x1) = 0).  ``free``: entries the result may give as NaN
# (their exact values in the comment); every other entry must be exact.
# hypot(s, w) + x0 x2 = sqrt(x1 + w**2) + x0 x2: H00 = x1 / r**3 = 0, H01 = -w / (2 r**3),
#   H11 = -1 / (4 r**3) (r = w), H02 = 1.
# arctan2(s, w): H00 = 2 s w / (x1 + w**2)**2 = 0, H01 = -inf, H11 = -inf.
# (1 + x0**2)**s: H00 = 0, H01 = +inf (2 x0 s' b**(s-1)), H11 = -inf.
# s**2 (1 + x0) = x1 (1 + x0): H00 = 0, H01 = 1, H11 = 0.
# x1 s x0 = x1**1.5 x0: H00 = 0, H01 = 1.5 s = 0, H11 = 0.75 x0 / s = +inf.
W = 1.7
CASES = {
    "hypot": (lambda x: np.hypot(np.sqrt(x[1]), 1 + x[0]) + x[0] * x[2],
              lambda a, b, c: mp.sqrt(b + (1 + a) ** 2) + a * c,
              [[0.0, -W / (2 * W ** 3), 1.0], [-W / (2 * W ** 3), -1 / (4 * W ** 3), 0.0],
               [1.0, 0.0, 0.0]]),
    "hypot, array": (lambda x: np.sum(np.hypot(np.sqrt(x[[1]]), 1 + x[[0]])) + x[0] * x[2],
                     lambda a, b, c: mp.sqrt(b + (1 + a) ** 2) + a * c,
                     [[0.0, -W / (2 * W ** 3), 1.0],
                      [-W / (2 * W ** 3), -1 / (4 * W ** 3), 0.0], [1.0, 0.0, 0.0]]),
    "arctan2": (lambda x: np.arctan2(np.sqrt(x[1]), 1 + x[0]) + x[0] * x[2],
                lambda a, b, c: mp.atan2(mp.sqrt(b), 1 + a) + a * c,
                [[0.0, -INF, 1.0], [-INF, -INF, 0.0], [1.0, 0.0, 0.0]]),
    "power": (lambda x: (1 + x[0] * x[0]) ** np.sqrt(x[1]) + x[0] * x[2],
              lambda a, b, c: (1 + a * a) ** mp.sqrt(b) + a * c,
              [[0.0, INF, 1.0], [INF, -INF, 0.0], [1.0, 0.0, 0.0]]),
    "square": (lambda x: np.sqrt(x[1]) ** 2 * (1 + x[0]) + x[0] * x[2],
               lambda a, b, c: b * (1 + a) + a * c,
               [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]),
    "x sqrt(x)": (lambda x: x[1] * np.sqrt(x[1]) * x[0] + x[0] * x[2],
                  lambda a, b, c: b * mp.sqrt(b) * a + a * c,
                  [[0.0, 0.0, 1.0], [0.0, INF, 0.0], [1.0, 0.0, 0.0]]),
}
FREE = [(0, 1), (1, 0), (1, 1)]      # the entries through g_1 = 0 * inf


@mp.workdps(50)
def _mp_entry(F, i, j):
    """d_i d_j F at X by mpmath: one-sided (x1 >= 0) 4th-order differences along x1,
    central derivatives along the others."""
    x = [mp.mpf(v) for v in X]

    def along(k, g, y):
        if k != 1:
            return mp.diff(lambda t: g(y[:k] + [t] + y[k + 1:]), y[k])
        h = mp.mpf("1e-12")
        vals = [g(y[:1] + [y[1] + m * h] + y[2:]) for m in range(5)]
        return (-25 * vals[0] + 48 * vals[1] - 36 * vals[2] + 16 * vals[3] - 3 * vals[4]) / \
            (12 * h)
    return along(i, lambda y: along(j, lambda z: F(*z), y), x)


@pytest.mark.parametrize("case", ["hypot", "square"])
def test_closed_forms_against_mpmath(case):
    _, F, H = CASES[case]
    for i in range(3):
        for j in range(3):
            if np.isfinite(H[i][j]) and not (i == 1 and j == 1):
                assert abs(float(_mp_entry(F, i, j)) - H[i][j]) < 1e-8, (i, j)


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_chunk_and_sparse_agree(case):
    f, _, _ = CASES[case]
    Hs = _hessians(f, X)
    first = Hs[1]
    for k, H in Hs.items():
        np.testing.assert_array_equal(H, first, err_msg=str(k))


@pytest.mark.parametrize("case", sorted(CASES))
def test_exact_or_nan(case):
    """Every entry exact; the free ones (through g_1 = 0 * inf) exact or NaN, never
    another number (hypot's 0.0 for -0.173 at chunk=1 and sparse)."""
    f, _, H = CASES[case]
    H = np.array(H)
    for k, got in _hessians(f, X).items():
        for i in range(3):
            for j in range(3):
                if (i, j) in FREE and np.isnan(got[i, j]):
                    continue
                if np.isfinite(H[i, j]):
                    assert abs(got[i, j] - H[i, j]) <= 1e-14, (k, i, j, got[i, j])
                else:
                    assert got[i, j] == H[i, j], (k, i, j, got[i, j])


# Both gradient entries not finite: f = hypot(sqrt(x3), 1 + x1) + arctan2(sqrt(x1), 1 + x4)
# + x1**1.5 x4 at x1 = x3 = 0: g_1 = inf (arctan2), g_3 = 0 * inf.  H[1, 3] = -w / (2 r**3)
# with w = r = 1: -1/2.  One order gave 0.0 (the sparse Hessian's), the other NaN.

def test_both_gradient_entries_not_finite():
    f = lambda x: np.hypot(np.sqrt(x[3]), 1 + x[1]) + np.arctan2(np.sqrt(x[1]), 1 + x[4]) + \
        x[1] ** 1.5 * x[4] + np.sin(x[3] * x[3])
    x = np.array([0.234, 0.0, 0.683, 0.0, 0.366])
    for k, H in _hessians(f, x).items():
        assert np.isnan(H[1, 3]) or H[1, 3] == -0.5, (k, H[1, 3])
        assert np.isnan(H[3, 1]) or H[3, 1] == -0.5, (k, H[3, 1])
        np.testing.assert_array_equal(H[0], np.zeros(5))
        np.testing.assert_array_equal(H[2], np.zeros(5))


# The order through a finite gradient entry keeps exact entries beside 0 * inf:
# f = sqrt(x0) x1 + x1 x2 at (0, 0, 1): g_0 = x1 / (2 sqrt x0) = 0 * inf, g_1 = 1,
# g_2 = 0: H[0, 1] = d_0 g_1 = inf, H[0, 2] = d_0 g_2 = 0, H[1, 2] = 1 (control: exact
# before too).  With chunk=1 the upper triangle alone would take d_0 g_2 too; a chunk
# after the first run again for every row takes the other orders of its directions.

@pytest.mark.parametrize("n_extra", [0, 60])
def test_exact_entries_beside_zero_times_inf(n_extra):
    def f(x):
        return np.sqrt(x[0]) * x[1] + x[1] * x[2] + np.sum(x[3:] ** 2)
    x = np.concatenate([[0.0, 0.0, 1.0], np.linspace(0.1, 1.0, n_extra)])
    for chunk in (1, 2, None):
        H = dg.hessian(f, x.copy(), chunk=chunk)
        np.testing.assert_array_equal(H[0, 1:3], [INF, 0.0])
        np.testing.assert_array_equal(H[1:3, 0], [INF, 0.0])
        np.testing.assert_array_equal(H[1:3, 1:3], [[0.0, 1.0], [1.0, 0.0]])
        np.testing.assert_array_equal(H[3:, 3:], 2.0 * np.eye(n_extra))


# Many inputs: the default chunking (outer chunks past 48 inputs) and a singular input
# in a later chunk: hypot(sqrt(x_k), 1 + x_0) for k = 70 of 80.

def test_default_chunks_past_48_inputs():
    k, n = 70, 80

    def f(x):
        return np.hypot(np.sqrt(x[k]), 1 + x[0]) + x[0] * x[1] + 0.5 * np.sum(x[2:k] ** 2)
    x = np.full(n, 0.5)
    x[0], x[k] = 0.7, 0.0
    H = dg.hessian(f, x)
    assert np.isnan(H[0, k]) and np.isnan(H[k, 0])      # -0.173, never 0.0
    assert H[0, 1] == 1.0 and H[0, 0] == 0.0
    np.testing.assert_array_equal(H[2:k, 2:k], np.eye(k - 2))
    for chunk in (2, 7, 40):        # (chunk=1 at n = 80: 3.5x the time, no line more, fastci61)
        np.testing.assert_array_equal(dg.hessian(f, x, chunk=chunk), H)


# ---- a level wrapped around the Hessian: third derivatives -------------------------------
# x1**1.5 spelled sqrt(x1) x1 at x1 = 0: d3/dx1^3 = -3 / (8 x1**1.5) = -inf (NaN allowed:
# the Hessian's own entry is 0 * inf).  An entry whose two orders disagree is NaN with
# NaN partials, not a constant NaN whose partials (0.0) the enclosing level read.
# sqrt(x1) / (1 + x1 x3) at x1 = x3 = 0 (array spelling raised IndexError in the nested
# zero rule): d3/dx1^2 dx3 = d2/dx1^2 (-x1**1.5) = -3 / (4 sqrt(x1)) = -inf,
# d3/dx1 dx3^2 = d/dx1 (2 x1**2.5) = 0, d3/dx1^3 = 3 / (8 x1**2.5) = +inf (NaN allowed).

_THIRD = {"array": lambda x: np.sum(np.sqrt(x[[1]]) * x[[1]]) + x[0] * x[2],
          "scalar": lambda x: np.sqrt(x[1]) * x[1] + x[0] * x[2]}


@pytest.mark.parametrize("spell", sorted(_THIRD))
def test_third_derivative_never_a_constant_zero(spell):
    x = np.array([0.7, 0.0, 1.3, 0.0, 0.4])
    T = dg.jacobian(lambda y: dg.hessian(_THIRD[spell], y), x)
    assert np.isnan(T[1, 1, 1]) or T[1, 1, 1] == -INF, T[1, 1, 1]


def test_third_derivative_of_an_array_quotient():
    f = lambda x: np.sum(np.sqrt(x[[1]]) / (1.0 + x[[1]] * x[[3]])) + x[0] * x[2]
    x = np.array([0.7, 0.0, 1.3, 0.0, 0.4])
    T = dg.jacobian(lambda y: dg.hessian(f, y), x)
    assert T[1, 1, 3] == -INF          # d_3 H[1, 1]; d_1 H[1, 3] (H[1, 3] = 0 exact) -inf or NaN
    assert all(np.isnan(t) or t == -INF for t in (T[1, 3, 1], T[3, 1, 1]))
    assert np.array_equal(T[1, 3, 1], T[3, 1, 1], equal_nan=True)
    # d_3 H[1, 3]: 0 exact, NaN allowed (the Hessian's own H[1, 3] is NaN: api._undefined)
    assert (T[1, 3, 3] == 0.0 or np.isnan(T[1, 3, 3])) and T[3, 3, 1] == 0.0
    assert np.isnan(T[1, 1, 1]) or T[1, 1, 1] == INF
    assert T[0, 2, 0] == 0.0 and T[2, 0, 0] == 0.0


# ---- the sparse Hessian's sum path ------------------------------------------------------
# a pure sum (both levels colored): an element with a NaN partial (hypot's 0 * inf) goes to
# the general passes, which choose the order (its H[0, 1] was 0.0 at chunk=1 on 5b74835);
# an infinite one (sqrt(x) + x[::-1] x at zeros) stays: f holds 2 x_i x_{n-1-i}, so
# H[i, n-1-i] = 2 (n even: no middle element), H[i, i] = -x**-1.5 / 4 = -inf at the zeros.

def test_pure_sum_with_a_nan_partial():
    f = lambda x: np.sum(np.hypot(np.sqrt(x[[1]]), 1 + x[[0]]))
    x = np.array([0.7, 0.0, 1.3])
    H = dg.hessian(f, x, sparsity="auto").toarray()
    assert np.isnan(H[0, 1]) and np.isnan(H[1, 0])
    for chunk in CHUNKS:
        np.testing.assert_array_equal(dg.hessian(f, x, chunk=chunk), H)


def test_pure_sum_with_infinite_partials_stays_exact():
    d = 50
    x = np.zeros(2 * d)
    x[d:] = np.linspace(0.5, 1.5, d)
    f = lambda x: np.sum(np.sqrt(x) + x[::-1] * x)
    H = dg.hessian(f, x, sparsity=dg.hessian_sparsity(f, x)).toarray()
    expect = 2.0 * np.eye(2 * d)[::-1]
    expect[np.arange(2 * d), np.arange(2 * d)] = -0.25 * x ** -1.5
    np.testing.assert_allclose(H, expect, rtol=1e-14, atol=0)
