"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 63).

Kept in their sources' spelling (a blade-element solver's induction factors masked as
arrays though they are numbers, and its Prandtl factor made ``np.array`` to have its NaN
masked; a return mapping's ``math.exp`` Newton loop and its driver's ``np.zeros_like``
of a plain strain history; a Biot-Savart segment summed in a Python loop over a list of
points; a point-kinetics class reading ``**kwargs`` into attributes, its matrix in
``np.zeros`` filled by ``np.fill_diagonal`` and ``odeint``; a Hill muscle's branches
in an explicit Euler loop; a Lambert solver's hand-written bisection; a wavenumber's
``while np.max(d1) == 1`` Newton loop; a glacier flowline script's ``np.zeros`` buffers and
``hice += ...``; a ground-motion model's dict of parameters and record array of
coefficients; a heat exchanger's ``from math import exp``, ``quad`` and ``float(iv(0, v))``),
in domains corpus57 to corpus62 do not hold: wind energy, material plasticity,
magnetostatics, reactor kinetics, biomechanics, astrodynamics (Lambert's problem),
coastal waves, glaciology, engineering seismology, heat transfer.  The changes a user
makes are what dualgrad's refusals name (each is a test in tests/test_newuser63.py):
the masks on a number become ``np.where``; ``np.zeros`` buffers become ``np.zeros_like(p,
shape=...)`` of a parameter; ``hice += ...`` becomes ``hice = hice + ...``; ``math.exp``
becomes ``np.exp``; ``odeint`` becomes ``dg.solve_ivp`` with odeint's tolerances;
``scipy.integrate.quad`` becomes ``dg.quad`` and ``float(iv(0, v))`` ``iv(0, v)``.  The
Lambert solver runs unrefused and wrongly: its bisection leaves psi a plain number and
the velocities' derivatives miss it (0.2 % to 100 % off, no warning); the row takes the
one Newton step on duals README's root finders prescribe.  The coil, the muscle, the
wavenumber and the ground-motion model run unchanged.  A row of :data:`PROBLEMS63`
wraps a function into ``f(x0) -> 1-D array``, as a user hands it to ``approx_fprime``.

=====================  =================================================  ==========
function               repository / path                                  commit
=====================  =================================================  ==========
ainduction, Prandtl..  csimaoferreira/RotorWakeAerodynamicsBEM            cfee83e1
loadBladeElement,      BEMmodel.ipynb, DU95W180.cvs (the airfoil polar)
solveStreamtube
solve_1d_newton_...,   manesrc/computational-plasticity-python            115a4dd1
run_1d_loading         src/plasticity.py, examples/1D-simulation.py
BiotSavart             tobi-v/uni-physics                                 0e275c85
                       python/tools/electricity/magnetic_field.py
pke                    MattKrecicki/kinetics                              23483b22
                       kinetics/functions/pointkinetics.py
Muscle, MuscleModel    vyvas33/muscle_model  muscle_model.py              8d1f1817
lambert_uv             donkuettel/python_functions  lambert_functions.py  641b9d5d
wavenumber             dnowacki-usgs/djnpy  wavenumber.py                 6f4f8385
(the script)           fabian-lnsm/ice-climate-project-SIA                2141e220
                       scripts/SimpleGlacierModel.py
Campbell2003           arkottke/pygmm  pygmm/campbell_2003.py,            1d7feb48
                       pygmm/data/campbell_2003.csv                       a6063520
effectiveness_from_..  CalebBell/ht  ht/hx.py (MIT)                       f9c60c46
=====================  =================================================  ==========

Full commits: cfee83e13fdefa8f81547f65e0ad6c8cdd660783,
115a4dd178699ca3ca4c33bb62eb4977470ff98f, 0e275c85268a70c79cba67b2d2612eab5874561c,
23483b22eed869808e2a150a11a4a32697462bdb, 8d1f1817e285d0ef86398c7743c73b1f2506afd7,
641b9d5d94d47cbb081d7b5d8055d03f5a8a1d81, 6f4f8385c928db90ca1bf2b188514d36027ec710,
2141e220e45157185fa8cbb08f658e9ca6f4e0e3, 1d7feb4888849a19ab7abc4319fcb37530fcd508,
a60635206aef80f6044077a5bbd49f80e8c76ee5, f9c60c46c2b7d0a7481bdf525ec7a3634c0cb434.
"""

import numpy as np
from numpy import cross, exp, ndarray, pi, sqrt
from numpy.linalg import norm
from scipy.constants import mu_0
from scipy.special import iv

import dualgrad as dg


# --- wind energy: blade-element momentum theory of a rotor, annulus by annulus
def ainduction(CT):
    """The source's induction factor with Glauert's correction; its ``a =
    np.zeros(np.shape(CT))`` filled through the masks ``CT >= CT2`` / ``CT < CT2``,
    refused for the number CT is in the loop, is the refusal's ``np.where``."""
    CT1=1.816;
    CT2=2*np.sqrt(CT1)-CT1
    return np.where(CT>=CT2, 1 + (CT-CT1)/(4*(np.sqrt(CT1)-1)), 0.5-0.5*np.sqrt(1-CT))


def PrandtlTipRootCorrection(r_R, rootradius_R, tipradius_R, TSR, NBlades, axial_induction):
    """The source's tip and root factors; its ``Ftip = np.array(...)``, ``Ftip[np.isnan(Ftip)]
    = 0`` (a 0-d object array of a dual, refused) is the refusal's ``np.where``."""
    temp1 = -NBlades/2*(tipradius_R-r_R)/r_R*np.sqrt( 1+ ((TSR*r_R)**2)/((1-axial_induction)**2))
    Ftip = 2/np.pi*np.arccos(np.exp(temp1))
    Ftip = np.where(np.isnan(Ftip), 0, Ftip)
    temp1 = NBlades/2*(rootradius_R-r_R)/r_R*np.sqrt( 1+ ((TSR*r_R)**2)/((1-axial_induction)**2))
    Froot = 2/np.pi*np.arccos(np.exp(temp1))
    Froot = np.where(np.isnan(Froot), 0, Froot)
    return Froot*Ftip, Ftip, Froot


def loadBladeElement(vnorm, vtan, r_R, chord, twist, polar_alpha, polar_cl, polar_cd):
    vmag2 = vnorm**2 + vtan**2
    inflowangle = np.arctan2(vnorm,vtan)
    alpha = twist + inflowangle*180/np.pi
    cl = np.interp(alpha, polar_alpha, polar_cl)
    cd = np.interp(alpha, polar_alpha, polar_cd)
    lift = 0.5*vmag2*cl*chord
    drag = 0.5*vmag2*cd*chord
    fnorm = lift*np.cos(inflowangle)+drag*np.sin(inflowangle)
    ftan = lift*np.sin(inflowangle)-drag*np.cos(inflowangle)
    gamma = 0.5*np.sqrt(vmag2)*cl*chord
    return fnorm , ftan, gamma


def solveStreamtube(Uinf, r1_R, r2_R, rootradius_R, tipradius_R , Omega, Radius, NBlades, chord, twist, polar_alpha, polar_cl, polar_cd ):
    Area = np.pi*((r2_R*Radius)**2-(r1_R*Radius)**2) #  area streamtube
    r_R = (r1_R+r2_R)/2 # centroide
    a = 0.0 # axial induction
    aline = 0.0 # tangential induction factor
    Niterations = 100
    Erroriterations =0.00001 # error limit for iteration rpocess, in absolute value of induction
    for i in range(Niterations):
        Urotor = Uinf*(1-a) # axial velocity at rotor
        Utan = (1+aline)*Omega*r_R*Radius # tangential velocity at rotor
        fnorm, ftan, gamma = loadBladeElement(Urotor, Utan, r_R,chord, twist, polar_alpha, polar_cl, polar_cd)
        load3Daxial =fnorm*Radius*(r2_R-r1_R)*NBlades # 3D force in axial direction
        CT = load3Daxial/(0.5*Area*Uinf**2)
        anew =  ainduction(CT)
        Prandtl, Prandtltip, Prandtlroot = PrandtlTipRootCorrection(r_R, rootradius_R, tipradius_R, Omega*Radius/Uinf, NBlades, anew);
        if (Prandtl < 0.0001): 
            Prandtl = 0.0001 # avoid divide by zero
        anew = anew/Prandtl # correct estimate of axial induction
        a = 0.75*a+0.25*anew # for improving convergence, weigh current and previous iteration of axial induction
        aline = ftan*NBlades/(2*np.pi*Uinf*(1-a)*Omega*2*(r_R*Radius)**2)
        aline =aline/Prandtl # correct estimate of azimuthal induction with Prandtl's correction
        if (np.abs(a-anew) < Erroriterations): 
            break
    return [a , aline, r_R, fnorm , ftan, gamma]


_DU95W180 = """\
-16.06 -0.425 0.22486  -15.51 -0.43 0.21656  -15.06 -0.461 0.21133
-14.59 -0.496 0.20807  -14.11 -0.567 0.20143  -13.7 -0.682 0.07704
-13.24 -0.719 0.04965  -12.75 -0.755 0.03867  -12.27 -0.77 0.03292
-11.75 -0.774 0.02852  -11.18 -0.77 0.02482  -10.77 -0.756 0.02269
-10.23 -0.736 0.01991  -9.74 -0.711 0.01832  -9.22 -0.68 0.01682
-8.21 -0.612 0.01439  -7.19 -0.529 0.01263  -6.16 -0.434 0.01108
-5.14 -0.337 0.00961  -4.13 -0.237 0.00824  -3.11 -0.127 0.00777
-2.07 -0.014 0.00765  -1.04 0.102 0.00744  0.02 0.217 0.00743  1.03 0.33 0.00761
2.04 0.445 0.00776  3.1 0.571 0.00801  4.11 0.683 0.00827  5.13 0.792 0.00858
6.16 0.902 0.00874  7.19 1.014 0.00908  7.71 1.068 0.00936  8.22 1.12 0.00965
8.73 1.168 0.00994  9.25 1.207 0.01046  9.56 1.227 0.01163  9.77 1.229 0.01283
10.27 1.215 0.01927  10.76 1.192 0.02461  11.26 1.173 0.0356  11.76 1.148 0.04457
12.24 1.126 0.05322  13.22 1.103 0.06634  14.23 1.093 0.07637
15.23 1.077 0.08875  16.21 1.06 0.1042  17.2 1.038 0.1175  18.2 1.047 0.1325
19.2 1.043 0.1516  20.19 1.04 0.172  21.18 1.029 0.1976  22.16 1.023 0.2282
23.14 1.007 0.2614  23.55 0.829 0.4164  24.06 0.854 0.4358  25.06 0.877 0.4657
26.06 0.89 0.4914  27.06 0.953 0.5415  28.06 0.976 0.5736  29.06 1.016 0.6156
30.06 1.041 0.6519
"""
polar_alpha, polar_cl, polar_cd = np.array(_DU95W180.split(), dtype=float).reshape(-1, 3).T


def bem_row(q, n=20):
    """The normal and tangential loads of the notebook's rotor (50 m, 3 blades, its chord
    and twist laws) on ``n`` annuli for ``q = (TSR, pitch in degrees)``."""
    TSR, pitch = q[0], q[1]
    delta_r_R = 0.8 / n
    r_R = np.arange(0.2, 1+delta_r_R/2, delta_r_R)
    chord_distribution = 3*(1-r_R)+1 # meters
    twist_distribution = -14*(1-r_R)+pitch # degrees
    Uinf = 1 # unperturbed wind speed in m/s
    Radius = 50
    Omega = Uinf*TSR/Radius
    NBlades = 3
    results = []
    for i in range(len(r_R)-1):
        chord = np.interp((r_R[i]+r_R[i+1])/2, r_R, chord_distribution)
        twist = np.interp((r_R[i]+r_R[i+1])/2, r_R, twist_distribution)
        results.append(solveStreamtube(Uinf, r_R[i], r_R[i+1], 0.2, 1, Omega, Radius, NBlades, chord, twist, polar_alpha, polar_cl, polar_cd))
    return np.stack([r[3] for r in results] + [r[4] for r in results])


# --- material plasticity: a viscoplastic bar's return mapping through a strain cycle
def solve_1d_newton_raphson(C, f_trial, nu, Dt, sigma_inf, s_Y, delta, chi):
    """The source's local Newton loop; its ``math.exp``, refused on a dual, is
    ``np.exp``."""
    k = 0
    gamma_k = 0
    eps = 1e-6
    max_it = 20
    nonlin = (sigma_inf - s_Y) * (np.exp(-delta * chi) - np.exp(-delta * (chi + gamma_k * Dt))) + C[1,1] * gamma_k * Dt
    g_k = f_trial - gamma_k * Dt * (C[0,0] + C[2,2] + nu / Dt) - nonlin
    while (abs(g_k) > eps) and (k < max_it):
        term_exp = np.exp(-delta * (chi + gamma_k * Dt))
        d_nonlin_dgamma = (sigma_inf - s_Y) * delta * term_exp * Dt + C[1,1] * Dt
        Dg_k = -Dt * (C[0,0] + C[2,2] + nu / Dt) - d_nonlin_dgamma
        var_gamma = -g_k / Dg_k
        gamma_k = gamma_k + var_gamma
        k = k + 1
        nonlin = (sigma_inf - s_Y) * (np.exp(-delta * chi) - np.exp(-delta * (chi + gamma_k * Dt))) + C[1,1] * gamma_k * Dt
        g_k = f_trial - gamma_k * Dt * (C[0,0] + C[2,2] + nu / Dt) - nonlin
    return gamma_k


def run_1d_loading(E, s_Y, K, H, sigma_inf, delta, nu=3e10, t_tot=100.0, dt=2.5):
    """The example's driver with its material as arguments (its dt 0.025 s made 2.5 s:
    120 steps); its result buffers ``np.zeros_like(strain_history)``, refused for the
    dual stresses stored in them, are the refusal's ``np.zeros_like(E, shape=...)``."""
    C = np.diag([E, K, H])
    NL = 1 # 1 = On
    loading_cases = np.array([0.02, -0.02, 0.02])
    total_steps = int(len(loading_cases) * t_tot / dt)
    strain_history = np.zeros(total_steps + 1)
    current_strain = 0.0
    steps_per_leg = int(t_tot / dt)
    idx = 0
    start_strain = 0.0
    for target_strain in loading_cases:
        d_eps = (target_strain - start_strain) / steps_per_leg
        for i in range(steps_per_leg):
            idx += 1
            current_strain += d_eps
            strain_history[idx] = current_strain
        start_strain = target_strain
    stress_results = np.zeros_like(E, shape=strain_history.shape)
    eps_p_results = np.zeros_like(E, shape=strain_history.shape)
    eps_p_n = 0.0 # Plastic strain
    chi_n = 0.0   # Accumulated plastic strain (isotropic)
    for i in range(1, len(strain_history)):
        strain = strain_history[i]
        sigma_trial = E * (strain - eps_p_n)
        q_back = H * eps_p_n
        if NL == 1:
            R_n = (sigma_inf - s_Y) * (1 - np.exp(-delta * chi_n)) + K * chi_n
        else:
            R_n = K * chi_n
        xi_trial = sigma_trial - q_back
        f_trial = abs(xi_trial) - (s_Y + R_n)
        if f_trial <= 0:
            sigma_updated = sigma_trial
        else:
            gamma = solve_1d_newton_raphson(
                    C, f_trial, nu, dt, sigma_inf, s_Y, delta, chi_n)
            sgn = np.sign(xi_trial)
            eps_p_n += gamma * dt * sgn
            chi_n += gamma * dt
            sigma_updated = sigma_trial - gamma * dt * E * sgn
        stress_results[i] = sigma_updated
        eps_p_results[i] = eps_p_n
    return stress_results


def plasticity_row(q):
    """The stress history (Pa) of the strain cycle 0 -> 2 % -> -2 % -> 2 % for ``q = (E,
    s_Y, K, H, sigma_inf, delta)`` (the example's steel; s_Y 390 MPa, not 420 MPa,
    whose first yield falls exactly on a step)."""
    return run_1d_loading(*q)


# --- magnetostatics: a Helmholtz pair's field by Biot-Savart segments
def BiotSavart(current,
               wire_segment: ndarray,
               delta_r: ndarray,
               exclude_singularities=True,
               singularity_limit = 1e-3) -> ndarray:
    '''
    delta_r: distance from wire vector
    
    Returns: magnetic field vector'''
    distance = norm(delta_r)
    if(exclude_singularities and (distance < singularity_limit)):
        distance = distance + 1e-3
    return (mu_0*current/(4*pi)) * cross(wire_segment, delta_r) / (distance)**3


def BOfCoilAlongZ(z: ndarray, current: float, radius: float, turns=1) -> ndarray:
    """Magnetic field B_z along the z-axis from a single circular current loop.
    Returns: B_z field (T) at position(s) z
    """
    return turns*mu_0 *current*radius**2 / (2*(z**2 + radius**2)**(3/2))


def HelmholtzAlongZ(z: ndarray,
                    current: float,
                    radius: float,
                    distance: float,
                    turns=1) -> ndarray:
    """B_z field along the z-axis
    from two identical coaxial current loops (Helmholtz pair).

    Returns: B_z field (T) at position(s) z
    """
    return BOfCoilAlongZ(z+distance/2, current, radius, turns) \
            + BOfCoilAlongZ(z-distance/2, current, radius, turns)


COIL_POINTS = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.02], [0.01, 0.0, 0.0],
                        [0.02, 0.01, -0.01], [0.0, 0.03, 0.03]])      # m


def coil_row(q, nseg=24):
    """B (T) at five points of a Helmholtz pair of ``nseg``-gon loops for ``q = (current,
    radius, distance)``, segment by segment as the source's BiotSavart is called."""
    current, radius, distance = q[0], q[1], q[2]
    phi = np.linspace(0.0, 2*np.pi, nseg + 1)
    B = []
    for p in COIL_POINTS:
        total = np.zeros(3)
        for zc in (-distance/2, distance/2):
            ring = [np.stack([radius*np.cos(t), radius*np.sin(t), zc]) for t in phi]
            for k in range(nseg):
                total = total + BiotSavart(current, ring[k+1] - ring[k],
                                           p - 0.5*(ring[k] + ring[k+1]))
        B.append(total)
    return np.concatenate(B)


# --- reactor kinetics: six delayed groups after a reactivity step
MEV_2_J = 1.60218e-13


class pke:
    """The source's solver (its docstrings, input checks and result container cut)."""

    def __init__(self, **kwargs):
        """function initalizes point kinetics solver class"""
        self.__dict__.update(kwargs)
        self.__checkinputs()
        self.groupsDN = len(self.beta)
        self.betaTot = self.beta.sum()

    def __checkinputs(self):
        """function does basic error checking"""
        pass

    def __solveinitialconditions(self):
        """function solves initial conditions"""
        #convert power to total neutron population
        self.n0 = (self.P0 * self.nubar * self.promptL) / (self.Q * MEV_2_J)
        #detemerine inital reactor power and precusor concentrations
        x0 = self.n0*np.append(1, self.beta/self.lamda/self.promptL)
        return x0

    def __constructmatrix(self, t):
        """function constructs matrix for estimation of time derv.; its ``np.zeros``,
        refused for the dual entries stored in it, is ``np.zeros_like(self.promptL,
        shape=...)``."""
        #construct matrix
        mtxA = np.zeros_like(self.promptL, shape=(self.groupsDN+1, self.groupsDN+1))
        #fill diagonal with decay constants
        np.fill_diagonal(mtxA, np.append(0, -self.lamda))
        mtxA[0,:] = \
            np.append((self.rhoext.evaluate(t)-self.betaTot)/self.promptL, self.lamda)
        # build the first column
        mtxA[1:self.groupsDN+1, 0] = self.beta / self.promptL
        return mtxA

    def __dxdt(self, x0, t):
        """function evaluates the time derv. of the system"""
        return np.dot(self.__constructmatrix(t), x0)

    def __postprocess(self, solution):
        """function performs post processing routines (power only kept)"""
        nt = solution[:,0]
        #convert neutron population into power
        self.power = (nt * self.Q * MEV_2_J) / (self.nubar * self.promptL)

    def solve(self, rtol=1e-10):
        """function defined kinetics; its ``odeint(self.__dxdt, x0, self.timepoints,
        rtol=rtol)``, refused on duals, is the refusal's ``dg.solve_ivp`` spelling."""
        # obtain initial conditions
        x0 = self.__solveinitialconditions()
        # obtain solution over defined transient
        solution = dg.solve_ivp(lambda t, y: self.__dxdt(y, t), (self.timepoints[0], self.timepoints[-1]), x0, t_eval=self.timepoints, method="LSODA", rtol=rtol, atol=1.49012e-08).y.T
        # run post-processing features
        self.__postprocess(solution)


class StepReactivity:
    """A step of reactivity at t = 0 (stands in for the source's generalControlRule)."""

    def __init__(self, rho):
        self.rho = rho

    def evaluate(self, t):
        return self.rho


PK_BETA = 0.0075 * np.array([0.033, 0.219, 0.196, 0.395, 0.115, 0.042])
PK_LAMDA = np.array([0.0124, 0.0305, 0.1110, 0.3011, 1.1400, 3.0100])


def kinetics_row(q):
    """Reactor power (W) each second for 10 s after a step of ``q[0]`` dk/k, prompt
    generation time ``q[1]`` s (the source's debug case: its six groups, 1 W, U-235)."""
    p = pke(beta=PK_BETA, lamda=PK_LAMDA, promptL=q[1], P0=1.0, volume=1.0, nubar=2.434,
            Q=200.0, rhoext=StepReactivity(q[0]), timepoints=np.linspace(0.0, 10.0, 11))
    p.solve()
    return p.power


# --- biomechanics: a Hill-type muscle-tendon unit, explicit Euler through a stretch cycle
class Muscle:
    def __init__(self, name, F_max_iso, l_opt, l_slack, v_max, N, K, l_ref, w = 0.56, eps_ref = 0.04):
        self.name = name
        self.F_max_iso = F_max_iso  
        self.l_opt = l_opt        
        self.l_slack = l_slack     
        self.v_max = v_max          
        self.N = N                 
        self.K = K 
        self.w = w
        self.eps_ref = eps_ref
        self.l_ref = l_ref

    def force_length_relationship_CE(self, l_ce):
        w = self.w
        l_opt = self.l_opt
        c = np.log(0.05) 

        f_l = np.exp(c*np.abs((l_ce - l_opt) / (l_opt*w))**3)     
        return f_l

    def force_velocity_relationship_CE(self, v_ce):
        v_max = self.v_max
        K = self.K
        N = self.N

        if v_ce <= 0:
            f_v = (v_max + v_ce) / (v_max - K * v_ce)   

        else:
            f_v = N  + (N-1)*(( - v_max + v_ce)/(7.56*K*v_ce + v_max))

        return f_v
    
    def force_length_relationship_SEE(self, l_see):
        l_slack = self.l_slack
        eps = (l_see - l_slack)/l_slack

        eps_ref = self.eps_ref 

        if eps > 0:
            f_see = (eps/eps_ref)**2
        else:
            f_see = 0

        return f_see
    
    def force_length_relationship_PE(self, l_ce):
        l_opt = self.l_opt

        if l_ce > l_opt:
            f_pe = ((l_ce/l_opt - 1) / self.w)**2
        else:
            f_pe = 0

        return f_pe

    def inverse_force_velocity_CE(self, f_v):
        v_max = self.v_max
        K = self.K
        N = self.N

        if f_v <= 1:
            v_ce = v_max * (f_v - 1) / (1 + K * f_v)    
        elif (f_v > 1)   and (f_v <= N):
            v_ce = (((f_v - 1) * v_max) / (N - 1- 7.56*K*(f_v - N)))
        else:
            v_ce = v_max*(1 + 0.01*(f_v - N))
        return v_ce

class MuscleModel:
    def __init__(self, muscle, dt, time, tau):
        self.muscle = muscle
        self.dt = dt
        self.time = time
        self.tau = tau

    def get_act(self, s, time):
        #for constant 's'
        tau = self.tau
        a = s + (1 - s)*(1 - np.exp(-time/tau))
        return a 

    def get_l_m(self, time):
        l_opt = self.muscle.l_opt
        l_slack = self.muscle.l_slack
        l_m = l_opt + l_slack + 0.3*l_opt*np.sin(0.5*2*np.pi*time) 
        return l_m

    def simulate(self, l_m_path, act_path):
        time = self.time
        num_steps = len(time)

        l_ce_0 = l_m_path[0] - self.muscle.l_slack
        l_ce = l_ce_0

        #initialize history lists
        f_m_history = []
        l_ce_history = []   
        v_ce_history = []
        l_see_history = []
    
        for i in range(num_steps):
            l_m = l_m_path[i]
            act = act_path[i]

            #get l_see from current l_ce and l_m
            l_see = l_m - l_ce

            #get forces from lengths
            f_see = self.muscle.force_length_relationship_SEE(l_see)

            f_l_pe = self.muscle.force_length_relationship_PE(l_ce)

            f_l_ce = self.muscle.force_length_relationship_CE(l_ce)

            #since we do not want to use derivatives, get f_ce and and then v_ce and integrate to get l_ce
            f_ce = f_see - f_l_pe
            f_v = f_ce / (act * f_l_ce + 1e-8) #to avoid division by zero

            v_ce = self.muscle.inverse_force_velocity_CE(f_v)
            l_ce = l_ce + v_ce * self.dt #integrate to get new l_ce (explicit Euler)

            #store history
            f_m_history.append(f_ce)
            l_ce_history.append(l_ce)
            v_ce_history.append(v_ce)
            l_see_history.append(l_see)

        return f_m_history, l_ce_history, v_ce_history, l_see_history

def muscle_row(q):
    """The muscle force (in F_max) every 20 ms for 0.4 s of the source's sinusoidal
    stretch at activation 0.5 for ``q = (l_opt, l_slack, v_max, N, K, w)``."""
    muscle = Muscle(name="muscle", F_max_iso=6000, l_opt=q[0], l_slack=q[1], v_max=q[2],
                    N=q[3], K=q[4], w=q[5], l_ref=0.5)
    time = np.arange(0, 0.4, 0.001)
    model = MuscleModel(muscle, 0.001, time, 0.03)
    f_m, l_ce, v_ce, l_see = model.simulate(model.get_l_m(time), model.get_act(0.5, time))
    return np.stack(f_m[::20])


# --- astrodynamics: Lambert's problem by universal variables
MU_SUN = 1.32712440018e11     # km^3/s^2 (the source's c.mu_sun)


def lambert_uv(r0, rf, dt, DM=1, mu=MU_SUN):
    # Tolerances
    tol_psi = 1e-6
    tol_dt = 1e-6

    # Function Checks
    run = True
    check_dt = 0
    check_traj = 0

    # Check Transfer Time
    if dt < 0:
        print('ERROR: Transfer Time is Negative')
        check_dt = 1

    # Calculating direction of motion
    if DM == 1:
        # Short way
        orb_type = 1

    elif DM == -1:
        # Long way
        orb_type = 2

    else:
        nu1 = np.arctan2(r0[1], r0[0])
        if nu1 < 0:
            nu1 += 2*np.pi
        nu2 = np.arctan2(rf[1], rf[0])
        if nu2 < 0:
            nu2 += 2*np.pi
        delta_nu = nu2 - nu1
        if delta_nu < 0:
            delta_nu += 2*np.pi
        if delta_nu > np.pi:
            DM = -1
            orb_type = 2
        else:
            DM = 1
            orb_type = 1

    # Intializing
    r0_mag = np.sqrt(r0.dot(r0))
    rf_mag = np.sqrt(rf.dot(rf))
    
    cos_delnu = np.dot(r0, rf)/abs(r0_mag*rf_mag)
    A = DM*np.sqrt(r0_mag*rf_mag*(1.0 + cos_delnu))

    c2 = 1/2.0
    c3 = 1/6.0

    # Checking possibility of trajectory
    if np.arccos(cos_delnu) == 0 or A == 0:
        check_traj = 1

    # Setting initia PSI
    psi_high = 4*np.pi*np.pi
    psi_low = -4*np.pi
    psi_n = 0

    if check_dt == 0 and check_traj == 0:
        loop_count = 0
        
        while run:
            loop_count += 1
    
            if loop_count == 100:
                tol_dt = 1e-5
            elif loop_count == 300:
                tol_dt = 1e-4
            elif loop_count == 500:
                tol_dt = 1e-3
            elif loop_count == 1000:
                run = False
    
            y = r0_mag + rf_mag + A*(psi_n*c3 - 1.0)/np.sqrt(c2)
    
            # readjusting psi_low until y > 0
            if A > 0 and y < 0:
                while y < 0:
                    psi_n += 0.1
                    y = (r0_mag + rf_mag + 
                        A*(psi_n*c3 - 1.0)/np.sqrt(c2))

            if (y/c2) < 0:
                run = False
                break

            else:
                Xi = np.sqrt(y/c2)
                dt_n = ((Xi**3.0)*c3 + A*np.sqrt(y))/np.sqrt(mu)
    
            if dt_n <= dt: 
                psi_low = psi_n
            else:
                psi_high = psi_n
            
            psi_n = (psi_low + psi_high)/2.0

            if psi_n > tol_psi:
                c2 = (1.0 - np.cos(np.sqrt(psi_n)))/psi_n
                c3 = ((np.sqrt(psi_n) - 
                    np.sin(np.sqrt(psi_n)))/np.sqrt(psi_n**3.0))
            elif psi_n < -tol_psi:
                c2 = (1.0 - np.cosh(np.sqrt(-psi_n)))/psi_n
                c3 = ((np.sinh(np.sqrt(-psi_n)) - 
                    np.sqrt(-psi_n))/np.sqrt((-psi_n)**3.0))
            else:
                c2 = 1/2.0
                c3 = 1/6.0
    
            if abs(dt_n - dt) < tol_dt:
                break
    
        if run:
            f = 1.0 - y/r0_mag
            gdot = 1.0 - y/rf_mag
            g = A*np.sqrt(y/mu)
        
            v0 = (rf - f*r0)/g
            vf = (gdot*rf - r0)/g

        else:
            v0 = np.zeros(3)*float('NaN')
            vf = np.zeros(3)*float('NaN')
            psi_n = float('NaN')
    
    else:
        v0 = np.zeros(3)*float('NaN')
        vf = np.zeros(3)*float('NaN')
        psi_n = float('NaN')

    return v0, vf, psi_n, orb_type


def _stumpff(psi, tol_psi=1e-6):
    """lambert_uv's c2(psi), c3(psi), as its loop computes them."""
    if psi > tol_psi:
        return ((1.0 - np.cos(np.sqrt(psi)))/psi,
                (np.sqrt(psi) - np.sin(np.sqrt(psi)))/np.sqrt(psi**3.0))
    if psi < -tol_psi:
        return ((1.0 - np.cosh(np.sqrt(-psi)))/psi,
                (np.sinh(np.sqrt(-psi)) - np.sqrt(-psi))/np.sqrt((-psi)**3.0))
    return 1/2.0, 1/6.0


def lambert_velocities(r0, rf, dt, psi, mu=MU_SUN):
    """v0 and vf from lambert_uv's formulas at ``psi`` after one Newton step on the time
    of flight, ``psi - (t(psi) - dt) / t'(psi)``: the bisection leaves psi a plain
    number, so without the step the derivatives miss psi's (README's root finders)."""
    r0_mag = np.sqrt(r0.dot(r0))
    rf_mag = np.sqrt(rf.dot(rf))
    A = np.sqrt(r0_mag*rf_mag*(1.0 + np.dot(r0, rf)/abs(r0_mag*rf_mag)))

    def y_of(psi):
        c2, c3 = _stumpff(psi)
        return r0_mag + rf_mag + A*(psi*c3 - 1.0)/np.sqrt(c2)

    def tof(psi):
        c2, c3 = _stumpff(psi)
        y = y_of(psi)
        return ((np.sqrt(y/c2)**3.0)*c3 + A*np.sqrt(y))/np.sqrt(mu)

    psi = psi - (tof(psi) - dt) / dg.derivative(tof, psi)
    y = y_of(psi)
    f, gdot, g = 1.0 - y/r0_mag, 1.0 - y/rf_mag, A*np.sqrt(y/mu)
    return (rf - f*r0)/g, (gdot*rf - r0)/g


AU = 1.495978707e8                                               # km
LAMBERT_Q0 = np.array([1.0, 0.0, 0.0, -0.3, 1.45, 0.03, 0.0]) * np.r_[[AU] * 6, 1.0]
LAMBERT_Q0[6] = 220 * 86400.0                                    # s


def lambert_row(q):
    """v0 and vf (km/s) of a 220-day transfer from Earth's to a Mars-like position for
    ``q = (r0, rf, tof)``: lambert_uv, then the Newton step on duals."""
    r0, rf, dt = q[:3], q[3:6], q[6]
    psi = lambert_uv(r0, rf, dt)[2]
    return np.concatenate(lambert_velocities(r0, rf, dt, psi))


# --- coastal waves: wavenumbers across a beach profile from the dispersion relation
def wavenumber(sigma, h):
    """Compute wavenumber from sigma and h
k = wavenumber(sigma, h)
%k is the matrix of same size as sigma and h containing the calculated wave numbers
%
%sigma is the wave frequencies in rad/s
%h is the water depth
%
%sigma and h must be scalars,vectors or matricies of the same dimensions
%

%modified from R.Dalrymple's java code
%

D. Nowacki rewritten in Python March 2015
"""
    import numpy as np

    g = 9.81

    a0 = (sigma**2 * h)/g
    b1 = 1. /np.tanh(a0**(3./4))
    a1 = a0 * (b1**(2./3))
    da1 = 1000.

    d1 = np.ones(np.shape(h))

    while (np.max(d1) == 1):
        d1 = (abs(da1/a1) > 0.00000001)
        th = np.tanh(a1)
        ch = np.cosh(a1)
        f1 = a0 - a1*th
        f2 = -a1 * (1./ch)**2 - th
        da1 = -f1/f2
        a1 = a1 + da1

    k = a1/h

    return k


BEACH_DEPTHS = np.array([0.5, 1.0, 2.0, 3.5, 5.0, 8.0, 12.0, 20.0, 35.0, 60.0, 100.0, 200.0])


def wave_row(q):
    """k (rad/m) of a ``q[0]``-second wave at the depths ``q[1:]`` (m)."""
    return wavenumber(2 * np.pi / q[0], q[1:])


# --- glaciology: a shallow-ice flowline growing on an inclined bed
GL_TOTL = 20000 # total length of the domain [m]
GL_DX = 100     # grid size [m]
GL_NTPY = 200   # number of timesteps per year
GL_RHO = 917.      # kg/m3
GL_G = 9.80665 # m/s2


def get_bedrock(xaxis):
    # here you put in your own equation that defines the bedrock
    bedrock = 2000. - xaxis*0.08
    return bedrock


def glacier_run(beta, maxb, fd, fs, ela, nyear=5, FluxAtPoints=False, ZeroFluxBoundary=True):
    """The script's set-up and time loop (staggered fluxes, a fixed ELA, its animation
    and response-time bookkeeping cut) as a function of its parameters.  Its buffers
    ``np.zeros(nx)``, refused for the dual fluxes stored in them, are the refusal's
    ``np.zeros_like(beta, shape=nx)``; ``hice += smb/ntpy`` and ``hice -= dt*dFdx``,
    refused on the plain ``hice``, are the refusal's rebinding."""
    totL, dx, ntpy, rho, g = GL_TOTL, GL_DX, GL_NTPY, GL_RHO, GL_G
    nx    = int(totL/dx)
    dx    = totL/nx       # redefine, as it     
    xaxis = np.linspace(0,totL,nx,False) + dx*0.5
    bedrock = get_bedrock(xaxis)
    dt    = 365.*86400./ntpy # length of one timestep in seconds!
    hice   = np.zeros(nx)    # ice thickness
    dhdx   = np.zeros_like(beta, shape=nx)    # the local gradient of h
    fluxd  = np.zeros_like(beta, shape=nx+2)  # this will be the flux per second!!!!
    fluxs  = np.zeros_like(beta, shape=nx+2)  # this will be the flux per second!!!!
    dFdx = np.zeros_like(beta, shape=nx)    # change in ice thickness due to the ice flux, per second
    smb    = np.zeros_like(beta, shape=nx)
    hice = np.where(bedrock>ela, np.where(hice<0.11, 0.11, hice), hice)
    cd    = 2./5.*fd*(rho*g)**3  # adjusted
    cs    = fs*(rho*g)**3  # adjusted
    for it in range(1, ntpy*nyear+1):
        h = hice + bedrock
        if FluxAtPoints:
            pass
        else:
            # the following equations needs to be adjusted according to your discretisation
            dhdx[:-1]  = ((h[1:]-h[:-1])/dx) # so 0 is at 1/2 actually
            # note that flux[1] is at the point 1/2
            fluxd[1:-2] = cd * (dhdx[:-1])**3 * (0.5*hice[1:] + 0.5 * hice[:-1])**5
            fluxs[1:-2] = cs * (dhdx[:-1])**3 * (0.5*hice[1:] + 0.5 * hice[:-1])**3
            # derive flux convergence
            dFdx[:]  = (fluxd[1:-1]-fluxd[:-2] + fluxs[1:-1]-fluxs[:-2])/dx
        smb[:] = (h-ela)*beta
        smb[:] = np.where(smb>maxb, maxb, smb) 
        hice = hice + smb/ntpy
        hice = hice - dt*dFdx # minus sign added
        hice[:] = np.where(hice<0., 0., hice) # remove negative ice thicknesses
        if ZeroFluxBoundary == False:
            hice[0] = hice[-1] = 0.
    return hice


def glacier_row(q):
    """Ice thickness (m) every 2 km after five years for ``q = (beta, maxb, fd / 1e-24,
    fs / 1e-20, ela)``."""
    return glacier_run(q[0], q[1], q[2] * 1e-24, q[3] * 1e-20, q[4])[::20]


# --- engineering seismology: Campbell's (2003) ground-motion model for eastern North America
_CAMPBELL_2003 = """\
0.01,0.0305,0.633,-0.0427,-1.591,-0.00428,0.000483,0.683,0.416,1.140,-0.873,1.030,-0.0860,0.414
0.02,1.3535,0.630,-0.0404,-1.787,-0.00388,0.000497,1.020,0.363,0.851,-0.715,1.030,-0.0860,0.414
0.03,1.1860,0.622,-0.0362,-1.691,-0.00367,0.000501,0.922,0.376,0.759,-0.922,1.030,-0.0860,0.414
0.05,0.3736,0.616,-0.0353,-1.469,-0.00378,0.000500,0.630,0.423,0.771,-1.239,1.042,-0.0838,0.443
0.075,-0.0395,0.615,-0.0353,-1.383,-0.00421,0.000486,0.491,0.463,0.955,-1.349,1.052,-0.0838,0.453
0.10,-0.1475,0.613,-0.0353,-1.369,-0.00454,0.000460,0.484,0.467,1.096,-1.284,1.059,-0.0838,0.460
0.15,-0.1901,0.616,-0.0478,-1.368,-0.00473,0.000393,0.461,0.478,1.239,-1.079,1.068,-0.0838,0.469
0.20,-0.4328,0.617,-0.0586,-1.320,-0.00460,0.000337,0.399,0.493,1.250,-0.928,1.077,-0.0838,0.478
0.30,-0.6906,0.609,-0.0786,-1.280,-0.00414,0.000263,0.349,0.502,1.241,-0.753,1.081,-0.0838,0.482
0.50,-0.5907,0.534,-0.1379,-1.216,-0.00341,0.000194,0.318,0.503,1.166,-0.606,1.098,-0.0824,0.508
0.75,-0.5429,0.480,-0.1806,-1.184,-0.00288,0.000160,0.304,0.504,1.110,-0.526,1.105,-0.0806,0.528
1.0,-0.6104,0.451,-0.2090,-1.158,-0.00255,0.000141,0.299,0.503,1.067,-0.482,1.110,-0.0793,0.543
1.5,-0.9666,0.441,-0.2405,-1.135,-0.00213,0.000119,0.304,0.500,1.029,-0.438,1.099,-0.0771,0.547
2.0,-1.4306,0.459,-0.2552,-1.124,-0.00187,0.000103,0.310,0.499,1.015,-0.417,1.093,-0.0758,0.551
3.0,-2.2331,0.492,-0.2646,-1.121,-0.00154,0.000084,0.310,0.499,1.014,-0.393,1.090,-0.0737,0.562
4.0,-2.7975,0.507,-0.2738,-1.119,-0.00135,0.000074,0.294,0.506,1.018,-0.386,1.092,-0.0722,0.575"""


class Campbell2003:
    """The source's model on its coefficient file (a record array, as pygmm's
    ``load_data_file`` gives) with its parameters in a dict (pygmm's Model base, which
    checks and holds them, cut)."""

    COEFF = np.rec.fromrecords(
        [tuple(float(v) for v in line.split(",")) for line in _CAMPBELL_2003.splitlines()],
        names=["period"] + [f"c_{i}" for i in range(1, 14)])

    def __init__(self, **kwds):
        self.PARAMS = dict(kwds)
        self._ln_resp = self._calc_ln_resp()
        self._ln_std = self._calc_ln_std()

    def _calc_ln_resp(self):
        """Calculate the natural logarithm of the response.

        Returns:
            :class:`np.array`: Natural log of the response.
        """
        p = self.PARAMS
        c = self.COEFF

        f_1 = c['c_2'] * p['mag'] + c['c_3'] * (8.5 - p['mag']) ** 2

        # Distance scaling
        f_2 = (c['c_4'] * np.log(
            np.sqrt( p['dist_rup'] ** 2 +
                     (c['c_7'] * np.exp(c['c_8'] * p['mag'])) ** 2)) +
               (c['c_5'] + c['c_6'] * p['mag']) * p['dist_rup'])

        # Geometric attenuation
        r_1 = 70.0
        r_2 = 130.0
        if p['dist_rup'] <= r_1:
            f_3 = 0.
        else:
            f_3 = c['c_9'] * (np.log(p['dist_rup']) - np.log(r_1))

            if r_2 < p['dist_rup']:
                f_3 += c['c_10'] * (np.log(p['dist_rup']) - np.log(r_2))

        # Compute the ground motion
        ln_resp = c['c_1'] + f_1 + f_2 + f_3

        return ln_resp

    def _calc_ln_std(self):
        """Calculate the logarithmic standard deviation.

        Returns:
            :class:`np.array`: Logarithmic standard deviation.
        """
        p = self.PARAMS
        c = self.COEFF

        if p['mag'] < 7.16:
            ln_std = c['c_11'] + c['c_12'] * p['mag']
        else:
            ln_std = c['c_13']

        return ln_std


GMPE_DISTANCES = (40.0, 100.0, 160.0)           # km: one in each distance segment


def gmpe_row(q):
    """ln PSA (g) at the 16 periods at three distances, then ln sigma, for ``q = (Mw,
    distance scale)``."""
    out = []
    for d in GMPE_DISTANCES:
        model = Campbell2003(mag=q[0], dist_rup=q[1] * d)
        out.append(model._ln_resp)
    out.append(model._ln_std)
    return np.concatenate(out)


# --- heat transfer: exchanger effectiveness from NTU for eight arrangements
def crossflow_effectiveness_to_int(v, NTU, t0):
    """The source's integrand; its ``float(iv(0.0, v))``, refused at dg.quad's moving
    limit, is ``iv(0.0, v)``."""
    x0 = v*v*t0
    return (1. + NTU - x0)*exp(-x0)*v*iv(0.0, v)


def effectiveness_from_NTU(NTU, Cr, subtype='counterflow', n_shell_tube=None):
    """The source's function (its docstring cut) on ``from numpy import exp, sqrt`` for
    its ``from math import``, refused on duals; its ``quad`` (fluids.numerics': SciPy's
    where SciPy is installed), refused, is ``dg.quad``."""
    if Cr > 1:
        raise ValueError('Heat capacity rate must be less than 1 by definition.')

    if subtype == 'counterflow':
        if Cr < 1:
            return (1. - exp(-NTU*(1. - Cr)))/(1. - Cr*exp(-NTU*(1. - Cr)))
        elif Cr == 1:
            return NTU/(1. + NTU)
    elif subtype == 'parallel':
            return (1. - exp(-NTU*(1. + Cr)))/(1. + Cr)
    elif 'S&T' == subtype:
        # str_shells = subtype.split('S&T')[0]
        shells = n_shell_tube if n_shell_tube is not None else 1
        NTU = NTU/shells

        x0 = sqrt(1. + Cr*Cr)
        x1 = exp(-NTU*x0)
        top = 1. + x1
        bottom = 1. - x1
        effectiveness = 2./(1. + Cr + x0*top/bottom)
        if shells > 1:
            # this applies to crossflow also according to Efficiency and Effectiveness of Heat Exchanger Series equation 21
            term = ((1. - effectiveness*Cr)/(1. - effectiveness))**shells
            effectiveness = (term - 1.)/(term - Cr)
        return effectiveness
    elif subtype == 'crossflow':
        t0 = 1.0/(4.*Cr*NTU)
        res, err = dg.quad(crossflow_effectiveness_to_int, 0, 2.*NTU*sqrt(Cr), args=(NTU, t0,))
        int_term = res
        CrNTU = Cr*NTU
        return 1./Cr - exp(-CrNTU)/(2.*CrNTU*CrNTU)*int_term
    elif subtype == 'crossflow approximate':
        return 1. - exp(1./Cr*NTU**0.22*(exp(-Cr*NTU**0.78) - 1.))
    elif subtype == 'crossflow, mixed Cmin':
        return 1. -exp(-1.0/Cr*(1. - exp(-Cr*NTU)))
    elif subtype ==  'crossflow, mixed Cmax':
        return (1./Cr)*(1. - exp(-Cr*(1. - exp(-NTU))))
    elif subtype in ('boiler', 'condenser'):
        return  1. - exp(-NTU)
    else:
        raise ValueError('Input heat exchanger type not recognized')


HX_SUBTYPES = ('counterflow', 'parallel', 'S&T', 'crossflow', 'crossflow approximate',
               'crossflow, mixed Cmin', 'crossflow, mixed Cmax', 'boiler')


def hx_row(q):
    """The effectiveness of each arrangement, then of three shells in series, for ``q =
    (NTU, Cr)``."""
    NTU, Cr = q[0], q[1]
    out = [effectiveness_from_NTU(NTU, Cr, s) for s in HX_SUBTYPES]
    out.append(effectiveness_from_NTU(NTU, Cr, 'S&T', n_shell_tube=3))
    return np.stack(out)


PROBLEMS63 = {
    "BEM rotor loads, induction loop (2)": (bem_row, np.array([8.0, 2.0])),
    "viscoplastic return mapping, Newton (6)": (plasticity_row,
                                                np.array([2.1e11, 3.9e8, 2e10, 1e10,
                                                          9.0e8, 25.0])),
    "Helmholtz coil, Biot-Savart loop (3)": (coil_row, np.array([2.0, 0.05, 0.05])),
    "point kinetics, dg.solve_ivp (2)": (kinetics_row, np.array([0.001, 6e-5])),
    "Hill muscle, Euler branches (6)": (muscle_row,
                                        np.array([0.08, 0.23, 0.96, 1.5, 5.0, 0.56])),
    "Lambert universal variables, bisection (7)": (lambert_row, LAMBERT_Q0.copy()),
    "wave dispersion, Newton while (13)": (wave_row, np.r_[8.0, BEACH_DEPTHS]),
    "glacier flowline SIA, buffers (5)": (glacier_row,
                                          np.array([0.007, 2.0, 1.9, 5.7, 1600.0])),
    "Campbell 2003 GMPE, record array (2)": (gmpe_row, np.array([6.5, 1.0])),
    "heat exchanger effectiveness, dg.quad (2)": (hx_row, np.array([1.7, 0.6])),
}
