"""Complex values in duals: real inputs through complex intermediates, the
real-pair convention of abs/real/imag/angle/conj, and holomorphic=True.

Oracles: closed forms, and high-order central differences in the real input
(the real-pair convention *is* the derivative of the complex output's real and
imaginary parts with respect to the real input).
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg

Z0 = 0.3 + 0.8j


def central(f, x, h=1e-3):
    """Sixth-order central differences of a (complex-valued) f at real array x."""
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        e = e.reshape(x.shape)
        g = [np.asarray(f(x + k * e)) for k in (-3, -2, -1, 1, 2, 3)]
        cols.append((-g[0] + 9 * g[1] - 45 * g[2] + 45 * g[3] - 9 * g[4] + g[5]) / (60 * h))
    return np.stack(cols, axis=-1).reshape(np.shape(f(x)) + x.shape)


@pytest.fixture(autouse=True)
def _no_complex_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        yield


def test_issue_12_complex_constant_keeps_the_imaginary_part():
    value, tangent = dg.jvp(lambda x: np.add(x, 0.4 + 1.2j), 0.4, 1.0)
    assert value == 0.8 + 1.2j and tangent == 1.0
    value, tangent = dg.jvp(lambda x: np.add(x, 0.4 + 1.2j), np.array([0.4, 1.0]),
                            np.array([1.0, 2.0]))
    np.testing.assert_array_equal(value, [0.8 + 1.2j, 1.4 + 1.2j])
    np.testing.assert_array_equal(tangent, [1.0, 2.0])


@pytest.mark.parametrize("shape", [(), (3,)])
@pytest.mark.parametrize("f, df", [
    (lambda x: x * Z0, lambda x: Z0 + 0 * x),
    (lambda x: Z0 * x + 1.0, lambda x: Z0 + 0 * x),
    (lambda x: x / (x + 1j), lambda x: 1j / (x + 1j) ** 2),
    (lambda x: np.exp(1j * x), lambda x: 1j * np.exp(1j * x)),
    (lambda x: (x * Z0) ** 3, lambda x: 3 * Z0 ** 3 * x ** 2),
    (lambda x: np.sqrt(x * Z0 + 1), lambda x: Z0 / (2 * np.sqrt(x * Z0 + 1))),
    (lambda x: np.log(x + 2j), lambda x: 1 / (x + 2j)),
    (lambda x: np.sin(x * Z0) * np.cosh(x), lambda x: Z0 * np.cos(x * Z0) * np.cosh(x)
     + np.sin(x * Z0) * np.sinh(x)),
    (lambda x: np.tanh(x + 0.5j), lambda x: 1 - np.tanh(x + 0.5j) ** 2),
    (lambda x: (x + 1j) ** (2 + 1j), lambda x: (2 + 1j) * (x + 1j) ** (1 + 1j)),
])
def test_holomorphic_intermediates_give_complex_derivatives(f, df, shape):
    x = np.linspace(0.3, 1.2, 3).reshape(shape) if shape else 0.7
    if shape:
        got = dg.jacobian(f, x)
        np.testing.assert_allclose(got, np.diag(df(x)), rtol=1e-13, atol=1e-15)
        assert got.dtype == np.complex128
    else:
        got = dg.derivative(f, x)
        assert type(got) is complex
        np.testing.assert_allclose(got, df(x), rtol=1e-13)


@pytest.mark.parametrize("shape", [(), (3,)])
@pytest.mark.parametrize("name, f", [
    ("abs", lambda x: np.abs(x * Z0 + 1.0 - 0.5j)),
    ("abs-op", lambda x: abs(np.exp(1j * x) * (x + 2))),
    ("real", lambda x: np.real(np.exp(1j * x) * Z0)),
    ("real-attr", lambda x: (np.exp(1j * x) * Z0).real),
    ("imag", lambda x: np.imag(np.exp(1j * x) * Z0)),
    ("imag-attr", lambda x: (np.exp(1j * x) * Z0).imag),
    ("conj", lambda x: np.conj(np.exp(1j * x) * x)),
    ("conj-method", lambda x: (np.exp(1j * x) * x).conj()),
    ("angle", lambda x: np.angle(x * Z0 - 0.2)),
    ("angle-deg", lambda x: np.angle(x * Z0 - 0.2, deg=True)),
    ("sign", lambda x: np.sign(x * Z0 - 0.2j)),
    ("abs2", lambda x: np.abs(x + 1j) ** 2),
])
def test_non_holomorphic_functions_use_the_real_pair_convention(name, f, shape):
    x = np.linspace(0.3, 1.2, 3).reshape(shape) if shape else 0.7
    expected = central(f, x)
    got = dg.jacobian(f, x)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("f", [
    lambda x: np.var(x * Z0 + np.arange(3.0)),
    lambda x: np.std(x * Z0 + np.arange(3.0) * 1j),
    lambda x: np.linalg.norm(x * Z0 + np.arange(3.0)),
    lambda x: np.linalg.norm(np.outer(x, x) * Z0, "fro"),
    lambda x: np.linalg.norm(x * Z0 - 1.0, axis=0),
    lambda x: np.real(np.dot(x * Z0, np.arange(3.0) + 1j)),
    lambda x: np.abs(np.sum((np.outer(x, x) * Z0) @ (x + 1j))),
    lambda x: np.abs(np.vdot(x * Z0, x + 1j)),
])
def test_reductions_and_products_of_complex_values(f):
    x = np.array([0.4, -1.1, 0.9])
    np.testing.assert_allclose(dg.gradient(f, x), central(f, x), rtol=1e-9, atol=1e-12)


def test_hessian_through_complex_intermediates():
    x = np.array([0.4, 1.0])
    H = dg.hessian(lambda x: np.sum(np.real(np.exp(1j * x))), x)
    np.testing.assert_allclose(H, np.diag(-np.cos(x)), rtol=1e-14)
    H = dg.hessian(lambda x: np.abs(x[0] + 1j * x[1]), x)
    r = np.hypot(*x)
    expected = np.array([[x[1] ** 2, -x[0] * x[1]], [-x[0] * x[1], x[0] ** 2]]) / r ** 3
    np.testing.assert_allclose(H, expected, rtol=1e-13)


def central_hessian(f, x, h=1e-3):
    """Fourth-order central differences of a real scalar f for its Hessian at x."""
    x = np.asarray(x, dtype=float)
    n = x.size
    H = np.empty((n, n))
    E = np.eye(n) * h
    c = {-2: 1 / 12, -1: -2 / 3, 1: 2 / 3, 2: -1 / 12}
    for i in range(n):
        for j in range(n):
            H[i, j] = sum(a * b * f(x + s * E[i] + t * E[j])
                          for s, a in c.items() for t, b in c.items()) / (h * h)
    return H


# abs / conj / sign of a complex value nonlinear in x, differentiated twice.  The
# Hessian's duals are nested, and the scalar duals' test for "complex" looked only at
# the outer layer (its value and partials are duals there, never complex numbers):
# the second pass took abs' real-line derivative sign(z) and conj's 1.0 instead of
# the table's tangent.  (attack 4, reproducer 01)
def _z2(x):
    return (x[0] + 1j * x[1]) ** 2


NESTED = {      # f, its Hessian at X in closed form (None: central differences of f)
    "abs(z^2)": (lambda x: np.abs(_z2(x)), lambda x: 2 * np.eye(2)),
    "abs(z w)": (lambda x: np.abs((x[0] + 1j * x[1]) * (x[1] + 1j * x[0])),
                 lambda x: 2 * np.eye(2)),
    # Re(conj(z^2) (x0 + 2i)) = x0^3 - x0 x1^2 + 4 x0 x1
    "re(conj(z^2) w)": (lambda x: np.real(np.conj(_z2(x)) * (x[0] + 2j)),
                        lambda x: np.array([[6 * x[0], 4 - 2 * x[1]],
                                            [4 - 2 * x[1], -2 * x[0]]])),
    # Im(conj(i x0^2)) = -x0^2
    "im(conj(i x0^2))": (lambda x: np.imag(np.conj(1j * x[0] ** 2)),
                         lambda x: np.diag([-2.0, 0.0])),
    "abs(z)^2": (lambda x: np.real(np.conj(_z2(x)) * _z2(x)),
                 lambda x: np.array([[12 * x[0] ** 2 + 4 * x[1] ** 2, 8 * x[0] * x[1]],
                                     [8 * x[0] * x[1], 4 * x[0] ** 2 + 12 * x[1] ** 2]])),
    "re(sign(x0 + i x1^2))": (lambda x: np.real(np.sign(x[0] + 1j * x[1] ** 2)), None),
    "angle(z^2 + 1)": (lambda x: np.angle(_z2(x) + 1.0), None),     # (was right: a guard)
    "abs(prod)": (lambda x: np.abs(np.prod(x * (1 + 0.3j) + 1j * x[::-1] ** 2)), None),
    "abs(det)": (lambda x: np.abs(np.linalg.det(np.outer(x, x[::-1] ** 2) * 1j +
                                                np.diag(x))), None),
    "abs(mean)": (lambda x: np.abs(np.mean(x * (1 + 2j) + 1j * x ** 2)), None),
    "abs(sum)": (lambda x: np.abs(np.sum(np.exp(1j * x * x[::-1]))), None),
    "abs(tensordot)": (lambda x: np.abs(np.tensordot(x + 1j * x ** 2, x ** 3 - 1j * x, 1)),
                       None),
    "abs(vector @ vector)": (lambda x: np.abs((x * (1 + 1j)) @ (x[::-1] ** 2 + 1j * x)),
                             None),
}


@pytest.mark.parametrize("chunk", [None, 1])
@pytest.mark.parametrize("name", list(NESTED))
def test_second_derivatives_through_non_holomorphic_functions_of_complex_values(name, chunk):
    f, closed = NESTED[name]
    x = np.array([0.3, -0.7])
    expected = closed(x) if closed is not None else central_hessian(f, x)
    tol = dict(rtol=1e-12, atol=1e-12) if closed is not None else dict(rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(dg.hessian(f, x, chunk=chunk), expected, **tol)
    np.testing.assert_allclose(
        dg.jacobian(lambda y: dg.gradient(f, y, chunk=chunk), x, chunk=chunk), expected, **tol)
    v = np.array([0.6, -0.8])          # nested derivative along v: v^T H v
    got = dg.derivative(lambda s: dg.derivative(lambda t: f(x + (s + t) * v), 0.0), 0.0)
    np.testing.assert_allclose(got, v @ expected @ v, **tol)


@pytest.mark.parametrize("chunk", [None, 1, 17])
def test_hessian_of_abs_squared_with_many_inputs(chunk):
    """20 inputs: the outer duals hold one array of partials (chunk None) or a few
    slots each (chunk 1, 17); every layout takes the tangent of abs."""
    x = np.linspace(-0.9, 0.8, 20)
    # f = (sum x)^2 + (sum x^2)^2
    H = dg.hessian(lambda x: np.abs(np.sum(x) + 1j * np.sum(x ** 2)) ** 2, x, chunk=chunk)
    expected = 2 + 8 * np.outer(x, x) + 4 * np.sum(x ** 2) * np.eye(20)
    np.testing.assert_allclose(H, expected, rtol=1e-13, atol=1e-13)


def test_nested_derivatives_of_abs_and_conj_of_complex_values():
    D = dg.derivative
    y = 0.3
    # Im(conj(i y^2)) = -y^2 and |i y^2| = y^2
    assert D(lambda t: D(lambda s: np.imag(np.conj(1j * s * s)), t), y) == pytest.approx(-2.0)
    assert D(lambda t: D(lambda s: np.abs(1j * s * s), t), y) == pytest.approx(2.0)
    # |y + i y^2| = y sqrt(1 + y^2): third derivative 3 / (1 + y^2)^(5/2)
    third = D(lambda u: D(lambda t: D(lambda s: np.abs(s + 1j * s * s), t), u), y)
    np.testing.assert_allclose(third, 3 / (1 + y * y) ** 2.5, rtol=1e-13)
    assert np.isrealobj(third)


def test_holomorphic_inputs():
    z = np.array([0.3 + 0.8j, -1 + 0.5j])
    np.testing.assert_allclose(dg.derivative(lambda x: x ** 3, z[0], holomorphic=True),
                               3 * z[0] ** 2, rtol=1e-14)
    np.testing.assert_allclose(dg.gradient(lambda x: np.sum(np.exp(x)), z, holomorphic=True),
                               np.exp(z), rtol=1e-14)
    J = dg.jacobian(lambda x: np.sin(x) * x[0], z, holomorphic=True)
    expected = np.diag(np.cos(z) * z[0])
    expected[:, 0] += np.sin(z)
    np.testing.assert_allclose(J, expected, rtol=1e-14)
    np.testing.assert_allclose(dg.hessian(lambda x: np.sum(x ** 3), z, holomorphic=True),
                               np.diag(6 * z), rtol=1e-14)
    value, tangent = dg.jvp(lambda x: x ** 2, z, np.array([1.0, 1j]), holomorphic=True)
    np.testing.assert_allclose(tangent, 2 * z * [1.0, 1j], rtol=1e-14)


@pytest.mark.parametrize("helper", [dg.derivative, dg.gradient, dg.jacobian, dg.hessian])
def test_complex_input_without_holomorphic_names_the_fix(helper):
    with pytest.raises(TypeError, match=r"holomorphic=True.*real and imaginary parts"):
        helper(lambda x: x * x, 0.5 + 1j)


def test_constant_complex_output_gives_complex_zeros():
    J = dg.jacobian(lambda x: np.ones(2) * 1j, 1.0)
    assert J.dtype == np.complex128 and not J.any()


def _complex_rules():
    import scipy.special  # noqa: F401  (the scipy.special rows)
    from dualgrad.rules import _table as _rules
    _rules._load_scipy()
    out = []
    for rule in _rules.RULES.values():
        if rule.kind not in ("smooth", "zero") or rule.ufunc.nin > 2 or \
                not any("D" in t.split("->")[0] for t in rule.ufunc.types):
            continue
        for k in range(rule.ufunc.nin):
            if rule.derivs[k] is not None:
                out.append(pytest.param(rule, k, id=f"{rule.name}-{k}"))
    return out


POINTS = [0.7 + 0.4j, -1.3 + 0.6j, -0.8 - 1.1j, 1.6 - 0.9j, 0.3 + 2.0j, -2.2 - 0.3j]


@pytest.mark.parametrize("rule, k", _complex_rules())
def test_every_rule_that_takes_complex_values_is_exact_there(rule, k):
    """The table's expressions on complex values, in every quadrant, against central
    differences along a complex direction (a real parameter t moves z by t * v)."""
    others = [0.9 + 0.2j, 1.7 - 0.4j]
    v = 0.6 - 0.8j
    for z in POINTS:
        def f(t):
            args = list(others[:rule.ufunc.nin])
            args[k] = z + t * v
            return rule.ufunc(*args)
        try:
            f(0.0)
        except TypeError:               # NumPy / SciPy have no complex loop here
            continue
        h = 1e-6
        fd = (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h)
        if not np.isclose(f(h), f(-h), rtol=1e-3, atol=1e-3):
            continue                    # a rounding tie (rint) or a branch cut: no derivative
        try:
            got = dg.derivative(f, 0.0)
        except TypeError as exc:        # a derivative SciPy cannot evaluate on complex
            assert "dualgrad" in str(exc)
            continue
        np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-7, err_msg=f"{rule.name} z={z}")
        arr = dg.jacobian(lambda t: f(t[0]) * np.ones(2), np.array([0.0]))
        np.testing.assert_allclose(arr[:, 0], [got, got], rtol=1e-14)


def test_grad_and_value_and_grad_take_holomorphic():
    np.testing.assert_allclose(dg.grad(lambda z: z ** 3, holomorphic=True)(1 + 1j),
                               3 * (1 + 1j) ** 2, rtol=1e-15)
    z = np.array([1 + 1j, 0.5j])
    np.testing.assert_allclose(dg.grad(lambda z: np.sum(np.sin(z)), holomorphic=True)(z),
                               np.cos(z), rtol=1e-15)
    value, g = dg.value_and_grad(lambda z: z * z, holomorphic=True)(2j)
    assert value == -4 and g == 4j
    with pytest.raises(TypeError, match="holomorphic=True"):
        dg.grad(lambda z: z ** 3)(1 + 1j)


def test_large_arrays_with_complex_factors_take_the_numpy_path_exactly():
    x = np.linspace(0.0, 1.0, 3000)          # above the kernels' threshold
    g = dg.gradient(lambda x: np.sum(np.exp(1j * x) * x * x + np.sqrt(x + 1j)), x)
    expected = 1j * np.exp(1j * x) * x * x + 2 * x * np.exp(1j * x) + 0.5 / np.sqrt(x + 1j)
    np.testing.assert_allclose(g, expected, rtol=1e-13, atol=1e-15)


def test_dual_constructor_and_object_arrays_keep_complex_values():
    d = dg.Dual(np.array([1 + 1j, 2.0]), np.ones((2, 1)))
    assert d.dtype == np.complex128
    np.testing.assert_array_equal((d * d).partials[:, 0], [2 + 2j, 4.0])
    # its object array would be read as real numbers by NumPy (.real of an object array
    # is the array itself, .imag zeros): refused, the message naming the dual itself
    with pytest.raises(TypeError, match=r"complex dual array.*Fix: use d directly"):   # (its name)
        np.asarray(d)
    assert d[0].value == 1 + 1j
    s = dg.Dual(np.complex64(1 + 2j), [1.0])
    assert (s * s).value == -3 + 4j and (s * s).partials[0] == 2 + 4j
    J = dg.jacobian(lambda x: np.stack([x[0] * Z0, x[1] * x[0]]), np.array([1.0, 2.0]))
    np.testing.assert_array_equal(J, [[Z0, 0.0], [2.0, 1.0]])


Z1 = -1.5 + 0.25j
_LISTS = {                                  # NumPy's spellings that build an object array
    "np.array": lambda z, w: np.array([z, w]),
    "np.array, a constant": lambda z, w: np.array([z, 2.0]),
    "np.array, nested": lambda z, w: np.array([[z], [w]]),
    "np.array, dtype=object": lambda z, w: np.array([z, w], dtype=object),
    "np.asarray": lambda z, w: np.asarray(z),
    "an object buffer": lambda z, w: np.empty(2, dtype=object).__setitem__(slice(None),
                                                                             [z, w]),
}


@pytest.mark.parametrize("build", _LISTS.values(), ids=list(_LISTS))
def test_object_arrays_of_complex_scalar_duals_are_refused(build):
    """NumPy reads an object array as real numbers (.real the array itself, .imag
    zeros, np.isreal all True): for complex scalar duals it would be silently wrong,
    so building one raises, naming np.stack (outside attack 17's list case)."""
    def f(x):
        build(x * Z0, x * x * Z1)
        return x
    with pytest.raises(TypeError, match=r"complex scalar duals.*\.real.*Fix: build the "
                                        r"array with np\.stack\(\[z1, z2\]\)"):
        dg.derivative(f, 0.7)


def test_stacked_complex_scalar_duals_give_exact_real_imag_and_norm():
    """The spelling the refusal names: np.stack of complex scalar duals is a complex
    dual array, whose real and imaginary parts and norm are exact (analytic oracle:
    z = (x Z0, x^2 Z1), |z| = sqrt(x^2 |Z0|^2 + x^4 |Z1|^2))."""
    x = 0.7
    stack = lambda x: np.stack([x * Z0, x * x * Z1])            # noqa: E731
    np.testing.assert_allclose(dg.derivative(lambda x: stack(x).real, x),
                               [Z0.real, 2 * x * Z1.real], rtol=1e-15)
    np.testing.assert_allclose(dg.derivative(lambda x: stack(x).imag, x),
                               [Z0.imag, 2 * x * Z1.imag], rtol=1e-15)
    np.testing.assert_allclose(dg.derivative(lambda x: np.imag(stack(x)), x),
                               [Z0.imag, 2 * x * Z1.imag], rtol=1e-15)
    norm = np.sqrt(x * x * abs(Z0) ** 2 + x ** 4 * abs(Z1) ** 2)
    assert dg.derivative(lambda x: np.linalg.norm(stack(x)), x) == pytest.approx(
        (x * abs(Z0) ** 2 + 2 * x ** 3 * abs(Z1) ** 2) / norm, rel=1e-14)
    seen = []
    dg.derivative(lambda x: seen.append(np.isreal(stack(x))) or x, x)
    np.testing.assert_array_equal(seen[0], [False, False])
    # real scalar duals keep NumPy's object array (API.md), and a real part of a
    # complex one joins them
    def g(x):
        a = np.array([x * x, np.real(x * Z0)])
        assert a.dtype == object
        return a
    np.testing.assert_allclose(dg.derivative(g, x), [2 * x, Z0.real], rtol=1e-15)


# ---- in-place complex updates of a dual whose partials started real (x + 0j) ----------
_XC = np.array([0.3, -1.2, 0.7])


@pytest.mark.parametrize("update", [
    lambda y, x: y.__imul__(1j * x),
    lambda y, x: y.__iadd__(1j * x * x),
    lambda y, x: np.multiply(y, np.exp(1j * x), out=y),
    lambda y, x: y.__setitem__(slice(None), y * np.exp(1j * x)),
    lambda y, x: y.__setitem__(np.ones(3, bool), y * np.exp(1j * x)),
    lambda y, x: y.__setitem__([0, 1, 2], y * np.exp(1j * x)),
    lambda y, x: np.copyto(y, y * np.exp(1j * x)),
])
def test_in_place_complex_update_keeps_imaginary_partials(update):
    def f(x):
        y = x + 0j                               # complex value, real derivative so far
        update(y, x)
        return y
    J = dg.jacobian(f, _XC)
    h = 1e-6                                     # the oracle: central differences of f
    num = np.stack([(f(_XC + h * e) - f(_XC - h * e)) / (2 * h) for e in np.eye(3)], axis=1)
    np.testing.assert_allclose(J, num, rtol=1e-7, atol=1e-8)
    assert np.abs(J.imag).max() > 0.1            # the imaginary part is really there


def test_holomorphic_in_place_product():
    z = np.array([0.3 + 0.4j, -1.2 + 0.1j])

    def f(z):
        y = z.copy()
        y *= z                                   # z ** 2
        return y
    np.testing.assert_allclose(np.diag(dg.jacobian(f, z, holomorphic=True)), 2 * z, rtol=1e-14)


def _cauchy_riemann_gap(f, z, h=1e-6):
    """|df/dRe - df/(i dIm)| by central differences: 0 exactly where f has a complex
    derivative (the oracle that these functions have none)."""
    gap = 0.0
    for e in np.eye(np.size(z)).reshape((-1,) + np.shape(z)):       # each coordinate
        d_re = (f(z + h * e) - f(z - h * e)) / (2 * h)
        d_im = (f(z + 1j * h * e) - f(z - 1j * h * e)) / (2j * h)
        gap = max(gap, float(np.max(np.abs(np.asarray(d_re) - np.asarray(d_im)))))
    return gap


_C = np.array([0.5 - 1.0j, 2.0 + 0.25j])
_M = np.array([[2.0 + 1.0j, 0.5 - 0.2j], [0.3 + 0.1j, 1.5 + 0.5j]])

_NOT_HOLOMORPHIC = [
    ("conjugate", lambda z: np.sum(np.conj(z))),
    ("conjugate", lambda z: np.sum(np.conjugate(z))),
    ("conjugate", lambda z: np.sum(z.conj())),
    ("absolute", lambda z: np.sum(np.abs(z))),
    ("absolute", lambda z: np.sum(abs(z))),
    ("sign", lambda z: np.sum(np.sign(z))),
    ("real", lambda z: np.sum(np.real(z))),
    ("real", lambda z: np.sum(z.real)),
    ("imag", lambda z: np.sum(np.imag(z))),
    ("imag", lambda z: np.sum(z.imag)),
    ("angle", lambda z: np.sum(np.angle(z))),
    ("var", lambda z: np.var(z)),
    ("std", lambda z: np.std(z)),
    ("vdot", lambda z: np.vdot(z, _C)),
    ("vecdot", lambda z: np.vecdot(z, _C)),
    ("vecmat", lambda z: np.sum(np.vecmat(z, _M))),
    ("correlate", lambda z: np.sum(np.correlate(_C, z))),
    ("norm", lambda z: np.linalg.norm(z)),
    ("svdvals", lambda z: np.sum(np.linalg.svdvals(np.reshape(z, (1, 2))))),
    ("qr", lambda z: np.sum(np.linalg.qr(_M * z[0])[0])),
    ("pinv", lambda z: np.sum(np.linalg.pinv(np.reshape(z, (1, 2))))),
]


@pytest.mark.parametrize("name, f", _NOT_HOLOMORPHIC)
@pytest.mark.parametrize("shape", [(), (2,)])
def test_holomorphic_true_raises_on_functions_without_a_complex_derivative(name, f, shape):
    """Under holomorphic=True a function with no complex derivative raises a TypeError
    naming it and the fix (it returned the derivative along the real axis)."""
    z = np.array([0.3 + 0.8j, -1.1 + 0.4j])
    g = f
    if shape == ():
        z = z[0]
        g = lambda s: f(np.stack([s, s * 0.5 + 1.0]))     # noqa: E731
    assert _cauchy_riemann_gap(g, z) > 1e-3            # the oracle: f has no dF/dz
    with pytest.raises(TypeError, match=rf"{name}.*holomorphic.*Fix: drop holomorphic=True"):
        dg.jacobian(g, z, holomorphic=True)
    if shape == ():
        with pytest.raises(TypeError, match="holomorphic"):
            dg.derivative(g, z, holomorphic=True)
    with pytest.raises(TypeError, match="holomorphic"):
        dg.jvp(g, z, np.ones_like(z), holomorphic=True)
    assert not dg.dual.HOLOMORPHIC                       # the call's mark is gone


@pytest.mark.parametrize("f", [
    lambda z: np.vdot(_C, z),                      # the conjugated argument is constant
    lambda z: np.vecdot(_C, z),
    lambda z: np.vecmat(_C, np.stack([z, z * 2.0], axis=1)),
    lambda z: np.matvec(_M, z),
    lambda z: np.sum(np.correlate(z, _C)),
    lambda z: np.sum(np.conj(_C) * z) + np.abs(_C[0]) * np.real(_C[1]),
    lambda z: np.sum(np.maximum(np.abs(_C), 1.0) * np.exp(z)),
])
def test_holomorphic_true_keeps_holomorphic_uses(f):
    """Conjugation or abs of constants, or of the other argument, is holomorphic in z:
    the complex derivative matches central differences along both axes."""
    z = np.array([0.3 + 0.8j, -1.1 + 0.4j])
    got = dg.jacobian(f, z, holomorphic=True)
    h = 1e-6
    for k in range(2):
        e = np.eye(2)[k]
        assert got[..., k] == pytest.approx((f(z + h * e) - f(z - h * e)) / (2 * h), rel=1e-8)
        assert got[..., k] == pytest.approx((f(z + 1j * h * e) - f(z - 1j * h * e)) / (2j * h),
                                       rel=1e-8)


def test_real_inputs_through_non_holomorphic_functions_still_work():
    """Without holomorphic=True the real-pair convention applies, as before."""
    f = lambda x: np.abs(x + 1j) + np.real(np.conj(x * 1j) * 2j)     # noqa: E731
    x = 0.7
    assert dg.derivative(f, x) == pytest.approx(x / np.hypot(x, 1.0) + 2.0, rel=1e-14)
    assert not dg.dual.HOLOMORPHIC


# Points on the branch cuts (Im = +-0 on the real axis, Re = +-0 on the imaginary axis)
# and next to them, reached from a real t: z(t) keeps the signed zero, so NumPy's own
# function is smooth along t there and its central differences are the oracle.
_CUT_PATHS = {
    "real axis, Im +0": lambda t: t + 0j,
    "real axis, Im -0": lambda t: np.conj(t + 0j),
    "real axis, Im +1e-3": lambda t: t + 1e-3j,
    "real axis, Im -1e-3": lambda t: t - 1e-3j,
    "imaginary axis, Re +0": lambda t: 1j * t + 0.0,
    "imaginary axis, Re -0": lambda t: -(np.conj(1j * t) + 0.0),
    "imaginary axis, Re +1e-3": lambda t: 1j * t + 1e-3,
    "imaginary axis, Re -1e-3": lambda t: 1j * t - 1e-3,
}
_CUT_TS = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("rule, k", _complex_rules())
@pytest.mark.engine_independent
def test_every_complex_rule_takes_the_side_of_its_cut_that_numpy_takes(rule, k, engine):
    """A real t through a complex value on a branch cut: NumPy's function takes the side
    given by the signed zero of the other part, so the derivative must too (arcsin(t + 0j)
    at t = 1.5 gave -0.894j for +0.894j: 1 - z turned Im -0 into +0), on the scalar and
    array paths and for a holomorphic input with the same signed zero.  Oracle: central
    differences of NumPy's own function along t."""
    other = 1.7 - 0.4j
    for path, z_of in _CUT_PATHS.items():
        for t0 in _CUT_TS:
            def f(t):
                args = [other] * rule.ufunc.nin
                args[k] = z_of(t)
                return rule.ufunc(*args)
            with np.errstate(all="ignore"):
                try:
                    f(t0)
                except TypeError:           # NumPy / SciPy have no complex loop here
                    return
                h = 1e-6
                fd = (-f(t0 + 2 * h) + 8 * f(t0 + h) - 8 * f(t0 - h) + f(t0 - 2 * h)) / (12 * h)
            if not np.isfinite(fd) or not np.isclose(f(t0 + h), f(t0 - h), rtol=1e-3, atol=1e-3):
                continue                    # a pole, a tie (rint) or a jump: no derivative
            where = f"{rule.name}-{k} at t = {t0} on the {path}, {engine}"
            with dg.engine(engine):
                try:
                    got = dg.derivative(f, t0)
                except TypeError as exc:    # a derivative SciPy cannot evaluate on complex
                    assert "dualgrad" in str(exc)
                    continue
                arr = dg.jacobian(lambda t: f(t[0]) * np.ones(2), np.array([t0]))[:, 0]
                z0 = z_of(t0)
                direction = z_of(t0 + 1.0) - z_of(t0)          # 1 or 1j
                held = fd if rule.tangent else dg.derivative(      # holomorphic ones only
                    lambda z: rule.ufunc(*[z if j == k else other
                                           for j in range(rule.ufunc.nin)]),
                    z0, holomorphic=True) * direction
            np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-7, err_msg=where)
            np.testing.assert_allclose(arr, [got, got], rtol=1e-14, err_msg=where)
            np.testing.assert_allclose(held, fd, rtol=1e-6, atol=1e-7,
                                       err_msg=where + ", holomorphic input")


@pytest.mark.parametrize("f, expected", [(lambda z: z * 1.0, 1.0 + 0j),
                                         (lambda z: z * (1 + 1j), 1.0 + 1j),
                                         (lambda z: z * z, 4.0 + 2j)])
def test_holomorphic_scalar_derivative_is_complex128(f, expected):
    # a scalar dual's partial of z * 1.0 is the float 1.0; the helper's result is
    # complex128 whatever its imaginary part (outside attack 16: a Python float came back)
    d = dg.derivative(f, 2.0 + 1j, holomorphic=True)
    assert type(d) is np.complex128
    assert d == expected


@pytest.mark.parametrize("convert", [np.asarray, np.array, np.ascontiguousarray,
                                     np.asanyarray, lambda w: np.array([w, w])])
def test_object_arrays_of_complex_duals_raise_instead_of_reading_as_real(convert):
    """attack17: np.asarray(w).real of a complex dual array w was the complex numbers
    themselves and .imag zeros (NumPy's object-dtype semantics): complex gradients of a
    real function, or zero ones.  Now a TypeError; the spelling on w itself gives the
    closed forms d/dx Re(x e^{ix}) = cos x - x sin x and d/dx Im = sin x + x cos x."""
    x0 = np.array([0.3, 0.8, 1.4])
    with pytest.raises(TypeError, match=r"np\.asarray\(w\) of a complex dual array"):
        dg.gradient(lambda x: np.sum(convert(np.exp(1j * x) * x).real), x0)
    g_re = dg.gradient(lambda x: np.sum((np.exp(1j * x) * x).real), x0)
    g_im = dg.gradient(lambda x: np.sum(np.imag(np.exp(1j * x) * x)), x0)
    np.testing.assert_allclose(g_re, np.cos(x0) - x0 * np.sin(x0), rtol=1e-14)
    np.testing.assert_allclose(g_im, np.sin(x0) + x0 * np.cos(x0), rtol=1e-14)
    assert g_re.dtype == np.float64


def test_a_list_of_complex_dual_arrays_names_np_stack_of_the_list():
    """A new user's split-step solver collected complex dual arrays in a list and
    called np.asarray(list): the message spoke of one array w only.  It names the
    list and np.stack(the_list), and that spelling gives the closed form
    d/dx sum Re(x^2 e^{ix}) = sum 2x cos x - x^2 sin x."""
    x0 = np.array([0.3, 0.8, 1.4])

    def f(x, convert):
        out = [x ** 2 * np.exp(1j * x) for _ in range(2)]
        return np.sum(convert(out)[0].real)
    with pytest.raises(TypeError, match=r"(?s)list holding complex dual arrays.*"
                                        r"np\.stack\(the_list\)"):
        dg.gradient(lambda x: f(x, np.asarray), x0)
    np.testing.assert_allclose(dg.gradient(lambda x: f(x, np.stack), x0),
                               2 * x0 * np.cos(x0) - x0 ** 2 * np.sin(x0), rtol=1e-14)


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_operators_between_real_and_complex_scalar_duals_stay_complex(op):
    """The operators' fast branch for the twin class (a real dual with a complex one,
    either order) gives the complex kind, whose object array NumPy would misread and
    which therefore refuses np.array; values and partials by the quotient and product
    rules (analytic)."""
    d = dg.Dual(0.8, [1.0, -2.0])
    z = dg.Dual(0.3 - 1.1j, [0.5j, 2.0])
    rules = {"+": (lambda a, b: a + b, lambda a, b, da, db: da + db),
             "-": (lambda a, b: a - b, lambda a, b, da, db: da - db),
             "*": (lambda a, b: a * b, lambda a, b, da, db: da * b + a * db),
             "/": (lambda a, b: a / b, lambda a, b, da, db: (da * b - a * db) / b ** 2)}
    value, partial = rules[op]
    for a, b in ((d, z), (z, d)):
        r = value(a, b)
        assert r.value == pytest.approx(value(a.value, b.value), rel=1e-15)
        np.testing.assert_allclose(r.partials, partial(a.value, b.value, a.partials,
                                                       b.partials), rtol=1e-15)
        with pytest.raises(TypeError, match="complex scalar duals"):
            np.array([r, d])
    assert not isinstance(d * d, type(d * z))     # real with real: the real kind


def test_astype_complex_of_real_duals():
    """attack27: d.astype(complex) refused.  NumPy's cast: the value is the real part,
    the derivatives cast too; against the analytic Jacobians of (1 + 2j) x, of
    |c|**2 with c = x.astype(complex) written into, and of z**2 (holomorphic)."""
    x0 = np.array([0.7, -1.3])
    for dtype in (complex, np.complex128):
        J = dg.jacobian(lambda x: x.astype(dtype) * (1 + 2j), x0)
        np.testing.assert_allclose(J, (1 + 2j) * np.eye(2), rtol=1e-7)
    with pytest.raises(TypeError, match=r"narrowing cast.*z = x\.astype\(complex\)"):
        dg.jacobian(lambda x: x.astype(np.complex64), x0)     # (as float32: exact74)
    np.testing.assert_array_equal(dg.jacobian(lambda x: x[0].astype(complex) * 1j, x0),
                                  [1j, 0])

    def f(x):
        c = x.astype(complex)
        assert c.dtype == np.complex128 and c.value.dtype == np.complex128
        c[0] = 1j * x[1]
        return np.abs(c) ** 2                              # [x1**2, x1**2]
    np.testing.assert_allclose(dg.jacobian(f, x0), [[0, 2 * x0[1]], [0, 2 * x0[1]]])
    np.testing.assert_allclose(
        dg.hessian(lambda x: np.sum(np.abs(x.astype(complex) * (1 + 1j)) ** 2), x0),
        4 * np.eye(2))
    z0 = x0 + 1j
    np.testing.assert_allclose(dg.jacobian(lambda z: z.astype(complex) ** 2, z0,
                                           holomorphic=True), np.diag(2 * z0))
    with pytest.raises(TypeError, match=r"np\.asarray\(d, dtype=complex128\).*Fix: make the "
                                        r"dual complex first, z = x\.astype\(complex\)"):
        dg.jacobian(lambda x: np.asarray(x, dtype=complex), x0)
