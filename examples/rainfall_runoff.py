"""A hydrologist's derivatives: GR4J calibrated by NSE / KGE, routing, infiltration.

GR4J (Perrin, Michel and Andreassian 2003, J. Hydrol. 279: 275-289) written as its
public NumPy / numba codes write it (the structure of kratzert/RRMPG's
``rrmpg/models/gr4j_model.py`` at commit 04443bad): a loop over the days with Python's
``if`` on the day's rain and evaporation, ``max(0, ...)`` on the routing store, the
stores kept in buffers indexed by day and two unit hydrographs shifted by hand. Two
changes make it run on duals, both named by dualgrad's errors: the buffers come from
``np.zeros_like(par, shape=n)`` (not ``np.zeros(n)``), and the hydrographs' lengths
``ceil(x4)`` from ``dg.stop_gradient(x4)`` (an integer has no derivative). With dualgrad:

* the gradients of NSE and KGE (``np.corrcoef``, ``np.std``) in the four parameters,
* ``scipy.optimize.minimize(method="L-BFGS-B", bounds=...)`` with ``dg.approx_fprime``
  as ``jac=`` beside scipy's finite differences (function calls counted),
* the hydrograph's Jacobian ``dQ_t / dx_j`` and the sensitivity of the peak flow and of
  the flow duration curve's Q5 / Q50 / Q95 (``np.percentile``),
* the Hessian of the sum of squares at the optimum and the parameters' standard errors
  from it,
* a Nash cascade's unit hydrograph (``scipy.special.gamma``) routed by ``np.convolve``,
  Muskingum channel routing, and Green-Ampt cumulative infiltration by
  ``scipy.optimize.newton`` per time,

each against an independent oracle: Richardson-extrapolated central differences of
the plain model (GR4J, Muskingum), complex steps (the Nash cascade) and Green-Ampt's
implicit derivative ``dF/dK = t / (1 - psi / (psi + F))``.

Run:  python examples/rainfall_runoff.py
"""

import numpy as np
from scipy.optimize import minimize, newton
from scipy.special import gamma

import dualgrad as dg

T = 365
RNG = np.random.default_rng(7)
PREC = np.maximum(RNG.gamma(0.55, 9.0, T) - 1.0, 0.0)                # mm / day
ETP = np.maximum(2.5 + 2.0 * np.sin(2 * np.pi * (np.arange(T) - 80) / 365), 0.2)
X_TRUE = np.array([320.0, 0.6, 85.0, 2.3])     # x1 (mm), x2 (mm / day), x3 (mm), x4 (days)
X0 = np.array([450.0, 0.0, 60.0, 1.6])
BOUNDS = [(100.0, 1200.0), (-5.0, 3.0), (20.0, 300.0), (1.1, 2.9)]


def s_curve1(t, x4):
    if t <= 0:
        return 0.0
    elif t < x4:
        return (t / x4) ** 2.5
    return 1.0


def s_curve2(t, x4):
    if t <= 0:
        return 0.0
    elif t <= x4:
        return 0.5 * (t / x4) ** 2.5
    elif t < 2 * x4:
        return 1 - 0.5 * (2 - t / x4) ** 2.5
    return 1.0


def gr4j(par, prec=PREC, etp=ETP):
    """Daily discharge (mm) of GR4J, the stores starting at 60 % and 70 % full."""
    x1, x2, x3, x4 = par
    n = len(prec)
    s = np.zeros_like(par, shape=n + 1)        # production store
    r = np.zeros_like(par, shape=n + 1)        # routing store
    q = np.zeros_like(par, shape=n)
    s[0], r[0] = 0.6 * x1, 0.7 * x3
    x4_days = dg.stop_gradient(x4)             # the hydrographs' lengths: integers
    n1, n2 = int(np.ceil(x4_days)), int(np.ceil(2 * x4_days + 1))
    o1 = np.zeros_like(par, shape=n1)
    o2 = np.zeros_like(par, shape=n2)
    for j in range(1, n1 + 1):
        o1[j - 1] = s_curve1(j, x4) - s_curve1(j - 1, x4)
    for j in range(1, n2 + 1):
        o2[j - 1] = s_curve2(j, x4) - s_curve2(j - 1, x4)
    uh1 = np.zeros_like(par, shape=n1)
    uh2 = np.zeros_like(par, shape=n2)
    for t in range(1, n + 1):
        p, e, st = prec[t - 1], etp[t - 1], s[t - 1]
        if p >= e:
            p_n = p - e
            p_s = (x1 * (1 - (st / x1) ** 2) * np.tanh(p_n / x1)
                   / (1 + st / x1 * np.tanh(p_n / x1)))
            e_s = 0.0
        else:
            p_n, p_s = 0.0, 0.0
            e_n = e - p
            e_s = (st * (2 - st / x1) * np.tanh(e_n / x1)
                   / (1 + (1 - st / x1) * np.tanh(e_n / x1)))
        s[t] = st - e_s + p_s
        perc = s[t] * (1 - (1 + (4 / 9 * s[t] / x1) ** 4) ** -0.25)
        s[t] = s[t] - perc
        p_r = perc + (p_n - p_s)
        uh1[:-1] = uh1[1:] + o1[:-1] * (0.9 * p_r)
        uh1[-1] = o1[-1] * (0.9 * p_r)
        uh2[:-1] = uh2[1:] + o2[:-1] * (0.1 * p_r)
        uh2[-1] = o2[-1] * (0.1 * p_r)
        gw = x2 * (r[t - 1] / x3) ** 3.5
        r[t] = max(0, r[t - 1] + uh1[0] + gw)
        q_r = r[t] * (1 - (1 + (r[t] / x3) ** 4) ** -0.25)
        r[t] = r[t] - q_r
        q[t - 1] = q_r + max(0, uh2[0] + gw)
    return q


Q_OBS = gr4j(X_TRUE) * np.exp(0.05 * RNG.standard_normal(T))


def nse(par):
    """Nash-Sutcliffe efficiency."""
    q = gr4j(par)
    return 1 - np.sum((q - Q_OBS) ** 2) / np.sum((Q_OBS - Q_OBS.mean()) ** 2)


def kge(par):
    """Kling-Gupta efficiency (Gupta et al. 2009)."""
    q = gr4j(par)
    r = np.corrcoef(q, Q_OBS)[0, 1]
    alpha, beta = np.std(q) / np.std(Q_OBS), np.mean(q) / np.mean(Q_OBS)
    return 1 - np.sqrt((r - 1) ** 2 + (alpha - 1) ** 2 + (beta - 1) ** 2)


def sse(par):
    return np.sum((gr4j(par) - Q_OBS) ** 2)


def signatures(par):
    """Peak flow and the flow duration curve's Q5, Q50, Q95 (exceeded 5 %, ... of days)."""
    q = gr4j(par)
    return np.concatenate([[np.max(q)], np.percentile(q, [95, 50, 5])])


def richardson(f, x, h=1e-4):
    """Richardson-extrapolated central differences (error O(h^4)), relative steps."""
    def central(step):
        cols = []
        for i in range(len(x)):
            e = np.zeros_like(x)
            e[i] = step * max(1.0, abs(x[i]))
            cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * e[i]))
        return np.stack(cols, axis=-1)
    return (4 * central(h / 2) - central(h)) / 3


def relerr(a, b):
    return float(np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b)))


def nash_cascade(par, rain=PREC[:120]):
    """Discharge of a cascade of n linear reservoirs of constant k: the gamma unit
    hydrograph convolved with the rain."""
    n, k = par
    t = np.arange(1.0, 41.0)
    uh = t ** (n - 1) * np.exp(-t / k) / (k ** n * gamma(n))
    return np.convolve(rain, uh)[:len(rain)]


def muskingum(par, inflow=None, dt=1.0):
    """Muskingum routing of the Nash cascade's hydrograph through a reach (K days, X)."""
    big_k, x = par
    inflow = nash_cascade(np.array([2.5, 3.0])) if inflow is None else inflow
    d = big_k * (1 - x) + 0.5 * dt
    c0, c1, c2 = (0.5 * dt - big_k * x) / d, (0.5 * dt + big_k * x) / d, (big_k * (1 - x) - 0.5 * dt) / d
    out = np.zeros_like(par, shape=len(inflow))
    out[0] = inflow[0]
    for t in range(1, len(inflow)):
        out[t] = c0 * inflow[t] + c1 * inflow[t - 1] + c2 * out[t - 1]
    return out


def green_ampt(par, times=np.array([0.5, 1.0, 2.0, 4.0])):
    """Cumulative infiltration F(t) (cm) of Green-Ampt, F - psi ln(1 + F / psi) = K t,
    found by scipy.optimize.newton (which runs on duals) at each time."""
    k, psi = par                               # cm / h; suction head x moisture deficit, cm
    out = np.zeros_like(par, shape=len(times))
    for i, t in enumerate(times):
        out[i] = newton(lambda f: f - psi * np.log(1 + f / psi) - k * t, k * t + 1.0,
                        tol=1e-14)
    return out


def main():
    for name, f in (("NSE", nse), ("KGE", kge)):
        g = dg.gradient(f, X0)
        print(f"d{name}/dx = {np.array2string(g, precision=6)}  "
              f"rel. error vs Richardson {relerr(g, richardson(f, X0)):.1e}")

    calls = {}

    def neg_nse(par):
        calls["n"] = calls.get("n", 0) + 1
        return -nse(par)
    fits = {}
    for how, jac in (("finite differences", None),
                     ("dg.approx_fprime", lambda p: dg.approx_fprime(p, neg_nse))):
        calls["n"] = 0
        res = minimize(neg_nse, X0, method="L-BFGS-B", bounds=BOUNDS, jac=jac)
        fits[how] = res.x
        print(f"L-BFGS-B with {how}: NSE {-res.fun:.8f} x = "
              f"{np.array2string(res.x, precision=4)} f calls={calls['n']} "
              f"success={res.success}")
    x_hat = fits["dg.approx_fprime"]

    J = dg.jacobian(gr4j, x_hat)
    print(f"hydrograph Jacobian {J.shape}: rel. error vs Richardson "
          f"{relerr(J, richardson(gr4j, x_hat)):.1e}")
    S = dg.jacobian(signatures, x_hat)
    print(f"d(peak, Q5, Q50, Q95)/dx: rel. error vs Richardson "
          f"{relerr(S, richardson(signatures, x_hat)):.1e}")

    H = dg.hessian(sse, x_hat)
    H_fd = richardson(lambda p: richardson(sse, p, 1e-4), x_hat, 1e-3)
    sigma2 = sse(x_hat) / (T - 4)
    se = np.sqrt(np.diag(2 * sigma2 * np.linalg.inv(H)))
    print(f"Hessian of the sum of squares: symmetric {np.array_equal(H, H.T)}, "
          f"rel. error vs Richardson {relerr(H, H_fd):.1e}")
    print(f"standard errors of x1..x4 from 2 s^2 H^-1: {np.array2string(se, precision=4)}")

    x = np.array([2.5, 3.0])
    cs = np.stack([nash_cascade(x + 1e-30j * np.eye(2)[i]).imag / 1e-30 for i in range(2)],
                  axis=-1)
    print(f"Nash cascade (np.convolve) Jacobian: rel. error vs complex step "
          f"{relerr(dg.jacobian(nash_cascade, x), cs):.1e}")
    x = np.array([2.0, 0.2])
    print(f"Muskingum Jacobian: rel. error vs Richardson "
          f"{relerr(dg.jacobian(muskingum, x), richardson(muskingum, x)):.1e}")
    x = np.array([1.0, 5.0])
    F = green_ampt(x)
    times = np.array([0.5, 1.0, 2.0, 4.0])
    dF_dk = times / (1 - x[1] / (x[1] + F))
    print(f"Green-Ampt dF/dK: rel. error vs the implicit derivative "
          f"{relerr(dg.jacobian(green_ampt, x)[:, 0], dF_dk):.1e}")


if __name__ == "__main__":
    main()
