"""user73: real functions from public scientific code (bench/corpus73.py) against
independent oracles, and what a new user met on the way.

JONSWAP, Merton's jump diffusion, the fishery's harvest ramp and the Monin-Obukhov
profiles: complex steps (the ramp's and the extinction's tests take the real parts, as
on floats).  The glucose-insulin ODE: SciPy's DOP853 at rtol 1e-13 on plain floats,
Richardson central differences.  Green-Ampt: its equation's root by ``brentq``
(xtol 1e-15) on plain floats, Richardson central differences.  Planck: dB/dT written
out.  Two mends: a buffer made by ``numpy.zeros`` in a module that binds NumPy as ``numpy`` alone
is refused with ``numpy.zeros_like`` (it said ``np.zeros_like``, a NameError there);
``fsolve`` / ``root`` handed a dual ``x0`` name a route that gives the root's
derivatives (dualgrad's ``newton`` for one unknown, the plain root and a Newton step
on duals for a system), where they said only "NumPy functions" or
``dg.stop_gradient``.
"""

import functools

import numpy as np
import pytest
import scipy.optimize
from scipy.integrate import solve_ivp

import dualgrad as dg
from dualgrad.testing import complex_step
from _probes import bench_module, close_by_column, module_from_source

c = bench_module("corpus73")


def _row(name):
    f, x0 = c.PROBLEMS73[name]
    return f, x0.copy()


_close = functools.partial(close_by_column, zero_tol=0)


def _richardson(f, x0, rel=1e-3):
    """Central differences with one Richardson step (error ~h^4)."""
    cols = []
    for j in range(x0.size):
        h = rel * abs(x0[j])
        e = np.zeros_like(x0)
        e[j] = 1.0

        def d(s):
            return (np.asarray(f(x0 + s * e)) - np.asarray(f(x0 - s * e))) / (2 * s)
        cols.append((4.0 * d(h / 2) - d(h)) / 3.0)
    return np.stack(cols, axis=-1)


def test_jonswap_matches_complex_steps_with_gamma_a_dual():
    f, x0 = _row("JONSWAP spectrum, y ** exp(array) (2)")
    assert 3.6 < x0[1] / x0[0] ** 0.5 < 5        # gamma = exp(5.75 - 1.15 ratio)
    J = dg.jacobian(f, x0)
    _close(J, complex_step(f, x0), 1e-13)


def test_merton_prices_match_complex_steps():
    f, x0 = _row("Merton jump diffusion, 100 BS terms (4)")
    J = dg.jacobian(f, x0)
    assert J.shape == (25, 4)
    _close(J, complex_step(f, x0), 1e-13)


def test_glucose_insulin_matches_tight_scipy_solves(monkeypatch):
    f, x0 = _row("glucose-insulin, odeint's LSODA (4)")
    J = dg.jacobian(f, x0)

    class Plain:                        # SciPy's own solver on floats, tight
        @staticmethod
        def solve_ivp(fun, span, y0, t_eval, method, rtol, atol):
            return solve_ivp(fun, span, np.asarray(y0, float), t_eval=t_eval,
                             method="DOP853", rtol=1e-13, atol=1e-10)
    monkeypatch.setattr(c, "dg", Plain)
    with np.errstate(all="ignore"):     # DOP853's trial steps: a negative base's power
        ref = _richardson(f, x0)
    _close(J, ref, 2e-7)                # LSODA at odeint's 1.49e-8: as the solution


def test_fishery_ramp_matches_complex_steps_through_extinction():
    f, x0 = _row("fishery harvest ramp, numpy.zeros loop (5)")
    J = dg.jacobian(f, x0)
    _close(J, complex_step(f, x0), 1e-13)
    fish = f(x0)[:-1]
    dead = np.flatnonzero(fish == 0.0)
    assert 0 < dead.size < 30                                   # year 8.4
    np.testing.assert_array_equal(dead, np.arange(101 - dead.size, 101))
    np.testing.assert_array_equal(J[dead], 0.0)


def test_green_ampt_matches_the_sources_fsolve_and_meets_every_branch(monkeypatch):
    f, x0 = _row("Green-Ampt storm, fsolve per interval (4)")
    J = dg.jacobian(f, x0)
    calls = []

    def plain_root(func, F, args):     # the source's equation, bracketed, on floats
        calls.append(args)
        lo = args[0]                    # G(F_t0) = -K dt < 0
        return scipy.optimize.brentq(func, lo, lo + 100.0, args=args, xtol=1e-15)
    monkeypatch.setattr(c, "newton", plain_root)
    ref = _richardson(f, x0)
    _close(J, ref, 1e-8)
    # ponding within an interval (args start Fp) and throughout (args start F_t0); the
    # dry intervals keep F, the first ones take the rain
    calls.clear()
    F = f(x0)
    within = [a for a in calls if not np.any(F == a[0])]     # from Fp, no F of the storm
    assert within and len(within) < len(calls)              # and from F_t0: throughout
    assert F[8] == F[7] == F[6] and F[1] == 0.25 + 0.5       # dry; rain below the rate


def test_monin_obukhov_profiles_match_complex_steps():
    f, x0 = _row("Monin-Obukhov profiles, Paulson (4)")
    J = dg.jacobian(f, x0)
    _close(J, complex_step(f, x0), 1e-13)
    np.testing.assert_array_equal(J[:8, 1], 0.0)     # U reads no thetastar
    np.testing.assert_array_equal(J[8:, 0], 0.0)     # theta no ustar


def test_planck_spectra_match_the_temperature_derivative_written_out():
    f, T = _row("Planck spectra of 8 stars, broadcast (8)")
    J = dg.jacobian(f, T).reshape(8, 60, 8)
    B = f(T).reshape(8, 60)
    wave = 1 / c.PLANCK_WN * 1e4
    x = (1e8 * c.PLANCK_ERG * c.SPEEDOFLIGHT) / (wave[None, :] * c.BOLTZMANN_ERG * T[:, None])
    dB = B * x / T[:, None] * np.exp(x) / np.expm1(x)
    for k in range(8):
        np.testing.assert_allclose(J[k, :, k], dB[k], rtol=1e-13)
        np.testing.assert_array_equal(np.delete(J[k], k, axis=1), 0.0)


_FISH = '''import numpy


def stock(r, K):
    fish = numpy.zeros(21)
    fish[0] = 2e5
    for step in range(20):
        fish[step + 1] = fish[step] + 0.1 * r * (1. - fish[step] / K) * fish[step]
    return fish


def row(x):
    return stock(x[0], x[1])
'''


@pytest.mark.parametrize("alias", ["numpy", "xp"])
def test_a_numpy_zeros_buffer_is_refused_in_the_name_the_module_gives_numpy(tmp_path, alias):
    source = _FISH if alias == "numpy" else _FISH.replace(
        "import numpy\n", "import numpy as xp\n").replace("numpy.zeros", "xp.zeros")
    m = module_from_source(tmp_path, f"fish73{alias}", source)
    x0 = np.array([0.5, 2e6])
    with pytest.raises(TypeError) as info:
        dg.jacobian(m.row, x0)
    text = str(info.value)
    assert f"make it fish = {alias}.zeros_like(r, shape=21)" in text, text
    assert "np.zeros_like" not in text, text
    fixed = module_from_source(tmp_path, f"fish73{alias}b", source.replace(
        f"{alias}.zeros(21)", f"{alias}.zeros_like(r, shape=21)"))
    J = dg.jacobian(fixed.row, x0)
    _close(J, complex_step(fixed.row, x0), 1e-13)


def test_a_module_with_np_keeps_the_np_spelling(tmp_path):
    m = module_from_source(tmp_path, "fish73np", "import numpy as np\n" + _FISH.replace(
        "numpy.zeros", "np.zeros"))
    with pytest.raises(TypeError, match=r"make it fish = np\.zeros_like\(r, shape=21\)"):
        dg.jacobian(m.row, np.array([0.5, 2e6]))


def _eq(F_t1, F_t0, psi, dtheta, K, dt):
    tmp = psi * dtheta
    return F_t1 - F_t0 - tmp * np.log((F_t1 + tmp) / (F_t0 + tmp)) - K * dt


def test_fsolve_of_one_dual_unknown_names_dualgrads_newton_which_works():
    def infiltration(x, full, guess):
        psi, dtheta, K = x
        F = K * 0.5 if guess is None else guess    # a dual x0, or a plain one (MINPACK)
        out = scipy.optimize.fsolve(_eq, F, args=(1.0, psi, dtheta, K, 0.5),
                                    full_output=full)
        return out[0] if full else out
    x0 = np.array([16.7, 0.34, 0.65])
    for full, guess in ((False, None), (True, None), (False, 0.3), (True, 0.3)):
        with pytest.raises(TypeError) as info:
            dg.jacobian(lambda x: infiltration(x, full, guess), x0)
        text = str(info.value)
        assert "x = dualgrad.scipy.optimize.newton(func, x0, args=args) for its one " \
            "unknown" in text, text
        assert ("your full_output=True" in text) is full, text
        assert "np.linalg.solve(dg.jacobian(func, x, *args), func(x, *args))" in text \
            if guess is None else "np.linalg.solve(dg.jacobian(g, x, p), g(x, p))" in text

    def followed(x):
        from dualgrad.scipy.optimize import newton
        psi, dtheta, K = x
        return np.atleast_1d(newton(_eq, K * 0.5, args=(1.0, psi, dtheta, K, 0.5)))
    J = dg.jacobian(followed, x0)
    # the implicit-function theorem written out: dF/dp = -(dG/dp) / (dG/dF)
    psi, dtheta, K = x0
    F = followed(x0)[0]
    tmp = psi * dtheta
    dG_dF = 1 - tmp / (F + tmp)
    dG_dtmp = -np.log((F + tmp) / (1.0 + tmp)) - tmp * (1 / (F + tmp) - 1 / (1.0 + tmp))
    ref = -np.array([dG_dtmp * dtheta, dG_dtmp * psi, -0.5]) / dG_dF
    np.testing.assert_allclose(J[0], ref, rtol=1e-12)


def test_fsolve_and_root_of_a_dual_system_name_the_newton_step_which_works():
    def g(x, p):                        # x0^2 = p0, x1 = p1 x0
        return np.array([x[0] ** 2 - p[0], x[1] - p[1] * x[0]])

    for call in (lambda p: scipy.optimize.fsolve(g, p, args=(p,)),
                 lambda p: scipy.optimize.root(g, p, args=(p,), method="lm").x):
        with pytest.raises(TypeError) as info:
            dg.jacobian(call, np.array([4.0, 3.0]))
        text = str(info.value)
        assert "dualgrad.scipy.optimize.newton" not in text, text     # two unknowns
        assert "on the plain values (func reading the duals through args" in text or \
            "on the plain values (fun reading the duals through args" in text, text
    assert "method='lm'" in text, text

    def followed(p):                   # the route the refusal spells
        x = scipy.optimize.fsolve(g, dg.stop_gradient(p), args=dg.stop_gradient((p,)))
        for _ in range(2):
            x = x - np.linalg.solve(dg.jacobian(g, x, p), g(x, p))
        return x
    p = np.array([4.0, 3.0])
    J = dg.jacobian(followed, p)
    s = np.sqrt(p[0])
    np.testing.assert_allclose(J, [[0.5 / s, 0.0], [p[1] * 0.5 / s, s]], rtol=1e-14)


_MATH = '''import math
import numpy


def f(x):
    return numpy.array([math.sqrt(x[0]) * x[1], x[1]])
'''


def test_a_math_call_is_refused_in_the_name_the_module_gives_numpy(tmp_path):
    m = module_from_source(tmp_path, "math73", _MATH)
    x0 = np.array([4.0, 2.0])
    with pytest.raises(TypeError) as info:
        dg.jacobian(m.f, x0)
    text = str(info.value)
    assert "on that line, write numpy.sqrt for math.sqrt" in text, text
    fixed = module_from_source(tmp_path, "math73b", _MATH.replace("math.sqrt", "numpy.sqrt"))
    np.testing.assert_array_equal(dg.jacobian(fixed.f, x0), [[0.5, 2.0], [0.0, 1.0]])
    kept = module_from_source(tmp_path, "math73c", "import numpy as np\n" + _MATH)
    with pytest.raises(TypeError, match=r"on that line, write np\.sqrt for math\.sqrt"):
        dg.jacobian(kept.f, x0)
