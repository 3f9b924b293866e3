"""An optics / signal-processing engineer's first day (useroptics52): complex fields, FFTs.

Every derivative is checked against an oracle that is no dualgrad path: a closed form
(Airy's single layer, a linear operator's matrix taken by NumPy on unit inputs, the
Hessian ``2 Re(A^H A)`` of a quadratic response fit, the DFT matrix), Richardson-
extrapolated central differences of SciPy's own functions, or a JAX port (skipped where
JAX is not installed).  The refusals of scipy.signal's responses and spectra and of
scipy.fft's DCTs name a NumPy spelling; each spelling is run on duals here against
SciPy's value and SciPy's differences.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import dualgrad as dg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
thin_film = pytest.importorskip("thin_film")
HAS_JAX = importlib.util.find_spec("jax") is not None
needs_jax = pytest.mark.skipif(not HAS_JAX, reason="jax not installed")


def rel(got, want):
    got, want = np.asarray(got), np.asarray(want)
    return np.max(np.abs(got - want)) / np.max(np.abs(want))


def richardson(f, x, h, levels=4):
    """Jacobian by central differences along each coordinate, Richardson-extrapolated."""
    x = np.asarray(x, float)
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = 1.0
        D = [(np.asarray(f(x + h / 2 ** k * e)) - np.asarray(f(x - h / 2 ** k * e)))
             / (2 * h / 2 ** k) for k in range(levels)]
        for m in range(1, levels):
            D = [(4 ** m * D[j + 1] - D[j]) / (4 ** m - 1) for j in range(len(D) - 1)]
        cols.append(D[0])
    return np.stack(cols, -1)


def jax_np():
    import jax
    jax.config.update("jax_enable_x64", True)
    return jax, jax.numpy


# ---- thin films ---------------------------------------------------------------------

def test_one_layer_reflectance_derivative_is_airys():
    lam = np.array([480.0, 550.0, 633.0])
    n1, d0 = 2.1, 80.0
    got = dg.jacobian(lambda d: thin_film.reflectance(d, [n1], wl=lam), np.array([d0]))[:, 0]
    r01 = (thin_film.N_IN - n1) / (thin_film.N_IN + n1)
    r12 = (n1 - thin_film.N_SUB) / (n1 + thin_film.N_SUB)
    e = np.exp(2j * (2 * np.pi * n1 * d0 / lam))
    r = (r01 + r12 * e) / (1 + r01 * r12 * e)
    dr = 2j * r12 * e * (1 - r01 ** 2) / (1 + r01 * r12 * e) ** 2
    want = 2 * (np.conj(r) * dr).real * (2 * np.pi * n1 / lam)
    assert rel(got, want) < 1e-13


def jax_reflectance(jnp, d, n, theta0, pol, wl):
    """The example's model, line by line in jax.numpy."""
    n_all = [thin_film.N_IN, *[n[i] for i in range(len(d))], thin_film.N_SUB]
    s0 = thin_film.N_IN * np.sin(theta0)
    cos_all = []
    for ni in n_all:
        c = jnp.sqrt(1.0 - (s0 / ni) ** 2 + 0j)
        cos_all.append(jnp.where((ni * c).imag > 0, -c, c))
    eta = [ni * ci if pol == "s" else ni / ci for ni, ci in zip(n_all, cos_all)]
    M = jnp.eye(2, dtype=complex)
    for i in range(len(d)):
        delta = 2 * np.pi * n_all[i + 1] * cos_all[i + 1] * d[i] / wl
        c, s = jnp.cos(delta), jnp.sin(delta)
        Mi = jnp.stack([jnp.stack([c, 1j * s / eta[i + 1]], -1),
                        jnp.stack([1j * eta[i + 1] * s, c], -1)], -2)
        M = M @ Mi
    B = M[..., 0, 0] + M[..., 0, 1] * eta[-1]
    C = M[..., 1, 0] + M[..., 1, 1] * eta[-1]
    return jnp.abs((eta[0] * B - C) / (eta[0] * B + C)) ** 2


@needs_jax
def test_stack_gradient_matches_a_jax_port():
    jax, jnp = jax_np()
    theta0, wl = np.deg2rad(30.0), thin_film.WL[::12]
    k = np.array([0.0, 0.05, 0.0])                     # an absorbing middle layer

    def loss(p, xp=np):
        d, n = p[:3], p[3:] - 1j * k
        model = thin_film.reflectance if xp is np else \
            (lambda *a: jax_reflectance(jnp, *a))
        return 0.5 * (xp.mean(model(d, n, theta0, "s", wl))
                      + xp.mean(model(d, n, theta0, "p", wl)))
    p0 = np.array([110.0, 8.0, 95.0, 1.46, 1.9, 1.38])
    assert abs(loss(p0) - float(loss(p0, jnp))) < 1e-14
    assert rel(dg.gradient(loss, p0), jax.jit(jax.grad(lambda p: loss(p, jnp)))(p0)) < 1e-12


def test_stack_hessian_matches_second_differences():
    """The Hessian against Richardson-extrapolated four-point second differences of the
    plain loss (JAX's eager Hessian of this loop takes a minute here)."""
    theta0, wl = np.deg2rad(30.0), thin_film.WL[::12]
    k = np.array([0.0, 0.05, 0.0])

    def loss(p):
        d, n = p[:3], p[3:] - 1j * k
        return 0.5 * (np.mean(thin_film.reflectance(d, n, theta0, "s", wl))
                      + np.mean(thin_film.reflectance(d, n, theta0, "p", wl)))
    p0 = np.array([110.0, 8.0, 95.0, 1.46, 1.9, 1.38])
    steps = np.array([4.0, 4.0, 4.0, 0.04, 0.04, 0.04])
    H = dg.hessian(loss, p0)
    assert np.array_equal(H, H.T)
    want = np.empty((6, 6))
    for i in range(6):
        for j in range(6):
            ei, ej = np.eye(6)[i] * steps[i], np.eye(6)[j] * steps[j]
            D = [(loss(p0 + (ei + ej) / 2 ** m) - loss(p0 + (ei - ej) / 2 ** m)
                  - loss(p0 - (ei - ej) / 2 ** m) + loss(p0 - (ei + ej) / 2 ** m))
                 / (4 * steps[i] * steps[j] / 4 ** m) for m in range(4)]
            for m in range(1, 4):
                D = [(4 ** m * D[q + 1] - D[q]) / (4 ** m - 1) for q in range(len(D) - 1)]
            want[i, j] = D[0]
    assert rel(H, want) < 1e-8


def test_example_reflectance_is_tmms_convention_n_minus_ik():
    """tmm's coh_tmm for one absorbing layer (n + ik there), by Airy's formula with the
    phase thickness of decaying sign: the example's n - ik gives the same R."""
    n1, d0, lam = 1.9 - 0.3j, 40.0, np.array([550.0])
    got = thin_film.reflectance(np.array([d0]), [n1], wl=lam)[0]
    nt = np.conj(n1)                                     # tmm's n + ik
    r01 = (thin_film.N_IN - nt) / (thin_film.N_IN + nt)
    r12 = (nt - thin_film.N_SUB) / (nt + thin_film.N_SUB)
    e = np.exp(2j * 2 * np.pi * nt * d0 / lam[0])      # |e| < 1: decays in the layer
    want = abs((r01 + r12 * e) / (1 + r01 * r12 * e)) ** 2
    assert abs(got - want) < 1e-14


# ---- Fourier optics -----------------------------------------------------------------

N = 10
_Y, _X = np.mgrid[:N, :N] - N / 2
APERTURE = np.exp(-(_X ** 2 + _Y ** 2) / 10.0)
_K = 2 * np.pi / 0.6
_KX = np.fft.fftshift(np.fft.fftfreq(N, 0.5) * 2 * np.pi)
_KYY, _KXX = np.meshgrid(_KX, _KX, indexing="xy")
KZ = np.sqrt(0j + _K ** 2 - _KXX ** 2 - _KYY ** 2)      # evanescent rows imaginary


def propagate(e, z=20.0):
    """The angular-spectrum method on a shifted spectrum, as it is written in the wild."""
    E = np.fft.fftshift(np.fft.fft2(e))
    return np.fft.ifft2(np.fft.ifftshift(E * np.exp(1j * KZ * z)))


def intensity(phi):
    return (np.abs(propagate(APERTURE * np.exp(1j * phi.reshape(N, N)))) ** 2).ravel()


def test_propagated_intensity_jacobian_in_phase_pixels_is_the_operators():
    phi = np.random.default_rng(0).uniform(-1, 1, N * N)
    P = np.stack([propagate(e.reshape(N, N)).ravel() for e in np.eye(N * N)], -1)
    u = P @ (APERTURE.ravel() * np.exp(1j * phi))
    want = 2 * np.real(np.conj(u)[:, None] * P
                       * (1j * APERTURE.ravel() * np.exp(1j * phi))[None, :])
    assert rel(dg.jacobian(intensity, phi), want) < 1e-13
    with pytest.warns(UserWarning, match=r"expected a sparse one.*np\.fft\.fft2 couples"):
        J = dg.jacobian(intensity, phi, sparsity="auto")
    assert rel(J.toarray(), want) < 1e-13


def test_row_by_row_propagation_has_a_block_pattern_and_its_values():
    def rows(phi):
        e = APERTURE * np.exp(1j * phi.reshape(N, N))
        E = np.fft.fftshift(np.fft.fft(e, axis=1), axes=1)
        u = np.fft.ifft(np.fft.ifftshift(E * np.exp(1j * KZ[N // 2] * 20.0), axes=1), axis=1)
        return (np.abs(u) ** 2).ravel()
    phi = np.random.default_rng(1).uniform(-1, 1, N * N)
    P = dg.sparsity(rows, phi)
    assert P.nnz == N ** 3
    assert (P.toarray() == np.kron(np.eye(N), np.ones((N, N)))).all()
    dense = dg.jacobian(rows, phi)
    assert np.array_equal(dg.jacobian(rows, phi, sparsity=P).toarray(), dense)
    assert rel(dense, richardson(rows, phi, 0.05)) < 1e-8


def test_gerchberg_saxton_loss_gradient_is_its_closed_form():
    rng = np.random.default_rng(2)
    target = np.abs(np.fft.fft2(APERTURE * np.exp(1j * rng.uniform(-2, 2, (N, N))))) / N

    def loss(phi):
        U = np.fft.fft2(APERTURE * np.exp(1j * phi.reshape(N, N))) / N
        return np.sum((np.abs(U) - target) ** 2)
    phi = rng.uniform(-1, 1, N * N)
    u = APERTURE * np.exp(1j * phi.reshape(N, N))
    U = np.fft.fft2(u) / N
    G = 2 * (np.abs(U) - target) * U / np.abs(U)          # dL = Re <G, dU>
    want = np.real(np.conj(N * np.fft.ifft2(G)) * 1j * u).ravel()   # F^H = N ifft2
    assert rel(dg.gradient(loss, phi), want) < 1e-13


def test_holomorphic_transforms_have_their_matrices():
    z = np.random.default_rng(3).normal(size=6) + 1j * np.random.default_rng(4).normal(size=6)
    F = np.fft.fft(np.eye(6), axis=0)
    assert rel(dg.jacobian(lambda q: np.fft.fft(q ** 2), z, holomorphic=True),
               F * 2 * z[None, :]) < 1e-14
    Fi, S = np.fft.ifft(np.eye(6), axis=0), np.fft.fftshift(np.eye(6), axes=0)
    got = dg.jacobian(lambda q: np.fft.ifft(np.fft.fftshift(q) * np.exp(1j * np.arange(6))),
                      z, holomorphic=True)
    assert rel(got, Fi @ np.diag(np.exp(1j * np.arange(6))) @ S) < 1e-14
    with pytest.raises(TypeError, match="not holomorphic"):
        dg.jacobian(np.fft.irfft, z, holomorphic=True)


@needs_jax
def test_zernike_strehl_hessian_matches_jax():
    jax, jnp = jax_np()
    M = 12
    yy, xx = (np.mgrid[:M, :M] - (M - 1) / 2) / ((M - 1) / 2)
    r, t = np.hypot(xx, yy), np.arctan2(yy, xx)
    pupil = (r <= 1).astype(float)
    Z = np.stack([np.sqrt(3) * (2 * r ** 2 - 1), np.sqrt(6) * r ** 2 * np.cos(2 * t),
                  np.sqrt(8) * (3 * r ** 3 - 2 * r) * np.cos(t)])

    def strehl(c, xp=np):
        W = xp.tensordot(c, Z, axes=1)
        psf = xp.abs(xp.fft.fftshift(xp.fft.fft2(pupil * xp.exp(2j * np.pi * W),
                                                 s=(2 * M, 2 * M)))) ** 2
        return psf[M, M] / np.sum(pupil) ** 2
    c0 = np.array([0.05, -0.03, 0.02])
    assert rel(dg.gradient(strehl, c0), jax.jit(jax.grad(lambda c: strehl(c, jnp)))(c0)) \
        < 1e-12
    assert rel(dg.hessian(strehl, c0), jax.jit(jax.hessian(lambda c: strehl(c, jnp)))(c0)) \
        < 1e-12


def lossy_delta(p):
    """A Berreman-like 4 x 4 matrix of a tilted uniaxial, slightly absorbing layer:
    complex eigenvalues (its modes' kz), no symmetry."""
    no, ne, t = p[0], p[1], p[2]
    eo, ee, c, s, kx, z = no ** 2, ne ** 2, np.cos(t), np.sin(t), 0.3, 0 * p[0]
    exx, ezz, exz = eo * c ** 2 + ee * s ** 2, eo * s ** 2 + ee * c ** 2, (ee - eo) * s * c
    return np.stack([np.stack([-kx * exz / ezz, 1 - kx ** 2 / ezz, z, z]),
                     np.stack([exx - exz ** 2 / ezz, -kx * exz / ezz, z, z]),
                     np.stack([z, z, z, 1 + z]),
                     np.stack([z, z, eo - kx ** 2, z])]) * (1 + 0.01j)


def layer_propagator_by_modes(p, d=0.4):
    """The layer's propagator from its modes, as RCWA and 4 x 4 codes write it:
    basis-free (each eigenvector's phase and scale cancel in V diag(.) V^-1)."""
    q, V = np.linalg.eig(lossy_delta(p))
    return V @ np.diag(np.exp(1j * 2 * np.pi / 0.55 * d * q)) @ np.linalg.inv(V)


def test_layer_propagator_by_expm_is_exact():
    from dualgrad.scipy.linalg import expm

    def prop(p):
        return np.abs(expm(1j * 2 * np.pi / 0.55 * 0.4 * lossy_delta(p))).ravel() ** 2
    p0 = np.array([1.55, 1.70, 0.4])
    assert rel(prop(p0), np.abs(layer_propagator_by_modes(p0)).ravel() ** 2) < 1e-13
    assert rel(dg.jacobian(prop, p0), richardson(prop, p0, 1e-2)) < 1e-10


def test_layer_propagator_by_modes_is_differentiated():
    p0 = np.array([1.55, 1.70, 0.4])

    def prop(p):
        return np.abs(layer_propagator_by_modes(p)).ravel() ** 2
    assert rel(dg.jacobian(prop, p0), richardson(prop, p0, 1e-2)) < 1e-10


@pytest.mark.parametrize("kind", ["complex", "real with complex pairs"])
def test_lapack_eigenvector_convention_is_differentiable(kind):
    """What the xfail above needs (no dualgrad here): NumPy's eigenvectors have unit
    norm and their largest component real, and ``dV = V (F * E)`` less ``V Re(V^H dV)``
    (the norm) less ``i V Im(dV_k) / V_k`` (the largest component k stays real) is the
    derivative of NumPy's own V, against Richardson differences of np.linalg.eig."""
    rng = np.random.default_rng(7)
    A, dA = rng.normal(size=(2, 4, 4)) + (1j * rng.normal(size=(2, 4, 4))
                                           if kind == "complex" else 0)
    w, V = np.linalg.eig(A)
    assert np.iscomplexobj(w) and np.allclose(np.linalg.norm(V, axis=0), 1.0)
    k = np.argmax(np.abs(V), axis=0)
    cols = np.arange(4)
    assert np.all(V[k, cols].imag == 0)
    E = np.linalg.inv(V) @ dA @ V
    F = 1.0 / (w[None, :] - w[:, None] + np.eye(4)) - np.eye(4)
    dV = V @ (F * E)
    dV = dV - V * np.real(np.sum(np.conj(V) * dV, axis=0))
    dV = dV - 1j * V * (dV[k, cols].imag / V[k, cols].real)

    def numpys_vectors(t):
        w2, V2 = np.linalg.eig(A + t[0] * dA)
        order = [np.argmin(np.abs(w2 - wi)) for wi in w]     # LAPACK's order may move
        return np.stack([V2[:, order].real, V2[:, order].imag])
    want = richardson(numpys_vectors, np.array([0.0]), 1e-3)[..., 0]
    assert rel(np.stack([dV.real, dV.imag]), want) < 1e-9


# ---- filter design ------------------------------------------------------------------

W = np.linspace(0, np.pi, 48)
A = np.exp(-1j * np.outer(W, np.arange(9)))
DESIRED = (W < 1.2).astype(float)
H0 = np.hamming(9) * np.sinc(1.2 / np.pi * (np.arange(9) - 4)) * 1.2 / np.pi


def test_quadratic_response_fit_hessian_is_two_re_ahA():
    def fit(h):
        return np.sum(np.abs(A @ h - DESIRED * np.exp(-4j * W)) ** 2)
    H = dg.hessian(fit, H0)
    assert rel(H, 2 * np.real(A.conj().T @ A)) < 1e-14


@needs_jax
def test_magnitude_response_hessian_matches_jax():
    jax, jnp = jax_np()
    H = dg.hessian(lambda h: np.sum((np.abs(A @ h) - DESIRED) ** 2), H0)
    want = jax.jit(jax.hessian(lambda h: jnp.sum((jnp.abs(jnp.asarray(A) @ h) - DESIRED) ** 2)))(H0)
    assert rel(H, want) < 1e-13


# ---- scipy.signal / scipy.fft refusals name a NumPy spelling that holds ----------------

ss = pytest.importorskip("scipy.signal")
sfft = pytest.importorskip("scipy.fft")


def refusal(f, x):
    with pytest.raises(TypeError) as info:
        dg.jacobian(f, x)
    return str(info.value)


def freqz_spelled(b, a, worN, whole=False):
    w = np.linspace(0, 2 * np.pi if whole else np.pi, worN, endpoint=False)
    zm1 = np.exp(-1j * w)
    return np.polyval(b[::-1], zm1) / np.polyval(a[::-1], zm1)


@pytest.mark.parametrize("whole", [False, True])
def test_freqz_refusal_spells_the_response(whole):
    p0 = np.array([0.2, 0.4, 0.2, 1.0, -0.5, 0.2])
    text = refusal(lambda p: np.abs(ss.freqz(p[:3], p[3:], worN=16)[1]), p0)
    assert "h = np.polyval(b[::-1], zm1) / np.polyval(a[::-1], zm1)" in text
    assert rel(freqz_spelled(p0[:3], p0[3:], 16, whole),
               ss.freqz(p0[:3], p0[3:], worN=16, whole=whole)[1]) < 1e-14
    got = dg.jacobian(lambda p: np.abs(freqz_spelled(p[:3], p[3:], 16, whole)), p0)
    want = richardson(lambda p: np.abs(ss.freqz(p[:3], p[3:], worN=16, whole=whole)[1]),
                      p0, 1e-3)
    assert rel(got, want) < 1e-10


def test_sosfreqz_refusal_spells_the_sections_product():
    sos = ss.butter(4, 0.3, output="sos")
    text = refusal(lambda q: np.abs(ss.sosfreqz(q.reshape(sos.shape), worN=16)[1]),
                   sos.ravel())
    assert "np.prod(np.stack([np.polyval(s[2::-1], zm1)" in text

    def spelled(q):
        w = np.linspace(0, np.pi, 16, endpoint=False)
        zm1 = np.exp(-1j * w)
        return np.prod(np.stack([np.polyval(s[2::-1], zm1) / np.polyval(s[:2:-1], zm1)
                                 for s in q.reshape(sos.shape)]), axis=0)
    assert rel(spelled(sos.ravel()), ss.sosfreqz(sos, worN=16)[1]) < 1e-13
    keep = [i for i in range(sos.size) if i % 6 != 3]        # SciPy wants a0 = 1

    def scipy_abs(q):
        full = sos.ravel().copy()
        full[keep] = q
        return np.abs(ss.sosfreqz(full.reshape(sos.shape), worN=16)[1])
    got = dg.jacobian(lambda q: np.abs(spelled(q)), sos.ravel())[:, keep]
    assert rel(got, richardson(scipy_abs, sos.ravel()[keep], 1e-4)) < 1e-9


@pytest.mark.parametrize("n", [16, 17])
@pytest.mark.parametrize("window, scaling", [("boxcar", "density"), ("hann", "density"),
                                             ("hann", "spectrum")])
def test_periodogram_refusal_spells_the_estimate(n, window, scaling):
    x0 = np.random.default_rng(n).normal(size=n)
    text = refusal(lambda x: ss.periodogram(x, fs=10.0)[1], x0)
    assert "P = np.abs(np.fft.rfft((x - np.mean(x)) * win)) ** 2" in text

    def spelled(x, fs=10.0):
        win = ss.get_window(window, len(x))
        norm = fs * np.sum(win ** 2) if scaling == "density" else np.sum(win) ** 2
        P = np.abs(np.fft.rfft((x - np.mean(x)) * win)) ** 2 / norm
        if len(x) % 2:
            P[1:] *= 2
        else:
            P[1:-1] *= 2
        return P

    def scipy_p(x):
        return ss.periodogram(x, fs=10.0, window=window, scaling=scaling)[1]
    assert rel(spelled(x0), scipy_p(x0)) < 1e-13
    assert rel(dg.jacobian(spelled, x0), richardson(scipy_p, x0, 0.1)) < 1e-10


def test_welch_refusal_spells_the_averaged_segments():
    x0 = np.random.default_rng(5).normal(size=40)
    text = refusal(lambda x: ss.welch(x, nperseg=16)[1], x0)
    assert "sliding_window_view(x, nperseg)[::nperseg - noverlap]" in text

    def spelled(x, fs=10.0, nperseg=16):
        s = np.lib.stride_tricks.sliding_window_view(x, nperseg)[::nperseg - nperseg // 2]
        win = ss.get_window("hann", nperseg)
        P = np.mean(np.abs(np.fft.rfft((s - np.mean(s, axis=-1, keepdims=True)) * win,
                                       axis=-1)) ** 2, axis=0) / (fs * np.sum(win ** 2))
        P[1:-1] *= 2
        return P

    def scipy_p(x):
        return ss.welch(x, fs=10.0, nperseg=16)[1]
    assert rel(spelled(x0), scipy_p(x0)) < 1e-13
    assert rel(dg.jacobian(spelled, x0), richardson(scipy_p, x0, 0.1)) < 1e-10


@pytest.mark.parametrize("name", ["dct", "idct", "dst", "idst"])
@pytest.mark.parametrize("kind", [1, 2, 3, 4])
def test_dct_refusal_spells_its_matrix(name, kind):
    F = getattr(sfft, name)
    x0 = np.random.default_rng(kind).normal(size=(3, 7))
    text = refusal(lambda x: F(x, kind, norm="ortho"), x0)
    assert f"x @ C.T with C = {name}(np.eye(n), type, axis=0, norm=norm)" in text
    C = F(np.eye(7), kind, axis=0, norm="ortho")
    assert rel(x0 @ C.T, F(x0, kind, norm="ortho")) < 1e-13
    J = dg.jacobian(lambda x: x @ C.T, x0)        # the transform's own columns
    want = np.stack([F(e.reshape(3, 7), kind, norm="ortho") for e in np.eye(21)], -1)
    assert rel(J, want.reshape(3, 7, 3, 7)) < 1e-13


def test_complex_scalar_duals_in_a_list_name_the_line():
    """tmm's coh_tmm builds ``vw = array([[t], [0]])`` from a complex amplitude."""
    def f(p):
        t = np.exp(1j * p[0])
        vw = np.array([[t], [0]])
        return np.abs(vw).ravel()
    text = refusal(f, np.array([0.3]))
    assert text.startswith("dualgrad.jacobian: np.array([z1, z2])")
    assert "(at line" in text and "`vw = np.array([[t], [0]])`" in text


# ---- special functions of diffraction and scattering ----------------------------------

sp = pytest.importorskip("scipy.special")


def test_fresnel_refusal_spells_it_by_the_complex_erf():
    x = np.array([-3.2, -0.4, 0.3, 1.1, 2.5, 7.9, 40.3])
    text = refusal(lambda t: sp.fresnel(t)[0], x)
    assert "F = (1 + 1j) / 2 * scipy.special.erf((1 - 1j) / 2 * np.sqrt(np.pi) * x)" in text

    def spelled(t):
        F = (1 + 1j) / 2 * sp.erf((1 - 1j) / 2 * np.sqrt(np.pi) * t)
        return F.imag, F.real
    S, C = sp.fresnel(x)
    assert np.max(np.abs(np.concatenate(spelled(x)) - np.concatenate([S, C]))) < 1e-14
    S, C = sp.fresnel(1e3)
    assert max(abs(spelled(np.array(1e3))[0] - S), abs(spelled(np.array(1e3))[1] - C)) < 1e-13
    J = dg.jacobian(lambda t: np.concatenate(spelled(t)), x)       # S' and C' closed forms
    want = np.concatenate([np.diag(np.sin(np.pi * x ** 2 / 2)),
                           np.diag(np.cos(np.pi * x ** 2 / 2))])
    assert np.max(np.abs(J - want)) < 1e-12
    H = dg.hessian(lambda t: np.sum(spelled(t)[0]), x)
    assert np.max(np.abs(np.diag(H) - np.pi * x * np.cos(np.pi * x ** 2 / 2))) < 1e-11


@pytest.mark.parametrize("name", ["hankel1", "hankel2", "hankel1e", "hankel2e"])
@pytest.mark.parametrize("v", [0.0, 1.0, 2.5])
def test_hankel_refusal_spells_it_by_jv_and_yv(name, v):
    z0 = np.array([0.3, 1.1, 2.5, 9.0])
    fac = 1.5 + 0.1j                                 # a Mie size parameter's m x: complex
    H = getattr(sp, name)
    text = refusal(lambda t: np.abs(H(v, t * fac)), z0)
    sign = "+" if name.startswith("hankel1") else "-"
    assert f"scipy.special.jv(v, z) {sign} 1j * scipy.special.yv(v, z)" in text

    def spelled(t):
        z = t * fac
        out = sp.jv(v, z) + (1j if sign == "+" else -1j) * sp.yv(v, z)
        if name.endswith("e"):
            out = out * np.exp((-1j if sign == "+" else 1j) * z)
        return out
    assert rel(spelled(z0), H(v, z0 * fac)) < 1e-14
    got = dg.jacobian(lambda t: np.abs(spelled(t)), z0)
    assert rel(got, richardson(lambda t: np.abs(H(v, t * fac)), z0, 1e-3)) < 1e-10


def test_kaiser_with_a_dual_beta_names_scipys_i0():
    text = refusal(lambda b: np.kaiser(9, b[0]), np.array([5.0]))
    assert text.startswith("dualgrad: np.i0 is not supported")
    assert "scipy.special.i0(beta * np.sqrt(1 - (2 * np.arange(M) / (M - 1) - 1) ** 2))" in text

    def spelled(b, M=9):
        return sp.i0(b * np.sqrt(1 - (2 * np.arange(M) / (M - 1) - 1) ** 2)) / sp.i0(b)
    assert rel(spelled(5.0), np.kaiser(9, 5.0)) < 1e-14
    got = dg.jacobian(lambda b: spelled(b[0]), np.array([5.0]))
    assert rel(got, richardson(lambda b: np.kaiser(9, b[0]), np.array([5.0]), 1e-2)) < 1e-10


# ---- scipy.ndimage: linear in the image, or a Fourier multiplier -------------------------

nd = pytest.importorskip("scipy.ndimage")
IMG = np.outer(np.hanning(7), np.hanning(6)) + 0.1 * np.arange(42.0).reshape(7, 6) / 42


@pytest.mark.parametrize("name, args, kwargs", [
    ("convolve", (np.arange(9.0).reshape(3, 3) / 9,), {}),
    ("correlate", (np.arange(9.0).reshape(3, 3) / 9,), {"mode": "wrap"}),
    ("gaussian_filter", (1.0,), {}),
    ("uniform_filter", (3,), {}),
    ("shift", ((0.5, -1.2),), {}),
    ("zoom", (1.5,), {"order": 1}),
    ("rotate", (30.0,), {"reshape": False}),
    ("map_coordinates", ([[1.5, 2.2, 5.9], [0.3, 4.4, 2.0]],), {"order": 1}),
    ("sobel", (), {}),
])
def test_ndimage_refusal_spells_its_matrix(name, args, kwargs):
    fn = getattr(nd, name)
    text = refusal(lambda x: np.ravel(fn(x.reshape(IMG.shape), *args, **kwargs)), IMG.ravel())
    assert "(M @ x.ravel()).reshape(y.shape) where only the image x is a dual" in text
    assert f"scipy.ndimage.{name}(e.reshape(x.shape), ...)" in text
    y = fn(IMG, *args, **kwargs)
    M = np.stack([fn(e.reshape(IMG.shape), *args, **kwargs).ravel()
                  for e in np.eye(IMG.size)], axis=-1)

    def spelled(x):
        return (M @ x).reshape(y.shape)
    assert rel(spelled(IMG.ravel()), y) < 1e-13
    got = dg.jacobian(lambda x: spelled(x).ravel(), IMG.ravel())
    want = richardson(lambda x: fn(x.reshape(IMG.shape), *args, **kwargs).ravel(),
                      IMG.ravel(), 0.1, levels=2)     # linear: differences are exact
    assert rel(got, want) < 1e-10


def test_fourier_shift_and_gaussian_refusals_spell_the_multipliers():
    F0 = np.fft.fft2(IMG)
    f0, f1 = np.fft.fftfreq(7)[:, None], np.fft.fftfreq(6)[None, :]
    text = refusal(lambda s: np.abs(nd.fourier_shift(F0, (s[0], s[1]))).ravel(),
                   np.array([1.3, -0.4]))
    assert "F * np.exp(-2j * np.pi * (np.fft.fftfreq(F.shape[0])[:, None] * s[0]" in text

    def shifted(s):
        return np.real(np.fft.ifft2(F0 * np.exp(-2j * np.pi * (f0 * s[0] + f1 * s[1]))))
    s0 = np.array([1.3, -0.4])
    assert rel(shifted(s0), np.real(np.fft.ifft2(nd.fourier_shift(F0, s0)))) < 1e-13
    want = richardson(lambda s: np.real(np.fft.ifft2(nd.fourier_shift(F0, s))).ravel(),
                      s0, 1e-2)
    assert rel(dg.jacobian(lambda s: shifted(s).ravel(), s0), want) < 1e-9
    text = refusal(lambda g: np.abs(nd.fourier_gaussian(F0, g[0])).ravel(), np.array([0.8]))
    assert "F * np.exp(-2 * np.pi ** 2 * sigma ** 2 *" in text

    def blurred(g):
        return np.real(np.fft.ifft2(F0 * np.exp(-2 * np.pi ** 2 * g[0] ** 2
                                                 * (f0 ** 2 + f1 ** 2))))
    g0 = np.array([0.8])
    assert rel(blurred(g0), np.real(np.fft.ifft2(nd.fourier_gaussian(F0, 0.8)))) < 1e-13
    want = richardson(lambda g: np.real(np.fft.ifft2(nd.fourier_gaussian(F0, g[0]))).ravel(),
                      g0, 1e-2)
    assert rel(dg.jacobian(lambda g: blurred(g).ravel(), g0), want) < 1e-9


@pytest.mark.parametrize("f0, t1, f1, phi", [(2.0, 1.0, 7.0, 0.0), (0.5, 3.0, 0.1, 30.0)])
def test_chirp_refusal_spells_the_linear_sweep(f0, t1, f1, phi):
    t = np.linspace(-7, 9, 60)
    text = refusal(lambda q: ss.chirp(t, q[0], q[1], q[2], phi=phi), np.array([f0, t1, f1]))
    assert "np.cos(2 * np.pi * (f0 * t + 0.5 * (f1 - f0) / t1 * t ** 2)" in text

    def spelled(q):
        return np.cos(2 * np.pi * (q[0] * t + 0.5 * (q[2] - q[0]) / q[1] * t ** 2)
                      + np.deg2rad(phi))
    q0 = np.array([f0, t1, f1])
    assert np.max(np.abs(spelled(q0) - ss.chirp(t, f0, t1, f1, phi=phi))) < 1e-12
    want = richardson(lambda q: ss.chirp(t, q[0], q[1], q[2], phi=phi), q0, 1e-4)
    assert rel(dg.jacobian(spelled, q0), want) < 1e-9


def test_sawtooth_and_window_kaiser_refusals_spell_them():
    t = np.linspace(-7, 9, 60)
    text = refusal(lambda q: ss.sawtooth(q[0] * t), np.array([1.3]))
    assert "np.mod(t, 2 * np.pi) / np.pi - 1" in text
    assert np.array_equal(np.mod(1.3 * t, 2 * np.pi) / np.pi - 1, ss.sawtooth(1.3 * t))
    got = dg.jacobian(lambda q: np.mod(q[0] * t, 2 * np.pi) / np.pi - 1, np.array([1.3]))
    assert rel(got[:, 0], t / np.pi) < 1e-15                   # the slope between jumps
    text = refusal(lambda b: ss.windows.kaiser(9, b[0]), np.array([5.0]))
    assert "scipy.special.i0(beta * np.sqrt(1 - (2 * np.arange(M) / (M - 1) - 1) ** 2))" in text
