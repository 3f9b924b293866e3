"""Dense Hessians beside an infinite inner partial (attack54 09, 12): the nested scalar
quotient's 0 * inf, and entries that depended on ``chunk=``.

Oracle: closed forms, written by hand at each point (comments); the one-sided limits
of the finite entries' formulas where sqrt's argument is 0.
"""
import numpy as np
import pytest

import dualgrad as dg

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

INF = np.inf
CHUNKS = (1, 2, 3, 4, 5, None)

_DIV = {"operator": lambda a, b: a / b, "np.divide": np.divide,
        "np.true_divide": np.true_divide, "times reciprocal": lambda a, b: a * (1.0 / b)}


def _both(f, x):
    """The dense Hessian and the sparse one (sparsity="auto"), as arrays."""
    return dg.hessian(f, x.copy()), dg.hessian(f, x.copy(), sparsity="auto").toarray()


# ---- 09: f = sqrt(x0) / (1 + x1) + x1 x2 at (0, 0, 1) ------------------------------------
# f_00 = -1 / (4 x0**1.5 (1 + x1)) = -inf, f_01 = -1 / (2 sqrt(x0) (1 + x1)**2) = -inf,
# f_02 = 0 (x0 and x2 never meet), f_11 = 2 sqrt(x0) / (1 + x1)**3 = 0, f_12 = 1, f_22 = 0

@pytest.mark.parametrize("spell", sorted(_DIV))
def test_quotient_zero_entry_beside_infinite_slope(spell):
    div = _DIV[spell]
    f = lambda x: div(np.sqrt(x[0]), 1.0 + x[1]) + x[1] * x[2]
    for H in _both(f, np.array([0.0, 0.0, 1.0])):
        np.testing.assert_array_equal(H, [[-INF, -INF, 0.0], [-INF, 0.0, 1.0], [0.0, 1.0, 0.0]])


# g = sqrt(x0) / (1 + x1) + x0 x2 at (0, 0, 2): g_02 = 1 (finite, nonzero), g_12 = 0

@pytest.mark.parametrize("spell", sorted(_DIV))
def test_quotient_finite_entry_beside_infinite_slope(spell):
    div = _DIV[spell]
    g = lambda x: div(np.sqrt(x[0]), 1.0 + x[1]) + x[0] * x[2]
    for H in _both(g, np.array([0.0, 0.0, 2.0])):
        assert H[0, 2] == 1.0 and H[2, 0] == 1.0
        np.testing.assert_array_equal(H[1:, 1:], [[0.0, 0.0], [0.0, 0.0]])


# h = x0**0.5 / x2 + x1**2 at (0, 0, 1): h_00 = -1 / (4 x0**1.5 x2) = -inf,
# h_02 = -1 / (2 sqrt(x0) x2**2) = -inf, h_01 = h_12 = 0, h_11 = 2, h_22 = 2 sqrt(x0) / x2**3 = 0

def test_power_over_input():
    h = lambda x: x[0] ** 0.5 / x[2] + x[1] ** 2
    for H in _both(h, np.array([0.0, 0.0, 1.0])):
        np.testing.assert_array_equal(H, [[-INF, 0.0, -INF], [0.0, 2.0, 0.0], [-INF, 0.0, 0.0]])


# the reflected quotient: k = 1 / (1 + sqrt(x0)) + x1 x2 at (0, 0, 1):
# k_00 = x0**-1.5 / (4 (1 + s)**2) + 1 / (2 x0 (1 + s)**3) = +inf, k_01 = k_02 = 0

def test_reflected_quotient():
    k = lambda x: 1.0 / (1.0 + np.sqrt(x[0])) + x[1] * x[2]
    for H in _both(k, np.array([0.0, 0.0, 1.0])):
        np.testing.assert_array_equal(H, [[INF, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])


# ---- 12: one entry, every chunk ------------------------------------------------------------
# f = sqrt(x3) / (1 + x3) + x0 / (1 + x4**2) + x0**2 + x0 x3 at x0 = x3 = 0:
# row 0: f_00 = 2, f_01 = f_02 = 0, f_03 = 1, f_04 = -2 x4 / (1 + x4**2)**2;
# rows 1, 2: 0; f_34 = 0, f_44 = x0 (6 x4**2 - 2) / (1 + x4**2)**3 = 0

@pytest.mark.parametrize("chunk", CHUNKS)
def test_quotient_entry_every_chunk(chunk):
    x = np.array([0.0, 1.75767303, 0.86607791, 0.0, 0.50928785])
    f = lambda x: np.sqrt(x[3]) / (1.0 + x[3]) + x[0] / (1.0 + x[4] * x[4]) + x[0] * x[0] + \
        x[0] * x[3]
    H = dg.hessian(f, x.copy(), chunk=chunk)
    x4 = x[4]
    row = [2.0, 0.0, 0.0, 1.0, -2.0 * x4 / (1.0 + x4 * x4) ** 2]
    np.testing.assert_allclose(H[0], row, rtol=1e-14, atol=0)
    np.testing.assert_allclose(H[:, 0], row, rtol=1e-14, atol=0)
    np.testing.assert_array_equal(H[1:3], np.zeros((2, 5)))
    assert H[3, 4] == 0.0 and H[4, 4] == 0.0


# ---- a structural zero beside another direction's seed -------------------------------------
# at (0.3, 0, 0, 0, 0) (x4 = 0, so d/dx0 of each first term is identically 0 in x3):
# sqrt(x3) / (1 + x0 x4): d/dx0 = -sqrt(x3) x4 / (1 + x0 x4)**2 = 0 for every x3: H[0, 3] = 0,
# H[0, 4] = -sqrt(x3) = 0; sqrt(x3) (1 + x0 x4): d/dx0 = sqrt(x3) x4: H[0, 3] = 0, H[0, 4] = 0;
# 1 / (1 + sqrt(x3) + x0 x4): d/dx0 = -x4 / D**2: H[0, 3] = 0, H[0, 4] = -1 / D**2 = -1.
# Plus x0 x1 in each: H[0, 1] = 1.  chunk=1 seeded x3 and x4 apart (0); together, x4's
# seed made the outer partial nonzero and the inner 0 * inf NaN.

_SEEDED = {"a / b": (lambda x: np.sqrt(x[3]) / (1.0 + x[0] * x[4]), 0.0),
           "np.divide": (lambda x: np.divide(np.sqrt(x[3]), 1.0 + x[0] * x[4]), 0.0),
           "a * b": (lambda x: np.sqrt(x[3]) * (1.0 + x[0] * x[4]), 0.0),
           "1 / b": (lambda x: 1.0 / (1.0 + np.sqrt(x[3]) + x[0] * x[4]), -1.0)}


@pytest.mark.parametrize("spell", sorted(_SEEDED))
@pytest.mark.parametrize("chunk", CHUNKS + ("sparse",))
def test_structural_zero_beside_other_seed(spell, chunk):
    term, h04 = _SEEDED[spell]
    f = lambda x: term(x) + x[0] * x[1]
    x = np.array([0.3, 0.0, 0.0, 0.0, 0.0])
    H = dg.hessian(f, x, sparsity="auto").toarray() if chunk == "sparse" else \
        dg.hessian(f, x, chunk=chunk)
    np.testing.assert_array_equal(H[0], [0.0, 1.0, 0.0, 0.0, h04])
    np.testing.assert_array_equal(H[:, 0], [0.0, 1.0, 0.0, 0.0, h04])


# ---- the array kind: the same rule per inner direction -------------------------------------
# f = sum(sqrt(x[[1]]) / (1 + x[[1]] x[[3]])) + x0 x2 at (0.7, 0, 1.3, 0, 0.4):
# f_11 = -1 / (4 x1**1.5) + ... = -inf, f_13 = -3 sqrt(x1) / 2 + ... = 0, f_33 = 2 x1**2.5 / D**3 = 0,
# f_02 = 1, every other entry 0.  (x3's seed beside x1's made f_13 NaN.)

@pytest.mark.parametrize("chunk", CHUNKS + ("sparse",))
def test_array_quotient_every_chunk(chunk):
    f = lambda x: np.sum(np.sqrt(x[[1]]) / (1.0 + x[[1]] * x[[3]])) + x[0] * x[2]
    x = np.array([0.7, 0.0, 1.3, 0.0, 0.4])
    H = dg.hessian(f, x, sparsity="auto").toarray() if chunk == "sparse" else \
        dg.hessian(f, x, chunk=chunk)
    expect = np.zeros((5, 5))
    expect[1, 1] = -INF
    expect[0, 2] = expect[2, 0] = 1.0
    np.testing.assert_array_equal(H, expect)
