"""np.clip's second order where a, a_min and a_max all tie (issue 13|14, stop 47, clip47).

f = minimum(maximum(a, lo), hi) is, where it is twice differentiable, one of the three
to the second order; which one needs the whole second order (attack46b 03, 06): a
chunk=1 block of hi - a that was 0 made the constant clip(-2 x0**2 - x0 x1 - x1**2, 0,
2 x0**2 - x0 x1 + 2 x1**2) take hi's -1, and an indefinite lo - hi kept the
composition's midpoints ([[0, .75], [.75, 1]] for 0).  Every Hessian here is exact or
NaN, in every mode (dense, chunk=1, jacfwd(grad), jacobian(grad, chunk=1),
sparsity="auto") and both engines.

Oracles, none from dualgrad: closed forms (f equals one quadratic near 0, checked on
random points), central second differences (exact for quadratics), and for the random
search a least-squares quadratic fit to f's samples on two circles: f is smooth at 0
iff the fit's residual is at rounding level, and then its Hessian is the fit's.
"""

import numpy as np
import pytest

import dualgrad as dg
from _oracles import second_differences

ENGINES = ["eager", "fused"]


def _modes(f, x):
    sparse = dg.hessian(f, x, sparsity="auto")
    return {"dense": dg.hessian(f, x), "chunk=1": dg.hessian(f, x, chunk=1),
            "jacfwd(grad)": dg.jacfwd(dg.grad(f))(x),
            "jacobian(grad, chunk=1)": dg.jacobian(dg.grad(f), x, chunk=1),
            "sparsity": sparse.toarray() if hasattr(sparse, "toarray") else sparse}


def _near(n, seed=0, count=20000):
    return np.random.default_rng(seed).standard_normal((count, n)) * 0.01


SMOOTH = {
    # attack46b 06: a <= 0 <= hi, so f = 0 = lo (chunk=1 gave [[0, -1], [-1, 0]])
    "a below, hi above (06)": (
        lambda x: np.clip(-2 * x[0] ** 2 - x[0] * x[1] - x[1] ** 2, 0.0,
                          2 * x[0] ** 2 - x[0] * x[1] + 2 * x[1] ** 2),
        lambda x: 0.0 * x[0], np.zeros((2, 2))),
    # attack46b 03: lo - hi indefinite, f = hi = 0 (dense gave [[0, .75], [.75, 1]])
    "lower indefinite, f = hi (03)": (
        lambda x: np.clip(-2 * x[0] ** 2 + 4 * x[0] * x[1] + 2 * x[1] ** 2,
                          2 * x[0] ** 2 - x[0] * x[1], 0.0),
        lambda x: 0.0 * x[0], np.zeros((2, 2))),
    # attack46b 03 addendum: bounds crossing at first order, f = hi = 0
    "bounds crossing at first order (03 g)": (
        lambda x: np.clip(x[0] + x[1] - 2 * x[0] * x[1] + x[1] ** 2, -x[0] - x[1], 0.0),
        lambda x: 0.0 * x[0], np.zeros((2, 2))),
    # attack46b 03 addendum: f = hi; hi <= (a + 2 lo) / 3 in the Loewner order, the
    # boundary of the condition (a zero eigenvalue at t = 1/3)
    "f = hi on the boundary (03 h)": (
        lambda x: np.clip(2 * x[0] ** 2 + 2 * x[0] * x[1], -2 * x[0] ** 2 + 2 * x[1] ** 2,
                          -2 * (x[0] + x[1]) ** 2),
        lambda x: -2 * (x[0] + x[1]) ** 2, -4 * np.ones((2, 2))),
    # lo = x0 x1 and hi = -x0 x1 show the same zero block on the diagonal; a >= |x0 x1|
    # makes f = hi = -x0 x1 (every diagonal view holds lo and hi both)
    "lo and hi alike on the diagonal": (
        lambda x: np.clip(x[0] ** 2 + x[1] ** 2, x[0] * x[1], -x[0] * x[1]),
        lambda x: -x[0] * x[1], None),
    # three inputs: f = lo = x0 x2 + x1**2 (a = lo - |x|**2 + x0 x1 below it, hi = lo +
    # |x|**2 + x0 x1 above it; hi - a has no cross term, the 06 pattern)
    "three inputs, f = lo": (
        lambda x: np.clip(x[0] * x[2] + x[1] ** 2 - (x[0] ** 2 + x[1] ** 2 + x[2] ** 2) +
                          x[0] * x[1], x[0] * x[2] + x[1] ** 2,
                          x[0] * x[2] + x[1] ** 2 + (x[0] ** 2 + x[1] ** 2 + x[2] ** 2) +
                          x[0] * x[1]),
        lambda x: x[0] * x[2] + x[1] ** 2,
        np.array([[0.0, 0.0, 1.0], [0.0, 2.0, 0.0], [1.0, 0.0, 0.0]])),
    # an array of ties, summed: elementwise f = hi, lo (06's), a, hi (03's)
    "array of ties": (
        lambda x: np.sum(np.clip(
            np.stack([x[0] ** 2 + x[1] ** 2, -2 * x[0] ** 2 - x[0] * x[1] - x[1] ** 2,
                      x[0] * x[1], -2 * x[0] ** 2 + 4 * x[0] * x[1] + 2 * x[1] ** 2]),
            np.stack([x[0] ** 2, 0.0 * x[0], x[0] * x[1] - x[0] ** 2,
                      2 * x[0] ** 2 - x[0] * x[1]]),
            np.stack([x[0] * x[0], 2 * x[0] ** 2 - x[0] * x[1] + 2 * x[1] ** 2,
                      x[0] * x[1] + x[1] ** 2, 0.0 * x[1]])), axis=0),
        lambda x: x[0] ** 2 + x[0] * x[1], np.array([[2.0, 1.0], [1.0, 0.0]])),
}


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_three_way_tie_of_a_smooth_clip_is_exact(name, engine):
    """Where f is one quadratic near the tie, every mode gives its Hessian (the closed
    form, checked against f's samples and second differences)."""
    f, closed, want = SMOOTH[name]
    n = 3 if "three" in name else 2
    x = np.zeros(n)
    P = _near(n)
    np.testing.assert_allclose(f(P.T), closed(P.T), rtol=0, atol=1e-15)
    diffs = second_differences(f, x)
    if want is None:
        want = diffs
    np.testing.assert_allclose(diffs, want, atol=1e-9)
    with dg.engine(engine):
        got = _modes(f, x)
    for mode, H in got.items():
        if "alike" in name and "chunk=1" in mode:
            # no diagonal block tells lo from hi, and the block between them differs:
            # NaN there (the dense view decides)
            assert np.isnan(H[0, 1]) and np.isnan(H[1, 0])
            H = np.where(np.isnan(H), want, H)
        np.testing.assert_allclose(H, want, atol=1e-12, err_msg=mode)


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
def test_three_way_tie_chunks_of_three(engine):
    """Outer chunks of 2 and 1 over three inputs: the candidates no chunk's block ruled
    out decide every block."""
    f, _, want = SMOOTH["three inputs, f = lo"]
    x = np.zeros(3)
    with dg.engine(engine):
        for chunk in (1, 2):
            np.testing.assert_allclose(dg.hessian(f, x, chunk=chunk), want, atol=1e-12)
            np.testing.assert_allclose(dg.jacobian(dg.grad(f), x, chunk=chunk), want,
                                       atol=1e-12)


KINKS = {
    # a - hi and lo - hi indefinite: f is hi on part of every neighbourhood, a elsewhere
    "second-order kink": lambda x: np.clip(2 * x[0] ** 2 - 3 * x[0] * x[1] - 2 * x[1] ** 2,
                                           0.0, 2 * x[0] ** 2 + 3 * x[0] * x[1]),
    # min(0, x1): a first-order kink
    "first-order kink": lambda x: np.clip(0.0 * x[0], -x[0] ** 2, x[1]),
}


def _fit_residual(f):
    """The residual of a least-squares quadratic fitted to f's samples on two circles
    about 0 (rounding level where f is one quadratic near 0)."""
    T = np.linspace(0, 2 * np.pi, 4001)[:-1] + 0.1
    P = np.concatenate([r * np.column_stack([np.cos(T), np.sin(T)]) for r in (0.01, 0.02)])
    M = np.column_stack([np.ones(len(P)), P, P ** 2 / 2, P[:, :1] * P[:, 1:]])
    V = f(P.T)
    c, *_ = np.linalg.lstsq(M, V, rcond=None)
    return np.max(np.abs(M @ c - V)), c


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(KINKS))
def test_three_way_tie_of_a_kink_is_nan(name, engine):
    """Where f has no second derivative, the dense Hessian (one view of all of it) is
    NaN, not a convention's number."""
    f = KINKS[name]
    assert _fit_residual(f)[0] > 1e-7            # not one quadratic: f has a kink at 0
    with dg.engine(engine):
        for H in (dg.hessian(f, np.zeros(2)), dg.jacfwd(dg.grad(f))(np.zeros(2))):
            assert np.isnan(H).any()


def test_users_own_nesting_at_a_three_way_tie_is_nan_not_a_midpoint():
    """A hand-written nesting has no link between its two levels' directions: no view
    decides, and where the three differ f'' is NaN (it was 0.5 for the constant
    clip(-t**2, 0, t**2) = 0, the composition's midpoints); where they agree in every
    part it stays exact."""
    with dg.engine("eager"):
        d2 = dg.derivative(lambda s: dg.derivative(
            lambda t: np.clip(-t ** 2, 0.0, t ** 2), s), 0.0)
        assert np.isnan(d2)
        same = dg.derivative(lambda s: dg.derivative(
            lambda t: np.clip(t ** 2, t * t, t ** 2), s), 0.0)
        assert same == 2.0


def _quad(g, A):
    return lambda x: (g[0] * x[0] + g[1] * x[1] +
                      0.5 * (A[0, 0] * x[0] ** 2 + 2 * A[0, 1] * x[0] * x[1] +
                             A[1, 1] * x[1] ** 2))


def _draw(rng):
    g = rng.integers(-1, 2, 2).astype(float) * rng.integers(0, 2)
    B = rng.integers(-2, 3, (2, 2)).astype(float)
    A = B + B.T
    if rng.random() < 0.3:
        A[:] = 0
    return g, A


# The draws main got wrong before attack46's fix (bench/clip_search.py): each runs in the
# default run; every draw (150 a seed) with --full (stop 72, fastci72).
WRONG_BEFORE = {5: {57}, 8: {33, 135, 139}}


def _random_ties(seed, draws):
    """attack46's search (bench/clip_search.py): three random integer quadratics, all 0
    at 0, lo sometimes the constant 0, for the draws ``draws`` of ``seed``'s 150 (each
    draw's numbers those of the whole search).  Smooth draws (the fit's residual at
    rounding level): every mode gives the fit's Hessian, no NaN.  Draws with a kink of
    the second order (all first orders 0): the dense Hessian is NaN.  Returns the
    smooth draws."""
    rng = np.random.default_rng(seed)
    smooth = set()
    for trial in range(150):
        qs = [_draw(rng) for _ in range(3)]
        kind = int(rng.integers(0, 3))
        if trial not in draws:
            continue
        qa, ql, qh = [_quad(*q) for q in qs]

        def f(x, qa=qa, ql=ql, qh=qh, kind=kind):
            return np.clip(qa(x), 0.0 if kind == 1 else ql(x), qh(x))
        res, c = _fit_residual(f)
        if res < 1e-12:
            got = _modes(f, np.zeros(2))
            smooth.add(trial)
            want = np.array([[c[3], c[5]], [c[5], c[4]]])
            for mode, H in got.items():
                np.testing.assert_allclose(H, want, atol=1e-6,
                                           err_msg=f"draw {trial}, {mode}")
        elif not any(q[0].any() for q in qs):      # all first orders 0: a kink of D
            assert np.isnan(dg.hessian(f, np.zeros(2))).any(), f"draw {trial}"
    return smooth


@pytest.mark.parametrize("seed", [5, 8])
def test_random_three_way_ties(seed):
    """The draws main got wrong (seed 5's draw 57 and seed 8's draws 33, 135, 139, each
    smooth) and every fifth draw, smooth ones among them besides."""
    smooth = _random_ties(seed, WRONG_BEFORE[seed] | set(range(0, 150, 5)))
    assert WRONG_BEFORE[seed] < smooth


@pytest.mark.slow
@pytest.mark.parametrize("seed", [5, 8])
def test_random_three_way_ties_every_draw(seed):
    """All 150 draws of each seed (--full)."""
    assert len(_random_ties(seed, range(150))) >= 10
