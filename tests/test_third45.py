"""Derivatives of a Hessian at a tie the second order decides (attack45 09).

At a tie whose first-order parts agree and whose second-order difference ``D`` is
definite, the dominant argument holds in a whole neighbourhood: f is that argument
there, and every higher derivative is its own.  dualgrad decided the Hessian's two
levels only; the levels of a pass wrapped around them (a third derivative, a
parameter's derivative of the Hessian: bilevel / implicit differentiation) took the
midpoint, half the truth.  Where ``D`` is only semidefinite they keep the midpoint.

Oracles, none from dualgrad: closed forms (the function equals its dominant branch near
the point) and float third differences of the plain function.
"""

import numpy as np
import pytest

import dualgrad as dg

ENGINES = ["eager", "fused"]
X0 = np.zeros(2)


def _third_difference(k, h=1e-2):
    """k'''(0) by central differences: exact for a cubic up to rounding."""
    return (k(2 * h) - 2 * k(h) + 2 * k(-h) - k(-2 * h)) / (2 * h ** 3)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name, k, third", [
    ("maximum", lambda t: np.maximum(t ** 3 + t ** 2, 0.0), 6.0),
    ("minimum", lambda t: np.minimum(-t ** 3 - t ** 2, 0.0), -6.0),
    ("fmax", lambda t: np.fmax(0.0, t ** 3 + t ** 2), 6.0),
    ("clip", lambda t: np.clip(t ** 3 + t ** 2, 0.0, None), 6.0),
    ("abs", lambda t: np.abs(t ** 3 + t ** 2), 6.0),
])
@pytest.mark.engine_independent
def test_third_derivative_at_a_tie(name, k, third, engine):
    plain = _third_difference(lambda t: float(k(np.float64(t))))
    assert abs(plain - third) < 1e-6                # the oracle agrees with the closed form
    with dg.engine(engine):
        assert dg.grad(dg.grad(k))(0.0) == pytest.approx(np.sign(third) * 2.0, abs=1e-14)
        assert dg.grad(dg.grad(dg.grad(k)))(0.0) == pytest.approx(third, abs=1e-13)
        assert dg.derivative(dg.grad(dg.grad(k)), 0.0) == pytest.approx(third, abs=1e-13)


# f(x, th) = th |x|^2 near (0, 1.5), spelled with a tie: d/dth of its Hessian is 2 I
GUARDED = {
    "maximum": lambda x, th: np.maximum(th * np.sum(x ** 2), 0.0),
    "maximum elementwise": lambda x, th: np.sum(np.maximum(th * x ** 2, 0.0 * x)),
    "fmax": lambda x, th: np.fmax(th * np.sum(x ** 2), 0.0),
    "clip": lambda x, th: np.clip(th * np.sum(x ** 2), 0.0, None),
    "clip elementwise": lambda x, th: np.sum(np.clip(th * x ** 2, 0.0, None)),
    "abs": lambda x, th: np.abs(th * np.sum(x ** 2)),
    "minimum": lambda x, th: -np.minimum(-th * np.sum(x ** 2), 0.0),
    "builtin max": lambda x, th: max(th * np.sum(x ** 2), 0.0),
    "np.max": lambda x, th: np.max(np.stack([th * np.sum(x ** 2), 0.0 * x[0]])),
    "np.sort": lambda x, th: np.sort(np.stack([th * np.sum(x ** 2), 0.0 * x[0]]))[1],
    "np.quantile 1": lambda x, th: np.quantile(
        np.stack([th * np.sum(x ** 2), 0.0 * x[0], -x[0] ** 2]), 1.0),
    "maximum.accumulate": lambda x, th: np.maximum.accumulate(
        np.stack([0.0 * x[0], th * np.sum(x ** 2)]))[-1],
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(GUARDED))
@pytest.mark.engine_independent
def test_parameter_derivative_of_a_hessian(name, engine):
    f = GUARDED[name]
    with dg.engine(engine):
        H = dg.hessian(f, X0, 1.5)
        np.testing.assert_allclose(H, 3.0 * np.eye(2), rtol=1e-14, atol=1e-15)
        dH = dg.derivative(lambda th: dg.hessian(f, X0, th), 1.5)
        np.testing.assert_allclose(dH, 2.0 * np.eye(2), rtol=1e-14, atol=1e-15)
        if name == "np.quantile 1":
            return      # (chunk=1: a chunk that sees a zero block of -x0^2's D keeps the mean)
        dH = dg.derivative(lambda th: dg.hessian(f, X0, th, chunk=1), 1.5)
        np.testing.assert_allclose(dH, 2.0 * np.eye(2), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
def test_gradient_of_a_hessian_entry(engine):
    """g = x0^2 + x1^2 + x0^3 near 0: d/dz of g's Hessian[0, 0] = 2 + 6 z0 is [6, 0]."""
    g = lambda x: np.maximum(x[0] ** 2 + x[1] ** 2 + x[0] ** 3, 0.0)   # noqa: E731
    with dg.engine(engine):
        G = dg.gradient(lambda z: dg.hessian(g, z)[0, 0], X0)
        np.testing.assert_allclose(G, [6.0, 0.0], rtol=1e-14, atol=1e-15)
        h = lambda x: np.sort(np.stack([x[0] ** 2 + x[0] ** 3, 0 * x[0]]))[1]   # noqa: E731
        d = dg.derivative(lambda t: dg.hessian(h, np.array([t]))[0, 0], 0.0)
        assert d == pytest.approx(6.0, abs=1e-13)


@pytest.mark.parametrize("engine", ENGINES)
def test_semidefinite_keeps_the_midpoint(engine):
    """D = th [[2, 2], [2, 2]] is only semidefinite: the outer level keeps the midpoint
    of the arguments' d/dth of the Hessian (2 [[1, 1], [1, 1]] and 0); an indefinite D
    (th (x0^2 - x1^2)) keeps it too: diag(1, -1), half of each branch's."""
    semi = lambda x, th: np.maximum(th * (x[0] + x[1]) ** 2, 0.0)   # noqa: E731
    indef = lambda x, th: np.maximum(th * (x[0] ** 2 - x[1] ** 2), 0.0)   # noqa: E731
    with dg.engine(engine):
        dH = dg.derivative(lambda th: dg.hessian(semi, X0, th), 1.5)
        np.testing.assert_allclose(dH, np.ones((2, 2)), rtol=1e-14, atol=1e-15)
        dH = dg.derivative(lambda th: dg.hessian(indef, X0, th), 1.5)
        np.testing.assert_allclose(dH, np.diag([1.0, -1.0]), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("spelling", ["maximum", "np.max", "np.sort"])
def test_a_kink_along_the_parameter_keeps_the_midpoint(spelling, engine):
    """th |x|^2 + (th - 1.5) against 0: D = 3 I is definite, but the first orders in th
    differ (1 and 0), so the Hessian at 0 is 2 th I for th > 1.5 and 0 below: it jumps,
    d/dth has no value, and the outer level keeps the midpoint of the branches' (2 I, 0)."""
    def f(x, th):
        a, b = th * np.sum(x ** 2) + (th - 1.5), 0.0 * x[0]
        if spelling == "maximum":
            return np.maximum(a, b)
        if spelling == "np.max":
            return np.max(np.stack([a, b]))
        return np.sort(np.stack([a, b]))[1]
    with dg.engine(engine):
        dH = dg.derivative(lambda th: dg.hessian(f, X0, th), 1.5)
        np.testing.assert_allclose(dH, np.eye(2), rtol=1e-14, atol=1e-15)


_CUBIC = lambda x: x @ x + x[0] ** 3 + x[0] * x[1] ** 2   # noqa: E731
TENSOR_SPELLINGS = {
    "maximum": lambda x: np.maximum(_CUBIC(x), 0.0),
    "np.max": lambda x: np.max(np.stack([_CUBIC(x), 0.0 * x[0]])),
    "np.sort": lambda x: np.sort(np.stack([_CUBIC(x), 0.0 * x[0]]))[1],
    "maximum.accumulate": lambda x: np.maximum.accumulate(np.stack([0.0 * x[0], _CUBIC(x)]))[1],
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("chunk", [None, 1])
@pytest.mark.parametrize("spelling", sorted(TENSOR_SPELLINGS))
@pytest.mark.engine_independent
def test_third_derivative_tensor_through_a_chunked_hessian(spelling, chunk, engine):
    """g = |x|^2 + x0^3 + x0 x1^2 near 0 (maximum with 0): its third derivatives are 6 at
    (0, 0, 0) and 2 at the permutations of (0, 1, 1); with chunk=1 the block between the
    two input chunks sees no diagonal and is decided by the outer chunk's own pass."""
    g = TENSOR_SPELLINGS[spelling]
    T = np.zeros((2, 2, 2))
    T[0, 0, 0] = 6.0
    T[0, 1, 1] = T[1, 0, 1] = T[1, 1, 0] = 2.0
    with dg.engine(engine):
        J = dg.jacfwd(lambda z: dg.hessian(g, z, chunk=chunk))(X0)
        np.testing.assert_allclose(J, T, rtol=1e-14, atol=1e-15)
        J = dg.jacobian(lambda z: dg.hessian(g, z, chunk=chunk), X0, chunk=1)
        np.testing.assert_allclose(J, T, rtol=1e-14, atol=1e-15)
