"""An astronomer's first day (user47, stop 47): astronomy code as written in public
Python, each derivative against an independent oracle (bench/astro.py times them).

* radvel's Kepler solver (California-Planet-Search/radvel, radvel/kepler.py @ 00b26a4d:
  third-order Newton corrections until |E - e sin E - M| < 1e-12, boolean-mask writes)
  and its RV curve (radvel/orbit.py @ 0dec1e35): the loop stops when the *value* has
  converged, so its derivatives trail by the last step's error (up to ~3e-11 relative);
  one Newton step on duals after the loop makes them exact (README, "Iterative solvers").
  Oracle: dnu/dM = (1 + e cos nu)^2 / (1 - e^2)^(3/2), dnu/de = sin nu (2 + e cos nu) /
  (1 - e^2).
* EXOTIC's per-point Newton loop over scalars (rzellem/EXOTIC, occultquad.py @ 8c009ace,
  ``solveme``): dE/dM = 1 / (1 - e cos E), dE/de = sin E / (1 - e cos E).
* Mandel & Agol's uniform-disk overlap as EXOTIC's occultquad writes it (np.where
  clamps, np.arccos): d lambda_e / dz = -sqrt(4 z^2 - (1 + z^2 - p^2)^2) / (pi z) (the
  chord), d lambda_e / dp = 2 p kappa_0 / pi (the planet's arc inside the star); and
  Bulirsch's while loop for the complete elliptic integral of the third kind against
  mpmath's ellippi.
* A comoving distance by scipy.integrate.fixed_quad (duals in the parameters and the
  upper limit) against quad of the analytic partials; scipy.integrate.quad's refusal
  names fixed_quad.
* A Voigt line by scipy.special.wofz against w'(z) = -2 z w(z) + 2i / sqrt(pi);
  astropy's lombscargle_slow (astropy/astropy, astropy/stats/lombscargle/implementations/
  slow_impl.py @ 1aba1623) differentiated in frequency and data against the complex step.
"""

import numpy as np
import pytest

import dualgrad as dg

integrate = pytest.importorskip("scipy.integrate")
special = pytest.importorskip("scipy.special")


def kepler(Marr, eccarr):
    """radvel.kepler.kepler as written there."""
    conv = 1.0e-12
    k = 0.85
    Earr = Marr + np.sign(np.sin(Marr)) * k * eccarr
    fiarr = Earr - eccarr * np.sin(Earr) - Marr
    convd = np.where(np.abs(fiarr) > conv)[0]
    nd = len(convd)
    while nd > 0:
        M, ecc, E, fi = Marr[convd], eccarr[convd], Earr[convd], fiarr[convd]
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


def kepler_exact(Marr, eccarr):
    E = kepler(Marr, eccarr)
    return E - (E - eccarr * np.sin(E) - Marr) / (1 - eccarr * np.cos(E))


def rv_drive(t, orbel, solver):
    per, tp, e, om, k = orbel
    M = 2 * np.pi * (((t - tp) / per) - np.floor((t - tp) / per))
    eccarr = np.zeros(t.size) + e                    # radvel's spelling: rebinding
    E1 = solver(M, eccarr)
    nu = 2.0 * np.arctan(((1.0 + e) / (1.0 - e)) ** 0.5 * np.tan(E1 / 2.0))
    return k * (np.cos(nu + om) + e * np.cos(om))


def rv_jacobian_oracle(t, orbel):
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


def _rel(J, Jo):
    return np.max(np.abs(J - Jo).max(axis=0) / np.abs(Jo).max(axis=0))


T_RV = np.sort(np.random.default_rng(1).uniform(2455000, 2457000, 60))


@pytest.mark.parametrize("e", [0.1, 0.5, 0.9, 0.98])
def test_radvel_rv_jacobian_one_exact_step(e):
    orbel = np.array([32.468, 2456000.3, e, 1.2, 10.0])
    J = dg.jacobian(lambda p: rv_drive(T_RV, p, kepler_exact), orbel)
    assert _rel(J, rv_jacobian_oracle(T_RV, orbel)) < 1e-13


def test_radvel_loop_alone_trails_by_its_last_step():
    """The recipe's reason: without the step the loop's derivatives are 1e-11 off (the
    README's number), with it 1e-15; the values agree to rounding either way."""
    orbel = np.array([32.468, 2456000.3, 0.5, 1.2, 10.0])
    Jo = rv_jacobian_oracle(T_RV, orbel)
    loose = _rel(dg.jacobian(lambda p: rv_drive(T_RV, p, kepler), orbel), Jo)
    exact = _rel(dg.jacobian(lambda p: rv_drive(T_RV, p, kepler_exact), orbel), Jo)
    assert 1e-12 < loose < 1e-9 and exact < 1e-13


def test_rv_loglike_gradient_and_hessian():
    orbel = np.array([32.468, 2456000.3, 0.5, 1.2, 10.0])
    rng = np.random.default_rng(3)
    y = rv_drive(T_RV, orbel, kepler_exact) + 2.0 * rng.standard_normal(T_RV.size)

    def nll(q):
        r = y - rv_drive(T_RV, q, kepler_exact)
        return 0.5 * np.sum(r ** 2) / 4.0

    def grad_oracle(q):
        r = y - rv_drive(T_RV, q, kepler_exact)
        return -(r @ rv_jacobian_oracle(T_RV, q)) / 4.0

    q = orbel + np.array([0.01, -0.2, 0.02, 0.05, -0.3])
    g = dg.gradient(nll, q)
    go = grad_oracle(q)
    np.testing.assert_allclose(g, go, rtol=1e-12, atol=1e-12 * np.abs(go).max())
    H = dg.hessian(nll, q)
    assert np.array_equal(H, H.T)
    steps = np.array([1e-4, 1e-3, 1e-4, 1e-4, 1e-3])
    Ho = np.empty((5, 5))
    for i in range(5):
        d = lambda h: (grad_oracle(q + h * np.eye(5)[i]) - grad_oracle(q - h * np.eye(5)[i])) / (2 * h)
        Ho[:, i] = (4 * d(steps[i] / 2) - d(steps[i])) / 3
    np.testing.assert_allclose(H, Ho, rtol=1e-6, atol=1e-7 * np.abs(Ho).max())


def solveme(M, e, eps):
    """EXOTIC's solveme as written there: a scalar Newton loop per element."""
    E = np.copy(M)
    for i in np.arange(M.shape[0]):
        while abs(E[i] - e * np.sin(E[i]) - M[i]) > eps:
            num = E[i] - e * np.sin(E[i]) - M[i]
            den = 1. - e * np.cos(E[i])
            E[i] = E[i] - num / den
    return E


def test_exotic_scalar_newton_loop():
    M = np.linspace(0.1, 6.0, 25)

    def f(q):
        E = solveme(q[0] * M, q[1], 1e-10)
        return E - (E - q[1] * np.sin(E) - q[0] * M) / (1 - q[1] * np.cos(E))

    q = np.array([1.0, 0.6])
    J = dg.jacobian(f, q)
    E = np.full_like(M, np.pi)          # Newton from pi converges for every M, e < 1
    for _ in range(60):
        E = E - (E - 0.6 * np.sin(E) - M) / (1 - 0.6 * np.cos(E))
    Jo = np.column_stack([M / (1 - 0.6 * np.cos(E)), np.sin(E) / (1 - 0.6 * np.cos(E))])
    assert _rel(J, Jo) < 1e-14


def lambda_e(z, p):
    """The uniform-disk overlap of EXOTIC's occultquad (ingress/egress and inside)."""
    z = np.where(z < 1e-14, 0., z)
    out = np.zeros_like(z * p)
    ing = np.where((z >= abs(1. - p)) & (z < 1. + p))[0]
    tmp = (1. - p ** 2. + z[ing] ** 2.) / 2. / z[ing]
    tmp = np.where(tmp > 1., 1., tmp)
    tmp = np.where(tmp < -1., -1., tmp)
    kap1 = np.arccos(tmp)
    tmp = (p ** 2. + z[ing] ** 2 - 1.) / 2. / p / z[ing]
    tmp = np.where(tmp > 1., 1., tmp)
    tmp = np.where(tmp < -1., -1., tmp)
    kap0 = np.arccos(tmp)
    tmp = 4. * z[ing] ** 2 - (1. + z[ing] ** 2 - p ** 2) ** 2
    tmp = np.where(tmp < 0, 0, tmp)
    out[ing] = (p ** 2 * kap0 + kap1 - 0.5 * np.sqrt(tmp)) / np.pi
    inside = np.where(z <= 1. - p)[0]
    out[inside] = p ** 2 + 0.0 * z[inside]
    return out


def test_uniform_disk_overlap_chord_and_arc():
    z = np.array([0.3, 0.8, 0.95, 1.0, 1.05, 1.12])
    p = 0.15
    dz = dg.jacobian(lambda q: lambda_e(q, p), z)
    dp = dg.derivative(lambda q: lambda_e(z, q), p)
    ing = (z >= 1 - p) & (z < 1 + p)
    kap0 = np.arccos((p ** 2 + z ** 2 - 1) / (2 * p * z))
    chord = np.sqrt(4 * z ** 2 - (1 + z ** 2 - p ** 2) ** 2)
    want_z = np.where(ing, -chord / (np.pi * z), 0.0)
    want_p = np.where(ing, 2 * p * kap0 / np.pi, 2 * p)
    np.testing.assert_allclose(np.diag(dz), want_z, rtol=1e-13, atol=1e-15)
    assert np.count_nonzero(dz - np.diag(np.diag(dz))) == 0
    np.testing.assert_allclose(dp, want_p, rtol=1e-13)


def ellpic_bulirsch(n, k):
    """EXOTIC's Bulirsch loop for Pi(-n | k^2), builtin max over a dual array included."""
    kc = np.sqrt(1. - k ** 2)
    la = np.sqrt(n + 1.)
    m0, c, d, e = 1., 1., 1. / la, kc
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


def test_bulirsch_third_kind_loop():
    mp = pytest.importorskip("mpmath")
    n = np.array([0.5, 3.0, 12.0])
    k = np.array([0.3, 0.7, 0.9])
    J = dg.jacobian(lambda q: ellpic_bulirsch(q[:3], q[3:]), np.concatenate([n, k]))
    with mp.workdps(30):
        for i in range(3):
            Pi = lambda a, b: mp.ellippi(-a, b ** 2)
            dn = float(mp.diff(lambda a: Pi(a, mp.mpf(k[i])), mp.mpf(n[i])))
            dk = float(mp.diff(lambda b: Pi(mp.mpf(n[i]), b), mp.mpf(k[i])))
            np.testing.assert_allclose([J[i, i], J[i, 3 + i]], [dn, dk], rtol=1e-12)


C_KMS = 299792.458


def _efunc(x, Om, Ol):
    return np.sqrt(Om * (1 + x) ** 3 + (1 - Om - Ol) * (1 + x) ** 2 + Ol)


def test_comoving_distance_fixed_quad():
    def dc(p):
        H0, Om, Ol, z = p
        return C_KMS / H0 * integrate.fixed_quad(lambda x: 1.0 / _efunc(x, Om, Ol), 0.0, z,
                                                 n=50)[0]

    p = np.array([70.0, 0.3, 0.7, 1.5])
    g = dg.gradient(dc, p)
    H0, Om, Ol, z = p
    q = lambda f: integrate.quad(f, 0, z, epsabs=1e-14, epsrel=1e-13, limit=200)[0]
    want = np.array([
        -C_KMS / H0 ** 2 * q(lambda x: 1 / _efunc(x, Om, Ol)),
        C_KMS / H0 * q(lambda x: -0.5 * ((1 + x) ** 3 - (1 + x) ** 2) / _efunc(x, Om, Ol) ** 3),
        C_KMS / H0 * q(lambda x: -0.5 * (1 - (1 + x) ** 2) / _efunc(x, Om, Ol) ** 3),
        C_KMS / H0 / _efunc(z, Om, Ol)])
    np.testing.assert_allclose(g, want, rtol=1e-12)
    H = dg.hessian(dc, p)
    assert np.array_equal(H, H.T)
    # d2/dz2 = -c/H0 E'(z) / E(z)^2, E' from the closed form
    dE = (3 * Om * (1 + z) ** 2 + 2 * (1 - Om - Ol) * (1 + z)) / (2 * _efunc(z, Om, Ol))
    np.testing.assert_allclose(H[3, 3], -C_KMS / H0 * dE / _efunc(z, Om, Ol) ** 2, rtol=1e-12)


@pytest.mark.parametrize("call", ["quad", "quad_vec", "tanhsinh"])
def test_adaptive_quadrature_refusal_names_fixed_quad(call):
    fn = getattr(integrate, call)

    def f(Om):
        r = fn(lambda x: 1.0 / _efunc(x, Om, 0.7), 0.0, 1.5)
        return r.integral if call == "tanhsinh" else r[0]

    with pytest.raises(TypeError) as info:
        dg.derivative(f, 0.3)
    msg = str(info.value)
    assert f"scipy.integrate.{call} converts its input" in msg
    assert "scipy.integrate.fixed_quad(" in msg and "np.trapezoid(" in msg
    fname = "func" if call == "quad" else "f"
    assert f"fixed_quad({fname}, a, b, args=args, n=50)" in msg
    # dualgrad's adaptive drop-in comes first (stop 48)
    assert msg.index("dg.quad(") < msg.index("scipy.integrate.fixed_quad(")


def test_voigt_line_wofz():
    x = np.linspace(-5, 5, 41)

    def line(p):
        A, x0, sig, gam = p
        zz = ((x - x0) + 1j * gam) / (sig * np.sqrt(2))
        return A * np.real(special.wofz(zz)) / (sig * np.sqrt(2 * np.pi))

    p = np.array([2.0, 0.3, 0.8, 0.5])
    J = dg.jacobian(line, p)
    A, x0, sig, gam = p
    zz = ((x - x0) + 1j * gam) / (sig * np.sqrt(2))
    w = special.wofz(zz)
    dw = -2 * zz * w + 2j / np.sqrt(np.pi)
    pref = 1 / (sig * np.sqrt(2 * np.pi))
    Jo = np.column_stack([np.real(w) * pref,
                          A * pref * np.real(dw * (-1 / (sig * np.sqrt(2)))),
                          A * pref * np.real(dw * (-zz / sig)) - A * np.real(w) * pref / sig,
                          A * pref * np.real(dw * (1j / (sig * np.sqrt(2))))])
    assert _rel(J, Jo) < 1e-14
    J2 = dg.jacobian(lambda q: q[0] * special.voigt_profile(x - q[1], q[2], q[3]), p)
    assert _rel(J2, Jo) < 1e-13


def lombscargle_slow(t, y, dy, frequency):
    """astropy's lombscargle_slow (normalized, fit_bias=True) as written there."""
    t, y, dy = np.broadcast_arrays(t, y, dy)
    frequency = np.asarray(frequency)
    w = dy ** -2.0
    w /= w.sum()
    y = y - np.dot(w, y)
    omega = 2 * np.pi * frequency
    omega = omega.ravel()[np.newaxis, :]
    t, y, dy, w = map(lambda x: x[:, np.newaxis], (t, y, dy, w))
    sin_omega_t = np.sin(omega * t)
    cos_omega_t = np.cos(omega * t)
    S2 = 2 * np.dot(w.T, sin_omega_t * cos_omega_t)
    C2 = 2 * np.dot(w.T, 0.5 - sin_omega_t ** 2)
    S = np.dot(w.T, sin_omega_t)
    C = np.dot(w.T, cos_omega_t)
    S2 -= (2 * S * C)
    C2 -= (C * C - S * S)
    omega_t_tau = omega * t - 0.5 * np.arctan(S2 / C2)
    s, c = np.sin(omega_t_tau), np.cos(omega_t_tau)
    Y = np.dot(w.T, y)
    wy = w * y
    YC, YS = np.dot(wy.T, c), np.dot(wy.T, s)
    CC, SS = np.dot(w.T, c * c), np.dot(w.T, s * s)
    Ct, St = np.dot(w.T, c), np.dot(w.T, s)
    YC -= Y * Ct
    YS -= Y * St
    CC -= Ct * Ct
    SS -= St * St
    p = (YC * YC / CC + YS * YS / SS)
    p /= np.dot(w.T, y * y)
    return p.ravel()


def test_lombscargle_in_frequency_and_data():
    rng = np.random.default_rng(42)
    t = 100 * rng.random(60)
    y = np.sin(2 * np.pi * t) + 0.1 * rng.standard_normal(60)
    dy = np.full(60, 0.1)
    f0 = np.array([1.0005, 0.37])
    h = 1e-30
    Jf = dg.jacobian(lambda f: lombscargle_slow(t, y, dy, f), f0)
    Jcs = np.array([np.imag(lombscargle_slow(t, y, dy, f0 + 1j * h * e)) / h
                    for e in np.eye(2)]).T
    np.testing.assert_allclose(Jf, Jcs, rtol=1e-12, atol=1e-13 * np.abs(Jcs).max())
    Jy = dg.jacobian(lambda v: lombscargle_slow(t, v, dy, f0), y)
    Jycs = np.array([np.imag(lombscargle_slow(t, y + 1j * h * e, dy, f0)) / h
                     for e in np.eye(60)]).T
    assert _rel(Jy, Jycs) < 1e-12


def extirpolate(x, y, N, M=4):
    """astropy's extirpolate as written there (astropy/timeseries/periodograms/lombscargle/
    implementations/utils.py @ 0b3a411e, Press & Rybicki's spread()): np.add.at into a
    buffer made with np.zeros."""
    from math import factorial
    x, y = map(np.ravel, np.broadcast_arrays(x, y))
    result = np.zeros(N, dtype=y.dtype)
    integers = x % 1 == 0
    np.add.at(result, x[integers].astype(int), y[integers])
    x, y = x[~integers], y[~integers]
    ilo = np.clip((x - M // 2).astype(int), 0, N - M)
    numerator = y * np.prod(x - ilo - np.arange(M)[:, np.newaxis], 0)
    denominator = factorial(M - 1)
    for j in range(M):
        if j > 0:
            denominator *= j / (j - M)
        ind = ilo + (M - 1 - j)
        np.add.at(result, ind, numerator / (denominator * (x - ind)))
    return result


def extirpolate_like(x, y, N, M=4):
    """The same with the buffer the refusal names."""
    from math import factorial
    x, y = map(np.ravel, np.broadcast_arrays(x, y))
    result = np.zeros_like(y, shape=N)
    integers = x % 1 == 0
    np.add.at(result, x[integers].astype(int), y[integers])
    x, y = x[~integers], y[~integers]
    ilo = np.clip((x - M // 2).astype(int), 0, N - M)
    numerator = y * np.prod(x - ilo - np.arange(M)[:, np.newaxis], 0)
    denominator = factorial(M - 1)
    for j in range(M):
        if j > 0:
            denominator *= j / (j - M)
        ind = ilo + (M - 1 - j)
        np.add.at(result, ind, numerator / (denominator * (x - ind)))
    return result


def fast_power(t, y, df, N, f0, spread=extirpolate, oversampling=5):
    """astropy's trig_sum (use_fft=True, 'fasper'): |sum y exp(2 pi i f t)|^2 on a grid."""
    t0 = t.min()
    Nfft = 1 << int(int(N * oversampling) - 1).bit_length()
    h = y * np.exp(2j * np.pi * f0 * (t - t0))
    tnorm = ((t - t0) * Nfft * df) % Nfft
    grid = spread(tnorm, h, Nfft, 4)
    fftgrid = np.fft.ifft(grid)[:N]
    fftgrid *= np.exp(2j * np.pi * t0 * (f0 + df * np.arange(N)))
    S, C = Nfft * fftgrid.imag, Nfft * fftgrid.real
    return S ** 2 + C ** 2


def test_fast_lombscargle_add_at_buffer():
    """np.add.at into np.zeros(N, dtype=y.dtype) names that line and the *_like spelling
    (it gave the general buffer advice without the statement); written
    np.zeros_like(y, shape=N), the FFT periodogram's Jacobian in the data satisfies
    Euler's theorem for a quadratic form (J y = 2 P) and matches central differences
    (exact for a quadratic up to rounding)."""
    rng = np.random.default_rng(0)
    t = 100 * rng.random(50)
    y = np.sin(2 * np.pi * 0.3 * t) + 0.1 * rng.standard_normal(50)
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda v: fast_power(t, v, 0.01, 100, 0.01), y)
    msg = str(info.value)
    assert "np.add.at(result, ...) stores a dual number into result" in msg
    assert "result = np.zeros(N, dtype=y.dtype)" in msg
    assert "result = np.zeros_like(y, shape=N)" in msg
    P = lambda v: fast_power(t, v, 0.01, 100, 0.01, extirpolate_like)
    J = dg.jacobian(P, y)
    assert np.abs(J @ y - 2 * P(y)).max() < 1e-13 * np.abs(P(y)).max()
    Jc = np.column_stack([(P(y + e) - P(y - e)) / 2 for e in np.eye(50)])
    assert _rel(J, Jc) < 1e-13


def markley_E(M, e):
    """PyAstronomy's MarkleyKESolver.getE (src/pyasl/asl/keplerOrbit.py @ 0deed755,
    Markley 1995): a closed-form start and one fifth-order correction, no loop."""
    pi = np.pi
    flip = False
    Mr = M - (np.floor(M / (2. * pi)) * 2. * pi)
    if Mr > pi:
        Mr = 2. * pi - Mr
        flip = True
    alpha = (3. * pi ** 2 + 1.6 * pi * (pi - abs(Mr)) / (1. + e)) / (pi ** 2 - 6.)
    d = 3. * (1. - e) + alpha * e
    r = 3. * alpha * d * (d - 1. + e) * Mr + Mr ** 3
    q = 2. * alpha * d * (1. - e) - Mr ** 2
    w = (abs(r) + np.sqrt(q ** 3 + r ** 2)) ** (2. / 3.)
    E1 = (2. * r * w / (w ** 2 + w * q + q ** 2) + Mr) / d
    f0, f1, f2 = E1 - e * np.sin(E1) - Mr, 1. - e * np.cos(E1), e * np.sin(E1)
    f3, f4 = 1. - f1, -f2
    d3 = -f0 / (f1 - 0.5 * f0 * f2 / f1)
    d4 = -f0 / (f1 + 0.5 * d3 * f2 + (d3 ** 2) * f3 / 6.)
    d5 = -f0 / (f1 + 0.5 * d4 * f2 + d4 ** 2 * f3 / 6. + d4 ** 3 * f4 / 24.)
    E5 = E1 + d5
    return 2. * np.pi - E5 if flip else E5


def test_markley_kepler_solver():
    rng = np.random.default_rng(5)
    for M, e in zip(rng.uniform(0.01, 2 * np.pi - 0.01, 200), rng.uniform(0, 0.99, 200)):
        g = dg.gradient(lambda p: markley_E(p[0], p[1]), np.array([M, e]))
        E = np.pi
        for _ in range(60):
            E = E - (E - e * np.sin(E) - M) / (1 - e * np.cos(E))
        want = np.array([1, np.sin(E)]) / (1 - e * np.cos(E))
        assert np.abs(g - want).max() < 1e-14 * np.abs(want).max()


interpolate = pytest.importorskip("scipy.interpolate")


def ppval(pp, x_new):
    """The spelling the spline refusals name: a PPoly's pieces evaluated on duals."""
    kk = pp.c.shape[0] - 1
    i = np.clip(np.searchsorted(pp.x, dg.stop_gradient(x_new), side='right') - 1, 0,
                len(pp.x) - 2)
    dx = x_new - pp.x[i]
    return sum(pp.c[j, i] * dx ** (kk - j) for j in range(kk + 1))


WAVE_T = np.linspace(5000.0, 5010.0, 201)
FLUX_T = 1 - 0.5 * np.exp(-0.5 * ((WAVE_T - 5005.0) / 0.3) ** 2)
WAVE = np.linspace(5003.0, 5007.0, 50)
C_LIGHT = 299792.458


@pytest.mark.parametrize("make", ["CubicSpline", "Akima1DInterpolator", "interp1d",
                                  "make_interp_spline"])
def test_doppler_shifted_template_spline(make):
    """A template spectrum Doppler-shifted by a dual velocity through a SciPy spline
    raises naming the spline's pieces in NumPy (interp1d's cubic kind: its own
    make_interp_spline(k=3), not np.interp's straight lines); so written, d flux / d v
    is SciPy's own derivative of the spline times -wave / c."""
    build = {"CubicSpline": lambda: interpolate.CubicSpline(WAVE_T, FLUX_T),
             "Akima1DInterpolator": lambda: interpolate.Akima1DInterpolator(WAVE_T, FLUX_T),
             "interp1d": lambda: interpolate.interp1d(WAVE_T, FLUX_T, kind="cubic"),
             "make_interp_spline": lambda: interpolate.make_interp_spline(WAVE_T, FLUX_T,
                                                                          k=3)}[make]
    s = build()
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda v: s(WAVE * (1 - v / C_LIGHT)), 3.0)
    msg = str(info.value)
    assert "the spline's pieces evaluated in NumPy, for duals in the points x_new" in msg
    assert "np.searchsorted(pp.x, dg.stop_gradient(x_new), side='right') - 1" in msg
    assert "sum(pp.c[j, i] * dx ** (kk - j) for j in range(kk + 1))" in msg
    if make == "interp1d":
        assert "make_interp_spline(x, y, k=3)" in msg and "np.interp" not in msg
        pp = interpolate.PPoly.from_spline(interpolate.make_interp_spline(WAVE_T, FLUX_T, k=3))
        spline1 = interpolate.make_interp_spline(WAVE_T, FLUX_T, k=3)
    elif make == "make_interp_spline":
        assert "PPoly.from_spline(s)" in msg
        pp, spline1 = interpolate.PPoly.from_spline(s), s
    else:
        assert "pp = s," in msg
        pp, spline1 = s, s
    f = lambda v: ppval(pp, WAVE * (1 - v / C_LIGHT))
    shifted = WAVE * (1 - 3.0 / C_LIGHT)
    np.testing.assert_allclose(f(3.0), s(shifted), rtol=1e-14, atol=1e-15)
    want = spline1(shifted, 1) * (-WAVE / C_LIGHT)
    got = dg.derivative(f, 3.0)
    assert np.abs(got - want).max() < 1e-13 * np.abs(want).max()


def test_spline_of_dual_data_basis_matrix():
    """Duals in a CubicSpline's data: the refusal names the plain basis matrix; B @ y
    against central differences of SciPy's spline (exact for a linear map up to
    rounding); PchipInterpolator (not linear in y) says so."""
    x = np.linspace(0.0, 1.0, 21)
    xn = np.linspace(0.05, 0.95, 7)
    y = np.sin(3 * x)
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda v: interpolate.CubicSpline(x, v)(xn), y)
    msg = str(info.value)
    assert "B = scipy.interpolate.CubicSpline(x, np.eye(len(x)), ...) evaluated at x_new" in msg
    B = interpolate.CubicSpline(x, np.eye(len(x)))(xn)
    J = dg.jacobian(lambda v: B @ v, y)
    Jc = np.column_stack([(interpolate.CubicSpline(x, y + e)(xn)
                           - interpolate.CubicSpline(x, y - e)(xn)) / 2 for e in np.eye(21)])
    assert np.abs(J - Jc).max() < 1e-14
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda v: interpolate.PchipInterpolator(x, v)(xn), y)
    assert "PchipInterpolator is not linear in y" in str(info.value)


def test_expn_and_kn_rows():
    """scipy.special.expn and kn are rows of the table (integer orders, plain): a slab's
    escaping flux 1 - 2 E_3(T) has slope 2 E_2(T) and curvature -2 E_1(T); the mean
    Lorentz factor of a Maxwell-Juttner gas, K_1(1/th) / K_2(1/th) + 3 th, against
    mpmath's derivative of the same expression."""
    mp = pytest.importorskip("mpmath")
    T = np.array([0.05, 0.7, 3.0])
    J = dg.jacobian(lambda t: 1 - 2 * special.expn(3, t), T)
    np.testing.assert_allclose(np.diag(J), 2 * special.expn(2, T), rtol=1e-14)
    H = dg.hessian(lambda t: np.sum(1 - 2 * special.expn(3, t)), T)
    np.testing.assert_allclose(np.diag(H), -2 * special.expn(1, T), rtol=1e-13)
    E0 = dg.derivative(lambda t: special.expn(0, t), 0.7)     # E_0 = exp(-x) / x
    np.testing.assert_allclose(E0, -np.exp(-0.7) * 1.7 / 0.49, rtol=1e-15)
    th = np.array([0.1, 1.0, 10.0])
    g = dg.jacobian(lambda q: special.kn(1, 1 / q) / special.kn(2, 1 / q) + 3 * q, th)
    with mp.workdps(30):
        want = [float(mp.diff(lambda q: mp.besselk(1, 1 / q) / mp.besselk(2, 1 / q) + 3 * q,
                              mp.mpf(t))) for t in th]
    np.testing.assert_allclose(np.diag(g), want, rtol=1e-13)


def test_instrumental_broadening_spellings():
    """scipy.ndimage.gaussian_filter1d and scipy.signal.fftconvolve refuse naming their
    NumPy spellings; the Gaussian one, with a dual width, is SciPy's value to rounding and
    its d / d sigma the closed form of the normalized truncated kernel's."""
    ndimage = pytest.importorskip("scipy.ndimage")
    signal = pytest.importorskip("scipy.signal")
    x = np.linspace(-3, 3, 60)
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda s: ndimage.gaussian_filter1d(np.exp(-x ** 2 / s), 2.0), 1.0)
    msg = str(info.value)
    assert "np.convolve(np.pad(x, r, mode='symmetric'), k, mode='valid')" in msg
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda s: signal.fftconvolve(np.exp(-x ** 2 / s), np.ones(5) / 5,
                                                   mode="same"), 1.0)
    assert "np.convolve(in1, in2, mode=mode)" in str(info.value)
    y = np.exp(-x ** 2)

    def broadened(sigma):
        r = int(4.0 * dg.stop_gradient(sigma) + 0.5)
        k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
        k = k / np.sum(k)
        return np.convolve(np.pad(y, r, mode='symmetric'), k, mode='valid')

    sigma = 2.0
    np.testing.assert_allclose(broadened(sigma), ndimage.gaussian_filter1d(y, sigma),
                               rtol=0, atol=1e-15)
    r = int(4.0 * sigma + 0.5)
    j = np.arange(-r, r + 1)
    g = np.exp(-0.5 * (j / sigma) ** 2)
    dg_ = g * j ** 2 / sigma ** 3
    dk = (dg_ * g.sum() - g * dg_.sum()) / g.sum() ** 2
    want = np.convolve(np.pad(y, r, mode='symmetric'), dk, mode='valid')
    got = dg.derivative(broadened, sigma)
    assert np.abs(got - want).max() < 1e-14 * np.abs(want).max()


def test_radial_velocity_example(capsys):
    """examples/radial_velocity.py: the loop's Jacobian trails its closed form, one exact
    Newton step fixes it, least_squares with dg.jacfwd converges, the Hessian is
    symmetric."""
    import runpy
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "examples" / "radial_velocity.py"
    if not path.exists():
        pytest.skip("examples/ not present")
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    loop = float(out.split("the loop alone rel. error ")[1].split(",")[0])
    step = float(out.split("with one exact Newton step rel. error ")[1].split()[0])
    assert 1e-12 < loop < 1e-9 and step < 1e-13
    assert out.count("success=True") == 2 and "Hessian symmetric: True" in out


def test_spline_derivative_call_names_its_order():
    """s(x_new, nu) with dual points: the spelling takes pp.derivative(nu) first, and so
    written gives SciPy's s(x_new, nu) and, as its derivative, s(x_new, nu + 1)."""
    x = np.linspace(0.0, 1.0, 21)
    s = interpolate.CubicSpline(x, np.sin(3 * x))
    xn = np.linspace(0.05, 0.95, 7)
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda v: s(xn * v, 1), 1.0)
    assert "pp = pp.derivative(1) (your nu=1)" in str(info.value)
    pp = s.derivative(1)
    np.testing.assert_allclose(ppval(pp, xn), s(xn, 1), rtol=1e-14)
    got = dg.derivative(lambda v: ppval(pp, xn * v), 1.0)
    np.testing.assert_allclose(got, s(xn, 2) * xn, rtol=1e-13)


def test_spherical_bessel_and_lambertw_spellings():
    """spherical_jn (a cosmological window's j_l(k r)) and lambertw (Parker's wind) refuse
    naming spellings through the table's jv and Newton steps on duals; so written, the
    values are SciPy's and the derivatives SciPy's derivative=True / W / (z (1 + W)) and
    mpmath's second derivative."""
    mp = pytest.importorskip("mpmath")
    x = np.array([0.3, 1.7, 8.0])
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda v: special.spherical_jn(2, v), x)
    assert "np.sqrt(np.pi / (2 * z)) * scipy.special.jv(n + 0.5, z)" in str(info.value)
    jn = lambda v: np.sqrt(np.pi / (2 * v)) * special.jv(2.5, v)
    np.testing.assert_allclose(jn(x), special.spherical_jn(2, x), rtol=1e-14)
    np.testing.assert_allclose(np.diag(dg.jacobian(jn, x)),
                               special.spherical_jn(2, x, derivative=True), rtol=1e-13)
    z = np.array([0.1, 1.0, 5.0])
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda v: special.lambertw(v).real, z)
    assert "two Newton steps on duals, w = w - (w * np.exp(w) - z)" in str(info.value)

    def W(v):
        w = special.lambertw(dg.stop_gradient(v)).real
        for _ in range(2):
            w = w - (w * np.exp(w) - v) / (np.exp(w) * (w + 1))
        return w

    w = special.lambertw(z).real
    np.testing.assert_allclose(W(z), w, rtol=1e-15)
    np.testing.assert_allclose(np.diag(dg.jacobian(W, z)), w / (z * (1 + w)), rtol=1e-14)
    H = dg.hessian(lambda v: np.sum(W(v)), z)
    with mp.workdps(30):
        want = [float(mp.re(mp.diff(mp.lambertw, mp.mpf(t), 2))) for t in z]
    np.testing.assert_allclose(np.diag(H), want, rtol=1e-13)


def test_dblquad_refusal_names_a_product_rule():
    """A projected surface density's 2-D integral by dblquad on duals names the product
    Gauss-Legendre rule; so written, d/ds matches dblquad of the analytic partial."""
    f = lambda y, x, s: np.exp(-(x ** 2 + y ** 2) / (2 * s ** 2))
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda s: integrate.dblquad(f, 0, 1, 0, 2, args=(s,))[0], 0.7)
    assert "np.polynomial.legendre.leggauss(50)" in str(info.value)

    def product(s):
        t, w = np.polynomial.legendre.leggauss(50)
        x, wx = (t + 1) / 2, w / 2
        y, wy = 2 * (t + 1) / 2, w
        X, Y = np.meshgrid(x, y, indexing='ij')
        return np.sum(wx[:, None] * wy[None, :] * f(Y, X, s))

    g = lambda y, x, s: f(y, x, s) * (x ** 2 + y ** 2) / s ** 3
    want = integrate.dblquad(g, 0, 1, 0, 2, args=(0.7,), epsabs=1e-13)[0]
    np.testing.assert_allclose(dg.derivative(product, 0.7), want, rtol=1e-12)


def test_expn_zero_order_second_derivative_at_its_pole():
    # E_0(x) = exp(-x) / x: E_0'' = exp(-x) (x^2 + 2x + 2) / x^3 -> +inf at 0 (it gave 0:
    # the one-term slope's tangent was an exact 0 times an infinite factor; attack48 07),
    # and E_1''' = -E_0'' with it; closed forms elsewhere
    sc = pytest.importorskip("scipy.special")
    d2 = lambda n, x: dg.derivative(lambda s: dg.derivative(lambda t: sc.expn(n, t), s), x)  # noqa
    assert d2(0, 0.0) == np.inf
    assert dg.hessian(lambda x: sc.expn(0, x[0]), np.array([0.0]))[0, 0] == np.inf
    assert dg.derivative(lambda s: d2(1, s), 0.0) == -np.inf
    for x in (1e-3, 0.5, 3.0):
        np.testing.assert_allclose(d2(0, x), np.exp(-x) * (x * x + 2 * x + 2) / x ** 3, rtol=1e-14)
