"""A radial-velocity orbit fit with exact Jacobians through a Kepler solver loop.

The model follows radvel (California-Planet-Search/radvel, radvel/kepler.py and
radvel/orbit.py): Kepler's equation M = E - e sin E solved by third-order Newton
corrections in a NumPy while loop until |E - e sin E - M| < 1e-12, then the true
anomaly and the RV curve K (cos(nu + w) + e cos w) + gamma.  dualgrad runs the loop
on dual numbers as it is.  The loop stops when the *value* has converged, so the
derivatives trail by the last step's error; one more Newton step on duals after the
loop makes them exact (README, "Iterative solvers").  Both are compared with the
closed forms dnu/dM = (1 + e cos nu)^2 / (1 - e^2)^(3/2) and dnu/de =
sin nu (2 + e cos nu) / (1 - e^2).

The fit is scipy.optimize.least_squares with jac=dg.jacfwd(residuals), beside the
same fit with SciPy's finite differences; the parameters' covariance comes from the
Hessian of chi^2 / 2 (dg.hessian, the observed Fisher information) and from the
Gauss-Newton J^T J.
"""

import numpy as np
from scipy.optimize import least_squares

import dualgrad as dg


def kepler(M, e):
    """radvel.kepler.kepler: E from M and e, third-order Newton steps to 1e-12."""
    E = M + np.sign(np.sin(M)) * 0.85 * e
    f = E - e * np.sin(E) - M
    todo = np.where(np.abs(f) > 1e-12)[0]
    while len(todo) > 0:
        Ei, ei, fi = E[todo], e[todo], f[todo]
        fp = 1 - ei * np.cos(Ei)
        fpp = ei * np.sin(Ei)
        d1 = -fi / fp
        d2 = -fi / (fp + d1 * fpp / 2.0)
        d3 = -fi / (fp + d2 * fpp / 2.0 + d2 * d2 * (1 - fp) / 6.0)
        E[todo] = Ei + d3
        f = E - e * np.sin(E) - M
        todo = np.where(np.abs(f) > 1e-12)[0]
    return E


def rv(theta, t, exact_step=True):
    """theta = (period, time of periastron, e, omega, K, gamma)."""
    per, tp, e, om, k, gamma = theta
    M = 2 * np.pi * (((t - tp) / per) - np.floor((t - tp) / per))
    ecc = np.zeros(t.size) + e
    E = kepler(M, ecc)
    if exact_step:              # one Newton step on duals: exact first derivatives
        E = E - (E - ecc * np.sin(E) - M) / (1 - ecc * np.cos(E))
    nu = 2.0 * np.arctan(((1.0 + e) / (1.0 - e)) ** 0.5 * np.tan(E / 2.0))
    return k * (np.cos(nu + om) + e * np.cos(om)) + gamma


def jacobian_closed_form(theta, t):
    per, tp, e, om, k, gamma = theta
    M = 2 * np.pi * (((t - tp) / per) - np.floor((t - tp) / per))
    E = np.full_like(M, np.pi)              # Newton from pi converges for every M, e < 1
    for _ in range(60):
        E = E - (E - e * np.sin(E) - M) / (1 - e * np.cos(E))
    nu = 2 * np.arctan(np.sqrt((1 + e) / (1 - e)) * np.tan(E / 2))
    dnu_dM = (1 + e * np.cos(nu)) ** 2 / (1 - e ** 2) ** 1.5
    dnu_de = np.sin(nu) * (2 + e * np.cos(nu)) / (1 - e ** 2)
    s = -k * np.sin(nu + om)
    return np.column_stack([s * dnu_dM * (-2 * np.pi * (t - tp) / per ** 2),
                            s * dnu_dM * (-2 * np.pi / per),
                            s * dnu_de + k * np.cos(om),
                            -k * (np.sin(nu + om) + e * np.sin(om)),
                            np.cos(nu + om) + e * np.cos(om),
                            np.ones_like(t)])


def rel(J, Jo):
    return np.max(np.abs(J - Jo).max(axis=0) / np.abs(Jo).max(axis=0))


def main():
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(2455000.0, 2457000.0, 60))
    truth = np.array([32.468, 2456000.3, 0.5, 1.2, 10.0, 1.5])
    sigma = 2.0
    y = rv(truth, t) + sigma * rng.standard_normal(t.size)

    J_loop = dg.jacobian(lambda q: rv(q, t, exact_step=False), truth)
    J_step = dg.jacobian(rv, truth, t)
    J_true = jacobian_closed_form(truth, t)
    print(f"Jacobian vs closed form: the loop alone rel. error {rel(J_loop, J_true):.1e}, "
          f"with one exact Newton step rel. error {rel(J_step, J_true):.1e}")

    residuals = lambda q: (rv(q, t) - y) / sigma
    start = truth + np.array([0.02, -0.5, -0.05, 0.1, 0.5, 0.3])
    exact = least_squares(residuals, start, jac=dg.jacfwd(residuals), x_scale="jac")
    fd = least_squares(residuals, start, x_scale="jac")
    for name, fit in (("exact Jacobian", exact), ("finite differences", fd)):
        print(f"least_squares, {name}: success={fit.success}  residual calls={fit.nfev}  "
              f"Jacobian calls={fit.njev}  chi2={2 * fit.cost:.4f}")

    H = dg.hessian(lambda q: 0.5 * np.sum(residuals(q) ** 2), exact.x)
    J = dg.jacobian(residuals, exact.x)
    err_H = np.sqrt(np.diag(np.linalg.inv(H)))
    err_GN = np.sqrt(np.diag(np.linalg.inv(J.T @ J)))
    names = ["P", "tp", "e", "omega", "K", "gamma"]
    for n, v, a, b, s0 in zip(names, exact.x, err_H, err_GN, truth):
        print(f"{n:>6s} = {v:14.6f} +- {a:.2e} (Hessian) {b:.2e} (J^T J)   truth {s0}")
    print(f"Hessian symmetric: {np.array_equal(H, H.T)}")


if __name__ == "__main__":
    main()
