"""What silent64's changes cost against another checkout, and how far Faddeeva's
slope near the lower diagonals is from what float64 carries (prints only).

    python bench/silent64.py --compare /tmp/main_before [--rounds 3]
    python bench/silent64.py --wofz      # w' against mpmath, in units of its conditioning

``--compare DIR``: fresh processes alternate this checkout ("after") and ``DIR``; each
figure is the median CPU us of a call over batches of at least 0.05 s
(``time.process_time``), at N = 10 and N = 1e5 with n = 2 directions: the rows whose
derivative code changed (arccosh's complex form, log's complex quotient test of a
constant numerator, u / v's, the hushed partials of cumprod / det / inv / einsum, prod's
finiteness test moved, log10's two steps, which ordinary values never reach).

``--wofz``: w'(z) of ``scipy.special.wofz`` by ``dg.derivative`` at 300 points within
1e-3 rad of the lower diagonals, |z| = 3 .. 3000, against mpmath (80 digits); each
error divided by ``kappa eps``, ``kappa = |z w''(z) / w'(z)|`` (w'' = -2 w - 2 z w'): the
relative change of w' that an ulp of z makes.  Where exp(-z**2) leads w' but not w,
kappa ~ 2 |z|**2 (the phase 2 Re z Im z), and an error below ~1 of those units is
what the argument's own last bit carries.
"""

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ab_main, median_time  # noqa: E402  (the A/B loop, the timer)


def _us(call):
    """Median CPU us per call over 5 repeats of >= 0.05 s each (one warm-up call)."""
    return median_time(call, repeat=5, clock=time.process_time) * 1e6


def child():
    """Print ``{"case": us}`` for this process's dualgrad."""
    import numpy as np

    import dualgrad as dg
    from dualgrad.dual import new_tag

    rng = np.random.default_rng(0)
    out = {}
    for N in (10, 100_000):
        tag = new_tag()
        z = rng.uniform(0.2, 0.9, N) + 1j * rng.uniform(0.2, 0.9, N)
        x = rng.uniform(1.2, 4.0, N)
        u = dg.Dual(z, rng.standard_normal((N, 2)) + 0j, tag=tag)
        v = dg.Dual(z[::-1].copy(), rng.standard_normal((N, 2)) + 0j, tag=tag)
        r = dg.Dual(x, rng.standard_normal((N, 2)), tag=tag)
        p = dg.Dual(rng.uniform(0.9, 1.1, N), rng.standard_normal((N, 2)), tag=tag)
        cases = {"arccosh(u) complex": lambda: np.arccosh(u),
                 "arccosh(r) real": lambda: np.arccosh(r),
                 "log(u) complex": lambda: np.log(u), "log10(r) real": lambda: np.log10(r),
                 "u / v complex": lambda: u / v, "cumprod(p)": lambda: np.cumprod(p),
                 "prod(p)": lambda: np.prod(p)}
        if N == 10:
            M = dg.Dual(np.eye(4) * 3 + rng.uniform(-0.3, 0.3, (4, 4)),
                        rng.standard_normal((4, 4, 2)), tag=tag)
            A = rng.standard_normal((10, 10))
            cases.update({"det(M) 4x4": lambda: np.linalg.det(M),
                          "inv(M) 4x4": lambda: np.linalg.inv(M),
                          "einsum ij,j->i": lambda: np.einsum("ij,j->i", A, r)})
        with np.errstate(all="ignore"):
            for name, call in cases.items():
                out[f"{name} N={N}"] = _us(call)
    print(json.dumps(out))


def wofz():
    """Print the worst errors of w' in units of ``kappa eps`` and relative."""
    import warnings

    import mpmath as mp
    import numpy as np
    import scipy.special as sc

    import dualgrad as dg

    warnings.simplefilter("ignore")
    mp.mp.dps = 80
    rng = np.random.default_rng(1)
    rows = []
    for radius in np.concatenate([rng.uniform(3, 300, 120), rng.uniform(300, 3e3, 30)]):
        for side in (-np.pi / 4, -3 * np.pi / 4):
            angle = side + rng.uniform(-1e-3, 1e-3)
            z = complex(radius * np.cos(angle), radius * np.sin(angle))
            zm = mp.mpc(z)
            w = mp.exp(-zm * zm) * mp.erfc(-1j * zm)
            d1 = -2 * zm * w + 2j / mp.sqrt(mp.pi)
            d2 = -2 * w - 2 * zm * d1
            got = complex(dg.derivative(lambda t: sc.wofz(t * z), 1.0)) / z
            if not np.isfinite(got):    # (NaN by design where exp(-z**2)'s phase is lost)
                continue
            err = float(abs(mp.mpc(got) - d1) / abs(d1))
            kappa = float(abs(zm * d2 / d1))
            rows.append((err / (kappa * 2.0 ** -53), err, kappa, z))
    print(f"{len(rows)} finite slopes of 300; largest error "
          f"{max(r[1] for r in rows):.2g} (relative)")
    for title, key in (("by error in units of kappa eps", 0), ("by relative error", 1)):
        print(title)
        for units, err, kappa, z in sorted(rows, key=lambda r: -r[key])[:4]:
            print(f"  z = {z:.6g}: relative {err:.2g}, kappa {kappa:.3g}, {units:.2f} units")


def main():
    if "--wofz" in sys.argv:
        return wofz()
    ab_main("silent64.py", child, "case", 1)


if __name__ == "__main__":
    main()
