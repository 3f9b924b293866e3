"""user25 (optics, stop 39): ``np.abs``, ``abs``, ``np.sign`` of a single complex
scalar dual that is exactly 0 raised an internal ``TypeError`` ('float' object is not
iterable): the table's tangent ``where(out == 0.0, 0.0, ...)`` gave one Python 0.0 for
a scalar, not one per direction.  A scalar now gets what the array element gets."""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.rules import _table
from dualgrad.testing import numerical_jacobian

X = np.array([0.4, 1.3])

# complex zeros reached from the input: a nonzero tangent, a zero tangent, signed zeros,
# a real zero made complex
ZEROS = {
    "z = (p0 - 0.4)(1 + i)": lambda p: (p[0] - 0.4) * (1 + 1j),
    "z = 0j * p0": lambda p: 0j * p[0],
    "z = (-0 - 0i) p0": lambda p: complex(-0.0, -0.0) * p[0],
    "z = (p0 - 0.4) * p1 + 0j": lambda p: (p[0] - 0.4) * p[1] + 0j,
    "z = -(p0 - 0.4) i": lambda p: -(p[0] - 0.4) * 1j,
}
OPS = {
    "np.abs": np.abs,
    "abs": abs,
    "abs ** 2": lambda z: abs(z) ** 2,
    "np.abs * p1": None,                       # filled below: a second direction
    "np.sign.real": lambda z: np.sign(z).real,
    "np.sign.imag": lambda z: np.sign(z).imag,
    "np.angle": np.angle,
    "np.conj.imag": lambda z: np.conjugate(z).imag,
}


def _pair(zero, op):
    if op is None:
        scalar = lambda p: np.abs(zero(p)) * p[1]                       # noqa: E731
        array = lambda p: (np.abs(zero(p) * np.ones(3)) * p[1])[1]      # noqa: E731
    else:
        scalar = lambda p: op(zero(p))                                  # noqa: E731
        array = lambda p: op(zero(p) * np.ones(3))[1]                   # noqa: E731
    return scalar, array


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("zero", list(ZEROS))
def test_scalar_at_zero_is_the_array_element(zero, op):
    scalar, array = _pair(ZEROS[zero], OPS[op])
    np.testing.assert_array_equal(scalar(X), array(X))           # the plain float run
    for fn in (dg.gradient, dg.hessian):
        a, b = fn(scalar, X), fn(array, X)
        np.testing.assert_array_equal(a, b)
    # the documented convention (docs/supported.md: abs "0 at x = 0"; sign 0 there)
    if op in ("np.abs", "abs", "abs ** 2", "np.abs * p1", "np.sign.real", "np.sign.imag"):
        np.testing.assert_array_equal(dg.gradient(scalar, X), 0.0)
    # (abs(z) ** 2's Hessian at a zero crossed with a nonzero tangent is 0 here, as
    # for real abs(x) ** 2, not |dz|^2 * 2: abs's kink convention, bench/MISSES.md)


def test_a_pixel_loop_over_a_field_zero_outside_the_aperture():
    """user25's bug_abs_zero.py: total power summed pixel by pixel."""
    g = np.linspace(-1, 1, 9)
    Xg, Yg = np.meshgrid(g, g)
    ap = (Xg ** 2 + Yg ** 2) <= 1
    E0 = np.exp(1j * (Xg + 2 * Yg)) * ap

    def power_loop(q):
        E = q[0] * E0 * np.exp(1j * q[1])
        total = 0.0
        for v in E.ravel():
            total = total + np.abs(v) ** 2
        return total
    q = np.array([1.3, 0.4])
    # |E|^2 = q0^2 per aperture pixel: d/dq0 = 2 q0 count, d/dq1 = 0 (analytic)
    np.testing.assert_allclose(dg.gradient(power_loop, q), [2 * 1.3 * ap.sum(), 0.0],
                               rtol=1e-13, atol=1e-12)


def test_more_directions_than_slots():
    """Scalar duals beyond 16 partials hold one array: the same convention."""
    x = np.linspace(0.1, 2.0, 20)
    x[3] = 0.4

    def f(p):
        z = (p[3] - 0.4) * (1 + 1j) + 0.0 * p[7]
        return np.abs(z) + np.sign(z).real + np.abs(z) ** 2

    np.testing.assert_array_equal(dg.gradient(f, x), np.zeros(20))


def _tangent_rules():
    # (the parts of a complex value too: np.real / np.imag, rows of a tangent alone)
    return sorted((r for r in (*_table.RULES.values(), *_table.PARTS.values()) if r.tangent),
                  key=lambda r: r.name)


@pytest.mark.parametrize("rule", _tangent_rules(), ids=lambda r: r.name)
@pytest.mark.parametrize("zero", [0j, complex(-0.0, 0.0), complex(0.0, -0.0),
                                  complex(-0.0, -0.0)], ids=str)
def test_every_rule_with_a_complex_tangent_at_zero_scalar_equals_array(rule, zero):
    """The table's rules with a real-pair tangent (abs, conj, sign: some with a
    ``where(out == 0, ...)`` branch), each at a complex 0 reached with a nonzero
    tangent: the scalar dual's partials are the array element's, real and imaginary
    parts (Jacobian and Hessian)."""
    def scalar(p):
        z = zero + (p[0] - 0.4) * (0.6 - 0.8j) + (p[1] - 1.3) * 1j
        w = rule.ufunc(z)
        return np.stack([np.real(w), np.imag(w)])

    def array(p):
        z = zero + (p[0] - 0.4) * (0.6 - 0.8j) * np.ones(2) + (p[1] - 1.3) * 1j
        w = rule.ufunc(z)[0]
        return np.stack([np.real(w), np.imag(w)])

    np.testing.assert_array_equal(scalar(X), array(X))
    np.testing.assert_array_equal(dg.jacobian(scalar, X), dg.jacobian(array, X))
    z0 = lambda p: zero + (p[0] - 0.4) * (0.6 - 0.8j) + (p[1] - 1.3) * 1j   # noqa: E731
    for part in (np.real, np.imag) if np.iscomplexobj(rule.ufunc(1j)) else (np.real,):
        np.testing.assert_array_equal(
            dg.hessian(lambda p: part(rule.ufunc(z0(p))), X),
            dg.hessian(lambda p: part(rule.ufunc(z0(p) * np.ones(2)))[0], X))
    # away from 0, the scalar path against central differences of the plain function
    y = X + np.array([0.3, -0.2])
    np.testing.assert_allclose(dg.jacobian(scalar, y), numerical_jacobian(scalar, y),
                               rtol=1e-7, atol=1e-8)
