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

The values of ``eigh`` / ``eigvalsh`` at an exactly repeated eigenvalue
(:func:`clustered`): each value of the cluster takes the cluster's mean
``trace(V_c^H dA V_c) / k``, which does not depend on LAPACK's basis inside the
cluster (``diag(V^H dA V)`` does: it is one side's derivative, ``(1, -1)`` for
``diag(1 + s, 1 - s)``), as ``np.sort`` / ``np.max`` give tied values the mean.  At
second and higher orders a direction that splits the cluster (its block of
``V^H dA V`` not a multiple of the identity) leaves the values with a kink, so no
second derivative: NaN there, as the vectors'.
"""

import numpy as np

from ..dual import Dual, make, partials_array, primal

__all__ = ["tied", "couple", "exactly_zero", "clustered", "nan_like", "NEAR"]

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
    return np.where(undefined, nan_like(C), FC)


def clustered(dw, ties, w, M, vectors=False):
    """The eigenvalues' partials ``dw`` (``diag(M)``, directions leading: ``(n, ..., m)``)
    with each run of repeated eigenvalues ``w`` (plain or dual, ``(..., m)``; the
    pairs ``ties`` of :func:`tied`, at LAPACK's resolution) given the run's mean,
    ``trace(M_cc) / k``.  ``M`` (``(n, ..., m, m)``, plain or dual) is ``V^H dA V``.

    ``vectors``: the eigenvectors are returned beside the values (``eigh``).  A
    direction whose block ``M_cc`` is diagonal (it does not mix the cluster) keeps
    ``diag(M)`` there: LAPACK's basis is then the perturbation's eigenbasis, the
    vectors' partials are exact, and only ``diag(M)`` pairs with them
    (``V f(w) V^H``, expm or sqrtm written with eigh, stays exact); a mixing
    direction (the vectors' partials NaN) takes the mean.

    Nested duals (``w`` a dual: a Hessian): NaN in value and every partial where the
    mean was taken for a direction that splits the cluster (``M_cc`` not
    ``mean * I``: the sorted values have a kink, no second derivative)."""
    same = ties | np.eye(ties.shape[-1], dtype=bool)
    k = np.count_nonzero(same, axis=-1)
    mean = np.matmul(same / k[..., None], dw[..., None])[..., 0]
    d, P = primal(dw), primal(M)
    off = same & ~np.eye(same.shape[-1], dtype=bool)
    cluster = same.astype(float)
    mixing = np.matmul(cluster, np.any(off & (P != 0), axis=-1)[..., None])[..., 0] > 0
    splitting = np.matmul(cluster, np.any(off & (d[..., :, None] != d[..., None, :]),
                                          axis=-1)[..., None])[..., 0] > 0
    taken = mixing if vectors else np.ones(mixing.shape, dtype=bool)
    out = np.where(taken, mean, dw) if vectors else mean
    if isinstance(w, Dual):
        undefined = taken & (mixing | splitting)
        if undefined.any():
            out = np.where(undefined, nan_like(mean), out)
    return out


def nan_like(x):
    """NaN in the value and every partial at every level, shaped like ``x`` (``x * nan``
    would leave 0 where a partial is 0: dualgrad's product of a zero partial and a
    non-finite factor is 0)."""
    if isinstance(x, Dual):
        return make(nan_like(x.value), nan_like(partials_array(x)), x.tag)
    return np.full(np.shape(x), np.nan)
