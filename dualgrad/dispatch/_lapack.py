"""LAPACK's gufuncs behind ``np.linalg``, called directly for plain float64 matrices.

``np.linalg.inv``, ``det``, ``cholesky``, ``eigh`` and ``solve`` check and cast their
arguments in Python (``_makearray``, ``_assert_stacked_square``, ``_commonType``)
before the one gufunc call that does the work, a large part of a small matrix's
derivative (``python bench/bench_floors.py --fastest --only np.linalg``, 4 x 4: det's
dual / floor 2.1 with these functions against 2.6 through ``np.linalg``).  For a plain C float64 ndarray of square matrices
the functions here call the same gufunc with the same signature (``'d->d'``, ...)
under the same error state (none for ``det``), so their results are NumPy's, bit for bit; anything else
(other dtypes, subclasses, nested duals, non-square shapes) and every failure goes
to ``np.linalg`` itself, which then raises its own error with its own message.

``numpy.linalg._umath_linalg`` is private; its gufuncs are looked up once, by
name, and a NumPy without them (or of another major version) takes ``np.linalg``.
"""

import numpy as np

try:                                      # NumPy 2.x: the gufuncs np.linalg calls
    from numpy.linalg import _umath_linalg as _gufuncs
    _NAMES = ("inv", "det", "cholesky_lo", "eigh_lo", "eigh_up", "solve", "solve1", "lstsq",
              "svd_s")
    _OK = np.__version__.split(".")[0] == "2" and \
        all(isinstance(getattr(_gufuncs, k, None), np.ufunc) for k in _NAMES)
except ImportError:                       # pragma: no cover - another NumPy layout
    _gufuncs, _OK = None, False

__all__ = ["square", "inv", "det", "cholesky", "cholesky_and_inverse", "eigh", "solve",
           "lstsq", "svd_thin"]


class _Failed(Exception):
    """LAPACK reported a failure (a singular matrix, no convergence...)."""


def _fail(err, flag):
    raise _Failed


def _quiet():
    """``np.linalg``'s error state around its gufunc calls, reporting a failure (the
    gufunc's invalid flag) to us instead of its ``LinAlgError``."""
    return np.errstate(call=_fail, invalid="call", over="ignore", divide="ignore",
                       under="ignore")


def square(a):
    """Is ``a`` a plain float64 ndarray of square matrices (what the gufuncs take
    as NumPy's wrappers would pass it)?"""
    return _OK and type(a) is np.ndarray and a.dtype == np.float64 and a.ndim >= 2 and \
        a.shape[-1] == a.shape[-2]


def inv(a):
    """``np.linalg.inv(a)``."""
    if square(a):
        try:
            with _quiet():
                return _gufuncs.inv(a, signature="d->d")
        except _Failed:
            pass
    return np.linalg.inv(a)


def det(a):
    """``np.linalg.det(a)`` (which calls its gufunc under the caller's error state:
    a singular matrix is no failure, its determinant is 0)."""
    if square(a):
        return _gufuncs.det(a, signature="d->d")
    return np.linalg.det(a)


def cholesky(a):
    """``np.linalg.cholesky(a)`` (the lower factor)."""
    if square(a):
        try:
            with _quiet():
                return _gufuncs.cholesky_lo(a, signature="d->d")
        except _Failed:
            pass
    return np.linalg.cholesky(a)


def cholesky_and_inverse(a):
    """``L = np.linalg.cholesky(a)`` and ``np.linalg.inv(L)`` (one error state for both)."""
    if square(a):
        try:
            with _quiet():
                L = _gufuncs.cholesky_lo(a, signature="d->d")
                return L, _gufuncs.inv(L, signature="d->d")
        except _Failed:
            pass
    L = np.linalg.cholesky(a)
    return L, np.linalg.inv(L)


def eigh(a, UPLO="L"):
    """``np.linalg.eigh(a, UPLO)`` as the pair ``(w, V)``."""
    if square(a) and UPLO in ("L", "U"):
        gufunc = _gufuncs.eigh_lo if UPLO == "L" else _gufuncs.eigh_up
        try:
            with _quiet():
                return gufunc(a, signature="d->dd")
        except _Failed:
            pass
    w, V = np.linalg.eigh(a, UPLO)
    return w, V


def solve(a, b):
    """``np.linalg.solve(a, b)``."""
    if square(a) and type(b) is np.ndarray and b.dtype == np.float64 and b.ndim:
        try:
            with _quiet():
                if b.ndim == 1:
                    return _gufuncs.solve1(a, b, signature="dd->d")
                return _gufuncs.solve(a, b, signature="dd->d")
        except _Failed:
            pass
    return np.linalg.solve(a, b)


def _matrix(a):
    """Is ``a`` a plain float64 ndarray of one matrix with at least one row and column?"""
    return _OK and type(a) is np.ndarray and a.dtype == np.float64 and a.ndim == 2 and \
        a.shape[0] > 0 and a.shape[1] > 0


def lstsq(a, b, rcond=None):
    """``np.linalg.lstsq(a, b, rcond)`` (``x, residuals, rank, s``) for one matrix ``a``
    and a vector or matrix ``b`` with as many rows, NumPy's steps after its checks: the
    default ``rcond``, ``b`` as a column, the residuals empty unless ``a`` has full
    column rank and more rows than columns, ``x`` copied out of LAPACK's work array."""
    if _matrix(a) and type(b) is np.ndarray and b.dtype == np.float64 and \
            b.ndim in (1, 2) and b.shape[0] == a.shape[0] and b.shape[-1] > 0:
        m, n = a.shape
        try:
            with _quiet():
                x, resids, rank, s = _gufuncs.lstsq(
                    a, b[:, None] if b.ndim == 1 else b,
                    np.finfo(np.float64).eps * max(n, m) if rcond is None else rcond,
                    signature="ddd->ddid")
        except _Failed:
            pass
        else:
            if b.ndim == 1:
                x = x.squeeze(axis=-1)
            if rank != n or m <= n:
                resids = np.array([], np.float64)
            return x.copy(), resids, rank, s
    return np.linalg.lstsq(a, b, rcond=rcond)


def svd_thin(a):
    """``np.linalg.svd(a, full_matrices=False)`` as ``(U, s, Vt)`` for one matrix."""
    if _matrix(a):
        try:
            with _quiet():
                return _gufuncs.svd_s(a, signature="d->ddd")
        except _Failed:
            pass
    return tuple(np.linalg.svd(a, full_matrices=False))
