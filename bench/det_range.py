"""np.linalg.det's gradient and Hessian where NumPy's det leaves the float range
(attack66 F3 / F9, lead66; prints only).

    python bench/det_range.py

For a random m x m matrix A0 (m = 2..5) and scales c = 1e-300 .. 1e300: the gradient
and Hessian of det at c A0 against ``c**(m-1)`` and ``c**(m-2)`` times those at A0
(det is homogeneous of degree m), the scale factors taken in mpmath; per scale the
largest error over the largest finite exact entry and the count of non-finite entries
where the exact one is finite ("g err/nonfinite h err/nonfinite").  A Hessian of a 5 x 5
out of range is refused (printed as "refused").  Then diagonal matrices whose entries
span the float range (attack67 F4 / F5, lead67): the gradient's diagonal against the
exact cofactors (products of the other entries, in mpmath), and the count of NaN entries.
"""

import warnings

import mpmath
import numpy as np

import dualgrad as dg

SCALES = (-300, -250, -200, -160, -150, -120, -100, 100, 150, 200, 250, 300)


def _bad(got, want):
    ok = np.isfinite(want)
    scale = np.max(np.abs(want[ok])) if ok.any() else 0.0
    nonfinite = int((~np.isfinite(got) & ok).sum())
    both = ok & np.isfinite(got)
    err = np.max(np.abs(got[both] - want[both])) / scale if scale and both.any() else 0.0
    return f"{err:.0e}/{nonfinite}"


def _scaled(d, c, power):
    with mpmath.workdps(30):
        k = mpmath.mpf(c) ** power
        return np.array([float(x * k) for x in d.ravel()]).reshape(d.shape)


def main():
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(1)
    for m in (2, 3, 4, 5):
        A0 = rng.normal(size=(m, m)).ravel()

        def f(z, m=m):
            return np.linalg.det(z.reshape(m, m))
        g1, h1 = dg.gradient(f, A0), dg.hessian(f, A0)
        cells = []
        for e in SCALES:
            c = 10.0 ** e
            g = dg.gradient(f, c * A0)
            try:
                h = _bad(dg.hessian(f, c * A0), _scaled(h1, c, m - 2))
            except TypeError:
                h = "refused"
            cells.append(f"{e}: g {_bad(g, _scaled(g1, c, m - 1))} h {h}")
        print(m, " ".join(cells))
    for entries in ([1e250, 1e-100, 1e-250, 1e-250], [1e250, 1e100, 1e-200, 1e-200, 1e-260],
                    [1e300, 1e100, 1e-300, 1e-300, 1e-300], [1e300, 1e100, 1e-50]):
        m = len(entries)
        g = dg.gradient(lambda z, m=m: np.linalg.det(z.reshape(m, m)),
                        np.diag(entries).ravel()).reshape(m, m)
        exact = [float(mpmath.fprod(mpmath.mpf(e) for j, e in enumerate(entries) if j != i))
                 for i in range(m)]
        print(f"diag{tuple(entries)}: got {np.diag(g).tolist()} exact {exact} "
              f"NaN entries {int(np.isnan(g).sum())}")


if __name__ == "__main__":
    main()
