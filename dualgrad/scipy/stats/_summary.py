"""``scipy.stats.scoreatpercentile`` and ``trim_mean`` on duals (stats46).

SciPy's own convert a dual array with ``np.asarray`` into an object array of scalar
duals and sort it by the values only: at a run of values tied at first order (and
ordered at second order) a Hessian follows the input order (attack45 L1:
``scoreatpercentile(a, 60)`` gave diag(0, -0.8) for diag(2, 0.8)).  These sort the
array dual with ``np.sort``, which orders such a run by the second order and gives
tied slots the mean of their partials at first order (the order statistics'
convention, docs/writing-code.md), then take SciPy's formula on the sorted array.
"""

import numpy as np

from ...dispatch._lift import Dual, primal, read
from ._base import plainly, scipy_stats

__all__ = ["scoreatpercentile", "trim_mean"]


def scoreatpercentile(a, per, limit=(), interpolation_method="fraction", axis=None):
    """``scipy.stats.scoreatpercentile`` that takes dual numbers (``a`` and ``per``):
    SciPy's value, the sorted array's partials (a dual ``per`` moves the
    ``'fraction'`` weight).

    Parameters
    ----------
    a : array_like or Dual
        The data.
    per : float, sequence of floats or Dual
        Percentiles in [0, 100].
    limit : tuple, optional
        ``(lower, upper)``: only values inside (inclusive) count (read by value).
    interpolation_method : {'fraction', 'lower', 'higher'}
        SciPy's.
    axis : int, optional
        SciPy's (``None``: the flattened array).

    Returns
    -------
    Dual or ndarray
        The score; plain inputs give SciPy's own result.
    """
    if plainly(a, per):
        return scipy_stats("dualgrad.scipy.stats.scoreatpercentile").scoreatpercentile(
            a, per, limit=limit, interpolation_method=interpolation_method, axis=axis)
    a = read(a)
    v = np.asarray(primal(a))
    if v.size == 0:                                 # SciPy's NaN(s) shaped like per
        return np.nan if np.isscalar(per) else np.full(np.shape(primal(per)), np.nan)
    if limit:
        a = a[(limit[0] <= v) & (v <= limit[1])]
    sorted_ = np.sort(a, axis=axis)
    return _qth(sorted_, per, interpolation_method, 0 if axis is None else axis)


def _qth(sorted_, per, method, axis):
    """SciPy's ``_compute_qth_percentile`` on an array dual (a dual ``per`` too)."""
    pv = primal(per)
    if np.ndim(pv) > 0:
        if isinstance(per, Dual):
            return np.stack([_qth(sorted_, per[k], method, axis) for k in range(len(pv))])
        return np.stack([_qth(sorted_, p, method, axis) for p in pv])
    pv = float(pv)
    if not (0 <= pv <= 100):
        raise ValueError("percentile must be in the range [0, 100] (SciPy's rule)")
    n = np.shape(primal(sorted_))[axis]
    idx_v = pv / 100.0 * (n - 1)
    idx = per / 100.0 * (n - 1) if isinstance(per, Dual) else idx_v
    if int(idx_v) != idx_v:
        if method == "lower":
            idx = idx_v = int(np.floor(idx_v))
        elif method == "higher":
            idx = idx_v = int(np.ceil(idx_v))
        elif method != "fraction":
            raise ValueError("interpolation_method can only be 'fraction', 'lower' or "
                             "'higher' (SciPy's rule)")
    i = int(idx_v)
    if i == idx_v:                      # one order statistic (a dual per's weight 1 moves nothing)
        return np.take(sorted_, i, axis=axis)
    low = np.take(sorted_, i, axis=axis)
    high = np.take(sorted_, i + 1, axis=axis)
    total = ((i + 1) - idx_v) + (idx_v - i)         # SciPy's sum of the weights (1, rounded)
    return (low * ((i + 1) - idx) + high * (idx - i)) / total


def trim_mean(a, proportiontocut, axis=0):
    """``scipy.stats.trim_mean`` that takes dual numbers: the mean of the sorted
    array's middle ``nobs - 2 int(proportiontocut nobs)`` entries along ``axis``
    (SciPy's cut; its value to rounding: SciPy sums a partition's slice).

    Parameters
    ----------
    a : array_like or Dual
        The data.
    proportiontocut : float
        The fraction cut off each end (plain).
    axis : int or None
        SciPy's (``None``: the flattened array).

    Returns
    -------
    Dual or ndarray
        The trimmed mean; plain inputs give SciPy's own result.
    """
    if isinstance(proportiontocut, Dual):
        raise TypeError("dualgrad.scipy.stats.trim_mean: expected a plain proportiontocut "
                        "(the cut is a count, piecewise constant), got a dual. Fix: pass "
                        "dg.stop_gradient(proportiontocut) or the plain number")
    if plainly(a):
        return scipy_stats("dualgrad.scipy.stats.trim_mean").trim_mean(
            a, proportiontocut, axis=axis)
    a = read(a)
    if np.size(primal(a)) == 0:
        return np.nan
    if axis is None:
        a, axis = np.ravel(a), 0
    nobs = np.shape(primal(a))[axis]
    lowercut = int(proportiontocut * nobs)
    uppercut = nobs - lowercut
    if lowercut > uppercut:
        raise ValueError("Proportion too big. (SciPy's rule)")
    kept = np.take(np.sort(a, axis=axis), np.arange(lowercut, uppercut), axis=axis)
    return np.mean(kept, axis=axis)
