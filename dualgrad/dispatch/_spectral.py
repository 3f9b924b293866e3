"""The eigenvector (singular vector) coupling at exactly repeated eigenvalues.

``eigh``, ``eig`` and ``svd`` differentiate their vectors with ``dV = V (F o C)``,
``F_ij = 1 / (w_j - w_i)`` (the SVD: ``1 / (s_j^2 - s_i^2)``) and ``C`` the
perturbation in the eigenbasis (``V^H dA V``, ``V^-1 dA V``, the SVD's ``U^H dA V``).
Where two eigenvalues are exactly equal (``A = I``, ``diag(1, 1, 2)``) ``F_ij`` is
``1 / 0`` and the rule here decides the pair's term instead:

* ``0`` when the perturbation does not mix the pair, ``C_ij`` (and ``C_ji``) exactly
  zero, value and, for nested duals, every partial: the chosen basis stays an
  eigenbasis to first order, so the derivative given is exact;
* ``NaN`` (value and every partial) otherwise: the vectors have no derivative there
  (the basis inside the repeated block is LAPACK's choice, not a function of the
  matrix), and a function of them that is smooth (``V diag(f(w)) V^H``) needs the
  divided difference that the vectors alone cannot give.  NaN is the signal; a
  number (the old ``F_ij = 0``) was silently wrong.

The pairs ``i == j`` (the diagonal) are not gaps and are left to the callers.

"Exactly equal" is read at LAPACK's resolution: eigenvalues that are equal in exact
arithmetic come back a few units in the last place apart (benzene's Hückel matrix:
``-1`` and ``-1 + 2.2e-16``), and below ``|w_j - w_i| <= NEAR * m * eps * max|w|`` the
computed vectors inside the pair are rounding's choice as much as at an exact tie
(their error is about ``eps ||A|| / gap``).  Taken as distinct, ``F_ij = 1 / gap``
(``4.5e15``) times an O(1) coupling left O(1) garbage where the pair's two terms should
cancel: finite, silently wrong first derivatives of ``C_occ C_occ^T`` and Hessians of
``sum(eigvalsh(A) ** 2)`` (user43's benzene).  Such pairs are tied here too.
"""

import numpy as np

from ..dual import Dual, partials_array, primal

__all__ = ["tied", "couple", "exactly_zero", "NEAR"]

NEAR = 8.0           # a pair within NEAR * m * eps * max|w| is tied (LAPACK's resolution)


def tied(gap, w=None):
    """The pairs ``i != j`` whose gap (a plain or dual ``(..., m, m)`` array) is
    zero, as a plain boolean array; ``None`` where there is none (the ordinary case:
    the callers then skip this module's work, bit for bit).  With ``w`` (the
    ``(..., m)`` eigenvalues, or squared singular values, the gaps are differences
    of), a gap within ``NEAR * m * eps * max|w|`` of zero counts as zero (the
    module's docstring)."""
    g = primal(gap)
    if w is None:
        ties = g == 0.0
    else:
        size = np.abs(primal(w))
        scale = np.max(size, axis=-1, keepdims=True)[..., None] if size.shape[-1] else 0.0
        ties = np.abs(g) <= NEAR * size.shape[-1] * np.finfo(np.float64).eps * scale
    if np.count_nonzero(ties) == np.count_nonzero(np.diagonal(ties, axis1=-2, axis2=-1)):
        return None                      # (two counts: the cheapest test, ~2 us at 4 x 4)
    k = np.arange(ties.shape[-1])
    ties[..., k, k] = False
    return ties


def exactly_zero(x):
    """Plain boolean array, ``True`` where ``x`` (maybe a nested dual) is zero in its
    value and in every partial at every level."""
    if isinstance(x, Dual):
        return exactly_zero(x.value) & np.all(exactly_zero(partials_array(x)), axis=-1)
    return np.asarray(x) == 0


def couple(FC, C, ties):
    """``FC`` (the product ``F o C``, stacked directions in front) with each tied
    pair's term replaced: kept (``F_ij = 0`` there, so ``0``) where ``C_ij`` and
    ``C_ji`` are exactly zero, NaN in value and every partial otherwise."""
    if ties is None:
        return FC
    zero = exactly_zero(C)
    zero &= np.swapaxes(zero, -1, -2)
    undefined = ties & ~zero
    if not undefined.any():
        return FC
    return np.where(undefined, C * np.nan, FC)
