"""np.fft on duals.  Every transform is linear, so its Jacobian is the transform
applied by NumPy to the unit vectors (the oracle); nonlinear uses (power spectra,
Parseval, a spectral derivative) are checked against closed forms."""

import numpy as np
import pytest

import dualgrad as dg

fft = np.fft
RNG = np.random.default_rng(16)


def linear_map(func, x, **kwargs):
    """The Jacobian of the linear ``func`` at ``x``: ``func`` of each unit vector."""
    cols = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = 1.0
        cols.append(np.asarray(func(e.reshape(x.shape), **kwargs)))
    return np.stack(cols, axis=-1).reshape(np.shape(func(x, **kwargs)) + x.shape)


CASES = [
    (fft.fft, (8,), {}), (fft.fft, (3, 6), dict(axis=0)), (fft.fft, (6,), dict(n=9)),
    (fft.fft, (6,), dict(n=4, norm="ortho")), (fft.ifft, (2, 5), dict(norm="forward")),
    (fft.rfft, (7,), {}), (fft.rfft, (4, 6), dict(axis=0, n=5)),
    (fft.irfft, (5,), {}), (fft.irfft, (3, 4), dict(n=7, axis=-1)),
    (fft.hfft, (5,), {}), (fft.ihfft, (6,), dict(norm="ortho")),
    (fft.fft2, (3, 4), {}), (fft.fft2, (2, 3, 4), dict(axes=(0, 2))),
    (fft.ifft2, (4, 3), dict(s=(5, 2))), (fft.rfft2, (4, 6), {}),
    (fft.irfft2, (4, 3), dict(s=(4, 4))),
    (fft.fftn, (2, 3, 4), {}), (fft.fftn, (2, 3, 4), dict(s=(3, 5), axes=(1, 2))),
    (fft.ifftn, (3, 4), dict(axes=(1,), norm="ortho")), (fft.rfftn, (2, 3, 4), {}),
    (fft.irfftn, (2, 3, 3), dict(axes=(0, 1))),
    (fft.fftshift, (5, 4), {}), (fft.fftshift, (5, 4), dict(axes=1)),
    (fft.ifftshift, (5, 4), dict(axes=(0,))),
]


@pytest.mark.parametrize("func, shape, kwargs", CASES,
                         ids=[f"{c[0].__name__}-{c[1]}-{sorted(c[2])}" for c in CASES])
def test_transform_jacobian_is_the_transform(func, shape, kwargs):
    x = RNG.standard_normal(shape)
    J = dg.jacobian(lambda x: func(x, **kwargs), x)
    np.testing.assert_allclose(J, linear_map(func, x, **kwargs), rtol=1e-13, atol=1e-14)
    J2 = dg.jacobian(lambda x: func(x, **kwargs), x, chunk=3)
    np.testing.assert_allclose(J2, J, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("func, shape, kwargs", CASES[:11],
                         ids=[f"{c[0].__name__}-{c[1]}" for c in CASES[:11]])
def test_transform_of_a_scalar_parameter_times_a_complex_signal(func, shape, kwargs):
    z = RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)
    if func in (fft.rfft, fft.ihfft):                   # NumPy refuses complex input
        with pytest.raises(TypeError):
            dg.derivative(lambda t: func(t * z, **kwargs), 0.7)
        return
    got = dg.derivative(lambda t: func(t * z, **kwargs), 0.7)
    np.testing.assert_allclose(got, func(z, **kwargs), rtol=1e-13, atol=1e-14)


def test_parseval_gradient_and_hessian():
    x = RNG.standard_normal(8)
    f = lambda x: np.sum(np.abs(np.fft.fft(x)) ** 2)       # = 8 * sum(x**2)
    np.testing.assert_allclose(dg.gradient(f, x), 16 * x, rtol=1e-13)
    np.testing.assert_allclose(dg.hessian(f, x), 16 * np.eye(8), rtol=1e-13, atol=1e-13)


def test_spectral_derivative_of_a_periodic_signal():
    n = 32
    t = 2 * np.pi * np.arange(n) / n
    k = np.fft.fftfreq(n, 1.0 / n)

    def spectral_dt(a):        # d/dt of exp(a sin t), by the FFT (spectrally exact)
        return np.real(np.fft.ifft(1j * k * np.fft.fft(np.exp(a * np.sin(t)))))

    a = 0.8                    # d/da [a cos t exp(a sin t)], closed form
    expected = np.cos(t) * np.exp(a * np.sin(t)) * (1 + a * np.sin(t))
    np.testing.assert_allclose(dg.derivative(spectral_dt, a), expected, atol=1e-11)


def test_power_spectrum_sensitivity_to_a_frequency_parameter():
    n = 64
    t = np.arange(n) / n

    def power(w):
        return np.abs(np.fft.rfft(np.exp(-t) * np.sin(w * t))) ** 2

    w, h = 7.0, 1e-4
    got = dg.derivative(power, w)
    fd = (-power(w + 2 * h) + 8 * power(w + h) - 8 * power(w - h) + power(w - 2 * h)) / (12 * h)
    np.testing.assert_allclose(got, fd, rtol=1e-7, atol=1e-9)


def test_transforms_of_nested_duals_and_plain_arrays():
    x = RNG.standard_normal(6)
    # second derivative of a quadratic form through the transform: closed form
    c = RNG.standard_normal(4)
    f = lambda x: np.sum(c * np.abs(np.fft.rfft(x)) ** 2)
    F = np.fft.rfft(np.eye(6), axis=0)                  # (4, 6) transform matrix
    H = 2 * np.real(F.conj().T @ np.diag(c) @ F)
    np.testing.assert_allclose(dg.hessian(f, x), H, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.fft.fft(x), np.fft.fft(x.copy()))


@pytest.mark.parametrize("func, shape", [(fft.irfft, (4,)), (fft.hfft, (4,)),
                                         (fft.irfft2, (2, 3)), (fft.irfftn, (2, 3))])
def test_real_output_transforms_raise_under_holomorphic(func, shape):
    """``irfft`` and ``hfft`` (and the 2/n forms) read their input as the Hermitian
    half of a spectrum: real-linear, not complex-linear, so they have no complex
    derivative (along Re z and Im z the differences disagree) and holomorphic=True
    raises as it does for abs, instead of returning the derivative along Re z."""
    z = RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)
    f = lambda z: func(z) + 0j                                            # noqa: E731
    e = np.zeros(shape)
    e.flat[1] = 1e-6
    along_re = (f(z + e) - f(z - e)) / 2e-6
    along_im = (f(z + 1j * e) - f(z - 1j * e)) / 2e-6j
    assert np.max(np.abs(along_re - along_im)) > 1e-2      # the oracle: no dF/dz
    with pytest.raises(TypeError, match=rf"np.fft.{func.__name__}: .*holomorphic.*Fix"):
        dg.jacobian(f, z, holomorphic=True)
    # the fix the message names: the real and imaginary parts as a real input
    got = dg.jacobian(lambda x: func(x[0] + 1j * x[1]), np.stack([z.real, z.imag]))
    at = np.unravel_index(1, shape)
    np.testing.assert_allclose(got[(...,) + (0,) + at], along_re.real, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got[(...,) + (1,) + at], (along_im * 1j).real,
                               rtol=1e-6, atol=1e-8)
