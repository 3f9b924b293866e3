"""Second derivatives through ties of maximum / minimum / fmax / fmin / np.max / np.min /
np.clip (issue 13|14, tie42; attack42 repro_02).

tie41's midpoint makes first derivatives exact wherever f is differentiable, but under
nested duals it also halved the second-order parts: ``np.maximum(x**2, 0)`` (== x**2)
had Hessian 1 at 0 (truth 2), ``np.maximum(x**2, -x**2)`` 0.  Where the tied arguments'
first-order parts agree too, dg.hessian and jacfwd(grad) now take the argument whose
second-order part dominates on the Hessian's diagonal (dispatch/_second_order.py).

Oracles, none from dualgrad: the closed-form Hessians of the smooth functions the
guarded spellings compute (2 I for x**2; (2/n)(I - 11^T/n) for the variance), and central
differences of an analytic gradient where the tie is a real kink.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels

ENGINES = ["eager", "fused"]
MODES = ["numpy", "numba"]


def _var(x):
    return np.mean(x ** 2) - np.mean(x) ** 2


def _var_hessian(n):
    return 2.0 / n * (np.eye(n) - np.ones((n, n)) / n)


# (f, the closed-form Hessian at x, the point): smooth functions spelled with a tie
SMOOTH = {
    "maximum(x**2, 0)": (lambda x: np.sum(np.maximum(x ** 2, 0.0)), lambda x: 2 * np.eye(x.size)),
    "maximum(0, x**2)": (lambda x: np.sum(np.maximum(0.0, x ** 2)), lambda x: 2 * np.eye(x.size)),
    "fmax(x**2, 0)": (lambda x: np.sum(np.fmax(x ** 2, 0.0)), lambda x: 2 * np.eye(x.size)),
    "maximum(x**2, -x**2)": (lambda x: np.sum(np.maximum(x ** 2, -x ** 2)),
                             lambda x: 2 * np.eye(x.size)),
    "minimum(-x**2, 0)": (lambda x: np.sum(np.minimum(-x ** 2, 0.0)),
                          lambda x: -2 * np.eye(x.size)),
    "fmin(0, -x**2)": (lambda x: np.sum(np.fmin(0.0, -x ** 2)), lambda x: -2 * np.eye(x.size)),
    "clip(x**2, 0, None)": (lambda x: np.sum(np.clip(x ** 2, 0.0, None)),
                            lambda x: 2 * np.eye(x.size)),
    "clip(-x**2, None, 0)": (lambda x: np.sum(np.clip(-x ** 2, None, 0.0)),
                             lambda x: -2 * np.eye(x.size)),
    "max(stack, axis=0)": (lambda x: np.sum(np.max(np.stack([x ** 2, 0 * x]), axis=0)),
                           lambda x: 2 * np.eye(x.size)),
    "min(stack, axis=0)": (lambda x: np.sum(np.min(np.stack([0 * x, -x ** 2, -2 * x ** 2 + 0]),
                                                   axis=0)), lambda x: -4 * np.eye(x.size)),
    "cubic guard": (lambda x: np.sum(np.maximum(x ** 2 * (1.0 + x), 0.0)),
                    lambda x: np.diag(2.0 + 6.0 * x)),
    "maximum(var, 0)": (lambda x: np.maximum(_var(x), 0.0), lambda x: _var_hessian(x.size)),
    "clip(var, 0, None)": (lambda x: np.clip(_var(x), 0.0, None), lambda x: _var_hessian(x.size)),
    "max([var, 0])": (lambda x: np.max(np.stack([_var(x), 0.0 * x[0]])),
                      lambda x: _var_hessian(x.size)),
}
POINTS = {"all tied": np.zeros(4), "some tied": np.array([0.0, 0.3, 0.0, -0.7])}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(SMOOTH))
@pytest.mark.engine_independent
def test_hessian_of_smooth_functions_through_ties(name, mode, engine):
    f, hess = SMOOTH[name]
    x = np.full(4, 0.4) if "var" in name else POINTS["all tied"]
    with dg.engine(engine), _kernels.use(mode):
        for point in (x, POINTS["some tied"]):
            if "var" in name and point is not x:
                continue                      # var > 0 there: no tie to test
            H = dg.hessian(f, point)
            np.testing.assert_allclose(H, hess(point), rtol=1e-13, atol=1e-15)
            J = dg.jacfwd(dg.grad(f))(point)
            np.testing.assert_allclose(J, hess(point), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
def test_scalar_duals(engine):
    """The scalar path (_select_scalar) and the scalar one-pass helpers."""
    with dg.engine(engine):
        assert dg.hessian(lambda x: np.maximum(x ** 2, 0.0), 0.0) == 2.0
        assert dg.hessian(lambda x: np.maximum(0.0, x ** 2), 0.0) == 2.0
        assert dg.hessian(lambda x: np.minimum(-x ** 2, 0.0), 0.0) == -2.0
        assert dg.hessian(lambda x: np.maximum(x ** 2, -x ** 2), 0.0) == 2.0
        assert dg.hessian(lambda x: np.clip(x ** 2, 0.0, 5.0), 0.0) == 2.0
        assert dg.jacfwd(dg.grad(lambda x: np.maximum(x ** 2, 0.0)))(0.0) == 2.0
        # two scalar inputs: max(a**2, -b**2) == a**2
        H = dg.hessian(lambda x: np.maximum(x[0] ** 2, -x[1] ** 2), np.zeros(2))
        np.testing.assert_array_equal(H, [[2.0, 0.0], [0.0, 0.0]])


@pytest.mark.parametrize("engine", ENGINES)
def test_both_dual_arguments_dominance_by_the_diagonal(engine):
    """max(a, b) with a, b both duals and D = b'' - a'' semidefinite: the dominant one.
    max((x0 + x1)**2, (x0 - x1)**2 - x0**2 - x1**2 + ...) forms with known sign."""
    def f(x):                                  # a = (x0+x1)**2 >= b = -(x0-x1)**2
        return np.maximum((x[0] + x[1]) ** 2, -(x[0] - x[1]) ** 2)
    truth = np.array([[2.0, 2.0], [2.0, 2.0]])       # a's: D = -4 [[1, 0], [0, 1]] <= 0
    with dg.engine(engine):
        np.testing.assert_array_equal(dg.hessian(f, np.zeros(2)), truth)

        def g(x):                              # min(a, b) = b = -(x0-x1)**2
            return np.minimum((x[0] + x[1]) ** 2, -(x[0] - x[1]) ** 2)
        np.testing.assert_array_equal(dg.hessian(g, np.zeros(2)),
                                      [[-2.0, 2.0], [2.0, -2.0]])


@pytest.mark.parametrize("engine", ENGINES)
def test_not_twice_differentiable_keeps_the_midpoint(engine):
    """Where f has no second derivative the midpoint stays (a convention), and where the
    first-order parts differ (a real kink) the Hessian is the mean of the one-sided
    ones: f(x) = x max(x, 0), f' = 2 max(x, 0) (analytic), central differences of f'
    at 0 give 1."""
    with dg.engine(engine):
        # max(x0**2, x1**2): D = diag(-2, 2) indefinite: not twice differentiable
        H = dg.hessian(lambda x: np.maximum(x[0] ** 2, x[1] ** 2), np.zeros(2))
        np.testing.assert_array_equal(H, np.eye(2))
        h = 1e-6
        fd = (2 * max(h, 0.0) - 2 * max(-h, 0.0)) / (2 * h)
        assert dg.hessian(lambda x: x * np.maximum(x, 0.0), 0.0) == pytest.approx(fd, abs=1e-9)
        H = dg.hessian(lambda x: np.sum(x * np.maximum(x, 0.0)), np.zeros(3))
        np.testing.assert_allclose(H, fd * np.eye(3), atol=1e-9)


@pytest.mark.parametrize("engine", ENGINES)
def test_gradients_unchanged(engine):
    """The first derivatives keep tie41's midpoint (the stable BCE at z = 0: 0.5 - y)."""
    y = 0.3
    bce = lambda z: np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))  # noqa: E731
    with dg.engine(engine):
        assert dg.derivative(bce, 0.0) == pytest.approx(0.5 - y, abs=1e-15)
        g = dg.grad(lambda x: np.sum(np.maximum(x, 0.0)))(np.zeros(3))
        np.testing.assert_array_equal(g, [0.5, 0.5, 0.5])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.engine_independent
def test_chunked_hessian(engine):
    """chunk < n: a block whose inner and outer chunks share no input entry sees no
    diagonal; one pass seeded with the outer chunk's own entries decides the ties and
    the block is evaluated again with its decisions: the variance guard is exact in
    every block (the midpoint gave half of the off-diagonal blocks)."""
    f = SMOOTH["maximum(x**2, 0)"][0]
    with dg.engine(engine):
        np.testing.assert_array_equal(dg.hessian(f, np.zeros(5), chunk=2), 2 * np.eye(5))
        for name in ("maximum(var, 0)", "clip(var, 0, None)", "max([var, 0])"):
            g = SMOOTH[name][0]
            for chunk in (1, 2, 3):
                H = dg.hessian(g, np.full(4, 0.4), chunk=chunk)
                np.testing.assert_allclose(H, _var_hessian(4), rtol=1e-13, atol=1e-16)


def test_default_chunks_beyond_256_inputs():
    """300 inputs: two chunks of 150 at each level by default."""
    g = SMOOTH["maximum(var, 0)"][0]
    H = dg.hessian(g, np.full(300, -1.25))
    np.testing.assert_allclose(H, _var_hessian(300), rtol=1e-12, atol=1e-18)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["maximum(x**2, 0)", "maximum(x**2, -x**2)", "min(stack, axis=0)",
                                  "clip(-x**2, None, 0)", "maximum(var, 0)", "max([var, 0])"])
@pytest.mark.engine_independent
def test_sparse_hessians(name, engine):
    """sparsity= seeds colors, which show no diagonal: a tie met there is decided in one
    nested pass along one direction u at both levels (the sign of u D u), and every
    colored pass and the check replay its decisions."""
    f, hess = SMOOTH[name]
    x = np.full(5, 0.4) if "var" in name else np.zeros(5)
    with dg.engine(engine):
        H = dg.hessian(f, x, sparsity="auto")
        np.testing.assert_allclose(H.toarray(), hess(x), rtol=1e-13, atol=1e-15)
        P = dg.hessian_sparsity(f, x)
        H = dg.hessian(f, x, sparsity=P)
        np.testing.assert_allclose(H.toarray(), hess(x), rtol=1e-13, atol=1e-15)


def test_sparse_hessian_of_a_sum_of_guarded_terms():
    """f a sum of np.sum's (both levels colored): 0.5 sum(max(x**2, 0)) + sum(max(x_i
    x_i+1, -x_i**2 - x_i+1**2)) at 0, where x_i x_i+1 - (-x_i**2 - x_i+1**2) is a
    positive definite form: f = 0.5 sum x**2 + sum x_i x_i+1 near 0 (analytic)."""
    def f(x):
        return 0.5 * np.sum(np.maximum(x ** 2, 0.0)) + \
            np.sum(np.maximum(x[1:] * x[:-1], -x[1:] ** 2 - x[:-1] ** 2))
    n = 7
    truth = np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)
    np.testing.assert_allclose(dg.hessian(f, np.zeros(n), sparsity="auto").toarray(), truth,
                               rtol=0, atol=1e-15)
    np.testing.assert_allclose(dg.hessian(f, np.zeros(n)), truth, rtol=0, atol=1e-15)


def test_a_users_own_nesting_keeps_the_midpoint():
    """grad(lambda x: f(x, z))(z) inside jacfwd moves z through the closure too: an
    inner and an outer direction are not one input direction, nothing is linked, the
    midpoint stays (documented)."""
    def outer(z):
        return dg.grad(lambda x: np.sum(np.maximum(x ** 2, 0.0 * z)))(z)
    np.testing.assert_array_equal(dg.jacfwd(outer)(np.zeros(2)), np.eye(2))


def test_pytree_and_argnums():
    """Several leaves: each leaf's directions are linked to its own outer ones."""
    def f(a, b):
        return np.sum(np.maximum(a ** 2, 0.0)) + np.maximum(b ** 2 * a[0], -b ** 2 * 0.0)
    H = dg.hessian(f, np.zeros(2), 0.0, argnums=(0, 1))
    np.testing.assert_array_equal(H[0][0], 2 * np.eye(2))
    np.testing.assert_array_equal(np.asarray(H[1][1]), 0.0)    # b**2 a0 at a0 = 0
    np.testing.assert_array_equal(np.asarray(H[0][1]), [0.0, 0.0])


def test_registries_are_emptied():
    """The seeding's records (dual.DIAGONAL) are gone after every call,
    also after f raised."""
    from dualgrad import dual
    dg.hessian(SMOOTH["maximum(x**2, 0)"][0], np.zeros(3))
    dg.hessian(SMOOTH["maximum(var, 0)"][0], np.full(4, 0.4), chunk=2)
    dg.hessian(SMOOTH["maximum(var, 0)"][0], np.full(4, 0.4), sparsity="auto")

    def bad(x):
        raise ValueError("boom")
    with pytest.raises(ValueError):
        dg.hessian(bad, np.zeros(3))
    assert not dual.DIAGONAL and not dual.linking()


def test_lists_of_scalar_duals_and_the_documented_spelling():
    """attack42 repro_06: NumPy's object loops (a list, tuple or object array of scalar
    duals) return one element, the first at a tie; no dualgrad hook runs (documented in
    docs/writing-code.md with the spelling below).  max(a, b) + min(a, b) = a + b:
    gradient (1, 1) analytically."""
    x = np.array([1.0, 1.0])
    listed = dg.gradient(lambda p: np.max([p[0], p[1]]) + np.min([p[0], p[1]]), x)
    np.testing.assert_array_equal(listed, [2.0, 0.0])          # the documented limit
    for stacked in (lambda p: np.max(np.stack([p[0], p[1]])) + np.min(np.stack([p[0], p[1]])),
                    lambda p: np.maximum(p[0], p[1]) + np.minimum(p[0], p[1])):
        np.testing.assert_array_equal(dg.gradient(stacked, x), [1.0, 1.0])


def test_composed_kinks_are_conventions_as_documented():
    """attack42 repro_07: kinks composed at one point multiply their midpoints
    (docs/writing-code.md states these numbers; each function is smooth or constant,
    so they are not its derivative)."""
    relu = lambda v: np.maximum(v, 0.0)                                   # noqa: E731
    assert dg.derivative(lambda v: relu(relu(v)) - relu(v), 0.0) == -0.25
    assert dg.derivative(lambda v: np.clip(np.clip(v, 0.0, 1.0), 0.0, 1.0), 0.0) == 0.25
    g = dg.gradient(lambda v: np.maximum(np.maximum(v[0], v[1]), v[2]), np.ones(3))
    np.testing.assert_array_equal(g, [0.25, 0.25, 0.5])
    np.testing.assert_allclose(dg.gradient(np.max, np.ones(3)), [1 / 3] * 3, rtol=1e-15)
    # quant43: np.median splits a tie as np.max does; argmax indexing takes the first
    g = dg.gradient(lambda v: v[np.argmax(v)] + np.min(v) + np.median(v), np.ones(3))
    np.testing.assert_allclose(g, [5 / 3, 2 / 3, 2 / 3], rtol=1e-15)
