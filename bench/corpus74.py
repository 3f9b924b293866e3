"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 74).

Chosen for kinds corpus57 to corpus73 do not hold: a leaf's coupled photosynthesis and
stomatal conductance along a light-response curve (plant ecophysiology: Martin De
Kauwe's ``FarquharC3`` class, peaked Arrhenius functions, Medlyn's conductance, the
intercellular CO2 by the quadratic's root, ``np.isclose`` tests, ``if Cic <= 0.0 or
Cic > Cs``, ``max(g0, ...)`` of a number and a dual, one scalar leaf per light level);
Mogi's point source under a volcano (volcano geodesy: mystic's model, ``from numpy
import array, pi``, Python's ``pow(r2, 1.5)``, ``array((C*dx, C*dy, C*dz))`` of three
array duals); the Mualem-van Genuchten unsaturated conductivity (soil physics:
dumux-rosi's benchmark helper, ``import math``, ``min(h, 0)``, Python's ``pow`` and
``abs``, ``math.sqrt``, a parameter class whose second ``__init__`` replaces the first,
one scalar head per call); the Bethe-Bloch stopping power of alphas in aluminium
(particle physics: a lab report's loop over energies into an ``np.zeros`` buffer, ``if
ZT == 1`` on a dual); a weak acid titrated by a strong base (chemistry equilibria: the
cubic of the proton balance per added volume by ``np.max(np.roots(...))`` into an
``np.linspace`` buffer to a dual end, ``-np.log10``).

Each function is written anew here from its source's formulas, in the source's style
(its imports, buffers, loops, names and control flow), not copied; a row of
:data:`PROBLEMS74` wraps it into ``f(x0) -> 1-D array`` as a user hands it to
``approx_fprime``.  The changes a user makes are those dualgrad's refusals name, each
marked ``dualgrad`` where it is made: van Genuchten's ``math.sqrt(se)`` becomes
``np.sqrt(se)``; the Bethe-Bloch buffer ``np.zeros(nstep)`` becomes ``np.zeros_like(Z,
shape=nstep)``; the titration's ``np.roots(polyCoeffs)`` becomes the companion matrix's
``np.linalg.eigvals`` the refusal writes out (its buffer, ``np.linspace`` to a volume
that depends on the concentrations, is already an array dual).  Not dualgrad's:
the scripts' plots and prints are left out, the Bethe-Bloch loop takes 400 energies
(the source 10,000) and the titration 101 volumes (the source 301); scripts whose
constants were module names are functions of them here.

======================  ==================================================  ==========
function                repository / path                                   commit
======================  ==================================================  ==========
FarquharC3              mdekauwe/big_leaf_vs_two_leaf  farq.py,             044942f8
                        parameters.py, constants.py                         17164622
                                                                            0849e1a6
evaluate (Mogi)         uqfoundation/mystic  models/mogi.py                 154e6302
hydraulic_conductivity  Plant-Root-Soil-Interactions-Modelling/dumux-rosi   43b641c3
Parameters              rosi_benchmarking/richards1d/python/van_genuchten.py
energy_loss             ImAure/lab3-small-reports  code/energy_loss.py      e4dd408b
titrationSolver         tharshi92/Mixing-Acids-and-Bases  titrationSolver.py 0f416553
======================  ==================================================  ==========

Full commits: 044942f8df23d089408be265a9ce88a6862c20ca,
17164622ee0bf3b74f9910f6a08df72180d9fc2e, 0849e1a6a52dc2418971482d09bb1cfe2e3d2957,
154e6302d1f2f94e8f13e88ecc5f24241cc28ac7, 43b641c3a6058c41081fa6aa74a644055d6e7650,
e4dd408bc22505ea438b7353a8fb1220681b945e, 0f416553234c5282c21e39ef858c4e525ffb93df.
"""

import math
import types

import numpy as np
from numpy import array, pi


# --- plant ecophysiology: coupled photosynthesis and conductance (mdekauwe/
# big_leaf_vs_two_leaf farq.py; constants.py's and parameters.py's names)
c = types.SimpleNamespace(DEG_2_KELVIN=273.15, RGAS=8.314, GSC_2_GSW=1.57,
                          GSW_2_GSC=1.0 / 1.57)


class FarquharC3(object):
    """C3 photosynthesis (Farquhar, von Caemmerer & Berry 1980) with Medlyn's stomatal
    conductance, net assimilation as the hyperbolic minimum of the Rubisco- and
    electron-transport-limited rates less day respiration."""

    def __init__(self, peaked_Jmax=False, peaked_Vcmax=False,
                 model_Q10=False, gs_model=None,
                 adjust_for_low_temp=False, gs_vpd_sens=0.5):
        self.peaked_Jmax = peaked_Jmax
        self.peaked_Vcmax = peaked_Vcmax
        self.model_Q10 = model_Q10
        self.gs_model = gs_model
        self.adjust_for_low_temp = adjust_for_low_temp
        self.gs_vpd_sens = gs_vpd_sens

    def photosynthesis(self, p, Cs=None, Tleaf=None, Par=None, vpd=None,
                       mult=None, scalex=None):
        Km = self.calc_michaelis_menten_constants(p, Tleaf)
        gamma_star = self.arrh(p.gamstar25, p.Eag, Tleaf)

        if self.peaked_Vcmax:
            Vcmax = self.peaked_arrh(p.Vcmax25, p.Eav, Tleaf, p.deltaSv, p.Hdv)
        else:
            Vcmax = self.arrh(p.Vcmax25, p.Eav, Tleaf)

        if self.peaked_Jmax:
            Jmax = self.peaked_arrh(p.Jmax25, p.Eaj, Tleaf, p.deltaSj, p.Hdj)
        else:
            Jmax = self.arrh(p.Jmax25, p.Eaj, Tleaf)

        if p.Rd25 is not None:
            Rd = self.calc_resp(Tleaf, p.Q10, p.Rd25, p.Ear)
        else:
            Rd = 0.015 * Vcmax

        if scalex is not None:
            Rd *= scalex
            Vcmax *= scalex
            Jmax *= scalex

        J = self.calc_electron_transport_rate(p, Par, Jmax)
        Vj = J / 4.0

        if self.gs_model == "leuning":
            g0 = p.g0 * c.GSW_2_GSC
            gs_over_a = p.g1 / (Cs - gamma_star) / (1.0 + vpd / p.D0)
            gs_over_a *= c.GSW_2_GSC
        elif self.gs_model == "medlyn":
            if np.isclose(p.g0, 0.0):
                g0 = 1E-09
            else:
                g0 = p.g0 * c.GSW_2_GSC
            if vpd < 0.05:
                vpd = 0.05
            if np.isclose(Cs, 0.0):
                gs_over_a = 0.0
            else:
                gs_over_a = (1.0 + p.g1 / vpd**self.gs_vpd_sens) / Cs

        if (np.isclose(Par, 0.0) | np.isclose(Vj, 0.0)):
            Cic = Cs
            Cij = Cs
        else:
            Cic = self.solve_ci(g0, gs_over_a, Rd, Cs, gamma_star, Vcmax, Km)
            Cij = self.solve_ci(g0, gs_over_a, Rd, Cs, gamma_star, Vj,
                                2.0 * gamma_star)

        if Cic <= 0.0 or Cic > Cs:
            Ac = 0.0
        else:
            Ac = self.assim(Cic, gamma_star, a1=Vcmax, a2=Km)
        Aj = self.assim(Cij, gamma_star, a1=Vj, a2=2.0 * gamma_star)

        if Aj <= Rd + 1E-09:
            Cij = Cs
            Aj = self.assim(Cij, gamma_star, a1=Vj, a2=2.0 * gamma_star)

        A = -self.quadratic(a=1.0 - 1E-04, b=Ac + Aj, c=Ac * Aj, large=True)
        An = A - Rd
        gsc = max(g0, g0 + gs_over_a * An)
        return (An, gsc)

    def calc_electron_transport_rate(self, p, Par, Jmax):
        A = p.theta_J
        B = -(p.alpha * Par + Jmax)
        C = p.alpha * Par * Jmax
        return self.quadratic(a=A, b=B, c=C, large=False)

    def solve_ci(self, g0, gs_over_a, rd, Cs, gamma_star, gamma, beta):
        A = g0 + gs_over_a * (gamma - rd)

        arg1 = (1. - Cs * gs_over_a) * (gamma - rd)
        arg2 = g0 * (beta - Cs)
        arg3 = gs_over_a * (gamma * gamma_star + beta * rd)
        B = arg1 + arg2 - arg3

        arg1 = -(1.0 - Cs * gs_over_a)
        arg2 = (gamma * gamma_star + beta * rd)
        arg3 = g0 * beta * Cs
        C = arg1 * arg2 - arg3

        return self.quadratic(a=A, b=B, c=C, large=True)

    def calc_michaelis_menten_constants(self, p, Tleaf):
        Kc = self.arrh(p.Kc25, p.Ec, Tleaf)
        Ko = self.arrh(p.Ko25, p.Eo, Tleaf)
        return Kc * (1.0 + p.Oi / Ko)

    def arrh(self, k25, Ea, Tk):
        return k25 * np.exp((Ea * (Tk - 298.15)) / (298.15 * c.RGAS * Tk))

    def peaked_arrh(self, k25, Ea, Tk, deltaS, Hd):
        arg1 = self.arrh(k25, Ea, Tk)
        arg2 = 1.0 + np.exp((298.15 * deltaS - Hd) / (298.15 * c.RGAS))
        arg3 = 1.0 + np.exp((Tk * deltaS - Hd) / (Tk * c.RGAS))
        return arg1 * arg2 / arg3

    def assim(self, Ci, gamma_star, a1, a2):
        return a1 * (Ci - gamma_star) / (a2 + Ci)

    def calc_resp(self, Tleaf=None, Q10=None, Rd25=None, Ear=None, Tref=25.0):
        if self.model_Q10:
            Rd = Rd25 * Q10**(((Tleaf - c.DEG_2_KELVIN) - Tref) / 10.0)
        else:
            Rd = self.arrh(Rd25, Ear, Tleaf)
        return Rd

    def quadratic(self, a=None, b=None, c=None, large=False):
        d = b**2.0 - 4.0 * a * c  # discriminant
        if d < 0.0:
            raise ValueError('imaginary root found')
        if large:
            if np.isclose(a, 0.0) and b > 0.0:
                root = -c / b
            elif np.isclose(a, 0.0) and np.isclose(b, 0.0):
                root = 0.0
                if c != 0.0:
                    raise ValueError('Cant solve quadratic')
            else:
                root = (-b + np.sqrt(d)) / (2.0 * a)
        else:
            if np.isclose(a, 0.0) and b > 0.0:
                root = -c / b
            elif np.isclose(a, 0.0) and np.isclose(b, 0.0):
                root == 0.0
                if c != 0.0:
                    raise ValueError('Cant solve quadratic')
            else:
                root = (-b - np.sqrt(d)) / (2.0 * a)
        return root


def leaf_parameters(Vcmax25, Jmax25, g1, Rd25):
    """parameters.py's names (its module is the source's ``p``), four of them given."""
    refl, tau = 0.09, 0.09
    return types.SimpleNamespace(
        Oi=210.0, gamstar25=42.75, Kc25=404.9, Ko25=278.4, Ec=79430.0, Eo=36380.0,
        Eag=37830.0, Ear=None, theta_hyperbol=0.9995, theta_J=0.7,
        alpha=0.3 * (1 - refl - tau), g0=0.001, g1=g1, D0=1.5, Hdv=200000.0,
        Hdj=200000.0, Vcmax25=Vcmax25, Jmax25=Jmax25, Rd25=Rd25, Q10=2.0, Eaj=30000.0,
        Eav=60000.0, deltaSj=650.0, deltaSv=650.0)


LEAF_PAR = np.linspace(0.0, 2000.0, 25)          # a light-response curve [umol m-2 s-1]
LEAF_X0 = np.array([60.0, 100.2, 4.0, 2.0])      # Vcmax25, Jmax25, g1, Rd25


def leaf_row(x):
    """An and gsc of one leaf at 25 deg C, Cs = 400, D = 1.5 kPa, over 25 light levels
    (the source's ``__main__``: peaked Jmax and Vcmax, Q10 respiration, Medlyn)."""
    p = leaf_parameters(*x)
    F = FarquharC3(peaked_Jmax=True, peaked_Vcmax=True, model_Q10=True,
                   gs_model="medlyn")
    out = []
    for par in LEAF_PAR:
        An, gsc = F.photosynthesis(p, Cs=400., Tleaf=25.0 + 273.15, Par=par, vpd=1.5)
        out += [An, gsc]
    return np.array(out)


# --- volcano geodesy: Mogi's point source (uqfoundation/mystic models/mogi.py)
def evaluate(coeffs, evalpts):
    """evaluate a single Mogi peak over a 2D (2 by N) numpy array of evalpts, where
    coeffs = (x0,y0,z0,dV)"""
    x0, y0, z0, dV = coeffs
    dx = evalpts[0, :] - x0
    dy = evalpts[1, :] - y0
    dz = 0 - z0
    c = dV * 3. / 4. * pi
    # or equivalently c= (3/4) a^3 dP / rigidity
    # where a = sphere radius, dP = delta Pressure
    r2 = dx * dx + dy * dy + dz * dz
    C = c / pow(r2, 1.5)
    return array((C * dx, C * dy, C * dz))


_G = np.linspace(-5e3, 5e3, 15)
MOGI_PTS = np.array(np.meshgrid(_G, _G)).reshape(2, -1)     # 225 stations, 10 km square
MOGI_X0 = np.array([300.0, -200.0, 2500.0, 1e6])            # x0, y0, depth, dV


def mogi_row(x):
    """Ux, Uy, Uz at 225 stations of a source 2.5 km down."""
    return evaluate(x, MOGI_PTS).ravel()


# --- soil physics: Mualem-van Genuchten conductivity (Plant-Root-Soil-Interactions-
# Modelling/dumux-rosi rosi_benchmarking/richards1d/python/van_genuchten.py)
def hydraulic_conductivity(h, sp):
    h = min(h, 0)
    # compute the volumetric moisture content (Eqn 21)
    theta = sp.theta_R + (sp.theta_S - sp.theta_R) / pow(1. + pow(sp.alpha * abs(h), sp.n), sp.m)
    # compute the effective saturation (dimensionless water content, Eqn 2)
    se = (theta - sp.theta_R) / (sp.theta_S - sp.theta_R)
    # Compute the hydraulic conductivity (Eqn 8)
    K = sp.Ksat * np.sqrt(se) * ((1. - pow(1. - pow(se, 1. / sp.m), sp.m))**2)  # dualgrad:
    return K                                                   # math.sqrt(se)


class Parameters:
    def __init__(self, R, S, alpha, n, m, Ksat):
        self.theta_R = R
        self.theta_S = S
        self.alpha = alpha  # [1/cm]
        self.n = n
        self.m = m
        self.Ksat = Ksat

    def __init__(self, R, S, alpha, n, Ksat):   # noqa: F811 (the source's second one wins)
        self.theta_R = R
        self.theta_S = S
        self.alpha = alpha  # [1/cm]
        self.n = n
        self.m = 1. - 1. / n
        self.Ksat = Ksat


VG_H = -np.logspace(0.0, 4.0, 40)                  # heads from -1 cm to -100 m
VG_X0 = np.array([0.078, 0.43, 0.036, 1.56, 24.96])  # a loam: R, S, alpha, n, Ksat


def van_genuchten_row(x):
    sp = Parameters(*x)
    return np.array([hydraulic_conductivity(h, sp) for h in VG_H])


# --- particle physics: Bethe-Bloch stopping power (ImAure/lab3-small-reports
# code/energy_loss.py; the projectile and target its arguments, the plot left out)
def energy_loss(Z, M, ZT, MT, nstep=400):
    mc2 = M * 931.494  # Energy at rest in MeV

    # Energy limits
    Emin, Emax = 10.0, 100000.0  # Energy in MeV
    destep = (Emax - Emin) / nstep  # noqa: F841 (the source's)

    # Array initialization
    E = np.linspace(Emin, Emax, nstep)
    SP = np.zeros_like(Z, shape=nstep)      # dualgrad: np.zeros(nstep)

    # Loop on energy
    for ie in range(nstep):
        Etot = E[ie] + mc2
        p = np.sqrt(E[ie] ** 2 + 2.0 * E[ie] * mc2)
        beta = p / Etot
        gamma = 1.0 / np.sqrt(1.0 - beta ** 2)

        # mean ionization potential (I)
        IPOT = 16.0 * (ZT ** 0.9)
        if ZT == 1:
            IPOT = 21.8
        IPOT *= 1.0e-6  # conversion to MeV

        arg = 2.0 * 0.511 * gamma ** 2 * beta ** 2 / IPOT
        phi = np.log(arg) - beta ** 2

        # Stopping power (dE/dx)
        SP[ie] = 0.30707 * (ZT / MT) * Z ** 2 * phi / (beta ** 2)
    return SP


BETHE_X0 = np.array([2.0, 4.0, 13.0, 26.98])     # alphas on 13Al: Z, M, ZT, MT


def bethe_row(x):
    return energy_loss(x[0], x[1], x[2], x[3])


# --- chemistry equilibria: a weak acid titrated by a strong base (tharshi92/
# Mixing-Acids-and-Bases titrationSolver.py; its constants the arguments, plots left out)
def titration_pHs(acidConstant, initAcidConc, baseConc, numPoints=101):
    waterConstant = 1e-14

    initBufferConc = 1e-2
    initBufferVol = 0e+2
    initAcidVol = 1e+2

    # Create variable base volume array
    minVol = 0.0
    maxVol = 2.0 * initAcidConc * initAcidVol / baseConc
    baseVols = np.linspace(minVol, maxVol, numPoints)

    # Calculate intermediate Variables
    totalVols = baseVols + initAcidVol + initBufferVol
    eqBaseCationConcs = baseConc * baseVols / totalVols
    eqAcidAnionConcs = initBufferConc * initBufferVol / totalVols

    # Create cubic coeffcients
    quadraticTerms = acidConstant + eqBaseCationConcs + eqAcidAnionConcs
    linearTerms = -(waterConstant + acidConstant * ((initAcidConc * initAcidVol / totalVols)
                                                    - eqBaseCationConcs))
    constant = - acidConstant * waterConstant

    # Solve for every base volume
    eqH3OConcs = np.linspace(minVol, maxVol, numPoints)
    for i in range(numPoints):
        # Setup the cubic and solve for each base volume
        polyCoeffs = [1.0, quadraticTerms[i], linearTerms[i], constant]
        p = np.stack(polyCoeffs)                    # dualgrad: np.roots(polyCoeffs)
        eqH3OConcs[i] = np.max(np.linalg.eigvals(
            np.vstack([-p[1:] / p[0], np.eye(len(p) - 2, len(p) - 1)])))

    # Calculate Important Quantities
    pHs = - np.log10(eqH3OConcs)
    return pHs


TITRATION_X0 = np.array([1e-5, 1e-2, 1e-2])    # Ka, the acid's and the base's mol/L


def titration_row(x):
    return titration_pHs(x[0], x[1], x[2])


PROBLEMS74 = {
    "leaf A-gs light curve, FarquharC3 (4)": (leaf_row, LEAF_X0.copy()),
    "Mogi source, pow and array((...)) (4)": (mogi_row, MOGI_X0.copy()),
    "van Genuchten-Mualem K(h), math (5)": (van_genuchten_row, VG_X0.copy()),
    "Bethe-Bloch, np.zeros loop (4)": (bethe_row, BETHE_X0.copy()),
    "weak-acid titration, np.roots (3)": (titration_row, TITRATION_X0.copy()),
}
