"""A prism's gravity anomaly: its Jacobian in the prism's faces and density, and a guard
that silently zeroes derivatives.

The forward model follows fatiando (fatiando/fatiando, fatiando/gravmag/_prism_numpy.py
@ 0b1b429d, ``gz`` with its ``safe_atan2`` and ``safe_log``; Nagy et al. 2000): the
vertical attraction of a right rectangular prism at stations along a profile that
crosses two of its faces, as on any survey grid that the prisms were built on.  Two
edits make it run on dual numbers: ``res = res + ...`` for ``res += ...`` into
``np.zeros_like(xp)`` of the plain stations (dualgrad's TypeError names that fix), and
fatiando's guard ``res[y == 0] = 0`` in ``safe_atan2``.

That guard writes the constant 0 over ``arctan2(y, x)`` where ``y == 0``.  Where ``x > 0``
the value was 0 already, so nothing changes in the values, but the derivatives there
become those of the constant: 0, where ``arctan(y / x)`` has ``d/dy = 1 / x``.  At a
station in the plane of a prism's face (``x[i] * y[j] == 0``) the columns of that face
come out wrong (42% here), with no error: forward mode (and JAX) differentiates the
branch the code took.  Shifting by constants instead of writing one keeps the
derivatives (``safe_atan2_exact``: the same values everywhere).

Oracle (closed form, Leibniz's rule): the derivative of the volume integral in a face's
position is the integrand over that face: the bottom's solid angle for ``z2``, sums of
``log(y + r)`` over the corners for ``x1`` and ``x2``; ``gz / rho`` for the density.
"""

import numpy as np
from scipy.optimize import approx_fprime

import dualgrad as dg

G, SI2MGAL = 6.673e-11, 1e5


def safe_atan2_fatiando(y, x):
    """fatiando's safe_atan2: arctan(y / x), 0 at y == 0, by a constant write."""
    res = np.arctan2(y, x)
    res[y == 0] = 0                      # a constant over a dual: its derivative is 0
    res[(y > 0) & (x < 0)] -= np.pi
    res[(y < 0) & (x < 0)] += np.pi
    return res


def safe_atan2_exact(y, x):
    """The same values by constant shifts only (arctan2(+-0, x > 0) is already 0;
    arctan2(+-0, x < 0) is +-pi and is shifted to 0): derivatives kept."""
    res = np.arctan2(y, x)
    return res - np.pi * (res > np.pi / 2) + np.pi * (res < -np.pi / 2)


def safe_log(x):
    res = np.log(x)
    res[x == 0] = 0
    return res


def gz(xp, yp, zp, prism, safe_atan2):
    """fatiando's gz of one prism (x1, x2, y1, y2, z1, z2, density), in mGal."""
    x1, x2, y1, y2, z1, z2, density = prism
    res = np.zeros_like(xp)
    x = [x2 - xp, x1 - xp]
    y = [y2 - yp, y1 - yp]
    z = [z2 - zp, z1 - zp]
    for k in range(2):
        for j in range(2):
            for i in range(2):
                r = np.sqrt(x[i] ** 2 + y[j] ** 2 + z[k] ** 2)
                kernel = -(x[i] * safe_log(y[j] + r) + y[j] * safe_log(x[i] + r)
                           - z[k] * safe_atan2(x[i] * y[j], z[k] * r))
                res = res + ((-1.0) ** (i + j + k)) * kernel * density   # was: res +=
    return res * G * SI2MGAL


def exact_columns(xp, yp, zp, prism):
    """d gz / d (x1, x2, z2, density) in closed form."""
    x1, x2, y1, y2, z1, z2, density = prism
    c = G * SI2MGAL * density
    ys, zs = [y2 - yp, y1 - yp], [z2 - zp, z1 - zp]

    def face_x(X):                       # integral of (zeta - zp) / r^3 over a face x = const
        return -sum((-1.0) ** (j + k) * np.log(ys[j] + np.sqrt(X ** 2 + ys[j] ** 2 + zs[k] ** 2))
                    for j in range(2) for k in range(2))

    def solid_angle(Z):                  # of a face z = const seen from the station
        xs = [x2 - xp, x1 - xp]
        return sum((-1.0) ** (i + j) * np.arctan(xs[i] * ys[j] / (Z * np.sqrt(
            xs[i] ** 2 + ys[j] ** 2 + Z ** 2))) for i in range(2) for j in range(2))

    return np.stack([-c * face_x(x1 - xp), c * face_x(x2 - xp), c * solid_angle(z2 - zp),
                     gz(xp, yp, zp, prism, safe_atan2_exact) / density], axis=1)


def main():
    xp = np.linspace(-2000.0, 2000.0, 41)           # every 100 m: crosses x1 and x2
    yp = np.full_like(xp, 100.0)
    zp = np.full_like(xp, -10.0)
    prism = np.array([-500.0, 700.0, -600.0, 400.0, 200.0, 900.0, 300.0])
    cols = [0, 1, 5, 6]                              # x1, x2, z2, density
    exact = exact_columns(xp, yp, zp, prism)
    scale = np.max(np.abs(exact), axis=0)
    for name, guard in (("fatiando's safe_atan2 (res[y == 0] = 0)", safe_atan2_fatiando),
                        ("safe_atan2 by constant shifts", safe_atan2_exact)):
        J = dg.jacobian(lambda p: gz(xp, yp, zp, p, guard), prism)[:, cols]
        worst = np.max(np.abs(J - exact) / scale, axis=0)
        print(f"{name}: max error in d gz / d (x1, x2, z2, rho) = "
              + ", ".join(f"{e:.1e}" for e in worst))
    bad = dg.jacobian(lambda p: gz(xp, yp, zp, p, safe_atan2_fatiando), prism)[:, 0]
    k = np.argmax(np.abs(bad - exact[:, 0]))
    print(f"worst station x = {xp[k]:.0f} m (the face x1 = {prism[0]:.0f} m): "
          f"d gz / d x1 = {bad[k]:.6f} from the guard, {exact[k, 0]:.6f} exact")
    fd = approx_fprime(prism, lambda p: gz(xp, yp, zp, p, safe_atan2_fatiando),
                       1e-6 * np.abs(prism))[:, cols]
    print("approx_fprime of fatiando's spelling: max error "
          f"{np.max(np.abs(fd - exact) / scale):.1e}")


if __name__ == "__main__":
    main()
