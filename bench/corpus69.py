"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 69).

Kept in their sources' spelling, chosen for the ways of using arrays a new user's code
has: an NRTL activity-coefficient model (``x += 1e-50`` on its argument, two ``np.zeros``
buffers filled column by column, ``np.array([1., 1.])`` overwritten entry by entry,
``np.dot``) inside a bubble-pressure model with an extended Antoine ``T**Param[4]``;
Hagan's SABR smile with an ``if F == K`` at-the-money branch and ``(F*X)**(0.5*(1-beta))``
with beta an input; the gravity anomaly of a right rectangular prism (eight corner
distances, ``log`` and ``arctan`` of ratios, written with ``from numpy import *``);
Zernike polynomials by Noll index summed into a wavefront (``scipy.special.factorial``
of float arguments, ``rho**(n-2.0*k)`` with the exponents 0.0 and 1.0 at the centre
point rho = 0); Delany-Bazley's porous absorber (a complex wave number, ``np.tan`` of it,
``np.abs`` of the reflection coefficient); PythonRobotics' extended Kalman filter
(``math.cos`` of the state inside ``np.array`` of nested lists, ``@`` chains,
``np.linalg.inv``) over 40 steps; PythonRobotics' cubic spline path (a ``np.zeros`` band
matrix filled in a loop, ``np.linalg.solve``, ``bisect.bisect`` over the knots, curvature
and ``math.atan2`` yaw).  Domains corpus57 to corpus68 do not hold: phase-equilibrium
thermodynamics, stochastic-volatility smiles, potential-field geophysics, wavefront
optics, porous sound absorbers, state estimation, path planning.  A row of
:data:`PROBLEMS69` wraps a function into ``f(x0) -> 1-D array``, as a user hands it to
``approx_fprime``.  The SABR, prism, Zernike and Delany-Bazley code runs as written
(Zernike's Python 2 ``xrange`` and ``scipy.misc.factorial`` are Python 3's ``range`` with
``//`` and ``scipy.special.factorial``); the changes a user makes are what dualgrad's
refusals name (each marked ``dualgrad`` where it is made): NRTL's ``matr = np.zeros(...)``
becomes ``np.zeros_like(tau, shape=...)`` (the refusal's spelling) and its ``term2 =
np.array([1., 1.])`` keeps its numbers, held as duals (that refusal had said
``np.zeros_like(x)``, and nrtl's ``x`` is the plain mole fractions: user69 mended it to
name ``tau``); the fit's ``np.array([[0, p[0]], [p[1], 0]])`` becomes ``np.stack`` of
rows; the EKF's ``math.cos`` / ``math.sin`` become ``np.cos`` / ``np.sin`` and its
``np.array`` of them ``np.block`` (``np.linalg.inv`` refused the object array they made);
the spline's ``A`` / ``B`` buffers are ``np.zeros_like(h, ...)``, its arc length ``s =
[0]; s.extend(np.cumsum(self.ds))`` becomes ``np.concatenate`` (the list of scalar duals
made ``np.diff`` an object array, which ``np.linalg.solve`` refused; the buffer's
refusal had said ``np.zeros_like(x, ...)``, whose ``h`` spelling was that object array
again: user69 mended it to name ``h`` as one) and ``math.atan2`` ``np.arctan2``.  The EKF's noise comes from a seeded generator, drawn once (the source
draws ``np.random.randn`` in its loop).

=====================  =================================================  ==========
function               repository / path                                  commit
=====================  =================================================  ==========
nrtl, Pvap, ELV        CesarGarech/NRTL-model-fitting.py  nrtl.py,        8956fd60
                       Pvap.py, ELV.py (Data.txt, Antoine.txt)
SABR                   wwzjon1991/Academic_Projects                       deabea03
                       Fixed_Income/QF605_Project_Part II.py
gravbox                mdtanker/RIS_gravity_inversion  scripts/gravbox.py 2590c322
zernike_rad, zernike,  SKA-ScienceDataProcessor/algorithm-reference-      8a79a05c
zernikel               library  processing_library/util/zernike.py
delany_bazley,         Toktom/PyAbsorp  pyabsorp/models/delany_bazley.py, c44c32bd
absorption_coefficient pyabsorp/absorption.py
motion_model, ..,      AtsushiSakai/PythonRobotics  Localization/         b38c510e
ekf_estimation         extended_kalman_filter/extended_kalman_filter.py
CubicSpline1D, 2D      AtsushiSakai/PythonRobotics  PathPlanning/         b38c510e
                       CubicSpline/cubic_spline_planner.py
=====================  =================================================  ==========

Full commits: 8956fd605f38410b59ef2c173d00d91d26315681,
deabea039a38583f682d7939f760b103673ffcf3, 2590c32255848ea857a798c2d31aaeacea928952,
8a79a05c46f8dc146d627ca686bea4072c542ebb, c44c32bd77596f5e3ddfb0bdd89f015b1c9dadf4,
b38c510e083d69a5755d98d0680bd50f3d9a91fa.
"""

import bisect
import math

import numpy as np
from numpy import arctan, log, sqrt   # gravbox's: from scipy import *; from numpy import *
from scipy.special import factorial as fac   # zernike's: from scipy.misc import factorial


# --- phase equilibrium: NRTL bubble pressures (CesarGarech/NRTL-model-fitting.py, 8956fd60)
def nrtl(x, tau, alpha):
    nComp = np.size(x) # calcula el número de componentes
    x += 1e-50 # se asegura que x no sea igual a cero
    # Algunos mensajes para entender errores
    if np.shape(tau)[1] != np.shape(tau)[0]:
        print('La matriz de energía tau debe ser cuadrada')
    if np.shape(alpha)[1] != np.shape(alpha)[0]:
        print('La matriz alpha debe ser cuadrada')
    if nComp != np.shape(tau)[1]:
        print('La matriz tau no corresponde al número de componentes según el vector x')
    if nComp != np.shape(alpha)[1]:
        print('La matriz alpha no corresponde al número de componentes según el vector x')

    ## Usando las ecuaciones para el calculo de gamma

    # es necesario transponer las matrices dadas porque python entiende a la
    # la composición como un vector columna
    alpha = np.transpose(alpha)
    tau = np.transpose(tau)
    # Calculando la matriz Gij
    Gij = np.exp(-alpha*tau)
    # Numerador y denominador 1
    num1 = np.dot(tau*Gij, x)
    den1 = np.dot(Gij, x)
    # Creando las matrices xm y matr
    xm = np.zeros((nComp, nComp))
    matr = np.zeros_like(tau, shape=(nComp, nComp))  # dualgrad: its refusal's spelling
    # Llenando la matriz xm
    for i in range(nComp):
        xm[i,:] = x[:]
    # Numerador 2
    num2 = xm*np.transpose(Gij)
    num2 = np.transpose(num2)
    # Llenando la matriz matr
    for i in range(nComp):
        matr[:,i] = num2[:,i]/den1*(tau[:,i]-num1/den1)
    # Creando un vector de term 2
    term2 = np.array([1.,1.])
    term2 = term2 + np.zeros_like(tau, shape=term2.shape)  # dualgrad: its numbers as duals
    term2 [0] = np.sum(matr[:,0])
    term2 [1] = np.sum(matr[:,1])
    # Calculando gamma
    gamma = np.exp(num1/den1+term2)

    return gamma


def Pvap(T,Param):
    return np.exp(Param[0]+(Param[1]/T)+Param[2]*np.log(T)+Param[3]*T**Param[4])


def ELV (T,x, Ptot, aij, bij,alpha, param):

    tauij=aij+bij/T
    gamma=nrtl(x,tauij,alpha)

    Pv=Pvap(T,param)

    Ppal=x*gamma*Pv

    Pcalc=np.sum(Ppal)

    y=Ppal/Pcalc

    return Pcalc, y


# Antoine.txt (ethanol, water) as Caso2.1.py reads it; Data.txt's (T, x1, y1)
NRTL_ANTOINE = np.transpose(np.array([[61.7911, -7122.3, -7.1424, 2.89E-06, 2],
                                      [62.1361, -7258.2, -7.3037, 4.17E-06, 2]]))
NRTL_DATA = np.array([
    [373.15, 0, 0], [369.27, 0.015, 0.139], [365.61, 0.035, 0.261], [359.79, 0.1, 0.436],
    [356.66, 0.183, 0.525], [354.88, 0.292, 0.585], [353.89, 0.394, 0.611],
    [353.06, 0.501, 0.648], [352.73, 0.543, 0.669], [352.04, 0.631, 0.714],
    [351.67, 0.749, 0.781], [351.64, 0.794, 0.814], [351.4, 0.848, 0.855],
    [351.33, 0.899, 0.898], [351.37, 0.949, 0.946], [351.45, 1, 1]])
NRTL_ALFA = np.array([[0, 0.3],[0.3,0]])


def nrtl_row(p):
    """Bubble pressure (bar) and vapour fraction y1 at the 16 measured (T, x1) of
    ethanol-water for the NRTL parameters ``p = (a12, a21, b12, b21)`` (Caso2.1.py's
    ``parametros``; its ``np.array([[0, p[0]], [p[1], 0]])`` written with np.stack)."""
    aij = np.stack([np.stack([0, p[0]]), np.stack([p[1], 0])])  # dualgrad
    bij = np.stack([np.stack([0, p[2]]), np.stack([p[3], 0])])  # dualgrad
    out = []
    for T, xi, _ in NRTL_DATA:
        x2 = 1 - xi
        x = np.array([xi, x2])
        Pcalc, ycalc = ELV(T, x, 1.01325, aij, bij, NRTL_ALFA, NRTL_ANTOINE)
        out += [Pcalc, ycalc[0]]
    return np.stack(out)


# --- stochastic-volatility smile (wwzjon1991/Academic_Projects, Fixed_Income/
# QF605_Project_Part II.py, deabea03)
def SABR(F, K, T, alpha, beta, rho, nu):
    X = K
    if F == K:
        numer1 = (((1 - beta)**2)/24)*alpha*alpha/(F**(2 - 2*beta))
        numer2 = 0.25*rho*beta*nu*alpha/(F**(1 - beta))
        numer3 = ((2 - 3*rho*rho)/24)*nu*nu
        VolAtm = alpha*(1 + (numer1 + numer2 + numer3)*T)/(F**(1-beta))
        sabrsigma = VolAtm
    else:
        z = (nu/alpha)*((F*X)**(0.5*(1-beta)))*np.log(F/X)
        zhi = np.log((((1 - 2*rho*z + z*z)**0.5) + z - rho)/(1 - rho))
        numer1 = (((1 - beta)**2)/24)*((alpha*alpha)/((F*X)**(1 - beta)))
        numer2 = 0.25*rho*beta*nu*alpha/((F*X)**((1 - beta)/2))
        numer3 = ((2 - 3*rho*rho)/24)*nu*nu
        numer = alpha*(1 + (numer1 + numer2 + numer3)*T)*z
        denom1 = ((1 - beta)**2/24)*(np.log(F/X))**2
        denom2 = (((1 - beta)**4)/1920)*((np.log(F/X))**4)
        denom = ((F*X)**((1 - beta)/2))*(1 + denom1 + denom2)*zhi
        sabrsigma = numer/denom
    return sabrsigma


SABR_F = 0.032
# the project's -200bps .. +200bps strikes around the forward swap rate (ATM: F == K)
SABR_K = SABR_F + np.array([-0.02, -0.015, -0.01, -0.005, -0.0025, 0.0, 0.0025, 0.005,
                            0.01, 0.015, 0.02])


def sabr_row(q):
    """Implied vols at the 11 strikes of a 5-year expiry for ``q = (alpha, beta, rho,
    nu)`` (the source calibrates alpha, rho, nu at beta 0.9 by least squares).  F stays
    plain: with F a dual, ``if F == K`` takes sigma(F, F) at the ATM strike, whose
    derivative is dsigma/dF + dsigma/dK, not the delta's dsigma/dF (-0.142 against 2.467
    by differences, silently: MISSES, stop 69, user69)."""
    alpha, beta, rho, nu = q
    return np.stack([SABR(SABR_F, K, 5.0, alpha, beta, rho, nu) for K in SABR_K])


# --- potential-field geophysics (mdtanker/RIS_gravity_inversion scripts/gravbox.py,
# 2590c322)
def gravbox(x0,y0,z0,x1,x2,y1,y2,z1,z2,rho):
    u1 = (x0-x1)
    u2 = (x0-x2);
    v1 = (y0-y1);
    v2 = (y0-y2);
    w1 = (z0-z1);
    w2 = (z0-z2);
    r111 = sqrt(u1**2+v1**2+w1**2);
    r112 = sqrt(u1**2+v1**2+w2**2);
    r121 = sqrt(u1**2+v2**2+w1**2);
    r122 = sqrt(u1**2+v2**2+w2**2);
    r211 = sqrt(u2**2+v1**2+w1**2);
    r212 = sqrt(u2**2+v1**2+w2**2);
    r221 = sqrt(u2**2+v2**2+w1**2);
    r222 = sqrt(u2**2+v2**2+w2**2);
    anomaly = 0.00667 * rho * ( u1*(log((v2+r122)/(v2+r121))-log((v1+r112)/(v1+r111))) -
                                u2*(log((v2+r222)/(v2+r221))-log((v1+r212)/(v1+r211))) +
                                v1*(log((u2+r212)/(u2+r211))-log((u1+r112)/(u1+r111))) -
                                v2*(log((u2+r222)/(u2+r221))-log((u1+r122)/(u1+r121))) +
                                w1*(arctan((u1*v2)/(w1*r121))+arctan((u2*v1)/(w1*r211)) -
                                    arctan((u1*v1)/(w1*r111))-arctan((u2*v2)/(w1*r221))) +
                                w2*(arctan((u1*v1)/(w2*r112))+arctan((u2*v2)/(w2*r222)) -
                                    arctan((u1*v2)/(w2*r122))-arctan((u2*v1)/(w2*r212)))
                                )
    return anomaly


GRAV_X = np.linspace(-3000.0, 3000.0, 25)


def grav_row(q):
    """The anomaly along a 6 km profile over a prism ``q = (x1, x2, y1, y2, z1, z2, rho)``
    (m, z down, density contrast in g/cc: mGal); stations at z0 = 0, one above x = 0."""
    return gravbox(GRAV_X, 0.0, 0.0, *q)


# --- wavefront optics (SKA-ScienceDataProcessor/algorithm-reference-library
# processing_library/util/zernike.py, 8a79a05c; Python 3's range and integer division)
def zernike_rad(m, n, rho):
    """
    Calculate the radial component of Zernike polynomial (m, n)
    given a grid of radial coordinates rho.

    >>> zernike_rad(3, 3, 0.333)
    0.036926037000000009
    >>> zernike_rad(1, 3, 0.333)
    -0.55522188900000002
    >>> zernike_rad(3, 5, 0.12345)
    -0.007382104685237683
    """

    if (n < 0 or m < 0 or abs(m) > n):
        raise ValueError

    if ((n-m) % 2):
        return rho*0.0

    pre_fac = lambda k: (-1.0)**k * fac(n-k) / ( fac(k) * fac( (n+m)/2.0 - k ) * fac( (n-m)/2.0 - k ) )

    return sum(pre_fac(k) * rho**(n-2.0*k) for k in range((n-m)//2+1))


def zernike(m, n, rho, phi):
    """
    Calculate Zernike polynomial (m, n) given a grid of radial
    coordinates rho and azimuthal coordinates phi.

    >>> zernike(3,5, 0.12345, 1.0)
    0.0073082282475042991
    >>> zernike(1, 3, 0.333, 5.0)
    -0.15749545445076085
    """
    if (m > 0): return zernike_rad(m, n, rho) * np.cos(m * phi)
    if (m < 0): return zernike_rad(-m, n, rho) * np.sin(-m * phi)
    return zernike_rad(0, n, rho)


def zernikel(j, rho, phi):
    """
    Calculate Zernike polynomial with Noll coordinate j given a grid of radial
    coordinates rho and azimuthal coordinates phi.

    >>> zernikel(0, 0.12345, 0.231)
    1.0
    >>> zernikel(1, 0.12345, 0.231)
    0.028264010304937772
    >>> zernikel(6, 0.12345, 0.231)
    0.0012019069816780774
    """
    n = 0
    while (j > n):
        n += 1
        j -= n

    m = -n+2*j
    return zernike(m, n, rho, phi)


ZERN_COEF = np.array([0.0, 0.3, -0.2, 0.5, 0.1, -0.15, 0.08, 0.05, -0.04, 0.02, 0.12,
                      -0.03, 0.02, 0.01, -0.01])
_ZG = np.array([(x, y) for x in (-0.5, 0.0, 0.5) for y in (-0.5, 0.0, 0.5)])
ZERN_Q0 = np.r_[np.hypot(_ZG[:, 0], _ZG[:, 1]), np.arctan2(_ZG[:, 1], _ZG[:, 0])]


def zern_row(q):
    """The wavefront of 15 modes at a 3 x 3 lenslet grid by the points' ``(rho..., phi...)``
    (its Jacobian: a Shack-Hartmann sensor's slopes); the centre lenslet sits at rho 0,
    where ``rho**0.0`` and ``rho**1.0`` are differentiated."""
    rho, phi = q[:9], q[9:]
    return sum(c * zernikel(j, rho, phi) for j, c in enumerate(ZERN_COEF))


# --- porous absorbers (Toktom/PyAbsorp pyabsorp/models/delany_bazley.py and
# pyabsorp/absorption.py, c44c32bd; the model's default variation, as the source spells it)
def delany_bazley(flow_resis, air_dens, sound_spd,
                  freq=np.arange(100, 10001, 1), var='default'):
    # BIG NOTE: R stands for REAL part and X for IMAGINARY part
    if var == 'default':
        R = 1 + 9.08 * ((1e3 * freq / flow_resis) ** -0.75)
        X = -11.9 * ((1e3 * freq / flow_resis) ** -0.73)
        # Charactheristic Impedance (zc)
        zc = sound_spd * air_dens * (R + 1j * X)

        alpha = 1 + 10.8 * (1e3 * freq / flow_resis) ** -0.7
        beta = -10.3 * (1e3 * freq / flow_resis) ** -0.59
        # Wave Number (kc)
        kc = (2 * np.pi * freq / sound_spd) * (alpha + 1j * beta)

    return zc, kc


def absorption_coefficient(zc, kc, thickness, z_air):
    zs = -1j * (zc / np.tan(kc * thickness))  # Surface impedance (zs)
    vp = (zs - z_air) / (zs + z_air)  # Reflection coefficient (vp)
    return 1 - np.abs(vp) ** 2  # Sound Absorption Coefficient


THIRD_OCTAVES = np.array([100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250,
                          1600, 2000, 2500, 3150, 4000, 5000], dtype=float)


def absorber_row(q):
    """Normal-incidence absorption at 18 third-octave bands of a rigid-backed layer of
    flow resistivity ``q[0]`` (N s/m^4) and thickness ``q[1]`` (m)."""
    zc, kc = delany_bazley(q[0], 1.21, 343.0, THIRD_OCTAVES)
    return absorption_coefficient(zc, kc, q[1], 1.21 * 343.0)


# --- state estimation (AtsushiSakai/PythonRobotics Localization/extended_kalman_filter/
# extended_kalman_filter.py, b38c510e; its plotting left out)
# Covariance for EKF simulation
Q = np.diag([
    0.1,  # variance of location on x-axis
    0.1,  # variance of location on y-axis
    np.deg2rad(1.0),  # variance of yaw angle
    1.0  # variance of velocity
]) ** 2  # predict state covariance
R = np.diag([1.0, 1.0]) ** 2  # Observation x,y position covariance

#  Simulation parameter
INPUT_NOISE = np.diag([1.0, np.deg2rad(30.0)]) ** 2
GPS_NOISE = np.diag([0.5, 0.5]) ** 2

DT = 0.1  # time tick [s]


def calc_input():
    v = 1.0  # [m/s]
    yawrate = 0.1  # [rad/s]
    u = np.array([[v], [yawrate]])
    return u


def observation(xTrue, xd, u, rng):
    xTrue = motion_model(xTrue, u)

    # add noise to gps x-y
    z = observation_model(xTrue) + GPS_NOISE @ rng.standard_normal((2, 1))  # seeded

    # add noise to input
    ud = u + INPUT_NOISE @ rng.standard_normal((2, 1))  # seeded

    xd = motion_model(xd, ud)

    return xTrue, z, xd, ud


def motion_model(x, u):
    F = np.array([[1.0, 0, 0, 0],
                  [0, 1.0, 0, 0],
                  [0, 0, 1.0, 0],
                  [0, 0, 0, 0]])

    # dualgrad: np.block for np.array, np.cos / np.sin for math.cos / math.sin
    B = np.block([[DT * np.cos(x[2, 0]), 0],
                  [DT * np.sin(x[2, 0]), 0],
                  [0.0, DT],
                  [1.0, 0.0]])

    x = F @ x + B @ u

    return x


def observation_model(x):
    H = np.array([
        [1, 0, 0, 0],
        [0, 1, 0, 0]
    ])

    z = H @ x

    return z


def jacob_f(x, u):
    """
    Jacobian of Motion Model

    motion model
    x_{t+1} = x_t+v*dt*cos(yaw)
    y_{t+1} = y_t+v*dt*sin(yaw)
    yaw_{t+1} = yaw_t+omega*dt
    v_{t+1} = v{t}
    so
    dx/dyaw = -v*dt*sin(yaw)
    dx/dv = dt*cos(yaw)
    dy/dyaw = v*dt*cos(yaw)
    dy/dv = dt*sin(yaw)
    """
    yaw = x[2, 0]
    v = u[0, 0]
    jF = np.block([  # dualgrad: np.block for np.array, np.sin / np.cos for math's
        [1.0, 0.0, -DT * v * np.sin(yaw), DT * np.cos(yaw)],
        [0.0, 1.0, DT * v * np.cos(yaw), DT * np.sin(yaw)],
        [0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 0.0, 1.0]])

    return jF


def jacob_h():
    # Jacobian of Observation Model
    jH = np.array([
        [1, 0, 0, 0],
        [0, 1, 0, 0]
    ])

    return jH


def ekf_estimation(xEst, PEst, z, u):
    #  Predict
    xPred = motion_model(xEst, u)
    jF = jacob_f(xEst, u)
    PPred = jF @ PEst @ jF.T + Q

    #  Update
    jH = jacob_h()
    zPred = observation_model(xPred)
    y = z - zPred
    S = jH @ PPred @ jH.T + R
    K = PPred @ jH.T @ np.linalg.inv(S)
    xEst = xPred + K @ y
    PEst = (np.eye(len(xEst)) - K @ jH) @ PPred
    return xEst, PEst


def _ekf_record(steps=40, seed=3):
    """The main loop's measurements z and noisy inputs ud, drawn once."""
    rng = np.random.default_rng(seed)
    xTrue, xDR, zs, us = np.zeros((4, 1)), np.zeros((4, 1)), [], []
    for _ in range(steps):
        u = calc_input()
        xTrue, z, xDR, ud = observation(xTrue, xDR, u, rng)
        zs.append(z)
        us.append(ud)
    return zs, us


EKF_Z, EKF_U = _ekf_record()


def ekf_row(q):
    """The estimate and covariance after the main loop's 40 steps, by the first estimate
    ``q = (x, y, yaw, v)`` (the source starts from zeros)."""
    xEst = q.reshape(4, 1)
    PEst = np.eye(4)
    for z, ud in zip(EKF_Z, EKF_U):
        xEst, PEst = ekf_estimation(xEst, PEst, z, ud)
    return np.concatenate([xEst.ravel(), PEst.ravel()])


# --- path planning (AtsushiSakai/PythonRobotics PathPlanning/CubicSpline/
# cubic_spline_planner.py, b38c510e; its calc_spline_course and main left out)
class CubicSpline1D:
    """
    1D Cubic Spline class

    Parameters
    ----------
    x : list
        x coordinates for data points. This x coordinates must be
        sorted
        in ascending order.
    y : list
        y coordinates for data points

    Examples
    --------
    You can interpolate 1D data points.

    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> x = np.arange(5)
    >>> y = [1.7, -6, 5, 6.5, 0.0]
    >>> sp = CubicSpline1D(x, y)
    >>> xi = np.linspace(0.0, 5.0)
    >>> yi = [sp.calc_position(x) for x in xi]
    >>> plt.plot(x, y, "xb", label="Data points")
    >>> plt.plot(xi, yi , "r", label="Cubic spline interpolation")
    >>> plt.grid(True)
    >>> plt.legend()
    >>> plt.show()

    .. image:: cubic_spline_1d.png

    """

    def __init__(self, x, y):

        h = np.diff(x)
        if np.any(h < 0):
            raise ValueError("x coordinates must be sorted in ascending order")

        self.a, self.b, self.c, self.d = [], [], [], []
        self.x = x
        self.y = y
        self.nx = len(x)  # dimension of x

        # calc coefficient a
        self.a = [iy for iy in y]

        # calc coefficient c
        A = self.__calc_A(h)
        B = self.__calc_B(h, self.a)
        self.c = np.linalg.solve(A, B)

        # calc spline coefficient b and d
        for i in range(self.nx - 1):
            d = (self.c[i + 1] - self.c[i]) / (3.0 * h[i])
            b = 1.0 / h[i] * (self.a[i + 1] - self.a[i]) \
                - h[i] / 3.0 * (2.0 * self.c[i] + self.c[i + 1])
            self.d.append(d)
            self.b.append(b)

    def calc_position(self, x):
        """
        Calc `y` position for given `x`.

        if `x` is outside the data point's `x` range, return None.

        Parameters
        ----------
        x : float
            x position to calculate y.

        Returns
        -------
        y : float
            y position for given x.
        """
        if x < self.x[0]:
            return None
        elif x > self.x[-1]:
            return None

        i = self.__search_index(x)
        dx = x - self.x[i]
        position = self.a[i] + self.b[i] * dx + \
            self.c[i] * dx ** 2.0 + self.d[i] * dx ** 3.0

        return position

    def calc_first_derivative(self, x):
        """
        Calc first derivative at given x.

        if x is outside the input x, return None

        Parameters
        ----------
        x : float
            x position to calculate first derivative.

        Returns
        -------
        dy : float
            first derivative for given x.
        """

        if x < self.x[0]:
            return None
        elif x > self.x[-1]:
            return None

        i = self.__search_index(x)
        dx = x - self.x[i]
        dy = self.b[i] + 2.0 * self.c[i] * dx + 3.0 * self.d[i] * dx ** 2.0
        return dy

    def calc_second_derivative(self, x):
        """
        Calc second derivative at given x.

        if x is outside the input x, return None

        Parameters
        ----------
        x : float
            x position to calculate second derivative.

        Returns
        -------
        ddy : float
            second derivative for given x.
        """

        if x < self.x[0]:
            return None
        elif x > self.x[-1]:
            return None

        i = self.__search_index(x)
        dx = x - self.x[i]
        ddy = 2.0 * self.c[i] + 6.0 * self.d[i] * dx
        return ddy

    def calc_third_derivative(self, x):
        """
        Calc third derivative at given x.

        if x is outside the input x, return None

        Parameters
        ----------
        x : float
            x position to calculate third derivative.

        Returns
        -------
        dddy : float
            third derivative for given x.
        """
        if x < self.x[0]:
            return None
        elif x > self.x[-1]:
            return None

        i = self.__search_index(x)
        dddy = 6.0 * self.d[i]
        return dddy

    def __search_index(self, x):
        """
        search data segment index
        """
        return bisect.bisect(self.x, x) - 1

    def __calc_A(self, h):
        """
        calc matrix A for spline coefficient c
        """
        A = np.zeros_like(h, shape=(self.nx, self.nx))  # dualgrad: the refusal's, h for x
        A[0, 0] = 1.0
        for i in range(self.nx - 1):
            if i != (self.nx - 2):
                A[i + 1, i + 1] = 2.0 * (h[i] + h[i + 1])
            A[i + 1, i] = h[i]
            A[i, i + 1] = h[i]

        A[0, 1] = 0.0
        A[self.nx - 1, self.nx - 2] = 0.0
        A[self.nx - 1, self.nx - 1] = 1.0
        return A

    def __calc_B(self, h, a):
        """
        calc matrix B for spline coefficient c
        """
        B = np.zeros_like(h, shape=(self.nx,))  # dualgrad: as A
        for i in range(self.nx - 2):
            B[i + 1] = 3.0 * (a[i + 2] - a[i + 1]) / h[i + 1]\
                - 3.0 * (a[i + 1] - a[i]) / h[i]
        return B


class CubicSpline2D:
    """
    Cubic CubicSpline2D class

    Parameters
    ----------
    x : list
        x coordinates for data points.
    y : list
        y coordinates for data points.

    Examples
    --------
    You can interpolate a 2D data points.

    >>> import matplotlib.pyplot as plt
    >>> x = [-2.5, 0.0, 2.5, 5.0, 7.5, 3.0, -1.0]
    >>> y = [0.7, -6, 5, 6.5, 0.0, 5.0, -2.0]
    >>> ds = 0.1  # [m] distance of each interpolated points
    >>> sp = CubicSpline2D(x, y)
    >>> s = np.arange(0, sp.s[-1], ds)
    >>> rx, ry, ryaw, rk = [], [], [], []
    >>> for i_s in s:
    ...     ix, iy = sp.calc_position(i_s)
    ...     rx.append(ix)
    ...     ry.append(iy)
    ...     ryaw.append(sp.calc_yaw(i_s))
    ...     rk.append(sp.calc_curvature(i_s))
    >>> plt.subplots(1)
    >>> plt.plot(x, y, "xb", label="Data points")
    >>> plt.plot(rx, ry, "-r", label="Cubic spline path")
    >>> plt.grid(True)
    >>> plt.axis("equal")
    >>> plt.xlabel("x[m]")
    >>> plt.ylabel("y[m]")
    >>> plt.legend()
    >>> plt.show()

    .. image:: cubic_spline_2d_path.png

    >>> plt.subplots(1)
    >>> plt.plot(s, [np.rad2deg(iyaw) for iyaw in ryaw], "-r", label="yaw")
    >>> plt.grid(True)
    >>> plt.legend()
    >>> plt.xlabel("line length[m]")
    >>> plt.ylabel("yaw angle[deg]")

    .. image:: cubic_spline_2d_yaw.png

    >>> plt.subplots(1)
    >>> plt.plot(s, rk, "-r", label="curvature")
    >>> plt.grid(True)
    >>> plt.legend()
    >>> plt.xlabel("line length[m]")
    >>> plt.ylabel("curvature [1/m]")

    .. image:: cubic_spline_2d_curvature.png
    """

    def __init__(self, x, y):
        self.s = self.__calc_s(x, y)
        self.sx = CubicSpline1D(self.s, x)
        self.sy = CubicSpline1D(self.s, y)

    def __calc_s(self, x, y):
        dx = np.diff(x)
        dy = np.diff(y)
        self.ds = np.hypot(dx, dy)
        # dualgrad: s = [0]; s.extend(np.cumsum(self.ds)) made np.diff(s) an object array
        s = np.concatenate([[0.0], np.cumsum(self.ds)])
        return s

    def calc_position(self, s):
        """
        calc position

        Parameters
        ----------
        s : float
            distance from the start point. if `s` is outside the data point's
            range, return None.

        Returns
        -------
        x : float
            x position for given s.
        y : float
            y position for given s.
        """
        x = self.sx.calc_position(s)
        y = self.sy.calc_position(s)

        return x, y

    def calc_curvature(self, s):
        """
        calc curvature

        Parameters
        ----------
        s : float
            distance from the start point. if `s` is outside the data point's
            range, return None.

        Returns
        -------
        k : float
            curvature for given s.
        """
        dx = self.sx.calc_first_derivative(s)
        ddx = self.sx.calc_second_derivative(s)
        dy = self.sy.calc_first_derivative(s)
        ddy = self.sy.calc_second_derivative(s)
        k = (ddy * dx - ddx * dy) / ((dx ** 2 + dy ** 2)**(3 / 2))
        return k

    def calc_curvature_rate(self, s):
        """
        calc curvature rate

        Parameters
        ----------
        s : float
            distance from the start point. if `s` is outside the data point's
            range, return None.

        Returns
        -------
        k : float
            curvature rate for given s.
        """
        dx = self.sx.calc_first_derivative(s)
        dy = self.sy.calc_first_derivative(s)
        ddx = self.sx.calc_second_derivative(s)
        ddy = self.sy.calc_second_derivative(s)
        dddx = self.sx.calc_third_derivative(s)
        dddy = self.sy.calc_third_derivative(s)
        a = dx * ddy - dy * ddx
        b = dx * dddy - dy * dddx
        c = dx * ddx + dy * ddy
        d = dx * dx + dy * dy
        return (b * d - 3.0 * a * c) / (d * d * d)

    def calc_yaw(self, s):
        """
        calc yaw

        Parameters
        ----------
        s : float
            distance from the start point. if `s` is outside the data point's
            range, return None.

        Returns
        -------
        yaw : float
            yaw angle (tangent vector) for given s.
        """
        dx = self.sx.calc_first_derivative(s)
        dy = self.sy.calc_first_derivative(s)
        yaw = np.arctan2(dy, dx)  # dualgrad: math.atan2's refusal
        return yaw


CSP_X = [-2.5, 0.0, 2.5, 5.0, 7.5, 3.0, -1.0]
CSP_Y0 = np.array([0.7, -6, 5, 6.5, 0.0, 5.0, -2.0])
CSP_S = np.arange(0.0, 40.0, 2.0)


def spline_row(y):
    """Curvature and yaw every 2 m along the source's example path (7 waypoints, 43 m) by
    the waypoints' y (their x fixed): a path smoother's Jacobian."""
    sp = CubicSpline2D(CSP_X, y)
    return np.stack([sp.calc_curvature(s) for s in CSP_S] + [sp.calc_yaw(s) for s in CSP_S])


PROBLEMS69 = {
    "NRTL bubble pressures, zeros buffers (4)": (nrtl_row,
                                                 np.array([-0.5, 0.5, -100.0, 100.0])),
    "SABR smile, F == K branch (4)": (sabr_row, np.array([0.03, 0.9, -0.3, 0.5])),
    "prism gravity, log + arctan (7)": (grav_row, np.array([-500.0, 700.0, -800.0, 600.0,
                                                            200.0, 1200.0, 0.3])),
    "Zernike wavefront, rho = 0 (18)": (zern_row, ZERN_Q0.copy()),
    "Delany-Bazley absorber, complex tan (2)": (absorber_row, np.array([20000.0, 0.05])),
    "EKF localization, 40 steps (4)": (ekf_row, np.array([0.1, -0.1, 0.05, 0.5])),
    "cubic spline path, solve + bisect (7)": (spline_row, CSP_Y0.copy()),
}
