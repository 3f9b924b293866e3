"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 58).

Written anew from the cited sources in their own style (names, argument order, Python
scalars, loops, in-place writes into preallocated arrays, ``np.nansum``, a ``while`` root
loop, odeint's ``(state, t, *args)`` order), in domains corpus57 does not hold:
neuroscience, materials, finance by a root loop, epidemiology, ecology, signal
processing, fixed income, audio.  The changes a user makes are the import (``dg.solve_ivp`` for odeint,
``dualgrad.scipy.stats`` for ``scipy.stats``) and what dualgrad's refusal names: the
buffers ``np.zeros(n)`` / ``np.zeros_like(t)`` that the loops write duals into become
``np.zeros_like(<a dual input>, shape=...)``, and ``math.sqrt`` / ``log`` / ``exp`` become
NumPy's (each refusal is a test in tests/test_newuser58.py).  A row of :data:`PROBLEMS58`
wraps a function into ``f(x0) -> 1-D array``, as a user hands it to ``approx_fprime``.

=====================  =================================================  ==========
function               repository / path                                  commit
=====================  =================================================  ==========
cn_HHmodel             HeMuling/Hodgkin-Huxley-model  cn_HHmodel_raw.py   76ffeafd
lj, potential          AlbertDeFusco/pyLJ  backup/lj_numpy.py             244a516b
d, call_price, the     BuzanovNikita/VolatilityCalculation                3891bbeb
while loop             implied_volatility.py
the SIR Euler loop     tech-magic/computational-biology  mathematical_    ddb557e9
                       modelling/differential_equations/bio_models_with_
                       differential_equations/03_sir_epidemic.md
lotka_volterra         Jona163/Modelo-de-Depredador-Presa-Lotka-Volterra- 28e50940
                       lotka_volterra.py
the rfft spectrum      abitofalchemy/Scriptus  pyths/tst_dsp0.py          df570f99
bond_ytm               mccarvik/python_for_finance                        fecafdae
                       books/mastering_pff/ch5/bond_ytm.py
Biquad                 Dolpic/Synthesizer  Modules/Filters/Biquad.py      1c108362
=====================  =================================================  ==========

Full commits: 76ffeafddcbe1e7e4e7ae1e7b0ed17a0e1ba7b98, 244a516bb29bb66deacb10f428e9bbab11e43872,
3891bbeb34e2a6b077e30d9ee5819fe4a6e9bd6c, ddb557e98749c305177c8022c142e362f0ef226c,
28e509402a070f812f4b05aa5c9eb11b9136f3d3, df570f997948b53d5c466ceb7eaa038850cff74e,
fecafdae3617707010391e556a849a11be77b2aa, 1c108362911e5ab6b81569495cb250784b106d4c.
"""

import numpy as np
import scipy.optimize as optimize   # the bond row calls SciPy's own newton, unchanged

import dualgrad as dg
from dualgrad.scipy.stats import norm   # the source: from scipy.stats import norm


# --- neuroscience: Hodgkin-Huxley by explicit Euler, in-place writes into buffers
def alpha_n(v):
    return 0.01 * (v + 50) / (1 - np.exp(-(v + 50) / 10))


def beta_n(v):
    return 0.125 * np.exp(-(v + 60) / 80)


def alpha_m(v):
    return 0.1 * (v + 35) / (1 - np.exp(-(v + 35) / 10))


def beta_m(v):
    return 4.0 * np.exp(-0.0556 * (v + 60))


def alpha_h(v):
    return 0.07 * np.exp(-0.05 * (v + 60))


def beta_h(v):
    return 1 / (1 + np.exp(-(0.1) * (v + 30)))


def dmdt(V_pre, m_pre):
    return alpha_m(V_pre) * (1 - m_pre) - beta_m(V_pre) * m_pre


def dndt(V_pre, n_pre):
    return alpha_n(V_pre) * (1 - n_pre) - beta_n(V_pre) * n_pre


def dhdt(V_pre, h_pre):
    return alpha_h(V_pre) * (1 - h_pre) - beta_h(V_pre) * h_pre


def I_Na(V_pre, m_pre, h_pre, E_Na=50, g_Na=120):
    return g_Na * m_pre ** 3 * h_pre * (V_pre - E_Na)


def I_K(V_pre, n_pre, E_K=-77, g_K=36):
    return g_K * n_pre ** 4 * (V_pre - E_K)


def I_L(V_pre, E_L=-54, g_L=0.03):
    return g_L * (V_pre - E_L)


def V_mem(V_pre, INa_pre, IK_pre, IL_pre, time_step, I_e, C=1):
    return V_pre + time_step * (I_e - INa_pre - IK_pre - IL_pre) / C


def cn_HHmodel(time, time_step, current_time, I_e, V_init, ENa=50, EK=-77, EL=-54,
               g_Na=120, g_K=36, g_L=0.03, Cm=1, dt=None, zeros=None):
    """The source's simulation; ``zeros(length)`` makes its four buffers (the source's
    ``np.zeros``, which dualgrad refuses to store duals into, naming the fix)."""
    t = np.linspace(0, time, int(time / time_step))
    length = len(t)
    begin_time, end_time = current_time
    if dt == None:  # noqa: E711 (the source's spelling)
        dt = time_step
    if zeros is None:
        zeros = np.zeros
    v = zeros(length)
    m = zeros(length)
    h = zeros(length)
    n = zeros(length)
    v[0] = V_init
    m[0] = alpha_m(v[0]) / (alpha_m(v[0]) + beta_m(v[0]))
    n[0] = alpha_n(v[0]) / (alpha_n(v[0]) + beta_n(v[0]))
    h[0] = alpha_h(v[0]) / (alpha_h(v[0]) + beta_h(v[0]))
    for i in range(1, len(t)):
        if begin_time / 10 * 10000 <= i <= end_time / 10 * 10000:
            I = I_e
        else:
            I = 0
        m[i] = m[i - 1] + dt * dmdt(v[i - 1], m[i - 1])
        n[i] = n[i - 1] + dt * dndt(v[i - 1], n[i - 1])
        h[i] = h[i - 1] + dt * dhdt(v[i - 1], h[i - 1])
        INa = I_Na(v[i - 1], m[i - 1], h[i - 1], ENa, g_Na)
        IK = I_K(v[i - 1], n[i - 1], EK, g_K)
        IL = I_L(v[i - 1], EL, g_L)
        v[i] = V_mem(v[i - 1], INa, IK, IL, dt, I, Cm)
    return v, m, h, n, t


def hh_voltage(q):
    """V every 0.1 ms over 2 ms (a current step from 0.2 to 1.5 ms), for
    ``q = (I_e, g_Na)``; the buffers as dualgrad's message says."""
    v = cn_HHmodel(2, 0.001, [0.2, 1.5], q[0], -65, g_Na=q[1],
                   zeros=lambda length: np.zeros_like(q, shape=length))[0]
    return v[::100]


# --- materials: Lennard-Jones cluster energy, all pairs by broadcasting, np.nansum
def potential(r2, epsilon=1., sigma=1.):
    sr6 = (sigma / r2) ** 3
    return 4. * epsilon * (sr6 ** 2 - sr6)


def lj_gradient(r2, epsilon=1., sigma=1.):
    """The source's ``gradient``: 2 dV/dr2, its analytic forces (the oracle)."""
    sr2 = (sigma / r2)
    return -24. * epsilon * (2. * sr2 ** 7 - sr2 ** 4)


def distance_matrix(cluster):
    diff = cluster[:, np.newaxis, :] - cluster[np.newaxis, :, :]
    return diff


def lj(cluster, do_forces=True, *parameters):
    """Energy (and forces): the diagonal's r2 = 0 gives inf - inf = NaN, which
    ``np.nansum`` drops (the source's way)."""
    if cluster.ndim == 1:
        cluster = cluster.reshape(-1, 3)
    diff = distance_matrix(cluster)
    r2 = (diff ** 2).sum(-1)
    energy = np.nansum(potential(r2, *parameters)) / 2.
    if do_forces:
        forces = np.nansum(lj_gradient(r2, *parameters)[:, :, np.newaxis] * diff, axis=0)
        return energy, forces
    return energy


def lj_cluster():
    """An 8-atom cluster (the source's make_cluster, a tighter radius)."""
    rng = np.random.default_rng(1981)
    return rng.normal(0, 1.5, size=(8, 3)).ravel()


def lj_energy(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.atleast_1d(lj(x, False))


# --- finance: implied volatility by the source's Newton while loop
def d(sigma, P, X, r, t):
    d1 = 1 / (sigma * np.sqrt(t)) * (np.log(P / X) + (r + sigma ** 2 / 2) * t)
    d2 = d1 - sigma * np.sqrt(t)
    return d1, d2


def call_price(sigma, P, X, r, t, d1, d2):
    C = norm.cdf(d1) * P - norm.cdf(d2) * X * np.exp(-r * t)
    return C


def implied_volatility(P, X, r, t, C0, abstol=1e-4):
    """The source's module-level loop as a function: Newton on the call price, a
    Python ``abs`` and ``>`` on the residual, the iterations capped."""
    vol = 0.5
    epsilon = 1.0
    i = 0
    max_iter = 1e3
    while epsilon > abstol:
        if i > max_iter:
            break
        i = i + 1
        d1, d2 = d(vol, P, X, r, t)
        function_value = call_price(vol, P, X, r, t, d1, d2) - C0
        vega = P * norm.pdf(d1) * np.sqrt(t)
        vol = -function_value / vega + vol
        epsilon = abs(function_value)
    return vol


IV_QUOTE = np.array([100.0, 105.0, 0.01, 30.0 / 365, 2.30])


def iv_row(q):
    return np.atleast_1d(implied_volatility(*q))


# --- epidemiology: SIR by explicit Euler over 1601 steps, buffers written in place
def sir_infected(q, zeros_like=None):
    """I every 10 days for ``q = (beta, gamma)``: the source's script as a function
    (N = 1000, I0 = 1, dt = 0.1 to day 160); ``zeros_like`` makes its buffers."""
    N = 1000
    beta, gamma = q[0], q[1]
    I0 = 1
    R0 = 0
    S0 = N - I0 - R0
    t_max = 160
    dt = 0.1
    t = np.arange(0, t_max + dt, dt)
    if zeros_like is None:
        zeros_like = lambda t: np.zeros_like(q, shape=t.shape)  # noqa: E731 (the fix)
    S = zeros_like(t)
    I = zeros_like(t)
    R = zeros_like(t)
    S[0], I[0], R[0] = S0, I0, R0
    for i in range(1, len(t)):
        dS = -beta * S[i - 1] * I[i - 1] / N
        dI = beta * S[i - 1] * I[i - 1] / N - gamma * I[i - 1]
        dR = gamma * I[i - 1]
        S[i] = S[i - 1] + dS * dt
        I[i] = I[i - 1] + dI * dt
        R[i] = R[i - 1] + dR * dt
    return I[::100]


# --- ecology: Lotka-Volterra, odeint's right-hand side returning a list
def lotka_volterra(state, t, alpha, beta, delta, gamma):
    prey, predator = state
    dprey_dt = alpha * prey - beta * prey * predator
    dpredator_dt = delta * prey * predator - gamma * predator
    return [dprey_dt, dpredator_dt]


LV_TIMES = np.linspace(0.0, 200.0, 21)


def lv_trajectory(p):
    """Prey and predators at 21 times for ``p = (alpha, beta, delta, gamma)`` from the
    source's (40, 9): odeint's call as dg.solve_ivp's."""
    sol = dg.solve_ivp(lambda t, y, *a: lotka_volterra(y, t, *a), (0.0, 200.0), [40.0, 9.0],
                       t_eval=LV_TIMES, args=tuple(p), rtol=1e-10, atol=1e-10)
    return sol.y.ravel()


# --- signal processing: the dB spectrum of two sines in noise by np.fft.rfft
RATE = 30.0
DSP_T = np.arange(0, 10, 1 / RATE)
DSP_NOISE = np.random.default_rng(58).standard_normal(len(DSP_T)) * 0.2


def dsp_spectrum(q):
    """``20 log10 |rfft(x)|`` of ``sin(2 pi f1 t) + sin(2 pi f2 t)`` plus fixed noise,
    for ``q = (f1, f2)`` (the source's 4 and 7 Hz).  bench_corpus's Richardson column
    reads ~2 here: its step, 4e-3 Hz, turns the phase at t = 10 s by 0.25 rad; central
    differences at 1e-5 / 1e-6 / 1e-7 agree with dualgrad to 7e-6 / 7e-8 / 8e-9, and
    tests/test_newuser58.py holds it to the transform of the signal's derivative."""
    t = DSP_T
    x = np.sin(2 * np.pi * q[0] * t) + np.sin(2 * np.pi * q[1] * t) + DSP_NOISE
    p = 20 * np.log10(np.abs(np.fft.rfft(x)))
    return p


# --- fixed income: yield to maturity by SciPy's newton (the secant method) on a lambda
def bond_ytm(price, par, T, coup, freq=2, guess=0.05):
    """The source unchanged: a list comprehension of coupons, Python's ``sum``, and
    ``scipy.optimize.newton`` without a derivative (SciPy's secant steps run on the
    duals: their tangents converge with the iterates)."""
    freq = float(freq)
    periods = T * freq
    coupon = coup / 100. * par / freq
    dt = [(i + 1) / freq for i in range(int(periods))]
    ytm_func = lambda y: (sum([coupon / (1 + y / freq) ** (freq * t) for t in dt])  # noqa: E731
                          + par / (1 + y / freq) ** (freq * T) - price)
    return optimize.newton(ytm_func, guess)


BOND_QUOTE = np.array([95.0428, 100.0, 5.75])


def ytm_row(q):
    """The source's example (1.5 years, semi-annual), ``q = (price, par, coupon %)``."""
    return np.atleast_1d(bond_ytm(q[0], q[1], 1.5, q[2], 2))


# --- audio: a biquad filter as a class, its output grown by np.append per sample
class Biquad:
    a = []
    b = []
    c = []

    x_prev = 0
    x_prev_prev = 0
    y_prev = 0
    y_prev_prev = 0

    def __init__(self, b0, b1, b2, a0, a1, a2):
        self.a = [a0, a1, a2]
        self.b = [b0, b1, b2]
        self.c = [b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0]

    def process(self, input):
        result = np.empty(0)
        c = self.c
        for x in input:
            val = (c[0] * x + c[1] * self.x_prev + c[2] * self.x_prev_prev
                   - c[3] * self.y_prev - c[4] * self.y_prev_prev)
            result = np.append(result, val)
            self.x_prev_prev = self.x_prev
            self.x_prev = x
            self.y_prev_prev = self.y_prev
            self.y_prev = val
        return result


BIQUAD_SIGNAL = (np.sin(np.linspace(0, 20, 200))
                 + 0.3 * np.cos(np.linspace(0, 97, 200)))


def biquad_output(q):
    """The filtered signal for coefficients ``q = (b0, b1, b2, a1, a2)``, a0 = 1."""
    return Biquad(q[0], q[1], q[2], 1.0, q[3], q[4]).process(BIQUAD_SIGNAL)


PROBLEMS58 = {
    "Hodgkin-Huxley Euler, buffers (2)": (hh_voltage, np.array([10.0, 120.0])),
    "Lennard-Jones, np.nansum (24)": (lj_energy, lj_cluster()),
    "implied vol, while loop (5)": (iv_row, IV_QUOTE.copy()),
    "SIR Euler, buffers (2)": (sir_infected, np.array([0.3, 0.1])),
    "Lotka-Volterra, dg.solve_ivp (4)": (lv_trajectory, np.array([0.1, 0.02, 0.01, 0.1])),
    "two-sine spectrum, np.fft.rfft (2)": (dsp_spectrum, np.array([4.0, 7.0])),
    "bond YTM, scipy.optimize.newton (3)": (ytm_row, BOND_QUOTE.copy()),
    "biquad class, np.append loop (5)": (biquad_output,
                                         np.array([0.2, 0.4, 0.2, -0.5, 0.3])),
}
