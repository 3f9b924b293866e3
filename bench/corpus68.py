"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 68).

Kept in their sources' spelling (the sources' tabs become spaces), chosen for the ways of
using arrays the engine finds hard: an N-body acceleration whose ``inv_r3[inv_r3>0] =
inv_r3[inv_r3>0]**(-1.5)`` writes a boolean-mask read back into the array, then ``@``
and ``np.hstack``; its energy, where the unsoftened ``np.sqrt`` of the pairwise
separations is zero on the diagonal and ``np.triu(..., 1)`` drops it; a smoothed-particle
star whose force constant comes from ``scipy.special.gamma`` of the polytropic index and
whose pressure is ``rho ** (1 + 1 / n)``; a MUSCL-Hancock finite-volume step of the
Euler equations (``np.roll``, a slope limiter of ``np.maximum`` / ``np.minimum`` with
``(f_dx == 0)`` in its arithmetic, ``F += ...`` in place, a CFL time step from
``np.min`` and an output-time branch on it); a thin-film transfer matrix in complex
arithmetic (``numpy.lib.scimath.arcsin``, ``zeros(..., dtype=complex)`` buffers written
entry by entry, ``make_2x2_array``'s ``np.empty`` filled with complex duals, ``assert``
on ``.real`` / ``.imag``); a Kuramoto network whose ``__call__`` writes each
oscillator's rate into a float buffer made in ``__init__`` from a generator ``sum`` over
an integer adjacency list; a plane-wave band structure filling a float ``np.zeros``
matrix element by element over ``np.ndenumerate`` at 50 k, then ``LA.eig`` and
``np.sort`` of its eigenvalues.  Domains corpus57 to corpus64 do not hold: gravitational
N-body dynamics, smoothed-particle hydrodynamics, compressible finite-volume gas
dynamics, thin-film optics (stop 52's useroptics52 ran ``coh_tmm``; no row timed it),
coupled-oscillator networks, solid-state band structure.  A row of :data:`PROBLEMS68`
wraps a function into ``f(x0) -> 1-D array``, as a user hands it to ``approx_fprime``.
The N-body, SPH and Kuramoto-field code and the finite-volume step's arithmetic run as
written; the changes a user makes are what dualgrad's refusals name (each marked
``dualgrad`` where it is made): the finite-volume ``F += ...`` of the plain cell masses
becomes ``F = F + ...``; tmm's ``array(n_list)`` / ``array(d_list, dtype=float)``
become ``np.stack``, its ``zeros(..., dtype=complex)`` buffers ``np.zeros_like(kz_list
or delta, shape=..., dtype=complex)`` (the refusal names ``n_list`` or ``d_list``,
whichever held the dual in that call; ``kz_list`` and ``delta`` hold every input's),
``array([[t],[0]])`` ``np.block``; ``make_2x2_array``'s ``np.empty`` becomes
``np.block`` of the four entries, as the refusal's own fix (``np.zeros_like(a,
shape=(2, 2))``) names ``a`` in one call and ``b`` in the next; the Kuramoto buffer
``self.d_theta`` is made ``np.zeros_like(theta)`` in ``__call__``; the band
structure's ``H`` is made ``np.zeros_like(V_0, shape=(npw, npw))`` and its loop runs
over ``np.ndindex(H.shape)``, since dualgrad refuses ``H[index] = ...`` while
``np.ndenumerate(H)``'s ``np.asarray(H)`` lives (``h`` is unused).  The Kelvin-Helmholtz
row's limiter has kinks near x0: bench_corpus's Richardson differences (step 1e-3 x)
are off by ~1e-5 there; eighth-order central differences at steps 1e-4 to 1e-5 x
agree with dualgrad to 5e-10 to 2e-9.

=====================  =================================================  ==========
function               repository / path                                  commit
=====================  =================================================  ==========
getAcc, getEnergy      pmocz/nbody-python  nbody.py                       980b2ab4
W, gradW, getAcc, ..   pmocz/sph-python  sph.py                           e4d8ab6f
getPrimitive, .., main pmocz/finitevolume-python  finitevolume.py         e55d7102
coh_tmm and helpers    sbyrnes321/tmm  tmm_core.py                        462b63b5
KuramotoModel          cbnfreitas/kuramoto_model_integrate_and_plot       9cce7240
                       network_of_oscillators_Kuramoto_model.py
(the script)           ba50/KMFCS  lab3.py                                d2f8fbe0
=====================  =================================================  ==========

Full commits: 980b2ab41e673b8a793751b32c85290f3c02f10e,
e4d8ab6fa75d57d74f914439d16e541a7d035ef6, e55d71025371a80a13ccf10f36db133af9e3d77d,
462b63b517472b3b18245c98d70e700f4d312866, 9cce7240265cc9846b80ae3e1e1a94fab9ceaf42,
d2f8fbe0e800d6e6e2686f749cff5e65963319d5.
"""

import sys

import numpy as np
from numpy import conj, cos, exp, inf, pi, seterr, sin, sqrt, zeros, array
from numpy import linalg as LA
from numpy.lib.scimath import arcsin
from scipy.special import gamma

import dualgrad as dg


# --- gravitational N-body (pmocz/nbody-python nbody.py, 980b2ab4)
def getAcc( pos, mass, G, softening ):
    """
    Calculate the acceleration on each particle due to Newton's Law
    pos  is an N x 3 matrix of positions
    mass is an N x 1 vector of masses
    G is Newton's Gravitational constant
    softening is the softening length
    a is N x 3 matrix of accelerations
    """
    # positions r = [x,y,z] for all particles
    x = pos[:,0:1]
    y = pos[:,1:2]
    z = pos[:,2:3]

    # matrix that stores all pairwise particle separations: r_j - r_i
    dx = x.T - x
    dy = y.T - y
    dz = z.T - z

    # matrix that stores 1/r^3 for all particle pairwise particle separations
    inv_r3 = (dx**2 + dy**2 + dz**2 + softening**2)
    inv_r3[inv_r3>0] = inv_r3[inv_r3>0]**(-1.5)

    ax = G * (dx * inv_r3) @ mass
    ay = G * (dy * inv_r3) @ mass
    az = G * (dz * inv_r3) @ mass

    # pack together the acceleration components
    a = np.hstack((ax,ay,az))

    return a


def getEnergy( pos, vel, mass, G ):
    """
    Get kinetic energy (KE) and potential energy (PE) of simulation
    pos is N x 3 matrix of positions
    vel is N x 3 matrix of velocities
    mass is an N x 1 vector of masses
    G is Newton's Gravitational constant
    KE is the kinetic energy of the system
    PE is the potential energy of the system
    """
    # Kinetic Energy:
    KE = 0.5 * np.sum(np.sum( mass * vel**2 ))


    # Potential Energy:

    # positions r = [x,y,z] for all particles
    x = pos[:,0:1]
    y = pos[:,1:2]
    z = pos[:,2:3]

    # matrix that stores all pairwise particle separations: r_j - r_i
    dx = x.T - x
    dy = y.T - y
    dz = z.T - z

    # matrix that stores 1/r for all particle pairwise particle separations
    inv_r = np.sqrt(dx**2 + dy**2 + dz**2)
    inv_r[inv_r>0] = 1.0/inv_r[inv_r>0]

    # sum over upper triangle, to count each interaction only once
    PE = G * np.sum(np.sum(np.triu(-(mass*mass.T)*inv_r,1)))

    return KE, PE;


_NB = np.random.default_rng(17)
NBODY_POS = _NB.standard_normal((8, 3))
NBODY_VEL = _NB.standard_normal((8, 3))
NBODY_MASS = 20.0 * np.ones((8, 1)) / 8


def nbody_acc_row(x):
    """Accelerations of 8 stars (the source's main: softening 0.1, G 1) by their positions."""
    return getAcc(x.reshape(8, 3), NBODY_MASS, 1.0, 0.1).ravel()


def nbody_energy_row(x):
    """Kinetic and potential energy of 8 stars by positions and velocities (no softening:
    the diagonal separations are zero, the mask and ``np.triu`` keep them out)."""
    KE, PE = getEnergy(x[:24].reshape(8, 3), x[24:].reshape(8, 3), NBODY_MASS, 1.0)
    return np.stack([KE, PE])


# --- smoothed-particle hydrodynamics of a toy star (pmocz/sph-python sph.py, e4d8ab6f)
def W(x, y, z, h):
    """
    Gausssian Smoothing kernel (3D)
        x     is a vector/matrix of x positions
        y     is a vector/matrix of y positions
        z     is a vector/matrix of z positions
        h     is the smoothing length
        w     is the evaluated smoothing function
    """

    r = np.sqrt(x**2 + y**2 + z**2)

    w = (1.0 / (h * np.sqrt(np.pi))) ** 3 * np.exp(-(r**2) / h**2)

    return w


def gradW(x, y, z, h):
    """
    Gradient of the Gausssian Smoothing kernel (3D)
    x     is a vector/matrix of x positions
    y     is a vector/matrix of y positions
    z     is a vector/matrix of z positions
    h     is the smoothing length
    wx, wy, wz     is the evaluated gradient
    """

    r = np.sqrt(x**2 + y**2 + z**2)

    n = -2 * np.exp(-(r**2) / h**2) / h**5 / (np.pi) ** (3 / 2)
    wx = n * x
    wy = n * y
    wz = n * z

    return wx, wy, wz


def getPairwiseSeparations(ri, rj):
    """
    Get pairwise desprations between 2 sets of coordinates
    ri    is an M x 3 matrix of positions
    rj    is an N x 3 matrix of positions
    dx, dy, dz   are M x N matrices of separations
    """

    M = ri.shape[0]
    N = rj.shape[0]

    # positions ri = (x,y,z)
    rix = ri[:, 0].reshape((M, 1))
    riy = ri[:, 1].reshape((M, 1))
    riz = ri[:, 2].reshape((M, 1))

    # other set of points positions rj = (x,y,z)
    rjx = rj[:, 0].reshape((N, 1))
    rjy = rj[:, 1].reshape((N, 1))
    rjz = rj[:, 2].reshape((N, 1))

    # matrices that store all pairwise particle separations: r_i - r_j
    dx = rix - rjx.T
    dy = riy - rjy.T
    dz = riz - rjz.T

    return dx, dy, dz


def getDensity(r, pos, m, h):
    """
    Get Density at sampling locations from SPH particle distribution
    r     is an M x 3 matrix of sampling locations
    pos   is an N x 3 matrix of SPH particle positions
    m     is the particle mass
    h     is the smoothing length
    rho   is M x 1 vector of densities
    """

    M = r.shape[0]

    dx, dy, dz = getPairwiseSeparations(r, pos)
    rho = np.sum(m * W(dx, dy, dz, h), 1).reshape((M, 1))

    return rho


def getPressure(rho, k, n):
    """
    Equation of State
    rho   vector of densities
    k     equation of state constant
    n     polytropic index
    P     pressure
    """

    P = k * rho ** (1 + 1 / n)

    return P


def sph_getAcc(pos, vel, m, h, k, n, lmbda, nu):
    """The source's ``getAcc`` (renamed beside the N-body one)."""

    N = pos.shape[0]

    # Calculate densities at the position of the particles
    rho = getDensity(pos, pos, m, h)

    # Get the pressures
    P = getPressure(rho, k, n)

    # Get pairwise distances and gradients
    dx, dy, dz = getPairwiseSeparations(pos, pos)
    dWx, dWy, dWz = gradW(dx, dy, dz, h)

    # Add Pressure contribution to accelerations
    ax = -np.sum(m * (P / rho**2 + P.T / rho.T**2) * dWx, 1).reshape((N, 1))
    ay = -np.sum(m * (P / rho**2 + P.T / rho.T**2) * dWy, 1).reshape((N, 1))
    az = -np.sum(m * (P / rho**2 + P.T / rho.T**2) * dWz, 1).reshape((N, 1))

    # pack together the acceleration components
    a = np.hstack((ax, ay, az))

    # Add external potential force
    a -= lmbda * pos

    # Add viscosity
    a -= nu * vel

    return a


_SP = np.random.default_rng(42)
SPH_POS = _SP.standard_normal((20, 3)) * 0.5
SPH_VEL = np.zeros(SPH_POS.shape)


def sph_row(x):
    """Accelerations of 20 particles by (star mass M, radius R, smoothing length h,
    equation-of-state constant k, polytropic index n): the source's main's ``lmbda``
    with ``scipy.special.gamma`` of ``5/2 + n`` and ``1 + n``."""
    M, R, h, k, n = x
    nu = 1
    lmbda = (
        2
        * k
        * (1 + n)
        * np.pi ** (-3 / (2 * n))
        * (M * gamma(5 / 2 + n) / R**3 / gamma(1 + n)) ** (1 / n)
        / R**2
    )  # ~ 2.01
    N = 20
    m = M / N  # single particle mass
    return sph_getAcc(SPH_POS, SPH_VEL, m, h, k, n, lmbda, nu).ravel()


# --- Kelvin-Helmholtz instability by MUSCL-Hancock finite volumes
# (pmocz/finitevolume-python finitevolume.py, e55d7102)
def getConserved(rho, vx, vy, P, gamma, vol):
    """
    Calculate the conserved variable from the primitive
        rho      is matrix of cell densities
        vx       is matrix of cell x-velocity
        vy       is matrix of cell y-velocity
        P        is matrix of cell pressures
        gamma    is ideal gas gamma
        vol      is cell volume
        Mass     is matrix of mass in cells
        Momx     is matrix of x-momentum in cells
        Momy     is matrix of y-momentum in cells
        Energy   is matrix of energy in cells
    """
    Mass = rho * vol
    Momx = rho * vx * vol
    Momy = rho * vy * vol
    Energy = (P / (gamma - 1) + 0.5 * rho * (vx**2 + vy**2)) * vol

    return Mass, Momx, Momy, Energy


def getPrimitive(Mass, Momx, Momy, Energy, gamma, vol):
    """
    Calculate the primitive variable from the conservative
        Mass     is matrix of mass in cells
        Momx     is matrix of x-momentum in cells
        Momy     is matrix of y-momentum in cells
        Energy   is matrix of energy in cells
        gamma    is ideal gas gamma
        vol      is cell volume
        rho      is matrix of cell densities
        vx       is matrix of cell x-velocity
        vy       is matrix of cell y-velocity
        P        is matrix of cell pressures
    """
    rho = Mass / vol
    vx = Momx / rho / vol
    vy = Momy / rho / vol
    P = (Energy / vol - 0.5 * rho * (vx**2 + vy**2)) * (gamma - 1)

    return rho, vx, vy, P


def getGradient(f, dx):
    """
    Calculate the gradients of a field
        f        is a matrix of the field
        dx       is the cell size
        f_dx     is a matrix of derivative of f in the x-direction
        f_dy     is a matrix of derivative of f in the y-direction
    """
    # directions for np.roll()
    R = -1  # right
    L = 1  # left

    f_dx = (np.roll(f, R, axis=0) - np.roll(f, L, axis=0)) / (2 * dx)
    f_dy = (np.roll(f, R, axis=1) - np.roll(f, L, axis=1)) / (2 * dx)

    return f_dx, f_dy


def slopeLimit(f, dx, f_dx, f_dy):
    """
    Apply slope limiter to slopes
        f        is a matrix of the field
        dx       is the cell size
        f_dx     is a matrix of derivative of f in the x-direction
        f_dy     is a matrix of derivative of f in the y-direction
    """
    # directions for np.roll()
    R = -1  # right
    L = 1  # left

    f_dx = (
        np.maximum(
            0.0,
            np.minimum(
                1.0, ((f - np.roll(f, L, axis=0)) / dx) / (f_dx + 1.0e-8 * (f_dx == 0))
            ),
        )
        * f_dx
    )
    f_dx = (
        np.maximum(
            0.0,
            np.minimum(
                1.0, (-(f - np.roll(f, R, axis=0)) / dx) / (f_dx + 1.0e-8 * (f_dx == 0))
            ),
        )
        * f_dx
    )
    f_dy = (
        np.maximum(
            0.0,
            np.minimum(
                1.0, ((f - np.roll(f, L, axis=1)) / dx) / (f_dy + 1.0e-8 * (f_dy == 0))
            ),
        )
        * f_dy
    )
    f_dy = (
        np.maximum(
            0.0,
            np.minimum(
                1.0, (-(f - np.roll(f, R, axis=1)) / dx) / (f_dy + 1.0e-8 * (f_dy == 0))
            ),
        )
        * f_dy
    )

    return f_dx, f_dy


def extrapolateInSpaceToFace(f, f_dx, f_dy, dx):
    """
    Calculate the gradients of a field
        f        is a matrix of the field
        f_dx     is a matrix of the field x-derivatives
        f_dy     is a matrix of the field y-derivatives
        dx       is the cell size
        f_XL     is a matrix of spatial-extrapolated values on `left' face along x-axis
        f_XR     is a matrix of spatial-extrapolated values on `right' face along x-axis
        f_YL     is a matrix of spatial-extrapolated values on `left' face along y-axis
        f_YR     is a matrix of spatial-extrapolated values on `right' face along y-axis
    """
    # directions for np.roll()
    R = -1  # right
    L = 1  # left

    f_XL = f - f_dx * dx / 2
    f_XL = np.roll(f_XL, R, axis=0)
    f_XR = f + f_dx * dx / 2

    f_YL = f - f_dy * dx / 2
    f_YL = np.roll(f_YL, R, axis=1)
    f_YR = f + f_dy * dx / 2

    return f_XL, f_XR, f_YL, f_YR


def applyFluxes(F, flux_F_X, flux_F_Y, dx, dt):
    """
    Apply fluxes to conserved variables
        F        is a matrix of the conserved variable field
        flux_F_X is a matrix of the x-dir fluxes
        flux_F_Y is a matrix of the y-dir fluxes
        dx       is the cell size
        dt       is the timestep
    """
    # directions for np.roll()
    R = -1  # right
    L = 1  # left

    # update solution (dualgrad's refusal of ``F += ...``, F the plain cell masses: its
    # fix, rebinding the name)
    F = F + -dt * dx * flux_F_X
    F = F + dt * dx * np.roll(flux_F_X, L, axis=0)
    F = F + -dt * dx * flux_F_Y
    F = F + dt * dx * np.roll(flux_F_Y, L, axis=1)

    return F


def getFlux(rho_L, rho_R, vx_L, vx_R, vy_L, vy_R, P_L, P_R, gamma):
    """
    Calculate fluxed between 2 states with local Lax-Friedrichs/Rusanov rule
        rho_L        is a matrix of left-state  density
        rho_R        is a matrix of right-state density
        vx_L         is a matrix of left-state  x-velocity
        vx_R         is a matrix of right-state x-velocity
        vy_L         is a matrix of left-state  y-velocity
        vy_R         is a matrix of right-state y-velocity
        P_L          is a matrix of left-state  pressure
        P_R          is a matrix of right-state pressure
        gamma        is the ideal gas gamma
        flux_Mass    is the matrix of mass fluxes
        flux_Momx    is the matrix of x-momentum fluxes
        flux_Momy    is the matrix of y-momentum fluxes
        flux_Energy  is the matrix of energy fluxes
    """

    # left and right energies
    en_L = P_L / (gamma - 1) + 0.5 * rho_L * (vx_L**2 + vy_L**2)
    en_R = P_R / (gamma - 1) + 0.5 * rho_R * (vx_R**2 + vy_R**2)

    # compute star (averaged) states
    rho_star = 0.5 * (rho_L + rho_R)
    momx_star = 0.5 * (rho_L * vx_L + rho_R * vx_R)
    momy_star = 0.5 * (rho_L * vy_L + rho_R * vy_R)
    en_star = 0.5 * (en_L + en_R)

    P_star = (gamma - 1) * (en_star - 0.5 * (momx_star**2 + momy_star**2) / rho_star)

    # compute fluxes (local Lax-Friedrichs/Rusanov)
    flux_Mass = momx_star
    flux_Momx = momx_star**2 / rho_star + P_star
    flux_Momy = momx_star * momy_star / rho_star
    flux_Energy = (en_star + P_star) * momx_star / rho_star

    # find wavespeeds
    C_L = np.sqrt(gamma * P_L / rho_L) + np.abs(vx_L)
    C_R = np.sqrt(gamma * P_R / rho_R) + np.abs(vx_R)
    C = np.maximum(C_L, C_R)

    # add stabilizing diffusive term
    flux_Mass -= C * 0.5 * (rho_L - rho_R)
    flux_Momx -= C * 0.5 * (rho_L * vx_L - rho_R * vx_R)
    flux_Momy -= C * 0.5 * (rho_L * vy_L - rho_R * vy_R)
    flux_Energy -= C * 0.5 * (en_L - en_R)

    return flux_Mass, flux_Momx, flux_Momy, flux_Energy


def kh_main(w0, gamma, P0, N=16, steps=3):
    """The source's ``main`` with its resolution, its slope limiting switched on, no
    plotting, ``steps`` steps instead of ``while t < tEnd``, and the perturbation ``w0``,
    ``gamma`` and the pressure ``2.5`` as inputs; returns the mass in the cells."""
    # Simulation parameters
    boxsize = 1.0
    courant_fac = 0.4
    t = 0
    tOut = 0.02  # draw frequency
    useSlopeLimiting = True

    # Mesh
    dx = boxsize / N
    vol = dx**2
    xlin = np.linspace(0.5 * dx, boxsize - 0.5 * dx, N)
    Y, X = np.meshgrid(xlin, xlin)

    # Generate Initial Conditions - opposite moving streams with perturbation
    sigma = 0.05 / np.sqrt(2.0)
    rho = 1.0 + (np.abs(Y - 0.5) < 0.25)
    vx = -0.5 + (np.abs(Y - 0.5) < 0.25)
    vy = (
        w0
        * np.sin(4 * np.pi * X)
        * (
            np.exp(-((Y - 0.25) ** 2) / (2 * sigma**2))
            + np.exp(-((Y - 0.75) ** 2) / (2 * sigma**2))
        )
    )
    P = P0 * np.ones(X.shape)

    # Get conserved variables
    Mass, Momx, Momy, Energy = getConserved(rho, vx, vy, P, gamma, vol)
    outputCount = 1

    # Simulation Main Loop
    for _ in range(steps):
        # get Primitive variables
        rho, vx, vy, P = getPrimitive(Mass, Momx, Momy, Energy, gamma, vol)

        # get time step (CFL) = dx / max signal speed
        dt = courant_fac * np.min(
            dx / (np.sqrt(gamma * P / rho) + np.sqrt(vx**2 + vy**2))
        )
        plotThisTurn = False
        if t + dt > outputCount * tOut:
            dt = outputCount * tOut - t
            plotThisTurn = True

        # calculate gradients
        rho_dx, rho_dy = getGradient(rho, dx)
        vx_dx, vx_dy = getGradient(vx, dx)
        vy_dx, vy_dy = getGradient(vy, dx)
        P_dx, P_dy = getGradient(P, dx)

        # slope limit gradients
        if useSlopeLimiting:
            rho_dx, rho_dy = slopeLimit(rho, dx, rho_dx, rho_dy)
            vx_dx, vx_dy = slopeLimit(vx, dx, vx_dx, vx_dy)
            vy_dx, vy_dy = slopeLimit(vy, dx, vy_dx, vy_dy)
            P_dx, P_dy = slopeLimit(P, dx, P_dx, P_dy)

        # extrapolate half-step in time
        rho_prime = rho - 0.5 * dt * (
            vx * rho_dx + rho * vx_dx + vy * rho_dy + rho * vy_dy
        )
        vx_prime = vx - 0.5 * dt * (vx * vx_dx + vy * vx_dy + (1 / rho) * P_dx)
        vy_prime = vy - 0.5 * dt * (vx * vy_dx + vy * vy_dy + (1 / rho) * P_dy)
        P_prime = P - 0.5 * dt * (gamma * P * (vx_dx + vy_dy) + vx * P_dx + vy * P_dy)

        # extrapolate in space to face centers
        rho_XL, rho_XR, rho_YL, rho_YR = extrapolateInSpaceToFace(
            rho_prime, rho_dx, rho_dy, dx
        )
        vx_XL, vx_XR, vx_YL, vx_YR = extrapolateInSpaceToFace(
            vx_prime, vx_dx, vx_dy, dx
        )
        vy_XL, vy_XR, vy_YL, vy_YR = extrapolateInSpaceToFace(
            vy_prime, vy_dx, vy_dy, dx
        )
        P_XL, P_XR, P_YL, P_YR = extrapolateInSpaceToFace(P_prime, P_dx, P_dy, dx)

        # compute fluxes (local Lax-Friedrichs/Rusanov)
        flux_Mass_X, flux_Momx_X, flux_Momy_X, flux_Energy_X = getFlux(
            rho_XL, rho_XR, vx_XL, vx_XR, vy_XL, vy_XR, P_XL, P_XR, gamma
        )
        flux_Mass_Y, flux_Momy_Y, flux_Momx_Y, flux_Energy_Y = getFlux(
            rho_YL, rho_YR, vy_YL, vy_YR, vx_YL, vx_YR, P_YL, P_YR, gamma
        )

        # update solution
        Mass = applyFluxes(Mass, flux_Mass_X, flux_Mass_Y, dx, dt)
        Momx = applyFluxes(Momx, flux_Momx_X, flux_Momx_Y, dx, dt)
        Momy = applyFluxes(Momy, flux_Momy_X, flux_Momy_Y, dx, dt)
        Energy = applyFluxes(Energy, flux_Energy_X, flux_Energy_Y, dx, dt)

        # update time
        t += dt
        if plotThisTurn:
            outputCount += 1

    return Mass


def kh_row(x):
    """Cell masses after three steps (the second one cut to the output time) by the
    perturbation amplitude, gamma and the pressure: 256 residuals."""
    return kh_main(x[0], x[1], x[2]).ravel()


# --- thin-film optics by transfer matrices (sbyrnes321/tmm tmm_core.py, 462b63b5)
EPSILON = sys.float_info.epsilon # typical floating-point calculation error

def make_2x2_array(a, b, c, d, dtype=float):
    """
    Makes a 2x2 numpy array of [[a,b],[c,d]]

    Same as "numpy.array([[a,b],[c,d]], dtype=float)", but ten times faster
    """
    # dualgrad: its refusal's fix, np.zeros_like(a, shape=(2, 2)), then names b, then a
    # again (a dual arrives as a in one call, as b in another); np.block of the four
    # holds duals and plain numbers alike
    my_array = np.block([[a, b], [c, d]]) * np.ones((), dtype=dtype)
    return my_array

def is_forward_angle(n, theta):
    """
    if a wave is traveling at angle theta from normal in a medium with index n,
    calculate whether or not this is the forward-traveling wave (i.e., the one
    going from front to back of the stack, like the incoming or outgoing waves,
    but unlike the reflected wave). For real n & theta, the criterion is simply
    -pi/2 < theta < pi/2, but for complex n & theta, it's more complicated.
    See https://arxiv.org/abs/1603.02720 appendix D. If theta is the forward
    angle, then (pi-theta) is the backward angle and vice-versa.
    """
    assert n.real * n.imag >= 0, ("For materials with gain, it's ambiguous which "
                                  "beam is incoming vs outgoing. See "
                                  "https://arxiv.org/abs/1603.02720 Appendix C.\n"
                                  "n: " + str(n) + "   angle: " + str(theta))
    ncostheta = n * cos(theta)
    if abs(ncostheta.imag) > 100 * EPSILON:
        # Either evanescent decay or lossy medium. Either way, the one that
        # decays is the forward-moving wave
        answer = (ncostheta.imag > 0)
    else:
        # Forward is the one with positive Poynting vector
        # Poynting vector is Re[n cos(theta)] for s-polarization or
        # Re[n cos(theta*)] for p-polarization, but it turns out they're consistent
        # so I'll just assume s then check both below
        answer = (ncostheta.real > 0)
    # convert from numpy boolean to the normal Python boolean
    answer = bool(answer)
    # double-check the answer ... can't be too careful!
    error_string = ("It's not clear which beam is incoming vs outgoing. Weird"
                    " index maybe?\n"
                    "n: " + str(n) + "   angle: " + str(theta))
    if answer is True:
        assert ncostheta.imag > -100 * EPSILON, error_string
        assert ncostheta.real > -100 * EPSILON, error_string
        assert (n * cos(theta.conjugate())).real > -100 * EPSILON, error_string
    else:
        assert ncostheta.imag < 100 * EPSILON, error_string
        assert ncostheta.real < 100 * EPSILON, error_string
        assert (n * cos(theta.conjugate())).real < 100 * EPSILON, error_string
    return answer

def snell(n_1, n_2, th_1):
    """
    return angle theta in layer 2 with refractive index n_2, assuming
    it has angle th_1 in layer with refractive index n_1. Use Snell's law. Note
    that "angles" may be complex!!
    """
    # Important that the arcsin here is numpy.lib.scimath.arcsin, not
    # numpy.arcsin! (They give different results e.g. for arcsin(2).)
    th_2_guess = arcsin(n_1*np.sin(th_1) / n_2)
    if is_forward_angle(n_2, th_2_guess):
        return th_2_guess
    else:
        return pi - th_2_guess

def list_snell(n_list, th_0):
    """
    return list of angle theta in each layer based on angle th_0 in layer 0,
    using Snell's law. n_list is index of refraction of each layer. Note that
    "angles" may be complex!!
    """
    # Important that the arcsin here is numpy.lib.scimath.arcsin, not
    # numpy.arcsin! (They give different results e.g. for arcsin(2).)
    angles = arcsin(n_list[0]*np.sin(th_0) / n_list)
    # The first and last entry need to be the forward angle (the intermediate
    # layers don't matter, see https://arxiv.org/abs/1603.02720 Section 5)
    if not is_forward_angle(n_list[0], angles[0]):
        angles[0] = pi - angles[0]
    if not is_forward_angle(n_list[-1], angles[-1]):
        angles[-1] = pi - angles[-1]
    return angles


def interface_r(polarization, n_i, n_f, th_i, th_f):
    """
    reflection amplitude (from Fresnel equations)

    polarization is either "s" or "p" for polarization

    n_i, n_f are (complex) refractive index for incident and final

    th_i, th_f are (complex) propegation angle for incident and final
    (in radians, where 0=normal). "th" stands for "theta".
    """
    if polarization == 's':
        return ((n_i * cos(th_i) - n_f * cos(th_f)) /
                (n_i * cos(th_i) + n_f * cos(th_f)))
    elif polarization == 'p':
        return ((n_f * cos(th_i) - n_i * cos(th_f)) /
                (n_f * cos(th_i) + n_i * cos(th_f)))
    else:
        raise ValueError("Polarization must be 's' or 'p'")

def interface_t(polarization, n_i, n_f, th_i, th_f):
    """
    transmission amplitude (frem Fresnel equations)

    polarization is either "s" or "p" for polarization

    n_i, n_f are (complex) refractive index for incident and final

    th_i, th_f are (complex) propegation angle for incident and final
    (in radians, where 0=normal). "th" stands for "theta".
    """
    if polarization == 's':
        return 2 * n_i * cos(th_i) / (n_i * cos(th_i) + n_f * cos(th_f))
    elif polarization == 'p':
        return 2 * n_i * cos(th_i) / (n_f * cos(th_i) + n_i * cos(th_f))
    else:
        raise ValueError("Polarization must be 's' or 'p'")

def R_from_r(r):
    """
    Calculate reflected power R, starting with reflection amplitude r.
    """
    return abs(r)**2

def T_from_t(pol, t, n_i, n_f, th_i, th_f):
    """
    Calculate transmitted power T, starting with transmission amplitude t.

    n_i,n_f are refractive indices of incident and final medium.

    th_i, th_f are (complex) propegation angles through incident & final medium
    (in radians, where 0=normal). "th" stands for "theta".

    In the case that n_i,n_f,th_i,th_f are real, formulas simplify to
    T=|t|^2 * (n_f cos(th_f)) / (n_i cos(th_i)).

    See https://arxiv.org/abs/1603.02720 for discussion of formulas
    """
    if pol == 's':
        return abs(t**2) * (((n_f*cos(th_f)).real) / (n_i*cos(th_i)).real)
    elif pol == 'p':
        return abs(t**2) * (((n_f*conj(cos(th_f))).real) /
                                (n_i*conj(cos(th_i))).real)
    else:
        raise ValueError("Polarization must be 's' or 'p'")

def power_entering_from_r(pol, r, n_i, th_i):
    """
    Calculate the power entering the first interface of the stack, starting with
    reflection amplitude r. Normally this equals 1-R, but in the unusual case
    that n_i is not real, it can be a bit different than 1-R. See
    https://arxiv.org/abs/1603.02720

    n_i is refractive index of incident medium.

    th_i is (complex) propegation angle through incident medium
    (in radians, where 0=normal). "th" stands for "theta".
    """
    if pol == 's':
        return ((n_i*cos(th_i)*(1+conj(r))*(1-r)).real
                     / (n_i*cos(th_i)).real)
    elif pol == 'p':
        return ((n_i*conj(cos(th_i))*(1+r)*(1-conj(r))).real
                      / (n_i*conj(cos(th_i))).real)
    else:
        raise ValueError("Polarization must be 's' or 'p'")

def interface_R(polarization, n_i, n_f, th_i, th_f):
    """
    Fraction of light intensity reflected at an interface.
    """
    r = interface_r(polarization, n_i, n_f, th_i, th_f)
    return R_from_r(r)

def interface_T(polarization, n_i, n_f, th_i, th_f):
    """
    Fraction of light intensity transmitted at an interface.
    """
    t = interface_t(polarization, n_i, n_f, th_i, th_f)
    return T_from_t(polarization, t, n_i, n_f, th_i, th_f)

def coh_tmm(pol, n_list, d_list, th_0, lam_vac):
    """
    Main "coherent transfer matrix method" calc. Given parameters of a stack,
    calculates everything you could ever want to know about how light
    propagates in it. (If performance is an issue, you can delete some of the
    calculations without affecting the rest.)

    pol is light polarization, "s" or "p".

    n_list is the list of refractive indices, in the order that the light would
    pass through them. The 0'th element of the list should be the semi-infinite
    medium from which the light enters, the last element should be the semi-
    infinite medium to which the light exits (if any exits).

    th_0 is the angle of incidence: 0 for normal, pi/2 for glancing.
    Remember, for a dissipative incoming medium (n_list[0] is not real), th_0
    should be complex so that n0 sin(th0) is real (intensity is constant as
    a function of lateral position).

    d_list is the list of layer thicknesses (front to back). Should correspond
    one-to-one with elements of n_list. First and last elements should be "inf".

    lam_vac is vacuum wavelength of the light.
    
    This function, like everything else in the package, implicitly requires you
    to pick a unit of length.You can use any unit, but keep it consistent.
    For example, if you input the wavelength in nanometers, then you must also
    input the layer thicknesses in nanometers. And then any angular wavenumber
    outputs will be in radians per nanometer, and any absorption outputs will
    be in (fraction of incoming light power per nanometer of depth), and so on.

    Then the function outputs the following as a dictionary (see
    https://arxiv.org/abs/1603.02720 for details)

    * r--reflection amplitude
    * t--transmission amplitude
    * R--reflected wave power (as fraction of incident)
    * T--transmitted wave power (as fraction of incident)
    * power_entering--Power entering the first layer, usually (but not always)
      equal to 1-R (see https://arxiv.org/abs/1603.02720 ).
    * vw_list-- n'th element is [v_n,w_n], the forward- and backward-traveling
      amplitudes, respectively, in the n'th medium just after interface with
      (n-1)st medium.
    * kz_list--normal component of complex angular wavenumber for
      forward-traveling wave in each layer.
    * th_list--(complex) propagation angle (in radians) in each layer
    * pol, n_list, d_list, th_0, lam_vac--same as input

    """
    # Convert lists to numpy arrays if they're not already.
    n_list = np.stack(n_list)  # dualgrad's refusal of array(n_list) of duals: its fix
    d_list = np.stack(d_list)  # (and of array(d_list, dtype=float))

    # Input tests
    if ((hasattr(lam_vac, 'size') and lam_vac.size > 1)
          or (hasattr(th_0, 'size') and th_0.size > 1)):
        raise ValueError('This function is not vectorized; you need to run one '
                         'calculation at a time (1 wavelength, 1 angle, etc.)')
    if (n_list.ndim != 1) or (d_list.ndim != 1) or (n_list.size != d_list.size):
        raise ValueError("Problem with n_list or d_list!")
    assert d_list[0] == d_list[-1] == inf, 'd_list must start and end with inf!'
    assert abs((n_list[0]*np.sin(th_0)).imag) < 100*EPSILON, 'Error in n0 or th0!'
    assert is_forward_angle(n_list[0], th_0), 'Error in n0 or th0!'
    num_layers = n_list.size

    # th_list is a list with, for each layer, the angle that the light travels
    # through the layer. Computed with Snell's law. Note that the "angles" may be
    # complex!
    th_list = list_snell(n_list, th_0)

    # kz is the z-component of (complex) angular wavevector for forward-moving
    # wave. Positive imaginary part means decaying.
    kz_list = 2 * np.pi * n_list * cos(th_list) / lam_vac

    # delta is the total phase accrued by traveling through a given layer.
    # Ignore warning about inf multiplication
    olderr = seterr(invalid='ignore')
    delta = kz_list * d_list
    seterr(**olderr)

    # For a very opaque layer, reset delta to avoid divide-by-0 and similar
    # errors. The criterion imag(delta) > 35 corresponds to single-pass
    # transmission < 1e-30 --- small enough that the exact value doesn't
    # matter.
    for i in range(1, num_layers-1):
        if delta[i].imag > 35:
            delta[i] = delta[i].real + 35j
            if 'opacity_warning' not in globals():
                global opacity_warning
                opacity_warning = True
                print("Warning: Layers that are almost perfectly opaque "
                      "are modified to be slightly transmissive, "
                      "allowing 1 photon in 10^30 to pass through. It's "
                      "for numerical stability. This warning will not "
                      "be shown again.")

    # t_list[i,j] and r_list[i,j] are transmission and reflection amplitudes,
    # respectively, coming from i, going to j. Only need to calculate this when
    # j=i+1. (2D array is overkill but helps avoid confusion.)
    t_list = np.zeros_like(kz_list, shape=(num_layers, num_layers), dtype=complex)  # dualgrad
    r_list = np.zeros_like(kz_list, shape=(num_layers, num_layers), dtype=complex)  # dualgrad
    for i in range(num_layers-1):
        t_list[i,i+1] = interface_t(pol, n_list[i], n_list[i+1],
                                    th_list[i], th_list[i+1])
        r_list[i,i+1] = interface_r(pol, n_list[i], n_list[i+1],
                                    th_list[i], th_list[i+1])
    # At the interface between the (n-1)st and nth material, let v_n be the
    # amplitude of the wave on the nth side heading forwards (away from the
    # boundary), and let w_n be the amplitude on the nth side heading backwards
    # (towards the boundary). Then (v_n,w_n) = M_n (v_{n+1},w_{n+1}). M_n is
    # M_list[n]. M_0 and M_{num_layers-1} are not defined.
    # My M is a bit different than Sernelius's, but Mtilde is the same.
    M_list = np.zeros_like(delta, shape=(num_layers, 2, 2), dtype=complex)  # dualgrad
    for i in range(1, num_layers-1):
        M_list[i] = (1/t_list[i,i+1]) * np.dot(
            make_2x2_array(exp(-1j*delta[i]), 0, 0, exp(1j*delta[i]),
                           dtype=complex),
            make_2x2_array(1, r_list[i,i+1], r_list[i,i+1], 1, dtype=complex))
    Mtilde = make_2x2_array(1, 0, 0, 1, dtype=complex)
    for i in range(1, num_layers-1):
        Mtilde = np.dot(Mtilde, M_list[i])
    Mtilde = np.dot(make_2x2_array(1, r_list[0,1], r_list[0,1], 1,
                                   dtype=complex)/t_list[0,1], Mtilde)

    # Net complex transmission and reflection amplitudes
    r = Mtilde[1,0]/Mtilde[0,0]
    t = 1/Mtilde[0,0]

    # vw_list[n] = [v_n, w_n]. v_0 and w_0 are undefined because the 0th medium
    # has no left interface.
    vw_list = np.zeros_like(delta, shape=(num_layers, 2), dtype=complex)  # dualgrad
    vw = np.block([[t],[0]])  # dualgrad's refusal of array([[t],[0]]): its fix
    vw_list[-1,:] = np.transpose(vw)
    for i in range(num_layers-2, 0, -1):
        vw = np.dot(M_list[i], vw)
        vw_list[i,:] = np.transpose(vw)

    # Net transmitted and reflected power, as a proportion of the incoming light
    # power.
    R = R_from_r(r)
    T = T_from_t(pol, t, n_list[0], n_list[-1], th_0, th_list[-1])
    power_entering = power_entering_from_r(pol, r, n_list[0], th_0)

    return {'r': r, 't': t, 'R': R, 'T': T, 'power_entering': power_entering,
            'vw_list': vw_list, 'kz_list': kz_list, 'th_list': th_list,
            'pol': pol, 'n_list': n_list, 'd_list': d_list, 'th_0': th_0,
            'lam_vac':lam_vac}

TMM_WAVELENGTHS = np.array([400.0, 500.0, 600.0, 700.0])


def tmm_row(x):
    """Reflectance and transmittance, s and p, of a two-layer coating (indices n1, n2 and
    thicknesses d1, d2 in nm) on glass, 30 degrees from air, at four wavelengths: the tmm
    manual's loop of one ``coh_tmm`` call per wavelength (16 residuals)."""
    n1, d1, n2, d2 = x
    th_0 = pi / 6
    out = []
    for lam_vac in TMM_WAVELENGTHS:
        for pol in ("s", "p"):
            res = coh_tmm(pol, [1, n1, n2 + 0.01j, 1.52], [inf, d1, d2, inf], th_0, lam_vac)
            out += [res['R'], res['T']]
    return np.stack(out)


# --- a Kuramoto network (cbnfreitas/kuramoto_model_integrate_and_plot
# network_of_oscillators_Kuramoto_model.py, 9cce7240); the source's ddeint import
# left out (tau = 0 here)
class KuramotoModel:
    """ Class to hold the Kuramoto Model configuration and perform numerical integration.

        It instantiates a callable object f in such a way that f(theta, t) returns the value of the Kuramoto Model
        vector field, where theta is the N-dimensional state variable of the system and t is the time variable.

        Attributes
        ----------
        N : int
            Quantity of oscillators in the network.
        w : ndarray of shape (N)
            Natural frequency of each oscillator.
        A : list of ndarray of size (N)
            Coupling graph as adjacency list, i.e., A[i] contains the neighbor list of the i-th vertex.
        d : ndarray of shape (N)
            In-degree of the each vertex of the coupling graph.
        c : float
            Coupling parameter.
        tau : float
            Overall time delay among nodes.
        d_theta : ndarray of shape (N)
            Value evaluated of the vector field.
    """

    def __init__(self, w, E, c=1, tau=0):
        """

        Parameters
        ----------
        w : ndarray of shape (N)
            Natural frequency of each oscillator.
        E : ndarray of shape (Ne,2)
            Coupling graph as directed edge list of size Ne, i.e,
            e[i] = [p, q] means that the p -> q is the i-th directed edge of the coupling graph.
        c : float
            Coupling parameter.
        tau : float
            Overall time delay among nodes.
        """
        self.N = w.size
        self.w = w
        self.A = [E[E[:, 0] == i, 1].astype(int) for i in range(0, self.N)]  # Edge list E into adjacency list A.
        self.d = [len(self.A[i]) for i in range(0, self.N)]
        self.c = c
        self.d_theta = np.zeros(self.N)
        self.tau = tau

    def __call__(self, theta, t=0):
        """Evaluate the instance of the Kuramoto Model vector field with the given attributes.

        Parameters
        ----------
        theta : ndarray of shape (N)
            The phase value of the N oscillators in the network. It must be a function if tau>0.
        t: float
            The time variable. This parameter allows compatibility with odeint and ddeint from scipy.integrate.
        tau: float
            Overall time delay among nodes. This parameter is included here to allow compatiblitly with ddeint.

        Returns
        -------
        d_theta : ndarray of shape (N)
            The evaluated value, that is, d_theta = f(theta, t)

        """
        if self.tau == 0:
            theta_t, theta_tau = theta, theta
        else:
            theta_t, theta_tau = theta(t), theta(t - self.tau)

        self.d_theta = np.zeros_like(theta)  # dualgrad's refusal of the plain buffer: its fix
        for i in range(0, self.N):
            self.d_theta[i] = self.w[i] + \
                              (self.c / self.d[i]) * sum(np.sin(theta_tau[j] - theta_t[i]) for j in self.A[i])

        return self.d_theta


_KU = np.random.default_rng(5)
KURAMOTO_N = 10
# a ring both ways plus six random chords, as the source's edge list E (p -> q)
_ring = [[i, (i + 1) % KURAMOTO_N] for i in range(KURAMOTO_N)]
_ring += [[(i + 1) % KURAMOTO_N, i] for i in range(KURAMOTO_N)]
KURAMOTO_E = np.array(_ring + _KU.integers(0, KURAMOTO_N, (6, 2)).tolist())
KURAMOTO_E = KURAMOTO_E[KURAMOTO_E[:, 0] != KURAMOTO_E[:, 1]]
KURAMOTO = KuramotoModel(_KU.uniform(-0.5, 0.5, KURAMOTO_N), KURAMOTO_E, c=2.0)
KURAMOTO_THETA = _KU.uniform(0, 2 * np.pi, KURAMOTO_N)


def kuramoto_row(x):
    """The vector field at the phases x (the Jacobian odeint's ``Dfun`` wants); a copy,
    as the source hands back its buffer ``self.d_theta`` itself."""
    return np.array(KURAMOTO(x), copy=True)


# --- a plane-wave band structure of a 1-D square-well crystal (ba50/KMFCS lab3.py,
# d2f8fbe0): the script made a function of the well depth V_0 and width b, its plot
# left out
def kmfcs_lab3(V_0, b):
    """The source's script: ``H[index] = ...`` over ``np.ndenumerate(H)`` of a float
    ``np.zeros`` matrix at each of 50 k, ``LA.eig(H)``, ``np.sort(w)``, a list of
    ``(k, enegry)`` tuples into ``np.array``; returns the energies."""
    a = 10
    E_cut = 12
    npw = int(sqrt(E_cut/(2*pi/a)**2)+.5)
    npw = 2*npw + 1
    G = []
    G.append(0)
    for i in np.arange(1,npw+1,2):
        G.append(+(i+1)*pi/a)
        G.append(-(i+1)*pi/a)
    G = np.array(G)
    K = np.arange(-pi/a, pi/a, (2*pi/a)/50, dtype=float)
    H = np.zeros_like(V_0, shape=(npw, npw))  # dualgrad's refusal of the plain H: its fix

    E_K = []
    for k in K:
        # dualgrad refuses H[index] = ... while np.ndenumerate(H)'s np.asarray(H) lives
        # (its message names np.asarray, not np.ndenumerate); np.ndindex, h unused
        for index in np.ndindex(H.shape):
            if index[0] == index[1]:
                H[index] = (k+G[index[0]])**2-V_0/(a*b)
            else:
                H[index] = -V_0/a*sin((G[index[1]]-G[index[0]])*b/2)/((G[index[1]]-G[index[0]])/2)
        w, v = LA.eig(H)
        for enegry in np.sort(w):
            E_K.append((k, enegry))

    E_K = np.array(E_K)
    return E_K[:, 1]


def bands_row(x):
    """The 650 band energies (13 plane waves at 50 k) by the well's depth and width."""
    return kmfcs_lab3(x[0], x[1])


PROBLEMS68 = {
    "N-body accelerations, mask write (24)": (nbody_acc_row, NBODY_POS.ravel().copy()),
    "N-body energies, sqrt at 0 + triu (48)": (
        nbody_energy_row, np.r_[NBODY_POS.ravel(), NBODY_VEL.ravel()]),
    "SPH star, special.gamma (5)": (sph_row, np.array([2.0, 0.75, 0.3, 0.1, 1.0])),
    "Kelvin-Helmholtz MUSCL, np.roll (3)": (kh_row, np.array([0.1, 5 / 3, 2.5])),
    "thin-film TMM, complex coh_tmm (4)": (tmm_row, np.array([1.38, 100.0, 2.1, 60.0])),
    "Kuramoto network, float buffer (10)": (kuramoto_row, KURAMOTO_THETA.copy()),
    "plane-wave bands, ndenumerate + eig (2)": (bands_row, np.array([1.0, 1.0])),
}
