"""Second-order ties through the helpers' mixed partials, the weighted quantile's
zero-weight elements and chunked Hessians on process pools (issue 13|14, stop 45,
ties45).

``jacfwd(grad(f, argnums=0), argnums=1)`` (a mixed partial) linked no diagonal of D:
its inner passes seeded argument 0 only, the outer one argument 1, so at a tie the
second order decides (``np.maximum(q, 0)`` with q positive semidefinite: it is q) the
midpoint came back, 1/2 of the truth.  The weighted quantile (inverted_cdf) counted a
zero-weight element tied with the result (at q == 0 at first order, at second order
for every q), though NumPy never returns one.  dg.hessian on a process pool lost the
chunks' tie notes in the workers: each chunk decided a kink by its own block of D.

Oracles, none from dualgrad: closed forms (f == q near the tie, so its Hessian is Q),
plain-float central second differences of f, NumPy's own weighted quantile of the
positive-weight elements alone (the pieces' order near the tie is known), one-sided
float differences on each side of the tie, and the serial unchunked Hessian's
documented midpoint for a function with no second derivative.
"""

import concurrent.futures

import numpy as np
import pytest

import dualgrad as dg

ENGINES = ["eager", "fused"]
Q = np.array([[2.0, 1.0], [1.0, 2.0]])


def _f(a, b):
    """max(q, 0) with q = a^2 + b^2 + a b >= 0: f == q, Hessian Q, tied at 0."""
    return np.maximum(a ** 2 + b ** 2 + a * b, 0.0)


def _f_aux(a, b):
    return _f(a, b), "aux"


def _second_differences(f, h=2.0 ** -10):
    """Central second differences of the plain float f at (0, 0) (exact for a quadratic
    in binary arithmetic at a power-of-two step)."""
    e = [np.array([h, 0.0]), np.array([0.0, h])]
    H = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            pp, pm, mp, mm = (e[i] + e[j], e[i] - e[j], -e[i] + e[j], -e[i] - e[j])
            H[i, j] = (f(*pp) - f(*pm) - f(*mp) + f(*mm)) / (4 * h * h)
    return H


def test_oracle():
    np.testing.assert_array_equal(_second_differences(_f), Q)


# ---- 1. every helper pairing: int, tuple, different argnums, has_aux -------------------
PAIRINGS = {
    # name: (call at (0, 0), what it is in terms of the Hessian Q)
    "jacfwd(grad0, 1)": (lambda: dg.jacfwd(dg.grad(_f, argnums=0), argnums=1)(0.0, 0.0),
                         Q[0, 1]),
    "jacfwd(grad1, 0)": (lambda: dg.jacfwd(dg.grad(_f, argnums=1), argnums=0)(0.0, 0.0),
                         Q[1, 0]),
    "grad(grad0, 1)": (lambda: dg.grad(dg.grad(_f, argnums=0), argnums=1)(0.0, 0.0),
                       Q[0, 1]),
    "grad(grad1, (0, 1))": (lambda: dg.grad(dg.grad(_f, argnums=1), argnums=(0, 1))(
        0.0, 0.0), tuple(Q[1])),
    "jacfwd(grad0, (0, 1))": (lambda: dg.jacfwd(dg.grad(_f, argnums=0),
                                                argnums=(0, 1))(0.0, 0.0), tuple(Q[0])),
    "jacfwd(grad(0, 1), 0)": (lambda: dg.jacfwd(dg.grad(_f, argnums=(0, 1)),
                                                argnums=0)(0.0, 0.0), Q[:, 0]),
    "jacfwd(grad(0, 1), 1)": (lambda: dg.jacfwd(dg.grad(_f, argnums=(0, 1)),
                                                argnums=1)(0.0, 0.0), Q[:, 1]),
    "jacfwd(grad(0, 1), (0, 1))": (lambda: np.array(dg.jacfwd(
        dg.grad(_f, argnums=(0, 1)), argnums=(0, 1))(0.0, 0.0)), Q),
    "jacfwd(grad(1, 0), 1)": (lambda: dg.jacfwd(dg.grad(_f, argnums=(1, 0)),
                                                argnums=1)(0.0, 0.0), Q[::-1, 1]),
    "jacfwd(grad(0, 0), 1)": (lambda: dg.jacfwd(dg.grad(_f, argnums=(0, 0)),
                                                argnums=1)(0.0, 0.0), [Q[0, 1]] * 2),
    "jacfwd(grad-2, -1)": (lambda: dg.jacfwd(dg.grad(_f, argnums=-2), argnums=-1)(
        0.0, 0.0), Q[0, 1]),
    "jacfwd(jacfwd0, 1)": (lambda: dg.jacfwd(dg.jacfwd(_f, argnums=0), argnums=1)(
        0.0, 0.0), Q[0, 1]),
    "jacfwd(jacfwd(0, 1), 0)": (lambda: np.array(dg.jacfwd(dg.jacfwd(_f, argnums=(0, 1)),
                                                           argnums=0)(0.0, 0.0)), Q[:, 0]),
    "jacobian(grad1, a, b)": (lambda: dg.jacobian(dg.grad(_f, argnums=1), 0.0, 0.0),
                              Q[1, 0]),
    "jacobian(grad0, argnums=1)": (lambda: dg.jacobian(dg.grad(_f, argnums=0), 0.0, 0.0,
                                                       argnums=1), Q[0, 1]),
    "gradient(grad1)": (lambda: dg.gradient(dg.grad(_f, argnums=1), 0.0, 0.0), Q[1, 0]),
    "derivative(grad1)": (lambda: dg.derivative(dg.grad(_f, argnums=1), 0.0, 0.0),
                          Q[1, 0]),
    "jvp(grad1)": (lambda: dg.jvp(dg.grad(_f, argnums=1), 0.0, 0.5, 0.0)[1],
                   0.5 * Q[1, 0]),
    "jvp(grad1) unit": (lambda: dg.jvp(dg.grad(_f, argnums=1), 0.0, 1.0, 0.0)[1],
                        Q[1, 0]),
    "value_and_grad(grad0, 1)": (lambda: dg.value_and_grad(dg.grad(_f, argnums=0),
                                                           argnums=1)(0.0, 0.0)[1], Q[0, 1]),
    "elementwise_grad(grad1)": (lambda: dg.elementwise_grad(dg.grad(_f, argnums=1))(
        0.0, 0.0), Q[1, 0]),
    "has_aux": (lambda: dg.jacfwd(dg.grad(_f_aux, argnums=0, has_aux=True), argnums=1,
                                  has_aux=True)(0.0, 0.0)[0], Q[0, 1]),
    "hessian": (lambda: np.array(dg.hessian(_f, 0.0, 0.0, argnums=(0, 1))), Q),
    "hessian (1, 0)": (lambda: np.array(dg.hessian(_f, 0.0, 0.0, argnums=(1, 0))),
                       Q[::-1, ::-1]),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(PAIRINGS))
@pytest.mark.engine_independent
def test_helper_pairings_at_tie(engine, name):
    """Every spelling of (part of) f's Hessian at the tie: Q's entries (the mixed
    partial across different argnums gave the midpoint 1/2, truth 1)."""
    call, want = PAIRINGS[name]
    with dg.engine(engine):
        got = call()
    np.testing.assert_array_equal(np.array(got, dtype=float), np.array(want, dtype=float))


@pytest.mark.parametrize("engine", ENGINES)
def test_has_aux_keeps_its_aux(engine):
    with dg.engine(engine):
        H, aux = dg.jacfwd(dg.grad(_f_aux, argnums=0, has_aux=True), argnums=1,
                           has_aux=True)(0.0, 0.0)
    assert aux == "aux" and H == 1.0


def _vec(x, y):
    return np.maximum(x @ x + y @ y + x @ y, 0.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_arrays_and_pytrees_mixed_block(engine):
    """Arrays and dict points: the mixed block d2/dx dy of x.x + y.y + x.y is I."""
    z = np.zeros(3)
    with dg.engine(engine):
        np.testing.assert_array_equal(dg.jacfwd(dg.grad(_vec, argnums=0), argnums=1)(z, z),
                                      np.eye(3))
        np.testing.assert_array_equal(dg.jacobian(dg.grad(_vec, argnums=1), z, z),
                                      np.eye(3))
        J = dg.jacfwd(dg.grad(lambda p, q: _vec(p["u"], q["v"]), argnums=0), argnums=1)(
            {"u": z}, {"v": z})
        np.testing.assert_array_equal(J["u"]["v"], np.eye(3))


@pytest.mark.parametrize("engine", ENGINES)
def test_jacfwd_levels_outputs(engine):
    """jacfwd(jacfwd(f, 0), 1) of an array output: each row's mixed partial (1, 2);
    a pytree output or argument keeps the documented midpoint (1/2) in its own
    structure (jacfwd's blocks per argnum sit under the output's leaves there)."""
    h = lambda a, b: np.array([_f(a, b), 2.0 * _f(a, b)])     # noqa: E731
    g = lambda a, b: {"s": _f(a, b), "v": np.array([_f(a, b), a])}    # noqa: E731
    with dg.engine(engine):
        np.testing.assert_array_equal(dg.jacfwd(dg.jacfwd(h, argnums=0), argnums=1)(
            0.0, 0.0), [1.0, 2.0])
        J = dg.jacfwd(dg.jacfwd(g, argnums=0), argnums=1)(0.0, 0.0)
        assert set(J) == {"s", "v"} and J["s"] == 0.5
        np.testing.assert_array_equal(J["v"], [0.5, 0.0])
        J = dg.jacfwd(dg.jacfwd(lambda p, q: _f(p["u"], q), argnums=0), argnums=1)(
            {"u": 0.0}, 0.0)
        assert J == {"u": 0.5}


@pytest.mark.parametrize("engine", ENGINES)
def test_mixed_partials_away_from_ties_unchanged(engine):
    """Smooth f at a random point: the closed form of the mixed partial."""
    rng = np.random.default_rng(45)
    a, b = rng.normal(size=2)
    f = lambda a, b: np.sin(a) * np.exp(b) + a ** 3 * b    # noqa: E731
    want = np.cos(a) * np.exp(b) + 3 * a ** 2
    with dg.engine(engine):
        assert dg.jacfwd(dg.grad(f, argnums=0), argnums=1)(a, b) == pytest.approx(
            want, rel=1e-14)
        assert dg.jvp(dg.grad(f, argnums=1), a, 1.0, b)[1] == pytest.approx(want, rel=1e-14)


@pytest.mark.parametrize("engine", ENGINES)
def test_closures_keep_the_documented_midpoint(engine):
    """A closure around a helper is not linked: the documented midpoint (1/2)."""
    g1 = dg.grad(_f, argnums=1)
    with dg.engine(engine):
        assert dg.derivative(lambda a: g1(a, 0.0), 0.0) == 0.5
        assert dg.approx_fprime(np.zeros(1), lambda a: g1(a[0], 0.0))[0] == 0.5


@pytest.mark.parametrize("engine", ENGINES)
def test_max_of_negative_semidefinite_piece(engine):
    """max(-(a^2 + b^2 + a b), 0) == 0 near 0: mixed partial 0 (the midpoint gave -1/2)."""
    f = lambda a, b: np.maximum(-(a ** 2 + b ** 2 + a * b), 0.0)    # noqa: E731
    np.testing.assert_array_equal(_second_differences(f), np.zeros((2, 2)))
    with dg.engine(engine):
        assert dg.jacfwd(dg.grad(f, argnums=0), argnums=1)(0.0, 0.0) == 0.0
        assert dg.jacfwd(dg.grad(lambda a, b: np.minimum(a * a + b * b + a * b, 0.0),
                                 argnums=1), argnums=0)(0.0, 0.0) == 0.0


# ---- 2. the weighted quantile: zero-weight elements never count -------------------------
def _pieces(x):
    """x^2, 0, -x^2: tied at 0; near it ordered -x^2 < 0 < x^2 (signs 1, 0, -1)."""
    return np.stack([x ** 2, 0.0 * x, -(x ** 2)])


SIGNS = np.array([1.0, 0.0, -1.0])
WEIGHTS = [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1], [2, 0, 2], [0, 3, 3], [1, 1, 1]]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("w", WEIGHTS)
@pytest.mark.engine_independent
def test_weighted_quantile_counts_positive_weights_only(w, engine):
    """The Hessian is 2 x the sign of the piece NumPy's weighted quantile of the
    positive-weight elements alone picks (near the tie the pieces are ordered as
    SIGNS); one-sided float second differences agree."""
    w = np.asarray(w, float)
    keep = w > 0
    with dg.engine(engine):
        for q in (0.0, 0.2, 0.34, 0.5, 0.67, 0.9, 1.0):
            sign = float(np.quantile(SIGNS[keep], q, weights=w[keep], method="inverted_cdf"))
            f = lambda x: np.quantile(_pieces(x), q, weights=w,  # noqa: E731
                                      method="inverted_cdf")
            h = 2.0 ** -8
            for side in (h, -h):
                assert (f(2 * side) - 2 * f(side) + f(0.0)) / h ** 2 == 2 * sign
            assert dg.hessian(f, 0.0) == 2 * sign, f"q={q}"
            assert dg.jacfwd(dg.grad(f))(0.0) == 2 * sign, f"q={q}"


@pytest.mark.parametrize("engine", ENGINES)
def test_weighted_quantile_first_order_zero_weight_at_q0(engine):
    """q == 0: NumPy returns the smallest element of positive weight, so a tied
    zero-weight element does not move it (its partials gave the mean, 1/2)."""
    f = lambda x: np.quantile(np.stack([x, 0.0 * x]), 0.0, weights=[0.0, 1.0],  # noqa
                              method="inverted_cdf")
    g = lambda x: np.quantile(np.stack([x, 0.0 * x, 1.0 + x]), 0.0,  # noqa: E731
                              weights=[0.0, 2.0, 2.0], method="inverted_cdf")
    e = 1e-6
    with dg.engine(engine):
        for fun in (f, g):
            assert (fun(e) - fun(0.0)) / e == 0.0 and (fun(0.0) - fun(-e)) / e == 0.0
            assert dg.derivative(fun, 0.0) == 0.0
        X = np.array([[0.0, 0.0, 1.0], [2.0, 2.0, 3.0]])
        J = dg.jacobian(lambda a: np.quantile(a, 0.0, axis=1, weights=[0.0, 1.0, 1.0],
                                              method="inverted_cdf"), X)
        want = np.zeros((2, 2, 3))
        want[0, 0, 1] = want[1, 1, 1] = 1.0       # each row's element of weight 1
        np.testing.assert_array_equal(J, want)


@pytest.mark.parametrize("engine", ENGINES)
def test_weighted_quantile_zero_weight_along_axis(engine):
    """Rows r * SIGNS (r = x0^2 and 2 x1^2) with zero weights along axis 1 and over
    the whole array: the positive-weight pieces' order decides."""
    def rows(x):
        return np.stack([_pieces(x[0]), 2.0 * _pieces(x[1])])
    w = np.array([1.0, 0.0, 1.0])
    with dg.engine(engine):
        f = lambda x: np.sum(np.quantile(rows(x), 1.0, axis=1, weights=w,  # noqa: E731
                                         method="inverted_cdf"))
        np.testing.assert_array_equal(dg.hessian(f, np.zeros(2)), np.diag([2.0, 4.0]))
        f = lambda x: np.sum(np.quantile(rows(x), 0.5, axis=1, weights=[0.0, 1.0, 1.0],  # noqa
                                         method="inverted_cdf", keepdims=True))
        np.testing.assert_array_equal(dg.hessian(f, np.zeros(2)), np.diag([-2.0, -4.0]))


# ---- 3. chunked Hessians on process pools, jacobian(grad(f)) in chunks -------------------
def kink(x):
    """max(x0^2, x3^2): no second derivative at 0; the documented unchunked convention
    is the midpoint, the mean of the pieces' Hessians diag(2, 0, 0, 0) and diag(0, 0, 0, 2)."""
    return np.maximum(x[0] ** 2, x[3] ** 2)


def smooth_tie(x):
    """max(x0^2 + x3^2, 0) == x0^2 + x3^2: Hessian diag(2, 0, 0, 2)."""
    return np.maximum(x[0] ** 2 + x[3] ** 2, 0.0) + x[1] * x[2]


MIDPOINT = np.diag([1.0, 0.0, 0.0, 1.0])


def _smooth_truth():
    H = np.diag([2.0, 0.0, 0.0, 2.0])
    H[1, 2] = H[2, 1] = 1.0
    return H


def test_kink_oracles():
    """One-sided float second differences along e0 and e3 take x0^2's / x3^2's 2 on
    one line and 0 on the other: no second derivative; the midpoint is the mean."""
    h = 2.0 ** -8
    e = np.eye(4)
    d = [(kink(2 * h * e[i]) - 2 * kink(h * e[i]) + kink(0 * e[i])) / h ** 2 for i in (0, 3)]
    assert d == [2.0, 2.0]
    mixed = kink(h * (e[0] + e[3])) - kink(h * e[0]) - kink(h * e[3]) + kink(0 * e[0])
    assert mixed / h ** 2 == -1.0         # not the 0 of either piece: not twice differentiable


@pytest.fixture(scope="module")
def process_pool():
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        yield pool


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_process_pool_hessian_one_decision_per_call(process_pool, chunk):
    """The workers' tie notes come back: one decision per call, the unchunked one."""
    np.testing.assert_array_equal(dg.hessian(kink, np.zeros(4), chunk=chunk,
                                             executor=process_pool), MIDPOINT)
    np.testing.assert_array_equal(dg.hessian(smooth_tie, np.zeros(4), chunk=chunk,
                                             executor=process_pool), _smooth_truth())
    np.testing.assert_array_equal(dg.jacobian(dg.grad(kink), np.zeros(4), chunk=chunk,
                                              executor=process_pool), MIDPOINT)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("chunk", [1, 2, 3, 4])
@pytest.mark.engine_independent
def test_jacobian_of_grad_in_chunks_one_decision_per_call(engine, chunk):
    """jacobian(grad(f), x, chunk=) and jacfwd(grad(f), chunk=) decided the kink per
    outer chunk (diag(2, 0, 0, 2) at chunk=1: neither piece's Hessian nor the midpoint)."""
    x = np.zeros(4)
    with dg.engine(engine), concurrent.futures.ThreadPoolExecutor(2) as threads:
        for H in (dg.hessian(kink, x, chunk=chunk),
                  dg.jacobian(dg.grad(kink), x, chunk=chunk),
                  dg.jacfwd(dg.grad(kink), chunk=chunk)(x),
                  dg.jacobian(dg.grad(kink), x, chunk=chunk, executor=threads)):
            np.testing.assert_array_equal(H, MIDPOINT)
        np.testing.assert_array_equal(dg.jacobian(dg.grad(smooth_tie), x, chunk=chunk),
                                      _smooth_truth())
        np.testing.assert_array_equal(dg.hessian(kink, x), MIDPOINT)      # unchunked


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.engine_independent
def test_jacfwd_of_grad_beyond_one_pass(engine):
    """Beyond 256 inputs jacfwd(grad(f)) kept the midpoint in the blocks between two
    input chunks: max((x0 + x259)^2, 0) == (x0 + x259)^2, whose H[0, 259] is 2 (it gave
    1); plus sum(x^3), Hessian 6 x = 0 at 0."""
    n = 260
    f = lambda x: np.maximum((x[0] + x[n - 1]) ** 2, 0.0) + np.sum(x ** 3)   # noqa: E731
    want = np.zeros((n, n))
    want[np.ix_([0, n - 1], [0, n - 1])] = 2.0
    with dg.engine(engine):
        np.testing.assert_array_equal(dg.jacfwd(dg.grad(f))(np.zeros(n)), want)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("chunk", [1, 2, 3])
@pytest.mark.engine_independent
def test_other_linked_gradients_in_chunks(engine, chunk):
    """jacobian(jacfwd(f)), grad of another argnum, grad with has_aux, jacfwd(jacfwd(f))
    in outer chunks decided the kink per chunk (diag(2, 0, 0, 2)); now the unchunked
    midpoint; a twice differentiable tie keeps its dominant piece's Hessian."""
    x = np.zeros(4)
    for f, want in ((kink, MIDPOINT), (smooth_tie, _smooth_truth())):
        with dg.engine(engine):
            got = (dg.jacobian(dg.jacfwd(f), x, chunk=chunk),
                   dg.jacfwd(dg.jacfwd(f), chunk=chunk)(x),
                   dg.jacobian(dg.grad(lambda c, y: f(y), argnums=1), 0.0, x, argnums=1,
                               chunk=chunk),
                   dg.jacobian(dg.grad(lambda y: (f(y), 1), has_aux=True), x, chunk=chunk,
                               has_aux=True)[0])
        for H in got:
            np.testing.assert_array_equal(H, want)
