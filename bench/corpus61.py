"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 61).

Written anew from the cited sources in their own style (type-annotated buffers filled
in a ``for t in np.arange(...)`` loop, ``scipy.linalg.solve_continuous_are``,
``math.factorial`` in a loop summing into a variable named ``sum``, ``np.array(v,
dtype=float)`` casts, ``np.asarray(opd, dtype=np.float64)`` and a recursive call, a
numba-jitted metric, ``scipy.signal.butter`` / ``lfilter``, ``scipy.ndimage.rotate`` /
``shift`` with Python's ``sum`` over image rows, a complex structure factor summed from a
list, an RNN's dicts of time steps reading module globals), in domains corpus57 to
corpus60 do not hold: hydrologic channel routing, optimal control, queueing, reflection
seismology, atmospheric radiative transfer, portfolio metrics, signal filtering, image
registration, neutron crystallography, recurrent neural networks.  The changes a user
makes are what dualgrad's refusals name (each is a test in tests/test_newuser61.py):
``np.zeros(n_step, dtype=np.float64)`` becomes ``np.zeros_like(k, shape=n_step)``;
``scipy.linalg.solve_continuous_are`` becomes ``dualgrad.scipy.linalg``'s; the ``dtype=``
casts go; the jitted Sharpe ratio is called through its ``py_func``; ``lfilter`` of a
modelled signal becomes ``np.convolve`` with the filter's impulse response; ndimage's
rotation and shift with dual angle and offsets become the bilinear weights the refusal
spells (SciPy's ``order=1``: the source's default cubic spline has no NumPy spelling).
The queueing formulas, the structure factor and the RNN run unchanged.  A row of
:data:`PROBLEMS61` wraps a function into ``f(x0) -> 1-D array``, as a user hands it to
``approx_fprime``.

=====================  =================================================  ==========
function               repository / path                                  commit
=====================  =================================================  ==========
muskingum              nzahasan/tank-model                                c84a6673
                       tank_core/channel_routing.py
lqr                    sajad2025/car-cpp  lqr.py                          ce9c6591
calc_rho, pwait,       ccfelius/queueing  probabilities.py                f23e2fdb
expw, expquel
wavelet,               Geofisika-UGM/Developer-8  modulbuatan.py          7be2aafa
koefisien_refleksi
planck, rt             wblumberg/PyLBLRTM  pylblrtm/radxfer.py            b88035d1
python_sharpe_ratio    stephenhky/FinanceSimulation                       331f8f45
                       src/finsim/portfolio/optimize/native/pymetrics.py
butter_lowpass,        AyanaMussabayeva/Ensemble-Voters-P300-Speller      cd7e8699
butter_lowpass_filter  data_filtering.py
MeasureErr, ErrFunc    jagannath/imageAnalysis                            faa4bebe
                       samePeptideTracking/old_files/rigidRegistration.py
F, F_i, d              ornlneutronimaging/braggedgemodeling               e4f03ca5
                       braggedgemodeling/diffraction.py
lossFun                Anirudh-Swaminathan/ece_285_fa19_project           bd37a28c
                       learning_stuff/min_char_rnn.py (Karpathy's
                       min-char-rnn, BSD)
=====================  =================================================  ==========

Full commits: c84a6673c414e46e9c623dbc4797298a41d870a5, ce9c6591b301cccc4cf26c22443fcfc6e2569719,
f23e2fdbee0435565c0f2c82332d71fad50df4e4, 7be2aafa0ee3233dc424188139617c8300898325,
b88035d1f343df7a7170218cc8adf9b16a79d4df, 331f8f45916dda470762e230e8e0f44929c76df5,
cd7e869919d4ec08492514bbaa00accf28829007, faa4bebe46abe5d7dbf018009ccdc6636c1ce148,
e4f03ca5b09bacff9493ec2b8c367a99ab26c255, bd37a28cd4cc97eb37c0de45ea5954c30a2b16b4.
"""

import math

import numba as nb
import numpy as np
from scipy.signal import butter, lfilter

import dualgrad as dg
from dualgrad.scipy.linalg import solve_continuous_are   # the source: scipy.linalg's


# --- hydrology: Muskingum channel routing of an inflow hydrograph
def muskingum(in_flow: np.ndarray, del_t: float, k: float, x: float) -> np.ndarray:
    """The source's routing: three weights, a constraint check that prints, and the
    recursion into a preallocated buffer."""
    # calculate time-step
    n_step: int = in_flow.shape[0]

    # create a zero array of out_flow (the source: np.zeros(n_step, dtype=np.float64))
    out_flow: np.ndarray = np.zeros_like(k, shape=n_step)

    C0: float = (-k * x + 0.5 * del_t) / (k * (1 - x) + 0.5 * del_t)
    C1: float = (k * x + 0.5 * del_t) / (k * (1 - x) + 0.5 * del_t)
    C2: float = (k * (1 - x) - 0.5 * del_t) / (k * (1 - x) + 0.5 * del_t)

    # constraints check
    if (C0 + C1 + C2) > 1 or x > 0.5 or (del_t / k + x) > 1:
        print("WARNING-MUSKINGUM-01: violates k, x constraints")

    # initial condition
    out_flow[0] = in_flow[0]

    for t in np.arange(1, n_step):
        out_flow[t] = C0 * in_flow[t] + C1 * in_flow[t - 1] + C2 * out_flow[t - 1]

    return out_flow


# a flood wave every 6 h (the source's test: Subramanya's example, K = 12 h, X = 0.2)
INFLOW = np.array([10, 20, 50, 60, 55, 45, 35, 27, 20, 15, 12, 11, 10, 10, 10], dtype=float)


def muskingum_row(q):
    """The routed hydrograph as a function of ``q = (K, X)``."""
    return muskingum(INFLOW, 6.0, q[0], q[1])


# --- control: the LQR gain of the source's lateral vehicle model
def lqr(A, B, Q, R):
    """The source's gain: the Riccati solution, then R^-1 B^T P."""
    # Solve the continuous time algebraic Riccati equation
    P = solve_continuous_are(A, B, Q, R)

    # Compute the LQR gain matrix K
    K = np.linalg.inv(R) @ B.T @ P

    return K


def lqr_row(q):
    """K for ``q = (wheelbase, lateral-error weight, heading weight, steer-rate weight)``
    (the source's 2.7 m, 0.1, 100, 10; its steering ratio 0.95)."""
    A = np.stack([np.array([0., 1., 0.]),
                  np.stack([0., 0., 1. / (q[0] * 0.95)]),
                  np.zeros(3)])
    B = np.array([[0], [0], [1]])
    Q = np.diag(np.stack([q[1], q[2], 0.0]))
    R = np.reshape(q[3], (1, 1))
    return lqr(A, B, Q, R).ravel()


# --- queueing: the M/M/c (Erlang C) waiting probability, wait and queue length
def calc_rho(mu, lbda, c):
    return lbda / (c * mu)


def pwait(c, rho):
    """Probability that a job has to wait (the source's loop, ``sum`` its name)."""
    fixed = ((c * rho) ** c) / math.factorial(c)

    sum = 0  # noqa: A001 (the source's name)
    for n in range(c):
        sum += ((c * rho) ** n) / math.factorial(n)

    return fixed / ((1 - rho) * sum + fixed)


def expw(mu, c, rho):
    piw = pwait(c, rho)
    return piw * (1 / (1 - rho)) * 1 / (c * mu)


def expquel(c, rho):
    piw = pwait(c, rho)
    return piw * (rho / (1 - rho))


SERVERS = 4


def queue_row(q):
    """P(wait), E(W) and E(Lq) of an M/M/4 queue for ``q = (mu, lambda)``."""
    rho = calc_rho(q[0], q[1], SERVERS)
    return np.stack([pwait(SERVERS, rho), expw(q[0], SERVERS, rho), expquel(SERVERS, rho)])


# --- reflection seismology: a zero-offset synthetic trace from a layered model
def wavelet(f, t):
    """The source's Ricker wavelet (its list ``hasilwavelet`` kept)."""
    pift = np.pi * f * t
    hasilwavelet = []
    wav = (1 - 2 * pift ** 2) * np.exp(-pift ** 2)
    hasilwavelet.append(wav)
    return wav


def koefisien_refleksi(rho, v):
    """Reflection coefficients from density and velocity; the source's first line,
    ``rho, v = np.array(rho, dtype=float), np.array(v, dtype=float)``, refused: gone."""
    Z = rho * v  # Impedansi akustik
    dZ = (Z[1:] - Z[:-1])
    sZ = (Z[:-1] + Z[1:])
    R = dZ / sZ  # Koefisien refleksi
    return R


SEIS_RHO = np.array([2000.0, 2200.0, 2350.0, 2500.0, 2600.0])   # kg/m^3
SEIS_THICK = np.array([60.0, 50.0, 70.0, 60.0])                 # m, the layers above each
SEIS_DT = 0.002
SEIS_T = np.arange(128) * SEIS_DT


def seismic_row(q):
    """The trace (128 samples, 2 ms) for ``q = (v1..v5 in m/s, f in Hz)``: each interface
    a Ricker wavelet at its two-way time, scaled by its reflection coefficient."""
    v, f = q[:5], q[5]
    R = koefisien_refleksi(SEIS_RHO, v)
    twt = 2 * np.cumsum(SEIS_THICK / v[:4])          # two-way time to each interface
    return np.sum(R[:, None] * wavelet(f, SEIS_T[None, :] - twt[:, None]), axis=0)


# --- atmospheric radiative transfer: radiances through a layered atmosphere
def planck(wnum, temp):
    c1 = 1.1910427e-5  # mW/m2.sr.cm-1
    c2 = 1.4387752  # K/cm
    r = (c1 * np.power(wnum, 3)) / (np.exp(c2 * wnum / temp) - 1.)
    return r


def rt(wnum, temp, opd, zenith_angle=0, sfc_t=None, sfc_e=None, upwelling=False,
       debug=False):
    """The source's linear-in-tau radiative transfer; its three ``np.asarray(...,
    dtype=np.float64)`` casts refused, left out (the lists are plain, the temperatures
    a dual array already); its ``print`` and ``sys.exit()`` on a bad emissivity a
    ValueError here, its ``debug`` prints left out."""
    opd = np.asarray(opd) * (1. / np.cos(np.radians(zenith_angle)))
    wnum = np.asarray(wnum)
    if upwelling is False:
        sfce = 0.
        k_start = len(opd) - 1
        k_end = -1
        k_step = -1
    else:
        sfce = sfc_e
        if sfce < 0 or sfce > 1:
            raise ValueError("Error: the surface emissivity is outside of [0,1]")
        if sfc_t is None:
            sfct = temp[0]
        else:
            sfct = sfc_t
        sfc_b = planck(wnum, sfct)
        k_start = 0
        k_end = len(opd)
        k_step = 1

    rad = np.zeros(len(wnum))

    # use the linear in tau approach
    if sfce > 0:
        rad = sfc_b * sfce + rt(wnum, temp, opd) * (1. - sfce)
    for k in np.arange(k_start, k_end, k_step):
        trans = np.exp(-1. * opd[k, :])   # the source: np.asarray(..., dtype=np.float64)
        if upwelling is True:
            b_close = planck(wnum, temp[k])
        else:
            b_close = planck(wnum, temp[k + 1])
        b_avg = (planck(wnum, temp[k]) + planck(wnum, temp[k + 1])) / 2.
        b_eff = b_close + 2 * (b_avg - b_close) * ((1. / opd[k, :]) - (trans / (1. - trans)))
        rad = rad * trans + (1. - trans) * b_eff
    return rad


RT_WNUM = [700.0, 900.0, 1200.0]
RT_ODS = np.array([[0.002, 0.008, 0.032, 0.125, 0.5],        # the source's problem 1,
                   [0.001, 0.004, 0.016, 0.06, 0.25],         # two more channels
                   [0.02, 0.08, 0.3, 1.2, 5.0]]).T


def radiance_row(q):
    """Upwelling (60 deg, surface 310 K, emissivity 0.9) and downwelling radiances at
    three wavenumbers for the six level temperatures ``q`` (the temperature weighting
    functions)."""
    up = rt(RT_WNUM, q, RT_ODS, zenith_angle=60, sfc_t=310, sfc_e=0.9, upwelling=True)
    down = rt(RT_WNUM, q, RT_ODS, zenith_angle=60)
    return np.concatenate([up, down])


# --- portfolio metrics: the Sharpe ratio, numba-jitted in the source
@nb.njit
def python_sharpe_ratio(weights, r, cov, rf):
    yieldrate = np.sum(weights * r)
    sqweights = np.expand_dims(weights, axis=1) @ np.expand_dims(weights, axis=0)
    volatility = np.sqrt(np.sum(sqweights * cov))
    return (yieldrate - rf) / volatility


_VOL = np.array([0.12, 0.18, 0.25, 0.22, 0.30, 0.15])
_CORR = 0.3 + 0.7 * np.eye(6)
SHARPE_R = np.array([0.05, 0.07, 0.10, 0.08, 0.12, 0.06])
SHARPE_COV = _CORR * np.outer(_VOL, _VOL)


def sharpe_row(w):
    """The Sharpe ratio's gradient in the weights (an optimizer's jac=), by the jitted
    function's Python original: its whole-array NumPy takes duals there."""
    return np.atleast_1d(python_sharpe_ratio.py_func(w, SHARPE_R, SHARPE_COV, 0.02))


# --- signal processing: a Butterworth low-pass of a modelled signal
def butter_lowpass(cutoff, fs, order=5):
    nyq = 0.5 * fs
    normal_cutoff = cutoff / nyq
    b, a = butter(order, normal_cutoff, btype='low', analog=False)
    return b, a


def butter_lowpass_filter(data, cutoff, fs, order=5):
    """The source's filter; ``lfilter(b, a, data)`` of a dual ``data`` refused, written
    as its refusal spells: the impulse response on plain numbers, then np.convolve."""
    b, a = butter_lowpass(cutoff, fs, order=order)
    h = lfilter(b, a, np.eye(len(data))[0])
    y = np.convolve(data, h)[:len(data)]
    return y


FILT_T = np.arange(96) / 24.0               # the source's fs = 24 Hz, 4 s


def filter_row(q):
    """The source's order 6, 1.5 Hz low-pass of ``A sin(2 pi f t + phi) + 0.3 sin(2 pi 9
    t)`` for ``q = (A, f, phi)``."""
    data = q[0] * np.sin(2 * np.pi * q[1] * FILT_T + q[2]) + 0.3 * np.sin(2 * np.pi * 9 * FILT_T)
    return butter_lowpass_filter(data, 1.5, 24.0, 6)


# --- image registration: the SSD of a rotated and shifted image
def MeasureErr(img1, img2):
    diff = (img1 - img2)
    return sum(diff**2)        # Python's sum over a 2-D image: one number per column


def sample_bilinear(img, r, c):
    """``scipy.ndimage``'s order=1, mode='constant' sampling at the dual coordinates
    ``(r, c)``, as the refusal spells it: the bilinear weights of the fractions ``r -
    np.floor(dg.stop_gradient(r))`` at those integer indices, 0 outside the image."""
    n0, n1 = img.shape
    rv, cv = dg.stop_gradient(r), dg.stop_gradient(c)
    r0, c0 = np.floor(rv), np.floor(cv)
    fr, fc = r - r0, c - c0
    i0 = np.clip(r0.astype(int), 0, n0 - 1)
    j0 = np.clip(c0.astype(int), 0, n1 - 1)
    i1, j1 = np.minimum(i0 + 1, n0 - 1), np.minimum(j0 + 1, n1 - 1)
    v = ((1 - fr) * ((1 - fc) * img[i0, j0] + fc * img[i0, j1])
         + fr * ((1 - fc) * img[i1, j0] + fc * img[i1, j1]))
    inside = (rv >= 0) & (rv <= n0 - 1) & (cv >= 0) & (cv <= n1 - 1)
    return np.where(inside, v, 0.0)


def _grid(img):
    return np.meshgrid(np.arange(img.shape[0]), np.arange(img.shape[1]), indexing="ij")


def rotate(img, angle):
    """``ndimage.rotate(img, angle, reshape=0, order=1)``: about the centre, degrees."""
    a = np.deg2rad(angle)
    cy, cx = (img.shape[0] - 1) / 2, (img.shape[1] - 1) / 2
    o0, o1 = _grid(img)
    y, x = o0 - cy, o1 - cx
    return sample_bilinear(img, np.cos(a) * y + np.sin(a) * x + cy,
                           -np.sin(a) * y + np.cos(a) * x + cx)


def shift(img, s):
    """``ndimage.shift(img, s, order=1)``."""
    o0, o1 = _grid(img)
    return sample_bilinear(img, o0 - s[0], o1 - s[1])


def ErrFunc(param, img, ximg):
    """The source's objective: rotate by param[2] degrees, shift by param[:2], SSD
    (ndimage.rotate and ndimage.shift in the source, refused for dual angle and offsets:
    SciPy's order=1 by hand above)."""
    _img = ximg.copy()
    _img = rotate(_img, param[2])
    _img = shift(_img, param[:2])
    return MeasureErr(img, _img)


def _blob_image(n=12):
    y, x = np.mgrid[0:n, 0:n].astype(float)
    return (np.exp(-((y - 4.3) ** 2 + (x - 6.1) ** 2) / 6.0)
            + 0.6 * np.exp(-((y - 7.8) ** 2 + (x - 3.2) ** 2) / 3.0))


REG_IMG = _blob_image()
REG_XIMG = _blob_image()[::-1, :].copy()          # a moved copy to register to REG_IMG


def registration_row(p):
    """The SSD's 12 column sums at ``p = (dy, dx, angle)``."""
    return ErrFunc(p, REG_IMG, REG_XIMG)


# --- neutron crystallography: nuclear structure factors of a cubic perovskite
class Atom:
    def __init__(self, element, xyz, occupancy, b_c, B):
        self.element, self.xyz, self.occupancy = element, xyz, occupancy
        self.b_c, self.B = b_c, B        # the source looks both up by element


class Lattice:
    def __init__(self, a):
        self.base = a * np.eye(3)
        self.recbase = np.linalg.inv(self.base).T   # columns are rec base vectors


class Structure(list):
    def __init__(self, atoms, lattice):
        super().__init__(atoms)
        self.lattice = lattice


def F(structure, hkl, T):
    "structure factor. unit: fm"
    fs = [F_i(i, structure, hkl, T) for i in range(len(structure))]
    return sum(fs)


def F_i(i, structure, hkl, T):
    atom = structure[i]
    B = atom.B                      # the source: AtomicScattering(element).B(T)
    d1 = d(structure.lattice, hkl)
    position = atom.xyz
    o = atom.occupancy
    b = atom.b_c                    # the source: periodictable's neutron.b_c
    return o * b * np.exp(2 * np.pi * 1j * np.dot(hkl, position) - B / 4 / d1 / d1)


def d(lattice, hkl):
    recbase = lattice.recbase  # columns are rec base vectors
    recvec = np.dot(recbase, hkl)
    return 1.0 / np.linalg.norm(recvec)


PEAKS = [(1, 0, 0), (1, 1, 0), (1, 1, 1), (2, 0, 0), (2, 1, 0), (2, 1, 1), (2, 2, 0)]


def perovskite(q):
    """SrTiO3-like: ``q = (a in angstrom, B_Sr, B_Ti, B_O, Ti's z off centre)``;
    coherent lengths in fm."""
    z = 0.5 + q[4]
    atoms = [Atom("Sr", np.zeros(3), 1.0, 7.02, q[1]),
             Atom("Ti", np.stack([0.5, 0.5, z]), 1.0, -3.438, q[2]),
             Atom("O1", np.array([0.5, 0.5, 0.0]), 1.0, 5.803, q[3]),
             Atom("O2", np.array([0.5, 0.0, 0.5]), 1.0, 5.803, q[3]),
             Atom("O3", np.array([0.0, 0.5, 0.5]), 1.0, 5.803, q[3])]
    return Structure(atoms, Lattice(q[0]))


def structure_factor_row(q):
    """|F|^2 of seven peaks."""
    s = perovskite(q)
    return np.stack([np.abs(F(s, np.array(hkl, dtype=float), 300.0)) ** 2 for hkl in PEAKS])


# --- recurrent neural network: Karpathy's min-char-rnn, its loss against its weights
vocab_size, hidden_size = 5, 8
_rng = np.random.default_rng(61)             # the source: unseeded np.random.randn
Wxh = _rng.standard_normal((hidden_size, vocab_size)) * 0.3
Whh = _rng.standard_normal((hidden_size, hidden_size)) * 0.3
Why = _rng.standard_normal((vocab_size, hidden_size)) * 0.3
bh = np.zeros((hidden_size, 1))
by = np.zeros((vocab_size, 1))
RNN_PARAMS = {"Wxh": Wxh, "Whh": Whh, "Why": Why, "bh": bh, "by": by}
RNN_INPUTS = [0, 1, 2, 3, 4, 2, 1, 0, 3, 3]  # "hello world"-like indices, seq_length 10
RNN_TARGETS = RNN_INPUTS[1:] + [4]


def lossFun(inputs, targets, hprev):
    """The source's forward pass and hand-written backward pass (BPTT), reading the
    module's weights."""
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0
    # forward pass
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab_size, 1))  # encode in 1-of-k representation
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)  # hidden state
        ys[t] = np.dot(Why, hs[t]) + by  # unnormalized log probabilities for next chars
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))  # probabilities for next chars
        loss += -np.log(ps[t][targets[t], 0])  # softmax (cross-entropy loss)
    # backward pass: compute gradients going backwards
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t])
        dy[targets[t]] -= 1  # backprop into y
        dWhy += np.dot(dy, hs[t].T)
        dby += dy
        dh = np.dot(Why.T, dy) + dhnext  # backprop into h
        dhraw = (1 - hs[t] * hs[t]) * dh  # backprop through tanh nonlinearity
        dbh += dhraw
        dWxh += np.dot(dhraw, xs[t].T)
        dWhh += np.dot(dhraw, hs[t - 1].T)
        dhnext = np.dot(Whh.T, dhraw)
    for dparam in [dWxh, dWhh, dWhy, dbh, dby]:
        np.clip(dparam, -5, 5, out=dparam)  # clip to mitigate exploding gradients
    return loss, dWxh, dWhh, dWhy, dbh, dby, hs[len(inputs) - 1]


def rnn_loss(params):
    """The loss with the module's weights set from ``params`` (a dict, as dualgrad's
    pytrees take it); the weights restored after."""
    global Wxh, Whh, Why, bh, by
    saved = Wxh, Whh, Why, bh, by
    Wxh, Whh, Why, bh, by = (params[k] for k in ("Wxh", "Whh", "Why", "bh", "by"))
    try:
        return lossFun(RNN_INPUTS, RNN_TARGETS, np.zeros((hidden_size, 1)))[0]
    finally:
        Wxh, Whh, Why, bh, by = saved


_RNN_SHAPES = [(k, v.shape) for k, v in RNN_PARAMS.items()]


def rnn_unflatten(w):
    out, i = {}, 0
    for k, shape in _RNN_SHAPES:
        n = int(np.prod(shape))
        out[k] = w[i:i + n].reshape(shape)
        i += n
    return out


RNN_W0 = np.concatenate([v.ravel() for v in RNN_PARAMS.values()])


def rnn_row(w):
    """The loss as a function of the 157 weights, flat (approx_fprime's x)."""
    return np.atleast_1d(rnn_loss(rnn_unflatten(w)))


PROBLEMS61 = {
    "Muskingum routing, zeros buffer (2)": (muskingum_row, np.array([12.0, 0.2])),
    "LQR gain, Riccati (4)": (lqr_row, np.array([2.7, 0.1, 100.0, 10.0])),
    "M/M/4 Erlang C, factorial loop (2)": (queue_row, np.array([1.0, 3.2])),
    "Ricker synthetic seismogram (6)": (seismic_row,
                                        np.array([1800.0, 2100.0, 2500.0, 2900.0, 3300.0,
                                                  25.0])),
    "LBLRTM radiances, layer loop (6)": (radiance_row,
                                         np.array([230.0, 244.0, 258.0, 272.0, 286.0, 300.0])),
    "Sharpe ratio, numba py_func (6)": (sharpe_row, np.full(6, 1 / 6)),
    "Butterworth lfilter, impulse (3)": (filter_row, np.array([1.0, 0.4, 0.3])),
    "rigid registration SSD, bilinear (3)": (registration_row, np.array([0.4, -0.3, 2.5])),
    "perovskite structure factors (5)": (structure_factor_row,
                                         np.array([3.905, 0.6, 0.4, 0.8, 0.02])),
    "min-char-rnn loss, BPTT in f (157)": (rnn_row, RNN_W0.copy()),
}
