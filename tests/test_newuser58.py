"""newuser58: real functions from public scientific code (bench/corpus58.py) against
independent oracles, and the refusals a new user meets on the way.

Hodgkin-Huxley and SIR by explicit Euler loops writing into preallocated buffers
(complex steps through the same loops in complex buffers), a Lennard-Jones cluster
energy through ``np.nansum`` (the source's own analytic forces), an implied volatility
by a Newton ``while`` loop (the implicit function theorem), Lotka-Volterra through
dg.solve_ivp (a complex step through SciPy's RK45), the dB spectrum of two sines by
``np.fft.rfft`` (the transform of the analytic signal derivative), a bond's yield by
SciPy's own ``optimize.newton`` (the implicit function theorem), a biquad class growing
its output by ``np.append`` (a complex step).  The sources'
``np.zeros(n)`` buffers and ``math.sqrt`` are refused, each message naming the fix the
corpus applies.
"""

import math

import numpy as np
import pytest
import scipy.stats
from scipy.integrate import solve_ivp

import dualgrad as dg
from dualgrad.testing import complex_step
from _probes import bench_module

c = bench_module("corpus58")


def test_hodgkin_huxley_euler_loop_matches_complex_step():
    J = dg.jacobian(c.hh_voltage, np.array([10.0, 120.0]))

    def complex_run(q):
        return c.cn_HHmodel(2, 0.001, [0.2, 1.5], q[0], -65, g_Na=q[1],
                            zeros=lambda length: np.zeros(length, complex))[0][::100]

    ref = complex_step(complex_run, [10.0, 120.0])
    assert np.max(np.abs(J - ref)) <= 1e-12 * np.max(np.abs(ref))
    assert np.max(np.abs(ref[-1])) > 1e-3      # the current step moved V


def test_hodgkin_huxley_source_buffers_refused_naming_zeros_like():
    with pytest.raises(TypeError, match=r"np\.zeros_like\("):
        dg.jacobian(lambda q: c.cn_HHmodel(0.05, 0.001, [0.0, 1.0], q[0], -65)[0],
                    np.array([10.0]))


def test_lennard_jones_nansum_gradient_is_minus_the_source_forces():
    x = c.lj_cluster()
    g = dg.gradient(lambda y: c.lj_energy(y)[0], x)
    with np.errstate(divide="ignore", invalid="ignore"):
        energy, forces = c.lj(x.copy())
    # E = 1/2 sum_ij V(r2_ij): dE/dx_j = sum_i 2 V'(r2_ij) diff_ji; the source sums
    # 2 V'(r2_ij) diff_ij over i, which is -dE/dx_j
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, -forces.ravel(), rtol=1e-12,
                               atol=1e-13 * np.max(np.abs(forces)))


def test_implied_volatility_loop_matches_implicit_function_theorem():
    q = c.IV_QUOTE.copy()
    P, X, r, t, C0 = q
    g = dg.gradient(lambda z: c.implied_volatility(*z), q)
    vol = c.implied_volatility(*q)
    d1 = (math.log(P / X) + (r + vol ** 2 / 2) * t) / (vol * math.sqrt(t))
    d2 = d1 - vol * math.sqrt(t)
    N = scipy.stats.norm
    vega = P * N.pdf(d1) * math.sqrt(t)
    # C(vol; P, X, r, t) = C0: dvol/dz = -(dC/dz) / vega, dvol/dC0 = 1 / vega
    ref = np.array([-N.cdf(d1) / vega,
                    N.cdf(d2) * math.exp(-r * t) / vega,
                    -X * t * math.exp(-r * t) * N.cdf(d2) / vega,
                    -(P * N.pdf(d1) * vol / (2 * math.sqrt(t))
                      + r * X * math.exp(-r * t) * N.cdf(d2)) / vega,
                    1 / vega])
    np.testing.assert_allclose(g, ref, rtol=1e-6)


def test_implied_volatility_math_sqrt_refused_naming_np_sqrt():
    def d_math(sigma, P, X, r, t):       # the source's spelling: from math import sqrt, log
        d1 = 1 / (sigma * math.sqrt(t)) * (math.log(P / X) + (r + sigma ** 2 / 2) * t)
        return d1, d1 - sigma * math.sqrt(t)

    # sigma alone meets no math.* call; the maturity t (a dual in a term-structure fit) does
    assert np.isfinite(dg.derivative(lambda s: d_math(s, 100.0, 105.0, 0.01, 30 / 365)[0], 0.5))
    with pytest.raises(TypeError, match=r"np\.sqrt"):
        dg.derivative(lambda t: d_math(0.5, 100.0, 105.0, 0.01, t)[0], 30 / 365)


def test_sir_euler_loop_matches_complex_step():
    J = dg.jacobian(c.sir_infected, np.array([0.3, 0.1]))
    ref = complex_step(
        lambda q: c.sir_infected(q, zeros_like=lambda t: np.zeros(t.shape, complex)),
        [0.3, 0.1])
    assert np.max(np.abs(J - ref)) <= 1e-12 * np.max(np.abs(ref))


def test_sir_source_zeros_like_of_the_grid_refused():
    with pytest.raises(TypeError, match=r"np\.zeros_like\("):
        dg.jacobian(lambda q: c.sir_infected(q, zeros_like=np.zeros_like),
                    np.array([0.3, 0.1]))


def test_lotka_volterra_solve_matches_complex_step_through_scipy():
    p = np.array([0.1, 0.02, 0.01, 0.1])
    J = dg.jacobian(c.lv_trajectory, p)

    def complex_run(pc):
        sol = solve_ivp(lambda t, y: c.lotka_volterra(y, t, *pc), (0.0, 200.0),
                        np.array([40.0, 9.0], complex), t_eval=c.LV_TIMES,
                        rtol=1e-12, atol=1e-12)
        return sol.y.ravel()

    ref = complex_step(complex_run, p)
    assert np.max(np.abs(J - ref)) <= 1e-6 * np.max(np.abs(ref))


def test_rfft_spectrum_matches_transform_of_signal_derivative():
    q = np.array([4.0, 7.0])
    J = dg.jacobian(c.dsp_spectrum, q)
    t = c.DSP_T
    x = np.sin(2 * np.pi * q[0] * t) + np.sin(2 * np.pi * q[1] * t) + c.DSP_NOISE
    X = np.fft.rfft(x)
    ref = np.stack([20 / np.log(10) * np.real(np.conj(X) * np.fft.rfft(
        2 * np.pi * t * np.cos(2 * np.pi * qk * t))) / np.abs(X) ** 2 for qk in q], -1)
    np.testing.assert_allclose(J, ref, rtol=1e-10, atol=1e-10 * np.max(np.abs(ref)))


def test_bond_ytm_through_scipy_newton_matches_implicit_function_theorem():
    q = c.BOND_QUOTE.copy()
    g = dg.gradient(lambda z: c.ytm_row(z)[0], q)
    price, par, coup = q
    y = c.bond_ytm(price, par, 1.5, coup, 2)
    dt = np.array([0.5, 1.0, 1.5])
    disc = (1 + y / 2) ** (-2 * dt)
    coupon = coup / 100 * par / 2
    # F(y; price, par, coup) = sum coupon disc + par disc[-1] - price = 0
    dF_dy = np.sum(-coupon * dt * (1 + y / 2) ** (-2 * dt - 1)) - par * 1.5 * (1 + y / 2) ** -4
    dF = np.array([-1.0, np.sum(coup / 100 / 2 * disc) + disc[-1], np.sum(par / 100 / 2 * disc)])
    np.testing.assert_allclose(g, -dF / dF_dy, rtol=1e-9)


def test_biquad_np_append_loop_matches_complex_step():
    q = np.array([0.2, 0.4, 0.2, -0.5, 0.3])
    J = dg.jacobian(c.biquad_output, q)
    ref = complex_step(c.biquad_output, q)
    assert np.max(np.abs(J - ref)) <= 1e-12 * np.max(np.abs(ref))
