"""attack28 items 5-7 on the dense path: NumPy's raw errors on correct code, each now
NumPy's value and an exact derivative (against 8th-order central differences or the
analytic derivative), or dualgrad's named refusal where derivatives would be dropped.
"""

import numpy as np
import pytest

import dualgrad as dg

X0 = np.array([0.3, -1.2, 0.7])


def central(f, x, h=1e-3):
    c = {-4: 1 / 280, -3: -4 / 105, -2: 1 / 5, -1: -4 / 5, 1: 4 / 5, 2: -1 / 5, 3: 4 / 105,
         4: -1 / 280}
    return np.stack([sum(w * f(x + k * h * e) for k, w in c.items()) / h
                     for e in np.eye(x.size)], axis=-1)


def test_nan_to_num_of_a_complex_dual():
    f = lambda x: np.real(np.nan_to_num(x * (1 + 1j))) + 2 * np.imag(np.nan_to_num(x * x * 1j))
    np.testing.assert_allclose(dg.jacobian(f, X0), central(f, X0), rtol=1e-9, atol=1e-12)
    # non-finite parts replaced part by part, as NumPy: the replaced part is constant,
    # the other part keeps its derivative
    d = np.array([1.0, 0.0, 1.0])

    def g(x):
        z = np.nan_to_num(x * (2 + 1j) / d, posinf=7.0, neginf=-7.0)
        return np.concatenate([np.real(z), np.imag(z)])
    with np.errstate(divide="ignore", invalid="ignore"):
        J = dg.jacobian(g, X0)
        plain = g(X0)
    np.testing.assert_array_equal(plain, [0.6, -7.0, 1.4, 0.3, -7.0, 0.7])
    expected = np.zeros((6, 3))
    expected[[0, 2], [0, 2]] = 2.0
    expected[[3, 5], [0, 2]] = 1.0
    np.testing.assert_array_equal(J, expected)


def test_nan_to_num_holomorphic():
    z0 = X0 + 0.4j
    J = dg.jacobian(lambda z: np.nan_to_num(z) ** 2, z0, holomorphic=True)
    np.testing.assert_allclose(J, np.diag(2 * z0), rtol=1e-15)


@pytest.mark.parametrize("point", [0.5 + 0.5j, np.array([1j, -0.3 + 2j])])
def test_polyval_at_a_complex_point(point):
    f = lambda p: np.concatenate([np.ravel(np.real(np.polyval(p, point))),
                                  np.ravel(np.imag(np.polyval(p, point)))])
    assert np.array_equal(dg.jacobian(lambda p: f(p) * 1.0, X0).shape, (f(X0).size, 3))
    np.testing.assert_allclose(dg.jacobian(f, X0), central(f, X0), rtol=1e-9, atol=1e-12)
    # and the value is NumPy's
    np.testing.assert_array_equal(np.ravel(np.polyval(dg.Dual(X0, np.eye(3)), point).value),
                                  np.ravel(np.polyval(X0, point)))


@pytest.mark.parametrize("func", ["solve", "lstsq"])
def test_linalg_reads_a_list_holding_duals_beside_a_dual(func):
    def f(p):
        A = [[p[0] + 3, 0.5], [0.25, 1.0]]
        if func == "solve":
            return np.linalg.solve(A, p[1:])
        return np.linalg.lstsq(A, p[1:], rcond=None)[0]
    np.testing.assert_allclose(dg.jacobian(f, X0), central(f, X0), rtol=1e-9, atol=1e-12)


def test_concatenate_and_stack_fill_a_dual_out():
    def f(x):
        o = x * 0.0
        assert np.concatenate([x[:1] ** 2, x[1:]], out=o) is o
        s = np.zeros((2, 3)) * x
        assert np.stack([x, x ** 3], out=s) is s
        return np.concatenate([o, s.ravel()])
    np.testing.assert_allclose(dg.jacobian(f, X0), central(f, X0), rtol=1e-9, atol=1e-12)
    with pytest.raises(dg.DualTypeError, match="plain NumPy array"):
        dg.jacobian(lambda x: np.concatenate([x, x], out=np.zeros(6)), X0)
    with pytest.raises(ValueError, match="wrong shape"):
        dg.jacobian(lambda x: np.concatenate([x, x], out=np.zeros((2, 3)) * x), X0)


def test_stack_with_dtype():
    f = lambda x: np.stack([x, x ** 2], dtype=np.float64).ravel()
    np.testing.assert_allclose(dg.jacobian(f, X0), central(f, X0), rtol=1e-9, atol=1e-12)


def test_holomorphic_branch_on_the_real_part_names_the_values():
    """np.real / np.abs under holomorphic=True stay refused (a result without a complex
    derivative could reach arithmetic); the error names the values for a branch, and
    that spelling gives z**2's derivative where Re z > 0 (analytic: 2 z, else 1)."""
    z0 = X0 + 0.4j
    with pytest.raises(dg.DualTypeError, match=r"z\.value\.real > 0"):
        dg.jacobian(lambda z: np.where(z.real > 0, z ** 2, z), z0, holomorphic=True)
    J = dg.jacobian(lambda z: np.where(z.value.real > 0, z ** 2, z), z0, holomorphic=True)
    np.testing.assert_array_equal(J, np.diag(np.where(X0 > 0, 2 * z0, 1)))
    k = int(np.argmax(np.abs(z0)))
    J = dg.jacobian(lambda z: z * z[np.argmax(np.abs(z.value))], z0, holomorphic=True)
    expected = np.diag(np.full(3, z0[k]))
    expected[:, k] += z0
    np.testing.assert_allclose(J, expected, rtol=1e-15)
