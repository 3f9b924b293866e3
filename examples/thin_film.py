"""Thin-film optics: reflectance gradients by the transfer-matrix method.

The stack is written as an optics engineer writes it in NumPy: for every layer its
characteristic matrix at all wavelengths at once, a stacked ``(W, 2, 2)`` complex array
built with ``np.stack`` (tmm's ``coh_tmm`` builds the same matrices one wavelength at a
time), the product over layers by ``@``, and the reflectance ``|r|^2`` from the product.
dualgrad differentiates it as it is, in the layers' thicknesses and indices.

1. One layer on a substrate against Airy's closed form: ``r = (r01 + r12 e^(2i delta)) /
   (1 + r01 r12 e^(2i delta))`` and its derivative in the thickness written by hand.
2. A 6-layer antireflection coating, oblique incidence, s and p polarization, an
   absorbing layer: the gradient of the band-averaged reflectance in the 6 thicknesses
   and 6 indices against Richardson-extrapolated central differences.
3. The coating's thicknesses optimized with ``scipy.optimize.minimize(jac=dg.grad(f))``
   and with finite differences: the band's reflectance before and after, and the calls.

Complex values inside, real loss outside: ``np.abs(r) ** 2`` (or ``(r * np.conj(r)).real``)
has its real derivative; the complex-step trick does not apply to such code (the code is
already complex), so the checks use closed forms and Richardson differences.
"""

import numpy as np
from scipy.optimize import minimize

import dualgrad as dg

WL = np.linspace(450.0, 750.0, 61)              # wavelengths, nm
N_IN, N_SUB = 1.0, 1.52                         # air, glass


def cos_theta(n, n0_sin):
    """cos of the (complex) angle in a layer of index ``n`` by Snell's law, on the
    branch that decays into the layer (``Im(n cos) <= 0`` in this convention)."""
    c = np.sqrt(1.0 - (n0_sin / n) ** 2 + 0j)
    return np.where((n * c).imag > 0, -c, c)


def reflectance(d, n, theta0=0.0, pol="s", wl=WL):
    """|r|^2 of the stack ``d`` (nm), ``n`` (complex indices ``n - ik``: Macleod's
    characteristic matrices, time factor ``exp(i w t)``; tmm writes ``n + ik``) at every
    wavelength."""
    n_all = [N_IN, *[n[i] for i in range(len(d))], N_SUB]
    n0_sin = N_IN * np.sin(theta0)
    cos_all = [cos_theta(ni, n0_sin) for ni in n_all]
    # the admittance each polarization uses: n cos(theta) (s), n / cos(theta) (p)
    eta = [ni * ci if pol == "s" else ni / ci for ni, ci in zip(n_all, cos_all)]
    M = np.eye(2, dtype=complex)
    for i in range(len(d)):
        delta = 2 * np.pi * n_all[i + 1] * cos_all[i + 1] * d[i] / wl       # (W,)
        c, s = np.cos(delta), np.sin(delta)
        Mi = np.stack([np.stack([c, 1j * s / eta[i + 1]], -1),
                       np.stack([1j * eta[i + 1] * s, c], -1)], -2)         # (W, 2, 2)
        M = M @ Mi
    B = M[..., 0, 0] + M[..., 0, 1] * eta[-1]
    C = M[..., 1, 0] + M[..., 1, 1] * eta[-1]
    r = (eta[0] * B - C) / (eta[0] * B + C)
    return np.abs(r) ** 2


def airy_check():
    n1, lam = 2.1, np.array([550.0])
    d0 = 80.0
    got = dg.derivative(lambda d: reflectance(np.stack([d]), [n1], wl=lam)[0], d0)
    r01, r12 = (N_IN - n1) / (N_IN + n1), (n1 - N_SUB) / (n1 + N_SUB)
    e = np.exp(2j * (2 * np.pi * n1 * d0 / lam[0]))
    r = (r01 + r12 * e) / (1 + r01 * r12 * e)
    dr_ddelta = 2j * r12 * e * (1 - r01 ** 2) / (1 + r01 * r12 * e) ** 2
    exact = 2 * (np.conj(r) * dr_ddelta).real * (2 * np.pi * n1 / lam[0])
    print(f"one layer: R = {abs(r) ** 2:.6f}, dR/dd = {got:.9e}, Airy's {exact:.9e}, "
          f"relative error {abs(got - exact) / abs(exact):.1e}")


D0 = np.array([25.0, 40.0, 110.0, 30.0, 8.0, 95.0])                     # nm
N0 = np.array([1.38, 2.3, 1.46, 2.3, 1.9, 1.38])
K0 = np.array([0.0, 0.0, 0.0, 0.0, 0.05, 0.0])                          # absorption


def band_loss(p, theta0=np.deg2rad(30.0)):
    """Mean of s and p reflectance over the band; p = 6 thicknesses then 6 indices."""
    d, n = p[:6], p[6:] - 1j * K0
    return 0.5 * (np.mean(reflectance(d, n, theta0, "s"))
                  + np.mean(reflectance(d, n, theta0, "p")))


def richardson(f, x, steps):
    """Central differences along each coordinate, Richardson-extrapolated over 4 halvings."""
    g = np.empty_like(x)
    for i, h in enumerate(steps):
        e = np.zeros_like(x)
        e[i] = 1.0
        D = [(f(x + h / 2 ** k * e) - f(x - h / 2 ** k * e)) / (2 * h / 2 ** k)
             for k in range(4)]
        for m in range(1, 4):
            D = [(4 ** m * D[j + 1] - D[j]) / (4 ** m - 1) for j in range(len(D) - 1)]
        g[i] = D[0]
    return g


def coating_gradient():
    p0 = np.concatenate([D0, N0])
    g = dg.gradient(band_loss, p0)
    fd = richardson(band_loss, p0, np.r_[np.full(6, 2.0), np.full(6, 0.02)])
    print(f"coating: mean R = {band_loss(p0):.5f}, gradient relative error against "
          f"Richardson differences {np.max(np.abs(g - fd)) / np.max(np.abs(fd)):.1e}")


def coating_design():
    p_n = N0.copy()
    f = lambda d: band_loss(np.concatenate([d, p_n]))
    counted = {"n": 0}

    def counting(d):
        counted["n"] += 1
        return f(d)

    bounds = [(1.0, 200.0)] * 6
    exact = minimize(counting, D0, jac=dg.grad(f), method="L-BFGS-B", bounds=bounds)
    calls_exact, counted["n"] = counted["n"], 0
    fd = minimize(counting, D0, method="L-BFGS-B", bounds=bounds)
    print(f"design: mean R {f(D0):.5f} -> {exact.fun:.5f} with dg.grad "
          f"({calls_exact} calls of f), -> {fd.fun:.5f} with differences "
          f"({counted['n']} calls of f)")


if __name__ == "__main__":
    airy_check()
    coating_gradient()
    coating_design()
