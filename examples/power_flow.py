"""AC power flow of the WSCC 9-bus system written with complex voltages: its Newton
Jacobian (dense and sparse), the Hessian an OPF needs, sensitivities of losses and line
flows to injections, and an AC optimal power flow with scipy, each against an oracle.

The network is MATPOWER's ``case9`` (the data of rwl/PYPOWER, pypower/case9.py, commit
9c719bb; buses numbered from 0).  The code is written as a power-systems engineer writes
it: a sparse bus admittance matrix ``Y`` (scipy.sparse), complex voltages
``V = Vm exp(j Va)``, the injections ``S = V conj(Y V)``, and the mismatch of the PV and PQ
buses as the Newton unknowns ``x = [Va(pv, pq), Vm(pq)]``.  dualgrad differentiates that
complex code with real inputs; its numbers are checked against

* the hand-derived matrix formulas of MATPOWER's technical note 2 (R. D. Zimmerman,
  "AC Power Flows, Generalized OPF Costs and their Derivatives using Complex Matrix
  Notation", 2010; PYPOWER's dSbus_dV and d2Sbus_dV2) for the Jacobian and the Hessian,
* Richardson-extrapolated central differences of whole power-flow solves for the
  sensitivities (d losses / d P, the AC "PTDF" d P_flow / d P, and the loading
  sensitivity of a voltage-stability index, the Jacobian's smallest singular value),
* MATPOWER's published optimum of case9's AC OPF, 5296.69 $/h, for the OPF.

The sparse Jacobian takes its pattern from ``Y``'s structure, which an engineer knows
anyway (dualgrad checks it with one extra pass); ``dg.sparsity`` detects the same one
through the complex voltages (``sparsity="auto"``).

Run:  python examples/power_flow.py
"""

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

import dualgrad as dg

BASE_MVA = 100.0
# buses: type (3 slack, 2 PV, 1 PQ), load Pd, Qd (MW, MVAr), Vm limits (p.u.)
BUS_TYPE = np.array([3, 2, 2, 1, 1, 1, 1, 1, 1])
PD = np.array([0.0, 0, 0, 0, 90, 0, 100, 0, 125])
QD = np.array([0.0, 0, 0, 0, 30, 0, 35, 0, 50])
VMIN, VMAX = 0.9, 1.1
# branches: from, to, r, x, total line charging b (p.u.)
BRANCH = np.array([[0, 3, 0.0, 0.0576, 0.0],
                   [3, 4, 0.017, 0.092, 0.158],
                   [4, 5, 0.039, 0.17, 0.358],
                   [2, 5, 0.0, 0.0586, 0.0],
                   [5, 6, 0.0119, 0.1008, 0.209],
                   [6, 7, 0.0085, 0.072, 0.149],
                   [7, 1, 0.0, 0.0625, 0.0],
                   [7, 8, 0.032, 0.161, 0.306],
                   [8, 3, 0.01, 0.085, 0.176]])
# generators: bus, Pg (MW), Vm setpoint, Pmin, Pmax (MW), Qmin, Qmax (MVAr), cost c2, c1, c0
GEN = np.array([[0, 0.0, 1.0, 10, 250, -300, 300, 0.11, 5.0, 150],
                [1, 163.0, 1.0, 10, 300, -300, 300, 0.085, 1.2, 600],
                [2, 85.0, 1.0, 10, 270, -300, 300, 0.1225, 1.0, 335]])

NB, NL, NG = len(BUS_TYPE), len(BRANCH), len(GEN)
REF = np.flatnonzero(BUS_TYPE == 3)
PV = np.flatnonzero(BUS_TYPE == 2)
PQ = np.flatnonzero(BUS_TYPE == 1)
PVPQ = np.concatenate([PV, PQ])
GBUS = GEN[:, 0].astype(int)


def admittances(branch, nb):
    """Y (bus admittance) and Yf (from-end branch currents per bus voltage), sparse."""
    f, t = branch[:, 0].astype(int), branch[:, 1].astype(int)
    ys = 1.0 / (branch[:, 2] + 1j * branch[:, 3])
    ysh = 0.5j * branch[:, 4]
    nl = len(branch)
    Y = sp.csr_matrix((np.concatenate([ys + ysh, ys + ysh, -ys, -ys]),
                       (np.concatenate([f, t, f, t]), np.concatenate([f, t, t, f]))),
                      shape=(nb, nb))               # repeated entries add
    lines = np.arange(nl)
    Yf = sp.csr_matrix((np.concatenate([ys + ysh, -ys]),
                        (np.concatenate([lines, lines]), np.concatenate([f, t]))),
                       shape=(nl, nb))
    return Y, Yf


Y, YF = admittances(BRANCH, NB)
FROM = BRANCH[:, 0].astype(int)
CG = sp.csr_matrix((np.ones(NG), (GBUS, np.arange(NG))), shape=(NB, NG))
SLOAD = (PD + 1j * QD) / BASE_MVA
VA_SET = np.zeros(NB)
VM_SET = np.ones(NB)
VM_SET[GBUS] = GEN[:, 2]


def injections(p_gen):
    """Scheduled net injections S (p.u.) for generator outputs p_gen (MW; reactive 0)."""
    return CG @ (p_gen / BASE_MVA) - SLOAD


def voltages(x):
    """Complex bus voltages from the Newton unknowns x = [Va(pv, pq), Vm(pq)]."""
    Va = VA_SET + np.zeros_like(x, shape=NB)        # a buffer that holds duals
    Vm = VM_SET + np.zeros_like(x, shape=NB)
    Va[PVPQ] = x[:len(PVPQ)]
    Vm[PQ] = x[len(PVPQ):]
    return Vm * np.exp(1j * Va)


def mismatch(x, S):
    """P mismatch at PV and PQ buses, Q mismatch at PQ buses (p.u.)."""
    V = voltages(x)
    mis = V * np.conj(Y @ V) - S
    return np.concatenate([mis[PVPQ].real, mis[PQ].imag])     # not np.r_ (README)


def hand_jacobian(x):
    """The power-flow Jacobian from technical note 2's formulas (PYPOWER's dSbus_dV)."""
    V = voltages(x)
    I = Y @ V
    dV, dI, dVn = sp.diags(V), sp.diags(I), sp.diags(V / np.abs(V))
    dS_dVm = dV @ (Y @ dVn).conj() + dI.conj() @ dVn
    dS_dVa = 1j * dV @ (dI - Y @ dV).conj()
    dS_dVa, dS_dVm = dS_dVa.tocsr(), dS_dVm.tocsr()
    return sp.bmat([[dS_dVa[PVPQ][:, PVPQ].real, dS_dVm[PVPQ][:, PQ].real],
                    [dS_dVa[PQ][:, PVPQ].imag, dS_dVm[PQ][:, PQ].imag]], format="csr")


# the Jacobian's pattern from Y's: the rows and columns of the unknowns, each bus's
# mismatch coupled to its neighbours' angles and magnitudes
UNKNOWN_BUS = np.concatenate([PVPQ, PQ])
PATTERN = (Y != 0)[UNKNOWN_BUS][:, UNKNOWN_BUS]


def solve_power_flow(S, x=None, tol=1e-12):
    """Newton-Raphson on plain numbers with dualgrad's sparse Jacobian: (x, iterations)."""
    x = np.concatenate([VA_SET[PVPQ], VM_SET[PQ]]) if x is None else x
    for it in range(30):
        F = mismatch(x, S)
        if np.max(np.abs(F)) < tol:
            return x, it
        J = dg.jacobian(mismatch, x, S, sparsity=PATTERN, format="csc")
        x = x - sp.linalg.spsolve(J, F)
    raise RuntimeError("power flow did not converge")


def solve_on_duals(p_gen, steps=8):
    """The power flow as a function of the PV generators' outputs (MW), differentiable:
    Newton steps whose Jacobian is taken at the plain values (dg.stop_gradient), on the
    dual mismatch, so the unknowns' derivatives converge with their values."""
    S = CG[:, 1:] @ (p_gen / BASE_MVA) - SLOAD       # generator 0 is the slack
    x = np.concatenate([VA_SET[PVPQ], VM_SET[PQ]]) + np.zeros_like(p_gen, shape=len(UNKNOWN_BUS))
    for _ in range(steps):
        J = dg.jacobian(mismatch, dg.stop_gradient(x), dg.stop_gradient(S))
        x = x - np.linalg.solve(J, mismatch(x, S))
    return voltages(x)


def losses_and_flows(p_gen):
    """Total active losses and the from-end active flows (MW)."""
    V = solve_on_duals(p_gen)
    losses = np.sum((V * np.conj(Y @ V)).real) * BASE_MVA
    flows = (V[FROM] * np.conj(YF @ V)).real * BASE_MVA
    return np.concatenate([[losses], flows])


def richardson(fun, p, h=1e-2):
    """Central differences at h and h/2, extrapolated (fourth order), column by column."""
    def central(k, step):
        e = np.zeros_like(p)
        e[k] = step
        return (fun(p + e) - fun(p - e)) / (2 * step)
    cols = [(4 * central(k, h / 2) - central(k, h)) / 3 for k in range(len(p))]
    return np.stack(cols, axis=-1)


def plain_losses_and_flows(p_gen):
    S = CG[:, 1:] @ (p_gen / BASE_MVA) - SLOAD
    V = voltages(solve_power_flow(S, tol=1e-14)[0])
    return np.concatenate([[np.sum((V * np.conj(Y @ V)).real)],
                           (V[FROM] * np.conj(YF @ V)).real]) * BASE_MVA


def hand_hessian(V, lam):
    """Technical note 2's second derivatives of lam . S in [Va, Vm] (d2Sbus_dV2)."""
    I = Y.toarray() @ V
    Yd = Y.toarray()
    A = np.diag(lam * V)
    C = A @ np.conj(Yd @ np.diag(V))
    D = Yd.conj().T @ np.diag(V)
    E = np.diag(V.conj()) @ (D @ np.diag(lam) - np.diag(D @ lam))
    F = C - A @ np.diag(np.conj(I))
    G = np.diag(1.0 / np.abs(V))
    Gaa, Gva, Gvv = E + F, 1j * G @ (E - F), G @ (C + C.T) @ G
    return np.block([[Gaa, Gva.T], [Gva, Gvv]])


def stability_index(k):
    """The smallest singular value of the power-flow Jacobian at the solution for loads
    and generation scaled by k (a voltage-stability index: 0 at the nose of the PV
    curve).  Under a derivative the Jacobian is itself a dual (a dense nested call)."""
    S = injections(GEN[:, 1]) * k
    x = np.concatenate([VA_SET[PVPQ], VM_SET[PQ]]) + np.zeros_like(k, shape=len(UNKNOWN_BUS))
    for _ in range(8):
        J = dg.jacobian(mismatch, dg.stop_gradient(x), dg.stop_gradient(S))
        x = x - np.linalg.solve(J, mismatch(x, S))
    return np.linalg.svd(dg.jacobian(mismatch, x, S), compute_uv=False)[-1]


def plain_stability_index(k):
    x = solve_power_flow(injections(GEN[:, 1]) * k, tol=1e-14)[0]
    return np.linalg.svd(hand_jacobian(x).toarray(), compute_uv=False)[-1]


def opf(jac):
    """AC OPF: generation cost over z = [Va, Vm, Pg, Qg] (p.u.) under the power balance."""
    def cost(z):
        Pg = z[2 * NB:2 * NB + NG] * BASE_MVA
        return np.sum(GEN[:, 7] * Pg ** 2 + GEN[:, 8] * Pg + GEN[:, 9])

    def balance(z):
        Va, Vm = z[:NB], z[NB:2 * NB]
        Sg = z[2 * NB:2 * NB + NG] + 1j * z[2 * NB + NG:]
        V = Vm * np.exp(1j * Va)
        mis = V * np.conj(Y @ V) + SLOAD - CG @ Sg
        return np.concatenate([mis.real, mis.imag, Va[REF]])

    z0 = np.concatenate([VA_SET, VM_SET, GEN[:, 1] / BASE_MVA, np.zeros(NG)])
    bounds = ([(None, None)] * NB + [(VMIN, VMAX)] * NB
              + [(lo / BASE_MVA, hi / BASE_MVA) for lo, hi in GEN[:, 3:5]]
              + [(lo / BASE_MVA, hi / BASE_MVA) for lo, hi in GEN[:, 5:7]])
    calls = [0]

    def counted(z):
        calls[0] += 1
        return cost(z)
    extra = {"jac": dg.grad(cost)} if jac else {}
    cons = {"type": "eq", "fun": balance, **({"jac": dg.jacfwd(balance)} if jac else {})}
    res = minimize(counted, z0, method="SLSQP", bounds=bounds, constraints=[cons],
                   options={"maxiter": 300, "ftol": 1e-10}, **extra)
    return res, calls[0]


def main():
    S0 = injections(GEN[:, 1])
    x, iters = solve_power_flow(S0)
    print(f"power flow: Newton with dualgrad's sparse Jacobian converged in {iters} steps, "
          f"max |mismatch| = {np.max(np.abs(mismatch(x, S0))):.1e}")

    # 1. the Newton Jacobian, at a point away from the solution too
    xs = [x, x + 0.05 * np.sin(np.arange(len(x)) + 1.0)]
    dense = max(np.max(np.abs(dg.jacobian(mismatch, p, S0) - hand_jacobian(p).toarray()))
                for p in xs)
    sparse = max(abs(dg.jacobian(mismatch, p, S0, sparsity=PATTERN) - hand_jacobian(p)).max()
                 for p in xs)
    print(f"Jacobian vs technical note 2: dense max error {dense:.1e}, "
          f"sparse max error {sparse:.1e} ({PATTERN.nnz} of {PATTERN.shape[0] ** 2} entries)")
    same = np.array_equal(dg.sparsity(mismatch, x, S0).toarray() != 0,
                          PATTERN.toarray() != 0)
    print(f"dg.sparsity's pattern, traced through the complex voltages, is Y's: {same}")

    # 2. the Hessian of lam . P and lam . Q in [Va, Vm] (an interior-point OPF's)
    V = voltages(x)
    lam = np.linspace(-1.0, 2.0, NB)
    z = np.concatenate([np.angle(V), np.abs(V)])

    def weighted(z, part):
        W = z[NB:] * np.exp(1j * z[:NB])
        S = W * np.conj(Y @ W)
        return lam @ (S.real if part == "P" else S.imag)
    G = hand_hessian(V, lam)
    herr = max(np.max(np.abs(dg.hessian(weighted, z, "P") - G.real)),
               np.max(np.abs(dg.hessian(weighted, z, "Q") - G.imag)))
    print(f"Hessian of lam.P and lam.Q vs technical note 2: max error {herr:.1e} "
          f"(entries up to {np.max(np.abs(G)):.0f})")

    # 3. sensitivities to the PV generators' outputs, through the Newton steps
    p = GEN[1:, 1]
    sens = dg.jacobian(losses_and_flows, p)
    ref = richardson(plain_losses_and_flows, p)
    serr = np.max(np.abs(sens - ref)) / np.max(np.abs(ref))
    print(f"d losses / d Pg = {np.array2string(sens[0], precision=5)} MW/MW; "
          f"AC PTDF of line 4-5 = {np.array2string(sens[2], precision=4)}")
    print(f"sensitivities vs Richardson differences of whole solves: rel. error {serr:.1e}")

    # 4. a voltage-stability index's sensitivity to loading (a Jacobian inside a derivative)
    k = 1.5
    dsigma = dg.derivative(stability_index, k)
    h = 1e-3
    f = [plain_stability_index(k + i * h) for i in (-2, -1, 1, 2)]
    ref = (8 * (f[2] - f[1]) - (f[3] - f[0])) / (12 * h)
    print(f"d sigma_min(J) / d loading at 1.5x = {dsigma:.8f}; Richardson differences of "
          f"solves: rel. error {abs(dsigma - ref) / abs(ref):.1e}")

    # 5. AC OPF with exact derivatives, against differences
    exact, n_exact = opf(jac=True)
    fd, n_fd = opf(jac=False)
    print(f"AC OPF (SLSQP): cost {exact.fun:.2f} $/h with dualgrad, {n_exact} cost calls; "
          f"{fd.fun:.2f} $/h with differences, {n_fd} calls (MATPOWER: 5296.69)")


if __name__ == "__main__":
    main()
