"""A geophysicist's first day (usergeo48): gravity of prisms, a finite-difference wave
equation, straight-ray tomography, Love-wave dispersion and receiver functions, each
derivative checked against an independent oracle (closed forms, the complex step,
mpmath, JAX), and the refusals a 2-D acoustic code from a public course meets."""

import runpy
from pathlib import Path

import numba
import numpy as np
import pytest

import dualgrad as dg

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


# ---- prism gravity (fatiando's gz): examples/prism_gravity.py ---------------------------
def test_prism_example_keeps_derivatives_with_constant_shifts(capsys):
    if not (EXAMPLES / "prism_gravity.py").exists():
        pytest.skip("examples/ not present")
    runpy.run_path(str(EXAMPLES / "prism_gravity.py"), run_name="__main__")
    out = capsys.readouterr().out
    rows = {line.split(":")[0]: [float(v) for v in line.rsplit("= ", 1)[1].split(", ")]
            for line in out.splitlines() if "max error in d gz" in line}
    fixed = rows["safe_atan2 by constant shifts"]
    guard = rows["fatiando's safe_atan2 (res[y == 0] = 0)"]
    assert len(fixed) == 4 and max(fixed) < 1e-13          # closed form (Leibniz's rule)
    # the constant write zeroes arctan2's derivative at stations in a face's plane: the
    # pitfall the example and docs/writing-code.md describe (the x1 and x2 columns)
    assert min(guard[:2]) > 0.1 and max(guard[2:]) < 1e-13
    assert float(out.split("approx_fprime of fatiando's spelling: max error ")[1]) < 1e-5


def test_prism_guard_by_shifts_has_fatiandos_values():
    ns = runpy.run_path(str(EXAMPLES / "prism_gravity.py"))
    rng = np.random.default_rng(3)
    y = np.concatenate([rng.standard_normal(50), [0.0, -0.0, 0.0, -0.0, 1.0, -1.0, 0.0]])
    x = np.concatenate([rng.standard_normal(50), [1.0, 1.0, -1.0, -1.0, 0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(ns["safe_atan2_exact"](y, x),
                                  ns["safe_atan2_fatiando"](y, x))
    # the derivative is arctan(y / x)'s at y == 0 on both sides of x = 0
    for x0 in (2.0, -4.0):
        d = dg.derivative(lambda t: ns["safe_atan2_exact"](t * np.ones(1), x0 * np.ones(1))[0],
                          0.0)
        assert d == pytest.approx(1.0 / x0, rel=1e-15)


# ---- a 2-D acoustic wave equation -------------------------------------------------------
N, DX, DT = 40, 10.0, 1e-3


def _traces(v, nt=60):
    depth = np.arange(N) * DX
    edges = np.linspace(0.0, depth[-1] + DX, v.shape[0] + 1)[1:-1]
    c2 = (v[np.digitize(depth, edges)][:, None] * np.ones((1, N)) * DT / DX) ** 2
    w = np.exp(-(0.05 * np.maximum(6 - np.minimum(np.arange(N), N - 1 - np.arange(N)), 0)) ** 2)
    damp = w[:, None] * w[None, :]
    t = np.arange(nt) * DT
    src = (1 - 2 * (np.pi * 40 * (t - 0.025)) ** 2) * np.exp(-(np.pi * 40 * (t - 0.025)) ** 2)
    u0, u1, out = np.zeros_like(c2), np.zeros_like(c2), []
    for n in range(nt):
        lap = np.roll(u1, 1, 0) + np.roll(u1, -1, 0) + np.roll(u1, 1, 1) + np.roll(u1, -1, 1) \
            - 4 * u1
        u2 = 2 * u1 - u0 + c2 * lap
        u2[8, 20] += src[n] * DT ** 2
        u0, u1 = u1 * damp, u2 * damp
        out.append(u1[4, 5:35:5])
    return np.stack(out)


def test_wave_equation_jacobian_and_jvp_match_the_complex_step():
    v = np.array([1500.0, 2200.0, 3000.0])
    w = np.array([1.0, -0.5, 0.25])
    J = dg.jacobian(_traces, v)
    Jc = np.stack([_traces(v + 1e-30j * e).imag / 1e-30 for e in np.eye(3)], -1)
    assert np.abs(Jc).max() > 0
    np.testing.assert_allclose(J, Jc, rtol=0, atol=1e-12 * np.abs(Jc).max())
    y, jv = dg.jvp(_traces, v, w)
    np.testing.assert_array_equal(y, _traces(v))
    jc = _traces(v + 1e-30j * w).imag / 1e-30
    np.testing.assert_allclose(jv, jc, rtol=0, atol=1e-12 * np.abs(jc).max())


# ---- daniel-koehn/Theory-of-seismic-waves-II 05_2D_acoustic_FD_modelling @ 6026efb0 -----
@numba.njit
def _update_d2px_d2pz(p, dx, dz, nx, nz, d2px, d2pz):
    for i in range(1, nx - 1):
        for j in range(1, nz - 1):
            d2px[i, j] = (p[i + 1, j] - 2 * p[i, j] + p[i - 1, j]) / dx**2
            d2pz[i, j] = (p[i, j + 1] - 2 * p[i, j] + p[i, j - 1]) / dz**2
    return d2px, d2pz


def _update_slices(p, dx, dz, nx, nz, d2px, d2pz):
    d2px, d2pz = np.zeros_like(p), np.zeros_like(p)
    d2px[1:-1, 1:-1] = (p[2:, 1:-1] - 2 * p[1:-1, 1:-1] + p[:-2, 1:-1]) / dx**2
    d2pz[1:-1, 1:-1] = (p[1:-1, 2:] - 2 * p[1:-1, 1:-1] + p[1:-1, :-2]) / dz**2
    return d2px, d2pz


def _koehn(layers, step="nt", seis_buffer="zeros", update=_update_d2px_d2pz, tmax=0.05):
    nx = nz = 24
    dx = dz = 10.0
    vp = np.zeros((nx, nz)) + layers[np.arange(nz) * len(layers) // nz][None, :]
    vp2 = vp ** 2
    dt = dx / (np.sqrt(2.0) * np.max(vp))                   # CFL from the dual velocities
    nt = int(tmax / dt) if step == "nt" else int(tmax / np.real(dg.stop_gradient(dt)))
    time = np.linspace(0 * dt, nt * dt, nt)
    src = -2. * (time - 0.01) * (100.0 ** 2) * np.exp(-(100.0 ** 2) * (time - 0.01) ** 2)
    p, pold = np.zeros((nx, nz)), np.zeros((nx, nz))
    d2px, d2pz = np.zeros((nx, nz)), np.zeros((nx, nz))
    if seis_buffer == "zeros":
        seis = np.zeros(nt)
    else:
        seis = np.zeros_like(layers, shape=nt)
    for it in range(nt):
        d2px, d2pz = update(p, dx, dz, nx, nz, d2px, d2pz)
        pnew = 2 * p - pold + vp2 * dt**2 * (d2px + d2pz)
        pnew[12, 1] = pnew[12, 1] + src[it] / (dx * dz) * dt ** 2
        pold, p = p, pnew
        seis[it] = p[12, 8]
    return seis


def test_koehns_code_is_refused_step_by_step_with_each_fix_named():
    layers = np.array([2000.0, 2500.0, 3000.0])
    with pytest.raises(TypeError, match=r"int\(d\).*stop_gradient"):
        dg.jacobian(_koehn, layers)
    with pytest.raises(TypeError, match=r"seis\[it\] = \.\.\. stores a dual.*"
                                        r"np\.zeros_like\("):
        dg.jacobian(_koehn, layers, "stop")
    with pytest.raises(TypeError, match=r"numba-jitted code uses a dual of more than one "
                                        r"dimension.*shape \(24, 24\).*on slices.*py_func"):
        dg.jacobian(_koehn, layers, "stop", "like")
    J = dg.jacobian(_koehn, layers, "stop", "like", _update_slices)
    Jc = np.stack([_koehn(layers + 1e-30j * e, "stop", "like", _update_slices).imag / 1e-30
                   for e in np.eye(3)], -1)
    assert np.abs(Jc).max() > 0
    np.testing.assert_allclose(J, Jc, rtol=0, atol=1e-12 * np.abs(Jc).max())


# ---- straight-ray travel-time tomography ----------------------------------------------
XG = ZG = np.arange(9) * 50.0
SRCS = np.stack([np.full(3, 5.0), [60.0, 200.0, 330.0]], 1)
RECS = np.stack([np.full(4, 395.0), [40.0, 150.0, 260.0, 370.0]], 1)


def _ray(a, b, s):
    d = b - a
    cross = np.concatenate([(XG - a[0]) / d[0], (ZG - a[1]) / d[1]])
    c0 = dg.stop_gradient(cross)
    # the end points apart from the crossings: a source on a grid line has a crossing at
    # exactly t = 0, and np.sort's tie with the end point 0.0 would average their partials
    t = np.concatenate([[0.0], np.sort(cross[(c0 > 0) & (c0 < 1)]), [1.0]])
    mid = 0.5 * (dg.stop_gradient(t)[1:] + dg.stop_gradient(t)[:-1])
    a0, d0 = dg.stop_gradient(a), dg.stop_gradient(d)
    ix = np.digitize(a0[0] + mid * d0[0], XG) - 1
    iz = np.searchsorted(ZG, a0[1] + mid * d0[1], side="right") - 1
    return np.sum(np.diff(t) * np.sqrt(np.sum(d * d)) * s[iz, ix])


def _times(s, src=SRCS):
    return np.stack([_ray(a, b, s.reshape(8, 8)) for a in src.reshape(-1, 2) for b in RECS])


def test_tomography_jacobian_pattern_and_source_derivatives():
    s = 5e-4 * (1 + 0.1 * np.random.default_rng(0).standard_normal(64))
    L = np.stack([_times(e) for e in np.eye(64)], 1)     # linear in s: the path lengths
    assert np.count_nonzero(L) > 64
    np.testing.assert_allclose(dg.jacobian(_times, s), L, rtol=1e-14, atol=1e-13)
    P = dg.sparsity(_times, s)
    assert not np.any((L != 0) & ~P.toarray())           # never misses a nonzero
    np.testing.assert_allclose(dg.jacobian(_times, s, sparsity=P).toarray(), L,
                               rtol=1e-14, atol=1e-13)
    # source positions in a constant medium: t = s |b - a|, dt/da = s (a - b) / |a - b|
    Ja = dg.jacobian(lambda a: _times(np.full(64, 5e-4), a), SRCS.ravel())
    ex = np.zeros_like(Ja)
    for i, A in enumerate(SRCS):
        for j, B in enumerate(RECS):
            ex[i * 4 + j, 2 * i:2 * i + 2] = 5e-4 * (A - B) / np.linalg.norm(A - B)
    np.testing.assert_allclose(Ja, ex, rtol=1e-13, atol=1e-18)


# ---- Love waves: brentq on plain values, Newton steps on duals (README's recipe) --------
RHO = np.array([2000.0, 2300.0, 2800.0])


def _secular(c, p, freq=2.0):
    beta, H = p[:3], p[3:]
    k = 2 * np.pi * freq / c
    mu = RHO * beta ** 2
    nu = k * np.sqrt((c / beta) ** 2 - 1 + 0j)
    ub, tb = 1.0 + 0j, 0.0 + 0j
    for i in range(2):
        a = nu[i] * H[i]
        ub, tb = (np.cos(a) * ub + np.sin(a) / (mu[i] * nu[i]) * tb,
                  -mu[i] * nu[i] * np.sin(a) * ub + np.cos(a) * tb)
    nh = k * np.sqrt(1 - (c / beta[2]) ** 2 + 0j)
    M = np.stack([np.stack([ub, 1.0 + 0j]), np.stack([tb, -mu[2] * nh])])
    return np.real(np.linalg.det(M)) / mu[0] / k


def _phase_velocity(p, steps=2, plain_slope=False):
    from scipy.optimize import brentq
    p0 = dg.stop_gradient(p)
    cs = np.linspace(p0[:2].min() * 1.0001, p0[2] * 0.9999, 200)
    v = np.array([_secular(c, p0) for c in cs])
    i = np.nonzero(np.sign(v[:-1]) != np.sign(v[1:]))[0][0]
    c = brentq(_secular, cs[i], cs[i + 1], args=(p0,), xtol=1e-14)
    slope = dg.derivative(_secular, c, p0)
    for _ in range(steps):
        c = c - _secular(c, p) / (slope if plain_slope else dg.derivative(_secular, c, p))
    return c


def _phase_velocity_mp(p):
    mp = pytest.importorskip("mpmath")

    def sec(c, q):
        k = 2 * mp.pi * 2 / c
        ub, tb = mp.mpc(1), mp.mpc(0)
        for i in range(2):
            mu = RHO[i] * q[i] ** 2
            nu = k * mp.sqrt(mp.mpc((c / q[i]) ** 2 - 1))
            a = nu * q[3 + i]
            ub, tb = (mp.cos(a) * ub + mp.sin(a) / (mu * nu) * tb,
                      -mu * nu * mp.sin(a) * ub + mp.cos(a) * tb)
        return mp.re(-RHO[2] * q[2] ** 2 * k * mp.sqrt(1 - (c / q[2]) ** 2) * ub - tb)
    return lambda q: mp.findroot(lambda c: sec(c, q), mp.mpf(_phase_velocity(p, 0)))


@pytest.mark.mp_dps(30)
def test_love_wave_phase_velocity_gradient_and_hessian_match_mpmath():
    mp = pytest.importorskip("mpmath")
    p = np.array([1000.0, 1800.0, 3000.0, 250.0, 400.0])
    root = _phase_velocity_mp(p)
    pm = [mp.mpf(v) for v in p]

    def moved(j, t):
        q = list(pm)
        q[j] = t
        return root(q)
    go = np.array([float(mp.diff(lambda t: moved(j, t), pm[j])) for j in range(5)])
    assert np.all(go != 0)
    np.testing.assert_allclose(dg.gradient(_phase_velocity, p), go, rtol=1e-12,
                               atol=1e-13 * np.abs(go).max())
    H = dg.hessian(_phase_velocity, p, 3, True)        # the slope at the plain root
    assert np.array_equal(H, H.T)
    # README's other spelling, g' computed on the duals (refused before f003f37)
    np.testing.assert_allclose(dg.hessian(_phase_velocity, p, 2), H, rtol=1e-10,
                               atol=1e-12 * np.abs(H).max())
    for j, l in ((0, 0), (0, 3), (1, 4), (2, 2)):
        def both(a, b, j=j, l=l):
            q = list(pm)
            q[j] += a
            q[l] += b
            return root(q)
        ho = float(mp.diff(both, (0, 0), (1, 1)))
        assert H[j, l] == pytest.approx(ho, rel=1e-9, abs=1e-12 * np.abs(H).max())


def test_hessian_through_a_derivative_of_complex_code():
    # an unused scalar-dual times complex-array product inside dg.derivative inside
    # dg.hessian made a later real * complex product raise 'after f made a NumPy object
    # array': the backend's finiteness test read a scalar dual of duals' .partials (an
    # object array of dualgrad's own, noted as f's)
    def g(c, p):
        s = np.sqrt((c / p[:2]) ** 2 - 1 + 0j)
        (2.0 / c) * s                                     # unused
        return np.real(s[0] * p[2])
    p = np.array([1.0, 2.0, 3.0])
    H = dg.hessian(lambda q: dg.derivative(g, 1.5 * q[0], q), p)
    # f(q) = dg/dc at c = 1.5 q0 = K q2 / q0 with K = 1.5 / sqrt(1.25)
    K = 1.5 / np.sqrt(1.25)
    ex = np.array([[2 * K * p[2] / p[0] ** 3, 0, -K / p[0] ** 2], [0, 0, 0],
                   [-K / p[0] ** 2, 0, 0]])
    np.testing.assert_allclose(H, ex, rtol=1e-13, atol=1e-13)


# ---- receiver functions (rfft, water level, irfft) against JAX --------------------------
def test_receiver_function_jacobian_matches_jax():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    jax.config.update("jax_enable_x64", True)
    nt, dt = 256, 0.05
    tt = np.arange(nt) * dt
    w = 2 * np.pi * np.fft.rfftfreq(nt, dt)
    src = np.exp(-((tt - 3.0) / 0.4) ** 2) * np.sin(2 * np.pi * 0.8 * (tt - 3.0))

    def rf(m, xp):
        vs = m[1] / m[2]
        tau = m[0] * (xp.sqrt(1 / vs ** 2 - 0.06 ** 2) - xp.sqrt(1 / m[1] ** 2 - 0.06 ** 2))
        S = xp.fft.rfft(src)
        R = m[3] * S * xp.exp(-1j * w * tau) + 0.3 * S
        den = xp.real(S * xp.conj(S))
        den = xp.maximum(den, 0.01 * xp.max(den))
        return xp.fft.irfft(R * xp.conj(S) / den * xp.exp(-w ** 2 / 25.0), nt)
    m = np.array([35.0, 6.3, 1.75, 0.25])
    J = dg.jacobian(lambda q: rf(q, np), m)
    Jj = np.asarray(jax.jacfwd(lambda q: rf(q, jnp))(jnp.asarray(m)))
    assert np.abs(Jj).max() > 0
    np.testing.assert_allclose(J, Jj, rtol=0, atol=1e-13 * np.abs(Jj).max())


# ---- scipy.signal on a modelled trace: the refusals name a linear-map spelling ---------
def test_scipy_signal_filters_name_a_spelling_that_matches_scipy():
    """A seismologist filters a modelled trace (plain coefficients, dual samples): SciPy's
    compiled filters refuse the duals; each message names M @ x with M the function of
    unit impulses (lfilter: the impulse response's convolution), and that spelling's
    Jacobian is SciPy's own function differenced (the functions are linear in x)."""
    ss = pytest.importorskip("scipy.signal")
    n = 48
    tr = np.sin(np.linspace(0.0, 9.0, n)) + 0.3 * np.cos(np.linspace(0.0, 31.0, n))
    b, a = ss.butter(4, 0.2)
    sos = ss.butter(4, 0.2, output="sos")
    I = np.eye(n)
    cases = {      # name: (SciPy's call on x, the message's spelling on x)
        "lfilter": (lambda x: ss.lfilter(b, a, x),
                    lambda x: np.convolve(x, ss.lfilter(b, a, I[0]))[:n]),
        "filtfilt": (lambda x: ss.filtfilt(b, a, x),
                     lambda x: ss.filtfilt(b, a, I, axis=0) @ x),
        "sosfiltfilt": (lambda x: ss.sosfiltfilt(sos, x),
                        lambda x: ss.sosfiltfilt(sos, I, axis=0) @ x),
        "detrend": (lambda x: ss.detrend(x), lambda x: ss.detrend(I, axis=0) @ x),
        "hilbert": (lambda x: np.abs(ss.hilbert(x)),
                    lambda x: np.abs(ss.hilbert(I, axis=0) @ x)),
        "resample": (lambda x: ss.resample(x, 32), lambda x: ss.resample(I, 32, axis=0) @ x),
        "decimate": (lambda x: ss.decimate(x, 2), lambda x: ss.decimate(I, 2, axis=0) @ x),
        "savgol_filter": (lambda x: ss.savgol_filter(x, 7, 2),
                          lambda x: ss.savgol_filter(I, 7, 2, axis=0) @ x),
    }
    p = np.array([1.3, 0.4])
    model = lambda p: p[0] * tr + p[1] * tr ** 2          # noqa: E731 a modelled trace
    for name, (scipy_f, spelled) in cases.items():
        with pytest.raises(TypeError, match=rf"scipy\.signal\.{name}.*Fix: write that step "
                                            r"as .*(M @ x|np\.convolve\(x, h\))"):
            dg.jacobian(lambda q: scipy_f(model(q)), p)
        J = dg.jacobian(lambda q: spelled(model(q)), p)
        np.testing.assert_allclose(spelled(model(p)), scipy_f(model(p)), rtol=1e-10,
                                   atol=1e-12)
        h = 1e-6
        fd = np.stack([(scipy_f(model(p + h * e)) - scipy_f(model(p - h * e))) / (2 * h)
                       for e in np.eye(2)], -1)
        assert np.abs(fd).max() > 0.1, name
        np.testing.assert_allclose(J, fd, rtol=0, atol=1e-7 * np.abs(fd).max(), err_msg=name)


def test_a_gather_filtered_along_its_last_axis_by_the_named_spelling():
    """SciPy filters along axis=-1 by default: the message's x @ M.T for a gather."""
    ss = pytest.importorskip("scipy.signal")
    b, a = ss.butter(4, 0.2)
    n = 40
    G = np.random.default_rng(0).standard_normal((3, n))
    model = lambda p: p[0] * G + p[1] * G ** 2              # noqa: E731
    with pytest.raises(TypeError, match=r"x @ M\.T"):
        dg.jacobian(lambda p: ss.filtfilt(b, a, model(p)), np.array([1.2, 0.3]))
    M = ss.filtfilt(b, a, np.eye(n), axis=0)
    p = np.array([1.2, 0.3])
    np.testing.assert_allclose(model(p) @ M.T, ss.filtfilt(b, a, model(p)), atol=1e-12)
    J = dg.jacobian(lambda q: model(q) @ M.T, p)
    h = 1e-6
    fd = np.stack([(ss.filtfilt(b, a, model(p + h * e)) - ss.filtfilt(b, a, model(p - h * e)))
                   / (2 * h) for e in np.eye(2)], -1)
    np.testing.assert_allclose(J, fd, rtol=0, atol=1e-7 * np.abs(fd).max())


def test_affine_signal_spellings_follow_to_the_right_value_and_jacobian():
    # attack48b 13: "M @ x, the function is linear in x" was offered for affine calls
    # (savgol_filter with cval=, sosfilt with zi=): followed literally, the value was 0.25 -
    # 0.70 off; the message now gives M @ x + c with c the response to zero
    ss = pytest.importorskip("scipy.signal")
    n = 40
    x0 = np.sin(np.arange(n) * 0.3)
    sos = ss.butter(4, 0.2, output="sos")
    zi = ss.sosfilt_zi(sos) * 0.7
    cases = [(lambda x: ss.savgol_filter(x, 7, 2, mode="constant", cval=1.5),
              lambda X: ss.savgol_filter(X, 7, 2, mode="constant", cval=1.5, axis=0), "cval="),
             (lambda x: ss.sosfilt(sos, x, zi=zi)[0],
              lambda X: ss.sosfilt(sos, X, axis=0, zi=np.repeat(zi[:, :, None], X.shape[1],
                                                                  axis=2))[0], "zi=")]
    for f, on_columns, named in cases:
        with pytest.raises(TypeError, match=rf"M @ x \+ c .*{named}"):
            dg.jacobian(f, x0)
        c = on_columns(np.zeros((n, 1)))[:, 0]
        M = on_columns(np.eye(n)) - c[:, None]
        np.testing.assert_allclose(M @ x0 + c, f(x0), atol=1e-13)
        h = 1e-6
        fd = np.stack([(f(x0 + h * e) - f(x0 - h * e)) / (2 * h) for e in np.eye(n)], axis=1)
        np.testing.assert_allclose(dg.jacobian(lambda x: M @ x + c, x0), fd, atol=1e-8)


def test_fftconvolve_same_spelling_has_scipys_length():
    ss = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match=r"\(len\(in2\) - 1\) // 2:\]\[:len\(in1\)\]"):
        dg.jacobian(lambda a: ss.fftconvolve(a, np.ones(9), mode="same"), np.ones(5))
    for la, lb in [(5, 9), (6, 8), (9, 5)]:
        a, b = rng.normal(size=la), rng.normal(size=lb)
        np.testing.assert_allclose(np.convolve(a, b)[(lb - 1) // 2:][:la],
                                   ss.fftconvolve(a, b, mode="same"), atol=1e-13)
