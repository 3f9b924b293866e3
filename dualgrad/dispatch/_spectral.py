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

"Exactly equal" is read at LAPACK's resolution (:func:`resolution`): eigenvalues equal
in exact arithmetic come back a few units in the last place apart (benzene's Hückel
matrix: ``-1`` and ``-1 + 2.2e-16``; every symmetric molecule, ring, cubic crystal).
LAPACK's symmetric eigensolvers are backward stable, the computed values exact for
``A + E`` with ``||E|| <= p(m) eps ||A||`` (``p`` a modest function of the order ``m``),
so by Weyl's inequality an exact tie comes back at most ``2 p(m) eps ||A||`` apart.
Two values within ``NEAR * m * eps * max|w|`` (``NEAR = 8``) are tied: measured, a
planted degeneracy under a random orthogonal similarity comes back at most
``2.0 m eps max|w|`` apart (m = 4; 0.15 at m = 200), rings, cubic lattices and the
squared singular values at most 0.7; genuine gaps of random symmetric matrices are
``1e9`` times the tolerance or more (bench/MISSES.md, eigen43).  Taken as distinct,
``F_ij = 1 / gap`` (``4.5e15``) times an O(1) coupling gave finite, wrong numbers.

At such a near tie ``C_ij`` is computed, not exactly zero: a coupling within
``NEAR * m * eps * max|C|`` (``C``'s largest entry over every direction, at that level
of a nested dual) is rounding's (:func:`negligible`), the pair's term is then 0, as at
an exact tie where ``C_ij`` is 0 (a perturbation that keeps the symmetry, benzene's
uniform scaling, keeps numbers); a larger one gives NaN.  A direction whose whole
``C`` is rounding (a rotation ``C(s) A C(s)^T`` at a cluster, ``[K, I] = 0`` computed
to 1e-16) thus mixes nothing (spectral45: it made the vectors' partials NaN and, in
a Hessian, every value of the cluster).  Where ``A`` is exactly block diagonal a
value's resolution is its own blocks' (:func:`block_scale`).

The values of ``eigh`` / ``eigvalsh`` at an exactly repeated eigenvalue
(:func:`clustered`): each value of the cluster takes the cluster's mean
``trace(V_c^H dA V_c) / k``, which does not depend on LAPACK's basis inside the
cluster (``diag(V^H dA V)`` does: it is one side's derivative, ``(1, -1)`` for
``diag(1 + s, 1 - s)``), as ``np.sort`` / ``np.max`` give tied values the mean.  At
second and higher orders a direction that splits the cluster (its block of
``V^H dA V`` not a multiple of the identity) leaves the values with a kink, so no
second derivative: NaN there, as the vectors'.  A cluster that the first order leaves
whole and the second splits (``diag(1 + x + x^2, 1 + x)``: the mean gave 1 and 1, the
truth is 2 for the larger, 0 for the smaller) is ordered by the second order as
``np.sort`` orders a tied run (:func:`_higher`), or NaN where that is not decidable.
A value NaN-marked in one direction (a kink) is NaN in the other directions' entries
too unless the cluster's block there is uniform (:func:`_marked`).  ``eig`` /
``eigvals`` take the same rules with ``V^-1 dA V`` (:func:`clustered_general`).

A general matrix's eigenvalue is resolved to ``eps`` times its sensitivity
(:func:`sensitivity`, ``|y|^T |A| |x| / |y^H x|``), not ``eps max|w|``: a non-normal
matrix's rounding splits an eigenvalue repeated in exact arithmetic by ``1e-14 ..
1e-10`` (``S diag(1, 1, 3) S^-1``), and the pair, taken as two simple eigenvalues,
had derivatives valid only for steps below ``1e-15`` (a gradient of ``max(w.real)``
outside every one-sided derivative: attack46b 04, 05, 08).  ``eig`` / ``eigvals`` tie
pairs within ``NEAR * m * eps`` times the larger of the pair's sensitivities (eig47).

Those tolerances are a priori bounds, for the worst pair of the worst matrix of the
order; the values of ``eig`` / ``eigvals`` / ``eigh`` / ``eigvalsh`` (and ``svd``'s
singular values, by the Hermitian dilation ``[[0, A], [A^H, 0]]``) then keep a pair tied
only within ``NEAR`` times what its own residuals allow rounding's split
(:func:`resolved`, eig49): a close distinct pair that LAPACK resolves (``6e-11`` apart
beside ``1e3``, ``m = 40``: the mean's ``[0.5, 0.5]`` for ``[1, 0]``) has its own
derivatives.  The vectors keep the a priori ties (their pair term is rounding's turn of
the pair over the gap twice).
"""

import numpy as np

from .. import errors
from ..dual import DIAGONAL, Dual, make, partials_array, primal
from . import _second_order

__all__ = ["tied", "resolved", "sensitivity", "second_order_size", "block_scale", "couple",
           "exactly_zero", "negligible", "clustered", "clustered_general", "cluster_means",
           "conjugate_pairs", "split_members", "inverse_gaps", "nan_like", "resolution",
           "NEAR"]

NEAR = 8.0       # ties within NEAR * m * eps * max|w| (the module's docstring)
_TURN = 0.7548776662466927   # complex clusters: the candidates' order, by Re + _TURN Im
_EPS = np.finfo(np.float64).eps


def resolution(w):
    """The tie tolerance ``NEAR * m * eps * max|w|`` of the eigenvalues (or squared
    singular values) ``w`` (plain or dual, ``(..., m)``), shaped ``(..., 1, 1)``."""
    v = np.abs(primal(w))
    m = v.shape[-1]
    top = np.max(v, axis=-1) if m else np.zeros(v.shape[:-1])
    return (NEAR * m * _EPS * top)[..., None, None]


def _same(w, scale=None):
    """Plain ``(..., m, m)`` boolean array, ``True`` where ``w_i`` and ``w_j`` are tied
    (the diagonal included): within :func:`resolution` of each other (with ``scale``, the
    values' own scales (``(..., m)``, :func:`block_scale`): ``NEAR * m * eps`` times the
    larger of the two), and for sorted real values (eigh, svd) whole runs whose
    consecutive gaps are, so that a cluster is one (transitive) block."""
    v = primal(w)
    tol = resolution(v)
    if scale is not None:
        m = v.shape[-1]
        tol = NEAR * m * _EPS * np.maximum(scale[..., :, None], scale[..., None, :])
    if not np.iscomplexobj(v) and v.shape[-1] > 1:
        step = np.diff(v, axis=-1)
        if np.all(step >= 0) or np.all(step <= 0):
            cut = np.abs(step) > (tol[..., 0] if scale is None else
                                  np.diagonal(tol, offset=1, axis1=-2, axis2=-1))
            label = np.concatenate([np.zeros(v.shape[:-1] + (1,), dtype=np.intp),
                                    np.cumsum(cut, axis=-1)], axis=-1)
            return label[..., :, None] == label[..., None, :]
    return np.abs(v[..., :, None] - v[..., None, :]) <= tol


def block_scale(A, V):
    """The scale of each eigenvalue of a block-diagonal ``A`` (2-D, plain or dual; ``V``
    its eigenvectors): ``max|w|`` of :func:`resolution` is of the whole matrix, but
    LAPACK's reductions keep the exact zeros between diagonal blocks (a diagonal matrix's
    eigenvalues are its entries, bits and all), so each eigenvalue is as exact as its own
    block: the largest absolute row sum of the blocks its vector touches (:func:`tied`
    takes at most ``max|w|``).  ``None`` where ``A`` is one block (or a stack: the
    whole-matrix tolerance then).  A pair ``1e-7`` apart beside ``1e8`` in
    ``diag(1 + x, 1 + 1e-7, 1e8)`` is then resolved (attack44 repro_13: the slopes 0.5,
    0.5 where they are 1, 0); a dense matrix keeps the whole matrix's tolerance (its
    rounding is ``eps ||A||``), and so do blocks that interleave (``[[a, 0, b], [0, L,
    0], [b, 0, c]]``: a Householder reflection of column 0 mixes rows 1 and 2)."""
    a, v = primal(A), primal(V)
    if a.ndim != 2 or a.shape[0] < 2 or v.shape != a.shape:
        return None
    nz = (a != 0) | (a != 0).T
    idx = np.arange(a.shape[0])
    last = np.max(np.where(nz, idx, idx[:, None]), axis=1)
    ends = np.maximum.accumulate(last) == idx    # nothing couples past i: a block ends
    if np.count_nonzero(ends) < 2:
        return None
    label = np.concatenate([[0], np.cumsum(ends)[:-1]])
    norm = np.zeros(label[-1] + 1)
    np.maximum.at(norm, label, np.sum(np.abs(a), axis=1))
    return np.max(np.where(v != 0, norm[label][:, None], 0.0), axis=0)


def tied(gap, w=None, scale=None, kappa=None):
    """The pairs ``i != j`` whose gap (a plain or dual ``(..., m, m)`` array) is zero,
    as a plain boolean array; ``None`` where there is none (the ordinary case: the
    callers then skip this module's work, bit for bit).  With ``w`` (the ``(..., m)``
    values the gaps are differences of) zero means within :func:`resolution`, or with
    ``scale`` (a function giving :func:`block_scale`'s, called only past the fast path)
    within each pair's own blocks' resolution.  ``kappa`` (``(..., m)``, a general
    matrix's eigenvalues: :func:`sensitivity`) widens each pair's resolution to
    ``NEAR * m * eps * max(kappa_i, kappa_j)`` where that is larger, and the ties are
    then closed transitively (a cluster of three whose outer pair is just apart is one
    cluster)."""
    if w is None:
        ties = primal(gap) == 0.0
    else:
        v = primal(w)
        if v.ndim == 1 and v.size > 1 and v.dtype == np.float64:   # the common case, fast
            step = v[1:] - v[:-1]
            top = max(-v.min(), v.max())
            if kappa is not None:
                top = max(top, float(np.max(kappa)))
            tol = NEAR * v.size * _EPS * top
            if step.min() > tol or step.max() < -tol:
                return None              # sorted, every gap resolved (~5 us)
            if step.min() < 0 < step.max() and np.diff(np.sort(v)).min() > tol:
                return None              # eig's order: every gap resolved
        scale = scale() if scale is not None else None      # (after the fast path)
        if scale is not None:
            scale = np.minimum(scale, np.max(np.abs(v), axis=-1, keepdims=True))
        if kappa is not None:
            base = scale if scale is not None else np.max(np.abs(v), axis=-1, keepdims=True)
            scale = np.maximum(base, kappa)
        ties = _same(v, scale)
        if kappa is not None:
            ties = _closed(ties)
    if np.count_nonzero(ties) == np.count_nonzero(np.diagonal(ties, axis1=-2, axis2=-1)):
        return None                      # (two counts: the cheapest test, ~2 us at 4 x 4)
    k = np.arange(ties.shape[-1])
    ties[..., k, k] = False
    return ties


def resolved(ties, A, w, V, Vi, most=64, unitary=False):
    """``ties`` (:func:`tied`'s, of a general matrix's eigenvalues ``w``; ``A`` its
    matrix, ``V`` / ``Vi`` the eigenvectors and their inverse) less the pairs whose gap
    LAPACK resolves by their own residuals: ``None`` where none is left.

    :func:`tied`'s tolerance ``NEAR * m * eps * max(max|w|, kappa)`` is an a priori
    bound of rounding's split, for the worst eigenvalue of the worst matrix of the
    order; a normal matrix with ``|w|`` up to ``1e3`` and ``m = 40`` tied a pair ``6e-11``
    apart that LAPACK gets to ``2e-15`` (attack48b 04c: its gradient the pair's mean,
    ``[1, 1]`` for ``[2, 0]``).  Each computed pair ``(w_i, x_i)`` is an exact eigenpair
    of ``A - r_i x_i^H / |x_i|^2`` (``r_i = A x_i - w_i x_i``), so to first order it lies
    within ``||P|| |r_i| / |x_i|`` of an exact eigenvalue of ``A`` (``P = X_c Y_c^H`` the
    spectral projector of ``w_i``'s cluster: ``||P|| <= ||X_c|| ||Y_c||``, the columns
    ``x_c`` of ``V`` and the rows ``y_c^H`` of ``V^-1`` of the cluster, 1 for a normal
    matrix).  Copies of one eigenvalue are then
    at most ``||P|| (rho_i + rho_j)`` apart (``rho = |r| / |x|``); a pair tied a priori
    stays tied unless its gap exceeds ``NEAR`` times that.  The residuals are taken in
    ``np.longdouble`` (80-bit on x86: their own rounding, bounded and added, is then
    ``2^-11`` of float64's; where it is float64 the bound is :func:`tied`'s again, and
    nothing is resolved).  A defective cluster (a Jordan block: ``||P|| ~ 1/sqrt(eps)``),
    an exact tie (gap 0) and a singular ``V`` (``V^-1`` not finite) stay tied, so do
    clusters with more than ``most`` members (the residuals' ``m^2`` products a member in
    ``longdouble``).  So do pairs within ``NEAR`` ulps of themselves, with no residual
    taken (a benzene ring's copies, ``2.2e-16`` apart): each ``w_i`` is rounded to
    float64, ``|w_i - lambda|`` up to half an ulp, which its residual carries.
    ``A`` may be a function giving it.  ``unitary``: ``V`` is unitary (``eigh``),
    ``||P|| = 1``.  Measured:
    ``PYTHONPATH=. python bench/eig_tie_resolution.py``'s residual columns (the largest
    split of a repeated eigenvalue over its ``||P|| (rho_i + rho_j)``, how many
    repeated eigenvalues it unties, how many close distinct pairs it leaves tied)."""
    v = primal(w)
    if v.ndim != 1:
        return ties
    gap = np.abs(v[:, None] - v[None, :])
    size = np.abs(v)
    near = gap <= NEAR * _EPS * np.maximum(size[:, None], size[None, :])
    members = np.any(ties & ~near, axis=0)          # (m,)
    idx = np.flatnonzero(members)
    if not idx.size or idx.size > most:
        return ties
    a = primal(A() if callable(A) else A)       # (eigh's: built past this point)
    x = primal(V)
    m = v.size
    big = np.clongdouble if np.iscomplexobj(a) or np.iscomplexobj(x) else np.longdouble
    xs = x[:, idx]
    xc = xs.astype(big)
    with np.errstate(all="ignore"):
        r = _banded_product(a, xc, big) - xc * v[idx].astype(big)
        size = np.abs(a) @ np.abs(xs) + np.abs(xs) * np.abs(v[idx])
        xn = np.sqrt(np.sum(np.abs(xs) ** 2, axis=0))
        rho = np.sqrt(np.sum(np.abs(r).astype(np.float64) ** 2, axis=0)) + \
            (m + 2) * np.finfo(np.longdouble).eps * np.sqrt(np.sum(size ** 2, axis=0))
        rr = np.zeros(m)
        rr[idx] = rho / xn
        same = ties | np.eye(m, dtype=bool)
        if unitary:
            K = np.ones(m)
        else:
            K = np.full(m, np.inf)
            yi = primal(Vi)
            for c in np.unique(np.argmax(same[idx], axis=-1)):   # each cluster once
                cl = np.flatnonzero(same[c])
                X = x[:, cl] / np.sqrt(np.sum(np.abs(x[:, cl]) ** 2, axis=0))
                Y = yi[cl, :] * np.sqrt(np.sum(np.abs(x[:, cl]) ** 2, axis=0))[:, None]
                gx, gy = X.conj().T @ X, Y @ Y.conj().T                 # y_c^H x_c = 1
                if np.all(np.isfinite(gx)) and np.all(np.isfinite(gy)):
                    K[cl] = np.sqrt(np.linalg.eigvalsh(gx)[-1] * np.linalg.eigvalsh(gy)[-1])
        tol = NEAR * np.maximum(K[:, None], K[None, :]) * (rr[:, None] + rr[None, :])
        keep = ties & (near | ~(gap > tol))         # (NaN: kept; near pairs: rounding)
    keep = _closed(keep | np.eye(m, dtype=bool)) & ties
    if not keep.any():
        return None
    return keep


def sensitivity(A, V, Vi):
    """``(..., m)``: each eigenvalue's componentwise sensitivity ``|y_i|^T |A| |x_i| /
    |y_i^H x_i|`` (``x_i`` the columns of ``V``, ``y_i^H`` the rows of ``Vi = V^-1``, so
    ``y_i^H x_i = 1``), the scale of rounding's error in ``w_i``: LAPACK's ``eig`` is
    exact for a perturbed ``A`` (balanced first), and a relative perturbation of the
    entries moves ``w_i`` by ``eps`` times this to first order.  For a normal matrix it
    is at most ``max|w|`` (:func:`resolution`'s scale); for a non-normal one it grows
    with the eigenvalue's condition number, and so does rounding's split of an
    eigenvalue repeated in exact arithmetic (``S diag(1, 1, 3) S^-1``: ``1e-14 ..
    1e-10`` apart for ``cond(S)`` ``1e1 .. 1e4``, eig47).  Measured
    (``python bench/eig_tie_resolution.py --trials 10000``): the split of a repeated
    eigenvalue (double and triple, real and complex, ``m = 3 .. 24``, ``cond(S)`` up to
    ``1e4``, rows scaled by up to ``1e3``) is at most ``4.8 m eps max(max|w|, kappa_i,
    kappa_j)`` (:func:`tied`'s tolerance: ``NEAR = 8`` of it), and the gaps of random
    matrices (dense, triangular, badly scaled) at least ``2e8`` times it.
    Unlike ``cond(V) ||A||`` it does not change under a diagonal similarity (a badly
    scaled matrix, whose eigenvalues balancing resolves), nor count the zeros of a
    triangular matrix, whose eigenvalues LAPACK gets exactly."""
    av = np.abs(primal(A)) @ np.abs(primal(V))
    k = np.sum(np.abs(primal(Vi)) * np.swapaxes(av, -1, -2), axis=-1)
    if not np.isfinite(k).all():         # (a singular V: the plain resolution)
        k = np.where(np.isfinite(k), k, 0.0)
    return k


def second_order_size(A, V, Vi):
    """``(...)`` or ``None``: the scale of rounding in the second-order parts of ``M =
    V^-1 dA V`` (``A`` a dual of duals: a Hessian; ``None`` otherwise), as a size of
    ``M``'s entries (:func:`_higher` takes ``NEAR * m * eps`` of it, times its basis's
    condition number): ``max|A''| max_i sum_j |V^-1_ij| max_j sum_i |V_ij| / m``,
    the bound of ``|V^-1| |A''| |V|`` over ``m``, so at most ``max|A''|`` for a unitary
    ``V``.  For a non-normal ``V`` it is far above ``max|M''|`` (``cond(V) ~ 350``: the
    members' real parts equal to ``3e-11``, against a tolerance of ``4e-12`` from
    ``M``'s own entries), and rounding's differences decided an order (eig47)."""
    if not isinstance(A, Dual) or not isinstance(partials_array(A), Dual):
        return None
    second = np.abs(primal(partials_array(partials_array(A))))      # (..., m, m, n, r)
    top = np.max(second, axis=(-4, -3, -2, -1)) if second.size else 0.0
    v, vi = np.abs(primal(V)), np.abs(primal(Vi))
    m = v.shape[-1]
    grow = np.max(np.sum(vi, axis=-1), axis=-1) * np.max(np.sum(v, axis=-2), axis=-1) / m
    out = top * grow
    return np.where(np.isfinite(out), out, 0.0)


def _banded_product(a, x, big):
    """``a.astype(big) @ x`` (``a`` a plain ``(m, m)`` matrix, ``x`` ``(m, k)`` of dtype
    ``big``), bit for bit.  NumPy has no BLAS for ``longdouble``: its matmul sums
    ``a_ij x_jk`` over ``j`` in order, one product and one sum at a time, from 0 (3-5 ms
    at m = 300, k = 8).  Where ``a`` is real and banded (bandwidth ``b``, under ``m /
    8``) and ``x`` finite, the same sums in the same order skip only the products
    ``0 * x_jk``, each a zero that leaves a nonzero sum as it is (an all-zero sum may
    keep another sign: :func:`resolved` reads its size): ``2 b + 1`` vector products,
    diagonal by diagonal, ``j`` rising for every row (a tridiagonal matrix, the
    finite-difference Hamiltonians of corpus64's square well: ~0.45 ms)."""
    m = a.shape[-1]
    if a.ndim == 2 and m >= 32 and a.dtype == np.float64 and big is np.longdouble and \
            x.ndim == 2 and np.isfinite(x).all():
        rows, cols = np.nonzero(a)
        b = int(np.max(np.abs(rows - cols))) if rows.size else 0
        if 8 * b < m:
            out = np.zeros(x.shape, dtype=big)
            for d in range(-b, b + 1):          # a_i,i+d x_i+d: j = i + d rising
                lo, hi = max(0, -d), min(m, m - d)
                out[lo:hi] += np.diagonal(a, d).astype(big)[:, None] * x[lo + d:hi + d]
            return out
    return a.astype(big) @ x


def _closed(ties):
    """The transitive closure of the boolean relation ``ties`` (``(..., m, m)``, the
    diagonal ``True``): each cluster one block.  A 2-D relation's members with no pair
    off the diagonal keep their row and column as they are (every path between two
    others avoids them): the squarings run on the others' block alone, the same
    steps (``m`` = 300 with a few pairs: ~1 ms a squaring of the whole, corpus64's
    square well)."""
    m = ties.shape[-1]
    if ties.ndim == 2 and m >= 32:
        off = ties & ~np.eye(m, dtype=bool)
        some = np.flatnonzero(off.any(axis=0) | off.any(axis=1))
        if some.size < m // 2:
            block = np.ix_(some, some)
            out = ties.copy()
            out[block] = _squared(ties[block], m)
            return out
    return _squared(ties, m)


def _squared(ties, m):
    """:func:`_closed`'s squarings of ``ties`` until nothing changes (or ``m`` is
    reached)."""
    step = 1
    while step < m:
        wider = np.matmul(ties.astype(np.float64), ties.astype(np.float64)) > 0
        if np.array_equal(wider, ties):
            break
        ties, step = wider, 2 * step
    return ties


def exactly_zero(x):
    """Plain boolean array, ``True`` where ``x`` (maybe a nested dual) is zero in its
    value and in every partial at every level."""
    if isinstance(x, Dual):
        return exactly_zero(x.value) & np.all(exactly_zero(partials_array(x)), axis=-1)
    return np.asarray(x) == 0


def negligible(x, axes=(-2, -1), whole=False):
    """Plain boolean array, ``True`` where the matrix entries of ``x`` (maybe a nested
    dual; the matrix axes ``axes``) are within ``NEAR * m * eps`` of the matrix's
    largest entry in value and in every partial at every level (rounding's size in
    ``V^H dA V``); exactly zero ones always are.

    ``whole``: of the largest entry of every direction (axis 0: ``V^H dA V`` of each
    direction, stacked) and, at the levels below, of every partial: a direction whose
    whole perturbation is rounding (a rotation's commutator ``[K, I]`` computed to
    ``1e-16``) does not mix a cluster that another direction's O(1) leaves whole.  (The
    directions' scales are the user's; one ``1e16`` times smaller than another, and not
    rounding, would count as rounding too.)"""
    ndim = len(np.shape(primal(x)))
    axes = tuple(a % ndim for a in axes)
    return _negligible(x, axes, (0,) if whole and ndim > len(axes) else ())


def _negligible(x, axes, over):
    if isinstance(x, Dual):
        p = partials_array(x)
        more = over + (np.ndim(primal(p)) - 1,) if over else over
        return _negligible(x.value, axes, over) & np.all(_negligible(p, axes, more), axis=-1)
    a = np.abs(np.asarray(x))
    if a.size == 0:
        return a == 0
    m = max(a.shape[axes[0]], a.shape[axes[1]])
    return a <= NEAR * m * _EPS * np.max(a, axis=axes + over, keepdims=True)


def inverse_gaps(gap):
    """``F = 1 / gap`` (``gap``: ``w_j - w_i``, plain or dual), 0 where the gap is
    exactly 0 (the diagonal, exact ties: :func:`couple` decides those)."""
    zero = primal(gap) == 0.0
    return np.where(zero, 0.0, 1.0 / np.where(zero, 1.0, gap))


def couple(FC, C, ties):
    """``FC`` (the product ``F o C``, stacked directions in front) with each tied
    pair's term replaced: 0 where ``C_ij`` and ``C_ji`` are zero to rounding
    (:func:`negligible`: exactly zero at an exact tie, where ``F_ij = 0``; at a near
    tie ``F_ij = 1 / gap`` times rounding would be O(1) noise), NaN in value and
    every partial otherwise."""
    if ties is None:
        return FC
    if _at_pairs(C, ties) and type(FC) is np.ndarray and FC.shape == C.shape:
        return _couple_pairs(FC, C, ties)
    zero = negligible(C, whole=True)
    zero &= np.swapaxes(zero, -1, -2)
    undefined = ties & ~zero
    if undefined.any():
        FC = np.where(undefined, nan_like(C), FC)
    kept = ties & zero & ~exactly_zero(FC)
    if kept.any():                       # near ties: F_ij C_ij is noise; exact: 0 already
        FC = np.where(kept, FC * 0.0, FC)
    return FC


def _at_pairs(P, ties):
    """May :func:`couple` and :func:`clustered` judge ``P`` (``V^H dA V``, directions
    leading) at the tied pairs alone: a plain real ``(n, m, m)`` stack, one 2-D
    ``ties``?  Their tests are elementwise against one scale, ``max|P|`` over every
    direction and entry (:func:`negligible`'s ``whole``); corpus64's square well has
    22 pairs among 300 x 300 entries a direction (the whole stack's masks ~4 ms of a
    ~30 ms Jacobian)."""
    return type(P) is np.ndarray and P.ndim == 3 and P.dtype == np.float64 and \
        P.size > 0 and type(ties) is np.ndarray and ties.shape == P.shape[1:]


def _scale(P):
    """``max|P|`` (NaN where ``P`` holds one), the ``np.max(np.abs(P))`` of
    :func:`negligible` and :func:`clustered` without the whole ``abs``."""
    return np.maximum(P.max(), -P.min())


def _couple_pairs(FC, C, ties):
    """:func:`couple` of a stack that :func:`_at_pairs` admits, its tests made at the
    pairs ``ties`` holds: the same masks, the same ``np.where`` writes."""
    i, j = np.nonzero(ties)
    m = max(C.shape[-2], C.shape[-1])
    tol = NEAR * m * _EPS * _scale(C)
    zero = (np.abs(C[:, i, j]) <= tol) & (np.abs(C[:, j, i]) <= tol)
    undefined = ~zero
    if undefined.any():
        mask = np.zeros(C.shape, dtype=bool)
        mask[:, i, j] = undefined
        FC = np.where(mask, nan_like(C), FC)
    kept = zero & (FC[:, i, j] != 0)
    if kept.any():                       # near ties: F_ij C_ij is noise; exact: 0 already
        mask = np.zeros(C.shape, dtype=bool)
        mask[:, i, j] = kept
        FC = np.where(mask, FC * 0.0, FC)
    return FC


def _rows_at_pairs(i, j, hit, shape):
    """``np.any(off & X, axis=-1)`` where ``X`` holds ``hit`` at the pairs ``(i, j)``
    of ``off`` (directions leading)."""
    mask = np.zeros(shape, dtype=bool)
    mask[:, i, j] = hit
    return np.any(mask, axis=-1)


def clustered(dw, ties, w, M, vectors=False, tag=None, hermitian=True, size=None):
    """The eigenvalues' partials ``dw`` (``diag(M)``, directions leading: ``(n, ..., m)``)
    with each run of repeated eigenvalues ``w`` (plain or dual, ``(..., m)``; the
    pairs ``ties`` of :func:`tied`, at LAPACK's resolution) given the run's mean,
    ``trace(M_cc) / k``.  ``M`` (``(n, ..., m, m)``, plain or dual) is ``V^H dA V``.

    ``vectors``: the eigenvectors are returned beside the values (``eigh``): every
    direction keeps ``diag(M)``, the derivative of each LAPACK vector's Rayleigh
    quotient ``v_i^H A v_i`` (JAX's convention), linear in the direction whatever
    other directions a pass seeds (it took the mean where a direction mixes the
    cluster, so a gradient over directions of both kinds was no linear map:
    userfem51).  A direction whose block ``M_cc`` is diagonal and not a multiple of
    the identity (it splits the cluster without mixing it) has LAPACK's basis as its
    eigenbasis: the vectors' partials are exact there and ``diag(M)`` pairs with them
    (``V f(w) V^H``, expm or sqrtm written with eigh, stays exact); in a mixing
    direction the vectors' partials are NaN and no member has a derivative (functions
    of the whole cluster, its sum, are exact).  A direction that neither mixes nor
    splits takes the mean (``diag(M)`` to rounding).  Returns ``(dw, lost)``
    then, ``lost`` (``(..., m)`` bool) the columns whose vectors have no derivative
    (:func:`_higher`), which the caller makes NaN.

    Nested duals (``w`` a dual: a Hessian): NaN in value and every partial where a
    direction splits the cluster at first order (``M_cc`` not ``mean * I``: the
    sorted values have a kink, no second derivative; with the vectors, where it mixes
    the cluster: a splitting one follows LAPACK's analytic branch).  A cluster
    that splits only at second order is ordered by it (:func:`_higher`, with ``tag``
    the tag of ``dw``'s level) or NaN.

    ``hermitian=False``: ``M`` is ``V^-1 dA V`` of a general matrix (``eig``; its
    cluster blocks need not be Hermitian: :func:`clustered_general`).  ``size``
    (``(...)``, or ``None``): the scale of rounding in ``M``'s second-order parts
    (:func:`second_order_size`), where it exceeds their own largest entry."""
    same = ties | np.eye(ties.shape[-1], dtype=bool)
    k = np.count_nonzero(same, axis=-1)
    mean = np.matmul(same / k[..., None], dw[..., None])[..., 0]
    d, P = primal(dw), primal(M)
    off = same & ~np.eye(same.shape[-1], dtype=bool)
    cluster = same.astype(float)
    if not isinstance(w, Dual) and _at_pairs(P, ties) and type(d) is np.ndarray and \
            d.shape == P.shape[:2]:     # (the same tests at the pairs alone; _calm,
        i, j = np.nonzero(off)          # nested duals', reads the whole apart)
        top = _scale(P)
        m = max(P.shape[-2], P.shape[-1])
        coupled = ~(np.abs(P[:, i, j]) <= NEAR * m * _EPS * top)
        apart = np.abs(d[:, i] - d[:, j]) > NEAR * d.shape[-1] * _EPS * top
        mixing = np.matmul(cluster, _rows_at_pairs(i, j, coupled, P.shape)[..., None])[
            ..., 0] > 0
        splitting = np.matmul(cluster, _rows_at_pairs(i, j, apart, P.shape)[..., None])[
            ..., 0] > 0
    else:
        coupled = ~negligible(P, whole=True)    # rounding's couplings do not mix (near ties)
        mixing = np.matmul(cluster, np.any(off & coupled, axis=-1)[..., None])[..., 0] > 0
        apart = np.abs(d[..., :, None] - d[..., None, :]) > \
            NEAR * d.shape[-1] * _EPS * np.max(np.abs(P), axis=(0, -2, -1), keepdims=True)
        splitting = np.matmul(cluster, np.any(off & apart, axis=-1)[..., None])[..., 0] > 0
    # with the vectors, diag(M) in every direction (LAPACK's basis: linear in the
    # direction, whatever other directions a pass seeds: userfem51), except that a
    # direction that neither mixes nor splits the cluster takes the mean: its diag(M)
    # is the mean up to rounding, and tied values whose partials differ by rounding
    # would not be ties to np.sort / np.max downstream
    taken = (~mixing & ~splitting) if vectors else np.ones(mixing.shape, dtype=bool)
    out = np.where(taken, mean, dw) if vectors else mean
    lost = np.zeros(mixing.shape[1:], dtype=bool)
    if isinstance(w, Dual):
        split = np.any(mixing | splitting, axis=0)          # in some direction
        undefined = mixing if vectors else mixing | splitting   # a kink: no second order
        level = ~split & (k > 1)
        if level.any():                  # tied at first order: the second decides
            own = np.where(mixing, mean, dw) if vectors else None   # LAPACK's members
            out, nan, lost = _higher(out, mean, same, w, M, level, vectors, tag, hermitian,
                                     own, size)
            undefined = undefined | nan
        if undefined.any():
            out = np.where(undefined, nan_like(mean), out)
            out = _marked(out, np.any(undefined, axis=0), same, w, M)
        elif vectors and np.any(split & (k > 1)):
            out, lost = _calm(out, dw, taken, apart, same, w, M,
                              split & (k > 1), lost)
    return (out, lost) if vectors else out


def _calm(out, dw, calm, apart, same, w, M, split, lost):
    """With the vectors (nested duals), a cluster that some direction splits at first
    order without mixing it (LAPACK's basis is then that direction's eigenbasis): the
    directions ``calm`` (``(n, ..., m)``), which neither mix nor split it, took the
    cluster's mean, which is right at first order (their ``diag(M)`` is the mean to
    rounding) but averages the members' second-order parts (``U diag(s^3) V^T`` along
    ``(A_11, A_12)`` at ``diag(1, 1, 2)``: 42 for 40, spectral46).  Members that the
    splitting directions tell apart from every other member of their cluster take
    their own second-order parts (``diag(M)``'s partials: LAPACK's members, to which
    the vectors' partials belong); members left tied to another (a cluster of three
    split into one and two) are NaN in the entries whose block of second-order parts
    is not uniform (:func:`_marked`), and their vectors with them.  Deeper nesting (a
    third order): NaN in every direction where the cluster's blocks are not uniform."""
    calm = calm & split
    if not calm.any() or not isinstance(out, Dual):
        return out, lost
    if isinstance(out.value, Dual) or isinstance(partials_array(out), Dual):
        # deeper nesting (a third order): NaN where the block is not uniform, as _marked
        bad = np.any(calm, axis=0) & ~_uniform(M, same, _rounding(M, same, w))
        if bad.any():
            out = np.where(bad, nan_like(out), out)
            lost = lost | bad
        return out, lost
    off = same & ~np.eye(same.shape[-1], dtype=bool)
    told = np.any(apart, axis=0)                         # (..., m, m): some direction
    resolved = ~np.any(off & ~told, axis=-1)             # (..., m): apart from all
    keep = calm & resolved
    if keep.any():
        own = make(out.value, partials_array(dw), out.tag) if isinstance(dw, Dual) else dw
        out = np.where(keep, own, out)
    unresolved = np.any(calm & ~resolved, axis=0)
    if unresolved.any():
        marked = _marked(out, unresolved, same, w, M)
        changed = np.zeros(unresolved.shape, dtype=bool)
        for a, b in zip(_levels(marked)[1:], _levels(out)[1:]):
            diff = np.isnan(a) & ~np.isnan(b)
            changed |= np.any(np.moveaxis(diff, 0, -1).reshape(unresolved.shape + (-1,)),
                              axis=-1) if diff.ndim > unresolved.ndim else False
        out = marked
        lost = lost | (unresolved & changed)
    return out, lost


def _marked(out, marked, same, w, M):
    """``out`` (the values' partials, nested) with the members ``marked`` (``(..., m)``:
    NaN in some direction, a kink) NaN also in each other direction's entries ``(p, q)``
    whose block of ``M``'s second-order parts is not uniform (:func:`_uniform_pairs`):
    there the cluster's mean is no member's second derivative (``diag(1 + p + q^2, 1 -
    p)``'s ``H[q, q]`` gave the mean 1, the members' are 2 and 0: attack44 repro_10);
    uniform blocks keep the exact mean (``sum(w^2)`` of ``(1 + p0) I + p1 diag(1, -1)``:
    ``H[0, 0] = 4``).  Deeper nesting: NaN in every direction."""
    if not marked.any():
        return out
    floor = _rounding(M, same, w)
    pairs = _uniform_pairs(M, same, floor)
    if pairs is None or not isinstance(out, Dual) or isinstance(out.value, Dual):
        return np.where(marked, nan_like(out), out)
    P = partials_array(out)
    if isinstance(P, Dual):
        return np.where(marked, nan_like(out), out)
    bad = marked[..., None] & ~pairs
    P = np.asarray(P)
    return make(out.value, np.where(bad, nan_like(P), P), out.tag)


def _uniform_pairs(M, same, floor):
    """``(n, ..., m, r)`` bool: the cluster's block of ``M``'s second-order parts in the
    directions ``(p, q)`` is a multiple of the identity to rounding (:func:`_uniform`'s
    test, pair by pair); ``None`` where ``M`` is not a dual of plain arrays."""
    if not isinstance(M, Dual) or isinstance(M.value, Dual) or \
            isinstance(partials_array(M), Dual):
        return None
    X = np.moveaxis(np.asarray(partials_array(M)), -1, 1)      # (n, r, ..., m, m)
    m = same.shape[-1]
    k = np.count_nonzero(same, axis=-1)
    diag = np.diagonal(X, axis1=-2, axis2=-1)
    mean = np.matmul(same / k[..., None], diag[..., None])[..., 0]
    eye = np.eye(m, dtype=bool)
    dev = np.where(same, X - np.where(eye, mean[..., :, None], 0.0), 0.0)
    dev = np.max(np.abs(dev), axis=-1)
    dev = np.max(np.where(same, dev[..., None, :], 0.0), axis=-1)      # per cluster
    with np.errstate(invalid="ignore"):
        size = np.max(np.where(np.isfinite(X), np.abs(X), 0.0), axis=(0, 1, -2, -1))
    size = np.maximum(size, floor)[..., None]
    ok = dev <= NEAR * m * _EPS * size                      # (NaN: not uniform)
    return np.moveaxis(ok, 1, -1)


def _levels(x):
    """The plain arrays of every level of ``x`` (a maybe nested dual), value first;
    each level's partial axes last."""
    if isinstance(x, Dual):
        return _levels(x.value) + _levels(partials_array(x))
    return [np.asarray(x)]


def _uniform(M, same, floor=0.0):
    """``(..., m)`` bool: the cluster's block of ``M`` (``(n, ..., m, m)``) is a
    multiple of the identity to rounding (within ``NEAR * m * eps`` of the largest
    entry of that level of the whole matrix, every direction, or of ``floor``
    (``(...)``): a block that is rounding alone is uniform) at every level above the
    first: the second and higher orders do not split it."""
    b, m = same.shape[:-2], same.shape[-1]
    ok = np.ones(b + (m,), dtype=bool)
    eye = np.eye(m, dtype=bool)
    k = np.count_nonzero(same, axis=-1)
    for X in _levels(M)[1:]:
        e = X.ndim - (3 + len(b))
        if e:
            X = np.moveaxis(X, list(range(X.ndim - e, X.ndim)), list(range(1, 1 + e)))
        X = X.reshape((-1,) + X.shape[1 + e:])              # (N, ..., m, m)
        diag = np.diagonal(X, axis1=-2, axis2=-1)
        mean = np.matmul(same / k[..., None], diag[..., None])[..., 0]
        dev = np.where(same, X - np.where(eye, mean[..., :, None], 0.0), 0.0)
        size = np.maximum(np.max(np.abs(X), axis=(0, -2, -1)), floor)[..., None]
        dev = np.max(np.abs(dev), axis=(0, -1))
        dev = np.max(np.where(same, dev[..., None, :], 0.0), axis=-1)   # per cluster
        ok &= dev <= NEAR * m * _EPS * size                  # (NaN: not uniform)
    return ok


def _rounding(M, same, w):
    """``(...)``: the size of rounding's second-order parts in ``M``'s cluster blocks, from
    the first-order ones: ``|P| |C| / gap`` (``P``, ``C``: the largest first-order parts
    of ``M`` and of ``w``'s own partials; ``gap``: the smallest gap between eigenvalues
    not tied), the size of the coupling terms ``dV^H dA V`` whose rounding lands there
    where the whole second order is rounding (a linear ``A``)."""
    P = np.abs(primal(M))
    b = same.shape[:-2]
    size = np.max(P, axis=(0, -2, -1)) if P.size else np.zeros(b)
    C = np.abs(primal(partials_array(w))) if isinstance(w, Dual) else np.zeros(b + (1, 1))
    other = np.max(C.reshape(b + (-1,)), axis=-1, initial=0.0)
    v = primal(w)
    with np.errstate(invalid="ignore"):
        gap = np.where(same, np.inf, np.abs(v[..., :, None] - v[..., None, :]))
    gap = np.min(gap, axis=(-2, -1), initial=np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = size * np.maximum(size, other) / gap
    return np.where(np.isfinite(out), out, 0.0)


def _coefficients(n, r):
    """Fixed pseudo-random weights ``(n, r)`` of a generic combination of the second-order
    blocks (its eigenbasis is their common one where they have one)."""
    return np.random.default_rng(44).standard_normal((n, r))


def _higher(out, mean, same, w, M, level, vectors, tag, hermitian=True, own=None,
            size=None):
    """The values' partials ``out`` (nested duals) at clusters ``level`` (``(..., m)``:
    the first order does not split them) ordered by the second order, as ``np.sort``
    orders a run of tied values (:func:`._second_order.ranked`).

    The values in the cluster are ``lambda + t alpha + t^2 kappa_l`` with ``kappa_l`` the
    eigenvalues of the block ``S = d M_cc`` (``M``'s second-order parts, every pair of
    directions: Hermitian ``k x k``).  Where those blocks have a common eigenbasis ``W``
    (that of a generic combination, checked: ``W^H S W`` diagonal to rounding in every
    pair of directions), each member's second-order parts are ``diag(W^H S W)``, and a
    cluster whose members' Hessians (the directions in view) are totally ordered takes
    them in that order; a block uniform at every order keeps the mean (exact).  NaN
    otherwise: no common basis, an order that the second order does not decide (a kink),
    deeper nesting, a pass that replays another's decisions (its basis may be another).
    ``hermitian=False`` (``eig``: ``V^-1 dA V``): the blocks' common eigenbasis ``W`` is
    a general one (``W^-1 S W`` diagonal), rounding there grows with ``W``'s condition
    number, and a real member whose second-order part is not real is NaN.  Complex
    values (``eig``'s complex clusters, :func:`clustered_general`) keep complex
    second-order parts and are ranked by their real parts, or, where those agree in
    the cluster, by ``sign(Im w)`` times their imaginary parts (a convention: LAPACK's
    labels inside a complex cluster are no function of the matrix; functions of the
    cluster as a whole are exact), the candidates first put in the order of ``Re kappa
    + _TURN sign(Im w) Im kappa`` (``kappa``: the generic combination's eigenvalues), so
    that a real matrix's conjugate clusters take conjugate members in their places.

    Returns ``(out, nan, lost)``: ``nan`` the values to make NaN, ``lost`` (``vectors``)
    the columns whose vectors have no derivative: LAPACK's basis is not the one the
    second order picks (or not in its order), so the vectors jump there (``own``: the
    values' partials of LAPACK's members, ``diag(M)`` where it does not mix)."""
    floor = _rounding(M, same, w)
    flat = _uniform(M, same, floor)
    todo = level & ~flat
    lost = np.zeros(todo.shape, dtype=bool)
    two = isinstance(M, Dual) and isinstance(out, Dual) and isinstance(mean, Dual) and \
        isinstance(w, Dual) and not any(isinstance(x, Dual) for x in (
            M.value, partials_array(M), out.value, partials_array(out), w.value,
            partials_array(w)))
    b, m = same.shape[:-2], same.shape[-1]
    k = np.count_nonzero(same, axis=-1)
    start = np.argmax(same, axis=-1)
    end = m - 1 - np.argmax(same[..., ::-1], axis=-1)
    if not two or tag is None or not np.all(end - start + 1 == k):
        return out, todo, (todo if vectors else lost)
    cplx = np.iscomplexobj(primal(w))    # eig's complex clusters: members, no order
    P, S = np.asarray(M.value), np.asarray(partials_array(M))
    n, r = P.shape[0], S.shape[-1]
    B = int(np.prod(b, dtype=np.int64))
    pos = np.arange(m)
    # the candidates, (B, m, n) and (B, m, n, r): every run's members equal (its mean)
    # except where the second order splits it
    first = np.moveaxis(np.asarray(mean.value).reshape(n, B, m), 0, -1).copy()
    second = np.moveaxis(np.asarray(partials_array(mean)).reshape(n, B, m, r), 0, -2).copy()
    Sf = S.reshape(n, B, m, m, r)
    with np.errstate(invalid="ignore"):  # rounding's size: the whole level's largest entry
        whole = np.max(np.where(np.isfinite(Sf), np.abs(Sf), 0.0), axis=(0, 2, 3, 4))
    whole = np.maximum(whole, np.reshape(floor, B))
    if size is not None:                 # a non-normal matrix's rounding (eig47)
        whole = np.maximum(whole, np.reshape(np.broadcast_to(size, b), B))
    todo_f, start_f = todo.reshape(B, m), start.reshape(B, m)
    tol = np.zeros((B, m))
    bad = np.zeros((B, m), dtype=bool)           # no common basis
    differ = np.zeros((B, m), dtype=bool)        # members' second-order parts differ
    by_im = np.zeros((B, m), dtype=bool)         # (complex clusters)
    bs, ss = np.nonzero(todo_f & (start_f == pos))
    ks = k.reshape(B, m)[bs, ss]
    for kk in np.unique(ks):                     # cluster sizes, not elements
        sel = ks == kk
        gb, rows = bs[sel], ss[sel][:, None] + np.arange(kk)
        blk = Sf[:, gb[:, None, None], rows[:, :, None], rows[:, None, :], :]
        if hermitian:
            blk = 0.5 * (blk + np.conj(np.swapaxes(blk, 2, 3)))  # (n, G, k, k, r)
        finite = np.all(np.isfinite(blk), axis=(0, 2, 3, 4))
        blk = np.where(np.isfinite(blk), blk, 0.0)
        eps = NEAR * m * _EPS * whole[gb]                       # (G,)
        mix = np.einsum("pgijq,pq->gij", blk, _coefficients(n, r))
        if hermitian:
            _, W = np.linalg.eigh(mix)
            Wi = np.conj(np.swapaxes(W, -1, -2))
        else:
            kappa, W = np.linalg.eig(mix)
            if cplx:                     # an order a conjugate cluster repeats conjugated
                up = np.sign(np.imag(primal(w)).reshape(B, m)[gb, ss[sel]])[:, None]
                up = np.where(up == 0, 1.0, up)
                turn = np.argsort(np.real(kappa) + _TURN * up * np.imag(kappa), axis=-1)
                W = np.take_along_axis(W, turn[:, None, :], axis=-1)
            W, Wi, scale = _inverted(W)
            eps = eps * scale
        T = np.einsum("gai,pgijq,gjb->pgabq", Wi, blk, W)
        offd = np.where(np.eye(kk, dtype=bool)[:, :, None], 0.0, T)
        common = finite & (np.max(np.abs(offd), axis=(0, 2, 3, 4)) <= eps)
        if not hermitian and not cplx:   # a real cluster turning complex: no order
            diag = np.diagonal(T, axis1=2, axis2=3)
            real = np.max(np.abs(np.imag(diag)), axis=(0, 2, 3)) <= eps
            if np.any(common & ~real):
                raise _turning_complex()
            common &= real
        dg = np.moveaxis(np.diagonal(T, axis1=2, axis2=3), -1, 2)           # (n, G, k, r)
        dg = dg if cplx else np.real(dg)
        if cplx:                         # real parts equal: ranked by the imaginary ones
            flat_re = np.max(np.abs(np.real(dg[:, :, :, None, :] - dg[:, :, None, :, :])),
                             axis=(0, 2, 3, 4)) <= eps
            by_im[gb[:, None], rows] = flat_re[:, None]
        # members equal to rounding become exactly equal (the order of equal ones is
        # immaterial; rounding's differences must not decide or undecide an order)
        gap = np.max(np.abs(dg[:, :, :, None, :] - dg[:, :, None, :, :]), axis=(0, -1))
        eq = gap <= eps[:, None, None]                          # (G, k, k)
        dg = np.einsum("gab,pgbq->pgaq", eq / np.sum(eq, axis=-1, keepdims=True), dg)
        second[gb[:, None], rows] = np.moveaxis(dg, 0, 2)
        bad[gb[:, None], rows] = ~common[:, None]
        differ[gb[:, None], rows] = ~np.all(eq, axis=(-2, -1))[:, None]
        tol[gb[:, None], rows] = eps[:, None]
    # the values' own first-order parts (the other level's directions), equal to
    # rounding in a cluster: exactly equal (a split there leaves them apart: undecided)
    wp = np.asarray(partials_array(w)).reshape(B, m, -1)
    wk = np.matmul(same.reshape(B, m, m) / k.reshape(B, m, 1), wp)
    wsize = np.max(np.abs(wp), axis=-1)
    wsize = np.max(np.where(same.reshape(B, m, m), wsize[:, None, :], 0.0), axis=-1)
    wgap = np.max(np.abs(wp - wk), axis=-1)
    wgap = np.max(np.where(same.reshape(B, m, m), wgap[:, None, :], 0.0), axis=-1)
    wp = np.where((wgap <= NEAR * m * _EPS * wsize)[..., None], wk, wp)
    if cplx:       # complex members ranked by their real parts (a convention)
        # ranked by the imaginary parts themselves (+1), into the copies in the order of
        # their own rounded imaginary parts (below): a conjugate cluster's copies and
        # members are both conjugated, so it takes conjugate members in its places, and
        # a real double in a complex array (rounded to 1 +- i eps, or 1 + 0j twice,
        # turning complex at second order) is ranked too (it took sign(Im w): 0, or
        # the side of its copies' rounding, eig47)
        up = np.where(by_im, 1.0, 0.0)
        cand = make(_key(first, up[..., None]).reshape(b + (m, n)),
                    _key(second, up[..., None, None]).reshape(b + (m, n, r)), M.tag)
        values = make(np.real(np.asarray(w.value)),
                      _key(wp, up[..., None]).reshape(np.shape(partials_array(w))), w.tag)
    else:
        cand = make(first.reshape(b + (m, n)), second.reshape(b + (m, n, r)), M.tag)
        values = make(np.asarray(w.value), wp.reshape(np.shape(partials_array(w))), w.tag)
    rank = _second_order.ranked(tag, cand, values, start, end, len(b))
    link = DIAGONAL.get(tag)
    plain = link is not None and link[2] is not None and link[2].mode == "plain" and \
        not link[2].unmapped            # (replayed ranks are of another pass's basis)
    if rank is None or not plain:
        rank = np.full(b + (m,), -1)
    rank = rank.reshape(B, m)
    decided = todo_f & ~bad & differ & (rank >= 0)
    nan = todo_f & (bad | differ) & ~decided
    if decided.any():
        slot = start_f + np.maximum(rank, 0)
        if cplx and np.any(by_im & decided):  # (eig47) copies by their imaginary parts
            im = np.imag(np.asarray(w.value)).reshape(B, m)
            keyed = np.lexsort((im, start_f), axis=-1)
            slot = np.where(by_im, np.take_along_axis(keyed, slot, axis=1), slot)
        target = np.where(decided, slot, pos)
        source = np.argsort(target, axis=-1, kind="stable")
        first = np.take_along_axis(first, source[..., None], axis=1)
        second = np.take_along_axis(second, source[..., None, None], axis=1)
        ov = np.moveaxis(np.asarray(out.value).reshape(n, B, m), 0, -1)
        op = np.moveaxis(np.asarray(partials_array(out)).reshape(n, B, m, r), 0, -2)
        if vectors:                      # LAPACK's members, if they are those in order
            lp = np.moveaxis(np.asarray(partials_array(own)).reshape(n, B, m, r), 0, -2)
            apart = np.max(np.abs(lp - second), axis=(-2, -1)) > tol
            apart = np.max(np.where(same.reshape(B, m, m), apart[:, None, :], False),
                           axis=-1)
            lost = decided & apart       # (the others: LAPACK's own, to rounding)
        ov = np.where(decided[..., None], first, ov)
        op = np.where(decided[..., None, None], second, op)
        out = make(np.moveaxis(ov, -1, 0).reshape((n,) + b + (m,)),
                   np.moveaxis(op, -2, 0).reshape((n,) + b + (m, r)), out.tag)
    if vectors:
        lost = (lost | nan).reshape(b + (m,))
    return out, nan.reshape(b + (m,)), lost


def _turning_complex():
    """The refusal of a real repeated eigenvalue of a real matrix that the second order
    splits into a complex pair, where NumPy's result is real at the point (eig47,
    attack46b 07): the members' imaginary second-order parts have nowhere to go in a
    float64 array, whose ``.imag`` is a constant 0 (``max(w.imag)``'s Hessian 0 for
    2.14)."""
    return errors.DualTypeError(
        "dualgrad: np.linalg.eigvals / np.linalg.eig of a real matrix at a repeated real "
        "eigenvalue that the second order splits into a complex pair (lambda + s (a +- "
        "b i) along s = x**2): NumPy's result is float64 at the point, complex at every "
        "point near it, so its .imag would be a constant 0 and the members' second "
        "derivatives have nowhere to go; expected a matrix whose repeated eigenvalue "
        "stays real to second order, or a complex one. Fix: np.linalg.eigvals("
        "A.astype(complex)) (the same values, complex128; exact Hessians of their real "
        "and imaginary parts).")


def _key(z, up):
    """The real key complex members of a cluster are ranked by: ``Re z``, or where
    ``up`` is not 0 (the members' real parts all equal in view) ``up Im z`` (``up``:
    the sign of the cluster's imaginary part, so that a real matrix's conjugate cluster
    takes its members in the same order, conjugated)."""
    return np.where(up == 0, np.real(z), up * np.imag(z))


def _inverted(W):
    """``(W, W^-1, cond)`` of eigenvector matrices ``W`` (``(G, k, k)``; ``cond`` their
    condition numbers, ``(G,)``: how much rounding ``W^-1 S W`` carries), with
    non-finite ``W^-1`` (a defective block) as NaN, so that the check fails."""
    with np.errstate(all="ignore"):
        s = np.linalg.svd(W, compute_uv=False)
        cond = s[:, 0] / s[:, -1]
        ok = np.isfinite(cond) & (cond < 1.0 / _EPS)
        Wi = np.linalg.inv(np.where(ok[:, None, None], W, np.eye(W.shape[-1])))
    Wi = np.where(ok[:, None, None], Wi, np.nan)
    return W, Wi, np.where(ok, cond, np.inf)


def clustered_general(dw, ties, w, M, vectors=False, tag=None, size=None):
    """:func:`clustered` for the eigenvalues of a general matrix (``eig``, LAPACK's
    order, maybe complex): ``M`` is ``V^-1 dA V`` (``(n, ..., m, m)``), ``dw`` its
    diagonal (``(n, ..., m)``).  Real values are taken in ascending order (a cluster one
    run, as ``eigh``'s; LAPACK's values a few units in the last place apart stay in
    their order, the larger member taking the larger second-order part) and put back;
    complex ones keep the mean at first order, and where the second order splits a
    cluster that the first leaves whole, its members take the second-order parts of
    :func:`_higher`'s common basis, ranked by their real parts (LAPACK's labels inside
    a complex cluster are no function of the matrix): functions of the cluster as a
    whole (``sum(w**2)`` = ``trace(A @ A)``, ``prod(w)`` = ``det(A)``, the largest real
    part) are exact (spectral46; NaN before).  ``size``: :func:`clustered`'s.  Returns
    ``dw``, and ``lost`` (:func:`clustered`) with ``vectors``."""
    v = primal(w)
    if np.iscomplexobj(v):
        # each cluster contiguous (LAPACK interleaves a real matrix's conjugate pairs),
        # in LAPACK's order otherwise
        same = ties | np.eye(ties.shape[-1], dtype=bool)
        # inside a cluster ascending real parts (then imaginary), so that the member
        # ranked r-th by its real part goes to the copy whose rounded real part is the
        # r-th: np.max(w.real) downstream picks the copy, by its last bits (eig47)
        order = np.lexsort((np.imag(v), np.real(v), np.argmax(same, axis=-1)), axis=-1)
    else:
        order = np.argsort(v, axis=-1, kind="stable")
    back = np.argsort(order, axis=-1, kind="stable")
    rows, cols = order[..., :, None], order[..., None, :]

    def put(x, at):                      # x (n, ..., m) in the order ``at``
        return np.take_along_axis(x, np.broadcast_to(at, np.shape(primal(x))), axis=-1)

    Ms = np.take_along_axis(M, np.broadcast_to(rows, np.shape(primal(M))[:-1] + (1,)), axis=-2)
    Ms = np.take_along_axis(Ms, np.broadcast_to(cols, np.shape(primal(Ms))[:-2] + (1,) +
                                                 cols.shape[-1:]), axis=-1)
    ts = np.take_along_axis(np.take_along_axis(ties, rows, axis=-2), cols, axis=-1)
    out = clustered(put(dw, order), ts, put(w, order), Ms, vectors, tag, hermitian=False,
                    size=size)
    if vectors:
        return put(out[0], back), put(out[1], back)
    return put(out, back)


def split_members(w, dw, ties, A, dA, tol=1e-6):
    """Where a cluster's mean is no first order (``(n, ..., m)`` bools, directions
    first): the copies' split times their own first orders' spread, ``sum_c |w_i -
    mean w| |w_i' - mean w'|`` (what the mean leaves out of a symmetric function:
    ``sum(w**2)``'s derivative misses ``2 sum (w_i - mean)(w_i' - mean')``), beyond
    ``tol * |A| |dA|``.  A Jordan block that rounding split by ``~sqrt(eps)`` has members
    moving like ``sqrt(t)``, first orders ``~1/sqrt(eps)`` apart: the product is of the
    size of ``|dA|`` and the mean's numbers are wrong (2 tr(A C) -1.63 gave -9.24) even
    where the eigenvector matrix's condition stays under the defective test's 1e8.  A
    diagonalizable cluster of condition ``kappa`` gives ``~eps kappa**2``."""
    v = primal(w)
    d = primal(dw)
    same = ties | np.eye(ties.shape[-1], dtype=bool)
    share = same / np.count_nonzero(same, axis=-1)[..., None]
    dev_w = np.abs(v - np.matmul(share, v[..., None])[..., 0])
    dev_d = np.abs(d - np.matmul(share, d[..., None])[..., 0])
    cross = np.matmul(same.astype(float), (dev_w * dev_d)[..., None])[..., 0]
    norm = lambda x: np.sqrt(np.sum(np.abs(primal(x)) ** 2, axis=(-2, -1)))  # noqa: E731
    scale = norm(A) * norm(dA)                         # (n, ...)
    return ties.any(axis=-1) & (cross > tol * scale[..., None])


def cluster_means(w, ties):
    """``w`` (``(..., m)``, plain or dual) with each value of a cluster of ``ties``
    replaced by the cluster's mean (the others' bits kept).  LAPACK's copies of a
    repeated complex eigenvalue differ in their last bits by a random amount, while
    :func:`clustered_general` ranks the members' second orders by their real parts: a
    pick by the imaginary part or the modulus (``np.max(w.imag)``) would take a copy by
    its rounding, and another member's second order.  Equal copies reach ``np.max`` /
    ``np.sort`` as a tie, which their tie rules decide (exact where one member's second
    order dominates).  A real matrix's conjugate clusters stay conjugate: the mean of
    conjugates is the conjugate of the mean.  A mean whose imaginary part lies within
    the copies' own spread (a real double of a matrix cast to complex: ``1 +- 1.6e-15j``
    meaning 1) is put on the real axis, where another real eigenvalue's exact 0 ties
    with it."""
    same = ties | np.eye(ties.shape[-1], dtype=bool)
    k = np.count_nonzero(same, axis=-1)
    mean = np.matmul(same / k[..., None], w[..., None])[..., 0]
    v, m = primal(w), primal(mean)
    spread = np.max(np.where(same, np.abs(v[..., None, :] - m[..., :, None]), 0.0), axis=-1)
    off = np.where((k > 1) & (np.abs(m.imag) <= spread), m.imag, 0.0)
    return np.where(k > 1, mean - 1j * off, w)


def conjugate_pairs(w):
    """A real matrix's eigenvalues ``w`` (``(..., m)``, a dual) with each lower member of
    a conjugate pair (LAPACK's order: the upper one first, the lower exactly its
    conjugate) given the conjugate of the upper one's partials: exact, as a real
    matrix's derivatives along real directions are, and free of the rounding that
    ``V^-1`` leaves between them.  A tie of a repeated pair's real parts then reaches
    ``np.max`` with equal partials in its copies, as its second-order rule needs."""
    v = primal(w)
    lower = np.zeros(v.shape, bool)
    lower[..., 1:] = (v[..., 1:].imag < 0) & (v[..., 1:] == np.conj(v[..., :-1]))
    if not lower.any():
        return w
    return np.where(lower, np.conj(np.roll(w, 1, axis=-1)), w)


def nan_like(x):
    """NaN in the value and every partial at every level, shaped like ``x`` (complex
    ``x``: NaN in both parts; ``x * nan``
    would leave 0 where a partial is 0: dualgrad's product of a zero partial and a
    non-finite factor is 0)."""
    if isinstance(x, Dual):
        return make(nan_like(x.value), nan_like(partials_array(x)), x.tag)
    if np.iscomplexobj(x):               # both parts: .imag of a NaN is NaN too
        return np.full(np.shape(x), complex(np.nan, np.nan))
    return np.full(np.shape(x), np.nan)
