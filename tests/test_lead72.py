"""Stop 72's lead: dg.sparsity with an out buffer given by position (attack72 F1).

The tracer passed ``np.median(z, 0, b)``'s ``b`` on by position, where NumPy's
function took it for another parameter and the buffer's pattern stayed empty: a
``least_squares`` given that pattern stopped at x0.  Oracle: the nonzeros of the
Jacobian by central differences of the float code (no dualgrad in it).
"""

import numpy as np
import pytest

import dualgrad as dg

X = np.array([0.3, 0.65, -1.2, 0.15, 2.0, 0.4])
MASK = [True, False, True, True, False, True]

FORMS = {
    "median": ((3,), lambda z, b: np.median(z.reshape(2, 3), 0, b)),
    "outer": ((2, 2), lambda z, b: np.outer(z[:2], z[2:4], b)),
    "nanvar": ((3,), lambda z, b: np.nanvar(z.reshape(2, 3), 0, None, b)),
    "compress": ((4,), lambda z, b: np.compress(MASK, z, 0, b)),
    "choose": ((3,), lambda z, b: np.choose([0, 1, 0], [z[:3], z[3:]], b)),
    "dot": ((2, 2), lambda z, b: np.dot(z[:4].reshape(2, 2), z[2:].reshape(2, 2), b)),
    "cumsum": ((6,), lambda z, b: np.cumsum(z, 0, None, b)),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_sparsity_sees_an_out_buffer_given_by_position(name):
    shape, op = FORMS[name]

    def f(z):
        b = np.zeros_like(z, shape=shape)
        op(z, b)
        return np.ravel(b)

    h = 1e-6
    jac = np.stack([(f(X + h * e) - f(X - h * e)) / (2 * h) for e in np.eye(X.size)], -1)
    want = np.abs(jac) > 1e-8
    got = dg.sparsity(f, X).toarray() != 0
    assert want.any()
    assert not (want & ~got).any(), (want.astype(int), got.astype(int))
