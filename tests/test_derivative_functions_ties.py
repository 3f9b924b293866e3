"""Second derivatives at ties through the functions grad / jacfwd make, spelled as a
Hessian-vector product or SciPy's hess= (issue 13|14, stop 44, helpers44; attack44 04,
05).

``dg.jvp(dg.grad(f), x, v)``, ``dg.jvp(dg.jacfwd(f), x, v)`` and
``dg.approx_fprime(x, dg.grad(f))`` gave the midpoint (half the truth) where
``dg.hessian`` and ``dg.jacfwd(dg.grad(f))`` decide the tie by the second order.
``dg.jacobian(dg.grad(f), x, sparsity="auto")`` raised "got dtype object".

Oracles, none from dualgrad: the closed-form Hessian of the smooth function a guarded
spelling equals (np.maximum(q, 0) == q for positive definite q), its product with v,
the documented midpoint where f has no second derivative, and central differences of
the closed-form gradient of the plain-float function.
"""

import numpy as np
import pytest

import dualgrad as dg

ENGINES = ["eager", "fused"]

Q = np.array([[2.0, 1.0], [1.0, 2.0]])           # Hessian of q (positive definite)


def _q(x):
    return x[0] ** 2 + x[1] ** 2 + x[0] * x[1]


# each f equals q near 0 (q >= 0 there): its Hessian is Q everywhere
SMOOTH = {
    "np.maximum(q, 0)": lambda x: np.maximum(_q(x), 0.0),
    "np.fmax(0, q)": lambda x: np.fmax(0.0, _q(x)),
    "-np.minimum(-q, 0)": lambda x: -np.minimum(-_q(x), 0.0),
    "np.abs(q)": lambda x: np.abs(_q(x)),
    "np.clip(q, 0, None)": lambda x: np.clip(_q(x), 0.0, None),
    "np.max(stack)": lambda x: np.max(np.stack([_q(x), 0.0 * x[0]])),
    "np.sort(stack)[-1]": lambda x: np.sort(np.stack([_q(x), 0.0 * x[0]]))[-1],
}

DIRECTIONS = [np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([0.3, 0.7]),
              np.array([1.0, -1.0]), np.array([-2.0, 0.5]), np.array([2.0, 0.0])]


def _fd_hvp(v, h=1e-4):
    """Central differences of q's closed-form gradient (f's near 0) along v."""
    grad = lambda x: np.array([2 * x[0] + x[1], 2 * x[1] + x[0]])   # noqa: E731
    return (grad(h * v) - grad(-h * v)) / (2 * h)


def test_oracle_agrees():
    for v in DIRECTIONS:
        np.testing.assert_allclose(_fd_hvp(v), Q @ v, rtol=1e-9)
    # the plain-float f is q: its second difference along e0 is Q[0, 0]
    h, fl = 1e-3, lambda x: max(_q(x), 0.0)         # noqa: E731
    assert abs((fl([h, 0]) - 2 * fl([0, 0]) + fl([-h, 0])) / h ** 2 - 2.0) < 1e-9


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", SMOOTH)
@pytest.mark.engine_independent
def test_hvp_of_grad_at_tie(engine, name):
    f, x0 = SMOOTH[name], np.zeros(2)
    with dg.engine(engine):
        for v in DIRECTIONS:
            value, hv = dg.jvp(dg.grad(f), x0, v)
            np.testing.assert_allclose(value, [0.0, 0.0], atol=0)
            np.testing.assert_allclose(hv, Q @ v, rtol=1e-14, err_msg=f"v={v}")


@pytest.mark.parametrize("engine", ENGINES)
def test_hvp_of_jacfwd_and_args(engine):
    f, x0 = SMOOTH["np.maximum(q, 0)"], np.zeros(2)
    with dg.engine(engine):
        for v in DIRECTIONS:
            np.testing.assert_allclose(dg.jvp(dg.jacfwd(f), x0, v)[1], Q @ v, rtol=1e-14)
            g = dg.grad(lambda x, a: a * f(x))           # f's *args pass through jvp
            np.testing.assert_allclose(dg.jvp(g, x0, v, 3.0)[1], 3.0 * Q @ v, rtol=1e-14)


@pytest.mark.parametrize("engine", ENGINES)
def test_jvp_of_jacfwd_vector_output(engine):
    # rows: max(q, 0) == q and min(-q, 0) == -q: the second-derivative tensor along v
    F = lambda x: np.stack([np.maximum(_q(x), 0.0), np.minimum(-_q(x), 0.0)])  # noqa: E731
    with dg.engine(engine):
        for v in DIRECTIONS:
            got = dg.jvp(dg.jacfwd(F), np.zeros(2), v)[1]
            np.testing.assert_allclose(got, np.stack([Q @ v, -(Q @ v)]), rtol=1e-14)


@pytest.mark.parametrize("engine", ENGINES)
def test_hvp_pytree_point(engine):
    f = lambda p: np.maximum(p["a"] ** 2 + p["b"] ** 2 + p["a"] * p["b"], 0.0)  # noqa: E731
    with dg.engine(engine):
        for v in DIRECTIONS:
            value, hv = dg.jvp(dg.grad(f), {"a": 0.0, "b": 0.0}, {"a": v[0], "b": v[1]})
            assert value == {"a": 0.0, "b": 0.0}
            np.testing.assert_allclose([hv["a"], hv["b"]], Q @ v, rtol=1e-14)


@pytest.mark.parametrize("engine", ENGINES)
def test_approx_fprime_of_grad_at_tie(engine):
    # scipy.optimize.minimize(..., hess=lambda x: dg.approx_fprime(x, dg.grad(f)))
    f, x0 = SMOOTH["np.maximum(q, 0)"], np.zeros(2)
    with dg.engine(engine):
        np.testing.assert_allclose(dg.approx_fprime(x0, dg.grad(f)), Q, rtol=1e-14)
        np.testing.assert_allclose(dg.approx_fprime([0.0, 0.0], dg.jacfwd(f)), Q,
                                   rtol=1e-14)
        g = dg.grad(lambda x, s=1.0: s * f(x))
        np.testing.assert_allclose(dg.approx_fprime(x0, g, s=2.0), 2.0 * Q, rtol=1e-14)


@pytest.mark.parametrize("engine", ENGINES)
def test_no_second_derivative_keeps_midpoint(engine):
    # q2 = x0^2 + 3 x0 x1 + x1^2 is indefinite: max(q2, 0) has no second derivative at
    # 0; the documented convention is the midpoint, Hessian / 2
    Q2 = np.array([[2.0, 3.0], [3.0, 2.0]])
    f = lambda x: np.maximum(x[0] ** 2 + 3 * x[0] * x[1] + x[1] ** 2, 0.0)  # noqa: E731
    with dg.engine(engine):
        for v in DIRECTIONS:
            np.testing.assert_allclose(dg.jvp(dg.grad(f), np.zeros(2), v)[1], 0.5 * Q2 @ v,
                                       rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("engine", ENGINES)
def test_away_from_tie_unchanged(engine):
    f, x1 = SMOOTH["np.maximum(q, 0)"], np.array([0.5, -0.2])
    with dg.engine(engine):
        for v in DIRECTIONS:
            np.testing.assert_allclose(dg.jvp(dg.grad(f), x1, v)[1], _fd_hvp(v),
                                       rtol=1e-9)


def _sparse_cases():
    f = lambda x: np.sum(x ** 3) + x[0] * x[1]            # noqa: E731
    return [
        ("dualgrad.jacfwd", lambda x: dg.jacobian(dg.jacfwd(f), x, sparsity="auto")),
        ("dualgrad.gradient",
         lambda x: dg.jacobian(lambda y: dg.gradient(f, y), x, sparsity="auto")),
        ("dualgrad.jvp", lambda x: dg.sparsity(lambda y: dg.jvp(f, y, np.ones(3))[1], x)),
        ("dualgrad.grad", lambda x: dg.sparsity(lambda y: dg.grad(f)(2.0 * y), x)),
    ]


@pytest.mark.parametrize("case", range(4))
def test_sparsity_through_a_derivative_names_hessian(case):
    who, call = _sparse_cases()[case]
    with pytest.raises(TypeError) as info:
        call(np.array([1.0, 2.0, 3.0]))
    msg = str(info.value)
    assert msg.startswith(who + ":")
    assert "sparsity tracer" in msg and "dtype object" not in msg
    assert "dg.hessian(f, x, sparsity='auto')" in msg


@pytest.mark.parametrize("engine", ENGINES)
def test_sparse_jacobian_of_grad_is_the_sparse_hessian(engine):
    # jacobian(grad(f), sparsity=) and sparsity(grad(f)): f's Hessian and its pattern
    f = lambda x, a=1.0: a * (np.sum(x ** 3) + x[0] * x[1])    # noqa: E731
    x = np.array([1.0, 2.0, 3.0])
    truth = np.diag(6 * x) + np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]])
    with dg.engine(engine):
        got = dg.jacobian(dg.grad(f), x, sparsity="auto")
        np.testing.assert_array_equal(got.toarray(), truth)
        got = dg.jacfwd(dg.grad(f), sparsity="auto", format="csc")(x)
        assert got.format == "csc"
        np.testing.assert_array_equal(got.toarray(), truth)
        np.testing.assert_array_equal(
            dg.jacobian(dg.grad(lambda x, a: f(x, a)), x, 2.0, sparsity="auto").toarray(),
            2.0 * truth)
        np.testing.assert_array_equal(dg.sparsity(dg.grad(f), x).toarray(), truth != 0)
        with pytest.raises(ValueError, match="misses nonzeros"):
            dg.jacobian(dg.grad(f), x, sparsity=np.eye(3, dtype=bool))


def test_sparse_hessian_named_in_the_fix_is_right():
    f = lambda x: np.sum(x ** 3) + x[0] * x[1]            # noqa: E731
    x = np.array([1.0, 2.0, 3.0])
    truth = np.diag(6 * x) + np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(dg.hessian(f, x, sparsity="auto").toarray(), truth)


@pytest.mark.parametrize("engine", ENGINES)
def test_elementwise_grad_and_derivative_spellings_at_tie(engine):
    # f_i = max(x_i**2, 0) == x_i**2: f_i'' = 2 (the midpoint gave 1)
    f = lambda x: np.maximum(x ** 2, 0.0)                   # noqa: E731
    x, v = np.zeros(3), np.array([0.3, 0.7, 1.0])
    with dg.engine(engine):
        eg = dg.elementwise_grad(f)
        np.testing.assert_array_equal(dg.jacfwd(eg)(x), 2.0 * np.eye(3))
        np.testing.assert_array_equal(dg.approx_fprime(x, eg), 2.0 * np.eye(3))
        np.testing.assert_allclose(dg.jvp(eg, x, v)[1], 2.0 * v, rtol=1e-15)
        assert dg.derivative(eg, 0.0) == 2.0
        assert dg.derivative(dg.grad(f), 0.0) == 2.0
        assert dg.derivative(dg.jacfwd(f), 0.0) == 2.0
        # away from the tie: -sin's diagonal (closed form); a non-elementwise f raises
        y = np.array([1.0, 2.0])
        np.testing.assert_allclose(dg.jacfwd(dg.elementwise_grad(np.sin))(y),
                                   np.diag(-np.sin(y)), rtol=1e-15)
        with pytest.raises(ValueError, match="elementwise"):
            dg.jacfwd(dg.elementwise_grad(np.cumsum))(np.ones(3))
        # a true kink (x * max(x, 0): first derivatives of max differ) keeps the midpoint
        g = dg.elementwise_grad(lambda x: x * np.maximum(x, 0.0))
        np.testing.assert_array_equal(dg.jacfwd(g)(np.zeros(2)), np.eye(2))


# attack44 15: the scalar spellings of t**2 a tie decides at second order (each == t**2
# near 0: second derivative 2; the unlinked outer pass gave the midpoint 1, or 0)
SCALAR = {
    "np.maximum(t**2, 0)": lambda t: np.maximum(t ** 2, 0.0),
    "np.abs(t**2)": lambda t: np.abs(t ** 2),
    "np.copysign(t**2, 1)": lambda t: np.copysign(t ** 2, 1.0),
    "np.sort(stack)[-1]": lambda t: np.sort(np.stack([t ** 2, 0.0 * t]))[-1],
}


def test_scalar_oracle_agrees():
    # plain-float second differences of each spelling: 2 (the closed form t**2's)
    h = 1e-3
    for g in SCALAR.values():
        assert abs((float(g(h)) - 2 * float(g(0.0)) + float(g(-h))) / h ** 2 - 2.0) < 1e-9


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", SCALAR)
def test_grad_of_grad_at_tie(engine, name):
    g = SCALAR[name]
    with dg.engine(engine):
        assert dg.grad(dg.grad(g))(0.0) == 2.0
        assert dg.gradient(dg.grad(g), 0.0) == 2.0
        assert dg.value_and_grad(dg.grad(g))(0.0) == (0.0, 2.0)
        assert dg.grad(dg.jacfwd(g))(0.0) == 2.0
        h = lambda a, t: a * g(t)                                  # noqa: E731
        assert dg.grad(dg.grad(h, argnums=1), argnums=1)(3.0, 0.0) == 6.0
        assert dg.grad(dg.grad(g))(0.5) == 2.0                     # away from the tie


@pytest.mark.parametrize("engine", ENGINES)
def test_grad_of_grad_decides_by_second_order_only(engine):
    with dg.engine(engine):
        # max(-t**2, 0) == 0 near 0: second derivative 0 (the midpoint gave -1)
        assert dg.grad(dg.grad(lambda t: np.maximum(-t ** 2, 0.0)))(0.0) == 0.0
        # a true kink (t * max(t, 0): 0 left, 2 right) keeps the documented midpoint
        assert dg.grad(dg.grad(lambda t: t * np.maximum(t, 0.0)))(0.0) == 1.0


@pytest.mark.parametrize("engine", ENGINES)
def test_elementwise_grad_of_elementwise_grad_at_tie(engine):
    # autograd's spelling of a second derivative: f_i'' = 2 (the midpoint gave 1 at 0)
    f = lambda x: np.maximum(x ** 2, 0.0)                   # noqa: E731
    x = np.array([0.0, 0.5, 0.0])
    with dg.engine(engine):
        eg = dg.elementwise_grad
        np.testing.assert_array_equal(eg(eg(f))(x), [2.0, 2.0, 2.0])
        np.testing.assert_array_equal(eg(dg.grad(lambda x: np.sum(f(x))))(x), [2.0] * 3)
        assert eg(dg.grad(f))(0.0) == 2.0
        y = np.array([1.0, 2.0])                            # away: -sin (closed form)
        np.testing.assert_allclose(eg(eg(np.sin))(y), -np.sin(y), rtol=1e-15)
        with pytest.raises(ValueError, match="elementwise"):   # grad not elementwise
            eg(dg.grad(lambda x: x[0] * x[1] + x[1] ** 3))(np.ones(2))


@pytest.mark.parametrize("engine", ENGINES)
def test_jacfwd_of_grad_tuple_argnums_at_tie(engine):
    # attack44 14: f(a, b) == q(a, b) near 0, Hessian Q; the midpoint gave Q / 2
    f = lambda a, b: np.maximum(a ** 2 + b ** 2 + a * b, 0.0)    # noqa: E731
    with dg.engine(engine):
        H = dg.jacfwd(dg.grad(f, argnums=(0, 1)), argnums=(0, 1))(0.0, 0.0)
        np.testing.assert_array_equal(np.array(H, dtype=float), Q)
        H = dg.jacobian(dg.grad(f, argnums=(1, 0)), 0.0, 0.0, argnums=(0, 1))
        np.testing.assert_array_equal(np.array(H, dtype=float), Q[::-1])
