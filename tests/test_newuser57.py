"""newuser57: real functions from public scientific code (bench/corpus57.py) against
independent oracles, and ``np.piecewise`` of a dual.

The corpus (pharmacokinetics through dg.solve_ivp, Fresnel optics, a spherical
variogram, Kepler's equation by a Newton loop, orbital elements as a dict,
Black-Scholes with ``norm.cdf(d, 0.0, 1.0)``, a genotype recursion on tuples, stiff
kinetics by Radau) is checked against complex steps, closed forms (Bateman's solution,
the implicit function theorem, the Greeks) and SciPy's own variational solve.

``np.piecewise(h, [h <= a, h > a], [f1, f2])`` of a dual ``h`` (the spatialize
sandbox's spherical variogram) was refused; it now runs NumPy's own steps on the dual
(each function sees only its elements).  With a plain ``h`` and dual parameters
NumPy's own code meets the duals: that stays refused, naming ``np.where``.
"""


import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import complex_step
from _probes import bench_module

c = bench_module("corpus57")


def richardson_jacobian(f, x, rel=1e-3):
    """Central differences with one Richardson step (error ~h^4)."""
    x = np.asarray(x, dtype=float)
    cols = []
    for j in range(x.size):
        h = rel * max(1.0, abs(x[j]))
        e = np.zeros_like(x)
        e[j] = 1.0

        def d(s):
            return (np.asarray(f(x + s * e)) - np.asarray(f(x - s * e))) / (2 * s)
        cols.append((4.0 * d(h / 2) - d(h)) / 3.0)
    return np.stack(cols, axis=-1)


# --- np.piecewise of a dual (fails on f278388: refused) -------------------------------

def spherical_slope(h, sill, a):
    """d/dh of the spherical model: sill (1.5 / a - 1.5 h^2 / a^3) inside, 0 beyond."""
    return np.where(h <= a, sill * (1.5 / a - 1.5 * h ** 2 / a ** 3), 0.0)


def test_spherical_variogram_by_piecewise_is_the_closed_form():
    h = c.VARIO_LAGS
    J = dg.jacobian(c.nested_variogram, h)
    want = spherical_slope(h, 0.17, 95.0) + spherical_slope(h, 0.14, 220.0)
    np.testing.assert_allclose(J, np.diag(want), rtol=1e-14, atol=1e-18)
    value, _ = dg.jvp(c.nested_variogram, h, np.ones_like(h))
    np.testing.assert_array_equal(value, c.nested_variogram(h))


def test_piecewise_values_are_numpys_and_each_function_sees_its_elements_only():
    x = np.array([-2.0, -0.5, 0.25, 1.0, 4.0])
    seen = []

    def root(t):
        seen.append(np.shape(t))
        return np.sqrt(t)                  # NaN (and a warning) on the negatives

    def f(x):
        return np.piecewise(x, [x < 0, x >= 0], [lambda t: t ** 3, root])
    with np.errstate(invalid="raise"):
        g = dg.elementwise_grad(f)(x)
    assert seen == [(3,)]
    np.testing.assert_allclose(g, np.where(x < 0, 3 * x ** 2, 0.5 / np.sqrt(np.abs(x))),
                               rtol=1e-15)
    out = dg.jvp(f, x, np.ones_like(x))[0]
    np.testing.assert_array_equal(out, np.piecewise(x, [x < 0, x >= 0],
                                                    [lambda t: t ** 3, np.sqrt]))


def test_piecewise_otherwise_constants_extra_args_and_a_scalar():
    x = np.array([0.5, 1.5, 2.5, -1.0])

    def f(x, a):
        return np.piecewise(x, [x < 1, x >= 2], [lambda t, a: a * np.sin(t), 7.0,
                                                 lambda t, a: a * t ** 2], a)
    g = dg.elementwise_grad(f)(x, 3.0)
    want = np.where(x < 1, 3.0 * np.cos(x), np.where(x >= 2, 0.0, 6.0 * x))
    np.testing.assert_allclose(g, want, rtol=1e-15)
    # the undocumented single condition, and NumPy's 0-d case
    assert dg.derivative(lambda t: np.piecewise(t, t < 1, [np.sin, lambda t: t ** 3]),
                         2.0) == pytest.approx(12.0, rel=1e-15)
    assert dg.derivative(lambda t: np.piecewise(t, [t < 1, t >= 1], [np.sin, 3.0]),
                         0.5) == pytest.approx(np.cos(0.5), rel=1e-15)


def test_piecewise_hessian_is_the_closed_form():
    x = np.array([0.5, 1.5, -1.0])
    H = dg.hessian(lambda x: np.sum(np.piecewise(x, [x < 1], [lambda t: t ** 3, np.exp])), x)
    np.testing.assert_allclose(H, np.diag(np.where(x < 1, 6 * x, np.exp(x))), rtol=1e-15)


def test_piecewise_of_plain_lags_with_dual_parameters_stays_refused_naming_np_where():
    # NumPy's own np.piecewise runs (h is plain) and stores the duals into its float
    # array: refused, the message names the spelling that works, which is exact
    h = c.VARIO_LAGS
    with pytest.raises(TypeError, match=r"np\.piecewise.*np\.where\(cond"):
        dg.jacobian(lambda q: c.spherical_model(h, q[0], q[1], q[2]),
                    np.array([0.01, 0.17, 95.0]))

    def by_where(q):
        nugget, sill, a = q
        return np.where(h <= a, nugget + sill * (1.5 * h / a - 0.5 * (h / a) ** 3),
                        nugget + sill)
    q = np.array([0.01, 0.17, 95.0])
    J = dg.jacobian(by_where, q)
    np.testing.assert_allclose(J, complex_step(by_where, q), rtol=1e-13, atol=1e-17)


# --- the rest of the corpus against independent oracles ------------------------------

def test_fresnel_reflectances_against_complex_step():
    q = np.array([1.0, 1.5])
    J = dg.jacobian(c.fresnel_reflectance, q)
    np.testing.assert_allclose(J, complex_step(c.fresnel_reflectance, q),
                               rtol=1e-12, atol=1e-15)
    rs, rp = c.rho(0.3, 1.0, c.angle(0.3, 1.0, 1.5), 1.5)   # the tuple, as the source
    assert dg.derivative(lambda n2: c.rho(0.3, 1.0, c.angle(0.3, 1.0, n2), n2)[0],
                         1.5) == pytest.approx(
        complex_step(lambda v: c.rho(0.3, 1.0, c.angle(0.3, 1.0, v[0]), v[0])[0],
                              [1.5])[0], rel=1e-12)


def test_kepler_newton_loop_is_the_implicit_derivative():
    M, e = 1.1, 0.3
    g = dg.grad(c.newton_raphson, argnums=(1, 2))(M, M, e)
    E = c.newton_raphson(M, M, e)
    assert abs(E - e * np.sin(E) - M) < 1e-15
    d = 1.0 - e * np.cos(E)               # E - e sin E = M: dE/dM = 1/d, dE/de = sin E/d
    assert g[0] == pytest.approx(1.0 / d, rel=1e-14)
    assert g[1] == pytest.approx(np.sin(E) / d, rel=1e-14)
    J = dg.jacobian(c.kepler_anomalies, np.array([0.0, 0.3]))
    Es = np.array([c.newton_raphson(m, m, 0.3) for m in c.KEPLER_M])
    ds = 1.0 - 0.3 * np.cos(Es)
    np.testing.assert_allclose(J, np.stack([1.0 / ds, np.sin(Es) / ds], axis=1), rtol=1e-13)


def test_orbital_elements_dict_against_richardson():
    s = c.ORBIT_STATE
    J = dg.jacobian(c.orbital_elements, s)
    ref = richardson_jacobian(c.orbital_elements, s, rel=1e-4)
    np.testing.assert_allclose(J, ref, rtol=1e-6, atol=1e-9 * np.max(np.abs(ref)))
    # the dict itself as the output pytree: entries keep their keys and shapes
    D = dg.jacobian(lambda s: c.calc_elements(s[:3], s[3:]), s)
    assert set(D) == {'a', 'e', 'I', 'Omega', 'w', 'f', 'h'} and D['h'].shape == (3, 6)
    np.testing.assert_allclose(D['e'], J[1], rtol=1e-15)
    h_ref = complex_step(lambda s: np.cross(s[:3], s[3:]), s)
    np.testing.assert_allclose(D['h'], h_ref, rtol=1e-15)


def test_black_scholes_source_greeks_are_the_closed_forms():
    from scipy.stats import norm
    S, T, r, sig = 100.0, 0.5, 0.01, 0.2
    K = c.BS_STRIKES
    J = dg.jacobian(c.call_smile, np.array([S, T, r, sig]))
    d1 = (np.log(S / K) + (r + sig ** 2 / 2) * T) / (sig * np.sqrt(T))
    d2 = d1 - sig * np.sqrt(T)
    delta = norm.cdf(d1)
    theta = S * norm.pdf(d1) * sig / (2 * np.sqrt(T)) + r * K * np.exp(-r * T) * norm.cdf(d2)
    rho_ = K * T * np.exp(-r * T) * norm.cdf(d2)
    vega = S * norm.pdf(d1) * np.sqrt(T)
    np.testing.assert_allclose(J, np.stack([delta, theta, rho_, vega], axis=1), rtol=1e-12)


def test_black_scholes_with_scipy_stats_is_refused_naming_the_drop_in():
    import scipy.stats as st

    def N(d):
        return st.norm.cdf(d, 0.0, 1.0)
    with pytest.raises(TypeError) as e:
        dg.gradient(lambda S: N(np.log(S / 100.0) / 0.2), 100.0)
    msg = str(e.value)
    assert "scipy.stats.norm.cdf" in msg and "dualgrad.scipy.stats" in msg


def test_allele_recursion_on_tuples_against_complex_step():
    q = np.array([0.3, 0.8, 0.5, 0.3])
    J = dg.jacobian(c.allele_trajectory, q)
    np.testing.assert_allclose(J, complex_step(c.allele_trajectory, q),
                               rtol=1e-12, atol=1e-16)


def bateman_central(p, t, dose=10.0):
    """A_central(t) of the linear chain tablet -> central (ka), out at km + ke."""
    ka, km, ke = p
    k = km + ke
    return dose * ka / (k - ka) * (np.exp(-ka * t) - np.exp(-k * t))


def test_pk_solve_ivp_sensitivities_are_batemans():
    p = np.array([1.2, 0.7, 0.3])
    J = dg.jacobian(c.pk_central_curve, p)
    want = complex_step(lambda p: bateman_central(p, c.PK_TIMES), p)
    np.testing.assert_allclose(J, want, rtol=1e-7, atol=1e-9)
    # the odeint-ordered right-hand side returns a list: its Jacobian is the rate matrix
    Jr = dg.jacobian(lambda x: np.stack(c.dydt_compartment_model(x, 0.0, 1.2, 0.7, 0.3)),
                     np.array([10.0, 1.0, 0.5, 0.0, 0.0]))
    A = np.zeros((5, 5))
    A[0, 0], A[1, 0], A[1, 1], A[2, 1], A[2, 2] = -1.2, 1.2, -1.0, 0.7, -0.3
    A[3, 1], A[4, 2] = 0.3, 0.3
    np.testing.assert_array_equal(Jr, A)


def test_stiff_kinetics_radau_against_scipys_variational_solve():
    from scipy.integrate import solve_ivp
    y0 = np.array([0.004, 0.0001, 0.08, 10.0, 10.0, 0.0])
    J = dg.jacobian(c.kinetics_end_state, y0)
    Jac = dg.jacobian(lambda y: np.stack(c.deriv(0.0, y)), y0)       # shape check
    assert Jac.shape == (6, 6)

    def augmented(t, z):
        y, S = z[:6], z[6:].reshape(6, 6)
        A = complex_step(lambda u: np.stack(c.deriv(t, u)), y)
        return np.concatenate([np.stack(c.deriv(t, y)), (A @ S).ravel()])
    sol = solve_ivp(augmented, (0.0, c.KINETICS_END), np.concatenate([y0, np.eye(6).ravel()]),
                    method="Radau", rtol=1e-11, atol=1e-14)
    ref = sol.y[6:, -1].reshape(6, 6)
    np.testing.assert_allclose(J, ref, rtol=1e-5, atol=1e-6 * np.max(np.abs(ref)))


# --- scipy.fftpack.diff (a pseudo-spectral Burgers right-hand side) ------------------

def burgers(t, u, period, nu):
    """PubCyBerry/pytorch-jax src/problems/pde.py (05de4c46), written anew in its style."""
    from scipy import fftpack
    u_x = fftpack.diff(u, order=1, period=period)
    u_xx = fftpack.diff(u, order=2, period=period)
    return -u * u_x + nu * u_xx


def test_fftpack_diff_is_refused_naming_the_np_fft_spelling():
    # f278388 said "write that step with NumPy functions": no spelling for diff
    u = np.sin(np.linspace(0.0, 2 * np.pi, 16, endpoint=False)) + 0.3
    with pytest.raises(TypeError) as e:
        dg.jacobian(lambda u: burgers(0.0, u, 2 * np.pi, 0.05), u)
    msg = str(e.value)
    assert msg.startswith("dualgrad.jacobian: scipy.fftpack.diff")
    assert "np.fft.ifft((1j * k) ** order * np.fft.fft(x)).real" in msg
    assert "k[n // 2] = 0 where n is even" in msg and "dg.stop_gradient(d)" in msg


@pytest.mark.parametrize("n", [16, 17])
def test_the_fftpack_diff_spelling_is_fftpacks_operator(n):
    from scipy import fftpack
    period = 3.7

    def diff(x, order):
        k = np.fft.fftfreq(n, d=period / (2 * np.pi * n))
        if n % 2 == 0:
            k[n // 2] = 0
        return np.fft.ifft((1j * k) ** order * np.fft.fft(x)).real

    def rhs(u):
        return -u * diff(u, 1) + 0.05 * diff(u, 2)
    u = np.cos(2 * np.pi * np.arange(n) / n) + 0.3
    J = dg.jacobian(rhs, u)
    # the oracle: SciPy's own operators as matrices (columns of the identity), linear
    D1 = np.stack([fftpack.diff(e, order=1, period=period) for e in np.eye(n)], axis=1)
    D2 = np.stack([fftpack.diff(e, order=2, period=period) for e in np.eye(n)], axis=1)
    want = -np.diag(fftpack.diff(u, order=1, period=period)) - u[:, None] * D1 + 0.05 * D2
    np.testing.assert_allclose(J, want, rtol=1e-12, atol=1e-13 * np.max(np.abs(want)))
    np.testing.assert_allclose(rhs(u), burgers(0.0, u, period, 0.05), rtol=1e-13, atol=1e-14)


# --- Gray-Scott by np.roll and in-place updates ---------------------------------------

def test_gray_scott_roll_in_place_against_complex_step():
    s = c.gray_scott_start()
    J = dg.jacobian(c.gray_scott_state, s)
    np.testing.assert_allclose(J, complex_step(c.gray_scott_state, s),
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(s, c.gray_scott_start())       # the input untouched


def test_gray_scott_main_with_dual_rates_names_rebinding():
    # the source's main() keeps its fields in np.ones / np.zeros arrays and updates them
    # with U += ...: with dual rates that is refused, naming the rebinding that works
    def final_v(p):
        Du, Dv, F, k = p
        n = 8
        U, V = np.ones((n, n)), np.zeros((n, n))
        U[3:5, 3:5], V[3:5, 3:5] = 0.5, 0.25
        for i in range(5):
            UVV = U * V * V
            U += (Du * c.laplace(U, 1) - UVV + F * (1 - U)) * 1
            V += (Dv * c.laplace(V, 1) + UVV - V * (F + k)) * 1
        return V.ravel()
    p = np.array([0.2, 0.1, 0.025, 0.056])
    with pytest.raises(TypeError, match=r"updates U, a plain NumPy array, in place.*"
                       r"rebind the name instead, U = U \+ \(Du"):
        dg.jacobian(final_v, p)

    def rebound(p):
        Du, Dv, F, k = p
        n = 8
        U, V = np.ones((n, n)), np.zeros((n, n))
        U[3:5, 3:5], V[3:5, 3:5] = 0.5, 0.25
        for i in range(5):
            UVV = U * V * V
            U = U + (Du * c.laplace(U, 1) - UVV + F * (1 - U)) * 1
            V = V + (Dv * c.laplace(V, 1) + UVV - V * (F + k)) * 1
        return V.ravel()
    np.testing.assert_allclose(dg.jacobian(rebound, p), complex_step(rebound, p),
                               rtol=1e-12, atol=1e-15)


def test_piecewise_overlapping_conditions_later_wins_on_a_grid():
    x = np.array([[-1.0, 0.5, 2.0], [3.0, -0.2, 0.9]])

    def f(x):
        return np.piecewise(x, [x < 1, x > 0], [lambda t: t ** 3, lambda t: np.exp(t)])
    value, tangent = dg.jvp(f, x, np.ones_like(x))
    np.testing.assert_array_equal(value, f(x))                  # NumPy's, later wins
    np.testing.assert_allclose(tangent, np.where(x > 0, np.exp(x), 3 * x ** 2), rtol=1e-15)
    assert np.shape(dg.jacobian(f, x)) == (2, 3, 2, 3)


def test_piecewise_closing_over_an_inner_calls_dual_in_both_nesting_orders():
    # diff57 27: d/dx d/dp raised "stored into an array of an outer call" (NumPy's
    # zeros_like(x) buffer held the outer level only); closed form of d2/dp dx
    x0, p0 = np.array([-0.5, 0.7, 1.5]), 1.3

    def f(x, p):
        return np.piecewise(x, [x < 0, x > 1], [lambda z: p * z, lambda z: p * p * z * z,
                                                lambda z: np.sin(p * z)])
    want = np.array([1.0, np.cos(p0 * 0.7) - p0 * 0.7 * np.sin(p0 * 0.7), 4 * p0 * 1.5])
    a = dg.jacobian(lambda p: np.diagonal(dg.jacobian(lambda x: f(x, p[0]), x0)),
                    np.array([p0])).ravel()
    b = np.diagonal(dg.jacobian(lambda x: dg.jacobian(lambda p: f(x, p[0]),
                                                      np.array([p0])).ravel(), x0))
    c_ = [dg.derivative(lambda x: dg.derivative(lambda p: f(x, p), p0), v) for v in x0]
    for got in (a, b, np.array(c_)):
        np.testing.assert_allclose(got, want, rtol=1e-14)


# --- the float cast's advice: x.copy(), not np.asarray(x) / np.array(x) ---------------

def test_float_cast_advice_names_x_copy_and_that_spelling_keeps_f_s_values():
    # attack57 07: np.array(x) of a dual array (the spelling the message named) is an
    # object array, which np.nan_to_num returns unchanged: value NaN where f(x) is 0
    x = np.array([0.3, 1.2, -0.7])
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda x: np.asarray(x, dtype=float) * x, x)
    msg = str(info.value)
    assert "x = x.copy() where f writes into x" in msg
    assert "np.asarray(x) and np.array(x) without dtype=" not in msg

    def f(x):
        y = x.copy()
        y[2] = np.nan
        return np.nan_to_num(y) * x
    value, tangent = dg.jvp(f, x, np.ones(3))
    np.testing.assert_array_equal(value, f(x))
    np.testing.assert_allclose(tangent, [0.6, 2.4, 0.0], rtol=1e-15)


def test_piecewise_dual_constant_piece_and_complex_pieces():
    # attack57 19: (a) a dual constant piece was refused as a float64 conversion after
    # b2a38ee; (b) a complex piece of a real x, which NumPy casts to real (dropping the
    # imaginary part), was kept complex on the gather path: refused as np.insert's
    t = np.linspace(0, 2, 9)
    J = dg.jacobian(lambda a: np.piecewise(t * a, [t < 1], [lambda v: v ** 2, a]), 0.7)
    np.testing.assert_allclose(J, np.where(t < 1, 2 * 0.7 * t ** 2, 1.0), rtol=1e-15)
    with pytest.raises(TypeError, match=r"np\.piecewise of a real array with a complex value"):
        dg.jvp(lambda a: np.piecewise(t * a, [t < 1], [lambda v: v * (1 + 1j), lambda v: v]),
               0.7, 1.0)
    with pytest.raises(TypeError, match=r"np\.piecewise of a real array with a complex value"):
        dg.jvp(lambda a: dg.derivative(lambda p: np.sum(np.abs(np.piecewise(
            t * a, [t < 1], [lambda v: v * p * (1 + 1j), lambda v: v]))), 1.0), 0.7, 1.0)
    # a complex x keeps complex pieces (holomorphic): the closed form
    z = np.array([0.5 + 0.5j, 2.0 - 1.0j])
    g = dg.jacobian(lambda w: np.piecewise(w, [z.real < 1], [lambda v: v ** 2, np.exp]), z,
                    holomorphic=True)
    np.testing.assert_allclose(np.diag(g), np.where(z.real < 1, 2 * z, np.exp(z)), rtol=1e-15)
