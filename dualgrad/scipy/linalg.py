"""``scipy.linalg``'s solvers and factorizations that take dual numbers.

SciPy's own functions convert their input with ``np.asarray`` before any NumPy
function runs, so dual numbers cannot pass through them.  The functions here have
SciPy's signatures: on plain input they call SciPy itself (the same result, bit for
bit, and the same errors); on dual numbers they compute the value with SciPy on
the values and the partials by the function's derivative identity, all directions
at once, one dual level at a time (so Hessians are exact too):

========================  ==============================================================
``solve_triangular``      ``dX = T^{-1} (dB - dT X)``, ``dT`` the triangle SciPy reads
``cholesky``              ``dL = L Phi``, ``Phi = tril(S, -1) + Re diag(S) / 2``,
                          ``S = L^{-1} dA L^{-H}`` (``dU = Phi^H U`` for the upper factor)
``cho_factor``            ``cholesky``'s factor; the other triangle is ``a``'s, as SciPy's
``cho_solve``             two triangular solves with ``c``'s triangle
``solve``                 ``dx = A^{-1} (db - dA x)``, ``dA`` the part ``assume_a`` reads
``inv``                   ``dX = -X dA X``
``det``                   ``d det = tr(adj(A) dA)`` (``det tr(A^{-1} dA)``)
``lu_factor``             ``X = L^{-1} P dA U^{-1}``: ``dL = L tril(X, -1)``, ``dU = triu(X) U``
``lu_solve``              the permutation and two triangular solves with ``lu``
``eigh``                  ``dw = Re diag(V^H dA V)``, ``dV = V (F o V^H dA V)`` (real)
``expm``                  the Frechet derivative, ``expm([[A, dA], [0, A]])``'s corner
``solve_discrete_``       ``dX = A dX A^H + dA X A^H + A X dA^H + dQ``: the same equation
``lyapunov``              in ``A``, every direction one matrix of SciPy's batch
``solve_continuous_``     ``A dX + dX A^H = dQ - dA X - X dA^H``: the same equation in ``A``
``lyapunov``
``solve_continuous_are``  ``Acl^H dX + dX Acl = -C``, ``Acl = A - B K`` the closed loop, ``K``
                          the LQR gain, ``C = dF^H X + X dF - dS K - K^H dS^H + K^H dR K +
                          dQ``, ``dF = dA - dB K``: a continuous Lyapunov equation
``solve_discrete_are``    ``dX = Acl^H dX Acl + C``, ``C = dF^H X Acl + Acl^H X dF - dS K -
                          K^H dS^H + K^H dR K + dQ``: a discrete Lyapunov equation
``solve_sylvester``       ``A dX + dX B = dQ - dA X - X dB``: the same equation
``sqrtm``                 ``S dS + dS S = dA``: a Sylvester equation in ``S = sqrtm(A)``
========================  ==============================================================

For instance, a Gaussian negative log-likelihood through a Cholesky factor, its
gradient with respect to the covariance's parameters:

>>> import numpy as np
>>> import dualgrad as dg
>>> from dualgrad.scipy.linalg import cho_factor, cho_solve
>>> y = np.array([0.3, -1.2, 0.8])
>>> t = np.array([0.0, 1.0, 2.5])
>>> def nll(p):
...     K = p[0] * np.exp(-0.5 * (t[:, None] - t[None, :]) ** 2) + p[1] * np.eye(3)
...     c, low = cho_factor(K)
...     return 0.5 * y @ cho_solve((c, low), y) + np.sum(np.log(np.diag(c)))
>>> g = dg.gradient(nll, np.array([1.0, 0.1]))
>>> g.shape
(2,)
"""

import numpy as np

from .. import errors
from ..dispatch._spectral import (block_scale, clustered, couple, inverse_gaps, nan_like,
                                  tied)
from ..dual import Dual
from ..dispatch._sylvester import (lyapunov_padded as _lyapunov_padded, sqrtm as _sqrtm,
                                    sylvester as _sylv)
from ..dispatch._lift import (check_finite as _check_finite, columns, last, make, not_holomorphic, outer,
                    primal, read, scipy_linalg, split, traced, uncolumns, moveaxis as _moveaxis)

__all__ = ["cholesky", "cho_factor", "cho_solve", "solve_triangular", "solve", "inv", "det",
           "lu_factor", "lu_solve", "eigh", "expm", "solve_discrete_lyapunov",
           "solve_continuous_lyapunov", "solve_continuous_are", "solve_discrete_are",
           "solve_sylvester", "sqrtm", "block_diag"]

_TRANS = {0: 0, "N": 0, 1: 1, "T": 1, 2: 2, "C": 2}


def _H(x):
    """The conjugate transpose of a stack of matrices (the transpose when real)."""
    x = np.swapaxes(x, -1, -2)
    return np.conj(x) if np.iscomplexobj(primal(x)) else x


def _op(x, trans):
    """``x``, ``x^T`` or ``x^H`` for ``trans`` 0, 1, 2."""
    if trans == 0:
        return x
    return np.swapaxes(x, -1, -2) if trans == 1 else _H(x)


_F64 = np.dtype(np.float64)
_ZERO = np.zeros(1)
_TRI = {}                   # (m, k) -> np.tri(m, k=k, dtype=bool), read-only (m <= _TRI_UP_TO)
_TRI_UP_TO = 128


def _tri_mask(m, k=0):
    """``np.tri(m, k=k, dtype=bool)``, kept read-only for small ``m`` (a Gaussian process
    likelihood's factor and solves made five a call, ~3 us each: rows63)."""
    if m > _TRI_UP_TO:
        return np.tri(m, k=k, dtype=bool)
    mask = _TRI.get((m, k))
    if mask is None:
        mask = _TRI[m, k] = np.tri(m, k=k, dtype=bool)
        mask.flags.writeable = False
    return mask


def _triangle(x, lower, unit=False):
    """The triangle of ``x`` that a triangular solve reads (without the diagonal
    for a unit diagonal): ``np.tril(x, -k)`` / ``np.triu(x, k)``, for a plain float64
    array their own ``np.where`` with a kept mask."""
    k = int(bool(unit))
    if type(x) is np.ndarray and x.dtype == _F64 and x.ndim >= 2 and \
            x.shape[-1] == x.shape[-2]:
        m = x.shape[-1]
        if lower:
            return np.where(_tri_mask(m, -k), x, _ZERO)
        return np.where(_tri_mask(m, k - 1), _ZERO, x)
    return np.tril(x, -k) if lower else np.triu(x, k)


def _mirrored(x, lower, conj):
    """The symmetric (``conj``: Hermitian) matrix made of ``x``'s ``lower`` (else
    upper) triangle, as ``?sysv`` / ``?hesv`` / ``?potrf`` read it: a complex
    Hermitian one's diagonal is read as real (LAPACK ignores its imaginary part, so
    the partials' imaginary part there moves nothing either)."""
    mirror = np.swapaxes(x, -1, -2)
    m = np.shape(primal(x))[-1]
    read = _tri_mask(m)                                   # on and below the diagonal
    if conj and np.iscomplexobj(primal(mirror)):
        out = np.where(read if lower else read.T, x, np.conj(mirror))
        return np.where(np.eye(m, dtype=bool), np.real(out), out)
    return np.where(read if lower else read.T, x, mirror)


def _trans_code(who, trans):
    if trans not in _TRANS:
        raise errors.bad_argument(f"dualgrad.scipy.linalg.{who}",
                                  "trans as 0, 1, 2, 'N', 'T' or 'C'", repr(trans))
    return _TRANS[trans]


def _refuse_traced(who, *xs):
    if traced(*xs):
        raise errors.scipy_traced(f"dualgrad.scipy.linalg.{who}")


def _solve_all(solver, T, stack, vector):
    """``solver(T, r_k)`` for every right-hand side of ``stack`` (directions
    leading), one call with the directions as extra columns; directions last."""
    n = np.shape(primal(stack))[0]
    return uncolumns(solver(T, columns(stack, vector)), n, vector)


def _tri(a, b, trans, lower, unit):
    """``solve_triangular`` of ``a``, ``b`` (maybe duals, any nesting)."""
    if type(a) is np.ndarray and type(b) is np.ndarray:   # a level's value, its partials'
        return _plain_tri(a, b, trans, lower, unit)       # solve: no dual, no tracer
    tag, n = outer("dualgrad.scipy.linalg.solve_triangular", a, b)
    if tag < 0 and traced(a, b):          # sparsity tracers: NumPy's spelling, same pattern
        T = _triangle(a, lower, unit)
        if unit:
            T = T + np.eye(np.shape(a)[-1])
        return np.linalg.solve(_op(T, trans), b)
    if tag < 0:
        return _plain_tri(a, b, trans, lower, unit)
    a0, da = split(a, tag)
    b0, db = split(b, tag)
    x = _tri(a0, b0, trans, lower, unit)
    vector = np.ndim(primal(b0)) == 1
    r = None
    if da is not None:
        dT = _op(_triangle(da, lower, unit), trans)
        r = -(dT @ x[..., None])[..., 0] if vector else -(dT @ x)
    if db is not None:
        shape = (n,) + np.shape(primal(x))
        if np.shape(primal(db)) != shape:              # a batched a, one b
            db = np.broadcast_to(db, shape)
        r = db if r is None else db + r
    return make(x, _solve_all(lambda T, R: _tri(T, R, trans, lower, unit), a0, r, vector),
                tag)


def _scipy_private(module, name, parameters):
    """SciPy's unvalidated function ``scipy.linalg.<module>.<name>`` where its
    parameters are named ``parameters`` (SciPy 1.17's), else ``None`` (the public
    function then)."""
    import importlib
    import inspect
    try:
        fn = getattr(importlib.import_module(f"scipy.linalg.{module}"), name)
        names = tuple(inspect.signature(fn).parameters)
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    return fn if names == parameters else None


_PRIVATE = {}               # name -> SciPy's unvalidated function or None, on first use


def _private(name):
    """:data:`_PRIVATE`'s entry for ``name`` (looked up on first use)."""
    fn = _PRIVATE.get(name, False)
    if fn is False:
        scipy_linalg("dualgrad.scipy.linalg")
        fn = _PRIVATE[name] = _scipy_private(*{
            "trtrs": ("_basic", "_solve_triangular",
                      ("a1", "b1", "trans", "lower", "unit_diagonal", "overwrite_b")),
            "potrf": ("_decomp_cholesky", "_cholesky",
                      ("a", "lower", "overwrite_a", "clean", "check_finite"))}[name])
    return fn


def _plain_tri(a, b, trans, lower, unit):
    """``scipy.linalg.solve_triangular(a, b, ..., check_finite=False)`` of plain arrays.
    For a float64 square matrix and a nonempty float64 right-hand side (one or two
    axes) SciPy's own steps after its wrapper's (the batch decorator's and
    ``_asarray_validated``'s, which return these arrays as they are, and
    ``overwrite_b`` False as the public call finds it): the same LAPACK call, ~2.6 us
    instead of ~8.3 at 25 x 25 (rows63)."""
    solve = _private("trtrs")
    if solve is not None and type(a) is np.ndarray and type(b) is np.ndarray and \
            a.dtype == _F64 and b.dtype == _F64 and a.ndim == 2 and 0 < b.ndim < 3 and \
            a.shape[0] == a.shape[1] == b.shape[0] and b.size:
        return solve(a, b, trans, lower, unit, False)[0]
    return scipy_linalg("dualgrad.scipy.linalg.solve_triangular").solve_triangular(
        a, b, trans=trans, lower=lower, unit_diagonal=unit, check_finite=False)


def _plain_cho_factor(a, lower):
    """``scipy.linalg.cho_factor(a, lower, check_finite=False)[0]`` of a plain array:
    for a float64 nonempty square matrix SciPy's ``_cholesky`` (the public function's
    one step after its batch decorator's, which returns ``a`` as it is)."""
    factor = _private("potrf")
    if factor is not None and type(a) is np.ndarray and a.dtype == _F64 and \
            a.ndim == 2 and a.shape[0] == a.shape[1] and a.size:
        return factor(a, lower=lower, overwrite_a=False, clean=False, check_finite=False)[0]
    return scipy_linalg("dualgrad.scipy.linalg.cholesky").cho_factor(
        a, lower=lower, check_finite=False)[0]


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """``scipy.linalg.solve_triangular`` that takes dual numbers.

    Solves ``a x = b`` (``a^T x = b`` for ``trans=1`` or ``'T'``, ``a^H x = b`` for
    ``trans=2`` or ``'C'``) reading only ``a``'s ``lower`` (default: upper)
    triangle, as SciPy does.

    Parameters
    ----------
    a : (..., M, M) array_like or Dual
        The triangular matrix (a batch of them): only the triangle chosen by
        ``lower`` is read (without the diagonal for ``unit_diagonal=True``).
    b : (..., M) or (..., M, K) array_like or Dual
        The right-hand side (SciPy's rule: a vector only when 1-D).
    trans, lower, unit_diagonal, overwrite_b, check_finite
        As SciPy's; ``overwrite_b`` is ignored on duals.

    Returns
    -------
    ndarray or Dual
        ``x``, shaped like ``b`` (with ``a``'s batch shape): SciPy's own result for
        plain input; for duals SciPy's value and the partials
        ``dx = T^{-1} (db - dT x)``.

    Raises
    ------
    ValueError
        As SciPy: shapes that do not fit, infs or NaNs with ``check_finite=True``.
    numpy.linalg.LinAlgError
        As SciPy: a zero on the diagonal (a singular matrix).

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import solve_triangular
    >>> L = np.array([[2.0, 0.0], [1.0, 4.0]])
    >>> dg.jacobian(lambda b: solve_triangular(L, b, lower=True), np.array([2.0, 9.0]))
    array([[ 0.5  ,  0.   ],
           [-0.125,  0.25 ]])
    """
    a, b = read(a), read(b)
    tag, _ = outer("dualgrad.scipy.linalg.solve_triangular", a, b)
    if tag < 0 and not traced(a, b):
        return scipy_linalg("dualgrad.scipy.linalg.solve_triangular").solve_triangular(
            a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal,
            overwrite_b=overwrite_b, check_finite=check_finite)
    if check_finite and tag >= 0:
        _check_finite("solve_triangular", a, b)
    t = _trans_code("solve_triangular", trans)
    if t == 2:                                  # a^H: no complex derivative in a
        not_holomorphic("dualgrad.scipy.linalg.solve_triangular(trans=2)", a)
    return _tri(a, b, t, bool(lower), bool(unit_diagonal))


def _factor(a, lower, clean=True):
    """The Cholesky factor of ``a``'s ``lower`` (else upper) triangle: ``L`` with
    ``a = L L^H``, or ``U`` with ``a = U^H U``; ``clean=False``: ``cho_factor``'s
    ``c``, the other triangle ``a``'s entries (and their partials)."""
    tag, n = outer("dualgrad.scipy.linalg.cholesky", a)
    if tag < 0 and traced(a):
        F = np.linalg.cholesky(a, upper=not lower)
        if clean:
            return F
        inside = np.tri(np.shape(a)[-1], dtype=bool)
        return np.where(inside if lower else inside.T, F, a)
    if tag < 0:
        sl = scipy_linalg("dualgrad.scipy.linalg.cholesky")
        if clean:
            return sl.cholesky(a, lower=lower, check_finite=False)
        return _plain_cho_factor(a, lower)
    a0, da = split(a, tag)
    c = _factor(a0, lower, clean)
    F = c if clean else _triangle(c, lower)
    dS = _mirrored(da, lower, conj=True)                  # the Hermitian change read
    # S = L^{-1} dS L^{-H} (L = U^H for the upper factor): Y = L^{-1} dS, S = L^{-1} Y^H
    t = 0 if lower else 2
    Y = _moveaxis(_solve_all(lambda T, R: _tri(T, R, t, lower, False), F, dS, False),
                   -1, 0)
    S = _moveaxis(_solve_all(lambda T, R: _tri(T, R, t, lower, False), F, _H(Y), False),
                   -1, 0)
    lower_mask, diag = _masks(np.shape(primal(S))[-1])
    half = np.real(S) * 0.5 if np.iscomplexobj(primal(S)) else S * 0.5
    phi = np.where(diag, half, np.where(lower_mask, S, 0.0))   # tril(S, -1) + Re diag(S) / 2
    dF = F @ phi if lower else _H(phi) @ F
    if not clean:                                         # a's own entries outside
        dF = np.where(lower_mask | diag if lower else ~lower_mask, dF, da)
    return make(c, last(dF), tag)


def _masks(m):
    """The strictly lower triangle and the diagonal of an ``m x m`` matrix (bool)."""
    return _tri_mask(m, -1), np.eye(m, dtype=bool)


def _column_back(x):
    """``x[..., 0]``: the solution of a right-hand side read as one column, a vector
    again (a dual's ``x[:, 0]`` where ``x`` has two axes: its basic index's path,
    0.9 us, not the Ellipsis's 4.5)."""
    return x[:, 0] if np.ndim(primal(x)) == 2 else x[..., 0]


def _check_square(who, a):
    shape = np.shape(primal(a))
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"{who}: expected a square matrix (or a batch of them), got the "
                         f"shape {shape}")


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """``scipy.linalg.cholesky`` that takes dual numbers.

    Parameters
    ----------
    a : (..., M, M) array_like or Dual
        Hermitian positive definite matrix (a batch of them); only the triangle
        chosen by ``lower`` is read, as SciPy's.
    lower : bool
        Return the lower factor ``L`` (``a = L L^H``); default the upper ``U``
        (``a = U^H U``).
    overwrite_a, check_finite
        As SciPy's; ``overwrite_a`` is ignored on duals.

    Returns
    -------
    ndarray or Dual
        The factor, shaped like ``a``: SciPy's own for plain input; for duals
        SciPy's value and ``dL = L Phi``, ``Phi = tril(S, -1) + Re diag(S) / 2``,
        ``S = L^{-1} dA L^{-H}``.

    Raises
    ------
    numpy.linalg.LinAlgError
        As SciPy: ``a`` not positive definite.
    ValueError
        As SciPy: not square, infs or NaNs with ``check_finite=True``.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import cholesky
    >>> float(dg.derivative(lambda s: cholesky(np.array([[s, 0.0], [0.0, 1.0]]))[0, 0], 4.0))
    0.25
    """
    a = read(a)
    tag, _ = outer("dualgrad.scipy.linalg.cholesky", a)
    if tag < 0 and not traced(a):
        return scipy_linalg("dualgrad.scipy.linalg.cholesky").cholesky(
            a, lower=lower, overwrite_a=overwrite_a, check_finite=check_finite)
    if check_finite and tag >= 0:
        _check_finite("cholesky", a)
    not_holomorphic("dualgrad.scipy.linalg.cholesky", a)
    _check_square("dualgrad.scipy.linalg.cholesky", a)
    return _factor(a, bool(lower))


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """``scipy.linalg.cho_factor`` that takes dual numbers.

    Parameters
    ----------
    a : (..., M, M) array_like or Dual
        Hermitian positive definite matrix; only the triangle chosen by ``lower``
        is read.
    lower, overwrite_a, check_finite
        As SciPy's; ``overwrite_a`` is ignored on duals.

    Returns
    -------
    c : ndarray or Dual
        The factor in the triangle chosen by ``lower``; the other triangle holds
        ``a``'s entries (as SciPy's, with their partials), which
        :func:`cho_solve` never reads.
    lower : bool or ndarray
        As given (for a batch, an array of it per matrix, as SciPy's): pass
        ``(c, lower)`` to :func:`cho_solve`.

    Raises
    ------
    numpy.linalg.LinAlgError, ValueError
        As :func:`cholesky`.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import cho_factor, cho_solve
    >>> b = np.array([1.0, 2.0])
    >>> def f(s):
    ...     return cho_solve(cho_factor(np.array([[s, 1.0], [1.0, 3.0]])), b)
    >>> dg.derivative(f, 2.0)            # d/ds of [[s, 1], [1, 3]]^{-1} b at s = 2
    array([-0.12,  0.04])
    """
    a = read(a)
    tag, _ = outer("dualgrad.scipy.linalg.cho_factor", a)
    if tag < 0 and not traced(a):
        return scipy_linalg("dualgrad.scipy.linalg.cho_factor").cho_factor(
            a, lower=lower, overwrite_a=overwrite_a, check_finite=check_finite)
    if check_finite and tag >= 0:
        _check_finite("cho_factor", a)
    not_holomorphic("dualgrad.scipy.linalg.cho_factor", a)
    _check_square("dualgrad.scipy.linalg.cho_factor", a)
    lower = bool(lower)
    batch = np.shape(primal(a))[:-2]
    return _factor(a, lower, clean=False), (np.full(batch, lower) if batch else lower)


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """``scipy.linalg.cho_solve`` that takes dual numbers.

    Parameters
    ----------
    c_and_lower : tuple
        ``(c, lower)`` from :func:`cho_factor` (SciPy's or this one's); only the
        triangle of ``c`` chosen by ``lower`` is read.
    b : (..., M) or (..., M, K) array_like or Dual
        The right-hand side.
    overwrite_b, check_finite
        As SciPy's; ``overwrite_b`` is ignored on duals.

    Returns
    -------
    ndarray or Dual
        ``x`` with ``a x = b`` (``a = L L^H`` or ``U^H U``), shaped like ``b``:
        SciPy's own for plain input; for duals two triangular solves with the
        factor (:func:`solve_triangular`'s identity each), so the partials are those
        of ``x`` as a function of ``c``'s triangle and ``b``.

    Raises
    ------
    ValueError
        As SciPy: shapes that do not fit, infs or NaNs with ``check_finite=True``.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import cho_factor, cho_solve
    >>> cf = cho_factor(np.array([[4.0, 2.0], [2.0, 3.0]]))
    >>> dg.jacobian(lambda b: cho_solve(cf, b), np.array([1.0, 1.0]))
    array([[ 0.375, -0.25 ],
           [-0.25 ,  0.5  ]])
    """
    c, lower = c_and_lower
    c, b = read(c), read(b)
    tag, _ = outer("dualgrad.scipy.linalg.cho_solve", c, b)
    if tag < 0 and not traced(c, b):
        return scipy_linalg("dualgrad.scipy.linalg.cho_solve").cho_solve(
            (c, lower), b, overwrite_b=overwrite_b, check_finite=check_finite)
    if np.ndim(lower):               # a batch's cho_factor gives one flag per matrix
        lower = bool(np.asarray(lower).flat[0])
    if check_finite and tag >= 0:
        _check_finite("cho_solve", c, b)
    not_holomorphic("dualgrad.scipy.linalg.cho_solve", c)       # L L^H: conjugates c
    vector = np.ndim(primal(b)) == 1
    if vector:                                  # a column: the solution of one step is
        b = b[:, None]                          # not read as a matrix by the next
    if lower:                                   # L L^H x = b
        x = _tri(c, _tri(c, b, 0, True, False), 2, True, False)
    else:                                       # U^H U x = b
        x = _tri(c, _tri(c, b, 2, False, False), 0, False, False)
    return _column_back(x) if vector else x


# What each assume_a reads of a (measured on SciPy 1.17: changing the other entries
# leaves the solution's bits as they are)
_SOLVE_READS = {None: "all", "gen": "all", "general": "all", "banded": "all",
                "diagonal": "diagonal", "tridiagonal": "tridiagonal",
                "upper triangular": "upper", "lower triangular": "lower",
                "sym": "symmetric", "symmetric": "symmetric",
                "her": "hermitian", "hermitian": "hermitian",
                "pos": "hermitian", "positive definite": "hermitian"}
# (inv's own keys, SciPy 1.17's: its 'diagonal' inverts the diagonal and returns a's
# off-diagonal entries as they are, a function of its own: "copied")
_INV_READS = {None: "all", "gen": "all", "general": "all", "diagonal": "copied",
              "upper triangular": "upper", "lower triangular": "lower",
              "sym": "symmetric", "her": "hermitian", "pos": "hermitian"}


def _read_part(dA, reads, lower):
    """The part of ``dA`` (directions leading) that SciPy reads for ``reads``."""
    if reads == "all":
        return dA
    if reads == "diagonal":
        return np.where(np.eye(np.shape(primal(dA))[-1], dtype=bool), dA, 0.0)
    if reads == "tridiagonal":
        return np.triu(np.tril(dA, 1), -1)
    if reads in ("upper", "lower"):
        return np.tril(dA) if reads == "lower" else np.triu(dA)
    return _mirrored(dA, lower, conj=reads == "hermitian")


_SHORT_KEYS = {"symmetric": "sym", "hermitian": "her", "positive definite": "pos"}


def _assumed(who, table, assume_a):
    if assume_a not in table:
        short = _SHORT_KEYS.get(assume_a) if isinstance(assume_a, str) else None
        fix = (f"Fix: assume_a={short!r} (SciPy's {who} takes the short key, not "
               f"solve's {assume_a!r})." if short is not None and short in table else
               "Fix: pass one of those keys, or leave assume_a out (the general matrix).")
        raise errors.bad_argument(f"dualgrad.scipy.linalg.{who}", "assume_a as one of " +
                                  ", ".join(repr(k) for k in table), repr(assume_a), fix)
    return table[assume_a]


def _solve(a, b, lower, assume_a, transposed):
    tag, n = outer("dualgrad.scipy.linalg.solve", a, b)
    if tag < 0 and traced(a, b):
        M = _read_part(a, _SOLVE_READS[assume_a], lower)
        return np.linalg.solve(np.swapaxes(M, -1, -2) if transposed else M, b)
    if tag < 0:
        return scipy_linalg("dualgrad.scipy.linalg.solve").solve(
            a, b, lower=lower, assume_a=assume_a, transposed=transposed, check_finite=False)
    a0, da = split(a, tag)
    b0, db = split(b, tag)
    x = _solve(a0, b0, lower, assume_a, transposed)
    vector = np.ndim(primal(b0)) == 1
    r = None
    if da is not None:
        dM = _read_part(da, _SOLVE_READS[assume_a], lower)
        if transposed:
            dM = np.swapaxes(dM, -1, -2)
        r = -(dM @ x[..., None])[..., 0] if vector else -(dM @ x)
    if db is not None:
        shape = (n,) + np.shape(primal(x))
        if np.shape(primal(db)) != shape:
            db = np.broadcast_to(db, shape)
        r = db if r is None else db + r
    return make(x, _solve_all(lambda T, R: _solve(T, R, lower, assume_a, transposed),
                              a0, r, vector), tag)


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    """``scipy.linalg.solve`` that takes dual numbers.

    Parameters
    ----------
    a : (..., N, N) array_like or Dual
        The matrix (a batch of them).  ``assume_a`` says which entries SciPy reads
        ('sym', 'her', 'pos': the triangle chosen by ``lower``; 'diagonal',
        'tridiagonal', 'upper triangular', 'lower triangular': that part; None,
        'gen', 'banded': all of them); the partials follow the same entries.
    b : (..., N) or (..., N, NRHS) array_like or Dual
        The right-hand side (a vector only when 1-D).
    lower, overwrite_a, overwrite_b, check_finite, assume_a, transposed
        As SciPy's; the ``overwrite_*`` flags are ignored on duals.

    Returns
    -------
    ndarray or Dual
        ``x``: SciPy's own for plain input; for duals SciPy's value and the
        partials ``dx = A^{-1} (db - dA x)`` (``A^T`` for ``transposed=True``), every
        direction solved with SciPy as extra columns.

    Raises
    ------
    ValueError, numpy.linalg.LinAlgError, NotImplementedError
        As SciPy's (shapes, singular matrices, ``transposed`` complex ``a``).

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import solve
    >>> A = np.array([[3.0, 1.0], [1.0, 2.0]])
    >>> dg.jacobian(lambda b: solve(A, b, assume_a="pos"), np.array([1.0, 0.0]))
    array([[ 0.4, -0.2],
           [-0.2,  0.6]])
    """
    a, b = read(a), read(b)
    tag, _ = outer("dualgrad.scipy.linalg.solve", a, b)
    if tag < 0 and not traced(a, b):
        return scipy_linalg("dualgrad.scipy.linalg.solve").solve(
            a, b, lower=lower, overwrite_a=overwrite_a, overwrite_b=overwrite_b,
            check_finite=check_finite, assume_a=assume_a, transposed=transposed)
    if _assumed("solve", _SOLVE_READS, assume_a) == "hermitian":
        not_holomorphic(f"dualgrad.scipy.linalg.solve(assume_a={assume_a!r})", a)
    if check_finite and tag >= 0:
        _check_finite("solve", a, b)
    return _solve(a, b, bool(lower), assume_a, bool(transposed))


def _inv(a, assume_a, lower):
    tag, n = outer("dualgrad.scipy.linalg.inv", a)
    reads = _INV_READS[assume_a]
    if tag < 0 and traced(a):
        if reads == "copied":              # 1 / a_ii on the diagonal, a_ij off it
            return np.where(np.eye(np.shape(a)[-1], dtype=bool), 1.0 / a, a)
        return np.linalg.inv(_read_part(a, reads, lower))
    if tag < 0:
        return scipy_linalg("dualgrad.scipy.linalg.inv").inv(
            a, check_finite=False, assume_a=assume_a, lower=lower)
    a0, da = split(a, tag)
    X = _inv(a0, assume_a, lower)
    if reads == "copied":                  # d(1 / a_ii) = -da_ii / a_ii^2; da_ij as it is
        eye = np.eye(np.shape(primal(X))[-1], dtype=bool)
        return make(X, last(np.where(eye, -(X * X) * da, da)), tag)
    dM = _read_part(da, reads, lower)
    return make(X, last(-(X @ dM @ X)), tag)


def inv(a, overwrite_a=False, check_finite=True, *, assume_a=None, lower=False):
    """``scipy.linalg.inv`` that takes dual numbers.

    Parameters
    ----------
    a : (..., M, M) array_like or Dual
        The matrix (a batch of them); ``assume_a`` and ``lower`` as SciPy's (the
        partials follow the entries SciPy reads).
    overwrite_a, check_finite, assume_a, lower
        As SciPy's; ``overwrite_a`` is ignored on duals.

    Returns
    -------
    ndarray or Dual
        ``a^{-1}``: SciPy's own for plain input; for duals SciPy's value and
        ``dX = -X dA X``, ``dA`` the part ``assume_a`` reads (SciPy's ``'sym'``,
        ``'her'``, ``'pos'``: a triangle; a complex Hermitian one's diagonal is read
        as real).  ``assume_a='diagonal'`` is SciPy 1.17's own function: ``1 / a_ii``
        on the diagonal and ``a``'s off-diagonal entries as they are, so
        ``-da_ii / a_ii^2`` there and ``da_ij`` off it.

    Raises
    ------
    ValueError, numpy.linalg.LinAlgError
        As SciPy's (not square, singular, infs or NaNs with ``check_finite``); on
        duals an unknown ``assume_a`` raises ``ValueError`` naming the key to use
        (SciPy 1.17's inv takes ``'sym'``, ``'her'``, ``'pos'``, not solve's long
        names; SciPy itself raises ``KeyError``).

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import inv
    >>> float(dg.derivative(lambda s: inv(np.array([[s, 0.0], [0.0, 1.0]]))[0, 0], 2.0))
    -0.25
    """
    a = read(a)
    tag, _ = outer("dualgrad.scipy.linalg.inv", a)
    if tag < 0 and not traced(a):
        return scipy_linalg("dualgrad.scipy.linalg.inv").inv(
            a, overwrite_a=overwrite_a, check_finite=check_finite, assume_a=assume_a,
            lower=lower)
    if _assumed("inv", _INV_READS, assume_a) == "hermitian":
        not_holomorphic(f"dualgrad.scipy.linalg.inv(assume_a={assume_a!r})", a)
    if check_finite and tag >= 0:
        _check_finite("inv", a)
    _check_square("dualgrad.scipy.linalg.inv", a)
    return _inv(a, assume_a, bool(lower))


def _det(a):
    tag, n = outer("dualgrad.scipy.linalg.det", a)
    if tag < 0 and traced(a):
        return np.linalg.det(a)
    if tag < 0:
        return scipy_linalg("dualgrad.scipy.linalg.det").det(a, check_finite=False)
    a0, _ = split(a, tag)
    # The partials of np.linalg.det (dualgrad's: tr(adj(A) dA), the singular and
    # non-finite matrices included); the value SciPy's, one level down.
    return make(_det(a0), np.linalg.det(a).partials, tag)


def det(a, overwrite_a=False, check_finite=True):
    """``scipy.linalg.det`` that takes dual numbers.

    Parameters
    ----------
    a : (..., M, M) array_like or Dual
        The matrix (a batch of them).
    overwrite_a, check_finite
        As SciPy's; ``overwrite_a`` is ignored on duals.

    Returns
    -------
    float, ndarray or Dual
        The determinant (one per matrix): SciPy's own for plain input; for duals
        SciPy's value and ``d det = tr(adj(A) dA)`` (``det tr(A^{-1} dA)`` where
        ``A`` is invertible), exact at singular matrices too.

    Raises
    ------
    ValueError
        As SciPy's (not square, infs or NaNs with ``check_finite=True``).

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import det
    >>> dg.gradient(lambda x: det(x.reshape(2, 2)), np.array([1.0, 2.0, 3.0, 4.0]))
    array([ 4., -3., -2.,  1.])
    """
    a = read(a)
    tag, _ = outer("dualgrad.scipy.linalg.det", a)
    if tag < 0 and not traced(a):
        return scipy_linalg("dualgrad.scipy.linalg.det").det(
            a, overwrite_a=overwrite_a, check_finite=check_finite)
    if check_finite and tag >= 0:
        _check_finite("det", a)
    _check_square("dualgrad.scipy.linalg.det", a)
    return _det(a)


def _permutation(piv):
    """The row order ``perm`` of LAPACK's pivots ``piv`` (``P A = A[perm]``): the
    swaps ``i <-> piv[i]`` in turn, over every matrix of a batch at once (a loop
    over the ``M`` pivots, not over elements)."""
    piv = np.asarray(piv)
    m = piv.shape[-1]
    perm = np.broadcast_to(np.arange(m), piv.shape).copy()
    rows = np.indices(piv.shape[:-1]) if piv.ndim > 1 else ()
    for i in range(m):
        j = piv[..., i]
        here = perm[..., i].copy()
        if piv.ndim > 1:
            perm[(*rows, np.full(piv.shape[:-1], i))] = perm[(*rows, j)]
            perm[(*rows, j)] = here
        else:
            perm[i] = perm[j]
            perm[j] = here
    return perm


def _rows(x, perm, vector):
    """``x``'s rows in the order ``perm`` (one order, or a batch of them broadcast
    against ``x``'s batch)."""
    if perm.ndim == 1:
        return x[..., perm] if vector else x[..., perm, :]
    shape = np.shape(primal(x))
    core = shape[-1:] if vector else shape[-2:]
    batch = np.broadcast_shapes(shape[:len(shape) - len(core)], perm.shape[:-1])
    x = np.broadcast_to(x, batch + core)
    index = perm if vector else perm[..., :, None]
    return np.take_along_axis(x, np.broadcast_to(index, batch + core),
                              axis=-1 if vector else -2)


def _lu(a):
    tag, n = outer("dualgrad.scipy.linalg.lu_factor", a)
    if tag < 0:
        return scipy_linalg("dualgrad.scipy.linalg.lu_factor").lu_factor(a, check_finite=False)
    a0, da = split(a, tag)
    lu, piv = _lu(a0)
    m = np.shape(primal(lu))[-1]
    perm = _permutation(piv)
    pdA = _rows(da, perm, False)                          # P dA, directions leading
    # X = L^{-1} P dA U^{-1}: Z = L^{-1} P dA, then X^T = U^{-T} Z^T
    Z = _moveaxis(_solve_all(lambda T, R: _tri(T, R, 0, True, True), lu, pdA, False), -1, 0)
    try:
        Xt = _moveaxis(_solve_all(lambda T, R: _tri(T, R, 1, False, False), lu,
                                  np.swapaxes(Z, -1, -2), False), -1, 0)
    except np.linalg.LinAlgError:        # a zero pivot: SciPy's factors (it warned), NaN
        return make(lu, nan_like(np.stack([lu] * n, axis=-1)), tag), piv   # partials
    X = np.swapaxes(Xt, -1, -2)
    L = np.tril(lu, -1) + np.eye(m)
    U = np.triu(lu)
    dlu = np.tril(L @ np.tril(X, -1), -1) + np.triu(np.triu(X) @ U)
    return make(lu, last(dlu), tag), piv


def lu_factor(a, overwrite_a=False, check_finite=True):
    """``scipy.linalg.lu_factor`` that takes dual numbers.

    Parameters
    ----------
    a : (..., M, M) array_like or Dual
        The matrix (a batch of them); square on duals.
    overwrite_a, check_finite
        As SciPy's; ``overwrite_a`` is ignored on duals.

    Returns
    -------
    lu : ndarray or Dual
        ``L`` (unit diagonal, not stored) below the diagonal and ``U`` on and above
        it, as SciPy's; for duals SciPy's value and, with the pivots of the value
        (locally constant), ``X = L^{-1} P dA U^{-1}``, ``dL = L tril(X, -1)``,
        ``dU = triu(X) U``.
    piv : ndarray
        SciPy's pivot indices (plain integers).

    Raises
    ------
    ValueError
        As SciPy's.
    TypeError
        A dual ``a`` that is not square.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import lu_factor, lu_solve
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> dg.jacobian(lambda b: lu_solve(lu_factor(A), b), np.array([1.0, 1.0]))
    array([[-2. ,  1. ],
           [ 1.5, -0.5]])
    """
    a = read(a)
    tag, _ = outer("dualgrad.scipy.linalg.lu_factor", a)
    if tag < 0:
        _refuse_traced("lu_factor", a)
        return scipy_linalg("dualgrad.scipy.linalg.lu_factor").lu_factor(
            a, overwrite_a=overwrite_a, check_finite=check_finite)
    if check_finite and tag >= 0:
        _check_finite("lu_factor", a)
    shape = np.shape(primal(a))
    if len(shape) >= 2 and shape[-1] != shape[-2]:
        raise errors.scipy_unsupported(
            "dualgrad.scipy.linalg.lu_factor", f"a matrix of shape {shape}",
            "a square matrix (a non-square one's factors are not written here)",
            "for a solve or a least-squares fit use dualgrad.scipy.linalg.solve or "
            "np.linalg.lstsq, for its range np.linalg.qr (both take duals)")
    _check_square("dualgrad.scipy.linalg.lu_factor", a)
    return _lu(a)


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """``scipy.linalg.lu_solve`` that takes dual numbers.

    Parameters
    ----------
    lu_and_piv : tuple
        ``(lu, piv)`` from :func:`lu_factor` (SciPy's or this one's).
    b : (..., M) or (..., M, K) array_like or Dual
        The right-hand side.
    trans, overwrite_b, check_finite
        As SciPy's (``trans``: 0 ``a x = b``, 1 ``a^T x = b``, 2 ``a^H x = b``);
        ``overwrite_b`` is ignored on duals.

    Returns
    -------
    ndarray or Dual
        ``x``: SciPy's own for plain input; for duals the permutation and two
        triangular solves with ``lu``'s triangles (:func:`solve_triangular`'s
        identity each).  An exactly singular factor (a zero on ``U``'s diagonal)
        gives SciPy's value (``inf`` / NaN) and NaN partials.

    Raises
    ------
    ValueError
        As SciPy's.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import lu_factor, lu_solve
    >>> f = lambda s: lu_solve(lu_factor(np.array([[s, 1.0], [1.0, 1.0]])), np.ones(2))
    >>> dg.derivative(f, 2.0)
    array([-0.,  0.])
    """
    lu, piv = lu_and_piv
    lu, b = read(lu), read(b)
    tag, _ = outer("dualgrad.scipy.linalg.lu_solve", lu, b)
    if tag < 0 and not traced(lu, b):
        return scipy_linalg("dualgrad.scipy.linalg.lu_solve").lu_solve(
            (lu, piv), b, trans=trans, overwrite_b=overwrite_b, check_finite=check_finite)
    if check_finite and tag >= 0:
        _check_finite("lu_solve", lu, b)
    t = _trans_code("lu_solve", trans)
    if t == 2:                                     # lu^H: no complex derivative in lu
        not_holomorphic("dualgrad.scipy.linalg.lu_solve(trans=2)", lu)
    perm = _permutation(piv)
    vector = np.ndim(primal(b)) == 1
    m, bshape = np.shape(primal(lu))[-1], np.shape(primal(b))
    if len(bshape) and bshape[0 if vector else -2] != m:       # SciPy's check and words
        raise ValueError(f"Shapes of lu {(m, m)} and b {bshape[-1:] if vector else bshape[-2:]} "
                         "are incompatible")
    if vector:                                     # a column, as in cho_solve
        b = b[:, None]
    try:
        if t == 0:                                 # P^T L U x = b
            x = _tri(lu, _tri(lu, _rows(b, perm, False), 0, True, True), 0, False, False)
        else:                                      # U^T L^T (P x) = b
            x = _rows(_tri(lu, _tri(lu, b, t, False, False), t, True, True),
                      np.argsort(perm, axis=-1), False)
    except np.linalg.LinAlgError:
        if tag < 0:
            raise
        x = _singular_lu_solve(lu, piv, b, trans, tag)
    return _column_back(x) if vector else x


def _singular_lu_solve(lu, piv, b, trans, tag):
    """A zero on ``U``'s diagonal: SciPy's ``?getrs`` does not check it and gives inf /
    NaN (``lu_factor`` warned); so SciPy's value here, every partial NaN."""
    lu0, _ = split(lu, tag)
    b0, _ = split(b, tag)
    value = lu_solve((lu0, piv), b0, trans=trans, check_finite=False)
    n = outer("dualgrad.scipy.linalg.lu_solve", lu, b)[1]
    return make(value, nan_like(np.stack([value] * n, axis=-1)), tag)


def _eigh(a, lower, driver, vectors=True):
    tag, n = outer("dualgrad.scipy.linalg.eigh", a)
    if tag < 0 and traced(a):
        return np.linalg.eigh(_mirrored(a, lower, conj=True))
    if tag < 0:
        sl = scipy_linalg("dualgrad.scipy.linalg.eigh")
        w, V = sl.eigh(a, lower=lower, driver=driver, check_finite=False)
        if not vectors:      # SciPy's own values of eigvals_only=True (LAPACK's job 'N':
            w = sl.eigh(a, lower=lower, driver=driver, check_finite=False,   # other bits,
                        eigvals_only=True)                     # ties exact where it has them)
        return w, V
    a0, da = split(a, tag)
    w, V = _eigh(a0, lower, driver, vectors)
    M = _H(V) @ _mirrored(da, lower, conj=True) @ V
    dw = np.diagonal(M, axis1=-2, axis2=-1)
    if np.iscomplexobj(primal(dw)):
        dw = np.real(dw)
    gap = w[..., None, :] - w[..., :, None]
    ties = tied(gap, w, lambda: block_scale(a0, V))
    dw, lost = _at_ties(dw, ties, w, M, vectors, tag)
    w_out = make(w, last(dw), tag)
    dV = V @ couple(inverse_gaps(gap) * M, M, ties)
    if lost is not None and lost.any():  # the second order picks another basis / order
        dV = np.where(lost[..., None, :], nan_like(dV), dV)
    return w_out, make(V, last(dV), tag)


def _at_ties(dw, ties, w, M, vectors, tag):
    """``(dw, lost)``: the values' partials ``dw`` with each cluster of repeated
    eigenvalues given :func:`clustered`'s mean, and with ``vectors`` the columns whose
    vectors have no derivative (``lost``, else None); as they are without ties."""
    if ties is None:
        return dw, None
    if vectors:
        return clustered(dw, ties, w, M, vectors=True, tag=tag)
    return clustered(dw, ties, w, M, tag=tag), None


def _eigh_general(a, b, lower, driver, vectors):
    """``eigh(a, b)`` (``a v = w b v``, ``v^T b v = I``) of real duals, any nesting:
    SciPy's values, and per direction ``M = V^T dA V - (V^T dB V) diag(w)``,
    ``dw = diag(M)``, ``dV = V (F o M - diag(V^T dB V) / 2)`` (the standard problem's
    formulas with ``dA - w_j dB``; the diagonal keeps ``v^T b v = 1``); ties at first
    order as :func:`_eigh`'s, on ``M``, whose cluster block is ``V_c^T (dA - w dB)
    V_c``; at second order a tied cluster's partials are NaN."""
    tag, n = outer("dualgrad.scipy.linalg.eigh", a, b)
    if tag < 0:
        sl = scipy_linalg("dualgrad.scipy.linalg.eigh")
        w, V = sl.eigh(a, b, lower=lower, driver=driver, check_finite=False)
        if not vectors:                                # SciPy's eigvals_only bits
            w = sl.eigh(a, b, lower=lower, driver=driver, check_finite=False,
                        eigvals_only=True)
        return w, V
    a0, da = split(a, tag)
    b0, db = split(b, tag)
    w, V = _eigh_general(a0, b0, lower, driver, vectors)
    batch = len(np.shape(primal(V))) + 1     # a stack's axes: the directions, V's
    da, db = (None if d is None else        # batch (a or b alone batched), the matrix
              np.expand_dims(d, tuple(range(1, 1 + batch - len(np.shape(primal(d))))))
              for d in (da, db))
    Vt = np.swapaxes(V, -1, -2)
    M = None if da is None else Vt @ _mirrored(da, lower, conj=True) @ V
    N = None if db is None else Vt @ _mirrored(db, lower, conj=True) @ V
    if N is not None:
        M = -N * w[..., None, :] if M is None else M - N * w[..., None, :]
    dw = np.diagonal(M, axis1=-2, axis2=-1)
    gap = w[..., None, :] - w[..., :, None]
    ties = tied(gap, w)
    if ties is not None and isinstance(w, Dual):
        # second order at a tie: the standard problem's ordering by the second order
        # (_spectral's _higher) is not derived for b; NaN, the documented signal
        lost = np.any(ties, axis=-1)
        dw = np.where(lost, nan_like(dw), dw)
    else:
        dw, lost = _at_ties(dw, ties, w, M, vectors, tag)
    w_out = make(w, last(dw), tag)
    C = couple(inverse_gaps(gap) * M, M, ties)
    if N is not None:
        C = C - N * (0.5 * np.eye(np.shape(primal(V))[-1]))
    dV = V @ C
    if lost is not None and lost.any():
        dV = np.where(lost[..., None, :], nan_like(dV), dV)
    return w_out, make(V, last(dV), tag)


def eigh(a, b=None, *, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False,
         type=1, check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    """``scipy.linalg.eigh`` that takes dual numbers (the standard problem, and the
    generalized ``a v = w b v`` of real matrices).

    Parameters
    ----------
    a : (..., M, M) array_like or Dual
        Hermitian matrix (a batch of them); only the triangle chosen by ``lower``
        (default: lower) is read.
    b : (..., M, M) array_like or Dual, optional
        Symmetric positive definite (real on duals), read as ``a``: the generalized
        problem, ``type=1``.  Derivatives with ``dA - w_j dB`` in place of ``dA``
        (``dw_i = v_i^T (dA - w_i dB) v_i``; the eigenvectors' diagonal term
        ``-v_j (v_j^T dB v_j) / 2`` keeps ``v^T b v = I``); ties as below.
    type, subset_by_index, subset_by_value
        As SciPy's on plain input; on duals only their defaults (type 1, every
        eigenpair): others raise ``TypeError``.
    lower, eigvals_only, overwrite_a, overwrite_b, check_finite, driver
        As SciPy's.

    Returns
    -------
    w : ndarray or Dual
        The eigenvalues, ascending: ``dw_i = Re(v_i^H dA v_i)``; at a repeated
        eigenvalue (equal, or within ``8 M eps max|w|``: LAPACK returns a degenerate
        pair a few ulps apart) each value of the cluster takes the cluster's mean
        ``trace(V_c^H dA V_c) / k`` (with ``eigvals_only=False``: where ``dA`` mixes
        the cluster; ``diag(V^H dA V)``, which pairs with the vectors, where it does
        not), and NaN at second order along a direction that splits the cluster.
    v : ndarray or Dual
        The eigenvectors (columns; not with ``eigvals_only=True``), SciPy's, with
        ``dV = V (F o V^H dA V)``, ``F_ij = 1 / (w_j - w_i)``; at repeated eigenvalues
        NaN unless the pair's coupling is 0 to rounding (within ``8 M eps`` of the
        direction's largest entry of ``V^H dA V``, as along a uniform scaling): no
        derivative exists otherwise.  Real matrices only: a complex matrix's eigenvectors
        carry LAPACK's phases and raise ``TypeError`` (its eigenvalues work).

    Raises
    ------
    TypeError
        On duals: ``type`` 2 or 3, a subset, a complex ``b``, or eigenvectors of a
        complex matrix.
    ValueError, numpy.linalg.LinAlgError
        As SciPy's.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import eigh
    >>> f = lambda s: eigh(np.array([[2.0, s], [s, 2.0]]), eigvals_only=True)
    >>> dg.derivative(f, 0.5)          # w = 2 -+ s
    array([-1.,  1.])
    """
    a = read(a)
    b = None if b is None else read(b)
    tag, _ = outer("dualgrad.scipy.linalg.eigh", a, b)
    if tag < 0 and not traced(a, b):
        return scipy_linalg("dualgrad.scipy.linalg.eigh").eigh(
            a, b, lower=lower, eigvals_only=eigvals_only, overwrite_a=overwrite_a,
            overwrite_b=overwrite_b, type=type, check_finite=check_finite,
            subset_by_index=subset_by_index, subset_by_value=subset_by_value, driver=driver)
    given = [k for k, v in (("subset_by_index", subset_by_index),
                            ("subset_by_value", subset_by_value)) if v is not None]
    if b is not None and type != 1:
        given.append(f"type={type!r}")
    if b is not None and traced(a, b):
        raise errors.scipy_traced("dualgrad.scipy.linalg.eigh")
    if given:
        raise errors.scipy_unsupported(
            "dualgrad.scipy.linalg.eigh", ", ".join(given),
            "every eigenpair (no subset), and type=1 with b",
            "select eigenpairs from the full result (w[i:j], v[:, i:j]); for type=2 "
            "(a b v = w v) with b = L L^T (L = cholesky(b, lower=True)), w, u = "
            "eigh(L.T @ a @ L) and v = solve_triangular(L, u, lower=True, trans='T'); "
            "for type=3 (b a v = w v) the same w, u and v = L @ u (SciPy's "
            "normalizations; dualgrad.scipy.linalg's functions)")
    if check_finite and tag >= 0:
        _check_finite("eigh", a)
        if b is not None:
            _check_finite("eigh", b)
    not_holomorphic("dualgrad.scipy.linalg.eigh", a)       # real eigenvalues, Re diag
    _check_square("dualgrad.scipy.linalg.eigh", a)
    vectors = not eigvals_only
    if b is not None:
        not_holomorphic("dualgrad.scipy.linalg.eigh", b)
        _check_square("dualgrad.scipy.linalg.eigh", b)
        if np.iscomplexobj(primal(a)) or np.iscomplexobj(primal(b)):
            raise errors.scipy_unsupported(
                "dualgrad.scipy.linalg.eigh", "a complex generalized problem",
                "real a and b for eigh(a, b) on duals", "for complex Hermitian a, b "
                "reduce it: L = cholesky(b, lower=True), w, u = eigh(solve_triangular("
                "L, solve_triangular(L, a, lower=True).conj().T, lower=True), "
                "eigvals_only=True) gives the eigenvalues")
        w, V = _eigh_general(a, b, bool(lower), driver, vectors)
        return w if eigvals_only else (w, V)
    if vectors and np.iscomplexobj(primal(a)):
        raise errors.scipy_unsupported(
            "dualgrad.scipy.linalg.eigh", "the eigenvectors of a complex matrix",
            "a real matrix for eigenvectors (a complex one's carry LAPACK's phases, which "
            "have no derivative)", "pass eigvals_only=True, or use functions of V V^H")
    w, V = _eigh(a, bool(lower), driver, vectors)
    return w if eigvals_only else (w, V)


def _expm_plain(A, limit):
    """SciPy's ``expm`` of plain ``A``; with ``limit`` (a block of derivatives) a
    ``-inf`` on a matrix's diagonal is taken as the limit ``a_kk -> -inf``: row and
    column ``k`` of ``exp(A)`` are 0 and the rest is ``exp`` of ``A`` without them
    (the ``k``-th component of ``y' = A y`` is damped infinitely fast, so it neither
    moves nor feeds the others).  SciPy's Pade steps give NaN there; its own value
    of a diagonal matrix with ``-inf`` (``diag(exp(a))``) is that limit, so the
    partials are the limit's as well: ``exp(a_k)``'s derivative 0, and the divided
    differences ``(e^a_i - e^a_j) / (a_i - a_j)`` with one of them ``-inf`` 0."""
    expm = scipy_linalg("dualgrad.scipy.linalg.expm").expm
    if not limit:
        return expm(A)
    A = np.asarray(A)
    d = np.diagonal(A, axis1=-2, axis2=-1)
    gone = (np.real(d) == -np.inf) & np.isfinite(np.imag(d))
    if not gone.any():
        return expm(A)
    m = A.shape[-1]
    cut = gone[..., :, None] | gone[..., None, :]
    off = cut & ~np.eye(m, dtype=bool)
    # the limit only where the rest of those rows and columns is finite (a -inf or
    # NaN beside it leaves SciPy's NaN)
    cut &= np.all(np.isfinite(A) | ~off, axis=(-2, -1), keepdims=True)
    return np.where(cut, 0, expm(np.where(cut, 0, A)))


def _expm(A, limit=False):
    tag, n = outer("dualgrad.scipy.linalg.expm", A)
    if tag < 0:
        return _expm_plain(A, limit)
    A0, dA = split(A, tag)
    X = _expm(A0, limit)
    # L(A, E) = the upper right block of expm([[A, E], [0, A]]), every direction
    # one matrix of a batch
    shape = np.shape(primal(dA))
    A0s = np.broadcast_to(A0, shape) if np.shape(primal(A0)) != shape else A0
    zero = np.zeros(shape, dtype=np.result_type(primal(A0), primal(dA)))
    block = np.concatenate([np.concatenate([A0s, dA], axis=-1),
                            np.concatenate([zero, A0s], axis=-1)], axis=-2)
    m = shape[-1]
    dX = _expm(block, True)[..., :m, m:]
    if not limit:
        # SciPy's value NaN (a -inf on the diagonal of a matrix that is not
        # diagonal): the partials of the limit belong to another value, so NaN
        # there too, at every level the partials hold
        lost = np.isnan(primal(X))
        if lost.any():
            dX = np.where(lost, nan_like(dX), dX)
    return make(X, last(dX), tag)


def expm(A):
    """``scipy.linalg.expm`` that takes dual numbers.

    Parameters
    ----------
    A : (..., M, M) array_like or Dual
        The matrix (a batch of them).

    Returns
    -------
    ndarray or Dual
        ``exp(A)``: SciPy's own for plain input; for duals SciPy's value and the
        Frechet derivative along each direction, the upper right block of SciPy's
        ``expm([[A, dA], [0, A]])`` (as accurate as ``expm`` itself; all directions
        one batched call).  As SciPy, a single number (0-d, or one element of
        one dimension) gives ``[[exp(a)]]`` (float64 or complex128) and 1 x 1
        matrices ``np.exp(A)``: on duals ``np.exp``'s derivatives.  A ``-inf`` on
        the diagonal (``exp`` of it 0) has the partials of the limit ``a_kk ->
        -inf``, finite: that row and column of ``exp(A)`` do not move and the rest
        is ``exp`` of ``A`` without them, where SciPy's value is that limit (a
        diagonal matrix); where SciPy's value is NaN (a ``-inf`` in a matrix that is
        not diagonal), the partials of those entries are NaN too.

    Raises
    ------
    numpy.linalg.LinAlgError
        As SciPy's (fewer than two dimensions and more than one element, or not
        square); a ``ValueError``.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import expm
    >>> float(dg.derivative(lambda s: expm(np.array([[s, 1.0], [0.0, s]]))[0, 1], 0.0))
    1.0
    """
    A = read(A)
    tag, _ = outer("dualgrad.scipy.linalg.expm", A)
    if tag < 0:
        _refuse_traced("expm", A)
        return scipy_linalg("dualgrad.scipy.linalg.expm").expm(A)
    shape = np.shape(primal(A))
    if len(shape) < 2 and int(np.prod(shape)) == 1:
        # SciPy: np.array([[np.exp(a.item())]]), a Python number's exp
        kind = np.complex128 if np.iscomplexobj(primal(A)) else np.float64
        return np.reshape(np.exp(A), (1, 1)) + np.zeros((1, 1), kind)
    if len(shape) < 2:
        raise np.linalg.LinAlgError("dualgrad.scipy.linalg.expm: the input array must be at "
                                    f"least two-dimensional (as SciPy's), got the shape {shape}")
    if shape[-1] != shape[-2]:
        raise np.linalg.LinAlgError("dualgrad.scipy.linalg.expm: the last 2 dimensions of the "
                                    f"array must be square (as SciPy's), got the shape {shape}")
    if shape[-2:] == (1, 1):
        return np.exp(A)                                  # SciPy's own 1 x 1 case
    return _expm(A)



def _sdl(a, q, method):
    """``solve_discrete_lyapunov`` of ``a``, ``q`` (maybe duals, any nesting)."""
    tag, n = outer("dualgrad.scipy.linalg.solve_discrete_lyapunov", a, q)
    if tag < 0:
        return scipy_linalg("dualgrad.scipy.linalg.solve_discrete_lyapunov") \
            .solve_discrete_lyapunov(a, q, method=method)
    a0, da = split(a, tag)
    q0, dq = split(q, tag)
    X = _sdl(a0, q0, method)
    shape = np.shape(primal(X))
    # X = A X A^H + Q along every direction: dX = A dX A^H + C, the same equation in A
    # with C = dA X A^H + A X dA^H + dQ; the directions are SciPy's batch
    r = None
    if da is not None:
        da = _lyapunov_padded(da, shape)
        r = da @ X @ _H(a0) + a0 @ X @ _H(da)
    if dq is not None:
        dq = _lyapunov_padded(dq, shape)
        r = dq if r is None else r + dq
    r = np.broadcast_to(r, (n,) + shape) if np.shape(primal(r)) != (n,) + shape else r
    return make(X, last(_sdl(a0, r, method)), tag)


def solve_discrete_lyapunov(a, q, method=None):
    """``scipy.linalg.solve_discrete_lyapunov`` that takes dual numbers.

    Solves ``X = A X A^H + Q`` for ``X``: a VAR's or a linearized model's
    unconditional covariance (``A`` the transition matrix, ``Q = B B^T`` the shocks'),
    a Kalman filter's initial state covariance.

    Parameters
    ----------
    a, q : (..., M, M) array_like or Dual
        The matrices (batches of them broadcast, as SciPy's).
    method : {'direct', 'bilinear', None}
        As SciPy's (None: 'direct' below ``M = 10``, 'bilinear' from it), for the
        value and for the partials alike.

    Returns
    -------
    ndarray or Dual
        ``X``: SciPy's own for plain input; for duals SciPy's value, and the partials
        solved by SciPy from the same equation in ``A``, ``dX = A dX A^H + dA X A^H +
        A X dA^H + dQ``, every direction one matrix of one batched call (so a second
        level of duals, a Hessian, is exact too).

    Raises
    ------
    ValueError, numpy.linalg.LinAlgError
        As SciPy's (shapes, an unknown method, ``I - A (x) conj(A)`` singular).

    Notes
    -----
    ``A^H`` conjugates a complex ``A``, so ``X`` is no holomorphic function of it: a
    complex dual of ``holomorphic=True`` raises, as ``np.conj`` does.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import solve_discrete_lyapunov
    >>> def var(rho):                       # an AR(1)'s variance, 1 / (1 - rho^2)
    ...     return solve_discrete_lyapunov(np.reshape(rho, (1, 1)), np.eye(1))[0, 0]
    >>> float(dg.derivative(var, 0.5))      # 2 rho / (1 - rho^2)^2
    1.7777777777777777
    """
    a, q = read(a), read(q)
    tag, _ = outer("dualgrad.scipy.linalg.solve_discrete_lyapunov", a, q)
    if tag < 0:
        _refuse_traced("solve_discrete_lyapunov", a, q)
        return scipy_linalg("dualgrad.scipy.linalg.solve_discrete_lyapunov") \
            .solve_discrete_lyapunov(a, q, method=method)
    not_holomorphic("dualgrad.scipy.linalg.solve_discrete_lyapunov", a)
    _check_square("dualgrad.scipy.linalg.solve_discrete_lyapunov", a)
    return _sdl(a, q, method)


def _scl(a, q):
    """``solve_continuous_lyapunov`` of ``a``, ``q`` (maybe duals, any nesting)."""
    tag, n = outer("dualgrad.scipy.linalg.solve_continuous_lyapunov", a, q)
    if tag < 0:
        return scipy_linalg("dualgrad.scipy.linalg.solve_continuous_lyapunov") \
            .solve_continuous_lyapunov(a, q)
    a0, da = split(a, tag)
    q0, dq = split(q, tag)
    X = _scl(a0, q0)
    shape = np.shape(primal(X))
    # A X + X A^H = Q along every direction: A dX + dX A^H = dQ - dA X - X dA^H, the
    # same equation in A; the directions are SciPy's batch
    r = None
    if da is not None:
        da = _lyapunov_padded(da, shape)
        r = -(da @ X + X @ _H(da))
    if dq is not None:
        dq = _lyapunov_padded(dq, shape)
        r = dq if r is None else r + dq
    r = np.broadcast_to(r, (n,) + shape) if np.shape(primal(r)) != (n,) + shape else r
    return make(X, last(_scl(a0, r)), tag)


def solve_continuous_lyapunov(a, q):
    """``scipy.linalg.solve_continuous_lyapunov`` that takes dual numbers.

    Solves ``A X + X A^H = Q`` for ``X``: a stable linear system's controllability or
    observability Gramian (``A P + P A^T = -B B^T``), a linearized model's stationary
    state covariance.

    Parameters
    ----------
    a, q : (..., M, M) array_like or Dual
        The matrices (batches of them broadcast, as SciPy's).

    Returns
    -------
    ndarray or Dual
        ``X``: SciPy's own for plain input; for duals SciPy's value, and the partials
        solved by SciPy from the same equation in ``A``, ``A dX + dX A^H = dQ - dA X -
        X dA^H``, every direction one matrix of one batched call (so a second level of
        duals, a Hessian, is exact too).

    Raises
    ------
    ValueError, scipy.linalg.LinAlgError
        As SciPy's (shapes; ``A`` and ``-A^H`` sharing an eigenvalue).

    Notes
    -----
    ``A^H`` conjugates a complex ``A``, so ``X`` is no holomorphic function of it: a
    complex dual of ``holomorphic=True`` raises, as ``np.conj`` does.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import solve_continuous_lyapunov
    >>> def var(a):                         # an Ornstein-Uhlenbeck variance, -1 / (2 a)
    ...     return solve_continuous_lyapunov(np.reshape(a, (1, 1)), -np.eye(1))[0, 0]
    >>> float(dg.derivative(var, -0.5))     # 1 / (2 a^2)
    2.0
    """
    a, q = read(a), read(q)
    tag, _ = outer("dualgrad.scipy.linalg.solve_continuous_lyapunov", a, q)
    if tag < 0:
        _refuse_traced("solve_continuous_lyapunov", a, q)
        return scipy_linalg("dualgrad.scipy.linalg.solve_continuous_lyapunov") \
            .solve_continuous_lyapunov(a, q)
    not_holomorphic("dualgrad.scipy.linalg.solve_continuous_lyapunov", a, q)
    _check_square("dualgrad.scipy.linalg.solve_continuous_lyapunov", a)
    return _scl(a, q)


def _sym(x):
    """``(x + x^H) / 2`` of a stack of matrices, as SciPy returns the Riccati solution."""
    return 0.5 * (x + _H(x))


def _are(kind, a, b, q, r, s, balanced):
    """``solve_continuous_are`` (``kind`` "care") or ``solve_discrete_are`` ("dare") of
    maybe-dual operands, any nesting: SciPy's value, then the partials of the outermost
    level from the Lyapunov equation of the closed loop."""
    who = f"dualgrad.scipy.linalg.solve_{'continuous' if kind == 'care' else 'discrete'}_are"
    tag, n = outer(who, a, b, q, r, s)
    if tag < 0:
        sl = scipy_linalg(who)
        solver = sl.solve_continuous_are if kind == "care" else sl.solve_discrete_are
        return solver(a, b, q, r, s=s, balanced=balanced)
    (a0, da), (b0, db), (q0, dq), (r0, dr) = (split(m, tag) for m in (a, b, q, r))
    s0, ds = split(s, tag) if s is not None else (None, None)
    X = _are(kind, a0, b0, q0, r0, s0, balanced)
    shape = np.shape(primal(X))
    # K: the LQR gain at the solution, Acl = A - B K the closed loop
    rhs = _H(b0) @ X if kind == "care" else _H(b0) @ X @ a0
    if s0 is not None:
        rhs = rhs + _H(s0)
    gram = r0 if kind == "care" else r0 + _H(b0) @ X @ b0
    K = np.linalg.solve(gram, rhs)
    acl = a0 - b0 @ K
    # C = dF^H X (Acl) + (Acl^H) X dF - dS K - K^H dS^H + K^H dR K + dQ, dF = dA - dB K
    C = None
    dF = None
    if da is not None:
        dF = _lyapunov_padded(da, shape)
    if db is not None:
        dbk = np.reshape(db, np.shape(primal(db))[:1] + (1,) * (len(shape) + 1 -
                         np.ndim(primal(db))) + np.shape(primal(db))[1:]) @ K
        dF = -dbk if dF is None else dF - dbk
    if dF is not None:
        C = _H(dF) @ X + X @ dF if kind == "care" else _H(dF) @ X @ acl + _H(acl) @ X @ dF
    if ds is not None:
        ds = np.reshape(ds, np.shape(primal(ds))[:1] + (1,) * (len(shape) + 1 -
                        np.ndim(primal(ds))) + np.shape(primal(ds))[1:])
        t = -(ds @ K + _H(K) @ _H(ds))
        C = t if C is None else C + t
    if dr is not None:
        t = _H(K) @ _lyapunov_padded(dr, np.shape(primal(r0))) @ K
        C = t if C is None else C + t
    if dq is not None:
        t = _lyapunov_padded(dq, shape)
        C = t if C is None else C + t
    C = np.broadcast_to(C, (n,) + shape) if np.shape(primal(C)) != (n,) + shape else C
    dX = _scl(_H(acl), -C) if kind == "care" else _sdl(_H(acl), C, None)
    return make(X, last(_sym(dX)), tag)


def _are_checked(kind, a, b, q, r, e, s, balanced):
    name = f"solve_{'continuous' if kind == 'care' else 'discrete'}_are"
    who = f"dualgrad.scipy.linalg.{name}"
    a, b, q, r = read(a), read(b), read(q), read(r)
    s = None if s is None else read(s)
    e = None if e is None else read(e)
    tag, _ = outer(who, a, b, q, r, *(x for x in (e, s) if x is not None))
    if tag < 0:
        _refuse_traced(name, a, b, q, r, *(x for x in (e, s) if x is not None))
        sl = scipy_linalg(who)
        return getattr(sl, name)(a, b, q, r, e=e, s=s, balanced=balanced)
    if e is not None:
        raise errors.scipy_unsupported(
            who, "e= (the generalized, descriptor form)", "e=None (E = I)",
            f"multiply the descriptor system through by E^-1 (A := solve(E, A), B := "
            f"solve(E, B)) and call {name}(a, b, q, r) without e; np.linalg.solve takes "
            "duals")
    not_holomorphic(who, a, b, q, r, *(x for x in (s,) if x is not None))
    for m in (a, b, q, r, s):
        if m is not None and np.ndim(primal(m)) != 2:
            raise errors.scipy_unsupported(
                who, f"an operand of shape {np.shape(primal(m))}", "2-D matrices (SciPy's "
                "Riccati solvers take one problem at a time on duals here)",
                "call it once per problem (np.atleast_2d a scalar r)")
    # SciPy's own checks (shapes, symmetric q and r, a singular r) on the values
    # happen in the innermost call, which is SciPy's
    return _are(kind, a, b, q, r, s, balanced)


def solve_continuous_are(a, b, q, r, e=None, s=None, balanced=True):
    """``scipy.linalg.solve_continuous_are`` that takes dual numbers.

    Solves ``A^H X + X A - (X B + S) R^-1 (B^H X + S^H) + Q = 0`` for the stabilizing
    ``X``: the cost-to-go of continuous-time LQR, whose gain is ``K = R^-1 (B^H X +
    S^H)``. On duals its derivatives in the model (``A``, ``B``: a linearization's
    parameters) and in the weights (``Q``, ``R``, ``S``) are exact: the sensitivity of
    an LQR design, a gradient through the gain for tuning.

    Parameters
    ----------
    a, b, q, r : array_like or Dual
        ``(M, M)``, ``(M, N)``, ``(M, M)``, ``(N, N)`` as SciPy's (``q``, ``r``
        symmetric or Hermitian; SciPy checks the values).
    e : None
        The descriptor form's ``E``; on duals only ``None`` (E = I), plain input goes
        to SciPy with it.
    s : (M, N) array_like or Dual, optional
        The cross weight, as SciPy's.
    balanced : bool, optional
        As SciPy's (the value's balancing).

    Returns
    -------
    ndarray or Dual
        ``X``: SciPy's own for plain input; for duals SciPy's value, and the partials
        from the Riccati equation differentiated at ``X``: ``Acl^H dX + dX Acl = -C``
        with the closed loop ``Acl = A - B K`` and ``C = dF^H X + X dF - dS K - K^H
        dS^H + K^H dR K + dQ``, ``dF = dA - dB K``, one batched continuous Lyapunov
        solve for every direction (so a second level of duals, a Hessian, is exact
        too), symmetrized as SciPy symmetrizes ``X``.

    Raises
    ------
    ValueError, numpy.linalg.LinAlgError
        As SciPy's (shapes, ``q`` or ``r`` not symmetric, ``r`` singular, no
        stabilizing solution).
    DualTypeError
        ``e`` given with duals, operands of more than two dimensions with duals, or a
        complex dual of a ``holomorphic=True`` call (``X`` reads ``A^H``).

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import solve_continuous_are
    >>> def x(a):                           # scalar: x = a + sqrt(a^2 + 1) for b = q = r = 1
    ...     return solve_continuous_are(np.reshape(a, (1, 1)), np.eye(1), np.eye(1),
    ...                                 np.eye(1))[0, 0]
    >>> round(float(dg.derivative(x, 0.0)), 12)     # 1 + a / sqrt(a^2 + 1)
    1.0
    """
    return _are_checked("care", a, b, q, r, e, s, balanced)


def solve_discrete_are(a, b, q, r, e=None, s=None, balanced=True):
    """``scipy.linalg.solve_discrete_are`` that takes dual numbers.

    Solves ``X = A^H X A - (A^H X B + S) (R + B^H X B)^-1 (B^H X A + S^H) + Q`` for the
    stabilizing ``X``: the cost-to-go of discrete-time LQR, whose gain is ``K = (R +
    B^H X B)^-1 (B^H X A + S^H)``; the steady-state Kalman filter's covariance by
    duality. On duals its derivatives in the model and the weights are exact.

    Parameters
    ----------
    a, b, q, r : array_like or Dual
        ``(M, M)``, ``(M, N)``, ``(M, M)``, ``(N, N)`` as SciPy's (``q``, ``r``
        symmetric or Hermitian; SciPy checks the values).
    e : None
        The descriptor form's ``E``; on duals only ``None`` (E = I), plain input goes
        to SciPy with it.
    s : (M, N) array_like or Dual, optional
        The cross weight, as SciPy's.
    balanced : bool, optional
        As SciPy's (the value's balancing).

    Returns
    -------
    ndarray or Dual
        ``X``: SciPy's own for plain input; for duals SciPy's value, and the partials
        from the Riccati equation differentiated at ``X``: ``dX = Acl^H dX Acl + C``
        with the closed loop ``Acl = A - B K`` and ``C = dF^H X Acl + Acl^H X dF - dS K
        - K^H dS^H + K^H dR K + dQ``, ``dF = dA - dB K``, one batched discrete Lyapunov
        solve for every direction (a Hessian is exact too), symmetrized as SciPy
        symmetrizes ``X``.

    Raises
    ------
    ValueError, numpy.linalg.LinAlgError
        As SciPy's (shapes, ``q`` or ``r`` not symmetric, no stabilizing solution).
    DualTypeError
        ``e`` given with duals, operands of more than two dimensions with duals, or a
        complex dual of a ``holomorphic=True`` call.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import solve_discrete_are
    >>> def x(q):                 # a = b = r = 1: x = (q + sqrt(q^2 + 4 q)) / 2
    ...     return solve_discrete_are(np.eye(1), np.eye(1), np.reshape(q, (1, 1)),
    ...                               np.eye(1))[0, 0]
    >>> round(float(dg.derivative(x, 2.0)), 12)       # (1 + (q + 2) / sqrt(q^2 + 4 q)) / 2
    1.07735026919
    """
    return _are_checked("dare", a, b, q, r, e, s, balanced)



def solve_sylvester(a, b, q):
    """``scipy.linalg.solve_sylvester`` that takes dual numbers.

    Solves ``A X + X B = Q`` for ``X``.

    Parameters
    ----------
    a : (..., M, M) array_like or Dual
    b : (..., N, N) array_like or Dual
    q : (..., M, N) array_like or Dual
        As SciPy's (batches of them broadcast).

    Returns
    -------
    ndarray or Dual
        ``X``: SciPy's own for plain input; for duals SciPy's value, and the partials
        solved by SciPy from the same equation, ``A dX + dX B = dQ - dA X - X dB``,
        every direction one matrix of one batched call (so a Hessian is exact too). The
        equation holds no conjugate: complex duals of ``holomorphic=True`` are exact.

    Raises
    ------
    ValueError, scipy.linalg.LinAlgError
        As SciPy's (shapes; ``A`` and ``-B`` sharing an eigenvalue).

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import solve_sylvester
    >>> def x(a):                           # a x + x 2 = 1: x = 1 / (a + 2)
    ...     return solve_sylvester(np.reshape(a, (1, 1)), 2 * np.eye(1), np.eye(1))[0, 0]
    >>> float(dg.derivative(x, 2.0))        # -1 / (a + 2)^2
    -0.0625
    """
    a, b, q = read(a), read(b), read(q)
    tag, _ = outer("dualgrad.scipy.linalg.solve_sylvester", a, b, q)
    if tag < 0:
        _refuse_traced("solve_sylvester", a, b, q)
        return scipy_linalg("dualgrad.scipy.linalg.solve_sylvester").solve_sylvester(a, b, q)
    _check_square("dualgrad.scipy.linalg.solve_sylvester", a)
    _check_square("dualgrad.scipy.linalg.solve_sylvester", b)
    return _sylv(a, b, q)



def sqrtm(A, **kwargs):
    """``scipy.linalg.sqrtm`` that takes dual numbers.

    The principal square root ``S`` of ``A`` (``S @ S = A``): an unscented Kalman
    filter's sigma points (``np.linalg.cholesky`` is the other square root, and takes
    duals too), a covariance's symmetric square root, a whitening transform.

    Parameters
    ----------
    A : (..., N, N) array_like or Dual
        As SciPy's (batches of them).
    **kwargs
        SciPy's deprecated ``disp`` / ``blocksize``: passed on for plain input; on
        duals they raise.

    Returns
    -------
    ndarray or Dual
        ``S``: SciPy's own for plain input (complex where ``A`` has negative
        eigenvalues, as SciPy's); for duals SciPy's value, and the partials solved from
        ``S dS + dS S = dA`` by SciPy's ``solve_sylvester``, every direction one matrix
        of one batched call (so a Hessian is exact too). ``sqrtm`` is a holomorphic
        matrix function: complex duals of ``holomorphic=True`` are exact.

    Raises
    ------
    DualTypeError
        ``disp`` or ``blocksize`` given with duals.

    Notes
    -----
    Where ``A`` is singular (an eigenvalue 0: the square root has no derivative there)
    the Sylvester equation is singular too, and its solution is LAPACK's, not a
    derivative: perturb ``A`` (``A + eps I``) or use a Cholesky factor.

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import sqrtm
    >>> def s(a):                           # sqrt(a), 1 x 1
    ...     return sqrtm(np.reshape(a, (1, 1)))[0, 0]
    >>> float(dg.derivative(s, 4.0))        # 1 / (2 sqrt(a))
    0.25
    """
    A = read(A)
    tag, _ = outer("dualgrad.scipy.linalg.sqrtm", A)
    if tag < 0:
        _refuse_traced("sqrtm", A)
        return scipy_linalg("dualgrad.scipy.linalg.sqrtm").sqrtm(A, **kwargs)
    if kwargs:
        raise errors.scipy_unsupported(
            "dualgrad.scipy.linalg.sqrtm", f"{', '.join(sorted(kwargs))}=",
            "sqrtm(A) alone (SciPy has deprecated disp and blocksize)",
            "call sqrtm(A); for SciPy's error estimate compute np.linalg.norm(S @ S - A) / "
            "np.linalg.norm(A) on the values")
    _check_square("dualgrad.scipy.linalg.sqrtm", A)
    return _sqrtm(A)


def block_diag(*arrs):
    """``scipy.linalg.block_diag`` that takes dual numbers.

    The block-diagonal matrix of ``arrs``: an EKF-SLAM's joint covariance, a stacked
    MPC problem's cost, a Kalman filter's ``Q = block_diag(q1, q2)``. SciPy's own builds
    an object array of the duals' elements beside plain zeros.

    Parameters
    ----------
    *arrs : array_like or Dual, up to 2-D
        As SciPy's (scalars and 1-D arrays as rows, ``np.atleast_2d``).

    Returns
    -------
    ndarray or Dual
        SciPy's own for plain input; for duals a dual array with the same values (the
        blocks' own, zeros elsewhere) and each block's partials in its place.

    Raises
    ------
    ValueError
        As SciPy's (an input of more than two dimensions).

    Examples
    --------
    >>> import numpy as np
    >>> import dualgrad as dg
    >>> from dualgrad.scipy.linalg import block_diag
    >>> J = dg.jacobian(lambda p: block_diag(p[0] * np.eye(2), p[1]), np.array([1.0, 2.0]))
    >>> J[:, :, 0]
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 0.]])
    """
    arrs = [read(a) for a in arrs]
    tag, _ = outer("dualgrad.scipy.linalg.block_diag", *arrs)
    if tag < 0:
        _refuse_traced("block_diag", *arrs)
        return scipy_linalg("dualgrad.scipy.linalg.block_diag").block_diag(*arrs)
    arrs = [np.atleast_2d(a) for a in arrs]
    shapes = [np.shape(primal(a)) for a in arrs]
    bad = [k for k, s in enumerate(shapes) if len(s) > 2]
    if bad:
        raise ValueError(f"arguments in the following positions have dimension greater "
                         f"than 2: {bad}")
    cols = [s[1] for s in shapes]
    rows = [[a if j == i else np.zeros((shapes[i][0], c)) for j, c in enumerate(cols)]
            for i, a in enumerate(arrs)]
    return np.block(rows)
