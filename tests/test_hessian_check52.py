"""The check of a given Hessian pattern where second derivatives are infinite or NaN
(attack51b 01b): a finite entry beside them is still checked."""

import numpy as np
import pytest
import scipy.sparse as sp

import dualgrad as dg


def _h(x):
    # d2/dx1 dx2 = 1 (the x1 x2 term); complex sqrt at 0: NaN second derivatives
    return np.sqrt(x[0] + 1j * x[1]).real + x[1] * x[2] + np.sqrt(x[3] + 0j).real * x[2]


Y = np.array([0.0, 0.0, 0.5, 0.0])


def test_a_pattern_missing_an_entry_beside_nan_ones_is_refused():
    P = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], bool))
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.hessian(_h, Y, sparsity=P)


def test_the_detected_pattern_keeps_the_finite_entry():
    H = dg.hessian(_h, Y, sparsity="auto").toarray()
    assert H[1, 2] == H[2, 1] == 1.0                 # analytic: the x1 x2 term
    assert H[0, 2] == 0.0 and H[2, 2] == 0.0


def test_a_real_twin_is_refused():
    f = lambda x: np.sqrt(x[0]) * x[1] + x[1] * x[2]          # noqa: E731
    x = np.array([0.0, 1.0, 2.0])
    P = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]], bool)      # misses (1, 2) = 1
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.hessian(f, x, sparsity=P)


def test_a_right_pattern_at_infinite_entries_is_accepted():
    g = lambda x: np.sum(np.sqrt(x)) + x[0] * x[1]            # noqa: E731
    x = np.array([0.0, 1.0, 0.0, 2.0])
    H = dg.hessian(g, x, sparsity=dg.hessian_sparsity(g, x)).toarray()
    want = np.diag([-np.inf, -0.25, -np.inf, -0.25 * 2 ** -1.5])
    want[0, 1] = want[1, 0] = 1.0
    np.testing.assert_allclose(H, want, rtol=1e-15)
    with pytest.raises(ValueError, match="misses nonzeros"):   # (0, 1) left out
        dg.hessian(g, x, sparsity=np.eye(4, dtype=bool))


@pytest.mark.parametrize("spelling", ["real", "complex"])
def test_the_detected_pattern_at_an_infinite_slope_is_computed(spelling):
    """sqrt(x0) x1 + x1 x2 at x0 = 0 (attack52b 08: refused as a dualgrad bug; before,
    H[2, 2] was a NaN the color's sum carried from sqrt's partial).  Analytic:
    H[0, 1] = x1 / (2 sqrt(x0)) = inf, H[1, 2] = 1, H[1, 1] = H[2, 2] = H[0, 2] = 0."""
    if spelling == "real":
        f = lambda x: np.sqrt(x[0]) * x[1] + x[1] * x[2]          # noqa: E731
    else:
        f = lambda x: np.sqrt(x[0] + 0j).real * x[1] + x[1] * x[2]  # noqa: E731
    H = dg.hessian(f, np.array([0.0, 2.0, 3.0]), sparsity="auto").toarray()
    want = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    np.testing.assert_array_equal(H[1:, 1:], want[1:, 1:])
    assert H[0, 2] == H[2, 0] == 0.0
    if spelling == "real":
        assert H[0, 1] == H[1, 0] == np.inf


def test_a_pattern_missing_an_infinite_entry_is_refused():
    """sqrt(x0 + x1) at 0: every second derivative is -1/4 s^(-3/2) = -inf (attack52b
    10: a diagonal pattern came back with 0 off the diagonal)."""
    g = lambda x: np.sqrt(x[0] + x[1])                           # noqa: E731
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.hessian(g, np.zeros(2), sparsity=sp.eye(2))
    assert (dg.hessian(g, np.zeros(2), sparsity="auto").toarray() == -np.inf).all()
