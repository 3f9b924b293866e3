"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 72).

Chosen for kinds corpus57 to corpus71 do not hold: the FAO-56 Penman-Monteith reference
evapotranspiration as PyETo writes it (agrometeorology / hydrology: a chain of ~20
one-line functions over 161 days' arrays, ``np.arccos(np.clip(...))`` of the sunset
hour angle that the clip holds at pi through a polar summer, ``np.power``); an
age-structured SEIR model (epidemiology: four compartments by five age groups, a
contact matrix read ``contact_matrix[i][j]``, a triple Python loop storing through
chained indexing ``states[infected][i][t + 1] = ...`` and ``incidence[i][t] += ...``);
poliastro's J2 and exponential-drag perturbations (orbital mechanics: ``norm`` as
``np.sqrt(arr @ arr)``, ``np.array`` of three scalar duals times a slice, a
hand-written RK4 step, the state's 6 x 6 transition matrix); a PID controller class
with clamping anti-windup on a first-order plant (control: builtin ``max`` / ``min``
against the limits, ``if actual_output != output: self.integral = 0``, the gains a
tuner varies); a Johnson-Cook flow-stress model fitted over a strain / rate /
temperature grid (materials: ``math.log`` of the rate, ``strain ** n`` and
``t_h ** m`` of float bases by dual exponents, one call per point); a drug's
accumulation under daily doses (pharmacokinetics: ``from numpy import *``, a ``zeros``
buffer filled over 2016 ten-minute steps); St. Venant-Kirchhoff stress tensors of a
2-D deformation gradient (continuum mechanics: ``F = np.eye(3)`` filled entry by
entry, ``np.linalg.inv``, ``np.linalg.det``, ``np.trace``, ``np.matmul``).

Each function is written anew here from its source's formulas, in the source's style
(its imports, buffers, loops, names and control flow), not copied; a row of
:data:`PROBLEMS72` wraps it into ``f(x0) -> 1-D array`` as a user hands it to
``approx_fprime``.  The changes a user makes are those dualgrad's refusals name, each
marked ``dualgrad`` where it is made: the SEIR model's two ``np.zeros`` buffers become
``np.zeros_like(beta, shape=...)`` (two refusals, one a buffer); the drug loop's
``zeros(npts)`` becomes ``zeros_like(halflife, shape=npts)`` (the refusal names it in
the star import's bare names since user72; before, the general text); the stress
script's ``F = np.eye(3)`` becomes ``np.eye(3) + np.zeros_like(F_inp, shape=(3, 3))``.
Not dualgrad's: the drug script's ``npts = 14*24*ptsperhour`` is a float in Python 3
(NumPy's own refusal of ``zeros(2016.0)``; ``int(...)``); poliastro's functions carry
numba's ``@jit`` (``njit``), which types its arguments: the undecorated functions
(``.py_func``) are the ones that take duals; PyETo's ``_check_*`` calls are commented
out in its own source.  The PID row's builtin ``max`` / ``min`` and the ``!=`` test
take the duals' values, as on floats.

=====================  =================================================  ==========
function               repository / path                                  commit
=====================  =================================================  ==========
fao56_penman_monteith  woodcrafty/PyETo  pyeto/fao.py                     0e5b55b5
and its helpers
seir_simulation        aaleta/cmi_covid  seir.py                          21451c90
J2_perturbation,       poliastro/poliastro                                041525f1
atmospheric_drag_ex..  src/poliastro/core/perturbations.py,
norm                   src/poliastro/_math/linalg.py
func_twobody           poliastro/poliastro                                91c22ce0
                       src/poliastro/core/propagation/base.py
Controller,            fainalo4/ML-PID-tuning  pid.py                     d881ef88
SimpleDiscrete         fainalo4/ML-PID-tuning  system.py                  837b0f08
JohnsonCookModel       superdurszlak/ModelParameterIdentifier             1c2736e7
                       src/models/johnson_cook_model.py
drug_concentration     delton137/python_tests  drug_concentration.py      95b7dcbb
(the script)
stress_tensors_eval    CPShub/LectureMultiscaleMethods                    60c9b08e
(the script)           code/03_kinetics/stress_tensors_eval.py
=====================  =================================================  ==========

Full commits: 0e5b55b58e5e2d787fd8cbf849d0ed1edfd99316,
21451c900c8cba252a135eb9173748cfe4106216, 041525f130d7f67585149dbd7cd4834cea893016,
91c22ce02809d58f2afb3f5471508cee23d378b7, d881ef887d51c0e22707f03671807ff11a809e6e,
837b0f088d78f746a2c83b915f09ec425449eb04, 1c2736e7b1477b03754789b93d7109fcf9c87ea6,
95b7dcbb0e6c901d1c11643e72676d09cdad2467, 60c9b08efcab1374984abde8e7d2b708b8c4a2ad.
"""

import math

import numpy as np
from numpy import zeros, zeros_like  # the drug script: from numpy import *


# --- agrometeorology: FAO-56 Penman-Monteith (woodcrafty/PyETo, pyeto/fao.py)
SOLAR_CONSTANT = 0.0820                 # MJ m-2 min-1
STEFAN_BOLTZMANN_CONSTANT = 0.000000004903  # MJ K-4 m-2 day-1


def deg2rad(degrees):                   # pyeto/convert.py
    return degrees * (math.pi / 180.0)


def atm_pressure(altitude):
    tmp = (293.0 - (0.0065 * altitude)) / 293.0
    return np.power(tmp, 5.26) * 101.3


def avp_from_rhmin_rhmax(svp_tmin, svp_tmax, rh_min, rh_max):
    tmp1 = svp_tmin * (rh_max / 100.0)
    tmp2 = svp_tmax * (rh_min / 100.0)
    return (tmp1 + tmp2) / 2.0


def cs_rad(altitude, et_rad):
    return (0.00002 * altitude + 0.75) * et_rad


def daily_mean_t(tmin, tmax):
    return (tmax + tmin) / 2.0


def daylight_hours(sha):
    return (24.0 / np.pi) * sha


def delta_svp(t):
    tmp = 4098 * (0.6108 * np.exp((17.27 * t) / (t + 237.3)))
    return tmp / np.power((t + 237.3), 2)


def et_rad(latitude, sol_dec, sha, ird):
    tmp1 = (24.0 * 60.0) / np.pi
    tmp2 = sha * np.sin(latitude) * np.sin(sol_dec)
    tmp3 = np.cos(latitude) * np.cos(sol_dec) * np.sin(sha)
    return tmp1 * SOLAR_CONSTANT * ird * (tmp2 + tmp3)


def fao56_penman_monteith(net_rad, t, ws, svp, avp, delta_svp, psy, shf=0.0):
    a1 = (0.408 * (net_rad - shf) * delta_svp /
          (delta_svp + (psy * (1 + 0.34 * ws))))
    a2 = (900 * ws / t * (svp - avp) * psy /
          (delta_svp + (psy * (1 + 0.34 * ws))))
    return a1 + a2


def inv_rel_dist_earth_sun(day_of_year):
    return 1 + (0.033 * np.cos((2.0 * np.pi / 365.0) * day_of_year))


def svp_from_t(t):
    return 0.6108 * np.exp((17.27 * t) / (t + 237.3))


def mean_svp(tmin, tmax):
    return (svp_from_t(tmin) + svp_from_t(tmax)) / 2.0


def net_in_sol_rad(sol_rad, albedo=0.23):
    return (1 - albedo) * sol_rad


def net_out_lw_rad(tmin, tmax, sol_rad, cs_rad, avp):
    tmp1 = (STEFAN_BOLTZMANN_CONSTANT *
            ((np.power(tmax, 4) + np.power(tmin, 4)) / 2))
    tmp2 = (0.34 - (0.14 * np.sqrt(avp)))
    tmp3 = 1.35 * (sol_rad / cs_rad) - 0.35
    return tmp1 * tmp2 * tmp3


def net_rad(ni_sw_rad, no_lw_rad):
    return ni_sw_rad - no_lw_rad


def psy_const(atmos_pres):
    return 0.000665 * atmos_pres


def sol_dec(day_of_year):
    return 0.409 * np.sin(((2.0 * np.pi / 365.0) * day_of_year - 1.39))


def sol_rad_from_sun_hours(daylight_hours, sunshine_hours, et_rad):
    return (0.5 * sunshine_hours / daylight_hours + 0.25) * et_rad


def sunset_hour_angle(latitude, sol_dec):
    cos_sha = -np.tan(latitude) * np.tan(sol_dec)
    # acos's domain is -1 <= x <= 1: >= 1 no sunset, <= -1 no sunrise
    return np.arccos(np.clip(cos_sha, -1, 1))


def wind_speed_2m(ws, z):
    return ws * (4.87 / np.log((67.8 * z) - 5.42))


def _eto_weather(seed=72):
    """A growing season's daily weather (days 100 to 260) at a sub-arctic station."""
    rng = np.random.default_rng(seed)
    doy = np.arange(100, 261)
    tmin = 4 + 6 * np.sin((doy - 100) / 160 * np.pi) + rng.normal(0, 1, doy.size)
    tmax = tmin + 6 + rng.uniform(0, 4, doy.size)
    sun = rng.uniform(1, 14, doy.size)          # sunshine hours
    rh_min = rng.uniform(45, 65, doy.size)
    return doy, tmin, tmax, sun, rh_min, rh_min + rng.uniform(15, 30, doy.size)


ETO_DOY, ETO_TMIN, ETO_TMAX, ETO_SUN, ETO_RHMIN, ETO_RHMAX = _eto_weather()
ETO_X0 = np.array([69.65, 100.0, 3.0, 0.0])


def eto_row(x):
    """Daily ETo (mm/day) by the latitude (degrees), the altitude (m), the wind speed
    at 10 m (m/s) and a bias of the temperatures (deg C): as PyETo's README chains it."""
    latitude, altitude, ws10, tbias = x
    tmin, tmax = ETO_TMIN + tbias, ETO_TMAX + tbias
    lat = deg2rad(latitude)
    sd = sol_dec(ETO_DOY)
    sha = sunset_hour_angle(lat, sd)
    ird = inv_rel_dist_earth_sun(ETO_DOY)
    etr = et_rad(lat, sd, sha, ird)
    csr = cs_rad(altitude, etr)
    sol = sol_rad_from_sun_hours(daylight_hours(sha), ETO_SUN, etr)
    avp = avp_from_rhmin_rhmax(svp_from_t(tmin), svp_from_t(tmax), ETO_RHMIN, ETO_RHMAX)
    rn = net_rad(net_in_sol_rad(sol),
                 net_out_lw_rad(tmin + 273.15, tmax + 273.15, sol, csr, avp))
    t = daily_mean_t(tmin, tmax)
    psy = psy_const(atm_pressure(altitude))
    return fao56_penman_monteith(rn, t + 273.15, wind_speed_2m(ws10, 10),
                                 mean_svp(tmin, tmax), avp, delta_svp(t), psy)


# --- epidemiology: age-structured SEIR (aaleta/cmi_covid, seir.py)
def seir_simulation(contact_matrix, population, beta, epsilon_inverse, gamma_inverse,
                    initial_infected_age, seed, timesteps):
    # input
    epsilon = 1. / epsilon_inverse
    gamma = 1. / gamma_inverse
    num_agebrackets = len(population)

    # initial conditions
    susceptible, exposed, infected, recovered = 0, 1, 2, 3
    # dualgrad: np.zeros((4, num_agebrackets, timesteps + 1)) and
    # np.zeros((num_agebrackets, timesteps))
    states = np.zeros_like(beta, shape=(4, num_agebrackets, timesteps + 1))
    incidence = np.zeros_like(beta, shape=(num_agebrackets, timesteps))

    states[infected][initial_infected_age][0] = population[initial_infected_age] * seed
    for a in range(num_agebrackets):
        states[susceptible][a][0] = population[a] - states[infected][a][0]

    for t in range(timesteps):
        for i in range(num_agebrackets):
            for j in range(num_agebrackets):
                incidence[i][t] += beta * contact_matrix[i][j] \
                    * states[susceptible][i][t] \
                    * states[infected][j][t] / population[j]

            states[susceptible][i][t + 1] = states[susceptible][i][t] - incidence[i][t]
            states[exposed][i][t + 1] = states[exposed][i][t] + incidence[i][t] \
                - epsilon * states[exposed][i][t]
            states[infected][i][t + 1] = states[infected][i][t] \
                + epsilon * states[exposed][i][t] \
                - gamma * states[infected][i][t]
            states[recovered][i][t + 1] = states[recovered][i][t] \
                + gamma * states[infected][i][t]

    return states, incidence


SEIR_CONTACTS = np.array([[6.0, 2.0, 1.0, 0.5, 0.3],      # five age groups' daily contacts
                          [2.0, 8.0, 2.0, 0.8, 0.4],
                          [1.0, 2.0, 5.0, 2.0, 0.8],
                          [0.5, 0.8, 2.0, 3.0, 1.2],
                          [0.3, 0.4, 0.8, 1.2, 2.0]])
SEIR_POPULATION = np.array([1.2e6, 1.5e6, 2.5e6, 2.0e6, 1.3e6])
SEIR_X0 = np.array([0.02, 3.0, 5.0, 1e-4])


def seir_row(x):
    """The five groups' daily incidence over 30 days by beta, the latency and recovery
    periods (days) and the seeded fraction of group 2."""
    states, incidence = seir_simulation(SEIR_CONTACTS, SEIR_POPULATION, x[0], x[1], x[2],
                                        2, x[3], 30)
    return incidence.ravel()


# --- orbital mechanics: J2 and drag perturbations (poliastro/poliastro)
def norm(arr):                          # @jit in poliastro: its .py_func
    return np.sqrt(arr @ arr)


def func_twobody(t0, u_, k):            # @jit in poliastro
    x, y, z, vx, vy, vz = u_
    r3 = (x**2 + y**2 + z**2) ** 1.5

    du = np.array([vx, vy, vz, -k * x / r3, -k * y / r3, -k * z / r3])
    return du


def J2_perturbation(t0, state, k, J2, R):   # @jit in poliastro
    r_vec = state[:3]
    r = norm(r_vec)

    factor = (3.0 / 2.0) * k * J2 * (R ** 2) / (r ** 5)

    a_x = 5.0 * r_vec[2] ** 2 / r ** 2 - 1
    a_y = 5.0 * r_vec[2] ** 2 / r ** 2 - 1
    a_z = 5.0 * r_vec[2] ** 2 / r ** 2 - 3
    return np.array([a_x, a_y, a_z]) * r_vec * factor


def atmospheric_drag_exponential(t0, state, k, R, C_D, A_over_m, H0, rho0):  # @jit
    H = norm(state[:3])

    v_vec = state[3:]
    v = norm(v_vec)
    B = C_D * A_over_m
    rho = rho0 * np.exp(-(H - R) / H0)

    return -(1.0 / 2.0) * rho * B * v * v_vec


EARTH_K = 398600.4418          # km^3 / s^2
EARTH_R = 6378.137             # km
EARTH_J2 = 1.08262668e-3
ORBIT_X0 = np.array([6778.0, 0.0, 0.0, 0.0, 5.0, 5.8])


def orbit_f(t0, state, k):
    """poliastro's documented Cowell right-hand side: two-body plus J2 plus drag."""
    du_kep = func_twobody(t0, state, k)
    ax, ay, az = J2_perturbation(t0, state, k, J2=EARTH_J2, R=EARTH_R)
    du_ad = np.array([0, 0, 0, ax, ay, az])
    du_drag = atmospheric_drag_exponential(t0, state, k, R=EARTH_R, C_D=2.2,
                                           A_over_m=1e-8, H0=50.0, rho0=1e2)
    return du_kep + du_ad + np.concatenate([np.zeros(3), du_drag])


def orbit_row(s0, steps=30, h=60.0):
    """The state after 30 minutes of RK4 steps (60 s) from ``s0`` (km, km/s): its
    Jacobian is the state transition matrix."""
    s, t = s0, 0.0
    for _ in range(steps):
        k1 = orbit_f(t, s, EARTH_K)
        k2 = orbit_f(t + h / 2, s + h / 2 * k1, EARTH_K)
        k3 = orbit_f(t + h / 2, s + h / 2 * k2, EARTH_K)
        k4 = orbit_f(t + h, s + h * k3, EARTH_K)
        s = s + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        t += h
    return s


# --- control: a PID controller with anti-windup (fainalo4/ML-PID-tuning)
class Controller:
    def __init__(self, Kp, Ki, Kd, setpoint, umin, umax):
        self.Kp = Kp
        self.Ki = Ki
        self.Kd = Kd
        self.setpoint = setpoint
        self.previous_error = 0
        self.integral = 0
        self.umin = umin
        self.umax = umax

    def compute(self, process_variable, dt):
        # Calculate error
        error = self.setpoint - process_variable

        # Proportional term
        P_out = self.Kp * error

        # Integral term
        self.integral += error * dt
        I_out = self.Ki * self.integral

        # Derivative term
        derivative = (error - self.previous_error) / dt
        D_out = self.Kd * derivative

        # Compute total output
        output = P_out + I_out + D_out

        actual_output = max(self.umin, min(self.umax, output))

        if actual_output != output:
            # Anti-windup: reset integral term if output is saturated
            self.integral = 0

        # Update previous error
        self.previous_error = error

        return actual_output


class SimpleDiscrete:
    def __init__(self, A, Bu, Bv, x0, x_t, v):
        self.A = A
        self.Bu = Bu
        self.Bv = Bv

        self.x0 = x0
        self.x = x0
        self.x_t = x_t
        self.v = v

        self.t = 0

    def step(self, u):
        self.x = self.A * self.x + self.Bu * u + self.Bv * self.v[self.t]
        self.t += 1
        return self.x


PID_DISTURBANCE = np.random.default_rng(720).normal(0.0, 1.0, 200)
PID_X0 = np.array([2.0, 0.3, 0.5])


def pid_row(gains):
    """The tracking errors of 200 steps (setpoint 20 from 15, |u| <= 10, a random
    disturbance) by (Kp, Ki, Kd): the residuals a tuner fits."""
    pid = Controller(gains[0], gains[1], gains[2], setpoint=20.0, umin=-10, umax=10)
    plant = SimpleDiscrete(A=0.95, Bu=0.08, Bv=0.05, x0=15.0, x_t=20.0, v=PID_DISTURBANCE)
    x = plant.x
    errors = []
    for _ in range(len(PID_DISTURBANCE)):
        u = pid.compute(x, dt=1.0)
        x = plant.step(u)
        errors.append(plant.x_t - x)
    return np.array(errors)


# --- materials: Johnson-Cook flow stress (superdurszlak/ModelParameterIdentifier)
class JohnsonCookModel:
    """The source's class; its MaterialModel base holds ``params`` (set by the fit)."""

    def __init__(self, params):
        self.params = params

    @classmethod
    def labels(cls):
        return ['A', 'B', 'n', 'C', 'm']

    @classmethod
    def params_scaling(cls):
        return np.array([1e9, 1e10, 1.0, 1.0, 1.0])

    def __call__(self, strain, strain_rate, temperature):
        parameters = self.params

        r_ref = 1e-3
        t_ref = 293.15
        t_melt = 1425 + 273.15
        t_h = (temperature - t_ref) / (t_melt - t_ref)
        r_h = strain_rate / r_ref

        A = parameters[0]
        B = parameters[1]
        n = parameters[2]
        C = parameters[3]
        m = parameters[4]

        return (A + B * (strain ** n)) * (1 + C * math.log(r_h)) * (1 - (t_h ** m))


JC_POINTS = [(s, r, T) for s in np.linspace(0.02, 0.3, 10) for r in (1e-3, 1e-1, 10.0)
             for T in (293.15, 473.15, 673.15)]     # room temperature: t_h = 0
JC_X0 = np.array([0.5, 0.05, 0.3, 0.01, 1.0])


def jc_row(x):
    """The model's flow stress (MPa) at 90 grid points by the scaled parameters (the
    fit's unknowns times ``params_scaling``); at room temperature ``t_h ** m`` is
    ``0.0 ** m``, whose derivative in m is 0."""
    model = JohnsonCookModel(x * JohnsonCookModel.params_scaling())
    return np.array([model(s, r, T) for s, r, T in JC_POINTS]) / 1e6


# --- pharmacokinetics: daily doses' accumulation (delton137/python_tests)
def drug_concentration(halflife, dose):
    """The script's body (its plot dropped), its two constants as arguments."""
    time = 7  # time to simulate in days  # noqa: F841 (the script's own)
    res = 10  # resolution in minutes
    dayoflast = 5

    ptsperhour = 60/res
    npts = int(14*24*ptsperhour)        # not dualgrad's: a float in Python 3

    times = zeros(npts)
    c = zeros_like(halflife, shape=npts)    # dualgrad: zeros(npts)

    c[0] = dose  # initial concentration from first dose
    decay = 1.0/(halflife)  # decay constant

    for t in range(1, npts):
        c[t] = c[t-1] - decay*c[t-1]*(1.0/ptsperhour)

        if ((t % (24*ptsperhour) == 0) & (t/(24*ptsperhour) < dayoflast)):
            c[t] += dose

        times[t] = (1.0/ptsperhour)*t
    return c


DRUG_X0 = np.array([40.0, 15.0])


def drug_row(x):
    """The amount in the body every 10 minutes over 14 days (2016) by the half-life
    (hours) and the daily dose (mg)."""
    return drug_concentration(x[0], x[1])


# --- continuum mechanics: St. Venant-Kirchhoff stresses (CPShub/LectureMultiscaleMethods)
def stress_tensors(F_inp):
    """The script's body, ``F_inp`` (a widget's four values there) an argument."""
    F = np.eye(3) + np.zeros_like(F_inp, shape=(3, 3))     # dualgrad: np.eye(3)
    F[0, 0] = F_inp[0]
    F[1, 1] = F_inp[1]
    F[0, 1] = F_inp[2]
    F[1, 0] = F_inp[3]

    # Strain Tensors
    b = np.matmul(F, np.transpose(F))
    E = 0.5*(np.matmul(np.transpose(F), F)-np.identity(3))
    e = 0.5*(np.identity(3)-np.linalg.inv(b))
    e_lin = 0.5*(F+np.transpose(F))-np.identity(3)

    J = np.linalg.det(F)

    # Stress Tensors
    # Parameter
    mu = 12
    lam = 8

    S = 2.0*mu*E+lam*np.trace(E)*np.identity(3)
    P = np.matmul(F, S)
    sigma = 1.0/J*np.matmul(P, np.transpose(F))
    return sigma, P, S, e, e_lin


SVK_X0 = np.array([1.1, 0.9, 0.15, 0.05])


def svk_row(x):
    """The script's printed blocks: sigma, P and S's upper-left 2 x 2 (12 values) by
    F's four in-plane entries; and the Euler-Almansi strain e's (4 more)."""
    sigma, P, S, e, e_lin = stress_tensors(x)
    return np.concatenate([sigma[0:2, 0:2].ravel(), P[0:2, 0:2].ravel(),
                           S[0:2, 0:2].ravel(), e[0:2, 0:2].ravel()])


PROBLEMS72 = {
    "FAO-56 ETo, arccos(clip) chain (4)": (eto_row, ETO_X0.copy()),
    "age SEIR, chained-index loops (4)": (seir_row, SEIR_X0.copy()),
    "J2 + drag RK4, poliastro (6)": (orbit_row, ORBIT_X0.copy()),
    "PID anti-windup, max/min class (3)": (pid_row, PID_X0.copy()),
    "Johnson-Cook fit, math.log per point (5)": (jc_row, JC_X0.copy()),
    "drug accumulation, star-import zeros (2)": (drug_row, DRUG_X0.copy()),
    "St. Venant-Kirchhoff, np.eye + inv (4)": (svk_row, SVK_X0.copy()),
}
