"""A kineticist's derivatives: Arrhenius rates, a batch reactor, ignition delay.

Three reactions A -> B, B -> C, A + B -> D with modified Arrhenius rate constants
``k = A T**b exp(-Ea / (R T))`` in an adiabatic constant-volume batch reactor,
written as it is in plain NumPy: rates ``k * prod(c[:, None] ** order, axis=0)``
from the reactant order matrix, ``np.einsum`` over the stoichiometric matrix, an
energy balance on the heats of reaction. With dualgrad:

* the right-hand side's Jacobian in the state (``solve_ivp``'s ``jac=``),
* the local sensitivity coefficients ``d ln y(t_f) / d ln A_j`` of every species and
  the temperature to every pre-exponential factor, through ``dg.solve_ivp(method="BDF")``,
* the ignition delay (the time T crosses T0 + 40 K, a terminal event) and its
  gradient in ``ln A``,
* the ignition delay as the time of the largest dT/dt: an event on ``d(dT/dt)/dt``
  (``dg.jvp`` of the right-hand side along itself), not ``t[np.argmax(dT/dt)]`` on the
  output grid, whose gradient is 0 (a grid point does not move with the parameters),
* ``d ln Kp / dT`` of a NASA-7 equilibrium constant,

each against an independent oracle: the Jacobian and the forward sensitivity
equations ``S' = f_y S + f_p`` written by hand and integrated by SciPy's Radau at
``rtol=1e-12``; the event's ``dt/dp = -S_T / f_T``; Richardson central differences
of SciPy's event time at ``rtol=1e-13`` for the largest dT/dt; van't Hoff's
``d ln Kp / dT = sum(nu h) / (R T**2)``.  dg.solve_ivp's derivatives are as accurate
as its solution (``rtol=1e-10`` here), so they agree to about that; a trace
species' ``d ln y / d ln A`` needs an ``atol`` far below its concentration.

Run:  python examples/kinetics_sensitivity.py
"""

import numpy as np
from scipy.integrate import solve_ivp

import dualgrad as dg

R = 8.314462618                                   # J / (mol K)
nu = np.array([[-1, 0, -1],                       # species x reactions: A, B, C, D
               [1, -1, -1],
               [0, 1, 0],
               [0, 0, 1]], dtype=float)
order = np.where(nu < 0, -nu, 0.0)                # reactant orders (mass action)
dH = np.array([-8.0e4, -5.0e4, -1.2e5])           # J / mol
rho_cp = 2000.0                                   # J / (L K), per litre of mixture
lnA = np.log([1.0e10, 5.0e9, 2.0e11])
b = np.array([0.0, 0.5, -0.3])
Ea = np.array([1.00e5, 1.05e5, 1.10e5])           # J / mol
y0 = np.array([1.0, 0.0, 0.0, 0.0, 560.0])        # mol / L, K
T_IGN = y0[4] + 40.0


def rhs(t, y, lnA):
    """dy/dt of the batch reactor: four concentrations, then the temperature."""
    c, T = y[:4], y[4]
    k = np.exp(lnA) * T ** b * np.exp(-Ea / (R * T))
    r = k * np.prod(c[:, None] ** order, axis=0)
    return np.concatenate([np.einsum("sr,r->s", nu, r), [-(dH @ r) / rho_cp]])


def y_end(lnA, t_f=0.5):
    # atol far below the smallest concentration (A ends near 5e-8 mol / L): the
    # relative sensitivities of trace species are only as accurate as their values
    sol = dg.solve_ivp(rhs, (0.0, t_f), y0, method="BDF", args=(lnA,), rtol=1e-10, atol=1e-16)
    return sol.y[:, -1]


def ignition_delay(lnA):
    def hot(t, y, lnA):
        return y[4] - T_IGN
    hot.terminal, hot.direction = True, 1
    sol = dg.solve_ivp(rhs, (0.0, 5.0), y0, method="BDF", args=(lnA,), events=hot,
                       rtol=1e-10, atol=1e-12)
    return sol.t_events[0][0]


def time_of_max_heating(lnA):
    """The time dT/dt peaks: where its own rate, grad(f_T) . f, falls through 0."""
    def peak(t, y, lnA):
        return dg.jvp(lambda u: rhs(t, u, lnA)[4], y, rhs(t, y, lnA))[1]
    peak.terminal, peak.direction = True, -1
    sol = dg.solve_ivp(rhs, (0.0, 0.5), y0, method="BDF", args=(lnA,), events=peak,
                       rtol=1e-10, atol=1e-14)
    return sol.t_events[0][0]


def time_of_max_heating_on_grid(lnA):
    """The same read off the output grid: piecewise constant in lnA, gradient 0."""
    t = np.linspace(0.0, 0.5, 2001)
    sol = dg.solve_ivp(rhs, (0.0, 0.5), y0, method="BDF", args=(lnA,), t_eval=t,
                       rtol=1e-10, atol=1e-14)
    return t[np.argmax(np.gradient(sol.y[4], t))]


# ---- the oracle: derivatives of rhs written by hand (orders are 0 or 1 here) ----
def rates_and_partials(y, lnA):
    c, T = y[:4], y[4]
    k = np.exp(lnA) * T ** b * np.exp(-Ea / (R * T))
    conc = np.array([c[0], c[1], c[0] * c[1]])
    r = k * conc
    dconc_dc = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [c[1], c[0], 0, 0]], dtype=float)
    dr_dy = np.column_stack([k[:, None] * dconc_dc, r * (b / T + Ea / (R * T ** 2))])
    return r, dr_dy                                  # dr/dlnA = diag(r)


def hand_rhs_jacobian(y, lnA):
    r, dr_dy = rates_and_partials(y, lnA)
    return np.vstack([nu @ dr_dy, -(dH @ dr_dy) / rho_cp])


def hand_sensitivities(t_f, event=None):
    stoich = np.vstack([nu, -dH / rho_cp])          # f = stoich @ r

    def augmented(t, z):
        y, S = z[:5], z[5:].reshape(5, 3)
        r, dr_dy = rates_and_partials(y, lnA)
        return np.concatenate([stoich @ r, (stoich @ dr_dy @ S + stoich * r).ravel()])

    return solve_ivp(augmented, (0.0, t_f), np.concatenate([y0, np.zeros(15)]), method="Radau",
                     rtol=1e-12, atol=1e-14, events=event)


def richardson_time_of_max_heating(h=2e-3):
    """Central differences (h, h / 2, Richardson) of SciPy's event time at rtol=1e-13."""
    def t_peak(lnA):
        def peak(t, y, lnA):
            return hand_rhs_jacobian(y, lnA)[4] @ rhs(t, y, lnA)
        peak.terminal, peak.direction = True, -1
        sol = solve_ivp(rhs, (0.0, 0.5), y0, method="Radau", args=(lnA,), events=peak,
                        rtol=1e-13, atol=1e-16)
        return sol.t_events[0][0]

    def central(j, h):
        e = np.zeros(3)
        e[j] = h
        return (t_peak(lnA + e) - t_peak(lnA - e)) / (2 * h)
    return np.array([(4 * central(j, h / 2) - central(j, h)) / 3 for j in range(3)])


def van_t_hoff_check():
    """d ln Kp / dT of H2 + 1/2 O2 -> H2O from NASA-7 polynomials (GRI-Mech 3.0, T < 1000 K)."""
    a = np.array([[2.34433112, 7.98052075e-3, -1.94781510e-5, 2.01572094e-8, -7.37611761e-12,
                   -917.935173, 0.683010238],
                  [3.78245636, -2.99673416e-3, 9.84730201e-6, -9.68129509e-9, 3.24372837e-12,
                   -1063.94356, 3.65767573],
                  [4.19864056, -2.03643410e-3, 6.52040211e-6, -5.48797062e-9, 1.77197817e-12,
                   -30293.7267, -0.849032208]]).T
    nu_r = np.array([-1.0, -0.5, 1.0])

    def h_RT(T):
        return a[0] + a[1] * T / 2 + a[2] * T**2 / 3 + a[3] * T**3 / 4 + a[4] * T**4 / 5 + a[5] / T

    def s_R(T):
        return a[0] * np.log(T) + a[1] * T + a[2] * T**2 / 2 + a[3] * T**3 / 3 + a[4] * T**4 / 4 + a[6]

    def ln_Kp(T):
        return -nu_r @ (h_RT(T) - s_R(T))

    T = 800.0
    exact = (nu_r @ h_RT(T)) / T                     # sum(nu h) / (R T**2)
    return abs(dg.derivative(ln_Kp, T) - exact) / abs(exact)


if __name__ == "__main__":
    J = dg.jacobian(lambda y: rhs(0.0, y, lnA), y0 + np.array([0.0, 0.1, 0.0, 0.0, 0.0]))
    J_hand = hand_rhs_jacobian(y0 + np.array([0.0, 0.1, 0.0, 0.0, 0.0]), lnA)
    print(f"rhs Jacobian: max rel. error {np.abs(J - J_hand).max() / np.abs(J_hand).max():.1e}")

    y = y_end(lnA)
    S = dg.jacobian(y_end, lnA)                     # d y(t_f) / d lnA, 5 x 3
    ref = hand_sensitivities(0.5)
    S_ref = ref.y[5:, -1].reshape(5, 3)
    print("d ln y(t_f) / d ln A (rows A, B, C, D, T; columns reactions 1-3):")
    print(np.array2string(S / y[:, None], precision=4, suppress_small=True))
    y_ref = ref.y[:5, -1]
    rel = np.abs((S / y[:, None]) / (S_ref / y_ref[:, None]) - 1).max()
    print(f"d ln y / d ln A: max rel. error of any entry {rel:.1e}")

    def hot(t, z):
        return z[4] - T_IGN
    hot.terminal, hot.direction = True, 1
    ref = hand_sensitivities(5.0, event=hot)
    t_e, z_e = ref.t_events[0][0], ref.y_events[0][0]
    r, _ = rates_and_partials(z_e[:5], lnA)
    grad_ref = -z_e[5:].reshape(5, 3)[4] / (-(dH @ r) / rho_cp)
    t_ign = ignition_delay(lnA)
    grad = dg.gradient(ignition_delay, lnA)
    print(f"ignition delay {t_ign:.6f} s (Radau: {t_e:.6f} s); d t_ign / d ln A = {grad}")
    print(f"ignition delay gradient: max rel. error {np.abs(grad - grad_ref).max() / np.abs(grad_ref).max():.1e}")
    g_peak = dg.gradient(time_of_max_heating, lnA)
    g_ref = richardson_time_of_max_heating()
    print(f"largest dT/dt at {time_of_max_heating(lnA):.6f} s; gradient {g_peak}")
    print(f"largest dT/dt gradient: max rel. error {np.abs(g_peak - g_ref).max() / np.abs(g_ref).max():.1e}")
    print(f"read off the output grid instead: gradient {dg.gradient(time_of_max_heating_on_grid, lnA)}")
    print(f"van't Hoff: rel. error {van_t_hoff_check():.1e}")
