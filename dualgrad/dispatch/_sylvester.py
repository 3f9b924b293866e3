"""Solutions of A X + X B = Q and the principal square root on duals, any nesting: each
level's partials solve the same equation in the level's values (SciPy's
``solve_sylvester`` on the directions as a batch), so second derivatives are exact too.
Here in dispatch, not in ``dualgrad.scipy.linalg`` (which exports them as SciPy's
drop-ins), because ``np.linalg.norm(A, 'nuc')``'s Hessians at equal singular values
take ``trace(sqrtm(A^H A))`` (:mod:`._linalg`)."""

import numpy as np

from ..dual import primal
from ._lift import last, make, outer, scipy_linalg, split

__all__ = ["lyapunov_padded", "sylvester", "sqrtm"]


def lyapunov_padded(stack, shape):
    """A stack of partials (directions leading, each shaped like its operand) with
    axes of length one inserted after the directions, so that it broadcasts against
    a stack of matrices of ``shape`` (the operands broadcast to it as SciPy's batch)."""
    d = np.shape(primal(stack))
    return np.reshape(stack, d[:1] + (1,) * (len(shape) - len(d) + 1) + d[1:])


def sylvester(a, b, q):
    """``solve_sylvester`` of ``a``, ``b``, ``q`` (maybe duals, any nesting)."""
    tag, n = outer("dualgrad.scipy.linalg.solve_sylvester", a, b, q)
    if tag < 0:
        return scipy_linalg("dualgrad.scipy.linalg.solve_sylvester").solve_sylvester(a, b, q)
    a0, da = split(a, tag)
    b0, db = split(b, tag)
    q0, dq = split(q, tag)
    X = sylvester(a0, b0, q0)
    shape = np.shape(primal(X))
    # A X + X B = Q along every direction: A dX + dX B = dQ - dA X - X dB, the same
    # equation in A and B; the directions are SciPy's batch
    r = None
    if da is not None:
        r = -(lyapunov_padded(da, shape) @ X)
    if db is not None:
        t = -(X @ lyapunov_padded(db, shape))
        r = t if r is None else r + t
    if dq is not None:
        dq = lyapunov_padded(dq, shape)
        r = dq if r is None else r + dq
    r = np.broadcast_to(r, (n,) + shape) if np.shape(primal(r)) != (n,) + shape else r
    return make(X, last(sylvester(a0, b0, r)), tag)


def sqrtm(A):
    """``sqrtm`` of ``A`` (maybe duals, any nesting)."""
    tag, n = outer("dualgrad.scipy.linalg.sqrtm", A)
    if tag < 0:
        return scipy_linalg("dualgrad.scipy.linalg.sqrtm").sqrtm(A)
    A0, dA = split(A, tag)
    S = sqrtm(A0)
    shape = np.shape(primal(S))
    # S S = A along every direction: S dS + dS S = dA, a Sylvester equation in S
    r = lyapunov_padded(dA, shape)
    r = np.broadcast_to(r, (n,) + shape) if np.shape(primal(r)) != (n,) + shape else r
    return make(S, last(sylvester(S, S, r)), tag)
