"""scipy.special.ive of a complex argument: ive(v, z) = iv(v, z) exp(-|Re z|) has no
complex derivative (|Re z| fails Cauchy-Riemann), and its row's ``- sign(z) ive`` gave a
wrong derivative in every direction (attack53 10).  It is refused, naming the spelling
whose pieces are differentiated.  Oracle: (iv'(v, z) dz - sign(Re z) Re(dz) iv(v, z))
exp(-|Re z|), with SciPy's ivp."""

import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg
import dualgrad.scipy.special as ds  # noqa: F401  (loads the table's scipy rows)


def closed_form(v, z, dz):
    return (sc.ivp(v, z) * dz - np.sign(z.real) * np.real(dz) * sc.iv(v, z)) * np.exp(-abs(z.real))


@pytest.mark.parametrize("dz", [1.0, 1j, 0.6 - 0.8j])
@pytest.mark.parametrize("z0", [0.7 + 0.4j, -1.3 + 2.0j, 0.5 + 0.0j])
def test_complex_argument_is_refused(z0, dz):
    with pytest.raises(TypeError, match=r"np\.exp\(-np\.abs\(z\.real\)\)"):
        dg.derivative(lambda t: sc.ive(0.5, z0 + dz * t), 0.0)
    with pytest.raises(TypeError, match="ive"):
        dg.jacobian(lambda t: sc.ive(1.5, (z0 + dz * t) * np.ones(3)), np.zeros(1))


@pytest.mark.parametrize("dz", [1.0, 1j, 0.6 - 0.8j])
@pytest.mark.parametrize("z0", [0.7 + 0.4j, -1.3 + 2.0j])
def test_the_named_spelling_is_exact(z0, dz):
    def g(t):
        z = z0 + dz * t
        return sc.iv(0.5, z) * np.exp(-np.abs(z.real))
    got = dg.derivative(g, 0.0)
    np.testing.assert_allclose(got, closed_form(0.5, z0, dz), rtol=1e-12)


def real_closed_form(v, x):
    return (sc.ivp(v, x) - np.sign(x) * sc.iv(v, x)) * np.exp(-abs(x))


@pytest.mark.parametrize("x0", [0.7, 3.0, 25.0])
def test_real_argument_unchanged(x0):
    # (SciPy's real ive of a half order is NaN below 0: positive arguments)
    got = dg.derivative(lambda t: sc.ive(0.5, x0 + t), 0.0)
    np.testing.assert_allclose(got, real_closed_form(0.5, x0), rtol=1e-10)
    xs = np.array([0.3, 2.0, 7.0])
    J = dg.jacobian(lambda x: sc.ive(1.5, x), xs)
    want = [real_closed_form(1.5, x) for x in xs]
    np.testing.assert_allclose(np.diag(J), want, rtol=1e-10)
