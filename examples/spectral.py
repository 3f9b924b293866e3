"""Derivatives through np.fft: a spectral derivative and a power spectrum's sensitivity.

1. The spectral derivative of the periodic signal u(t) = exp(a sin t), and how it
   changes with the parameter a: d/da of (d/dt u), exact against the closed form
   cos t exp(a sin t) (1 + a sin t).
2. The power spectrum |rfft(y)|^2 of a damped oscillation y = exp(-t/tau) sin(w t),
   and its sensitivity to (w, tau) — one jacobian call, both parameters at once,
   compared with central differences.

Every transform in np.fft is linear; dualgrad applies it to the partials in one
call, so these derivatives are exact (to rounding).
"""

import numpy as np

import dualgrad as dg


def spectral_derivative():
    n = 64
    t = 2 * np.pi * np.arange(n) / n
    k = np.fft.fftfreq(n, 1.0 / n)              # integer wave numbers

    def du_dt(a):                               # d/dt exp(a sin t), by the FFT
        u = np.exp(a * np.sin(t))
        return np.real(np.fft.ifft(1j * k * np.fft.fft(u)))

    a = 0.8
    got = dg.derivative(du_dt, a)
    exact = np.cos(t) * np.exp(a * np.sin(t)) * (1 + a * np.sin(t))
    print(f"spectral derivative: max |d/da du/dt - exact| = {np.max(np.abs(got - exact)):.1e}")


def power_spectrum_sensitivity():
    n = 256
    t = np.linspace(0.0, 10.0, n, endpoint=False)

    def power(p):
        w, tau = p[0], p[1]
        y = np.exp(-t / tau) * np.sin(w * t)
        return np.abs(np.fft.rfft(y)) ** 2 / n

    p = np.array([6.0, 2.5])
    J = dg.jacobian(power, p)                   # shape (n // 2 + 1, 2)
    h = 1e-5
    fd = np.stack([(power(p + h * e) - power(p - h * e)) / (2 * h) for e in np.eye(2)], -1)
    peak = int(np.argmax(power(p)))
    print(f"power spectrum: peak at bin {peak}, dP/dw = {J[peak, 0]:.6f}, "
          f"dP/dtau = {J[peak, 1]:.6f}")
    print(f"power spectrum: max |jacobian - central differences| = "
          f"{np.max(np.abs(J - fd)):.1e}")


if __name__ == "__main__":
    spectral_derivative()
    power_spectrum_sensitivity()
