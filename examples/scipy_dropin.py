"""dualgrad as the Jacobian for scipy's optimizers and stiff integrators.

Run:  python examples/scipy_dropin.py     (needs scipy)
"""

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import minimize, rosen

import dualgrad as dg
from dualgrad.testing import robertson          # the stiff Robertson kinetics, plain NumPy


def main():
    x0 = np.array([1.3, 0.7, 0.8, 1.9, 1.2])            # scipy's own example start
    print("BFGS on Rosenbrock (5 variables)")
    for name, jac in (("finite differences", None),
                      ("dualgrad.gradient", lambda x: dg.gradient(rosen, x))):
        r = minimize(rosen, x0, method="BFGS", jac=jac)
        print(f"  {name:20s} success={r.success}  iterations={r.nit:3d}  "
              f"f calls={r.nfev:4d}  |x - 1|max={np.abs(r.x - 1).max():.1e}")

    print("\nBDF on Robertson, t in [0, 4e5]")
    y0 = [1.0, 0.0, 0.0]
    for name, jac in (("finite differences", None),
                      ("dualgrad.jacobian", lambda t, y: dg.jacobian(
                          lambda y: robertson(t, y), y))):
        calls = [0]

        def rhs(t, y):             # counted here: SciPy's nfev leaves out the calls of
            calls[0] += 1          # its own finite-difference Jacobians
            return robertson(t, y)

        s = solve_ivp(rhs, (0, 4e5), y0, method="BDF", jac=jac, rtol=1e-6, atol=1e-10)
        print(f"  {name:20s} success={s.success}  steps={len(s.t):4d}  "
              f"rhs calls={calls[0]:5d}  Jacobians={s.njev:3d}  y(end)={s.y[:, -1]}")


if __name__ == "__main__":
    main()
