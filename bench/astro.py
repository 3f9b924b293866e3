"""An astronomer's first day with dualgrad (user47): derivatives of plain NumPy / SciPy
astronomy code from public repositories, each checked against an independent oracle and
timed against ``scipy.optimize.approx_fprime`` and the function itself in one process.

    python bench/astro.py [--repeat R]

Problems (the code follows its source's structure; repository, path and commit cited):

* rv: radvel's radial-velocity curve K (cos(nu + w) + e cos w) at 60 times, its Kepler
  solver a vectorized third-order Newton loop that stops when |E - e sin E - M| < 1e-12
  (California-Planet-Search/radvel, radvel/kepler.py @ 00b26a4d, radvel/orbit.py
  @ 0dec1e35); Jacobian in (per, tp, e, w, K). Oracle: the closed forms
  dnu/dM = (1 + e cos nu)^2 / (1 - e^2)^(3/2), dnu/de = sin nu (2 + e cos nu) / (1 - e^2).
  ``rv+1`` is the same with one more Newton step on duals after the loop (README:
  "Iterative solvers"): the loop stops when the *value* has converged, and its
  derivatives trail by the last step's error.
* rv_nll: the Gaussian log-likelihood of that curve with a jitter term, gradient and
  Hessian (Fisher / Laplace) in 7 parameters; oracle: the closed-form gradient, and
  Richardson differences of it for the Hessian.
* kepler_loop: a Newton solve per time point in a Python loop over scalars, item
  reads and writes (rzellem/EXOTIC, occultquad.py @ 8c009ace, ``solveme``), 120 points.
* transit: Mandel & Agol's quadratic limb-darkened light curve in Eastman & Agol's
  Python translation (rzellem/EXOTIC, occultquad.py @ 8c009ace: np.where branches,
  np.arccos, Hastings' elliptic integrals, Bulirsch's while loop for the third kind),
  200 times, 7 parameters (t0, P, a/R*, i, Rp/R*, u1, u2), its three np.zeros buffers
  written np.zeros_like(theta, shape=(nz,)). Oracle: Richardson differences in z (step
  5 % of the distance to the nearest contact point) times the analytic dz/dtheta, at the
  times more than 5e-3 stellar radii from a contact (dF/dz ~ sqrt(distance) there).
* cosmology: comoving distance c/H0 int_0^z dz'/E(z') by scipy.integrate.fixed_quad
  (scipy.integrate.quad refuses duals), gradient in (H0, Om, Ol, z); oracle: quad of
  the integrand's analytic partials.
* voigt: a Voigt line A Re w((x - x0 + i gamma) / (sigma sqrt 2)) / (sigma sqrt(2 pi))
  with scipy.special.wofz at 401 wavelengths, Jacobian in (A, x0, sigma, gamma); oracle:
  w'(z) = -2 z w(z) + 2i / sqrt(pi).

Each row: the worst relative error of dualgrad and of approx_fprime against the oracle
(per column, over the column's largest entry), and median CPU times (``time.process_time``,
the machine is shared) of f, of dualgrad and of approx_fprime, one thread.
"""

import argparse
import os
import time

import numpy as np
from scipy import integrate
from scipy.optimize import approx_fprime
from scipy.special import wofz

from _common import median_time

import dualgrad as dg


# ---- radvel: Kepler's equation and the RV curve ---------------------------------------
def kepler(Marr, eccarr):
    """radvel.kepler.kepler: third-order Newton corrections until |f| < 1e-12."""
    conv = 1.0e-12
    k = 0.85
    Earr = Marr + np.sign(np.sin(Marr)) * k * eccarr
    fiarr = Earr - eccarr * np.sin(Earr) - Marr
    convd = np.where(np.abs(fiarr) > conv)[0]
    nd = len(convd)
    while nd > 0:
        M = Marr[convd]
        ecc = eccarr[convd]
        E = Earr[convd]
        fi = fiarr[convd]
        fip = 1 - ecc * np.cos(E)
        fipp = ecc * np.sin(E)
        fippp = 1 - fip
        d1 = -fi / fip
        d2 = -fi / (fip + d1 * fipp / 2.0)
        d3 = -fi / (fip + d2 * fipp / 2.0 + d2 * d2 * fippp / 6.0)
        E = E + d3
        Earr[convd] = E
        fiarr = Earr - eccarr * np.sin(Earr) - Marr
        convd = np.abs(fiarr) > conv
        nd = np.sum(convd)
    return Earr


def kepler_plus(Marr, eccarr):
    """The loop above, then one Newton step on duals: exact first derivatives."""
    E = kepler(Marr, eccarr)
    return E - (E - eccarr * np.sin(E) - Marr) / (1 - eccarr * np.cos(E))


def rv_drive(t, orbel, solver=kepler):
    """radvel.kepler.rv_drive with radvel.orbit.true_anomaly (NumPy path)."""
    per, tp, e, om, k = orbel
    M = 2 * np.pi * (((t - tp) / per) - np.floor((t - tp) / per))
    eccarr = np.zeros(t.size) + e
    E1 = solver(M, eccarr)
    nu = 2.0 * np.arctan(((1.0 + e) / (1.0 - e)) ** 0.5 * np.tan(E1 / 2.0))
    return k * (np.cos(nu + om) + e * np.cos(om))


def rv_oracle(t, orbel):
    """The RV curve's Jacobian from the closed forms of dnu/dM and dnu/de."""
    per, tp, e, om, k = orbel
    M = 2 * np.pi * (((t - tp) / per) - np.floor((t - tp) / per))
    E = np.full_like(M, np.pi)          # Newton from pi converges for every M, e < 1
    for _ in range(60):
        E = E - (E - e * np.sin(E) - M) / (1 - e * np.cos(E))
    nu = 2 * np.arctan(np.sqrt((1 + e) / (1 - e)) * np.tan(E / 2))
    dnu_dM = (1 + e * np.cos(nu)) ** 2 / (1 - e ** 2) ** 1.5
    dnu_de = np.sin(nu) * (2 + e * np.cos(nu)) / (1 - e ** 2)
    s = -k * np.sin(nu + om)
    return np.column_stack([s * dnu_dM * (-2 * np.pi * (t - tp) / per ** 2),
                            s * dnu_dM * (-2 * np.pi / per),
                            s * dnu_de + k * np.cos(om),
                            -k * (np.sin(nu + om) + e * np.sin(om)),
                            np.cos(nu + om) + e * np.cos(om)])


def rv_nll(theta, t, y, sig, solver=kepler):
    """Negative log-likelihood with jitter: theta = (per, tp, e, w, K, gamma, log s_j)."""
    model = rv_drive(t, theta[:5], solver) + theta[5]
    var = sig ** 2 + np.exp(2 * theta[6])
    return 0.5 * np.sum((y - model) ** 2 / var + np.log(2 * np.pi * var))


def rv_nll_grad_oracle(theta, t, y, sig):
    model = rv_drive(t, theta[:5], kepler_plus) + theta[5]
    var = sig ** 2 + np.exp(2 * theta[6])
    r = (y - model) / var
    J = rv_oracle(t, theta[:5])
    g = np.empty(7)
    g[:5] = -r @ J
    g[5] = -np.sum(r)
    dvar = 2 * np.exp(2 * theta[6])
    g[6] = 0.5 * np.sum(-(y - model) ** 2 / var ** 2 * dvar + dvar / var)
    return g


# ---- EXOTIC: a Newton solve per point in a Python loop --------------------------------
def solveme(M, e, eps):
    """EXOTIC's solveme: Newton-Raphson for E, one element at a time."""
    E = np.copy(M)
    for i in np.arange(M.shape[0]):
        while abs(E[i] - e * np.sin(E[i]) - M[i]) > eps:
            num = E[i] - e * np.sin(E[i]) - M[i]
            den = 1. - e * np.cos(E[i])
            E[i] = E[i] - num / den
    return E


def kepler_loop(theta, t):
    """Sum of sin E over the points, E from solveme to 1e-10 (then one exact step)."""
    tp, per, e = theta
    M = 2 * np.pi * ((t - tp) / per % 1.0)
    E = solveme(M, e, 1e-10)
    E = E - (E - e * np.sin(E) - M) / (1 - e * np.cos(E))
    return np.sum(np.sin(E))


def kepler_loop_oracle(theta, t):
    tp, per, e = theta
    M = 2 * np.pi * ((t - tp) / per % 1.0)
    E = np.full_like(M, np.pi)          # Newton from pi converges for every M, e < 1
    for _ in range(60):
        E = E - (E - e * np.sin(E) - M) / (1 - e * np.cos(E))
    dE_dM = 1 / (1 - e * np.cos(E))
    dE_de = np.sin(E) / (1 - e * np.cos(E))
    c = np.cos(E)
    return np.array([np.sum(c * dE_dM * (-2 * np.pi / per)),
                     np.sum(c * dE_dM * (-2 * np.pi * (t - tp) / per ** 2)),
                     np.sum(c * dE_de)])


# ---- EXOTIC: Mandel & Agol's quadratic limb-darkened transit --------------------------
def ellke(k):
    """Hastings' polynomials for the complete elliptic integrals E(k), K(k)."""
    m1 = 1. - k ** 2
    logm1 = np.log(m1)
    ee1 = 1. + m1 * (0.44325141463 + m1 * (0.06260601220 + m1 * (0.04757383546
                                                                   + m1 * 0.01736506451)))
    ee2 = m1 * (0.24998368310 + m1 * (0.09200180037 + m1 * (0.04069697526
                                                              + m1 * 0.00526449639))) * (-logm1)
    ek1 = 1.38629436112 + m1 * (0.09666344259 + m1 * (0.03590092383 + m1 * (
        0.03742563713 + m1 * 0.01451196212)))
    ek2 = (0.5 + m1 * (0.12498593597 + m1 * (0.06880248576 + m1 * (
        0.03328355346 + m1 * 0.00441787012)))) * logm1
    return ee1 + ee2, ek1 - ek2


def ellpic_bulirsch(n, k):
    """Bulirsch's (1965) complete elliptic integral of the third kind: a while loop."""
    kc = np.sqrt(1. - k ** 2)
    la = np.sqrt(n + 1.)
    m0 = 1.
    c = 1.
    d = 1. / la
    e = kc
    while True:
        f = c
        c = d / la + c
        g = e / la
        d = 2. * (f * g + d)
        la = g + la
        g = m0
        m0 = kc + m0
        if max(abs(1. - kc / g)) > 1.e-8:
            kc = 2 * np.sqrt(e)
            e = kc * m0
        else:
            return 0.5 * np.pi * (c * m0 + d) / (m0 * (m0 + la))


def occultquad(z, u1, u2, p0, like=None):
    """Eastman & Agol's occultquad (the cases a planet smaller than the star meets)."""
    nz = np.size(z)
    buf = (lambda: np.zeros(nz)) if like is None else \
        (lambda: np.zeros_like(like, shape=(nz,)))
    lambdad, etad, lambdae = buf(), buf(), buf()
    omega = 1. - u1 / 3. - u2 / 6.
    tol = 1e-14
    p = abs(p0)
    z = np.where(abs(p - z) < tol, p, z)
    z = np.where(abs((1 - p) - z) < tol, 1. - p, z)
    z = np.where(z < tol, 0., z)
    x1 = (p - z) ** 2.
    x2 = (p + z) ** 2.
    x3 = p ** 2. - z ** 2.
    notusedyet = np.where(z < (1. + p))[0]
    ing = np.where((z[notusedyet] >= abs(1. - p)) & (z[notusedyet] < 1. + p))
    if np.size(ing) != 0:
        nd = notusedyet[ing]
        tmp = np.clip((1. - p ** 2. + z[nd] ** 2.) / 2. / z[nd], -1., 1.)
        kap1 = np.arccos(tmp)
        tmp = np.clip((p ** 2. + z[nd] ** 2 - 1.) / 2. / p / z[nd], -1., 1.)
        kap0 = np.arccos(tmp)
        tmp = 4. * z[nd] ** 2 - (1. + z[nd] ** 2 - p ** 2) ** 2
        tmp = np.where(tmp < 0, 0, tmp)
        lambdae[nd] = (p ** 2 * kap0 + kap1 - 0.5 * np.sqrt(tmp)) / np.pi
        etad[nd] = 1. / 2. / np.pi * (kap1 + p ** 2 * (p ** 2 + 2. * z[nd] ** 2) * kap0
                                      - (1. + 5. * p ** 2 + z[nd] ** 2) / 4.
                                      * np.sqrt((1. - x1[nd]) * (x2[nd] - 1.)))
    ing = np.where(((z[notusedyet] > 0.5 + abs(p - 0.5)) & (z[notusedyet] < 1. + p))
                   | ((p > 0.5) & (z[notusedyet] > abs(1. - p)) & (z[notusedyet] < p)))
    if np.size(ing) != 0:
        nd = notusedyet[ing]
        q = np.sqrt((1. - x1[nd]) / (x2[nd] - x1[nd]))
        Ek, Kk = ellke(q)
        n = 1. / x1[nd] - 1.
        lambdad[nd] = 2. / 9. / np.pi / np.sqrt(x2[nd] - x1[nd]) * (
            ((1. - x2[nd]) * (2. * x2[nd] + x1[nd] - 3.) - 3. * x3[nd] * (x2[nd] - 2.)) * Kk
            + (x2[nd] - x1[nd]) * (z[nd] ** 2 + 7. * p ** 2 - 4.) * Ek
            - 3. * x3[nd] / x1[nd] * ellpic_bulirsch(n, q))
        rest = np.where(((z[notusedyet] <= 0.5 + abs(p - 0.5)) | (z[notusedyet] >= 1. + p))
                        & ((p <= 0.5) | (z[notusedyet] <= abs(1. - p))
                           | (z[notusedyet] >= p)))
        notusedyet = notusedyet[rest]
    inside = np.where(z[notusedyet] <= (1. - p))
    if np.size(inside) != 0:
        nd = notusedyet[inside]
        etad[nd] = p ** 2 / 2. * (p ** 2 + 2. * z[nd] ** 2)
        lambdae[nd] = p ** 2
        q = np.sqrt((x2[nd] - x1[nd]) / (1. - x1[nd]))
        n = x2[nd] / x1[nd] - 1.
        Ek, Kk = ellke(q)
        lambdad[nd] = 2. / 9. / np.pi / np.sqrt(1. - x1[nd]) * (
            (1. - 5. * z[nd] ** 2 + p ** 2 + x3[nd] ** 2) * Kk
            + (1. - x1[nd]) * (z[nd] ** 2 + 7. * p ** 2 - 4.) * Ek
            - 3. * x3[nd] / x1[nd] * ellpic_bulirsch(n, q))
    return 1. - ((1. - u1 - 2. * u2) * lambdae
                 + (u1 + 2. * u2) * (lambdad + 2. / 3. * (p > z)) + u2 * etad) / omega


def z_circ(t, t0, per, ars, inc):
    phi = 2 * np.pi * (t - t0) / per
    return ars * np.sqrt(np.sin(phi) ** 2 + (np.cos(np.radians(inc)) * np.cos(phi)) ** 2)


def transit(theta, t):
    t0, per, ars, inc, rp, u1, u2 = theta
    return occultquad(z_circ(t, t0, per, ars, inc), u1, u2, rp, like=theta)


def _richardson(g, h):
    D = lambda s: (g(s) - g(-s)) / (2 * s)
    d1, d2, d3 = D(h), D(h / 2), D(h / 4)
    r1, r2 = (4 * d2 - d1) / 3, (4 * d3 - d2) / 3
    return (16 * r2 - r1) / 15


def transit_oracle(theta, t):
    """Richardson differences in z (steps 5 % of the distance to a contact point) times
    the analytic dz/dtheta; in p, u1, u2 the same differences of the float code."""
    t0, per, ars, inc, p, u1, u2 = theta
    z = z_circ(t, t0, per, ars, inc)
    dist = np.minimum(np.abs(z - (1 + p)), np.abs(z - (1 - p)))
    dFdz = _richardson(lambda s: occultquad(z + s, u1, u2, p), np.minimum(1e-3, 0.05 * dist))
    phi = 2 * np.pi * (t - t0) / per
    ci, si = np.cos(np.radians(inc)), np.sin(np.radians(inc))
    dz_dphi = ars ** 2 * np.sin(phi) * np.cos(phi) * si ** 2 / z
    J = np.empty((t.size, 7))
    J[:, 0] = dFdz * dz_dphi * (-2 * np.pi / per)
    J[:, 1] = dFdz * dz_dphi * (-phi / per)
    J[:, 2] = dFdz * z / ars
    J[:, 3] = dFdz * ars ** 2 * ci * si * (-np.pi / 180) * np.cos(phi) ** 2 / z
    J[:, 4] = _richardson(lambda s: occultquad(z, u1, u2, p + s), min(1e-4, 0.05 * dist.min()))
    J[:, 5] = _richardson(lambda s: occultquad(z, u1 + s, u2, p), 1e-2)
    J[:, 6] = _richardson(lambda s: occultquad(z, u1, u2 + s, p), 1e-2)
    J[dist < 5e-3] = np.nan          # near a contact dF/dz ~ sqrt(distance): no oracle
    return J, dist


# ---- cosmology: comoving distance ------------------------------------------------------
C_KMS = 299792.458


def _efunc(x, Om, Ol):
    return np.sqrt(Om * (1 + x) ** 3 + (1 - Om - Ol) * (1 + x) ** 2 + Ol)


def comoving(p):
    """c/H0 int_0^z dz'/E(z'), p = (H0, Om, Ol, z), 50-node Gauss-Legendre."""
    H0, Om, Ol, z = p
    return C_KMS / H0 * integrate.fixed_quad(lambda x: 1.0 / _efunc(x, Om, Ol), 0.0, z,
                                             n=50)[0]


def comoving_oracle(p):
    H0, Om, Ol, z = p
    q = lambda g: integrate.quad(g, 0, z, epsabs=1e-14, epsrel=1e-13, limit=200)[0]
    I = q(lambda x: 1 / _efunc(x, Om, Ol))
    dOm = q(lambda x: -0.5 * ((1 + x) ** 3 - (1 + x) ** 2) / _efunc(x, Om, Ol) ** 3)
    dOl = q(lambda x: -0.5 * (1 - (1 + x) ** 2) / _efunc(x, Om, Ol) ** 3)
    return np.array([-C_KMS / H0 ** 2 * I, C_KMS / H0 * dOm, C_KMS / H0 * dOl,
                     C_KMS / H0 / _efunc(z, Om, Ol)])


# ---- a Voigt line --------------------------------------------------------------------
def voigt(p, x):
    A, x0, sig, gam = p
    z = ((x - x0) + 1j * gam) / (sig * np.sqrt(2))
    return A * np.real(wofz(z)) / (sig * np.sqrt(2 * np.pi))


def voigt_oracle(p, x):
    A, x0, sig, gam = p
    z = ((x - x0) + 1j * gam) / (sig * np.sqrt(2))
    w = wofz(z)
    dw = -2 * z * w + 2j / np.sqrt(np.pi)
    pref = 1 / (sig * np.sqrt(2 * np.pi))
    return np.column_stack([np.real(w) * pref,
                            A * pref * np.real(dw * (-1 / (sig * np.sqrt(2)))),
                            A * pref * np.real(dw * (-z / sig)) - A * np.real(w) * pref / sig,
                            A * pref * np.real(dw * (1j / (sig * np.sqrt(2))))])


# ---- the problems --------------------------------------------------------------------
def problems():
    rng = np.random.default_rng(47)
    t_rv = np.sort(rng.uniform(2455000, 2457000, 60))
    orbel = np.array([32.468, 2456000.3, 0.5, 1.2, 10.0])
    sig = np.full(60, 2.0)
    y_rv = rv_drive(t_rv, orbel, kepler_plus) + 1.5 + sig * rng.standard_normal(60)
    theta_nll = np.array([32.47, 2456000.1, 0.48, 1.25, 9.7, 1.3, np.log(1.5)])
    t_kl = np.linspace(0.0, 30.0, 120)
    th_kl = np.array([0.3, 7.1, 0.6])
    t_tr = np.linspace(-0.12, 0.12, 200)
    th_tr = np.array([0.0005, 3.336817, 14.25, 87.5, 0.1, 0.3, 0.1])
    p_cos = np.array([70.0, 0.3, 0.7, 1.5])
    x_v = np.linspace(-5, 5, 401)
    p_v = np.array([2.0, 0.3, 0.8, 0.5])
    return [
        ("rv (radvel, 60 x 5)", lambda q: rv_drive(t_rv, q), orbel,
         lambda q: rv_oracle(t_rv, q), dg.jacobian),
        ("rv+1 (one exact step after)", lambda q: rv_drive(t_rv, q, kepler_plus), orbel,
         lambda q: rv_oracle(t_rv, q), dg.jacobian),
        ("rv_nll gradient (7)", lambda q: rv_nll(q, t_rv, y_rv, sig, kepler_plus),
         theta_nll, lambda q: rv_nll_grad_oracle(q, t_rv, y_rv, sig), dg.gradient),
        ("kepler_loop (EXOTIC, 120 scalars)", lambda q: kepler_loop(q, t_kl), th_kl,
         lambda q: kepler_loop_oracle(q, t_kl), dg.gradient),
        ("transit (EXOTIC, 200 x 7)", lambda q: transit(q, t_tr), th_tr,
         lambda q: transit_oracle(q, t_tr)[0], dg.jacobian),
        ("cosmology fixed_quad (4)", comoving, p_cos, comoving_oracle, dg.gradient),
        ("voigt wofz (401 x 4)", lambda q: voigt(q, x_v), p_v,
         lambda q: voigt_oracle(q, x_v), dg.jacobian),
    ]


def worst(J, Jo):
    J, Jo = np.atleast_2d(np.asarray(J).T).T, np.atleast_2d(np.asarray(Jo).T).T
    J, Jo = J.reshape(Jo.shape[0], -1), Jo.reshape(Jo.shape[0], -1)
    return float(np.nanmax(np.nanmax(np.abs(J - Jo), axis=0) / np.nanmax(np.abs(Jo), axis=0)))


def hessian_check():
    """rv_nll's Hessian against Richardson differences of the closed-form gradient."""
    rng = np.random.default_rng(47)
    t = np.sort(rng.uniform(2455000, 2457000, 60))
    orbel = np.array([32.468, 2456000.3, 0.5, 1.2, 10.0])
    sig = np.full(60, 2.0)
    y = rv_drive(t, orbel, kepler_plus) + 1.5 + sig * rng.standard_normal(60)
    th = np.array([32.47, 2456000.1, 0.48, 1.25, 9.7, 1.3, np.log(1.5)])
    H = dg.hessian(lambda q: rv_nll(q, t, y, sig, kepler_plus), th)
    steps = np.array([1e-3, 1e-2, 1e-3, 1e-3, 1e-2, 1e-2, 1e-3])
    Ho = np.column_stack([_richardson(lambda s: rv_nll_grad_oracle(th + s * np.eye(7)[i], t, y,
                                                                   sig), steps[i])
                          for i in range(7)])
    return H, Ho


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}")
    print(f"{'problem':36s} {'dg err':>9s} {'afp err':>9s} {'f':>10s} {'dualgrad':>10s}"
          f" {'approx_fprime':>13s} {'dg/f':>7s} {'dg/afp':>7s}")
    for name, f, x0, oracle, helper in problems():
        Jo = oracle(x0)
        J = helper(f, x0)
        Ja = approx_fprime(x0, f)
        tf = median_time(lambda: f(x0), repeat=args.repeat, clock=time.process_time)
        td = median_time(lambda: helper(f, x0), repeat=args.repeat, clock=time.process_time)
        ta = median_time(lambda: approx_fprime(x0, f), repeat=args.repeat,
                         clock=time.process_time)
        print(f"{name:36s} {worst(J, Jo):9.1e} {worst(Ja, Jo):9.1e} {tf * 1e3:8.3f}ms "
              f"{td * 1e3:8.3f}ms {ta * 1e3:11.3f}ms {td / tf:7.1f} {td / ta:7.2f}")
    H, Ho = hessian_check()
    print(f"rv_nll Hessian (7 x 7) vs Richardson of the closed-form gradient: "
          f"{np.abs(H - Ho).max() / np.abs(Ho).max():.1e}; symmetric: "
          f"{bool(np.array_equal(H, H.T))}")
    print(f"load: {os.getloadavg()}")


if __name__ == "__main__":
    main()
