"""dg.quad's watch, stop 51: nan-selections (attack50 13's rest), NaN masking (attack50
07), the last refusals and messages (attack50 05, 14, 18).  Oracles: closed forms,
mpmath at 30 digits, split integrals."""

import numpy as np
import pytest

import dualgrad as dg

# ---- selections by np.nanargmax / nanargmin / lexsort (attack50 13) ----------------------

_PICKED = {     # each max(x - K, 0) over [0, 1], spelled by an index that picks it
    "nanargmax": lambda v: v[np.nanargmax(v)],
    "nanargmin of -v": lambda v: v[np.nanargmin(-v)],
    "nanargmax beside a NaN": lambda v: np.concatenate([v, [np.nan]])[
        np.nanargmax(np.concatenate([v, [np.nan]]))],
    "lexsort of a tuple": lambda v: v[np.lexsort((-v,))[0]],
    "lexsort of two keys": lambda v: v[np.lexsort((np.zeros(2), -v))[0]],
    "lexsort of a 2-D array": lambda v: v[np.lexsort(np.stack([-v]))[0]],
}


@pytest.mark.parametrize("name", sorted(_PICKED))
def test_a_maximum_picked_by_a_nan_or_lexsort_index_is_a_kink(name):
    # int_0^1 max(x - K, 0) = (1 - K)^2 / 2: slope -(1 - K), second derivative 1. The
    # Hessian came back 0.0 on 73676bd (the index's order is no branch the watch saw)
    K = 0.3

    def area(q):
        return dg.quad(lambda x: _PICKED[name](np.stack([x - q[0], 0.0 * q[0]])), 0.0,
                       1.0)[0]
    assert abs(dg.gradient(area, np.array([K]))[0] + (1 - K)) < 1e-8
    with pytest.raises(TypeError, match="a kink"):
        dg.hessian(area, np.array([K]))


_TABLE, _KNOTS = np.array([0.0, 1.0]), np.array([0.5])


@pytest.mark.parametrize("pick", [lambda v: np.nanargmax(v), lambda v: np.nanargmin(-v),
                                  lambda v: np.lexsort((-v,))[0]])
def test_a_lookup_by_a_nan_or_lexsort_index_whose_edge_moves_is_refused(pick):
    # 1[x + p > 0.5]: int_0^1 = 0.5 + p, slope 1; the partials alone give 0
    def area(p):
        return dg.quad(lambda x: _TABLE[pick(np.stack([0.5 + 0 * p, x + p]))] + 0 * p,
                       0.0, 1.0)[0]
    with pytest.raises(TypeError, match="branches to stay put"):
        dg.derivative(area, 0.3)
    # on a fixed edge, p scaling: int_0^1 p 1[x > 0.5] = p / 2
    d = dg.derivative(lambda p: dg.quad(lambda x: p * _TABLE[pick(np.stack(
        [0.5 + 0 * p, x + 0 * p]))], 0.0, 1.0, points=[0.5])[0], 0.3)
    assert abs(d - 0.5) < 1e-12
