"""user72: real functions from public scientific code (bench/corpus72.py) against
independent oracles, and what a new user met on the way.

FAO-56 ETo, the age-structured SEIR model, poliastro's J2 + drag RK4 steps, the PID
loop and the St. Venant-Kirchhoff stresses: complex steps (the clip of the sunset hour
angle and the PID's max / min and ``!=`` take the real parts, as on floats), and where
the clip holds the hour angle at pi its derivative exactly 0.  Johnson-Cook: the flow
stress's derivatives written out, exactly 0 in m at room temperature (``0.0 ** m``).
The drug's accumulation: the closed form of the recursion and its derivatives.  Two
mends: a ``zeros(n)`` buffer of ``from numpy import *`` code is refused with the fix in
the names that import binds (it had the general text, and its ``np.`` spellings name
nothing in such a module); ``0.0 ** m`` of a scalar dual (a zero base to a positive
power) stays on the fast path, where the twin of ``np.float_power`` that the power
rows' d/dy at a zero base reads refused a zero base and sent it to the general path
(~500 us a call against ~3).
"""

import functools
import math

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import complex_step
from _probes import close_by_column, bench_module, module_from_source, python_calls

c = bench_module("corpus72")

# columns relative to their largest entry; the oracle's all-zero columns exactly zero
_close = functools.partial(close_by_column, zero_tol=0)


def _row(name):
    f, x0 = c.PROBLEMS72[name]
    return f, x0.copy()




def test_eto_matches_complex_steps_and_the_clipped_hour_angle_is_flat():
    f, x0 = _row("FAO-56 ETo, arccos(clip) chain (4)")
    J = dg.jacobian(f, x0)
    _close(J, complex_step(f, x0), 1e-13)
    # the sunset hour angle by latitude: pi where the clip holds (the polar summer's
    # days), arccos's derivative written out elsewhere
    lat = c.deg2rad(x0[0])
    sd = c.sol_dec(c.ETO_DOY)
    cos_sha = -np.tan(lat) * np.tan(sd)
    held = cos_sha < -1.0
    assert 20 < held.sum() < held.size                  # both kinds of day are met
    d = np.diag(dg.jacobian(lambda v: c.sunset_hour_angle(v, sd), np.full(sd.size, lat)))
    np.testing.assert_array_equal(d[held], 0.0)
    ref = np.tan(sd) / np.cos(lat) ** 2 / np.sqrt(1.0 - cos_sha ** 2)
    np.testing.assert_allclose(d[~held], ref[~held], rtol=1e-13)


def test_age_seir_incidence_matches_complex_steps():
    f, x0 = _row("age SEIR, chained-index loops (4)")
    J = dg.jacobian(f, x0)
    assert J.shape == (150, 4)
    _close(J, complex_step(f, x0), 1e-13)


def test_j2_drag_transition_matrix_matches_complex_steps():
    f, x0 = _row("J2 + drag RK4, poliastro (6)")
    J = dg.jacobian(f, x0)
    _close(J, complex_step(f, x0), 1e-13)


def test_pid_errors_match_complex_steps_through_saturation_and_resets():
    f, g0 = _row("PID anti-windup, max/min class (3)")
    J = dg.jacobian(f, g0)
    _close(J, complex_step(f, g0), 1e-13)
    # the limits bind on some steps (a reset of the integral), not on all
    pid = c.Controller(*g0, setpoint=20.0, umin=-10, umax=10)
    plant = c.SimpleDiscrete(0.95, 0.08, 0.05, 15.0, 20.0, c.PID_DISTURBANCE)
    x, held = plant.x, 0
    for _ in range(len(c.PID_DISTURBANCE)):
        u = pid.compute(x, 1.0)
        held += abs(u) == 10
        x = plant.step(u)
    assert 0 < held < len(c.PID_DISTURBANCE)


def test_johnson_cook_matches_its_derivatives_and_is_flat_in_m_at_room_temperature():
    f, x0 = _row("Johnson-Cook fit, math.log per point (5)")
    J = dg.jacobian(f, x0)
    s, r, T = (np.array(v) for v in zip(*c.JC_POINTS))
    A, B, n, C, m = x0 * c.JohnsonCookModel.params_scaling()
    th = (T - 293.15) / (1425 + 273.15 - 293.15)
    hard, rate = A + B * s ** n, 1 + C * np.log(r / 1e-3)
    soft = 1 - th ** m
    with np.errstate(divide="ignore", invalid="ignore"):
        dm = np.where(th == 0.0, 0.0, -th ** m * np.log(th))
    ref = np.stack([rate * soft, s ** n * rate * soft, B * s ** n * np.log(s) * rate * soft,
                    hard * np.log(r / 1e-3) * soft, hard * rate * dm], axis=1)
    ref *= c.JohnsonCookModel.params_scaling() / 1e6
    np.testing.assert_allclose(J, ref, rtol=1e-13, atol=0)
    assert (th == 0.0).sum() == 30
    np.testing.assert_array_equal(J[th == 0.0, 4], 0.0)


def test_a_zero_base_to_a_dual_power_takes_the_fast_path():
    # 0.0 ** m (t_h ** m at room temperature): the general path cost ~500 us a call
    seen = {}

    def probe(x):
        m = x[4]
        seen["calls"] = python_calls(lambda: (0.0 ** m, np.float_power(0.0, m),
                                              0.0 ** x[0], (-0.0) ** m), within="dualgrad")
        return x
    dg.jacobian(probe, np.array([0.5, 0.05, 0.3, 0.01, 1.03]))
    assert "call" not in seen["calls"] and "power_terms" not in seen["calls"], seen


@pytest.mark.parametrize("n", [1, 2, 5])
def test_zero_base_powers_of_scalar_duals_equal_the_array_path_bit_for_bit(n):
    # the array path reads np.float_power on arrays: NumPy's own, no twin
    rng = np.random.default_rng(n)
    specials = [0.0, -0.0, 1.0, -1.0, 1e300, -1e-300, 3e-310]
    for y in (1e-300, 0.25, 0.5, 1.0, 1.03, 2.0, 3.0, 7.5, 1e10, 1e300):
        for base in (0.0, -0.0):
            for op in (lambda b, m: b ** m, np.power, np.float_power):
                p = rng.choice(specials, n)
                got = {}
                x0 = np.zeros(n)

                def scalar(x):
                    d = x @ p + y                            # value y, partials p
                    got["s"] = op(base, d)
                    return np.atleast_1d(got["s"])

                def array(x):
                    d = (x @ p + y) + np.zeros(3)            # the same, as an array dual
                    got["a"] = op(base, d)
                    return got["a"]
                with np.errstate(all="raise"):
                    Js, Ja = dg.jacobian(scalar, x0), dg.jacobian(array, x0)
                assert Js.tobytes() == Ja[:1].tobytes(), (y, base, p, Js, Ja)


def test_float_power_twin_takes_a_zero_base_to_a_positive_finite_power_only():
    from dualgrad.rules._expr import _float_power
    for x in (0.0, -0.0):
        for y in (5e-324, 1e-300, 0.5, 1.0, 3.0, 2.5, 1e300):
            with np.errstate(all="raise"):
                want = np.float_power(x, y)
            got = _float_power(x, y)
            assert type(got) is float and np.float64(got).tobytes() == want.tobytes()
        for y in (0.0, -0.0, -0.5, -3.0, math.inf, -math.inf, math.nan):
            with pytest.raises(ValueError):
                _float_power(x, y)
    assert _float_power(0.3, 2.0) == np.float_power(0.3, 2.0)
    with pytest.raises(ValueError):
        _float_power(-0.3, 2.0)


def test_drug_accumulation_matches_the_closed_form():
    f, x0 = _row("drug accumulation, star-import zeros (2)")
    J = dg.jacobian(f, x0)
    h, dose = x0
    q = 1.0 - 1.0 / (6.0 * h)                   # one 10-minute step's remaining fraction
    t = np.arange(2016)
    starts = [k * 144 for k in range(5)]        # doses at steps 0, 144, .., 576
    c_ref = sum(np.where(t >= s, dose * q ** np.maximum(t - s, 0), 0.0) for s in starts)
    dq = 1.0 / (6.0 * h * h)
    dh = sum(np.where(t > s, dose * (t - s) * q ** np.maximum(t - s - 1, 0) * dq, 0.0)
             for s in starts)
    np.testing.assert_allclose(f(x0), c_ref, rtol=1e-12)
    np.testing.assert_allclose(J[:, 1], c_ref / dose, rtol=1e-12)
    np.testing.assert_allclose(J[:, 0], dh, rtol=1e-11, atol=1e-300)


def test_svk_stresses_match_complex_steps():
    f, x0 = _row("St. Venant-Kirchhoff, np.eye + inv (4)")
    J = dg.jacobian(f, x0)
    _close(J, complex_step(f, x0), 1e-13)


_DRUG = '''\
from numpy import *


def drug(halflife, dose):
    ptsperhour = 60/10
    npts = int(14*24*ptsperhour)
    c = zeros(npts)
    c[0] = dose
    decay = 1.0/(halflife)
    for t in range(1, npts):
        c[t] = c[t-1] - decay*c[t-1]*(1.0/ptsperhour)
        if ((t % (24*ptsperhour) == 0) & (t/(24*ptsperhour) < 5)):
            c[t] += dose
    return c
'''


def test_a_star_imported_zeros_buffer_is_refused_in_the_names_the_module_binds(tmp_path):
    # drug_concentration.py: from numpy import *; c = zeros(npts). The refusal gave the
    # general text; its np.zeros_like spelling names nothing in that module (no np)
    m = module_from_source(tmp_path, "drug72", _DRUG)
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda x: m.drug(x[0], x[1]), c.DRUG_X0)
    message = str(info.value)
    assert "make it c = zeros_like(halflife, shape=npts) at line 7" in message
    assert "c = zeros_like(halflife + dose, shape=(2016,), dtype=float)" in message
    assert "np.zeros_like(halflife" not in message
    fixed = module_from_source(tmp_path, "drug72b", _DRUG.replace(
        "c = zeros(npts)", "c = zeros_like(halflife, shape=npts)"))
    J = dg.jacobian(lambda x: fixed.drug(x[0], x[1]), c.DRUG_X0)
    f, x0 = _row("drug accumulation, star-import zeros (2)")
    np.testing.assert_array_equal(J, dg.jacobian(f, x0))


def test_a_bare_numpy_name_beside_np_keeps_the_np_spelling(tmp_path):
    # import numpy as np; from numpy import zeros: np is NumPy there, its spelling stands
    m = module_from_source(tmp_path, "bare72", (
        "import numpy as np\nfrom numpy import zeros\n\n\n"
        "def f(x):\n    c = zeros(3)\n    c[0] = x[0]\n    return c\n"))
    with pytest.raises(TypeError) as info:
        dg.jacobian(m.f, np.array([1.0, 2.0]))
    assert "make it c = np.zeros_like(x, shape=3) at line 6" in str(info.value)
    # only from numpy import zeros (no zeros_like, no np): the bare spelling with the
    # import it lacks (msg74: the general text's np.zeros_like was a NameError there)
    source = ("from numpy import zeros\n\n\n"
              "def f(x):\n    c = zeros(3)\n    c[0] = x[0]\n    return c\n")
    m = module_from_source(tmp_path, "bare72b", source)
    with pytest.raises(TypeError) as info:
        dg.jacobian(m.f, np.array([1.0, 2.0]))
    assert "make it c = zeros_like(x, shape=3) (" in str(info.value)
    assert "add `from numpy import zeros_like` to its imports" in str(info.value)
    fixed = module_from_source(tmp_path, "bare72c", "from numpy import zeros_like\n" +
                               source.replace("c = zeros(3)", "c = zeros_like(x, shape=3)"))
    np.testing.assert_array_equal(dg.jacobian(fixed.f, np.array([1.0, 2.0])),
                                  [[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])


_POLIASTRO = '''\
import numpy as np
from numba import njit as jit


@jit
def norm(arr):
    return np.sqrt(arr @ arr)


@jit
def J2_perturbation(t0, state, k, J2, R):
    r_vec = state[:3]
    r = norm(r_vec)
    factor = (3.0 / 2.0) * k * J2 * (R ** 2) / (r ** 5)
    a_x = 5.0 * r_vec[2] ** 2 / r ** 2 - 1
    a_y = 5.0 * r_vec[2] ** 2 / r ** 2 - 1
    a_z = 5.0 * r_vec[2] ** 2 / r ** 2 - 3
    return np.array([a_x, a_y, a_z]) * r_vec * factor
'''


def test_a_jitted_library_function_is_named_with_the_jitted_functions_it_calls(tmp_path):
    # poliastro's @jit J2_perturbation: the fix said kern.py_func(...) for kern, and
    # J2_perturbation.py_func was refused again inside it (norm, jitted, on a dual array)
    import types
    pytest.importorskip("numba")
    m = module_from_source(tmp_path, "pert72", _POLIASTRO)
    s0 = np.array([6778.0, 0.0, 100.0, 0.0, 5.0, 5.8])
    args = (c.EARTH_K, c.EARTH_J2, c.EARTH_R)
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda s: m.J2_perturbation(0.0, s, *args), s0)
    message = str(info.value)
    spelled = ("J2_perturbation_py = types.FunctionType(J2_perturbation.py_func.__code__, "
               "{**g, 'norm': g['norm'].py_func}, None, "
               "J2_perturbation.py_func.__defaults__)")
    assert spelled in message and "g = J2_perturbation.py_func.__globals__" in message
    with pytest.raises(TypeError):                  # the old fix alone: refused again
        dg.jacobian(lambda s: m.J2_perturbation.py_func(0.0, s, *args), s0)
    J2_perturbation = m.J2_perturbation
    g = J2_perturbation.py_func.__globals__
    J2_perturbation_py = eval(spelled.split(" = ", 1)[1])          # noqa: S307
    assert types.FunctionType is type(J2_perturbation_py)

    def f(s):
        return J2_perturbation_py(0.0, s, *args)
    J = dg.jacobian(f, s0)
    _close(J, complex_step(lambda s: c.J2_perturbation(0.0, s, *args), s0), 1e-14)
    np.testing.assert_allclose(f(s0), m.J2_perturbation(0.0, s0, *args), rtol=1e-15)
    # the jitted norm alone, called in f: named, and its .py_func is the whole fix
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda s: m.norm(s), s0)
    assert "norm.py_func(...) for norm(...)" in str(info.value)
    np.testing.assert_allclose(dg.jacobian(m.norm.py_func, s0), s0 / np.sqrt(s0 @ s0),
                               rtol=1e-15)
