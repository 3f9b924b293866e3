"""Real functions from public scientific Python code, for bench/bench_corpus.py (stop 64).

Kept in their sources' spelling, chosen for the ways of using arrays the engine finds
hard: a power flow's Newton loop over Python lists of complex voltages, ``complex(real=,
imag=)``, ``np.matmul`` of a list and ``np.linalg.inv`` of a list of lists; a
magnetotelluric impedance recursion in complex arithmetic ending in ``np.r_``; an FDTD
class updating its fields by in-place slices; a split-step Fourier fibre model
(``np.fft``, ``np.nonzero`` of a half-maximum, ``np.linalg.pinv([re])``); Newmark's
method writing columns of ``np.zeros`` buffers between ``np.linalg.solve`` calls; Mie
coefficients from ``scipy.special.jv`` / ``yv`` with a downward recurrence in a complex
``np.zeros`` buffer and ``np.append``; an HBV rainfall-runoff model's scalar branches,
``min`` / ``max`` and nine ``np.zeros`` buffers; a square well by
``scipy.linalg.eigh_tridiagonal``; a lattice Boltzmann flow by ``np.roll``, boolean-mask
reads and writes and ``F[:, :, i] *= ...``; a cyclic voltammogram by explicit finite
differences into ``np.ones((M, L))`` rows.  Domains corpus57 to corpus63 do not hold:
power systems, magnetotellurics, computational electromagnetics, fibre optics,
structural dynamics, aerosol light scattering, rainfall-runoff hydrology with snow,
quantum mechanics, lattice Boltzmann fluid dynamics, electrochemistry.  The changes a
user makes are what dualgrad's refusals name (each is a test in tests/test_newuser64.py):
``complex(real=a, imag=b)`` becomes ``a + 1j * b``; lists handed to NumPy become
``np.stack(...)`` (a matrix row by row); ``np.asarray(u)`` of the complex pulse goes;
``np.zeros`` / ``np.ones`` buffers become ``np.zeros_like`` / ``np.ones_like`` of an
input; counts and sizes come from ``dg.stop_gradient``; ``eigh_tridiagonal`` becomes
``np.linalg.eigh`` of the tridiagonal matrix.  The magnetotelluric recursion and the
FDTD class run unchanged.  A row of :data:`PROBLEMS64` wraps a function into ``f(x0) ->
1-D array``, as a user hands it to ``approx_fprime``.

=====================  =================================================  ==========
function               repository / path                                  commit
=====================  =================================================  ==========
GenericNewtonRaphson   olPoot-EN/online-tuning-exercise-proof-of-concept  6f8d18dd
                       Python/NewtonRaphson.py
forward_1D_MT,         inlab-geo/espresso                                 22c3dc81
z2rhophy, get_freq..   contrib/magnetotelluric_1D/magnetotelluric_1D.py
FDTD                   lmdiazangulo/MCFNL2022  solver/fdtd_nonuniform.py  d8d5cbd7
(the script)           jeovazero/split-step-fourier-method-python         d979371d
                       split-step-fourier-method.py
linear_newmark_krenk   oiseth/TKT4108StructuralDynamics2                  1cd8ec73
                       python/modules/time_integration.py
pyMie                  MizanMustakim/Sand-Storm-Scattering  mie.py        2ff3458c
hbv                    snpoudel/HBV-RainfallRunoff-Model  hbv_model.py    0f88488e
(the script)           sievers/Phys-357-2024                              cbbb4548
                       lecture_26/finite_square_well.py
main                   pmocz/latticeboltzmann-python                      4dbe2ed9
                       latticeboltzmann.py
(the script)           deannguyen9xyz/CV-simulation                       8a06fcd1
                       generate_CV_2cycle.py
=====================  =================================================  ==========

Full commits: 6f8d18ddd43b1a7b4eab13ef95f74e7ada5238d3,
22c3dc81dd43f98b410c893b5e32ecf4ac97289d, d8d5cbd7dd62a6b43d7e11bb09d78768066e13d8,
d979371dcd5d75bb87fa0e561cd5a3dd72de3587, 1cd8ec73b11a5a409b337d37d61a3770fb8fe060,
2ff3458c2f8d5f775f07c9a55379d3bf882248b0, 0f88488e024e3371301de25feee846b36d16c956,
cbbb4548a61b99db3c2e0236dbf99fae748833dd, 4dbe2ed9e7aeb6d9b303acae80a5fff7f88795d5,
8a06fcd158f5e451867f073feb66a59561f344fb.
"""

import math

import numpy as np
from scipy.constants import mu_0
from scipy.special import jv, yv

import dualgrad as dg


# --- power systems: a Newton-Raphson load flow over Python lists (its verbose printing
# and the reactive-limit text of the condensed source left out)
def GenericNewtonRaphson(Ybus_matrix, Vreg_mag, Sgen, Sload=None, initial_V=None,
                         Final_Output=False, Verbose_Output=False):
    """The source's solver; its ``complex(real=..., imag=...)`` of the voltages,
    ``np.matmul(Ybus_matrix, V)`` of the list V, ``np.linalg.inv(jacobian)`` of a list
    of lists and ``np.matmul(..., mismatch)`` of a list are the refusals' ``a + 1j * b``
    and ``np.stack``."""
    num_buses = len(Ybus_matrix)
    if Sload is None:  # added in to make Sload an optional parameter
        Sload = [complex() for x in range(num_buses)]
        pass
    TOLERANCE = 1.0e-9; MAX_ITERATIONS = 200
    Vreg_declared = [False for x in range(num_buses)]
    for i in range(num_buses):
        if Vreg_mag[i] is not None:
            Vreg_declared[i] = True
            pass
        pass
    Ybus_mag = [[0.0 for x in range(num_buses)] for y in range(num_buses)]
    Ybus_ang = [[0.0 for x in range(num_buses)] for y in range(num_buses)]
    for i in range(num_buses):
        for j in range(num_buses):
            Ybus_mag[i][j] = abs(Ybus_matrix[i][j])
            Ybus_ang[i][j] = np.angle(Ybus_matrix[i][j], deg=False)
            pass
        pass
    V = [complex(real=Vreg_mag[x] if Vreg_declared[x] else Vreg_mag[0] if initial_V is None else initial_V[x].real,
                 imag=0.0 if initial_V is None else initial_V[x].imag) for x in range(num_buses)]
    Vmag = [abs(x) for x in V]
    Vang = [np.angle(x, deg=False) for x in V]
    S = [complex() for x in range(num_buses)]
    size = (num_buses - 1) * 2
    mismatch = [0.0 for x in range(size)]
    iteration = 0

    def calculate_Jacobian() -> [[float]]:
        jacobian = [[0.0 for x in range(size)] for y in range(size)]
        for i in range(1, num_buses):
            for j in range(1, num_buses):
                ## del P / del d
                if i == j:
                    temp = 0.0
                    for k in range(num_buses):
                        if k != i:
                            temp += Ybus_mag[i][k] * Vmag[k] * np.sin(Vang[i] - Vang[k] - Ybus_ang[i][k])
                            pass
                        pass
                    temp *= -Vmag[i]
                    jacobian[i - 1][j - 1] = temp
                    pass
                else:
                    jacobian[i - 1][j - 1] = Vmag[i] * Ybus_mag[i][j] * Vmag[j] * np.sin(Vang[i] - Vang[j] - Ybus_ang[i][j])
                    pass
                ## del P / del V
                if i == j:
                    temp = Vmag[i] * Ybus_mag[i][j] * np.cos(Ybus_ang[i][j])
                    for k in range(num_buses):
                        temp += Ybus_mag[i][k] * Vmag[k] * np.cos(Vang[i] - Vang[k] - Ybus_ang[i][k])
                        pass
                    jacobian[i - 1][j + num_buses - 2] = temp
                    pass
                else:
                    jacobian[i - 1][j + num_buses - 2] = Vmag[i] * Ybus_mag[i][j] * np.cos(Vang[i] - Vang[j] - Ybus_ang[i][j])
                    pass
                ## del Q / del d
                if i == j:
                    temp = 0.0
                    for k in range(num_buses):
                        if k != i:
                            temp += Ybus_mag[i][k] * Vmag[k] * np.cos(Vang[i] - Vang[k] - Ybus_ang[i][k])
                            pass
                        pass
                    temp *= Vmag[i]
                    jacobian[i + num_buses - 2][j - 1] = temp
                    pass
                else:
                    jacobian[i + num_buses - 2][j - 1] = -Vmag[i] * Ybus_mag[i][j] * Vmag[j] * np.cos(Vang[i] - Vang[j] - Ybus_ang[i][j])
                    pass
                ## del Q / del V
                if i == j:
                    temp = -Vmag[i] * Ybus_mag[i][j] * np.sin(Ybus_ang[i][j])
                    for k in range(num_buses):
                        temp += Ybus_mag[i][k] * Vmag[k] * np.sin(Vang[i] - Vang[k] - Ybus_ang[i][k])
                        pass
                    jacobian[i + num_buses - 2][j + num_buses - 2] = temp
                    pass
                else:
                    jacobian[i + num_buses - 2][j + num_buses - 2] = Vmag[i] * Ybus_mag[i][j] * np.sin(Vang[i] - Vang[j] - Ybus_ang[i][j])
                    pass
                pass
            pass
        return jacobian

    solved=False
    while True:
        jacobian = calculate_Jacobian()
        for i in range(1, num_buses):
            V[i] = Vmag[i] * np.cos(Vang[i]) + 1j * Vmag[i] * np.sin(Vang[i])
            pass
        I = np.matmul(Ybus_matrix, np.stack(V))
        S = [V[i] * np.conjugate(I[i]) for i in range(num_buses)]
        # Determine if generators are regulating bus voltage or not
        Vregulating = [False for x in range(num_buses)]  # initially assume PQ
        for i in range(1, num_buses):
            if Vreg_declared[i]:
                Vregulating[i] = True  # assume no limits - removed from this condensed version.
                pass
            Snet = Sgen[i] - Sload[i]
            Serr = Snet - S[i]  # y - f(x)
            mismatch[i - 1] = Serr.real
            if Vregulating[i]:
                mismatch[i + num_buses - 2] = 0.0
                pass
            else:
                mismatch[i + num_buses - 2] = Serr.imag
                pass
            pass
        del_val = np.matmul(np.linalg.inv(np.stack([np.stack(row) for row in jacobian])), np.stack(mismatch))
        for i in range(1, num_buses):
            Vang[i] += del_val[i - 1]
            if Vreg_declared[i]:
                Vmag[i] = Vreg_mag[i]
                pass
            else:
                Vmag[i] += del_val[i + num_buses - 2]
                pass
            pass
        iteration += 1
        if iteration >= MAX_ITERATIONS or max(max(del_val), -min(del_val)) <= TOLERANCE:
            if iteration >= MAX_ITERATIONS:
                print('MAXIMUM ITERATIONS REACHED! NO SOLUTION FOUND.')
                pass
            else:
                solved=True
            break
            pass
        pass
    for i in range(1, num_buses):
        V[i] = Vmag[i] * np.cos(Vang[i]) + 1j * Vmag[i] * np.sin(Vang[i])
        pass
    return [V, S, solved]


_Z12, _Z13, _Z23 = 0.02 + 0.06j, 0.08 + 0.24j, 0.06 + 0.18j      # series impedances, pu
YBUS = np.array([[1 / _Z12 + 1 / _Z13, -1 / _Z12, -1 / _Z13],
                 [-1 / _Z12, 1 / _Z12 + 1 / _Z23, -1 / _Z23],
                 [-1 / _Z13, -1 / _Z23, 1 / _Z13 + 1 / _Z23]])


def powerflow_row(q):
    """A 3-bus case: bus 1 the slack at 1.05 pu, bus 2 a generator regulating 1.02 pu
    that injects ``q[0]``, bus 3 a load ``q[1] + 1j q[2]``; the non-slack buses'
    voltage magnitudes and angles."""
    V, S, solved = GenericNewtonRaphson(YBUS, [1.05, 1.02, None], [0, q[0], 0],
                                        [0, 0, q[1] + 1j * q[2]])
    return np.stack([np.abs(V[1]), np.angle(V[1]), np.abs(V[2]), np.angle(V[2])])


# --- magnetotellurics: the apparent resistivity and phase of a layered Earth
def get_frequencies(fmin, fmax, f_per_decade):
    nf = ((np.log10(fmax) - np.log10(fmin)) * f_per_decade) + 1
    freqs = np.logspace(np.log10(fmax), np.log10(fmin), num = int(nf))
    return freqs


def forward_1D_MT(model, depths, freqs, return_G = False, return_Z = False):
    """The source's impedance recursion (Pedersen and Hermance 1986); its
    finite-difference ``return_G`` branch left out (dualgrad's Jacobian replaces it)."""
    w = 2*np.pi*freqs # angular frequencies
    model_lin = 10**model # electrical resistivities in linear scale
    # Calculate impedance Z at the top of the bottom half space
    Z = np.sqrt(1j * w * mu_0 * model_lin[-1])
    # The surface impedance Z is found recursively from the bottom propagating upwards
    for j in range(len(depths)-1,-1,-1):
        # calculate thickness th of layer j
        if j == 0: th = depths[j]
        else: th = depths[j] - depths[j-1]
        # calculate intrinsic impedance zo of layer j
        zo = np.sqrt(1j * w * mu_0 * model_lin[j])
        # calculate reflection coefficient R of layer j
        R = (zo - Z) / (zo + Z)
        # calculate induction parameter gamma of layer j
        gamma = np.sqrt(1j * w * mu_0 / model_lin[j])
        # update impedance Z at the top of layer j
        Z = zo * (1 - R * np.exp(-2*gamma*th)) / (1 + R * np.exp(-2*gamma*th))
    data, _ = z2rhophy(freqs, Z, dZ=None)
    if return_Z:
        return Z
    else:
        return data


def z2rhophy(freqs,Z,dZ=None):
    # calcul of apparent resistivity and phases from the impedance Z
    rho_app = abs(Z)**2 / (mu_0*2*np.pi*freqs)
    phase = np.degrees(np.arctan2(Z.imag,Z.real))
    # calculate errors of apparent resistivity and phases
    if dZ is None:
        return np.r_[np.log10(rho_app), phase], np.r_[np.zeros(Z.shape[0]*2)]
    else:
        drho_app = 2*rho_app*dZ / abs(Z)
        dphase = np.degrees(0.5 * (drho_app/rho_app))
        log10_drho_app = (1/np.log(10)) * (drho_app/rho_app)
        return np.r_[np.log10(rho_app), phase], np.r_[log10_drho_app, dphase]


MT_FREQS = get_frequencies(0.1, 1e4, 5)                      # the example's 26 frequencies
MT_DEPTHS = np.cumsum([5 * 1.15**i for i in range(7)])       # its mesh law, 8 layers


def mt_row(model):
    """The 26 log10 apparent resistivities and 26 phases of an 8-layer model given as
    log10 resistivities (the example's parametrization)."""
    return forward_1D_MT(model, MT_DEPTHS, MT_FREQS)


# --- computational electromagnetics: 1-D FDTD on a non-uniform grid
class FDTD:
    def __init__(self, grid):
        self.grid = grid
        self.dualGrid = (grid[:-1] + grid[1:]) / 2.0
        speedOfLight = 1.0
        self.dx = (grid[1:] - grid[:-1])
        self.h = (self.dx[1:] + self.dx[:-1] )/2.0
        self.dt = 0.9* np.amin(self.dx)/speedOfLight


        self.E = 0.0 * self.grid
        self.H = 0.0 * self.dualGrid

    def step(self, t):
        E = self.E
        H = self.H

        cosa = np.ones(len(E))


        E[1:-1] = E[1:-1] - (self.dt/self.h)*(H[1:] - H[:-1])
        H[:]    = H[:]    - (self.dt/self.dx)*(E[1:] - E[:-1])

        return t + self.dt


def fdtd_row(q, n=101, steps=60):
    """The electric field after ``steps`` steps of a Gaussian pulse (centre ``q[1]``,
    width ``q[2]``) on a grid of ``n`` nodes stretched by ``q[0]`` (the class's own
    tests build such grids): the field's sensitivity to the mesh and the source."""
    s = np.linspace(-1.0, 1.0, n)
    solver = FDTD(s + q[0] * np.sin(np.pi * s) / np.pi)
    solver.E[:] = np.exp(-(solver.grid - q[1])**2 / (2 * q[2]**2))
    t = 0.0
    for _ in range(steps):
        t = solver.step(t)
    return solver.E


# --- fibre optics: a chirped Gaussian pulse through a fibre by split-step Fourier
def split_step(q, ii=0.1):
    """The script's loop body for one distance ``ii`` (in dispersion lengths; the source
    loops over 0.1 to 1.5) as a function of ``q = (Po, gamma, C)``, its module constants;
    its ``u = np.asarray(u)`` of the complex pulse goes and ``np.linalg.pinv([re])`` is
    ``np.linalg.pinv(np.stack([re]))`` (the refusals' spellings).  The pulse's amplitude
    over the middle 1000 samples, every 20th, and the phase ``dd``."""
    Po, gamma, C = q[0], q[1], q[2]
    alpha = 0
    alph = alpha/(4.343)
    to = 125e-12
    b2 = -20e-27
    Ld = (to**2)/np.absolute(b2)
    pi = 3.1415926535
    Ao = np.sqrt(Po)
    tau = np.arange(-4096e-12, 4095e-12, 1e-12)
    dt = 1e-12
    h = 1000
    uaux = Ao*np.exp(-((1+1j*(-C))/2.0)*(tau/to)**2)
    z = ii * Ld
    u = uaux[:]
    l = np.max(u.shape)
    fwhml = np.nonzero(np.absolute(u) > np.absolute(np.max(np.real(u))/2.0))
    fwhml = len(fwhml[0])
    dw = 1.0/float(l)/dt*2.0*pi

    w = dw*np.arange(-1*l/2.0, l/2.0, 1)
    w = np.asarray(w)
    w = np.fft.fftshift(w)

    u = np.fft.fftshift(u)

    spectrum = np.fft.fft(np.fft.fftshift(u))

    for jj in np.arange(h, z+1, h):
        spectrum = spectrum*np.exp(-alph*(h/2.0)+1j*b2/2.0*(np.power(w, 2))*(h/2.0))
        f = np.fft.ifft(spectrum)
        f = f*np.exp(1j*gamma*np.power(np.absolute(f), 2)*(h))
        spectrum = np.fft.fft(f)
        spectrum = spectrum*np.exp(-alph*(h/2.0)+1j*b2/2.0*(np.power(w, 2)*(h/2.0)))

    f = np.fft.ifft(spectrum)
    op_pulse = np.absolute(f)
    fwhm = np.nonzero(np.absolute(f) > np.absolute(np.max(np.real(f))/2.0))
    fwhm = len(fwhm[0])
    ratio = float(fwhm)/fwhml
    im = np.absolute(np.imag(f))
    re = np.absolute(np.real(f))
    div = np.dot(im, np.linalg.pinv(np.stack([re])))
    dd = np.degrees(np.arctan(div))
    return np.concatenate([op_pulse[3596:4596:20], dd])


FIBRE_Q = np.array([0.00064, 0.003, -2.0])     # the script's Po (W), gamma (1/W/m), C


def fibre_row(q):
    """``split_step`` for ``q = (Po in mW, gamma in 1/W/km, C)``, units that make the
    inputs O(1)."""
    return split_step(q * np.array([1e-3, 1e-3, 1.0]))


# --- structural dynamics: Newmark's method for a linear system
def linear_newmark_krenk(M,C,K,f,u0,udot0,h,gamma,beta):
    """The source's integrator (docstring left out); its three ``np.zeros`` buffers are
    the refusal's ``np.zeros_like(C, shape=...)``."""
    # Initialize variables
    u = np.zeros_like(C, shape=(M.shape[0],f.shape[1]))

    udot = np.zeros_like(C, shape=(M.shape[0],f.shape[1]))

    u2dot = np.zeros_like(C, shape=(M.shape[0],f.shape[1]))

    # Insert initial conditions in response vectors
    u[:,0] = u0[:,0]

    udot[:,0] = udot0[:,0]

    # Calculate "modified mass"
    Mstar = M + gamma*h*C + beta*h**2*K;

    # Calculate initial accelerations
    u2dot[:,0] = np.linalg.solve(M, f[:,0]-np.dot(C,udot[:,0])-np.dot(K,u[:,0]))

    for n in range(0,f.shape[1]-1):

        #Predicion step

        udotstar_np1 = udot[:,n] + (1-gamma)*h*u2dot[:,n];

        ustar_np1 = u[:,n] + h*udot[:,n] + (1/2-beta)*h**2*u2dot[:,n];

        # Correction step

        u2dot[:,n+1] = np.linalg.solve(M, f[:,n+1]-np.dot(C,udotstar_np1)-np.dot(K,ustar_np1))

        udot[:,n+1] = udotstar_np1 + gamma*h*u2dot[:,n+1];

        u[:,n+1] = ustar_np1 + beta*h**2*u2dot[:,n+1];

    return u, udot, u2dot


def newmark_row(q, nt=201):
    """A three-storey shear frame (storey mass ``q[0]``, storey stiffness ``q[1]``,
    stiffness-proportional damping ``q[2]``) under a harmonic load at the top, 10 s by
    the average-acceleration rule (gamma 1/2, beta 1/4): every 10th displacement."""
    m, k, zeta = q[0], q[1], q[2]
    M = np.diag([m, m, m])
    K = k * np.array([[2.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 1.0]])
    C = zeta * K
    t = np.linspace(0.0, 10.0, nt)
    f = np.zeros((3, nt))
    f[2] = np.sin(2.0 * t)
    u, udot, u2dot = linear_newmark_krenk(M, C, K, f, np.zeros((3, 1)), np.zeros((3, 1)),
                                          t[1] - t[0], 0.5, 0.25)
    return u[:, ::10].ravel()


# --- aerosol optics: Mie efficiencies of a sphere (Maetzler's algorithm)
class pyMie:
    """The source's class; its orders ``nmax`` / ``nmx`` (and so ``n``) are counts taken
    from ``dg.stop_gradient(x)`` and ``dg.stop_gradient(z)`` (the refusals' spelling), and
    its ``Dnx = np.zeros(int(nmx), dtype=complex)`` is ``np.zeros_like(m, ...)``."""
    def mie_ab(self, m, x):
        z = m * x
        nmax = np.round(2+dg.stop_gradient(x)+4*(dg.stop_gradient(x)**(1/3)))
        nmx = np.round(max(nmax,np.abs(dg.stop_gradient(z)))+16)
        n = np.arange(1,nmax+1)
        nu = n + 0.5

        sx = np.sqrt(0.5*np.pi*x)
        px = sx*jv(nu,x)
        p1x = np.append(np.sin(x), px[0:int(nmax)-1])
        chx = -sx*yv(nu,x)
        ch1x = np.append(np.cos(x), chx[0:int(nmax)-1])
        gsx = px-(0+1j)*chx
        gs1x = p1x-(0+1j)*ch1x

        Dnx = np.zeros_like(m, shape=int(nmx), dtype=complex)
        for i in range(int(nmx)-1, 1, -1):
            Dnx[i-1] = (i/z)-(1/(Dnx[i]+i/z))

        D = Dnx[1:int(nmax)+1]
        da = D/m+n/x
        db = m*D+n/x
        an = (da*px-p1x)/(da*gsx-gs1x)
        bn = (db*px-p1x)/(db*gsx-gs1x)

        return an, bn

    def mie(self, m, x):
        if x == 0:
            result = [0, 0, 0, 0, 0, 1.5]
            print(result)
        elif x > 0:
            nmax = np.round(2+dg.stop_gradient(x)+4*(dg.stop_gradient(x)**(1/3)))
            n = np.arange(1,nmax+1)
            cn = 2*n+1 # n1
            c1n = n*(n+2)/(n+1) # n2
            c2n = cn/(n*(n+1))  # n3
            x2 = x ** 2

            an, bn = self.mie_ab(m, x)
            g1 = [an.real[1:int(nmax)],
                  an.imag[1:int(nmax)],
                  bn.real[1:int(nmax)],
                  bn.imag[1:int(nmax)]]
            g1 = [np.append(x, 0.0) for x in g1]

            qext = (2/x2)*np.sum(cn*(an.real+bn.real))
            qsca = (2/x2)*np.sum(cn*(an.real**2+an.imag**2+bn.real**2+bn.imag**2))
            qabs = qext-qsca

            asy = (4/(qsca*x2))*np.sum((c1n*(an.real*g1[0]+an.imag*g1[1]+bn.real*g1[2]+bn.imag*g1[3]))+(c2n*(an.real*bn.real+an.imag*bn.imag)))

            qback = (1/x2)*(np.abs(np.sum(cn*((-1)**n)*(an-bn)))**2)
            qratio = qback/qsca

            return qext, qsca, qabs, qback, asy, qratio


def mie_row(q):
    """The six efficiencies of a dust grain of size parameter ``q[0]`` and refractive
    index ``q[1] + 1j q[2]``."""
    return np.stack(pyMie().mie(q[1] + 1j * q[2], q[0]))


# --- rainfall-runoff hydrology: the HBV model with its snow routine
def hbv(pars, p, temp, jdate, latitude, routing):
    """The source's model; its ``date`` (pandas dates made day numbers by
    ``strftime('%j')``) is given as the day numbers ``jdate``, and its nine ``np.zeros``
    buffers are the refusal's ``np.zeros_like(pars, shape=len(p))``.  Its routing branch
    (``routing == 1``) is not run."""
    #set model parameters
    fc = pars[0] #maximum soil moisture storage, field capacity
    beta = pars[1] #shape coefficient governing fate of water input to soil moisture storage
    pwp = pars[2] #soil permanent wilting point
    l = pars[3] #threshold parameter for upper storage, if water level higher than threshold shallow flow occurs
    ks = pars[4] #recession constant (upper storage, near surface)
    ki = pars[5] #recession constant (upper storage)
    kb = pars[6] #recession constant (lower storage)
    kperc = pars[7] #percolation constant, max flow rate from upper to lower storage
    coeff_pet = pars[8] #coefficient for potential evapotranspiration

    ddf = pars[9] #degree-day factor
    scf = pars[10] #snowfall correction factor
    ts = pars[11] #threshold temperature for snow falling
    tm = pars[12] #threshold temperature for snowmelt
    tti = pars[13] #temperature interval for mixture of snow and rain
    whc = pars[14] #usually fixed, water holding capacity of snowpack (default 0.1)
    crf = pars[15] #usually fixed, refreezing coefficient (default 0.05)

    maxbas = pars[16] #traingular weighting function routing parameter

    #Initialize model variables
    sim_snow = np.zeros_like(pars, shape=len(p)) #simulated snow
    sim_swe = np.zeros_like(pars, shape=len(p)) #simulated snow water equivalent
    sim_melt = np.zeros_like(pars, shape=len(p)) #simulated snow melt
    pr_eff = np.zeros_like(pars, shape=len(p)) #effective precip

    sim_et = np.zeros_like(pars, shape=len(p)) #simulated actual evapotranspiration
    sim_pexc = np.zeros_like(pars, shape=len(p)) #simulated effective rainfall
    sim_sma = np.zeros_like(pars, shape=len(p)) #simulated soil moisuture storage accounting tank
    inflow_direct = np.zeros_like(pars, shape=len(p)) #direct flow
    inflow_base = np.zeros_like(pars, shape=len(p)) #base flow

    state_upres = 0  #initial storage in upper zone/reservoir
    state_lowres = 0 #initial storage in lower zone/reservoir
    state_snow = 0 #initial state of snow storage
    state_sliq = 0 #initial state of liquid water on snowpack
    state_sma = 0 #initial state of soil moisture storage

    #calculate daylight hour
    var_theta = 0.2163108 + 2 * np.arctan(0.9671396 * np.tan(0.0086 * (jdate - 186)))
    var_pi = np.arcsin(0.39795 * np.cos(var_theta))
    daylighthr = 24 - 24 / math.pi * np.arccos((np.sin(0.8333 * math.pi / 180) + np.sin(latitude * math.pi / 180) * np.sin(var_pi)) / (np.cos(latitude * math.pi / 180) * np.cos(var_pi)))
    #now use Hamon's equation
    esat = 0.611 * np.exp(17.27 * temp/(237.3+temp))
    potevap = coeff_pet * 29.8 * daylighthr * (esat/(temp+273.2))

    ##-------Start of Time Loop-------
    for t in range(1, len(p)):

        ##Snow Routine
        ct = temp[t] #temperature at current timestep
        cp = p[t] #precipitation at current timestep

        # Determine if precipitation is snow, rain, or a mixture
        if ct >= (ts + tti): #All rain, no snow
            snow = 0
            rain = cp
        elif ct <= ts:  # All snow, no rain
            snow = cp
            rain = 0
        else:  # Linear mixture of snow and rain in interval tti
            snowfrac = -1 / tti * (ct - ts) + 1
            snow = cp * snowfrac
            rain = cp * (1 - snowfrac)

        # If there is snow to melt
        if state_snow > 0:
            if ct > tm:
                melt = ddf * (ct - tm)
            else:
                melt = 0

            if melt > state_snow:
                state_sliq += state_snow + rain
                state_snow = 0
            else:
                state_sliq += melt + rain
                state_snow -= melt

            # Calculate maximum liquid water held by the remaining snow
            liqmax = state_snow * whc

            if state_sliq > liqmax:
                pr_eff[t] = state_sliq - liqmax
                state_sliq = liqmax
            else:
                pr_eff[t] = 0
        else:
            melt = 0
            pr_eff[t] = rain

        # Calculate refreezing
        if ct < tm:
            refreeze = (tm - ct) * ddf * crf
        else:
            refreeze = 0

        if refreeze > state_sliq:
            state_snow += state_sliq
            state_sliq = 0
        else:
            state_snow += refreeze
            state_sliq -= refreeze

        # Final snow store for the time step by multiplying with snowfall correction factor
        state_snow += snow * scf

        sim_swe[t] = state_snow + state_sliq
        sim_snow[t] = snow
        sim_melt[t] = melt

        ##Soil Moisture Routine
        #calculate effective precipitation
        if state_sma > fc:
            peff = pr_eff[t]
        else:
            effratio = (state_sma / fc) ** beta
            remainwater = pr_eff[t] * (1 - effratio)
            if remainwater + state_sma > fc:
                peff = pr_eff[t] + state_sma - fc
                state_sma = fc
            else:
                peff = pr_eff[t] - remainwater
                state_sma += remainwater

        #calculate actual evapotranspiration
        if state_sma > (pwp * fc):
            pet = potevap[t]
        else:
            pet = potevap[t] * (state_sma / (pwp * fc)) #adjusted evapotranspiration
        et = min(pet, state_sma) #actual evapotranspiration
        state_sma -= et

        #calculate flow
        state_upres += peff
        qs = max(0, (state_upres - l) * ks)
        qi = min(l, state_upres) * ki
        qperc = (state_upres - qs - qi) * kperc
        state_upres = max(state_upres - qs - qi - qperc, 0)
        qq = qs + qi

        state_lowres += qperc
        qb = state_lowres * kb
        state_lowres -= qb

        #intermediate states
        sim_sma[t] = state_sma #simulated state of soil moisture account
        sim_et[t] = et #simulated actual evapotranspiration
        sim_pexc[t] = peff #simulated effective rainfall

        #total flow at this timestep
        inflow_direct[t] = qq
        inflow_base[t] = qb

    ##-------End of Time Loop-------
    qdirect = inflow_direct   #unrouted direct flow
    qbase = inflow_base   #unrouted base flow
    qtotal  = qdirect + qbase    #total flow
    return qtotal


_HBV_RNG = np.random.default_rng(7)          # two years of a snowy mid-latitude climate
HBV_DAY = np.arange(730) % 365 + 1
HBV_TEMP = 8.0 - 12.0 * np.cos(2 * np.pi * (np.arange(730) - 15) / 365) \
    + 3.0 * _HBV_RNG.standard_normal(730)
HBV_P = np.where(_HBV_RNG.random(730) < 0.35, _HBV_RNG.gamma(0.8, 8.0, 730), 0.0)
HBV_PARS = np.array([250.0, 2.0, 0.7, 20.0, 0.2, 0.08, 0.02, 0.05, 1.0, 3.0, 1.1, 0.0,
                     0.5, 2.0, 0.1, 0.05, 2.5])


def hbv_row(pars):
    """Two years of daily flow (729 days) in the model's 17 parameters (the routing's
    ``maxbas`` unused: a zero column)."""
    return hbv(pars, HBV_P, HBV_TEMP, HBV_DAY, 42.0, 0)[1:]


# --- quantum mechanics: a finite square well's lowest levels by finite differences
def square_well(V0, half, n=300, a=1.0):
    """The script with its ``x`` range ``[-half, half]`` and barrier ``V0`` as arguments
    (the script's own 2.0 and 500) and 300 nodes (its 3000: a dense eigensolve here);
    its ``eigh_tridiagonal(d, e)``, refused on duals, is the ``np.linalg.eigh`` of the
    tridiagonal matrix.  The five lowest levels."""
    x=np.linspace(-half,half,n)
    dx=x[2]-x[1]
    vec=np.ones(len(x))/dx**2 #I'll get my second derivative from this

    V=0*x
    V[np.abs(x)>a/2]=V0

    d, off = vec+V, -0.5*vec[:-1]
    e,psi=np.linalg.eigh(np.diag(d) + np.diag(off, 1) + np.diag(off, -1))
    return e[:5]


def well_row(q):
    return square_well(q[0], q[1])


# --- lattice Boltzmann fluid dynamics: flow past a cylinder (D2Q9, BGK)
def lbm_main(rho0, tau, Nx=40, Ny=12, Nt=40):
    """The source's ``main`` with its density and relaxation time as arguments, a 40 x 12
    lattice for 40 steps (its 400 x 100 for 4000) and its plotting left out; its ``F =
    np.ones((Ny, Nx, NL))``, updated by ``F[:, :, i] *= rho0 / rho``, and ``Feq =
    np.zeros(F.shape)`` are the refusals' ``np.ones_like`` / ``np.zeros_like(rho0,
    ...)``.  The vorticity the script plots."""
    # Lattice speeds / weights
    NL = 9
    idxs = np.arange(NL)
    cxs = np.array([0, 0, 1, 1, 1, 0, -1, -1, -1])
    cys = np.array([0, 1, 1, 0, -1, -1, -1, 0, 1])
    weights = np.array(
        [4 / 9, 1 / 9, 1 / 36, 1 / 9, 1 / 36, 1 / 9, 1 / 36, 1 / 9, 1 / 36]
    )  # sums to 1

    # Initial Conditions
    F = np.ones_like(rho0, shape=(Ny, Nx, NL))  # * rho0 / NL
    np.random.seed(42)
    F += 0.01 * np.random.randn(Ny, Nx, NL)
    X, Y = np.meshgrid(range(Nx), range(Ny))
    F[:, :, 3] += 2 * (1 + 0.2 * np.cos(2 * np.pi * X / Nx * 4))
    rho = np.sum(F, 2)
    for i in idxs:
        F[:, :, i] *= rho0 / rho

    # Cylinder boundary
    X, Y = np.meshgrid(range(Nx), range(Ny))
    cylinder = (X - Nx / 4) ** 2 + (Y - Ny / 2) ** 2 < (Ny / 4) ** 2

    # Simulation Main Loop
    for it in range(Nt):

        # Drift
        for i, cx, cy in zip(idxs, cxs, cys):
            F[:, :, i] = np.roll(F[:, :, i], cx, axis=1)
            F[:, :, i] = np.roll(F[:, :, i], cy, axis=0)

        # Set reflective boundaries
        bndryF = F[cylinder, :]
        bndryF = bndryF[:, [0, 5, 6, 7, 8, 1, 2, 3, 4]]

        # Calculate fluid variables
        rho = np.sum(F, 2)
        ux = np.sum(F * cxs, 2) / rho
        uy = np.sum(F * cys, 2) / rho

        # Apply Collision
        Feq = np.zeros_like(rho0, shape=F.shape)
        for i, cx, cy, w in zip(idxs, cxs, cys, weights):
            Feq[:, :, i] = (
                rho
                * w
                * (
                    1
                    + 3 * (cx * ux + cy * uy)
                    + 9 * (cx * ux + cy * uy) ** 2 / 2
                    - 3 * (ux**2 + uy**2) / 2
                )
            )

        F += -(1.0 / tau) * (F - Feq)

        # Apply boundary
        F[cylinder, :] = bndryF

    ux[cylinder] = 0
    uy[cylinder] = 0
    vorticity = (np.roll(ux, -1, axis=0) - np.roll(ux, 1, axis=0)) - (
        np.roll(uy, -1, axis=1) - np.roll(uy, 1, axis=1)
    )
    return vorticity


def lbm_row(q):
    """The vorticity on every other row and every fourth column for ``q = (rho0,
    tau)``."""
    return lbm_main(q[0], q[1])[::2, ::4].ravel()


# --- electrochemistry: a reversible couple's cyclic voltammogram, explicit differences
def cyclic_voltammogram(E_start, D, C_bulk, L=200, n_cycles=1):
    """The script with its formal potential, diffusion coefficient and bulk
    concentration as arguments, 200 nodes (its 1000) and one cycle (its two); its count
    ``int(T_1_cycle / delta_t)`` of a dual ``delta_t`` is taken from
    ``dg.stop_gradient(delta_t)``, and ``C_R = np.ones((M, L)) * C_red_init`` and
    ``I_vector = np.zeros(M)`` are the refusals' ``*_like(E_start, ...)``.  The current."""
    n = 1           # Number of electrons transferred
    C_red_init = 0  # Initial concentration of reduced species

    E_i = 0.3       # Initial potential (V)
    E_lambda = -0.3 # Switching potential (V)
    E_f = 0.3       # Final potential (V)
    v = 0.1         # Scan rate (V/s)

    R_const = 8.314  # Gas constant
    T = 298.15       # Temperature (K)
    F = 96485        # Faraday constant
    sigma = F / (R_const * T)

    voltage_range_1_cycle = abs(E_lambda - E_i) + abs(E_f - E_lambda)
    T_1_cycle = voltage_range_1_cycle / v

    delta_x = 0.2 / L
    delta_t = (0.45 * delta_x**2) / D  # Auto-calculate dt to be safe (alpha = 0.45)

    steps_per_cycle = int(T_1_cycle / dg.stop_gradient(delta_t))
    M = steps_per_cycle * n_cycles

    alpha = D * delta_t / (delta_x**2)

    steps_forward = int(steps_per_cycle / 2)
    E_forward = np.linspace(E_i, E_lambda, steps_forward)
    steps_backward = steps_per_cycle - steps_forward
    E_backward = np.linspace(E_lambda, E_f, steps_backward)
    E_cycle = np.concatenate((E_forward, E_backward))
    E_vector = np.tile(E_cycle, n_cycles)
    M = len(E_vector)

    C_O = np.ones((M, L)) * C_bulk
    C_R = np.ones_like(E_start, shape=(M, L)) * C_red_init

    C_O[0, :] = C_bulk
    C_R[0, :] = C_red_init
    C_O[:, L - 1] = C_bulk
    C_R[:, L - 1] = C_red_init

    I_vector = np.zeros_like(E_start, shape=M)

    for k in range(M - 1):
        Lambda = np.exp(n * sigma * (E_vector[k] - E_start))
        C_R[k, 0] = C_bulk / (1 + Lambda)
        C_O[k, 0] = C_bulk - C_R[k, 0]

        flux_O = (C_O[k, 1] - C_O[k, 0]) / delta_x
        I_vector[k] = -n * F * D * flux_O

        C_O[k+1, 1:L-1] = C_O[k, 1:L-1] + alpha * (C_O[k, 2:L] - 2 * C_O[k, 1:L-1] + C_O[k, 0:L-2])
        C_R[k+1, 1:L-1] = C_R[k, 1:L-1] + alpha * (C_R[k, 2:L] - 2 * C_R[k, 1:L-1] + C_R[k, 0:L-2])

    Lambda_final = np.exp(n * sigma * (E_vector[M-1] - E_start))
    C_R[M-1, 0] = C_bulk / (1 + Lambda_final)
    C_O[M-1, 0] = C_bulk - C_R[M-1, 0]
    flux_O_final = (C_O[M-1, 1] - C_O[M-1, 0]) / delta_x
    I_vector[M-1] = -n * F * D * flux_O_final
    return I_vector


CV_Q = np.array([0.0, 1e-5, 1e-7])            # the script's E0 (V), D (cm^2/s), C (mol/cm^3)


def cv_row(q):
    """Every 8th current of the cycle, in microamperes per cm^2, for ``q = (E0 in V, D in
    1e-5 cm^2/s, C_bulk in 1e-7 mol/cm^3)`` (units that make the inputs O(1), as
    approx_fprime's absolute step wants)."""
    return cyclic_voltammogram(q[0], q[1] * 1e-5, q[2] * 1e-7)[::8] * 1e6


PROBLEMS64 = {
    "power flow, Newton over lists (3)": (powerflow_row, np.array([0.5, 0.9, 0.3])),
    "magnetotelluric 1-D, complex recursion (8)": (
        mt_row, np.array([2.0, 2.0, 1.0, 1.0, 3.0, 3.0, 3.0, 3.0])),
    "FDTD 1-D, in-place slices (3)": (fdtd_row, np.array([0.2, 0.1, 0.1])),
    "fibre split-step Fourier, np.fft (3)": (fibre_row, np.array([0.64, 3.0, -2.0])),
    "Newmark shear frame, linalg.solve (3)": (newmark_row, np.array([1.0, 50.0, 0.02])),
    "Mie efficiencies, jv/yv recurrence (3)": (mie_row, np.array([3.0, 1.55, 0.01])),
    "HBV rainfall-runoff, snow branches (17)": (hbv_row, HBV_PARS.copy()),
    "square well, eigh (2)": (well_row, np.array([500.0, 2.0])),
    "lattice Boltzmann, np.roll (2)": (lbm_row, np.array([100.0, 0.6])),
    "cyclic voltammetry, explicit rows (3)": (cv_row, np.array([0.0, 1.0, 1.0])),
}
