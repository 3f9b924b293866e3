"""Named leftovers of the users' and attacks' reports (issue 13|14, stop 42, left42).

1. ``np.clip(x, c, c)`` (equal bounds) at ``x == c``: f is the constant bound, truth 0
   (it gave 1/2, tie41's midpoint); equal dual bounds give the bound's partials.
2. ``scipy.special.betaln`` / ``beta``: d/da as ``psi(a) - psi(a + b)`` cancelled for
   large a (3.5e-10 relative at 1e6, 5 % at 1e14).

Oracles, none from dualgrad: the analytic derivative (0 for a constant; the bound's
own derivative), central differences (exact here: the functions are piecewise
linear), mpmath at 50 digits (polygamma).  Both engines; dense and sparsity="auto".
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels
from _oracles import second_differences

mp = pytest.importorskip("mpmath")
sc = pytest.importorskip("scipy.special")

ENGINES = ["eager", "fused"]
# A test parametrized by ENGINES that calls every helper inside its own
# dg.engine(engine) block is engine_independent: it runs in one half of README's
# command (tests/conftest.py, which fails it if a helper call escapes the block)
SPARSITY = [None, "auto"]


def _central(f, x, h=1e-3):
    """Central differences of ``f`` (a vector function) at ``x``: a Jacobian."""
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        cols.append((np.atleast_1d(f(x + e)) - np.atleast_1d(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1)


# ---- 1. np.clip with equal bounds -----------------------------------------------------

@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("sparsity", SPARSITY)
@pytest.mark.parametrize("size", [3, 40, 3000])
@pytest.mark.parametrize("mode", ["numpy", "numba"])
def test_clip_between_equal_constants_is_constant(size, sparsity, engine, mode):
    """f = clip(x, c, c) is c whatever x: its Jacobian is 0, at x == c too (the
    elements at c were 1/2, the midpoint of a bound that is both bounds)."""
    c = 0.3
    x = np.linspace(0.0, 0.6, size)
    x[::2] = c                                      # every other element on the bound

    def f(z):
        return np.clip(z, c, c) + 2.0 * z           # 2 z: a Jacobian that is not all 0
    with dg.engine(engine), _kernels.use(mode):
        J = dg.jacobian(f, x, sparsity=sparsity)
        Jm = dg.jacobian(lambda z: z.clip(c, c) + 2.0 * z, x, sparsity=sparsity)
        Jk = dg.jacobian(lambda z: np.clip(z, min=c, max=c) + 2.0 * z, x)
    want = 2.0 * np.eye(size)
    for got in (J, Jm, Jk):
        got = got.toarray() if hasattr(got, "toarray") else got
        np.testing.assert_array_equal(got, want)
    if size <= 40:
        np.testing.assert_allclose(_central(f, x), want, atol=1e-12)


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
def test_clip_between_equal_constants_scalar_and_nested(engine):
    with dg.engine(engine):
        assert dg.derivative(lambda t: np.clip(t, 0.3, 0.3), 0.3) == 0.0
        assert dg.derivative(lambda t: np.clip(t, 0.3, 0.3) + t, 0.3) == 1.0
        # array bounds equal elementwise, one pair unequal
        lo = np.array([0.3, 0.0, 0.5])
        hi = np.array([0.3, 1.0, 0.5])
        g = dg.gradient(lambda z: np.sum(np.clip(z, lo, hi)), np.array([0.3, 0.5, 0.5]))
        np.testing.assert_array_equal(g, [0.0, 1.0, 0.0])
        H = dg.hessian(lambda z: np.sum(np.clip(z, 0.3, 0.3) ** 2 + z ** 2),
                       np.array([0.3, 0.3]))
        np.testing.assert_array_equal(H, 2.0 * np.eye(2))
        # lo > hi: NumPy's clip is hi; at x == hi a constant too
        assert dg.derivative(lambda t: np.clip(t, 0.5, 0.3), 0.3) == 0.0
        # NaN keeps NumPy's value and a's partials (a NaN wins, as before)
        g = dg.gradient(lambda z: np.sum(np.clip(z, 0.3, 0.3)), np.array([np.nan, 0.3]))
        np.testing.assert_array_equal(g, [1.0, 0.0])


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("sparsity", SPARSITY)
def test_clip_between_equal_dual_bounds(engine, sparsity):
    """Bounds that are the same function of p (written alike or not): f is that
    function, d/dp its derivative, d/dx 0 (the composition's midpoints gave 1/4 to x
    and 3/4 to the bound).  And a bound that is x itself: clip(x, c, x) = x."""
    def same(v):            # clip(x, p**2, p * p) at x == p**2
        x, p = v[:2], v[2:]
        return np.clip(x, p ** 2, p * p)

    def written_alike(v):
        x, p = v[:2], v[2:]
        return np.clip(x, 2.0 * p, 2.0 * p)

    def upper_is_x(v):      # min(max(x, c), x) = x: the upper bound's partials are x's
        return np.clip(v[:2], 0.5, v[:2])
    v0 = np.array([0.25, 0.7, 0.5, 0.6])        # x[0] == p[0]**2, x[1] above p[1]**2
    with dg.engine(engine):
        for f, want in (
                (same, [[0, 0, 1.0, 0], [0, 0, 0, 1.2]]),
                (upper_is_x, [[1.0, 0, 0, 0], [0, 1.0, 0, 0]])):
            J = dg.jacobian(f, v0, sparsity=sparsity)
            J = J.toarray() if hasattr(J, "toarray") else J
            np.testing.assert_allclose(J, want, rtol=1e-15, atol=0)
            np.testing.assert_allclose(_central(f, v0, 1e-4), want, rtol=1e-9, atol=1e-9)
        v1 = np.array([1.0, 0.3, 0.5, 0.6])     # x[0] == 2 p[0]
        J = dg.jacobian(written_alike, v1, sparsity=sparsity)
        J = J.toarray() if hasattr(J, "toarray") else J
        np.testing.assert_array_equal(J, [[0, 0, 2.0, 0], [0, 0, 0, 2.0]])
        # a scalar dual: the scalar paths
        g = dg.gradient(lambda v: np.clip(v[0], v[1], v[1]), np.array([0.4, 0.4]))
        np.testing.assert_array_equal(g, [0.0, 1.0])


CLIP_EQUAL_BOUNDS_SECOND_ORDER = {
    # clip(-1, 0, t^2) = min(0, t^2) = 0: the lower bound's second order, not t^2's
    "constant below both": (lambda x: np.clip(-1.0 + 0 * x[0], 0.0, x[0] ** 2), [[0.0]]),
    # clip(x0^2, 0, x0^2 + x1^2) = x0^2 everywhere
    "inside, upper moves": (lambda x: np.clip(x[0] ** 2, 0.0, x[0] ** 2 + x[1] ** 2),
                            [[2.0, 0.0], [0.0, 0.0]]),
    "method": (lambda x: (x[0] ** 2).clip(0.0, x[0] ** 2 + x[1] ** 2),
               [[2.0, 0.0], [0.0, 0.0]]),
    # clip(0, -x0^2, x1^2) = 0
    "both bounds move": (lambda x: np.clip(0.0 * x[0], -x[0] ** 2, x[1] ** 2), np.zeros((2, 2))),
    # clip(-1, 0.3 - x1^2, 0.3 + x1^2) = 0.3 - x1^2
    "bounds of opposite curvature": (
        lambda x: np.clip(-1.0 + 0 * x[1], 0.3 - x[1] ** 2, 0.3 + x[1] ** 2),
        [[0.0, 0.0], [0.0, -2.0]]),
    # bounds equal to every order: clip(x0^2, x1^2, x1^2) = x1^2 whatever a is (the
    # composition's indefinite ties gave diag(0.5, 1.5))
    "bounds equal to every order": (lambda x: np.clip(x[0] ** 2, x[1] ** 2, x[1] * x[1]),
                                    [[0.0, 0.0], [0.0, 2.0]]),
    # crossing bounds, the lower above the upper near the point: clip is the upper bound
    # whatever a is (minimum(maximum(a, lo), hi) with maximum(a, lo) >= lo >= hi); the
    # composition's indefinite ties gave [[-0.5, 0.5], [0.5, -1]] (attack46 01)
    "lower above, semidefinite": (
        lambda x: np.clip(x[0] ** 2 + 2 * x[0] * x[1] - 2 * x[1] ** 2, 0.0, -x[0] ** 2),
        [[-2.0, 0.0], [0.0, 0.0]]),
    "lower above, definite": (
        lambda x: np.clip(x[1] ** 2 - x[0] ** 2 + x[0] * x[1], x[0] ** 2, -x[1] ** 2),
        [[0.0, 0.0], [0.0, -2.0]]),
    # first orders that differ: -x0 everywhere (chunk=1 gave 0.5 at [1, 1])
    "lower above, first orders differ": (lambda x: np.clip(-x[0], x[1] ** 2, -x[0]),
                                         np.zeros((2, 2))),
    "array, lower above": (
        lambda x: np.sum(np.clip(x ** 2 + 2 * x * x[::-1] - 2 * x[::-1] ** 2, 0.0, -x ** 2)),
        -2.0 * np.eye(2)),
    # a equal to the upper bound to every order: maximum(a, lo) >= a = hi, so clip is hi
    # whatever the lower bound does; its indefinite tie gave [[0.5, 0], [0, -0.5]] (and
    # chunk=1 [[0, 0], [0, -1]]) for the constant 0 (attack46 01, follow-up)
    "a equal to the upper bound, lower indefinite": (
        lambda x: np.clip(0.0 * x[0], x[0] ** 2 - x[1] ** 2, 0.0), np.zeros((2, 2))),
    "a equal to the upper bound, lower mixed": (
        lambda x: np.clip(0.0 * x[0], x[0] ** 2 + 3 * x[0] * x[1] + x[1] ** 2, 0.0),
        np.zeros((2, 2))),
    "a equal to a moving upper bound": (
        lambda x: np.clip(x[0] ** 2, x[0] ** 2 - x[1] ** 2 + x[0] * x[1], x[0] * x[0]),
        [[2.0, 0.0], [0.0, 0.0]]),
    # a above the upper bound to the second order (a - hi definite), the bounds crossing:
    # maximum(a, lo) >= a >= hi, clip is hi (the composition's ties gave [[-0.5, -1.25],
    # [-1.25, 2]]; attack46 01, second follow-up)
    "a above the upper bound, crossing bounds": (
        lambda x: np.clip(x[0] ** 2 - 3 * x[0] * x[1] + 2 * x[1] ** 2, 0.0,
                          -x[0] ** 2 - x[0] * x[1] + x[1] ** 2), [[-2.0, -1.0], [-1.0, 2.0]]),
    # bounds crossing at first order (lo = -x0), a above hi to second order: hi (chunk=1
    # gave 2 for 4 at [1, 1]: the x0 chunk forced maximum(a, lo)'s midpoint)
    "a above the upper bound, lower crossing at first order": (
        lambda x: np.clip(2 * x[0] ** 2 - x[0] * x[1] + 2 * x[1] ** 2, -x[0],
                          -x[0] ** 2 - x[0] * x[1] + 2 * x[1] ** 2), [[-2.0, -1.0], [-1.0, 4.0]]),
    # an array: [x0^2, x1^2] under x0^2 + x1^2, summed: x0^2 + x1^2
    "array summed": (lambda x: np.sum(np.clip(np.stack([x[0] ** 2, x[1] ** 2]), 0.0,
                                              x[0] ** 2 + x[1] ** 2)), 2.0 * np.eye(2)),
}


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(CLIP_EQUAL_BOUNDS_SECOND_ORDER))
def test_clip_between_equal_bounds_keeps_the_second_order(name, engine):
    """Bounds equal at the point fix clip's first order to the upper bound's (f <= hi,
    f = hi there), but not its second order: min(0, t^2) has f'' = 0 (attack45 01: the
    upper bound's second order was taken, 2).  Closed forms and second differences of
    the plain NumPy function (exact for these quadratics)."""
    f, want = CLIP_EQUAL_BOUNDS_SECOND_ORDER[name]
    x = np.zeros(len(want))
    with dg.engine(engine):
        got = [dg.hessian(f, x), dg.hessian(f, x, chunk=1),
               dg.jacfwd(dg.grad(f))(x)]
        sparse = dg.hessian(f, x, sparsity="auto")
    got.append(sparse.toarray() if hasattr(sparse, "toarray") else sparse)
    for H in got:
        np.testing.assert_array_equal(H, want)
    np.testing.assert_allclose(second_differences(f, x), want, atol=1e-9)


def test_clip_composition_of_two_ties_is_a_documented_limit():
    """np.maximum(np.minimum(x, c), c) is c for every x (truth 0), but at x == c both
    selections tie and each takes its midpoint: 1/2 * 1/2 = 1/4 of x's partials.  The
    midpoint is exact for one kink at a point (linear in its choice); two chained kinks
    at one point multiply their choices (README, Ties).  np.clip(x, c, c) is exact."""
    c = 0.3
    g = dg.derivative(lambda t: np.maximum(np.minimum(t, c), c), c)
    assert g == 0.25                        # documented: not the truth 0
    assert dg.derivative(lambda t: np.clip(t, c, c), c) == 0.0


# ---- 2. betaln's and beta's derivatives for large arguments -----------------------------

def _psi_diff(a, b, order=0):
    """polygamma(order, a) - polygamma(order, a + b) by mpmath at 50 digits."""
    with mp.workdps(50):
        a, b = mp.mpf(float(a)), mp.mpf(float(b))
        return float(mp.polygamma(order, a) - mp.polygamma(order, a + b))


_A = np.logspace(-3, 15, 19)
_B = np.array([1e-3, 0.1, 1.0, 7.5, 1e3])


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("sparsity", SPARSITY)
def test_betaln_gradient_against_mpmath(engine, sparsity):
    """d/da betaln(a, b) = psi(a) - psi(a + b), d/db = psi(b) - psi(a + b), within
    4e-15 relative over a in 1e-3 .. 1e15, b in 1e-3 .. 1e3 (was 3.5e-10 at a = 1e6,
    5 % at 1e14), elementwise arrays: the Jacobian's two diagonals."""
    a, b = (m.ravel() for m in np.meshgrid(_A, _B))
    n = a.size
    with dg.engine(engine):
        J = dg.jacobian(lambda v: sc.betaln(v[:n], v[n:]), np.concatenate([a, b]),
                        sparsity=sparsity)
    J = J.toarray() if hasattr(J, "toarray") else J
    da, db = np.diagonal(J[:, :n]), np.diagonal(J[:, n:])
    want_a = np.array([_psi_diff(p, q) for p, q in zip(a, b)])
    want_b = np.array([_psi_diff(q, p) for p, q in zip(a, b)])
    np.testing.assert_allclose(da, want_a, rtol=4e-15, atol=0)
    np.testing.assert_allclose(db, want_b, rtol=4e-15, atol=0)
    np.testing.assert_array_equal(J[:, :n] - np.diag(da), 0.0)


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("a, b", [(1e6, 1.0), (1e14, 1.0), (3.0, 1e-3), (1e15, 1e3),
                                  (1e-3, 1e-3), (0.5, 2.5)])
def test_betaln_and_beta_scalar_and_hessian(a, b, engine):
    with dg.engine(engine):
        d = dg.derivative(lambda t: sc.betaln(t, b), a)
        g = dg.gradient(lambda v: sc.betaln(v[0], v[1]), np.array([a, b]))
        H = dg.hessian(lambda v: sc.betaln(v[0], v[1]), np.array([a, b]))
        gb = dg.gradient(lambda v: sc.beta(v[0], v[1]), np.array([a, b]))
    assert d == pytest.approx(_psi_diff(a, b), rel=4e-15)
    np.testing.assert_allclose(g, [_psi_diff(a, b), _psi_diff(b, a)], rtol=4e-15)
    with mp.workdps(50):
        mixed = -float(mp.polygamma(1, mp.mpf(a) + mp.mpf(b)))
    want_h = [[_psi_diff(a, b, 1), mixed], [mixed, _psi_diff(b, a, 1)]]
    np.testing.assert_allclose(H, want_h, rtol=4e-15)
    beta = sc.beta(a, b)
    np.testing.assert_allclose(gb, [beta * _psi_diff(a, b), beta * _psi_diff(b, a)],
                               rtol=4e-15, atol=0)


def test_betaln_outside_the_positive_reals_keeps_scipys_difference():
    """Negative non-integer a (betaln is log|B|) and a NaN: SciPy's difference of the
    two digammas, as before (no cancellation there to fix)."""
    for a, b in ((-2.5, 1.25), (-0.5, 3.0)):
        want = float(mp.digamma(a) - mp.digamma(a + b))
        assert dg.derivative(lambda t: sc.betaln(t, b), a) == pytest.approx(want, rel=1e-13)
    assert np.isnan(dg.derivative(lambda t: sc.betaln(t, np.nan), 2.0))


# ---- 3. scipy.special.polygamma and logsumexp: the spellings their refusals propose -----
# Both convert a dual with np.asarray before any ufunc runs (no hook: making them work
# means replacing SciPy's functions, bench/MISSES.md left42); the refusal proposes the
# caller's own call in NumPy / scipy.special ufuncs, which must be exact when pasted.

def _fix(call, t):
    import re
    with pytest.raises(TypeError) as info:
        dg.jacobian(call, t)
    text = str(info.value)
    m = re.search(r"write that step as (.*?)(?: \(x: the array| \(polygamma|, or apply)",
                  text)
    assert m, text
    return m.group(1), text


def _run(spelling, env):
    *stmts, last = spelling.split("; ")
    env = dict(env, np=np, scipy=pytest.importorskip("scipy"))
    for s in stmts:
        exec(s, env)
    return eval(last, env)


@pytest.mark.parametrize("n", [0, 1, 2, 3, np.int64(4), np.array(2)])
@pytest.mark.parametrize("engine", ENGINES)
def test_polygamma_fix_is_exact_to_every_order(n, engine):
    """The pasted spelling's derivative is polygamma(n + 1, x) and its second
    polygamma(n + 2, x) (mpmath), its value SciPy's polygamma(n, x)."""
    x0 = np.array([0.7, 2.5, 11.0])
    spelling, text = _fix(lambda t: sc.polygamma(n, t), x0)
    assert f"polygamma({int(n)}, x), your call" in text

    def f(t):
        return _run(spelling, {"x": t})
    np.testing.assert_allclose(f(x0), sc.polygamma(n, x0), rtol=1e-14)
    with dg.engine(engine):
        J = dg.jacobian(f, x0)
        H = [dg.hessian(lambda t: f(t)[i], x0)[i, i] for i in range(3)]
    with mp.workdps(50):
        d1 = [float(mp.polygamma(int(n) + 1, v)) for v in x0]
        d2 = [float(mp.polygamma(int(n) + 2, v)) for v in x0]
    np.testing.assert_allclose(np.diagonal(J), d1, rtol=1e-13)
    np.testing.assert_allclose(H, d2, rtol=1e-12)


def test_polygamma_with_an_array_of_orders_keeps_the_general_spelling():
    _, text = _fix(lambda t: sc.polygamma(np.array([1, 2]), t), np.array([1.5, 2.5]))
    assert "for n >= 1, scipy.special.digamma(x) for n = 0" in text


_LSE_EDGES = [
    (np.array([-np.inf, -np.inf, -np.inf]), {}),                      # -inf (was NaN)
    (np.array([np.inf, 0.0, 1.0]), {"b": np.array([0.0, 1.0, 2.0])}),  # b == 0 at inf
    (np.array([np.inf, 0.0, 1.0]), {}),                               # inf
    (np.array([-np.inf, 0.0, 1.0]), {"b": np.array([0.0, 0.0, 0.0])}),  # every b 0: -inf
    (np.array([[-np.inf, -np.inf, -np.inf], [0.0, 1.0, 2.0]]), {"axis": 1}),
    (np.array([[np.inf, 1.0, 2.0], [0.0, 1.0, 2.0]]),
     {"axis": 1, "b": np.array([0.0, 1.0, 1.0])}),
    (np.array([1.0, 1.0, 3.0]), {"b": np.array([1.0, -1.0, 0.0]), "return_sign": True}),
]


@pytest.mark.parametrize("x0, kw", _LSE_EDGES)
def test_logsumexp_fix_keeps_scipys_values_at_the_edges(x0, kw):
    """SciPy: an all -inf slice is -inf, an element with b == 0 is left out (also at
    x = inf); the spelling gave NaN at both (x - m = -inf + inf, 0 * inf)."""
    spelling, _ = _fix(lambda t: sc.logsumexp(t * x0, **kw), np.ones(1))
    env = {"b": kw.get("b"), "x": x0}
    with np.errstate(all="ignore"):
        got = _run(spelling, env)
        want = sc.logsumexp(x0, **kw)
    if kw.get("return_sign"):
        np.testing.assert_array_equal(got[1], want[1])
        got, want = got[0], want[0]
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-14)     # infinities equal, NaN none


@pytest.mark.parametrize("engine", ENGINES)
def test_logsumexp_fix_gradient_with_a_zero_weight_at_inf(engine):
    """d/dx_i = b_i exp(x_i) / sum_j b_j exp(x_j): 0 where b_i == 0 (x_i = inf there
    too), the weights elsewhere (analytic)."""
    b = np.array([0.0, 1.0, 2.0])
    spelling, _ = _fix(lambda t: sc.logsumexp(t, b=b), np.array([0.0, 0.5, 1.0]))
    x0 = np.array([np.inf, 0.5, 1.0])
    with dg.engine(engine), np.errstate(all="ignore"):
        g = dg.gradient(lambda t: _run(spelling, {"b": b, "x": t}), x0)
    w = b[1:] * np.exp(x0[1:])
    np.testing.assert_allclose(g, np.concatenate([[0.0], w / w.sum()]), rtol=1e-15)


# ---- 4. np.put into a 0-d dual; np.einsum's interleaved form with a stretched axis ------

@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("sparsity", SPARSITY)
@pytest.mark.parametrize("write", [lambda s, v: np.put(s, 0, v),
                                   lambda s, v: np.put(s, [0, 0], [v, v], mode="wrap")])
def test_put_into_a_scalar_dual_is_a_named_error(write, sparsity, engine):
    """A scalar dual stands for NumPy's scalar x[0] (np.float64: NumPy drops the write)
    or a 0-d ndarray (NumPy writes): no answer is safe, so a named TypeError, not
    NumPy's bare "multiple indices are not supported for 0d arrays"."""
    def f(x):
        s = x[0] * 2.0
        write(s, x[1])
        return np.atleast_1d(s)
    with dg.engine(engine), pytest.raises(TypeError) as info:
        dg.jacobian(f, np.array([1.0, 2.0]), sparsity=sparsity)
    text = str(info.value)
    assert "np.put into a 0-d dual" in text and "got a scalar dual" in text
    assert "Fix: rebind the name" in text


@pytest.mark.parametrize("sparsity", SPARSITY)
def test_put_into_a_scalar_dual_with_no_index_writes_nothing(sparsity):
    def f(x):
        s = x[0] * 2.0
        np.put(s, [], [])
        return np.atleast_1d(s)
    J = dg.jacobian(f, np.array([1.0, 2.0]), sparsity=sparsity)
    J = J.toarray() if hasattr(J, "toarray") else J
    np.testing.assert_array_equal(J, [[2.0, 0.0]])


_SUBLIST = [
    ((5,), (1,), lambda a, b: np.einsum(a, [0], b, [0]), "i,i"),
    ((2, 3), (2, 1), lambda a, b: np.einsum(a, [Ellipsis, 1], b, [Ellipsis, 1], [Ellipsis]),
     "...i,...i->..."),
    ((4, 3), (1,), lambda a, b: np.einsum(a, [0, 1], b, [1], [0]), "ij,j->i"),
    ((4, 3), (1, 1), lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [0, 2]), "ij,jk->ik"),
    ((1, 3), (3, 1), lambda a, b: np.einsum(a, [0, 1], b, [1, 0]), "ij,ji"),
    ((30, 20), (1,), lambda a, b: np.einsum(a, [0, 1], b, [1], [0]), "ij,j->i"),
]


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("mode", ["numpy", "numba"])
@pytest.mark.parametrize("sa, sb, call, spec", _SUBLIST, ids=[c[3] + str(c[0]) for c in _SUBLIST])
def test_einsum_sublist_form_with_a_stretched_axis(sa, sb, call, spec, mode, engine):
    """The interleaved form takes NumPy's general path (never the lean kernels, which
    fix41 guarded for the string form): its Jacobian is the bilinear map's, central
    differences exact at any step (h = 1), dense and sparse, and equal to the string
    form's; a Hessian of its square by second differences (exact for a quartic: h = 1
    leaves the h**2 term, so compared to the analytic 2 J^T J + 2 f H_f)."""
    rng = np.random.default_rng(len(spec) + sa[0])
    a0, b0 = rng.normal(size=sa), rng.normal(size=sb)
    na = a0.size
    v0 = np.concatenate([a0.ravel(), b0.ravel()])

    def f(v):
        return np.ravel(call(v[:na].reshape(sa), v[na:].reshape(sb)))

    def g(v):
        return np.ravel(np.einsum(spec, v[:na].reshape(sa), v[na:].reshape(sb)))
    want = _central(g, v0, 1.0)
    with dg.engine(engine), _kernels.use(mode):
        for sparsity in SPARSITY:
            J = dg.jacobian(f, v0, sparsity=sparsity)
            J = J.toarray() if hasattr(J, "toarray") else J
            np.testing.assert_allclose(J, want, rtol=1e-12, atol=1e-12)
        H = dg.hessian(lambda v: f(v)[0] ** 2, v0)
    # H applied to directions W (every unit direction for a small case, four random
    # ones for the 601 inputs of (30, 20), whose full second differences took 1.4
    # million einsum calls): g0 is quadratic, so its gradient is affine and
    # Hf W = grad g0(v0 + W) - grad g0(v0), each gradient exact at h = 1.
    W = np.eye(v0.size) if v0.size <= 40 else rng.normal(size=(v0.size, 4))
    J0 = want[0]

    def grad0(v):
        return _central(lambda w: g(w)[0], v, 1.0)[0]
    HfW = np.stack([grad0(v0 + w) - grad0(v0) for w in W.T], axis=-1)
    np.testing.assert_allclose(H @ W, 2 * np.outer(J0, J0 @ W) + 2 * g(v0)[0] * HfW,
                               rtol=1e-12, atol=1e-12)


# ---- 6. running extremes and np.sort at ties: the midpoint, as np.max --------------------
# maximum.accumulate and np.sort took the first of equal elements (one side's derivative);
# beside the midpoint of np.maximum / np.max that mixed conventions at one point:
# maximum.accumulate(x)[-1] + minimum.accumulate(x)[-1] is a + b for x = (a, b) and gave
# (2, 0) at a == b; np.sort(x)[0] + np.maximum(a, b) gave (1.5, 0.5).  Builtin max / min
# return one of the objects and cannot split (documented; pinned below).

_SMOOTH_THROUGH_TIES = {
    "accumulate max + min": lambda v: np.maximum.accumulate(v)[-1] + np.minimum.accumulate(v)[-1],
    "fmax.accumulate + fmin": lambda v: np.fmax.accumulate(v)[-1] + np.fmin.accumulate(v)[-1],
    "accumulate - np.max": lambda v: np.maximum.accumulate(v)[-1] - np.max(v) + v[0] + v[1],
    "sort[0] + np.maximum": lambda v: np.sort(v)[0] + np.maximum(v[0], v[1]),
    "sort[-1] + np.minimum": lambda v: np.sort(v)[-1] + np.minimum(v[0], v[1]),
    "sort[0] + np.max": lambda v: np.sort(v)[0] + np.max(v),
    "sort[-1] - np.max": lambda v: np.sort(v)[-1] - np.max(v) + v[0] + v[1],
}


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(_SMOOTH_THROUGH_TIES))
def test_smooth_functions_through_running_and_sorted_ties(name, engine):
    """Each is a + b (analytic gradient (1, 1), Hessian of its square 2 ones), at the
    tie a == b and away from it; dense and sparse."""
    f = _SMOOTH_THROUGH_TIES[name]
    with dg.engine(engine):
        for x0 in (np.array([0.3, 0.3]), np.array([0.3, 0.7]), np.array([0.7, 0.3])):
            for sparsity in SPARSITY:
                J = dg.jacobian(lambda v: np.atleast_1d(f(v)), x0, sparsity=sparsity)
                J = J.toarray() if hasattr(J, "toarray") else J
                np.testing.assert_array_equal(J, [[1.0, 1.0]])
            H = dg.hessian(lambda v: f(v) ** 2, x0)
            np.testing.assert_allclose(H, 2.0 * np.ones((2, 2)), rtol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
def test_running_maximum_takes_the_mean_of_the_tied_elements_so_far(engine):
    """Three equal maxima: 1, 1/2, 1/3 of each (np.max's rule on every prefix); on two
    rows along axis=1; the pairwise case agrees with central differences across the tie
    (which average the sides)."""
    x = np.array([0.3, 0.1, 0.3, 0.3, 0.5])
    with dg.engine(engine):
        J = dg.jacobian(lambda v: np.maximum.accumulate(v), x)
        J2 = dg.jacobian(lambda v: np.maximum.accumulate(v.reshape(2, 3), axis=1).ravel(),
                         np.array([0.3, 0.3, 0.1, 0.2, 0.5, 0.5]))
        Jn = dg.jacobian(lambda v: np.minimum.accumulate(-v), x)
    t = 1.0 / 3.0
    want = [[1, 0, 0, 0, 0], [1, 0, 0, 0, 0], [0.5, 0, 0.5, 0, 0], [t, 0, t, t, 0],
            [0, 0, 0, 0, 1]]
    np.testing.assert_allclose(J, want, rtol=1e-15)
    np.testing.assert_allclose(Jn, -np.array(want), rtol=1e-15)
    np.testing.assert_array_equal(J2, [[1, 0, 0, 0, 0, 0], [0.5, 0.5, 0, 0, 0, 0],
                                       [0.5, 0.5, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0],
                                       [0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0.5, 0.5]])
    pair = np.array([0.4, 0.4])
    np.testing.assert_allclose(dg.jacobian(lambda v: np.maximum.accumulate(v), pair),
                               _central(lambda v: np.maximum.accumulate(v), pair, 1e-3),
                               rtol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_sort_gives_a_run_of_equal_values_the_mean_of_their_partials(engine):
    """Sorted slots of equal values: each the mean of the run's partials, which is the
    midpoint of the slots' one-sided derivatives (central differences across the tie);
    along axis 0 of a matrix; NaN never ties (NumPy puts NaN last)."""
    x = np.array([0.3, 0.1, 0.3, 0.5, 0.3])
    with dg.engine(engine):
        J = dg.jacobian(lambda v: np.sort(v), x)
        Ja = dg.jacobian(lambda v: np.sort(v.reshape(2, 3), axis=0).ravel(),
                         np.array([0.3, 0.3, 0.1, 0.3, 0.5, 0.1]))
        Jn = dg.jacobian(lambda v: np.sort(v), np.array([np.nan, 0.2, np.nan, 0.2]))
    t = 1.0 / 3.0
    np.testing.assert_allclose(J, [[0, 1, 0, 0, 0], [t, 0, t, 0, t], [t, 0, t, 0, t],
                                   [t, 0, t, 0, t], [0, 0, 0, 1, 0]], rtol=1e-15)
    np.testing.assert_array_equal(Ja, [[0.5, 0, 0, 0.5, 0, 0], [0, 1, 0, 0, 0, 0],
                                       [0, 0, 0.5, 0, 0, 0.5], [0.5, 0, 0, 0.5, 0, 0],
                                       [0, 0, 0, 0, 1, 0], [0, 0, 0.5, 0, 0, 0.5]])
    np.testing.assert_array_equal(Jn, [[0, 0.5, 0, 0.5], [0, 0.5, 0, 0.5], [1, 0, 0, 0],
                                       [0, 0, 1, 0]])
    pair = np.array([0.4, 0.4])
    np.testing.assert_allclose(dg.jacobian(np.sort, pair),
                               _central(np.sort, pair, 1e-3), rtol=1e-12)


def test_builtin_max_at_a_tie_is_a_documented_limit():
    """Python's max(a, b) returns a (the first) at a == b: one side's derivative, which
    beside np.minimum's midpoint gives (1.5, 0.5) for max + np.minimum = a + b.  It cannot
    split (it returns one of the objects); np.maximum / np.max can (README, Ties)."""
    v0 = np.array([0.3, 0.3])
    g = dg.gradient(lambda v: max(v[0], v[1]) + np.minimum(v[0], v[1]), v0)
    np.testing.assert_array_equal(g, [1.5, 0.5])        # documented, not the truth (1, 1)
    g = dg.gradient(lambda v: np.maximum(v[0], v[1]) + np.minimum(v[0], v[1]), v0)
    np.testing.assert_array_equal(g, [1.0, 1.0])


@pytest.mark.engine_independent
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_polygamma_drop_in_on_duals(n, engine):
    """dualgrad.scipy.special.polygamma: SciPy's value (the same bits: SciPy's own
    formula), derivative polygamma(n + 1, x) and second polygamma(n + 2, x) (mpmath);
    an array of orders; plain input is SciPy's call."""
    from dualgrad.scipy.special import polygamma
    x0 = np.array([0.7, 2.5, 11.0])
    with dg.engine(engine):
        J = dg.jacobian(lambda t: polygamma(n, t), x0)
        H = [dg.hessian(lambda t: polygamma(n, t)[i], x0)[i, i] for i in range(3)]
        d = dg.derivative(lambda t: polygamma(n, t), 2.5)
        Jo = dg.jacobian(lambda t: polygamma(np.array([0, 1, 2]), t), x0)
    with mp.workdps(50):
        d1 = [float(mp.polygamma(n + 1, v)) for v in x0]
        d2 = [float(mp.polygamma(n + 2, v)) for v in x0]
        do = [float(mp.polygamma(k + 1, v)) for k, v in enumerate(x0)]
    np.testing.assert_allclose(np.diagonal(J), d1, rtol=1e-13)
    np.testing.assert_array_equal(J - np.diag(np.diagonal(J)), 0.0)
    np.testing.assert_allclose(H, d2, rtol=1e-12)
    assert d == pytest.approx(d1[1], rel=1e-13)
    np.testing.assert_allclose(np.diagonal(Jo), do, rtol=1e-13)
    np.testing.assert_array_equal(polygamma(n, x0), sc.polygamma(n, x0))


def test_polygamma_refusal_names_the_drop_in():
    _, text = _fix(lambda t: sc.polygamma(2, t), np.array([1.5, 2.5]))
    assert "use dualgrad.scipy.special.polygamma" in text
    assert "-2.0 * scipy.special.zeta(3.0, x)" in text
