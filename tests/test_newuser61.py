"""newuser61: real functions from public scientific code (bench/corpus61.py) against
independent oracles, and the refusals a new user meets on the way.

Muskingum routing (its recursion in mpmath), an LQR gain (the Riccati equation's
differential solved as a Lyapunov equation by SciPy on plain numbers), Erlang C queue
measures and a perovskite's structure factors (closed forms in mpmath), a synthetic
seismogram and radiances through a layered atmosphere (a complex step through the same
code), the Sharpe ratio (its analytic gradient), a Butterworth low-pass (a complex step
through SciPy's own lfilter, the call the source makes), a rigid registration's SSD
(differences of SciPy's own ndimage rotate and shift at order=1) and an RNN's loss (the
source's own hand-written backpropagation).  Each source spelling the corpus changed is
refused with a message naming the change made; two messages that misled are mended: a
dual angle or shift reaching scipy.ndimage was told the spelling for a dual image, and a
library's jitted function was told to loop over elements rather than to call its
``py_func``.
"""


import mpmath
import numpy as np
import pytest
import scipy.linalg
from scipy import ndimage
from scipy.signal import lfilter

import dualgrad as dg
from dualgrad.testing import complex_step, numerical_jacobian
from _probes import bench_module

c = bench_module("corpus61")


def _row(name):
    return c.PROBLEMS61[name]


# --- hydrology ---------------------------------------------------------------------
def test_muskingum_jacobian_matches_the_recursion_in_mpmath():
    f, x0 = _row("Muskingum routing, zeros buffer (2)")

    def routed(K, X, i):
        den = K * (1 - X) + 3
        c0, c1, c2 = (-K * X + 3) / den, (K * X + 3) / den, (K * (1 - X) - 3) / den
        q = mpmath.mpf(c.INFLOW[0])
        for t in range(1, i + 1):
            q = c0 * c.INFLOW[t] + c1 * c.INFLOW[t - 1] + c2 * q
        return q
    J = dg.jacobian(f, x0)
    with mpmath.workdps(30):
        K, X = mpmath.mpf(12), mpmath.mpf("0.2")
        ref = np.array([[float(mpmath.diff(lambda u: routed(u, X, i), K)),
                         float(mpmath.diff(lambda u: routed(K, u, i), X))]
                        for i in range(len(c.INFLOW))])
    np.testing.assert_allclose(J, ref, rtol=1e-12, atol=1e-12)
    assert np.all(J[0] == 0.0) and np.max(np.abs(J)) > 1.0


def test_muskingum_source_buffer_refused_naming_zeros_like_of_k():
    def source_start(in_flow, k, x):
        out_flow = np.zeros(in_flow.shape[0], dtype=np.float64)
        out_flow[0] = in_flow[0]
        out_flow[1] = k * x * in_flow[1]
        return out_flow
    with pytest.raises(TypeError, match=r"out_flow = np\.zeros_like\(k, shape="):
        dg.jacobian(lambda q: source_start(c.INFLOW, q[0], q[1]), np.array([12.0, 0.2]))


def test_muskingum_against_its_inflow_names_zeros_like_of_the_dual_inflow():
    # the buffer made as the first refusal said, np.zeros_like(k, shape=n_step), is plain
    # once the inflow is what is differentiated: the refusal names in_flow now (it fell
    # back to the general buffer text, naming neither)
    with pytest.raises(TypeError, match=r"make it out_flow = np\.zeros_like\(in_flow, "
                                        r"shape=n_step\) at line"):
        dg.jacobian(lambda inflow: c.muskingum(inflow, 6.0, 12.0, 0.2), c.INFLOW)


# --- control -----------------------------------------------------------------------
def test_lqr_gain_matches_the_riccati_differential_by_lyapunov():
    # A'P + PA - P B R^-1 B'P + Q = 0 differentiated: Acl' dP + dP Acl = -(dA'P + P dA
    # + dQ + P B R^-1 dR R^-1 B'P), Acl = A - B K; dK = R^-1 (B' dP - dR K)
    f, x0 = _row("LQR gain, Riccati (4)")
    L, q1, q2, r = x0
    A = np.array([[0, 1, 0], [0, 0, 1 / (0.95 * L)], [0, 0, 0]])
    B = np.array([[0.0], [0.0], [1.0]])
    Q, R = np.diag([q1, q2, 0.0]), np.array([[r]])
    P = scipy.linalg.solve_continuous_are(A, B, Q, R)
    K = B.T @ P / r
    Acl = A - B @ K
    cols = []
    for dA, dQ, dR in ((np.array([[0, 0, 0], [0, 0, -1 / (0.95 * L ** 2)], [0, 0, 0]]),
                        0 * Q, 0.0),
                       (0 * A, np.diag([1.0, 0, 0]), 0.0), (0 * A, np.diag([0, 1.0, 0]), 0.0),
                       (0 * A, 0 * Q, 1.0)):
        M = dA.T @ P + P @ dA + dQ + P @ B @ B.T @ P * dR / r ** 2
        dP = scipy.linalg.solve_continuous_lyapunov(Acl.T, -M)
        cols.append(((B.T @ dP - dR * K) / r).ravel())
    np.testing.assert_allclose(dg.jacobian(f, x0), np.stack(cols, axis=-1), rtol=1e-8,
                               atol=1e-12)


def test_lqr_source_scipy_riccati_refused_naming_dualgrads_drop_in():
    def source_lqr(q):
        A = np.diag(np.stack([q[0], -1.0])) + np.diag([1.0], 1)
        P = scipy.linalg.solve_continuous_are(A, np.eye(2)[:, :1], np.eye(2), np.eye(1))
        return P.ravel()
    with pytest.raises(TypeError, match=r"dualgrad\.scipy\.linalg\.solve_continuous_are"):
        dg.jacobian(source_lqr, np.array([0.5]))


# --- queueing ----------------------------------------------------------------------
def test_erlang_c_measures_match_the_closed_forms_in_mpmath():
    f, x0 = _row("M/M/4 Erlang C, factorial loop (2)")

    def measures(mu, lam):
        c4 = 4
        rho = lam / (c4 * mu)
        a = c4 * rho
        fixed = a ** c4 / mpmath.factorial(c4)
        pw = fixed / ((1 - rho) * sum(a ** n / mpmath.factorial(n) for n in range(c4))
                      + fixed)
        return [pw, pw / (1 - rho) / (c4 * mu), pw * rho / (1 - rho)]
    with mpmath.workdps(30):
        mu, lam = mpmath.mpf(1), mpmath.mpf("3.2")
        ref = np.array([[float(mpmath.diff(lambda u: measures(u, lam)[i], mu)),
                         float(mpmath.diff(lambda u: measures(mu, u)[i], lam))]
                        for i in range(3)])
    np.testing.assert_allclose(dg.jacobian(f, x0), ref, rtol=1e-12)


# --- reflection seismology ---------------------------------------------------------
def test_seismogram_jacobian_matches_complex_step():
    f, x0 = _row("Ricker synthetic seismogram (6)")
    J = dg.jacobian(f, x0)
    np.testing.assert_allclose(J, complex_step(f, x0), rtol=1e-12, atol=1e-16)
    assert np.max(np.abs(J[:, 5])) > 1e-3                # the wavelet's frequency moves it


def test_reflection_source_float_cast_refused_saying_to_leave_it_out():
    def source_koef(rho, v):
        rho, v = np.array(rho, dtype=float), np.array(v, dtype=float)
        Z = rho * v
        return (Z[1:] - Z[:-1]) / (Z[:-1] + Z[1:])
    with pytest.raises(TypeError, match=r"leave the cast out"):
        dg.jacobian(lambda v: source_koef(c.SEIS_RHO, v), np.array([1.8e3, 2.1e3, 2.5e3,
                                                                     2.9e3, 3.3e3]))


# --- radiative transfer ------------------------------------------------------------
def test_radiance_temperature_weighting_functions_match_complex_step():
    f, x0 = _row("LBLRTM radiances, layer loop (6)")
    J = dg.jacobian(f, x0)
    np.testing.assert_allclose(J, complex_step(f, x0), rtol=1e-12, atol=1e-18)
    # every radiance grows with every level's temperature (weighting functions > 0); the
    # opaque channel's upwelling radiance is weighted most by level 4, an edge of the
    # last layer it passes (optical depth 5.0 there, before the 1 / cos 60 deg)
    assert np.all(J > 0) and np.argmax(J[2]) == 4


def test_radiative_transfer_source_cast_refused_saying_to_leave_it_out():
    def source_start(temp):
        temp = np.asarray(temp, dtype=np.float64)
        return c.planck(np.array([900.0]), temp)
    with pytest.raises(TypeError, match=r"leave the cast out"):
        dg.jacobian(source_start, np.array([250.0, 260.0]))


# --- portfolio ---------------------------------------------------------------------
def test_sharpe_ratio_gradient_is_the_analytic_one():
    f, w = _row("Sharpe ratio, numba py_func (6)")
    sigma = np.sqrt(w @ c.SHARPE_COV @ w)
    excess = w @ c.SHARPE_R - 0.02
    ref = c.SHARPE_R / sigma - excess * (c.SHARPE_COV @ w) / sigma ** 3
    np.testing.assert_allclose(dg.jacobian(f, w)[0], ref, rtol=1e-13)


def test_jitted_library_function_refusal_names_its_py_func():
    # finsim's metric is jitted in the library: the fix is its Python original, not a
    # rewrite of its whole-array NumPy into element loops (the message said only that)
    # (the function named since user72's e02a0036, where it said "kern.py_func(...) for kern")
    with pytest.raises(TypeError, match=r"np\.sum\(weights \* r\).*python_sharpe_ratio\.py_func"
                                        r"\(\.\.\.\) for python_sharpe_ratio\(\.\.\.\).*"
                                        r"whole-array operations take dual"):
        dg.gradient(lambda w: c.python_sharpe_ratio(w, c.SHARPE_R, c.SHARPE_COV, 0.02),
                    np.full(6, 1 / 6))


# --- signal processing -------------------------------------------------------------
def test_lowpass_filter_matches_complex_step_through_scipys_lfilter():
    f, x0 = _row("Butterworth lfilter, impulse (3)")

    def source_row(q):                 # the source's lfilter itself, on complex data
        b, a = c.butter_lowpass(1.5, 24.0, 6)
        data = q[0] * np.sin(2 * np.pi * q[1] * c.FILT_T + q[2]) + \
            0.3 * np.sin(2 * np.pi * 9 * c.FILT_T)
        return lfilter(b, a, data)
    x = np.array(x0)
    np.testing.assert_allclose(f(x), source_row(x), rtol=0, atol=1e-12)
    np.testing.assert_allclose(dg.jacobian(f, x), complex_step(source_row, x), rtol=1e-10,
                               atol=1e-12)


def test_lfilter_of_a_dual_signal_refused_naming_the_impulse_response_convolution():
    b, a = c.butter_lowpass(1.5, 24.0, 6)
    with pytest.raises(TypeError, match=r"np\.convolve\(x, h\)\[:len\(x\)\]"):
        dg.jacobian(lambda q: lfilter(b, a, q[0] * np.sin(c.FILT_T)), np.array([1.0]))


# --- image registration ------------------------------------------------------------
def _scipy_err(p):
    img = ndimage.rotate(c.REG_XIMG, p[2], reshape=0, order=1)
    img = ndimage.shift(img, p[:2], order=1)
    return c.MeasureErr(c.REG_IMG, img)


def test_registration_ssd_matches_differences_of_scipys_order_one_resampling():
    f, x0 = _row("rigid registration SSD, bilinear (3)")
    np.testing.assert_allclose(f(x0), _scipy_err(x0), rtol=1e-14, atol=1e-14)
    # bilinear sampling is smooth inside a cell: 8th-order differences with a step well
    # inside every sample's cell
    ref = numerical_jacobian(_scipy_err, x0, h=1e-4)
    np.testing.assert_allclose(dg.jacobian(f, x0), ref, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("call, what", [
    (lambda p: ndimage.shift(c.REG_XIMG, p[:2]), "shift's shift"),
    (lambda p: ndimage.rotate(c.REG_XIMG, p[2], reshape=0), "rotate's angle"),
    (lambda p: ndimage.affine_transform(c.REG_XIMG, np.eye(2), offset=p[:2]),
     "affine_transform's matrix or offset")])
def test_ndimage_with_dual_geometry_refused_naming_bilinear_sampling_not_the_image(call, what):
    # a registration's duals are the angle and offsets: the spelling for a dual image
    # (M @ x.ravel(), "where only the image x is a dual") fit nothing in the call
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda p: call(p).ravel(), np.array([0.4, -0.3, 2.5]))
    text = str(info.value)
    assert f"the duals being in {what}, not in the image" in text
    assert "np.floor(dg.stop_gradient(r))" in text and "order=1" in text
    assert "where only the image x is a dual" not in text
    # a dual image keeps the linear spelling
    with pytest.raises(TypeError, match=r"where only the image x is a dual"):
        dg.jacobian(lambda x: ndimage.shift(x.reshape(2, 2), (0.5, 0)).ravel(), np.ones(4))


# --- crystallography ---------------------------------------------------------------
def test_structure_factors_match_the_closed_form_in_mpmath():
    f, x0 = _row("perovskite structure factors (5)")

    def intensity(q, hkl):
        a, bsr, bti, bo, dz = q
        s2 = sum(mpmath.mpf(h) ** 2 for h in hkl) / a ** 2      # 1 / d^2 of a cubic cell
        h, k, l = hkl
        sites = [(7.02, bsr, (0, 0, 0)), (-3.438, bti, (0.5, 0.5, 0.5 + dz)),
                 (5.803, bo, (0.5, 0.5, 0)), (5.803, bo, (0.5, 0, 0.5)),
                 (5.803, bo, (0, 0.5, 0.5))]
        F = sum(mpmath.mpf(b) * mpmath.exp(2j * mpmath.pi * (h * x + k * y + l * z)
                                           - B * s2 / 4)
                for b, B, (x, y, z) in sites)
        return abs(F) ** 2
    J = dg.jacobian(f, x0)
    with mpmath.workdps(30):
        p = [mpmath.mpf(float(v)) for v in x0]
        ref = np.empty(J.shape)
        for i, hkl in enumerate(c.PEAKS):
            for j in range(5):
                ref[i, j] = float(mpmath.diff(
                    lambda t: intensity(p[:j] + [t] + p[j + 1:], hkl), p[j]))
        val = [float(intensity(p, hkl)) for hkl in c.PEAKS]
    np.testing.assert_allclose(f(x0), val, rtol=1e-13)
    np.testing.assert_allclose(J, ref, rtol=1e-10, atol=1e-10 * np.max(np.abs(ref)))


# --- recurrent neural network ------------------------------------------------------
def test_rnn_loss_gradient_is_the_sources_own_backpropagation():
    f, w0 = _row("min-char-rnn loss, BPTT in f (157)")
    loss, *grads, _ = c.lossFun(c.RNN_INPUTS, c.RNN_TARGETS, np.zeros((c.hidden_size, 1)))
    ref = np.concatenate([g.ravel() for g in grads])
    assert np.max(np.abs(ref)) < 5                       # the source's clipping is idle
    g = dg.jacobian(f, w0)[0]
    np.testing.assert_allclose(g, ref, rtol=1e-11, atol=1e-13)
    # the same through a dict of weights, as dualgrad's pytrees take it
    G = dg.gradient(c.rnn_loss, c.RNN_PARAMS)
    np.testing.assert_allclose(G["Whh"], grads[1], rtol=1e-11, atol=1e-13)
    assert c.Wxh is c.RNN_PARAMS["Wxh"]                  # the module's weights restored
