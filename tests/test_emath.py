"""``np.emath`` (``np.lib.scimath``) on duals (user25, optics: ``kz =
np.emath.sqrt(k**2 - kx**2)``): a real dual leaving the real domain becomes a complex
dual exactly where NumPy's emath makes its input complex (the whole array at once),
and the table's complex rules apply.  Oracles: NumPy's emath on floats for the values,
six-point central differences of the real and imaginary parts for the derivatives."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import numerical_jacobian

FUNCTIONS = {
    "sqrt": np.emath.sqrt, "log": np.emath.log, "log2": np.emath.log2,
    "log10": np.emath.log10, "arccos": np.emath.arccos, "arcsin": np.emath.arcsin,
    "arctanh": np.emath.arctanh,
    "logn(3, x)": lambda x: np.emath.logn(3.0, x),
    "logn(x, 7)": lambda x: np.emath.logn(x, 7.0),
    "power(x, 3)": lambda x: np.emath.power(x, 3),
    "power(x, -2)": lambda x: np.emath.power(x, -2),
    "power(x, 0.5)": lambda x: np.emath.power(x, 0.5),
}
POINTS = {                               # real, mixed (complex as a whole), all outside
    "inside": np.array([0.3, 0.55, 0.8]),
    "mixed": np.array([-2.5, 0.3, 1.7]),
    "outside": np.array([-0.4, -3.0, 1.5]),
}


def _cd6(f, x, h=1e-4):
    """Six-point central differences of an elementwise complex-valued f, column by
    column (the whole array moves together, so emath's conversion stays as at x)."""
    J = np.zeros((x.size, x.size), dtype=complex)
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        v = {k: np.asarray(f(x + k * e), dtype=complex) for k in (-3, -2, -1, 1, 2, 3)}
        J[:, j] = (v[3] - 9 * v[2] + 45 * v[1] - 45 * v[-1] + 9 * v[-2] - v[-3]) / (60 * h)
    return J


@pytest.mark.parametrize("where", list(POINTS))
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_values_and_jacobian_against_numpy_and_differences(name, where):
    f, x = FUNCTIONS[name], POINTS[where]
    out = f(dg.Dual(x, np.eye(x.size)))
    expected = f(x)
    assert out.value.dtype == expected.dtype       # complex exactly where NumPy's is
    np.testing.assert_array_equal(out.value, expected)
    J = dg.jacobian(f, x)
    assert np.iscomplexobj(J) == np.iscomplexobj(expected)
    np.testing.assert_allclose(J, _cd6(f, x), rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("name", ["sqrt", "log", "arccos", "arctanh", "power(x, -2)"])
def test_a_scalar_outside_the_domain_and_its_second_derivative(name):
    f = FUNCTIONS[name]
    x0 = -1.7 if name != "arccos" and name != "arctanh" else 2.3
    for part in (np.real, np.imag):
        g = lambda p: part(f(p[0] * p[1]))                     # noqa: E731
        p0 = np.array([x0, 1.0])
        np.testing.assert_allclose(
            dg.gradient(g, p0),
            numerical_jacobian(lambda p: np.atleast_1d(g(p)), p0).ravel(), rtol=1e-7,
            atol=1e-9)
        np.testing.assert_allclose(
            dg.hessian(g, p0), numerical_jacobian(lambda p: dg.gradient(g, p), p0),
            rtol=1e-6, atol=1e-7)


def test_analytic_sqrt_and_log_below_zero():
    x = np.array([-4.0, -0.25])
    # sqrt(x + 0j) = i sqrt(-x): d/dx = -i / (2 sqrt(-x)); log: 1 / x
    np.testing.assert_allclose(np.diag(dg.jacobian(np.emath.sqrt, x)),
                               -0.5j / np.sqrt(-x), rtol=1e-15)
    np.testing.assert_allclose(np.diag(dg.jacobian(np.emath.log, x)), 1.0 / x, rtol=1e-15)


def test_the_conversion_is_numpys_whole_array_and_minus_zero_stays_real():
    x = np.array([-0.0, 4.0])                     # -0.0 < 0 is False: stays real
    J = dg.jacobian(np.emath.sqrt, x)
    assert not np.iscomplexobj(J)
    np.testing.assert_array_equal(J, dg.jacobian(np.sqrt, x))     # np.sqrt's, -inf at -0.0
    assert np.diag(J)[1] == 0.25
    Jc = dg.jacobian(lambda p: np.emath.sqrt(p - 0.5), np.array([0.25, 4.5]))
    assert np.iscomplexobj(Jc)               # one element below 0: all complex, as NumPy
    np.testing.assert_allclose(np.diag(Jc), [-1j, 0.25], rtol=1e-15)


def test_kz_past_total_internal_reflection():
    """An optics use: the reflectance |r_s|^2 of an interface at an angle past the
    critical one is 1 (no derivative in n2), below it Fresnel's."""
    def rs(p, theta):
        n1, n2 = 1.5, p[0]
        kx = n1 * np.sin(theta)
        kz1, kz2 = np.emath.sqrt(n1 ** 2 - kx ** 2), np.emath.sqrt(n2 ** 2 - kx ** 2)
        return np.abs((kz1 - kz2) / (kz1 + kz2)) ** 2
    p = np.array([1.0])
    np.testing.assert_allclose(dg.gradient(lambda q: rs(q, 1.2), p), 0.0, atol=1e-13)
    below = lambda q: rs(q, 0.3)                                  # noqa: E731
    np.testing.assert_allclose(dg.gradient(below, p),
                               numerical_jacobian(lambda q: np.atleast_1d(below(q)), p)[0],
                               rtol=1e-7)


def test_plain_arguments_beside_a_dual():
    """logn's base and power's exponent, plain or dual, as NumPy's emath takes them."""
    x = np.array([-2.0, 3.0])
    f = lambda p: np.emath.logn(p[1], np.array([-5.0, 2.0]) * p[0])   # noqa: E731
    np.testing.assert_allclose(dg.jacobian(f, np.array([1.0, 3.0])),
                               _cd6_pair(f, np.array([1.0, 3.0])), rtol=1e-8, atol=1e-9)
    g = lambda p: np.emath.power(np.array([-2.0, 3.0]) * p[0], p[1])   # noqa: E731
    np.testing.assert_allclose(dg.jacobian(g, np.array([1.0, 2.5])),
                               _cd6_pair(g, np.array([1.0, 2.5])), rtol=1e-8, atol=1e-9)
    np.testing.assert_array_equal(np.emath.power(dg.Dual(x, np.eye(2)), -1).value,
                                  np.emath.power(x, -1))


def _cd6_pair(f, x, h=1e-4):
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        v = {k: np.asarray(f(x + k * e), dtype=complex) for k in (-3, -2, -1, 1, 2, 3)}
        cols.append((v[3] - 9 * v[2] + 45 * v[1] - 45 * v[-1] + 9 * v[-2] - v[-3]) / (60 * h))
    return np.stack(cols, axis=-1)
