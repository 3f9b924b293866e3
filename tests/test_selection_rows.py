"""maximum, minimum, fmax, fmin on large array duals (the kernels' sizes): the partials of
the argument NumPy's own function selects, ties split evenly (tie41), NaN handling
as NumPy's (a NaN wins in maximum/minimum, is ignored by fmax/fmin), on every path.

The oracle is analytic and independent of the rule table: the selected argument is
read from NumPy's values (``out`` is ``x`` where ``x`` is chosen), and its partials
are the result's.  (rows10: the table's d/dx was rewritten as 1 - d/dy so that the
kernels compile it branch-free; these tests pin that nothing else moved.)
"""

import numpy as np
import pytest

import _oracles
import dualgrad as dg
from dualgrad.backend import _kernels

SELECT = _oracles.SELECT


def _operands(size, n, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size)
    y = rng.uniform(-1.0, 1.0, size)
    y[::5] = x[::5]                              # ties
    x[3::7] = np.nan                             # a NaN in x, in y, in both
    y[4::11] = np.nan
    y[3::77] = np.nan
    x[6::13], y[6::13] = np.inf, -np.inf
    px = rng.standard_normal((size, n))
    py = rng.standard_normal((size, n))
    return x, y, px, py


@pytest.mark.parametrize("ufunc", list(SELECT), ids=lambda u: u.__name__)
@pytest.mark.parametrize("n", [1, 4])
@pytest.mark.parametrize("size", [20000, 50])
def test_selection_partials_are_the_selected_arguments(ufunc, n, size):
    x, y, px, py = _operands(size, n, seed=n)
    got = ufunc(dg.Dual(x, px), dg.Dual(y, py))
    want_value = ufunc(x, y)
    np.testing.assert_array_equal(got.value, want_value)
    pick = SELECT[ufunc](x, y)
    # the oracle's own check: where x is picked NumPy returned x (or NaN alike)
    np.testing.assert_array_equal(np.where(pick, x, y), want_value)
    want = _oracles.selected(ufunc, x, y, px, py)
    np.testing.assert_array_equal(got.partials.reshape(size, n), want.reshape(size, n))


@pytest.mark.parametrize("ufunc", list(SELECT), ids=lambda u: u.__name__)
def test_selection_in_a_helper_matches_numpy_choice(ufunc):
    """Inside a helper (the fused engine defers large ufuncs): the Jacobian's diagonal
    blocks are the indicator of the selected argument, 1/2 at a tie."""
    x, y, _, _ = _operands(20000, 1, seed=7)
    pick = SELECT[ufunc](x, y)
    tie = x == y
    got = dg.jvp(lambda a: ufunc(a, y), x, np.ones_like(x))
    np.testing.assert_array_equal(got[1], np.where(tie, 0.5, np.where(pick, 1.0, 0.0)))
    got = dg.jvp(lambda b: ufunc(x, b), y, np.ones_like(y))
    np.testing.assert_array_equal(got[1], np.where(tie, 0.5, np.where(pick, 0.0, 1.0)))


@pytest.mark.parametrize("ufunc", list(SELECT), ids=lambda u: u.__name__)
def test_selection_kernel_and_numpy_paths_agree_bit_for_bit(ufunc):
    """inf and NaN partials, signed zeros: the kernel and NumPy's path give the same bits
    (both compute 1 * p + 0 * q)."""
    x, y, px, py = _operands(20000, 4, seed=3)
    px[::9, 1], py[::10, 2], px[::8, 3], py[::12, 0] = np.inf, np.nan, -0.0, -np.inf
    with np.errstate(all="ignore"):
        with _kernels.use("numpy"):
            want = ufunc(dg.Dual(x, px), dg.Dual(y, py))
        with _kernels.use("numba"):
            got = ufunc(dg.Dual(x, px), dg.Dual(y, py))
    np.testing.assert_array_equal(got.value, want.value)
    np.testing.assert_array_equal(got.partials.view(np.uint64) | np.uint64(1 << 63),
                                  want.partials.view(np.uint64) | np.uint64(1 << 63))
